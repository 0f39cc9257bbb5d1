#!/usr/bin/env python3
"""Validates deploy/kubernetes without a cluster: renders every kustomization, checks the core
kinds against the Kubernetes API schemas (the PyPI package kubernetes-validate) and the
ServiceMonitor, PrometheusRule and AlertmanagerConfig against the Prometheus Operator's CRD
schemas (../shared/kubernetes-crds, JSON Schema), then what the schemas cannot say: the container
runs as non-root on a read-only root filesystem with no capabilities, its probes reach /-/healthy
and /-/ready on the port the Service and the ServiceMonitor use, the secrets are files from a
Secret, the configuration is a ConfigMap without a hashed name mounted as a folder (so an edit
reloads in place), an overlay's `images:` entry changes the image, the rules' job and namespace
are the Service's (after any namePrefix, nameSuffix or namespace), the rule tests with the
Operator's target labels pass on the rendered PrometheusRule, an AlertmanagerConfig has the
inhibit rules of docker/alertmanager.yml, the dashboard ConfigMap carries the sidecar's label, and
the store (--storage.path) is a writable volume the non-root user owns through fsGroup: an emptyDir,
or a ReadWriteOnce PersistentVolumeClaim of the same rendering, in the Deployment's namespace,
mounted by one replica that is stopped before the next starts (Recreate).
Run without arguments, it also requires an overlay that renames the Service and brings the
AlertmanagerConfig component, an overlay that keeps the store on a PersistentVolumeClaim, and that
every alert fires with its namespace in the Operator tests.

Usage: validate.py [KUSTOMIZATION_DIR ...] (default: the base and every overlay)
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import kubernetes_validate
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CRDS = os.path.join(ROOT, "..", "shared", "kubernetes-crds")
KUBERNETES_VERSION = "1.32.0"
RULES = os.path.join(ROOT, "dashboards", "sigma-exporter.rules.yml")
OPERATOR_TESTS = os.path.join(ROOT, "dashboards", "sigma-exporter.rules.operator.test.yml")
COMPOSE_ALERTMANAGER = os.path.join(ROOT, "docker", "alertmanager.yml")
# The job and namespace the Operator tests are written for (the base's).
TESTS_JOB, TESTS_NAMESPACE = "sigma-exporter", "monitoring"
# The two selectors the rules make of the job and namespace (the recording rule, SigmaExporterAbsent).
SELECTORS = [r'\bup\{job="([^"]*)",namespace="([^"]*)"\}',
             r'absent\(instance:sigma_exporter_up:max\{job="([^"]*)",namespace="([^"]*)"\}\)']


class CRDLoader(yaml.SafeLoader):
    """YAML 1.1 reads a bare `=` (an enum value of AlertmanagerConfig's matchType) as a `value` tag."""


CRDLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def render(directory):
    if shutil.which("kustomize"):
        command = ["kustomize", "build", directory]
    else:
        command = ["kubectl", "kustomize", directory]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)}: {result.stderr.strip()}")
    return [d for d in yaml.load_all(result.stdout, Loader=CRDLoader) if d]


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
        crd = yaml.load(open(path), Loader=CRDLoader)
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
        # With the Operator a target's job is its Service's name and its namespace the Service's.
        wanted = (service["metadata"]["name"], service["metadata"].get("namespace", ""))
        exprs = "\n".join(r.get("expr", "") for g in rule["spec"]["groups"] for r in g["rules"])
        for selector in SELECTORS:
            found = re.findall(selector, exprs)
            if found != [wanted]:
                problems.append(f"the rules select job and namespace {found} with {selector!r}, "
                                f"not the Service's {wanted}")
        problems += operator_rule_tests(rule, *wanted)
    for kind in ("ServiceMonitor", "PrometheusRule", "AlertmanagerConfig"):
        for document in by_kind.get(kind, []):
            if document["metadata"].get("namespace") != (service or {}).get("metadata", {}).get("namespace"):
                problems.append(f"{kind}/{document['metadata']['name']} is not in the Service's namespace")
    for config in by_kind.get("AlertmanagerConfig", []):
        problems += same_inhibit_rules(config)
    if deployment:
        problems += config_reloads_in_place(deployment, by_kind.get("ConfigMap", []))
        problems += store_is_writable(deployment, by_kind.get("PersistentVolumeClaim", []))
        problems += images_applied(directory, deployment)
    dashboards = [c for c in by_kind.get("ConfigMap", []) if c["metadata"].get("labels", {}).get("grafana_dashboard")]
    if len(dashboards) != 1:
        problems.append("no ConfigMap carries the dashboard with the label grafana_dashboard")
    return documents, problems


def operator_rule_tests(rule, job, namespace):
    """promtool test rules on the rendered PrometheusRule, with the Operator's target labels."""
    tests = open(OPERATOR_TESTS).read()
    for label, old, new in (("job", TESTS_JOB, job), ("service", TESTS_JOB, job), ("namespace", TESTS_NAMESPACE, namespace)):
        tests = tests.replace(f'{label}="{old}"', f'{label}="{new}"').replace(f"{label}: {old},", f"{label}: {new},")
        tests = tests.replace(f"{label}: {old}}}", f"{label}: {new}}}")
    with tempfile.TemporaryDirectory() as work:
        groups = [{**g, "rules": [{k: v for k, v in r.items() if k != "annotations"} for r in g["rules"]]}
                  for g in rule["spec"]["groups"]]  # labels only: the other test file checks annotations
        with open(os.path.join(work, "sigma-exporter.rules.yml"), "w") as out:
            yaml.safe_dump({"groups": groups}, out, sort_keys=False, width=200)
        with open(os.path.join(work, "operator.test.yml"), "w") as out:
            out.write(tests)
        result = subprocess.run(["promtool", "test", "rules", "operator.test.yml"], cwd=work,
                                capture_output=True, text=True)
    if result.returncode != 0:
        return [f"the rule tests with the Operator's target labels fail for job {job!r} in {namespace!r}:\n"
                f"{result.stdout}{result.stderr}"]
    return []


def matchers(listed):
    """docker/alertmanager.yml's matchers (`name="value"`, `name=~"value"`) as (name, type, value)."""
    found = []
    for matcher in listed:
        match = re.fullmatch(r'\s*(\w+)\s*(=~|!~|!=|=)\s*"(.*)"\s*', matcher)
        if not match:
            sys.exit(f"FAIL: {COMPOSE_ALERTMANAGER}: cannot read the matcher {matcher!r}")
        found.append(match.groups())
    return sorted(found)


def same_inhibit_rules(config):
    compose = yaml.safe_load(open(COMPOSE_ALERTMANAGER))["inhibit_rules"]
    wanted = [(matchers(r["source_matchers"]), matchers(r["target_matchers"]), sorted(r.get("equal", [])))
              for r in compose]
    found = [(sorted((m["name"], m.get("matchType", "="), m.get("value", "")) for m in r.get("sourceMatch", [])),
              sorted((m["name"], m.get("matchType", "="), m.get("value", "")) for m in r.get("targetMatch", [])),
              sorted(r.get("equal", []))) for r in config["spec"].get("inhibitRules", [])]
    if found != wanted:
        missing = [r for r in wanted if r not in found]
        extra = [r for r in found if r not in wanted]
        return [f"AlertmanagerConfig/{config['metadata']['name']}: its inhibit rules are not those of "
                f"docker/alertmanager.yml (missing {missing}, not there {extra})"]
    return []


def config_reloads_in_place(deployment, config_maps):
    """The configuration must reach a running pod: a ConfigMap under a fixed name, mounted as a folder."""
    problems = []
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    config_file = [a.split("=", 1)[1] for a in container["args"] if a.startswith("--config.file=")]
    if not config_file:
        return ["the container has no --config.file"]
    folder = os.path.dirname(config_file[0])
    mounts = [m for m in container.get("volumeMounts", []) if m["mountPath"] == folder]
    if len(mounts) != 1 or "subPath" in mounts[0]:
        return [f"{folder} is not one volume mounted as a folder (a subPath never sees an edit)"]
    volume = [v for v in pod["volumes"] if v["name"] == mounts[0]["name"]]
    name = volume[0].get("configMap", {}).get("name") if volume else None
    if not name or name not in {c["metadata"]["name"] for c in config_maps}:
        return [f"{folder} is not mounted from a ConfigMap of this kustomization"]
    if re.search(r"-[a-z0-9]{10}$", name):
        problems.append(f"the configuration's ConfigMap {name} has a hashed name: an edit replaces the pod "
                        "instead of reaching the exporter's reload")
    return problems


def store_volume(deployment):
    """The volume the container's --storage.path is mounted from, or None."""
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    paths = [a.split("=", 1)[1] for a in container["args"] if a.startswith("--storage.path=")]
    mounts = [m for m in container.get("volumeMounts", []) if paths and m["mountPath"] == paths[0]]
    volumes = [v for v in pod.get("volumes", []) if mounts and v["name"] == mounts[0]["name"]]
    return volumes[0] if volumes else None


def store_is_writable(deployment, claims):
    """The store (--storage.path) must be a volume the non-root user can write, on the read-only root
    filesystem, and one process's alone."""
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    paths = [a.split("=", 1)[1] for a in container["args"] if a.startswith("--storage.path=")]
    if len(paths) != 1:
        return ["the container has no (or more than one) --storage.path"]
    mounts = [m for m in container.get("volumeMounts", []) if m["mountPath"] == paths[0]]
    if len(mounts) != 1 or "subPath" in mounts[0] or mounts[0].get("readOnly"):
        return [f"{paths[0]} (--storage.path) is not one writable volume mounted as a folder: on the "
                "read-only root filesystem the store cannot be written"]
    problems = []
    security = pod.get("securityContext", {})
    if security.get("fsGroup") is None:
        problems.append("the pod sets no fsGroup: the store's volume may not be writable by the non-root user")
    volume = store_volume(deployment)
    if not volume:
        return problems + [f"{paths[0]} is mounted from no volume of the pod"]
    if "persistentVolumeClaim" in volume:
        name = volume["persistentVolumeClaim"]["claimName"]
        found = [c for c in claims if c["metadata"]["name"] == name]
        if not found:
            problems.append(f"the store's claim {name} is not in this kustomization")
        else:
            claim = found[0]
            if claim["spec"].get("accessModes") != ["ReadWriteOnce"]:
                problems.append(f"the store's claim {name} is not ReadWriteOnce alone: a store belongs to one process")
            if claim["metadata"].get("namespace") != deployment["metadata"].get("namespace"):
                problems.append(f"the store's claim {name} is in namespace {claim['metadata'].get('namespace')!r}, "
                                f"not the Deployment's {deployment['metadata'].get('namespace')!r}")
        if deployment["spec"].get("replicas", 1) != 1:
            problems.append("more than one replica would open the store's one claim")
        if deployment["spec"].get("strategy", {}).get("type") != "Recreate":
            problems.append("a rolling update would run two pods on the store's ReadWriteOnce claim: use strategy Recreate")
    elif "emptyDir" not in volume:
        problems.append(f"the store's volume {volume['name']} is neither an emptyDir nor a PersistentVolumeClaim")
    return problems


def images_applied(directory, deployment):
    """kustomize ignores an `images:` entry whose name matches no image: say so."""
    kustomization = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml")))
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    problems = []
    for entry in kustomization.get("images", []):
        name = entry.get("newName", entry["name"])
        tag = entry.get("newTag")
        if image != (f"{name}:{tag}" if tag else name) and not image.startswith(f"{name}:"):
            problems.append(f"the images entry {entry['name']!r} changes nothing: the image is {image}")
    return problems


def every_alert_keeps_namespace():
    """Every alert of the rules fires somewhere in the Operator tests, each time with `namespace`."""
    alerts = [r["alert"] for g in yaml.safe_load(open(RULES))["groups"] for r in g["rules"] if "alert" in r]
    tested, problems = set(), []
    for test in yaml.safe_load(open(OPERATOR_TESTS))["tests"]:
        for case in test.get("alert_rule_test", []):
            for alert in case.get("exp_alerts", []):
                tested.add(case["alertname"])
                if "namespace" not in alert.get("exp_labels", {}):
                    problems.append(f"{case['alertname']} is expected without a namespace at {case['eval_time']}")
    problems += [f"{a} never fires in {os.path.relpath(OPERATOR_TESTS, ROOT)}" for a in alerts if a not in tested]
    return problems


def main():
    everything = not sys.argv[1:]
    directories = sys.argv[1:] or [os.path.join(ROOT, "deploy", "kubernetes", "base")] + sorted(
        glob.glob(os.path.join(ROOT, "deploy", "kubernetes", "overlays", "*")))
    schemas = crd_schemas()
    failed = False
    renamed_with_alertmanager = False
    persistent_store = False
    if everything:
        for problem in every_alert_keeps_namespace():
            print(f"FAIL: {problem}")
            failed = True
    for directory in directories:
        documents, problems = check(directory, schemas)
        services = [d for d in documents if d["kind"] == "Service"]
        if (services and services[0]["metadata"]["name"] != "sigma-exporter"
                and any(d["kind"] == "AlertmanagerConfig" for d in documents)):
            renamed_with_alertmanager = True
        if any("persistentVolumeClaim" in (store_volume(d) or {}) for d in documents if d["kind"] == "Deployment"):
            persistent_store = True
        name = os.path.relpath(directory, ROOT)
        for problem in problems:
            print(f"FAIL: {name}: {problem}")
        if problems:
            failed = True
        else:
            kinds = ", ".join(sorted(f"{d['kind']}/{d['metadata']['name']}" for d in documents))
            print(f"ok: {name}: {kinds}")
    if everything and not renamed_with_alertmanager:
        print("FAIL: no overlay renames the Service (namePrefix, nameSuffix) and brings the AlertmanagerConfig component")
        failed = True
    if everything and not persistent_store:
        print("FAIL: no overlay keeps the store on a PersistentVolumeClaim (components/persistent-storage)")
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
