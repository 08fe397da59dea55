"""What the ``epsilon`` commands share: exit codes, error mapping, loading and calling modules.

Everything here uses the package's public API only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import epsilon

from .cli_values import NUMERIC_TYPES, BadValue, bits_to_python, format_value, parse_value, python_to_bits


class ExitCode(IntEnum):
    """The exit status of ``epsilon``; each failure class has its own code."""

    OK = 0
    TRAP = 1  # the wasm code trapped (unreachable, divide by zero, out of bounds, ...)
    USAGE = 2  # bad command line: unknown option, wrong argument count or value, bad MEM range
    FILE = 3  # an input file is missing or unreadable, or an output file cannot be written
    INVALID_MODULE = 4  # malformed or invalid module (binary or WAT)
    LINK = 5  # instantiation failed: unresolved import, memory above --max-memory-pages
    UNKNOWN_EXPORT = 6  # no such function, global, memory or module name
    TIMEOUT = 7  # --timeout passed
    OUT_OF_FUEL = 8  # --fuel ran out
    ERROR = 9  # any other error
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class CliError(Exception):
    """A failure reported to the user as one line, with the exit code of its class.

    ``detail`` are lines printed after it by ``epsilon run`` and the other one-shot commands
    (a trap's wasm backtrace); the REPL reports the one line only.
    """

    def __init__(self, code: ExitCode, message: str, detail: Sequence[str] = ()) -> None:
        super().__init__(one_line(message))
        self.code = code
        self.detail = tuple(detail)

    @property
    def message(self) -> str:
        """The one-line message."""
        return str(self)


_WAT_LOCATION_RE = re.compile(r"-->\s*\S*?:(\d+):(\d+)")


def one_line(message: str) -> str:
    """Folds a multi-line message (e.g. a WAT syntax error with its source excerpt) into one line."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    location = _WAT_LOCATION_RE.search(message)
    if location is not None:
        return f"{lines[0]} (line {location.group(1)}, column {location.group(2)})"
    return "; ".join(lines)


BACKTRACE_HEADER = "wasm backtrace:"
"""The line that starts the backtrace in a ``Trap``'s message."""


def error_from_exception(exc: BaseException, context: str = "") -> CliError:
    """Maps an exception of the epsilon API (or the OS) to its exit code and message."""
    prefix = f"{context}: " if context else ""
    code = ExitCode.ERROR
    message = str(exc)
    detail: list[str] = []
    if isinstance(exc, epsilon.Trap):
        # The message of a trap ends with its wasm backtrace: the detail lines.
        message, found, backtrace = message.partition(f"\n{BACKTRACE_HEADER}\n")
        if found:
            detail = [BACKTRACE_HEADER, *backtrace.splitlines()]
    if isinstance(exc, epsilon.EpsilonTimeoutError):
        code = ExitCode.TIMEOUT
    elif isinstance(exc, epsilon.OutOfFuelError):
        code = ExitCode.OUT_OF_FUEL
    elif isinstance(exc, epsilon.Trap):
        code = ExitCode.TRAP
    elif isinstance(exc, epsilon.CompileError):
        code = ExitCode.INVALID_MODULE
    elif isinstance(exc, epsilon.LinkError):
        code = ExitCode.LINK
    elif isinstance(exc, epsilon.ExportNotFoundError):
        code = ExitCode.UNKNOWN_EXPORT
    elif isinstance(exc, (epsilon.EpsilonTypeError, epsilon.MemoryAccessError, OverflowError, ValueError)):
        code = ExitCode.USAGE
    elif isinstance(exc, OSError):
        code = ExitCode.FILE
        message = describe_os_error(exc)
    elif isinstance(exc, KeyboardInterrupt):
        code = ExitCode.INTERRUPTED
        message = "interrupted"
    return CliError(code, prefix + message, detail)


def describe_os_error(exc: OSError) -> str:
    """``no such file: x.wasm`` rather than ``[Errno 2] No such file or directory: 'x.wasm'``."""
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {exc.filename}"
    if isinstance(exc, IsADirectoryError):
        return f"is a directory: {exc.filename}"
    if exc.strerror and exc.filename:
        return f"{exc.strerror.lower()}: {exc.filename}"
    if exc.filename is None:  # writing an open stream: the output (e.g. `> /dev/full`)
        return f"cannot write the output: {exc.strerror or exc}"
    return str(exc)


def fail(code: ExitCode, message: str) -> NoReturn:
    """Raises a ``CliError``."""
    raise CliError(code, message)


# --- modules ------------------------------------------------------------------------------


def read_file(path: str) -> bytes:
    """The bytes of a file, or a ``CliError`` (exit code FILE)."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise error_from_exception(exc) from None


def load_module(path: str) -> epsilon.CompiledModule:
    """Reads and compiles (validates) a ``.wasm`` or ``.wat`` file; a ``CliError`` names it."""
    data = read_file(path)
    try:
        return epsilon.compile(data)
    except epsilon.CompileError as exc:
        error = error_from_exception(exc, path)
        if path.endswith(".wasm") and data[:4] != b"\0asm" and _is_text(data):
            error = CliError(error.code, f"{error.message} (hint: {path} holds text, not the binary format)")
        raise error from None


def _is_text(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8 text."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def plural(count: int, unit: str) -> str:
    """``1 page``, ``2 pages``."""
    return f"{count} {unit}{'s' if count != 1 else ''}"


def describe_limits(minimum: int, maximum: int | None, unit: str) -> str:
    """``min 1, max 16 pages`` or ``min 1 page, no max``."""
    if maximum is None:
        return f"min {plural(minimum, unit)}, no max"
    return f"min {minimum}, max {plural(maximum, unit)}"


def describe_type(ty: Any) -> str:
    """A type in the notation of ``epsilon inspect``: ``(i32) -> ()``, ``mut f64``,
    ``funcref, min 2 elements, no max``, ``min 1 page, no max``."""
    if isinstance(ty, epsilon.FuncType):
        return f"({', '.join(ty.params)}) -> ({', '.join(ty.results)})"
    if isinstance(ty, epsilon.GlobalType):
        return f"{'mut ' if ty.mutable else ''}{ty.content}"
    if isinstance(ty, epsilon.TableType):
        return f"{ty.element}, {describe_limits(ty.min, ty.max, 'element')}"
    if isinstance(ty, epsilon.TagType):
        return f"({', '.join(ty.params)})"
    return describe_limits(ty.min, ty.max, "page")


KIND_NAMES = {"function": "func", "memory": "memory", "table": "table", "global": "global", "tag": "tag"}


@dataclass(frozen=True)
class RunLimits:
    """The resource flags shared by ``run`` and ``repl``."""

    fuel: int | None = None
    timeout_ms: float | None = None
    max_memory_pages: int = 0

    def new_runtime(self) -> epsilon.Runtime:
        """A runtime with these limits (fuel metering on only if ``fuel`` is set)."""
        return epsilon.Runtime(self.max_memory_pages, fuel=self.fuel, timeout_ms=self.timeout_ms)

    def refuel(self, runtime: epsilon.Runtime) -> None:
        """Gives ``runtime`` the full ``fuel`` again (each command gets the whole amount)."""
        if self.fuel is not None:
            runtime.fuel = self.fuel


Imports = Mapping[str, Mapping[str, Any]]


_API_IMPORT_HINT = ": not in imports= nor in a registered module"


def instantiate(
    runtime: epsilon.Runtime,
    binary: epsilon.CompiledModule,
    path: str,
    imports: Imports | None = None,
    hint: str = "",
    wasi: epsilon.WasiConfig | None = None,
) -> epsilon.Module:
    """Instantiates a module, mapping every failure to a ``CliError`` naming the file.

    The API's advice for an unresolved import (``imports=``) is replaced by ``hint``.
    """
    try:
        return runtime.instantiate(binary, imports=imports, wasi=wasi)
    except (epsilon.EpsilonError, KeyboardInterrupt) as exc:
        error = error_from_exception(exc, path)
        if isinstance(exc, epsilon.LinkError) and _API_IMPORT_HINT in error.message:
            advice = f" ({hint})" if hint else ""
            error = CliError(error.code, error.message.replace(_API_IMPORT_HINT, advice))
        raise error from None


# --- exports and calls --------------------------------------------------------------------


def describe_names(names: Sequence[str], limit: int = 12) -> str:
    """``a, b, c`` (at most ``limit`` names, then ``and N more``), or ``none``."""
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def export_names(module: epsilon.Module, kind: type) -> list[str]:
    """The names of the module's exports whose type is of class ``kind`` (e.g. FuncType)."""
    return [name for name, ty in module.exports.items() if isinstance(ty, kind)]


def get_export(module: epsilon.Module, name: str, kind: type, what: str, owner: str) -> Any:
    """The live export ``name`` of type class ``kind``, or an UNKNOWN_EXPORT ``CliError``."""
    ty = module.exports.get(name)
    if not isinstance(ty, kind):
        available = describe_names(export_names(module, kind))
        if ty is None:
            fail(ExitCode.UNKNOWN_EXPORT, f"{owner} has no exported {what} {name!r} (exported {what}s: {available})")
        fail(ExitCode.UNKNOWN_EXPORT, f"{name!r} in {owner} is not a {what} (exported {what}s: {available})")
    return module.get_export(name)


def signature(name: str, ty: epsilon.FuncType) -> str:
    """``add(i32, i32) -> (i32)``."""
    return f"{name}({', '.join(ty.params)}) -> ({', '.join(ty.results)})"


def parse_arguments(name: str, ty: epsilon.FuncType, texts: Sequence[str]) -> list[Any]:
    """Parses command-line arguments by the function's parameter types."""
    if len(texts) != len(ty.params):
        # The API's wording (Function.__call__): "expected 2 arguments, got 1".
        fail(ExitCode.USAGE, f"{signature(name, ty)}: expected {plural(len(ty.params), 'argument')}, got {len(texts)}")
    values = []
    for position, (text, param) in enumerate(zip(texts, ty.params), start=1):
        try:
            values.append(parse_value(text, param))
        except BadValue as exc:
            fail(ExitCode.USAGE, f"{signature(name, ty)}: argument {position}: {exc}")
    return values


def call_function(func: epsilon.Function, name: str, texts: Sequence[str]) -> list[str]:
    """Calls ``func`` with arguments parsed from ``texts``; returns its results as text.

    Numbers go through ``call_raw`` as bit patterns, so floats and NaN payloads are exact;
    a signature with reference types uses the ordinary call (only ``null`` can be typed in).
    """
    ty = func.type
    values = parse_arguments(name, ty, texts)
    try:
        if all(t in NUMERIC_TYPES for t in [*ty.params, *ty.results]):
            raw = func.call_raw(*values)
        else:
            out = func(*[bits_to_python(v, t) for v, t in zip(values, ty.params)])
            python = [out] if len(ty.results) == 1 else list(out or ())
            raw = [python_to_bits(v, t) for v, t in zip(python, ty.results)]
    except (epsilon.EpsilonError, KeyboardInterrupt) as exc:
        raise error_from_exception(exc) from None
    return [format_value(v, t) for v, t in zip(raw, ty.results)]
