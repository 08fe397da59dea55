"""Calling functions: argument conversion, results, call_typed, call_raw, Function objects."""

from __future__ import annotations

import math
import struct

import pytest

import epsilon

VALUES_WAT = """
(module
  (func (export "i32") (param i32) (result i32) (local.get 0))
  (func (export "i64") (param i64) (result i64) (local.get 0))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "v128") (param v128) (result v128) (local.get 0))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "fref") (param funcref) (result funcref) (local.get 0))
  (func (export "is_null_ext") (param externref) (result i32) (ref.is_null (local.get 0)))
  (func (export "none"))
  (func (export "multi") (param i32 i64) (result i64 i32 f32)
    (local.get 1) (local.get 0) (f32.const 1.5))
  (func (export "f32_bits") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
  (func (export "i32x4_add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func $seven (export "seven") (result i32) (i32.const 7))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $seven)
  (type $ret_i32 (func (result i32)))
  (func (export "call_ref") (param funcref) (result i32)
    (table.set $t (i32.const 1) (local.get 0))
    (call_indirect $t (type $ret_i32) (i32.const 1)))
)
"""


@pytest.fixture
def values(runtime: epsilon.Runtime) -> epsilon.Module:
    return runtime.instantiate(VALUES_WAT)


def test_add_returns_a_list(module: epsilon.Module) -> None:
    assert module.call("add", 5, 37) == [42]
    assert module.call("add", -5, 3) == [-2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (1, 1), (-1, -1), (2**31 - 1, 2**31 - 1), (-(2**31), -(2**31)),
     (2**31, -(2**31)), (2**32 - 1, -1), (True, 1)],
)
def test_i32_accepts_signed_and_unsigned_spellings(values: epsilon.Module, value: int, expected: int) -> None:
    assert values.call("i32", value) == [expected]


@pytest.mark.parametrize("value", [2**32, -(2**31) - 1, 10**30, -(10**30)])
def test_i32_out_of_range_is_overflow_error(values: epsilon.Module, value: int) -> None:
    with pytest.raises(OverflowError, match=r"i32\(i32\) -> \(i32\): argument 1: .* out of range for i32"):
        values.call("i32", value)


def test_out_of_range_is_an_epsilon_error_and_an_overflow_error(values: epsilon.Module) -> None:
    with pytest.raises(epsilon.EpsilonError) as info:
        values.call("i32", 2**32)
    assert type(info.value) is epsilon.EpsilonOverflowError
    assert isinstance(info.value, (OverflowError, epsilon.EpsilonTypeError, TypeError))
    with pytest.raises(epsilon.EpsilonOverflowError, match="out of range for i64"):
        values.get_function("i64")(2**64)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (-1, -1), (2**63 - 1, 2**63 - 1), (-(2**63), -(2**63)), (2**64 - 1, -1), (2**63, -(2**63))],
)
def test_i64_accepts_signed_and_unsigned_spellings(values: epsilon.Module, value: int, expected: int) -> None:
    assert values.call("i64", value) == [expected]


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1])
def test_i64_out_of_range_is_overflow_error(values: epsilon.Module, value: int) -> None:
    with pytest.raises(OverflowError, match="out of range for i64"):
        values.call("i64", value)


@pytest.mark.parametrize("value", [1.5, "1", b"1", None, [1]])
def test_ints_reject_other_types(values: epsilon.Module, value: object) -> None:
    with pytest.raises(epsilon.EpsilonTypeError, match=r"i32\(i32\) -> \(i32\): argument 1: expected an int"):
        values.call("i32", value)
    with pytest.raises(TypeError):
        values.call("i64", value)


def test_objects_with_index_are_ints(values: epsilon.Module) -> None:
    class Index:
        def __index__(self) -> int:
            return 12

    assert values.call("i32", Index()) == [12]
    assert values.call("i64", Index()) == [12]


def test_floats(values: epsilon.Module) -> None:
    assert values.call("f64", 3.25) == [3.25]
    assert values.call("f64", 7) == [7.0]
    assert isinstance(values.call("f64", 7)[0], float)
    assert values.call("f32", 0.1) == [struct.unpack("f", struct.pack("f", 0.1))[0]]
    assert values.call("f32", 2) == [2.0]
    assert values.call("f64", float("inf")) == [math.inf]
    assert math.isnan(values.call("f64", math.nan)[0])
    assert values.call("f32", 1e300) == [math.inf]  # rounds like a C cast
    with pytest.raises(epsilon.EpsilonTypeError, match="expected a float or int for f64, got str"):
        values.call("f64", "1.0")
    with pytest.raises(OverflowError):
        values.call("f64", 10**400)


def test_v128_as_int_or_bytes(values: epsilon.Module) -> None:
    v = 0x0011_2233_4455_6677_8899_AABB_CCDD_EEFF
    assert values.call("v128", v) == [v]
    assert values.call("v128", bytes(range(16))) == [int.from_bytes(bytes(range(16)), "little")]
    assert values.call("v128", bytearray(16)) == [0]
    assert values.call("v128", -1) == [2**128 - 1]
    a = int.from_bytes(struct.pack("<4i", 1, 2, 3, 4), "little")
    b = int.from_bytes(struct.pack("<4i", 10, 20, 30, -4), "little")
    (r,) = values.call("i32x4_add", a, b)
    assert struct.unpack("<4i", r.to_bytes(16, "little")) == (11, 22, 33, 0)
    with pytest.raises(epsilon.EpsilonTypeError, match="expected 16 bytes for v128, got 3 bytes"):
        values.call("v128", b"abc")
    with pytest.raises(OverflowError):
        values.call("v128", 2**128)
    with pytest.raises(epsilon.EpsilonTypeError):
        values.call("v128", 1.0)


def test_externref_round_trips_the_same_object(values: epsilon.Module) -> None:
    obj = object()
    (back,) = values.call("ext", obj)
    assert back is obj
    assert values.call("ext", None) == [None]
    assert values.call("is_null_ext", None) == [1]
    assert values.call("is_null_ext", obj) == [0]
    data = {"a": [1, 2]}
    assert values.call("ext", data)[0] is data


def test_funcref_round_trips_functions(values: epsilon.Module) -> None:
    seven = values.get_function("seven")
    (back,) = values.call("fref", seven)
    assert isinstance(back, epsilon.Function)
    assert back() == 7
    assert str(back.type) == "func () -> (i32)"
    assert values.call("fref", None) == [None]
    assert values.call("call_ref", seven) == [7]
    with pytest.raises(epsilon.EpsilonTypeError, match="expected an epsilon Function or None for funcref"):
        values.call("fref", lambda: 7)


def test_funcref_from_another_runtime_is_rejected(values: epsilon.Module) -> None:
    with epsilon.Runtime() as other:
        foreign = other.instantiate(VALUES_WAT).get_function("seven")
        with pytest.raises(epsilon.EpsilonTypeError, match="another Runtime"):
            values.call("fref", foreign)


def test_no_results_and_multiple_results(values: epsilon.Module) -> None:
    assert values.call("none") == []
    assert values.call("multi", 3, 2**40) == [2**40, 3, 1.5]


def test_function_results_like_a_python_function(values: epsilon.Module) -> None:
    # None for no result, the value for one, a tuple for several; call_raw keeps the list.
    assert values.get_function("none")() is None
    assert values.get_function("multi")(3, 2**40) == (2**40, 3, 1.5)
    assert values.get_function("i32")(-1) == -1
    obj = ("a", "tuple")
    assert values.get_function("ext")(obj) is obj
    assert values.get_function("i32").call_raw(5) == [5]


def test_argument_count_errors_name_the_signature(module: epsilon.Module, values: epsilon.Module) -> None:
    with pytest.raises(epsilon.EpsilonTypeError) as info:
        module.call("add", 1)
    assert str(info.value) == "add(i32, i32) -> (i32): expected 2 arguments, got 1"
    with pytest.raises(epsilon.EpsilonTypeError, match=r"expected 2 arguments, got 3"):
        module.call("add", 1, 2, 3)
    with pytest.raises(epsilon.EpsilonTypeError, match=r"^none\(\) -> \(\): expected 0 arguments, got 1$"):
        values.call("none", 1)
    with pytest.raises(epsilon.EpsilonTypeError, match=r"i32\(i32\) -> \(i32\): expected 1 argument, got 0"):
        values.call("i32")


def test_unknown_export_and_wrong_kind(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.ExportNotFoundError, match=r"no export named 'nope' \(exports: \w+, "):
        module.call("nope")
    with pytest.raises(LookupError):
        module.call("nope")
    with pytest.raises(epsilon.EpsilonTypeError, match="export 'memory' is a memory, not a function"):
        module.call("memory")


def test_call_typed_checks_declared_types(module: epsilon.Module, values: epsilon.Module) -> None:
    assert module.call_typed("add", [(1, "i32"), (2, "i32")]) == [3]
    assert module.call_typed("add", ((1, "i32"), (2, "i32"))) == [3]
    assert values.call_typed("v128", [(5, "v128")]) == [5]
    with pytest.raises(epsilon.EpsilonTypeError, match=r"argument 2 is declared 'i64' but the function expects i32"):
        module.call_typed("add", [(1, "i32"), (2, "i64")])
    with pytest.raises(epsilon.EpsilonTypeError, match="unknown value type 'int32'"):
        module.call_typed("add", [(1, "int32"), (2, "i32")])
    with pytest.raises(epsilon.EpsilonTypeError, match="expected 2 arguments, got 1"):
        module.call_typed("add", [(1, "i32")])
    with pytest.raises(epsilon.EpsilonTypeError, match=r"argument 1 must be a \(value, type\) pair"):
        module.call_typed("add", [1, 2])
    with pytest.raises(epsilon.EpsilonTypeError, match="list of"):
        module.call_typed("add", 5)
    with pytest.raises(OverflowError):
        module.call_typed("add", [(2**40, "i32"), (1, "i32")])
    assert module.call_typed("compute", [(1, "i32"), (0.5, "f64"), (2, "i64")], timeout_ms=1000) == [3.5]


def test_call_raw_is_bit_exact_for_nan_payloads(values: epsilon.Module) -> None:
    signalling = 0x7F800001  # a signalling f32 NaN: CPython's float may quiet it
    assert values.call_raw("f32", signalling) == [signalling]
    assert values.call_raw("f32_bits", signalling) == [signalling]
    payload = 0x7FF0_0000_DEAD_BEEF
    assert values.call_raw("f64", payload) == [payload]
    assert values.call_raw("i32", -1) == [0xFFFF_FFFF]
    assert values.call_raw("i64", 2**64 - 1) == [2**64 - 1]
    assert values.call_raw("v128", 2**127) == [2**127]
    with pytest.raises(OverflowError):
        values.call_raw("f32", 2**32)
    with pytest.raises(epsilon.EpsilonTypeError, match="reference types"):
        values.call_raw("ext", 0)
    with pytest.raises(epsilon.EpsilonTypeError, match="expected 1 argument, got 2"):
        values.call_raw("i32", 1, 2)
    assert values.get_function("f32").call_raw(signalling) == [signalling]


def test_function_objects(module: epsilon.Module) -> None:
    add = module.get_function("add")
    assert add(2, 3) == 5
    assert add(2, 3, timeout_ms=1000) == 5
    assert add.name == "add"
    assert add.type == epsilon.FuncType(["i32", "i32"], ["i32"])
    assert add.type.params == ["i32", "i32"]
    assert add.type.results == ["i32"]
    assert repr(add) == "<epsilon.Function add(i32, i32) -> (i32)>"
    with pytest.raises(epsilon.EpsilonTypeError, match="expected 2 arguments, got 0"):
        add()
    with pytest.raises(epsilon.EpsilonTypeError, match="is a memory"):
        module.get_function("memory")


def test_traps_have_a_kind(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.Trap) as info:
        module.call("div", 1, 0)
    assert info.value.kind == "integer divide by zero"
    assert "integer divide by zero" in str(info.value)
    assert not isinstance(info.value, epsilon.OutOfFuelError)
    with pytest.raises(epsilon.Trap, match="integer overflow") as info:
        module.call("div", -(2**31), -1)
    assert info.value.kind == "integer overflow"
    assert module.call("div", 7, 2) == [3]  # usable after a trap


def test_unreachable_and_out_of_bounds(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(
        '(module (memory 1) (func (export "u") unreachable)'
        ' (func (export "oob") (result i32) (i32.load (i32.const 65536))))'
    )
    with pytest.raises(epsilon.Trap) as info:
        m.call("u")
    assert info.value.kind == "unreachable"
    with pytest.raises(epsilon.Trap) as info:
        m.call("oob")
    assert info.value.kind == "out of bounds memory access"


def test_threads_share_one_module(module: epsilon.Module) -> None:
    import threading

    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(2000):
                assert module.call("add", i, k) == [i + k]
            assert module.call("count", 10_000) == [10_000]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_threads_wait_for_a_running_call(module: epsilon.Module) -> None:
    import threading
    import time

    started = threading.Event()
    out: list[object] = []

    def long_call() -> None:
        started.set()
        out.append(module.call("count", 30_000_000, timeout_ms=20_000))

    t = threading.Thread(target=long_call)
    t.start()
    started.wait()
    time.sleep(0.01)
    # The GIL is released while wasm runs, so this thread runs; the store lock serializes.
    assert module.call("add", 1, 1) == [2]
    t.join()
    assert out == [[30_000_000]]


def test_module_call_finds_each_name_whatever_string_object_carries_it(values: epsilon.Module) -> None:
    # `call` finds a name written in Python code by its address first: equal names in other
    # objects, other names in between and str subclasses must all still reach their own
    # function.
    class Name(str):
        pass

    built = "".join(["i", "64"])
    for _ in range(3):
        assert values.call("i32", -5) == [-5]
        assert values.call("seven") == [7]
        assert values.call(built, 2**40) == [2**40]
        assert values.call("".join(["sev", "en"])) == [7]
        assert values.call(Name("i32"), 3) == [3]
        assert values.call("f32_bits", 1.0) == [0x3F800000]
    with pytest.raises(epsilon.ExportNotFoundError):
        values.call("".join(["sev", "enty"]))
    assert values.call("seven") == [7]
    values.close()
    with pytest.raises(epsilon.EpsilonError):
        values.call("seven")


FAST_WAT = """
(module
  (func (export "mixed") (param v128 i32 i64 f32 f64) (result i64 i32 i64 f32 f64)
    (i64x2.extract_lane 1 (local.get 0)) (local.get 1) (local.get 2) (local.get 3) (local.get 4))
  (func (export "widen") (param i32 f32) (result i64 i64)
    (i64.extend_i32_u (local.get 0)) (i64.extend_i32_u (i32.reinterpret_f32 (local.get 1))))
  (func (export "spin") (loop (br 0)))
  (func (export "count") (param i32) (result i32) (local i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br 0)))
    (local.get 1))
)
"""


def test_function_fast_path_and_its_fallbacks(runtime: epsilon.Runtime) -> None:
    # Exact ints and floats convert straight to cells; everything else (int subclasses, bool,
    # __index__, ints for floats, v128) takes the general conversion, with the same results.
    m = runtime.instantiate(FAST_WAT)
    mixed = m.get_function("mixed")
    v = (2**64 - 2) << 64 | 5
    assert mixed(v, 2**32 - 1, 2**64 - 1, 1.5, 0.25) == (-2, -1, -1, 1.5, 0.25)
    assert m.call("mixed", v, 2**32 - 1, 2**64 - 1, 1.5, 0.25) == [-2, -1, -1, 1.5, 0.25]

    class Int(int):
        pass

    class Index:
        def __index__(self) -> int:
            return 7

    assert mixed(bytes(16), Int(-3), True, 2, Int(4)) == (0, -3, 1, 2.0, 4.0)
    assert mixed(0, Index(), Index(), 0.1, 10**20) == (0, 7, 7, struct.unpack("f", struct.pack("f", 0.1))[0], 1e20)
    # An i32 given in its unsigned spelling and an f32's bits reach wasm zero-extended.
    assert m.get_function("widen")(2**32 - 1, -0.0) == (2**32 - 1, 0x8000_0000)
    nan = struct.unpack("f", struct.pack("I", 0x7FC0_0001))[0]
    assert m.get_function("widen")(-1, nan) == (2**32 - 1, 0x7FC0_0001)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 2**32, 0, 0.0, 0.0), OverflowError, r"argument 2: 4294967296 is out of range for i32"),
        ((0, -(2**31) - 1, 0, 0.0, 0.0), OverflowError, r"argument 2: .* out of range for i32"),
        ((0, 0, 2**64, 0.0, 0.0), OverflowError, r"argument 3: .* out of range for i64"),
        ((0, 1.0, 0, 0.0, 0.0), epsilon.EpsilonTypeError, r"argument 2: expected an int for i32, got float"),
        ((0, 0, 0, "1", 0.0), epsilon.EpsilonTypeError, r"argument 4: expected a float or int for f32, got str"),
        ((0, 0, 0, 0.0, 10**400), OverflowError, r"argument 5: int too large to convert to f64"),
        ((0, 0, 0, 0.0), epsilon.EpsilonTypeError, r"expected 5 arguments, got 4"),
        ((0, 0, 0, 0.0, 0.0, 0), epsilon.EpsilonTypeError, r"expected 5 arguments, got 6"),
    ],
)
def test_function_fast_path_errors_match_the_general_ones(
    runtime: epsilon.Runtime, args: tuple[object, ...], error: type[Exception], message: str
) -> None:
    m = runtime.instantiate(FAST_WAT)
    sig = r"^mixed\(v128, i32, i64, f32, f64\) -> \(i64, i32, i64, f32, f64\): "
    with pytest.raises(error, match=sig + message):
        m.get_function("mixed")(*args)
    with pytest.raises(error, match=sig + message):
        m.call("mixed", *args)


def test_function_calls_honour_timeout_and_fuel() -> None:
    with epsilon.Runtime(fuel=10**9) as runtime:
        m = runtime.instantiate(FAST_WAT)
        count = m.get_function("count")
        with pytest.raises(epsilon.EpsilonTimeoutError):
            m.get_function("spin")(timeout_ms=50)
        assert count(10, timeout_ms=10_000) == 10
        with pytest.raises(epsilon.EpsilonError, match="fuel"):
            count(10**6, fuel=100)
        assert count(3, fuel=10**6) == 3
        assert count(5, fuel=None, timeout_ms=None) == 5
        with pytest.raises(ValueError, match="timeout_ms must be a positive number"):
            count(1, timeout_ms=0)
        with pytest.raises(TypeError):
            count(1, speed=2)  # type: ignore[call-arg]


def test_functions_are_called_through_vectorcall_in_every_form(runtime: epsilon.Runtime) -> None:
    # A Function takes positional arguments as CPython's array (the vectorcall protocol);
    # keywords, and calls through tp_call, take pyo3's parsing. Every form gives one answer.
    import functools

    m = runtime.instantiate(FAST_WAT)
    count = m.get_function("count")
    have_vectorcall = 1 << 11
    assert epsilon.Function.__flags__ & have_vectorcall, "Function is not a vectorcall type"
    assert count(3) == 3
    assert count(*[4]) == 4
    assert count(5, **{}) == 5
    assert count.__call__(6) == 6
    assert epsilon.Function.__call__(count, 7) == 7
    assert functools.partial(count, 8)() == 8
    assert list(map(count, [1, 2])) == [1, 2]
    assert count(9, timeout_ms=10_000) == 9
    assert count(10, **{"fuel": None}) == 10
    with pytest.raises(TypeError, match=r"Function.__call__\(\) got an unexpected keyword argument 'speed'"):
        count(1, speed=2)  # type: ignore[call-arg]
    with pytest.raises(epsilon.EpsilonTypeError, match=r"^count\(i32\) -> \(i32\): expected 1 argument, got 2$"):
        count(1, 2)
    with pytest.raises(epsilon.EpsilonTypeError, match=r"expected 1 argument, got 0"):
        count()
    with pytest.raises(epsilon.EpsilonTypeError, match=r"expected 1 argument, got 0"):
        count(timeout_ms=100)
    # A function taken from a table is a Function like an exported one.
    values = runtime.instantiate(VALUES_WAT)
    seven = values.get_function("fref")(values.get_function("seven"))
    assert type(seven) is epsilon.Function and seven() == 7
    # The class cannot be changed behind the protocol's back.
    with pytest.raises(TypeError, match="immutable type"):
        epsilon.Function.__call__ = lambda self, *args: None  # type: ignore[method-assign]
    m.close()
    with pytest.raises(epsilon.EpsilonError, match="Module is closed"):
        count(1)


@pytest.mark.parametrize("exports", [3, 40])
def test_module_call_finds_functions_of_small_and_large_modules(runtime: epsilon.Runtime, exports: int) -> None:
    # Small modules find a name by address first, large ones through the dictionary only.
    funcs = "".join(f'(func (export "f{i}") (result i32) (i32.const {i}))' for i in range(exports))
    m = runtime.instantiate(f"(module {funcs} (memory (export \"mem\") 1))")
    for i in range(exports):
        assert m.call(f"f{i}") == [i]
        assert m.call("".join(["f", str(i)])) == [i]
    with pytest.raises(epsilon.ExportNotFoundError):
        m.call("f1000")
    with pytest.raises(epsilon.EpsilonTypeError, match="export 'mem' is a memory, not a function"):
        m.call("mem")


def test_module_call_forms_all_behave_as_the_method_signature_says(runtime: epsilon.Runtime) -> None:
    # `Module.call` takes its common form (a str name and positional arguments) without a
    # tuple of them; every other form goes through the general argument parsing.
    import inspect

    m = runtime.instantiate(FAST_WAT)
    assert str(inspect.signature(epsilon.Module.call)) == "(self, /, func_name, *args, timeout_ms=None, fuel=None)"
    assert epsilon.Module.call.__doc__.startswith("Calls the exported function ``func_name``")
    assert m.call("count", 3) == [3]
    assert epsilon.Module.call(m, "count", 4) == [4]
    with pytest.raises(epsilon.EpsilonTypeError, match=r"expected 1 argument, got 0"):
        m.call(func_name="count")
    assert m.call("count", 5, timeout_ms=10_000) == [5]
    assert m.call("count", 6, fuel=None) == [6]

    class Name(str):
        pass

    assert m.call(Name("count"), 7) == [7]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'func_name'"):
        m.call()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'speed'"):
        m.call("count", 1, speed=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="str"):
        m.call(3, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="doesn't apply to a 'int' object"):
        epsilon.Module.call(3, "count", 1)  # type: ignore[arg-type]
    with pytest.raises(epsilon.EpsilonTimeoutError):
        m.call("spin", timeout_ms=50)
    with pytest.raises(ValueError, match=r"fuel must be between 0 and 2\*\*64-1, got -1"):
        m.call("count", 1, fuel=-1)
    with pytest.raises(epsilon.EpsilonError, match="fuel metering is off"):
        m.call("count", 1, fuel=10)
    m.close()
    with pytest.raises(epsilon.EpsilonError, match="Module is closed"):
        m.call("count", 1)


def test_module_call_of_many_arguments_and_references(runtime: epsilon.Runtime) -> None:
    params = " ".join(["i32"] * 12)
    body = "(local.get 0)" + "".join(f"(i32.add (local.get {i}))" for i in range(1, 12))
    m = runtime.instantiate(
        f'(module (func (export "sum12") (param {params}) (result i32) {body})'
        ' (func (export "ext") (param externref i32) (result externref i32) (local.get 0) (local.get 1)))'
    )
    assert m.call("sum12", *range(12)) == [66]
    with pytest.raises(epsilon.EpsilonTypeError, match=r"expected 12 arguments, got 11"):
        m.call("sum12", *range(11))
    obj = object()
    back, n = m.call("ext", obj, 5)
    assert back is obj and n == 5
