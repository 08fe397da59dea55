"""Resource limits: memory pages, timeouts, interrupts, Ctrl-C, fuel, call depth."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

import epsilon

BIG_MEMORY = '(module (memory (export "memory") 300) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'
GROWABLE = '(module (memory (export "memory") 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'


def test_max_memory_pages_at_instantiation() -> None:
    with epsilon.Runtime(max_memory_pages=256) as runtime:
        assert runtime.max_memory_pages == 256
        with pytest.raises(epsilon.LinkError, match="memory minimum of 300 pages exceeds the limit of 256 pages"):
            runtime.instantiate(BIG_MEMORY)
        # The runtime's value is a ceiling: a module's own value cannot lift it.
        with pytest.raises(epsilon.LinkError, match="exceeds the limit of 256 pages"):
            runtime.instantiate(BIG_MEMORY, max_memory_pages=400)
    with epsilon.Runtime() as runtime:
        # Without a runtime ceiling, a per-module value is the module's.
        m = runtime.instantiate(BIG_MEMORY, max_memory_pages=400)
        assert m.get_memory_size() == 300
        assert m.call("grow", 100) == [300]
        assert m.call("grow", 1) == [-1]


def test_max_memory_pages_at_grow() -> None:
    with epsilon.Runtime(max_memory_pages=8) as runtime:
        m = runtime.instantiate(GROWABLE)
        assert m.call("grow", 7) == [1]
        assert m.call("grow", 1) == [-1]
        assert m.get_memory_size() == 8
        with pytest.raises(epsilon.EpsilonError):
            m.get_memory().grow(1)
    with epsilon.Runtime() as runtime:
        m = runtime.instantiate(GROWABLE, max_memory_pages=2)
        assert m.call("grow", 2) == [-1]
        assert m.call("grow", 1) == [1]
        # 0 means "no limit" (up to the 65536 pages of WebAssembly 2.0).
        m = runtime.instantiate(GROWABLE, max_memory_pages=0)
        assert m.call("grow", 100) == [1]


def test_max_memory_pages_applies_to_imported_memories() -> None:
    with epsilon.Runtime() as runtime:
        mem = runtime.new_memory(10)
        wat = '(module (import "env" "m" (memory 1)) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'
        with pytest.raises(epsilon.LinkError, match="imported memory of 10 pages exceeds the limit of 5 pages"):
            runtime.instantiate(wat, max_memory_pages=5, imports={"env": {"m": mem}})
        m = runtime.instantiate(wat, max_memory_pages=12, imports={"env": {"m": mem}})
        assert m.call("grow", 2) == [10]
        assert m.call("grow", 1) == [-1]


@pytest.mark.parametrize("pages", [-1, 65537, 2**40])
def test_max_memory_pages_validation(pages: int) -> None:
    with pytest.raises((ValueError, OverflowError)):
        epsilon.Runtime(max_memory_pages=pages)
    with epsilon.Runtime() as runtime:
        with pytest.raises((ValueError, OverflowError)):
            runtime.instantiate(GROWABLE, max_memory_pages=pages)


def test_timeout_stops_an_infinite_loop(module: epsilon.Module) -> None:
    start = time.monotonic()
    with pytest.raises(epsilon.EpsilonTimeoutError) as info:
        module.call("spin", timeout_ms=100)
    elapsed = time.monotonic() - start
    assert 0.09 <= elapsed < 5
    assert isinstance(info.value, TimeoutError)
    assert isinstance(info.value, epsilon.Trap)
    assert info.value.kind == "interrupted"
    assert "timed out after 100 ms" in str(info.value)
    # The module is still usable, and later calls are not affected by the old deadline.
    assert module.call("add", 1, 2) == [3]
    time.sleep(0.15)
    assert module.call("count", 1_000_000) == [1_000_000]


def test_timeout_stops_deep_recursion(module: epsilon.Module) -> None:
    start = time.monotonic()
    with pytest.raises(epsilon.EpsilonTimeoutError):
        module.call("fib", 60, timeout_ms=100)  # exponential recursion: would run for ages
    assert time.monotonic() - start < 5
    assert module.call("deep", 90_000) == [90_000]
    assert module.call("fib", 20) == [6765]


def test_unbounded_recursion_traps_with_call_stack_exhausted(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.Trap) as info:
        module.call("forever", 0)
    assert info.value.kind == "call stack exhausted"


def test_max_call_depth(add_wasm: bytes) -> None:
    with epsilon.Runtime(max_call_depth=100) as runtime:
        m = runtime.instantiate(add_wasm)
        assert m.call("deep", 50) == [50]
        with pytest.raises(epsilon.Trap, match="call stack exhausted"):
            m.call("deep", 200)
    with pytest.raises(ValueError):
        epsilon.Runtime(max_call_depth=0)


def test_runtime_default_timeout(add_wasm: bytes) -> None:
    with epsilon.Runtime(timeout_ms=50) as runtime:
        assert runtime.timeout_ms == 50
        m = runtime.instantiate(add_wasm)
        with pytest.raises(epsilon.EpsilonTimeoutError):
            m.call("spin")
        # A per-call timeout overrides the default.
        assert m.call("count", 1000, timeout_ms=10_000) == [1000]
        with pytest.raises(epsilon.EpsilonTimeoutError):
            m.get_function("spin")()


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_timeout_validation(module: epsilon.Module, bad: float) -> None:
    with pytest.raises(ValueError, match="timeout_ms must be a positive number"):
        module.call("add", 1, 2, timeout_ms=bad)
    with pytest.raises(ValueError):
        epsilon.Runtime(timeout_ms=bad)


def test_huge_timeout_is_no_timeout(module: epsilon.Module) -> None:
    assert module.call("add", 1, 2, timeout_ms=1e300) == [3]


def test_timeout_in_a_start_function() -> None:
    with epsilon.Runtime(timeout_ms=50) as runtime:
        with pytest.raises(epsilon.EpsilonTimeoutError):
            runtime.instantiate("(module (func $s (loop (br 0))) (start $s))")


def test_interrupt_from_another_thread(module: epsilon.Module) -> None:
    timer = threading.Timer(0.1, module.interrupt)
    timer.start()
    start = time.monotonic()
    with pytest.raises(epsilon.Trap) as info:
        module.call("spin")
    timer.join()
    assert time.monotonic() - start < 10
    assert info.value.kind == "interrupted"
    assert not isinstance(info.value, epsilon.EpsilonTimeoutError)
    assert module.call("add", 2, 2) == [4]


def test_an_interrupt_with_no_call_running_is_dropped(module: epsilon.Module) -> None:
    # The rule: an interrupt applies only to a call running when it is requested.
    module.interrupt()
    assert module.call("add", 1, 1) == [2]
    # A later looping call is not stopped by the stale request: only by its own timer.
    timer = threading.Timer(0.3, module.interrupt)
    timer.start()
    start = time.monotonic()
    with pytest.raises(epsilon.Trap, match="interrupted"):
        module.call("spin")
    timer.join()
    assert time.monotonic() - start >= 0.25


def test_an_interrupt_from_a_host_function_stops_its_call(runtime: epsilon.Runtime) -> None:
    wat = """(module (import "env" "poke" (func $poke))
      (func (export "poke_then_spin") (call $poke) (loop (br 0)))
      (func (export "poke") (call $poke))
      (func (export "count") (param i32)
        (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"""
    holder: list[epsilon.Module] = []
    m = runtime.instantiate(wat, imports={"env": {"poke": lambda: holder[0].interrupt()}})
    holder.append(m)
    with pytest.raises(epsilon.Trap, match="interrupted by Module.interrupt"):
        m.call("poke_then_spin", timeout_ms=10_000)
    # Requested during a call that returns before its next check: not carried over.
    m.call("poke")
    m.call("count", 100_000)
    with pytest.raises(epsilon.EpsilonTimeoutError):
        m.call("count", -1, timeout_ms=100)


def test_timeout_in_a_nested_call(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    inner = runtime.instantiate(add_wasm)
    wat = '(module (import "env" "cb" (func $cb)) (func (export "go") (call $cb)))'
    outer = runtime.instantiate(wat, imports={"env": {"cb": lambda: inner.call("spin", timeout_ms=50)}})
    with pytest.raises(epsilon.EpsilonTimeoutError):
        outer.call("go", timeout_ms=10_000)
    # The outer deadline also stops a nested call that has none.
    outer2 = runtime.instantiate(wat, imports={"env": {"cb": lambda: inner.call("spin")}})
    with pytest.raises(epsilon.EpsilonTimeoutError):
        outer2.call("go", timeout_ms=50)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_interrupts_a_long_call(module: epsilon.Module) -> None:
    assert threading.current_thread() is threading.main_thread()
    timer = threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        module.call("spin", timeout_ms=20_000)
    timer.join()
    assert time.monotonic() - start < 5
    assert module.call("add", 1, 2) == [3]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_signal_handlers_run_during_a_long_call(module: epsilon.Module) -> None:
    seen: list[int] = []

    def handler(signum: int, frame: object) -> None:
        seen.append(signum)
        raise RuntimeError("from the handler")

    old = signal.signal(signal.SIGUSR1, handler)
    try:
        threading.Timer(0.1, os.kill, args=(os.getpid(), signal.SIGUSR1)).start()
        with pytest.raises(RuntimeError, match="from the handler"):
            module.call("spin", timeout_ms=20_000)
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert seen == [signal.SIGUSR1]


def test_fuel(add_wasm: bytes) -> None:
    with epsilon.Runtime(fuel=10_000) as runtime:
        m = runtime.instantiate(add_wasm)
        assert runtime.fuel == 10_000
        assert m.call("add", 1, 2) == [3]
        left = runtime.fuel
        assert left is not None and 0 < left < 10_000
        assert m.fuel == left
        with pytest.raises(epsilon.OutOfFuelError) as info:
            m.call("spin")
        assert isinstance(info.value, epsilon.Trap)
        assert info.value.kind == "all fuel consumed"
        assert runtime.fuel == 0
        with pytest.raises(epsilon.OutOfFuelError):
            m.call("add", 1, 2)
        runtime.fuel = 1_000_000  # refuel: usable again
        assert m.call("add", 1, 2) == [3]
        m.fuel = 5
        assert runtime.fuel == 5


def test_per_call_fuel(add_wasm: bytes) -> None:
    with epsilon.Runtime(fuel=2**64 - 1) as runtime:
        m = runtime.instantiate(add_wasm)
        with pytest.raises(epsilon.OutOfFuelError):
            m.call("count", 10**9, fuel=1000)
        # The budget applied to that call only; the runtime paid for what it used.
        left = runtime.fuel
        assert left is not None and 2**64 - 1 - 1000 <= left < 2**64 - 1
        assert m.call("count", 10, fuel=10_000) == [10]
        # A call's budget never exceeds what the runtime has left.
        runtime.fuel = 50
        with pytest.raises(epsilon.OutOfFuelError):
            m.call("count", 10**6, fuel=10**9)
        left = runtime.fuel
        assert left is not None and left < 50


def test_fuel_validation(module: epsilon.Module) -> None:
    assert module.fuel is None
    with pytest.raises(epsilon.EpsilonError, match="fuel metering is off"):
        module.call("add", 1, 2, fuel=100)
    with pytest.raises(epsilon.EpsilonError, match="fuel metering is off"):
        module.fuel = 10
    with pytest.raises(ValueError, match="fuel must be between 0 and 2\\*\\*64-1"):
        epsilon.Runtime(fuel=-1)
    with pytest.raises(ValueError):
        epsilon.Runtime(fuel=2**64)
    with epsilon.Runtime(fuel=1) as runtime:
        with pytest.raises(ValueError):
            runtime.fuel = -5


def test_call_depth_on_a_small_thread_stack(add_wasm: bytes) -> None:
    """Exhausting the call depth on a thread with a 256 KiB stack traps; it never crashes."""
    outcome: dict[str, object] = {}

    def work() -> None:
        with epsilon.Runtime() as runtime:
            m = runtime.instantiate(add_wasm)
            outcome["deep"] = m.call("deep", 50_000)
            try:
                m.call("forever", 0)
            except epsilon.Trap as trap:
                outcome["trap"] = trap.kind

    previous = threading.stack_size(256 * 1024)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    assert outcome == {"deep": [50_000], "trap": "call stack exhausted"}


def test_timeout_returns_promptly(module: epsilon.Module) -> None:
    """timeout_ms=50 stops an infinite loop well within 500 ms; the module answers afterwards."""
    start = time.monotonic()
    with pytest.raises(epsilon.EpsilonTimeoutError):
        module.call("spin", timeout_ms=50)
    elapsed = time.monotonic() - start
    assert elapsed < 0.5, f"took {elapsed:.3f} s"
    assert module.call("add", 2, 3) == [5]


WASM3_MODULES = {
    "tail_call": "(module (func $f (export \"f\") (param i32) (result i32)"
    " (if (result i32) (local.get 0) (then (return_call $f (i32.sub (local.get 0) (i32.const 1))))"
    " (else (i32.const 7)))))",
    "extended_const": "(module (global (export \"g\") i32 (i32.mul (i32.const 6) (i32.const 7)))"
    " (func (export \"f\") (param i32) (result i32) (global.get 0)))",
    "relaxed_simd": "(module (func (export \"f\") (param i32) (result i32)"
    " (i32x4.extract_lane 0 (i32x4.relaxed_laneselect (v128.const i32x4 1 1 1 1)"
    " (v128.const i32x4 2 2 2 2) (v128.const i32x4 -1 0 0 0)))))",
}


@pytest.mark.parametrize("switch", sorted(WASM3_MODULES))
def test_wasm3_feature_switches(switch: str) -> None:
    wat = WASM3_MODULES[switch]
    with epsilon.Runtime() as runtime:
        assert runtime.instantiate(wat).call("f", 100000)[0] in (7, 42, 1)
    with epsilon.Runtime(**{switch: False}) as runtime:
        with pytest.raises(epsilon.CompileError):
            runtime.instantiate(wat)


MEMORY64 = """(module
  (memory (export "mem") i64 1 0x1000000000000)
  (func (export "load") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "size") (result i64) (memory.size)))"""


def test_memory64_keyword() -> None:
    """Runtime(memory64=...) switches 64-bit memories; i64 addresses of 4 GiB and more trap."""
    with epsilon.Runtime() as runtime:
        module = runtime.instantiate(MEMORY64)
        ty = module.exports["mem"]
        assert ty.memory64 and ty.min == 1 and ty.max == 2**48
        assert repr(ty) == "MemoryType(min=1, max=281474976710656, memory64=True)"
        module.call("store", 65535, 9)
        assert module.call("load", 65535) == [9]
        for addr in (65536, 2**32, 2**32 + 65535, -1):
            with pytest.raises(epsilon.Trap, match="out of bounds memory access"):
                module.call("load", addr)
        assert module.call("grow", 2) == [1]
        assert module.call("grow", 2**32) == [-1]
        assert module.call("size") == [3]
        assert epsilon.MemoryType(1, memory64=True) == epsilon.MemoryType(1, None, memory64=True)
        assert epsilon.MemoryType(1) != epsilon.MemoryType(1, memory64=True)
    with epsilon.Runtime(memory64=False) as runtime:
        with pytest.raises(epsilon.CompileError):
            runtime.instantiate(MEMORY64)


def test_host_made_64_bit_memory() -> None:
    """Runtime.new_memory(memory64=True) makes a 64-bit memory: its type, sizes and growth in
    pages as Python ints, importable where a module wants an i64 memory and nowhere else."""
    importer = """(module
      (memory (import "env" "mem") i64 1)
      (func (export "size") (result i64) (memory.size))
      (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
      (func (export "load") (param i64) (result i32) (i32.load8_u (local.get 0))))"""
    with epsilon.Runtime() as runtime:
        mem = runtime.new_memory(1, 2**48, memory64=True)
        assert mem.type == epsilon.MemoryType(1, 2**48, memory64=True)
        assert mem.size == 1 and mem.data_size == 65536
        assert mem.grow(2) == 1
        assert mem.size == 3
        m = runtime.instantiate(importer, imports={"env": {"mem": mem}})
        assert m.call("size") == [3]
        mem.write(3 * 65536 - 1, b"\x2a")
        assert m.call("load", 3 * 65536 - 1) == [42]
        assert m.call("grow", 1) == [3]
        assert mem.size == 4 and mem.type.min == 4
        # Beyond the engine's ceiling (65,536 pages): an error, the size unchanged.
        for delta in (65536, 2**32, 2**48, 2**64 - 1):
            with pytest.raises(epsilon.EpsilonError):
                mem.grow(delta)
        assert mem.size == 4
        # A 32-bit memory does not satisfy an i64 import, nor the other way round.
        with pytest.raises(epsilon.LinkError):
            runtime.instantiate(importer, imports={"env": {"mem": runtime.new_memory(1)}})
        with pytest.raises(epsilon.LinkError):
            runtime.instantiate('(module (memory (import "env" "mem") 1))', imports={"env": {"mem": mem}})
        # Limits: up to 2**48 pages in the type; a minimum beyond the ceiling cannot be made.
        with pytest.raises(ValueError, match="max must be between 0 and 281474976710656"):
            runtime.new_memory(1, 2**48 + 1, memory64=True)
        with pytest.raises(ValueError, match="max must be between 0 and 65536"):
            runtime.new_memory(1, 2**48)
        with pytest.raises(epsilon.EpsilonError, match="exceeds the limit"):
            runtime.new_memory(2**40, memory64=True)
        with pytest.raises(ValueError, match="max must not be smaller than min"):
            runtime.new_memory(3, 2, memory64=True)
    with epsilon.Runtime(max_memory_pages=4) as limited:
        mem = limited.new_memory(1, memory64=True)
        assert mem.grow(3) == 1
        with pytest.raises(epsilon.EpsilonError):
            mem.grow(1)
        with pytest.raises(ValueError, match="exceeds the runtime's max_memory_pages of 4"):
            limited.new_memory(1, 5, memory64=True)
