"""Writing the Markdown report: the full run's report (keeping the sections only their own runs
write), one section replaced or appended for the single-benchmark runs, and the lines describing
the machine, the tools and how the exporter links the Swift runtime."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from pathlib import Path


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
