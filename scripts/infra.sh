#!/usr/bin/env bash
# Local infrastructure for CAM: a private MariaDB primary/replica pair (GTID replication) and a private
# OpenLDAP slapd with the demo directory, all on 127.0.0.1, all state under one directory.
# Run `scripts/infra.sh help` for the commands. docs/operations.md ("Local infrastructure") explains more.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECKOUT=$(cd "$SCRIPT_DIR/.." && pwd)
TEMPLATES=$SCRIPT_DIR/infra

usage() {
  cat <<EOF
usage: scripts/infra.sh COMMAND [options]

  up                   start (or repair) everything: MariaDB primary + replica, slapd; idempotent
  down [--purge]       stop our processes (by pid file); --purge also deletes all data
  reset                same as down --purge
  status               one line per component; exits 1 if something is down or not replicating
  db-status, ldap-status   the same for one part
  env                  print export lines (CAM_DB_*, CAM_LDAP_*) for the current ports/state dir

  db-up                start (or repair) only the MariaDB pair
  db-down [--purge]    stop only the MariaDB pair (--purge: delete its data)
  ldap-up              start (or repair) only slapd
  ldap-down [--purge]  stop only slapd (--purge: delete its data)

  db-start-node primary|replica [mariadbd options...]
                       start one existing node with its usual options (after a kill); replication is not
                       touched (a replica resumes from its own state). Fencing: the node starts read-only
                       unless replication-monitor (CAM_REPLICATION_MONITOR_URL) names it primary; a monitor
                       that does not answer leaves it read-only. Extra options are appended.
  db-proxy             run HAProxy in the foreground as the database entry point on CAM_DB_PROXY_PORT: it
                       routes to the node replication-monitor names primary (agent check on
                       CAM_REPLICATION_AGENT_ADDR) and cuts connections to a node that stops being it
  db-stop-node primary|replica [--kill]
                       clean shutdown of one node, or SIGKILL with --kill
  db-client primary|replica [mariadb options...]
                       mariadb client as root over the node's private unix socket

Environment (defaults in brackets; the ports used by the first 'up' are remembered in the state dir):
  CAM_INFRA_DIR        state directory [<checkout>/.cam/infra]
  CAM_DB_PRIMARY_PORT  [13306]   CAM_DB_REPLICA_PORT [13307]   CAM_LDAP_PORT [13389]
  CAM_INFRA_MEMBEROF   load slapd's memberof overlay when the directory is created [1]
  CAM_DB_PROXY_PORT    [13308] HAProxy's database entry point (db-proxy; 'env' prints it as CAM_DB_PROXY_URL)
  CAM_REPLICATION_MONITOR_URL [http://127.0.0.1:8083]  asked by db-start-node whether a node is primary
  CAM_REPLICATION_AGENT_ADDR  [127.0.0.1:8084]  replication-monitor's HAProxy agent-check listener
  CAM_DB_SEMI_SYNC_TIMEOUT_MS [1000]  how long a commit waits for the replica's acknowledgement before the
                       primary falls back to asynchronous replication (a dead replica must not stop writes)
  CAM_INFRA_EXTERNAL   db|ldap|all: that part is your own server; up/down leave it alone, status only
                       checks it answers, env passes your CAM_DB_* / CAM_LDAP_* values through
EOF
}

die() { echo "infra: $*" >&2; exit 1; }
info() { echo "infra: $*" >&2; }

# ---------------------------------------------------------------------------------------------------
# Configuration. Precedence: environment > ports remembered in $STATE/infra.conf > defaults, so a later
# `db-start-node` without the environment of the first `up` still uses the same ports.

# Absolute path, without creating anything yet (status and env leave no trace).
STATE=$(realpath -m -- "${CAM_INFRA_DIR:-$CHECKOUT/.cam/infra}")
CONF=$STATE/infra.conf

SAVED_DB_PRIMARY_PORT='' SAVED_DB_REPLICA_PORT='' SAVED_LDAP_PORT=''
if [[ -f $CONF ]]; then
  while IFS='=' read -r key value; do
    case $key in
      DB_PRIMARY_PORT) SAVED_DB_PRIMARY_PORT=$value ;;
      DB_REPLICA_PORT) SAVED_DB_REPLICA_PORT=$value ;;
      LDAP_PORT) SAVED_LDAP_PORT=$value ;;
    esac
  done <"$CONF"
fi
P_PORT=${CAM_DB_PRIMARY_PORT:-${SAVED_DB_PRIMARY_PORT:-13306}}
R_PORT=${CAM_DB_REPLICA_PORT:-${SAVED_DB_REPLICA_PORT:-13307}}
L_PORT=${CAM_LDAP_PORT:-${SAVED_LDAP_PORT:-13389}}
X_PORT=${CAM_DB_PROXY_PORT:-13308}
MONITOR_URL=${CAM_REPLICATION_MONITOR_URL:-http://127.0.0.1:8083}
AGENT_ADDR=${CAM_REPLICATION_AGENT_ADDR:-127.0.0.1:8084}
SEMI_SYNC_TIMEOUT_MS=${CAM_DB_SEMI_SYNC_TIMEOUT_MS:-1000}
shopt -s extglob
# CAM_INFRA_EXTERNAL=db|ldap|all: that part runs elsewhere (docs/operations.md); we neither start nor stop it.
ext_db() { [[ ${CAM_INFRA_EXTERNAL:-} == @(db|all|1) ]]; }
ext_ldap() { [[ ${CAM_INFRA_EXTERNAL:-} == @(ldap|all|1) ]]; }

own_ports=()
ext_db || own_ports+=("$P_PORT" "$R_PORT")
ext_ldap || own_ports+=("$L_PORT")
for p in "${own_ports[@]}"; do
  [[ $p =~ ^[0-9]+$ && $p -ge 1024 && $p -le 65535 ]] || die "bad port '$p' (1024..65535)"
done
if [[ $(printf '%s\n' "${own_ports[@]}" | sort -u | wc -l) -ne ${#own_ports[@]} ]]; then
  die "ports must differ: ${own_ports[*]}"
fi

HOST=127.0.0.1
DB_NAME=cam
LDAP_BASE=dc=cam,dc=test
LDAP_ADMIN_DN=cn=admin,$LDAP_BASE
LDAP_ADMIN_PW=camadmin
LDAP_DIR=$STATE/ldap

save_conf() {
  local pp=$P_PORT rp=$R_PORT lp=$L_PORT
  # Ports of an external part are not ours to remember.
  if ext_db; then pp=${SAVED_DB_PRIMARY_PORT:-13306} rp=${SAVED_DB_REPLICA_PORT:-13307}; fi
  if ext_ldap; then lp=${SAVED_LDAP_PORT:-13389}; fi
  printf 'DB_PRIMARY_PORT=%s\nDB_REPLICA_PORT=%s\nLDAP_PORT=%s\n' "$pp" "$rp" "$lp" >"$CONF.tmp"
  mv -f "$CONF.tmp" "$CONF"
}

# One `up`/`down` at a time per state dir (parallel test JVMs may all call `up`).
# Daemons are started with fd 9 closed so they never inherit the lock.
lock() {
  mkdir -p "$STATE" "$SOCK_DIR"
  exec 9>"$STATE/.lock"
  flock -w 180 9 || die "could not lock $STATE/.lock within 180 s"
}

# mariadbd lives in /usr/sbin, which is not always on PATH.
PATH=$PATH:/usr/sbin:/sbin

ensure_db_packages() {
  "$SCRIPT_DIR/ensure-packages.sh" mariadbd=mariadb-server mariadb-install-db=mariadb-server \
    mariadb=mariadb-client mariadb-admin=mariadb-client
}

ensure_ldap_packages() {
  local pid='' had_slapd=0
  if command -v slapd >/dev/null && command -v ldapsearch >/dev/null && command -v slapadd >/dev/null; then
    return 0
  fi
  command -v slapd >/dev/null && had_slapd=1
  # no_configuration: the package must neither create the system directory nor start a daemon on 389.
  ENSURE_PACKAGES_PRESEED="slapd slapd/no_configuration boolean true" \
    "$SCRIPT_DIR/ensure-packages.sh" slapd=slapd slapadd=slapd slappasswd=slapd ldapsearch=ldap-utils ldapadd=ldap-utils
  # Should the postinst we just ran have started the system slapd anyway, stop it: we only want our own.
  # (A slapd that was installed before is somebody else's business.)
  if [[ $had_slapd == 0 && -f /run/slapd/slapd.pid ]]; then
    pid=$(tr -dc '0-9' </run/slapd/slapd.pid 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      info "stopping the system slapd the package started (pid $pid)"
      kill "$pid" 2>/dev/null || true
    fi
  fi
}

# ---------------------------------------------------------------------------------------------------
# Small helpers

# A unix socket path must fit in sun_path (108 bytes); fall back to a short directory under /tmp.
SOCK_DIR=$STATE
if (( ${#STATE} > 80 )); then
  SOCK_DIR=/tmp/cam-infra-$(printf '%s' "$STATE" | md5sum | cut -c1-12)
fi

node_port() { if [[ $1 == primary ]]; then echo "$P_PORT"; else echo "$R_PORT"; fi; }
# The port the node had in the last run (infra.conf as it was before this run saved its own ports).
node_saved_port() {
  if [[ $1 == primary ]]; then echo "${SAVED_DB_PRIMARY_PORT:-$P_PORT}"; else echo "${SAVED_DB_REPLICA_PORT:-$R_PORT}"; fi
}
node_id() { if [[ $1 == primary ]]; then echo 1; else echo 2; fi; }
node_dir() { echo "$STATE/db-$1"; }
node_sock() { echo "$SOCK_DIR/db-$1.sock"; }
node_pidfile() { echo "$STATE/db-$1/mariadbd.pid"; }

check_node_name() {
  [[ ${1:-} == primary || ${1:-} == replica ]] || die "node must be 'primary' or 'replica', got '${1:-}'"
}

# pid from a pid file, only when that process is alive and really is ours (its command line names our
# path): a stale pid file or a recycled pid never makes us signal a foreign process (e.g. the system's).
our_pid() {
  local pidfile=$1 marker=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(tr -dc '0-9' <"$pidfile" 2>/dev/null || true)
  [[ -n $pid ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# (cmdline arguments end in NUL, turned into a space: the trailing space makes the match exact.)
node_pid() { our_pid "$(node_pidfile "$1")" "--datadir=$(node_dir "$1")/data "; }
ldap_pid() { our_pid "$LDAP_DIR/slapd.pid" "-F $LDAP_DIR/slapd.d "; }

# Alive and not a zombie (a launcher that died is a zombie until this shell reaps it).
alive() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z ]]
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Waits up to $2 tenths of a second for the process $1 to exit.
wait_gone() {
  local pid=$1 n=$2
  while alive "$pid" && (( n-- > 0 )); do sleep 0.1; done
  ! alive "$pid"
}

stop_pid() { # pid name
  local pid=$1 name=$2
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" 300; then
    info "$name (pid $pid) did not stop within 30 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 50 || die "$name (pid $pid) survives SIGKILL"
  fi
}

sql() { # node, SQL on stdin or as -e
  local node=$1; shift
  mariadb --no-defaults --protocol=socket --socket="$(node_sock "$node")" -uroot --batch --skip-column-names "$@"
}

# ---------------------------------------------------------------------------------------------------
# MariaDB

db_init_node() {
  local node=$1 dir
  dir=$(node_dir "$node")
  [[ -f $dir/.initialized ]] && return 0
  rm -rf "$dir"
  mkdir -p "$dir/tmp"
  if ! mariadb-install-db --no-defaults --user=root --auth-root-authentication-method=normal --skip-test-db \
      --datadir="$dir/data" --tmpdir="$dir/tmp" >"$dir/install-db.log" 2>&1; then
    tail -n 30 "$dir/install-db.log" >&2
    die "mariadb-install-db failed for $node (log: $dir/install-db.log)"
  fi
  touch "$dir/.initialized"
}

# Fencing: may this node take writes when it starts? Only when replication-monitor, which alone decides the
# topology, names it primary. A monitor that answers 503 or not at all means read-only: an old primary that was
# unreachable when the other node was promoted must never come back writable. (db_up's cold start of the whole
# pair decides differently, see there.)
monitor_names_primary() { # node
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
    "$MONITOR_URL/api/v1/replication/nodes/$HOST:$(node_port "$1")/primary" 2>/dev/null) || true
  [[ $code == 200 ]]
}

db_start_node() { # node [extra mariadbd options]
  local node=$1; shift
  local dir port pid n read_only=1
  dir=$(node_dir "$node")
  port=$(node_port "$node")
  [[ -f $dir/.initialized ]] || die "$node has no data directory in $dir; run 'db-up' first"
  if pid=$(node_pid "$node"); then
    return 0
  fi
  port_open "$port" && die "port $HOST:$port is in use by another process; choose another CAM_DB_${node^^}_PORT"
  local opts=(
    --no-defaults --user=root
    --datadir="$dir/data" --tmpdir="$dir/tmp"
    --socket="$(node_sock "$node")" --pid-file="$(node_pidfile "$node")" --log-error="$dir/mariadbd.err"
    --bind-address="$HOST" --port="$port" --skip-name-resolve
    --server-id="$(node_id "$node")"
    --log-bin=mariadb-bin --relay-log=relay-bin
    --binlog-format=ROW --gtid-strict-mode=ON --log-slave-updates=ON
    # Crash safety after kill -9: drop the relay logs at start and re-fetch from gtid_slave_pos.
    --relay-log-recovery=ON
    # The replica reconnects fast after its primary was killed and restarted (replication-monitor tests).
    --slave-net-timeout=10
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
    # Small: tests run beside several JVMs on a small machine.
    --innodb-buffer-pool-size=64M --innodb-log-file-size=32M --innodb-flush-log-at-trx-commit=2
    --key-buffer-size=8M --max-connections=200 --table-open-cache=400 --performance-schema=OFF
    # Semi-synchronous replication, AFTER_SYNC: a commit is acknowledged to the client only once the replica
    # has the transaction in its relay log, so a write that got its answer survives a kill -9 of the primary.
    # Both sides on both nodes: roles change without a restart. Without an acknowledgement for
    # CAM_DB_SEMI_SYNC_TIMEOUT_MS the primary goes on asynchronously (a dead replica must not stop writes).
    --rpl-semi-sync-master-enabled=ON --rpl-semi-sync-master-wait-point=AFTER_SYNC
    --rpl-semi-sync-master-timeout="$SEMI_SYNC_TIMEOUT_MS" --rpl-semi-sync-slave-enabled=ON
    # HAProxy's TCP health checks connect and close without a handshake; never block 127.0.0.1 for it.
    --max-connect-errors=1000000000
  )
  # A data directory just created holds nothing to lose: its first start as the pair's primary is writable.
  if [[ ${CAM_INFRA_BOOTSTRAP_WRITABLE:-} == "$node" ]] || monitor_names_primary "$node"; then
    read_only=0
  fi
  opts+=(--read-only="$read_only")
  opts+=("$@")
  rm -f "$(node_pidfile "$node")"
  # setsid + all fds redirected: the server outlives this script and never holds a caller's pipe open.
  (ulimit -n 8192 2>/dev/null || true; exec setsid mariadbd "${opts[@]}" </dev/null >>"$dir/mariadbd.out" 2>&1 9>&-) &
  local launcher=$!
  n=300
  until mariadb-admin --no-defaults --protocol=socket --socket="$(node_sock "$node")" -uroot \
      --connect-timeout=1 ping >/dev/null 2>&1; do
    if ! alive "$launcher" || (( n-- <= 0 )); then
      tail -n 30 "$dir/mariadbd.err" >&2 2>/dev/null || true
      die "MariaDB $node did not become ready on $HOST:$port (log: $dir/mariadbd.err)"
    fi
    sleep 0.1
  done
  node_pid "$node" >/dev/null || die "MariaDB $node answers but its pid file $(node_pidfile "$node") is missing"
}

db_stop_node() { # node [--kill]
  local node=$1 mode=${2:-} pid
  pid=$(node_pid "$node") || return 0
  if [[ $mode == --kill ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 50 || die "MariaDB $node (pid $pid) survives SIGKILL"
    return 0
  fi
  mariadb-admin --no-defaults --protocol=socket --socket="$(node_sock "$node")" -uroot --connect-timeout=2 \
    shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" 300; then
    info "MariaDB $node (pid $pid) did not stop within 30 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 50 || die "MariaDB $node (pid $pid) survives SIGKILL"
  fi
}

# Anonymous accounts from mariadb-install-db would shadow 'cam'@'%' for local connections. Removed on
# each node without binlog, before replication, so both nodes stay identical and GTID-clean.
db_local_cleanup() {
  local node=$1 dir
  dir=$(node_dir "$node")
  [[ -f $dir/.cleaned ]] && return 0
  sql "$node" <<'SQL'
SET SESSION sql_log_bin=0;
DELETE FROM mysql.global_priv WHERE User='';
FLUSH PRIVILEGES;
SQL
  touch "$dir/.cleaned"
}

# Users and database on the primary, binlogged, so the replica gets them through replication.
db_bootstrap_primary() {
  local dir
  dir=$(node_dir primary)
  [[ -f $dir/.bootstrapped ]] && return 0
  sql primary <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'cam'@'%' IDENTIFIED BY 'cam';
-- The app user gets exactly its schemas (not a cam% pattern that also covers cam_monitor and anything named cam*):
-- the demo's, management-api's test and benchmark databases (the system tests grant the ones they create). '_' is a
-- wildcard in GRANT: escaped.
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO 'cam'@'%';
GRANT ALL PRIVILEGES ON \`cam\_test\_mgmt\`.* TO 'cam'@'%';
GRANT ALL PRIVILEGES ON \`cam\_bench\_mgmt\`.* TO 'cam'@'%';
CREATE USER IF NOT EXISTS 'camadmin'@'%' IDENTIFIED BY 'camadmin';
GRANT ALL PRIVILEGES ON *.* TO 'camadmin'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
SQL
  touch "$dir/.bootstrapped"
}

# Field of SHOW SLAVE STATUS on a node ('' when the node is no replica).
slave_field() {
  mariadb --no-defaults --protocol=socket --socket="$(node_sock "$1")" -uroot --vertical -e 'SHOW SLAVE STATUS' 2>/dev/null \
    | awk -v f="$2" '{ k = $1; sub(/:$/, "", k) } k == f { sub(/^[^:]*: ?/, ""); print; exit }'
}

db_configure_replica() {
  local io sqlr mport
  # A primary that itself replicates means someone (replication-monitor) changed the topology: leave it.
  if [[ -n $(sql primary -e 'SHOW SLAVE STATUS' 2>/dev/null) ]]; then
    info "the primary on port $P_PORT is itself a replica (topology changed by a failover); replication left as is"
    return 0
  fi
  if [[ -z $(sql replica -e 'SHOW SLAVE STATUS') ]]; then
    sql replica <<SQL
CHANGE MASTER TO MASTER_HOST='$HOST', MASTER_PORT=$P_PORT, MASTER_USER='repl', MASTER_PASSWORD='repl',
  MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos;
START SLAVE;
SQL
  else
    mport=$(slave_field replica Master_Port)
    if [[ $mport != "$P_PORT" ]]; then
      info "replica pointed at port $mport, repointing it to the primary on $P_PORT"
      sql replica -e "STOP SLAVE; CHANGE MASTER TO MASTER_HOST='$HOST', MASTER_PORT=$P_PORT, MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos; START SLAVE;"
    fi
    io=$(slave_field replica Slave_IO_Running)
    sqlr=$(slave_field replica Slave_SQL_Running)
    # Connecting: the IO thread retries by itself every second (e.g. its primary was just restarted).
    if [[ ( $io != Yes && $io != Connecting ) || $sqlr != Yes ]]; then
      info "replica threads were IO=$io SQL=$sqlr, starting them"
      if ! sql replica -e 'START SLAVE' 2>/dev/null; then
        # Broken relay log state: start over from the replica's own GTID position (nothing is lost).
        info "START SLAVE failed, resetting the relay state and reconnecting from gtid_slave_pos"
        sql replica <<SQL
STOP SLAVE;
RESET SLAVE;
CHANGE MASTER TO MASTER_HOST='$HOST', MASTER_PORT=$P_PORT, MASTER_USER='repl', MASTER_PASSWORD='repl',
  MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos;
START SLAVE;
SQL
      fi
    fi
  fi
  # Caught up with everything the primary has so far (bounded wait).
  local pos res
  pos=$(sql primary -e 'SELECT @@gtid_binlog_pos')
  res=$(sql replica -e "SELECT MASTER_GTID_WAIT('$pos', 30)")
  if [[ $res != 0 ]]; then
    sql replica --vertical -e 'SHOW SLAVE STATUS' | grep -E 'Running|Error|Gtid' >&2 || true
    die "replica did not reach the primary's GTID position '$pos' within 30 s"
  fi
}

# Both nodes were down and the monitor named neither primary (usually: it is not running yet, as in `./cam demo`,
# which starts it after the databases). Then the pair's own replication says who leads: when exactly one node
# replicates from the other, that other one is the primary and is made writable; anything else (two nodes that
# replicate from nobody, after a promote whose old primary was not rebuilt) stays read-only for the operator
# and the monitor to sort out. Only for a cold start: a single node's restart (db-start-node) follows the monitor.
db_cold_start_unfence() {
  local node other mport
  for node in primary replica; do
    [[ $(sql "$node" -e 'SELECT @@read_only') == 0 ]] && return 0
  done
  for node in primary replica; do
    other=replica; [[ $node == replica ]] && other=primary
    # The other node still names this one by the port of the last run when the ports changed since (its
    # replication is repointed after this step).
    mport=$(slave_field "$other" Master_Port)
    if [[ -z $(sql "$node" -e 'SHOW SLAVE STATUS') && ( $mport == "$(node_port "$node")" \
          || $mport == "$(node_saved_port "$node")" ) ]]; then
      info "cold start: $other replicates from $node and the monitor named no primary; $node is made writable"
      sql "$node" -e 'SET GLOBAL read_only=0'
      return 0
    fi
  done
  info "cold start: no node leads the replication and the monitor named no primary; both nodes stay read-only"
}

db_up() {
  ensure_db_packages
  save_conf
  # Both nodes are initialized in parallel: mariadb-install-db dominates the time from nothing.
  local pids=() node
  local fresh='' cold=1
  # Not bootstrapped yet (no users, no database): nothing to lose, the primary starts writable.
  [[ -f $(node_dir primary)/.bootstrapped ]] || fresh=primary
  for node in primary replica; do
    [[ -f $(node_dir "$node")/.initialized ]] || { db_init_node "$node" & pids+=($!); }
  done
  for p in "${pids[@]}"; do wait "$p" || die "initialization failed"; done
  pids=()
  node_pid primary >/dev/null && cold=0
  node_pid replica >/dev/null && cold=0
  for node in primary replica; do
    node_pid "$node" >/dev/null || { CAM_INFRA_BOOTSTRAP_WRITABLE=$fresh db_start_node "$node" & pids+=($!); }
  done
  for p in "${pids[@]}"; do wait "$p" || die "start failed"; done
  [[ $cold == 1 && -z $fresh ]] && db_cold_start_unfence
  db_local_cleanup primary
  db_local_cleanup replica
  db_bootstrap_primary
  db_configure_replica
  info "MariaDB primary $HOST:$P_PORT, replica $HOST:$R_PORT (state $STATE)"
}

db_down() {
  # In parallel: each clean shutdown takes about 2 s.
  local a b
  db_stop_node replica & a=$!
  db_stop_node primary & b=$!
  wait "$a" || true
  wait "$b" || true
  if node_pid replica >/dev/null || node_pid primary >/dev/null; then die "a MariaDB node is still running"; fi
  if [[ ${1:-} == --purge ]]; then
    rm -rf "$(node_dir primary)" "$(node_dir replica)"
    rm -f "$(node_sock primary)" "$(node_sock replica)"
  fi
}

db_status() { # prints lines, returns 1 when something is wrong
  local rc=0 node pid gtid io sqlr err lag mport
  for node in primary replica; do
    if pid=$(node_pid "$node") && sql "$node" -e 'SELECT 1' >/dev/null 2>&1; then
      gtid=$(sql "$node" -e 'SELECT @@gtid_current_pos')
      if [[ -n $(sql "$node" -e 'SHOW SLAVE STATUS') ]]; then
        io=$(slave_field "$node" Slave_IO_Running)
        sqlr=$(slave_field "$node" Slave_SQL_Running)
        lag=$(slave_field "$node" Seconds_Behind_Master)
        mport=$(slave_field "$node" Master_Port)
        err=$(slave_field "$node" Last_Error)
        [[ -z $err ]] && err=$(slave_field "$node" Last_IO_Error)
        if [[ $io == Yes && $sqlr == Yes ]]; then
          printf '%-12s up    %s:%s pid %s, replicating from :%s (lag %ss), gtid %s\n' "db-$node" "$HOST" "$(node_port "$node")" "$pid" "$mport" "$lag" "$gtid"
        else
          printf '%-12s up    %s:%s pid %s, REPLICATION BROKEN (IO=%s SQL=%s) %s\n' "db-$node" "$HOST" "$(node_port "$node")" "$pid" "$io" "$sqlr" "$err"
          rc=1
        fi
      else
        if [[ $node == replica ]]; then
          printf '%-12s up    %s:%s pid %s, NOT REPLICATING, gtid %s\n' "db-$node" "$HOST" "$(node_port "$node")" "$pid" "$gtid"
          rc=1
        else
          printf '%-12s up    %s:%s pid %s, gtid %s\n' "db-$node" "$HOST" "$(node_port "$node")" "$pid" "$gtid"
        fi
      fi
    else
      printf '%-12s down  %s:%s\n' "db-$node" "$HOST" "$(node_port "$node")"
      rc=1
    fi
  done
  return $rc
}

# ---------------------------------------------------------------------------------------------------
# HAProxy: the database entry point of every writer outside Kubernetes

# Each server is checked twice: HAProxy's own TCP check (is the node there at all) and replication-monitor's
# agent check (is it the node the monitor names primary: "up" or "down"). An agent that does not answer changes
# nothing (HAProxy's documented behaviour), so a monitor outage keeps writes on the current primary. A server
# that goes down has its connections cut (on-marked-down shutdown-sessions): pooled connections to an old
# primary die at once instead of meeting its read-only refusal later. `balance first`: one server at a time;
# the node writable now is listed first, which is where writes go until the agent's first answer.
#
# While no node is named primary and up (a killed primary during the failover grace, the instant of a switchover)
# the same nodes serve as backup servers, checked by TCP alone: reads go on from whichever node is reachable, and
# a write there meets a read-only node (every node but the primary is fenced) and is refused, which management-api
# answers with 503 and Retry-After. When a primary comes up, the backup connections are cut
# (on-marked-up shutdown-backup-sessions) so the pool reconnects to it at once.
db_proxy_config() {
  local first=primary second=replica host port node agent_host=${AGENT_ADDR%:*} agent_port=${AGENT_ADDR##*:}
  if ! ext_db && [[ $(sql replica -e 'SELECT @@read_only' 2>/dev/null) == 0 ]]; then
    first=replica second=primary
  fi
  cat <<CFG
# generated by scripts/infra.sh db-proxy; edits are overwritten at the next start
global
  log stdout format raw local0 info
  maxconn 2000
  stats socket $SOCK_DIR/haproxy.sock mode 600 level admin

defaults
  mode tcp
  log global
  option tcplog
  timeout connect 1s
  timeout client 8h
  timeout server 8h

frontend db
  bind $HOST:$X_PORT
  default_backend primary

backend primary
  balance first
  default-server inter 500ms fastinter 250ms downinter 500ms rise 1 fall 2 on-marked-down shutdown-sessions
CFG
  local agent="agent-check agent-addr $agent_host agent-port $agent_port agent-inter 250ms"
  for node in "$first" "$second"; do
    printf '  server %s %s check on-marked-up shutdown-backup-sessions %s agent-send "%s\\n"\n' \
      "$node" "$(node_address "$node")" "$agent" "$(node_address "$node")"
  done
  for node in "$first" "$second"; do
    printf '  server %s-read-only %s check backup\n' "$node" "$(node_address "$node")"
  done
}

# host:port of a database node as the monitor names it (its agent-send) and HAProxy reaches it
node_address() {
  local node=$1 host port
  if ext_db; then
    host=CAM_DB_${node^^}_HOST; host=${!host:-$HOST}
    port=CAM_DB_${node^^}_PORT; port=${!port:-$(node_port "$node")}
  else
    host=$HOST port=$(node_port "$node")
  fi
  printf '%s:%s' "$host" "$port"
}

db_proxy() {
  "$SCRIPT_DIR/ensure-packages.sh" haproxy=haproxy
  PATH=$PATH:/usr/sbin
  [[ $X_PORT =~ ^[0-9]+$ && $X_PORT -ge 1024 ]] || die "bad CAM_DB_PROXY_PORT '$X_PORT'"
  port_open "$X_PORT" && die "port $HOST:$X_PORT is in use; choose another CAM_DB_PROXY_PORT"
  mkdir -p "$STATE"
  db_proxy_config >"$STATE/haproxy.cfg"
  haproxy -c -q -f "$STATE/haproxy.cfg" || die "generated $STATE/haproxy.cfg is invalid"
  info "HAProxy $HOST:$X_PORT -> the primary named by the monitor's agent at $AGENT_ADDR (config $STATE/haproxy.cfg)"
  exec haproxy -db -f "$STATE/haproxy.cfg" 9>&-
}

# ---------------------------------------------------------------------------------------------------
# OpenLDAP

ldap_init() {
  [[ -f $LDAP_DIR/.initialized ]] && return 0
  rm -rf "$LDAP_DIR"
  mkdir -p "$LDAP_DIR/slapd.d" "$LDAP_DIR/data"
  local hash modules overlays='' config
  hash=$(slappasswd -s "$LDAP_ADMIN_PW")
  modules='olcModuleLoad: back_mdb'
  if [[ ${CAM_INFRA_MEMBEROF:-1} == 1 && -e /usr/lib/ldap/memberof.la ]]; then
    modules+=$'\nolcModuleLoad: memberof'
    overlays=$'\ndn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf'
  fi
  config=$(<"$TEMPLATES/slapd-config.ldif.in")
  config=${config//@LDAP_DIR@/$LDAP_DIR}
  config=${config//@ROOT_PW_HASH@/$hash}
  config=${config//@MODULES@/$modules}
  config=${config//@OVERLAYS@/$overlays}
  printf '%s\n' "$config" >"$LDAP_DIR/config.ldif"
  if ! slapadd -n0 -F "$LDAP_DIR/slapd.d" -l "$LDAP_DIR/config.ldif" >"$LDAP_DIR/slapadd.log" 2>&1; then
    cat "$LDAP_DIR/slapadd.log" >&2
    die "building cn=config with slapadd -n0 failed"
  fi
  touch "$LDAP_DIR/.initialized"
}

ldap_search() { # extra args
  ldapsearch -x -LLL -o nettimeout=2 -H "ldap://$HOST:$L_PORT" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" "$@"
}

ldap_start() {
  local n pid
  ldap_pid >/dev/null && return 0
  port_open "$L_PORT" && die "port $HOST:$L_PORT is in use by another process; choose another CAM_LDAP_PORT"
  rm -f "$LDAP_DIR/slapd.pid"
  # -d 0: stay in the foreground (setsid detaches us) so the launcher pid tells us about early death.
  (ulimit -n 4096 2>/dev/null || true
   exec setsid slapd -d 0 -h "ldap://$HOST:$L_PORT/" -F "$LDAP_DIR/slapd.d" </dev/null >>"$LDAP_DIR/slapd.log" 2>&1 9>&-) &
  local launcher=$!
  n=200
  until ldapsearch -x -LLL -o nettimeout=1 -H "ldap://$HOST:$L_PORT" -s base -b '' namingContexts >/dev/null 2>&1; do
    if ! alive "$launcher" || (( n-- <= 0 )); then
      tail -n 30 "$LDAP_DIR/slapd.log" >&2 2>/dev/null || true
      die "slapd did not become ready on $HOST:$L_PORT (log: $LDAP_DIR/slapd.log)"
    fi
    sleep 0.1
  done
  n=50
  until ldap_pid >/dev/null; do
    (( n-- > 0 )) || die "slapd answers but wrote no pid file $LDAP_DIR/slapd.pid"
    sleep 0.1
  done
}

DEMO_FILTER='(|(uid=ada)(uid=otto)(uid=uma)(uid=vic)(cn=cam-admins)(cn=cam-operators)(cn=cam-users)(cn=lab-team))'

# Loads the demo entries online (so the memberof overlay sees them) unless they are all there already.
ldap_seed() {
  local count
  count=$(ldap_search -b "$LDAP_BASE" "$DEMO_FILTER" dn 2>/dev/null | grep -c '^dn:' || true)
  [[ $count -ge 8 ]] && return 0
  # -c: continue past entries that already exist (a seed interrupted half way).
  ldapadd -c -x -o nettimeout=5 -H "ldap://$HOST:$L_PORT" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" \
    -f "$TEMPLATES/demo.ldif" >"$LDAP_DIR/seed.log" 2>&1 || true
  count=$(ldap_search -b "$LDAP_BASE" "$DEMO_FILTER" dn 2>/dev/null | grep -c '^dn:' || true)
  if [[ $count -lt 8 ]]; then
    cat "$LDAP_DIR/seed.log" >&2
    die "loading the demo directory failed ($count of 8 entries)"
  fi
}

ldap_up() {
  ensure_ldap_packages
  save_conf
  ldap_init
  ldap_start
  ldap_seed
  info "slapd ldap://$HOST:$L_PORT base $LDAP_BASE (state $LDAP_DIR)"
}

ldap_down() {
  local pid
  if pid=$(ldap_pid); then stop_pid "$pid" slapd; fi
  if [[ ${1:-} == --purge ]]; then rm -rf "$LDAP_DIR"; fi
}

ldap_status() {
  local pid
  if pid=$(ldap_pid) && ldapwhoami -x -o nettimeout=2 -H "ldap://$HOST:$L_PORT" \
      -D "uid=ada,ou=people,$LDAP_BASE" -w camdemo >/dev/null 2>&1; then
    printf '%-12s up    ldap://%s:%s pid %s, base %s\n' ldap "$HOST" "$L_PORT" "$pid" "$LDAP_BASE"
  else
    printf '%-12s down  ldap://%s:%s\n' ldap "$HOST" "$L_PORT"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------------

print_env() {
  local kv v name
  for kv in \
    "CAM_INFRA_DIR=$STATE" \
    "CAM_DB_PRIMARY_HOST=$HOST" "CAM_DB_PRIMARY_PORT=$P_PORT" \
    "CAM_DB_REPLICA_HOST=$HOST" "CAM_DB_REPLICA_PORT=$R_PORT" \
    "CAM_DB_PRIMARY_URL=jdbc:mysql://$HOST:$P_PORT/$DB_NAME" \
    "CAM_DB_PROXY_PORT=$X_PORT" "CAM_DB_PROXY_URL=jdbc:mysql://$HOST:$X_PORT/$DB_NAME" \
    "CAM_DB_REPLICA_URL=jdbc:mysql://$HOST:$R_PORT/$DB_NAME" \
    "CAM_DB_NAME=$DB_NAME" \
    "CAM_DB_USER=cam" "CAM_DB_PASSWORD=cam" \
    "CAM_DB_ADMIN_USER=camadmin" "CAM_DB_ADMIN_PASSWORD=camadmin" \
    "CAM_DB_REPL_USER=repl" "CAM_DB_REPL_PASSWORD=repl" \
    "CAM_LDAP_URL=ldap://$HOST:$L_PORT" "CAM_LDAP_PORT=$L_PORT" \
    "CAM_LDAP_BASE_DN=$LDAP_BASE" \
    "CAM_LDAP_USER_BASE_DN=ou=people,$LDAP_BASE" "CAM_LDAP_GROUP_BASE_DN=ou=groups,$LDAP_BASE" \
    "CAM_LDAP_BIND_DN=$LDAP_ADMIN_DN" "CAM_LDAP_BIND_PASSWORD=$LDAP_ADMIN_PW"; do
    v=${kv#*=}
    name=${kv%%=*}
    # External servers: the operator's own CAM_* values win over the local defaults.
    if [[ ( $name == CAM_DB_* ) ]] && ext_db && [[ -n ${!name:-} ]]; then v=${!name}; fi
    if [[ ( $name == CAM_LDAP_* ) ]] && ext_ldap && [[ -n ${!name:-} ]]; then v=${!name}; fi
    # Plain when shell-safe (DNs and URLs stay readable for non-shell parsers), else single-quoted.
    if [[ ! $v =~ ^[A-Za-z0-9_./:,=@%+-]*$ ]]; then v="'${v//\'/\'\\\'\'}'"; fi
    printf 'export %s=%s\n' "$name" "$v"
  done
}


ext_db_status() {
  local rc=0 role h p
  for role in PRIMARY REPLICA; do
    h=CAM_DB_${role}_HOST p=CAM_DB_${role}_PORT
    h=${!h:-$HOST}
    if [[ $role == PRIMARY ]]; then p=${!p:-$P_PORT}; else p=${!p:-$R_PORT}; fi
    if (exec 3<>"/dev/tcp/$h/$p") 2>/dev/null; then
      printf '%-12s up    %s:%s (external)\n' "db-${role,,}" "$h" "$p"
    else
      printf '%-12s down  %s:%s (external)\n' "db-${role,,}" "$h" "$p"; rc=1
    fi
  done
  return $rc
}

ext_ldap_status() {
  local url=${CAM_LDAP_URL:-ldap://$HOST:$L_PORT}
  if ldapsearch -x -LLL -o nettimeout=2 -H "$url" -s base -b '' namingContexts >/dev/null 2>&1; then
    printf '%-12s up    %s (external)\n' ldap "$url"
  else
    printf '%-12s down  %s (external)\n' ldap "$url"; return 1
  fi
}

skip() { info "CAM_INFRA_EXTERNAL=${CAM_INFRA_EXTERNAL}: $1 is external, not touched"; }

purge_state() {
  rm -f "$CONF" "$STATE/.lock"
  if [[ $SOCK_DIR != "$STATE" ]]; then rmdir "$SOCK_DIR" 2>/dev/null || true; fi
  rmdir "$STATE" 2>/dev/null || true
}

if ext_db; then
  db_up() { skip MariaDB; }
  db_down() { skip MariaDB; }
  db_status() { ext_db_status; }
  db_start_node() { skip MariaDB; }
  db_stop_node() { skip MariaDB; }
fi
if ext_ldap; then
  ldap_up() { skip LDAP; }
  ldap_down() { skip LDAP; }
  ldap_status() { ext_ldap_status; }
fi

cmd=${1:-help}
[[ $# -gt 0 ]] && shift
case $cmd in
  up)
    lock
    db_up
    ldap_up
    ;;
  down)
    [[ $# -eq 0 || $1 == --purge ]] || die "usage: down [--purge]"
    lock
    ldap_down "${1:-}" & ldap_job=$!
    db_down "${1:-}"
    wait "$ldap_job"
    if [[ ${1:-} == --purge ]]; then purge_state; fi
    ;;
  reset)
    lock
    ldap_down --purge
    db_down --purge
    purge_state
    ;;
  status)
    rc=0
    db_status || rc=1
    ldap_status || rc=1
    exit $rc
    ;;
  db-status) db_status ;;
  ldap-status) ldap_status ;;
  env) print_env ;;
  db-up) lock; db_up ;;
  db-down)
    [[ $# -eq 0 || $1 == --purge ]] || die "usage: db-down [--purge]"
    lock; db_down "${1:-}" ;;
  ldap-up) lock; ldap_up ;;
  ldap-down)
    [[ $# -eq 0 || $1 == --purge ]] || die "usage: ldap-down [--purge]"
    lock; ldap_down "${1:-}" ;;
  db-start-node)
    check_node_name "${1:-}"
    node=$1; shift
    lock
    db_start_node "$node" "$@"
    ;;
  db-stop-node)
    check_node_name "${1:-}"
    [[ $# -eq 1 || ${2:-} == --kill ]] || die "usage: db-stop-node primary|replica [--kill]"
    lock
    db_stop_node "$@"
    ;;
  db-proxy) db_proxy ;;
  db-client)
    check_node_name "${1:-}"
    node=$1; shift
    exec mariadb --no-defaults --protocol=socket --socket="$(node_sock "$node")" -uroot "$@"
    ;;
  help|-h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
