//! Translation of a validated function body into register IR.
//!
//! The translator keeps a *lazy operand stack*: `local.get` and constants push a description
//! of where the value is instead of emitting a copy. Every stack position `p` has a canonical
//! temporary slot (`temp_base` plus the cells of the values below it); an instruction's result
//! is written to the canonical slot of the position it lands on. Values only have to be moved
//! into canonical slots where control flow merges (block results, loop parameters, calls).
//!
//! Optimisations done here: no code for `local.get` and constants, immediate forms (`_si`,
//! `_is`, `_sk`, `_ks`) for binary operators with a constant operand, a result retargeted
//! straight into the local of a following `local.set`/`local.tee`, and compare + `br_if`/`if`
//! fused into one compare-and-branch op, an `i32.load` fused into the compare-and-branch that
//! tests the loaded value (`fused_load`), and a load, an add of the loaded value and a store of
//! the sum to the same address fused into one add to memory (`ops::add_to_memory`). Which
//! forms exist for which operator comes from the generated tables of `lower` (the op table,
//! `runtime/build/isa.rs`); the visitor methods of `visit` translate an operator of those
//! tables without building an `Operator` and matching on it (`ops::translate_op`).
//!
//! A `try_table` emits no op: it is a block whose body's op range, with its catch clauses
//! resolved to label positions and the registers their values go to, becomes an entry of the
//! function's handler table (`ir::handlers`), which only a throw reads. A clause's label is
//! marked used, so its end is a merge point like any branch target.

mod lower;
mod ops;
mod relaxed;
mod sites;
mod visit;

pub(crate) use visit::ValidateOnly;

pub(crate) use ops::gc_instruction;

use crate::error::{Error, ErrorKind, Result};
use crate::ir::{CatchClause, CatchKind, CompiledFunc, Instr, OffsetTable, Op, Slot, TryHandler};
use crate::module::{ModuleInner, invalid, malformed};
use crate::types::{FuncType, ValType};
use std::collections::HashMap;
use wasmparser::{BlockType, FuncValidator, FunctionBody, OperatorsReader, ValidatorResources};

/// Buffers reused from one function to the next.
#[derive(Default)]
pub(crate) struct TranslatorAllocs {
    ops: Vec<Op>,
    stack: Vec<Entry>,
    labels: Vec<Label>,
    locals: Vec<(u32, ValType)>,
    sites: Vec<(u32, u32)>,
    offset_bytes: Vec<u8>,
}

/// Where a value on the lazy operand stack lives.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Src {
    /// In its canonical temporary slot.
    Temp,
    /// In a local variable's slot (not yet copied).
    Local(u32),
    /// A constant (not yet materialised); bits of the value, zero-extended.
    Const(u128),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ty: ValType,
    /// The canonical slot of this stack position.
    slot: u32,
    src: Src,
}

#[derive(Debug, Default)]
struct Label {
    /// The op index the label is bound to, once known.
    pos: Option<u32>,
    /// Ops whose branch offset must be patched when the label is bound.
    uses: Vec<u32>,
}

type LabelId = usize;

#[derive(Debug, Clone, Copy, PartialEq)]
enum CtrlKind {
    Block,
    Loop,
    If,
    Else,
    /// A `try_table` (exception handling): a block whose body's ops are covered by a handler.
    TryTable,
}

struct Ctrl<'a> {
    kind: CtrlKind,
    params: &'a [ValType],
    results: &'a [ValType],
    /// Operand stack length below the parameters.
    height: usize,
    /// The canonical slot of position `height`.
    base_slot: u32,
    /// For Block/If/Else the end; for Loop the loop head.
    label: LabelId,
    /// For an If: where the false branch goes (the else arm, or the end).
    else_label: Option<LabelId>,
    /// False when the construct itself sits in unreachable code.
    start_reachable: bool,
    /// Whether some branch targets `label` (so the end is a merge point).
    label_used: bool,
    /// For a loop whose first op is a conditional branch out of it (a `while` loop's test):
    /// that op's index and the label it targets (see `emit_br`).
    head_branch: Option<(usize, LabelId)>,
    /// With fuel on: the charge that was current when the construct began, current again
    /// after its end.
    outer_fuel: Option<usize>,
}

impl Ctrl<'_> {
    /// The types a branch to this construct carries.
    fn branch_types(&self) -> &[ValType] {
        if self.kind == CtrlKind::Loop { self.params } else { self.results }
    }
}

/// Where a branch condition comes from.
enum Cond {
    /// A compare op, removed from the op stream, to be re-emitted as a fused branch.
    Fused(Op),
    /// An i32 in a slot.
    Slot(Slot),
    /// An i32 in the accumulator (the result of the op emitted just before).
    Acc,
    /// Known at translation time.
    Const(bool),
}

static SINGLE_TYPES: [ValType; 8] = [
    ValType::I32,
    ValType::I64,
    ValType::F32,
    ValType::F64,
    ValType::V128,
    ValType::FuncRef,
    ValType::ExternRef,
    ValType::ExnRef,
];

/// A block type of one value, as a slice. Reference types stand for their abstract nullable
/// form: the translator only needs a value's cells and class, which all references share.
fn single(ty: ValType) -> &'static [ValType] {
    let ty = match ty {
        ValType::Ref(r) if r.heap == crate::types::HeapType::Extern => ValType::ExternRef,
        ValType::Ref(r) if r.heap == crate::types::HeapType::Exn => ValType::ExnRef,
        ValType::Ref(_) => ValType::FuncRef,
        other => other,
    };
    let i = SINGLE_TYPES.iter().position(|t| *t == ty).unwrap_or(0);
    std::slice::from_ref(&SINGLE_TYPES[i])
}

/// The type of a declared local (see [`local_type`]), or the error for a type epsilon does not
/// implement (a GC reference type, say).
pub(crate) fn declared_local_type(declared: Option<wasmparser::ValType>) -> Result<ValType> {
    declared.and_then(local_type).ok_or_else(|| match declared {
        Some(wasmparser::ValType::Ref(r)) => crate::module::unsupported_ref_type(r),
        _ => Error::new(ErrorKind::Unsupported, "local type"),
    })
}

/// The type of a local as the translator needs it. The validator reports concrete heap types
/// by its own canonical ids, not by type index; all references are one-cell values alike, so
/// a reference local takes its family's abstract type (see `single`).
fn local_type(ty: wasmparser::ValType) -> Option<ValType> {
    match ty {
        wasmparser::ValType::Ref(r) => {
            let heap = match r.heap_type() {
                wasmparser::HeapType::Concrete(_) => crate::types::HeapType::Func,
                h => crate::types::HeapType::from_wasmparser(h)?,
            };
            Some(ValType::Ref(crate::types::RefType::new(r.is_nullable(), heap)))
        }
        other => ValType::from_wasmparser(other),
    }
}

/// Translates one function.
pub(crate) struct FuncTranslator<'a> {
    module: &'a ModuleInner,
    func_type: &'a FuncType,
    ops: Vec<Op>,
    stack: Vec<Entry>,
    labels: Vec<Label>,
    locals: Vec<(u32, ValType)>,
    ctrl: Vec<Ctrl<'a>>,
    allocs: &'a mut TranslatorAllocs,
    temp_base: u32,
    max_cells: u32,
    reachable: bool,
    /// Index of the last emitted op if it produced the Temp on top of the stack.
    last_result: Option<usize>,
    /// Index of the last emitted op if it is a one-cell `Copy` that a copy emitted right
    /// after it (no op or label in between) can join (`CopyPair`).
    last_copy: Option<usize>,
    /// Whether to emit fuel charges, and where the current region's charge is.
    fuel: bool,
    /// Whether the engine's stores can be interrupted: picks the handlers whose backward
    /// branches check the interrupt flag.
    interruptible: bool,
    fuel_op: Option<usize>,
    /// Charges on rotated loop back edges and the loop charge each repeats: (side, loop).
    fuel_repeats: Vec<(usize, usize)>,
    /// Lane selectors of `i8x16.shuffle`.
    shuffles: Vec<[u8; 16]>,
    /// Constants of ops with a `k` field, and their indices there.
    consts: Vec<u64>,
    const_index: HashMap<u64, u32>,
    /// The function's index among the module's defined functions.
    def_index: u32,
    /// For the offset table: the ops emitted where execution can stop (see `sites`), as
    /// `(op position, module offset of its instruction)` in stream order; the offset of the
    /// instruction being translated, and whether execution can stop there.
    sites: Vec<(u32, u32)>,
    at: u32,
    at_stops: bool,
    /// The first op of each loop and the offset of its `loop` instruction.
    loop_heads: Vec<(u32, u32)>,
    /// The position the last label was bound to: an op there may be a branch target, so it is
    /// not fused with the op before it.
    bound_at: Option<u32>,
    /// The `try_table`s being translated, innermost last (one per `CtrlKind::TryTable`), and
    /// those finished, innermost first (see `ir::handlers`).
    open_tries: Vec<OpenTry>,
    tries: Vec<OpenTry>,
}

/// A `try_table` of the function: its body's op range and its clauses, whose targets are
/// labels (bound by the end of the function) or the function's return.
struct OpenTry {
    start: u32,
    end: u32,
    clauses: Vec<(CatchKind, CatchTarget, Slot)>,
}

/// Where a catch clause continues.
#[derive(Clone, Copy)]
enum CatchTarget {
    /// A label of the function.
    Label(LabelId),
    /// The function's own label: a return of the values handed over.
    Return,
}

/// The largest frame a function may have, in cells (slots are `u16`).
const MAX_FRAME_CELLS: u32 = u16::MAX as u32;

/// Registers an op may touch beyond the largest slot it names: a `v128` takes the slot and
/// the next, and the bulk operations read three consecutive slots.
const REGISTER_MARGIN: u32 = 3;

impl<'a> FuncTranslator<'a> {
    pub(crate) fn new(module: &'a ModuleInner, func_index: u32, allocs: &'a mut TranslatorAllocs) -> Self {
        let mut ops = std::mem::take(&mut allocs.ops);
        let mut stack = std::mem::take(&mut allocs.stack);
        let mut labels = std::mem::take(&mut allocs.labels);
        let mut locals = std::mem::take(&mut allocs.locals);
        let mut sites = std::mem::take(&mut allocs.sites);
        sites.clear();
        ops.clear();
        stack.clear();
        labels.clear();
        locals.clear();
        FuncTranslator {
            module,
            func_type: module.func_type(func_index),
            ops,
            stack,
            labels,
            locals,
            ctrl: Vec::new(),
            allocs,
            temp_base: 0,
            max_cells: 0,
            reachable: true,
            last_result: None,
            last_copy: None,
            fuel: module.engine.config().consume_fuel,
            interruptible: module.engine.config().interruptible,
            fuel_op: None,
            fuel_repeats: Vec::new(),
            shuffles: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            def_index: func_index - module.num_imported_funcs,
            sites,
            at: 0,
            at_stops: false,
            loop_heads: Vec::new(),
            bound_at: None,
            open_tries: Vec::new(),
            tries: Vec::new(),
        }
    }

    /// Validates and translates the body; returns the compiled function and its offset table
    /// (kept apart, in `ModuleInner::offsets`: the executor never reads it, and a larger
    /// `CompiledFunc` makes the call handlers' address arithmetic longer).
    ///
    /// `validated`: the body was validated already (lazy translation validates every body when
    /// the module is compiled), so the operators are not validated again; `validator` then only
    /// reads the local declarations.
    pub(crate) fn translate(
        mut self,
        body: &FunctionBody<'_>,
        validator: &mut FuncValidator<ValidatorResources>,
        features: wasmparser::WasmFeatures,
        validated: bool,
    ) -> Result<(CompiledFunc, OffsetTable)> {
        let mut reader = body.get_binary_reader();
        let body_offset = reader.original_position() as u32;
        validator.read_locals(&mut reader).map_err(invalid)?;
        reader.set_features(features);
        // The function's entry fuel charge belongs to its first instruction.
        self.at = reader.original_position() as u32;

        // Lay out params and locals.
        let mut cells = 0u32;
        for ty in self.func_type.params() {
            self.locals.push((cells, *ty));
            cells += ty.cells();
        }
        let param_cells = cells;
        let num_locals = validator.len_locals();
        for index in self.func_type.params().len() as u32..num_locals {
            let ty = declared_local_type(validator.get_local_type(index))?;
            self.locals.push((cells, ty));
            cells += ty.cells();
        }
        self.temp_base = cells;
        self.max_cells = cells;
        let local_cells = cells - param_cells;

        let results = self.func_type.results();
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind: CtrlKind::Block,
            params: &[],
            results,
            height: 0,
            base_slot: self.temp_base,
            label,
            else_label: None,
            start_reachable: true,
            label_used: false,
            head_branch: None,
            outer_fuel: self.fuel_op,
        });

        self.start_fuel_block();
        let mut ops = OperatorsReader::new(reader);
        let mut validator = if validated { None } else { Some(validator) };
        while !ops.eof() {
            let offset = ops.original_position();
            let mut visitor = visit::ValidateAndTranslate {
                translator: &mut self,
                validator: validator.as_deref_mut(),
                offset,
            };
            ops.visit_operator(&mut visitor).map_err(malformed)??;
        }
        ops.finish().map_err(malformed)?;
        let handlers = self.resolve_handlers()?;
        let registers = self.seal()?;
        // The validator checks the end of the body through the `End` operator; nothing
        // remains on the control stack here.

        if self.max_cells > MAX_FRAME_CELLS {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "function needs {} value slots; the implementation limit is {MAX_FRAME_CELLS}",
                    self.max_cells
                ),
            ));
        }
        let compiled = CompiledFunc {
            def_index: self.def_index,
            ops: crate::exec::link_ops(&self.ops, self.interruptible, self.fuel),
            param_cells,
            local_cells,
            // Covers every register an op names (see `seal`): the executor relies on it.
            frame_cells: self.max_cells.max(registers),
            result_cells: self.func_type.result_cells(),
            shuffles: std::mem::take(&mut self.shuffles).into_boxed_slice(),
        };
        let mut offsets = self.offset_table(body_offset);
        offsets.handlers = handlers;
        self.consts.clear();
        // Hand the buffers back for the next function.
        self.allocs.ops = std::mem::take(&mut self.ops);
        self.allocs.stack = std::mem::take(&mut self.stack);
        self.allocs.labels = std::mem::take(&mut self.labels);
        self.allocs.locals = std::mem::take(&mut self.locals);
        self.allocs.sites = std::mem::take(&mut self.sites);
        Ok((compiled, offsets))
    }

    /// Translates operator `op`, found at byte `offset` of the module. Inlined into the visitor
    /// methods, as [`Self::translate_op`] is.
    #[inline(always)]
    fn step(&mut self, offset: u64, op: &wasmparser::Operator<'_>) -> Result<()> {
        self.at = offset as u32;
        self.at_stops = sites::stops_execution(op);
        self.translate_op(op)
    }

    /// The handler table of the function (see `ir::handlers`): every clause target made an op
    /// index. A clause of the function's own label continues at a return pad, a `ReturnSpan`
    /// of the values handed over, added after the code (never reached but by a catch).
    fn resolve_handlers(&mut self) -> Result<Box<[TryHandler]>> {
        if self.tries.is_empty() {
            return Ok(Box::new([]));
        }
        let mut return_pad = None;
        let tries = std::mem::take(&mut self.tries);
        let mut handlers = Vec::with_capacity(tries.len());
        for t in tries {
            let mut clauses = Vec::with_capacity(t.clauses.len());
            for (kind, target, dst) in t.clauses {
                let target = match target {
                    CatchTarget::Label(label) => self.labels[label].pos.ok_or_else(|| {
                        Error::new(ErrorKind::Unsupported, "internal error: catch label never bound")
                    })?,
                    CatchTarget::Return => *return_pad.get_or_insert_with(|| {
                        let src = self.temp_base as Slot;
                        let len = self.func_type.result_cells() as u16;
                        // Pushed directly: the pad is no part of any fuel block, and execution
                        // cannot stop at it (no entry in the offset table).
                        self.ops.push(Op::ReturnSpan { src, len });
                        (self.ops.len() - 1) as u32
                    }),
                };
                clauses.push(CatchClause { kind, target, dst });
            }
            handlers.push(TryHandler { start: t.start, end: t.end, clauses: clauses.into() });
        }
        Ok(handlers.into())
    }

    /// The offset table of the sealed op stream: the ops where execution can stop, and the
    /// first op of each loop (where an interrupt noticed by its backward branch resumes).
    /// Both lists are in stream order, so this is a merge; its cost follows the number of
    /// sites, not of ops.
    fn offset_table(&mut self, body_offset: u32) -> OffsetTable {
        // Moves into place (a call's arguments, a branch's values) cannot stop execution.
        let moves = |pos: u32| {
            matches!(
                self.ops[pos as usize],
                Op::Copy { .. }
                    | Op::Copy2 { .. }
                    | Op::CopyPair { .. }
                    | Op::CopySpan { .. }
                    | Op::Const32 { .. }
                    | Op::Const64 { .. }
            )
        };
        let mut sites = self.sites.iter().copied().filter(|&(pos, _)| !moves(pos)).peekable();
        let mut heads = self.loop_heads.iter().copied().peekable();
        let mut last = None;
        let merged = std::iter::from_fn(move || {
            loop {
                let next = match (sites.peek(), heads.peek()) {
                    (Some(s), Some(h)) if h.0 < s.0 => heads.next(),
                    (Some(_), _) => sites.next(),
                    (None, _) => heads.next(),
                }?;
                // One entry per position: a site before a loop head there, the outer loop's
                // head before an inner one's.
                if last != Some(next.0) {
                    last = Some(next.0);
                    return Some(next);
                }
            }
        });
        OffsetTable::encode(body_offset, merged, &mut self.allocs.offset_bytes)
    }

    /// Ends the op stream with a terminator and checks that every branch lands inside it.
    ///
    /// This establishes the invariant the dispatch loop relies on to fetch ops without a
    /// bounds check: execution can only leave an op by a branch to a checked target, by
    /// falling through to the next op (the last op never falls through: it is this
    /// `Unreachable`), by a call (its return address is the op after it, at most this last
    /// one) or by a `BrTable` (whose entries are the `Br` ops that follow it).
    ///
    /// The function's 64-bit constants follow that last op, one `Data64` each, and every `k`
    /// operand becomes the byte offset from its op to the constant's bits: an op reads its
    /// constant next to itself (one load), with no table to find first.
    ///
    /// Returns the number of registers the ops may touch: every register an op reads or
    /// writes is below it (the largest `u16` field plus `REGISTER_MARGIN`). The frame is made
    /// at least that large, which lets the dispatch loop index registers without a check.
    fn seal(&mut self) -> Result<u32> {
        for &(side, of_loop) in &self.fuel_repeats {
            if let Op::ConsumeFuel { amount } = self.ops[of_loop] {
                self.ops[side] = Op::ConsumeFuel { amount };
            }
        }
        self.ops.push(Op::Unreachable {});
        let len = self.ops.len() as i64;
        for (at, op) in self.ops.iter_mut().enumerate() {
            if let Some(k) = op.konst_mut() {
                let data = len as usize + *k as usize;
                *k = u32::try_from((data - at) * size_of::<Instr>() + DATA64_BITS_OFFSET).map_err(|_| {
                    Error::new(ErrorKind::Unsupported, "function too large: its constants are out of reach")
                })?;
            }
        }
        self.ops
            .extend(self.consts.iter().map(|&bits| Op::Data64 { lo: bits as u32, hi: (bits >> 32) as u32 }));
        // Returns write slots 0 and 1 whatever the op names.
        let mut registers = REGISTER_MARGIN;
        for (at, op) in self.ops.iter_mut().enumerate() {
            registers = registers.max(op.max_u16_field() + REGISTER_MARGIN);
            if let Some(offset) = op.offset_mut() {
                let target = at as i64 + i64::from(*offset);
                if !(0..len).contains(&target) {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!("internal error: op {at} branches to {target}, outside 0..{len}"),
                    ));
                }
            }
            if let Op::BrTable { len: entries, .. } = *op
                && at as i64 + 1 + i64::from(entries) >= len
            {
                return Err(Error::new(ErrorKind::Unsupported, "internal error: truncated branch table"));
            }
        }
        Ok(registers)
    }

    // ------------------------------------------------------------------ the operand stack

    fn next_slot(&self) -> u32 {
        match self.stack.last() {
            Some(e) => e.slot + e.ty.cells(),
            None => self.temp_base,
        }
    }

    fn push(&mut self, ty: ValType, src: Src) -> u32 {
        let slot = self.next_slot();
        self.max_cells = self.max_cells.max(slot + ty.cells());
        self.stack.push(Entry { ty, slot, src });
        slot
    }

    fn push_temp(&mut self, ty: ValType) -> Slot {
        self.push(ty, Src::Temp) as Slot
    }

    fn push_const(&mut self, ty: ValType, bits: u128) {
        self.push(ty, Src::Const(bits));
    }

    fn pop(&mut self) -> Entry {
        // Validation guarantees the operand exists in reachable code.
        self.stack.pop().unwrap_or(Entry { ty: ValType::I32, slot: self.temp_base, src: Src::Temp })
    }

    fn top(&self) -> Option<&Entry> {
        self.stack.last()
    }

    /// Emits the code that puts a constant into `dst`.
    fn emit_const(&mut self, dst: u32, ty: ValType, bits: u128) {
        let dst = dst as Slot;
        match ty {
            ValType::V128 => {
                let lo = bits as u64;
                let hi = (bits >> 64) as u64;
                self.emit(Op::Const64 { dst, lo: lo as u32, hi: (lo >> 32) as u32 });
                self.emit(Op::Const64 { dst: dst + 1, lo: hi as u32, hi: (hi >> 32) as u32 });
            }
            ValType::I64 | ValType::F64 => {
                let v = bits as u64;
                self.emit(Op::Const64 { dst, lo: v as u32, hi: (v >> 32) as u32 });
            }
            _ => {
                self.emit(Op::Const32 { dst, value: bits as u32 });
            }
        }
    }

    fn emit_copy(&mut self, dst: u32, src: u32, ty: ValType) {
        if dst == src {
            return;
        }
        let (dst, src) = (dst as Slot, src as Slot);
        if ty == ValType::V128 {
            self.emit(Op::Copy2 { dst, src });
            return;
        }
        if let Some(index) = self.last_copy
            && let Op::Copy { dst: dst0, src: src0 } = self.ops[index]
        {
            self.ops[index] = Op::CopyPair { dst0, src0, dst1: dst, src1: src };
            self.last_copy = None;
            return;
        }
        let index = self.emit(Op::Copy { dst, src });
        self.last_copy = Some(index);
    }

    /// Emits code that moves `e`'s value into `dst`.
    fn emit_move(&mut self, dst: u32, e: Entry) {
        match e.src {
            Src::Temp => self.emit_copy(dst, e.slot, e.ty),
            Src::Local(s) => self.emit_copy(dst, s, e.ty),
            Src::Const(bits) => self.emit_const(dst, e.ty, bits),
        }
    }

    /// Makes stack entry `i` live in its canonical slot.
    fn materialize(&mut self, i: usize) {
        let e = self.stack[i];
        if e.src != Src::Temp {
            self.emit_move(e.slot, e);
            self.stack[i].src = Src::Temp;
        }
    }

    /// Materialises the top `n` entries; returns the canonical slot of the lowest.
    fn materialize_top(&mut self, n: usize) -> Slot {
        let len = self.stack.len();
        for i in len - n..len {
            self.materialize(i);
        }
        if n == 0 { self.next_slot() as Slot } else { self.stack[len - n].slot as Slot }
    }

    /// Copies every lazy `local.get` on the stack into its canonical slot.
    fn materialize_locals(&mut self) {
        for i in 0..self.stack.len() {
            if matches!(self.stack[i].src, Src::Local(_)) {
                self.materialize(i);
            }
        }
    }

    /// The slot an operand can be read from, materialising a constant if needed.
    fn operand(&mut self, e: Entry) -> Slot {
        match e.src {
            Src::Temp => e.slot as Slot,
            Src::Local(s) => s as Slot,
            Src::Const(bits) => {
                self.emit_const(e.slot, e.ty, bits);
                e.slot as Slot
            }
        }
    }

    // ------------------------------------------------------------------ emission

    fn emit(&mut self, op: Op) -> usize {
        self.last_result = None;
        self.last_copy = None;
        if let Some(Op::ConsumeFuel { amount }) = self.fuel_op.and_then(|i| self.ops.get_mut(i)) {
            *amount += 1;
        }
        let pos = self.ops.len();
        self.ops.push(op);
        if self.at_stops {
            self.sites.push((pos as u32, self.at));
        }
        pos
    }

    /// Starts a charged region (a function body, a loop body, an `if` or `else` arm): with fuel
    /// metering on, emits its (yet empty) charge, which every op emitted in the region outside
    /// nested charged regions adds a unit to.
    fn start_fuel_block(&mut self) {
        self.last_copy = None;
        if self.fuel {
            self.fuel_op = Some(self.push_charge());
        }
    }

    /// Appends an (empty) fuel charge, where execution can stop, and returns its index.
    fn push_charge(&mut self) -> usize {
        let at = self.ops.len();
        self.sites.push((at as u32, self.at));
        self.ops.push(Op::ConsumeFuel { amount: 0 });
        at
    }

    /// Emits an op whose single result goes to a new Temp of type `ty` at the top of the stack.
    /// The operands must already have been popped.
    fn emit_result(&mut self, ty: ValType, make: impl FnOnce(Slot) -> Op) {
        let dst = self.push_temp(ty);
        let index = self.emit(make(dst));
        self.last_result = Some(index);
    }

    /// The last op, if it produced the Temp currently on top of the stack.
    fn producer_of_top(&self) -> Option<usize> {
        self.producer_of(self.top()?)
    }

    /// The last op, if it produced entry `e` (a Temp) and nothing was emitted or bound after
    /// it: the op that uses `e` next may take over its work and remove it (`take_last_op`).
    fn producer_of(&self, e: &Entry) -> Option<usize> {
        let index = self.last_result?;
        if index + 1 != self.ops.len() || e.src != Src::Temp {
            return None;
        }
        let mut op = self.ops[index];
        match op.dst_mut() {
            Some(dst) if u32::from(*dst) == e.slot => Some(index),
            _ => None,
        }
    }

    /// Removes the last op (fused into the one emitted next), and its unit of fuel.
    fn take_last_op(&mut self) -> Op {
        self.last_result = None;
        self.last_copy = None;
        if let Some(Op::ConsumeFuel { amount }) = self.fuel_op.and_then(|i| self.ops.get_mut(i))
            && *amount > 0
        {
            *amount -= 1;
        }
        let op = self.ops.pop().unwrap_or(Op::Unreachable {});
        if self.sites.last().is_some_and(|&(pos, _)| pos as usize == self.ops.len()) {
            self.sites.pop();
        }
        op
    }

    /// Whether entry `e` is the result of the op just emitted, in a form that can move the
    /// result to the accumulator (the op right after it can then read it there).
    fn accumulator_candidate(&self, e: &Entry) -> bool {
        let Some(index) = self.last_result else { return false };
        if index + 1 != self.ops.len() || e.src != Src::Temp {
            return false;
        }
        let mut op = self.ops[index];
        // An f64 travels in the float accumulator: only a producer writing it there will do
        // (not a load shared with i64, nor an integer op whose result was reinterpreted).
        let float = e.ty == ValType::F64;
        matches!(op.dst_mut(), Some(dst) if u32::from(*dst) == e.slot)
            && accumulator_twin(&op).is_some_and(|acc| writes_float_accumulator(&acc) == float)
    }

    /// If entry `e` is an accumulator candidate (see above), moves its producer's result to the
    /// accumulator and returns true: the op emitted next must read `e` there. Nothing written
    /// in between may touch the accumulator (only ops in accumulator forms do, and those are
    /// only made here and in the constructors' `Arg::Acc` forms).
    fn take_accumulator(&mut self, e: &Entry) -> bool {
        if !self.accumulator_candidate(e) {
            return false;
        }
        let index = self.ops.len() - 1;
        if let Some(op) = accumulator_twin(&self.ops[index]) {
            self.ops[index] = op;
        }
        self.last_result = None;
        true
    }

    // ------------------------------------------------------------------ labels

    fn new_label(&mut self) -> LabelId {
        self.labels.push(Label::default());
        self.labels.len() - 1
    }

    /// Binds `label` to the next op. Its code stays in the current charged region: every path
    /// to a forward label comes from inside the region, which was charged on entry.
    fn bind_label(&mut self, label: LabelId) {
        self.bind_label_at(label, self.ops.len() as u32);
    }

    /// Binds `label` at a new charged region (a loop head, an `else` arm): with fuel on,
    /// branches to it land on its charge.
    fn bind_charged_label(&mut self, label: LabelId) {
        let pos = self.ops.len() as u32;
        self.start_fuel_block();
        self.bind_label_at(label, pos);
    }

    fn bind_label_at(&mut self, label: LabelId, pos: u32) {
        let uses = std::mem::take(&mut self.labels[label].uses);
        for at in uses {
            let offset = pos as i64 - at as i64;
            if let Some(o) = self.ops[at as usize].offset_mut() {
                *o = offset as i32;
            }
        }
        self.labels[label].pos = Some(pos);
        self.bound_at = Some(pos);
        self.last_result = None;
        self.last_copy = None;
    }

    /// Emits a branching op towards `label`, filling in or recording its offset.
    fn emit_branch(&mut self, mut op: Op, label: LabelId) {
        // Where a fused load traps (its offset-table entry, which the fused op takes over).
        let mut load_site = None;
        if let Some(fused) = self.fused_step(&op) {
            self.take_last_op();
            op = fused;
        } else if let Some(fused) = self.fused_load(&op) {
            load_site = self.site_of(self.ops.len() - 1);
            self.take_last_op();
            op = fused;
        }
        let at = self.ops.len() as u32;
        // The first op of a loop (after its fuel charge), branching forward out of it:
        // remembered for `emit_br`.
        if let Some(c) = self.ctrl.last_mut()
            && c.kind == CtrlKind::Loop
            && c.head_branch.is_none()
            && self.labels[c.label].pos.is_some_and(|pos| {
                pos == at || (pos + 1 == at && matches!(self.ops[pos as usize], Op::ConsumeFuel { .. }))
            })
            && self.labels[label].pos.is_none()
            && lower::invert_branch(&op).is_some()
        {
            c.head_branch = Some((at as usize, label));
        }
        match self.labels[label].pos {
            Some(pos) => {
                if let Some(o) = op.offset_mut() {
                    *o = (pos as i64 - at as i64) as i32;
                }
            }
            None => self.labels[label].uses.push(at),
        }
        let pos = self.emit(op);
        self.set_site(pos, load_site);
    }

    /// The offset-table entry (wasm code offset) of the op at `pos`, if it has one. Only the
    /// last few ops are looked at: a fusion asks about an op it is about to replace.
    fn site_of(&self, pos: usize) -> Option<u32> {
        let pos = pos as u32;
        self.sites.iter().rev().take_while(|&&(p, _)| p >= pos).find(|&&(p, _)| p == pos).map(|&(_, at)| at)
    }

    /// Gives the op just emitted at `pos` the offset-table entry `at`, if any: a fused op
    /// traps where the load it replaced would have.
    fn set_site(&mut self, pos: usize, at: Option<u32>) {
        let Some(at) = at else { return };
        match self.sites.last_mut() {
            Some(site) if site.0 as usize == pos => site.1 = at,
            _ => self.sites.push((pos as u32, at)),
        }
    }

    /// The branch `op` fused with the `i32.load` just emitted (memory 0) if `op` tests the
    /// loaded value: one op loads and branches. A load to a register (`while (a[i] < x)`) must
    /// be at offset 0, and the op writes the value too; a load to the accumulator (`if
    /// (node->key == k)`), whose value nothing else reads, may have an offset of 16 bits. Not
    /// when a label lies between them.
    fn fused_load(&self, op: &Op) -> Option<Op> {
        let len = self.ops.len();
        if len == 0 || self.bound_at == Some(len as u32) {
            return None;
        }
        match self.ops[len - 1] {
            Op::Load32UM0_s { dst, addr, offset: 0 } => lower::fuse_load_branch(op, dst, addr),
            Op::Load32UM0_Rs { addr, offset } => {
                lower::fuse_acc_load_branch(op, addr, u16::try_from(offset).ok()?)
            }
            _ => None,
        }
    }

    /// The branch `op` fused with the op just emitted if that op steps the register `op`
    /// tests (`i += k` then `br_if (i != n)`, `i < n` or `i != 0`): one op does both. Not
    /// when a label lies between them, nor when the step or bound needs more than 16 bits.
    fn fused_step(&self, op: &Op) -> Option<Op> {
        let len = self.ops.len();
        if len == 0 || self.bound_at == Some(len as u32) {
            return None;
        }
        // `i -= k` steps by `-k` (an i64 immediate is sign-extended: `-(-2^31)` does not fit).
        let (wide, x, imm) = match self.ops[len - 1] {
            Op::I32Add_si { dst, a, imm } if dst == a => (false, a, imm),
            Op::I64Add_si { dst, a, imm } if dst == a => (true, a, imm),
            Op::I32Sub_si { dst, a, imm } if dst == a => (false, a, imm.wrapping_neg()),
            Op::I64Sub_si { dst, a, imm } if dst == a && imm != 1 << 31 => (true, a, imm.wrapping_neg()),
            _ => return None,
        };
        // A step of 16 bits (sign-extended) and a bound of 16 bits (zero-extended); the i64
        // forms' 32-bit immediates are sign-extended, so only non-negative ones qualify.
        let step = || i16::try_from(imm as i32).ok();
        let limit =
            |bound: u32| u16::try_from(if wide { i64::from(bound as i32) } else { i64::from(bound) }).ok();
        Some(match (*op, wide) {
            (Op::BrNotI32Eqz_s { a, offset }, false) if a == x => Op::I32StepBrNez { a, step: imm, offset },
            (Op::BrNotI64Eqz_s { a, offset }, true) if a == x => Op::I64StepBrNez { a, step: imm, offset },
            (Op::BrI32Ne_ss { a, b, offset }, false) if a == x || b == x => {
                Op::I32StepBrNe_s { a: x, b: if a == x { b } else { a }, step: step()?, offset }
            }
            (Op::BrI64Ne_ss { a, b, offset }, true) if a == x || b == x => {
                Op::I64StepBrNe_s { a: x, b: if a == x { b } else { a }, step: step()?, offset }
            }
            (Op::BrI32Ne_si { a, imm: bound, offset }, false) if a == x => {
                Op::I32StepBrNe_i { a, step: step()?, limit: limit(bound)?, offset }
            }
            (Op::BrI64Ne_si { a, imm: bound, offset }, true) if a == x => {
                Op::I64StepBrNe_i { a, step: step()?, limit: limit(bound)?, offset }
            }
            (Op::BrI32LtU_ss { a, b, offset }, false) if a == x => {
                Op::I32StepBrLtU_s { a, b, step: step()?, offset }
            }
            (Op::BrI64LtU_ss { a, b, offset }, true) if a == x => {
                Op::I64StepBrLtU_s { a, b, step: step()?, offset }
            }
            (Op::BrI32LtU_si { a, imm: bound, offset }, false) if a == x => {
                Op::I32StepBrLtU_i { a, step: step()?, limit: limit(bound)?, offset }
            }
            (Op::BrI64LtU_si { a, imm: bound, offset }, true) if a == x => {
                Op::I64StepBrLtU_i { a, step: step()?, limit: limit(bound)?, offset }
            }
            // A signed bound: 16 bits, sign-extended (the i64 immediate is already).
            (Op::BrI32GtS_si { a, imm: bound, offset }, false) if a == x => {
                Op::I32StepBrGtS_i { a, step: step()?, limit: i16::try_from(bound as i32).ok()?, offset }
            }
            (Op::BrI64GtS_si { a, imm: bound, offset }, true) if a == x => {
                Op::I64StepBrGtS_i { a, step: step()?, limit: i16::try_from(bound as i32).ok()?, offset }
            }
            _ => return None,
        })
    }

    // ------------------------------------------------------------------ branches

    /// Takes the i32 condition on top of the stack for a conditional branch.
    fn take_condition(&mut self) -> Cond {
        if let Some(index) = self.producer_of_top()
            && ops::is_fusable_compare(&self.ops[index])
        {
            self.pop();
            return Cond::Fused(self.take_last_op());
        }
        let cond = self.pop();
        match cond.src {
            Src::Const(bits) => Cond::Const(bits as u32 != 0),
            _ if self.take_accumulator(&cond) => Cond::Acc,
            _ => Cond::Slot(self.operand(cond)),
        }
    }

    /// Emits "branch to `label` if the condition is `when`". Returns false if the condition is
    /// a constant that never branches; emits an unconditional branch if it always does.
    fn emit_cond_branch(&mut self, cond: &Cond, when: bool, label: LabelId) -> bool {
        let op = match *cond {
            Cond::Fused(op) => ops::fuse_compare(op, when),
            // "cond != 0" is "not eqz(cond)".
            Cond::Slot(a) if when => Op::BrNotI32Eqz_s { a, offset: 0 },
            Cond::Slot(a) => Op::BrI32Eqz_s { a, offset: 0 },
            Cond::Acc if when => Op::BrNotI32Eqz_r { offset: 0 },
            Cond::Acc => Op::BrI32Eqz_r { offset: 0 },
            Cond::Const(c) => {
                if c != when {
                    return false;
                }
                Op::Br { offset: 0 }
            }
        };
        self.emit_branch(op, label);
        true
    }

    /// Whether the top `n` values already sit where a branch to `ctrl` wants them.
    fn branch_values_in_place(&self, depth: usize) -> bool {
        let target = &self.ctrl[self.ctrl.len() - 1 - depth];
        let n = target.branch_types().len();
        let len = self.stack.len();
        let mut dst = target.base_slot;
        for e in &self.stack[len - n..] {
            if e.src != Src::Temp || e.slot != dst {
                return false;
            }
            dst += e.ty.cells();
        }
        true
    }

    /// Emits the moves of the top branch values into the slots `ctrl[depth]` expects.
    /// Moves go in ascending order, which never overwrites a pending source (see module docs).
    fn emit_branch_moves(&mut self, depth: usize) {
        let target = &self.ctrl[self.ctrl.len() - 1 - depth];
        let n = target.branch_types().len();
        let mut dst = target.base_slot;
        let len = self.stack.len();
        let values = &self.stack[len - n..];
        if n > 1 && values.iter().all(|e| e.src == Src::Temp) {
            // Consecutive temporaries move as one span.
            let src = values[0].slot;
            let cells: u32 = values.iter().map(|e| e.ty.cells()).sum();
            if src != dst {
                self.emit(Op::CopySpan { dst: dst as Slot, src: src as Slot, len: cells as u16 });
            }
            return;
        }
        for i in len - n..len {
            let e = self.stack[i];
            self.emit_move(dst, e);
            dst += e.ty.cells();
        }
    }

    fn is_function_frame(&self, depth: usize) -> bool {
        depth + 1 == self.ctrl.len()
    }

    /// Emits an unconditional branch to relative depth `depth` (or a return).
    fn emit_br(&mut self, depth: usize) {
        if self.is_function_frame(depth) {
            self.emit_return();
            return;
        }
        self.emit_branch_moves(depth);
        let index = self.ctrl.len() - 1 - depth;
        self.ctrl[index].label_used = true;
        let label = self.ctrl[index].label;
        // A jump back to a loop whose first op is its exit test (`loop (br_if $out (cond))
        // ... (br $loop))`): test here instead, inverted, and go back past the test while the
        // loop goes on. One op per iteration instead of two; the same ops run in the same
        // order otherwise.
        if let Some((head, exit)) = self.ctrl[index].head_branch
            && self.ctrl[index].kind == CtrlKind::Loop
            && let Some(mut test) = lower::invert_branch(&self.ops[head])
        {
            if let Some(fused) = self.fused_step(&test) {
                self.take_last_op();
                test = fused;
            }
            // With fuel, going back past the test also skips the loop's charge: a copy of it
            // goes here (its amount set in `seal`, when the loop's is final), so that every
            // iteration pays what the first did.
            if self.fuel
                && let Some(of_loop) = head.checked_sub(1)
                && matches!(self.ops[of_loop], Op::ConsumeFuel { .. })
            {
                let side = self.push_charge();
                self.fuel_repeats.push((side, of_loop));
            }
            let at = self.ops.len() as i64;
            if let Some(offset) = test.offset_mut() {
                *offset = (head as i64 + 1 - at) as i32;
            }
            self.emit(test);
            self.emit_branch(Op::Br { offset: 0 }, exit);
            return;
        }
        self.emit_branch(Op::Br { offset: 0 }, label);
    }

    /// Emits a return of the function's results from the top of the stack.
    fn emit_return(&mut self) {
        let results = self.func_type.results();
        let n = results.len();
        if n == 0 {
            self.emit(Op::Return {});
            return;
        }
        let len = self.stack.len();
        if n == 1 {
            let e = self.stack[len - 1];
            // (`ReturnAcc` returns the integer accumulator.)
            if !matches!(e.ty, ValType::V128 | ValType::F64) && self.take_accumulator(&e) {
                self.emit(Op::ReturnAcc {});
                return;
            }
            match (e.src, e.ty) {
                (Src::Const(bits), ty) if ty != ValType::V128 && bits <= u128::from(u32::MAX) => {
                    self.emit(Op::ReturnImm32 { value: bits as u32 });
                }
                (_, ValType::V128) => {
                    let src = self.operand(e);
                    self.emit(Op::ReturnSlot2 { src });
                }
                _ => {
                    let src = self.operand(e);
                    self.emit(Op::ReturnSlot { src });
                }
            }
            return;
        }
        // Write lazy values into their canonical slots without recording that they are there:
        // a return can sit on the taken side of a conditional branch (`br_if` to the function
        // label), and on the side that falls through those moves never ran, so the stack must
        // keep describing the values as lazy.
        for i in len - n..len {
            let e = self.stack[i];
            if e.src != Src::Temp {
                self.emit_move(e.slot, e);
            }
        }
        let src = self.stack[len - n].slot as Slot;
        let cells: u32 = self.stack[len - n..].iter().map(|e| e.ty.cells()).sum();
        self.emit(Op::ReturnSpan { src, len: cells as u16 });
    }

    // ------------------------------------------------------------------ control constructs

    fn block_types(&self, bt: BlockType) -> Result<(&'a [ValType], &'a [ValType])> {
        let module: &'a ModuleInner = self.module;
        Ok(match bt {
            BlockType::Empty => (&[], &[]),
            BlockType::Type(t) => (&[], single(crate::module::val_type(t)?)),
            BlockType::FuncType(index) => {
                let ty = &module.types[index as usize];
                (ty.params(), ty.results())
            }
        })
    }

    fn push_ctrl(&mut self, kind: CtrlKind, bt: BlockType) -> Result<()> {
        let (params, results) = self.block_types(bt)?;
        let height = self.stack.len() - if self.reachable { params.len() } else { 0 };
        let base_slot = match height {
            0 => self.temp_base,
            h => self.stack[h - 1].slot + self.stack[h - 1].ty.cells(),
        };
        let label = self.new_label();
        self.ctrl.push(Ctrl {
            kind,
            params,
            results,
            height,
            base_slot,
            label,
            else_label: None,
            start_reachable: self.reachable,
            label_used: false,
            head_branch: None,
            outer_fuel: self.fuel_op,
        });
        // Results may need more room than the stack has now.
        let result_cells: u32 = results.iter().map(|t| t.cells()).sum();
        self.max_cells = self.max_cells.max(base_slot + result_cells);
        Ok(())
    }

    fn translate_block(&mut self, bt: BlockType) -> Result<()> {
        if self.reachable {
            self.materialize_locals();
        }
        self.push_ctrl(CtrlKind::Block, bt)
    }

    /// `try_table`: a block whose body's op range gets a handler with the clauses (resolved to
    /// their labels here: a clause's label is counted from outside the `try_table`).
    fn translate_try_table(&mut self, t: &wasmparser::TryTable) -> Result<()> {
        use wasmparser::Catch;
        let mut clauses = Vec::new();
        if self.reachable {
            self.materialize_locals();
            for catch in &t.catches {
                let (kind, depth) = match *catch {
                    Catch::One { tag, label } => (CatchKind::Tag(tag), label),
                    Catch::OneRef { tag, label } => (CatchKind::TagRef(tag), label),
                    Catch::All { label } => (CatchKind::All, label),
                    Catch::AllRef { label } => (CatchKind::AllRef, label),
                };
                let index = self.ctrl.len() - 1 - depth as usize;
                let target = &mut self.ctrl[index];
                let cells: u32 = target.branch_types().iter().map(|t| t.cells()).sum();
                let (target, dst) = if index == 0 {
                    (CatchTarget::Return, self.temp_base)
                } else {
                    // The label becomes a merge point, like a branch's target.
                    target.label_used = true;
                    (CatchTarget::Label(target.label), target.base_slot)
                };
                self.max_cells = self.max_cells.max(dst + cells);
                clauses.push((kind, target, dst as Slot));
            }
        }
        self.push_ctrl(CtrlKind::TryTable, t.ty)?;
        // Bind nothing and emit nothing: the body's ops start here.
        self.last_copy = None;
        self.open_tries.push(OpenTry { start: self.ops.len() as u32, end: 0, clauses });
        Ok(())
    }

    /// `throw`: the payload moves to consecutive registers, then unreachable code.
    fn translate_throw(&mut self, tag: u32) {
        let module: &'a ModuleInner = self.module;
        let ty = &module.types[module.tags[tag as usize] as usize];
        let n = ty.params().len();
        let args = self.materialize_top(n);
        self.stack.truncate(self.stack.len() - n);
        self.max_cells = self.max_cells.max(u32::from(args) + ty.param_cells());
        self.emit(Op::Throw { args, tag });
        self.reachable = false;
    }

    fn translate_loop(&mut self, bt: BlockType) -> Result<()> {
        if self.reachable {
            self.materialize_locals();
            let (params, _) = self.block_types(bt)?;
            self.materialize_top(params.len());
        }
        self.push_ctrl(CtrlKind::Loop, bt)?;
        if self.reachable {
            let label = self.ctrl.last().map(|c| c.label).unwrap_or(0);
            self.bind_charged_label(label);
            if let Some(pos) = self.labels[label].pos {
                self.loop_heads.push((pos, self.at));
            }
        }
        Ok(())
    }

    fn translate_if(&mut self, bt: BlockType) -> Result<()> {
        if !self.reachable {
            return self.push_ctrl(CtrlKind::If, bt);
        }
        let cond = self.take_condition();
        self.materialize_locals();
        let (params, _) = self.block_types(bt)?;
        self.materialize_top(params.len());
        self.push_ctrl(CtrlKind::If, bt)?;
        let else_label = self.new_label();
        if let Some(c) = self.ctrl.last_mut() {
            c.else_label = Some(else_label);
        }
        self.emit_cond_branch(&cond, false, else_label);
        self.start_fuel_block();
        Ok(())
    }

    /// Moves the top values into the canonical result slots of the innermost construct.
    fn move_results_into_place(&mut self) {
        let c = self.ctrl.last().expect("control frame");
        let n = c.results.len();
        let mut dst = c.base_slot;
        let len = self.stack.len();
        for i in len - n..len {
            let e = self.stack[i];
            if e.src != Src::Temp || e.slot != dst {
                self.emit_move(dst, e);
            }
            self.stack[i] = Entry { ty: e.ty, slot: dst, src: Src::Temp };
            dst += e.ty.cells();
        }
    }

    /// Resets the stack to the construct's height plus `types` as Temps.
    fn reset_stack(&mut self, height: usize, types: &[ValType]) {
        self.stack.truncate(height);
        for ty in types {
            self.push_temp(*ty);
        }
    }

    fn translate_else(&mut self) {
        let index = self.ctrl.len() - 1;
        let c = &self.ctrl[index];
        let (start_reachable, label, else_label, height, params) =
            (c.start_reachable, c.label, c.else_label, c.height, c.params);
        if self.reachable {
            self.move_results_into_place();
            self.ctrl[index].label_used = true;
            self.emit_branch(Op::Br { offset: 0 }, label);
        }
        if let Some(else_label) = else_label {
            self.bind_charged_label(else_label);
        }
        self.ctrl[index].kind = CtrlKind::Else;
        self.ctrl[index].else_label = None;
        self.reset_stack(height, params);
        self.reachable = start_reachable;
    }

    fn translate_end(&mut self) {
        let c = self.ctrl.last().expect("control frame");
        let (kind, label, else_label, height, results, start_reachable, label_used) =
            (c.kind, c.label, c.else_label, c.height, c.results, c.start_reachable, c.label_used);
        if kind == CtrlKind::TryTable
            && let Some(mut t) = self.open_tries.pop()
        {
            t.end = self.ops.len() as u32;
            if !t.clauses.is_empty() && t.start < t.end {
                self.tries.push(t);
            }
        }
        if self.ctrl.len() == 1 {
            // The function body: return what is on the stack.
            if self.reachable {
                self.emit_return();
            }
            self.ctrl.pop();
            self.reachable = false;
            return;
        }
        // An `if` without `else` falls through to the end with its parameters as results.
        let implicit_else = kind == CtrlKind::If && start_reachable;
        let merges = kind != CtrlKind::Loop && (label_used || implicit_else);
        if merges {
            if self.reachable {
                self.move_results_into_place();
            }
            if let Some(else_label) = else_label {
                self.bind_label(else_label);
            }
            if kind != CtrlKind::Loop {
                self.bind_label(label);
            }
            self.reachable = true;
            self.reset_stack(height, results);
        } else if !self.reachable {
            self.reset_stack(height, results);
        }
        // Otherwise only the fall-through reaches the end: the stack stays as it is.
        if let Some(c) = self.ctrl.pop()
            && self.fuel_op != c.outer_fuel
        {
            // Back in the enclosing region: no op fuses with one charged in the inner one.
            self.fuel_op = c.outer_fuel;
            self.last_result = None;
            self.last_copy = None;
        }
    }

    fn translate_br_if(&mut self, depth: usize) {
        let cond = self.take_condition();
        self.branch_if(cond, true, depth);
    }

    /// A branch to relative depth `depth` when `cond` is `when`, carrying the values on top of
    /// the stack; the stack is left as it is for the fall-through.
    fn branch_if(&mut self, cond: Cond, when: bool, depth: usize) {
        let never = matches!(cond, Cond::Const(c) if c != when);
        if self.is_function_frame(depth) {
            if never {
                return;
            }
            let skip = self.new_label();
            self.emit_cond_branch(&cond, !when, skip);
            self.emit_return();
            self.bind_label(skip);
            return;
        }
        let index = self.ctrl.len() - 1 - depth;
        if self.branch_values_in_place(depth) {
            let label = self.ctrl[index].label;
            if self.emit_cond_branch(&cond, when, label) {
                self.ctrl[index].label_used = true;
            }
        } else {
            if never {
                return;
            }
            let skip = self.new_label();
            self.emit_cond_branch(&cond, !when, skip);
            self.emit_br(depth);
            self.bind_label(skip);
        }
    }

    fn translate_br_table(&mut self, targets: &wasmparser::BrTable<'_>) -> Result<()> {
        let index = self.pop();
        let index = self.operand(index);
        let default = targets.default() as usize;
        let arity = {
            let c = &self.ctrl[self.ctrl.len() - 1 - default];
            c.branch_types().len()
        };
        self.materialize_top(arity);
        let depths: Vec<usize> =
            targets.targets().map(|t| t.map(|d| d as usize)).collect::<std::result::Result<_, _>>().map_err(
                |e| Error::at_offset(ErrorKind::Malformed, e.message().to_string(), e.offset() as usize),
            )?;
        self.emit(Op::BrTable { index, len: depths.len() as u32 });
        // One trampoline per distinct target that needs moves or is a return.
        let mut trampolines: Vec<(usize, LabelId)> = Vec::new();
        for &depth in depths.iter().chain(std::iter::once(&default)) {
            if !self.is_function_frame(depth) && self.branch_values_in_place(depth) {
                let i = self.ctrl.len() - 1 - depth;
                self.ctrl[i].label_used = true;
                let label = self.ctrl[i].label;
                self.emit_branch(Op::Br { offset: 0 }, label);
            } else {
                let label = match trampolines.iter().find(|(d, _)| *d == depth) {
                    Some((_, l)) => *l,
                    None => {
                        let l = self.new_label();
                        trampolines.push((depth, l));
                        l
                    }
                };
                self.emit_branch(Op::Br { offset: 0 }, label);
            }
        }
        for (depth, label) in trampolines {
            self.bind_label(label);
            self.emit_br(depth);
        }
        self.reachable = false;
        Ok(())
    }

    // ------------------------------------------------------------------ locals

    fn translate_local_get(&mut self, index: u32) {
        let (slot, ty) = self.locals[index as usize];
        self.push(ty, Src::Local(slot));
    }

    /// Writes the top value into local `index` and pops it.
    fn translate_local_set(&mut self, index: u32) {
        let (slot, ty) = self.locals[index as usize];
        let preserve_needed = self.stack.iter().any(|e| e.src == Src::Local(slot));
        if !preserve_needed && let Some(producer) = self.producer_of_top() {
            // Retarget the producing op's result straight into the local.
            if let Some(dst) = self.ops[producer].dst_mut() {
                *dst = slot as Slot;
            }
            self.pop();
            return;
        }
        let value = self.pop();
        if preserve_needed {
            for i in 0..self.stack.len() {
                if self.stack[i].src == Src::Local(slot) {
                    self.materialize(i);
                }
            }
        }
        if value.src != Src::Local(slot) {
            self.emit_move(slot, Entry { ty, ..value });
        }
    }

    fn translate_local_tee(&mut self, index: u32) {
        self.translate_local_set(index);
        self.translate_local_get(index);
    }

    // ------------------------------------------------------------------ calls

    fn translate_call(&mut self, func: u32) {
        let module: &'a ModuleInner = self.module;
        let ty = module.func_type(func);
        let args = self.materialize_top(ty.params().len());
        self.stack.truncate(self.stack.len() - ty.params().len());
        let op = if func < module.num_imported_funcs {
            Op::CallImported { func, args }
        } else {
            Op::CallInternal { func: func - module.num_imported_funcs, args }
        };
        self.emit(op);
        self.push_call_results(ty);
    }

    fn translate_call_indirect(&mut self, type_index: u32, table: u32) -> Result<()> {
        let module: &'a ModuleInner = self.module;
        let ty = &module.types[type_index as usize];
        let table = u16::try_from(table).map_err(|_| {
            Error::new(ErrorKind::Unsupported, "call_indirect through a table index above 65535")
        })?;
        let index = self.pop();
        let index = self.operand(index);
        let args = self.materialize_top(ty.params().len());
        self.stack.truncate(self.stack.len() - ty.params().len());
        self.emit(Op::CallIndirect { index, args, table, ty: type_index });
        self.push_call_results(ty);
        Ok(())
    }

    /// `return_call`: a tail call, then unreachable code.
    fn translate_return_call(&mut self, func: u32) {
        let module: &'a ModuleInner = self.module;
        let ty = module.func_type(func);
        let args = self.materialize_top(ty.params().len());
        self.stack.truncate(self.stack.len() - ty.params().len());
        let op = if func < module.num_imported_funcs {
            Op::ReturnCallImported { func, args }
        } else {
            Op::ReturnCallInternal { func: func - module.num_imported_funcs, args }
        };
        self.emit_tail_call(op, ty, args);
    }

    /// `return_call_indirect`: a tail call through a table, then unreachable code.
    fn translate_return_call_indirect(&mut self, type_index: u32, table: u32) -> Result<()> {
        let module: &'a ModuleInner = self.module;
        let ty = &module.types[type_index as usize];
        let table = u16::try_from(table).map_err(|_| {
            Error::new(ErrorKind::Unsupported, "return_call_indirect through a table index above 65535")
        })?;
        let index = self.pop();
        let index = self.operand(index);
        let args = self.materialize_top(ty.params().len());
        self.stack.truncate(self.stack.len() - ty.params().len());
        self.emit_tail_call(Op::ReturnCallIndirect { index, args, table, ty: type_index }, ty, args);
        Ok(())
    }

    /// The operands of `call_ref $t` and `return_call_ref $t`: pops the reference on top of
    /// the stack and the arguments below it (materialised in consecutive slots); returns the
    /// type, the reference's slot and the first argument's.
    fn call_ref_operands(&mut self, type_index: u32) -> (&'a FuncType, Slot, Slot) {
        let module: &'a ModuleInner = self.module;
        let ty = &module.types[type_index as usize];
        let callee = self.pop();
        let callee = self.operand(callee);
        let args = self.materialize_top(ty.params().len());
        self.stack.truncate(self.stack.len() - ty.params().len());
        (ty, callee, args)
    }

    /// `call_ref $t`: a call of the function referenced on top of the stack.
    fn translate_call_ref(&mut self, type_index: u32) {
        let (ty, callee, args) = self.call_ref_operands(type_index);
        self.emit(Op::CallRef { callee, args });
        self.push_call_results(ty);
    }

    /// `return_call_ref $t`: a tail call of the referenced function, then unreachable code.
    fn translate_return_call_ref(&mut self, type_index: u32) {
        let (ty, callee, args) = self.call_ref_operands(type_index);
        self.emit_tail_call(Op::ReturnCallRef { callee, args }, ty, args);
    }

    /// `br_on_null` (`on_null`) and `br_on_non_null`: a branch taken when the reference on top
    /// of the stack is (is not) null. `br_on_null` leaves the reference out of the values it
    /// carries and keeps it on the stack when it falls through; `br_on_non_null` carries it
    /// and drops it when it falls through. A reference cell is 0 exactly when it is null, so
    /// the tests are the `i32.eqz` branches.
    fn translate_br_on_null(&mut self, depth: usize, on_null: bool) {
        let Some(&e) = self.top() else { return };
        let cond = match e.src {
            Src::Const(bits) => Cond::Const(bits != 0),
            _ => Cond::Slot(self.operand(e)),
        };
        // "null" is "cond == 0": branch when the condition is false.
        let when = !on_null;
        if on_null {
            self.pop();
        }
        self.branch_if(cond, when, depth);
        if on_null {
            self.stack.push(e);
        } else {
            self.pop();
        }
    }

    /// Emits a tail-call op whose arguments of type `ty` are at `args`, and after it the return
    /// of the results a host callee leaves there (a wasm callee returns by itself).
    fn emit_tail_call(&mut self, op: Op, ty: &FuncType, args: Slot) {
        // The frame covers the arguments and the results a host callee writes over them.
        let cells = ty.param_cells().max(ty.result_cells());
        self.max_cells = self.max_cells.max(u32::from(args) + cells);
        self.emit(op);
        self.emit(Op::ReturnSpan { src: args, len: ty.result_cells() as u16 });
        self.reachable = false;
    }

    fn push_call_results(&mut self, ty: &FuncType) {
        let param_cells = ty.param_cells();
        let base = self.next_slot();
        // The callee frame starts at `base`; its params occupy `param_cells` cells.
        self.max_cells = self.max_cells.max(base + param_cells);
        for t in ty.results() {
            self.push_temp(*t);
        }
    }
}

/// Where a `Data64` op keeps its bits, in bytes from the start of its `Instr`: right after the
/// handler link, the tag and its padding (checked by a unit test).
pub(crate) const DATA64_BITS_OFFSET: usize = std::mem::offset_of!(Instr, op) + 4;

/// The same op with its result in the accumulator, if it has such a form: the generated
/// table's twins and the translator's own fused ops.
fn accumulator_twin(op: &Op) -> Option<Op> {
    match *op {
        Op::F64MulAddK_rs { b, k, .. } => Some(Op::F64MulAddK_Rrs { b, k }),
        _ => lower::to_accumulator(op),
    }
}

/// Whether `op` writes its result to the float accumulator.
fn writes_float_accumulator(op: &Op) -> bool {
    matches!(op, Op::F64MulAddK_Rrs { .. }) || lower::writes_float_accumulator(op)
}

/// Whether `op` reads an operand from the float accumulator.
pub(super) fn reads_float_accumulator(op: &Op) -> bool {
    matches!(op, Op::F64MulAddK_rs { .. } | Op::F64MulAddK_Rrs { .. }) || lower::reads_float_accumulator(op)
}
