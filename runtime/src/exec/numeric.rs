//! The handlers of numeric ops: one generic function per operand form. Each reads its operands
//! in the types the semantics function takes (inferred from its signature), calls it, and
//! writes the result or branches on it; the arithmetic itself lives in `semantics/`. The
//! function is passed as a function item, so each instance is specialised to it and inlined.

use super::vm::{Cx, Flow, FromCell, FromConst, FromImm, Outcome, Vm, get, set};
use crate::ir::Slot;

/// Writes a semantics function's outcome to `dst`, or traps.
#[inline(always)]
fn finish<R: Outcome>(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, outcome: R) -> Flow {
    match outcome.into_result() {
        Ok(value) => {
            set(vm, cx, dst, value);
            vm.next()
        }
        Err(kind) => Err(cx.trap(kind)),
    }
}

/// `dst = f(src)`.
#[inline(always)]
pub(crate) fn unary<A: FromCell, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    src: Slot,
    f: impl FnOnce(A) -> R,
) -> Flow {
    let r = f(get(vm, cx, src));
    finish(vm, cx, dst, r)
}

/// `dst = f(a, b)`, both operands in registers.
#[inline(always)]
pub(crate) fn binary_ss<A: FromCell, B: FromCell, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    a: Slot,
    b: Slot,
    f: impl FnOnce(A, B) -> R,
) -> Flow {
    let r = f(get(vm, cx, a), get(vm, cx, b));
    finish(vm, cx, dst, r)
}

/// `dst = f(a, imm)`: a 32-bit immediate right operand.
#[inline(always)]
pub(crate) fn binary_si<A: FromCell, B: FromImm, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    a: Slot,
    imm: u32,
    f: impl FnOnce(A, B) -> R,
) -> Flow {
    let r = f(get(vm, cx, a), B::from_imm(imm));
    finish(vm, cx, dst, r)
}

/// `dst = f(imm, b)`: a 32-bit immediate left operand.
#[inline(always)]
pub(crate) fn binary_is<A: FromImm, B: FromCell, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    imm: u32,
    b: Slot,
    f: impl FnOnce(A, B) -> R,
) -> Flow {
    let r = f(A::from_imm(imm), get(vm, cx, b));
    finish(vm, cx, dst, r)
}

/// The function's 64-bit constant `k`.
#[inline(always)]
fn constant<T: FromConst>(cx: &Cx<'_>, k: u32) -> T {
    // The translator only emits indices into the function's own table; a bad one is a
    // translator bug, which indexing turns into a panic rather than a wrong value.
    T::from_const(cx.func.consts[k as usize])
}

/// `dst = f(a, k)`: the right operand is constant `k` of the function.
#[inline(always)]
pub(crate) fn binary_sk<A: FromCell, B: FromConst, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    a: Slot,
    k: u32,
    f: impl FnOnce(A, B) -> R,
) -> Flow {
    let r = f(get(vm, cx, a), constant(cx, k));
    finish(vm, cx, dst, r)
}

/// `dst = f(k, b)`: the left operand is constant `k` of the function.
#[inline(always)]
pub(crate) fn binary_ks<A: FromConst, B: FromCell, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    k: u32,
    b: Slot,
    f: impl FnOnce(A, B) -> R,
) -> Flow {
    let r = f(constant(cx, k), get(vm, cx, b));
    finish(vm, cx, dst, r)
}

/// Branches by `offset` if `taken`; a backward branch checks for interruption.
#[inline(always)]
pub(crate) fn branch_if(vm: &mut Vm, cx: &mut Cx<'_>, taken: bool, offset: i32) -> Flow {
    if !taken {
        return vm.next();
    }
    if offset <= 0 {
        cx.check_interrupt()?;
    }
    vm.jump(offset);
    Ok(())
}

/// Branches if `f(a) == WHEN`.
#[inline(always)]
pub(crate) fn br_unary<const WHEN: bool, A: FromCell>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    offset: i32,
    f: impl FnOnce(A) -> bool,
) -> Flow {
    let taken = f(get(vm, cx, a)) == WHEN;
    branch_if(vm, cx, taken, offset)
}

/// Branches if `f(a, b) == WHEN`.
#[inline(always)]
pub(crate) fn br_ss<const WHEN: bool, A: FromCell, B: FromCell>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    b: Slot,
    offset: i32,
    f: impl FnOnce(A, B) -> bool,
) -> Flow {
    let taken = f(get(vm, cx, a), get(vm, cx, b)) == WHEN;
    branch_if(vm, cx, taken, offset)
}

/// Branches if `f(a, imm) == WHEN`.
#[inline(always)]
pub(crate) fn br_si<const WHEN: bool, A: FromCell, B: FromImm>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    imm: u32,
    offset: i32,
    f: impl FnOnce(A, B) -> bool,
) -> Flow {
    let taken = f(get(vm, cx, a), B::from_imm(imm)) == WHEN;
    branch_if(vm, cx, taken, offset)
}

/// Branches if `f(a, k) == WHEN`, `k` a constant of the function.
#[inline(always)]
pub(crate) fn br_sk<const WHEN: bool, A: FromCell, B: FromConst>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    k: u32,
    offset: i32,
    f: impl FnOnce(A, B) -> bool,
) -> Flow {
    let taken = f(get(vm, cx, a), constant(cx, k)) == WHEN;
    branch_if(vm, cx, taken, offset)
}
