"""The processes a benchmark runs and how they are started and stopped: the simulator (`sigma-sim`,
with its latency and rate limit, its request counts and its document touches), the organisation
sizes it generates, and the release exporter as a separate process (as in production) with a
configuration for the simulated organisation: the crawler and an Admin inventory credential."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import Broken, free_port, http, wait_for


class Processes:
    """Every process the benchmark starts, stopped on exit."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, argv: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, **kwargs)
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in list(self.running):
            self.stop(process)


@dataclass
class Simulator:
    process: subprocess.Popen
    api: str
    control: str


def start_simulator(procs: Processes, binary: Path, org_file: Path | None, latency: int, rate: float) -> Simulator:
    argv = [str(binary), "--host", "127.0.0.1", "--port", "0", "--control", "0"]
    if org_file:
        argv += ["--org-file", str(org_file)]
    if latency:
        argv += ["--latency", str(latency)]
    if rate:
        argv += ["--rate-limit", str(rate)]
    process = procs.start(argv, stdout=subprocess.PIPE, text=True)
    api = control = None
    deadline = time.monotonic() + 180
    while (api is None or control is None) and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise Broken(f"sigma-sim exited early ({process.poll()})")
        if match := re.search(r"simulated Sigma API on (http://\S+)", line):
            api = match.group(1)
        if match := re.search(r"control surface: (http://\S+)", line):
            control = match.group(1)
    if api is None or control is None:
        raise Broken("sigma-sim did not print its addresses")
    return Simulator(process, api, control)


def credentials(org: dict) -> tuple[tuple[str, str], tuple[str, str]]:
    """The crawler's (non-admin) and an admin's credential from an organisation file."""
    members = {m["memberId"]: m for m in org["members"]}
    crawler = admin = None
    for credential in org["credentials"]:
        owner = members.get(credential["ownerId"], {})
        if owner.get("isArchived") or credential.get("isRevoked"):
            continue
        pair = (credential["clientId"], credential["clientSecret"])
        if owner.get("memberType") == "admin":
            admin = admin or pair
        else:
            crawler = crawler or pair
    if crawler is None or admin is None:
        raise Broken("the organisation has no crawler and admin credentials")
    return crawler, admin


def write_config(work: Path, sim: Simulator, org: dict, rate: float, concurrency: int) -> Path:
    """The exporter's configuration for the simulated organisation: the crawler and an admin inventory."""
    (crawler_id, crawler_secret), (admin_id, admin_secret) = credentials(org)
    (work / "crawler.secret").write_text(crawler_secret)
    (work / "admin.secret").write_text(admin_secret)
    (work / "exporter.yml").write_text(f"""poll:
  request_timeout: 30s
  max_concurrency: {concurrency}
  max_requests_per_second: {rate:g}
organizations:
  - name: bench
    base_url: {sim.api}
    client_id: {crawler_id}
    client_secret_file: {work / "crawler.secret"}
    inventory:
      client_id: {admin_id}
      client_secret_file: {work / "admin.secret"}
""")
    return work / "exporter.yml"


def start_exporter(procs: Processes, binary: Path, work: Path, sim: Simulator, org: dict,
                   interval: int, rate: float, concurrency: int, log_level: str = "warn",
                   env: dict[str, str] | None = None, extra_args: list[str] | None = None,
                   log_name: str = "exporter.log") -> tuple[subprocess.Popen, int]:
    """`extra_args` go after the usual flags (e.g. `--storage.path=DIR`); the log is `work / log_name`."""
    config = write_config(work, sim, org, rate, concurrency)
    port = free_port()
    log = work / log_name
    process = procs.start(
        [str(binary), f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
         f"--poll.interval={interval}s", f"--log.level={log_level}", *(extra_args or [])],
        stderr=open(log, "w"), env=env)
    wait_for(lambda: process.poll() is not None or _listening(port), 60, "the exporter to listen")
    if process.poll() is not None:
        raise Broken(f"the exporter exited: {log.read_text()[-2000:]}")
    return process, port


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def simulator_routes(sim: Simulator) -> dict[str, int]:
    """The simulator's request counts per route template, since it started."""
    status, body = http(f"{sim.control}/requests")
    if status != 200:
        raise Broken(f"the simulator's request counts answered {status}")
    return {route: int(count) for route, count in json.loads(body).items()}


def simulator_requests(sim: Simulator) -> int:
    return sum(simulator_routes(sim).values())


def touch(sim: Simulator, ids: list[str]):
    for document_id in ids:
        status, _ = http(f"{sim.control}/documents/{document_id}/touch", method="POST", body=b"")
        if status != 200:
            raise Broken(f"touching document {document_id} answered {status}")


def fail_for_good(sim: Simulator, workbook_ids: list[str]):
    """The simulator answers 500 to these workbooks' sources from now on."""
    if not workbook_ids:
        return
    fault = {"endpoint": "/v2/workbooks/{workbookId}/sources", "kind": "status", "status": 500, "ids": workbook_ids}
    status, _ = http(f"{sim.control}/faults", method="POST", body=json.dumps(fault).encode())
    if status != 200:
        raise Broken(f"injecting the failing documents' fault answered {status}")


def sizes_for(documents: int) -> list[str]:
    """Generator flags for `documents` documents, everything else in proportion."""
    workbooks = documents * 70 // 100
    datasets = documents * 15 // 100
    data_models = documents - workbooks - datasets
    return ["--workbooks", str(workbooks), "--datasets", str(datasets), "--data-models", str(data_models),
            "--connections", str(max(6, documents // 1000)), "--members", str(max(12, documents // 250)),
            "--teams", str(max(4, documents // 2500)), "--workspaces", str(max(6, documents // 2000))]
