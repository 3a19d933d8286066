# replication-monitor: watches the demo MariaDB pair (CAM_DB_* from `scripts/infra.sh env`).
# Try it: scripts/infra.sh db-client replica -e 'STOP SLAVE SQL_THREAD'  -> state REPLICATION_STOPPED in ~2 s,
#         scripts/infra.sh db-client replica -e 'START SLAVE SQL_THREAD' -> back to HEALTHY.
DEMO_NAME=replication-monitor
DEMO_MODULE=replication-monitor
DEMO_JAR=replication-monitor/target/quarkus-app/quarkus-run.jar
DEMO_CMD=(java -Dquarkus.http.port=8083 -jar "$DEMO_JAR")
DEMO_HEALTH=http://127.0.0.1:8083/q/health/ready
DEMO_INFO="replication status: http://127.0.0.1:8083/api/v1/replication/status (admin for switchover/promote: admin/camdemo)"
