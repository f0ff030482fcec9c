# fake-server.py -- a misbehaving HTTP server for the CLI's error paths.
#
# Usage: python3 fake-server.py PORT MODE, MODE one of
#   html502   502 with an HTML page (a proxy in front of a dead service)
#   huge      200 with a JSON body of 17 MiB and no Content-Length
#   notjson   200 with a body that is not JSON
#   hang      accepts and never answers
#   escape    400 error object whose message holds terminal escapes
import socket
import sys
import threading
import time

port, mode = int(sys.argv[1]), sys.argv[2]


def answer(conn):
    conn.recv(65536)
    if mode == "hang":
        time.sleep(60)
        return
    if mode == "html502":
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
