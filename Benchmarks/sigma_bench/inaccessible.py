"""`--inaccessible`: what one `/inaccessible` request costs at a large organisation (and
`/-/healthy` for scale), in wall time and heap allocations counted by `alloc_count.c` preloaded
into the exporter, for this build and optionally an earlier one (`--before-bin`)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT, Broken, http
from .cycles import wait_cycle
from .processes import Processes, simulator_requests, sizes_for, start_exporter, start_simulator


@dataclass
class PageCost:
    build: str
    path: str
    total: int | None
    returned: int | None
    body_bytes: int
    p50_ms: float
    allocations: float
    allocated_bytes: float


def allocation_counts(path: Path) -> tuple[int, int]:
    """The two counters `alloc_count.c` keeps: allocations, and bytes asked for."""
    data = path.read_bytes()[:16]
    return int.from_bytes(data[:8], "little"), int.from_bytes(data[8:16], "little")


def page_cost(build: str, port: int, path: str, counts: Path, repeats: int = 20) -> PageCost:
    """Median wall time and allocations of one request to `path`, after three to warm up."""
    url = f"http://127.0.0.1:{port}{path}"
    for _ in range(3):
        http(url, timeout=60)
    times, allocations, allocated = [], [], []
    body = b""
    for _ in range(repeats):
        before = allocation_counts(counts)
        started = time.perf_counter()
        status, body = http(url, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        after = allocation_counts(counts)
        if status != 200:
            raise Broken(f"{path} answered {status}")
        allocations.append(after[0] - before[0])
        allocated.append(after[1] - before[1])
    total = returned = None
    if path.startswith("/inaccessible") and "format=html" not in path:
        documents = json.loads(body)["organizations"][0].get("documents") or {}
        total, returned = documents.get("total"), documents.get("returned")
    median = lambda values: sorted(values)[len(values) // 2]
    return PageCost(build, path, total, returned, len(body), median(times), median(allocations), median(allocated))


def inaccessible_run(args, procs: Processes, work: Path) -> list[PageCost]:
    """Each build's exporter, with every heap allocation counted (`alloc_count.c`, preloaded), polls
    one large organisation once (no latency, no rate limit: the page is measured, not the polling),
    then answers `/inaccessible` and, for scale, `/-/healthy`."""
    shim = work / "alloc_count.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(shim), str(ROOT / "Benchmarks" / "alloc_count.c")],
                   check=True)
    documents = args.inaccessible_documents
    org_file = work / f"org-{documents}.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(documents), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, 0, 0)
    builds = [("this build", args.bin)] + ([(f"before ({args.before_label})", args.before_bin)]
                                           if args.before_bin else [])
    results = []
    try:
        for label, binary in builds:
            counts = work / f"counts-{len(results)}"
            env = {**os.environ, "LD_PRELOAD": str(shim), "ALLOC_COUNT_FILE": str(counts)}
            exporter, port = start_exporter(procs, binary / "sigma_exporter", work, sim, org, 3600, 5000,
                                            args.concurrency, env=env)
            try:
                wait_cycle(port, sim, None, simulator_requests(sim), 1800, exporter)
                for path in ("/-/healthy", "/inaccessible", "/inaccessible?limit=10000",
                             "/inaccessible?format=html"):
                    results.append(page_cost(label, port, path, counts))
                    print(f"{label} {path}: {results[-1].p50_ms:.2f} ms, {results[-1].allocations:,.0f} allocations",
                          flush=True)
            finally:
                procs.stop(exporter)
    finally:
        procs.stop(sim.process)
        org_file.unlink(missing_ok=True)
    return results


def inaccessible_report(args, results: list[PageCost]) -> str:
    lines = ["## /inaccessible at a large organisation", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 Benchmarks/run.py "
             f"--inaccessible{' --before-bin …' if args.before_bin else ''}` (release builds as shipped): "
             f"{args.inaccessible_documents:,} documents polled once, then 20 requests per row, one at a time, "
             "after 3 to warm up; medians. Allocations: every malloc, calloc, realloc and aligned allocation of "
             "the whole process while the request ran (`Benchmarks/alloc_count.c`, preloaded), and the bytes "
             "they asked for.", "",
             "| build | request | documents returned of total | body bytes | ms | allocations | bytes allocated |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        documents = f"{r.returned:,} of {r.total:,}" if r.total is not None else ""
        lines.append(f"| {r.build} | `{r.path}` | {documents} | {r.body_bytes:,} | {r.p50_ms:.2f} | "
                     f"{r.allocations:,.0f} | {r.allocated_bytes:,.0f} |")
    return "\n".join(lines + [""])
