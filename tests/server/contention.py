#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# contention.py -- how long checks wait while the fleet is written or
# scraped, for tests/server/contention.sh.
#
#   PORT PATH WRITERS N   for each comma-separated writer ("put:HOST:FILE"
#                         or "scrape") a thread sending N such requests
#                         back to back, and GET PATH on 8 connections of
#                         their own until every writer is done; print
#                         the checks' p50 and p99, the smallest of the 8
#                         connections' worst waits, in ms, and the count
#
# libmicrohttpd runs a handler in the worker thread that owns the
# connection, so a check whose connection shares a worker with a long PUT
# waits for that PUT whatever the locks do; a lock held by the writer
# makes every connection wait. The smallest worst wait over 8 connections
# (spread over the workers) measures the lock.
import http.client
import sys
import threading
import time


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status


def main():
    port, path, writers, n = (int(sys.argv[1]), sys.argv[2],
                              sys.argv[3].split(","), int(sys.argv[4]))
    done = threading.Event()
    errors = []
    lock = threading.Lock()
    left = [len(writers)]

    def write(writer):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            if writer.startswith("put:"):
                _, host, f = writer.split(":", 2)
                body = open(f, "rb").read()
                for _ in range(n):
                    c.request("PUT", "/v1/hosts/%s/inventory" % host, body,
                              {"Content-Type": "application/json"})
                    r = c.getresponse()
                    r.read()
                    if r.status != 200:
                        errors.append("PUT %d" % r.status)
            else:
                for _ in range(n):
                    if get(c, "/metrics") != 200:
                        errors.append("scrape")
        finally:
            with lock:
                left[0] -= 1
                if left[0] == 0:
                    done.set()

    ts = [threading.Thread(target=write, args=(w,)) for w in writers]
    lat, worst = [], []

    def check():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while not done.is_set():
            t0 = time.monotonic()
            st = get(c, path)
            mine.append(time.monotonic() - t0)
            if st != 200:
                errors.append("check %d" % st)
        lat.extend(mine)
        worst.append(max(mine) if mine else 99.0)

    cs = [threading.Thread(target=check) for _ in range(8)]
    for t in cs + ts:
        t.start()
    for t in cs + ts:
        t.join()
    lat.sort()
    if errors or not lat:
        print("errors:", " ".join(errors[:5]))
        sys.exit(1)
    print("%.1f %.1f %.1f %d" % (lat[len(lat) // 2] * 1000,
                                 lat[int(len(lat) * 0.99) - 1] * 1000
                                 if len(lat) >= 100 else lat[-1] * 1000,
                                 min(worst) * 1000, len(lat)))


if __name__ == "__main__":
    main()
