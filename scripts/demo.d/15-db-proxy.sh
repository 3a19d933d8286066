# db-proxy: HAProxy, the database entry point of management-api (CAM_DB_PROXY_PORT, default 13308). It routes to the
# node replication-monitor names primary (its agent-check listener, CAM_REPLICATION_AGENT_ADDR, default
# 127.0.0.1:8084) and cuts the connections to a node that stops being it, so a switchover or a promote moves every
# writer without a restart. Until the monitor answers (it starts after management-api) writes go to the node that is
# writable now. Config generated under .cam/infra/haproxy.cfg; installs Debian's haproxy when missing.
# Try it: curl -s -u admin:camdemo -H 'Content-Type: application/json' -d '{"reason":"try"}' \
#              http://127.0.0.1:8083/api/v1/replication/switchover   # then POST /api/v1/groups keeps working
DEMO_NAME=db-proxy
DEMO_CMD=(scripts/infra.sh db-proxy)
DEMO_READY="(exec 3<>/dev/tcp/127.0.0.1/${CAM_DB_PROXY_PORT:-13308})"
DEMO_INFO="database entry point 127.0.0.1:${CAM_DB_PROXY_PORT:-13308} (HAProxy -> the primary replication-monitor names; stats: echo 'show servers state' | socat - .cam/infra/haproxy.sock)"
