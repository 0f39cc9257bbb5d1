#!/usr/bin/env python3
"""A forward HTTP proxy on 127.0.0.1 for the end-to-end test of HTTPS_PROXY/HTTP_PROXY: tunnels
CONNECT and relays absolute-form requests, and logs one line per request it carries ("CONNECT
host:port" or "GET http://…") to the file given, so the test can count what went through it.
With --user user:password it demands that Proxy-Authorization (407 otherwise).

Usage: forward_proxy.py PORT LOG_FILE [--user user:password]
"""
import base64
import select
import socket
import sys
import threading
import urllib.parse

port, log_path = int(sys.argv[1]), sys.argv[2]
user = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--user" else None
lock = threading.Lock()


def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def pipe(a, b):
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], 60)
        if not readable:
            return
        for s in readable:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def handle(client):
    try:
        head, rest = read_head(client)
        if head is None:
            return
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        if user:
            expected = "Basic " + base64.b64encode(user.encode()).decode()
            if headers.get("proxy-authorization") != expected:
                log(f"REFUSED {method} {target}")
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n"
                               b"Content-Length: 0\r\n\r\n")
                return
        log(f"{method} {target}")
        if method == "CONNECT":
            host, _, port_text = target.rpartition(":")
            upstream = socket.create_connection((host, int(port_text)), timeout=10)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
        else:
            url = urllib.parse.urlsplit(target)
            upstream = socket.create_connection((url.hostname, url.port or 80), timeout=10)
            path = url.path + ("?" + url.query if url.query else "")
            kept = [l for l in lines[1:] if not l.lower().startswith("proxy-")]
            upstream.sendall(("\r\n".join([f"{method} {path} HTTP/1.1"] + kept) + "\r\n\r\n").encode("latin-1") + rest)
        pipe(client, upstream)
        upstream.close()
    except OSError:
        pass
    finally:
        client.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(64)
while True:
    connection, _ = server.accept()
    threading.Thread(target=handle, args=(connection,), daemon=True).start()
