//! Target `wasi`: random WASI preview 1 calls with random (valid and invalid) arguments
//! against a fresh sandbox directory preopened read-write (plus a read-only preopen inside
//! it), through a module that imports every `wasi_snapshot_preview1` function and exports a
//! forwarding wrapper of each; the host writes paths, iovecs and buffers into its memory.
//!
//! Checks: no panic; every call returns a WASI errno (0..=76) and never an error (except
//! `proc_exit`, which must carry its exit code); after each sequence nothing outside the
//! sandbox changed (a sibling directory with a canary file is compared byte for byte, with
//! its modification times), and no symbolic link in the sandbox resolves outside it (links
//! made by `path_symlink` and then moved by `path_rename` or `path_link` included: those moves
//! must be refused with `ENOTCAPABLE`).

use crate::driver::{IterCtx, Target};
use crate::rng::Rng;
use epsilon::wasi::{self, WasiConfig, WasiCtx};
use epsilon::{Engine, Func, Instance, Linker, Memory, Module, Store, Val};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How an argument is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum A {
    /// A descriptor.
    Fd,
    /// A path: (pointer, length).
    Path,
    /// A symbolic link's target: (pointer, length).
    Target,
    /// A pointer to an output area.
    Out,
    /// An iovec array: (pointer, count).
    Iovs,
    /// A buffer: (pointer, length).
    Buf,
    /// Small flags or an enum value (i32).
    Flags,
    /// A 64-bit size, offset, rights mask or timestamp.
    U64,
    /// A small 64-bit size (fd_allocate, set_size): never gigabytes.
    Size,
    /// The four arguments of `poll_oneoff`.
    Poll,
    /// Any i32.
    Any,
}

use A::*;

/// Every WASI call: name and argument generators (the wasm parameters follow from them).
const CALLS: &[(&str, &[A])] = &[
    ("args_get", &[Out, Out]),
    ("args_sizes_get", &[Out, Out]),
    ("environ_get", &[Out, Out]),
    ("environ_sizes_get", &[Out, Out]),
    ("clock_res_get", &[Flags, Out]),
    ("clock_time_get", &[Flags, U64, Out]),
    ("random_get", &[Buf]),
    ("sched_yield", &[]),
    ("poll_oneoff", &[Poll]),
    ("fd_advise", &[Fd, U64, U64, Flags]),
    ("fd_allocate", &[Fd, Size, Size]),
    ("fd_close", &[Fd]),
    ("fd_datasync", &[Fd]),
    ("fd_fdstat_get", &[Fd, Out]),
    ("fd_fdstat_set_flags", &[Fd, Flags]),
    ("fd_fdstat_set_rights", &[Fd, U64, U64]),
    ("fd_filestat_get", &[Fd, Out]),
    ("fd_filestat_set_size", &[Fd, Size]),
    ("fd_filestat_set_times", &[Fd, U64, U64, Flags]),
    ("fd_pread", &[Fd, Iovs, Size, Out]),
    ("fd_prestat_get", &[Fd, Out]),
    ("fd_prestat_dir_name", &[Fd, Buf]),
    ("fd_pwrite", &[Fd, Iovs, Size, Out]),
    ("fd_read", &[Fd, Iovs, Out]),
    ("fd_readdir", &[Fd, Buf, U64, Out]),
    ("fd_renumber", &[Fd, Fd]),
    ("fd_seek", &[Fd, U64, Flags, Out]),
    ("fd_sync", &[Fd]),
    ("fd_tell", &[Fd, Out]),
    ("fd_write", &[Fd, Iovs, Out]),
    ("path_create_directory", &[Fd, Path]),
    ("path_filestat_get", &[Fd, Flags, Path, Out]),
    ("path_filestat_set_times", &[Fd, Flags, Path, U64, U64, Flags]),
    ("path_link", &[Fd, Flags, Path, Fd, Path]),
    ("path_open", &[Fd, Flags, Path, Flags, U64, U64, Flags, Out]),
    ("path_readlink", &[Fd, Path, Buf, Out]),
    ("path_remove_directory", &[Fd, Path]),
    ("path_rename", &[Fd, Path, Fd, Path]),
    ("path_symlink", &[Target, Fd, Path]),
    ("path_unlink_file", &[Fd, Path]),
    ("proc_raise", &[Flags]),
    ("sock_accept", &[Fd, Flags, Out]),
    ("sock_recv", &[Fd, Iovs, Flags, Out, Out]),
    ("sock_send", &[Fd, Iovs, Flags, Out]),
    ("sock_shutdown", &[Fd, Flags]),
    ("proc_exit", &[Any]),
];

/// The wasm parameter types of an argument generator.
fn wasm_params(a: A) -> &'static [&'static str] {
    match a {
        Fd | Out | Flags | Any => &["i32"],
        Path | Target | Iovs | Buf => &["i32", "i32"],
        U64 | Size => &["i64"],
        Poll => &["i32", "i32", "i32", "i32"],
    }
}

/// The module: every call imported and re-exported through a wrapper of the same type.
fn module_text() -> String {
    let mut imports = String::new();
    let mut wrappers = String::new();
    for (name, args) in CALLS {
        let params: Vec<&str> = args.iter().flat_map(|a| wasm_params(*a).iter().copied()).collect();
        let params = params.join(" ");
        let result = if *name == "proc_exit" { "" } else { "(result i32)" };
        imports.push_str(&format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {params}) {result}))\n"
        ));
        let gets: String =
            (0..params.split_whitespace().count()).map(|i| format!("(local.get {i})")).collect();
        wrappers.push_str(&format!(
            "  (func (export \"{name}\") (param {params}) {result} (call ${name} {gets}))\n"
        ));
    }
    format!("(module\n{imports}  (memory (export \"memory\") 2)\n{wrappers})")
}

/// Memory layout of the host-written arguments.
const OUT_AREA: u32 = 0x100;
const PATH_AREA: [u32; 2] = [0x1000, 0x2000];
const IOVS_AREA: u32 = 0x3000;
const BUF_AREA: u32 = 0x4000;
const MEM_BYTES: u32 = 2 * 65536;

const PATHS: &[&str] = &[
    "a.txt",
    "sub",
    "sub/b.txt",
    "sub/deep",
    "new",
    "new.txt",
    "sub/new",
    "l1",
    "l2",
    "l3",
    "sub/l3",
    "link_in",
    "sub/deep/l4",
    ".",
    "..",
    "../outside/canary.txt",
    "../outside",
    "/etc/passwd",
    "/",
    "sub/..",
    "sub/../..",
    "sub/../a.txt",
    "a.txt/",
    "",
    "ro",
    "ro/r.txt",
    "ro/new",
    "sub/deep/../../a.txt",
    "l1/x",
    "nul\0byte",
    "./a.txt",
    "sub//b.txt",
];

const TARGETS: &[&str] = &[
    "a.txt",
    "..",
    "../..",
    "sub",
    "/etc",
    "sub/../..",
    "../outside",
    ".",
    "deep/..",
    "nonexistent",
    "b.txt",
    "../a.txt",
];

/// A sandbox: `<base>/sandbox` (preopened as `/sandbox`, with `ro` inside also preopened
/// read-only as `/ro`) and `<base>/outside` with the canary.
struct Sandbox {
    base: PathBuf,
}

static SANDBOXES: AtomicU64 = AtomicU64::new(0);

/// Where the sandboxes go: `$EPSILON_FUZZ_WASI_DIR` if set, else `/dev/shm` where it is a
/// directory (a RAM file system: `fd_sync` and the many small files cost nothing there, which
/// makes the target about eight times faster than on a disk), else the temporary directory.
fn sandbox_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("EPSILON_FUZZ_WASI_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && std::fs::metadata(shm).is_ok_and(|m| !m.permissions().readonly()) {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

impl Sandbox {
    fn new() -> std::io::Result<Sandbox> {
        let n = SANDBOXES.fetch_add(1, Ordering::Relaxed);
        let base = sandbox_root().join(format!("epsilon-fuzz-wasi-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let sandbox = base.join("sandbox");
        std::fs::create_dir_all(sandbox.join("sub/deep"))?;
        std::fs::create_dir_all(sandbox.join("ro"))?;
        std::fs::create_dir_all(base.join("outside/inner"))?;
        std::fs::write(sandbox.join("a.txt"), "hello sandbox\n")?;
        std::fs::write(sandbox.join("sub/b.txt"), "bbbb")?;
        std::fs::write(sandbox.join("ro/r.txt"), "read only")?;
        std::os::unix::fs::symlink("a.txt", sandbox.join("link_in"))?;
        std::fs::write(base.join("outside/canary.txt"), "canary: must never change\n")?;
        std::fs::write(base.join("outside/inner/deep.txt"), "deeper canary\n")?;
        Ok(Sandbox { base })
    }

    fn sandbox(&self) -> PathBuf {
        self.base.join("sandbox")
    }

    /// Everything outside the sandbox: relative path -> (kind, length, mtime, content).
    fn outside_snapshot(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        // The base directory's own entries (names only: recreating the sandbox touches it).
        if let Ok(entries) = std::fs::read_dir(&self.base) {
            for e in entries.flatten() {
                out.insert(format!("base:{}", e.file_name().to_string_lossy()), String::new());
            }
        }
        walk(&self.base.join("outside"), &mut |path, meta| {
            let content = if meta.is_file() { std::fs::read(path).unwrap_or_default() } else { Vec::new() };
            let link = std::fs::read_link(path).map(|p| p.display().to_string()).unwrap_or_default();
            let rel = path.strip_prefix(&self.base).unwrap_or(path).display().to_string();
            out.insert(
                rel,
                format!(
                    "{:?} len {} mtime {:?} link {link} {:x?}",
                    meta.file_type(),
                    meta.len(),
                    meta.modified().ok(),
                    content
                ),
            );
        });
        out
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Visits every entry below `dir` without following links.
fn walk(dir: &Path, f: &mut dyn FnMut(&Path, &std::fs::Metadata)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        f(&path, &meta);
        if meta.is_dir() {
            walk(&path, f);
        }
    }
}

/// Whether the link at `link` (inside `root`) points outside `root`, lexically or when
/// resolved by the host.
/// The reason, and whether the link's own target escapes (rather than its resolution
/// through other links).
fn escapes(root: &Path, link: &Path) -> Option<(String, bool)> {
    let target = std::fs::read_link(link).ok()?;
    if target.is_absolute() {
        return Some((format!("absolute target {}", target.display()), true));
    }
    let parent = link.parent()?.strip_prefix(root).ok()?;
    let mut depth: Vec<String> =
        parent.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for c in target.components() {
        match c {
            Component::ParentDir if depth.pop().is_none() => {
                return Some((format!("target {} climbs out of the sandbox", target.display()), true));
            }
            Component::Normal(n) => depth.push(n.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    let real_root = std::fs::canonicalize(root).ok()?;
    if let Ok(real) = std::fs::canonicalize(link)
        && !real.starts_with(&real_root)
    {
        return Some((format!("resolves to {}", real.display()), false));
    }
    None
}

/// Counters of the WASI target.
#[derive(Debug, Default)]
pub struct Wasi {
    sequences: u64,
    calls: u64,
    errnos: u64,
    violations: u64,
    escapes: u64,
    panics: u64,
}

impl Wasi {
    /// A fresh target.
    pub fn new() -> Wasi {
        Wasi::default()
    }
}

struct Guest {
    store: Store<WasiCtx>,
    instance: Instance,
    memory: Memory,
    fds: Vec<u32>,
}

fn pick_fd(rng: &mut Rng, fds: &[u32]) -> u32 {
    match rng.below(10) {
        0 => rng.below(6) as u32,
        1 => *rng.pick(&[99, 1024, u32::MAX, 0x8000_0000]),
        2 | 3 => 3,
        _ => *rng.pick(fds),
    }
}

impl Guest {
    /// Writes `bytes` at `at` (ignoring failures: the area is in bounds).
    fn put(&mut self, at: u32, bytes: &[u8]) {
        let _ = self.memory.write(&mut self.store, at as usize, bytes);
    }

    /// A pointer that is mostly `good`, sometimes out of bounds or unaligned.
    fn ptr(rng: &mut Rng, good: u32) -> u32 {
        match rng.below(16) {
            0 => MEM_BYTES - rng.below(8) as u32,
            1 => rng.interesting_u32(),
            2 => good + 1,
            _ => good,
        }
    }

    fn args(&mut self, rng: &mut Rng, spec: &[A], log: &mut Vec<String>) -> Vec<Val> {
        let mut vals = Vec::new();
        let mut path_slot = 0;
        for a in spec {
            match a {
                Fd => vals.push(Val::I32(pick_fd(rng, &self.fds) as i32)),
                Path | Target => {
                    let text: Vec<u8> = match rng.below(12) {
                        0 => {
                            let n = rng.index(400);
                            "x".repeat(n).into_bytes()
                        }
                        1 => vec![0xff, 0xfe, b'a'],
                        2 => format!("{}/{}", rng.pick(PATHS), rng.pick(PATHS)).into_bytes(),
                        _ if *a == Target => rng.pick(TARGETS).as_bytes().to_vec(),
                        _ => rng.pick(PATHS).as_bytes().to_vec(),
                    };
                    let at = PATH_AREA[path_slot % 2];
                    path_slot += 1;
                    self.put(at, &text);
                    log.push(format!("{}", String::from_utf8_lossy(&text)));
                    let len = if rng.one_in(16) { rng.interesting_u32() } else { text.len() as u32 };
                    vals.push(Val::I32(Self::ptr(rng, at) as i32));
                    vals.push(Val::I32(len as i32));
                }
                Out => {
                    let good = OUT_AREA + 16 * rng.below(8) as u32;
                    vals.push(Val::I32(Self::ptr(rng, good) as i32));
                }
                Iovs => {
                    let n = rng.below(4) as u32;
                    let mut bytes = Vec::new();
                    for i in 0..n {
                        let ptr = Self::ptr(rng, BUF_AREA + 0x400 * i);
                        let len = if rng.one_in(8) { rng.interesting_u32() } else { rng.below(300) as u32 };
                        bytes.extend_from_slice(&ptr.to_le_bytes());
                        bytes.extend_from_slice(&len.to_le_bytes());
                    }
                    self.put(IOVS_AREA, &bytes);
                    let count = if rng.one_in(16) { rng.interesting_u32() } else { n };
                    vals.push(Val::I32(Self::ptr(rng, IOVS_AREA) as i32));
                    vals.push(Val::I32(count as i32));
                }
                Buf => {
                    let len = if rng.one_in(8) { rng.interesting_u32() } else { rng.below(2000) as u32 };
                    vals.push(Val::I32(Self::ptr(rng, BUF_AREA) as i32));
                    vals.push(Val::I32(len as i32));
                }
                Flags => vals.push(Val::I32(if rng.one_in(6) {
                    rng.interesting_u32()
                } else {
                    rng.below(64) as u32
                } as i32)),
                Any => vals.push(Val::I32(rng.next_u32() as i32)),
                U64 => vals.push(Val::I64(rng.interesting_u64() as i64)),
                Size => vals.push(Val::I64(match rng.below(8) {
                    0 => (1u64 << 62) + rng.below(16),
                    1 => u64::MAX - rng.below(16),
                    _ => rng.below(1 << 20),
                } as i64)),
                Poll => {
                    // Subscriptions of 48 bytes: clocks with short timeouts, fd reads/writes.
                    let n = rng.below(4) as u32;
                    let mut bytes = Vec::new();
                    for i in 0..n {
                        let mut sub = [0u8; 48];
                        sub[..8].copy_from_slice(&u64::from(i).to_le_bytes());
                        let tag = rng.below(4) as u8; // 0 clock, 1 read, 2 write, 3 invalid
                        sub[8] = tag;
                        if tag == 0 {
                            sub[16..20].copy_from_slice(&(rng.below(4) as u32).to_le_bytes());
                            let timeout: u64 = rng.below(200_000); // at most 0.2 ms
                            sub[24..32].copy_from_slice(&timeout.to_le_bytes());
                            sub[40..42].copy_from_slice(&(rng.below(2) as u16).to_le_bytes());
                        } else {
                            let fd = pick_fd(rng, &self.fds);
                            // Never wait on standard input (it could block forever).
                            let fd = if fd == 0 { 3 } else { fd };
                            sub[16..20].copy_from_slice(&fd.to_le_bytes());
                        }
                        bytes.extend_from_slice(&sub);
                    }
                    if n == 0 || rng.one_in(3) {
                        // poll_oneoff with no clock could block on nothing: add a 0 timeout.
                        let mut sub = [0u8; 48];
                        sub[8] = 0;
                        bytes.extend_from_slice(&sub);
                    }
                    let count = (bytes.len() / 48) as u32;
                    self.put(IOVS_AREA, &bytes);
                    vals.push(Val::I32(IOVS_AREA as i32));
                    vals.push(Val::I32(BUF_AREA as i32));
                    vals.push(Val::I32(count as i32));
                    vals.push(Val::I32(OUT_AREA as i32));
                }
            }
        }
        vals
    }
}

fn setup(sandbox: &Sandbox) -> Result<Guest, String> {
    let engine = Engine::default();
    let module = Module::new(&engine, module_text()).map_err(|e| format!("module: {e}"))?;
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).map_err(|e| e.to_string())?;
    let config = WasiConfig::new()
        .args(["fuzz.wasm", "arg"])
        .env("K", "V")
        .preopen_dir(sandbox.sandbox(), "/sandbox")
        .and_then(|c| c.preopen_dir_read_only(sandbox.sandbox().join("ro"), "/ro"))
        .map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, config.build());
    let instance = linker.instantiate(&mut store, &module).map_err(|e| e.to_string())?;
    let memory = instance.get_memory(&store, "memory").map_err(|e| e.to_string())?;
    Ok(Guest { store, instance, memory, fds: vec![0, 1, 2, 3, 4] })
}

impl Wasi {
    /// Makes one call and checks its outcome; returns whether the sequence goes on.
    fn exec(
        &mut self,
        guest: &mut Guest,
        ctx: &mut IterCtx,
        name: &str,
        args: Vec<Val>,
        texts: Vec<String>,
        log: &mut Vec<String>,
    ) -> bool {
        let Ok(func): Result<Func, _> = guest.instance.get_func(&guest.store, name) else { return true };
        let mut out = if name == "proc_exit" { vec![] } else { vec![Val::I32(0)] };
        let r = func.call(&mut guest.store, &args, &mut out);
        self.calls += 1;
        let arg_text: Vec<String> = args.iter().map(|v| format!("{v:?}")).collect();
        let line = format!("{name}({}) paths {texts:?}", arg_text.join(", "));
        match r {
            Err(e) if name == "proc_exit" => {
                if wasi::exit_code(&e) != args[0].i32() {
                    self.violations += 1;
                    ctx.report("violation", true, None, format!("{line}: exit code lost: {e:?}"));
                }
                log.push(format!("{line} -> exit"));
                false
            }
            Err(e) => {
                self.violations += 1;
                ctx.report(
                    "violation",
                    true,
                    None,
                    format!("{line} returned an error: {e:?}\n\n{}", log.join("\n")),
                );
                false
            }
            Ok(()) => {
                let errno = out.first().and_then(Val::i32).unwrap_or(-1);
                log.push(format!("{line} -> errno {errno}"));
                if !(0..=76).contains(&errno) {
                    self.violations += 1;
                    ctx.report("violation", true, None, format!("{line} returned {errno}, not a WASI errno"));
                } else if errno != 0 {
                    self.errnos += 1;
                } else if name == "path_open" {
                    let out_ptr = args[args.len() - 1].i32().unwrap_or(0) as u32;
                    let mut fd = [0u8; 4];
                    if guest.memory.read(&guest.store, out_ptr as usize, &mut fd).is_ok() {
                        guest.fds.push(u32::from_le_bytes(fd));
                    }
                }
                true
            }
        }
    }
}

impl Target for Wasi {
    fn name(&self) -> &'static str {
        "wasi"
    }

    fn run(&mut self, rng: &mut Rng, ctx: &mut IterCtx) {
        self.sequences += 1;
        let sandbox = match Sandbox::new() {
            Ok(s) => s,
            Err(e) => {
                ctx.report("setup", false, None, format!("cannot make the sandbox: {e}"));
                return;
            }
        };
        let before = sandbox.outside_snapshot();
        let mut guest = match setup(&sandbox) {
            Ok(g) => g,
            Err(e) => {
                self.violations += 1;
                ctx.report("violation", true, None, format!("set-up failed: {e}"));
                return;
            }
        };
        let mut log: Vec<String> = Vec::new();
        let steps = 5 + rng.below(40);
        for _ in 0..steps {
            if rng.one_in(6) {
                // Make a link and move it: the way links have escaped before.
                let (target, from, to) = (*rng.pick(TARGETS), *rng.pick(PATHS), *rng.pick(PATHS));
                guest.put(PATH_AREA[0], target.as_bytes());
                guest.put(PATH_AREA[1], from.as_bytes());
                let (t, f) = (PATH_AREA[0] as i32, PATH_AREA[1] as i32);
                let args = vec![
                    Val::I32(t),
                    Val::I32(target.len() as i32),
                    Val::I32(3),
                    Val::I32(f),
                    Val::I32(from.len() as i32),
                ];
                let texts = vec![target.to_string(), from.to_string()];
                if !self.exec(&mut guest, ctx, "path_symlink", args, texts, &mut log) {
                    break;
                }
                guest.put(PATH_AREA[0], from.as_bytes());
                guest.put(PATH_AREA[1], to.as_bytes());
                let name = if rng.one_in(3) { "path_link" } else { "path_rename" };
                let (from_len, to_len) = (Val::I32(from.len() as i32), Val::I32(to.len() as i32));
                let mut args = vec![Val::I32(3), Val::I32(t), from_len, Val::I32(3), Val::I32(f), to_len];
                if name == "path_link" {
                    args.insert(1, Val::I32(0)); // lookup flags: do not follow
                }
                let texts = vec![from.to_string(), to.to_string()];
                if !self.exec(&mut guest, ctx, name, args, texts, &mut log) {
                    break;
                }
                continue;
            }
            // Mostly file-system calls, which is where the sandbox matters.
            let (name, spec) = if rng.one_in(3) { *rng.pick(CALLS) } else { *rng.pick(&CALLS[29..40]) };
            if name == "proc_exit" && !rng.one_in(4) {
                continue;
            }
            let mut texts = Vec::new();
            let args = guest.args(rng, spec, &mut texts);
            if !self.exec(&mut guest, ctx, name, args, texts, &mut log) {
                break;
            }
        }
        drop(guest);
        // Nothing outside may have changed.
        let after = sandbox.outside_snapshot();
        if before != after {
            self.escapes += 1;
            let changed: Vec<String> = before
                .iter()
                .filter(|(k, v)| after.get(*k) != Some(v))
                .map(|(k, _)| format!("changed or removed: {k}"))
                .chain(after.keys().filter(|k| !before.contains_key(*k)).map(|k| format!("created: {k}")))
                .collect();
            ctx.report(
                "escape",
                true,
                None,
                format!(
                    "the world outside the sandbox changed:\n{}\n\ncalls:\n{}",
                    changed.join("\n"),
                    log.join("\n")
                ),
            );
        }
        // No link in the sandbox may point outside it.
        let root = sandbox.sandbox();
        let mut escaping = Vec::new();
        walk(&root, &mut |path, meta| {
            if meta.file_type().is_symlink()
                && let Some(why) = escapes(&root, path)
            {
                let rel = path.strip_prefix(&root).unwrap_or(path).display().to_string();
                escaping.push((rel, why.0, why.1));
            }
        });
        // A link whose own target stays inside but that resolves outside through another
        // (escaping) link is a consequence of that one: report it only if no link escapes
        // by its own target.
        let lexical = escaping.iter().any(|(_, why, own)| *own && !why.is_empty());
        for (rel, why, own) in escaping {
            if !own && lexical {
                continue;
            }
            self.escapes += 1;
            ctx.report(
                "escape",
                true,
                None,
                format!(
                    "symbolic link `{rel}` in the sandbox escapes it: {why}\n\ncalls:\n{}",
                    log.join("\n")
                ),
            );
        }
    }

    fn count_panic(&mut self) {
        self.panics += 1;
    }

    fn failures(&self) -> u64 {
        self.panics + self.violations + self.escapes
    }

    fn summary(&self, seed: u64) -> String {
        format!(
            "wasi: seed {seed}, {} sequences, {} calls ({} returned an errno), {} violations, {} escapes, {} panics",
            self.sequences, self.calls, self.errnos, self.violations, self.escapes, self.panics
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_validates() {
        let engine = Engine::default();
        Module::new(&engine, module_text()).unwrap();
    }

    #[test]
    fn fs_calls_slice_is_the_path_calls() {
        assert_eq!(CALLS[29].0, "fd_write");
        assert_eq!(CALLS[39].0, "path_unlink_file");
    }
}
