"""Polling at one organisation size: the first full cycle against its lower bound, the next cycle of
the unchanged organisation (list pages only), the one after 1% of the documents changed, and the
exporter's peak, steady, between-cycles and anonymous memory. This is what the exporter costs an
organisation of that size, and it fails the run when a steady cycle reads per-document routes or
the exporter's and the simulator's request counts disagree."""

from __future__ import annotations

import json
import math
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import COLLECTORS, USEFUL_CONCURRENCY, Broken
from .cycles import Cycle, wait_cycle
from .memory import PeakAnon, proc_status
from .processes import (Processes, fail_for_good, simulator_requests, sizes_for, start_exporter, start_simulator,
                        touch)


@dataclass
class SizeResult:
    documents: int
    connections: int
    first: Cycle
    bound: float
    steady: Cycle
    changed: Cycle
    changed_documents: int
    failing: Cycle
    failing_documents: int
    peak_kib: int
    steady_kib: int
    between_kib: int
    peak_anon_kib: int = 0
    between_anon_kib: int = 0
    between_pss_kib: int = 0


def in_scope_workbook(document: dict, org: dict) -> bool:
    """A workbook the exporter reads the sources of: not archived, not an exploration, and not
    personal (no folder above it is a member's "My Documents")."""
    if document.get("kind") != "workbook" or document.get("isArchived") or document.get("isExploration"):
        return False
    folders = {f["id"]: f for f in org["folders"]}
    folder = folders.get(document.get("folderId"))
    while folder is not None:
        if folder.get("kind") == "home":
            return False
        folder = folders.get(folder.get("parentId"))
    return True


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
        # Some of the changed workbooks fail for good from now on (a 500 on their sources): at most
        # 50, and a quarter of what changed, so the changed cycle's fresh failures are no outage.
        in_scope = {d["id"] for d in org["documents"] if in_scope_workbook(d, org)}
        failing_ids = [i for i in changed_ids if i in in_scope][:min(50, max(1, len(changed_ids) // 4))]
        fail_for_good(sim, failing_ids)
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
        # The next cycle of the now unchanged organisation asks the failing documents again, alone,
        # and succeeds: documents that fail for good never freeze the collector.
        sim_before = simulator_requests(sim)
        sample, failing = wait_cycle(port, sim, sample, sim_before, interval * 2 + 60, exporter)
        if failing.per_document != len(failing_ids):
            raise Broken(f"with {len(failing_ids)} documents failing for good a steady cycle made "
                         f"{failing.per_document} per-document requests")
        memory = proc_status(exporter.pid)
        for cycle in (first, steady, changed, failing):
            if cycle.requests != cycle.sim_requests:
                raise Broken(f"the exporter counted {cycle.requests} requests, the simulator {cycle.sim_requests}")
        return SizeResult(documents, len(org["connections"]), first, bound, steady, changed, len(changed_ids),
                          failing, len(failing_ids), memory["VmHWM"], memory["VmRSS"], between, peak_anon.stop(),
                          between_status["RssAnon"], between_status["Pss"])
    finally:
        peak_anon.running = False
        procs.stop(exporter)
        procs.stop(sim.process)
        org_file.unlink(missing_ok=True)
