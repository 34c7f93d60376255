#!/usr/bin/env bash
# pgcluster.sh start|stop|status|restart -- throw-away PostgreSQL 15 clusters on 127.0.0.1 only,
# independent of the Debian service cluster "15 main" (5432), not registered with pg_lsclusters.
#   primary    127.0.0.1:5434  wal_level=logical (publisher too)   data $PGLAB_BASE/primary
#   standby    127.0.0.1:5435  streaming hot standby of primary    data $PGLAB_BASE/standby
#   subscriber 127.0.0.1:5436  independent cluster for logical rep  data $PGLAB_BASE/subscriber
# trust auth, user postgres, database "lab" on primary (hence standby) and subscriber.
# start: no-op if all three are up; otherwise stops leftovers, wipes, re-creates (~5-10 s).
# $PGLAB_BASE defaults to /tmp/fieldstamps-clusters/pgcluster; its parent must be traversable by the
# postgres user. tests/test_clusters.py starts and stops it (FIELDSTAMPS_CLUSTERS=1).
set -euo pipefail
cd /tmp   # postgres user must be able to stat the cwd
BASE=${PGLAB_BASE:-/tmp/fieldstamps-clusters/pgcluster}
BIN=/usr/lib/postgresql/15/bin
DB=${PGLAB_DB:-lab}
declare -A PORT=([primary]=5434 [standby]=5435 [subscriber]=5436)
NODES=(primary standby subscriber)

ts() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(ts)" 'BEGIN{printf "%.1f", b-a}'; }
as_pg() { runuser -u postgres -- "$@"; }
up() { as_pg "$BIN/pg_ctl" -D "$BASE/$1" status >/dev/null 2>&1; }
psqlc() { local n=$1; shift; as_pg psql -X -h 127.0.0.1 -p "${PORT[$n]}" -U postgres -d "${PGDB:-postgres}" -Atq -c "$*"; }

conf() {  # $1 node -> settings appended to postgresql.conf
  cat >> "$BASE/$1/postgresql.conf" <<EOF
# --- cluster-lab ---
listen_addresses = '127.0.0.1'
port = ${PORT[$1]}
unix_socket_directories = '$BASE'
cluster_name = 'lab_$1'
shared_buffers = 32MB
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
fsync = off
full_page_writes = off
logging_collector = off
wal_retrieve_retry_interval = 200ms   # logical rep workers (re)start faster (default 5s)
EOF
}

start_pg() {
  local n=$1 t0; t0=$(ts)
  as_pg "$BIN/pg_ctl" -D "$BASE/$n" -l "$BASE/$n.log" -w -t 60 start >/dev/null
  printf '%s up on %s in %s s\n' "$n" "${PORT[$n]}" "$(elapsed "$t0")"
}

do_stop() {
  local n
  for n in subscriber standby primary; do
    if up "$n"; then as_pg "$BIN/pg_ctl" -D "$BASE/$n" -m fast -w stop >/dev/null; echo "$n stopped"; fi
  done
}

do_start() {
  local T0 n all=1; T0=$(ts)
  for n in "${NODES[@]}"; do up "$n" || all=0; done
  if (( all )); then echo "pglab: already running"; return 0; fi
  do_stop >/dev/null 2>&1 || true
  for n in "${NODES[@]}"; do
    if ss -Hltn "( sport = :${PORT[$n]} )" | grep -q .; then echo "port ${PORT[$n]} busy" >&2; return 1; fi
  done
  rm -rf "$BASE"; mkdir -p "$BASE"; chown postgres:postgres "$BASE"; chmod 700 "$BASE"
  for n in primary subscriber; do
    as_pg "$BIN/initdb" -D "$BASE/$n" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$BASE/initdb-$n.log"
    conf "$n"; start_pg "$n"
    psqlc "$n" "CREATE DATABASE $DB"
  done
  # hot standby: base backup of the running primary, -R writes standby.signal + primary_conninfo
  as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "${PORT[primary]}" -U postgres \
      -D "$BASE/standby" -R -X stream -c fast --no-sync
  cat >> "$BASE/standby/postgresql.auto.conf" <<EOF
port = ${PORT[standby]}
cluster_name = 'lab_standby'
EOF
  start_pg standby
  printf 'pglab: 3 clusters up in %s s\n' "$(elapsed "$T0")"
}

do_status() {
  local n rc=0
  for n in "${NODES[@]}"; do
    if up "$n"; then
      printf '%-10s port=%s in_recovery=%s\n' "$n" "${PORT[$n]}" "$(psqlc "$n" 'select pg_is_in_recovery()')"
    else echo "$n down"; rc=3; fi
  done
  if up primary; then
    echo "replication from primary: $(psqlc primary "select string_agg(application_name||':'||state||':'||sync_state, ', ') from pg_stat_replication")"
  fi
  return $rc
}

case ${1:-status} in
  start) do_start ;;
  stop) do_stop ;;
  restart) do_stop; do_start ;;
  status) do_status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
