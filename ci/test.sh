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

step "spec suite on the unchecked executor (no 'checked' feature; debug assertions on), threaded dispatch, eager and lazy translation"
cargo run --quiet --profile ci -p spectest-runner --no-default-features -- \
  --suite all --engine rust,rust+fuel+interrupt,rust+lazy

step "spec suite on the portable dispatch backend (loop + match)"
cargo run --quiet --profile ci -p spectest-runner --no-default-features --features epsilon/portable-dispatch -- \
  --suite all --engine rust,rust+fuel+interrupt

step "spec trials on 256 KiB thread stacks: threaded handlers must jump, not call, to the next op"
# (Built first: the variable would shrink the compiler's own threads too.)
cargo test --quiet --profile ci -p spectest-runner --test spec --no-run
RUST_MIN_STACK=262144 cargo test --quiet --profile ci -p spectest-runner --test spec

step "Python package: build the wheel, install it into .venv without Rust, pytest, stubtest"
./ci/setup-python.sh
./ci/without-rust .venv/bin/python -m pytest python/tests -q
./ci/without-rust .venv/bin/python -m mypy.stubtest epsilon

step "conformance toolkit: JUnit XML read by junitparser, HTML rendered by headless Chromium (rust, wasmtime-py, wasmi)"
./ci/setup-peers.sh
cargo build --quiet --profile ci -p spectest-runner -p spectest-adapter-wasmi
SPECTEST_RUNNER=target/ci/spectest-runner .venv/bin/python -m pytest spectest-runner/python/tests -q

step "fuzzing smoke: every target of fuzz/ on a fixed seed (differential against wasmi, API, WASI)"
./ci/fuzz --smoke

step "benchmark smoke: every workload once on every engine, results agree"
./ci/bench --smoke

step "all tests passed"
