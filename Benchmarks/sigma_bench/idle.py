"""The exporter's idle memory on the demo organisation after its first cycle, and where it goes
(resident memory per mapping): the floor every organisation size adds to, and the baseline of the
polling table's bytes per document."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .cycles import wait_cycle
from .memory import proc_status, smaps_breakdown
from .processes import Processes, start_exporter, start_simulator


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
