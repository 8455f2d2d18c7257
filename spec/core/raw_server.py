"""A raw HTTP/1.1 server on 127.0.0.1 for spec/core/once_spec.lua.

Usage: raw_server.py LOG PORTFILE.  Writes its port to PORTFILE, then
serves keep-alive connections one thread each.  Every complete request is
logged as "METHOD PATH BODYLENGTH" on its own line of LOG before any
answer.  /drop* requests are read fully and then the connection is
closed without an answer (what a server that dies after recording a
request looks like to the client); everything else gets "200 ok".
Exits by itself after five minutes.
"""
import os
import signal
import socket
import sys
import threading

LOG, PORTFILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def log(line):
    with lock, open(LOG, "a") as f:
        f.write(line + "\n")


def read_request(conn, buf):
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return (method, path, length), rest[length:]


def serve(conn):
    buf = b""
    try:
        while True:
            req, buf = read_request(conn, buf)
            if req is None:
                return
            method, path, length = req
            log("%s %s %d" % (method, path, length))
            if path.startswith("/drop"):
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                         b"Connection: keep-alive\r\n\r\nok")
    except OSError:
        pass
    finally:
        conn.close()


def main():
    signal.alarm(300)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    tmp = PORTFILE + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, PORTFILE)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
