"""`--restart`: a restart of an unchanged organisation with `--storage.path` (issue 26). One
simulator serves the organisation throughout; one after another:

  1. the exporter with `--storage.path` on a fresh folder: its first cycle (the full scan) and one
     steady cycle; then SIGTERM;
  2. the exporter again on the same store: its first cycle after the restart (until every collector
     has polled and the connections collector's numbers are complete: scan progress 1,
     `sigma_connections_complete` 1) and a steady cycle; then SIGKILL;
  3. the exporter again on the store a SIGKILL left: its first cycle after the restart;
  4. the exporter without `--storage.path`: its first cycle and a steady cycle, for the poll's time
     without the store.

Each cycle's wall time and the connections collector's poll duration come from the exporter's own
metrics, its requests by route from the simulator's counters; the store's size on disk (the .sqlite
file, its -wal and -shm) is taken after each step. Other benchmarks or builds seen running
meanwhile are reported, since two runs on two cores distort each other's times."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from .common import COLLECTORS, PER_DOCUMENT, Broken, http
from .cycles import Cycle, wait_cycle
from .markdown import machine
from .processes import Processes, Simulator, simulator_routes, sizes_for, start_exporter, start_simulator
from .prometheus_text import Sample


# The per-document routes as the simulator names them (`{workbookId}`; the exporter's are `{id}`).
PER_DOCUMENT_ROUTE = re.compile(r"^/v2/(workbooks|datasets|dataModels)/\{\w+\}/sources$|^/v2/connections/paths/\{\w+\}$")
STORE_FILES = ("sigma_exporter.sqlite", "sigma_exporter.sqlite-wal", "sigma_exporter.sqlite-shm")


@dataclass
class Phase:
    label: str
    cycle: Cycle
    since_start: float | None  # process start until every collector polled and connections complete
    connections_poll: float  # sigma_collector_duration_seconds{collector="connections"}, last poll
    routes: dict[str, int]  # the simulator's requests by route during the phase
    complete: bool
    polls: int  # cycles until complete (1 unless the scan spanned polls)
    storage_healthy: float | None
    store: tuple[int, int, int] | None = None  # .sqlite, -wal, -shm bytes after the phase


@dataclass
class Stop:
    how: str
    seconds: float
    returncode: int | None
    store: tuple[int, int, int]


@dataclass
class RestartResult:
    documents: int
    connections: int
    interval: int
    phases: list[Phase] = field(default_factory=list)
    stops: list[Stop] = field(default_factory=list)
    neighbours: list[str] = field(default_factory=list)
    max_load: float = 0.0
    log_notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def store_size(directory: Path) -> tuple[int, int, int]:
    sizes = []
    for name in STORE_FILES:
        try:
            sizes.append((directory / name).stat().st_size)
        except FileNotFoundError:
            sizes.append(0)
    return tuple(sizes)


def gauges(port: int) -> dict[str, float]:
    """The connections collector's completeness gauges and the store's health (one organisation)."""
    status, body = http(f"http://127.0.0.1:{port}/metrics", timeout=10)
    if status != 200:
        raise Broken(f"/metrics answered {status}")
    wanted = {"sigma_connections_scan_progress_ratio", "sigma_connections_complete", "sigma_storage_healthy"}
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name in wanted:
                found[sample.name] = sample.value
    return found


def is_complete(found: dict[str, float]) -> bool:
    return found.get("sigma_connections_scan_progress_ratio") == 1 and found.get("sigma_connections_complete") == 1


def route_delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {route: count - before.get(route, 0) for route, count in after.items() if count - before.get(route, 0)}


class Neighbours:
    """Benchmarks, builds, tests and fuzzers not started by this run, and the load average, sampled
    every 5 s on a thread: what else ran on the machine meanwhile."""

    WATCHED = ("Benchmarks/run.py", "swift-build", "swift-frontend", "swift-test", "xctest", "fuzz",
               "sigma-sim", "sigma_exporter", "wrk")

    def __init__(self):
        self.seen: dict[str, int] = {}
        self.max_load = 0.0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def parent(pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return 0

    @classmethod
    def ours(cls, pid: int) -> bool:
        """This run, the processes it started, and those that started it (the shell running it)."""
        mine = os.getpid()
        ancestors, up = set(), mine
        while up > 1:
            ancestors.add(up)
            up = cls.parent(up)
        if pid in ancestors:
            return True
        while pid > 1:
            if pid == mine:
                return True
            pid = cls.parent(pid)
        return False

    def sample(self):
        self.max_load = max(self.max_load, os.getloadavg()[0])
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            line = " ".join(a.decode(errors="replace") for a in argv if a)
            hit = next((w for w in self.WATCHED if w in line), None)
            if hit is None or self.ours(int(entry.name)):
                continue
            name = hit if hit != "Benchmarks/run.py" else "another `Benchmarks/run.py`"
            self.seen[name] = self.seen.get(name, 0) + 1

    def run(self):
        while self.running:
            self.sample()
            time.sleep(5)

    def stop(self) -> tuple[list[str], float]:
        self.running = False
        self.thread.join()
        return [f"{name} ({count * 5} s)" for name, count in sorted(self.seen.items(), key=lambda i: -i[1])], \
            self.max_load


class Run:
    """One exporter process of the benchmark, on the shared simulator."""

    def __init__(self, args, procs: Processes, work: Path, sim: Simulator, org: dict, interval: int,
                 store: Path | None, log_name: str):
        self.procs, self.sim, self.store = procs, sim, store
        self.routes_before = simulator_routes(sim)
        self.started = time.time()
        extra = [f"--storage.path={store}"] if store else []
        self.process, self.port = start_exporter(
            procs, args.bin / "sigma_exporter", work, sim, org, interval, args.rate, args.concurrency,
            log_level="info", extra_args=extra, log_name=log_name)
        self.log = work / log_name
        self.timeout = interval * 2 + 120
        self.sample: Sample | None = None

    def first(self, label: str) -> Phase:
        """The first cycle: until every collector has polled once and the connections collector's
        numbers are complete (a scan spanning polls takes more than one cycle)."""
        sim_before = sum(self.routes_before.values())
        sample, cycle = wait_cycle(self.port, self.sim, None, sim_before, self.timeout, self.process)
        first_start = min(sample.last_success[c] - sample.duration[c] for c in COLLECTORS)
        polls = 1
        found = gauges(self.port)
        while not is_complete(found) and polls < 20:
            sample, _ = wait_cycle(self.port, self.sim, sample, sim_before, self.timeout, self.process)
            polls += 1
            found = gauges(self.port)
        self.sample = sample
        routes = route_delta(simulator_routes(self.sim), self.routes_before)
        end = max(sample.last_success[c] for c in COLLECTORS)
        total = Cycle(
            wall=end - first_start,
            requests=int(sum(sample.requests.values())),
            per_document=int(sum(v for (e, _), v in sample.requests.items() if PER_DOCUMENT.search(e))),
            too_many=int(sum(v for (_, code), v in sample.requests.items() if code == "429")),
            sim_requests=sum(routes.values()))
        return self.phase(label, total, end - self.started, routes, found, polls)

    def steady(self, label: str) -> Phase:
        before = simulator_routes(self.sim)
        sample, cycle = wait_cycle(self.port, self.sim, self.sample, sum(before.values()), self.timeout, self.process)
        self.sample = sample
        return self.phase(label, cycle, None, route_delta(simulator_routes(self.sim), before), gauges(self.port), 1)

    def phase(self, label, cycle, since_start, routes, found, polls) -> Phase:
        phase = Phase(label, cycle, since_start, self.sample.duration["connections"], routes, is_complete(found),
                      polls, found.get("sigma_storage_healthy"), store_size(self.store) if self.store else None)
        print(f"{label}: cycle {cycle.wall:.2f} s, {cycle.sim_requests} requests ({cycle.per_document} "
              f"per-document), connections poll {phase.connections_poll:.2f} s, complete {phase.complete}"
              + (f", {since_start:.2f} s from start" if since_start is not None else "")
              + (f", store {phase.store}" if phase.store else ""), flush=True)
        return phase

    def stop(self, how: str) -> Stop:
        started = time.monotonic()
        if how == "SIGKILL":
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            how += " (did not exit within 60 s: killed)"
        seconds = time.monotonic() - started
        self.procs.stop(self.process)
        stop = Stop(how, seconds, self.process.returncode, store_size(self.store) if self.store else (0, 0, 0))
        print(f"stopped by {how} in {seconds:.2f} s (exit {stop.returncode}), store {stop.store}", flush=True)
        return stop

    def notes(self) -> list[str]:
        """The log's warnings and errors, and what it said about the store and the first scan."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        keep = [line for line in lines if "level=warn" in line or "level=error" in line
                or "First scan" in line or "store" in line.lower() or "restart" in line.lower()]
        return [f"{self.log.name}: {line[:300]}" for line in keep[:6]]


def restart_run(args, procs: Processes, work: Path) -> RestartResult:
    started = time.monotonic()
    documents = args.restart_documents
    org_file = work / f"org-{documents}.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(documents), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, args.latency, args.rate)
    # As the sizes benchmark: the first cycle ends well before the second starts.
    interval = max(20, math.ceil((documents * 1.1 / args.rate + 5) * 1.5))
    result = RestartResult(documents, len(org["connections"]), interval)
    store = work / "store"
    neighbours = Neighbours()
    runs: list[Run] = []
    try:
        run = Run(args, procs, work, sim, org, interval, store, "exporter-1.log")
        runs.append(run)
        result.phases.append(run.first("with the store: first cycle (full scan)"))
        result.phases.append(run.steady("with the store: steady cycle"))
        result.stops.append(run.stop("SIGTERM"))

        run = Run(args, procs, work, sim, org, interval, store, "exporter-2.log")
        runs.append(run)
        result.phases.append(run.first("after SIGTERM and restart: first cycle"))
        result.phases.append(run.steady("after SIGTERM and restart: steady cycle"))
        result.stops.append(run.stop("SIGKILL"))

        run = Run(args, procs, work, sim, org, interval, store, "exporter-3.log")
        runs.append(run)
        result.phases.append(run.first("after SIGKILL and restart: first cycle"))
        result.stops.append(run.stop("SIGTERM"))

        run = Run(args, procs, work, sim, org, interval, None, "exporter-4.log")
        runs.append(run)
        result.phases.append(run.first("without the store: first cycle (full scan)"))
        result.phases.append(run.steady("without the store: steady cycle"))
        result.stops.append(run.stop("SIGTERM"))
    finally:
        result.neighbours, result.max_load = neighbours.stop()
        for run in runs:
            result.log_notes += run.notes()
            if run.process.poll() is None:
                procs.stop(run.process)
        procs.stop(sim.process)
        org_file.unlink(missing_ok=True)
    result.elapsed = time.monotonic() - started
    for note in result.log_notes:
        print(note, flush=True)
    # The measurements themselves, to write the report again from (see `result_from_json`).
    print("restart result:", json.dumps(dataclasses.asdict(result)), flush=True)
    return result


def result_from_json(text: str) -> RestartResult:
    data = json.loads(text)
    phases = [Phase(**{**p, "cycle": Cycle(**p["cycle"]), "store": tuple(p["store"]) if p["store"] else None})
              for p in data.pop("phases")]
    stops = [Stop(**{**s, "store": tuple(s["store"])}) for s in data.pop("stops")]
    return RestartResult(**data, phases=phases, stops=stops)


def commit_of(binary_folder: Path) -> str:
    """The commit the binaries were built from: the checkout that holds the build folder."""
    try:
        out = subprocess.run(["git", "-C", str(binary_folder), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def kib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


def store_text(store: tuple[int, int, int] | None) -> str:
    if store is None:
        return ""
    sqlite, wal, shm = store
    return f"{kib(sqlite + wal)} ({kib(sqlite)} + {kib(wal)} WAL)"


def restart_report(args, result: RestartResult) -> str:
    by = {p.label: p for p in result.phases}
    first = by.get("with the store: first cycle (full scan)")
    steady = by.get("with the store: steady cycle")
    after = by.get("after SIGTERM and restart: first cycle")
    after_steady = by.get("after SIGTERM and restart: steady cycle")
    killed = by.get("after SIGKILL and restart: first cycle")
    bare_first = by.get("without the store: first cycle (full scan)")
    bare = by.get("without the store: steady cycle")
    command = "python3 Benchmarks/run.py --restart" + \
        (f" --restart-documents {args.restart_documents}" if args.restart_documents != 100000 else "")
    lines = ["## Restart of an unchanged organisation (`--storage.path`)", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `{command}` in "
             f"{result.elapsed / 60:.1f} minutes, on commit {commit_of(args.bin)} (release build as shipped), on:", "",
             *machine(args.bin / "sigma_exporter"), "",
             f"{result.documents:,} documents, {result.connections} connections, as in Polling; simulator "
             f"{args.latency} ms per request and {args.rate:g} requests/s per credential, exporter "
             f"`max_requests_per_second: {args.rate:g}`, `max_concurrency: {args.concurrency}`, "
             f"`--poll.interval={result.interval}s`, `--log.level=info`. One simulator throughout; one exporter "
             "at a time: with `--storage.path` on a fresh folder (full scan, a steady cycle, SIGTERM), restarted on "
             "the same store (first cycle, a steady cycle, SIGKILL), restarted on what the SIGKILL left (first "
             "cycle), then without `--storage.path` (full scan, a steady cycle). A first cycle lasts until every "
             "collector has polled and the connections collector's numbers are complete "
             "(`sigma_connections_scan_progress_ratio` 1, `sigma_connections_complete` 1); \"from start\" counts "
             "from the process's start, so it includes opening the store. Cycle and connections poll: the "
             "exporter's own `sigma_collector_duration_seconds` and `..._last_success_timestamp_seconds`; requests: "
             "the simulator's counts (per-document: sources and table lookups).", "",
             "| run | cycle | from start | connections poll | requests | per-document | exporter's count | "
             "store on disk after (.sqlite + -wal) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for p in result.phases:
        since = f"{p.since_start:.2f} s" if p.since_start is not None else ""
        if p.polls > 1:
            since += f" ({p.polls} polls)"
        if not p.complete:
            since += " (incomplete)"
        per_doc = sum(v for route, v in p.routes.items() if PER_DOCUMENT_ROUTE.search(route))
        lines.append(f"| {p.label} | {p.cycle.wall:.2f} s | {since} | {p.connections_poll:.2f} s | "
                     f"{sum(p.routes.values()):,} | {per_doc:,} | {p.cycle.requests:,} | {store_text(p.store)} |")
    lines += ["", "Stops: " + "; ".join(
        f"{s.how}: exited in {s.seconds:.2f} s with {s.returncode}" + (f", store then {store_text(s.store)}"
                                                                      if any(s.store) else "")
        for s in result.stops) + ".", ""]

    routes = sorted({r for p in result.phases for r in p.routes})
    lines += ["Requests by route (the simulator's counts):", "",
              "| route | " + " | ".join(p.label for p in result.phases) + " |",
              "|---|" + "---:|" * len(result.phases)]
    for route in routes:
        lines.append(f"| `{route}` | " + " | ".join(f"{p.routes.get(route, 0):,}" for p in result.phases) + " |")
    lines.append("")

    summary = []
    if after and steady:
        summary.append(
            f"The first cycle after a SIGTERM and restart took {after.cycle.wall:.2f} s "
            f"({after.since_start:.2f} s from the process's start) and {sum(after.routes.values()):,} requests, "
            f"against {steady.cycle.wall:.2f} s and {sum(steady.routes.values()):,} for the steady cycle before "
            f"the restart and {first.cycle.wall:.2f} s and {sum(first.routes.values()):,} for the full scan")
    if killed:
        summary.append(f"after a SIGKILL, {killed.cycle.wall:.2f} s and {sum(killed.routes.values()):,} requests")
    if bare and steady:
        stores = [x for x in (after_steady,) if x]
        summary.append(
            f"the steady connections poll took {steady.connections_poll:.2f} s with the store"
            + (f" ({stores[0].connections_poll:.2f} s after the restart)" if stores else "")
            + f" and {bare.connections_poll:.2f} s without it (cycles {steady.cycle.wall:.2f} s"
            + (f" and {stores[0].cycle.wall:.2f} s" if stores else "") + f" against {bare.cycle.wall:.2f} s)")
    if bare_first and first:
        summary.append(f"the full scan {first.cycle.wall:.2f} s with the store against {bare_first.cycle.wall:.2f} s "
                       "without")
    sizes = [p.store for p in result.phases if p.store] + [s.store for s in result.stops if any(s.store)]
    if sizes:
        largest = max(sizes, key=lambda s: s[0] + s[1])
        summary.append(f"the store's largest size on disk {store_text(largest)} "
                       f"({(largest[0] + largest[1]) / result.documents:,.0f} bytes per document; the -shm beside "
                       f"it at most {kib(max(s[2] for s in sizes))})")
    if summary:
        lines += [summary[0] + "; " + "; ".join(summary[1:]) + ".", ""]
    unhealthy = [p.label for p in result.phases if p.storage_healthy is not None and p.storage_healthy != 1]
    if unhealthy:
        lines += [f"`sigma_storage_healthy` was not 1 after: {', '.join(unhealthy)}.", ""]
    rescans = [p for p in (after, killed) if p and sum(v for r, v in p.routes.items() if PER_DOCUMENT_ROUTE.search(r))]
    if rescans:
        lines += ["**Finding:** a first cycle after a restart read per-document routes (" + ", ".join(
            f"{p.label}: {sum(v for r, v in p.routes.items() if PER_DOCUMENT_ROUTE.search(r)):,}" for p in rescans)
            + "): the store did not spare it the scan.", ""]
    lines += [f"Meanwhile on the machine (sampled every 5 s, not this run's processes): "
              f"{', '.join(result.neighbours) if result.neighbours else 'no other benchmark, build, test or fuzzer'}; "
              f"highest 1-minute load average {result.max_load:.2f} on {os.cpu_count()} CPUs.", ""]
    return "\n".join(lines)
