"""Text <-> WebAssembly values for the ``epsilon`` command line.

Numbers travel as raw bit patterns (what ``Module.call_raw`` takes and returns), so every
value is exact: floats are rounded once, correctly, from their decimal or hexadecimal
spelling, and NaN payloads survive. ``format_value`` prints a form that ``parse_value``
reads back to the same bits:

==========  =================================================================
type        accepted spellings (output: the first form)
==========  =================================================================
i32, i64    decimal or ``0x`` hex, optional sign, ``_`` between digits; signed
            or unsigned range (``-1`` and ``0xffffffff`` are the same i32)
f32, f64    decimal (``1.5``, ``-0``, ``6.02e23``), hex float (``0x1.8p3``),
            ``inf``, ``-inf``, ``nan``, ``-nan``, ``nan:0x<payload>``
v128        one integer (``0x`` + up to 32 hex digits, or decimal); output: 32
            hex digits, lane 0 in the lowest bits
funcref,    ``null`` only (output: ``null``, or ``<funcref NAME>`` /
externref   ``<externref>`` for a non-null reference, which cannot be typed in)
(ref ...)   typed references as their family (``funcref`` for ``(ref func)``
            and ``(ref 0)``, ``externref`` for ``(ref extern)``); ``null`` only
            where the type is nullable (``(ref null ...)``)
==========  =================================================================
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

NUMERIC_TYPES = frozenset({"i32", "i64", "f32", "f64", "v128"})
REFERENCE_TYPES = frozenset({"funcref", "externref"})


def reference_family(ty: str) -> str | None:
    """``funcref`` or ``externref`` for a reference type (typed ones such as ``(ref 0)`` or
    ``(ref null extern)`` included), None for a number type."""
    if ty in REFERENCE_TYPES:
        return ty
    if ty.startswith("(ref "):
        return "externref" if ty.split()[-1] == "extern)" else "funcref"
    return None

_INT_RE = re.compile(r"([+-]?)(?:0[xX]([0-9a-fA-F](?:_?[0-9a-fA-F])*)|([0-9](?:_?[0-9])*))")
_HEX_FLOAT_RE = re.compile(r"0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?")
_DEC_FLOAT_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?")


class BadValue(ValueError):
    """A command-line value that cannot be read as the wanted type (one-line message)."""


@dataclass(frozen=True)
class FloatFormat:
    """The layout of an IEEE 754 binary format."""

    name: str
    mantissa_bits: int
    exponent_bits: int

    @property
    def bias(self) -> int:
        """The exponent bias."""
        return (1 << (self.exponent_bits - 1)) - 1

    @property
    def sign_bit(self) -> int:
        """The mask of the sign bit."""
        return 1 << (self.mantissa_bits + self.exponent_bits)

    @property
    def exponent_mask(self) -> int:
        """The mask of the exponent field (also: the bits of +infinity)."""
        return ((1 << self.exponent_bits) - 1) << self.mantissa_bits

    @property
    def quiet_bit(self) -> int:
        """The top mantissa bit: the payload of the canonical NaN."""
        return 1 << (self.mantissa_bits - 1)


F32 = FloatFormat("f32", 23, 8)
F64 = FloatFormat("f64", 52, 11)
FLOAT_FORMATS = {"f32": F32, "f64": F64}
INT_BITS = {"i32": 32, "i64": 64, "v128": 128}


# --- parsing ------------------------------------------------------------------------------


def parse_value(text: str, ty: str) -> Any:
    """Reads ``text`` as a value of wasm type ``ty``.

    Returns the raw bit pattern (an unsigned int) for numeric types and ``None`` for a null
    reference. Raises ``BadValue`` with a one-line message otherwise.
    """
    if ty in INT_BITS:
        return parse_int_bits(text, ty)
    if ty in FLOAT_FORMATS:
        return parse_float_bits(text, FLOAT_FORMATS[ty])
    if reference_family(ty) is not None:
        if text.strip().lower() in ("null", "ref.null"):
            if ty.startswith("(ref ") and not ty.startswith("(ref null "):
                raise BadValue(f"{ty} is not nullable, and only null can be written on the command line")
            return None
        raise BadValue(f"{text!r} is not a {ty}: only null can be written on the command line")
    raise BadValue(f"unsupported type {ty}")


def parse_int_bits(text: str, ty: str) -> int:
    """Reads a decimal or ``0x`` integer in the signed or unsigned range of ``ty``; returns bits."""
    bits = INT_BITS[ty]
    match = _INT_RE.fullmatch(text.strip())
    if match is None:
        raise BadValue(f"{text!r} is not an integer ({ty}: decimal or 0x hex)")
    hex_digits, decimal_digits = match.group(2), match.group(3)
    value = int(hex_digits, 16) if hex_digits is not None else int(decimal_digits, 10)
    if match.group(1) == "-":
        value = -value
    low, high = -(1 << (bits - 1)), (1 << bits) - 1
    if not low <= value <= high:
        raise BadValue(f"{text} is out of range for {ty} (accepted: {low} to {high})")
    return value & high


def parse_float_bits(text: str, fmt: FloatFormat) -> int:
    """Reads a float in any accepted spelling; returns its bits, correctly rounded."""
    body = text.strip().lower()
    sign = fmt.sign_bit if body.startswith("-") else 0
    if body.startswith(("+", "-")):
        body = body[1:]
    if body in ("inf", "infinity"):
        return sign | fmt.exponent_mask
    if body == "nan":
        return sign | fmt.exponent_mask | fmt.quiet_bit
    if body.startswith("nan:"):
        return sign | fmt.exponent_mask | _nan_payload(body[4:], text, fmt)
    magnitude = _exact_magnitude(body)
    if magnitude is None:
        raise BadValue(f"{text!r} is not a number ({fmt.name}: e.g. 1.5, -0, 0x1p-3, inf, nan)")
    return sign | round_to_format(magnitude, fmt)


def _nan_payload(payload_text: str, text: str, fmt: FloatFormat) -> int:
    """The payload of ``nan:0x...``: 1 to 2**mantissa_bits - 1."""
    if not payload_text.startswith("0x"):
        raise BadValue(f"{text!r}: a NaN payload is written nan:0x<hex>")
    try:
        payload = int(payload_text, 16)
    except ValueError:
        raise BadValue(f"{text!r}: a NaN payload is written nan:0x<hex>") from None
    if not 1 <= payload < (1 << fmt.mantissa_bits):
        raise BadValue(f"{text}: the {fmt.name} NaN payload must be 0x1 to {(1 << fmt.mantissa_bits) - 1:#x}")
    return payload


def _exact_magnitude(body: str) -> Fraction | None:
    """The exact value of an unsigned, lower-case decimal or hexadecimal float literal, or None."""
    hex_match = _HEX_FLOAT_RE.fullmatch(body)
    if hex_match is not None and (hex_match.group(1) or hex_match.group(2)):
        whole, frac, exponent = hex_match.group(1), hex_match.group(2) or "", hex_match.group(3)
        value = Fraction(int(whole + frac, 16), 16 ** len(frac))
        return value * Fraction(2) ** int(exponent or "0")
    if _DEC_FLOAT_RE.fullmatch(body):
        return Fraction(body)
    return None


def _round_half_even(value: Fraction) -> int:
    """Rounds to the nearest integer, ties to even."""
    whole = value.numerator // value.denominator
    rest = value - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return whole


def round_to_format(value: Fraction, fmt: FloatFormat) -> int:
    """The bits of the float nearest to ``value`` >= 0 (IEEE 754 round to nearest, ties to even)."""
    if value == 0:
        return 0
    exponent = value.numerator.bit_length() - value.denominator.bit_length()
    if Fraction(2) ** exponent > value:
        exponent -= 1  # now 2**exponent <= value < 2**(exponent + 1)
    min_exponent = 1 - fmt.bias
    if exponent < min_exponent:  # subnormal (rounding up may reach the smallest normal)
        return _round_half_even(value / Fraction(2) ** (min_exponent - fmt.mantissa_bits))
    mantissa = _round_half_even(value / Fraction(2) ** (exponent - fmt.mantissa_bits))
    if mantissa == 1 << (fmt.mantissa_bits + 1):
        mantissa >>= 1
        exponent += 1
    if exponent > fmt.bias:
        return fmt.exponent_mask  # overflow: infinity
    return ((exponent + fmt.bias) << fmt.mantissa_bits) | (mantissa - (1 << fmt.mantissa_bits))


# --- formatting -----------------------------------------------------------------------------


def format_value(value: Any, ty: str) -> str:
    """Prints a raw bit pattern (numeric types) or a reference in a form ``parse_value`` reads."""
    if ty in ("i32", "i64"):
        return str(to_signed(value, INT_BITS[ty]))
    if ty in FLOAT_FORMATS:
        return format_float_bits(value, FLOAT_FORMATS[ty])
    if ty == "v128":
        return f"0x{value:032x}"
    return format_reference(value, ty)


def to_signed(bits: int, width: int) -> int:
    """The two's-complement value of an unsigned ``width``-bit pattern."""
    return bits - (1 << width) if bits >= 1 << (width - 1) else bits


def format_reference(value: Any, ty: str) -> str:
    """``null``, or a description of a non-null reference (which cannot be typed back in)."""
    if value is None:
        return "null"
    family = reference_family(ty) or ty
    name = getattr(value, "name", None) if family == "funcref" else None
    return f"<{family} {name}>" if name else f"<{family}>"


def format_float_bits(bits: int, fmt: FloatFormat) -> str:
    """The shortest decimal that reads back as exactly ``bits``; ``nan:0x..`` for payloads."""
    sign = "-" if bits & fmt.sign_bit else ""
    magnitude = bits & ~fmt.sign_bit
    payload = magnitude & ((1 << fmt.mantissa_bits) - 1)
    if magnitude & fmt.exponent_mask == fmt.exponent_mask:
        if payload == 0:
            return f"{sign}inf"
        return f"{sign}nan" if payload == fmt.quiet_bit else f"{sign}nan:{payload:#x}"
    value = float_of_bits(magnitude, fmt)
    if fmt is F64:
        return sign + repr(value)
    for digits in range(1, 10):  # 9 significant digits always identify an f32
        candidate = f"{value:.{digits - 1}e}"
        if parse_float_bits(candidate, fmt) == magnitude:
            return sign + repr(float(candidate))
    raise AssertionError("unreachable: 9 digits identify every f32")


def float_of_bits(bits: int, fmt: FloatFormat) -> float:
    """The Python float of a bit pattern (exact: every f32 is an f64)."""
    if fmt is F32:
        return float(struct.unpack("<f", struct.pack("<I", bits))[0])
    return float(struct.unpack("<d", struct.pack("<Q", bits))[0])


def bits_of_float(value: float, fmt: FloatFormat) -> int:
    """The bit pattern of a Python float in format ``fmt`` (as the runtime converts it)."""
    if fmt is F32:
        return int(struct.unpack("<I", struct.pack("<f", value))[0])
    return int(struct.unpack("<Q", struct.pack("<d", value))[0])


# --- Python values (Module.call, globals) <-> raw bits ----------------------------------------


def bits_to_python(bits: Any, ty: str) -> Any:
    """Converts a parsed value to what ``Module.call`` takes for ``ty``."""
    if ty in ("i32", "i64"):
        return to_signed(bits, INT_BITS[ty])
    if ty in FLOAT_FORMATS:
        return float_of_bits(bits, FLOAT_FORMATS[ty])
    return bits  # v128 (an unsigned int) and references pass as they are


def python_to_bits(value: Any, ty: str) -> Any:
    """Converts a value returned by the Python API to what ``format_value`` takes."""
    if ty in INT_BITS:
        return int(value) & ((1 << INT_BITS[ty]) - 1)
    if ty in FLOAT_FORMATS:
        return bits_of_float(float(value), FLOAT_FORMATS[ty])
    return value
