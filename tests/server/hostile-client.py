#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# hostile-client.py -- what a hostile HTTP client does, as bounded
# subcommands for tests/server/hostile.sh. Each prints one line the
# shell test compares and exits non-zero only on a harness error.
#
#   raw PORT HEX          send the bytes (hex), print the status line
#                         and the body's error code ("-" if none)
#   slowloris PORT N SECS N connections each sending one header line
#                         every 0.5 s; print how many the server closed
#                         within SECS
#   perip PORT N          open N idle connections; print how many the
#                         server accepted and kept after 1 s
#   flood-p99 PORT N SECS hold N slowloris connections from 127.0.0.1
#                         while 127.0.0.2 asks /healthz; print the p99
#                         and the failures
#   bodies PORT PID N SIZE hold N PUT bodies of SIZE bytes all but the
#                         last byte; print 503s seen and the server RSS
#   abandon PORT N        N connections send half a request and their
#                         end-of-file; print how many the server closed
#                         within 2 s, then the answers to 3 pipelined
#                         requests sent with end-of-file
import json
import socket
import sys
import time


def connect(port, src=None, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src is not None:
        s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_answer(s, limit=1 << 20):
    data = b""
    while len(data) < limit:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            clen = None
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    clen = int(v.strip())
            if clen is not None and len(body) >= clen:
                break
    return data


def status_and_code(data):
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode("latin-1") if head else "-"
    code = "-"
    try:
        code = json.loads(body)["error"]["code"]
    except Exception:
        pass
    return status, code


def cmd_raw(port, hexbytes):
    s = connect(int(port))
    s.sendall(bytes.fromhex(hexbytes))
    st, code = status_and_code(read_answer(s))
    s.close()
    print(st.split(" ")[1] if " " in st else st, code)


def alive(s):
    """False once the server has closed its end."""
    try:
        s.setblocking(False)
        try:
            d = s.recv(1)
            return d != b""
        except BlockingIOError:
            return True
        except (ConnectionResetError, OSError):
            return False
    finally:
        s.setblocking(True)


def slow_conns(port, n, src=None):
    conns = []
    for _ in range(n):
        try:
            s = connect(port, src)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            conns.append(s)
        except OSError:
            pass
    return conns


def drip(conns):
    for s in conns:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass


def cmd_slowloris(port, n, secs):
    port, n, secs = int(port), int(n), float(secs)
    conns = slow_conns(port, n)
    end = time.monotonic() + secs
    while time.monotonic() < end:
        drip(conns)
        time.sleep(0.5)
    closed = sum(1 for s in conns if not alive(s))
    print(closed)


def cmd_perip(port, n):
    port, n = int(port), int(n)
    conns = []
    for _ in range(n):
        try:
            conns.append(connect(port))
        except OSError:
            pass
    time.sleep(1.0)
    kept = sum(1 for s in conns if alive(s))
    print(kept)


def healthz(port):
    t0 = time.monotonic()
    s = connect(port, "127.0.0.2", timeout=2.0)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    st, _ = status_and_code(read_answer(s))
    s.close()
    if " 200 " not in st + " ":
        raise OSError(st)
    return time.monotonic() - t0


def cmd_flood_p99(port, n, secs):
    port, n, secs = int(port), int(n), float(secs)
    conns = slow_conns(port, n)
    idle = []
    for _ in range(n):
        try:
            idle.append(connect(port, "127.0.0.3"))
        except OSError:
            pass
    lat, fails = [], 0
    end = time.monotonic() + secs
    last_drip = 0.0
    while time.monotonic() < end:
        if time.monotonic() - last_drip > 0.5:
            drip(conns)
            last_drip = time.monotonic()
        try:
            lat.append(healthz(port))
        except OSError:
            fails += 1
        time.sleep(0.01)
    lat.sort()
    p99 = lat[int(len(lat) * 0.99) - 1] if lat else 99.0
    print("%.1f %d %d" % (p99 * 1000, len(lat), fails))


def rss_kib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def cmd_bodies(port, pid, n, size):
    port, n, size = int(port), int(n), int(size)
    chunk = b"x" * 65536
    conns, busy = [], 0
    for i in range(n):
        # Four client addresses, so the per-address limit is not what
        # refuses them.
        s = connect(port, "127.0.1.%d" % (i % 4 + 1))
        s.sendall(b"PUT /v1/hosts/h%d/inventory HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % (i, size))
        conns.append(s)
    time.sleep(0.3)
    for s in conns:
        if not alive(s):
            continue
        s.setblocking(False)
        try:
            d = s.recv(4096)
        except BlockingIOError:
            d = b""
        except OSError:
            continue
        s.setblocking(True)
        if d:
            if b" 503 " in d.split(b"\r\n")[0] + b" ":
                busy += 1
            continue
        left = size - 1
        try:
            while left > 0:
                m = min(left, len(chunk))
                s.sendall(chunk[:m])
                left -= m
        except OSError:
            pass
    time.sleep(0.5)
    print(busy, rss_kib(pid))


def cmd_abandon(port, n):
    port, n = int(port), int(n)
    conns = []
    for i in range(n):
        s = connect(port, "127.0.2.%d" % (i % 4 + 1))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost")
        s.shutdown(socket.SHUT_WR)
        conns.append(s)
    end = time.monotonic() + 2.0
    closed = 0
    for s in conns:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            if s.recv(1) == b"":
                closed += 1
        except (socket.timeout, OSError):
            pass
        s.close()
    s = connect(port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(5)
    data = b""
    while True:
        try:
            c = s.recv(65536)
        except socket.timeout:
            break
        if not c:
            break
        data += c
    print(closed, data.count(b"HTTP/1.1 200 OK"))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"raw": cmd_raw, "slowloris": cmd_slowloris, "perip": cmd_perip,
     "flood-p99": cmd_flood_p99, "bodies": cmd_bodies,
     "abandon": cmd_abandon}[cmd](*args)


if __name__ == "__main__":
    main()
