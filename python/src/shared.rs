//! The state one `Runtime` shares with its modules and objects: the engine, the store behind a
//! mutex, and the machinery for timeouts, interrupts and Ctrl-C.
//!
//! # Locking and re-entrancy
//!
//! Every access to a store goes through [`Shared::with_store`]. It takes the store's mutex
//! (releasing the GIL while it waits, so a thread running wasm can always re-take the GIL for a
//! host function) and records which thread holds it.
//!
//! A Python host function runs while the call that invoked it holds the mutex. If it calls back
//! into the same runtime, locking again would deadlock; instead the host trampoline publishes the
//! `Caller`'s store pointer (`Shared::reentry`) for the duration of the Python call, and
//! `with_store` on the thread that holds the mutex (`Shared::holder`, compared by Python thread
//! state) uses that pointer. Any other re-entry while the store is held (for example from
//! `__index__` of an argument, or a signal handler) finds no published pointer and raises an
//! error instead of deadlocking or aliasing the store.

use crate::args::CallOpts;
use crate::errors::{self, Class, HostException};
use crate::gil;
use epsilon::{ErrorKind, InterruptAction, InterruptHandle, Store, TrapKind};
use pyo3::ffi;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// The store type of every runtime.
pub(crate) type PyStore = Store<HostData>;

/// How often the interrupt callback runs while wasm runs: the longest a call holds the GIL
/// before giving it up (see `gil`), and how often it checks its timeout.
pub(crate) const POLL: Duration = Duration::from_millis(5);

/// How long `Runtime.close()` waits for a call running on another thread to stop before it
/// returns (the store is then freed when that call returns).
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// How often a call that gave the GIL up re-takes it to check for Ctrl-C (on the main thread):
/// re-taking may wait for a busy Python thread, so it is rarer than `POLL`.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Data the binding keeps inside the store.
#[derive(Default)]
pub(crate) struct HostData {
    /// Python objects handed to wasm as `externref`, by object address. The `Py` kept in the
    /// store keeps the object alive, so an address names one object until the store frees it
    /// (when wasm no longer references it; its entry here goes at the same time).
    pub externs: HashMap<usize, epsilon::ExternRef>,
    /// Modules made importable with `Runtime.register`.
    pub registered: HashMap<String, epsilon::Instance>,
    /// The WASI contexts of the modules instantiated with `wasi=` (see `wasi.rs`).
    pub wasi: Vec<epsilon::wasi::WasiCtx>,
    /// Each instance's "module closed" flag, for functions that come out of tables and
    /// globals: calling one of a closed module raises, as for its exports.
    pub closed_flags: HashMap<epsilon::Instance, Arc<AtomicBool>>,
}

/// Why the interrupt callback stopped a call.
#[derive(Debug)]
enum Stop {
    Timeout(Duration),
    Interrupt,
    Signal(PyErr),
    /// `Runtime.close()` was called while the call ran.
    Closed,
}

/// State shared between a runtime and its store's interrupt callback.
#[derive(Default)]
pub(crate) struct CallControl {
    /// Set by `interrupt()` while a call runs; consumed by the next interrupt check, and
    /// cleared when the next outermost call starts (a request never outlives its call).
    interrupt_requested: AtomicBool,
    /// Calls running on the store (nested ones, through host functions, included).
    active: AtomicUsize,
    /// Set by `close()`: every running call stops.
    closing: AtomicBool,
    state: Mutex<ControlState>,
}

#[derive(Default)]
struct ControlState {
    /// The deadlines of the calls active on the store (nested calls push their own).
    deadlines: Vec<(Instant, Duration)>,
    stop: Option<Stop>,
    /// When a call last re-took the GIL to check for signals.
    last_signal_check: Option<Instant>,
}

impl CallControl {
    fn lock(&self) -> MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The interrupt callback: runs on the thread executing wasm whenever the store's interrupt
    /// flag fires (a deadline passed or `interrupt()` was called).
    fn on_interrupt(&self, handle: &InterruptHandle) -> InterruptAction {
        let now = Instant::now();
        let earliest = self.lock().deadlines.iter().min_by_key(|d| d.0).copied();
        // Whatever happens, keep the polling chain going: a call that stops here must not leave
        // later calls without Ctrl-C checks, GIL release and timeouts.
        let next = now + POLL;
        handle.set_deadline(Some(earliest.map_or(next, |(at, _)| at.min(next))));
        if self.closing.load(Ordering::SeqCst) {
            self.stop(Stop::Closed);
            return InterruptAction::Trap;
        }
        if self.interrupt_requested.swap(false, Ordering::SeqCst) {
            self.stop(Stop::Interrupt);
            return InterruptAction::Trap;
        }
        if let Some((at, timeout)) = earliest
            && now >= at
        {
            self.stop(Stop::Timeout(timeout));
            return InterruptAction::Trap;
        }
        // Only the main thread handles signals. With the GIL held the check is cheap; once it
        // was given up, re-take it for the check only every `SIGNAL_POLL`.
        if gil::is_main_thread()
            && (gil::holds_gil_in_call() || self.signal_check_due(now))
            && let Err(err) = gil::attach(|py| py.check_signals())
        {
            self.stop(Stop::Signal(err));
            return InterruptAction::Trap;
        }
        // The call has run for up to a poll interval: let other Python threads run.
        gil::release();
        InterruptAction::Continue
    }

    /// Records why the call stops. A stale reason holding a Python exception is dropped with
    /// the GIL held (this runs during a call, possibly with the GIL given up).
    fn stop(&self, why: Stop) {
        let stale = self.lock().stop.replace(why);
        if let Some(Stop::Signal(err)) = stale {
            gil::attach(|_| drop(err));
        }
    }

    /// Whether a signal check is due (and, if so, records it as done now).
    fn signal_check_due(&self, now: Instant) -> bool {
        let mut state = self.lock();
        let due = state.last_signal_check.is_none_or(|last| now >= last + SIGNAL_POLL);
        if due {
            state.last_signal_check = Some(now);
        }
        due
    }

    fn take_stop(&self) -> Option<Stop> {
        self.lock().stop.take()
    }
}

/// The settings that make one runtime's engine differ from another's. Runtimes with equal
/// settings share an engine, so a `CompiledModule` made for one is instantiated in the others
/// without translating it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct EngineKey {
    pub fuel: bool,
    pub multi_memory: bool,
    pub tail_call: bool,
    pub extended_const: bool,
    pub relaxed_simd: bool,
    pub memory64: bool,
    pub function_references: bool,
    pub exceptions: bool,
    pub max_call_depth: Option<usize>,
    /// The ceiling of every memory in pages (0: none).
    pub max_memory_pages: u32,
}

impl Default for EngineKey {
    /// The settings of `Runtime()` and `epsilon.compile`.
    fn default() -> Self {
        EngineKey {
            fuel: false,
            multi_memory: true,
            tail_call: true,
            extended_const: true,
            relaxed_simd: true,
            memory64: true,
            function_references: true,
            exceptions: true,
            max_call_depth: None,
            max_memory_pages: 0,
        }
    }
}

/// An engine shared by the runtimes and compiled modules with the same settings.
#[derive(Debug)]
pub(crate) struct SharedEngine {
    pub key: EngineKey,
    pub engine: epsilon::Engine,
}

impl SharedEngine {
    /// The engine for `key`: the one in use by some runtime or compiled module, or a new one.
    /// Unused engines are freed (the cache holds them weakly).
    pub(crate) fn get(key: EngineKey) -> Arc<SharedEngine> {
        static ENGINES: Mutex<Vec<std::sync::Weak<SharedEngine>>> = Mutex::new(Vec::new());
        let mut engines = ENGINES.lock().unwrap_or_else(PoisonError::into_inner);
        engines.retain(|e| e.strong_count() > 0);
        if let Some(e) = engines.iter().filter_map(std::sync::Weak::upgrade).find(|e| e.key == key) {
            return e;
        }
        let mut config = epsilon::Config::new();
        // Every runtime is interruptible: timeouts, `interrupt()` and Ctrl-C need it.
        config
            .interruptible(true)
            .consume_fuel(key.fuel)
            .multi_memory(key.multi_memory)
            .tail_call(key.tail_call)
            .extended_const(key.extended_const)
            .relaxed_simd(key.relaxed_simd)
            .memory64(key.memory64)
            .function_references(key.function_references)
            .exceptions(key.exceptions);
        if key.max_memory_pages != 0 {
            config.max_memory_pages(key.max_memory_pages);
        }
        if let Some(depth) = key.max_call_depth {
            config.max_call_depth(depth);
        }
        let e = Arc::new(SharedEngine { key, engine: epsilon::Engine::new(config) });
        engines.push(Arc::downgrade(&e));
        e
    }
}

/// Everything one `Runtime` and its objects share.
pub(crate) struct Shared {
    pub id: u64,
    pub engine: epsilon::Engine,
    /// Keeps `engine` in the cache of shared engines while the runtime lives.
    pub shared_engine: Arc<SharedEngine>,
    store: Mutex<Option<PyStore>>,
    /// The Python thread state of the thread holding `store`'s mutex (null: none).
    holder: AtomicPtr<ffi::PyThreadState>,
    /// While a call runs a Python host function: that call's store, for re-entry from the
    /// same thread (see the module docs).
    reentry: AtomicPtr<PyStore>,
    closed: AtomicBool,
    ctl: Arc<CallControl>,
    handle: InterruptHandle,
    pub fuel_enabled: bool,
    pub default_timeout: Option<Duration>,
    /// The runtime's default page ceiling for each module's memories (0: none).
    pub max_memory_pages: u32,
    /// Buffers exported over memories and not yet released.
    buffers: AtomicUsize,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Carries a `MutexGuard` out of `Python::detach`, whose closure runs on the calling thread.
struct SendGuard<'a>(MutexGuard<'a, Option<PyStore>>);

// SAFETY: `MutexGuard` is not `Send` because a mutex must be unlocked by the thread that locked
// it. `Python::detach` runs its closure on the current thread and returns on it, so the guard
// never changes threads; `Send` is only needed to satisfy `detach`'s `Ungil` bound.
unsafe impl Send for SendGuard<'_> {}

/// Stores a value back into an `AtomicPtr` when dropped.
struct RestoreOnDrop<'a, T>(&'a AtomicPtr<T>, *mut T);

impl<T> Drop for RestoreOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.store(self.1, Ordering::Release);
    }
}

/// The Python thread state of the current thread: identifies it while it holds the GIL.
fn current_thread(_py: Python<'_>) -> *mut ffi::PyThreadState {
    // SAFETY: the `Python` token proves this thread is attached, which is all
    // `PyThreadState_Get` requires; it then returns the (non-null) current thread state.
    unsafe { ffi::PyThreadState_Get() }
}

impl Shared {
    pub(crate) fn new(
        shared_engine: Arc<SharedEngine>,
        fuel: Option<u64>,
        default_timeout: Option<Duration>,
        max_memory_pages: u32,
    ) -> PyResult<Arc<Shared>> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let engine = shared_engine.engine.clone();
        let mut store = Store::new(&engine, HostData::default());
        if let Some(fuel) = fuel {
            store.set_fuel(fuel).map_err(|e| Python::attach(|py| errors::from_epsilon(py, &e)))?;
        }
        let ctl = Arc::new(CallControl::default());
        let callback_ctl = ctl.clone();
        store.set_interrupt_callback(Some(Box::new(move |handle| callback_ctl.on_interrupt(handle))));
        // Start the Ctrl-C polling chain: each firing re-arms the next one from the callback.
        store.set_timeout(POLL);
        let handle = store.interrupt_handle();
        Ok(Arc::new(Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            engine,
            shared_engine,
            store: Mutex::new(Some(store)),
            holder: AtomicPtr::new(std::ptr::null_mut()),
            reentry: AtomicPtr::new(std::ptr::null_mut()),
            closed: AtomicBool::new(false),
            ctl,
            handle,
            fuel_enabled: fuel.is_some(),
            default_timeout,
            max_memory_pages,
            buffers: AtomicUsize::new(0),
        }))
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Runs `f` with exclusive access to the store (see the module docs).
    pub(crate) fn with_store<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut PyStore) -> PyResult<R>,
    ) -> PyResult<R> {
        if self.is_closed() {
            return Err(errors::closed(py, "Runtime"));
        }
        self.with_store_even_if_closed(py, f)
    }

    fn with_store_even_if_closed<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut PyStore) -> PyResult<R>,
    ) -> PyResult<R> {
        let mut guard = match self.store.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                if self.holder.load(Ordering::Acquire) == current_thread(py) {
                    return self.reenter(py, f);
                }
                py.detach(|| SendGuard(self.store.lock().unwrap_or_else(PoisonError::into_inner))).0
            }
        };
        let store = guard.as_mut().ok_or_else(|| errors::closed(py, "Runtime"))?;
        self.holder.store(current_thread(py), Ordering::Release);
        // No call runs and no value is in flight: a good moment to free the Python objects
        // wasm no longer references (dropped below, once the store is unlocked).
        let freed = if store.externref_collection_due() { collect_externrefs(store) } else { None };
        let result = {
            // Dropped (clearing the holder) before the unlock.
            let _holder = RestoreOnDrop(&self.holder, std::ptr::null_mut());
            f(store)
        };
        drop(guard);
        drop(freed);
        if self.is_closed() {
            // `close()` ran while we held the store (from another thread, which stopped our
            // call, or from a host function of ours): the store is freed now.
            self.free_if_unused(py, Duration::ZERO);
        }
        result
    }

    /// `with_store` on the thread that already holds the store.
    fn reenter<R>(&self, py: Python<'_>, f: impl FnOnce(&mut PyStore) -> PyResult<R>) -> PyResult<R> {
        // Take the published store: while `f` runs, a further re-entry that is not through a new
        // host call finds null and fails instead of aliasing `f`'s reference.
        let ptr = self.reentry.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if ptr.is_null() {
            return errors::fail(
                py,
                Class::Base,
                "the runtime is in use on this thread and cannot be re-entered here \
                 (only Python host functions may call back into their runtime)",
            );
        }
        let _restore = RestoreOnDrop(&self.reentry, ptr);
        // SAFETY: a non-null `reentry` is published only by `enter_host`, from the `Caller` of
        // the call running on the thread that holds the store's mutex (we checked that this is
        // the current thread), for exactly the duration of its Python host function; it is
        // restored before the trampoline touches the `Caller` again. So the call that owns the
        // store is suspended below us on this very stack, and every other reference to the store
        // (the executor's, the `Caller`) is dormant until we return. We took the pointer out of
        // `reentry`, so nothing else can obtain it while our reference lives, except a new host
        // call made by `f`, which reborrows from our reference and restores it before returning.
        let store = unsafe { &mut *ptr };
        f(store)
    }

    /// Closes the runtime: later uses raise "Runtime is closed", and a call running on another
    /// thread stops at its next function entry or loop iteration with a `Trap`. The store is
    /// freed now if no memory buffer is exported and the running call (if any) stops within
    /// `CLOSE_WAIT`; otherwise when that call returns, the last buffer is released or the last
    /// object is dropped.
    pub(crate) fn close(&self, py: Python<'_>) {
        self.closed.store(true, Ordering::Release);
        self.ctl.closing.store(true, Ordering::SeqCst);
        self.handle.interrupt();
        self.free_if_unused(py, CLOSE_WAIT);
    }

    /// Frees the store unless a buffer is exported or a call of this thread holds it, waiting
    /// at most `wait` for a call on another thread to end.
    fn free_if_unused(&self, py: Python<'_>, wait: Duration) {
        if self.buffers.load(Ordering::Acquire) != 0
            || self.holder.load(Ordering::Acquire) == current_thread(py)
        {
            return;
        }
        let store = {
            let Some(mut guard) = self.lock_within(py, wait) else { return };
            if self.buffers.load(Ordering::Acquire) != 0 {
                return;
            }
            guard.take()
        };
        // Dropped after the mutex is released: dropping Python objects may run arbitrary code.
        drop(store);
    }

    /// Locks the store, waiting at most `wait` (with the GIL released) for another thread.
    fn lock_within(&self, py: Python<'_>, wait: Duration) -> Option<MutexGuard<'_, Option<PyStore>>> {
        match self.store.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) if wait.is_zero() => return None,
            Err(TryLockError::WouldBlock) => {}
        }
        let until = Instant::now() + wait;
        py.detach(|| {
            loop {
                match self.store.try_lock() {
                    Ok(guard) => return Some(SendGuard(guard)),
                    Err(TryLockError::Poisoned(p)) => return Some(SendGuard(p.into_inner())),
                    Err(TryLockError::WouldBlock) if Instant::now() >= until => return None,
                    Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(1)),
                }
            }
        })
        .map(|g| g.0)
    }

    /// Records a buffer export (the caller has pinned the memory).
    pub(crate) fn buffer_exported(&self) {
        self.buffers.fetch_add(1, Ordering::AcqRel);
    }

    /// Releases a buffer export: runs `unpin` on the store, even if the runtime was closed.
    pub(crate) fn buffer_released(&self, py: Python<'_>, unpin: impl FnOnce(&mut PyStore)) {
        let _ = self.with_store_even_if_closed(py, |store| {
            unpin(store);
            Ok(())
        });
        if self.buffers.fetch_sub(1, Ordering::AcqRel) == 1 && self.is_closed() {
            self.free_if_unused(py, Duration::ZERO);
        }
    }

    /// Asks the call running at this moment to stop with a `Trap`; with none running, does
    /// nothing (the rule of `epsilon::InterruptHandle::interrupt`).
    pub(crate) fn interrupt(&self) {
        if self.ctl.active.load(Ordering::Acquire) == 0 {
            return;
        }
        self.ctl.interrupt_requested.store(true, Ordering::SeqCst);
        self.handle.interrupt();
    }

    /// Runs `f` (which executes wasm), giving the GIL up while it runs (see `gil`), applying
    /// the per-call timeout and fuel budget, and converts its error.
    pub(crate) fn run<R>(
        self: &Arc<Self>,
        py: Python<'_>,
        store: &mut PyStore,
        opts: CallOpts,
        f: impl FnOnce(&mut PyStore) -> epsilon::Result<R>,
    ) -> PyResult<R> {
        let fuel_plan = match opts.fuel {
            None => None,
            Some(budget) => {
                if !self.fuel_enabled {
                    return errors::fail(
                        py,
                        Class::Base,
                        "fuel metering is off for this runtime: create it with Runtime(fuel=...)",
                    );
                }
                let saved = store.get_fuel().unwrap_or(0);
                let budget = budget.min(saved);
                let _ = store.set_fuel(budget);
                Some((saved, budget))
            }
        };
        let timeout = opts.timeout.or(self.default_timeout);
        let deadline = timeout.and_then(|t| {
            let now = Instant::now();
            let at = now.checked_add(t)?;
            self.ctl.lock().deadlines.push((at, t));
            store.set_deadline(Some(at.min(now + POLL)));
            Some(at)
        });
        // Only the thread holding the store changes `active`: a load and a store suffice.
        let active = self.ctl.active.load(Ordering::Acquire);
        self.ctl.active.store(active + 1, Ordering::Release);
        if active == 0 && self.ctl.interrupt_requested.load(Ordering::Relaxed) {
            // A request left over from an earlier call (made after its last check) is dropped
            // (tested first: a sequentially consistent store costs a fence on every call).
            self.ctl.interrupt_requested.store(false, Ordering::SeqCst);
        }
        // Runtimes with WASI give the GIL up at once: their host calls may block.
        let eager = !store.data().wasi.is_empty();
        let outcome = gil::run_wasm(py, eager, || catch_unwind(AssertUnwindSafe(|| f(&mut *store))));
        self.ctl.active.store(active, Ordering::Release);
        if let Some(at) = deadline {
            let mut state = self.ctl.lock();
            if let Some(i) = state.deadlines.iter().rposition(|d| d.0 == at) {
                state.deadlines.remove(i);
            }
        }
        if let Some((saved, budget)) = fuel_plan {
            let left = store.get_fuel().unwrap_or(0);
            let _ = store.set_fuel(saved.saturating_sub(budget.saturating_sub(left)));
        }
        match outcome {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => match (e.exception(), EXCEPTION_TO_PY.get()) {
                (Some(exception), Some(to_py)) => Err(to_py(py, self, store, exception)),
                _ => Err(self.convert_error(py, e)),
            },
            Err(payload) => Err(errors::panic_err(py, payload)),
        }
    }

    /// Converts an error from running wasm: host exceptions come back unchanged; interrupts
    /// become the exception that explains them.
    pub(crate) fn convert_error(&self, py: Python<'_>, err: epsilon::Error) -> PyErr {
        let trace = err.trace().clone();
        match err.kind() {
            ErrorKind::Host => match err.into_source().map(|s| s.downcast::<HostException>()) {
                Some(Ok(host)) => {
                    errors::add_trace_note(py, &host.0, &trace);
                    host.0
                }
                Some(Err(other)) => errors::new_err(py, Class::Base, other.to_string()),
                None => errors::new_err(py, Class::Base, "host function failed"),
            },
            ErrorKind::Trap(TrapKind::Interrupted) => match self.ctl.take_stop() {
                Some(Stop::Signal(e)) => e,
                Some(Stop::Timeout(t)) => errors::trap_err(
                    py,
                    Class::Timeout,
                    TrapKind::Interrupted,
                    format!("execution timed out after {} ms", t.as_secs_f64() * 1000.0),
                    &trace,
                ),
                Some(Stop::Closed) => errors::trap_err(
                    py,
                    Class::Trap,
                    TrapKind::Interrupted,
                    "wasm trap: interrupted: the runtime was closed while the call ran",
                    &trace,
                ),
                Some(Stop::Interrupt) | None => errors::trap_err(
                    py,
                    Class::Trap,
                    TrapKind::Interrupted,
                    "wasm trap: interrupted by Module.interrupt()",
                    &trace,
                ),
            },
            _ => errors::from_epsilon(py, &err),
        }
    }

    /// Reads the fuel left.
    pub(crate) fn get_fuel(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        if !self.fuel_enabled {
            return Ok(None);
        }
        self.with_store(py, |store| Ok(store.get_fuel().ok()))
    }

    /// Sets the fuel left (the `fuel` property of `Runtime` and `Instance`).
    pub(crate) fn set_fuel(&self, py: Python<'_>, fuel: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let fuel = crate::args::fuel_arg(fuel)?
            .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("fuel must be an int"))?;
        if !self.fuel_enabled {
            return errors::fail(
                py,
                Class::Base,
                "fuel metering is off for this runtime: create it with Runtime(fuel=...)",
            );
        }
        self.with_store(py, |store| store.set_fuel(fuel).map_err(|e| errors::from_epsilon(py, &e)))
    }
}

/// Converts an uncaught wasm exception to the Python exception (`WasmException`) raised for it.
pub(crate) type ExceptionToPy = fn(Python<'_>, &Arc<Shared>, &PyStore, &epsilon::Exception) -> PyErr;

/// The converter of uncaught exceptions, set once by the module's initialisation (`lib.rs`):
/// it builds objects (tags, values) of a higher layer than this one.
static EXCEPTION_TO_PY: std::sync::OnceLock<ExceptionToPy> = std::sync::OnceLock::new();

/// Sets the converter of uncaught exceptions (the first call wins).
pub(crate) fn set_exception_converter(f: ExceptionToPy) {
    let _ = EXCEPTION_TO_PY.set(f);
}

/// Frees the `externref` objects wasm can no longer reach (called when enough were added since
/// the last time); forgets them in `HostData::externs`. Returns them, to be dropped by the caller
/// after it has unlocked the store (dropping a Python object may run its `__del__`).
#[cold]
fn collect_externrefs(store: &mut PyStore) -> Option<Vec<Box<dyn std::any::Any + Send + Sync>>> {
    let Ok(freed) = store.collect_externrefs() else { return None };
    let mut externs = std::mem::take(&mut store.data_mut().externs);
    externs.retain(|_, r| r.is_live(store));
    store.data_mut().externs = externs;
    Some(freed)
}

/// Publishes the store of a running call for re-entry from the Python host function that runs
/// during `f` on this thread (see the module docs).
pub(crate) fn enter_host<R>(
    shared: &Shared,
    caller: &mut epsilon::Caller<'_, HostData>,
    f: impl FnOnce() -> R,
) -> R {
    use epsilon::AsContextMut;
    let ptr: *mut PyStore = caller.as_context_mut();
    let previous = shared.reentry.swap(ptr, Ordering::AcqRel);
    let _restore = RestoreOnDrop(&shared.reentry, previous);
    f()
}
