#!/usr/bin/env bash
# The main job: builds everything and runs the WebAssembly 2.0 conformance suites
# (v2 core, SIMD, multi-memory, and our own tests), then writes the report to
# target/conformance/report.json and report.md and prints the Markdown table.
# Usage: ./ci/conformance.sh [extra spectest-runner flags]
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/conformance
mkdir -p "$out"
cargo build --release -p spectest-runner
status=0
target/release/spectest-runner --suite all --engine rust \
  --report "$out/report.json" --markdown "$out/report.md" "$@" || status=$?
printf '\nConformance report (%s):\n\n' "$out/report.md"
cat "$out/report.md"
exit "$status"
