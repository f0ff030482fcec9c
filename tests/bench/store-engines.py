# SPDX-License-Identifier: Apache-2.0
# store-engines.py -- one round of tests/bench/store-engines on one
# store: load the generated fleet into replica A with parallel PUTs,
# time POST /v1/check for the 2-vGPU VM against every host, and with
# a second replica B on the same (PostgreSQL) database, how long B
# takes to hold the whole fleet and how long a changed PUT on A takes
# to be answered by B. Prints one line of name=value figures (seconds
# and milliseconds); exits 1 on any failed request.
#
#   python3 store-engines.py FLEETDIR VM CLIENTS CHECKS PROPS URL_A [URL_B]
import http.client
import json
import os
import statistics
import sys
import time
from urllib.parse import urlparse

import fleet_load


def conn(url):
    u = urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100.0))]


def checks(url, vm, n, nhosts):
    c = conn(url)
    body = json.dumps({"source": {"vm": vm}})
    lat = []
    for i in range(n):
        t = time.monotonic()
        c.request("POST", "/v1/check", body,
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        lat.append(time.monotonic() - t)
        if r.status != 200:
            sys.exit("check: %d" % r.status)
        if i == 0 and len(json.loads(data)["results"]) != nhosts - 1:
            sys.exit("check: not every host answered")
    return 1000 * statistics.median(lat), 1000 * pct(lat, 99)


def count(url):
    c = conn(url)
    c.request("GET", "/v1/hosts")
    r = c.getresponse()
    return len(json.loads(r.read())["hosts"])


def generation(c, host):
    c.request("GET", "/v1/hosts/%s" % host)
    r = c.getresponse()
    data = r.read()
    return json.loads(data)["generation"] if r.status == 200 else None


def propagate(a, b, fleet, files, n):
    cb = conn(b)
    delays = []
    for i in range(n):
        f = files[i % len(files)]
        with open(os.path.join(fleet, f)) as fh:
            doc = json.load(fh)
        # A new state and a later report: a new generation.
        doc["collected_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                            time.gmtime(2000000000 + i))
        doc["devices"][0]["types"][0]["available_instances"] = 1000 + i
        c = conn(a)
        c.request("PUT", "/v1/hosts/%s/inventory" % doc["host"],
                  json.dumps(doc), {"Content-Type": "application/json"})
        r = c.getresponse()
        got = json.loads(r.read())
        if r.status != 200:
            sys.exit("propagate: PUT %d" % r.status)
        t0 = time.monotonic()
        while generation(cb, doc["host"]) != got["generation"]:
            if time.monotonic() - t0 > 30:
                sys.exit("propagate: %s never reached B" % doc["host"])
            time.sleep(0.001)
        delays.append(time.monotonic() - t0)
    return 1000 * statistics.median(delays), 1000 * pct(delays, 99)


def main():
    fleet, vm = sys.argv[1], sys.argv[2]
    clients, nchecks, props = (int(x) for x in sys.argv[3:6])
    a = sys.argv[6]
    b = sys.argv[7] if len(sys.argv) > 7 else None
    files = sorted(os.listdir(fleet))
    t0 = time.monotonic()
    u = urlparse(a)
    secs = fleet_load.load(u.hostname, u.port, fleet, files, clients)
    out = ["load_s=%.2f" % secs]
    if b is not None:
        # B parses every document A stored: the checks are timed once
        # it is done, so that both engines are timed on an idle machine.
        while count(b) != len(files):
            if time.monotonic() - t0 > 600:
                sys.exit("B never held the whole fleet")
            time.sleep(0.2)
        out.append("replica_full_s=%.2f" % (time.monotonic() - t0))
    p50, p99 = checks(a, vm, nchecks, len(files))
    out += ["check_p50_ms=%.2f" % p50, "check_p99_ms=%.2f" % p99]
    if b is not None:
        p50, p99 = propagate(a, b, fleet, files, props)
        out += ["prop_p50_ms=%.2f" % p50, "prop_p99_ms=%.2f" % p99]
    print(" ".join(out))


if __name__ == "__main__":
    main()
