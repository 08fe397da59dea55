"""Typed function references from Python: typed reference values cross as epsilon Functions
(or None), types are named in the text format's syntax, and the runtime checks what goes in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import epsilon

# $t is (i32) -> i32; double and negate have it, other does not.
LIB = """(module
  (type $t (func (param i32) (result i32)))
  (type $u (func (param i64) (result i64)))
  (func $double (export "double") (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func $negate (export "negate") (type $t) (i32.sub (i32.const 0) (local.get 0)))
  (func $other (export "other") (type $u) (local.get 0))
  (table (export "table") 2 (ref $t) (ref.func $double))
  (global (export "g") (mut (ref null $t)) (ref.null $t))
  (func (export "apply") (param $f (ref $t)) (param $x i32) (result i32)
    (call_ref $t (local.get $x) (local.get $f)))
  (func (export "apply_null") (param $f (ref null $t)) (param $x i32) (result i32)
    (call_ref $t (local.get $x) (local.get $f)))
  (func (export "get_negate") (result (ref $t)) (ref.func $negate))
  (func (export "as_non_null") (param (ref null func)) (result (ref func))
    (ref.as_non_null (local.get 0))))"""


@pytest.fixture
def lib() -> epsilon.Module:
    return epsilon.Runtime().instantiate(LIB)


def test_types_use_the_text_format(lib: epsilon.Module) -> None:
    apply = lib.exports["apply"]
    assert isinstance(apply, epsilon.FuncType)
    assert apply.params == ["(ref 0)", "i32"] and apply.results == ["i32"]
    assert lib.exports["get_negate"].results == ["(ref 0)"]
    assert lib.exports["as_non_null"].params == ["funcref"]
    assert lib.exports["as_non_null"].results == ["(ref func)"]
    table = lib.exports["table"]
    assert isinstance(table, epsilon.TableType)
    assert table.element == "(ref 0)"
    assert repr(table) == "TableType(element='(ref 0)', min=2, max=None)"
    glob = lib.exports["g"]
    assert isinstance(glob, epsilon.GlobalType)
    assert glob.content == "(ref null 0)" and glob.mutable
    # The names parse back, and other spellings are refused.
    ty = epsilon.FuncType(["(ref func)", "(ref null extern)", "(ref 3)"], ["(ref null 0)"])
    assert ty.params == ["(ref func)", "externref", "(ref 3)"] and ty.results == ["(ref null 0)"]
    assert epsilon.FuncType(["(ref null func)"], []) == epsilon.FuncType(["funcref"], [])
    assert epsilon.TableType("(ref extern)", 1).element == "(ref extern)"
    for bad in ["(ref)", "(ref null)", "(ref any)", "(ref func extern)", "ref func", "(ref -1)"]:
        with pytest.raises(epsilon.EpsilonTypeError, match="unknown value type"):
            epsilon.FuncType([bad], [])


def test_function_references_cross_as_functions(lib: epsilon.Module) -> None:
    double = lib.get_export("double")
    negate = lib.get_export("negate")
    assert isinstance(double, epsilon.Function)
    assert lib.call("apply", double, 21) == [42]
    assert lib.call("apply", negate, 5) == [-5]
    got = lib.call("get_negate")[0]
    assert isinstance(got, epsilon.Function)
    assert got(8) == -8
    assert lib.call("apply", got, 3) == [-3]
    assert lib.call("as_non_null", double)[0](4) == 8


def test_typed_parameters_refuse_null_and_other_types(lib: epsilon.Module) -> None:
    with pytest.raises(epsilon.EpsilonTypeError, match=r"\(ref 0\)"):
        lib.call("apply", None, 1)
    with pytest.raises(epsilon.EpsilonTypeError, match=r"\(i64\) -> \(i64\)"):
        lib.call("apply", lib.get_export("other"), 1)
    with pytest.raises(epsilon.EpsilonTypeError, match="Function or None"):
        lib.call("apply", 17, 1)


def test_null_references_trap(lib: epsilon.Module) -> None:
    with pytest.raises(epsilon.Trap, match="null function reference") as info:
        lib.call("apply_null", None, 1)
    assert info.value.kind == "null function reference"
    with pytest.raises(epsilon.Trap, match="null reference") as info:
        lib.call("as_non_null", None)
    assert info.value.kind == "null reference"


def test_typed_tables_and_globals(lib: epsilon.Module) -> None:
    table = lib.get_table("table")
    double, negate, other = (lib.get_export(n) for n in ("double", "negate", "other"))
    assert table.get(0)(10) == 20 and table.get(1)(10) == 20
    table.set(1, negate)
    assert table.get(1)(10) == -10
    with pytest.raises(epsilon.EpsilonTypeError):
        table.set(0, None)
    with pytest.raises(epsilon.EpsilonTypeError):
        table.set(0, other)
    assert table.get(0)(1) == 2
    assert table.grow(1, double) == 2
    with pytest.raises(epsilon.EpsilonTypeError):
        table.grow(1)  # the default init, None, is not a (ref $t)
    assert lib.get_global("g") is None
    lib.set_global("g", negate)
    assert lib.get_global("g")(3) == -3
    with pytest.raises(epsilon.EpsilonTypeError):
        lib.set_global("g", other)
    lib.set_global("g", None)
    assert lib.get_global("g") is None


def test_python_host_functions_take_and_return_typed_references() -> None:
    seen: list[object] = []

    def pick(f: object, which: int) -> object:
        seen.append(f)
        return f if which == 0 else None

    wat = """(module
      (type $t (func (result i32)))
      (import "env" "pick" (func $pick (param (ref func) i32) (result (ref func))))
      (func $seven (result i32) (i32.const 7))
      (elem declare func $seven)
      (func (export "run") (param i32) (result i32)
        (ref.is_null (call $pick (ref.func $seven) (local.get 0)))))"""
    module = epsilon.Runtime().instantiate(wat, imports={"env": {"pick": pick}})
    assert module.call("run", 0) == [0]
    assert isinstance(seen[0], epsilon.Function) and seen[0]() == 7
    # None is not a (ref func): the host function's result is refused.
    with pytest.raises(epsilon.EpsilonTypeError, match=r"\(ref func\)"):
        module.call("run", 1)


def test_python_host_functions_with_concrete_types() -> None:
    """A callable imported as `(ref $t) -> (ref $t)` gets the module's $t: it links, and what it
    returns is checked against $t (another function type, or None, is refused)."""
    wat = """(module
      (type $t (func (param i32) (result i32)))
      (type $u (func (param i64) (result i64)))
      (import "env" "pick" (func $pick (param (ref $t) i32) (result (ref $t))))
      (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
      (func $negate (export "negate") (type $t) (i32.sub (i32.const 0) (local.get 0)))
      (func $wide (export "wide") (type $u) (local.get 0))
      (elem declare func $double)
      (func (export "run") (param i32) (result i32)
        (call_ref $t (i32.const 21) (call $pick (ref.func $double) (local.get 0)))))"""
    exports: dict[str, object] = {}

    def pick(f: object, which: int) -> object:
        return [f, exports.get("negate"), exports.get("wide"), None][which]

    with epsilon.Runtime() as runtime:
        module = runtime.instantiate(wat, imports={"env": {"pick": pick}})
        exports["negate"] = module.get_export("negate")
        exports["wide"] = module.get_export("wide")
        assert module.call("run", 0) == [42]
        assert module.call("run", 1) == [-21]
        for bad in (2, 3):
            with pytest.raises(epsilon.EpsilonTypeError, match=r"\(ref 0\)"):
                module.call("run", bad)


def test_linking_compares_definitions() -> None:
    runtime = epsilon.Runtime()
    lib = runtime.instantiate(LIB)
    runtime.register("lib", lib)
    module = runtime.instantiate(
        """(module (type $pad (func)) (type $same (func (param i32) (result i32)))
             (import "lib" "apply" (func $apply (param (ref $same) i32) (result i32)))
             (import "lib" "double" (func $double (type $same)))
             (import "lib" "table" (table 2 (ref $same)))
             (func (export "run") (result i32) (call $apply (ref.func $double) (i32.const 4)))
             (elem declare func $double))"""
    )
    assert module.call("run") == [8]
    with pytest.raises(epsilon.LinkError, match="incompatible import type"):
        runtime.instantiate(
            """(module (type $x (func (param i64) (result i64)))
                 (import "lib" "g" (global (mut (ref null $x)))))"""
        )


def test_recursive_type_groups() -> None:
    """WebAssembly 3.0's type system comes with typed function references: the types of an
    explicit rec group are distinct from each other and from a lone type of the same
    signature, in a call_indirect and at linking; GC's struct types are not implemented."""
    runtime = epsilon.Runtime()
    group = "(rec (type $t1 (func (result i32))) (type $t2 (func (result i32))))"
    lib = runtime.instantiate(
        f"""(module {group}
             (func $f1 (export "f1") (type $t1) (i32.const 1))
             (func $f2 (export "f2") (type $t2) (i32.const 2))
             (table funcref (elem $f1 $f2))
             (func (export "call_t2") (param i32) (result i32)
               (call_indirect (type $t2) (local.get 0))))"""
    )
    assert lib.call("call_t2", 1) == [2]
    with pytest.raises(epsilon.Trap, match="indirect call type mismatch"):
        lib.call("call_t2", 0)
    runtime.register("lib", lib)
    module = runtime.instantiate(f'(module {group} (import "lib" "f1" (func (type $t1))))')
    assert module is not None
    for name, ty in [("f1", "$t2"), ("f2", "$t1")]:
        with pytest.raises(epsilon.LinkError, match="incompatible import type"):
            runtime.instantiate(f'(module {group} (import "lib" "{name}" (func (type {ty}))))')
    with pytest.raises(epsilon.LinkError, match="incompatible import type"):
        runtime.instantiate('(module (type $t (func (result i32))) (import "lib" "f1" (func (type $t))))')
    with pytest.raises(epsilon.CompileError, match="struct types are not implemented"):
        runtime.instantiate("(module (rec (type (func)) (type (struct))))")
    with epsilon.Runtime(function_references=False) as strict:
        with pytest.raises(epsilon.CompileError, match="rec group"):
            strict.instantiate(f"(module {group})")


def test_function_references_keyword() -> None:
    with epsilon.Runtime(function_references=False) as runtime:
        with pytest.raises(epsilon.CompileError):
            runtime.instantiate(LIB)
        # WebAssembly 2.0 references stay.
        runtime.instantiate("(module (table 1 funcref) (func (param externref) (result funcref) (ref.null func)))")
    with epsilon.Runtime(function_references=True) as runtime:
        assert runtime.instantiate(LIB).call("get_negate")[0](1) == -1


def test_cli_inspect_shows_typed_references(tmp_path: Path) -> None:
    path = tmp_path / "lib.wat"
    path.write_text(LIB)
    out = subprocess.run(
        [sys.executable, "-m", "epsilon", "inspect", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "  func apply: ((ref 0), i32) -> (i32)" in out.splitlines()
    assert "  table table: (ref 0), min 2 elements, no max" in out.splitlines()
    assert "  global g: mut (ref null 0)" in out.splitlines()


def test_cli_values_of_typed_references() -> None:
    from epsilon.cli_values import BadValue, format_value, parse_value

    assert parse_value("null", "(ref null 0)") is None
    assert parse_value("null", "(ref null extern)") is None
    with pytest.raises(BadValue, match="not nullable"):
        parse_value("null", "(ref 0)")
    with pytest.raises(BadValue, match="only null"):
        parse_value("f", "(ref null func)")
    assert format_value(None, "(ref null 0)") == "null"
    double = epsilon.Runtime().instantiate(LIB).get_export("double")
    assert format_value(double, "(ref 0)") == "<funcref double>"
    assert format_value(object(), "(ref extern)") == "<externref>"


def test_cli_run_calls_with_typed_references(tmp_path: Path) -> None:
    path = tmp_path / "lib.wat"
    path.write_text(LIB)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "epsilon", "run", str(path), *args], capture_output=True, text=True)

    out = run("get_negate")
    assert (out.returncode, out.stdout) == (0, "<funcref>\n")  # a reference has no export name
    out = run("apply_null", "null", "1")
    assert out.returncode != 0 and "null function reference" in out.stderr
    out = run("apply", "null", "1")
    assert out.returncode == 2 and "not nullable" in out.stderr
