//! Execution: the value and call stacks, entry from the API, host calls, and the dispatch
//! loop (in `run`).
//!
//! Wasm-to-wasm calls never recurse on the native stack: a call pushes a [`Frame`] and the
//! loop continues with the callee. Caller and callee frames overlap: the caller's argument
//! slots are the callee's parameter slots, and results come back in the same place.

mod run;

use crate::error::{Error, ErrorKind, Result};
use crate::func::{Caller, HostCallback, ValsCallback, cells_to_val, val_to_cells};
use crate::store::{FuncEntity, Store};
use crate::trap::TrapKind;
use crate::types::{FuncType, ValType};
use crate::value::Val;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// The saved state of a caller, restored when its callee returns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub instance: u32,
    pub code: u32,
    pub ip: u32,
    pub base: u32,
}

/// Value cells and call frames of one execution.
#[derive(Default)]
pub(crate) struct Stack {
    pub values: Vec<u64>,
    pub frames: Vec<Frame>,
}

/// Where the dispatch loop is: the running function and its frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct State {
    pub instance: u32,
    pub code: u32,
    pub ip: u32,
    pub base: u32,
}

/// Why the dispatch loop stopped.
pub(crate) enum Exit {
    /// The entry function returned; its results are at the bottom of the value stack.
    Done,
    /// Execution trapped.
    Trap(TrapKind),
    /// Execution trapped on a table element; the index is part of the message.
    TrapAt(TrapKind, u32),
    /// Control moved to another instance (call or return); reload and continue.
    Switch,
    /// A host function must be called with arguments at `args_base`.
    Host { func: u32, args_base: usize },
}

/// Limits the dispatch loop enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Frames allowed on `Stack::frames` in this execution.
    pub max_frames: usize,
    /// Cells allowed on `Stack::values`.
    pub max_values: usize,
    /// Whether bulk operations charge fuel per chunk.
    pub consume_fuel: bool,
    /// Whether to check the interrupt flag at function entry and backward branches.
    pub interruptible: bool,
}

/// Calls function `func` (a store index). `cells` holds the arguments encoded as cells on
/// entry and the result cells on successful return.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: u32, cells: &mut Vec<u64>) -> Result<()> {
    let config = store.inner.engine.config();
    let limits_of = |outer_depth: usize| Limits {
        max_frames: config.max_call_depth - outer_depth - 1,
        max_values: config.max_value_stack,
        consume_fuel: config.consume_fuel,
        interruptible: config.interruptible,
    };
    if store.inner.reentry > config.max_host_reentry
        || store.inner.outer_depth >= config.max_call_depth
        || crate::native_stack::exhausted(config.native_stack_reserve)
    {
        return Err(TrapKind::CallStackExhausted.into());
    }
    let limits = limits_of(store.inner.outer_depth);
    // A host function may panic, and the embedder may catch the panic and go on using the
    // store: the depth counters must then be as they were before this call.
    let (outer_depth, reentry) = (store.inner.outer_depth, store.inner.reentry);
    let outcome = catch_unwind(AssertUnwindSafe(|| match store.inner.funcs[func as usize] {
        FuncEntity::Host { host, .. } => call_host(store, host, None, cells, 0),
        FuncEntity::Wasm { instance, code, .. } => {
            let mut stack = std::mem::take(&mut store.inner.stack);
            store.inner.reentry += 1;
            let outcome = run_from(store, &mut stack, instance, code, cells, limits);
            store.inner.reentry -= 1;
            if let Ok(result_cells) = outcome {
                cells.clear();
                cells.extend_from_slice(&stack.values[..result_cells]);
            }
            stack.frames.clear();
            store.inner.stack = stack;
            outcome.map(|_| ())
        }
    }));
    outcome.unwrap_or_else(|panic| {
        store.inner.outer_depth = outer_depth;
        store.inner.reentry = reentry;
        resume_unwind(panic)
    })
}

/// Sets up the entry frame and runs until the entry function returns; returns the number
/// of result cells.
fn run_from<T>(
    store: &mut Store<T>,
    stack: &mut Stack,
    instance: u32,
    code: u32,
    args: &[u64],
    limits: Limits,
) -> Result<usize> {
    let (frame_cells, param_cells, local_cells, result_cells) = {
        let f = &store.inner.instances[instance as usize].module.inner.code[code as usize];
        (f.frame_cells as usize, f.param_cells as usize, f.local_cells as usize, f.result_cells as usize)
    };
    let needed = frame_cells.max(result_cells).max(args.len());
    if needed > limits.max_values {
        return Err(TrapKind::CallStackExhausted.into());
    }
    if stack.values.len() < needed {
        stack.values.resize(needed, 0);
    }
    stack.values[..args.len()].copy_from_slice(args);
    if local_cells > 0 {
        stack.values[param_cells..param_cells + local_cells].fill(0);
    }
    let mut state = State { instance, code, ip: 0, base: 0 };
    loop {
        let exit = run::run(&mut store.inner, stack, &mut state, limits);
        match exit {
            Exit::Done => return Ok(result_cells),
            Exit::Trap(kind) => return Err(kind.into()),
            Exit::TrapAt(kind, index) => {
                return Err(Error::new(ErrorKind::Trap(kind), format!("{} {index}", kind.message())));
            }
            Exit::Switch => {}
            Exit::Host { func, args_base } => {
                let FuncEntity::Host { host, .. } = store.inner.funcs[func as usize] else {
                    return Err(Error::new(ErrorKind::Usage, "host call to a wasm function"));
                };
                let depth = stack.frames.len();
                let saved = store.inner.outer_depth;
                store.inner.outer_depth = saved + depth + 1;
                let outcome = call_host(store, host, Some(state.instance), &mut stack.values, args_base);
                store.inner.outer_depth = saved;
                outcome?;
            }
        }
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
            let callback = callback.clone();
            let end = at + func.param_cells.max(func.result_cells);
            let result_end = at + func.result_cells;
            if cells.len() < end {
                cells.resize(end, 0);
            }
            callback(store, instance, &mut cells[at..end])?;
            if instance.is_none() {
                cells.truncate(result_end);
            }
            Ok(())
        }
        HostCallback::Vals(callback) => {
            let (ty, callback) = (func.ty.clone(), callback.clone());
            // Arguments and results live in a buffer the store keeps between calls (a host
            // function that re-enters wasm makes its nested host calls use a fresh one).
            let mut vals = std::mem::take(&mut store.inner.host_vals);
            vals.clear();
            let outcome = call_host_with(store, &ty, &*callback, instance, cells, at, &mut vals);
            store.inner.host_vals = vals;
            outcome
        }
    }
}

/// Calls a host function on values: converts the arguments from `cells[at..]` and the
/// results back.
fn call_host_with<T>(
    store: &mut Store<T>,
    ty: &FuncType,
    callback: &ValsCallback<T>,
    instance: Option<u32>,
    cells: &mut Vec<u64>,
    at: usize,
    vals: &mut Vec<Val>,
) -> Result<()> {
    let mut i = at;
    for t in ty.params() {
        let hi = if *t == ValType::V128 { cells[i + 1] } else { 0 };
        vals.push(cells_to_val(&store.inner, cells[i], hi, *t));
        i += t.cells() as usize;
    }
    vals.extend(ty.results().iter().map(|t| Val::default_for(*t)));
    let (args, results) = vals.split_at_mut(ty.params().len());
    callback(Caller { store, instance }, args, results)?;
    let mut i = at;
    for (v, t) in results.iter().zip(ty.results()) {
        if v.ty() != *t {
            return Err(Error::type_error(format!(
                "host function of type {ty} returned a {} where a {t} was expected",
                v.ty()
            )));
        }
        let (lo, hi) = val_to_cells(&store.inner, v, *t)?;
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
