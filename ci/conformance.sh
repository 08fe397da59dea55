#!/usr/bin/env bash
# The main job: builds everything, installs the Python package into .venv (and the peers of
# ci/setup-peers.sh), and runs the WebAssembly 2.0 conformance suites (v2 core, SIMD,
# multi-memory, and our own tests) on
#   - rust                   the Rust crate (epsilon's API),
#   - python                 the Python package, replaying json-from-wast exports through its
#                            public API (spectest-runner/python/replay.py),
#   - rust+fuel+interrupt    the Rust crate with Config::consume_fuel (unlimited fuel on every
#                            store) and Config::interruptible (with a far deadline),
#   - python+fuel+interrupt  the package with Runtime(fuel=2**64-1, timeout_ms=3600000),
#   - rust-protocol          the Rust crate behind the JSON-lines adapter protocol
#                            (spectest-adapter-epsilon), so the protocol path stays exact,
# compares the engines directive by directive, writes target/conformance/report.{json,md,html},
# junit.xml and records.jsonl, and prints the Markdown table. Fails on any failure, stale
# expected-failure entry, disagreement or missing directive.
# Then the cross-engine matrix: v2, SIMD and multi-memory on epsilon (rust, python) and two peers
# (wasmtime-py: wasmtime's Python package through a Python adapter; wasmi: the crate through the
# JSON-lines protocol), written to target/conformance/matrix.{json,md,html} and matrix-junit.xml.
# The peers' failures are data and do not fail the job; epsilon's do.
# Usage: ./ci/conformance.sh [extra spectest-runner flags]
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
out=target/conformance
mkdir -p "$out"

cargo build --release --workspace
./ci/setup-python.sh
./ci/setup-peers.sh

status=0
run_start=$(date +%s)
target/release/spectest-runner --suite all \
  --engine rust,python,rust+fuel+interrupt,python+fuel+interrupt,rust-protocol \
  --python .venv/bin/python --export-dir "$out/export" \
  --report "$out/report.json" --markdown "$out/report.md" --records "$out/records.jsonl" \
  --junit "$out/junit.xml" --html "$out/report.html" \
  "$@" || status=$?
end=$(date +%s)

printf '\nConformance report (%s; runner %d s, whole job %d s, exit status %d):\n\n' \
  "$out/report.md" "$((end - run_start))" "$((end - start))" "$status"
cat "$out/report.md"

matrix_status=0
matrix_start=$(date +%s)
target/release/spectest-runner --suite v2,simd,multi-memory \
  --engine rust,python,wasmtime-py,wasmi --reference rust \
  --python .venv/bin/python --export-dir "$out/export" \
  --report "$out/matrix.json" --markdown "$out/matrix.md" \
  --junit "$out/matrix-junit.xml" --html "$out/matrix.html" >"$out/matrix.log" || matrix_status=$?
printf '\nCross-engine matrix (%s, %s; %d s, exit status %d):\n\n' \
  "$out/matrix.md" "$out/matrix.html" "$(($(date +%s) - matrix_start))" "$matrix_status"
cat "$out/matrix.md"
[ "$status" = 0 ] || exit "$status"
exit "$matrix_status"
