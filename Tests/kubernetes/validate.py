#!/usr/bin/env python3
"""Validates deploy/kubernetes without a cluster: renders every kustomization, checks the core
kinds against the Kubernetes API schemas (the PyPI package kubernetes-validate) and the
ServiceMonitor and PrometheusRule against the Prometheus Operator's CRD schemas
(../shared/kubernetes-crds, JSON Schema), then what the schemas cannot say: the container runs
as non-root on a read-only root filesystem with no capabilities, its probes reach /-/healthy and
/-/ready on the port the Service and the ServiceMonitor use, the secrets are files from a Secret,
the rules' job is the Service's name, and the dashboard ConfigMap carries the sidecar's label.

Usage: validate.py [KUSTOMIZATION_DIR ...] (default: the base and every overlay)
"""
import glob
import os
import shutil
import subprocess
import sys

import jsonschema
import kubernetes_validate
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CRDS = os.path.join(ROOT, "..", "shared", "kubernetes-crds")
KUBERNETES_VERSION = "1.32.0"


def render(directory):
    if shutil.which("kustomize"):
        command = ["kustomize", "build", directory]
    else:
        command = ["kubectl", "kustomize", directory]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)}: {result.stderr.strip()}")
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def python_patterns(schema):
    """The CRDs' patterns are Go regular expressions; Python wants inline flags first."""
    if isinstance(schema, dict):
        return {k: (v.replace("^(?i)", "(?i)^") if k == "pattern" and isinstance(v, str) else python_patterns(v))
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [python_patterns(v) for v in schema]
    return schema


def crd_schemas():
    schemas = {}
    for path in glob.glob(os.path.join(CRDS, "*.yaml")):
        crd = yaml.safe_load(open(path))
        kind = crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = python_patterns(version["schema"]["openAPIV3Schema"])
            schemas[(f"{crd['spec']['group']}/{version['name']}", kind)] = schema
    if not schemas:
        sys.exit(f"FAIL: no CRD schemas under {CRDS}")
    return schemas


def check(directory, schemas):
    problems = []
    documents = render(directory)
    by_kind = {}
    for document in documents:
        kind, name = document["kind"], document["metadata"]["name"]
        by_kind.setdefault(kind, []).append(document)
        key = (document["apiVersion"], kind)
        if key in schemas:
            try:
                jsonschema.Draft7Validator(schemas[key]).validate(document)
            except jsonschema.ValidationError as error:
                problems.append(f"{kind}/{name}: {error.message} at {list(error.absolute_path)}")
        else:
            try:
                kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                problems.append(f"{kind}/{name}: {error.message} at {list(error.path)}")
            except kubernetes_validate.SchemaNotFoundError:
                problems.append(f"{kind}/{name}: no schema for {key}")

    def one(kind):
        found = by_kind.get(kind, [])
        if len(found) != 1:
            problems.append(f"expected one {kind}, found {len(found)}")
            return None
        return found[0]

    deployment, service = one("Deployment"), one("Service")
    monitor, rule = one("ServiceMonitor"), one("PrometheusRule")
    if deployment and service:
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        security = container.get("securityContext", {})
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problems.append("the pod does not require a non-root user")
        if not security.get("readOnlyRootFilesystem"):
            problems.append("the root filesystem is writable")
        if security.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append("capabilities are not all dropped")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append("privilege escalation is allowed")
        for probe, path in (("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")):
            if container.get(probe, {}).get("httpGet", {}).get("path") != path:
                problems.append(f"{probe} does not probe {path}")
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        listen = [a for a in container["args"] if a.startswith("--web.listen-address=")]
        if not listen or int(listen[0].rsplit(":", 1)[1]) != ports.get("http"):
            problems.append("--web.listen-address is not the container's http port")
        if not all(k in container.get("resources", {}).get(s, {}) for s, k in
                   (("requests", "memory"), ("requests", "cpu"), ("limits", "memory"))):
            problems.append("requests (cpu, memory) and a memory limit are not all set")
        if any(e.get("name", "").endswith("SECRET") for e in container.get("env", [])):
            problems.append("a secret is passed in an environment variable, not a file")
        if not any("secret" in v for v in pod["volumes"]):
            problems.append("no Secret is mounted for the credentials")
        selector = service["spec"]["selector"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            problems.append("the Service does not select the Deployment's pods")
        if [p["targetPort"] for p in service["spec"]["ports"]] != ["http"]:
            problems.append("the Service does not target the container's http port")
    if monitor and service:
        wanted = monitor["spec"]["selector"]["matchLabels"]
        if any(service["metadata"].get("labels", {}).get(k) != v for k, v in wanted.items()):
            problems.append("the ServiceMonitor does not select the Service")
        if [e["port"] for e in monitor["spec"]["endpoints"]] != [p["name"] for p in service["spec"]["ports"]]:
            problems.append("the ServiceMonitor does not scrape the Service's port")
    if rule and service:
        job = f'up{{job="{service["metadata"]["name"]}"}}'
        exprs = [r.get("expr", "") for g in rule["spec"]["groups"] for r in g["rules"]]
        if not any(job in e for e in exprs):
            problems.append(f"the PrometheusRule does not select the Operator's job {job}")
    dashboards = [c for c in by_kind.get("ConfigMap", []) if c["metadata"].get("labels", {}).get("grafana_dashboard")]
    if len(dashboards) != 1:
        problems.append("no ConfigMap carries the dashboard with the label grafana_dashboard")
    return documents, problems


def main():
    directories = sys.argv[1:] or [os.path.join(ROOT, "deploy", "kubernetes", "base")] + sorted(
        glob.glob(os.path.join(ROOT, "deploy", "kubernetes", "overlays", "*")))
    schemas = crd_schemas()
    failed = False
    for directory in directories:
        documents, problems = check(directory, schemas)
        name = os.path.relpath(directory, ROOT)
        for problem in problems:
            print(f"FAIL: {name}: {problem}")
        if problems:
            failed = True
        else:
            kinds = ", ".join(sorted(f"{d['kind']}/{d['metadata']['name']}" for d in documents))
            print(f"ok: {name}: {kinds}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
