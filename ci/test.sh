#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, unit/integration/doc tests and the
# spec-suite trials (one per .wast file), optimised but with debug assertions on.
# Usage: ./ci/test.sh            (from anywhere; sets itself up)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (deny warnings)"
cargo clippy --workspace --all-targets --profile ci -- -D warnings

step "cargo test --workspace (profile ci)"
cargo test --workspace --profile ci

step "spec suite on the unchecked executor (no 'checked' feature; debug assertions on)"
cargo run --quiet --profile ci -p spectest-runner --no-default-features -- \
  --suite all --engine rust,rust+fuel+interrupt

step "Python package: build into .venv, pytest, stubtest"
./ci/setup-python.sh
.venv/bin/python -m pytest python/tests -q
.venv/bin/python -m mypy.stubtest epsilon

step "benchmark smoke: every workload once on every engine, results agree"
./ci/bench --smoke

step "all tests passed"
