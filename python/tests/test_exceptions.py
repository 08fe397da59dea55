"""Exception handling: WasmException out of wasm and from host functions into wasm, tags as
exports, imports and runtime objects, exnref values, and Runtime(exceptions=False)."""

from __future__ import annotations

import pytest

import epsilon

THROWER = """
(module
  (tag $e (export "e") (param i32 f64))
  (tag $empty (export "empty"))
  (func $deep (param $n i32) (param $x f64)
    (if (i32.eqz (local.get $n)) (then (throw $e (i32.const 7) (local.get $x))))
    (call $deep (i32.sub (local.get $n) (i32.const 1)) (local.get $x)))
  (func (export "throw") (param f64) (call $deep (i32.const 20) (local.get 0)))
  (func (export "catch") (param f64) (result i32 f64)
    (block $h (result i32 f64)
      (try_table (catch $e $h) (call $deep (i32.const 20) (local.get 0)))
      (unreachable)))
  (func (export "get_exn") (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $empty))
      (unreachable)))
  (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
)
"""

HOST_THROWS = """
(module
  (tag $t (import "host" "t") (param i64))
  (func $f (import "host" "f") (param i64))
  (func (export "catch") (param i64) (result i64)
    (block $h (result i64)
      (try_table (catch $t $h) (call $f (local.get 0)))
      (i64.const -1)))
  (func (export "through") (param i64) (call $f (local.get 0)))
)
"""


def test_uncaught_exception_is_a_wasm_exception_with_tag_and_values(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(THROWER)
    with pytest.raises(epsilon.WasmException) as info:
        m.call("throw", 2.5)
    err = info.value
    assert isinstance(err, epsilon.EpsilonError)
    assert not isinstance(err, epsilon.Trap)
    assert err.tag == m.get_export("e")
    assert err.values == [7, 2.5]
    assert "uncaught wasm exception" in str(err)
    # Caught inside wasm, it is a normal result; the module stays usable.
    assert m.call("catch", -1.25) == [7, -1.25]


def test_tags_are_exports_with_a_type(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(THROWER)
    tag = m.get_export("e")
    assert isinstance(tag, epsilon.Tag)
    assert tag.type == epsilon.TagType(["i32", "f64"])
    assert tag.type.params == ["i32", "f64"]
    kinds = {t.name: (t.kind, t.type) for t in m.export_types}
    assert kinds["empty"] == ("tag", epsilon.TagType([]))
    imports = runtime.compile(HOST_THROWS).imports
    assert [(i.kind, i.type) for i in imports] == [
        ("tag", epsilon.TagType(["i64"])),
        ("function", epsilon.FuncType(["i64"], [])),
    ]


def test_host_function_raises_wasm_exception_into_wasm(runtime: epsilon.Runtime) -> None:
    tag = runtime.new_tag(epsilon.TagType(["i64"]))

    def f(x: int) -> None:
        raise epsilon.WasmException(tag, [x * 3])

    m = runtime.instantiate(HOST_THROWS, imports={"host": {"t": tag, "f": f}})
    assert m.call("catch", 14) == [42]
    # Not caught in wasm: it comes back out as the same kind of exception.
    with pytest.raises(epsilon.WasmException) as info:
        m.call("through", 5)
    assert info.value.tag == tag
    assert info.value.values == [15]


def test_host_wasm_exception_of_another_tag_is_not_caught(runtime: epsilon.Runtime) -> None:
    tag = runtime.new_tag(epsilon.TagType(["i64"]))
    other = runtime.new_tag(epsilon.TagType(["i64"]))

    def f(x: int) -> None:
        raise epsilon.WasmException(other, [x])

    m = runtime.instantiate(HOST_THROWS, imports={"host": {"t": tag, "f": f}})
    with pytest.raises(epsilon.WasmException) as info:
        m.call("catch", 1)
    assert info.value.tag == other


def test_wrong_wasm_exception_payload_is_a_type_error(runtime: epsilon.Runtime) -> None:
    tag = runtime.new_tag(epsilon.TagType(["i64"]))

    def f(x: int) -> None:
        raise epsilon.WasmException(tag, ["not a number"])

    m = runtime.instantiate(HOST_THROWS, imports={"host": {"t": tag, "f": f}})
    with pytest.raises(epsilon.EpsilonTypeError):
        m.call("catch", 1)


def test_other_host_exceptions_propagate_unchanged(runtime: epsilon.Runtime) -> None:
    tag = runtime.new_tag(epsilon.TagType(["i64"]))

    def f(x: int) -> None:
        raise KeyError("boom")

    m = runtime.instantiate(HOST_THROWS, imports={"host": {"t": tag, "f": f}})
    with pytest.raises(KeyError):
        m.call("catch", 1)


def test_exnref_values_round_trip(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(THROWER)
    (exn,) = m.call("get_exn")
    assert isinstance(exn, epsilon.ExnRef)
    with pytest.raises(epsilon.WasmException) as info:
        m.call("rethrow", exn)
    assert info.value.tag == m.get_export("empty")
    assert info.value.values == []
    with pytest.raises(epsilon.Trap) as trap:
        m.call("rethrow", None)
    assert trap.value.kind == "null exception reference"


def test_exceptions_can_be_switched_off() -> None:
    with epsilon.Runtime(exceptions=False) as runtime:
        with pytest.raises(epsilon.CompileError):
            runtime.compile(THROWER)
    with epsilon.Runtime(exceptions=True) as runtime:
        runtime.compile(THROWER)


NON_NULL = """
(module
  (tag $e (export "e") (param i32))
  (table (export "t") 2 exnref)
  (func (export "catch") (param i32) (result (ref exn))
    (block $h (result (ref exn))
      (try_table (catch_all_ref $h) (throw $e (local.get 0)))
      (unreachable)))
  (func (export "payload") (param $x (ref exn)) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (local.get $x)))
      (unreachable))))
"""


def test_non_nullable_exnref(runtime: epsilon.Runtime) -> None:
    """``(ref exn)`` in signatures and type names; null is refused for it; tables of exnref."""
    m = runtime.instantiate(NON_NULL)
    assert m.exports["catch"] == epsilon.FuncType(["i32"], ["(ref exn)"])
    assert m.exports["payload"].params == ["(ref exn)"]
    assert m.exports["t"] == epsilon.TableType("exnref", 2)
    assert epsilon.TableType("(ref null exn)", 2) == epsilon.TableType("exnref", 2)
    (exn,) = m.call("catch", 31)
    assert isinstance(exn, epsilon.ExnRef)
    assert m.call("payload", exn) == [31]
    with pytest.raises(epsilon.EpsilonTypeError):
        m.call("payload", None)
    with pytest.raises(epsilon.EpsilonTypeError):
        m.call("payload", 5)
    table = m.get_table("t")
    assert table.get(0) is None
    table.set(1, exn)
    assert isinstance(table.get(1), epsilon.ExnRef)
    assert m.call("payload", table.get(1)) == [31]
    with pytest.raises(epsilon.EpsilonTypeError):
        table.set(0, "not an exnref")
    assert table.grow(1, exn) == 2
    assert m.call("payload", table.get(2)) == [31]
