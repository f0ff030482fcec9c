# SPDX-License-Identifier: Apache-2.0
# fleet_load.py -- PUT a directory of inventories to a vfio-compatd, for
# the benches: DIR/*.json in name order, each to /v1/hosts/{name}/
# inventory ({name} is the file name without .json), over CLIENTS
# parallel keep-alive connections. One loader for every bench:
# tests/bench/lib.sh runs it as a command (bench_fleet_load), and
# store-engines.py imports load().
#
#   python3 fleet_load.py PORT DIR CLIENTS [FIRST [COUNT]]
# prints "N hosts in S s"; exits 1 when any PUT was not 200.
import http.client
import os
import sys
import threading
import time


def load(host, port, fleet, files, clients):
    """PUT files (names in fleet) over clients connections; the
    seconds it took. Exits 1 naming the first PUT that was not 200."""
    errors, lock, nxt = [], threading.Lock(), [0]

    def loader():
        c = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                if nxt[0] >= len(files):
                    return
                f = files[nxt[0]]
                nxt[0] += 1
            with open(os.path.join(fleet, f), "rb") as fh:
                body = fh.read()
            c.request("PUT", "/v1/hosts/%s/inventory" % f[:-5], body,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                with lock:
                    errors.append((f, r.status))

    t0 = time.monotonic()
    th = [threading.Thread(target=loader) for _ in range(clients)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    if errors:
        print("bench: %d PUTs failed, first %s" % (len(errors), errors[:5]),
              file=sys.stderr)
        sys.exit(1)
    return time.monotonic() - t0


def main():
    port, fleet, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    files = sorted(f for f in os.listdir(fleet) if f.endswith(".json"))
    count = int(sys.argv[5]) if len(sys.argv) > 5 else len(files) - first
    files = files[first:first + count]
    secs = load("127.0.0.1", port, fleet, files, clients)
    print("%d hosts in %.1f s" % (len(files), secs))


if __name__ == "__main__":
    main()
