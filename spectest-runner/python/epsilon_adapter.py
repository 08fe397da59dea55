"""The adapter for epsilon's Python package (``import epsilon``), through its public API only.

``Runtime.instantiate`` / ``register`` / ``new_memory`` / ``new_table`` / ``new_global``,
``Function.call_raw`` (bit patterns in and out, so NaN payloads and signed zeros survive; ``call``
only for functions with reference types), ``Module.get_export``. The ``spectest`` host module is
built from that API too: Python host functions (typed by a small re-exporting module), a memory, a
table and four globals.
"""

import inspect
import re
import struct

from adapter import (
    Adapter,
    Crash,
    Failed,
    Invalid,
    Malformed,
    Thrown,
    Trap,
    Unlinkable,
    Unsupported,
    format_value,
    parse_value,
)

NUMERIC = ("i32", "i64", "f32", "f64", "v128")
UNLIMITED_FUEL = (1 << 64) - 1
DEADLINE_MS = 3_600_000.0
OFFSET_SUFFIX = re.compile(r" \(at offset 0x[0-9a-f]+\)$")
PANIC_PREFIX = "internal error in epsilon (please report it): "

# What epsilon implements (spectest-runner/src/suites.rs, EPSILON_FEATURES).
FEATURES = (
    "mutable-global",
    "sign-extension-ops",
    "nontrapping-float-to-int-conversions",
    "multi-value",
    "reference-types",
    "bulk-memory",
    "simd",
    "multi-memory",
    "extended-const",
    "tail-call",
    "relaxed-simd",
    "memory64",
    "exceptions",
    "function-references",
)

# The features a Runtime keyword switches: each is on exactly when the file needs it, as the
# Rust engine has them (spectest-runner/src/suites.rs, config_for_features).
SWITCHES = (
    ("tail-call", "tail_call"),
    ("extended-const", "extended_const"),
    ("relaxed-simd", "relaxed_simd"),
    ("memory64", "memory64"),
    ("exceptions", "exceptions"),
    ("function-references", "function_references"),
)

SPECTEST_FUNCS = [
    ("print", ""),
    ("print_i32", "i32"),
    ("print_i64", "i64"),
    ("print_f32", "f32"),
    ("print_f64", "f64"),
    ("print_i32_f32", "i32 f32"),
    ("print_f64_f64", "f64 f64"),
]


def ref_family(ty):
    """A typed reference type's name as its family's: '(ref extern)' and '(ref null extern)' are
    externref, '(ref exn)' is exnref, '(ref func)', '(ref null 3)' and the other typed function
    references funcref; any other name as it is."""
    if ty.startswith("(ref "):
        heap = ty.split()[-1]
        return {"extern)": "externref", "exn)": "exnref"}.get(heap, "funcref")
    return ty


class HostRef:
    """The host reference ``ref.extern N``: one object per N and file."""

    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


def _noop(*_args):
    return None


class EpsilonAdapter(Adapter):
    """epsilon's Python package; ``limits`` may hold ``fuel`` and ``interrupt``."""

    name = "epsilon"

    def __init__(self, limits=()):
        import epsilon

        self.e = epsilon
        self.limits = set(limits)
        try:
            params = inspect.signature(epsilon.Runtime).parameters
        except (TypeError, ValueError):
            params = {}
        self.multi_memory_switch = "multi_memory" in params
        self.switches = [(feature, kw) for feature, kw in SWITCHES if kw in params]
        imports = "".join(
            '(import "host" "%s" (func $%s%s))' % (n, n, " (param %s)" % p if p else "") for n, p in SPECTEST_FUNCS
        )
        exports = "".join('(export "%s" (func $%s))' % (n, n) for n, _ in SPECTEST_FUNCS)
        self.shim = epsilon.wat2wasm("(module %s %s)" % (imports, exports))
        self.getters = {}
        self.runtime = None
        self.notes = []
        self.info = {"wrapper": epsilon.wrapper_version(), "multi_memory_switch": self.multi_memory_switch}

    def version(self):
        return self.e.version()

    # -- files -----------------------------------------------------------------------------

    def begin(self, file, features):
        lacking = [f for f in features if f not in FEATURES]
        if lacking:
            raise Unsupported("epsilon does not implement %s" % ", ".join(lacking))
        kwargs = {}
        if "fuel" in self.limits:
            kwargs["fuel"] = UNLIMITED_FUEL
        if "interrupt" in self.limits:
            kwargs["timeout_ms"] = DEADLINE_MS
        multi_memory = "multi-memory" in features
        self.notes = []
        if self.multi_memory_switch:
            kwargs["multi_memory"] = multi_memory
        elif not multi_memory:
            self.notes.append(
                "the package has no Runtime(multi_memory=False) switch: replayed with multi-memory on, "
                "where the Rust engine has it off"
            )
        for feature, kw in self.switches:
            kwargs[kw] = feature in features
        self.runtime = self.e.Runtime(**kwargs)
        self.spectest = self._spectest()
        self.externs = {}
        self.funcs = {}

    def end(self):
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None

    def _spectest(self):
        rt = self.runtime
        shim = rt.instantiate(self.shim, imports={"host": {n: _noop for n, _ in SPECTEST_FUNCS}})
        items = {name: shim.get_function(name) for name, _ in SPECTEST_FUNCS}
        items["global_i32"] = rt.new_global("i32", 666)
        items["global_i64"] = rt.new_global("i64", 666)
        items["global_f32"] = rt.new_global("f32", 666.6)
        items["global_f64"] = rt.new_global("f64", 666.6)
        items["table"] = rt.new_table(10, 20, "funcref")
        items["memory"] = rt.new_memory(1, 2)
        return items

    # -- steps -----------------------------------------------------------------------------

    def instantiate(self, module, text=False):
        if text:
            try:
                module = module.decode("utf-8")
            except UnicodeDecodeError:
                pass
        try:
            return self.runtime.instantiate(module, imports={"spectest": self.spectest})
        except Exception as err:
            raise self._translate(err)

    def register(self, name, instance):
        try:
            self.runtime.register(name, instance)
        except Exception as err:
            raise self._translate(err)

    def invoke(self, instance, field, args):
        key = (id(instance), field)
        entry = self.funcs.get(key)
        if entry is None or entry[0] is not instance:
            func = instance.get_function(field)
            ty = func.type
            params, results = list(ty.params), list(ty.results)
            raw = all(t in NUMERIC for t in params + results)
            entry = self.funcs[key] = (instance, func, params, results, raw)
        _, func, params, results, raw = entry
        if len(args) != len(params):
            raise TypeError("%s takes %d arguments, got %d" % (field, len(params), len(args)))
        values = [self._arg(a) for a in args]
        try:
            if raw:
                out = func.call_raw(*values)
            else:
                # Reference types cannot travel as bits: call with Python values (floats are
                # converted exactly except for signalling NaN payloads of f32).
                out = func(*[_to_python(v, t) for v, t in zip(values, params)])
                # A Function returns None, the value, or a tuple, like a Python function.
                out = [out] if len(results) == 1 else list(out or ())
        except Exception as err:
            raise self._translate(err)
        return [self._result(t, v, raw) for t, v in zip(results, out)]

    def get(self, instance, field):
        item = instance.get_export(field)
        if not isinstance(item, self.e.Global):
            raise TypeError("export %r is not a global" % field)
        ty = item.type.content
        if ty in ("f32", "f64"):
            # Global.value is a Python float (an f32 NaN's payload would not survive the
            # conversion): read the bits through a tiny module that imports the global.
            getter = self.runtime.instantiate(self._getter(ty, item.type.mutable), imports={"g": {"g": item}})
            return self._result(ty, getter.call_raw("get")[0], True)
        return self._result(ty, item.value, False)

    # -- values and errors -----------------------------------------------------------------

    def _getter(self, ty, mutable):
        key = (ty, mutable)
        if key not in self.getters:
            gty = "(mut %s)" % ty if mutable else ty
            self.getters[key] = self.e.wat2wasm(
                '(module (import "g" "g" (global $g %s)) (func (export "get") (result %s) global.get $g))' % (gty, ty)
            )
        return self.getters[key]

    def _arg(self, text):
        ty, bits = parse_value(text)
        if ty == "externref":
            if bits is None:
                return None
            ref = self.externs.get(bits)
            if ref is None:
                ref = self.externs[bits] = HostRef(bits)
            return ref
        if ty in ("funcref", "exnref"):
            if bits is None:
                return None
            raise Unsupported("non-null %s arguments" % ty)
        return bits

    @staticmethod
    def _result(ty, v, raw):
        ty = ref_family(ty)
        if ty in ("i32", "i64", "v128"):
            return format_value(ty, v)
        if ty == "f32":
            return format_value(ty, v if raw else struct.unpack("<I", struct.pack("<f", v))[0])
        if ty == "f64":
            return format_value(ty, v if raw else struct.unpack("<Q", struct.pack("<d", v))[0])
        if ty == "funcref":
            return format_value(ty, None if v is None else -1)
        if ty == "externref":
            if v is None:
                return "externref:null"
            if isinstance(v, HostRef):
                return "externref:%d" % v.n
            return "externref:opaque"
        if ty == "exnref":
            return "exnref:null" if v is None else "exnref:non-null"
        raise TypeError("unknown result type %r" % (ty,))

    def _translate(self, err):
        """The adapter exception for an exception raised by the package."""
        e = self.e
        text = str(err)
        message = OFFSET_SUFFIX.sub("", text)
        if isinstance(err, getattr(e, "WasmException", ())):
            return Thrown(text)
        if isinstance(err, e.Trap):
            # The message's first line; the wasm backtrace follows it.
            message = message.split("\n", 1)[0]
            if message.startswith("wasm trap: "):
                message = message[len("wasm trap: "):]
            kind = err.kind or message
            return Trap(message if message.startswith(kind) else kind)
        if isinstance(err, e.CompileError):
            if message.startswith("malformed module: ") or message.startswith("not a WebAssembly module"):
                return Malformed(text)
            if message.startswith("invalid module: "):
                return Invalid(text)
            if message.startswith("unsupported: "):
                # A valid module using what epsilon does not implement (a GC struct type, say).
                return Failed(message)
            return err
        if isinstance(err, e.LinkError):
            return Unlinkable(text)
        if isinstance(err, e.EpsilonError) and text.startswith(PANIC_PREFIX):
            return Crash(text[len(PANIC_PREFIX):])
        return err


def _to_python(v, ty):
    if ty == "f32":
        return struct.unpack("<f", struct.pack("<I", v))[0]
    if ty == "f64":
        return struct.unpack("<d", struct.pack("<Q", v))[0]
    return v
