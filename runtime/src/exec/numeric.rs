//! The handlers of numeric ops: one generic function per shape (unary, binary, compare and
//! branch). The generated handlers pass where each operand comes from ([`Source`]: a register,
//! the accumulator, an immediate, a constant of the function) and where the result goes
//! ([`Dest`]: a register or the accumulator), and the semantics function; operand types are
//! inferred from its signature. The arithmetic itself lives in `semantics/`. Everything is
//! passed by value (function items, zero-sized sources), so each handler is specialised and
//! inlined into straight-line code.

use super::vm::{Cx, Dest, FAcc, Flow, Konst, Outcome, Reg, Slow, Source, ToFAcc, ToReg, Vm, finish};
use crate::ir::Slot;
use crate::semantics;

/// `dst = f(src)`.
#[inline(always)]
pub(crate) fn unary<A, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: impl Dest<R::Value>,
    src: impl Source<A>,
    f: impl FnOnce(A) -> R,
) -> Flow {
    let outcome = f(src.read(vm, cx));
    finish(vm, cx, dst, outcome)
}

/// `dst = f(a, b)`.
#[inline(always)]
pub(crate) fn binary<A, B, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: impl Dest<R::Value>,
    a: impl Source<A>,
    b: impl Source<B>,
    f: impl FnOnce(A, B) -> R,
) -> Flow {
    let outcome = f(a.read(vm, cx), b.read(vm, cx));
    finish(vm, cx, dst, outcome)
}

/// Branches by `offset` if `taken`. A backward branch (each loop iteration takes one) leaves
/// the handlers when an interrupt fired, to resume at the target if the callback says so
/// (unless `vm.check_interrupts` is off: the store cannot be interrupted).
#[inline(always)]
pub(crate) fn branch_if(vm: &mut Vm, cx: &mut Cx<'_>, taken: bool, offset: i32) -> Flow {
    if !taken {
        // Without a hint, LLVM computes both targets and selects one (`cmov`): more
        // instructions on both paths, and the next op's fetch waits for the compare.
        std::hint::cold_path();
        return vm.next();
    }
    vm.jump(offset);
    if offset <= 0 && vm.check_interrupts && cx.interrupt_pending() {
        return Err(cx.slow(Slow::Interrupt, vm.ip));
    }
    Ok(())
}

/// Branches if `f(a) == WHEN`.
#[inline(always)]
pub(crate) fn br_unary<const WHEN: bool, A>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: impl Source<A>,
    offset: i32,
    f: impl FnOnce(A) -> bool,
) -> Flow {
    let taken = f(a.read(vm, cx)) == WHEN;
    branch_if(vm, cx, taken, offset)
}

/// Branches if `f(a, b) == WHEN`.
#[inline(always)]
pub(crate) fn br_binary<const WHEN: bool, A, B>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: impl Source<A>,
    b: impl Source<B>,
    offset: i32,
    f: impl FnOnce(A, B) -> bool,
) -> Flow {
    let taken = f(a.read(vm, cx), b.read(vm, cx)) == WHEN;
    branch_if(vm, cx, taken, offset)
}

/// `(facc * b) + k`, each step rounded and its NaN chosen as `f64.mul` and `f64.add` do.
#[inline(always)]
fn f64_mul_add_k(vm: &Vm, cx: &Cx<'_>, b: Slot, k: u32) -> f64 {
    let product = semantics::float::f64_mul(FAcc.read(vm, cx), Reg(b).read(vm, cx));
    semantics::float::f64_add(product, Konst(k).read(vm, cx))
}

/// `F64MulAddK_rs`: the fused multiply-add to register `dst`.
#[inline(always)]
pub(crate) fn f64_mul_add_k_to_reg(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, b: Slot, k: u32) -> Flow {
    let value = f64_mul_add_k(vm, cx, b, k);
    ToReg(dst).write(vm, cx, value);
    vm.next()
}

/// `F64MulAddK_Rrs`: the fused multiply-add to the float accumulator.
#[inline(always)]
pub(crate) fn f64_mul_add_k_to_acc(vm: &mut Vm, cx: &mut Cx<'_>, b: Slot, k: u32) -> Flow {
    let value = f64_mul_add_k(vm, cx, b, k);
    ToFAcc.write(vm, cx, value);
    vm.next()
}
