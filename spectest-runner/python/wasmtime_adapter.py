"""The adapter for wasmtime's Python package (``pip install wasmtime``), through its public API.

What that API cannot express, and how the adapter deals with it:

* ``v128`` values: ``wasmtime.Val`` has no v128 (its constructor raises "unimplemented v128
  type"), and asking a ``ValType`` of ``v128`` for its kind aborts the process ("support for
  v128 is not implemented", in the C API). So the adapter reads the signatures of exported
  functions and globals from the module's own bytes (a small reader of the type, import,
  function, global and export sections) instead of ``Func.type``. A function with ``v128`` (or ``f32``) parameters or results is called through a small
  wrapper module that imports it and exchanges ``v128`` as two ``i64`` and ``f32`` as ``i32``
  bits (``i64x2.replace_lane``/``extract_lane``, ``f32.reinterpret_i32``/``i32.reinterpret_f32``:
  exact, no arithmetic). ``v128`` and ``f32`` globals are read the same way.
* ``f32`` bits: ``Val.f32`` takes a Python float, and an f32 signalling NaN becomes quiet on the
  way through a double; the wrapper above avoids that.
* Malformed versus invalid: wasmtime raises one ``WasmtimeError`` for both, so rejected modules
  are reported as ``rejected`` (which agrees with either class).
* Trap messages: mapped from ``Trap.trap_code`` to the specification's wording where the code
  says it unambiguously; otherwise wasmtime's own message (first line) is reported.
* Features: ``Config.wasm_*`` switches exactly the file's proposals on and the others off;
  ``mutable-global``, ``sign-extension-ops``, ``nontrapping-float-to-int-conversions``,
  ``extended-const`` and ``annotations`` have no switch (always on). Files needing
  ``custom-descriptors`` are unsupported (no switch, off by default).

Modules are compiled with Cranelift at ``cranelift_opt_level("none")``, for speed (optimisation
does not change WebAssembly semantics).
"""

import struct

import wasmtime as wt

from adapter import Adapter, Malformed, Rejected, Trap, Unlinkable, Unsupported, format_value, parse_value

# Feature -> the Config switch (None: always on, no switch).
SWITCHES = {
    "mutable-global": None,
    "sign-extension-ops": None,
    "nontrapping-float-to-int-conversions": None,
    "extended-const": None,
    "annotations": None,
    "multi-value": "wasm_multi_value",
    "reference-types": "wasm_reference_types",
    "bulk-memory": "wasm_bulk_memory",
    "simd": "wasm_simd",
    "multi-memory": "wasm_multi_memory",
    "tail-call": "wasm_tail_call",
    "function-references": "wasm_function_references",
    "gc": "wasm_gc",
    "exceptions": "wasm_exceptions",
    "memory64": "wasm_memory64",
    "relaxed-simd": "wasm_relaxed_simd",
    "threads": "wasm_threads",
    "custom-page-sizes": "wasm_custom_page_sizes",
    "wide-arithmetic": "wasm_wide_arithmetic",
}

TRAPS = {
    "STACK_OVERFLOW": "call stack exhausted",
    "MEMORY_OUT_OF_BOUNDS": "out of bounds memory access",
    "INDIRECT_CALL_TO_NULL": "uninitialized element",
    "BAD_SIGNATURE": "indirect call type mismatch",
    "INTEGER_OVERFLOW": "integer overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer divide by zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid conversion to integer",
    "UNREACHABLE": "unreachable",
    "NULL_REFERENCE": "null reference",
}

SPECTEST_FUNCS = [
    ("print", []),
    ("print_i32", ["i32"]),
    ("print_i64", ["i64"]),
    ("print_f32", ["f32"]),
    ("print_f64", ["f64"]),
    ("print_i32_f32", ["i32", "f32"]),
    ("print_f64_f64", ["f64", "f64"]),
]

WIDE = ("f32", "v128")  # types exchanged through a wrapper module


class HostRef:
    """The host reference ``ref.extern N``."""

    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128", 0x70: "funcref", 0x6F: "externref"}


class Reader:
    """Just enough of the binary format to read the signatures of a module's exports."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self):
        result, shift = 0, 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def name(self):
        n = self.uleb()
        self.pos += n
        return self.data[self.pos - n:self.pos].decode("utf-8", "replace")

    def valtype(self):
        b = self.byte()
        if b in VALTYPES:
            return VALTYPES[b]
        raise ValueError("value type 0x%02x is not read by this adapter" % b)

    def limits(self):
        flags = self.byte()
        self.uleb()
        if flags & 1:
            self.uleb()


def export_signatures(data):
    """{export name: ("func", params, results) | ("global", type, mutable) | ("other",)}."""
    r = Reader(data)
    r.pos = 8
    types, funcs, globals_, exports = [], [], [], {}
    while r.pos < len(data):
        section, size = r.byte(), r.uleb()
        end = r.pos + size
        if section == 1:
            for _ in range(r.uleb()):
                if r.byte() != 0x60:
                    raise ValueError("not a plain function type")
                params = [r.valtype() for _ in range(r.uleb())]
                results = [r.valtype() for _ in range(r.uleb())]
                types.append((params, results))
        elif section == 2:
            for _ in range(r.uleb()):
                r.name()
                r.name()
                kind = r.byte()
                if kind == 0:
                    funcs.append(r.uleb())
                elif kind == 1:
                    r.valtype()
                    r.limits()
                elif kind == 2:
                    r.limits()
                elif kind == 3:
                    globals_.append((r.valtype(), r.byte() == 1))
                else:
                    raise ValueError("import kind %d" % kind)
        elif section == 3:
            funcs.extend(r.uleb() for _ in range(r.uleb()))
        elif section == 6:
            # Only the types are needed; the init expressions are skipped.
            for _ in range(r.uleb()):
                globals_.append((r.valtype(), r.byte() == 1))
                skip_const_expr(r)
        elif section == 7:
            for _ in range(r.uleb()):
                name, kind, index = r.name(), r.byte(), r.uleb()
                if kind == 0:
                    exports[name] = ("func",) + tuple(types[funcs[index]])
                elif kind == 3:
                    exports[name] = ("global",) + globals_[index]
                else:
                    exports[name] = ("other",)
        r.pos = end
    return exports


def skip_const_expr(r):
    """Skips a constant expression (up to its ``end``) of the 2.0 instruction set."""
    while True:
        op = r.byte()
        if op == 0x0B:
            return
        if op in (0x41, 0x42, 0x23, 0xD2):  # i32.const, i64.const, global.get, ref.func
            r.uleb()
        elif op == 0x43:
            r.pos += 4
        elif op == 0x44:
            r.pos += 8
        elif op == 0xD0:  # ref.null
            r.byte()
        elif op == 0xFD:  # v128.const
            r.uleb()
            r.pos += 16
        elif op in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):  # extended-const arithmetic
            pass
        else:
            raise ValueError("constant instruction 0x%02x" % op)


class WasmtimeAdapter(Adapter):
    """wasmtime's Python package."""

    name = "wasmtime"

    def __init__(self):
        self.engines = {}
        self.wrappers = {}
        self.store = None

    def version(self):
        try:
            from importlib.metadata import version

            return version("wasmtime")
        except Exception:
            return "unknown"

    # -- files -----------------------------------------------------------------------------

    def begin(self, file, features):
        lacking = [f for f in features if f not in SWITCHES]
        if lacking:
            raise Unsupported("wasmtime-py has no switch for %s" % ", ".join(lacking))
        key = tuple(sorted(features))
        engine = self.engines.get(key)
        if engine is None:
            config = wt.Config()
            config.cranelift_opt_level = "none"
            for feature, switch in SWITCHES.items():
                if switch is not None:
                    setattr(config, switch, feature in features)
            try:
                engine = wt.Engine(config)
            except Exception as err:
                raise Unsupported("wasmtime rejects this feature set: %s" % err)
            self.engines[key] = engine
        self.engine = engine
        self.store = wt.Store(engine)
        self.linker = wt.Linker(engine)
        self.linker.allow_shadowing = True
        self.externs = {}
        self.funcs = {}
        self.signatures = {}
        self._spectest()

    def end(self):
        self.store = None
        self.linker = None

    def _spectest(self):
        store, define = self.store, self.linker.define
        types = {"i32": wt.ValType.i32(), "i64": wt.ValType.i64(), "f32": wt.ValType.f32(), "f64": wt.ValType.f64()}
        for name, params in SPECTEST_FUNCS:
            func = wt.Func(store, wt.FuncType([types[p] for p in params], []), lambda *_: None)
            define(store, "spectest", name, func)
        define(store, "spectest", "global_i32", wt.Global(store, wt.GlobalType(types["i32"], False), wt.Val.i32(666)))
        define(store, "spectest", "global_i64", wt.Global(store, wt.GlobalType(types["i64"], False), wt.Val.i64(666)))
        define(store, "spectest", "global_f32", wt.Global(store, wt.GlobalType(types["f32"], False), wt.Val.f32(666.6)))
        define(store, "spectest", "global_f64", wt.Global(store, wt.GlobalType(types["f64"], False), wt.Val.f64(666.6)))
        table = wt.Table(store, wt.TableType(wt.ValType.funcref(), wt.Limits(10, 20)), None)
        define(store, "spectest", "table", table)
        define(store, "spectest", "memory", wt.Memory(store, wt.MemoryType(wt.Limits(1, 2))))

    # -- steps -----------------------------------------------------------------------------

    def instantiate(self, module, text=False):
        if text:
            try:
                module = wt.wat2wasm(module.decode("utf-8", "replace"))
            except Exception as err:
                raise Malformed(str(err))
        try:
            compiled = wt.Module(self.engine, module)
        except wt.WasmtimeError as err:
            raise Rejected(str(err))
        try:
            instance = self.linker.instantiate(self.store, compiled)
        except wt.Trap as err:
            raise self._trap(err)
        except wt.WasmtimeError as err:
            raise Unlinkable(str(err))
        try:
            signatures = export_signatures(bytes(module))
        except (ValueError, IndexError) as err:
            signatures = {"": ("unreadable", str(err))}
        self.signatures[id(instance)] = (instance, signatures)
        return instance

    def _signature(self, instance, field, kind):
        entry = self.signatures.get(id(instance))
        if entry is None or entry[0] is not instance:
            raise TypeError("unknown instance")
        sig = entry[1].get(field)
        if sig is None and "" in entry[1]:
            raise Unsupported("the adapter cannot read this module's signatures: %s" % entry[1][""][1])
        if sig is None or sig[0] != kind:
            raise TypeError("export %r is not a %s" % (field, kind))
        return sig

    def register(self, name, instance):
        self.linker.define_instance(self.store, name, instance)

    def invoke(self, instance, field, args):
        func = instance.exports(self.store)[field]
        _, params, results = self._signature(instance, field, "func")
        if len(args) != len(params):
            raise TypeError("%s takes %d arguments, got %d" % (field, len(params), len(args)))
        values = [parse_value(a) for a in args]
        wide = any(t in WIDE for t in params + results)
        if wide:
            func = self._wrapper(instance, field, func, params, results)
            call_args = []
            for (t, bits) in values:
                if t == "v128":
                    call_args += [_signed(bits & ((1 << 64) - 1), 64), _signed(bits >> 64, 64)]
                elif t == "f32":
                    call_args.append(_signed(bits, 32))
                else:
                    call_args.append(self._val(t, bits))
        else:
            call_args = [self._val(t, bits) for t, bits in values]
        try:
            out = func(self.store, *call_args)
        except wt.Trap as err:
            raise self._trap(err)
        # The call returns None, the one value, or a list of values.
        count = sum(2 if t == "v128" else 1 for t in results) if wide else len(results)
        flat = [] if count == 0 else [out] if count == 1 else list(out)
        shown = []
        for t in results:
            if t == "v128":
                lo, hi = flat.pop(0), flat.pop(0)
                shown.append(format_value("v128", (lo & ((1 << 64) - 1)) | ((hi & ((1 << 64) - 1)) << 64)))
            elif t == "f32" and wide:
                shown.append(format_value("f32", flat.pop(0)))
            else:
                shown.append(self._show(t, flat.pop(0)))
        return shown

    def get(self, instance, field):
        item = instance.exports(self.store)[field]
        _, t, mutable = self._signature(instance, field, "global")
        if t in WIDE:
            getter = self._global_getter(item, t, mutable)
            out = getter(self.store)
            if t == "v128":
                lo, hi = out
                return format_value("v128", (lo & ((1 << 64) - 1)) | ((hi & ((1 << 64) - 1)) << 64))
            return format_value("f32", out)
        return self._show(t, item.value(self.store))

    # -- values, wrappers and traps --------------------------------------------------------

    def _val(self, t, bits):
        if t == "i32":
            return wt.Val.i32(_signed(bits, 32))
        if t == "i64":
            return wt.Val.i64(_signed(bits, 64))
        if t == "f64":
            return wt.Val.f64(struct.unpack("<d", struct.pack("<Q", bits))[0])
        if t == "externref":
            if bits is None:
                return wt.Val.externref(None)
            ref = self.externs.get(bits)
            if ref is None:
                ref = self.externs[bits] = HostRef(bits)
            return wt.Val.externref(ref)
        if t == "funcref" and bits is None:
            return wt.Val.funcref(None)
        raise Unsupported("%s arguments" % t)

    def _show(self, t, v):
        if t in ("i32", "i64"):
            return format_value(t, v)
        if t == "f64":
            return format_value(t, struct.unpack("<Q", struct.pack("<d", v))[0])
        if t == "f32":
            return format_value(t, struct.unpack("<I", struct.pack("<f", v))[0])
        if t == "funcref":
            return format_value(t, None if v is None else -1)
        if t == "externref":
            if v is None:
                return "externref:null"
            if isinstance(v, HostRef):
                return "externref:%d" % v.n
            return "externref:opaque"
        raise Unsupported("%s results" % t)

    def _wrapper(self, instance, field, func, params, results):
        """A function taking and returning v128 as two i64 and f32 as i32 bits, calling ``func``."""
        key = (id(instance), field)
        cached = self.funcs.get(key)
        if cached is not None and cached[0] is instance:
            return cached[1]
        sig = "(param %s) (result %s)" % (" ".join(params), " ".join(results))
        outer_params, body, k = [], [], 0
        for t in params:
            if t == "v128":
                outer_params += ["i64", "i64"]
                body.append("(i64x2.replace_lane 1 (i64x2.splat (local.get %d)) (local.get %d))" % (k, k + 1))
                k += 2
            elif t == "f32":
                outer_params.append("i32")
                body.append("(f32.reinterpret_i32 (local.get %d))" % k)
                k += 1
            else:
                outer_params.append(t)
                body.append("(local.get %d)" % k)
                k += 1
        locals_, outer_results, tail = [], [], []
        body.append("(call $f)")
        for i in reversed(range(len(results))):
            body.append("(local.set %d)" % (k + i))
        for i, t in enumerate(results):
            locals_.append(t)
            if t == "v128":
                outer_results += ["i64", "i64"]
                tail.append("(i64x2.extract_lane 0 (local.get %d)) (i64x2.extract_lane 1 (local.get %d))" % (k + i, k + i))
            elif t == "f32":
                outer_results.append("i32")
                tail.append("(i32.reinterpret_f32 (local.get %d))" % (k + i))
            else:
                outer_results.append(t)
                tail.append("(local.get %d)" % (k + i))
        text = '(module (import "t" "f" (func $f %s)) (func (export "w") (param %s) (result %s) (local %s) %s %s))' % (
            sig,
            " ".join(outer_params),
            " ".join(outer_results),
            " ".join(locals_),
            " ".join(body),
            " ".join(tail),
        )
        module = self._module(text)
        wrapper = wt.Instance(self.store, module, [func]).exports(self.store)["w"]
        self.funcs[key] = (instance, wrapper)
        return wrapper

    def _global_getter(self, item, t, mutable):
        gty = "(mut %s)" % t if mutable else t
        if t == "v128":
            body = "(result i64 i64) (i64x2.extract_lane 0 (global.get 0)) (i64x2.extract_lane 1 (global.get 0))"
        else:
            body = "(result i32) (i32.reinterpret_f32 (global.get 0))"
        module = self._module('(module (import "g" "g" (global %s)) (func (export "get") %s))' % (gty, body))
        return wt.Instance(self.store, module, [item]).exports(self.store)["get"]

    def _module(self, text):
        key = (id(self.engine), text)
        module = self.wrappers.get(key)
        if module is None:
            module = self.wrappers[key] = wt.Module(self.engine, wt.wat2wasm(text))
        return module

    @staticmethod
    def _trap(err):
        code = err.trap_code
        name = getattr(code, "name", None)
        if name in TRAPS:
            return Trap(TRAPS[name])
        # The message is a backtrace with the trap's text on a line "wasm trap: <text>".
        text = str(err.message)
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("wasm trap: "):
                return Trap(line[len("wasm trap: "):])
        return Trap(text.strip().split("\n", 1)[0])


def _signed(bits, width):
    bits &= (1 << width) - 1
    return bits - (1 << width) if bits >> (width - 1) else bits
