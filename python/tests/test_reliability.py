"""Faults found by trying the package the way a careless user and an attacker would: each test
failed before its fix. Scenarios that used to crash or hang the interpreter run in a subprocess
(with a timeout), so a regression fails one test, not the run."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from pathlib import Path

import pytest

import epsilon

PROGRAMS = Path(__file__).resolve().parents[2] / "runtime" / "tests" / "wasi"


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a fresh interpreter; returns it finished (a crash is a return code)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )


def assert_clean(proc: subprocess.CompletedProcess[str], expected_out: str) -> None:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr[-3000:]}"
    assert proc.stdout.strip() == expected_out, proc.stdout + proc.stderr


# Two writes to standard output, then a read of standard input.
TWO_WRITES = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "hi\n")
  (data (i32.const 32) "\40\00\00\00\10\00\00\00")
  (func (export "_start")
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 40)))
    (drop (call $read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 40)))))
"""


def test_streams_that_raise_twice_do_not_abort_the_process() -> None:
    # Fault 1: the second exception was dropped without the GIL: "Fatal Python error".
    proc = run_python(
        f"""
        import io, epsilon
        wat = {TWO_WRITES!r}
        config = epsilon.WasiConfig(stdout=lambda data: 1 / 0)
        with epsilon.Runtime() as rt:
            m = rt.instantiate(wat, wasi=config)
            try:
                m.run_wasi()
            except ZeroDivisionError:
                print("stdout raised")

        class BadInput(io.RawIOBase):
            def read(self, n=-1):
                raise OSError("no input today")

        config = epsilon.WasiConfig(stdin=BadInput(), stdout=None)
        with epsilon.Runtime() as rt:
            m = rt.instantiate(wat, wasi=config)
            try:
                m.run_wasi()
            except OSError as e:
                print("stdin raised:", e)
        """
    )
    assert_clean(proc, "stdout raised\nstdin raised: no input today")


def test_a_stdout_callable_that_calls_back_into_its_module() -> None:
    proc = run_python(
        f"""
        import epsilon
        rt = epsilon.Runtime()
        box = []
        def out(data):
            box[0].call("_start")
        m = rt.instantiate({TWO_WRITES!r}, wasi=epsilon.WasiConfig(stdout=out))
        box.append(m)
        try:
            m.run_wasi()
        except epsilon.EpsilonError as e:
            print("refused:", "re-entered" in str(e))
        """
    )
    assert_clean(proc, "refused: True")


def test_host_reentry_on_a_small_thread_stack_traps_instead_of_crashing() -> None:
    # Fault 2: SIGSEGV at about 61 re-entries on a 256 KiB thread (the guard was at 64).
    proc = run_python(
        """
        import threading, epsilon
        wat = '''(module (import "env" "cb" (func $cb (param i32) (result i32)))
          (func (export "callcb") (param i32) (result i32) (call $cb (local.get 0))))'''
        rt = epsilon.Runtime()
        deepest = [0]
        def rec(x):
            deepest[0] = max(deepest[0], x)
            return m.call("callcb", x + 1)[0]
        m = rt.instantiate(wat, imports={"env": {"cb": rec}})
        out = []
        def worker():
            try:
                m.call("callcb", 0)
            except epsilon.Trap as e:
                out.append(e.kind)
        threading.stack_size(256 * 1024)
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        print(out, deepest[0] > 5)
        """
    )
    assert_clean(proc, "['call stack exhausted'] True")


SPIN = '(module (func (export "spin") (loop (br 0))) (func (export "one") (result i32) (i32.const 1)))'


def test_close_stops_a_call_running_on_another_thread() -> None:
    # Fault 3: close() waited forever for the running call, which could then not be stopped.
    proc = run_python(
        f"""
        import threading, time, epsilon
        rt = epsilon.Runtime()
        m = rt.instantiate({SPIN!r})
        out = []
        def worker():
            try:
                m.call("spin")
            except epsilon.Trap as e:
                out.append(str(e))
        t = threading.Thread(target=worker)
        t.start()
        time.sleep(0.2)
        start = time.monotonic()
        rt.close()
        t.join(5)
        print(time.monotonic() - start < 2, not t.is_alive(), "closed" in out[0])
        try:
            m.call("one")
        except epsilon.EpsilonError as e:
            print(e)
        """,
        timeout=30,
    )
    assert_clean(proc, "True True True\nRuntime is closed")


def test_later_calls_release_the_gil_after_a_timeout() -> None:
    # Fault 4: after a call ended by timeout, later calls held the GIL for their whole run.
    rt = epsilon.Runtime()
    m = rt.instantiate(SPIN + "")
    count = rt.instantiate(
        """(module (func (export "count") (param i64) (result i64) (local $i i64)
             (block $done (loop $next
               (br_if $done (i64.ge_u (local.get $i) (local.get 0)))
               (local.set $i (i64.add (local.get $i) (i64.const 1)))
               (br $next)))
             (local.get $i)))"""
    )
    for stop in ("timeout", "interrupt"):
        if stop == "timeout":
            with pytest.raises(epsilon.EpsilonTimeoutError):
                m.call("spin", timeout_ms=50)
        else:
            threading.Timer(0.05, m.interrupt).start()
            with pytest.raises(epsilon.Trap):
                m.call("spin")
        ticks = 0
        running = True

        def ticker() -> None:
            nonlocal ticks
            while running:
                ticks += 1
                time.sleep(0.01)

        t = threading.Thread(target=ticker)
        t.start()
        start = time.monotonic()
        n = 50_000_000
        while time.monotonic() - start < 0.5:
            count.call("count", n)
            n *= 2
        running = False
        t.join()
        elapsed = time.monotonic() - start
        assert ticks > elapsed / 0.01 / 4, f"after a {stop}: {ticks} ticks in {elapsed:.2f} s"
    rt.close()


def test_ctrl_c_works_after_a_timeout() -> None:
    # Fault 4: after a timeout (or Ctrl-C), a later spinning call ignored SIGINT forever.
    code = f"""
        import os, signal, threading, time, epsilon
        rt = epsilon.Runtime()
        m = rt.instantiate({SPIN!r})
        try:
            m.call("spin", timeout_ms=50)
        except epsilon.EpsilonTimeoutError:
            print("timed out")
        for _ in range(2):
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
            start = time.monotonic()
            try:
                m.call("spin")
            except KeyboardInterrupt:
                print("interrupted", time.monotonic() - start < 2)
        """
    proc = run_python(code, timeout=30)
    assert_clean(proc, "timed out\ninterrupted True\ninterrupted True")


# One clock subscription: 5 s relative on the monotonic clock.
SLEEP_5S = r"""
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i64.store (i32.const 0) (i64.const 1))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 5000000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
"""


def test_a_timeout_stops_a_blocking_wasi_sleep() -> None:
    # Fault 5: poll_oneoff slept its 5 s although timeout_ms was 200.
    rt = epsilon.Runtime()
    m = rt.instantiate(SLEEP_5S, wasi=epsilon.WasiConfig())
    start = time.monotonic()
    with pytest.raises(epsilon.EpsilonTimeoutError):
        m.run_wasi(timeout_ms=200)
    assert time.monotonic() - start < 2
    threading.Timer(0.2, m.interrupt).start()
    start = time.monotonic()
    with pytest.raises(epsilon.Trap):
        m.run_wasi()
    assert time.monotonic() - start < 2
    rt.close()


def test_ctrl_c_stops_a_blocking_wasi_sleep() -> None:
    proc = run_python(
        f"""
        import os, signal, threading, time, epsilon
        rt = epsilon.Runtime()
        m = rt.instantiate({SLEEP_5S!r}, wasi=epsilon.WasiConfig())
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        start = time.monotonic()
        try:
            m.run_wasi()
        except KeyboardInterrupt:
            print("interrupted", time.monotonic() - start < 2)
        """,
        timeout=30,
    )
    assert_clean(proc, "interrupted True")


def test_a_timeout_stops_a_slow_python_stdin_and_keeps_its_data() -> None:
    # Fault 5: a stdin reader sleeping 3 s held a 300 ms timeout for 3 s.
    class SlowInput:
        def __init__(self) -> None:
            self.calls = 0

        def read(self, n: int) -> bytes:
            self.calls += 1
            if self.calls == 1:
                time.sleep(1.5)
                return b"late"
            return b""

    chunks: list[bytes] = []
    slow = SlowInput()
    rt = epsilon.Runtime()
    m = rt.instantiate_file(str(PROGRAMS / "cat.wasm"), wasi=epsilon.WasiConfig(stdin=slow, stdout=chunks.append, stderr=None))
    start = time.monotonic()
    with pytest.raises(epsilon.EpsilonTimeoutError):
        m.run_wasi(timeout_ms=300)
    assert time.monotonic() - start < 1.2
    # The reply that came after the timeout is the next read's: nothing is lost.
    time.sleep(1.5)
    assert m.run_wasi(timeout_ms=5000) == 0
    assert b"".join(chunks) == b"late"
    rt.close()


def test_host_made_memories_obey_the_runtime_ceiling() -> None:
    # Fault 7: new_memory ignored max_memory_pages, and a module's own value could lift it.
    rt = epsilon.Runtime(max_memory_pages=2)
    mem = rt.new_memory(1, None)
    with pytest.raises(epsilon.EpsilonError):
        mem.grow(65535)
    assert mem.size == 1
    assert mem.grow(1) == 1
    with pytest.raises(ValueError, match="max of 100 pages exceeds"):
        rt.new_memory(1, 100)
    grow = '(module (memory (export "m") 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'
    for per_module in (0, 5, None):
        m = rt.instantiate(grow, max_memory_pages=per_module)
        assert m.call("grow", 3) == [-1], f"max_memory_pages={per_module} lifted the ceiling"
        assert m.call("grow", 1) == [1]
    with pytest.raises(epsilon.LinkError):
        rt.instantiate('(module (memory 3))', max_memory_pages=0)
    lower = rt.instantiate(grow, max_memory_pages=1)
    assert lower.call("grow", 1) == [-1], "a module can lower the ceiling"
    rt.close()


def test_a_function_from_a_table_is_closed_with_its_module() -> None:
    # Fault 10: a Function got through table.get kept running after module.close().
    rt = epsilon.Runtime()
    m = rt.instantiate(
        """(module (table (export "t") 1 funcref) (elem (i32.const 0) $f)
             (func $f (export "f") (result i32) (i32.const 42)))"""
    )
    f = m.get_table("t").get(0)
    assert f() == 42
    m.close()
    with pytest.raises(epsilon.EpsilonError, match="Module is closed"):
        f()
    rt.close()


@pytest.mark.parametrize("through", ["Module.call", "Function"])
def test_externrefs_no_longer_referenced_by_wasm_are_released(through: str) -> None:
    # Fault 11: every object passed as an externref stayed alive until the runtime closed.
    # Both call paths take their arguments without pyo3's method wrapper; the objects they free
    # must still be released at once, not left for pyo3's next entry.
    class Thing:
        pass

    rt = epsilon.Runtime()
    m = rt.instantiate(
        """(module (table (export "t") 2 externref)
             (func (export "pass") (param externref) (result externref) (local.get 0))
             (func (export "keep") (param externref) (table.set (i32.const 0) (local.get 0))))"""
    )
    kept = Thing()
    m.call("keep", kept)
    passing = m.get_function("pass")
    refs = []
    for _ in range(20_000):
        thing = Thing()
        assert (m.call("pass", thing) == [thing]) if through == "Module.call" else (passing(thing) is thing)
        refs.append(weakref.ref(thing))
        del thing
    gc.collect()
    alive = sum(r() is not None for r in refs)
    assert alive < 5000, f"{alive} of 20000 passed objects are still alive"
    assert m.get_table("t").get(0) is kept
    kept_ref = weakref.ref(kept)
    del kept
    gc.collect()
    assert kept_ref() is not None, "the object in the table stays alive"
    rt.close()


def test_interpreter_exit_with_a_blocked_stdin_reader() -> None:
    # The helper thread that runs stdin reads must not keep the interpreter from exiting.
    proc = run_python(
        f"""
        import time, epsilon
        class Never:
            def read(self, n):
                time.sleep(30)
                return b""
        rt = epsilon.Runtime()
        m = rt.instantiate_file({str(PROGRAMS / "cat.wasm")!r}, wasi=epsilon.WasiConfig(stdin=Never(), stdout=None, stderr=None))
        try:
            m.run_wasi(timeout_ms=200)
        except epsilon.EpsilonTimeoutError:
            print("timed out")
        """,
        timeout=20,
    )
    assert_clean(proc, "timed out")


def test_64_bit_memory_limits_do_not_crash() -> None:
    # Page counts beyond 32 bits reach a 64-bit memory's grow and new_memory: errors, no panic.
    proc = run_python(
        """
        import epsilon
        rt = epsilon.Runtime()
        mem = rt.new_memory(0, 2**48, memory64=True)
        for delta in (2**31, 2**32, 2**32 + 1, 2**48, 2**63, 2**64 - 1, 2**64, -1, 2**200):
            try:
                mem.grow(delta)
            except (epsilon.EpsilonError, ValueError, OverflowError):
                pass
            else:
                raise SystemExit(f"grow({delta}) succeeded")
        for args in ((2**48,), (2**47, 2**48), (0, 2**64), (-1,), (2**48 + 1,)):
            try:
                rt.new_memory(*args, memory64=True)
            except (epsilon.EpsilonError, ValueError, OverflowError):
                pass
            else:
                raise SystemExit(f"new_memory{args} succeeded")
        print(mem.size, mem.type.max, mem.type.memory64)
        """
    )
    assert_clean(proc, "0 281474976710656 True")
