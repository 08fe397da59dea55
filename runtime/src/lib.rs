//! # epsilon
//!
//! An embeddable WebAssembly 2.0 interpreter, with multi-memory, tail calls, extended constant
//! expressions, relaxed SIMD, memory64 and exception handling from WebAssembly 3.0 (see
//! [`Config`]; exceptions: [`Tag`], [`Exception`], [`Error::exception`]). Modules are decoded and
//! validated with `wasmparser`, every function is translated once into a compact register-based
//! IR, and that IR is executed by a dispatch loop that never recurses on the native stack.
//!
//! ```
//! use epsilon::{Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"
//!     (module
//!       (func (export "fib") (param i32) (result i32)
//!         (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
//!           (then (local.get 0))
//!           (else (i32.add
//!             (call 0 (i32.sub (local.get 0) (i32.const 1)))
//!             (call 0 (i32.sub (local.get 0) (i32.const 2))))))))
//! "#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
//! let fib = instance.get_typed_func::<i32, i32>(&store, "fib")?;
//! assert_eq!(fib.call(&mut store, 20)?, 6765);
//! # Ok::<(), epsilon::Error>(())
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod backtrace;
mod config;
mod engine;
mod error;
mod exec;
mod exn;
mod extern_heap;
mod func;
mod global;
mod instance;
mod interrupt;
mod ir;
mod linker;
mod memory;
mod module;
mod native_stack;
mod semantics;
mod store;
mod table;
mod translate;
mod trap;
mod types;
mod value;
#[cfg(all(feature = "wasi", unix))]
pub mod wasi;

pub use backtrace::{FrameInfo, MAX_BACKTRACE_FRAMES, WasmBacktrace};
pub use config::Config;
pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use exn::{Exception, ExnRef, Tag};
pub use func::{Caller, Func, HostReturn, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use global::Global;
pub use instance::{Extern, Instance, InstanceLimits};
pub use interrupt::{InterruptAction, InterruptCallback, InterruptHandle};
pub use linker::Linker;
pub use memory::{Memory, PAGE_SIZE};
pub use module::Module;
pub use store::{AsContext, AsContextMut, Store};
pub use table::Table;
pub use trap::TrapKind;
pub use types::{
    ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, MemoryType, Mutability, RefType,
    TableType, TagType, ValType,
};
pub use value::{ExternRef, F32, F64, V128, Val};

#[doc(hidden)]
pub mod __private {
    pub use crate::store::{StoreId, StoreInner};
}

/// The version of this crate.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The dispatch backend this build of the executor uses: `"threaded"` (each op handler jumps to
/// the next; optimised builds on x86_64, aarch64, riscv64, loongarch64) or `"portable"` (a loop
/// around a `match`; other builds, or the `portable-dispatch` feature). Both run the same
/// handlers and give the same results.
pub fn dispatch_backend() -> &'static str {
    exec::BACKEND
}

/// The README's Rust examples, compiled and run as doc-tests (its WASI example needs the
/// default feature `wasi`).
#[cfg(all(doctest, feature = "wasi", unix))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
