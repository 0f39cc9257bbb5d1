"""Memory measurement of a running process, from /proc: VmHWM, VmRSS, its anonymous and
file-backed parts and PSS; the peak of the anonymous part, sampled on a thread; resident memory per
mapping; and the size of a binary stripped as the image ships it.

Anonymous memory and PSS are what a user pays for; VmRSS also counts clean program pages the
kernel drops and reloads as it pleases, so the benchmarks report all of them."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path


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
