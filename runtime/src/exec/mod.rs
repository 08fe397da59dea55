//! Execution: entry from the API, host calls, and the value and call stacks.
//!
//! The dispatch itself is in [`dispatch`] (two backends over one set of handlers), its state in
//! [`vm`], and the handlers by area: [`control`] (copies, branches), [`calls`], [`numeric`]
//! (every numeric operator, one generic handler per operand form), [`memory`] (loads, stores,
//! size, grow), [`bulk`] (bulk memory and table operations), [`table`] (globals, tables,
//! references), [`simd`] (lanes, shuffles) and [`exceptions`] (`throw`, `throw_ref` and the
//! unwinding they start, off the hot paths: a throw leaves the handlers).
//!
//! Wasm-to-wasm calls never recurse on the native stack: a call pushes a [`Frame`] and the
//! executor continues with the callee. Caller and callee frames overlap: the caller's argument
//! slots are the callee's parameter slots, and results come back in the same place. Host
//! functions are called from here, between two runs of the dispatch loop.

// The executor reaches ops, registers and memory 0 through raw pointers held in registers
// (see `vm`): that is where the speed is. Every `unsafe` block names the invariant it relies
// on and who establishes it; the `checked` feature turns the op and register accesses back
// into checked ones.
#![allow(unsafe_code)]

mod bulk;
mod calls;
mod control;
mod dispatch;
mod exceptions;
mod memory;
mod numeric;
mod simd;
mod table;
mod vm;

use crate::error::{Error, ErrorKind, Result};
use crate::func::{Caller, HostCallback, ValsCallback, cells_to_val, val_to_cells};
use crate::ir::{CompiledFunc, Instr};
use crate::module::FuncCode;
use crate::store::{FuncEntity, Store, StoreInner};
use crate::trap::TrapKind;
use crate::types::ValType;
use crate::value::Val;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use vm::{Break, Cx, Limits, Vm};

pub(crate) use dispatch::{BACKEND, link_ops};

/// The saved state of a caller, restored when its callee returns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// Where the caller resumes.
    pub ip: *const Instr,
    /// The caller's function.
    pub func: *const CompiledFunc,
    /// The caller's frame base in the value stack.
    pub base: u32,
    /// The caller's instance (store index).
    pub instance: u32,
}

// SAFETY: a frame's pointers are only dereferenced by the execution that pushed it, on the
// thread running it; they point into compiled functions owned (through `Arc`s) by the store's
// instances, which are never removed and never move their code, so they stay valid for the
// store's lifetime. `Stack` must be `Send` because the store keeps its (empty) buffers.
unsafe impl Send for Frame {}
// SAFETY: as above; a shared `Frame` is never dereferenced.
unsafe impl Sync for Frame {}

/// Value cells and call frames of one execution.
#[derive(Default)]
pub(crate) struct Stack {
    pub values: Vec<u64>,
    pub frames: Vec<Frame>,
}

/// Where execution stands between two runs of the dispatch loop (across a host call).
#[derive(Debug, Clone, Copy)]
pub(crate) struct State {
    pub instance: u32,
    pub code: u32,
    /// The index of the next op in the function's stream (after a trap: the op that trapped).
    pub ip: u32,
    pub base: u32,
}

/// The interrupt flag of a store whose engine is not interruptible: never set.
static NEVER_INTERRUPTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Why a run of the dispatch loop stopped.
enum Stop {
    /// The entry function returned; its results are at the bottom of the value stack.
    Done,
    /// A trap, with the element index for table traps (where it happened is in `State`).
    Trap(TrapKind, Option<u32>),
    /// A host function must be called with arguments at `args_base`.
    Host { func: u32, args_base: usize },
    /// An error other than a trap (a failed lazy translation).
    Error(Error),
    /// An exception (its slot in the exception heap) that no frame of the execution caught.
    Exception(u32),
}

/// Calls function `func` (a store index). `cells` holds the arguments encoded as cells on
/// entry and the result cells on successful return.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: u32, cells: &mut Vec<u64>) -> Result<()> {
    match store.inner.funcs[func as usize] {
        FuncEntity::Host { host, .. } => enter(store, |store, _| call_host(store, host, None, cells, 0)),
        FuncEntity::Wasm { instance, code, .. } => {
            let result_cells = invoke_wasm(store, instance, code, cells, 0)?;
            cells.clear();
            // Element by element: a call of `memcpy` costs more for the few cells of a call.
            cells.extend(store.inner.stack.values[..result_cells].iter().copied());
            Ok(())
        }
    }
}

/// Calls the wasm function `code` of `instance` with the argument cells `args`, of which
/// those whose bit is set in `narrow` (a `CellLayout::narrow`) are zero-extended from 32
/// bits on the way in. Returns the number of result cells, which are left at the start of
/// `store.inner.stack.values` (the caller copies them out before anything else runs on the
/// store).
pub(crate) fn invoke_wasm<T>(
    store: &mut Store<T>,
    instance: u32,
    code: u32,
    args: &[u64],
    narrow: u64,
) -> Result<usize> {
    // Captured by value: the closure reads them without going through references.
    enter(store, move |store, limits| {
        store.inner.reentry += 1;
        let outcome = run_from(store, instance, code, args, narrow, limits);
        store.inner.reentry -= 1;
        outcome
    })
}

/// Copies `src` into `dst` (of the same length). The few cells of a call move inline: a loop
/// or `copy_from_slice` of a length known only at run time becomes a call of `memcpy`, which
/// costs more than the copy.
#[inline(always)]
pub(crate) fn copy_cells(dst: &mut [u64], src: &[u64]) {
    match (dst, src) {
        ([], []) => {}
        ([d], [s]) => *d = *s,
        ([d0, d1], [s0, s1]) => (*d0, *d1) = (*s0, *s1),
        ([d0, d1, d2], [s0, s1, s2]) => (*d0, *d1, *d2) = (*s0, *s1, *s2),
        ([d0, d1, d2, d3], [s0, s1, s2, s3]) => (*d0, *d1, *d2, *d3) = (*s0, *s1, *s2, *s3),
        (dst, src) => dst.copy_from_slice(src),
    }
}

/// Runs `call` (a call into the store from outside the executor, or from a host function
/// re-entering it) with the limits it runs under, after checking that the call depth and
/// the native stack allow one more call.
fn enter<T, R>(store: &mut Store<T>, call: impl FnOnce(&mut Store<T>, Limits) -> Result<R>) -> Result<R> {
    let config = store.inner.engine.config();
    // The native stack is checked on re-entry (a host function calling wasm again): an outer
    // call runs in a dispatch loop of constant native stack use, so only host functions (and
    // what they call) can use it up.
    if store.inner.reentry > config.max_host_reentry
        || store.inner.outer_depth >= config.max_call_depth
        || (store.inner.reentry > 0 && crate::native_stack::exhausted(config.native_stack_reserve))
    {
        return Err(TrapKind::CallStackExhausted.into());
    }
    let limits = Limits {
        max_frames: config.max_call_depth - store.inner.outer_depth - 1,
        max_values: config.max_value_stack,
        consume_fuel: config.consume_fuel,
        interruptible: config.interruptible,
    };
    // A host function may panic, and the embedder may catch the panic and go on using the
    // store: the depth counters must then be as they were before this call.
    let (outer_depth, reentry) = (store.inner.outer_depth, store.inner.reentry);
    catch_unwind(AssertUnwindSafe(|| call(&mut *store, limits))).unwrap_or_else(|panic| {
        store.inner.outer_depth = outer_depth;
        store.inner.reentry = reentry;
        resume_unwind(panic)
    })
}

/// Sets up the entry frame and runs until the entry function returns; returns the number
/// of result cells.
///
/// The run starts on the store's own stack, in place: a call that needs no host function
/// moves nothing. A host function needs the store while the stack's values hold its
/// arguments, so the first host call (or a stop other than the return) moves the stack out of
/// the store for the rest of the run (`run_outside`), and back at its end: a call the host
/// function makes into the store starts on the fresh stack left in its place.
fn run_from<T>(
    store: &mut Store<T>,
    instance: u32,
    code: u32,
    args: &[u64],
    narrow: u64,
    limits: Limits,
) -> Result<usize> {
    let (frame_cells, param_cells, local_cells, result_cells) = {
        let f = store.inner.instances[instance as usize].module.inner.compiled(code)?;
        (f.frame_cells as usize, f.param_cells as usize, f.local_cells as usize, f.result_cells as usize)
    };
    let needed = frame_cells.max(result_cells).max(args.len());
    if needed > limits.max_values {
        return Err(TrapKind::CallStackExhausted.into());
    }
    let values = &mut store.inner.stack.values;
    if values.len() < needed {
        values.resize(needed, 0);
    }
    if narrow == 0 {
        copy_cells(&mut values[..args.len()], args);
    } else {
        for (i, (cell, arg)) in values[..args.len()].iter_mut().zip(args).enumerate() {
            *cell = if narrow >> i & 1 != 0 { *arg & u64::from(u32::MAX) } else { *arg };
        }
    }
    if local_cells > 0 {
        values[param_cells..param_cells + local_cells].fill(0);
    }
    let mut state = State { instance, code, ip: 0, base: 0 };
    let stop = run(&mut store.inner, None, &mut state, limits, None);
    if let Stop::Done = stop {
        // The entry function returned: its frames are popped, its results in place.
        debug_assert!(store.inner.stack.frames.is_empty());
        return Ok(result_cells);
    }
    let mut stack = std::mem::take(&mut store.inner.stack);
    let outcome = run_outside(store, &mut stack, &mut state, limits, stop, result_cells);
    stack.frames.clear();
    store.inner.stack = stack;
    outcome
}

/// The rest of a run (see `run_from`) once it stopped (`stop`) other than by returning,
/// with its stack moved out of the store: calls the host functions it calls and resumes
/// after them until the entry function returns (then `result_cells` is the number of its
/// result cells) or an error ends it.
fn run_outside<T>(
    store: &mut Store<T>,
    stack: &mut Stack,
    state: &mut State,
    limits: Limits,
    mut stop: Stop,
    result_cells: usize,
) -> Result<usize> {
    loop {
        // An exception a host function threw, to rethrow at its call when the run resumes.
        let mut rethrow = None;
        match stop {
            Stop::Done => return Ok(result_cells),
            Stop::Error(e) => return Err(e),
            Stop::Exception(exn) => {
                let exception = crate::exn::exception_of(&store.inner, exn);
                store.inner.exns.release(exn);
                return Err(exception.into_error());
            }
            Stop::Trap(kind, index) => {
                let site = Site { instance: state.instance, func: state.code, op: Some(state.ip) };
                let mut error = match index {
                    None => Error::from(kind),
                    Some(index) => Error::new(ErrorKind::Trap(kind), format!("{} {index}", kind.message())),
                };
                backtrace(&store.inner, &stack.frames, site, error.trace_mut());
                return Err(error);
            }
            Stop::Host { func, args_base } => {
                let FuncEntity::Host { host, .. } = store.inner.funcs[func as usize] else {
                    return Err(Error::new(ErrorKind::Usage, "host call to a wasm function"));
                };
                let depth = stack.frames.len();
                let saved = store.inner.outer_depth;
                store.inner.outer_depth = saved + depth + 1;
                let outcome = call_host(store, host, Some(state.instance), &mut stack.values, args_base);
                store.inner.outer_depth = saved;
                if let Err(error) = &outcome
                    && let Some(exception) = error.exception()
                {
                    // A host function threw (or let through) an exception: it is thrown at the
                    // call, in the frame that made it.
                    rethrow = Some(crate::exn::insert_exception(&mut store.inner, exception)?);
                } else if let Err(mut error) = outcome {
                    // The host function was called by the op before the resume point.
                    let site =
                        Site { instance: state.instance, func: state.code, op: state.ip.checked_sub(1) };
                    backtrace(&store.inner, &stack.frames, site, error.trace_mut());
                    return Err(error);
                }
            }
        }
        stop = run(&mut store.inner, Some(&mut *stack), state, limits, rethrow);
    }
}

/// Runs the dispatch loop from `state` until the entry function returns, a trap, or a host
/// call (then `state` says where to resume).
///
/// The run's stack is `outside` if given (moved out of the store), else the store's own.
///
/// With `rethrow`, the run starts by throwing that exception (a slot in the exception heap) at
/// the op before `state.ip`: the call of a host function that threw it.
///
/// Inlined into both of its callers: an outlined run costs a host call (`run_outside`) as
/// much as a tenth more instructions.
#[inline(always)]
fn run(
    inner: &mut StoreInner,
    outside: Option<&mut Stack>,
    state: &mut State,
    limits: Limits,
    rethrow: Option<u32>,
) -> Stop {
    let StoreInner {
        instances,
        funcs,
        memories,
        tables,
        globals,
        elems,
        datas,
        tags,
        exns,
        fuel,
        interrupt,
        interrupt_callback,
        stack: own_stack,
        ..
    } = inner;
    // The run's stack: the store's own, or the one moved out of it (`run_from`).
    let stack = match outside {
        Some(stack) => stack,
        None => own_stack,
    };
    let inst = &instances[state.instance as usize];
    let code: &[FuncCode] = &inst.module.inner.code;
    // Translated: the entry function by `run_from`, a function resumed after a host call by
    // having run.
    let Some(func) = code[state.code as usize].get() else {
        return Stop::Error(Error::new(ErrorKind::Unsupported, "internal error: resuming untranslated code"));
    };
    let mut cx = Cx {
        instances,
        funcs,
        memories,
        tables,
        globals,
        elems,
        datas,
        tags,
        exns,
        interrupt,
        interrupt_callback,
        interrupt_flag: if limits.interruptible { &interrupt.flag } else { &NEVER_INTERRUPTED },
        fuel: *fuel,
        limits,
        values: &mut stack.values,
        frames: &mut stack.frames,
        instance: state.instance,
        inst,
        code,
        mem0: inst.memories.first().map(|&m| m as usize),
        mem_len: 0,
        func,
        base: 0,
        #[cfg(feature = "checked")]
        frame_end: std::ptr::null(),
        trap: TrapKind::Unreachable,
        trap_index: None,
        host: (0, 0),
        host_call_op: std::ptr::null(),
        slow: vm::Slow::Interrupt,
        resume: std::ptr::null(),
        frames_room: 0,
        error: None,
        exception: None,
    };
    cx.frames_room = cx.frames.capacity().min(limits.max_frames);
    let mut vm = Vm {
        // The translator ends every stream with an op that never falls through, so a saved
        // resume point (the op after a call) is inside it.
        ip: func.ops[state.ip as usize..].as_ptr(),
        sp: std::ptr::null_mut(),
        mem: std::ptr::null_mut(),
        acc: 0,
        facc: 0.0,
        check_interrupts: true,
        charge_loops: false,
    };
    cx.set_frame(&mut vm, state.base as usize);
    cx.reload_mem(&mut vm);
    let mut pending = rethrow.map(|exn| {
        // The host function was called by the op before the resume point.
        cx.slow = vm::Slow::Rethrow(exn);
        cx.resume = vm.ip.wrapping_sub(1);
        Break::Slow
    });
    let stop = loop {
        match pending.take().unwrap_or_else(|| dispatch::execute(vm, &mut cx)) {
            Break::Slow => {
                if cx.do_slow().is_err() {
                    break Break::Trap;
                }
                vm.ip = cx.resume;
                cx.set_frame(&mut vm, cx.base);
                cx.reload_mem(&mut vm);
            }
            stop => break stop,
        }
    };
    *fuel = cx.fuel;
    match stop {
        Break::Done => Stop::Done,
        Break::Slow => unreachable!("handled above"),
        Break::Trap => match (cx.error.take(), cx.exception) {
            (Some(e), _) => Stop::Error(e),
            (None, Some(exn)) => Stop::Exception(exn),
            (None, None) => {
                // Where it trapped, for the backtrace (`State::ip` is the trapping op here).
                let ip = op_index(cx.func, cx.resume).unwrap_or(u32::MAX);
                *state = State { instance: cx.instance, code: cx.func.def_index, ip, base: cx.base as u32 };
                Stop::Trap(cx.trap, cx.trap_index)
            }
        },
        Break::Host => {
            // Resume after the call op, in the function that made it.
            let func = cx.func;
            // SAFETY: `host_call_op` is the call op, inside `func.ops`.
            let ip = unsafe { cx.host_call_op.offset_from(func.ops.as_ptr()) + 1 };
            let code_index = func.def_index;
            *state =
                State { instance: cx.instance, code: code_index as u32, ip: ip as u32, base: cx.base as u32 };
            Stop::Host { func: cx.host.0, args_base: cx.host.1 }
        }
    }
}

/// Where a wasm frame stands: the function (its index among the defined functions of the
/// instance's module) and the index of the op in its stream.
#[derive(Debug, Clone, Copy)]
struct Site {
    instance: u32,
    func: u32,
    op: Option<u32>,
}

/// The index of the op `at` points to in `func`'s stream (`None` if it is not in it).
fn op_index(func: &CompiledFunc, at: *const Instr) -> Option<u32> {
    let start = func.ops.as_ptr() as usize;
    let at = (at as usize).checked_sub(start)? / size_of::<Instr>();
    (at < func.ops.len()).then_some(at as u32)
}

/// Appends to `trace` the frames of an execution stopped at `site` with the callers `frames`
/// (outermost first): the innermost frame first. Slow (names are copied, offsets decoded),
/// which is fine on the trap path.
fn backtrace(inner: &StoreInner, frames: &[Frame], site: Site, trace: &mut crate::WasmBacktrace) {
    let frame_at = |instance: u32, func: &CompiledFunc, op: Option<u32>| {
        let module = &inner.instances[instance as usize].module.inner;
        let func_index = module.num_imported_funcs + func.def_index;
        let offsets = module.offsets.get(func.def_index as usize).and_then(std::sync::OnceLock::get);
        let module_offset = op.zip(offsets).and_then(|(op, offsets)| offsets.lookup(op));
        debug_assert!(
            module_offset.is_some(),
            "no code offset for op {op:?} of function {func_index} ({:?}): missing in translate::sites?",
            op.and_then(|op| func.ops.get(op as usize))
        );
        crate::FrameInfo {
            func_index,
            func_name: module.names.func(func_index).cloned(),
            module_name: module.names.module.clone(),
            module_offset: module_offset.map(|o| o as usize),
            func_offset: module_offset.zip(offsets).map(|(o, t)| o.saturating_sub(t.body_offset) as usize),
        }
    };
    let module = &inner.instances[site.instance as usize].module.inner;
    if let Some(func) = module.code.get(site.func as usize).and_then(FuncCode::get) {
        trace.push(|| frame_at(site.instance, func, site.op));
    }
    for frame in frames.iter().rev() {
        // SAFETY: `frame.func` was a running function of this execution, whose frames are still
        // on the stack; compiled functions live as long as the store's instances (see `Frame`).
        let func = unsafe { &*frame.func };
        // The frame resumes after the call op.
        let call = op_index(func, frame.ip).and_then(|op| op.checked_sub(1));
        trace.push(|| frame_at(frame.instance, func, call));
    }
}

/// Calls host function `host` with arguments read from `cells[at..]`; writes the results
/// back to `cells[at..]` (growing `cells` if needed).
fn call_host<T>(
    store: &mut Store<T>,
    host: u32,
    instance: Option<u32>,
    cells: &mut Vec<u64>,
    at: usize,
) -> Result<()> {
    let func = &store.host_funcs[host as usize];
    match &func.callback {
        HostCallback::Cells(callback) => {
            // Typed host functions work on the cells directly.
            let callback = host_callback(callback);
            let end = at + func.param_cells.max(func.result_cells);
            let result_end = at + func.result_cells;
            if cells.len() < end {
                cells.resize(end, 0);
            }
            // SAFETY: see `host_callback`.
            unsafe { (*callback)(store, instance, &mut cells[at..end]) }?;
            if instance.is_none() {
                cells.truncate(result_end);
            }
            Ok(())
        }
        HostCallback::Vals(callback) => {
            let callback = host_callback(callback);
            // Arguments and results live in a buffer the store keeps between calls (a host
            // function that re-enters wasm makes its nested host calls use a fresh one).
            let mut vals = std::mem::take(&mut store.inner.host_vals);
            vals.clear();
            // SAFETY: see `host_callback`.
            let outcome = call_host_with(store, host, unsafe { &*callback }, instance, cells, at, &mut vals);
            store.inner.host_vals = vals;
            outcome
        }
    }
}

/// The closure of a host function, reached without cloning its `Arc` (two atomic operations
/// per host call saved).
///
/// The pointer stays valid while the callback runs with the store borrowed mutably: the
/// store's host functions are only ever appended to (`Store::host_funcs`), never removed or
/// replaced, so the `Arc` that owns the closure lives as long as the store; the closure is
/// in the `Arc`'s own allocation, which does not move when the vector grows; and the store
/// cannot be dropped while the callback holds it.
fn host_callback<F: ?Sized>(callback: &std::sync::Arc<F>) -> *const F {
    std::sync::Arc::as_ptr(callback)
}

/// Calls a host function on values: converts the arguments from `cells[at..]` and the
/// results back. Kept out of line: inlined, its conversions shaped the code of `call_host`'s
/// typed path too (4 more instructions per typed host call in `host_calls` when they grew).
#[inline(never)]
fn call_host_with<T>(
    store: &mut Store<T>,
    host: u32,
    callback: &ValsCallback<T>,
    instance: Option<u32>,
    cells: &mut Vec<u64>,
    at: usize,
    vals: &mut Vec<Val>,
) -> Result<()> {
    let params = {
        let ty = &store.host_funcs[host as usize].ty;
        let mut i = at;
        for t in ty.params() {
            let hi = if *t == ValType::V128 { cells[i + 1] } else { 0 };
            vals.push(cells_to_val(&store.inner, cells[i], hi, *t));
            i += t.cells() as usize;
        }
        vals.extend(ty.results().iter().map(|t| Val::default_for(*t)));
        ty.params().len()
    };
    let (args, results) = vals.split_at_mut(params);
    callback(Caller { store, instance }, args, results)?;
    // The callback may have added host functions: the type is looked up again.
    let (ty, ids) = (&store.host_funcs[host as usize].ty, store.inner.host_type_ids(host));
    let mut i = at;
    for (v, t) in results.iter().zip(ty.results()) {
        if !crate::func::val_kind_matches(v, *t) {
            return Err(Error::type_error(format!(
                "host function of type {ty} returned a {} where a {t} was expected",
                v.ty()
            )));
        }
        // (A host signature's concrete types refer to `ids`, empty but for
        // `Func::new_with_types`.)
        let (lo, hi) = val_to_cells(&store.inner, v, *t, ids)?;
        if cells.len() < i + 2 {
            cells.resize(i + 2, 0);
        }
        cells[i] = lo;
        if *t == ValType::V128 {
            cells[i + 1] = hi;
        }
        i += t.cells() as usize;
    }
    if instance.is_none() {
        cells.truncate(i);
    }
    Ok(())
}
