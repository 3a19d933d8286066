"""primary-pointer: keeps the cam-db-primary Service on the database node that replication-monitor names primary.

Runs beside replication-monitor (same pod, so it acts only while exactly one monitor runs). Every INTERVAL_SECONDS
it asks the monitor's role check for each node (GET /api/v1/replication/nodes/<node>/primary: 200 for the node the
monitor names primary, 503 for the other, as Patroni's /primary) and, when exactly one node is named, points the
Service's selector at that node's pod (statefulset.kubernetes.io/pod-name). It never changes the database. When the
monitor does not answer, or names no node, the Service stays where it is: no failover without the monitor, and
writes go on to the current primary. Connections already open to the old pod are not cut by Kubernetes; the old
primary is fenced (read-only) and management-api evicts its pooled connections on the first refusal.

While the monitor reports the primary down (PRIMARY_DOWN: neither the monitor nor the secondary reaches it; the
automatic failover's grace), the Service selects every database pod instead, so reads go on from the ready ones and
writes meet a fenced node and answer 503 (every node but the primary starts and stays read-only), as HAProxy's backup
servers do outside Kubernetes. The pod the monitor names afterwards (the promoted one, or the old one back) gets the
Service again.

Why a sidecar rather than the monitor calling the Kubernetes API itself: the API token stays out of the JVM that holds
the database admin credential and serves HTTP; the Role lets this one small process get and patch one Service; and
the monitor is the same program in and out of Kubernetes (outside, HAProxy asks it the same question).
"""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

MONITOR_URL = os.environ.get("MONITOR_URL", "http://127.0.0.1:8083").rstrip("/")
NODES = [n for n in os.environ.get("DB_NODES", "cam-mysql-0.cam-mysql:3306,cam-mysql-1.cam-mysql:3306").split(",") if n]
SERVICE = os.environ.get("PRIMARY_SERVICE", "cam-db-primary")
INTERVAL = float(os.environ.get("INTERVAL_SECONDS", "1"))
SA = os.environ.get("SERVICEACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
# The in-cluster address every pod is given; kubernetes.default.svc otherwise.
API = "https://%s:%s" % (os.environ.get("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc"),
                         os.environ.get("KUBERNETES_SERVICE_PORT", "443"))
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


def primary_down():
    """Whether the monitor reports its named primary down (PRIMARY_DOWN)."""
    with urllib.request.urlopen("%s/api/v1/replication/status" % MONITOR_URL, timeout=3) as r:
        return json.load(r).get("state") == "PRIMARY_DOWN"


def named_primary():
    """The pod of the one node the monitor names primary, or (None, why). Raises when the monitor does not answer."""
    named = []
    for node in NODES:
        try:
            with urllib.request.urlopen("%s/api/v1/replication/nodes/%s/primary" % (MONITOR_URL, node), timeout=3):
                named.append(node)
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise
    if len(named) != 1:
        return None, "the monitor names %d of %s primary" % (len(named), ", ".join(NODES))
    return named[0].split(".")[0].split(":")[0], None


def main():
    with open(SA + "/namespace") as f:
        ns = f.read().strip()
    path = "/api/v1/namespaces/%s/services/%s" % (ns, SERVICE)
    last = None
    while True:
        try:
            pod, why = named_primary()
            if pod is None:
                if why != last:
                    log("not re-pointing %s: %s" % (SERVICE, why))
                last = why
            else:
                want = None if primary_down() else pod   # None: every database pod, for reads
                current = api("GET", path)["spec"].get("selector", {}).get(POD_LABEL)
                if current != want:
                    api("PATCH", path, {"spec": {"selector": {POD_LABEL: want}}})   # null removes the key
                    log("%s now selects %s (was %s)" % (SERVICE, want or "every database pod (primary down: reads only)",
                                                        current or "every database pod"))
                last = None
        except Exception as e:  # keep going, Service unchanged: the monitor or the API server may be restarting
            why = "error: %s" % e
            if why != last:
                log(why)
            last = why
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main())
