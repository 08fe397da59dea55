"""Python bindings for epsilon, a WebAssembly 2.0 interpreter written in Rust.

Quick start::

    from epsilon import Runtime

    with Runtime() as runtime:
        with runtime.instantiate(wasm_bytes) as module:
            print(module.call("add", 5, 37))  # [42]

Compile once, instantiate many times: ``compiled = epsilon.compile(wasm)``, then
``runtime.instantiate(compiled)``. ``Module`` (the seed wrapper's name) is ``Instance``.

WASI programs (wasm32-wasi) run with ``epsilon.run(path, args, preopens=..., capture_output=True)``
or ``Runtime(wasi=WasiConfig(...))`` and ``Module.run_wasi()``.

Everything lives in the compiled extension ``epsilon._epsilon`` and is re-exported here.
"""

from ._epsilon import (
    MAX_PAGES,
    PAGE_SIZE,
    CompiledModule,
    CompileError,
    CompletedRun,
    EpsilonError,
    EpsilonOverflowError,
    EpsilonTimeoutError,
    EpsilonTypeError,
    ExnRef,
    ExportNotFoundError,
    ExportType,
    Frame,
    Function,
    FuncType,
    Global,
    GlobalType,
    ImportType,
    Instance,
    LinkError,
    Memory,
    MemoryAccessError,
    MemoryType,
    Module,
    OutOfFuelError,
    Runtime,
    Table,
    TableType,
    Tag,
    TagType,
    Trap,
    WasiConfig,
    WasmException,
    compile,
    compile_file,
    run,
    version,
    wat2wasm,
    wrapper_version,
)

__version__: str = wrapper_version()

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "CompileError",
    "CompiledModule",
    "CompletedRun",
    "EpsilonError",
    "EpsilonOverflowError",
    "EpsilonTimeoutError",
    "EpsilonTypeError",
    "ExnRef",
    "ExportNotFoundError",
    "ExportType",
    "Frame",
    "FuncType",
    "Function",
    "Global",
    "GlobalType",
    "ImportType",
    "Instance",
    "LinkError",
    "Memory",
    "MemoryAccessError",
    "MemoryType",
    "Module",
    "OutOfFuelError",
    "Runtime",
    "Table",
    "TableType",
    "Tag",
    "TagType",
    "Trap",
    "WasiConfig",
    "WasmException",
    "__version__",
    "compile",
    "compile_file",
    "run",
    "version",
    "wat2wasm",
    "wrapper_version",
]
