"""The command line of `Benchmarks/run.py`: its flags, the check that the release binaries exist,
which benchmark runs (one of the single-section flags, or the full run), and where its report is
written. Every process started is stopped on exit, and a Broken run exits 1."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from .check import check_report, check_run
from .common import ROOT, Broken
from .foundation import foundation_report
from .full_run import full_run
from .inaccessible import inaccessible_report, inaccessible_run
from .long_scan import long_scan, long_scan_report
from .markdown import write_report, write_section
from .processes import Processes
from .restart import restart_report, restart_run


def main(doc: str) -> int:
    """Parses the flags, runs the benchmark they name and writes its report; returns the exit status.
    `doc` is run.py's docstring: its first paragraph is --help's description."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
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
    parser.add_argument("--restart", action="store_true",
                        help="only a restart of an unchanged organisation with --storage.path (first cycle after "
                        "SIGTERM and SIGKILL, store size, steady poll with and without the store), its own section "
                        "of --out")
    parser.add_argument("--restart-documents", type=int, default=100000)
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
            elif args.restart:
                text = restart_report(args, restart_run(args, procs, work))
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
    if args.check or args.long_scan or args.inaccessible or args.foundation or args.restart:
        write_section(args.out, text)  # one section of the report; the rest stays
    else:
        write_report(args.out, text)
    return 0
