#!/usr/bin/env bash
# Creates .venv (at the repository root) with the Python package `epsilon` built from python/
# the way users install it (`pip install ./python`), plus the tools the tests need (pytest,
# mypy for stubtest, maturin as the build backend, pexpect for the REPL's terminal tests,
# hypothesis for the property tests).
# Idempotent: a re-run only rebuilds when the Rust or Python sources changed.
# Usage: ./ci/setup-python.sh        then: .venv/bin/pytest python/tests
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=.venv

if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv with $("$python" --version)"
  "$python" -m venv "$venv"
fi

if ! "$venv/bin/python" -c 'import maturin, pytest, mypy, pexpect, hypothesis' 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'maturin>=1.5,<2' 'pytest>=7' 'mypy>=1.10' 'pexpect>=4.8' 'hypothesis>=6.100'
fi

# Everything the extension is built from; the build is skipped if none of it changed.
stamp_of() {
  find Cargo.toml Cargo.lock runtime/Cargo.toml runtime/src python/Cargo.toml python/pyproject.toml \
    python/src python/python -type f -not -name '*.pyc' -print0 2>/dev/null |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
stamp_file="$venv/.epsilon-build-stamp"
stamp=$(stamp_of)
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] &&
  "$venv/bin/python" -c 'import epsilon' 2>/dev/null; then
  echo "epsilon is up to date in $venv"
  exit 0
fi

# `pip install ./python`, without build isolation so it uses the venv's maturin (no download).
echo "building and installing epsilon into $venv (pip install ./python)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-build-isolation --no-deps --force-reinstall ./python
echo "$stamp" >"$stamp_file"
"$venv/bin/python" -c 'import epsilon; print("epsilon", epsilon.version(), "wrapper", epsilon.wrapper_version())'
