#!/usr/bin/env bash
# Rebuilds the benchmark workloads written in C (runtime/benches/workloads/*.c) into the
# committed .wasm files. Needs clang and wasm-ld with the wasm32 target (Debian: clang, lld);
# with --install it apt-get installs them first when they are missing.
# Files named simd_*.c are compiled with -msimd128, files named bulk_*.c with -mbulk-memory
# (memcpy/memset become memory.copy/memory.fill); the others are plain MVP code (no libc).
# Compiling and linking are separate steps so that clang never runs a wasm-opt it finds on PATH.
# Usage: ./ci/build-bench-wasm.sh [--install]
set -euo pipefail
cd "$(dirname "$0")/../runtime/benches/workloads"

if ! command -v clang >/dev/null || ! command -v wasm-ld >/dev/null; then
  if [ "${1:-}" = "--install" ]; then
    apt-get update -qq && apt-get install -y -qq clang lld >/dev/null
  else
    echo "clang and wasm-ld are needed (Debian: apt-get install clang lld, or pass --install)" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in *.c; do
  name="${src%.c}"
  flags=(--target=wasm32 -O2 -nostdlib -fno-builtin)
  case "$name" in
    simd_*) flags+=(-msimd128) ;;
    bulk_*) flags+=(-mbulk-memory) ;;
  esac
  clang "${flags[@]}" -c -o "$tmp/$name.o" "$src"
  wasm-ld --no-entry --export=run --strip-all -o "$name.wasm" "$tmp/$name.o"
  echo "built $name.wasm ($(stat -c %s "$name.wasm") bytes)"
done
