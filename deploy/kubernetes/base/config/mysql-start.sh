#!/bin/bash
# Starts one node of the cam-mysql StatefulSet. First start of a node: initialise the data directory and
# bootstrap it through an init file (ordinal 0: the primary, with database and users, all binlogged so the
# secondary receives them by replication; ordinal 1: the secondary, replicating from cam-mysql-0 with GTID
# auto-positioning). Every start: fence or unfence according to /var/lib/mysql/cam-role, which bootstrap sets
# from the ordinal and the failover runbook (docs/operations.md) updates after a promotion. A node whose role file
# says "replica" always starts fenced (super_read_only), so a restarted old primary never takes writes.
set -euo pipefail
ordinal=${HOSTNAME##*-}
base=${CAM_MYSQL_BASE:-/var/lib/mysql}
datadir=$base/data
role_file=$base/cam-role
init=${CAM_MYSQL_RUN:-/var/run/mysqld}/cam-init.sql
: "${MYSQL_ROOT_PASSWORD:?}" "${CAM_DB_USER:?}" "${CAM_DB_PASSWORD:?}" "${CAM_DB_ADMIN_USER:?}"
: "${CAM_DB_ADMIN_PASSWORD:?}" "${CAM_DB_REPL_USER:?}" "${CAM_DB_REPL_PASSWORD:?}"
: "${CAM_DB_NAME:=cam}" "${CAM_DB_SERVICE:=cam-mysql}"

: >"$init"
if [ ! -d "$datadir/mysql" ]; then
  mysqld --initialize-insecure --datadir="$datadir"
  if [ "$ordinal" = 0 ]; then
    echo primary >"$role_file"
    cat >>"$init" <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
CREATE DATABASE IF NOT EXISTS \`${CAM_DB_NAME}\` CHARACTER SET utf8mb4;
CREATE USER '${CAM_DB_USER}'@'%' IDENTIFIED BY '${CAM_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`cam%\`.* TO '${CAM_DB_USER}'@'%';
CREATE USER '${CAM_DB_ADMIN_USER}'@'%' IDENTIFIED BY '${CAM_DB_ADMIN_PASSWORD}';
GRANT SYSTEM_VARIABLES_ADMIN, REPLICATION_SLAVE_ADMIN, REPLICATION CLIENT, REPLICATION SLAVE, CONNECTION_ADMIN, PROCESS ON *.* TO '${CAM_DB_ADMIN_USER}'@'%';
GRANT ALL PRIVILEGES ON \`cam_monitor\`.* TO '${CAM_DB_ADMIN_USER}'@'%';
CREATE USER '${CAM_DB_REPL_USER}'@'%' IDENTIFIED BY '${CAM_DB_REPL_PASSWORD}';
GRANT REPLICATION SLAVE ON *.* TO '${CAM_DB_REPL_USER}'@'%';
SQL
  else
    echo replica >"$role_file"
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

# One statement per line: the init file is read line by line.
if [ "$(cat "$role_file")" = primary ]; then
  printf 'SET GLOBAL super_read_only=OFF;\nSET GLOBAL read_only=OFF;\n' >>"$init"
else
  printf 'SET GLOBAL read_only=ON;\nSET GLOBAL super_read_only=ON;\n' >>"$init"
fi
echo "cam-mysql: node $ordinal starts as $(cat "$role_file")"
exec mysqld --datadir="$datadir" --server-id=$((100 + ordinal)) --report-host="$HOSTNAME.$CAM_DB_SERVICE" \
  --init-file="$init"
