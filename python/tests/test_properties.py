"""Runs the hypothesis property tests (``hypothesis_api.py``) in a subprocess, so that a crash
they might find fails this test instead of killing the whole run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_property_suite_passes_in_a_subprocess() -> None:
    pytest.importorskip("hypothesis")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "hypothesis_api.py"), "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=HERE.parent,
    )
    tail = (proc.stdout + proc.stderr)[-5000:]
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{tail}"
    assert " passed" in proc.stdout, tail
