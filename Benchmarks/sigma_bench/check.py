"""`--check`: `sigma_exporter check --output=json` of an organisation, timed from start to exit, against
the same lower bound as a first cycle, with requests as the simulator counted them: how long an
operator waits for a one-off check."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import Broken, http
from .processes import Processes, sizes_for, start_simulator, write_config


@dataclass
class CheckRun:
    documents: int
    wall: float
    requests: int
    too_many: int
    bound: float
    exit_code: int


def check_run(args, procs: Processes, work: Path) -> CheckRun:
    """`sigma_exporter check` of an organisation, timed from start to exit, against the same lower
    bound as a first cycle: max(requests / rate, requests x latency / concurrency)."""
    documents = args.check_documents
    org_file = work / f"org-{documents}.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(documents), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, args.latency, args.rate)
    try:
        config = write_config(work, sim, org, args.rate, args.concurrency)
        started = time.monotonic()
        result = subprocess.run(
            [str(args.bin / "sigma_exporter"), "check", f"--config.file={config}", "--output=json"],
            capture_output=True, text=True, timeout=documents * 3 / args.rate + 600)
        wall = time.monotonic() - started
        if result.returncode not in (0, 1):
            raise Broken(f"check exited {result.returncode}: {result.stderr[-2000:]}")
        report = json.loads(result.stdout)
        if report["organizations"][0]["failures"]:
            raise Broken(f"a collector failed during the check: {report['organizations'][0]['failures']}")
        status, body = http(f"{sim.control}/requests")
        counts = json.loads(body)
        requests = int(sum(counts.values()))
        return CheckRun(documents, wall, requests, 0, max(requests / args.rate,
                        requests * args.latency / 1000 / args.concurrency), result.returncode)
    finally:
        procs.stop(sim.process)
        org_file.unlink(missing_ok=True)


def check_report(args, result: CheckRun) -> str:
    return "\n".join([
        "## sigma_exporter check", "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 Benchmarks/run.py --check` "
        f"(release build as shipped): `sigma_exporter check --output=json` of {result.documents:,} documents, "
        f"{args.latency} ms per request, `max_requests_per_second: {args.rate:g}` on both sides, "
        f"`max_concurrency: {args.concurrency}`, from start to exit. Lower bound: max(requests / rate, "
        f"requests x latency / {args.concurrency}), requests as the simulator counted them.", "",
        "| documents | wall | requests | lower bound | ratio | exit |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {result.documents:,} | {result.wall:.2f} s | {result.requests:,} | {result.bound:.2f} s | "
        f"{result.wall / result.bound:.3f} | {result.exit_code} |", ""])
