# discovery-service: hears the simulated fleet on UDP 3080 and forwards it to management-api.
# The simulator's devices (127.0.1.x) may boot before us and their ANNOUNCE is then lost, so the start-up scan
# sweeps 127.0.1.0/24 (3080, then 3081 for the silent ones); no broadcast, nothing leaves loopback.
# CAM_SITE_KEY (the fleet's HMAC key, see 10-device-fleet.sh) and CAM_DISCOVERY_TOKEN (the service token that
# management-api accepts on POST /api/v1/internal/discoveries) are passed on when set.
# management-api's certificate is self-signed: we trust exactly it (TLS registry configuration "management", as in
# session-broker), from the PEM copy management-api writes next to its key store (.cam/management-api/tls.crt.pem).
# It exists by now: 20-management-api.sh is started and ready first.
# The API needs the same service token (Bearer) and listens on 127.0.0.1 only.
# Try it: curl -s -H "Authorization: Bearer ${CAM_DISCOVERY_TOKEN:-cam-demo-discovery-token}" http://127.0.0.1:8081/api/v1/discoveries
#         curl -s -H "Authorization: Bearer ${CAM_DISCOVERY_TOKEN:-cam-demo-discovery-token}" -XPOST \
#              -H 'Content-Type: application/json' -d '{"cidr":"127.0.1.0/24","port":"auto"}' http://127.0.0.1:8081/api/v1/scans
DEMO_NAME=discovery-service
DEMO_MODULE=discovery-service
DEMO_JAR=discovery-service/target/quarkus-app/quarkus-run.jar
DEMO_CMD=(java -Dquarkus.http.port=8081
    -Dcam.discovery.udp.bind-address=127.0.0.1
    -Dcam.discovery.scan.start-cidr=127.0.1.0/24
    -Dcam.discovery.forward.url=https://127.0.0.1:8443
    -Dquarkus.tls.management.trust-store.pem.certs=.cam/management-api/tls.crt.pem
    "-Dcam.discovery.forward.token=${CAM_DISCOVERY_TOKEN:-cam-demo-discovery-token}"
    ${CAM_SITE_KEY:+"-Dcam.discovery.site-key=$CAM_SITE_KEY"}
    -jar "$DEMO_JAR")
DEMO_HEALTH=http://127.0.0.1:8081/q/health/ready
DEMO_INFO="discoveries: http://127.0.0.1:8081/api/v1/discoveries with Authorization: Bearer <CAM_DISCOVERY_TOKEN, default cam-demo-discovery-token> (scans: POST /api/v1/scans, OpenAPI /q/openapi)"
