"""The GIL while wasm runs: a call starts with it held and gives it up within a few
milliseconds (see python/src/gil.rs), so other Python threads keep running during long calls,
and Python host functions, nested calls and WASI streams re-take it safely."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

import pytest

import epsilon

HOST_LOOP_WAT = """
(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (func (export "ticks") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $tick (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
"""


class Counter:
    """A Python thread that counts loop iterations until stopped, and records the longest
    time it went without running (while the GIL was held elsewhere)."""

    def __init__(self) -> None:
        self.count = 0
        self.longest_pause = 0.0
        self.running = True
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        last = time.monotonic()
        while self.running:
            self.count += 1
            # Allocate and free objects: reference counting must not race with a call.
            _ = [self.count, str(self.count)]
            now = time.monotonic()
            self.longest_pause = max(self.longest_pause, now - last)
            last = now

    def __enter__(self) -> Counter:
        self.thread.start()
        while self.count == 0:
            time.sleep(0.001)
        self.longest_pause = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()


def test_a_counting_thread_keeps_running_while_wasm_spins(module: epsilon.Module) -> None:
    with Counter() as counter:
        with pytest.raises(epsilon.EpsilonTimeoutError):
            module.call("spin", timeout_ms=500)
        pause = counter.longest_pause
    # A call gives the GIL up within a poll interval (5 ms); holding it for the whole call would
    # stop the counter for 500 ms. The margin allows for a loaded machine.
    assert pause < 0.25


def test_a_long_call_on_a_worker_thread_lets_the_main_thread_run(module: epsilon.Module) -> None:
    go = threading.Event()
    done = threading.Event()
    out: list[object] = []

    def worker() -> None:
        go.wait()
        _run_catching(lambda: out.append(module.call("spin", timeout_ms=500)), out)
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    # The worker enters the call while this thread is already in its loop.
    last = time.monotonic()
    go.set()
    longest_pause = 0.0
    while not done.is_set():
        now = time.monotonic()
        longest_pause = max(longest_pause, now - last)
        last = now
    t.join()
    assert longest_pause < 0.25
    assert len(out) == 1 and isinstance(out[0], epsilon.EpsilonTimeoutError)


def _run_catching(fn: Callable[[], None], out: list[object]) -> None:
    try:
        fn()
    except epsilon.EpsilonTimeoutError as e:
        out.append(e)


def test_host_functions_during_a_long_call_while_another_thread_runs(runtime: epsilon.Runtime) -> None:
    seen: list[int] = []

    def tick(i: int) -> int:
        seen.append(i)
        return i % 7

    m = runtime.instantiate(HOST_LOOP_WAT, imports={"env": {"tick": tick}})
    n = 300_000
    with Counter() as counter:
        result = m.call("ticks", n)
        pause = counter.longest_pause
    assert result == [sum(i % 7 for i in range(n))]
    assert seen == list(range(n))
    assert pause < 0.25


def test_nested_long_calls_from_a_host_function(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    inner = runtime.instantiate(add_wasm)
    results: list[object] = []

    def tick(i: int) -> int:
        # A nested call long enough to give the GIL up, then back to the outer call.
        results.append(inner.call("count", 2_000_000)[0])
        return 1

    outer = runtime.instantiate(HOST_LOOP_WAT, imports={"env": {"tick": tick}})
    with Counter():
        assert outer.call("ticks", 40) == [40]
    assert results == [2_000_000] * 40


def test_threads_calling_host_functions_concurrently(add_wasm: bytes) -> None:
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            with epsilon.Runtime() as rt:
                m = rt.instantiate(HOST_LOOP_WAT, imports={"env": {"tick": lambda i: (i * k) & 0xFF}})
                for _ in range(5):
                    assert m.call("ticks", 50_000) == [sum((i * k) & 0xFF for i in range(50_000))]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_wasi_stream_writes_from_a_long_call(runtime: epsilon.Runtime) -> None:
    # A runtime with WASI gives the GIL up at once; its Python streams re-take it per write.
    wat = """
    (module
      (import "wasi_snapshot_preview1" "fd_write"
        (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "x")
      (func (export "_start")
        (local $i i32)
        (i32.store (i32.const 0) (i32.const 16))
        (i32.store (i32.const 4) (i32.const 1))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (i32.const 20000)))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))))
    """
    out = io.StringIO()
    m = runtime.instantiate(wat, wasi=epsilon.WasiConfig(stdout=out))
    with Counter():
        assert m.run_wasi() == 0
    assert out.getvalue() == "x" * 20000
