"""Property tests (hypothesis) of value conversion and of random sequences of API calls.

Not collected on its own (the name does not start with ``test_``): ``test_properties.py`` runs
this file in a subprocess, so that a crash of the interpreter fails one test, not the run.
Run it directly with ``pytest python/tests/hypothesis_api.py``.

The properties: every value of a type's range comes back from an identity function unchanged
(floats bit for bit through ``call_raw``), every value outside it raises an error of the
package's hierarchy, and no sequence of calls, closes, interrupts and concurrent calls makes
the process crash or hang or raise anything but the documented exceptions.
"""

from __future__ import annotations

import math
import struct
import threading
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

import epsilon

settings.register_profile(
    "epsilon", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("epsilon")

# Errors the API may raise for bad input or a closed object; anything else is a bug.
DOCUMENTED = (epsilon.EpsilonError, TypeError, ValueError, OverflowError, IndexError, KeyError)

IDENTITY = """
(module
  (func (export "i32") (param i32) (result i32) (local.get 0))
  (func (export "i64") (param i64) (result i64) (local.get 0))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "v128") (param v128) (result v128) (local.get 0))
  (func (export "externref") (param externref) (result externref) (local.get 0))
  (func (export "mix") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    (local.get 3) (local.get 2) (local.get 1) (local.get 0)))
"""

RUNTIME = epsilon.Runtime()
ID = RUNTIME.instantiate(IDENTITY)


@given(st.integers(-(2**31), 2**31 - 1))
def test_i32_values_come_back(x: int) -> None:
    assert ID.call("i32", x) == [x]
    # The unsigned spelling of the same bits is accepted too.
    assert ID.call("i32", x & 0xFFFFFFFF) == [x]


@given(st.integers(-(2**63), 2**63 - 1))
def test_i64_values_come_back(x: int) -> None:
    assert ID.call("i64", x) == [x]
    assert ID.call("i64", x & (2**64 - 1)) == [x]


@given(st.one_of(st.integers(max_value=-(2**31) - 1), st.integers(min_value=2**32)))
def test_out_of_range_i32_is_refused(x: int) -> None:
    with pytest.raises(DOCUMENTED):
        ID.call("i32", x)


@given(st.one_of(st.integers(max_value=-(2**63) - 1), st.integers(min_value=2**64)))
def test_out_of_range_i64_is_refused(x: int) -> None:
    with pytest.raises(DOCUMENTED):
        ID.call("i64", x)


@given(st.integers(0, 2**32 - 1))
def test_f32_bits_survive_call_raw(bits: int) -> None:
    assert ID.call_raw("f32", bits) == [bits]


@given(st.integers(0, 2**64 - 1))
def test_f64_bits_survive_call_raw(bits: int) -> None:
    assert ID.call_raw("f64", bits) == [bits]


@given(st.floats(allow_nan=False))
def test_f64_values_come_back(x: float) -> None:
    (y,) = ID.call("f64", x)
    assert y == x and math.copysign(1, y) == math.copysign(1, x)


@given(st.floats(width=32, allow_nan=False))
def test_f32_values_come_back(x: float) -> None:
    (y,) = ID.call("f32", x)
    assert struct.pack("<f", y) == struct.pack("<f", x)


@given(st.one_of(st.integers(0, 2**128 - 1), st.binary(min_size=16, max_size=16)))
def test_v128_values_come_back(x: int | bytes) -> None:
    (y,) = ID.call("v128", x)
    want = int.from_bytes(x, "little") if isinstance(x, bytes) else x
    assert y == want


@given(st.integers(-(2**31), 2**31 - 1), st.integers(-(2**63), 2**63 - 1), st.floats(width=32, allow_nan=False), st.floats(allow_nan=False))
def test_mixed_signatures_keep_their_order(a: int, b: int, c: float, d: float) -> None:
    assert ID.call("mix", a, b, c, d) == [d, c, b, a]
    assert ID.get_function("mix")(a, b, c, d) == (d, c, b, a)


ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.builds(object),
)


@given(st.sampled_from(["i32", "i64", "f32", "f64", "v128", "externref", "mix"]), st.lists(ANYTHING, max_size=5))
def test_any_arguments_give_a_result_or_a_documented_error(name: str, args: list[Any]) -> None:
    try:
        ID.call(name, *args)
    except DOCUMENTED:
        pass


@given(st.lists(ANYTHING, max_size=4))
def test_externref_gives_back_the_same_object(objects: list[Any]) -> None:
    for obj in objects:
        (back,) = ID.call("externref", obj)
        assert back is obj


# ---------------------------------------------------------------------------------------------
# Random sequences of API calls.

API_MODULE = """
(module
  (memory (export "memory") 1 4)
  (table (export "table") 2 8 funcref)
  (global (export "counter") (mut i32) (i32.const 0))
  (global (export "fixed") i64 (i64.const 7))
  (elem (i32.const 0) $inc)
  (func $inc (export "inc") (result i32)
    (global.set 0 (i32.add (global.get 0) (i32.const 1)))
    (global.get 0))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "spin") (loop (br 0)))
  (func (export "indirect") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
"""

NAMES = st.sampled_from(["inc", "load", "store", "grow", "indirect", "div", "missing", "memory", "counter"])
VALUES = st.one_of(st.integers(-(2**33), 2**33), st.floats(), st.none(), st.text(max_size=2))


class ApiSequences(RuleBasedStateMachine):
    """Drives one runtime through random calls; every outcome must be a value or a documented
    error, and a module's state must stay consistent with what was asked of it."""

    modules = Bundle("modules")

    def __init__(self) -> None:
        super().__init__()
        self.runtime = epsilon.Runtime(max_memory_pages=3, fuel=10**9)

    @rule(target=modules)
    def instantiate(self) -> Any:
        try:
            return self.runtime.instantiate(API_MODULE)
        except DOCUMENTED:
            return None

    @rule(m=modules, name=NAMES, args=st.lists(VALUES, max_size=3), fuel=st.one_of(st.none(), st.integers(0, 100)))
    def call(self, m: Any, name: str, args: list[Any], fuel: int | None) -> None:
        if m is None:
            return
        try:
            m.call(name, *args, fuel=fuel)
        except DOCUMENTED:
            pass

    @rule(m=modules, offset=st.integers(-10, 5 * 65536), data=st.binary(max_size=40))
    def write_then_read(self, m: Any, offset: int, data: bytes) -> None:
        if m is None:
            return
        try:
            m.write_memory(offset, data)
        except DOCUMENTED:
            return
        assert m.read_memory(offset, len(data)) == data

    @rule(m=modules, delta=st.integers(-1, 5))
    def grow(self, m: Any, delta: int) -> None:
        if m is None:
            return
        try:
            before = m.get_memory_size()
            old = m.get_memory().grow(delta)
            assert old == before and m.get_memory_size() == before + delta <= 3
        except DOCUMENTED:
            pass

    @rule(m=modules, index=st.integers(-1, 10), value=st.sampled_from([None, "inc", 3]))
    def table_ops(self, m: Any, index: int, value: Any) -> None:
        if m is None:
            return
        try:
            table = m.get_table("table")
            item = m.get_function("inc") if value == "inc" else value
            table.set(index, item)
            got = table.get(index)
            assert (got is None) == (item is None)
        except DOCUMENTED:
            pass

    @rule(m=modules, value=VALUES)
    def set_globals(self, m: Any, value: Any) -> None:
        if m is None:
            return
        for name in ("counter", "fixed"):
            try:
                m.set_global(name, value)
            except DOCUMENTED:
                pass

    @rule(m=modules)
    def interrupt_a_spin(self, m: Any) -> None:
        if m is None:
            return
        def interrupt() -> None:
            try:
                m.interrupt()
            except DOCUMENTED:
                pass  # the module or its runtime was closed by an earlier step

        timer = threading.Timer(0.005, interrupt)
        timer.start()
        try:
            m.call("spin", timeout_ms=200)
        except DOCUMENTED:
            pass
        timer.join()

    @rule(m=modules)
    def concurrent_calls(self, m: Any) -> None:
        if m is None:
            return
        errors: list[BaseException] = []

        def worker() -> None:
            for _ in range(50):
                try:
                    m.call("inc")
                except DOCUMENTED:
                    pass
                except BaseException as e:  # noqa: BLE001 - recorded and re-raised below
                    errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors and not any(t.is_alive() for t in threads)

    @rule(m=modules)
    def close_module(self, m: Any) -> None:
        if m is not None:
            m.close()
            with pytest.raises(epsilon.EpsilonError):
                m.call("inc")

    @rule(m=modules)
    def close_runtime_while_spinning(self, m: Any) -> None:
        if m is None or m.closed:
            return
        out: list[BaseException] = []

        def spin() -> None:
            try:
                m.call("spin")
            except BaseException as e:  # noqa: BLE001 - checked below
                out.append(e)

        t = threading.Thread(target=spin)
        t.start()
        time.sleep(0.01)
        start = time.monotonic()
        self.runtime.close()
        t.join(10)
        assert not t.is_alive() and time.monotonic() - start < 5
        assert all(isinstance(e, DOCUMENTED) for e in out), out
        self.runtime = epsilon.Runtime(max_memory_pages=3, fuel=10**9)

    @invariant()
    def runtime_answers(self) -> None:
        assert self.runtime.max_memory_pages == 3

    def teardown(self) -> None:
        self.runtime.close()


TestApiSequences = ApiSequences.TestCase
TestApiSequences.settings = settings(max_examples=150, stateful_step_count=30)
