#!/usr/bin/env bash
# Installs what the cross-engine matrix and the report tests need, pinned:
#   - into .venv (made by ci/setup-python.sh, run first if absent): wasmtime (the peer engine
#     behind `--engine wasmtime-py`) and junitparser (reads the JUnit XML in the report tests);
#   - Debian's chromium (the headless browser of the HTML report test), with apt-get when it
#     is missing (needs root; otherwise install it yourself or set CHROMIUM).
# The wasmi peer needs nothing here: it is the workspace crate spectest-adapter-wasmi.
# Idempotent. Usage: ./ci/setup-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

WASMTIME=51.0.0
JUNITPARSER=5.0.3

[ -x .venv/bin/python ] || ./ci/setup-python.sh
if ! .venv/bin/python - "$WASMTIME" "$JUNITPARSER" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
sys.exit(0 if (version("wasmtime"), version("junitparser")) == tuple(sys.argv[1:3]) else 1)
PY
  echo "installing wasmtime==$WASMTIME junitparser==$JUNITPARSER into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "wasmtime==$WASMTIME" "junitparser==$JUNITPARSER"
fi

if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing chromium (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: chromium is missing; install Debian's chromium or set CHROMIUM" >&2
    exit 1
  fi
fi
echo "peers: wasmtime $WASMTIME, junitparser $JUNITPARSER, $(${CHROMIUM:-chromium} --version 2>/dev/null | head -1)"
