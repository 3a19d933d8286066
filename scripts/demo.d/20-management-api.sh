# management-api: HTTPS REST API on 8443 (users, groups, targets, grants, audit; LDAP login and sync).
# Uses the demo MariaDB (database cam, through the db-proxy HAProxy) and slapd from `scripts/infra.sh env`. First start generates, under
# .cam/management-api/: a self-signed TLS key store, the JWT key pair, and (here) the admin password file.
# Devices and sessions: the demo auto-approves the simulated fleet (127.0.1.0/24): discovery-service forwards
# each device, management-api enrols it over pinned HTTPS, its channels become targets in the target set `lab`,
# and `cam-users` (LDAP group of uma) gets full control on `lab` once the group exists (first login or sync).
# The Ed25519 ticket public key is written to .cam/management-api/ticket-public.pem, where the broker reads it.
# Try it:  curl -k -u uma:camdemo https://127.0.0.1:8443/api/v1/me/targets
#          curl -k -u uma:camdemo -H 'Content-Type: application/json' -d '{"targetId":1,"mode":"control"}' \
#               https://127.0.0.1:8443/api/v1/sessions        # -> vncPassword for vncviewer 127.0.0.1::9900
#          curl -k -u otto:camdemo -H 'Content-Type: application/json' -d '{"image":"cam-sim-2.0.0.bin","version":"2.0.0"}' \
#               https://127.0.0.1:8443/api/v1/devices/1/firmware   # firmware library: .cam/management-api/firmware
#          curl -k -u admin:"$(cat .cam/management-api/admin-password)" https://127.0.0.1:8443/api/v1/devices
#          curl -k -u admin:"$(cat .cam/management-api/admin-password)" https://127.0.0.1:8443/api/v1/users
DEMO_NAME=management-api
DEMO_MODULE=management-api
DEMO_JAR=management-api/target/quarkus-app/quarkus-run.jar
# The admin password is made once and kept, so it matches the admin row that the first start creates in `cam`.
# Service tokens: the same demo defaults as 30-discovery-service.sh and session-broker.inc.
DEMO_CMD=(bash -c 'f=.cam/management-api/admin-password
  mkdir -p .cam/management-api
  [ -s "$f" ] || (umask 077; tr -dc A-Za-z0-9 </dev/urandom | head -c 16 >"$f")
  mkdir -p .cam/management-api/firmware   # the firmware library, with one image to try
  [ -s .cam/management-api/firmware/cam-sim-2.0.0.bin ] || head -c 4194304 /dev/urandom >.cam/management-api/firmware/cam-sim-2.0.0.bin
  export CAM_MANAGEMENT_HOST=${CAM_MANAGEMENT_HOST:-127.0.0.1} CAM_MANAGEMENT_ADMIN_PASSWORD=$(cat "$f")
  # Through HAProxy (15-db-proxy.sh), which follows the primary replication-monitor names: no restart after a
  # switchover or a promote.
  export CAM_DB_PRIMARY_URL=${CAM_DB_PROXY_URL:-$CAM_DB_PRIMARY_URL}
  export CAM_BROKER_MANAGEMENT_TOKEN=${CAM_BROKER_MANAGEMENT_TOKEN:-cam-demo-broker-token}
  export CAM_DISCOVERY_TOKEN=${CAM_DISCOVERY_TOKEN:-cam-demo-discovery-token}
  export CAM_REPLICATION_MONITOR_TOKEN=${CAM_REPLICATION_MONITOR_TOKEN:-cam-demo-replication-token}
  # The replication and discovery-scan pages call these (30-discovery-service.sh, 40-replication-monitor.sh).
  export CAM_REPLICATION_MONITOR_URL=${CAM_REPLICATION_MONITOR_URL:-http://127.0.0.1:8083}
  export CAM_DISCOVERY_URL=${CAM_DISCOVERY_URL:-http://127.0.0.1:8081}
  export CAM_DEVICE_AUTO_APPROVE_SUBNETS=${CAM_DEVICE_AUTO_APPROVE_SUBNETS-127.0.1.0/24}
  # Enrolled devices speak RFB with the broker only (it connects to them from 127.0.0.1).
  export CAM_DEVICE_RFB_ALLOWED_SOURCES=${CAM_DEVICE_RFB_ALLOWED_SOURCES-127.0.0.1/32}
  export CAM_TARGETS_ALLOW_LOOPBACK=${CAM_TARGETS_ALLOW_LOOPBACK:-true}   # demo RFB endpoints live on 127.0.0.x
  export CAM_DEVICE_TARGET_SET=${CAM_DEVICE_TARGET_SET:-lab} CAM_DEVICE_SEED_GRANT_GROUP=${CAM_DEVICE_SEED_GRANT_GROUP:-cam-users}
  export CAM_RECORDING_ALWAYS_SETS=${CAM_RECORDING_ALWAYS_SETS-lab}   # sessions on the lab set are recorded (.cam/recordings)
  exec java -jar "$0"' "$DEMO_JAR")
DEMO_HEALTH=https://127.0.0.1:8443/q/health/ready
DEMO_INFO="web UI https://127.0.0.1:8443/ ; REST https://127.0.0.1:8443/api/v1 (OpenAPI /q/openapi and metrics /q/metrics with admin credentials); admin / $(cat .cam/management-api/admin-password 2>/dev/null || echo '<.cam/management-api/admin-password>'); LDAP users ada (admin), otto (operator), uma (user), vic (no role), password camdemo"
