#!/usr/bin/env python3
"""Reproduces what the Dockerfile's build stage sees, without a Docker engine, and proves the
package loads, resolves and stamps its version there.

Docker sends the build context (the repository, less what .dockerignore excludes); the build
stage's COPY lines take files from it into WORKDIR. This script applies the same rules into an
empty folder, then runs `swift package describe` and `swift package resolve` there, and builds
the BuildStamp target with a revision given as the Dockerfile gives it (there is no .git in an
image build). A folder Package.swift names but the Dockerfile does not copy (Fuzz/ was one) fails
here, as it fails `docker build`.

Usage: check_build_context.py [Dockerfile] (default docker/Dockerfile, from the repository root)
"""
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def instructions(path):
    """(keyword, arguments) of each Dockerfile instruction, continuation lines joined."""
    text = open(path).read()
    text = re.sub(r"\\\n", " ", text)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        yield keyword.upper(), rest.strip()


def build_stage_copies(dockerfile):
    """(sources, destination, workdir) of every COPY in the stage named `build` (not --from)."""
    stage, workdir, copies = None, "/", []
    for keyword, rest in instructions(dockerfile):
        if keyword == "FROM":
            match = re.search(r"\bAS\s+(\S+)", rest, re.IGNORECASE)
            stage = match.group(1).lower() if match else None
            workdir = "/"
        elif stage == "build" and keyword == "WORKDIR":
            workdir = os.path.join(workdir, rest)
        elif stage == "build" and keyword == "COPY":
            parts = [p for p in rest.split() if not p.startswith("--")]
            if any(p.startswith("--from") for p in rest.split()):
                continue
            copies.append((parts[:-1], parts[-1], workdir))
    if not copies:
        sys.exit(f"{dockerfile}: no COPY in a stage named 'build'")
    return copies


def ignore_patterns():
    path = os.path.join(ROOT, ".dockerignore")
    if not os.path.exists(path):
        return []
    patterns = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        patterns.append((negated, pattern))
    return patterns


def matches(pattern, path):
    """Docker's rule: a pattern matches a path or any of its parent folders; ** spans folders."""
    regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    parts = path.split("/")
    return any(re.fullmatch(regex, "/".join(parts[:i])) for i in range(1, len(parts) + 1))


def in_context(path, patterns):
    excluded = False
    for negated, pattern in patterns:
        if matches(pattern, path):
            excluded = not negated
    return not excluded


def context_files(patterns):
    """Every file of the repository Docker would send (tracked or not, as Docker sends the folder)."""
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            relative = os.path.relpath(os.path.join(folder, name), ROOT)
            if in_context(relative, patterns):
                files.append(relative)
    return files


def run(command, cwd, env=None):
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        sys.exit(f"FAIL: {' '.join(command)} exited {result.returncode} in the image's build context")
    return result.stdout


def main():
    dockerfile = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "docker/Dockerfile")
    patterns = ignore_patterns()
    files = context_files(patterns)
    for unwanted in (".build/", "Package.resolved"):
        leaked = [f for f in files if f.startswith(unwanted) or f == unwanted]
        if leaked:
            sys.exit(f"FAIL: the build context holds {leaked[0]} (add it to .dockerignore)")
    work = tempfile.mkdtemp(prefix="build-context-")
    try:
        for sources, destination, workdir in build_stage_copies(dockerfile):
            target_root = os.path.join(work, os.path.join(workdir, destination).lstrip("/"))
            for source in sources:
                if any(c in source for c in "*?["):  # a pattern: what it matches, maybe nothing
                    chosen = [f for f in files if fnmatch.fnmatchcase(f, source)]
                    if not chosen and all(any(c in s for c in "*?[") for s in sources):
                        sys.exit(f"FAIL: COPY {' '.join(sources)}: nothing matches (docker build fails too)")
                else:
                    chosen = [f for f in files if f == source or f.startswith(source.rstrip("/") + "/")]
                if not chosen and not any(c in source for c in "*?["):
                    sys.exit(f"FAIL: COPY {source}: not in the build context (missing, or excluded by .dockerignore)")
                for relative in chosen:
                    if relative == source:  # a file: into the destination folder, or as it
                        target = os.path.join(target_root, os.path.basename(relative)) if destination.endswith("/") \
                            else target_root
                    else:  # a folder's contents go into the destination
                        target = os.path.join(target_root, os.path.relpath(relative, source))
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy2(os.path.join(ROOT, relative), target)
        package = os.path.join(work, "src")
        scratch = os.path.join(work, "scratch")
        print(f"build context: {len(files)} files; the build stage copies "
              f"{sum(len(fs) for _, _, fs in os.walk(package))} into WORKDIR")
        described = json.loads(run(["swift", "package", "--scratch-path", scratch, "describe", "--type", "json"], package))
        names = sorted(t["name"] for t in described["targets"])
        print("targets:", ", ".join(names))
        for product in ("sigma_exporter", "sigma-sim"):
            if product not in [p["name"] for p in described["products"]]:
                sys.exit(f"FAIL: product {product} missing from the package in the build context")
        run(["swift", "package", "--scratch-path", scratch, "resolve"], package)
        env = dict(os.environ, SIGMA_EXPORTER_REVISION="c0ffee-from-build-arg",
                   SIGMA_EXPORTER_BUILD_DATE="20260101-00:00:00")
        run(["swift", "build", "--scratch-path", scratch, "--target", "BuildStamp"], package, env)
        stamps = [os.path.join(d, f) for d, _, fs in os.walk(scratch) for f in fs if f == "BuildStamp+Values.swift"]
        if not stamps:
            sys.exit("FAIL: the build stamp was not generated in the build context")
        stamp = open(stamps[0]).read()
        version = open(os.path.join(ROOT, "VERSION")).read().strip()
        for expected in ('"c0ffee-from-build-arg"', '"20260101-00:00:00"', f'"{version}"'):
            if expected not in stamp:
                sys.exit(f"FAIL: the build stamp lacks {expected}:\n{stamp}")
        print("ok: the package loads, resolves and stamps its version in the image's build context")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
