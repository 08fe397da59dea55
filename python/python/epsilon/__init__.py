"""Python bindings for epsilon, a WebAssembly 2.0 interpreter written in Rust.

Quick start::

    from epsilon import Runtime

    with Runtime() as runtime:
        with runtime.instantiate(wasm_bytes) as module:
            print(module.call("add", 5, 37))  # [42]

Everything lives in the compiled extension ``epsilon._epsilon`` and is re-exported here.
"""

from ._epsilon import (
    MAX_PAGES,
    PAGE_SIZE,
    CompileError,
    EpsilonError,
    EpsilonTimeoutError,
    EpsilonTypeError,
    ExportNotFoundError,
    ExportType,
    Function,
    FuncType,
    Global,
    GlobalType,
    ImportType,
    LinkError,
    Memory,
    MemoryAccessError,
    MemoryType,
    Module,
    OutOfFuelError,
    Runtime,
    Table,
    TableType,
    Trap,
    version,
    wat2wasm,
    wrapper_version,
)

__version__: str = wrapper_version()

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "CompileError",
    "EpsilonError",
    "EpsilonTimeoutError",
    "EpsilonTypeError",
    "ExportNotFoundError",
    "ExportType",
    "FuncType",
    "Function",
    "Global",
    "GlobalType",
    "ImportType",
    "LinkError",
    "Memory",
    "MemoryAccessError",
    "MemoryType",
    "Module",
    "OutOfFuelError",
    "Runtime",
    "Table",
    "TableType",
    "Trap",
    "__version__",
    "version",
    "wat2wasm",
    "wrapper_version",
]
