#!/usr/bin/env python3
"""The sigma_exporter benchmark: release binaries against a rate-limited, slow simulator.

For each organisation size it generates an organisation with `sigma-sim --dump-org`, serves it with
`--latency` and `--rate-limit`, runs the release exporter against it (a separate process, as in
production) and measures, from the exporter's own metrics and the simulator's request counts:

  * the first full cycle (every collector's first poll): wall time, requests, 429s, and the lower
    bound max(requests / rate, requests x latency / 16) with the ratio to it;
  * the next cycle of the unchanged organisation, and the one after 1% of the documents changed;
  * the exporter's peak and steady resident memory (VmHWM, VmRSS) and bytes per document.

Then `/metrics` under wrk, beside prometheus-pushgateway holding the same families and nginx serving
the same bytes as a static file; and the idle memory of the exporter on the demo organisation, with
where it goes (from /proc/PID/smaps).

It prints a markdown report and writes it to --out (BENCHMARKS.md by default). It exits non-zero
when something is broken rather than slow: a poll fails, the two request counts disagree, or a
steady-state cycle reads anything but list pages. Targets are reported, not asserted.

    swift build -c release --static-swift-stdlib && python3 Benchmarks/run.py   # every size, ~30 minutes
    python3 Benchmarks/run.py --sizes 1000 --out /tmp/bench.md          # the CI smoke
    python3 Benchmarks/run.py --check        # `sigma_exporter check` of 10,000 documents, its own section
    python3 Benchmarks/run.py --long-scan    # a first scan spanning several polls, its own section
    python3 Benchmarks/run.py --inaccessible --before-bin OLD/.build/release   # /inaccessible's cost
    python3 Benchmarks/run.py --foundation   # what Foundation costs the binary, and who brings it in
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
COLLECTORS = ("credentials", "workbooks", "datasets", "data_models", "connections")
# Per-document endpoints (the exporter's route templates): sources, and a table's connection.
# A steady-state cycle must not call any of them.
PER_DOCUMENT = re.compile(r"^/v2/(workbooks|datasets|dataModels)/\{id\}/sources$|^/v2/connections/paths/\{id\}$")
USEFUL_CONCURRENCY = 16


class Broken(Exception):
    """Something the benchmark found broken (not merely slow)."""


# ---------------------------------------------------------------------------------------------
# Small helpers


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


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS and its anonymous and file-backed parts, and PSS, of a process, in KiB.

    What a user pays for is the anonymous memory (heap, stacks: nothing else can reclaim it) and
    PSS (its share of what it maps); VmRSS also counts clean program pages the kernel drops and
    reloads as it pleases."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            values[key] = int(rest.split()[0])
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key == "Pss":
            values["Pss"] = int(rest.split()[0])
    return values


class PeakAnon:
    """The largest RssAnon of a process, sampled every 100 ms on a thread (the kernel keeps a
    high-water mark for VmRSS only)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.running = pid, 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, proc_status(self.pid)["RssAnon"])
            except (OSError, KeyError):
                return
            time.sleep(0.1)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


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


@dataclass
class Sample:
    """One reading of the exporter's /metrics."""
    success: dict[str, float] = field(default_factory=dict)
    last_success: dict[str, float] = field(default_factory=dict)
    duration: dict[str, float] = field(default_factory=dict)
    requests: dict[tuple[str, str], float] = field(default_factory=dict)


def scrape(port: int) -> Sample:
    status, body = http(f"http://127.0.0.1:{port}/metrics", timeout=10)
    if status != 200:
        raise Broken(f"/metrics answered {status}")
    sample = Sample()
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            collector = s.labels.get("collector")
            if s.name == "sigma_collector_success":
                sample.success[collector] = s.value
            elif s.name == "sigma_collector_last_success_timestamp_seconds":
                sample.last_success[collector] = s.value
            elif s.name == "sigma_collector_duration_seconds":
                sample.duration[collector] = s.value
            elif s.name == "sigma_api_requests_total":
                sample.requests[(s.labels["route"], s.labels["code"])] = s.value
    return sample


# ---------------------------------------------------------------------------------------------
# Processes


class Processes:
    """Every process the benchmark starts, stopped on exit."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, argv: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, **kwargs)
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in list(self.running):
            self.stop(process)


@dataclass
class Simulator:
    process: subprocess.Popen
    api: str
    control: str


def start_simulator(procs: Processes, binary: Path, org_file: Path | None, latency: int, rate: float) -> Simulator:
    argv = [str(binary), "--host", "127.0.0.1", "--port", "0", "--control", "0"]
    if org_file:
        argv += ["--org-file", str(org_file)]
    if latency:
        argv += ["--latency", str(latency)]
    if rate:
        argv += ["--rate-limit", str(rate)]
    process = procs.start(argv, stdout=subprocess.PIPE, text=True)
    api = control = None
    deadline = time.monotonic() + 180
    while (api is None or control is None) and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise Broken(f"sigma-sim exited early ({process.poll()})")
        if match := re.search(r"simulated Sigma API on (http://\S+)", line):
            api = match.group(1)
        if match := re.search(r"control surface: (http://\S+)", line):
            control = match.group(1)
    if api is None or control is None:
        raise Broken("sigma-sim did not print its addresses")
    return Simulator(process, api, control)


def credentials(org: dict) -> tuple[tuple[str, str], tuple[str, str]]:
    """The crawler's (non-admin) and an admin's credential from an organisation file."""
    members = {m["memberId"]: m for m in org["members"]}
    crawler = admin = None
    for credential in org["credentials"]:
        owner = members.get(credential["ownerId"], {})
        if owner.get("isArchived") or credential.get("isRevoked"):
            continue
        pair = (credential["clientId"], credential["clientSecret"])
        if owner.get("memberType") == "admin":
            admin = admin or pair
        else:
            crawler = crawler or pair
    if crawler is None or admin is None:
        raise Broken("the organisation has no crawler and admin credentials")
    return crawler, admin


def write_config(work: Path, sim: Simulator, org: dict, rate: float, concurrency: int) -> Path:
    """The exporter's configuration for the simulated organisation: the crawler and an admin inventory."""
    (crawler_id, crawler_secret), (admin_id, admin_secret) = credentials(org)
    (work / "crawler.secret").write_text(crawler_secret)
    (work / "admin.secret").write_text(admin_secret)
    (work / "exporter.yml").write_text(f"""poll:
  request_timeout: 30s
  max_concurrency: {concurrency}
  max_requests_per_second: {rate:g}
organizations:
  - name: bench
    base_url: {sim.api}
    client_id: {crawler_id}
    client_secret_file: {work / "crawler.secret"}
    inventory:
      client_id: {admin_id}
      client_secret_file: {work / "admin.secret"}
""")
    return work / "exporter.yml"


def start_exporter(procs: Processes, binary: Path, work: Path, sim: Simulator, org: dict,
                   interval: int, rate: float, concurrency: int, log_level: str = "warn",
                   env: dict[str, str] | None = None) -> tuple[subprocess.Popen, int]:
    config = write_config(work, sim, org, rate, concurrency)
    port = free_port()
    process = procs.start(
        [str(binary), f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
         f"--poll.interval={interval}s", f"--log.level={log_level}"],
        stderr=open(work / "exporter.log", "w"), env=env)
    wait_for(lambda: process.poll() is not None or _listening(port), 60, "the exporter to listen")
    if process.poll() is not None:
        raise Broken(f"the exporter exited: {(work / 'exporter.log').read_text()[-2000:]}")
    return process, port


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------------------------------------
# Polling cycles


@dataclass
class Cycle:
    wall: float
    requests: int
    per_document: int
    too_many: int
    sim_requests: int


def wait_cycle(port: int, sim: Simulator, previous: Sample | None, sim_before: int, timeout: float,
               process: subprocess.Popen) -> tuple[Sample, Cycle]:
    """Waits until every collector has finished one more successful poll than in `previous`."""
    def done():
        if process.poll() is not None:
            raise Broken(f"the exporter exited with {process.returncode}")
        sample = scrape(port)
        for collector, ok in sample.success.items():
            if ok == 0:
                raise Broken(f"collector {collector} failed its poll (see the exporter's log)")
        for collector in COLLECTORS:
            finished = sample.last_success.get(collector)
            if finished is None or (previous and finished <= previous.last_success.get(collector, 0)):
                return None
        return sample
    sample = wait_for(done, timeout, "a full polling cycle", interval=0.1)
    starts = [sample.last_success[c] - sample.duration[c] for c in COLLECTORS]
    wall = max(sample.last_success[c] for c in COLLECTORS) - min(starts)
    before = previous.requests if previous else {}
    delta = {k: v - before.get(k, 0) for k, v in sample.requests.items()}
    sim_now = simulator_requests(sim)
    return sample, Cycle(
        wall=wall,
        requests=int(sum(delta.values())),
        per_document=int(sum(v for (endpoint, _), v in delta.items() if PER_DOCUMENT.search(endpoint))),
        too_many=int(sum(v for (_, code), v in delta.items() if code == "429")),
        sim_requests=sim_now - sim_before)


def simulator_requests(sim: Simulator) -> int:
    status, body = http(f"{sim.control}/requests")
    if status != 200:
        raise Broken(f"the simulator's request counts answered {status}")
    return int(sum(json.loads(body).values()))


def touch(sim: Simulator, ids: list[str]):
    for document_id in ids:
        status, _ = http(f"{sim.control}/documents/{document_id}/touch", method="POST", body=b"")
        if status != 200:
            raise Broken(f"touching document {document_id} answered {status}")


# ---------------------------------------------------------------------------------------------
# One organisation size


@dataclass
class SizeResult:
    documents: int
    connections: int
    first: Cycle
    bound: float
    steady: Cycle
    changed: Cycle
    changed_documents: int
    peak_kib: int
    steady_kib: int
    between_kib: int
    peak_anon_kib: int = 0
    between_anon_kib: int = 0
    between_pss_kib: int = 0


def sizes_for(documents: int) -> list[str]:
    """Generator flags for `documents` documents, everything else in proportion."""
    workbooks = documents * 70 // 100
    datasets = documents * 15 // 100
    data_models = documents - workbooks - datasets
    return ["--workbooks", str(workbooks), "--datasets", str(datasets), "--data-models", str(data_models),
            "--connections", str(max(6, documents // 1000)), "--members", str(max(12, documents // 250)),
            "--teams", str(max(4, documents // 2500)), "--workspaces", str(max(6, documents // 2000))]


def run_size(args, procs: Processes, work: Path, documents: int) -> SizeResult:
    org_file = work / f"org-{documents}.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(documents), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, args.latency, args.rate)
    # Long enough for the first cycle to end well before the second starts.
    estimate = documents * 1.1 / args.rate + 5
    interval = max(20, math.ceil(estimate * 1.5))
    sim_before = simulator_requests(sim)
    exporter, port = start_exporter(procs, args.bin / "sigma_exporter", work, sim, org, interval, args.rate,
                                    args.concurrency)
    peak_anon = PeakAnon(exporter.pid)
    try:
        sample, first = wait_cycle(port, sim, None, sim_before, interval * 2 + 120, exporter)
        if first.per_document < documents // 2:
            raise Broken(f"the first cycle made only {first.per_document} per-document requests for {documents} "
                         "documents: is PER_DOCUMENT out of date with the exporter's route templates?")
        peak = proc_status(exporter.pid)["VmHWM"]
        bound = max(first.requests / args.rate, first.requests * args.latency / 1000 / USEFUL_CONCURRENCY)

        sim_before = simulator_requests(sim)
        sample, steady = wait_cycle(port, sim, sample, sim_before, interval * 2 + 60, exporter)
        if steady.per_document:
            raise Broken(f"a steady-state cycle made {steady.per_document} per-document requests")

        changed_ids = [d["id"] for d in org["documents"] if not d.get("isArchived")][:: 100]
        touch(sim, changed_ids)
        # Between cycles, once the cycle's listings have expired (half an interval after they were
        # read): what the exporter holds most of the time.
        steady_start = min(sample.last_success[c] - sample.duration[c] for c in COLLECTORS)
        time.sleep(max(0.0, steady_start + interval - 3 - time.time()))
        between_status = proc_status(exporter.pid)
        between = between_status["VmRSS"]
        sim_before = simulator_requests(sim)
        sample, changed = wait_cycle(port, sim, sample, sim_before, interval * 2 + 60, exporter)
        if not 0 < changed.per_document <= len(changed_ids) * 2:
            raise Broken(f"after changing {len(changed_ids)} documents the cycle made {changed.per_document} "
                         "per-document requests")
        memory = proc_status(exporter.pid)
        for cycle in (first, steady, changed):
            if cycle.requests != cycle.sim_requests:
                raise Broken(f"the exporter counted {cycle.requests} requests, the simulator {cycle.sim_requests}")
        return SizeResult(documents, len(org["connections"]), first, bound, steady, changed, len(changed_ids),
                          memory["VmHWM"], memory["VmRSS"], between, peak_anon.stop(),
                          between_status["RssAnon"], between_status["Pss"])
    finally:
        peak_anon.running = False
        procs.stop(exporter)
        procs.stop(sim.process)
        org_file.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# A first scan longer than a poll


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


# ---------------------------------------------------------------------------------------------
# sigma_exporter check


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


# What a full run measures: never kept from an earlier report, even when this run skips one.
FULL_RUN_SECTIONS = {"## Polling", "## /metrics", "## Idle memory"}


def write_report(path: Path, text: str):
    """Writes the full run's report, keeping the sections only their own runs write (a full run
    does not measure them)."""
    old = path.read_text() if path.exists() else ""
    kept = [old[m.start():] for m in re.finditer(r"^## ", old, re.M)]
    own = {line for line in text.splitlines() if line.startswith("## ")} | FULL_RUN_SECTIONS
    sections = []
    for chunk in kept:
        end = chunk.find("\n## ", 3)
        section = chunk if end < 0 else chunk[:end + 1]
        if section.splitlines()[0] not in own:
            sections.append(section.rstrip("\n") + "\n")
    path.write_text(text.rstrip("\n") + "\n" + "".join("\n" + s for s in sections))


def write_section(path: Path, text: str):
    """Replaces the section of `path` that `text` heads (its first line), or appends it."""
    heading = text.splitlines()[0]
    old = path.read_text() if path.exists() else ""
    start = old.find(heading + "\n")
    if start < 0:
        path.write_text(old.rstrip("\n") + ("\n\n" if old else "") + text)
        return
    end = old.find("\n## ", start + len(heading))
    path.write_text(old[:start] + text.rstrip("\n") + "\n" + (old[end:] if end >= 0 else ""))


# ---------------------------------------------------------------------------------------------
# /inaccessible at a large organisation


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


# ---------------------------------------------------------------------------------------------
# What Foundation costs the binary


PROBE = """import {module}
struct Sample: Codable {{ var count: Int; var when: Date }}
let data = try JSONEncoder().encode(Sample(count: 1, when: Date()))
print(String(decoding: data, as: UTF8.self), ProcessInfo.processInfo.processIdentifier)
{extra}
"""


def probe_size(work: Path, name: str, module: str, extra: str = "") -> int:
    """The stripped size of a tiny program built as the exporter is (release, static Swift runtime)."""
    package = work / name
    (package / "Sources" / "probe").mkdir(parents=True)
    (package / "Package.swift").write_text(
        "// swift-tools-version:6.1\nimport PackageDescription\n"
        "let package = Package(name: \"probe\", targets: [.executableTarget(name: \"probe\")])\n")
    (package / "Sources" / "probe" / "main.swift").write_text(PROBE.format(module=module, extra=extra))
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib"], cwd=package, check=True,
                   capture_output=True)
    stripped = package / "probe.stripped"
    subprocess.run(["strip", "-o", str(stripped), str(package / ".build" / "release" / "probe")], check=True)
    return stripped.stat().st_size


def foundation_references(build: Path) -> list[tuple[str, int, list[str]]]:
    """Per module of a release build, the symbols it takes from Foundation proper (not from
    FoundationEssentials): what makes the linker bring in the whole of Foundation and ICU's data."""
    found = []
    for folder in sorted(build.glob("*.build")):
        symbols = set()
        for obj in folder.glob("*.o"):
            listing = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True).stdout
            symbols |= {line.split()[-1] for line in listing.splitlines() if "10Foundation" in line}
        if symbols:
            names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(sorted(symbols)),
                                   capture_output=True, text=True).stdout.splitlines()
            found.append((folder.name.removesuffix(".build"), len(symbols), sorted(set(names))[:3]))
    return sorted(found, key=lambda item: -item[1])


def foundation_report(args, work: Path) -> str:
    essentials = probe_size(work, "essentials", "FoundationEssentials")
    imported = probe_size(work, "imported", "Foundation")
    used = probe_size(work, "used", "Foundation", 'FileHandle.standardError.write(Data("x\\n".utf8))')
    ours = {"ExporterBasics", "ExporterConfig", "ExporterCore", "Collectors", "SigmaClient", "SigmaModels",
            "SigmaSimulator", "SigmaExporter", "sigma_exporter", "sigma_sim"}
    references = foundation_references(args.bin)
    lines = ["## Foundation and the binary's size", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 Benchmarks/run.py "
             "--foundation`: a tiny program (JSON coding, `Date`, `ProcessInfo`) built as the exporter is "
             "(release, Swift runtime linked statically, stripped).", "",
             "| the program | stripped bytes |", "|---|---:|",
             f"| imports `FoundationEssentials` | {essentials:,} |",
             f"| imports `Foundation`, uses only what `FoundationEssentials` has | {imported:,} |",
             f"| imports `Foundation` and uses `FileHandle` (Foundation proper) | {used:,} |", "",
             f"Importing `Foundation` instead of `FoundationEssentials` costs {imported - essentials:,} bytes; "
             f"using one symbol of Foundation proper costs {used - essentials:,} (its CoreFoundation and ICU's "
             "data). The modules of the shipped build that use Foundation proper, and so bring it in (while one "
             "does, importing `FoundationEssentials` in the others saves nothing):", "",
             "| module | ours | symbols from Foundation proper | for example |", "|---|---|---:|---|"]
    for module, count, examples in references:
        lines.append(f"| {module} | {'yes' if module in ours else 'no'} | {count} | "
                     f"{'; '.join(f'`{e}`' for e in examples)} |")
    lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Idle memory


@dataclass
class Idle:
    documents: int
    status: dict[str, int]
    breakdown: list[tuple[str, int]]


def idle_memory(args, procs: Processes, work: Path) -> Idle:
    """The exporter's memory idling on the demo organisation, and where it goes (KiB)."""
    org_file = work / "demo.json"
    subprocess.run([str(args.bin / "sigma-sim"), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, 0, 0)
    exporter, port = start_exporter(procs, args.bin / "sigma_exporter", work, sim, org, 900, 10, 8)
    try:
        wait_cycle(port, sim, None, 0, 120, exporter)
        time.sleep(5)
        return Idle(len(org["documents"]), proc_status(exporter.pid), smaps_breakdown(exporter.pid))
    finally:
        procs.stop(exporter)
        procs.stop(sim.process)


def binary_size(binary: Path) -> str:
    """The size of `binary` stripped, as the image ships it."""
    with tempfile.TemporaryDirectory() as directory:
        stripped = Path(directory) / "stripped"
        subprocess.run(["strip", "-o", str(stripped), str(binary)], check=True)
        return f"{stripped.stat().st_size / 1024 / 1024:.1f} MiB ({binary.stat().st_size / 1024 / 1024:.1f} MiB unstripped)"


def smaps_breakdown(pid: int) -> list[tuple[str, int]]:
    """Resident KiB per mapping name (the binary, [heap], anonymous, each library)."""
    totals: dict[str, int] = {}
    current = "?"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            name = parts[5] if len(parts) > 5 else "[anonymous]"
            current = os.path.basename(name) if name.startswith("/") else name
        elif parts and parts[0] == "Rss:":
            totals[current] = totals.get(current, 0) + int(parts[1])
    return sorted(totals.items(), key=lambda item: -item[1])


# ---------------------------------------------------------------------------------------------
# /metrics under wrk


@dataclass
class WrkResult:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    body_bytes: int


def wrk(name: str, url: str, seconds: int, body_bytes: int, headers: list[str] = ()) -> WrkResult:
    argv = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency"]
    for header in headers:
        argv += ["-H", header]
    output = subprocess.run([*argv, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", output)
    if errors:
        raise Broken(f"wrk against {name} saw errors: {errors.group(0)}")

    def percentile(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return WrkResult(name, rps, percentile("50"), percentile("99"), body_bytes)


def metrics_comparison(args, procs: Processes, work: Path) -> list[WrkResult]:
    """The exporter's /metrics beside nginx (same bytes, static) and pushgateway (same families)."""
    org_file = work / "metrics-org.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(1000), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, 0, 0)
    exporter, port = start_exporter(procs, args.bin / "sigma_exporter", work, sim, org, 900, 500, 16)
    try:
        wait_cycle(port, sim, None, 0, 300, exporter)
        _, body = http(f"http://127.0.0.1:{port}/metrics")
        _, gzipped = http(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"})
        results = [wrk("sigma_exporter", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(body)),
                   wrk("sigma_exporter (gzip)", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(gzipped),
                       ["Accept-Encoding: gzip"])]
    finally:
        procs.stop(exporter)
        procs.stop(sim.process)
    results.append(nginx(args, procs, work, body))
    results.append(pushgateway(args, procs, work, body))
    return results


def nginx(args, procs: Processes, work: Path, body: bytes) -> WrkResult:
    root = work / "www"
    root.mkdir(exist_ok=True)
    (root / "metrics").write_bytes(body)
    for path in (work, root, root / "metrics"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # workers may run as nobody
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-body;
  proxy_temp_path {work}/nginx-proxy;
  fastcgi_temp_path {work}/nginx-fastcgi;
  uwsgi_temp_path {work}/nginx-uwsgi;
  scgi_temp_path {work}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location = /metrics {{ default_type "text/plain; version=0.0.4; charset=utf-8"; }}
  }}
}}
""")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = procs.start([binary, "-c", str(conf), "-p", str(work)], stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening(port), 30, "nginx to listen")
        status, served = http(f"http://127.0.0.1:{port}/metrics")
        if status != 200 or served != body:
            raise Broken(f"nginx did not serve the copied body ({status})")
        return wrk("nginx (static copy)", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(body))
    finally:
        procs.stop(process)


def pushgateway(args, procs: Processes, work: Path, body: bytes) -> WrkResult:
    # The pushgateway exports its own process_* families; push every other family.
    text = body.decode()
    families = re.split(r"(?m)^(?=# HELP )", text)
    pushed = "".join(f for f in families if f and not f.startswith("# HELP process_"))
    port = free_port()
    binary = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
    if binary is None:
        raise Broken("prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)")
    process = procs.start([binary, f"--web.listen-address=127.0.0.1:{port}",
                           f"--persistence.file={work / 'pushgateway.db'}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening(port), 30, "pushgateway to listen")
        status, answer = http(f"http://127.0.0.1:{port}/metrics/job/sigma_exporter", method="PUT",
                              body=pushed.encode(), headers={"Content-Type": "text/plain; version=0.0.4"})
        if status not in (200, 202):
            raise Broken(f"pushgateway refused the push: {status} {answer[:300]!r}")
        _, served = http(f"http://127.0.0.1:{port}/metrics")
        for name in re.findall(r"(?m)^# TYPE (\S+)", pushed):
            if f"# TYPE {name} " not in served.decode():
                raise Broken(f"pushgateway does not serve the pushed family {name}")
        return wrk("prometheus-pushgateway", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(served))
    finally:
        procs.stop(process)


# ---------------------------------------------------------------------------------------------
# Report


def machine(exporter: Path) -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))

    def version(argv: list[str]) -> str:
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (result.stdout + result.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"
    return [f"- {platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
            f"{memory} memory",
            f"- {version(['swift', '--version'])}; release build, {linkage(exporter)}",
            f"- {version(['wrk', '--version'])}; {version(['nginx', '-v'])}; "
            f"{version([shutil.which('prometheus-pushgateway') or 'pushgateway', '--version'])}"]


def linkage(binary: Path) -> str:
    """How the exporter binary links the Swift runtime: it moves idle memory by several MiB."""
    result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    if "libswiftCore" in result.stdout:
        return "Swift runtime and Foundation linked dynamically"
    return "Swift runtime and Foundation linked statically (`--static-swift-stdlib`, as shipped)"


def report(args, sizes: list[SizeResult], metrics: list[WrkResult], idle: Idle, elapsed: float) -> str:
    lines = ["# Benchmarks", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 Benchmarks/run.py "
             f"--sizes {','.join(str(s) for s in args.sizes)}` in {elapsed / 60:.1f} minutes, on:", "",
             *machine(args.bin / "sigma_exporter"), "",
             f"Simulator: {args.latency} ms per request, {args.rate:g} requests/s per credential (429 above it). "
             f"Exporter: `max_requests_per_second: {args.rate:g}`, `max_concurrency: {args.concurrency}`, an "
             "Admin inventory credential, every collector enabled. Documents are 70% workbooks, 15% datasets, "
             "15% data models; connections, members and workspaces in proportion.", "",
             "## Polling", "",
             "A cycle is every collector's poll, from the first start to the last end (the exporter's own "
             "`sigma_collector_duration_seconds` and `..._last_success_timestamp_seconds`). Lower bound: "
             f"max(requests / {args.rate:g}, requests x {args.latency} ms / {USEFUL_CONCURRENCY}). Requests as "
             "counted by the exporter, equal to the simulator's count.", "",
             "| documents | connections | first cycle | requests | lower bound | ratio | 429s | steady cycle | "
             "steady requests (per-document) | after 1% changed | requests (per-document) | VmHWM MiB | "
             "VmRSS after a cycle MiB | VmRSS between cycles MiB | bytes/document | anonymous peak MiB | "
             "anonymous between cycles MiB | PSS between cycles MiB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sizes:
        per_doc = (r.between_kib - idle.status["VmRSS"]) * 1024 / r.documents
        too_many = r.first.too_many + r.steady.too_many + r.changed.too_many
        lines.append(
            f"| {r.documents:,} | {r.connections} | {r.first.wall:.2f} s | {r.first.requests:,} | {r.bound:.2f} s | "
            f"{r.first.wall / r.bound:.3f} | {too_many} | {r.steady.wall:.2f} s | {r.steady.requests} "
            f"({r.steady.per_document}) | {r.changed.wall:.2f} s | {r.changed.requests} ({r.changed.per_document}) | "
            f"{mib(r.peak_kib)} | {mib(r.steady_kib)} | {mib(r.between_kib)} | {per_doc:,.0f} | "
            f"{mib(r.peak_anon_kib)} | {mib(r.between_anon_kib)} | {mib(r.between_pss_kib)} |")
    lines += ["", "VmHWM: the peak, over all three cycles. VmRSS after a cycle: right after the third; between "
              "cycles: before the third starts, once the second's listings have expired. bytes/document: "
              "(VmRSS between cycles - idle VmRSS below) / documents. Anonymous: RssAnon (heap and stacks, what "
              "only the exporter can give back), its peak sampled every 100 ms; PSS: the exporter's share of "
              "everything it maps (/proc/PID/smaps_rollup). Targets: anonymous idle <= 4 MiB, between cycles at "
              "100,000 documents <= 24 MiB, peak <= 48 MiB.", ""]
    if metrics:
        nginx_result = next(m for m in metrics if m.name.startswith("nginx"))
        push = next(m for m in metrics if m.name.startswith("prometheus-pushgateway"))
        lines += ["## /metrics", "",
                  f"`wrk -t2 -c64 -d{args.wrk_seconds}s --latency`, loopback, one after another in the same run; "
                  "the exporter polled a 1,000-document organisation first. nginx serves a copy of the exporter's "
                  "body as a static file; the pushgateway holds the same families, pushed to it (its own "
                  "process_* and go_* families come on top).", "",
                  "| server | body bytes | requests/s | p50 ms | p99 ms | requests/s vs nginx | p99 vs nginx | "
                  "requests/s vs pushgateway |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for m in metrics:
            lines.append(
                f"| {m.name} | {m.body_bytes:,} | {m.requests_per_second:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | "
                f"{m.requests_per_second / nginx_result.requests_per_second:.2f} | "
                f"{m.p99_ms / nginx_result.p99_ms:.2f} | {m.requests_per_second / push.requests_per_second:.2f} |")
        lines.append("")
    lines += ["## Idle memory", "",
              f"The exporter idling on the demo organisation ({idle.documents} documents) after its first cycle: "
              f"VmRSS {mib(idle.status['VmRSS'])} MiB, of which {mib(idle.status['RssFile'])} MiB file-backed "
              f"(program and library pages, clean) and {mib(idle.status['RssAnon'])} MiB anonymous (heap, stacks); "
              f"PSS {mib(idle.status['Pss'])} MiB. The shipped binary (release, Swift runtime and Foundation "
              f"linked statically, stripped as the image strips it): {binary_size(args.bin / 'sigma_exporter')}. "
              "Resident memory by mapping (/proc/PID/smaps), largest first:", "",
              "| mapping | resident KiB |", "|---|---:|"]
    lines += [f"| `{name}` | {kib:,} |" for name, kib in idle.breakdown[:10] if kib]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000,100000",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--bin", type=Path, default=ROOT / ".build" / "release")
    parser.add_argument("--latency", type=int, default=20, help="simulator latency per request (ms)")
    parser.add_argument("--rate", type=float, default=500, help="requests/s per credential, both sides")
    parser.add_argument("--concurrency", type=int, default=16, help="the exporter's max_concurrency")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--skip-metrics", action="store_true", help="no wrk comparison")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--long-scan", action="store_true",
                        help="only the first scan longer than a poll; writes its section to --out")
    parser.add_argument("--long-scan-documents", type=int, default=5000)
    parser.add_argument("--long-scan-interval", type=int, default=60)
    parser.add_argument("--long-scan-rate", type=float, default=10)
    parser.add_argument("--check", action="store_true",
                        help="only `sigma_exporter check` of --check-documents, written as its own section of --out")
    parser.add_argument("--check-documents", type=int, default=10000)
    parser.add_argument("--inaccessible", action="store_true",
                        help="only the cost of /inaccessible at --inaccessible-documents, its own section of --out")
    parser.add_argument("--inaccessible-documents", type=int, default=100000)
    parser.add_argument("--before-bin", type=Path, help="with --inaccessible: another build's release folder, "
                        "measured the same way")
    parser.add_argument("--before-label", default="an earlier commit", help="what --before-bin is")
    parser.add_argument("--foundation", action="store_true",
                        help="only what Foundation costs the binary (probe builds), its own section of --out")
    args = parser.parse_args()
    for binary in ("sigma_exporter", "sigma-sim"):
        if not (args.bin / binary).exists():
            print(f"{args.bin / binary} is missing: run `swift build -c release --static-swift-stdlib` first", file=sys.stderr)
            return 2
    started = time.monotonic()
    procs = Processes()
    try:
        with tempfile.TemporaryDirectory(prefix="sigma-bench-") as directory:
            work = Path(directory)
            if args.check:
                text = check_report(args, check_run(args, procs, work))
            elif args.foundation:
                text = foundation_report(args, work)
            elif args.inaccessible:
                text = inaccessible_report(args, inaccessible_run(args, procs, work))
            elif args.long_scan:
                text = long_scan_report(args, long_scan(args, procs, work))
            else:
                text = full_run(args, procs, work, started)
    except Broken as error:
        print(f"benchmark: broken: {error}", file=sys.stderr)
        return 1
    finally:
        procs.stop_all()
    print(text)
    if args.check or args.long_scan or args.inaccessible or args.foundation:
        write_section(args.out, text)  # one section of the report; the rest stays
    else:
        write_report(args.out, text)
    return 0


def full_run(args, procs: Processes, work: Path, started: float) -> str:
    """Idle memory, every organisation size, and /metrics beside nginx and the pushgateway."""
    idle = idle_memory(args, procs, work)
    print(f"idle: VmRSS {mib(idle.status['VmRSS'])} MiB", flush=True)
    results = []
    for documents in args.sizes:
        result = run_size(args, procs, work, documents)
        print(f"{documents} documents: first cycle {result.first.wall:.2f}s, {result.first.requests} "
              f"requests (bound {result.bound:.2f}s), steady {result.steady.wall:.2f}s/"
              f"{result.steady.requests}, VmRSS {mib(result.steady_kib)} MiB", flush=True)
        results.append(result)
    metrics = [] if args.skip_metrics else metrics_comparison(args, procs, work)
    return report(args, results, metrics, idle, time.monotonic() - started)

if __name__ == "__main__":
    sys.exit(main())
