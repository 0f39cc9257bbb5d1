#!/usr/bin/env python3
"""A bounded load test of the exporter's HTTP server on loopback, while polls run: 500 concurrent
connections scraping /metrics, slow readers, oversized headers, unknown paths and methods. Passes
when every scrape succeeds, the server answers bad requests with 4xx (or closes them) instead of
failing, and memory and file descriptors come back to where they were.
Usage: hostile_clients.py PATH_TO_SIGMA_EXPORTER. Prints "N passed, M failed"."""
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def open_server_connections(port):
    """Connections the exporter still holds open on its port: ESTABLISHED or CLOSE_WAIT (the
    client went away but the server has not closed). FIN_WAIT and TIME_WAIT sockets are closed."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            state = fields[3]
            if local_port == port and state in ("01", "08"):
                print(f"     open on the exporter's port: state {state} remote {fields[2]}")
                count += 1
    return count


def proc_status(pid):
    rss = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


async def request(port, raw, read_limit=1 << 22, timeout=20):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(read_limit), timeout)
        while data and b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), None)
            if length is None or len(body) >= length:
                break
            more = await asyncio.wait_for(reader.read(read_limit), timeout)
            if not more:
                break
            data += more
        return data
    finally:
        writer.close()


def status_of(data):
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


async def scrape_storm(port, connections=500, per_connection=4):
    async def one():
        codes = []
        for _ in range(per_connection):
            data = await request(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            codes.append(status_of(data))
        return codes
    results = await asyncio.gather(*(one() for _ in range(connections)), return_exceptions=True)
    ok = sum(1 for r in results if not isinstance(r, Exception) for c in r if c == 200)
    errors = [r for r in results if isinstance(r, Exception)]
    return ok, errors


async def slow_readers(port, count=50, seconds=3):
    async def one():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not await reader.read(16):
                break
            await asyncio.sleep(0.1)
        writer.close()
    await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)


async def main():
    exporter = sys.argv[1]
    port = free_port()
    process = subprocess.Popen(
        [exporter, "--demo", f"--web.listen-address=127.0.0.1:{port}", "--poll.interval=1s", "--log.level=error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   - {name}")
        else:
            failed += 1
            print(f"FAIL - {name} {detail}")

    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1).close()
                break
            except Exception:
                time.sleep(0.2)
        # Warm up, then the baseline.
        await scrape_storm(port, connections=50, per_connection=2)
        await asyncio.sleep(1)
        rss0, fds0 = proc_status(process.pid)

        started = time.monotonic()
        ok, errors = await scrape_storm(port)
        elapsed = time.monotonic() - started
        check(f"500 concurrent connections x 4 scrapes: {ok} of 2000 answered 200 in {elapsed:.1f} s", ok == 2000 and not errors,
              f"errors: {errors[:3]}")

        await slow_readers(port)
        check("50 slow readers for 3 s", process.poll() is None)

        big = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (256 << 10) + b"\r\n\r\n"
        try:
            code = status_of(await request(port, big))
        except (ConnectionError, asyncio.IncompleteReadError):
            code = "closed"
        check(f"a 256 KiB header is refused ({code})", code == "closed" or (isinstance(code, int) and 400 <= code < 500))

        codes = {}
        for raw in [b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"BREW /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"this is not http\r\n\r\n"]:
            try:
                codes[raw.split(b" ")[0].decode()] = status_of(await request(port, raw))
            except (ConnectionError, asyncio.IncompleteReadError):
                codes[raw.split(b" ")[0].decode()] = "closed"
        check(f"unknown paths and methods get 4xx or a close: {codes}",
              all(c == "closed" or c is None or 400 <= c < 500 for c in codes.values()))

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            ready = response.status
        check("still serving afterwards", ready == 200)
        await asyncio.sleep(2)
        rss1, fds1 = proc_status(process.pid)
        left = open_server_connections(port)
        print(f"     resident memory {rss0} KiB -> {rss1} KiB; open fds {fds0} -> {fds1}; client connections left {left}")
        check("no client connection is left open on the exporter's port", left == 0, f"{left} left")
        # The exporter's own pool of connections to Sigma may have grown meanwhile (at most 2 x 8 per host).
        check("file descriptors back to the baseline (within the Sigma connection pool)", fds1 <= fds0 + 16 + 4,
              f"{fds0} -> {fds1}")
        check("resident memory grew by less than 32 MiB", rss1 - rss0 < 32 * 1024, f"{rss0} -> {rss1} KiB")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    print(f"hostile clients: {passed} passed, {failed} failed")
    return 1 if failed else 0


sys.exit(asyncio.run(main()))
