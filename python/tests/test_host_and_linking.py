"""Host functions, imports of memories/tables/globals, registering modules, link errors."""

from __future__ import annotations

import pytest

import epsilon

HOST_WAT = """
(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "twice" (func $twice (param i64) (result i64)))
  (import "env" "pair" (func $pair (param f32 f64) (result f64 i32)))
  (func (export "run") (param i32) (result i32)
    (call $log (local.get 0))
    (call $log (i32.add (local.get 0) (i32.const 1)))
    (local.get 0))
  (func (export "twice") (param i64) (result i64) (call $twice (local.get 0)))
  (func (export "pair") (param f32 f64) (result f64 i32) (call $pair (local.get 0) (local.get 1)))
)
"""


def noop(*args: object) -> None:
    return None


def make_host(runtime: epsilon.Runtime, **overrides: object) -> epsilon.Module:
    env: dict[str, object] = {"log": noop, "twice": lambda x: 2 * x, "pair": lambda a, b: (a + b, 1)}
    env.update(overrides)
    return runtime.instantiate(HOST_WAT, imports={"env": env})


def test_host_functions_get_typed_arguments(runtime: epsilon.Runtime) -> None:
    seen: list[object] = []
    m = make_host(runtime, log=seen.append)
    assert m.call("run", 41) == [41]
    assert seen == [41, 42]
    assert m.call("twice", 2**40) == [2**41]
    assert m.call("pair", 1.5, 2.25) == [3.75, 1]


def test_host_exception_propagates_unchanged(runtime: epsilon.Runtime) -> None:
    class Boom(Exception):
        pass

    raised = Boom("inside the host")

    def log(x: int) -> None:
        raise raised

    m = make_host(runtime, log=log)
    with pytest.raises(Boom) as info:
        m.call("run", 1)
    assert info.value is raised
    # KeyboardInterrupt-like BaseExceptions pass through too, and the module stays usable.
    m2 = make_host(runtime, log=lambda x: (_ for _ in ()).throw(SystemExit(3)))
    with pytest.raises(SystemExit):
        m2.call("run", 1)
    assert m2.call("twice", 3) == [6]


def test_host_wrong_return_type_or_count(runtime: epsilon.Runtime) -> None:
    m = make_host(runtime, twice=lambda x: "nope")
    with pytest.raises(epsilon.EpsilonTypeError, match=r"env\.twice\(i64\) -> \(i64\): host function result 1: expected an int"):
        m.call("twice", 1)
    m = make_host(runtime, log=lambda x: 5)
    with pytest.raises(epsilon.EpsilonTypeError, match=r"env\.log\(i32\) -> \(\): the host function must return None, got int"):
        m.call("run", 1)
    m = make_host(runtime, pair=lambda a, b: (1.0,))
    with pytest.raises(epsilon.EpsilonTypeError, match="must return 2 values, got 1"):
        m.call("pair", 1.0, 2.0)
    m = make_host(runtime, pair=lambda a, b: 1.0)
    with pytest.raises(epsilon.EpsilonTypeError, match="must return a tuple of 2 values, got float"):
        m.call("pair", 1.0, 2.0)
    m = make_host(runtime, twice=lambda x: 2**64)
    with pytest.raises(OverflowError):
        m.call("twice", 1)
    m = make_host(runtime, pair=lambda a, b: [0.5, 2])
    assert m.call("pair", 0.0, 0.0) == [0.5, 2]


def test_host_function_called_with_wrong_arity_raises_its_type_error(runtime: epsilon.Runtime) -> None:
    m = make_host(runtime, log=lambda: None)
    with pytest.raises(TypeError):
        m.call("run", 1)


def test_reentrant_host_call_into_the_same_module(runtime: epsilon.Runtime) -> None:
    wat = """
    (module
      (import "env" "fact" (func $host_fact (param i32) (result i32)))
      (func (export "fact") (param i32) (result i32)
        (if (result i32) (i32.le_s (local.get 0) (i32.const 1))
          (then (i32.const 1))
          (else (i32.mul (local.get 0) (call $host_fact (i32.sub (local.get 0) (i32.const 1))))))))
    """
    holder: dict[str, epsilon.Module] = {}

    def fact(n: int) -> int:
        # Calls back into the module whose call is running: must not deadlock.
        (r,) = holder["m"].call("fact", n)
        return r

    m = runtime.instantiate(wat, imports={"env": {"fact": fact}})
    holder["m"] = m
    assert m.call("fact", 10) == [3628800]


def test_reentrant_host_call_uses_memory_and_other_modules(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    other = runtime.instantiate(add_wasm)
    wat = """
    (module
      (import "env" "cb" (func $cb (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "go") (param i32) (result i32)
        (i32.store8 (i32.const 0) (i32.const 99))
        (call $cb (local.get 0))))
    """
    holder: dict[str, epsilon.Module] = {}

    def cb(x: int) -> int:
        m = holder["m"]
        assert m.read_memory(0, 1) == b"c"  # sees the store done just before the call
        m.write_memory(1, b"!")
        memory = memoryview(m.get_memory())
        memory[2] = 7
        memory.release()
        return other.call("add", x, 1)[0] + m.get_memory_size()

    m = runtime.instantiate(wat, imports={"env": {"cb": cb}})
    holder["m"] = m
    assert m.call("go", 10) == [12]
    assert m.read_memory(0, 3) == b"c!\x07"


def test_reentry_outside_host_functions_fails_cleanly(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(
        """(module
          (func (export "id") (param i32) (result i32) (local.get 0))
          (func (export "with_ref") (param i32 externref) (result i32) (local.get 0)))"""
    )

    class Sneaky:
        def __index__(self) -> int:
            # Runs while the store is held for argument conversion: must not deadlock.
            m.call("id", 1)
            return 5

    # A function with a reference parameter converts its arguments holding the store.
    with pytest.raises(epsilon.EpsilonError, match="cannot be re-entered"):
        m.call("with_ref", Sneaky(), None)
    # A function of numbers only converts them before taking the store: the nested call runs.
    assert m.call("id", Sneaky()) == [5]
    assert m.call("id", 3) == [3]


def test_import_memory_table_global_from_runtime(runtime: epsilon.Runtime) -> None:
    wat = """
    (module
      (import "env" "mem" (memory 1))
      (import "env" "tab" (table 2 funcref))
      (import "env" "g" (global $g (mut i32)))
      (import "env" "c" (global $c f64))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "inc") (global.set $g (i32.add (global.get $g) (i32.const 1))))
      (func (export "c") (result f64) (global.get $c))
      (func (export "tsize") (result i32) (table.size 0)))
    """
    mem = runtime.new_memory(1, 2)
    tab = runtime.new_table(2, element="funcref")
    g = runtime.new_global("i32", 5, mutable=True)
    c = runtime.new_global("f64", 2.5)
    m = runtime.instantiate(wat, imports={"env": {"mem": mem, "tab": tab, "g": g, "c": c}})
    mem.write(3, b"\x2a")
    assert m.call("load", 3) == [42]
    m.call("inc")
    assert g.value == 6
    g.value = 10
    m.call("inc")
    assert g.value == 11
    assert m.call("c") == [2.5]
    assert m.call("tsize") == [2]
    assert str(g.type) == "global (mut i32)"
    assert c.type == epsilon.GlobalType("f64")
    with pytest.raises(epsilon.EpsilonTypeError, match="immutable"):
        c.value = 1.0
    assert repr(g) == "<epsilon.Global value=11>"


def test_share_exports_between_modules(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    provider = runtime.instantiate(add_wasm)
    wat = """
    (module
      (import "p" "memory" (memory 1))
      (import "p" "add" (func $add (param i32 i32) (result i32)))
      (import "p" "global_counter" (global (mut i32)))
      (func (export "add3") (param i32) (result i32) (call $add (local.get 0) (i32.const 3)))
      (func (export "peek") (result i32) (i32.load8_u (i32.const 0))))
    """
    imports = {"p": {name: provider.get_export(name) for name in ["memory", "add", "global_counter"]}}
    user = runtime.instantiate(wat, imports=imports)
    assert user.call("add3", 4) == [7]
    provider.write_memory(0, b"\x09")
    assert user.call("peek") == [9]


def test_register_makes_exports_importable(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    provider = runtime.instantiate(add_wasm)
    runtime.register("lib", provider)
    wat = """
    (module
      (import "lib" "add" (func $add (param i32 i32) (result i32)))
      (import "lib" "memory" (memory 1))
      (func (export "inc") (param i32) (result i32) (call $add (local.get 0) (i32.const 1))))
    """
    user = runtime.instantiate(wat)
    assert user.call("inc", 41) == [42]
    # imports= wins over registered modules.
    user2 = runtime.instantiate(wat, imports={"lib": {"add": lambda a, b: a * b}})
    assert user2.call("inc", 41) == [41]


def test_link_errors(runtime: epsilon.Runtime) -> None:
    with pytest.raises(epsilon.LinkError, match=r"unknown import env\.log"):
        runtime.instantiate(HOST_WAT)
    with pytest.raises(epsilon.LinkError, match=r"import env\.log .*expected a callable, got int"):
        make_host(runtime, log=5)
    wat = '(module (import "env" "mem" (memory 2)))'
    with pytest.raises(epsilon.LinkError, match="incompatible import type"):
        runtime.instantiate(wat, imports={"env": {"mem": runtime.new_memory(1)}})
    with pytest.raises(epsilon.LinkError, match="expected a Memory, got function"):
        runtime.instantiate(wat, imports={"env": {"mem": noop}})
    with epsilon.Runtime() as other:
        foreign = other.new_memory(2)
        with pytest.raises(epsilon.LinkError, match="another Runtime"):
            runtime.instantiate(wat, imports={"env": {"mem": foreign}})
    func_wat = '(module (import "env" "f" (func (param i32))))'
    with pytest.raises(epsilon.LinkError, match="incompatible import type"):
        runtime.instantiate(func_wat, imports={"env": {"f": runtime.instantiate(
            '(module (func (export "g") (param i64)))').get_function("g")}})
    with pytest.raises(epsilon.LinkError, match="another Runtime"):
        other_rt = epsilon.Runtime()
        m = other_rt.instantiate('(module (func (export "g") (param i32)))')
        runtime.register("x", m)
    with pytest.raises(epsilon.LinkError, match="unknown import"):
        runtime.instantiate(func_wat, imports={"env": {}})
    with pytest.raises(epsilon.LinkError, match="unknown import"):
        runtime.instantiate(func_wat, imports={})


def test_start_function_runs_host_code(runtime: epsilon.Runtime) -> None:
    seen: list[int] = []
    wat = """
    (module
      (import "env" "log" (func $log (param i32)))
      (func $start (call $log (i32.const 5)))
      (start $start))
    """
    runtime.instantiate(wat, imports={"env": {"log": seen.append}})
    assert seen == [5]

    def fail(x: int) -> None:
        raise RuntimeError("start failed")

    with pytest.raises(RuntimeError, match="start failed"):
        runtime.instantiate(wat, imports={"env": {"log": fail}})


def test_start_function_trap(runtime: epsilon.Runtime) -> None:
    with pytest.raises(epsilon.Trap) as info:
        runtime.instantiate("(module (func $s unreachable) (start $s))")
    assert info.value.kind == "unreachable"


def test_tail_call_to_a_python_host_function() -> None:
    wat = (
        '(module (import "env" "twice" (func $t (param i32) (result i32)))'
        ' (func (export "f") (param i32) (result i32) (return_call $t (i32.add (local.get 0) (i32.const 1)))))'
    )
    with epsilon.Runtime() as runtime:
        module = runtime.instantiate(wat, imports={"env": {"twice": lambda x: 2 * x}})
        assert module.call("f", 20) == [42]
