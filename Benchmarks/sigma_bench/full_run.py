"""The default run (no single-benchmark flag): idle memory, every organisation size of `--sizes`, and
/metrics beside nginx and the pushgateway (unless `--skip-metrics`); and its report, the Polling,
/metrics and Idle memory sections of BENCHMARKS.md."""

from __future__ import annotations

import time
from pathlib import Path

from .common import USEFUL_CONCURRENCY, mib
from .idle import Idle, idle_memory
from .markdown import machine
from .memory import binary_size
from .metrics_throughput import WrkResult, metrics_comparison
from .processes import Processes
from .sizes import SizeResult, run_size


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
             "steady requests (per-document) | after 1% changed | requests (per-document) | "
             "steady, some failing for good | requests (per-document) | VmHWM MiB | "
             "VmRSS after a cycle MiB | VmRSS between cycles MiB | bytes/document | anonymous peak MiB | "
             "anonymous between cycles MiB | PSS between cycles MiB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sizes:
        per_doc = (r.between_kib - idle.status["VmRSS"]) * 1024 / r.documents
        too_many = r.first.too_many + r.steady.too_many + r.changed.too_many + r.failing.too_many
        lines.append(
            f"| {r.documents:,} | {r.connections} | {r.first.wall:.2f} s | {r.first.requests:,} | {r.bound:.2f} s | "
            f"{r.first.wall / r.bound:.3f} | {too_many} | {r.steady.wall:.2f} s | {r.steady.requests} "
            f"({r.steady.per_document}) | {r.changed.wall:.2f} s | {r.changed.requests} ({r.changed.per_document}) | "
            f"{r.failing.wall:.2f} s ({r.failing_documents} failing) | {r.failing.requests} ({r.failing.per_document}) | "
            f"{mib(r.peak_kib)} | {mib(r.steady_kib)} | {mib(r.between_kib)} | {per_doc:,.0f} | "
            f"{mib(r.peak_anon_kib)} | {mib(r.between_anon_kib)} | {mib(r.between_pss_kib)} |")
    lines += ["", "Some failing for good: the cycle after the 1% change, in which that many of the changed "
              "workbooks answer 500 to their sources for good (at most 50, a quarter of those changed): they "
              "are asked again alone, and the cycle succeeds. VmHWM: the peak, over all cycles. VmRSS after a "
              "cycle: right after the fourth; between cycles: before the third starts, once the second's "
              "listings have expired. bytes/document: "
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
