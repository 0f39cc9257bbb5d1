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
    python3 Benchmarks/run.py --restart      # a restart with --storage.path at 100,000 documents, ~20 minutes

The code is the package beside this file, Benchmarks/sigma_bench/: one module per benchmark (sizes,
idle, metrics_throughput, long_scan, check, inaccessible, foundation, restart; full_run is the
default run) and the shared process, measurement, /metrics-parsing and Markdown helpers apart.
"""

import sys

from sigma_bench.cli import main

if __name__ == "__main__":
    sys.exit(main(__doc__))
