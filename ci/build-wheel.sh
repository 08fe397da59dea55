#!/usr/bin/env bash
# Builds the Python package as one wheel for every CPython >= 3.10 (abi3) into target/wheels/:
# `maturin build --release`, which tags it with the lowest manylinux policy its symbols allow
# and fails if it is not compliant (--auditwheel check), then `auditwheel show` (PyPI's
# auditwheel, pinned, in .venv) confirms the policy independently. Installing the wheel needs
# no Rust toolchain. Skips the build when nothing it is made from changed.
# Needs .venv with maturin and auditwheel (./ci/setup-python.sh creates it).
# Usage: ./ci/build-wheel.sh     prints the wheel's path on its last line
set -euo pipefail
cd "$(dirname "$0")/.."

python=.venv/bin/python
out=target/wheels
if ! "$python" -c 'import maturin, auditwheel' 2>/dev/null; then
  echo "error: $python needs maturin and auditwheel: run ./ci/setup-python.sh first" >&2
  exit 1
fi

# Everything the wheel is built from; the build is skipped if none of it changed.
stamp=$(find Cargo.toml Cargo.lock runtime/Cargo.toml runtime/build.rs runtime/build runtime/src \
  python/Cargo.toml python/pyproject.toml \
  python/README.md python/src python/python -type f -not -name '*.pyc' -print0 2>/dev/null |
  LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
stamp_file=$out/.epsilon-wheel-stamp
wheel=$(ls "$out"/epsilon-*-abi3-*.whl 2>/dev/null | head -n1 || true)
if [ -n "$wheel" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
  echo "wheel is up to date: $wheel" >&2
  echo "$wheel"
  exit 0
fi

rm -f "$out"/epsilon-*.whl "$stamp_file"
echo "building the wheel (maturin build --release; about 3 minutes on 2 cores)..." >&2
start=$(date +%s)
"$python" -m maturin build --release --manifest-path python/Cargo.toml --out "$out" \
  --auditwheel check --interpreter "$python" >&2
wheel=$(ls "$out"/epsilon-*-abi3-*.whl)
echo "built $wheel in $(($(date +%s) - start)) s" >&2

# Independent check: auditwheel must find the wheel consistent with a manylinux policy.
report=$("$python" -m auditwheel show "$wheel")
echo "$report" >&2
if ! tr -s ' \n' '  ' <<<"$report" | grep -q 'is consistent with the following platform tag: "manylinux'; then
  echo "error: $wheel is not manylinux-compliant" >&2
  exit 1
fi
case "$wheel" in
  *-cp310-abi3-manylinux*) ;;
  *) echo "error: expected a cp310-abi3 manylinux wheel, got $wheel" >&2; exit 1 ;;
esac
echo "$stamp" >"$stamp_file"
echo "$wheel"
