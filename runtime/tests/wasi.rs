//! WASI preview 1 end to end: the C programs of `tests/wasi/` (sources and the `.wasm` built
//! from them by `ci/build-wasi-programs.sh`) run against real temporary directories, plus WAT
//! modules for what C cannot express.
#![cfg(all(feature = "wasi", unix))]

use epsilon::wasi::{self, OutputBuffer, WasiConfig, WasiCtx};
use epsilon::{Engine, ErrorKind, Linker, Module, Store, TrapKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// A scratch directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("epsilon-wasi-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }

    fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.path(rel)).unwrap();
    }

    fn symlink(&self, target: &str, rel: &str) {
        std::os::unix::fs::symlink(target, self.path(rel)).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// One of the compiled test programs.
fn program(name: &str) -> Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi").join(format!("{name}.wasm"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Module::new(engine(), bytes).unwrap()
}

/// What a run produced.
#[derive(Debug)]
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs program `name` with `argv = [name.wasm, args...]`, standard output and error captured,
/// after `configure` added what else it needs.
fn run(name: &str, args: &[&str], configure: impl FnOnce(WasiConfig) -> WasiConfig) -> Outcome {
    let (stdout, stderr) = (OutputBuffer::new(), OutputBuffer::new());
    let config = WasiConfig::new()
        .arg(format!("{name}.wasm"))
        .args(args.iter().copied())
        .stdout_buffer(stdout.clone())
        .stderr_buffer(stderr.clone());
    let code = wasi::run(&program(name), configure(config)).unwrap();
    Outcome { code, stdout: stdout.to_string_lossy(), stderr: stderr.to_string_lossy() }
}

/// The output program `name` must print, from `tests/wasi/{name}.expected` (shared with the
/// Python tests).
fn expected(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi").join(format!("{name}.expected"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(text: &str) -> String {
    text.lines().map(|l| format!("{l}\n")).collect()
}

#[test]
fn hello_world_writes_to_stdout_and_stderr() {
    let out = run("hello", &[], |c| c);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "Hello, WASI!\n");
    assert_eq!(out.stderr, "this goes to stderr\n");
}

#[test]
fn arguments_and_environment_are_only_what_the_embedder_passes() {
    let out = run("echo", &["one", "two words", ""], |c| c.env("GREETING", "hi there").env("EMPTY", ""));
    assert_eq!(
        out.stdout,
        lines(
            "argc=4
argv[0]=echo.wasm
argv[1]=one
argv[2]=two words
argv[3]=
env GREETING=hi there
env EMPTY=
GREETING=hi there"
        )
    );
    let bare = run("echo", &[], |c| c);
    assert_eq!(
        bare.stdout,
        lines("argc=1\nargv[0]=echo.wasm\nGREETING=(unset)"),
        "no host variable leaks in"
    );
}

#[test]
fn exit_codes_come_back_as_values_not_traps() {
    assert_eq!(run("exit", &["exit", "7"], |c| c).code, 7);
    assert_eq!(run("exit", &["exit", "0"], |c| c).code, 0);
    assert_eq!(run("exit", &["return", "5"], |c| c).code, 5);
    assert_eq!(run("exit", &[], |c| c).code, 0);
    let out = run("exit", &["exit", "255"], |c| c);
    assert_eq!((out.code, out.stdout.as_str()), (255, "ending with exit 255\n"));
}

#[test]
fn a_trap_is_an_error_not_an_exit_code() {
    let config = WasiConfig::new().args(["exit.wasm", "trap"]);
    let err = wasi::run(&program("exit"), config).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::Unreachable));
    assert_eq!(wasi::exit_code(&err), None);
}

#[test]
fn stdin_is_read_from_bytes_or_a_reader() {
    let out = run("cat", &[], |c| c.stdin_bytes("line one\nline two\n"));
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "line one\nline two\n", "18 bytes\n")
    );
    let big: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let out = run("cat", &[], |c| c.stdin_reader(std::io::Cursor::new(big.clone())));
    assert_eq!(out.stdout.as_bytes(), &big[..]);
    assert_eq!(out.stderr, "200000 bytes\n");
    let empty = run("cat", &[], |c| c);
    assert_eq!(
        (empty.stdout.as_str(), empty.stderr.as_str()),
        ("", "0 bytes\n"),
        "stdin is empty by default"
    );
}

#[test]
fn output_goes_to_any_writer() {
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Shared::default();
    let config = WasiConfig::new().stdout_writer(sink.clone());
    assert_eq!(wasi::run(&program("hello"), config).unwrap(), 0);
    assert_eq!(&*sink.0.lock().unwrap(), b"Hello, WASI!\n");
}

#[test]
fn files_are_copied_inside_a_preopen() {
    let dir = TempDir::new("copy");
    let data: Vec<u8> = (0..12_345u32).map(|i| (i * 7 % 251) as u8).collect();
    dir.write("in/source.bin", &data);
    let out =
        run("copy", &["/data/in/source.bin", "/data/out.bin"], |c| c.preopen_dir(&dir.0, "/data").unwrap());
    assert_eq!((out.code, out.stdout.as_str()), (0, "copied 12345 bytes\n"));
    assert_eq!(std::fs::read(dir.path("out.bin")).unwrap(), data);
    // Relative to a preopen named ".", as with `--dir .`.
    let out = run("copy", &["in/source.bin", "again.bin"], |c| c.preopen_dir(&dir.0, ".").unwrap());
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(std::fs::read(dir.path("again.bin")).unwrap(), data);
}

#[test]
fn a_directory_is_listed_with_types_and_sizes() {
    let dir = TempDir::new("ls");
    dir.write("b.txt", "12345");
    dir.write("a.txt", "");
    dir.mkdir("sub");
    dir.write("sub/inner.txt", "x");
    dir.symlink("a.txt", "link");
    let out = run("ls", &["/d"], |c| c.preopen_dir(&dir.0, "/d").unwrap());
    assert_eq!(out.stdout, lines("a.txt file 0\nb.txt file 5\nlink link\nsub dir\n4 entries"));
    let out = run("ls", &["/d/sub"], |c| c.preopen_dir(&dir.0, "/d").unwrap());
    assert_eq!(out.stdout, lines("inner.txt file 1\n1 entries"));
    // Many entries: several fd_readdir calls with cookies.
    let many = TempDir::new("ls-many");
    for i in 0..200 {
        many.write(&format!("file-{i:03}-with-a-rather-long-name.txt"), "");
    }
    let out = run("ls", &["/m"], |c| c.preopen_dir(&many.0, "/m").unwrap());
    assert!(out.stdout.ends_with("200 entries\n"), "{}", out.stdout);
    assert!(out.stdout.starts_with("file-000-with-a-rather-long-name.txt file 0\n"));
}

#[test]
fn file_system_calls_work_and_read_only_preopens_refuse_changes() {
    let dir = TempDir::new("fsops");
    dir.mkdir("box");
    dir.mkdir("outside");
    dir.write("ro/data.txt", "read only data");
    let out = run("fsops", &[], |c| {
        c.preopen_dir(dir.path("box"), "/sandbox")
            .unwrap()
            .preopen_dir_read_only(dir.path("ro"), "/ro")
            .unwrap()
    });
    assert_eq!(out.stdout, expected("fsops"));
    assert_eq!(out.code, 0);
    assert_eq!(std::fs::read_dir(dir.path("box")).unwrap().count(), 0, "everything created was removed");
    assert_eq!(dir.read("ro/data.txt"), "read only data");
    assert_eq!(std::fs::read_dir(dir.path("ro")).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(dir.path("outside")).unwrap().count(), 0);
}

#[test]
fn escape_attempts_fail_with_enotcapable() {
    let dir = TempDir::new("escape");
    dir.write("secret.txt", "secret");
    dir.write("box/sub/ok.txt", "ok");
    dir.symlink("/etc", "box/etc");
    dir.symlink("..", "box/up");
    dir.symlink("sub", "box/inside");
    let out = run("escape", &[], |c| c.preopen_dir(dir.path("box"), "/sandbox").unwrap());
    assert_eq!(out.stdout, expected("escape"));
    assert!(!dir.path("evil").exists() && !dir.path("stolen.txt").exists());
    assert!(dir.path("box/sub/ok.txt").exists());
}

#[test]
fn clocks_sleep_and_randomness() {
    let out = run("clock", &[], |c| c);
    assert_eq!(out.stdout, expected("clock"));
}

#[test]
fn bad_pointers_and_lengths_are_efault_not_crashes() {
    let dir = TempDir::new("badptr");
    let out = run("badptr", &[], |c| c.env("A", "b").preopen_dir(&dir.0, "/d").unwrap());
    assert_eq!(out.stdout, expected("badptr"));
    assert_eq!(out.code, 0);
}

#[test]
fn a_missing_preopen_directory_fails_at_configuration() {
    let dir = TempDir::new("missing");
    let missing = dir.path("does-not-exist");
    let err = WasiConfig::new().preopen_dir(&missing, "/x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(err.to_string().contains("does-not-exist"), "{err}");
    assert!(err.to_string().contains("No such file or directory"), "{err}");
    dir.write("file.txt", "");
    let err = WasiConfig::new().preopen_dir_read_only(dir.path("file.txt"), "/x").unwrap_err();
    assert!(err.to_string().contains("Not a directory"), "{err}");
    assert!(WasiConfig::new().preopen_dir(&dir.0, "").is_err(), "an empty guest path");
}

/// The signatures of every preview 1 function, written down independently of the
/// implementation: a module importing all of them must link.
const SIGNATURES: &[(&str, &str, &str)] = &[
    ("args_get", "i32 i32", "i32"),
    ("args_sizes_get", "i32 i32", "i32"),
    ("environ_get", "i32 i32", "i32"),
    ("environ_sizes_get", "i32 i32", "i32"),
    ("clock_res_get", "i32 i32", "i32"),
    ("clock_time_get", "i32 i64 i32", "i32"),
    ("fd_advise", "i32 i64 i64 i32", "i32"),
    ("fd_allocate", "i32 i64 i64", "i32"),
    ("fd_close", "i32", "i32"),
    ("fd_datasync", "i32", "i32"),
    ("fd_fdstat_get", "i32 i32", "i32"),
    ("fd_fdstat_set_flags", "i32 i32", "i32"),
    ("fd_fdstat_set_rights", "i32 i64 i64", "i32"),
    ("fd_filestat_get", "i32 i32", "i32"),
    ("fd_filestat_set_size", "i32 i64", "i32"),
    ("fd_filestat_set_times", "i32 i64 i64 i32", "i32"),
    ("fd_pread", "i32 i32 i32 i64 i32", "i32"),
    ("fd_prestat_get", "i32 i32", "i32"),
    ("fd_prestat_dir_name", "i32 i32 i32", "i32"),
    ("fd_pwrite", "i32 i32 i32 i64 i32", "i32"),
    ("fd_read", "i32 i32 i32 i32", "i32"),
    ("fd_readdir", "i32 i32 i32 i64 i32", "i32"),
    ("fd_renumber", "i32 i32", "i32"),
    ("fd_seek", "i32 i64 i32 i32", "i32"),
    ("fd_sync", "i32", "i32"),
    ("fd_tell", "i32 i32", "i32"),
    ("fd_write", "i32 i32 i32 i32", "i32"),
    ("path_create_directory", "i32 i32 i32", "i32"),
    ("path_filestat_get", "i32 i32 i32 i32 i32", "i32"),
    ("path_filestat_set_times", "i32 i32 i32 i32 i64 i64 i32", "i32"),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32", "i32"),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", "i32"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_remove_directory", "i32 i32 i32", "i32"),
    ("path_rename", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_symlink", "i32 i32 i32 i32 i32", "i32"),
    ("path_unlink_file", "i32 i32 i32", "i32"),
    ("poll_oneoff", "i32 i32 i32 i32", "i32"),
    ("proc_exit", "i32", ""),
    ("proc_raise", "i32", "i32"),
    ("sched_yield", "", "i32"),
    ("random_get", "i32 i32", "i32"),
    ("sock_accept", "i32 i32 i32", "i32"),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", "i32"),
    ("sock_send", "i32 i32 i32 i32 i32", "i32"),
    ("sock_shutdown", "i32 i32", "i32"),
];

#[test]
fn every_preview1_function_is_defined_with_its_signature() {
    let mut wat = String::from("(module\n");
    for (name, params, results) in SIGNATURES {
        let results = if results.is_empty() { String::new() } else { format!("(result {results})") };
        wat +=
            &format!("  (import \"wasi_snapshot_preview1\" \"{name}\" (func (param {params}) {results}))\n");
    }
    wat += "  (memory (export \"memory\") 1))";
    let module = Module::new(engine(), wat).unwrap();
    let mut linker = Linker::new(engine());
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).unwrap();
    let mut store = Store::new(engine(), WasiConfig::new().build());
    linker.instantiate(&mut store, &module).unwrap();
    let mut names: Vec<&str> = wasi::implemented().chain(wasi::unimplemented()).collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = SIGNATURES.iter().map(|s| s.0).collect();
    expected.sort_unstable();
    assert_eq!(names, expected);
}

/// Instantiates a WAT module with WASI and calls its export `run: [] -> i32`.
fn call_wat(wat: &str, config: WasiConfig) -> epsilon::Result<i32> {
    let module = Module::new(engine(), wat)?;
    let mut linker = Linker::new(engine());
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
    let mut store = Store::new(engine(), config.build());
    let instance = linker.instantiate(&mut store, &module)?;
    instance.get_typed_func::<(), i32>(&store, "run")?.call(&mut store, ())
}

#[test]
fn unimplemented_calls_return_enosys() {
    let errno = call_wat(
        r#"(module
             (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "run") (result i32) (call $accept (i32.const 3) (i32.const 0) (i32.const 0))))"#,
        WasiConfig::new(),
    );
    assert_eq!(errno.unwrap(), 52);
}

#[test]
fn proc_exit_is_reported_through_exit_code() {
    let err = call_wat(
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "run") (result i32) (call $exit (i32.const 42)) (i32.const 0)))"#,
        WasiConfig::new(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host);
    assert_eq!(wasi::exit_code(&err), Some(42));
    assert_eq!(err.to_string(), "the program exited with code 42");
}

#[test]
fn a_module_without_memory_gets_a_clear_error() {
    let err = call_wat(
        r#"(module
             (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
             (func (export "run") (result i32) (call $close (i32.const 1))))"#,
        WasiConfig::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("export its memory"), "{err}");
}

#[test]
fn a_missing_start_function_is_a_usage_error() {
    let module = Module::new(engine(), "(module (memory (export \"memory\") 1))").unwrap();
    let err = wasi::run(&module, WasiConfig::new()).unwrap_err();
    assert!(err.to_string().contains("_start"), "{err}");
}

#[test]
fn descriptors_can_be_renumbered_and_closed() {
    // fd_renumber(1, 2) sends stdout's writes to 2's number; closing it then makes fd 2 bad.
    let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
    let config = WasiConfig::new().stdout_buffer(out.clone()).stderr_buffer(err.clone());
    let errno = call_wat(
        r#"(module
             (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "\10\00\00\00\02\00\00\00")
             (data (i32.const 16) "ok")
             (func (export "run") (result i32)
               (drop (call $renumber (i32.const 1) (i32.const 2)))
               (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
               (drop (call $close (i32.const 2)))
               (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))))"#,
        config,
    );
    assert_eq!(errno.unwrap(), 8, "EBADF after close");
    assert_eq!((out.contents(), err.contents()), (b"ok".to_vec(), Vec::new()));
}

#[test]
fn several_contexts_live_in_one_store() {
    // One store, two instances, each with its own context picked by the accessor.
    struct Host {
        ctxs: Vec<WasiCtx>,
        current: usize,
    }
    let (a, b) = (OutputBuffer::new(), OutputBuffer::new());
    let mut linker = Linker::new(engine());
    wasi::add_to_linker(&mut linker, |h: &mut Host| &mut h.ctxs[h.current]).unwrap();
    let ctxs = vec![
        WasiConfig::new().arg("a").stdout_buffer(a.clone()).build(),
        WasiConfig::new().arg("b").stdout_buffer(b.clone()).build(),
    ];
    let mut store = Store::new(engine(), Host { ctxs, current: 0 });
    let instance = linker.instantiate(&mut store, &program("echo")).unwrap();
    assert_eq!(wasi::call_start(&mut store, &instance).unwrap(), 0);
    store.data_mut().current = 1;
    let instance = linker.instantiate(&mut store, &program("echo")).unwrap();
    assert_eq!(wasi::call_start(&mut store, &instance).unwrap(), 0);
    assert!(a.to_string_lossy().contains("argv[0]=a\n"));
    assert!(b.to_string_lossy().contains("argv[0]=b\n"));
    assert_eq!(store.data().ctxs[0].args(), ["a"]);
    assert_eq!(store.data().ctxs[0].preopens(), []);
}

#[test]
fn poll_reports_ready_streams_and_bad_descriptors() {
    // Two subscriptions at 0 (48 bytes each): fd_read on stdin (userdata 7), fd_read on fd 9
    // (userdata 8); events go to 256, the count to 512.
    let wat = r#"(module
         (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
         (memory (export "memory") 1)
         (func (export "run") (result i32)
           (i64.store (i32.const 0) (i64.const 7))
           (i32.store8 (i32.const 8) (i32.const 1))
           (i32.store (i32.const 16) (i32.const 0))
           (i64.store (i32.const 48) (i64.const 8))
           (i32.store8 (i32.const 56) (i32.const 1))
           (i32.store (i32.const 64) (i32.const 9))
           (call $poll (i32.const 0) (i32.const 256) (i32.const 2) (i32.const 512))))"#;
    let module = Module::new(engine(), wat).unwrap();
    let mut linker = Linker::new(engine());
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).unwrap();
    let mut store = Store::new(engine(), WasiConfig::new().stdin_bytes("abc").build());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let errno = instance.get_typed_func::<(), i32>(&store, "run").unwrap().call(&mut store, ()).unwrap();
    assert_eq!(errno, 0);
    let memory = instance.get_memory(&store, "memory").unwrap();
    let bytes = memory.data(&store).unwrap();
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap());
    assert_eq!(u16_at(512), 2, "two events");
    // Event 0: userdata 7, no error, type fd_read, 3 bytes available.
    assert_eq!((u64_at(256), u16_at(264), bytes[266], u64_at(272)), (7, 0, 1, 3));
    // Event 1: userdata 8, EBADF.
    assert_eq!((u64_at(288), u16_at(296)), (8, 8));
}

/// A link created where its target stays inside may point outside after a move to a shallower
/// place; `path_rename` and `path_link` must refuse such moves (before the fix, the guest could
/// leave `sandbox/l3 -> ..` on the host).
#[test]
fn links_cannot_be_moved_out_of_the_sandbox() {
    let dir = TempDir::new("move-links");
    dir.mkdir("box/sub/deep");
    // Strings at 0: "sub/l3" (6), "l3" (2), "..", "sub/l6" (6), "l6" (2), "sub/deep" (8),
    // "d" (1), "sub/ok" (6), "ok" (2), "x" (1), "sub/deep/m" (10), "../.." (5).
    let wat = r#"(module
         (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
         (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
         (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
         (memory (export "memory") 1)
         (data (i32.const 0) "sub/l3")
         (data (i32.const 16) "l3")
         (data (i32.const 32) "..")
         (data (i32.const 48) "sub/l6")
         (data (i32.const 64) "l6")
         (data (i32.const 80) "sub/deep")
         (data (i32.const 96) "d")
         (data (i32.const 112) "sub/ok")
         (data (i32.const 128) "ok")
         (data (i32.const 144) "x")
         (data (i32.const 160) "sub/deep/m")
         (data (i32.const 176) "../..")
         (global $failed (mut i32) (i32.const 0))
         ;; Records the first step whose errno differs, as step * 1000 + errno.
         (func $check (param $got i32) (param $want i32) (param $step i32)
           (if (i32.and (i32.ne (local.get $got) (local.get $want)) (i32.eqz (global.get $failed)))
             (then (global.set $failed
               (i32.add (i32.mul (local.get $step) (i32.const 1000)) (local.get $got))))))
         (func (export "run") (result i32)
           ;; sub/l3 -> .. (inside: it names the preopen itself), then moved up: refused.
           (call $check (call $symlink (i32.const 32) (i32.const 2) (i32.const 3) (i32.const 0) (i32.const 6)) (i32.const 0) (i32.const 1))
           (call $check (call $rename (i32.const 3) (i32.const 0) (i32.const 6) (i32.const 3) (i32.const 16) (i32.const 2)) (i32.const 76) (i32.const 2))
           ;; The same link hard-linked up: refused.
           (call $check (call $symlink (i32.const 32) (i32.const 2) (i32.const 3) (i32.const 48) (i32.const 6)) (i32.const 0) (i32.const 3))
           (call $check (call $link (i32.const 3) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 3) (i32.const 64) (i32.const 2)) (i32.const 76) (i32.const 4))
           ;; sub/deep/m -> ../.. (inside), then the directory sub/deep moved up to d: refused.
           (call $check (call $symlink (i32.const 176) (i32.const 5) (i32.const 3) (i32.const 160) (i32.const 10)) (i32.const 0) (i32.const 5))
           (call $check (call $rename (i32.const 3) (i32.const 80) (i32.const 8) (i32.const 3) (i32.const 96) (i32.const 1)) (i32.const 76) (i32.const 6))
           ;; A link that stays inside moves freely: sub/ok -> x, moved to ok.
           (call $check (call $symlink (i32.const 144) (i32.const 1) (i32.const 3) (i32.const 112) (i32.const 6)) (i32.const 0) (i32.const 7))
           (call $check (call $rename (i32.const 3) (i32.const 112) (i32.const 6) (i32.const 3) (i32.const 128) (i32.const 2)) (i32.const 0) (i32.const 8))
           (global.get $failed)))"#;
    let errno = call_wat(wat, WasiConfig::new().preopen_dir(dir.path("box"), "/sandbox").unwrap());
    assert_eq!(errno.unwrap(), 0);
    // Nothing on the host points out of the sandbox.
    for rel in ["box/l3", "box/l6", "box/d"] {
        assert!(std::fs::symlink_metadata(dir.path(rel)).is_err(), "{rel} exists");
    }
    assert_eq!(std::fs::read_link(dir.path("box/sub/l3")).unwrap(), Path::new(".."));
    assert_eq!(std::fs::read_link(dir.path("box/ok")).unwrap(), Path::new("x"));
}

/// `..` after a name climbs from wherever the name leads when it is a link: with
/// `sub/l3 -> ..`, the target `sub/l3/sub/../..` looks as if it stayed inside but resolves
/// above the sandbox (found by `ci/fuzz`, wasi target, seed 20261206, iteration 114908).
/// `path_symlink` must refuse such targets; leading `..`s stay allowed.
#[test]
fn link_targets_cannot_climb_through_other_links() {
    let dir = TempDir::new("climb-links");
    dir.mkdir("box/sub");
    // Strings: "sub/l3" (6) at 0, ".." (2) at 16, "sub/l3/sub/../.." (16) at 32, "x" (1) at 64,
    // "sub/y" (5) at 80, "../sub" (6) at 96.
    let wat = r#"(module
         (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
         (memory (export "memory") 1)
         (data (i32.const 0) "sub/l3")
         (data (i32.const 16) "..")
         (data (i32.const 32) "sub/l3/sub/../..")
         (data (i32.const 64) "x")
         (data (i32.const 80) "sub/y")
         (data (i32.const 96) "../sub")
         (func (export "run") (result i32)
           (local $e i32)
           ;; sub/l3 -> .. names the preopen itself: allowed.
           (if (call $symlink (i32.const 16) (i32.const 2) (i32.const 3) (i32.const 0) (i32.const 6))
             (then (return (i32.const 1001))))
           ;; x -> sub/l3/sub/../.. would resolve above the sandbox: refused.
           (local.set $e (call $symlink (i32.const 32) (i32.const 16) (i32.const 3) (i32.const 64) (i32.const 1)))
           (if (i32.ne (local.get $e) (i32.const 76)) (then (return (i32.add (i32.const 2000) (local.get $e)))))
           ;; sub/y -> ../sub climbs real directories only: allowed.
           (if (call $symlink (i32.const 96) (i32.const 6) (i32.const 3) (i32.const 80) (i32.const 5))
             (then (return (i32.const 3001))))
           (i32.const 0)))"#;
    let errno = call_wat(wat, WasiConfig::new().preopen_dir(dir.path("box"), "/sandbox").unwrap());
    assert_eq!(errno.unwrap(), 0);
    assert!(std::fs::symlink_metadata(dir.path("box/x")).is_err(), "box/x exists");
    assert_eq!(std::fs::read_link(dir.path("box/sub/y")).unwrap(), Path::new("../sub"));
}

/// A guest sleeping in `poll_oneoff` is stopped by a deadline like running code is (before the
/// fix, the sleep ran to its end and the deadline was ignored).
#[test]
fn a_deadline_stops_a_sleep_in_poll_oneoff() {
    // One clock subscription at 0: relative 5 s on the monotonic clock; event at 64.
    let wat = r#"(module
         (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
         (memory (export "memory") 1)
         (func (export "run") (result i32)
           (i64.store (i32.const 0) (i64.const 1))
           (i32.store8 (i32.const 8) (i32.const 0))
           (i32.store (i32.const 16) (i32.const 1))
           (i64.store (i32.const 24) (i64.const 5000000000))
           (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))"#;
    let mut config = epsilon::Config::new();
    config.interruptible(true);
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).unwrap();
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).unwrap();
    let mut store = Store::new(&engine, WasiConfig::new().build());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    store.set_timeout(std::time::Duration::from_millis(200));
    let start = std::time::Instant::now();
    let err = run.call(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::Interrupted), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(2), "took {:?}", start.elapsed());
    // An interrupt from another thread stops it too, and the store stays usable.
    let handle = store.interrupt_handle();
    store.set_deadline(None);
    let waker = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        handle.interrupt();
    });
    let start = std::time::Instant::now();
    let err = run.call(&mut store, ()).unwrap_err();
    waker.join().unwrap();
    assert_eq!(err.trap_kind(), Some(TrapKind::Interrupted), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(2), "took {:?}", start.elapsed());
}

/// The `wasi` example names the file it cannot read (it printed `Error: Os { code: 2, .. }`).
#[test]
fn the_wasi_example_names_a_missing_file() {
    // Build the example with this test's profile (target/PROFILE/deps/this-test).
    let profile_dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf();
    let profile = profile_dir.file_name().unwrap().to_string_lossy().into_owned();
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "epsilon", "--example", "wasi", "--features", "wasi", "--profile"])
        .arg(if profile == "debug" { "dev" } else { &profile })
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let example = profile_dir.join("examples").join("wasi");
    let out = std::process::Command::new(&example).arg("/nonexistent/prog.wasm").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("wasi: error: cannot read /nonexistent/prog.wasm: "), "{stderr}");
    assert!(!stderr.contains("Os {"), "{stderr}");
}
