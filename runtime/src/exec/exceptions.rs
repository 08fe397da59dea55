//! `throw` and `throw_ref`, and the unwinding they start (exception handling).
//!
//! Both ops only leave the handlers (`Break::Slow`); [`Cx::unwind`] then does the rare work:
//! it looks the throwing op up in the running function's handler table (a side table of the
//! translation, see `ir::handlers`), and while no clause of an enclosing `try_table` matches,
//! pops a frame and looks the caller's call op up in the same way. A matching clause writes
//! the payload (and the `exnref`) into the registers its label's branch carries values in and
//! execution resumes at the label. With no handler left in this execution, the exception
//! leaves it (`Cx::exception`), to be rethrown by an enclosing execution's call of the host
//! function that called this one, or returned to the embedder as an error. Nothing here runs
//! unless an exception is thrown: entering and leaving a `try_table` costs no op.

use super::op_index;
use super::vm::{Break, Cx, Flow, Slow, Vm, get};
use crate::ir::{CatchKind, Op, Slot};
use crate::trap::TrapKind;

/// `throw`: the payload of the module's tag `tag` is at register `args`.
#[inline(always)]
pub(crate) fn throw(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, tag: u32) -> Flow {
    Err(cx.slow(Slow::Throw { args, tag }, vm.ip))
}

/// `throw_ref` of the `exnref` in register `src`.
#[inline(always)]
pub(crate) fn throw_ref(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot) -> Flow {
    let exn: u32 = get(vm, cx, src);
    if exn == 0 {
        return Err(cx.trap(TrapKind::NullExceptionReference, vm.ip));
    }
    Err(cx.slow(Slow::Rethrow(exn - 1), vm.ip))
}

impl Cx<'_> {
    /// Makes a new exception of the running instance's tag `tag` from the payload at register
    /// `args` of the running frame; returns its slot in the exception heap.
    #[cold]
    pub(crate) fn new_exception(&mut self, args: Slot, tag: u32) -> u32 {
        let tag = self.inst.tags[tag as usize];
        let cells = self.tags[tag as usize].param_cells as usize;
        let start = self.base + usize::from(args);
        self.exns.insert(tag, &self.values[start..start + cells])
    }

    /// Unwinds exception `exn` thrown at op `self.resume` of the running function: on return,
    /// execution resumes at the handler's label (`self.resume`, in the frame `self.base` of
    /// `self.func`, whose instance is current); or `Err(Break::Trap)` with the exception in
    /// `self.exception` if no frame of this execution catches it.
    #[cold]
    pub(crate) fn unwind(&mut self, exn: u32) -> Flow {
        let tag = self.exns.tag(exn);
        let mut at = op_index(self.func, self.resume);
        loop {
            // A tail call still in its frame is a call of a host function (a wasm callee has
            // replaced the frame): the frame's handlers no longer apply.
            let tail_call = at.and_then(|at| self.func.ops.get(at as usize)).is_some_and(|instr| {
                matches!(
                    instr.op,
                    Op::ReturnCallInternal { .. }
                        | Op::ReturnCallImported { .. }
                        | Op::ReturnCallIndirect { .. }
                )
            });
            if let Some(at) = at.filter(|_| !tail_call)
                && self.catch(exn, tag, at)
            {
                return Ok(());
            }
            let Some(frame) = self.frames.pop() else {
                self.exception = Some(exn);
                return Err(Break::Trap);
            };
            // SAFETY: `frame.func` was a running function of this execution (see `Frame`);
            // compiled functions live as long as the store's instances.
            self.func = unsafe { &*frame.func };
            self.base = frame.base as usize;
            if frame.instance != self.instance {
                self.enter_instance(frame.instance);
            }
            // The frame resumes after its call op, which is where it stands.
            at = op_index(self.func, frame.ip).and_then(|op| op.checked_sub(1));
        }
    }

    /// If a handler of the running function encloses op `at` and has a clause for exception
    /// `exn` (of store tag `tag`), hands the exception over and sets `resume` to the clause's
    /// target.
    fn catch(&mut self, exn: u32, tag: u32, at: u32) -> bool {
        let module = &self.inst.module.inner;
        let Some(table) = module.offsets.get(self.func.def_index as usize).and_then(|t| t.get()) else {
            return false;
        };
        for handler in table.handlers.iter().filter(|h| h.start <= at && at < h.end) {
            for clause in handler.clauses.iter() {
                let (payload, with_ref) = match clause.kind {
                    CatchKind::Tag(_) => (true, false),
                    CatchKind::TagRef(_) => (true, true),
                    CatchKind::All => (false, false),
                    CatchKind::AllRef => (false, true),
                };
                if let CatchKind::Tag(t) | CatchKind::TagRef(t) = clause.kind
                    && self.inst.tags[t as usize] != tag
                {
                    continue;
                }
                let mut dst = self.base + usize::from(clause.dst);
                if payload {
                    let cells = self.exns.cells(exn);
                    self.values[dst..dst + cells.len()].copy_from_slice(cells);
                    dst += cells.len();
                }
                if with_ref {
                    self.values[dst] = u64::from(exn) + 1;
                    self.exns.expose(exn);
                } else {
                    self.exns.release(exn);
                }
                // SAFETY: the translator made every clause target an op of the function.
                self.resume = unsafe { self.func.ops.as_ptr().add(clause.target as usize) };
                return true;
            }
        }
        false
    }
}
