"""primary-pointer: keeps the cam-db-primary Service on the database node that replication-monitor sees writable.

Runs beside replication-monitor (same pod, so it acts only while exactly one monitor runs). Every few seconds it
reads the monitor's GET /api/v1/replication/status and, when exactly one node is reachable and writable
(read_only=0), points the Service's selector at that node's pod (statefulset.kubernetes.io/pod-name). It never
changes the database and never points anywhere when both or neither node is writable (split brain, or the primary
is down and not yet promoted). Its ServiceAccount may only get and patch that one Service.
"""
import json
import os
import ssl
import sys
import time
import urllib.request

STATUS_URL = os.environ.get("MONITOR_STATUS_URL", "http://127.0.0.1:8083/api/v1/replication/status")
SERVICE = os.environ.get("PRIMARY_SERVICE", "cam-db-primary")
INTERVAL = float(os.environ.get("INTERVAL_SECONDS", "2"))
SA = "/var/run/secrets/kubernetes.io/serviceaccount"
API = "https://kubernetes.default.svc"
POD_LABEL = "statefulset.kubernetes.io/pod-name"


def log(msg):
    print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), msg, flush=True)


def api(method, path, body=None):
    with open(SA + "/token") as f:
        token = f.read().strip()
    ctx = ssl.create_default_context(cafile=SA + "/ca.crt")
    req = urllib.request.Request(API + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/merge-patch+json")
    with urllib.request.urlopen(req, context=ctx, timeout=5) as r:
        return json.load(r)


def writable_pod(status):
    nodes = [n for n in (status.get("primary"), status.get("secondary")) if n]
    writable = [n for n in nodes if n.get("reachable") and n.get("readOnly") is False]
    if len(writable) != 1:
        return None, "%d writable nodes" % len(writable)
    host = writable[0]["address"].rsplit(":", 1)[0]
    return host.split(".")[0], None


def main():
    with open(SA + "/namespace") as f:
        ns = f.read().strip()
    path = "/api/v1/namespaces/%s/services/%s" % (ns, SERVICE)
    last = None
    while True:
        try:
            with urllib.request.urlopen(STATUS_URL, timeout=3) as r:
                pod, why = writable_pod(json.load(r))
            if pod is None:
                if why != last:
                    log("not re-pointing %s: %s" % (SERVICE, why))
                last = why
            else:
                current = api("GET", path)["spec"].get("selector", {}).get(POD_LABEL)
                if current != pod:
                    api("PATCH", path, {"spec": {"selector": {POD_LABEL: pod}}})
                    log("%s now selects %s (was %s)" % (SERVICE, pod, current))
                last = None
        except Exception as e:  # keep going: the monitor or the API server may be restarting
            log("error: %s" % e)
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main())
