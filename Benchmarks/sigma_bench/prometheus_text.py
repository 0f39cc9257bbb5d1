"""Reading the exporter's own /metrics (Prometheus text format): each collector's success, last
success time and duration, and the API requests it counted per route and status code. Cycles are
timed and requests counted from these, as the exporter reports them."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from .common import Broken, http


@dataclass
class Sample:
    """One reading of the exporter's /metrics."""
    success: dict[str, float] = field(default_factory=dict)
    last_success: dict[str, float] = field(default_factory=dict)
    duration: dict[str, float] = field(default_factory=dict)
    requests: dict[tuple[str, str], float] = field(default_factory=dict)


def scrape(port: int) -> Sample:
    status, body = http(f"http://127.0.0.1:{port}/metrics", timeout=10)
    if status != 200:
        raise Broken(f"/metrics answered {status}")
    sample = Sample()
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            collector = s.labels.get("collector")
            if s.name == "sigma_collector_success":
                sample.success[collector] = s.value
            elif s.name == "sigma_collector_last_success_timestamp_seconds":
                sample.last_success[collector] = s.value
            elif s.name == "sigma_collector_duration_seconds":
                sample.duration[collector] = s.value
            elif s.name == "sigma_api_requests_total":
                sample.requests[(s.labels["route"], s.labels["code"])] = s.value
    return sample
