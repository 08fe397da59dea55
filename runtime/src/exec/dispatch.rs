//! The two dispatch backends, both expanded from the generated `for_each_op!` list (every op
//! with the call that runs it), so they run the same handler bodies:
//!
//! - **threaded** (`epsilon_tail_dispatch`, chosen by `build.rs` for optimised builds on
//!   x86_64, aarch64, riscv64 and loongarch64): one function per op; each ends by calling the
//!   next op's handler in tail position. The handlers share one signature with the hot state
//!   ([`Vm`] and the handlers' base address) in argument registers, so LLVM turns each of
//!   those calls into a jump: no loop, no spill of the state between ops. Dispatch is direct:
//!   each [`Instr`] carries its handler's address relative to that base (set by the
//!   translator with [`link_ops`]), so finding the next handler is one load and one add,
//!   with no table in between. There are four sets of handlers, which differ only in the
//!   ops that branch: for stores that are not interruptible, they skip the interrupt check
//!   of backward branches; for code with fuel charges, a backward branch onto a loop head's
//!   charge takes it itself (one op less per iteration). The engine's settings pick the set
//!   when a function is translated.
//! - **portable** (everywhere else, and with the `portable-dispatch` feature): a loop around a
//!   `match` on the op, every handler inlined into it.
//!
//! For the threaded backend, a handler must not let the address of its own locals escape into
//! a call that is not inlined: LLVM would then keep the frame and make the next call a real
//! call, and the native stack would grow with every op executed. Hence every function that
//! takes `&mut Vm` is `#[inline(always)]`; out-of-line helpers take only `Cx` or values. CI runs
//! the whole spec suite on a thread with a small stack to catch a handler that breaks this.
//!
//! The choice is made when this crate is compiled, from its optimisation level. With LTO the
//! machine code is generated again when the final binary is linked, at the final crate's
//! level: a final crate built without optimisation (rustdoc's doctests are) turns the tail
//! calls back into calls. Such builds need the final crate optimised too, or the
//! `portable-dispatch` feature (this workspace passes `-C opt-level=3` to rustdoc in
//! `.cargo/config.toml`).

use super::vm::{Acc, Break, Cx, FAcc, Imm, Konst, Reg, Scaled, Sum, ToAcc, ToFAcc, ToReg, Vm};
use super::{bulk, calls, control, exceptions, memory, numeric, simd, table};
use crate::ir::{Instr, Op};
use crate::semantics;

include!(concat!(env!("OUT_DIR"), "/handlers.rs"));

/// Runs from `vm.ip` until the execution stops.
pub(crate) fn execute(vm: Vm, cx: &mut Cx<'_>) -> Break {
    #[cfg(epsilon_tail_dispatch)]
    return threaded::start(vm, cx);
    #[cfg(not(epsilon_tail_dispatch))]
    return portable::execute(vm, cx);
}

/// The compiled stream of `ops`: each op with its link to its handler (for the threaded
/// backend, from the handler set for the engine's interrupt and fuel settings; 0 for the
/// portable backend, which does not use it).
pub(crate) fn link_ops(ops: &[Op], interruptible: bool, fuel: bool) -> Box<[Instr]> {
    #[cfg(epsilon_tail_dispatch)]
    let handlers = threaded::handler_offsets(interruptible, fuel);
    #[cfg(not(epsilon_tail_dispatch))]
    let handlers = {
        let _ = (interruptible, fuel);
        &[0; crate::ir::OP_COUNT]
    };
    // SAFETY: `Op` is `repr(u16)`: its first two bytes are the tag, below `OP_COUNT`.
    let tag = |op: &Op| usize::from(unsafe { *(op as *const Op as *const u16) });
    ops.iter().map(|&op| Instr { handler: handlers[tag(&op)], op }).collect()
}

/// The name of the backend this build uses.
pub(crate) const BACKEND: &str = if cfg!(epsilon_tail_dispatch) { "threaded" } else { "portable" };

#[cfg(epsilon_tail_dispatch)]
mod threaded {
    use super::*;
    use crate::ir::OP_COUNT;

    /// An op handler: runs the op at `ip` and everything after it. `base` is [`base()`],
    /// passed along in a register so that finding the next handler is one load and one add.
    pub(super) type Handler = fn(*const Instr, *mut u64, *mut u8, usize, &mut Cx<'_>, u64, f64) -> Break;

    /// The address every `Instr::handler` is relative to: that of one handler (any function of
    /// this crate would do).
    #[inline(always)]
    fn base() -> usize {
        ops::Unreachable::<true, false> as Handler as usize
    }

    /// `Instr::handler` of every op (indexed by tag): its handler, from the set for the
    /// engine's interrupt and fuel settings, relative to [`base`]. Computed once.
    pub(in crate::exec) fn handler_offsets(interruptible: bool, fuel: bool) -> &'static [i32; OP_COUNT] {
        static OFFSETS: std::sync::OnceLock<[[i32; OP_COUNT]; 4]> = std::sync::OnceLock::new();
        let offsets = OFFSETS.get_or_init(|| {
            let relative = |table: &[Handler; OP_COUNT]| {
                table.map(|handler| {
                    let offset = (handler as usize).wrapping_sub(base()) as isize;
                    // The handlers are functions of one crate, in one code section: well
                    // within 2 GiB of each other on every target this backend is built for.
                    i32::try_from(offset).expect("handlers more than 2 GiB apart")
                })
            };
            [
                relative(&UNINTERRUPTIBLE),
                relative(&INTERRUPTIBLE),
                relative(&UNINTERRUPTIBLE_FUEL),
                relative(&INTERRUPTIBLE_FUEL),
            ]
        });
        &offsets[usize::from(interruptible) + 2 * usize::from(fuel)]
    }

    /// Starts running the op `vm.ip` points at.
    pub(super) fn start(vm: Vm, cx: &mut Cx<'_>) -> Break {
        next(vm, cx, base())
    }

    /// Continues with the op `vm.ip` points at.
    #[inline(always)]
    fn next(vm: Vm, cx: &mut Cx<'_>, base: usize) -> Break {
        cx.check_ip(vm.ip);
        // SAFETY: `vm.ip` points at an instr of the running function's stream (see `Vm`), whose
        // `handler` the translator set from `handler_offsets` for this op: `base` (which is
        // `base()`) plus it is the address of the op's handler, a function of type `Handler`.
        let handler: Handler = unsafe {
            let offset = (*vm.ip).handler as isize as usize;
            std::mem::transmute::<usize, Handler>(base.wrapping_add(offset))
        };
        handler(vm.ip, vm.sp, vm.mem, base, cx, vm.acc, vm.facc)
    }

    macro_rules! threaded {
        ($vm:ident, $cx:ident; $( $name:ident { $($field:ident),* } $branches:literal => $call:expr; )*) => {
            #[allow(non_snake_case, unused_variables)]
            mod ops {
                use super::*;
                $(
                    /// `CHECK`: whether a backward branch checks the interrupt flag (only ops
                    /// that branch are instantiated with `false`); `FUEL`: whether it takes
                    /// the loop charge it lands on (only ops that branch are instantiated
                    /// with `true`).
                    #[inline(never)]
                    pub(super) fn $name<const CHECK: bool, const FUEL: bool>(
                        ip: *const Instr,
                        sp: *mut u64,
                        mem: *mut u8,
                        base: usize,
                        $cx: &mut Cx<'_>,
                        acc: u64,
                        facc: f64,
                    ) -> Break {
                        let mut state =
                            Vm { ip, sp, mem, acc, facc, check_interrupts: CHECK, charge_loops: FUEL };
                        // SAFETY: the translator links each op to its own handler (both tables
                        // are in tag order), so this handler only runs for ops of its kind.
                        let Op::$name { $($field),* } = (unsafe { (*ip).op }) else {
                            unsafe { std::hint::unreachable_unchecked() }
                        };
                        let $vm = &mut state;
                        match $call {
                            Ok(()) => next(state, $cx, base),
                            Err(stop) => stop,
                        }
                    }
                )*
            }

            /// The handler of each op, indexed by its tag, for interruptible stores.
            static INTERRUPTIBLE: [Handler; OP_COUNT] = [$(ops::$name::<true, false>),*];

            /// The same for stores that cannot be interrupted: the ops that branch do not check
            /// the (constant zero) interrupt flag; every other op shares its handler with
            /// `INTERRUPTIBLE`.
            static UNINTERRUPTIBLE: [Handler; OP_COUNT] = [$(ops::$name::<{ !$branches }, false>),*];

            /// `INTERRUPTIBLE` for code with fuel charges: the ops that branch take the charge
            /// of the loop head they branch back to.
            static INTERRUPTIBLE_FUEL: [Handler; OP_COUNT] = [$(ops::$name::<true, $branches>),*];

            /// `UNINTERRUPTIBLE` for code with fuel charges.
            static UNINTERRUPTIBLE_FUEL: [Handler; OP_COUNT] =
                [$(ops::$name::<{ !$branches }, $branches>),*];

            /// `INTERRUPTIBLE[tag]` is the handler of that op (checked by a unit test).
            #[cfg(test)]
            pub(super) fn handler_names() -> Vec<&'static str> {
                vec![$(stringify!($name)),*]
            }
        };
    }

    for_each_op!(threaded);
}

#[cfg(not(epsilon_tail_dispatch))]
mod portable {
    use super::*;

    macro_rules! portable {
        ($vm:ident, $cx:ident; $( $name:ident { $($field:ident),* } $branches:literal => $call:expr; )*) => {
            /// Runs ops until one stops the execution.
            pub(super) fn execute(mut state: Vm, $cx: &mut Cx<'_>) -> Break {
                let $vm = &mut state;
                loop {
                    $cx.check_ip($vm.ip);
                    // SAFETY: `ip` points at an op of the running function's stream (see `Vm`).
                    // Matching on the op in place lets each arm load only its own fields.
                    let op: &Op = unsafe { &(*$vm.ip).op };
                    #[allow(unused_variables)]
                    let flow = match *op {
                        $( Op::$name { $($field),* } => $call, )*
                    };
                    if let Err(stop) = flow {
                        return stop;
                    }
                }
            }
        };
    }

    for_each_op!(portable);
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(epsilon_tail_dispatch)]
    fn handlers_are_in_tag_order() {
        // The tag of a `repr(u16)` enum variant is its position; `HANDLERS` lists the ops in the
        // same order, which the names (each handler is named after its op) show.
        let names = super::threaded::handler_names();
        assert_eq!(names.len(), crate::ir::OP_COUNT);
        let br = crate::ir::Op::Br { offset: 0 };
        // SAFETY: `Op` is `repr(u16)`, so its first two bytes are the tag.
        let tag = unsafe { *(&br as *const crate::ir::Op as *const u16) };
        assert_eq!(names[usize::from(tag)], "Br");
    }
}
