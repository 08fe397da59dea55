"""The ``epsilon`` console script, driven as users drive it: the real script installed in the
venv (next to ``sys.executable``), as a subprocess; the REPL also in a pseudo-terminal (pexpect)
for history and Tab completion; and the README examples, run as written.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pexpect  # type: ignore[import-untyped]  # installed by ci/setup-python.sh
import pytest

import epsilon
from epsilon.cli_common import RunLimits
from epsilon.cli_repl import Session, completions, hex_dump
from epsilon.cli_values import F32, F64, BadValue, format_value, parse_value

EPSILON = Path(sys.executable).with_name("epsilon")
REPO = Path(__file__).resolve().parents[2]
READMES = [REPO / "README.md", REPO / "python" / "README.md"]

# Every value type, identity functions, traps, a loop, a memory, globals, and _start.
TEST_WAT = r"""
(module
  (memory (export "memory") 1 4)
  (data (i32.const 0) "Hello, WASM!")
  (data (i32.const 100) "\00\01\7f\80\ff")
  (global $counter (export "counter") (mut i32) (i32.const 7))
  (global (export "big") i64 (i64.const -5))
  (global (export "half") f32 (f32.const 0.5))
  (global (export "neg_zero") f64 (f64.const -0))
  (global (export "lanes") v128 (v128.const i32x4 1 2 3 4))
  (global (export "nothing") externref (ref.null extern))
  (table (export "table") 2 funcref)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "id_i32") (param i32) (result i32) (local.get 0))
  (func (export "id_i64") (param i64) (result i64) (local.get 0))
  (func (export "id_f32") (param f32) (result f32) (local.get 0))
  (func (export "id_f64") (param f64) (result f64) (local.get 0))
  (func (export "id_v128") (param v128) (result v128) (local.get 0))
  (func (export "id_extern") (param externref) (result externref) (local.get 0))
  (func (export "null_func") (result funcref) (ref.null func))
  (func (export "is_null") (param funcref) (result i32) (ref.is_null (local.get 0)))
  (func (export "multi") (result i32 i64 f32 f64) (i32.const -1) (i64.const 2) (f32.const 1.5) (f64.const -0.25))
  (func (export "nothing_back"))
  (func (export "spin") (loop (br 0)))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "crash") unreachable)
)
"""

START_WAT = """
(module
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "_start") (result i32) (global.set $g (i32.const 1)) (i32.const 99)))
"""
TRAPPING_START_WAT = '(module (func (export "_start") unreachable))'
IMPORTING_WAT = """
(module
  (import "env" "log" (func $log (param i32)))
  (import "lib" "mem" (memory 1))
  (import "lib" "base" (global $base i32))
  (import "lib" "tab" (table 1 funcref))
  (global (export "total") (mut f64) (f64.const 2.5))
  (func (export "run") (call $log (global.get $base)))
  (start 1))
"""
LIB_WAT = """
(module
  (memory (export "mem") 1)
  (global (export "base") i32 (i32.const 40))
  (table (export "tab") 1 funcref)
  (func (export "log") (param i32))
  (func (export "plus_two") (param i32) (result i32) (i32.add (local.get 0) (i32.const 2))))
"""
USER_WAT = """
(module
  (import "lib" "plus_two" (func $p (param i32) (result i32)))
  (import "lib" "base" (global $base i32))
  (func (export "answer") (result i32) (call $p (global.get $base))))
"""
BIG_MEMORY_WAT = '(module (memory (export "memory") 10))'
INVALID_WAT = '(module (func (result i32) (i64.const 1)))'
SYNTAX_ERROR_WAT = "(module (func (result i32)\n  i32.const))"


# --- helpers ------------------------------------------------------------------------------------


@dataclass
class Result:
    """What one run of the console script did."""

    code: int
    out: str
    err: str


def run(*args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None) -> Result:
    """Runs the installed console script with ``args``; stdin is a pipe (not a terminal)."""
    proc = subprocess.run(
        [str(EPSILON), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


BACKTRACE_LINE = re.compile(r"^ {4}\d+: +0x[0-9a-f]+ - \S+!\S.*$")


def assert_fails(result: Result, code: int, *fragments: str) -> str:
    """A failure: exit ``code``, nothing on stdout, exactly one ``epsilon: error:`` line on stderr
    (for a trap, followed by its wasm backtrace: ``wasm backtrace:`` and one line per frame)."""
    assert result.code == code, result
    assert result.out == "", result
    lines = result.err.splitlines()
    if len(lines) > 1 and lines[1] == "wasm backtrace:":
        assert len(lines) > 2 and all(BACKTRACE_LINE.match(line) for line in lines[2:]), result.err
        lines = lines[:1]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("epsilon: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A directory with the test modules as .wat files, and test.wasm."""
    files = {
        "test.wat": TEST_WAT,
        "start.wat": START_WAT,
        "trapping_start.wat": TRAPPING_START_WAT,
        "importing.wat": IMPORTING_WAT,
        "lib.wat": LIB_WAT,
        "user.wat": USER_WAT,
        "big.wat": BIG_MEMORY_WAT,
        "invalid.wat": INVALID_WAT,
        "syntax.wat": SYNTAX_ERROR_WAT,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "test.wasm").write_bytes(epsilon.wat2wasm(TEST_WAT))
    return tmp_path


# --- the script itself --------------------------------------------------------------------------


def test_console_script_is_installed_next_to_the_interpreter() -> None:
    assert EPSILON.is_file() and os.access(EPSILON, os.X_OK)


def test_version_and_help(work: Path) -> None:
    result = run("--version", cwd=work)
    assert result.code == 0
    assert result.out.strip() == f"epsilon {epsilon.__version__} (runtime {epsilon.version()})"
    for args in (["--help"], ["run", "--help"], ["repl", "--help"], ["inspect", "-h"]):
        result = run(*args, cwd=work)
        assert result.code == 0 and result.out.startswith("usage: epsilon"), args
    assert "--max-memory-pages" in run("run", "--help", cwd=work).out


def test_python_dash_m_runs_the_same_cli(work: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "epsilon", "run", "test.wat", "add", "1", "2"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "3\n", "")


def test_usage_errors_are_one_line(work: Path) -> None:
    assert_fails(run(cwd=work), 2, "missing command")
    assert_fails(run("frobnicate", cwd=work), 2, "invalid choice", "epsilon --help")
    assert_fails(run("run", cwd=work), 2, "MODULE", "epsilon run --help")
    assert_fails(run("run", "--bogus", "test.wat", cwd=work), 2, "--bogus")
    assert_fails(run("run", "--fuel", "lots", "test.wat", "add", "1", "2", cwd=work), 2, "--fuel", "'lots'")
    assert_fails(run("run", "--fuel", "-5", "test.wat", cwd=work), 2, "--fuel")
    assert_fails(run("run", "--timeout", "0", "test.wat", "spin", cwd=work), 2, "--timeout")
    assert_fails(run("run", "--max-memory-pages", "70000", "test.wat", cwd=work), 2, "65536")
    assert_fails(run("inspect", cwd=work), 2, "MODULE")
    assert_fails(run("wat2wasm", "test.wat", cwd=work), 2, "OUT")


# --- run ----------------------------------------------------------------------------------------


def test_run_prints_results_one_per_line(work: Path) -> None:
    assert run("run", "test.wat", "add", "2", "40", cwd=work) == Result(0, "42\n", "")
    assert run("run", "test.wasm", "add", "2", "40", cwd=work) == Result(0, "42\n", "")
    assert run("run", "test.wat", "multi", cwd=work) == Result(0, "-1\n2\n1.5\n-0.25\n", "")
    assert run("run", "test.wat", "nothing_back", cwd=work) == Result(0, "", "")


def test_run_invoke_as_wasmtime_spells_it(work: Path) -> None:
    assert run("run", "--invoke", "add", "test.wat", "1", "2", cwd=work).out == "3\n"
    assert run("run", "--invoke=add", "test.wat", "1", "2", cwd=work).out == "3\n"
    # With --invoke every word after MODULE is an argument, even one naming a function.
    assert_fails(run("run", "--invoke", "id_i32", "test.wat", "add", cwd=work), 2, "'add' is not an integer")


def test_run_options_before_or_after_module(work: Path) -> None:
    assert run("run", "--fuel", "1000", "test.wat", "add", "1", "2", cwd=work).out == "3\n"
    assert run("run", "test.wat", "add", "1", "2", "--fuel", "1000", cwd=work).out == "3\n"
    assert run("run", "test.wat", "add", "--timeout=5000", "1", "2", cwd=work).out == "3\n"
    # Negative numbers and -inf after MODULE are arguments, never options.
    assert run("run", "test.wat", "add", "-1", "-2", cwd=work).out == "-3\n"
    assert run("run", "test.wat", "id_f64", "-inf", cwd=work).out == "-inf\n"


def test_run_defaults_to_start(work: Path) -> None:
    # A module exporting _start and importing nothing (no WASI needed).
    assert run("run", "start.wat", cwd=work) == Result(0, "99\n", "")
    assert_fails(run("run", "trapping_start.wat", cwd=work), 1, "unreachable")
    message = assert_fails(run("run", "test.wat", cwd=work), 2, "no function given", "no _start")
    assert "add, div" in message


# --- WASI programs (the C test programs of runtime/tests/wasi) --------------------------------

WASI_PROGRAMS = Path(__file__).resolve().parents[2] / "runtime" / "tests" / "wasi"


def wasi_program(name: str) -> str:
    return str(WASI_PROGRAMS / f"{name}.wasm")


def test_wasi_program_runs_end_to_end(tmp_path: Path) -> None:
    hello = run("run", wasi_program("hello"), cwd=tmp_path)
    assert (hello.code, hello.out) == (0, "Hello, WASI!\n")
    assert "stderr" in hello.err
    assert run("run", wasi_program("cat"), cwd=tmp_path, stdin="piped\n") == Result(0, "piped\n", "6 bytes\n")


def test_wasi_arguments_and_environment(tmp_path: Path) -> None:
    result = run("run", wasi_program("echo"), "--env", "FOO=bar", "--arg", "first", "--", "a", "-b", cwd=tmp_path)
    assert result.code == 0, result
    lines = result.out.splitlines()
    # argv[0] is the module's file name; --arg values come before the words after `--`.
    assert lines[:5] == ["argc=4", "argv[0]=echo.wasm", "argv[1]=first", "argv[2]=a", "argv[3]=-b"]
    assert "env FOO=bar" in lines


def test_wasi_exit_status_is_the_programs(tmp_path: Path) -> None:
    assert run("run", wasi_program("exit"), "--", "exit", "7", cwd=tmp_path).code == 7
    assert run("run", wasi_program("exit"), "--", "return", "3", cwd=tmp_path).code == 3
    trapped = run("run", wasi_program("exit"), "--", "trap", cwd=tmp_path)
    assert trapped.code == 1
    (error,) = [line for line in trapped.err.splitlines() if line.startswith("epsilon: error: ")]
    assert "unreachable" in error and "wasm backtrace:" in trapped.err


def test_wasi_directories_are_sandboxed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("hello")
    listing = run("run", wasi_program("ls"), "--dir", f"{data}::/data", "--", "/data", cwd=tmp_path)
    assert listing == Result(0, "a.txt file 5\n1 entries\n", "")
    read_only = run("run", wasi_program("ls"), "--dir-ro", f"{data}::/data", "--", "/data", cwd=tmp_path)
    assert read_only.code == 0 and "a.txt" in read_only.out
    escape = run("run", wasi_program("ls"), "--dir", f"{data}::/data", "--", "/data/..", cwd=tmp_path)
    assert escape.code == 1 and "ENOTCAPABLE" in escape.out + escape.err


def test_wasi_flag_errors(tmp_path: Path) -> None:
    assert_fails(run("run", wasi_program("hello"), "--dir", str(tmp_path / "missing"), cwd=tmp_path), 3, "--dir")
    assert_fails(run("run", wasi_program("hello"), "--env", "NOEQUALS", cwd=tmp_path), 2, "K=V")


@pytest.mark.parametrize(
    ("func", "text", "printed"),
    [
        ("id_i32", "42", "42"),
        ("id_i32", "-1", "-1"),
        ("id_i32", "0xffffffff", "-1"),
        ("id_i32", "0x7fffffff", "2147483647"),
        ("id_i32", "-0x80000000", "-2147483648"),
        ("id_i32", "+7", "7"),
        ("id_i32", "1_000", "1000"),
        ("id_i64", "0xffffffffffffffff", "-1"),
        ("id_i64", "-9223372036854775808", "-9223372036854775808"),
        ("id_i64", "18446744073709551615", "-1"),
        ("id_f32", "1.5", "1.5"),
        ("id_f32", "0.1", "0.1"),
        ("id_f32", "-0", "-0.0"),
        ("id_f32", "inf", "inf"),
        ("id_f32", "-infinity", "-inf"),
        ("id_f32", "nan", "nan"),
        ("id_f32", "-nan", "-nan"),
        ("id_f32", "nan:0x1", "nan:0x1"),
        ("id_f32", "-nan:0x200000", "-nan:0x200000"),
        ("id_f32", "0x1p-149", "1e-45"),
        ("id_f32", "3.4028236e38", "inf"),
        ("id_f32", "16777217", "16777216.0"),
        ("id_f64", "0.1", "0.1"),
        ("id_f64", "-0", "-0.0"),
        ("id_f64", "6.02e23", "6.02e+23"),
        ("id_f64", "0x1.8p3", "12.0"),
        ("id_f64", "5e-324", "5e-324"),
        ("id_f64", "nan:0x4000000000001", "nan:0x4000000000001"),
        ("id_f64", "1e400", "inf"),
        ("id_v128", "0x1", "0x00000000000000000000000000000001"),
        ("id_v128", "-1", "0xffffffffffffffffffffffffffffffff"),
        ("id_v128", "0x0102030405060708090a0b0c0d0e0f10", "0x0102030405060708090a0b0c0d0e0f10"),
        ("id_extern", "null", "null"),
        ("is_null", "null", "1"),
    ],
)
def test_run_values_by_signature(work: Path, func: str, text: str, printed: str) -> None:
    result = run("run", "test.wat", func, text, cwd=work)
    assert result == Result(0, printed + "\n", "")
    if func not in ("id_extern", "is_null"):  # the printed form reads back to the same value
        assert run("run", "test.wat", func, printed, cwd=work).out == printed + "\n"


def test_run_reference_results(work: Path) -> None:
    assert run("run", "test.wat", "null_func", cwd=work).out == "null\n"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["add", "1"], ["add(i32, i32) -> (i32): expected 2 arguments, got 1"]),
        (["add", "1", "2", "3"], ["expected 2 arguments, got 3"]),
        (["id_i32"], ["expected 1 argument, got 0"]),
        (["add", "x", "1"], ["argument 1", "'x' is not an integer"]),
        (["add", "1", "1.5"], ["argument 2", "'1.5' is not an integer"]),
        (["add", "1", "4294967296"], ["out of range for i32", "-2147483648 to 4294967295"]),
        (["add", "-2147483649", "1"], ["out of range for i32"]),
        (["id_i64", "0x10000000000000000"], ["out of range for i64"]),
        (["id_f32", "one"], ["'one' is not a number"]),
        (["id_f32", "nan:0x800000"], ["NaN payload"]),
        (["id_f64", "nan:zz"], ["NaN payload"]),
        (["id_v128", "0x1" + "0" * 32], ["out of range for v128"]),
        (["id_extern", "hello"], ["only null"]),
        (["nothing_back", "1"], ["expected 0 arguments, got 1"]),
    ],
)
def test_run_bad_arguments(work: Path, args: list[str], fragments: list[str]) -> None:
    assert_fails(run("run", "test.wat", *args, cwd=work), 2, *fragments)


def test_run_prints_the_wasm_backtrace_of_a_trap(tmp_path: Path) -> None:
    wat = """(module $m
      (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0)))
      (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))"""
    (tmp_path / "m.wat").write_text(wat)
    result = run("run", "m.wat", "outer", "0", cwd=tmp_path)
    # The frames the API reports, printed as the CLI must print them.
    with pytest.raises(epsilon.Trap) as caught:
        epsilon.Runtime().instantiate(wat).call("outer", 0)
    frames = caught.value.frames
    assert [(f.func_index, f.func_name) for f in frames] == [(1, "inner"), (0, "outer")]
    expected = [f"    {i}: {f.module_offset:>#6x} - m!{f.func_name}" for i, f in enumerate(frames)]
    assert result.code == 1 and result.out == ""
    assert result.err.splitlines() == [
        "epsilon: error: wasm trap: integer divide by zero",
        "wasm backtrace:",
        *expected,
    ]


def test_run_trap_timeout_and_fuel(work: Path) -> None:
    assert_fails(run("run", "test.wat", "div", "1", "0", cwd=work), 1, "wasm trap: integer divide by zero")
    assert_fails(run("run", "test.wat", "crash", cwd=work), 1, "wasm trap: unreachable")
    assert_fails(run("run", "--timeout", "100", "test.wat", "spin", cwd=work), 7, "timed out after 100 ms")
    assert_fails(run("run", "--fuel", "5000", "test.wat", "spin", cwd=work), 8, "all fuel consumed")
    # Fuel is enough for a short call.
    assert run("run", "--fuel", "100", "test.wat", "add", "1", "1", cwd=work).out == "2\n"


def wait_until_python_handles_sigint(pid: int) -> None:
    """Waits until the process has installed Python's SIGINT handler (then a little more)."""
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + 20
    while status.exists() and time.monotonic() < deadline:
        caught = next((line for line in status.read_text().splitlines() if line.startswith("SigCgt:")), "")
        if caught and int(caught.split()[1], 16) & (1 << (signal.SIGINT - 1)):
            break
        time.sleep(0.02)
    time.sleep(0.3)


def test_run_ctrl_c(work: Path) -> None:
    proc = subprocess.Popen(
        [str(EPSILON), "run", "test.wat", "spin"], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_until_python_handles_sigint(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert_fails(Result(proc.returncode, out, err), 130, "interrupted")


def test_run_max_memory_pages(work: Path) -> None:
    too_big = run("run", "--max-memory-pages", "5", "big.wat", cwd=work)
    assert_fails(too_big, 5, "big.wat", "exceeds the limit of 5 pages")
    # memory.grow past the cap returns -1 (test.wat's memory starts at 1 page).
    assert run("run", "--max-memory-pages", "2", "test.wat", "grow", "1", cwd=work).out == "1\n"
    assert run("run", "--max-memory-pages", "2", "test.wat", "grow", "2", cwd=work).out == "-1\n"
    assert run("run", "test.wat", "grow", "2", cwd=work).out == "1\n"


def test_run_bad_modules(work: Path) -> None:
    assert_fails(run("run", "missing.wasm", "f", cwd=work), 3, "no such file: missing.wasm")
    assert_fails(run("run", ".", "f", cwd=work), 3)
    assert_fails(run("run", "invalid.wat", "f", cwd=work), 4, "invalid.wat: invalid module: type mismatch")
    assert_fails(run("run", "syntax.wat", "f", cwd=work), 4, "syntax.wat", "line 2")
    (work / "truncated.wasm").write_bytes(b"\0asm\x01\0\0\0\x01")
    assert_fails(run("run", "truncated.wasm", "f", cwd=work), 4, "malformed module", "offset")
    (work / "garbage.wasm").write_bytes(b"\x00\x01\x02\xff")
    assert_fails(run("run", "garbage.wasm", "f", cwd=work), 4, "garbage.wasm")


def test_run_a_file_that_is_not_a_module(work: Path) -> None:
    (work / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00")
    assert_fails(
        run("run", "program", "f", cwd=work),
        4,
        "program: not a WebAssembly module: the bytes start neither with the binary magic",
    )
    # A .wasm file holding text (a saved web page, say) gets a hint.
    (work / "page.wasm").write_text("<html>not found</html>")
    message = assert_fails(run("run", "page.wasm", "f", cwd=work), 4, "cannot parse WAT text")
    assert message.endswith("(hint: page.wasm holds text, not the binary format)")


def test_run_options_after_module_are_options(work: Path) -> None:
    assert_fails(run("run", "test.wat", "--bogus", cwd=work), 2, "unrecognized arguments: --bogus")
    assert_fails(run("run", "test.wat", "add", "1", "2", "--bogus=3", cwd=work), 2, "--bogus=3")
    # Negative numbers and -inf stay values.
    assert run("run", "test.wat", "add", "-1", "-2", cwd=work).out == "-3\n"
    assert run("run", "test.wat", "id_f64", "-inf", cwd=work).out == "-inf\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["run", "test.wat", "add", "1", "2"], ""),
        (["inspect", "test.wat"], ""),
        (["validate", "test.wat"], ""),
        (["wat2wasm", "test.wat", "-"], ""),
        (["repl", "test.wat"], "INVOKE add 1 2\n"),
    ],
)
def test_unwritable_output_is_one_error_line(work: Path, args: list[str], stdin: str) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(EPSILON), *args], cwd=work, input=stdin, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr == "epsilon: error: cannot write the output: No space left on device\n"


def test_run_link_errors(work: Path) -> None:
    assert_fails(run("run", "importing.wat", "run", cwd=work), 5, "unknown import env.log", "provides only WASI imports")


def test_run_unknown_function(work: Path) -> None:
    message = assert_fails(run("run", "test.wat", "nope", cwd=work), 6, "no exported function 'nope'")
    assert "exported functions: add, div" in message
    assert_fails(run("run", "test.wat", "memory", cwd=work), 6, "'memory' in test.wat is not a function")
    assert_fails(run("run", "--invoke", "counter", "test.wat", cwd=work), 6, "not a function")


# --- inspect, validate, wat2wasm ----------------------------------------------------------------


def test_inspect(work: Path) -> None:
    result = run("inspect", "importing.wat", cwd=work)
    assert result.code == 0 and result.err == ""
    binary = epsilon.compile((work / "importing.wat").read_text()).binary
    assert result.out.splitlines() == [
        f"importing.wat: WebAssembly module, {len(binary)} bytes in the binary format",
        "imports (4):",
        "  func env.log: (i32) -> ()",
        "  memory lib.mem: min 1 page, no max",
        "  global lib.base: i32",
        "  table lib.tab: funcref, min 1 element, no max",
        "exports (2):",
        "  global total: mut f64",
        "  func run: () -> ()",
        "functions: 2 (1 imported, 1 defined)",
        "memories (1):",
        "  memory 0: min 1 page, no max (imported from lib.mem)",
        "tables (1):",
        "  table 0: funcref, min 1 element, no max (imported from lib.tab)",
        "globals (2):",
        "  global 0: i32 (imported from lib.base)",
        "  global 1: mut f64",
        "start function: 1",
        "element segments: 0, data segments: 0",
        "custom sections: name",
    ]


def test_inspect_lists_tags(work: Path) -> None:
    (work / "tags.wat").write_text(
        '(module (tag (import "lib" "t") (param i64)) (tag $e (export "e") (param i32 f64)))'
    )
    result = run("inspect", "tags.wat", cwd=work)
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert "  tag lib.t: (i64)" in lines
    assert "  tag e: (i32, f64)" in lines


def test_inspect_counts_what_the_module_declares(work: Path) -> None:
    """functions, memories, tables, globals, the start function and the segments, from a module
    whose every count is known."""
    (work / "counts.wat").write_text(
        """(module
          (import "env" "f" (func (param i32)))
          (import "env" "g" (global i64))
          (memory 2 5)
          (table 3 funcref)
          (global (mut i32) (i32.const 0))
          (func $a) (func $b (result i32) (i32.const 1))
          (start $a)
          (elem (i32.const 0) func $a $b)
          (data (i32.const 0) "x") (data "y"))"""
    )
    lines = run("inspect", "counts.wat", cwd=work).out.splitlines()
    for expected in [
        "functions: 3 (1 imported, 2 defined)",
        "memories (1):",
        "  memory 0: min 2, max 5 pages",
        "  table 0: funcref, min 3 elements, no max",
        "  global 0: i64 (imported from env.g)",
        "  global 1: mut i32",
        "start function: 1",
        "element segments: 1, data segments: 2",
    ]:
        assert expected in lines, (expected, lines)
    compiled = epsilon.compile_file(work / "counts.wat")
    assert [(t.params, t.results) for t in compiled.functions] == [(["i32"], []), ([], []), ([], ["i32"])]
    assert compiled.start == 1 and compiled.element_segments == 1 and compiled.data_segments == 2
    assert len(compiled.memories) == 1 and compiled.memories[0].min == 2 and compiled.memories[0].max == 5


def test_inspect_everything_of_the_test_module(work: Path) -> None:
    lines = run("inspect", "test.wasm", cwd=work).out.splitlines()
    for expected in [
        "imports: none",
        "  memory memory: min 1, max 4 pages",
        "  table table: funcref, min 2 elements, no max",
        "  func multi: () -> (i32, i64, f32, f64)",
        "  func id_v128: (v128) -> (v128)",
        "  global half: f32",
        "  global counter: mut i32",
        "  global nothing: externref",
    ]:
        assert expected in lines, expected


def test_inspect_agrees_with_the_api(work: Path) -> None:
    """inspect lists the exports the compiled module reports, in order, with their types."""
    compiled = epsilon.compile(TEST_WAT)
    lines = run("inspect", "test.wat", cwd=work).out.splitlines()
    listed = lines[lines.index(f"exports ({len(compiled.exports)}):") + 1 :][: len(compiled.exports)]
    assert [line.split(":")[0].split()[-1] for line in listed] == list(compiled.exports)


def test_inspect_custom_sections(work: Path) -> None:
    binary = epsilon.wat2wasm("(module)")
    for name, payload in [("producers", b"\x00"), ("my.section", b"hello")]:
        body = bytes([len(name)]) + name.encode() + payload
        binary += bytes([0, len(body)]) + body
    (work / "custom.wasm").write_bytes(binary)
    lines = run("inspect", "custom.wasm", cwd=work).out.splitlines()
    assert "custom sections: producers, my.section" in lines
    assert "exports: none" in lines


def test_inspect_bad_input(work: Path) -> None:
    assert_fails(run("inspect", "missing.wat", cwd=work), 3, "no such file")
    assert_fails(run("inspect", "invalid.wat", cwd=work), 4, "invalid module")


def test_validate(work: Path) -> None:
    assert run("validate", "test.wat", "importing.wat", "trapping_start.wat", cwd=work) == Result(
        0, "test.wat: valid\nimporting.wat: valid\ntrapping_start.wat: valid\n", ""
    )
    result = run("validate", "invalid.wat", "test.wat", "missing.wat", cwd=work)
    assert result.code == 4
    assert result.out == "test.wat: valid\n"
    errors = result.err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("epsilon: error: invalid.wat: invalid module: type mismatch")
    assert errors[1] == "epsilon: error: no such file: missing.wat"


def test_wat2wasm(work: Path) -> None:
    assert run("wat2wasm", "test.wat", "out.wasm", cwd=work) == Result(0, "", "")
    assert (work / "out.wasm").read_bytes() == epsilon.wat2wasm(TEST_WAT)
    proc = subprocess.run([str(EPSILON), "wat2wasm", "test.wat", "-"], cwd=work, capture_output=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == epsilon.wat2wasm(TEST_WAT)
    assert_fails(run("wat2wasm", "invalid.wat", "x.wasm", cwd=work), 4, "invalid module")
    assert not (work / "x.wasm").exists()
    assert_fails(run("wat2wasm", "syntax.wat", "x.wasm", cwd=work), 4, "line 2")
    assert_fails(run("wat2wasm", "missing.wat", "x.wasm", cwd=work), 3, "no such file")
    assert_fails(run("wat2wasm", "test.wat", "no/such/dir/x.wasm", cwd=work), 3, "no/such/dir/x.wasm")


# --- the piped REPL -----------------------------------------------------------------------------


def test_repl_piped_session(work: Path) -> None:
    script = """
        # comments and blank lines are skipped

        INVOKE add 1 2
        invoke multi
        Get counter
        INVOKE bump
        GET counter
        GET big
        GET half
        GET neg_zero
        GET lanes
        GET nothing
        MEM 0 12
        mem test 100 5
        LOAD lib lib.wat
        LOAD user.wat
        INVOKE answer
        INVOKE test.add 2 2
        INVOKE lib.plus_two 1
        GET lib.base
        USE test
        INVOKE add 3 3
        LIST
        QUIT
        INVOKE add 100 100
    """
    result = run("repl", "test.wat", cwd=work, stdin=script)
    assert result.err == ""
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:13] == [
        "3",
        "-1",
        "2",
        "1.5",
        "-0.25",
        "7",
        "8",
        "8",
        "-5",
        "0.5",
        "-0.0",
        "0x00000004000000030000000200000001",
        "null",
    ]
    assert lines[13] == "00000000  48 65 6c 6c 6f 2c 20 57  41 53 4d 21              |Hello, WASM!|"
    assert lines[14] == "00000064  00 01 7f 80 ff                                    |.....|"
    assert lines[15:20] == ["42", "4", "3", "40", "6"]
    listing = lines[20:]
    assert listing[0] == "* test (test.wat)"
    assert "    func add: (i32, i32) -> (i32)" in listing
    assert "    memory memory: min 1, max 4 pages" in listing
    assert "  lib (lib.wat)" in listing and "  user (user.wat)" in listing
    assert "    func answer: () -> ()" not in listing and "    func answer: () -> (i32)" in listing
    assert "200" not in lines  # nothing runs after QUIT


def test_repl_piped_errors_keep_going(work: Path) -> None:
    script = "\n".join(
        [
            "INVOKE add 1",  # 1: wrong count
            "INVOKE add 1 x",  # 2: bad value
            "INVOKE nope",  # 3: unknown function
            "GET nope",  # 4: unknown global
            "GET add",  # 5: not a global
            "INVOKE div 1 0",  # 6: trap
            "MEM 65530 10",  # 7: out of range
            "MEM -1 10",  # 8: negative
            "MEM nomod 0 1",  # 9: unknown module
            "USE nomod",  # 10
            "LOAD missing.wat",  # 11
            "LOAD invalid.wat",  # 12
            "LOAD importing.wat",  # 13: unresolved import
            "FROB",  # 14
            "LOAD a.b test.wat",  # 15: bad name
            'INVOKE "unclosed',  # 16
            "INVOKE add 20 22",  # 17: still works
        ]
    )
    result = run("repl", "test.wat", cwd=work, stdin=script)
    assert result.out == "42\n"
    assert result.code == 2  # the first failure's code
    errors = result.err.splitlines()
    expected = [
        "line 1: add(i32, i32) -> (i32): expected 2 arguments, got 1",
        "line 2: add(i32, i32) -> (i32): argument 2: 'x' is not an integer",
        "line 3: module test has no exported function 'nope'",
        "line 4: module test has no exported global 'nope'",
        "line 5: 'add' in module test is not a global",
        "line 6: wasm trap: integer divide by zero",
        "line 7: MEM 0xfffa 10: out of bounds (memory 'memory' of test has 65536 bytes)",
        "line 8: offset '-1' is negative",
        "line 9: no module named 'nomod' (loaded: test)",
        "line 10: no module named 'nomod'",
        "line 11: no such file: missing.wat",
        "line 12: invalid.wat: invalid module",
        "line 13: importing.wat: unknown import env.log",
        "line 14: unknown command 'FROB'",
        "line 15: invalid module name 'a.b'",
        "line 16: cannot split the line",
    ]
    assert len(errors) == len(expected)
    for line, fragment in zip(errors, expected):
        assert line.startswith("epsilon: " + fragment), (line, fragment)


def test_repl_piped_exit_codes(work: Path) -> None:
    assert run("repl", "test.wat", cwd=work, stdin="INVOKE div 1 0\nINVOKE nope\n").code == 1
    assert run("repl", "test.wat", cwd=work, stdin="INVOKE nope\nINVOKE div 1 0\n").code == 6
    assert run("repl", "--timeout", "50", "test.wat", cwd=work, stdin="INVOKE spin\nINVOKE add 1 1\n") == Result(
        7, "2\n", "epsilon: line 1: execution timed out after 50 ms\n"
    )
    fuel = run("repl", "--fuel", "3000", "test.wat", cwd=work, stdin="INVOKE spin\nINVOKE add 1 1\n")
    assert (fuel.code, fuel.out) == (8, "2\n")  # each command gets the whole fuel again
    assert run("repl", cwd=work, stdin="") == Result(0, "", "")
    assert run("repl", cwd=work, stdin="EXIT\nFROB\n") == Result(0, "", "")
    missing = run("repl", "missing.wat", cwd=work, stdin="INVOKE add 1 1\n")
    assert missing.code == 3
    assert missing.err.splitlines()[0] == "epsilon: no such file: missing.wat"


def test_repl_piped_ctrl_c_ends_the_script(work: Path) -> None:
    proc = subprocess.Popen(
        [str(EPSILON), "repl", "test.wat"],
        cwd=work,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("INVOKE add 1 1\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == "2\n"  # the session is running and flushes each result
    proc.stdin.write("INVOKE spin\nINVOKE add 2 2\n")
    proc.stdin.flush()
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert out == ""
    assert len(err.splitlines()) == 1 and err.endswith(": interrupted\n")  # usually "line 2: interrupted"


def test_repl_piped_clear_help_and_limits(work: Path) -> None:
    result = run(
        "repl",
        "--max-memory-pages",
        "2",
        "test.wat",
        cwd=work,
        stdin="INVOKE grow 1\nINVOKE grow 1\nHELP\nCLEAR\nLIST\nINVOKE add 1 1\nLOAD test.wat\nINVOKE add 1 1\n",
    )
    lines = result.out.splitlines()
    assert lines[:3] == ["1", "-1", "Commands (case-insensitive):"]
    assert any(line.lstrip().startswith("MEM [mod] offset length") for line in lines)
    assert lines[-2:] == ["no modules loaded", "2"]
    assert result.err == "epsilon: line 6: no module loaded (LOAD one first)\n"


def test_repl_completions_and_hex_dump(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Tab offers, and the dump format, tested directly on a session."""
    monkeypatch.chdir(work)
    output: list[str] = []
    session = Session(RunLimits(), output.append, chatty=True)
    session.execute("LOAD lib.wat")
    session.execute("load test test.wat")
    assert output == ["loaded lib from lib.wat (5 exports)", "loaded test from test.wat (24 exports)"]
    assert completions(session, "", "") == sorted(
        ["LOAD", "USE", "INVOKE", "GET", "MEM", "LIST", "HELP", "CLEAR", "QUIT", "EXIT"]
    )
    assert completions(session, "", "in") == ["invoke"]
    assert completions(session, "", "IN") == ["INVOKE"]
    assert completions(session, "help ", "c") == ["clear"]
    assert completions(session, "INVOKE ", "id_f") == ["id_f32", "id_f64"]
    assert completions(session, "INVOKE ", "lib.") == ["lib.log", "lib.plus_two"]
    assert completions(session, "invoke ", "") == sorted(
        [n for n, t in session.modules["test"].module.exports.items() if isinstance(t, epsilon.FuncType)]
        + ["lib.log", "lib.plus_two"]
    )
    assert completions(session, "INVOKE add ", "") == []
    assert completions(session, "GET ", "") == sorted(
        ["counter", "big", "half", "neg_zero", "lanes", "nothing", "lib.base"]
    )
    assert completions(session, "USE ", "") == ["lib", "test"]
    assert completions(session, "MEM ", "l") == ["lib"]
    assert completions(session, "LOAD ", "user") == ["user.wat"]
    assert completions(session, "LOAD x ", "tes") == ["test.wasm", "test.wat"]
    assert hex_dump(b"AB", 0x20) == ["00000020  41 42" + " " * 45 + "|AB|"]
    session.close()


# --- the pseudo-terminal REPL -------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07")


def clean(text: str) -> str:
    """Terminal output as it looks: escape sequences, bells and carriage returns removed,
    backspaces applied (readline erases a recalled line with them)."""
    text = _ANSI.sub("", text).replace("\r", "")
    while True:
        erased = re.sub(r"[^\x08\n]\x08", "", text)
        if erased == text:
            return text
        text = erased


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty HOME for the REPL (so no real history file is read or written)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def spawn_repl(args: Sequence[str], cwd: Path, home: Path, env: dict[str, str] | None = None) -> "pexpect.spawn":
    """The console script in a pseudo-terminal, as a person at a terminal runs it."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TERM": "xterm",
        "INPUTRC": "/dev/null",
        "LANG": "C.UTF-8",
        **(env or {}),
    }
    return pexpect.spawn(
        str(EPSILON),
        list(args),
        cwd=str(cwd),
        env=environment,
        encoding="utf-8",
        timeout=20,
        dimensions=(50, 250),
    )


def expect_line(child: "pexpect.spawn", prompt: str) -> list[str]:
    """Waits for ``prompt``; returns the lines printed since the last one (the echo first)."""
    child.expect_exact(prompt)
    return [line.rstrip() for line in clean(child.before).strip("\n").split("\n")]


def test_repl_interactive_banner_prompt_and_quit(work: Path, home: Path) -> None:
    child = spawn_repl(["repl", "test.wat"], work, home)
    banner = expect_line(child, "test> ")
    assert banner == [
        "epsilon REPL: HELP lists the commands, Tab completes, QUIT or Ctrl-D leaves.",
        "loaded test from test.wat (24 exports)",
    ]
    child.sendline("INVOKE div 7 0")
    assert expect_line(child, "test> ") == ["INVOKE div 7 0", "error: wasm trap: integer divide by zero"]
    child.sendline("CLEAR")
    assert expect_line(child, "epsilon> ") == ["CLEAR", "all modules unloaded"]
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_repl_interactive_history_recalls_with_up_arrow(work: Path, home: Path) -> None:
    child = spawn_repl(["repl", "test.wat"], work, home)
    child.expect_exact("test> ")
    child.sendline("INVOKE add 40 2")
    assert expect_line(child, "test> ")[-1] == "42"
    child.sendline("INVOKE bump")
    assert expect_line(child, "test> ")[-1] == "8"
    child.send("\x1b[A\x1b[A")  # Up twice: INVOKE add 40 2
    child.sendline("")
    assert expect_line(child, "test> ")[-1] == "42"
    child.send("\x1b[A\x1b[A")  # Up twice from the newest: INVOKE bump
    child.sendline("")
    assert expect_line(child, "test> ")[-1] == "9"
    child.sendcontrol("d")  # Ctrl-D leaves
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert list(home.iterdir()) == []  # no history file without opting in


def test_repl_interactive_tab_completion(work: Path, home: Path) -> None:
    child = spawn_repl(["repl", "test.wat"], work, home)
    child.expect_exact("test> ")
    child.send("inv\tad\t40 2\r")  # command (lower case kept) and export name
    assert expect_line(child, "test> ") == ["invoke add 40 2", "42"]
    child.send("GET cou\t\r")
    assert expect_line(child, "test> ") == ["GET counter", "7"]
    child.send("LOAD lib li\t\r")  # file name
    assert expect_line(child, "lib> ") == ["LOAD lib lib.wat", "loaded lib from lib.wat (5 exports)"]
    child.send("INVOKE test.id_i\t")  # other modules' exports as mod.name: two candidates
    child.send("\t")  # the second Tab lists them, then shows the line again
    child.expect_exact("test.id_i64")
    child.expect_exact("lib> INVOKE test.id_i")
    child.send("32 5\r")
    assert expect_line(child, "lib> ")[-1] == "5"
    child.send("US\ttes\t\r")
    assert expect_line(child, "test> ") == ["USE test"]
    child.sendline("QUIT")
    child.expect(pexpect.EOF)


def test_repl_history_file_only_when_asked(work: Path, home: Path) -> None:
    history = work / "my_history"
    child = spawn_repl(["repl", "--history-file", str(history), "test.wat"], work, home)
    child.expect_exact("test> ")
    child.sendline("INVOKE add 1 2")
    child.expect_exact("test> ")
    child.sendline("QUIT")
    child.expect(pexpect.EOF)
    assert "INVOKE add 1 2" in history.read_text()
    # A new session recalls the previous one's commands.
    child = spawn_repl(["repl", "test.wat"], work, home, env={"EPSILON_HISTORY_FILE": str(history)})
    child.expect_exact("test> ")
    child.send("\x1b[A\x1b[A")
    child.sendline("")
    assert expect_line(child, "test> ") == ["INVOKE add 1 2", "3"]
    child.sendline("QUIT")
    child.expect(pexpect.EOF)
    # --history keeps it under the home directory.
    child = spawn_repl(["repl", "--history", "test.wat"], work, home)
    child.expect_exact("test> ")
    child.sendline("GET counter")
    child.expect_exact("test> ")
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    assert "GET counter" in (home / ".epsilon_history").read_text()


def test_repl_interactive_ctrl_c_at_the_prompt_and_during_a_call(work: Path, home: Path) -> None:
    # Ctrl-C is pressed once readline has echoed the typed text. Pressed at once after the
    # typing, it left about 1 session in 50 deaf to Ctrl-C until the next key (6 of 316 starts,
    # 2026-12-07, quiet machine; strace shows why). The cause is in CPython's readline loop, not
    # in epsilon: CPython's select() reports the typed text, the Ctrl-C then flushes the
    # terminal's input queue, and readline's own read waits in pselect() for a character that
    # is gone, retrying on EINTR (CPython sets rl_catch_signals = 0, so readline ignores the
    # signal); CPython checks for signals only when its own select() is interrupted. A session
    # that does not echo at all is started again (at most 4 times); the assertions on Ctrl-C
    # below stay strict.
    for _start in range(4):
        child = spawn_repl(["repl", "test.wat"], work, home)
        child.expect_exact("test> ")
        child.send("INVOKE half-typed")
        if child.expect_exact(["half-typed", pexpect.TIMEOUT], timeout=3) == 0:
            break
        child.terminate(force=True)
    else:
        raise AssertionError("the REPL never echoed its input in 4 starts")
    # Ctrl-C at the prompt drops the line. CPython's readline loop can miss a SIGINT that lands
    # between handling one key and waiting for the next (seen on a loaded machine): the prompt
    # then comes only with the next key, so Ctrl-C is pressed again, as a user would.
    for _attempt in range(5):
        child.sendcontrol("c")
        if child.expect_exact(["test> ", pexpect.TIMEOUT], timeout=3) == 0:
            break
    else:
        raise AssertionError("Ctrl-C at the prompt never gave a new prompt")
    # Ctrl-C stops a running call; the session goes on. A Ctrl-C that lands while readline
    # still holds the line (a busy machine can delay the call past the pause) drops the line
    # like one at the prompt, with no call started: then the line is sent again.
    for _attempt in range(5):
        child.sendline("INVOKE spin")
        child.expect_exact("INVOKE spin\r\n")
        time.sleep(0.2)
        child.sendcontrol("c")
        if child.expect_exact(["error: interrupted", "test> "]) == 0:
            break
    else:
        raise AssertionError("Ctrl-C never interrupted the running call")
    child.expect_exact("test> ")
    child.sendline("INVOKE add 1 1")
    assert expect_line(child, "test> ")[-1] == "2"
    child.sendline("EXIT")
    child.expect(pexpect.EOF)


# --- the README examples, run as written ---------------------------------------------------------


@dataclass
class Command:
    """One ``$ command`` of a console block and the lines it should print."""

    line: str
    output: list[str]


def readme_section(path: Path) -> str:
    """The ``## Command line`` section of a README."""
    text = path.read_text()
    start = text.index("\n## Command line\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def fenced_blocks(section: str, language: str) -> list[str]:
    """The bodies of the ```language blocks."""
    return re.findall(rf"^```{language}\n(.*?)^```$", section, flags=re.M | re.S)


def console_commands(block: str) -> list[Command]:
    """The commands of a console block with their expected output."""
    commands: list[Command] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append(Command(line[2:], []))
        else:
            commands[-1].output.append(line)
    return commands


def is_interactive(commands: list[Command]) -> bool:
    """A console block showing a terminal session of the REPL."""
    return commands[0].line.startswith("epsilon repl") and not re.search(r"[|<]", commands[0].line)


def readme_examples() -> list[object]:
    """One test case per console block of the READMEs' Command line sections."""
    cases: list[object] = []
    for path in READMES:
        section = readme_section(path)
        wat = fenced_blocks(section, "wat")
        for index, block in enumerate(fenced_blocks(section, "console")):
            name = f"{path.relative_to(REPO)}-{index}"
            cases.append(pytest.param(wat[0], console_commands(block), id=name))
    return cases


def test_readme_sections_exist_and_have_examples() -> None:
    for path in READMES:
        section = readme_section(path)
        assert len(fenced_blocks(section, "wat")) == 1
        blocks = [console_commands(b) for b in fenced_blocks(section, "console")]
        commands = {c.line.split()[1] for block in blocks for c in block if c.line.startswith("epsilon ")}
        assert {"run", "inspect", "validate", "wat2wasm"} <= commands, path
        assert any(is_interactive(block) for block in blocks), path
        assert any("| epsilon repl" in c.line for block in blocks for c in block), path


@pytest.mark.parametrize(("wat", "commands"), readme_examples())
def test_readme_example(tmp_path: Path, home: Path, wat: str, commands: list[Command]) -> None:
    (tmp_path / "demo.wat").write_text(wat)
    # The WASI examples use two of the C test programs and a directory with one file.
    for name in ("hello", "ls"):
        (tmp_path / f"{name}.wasm").write_bytes((WASI_PROGRAMS / f"{name}.wasm").read_bytes())
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("hello")
    if is_interactive(commands):
        replay_terminal_session(tmp_path, home, commands)
    else:
        replay_shell_session(tmp_path, commands)


def replay_shell_session(cwd: Path, commands: list[Command]) -> None:
    """Runs the commands in one bash (so ``echo $?`` works); compares each one's output."""
    marker = "@@@ next command @@@"
    # The marker keeps $? of the previous command, for `echo $?`.
    script = "\n".join(f"s=$?; echo '{marker}'; (exit $s)\n{c.line}" for c in commands)
    env = dict(os.environ, PATH=f"{EPSILON.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    outputs = proc.stdout.split(marker + "\n")[1:]
    assert len(outputs) == len(commands), proc.stdout
    for command, output in zip(commands, outputs):
        assert output.splitlines() == command.output, command.line


def replay_terminal_session(cwd: Path, home: Path, commands: list[Command]) -> None:
    """Types the session's input lines into the REPL in a pseudo-terminal; compares the output."""
    assert len(commands) == 1
    args = shlex.split(commands[0].line)[1:]
    prompt_re = re.compile(r"^([A-Za-z_][\w-]*> )(.*)$")
    steps: list[tuple[str, str, list[str]]] = []  # (prompt, typed line, output after it)
    banner: list[str] = []
    for line in commands[0].output:
        match = prompt_re.match(line)
        if match:
            steps.append((match.group(1), match.group(2), []))
        elif steps:
            steps[-1][2].append(line)
        else:
            banner.append(line)
    child = spawn_repl(args, cwd, home)
    assert expect_line(child, steps[0][0]) == banner
    for index, (_, typed, output) in enumerate(steps):
        child.sendline(typed)
        if index + 1 < len(steps):
            assert expect_line(child, steps[index + 1][0]) == [typed, *output], typed
        else:
            child.expect(pexpect.EOF)
            assert [line.rstrip() for line in clean(child.before).strip("\n").split("\n")] == [typed, *output]
    child.close()
    assert child.exitstatus == 0


# --- values: exact conversions --------------------------------------------------------------------


def test_float_text_round_trips_every_bit_pattern() -> None:
    rng = random.Random(9)
    specials = [0, 1, 0x7F7FFFFF, 0x00800000, 0x007FFFFF, 0x7F800000, 0x7FC00000, 0xFFC00001, 0x80000000]
    for bits in specials + [rng.getrandbits(32) for _ in range(3000)]:
        text = format_value(bits, "f32")
        assert parse_value(text, "f32") == bits, text
    for bits in [rng.getrandbits(64) for _ in range(3000)]:
        text = format_value(bits, "f64")
        assert parse_value(text, "f64") == bits, text


def test_decimal_to_f32_rounds_once() -> None:
    # 1 + 2**-24 + 2**-60 rounds up in f32 directly, but down if rounded to f64 first.
    assert parse_value("1.00000005960464477550", "f32") == 0x3F800001
    assert parse_value("0x1.000001p0", "f32") == 0x3F800000  # a tie: to even
    assert parse_value("0x1.000003p0", "f32") == 0x3F800002
    assert parse_value("1e-50", "f32") == 0
    assert parse_value("-1e-50", "f32") == 0x80000000
    assert F32.bias == 127 and F64.bias == 1023


@pytest.mark.parametrize("text", ["", "-", "1e", "0x", "1.2.3", "nan:", "nan:0x0", "infinit", "0x1p"])
def test_unreadable_floats(text: str) -> None:
    with pytest.raises(BadValue):
        parse_value(text, "f64")
