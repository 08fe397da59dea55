//! Interruption: a per-store flag checked at function entry and loop headers (when the
//! engine is configured `interruptible`), set by an [`InterruptHandle`] from any thread or by
//! a deadline through one process-wide timer thread.
//!
//! The rule for [`InterruptHandle::interrupt`]: an interrupt applies only to the call running
//! in the store at the moment it is requested. With no call running it is dropped, and a
//! request that the running call did not see before it returned does not carry over to a later
//! call. Each outermost call gets a serial number ([`InterruptState::calls`]); a request
//! records the serial it targets, and the check ignores a request for an earlier call.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Instant;

/// The state shared between a store, its handles and the timer.
#[derive(Debug, Default)]
pub(crate) struct InterruptState {
    /// Non-zero when an interrupt is pending: [`DEADLINE`] and/or [`REQUESTED`].
    pub flag: AtomicU32,
    /// Bumped whenever the deadline changes, so stale timer entries do nothing.
    generation: AtomicU64,
    /// `serial * 2 + 1` while the outermost call number `serial` runs, `serial * 2` between
    /// calls: odd means a call is running.
    calls: AtomicU64,
    /// The value of `calls` when `interrupt()` was last requested (0: never).
    requested: AtomicU64,
}

/// `InterruptState::flag` bit: a deadline passed.
const DEADLINE: u32 = 1;
/// `InterruptState::flag` bit: `InterruptHandle::interrupt` was called during a call.
const REQUESTED: u32 = 2;

impl InterruptState {
    /// Marks the start of a call into the store, which becomes the target of `interrupt()`
    /// requests made while it runs; a call nested in another (through a host function)
    /// belongs to the outer one. Returns what [`InterruptState::end_call`] needs. Only the
    /// thread holding the store changes `calls`, so a load and a store suffice.
    pub(crate) fn begin_call(&self) -> Option<u64> {
        let calls = self.calls.load(Ordering::Acquire);
        if calls % 2 == 1 {
            return None;
        }
        self.calls.store(calls + 1, Ordering::Release);
        Some(calls + 2)
    }

    /// Marks the end of the call `begin_call` started.
    pub(crate) fn end_call(&self, begun: Option<u64>) {
        if let Some(calls) = begun {
            self.calls.store(calls, Ordering::Release);
        }
    }

    /// Consumes the pending flag bits; whether they ask for a stop: a passed deadline, or an
    /// interrupt requested during the call running now.
    fn take(&self) -> bool {
        let bits = self.flag.swap(0, Ordering::SeqCst);
        let current = self.calls.load(Ordering::SeqCst);
        let requested = bits & REQUESTED != 0 && self.requested.load(Ordering::SeqCst) == current;
        bits & DEADLINE != 0 || requested
    }

    /// Whether an interrupt (or a passed deadline) is waiting to be handled.
    pub(crate) fn pending(&self) -> bool {
        self.flag.load(Ordering::Relaxed) != 0
    }

    /// Sets (or clears) the deadline; a deadline that passed but was not yet handled is
    /// forgotten (an `interrupt()` request is kept).
    pub(crate) fn set_deadline(self: &Arc<Self>, deadline: Option<Instant>) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.flag.fetch_and(!DEADLINE, Ordering::SeqCst);
        if let Some(at) = deadline {
            timer().schedule(at, Arc::downgrade(self), generation);
        }
    }
}

/// A thread-safe handle that interrupts the store it came from.
///
/// ```
/// let mut config = epsilon::Config::default();
/// config.interruptible(true);
/// let engine = epsilon::Engine::new(config);
/// let module = epsilon::Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#)?;
/// let mut store = epsilon::Store::new(&engine, ());
/// let instance = epsilon::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
/// let handle = store.interrupt_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(20));
///     handle.interrupt();
/// });
/// let err = spin.call(&mut store, ()).unwrap_err();
/// assert_eq!(err.trap_kind(), Some(epsilon::TrapKind::Interrupted));
/// # Ok::<(), epsilon::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct InterruptHandle {
    pub(crate) state: Arc<InterruptState>,
}

impl InterruptHandle {
    /// Interrupts the wasm code running in the store at this moment (at its next function
    /// entry or loop iteration). If no call is running, the request is dropped: it never
    /// stops a later call. Has an effect only if the engine is configured `interruptible`.
    pub fn interrupt(&self) {
        let calls = self.state.calls.load(Ordering::SeqCst);
        if calls % 2 == 1 {
            self.state.requested.store(calls, Ordering::SeqCst);
            self.state.flag.fetch_or(REQUESTED, Ordering::SeqCst);
        }
    }

    /// Interrupts the store once `deadline` passes (`None` removes the deadline); forgets a
    /// passed deadline not yet handled. Usable from any thread and from an interrupt callback.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.state.set_deadline(deadline);
    }
}

/// Handles a fired interrupt: clears it and asks the callback, if any, whether to trap. A
/// stale `interrupt()` request (made for an earlier call) alone resumes at once.
#[cold]
#[inline(never)]
pub(crate) fn interrupted(state: &Arc<InterruptState>, callback: &mut Option<InterruptCallback>) -> bool {
    if !state.take() {
        return false;
    }
    match callback {
        Some(cb) => cb(&InterruptHandle { state: state.clone() }) == InterruptAction::Trap,
        None => true,
    }
}

/// What an interrupt callback decides (see [`Store::set_interrupt_callback`](crate::Store::set_interrupt_callback)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptAction {
    /// Resume execution as if nothing happened.
    Continue,
    /// Stop execution with the trap "interrupted".
    Trap,
}

/// A callback run on the executing thread when an interrupt or deadline fires.
pub type InterruptCallback = Box<dyn FnMut(&InterruptHandle) -> InterruptAction + Send>;

struct Timer {
    queue: Mutex<BinaryHeap<Reverse<Entry>>>,
    wake: Condvar,
}

struct Entry {
    at: Instant,
    state: Weak<InterruptState>,
    generation: u64,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at.cmp(&other.at)
    }
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer: &'static Timer =
            Box::leak(Box::new(Timer { queue: Mutex::new(BinaryHeap::new()), wake: Condvar::new() }));
        std::thread::Builder::new()
            .name("epsilon-deadlines".into())
            .spawn(move || timer.run())
            .expect("spawn the deadline timer thread");
        timer
    })
}

impl Timer {
    fn schedule(&self, at: Instant, state: Weak<InterruptState>, generation: u64) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.push(Reverse(Entry { at, state, generation }));
        self.wake.notify_one();
    }

    fn run(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            while let Some(Reverse(first)) = queue.peek() {
                if first.at > now {
                    break;
                }
                let Some(Reverse(entry)) = queue.pop() else { break };
                if let Some(state) = entry.state.upgrade()
                    && state.generation.load(Ordering::SeqCst) == entry.generation
                {
                    state.flag.fetch_or(DEADLINE, Ordering::SeqCst);
                }
            }
            queue = match queue.peek() {
                Some(Reverse(first)) => {
                    let wait = first.at.saturating_duration_since(Instant::now());
                    self.wake.wait_timeout(queue, wait).unwrap_or_else(|e| e.into_inner()).0
                }
                None => self.wake.wait(queue).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}
