//! Copies, constants, `select`, branches, branch tables, fuel and `unreachable`.

use super::numeric::branch_if;
use super::vm::{Cx, Flow, Konst, Source, Vm, get, set};
use crate::ir::Slot;
use crate::trap::TrapKind;

/// Copies one cell.
#[inline(always)]
pub(crate) fn copy(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, src: Slot) -> Flow {
    set(vm, cx, dst, get::<u64>(vm, cx, src));
    vm.next()
}

/// Two one-cell copies, the second after the first (it may read what the first wrote).
#[inline(always)]
pub(crate) fn copy_pair(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst0: Slot,
    src0: Slot,
    dst1: Slot,
    src1: Slot,
) -> Flow {
    set(vm, cx, dst0, get::<u64>(vm, cx, src0));
    set(vm, cx, dst1, get::<u64>(vm, cx, src1));
    vm.next()
}

/// Copies two cells (a `v128`).
#[inline(always)]
pub(crate) fn copy2(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, src: Slot) -> Flow {
    set(vm, cx, dst, get::<u128>(vm, cx, src));
    vm.next()
}

/// Copies `len` cells from `src..` to `dst..`; the ranges may overlap.
#[inline(always)]
pub(crate) fn copy_span(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, src: Slot, len: u16) -> Flow {
    if len > 0 {
        // Checks (with `checked`) that both spans lie in the frame.
        let last = len - 1;
        let (from, to) = (vm.reg(cx, src), vm.reg(cx, dst));
        let _ = (vm.reg(cx, src + last), vm.reg(cx, dst + last));
        // SAFETY: both spans are registers of the running frame: `seal` makes the frame cover
        // every `u16` field of an op (which includes `len`) plus a margin, and the spans the
        // translator emits (block results, returns) lie inside the frame.
        unsafe { std::ptr::copy(from, to, usize::from(len)) };
    }
    vm.next()
}

/// Writes a 32-bit constant (zero-extended).
#[inline(always)]
pub(crate) fn const32(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, value: u32) -> Flow {
    set(vm, cx, dst, value);
    vm.next()
}

/// Writes a 64-bit constant.
#[inline(always)]
pub(crate) fn const64(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, lo: u32, hi: u32) -> Flow {
    set(vm, cx, dst, u64::from(lo) | (u64::from(hi) << 32));
    vm.next()
}

/// Copies one cell, register `a` if `take_a`, else register `b`, to `dst`: every `select` of
/// one-cell values, whatever its condition.
#[inline(always)]
fn pick(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, take_a: bool, a: Slot, b: Slot) -> Flow {
    set(vm, cx, dst, get::<u64>(vm, cx, if take_a { a } else { b }));
    vm.next()
}

/// `select` of one-cell values.
#[inline(always)]
pub(crate) fn select(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, cond: Slot, a: Slot, b: Slot) -> Flow {
    let take_a = get::<u32>(vm, cx, cond) != 0;
    pick(vm, cx, dst, take_a, a, b)
}

/// Copies register `a` if `take_a`, else the 64-bit constant `k`, to `dst`: a `select` with a
/// constant operand.
#[inline(always)]
fn pick_k(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, take_a: bool, a: Slot, k: u32) -> Flow {
    let value = if take_a { get::<u64>(vm, cx, a) } else { Konst(k).read(vm, cx) };
    set(vm, cx, dst, value);
    vm.next()
}

/// `select` of register `a` and constant `k`: `dst = cond != 0 ? a : k`.
#[inline(always)]
pub(crate) fn select_k(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, cond: Slot, a: Slot, k: u32) -> Flow {
    let take_a = get::<u32>(vm, cx, cond) != 0;
    pick_k(vm, cx, dst, take_a, a, k)
}

/// `select` of constant `k` and register `a`: `dst = cond == 0 ? a : k`.
#[inline(always)]
pub(crate) fn select_k_not(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, cond: Slot, a: Slot, k: u32) -> Flow {
    let take_a = get::<u32>(vm, cx, cond) == 0;
    pick_k(vm, cx, dst, take_a, a, k)
}

/// `select` with its condition in the accumulator.
#[inline(always)]
pub(crate) fn select_r(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, a: Slot, b: Slot) -> Flow {
    pick(vm, cx, dst, vm.acc as u32 != 0, a, b)
}

/// `select` on an i64 condition (`select(a, b, i64.eqz(x))` is `select64(b, a, x)`).
#[inline(always)]
pub(crate) fn select64(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, cond: Slot, a: Slot, b: Slot) -> Flow {
    let take_a = get::<u64>(vm, cx, cond) != 0;
    pick(vm, cx, dst, take_a, a, b)
}

/// `select64` with its condition in the accumulator.
#[inline(always)]
pub(crate) fn select64_r(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, a: Slot, b: Slot) -> Flow {
    pick(vm, cx, dst, vm.acc != 0, a, b)
}

/// `select` of two-cell values.
#[inline(always)]
pub(crate) fn select2(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, cond: Slot, a: Slot, b: Slot) -> Flow {
    let pick = if get::<u32>(vm, cx, cond) != 0 { a } else { b };
    set(vm, cx, dst, get::<u128>(vm, cx, pick));
    vm.next()
}

/// `unreachable`.
#[inline(always)]
pub(crate) fn unreachable(vm: &mut Vm, cx: &mut Cx<'_>) -> Flow {
    Err(cx.trap(TrapKind::Unreachable, vm.ip))
}

/// `Data64` is never run (the translator places it after the op that ends the code, and no
/// branch leads past that op); were it run, it would trap like `Unreachable`.
#[inline(always)]
pub(crate) fn data64(vm: &mut Vm, cx: &mut Cx<'_>, _lo: u32, _hi: u32) -> Flow {
    debug_assert!(false, "ran a Data64 op");
    Err(cx.trap(TrapKind::Unreachable, vm.ip))
}

/// Charges the fuel of the region (function body, loop iteration, `if`/`else` arm) that starts
/// here.
#[inline(always)]
pub(crate) fn consume_fuel(vm: &mut Vm, cx: &mut Cx<'_>, amount: u32) -> Flow {
    let amount = u64::from(amount);
    if cx.fuel < amount {
        return Err(cx.trap(TrapKind::OutOfFuel, vm.ip));
    }
    cx.fuel -= amount;
    vm.next()
}

/// Unconditional branch.
#[inline(always)]
pub(crate) fn br(vm: &mut Vm, cx: &mut Cx<'_>, offset: i32) -> Flow {
    branch_if(vm, cx, true, offset)
}

/// `br_table`: the `len + 1` `Br` ops that follow are the targets, the last the default.
#[inline(always)]
pub(crate) fn br_table(vm: &mut Vm, cx: &mut Cx<'_>, index: Slot, len: u32) -> Flow {
    let entry = get::<u32>(vm, cx, index).min(len);
    // `seal` checked that the `len + 1` entries follow the table inside the op stream.
    vm.jump(1 + entry as i32);
    Ok(())
}
