//! Calls and returns.
//!
//! Wasm-to-wasm calls never recurse on the native stack: a call pushes a [`Frame`] (the
//! caller's return address, function, frame base and instance) and execution continues in the
//! callee. Caller and callee frames overlap: the caller's argument slots are the callee's
//! parameters, and the callee's results come back in the same place, so nothing is copied. A
//! call to a host function leaves the dispatch loop (`Break::Host`).
//!
//! `call_ref` and `return_call_ref` call the function a reference names (typed function
//! references): validation guarantees its type, so only null is checked.
//!
//! A tail call (`return_call`, `return_call_indirect`, `return_call_ref`) pushes no frame: the arguments move down
//! to the running frame's start and the callee takes the frame over, so it returns straight to
//! the running function's caller and a chain of tail calls runs in constant call-stack depth.
//! A tail call to a host function is an ordinary host call followed by a return of its results
//! (the op after every tail-call op returns the results from the argument slots).

use super::Frame;
use super::vm::{Break, Cx, Flow, Slow, Vm, get, set};
use crate::ir::{CompiledFunc, Slot};
use crate::store::FuncEntity;
use crate::trap::TrapKind;

/// Enters `callee` (of the running instance, or of `instance` if it differs) with its frame
/// starting at register `args` of the caller.
#[inline(always)]
fn enter<'a>(vm: &mut Vm, cx: &mut Cx<'a>, instance: u32, callee: &'a CompiledFunc, args: Slot) -> Flow {
    // The rare cases leave the handlers and come back to this call op (see `Break::Slow`).
    if cx.frames.len() >= cx.frames_room {
        return Err(cx.slow(Slow::GrowFrames, vm.ip));
    }
    if cx.interrupt_pending() {
        return Err(cx.slow(Slow::Interrupt, vm.ip));
    }
    let new_base = cx.base + usize::from(args);
    let needed = new_base + callee.frame_cells as usize;
    if needed > cx.values.len() {
        return Err(cx.slow(Slow::GrowValues(needed), vm.ip));
    }
    // SAFETY: `needed <= values.len()`, so the locals (inside the callee's frame) are in the
    // value stack.
    unsafe {
        let locals = cx.values.as_mut_ptr().add(new_base + callee.param_cells as usize);
        // A loop of (volatile) stores, not `write_bytes`: LLVM would make that a call to
        // `memset`, and a call in this handler makes it save registers on every wasm call.
        for i in 0..callee.local_cells as usize {
            std::ptr::write_volatile(locals.add(i), 0);
        }
    }
    // SAFETY: the call op is never the last of its stream (`seal`), so the op after it is in
    // bounds: the return address.
    let ret = unsafe { vm.ip.add(1) };
    let frame = Frame { ip: ret, func: cx.func, base: cx.base as u32, instance: cx.instance };
    // SAFETY: `frames.len() < frames_room <= frames.capacity()` (checked above), so the slot is
    // allocated; a `Frame` is `Copy`, so writing it and bumping the length is a push. (A plain
    // `push` would keep a call to its growth path in this handler.)
    unsafe {
        let len = cx.frames.len();
        cx.frames.as_mut_ptr().add(len).write(frame);
        cx.frames.set_len(len + 1);
    }
    cx.func = callee;
    cx.set_frame(vm, new_base);
    vm.ip = callee.ops.as_ptr();
    if instance != cx.instance {
        cx.switch_instance(vm, instance);
    }
    Ok(())
}

/// Calls the function at store index `addr` with its arguments at register `args`.
#[inline(always)]
fn call_addr(vm: &mut Vm, cx: &mut Cx<'_>, addr: u32, args: Slot) -> Flow {
    let funcs = cx.funcs;
    match funcs[addr as usize] {
        FuncEntity::Wasm { instance, code, .. } => {
            let instances = cx.instances;
            match instances[instance as usize].module.inner.code[code as usize].get() {
                Some(callee) => enter(vm, cx, instance, callee, args),
                None => Err(cx.slow(Slow::Translate { instance, func: code }, vm.ip)),
            }
        }
        FuncEntity::Host { .. } => {
            cx.host = (addr, cx.base + usize::from(args));
            cx.host_call_op = vm.ip;
            Err(Break::Host)
        }
    }
}

/// A call of a function defined in the running module; `TAIL`: a tail call (`return_call`).
#[inline(always)]
fn call_defined<const TAIL: bool>(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    let code = cx.code;
    let instance = cx.instance;
    match code[func as usize].get() {
        Some(callee) if TAIL => tail_enter(vm, cx, instance, callee, args),
        Some(callee) => enter(vm, cx, instance, callee, args),
        None => Err(cx.slow(Slow::Translate { instance, func }, vm.ip)),
    }
}

/// A call of the function at store index `addr`, a tail call if `TAIL`.
#[inline(always)]
fn call_store_func<const TAIL: bool>(vm: &mut Vm, cx: &mut Cx<'_>, addr: u32, args: Slot) -> Flow {
    if TAIL { tail_call_addr(vm, cx, addr, args) } else { call_addr(vm, cx, addr, args) }
}

/// `call` of a function defined in the running module.
#[inline(always)]
pub(crate) fn call_internal(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    call_defined::<false>(vm, cx, args, func)
}

/// `call` of an imported function.
#[inline(always)]
pub(crate) fn call_imported(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    let addr = cx.inst.funcs[func as usize];
    call_store_func::<false>(vm, cx, addr, args)
}

/// `call_indirect` through table `table`, checking the callee against module type `ty`.
#[inline(always)]
pub(crate) fn call_indirect(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    index: Slot,
    args: Slot,
    table: u16,
    ty: u32,
) -> Flow {
    let addr = indirect_callee(vm, cx, index, table, ty)?;
    call_store_func::<false>(vm, cx, addr, args)
}

/// Makes `callee` (of the running instance, or of `instance` if it differs) replace the running
/// function, with the arguments found at register `args` (a tail call).
#[inline(always)]
fn tail_enter<'a>(vm: &mut Vm, cx: &mut Cx<'a>, instance: u32, callee: &'a CompiledFunc, args: Slot) -> Flow {
    // As in `enter`, the rare cases come back to this op; nothing has changed before them.
    if cx.interrupt_pending() {
        return Err(cx.slow(Slow::Interrupt, vm.ip));
    }
    let base = cx.base;
    let needed = base + callee.frame_cells as usize;
    if needed > cx.values.len() {
        return Err(cx.slow(Slow::GrowValues(needed), vm.ip));
    }
    let (args, params, locals) =
        (usize::from(args), callee.param_cells as usize, callee.local_cells as usize);
    // SAFETY: the arguments `base + args ..+ params` are registers of the running frame (the
    // translator sizes every frame to cover a callee's parameters at its argument slot), and
    // the callee's frame `base ..+ frame_cells` (parameters and locals) lies in the value
    // stack: `needed <= values.len()`. The copy goes forward from the higher `base + args` to
    // `base`, so overlapping spans are read before they are overwritten. Volatile accesses
    // keep LLVM from making the loops calls to `memmove`/`memset` (see `enter`).
    unsafe {
        let frame = cx.values.as_mut_ptr().add(base);
        for i in 0..params {
            std::ptr::write_volatile(frame.add(i), std::ptr::read_volatile(frame.add(args + i)));
        }
        for i in params..params + locals {
            std::ptr::write_volatile(frame.add(i), 0);
        }
    }
    cx.func = callee;
    cx.set_frame(vm, base);
    vm.ip = callee.ops.as_ptr();
    if instance != cx.instance {
        cx.switch_instance(vm, instance);
    }
    Ok(())
}

/// Tail-calls the function at store index `addr` with its arguments at register `args`. A host
/// function is called as by `call_addr`; the op after this one returns its results.
#[inline(always)]
fn tail_call_addr(vm: &mut Vm, cx: &mut Cx<'_>, addr: u32, args: Slot) -> Flow {
    let funcs = cx.funcs;
    match funcs[addr as usize] {
        FuncEntity::Wasm { instance, code, .. } => {
            let instances = cx.instances;
            match instances[instance as usize].module.inner.code[code as usize].get() {
                Some(callee) => tail_enter(vm, cx, instance, callee, args),
                None => Err(cx.slow(Slow::Translate { instance, func: code }, vm.ip)),
            }
        }
        FuncEntity::Host { .. } => call_addr(vm, cx, addr, args),
    }
}

/// `return_call` of a function defined in the running module.
#[inline(always)]
pub(crate) fn return_call_internal(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    call_defined::<true>(vm, cx, args, func)
}

/// `return_call` of an imported function.
#[inline(always)]
pub(crate) fn return_call_imported(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    let addr = cx.inst.funcs[func as usize];
    call_store_func::<true>(vm, cx, addr, args)
}

/// `return_call_indirect` through table `table`, checking the callee against module type `ty`.
#[inline(always)]
pub(crate) fn return_call_indirect(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    index: Slot,
    args: Slot,
    table: u16,
    ty: u32,
) -> Flow {
    let addr = indirect_callee(vm, cx, index, table, ty)?;
    call_store_func::<true>(vm, cx, addr, args)
}

/// `call_ref`: calls the function referenced in `callee` (a cell: store index plus one, 0 for
/// null). Validation typed the reference with the call's function type, so no check is needed
/// beyond null.
#[inline(always)]
pub(crate) fn call_ref(vm: &mut Vm, cx: &mut Cx<'_>, callee: Slot, args: Slot) -> Flow {
    let addr = ref_callee(vm, cx, callee)?;
    call_store_func::<false>(vm, cx, addr, args)
}

/// `return_call_ref`: tail-calls the function referenced in `callee` (see `call_ref`).
#[inline(always)]
pub(crate) fn return_call_ref(vm: &mut Vm, cx: &mut Cx<'_>, callee: Slot, args: Slot) -> Flow {
    let addr = ref_callee(vm, cx, callee)?;
    call_store_func::<true>(vm, cx, addr, args)
}

/// The store index of the function referenced in `callee`, trapping on null.
#[inline(always)]
fn ref_callee(vm: &Vm, cx: &mut Cx<'_>, callee: Slot) -> Result<u32, Break> {
    let r: u32 = get(vm, cx, callee);
    if r == 0 {
        return Err(cx.trap(TrapKind::NullFunctionReference, vm.ip));
    }
    Ok(r - 1)
}

/// The store index of the function `call_indirect` and `return_call_indirect` call: table
/// `table`'s element at the index in `index`, which must be a function of module type `ty`.
#[inline(always)]
fn indirect_callee(vm: &Vm, cx: &mut Cx<'_>, index: Slot, table: u16, ty: u32) -> Result<u32, Break> {
    let i: u32 = get(vm, cx, index);
    let t = cx.table_addr(u32::from(table));
    let Some(&element) = cx.tables[t].elements.get(i as usize) else {
        return Err(cx.trap_at(TrapKind::UndefinedElement, i, vm.ip));
    };
    if element == 0 {
        return Err(cx.trap_at(TrapKind::UninitializedElement, i, vm.ip));
    }
    let addr = element - 1;
    if cx.funcs[addr as usize].ty() != cx.inst.module.inner.type_ids[ty as usize] {
        return Err(cx.trap(TrapKind::IndirectCallTypeMismatch, vm.ip));
    }
    Ok(addr)
}

/// Returns to the caller (its results are already in place), or ends the execution.
#[inline(always)]
pub(crate) fn ret(vm: &mut Vm, cx: &mut Cx<'_>) -> Flow {
    let Some(frame) = cx.frames.pop() else {
        return Err(Break::Done);
    };
    // SAFETY: `frame.func` was the running function when the frame was pushed, in this
    // execution; compiled functions live as long as the store's instances (they are never
    // removed) and do not move (see `Frame`).
    cx.func = unsafe { &*frame.func };
    cx.set_frame(vm, frame.base as usize);
    vm.ip = frame.ip;
    if frame.instance != cx.instance {
        cx.switch_instance(vm, frame.instance);
    }
    Ok(())
}

/// Returns the one-cell value in `src`.
#[inline(always)]
pub(crate) fn return_slot(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot) -> Flow {
    set(vm, cx, 0, get::<u64>(vm, cx, src));
    ret(vm, cx)
}

/// Returns the two-cell value in `src`.
#[inline(always)]
pub(crate) fn return_slot2(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot) -> Flow {
    set(vm, cx, 0, get::<u128>(vm, cx, src));
    ret(vm, cx)
}

/// Returns a 32-bit constant.
#[inline(always)]
pub(crate) fn return_imm32(vm: &mut Vm, cx: &mut Cx<'_>, value: u32) -> Flow {
    set(vm, cx, 0, value);
    ret(vm, cx)
}

/// Returns the one-cell value in the accumulator.
#[inline(always)]
pub(crate) fn return_acc(vm: &mut Vm, cx: &mut Cx<'_>) -> Flow {
    set(vm, cx, 0, vm.acc);
    ret(vm, cx)
}

/// Returns the `len` cells at `src`.
#[inline(always)]
pub(crate) fn return_span(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot, len: u16) -> Flow {
    if len > 0 {
        let last = len - 1;
        let (from, to) = (vm.reg(cx, src), vm.reg(cx, 0));
        let _ = (vm.reg(cx, src + last), vm.reg(cx, last));
        // SAFETY: both spans are registers of the running frame (see `control::copy_span`).
        unsafe { std::ptr::copy(from, to, usize::from(len)) };
    }
    ret(vm, cx)
}
