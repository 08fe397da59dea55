"""Memories (including the zero-copy buffer), tables, globals, and type introspection."""

from __future__ import annotations

import gc

import pytest

import epsilon


def test_read_write_memory(module: epsilon.Module) -> None:
    assert module.write_memory(10, b"abc") == 3
    assert module.write_memory(13, bytearray(b"de")) == 2
    assert module.write_memory(15, memoryview(b"fgh")[1:]) == 2
    assert module.read_memory(10, 7) == b"abcdegh"
    assert module.call("load8", 10) == [ord("a")]
    module.call("store8", 20, 0x41)
    assert module.read_memory(20, 1) == b"A"
    assert module.read_memory(65536, 0) == b""
    assert module.read_memory(0, 65536) == bytes([0] * 10) + b"abcdegh" + bytes(3) + b"A" + bytes(65515)
    assert module.get_memory_size() == 1


@pytest.mark.parametrize(
    ("offset", "length"),
    [(65536, 1), (65530, 7), (0, 65537), (2**64, 1), (1, 2**64 - 1), (2**70, 0)],
)
def test_read_out_of_bounds(module: epsilon.Module, offset: int, length: int) -> None:
    with pytest.raises(epsilon.MemoryAccessError):
        module.read_memory(offset, length)
    with pytest.raises(IndexError):
        module.read_memory(offset, length)


def test_negative_offsets_and_lengths(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.MemoryAccessError, match="offset must not be negative, got -1"):
        module.read_memory(-1, 1)
    with pytest.raises(epsilon.MemoryAccessError, match="length must not be negative"):
        module.read_memory(0, -1)
    with pytest.raises(epsilon.MemoryAccessError, match="offset must not be negative"):
        module.write_memory(-5, b"x")
    with pytest.raises(epsilon.EpsilonTypeError, match="offset must be an int, not float"):
        module.read_memory(1.0, 1)


def test_write_out_of_bounds_writes_nothing(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.MemoryAccessError, match="writing 3 bytes at offset 65534 is outside the memory of 65536 bytes"):
        module.write_memory(65534, b"xyz")
    assert module.read_memory(65534, 2) == b"\0\0"
    with pytest.raises(epsilon.MemoryAccessError):
        module.write_memory(2**64 - 1, b"x")


def test_write_rejects_non_bytes(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.EpsilonTypeError, match="data must be a bytes-like object, not str"):
        module.write_memory(0, "text")
    with pytest.raises(epsilon.EpsilonTypeError, match="not int"):
        module.write_memory(0, 5)
    with pytest.raises(epsilon.EpsilonTypeError, match="not list"):
        module.write_memory(0, [1, 2])


def test_memory_lookup_errors(module: epsilon.Module) -> None:
    with pytest.raises(epsilon.ExportNotFoundError):
        module.read_memory(0, 1, memory_name="nope")
    with pytest.raises(epsilon.EpsilonTypeError, match="is a function, not a memory"):
        module.get_memory_size("add")


def test_memory_object(module: epsilon.Module) -> None:
    memory = module.get_memory()
    assert isinstance(memory, epsilon.Memory)
    assert memory.size == 1
    assert memory.data_size == 65536
    assert memory.type == epsilon.MemoryType(1, 16)
    assert memory.write(5, b"hey") == 3
    assert memory.read(5, 3) == b"hey"
    assert memory.grow(2) == 1
    assert memory.size == 3
    assert module.call("size") == [3]
    with pytest.raises(epsilon.EpsilonError, match="cannot grow memory"):
        memory.grow(100)
    with pytest.raises(epsilon.MemoryAccessError):
        memory.read(3 * 65536, 1)
    assert repr(memory) == "<epsilon.Memory pages=3>"
    with pytest.raises(TypeError, match="Module.get_memory"):
        epsilon.Memory(5)  # type: ignore[call-arg]


def test_memoryview_is_zero_copy_and_writable(module: epsilon.Module) -> None:
    memory = module.get_memory()
    view = memoryview(memory)
    assert view.format == "B"
    assert view.itemsize == 1
    assert view.nbytes == 65536
    assert not view.readonly
    assert view.shape == (65536,)
    assert view.c_contiguous
    view[100:105] = b"hello"
    assert module.call("load8", 100) == [ord("h")]  # wasm sees the write at once
    module.call("store8", 200, 0x7A)
    assert view[200] == 0x7A  # and the view sees wasm's writes
    assert bytes(view[100:105]) == b"hello"
    view.release()


def test_memoryview_pins_the_memory(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(
        '(module (memory (export "memory") 1 4)'
        ' (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'
    )
    view = memoryview(m.get_memory())
    # Pinning reserved room up to the maximum (4 pages): growth within it keeps the bytes in place.
    assert m.call("grow", 2) == [1]
    view[0] = 1
    assert m.read_memory(0, 1) == b"\x01"
    assert len(view) == 65536  # a view keeps the size it was created with
    view.release()
    view2 = memoryview(m.get_memory())
    assert len(view2) == 3 * 65536
    view2.release()


def test_memoryview_keeps_the_store_alive_after_close(add_wasm: bytes) -> None:
    runtime = epsilon.Runtime()
    m = runtime.instantiate(add_wasm)
    m.write_memory(0, b"keep")
    view = memoryview(m.get_memory())
    runtime.close()
    del m
    gc.collect()
    assert bytes(view[:4]) == b"keep"  # still valid: the buffer holds the store
    view[0] = 0
    view.release()
    with pytest.raises(epsilon.EpsilonError, match="Runtime is closed"):
        runtime.new_memory(1)


def test_memoryview_of_closed_module_fails(module: epsilon.Module) -> None:
    memory = module.get_memory()
    module.close()
    with pytest.raises(epsilon.EpsilonError, match="Module is closed"):
        memoryview(memory)


def test_bytes_of_a_memory(runtime: epsilon.Runtime) -> None:
    memory = runtime.new_memory(1)
    memory.write(0, b"\x01\x02")
    assert bytes(memory)[:2] == b"\x01\x02"
    assert len(bytes(memory)) == 65536
    m = runtime.instantiate('(module (memory (export "memory") 1))')
    assert m.write_memory(0, memory) == 65536  # any buffer is accepted as data


def test_globals(module: epsilon.Module) -> None:
    assert module.get_global("global_counter") == 7
    assert module.call("bump") == [8]
    assert module.get_global("global_counter") == 8
    module.set_global("global_counter", 100)
    assert module.call("bump") == [101]
    module.set_global("global_counter", 2**32 - 1)
    assert module.get_global("global_counter") == -1
    assert module.get_global("answer") == 42
    with pytest.raises(epsilon.EpsilonTypeError, match="global 'answer' is immutable"):
        module.set_global("answer", 1)
    with pytest.raises(OverflowError):
        module.set_global("global_counter", 2**40)
    with pytest.raises(epsilon.EpsilonTypeError, match="is a function, not a global"):
        module.get_global("add")
    with pytest.raises(epsilon.ExportNotFoundError):
        module.get_global("nope")
    g = module.get_export("global_counter")
    assert isinstance(g, epsilon.Global)
    assert g.value == -1
    g.value = 3
    assert module.get_global("global_counter") == 3


def test_float_and_ref_globals(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate(
        '(module (global (export "f") (mut f32) (f32.const 1.5))'
        ' (global (export "r") (mut externref) (ref.null extern)))'
    )
    assert m.get_global("f") == 1.5
    m.set_global("f", 2)
    assert m.get_global("f") == 2.0
    assert m.get_global("r") is None
    token = object()
    m.set_global("r", token)
    assert m.get_global("r") is token


def test_tables(runtime: epsilon.Runtime) -> None:
    m = runtime.instantiate("""
    (module
      (table (export "t") 2 10 funcref)
      (func $one (export "one") (result i32) (i32.const 1))
      (elem (i32.const 0) $one)
      (type $r (func (result i32)))
      (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))
    """)
    t = m.get_table("t")
    assert t.size == 2
    assert t.type == epsilon.TableType("funcref", 2, 10)
    first = t.get(0)
    assert isinstance(first, epsilon.Function) and first() == 1
    assert t.get(1) is None
    t.set(1, m.get_function("one"))
    assert m.call("call", 1) == [1]
    assert t.grow(3) == 2
    assert t.size == 5
    assert t.get(4) is None
    with pytest.raises(epsilon.MemoryAccessError, match="table index 5 is out of bounds"):
        t.get(5)
    with pytest.raises(epsilon.MemoryAccessError):
        t.set(9, None)
    with pytest.raises(epsilon.EpsilonTypeError):
        t.set(0, 5)
    with pytest.raises(epsilon.EpsilonError, match="cannot grow table"):
        t.grow(100)
    with pytest.raises(epsilon.EpsilonTypeError, match="is a function, not a table"):
        m.get_table("one")
    assert repr(t) == "<epsilon.Table size=5>"


def test_externref_tables(runtime: epsilon.Runtime) -> None:
    t = runtime.new_table(3, None, element="externref", init="x")
    assert [t.get(i) for i in range(3)] == ["x", "x", "x"]
    t.set(1, None)
    assert t.get(1) is None
    assert t.grow(1, init=7) == 3
    assert t.get(3) == 7
    with pytest.raises(epsilon.EpsilonTypeError):
        runtime.new_table(1, element="i32")
    with pytest.raises(ValueError, match="max must not be smaller than min"):
        runtime.new_table(3, 2)


def test_new_memory_and_global_validation(runtime: epsilon.Runtime) -> None:
    with pytest.raises(ValueError, match="min must be between 0 and 65536"):
        runtime.new_memory(-1)
    with pytest.raises(ValueError):
        runtime.new_memory(70000)
    with pytest.raises(ValueError, match="max must not be smaller than min"):
        runtime.new_memory(2, 1)
    with pytest.raises(epsilon.EpsilonTypeError, match="unknown value type"):
        runtime.new_global("int", 1)
    with pytest.raises(epsilon.EpsilonTypeError):
        runtime.new_global("i32", "1")
    with epsilon.Runtime(max_memory_pages=4) as limited:
        with pytest.raises(ValueError, match="exceeds the runtime's max_memory_pages of 4"):
            limited.new_memory(5)


def test_export_and_import_types(runtime: epsilon.Runtime, module: epsilon.Module) -> None:
    exports = module.exports
    assert list(exports)[:4] == ["memory", "global_counter", "answer", "add"]
    assert exports["add"] == epsilon.FuncType(["i32", "i32"], ["i32"])
    assert str(exports["add"]) == "func (i32, i32) -> (i32)"
    assert repr(exports["add"]) == "FuncType(params=['i32', 'i32'], results=['i32'])"
    assert exports["memory"] == epsilon.MemoryType(1, 16)
    assert str(exports["memory"]) == "memory 1 16"
    assert exports["global_counter"] == epsilon.GlobalType("i32", mutable=True)
    assert str(exports["answer"]) == "global i64"
    assert exports["answer"].content == "i64" and not exports["answer"].mutable
    assert hash(exports["add"]) == hash(epsilon.FuncType(["i32", "i32"], ["i32"]))
    assert exports["add"] != exports["compute"]
    assert exports["memory"].min == 1 and exports["memory"].max == 16
    export_types = module.export_types
    assert export_types[3].name == "add" and export_types[3].kind == "function"
    assert str(export_types[0]) == "export memory: memory 1 16"
    assert module.imports == []

    m = runtime.instantiate('(module (import "env" "t" (table 1 externref)) (import "env" "f" (func (param f32))))',
                           imports={"env": {"t": runtime.new_table(1, element="externref"), "f": lambda x: None}})
    imports = m.imports
    assert [(i.module, i.name, i.kind) for i in imports] == [("env", "t", "table"), ("env", "f", "function")]
    assert str(imports[0]) == "import env.t: table 1 externref"
    assert str(imports[1]) == "import env.f: func (f32) -> ()"
    assert imports[0].type == epsilon.TableType("externref", 1)
    assert "ImportType(module='env', name='f'" in repr(imports[1])
    with pytest.raises(epsilon.EpsilonTypeError):
        epsilon.FuncType(["x"], [])
