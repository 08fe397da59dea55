#!/usr/bin/env bash
# The main job: builds everything, installs the Python package into .venv, and runs the
# WebAssembly 2.0 conformance suites (v2 core, SIMD, multi-memory, and our own tests) on
#   - rust                   the Rust crate (epsilon's API),
#   - python                 the Python package, replaying json-from-wast exports through its
#                            public API (spectest-runner/python/replay.py),
#   - rust+fuel+interrupt    the Rust crate with Config::consume_fuel (unlimited fuel on every
#                            store) and Config::interruptible (with a far deadline),
#   - python+fuel+interrupt  the package with Runtime(fuel=2**64-1, timeout_ms=3600000),
# compares every engine with `rust` directive by directive, writes
# target/conformance/report.{json,md} (plus records.jsonl) and prints the Markdown table.
# Fails on any failure, stale expected-failure entry, disagreement or missing directive.
# Usage: ./ci/conformance.sh [extra spectest-runner flags]
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
out=target/conformance
mkdir -p "$out"

cargo build --release --workspace
./ci/setup-python.sh

status=0
run_start=$(date +%s)
target/release/spectest-runner --suite all \
  --engine rust,python,rust+fuel+interrupt,python+fuel+interrupt \
  --python .venv/bin/python --export-dir "$out/export" \
  --report "$out/report.json" --markdown "$out/report.md" --records "$out/records.jsonl" \
  "$@" || status=$?
end=$(date +%s)

printf '\nConformance report (%s; runner %d s, whole job %d s, exit status %d):\n\n' \
  "$out/report.md" "$((end - run_start))" "$((end - start))" "$status"
cat "$out/report.md"
exit "$status"
