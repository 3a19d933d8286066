# broker-proxy: HAProxy in front of the two session-broker replicas, the demo's stand-in for the Kubernetes Service.
# It owns 9900 (plain RFB), 9901 (RFB/VeNCrypt) and 9902 (WebSocket/TLS), passes TCP through (TLS ends at the
# broker), sends each connection to the replica with the fewest, with a PROXY protocol v2 header naming the client,
# and stops sending new ones to a replica whose readiness fails (a draining broker). Config generated under
# .cam/demo/broker-proxy.cfg; installs Debian's haproxy when missing.
# Try it: vncsnapshot 127.0.0.1::9900 /tmp/s.jpg (one-time password), then ./cam broker stop 1 and again.
DEMO_NAME=broker-proxy
DEMO_CMD=(scripts/broker-proxy.sh)
DEMO_READY="(exec 3<>/dev/tcp/127.0.0.1/9900) && (exec 3<>/dev/tcp/127.0.0.1/9902)"
DEMO_INFO="KVM: vncviewer/vncsnapshot 127.0.0.1::9900 (one-time password), RFB/VeNCrypt 9901 (vncviewer -SecurityTypes X509Vnc), wss://127.0.0.1:9902/?ticket=... -> the two session-broker replicas (least connections); stats: echo 'show servers state' | socat - .cam/demo/broker-proxy.sock"
