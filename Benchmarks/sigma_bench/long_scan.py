"""`--long-scan`: a first scan that takes several poll intervals at the default request rate. It must
complete once, with no failed poll in between and its progress rising monotonically; its time is
compared with the inventory credential's pace, and the exporter's logged estimate is reported."""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from .common import PER_DOCUMENT, Broken, http
from .processes import Processes, sizes_for, start_exporter, start_simulator


@dataclass
class LongScan:
    documents: int
    interval: int
    rate: float
    wall: float
    per_document: int
    requests: int
    too_many: int
    bound: float
    polls: int
    progress: list[float]
    estimated_minutes: str


def long_scan(args, procs: Processes, work: Path) -> LongScan:
    """The first scan of an organisation that takes several poll intervals at the default request rate:
    it must complete once, with no failed poll in between and its progress rising monotonically."""
    documents, interval, rate = args.long_scan_documents, args.long_scan_interval, args.long_scan_rate
    org_file = work / f"org-{documents}.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(documents), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, args.latency, rate)
    started = time.time()
    exporter, port = start_exporter(procs, args.bin / "sigma_exporter", work, sim, org, interval, rate,
                                    args.concurrency, log_level="info")
    progress: list[float] = []
    connections_polls: set[float] = set()
    try:
        deadline = time.monotonic() + documents * 3 / rate + 600
        while time.monotonic() < deadline:
            if exporter.poll() is not None:
                raise Broken(f"the exporter exited with {exporter.returncode}")
            status, body = http(f"http://127.0.0.1:{port}/metrics", timeout=10)
            if status != 200:
                raise Broken(f"/metrics answered {status}")
            value = None
            requests: dict[tuple[str, str], float] = {}
            for family in text_string_to_metric_families(body.decode()):
                for sample in family.samples:
                    if sample.name == "sigma_collector_success" and sample.value == 0:
                        raise Broken(f"collector {sample.labels['collector']} failed a poll during the scan")
                    if sample.name == "sigma_collector_last_success_timestamp_seconds" \
                            and sample.labels["collector"] == "connections":
                        connections_polls.add(sample.value)
                    if sample.name == "sigma_connections_scan_progress_ratio":
                        value = sample.value
                    if sample.name == "sigma_api_requests_total":
                        requests[(sample.labels["route"], sample.labels["code"])] = sample.value
            if value is not None and (not progress or value != progress[-1]):
                if progress and value < progress[-1] and value != 1:
                    raise Broken(f"the scan's progress went back from {progress[-1]} to {value}")
                progress.append(value)
            if value == 1:
                break
            time.sleep(1)
        else:
            raise Broken(f"the first scan did not complete; progress {progress}")
        wall = time.time() - started
        per_document = int(sum(v for (endpoint, _), v in requests.items() if PER_DOCUMENT.search(endpoint)))
        log = (work / "exporter.log").read_text()
        estimate = re.search(r"estimated_minutes=(\d+)", log)
        return LongScan(
            documents, interval, rate, wall, per_document, int(sum(requests.values())),
            int(sum(v for (_, code), v in requests.items() if code == "429")),
            max(per_document / rate, per_document * args.latency / 1000 / args.concurrency),
            len(connections_polls), progress, estimate.group(1) if estimate else "?")
    finally:
        procs.stop(exporter)
        procs.stop(sim.process)
        org_file.unlink(missing_ok=True)


def long_scan_report(args, result: LongScan) -> str:
    steps = ", ".join(f"{p:.2f}" for p in result.progress)
    return "\n".join([
        "## A first scan longer than a poll", "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 Benchmarks/run.py --long-scan` "
        f"(release build as shipped): {result.documents:,} documents, the default `max_requests_per_second: "
        f"{result.rate:g}` on both sides (the simulator answers 429 above it), {args.latency} ms per request, "
        f"`--poll.interval={result.interval}s`, so the scan spans several intervals. Lower bound: every "
        "per-document request goes through the inventory credential's pace, max(per-document requests / rate, "
        f"per-document requests x latency / {args.concurrency}).", "",
        "| documents | interval | first scan | per-document requests | all requests | lower bound | ratio | "
        "429s | connections polls, all successful | logged estimate |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result.documents:,} | {result.interval} s | {result.wall:.0f} s | {result.per_document:,} | "
        f"{result.requests:,} | {result.bound:.0f} s | {result.wall / result.bound:.3f} | {result.too_many} | "
        f"{result.polls} | {result.estimated_minutes} min |", "",
        f"Progress seen at each change (`sigma_connections_scan_progress_ratio`, scraped every second): {steps}.",
        ""])
