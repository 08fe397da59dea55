"""A small reader of WebAssembly binary module headers, for ``epsilon inspect``.

The Python package describes imports and exports only of an *instantiated* module, and knows
nothing of custom sections, function counts or code size. ``inspect`` must work on any module,
including one with unresolvable imports or a start function, without running it; so this
module walks the binary's sections (LEB128 lengths) and decodes the header sections it needs:
types, imports, functions, tables, memories, globals, exports, start. Function bodies are
never decoded. Call it only on modules the runtime has validated; malformed input raises
``BinaryFormatError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .cli_values import format_value

SECTION_NAMES = {
    0: "custom",
    1: "type",
    2: "import",
    3: "function",
    4: "table",
    5: "memory",
    6: "global",
    7: "export",
    8: "start",
    9: "element",
    10: "code",
    11: "data",
    12: "datacount",
}
VALUE_TYPES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}
KINDS = ("func", "table", "memory", "global")


class BinaryFormatError(ValueError):
    """The bytes are not a module this reader understands."""


@dataclass(frozen=True)
class FuncSig:
    """A function type."""

    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        return f"({', '.join(self.params)}) -> ({', '.join(self.results)})"


@dataclass(frozen=True)
class Limits:
    """Minimum and optional maximum of a memory (pages) or table (elements)."""

    min: int
    max: int | None

    def describe(self, unit: str) -> str:
        """``min 1, max 16 pages`` or ``min 1 page, no max``."""
        if self.max is None:
            return f"min {self.min} {unit}{'s' if self.min != 1 else ''}, no max"
        return f"min {self.min}, max {self.max} {unit}{'s' if self.max != 1 else ''}"


@dataclass(frozen=True)
class TableSig:
    """A table type."""

    element: str
    limits: Limits

    def __str__(self) -> str:
        return f"{self.element}, {self.limits.describe('element')}"


@dataclass(frozen=True)
class MemorySig:
    """A memory type (limits in 64 KiB pages)."""

    limits: Limits

    def __str__(self) -> str:
        return self.limits.describe("page")


@dataclass(frozen=True)
class GlobalSig:
    """A global type."""

    content: str
    mutable: bool

    def __str__(self) -> str:
        return f"mut {self.content}" if self.mutable else self.content


ExternSig = Union[FuncSig, TableSig, MemorySig, GlobalSig]


@dataclass(frozen=True)
class Import:
    """One import: module, field, kind and type."""

    module: str
    name: str
    kind: str
    sig: ExternSig


@dataclass(frozen=True)
class Export:
    """One export: name, kind, index in its index space, and the item's type."""

    name: str
    kind: str
    index: int
    sig: ExternSig


@dataclass(frozen=True)
class Section:
    """A section header: id, name (custom sections: their own name), payload size."""

    id: int
    name: str
    size: int


@dataclass
class ModuleInfo:
    """Everything ``inspect`` prints about a module."""

    size: int
    version: int
    sections: list[Section] = field(default_factory=list)
    types: list[FuncSig] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    functions: list[FuncSig] = field(default_factory=list)  # the whole index space
    tables: list[TableSig] = field(default_factory=list)
    memories: list[MemorySig] = field(default_factory=list)
    globals: list[GlobalSig] = field(default_factory=list)
    global_inits: dict[int, str] = field(default_factory=dict)  # defined globals only
    start: int | None = None
    element_count: int = 0
    data_count: int = 0

    @property
    def custom_sections(self) -> list[str]:
        """The names of the custom sections, in order."""
        return [s.name for s in self.sections if s.id == 0]

    @property
    def code_size(self) -> int:
        """The payload size of the code section in bytes."""
        return sum(s.size for s in self.sections if s.id == 10)

    def imported_count(self, kind: str) -> int:
        """How many items of ``kind`` are imported."""
        return sum(1 for i in self.imports if i.kind == kind)


class Reader:
    """A cursor over bytes with the binary format's primitive decoders."""

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def at_end(self) -> bool:
        """Whether everything was read."""
        return self.pos >= self.end

    def byte(self) -> int:
        """One byte."""
        if self.pos >= self.end:
            raise BinaryFormatError(f"unexpected end at offset {self.pos:#x}")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def take(self, count: int) -> bytes:
        """``count`` raw bytes."""
        if self.pos + count > self.end:
            raise BinaryFormatError(f"unexpected end at offset {self.pos:#x}")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def u32(self) -> int:
        """An unsigned LEB128 number."""
        result, shift = 0, 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result
            if shift > 35:
                raise BinaryFormatError(f"LEB128 number too long at offset {self.pos:#x}")

    def sleb(self, bits: int) -> int:
        """A signed LEB128 number of at most ``bits`` bits."""
        result, shift = 0, 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result
            if shift > bits + 7:
                raise BinaryFormatError(f"LEB128 number too long at offset {self.pos:#x}")

    def name(self) -> str:
        """A UTF-8 name with its length."""
        return self.take(self.u32()).decode("utf-8", errors="replace")

    def value_type(self) -> str:
        """A value type."""
        code = self.byte()
        if code not in VALUE_TYPES:
            raise BinaryFormatError(f"unknown value type {code:#x} at offset {self.pos - 1:#x}")
        return VALUE_TYPES[code]

    def limits(self) -> Limits:
        """Limits: a flag byte, a minimum, and a maximum if bit 0 of the flag is set."""
        flags = self.byte()
        minimum = self.u32()
        return Limits(minimum, self.u32() if flags & 1 else None)

    def table_sig(self) -> TableSig:
        """A table type."""
        element = self.value_type()
        return TableSig(element, self.limits())

    def global_sig(self) -> GlobalSig:
        """A global type."""
        content = self.value_type()
        return GlobalSig(content, self.byte() == 1)

    def const_expr(self) -> str:
        """A constant expression (up to ``end``), described in text."""
        parts: list[str] = []
        while True:
            op = self.byte()
            if op == 0x0B:
                return " ".join(parts)
            parts.append(self._const_instr(op))

    def _const_instr(self, op: int) -> str:
        """One instruction of a constant expression."""
        if op == 0x41:
            return format_value(self.sleb(32) & 0xFFFF_FFFF, "i32")
        if op == 0x42:
            return format_value(self.sleb(64) & 0xFFFF_FFFF_FFFF_FFFF, "i64")
        if op == 0x43:
            return format_value(int.from_bytes(self.take(4), "little"), "f32")
        if op == 0x44:
            return format_value(int.from_bytes(self.take(8), "little"), "f64")
        if op == 0x23:
            return f"global.get {self.u32()}"
        if op == 0xD0:
            self.byte()
            return "null"
        if op == 0xD2:
            return f"ref.func {self.u32()}"
        if op == 0xFD and self.u32() == 12:
            return format_value(int.from_bytes(self.take(16), "little"), "v128")
        raise BinaryFormatError(f"unsupported constant instruction {op:#x} at offset {self.pos - 1:#x}")


def read_module(data: bytes) -> ModuleInfo:
    """Decodes the header sections of a binary module."""
    reader = Reader(data)
    if reader.take(4) != b"\0asm":
        raise BinaryFormatError("not a WebAssembly binary (no \\0asm magic)")
    info = ModuleInfo(size=len(data), version=int.from_bytes(reader.take(4), "little"))
    while not reader.at_end():
        section_id = reader.byte()
        size = reader.u32()
        body = Reader(data, reader.pos, reader.pos + size)
        reader.take(size)
        name = body.name() if section_id == 0 else SECTION_NAMES.get(section_id, f"unknown({section_id})")
        info.sections.append(Section(section_id, name, size))
        _read_section(info, section_id, body)
    return info


def _read_section(info: ModuleInfo, section_id: int, body: Reader) -> None:
    """Decodes one section's payload into ``info`` (sections not needed are skipped)."""
    if section_id == 1:
        info.types = [_func_sig(body) for _ in range(body.u32())]
    elif section_id == 2:
        for _ in range(body.u32()):
            _read_import(info, body)
    elif section_id == 3:
        info.functions += [info.types[body.u32()] for _ in range(body.u32())]
    elif section_id == 4:
        info.tables += [body.table_sig() for _ in range(body.u32())]
    elif section_id == 5:
        info.memories += [MemorySig(body.limits()) for _ in range(body.u32())]
    elif section_id == 6:
        for _ in range(body.u32()):
            info.globals.append(body.global_sig())
            info.global_inits[len(info.globals) - 1] = body.const_expr()
    elif section_id == 7:
        info.exports = [_read_export(info, body) for _ in range(body.u32())]
    elif section_id == 8:
        info.start = body.u32()
    elif section_id == 9:
        info.element_count = body.u32()
    elif section_id == 11:
        info.data_count = body.u32()


def _func_sig(body: Reader) -> FuncSig:
    """A function type (form 0x60, parameters, results)."""
    form = body.byte()
    if form != 0x60:
        raise BinaryFormatError(f"unsupported type form {form:#x}")
    params = tuple(body.value_type() for _ in range(body.u32()))
    results = tuple(body.value_type() for _ in range(body.u32()))
    return FuncSig(params, results)


def _read_import(info: ModuleInfo, body: Reader) -> None:
    """One import; it also takes the next index of its kind's index space."""
    module, name, kind = body.name(), body.name(), body.byte()
    sig: ExternSig
    if kind == 0:
        sig = info.types[body.u32()]
        info.functions.append(sig)
    elif kind == 1:
        sig = body.table_sig()
        info.tables.append(sig)
    elif kind == 2:
        sig = MemorySig(body.limits())
        info.memories.append(sig)
    elif kind == 3:
        sig = body.global_sig()
        info.globals.append(sig)
    else:
        raise BinaryFormatError(f"unknown import kind {kind:#x}")
    info.imports.append(Import(module, name, KINDS[kind], sig))


def _read_export(info: ModuleInfo, body: Reader) -> Export:
    """One export, with the type of the item it names."""
    name, kind, index = body.name(), body.byte(), body.u32()
    spaces: tuple[list[FuncSig], list[TableSig], list[MemorySig], list[GlobalSig]] = (
        info.functions,
        info.tables,
        info.memories,
        info.globals,
    )
    if kind >= len(spaces) or index >= len(spaces[kind]):
        raise BinaryFormatError(f"export {name!r} names a missing item")
    return Export(name, KINDS[kind], index, spaces[kind][index])
