# device-simulator: 8 simulated KVM-over-IP devices on 127.0.1.1 .. 127.0.1.8, 3 channels each.
# Each device: HTTPS device API on :9443 (docs/protocols/device-api.md), RFB channels on :5900-5902
# (docs/protocols/kvm-session.md), discovery UDP on :3080/:3081 of its own address. Manual discovery mode:
# every device sends its ANNOUNCE by unicast to the discovery-service at 127.0.0.1:3080.
# State (certificates, so fingerprints stay stable; boot counters; enrolment secrets) is kept in .cam/demo/devices.
# Set CAM_SITE_KEY (base64, >= 16 bytes) to sign discovery datagrams with the site key.
# Try it: vncsnapshot -quiet 127.0.1.1::5900 /tmp/ch1.jpg
#         curl -sk -u cam:cam-bootstrap https://127.0.1.1:9443/api/v1/status
DEMO_NAME=device-fleet
DEMO_MODULE=device-simulator
DEMO_JAR=device-simulator/target/device-simulator.jar
DEMO_CMD=(java -Xmx256m -jar "$DEMO_JAR" --count 8 --first-address 127.0.1.1 --channels 3
          --discovery manual --manager 127.0.0.1:3080 --https-port 9443 --kvm-port 5900
          --switch-attached 2 --config-millis 1000
          --state-dir .cam/demo/devices ${CAM_SITE_KEY:+--site-key "$CAM_SITE_KEY"})
DEMO_HEALTH=https://127.0.1.1:9443/health
# Ready when the last of the eight answers (all boot concurrently; /health needs no credential).
DEMO_READY="curl -fsk --max-time 2 https://127.0.1.8:9443/health"
DEMO_INFO="8 devices 127.0.1.1-8 (7 and 8 behind a KVM switch: one channel at a time): API https://127.0.1.x:9443/api/v1/status (cam/cam-bootstrap until enrolled), RFB 127.0.1.x::5900-5902"
