"""What every benchmark shares: the repository's root, the collectors a cycle waits for, the
per-document routes a steady cycle must not call, the error that marks a broken (not merely slow)
run, and small HTTP, polling and formatting helpers."""

from __future__ import annotations

import re
import socket
import time
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent.parent  # Benchmarks/sigma_bench/common.py
COLLECTORS = ("credentials", "workbooks", "datasets", "data_models", "connections")
# Per-document endpoints (the exporter's route templates): sources, and a table's connection.
# A steady-state cycle must not call any of them.
PER_DOCUMENT = re.compile(r"^/v2/(workbooks|datasets|dataModels)/\{id\}/sources$|^/v2/connections/paths/\{id\}$")
USEFUL_CONCURRENCY = 16


class Broken(Exception):
    """Something the benchmark found broken (not merely slow)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise Broken(f"timed out after {timeout:.0f}s waiting for {what}")
