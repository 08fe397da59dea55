#!/usr/bin/env bash
# Rebuilds the benchmark workloads written in C (runtime/benches/workloads/*.c) into the
# committed .wasm files. Needs clang and wasm-ld with the wasm32 target (Debian: clang, lld).
# Files named simd_*.c are compiled with -msimd128; the others are scalar code.
# Compiling and linking are separate steps so that clang never runs a wasm-opt it finds on PATH.
set -euo pipefail
cd "$(dirname "$0")/../runtime/benches/workloads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in *.c; do
  name="${src%.c}"
  flags=(--target=wasm32 -O2 -nostdlib -fno-builtin)
  case "$name" in simd_*) flags+=(-msimd128) ;; esac
  clang "${flags[@]}" -c -o "$tmp/$name.o" "$src"
  wasm-ld --no-entry --export=run --strip-all -o "$name.wasm" "$tmp/$name.o"
  echo "built $name.wasm ($(stat -c %s "$name.wasm") bytes)"
done
