"""CompiledModule: compile (validate) once, inspect without instantiating, instantiate many times."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import epsilon

IMPORTER = """(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "mem" (memory 1))
  (global $n (export "n") (mut i32) (i32.const 0))
  (table (export "t") 2 funcref)
  (func (export "bump") (result i32)
    (call $log (global.get $n))
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.get $n))
  (func (export "spin") (loop (br 0))))"""


def test_compile_inspects_without_instantiating() -> None:
    compiled = epsilon.compile(IMPORTER)
    assert isinstance(compiled, epsilon.CompiledModule)
    assert [(i.module, i.name, i.kind) for i in compiled.imports] == [
        ("env", "log", "function"),
        ("env", "mem", "memory"),
    ]
    assert compiled.imports[0].type == epsilon.FuncType(["i32"], [])
    assert compiled.exports == {
        "n": epsilon.GlobalType("i32", mutable=True),
        "t": epsilon.TableType("funcref", 2),
        "bump": epsilon.FuncType([], ["i32"]),
        "spin": epsilon.FuncType([], []),
    }
    assert [e.name for e in compiled.export_types] == ["n", "t", "bump", "spin"]
    assert compiled.custom_sections == ["name"]  # from the $names of the text
    assert compiled.binary.startswith(b"\0asm")
    assert repr(compiled) == "<epsilon.CompiledModule imports=2 exports=['n', 't', 'bump', 'spin']>"


def test_custom_sections_are_listed() -> None:
    # A custom section named "hello" with one byte of content, after the header.
    binary = b"\0asm\1\0\0\0" + b"\0\x07\x05hello!"
    assert epsilon.compile(binary).custom_sections == ["hello"]
    assert epsilon.CompiledModule(binary).custom_sections == ["hello"]


def test_compile_rejects_invalid_modules() -> None:
    with pytest.raises(epsilon.CompileError, match="type mismatch"):
        epsilon.compile("(module (func (result i32) (i64.const 1)))")
    with pytest.raises(epsilon.CompileError, match="cannot parse WAT text"):
        epsilon.compile("(module (fun))")
    with pytest.raises(epsilon.CompileError) as info:
        epsilon.compile(b"\x7fELF\x02\x01\x01\x00\xff\xfe")
    assert "not a WebAssembly module: the bytes start neither with the binary magic" in str(info.value)
    assert info.value.offset == 0


def test_instantiate_many_times_in_one_runtime() -> None:
    compiled = epsilon.compile(IMPORTER)
    logged: list[int] = []
    with epsilon.Runtime() as runtime:
        mem = runtime.new_memory(1)
        imports = {"env": {"log": logged.append, "mem": mem}}
        a = runtime.instantiate(compiled, imports=imports)
        b = runtime.instantiate(compiled, imports=imports)
        assert a.call("bump") == [1]
        assert a.call("bump") == [2]
        assert b.call("bump") == [1], "each instance has its own globals"
        assert logged == [0, 1, 0]
        assert type(a) is epsilon.Instance


def test_instantiate_in_runtimes_with_other_settings() -> None:
    compiled = epsilon.compile("(module (func (export \"spin\") (loop (br 0))) (func (export \"one\") (result i32) (i32.const 1)))")
    with epsilon.Runtime(fuel=10_000) as metered:
        m = metered.instantiate(compiled)
        with pytest.raises(epsilon.OutOfFuelError):
            m.call("spin")
    with epsilon.Runtime(max_call_depth=10, multi_memory=False) as other:
        assert other.instantiate(compiled).call("one") == [1]
    # Compiled for one runtime, instantiated in another.
    with epsilon.Runtime(fuel=100) as first, epsilon.Runtime() as second:
        own = first.compile(compiled.binary)
        assert second.instantiate(own).call("one") == [1]
        assert first.instantiate(own).call("one") == [1]
        assert first.fuel is not None and first.fuel < 100


def test_instantiate_from_several_threads() -> None:
    compiled = epsilon.compile("(module (func (export \"sq\") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))")
    results: list[int] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            with epsilon.Runtime(fuel=10**6 if n % 2 else None) as runtime:
                for _ in range(20):
                    results.append(runtime.instantiate(compiled).call("sq", n)[0])
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == sorted(n * n for n in range(6) for _ in range(20))


def test_compile_file_and_module_is_instance(tmp_path: Path) -> None:
    path = tmp_path / "one.wat"
    path.write_text('(module (func (export "one") (result i32) (i32.const 1)))')
    compiled = epsilon.compile_file(path)
    assert epsilon.Runtime().instantiate(compiled).call("one") == [1]
    assert epsilon.Module is epsilon.Instance
    with pytest.raises(FileNotFoundError):
        epsilon.compile_file(tmp_path / "missing.wasm")


def test_a_str_naming_a_file_points_to_instantiate_file(tmp_path: Path) -> None:
    path = tmp_path / "add.wasm"
    path.write_bytes(epsilon.wat2wasm('(module (func (export "one") (result i32) (i32.const 1)))'))
    with epsilon.Runtime() as runtime:
        with pytest.raises(epsilon.EpsilonTypeError, match=r"naming the file .*add\.wasm.*instantiate_file"):
            runtime.instantiate(str(path))
        with pytest.raises(epsilon.EpsilonTypeError, match="compile_file"):
            runtime.compile(str(path))
        assert runtime.instantiate_file(str(path)).call("one") == [1]
    with pytest.raises(epsilon.EpsilonTypeError, match="compile_file"):
        epsilon.compile(str(path))
