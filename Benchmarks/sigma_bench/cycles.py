"""One polling cycle (every collector's poll, from the first start to the last end), measured from
the exporter's own metrics: its wall time, requests, per-document requests and 429s, and the
simulator's count of the same requests (the sizes benchmark fails the run when the two disagree)."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass

from .common import COLLECTORS, PER_DOCUMENT, Broken, http, wait_for
from .prometheus_text import Sample, scrape
from .processes import Simulator, simulator_requests


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
                raise Broken(f"collector {collector} failed its poll: {last_error(port, collector)}")
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


def last_error(port: int, collector: str) -> str:
    """The collector's last error as the landing page shows it (the exporter's log has it too)."""
    _, body = http(f"http://127.0.0.1:{port}/")
    match = re.search(rf"<li>{collector}: failing[^<]*", body.decode(errors="replace"))
    return html.unescape(match.group(0)[4:]) if match else "see the exporter's log"
