"""WASI preview 1 from Python: WasiConfig, Runtime(wasi=), instantiate(wasi=), Module.run_wasi,
epsilon.run. The programs are the C test programs of runtime/tests/wasi (sources, the .wasm
built from them by ci/build-wasi-programs.sh, and the .expected outputs shared with the Rust
tests)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import epsilon

PROGRAMS = Path(__file__).resolve().parents[2] / "runtime" / "tests" / "wasi"


def prog(name: str) -> Path:
    return PROGRAMS / f"{name}.wasm"


def expected(name: str) -> bytes:
    return (PROGRAMS / f"{name}.expected").read_bytes()


# ---------------------------------------------------------------------------------------------
# epsilon.run


def test_hello_world_captured() -> None:
    r = epsilon.run(prog("hello"), capture_output=True)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"Hello, WASI!\n", b"this goes to stderr\n")
    assert r.args == ["hello.wasm"]
    assert repr(r) == (
        "CompletedRun(args=['hello.wasm'], returncode=0, stdout=b'Hello, WASI!\\n', "
        "stderr=b'this goes to stderr\\n')"
    )


def test_output_is_inherited_by_default(capfd: pytest.CaptureFixture[str]) -> None:
    r = epsilon.run(prog("hello"))
    assert (r.returncode, r.stdout, r.stderr) == (0, None, None)
    out, err = capfd.readouterr()
    assert (out, err) == ("Hello, WASI!\n", "this goes to stderr\n")


def test_args_env_and_argv0() -> None:
    r = epsilon.run(prog("echo"), ["one", "two words"], env={"GREETING": "hi"}, capture_output=True)
    assert r.stdout == (
        b"argc=3\nargv[0]=echo.wasm\nargv[1]=one\nargv[2]=two words\nenv GREETING=hi\nGREETING=hi\n"
    )
    r = epsilon.run(str(prog("echo")), argv0="custom", capture_output=True)
    assert r.stdout == b"argc=1\nargv[0]=custom\nGREETING=(unset)\n", "no host variable leaks in"
    assert r.args == ["custom"]


def test_exit_codes() -> None:
    assert epsilon.run(prog("exit"), ["exit", "7"], stdout=None).returncode == 7
    assert epsilon.run(prog("exit"), ["return", "3"], stdout=None).returncode == 3
    assert epsilon.run(prog("exit"), stdout=None).returncode == 0


def test_a_trap_raises() -> None:
    with pytest.raises(epsilon.Trap) as info:
        epsilon.run(prog("exit"), ["trap"], stdout=None)
    assert info.value.kind == "unreachable"


def test_stdin_bytes_binary_file_and_text_file() -> None:
    r = epsilon.run(prog("cat"), stdin=b"abc\n", capture_output=True)
    assert (r.stdout, r.stderr) == (b"abc\n", b"4 bytes\n")
    data = bytes(range(256)) * 1000
    r = epsilon.run(prog("cat"), stdin=io.BytesIO(data), capture_output=True)
    assert r.stdout == data
    r = epsilon.run(prog("cat"), stdin=io.StringIO("héllo"), capture_output=True)
    assert r.stdout == "héllo".encode()
    r = epsilon.run(prog("cat"), capture_output=True)
    assert (r.stdout, r.stderr) == (b"", b"0 bytes\n"), "stdin is empty by default"


def test_stdin_inherit_reads_the_process_stdin() -> None:
    code = f"import epsilon; epsilon.run({str(prog('cat'))!r}, stdin='inherit', stderr=None)"
    done = subprocess.run([sys.executable, "-c", code], input=b"piped in", capture_output=True, check=True)
    assert done.stdout == b"piped in"


def test_output_to_callables_and_files() -> None:
    chunks: list[bytes] = []
    text = io.StringIO()
    r = epsilon.run(prog("hello"), stdout=chunks.append, stderr=text)
    assert r.returncode == 0
    assert b"".join(chunks) == b"Hello, WASI!\n"
    assert text.getvalue() == "this goes to stderr\n"
    binary = io.BytesIO()
    epsilon.run(prog("cat"), stdin="é€😀".encode() * 3000, stdout=binary, stderr=None)
    assert binary.getvalue() == "é€😀".encode() * 3000
    # Multi-byte characters split between writes are decoded whole for a text file.
    text = io.StringIO()
    epsilon.run(prog("cat"), stdin="é€😀".encode() * 3000, stdout=text, stderr=None)
    assert text.getvalue() == "é€😀" * 3000


def test_an_exception_in_a_stream_is_raised_after_the_run() -> None:
    def fail(data: bytes) -> None:
        raise ValueError("sink is full")

    with pytest.raises(ValueError, match="sink is full"):
        epsilon.run(prog("hello"), stdout=fail, stderr=None)


def test_capture_output_excludes_explicit_streams() -> None:
    with pytest.raises(ValueError, match="capture_output"):
        epsilon.run(prog("hello"), stdout=None, capture_output=True)


def test_files_are_copied_and_listed_in_a_preopen(tmp_path: Path) -> None:
    data = os.urandom(5000)
    (tmp_path / "in.bin").write_bytes(data)
    r = epsilon.run(prog("copy"), ["/d/in.bin", "/d/out.bin"], preopens={"/d": tmp_path}, capture_output=True)
    assert (r.returncode, r.stdout) == (0, b"copied 5000 bytes\n")
    assert (tmp_path / "out.bin").read_bytes() == data
    (tmp_path / "sub").mkdir()
    r = epsilon.run(prog("ls"), ["/d"], preopens={"/d": str(tmp_path)}, capture_output=True)
    assert r.stdout == b"in.bin file 5000\nout.bin file 5000\nsub dir\n3 entries\n"


def test_file_system_calls_and_a_read_only_preopen(tmp_path: Path) -> None:
    (tmp_path / "box").mkdir()
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "data.txt").write_text("read only data")
    preopens = {"/sandbox": tmp_path / "box", "/ro": (tmp_path / "ro", "ro")}
    r = epsilon.run(prog("fsops"), preopens=preopens, capture_output=True)
    assert r.stdout == expected("fsops")
    assert r.returncode == 0
    assert list((tmp_path / "box").iterdir()) == []
    assert [p.name for p in (tmp_path / "ro").iterdir()] == ["data.txt"]


def test_escape_attempts_fail(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    box = tmp_path / "box"
    (box / "sub").mkdir(parents=True)
    (box / "sub" / "ok.txt").write_text("ok")
    (box / "etc").symlink_to("/etc")
    (box / "up").symlink_to("..")
    (box / "inside").symlink_to("sub")
    r = epsilon.run(prog("escape"), preopens={"/sandbox": box}, capture_output=True)
    assert r.stdout == expected("escape")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["box", "secret.txt"]


def test_clocks_and_randomness() -> None:
    assert epsilon.run(prog("clock"), capture_output=True).stdout == expected("clock")


def test_bad_pointers_are_efault(tmp_path: Path) -> None:
    r = epsilon.run(prog("badptr"), env={"A": "b"}, preopens={"/d": tmp_path}, capture_output=True)
    assert (r.returncode, r.stdout) == (0, expected("badptr"))


def test_timeout_and_fuel_stop_a_spinning_program(tmp_path: Path) -> None:
    spin = tmp_path / "spin.wat"
    spin.write_text(
        """(module
             (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
             (memory (export "memory") 1)
             (func (export "_start") (loop (drop (call $yield)) (br 0))))"""
    )
    with pytest.raises(epsilon.EpsilonTimeoutError):
        epsilon.run(spin, timeout_ms=50)
    with pytest.raises(epsilon.OutOfFuelError):
        epsilon.run(spin, fuel=10_000)


def test_a_missing_file_raises_file_not_found() -> None:
    with pytest.raises(FileNotFoundError):
        epsilon.run(PROGRAMS / "no-such-program.wasm")


# ---------------------------------------------------------------------------------------------
# WasiConfig, Runtime(wasi=), instantiate(wasi=), Module.run_wasi


def test_config_checks_host_directories_at_once(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        epsilon.WasiConfig(preopens={"/x": tmp_path / "missing"})
    assert info.value.filename == str(tmp_path / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        epsilon.WasiConfig(preopens={"/x": tmp_path / "file"})
    with pytest.raises(ValueError, match="'ro' or 'rw'"):
        epsilon.WasiConfig(preopens={"/x": (tmp_path, "readonly")})
    with pytest.raises(ValueError, match="empty"):
        epsilon.WasiConfig(preopens={"": tmp_path})
    with pytest.raises(TypeError, match="preopens"):
        epsilon.WasiConfig(preopens=[str(tmp_path)])  # type: ignore[arg-type]


def test_config_validates_its_arguments() -> None:
    with pytest.raises(TypeError, match="single string"):
        epsilon.WasiConfig(args="prog.wasm")
    with pytest.raises(ValueError, match="environment variable"):
        epsilon.WasiConfig(env={"A=B": "c"})
    with pytest.raises(TypeError, match="env"):
        epsilon.WasiConfig(env={"A": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="stdin"):
        epsilon.WasiConfig(stdin="text")
    with pytest.raises(ValueError, match="output stream"):
        epsilon.WasiConfig(stdout="capture")
    with pytest.raises(TypeError, match="output stream"):
        epsilon.WasiConfig(stderr=42)


def test_config_properties_and_repr(tmp_path: Path) -> None:
    cfg = epsilon.WasiConfig(
        args=["p", "x"], env={"K": "V"}, preopens={"/a": tmp_path, "/b": (tmp_path, "ro")}, stdout=None
    )
    assert cfg.args == ["p", "x"]
    assert cfg.env == {"K": "V"}
    assert cfg.preopens == {"/a": (str(tmp_path), "rw"), "/b": (str(tmp_path), "ro")}
    assert repr(cfg).startswith("WasiConfig(args=['p', 'x'], env={'K': 'V'}, preopens={'/a': (")
    assert repr(cfg).endswith("stdout=None, stderr='inherit')")


def test_instantiate_with_wasi_and_run_wasi(tmp_path: Path) -> None:
    out = io.BytesIO()
    cfg = epsilon.WasiConfig(args=["ls", "/d"], preopens={"/d": tmp_path}, stdout=out)
    (tmp_path / "f.txt").write_text("abc")
    with epsilon.Runtime() as runtime:
        module = runtime.instantiate_file(prog("ls"), wasi=cfg)
        assert module.run_wasi() == 0
        assert out.getvalue() == b"f.txt file 3\n1 entries\n"
        # The module stays usable like any other: its exports are there.
        assert "memory" in module.get_export_names()
        bytes_module = runtime.instantiate(prog("exit").read_bytes(), wasi=epsilon.WasiConfig(["e", "exit", "4"], stdout=None))
        assert bytes_module.run_wasi() == 4


def test_runtime_wasi_is_the_default_of_each_instantiation() -> None:
    chunks: list[bytes] = []
    cfg = epsilon.WasiConfig(args=["echo", "shared"], stdout=chunks.append)
    with epsilon.Runtime(wasi=cfg) as runtime:
        first = runtime.instantiate_file(prog("echo"))
        second = runtime.instantiate_file(prog("echo"))
        assert first.run_wasi() == 0 and second.run_wasi() == 0
        assert b"".join(chunks).count(b"argv[1]=shared\n") == 2
        # An explicit wasi= wins over the runtime's.
        own: list[bytes] = []
        third = runtime.instantiate_file(prog("echo"), wasi=epsilon.WasiConfig(args=["mine"], stdout=own.append))
        assert third.run_wasi() == 0
        assert b"argv[0]=mine\n" in b"".join(own)


def test_without_wasi_a_wasi_module_does_not_link() -> None:
    with epsilon.Runtime() as runtime:
        with pytest.raises(epsilon.LinkError, match=r"wasi=epsilon\.WasiConfig"):
            runtime.instantiate_file(prog("hello"))
        plain = runtime.instantiate("(module (func (export \"_start\")))")
        with pytest.raises(epsilon.EpsilonError, match="without WASI"):
            plain.run_wasi()


def test_run_wasi_timeout_and_imports_override() -> None:
    wat = """(module
               (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
               (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
               (memory (export "memory") 1)
               (func (export "_start") (if (i32.eqz (call $yield)) (then (loop (br 0)))) (call $exit (i32.const 5))))"""
    with epsilon.Runtime() as runtime:
        spinning = runtime.instantiate(wat, wasi=epsilon.WasiConfig())
        with pytest.raises(epsilon.EpsilonTimeoutError):
            spinning.run_wasi(timeout_ms=50)
        # imports= takes precedence over the WASI functions.
        exiting = runtime.instantiate(
            wat, imports={"wasi_snapshot_preview1": {"sched_yield": lambda: 1}}, wasi=epsilon.WasiConfig()
        )
        assert exiting.run_wasi() == 5


def test_proc_exit_through_call_is_an_error_naming_the_code() -> None:
    with epsilon.Runtime(wasi=epsilon.WasiConfig(args=["e", "exit", "6"], stdout=None)) as runtime:
        module = runtime.instantiate_file(prog("exit"))
        with pytest.raises(epsilon.EpsilonError, match="exited with code 6"):
            module.call("_start")
