# SPDX-License-Identifier: Apache-2.0
# fake-server.py -- a misbehaving HTTP server for the CLI's error paths.
#
# Usage: python3 fake-server.py PORT MODE, MODE one of
#   html502   502 with an HTML page (a proxy in front of a dead service)
#   huge      200 with a JSON body of 17 MiB and no Content-Length
#   notjson   200 with a body that is not JSON
#   hang      accepts and never answers
#   escape    400 error object whose message holds terminal escapes
#   drip      200 whose body comes one byte every 0.3 s (never idle long)
#   redirect  302 to another address, which must not be followed
#   badutf8   200 with a JSON body holding invalid UTF-8
#   answer:N  200 with MALFORMED[N] below, the same for any path
#   count     print len(MALFORMED) and exit
import socket
import sys
import threading
import time

port, mode = int(sys.argv[1]), sys.argv[2]

# 200 answers a CLI must refuse: each looks like a verdict, none is one.
MALFORMED = [
    b'{"results":[{"host":1,"verdict":"compatible"}]}',
    b'{"results":[{"host":"a","verdict":"compatible"}]}',
    b'{"results":[{"host":"a","verdict":"fine","reasons":[],"score":1}]}',
    b'{"results":[{"host":"a","verdict":"compatible","reasons":'
    b'[{"code":"TYPE_MISSING"}],"score":1}]}',
    b'{"results":[{"host":"a","verdict":"incompatible","reasons":[]}]}',
    b'{"results":{"host":"a","verdict":"compatible"}}',
    b'{"results":[{"host":"a","verdict":"compatible","reasons":[],'
    b'"score":"15"}]}',
    b'{"results":[{"host":"a","verdict":"unknown","reasons":'
    b'[{"code":"x y"}]}]}',
    b'{"hosts":[{"host":"a","stale":"no","devices":1,"instances":0,'
    b'"vms":0}],"results":[{"host":"a","verdict":"incompatible",'
    b'"reasons":[{"code":"SAME_HOST"}],"score":-1}]}',
    b'[]',
]
if mode == "count":
    print(len(MALFORMED))
    sys.exit(0)


def answer(conn):
    conn.recv(65536)
    if mode == "hang":
        time.sleep(60)
        return
    if mode.startswith("answer:"):
        body = MALFORMED[int(mode[7:])]
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    elif mode == "drip":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json"
                     b"\r\nConnection: close\r\n\r\n")
        try:
            for _ in range(200):
                conn.sendall(b" ")
                time.sleep(0.3)
        except OSError:
            pass
        return
    elif mode == "redirect":
        body = b'{"results":[]}'
        head = (b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/v1/check"
                b"\r\nContent-Type: application/json\r\n")
    elif mode == "badutf8":
        body = (b'{"hosts":[{"host":"a\xff\xfe","stale":false,"devices":0,'
                b'"instances":0,"vms":0}]}')
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    elif mode == "html502":
        body = b"<html>\n<head><title>502 Bad Gateway</title></head>\n</html>\n"
        head = b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
    elif mode == "notjson":
        body = b"hello, this is not json\n"
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    elif mode == "escape":
        body = (b'{"error":{"code":"BAD\\u001b[31m","message":'
                b'"red\\u001b[0m\\u0007bell","field":"x"}}')
        head = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
    else:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\n\r\n")
        conn.sendall(b'{"hosts":["')
        chunk = b"x" * 65536
        try:
            for _ in range(17 * 16):
                conn.sendall(chunk)
            conn.sendall(b'"]}')
        except OSError:
            pass
        return
    conn.sendall(head + b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(body) + body)


def serve(conn):
    try:
        answer(conn)
    finally:
        conn.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
