"""The engine adapter interface of spectest-runner (documented in ``spectest-runner/ADAPTERS.md``).

An adapter lets the replay driver (``replay.py``) run the official test suite on one engine. The
driver reads the exported ``.wast`` files and calls the adapter once per step; the adapter only
executes and reports, it never judges: the runner judges every engine with the same function.

Values travel as canonical strings, the same vocabulary as the runner's outcomes: ``i32:0x0000002a``,
``i64:0x...`` (16 hex digits), ``f32:0x7fc00000`` and ``f64:0x...`` (raw bits, so NaN payloads
survive), ``v128:<32 hex digits>`` (the vector as a little-endian 128-bit number),
``funcref:null``, ``funcref:non-null``, ``externref:null`` and ``externref:N`` (host reference
number N, which must come back as the same N). Use :func:`parse_value` and :func:`format_value`.

Failures are exceptions of the classes below; any other exception becomes an ``error:`` outcome.

Plain Python 3.9+, standard library only.
"""

from typing import List, Optional, Tuple

#: Value types of the vocabulary, with the number of hex digits of their bits.
HEX_DIGITS = {"i32": 8, "i64": 16, "f32": 8, "f64": 16, "v128": 32}


class Rejected(Exception):
    """The module was rejected, and the engine does not say whether it is malformed or invalid.

    Reported as ``rejected``, which passes ``assert_malformed`` and ``assert_invalid`` and agrees
    with either class when engines are compared.
    """


class Malformed(Rejected):
    """The module is malformed (it does not decode, or its text does not parse)."""


class Invalid(Rejected):
    """The module decodes but does not validate."""


class Unlinkable(Exception):
    """Instantiation failed without a trap: an unknown import, an import of the wrong type, ..."""


class Trap(Exception):
    """Execution trapped (also during instantiation, in the start function).

    The message should use the specification's wording (``integer divide by zero``,
    ``out of bounds memory access``, ``call stack exhausted``, ...) where the engine gives a trap
    code; the runner checks that it starts with the text the test expects.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Thrown(Exception):
    """A WebAssembly exception (exception handling) escaped the call uncaught: reported as
    ``exception``, which ``assert_exception`` expects."""


class Crash(Exception):
    """The engine itself failed (a panic, an internal error): reported as ``panic:<message>``."""


class Failed(Exception):
    """Any other failure, reported as ``error:<message>`` with the engine's own message (epsilon
    rejects what it does not implement, say a GC struct type, this way: ``error:unsupported:
    ...``, as its Rust API reports it). An exception of any other class is reported as
    ``error:<class name>: <message>``."""


class Unsupported(Exception):
    """The engine, or its API, cannot do what the step needs (a proposal it does not implement,
    a value its API cannot pass). Counted apart from failures."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Adapter:
    """One engine, as the replay driver drives it. Subclass it and override every method.

    The driver makes one adapter object per process and, for every test file, calls
    :meth:`begin`, then the steps of the file, then :meth:`end`.
    """

    #: The engine's name, shown in reports.
    name = "engine"

    def version(self) -> str:
        """The engine's version, shown in reports."""
        return "unknown"

    def begin(self, file: str, features: List[str]) -> None:
        """Starts a test file: a fresh store, with the ``spectest`` module registered.

        ``file`` is the file id (``v2/i32.wast``); ``features`` the proposals it needs
        (``simd``, ``multi-memory``, ``gc``, ...). Switch on exactly these where the engine can;
        raise :class:`Unsupported` when it lacks one (every step of the file is then unsupported).
        """
        raise NotImplementedError

    def instantiate(self, module: bytes, text: bool = False) -> object:
        """Compiles and instantiates a module; returns a handle the driver passes back.

        ``module`` is a binary module, or WAT text when ``text`` is true (only for text that
        the test expects to be malformed). Imports are resolved by name from ``spectest`` and
        from instances registered with :meth:`register`. Raises :class:`Malformed`,
        :class:`Invalid` (or :class:`Rejected`), :class:`Unlinkable`, :class:`Trap` (the start
        function trapped) or :class:`Unsupported`.
        """
        raise NotImplementedError

    def register(self, name: str, instance: object) -> None:
        """Makes the exports of ``instance`` importable under the module name ``name``."""
        raise NotImplementedError

    def invoke(self, instance: object, field: str, args: List[str]) -> List[str]:
        """Calls the exported function ``field`` with ``args`` (canonical strings); returns its
        results as canonical strings. Raises :class:`Trap` or :class:`Unsupported`."""
        raise NotImplementedError

    def get(self, instance: object, field: str) -> str:
        """The value of the exported global ``field``, as a canonical string."""
        raise NotImplementedError

    def end(self) -> None:
        """Ends the test file (drops the store)."""


def parse_value(text: str) -> Tuple[str, Optional[int]]:
    """Splits a canonical value string into its type and its bits (an int).

    References give ``None`` for null, the host number for ``externref:N``, and ``-1`` for
    ``funcref:non-null`` and ``exnref:non-null``.
    """
    ty, _, rest = text.partition(":")
    if ty in HEX_DIGITS:
        return ty, int(rest[2:] if rest.startswith("0x") else rest, 16)
    if ty in ("funcref", "externref", "exnref"):
        if rest == "null":
            return ty, None
        if rest == "non-null":
            return ty, -1
        return ty, int(rest)
    raise ValueError("not a canonical value: %r" % (text,))


def format_value(ty: str, bits: Optional[int]) -> str:
    """The canonical string of a value of type ``ty`` (see :func:`parse_value`)."""
    if ty in HEX_DIGITS:
        width = HEX_DIGITS[ty]
        prefix = "" if ty == "v128" else "0x"
        return "%s:%s%0*x" % (ty, prefix, width, bits & ((1 << (4 * width)) - 1))
    if ty in ("funcref", "externref", "exnref"):
        if bits is None:
            return ty + ":null"
        if bits == -1:
            return ty + ":non-null"
        return "%s:%d" % (ty, bits)
    raise ValueError("unknown value type %r" % (ty,))
