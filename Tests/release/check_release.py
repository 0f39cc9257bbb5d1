#!/usr/bin/env python3
"""What a release publishes and what the Kubernetes base pulls are the same image.

.github/workflows/release.yml pushes ghcr.io/<owner>/<IMAGE_NAME>:v<VERSION> and :latest for
linux/amd64 and linux/arm64 on a tag v<VERSION>; the base (deploy/kubernetes/base) must deploy
exactly ghcr.io/<owner>/<IMAGE_NAME>:v<VERSION>, <owner> being the repository's owner (the one
the runbook URLs name, scripts/generate-rules.py's RUNBOOK_BASE). Also checks that every build of
a release copies the one resolved dependency set (docker/Package.resolved, allowed into the build
context, copied by the build stage, forced with --force-resolved-versions), that the binary
target the workflow extracts exists, and that RELEASING.md says how to cut and rebuild a release.
actionlint (run beside this in .ci/run) checks the workflow's syntax, expressions and scripts.
Prints "N passed, M failed".
"""
import importlib.util
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKFLOW = os.path.join(ROOT, ".github", "workflows", "release.yml")

passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   - {name}")
    else:
        failed += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""))


def text(path):
    full = os.path.join(ROOT, path)
    return open(full).read() if os.path.exists(full) else ""


spec = importlib.util.spec_from_file_location("generate_rules", os.path.join(ROOT, "scripts", "generate-rules.py"))
generate_rules = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate_rules)
owner = re.match(r"https://github\.com/([^/]+)/", generate_rules.RUNBOOK_BASE).group(1).lower()
version = text("VERSION").strip()

workflow = yaml.safe_load(text(".github/workflows/release.yml") or "{}") or {}
check("the release workflow exists", bool(workflow), WORKFLOW)
triggers = workflow.get(True, workflow.get("on", {})) or {}  # YAML 1.1 reads the key `on` as True
check("it runs on a tag v*.*.*", (triggers.get("push") or {}).get("tags") == ["v*.*.*"], str(triggers))
image_name = (workflow.get("env") or {}).get("IMAGE_NAME")
body = text(".github/workflows/release.yml")
check("it names the image ghcr.io/<owner>/$IMAGE_NAME, owner lower-cased",
      'owner="${GITHUB_REPOSITORY_OWNER,,}"' in body and 'image=ghcr.io/$owner/$IMAGE_NAME' in body)
check("it refuses a tag that is not v<VERSION>", '"$GITHUB_REF_NAME" != "v$version"' in body)
platforms = sorted(i.get("platform") for i in
                   (((workflow.get("jobs") or {}).get("build") or {}).get("strategy") or {}).get("matrix", {}).get("include", []))
check("it builds linux/amd64 and linux/arm64", platforms == ["linux/amd64", "linux/arm64"], str(platforms))
check("it tags vX.Y.Z and latest", '-t "$IMAGE:v$VERSION" -t "$IMAGE:latest"' in body)
check("it stamps build_info from the tag's commit (REVISION, BUILD_DATE) and checks the image says so",
      "REVISION=${{ github.sha }}" in body and "BUILD_DATE=${{ env.BUILD_DATE }}" in body
      and 'grep -q "version $VERSION (revision: $GITHUB_SHA)"' in body)
check("it attaches the binaries, Package.resolved and SHA256SUMS",
      "sha256sum" in body and "dist/*.tar.gz dist/Package.resolved dist/SHA256SUMS" in body)

rendered = subprocess.run(["kubectl", "kustomize", os.path.join(ROOT, "deploy", "kubernetes", "base")],
                          capture_output=True, text=True)
images = re.findall(r"^\s+image: (\S+)$", rendered.stdout, re.M)
wanted = f"ghcr.io/{owner}/{image_name}:v{version}"
check(f"the base deploys the image the release pushes ({wanted})", images == [wanted],
      f"{images} {rendered.stderr.strip()}")

dockerfile, dockerignore = text("docker/Dockerfile"), text(".dockerignore")
check("the build stage copies docker/Package.resolved when present and forces it",
      re.search(r"^COPY [^\n]*docker/Package\.resolve\[d\] \./$", dockerfile, re.M) is not None
      and "--force-resolved-versions" in dockerfile)
check(".dockerignore lets docker/Package.resolved in (and only that one)",
      "!docker/Package.resolved" in dockerignore.splitlines() and "!Package.resolved" not in dockerignore.splitlines())
check("the workflow resolves once and every build uses that file",
      "cp Package.resolved docker/Package.resolved" in body and body.count("name: package-resolved") >= 3)
check("the Dockerfile has the binary target the workflow extracts",
      re.search(r"^FROM scratch AS binary$", dockerfile, re.M) is not None and "target: binary" in body)
releasing = text("RELEASING.md")
check("RELEASING.md says how to cut and rebuild a release",
      all(s in releasing for s in ("VERSION", "CHANGELOG.md", "git tag", "Package.resolved", wanted.rsplit(":", 1)[0])))

print(f"\n{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
