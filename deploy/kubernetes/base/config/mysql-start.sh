#!/bin/bash
# Starts one node of the cam-mysql StatefulSet. First start of a node: initialise the data directory and
# bootstrap it through an init file (ordinal 0: the primary, with database and users, all binlogged so the
# secondary receives them by replication; ordinal 1: the secondary, replicating from cam-mysql-0 with GTID
# auto-positioning). Every start: fenced (super_read_only) unless replication-monitor, which alone decides the
# topology, names this node primary (GET $CAM_REPLICATION_MONITOR_URL/api/v1/replication/nodes/<node>/primary
# answers 200). A monitor that answers 503 or not at all means fenced, so an old primary that was unreachable at
# promote time never comes back writable; the monitor gives its named primary the writes back once the other node
# replicates from it. The very first start of node 0 is the exception: a new data directory has nothing to lose.
set -euo pipefail
ordinal=${HOSTNAME##*-}
base=${CAM_MYSQL_BASE:-/var/lib/mysql}
datadir=$base/data
init=${CAM_MYSQL_RUN:-/var/run/mysqld}/cam-init.sql
: "${MYSQL_ROOT_PASSWORD:?}" "${CAM_DB_USER:?}" "${CAM_DB_PASSWORD:?}" "${CAM_DB_ADMIN_USER:?}"
: "${CAM_DB_ADMIN_PASSWORD:?}" "${CAM_DB_REPL_USER:?}" "${CAM_DB_REPL_PASSWORD:?}"
: "${CAM_DB_NAME:=cam}" "${CAM_DB_SERVICE:=cam-mysql}"
: "${CAM_REPLICATION_MONITOR_URL:=http://replication-monitor:8083}"
node="$HOSTNAME.$CAM_DB_SERVICE:3306"
bootstrap=''

: >"$init"
if [ ! -d "$datadir/mysql" ]; then
  mysqld --initialize-insecure --datadir="$datadir"
  if [ "$ordinal" = 0 ]; then
    bootstrap=primary
    cat >>"$init" <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
CREATE DATABASE IF NOT EXISTS \`${CAM_DB_NAME}\` CHARACTER SET utf8mb4;
CREATE USER '${CAM_DB_USER}'@'%' IDENTIFIED BY '${CAM_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`${CAM_DB_NAME}\`.* TO '${CAM_DB_USER}'@'%';
CREATE USER '${CAM_DB_ADMIN_USER}'@'%' IDENTIFIED BY '${CAM_DB_ADMIN_PASSWORD}';
GRANT SYSTEM_VARIABLES_ADMIN, REPLICATION_SLAVE_ADMIN, REPLICATION CLIENT, REPLICATION SLAVE, CONNECTION_ADMIN, PROCESS ON *.* TO '${CAM_DB_ADMIN_USER}'@'%';
GRANT ALL PRIVILEGES ON \`cam_monitor\`.* TO '${CAM_DB_ADMIN_USER}'@'%';
CREATE USER '${CAM_DB_REPL_USER}'@'%' IDENTIFIED BY '${CAM_DB_REPL_PASSWORD}';
GRANT REPLICATION SLAVE ON *.* TO '${CAM_DB_REPL_USER}'@'%';
SQL
  else
    # Local changes stay out of the binlog: the secondary must hold no GTID the primary lacks.
    cat >>"$init" <<SQL
SET SESSION sql_log_bin=0;
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
SET SESSION sql_log_bin=1;
CHANGE REPLICATION SOURCE TO SOURCE_HOST='${CAM_DB_SERVICE}-0.${CAM_DB_SERVICE}', SOURCE_PORT=3306, SOURCE_USER='${CAM_DB_REPL_USER}', SOURCE_PASSWORD='${CAM_DB_REPL_PASSWORD}', SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=5, GET_SOURCE_PUBLIC_KEY=1;
START REPLICA;
SQL
  fi
fi

# The monitor's verdict, over bash's /dev/tcp (the MySQL image has no HTTP client to rely on): the status code of
# the role check, or nothing when the monitor does not answer within 3 s.
monitor_says() {
  local rest=${CAM_REPLICATION_MONITOR_URL#http://} host port
  host=${rest%%[:/]*}
  port=${rest#"$host"}; port=${port#:}; port=${port%%/*}; port=${port:-80}
  local status_line status_code
  status_line=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET /api/v1/replication/nodes/%s/primary HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" "$1" >&3
    IFS= read -r line <&3 && printf "%s" "$line"' _ "$host" "$port" "$node" 2>/dev/null) || true
  read -r _ status_code _ <<<"$status_line" || true
  printf '%s' "${status_code:-}"
}

# One statement per line: the init file is read line by line.
if [ -n "$bootstrap" ]; then
  role="primary (new data directory)"
elif [ "$(monitor_says)" = 200 ]; then
  role="primary (named by replication-monitor)"
else
  role="fenced (replication-monitor does not name $node primary, or did not answer)"
fi
case $role in
  primary*) printf 'SET GLOBAL super_read_only=OFF;\nSET GLOBAL read_only=OFF;\n' >>"$init" ;;
  *) printf 'SET GLOBAL read_only=ON;\nSET GLOBAL super_read_only=ON;\n' >>"$init" ;;
esac
echo "cam-mysql: node $ordinal ($node) starts $role"
exec mysqld --datadir="$datadir" --server-id=$((100 + ordinal)) --report-host="$HOSTNAME.$CAM_DB_SERVICE" \
  --init-file="$init"
