# session-broker: KVM sessions on 9900 (plain RFB), 9901 (RFB/VeNCrypt), 9902 (WebSocket/TLS); admin HTTP 8082.
# Talks to management-api's internal broker API (docs/protocols/broker-api.md) with the demo service token, and
# verifies tickets with the public key management-api writes to .cam/management-api/ticket-public.pem. management-api's
# certificate is self-signed: we trust exactly it, from the PEM copy it writes next to its key store
# (.cam/management-api/tls.crt.pem, names localhost and 127.0.0.1), with host-name verification (TLS configuration
# "management"; in Kubernetes the env QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS does the same).
DEMO_NAME=session-broker
DEMO_MODULE=session-broker
DEMO_JAR=session-broker/target/quarkus-app/quarkus-run.jar
DEMO_CMD=(env
    CAM_BROKER_ID=demo-broker-1
    CAM_MANAGEMENT_URL="${CAM_MANAGEMENT_URL:-https://127.0.0.1:8443}"
    CAM_BROKER_MANAGEMENT_TOKEN="${CAM_BROKER_MANAGEMENT_TOKEN:-cam-demo-broker-token}"
    CAM_BROKER_ADMIN_TOKEN="${CAM_BROKER_ADMIN_TOKEN:-cam-demo-broker-admin-token}"
    CAM_BROKER_TICKET_KEY_FILE="${CAM_BROKER_TICKET_KEY_FILE:-.cam/management-api/ticket-public.pem}"
    CAM_BROKER_DRAIN_GRACE=5s
    java -Dquarkus.tls.management.trust-store.pem.certs=.cam/management-api/tls.crt.pem -jar "$DEMO_JAR")
# Ready once its listeners are bound and management-api has answered its heartbeat.
DEMO_HEALTH=http://127.0.0.1:8082/q/health/ready
DEMO_INFO="KVM: vncviewer/vncsnapshot 127.0.0.1::9900 (one-time password), RFB/VeNCrypt 9901 (vncviewer -SecurityTypes X509Vnc), wss://127.0.0.1:9902/?ticket=...; admin http://127.0.0.1:8082/api/v1/sessions (Authorization: Bearer cam-demo-broker-admin-token), metrics http://127.0.0.1:8082/q/metrics"
