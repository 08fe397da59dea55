#!/usr/bin/env python3
"""Replays spectest-runner exports through the public ``epsilon`` Python package.

    python replay.py [--limits fuel,interrupt] [--progress] EXPORT_DIR...
    python replay.py --check

Each EXPORT_DIR holds one ``.wast`` file exported by ``spectest-runner`` (``commands.json``
as written by the ``json-from-wast`` crate, annotated with the runner's directive numbering,
plus the exact module bytes). Every directive runs through the package's public API only:
``Runtime.instantiate`` / ``register`` / ``new_memory`` / ``new_table`` / ``new_global``,
``Function.call_raw`` (bit patterns in and out, so NaN payloads and signed zeros survive),
``Module.get_export``. The ``spectest`` host module is built from that API too: Python host
functions (typed by a small re-exporting module), a memory, a table and four globals.

The driver does not judge anything. It writes one JSON object per line on stdout:

* ``{"event": "start", "dir": D, "file": F}`` before a file,
* ``{"file": F, "index": I, "line": L, "kind": K, "got": G, "detail": ...}`` per directive,
  where G is the canonical outcome string (see ``spectest-runner/src/outcome.rs``),
* ``{"event": "note", "dir": D, "note": ...}`` for anything the runner should report,
* ``{"event": "done", "dir": D, "file": F, "records": N}`` after a file,
* ``{"event": "fatal", "dir": D, "error": ...}`` when a file cannot be replayed at all
  (without ``dir``: the package cannot be imported).

Plain Python 3.9+, standard library only.
"""

import inspect
import json
import os
import re
import struct
import sys

PROTOCOL = 1

# Canonical outcome strings (spectest-runner/src/outcome.rs).
OK = "ok"
MALFORMED = "malformed"
INVALID = "invalid"
UNLINKABLE = "unlinkable"
SKIPPED = "skipped"

NUMERIC = ("i32", "i64", "f32", "f64", "v128")
MASKS = {"i32": (1 << 32) - 1, "i64": (1 << 64) - 1, "f32": (1 << 32) - 1, "f64": (1 << 64) - 1}
LANES = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}
UNLIMITED_FUEL = (1 << 64) - 1
DEADLINE_MS = 3_600_000.0
OFFSET_SUFFIX = re.compile(r" \(at offset 0x[0-9a-f]+\)$")
PANIC_PREFIX = "internal error in epsilon (please report it): "

SPECTEST_FUNCS = [
    ("print", ""),
    ("print_i32", "i32"),
    ("print_i64", "i64"),
    ("print_f32", "f32"),
    ("print_f64", "f64"),
    ("print_i32_f32", "i32 f32"),
    ("print_f64_f64", "f64 f64"),
]


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class DriverError(Exception):
    """A problem of the export or of the driver (not an engine outcome)."""


class HostRef:
    """The host reference ``ref.extern N``: one object per N and file."""

    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


def canonical(ty, bits_or_value, raw):
    """The canonical string of one result of type ``ty``."""
    v = bits_or_value
    if ty == "i32":
        return "i32:0x%08x" % (v & MASKS["i32"])
    if ty == "i64":
        return "i64:0x%016x" % (v & MASKS["i64"])
    if ty == "f32":
        bits = v if raw else struct.unpack("<I", struct.pack("<f", v))[0]
        return "f32:0x%08x" % bits
    if ty == "f64":
        bits = v if raw else struct.unpack("<Q", struct.pack("<d", v))[0]
        return "f64:0x%016x" % bits
    if ty == "v128":
        return "v128:%032x" % (v & ((1 << 128) - 1))
    if ty == "funcref":
        return "funcref:null" if v is None else "funcref:non-null"
    if ty == "externref":
        if v is None:
            return "externref:null"
        if isinstance(v, HostRef):
            return "externref:%d" % v.n
        return "externref:opaque"
    raise DriverError("unknown result type %r" % (ty,))


def join_values(parts):
    return " ".join(parts) if parts else OK


class Replay:
    """One file's replay: a fresh Runtime with a fresh ``spectest`` module."""

    def __init__(self, epsilon, caps, data, base, limits):
        self.e = epsilon
        self.caps = caps
        self.base = base
        self.notes = []
        kwargs = {}
        if "fuel" in limits:
            kwargs["fuel"] = UNLIMITED_FUEL
        if "interrupt" in limits:
            kwargs["timeout_ms"] = DEADLINE_MS
        multi_memory = bool(data.get("config", {}).get("multi_memory", True))
        if caps["multi_memory"]:
            kwargs["multi_memory"] = multi_memory
        elif not multi_memory:
            self.notes.append(
                "the package has no Runtime(multi_memory=False) switch: replayed with multi-memory on, "
                "where the Rust engine has it off"
            )
        self.runtime = epsilon.Runtime(**kwargs)
        self.spectest = self._spectest()
        self.current = None
        self.current_error = "no module instantiated yet"
        self.named = {}
        self.externs = {}
        self.funcs = {}

    # -- spectest --------------------------------------------------------------------------

    def _spectest(self):
        rt = self.runtime
        shim = rt.instantiate(self.caps["shim"], imports={"host": {n: _noop for n, _ in SPECTEST_FUNCS}})
        items = {name: shim.get_function(name) for name, _ in SPECTEST_FUNCS}
        items["global_i32"] = rt.new_global("i32", 666)
        items["global_i64"] = rt.new_global("i64", 666)
        items["global_f32"] = rt.new_global("f32", 666.6)
        items["global_f64"] = rt.new_global("f64", 666.6)
        items["table"] = rt.new_table(10, 20, "funcref")
        items["memory"] = rt.new_memory(1, 2)
        self.shim = shim
        return items

    # -- modules ---------------------------------------------------------------------------

    def source(self, cmd):
        """The module as the package takes it: bytes, or text that must fail to parse."""
        name = cmd.get("binary_filename")
        text = name is None and cmd.get("module_type") == "text"
        name = name or cmd.get("filename")
        if not name:
            raise DriverError("command has no module file")
        path = os.path.join(self.base, name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as err:
            raise DriverError("cannot read module file %s: %s" % (path, err))
        if text:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data
        return data

    def instantiate(self, cmd):
        return self.runtime.instantiate(self.source(cmd), imports={"spectest": self.spectest})

    def module(self, name):
        if name is None:
            if self.current is None:
                raise DriverError(self.current_error)
            return self.current
        try:
            return self.named[name]
        except KeyError:
            raise DriverError("unknown module $%s" % name)

    # -- values ----------------------------------------------------------------------------

    def extern(self, n):
        ref = self.externs.get(n)
        if ref is None:
            ref = self.externs[n] = HostRef(n)
        return ref

    def arg(self, const, ty):
        """One argument as (bits or object); ``ty`` is the parameter type."""
        t = const.get("type")
        value = const.get("value")
        if t in ("i32", "i64", "f32", "f64"):
            return int(value) & MASKS[t]
        if t == "v128":
            width = LANES[const["lane_type"]]
            mask = (1 << width) - 1
            bits = 0
            for i, lane in enumerate(value):
                bits |= (int(lane) & mask) << (i * width)
            return bits
        if t == "externref":
            return None if value in (None, "null") else self.extern(int(value))
        if t == "funcref":
            if value in (None, "null"):
                return None
        raise DriverError("unsupported argument %s" % json.dumps(const))

    def call(self, inst, field, args):
        key = (id(inst), field)
        entry = self.funcs.get(key)
        if entry is None or entry[0] is not inst:
            func = inst.get_function(field)
            ty = func.type
            params, results = list(ty.params), list(ty.results)
            raw = all(t in NUMERIC for t in params + results)
            entry = self.funcs[key] = (inst, func, params, results, raw)
        _, func, params, results, raw = entry
        if len(args) != len(params):
            raise DriverError("%s takes %d arguments, got %d" % (field, len(params), len(args)))
        values = [self.arg(a, t) for a, t in zip(args, params)]
        if raw:
            out = func.call_raw(*values)
        else:
            # Reference types cannot travel as bits: call with Python values (floats are
            # converted exactly except for signalling NaN payloads of f32).
            out = func(*[to_python(v, t) for v, t in zip(values, params)])
            # A Function returns None, the value, or a tuple, like a Python function.
            out = [out] if len(results) == 1 else list(out or ())
        return join_values([canonical(t, v, raw) for t, v in zip(results, out)])

    def get(self, inst, field):
        item = inst.get_export(field)
        if not isinstance(item, self.e.Global):
            raise DriverError("export %r is not a global" % field)
        ty = item.type.content
        if ty in ("f32", "f64"):
            # Global.value is a Python float (an f32 NaN's payload would not survive the
            # conversion): read the bits through a tiny module that imports the global.
            getter = self.runtime.instantiate(
                self.caps["getter"](ty, item.type.mutable), imports={"g": {"g": item}}
            )
            return canonical(ty, getter.call_raw("get")[0], True)
        return canonical(ty, item.value, False)

    # -- directives ------------------------------------------------------------------------

    def action(self, action):
        inst = self.module(action.get("module"))
        if action["type"] == "invoke":
            return self.call(inst, action["field"], action.get("args", []))
        if action["type"] == "get":
            return self.get(inst, action["field"])
        raise DriverError("unsupported action %r" % action["type"])

    def run(self, cmd):
        """The canonical outcome of one command and a detail (or None)."""
        if "skip" in cmd:
            return SKIPPED, cmd["skip"]
        t = cmd["type"]
        if t == "module":
            name = cmd.get("name")
            try:
                inst = self.instantiate(cmd)
            except Exception:
                self.current = None
                self.current_error = "the current module failed to compile or instantiate"
                if name is not None:
                    self.named.pop(name, None)
                raise
            self.current = inst
            if name is not None:
                self.named[name] = inst
            return OK, None
        if t in ("assert_malformed", "assert_invalid", "assert_unlinkable", "assert_uninstantiable"):
            self.instantiate(cmd)
            return OK, None
        if t == "register":
            self.runtime.register(cmd["as"], self.module(cmd.get("name")))
            return OK, None
        if t in ("action", "assert_return", "assert_trap", "assert_exhaustion"):
            return self.action(cmd["action"]), None
        raise DriverError("unsupported command %r" % t)

    def outcome(self, cmd):
        try:
            return self.run(cmd)
        except DriverError as err:
            return "error:" + str(err), None
        except Exception as err:  # every engine error becomes a canonical outcome
            return canonical_error(self.e, err)


def to_python(v, ty):
    if ty == "f32":
        return struct.unpack("<f", struct.pack("<I", v))[0]
    if ty == "f64":
        return struct.unpack("<d", struct.pack("<Q", v))[0]
    return v


def _noop(*_args):
    return None


def canonical_error(e, err):
    """The canonical outcome of an exception raised by the package, and its message."""
    text = str(err)
    message = OFFSET_SUFFIX.sub("", text)
    if isinstance(err, e.Trap):
        if message.startswith("wasm trap: "):
            message = message[len("wasm trap: "):]
        kind = err.kind or message
        return "trap:" + (message if message.startswith(kind) else kind), text
    if isinstance(err, e.CompileError):
        if message.startswith("malformed module: ") or message.startswith("not a WebAssembly module"):
            return MALFORMED, text
        if message.startswith("invalid module: "):
            return INVALID, text
        if message.startswith("unsupported: "):
            return "unsupported:" + message[len("unsupported: "):], text
        return "error:" + text, None
    if isinstance(err, e.LinkError):
        return UNLINKABLE, text
    if isinstance(err, e.EpsilonError) and text.startswith(PANIC_PREFIX):
        return "panic:" + text[len(PANIC_PREFIX):], None
    return "error:%s: %s" % (type(err).__name__, text), None


def capabilities(epsilon):
    """What the installed package offers beyond the seed API, and the helper modules."""
    try:
        params = inspect.signature(epsilon.Runtime).parameters
    except (TypeError, ValueError):
        params = {}
    imports = "".join(
        '(import "host" "%s" (func $%s%s))' % (n, n, " (param %s)" % p if p else "") for n, p in SPECTEST_FUNCS
    )
    exports = "".join('(export "%s" (func $%s))' % (n, n) for n, _ in SPECTEST_FUNCS)
    shim = epsilon.wat2wasm("(module %s %s)" % (imports, exports))
    getters = {}

    def getter(ty, mutable):
        key = (ty, mutable)
        if key not in getters:
            gty = "(mut %s)" % ty if mutable else ty
            getters[key] = epsilon.wat2wasm(
                '(module (import "g" "g" (global $g %s)) (func (export "get") (result %s) global.get $g))' % (gty, ty)
            )
        return getters[key]

    return {"multi_memory": "multi_memory" in params, "shim": shim, "getter": getter}


def replay_dir(epsilon, caps, d, limits, progress):
    path = os.path.join(d, "commands.json")
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
        file_id = data["file"]
        commands = data["commands"]
        if not isinstance(commands, list):
            raise ValueError("`commands` is not a list")
    except Exception as err:
        emit({"event": "fatal", "dir": d, "error": "cannot read %s: %s: %s" % (path, type(err).__name__, err)})
        return
    emit({"event": "start", "dir": d, "file": file_id})
    if progress:
        sys.stderr.write("[python] %s\n" % file_id)
    try:
        replay = Replay(epsilon, caps, data, d, limits)
    except Exception as err:
        emit({"event": "fatal", "dir": d, "error": "cannot set up the runtime: %s: %s" % (type(err).__name__, err)})
        return
    for note in replay.notes:
        emit({"event": "note", "dir": d, "note": note})
    n = 0
    for cmd in commands:
        directive = cmd.get("directive") or {}
        got, detail = replay.outcome(cmd)
        record = {
            "file": file_id,
            "index": directive.get("index"),
            "line": directive.get("line"),
            "kind": directive.get("kind"),
            "got": got,
        }
        if detail is not None:
            record["detail"] = detail
        emit(record)
        n += 1
    replay.runtime.close()
    emit({"event": "done", "dir": d, "file": file_id, "records": n})


def main(argv):
    limits = set()
    progress = False
    check = False
    dirs = []
    args = iter(argv)
    for a in args:
        if a == "--limits":
            limits = {w for w in re.split(r"[,+]", next(args, "")) if w and w != "none"}
        elif a.startswith("--limits="):
            limits = {w for w in re.split(r"[,+]", a.split("=", 1)[1]) if w and w != "none"}
        elif a == "--progress":
            progress = True
        elif a == "--check":
            check = True
        elif a.startswith("--"):
            sys.stderr.write("replay.py: unknown option %s\n" % a)
            return 2
        else:
            dirs.append(a)
    unknown = limits - {"fuel", "interrupt"}
    if unknown:
        sys.stderr.write("replay.py: unknown limits %s\n" % ", ".join(sorted(unknown)))
        return 2
    try:
        import epsilon

        caps = capabilities(epsilon)
    except BaseException as err:  # noqa: BLE001 - any import failure must be reported
        emit({"event": "fatal", "error": "cannot import the epsilon package: %s: %s" % (type(err).__name__, err)})
        return 3
    if check:
        emit(
            {
                "event": "check",
                "protocol": PROTOCOL,
                "python": sys.version.split()[0],
                "epsilon": epsilon.version(),
                "wrapper": epsilon.wrapper_version(),
                "multi_memory_switch": caps["multi_memory"],
            }
        )
        return 0
    for d in dirs:
        replay_dir(epsilon, caps, d, limits, progress)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
