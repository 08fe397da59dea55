"""Bad input, the exception hierarchy, closing, context managers, files, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

import epsilon

from conftest import ADD_WAT


def test_exception_hierarchy() -> None:
    E = epsilon
    assert issubclass(E.EpsilonError, Exception)
    assert issubclass(E.CompileError, E.EpsilonError) and issubclass(E.CompileError, ValueError)
    assert issubclass(E.LinkError, E.EpsilonError)
    assert issubclass(E.EpsilonTypeError, E.EpsilonError) and issubclass(E.EpsilonTypeError, TypeError)
    assert issubclass(E.MemoryAccessError, E.EpsilonError) and issubclass(E.MemoryAccessError, IndexError)
    assert issubclass(E.ExportNotFoundError, E.EpsilonError) and issubclass(E.ExportNotFoundError, LookupError)
    assert issubclass(E.Trap, E.EpsilonError)
    assert issubclass(E.OutOfFuelError, E.Trap)
    assert issubclass(E.EpsilonTimeoutError, E.Trap) and issubclass(E.EpsilonTimeoutError, TimeoutError)
    for cls in [E.EpsilonError, E.CompileError, E.Trap, E.EpsilonTimeoutError]:
        assert cls.__module__ == "epsilon"
        assert cls.__doc__


def test_versions() -> None:
    assert epsilon.version() == "0.1.0" or epsilon.version().count(".") >= 2
    assert epsilon.__version__ == epsilon.wrapper_version()
    assert epsilon.PAGE_SIZE == 65536
    assert epsilon.MAX_PAGES == 65536


def test_instantiate_accepts_binary_and_text(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    for wasm in [add_wasm, bytearray(add_wasm), memoryview(add_wasm), ADD_WAT, ADD_WAT.encode()]:
        assert runtime.instantiate(wasm).call("add", 1, 2) == [3]


def test_wat2wasm() -> None:
    binary = epsilon.wat2wasm('(module (func (export "f")))')
    assert binary.startswith(b"\0asm")
    assert epsilon.wat2wasm(binary) == binary
    with pytest.raises(epsilon.CompileError, match="cannot parse WAT text"):
        epsilon.wat2wasm("(module (func (oops)))")


@pytest.mark.parametrize(
    "wasm",
    [b"", b"hello world", b"\x00\x01\x02\xff\xfe", b"\0asm", b"\0asm\x01\0\0\0\x01", "(module (func (i32.const)))"],
)
def test_bad_modules_raise_compile_error(runtime: epsilon.Runtime, wasm: bytes | str) -> None:
    with pytest.raises(epsilon.CompileError) as info:
        runtime.instantiate(wasm)
    assert isinstance(info.value, ValueError)
    assert str(info.value)


def test_compile_error_offset(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    with pytest.raises(epsilon.CompileError) as info:
        runtime.instantiate(add_wasm[:40])  # truncated
    assert isinstance(info.value.offset, int)
    with pytest.raises(epsilon.CompileError) as info:
        runtime.instantiate(b"\x00\x01\x02\xff\xfe")
    assert info.value.offset == 0
    assert "not a WebAssembly module" in str(info.value)
    invalid = epsilon.wat2wasm('(module (func (result i32) (i64.const 1)))')
    with pytest.raises(epsilon.CompileError, match="invalid module: type mismatch") as info:
        runtime.instantiate(invalid)
    assert info.value.offset is not None and info.value.offset > 8


@pytest.mark.parametrize("wasm", [None, 5, 1.5, ["(module)"], object()])
def test_wasm_of_the_wrong_type(runtime: epsilon.Runtime, wasm: object) -> None:
    with pytest.raises(epsilon.EpsilonTypeError, match="wasm must be bytes"):
        runtime.instantiate(wasm)


def test_instantiate_file(runtime: epsilon.Runtime, tmp_path: Path, add_wasm: bytes) -> None:
    (tmp_path / "add.wasm").write_bytes(add_wasm)
    (tmp_path / "add.wat").write_text(ADD_WAT)
    assert runtime.instantiate_file(tmp_path / "add.wasm").call("add", 2, 2) == [4]
    assert runtime.instantiate_file(str(tmp_path / "add.wat")).call("add", 2, 3) == [5]
    m = runtime.instantiate_file(tmp_path / "add.wasm", 2)
    assert m.call("grow", 2) == [-1]
    with pytest.raises(FileNotFoundError) as info:
        runtime.instantiate_file(tmp_path / "missing.wasm")
    assert info.value.filename == str(tmp_path / "missing.wasm")
    with pytest.raises(IsADirectoryError):
        runtime.instantiate_file(tmp_path)
    (tmp_path / "bad.wasm").write_bytes(b"\0asm\x02\0\0\0")
    with pytest.raises(epsilon.CompileError):
        runtime.instantiate_file(tmp_path / "bad.wasm")
    with pytest.raises(TypeError):
        runtime.instantiate_file(42)


def test_closed_module(runtime: epsilon.Runtime, add_wasm: bytes) -> None:
    m = runtime.instantiate(add_wasm)
    add = m.get_function("add")
    memory = m.get_memory()
    table_module = runtime.instantiate('(module (table (export "t") 1 funcref) (global (export "g") i32 (i32.const 1)))')
    table = table_module.get_table("t")
    glob = table_module.get_export("g")
    assert not m.closed
    m.close()
    assert m.closed
    m.close()  # idempotent
    for action in [
        lambda: m.call("add", 1, 2),
        lambda: m.call_typed("add", [(1, "i32"), (2, "i32")]),
        lambda: m.call_raw("add", 1, 2),
        lambda: m.get_export_names(),
        lambda: m.get_memory_size(),
        lambda: m.read_memory(0, 1),
        lambda: m.write_memory(0, b"x"),
        lambda: m.get_global("global_counter"),
        lambda: m.set_global("global_counter", 1),
        lambda: m.exports,
        lambda: m.export_types,
        lambda: m.imports,
        lambda: m.get_function("add"),
        lambda: m.get_memory(),
        lambda: m.get_table("x"),
        lambda: m.get_export("add"),
        lambda: m.interrupt(),
        lambda: m.fuel,
        lambda: add(1, 2),
        lambda: add.call_raw(1, 2),
        lambda: memory.size,
        lambda: memory.read(0, 1),
        lambda: memory.write(0, b"x"),
        lambda: memory.grow(1),
        lambda: memory.type,
    ]:
        with pytest.raises(epsilon.EpsilonError, match="^Module is closed$"):
            action()
    assert "closed" in repr(m)
    assert "closed" in repr(memory)
    # Other modules of the runtime are unaffected.
    assert table.size == 1 and glob.value == 1
    with pytest.raises(epsilon.EpsilonError, match="Module is closed"):
        runtime.register("m", m)
    with pytest.raises(epsilon.EpsilonError, match="Module is closed"):
        runtime.instantiate('(module (import "a" "b" (memory 1)))', imports={"a": {"b": memory}})


def test_closed_runtime(add_wasm: bytes) -> None:
    runtime = epsilon.Runtime()
    m = runtime.instantiate(add_wasm)
    add = m.get_function("add")
    table = runtime.new_table(1)
    glob = runtime.new_global("i32", 1)
    assert not runtime.closed
    runtime.close()
    assert runtime.closed and m.closed
    runtime.close()  # idempotent
    for action in [
        lambda: runtime.instantiate(add_wasm),
        lambda: runtime.instantiate_file("x.wasm"),
        lambda: runtime.new_memory(1),
        lambda: runtime.new_table(1),
        lambda: runtime.new_global("i32", 1),
        lambda: runtime.register("m", m),
        lambda: runtime.fuel,
    ]:
        with pytest.raises(epsilon.EpsilonError, match="^Runtime is closed$"):
            action()
    for action in [lambda: m.call("add", 1, 2), lambda: add(1, 2), lambda: table.size, lambda: glob.value]:
        with pytest.raises(epsilon.EpsilonError, match="is closed$"):
            action()
    assert repr(runtime) == "<epsilon.Runtime (closed)>"


def test_context_managers(add_wasm: bytes) -> None:
    with epsilon.Runtime() as runtime:
        assert repr(runtime) == "<epsilon.Runtime>"
        with runtime.instantiate(add_wasm) as m:
            assert m.call("add", 1, 1) == [2]
            assert repr(m).startswith("<epsilon.Instance exports=['memory', 'global_counter'")
        assert m.closed
        assert not runtime.closed
    assert runtime.closed
    # Exceptions propagate out of the with block and still close.
    with pytest.raises(KeyError):
        with epsilon.Runtime() as runtime2:
            raise KeyError("x")
    assert runtime2.closed


def test_close_from_a_host_function(add_wasm: bytes) -> None:
    runtime = epsilon.Runtime()
    m = runtime.instantiate('(module (import "e" "f" (func $f)) (func (export "go") (call $f)))',
                            imports={"e": {"f": runtime.close}})
    m.call("go")
    assert runtime.closed
    with pytest.raises(epsilon.EpsilonError, match="Runtime is closed"):
        m.call("go")


def test_module_outlives_its_runtime_object(add_wasm: bytes) -> None:
    m = epsilon.Runtime().instantiate(add_wasm)
    import gc

    gc.collect()
    assert m.call("add", 20, 22) == [42]


def test_runtime_argument_types() -> None:
    with pytest.raises(TypeError):
        epsilon.Runtime("many")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        epsilon.Runtime(0, 5)  # type: ignore[misc]
    with pytest.raises(TypeError):
        epsilon.Runtime(fuel="x")  # type: ignore[arg-type]
