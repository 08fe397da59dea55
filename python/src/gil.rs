//! When a call releases the GIL while wasm runs.
//!
//! Releasing and re-taking the GIL costs about as much as a whole call of a small wasm
//! function (measured: ~57 ns of ~280 ns for `add(i32, i32)`), so by default a call starts
//! with the GIL *held* and gives it up lazily: the store's interrupt callback, which fires
//! every [`crate::shared::POLL`] while wasm runs, releases it. Short calls never touch the GIL;
//! a long call holds it for at most one poll interval (like Python's own switch interval),
//! then runs with it released until it returns. Runtimes with WASI, whose host calls may
//! block (stdin, `poll_oneoff`), release it eagerly at the start of every call.
//!
//! While a call runs, the thread's state is kept here, in thread-locals:
//! * [`run_wasm`] marks the extent of a call and re-takes the GIL at its end if it was given up;
//! * [`release`] gives the GIL up (from the interrupt callback, or at once in eager mode);
//! * [`attach`] re-takes it for Python code that runs during a call (host functions, Python
//!   streams of WASI, the Ctrl-C check).
//!
//! pyo3 is not told about a lazy release: its attach count stays positive for the whole call,
//! because the call runs inside a `#[pymethods]` function. That is sound because nothing on
//! this thread touches Python between [`release`] and the next [`attach`]: during a call only
//! the executor, WASI (Rust) and the interrupt callback run, and every path from them into
//! Python goes through [`attach`]. In particular no Python object is dropped while released:
//! the store keeps every object wasm can reach alive (unreachable ones are freed only between
//! calls, with the GIL held), errors that carry a Python exception are only moved until
//! [`run_wasm`] returns, and an exception a WASI stream raises is recorded (or dropped) while
//! [`attach`] holds the GIL.

use pyo3::ffi;
use pyo3::prelude::*;
use std::cell::Cell;

/// One thread's state while it runs wasm. Each field is a `Cell` of its own: a call reads and
/// writes only the fields it changes (copying the whole state in and out costs a call about
/// two dozen instructions).
struct CallState {
    /// Calls under way on this thread (nested through host functions).
    depth: Cell<u32>,
    /// The thread state saved by a lazy release (null: the GIL is held).
    released: Cell<*mut ffi::PyThreadState>,
    /// Give the GIL up at the start of the call and after each Python host call.
    eager: Cell<bool>,
    /// Whether this is Python's main thread (the only one that handles signals), once known.
    main_thread: Cell<Option<bool>>,
}

thread_local! {
    static STATE: CallState = const {
        CallState {
            depth: Cell::new(0),
            released: Cell::new(std::ptr::null_mut()),
            eager: Cell::new(false),
            main_thread: Cell::new(None),
        }
    };
}

/// Runs `f`, which executes wasm, on a thread that holds the GIL (`py` proves it). `eager`:
/// release the GIL at once (and after each Python host call) instead of lazily. The GIL is
/// held again when this returns, also if `f` panics.
pub(crate) fn run_wasm<R>(py: Python<'_>, eager: bool, f: impl FnOnce() -> R) -> R {
    /// Re-takes the GIL and restores the outer call's state when the call ends.
    struct EndCall<'a> {
        state: &'a CallState,
        outer_eager: bool,
    }
    impl Drop for EndCall<'_> {
        fn drop(&mut self) {
            reacquire(self.state);
            self.state.depth.set(self.state.depth.get() - 1);
            self.state.eager.set(self.outer_eager);
        }
    }

    // One thread-local access per call: they are not free in a shared library.
    STATE.with(|state| {
        debug_assert!(state.released.get().is_null(), "run_wasm on a thread that gave up the GIL");
        if state.main_thread.get().is_none() {
            state.main_thread.set(Some(main_thread_check(py)));
        }
        state.depth.set(state.depth.get() + 1);
        let _end = EndCall { state, outer_eager: state.eager.replace(eager) };
        if eager {
            release_in(state);
        }
        f()
    })
}

/// Gives up the GIL if this thread runs wasm (inside [`run_wasm`]) and holds it; else nothing.
pub(crate) fn release() {
    STATE.with(release_in);
}

fn release_in(state: &CallState) {
    if state.depth.get() > 0 && state.released.get().is_null() {
        // SAFETY: inside `run_wasm` with `released` null, this thread holds the GIL (it held
        // it on entry, and every path that gave it up since stored the thread state here).
        // Nothing on this thread uses Python until `reacquire` restores it (module docs).
        state.released.set(unsafe { ffi::PyEval_SaveThread() });
    }
}

/// Re-takes the GIL if this thread gave it up in [`release`].
fn reacquire(state: &CallState) {
    let released = state.released.get();
    if !released.is_null() {
        // SAFETY: `released` came from `PyEval_SaveThread` on this thread and has not been
        // restored since (it is cleared right after restoring).
        unsafe { ffi::PyEval_RestoreThread(released) };
        state.released.set(std::ptr::null_mut());
    }
}

/// Runs Python code `f` during a call: re-takes the GIL if it was given up, and in eager mode
/// gives it up again afterwards. Outside calls it is `Python::attach`.
pub(crate) fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    STATE.with(reacquire);
    let r = Python::attach(f);
    STATE.with(|state| {
        if state.eager.get() {
            release_in(state);
        }
    });
    r
}

/// Whether this thread is running wasm with the GIL held.
pub(crate) fn holds_gil_in_call() -> bool {
    STATE.with(|state| state.depth.get() > 0 && state.released.get().is_null())
}

/// Whether this is Python's main thread (where signal handlers run), as recorded by the first
/// call on this thread.
pub(crate) fn is_main_thread() -> bool {
    STATE.with(|state| state.main_thread.get().unwrap_or(false))
}

fn main_thread_check(py: Python<'_>) -> bool {
    let check = || -> PyResult<bool> {
        let threading = py.import("threading")?;
        Ok(threading.call_method0("main_thread")?.is(&threading.call_method0("current_thread")?))
    };
    check().unwrap_or(false)
}
