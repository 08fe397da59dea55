"""The ``epsilon`` command line (also ``python -m epsilon``), built on the package's public API.

Commands::

    epsilon run [OPTIONS] MODULE [FUNC] [ARGS...]   call a function, print its results
    epsilon inspect MODULE                          imports and exports with their types, ...
    epsilon validate MODULE...                      check modules without running them
    epsilon wat2wasm IN OUT                         convert text to binary (OUT '-': stdout)
    epsilon repl [OPTIONS] [MODULE...]              interactive (or piped) session

Every failure prints one line, ``epsilon: error: ...``, on stderr and exits with the code of its
class (``ExitCode`` in ``cli_common``): 1 trap, 2 usage or bad argument, 3 file, 4 invalid
module, 5 link, 6 unknown export, 7 timeout, 8 out of fuel, 9 other, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, Literal, NoReturn

import epsilon

from .cli_common import (
    CliError,
    ExitCode,
    Imports,
    RunLimits,
    call_function,
    KIND_NAMES,
    describe_names,
    describe_type,
    error_from_exception,
    export_names,
    fail,
    get_export,
    instantiate,
    load_module,
)

PROG = "epsilon"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one-line ``CliError``s (exit code USAGE)."""

    def error(self, message: str) -> NoReturn:
        raise CliError(ExitCode.USAGE, f"{message} (see '{self.prog} --help')")

    def value_options(self) -> tuple[set[str], set[str]]:
        """The option strings of this parser: (those taking a value, those taking none)."""
        with_value: set[str] = set()
        flags: set[str] = set()
        for action in self._actions:
            (flags if action.nargs == 0 else with_value).update(action.option_strings)
        return with_value, flags


# --- argument types -------------------------------------------------------------------------


def non_negative_int(text: str) -> int:
    """An argparse type: an integer >= 0."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def page_count(text: str) -> int:
    """An argparse type: a number of 64 KiB pages, 0 to MAX_PAGES."""
    value = non_negative_int(text)
    if value > epsilon.MAX_PAGES:
        raise argparse.ArgumentTypeError(f"{text} is above the maximum of {epsilon.MAX_PAGES} pages")
    return value


def milliseconds(text: str) -> float:
    """An argparse type: a positive number of milliseconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of milliseconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of milliseconds")
    return value


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--fuel``, ``--timeout``, ``--max-memory-pages`` (shared by run and repl)."""
    parser.add_argument("--fuel", type=non_negative_int, metavar="N", help="fuel for each call (metering on)")
    parser.add_argument(
        "--timeout", type=milliseconds, metavar="MS", help="stop each call after MS milliseconds"
    )
    parser.add_argument(
        "--max-memory-pages",
        type=page_count,
        default=0,
        metavar="N",
        help="cap every memory at N pages of 64 KiB (default 0: no cap below 4 GiB)",
    )


def limits_of(options: argparse.Namespace) -> RunLimits:
    """The ``RunLimits`` the options ask for."""
    return RunLimits(fuel=options.fuel, timeout_ms=options.timeout, max_memory_pages=options.max_memory_pages)


# --- WASI --------------------------------------------------------------------------------------
#
# `epsilon run` gives every module a WASI environment built from --dir/--dir-ro HOST[::GUEST],
# --env K=V, --arg and the words after `--` (collected by split_run_argv into
# options.program_args); argv[0] is the module's file name. A WASI command run through its
# `_start` exits with the program's exit code.


def add_wasi_options(parser: argparse.ArgumentParser) -> None:
    """Declares the WASI flags of ``run``."""
    parser.add_argument(
        "--dir",
        action="append",
        default=[],
        metavar="HOST[::GUEST]",
        help="make host directory HOST visible to a WASI program as GUEST (default: HOST); repeatable",
    )
    parser.add_argument(
        "--dir-ro",
        action="append",
        default=[],
        metavar="HOST[::GUEST]",
        help="like --dir, read-only",
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="K=V", help="an environment variable for a WASI program"
    )
    parser.add_argument(
        "--arg", action="append", default=[], metavar="ARG", help="an argument for a WASI program (like after --)"
    )


def _preopen(spec: str, mode: Literal["ro", "rw"]) -> tuple[str, tuple[str, Literal["ro", "rw"]]]:
    """``HOST[::GUEST]`` as (guest path, (host path, mode))."""
    host, _, guest = spec.partition("::")
    if not host:
        fail(ExitCode.USAGE, f"--dir {spec!r}: the host directory is missing")
    return (guest or host), (host, mode)


def wasi_config(options: argparse.Namespace) -> epsilon.WasiConfig:
    """The WASI environment ``run`` gives the module: argv[0] is the module's file name, then
    ``--arg`` values and the words after ``--``; ``--env``; ``--dir``/``--dir-ro`` preopens;
    the standard streams of this process."""
    env: dict[str, str] = {}
    for item in options.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(ExitCode.USAGE, f"--env {item!r}: expected K=V")
        env[key] = value
    preopens = dict(_preopen(spec, "rw") for spec in options.dir)
    preopens.update(_preopen(spec, "ro") for spec in options.dir_ro)
    args = [os.path.basename(options.module), *options.arg, *options.program_args]
    try:
        return epsilon.WasiConfig(
            args=args, env=env, preopens=preopens, stdin="inherit", stdout="inherit", stderr="inherit"
        )
    except OSError as exc:
        fail(ExitCode.FILE, f"--dir: {exc}")
    except (ValueError, TypeError) as exc:
        fail(ExitCode.USAGE, str(exc))


def wants_wasi(options: argparse.Namespace) -> bool:
    """Whether the command line configures a WASI program (its flags or program arguments)."""
    return bool(options.dir or options.dir_ro or options.env or options.arg or options.program_args)


# --- run --------------------------------------------------------------------------------------


def split_run_argv(argv: Sequence[str], parser: Parser) -> tuple[list[str], list[str]]:
    """Reorders ``run``'s arguments so argparse never mistakes ``-1`` or ``-inf`` for options.

    Before MODULE every ``-x`` token is an option (as in wasmtime: ``run --invoke add m.wasm 1
    2``); after it the run parser's own option names and every ``--word`` are (so ``m.wasm
    add 1 2 --fuel 9`` works and ``--bogus`` is an unknown option), and everything else is
    FUNC and ARGS. Returns ``options + ['--'] + positionals``,
    and the tokens after a ``--``: the program's arguments (for WASI).
    """
    with_value, flags = parser.value_options()
    options: list[str] = []
    positionals: list[str] = []
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        if token == "--":
            break
        name = token.split("=", 1)[0]
        # After MODULE, `--word` is an option too (an unknown one is rejected as such), while
        # `-1`, `-inf` and `-nan:0x1` stay values.
        long_option = token.startswith("--") and token[2:3].isalpha()
        if (
            name in with_value
            or name in flags
            or long_option
            or (not positionals and token.startswith("-") and token != "-")
        ):
            options.append(token)
            if name in with_value and "=" not in token and tokens:
                options.append(tokens.pop(0))
        else:
            positionals.append(token)
    return (options + ["--"] + positionals if positionals else options), tokens


def choose_function(module: epsilon.Module, options: argparse.Namespace) -> tuple[str, list[str]]:
    """The function to call and its argument texts: ``--invoke``, else FUNC, else ``_start``."""
    if options.invoke is not None:
        return options.invoke, list(options.args)
    if options.args:
        return options.args[0], list(options.args[1:])
    if isinstance(module.exports.get("_start"), epsilon.FuncType):
        return "_start", []
    listed = describe_names(export_names(module, epsilon.FuncType))
    fail(ExitCode.USAGE, f"{options.module}: no function given and no _start export (exported functions: {listed})")


def command_run(options: argparse.Namespace) -> int:
    """``epsilon run``: instantiate, call one function, print its results one per line.

    Every module gets a WASI environment (used only if it imports ``wasi_snapshot_preview1``).
    A WASI command run through its ``_start`` exits with the program's own exit code.
    """
    binary = load_module(options.module)
    limits = limits_of(options)
    wasi = wasi_config(options)
    with limits.new_runtime() as runtime:
        module = instantiate(
            runtime, binary, options.module, None, hint="epsilon run provides only WASI imports", wasi=wasi
        )
        name, texts = choose_function(module, options)
        function = get_export(module, name, epsilon.FuncType, "function", options.module)
        limits.refuel(runtime)
        if name == "_start" and not texts and (wants_wasi(options) or imports_wasi(module)):
            return run_command(module, options.module)
        for line in call_function(function, name, texts):
            print(line)
    return ExitCode.OK


def imports_wasi(module: epsilon.Module) -> bool:
    """Whether the module imports anything from WASI preview 1."""
    return any(i.module == "wasi_snapshot_preview1" for i in module.imports)


def run_command(module: epsilon.Module, path: str) -> int:
    """Runs a WASI command's ``_start``; its exit code becomes ours."""
    sys.stdout.flush()
    try:
        return module.run_wasi()
    except (epsilon.EpsilonError, KeyboardInterrupt) as exc:
        raise error_from_exception(exc, path) from None


# --- inspect, validate, wat2wasm ------------------------------------------------------------


def inspect_lines(path: str, module: epsilon.CompiledModule) -> list[str]:
    """The report ``epsilon inspect`` prints: what the compiled module declares."""
    lines = [f"{path}: WebAssembly module, {len(module.binary)} bytes in the binary format"]
    imports = [f"{KIND_NAMES[i.kind]} {i.module}.{i.name}: {describe_type(i.type)}" for i in module.imports]
    lines += _listing(f"imports ({len(imports)})", imports)
    exports = [f"{KIND_NAMES[e.kind]} {e.name}: {describe_type(e.type)}" for e in module.export_types]
    lines += _listing(f"exports ({len(exports)})", exports)
    imported = _imported_names(module)
    defined = len(module.functions) - len(imported["function"])
    lines.append(f"functions: {len(module.functions)} ({len(imported['function'])} imported, {defined} defined)")
    for kind, items in (("memory", module.memories), ("table", module.tables), ("global", module.globals)):
        title = {"memory": "memories", "table": "tables", "global": "globals"}[kind]
        lines += _listing(f"{title} ({len(items)})", _indexed(kind, items, imported[kind]))
    if module.start is not None:
        lines.append(f"start function: {module.start}")
    lines.append(f"element segments: {module.element_segments}, data segments: {module.data_segments}")
    lines.append(f"custom sections: {', '.join(module.custom_sections) or 'none'}")
    return lines


def _imported_names(module: epsilon.CompiledModule) -> dict[str, list[str]]:
    """``module.name`` of each import, by kind, in order (imports come first in each index space)."""
    names: dict[str, list[str]] = {"function": [], "memory": [], "table": [], "global": [], "tag": []}
    for i in module.imports:
        names[i.kind].append(f"{i.module}.{i.name}")
    return names


def _indexed(kind: str, types: Sequence[Any], imported: list[str]) -> list[str]:
    """``kind N: type`` per item, noting the imported ones' source."""
    lines = []
    for index, ty in enumerate(types):
        text = f"{kind} {index}: {describe_type(ty)}"
        if index < len(imported):
            text += f" (imported from {imported[index]})"
        lines.append(text)
    return lines


def _listing(title: str, items: list[str]) -> list[str]:
    """A title line with the items indented below it (``title: none`` if there are none)."""
    if not items:
        return [f"{title.split(' (')[0]}: none"]
    return [f"{title}:"] + [f"  {item}" for item in items]


def command_inspect(options: argparse.Namespace) -> int:
    """``epsilon inspect``: describe a module without running it."""
    for line in inspect_lines(options.module, load_module(options.module)):
        print(line)
    return ExitCode.OK


def command_validate(options: argparse.Namespace) -> int:
    """``epsilon validate``: compile each module; report each invalid one on its own line."""
    status = ExitCode.OK
    for path in options.modules:
        try:
            load_module(path)
            print(f"{path}: valid")
        except CliError as exc:
            report(exc)
            status = status or exc.code
    return status


def command_wat2wasm(options: argparse.Namespace) -> int:
    """``epsilon wat2wasm``: text to a validated binary, written to OUT (``-``: stdout)."""
    binary = load_module(options.input).binary
    try:
        if options.output == "-":
            sys.stdout.buffer.write(binary)
            sys.stdout.buffer.flush()
        else:
            with open(options.output, "wb") as out:
                out.write(binary)
    except OSError as exc:
        raise error_from_exception(exc) from None
    return ExitCode.OK


def command_repl(options: argparse.Namespace) -> int:
    """``epsilon repl``: see ``cli_repl``."""
    from .cli_repl import run_repl

    history: str | None = options.history_file
    if history is None and options.history:
        history = os.path.join(os.path.expanduser("~"), ".epsilon_history")
    return run_repl(options.modules, limits_of(options), history)


# --- the parser and main ----------------------------------------------------------------------


def build_parser() -> tuple[Parser, Parser]:
    """The top-level parser and the ``run`` subparser."""
    parser = Parser(prog=PROG, description="Run and explore WebAssembly modules with epsilon.")
    version = f"{PROG} {epsilon.__version__} (runtime {epsilon.version()})"
    parser.add_argument("--version", action="version", version=version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    run = commands.add_parser(
        "run",
        usage="%(prog)s [OPTIONS] MODULE [FUNC] [ARGS...]",
        help="call a function of a module and print its results",
        description="Instantiate MODULE (.wasm or .wat) and call FUNC (default: _start) with ARGS "
        "parsed by its signature; print the results one per line. Options may come before "
        "MODULE or after it.",
    )
    run.add_argument("--invoke", metavar="FUNC", help="the function to call (then every ARG is an argument)")
    add_limit_options(run)
    add_wasi_options(run)
    run.add_argument("module", metavar="MODULE")
    run.add_argument("args", nargs="*", default=[], metavar="FUNC ARGS", help="the function to call and its arguments")
    run.set_defaults(handler=command_run)

    inspect = commands.add_parser("inspect", help="describe a module's imports, exports and sections")
    inspect.add_argument("module", metavar="MODULE")
    inspect.set_defaults(handler=command_inspect)

    validate = commands.add_parser("validate", help="check that modules are valid (nothing runs)")
    validate.add_argument("modules", nargs="+", metavar="MODULE")
    validate.set_defaults(handler=command_validate)

    wat2wasm = commands.add_parser("wat2wasm", help="convert WebAssembly text to a validated binary")
    wat2wasm.add_argument("input", metavar="IN")
    wat2wasm.add_argument("output", metavar="OUT", help="the .wasm to write, or - for stdout")
    wat2wasm.set_defaults(handler=command_wat2wasm)

    repl = commands.add_parser(
        "repl",
        help="an interactive session (or a script piped in)",
        description="LOAD, USE, INVOKE, GET, MEM, LIST, HELP, CLEAR, QUIT. MODULEs are loaded first.",
    )
    add_limit_options(repl)
    repl.add_argument("--history", action="store_true", help="keep the history in ~/.epsilon_history")
    repl.add_argument(
        "--history-file",
        metavar="PATH",
        default=os.environ.get("EPSILON_HISTORY_FILE") or None,
        help="keep the history in PATH (default: $EPSILON_HISTORY_FILE; otherwise in memory only)",
    )
    repl.add_argument("modules", nargs="*", metavar="MODULE")
    repl.set_defaults(handler=command_repl)
    return parser, run


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parses the command line (``run``'s arguments reordered first, see ``split_run_argv``)."""
    parser, run = build_parser()
    args = list(argv)
    program_args: list[str] = []
    if args[:1] == ["run"]:
        reordered, program_args = split_run_argv(args[1:], run)
        args = ["run", *reordered]
    options = parser.parse_args(args)
    options.program_args = program_args
    if options.command is None:
        fail(ExitCode.USAGE, "missing command: run, inspect, validate, wat2wasm or repl (see 'epsilon --help')")
    return options


def report(error: CliError) -> None:
    """Prints the one-line message of a failure on stderr, then its detail (a backtrace)."""
    sys.stdout.flush()
    print(f"{PROG}: error: {error.message}", file=sys.stderr)
    for line in error.detail:
        print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: runs one command and returns its exit status."""
    try:
        options = parse(sys.argv[1:] if argv is None else argv)
        status = int(options.handler(options))
        sys.stdout.flush()
        return status
    except CliError as exc:
        report(exc)
        return int(exc.code)
    except KeyboardInterrupt as exc:
        report(error_from_exception(exc))
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other tools do.
        _discard_stdout()
        return int(ExitCode.OK)
    except OSError as exc:
        # Writing the output failed (e.g. `> /dev/full`): one line and the FILE code.
        if exc.filename is None:
            _discard_stdout()
        report(error_from_exception(exc))
        return int(ExitCode.FILE)


def _discard_stdout() -> None:
    """Sends what is left of stdout to /dev/null, so the exit does not fail writing it again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
