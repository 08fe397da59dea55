"""Wasm backtraces of traps: ``Trap.frames`` and the frames in the message.

Expected offsets are found in the binary ``wat2wasm`` makes, by the bytes of the instruction
each frame must point at (each pattern occurs once in these modules).
"""

from __future__ import annotations

import re
import sys

import pytest

import epsilon

CHAIN = """(module $chain
  (func $outer (export "outer") (param i32) (result i32)
    (i32.add (call $middle (local.get 0)) (i32.const 1)))
  (func $middle (param i32) (result i32)
    (i32.mul (call $div (i32.const 10) (local.get 0)) (i32.const 3)))
  (func $div (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))"""


def offset_of(wasm: bytes, pattern: bytes, skip: int) -> int:
    """The offset of ``pattern`` (which must occur once) in ``wasm``, plus ``skip``."""
    assert wasm.count(pattern) == 1, pattern
    return wasm.index(pattern) + skip


def test_frames_name_index_and_offset_of_each_call() -> None:
    wasm = epsilon.wat2wasm(CHAIN)
    module = epsilon.Runtime().instantiate(wasm)
    with pytest.raises(epsilon.Trap) as caught:
        module.call("outer", 0)
    trap = caught.value
    # local.get 0, local.get 1, i32.div_s; local.get 0, call 1; i32.const 10, local.get 0, call 2
    div = offset_of(wasm, b"\x20\x00\x20\x01\x6d", 4)
    call_middle = offset_of(wasm, b"\x20\x00\x10\x01", 2)
    call_div = offset_of(wasm, b"\x41\x0a\x20\x00\x10\x02", 4)
    assert trap.kind == "integer divide by zero"
    assert [(f.func_index, f.func_name, f.module_name, f.module_offset) for f in trap.frames] == [
        (2, "div", "chain", div),
        (1, "middle", "chain", call_div),
        (0, "outer", "chain", call_middle),
    ]
    assert all(isinstance(f, epsilon.Frame) for f in trap.frames)
    assert 0 < trap.frames[0].func_offset < div
    assert str(trap).splitlines() == [
        "wasm trap: integer divide by zero",
        "wasm backtrace:",
        f"    0: {div:>#6x} - chain!div",
        f"    1: {call_div:>#6x} - chain!middle",
        f"    2: {call_middle:>#6x} - chain!outer",
    ]
    assert repr(trap.frames[0]) == (
        f"Frame(func_index=2, func_name='div', module_name='chain', module_offset={div:#x}, "
        f"func_offset={trap.frames[0].func_offset:#x})"
    )


def test_a_function_without_a_name_is_shown_by_index() -> None:
    wasm = epsilon.wat2wasm('(module (func (export "crash") unreachable))')
    with pytest.raises(epsilon.Trap) as caught:
        epsilon.Runtime().instantiate(wasm).get_function("crash")()
    (frame,) = caught.value.frames
    assert (frame.func_index, frame.func_name, frame.module_name) == (0, None, None)
    assert frame.module_offset == offset_of(wasm, b"\x00\x0b", 0) and wasm[frame.module_offset] == 0x00
    assert str(caught.value).splitlines()[-1] == f"    0: {frame.module_offset:>#6x} - <unknown>!<wasm function 0>"


def test_fuel_and_timeouts_carry_frames() -> None:
    wat = '(module (func $spin (export "spin") (loop $l (br $l))))'
    module = epsilon.Runtime(fuel=1000).instantiate(wat)
    with pytest.raises(epsilon.OutOfFuelError) as fuel:
        module.call("spin")
    assert [f.func_name for f in fuel.value.frames] == ["spin"]
    with pytest.raises(epsilon.EpsilonTimeoutError) as timeout:
        epsilon.Runtime().instantiate(wat).call("spin", timeout_ms=20)
    assert [f.func_name for f in timeout.value.frames] == ["spin"]
    assert re.search(r"\n    0: +0x[0-9a-f]+ - <unknown>!spin$", str(timeout.value))


def test_a_trap_in_wasm_called_from_a_host_function() -> None:
    wat = """(module
      (import "env" "callback" (func $callback (param i32) (result i32)))
      (func $run (export "run") (param i32) (result i32) (call $callback (local.get 0)))
      (func $inner (export "inner") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))"""
    holder: dict[str, epsilon.Module] = {}

    def callback(x: int) -> int:
        (r,) = holder["m"].call("inner", x)
        return int(r)

    module = epsilon.Runtime().instantiate(wat, imports={"env": {"callback": callback}})
    holder["m"] = module
    assert module.call("run", 1) == [1]
    with pytest.raises(epsilon.Trap) as caught:
        module.call("run", 0)
    # The trap raised inside the callback comes back unchanged: its frames are those of the
    # wasm the callback called; the frames below the host function are added as a note.
    assert [f.func_name for f in caught.value.frames] == ["inner"]
    if sys.version_info >= (3, 11):
        (note,) = caught.value.__notes__
        assert note.startswith("wasm backtrace:\n    0: ") and note.endswith("- <unknown>!run")


def test_a_host_exception_gets_the_backtrace_as_a_note() -> None:
    wat = """(module (import "env" "fail" (func $fail))
      (func $run (export "run") (call $fail)))"""

    def fail() -> None:
        raise KeyError("from the host")

    module = epsilon.Runtime().instantiate(wat, imports={"env": {"fail": fail}})
    with pytest.raises(KeyError) as caught:
        module.call("run")
    if sys.version_info >= (3, 11):
        assert [n.splitlines()[-1].split(" - ")[-1] for n in caught.value.__notes__] == ["<unknown>!run"]


def test_traps_outside_wasm_code_have_no_frames() -> None:
    assert epsilon.Trap("made by hand").frames == []
