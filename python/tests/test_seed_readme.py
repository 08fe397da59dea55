"""The seed wrapper README's examples, run as written (with an add.wasm made from WAT)."""

from __future__ import annotations

from pathlib import Path

import pytest

import epsilon
from epsilon import Runtime


@pytest.fixture
def in_dir_with_add_wasm(tmp_path: Path, add_wasm: bytes, monkeypatch: pytest.MonkeyPatch) -> bytes:
    (tmp_path / "add.wasm").write_bytes(add_wasm)
    monkeypatch.chdir(tmp_path)
    return add_wasm


# The example reads the file without closing it, as the seed README wrote it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_quick_start(in_dir_with_add_wasm: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    with Runtime() as runtime:
        wasm_bytes = open("add.wasm", "rb").read()
        with runtime.instantiate(wasm_bytes) as module:
            result = module.call("add", 5, 37)
            print(result)  # [42]
    assert capsys.readouterr().out == "[42]\n"
    assert result == [42]


def test_memory_access(add_wasm: bytes) -> None:
    wasm_bytes = add_wasm
    with Runtime() as runtime:
        with runtime.instantiate(wasm_bytes) as module:
            # Read memory
            data = module.read_memory(offset=0, length=100, memory_name="memory")

            # Write memory
            written = module.write_memory(offset=0, data=b"Hello, WASM!", memory_name="memory")

            # Get memory size (in pages, 1 page = 64KB)
            size = module.get_memory_size("memory")

            assert data == bytes(100)
            assert written == 12
            assert size == 1
            assert module.read_memory(0, 12) == b"Hello, WASM!"


def test_export_inspection(add_wasm: bytes) -> None:
    wasm_bytes = add_wasm
    with Runtime() as runtime:
        with runtime.instantiate(wasm_bytes) as module:
            exports = module.get_export_names()
            print(exports)  # ['add', 'memory', 'global_counter', ...]
            assert exports[:3] == ["memory", "global_counter", "answer"]
            assert {"add", "memory", "global_counter"} <= set(exports)


def test_typed_function_calls(add_wasm: bytes) -> None:
    wasm_bytes = add_wasm
    with Runtime() as runtime:
        with runtime.instantiate(wasm_bytes) as module:
            # Call with typed arguments
            result = module.call_typed(
                "compute",
                [
                    (42, "i32"),
                    (3.14, "f64"),
                    (1000000, "i64"),
                ],
            )
            assert result == [42 + 3.14 + 1000000]


def test_resource_limiting_memory(add_wasm: bytes) -> None:
    wasm_bytes = add_wasm
    # Limit memory to 256 pages (16 MB)
    with Runtime(max_memory_pages=256) as runtime:
        module = runtime.instantiate(wasm_bytes)
        assert module.call("grow", 15) == [1]  # the module's own maximum is 16 pages

    # Or per-module
    with Runtime() as runtime:
        module = runtime.instantiate(wasm_bytes, max_memory_pages=4)
        assert module.call("grow", 3) == [1]
        assert module.call("grow", 1) == [-1]


def test_execution_timeout(module: epsilon.Module) -> None:
    # Set a timeout (in milliseconds)
    result = module.call("add", 42, 0, timeout_ms=5000)
    assert result == [42]
    with pytest.raises(epsilon.EpsilonTimeoutError):
        module.call("spin", timeout_ms=50)


def test_api_reference_names() -> None:
    assert Runtime.PAGE_SIZE == 65536
    # WebAssembly 2.0 allows 65536 pages (4 GiB); the seed's Go runtime stopped at 32768.
    assert Runtime.MAX_PAGES == 65536
    assert issubclass(epsilon.EpsilonTimeoutError, epsilon.EpsilonError)
    assert isinstance(epsilon.version(), str) and epsilon.version()
    assert isinstance(epsilon.wrapper_version(), str) and epsilon.wrapper_version()
    for name in ["call", "call_typed", "get_export_names", "get_memory_size", "read_memory",
                 "write_memory", "get_global", "close"]:
        assert callable(getattr(epsilon.Module, name))
    for name in ["instantiate", "instantiate_file", "close"]:
        assert callable(getattr(epsilon.Runtime, name))
