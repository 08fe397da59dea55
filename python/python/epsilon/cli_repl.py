"""``epsilon repl``: an interactive session with WebAssembly modules, or a script piped in.

At a terminal it prints a banner and a prompt naming the current module, keeps a readline
history (in memory, or in a file if asked for) and completes command names, export names,
module names and file paths with Tab. When stdin is not a terminal it reads one command per
line and prints only what the commands print (results, ``GET`` values, dumps, ``LIST``); an
error is reported as ``epsilon: line N: message`` on stderr. Either way an error never ends
the session. A piped session exits with the code of its first failed command (0 if none).
"""

from __future__ import annotations

import glob
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import epsilon

from .cli_common import (
    CliError,
    ExitCode,
    RunLimits,
    call_function,
    describe_names,
    KIND_NAMES,
    describe_type,
    error_from_exception,
    fail,
    get_export,
    instantiate,
    load_module,
)
from .cli_values import BadValue, format_value, parse_int_bits, python_to_bits

COMMANDS = ("LOAD", "USE", "INVOKE", "GET", "MEM", "LIST", "HELP", "CLEAR", "QUIT", "EXIT")

HELP_TEXT = """\
Commands (case-insensitive):
  LOAD [name] path            load a .wasm or .wat module; it becomes the current one
  USE name                    make a loaded module the current one
  INVOKE [mod.]func args...   call a function; its results are printed one per line
  GET [mod.]global            print the value of an exported global
  MEM [mod] offset length     hex dump of the module's memory ("memory", or its first)
  LIST                        the loaded modules and their exports
  HELP                        this text
  CLEAR                       unload every module (start over with a fresh runtime)
  QUIT, EXIT or Ctrl-D        leave
Values: integers in decimal or 0x hex; floats like 1.5, -0, 0x1p-3, inf, nan, nan:0x1;
v128 as one 0x number. A loaded module is registered under its name, so modules loaded
after it can import its exports."""

BANNER = "epsilon REPL: HELP lists the commands, Tab completes, QUIT or Ctrl-D leaves."
DUMP_WIDTH = 16


@dataclass
class Loaded:
    """A module loaded in the session."""

    name: str
    path: str
    module: epsilon.Module


def describe_export(name: str, ty: Any) -> str:
    """``func add: (i32, i32) -> (i32)``, in the notation of ``epsilon inspect``."""
    kinds = {epsilon.FuncType: "function", epsilon.GlobalType: "global", epsilon.TableType: "table", epsilon.TagType: "tag"}
    kind = KIND_NAMES[kinds.get(type(ty), "memory")]
    return f"{kind} {name}: {describe_type(ty)}"


def hex_dump(data: bytes, start: int) -> list[str]:
    """``hexdump -C`` style lines: address, 16 bytes in hex, the printable characters."""
    lines = []
    for offset in range(0, len(data), DUMP_WIDTH):
        chunk = data[offset : offset + DUMP_WIDTH]
        cells = [f"{b:02x}" for b in chunk] + ["  "] * (DUMP_WIDTH - len(chunk))
        hex_part = " ".join(cells[:8]) + "  " + " ".join(cells[8:])
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{start + offset:08x}  {hex_part}  |{text}|")
    return lines


def parse_count(text: str, what: str) -> int:
    """A non-negative integer (decimal or 0x hex) for MEM."""
    try:
        value = parse_int_bits(text, "i64")
    except BadValue:
        fail(ExitCode.USAGE, f"{what} {text!r} is not a non-negative integer")
    if text.strip().startswith("-"):
        fail(ExitCode.USAGE, f"{what} {text!r} is negative")
    return value


class Session:
    """The state of a REPL session and its commands; output goes through ``write``."""

    def __init__(self, limits: RunLimits, write: Callable[[str], None], chatty: bool) -> None:
        self.limits = limits
        self.write = write
        self.chatty = chatty  # confirmations (LOAD, CLEAR) only at a terminal
        self.runtime = limits.new_runtime()
        self.modules: dict[str, Loaded] = {}
        self.current: str | None = None

    # --- dispatch ---

    def execute(self, line: str) -> bool:
        """Runs one command line; returns False when the session should end."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            fail(ExitCode.USAGE, f"cannot split the line: {exc}")
        if not words:
            return True
        command, args = words[0].upper(), words[1:]
        if command in ("QUIT", "EXIT"):
            return False
        handler = self.handlers().get(command)
        if handler is None:
            fail(ExitCode.USAGE, f"unknown command {words[0]!r} (HELP lists the commands)")
        handler(args)
        return True

    def handlers(self) -> dict[str, Callable[[list[str]], None]]:
        """Command name -> method."""
        return {
            "LOAD": self.cmd_load,
            "USE": self.cmd_use,
            "INVOKE": self.cmd_invoke,
            "GET": self.cmd_get,
            "MEM": self.cmd_mem,
            "LIST": self.cmd_list,
            "HELP": self.cmd_help,
            "CLEAR": self.cmd_clear,
        }

    def close(self) -> None:
        """Frees the runtime."""
        self.runtime.close()

    # --- helpers ---

    def prompt(self) -> str:
        """``name> `` for the current module, ``epsilon> `` without one."""
        return f"{self.current or 'epsilon'}> "

    def module_named(self, name: str) -> Loaded:
        """A loaded module by name."""
        if name not in self.modules:
            fail(ExitCode.UNKNOWN_EXPORT, f"no module named {name!r} (loaded: {describe_names(list(self.modules))})")
        return self.modules[name]

    def current_module(self) -> Loaded:
        """The current module."""
        if self.current is None:
            fail(ExitCode.USAGE, "no module loaded (LOAD one first)")
        return self.modules[self.current]

    def resolve(self, target: str) -> tuple[Loaded, str]:
        """``[mod.]name`` -> (module, export name); an export of the current module wins."""
        if self.current is not None and target in self.modules[self.current].module.exports:
            return self.modules[self.current], target
        prefix, dot, rest = target.partition(".")
        if dot and prefix in self.modules:
            return self.modules[prefix], rest
        return self.current_module(), target

    @staticmethod
    def expect(args: Sequence[str], low: int, high: int, usage: str) -> None:
        """Checks the argument count of a command."""
        if not low <= len(args) <= high:
            fail(ExitCode.USAGE, f"usage: {usage}")

    # --- commands ---

    def cmd_load(self, args: list[str]) -> None:
        """LOAD [name] path"""
        self.expect(args, 1, 2, "LOAD [name] path")
        path = args[-1]
        name = args[0] if len(args) == 2 else Path(path).stem.replace(".", "_")
        if not name or "." in name:
            fail(ExitCode.USAGE, f"invalid module name {name!r} (it must not contain '.')")
        binary = load_module(path)
        self.limits.refuel(self.runtime)
        module = instantiate(self.runtime, binary, path, hint="LOAD the modules it imports from first")
        self.runtime.register(name, module)
        self.modules[name] = Loaded(name, path, module)
        self.current = name
        if self.chatty:
            self.write(f"loaded {name} from {path} ({len(module.exports)} exports)")

    def cmd_use(self, args: list[str]) -> None:
        """USE name"""
        self.expect(args, 1, 1, "USE name")
        self.current = self.module_named(args[0]).name

    def cmd_invoke(self, args: list[str]) -> None:
        """INVOKE [mod.]func args..."""
        if not args:
            fail(ExitCode.USAGE, "usage: INVOKE [mod.]func args...")
        loaded, name = self.resolve(args[0])
        function = get_export(loaded.module, name, epsilon.FuncType, "function", f"module {loaded.name}")
        self.limits.refuel(self.runtime)
        for line in call_function(function, name, args[1:]):
            self.write(line)

    def cmd_get(self, args: list[str]) -> None:
        """GET [mod.]global"""
        self.expect(args, 1, 1, "GET [mod.]global")
        loaded, name = self.resolve(args[0])
        global_ = get_export(loaded.module, name, epsilon.GlobalType, "global", f"module {loaded.name}")
        content = global_.type.content
        self.write(format_value(python_to_bits(global_.value, content), content))

    def cmd_mem(self, args: list[str]) -> None:
        """MEM [mod] offset length"""
        self.expect(args, 2, 3, "MEM [mod] offset length")
        loaded = self.module_named(args[0]) if len(args) == 3 else self.current_module()
        offset, length = parse_count(args[-2], "offset"), parse_count(args[-1], "length")
        memories = [n for n, t in loaded.module.exports.items() if isinstance(t, epsilon.MemoryType)]
        if not memories:
            fail(ExitCode.UNKNOWN_EXPORT, f"module {loaded.name} exports no memory")
        memory_name = "memory" if "memory" in memories else memories[0]
        memory = loaded.module.get_memory(memory_name)
        if offset + length > memory.data_size:
            fail(
                ExitCode.USAGE,
                f"MEM {offset:#x} {length}: out of bounds (memory {memory_name!r} of {loaded.name} "
                f"has {memory.data_size} bytes)",
            )
        for line in hex_dump(memory.read(offset, length), offset):
            self.write(line)

    def cmd_list(self, args: list[str]) -> None:
        """LIST"""
        self.expect(args, 0, 0, "LIST")
        if not self.modules:
            self.write("no modules loaded")
        for loaded in self.modules.values():
            marker = "*" if loaded.name == self.current else " "
            self.write(f"{marker} {loaded.name} ({loaded.path})")
            for name, ty in loaded.module.exports.items():
                self.write(f"    {describe_export(name, ty)}")

    def cmd_help(self, args: list[str]) -> None:
        """HELP"""
        self.write(HELP_TEXT)

    def cmd_clear(self, args: list[str]) -> None:
        """CLEAR"""
        self.expect(args, 0, 0, "CLEAR")
        self.runtime.close()
        self.runtime = self.limits.new_runtime()
        self.modules.clear()
        self.current = None
        if self.chatty:
            self.write("all modules unloaded")


# --- tab completion ---------------------------------------------------------------------------


def export_candidates(session: Session, kind: type) -> list[str]:
    """Exports of class ``kind``: bare names of the current module, ``mod.name`` of the others."""
    names = []
    for loaded in session.modules.values():
        for name, ty in loaded.module.exports.items():
            if isinstance(ty, kind):
                names.append(name if loaded.name == session.current else f"{loaded.name}.{name}")
    return names


def path_candidates(word: str) -> list[str]:
    """Files and directories (with a trailing ``/``) starting with ``word``."""
    paths = glob.glob(os.path.expanduser(word) + "*")
    return [p + "/" if os.path.isdir(p) else p for p in paths]


def completions(session: Session, before: str, word: str) -> list[str]:
    """What Tab offers for ``word``, given the text before it on the line."""
    words = before.split()
    if not words or (len(words) == 1 and words[0].upper() == "HELP"):
        names = COMMANDS if word[:1].isupper() or not word else [c.lower() for c in COMMANDS]
        return sorted(c for c in names if c.upper().startswith(word.upper()))
    command, position = words[0].upper(), len(words)
    candidates: list[str] = []
    if command == "INVOKE" and position == 1:
        candidates = export_candidates(session, epsilon.FuncType)
    elif command == "GET" and position == 1:
        candidates = export_candidates(session, epsilon.GlobalType)
    elif command in ("USE", "MEM") and position == 1:
        candidates = list(session.modules)
    elif command == "LOAD" and position in (1, 2):
        return sorted(path_candidates(word))
    return sorted(c for c in candidates if c.startswith(word))


class Completer:
    """The readline completer: ``complete(text, state)`` over ``completions``.

    Python's readline appends nothing to a completed word, so a space is added here (except
    after a directory's ``/``), ready for the next word.
    """

    def __init__(self, session: Session, readline: Any) -> None:
        self.session = session
        self.readline = readline
        self.matches: list[str] = []

    def complete(self, text: str, state: int) -> Optional[str]:
        """Returns the ``state``-th completion of ``text``."""
        if state == 0:
            before = self.readline.get_line_buffer()[: self.readline.get_begidx()]
            found = completions(self.session, before, text)
            self.matches = [m if m.endswith("/") else m + " " for m in found]
        return self.matches[state] if state < len(self.matches) else None


# --- the loops ----------------------------------------------------------------------------------


def setup_readline(session: Session, history_file: str | None) -> Callable[[], None]:
    """Enables line editing, history and completion; returns the function that saves history."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input() still works
        return lambda: None
    readline.set_completer_delims(" \t\n")
    readline.set_completer(Completer(session, readline).complete)
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    readline.set_history_length(1000)
    if history_file is None:
        return lambda: None
    try:
        readline.read_history_file(history_file)
    except FileNotFoundError:
        pass
    except OSError as exc:
        print(f"warning: cannot read the history file: {exc}", file=sys.stderr)

    def save() -> None:
        try:
            readline.write_history_file(history_file)
        except OSError as exc:
            print(f"warning: cannot save the history file: {exc}", file=sys.stderr)

    return save


def run_interactive(session: Session, history_file: str | None) -> int:
    """The terminal loop: banner, prompts, readline; ends on QUIT, EXIT or Ctrl-D."""
    save_history = setup_readline(session, history_file)
    try:
        while True:
            try:
                line = input(session.prompt())
            except EOFError:
                print()
                return int(ExitCode.OK)
            except KeyboardInterrupt:
                print()
                continue
            if not execute_reporting(session, line, "error"):
                return int(ExitCode.OK)
    finally:
        save_history()


def run_piped(session: Session, lines: Iterable[str]) -> int:
    """The scripting loop: no prompts; returns the exit code of the first failed command."""
    status = ExitCode.OK
    for number, line in enumerate(lines, start=1):
        try:
            keep_going = session.execute(line)
        except CliError as exc:
            report(f"epsilon: line {number}", exc)
            if exc.code == ExitCode.INTERRUPTED:
                return int(exc.code)
            status = status or exc.code
            continue
        finally:
            sys.stdout.flush()
        if not keep_going:
            break
    return int(status)


def execute_reporting(session: Session, line: str, prefix: str) -> bool:
    """Runs one line; a failure is reported and the session goes on."""
    try:
        return session.execute(line)
    except CliError as exc:
        report(prefix, exc)
    except KeyboardInterrupt as exc:
        report(prefix, error_from_exception(exc))
    return True


def report(prefix: str, error: CliError) -> None:
    """Prints a failure on stderr."""
    sys.stdout.flush()
    print(f"{prefix}: {error.message}", file=sys.stderr)
    sys.stderr.flush()


def run_repl(paths: Sequence[str], limits: RunLimits, history_file: str | None) -> int:
    """Loads ``paths`` (the last becomes current), then runs the interactive or piped loop."""
    interactive = sys.stdin.isatty()
    session = Session(limits, print, chatty=interactive)
    status = ExitCode.OK
    if interactive:
        print(BANNER)
    try:
        for path in paths:
            try:
                session.cmd_load([path])
            except CliError as exc:
                report("epsilon" if not interactive else "error", exc)
                status = status or exc.code
        if interactive:
            return run_interactive(session, history_file)
        piped_status = run_piped(session, sys.stdin)
        return int(status) or piped_status
    finally:
        session.close()
