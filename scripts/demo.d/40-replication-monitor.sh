# replication-monitor: watches the demo MariaDB pair (CAM_DB_* from `scripts/infra.sh env`).
# Try it: scripts/infra.sh db-client replica -e 'STOP SLAVE SQL_THREAD'  -> state REPLICATION_STOPPED in ~2 s,
#         scripts/infra.sh db-client replica -e 'START SLAVE SQL_THREAD' -> back to HEALTHY.
DEMO_NAME=replication-monitor
DEMO_MODULE=replication-monitor
DEMO_JAR=replication-monitor/target/quarkus-app/quarkus-run.jar
# Alarms are raised and cleared in management-api (GET /api/v1/alarms) with the demo replication token. Its
# certificate is self-signed: we trust exactly it (TLS registry configuration "management", as in session-broker),
# from the PEM copy management-api writes next to its key store (.cam/management-api/tls.crt.pem; there by now,
# since 20-management-api.sh is started and ready first).
# The agent-check listener (CAM_REPLICATION_AGENT_ADDR, default 127.0.0.1:8084) tells db-proxy's HAProxy which node is
# primary; db-start-node asks http://127.0.0.1:8083 before it lets a node start writable.
DEMO_AGENT=${CAM_REPLICATION_AGENT_ADDR:-127.0.0.1:8084}
DEMO_CMD=(java -Dquarkus.http.port=8083
    -Dcam.replication.agent.host="${DEMO_AGENT%:*}" -Dcam.replication.agent.port="${DEMO_AGENT##*:}"
    -Dcam.replication.alarm-webhook=https://127.0.0.1:8443/api/v1/internal/alarms
    -Dquarkus.tls.management.trust-store.pem.certs=.cam/management-api/tls.crt.pem
    "-Dcam.replication.alarm-webhook-token=${CAM_REPLICATION_MONITOR_TOKEN:-cam-demo-replication-token}"
    "-Dcam.replication.management-token=${CAM_REPLICATION_MONITOR_TOKEN:-cam-demo-replication-token}"
    -jar "$DEMO_JAR")
DEMO_HEALTH=http://127.0.0.1:8083/q/health/ready
DEMO_INFO="replication status: http://127.0.0.1:8083/api/v1/replication/status (admin for switchover/promote: admin/camdemo)"
