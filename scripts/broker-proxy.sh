#!/usr/bin/env bash
# The demo's broker-proxy (scripts/demo.d/55-broker-proxy.sh): HAProxy on 9900-9902 in front of the session-broker
# replicas of session-broker.inc. Runs in the foreground; the config it generates is .cam/demo/broker-proxy.cfg.
# The system tests run the same proxy on ports of their own:
#   CAM_BROKER_PROXY_STATE     where the config and the stats socket go        [.cam/demo]
#   CAM_BROKER_PROXY_PORTS     the three listen ports: RFB, RFB/VeNCrypt, WebSocket  ["9900 9901 9902"]
#   CAM_BROKER_PROXY_BACKENDS  one "plain,tls,websocket,admin" port set per replica, space-separated
#                              [the demo's: "9910,9911,9912,8082 9920,9921,9922,8092"]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${CAM_BROKER_PROXY_STATE:-$ROOT/.cam/demo}
REPLICAS=${CAM_DEMO_BROKER_REPLICAS:-2}
HOST=127.0.0.1
read -r -a PORTS <<<"${CAM_BROKER_PROXY_PORTS:-9900 9901 9902}"
if [[ -n ${CAM_BROKER_PROXY_BACKENDS:-} ]]; then
    read -r -a BACKENDS <<<"$CAM_BROKER_PROXY_BACKENDS"
else
    BACKENDS=()
    for n in $(seq 1 "$REPLICAS"); do
        BACKENDS+=("99${n}0,99${n}1,99${n}2,$((8072 + 10 * n))")
    done
fi
mkdir -p "$STATE"
"$ROOT/scripts/ensure-packages.sh" haproxy=haproxy

config() {
    cat <<CFG
global
  stats socket $STATE/broker-proxy.sock mode 600 level admin

defaults
  mode tcp
  timeout connect 5s
  # A console may stay open for the whole maximum session duration; the brokers end idle ones themselves.
  timeout client 24h
  timeout server 24h
  timeout tunnel 24h
  # Readiness on each replica's admin port: a draining broker (SIGTERM) fails it and gets no new connections,
  # while the ones it carries stay where they are.
  option httpchk GET /q/health/ready
  default-server inter 500ms fall 1 rise 2 send-proxy-v2
  # A replica that is gone refuses the connection before its check says so: try again, on another one. This is
  # what lets a console that lost its broker reach another at once.
  retries 3
  option redispatch 1
CFG
    local i name n ports
    local names=(rfb rfb-tls websocket)
    for i in 0 1 2; do
        echo
        echo "listen ${names[$i]}"
        echo "  bind $HOST:${PORTS[$i]}"
        echo "  balance leastconn"
        n=0
        for backend in "${BACKENDS[@]}"; do
            n=$((n + 1))
            IFS=, read -r -a ports <<<"$backend"
            echo "  server session-broker-$n $HOST:${ports[$i]} check port ${ports[3]}"
        done
    done
}

config >"$STATE/broker-proxy.cfg"
haproxy -c -q -f "$STATE/broker-proxy.cfg"
exec haproxy -db -f "$STATE/broker-proxy.cfg"
