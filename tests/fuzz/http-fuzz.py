#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# http-fuzz.py -- a bounded mutation fuzzer against a running
# vfio-compatd, for tests/fuzz/http-fuzz.sh.
#
#   http-fuzz.py PORT SECONDS SEED CORPUS_DIR
#
# Each request is a valid request of some route (the corpus: one file
# per request, raw HTTP) mutated a few times: bytes flipped, deleted,
# duplicated, or replaced by tokens that have broken HTTP servers (%00,
# CR/LF, huge or negative lengths, chunked bodies, deep JSON). Every
# answer must be a well-formed HTTP response; one the server wrote
# itself (application/json) must parse as JSON and an error must be
# the error document. /healthz must keep answering. Prints
# "<requests> <answered> <closed> <statuses>" and exits 1 on the first
# violation, with the request that caused it.
import json
import os
import random
import socket
import sys
import time

TOKENS = [b"%00", b"%", b"%2e%2e/", b"../", b"\r\n", b"\n", b"\r", b" ",
          b"\x00", b"\xff\xfe", b"?", b"&", b"=", b";", b"#", b"{", b"}",
          b"[", b"]", b"\"", b"\\", b"*", b"HTTP/1.0", b"HTTP/9.9",
          b"Transfer-Encoding: chunked\r\n", b"Content-Length: -1\r\n",
          b"Content-Length: 99999999999999999999\r\n",
          b"Content-Length: 0\r\n", b"Expect: 100-continue\r\n",
          b"Authorization: Bearer x\r\n", b"Content-Type: text/plain\r\n",
          b"0\r\n\r\n", b"ffffffff\r\n", b"[" * 64, b"{\"a\":" * 40,
          b"A" * 300, b"A" * 5000, b"/v1/hosts/", b"/check", b"&vm=",
          b"\xc0\xaf", b"\xed\xa0\x80", b"1e999", b"-0", b"null"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and data:
            end = min(len(data), pos + rng.randint(1, 16))
            del data[pos:end]
        elif op == 2:
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 3 and data:
            end = min(len(data), pos + rng.randint(1, 64))
            data[pos:pos] = data[pos:end]
        elif op == 4:
            data[pos:pos] = bytes(rng.randrange(256)
                                  for _ in range(rng.randint(1, 8)))
        else:
            # Replace a number with another, lengths included.
            digits = [i for i, c in enumerate(data) if 48 <= c <= 57]
            if digits:
                i = rng.choice(digits)
                data[i:i + 1] = str(rng.choice(
                    [0, 1, 7, 255, 65536, 4194304, 4194305,
                     2 ** 31, 2 ** 63])).encode()
    return bytes(data)


def complete(data, req):
    """The whole first answer is in (headers and Content-Length)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    if req.startswith(b"HEAD"):
        return True
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length" and v.strip().isdigit():
            return len(body) >= int(v.strip())
    return False


def exchange(port, req, timeout=0.5, src=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(src, 0) if src else None)
    try:
        s.sendall(req)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        while len(data) < (8 << 20):
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
            if complete(data, req):
                break
        return data
    finally:
        s.close()


def check_answer(data, req):
    """'' when fine, else what is wrong."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return "no end of headers"
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or \
            not parts[1].isdigit() or not 100 <= int(parts[1]) <= 599:
        return "bad status line %r" % lines[0][:80]
    status = int(parts[1])
    if req.startswith(b"HEAD ") or 100 <= status < 200:
        return ""   # no body: what follows is the next answer
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get(b"content-type", b"").startswith(b"application/json"):
        if b"chunked" in hdrs.get(b"transfer-encoding", b""):
            return ""
        clen = hdrs.get(b"content-length")
        if clen is not None and len(body) < int(clen):
            return ""   # cut short by our own read limit or a reset
        if clen is not None:
            body = body[:int(clen)]
        if not body:
            return ""   # HEAD
        try:
            doc = json.loads(body)
        except ValueError:
            return "invalid JSON body with status %d" % status
        if status >= 400 and not (isinstance(doc, dict) and
                                  isinstance(doc.get("error"), dict) and
                                  isinstance(doc["error"].get("code"), str)):
            return "error %d without the error document" % status
    return ""


def healthy(port):
    """/healthz answers another client within 3 s, in one of three
    tries. Another address: the fuzzer's own may be at its connection
    limit, with requests it abandoned held until their deadline."""
    for _ in range(3):
        try:
            d = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                         b"Connection: close\r\n\r\n", timeout=3,
                         src="127.0.0.2")
            if d.startswith(b"HTTP/1.1 200"):
                return True
        except OSError:
            pass
    return False


def main():
    port, secs, seed, cdir = (int(sys.argv[1]), float(sys.argv[2]),
                              int(sys.argv[3]), sys.argv[4])
    corpus = [open(os.path.join(cdir, f), "rb").read()
              for f in sorted(os.listdir(cdir))]
    rng = random.Random(seed)
    n = answered = closed = 0
    statuses = {}
    end = time.monotonic() + secs
    while time.monotonic() < end:
        base = rng.choice(corpus)
        req = base if rng.random() < 0.05 else mutate(rng, base)
        n += 1
        try:
            # Eight client addresses: requests left incomplete hold their
            # connection until the request deadline, and one address
            # gets 64 connections.
            data = exchange(port, req, src="127.0.1.%d" % (n % 8 + 1))
        except OSError:
            data = b""
        if not data:
            closed += 1
        else:
            answered += 1
            why = check_answer(data, req)
            if why:
                print("request %d: %s\n%r\n%r" % (n, why, req[:400],
                                                  data[:400]))
                sys.exit(1)
            st = data.split(b" ", 2)[1].decode()
            statuses[st] = statuses.get(st, 0) + 1
            if st == "500":
                print("request %d: a 500 for a client's request\n%r\n%r"
                      % (n, req[:400], data[:400]))
                sys.exit(1)
        if n % 100 == 0 and not healthy(port):
            print("request %d: /healthz stopped answering after\n%r"
                  % (n, req[:400]))
            sys.exit(1)
    if not healthy(port):
        print("/healthz stopped answering at the end")
        sys.exit(1)
    print(n, answered, closed,
          ",".join("%s:%d" % kv for kv in sorted(statuses.items())))


if __name__ == "__main__":
    main()
