#!/usr/bin/env bash
# The demo's broker-proxy (scripts/demo.d/55-broker-proxy.sh): HAProxy on 9900-9902 in front of the session-broker
# replicas of session-broker.inc. Runs in the foreground; the config it generates is .cam/demo/broker-proxy.cfg.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.cam/demo"
REPLICAS=${CAM_DEMO_BROKER_REPLICAS:-2}
HOST=127.0.0.1
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
CFG
    local listener port n
    for listener in 0:rfb 1:rfb-tls 2:websocket; do
        port=${listener%%:*}
        echo
        echo "listen ${listener#*:}"
        echo "  bind $HOST:990$port"
        echo "  balance leastconn"
        for n in $(seq 1 "$REPLICAS"); do
            echo "  server session-broker-$n $HOST:99${n}$port check port $((8072 + 10 * n))"
        done
    done
}

config >"$STATE/broker-proxy.cfg"
haproxy -c -q -f "$STATE/broker-proxy.cfg"
exec haproxy -db -f "$STATE/broker-proxy.cfg"
