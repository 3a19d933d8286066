#!/usr/bin/env python3
"""What management-api's request threads spent their CPU on during a benchmark phase, from a JFR recording.

Each execution sample of an executor or event-loop thread goes to the innermost frame that belongs to a known
component (so RSA arithmetic under jose4j counts as JWT verification, SQL parsing under Hibernate as Hibernate).
Usage: jfr-summary.py <recording.jfr>
"""
import collections
import json
import subprocess
import sys

COMPONENTS = [
    ("JWT verification (smallrye-jwt, jose4j)", ("org/jose4j/", "io/smallrye/jwt/")),
    ("token user check (TokenUserAugmentor)", ("org/cam/management/identity/service/TokenUserAugmentor",)),
    ("JSON writing (Jackson)", ("com/fasterxml/jackson/",)),
    ("JDBC driver", ("com/mysql/", "org/mariadb/")),
    ("connection pool (Agroal)", ("io/agroal/",)),
    ("transactions (Narayana)", ("com/arjuna/", "io/narayana/", "io/quarkus/narayana/")),
    ("Hibernate ORM", ("org/hibernate/",)),
    ("management-api code", ("org/cam/",)),
    ("TLS", ("sun/security/ssl/", "io/netty/handler/ssl/", "com/sun/crypto/", "javax/crypto/")),
    ("REST and security layers (Quarkus REST, security)", ("org/jboss/resteasy/", "io/quarkus/resteasy/",
                                                          "io/quarkus/security/", "io/quarkus/vertx/http/")),
    ("HTTP and event loop (Vert.x, Netty)", ("io/vertx/", "io/netty/")),
]


def main(path):
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", path],
                         capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    total = 0
    for e in json.loads(out)["recording"]["events"]:
        thread = (e["values"].get("sampledThread") or {}).get("javaName") or ""
        stack = e["values"].get("stackTrace")
        if not stack or not (thread.startswith("executor-thread") or thread.startswith("vert.x-eventloop")):
            continue
        total += 1
        frames = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in stack["frames"]]
        name = "other (JDK, CDI, ...)"
        for frame in frames:
            hit = next((n for n, prefixes in COMPONENTS if frame.startswith(prefixes)), None)
            if hit:
                name = hit
                break
        counts[name] += 1
    print(f"request threads' CPU samples: {total}")
    for name, n in counts.most_common():
        print(f"  {n * 100 / max(total, 1):5.1f} %  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
