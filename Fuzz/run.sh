#!/usr/bin/env bash
# Builds the libFuzzer targets with the recipe below and runs each for FUZZ_SECONDS (default 60)
# from the seed corpus in Fuzz/corpus. A crash, leak, hang or sanitizer report fails the run and
# leaves the reproducer in Fuzz/findings/. Prints "N passed, M failed" last.
#
# The recipe: a plain `swift build -Xswiftc -sanitize=fuzzer` of an @main executable fails to link
# (SwiftPM aliases `main` to `<module>_main`, and libFuzzer's own main then wants
# LLVMFuzzerTestOneInput). Each fuzz target therefore defines, under -D FUZZING, both
# LLVMFuzzerTestOneInput and a `<module>_main` that calls LLVMFuzzerRunDriver. Build in its own
# scratch folder so the instrumented objects never mix with the normal build:
#   swift build --scratch-path .build-fuzz --product FuzzDecoders \
#     -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
passed=0
failed=0
mkdir -p Fuzz/findings
for target in FuzzDecoders FuzzConfig; do
  if ! swift build --scratch-path .build-fuzz --product "$target" -Xswiftc -sanitize=fuzzer,address \
      -Xswiftc -DFUZZING >".build-fuzz-$target.log" 2>&1; then
    echo "FAIL - $target does not build"; tail -20 ".build-fuzz-$target.log"; failed=$((failed + 1)); continue
  fi
  corpus=$(mktemp -d)
  seeds=Fuzz/corpus/$( [ "$target" = FuzzDecoders ] && echo decoders || echo config )
  if .build-fuzz/debug/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -artifact_prefix=Fuzz/findings/"$target"- "$corpus" "$seeds" >"$corpus.log" 2>&1; then
    echo "ok   - $target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$corpus.log")"
    passed=$((passed + 1))
  else
    echo "FAIL - $target found a problem:"; grep -A15 -E "ERROR|Fatal|panic" "$corpus.log" | head -40
    failed=$((failed + 1))
  fi
  rm -rf "$corpus" "$corpus.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
