#!/usr/bin/env bash
# Rebuilds the WASI test programs (runtime/tests/wasi/*.c -> *.wasm) with Debian's clang and
# wasi-libc. The .wasm files are committed, so the tests need none of this; run it after
# changing a program.
# Usage: ./ci/build-wasi-programs.sh [--install]
#   --install   first apt-get install the toolchain (clang, lld, wasi-libc, libclang-rt-14-dev-wasm32)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--install" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang lld wasi-libc libclang-rt-14-dev-wasm32
fi

cc=${CC:-clang}
if ! "$cc" --target=wasm32-wasi --sysroot=/usr -x c -o /dev/null - <<<'int main(void){return 0;}' 2>/dev/null; then
  echo "error: $cc cannot build for wasm32-wasi; install the toolchain with: $0 --install" >&2
  exit 1
fi

dir=runtime/tests/wasi
for src in "$dir"/*.c; do
  out="${src%.c}.wasm"
  # -O2 and no debug info or names: small, deterministic binaries.
  "$cc" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -o "$out" "$src" -Wl,--strip-all
  echo "built $out ($(stat -c %s "$out") bytes)"
done
