"""The sigma_exporter benchmark, run by `Benchmarks/run.py` (see its docstring for what it measures
and how to run it). One module per benchmark, and the helpers they share apart:

  benchmarks    sizes (polling cycles and memory per organisation size), idle (idle memory and where
                it goes), metrics_throughput (/metrics under wrk beside nginx and the pushgateway),
                full_run (the default run of those three and its report), long_scan (--long-scan),
                check (--check), inaccessible (--inaccessible), foundation (--foundation),
                restart (--restart)
  shared        common (constants, Broken, HTTP and waiting), processes (simulator and exporter
                processes, their configuration), cycles (one polling cycle measured),
                prometheus_text (reading the exporter's /metrics), memory (/proc measurements),
                markdown (writing the report), cli (the flags and which benchmark runs)
"""
