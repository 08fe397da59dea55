#!/usr/bin/env python3
"""Replays spectest-runner exports through an engine adapter (``adapter.py``, ``ADAPTERS.md``).

    python replay.py [--adapter NAME] [--limits fuel,interrupt] [--progress] EXPORT_DIR...
    python replay.py [--adapter NAME] --check

``NAME`` is ``epsilon`` (the default: the public ``epsilon`` package, ``epsilon_adapter.py``),
``wasmtime`` (the ``wasmtime`` package from PyPI, ``wasmtime_adapter.py``) or
``FILE.py[:CLASS]`` (any adapter; CLASS defaults to the one ``Adapter`` subclass FILE defines).
``--limits`` is passed to the adapter's constructor (only epsilon's takes it).

Each EXPORT_DIR holds one ``.wast`` file exported by ``spectest-runner`` (``commands.json``
as written by the ``json-from-wast`` crate, annotated with the runner's directive numbering and
the features the file needs, plus the exact module bytes). The driver walks the commands, keeps
track of the current and the named instances, and calls the adapter for every step.

The driver does not judge anything. It writes one JSON object per line on stdout:

* ``{"event": "start", "dir": D, "file": F}`` before a file,
* ``{"file": F, "index": I, "line": L, "kind": K, "got": G, "detail": ...}`` per directive,
  where G is the canonical outcome string (see ``spectest-runner/src/outcome.rs``),
* ``{"event": "note", "dir": D, "note": ...}`` for anything the runner should report,
* ``{"event": "done", "dir": D, "file": F, "records": N}`` after a file,
* ``{"event": "fatal", "dir": D, "error": ...}`` when a file cannot be replayed at all
  (without ``dir``: the adapter or its engine cannot be loaded).

Plain Python 3.9+, standard library only (plus what the adapter imports).
"""

import importlib.util
import inspect
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import adapter as api  # noqa: E402  (the interface, next to this file)

PROTOCOL = 2

# Canonical outcome strings (spectest-runner/src/outcome.rs).
OK = "ok"
SKIPPED = "skipped"

BUILTIN = {
    "epsilon": ("epsilon_adapter.py", "EpsilonAdapter"),
    "wasmtime": ("wasmtime_adapter.py", "WasmtimeAdapter"),
}
LANES = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}
MASKS = {"i32": (1 << 32) - 1, "i64": (1 << 64) - 1, "f32": (1 << 32) - 1, "f64": (1 << 64) - 1}


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class DriverError(Exception):
    """A problem of the export or of the driver (not an engine outcome)."""


def load_adapter(spec, limits):
    """The adapter object named by ``spec`` (see the module docstring)."""
    if spec in BUILTIN:
        file_name, class_name = BUILTIN[spec]
        path = os.path.join(HERE, file_name)
    else:
        path, _, class_name = spec.partition(":")
    name = "spectest_adapter_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise DriverError("cannot load the adapter file %s" % path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    if class_name:
        cls = getattr(module, class_name)
    else:
        found = [
            c for c in vars(module).values()
            if inspect.isclass(c) and issubclass(c, api.Adapter) and c is not api.Adapter
            and c.__module__ == module.__name__
        ]
        if len(found) != 1:
            raise DriverError("%s defines %d Adapter subclasses; name one as FILE:CLASS" % (path, len(found)))
        cls = found[0]
    return cls(limits=limits) if limits else cls()


def arg_string(const):
    """A json-from-wast argument as a canonical value string."""
    t = const.get("type")
    value = const.get("value")
    if t in ("i32", "i64", "f32", "f64"):
        return api.format_value(t, int(value) & MASKS[t])
    if t == "v128":
        width = LANES[const["lane_type"]]
        mask = (1 << width) - 1
        bits = 0
        for i, lane in enumerate(value):
            bits |= (int(lane) & mask) << (i * width)
        return api.format_value("v128", bits)
    if t == "externref":
        return "externref:null" if value in (None, "null") else "externref:%d" % int(value)
    if t in ("funcref", "exnref") and value in (None, "null"):
        return t + ":null"
    raise DriverError("unsupported argument %s" % json.dumps(const))


class FileReplay:
    """The replay of one file: the current and the named instances, and every step."""

    def __init__(self, engine, base):
        self.engine = engine
        self.base = base
        self.current = None
        self.current_error = "no module instantiated yet"
        self.named = {}
        # `module_definition`s: the module source of each, by name, and the last one (the
        # adapter API has no compile-only call: a definition is compiled per instance).
        self.definitions = {}
        self.last_definition = None

    def source(self, cmd):
        """The module file's contents, and whether it is text."""
        name = cmd.get("binary_filename")
        text = name is None and cmd.get("module_type") == "text"
        name = name or cmd.get("filename")
        if not name:
            raise DriverError("command has no module file")
        path = os.path.join(self.base, name)
        try:
            with open(path, "rb") as f:
                return f.read(), text
        except OSError as err:
            raise DriverError("cannot read module file %s: %s" % (path, err))

    def instantiate(self, cmd):
        data, text = self.source(cmd)
        return self.engine.instantiate(data, text=text)

    def module(self, name):
        if name is None:
            if self.current is None:
                raise DriverError(self.current_error)
            return self.current
        try:
            return self.named[name]
        except KeyError:
            raise DriverError("unknown module $%s" % name)

    def action(self, action):
        inst = self.module(action.get("module"))
        if action["type"] == "invoke":
            args = [arg_string(a) for a in action.get("args", [])]
            results = self.engine.invoke(inst, action["field"], args)
            return " ".join(results) if results else OK
        if action["type"] == "get":
            return self.engine.get(inst, action["field"])
        raise DriverError("unsupported action %r" % action["type"])

    def run(self, cmd):
        """The canonical outcome of one command."""
        t = cmd["type"]
        if t == "module_definition":
            source = self.source(cmd)
            if cmd.get("name") is not None:
                self.definitions[cmd["name"]] = source
            self.last_definition = source
            return OK
        if t in ("module", "module_instance"):
            if t == "module_instance":
                name = cmd.get("instance")
                definition = cmd.get("module")
                source = self.last_definition if definition is None else self.definitions.get(definition)
                if source is None:
                    raise DriverError("unknown module definition")
            else:
                name = cmd.get("name")
                source = self.source(cmd)
            try:
                inst = self.engine.instantiate(source[0], text=source[1])
            except Exception:
                self.current = None
                self.current_error = "the current module failed to compile or instantiate"
                if name is not None:
                    self.named.pop(name, None)
                raise
            self.current = inst
            if name is not None:
                self.named[name] = inst
            return OK
        if t in ("assert_malformed", "assert_invalid", "assert_unlinkable", "assert_uninstantiable"):
            self.instantiate(cmd)
            return OK
        if t == "register":
            self.engine.register(cmd["as"], self.module(cmd.get("name")))
            return OK
        if t in ("action", "assert_return", "assert_trap", "assert_exhaustion", "assert_exception"):
            return self.action(cmd["action"])
        raise DriverError("unsupported command %r" % t)

    def outcome(self, cmd):
        """The canonical outcome of one command and a detail (or None)."""
        if "skip" in cmd:
            return SKIPPED, cmd["skip"]
        try:
            return self.run(cmd), None
        except DriverError as err:
            return "error:" + str(err), None
        except api.Malformed as err:
            return "malformed", str(err)
        except api.Invalid as err:
            return "invalid", str(err)
        except api.Rejected as err:
            return "rejected", str(err)
        except api.Unlinkable as err:
            return "unlinkable", str(err)
        except api.Trap as err:
            return "trap:" + err.message, str(err)
        except api.Thrown as err:
            return "exception", str(err)
        except api.Unsupported as err:
            return "unsupported:" + err.reason, None
        except api.Crash as err:
            return "panic:" + str(err), None
        except api.Failed as err:
            return "error:" + str(err), None
        except Exception as err:  # anything else is an error outcome, never a lost directive
            return "error:%s: %s" % (type(err).__name__, err), None


def replay_dir(engine, d, progress):
    path = os.path.join(d, "commands.json")
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
        file_id = data["file"]
        commands = data["commands"]
        if not isinstance(commands, list):
            raise ValueError("`commands` is not a list")
        features = list(data.get("features", []))
    except Exception as err:
        emit({"event": "fatal", "dir": d, "error": "cannot read %s: %s: %s" % (path, type(err).__name__, err)})
        return
    emit({"event": "start", "dir": d, "file": file_id})
    if progress:
        sys.stderr.write("[%s] %s\n" % (engine.name, file_id))
    unsupported = None
    try:
        engine.begin(file_id, features)
    except api.Unsupported as err:
        unsupported = err.reason
    except Exception as err:
        emit({"event": "fatal", "dir": d, "error": "cannot begin the file: %s: %s" % (type(err).__name__, err)})
        return
    for note in getattr(engine, "notes", ()):
        emit({"event": "note", "dir": d, "note": note})
    replay = FileReplay(engine, d)
    n = 0
    for cmd in commands:
        directive = cmd.get("directive") or {}
        if unsupported is not None:
            got, detail = (SKIPPED, cmd["skip"]) if "skip" in cmd else ("unsupported:" + unsupported, None)
        else:
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
    if unsupported is None:
        try:
            engine.end()
        except Exception as err:
            emit({"event": "note", "dir": d, "note": "end() failed: %s: %s" % (type(err).__name__, err)})
    emit({"event": "done", "dir": d, "file": file_id, "records": n})


def main(argv):
    limits = set()
    progress = False
    check = False
    adapter_spec = "epsilon"
    dirs = []
    args = iter(argv)
    for a in args:
        if a == "--limits":
            limits = {w for w in re.split(r"[,+]", next(args, "")) if w and w != "none"}
        elif a.startswith("--limits="):
            limits = {w for w in re.split(r"[,+]", a.split("=", 1)[1]) if w and w != "none"}
        elif a == "--adapter":
            adapter_spec = next(args, "")
        elif a.startswith("--adapter="):
            adapter_spec = a.split("=", 1)[1]
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
        engine = load_adapter(adapter_spec, limits)
        version = engine.version()
    except BaseException as err:  # noqa: BLE001 - any load failure must be reported
        emit({"event": "fatal", "error": "cannot load the adapter %s: %s: %s" % (adapter_spec, type(err).__name__, err)})
        return 3
    if check:
        info = {
            "event": "check",
            "protocol": PROTOCOL,
            "python": sys.version.split()[0],
            "engine": engine.name,
            "version": version,
        }
        info.update(getattr(engine, "info", {}))
        emit(info)
        return 0
    for d in dirs:
        replay_dir(engine, d, progress)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
