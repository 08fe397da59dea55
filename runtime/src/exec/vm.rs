//! The dispatch state: [`Vm`], the few values every handler needs (kept in registers from one
//! handler to the next), and [`Cx`], everything else an execution needs (the store's objects,
//! the value and call stacks, the running function, why execution stopped).
//!
//! Registers (frame slots) and memory 0 are reached through raw pointers held in `Vm`, so a
//! handler indexes them without a bounds check:
//! - `Vm::sp` points at the running frame's first cell. The translator makes every function's
//!   `frame_cells` cover every slot its ops name (`FuncTranslator::seal`), and the value stack
//!   always holds the whole running frame (the entry sizes it, `calls::enter` grows it before a
//!   callee starts, it never shrinks during an execution). With the `checked` feature each
//!   access is checked against the frame instead (`Cx::frame_end`).
//! - `Vm::mem`/`Cx::mem_len` are memory 0's bytes; every access checks `addr + offset + size <=
//!   mem_len` (the check WebAssembly requires). They are re-derived ([`Cx::reload_mem`]) after
//!   anything that may move or resize the bytes or switch instances: `memory.grow`, bulk
//!   operations, accesses to other memories, calls into other instances, host calls.
//!
//! The accumulators pass a result to the op right after it without a store to and a load from
//! its frame: `Vm::acc` (an integer register) for i32, i64 and f32 values, `Vm::facc` (a
//! floating-point register) for f64 values, so f64 arithmetic never moves its operands between
//! the two register files. Which one an op reads and writes follows from the WebAssembly types
//! of its operands and result (`gen.rs`); the translator only passes a value through an
//! accumulator when producer and consumer agree on it.
//!
//! A handler returns [`Flow`]: `Ok(())` to go on with the op `Vm::ip` points at, or a
//! [`Break`] whose details (trap kind, host call) are in `Cx`.

use super::Frame;
use crate::error::Error;
use crate::instance::InstanceEntity;
use crate::interrupt::{InterruptCallback, InterruptState, interrupted};
use crate::ir::{CompiledFunc, Instr, Slot};
use crate::memory::MemoryEntity;
use crate::module::FuncCode;
use crate::store::{FuncEntity, GlobalEntity};
use crate::table::TableEntity;
use crate::trap::TrapKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Why execution left the dispatch loop; the details are in [`Cx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Break {
    /// The entry function returned; its results are at the bottom of the value stack.
    Done,
    /// A trap: `Cx::trap` (and `Cx::trap_index`).
    Trap,
    /// A host function must be called: `Cx::host`.
    Host,
    /// Something rare must be done outside the handlers (`Cx::slow`), then execution resumes
    /// at `Cx::resume`. Keeping these paths out of the handlers keeps calls out of them, so
    /// the handlers need no callee-saved registers (no pushes and pops on every op).
    Slow,
}

/// The rare work a [`Break::Slow`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slow {
    /// An interrupt or deadline fired: ask the callback (or trap).
    Interrupt,
    /// The value stack must hold at least this many cells for the call at `resume`.
    GrowValues(usize),
    /// The call stack is full (to its capacity) for the call at `resume`.
    GrowFrames,
    /// The callee of the call at `resume`, function `func` of instance `instance`, is not
    /// translated yet (lazy translation).
    Translate { instance: u32, func: u32 },
    /// `throw` at `resume` of the running instance's tag `tag`, its payload at register
    /// `args`: make the exception and unwind (exception handling).
    Throw { args: Slot, tag: u32 },
    /// Unwind the existing exception `.0` (`throw_ref`, or an exception a host function
    /// threw), thrown at `resume`.
    Rethrow(u32),
}

/// What a handler returns: go on, or stop.
pub(crate) type Flow = Result<(), Break>;

/// The hot state of the dispatch loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Vm {
    /// The op to run next.
    pub ip: *const Instr,
    /// The running frame's first cell.
    pub sp: *mut u64,
    /// Memory 0's first byte (dangling if the instance has none).
    pub mem: *mut u8,
    /// The accumulator: a one-cell value passed from the op that computes it to the op right
    /// after it that uses it, without a round trip through a register of the frame.
    pub acc: u64,
    /// The float accumulator: the same for f64 values, which stay in a floating-point
    /// register (no moves between register files around each f64 op).
    pub facc: f64,
    /// Whether backward branches check the interrupt flag. Always `true` but in the threaded
    /// backend's handlers for stores that are not interruptible (whose flag is a constant zero),
    /// where it is a constant `false` and the check disappears.
    pub check_interrupts: bool,
    /// Whether a backward branch landing on a `ConsumeFuel` (a loop head's charge) takes the
    /// charge itself and goes on past it: one op less per iteration. A constant `true` in
    /// the threaded backend's handlers for code translated with fuel; `false` elsewhere (the
    /// charge then runs as an op: the same fuel either way).
    pub charge_loops: bool,
}

impl Vm {
    /// Moves to the next op.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Flow {
        // SAFETY: the op stream ends with an op that never falls through (`seal`), so the op
        // after one that falls through is inside the stream.
        self.ip = unsafe { self.ip.add(1) };
        Ok(())
    }

    /// Moves by `offset` ops from the current one (a branch target the translator checked).
    #[inline(always)]
    pub(crate) fn jump(&mut self, offset: i32) {
        // SAFETY: `seal` verified that every branch target lies inside the op stream.
        self.ip = unsafe { self.ip.offset(offset as isize) };
    }

    /// The address of register `slot` of the running frame.
    #[inline(always)]
    pub(crate) fn reg(&self, cx: &Cx<'_>, slot: Slot) -> *mut u64 {
        // SAFETY: `slot` is below the frame's `frame_cells`, all of which lie in the value
        // stack (module docs); with `checked`, `Cx::check_reg` panics otherwise.
        let r = unsafe { self.sp.add(usize::from(slot)) };
        cx.check_reg(r);
        r
    }
}

/// A value that can be read from a register.
pub(crate) trait FromCell: Sized {
    /// Reads the value at register `slot`.
    fn get(vm: &Vm, cx: &Cx<'_>, slot: Slot) -> Self;
}

/// A value that can be written to a register.
pub(crate) trait ToCell: Sized {
    /// Writes the value to register `slot`.
    fn set(self, vm: &Vm, cx: &Cx<'_>, slot: Slot);
}

/// A value that fits one cell, so it can also live in the accumulator (`Vm::acc`).
pub(crate) trait Bits: Sized {
    /// The value a cell holds.
    fn from_bits(cell: u64) -> Self;
    /// The cell holding the value.
    fn to_bits(self) -> u64;
}

macro_rules! one_cell {
    ($($t:ty: |$c:ident| $from:expr, |$v:ident| $to:expr;)*) => {$(
        impl Bits for $t {
            #[inline(always)]
            fn from_bits($c: u64) -> Self {
                $from
            }
            #[inline(always)]
            fn to_bits(self) -> u64 {
                let $v = self;
                $to
            }
        }
        impl FromCell for $t {
            #[inline(always)]
            fn get(vm: &Vm, cx: &Cx<'_>, slot: Slot) -> Self {
                // SAFETY: `reg` is a valid register of the running frame.
                <Self as Bits>::from_bits(unsafe { *vm.reg(cx, slot) })
            }
        }
        impl ToCell for $t {
            #[inline(always)]
            fn set(self, vm: &Vm, cx: &Cx<'_>, slot: Slot) {
                // SAFETY: as above.
                unsafe { *vm.reg(cx, slot) = Bits::to_bits(self) };
            }
        }
    )*};
}

// i32 values are kept zero-extended, floats as their bits (so NaN payloads survive).
one_cell! {
    u64: |c| c, |v| v;
    i64: |c| c as i64, |v| v as u64;
    u32: |c| c as u32, |v| u64::from(v);
    i32: |c| c as u32 as i32, |v| u64::from(v as u32);
    u16: |c| c as u16, |v| u64::from(v);
    u8: |c| c as u8, |v| u64::from(v);
    bool: |c| c as u32 != 0, |v| u64::from(v);
    f32: |c| f32::from_bits(c as u32), |v| u64::from(v.to_bits());
    f64: |c| f64::from_bits(c), |v| v.to_bits();
}

impl FromCell for u128 {
    #[inline(always)]
    fn get(vm: &Vm, cx: &Cx<'_>, slot: Slot) -> Self {
        // SAFETY: a v128 register and the next are in the frame (`seal` adds a margin).
        let r = vm.reg(cx, slot);
        cx.check_reg(r.wrapping_add(1));
        // SAFETY: a v128 register and the next are in the frame (`seal` adds a margin); the
        // two cells (8-byte aligned, as `[u64; 2]` needs) are read as one, low cell first.
        unsafe { *(r as *const [u64; 2]) }.into_u128()
    }
}

impl ToCell for u128 {
    #[inline(always)]
    fn set(self, vm: &Vm, cx: &Cx<'_>, slot: Slot) {
        // SAFETY: as above.
        let r = vm.reg(cx, slot);
        cx.check_reg(r.wrapping_add(1));
        // SAFETY: as above.
        unsafe { *(r as *mut [u64; 2]) = [self as u64, (self >> 64) as u64] };
    }
}

/// Two cells as the `u128` they hold, low cell first.
trait IntoU128 {
    fn into_u128(self) -> u128;
}

impl IntoU128 for [u64; 2] {
    #[inline(always)]
    fn into_u128(self) -> u128 {
        u128::from(self[0]) | (u128::from(self[1]) << 64)
    }
}

/// Reads register `slot` as a `T`.
#[inline(always)]
pub(crate) fn get<T: FromCell>(vm: &Vm, cx: &Cx<'_>, slot: Slot) -> T {
    T::get(vm, cx, slot)
}

/// Writes `value` to register `slot`.
#[inline(always)]
pub(crate) fn set<T: ToCell>(vm: &Vm, cx: &Cx<'_>, slot: Slot, value: T) {
    value.set(vm, cx, slot)
}

/// Where an operand of type `T` comes from: a register, the accumulator, an immediate or a
/// constant of the function. The generated handlers pick one per operand form (`_rs`: the
/// left operand from the accumulator, the right from a register).
pub(crate) trait Source<T> {
    /// The operand.
    fn read(self, vm: &Vm, cx: &Cx<'_>) -> T;
}

/// An operand in register `.0`.
pub(crate) struct Reg(pub Slot);
/// The operand in the accumulator.
pub(crate) struct Acc;
/// The operand in the float accumulator (an f64).
pub(crate) struct FAcc;
/// A 32-bit immediate operand (see [`FromImm`]).
pub(crate) struct Imm(pub u32);
/// A 64-bit constant `.0` bytes after the running op (see [`FromConst`]).
pub(crate) struct Konst(pub u32);

/// A memory address given as the wrapping sum of two `u32` operands: an `i32.add` the
/// translator fused into the access that uses its result.
pub(crate) struct Sum<A, B>(pub A, pub B);

/// A `u32` operand shifted left by `SHIFT` (wrapping, as `i32.shl`): the scaled index of an
/// array access (`a[i]`: `i << 2`), an `i32.shl` the translator fused into the access.
pub(crate) struct Scaled<const SHIFT: u32, A>(pub A);

impl<const SHIFT: u32, A: Source<u32>> Source<u32> for Scaled<SHIFT, A> {
    #[inline(always)]
    fn read(self, vm: &Vm, cx: &Cx<'_>) -> u32 {
        self.0.read(vm, cx) << SHIFT
    }
}

impl<A: Source<u32>, B: Source<u32>> Source<u32> for Sum<A, B> {
    #[inline(always)]
    fn read(self, vm: &Vm, cx: &Cx<'_>) -> u32 {
        self.0.read(vm, cx).wrapping_add(self.1.read(vm, cx))
    }
}

impl<T: FromCell> Source<T> for Reg {
    #[inline(always)]
    fn read(self, vm: &Vm, cx: &Cx<'_>) -> T {
        T::get(vm, cx, self.0)
    }
}

impl<T: Bits> Source<T> for Acc {
    #[inline(always)]
    fn read(self, vm: &Vm, _cx: &Cx<'_>) -> T {
        <T as Bits>::from_bits(vm.acc)
    }
}

impl<T: Bits> Source<T> for FAcc {
    #[inline(always)]
    fn read(self, vm: &Vm, _cx: &Cx<'_>) -> T {
        <T as Bits>::from_bits(vm.facc.to_bits())
    }
}

impl<T: FromImm> Source<T> for Imm {
    #[inline(always)]
    fn read(self, _vm: &Vm, _cx: &Cx<'_>) -> T {
        T::from_imm(self.0)
    }
}

impl<T: FromConst> Source<T> for Konst {
    #[inline(always)]
    fn read(self, vm: &Vm, cx: &Cx<'_>) -> T {
        // SAFETY: `seal` made every `k` the byte offset from its op to the bits of a `Data64`
        // op after the end of the same stream, so the 8 bytes lie inside `func.ops`, at a
        // multiple of 4 (instrs are 4-byte aligned, 16 bytes long, and `DATA64_BITS_OFFSET` is
        // a multiple of 4): two aligned
        // `u32` reads, which LLVM merges into one load. (Not `read_unaligned`: with debug
        // assertions it copies through a local whose address goes to a checking function,
        // and a handler that lets a local's address escape can no longer tail-call.) With
        // `checked`, `Cx::check_const` verifies the range first.
        let at = unsafe { (vm.ip as *const u8).add(self.0 as usize) } as *const u32;
        cx.check_const(at as *const u8);
        let (lo, hi) = unsafe { (*at, *at.add(1)) };
        T::from_const(u64::from(lo) | u64::from(hi) << 32)
    }
}

/// Where a result of type `T` goes: a register or the accumulator.
pub(crate) trait Dest<T> {
    /// Stores the result.
    fn write(self, vm: &mut Vm, cx: &Cx<'_>, value: T);
}

/// A result for register `.0`.
pub(crate) struct ToReg(pub Slot);
/// A result for the accumulator.
pub(crate) struct ToAcc;
/// An f64 result for the float accumulator.
pub(crate) struct ToFAcc;

impl<T: ToCell> Dest<T> for ToReg {
    #[inline(always)]
    fn write(self, vm: &mut Vm, cx: &Cx<'_>, value: T) {
        value.set(vm, cx, self.0);
    }
}

impl<T: Bits> Dest<T> for ToAcc {
    #[inline(always)]
    fn write(self, vm: &mut Vm, _cx: &Cx<'_>, value: T) {
        vm.acc = Bits::to_bits(value);
    }
}

impl<T: Bits> Dest<T> for ToFAcc {
    #[inline(always)]
    fn write(self, vm: &mut Vm, _cx: &Cx<'_>, value: T) {
        vm.facc = f64::from_bits(Bits::to_bits(value));
    }
}

/// Writes a semantics function's outcome to `dst` and moves to the next op, or traps.
#[inline(always)]
pub(crate) fn finish<R: Outcome>(vm: &mut Vm, cx: &mut Cx<'_>, dst: impl Dest<R::Value>, outcome: R) -> Flow {
    match outcome.into_result() {
        Ok(value) => {
            dst.write(vm, cx, value);
            vm.next()
        }
        Err(kind) => Err(cx.trap(kind, vm.ip)),
    }
}

/// The result of a semantics function: a value, or (for the operators that trap) a `Result`.
pub(crate) trait Outcome {
    /// The value type.
    type Value: ToCell;
    /// The value, or the trap.
    fn into_result(self) -> Result<Self::Value, TrapKind>;
}

macro_rules! outcome {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            type Value = $t;
            #[inline(always)]
            fn into_result(self) -> Result<$t, TrapKind> {
                Ok(self)
            }
        }
        impl Outcome for Result<$t, TrapKind> {
            type Value = $t;
            #[inline(always)]
            fn into_result(self) -> Result<$t, TrapKind> {
                self
            }
        }
    )*};
}

outcome!(u64, i64, u32, i32, u16, u8, bool, f32, f64, u128);

/// A 32-bit immediate as an operand of the type a semantics function takes: i32 and f32 as
/// their bits, i64 sign-extended.
pub(crate) trait FromImm {
    /// The operand.
    fn from_imm(imm: u32) -> Self;
}

macro_rules! from_imm {
    ($($t:ty: |$i:ident| $e:expr;)*) => {$(
        impl FromImm for $t {
            #[inline(always)]
            fn from_imm($i: u32) -> Self {
                $e
            }
        }
    )*};
}

from_imm! {
    u32: |i| i;
    i32: |i| i as i32;
    u64: |i| i as i32 as i64 as u64;
    i64: |i| i64::from(i as i32);
    f32: |i| f32::from_bits(i);
}

/// A 64-bit constant operand (f64 ops and their bit forms): `.0` is the byte offset from the
/// op to the bits, in a `Data64` op after the end of the code (`FuncTranslator::seal`).
pub(crate) trait FromConst {
    /// The operand.
    fn from_const(bits: u64) -> Self;
}

impl FromConst for f64 {
    #[inline(always)]
    fn from_const(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}

impl FromConst for u64 {
    #[inline(always)]
    fn from_const(bits: u64) -> Self {
        bits
    }
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

/// Everything an execution needs besides [`Vm`].
pub(crate) struct Cx<'a> {
    pub instances: &'a [InstanceEntity],
    pub funcs: &'a [FuncEntity],
    pub memories: &'a mut [MemoryEntity],
    pub tables: &'a mut [TableEntity],
    pub globals: &'a mut [GlobalEntity],
    pub elems: &'a mut [Box<[u32]>],
    pub datas: &'a mut [Arc<[u8]>],
    /// Exception tags and thrown exceptions (exception handling).
    pub tags: &'a [crate::exn::TagEntity],
    pub exns: &'a mut crate::exn::ExnHeap,
    pub interrupt: &'a Arc<InterruptState>,
    pub interrupt_callback: &'a mut Option<InterruptCallback>,
    /// The flag interruption sets (a constant zero when the engine is not interruptible).
    pub interrupt_flag: &'a AtomicU32,
    /// Fuel left (written back to the store when the execution stops).
    pub fuel: u64,
    pub limits: Limits,
    pub values: &'a mut Vec<u64>,
    pub frames: &'a mut Vec<Frame>,

    /// The running instance: its store index, entity and compiled functions.
    pub instance: u32,
    pub inst: &'a InstanceEntity,
    pub code: &'a [FuncCode],
    /// The store index of the running instance's memory 0, if it has one.
    pub mem0: Option<usize>,
    /// Memory 0's size in bytes (0 if there is none); its first byte is `Vm::mem`.
    pub mem_len: usize,
    /// The running function and its frame's index in the value stack.
    pub func: &'a CompiledFunc,
    pub base: usize,
    /// One past the running frame's last cell (`checked` only).
    #[cfg(feature = "checked")]
    pub frame_end: *const u64,

    /// Why execution stopped (`Break::Trap`).
    pub trap: TrapKind,
    /// The element index of a table trap, part of its message.
    pub trap_index: Option<u32>,
    /// The host call to make (`Break::Host`): store function index, arguments' cell index.
    pub host: (u32, usize),
    /// The op that made the host call (execution resumes after it).
    pub host_call_op: *const Instr,
    /// What a `Break::Slow` asks for, and where execution resumes afterwards. After a
    /// `Break::Trap`, `resume` is the op of the running function that trapped (for the
    /// backtrace; sharing the field keeps the set-up of a run as it was).
    pub slow: Slow,
    pub resume: *const Instr,
    /// Calls allowed before the call stack needs attention: its capacity, at most the limit.
    pub frames_room: usize,
    /// An error that is not a trap (a failed lazy translation), with `Break::Trap`.
    pub error: Option<Error>,
    /// An exception no frame of this execution caught, with `Break::Trap`.
    pub exception: Option<u32>,
}

impl<'a> Cx<'a> {
    /// Stops with trap `kind` at op `at` of the running function (`vm.ip`).
    #[cold]
    #[inline(never)]
    pub(crate) fn trap(&mut self, kind: TrapKind, at: *const Instr) -> Break {
        self.trap = kind;
        self.resume = at;
        Break::Trap
    }

    /// Stops with trap `kind` on table element `index`, at op `at` (`vm.ip`).
    #[cold]
    #[inline(never)]
    pub(crate) fn trap_at(&mut self, kind: TrapKind, index: u32, at: *const Instr) -> Break {
        self.trap = kind;
        self.trap_index = Some(index);
        self.resume = at;
        Break::Trap
    }

    /// Whether an interrupt or deadline fired (never, if the engine is not interruptible).
    #[inline(always)]
    pub(crate) fn interrupt_pending(&self) -> bool {
        self.interrupt_flag.load(Ordering::Relaxed) != 0
    }

    /// Leaves the handlers to do `slow`, then resume at `resume`.
    #[inline(always)]
    pub(crate) fn slow(&mut self, slow: Slow, resume: *const Instr) -> Break {
        self.slow = slow;
        self.resume = resume;
        Break::Slow
    }

    /// Does the work of a `Break::Slow`; `Err` if it ends the execution with a trap.
    #[cold]
    pub(crate) fn do_slow(&mut self) -> Flow {
        match self.slow {
            Slow::Interrupt => {
                if interrupted(self.interrupt, self.interrupt_callback) {
                    return Err(self.trap(TrapKind::Interrupted, self.resume));
                }
            }
            Slow::GrowValues(needed) => {
                if needed > self.limits.max_values {
                    return Err(self.trap(TrapKind::CallStackExhausted, self.resume));
                }
                let grown = needed.max(self.values.len() * 2).min(self.limits.max_values.max(needed));
                self.values.resize(grown, 0);
            }
            Slow::Translate { instance, func } => {
                let instances: &'a [InstanceEntity] = self.instances;
                if let Err(e) = instances[instance as usize].module.inner.compiled(func) {
                    self.error = Some(e);
                    return Err(Break::Trap);
                }
            }
            Slow::Throw { args, tag } => {
                let exn = self.new_exception(args, tag);
                return self.unwind(exn);
            }
            Slow::Rethrow(exn) => return self.unwind(exn),
            Slow::GrowFrames => {
                if self.frames.len() >= self.limits.max_frames {
                    return Err(self.trap(TrapKind::CallStackExhausted, self.resume));
                }
                self.frames.reserve(self.frames.len().max(16));
                self.frames_room = self.frames.capacity().min(self.limits.max_frames);
            }
        }
        Ok(())
    }

    /// Re-derives memory 0's pointer and length (see the module docs for when).
    #[inline(always)]
    pub(crate) fn reload_mem(&mut self, vm: &mut Vm) {
        match self.mem0 {
            Some(m) => {
                let data = &mut self.memories[m].data;
                vm.mem = data.as_mut_ptr();
                self.mem_len = data.len();
            }
            None => {
                vm.mem = std::ptr::NonNull::dangling().as_ptr();
                self.mem_len = 0;
            }
        }
    }

    /// Makes `instance` the running one (its entity, code and memory 0).
    #[inline(always)]
    pub(crate) fn switch_instance(&mut self, vm: &mut Vm, instance: u32) {
        self.set_instance(instance);
        self.reload_mem(vm);
    }

    /// Makes `instance` the running one without touching `Vm` (the caller re-derives memory
    /// 0 with [`Cx::reload_mem`] afterwards): for unwinding, off the hot paths.
    #[cold]
    pub(crate) fn enter_instance(&mut self, instance: u32) {
        self.set_instance(instance);
    }

    /// Records `instance` as the running one: its entity, code and memory 0's index.
    #[inline(always)]
    fn set_instance(&mut self, instance: u32) {
        let instances: &'a [InstanceEntity] = self.instances;
        let inst = &instances[instance as usize];
        self.instance = instance;
        self.inst = inst;
        self.code = &inst.module.inner.code;
        self.mem0 = inst.memories.first().map(|&m| m as usize);
    }

    /// Points `vm.sp` at the frame at `base` and records it as the running frame.
    #[inline(always)]
    pub(crate) fn set_frame(&mut self, vm: &mut Vm, base: usize) {
        self.base = base;
        // SAFETY: `base + frame_cells <= values.len()` for every frame (module docs).
        vm.sp = unsafe { self.values.as_mut_ptr().add(base) };
        #[cfg(feature = "checked")]
        {
            let end = base + self.func.frame_cells as usize;
            assert!(end <= self.values.len(), "frame {base}..{end} outside the value stack");
            self.frame_end = vm.sp.wrapping_add(self.func.frame_cells as usize);
        }
    }

    /// With `checked`: panics unless `ip` points into the running function's op stream.
    #[inline(always)]
    pub(crate) fn check_ip(&self, ip: *const Instr) {
        #[cfg(feature = "checked")]
        {
            let ops = self.func.ops.as_ptr_range();
            assert!(ops.contains(&ip), "op pointer outside the running function");
        }
        #[cfg(not(feature = "checked"))]
        let _ = ip;
    }

    /// With `checked`: panics unless the 8 bytes at `at` (a `k` operand's constant) lie in
    /// the running function's op stream.
    #[inline(always)]
    pub(crate) fn check_const(&self, at: *const u8) {
        #[cfg(feature = "checked")]
        {
            let ops = self.func.ops.as_ptr_range();
            let (start, end) = (ops.start as usize, ops.end as usize);
            assert!(start <= at as usize && at as usize + 8 <= end, "constant outside the running function");
        }
        #[cfg(not(feature = "checked"))]
        let _ = at;
    }

    /// With `checked`: panics unless `r` is a cell of the running frame.
    #[inline(always)]
    pub(crate) fn check_reg(&self, r: *mut u64) {
        #[cfg(feature = "checked")]
        {
            let start = self.values.as_ptr().wrapping_add(self.base);
            assert!(
                (r as *const u64) >= start && (r as *const u64) < self.frame_end,
                "register outside the running frame"
            );
        }
        #[cfg(not(feature = "checked"))]
        let _ = r;
    }

    /// The memory with the running instance's index `m`.
    #[inline]
    pub(crate) fn memory(&mut self, m: u32) -> &mut MemoryEntity {
        let addr = self.inst.memories[m as usize] as usize;
        &mut self.memories[addr]
    }

    /// The store index of the running instance's table `t`.
    #[inline]
    pub(crate) fn table_addr(&self, t: u32) -> usize {
        self.inst.tables[t as usize] as usize
    }

    /// Charges fuel for a bulk operation over `n` bytes or elements (one unit per 64), at op
    /// `at` (`vm.ip`).
    #[inline]
    pub(crate) fn charge_bulk(&mut self, n: u64, at: *const Instr) -> Flow {
        if self.limits.consume_fuel {
            let cost = n / 64;
            if self.fuel < cost {
                return Err(self.trap(TrapKind::OutOfFuel, at));
            }
            self.fuel -= cost;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Instr, Op};
    use crate::translate::DATA64_BITS_OFFSET;

    #[test]
    fn data64_keeps_its_bits_where_konst_reads_them() {
        let instr = Instr { handler: 0, op: Op::Data64 { lo: 0x1122_3344, hi: 0x5566_7788 } };
        // SAFETY: reads 8 of the 16 bytes of a live `Instr`.
        let bits = unsafe {
            ((&instr as *const Instr as *const u8).add(DATA64_BITS_OFFSET) as *const u64).read_unaligned()
        };
        assert_eq!(bits, 0x5566_7788_1122_3344);
    }
}
