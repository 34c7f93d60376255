"""Server time of one 1,000-row batched INSERT of fieldstamps-json on
PostgreSQL, as SQLAlchemy's insertmanyvalues sends it, against variants of
its ``changes`` expression (docs/design/performance.md). Run from the
checkout: ``.venv/bin/python docs/design/performance/postgresql_insert_batch.py``.
Measurement only: the variants are not what fieldstamps sends."""
import sys, time, re
from decimal import Decimal
import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
sys.path.insert(0, "/work/main")
from benchmarks.contenders.fieldstamps_json import User
url = "postgresql+psycopg://postgres@127.0.0.1/test"
e = create_engine(url)
User.metadata.drop_all(e); User.metadata.create_all(e)
cap = []
@event.listens_for(e, "before_cursor_execute")
def c(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("INSERT"): cap.append((statement, parameters))
with Session(e) as s:
    s.add_all([User(name=f"name {i}", email=f"e{i}@example.com", city="city", age=i % 90, balance=Decimal(i) / 100) for i in range(1000)])
    s.commit()
sql, params = cap[0]
print("batch SQL bytes", len(sql), "rows", len(params)//5)
conn = psycopg.connect("host=127.0.0.1 user=postgres dbname=test")
def run(label, sql, params, n=5):
    best = 1e9
    for _ in range(n):
        with conn.cursor() as cur:
            cur.execute("DELETE FROM user_account")
            t = time.perf_counter(); cur.execute(sql, params); cur.fetchall() if cur.description else None; best = min(best, time.perf_counter() - t)
        conn.rollback()
    print(f"{label}: {best*1000:.1f} ms")
run("V0 current", sql, params)
# plain: drop the changes expression
plain = re.sub(r"jsonb_build_object\('name'.*?\)\)\), %\(name", "NULL, %(name", sql)
run("V-nojson (NULL changes)", plain, params)
# V2: plpgsql function per row
with conn.cursor() as cur:
    cur.execute("""CREATE OR REPLACE FUNCTION fs_doc(n varchar, e varchar, c varchar, a integer, b numeric) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE s text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN RETURN jsonb_build_object('name', jsonb_build_object('value', to_jsonb(n::text), 'updated_at', s), 'email', jsonb_build_object('value', to_jsonb(e::text), 'updated_at', s), 'city', jsonb_build_object('value', to_jsonb(c::text), 'updated_at', s), 'age', jsonb_build_object('value', to_jsonb(a::bigint), 'updated_at', s), 'balance', jsonb_build_object('value', to_jsonb(CAST(b AS numeric(12,2))::text), 'updated_at', s)); END $$""")
    cur.execute("""CREATE OR REPLACE FUNCTION fs_doc_sql(n varchar, e varchar, c varchar, a integer, b numeric) RETURNS jsonb LANGUAGE sql STABLE AS $$
SELECT jsonb_build_object('name', jsonb_build_object('value', to_jsonb(n::text), 'updated_at', s), 'email', jsonb_build_object('value', to_jsonb(e::text), 'updated_at', s), 'city', jsonb_build_object('value', to_jsonb(c::text), 'updated_at', s), 'age', jsonb_build_object('value', to_jsonb(a::bigint), 'updated_at', s), 'balance', jsonb_build_object('value', to_jsonb(CAST(b AS numeric(12,2))::text), 'updated_at', s)) FROM (SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS s) x $$""")
conn.commit()
def withfn(fn):
    def rep(m):
        i = m.group(1)
        return f"{fn}(%(name__{i})s::VARCHAR, %(email__{i})s::VARCHAR, %(city__{i})s::VARCHAR, %(age__{i})s::INTEGER, %(balance__{i})s), %(name__{i})s"
    return re.sub(r"jsonb_build_object\('name'.*?%\(name__(\d+)\)s::VARCHAR AS VARCHAR\(100\)\).*?\)\)\), %\(name__\d+\)s", rep, sql)
v2 = withfn("fs_doc"); print("V2 bytes", len(v2))
run("V2 plpgsql fn", v2, params)
run("V3 sql fn", withfn("fs_doc_sql"), params)
v6 = sql.replace("""to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""", "'2026-01-01T00:00:00.000000Z'")
run("V6 literal stamp (measure only)", v6, params)
# V4: JSON in outer select (once)
m = re.match(r"INSERT INTO user_account \((.*?)\) SELECT (.*?) FROM \(VALUES (.*)\) AS imp_sen\((.*?)\) ORDER BY (.*)$", sql, re.S)
print(bool(m))
with conn.cursor() as cur:
    cur.execute("DROP FUNCTION fs_doc(varchar,varchar,varchar,integer,numeric); DROP FUNCTION fs_doc_sql(varchar,varchar,varchar,integer,numeric)")
conn.commit()
User.metadata.drop_all(e)
