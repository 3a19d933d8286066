#!/usr/bin/env bash
# Benchmark: GET /api/v1/targets for a user who sees 10,000 targets through a group grant,
# bearer-token auth, 100 concurrent connections, wrk from Debian. Uses a database of its own (cam_bench_mgmt)
# on the infrastructure MariaDB and a private HTTPS port; removes both afterwards.
#   management-api/bench/targets-list.sh [duration, default 30s] [page size, default 50]
# BENCH_JAR: the build to measure; BENCH_BEFORE_JAR (optional): an older build measured first in the same run,
# on the same data, for a side-by-side figure (copy an earlier target/quarkus-app somewhere to keep it).
# The 100-connection phase also reports the CPU time management-api and the MariaDB primary spent per request (from
# /proc, both processes' user+system time during the phase over its requests). BENCH_JFR=<folder>: a Java Flight
# Recorder profile of that phase per build there, summarised by what the time went to (bench/jfr-summary.py).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DURATION=${1:-30s}
SIZE=${2:-50}
TARGETS=${BENCH_TARGETS:-10000}
PORT=${BENCH_PORT:-18443}
JAR=${BENCH_JAR:-management-api/target/quarkus-app/quarkus-run.jar}
DB=cam_bench_mgmt
WORK=$(mktemp -d)
B=https://127.0.0.1:$PORT

curl -sk "https://127.0.0.1:$PORT/" -o /dev/null 2>&1 && { echo "port $PORT is in use" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
case $JAR in /*) ;; *) JAR=$ROOT/$JAR ;; esac
[ -e "$JAR" ] || { echo "$JAR missing: ./mvnw -B -pl management-api -am package -DskipTests" >&2; exit 1; }
eval "$(scripts/infra.sh env)"
sql() { scripts/infra.sh db-client primary "$@"; }

sql -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
cleanup() {
    if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    [ -n "${BENCH_KEEP_DB:-}" ] || sql -e "DROP DATABASE IF EXISTS $DB" || true
    cp "$WORK/app.log" "${TMPDIR:-/tmp}/management-api-bench-app.log" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

start_app() {
  (cd "$WORK" && CAM_DB_PRIMARY_URL="jdbc:mysql://$CAM_DB_PRIMARY_HOST:$CAM_DB_PRIMARY_PORT/$DB" \
    CAM_MANAGEMENT_HTTPS_PORT=$PORT CAM_MANAGEMENT_HOST=127.0.0.1 CAM_MANAGEMENT_ADMIN_PASSWORD=bench-admin-pw \
    exec java ${BENCH_JFR:+-XX:FlightRecorderOptions:stackdepth=512} -jar "$1" >>"$WORK/app.log" 2>&1 </dev/null) &
  PID=$!
  for _ in $(seq 1 120); do curl -fsk "$B/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  curl -fsk "$B/q/health/ready" >/dev/null || { tail -30 "$WORK/app.log"; exit 1; }
}
stop_app() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; }
FIRST_JAR=${BENCH_BEFORE_JAR:-$JAR}
start_app "$FIRST_JAR"

# user+system CPU time of a process in clock ticks (0 when it is not there)
ticks() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
DB_PID=$(tr -dc '0-9' <"${CAM_INFRA_DIR:-$ROOT/.cam/infra}/db-primary/mariadbd.pid" 2>/dev/null || true)
HZ=$(getconf CLK_TCK)

json() { python3 -c "import sys,json; t=sys.stdin.read()
try: print(json.loads(t)$1)
except Exception: sys.exit('unexpected answer: ' + t[:500])" || { echo "unexpected answer" >&2; exit 1; }; }
ADMIN=(-sk -u admin:bench-admin-pw -H 'Content-Type: application/json')
USER_ID=$(curl "${ADMIN[@]}" -d '{"username":"bench","password":"bench-password","roles":["user"]}' "$B/api/v1/users" | json '["id"]')
GROUP_ID=$(curl "${ADMIN[@]}" -d '{"name":"bench-team"}' "$B/api/v1/groups" | json '["id"]')
curl "${ADMIN[@]}" -X PUT "$B/api/v1/groups/$GROUP_ID/members/$USER_ID" -o /dev/null
SET_ID=$(curl "${ADMIN[@]}" -d '{"name":"bench-set"}' "$B/api/v1/target-sets" | json '["id"]')
curl "${ADMIN[@]}" -d "{\"groupId\":$GROUP_ID,\"targetSetId\":$SET_ID,\"accessLevel\":\"FULL_CONTROL\"}" "$B/api/v1/grants" -o /dev/null
# Targets in bulk by SQL (the API would take minutes for 10,000); 10 % more that the user must not see.
sql "$DB" -e "
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO target (name, kind, host, port, access_policy)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $TARGETS + $TARGETS / 10)
  SELECT CONCAT('bench-', LPAD(i, 6, '0')), 'RFB_ENDPOINT', '127.0.0.1', 5900 + i % 100, 'SHARED' FROM n;
INSERT INTO target_location_tag (target_id, tag) SELECT id, 'dc1' FROM target;
INSERT INTO target_set_member (set_id, target_id) SELECT $SET_ID, id FROM target ORDER BY id LIMIT $TARGETS;"

measure() {
  TOKEN=$(curl -sk -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password"}' \
      "$B/api/v1/auth/login" | json '["accessToken"]')
  TOTAL=$(curl -sk -H "Authorization: Bearer $TOKEN" "$B/api/v1/targets?size=1" | json '["total"]')
  echo "== $1: visible targets for bench: $TOTAL (of $((TARGETS + TARGETS / 10)))"
  [ "$TOTAL" -eq "$TARGETS" ] || { echo "unexpected visibility" >&2; exit 1; }
  # warm-up (JIT, connection pool), then one client alone
  for _ in $(seq 1 200); do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$B/api/v1/targets?size=$SIZE"; done
  echo "one client, 5 sequential requests on one kept-alive connection (seconds, after TLS set-up):"
  U="$B/api/v1/targets?size=$SIZE"
  curl -sk -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '  %{time_total}\n' \
      -H "Authorization: Bearer $TOKEN" "$U" "$U" "$U" "$U" "$U" "$U" | tail -5
  echo "one connection, one request at a time, 10s:"
  wrk -t1 -c1 -d10s --timeout 30s --latency -H "Authorization: Bearer $TOKEN" "$U" | grep -E "Latency|50%|99%|Requests/sec"
  [ -n "${BENCH_ONLY_SEQUENTIAL:-}" ] && return 0
  wrk -t2 -c100 -d10s --timeout 30s -H "Authorization: Bearer $TOKEN" "$B/api/v1/targets?size=$SIZE" >/dev/null   # warm-up
  echo "GET /api/v1/targets?size=$SIZE, 100 connections, $DURATION, $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg):"
  local app0 db0 app1 db1 requests label
  label=$(basename "$(dirname "$(dirname "$2")")")
  [ -n "${BENCH_JFR:-}" ] && jcmd "$PID" JFR.start name=bench settings=profile >/dev/null
  app0=$(ticks "$PID"); db0=$(ticks "$DB_PID")
  wrk -t2 -c100 -d"$DURATION" --timeout 30s --latency -H "Authorization: Bearer $TOKEN" "$B/api/v1/targets?size=$SIZE" \
      | tee "$WORK/wrk.txt"
  app1=$(ticks "$PID"); db1=$(ticks "$DB_PID")
  requests=$(awk '/ requests in / {print $1}' "$WORK/wrk.txt")
  echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
  awk -v a=$((app1 - app0)) -v d=$((db1 - db0)) -v n="${requests:-0}" -v hz="$HZ" 'BEGIN { if (n > 0)
      printf "CPU per request: management-api %.2f ms, MariaDB primary %.2f ms (%d requests)\n",
             a * 1000 / hz / n, d * 1000 / hz / n, n }'
  if [ -n "${BENCH_JFR:-}" ]; then
    mkdir -p "$BENCH_JFR"
    jcmd "$PID" JFR.stop name=bench filename="$BENCH_JFR/$label.jfr" >/dev/null
    python3 "$ROOT/management-api/bench/jfr-summary.py" "$BENCH_JFR/$label.jfr"
  fi
}
if [ -n "${BENCH_BEFORE_JAR:-}" ]; then
  measure "before ($BENCH_BEFORE_JAR)" "$BENCH_BEFORE_JAR"
  stop_app
  start_app "$JAR"
fi
measure "$JAR" "$JAR"
