#!/usr/bin/env bash
# galera.sh start|stop|status|restart -- 3-node MariaDB Galera cluster on 127.0.0.1 only.
#   SQL ports 3311-3313, gcomm 4571-4573, IST 4581-4583, SST(rsync) 4591-4593.
#   Data under $GALERA_BASE (default /tmp/fieldstamps-clusters/galera). User root@127.0.0.1,
#   no password. tests/test_clusters.py starts and stops it (FIELDSTAMPS_CLUSTERS=1).
#   start: no-op if all 3 nodes are up and Synced; starts missing nodes as joiners if
#          a Primary node is alive; otherwise wipes the datadirs and bootstraps fresh.
# Needs: mariadb-server 10.11, galera-4, rsync, iproute2 (ss). Run as root.
set -euo pipefail
BASE=${GALERA_BASE:-/tmp/fieldstamps-clusters/galera}
N=3
SQL0=3310; GCOMM0=4570; IST0=4580; SST0=4590
PROVIDER=/usr/lib/galera/libgalera_smm.so
SST_METHOD=${GALERA_SST:-rsync}
CLUSTER_ADDR="gcomm://127.0.0.1:4571,127.0.0.1:4572,127.0.0.1:4573"
DB=${GALERA_DB:-lab}

ts() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(ts)" 'BEGIN{printf "%.1f", b-a}'; }
sock() { echo "$BASE/node$1/mysqld.sock"; }
pidf() { echo "$BASE/node$1/mysqld.pid"; }
q() { local i=$1; shift; mariadb --no-defaults -S "$(sock "$i")" -uroot -N -B -e "$*" 2>/dev/null; }
alive() { local p; p=$(cat "$(pidf "$1")" 2>/dev/null) || return 1; kill -0 "$p" 2>/dev/null; }
wstat() { q "$1" "SHOW GLOBAL STATUS LIKE '$2'" | awk '{print $2}'; }

write_cnf() {
  local i=$1
  mkdir -p "$BASE/node$i/data" "$BASE/node$i/tmp"
  cat > "$BASE/node$i.cnf" <<EOF
[mysqld]
user=mysql
datadir=$BASE/node$i/data
socket=$BASE/node$i/mysqld.sock
pid-file=$BASE/node$i/mysqld.pid
log-error=$BASE/node$i/error.log
tmpdir=$BASE/node$i/tmp
port=$((SQL0+i))
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
default_storage_engine=InnoDB
binlog_format=ROW
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=lab
wsrep_cluster_address=$CLUSTER_ADDR
wsrep_node_name=node$i
wsrep_node_address=127.0.0.1:$((GCOMM0+i))
wsrep_node_incoming_address=127.0.0.1:$((SQL0+i))
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$((GCOMM0+i));ist.recv_addr=127.0.0.1:$((IST0+i));gcache.size=32M"
wsrep_sst_method=$SST_METHOD
wsrep_sst_receive_address=127.0.0.1:$((SST0+i))
EOF
}

wait_synced() {  # $1 node, $2 timeout s
  local i=$1 t=$(( $2 * 5 )) st
  while (( t-- > 0 )); do
    if ! kill -0 "$LAUNCH_PID" 2>/dev/null; then echo "node$i died; tail of $BASE/node$i/error.log:" >&2
      tail -n 30 "$BASE/node$i/error.log" >&2; return 1; fi
    st=$(wstat "$i" wsrep_local_state_comment || true)
    [[ $st == Synced ]] && return 0
    sleep 0.2
  done
  echo "node$i not Synced after $2 s (state=${st:-?})" >&2; return 1
}

start_node() {  # $1 node, $2 extra args
  local i=$1 t0; t0=$(ts)
  write_cnf "$i"
  chown -R mysql:mysql "$BASE/node$i"
  setsid /usr/sbin/mariadbd --defaults-file="$BASE/node$i.cnf" ${2:-} \
      >>"$BASE/node$i/stdout.log" 2>&1 </dev/null &
  LAUNCH_PID=$!
  wait_synced "$i" 90
  printf 'node%s Synced in %s s (pid %s)\n' "$i" "$(elapsed "$t0")" "$(cat "$(pidf "$i")")"
}

ports_free() {
  local p busy=0
  for p in 3311 3312 3313 4571 4572 4573 4581 4582 4583 4591 4592 4593; do
    if ss -Hltn "( sport = :$p )" | grep -q .; then echo "port $p busy" >&2; busy=1; fi
  done
  return $busy
}

cluster_ok() {
  local i
  for i in $(seq 1 $N); do
    alive "$i" || return 1
    [[ $(wstat "$i" wsrep_local_state_comment) == Synced ]] || return 1
    [[ $(wstat "$i" wsrep_cluster_size) == "$N" ]] || return 1
  done
}

do_stop() {
  local i p k
  for i in $(seq $N -1 1); do   # node1 last -> it keeps safe_to_bootstrap=1
    p=$(cat "$(pidf "$i")" 2>/dev/null) || continue
    kill -0 "$p" 2>/dev/null || continue
    kill -TERM "$p"
    for k in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then echo "node$i pid $p still alive, KILL" >&2; kill -KILL "$p"; fi
    echo "node$i (pid $p) stopped"
  done
}

do_start() {
  local T0 i primary=""; T0=$(ts)
  if cluster_ok; then echo "galera: already running, cluster_size=$N"; return 0; fi
  for i in $(seq 1 $N); do
    if alive "$i" && [[ $(wstat "$i" wsrep_cluster_status) == Primary ]]; then primary=$i; break; fi
  done
  if [[ -n $primary ]]; then
    for i in $(seq 1 $N); do alive "$i" || start_node "$i"; done
  else
    do_stop >/dev/null
    ports_free || { echo "galera: ports busy, not starting" >&2; return 1; }
    mkdir -p "$BASE"
    if [[ ! -d $BASE/template/mysql ]]; then   # one-time, ~3 s
      rm -rf "$BASE/template"
      mariadb-install-db --no-defaults --datadir="$BASE/template" --user=mysql \
          --skip-test-db >"$BASE/install-db.log" 2>&1
    fi
    for i in $(seq 1 $N); do rm -rf "$BASE/node$i"; mkdir -p "$BASE/node$i"; done
    cp -a "$BASE/template" "$BASE/node1/data"
    start_node 1 --wsrep-new-cluster
    q 1 "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS \`$DB\`;"
    for i in $(seq 2 $N); do start_node "$i"; done   # joiners get SST from node1
  fi
  cluster_ok || { echo "galera: cluster not healthy" >&2; do_status; return 1; }
  printf 'galera: cluster_size=%s up in %s s\n' "$N" "$(elapsed "$T0")"
}

do_status() {
  local i rc=0
  for i in $(seq 1 $N); do
    if alive "$i"; then
      printf 'node%s pid=%s port=%s state=%s cluster_size=%s status=%s rss=%sMB\n' "$i" \
        "$(cat "$(pidf "$i")")" $((SQL0+i)) "$(wstat "$i" wsrep_local_state_comment)" \
        "$(wstat "$i" wsrep_cluster_size)" "$(wstat "$i" wsrep_cluster_status)" \
        "$(( $(ps -o rss= -p "$(cat "$(pidf "$i")")") / 1024 ))"
    else echo "node$i down"; rc=3; fi
  done
  return $rc
}

case ${1:-status} in
  start) do_start ;;
  stop) do_stop ;;
  restart) do_stop; do_start ;;
  status) do_status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
