"""Type stubs for the compiled extension ``epsilon._epsilon`` (checked with mypy.stubtest)."""

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import Any, ClassVar, Literal, final

from typing_extensions import Buffer, Self, TypeAlias, disjoint_base

# A value type's name: "i32", "i64", "f32", "f64", "v128", "funcref", "externref", "exnref", or
# a typed reference in the text format's syntax: "(ref func)", "(ref null extern)", "(ref exn)",
# "(ref 0)" (a concrete function type by its index in the module's type section), "(ref null 0)".
_ValType: TypeAlias = str
"""The name of a WebAssembly value type."""

_ExternKind: TypeAlias = Literal["function", "memory", "table", "global", "tag"]
"""The kind of an import or export."""

_WasmSource: TypeAlias = Buffer | str
"""A module: a binary (bytes-like) or WAT text (str, or bytes holding text)."""

_Value: TypeAlias = Any
"""A wasm value in Python: int (i32, i64, v128), float (f32, f64), bytes (v128 input),
``Function`` or None (funcref), any object or None (externref), ``ExnRef`` or None (exnref,
``(ref exn)``)."""

_ImportValue: TypeAlias = Callable[..., Any] | Function | Memory | Table | Global | Tag
_Imports: TypeAlias = Mapping[str, Mapping[str, _ImportValue]]
"""``imports=``: module name -> field name -> a host function or an object of the runtime."""

_StrPath: TypeAlias = str | PathLike[str]
_Preopens: TypeAlias = Mapping[str, _StrPath | tuple[_StrPath, Literal["ro", "rw"]]]
"""``preopens=``: guest path -> host directory, or (host directory, 'ro' | 'rw')."""

_Stdin: TypeAlias = Buffer | Literal["inherit"] | Any | None
"""Standard input: bytes, a file object with ``read``, ``'inherit'`` or None (empty)."""

_Output: TypeAlias = Literal["inherit"] | Callable[[bytes], object] | Any | None
"""Standard output/error: ``'inherit'``, None (discard), a file object with ``write``, or a
callable receiving bytes."""

PAGE_SIZE: int
MAX_PAGES: int

def version() -> str:
    """The version of the epsilon runtime crate this extension was built with."""

def wrapper_version() -> str:
    """The version of the Python wrapper."""

def wat2wasm(wat: str | Buffer) -> bytes:
    """Converts WebAssembly text (WAT) to the binary format."""

class EpsilonError(Exception):
    """Base class of every error raised by epsilon."""

class CompileError(EpsilonError, ValueError):
    """The bytes are not a valid WebAssembly module (or WAT text)."""

    offset: int | None

class LinkError(EpsilonError):
    """An import is missing or has the wrong type, or a resource limit was exceeded."""

class EpsilonTypeError(EpsilonError, TypeError):
    """A value has the wrong type or the wrong number of values was given."""

class EpsilonOverflowError(EpsilonTypeError, OverflowError):
    """A number is out of range for its WebAssembly type."""

class MemoryAccessError(EpsilonError, IndexError):
    """A memory or table access from Python was out of bounds (or negative)."""

class ExportNotFoundError(EpsilonError, LookupError):
    """The module has no export of that name."""

class Trap(EpsilonError):
    """WebAssembly execution trapped; ``kind`` is the specification's wording, ``frames`` the
    wasm call stack (innermost first), which the message lists too."""

    kind: str | None
    frames: list[Frame]

class WasmException(EpsilonError):
    """A WebAssembly exception that no wasm code caught; raise one from a host function to throw
    it into the wasm code that called it. ``tag`` is its ``Tag``, ``values`` its payload."""

    tag: Tag
    values: list[Any]
    def __init__(self, tag: Tag, values: Sequence[Any] = ()) -> None: ...

@final
class Frame:
    """One WebAssembly function activation of a trap's backtrace (``Trap.frames``)."""

    @property
    def func_index(self) -> int:
        """The function's index in its module (imported functions first)."""
    @property
    def func_name(self) -> str | None:
        """The function's name from the module's ``name`` section, or None."""
    @property
    def module_name(self) -> str | None:
        """The module's name from its ``name`` section, or None."""
    @property
    def module_offset(self) -> int | None:
        """The byte offset in the module binary of the instruction that trapped (innermost
        frame) or of the call (outer frames)."""
    @property
    def func_offset(self) -> int | None:
        """The same offset relative to the start of the function's body."""

class OutOfFuelError(Trap):
    """Execution ran out of fuel."""

class EpsilonTimeoutError(Trap, TimeoutError):
    """Execution was stopped because its ``timeout_ms`` passed."""

@final
class FuncType:
    """The signature of a function."""

    def __new__(cls, params: Sequence[str], results: Sequence[str]) -> Self: ...
    @property
    def params(self) -> list[_ValType]:
        """The parameter types."""
    @property
    def results(self) -> list[_ValType]:
        """The result types."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class MemoryType:
    """The limits of a linear memory in 64 KiB pages."""

    def __new__(cls, min: int, max: int | None = None, *, memory64: bool = False) -> Self: ...
    @property
    def min(self) -> int:
        """The minimum (for a live memory: current) size in pages."""
    @property
    def max(self) -> int | None:
        """The maximum size in pages, or None."""
    @property
    def memory64(self) -> bool:
        """Whether this is a 64-bit memory (i64 addresses)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class TableType:
    """The element type and limits of a table."""

    def __new__(cls, element: str, min: int, max: int | None = None) -> Self: ...
    @property
    def element(self) -> _ValType:
        """'funcref', 'externref', 'exnref' or a typed reference such as '(ref 0)'."""
    @property
    def min(self) -> int:
        """The minimum (for a live table: current) number of elements."""
    @property
    def max(self) -> int | None:
        """The maximum number of elements, or None."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class GlobalType:
    """The value type and mutability of a global."""

    def __new__(cls, content: str, mutable: bool = False) -> Self: ...
    @property
    def content(self) -> _ValType:
        """The value type."""
    @property
    def mutable(self) -> bool:
        """Whether the global can be set."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class TagType:
    """The type of an exception tag: the value types its exceptions carry."""

    def __new__(cls, params: Sequence[str]) -> Self: ...
    @property
    def params(self) -> list[_ValType]:
        """The payload's value types."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

_ExternType: TypeAlias = FuncType | MemoryType | TableType | GlobalType | TagType

@final
class ImportType:
    """One import a module declares."""

    @property
    def module(self) -> str:
        """The module name."""
    @property
    def name(self) -> str:
        """The field name."""
    @property
    def kind(self) -> _ExternKind:
        """What kind of item."""
    @property
    def type(self) -> _ExternType:
        """The expected type."""

@final
class ExportType:
    """One export of a module."""

    @property
    def name(self) -> str:
        """The export name."""
    @property
    def kind(self) -> _ExternKind:
        """What kind of item."""
    @property
    def type(self) -> _ExternType:
        """The item's type."""

@final
class Function:
    """A wasm or host function; calling it returns None, the result, or a tuple of results."""

    def __call__(self, *args: _Value, timeout_ms: float | None = None, fuel: int | None = None) -> Any: ...
    def call_raw(self, *bits: int, timeout_ms: float | None = None, fuel: int | None = None) -> list[int]:
        """Calls with raw bit patterns in and out."""
    @property
    def type(self) -> FuncType:
        """The function's signature."""
    @property
    def name(self) -> str | None:
        """The export name, or None for a function received as a reference."""

@disjoint_base
class _MemoryBase:
    """The implementation base of ``Memory``."""

    def __new__(cls, init: object) -> Self: ...
    @property
    def size(self) -> int:
        """The current size in pages."""
    @property
    def data_size(self) -> int:
        """The current size in bytes."""
    @property
    def type(self) -> MemoryType:
        """The memory's type (``min`` is the current size)."""
    def grow(self, delta: int) -> int:
        """Grows by ``delta`` pages; returns the previous size."""
    def read(self, offset: int, length: int) -> bytes:
        """Reads ``length`` bytes at ``offset``."""
    def write(self, offset: int, data: Buffer) -> int:
        """Writes ``data`` at ``offset``; returns the number of bytes written."""
    def __buffer__(self, flags: int, /) -> memoryview:
        """A zero-copy, writable view (PEP 688; ``memoryview(memory)`` on every version)."""
    def __release_buffer__(self, buffer: memoryview, /) -> None:
        """Releases a view obtained with ``__buffer__``."""

@final
class Memory(_MemoryBase):
    """A linear memory; ``memoryview(memory)`` is a zero-copy, writable view of its bytes."""

@final
class Table:
    """A table of references."""

    @property
    def size(self) -> int:
        """The current number of elements."""
    @property
    def type(self) -> TableType:
        """The table's type."""
    def get(self, index: int) -> Any:
        """The element at ``index``."""
    def set(self, index: int, value: Any) -> None:
        """Sets the element at ``index``."""
    def grow(self, delta: int, init: Any = None) -> int:
        """Grows by ``delta`` elements set to ``init``; returns the previous size."""

@final
class Global:
    """A global variable."""

    @property
    def type(self) -> GlobalType:
        """The global's type."""
    @property
    def value(self) -> Any:
        """The current value (settable if the global is mutable)."""
    @value.setter
    def value(self, value: Any) -> None: ...

@final
class Tag:
    """An exception tag (from ``get_export`` or ``Runtime.new_tag``)."""

    @property
    def type(self) -> TagType:
        """The tag's type."""
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ExnRef:
    """A reference to a caught WebAssembly exception (an ``exnref`` value)."""

@final
class CompiledModule:
    """A validated, compiled module: inspect it, instantiate it any number of times."""

    def __new__(cls, wasm: _WasmSource) -> Self: ...
    @property
    def imports(self) -> list[ImportType]:
        """The imports the module declares."""
    @property
    def exports(self) -> dict[str, _ExternType]:
        """Export name -> declared type."""
    @property
    def export_types(self) -> list[ExportType]:
        """The exports with their types, in order."""
    @property
    def functions(self) -> list[FuncType]:
        """Every function's type, imported ones first (index = function index)."""
    @property
    def memories(self) -> list[MemoryType]:
        """Every memory's type, imported ones first."""
    @property
    def tables(self) -> list[TableType]:
        """Every table's type, imported ones first."""
    @property
    def globals(self) -> list[GlobalType]:
        """Every global's type, imported ones first."""
    @property
    def start(self) -> int | None:
        """The start function's index, or None."""
    @property
    def element_segments(self) -> int:
        """The number of element segments."""
    @property
    def data_segments(self) -> int:
        """The number of data segments."""
    @property
    def custom_sections(self) -> list[str]:
        """The names of the custom sections, in order."""
    @property
    def binary(self) -> bytes:
        """The module in the binary format."""

def compile(wasm: _WasmSource) -> CompiledModule:
    """Compiles (validates) a module without instantiating it."""

def compile_file(path: str | PathLike[str]) -> CompiledModule:
    """Compiles a module from a .wasm or .wat file."""

@final
class Instance:
    """An instantiated WebAssembly module (``Module`` is the same class)."""

    def call(self, func_name: str, *args: _Value, timeout_ms: float | None = None, fuel: int | None = None) -> list[Any]:
        """Calls an exported function; returns the list of results."""
    def call_typed(
        self,
        func_name: str,
        args: Sequence[tuple[_Value, str]],
        timeout_ms: float | None = None,
        fuel: int | None = None,
    ) -> list[Any]:
        """Calls with typed arguments: ``[(value, 'i32'|'i64'|'f32'|'f64'|'v128'), ...]``."""
    def call_raw(self, func_name: str, *bits: int, timeout_ms: float | None = None, fuel: int | None = None) -> list[int]:
        """Calls with raw bit patterns in and out (bit-exact for NaN payloads)."""
    def get_export_names(self) -> list[str]:
        """The names of all exports."""
    def get_memory_size(self, memory_name: str = "memory") -> int:
        """The memory size in pages."""
    def read_memory(self, offset: int, length: int, memory_name: str = "memory") -> bytes:
        """Reads bytes from linear memory."""
    def write_memory(self, offset: int, data: Buffer, memory_name: str = "memory") -> int:
        """Writes bytes to linear memory; returns the number written."""
    def get_global(self, global_name: str) -> Any:
        """The value of an exported global."""
    def set_global(self, global_name: str, value: Any) -> None:
        """Sets an exported mutable global."""
    @property
    def exports(self) -> dict[str, _ExternType]:
        """Export name -> type."""
    @property
    def export_types(self) -> list[ExportType]:
        """The exports with their types, in order."""
    @property
    def imports(self) -> list[ImportType]:
        """The imports the module declares."""
    def get_function(self, name: str) -> Function:
        """An exported function."""
    def get_memory(self, name: str = "memory") -> Memory:
        """An exported memory."""
    def get_table(self, name: str) -> Table:
        """An exported table."""
    def get_export(self, name: str) -> Function | Memory | Table | Global | Tag:
        """An export as a live object."""
    def run_wasi(self, *, timeout_ms: float | None = None, fuel: int | None = None) -> int:
        """Runs the WASI command's ``_start``; returns its exit code."""
    def interrupt(self) -> None:
        """Stops the call running at this moment with a Trap; with none running, does nothing."""
    @property
    def fuel(self) -> int | None:
        """The fuel left in the runtime, or None if metering is off."""
    @fuel.setter
    def fuel(self, fuel: int) -> None: ...
    @property
    def closed(self) -> bool:
        """Whether the module (or its runtime) was closed."""
    def close(self) -> None:
        """Closes the module."""
    def __enter__(self) -> Self: ...
    def __exit__(self, *_exc: object) -> None: ...

Module = Instance

@final
class Runtime:
    """A WebAssembly runtime: one store holding every module instantiated with it."""

    PAGE_SIZE: ClassVar[int]
    MAX_PAGES: ClassVar[int]
    def __new__(
        cls,
        max_memory_pages: int = 0,
        *,
        fuel: int | None = None,
        timeout_ms: float | None = None,
        max_call_depth: int | None = None,
        multi_memory: bool = True,
        tail_call: bool = True,
        extended_const: bool = True,
        relaxed_simd: bool = True,
        memory64: bool = True,
        function_references: bool = True,
        exceptions: bool = True,
        wasi: WasiConfig | None = None,
    ) -> Self: ...
    def compile(self, wasm: _WasmSource) -> CompiledModule:
        """Compiles (validates) a module for this runtime without instantiating it."""
    def instantiate(
        self,
        wasm: _WasmSource | CompiledModule,
        max_memory_pages: int | None = None,
        *,
        imports: _Imports | None = None,
        wasi: WasiConfig | None = None,
    ) -> Instance:
        """Instantiates a CompiledModule, or compiles and instantiates a module."""
    def instantiate_file(
        self,
        file_path: str | PathLike[str],
        max_memory_pages: int | None = None,
        *,
        imports: _Imports | None = None,
        wasi: WasiConfig | None = None,
    ) -> Instance:
        """Compiles and instantiates a module from a .wasm or .wat file."""
    def register(self, name: str, module: Instance) -> None:
        """Makes a module's exports importable under ``name``."""
    def new_memory(self, min: int, max: int | None = None, *, memory64: bool = False) -> Memory:
        """Creates a memory for imports (``memory64=True``: a 64-bit memory)."""
    def new_table(
        self, min: int, max: int | None = None, element: str = "funcref", init: Any = None
    ) -> Table:
        """Creates a table for imports."""
    def new_global(self, type: str, value: _Value, mutable: bool = False) -> Global:
        """Creates a global for imports."""
    def new_tag(self, type: TagType) -> Tag:
        """Creates an exception tag for imports (and for ``WasmException``)."""
    @property
    def fuel(self) -> int | None:
        """The fuel left, or None if metering is off."""
    @fuel.setter
    def fuel(self, fuel: int) -> None: ...
    @property
    def max_memory_pages(self) -> int:
        """The default page ceiling (0: none)."""
    @property
    def timeout_ms(self) -> float | None:
        """The default timeout of every call."""
    @property
    def closed(self) -> bool:
        """Whether close() was called."""
    def close(self) -> None:
        """Closes the runtime and frees its store."""
    def __enter__(self) -> Self: ...
    def __exit__(self, *_exc: object) -> None: ...

@final
class WasiConfig:
    """The environment of a WASI program: arguments, environment, directories, streams."""

    def __new__(
        cls,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        preopens: _Preopens | None = None,
        stdin: _Stdin = None,
        stdout: _Output = "inherit",
        stderr: _Output = "inherit",
    ) -> Self: ...
    @property
    def args(self) -> list[str]:
        """The program's arguments."""
    @property
    def env(self) -> dict[str, str]:
        """The program's environment variables."""
    @property
    def preopens(self) -> dict[str, tuple[str, Literal["ro", "rw"]]]:
        """Guest path -> (host path, 'ro' or 'rw')."""

@final
class CompletedRun:
    """The outcome of ``run``: arguments, exit code, captured output."""

    @property
    def args(self) -> list[str]:
        """The arguments the program received."""
    @property
    def returncode(self) -> int:
        """The exit code."""
    @property
    def stdout(self) -> bytes | None:
        """The captured standard output, or None."""
    @property
    def stderr(self) -> bytes | None:
        """The captured standard error, or None."""

def run(
    path: _StrPath,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    preopens: _Preopens | None = None,
    stdin: _Stdin = None,
    stdout: _Output = "inherit",
    stderr: _Output = "inherit",
    capture_output: bool = False,
    argv0: str | None = None,
    timeout_ms: float | None = None,
    fuel: int | None = None,
    max_memory_pages: int = 0,
) -> CompletedRun:
    """Runs a WASI command file in a fresh runtime."""

__all__ = [
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
    "MAX_PAGES",
    "Memory",
    "MemoryAccessError",
    "MemoryType",
    "Module",
    "OutOfFuelError",
    "PAGE_SIZE",
    "Runtime",
    "Table",
    "TableType",
    "Tag",
    "TagType",
    "Trap",
    "WasiConfig",
    "WasmException",
    "_MemoryBase",
    "compile",
    "compile_file",
    "run",
    "version",
    "wat2wasm",
    "wrapper_version",
]
