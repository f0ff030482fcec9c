#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# durability.py -- acknowledged writes survive SIGKILL, for
# tests/server/durability.sh.
#
#   durability.py SERVER DB SAMPLE ROUNDS SEED
#
# Each round starts the server on DB, runs 8 writers PUTting their own
# host with a new state and a later collected_at each time, and SIGKILLs
# the server at a random moment. After the restart every host must hold
# at least the generation and the collected_at of the last PUT that was
# answered 200. Prints "<rounds> <acknowledged> <checked hosts>".
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

WRITERS = 8


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(server, db, log):
    port = free_port()
    p = subprocess.Popen([server, "--listen", "127.0.0.1:%d" % port,
                          "--db", db, "--threads", "4"],
                         stdout=log, stderr=log)
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return p, port
        except OSError:
            pass
        if p.poll() is not None:
            sys.exit("server exited at start, status %d" % p.returncode)
        time.sleep(0.05)
    sys.exit("server did not start")


def stamp(n):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1764000000 + n))


def main():
    server, db, sample, rounds, seed = (sys.argv[1], sys.argv[2],
                                        sys.argv[3], int(sys.argv[4]),
                                        int(sys.argv[5]))
    rng = random.Random(seed)
    base = json.load(open(sample))
    acked = {}          # host -> (generation, collected_at)
    counter = [0] * WRITERS
    total = 0
    log = open(db + ".log", "ab")
    for r in range(rounds):
        proc, port = start(server, db, log)
        stop = threading.Event()
        lock = threading.Lock()

        def writer(i):
            nonlocal total
            host = "w%d.example.org" % i
            while not stop.is_set():
                counter[i] += 1
                n = counter[i]
                doc = dict(base, host=host, collected_at=stamp(n))
                doc["devices"] = json.loads(json.dumps(base["devices"]))
                doc["devices"][0]["types"][0]["available_instances"] = n % 1000
                body = json.dumps(doc)
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port,
                                                   timeout=5)
                    c.request("PUT", "/v1/hosts/%s/inventory" % host, body,
                              {"Content-Type": "application/json"})
                    resp = c.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException):
                    return      # the server is gone
                if resp.status == 200:
                    g = json.loads(data)["generation"]
                    with lock:
                        acked[host] = (g, stamp(n))
                        total += 1

        ts = [threading.Thread(target=writer, args=(i,))
              for i in range(WRITERS)]
        for t in ts:
            t.start()
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in ts:
            t.join()
    # Restart once more and compare.
    proc, port = start(server, db, log)
    bad = []
    for host, (g, ca) in sorted(acked.items()):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/v1/hosts/%s" % host)
        resp = c.getresponse()
        data = resp.read()
        if resp.status != 200:
            bad.append("%s: %d after restart" % (host, resp.status))
            continue
        doc = json.loads(data)
        if doc["generation"] < g or doc["collected_at"] < ca:
            bad.append("%s: acknowledged generation %d (%s), stored %d (%s)"
                       % (host, g, ca, doc["generation"],
                          doc["collected_at"]))
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print(rounds, total, len(acked))


if __name__ == "__main__":
    main()
