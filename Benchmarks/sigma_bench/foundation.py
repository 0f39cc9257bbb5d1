"""`--foundation`: what Foundation costs the binary. Tiny probe programs built as the exporter is
(release, static Swift runtime, stripped) importing FoundationEssentials, Foundation, and using
Foundation proper; and, per module of the release build, the symbols it takes from Foundation
proper, which is what makes the linker bring in the whole of Foundation and ICU's data."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


PROBE = """import {module}
struct Sample: Codable {{ var count: Int; var when: Date }}
let data = try JSONEncoder().encode(Sample(count: 1, when: Date()))
print(String(decoding: data, as: UTF8.self), ProcessInfo.processInfo.processIdentifier)
{extra}
"""


def probe_size(work: Path, name: str, module: str, extra: str = "") -> int:
    """The stripped size of a tiny program built as the exporter is (release, static Swift runtime)."""
    package = work / name
    (package / "Sources" / "probe").mkdir(parents=True)
    (package / "Package.swift").write_text(
        "// swift-tools-version:6.1\nimport PackageDescription\n"
        "let package = Package(name: \"probe\", targets: [.executableTarget(name: \"probe\")])\n")
    (package / "Sources" / "probe" / "main.swift").write_text(PROBE.format(module=module, extra=extra))
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib"], cwd=package, check=True,
                   capture_output=True)
    stripped = package / "probe.stripped"
    subprocess.run(["strip", "-o", str(stripped), str(package / ".build" / "release" / "probe")], check=True)
    return stripped.stat().st_size


def foundation_references(build: Path) -> list[tuple[str, int, list[str]]]:
    """Per module of a release build, the symbols it takes from Foundation proper (not from
    FoundationEssentials): what makes the linker bring in the whole of Foundation and ICU's data."""
    found = []
    for folder in sorted(build.glob("*.build")):
        symbols = set()
        for obj in folder.glob("*.o"):
            listing = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True).stdout
            symbols |= {line.split()[-1] for line in listing.splitlines() if "10Foundation" in line}
        if symbols:
            names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(sorted(symbols)),
                                   capture_output=True, text=True).stdout.splitlines()
            found.append((folder.name.removesuffix(".build"), len(symbols), sorted(set(names))[:3]))
    return sorted(found, key=lambda item: -item[1])


def foundation_report(args, work: Path) -> str:
    essentials = probe_size(work, "essentials", "FoundationEssentials")
    imported = probe_size(work, "imported", "Foundation")
    used = probe_size(work, "used", "Foundation", 'FileHandle.standardError.write(Data("x\\n".utf8))')
    ours = {"ExporterBasics", "ExporterConfig", "ExporterCore", "Collectors", "SigmaClient", "SigmaModels",
            "SigmaSimulator", "SigmaExporter", "sigma_exporter", "sigma_sim"}
    references = foundation_references(args.bin)
    lines = ["## Foundation and the binary's size", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 Benchmarks/run.py "
             "--foundation`: a tiny program (JSON coding, `Date`, `ProcessInfo`) built as the exporter is "
             "(release, Swift runtime linked statically, stripped).", "",
             "| the program | stripped bytes |", "|---|---:|",
             f"| imports `FoundationEssentials` | {essentials:,} |",
             f"| imports `Foundation`, uses only what `FoundationEssentials` has | {imported:,} |",
             f"| imports `Foundation` and uses `FileHandle` (Foundation proper) | {used:,} |", "",
             f"Importing `Foundation` instead of `FoundationEssentials` costs {imported - essentials:,} bytes; "
             f"using one symbol of Foundation proper costs {used - essentials:,} (its CoreFoundation and ICU's "
             "data). The modules of the shipped build that use Foundation proper, and so bring it in (while one "
             "does, importing `FoundationEssentials` in the others saves nothing):", "",
             "| module | ours | symbols from Foundation proper | for example |", "|---|---|---:|---|"]
    for module, count, examples in references:
        lines.append(f"| {module} | {'yes' if module in ours else 'no'} | {count} | "
                     f"{'; '.join(f'`{e}`' for e in examples)} |")
    lines.append("")
    return "\n".join(lines)
