"""Call overhead of epsilon's Python API next to other WebAssembly engines for Python.

Measures, for every engine that is installed, with the same wasm bytes:

* a Python -> wasm call of ``add(i32, i32) -> i32`` (ns per call), for epsilon also through
  ``Module.call``,
* a call with four f64 arguments: ``sum4 -> f64`` on every engine, and ``pack -> v128`` (a
  SIMD result) on the engines whose Python API has v128 values,
* a 1 MiB read of linear memory into ``bytes`` (ns per read),
* compiling and instantiating a small module in a fresh store (ns per module).

Results are checked equal across engines. Each figure is the median of several samples taken
after a warm-up; the samples are interleaved (one of every engine and figure per round), so
that changes in the machine's load hit all engines alike. This is a benchmark, not a test.

Usage (from the repository root, after ./ci/setup-python.sh):

    .venv/bin/python python/benchmarks/call_overhead.py --install   # installs the peers once
    .venv/bin/python python/benchmarks/call_overhead.py [--samples 9] [--json out.json]

The peers (PyPI ``wasmtime``, ``pywasm3``, ``pywasm``) are listed in requirements.txt beside
this script; ``--install`` pip-installs them into the running interpreter's environment.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import platform
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import epsilon

WAT = """
(module
  (memory (export "memory") 17)
  (data (i32.const 0) "epsilon benchmark")
  (data (i32.const 1048560) "end of the first MiB")
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "sum4") (param f64 f64 f64 f64) (result f64)
    (f64.add (f64.add (local.get 0) (local.get 1)) (f64.add (local.get 2) (local.get 3)))))
"""
WASM = epsilon.wat2wasm(WAT)
# A separate module: wasm3 (pywasm3) and pywasm do not decode SIMD.
SIMD_WAT = """
(module
  (func (export "pack") (param f64 f64 f64 f64) (result v128)
    (f64x2.replace_lane 1 (f64x2.splat (f64.add (local.get 0) (local.get 1)))
                          (f64.add (local.get 2) (local.get 3)))))
"""
SIMD_WASM = epsilon.wat2wasm(SIMD_WAT)
SUM4 = 10.0
PACK = int.from_bytes(struct.pack("<dd", 3.0, 7.0), "little")
MIB = 1 << 20


def measure_interleaved(
    jobs: dict[tuple[str, str], tuple[Callable[[int], None], int]], samples: int
) -> dict[tuple[str, str], float]:
    """Median ns per operation of each job `fn(n)` (which performs n operations).

    The samples are taken in rounds, one sample of every job per round, so that a change in
    the machine's load (another process, frequency scaling) hits every engine alike instead
    of whichever happened to run at that moment. A job that raises is dropped (reported on
    stderr) without hiding the others.
    """
    times: dict[tuple[str, str], list[float]] = {key: [] for key in jobs}
    live = dict(jobs)
    for key, (fn, n) in list(live.items()):  # warm-up
        try:
            fn(max(1, n // 10))
        except Exception as e:  # a peer failing must not hide the other figures
            print(f"  {key[0]:9s} {key[1]:18s} failed: {e}", file=sys.stderr)
            del live[key]
    for round_ in range(samples):
        for key, (fn, n) in live.items():
            start = time.perf_counter_ns()
            fn(n)
            times[key].append((time.perf_counter_ns() - start) / n)
        print(f"  round {round_ + 1}/{samples}", file=sys.stderr)
    return {key: statistics.median(times[key]) for key in live}


def loop(op: Callable[[], Any]) -> Callable[[int], None]:
    def run(n: int) -> None:
        for _ in range(n):
            op()

    return run


# --- engines: each returns (add_call, read_1mib, instantiate) callables and a result check ---


def epsilon_engine() -> dict[str, Any]:
    runtime = epsilon.Runtime()
    module = runtime.instantiate(WASM)
    add = module.get_function("add")
    sum4 = module.get_function("sum4")
    pack = runtime.instantiate(SIMD_WASM).get_function("pack")
    call = module.call

    def instantiate() -> None:
        with epsilon.Runtime() as rt:
            rt.instantiate(WASM)

    return {
        "version": epsilon.version(),
        "add": lambda: add(1, 2),
        "add (Module.call)": lambda: call("add", 1, 2)[0],
        "sum4": lambda: sum4(1.0, 2.0, 3.0, 4.0),
        "pack": lambda: pack(1.0, 2.0, 3.0, 4.0),
        "read": lambda: module.read_memory(0, MIB),
        "instantiate": instantiate,
    }


def wasmtime_engine() -> dict[str, Any]:
    import wasmtime

    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, WASM), [])
    exports = instance.exports(store)
    add = exports["add"]
    sum4 = exports["sum4"]
    memory = exports["memory"]

    def instantiate() -> None:
        s = wasmtime.Store()
        wasmtime.Instance(s, wasmtime.Module(s.engine, WASM), [])

    return {
        "version": _dist_version("wasmtime"),
        "add": lambda: add(store, 1, 2),
        "sum4": lambda: sum4(store, 1.0, 2.0, 3.0, 4.0),
        "read": lambda: bytes(memory.read(store, 0, MIB)),
        "instantiate": instantiate,
    }


def pywasm3_engine() -> dict[str, Any]:
    import wasm3

    env = wasm3.Environment()
    runtime = env.new_runtime(64 * 1024)
    runtime.load(env.parse_module(WASM))
    add = runtime.find_function("add")
    sum4 = runtime.find_function("sum4")

    def instantiate() -> None:
        e = wasm3.Environment()
        r = e.new_runtime(64 * 1024)
        r.load(e.parse_module(WASM))

    return {
        "version": _dist_version("pywasm3"),
        "add": lambda: add(1, 2),
        "sum4": lambda: sum4(1.0, 2.0, 3.0, 4.0),
        "read": lambda: bytes(runtime.get_memory(0)[:MIB]),
        "instantiate": instantiate,
    }


def pywasm_engine() -> dict[str, Any]:
    import pywasm

    runtime = pywasm.core.Runtime()
    module = runtime.instance(pywasm.core.ModuleDesc.from_reader(io.BytesIO(WASM)))
    memory = runtime.exported_memory(module, "memory")

    def instantiate() -> None:
        r = pywasm.core.Runtime()
        r.instance(pywasm.core.ModuleDesc.from_reader(io.BytesIO(WASM)))

    return {
        "version": _dist_version("pywasm"),
        "add": lambda: runtime.invocate(module, "add", [1, 2])[0],
        "sum4": lambda: runtime.invocate(module, "sum4", [1.0, 2.0, 3.0, 4.0])[0],
        "read": lambda: bytes(memory.data[:MIB]),
        "instantiate": instantiate,
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


ENGINES: dict[str, Callable[[], dict[str, Any]]] = {
    "epsilon": epsilon_engine,
    "wasmtime": wasmtime_engine,
    "pywasm3": pywasm3_engine,
    "pywasm": pywasm_engine,
}

# Operations per sample: the slow pure-Python engine gets fewer.
SIZES = {
    "add": {"default": 200_000, "pywasm": 5_000},
    "add (Module.call)": {"default": 200_000},
    "sum4": {"default": 200_000, "pywasm": 5_000},
    "pack": {"default": 200_000},
    "read": {"default": 300},
    "instantiate": {"default": 300, "pywasm": 30},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", action="store_true", help="pip-install the peer engines first")
    parser.add_argument("--samples", type=int, default=9, help="samples per figure (median reported)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines to run")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()

    if args.install:
        requirements = Path(__file__).with_name("requirements.txt")
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "-r", str(requirements)])

    engines: dict[str, dict[str, Any]] = {}
    for name in args.engines.split(","):
        try:
            engines[name] = ENGINES[name]()
        except ImportError:
            print(f"{name}: not installed (use --install); skipped", file=sys.stderr)

    # Same results from every engine.
    expected_sum = 3
    expected_digest = hashlib.sha256(epsilon.Runtime().instantiate(WASM).read_memory(0, MIB)).hexdigest()
    for name, engine in engines.items():
        for key, expected in (("add", expected_sum), ("add (Module.call)", expected_sum), ("sum4", SUM4), ("pack", PACK)):
            if key in engine and engine[key]() != expected:
                raise SystemExit(f"{name}: {key} returned {engine[key]()!r}, expected {expected!r}")
        data = engine["read"]()
        if len(data) != MIB or hashlib.sha256(data).hexdigest() != expected_digest:
            raise SystemExit(f"{name}: the 1 MiB read differs from epsilon's")

    jobs = {}
    for name, engine in engines.items():
        for key, sizes in SIZES.items():
            if key in engine:
                jobs[(name, key)] = (loop(engine[key]), sizes.get(name, sizes["default"]))
    medians = measure_interleaved(jobs, args.samples)
    results: dict[str, dict[str, float]] = {name: {} for name in engines}
    for (name, key), value in medians.items():
        results[name][key] = value
        print(f"  {name:9s} {key:18s} {value:>14,.0f} ns", file=sys.stderr)

    print(f"\nPython {platform.python_version()} on {platform.machine()}, median of {args.samples} interleaved samples, ns per operation\n")
    columns = ["add", "add (Module.call)", "sum4", "pack", "read", "instantiate"]
    headers = [
        "engine",
        "version",
        "add(i32, i32) call",
        "Module.call('add', ...)",
        "4 f64 -> f64",
        "4 f64 -> v128",
        "read 1 MiB",
        "compile + instantiate",
    ]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for name, engine in engines.items():
        cells = [name, str(engine["version"])]
        for key in columns:
            value = results[name].get(key)
            cells.append(f"{value:,.0f}" if value is not None else "-")
        print("| " + " | ".join(cells) + " |")
    mine, peer = results.get("epsilon", {}), results.get("pywasm3", {})
    if "add" in mine and "add" in peer:
        print(
            f"\nepsilon / pywasm3, same run: Function add {mine['add'] / peer['add']:.2f} (goal <= 1.00), "
            f"Module.call {mine['add (Module.call)'] / peer['add']:.2f} (goal <= 1.30), "
            f"4 f64 -> f64 {mine['sum4'] / peer['sum4']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps({"python": platform.python_version(), "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
