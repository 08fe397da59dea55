//! Calls and returns.
//!
//! Wasm-to-wasm calls never recurse on the native stack: a call pushes a [`Frame`] (the
//! caller's return address, function, frame base and instance) and execution continues in the
//! callee. Caller and callee frames overlap: the caller's argument slots are the callee's
//! parameters, and the callee's results come back in the same place, so nothing is copied. A
//! call to a host function leaves the dispatch loop (`Break::Host`).

use super::Frame;
use super::vm::{Break, Cx, Flow, Vm, get, set};
use crate::ir::{CompiledFunc, Slot};
use crate::store::FuncEntity;
use crate::trap::TrapKind;

/// Enters `callee` (of the running instance, or of `instance` if it differs) with its frame
/// starting at register `args` of the caller.
#[inline(always)]
fn enter<'a>(vm: &mut Vm, cx: &mut Cx<'a>, instance: u32, callee: &'a CompiledFunc, args: Slot) -> Flow {
    if cx.frames.len() >= cx.limits.max_frames {
        return Err(cx.trap(TrapKind::CallStackExhausted));
    }
    cx.check_interrupt()?;
    let new_base = cx.base + usize::from(args);
    let needed = new_base + callee.frame_cells as usize;
    if needed > cx.values.len() {
        grow_values(cx, needed)?;
    }
    // SAFETY: `needed <= values.len()`, so the locals (inside the callee's frame) are in the
    // value stack.
    unsafe {
        let locals = cx.values.as_mut_ptr().add(new_base + callee.param_cells as usize);
        std::ptr::write_bytes(locals, 0, callee.local_cells as usize);
    }
    // SAFETY: the call op is never the last of its stream (`seal`), so the op after it is in
    // bounds: the return address.
    let ret = unsafe { vm.ip.add(1) };
    cx.frames.push(Frame { ip: ret, func: cx.func, base: cx.base as u32, instance: cx.instance });
    cx.func = callee;
    cx.set_frame(vm, new_base);
    vm.ip = callee.ops.as_ptr();
    if instance != cx.instance {
        cx.switch_instance(vm, instance);
    }
    Ok(())
}

/// Grows the value stack to at least `needed` cells (doubling), or traps at the limit.
#[cold]
#[inline(never)]
fn grow_values(cx: &mut Cx<'_>, needed: usize) -> Flow {
    if needed > cx.limits.max_values {
        return Err(cx.trap(TrapKind::CallStackExhausted));
    }
    let grown = needed.max(cx.values.len() * 2).min(cx.limits.max_values.max(needed));
    cx.values.resize(grown, 0);
    Ok(())
}

/// Calls the function at store index `addr` with its arguments at register `args`.
#[inline(always)]
fn call_addr(vm: &mut Vm, cx: &mut Cx<'_>, addr: u32, args: Slot) -> Flow {
    let funcs = cx.funcs;
    match funcs[addr as usize] {
        FuncEntity::Wasm { instance, code, .. } => {
            let instances = cx.instances;
            let callee = &instances[instance as usize].module.inner.code[code as usize];
            enter(vm, cx, instance, callee, args)
        }
        FuncEntity::Host { .. } => {
            cx.host = (addr, cx.base + usize::from(args));
            cx.host_call_op = vm.ip;
            Err(Break::Host)
        }
    }
}

/// `call` of a function defined in the running module.
#[inline(always)]
pub(crate) fn call_internal(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    let code = cx.code;
    let instance = cx.instance;
    enter(vm, cx, instance, &code[func as usize], args)
}

/// `call` of an imported function.
#[inline(always)]
pub(crate) fn call_imported(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, func: u32) -> Flow {
    let addr = cx.inst.funcs[func as usize];
    call_addr(vm, cx, addr, args)
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
    let i: u32 = get(vm, cx, index);
    let t = cx.table_addr(u32::from(table));
    let Some(&element) = cx.tables[t].elements.get(i as usize) else {
        return Err(cx.trap_at(TrapKind::UndefinedElement, i));
    };
    if element == 0 {
        return Err(cx.trap_at(TrapKind::UninitializedElement, i));
    }
    let addr = element - 1;
    if cx.funcs[addr as usize].ty() != cx.inst.module.inner.type_ids[ty as usize] {
        return Err(cx.trap(TrapKind::IndirectCallTypeMismatch));
    }
    call_addr(vm, cx, addr, args)
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
