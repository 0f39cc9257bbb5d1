"""/metrics under wrk: the exporter's /metrics (plain and gzip) after polling a 1,000-document
organisation, beside nginx serving the same bytes as a static file and prometheus-pushgateway
holding the same families, so its throughput and latency read against servers people know."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .common import Broken, free_port, http, wait_for
from .cycles import wait_cycle
from .processes import Processes, _listening, sizes_for, start_exporter, start_simulator


@dataclass
class WrkResult:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    body_bytes: int


def wrk(name: str, url: str, seconds: int, body_bytes: int, headers: list[str] = ()) -> WrkResult:
    argv = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency"]
    for header in headers:
        argv += ["-H", header]
    output = subprocess.run([*argv, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", output)
    if errors:
        raise Broken(f"wrk against {name} saw errors: {errors.group(0)}")

    def percentile(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return WrkResult(name, rps, percentile("50"), percentile("99"), body_bytes)


def metrics_comparison(args, procs: Processes, work: Path) -> list[WrkResult]:
    """The exporter's /metrics beside nginx (same bytes, static) and pushgateway (same families)."""
    org_file = work / "metrics-org.json"
    subprocess.run([str(args.bin / "sigma-sim"), *sizes_for(1000), "--dump-org", str(org_file)], check=True)
    org = json.loads(org_file.read_text())
    sim = start_simulator(procs, args.bin / "sigma-sim", org_file, 0, 0)
    exporter, port = start_exporter(procs, args.bin / "sigma_exporter", work, sim, org, 900, 500, 16)
    try:
        wait_cycle(port, sim, None, 0, 300, exporter)
        _, body = http(f"http://127.0.0.1:{port}/metrics")
        _, gzipped = http(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"})
        results = [wrk("sigma_exporter", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(body)),
                   wrk("sigma_exporter (gzip)", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(gzipped),
                       ["Accept-Encoding: gzip"])]
    finally:
        procs.stop(exporter)
        procs.stop(sim.process)
    results.append(nginx(args, procs, work, body))
    results.append(pushgateway(args, procs, work, body))
    return results


def nginx(args, procs: Processes, work: Path, body: bytes) -> WrkResult:
    root = work / "www"
    root.mkdir(exist_ok=True)
    (root / "metrics").write_bytes(body)
    for path in (work, root, root / "metrics"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # workers may run as nobody
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-body;
  proxy_temp_path {work}/nginx-proxy;
  fastcgi_temp_path {work}/nginx-fastcgi;
  uwsgi_temp_path {work}/nginx-uwsgi;
  scgi_temp_path {work}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location = /metrics {{ default_type "text/plain; version=0.0.4; charset=utf-8"; }}
  }}
}}
""")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = procs.start([binary, "-c", str(conf), "-p", str(work)], stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening(port), 30, "nginx to listen")
        status, served = http(f"http://127.0.0.1:{port}/metrics")
        if status != 200 or served != body:
            raise Broken(f"nginx did not serve the copied body ({status})")
        return wrk("nginx (static copy)", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(body))
    finally:
        procs.stop(process)


def pushgateway(args, procs: Processes, work: Path, body: bytes) -> WrkResult:
    # The pushgateway exports its own process_* families; push every other family.
    text = body.decode()
    families = re.split(r"(?m)^(?=# HELP )", text)
    pushed = "".join(f for f in families if f and not f.startswith("# HELP process_"))
    port = free_port()
    binary = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
    if binary is None:
        raise Broken("prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)")
    process = procs.start([binary, f"--web.listen-address=127.0.0.1:{port}",
                           f"--persistence.file={work / 'pushgateway.db'}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening(port), 30, "pushgateway to listen")
        status, answer = http(f"http://127.0.0.1:{port}/metrics/job/sigma_exporter", method="PUT",
                              body=pushed.encode(), headers={"Content-Type": "text/plain; version=0.0.4"})
        if status not in (200, 202):
            raise Broken(f"pushgateway refused the push: {status} {answer[:300]!r}")
        _, served = http(f"http://127.0.0.1:{port}/metrics")
        for name in re.findall(r"(?m)^# TYPE (\S+)", pushed):
            if f"# TYPE {name} " not in served.decode():
                raise Broken(f"pushgateway does not serve the pushed family {name}")
        return wrk("prometheus-pushgateway", f"http://127.0.0.1:{port}/metrics", args.wrk_seconds, len(served))
    finally:
        procs.stop(process)
