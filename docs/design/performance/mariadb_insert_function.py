"""Measurement only (run from the checkout: ``.venv/bin/python
docs/design/performance/mariadb_insert_function.py inline|function``): W1
(10,000 inserts, one commit) of fieldstamps-json on MariaDB with the
document spelt out in every row (``inline``: the per-table function switched
off for this process) against the table's stored function (``function``,
what fieldstamps ships), at 5 and 50 fields. Drops its tables afterwards."""
import sys, time
sys.path.insert(0, "."); sys.path.insert(0, "src")  # run from the checkout
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
import fieldstamps._sql.mysql as my
from benchmarks.contenders import load
from benchmarks.workloads import _user_values
from benchmarks.contenders._base import extra_fields

URL = "mysql+pymysql://root@127.0.0.1/test"
mode = sys.argv[1]
if mode == "inline":
    my.changes_function = None
for fields in (5, 50):
    c = load("fieldstamps-json", "mariadb", fields)
    e = create_engine(URL)
    c.metadata.drop_all(e); c.metadata.create_all(e)
    extras = extra_fields(fields)
    times = []
    for _ in range(3):
        with e.begin() as conn: conn.execute(text("DELETE FROM user_account"))
        rows = [c.model(**_user_values(i, extras)) for i in range(10000)]
        t = time.perf_counter()
        with Session(e) as s:
            s.add_all(rows); s.commit()
        times.append(time.perf_counter() - t)
    with e.connect() as conn:
        doc = conn.execute(text("SELECT changes FROM user_account LIMIT 1")).scalar()
    print(mode, fields, "fields: W1", [round(x, 2) for x in times], "s;", str(doc)[:90])
    c.metadata.drop_all(e); e.dispose()
