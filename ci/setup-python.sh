#!/usr/bin/env bash
# Creates .venv (at the repository root) with the tools the tests need (pytest, mypy for
# stubtest, maturin and auditwheel for the wheel, pexpect for the REPL's terminal tests,
# hypothesis for the property tests), builds the package's wheel (ci/build-wheel.sh: one
# abi3 manylinux wheel, built only when its sources changed) and installs it into .venv the
# way a user without Rust does: `pip install` of the wheel file, with no Rust toolchain on
# PATH (ci/without-rust) and no package index.
# Usage: ./ci/setup-python.sh        then: ./ci/without-rust .venv/bin/pytest python/tests
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=.venv

if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv with $("$python" --version)"
  "$python" -m venv "$venv"
fi

if ! "$venv/bin/python" -c 'import maturin, auditwheel, pytest, mypy, pexpect, hypothesis' 2>/dev/null; then
  echo "installing the test tools into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'maturin>=1.5,<2' 'auditwheel==6.8.2' \
    'pytest>=7' 'mypy>=1.10' 'pexpect>=4.8' 'hypothesis>=6.100'
fi

wheel=$(./ci/build-wheel.sh | tail -n1)

# Reinstall only when the wheel changed.
stamp_file="$venv/.epsilon-wheel-installed"
stamp=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] &&
  "$venv/bin/python" -c 'import epsilon' 2>/dev/null; then
  echo "epsilon is up to date in $venv ($wheel)"
  exit 0
fi
echo "installing $wheel into $venv (no Rust toolchain on PATH)"
./ci/without-rust "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-index --no-deps --force-reinstall "$wheel"
echo "$stamp" >"$stamp_file"
"$venv/bin/python" -c 'import epsilon; print("epsilon", epsilon.version(), "wrapper", epsilon.wrapper_version())'
