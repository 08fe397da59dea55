//! WASI preview 1 (`wasi_snapshot_preview1`): run programs compiled for `wasm32-wasi`.
//!
//! The WASI functions are ordinary host functions defined on a [`Linker`] with
//! [`add_to_linker`]; they reach the calling module's exported `memory` through
//! [`Caller`](crate::Caller)
//! and their state, a [`WasiCtx`], through the store's data. Nothing in the interpreter
//! knows about WASI.
//!
//! ```
//! use epsilon::wasi::{self, OutputBuffer, WasiConfig};
//! use epsilon::{Engine, Module};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"
//!     (module
//!       (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
//!       (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
//!       (memory (export "memory") 1)
//!       (data (i32.const 16) "hello\n")
//!       (func (export "_start")
//!         (i32.store (i32.const 0) (i32.const 16))    ;; iovec: buf = 16
//!         (i32.store (i32.const 4) (i32.const 6))     ;;        len = 6
//!         (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
//!         (call $exit (i32.const 3))))
//! "#)?;
//! let stdout = OutputBuffer::new();
//! let config = WasiConfig::new().arg("hello.wasm").stdout_buffer(stdout.clone());
//! let code = wasi::run(&module, config)?;
//! assert_eq!((code, stdout.contents()), (3, b"hello\n".to_vec()));
//! # Ok::<(), epsilon::Error>(())
//! ```
//!
//! # The sandbox
//!
//! A program sees only the directories preopened in its [`WasiConfig`]. Every path is
//! resolved component by component relative to a directory handle: absolute paths are
//! refused, `..` cannot climb above the directory the path is relative to, and a symbolic link
//! is followed only if its target stays inside it (else `ENOTCAPABLE`). Read-only preopens
//! refuse every call that would create, write, rename, remove or change metadata with
//! `ENOTCAPABLE`, the WASI answer to missing rights.
//!
//! # Errors and exits
//!
//! A bad pointer or length from the guest is `EFAULT` (or `EINVAL`), never a host panic or a
//! trap; calls that are not implemented (`proc_raise`, `sock_*`) return `ENOSYS`.
//! `proc_exit(n)` ends the program with an error carrying [`WasiExit`]; [`exit_code`],
//! [`call_start`] and [`run`] turn it back into the exit code `n`.

mod abi;
mod clock;
mod config;
mod ctx;
mod errno;
mod fd;
mod fd_ops;
mod mem;
mod path_ops;
mod poll;
mod sandbox;
mod stdio;
mod syscalls;
mod wait;

pub use config::WasiConfig;
pub use ctx::WasiCtx;
pub use stdio::{InterruptibleRead, OutputBuffer};
pub use syscalls::{MODULE, implemented, unimplemented};

use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::instance::Instance;
use crate::linker::Linker;
use crate::module::Module;
use crate::store::{AsContextMut, Store};
use std::sync::Arc;

/// The error `proc_exit` raises to end the program: it unwinds the wasm stack and reaches the
/// embedder wrapped in an [`Error`] of kind [`ErrorKind::Host`]. [`exit_code`] extracts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasiExit(pub i32);

impl std::fmt::Display for WasiExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the program exited with code {}", self.0)
    }
}

impl std::error::Error for WasiExit {}

/// Defines every `wasi_snapshot_preview1` function in `linker`. `get` finds the [`WasiCtx`]
/// in the store's data; it may pick one of several contexts (one per instance, say).
///
/// ```
/// use epsilon::wasi::{self, WasiConfig, WasiCtx};
/// use epsilon::{Engine, Linker, Store};
///
/// struct Host { wasi: WasiCtx, requests: u32 }
///
/// let engine = Engine::default();
/// let mut linker = Linker::new(&engine);
/// wasi::add_to_linker(&mut linker, |host: &mut Host| &mut host.wasi)?;
/// let store = Store::new(&engine, Host { wasi: WasiConfig::new().build(), requests: 0 });
/// # let _ = store;
/// # Ok::<(), epsilon::Error>(())
/// ```
///
/// # Errors
/// If a WASI name is already defined in `linker` and shadowing is off.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + 'static,
) -> Result<()> {
    syscalls::define(linker, Arc::new(get))
}

/// The exit code an error carries if it is a `proc_exit`.
pub fn exit_code(error: &Error) -> Option<i32> {
    error.downcast_ref::<WasiExit>().map(|exit| exit.0)
}

/// Calls the command's `_start` and returns its exit code: 0 when `_start` returns, `n` after
/// `proc_exit(n)`.
///
/// # Errors
/// If the instance has no `_start: [] -> []` export, or the program traps or fails otherwise.
pub fn call_start<T>(mut store: impl AsContextMut<Data = T>, instance: &Instance) -> Result<i32> {
    let store = store.as_context_mut();
    let start = instance.get_typed_func::<(), ()>(&*store, "_start").map_err(|e| {
        Error::new(ErrorKind::Usage, format!("not a WASI command: no `_start` function to run ({e})"))
    })?;
    match start.call(store, ()) {
        Ok(()) => Ok(0),
        Err(e) => exit_code(&e).ok_or(e),
    }
}

/// Runs a WASI command in a fresh store: instantiates `module` with the WASI functions of a
/// context built from `config`, calls `_start` and returns the exit code (see [`call_start`]).
///
/// # Errors
/// Link errors (an import that is neither WASI nor otherwise provided), traps, or a missing
/// `_start`.
pub fn run(module: &Module, config: WasiConfig) -> Result<i32> {
    let engine: &Engine = module.engine();
    let mut linker = Linker::new(engine);
    add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
    let mut store = Store::new(engine, config.build());
    let instance = linker.instantiate(&mut store, module)?;
    call_start(&mut store, &instance)
}
