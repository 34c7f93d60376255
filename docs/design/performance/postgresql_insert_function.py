"""Server time of one 1,000-row batched INSERT on PostgreSQL, as SQLAlchemy's
insertmanyvalues sends it: fieldstamps-json with its changes function,
plain-json (the floor: the document bound, built in Python), and the call as
it was before it dropped its casts' type modifiers (the model's
``String(100)`` and ``Numeric(12, 2)`` put back). Run
from the checkout: ``.venv/bin/python
docs/design/performance/postgresql_insert_function.py``."""

import sys
import time
from decimal import Decimal

import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

sys.path.insert(0, ".")
from benchmarks.contenders import load

URL = "postgresql+psycopg://postgres@127.0.0.1/test"


def batch(contender_name: str) -> tuple[str, object]:
    contender = load(contender_name, "postgresql")
    engine = create_engine(URL)
    contender.metadata.drop_all(engine)
    contender.metadata.create_all(engine)
    captured = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT"):
            captured.append((statement, parameters))

    extra = contender.insert_values if contender.writes_extra else None
    rows = []
    for i in range(1000):
        values = {
            "name": f"name {i}",
            "email": f"e{i}@example.com",
            "city": "city",
            "age": i % 90,
            "balance": Decimal(i) / 100,
        }
        if extra is not None:
            values.update(extra(values))
        rows.append(contender.model(**values))
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
    engine.dispose()
    return captured[0]


def best_ms(conn: psycopg.Connection, sql: str, params: object, runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        with conn.cursor() as cursor:
            cursor.execute("DELETE FROM user_account")
            start = time.perf_counter()
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()
            best = min(best, time.perf_counter() - start)
        conn.rollback()
    return best * 1000


if __name__ == "__main__":
    for name in ("plain-json", "fieldstamps-json"):
        sql, params = batch(name)
        conn = psycopg.connect("host=127.0.0.1 user=postgres dbname=test")
        print(f"{name}: {len(sql):,} bytes, {best_ms(conn, sql, params):.1f} ms")
        if name == "fieldstamps-json":
            typed = sql.replace("AS VARCHAR)", "AS VARCHAR(100))").replace(
                "AS NUMERIC)", "AS NUMERIC(12, 2))"
            )
            assert typed != sql
            print(f"  with type modifiers in the call: {best_ms(conn, typed, params):.1f} ms")
        conn.close()
        drop = create_engine(URL)
        load(name, "postgresql").metadata.drop_all(drop)
        drop.dispose()
