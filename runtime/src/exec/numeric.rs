//! The handlers of numeric ops: one generic function per shape (unary, binary, compare and
//! branch). The generated handlers pass where each operand comes from ([`Source`]: a register,
//! the accumulator, an immediate, a constant of the function) and where the result goes
//! ([`Dest`]: a register or the accumulator), and the semantics function; operand types are
//! inferred from its signature. The arithmetic itself lives in `semantics/`. Everything is
//! passed by value (function items, zero-sized sources), so each handler is specialised and
//! inlined into straight-line code.

use super::vm::{
    Cx, Dest, FAcc, Flow, FromCell, FromImm, Imm, Konst, Outcome, Reg, Slow, Source, ToCell, ToFAcc, ToReg,
    Vm, finish, get, set,
};
use crate::ir::{Imm16, Op, Slot};
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
/// (unless `vm.check_interrupts` is off: the store cannot be interrupted); with
/// `vm.charge_loops`, it takes the fuel charge it lands on itself.
#[inline(always)]
pub(crate) fn branch_if(vm: &mut Vm, cx: &mut Cx<'_>, taken: bool, offset: i32) -> Flow {
    if !taken {
        // Without a hint, LLVM computes both targets and selects one (`cmov`): more
        // instructions on both paths, and the next op's fetch waits for the compare.
        std::hint::cold_path();
        return vm.next();
    }
    vm.jump(offset);
    if offset <= 0 {
        if vm.check_interrupts && cx.interrupt_pending() {
            // Resumes at the target, the charge (if any) included.
            return Err(cx.slow(Slow::Interrupt, vm.ip));
        }
        if vm.charge_loops {
            return take_loop_charge(vm, cx);
        }
    }
    Ok(())
}

/// If the op at `vm.ip` is a fuel charge (a loop head's), runs it here: charges it, or traps
/// at it as the op would, and moves past it.
#[inline(always)]
fn take_loop_charge(vm: &mut Vm, cx: &mut Cx<'_>) -> Flow {
    // SAFETY: `vm.ip` is a branch target, inside the op stream (`seal` checked it).
    if let Op::ConsumeFuel { amount } = unsafe { (*vm.ip).op } {
        return super::control::consume_fuel(vm, cx, amount);
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

/// A loop counter's step and test: `a = add(a, step)`, then branches by `offset` if
/// `test(a, limit)` (the `i += k; br_if (i != n)` at the end of a counted loop, as one op).
#[inline(always)]
fn step_branch<T: FromCell + ToCell + Copy>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    (step, limit): (T, T),
    offset: i32,
    add: fn(T, T) -> T,
    test: fn(T, T) -> bool,
) -> Flow {
    let value = add(get::<T>(vm, cx, a), step);
    set(vm, cx, a, value);
    branch_if(vm, cx, test(value, limit), offset)
}

/// The integer types of loop counters (`u32` for i32, `u64` for i64), with the semantics
/// functions of their step and tests.
pub(crate) trait Counter: FromCell + ToCell + FromImm + Copy {
    /// Zero, the bound of `StepBrNez`.
    const ZERO: Self;
    /// `add` of the counter's type.
    fn add(a: Self, b: Self) -> Self;
    /// `ne` of the counter's type.
    fn ne(a: Self, b: Self) -> bool;
    /// `lt_u` of the counter's type.
    fn lt_u(a: Self, b: Self) -> bool;
    /// `gt_s` of the counter's type.
    fn gt_s(a: Self, b: Self) -> bool;
}

macro_rules! counter {
    ($t:ty, $add:ident, $ne:ident, $lt_u:ident, $gt_s:ident) => {
        impl Counter for $t {
            const ZERO: Self = 0;
            #[inline(always)]
            fn add(a: Self, b: Self) -> Self {
                semantics::int::$add(a, b)
            }
            #[inline(always)]
            fn ne(a: Self, b: Self) -> bool {
                semantics::int::$ne(a, b)
            }
            #[inline(always)]
            fn lt_u(a: Self, b: Self) -> bool {
                semantics::int::$lt_u(a, b)
            }
            #[inline(always)]
            fn gt_s(a: Self, b: Self) -> bool {
                semantics::int::$gt_s(a as _, b as _)
            }
        }
    };
}
counter!(u32, i32_add, i32_ne, i32_lt_u, i32_gt_s);
counter!(u64, i64_add, i64_ne, i64_lt_u, i64_gt_s);

/// `I32StepBrNez`, `I64StepBrNez`: the step is an immediate (sign-extended for i64).
#[inline(always)]
pub(crate) fn step_br_nez<T: Counter>(vm: &mut Vm, cx: &mut Cx<'_>, a: Slot, step: u32, offset: i32) -> Flow {
    let step: T = Imm(step).read(vm, cx);
    step_branch(vm, cx, a, (step, T::ZERO), offset, T::add, T::ne)
}

/// The test of a `StepBr` op: `a < limit` (unsigned) if `LT_U`, else `a != limit`.
#[inline(always)]
fn step_test<T: Counter, const LT_U: bool>() -> fn(T, T) -> bool {
    if LT_U { T::lt_u } else { T::ne }
}

/// `I32StepBrGtS_i`, `I64StepBrGtS_i`: a counter stepping down to a 16-bit bound (both
/// sign-extended).
#[inline(always)]
pub(crate) fn step_br_gt_s<T: Counter>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    step: i16,
    limit: i16,
    offset: i32,
) -> Flow {
    let (step, limit): (T, T) = (Imm(step as i32 as u32).read(vm, cx), Imm(limit as i32 as u32).read(vm, cx));
    step_branch(vm, cx, a, (step, limit), offset, T::add, T::gt_s)
}

/// `I32StepBrNe_s`, `I32StepBrLtU_s` (`LT_U`) and their i64 forms: the bound is register `b`.
#[inline(always)]
pub(crate) fn step_br_s<T: Counter, const LT_U: bool>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    b: Slot,
    step: i16,
    offset: i32,
) -> Flow {
    let (step, limit): (T, T) = (Imm(step as i32 as u32).read(vm, cx), get(vm, cx, b));
    step_branch(vm, cx, a, (step, limit), offset, T::add, step_test::<T, LT_U>())
}

/// `I32StepBrNe_i`, `I32StepBrLtU_i` (`LT_U`) and their i64 forms: the bound is a 16-bit
/// immediate.
#[inline(always)]
pub(crate) fn step_br_i<T: Counter, const LT_U: bool>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    a: Slot,
    step: i16,
    limit: Imm16,
    offset: i32,
) -> Flow {
    let (step, limit): (T, T) = (Imm(step as i32 as u32).read(vm, cx), Imm(u32::from(limit)).read(vm, cx));
    step_branch(vm, cx, a, (step, limit), offset, T::add, step_test::<T, LT_U>())
}
