//! The known wasmi 2.0.0 bugs (see `fuzz/known-peer-bugs.md`): static detection of each
//! pattern in a module, and a rewrite of the module that neutralises exactly the detected
//! sites without changing the module's meaning.
//!
//! The differential target uses them so: when epsilon and wasmi disagree on a module that
//! contains a pattern, the module is run again on wasmi with that pattern's sites neutralised.
//! Only if wasmi then agrees with epsilon (on the whole module: instantiation, every call, every
//! state comparison) is the disagreement attributed to that known bug and excluded; otherwise
//! it stays a mismatch. Nothing else about the module is excused.
//!
//! - (a) `select` fused with the `i32.eqz`/`ref.is_null` (or `i32.eq`/`i32.ne` with 0) that
//!   computes its condition right before it (wasmi then reads the condition from its
//!   accumulator register, which need not hold the compared value): the neutralised module
//!   routes the condition through a fresh global (`global.set` + `global.get` between the
//!   comparison and the `select`), which wasmi cannot fuse.
//! - (c) multi-value `br_table` to the function label: the neutralised module wraps the body of
//!   each affected function in a `block` of the function's result type, so the `br_table`
//!   targets that block (which then falls through to the function's end) instead.
//! - (d) a `local.get` value below the parameters of a `block`/`if`/`loop` with parameters
//!   (wasmi's translator leaves it a lazy reference to the local at the frame's entry, then
//!   copies it on one path only): the neutralised module has an empty `block end` right after
//!   the operator that pushed the value, which makes wasmi copy it there, on every path.
//! - (e) a `br_table` whose labels (all of one operand stack height) take values that wasmi
//!   passes in stack slots, with an operand between the labels' height and those values
//!   (wasmi leaves the values where they are instead of moving them down to the label's
//!   slots): the neutralised module replaces the `br_table` by one that targets fresh
//!   `block`s entered right there (so no operand lies between them and the values), each
//!   followed by a `br` to the original target.
//! - (f) a `loop` with parameters that wasmi passes in its accumulator registers, entered with
//!   a `local.get`/`local.tee` value below them of a local that wasmi may take to be held in
//!   one of those registers (wasmi copies the parameters into the registers first, then copies
//!   that value out of the register, which now holds a parameter): the neutralised module has
//!   an empty `block end` right before the `loop`, which makes wasmi copy every such value
//!   there, while the register still holds the local.

use wasmparser::{
    BinaryReader, FuncValidatorAllocations, Operator, OperatorsReader, Parser, Payload, Validator,
    WasmModuleResources,
};

/// The sites of known wasmi bug patterns in one module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sites {
    /// Pattern (a): byte offsets (in the module) of `select` operators whose condition is an
    /// `i32.eqz` or `ref.is_null` right before them, or an `i32.eq`/`i32.ne` one of whose
    /// operands may be a constant (as wasmi folds them).
    pub selects: Vec<usize>,
    /// Pattern (c): code-section indices of functions with more than one result that contain
    /// a `br_table` one of whose targets is the function's outermost label.
    pub br_table_funcs: Vec<usize>,
    /// Pattern (d): byte offsets (in the module) right after the operators that pushed a value
    /// (a `local.get`, or what may pass one through) that a frame with parameters leaves
    /// below its parameters, in a frame that copies it on some path and that is left by
    /// another path (a branch to it, or the other arm of an `if`). Sorted, distinct.
    pub param_frames: Vec<usize>,
    /// Pattern (e): `br_table`s carrying values that wasmi passes in stack slots over an
    /// operand below them, to labels that all have the same height.
    pub shifted_br_tables: Vec<BrTableSite>,
    /// Pattern (f): byte offsets (in the module) of `loop` operators with parameters in wasmi's
    /// accumulator registers that leave, below their parameters, a value that wasmi may hold
    /// as a local linked to one of those registers.
    pub loop_param_regs: Vec<usize>,
    /// Not a wasmi bug but an open epsilon fault (`LOAD_LANE_OPEN` in `diff.rs`): byte offsets
    /// (in the module) right after `v128.loadN_lane` operators followed directly by a
    /// `local.set`/`local.tee`. Not counted by [`Sites::any`].
    pub load_lane_locals: Vec<usize>,
}

/// A `br_table` of pattern (e).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrTableSite {
    /// Byte offsets (in the module) of the operator and right after it.
    pub start: usize,
    pub end: usize,
    /// The types of the values its labels take.
    pub types: Vec<wasmparser::ValType>,
    /// Its targets (relative depths), the default last.
    pub targets: Vec<u32>,
}

impl Sites {
    /// Whether any pattern was found.
    pub fn any(&self) -> bool {
        !self.selects.is_empty()
            || !self.br_table_funcs.is_empty()
            || !self.param_frames.is_empty()
            || !self.shifted_br_tables.is_empty()
            || !self.loop_param_regs.is_empty()
    }
}

/// Which patterns' sites [`neutralise`] rewrites.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fix {
    /// Pattern (a).
    pub selects: bool,
    /// Pattern (c).
    pub br_tables: bool,
    /// Pattern (d).
    pub param_frames: bool,
    /// Pattern (e).
    pub shifted_br_tables: bool,
    /// Pattern (f).
    pub loop_param_regs: bool,
    /// The open epsilon fault's sites, for epsilon: `v128.const 0` + `v128.or` inserted between
    /// the `v128.loadN_lane` and the `local.set`/`local.tee` (the same value).
    pub load_lane_locals: bool,
}

/// Whether an operator yields a constant when all its operands are constant, as wasmi's
/// constant folding sees it: numeric and vector arithmetic, not memory, variables or control.
fn foldable(op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or("");
    const PREFIXES: [&str; 11] =
        ["I32", "I64", "F32", "F64", "V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"];
    PREFIXES.iter().any(|p| name.starts_with(p)) && !name.contains("Load") && !name.contains("Store")
}

fn is_const(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::V128Const { .. }
            | Operator::RefNull { .. }
            | Operator::RefFunc { .. }
    )
}

/// Finds the sites of the known patterns. Returns `None` if the module does not validate
/// with epsilon's feature set.
pub fn analyse(wasm: &[u8]) -> Option<Sites> {
    let features = wasmparser::WasmFeatures::WASM2
        | wasmparser::WasmFeatures::MULTI_MEMORY
        | wasmparser::WasmFeatures::TAIL_CALL
        | wasmparser::WasmFeatures::EXTENDED_CONST
        | wasmparser::WasmFeatures::RELAXED_SIMD
        | wasmparser::WasmFeatures::MEMORY64;
    let mut validator = Validator::new_with_features(features);
    let mut sites = Sites::default();
    let mut allocs = FuncValidatorAllocations::default();
    let mut code_index = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.ok()?;
        if let Payload::CodeSectionEntry(body) = &payload {
            let func = validator.code_section_entry(body).ok()?;
            let mut fv = func.into_validator(std::mem::take(&mut allocs));
            let results = {
                let resources = fv.resources();
                let id = resources.type_id_of_function(fv.index())?;
                resources.sub_type_at_id(id).unwrap_func().results().len()
            };
            let mut reader: BinaryReader<'_> = body.get_binary_reader();
            fv.read_locals(&mut reader).ok()?;
            let mut ops = OperatorsReader::new(reader);
            let mut frames = ParamFrames::new();
            // Whether each operand stack slot holds a constant (as wasmi would see it).
            let mut stack: Vec<bool> = Vec::new();
            let mut previous: Option<Operator<'_>> = None;
            // Whether an input of `previous` may be a constant.
            let mut previous_const_input = false;
            let mut br_table_to_func = false;
            // Pattern (f): the locals set so far (in reachable code), the only ones that wasmi
            // may link to a register.
            let mut written: Vec<u32> = Vec::new();
            while !ops.eof() {
                let (op, offset) = ops.read_with_offset().ok()?;
                let height = wasmparser::ModuleArity::control_stack_height(&fv);
                let (pops, pushes) = op.operator_arity(&fv).unwrap_or((0, 0));
                let (pops, pushes) = (pops as usize, pushes as usize);
                if matches!(op, Operator::Select | Operator::TypedSelect { .. })
                    && match previous {
                        Some(Operator::I32Eqz | Operator::RefIsNull) => true,
                        Some(Operator::I32Eq | Operator::I32Ne) => previous_const_input,
                        _ => false,
                    }
                {
                    sites.selects.push(offset as usize);
                }
                let before = frames.before(&fv, &op);
                if let Operator::Loop { blockty: wasmparser::BlockType::FuncType(ty) } = op
                    && before.reachable
                    && frames.loop_reads_clobbered_register(&fv, ty, &written)
                {
                    sites.loop_param_regs.push(offset as usize);
                }
                if let Operator::LocalSet { local_index } | Operator::LocalTee { local_index } = op
                    && before.reachable
                    && !written.contains(&local_index)
                {
                    written.push(local_index);
                }
                if let Operator::BrTable { targets } = &op
                    && before.reachable
                    && !matches!(previous, Some(Operator::I32Const { .. }))
                    && let Some(site) =
                        shifted_br_table(&fv, targets, offset as usize, ops.original_position() as usize)
                {
                    sites.shifted_br_tables.push(site);
                }
                if matches!(op, Operator::LocalSet { .. } | Operator::LocalTee { .. })
                    && matches!(
                        previous,
                        Some(
                            Operator::V128Load8Lane { .. }
                                | Operator::V128Load16Lane { .. }
                                | Operator::V128Load32Lane { .. }
                                | Operator::V128Load64Lane { .. }
                        )
                    )
                {
                    sites.load_lane_locals.push(offset as usize);
                }
                if let Operator::BrTable { targets } = &op
                    && results > 1
                {
                    let outermost = height.saturating_sub(1);
                    let mut hit = targets.default() == outermost;
                    for t in targets.targets() {
                        hit |= t.ok()? == outermost;
                    }
                    br_table_to_func |= hit;
                }
                let inputs = &stack[stack.len().saturating_sub(pops)..];
                let inputs_const = pops > 0 && inputs.len() == pops && inputs.iter().all(|&c| c);
                previous_const_input = inputs.iter().any(|&c| c);
                let result_const = is_const(&op) || (pushes == 1 && inputs_const && foldable(&op));
                stack.truncate(stack.len().saturating_sub(pops));
                stack.extend(std::iter::repeat_n(result_const, pushes));
                fv.op(offset, &op).ok()?;
                frames.after(&fv, &op, before, ops.original_position() as usize, &mut sites.param_frames);
                previous = Some(op);
            }
            if br_table_to_func {
                sites.br_table_funcs.push(code_index);
            }
            code_index += 1;
            allocs = fv.into_allocations();
        } else {
            validator.payload(&payload).ok()?;
        }
    }
    sites.param_frames.sort_unstable();
    sites.param_frames.dedup();
    Some(sites)
}

/// wasmi 2.0.0's accumulator register for a value of type `t` (`RegKind`): 0 for `i32`, `i64`
/// and references, 1 for `f32`, 2 for `f64`, none for `v128`.
fn wasmi_reg_kind(t: wasmparser::ValType) -> Option<u8> {
    use wasmparser::ValType as V;
    match t {
        V::I32 | V::I64 | V::Ref(_) => Some(0),
        V::F32 => Some(1),
        V::F64 => Some(2),
        V::V128 => None,
    }
}

/// The registers in which wasmi 2.0.0 passes the last of a label's values (of types `tys`),
/// last first (`BranchParams`): the last value takes its register if it has one, and the one
/// or two before it theirs while each has one and it is free.
fn wasmi_reg_values(tys: &[wasmparser::ValType]) -> Vec<u8> {
    let mut taken: Vec<u8> = Vec::new();
    for t in tys.iter().rev().take(3) {
        match wasmi_reg_kind(*t) {
            Some(k) if !taken.contains(&k) => taken.push(k),
            _ => break,
        }
    }
    taken
}

/// How many of a label's values (of types `tys`) wasmi 2.0.0 passes in stack slots rather than
/// in its accumulator registers (see [`wasmi_reg_values`]).
fn wasmi_slot_values(tys: &[wasmparser::ValType]) -> usize {
    tys.len() - wasmi_reg_values(tys).len()
}

/// Pattern (e): whether the `br_table` (at `start..end`, about to be validated by `fv`) hits
/// wasmi 2.0.0's bug. Its `visit_br_table` leaves the branch values where they are on the
/// stack (it copies them to their own slots) and, when every target label has the same
/// operand stack height, encodes no per-target copies to the label's slots: right only when
/// nothing lies between that height and the values. So a site is a `br_table` with a
/// non-constant index (a constant one is folded into a `br`), not all targets the same (that
/// is a `br` too), whose labels take values that wasmi passes in stack slots (not only in its
/// accumulator registers), all of the same height, with at least one operand between that
/// height and the values. Reachability is the caller's business.
fn shifted_br_table<R: WasmModuleResources>(
    fv: &wasmparser::FuncValidator<R>,
    table: &wasmparser::BrTable<'_>,
    start: usize,
    end: usize,
) -> Option<BrTableSite> {
    let mut targets: Vec<u32> = table.targets().collect::<Result<_, _>>().ok()?;
    targets.push(table.default());
    if targets.iter().all(|&t| t == table.default()) {
        return None;
    }
    let frame = fv.get_control_frame(table.default() as usize)?;
    let types: Vec<wasmparser::ValType> = match frame.block_type {
        wasmparser::BlockType::Empty => Vec::new(),
        wasmparser::BlockType::Type(t) => vec![t],
        wasmparser::BlockType::FuncType(i) => {
            let f = fv.resources().sub_type_at(i)?.unwrap_func();
            match frame.kind {
                wasmparser::FrameKind::Loop => f.params().to_vec(),
                _ => f.results().to_vec(),
            }
        }
    };
    if wasmi_slot_values(&types) == 0 {
        return None;
    }
    for &t in &targets {
        if fv.get_control_frame(t as usize)?.height != frame.height {
            return None;
        }
    }
    // The operands below the index and the branch values.
    let below = (fv.operand_stack_height() as usize).checked_sub(1 + types.len())?;
    (below > frame.height).then_some(BrTableSite { start, end, types, targets })
}

/// An operand as wasmi's translator may hold it (pattern (d)).
#[derive(Debug, Clone, Copy)]
struct Opd {
    /// `Some(local)` if wasmi may hold it as a lazy reference to that local (`local.get`, or an
    /// operator that may pass such an operand through); `None` for anything else.
    local: Option<u32>,
    /// Whether it is certainly such a reference (pushed by `local.get`).
    sure: bool,
    /// The byte offset right after the operator that pushed it.
    after: usize,
}

/// A control frame (pattern (d)).
#[derive(Debug)]
struct FrameInfo {
    is_if: bool,
    /// Whether wasmi translates its code: entered in reachable code (wasmi skips the code of a
    /// frame entered in unreachable code entirely).
    live: bool,
    /// The operand stack height below its parameters.
    base: usize,
    /// The parameters at its entry (restored at `else`).
    params: Vec<Opd>,
    /// For a frame with parameters that leaves lazy locals below them: the stack positions of
    /// those operands, and where to neutralise (after the topmost one's operator).
    spared: Vec<usize>,
    insert_at: usize,
    /// Whether a spared operand was copied inside the frame (so on some paths only).
    copied: bool,
    /// Whether a branch targets the frame.
    branched: bool,
}

/// Tracks, per function, a model of wasmi 2.0.0's operand stack for pattern (d). On entering
/// a `block`/`if`/`loop` with `n` parameters, wasmi copies ("preserves") the lazy `local.get`
/// operands on its stack to slots of their own, except the first `n` it meets from the top,
/// meaning to skip the parameters. If a parameter is not itself a lazy local, it skips a lazy
/// local *below* the parameters instead, and that one is copied later, inside the frame (at a
/// nested frame's entry, or before a `local.set`/`local.tee` of its local), on that path
/// only; a path that leaves the frame before (a branch to it, the other arm of an `if`), or a
/// loop iteration after the local changed, reads the copy's slot, which it never wrote.
///
/// The model errs on the side of more sites: an operator with one result and a lazy local
/// among its inputs may be a pass-through (wasmi does pass `reinterpret`, `i64.extend_i32_u`
/// and some identities through), so its result counts as a possible lazy local.
struct ParamFrames {
    stack: Vec<Opd>,
    frames: Vec<FrameInfo>,
}

/// What [`ParamFrames::before`] saw before an operator.
#[derive(Debug, Clone, Copy)]
struct Before {
    /// Whether wasmi translates the operator (the code so far is reachable).
    reachable: bool,
    pushes: usize,
    params: usize,
    results: usize,
}

impl ParamFrames {
    fn new() -> ParamFrames {
        let function = FrameInfo {
            is_if: false,
            live: true,
            base: 0,
            params: Vec::new(),
            spared: Vec::new(),
            insert_at: 0,
            copied: false,
            branched: false,
        };
        ParamFrames { stack: Vec::new(), frames: vec![function] }
    }

    fn block_arity<R: WasmModuleResources>(resources: &R, ty: wasmparser::BlockType) -> (usize, usize) {
        match ty {
            wasmparser::BlockType::Empty => (0, 0),
            wasmparser::BlockType::Type(_) => (0, 1),
            wasmparser::BlockType::FuncType(i) => resources.sub_type_at(i).map_or((0, 0), |t| {
                let f = t.unwrap_func();
                (f.params().len(), f.results().len())
            }),
        }
    }

    fn before<R: WasmModuleResources>(&self, fv: &wasmparser::FuncValidator<R>, op: &Operator<'_>) -> Before {
        let reachable = self.frames.last().is_some_and(|f| f.live)
            && fv.get_control_frame(0).is_some_and(|f| !f.unreachable);
        let (_, pushes) = op.operator_arity(fv).unwrap_or((0, 0));
        let (params, results) = match op {
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                Self::block_arity(fv.resources(), *blockty)
            }
            Operator::End => {
                fv.get_control_frame(0).map_or((0, 0), |f| Self::block_arity(fv.resources(), f.block_type))
            }
            _ => (0, 0),
        };
        Before { reachable, pushes: pushes as usize, params, results }
    }

    /// Turns the lazy local at `pos` into a copy (as wasmi does), noting the frames that had
    /// spared it.
    fn copy_at(&mut self, pos: usize) {
        if self.stack[pos].local.take().is_some() {
            self.mark_copied(pos);
        }
    }

    /// Notes the frames that had spared the operand at `pos` as having copied it inside.
    fn mark_copied(&mut self, pos: usize) {
        for f in &mut self.frames {
            if f.spared.contains(&pos) {
                f.copied = true;
            }
        }
    }

    /// Updates the model after the validator took `op`; `after` is the offset after `op`.
    fn after<R: WasmModuleResources>(
        &mut self,
        fv: &wasmparser::FuncValidator<R>,
        op: &Operator<'_>,
        b: Before,
        after: usize,
        sites: &mut Vec<usize>,
    ) {
        let height = fv.operand_stack_height() as usize;
        let other = Opd { local: None, sure: false, after };
        // The operands left below the operator's results (unreachable code pops freely).
        let keep = height.saturating_sub(b.pushes).min(self.stack.len());
        match op {
            Operator::LocalGet { local_index } => {
                self.stack.truncate(keep);
                if b.reachable {
                    self.stack.push(Opd { local: Some(*local_index), sure: true, after });
                }
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                // The value stored, popped by the operator (a `local.tee` pushes it back).
                let input = self.stack.get(keep).copied().filter(|o| o.local == Some(*local_index));
                self.stack.truncate(keep);
                if b.reachable {
                    // wasmi translates `local.set $n (local.get $n)` (and the `local.tee`) as
                    // nothing at all (`translate_local_set`, `LocalSetCodegen::NoOp`): it does
                    // not copy the lazy locals of `$n` either. Where the input may only be
                    // such a reference (passed through), count both: a copy inside a frame
                    // that spared them, and lazy locals left for the frames to come.
                    let no_op = input.is_some_and(|o| o.sure);
                    for pos in 0..self.stack.len() {
                        if self.stack[pos].local == Some(*local_index) {
                            match input {
                                None => self.copy_at(pos),
                                // Copied or not: no longer certainly lazy, so a frame
                                // entered with it as a parameter may skip one below instead.
                                Some(_) if !no_op => {
                                    self.mark_copied(pos);
                                    self.stack[pos].sure = false;
                                }
                                Some(_) => {}
                            }
                        }
                    }
                    if matches!(op, Operator::LocalTee { .. }) {
                        self.stack.push(Opd { local: Some(*local_index), sure: no_op, after });
                    }
                }
            }
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                let base = fv.get_control_frame(0).map_or(0, |f| f.height);
                let is_if = matches!(op, Operator::If { .. });
                if b.reachable && is_if {
                    self.stack.pop(); // the condition
                }
                if !b.reachable || self.stack.len() != base + b.params {
                    self.stack.truncate(base);
                    self.stack.resize(base + b.params, other);
                }
                let mut frame = FrameInfo {
                    is_if,
                    live: b.reachable,
                    base,
                    params: self.stack[base..].to_vec(),
                    spared: Vec::new(),
                    insert_at: 0,
                    copied: false,
                    branched: false,
                };
                if b.reachable {
                    // wasmi skips the first `n` lazy locals from the top and copies the others.
                    let n = b.params;
                    // A parameter pushed by `local.get` but copied since (by a `local.set`/
                    // `local.tee` of its local, or a frame's entry) is no longer a lazy local:
                    // wasmi skips a lazy local below instead.
                    let sure_params = frame.params.iter().filter(|o| o.sure && o.local.is_some()).count();
                    let mut skip = n;
                    for pos in (0..self.stack.len()).rev() {
                        let o = self.stack[pos];
                        if o.local.is_none() {
                            continue;
                        }
                        if skip == 0 {
                            self.copy_at(pos);
                            continue;
                        }
                        if o.sure {
                            skip -= 1;
                        }
                        if pos < base && sure_params < n {
                            if frame.spared.is_empty() {
                                frame.insert_at = o.after;
                            }
                            frame.spared.push(pos);
                        }
                    }
                }
                self.frames.push(frame);
            }
            Operator::Else => {
                if let Some(f) = self.frames.last() {
                    let (base, params) = (f.base, f.params.clone());
                    self.stack.truncate(base);
                    self.stack.extend(params);
                }
            }
            Operator::End => {
                let n = b.results.min(self.stack.len());
                let results: Vec<Opd> =
                    if b.reachable { self.stack[self.stack.len() - n..].to_vec() } else { vec![other; n] };
                if let Some(f) = self.frames.pop() {
                    if !f.spared.is_empty() && f.copied && (f.branched || f.is_if) {
                        sites.push(f.insert_at);
                    }
                    self.stack.truncate(f.base);
                }
                self.stack.extend(results);
            }
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                if b.reachable {
                    self.branch(*relative_depth);
                }
                self.stack.truncate(height);
            }
            Operator::BrTable { targets } => {
                if b.reachable {
                    self.branch(targets.default());
                    for t in targets.targets().flatten() {
                        self.branch(t);
                    }
                }
                self.stack.truncate(height);
            }
            _ => {
                // Pops the inputs, pushes the outputs; one output may be an input passed on.
                let passed = if b.pushes == 1 && b.reachable {
                    self.stack[keep..].iter().find_map(|o| o.local)
                } else {
                    None
                };
                self.stack.truncate(keep);
                self.stack.resize(keep + b.pushes, Opd { local: passed, sure: false, after });
            }
        }
        // Keep the model exactly as high as the validator's stack.
        self.stack.truncate(height);
        self.stack.resize(height, other);
    }

    /// Pattern (f): whether a `loop` of type `ty`, about to be validated by `fv`, has parameters
    /// that wasmi passes in its registers and, below them, a value that wasmi may hold as a
    /// lazy local of a local in `written` (one that may be linked to a register), whose type's
    /// register is one of the parameters'. wasmi's `visit_loop` copies the parameters into their
    /// registers before it copies ("preserves") the lazy locals below them, and it copies a
    /// local linked to a register from that register: the value of a parameter by then.
    ///
    /// Errs on the side of more sites: whether the local is still linked to the register (the
    /// link ends at a frame's `end`, at another result put in the register, …), whether the
    /// parameter's copy is a no-op (a parameter computed into its register replaces the link)
    /// and which lazy locals wasmi skips as parameters are not modelled.
    fn loop_reads_clobbered_register<R: WasmModuleResources>(
        &self,
        fv: &wasmparser::FuncValidator<R>,
        ty: u32,
        written: &[u32],
    ) -> bool {
        let Some(sub) = fv.resources().sub_type_at(ty) else { return false };
        let params = sub.unwrap_func().params();
        let regs = wasmi_reg_values(params);
        if regs.is_empty() {
            return false;
        }
        let below = self.stack.len().saturating_sub(params.len());
        (0..below).any(|pos| {
            let Some(local) = self.stack[pos].local else { return false };
            let depth = self.stack.len() - 1 - pos;
            written.contains(&local)
                && matches!(fv.get_operand_type(depth), Some(Some(t))
                    if wasmi_reg_kind(t).is_some_and(|k| regs.contains(&k)))
        })
    }

    fn branch(&mut self, relative_depth: u32) {
        let n = self.frames.len();
        if let Some(f) = (relative_depth as usize).checked_add(1).and_then(|d| n.checked_sub(d)) {
            self.frames[f].branched = true;
        }
    }
}

fn leb_u32(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Signed LEB128 of a non-negative value below 2^32 (a block type index is an s33).
fn leb_s33(out: &mut Vec<u8>, v: u32) {
    let mut v = i64::from(v);
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 && byte & 0x40 == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    leb_u32(out, contents.len() as u32);
    out.extend_from_slice(contents);
}

fn val_type_byte(t: wasmparser::ValType) -> u8 {
    use wasmparser::ValType as V;
    match t {
        V::I32 => 0x7f,
        V::I64 => 0x7e,
        V::F32 => 0x7d,
        V::F64 => 0x7c,
        V::V128 => 0x7b,
        V::Ref(r) if r.is_func_ref() => 0x70,
        V::Ref(_) => 0x6f,
    }
}

/// Rewrites `wasm` so that the chosen patterns' sites no longer trigger wasmi's bugs (see the
/// module documentation). The result means the same as `wasm`. `None` if the module cannot
/// be parsed.
pub fn neutralise(wasm: &[u8], sites: &Sites, fix: Fix) -> Option<Vec<u8>> {
    let fix_selects = fix.selects && !sites.selects.is_empty();
    let fix_br_tables = fix.br_tables && !sites.br_table_funcs.is_empty();
    let fix_param_frames = fix.param_frames && !sites.param_frames.is_empty();
    let fix_shifted_br_tables = fix.shifted_br_tables && !sites.shifted_br_tables.is_empty();
    let fix_loop_param_regs = fix.loop_param_regs && !sites.loop_param_regs.is_empty();
    let fix_load_lane_locals = fix.load_lane_locals && !sites.load_lane_locals.is_empty();
    // First pass: counts and types we need.
    let mut type_count = 0u32;
    let mut func_types: Vec<u32> = Vec::new(); // type index per function (imports first)
    let mut global_count = 0u32; // imported + defined
    let mut types: Vec<Vec<wasmparser::ValType>> = Vec::new(); // results per type
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for rec in r {
                    for sub in rec.ok()?.into_types() {
                        type_count += 1;
                        match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => types.push(f.results().to_vec()),
                            _ => types.push(Vec::new()),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    match imp.ok()?.ty {
                        wasmparser::TypeRef::Func(t) => func_types.push(t),
                        wasmparser::TypeRef::Global(_) => global_count += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t.ok()?);
                }
            }
            Payload::GlobalSection(r) => global_count += r.count(),
            _ => {}
        }
    }
    let imported_funcs = func_types.len()
        - Parser::new(0)
            .parse_all(wasm)
            .find_map(|p| match p {
                Ok(Payload::FunctionSection(r)) => Some(r.count() as usize),
                _ => None,
            })
            .unwrap_or(0);
    let scratch_global = global_count;
    // New block types for the wrapped functions: [] -> results, appended to the type section.
    let mut new_types: Vec<Vec<u8>> = Vec::new();
    let mut wrap_type: Vec<(usize, u32)> = Vec::new(); // (code index, block type index)
    if fix_br_tables {
        for &code in &sites.br_table_funcs {
            let ty = *func_types.get(imported_funcs + code)?;
            let results = types.get(ty as usize)?;
            let mut enc = vec![0x60, 0x00];
            leb_u32(&mut enc, results.len() as u32);
            enc.extend(results.iter().map(|t| val_type_byte(*t)));
            wrap_type.push((code, type_count + new_types.len() as u32));
            new_types.push(enc);
        }
    }
    // New block types for the `br_table`s' fresh blocks: values + index -> values, one per
    // distinct list of value types.
    let mut table_types: Vec<(&[wasmparser::ValType], u32)> = Vec::new();
    if fix_shifted_br_tables {
        for site in &sites.shifted_br_tables {
            if table_types.iter().any(|(t, _)| *t == site.types.as_slice()) {
                continue;
            }
            let mut enc = vec![0x60];
            leb_u32(&mut enc, site.types.len() as u32 + 1);
            enc.extend(site.types.iter().map(|t| val_type_byte(*t)));
            enc.push(0x7f);
            leb_u32(&mut enc, site.types.len() as u32);
            enc.extend(site.types.iter().map(|t| val_type_byte(*t)));
            table_types.push((&site.types, type_count + new_types.len() as u32));
            new_types.push(enc);
        }
    }

    let mut out = wasm.get(..8)?.to_vec();
    let mut global_written = false;
    let mut code_index = 0usize;
    let mut code_bodies: Vec<Vec<u8>> = Vec::new();
    let mut code_section_pending = false;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.ok()?;
        match &payload {
            Payload::Version { .. } | Payload::End(_) => continue,
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                let range = range.start as usize..range.end as usize;
                let ops_start = body.get_operators_reader().ok()?.original_position() as usize;
                let mut contents = wasm.get(range.start..ops_start)?.to_vec();
                let wrap = wrap_type.iter().find(|(c, _)| *c == code_index).map(|(_, t)| *t);
                if let Some(t) = wrap {
                    contents.push(0x02);
                    leb_s33(&mut contents, t);
                }
                // Code replacing byte ranges of the body (empty ones: insertions):
                // (start, end, bytes), in order.
                let mut insertions: Vec<(usize, usize, Vec<u8>)> = Vec::new();
                let inside = |s: &&usize| (ops_start..range.end).contains(*s);
                if fix_selects {
                    for &site in sites.selects.iter().filter(inside) {
                        let mut code = vec![0x24]; // global.set
                        leb_u32(&mut code, scratch_global);
                        code.push(0x23); // global.get
                        leb_u32(&mut code, scratch_global);
                        insertions.push((site, site, code));
                    }
                }
                if fix_param_frames {
                    for &site in sites.param_frames.iter().filter(inside) {
                        insertions.push((site, site, vec![0x02, 0x40, 0x0b])); // block end
                    }
                }
                if fix_loop_param_regs {
                    for &site in sites.loop_param_regs.iter().filter(inside) {
                        insertions.push((site, site, vec![0x02, 0x40, 0x0b])); // block end
                    }
                }
                if fix_load_lane_locals {
                    for &site in sites.load_lane_locals.iter().filter(inside) {
                        let mut code = vec![0xfd, 0x0c]; // v128.const 0
                        code.extend([0; 16]);
                        code.extend([0xfd, 0x50]); // v128.or
                        insertions.push((site, site, code));
                    }
                }
                if fix_shifted_br_tables {
                    for site in sites.shifted_br_tables.iter().filter(|s| inside(&&s.start)) {
                        let ty = table_types.iter().find(|(t, _)| *t == site.types.as_slice())?.1;
                        insertions.push((site.start, site.end, br_table_via_blocks(&site.targets, ty)));
                    }
                }
                insertions.sort_by_key(|(start, end, _)| (*start, *end));
                let mut at = ops_start;
                for (start, end, code) in insertions {
                    contents.extend_from_slice(wasm.get(at..start)?);
                    contents.extend_from_slice(&code);
                    at = end;
                }
                contents.extend_from_slice(wasm.get(at..range.end)?);
                if wrap.is_some() {
                    contents.push(0x0b);
                }
                let mut entry = Vec::new();
                leb_u32(&mut entry, contents.len() as u32);
                entry.extend_from_slice(&contents);
                code_bodies.push(entry);
                code_index += 1;
                continue;
            }
            _ => {}
        }
        // A section boundary: flush a finished code section first.
        if code_section_pending {
            let mut contents = Vec::new();
            leb_u32(&mut contents, code_bodies.len() as u32);
            for b in code_bodies.drain(..) {
                contents.extend_from_slice(&b);
            }
            section(&mut out, 10, &contents);
            code_section_pending = false;
        }
        let Some((id, range)) = payload.as_section() else { continue };
        let range = range.start as usize..range.end as usize;
        if fix_selects && !global_written && matches!(id, 7..=12) {
            push_global_section(&mut out, None);
            global_written = true;
        }
        match &payload {
            Payload::TypeSection(r) if !new_types.is_empty() => {
                let mut contents = Vec::new();
                leb_u32(&mut contents, r.count() + new_types.len() as u32);
                let count_len = leb_len(wasm.get(range.clone())?);
                contents.extend_from_slice(wasm.get(range.start + count_len..range.end)?);
                for t in &new_types {
                    contents.extend_from_slice(t);
                }
                section(&mut out, 1, &contents);
            }
            Payload::GlobalSection(r) if fix_selects => {
                let count_len = leb_len(wasm.get(range.clone())?);
                push_global_section(
                    &mut out,
                    Some((r.count(), wasm.get(range.start + count_len..range.end)?)),
                );
                global_written = true;
            }
            Payload::CodeSectionStart { .. } => code_section_pending = true,
            _ => {
                out.push(id);
                leb_u32(&mut out, (range.end - range.start) as u32);
                out.extend_from_slice(wasm.get(range)?);
            }
        }
    }
    if code_section_pending {
        let mut contents = Vec::new();
        leb_u32(&mut contents, code_bodies.len() as u32);
        for b in code_bodies.drain(..) {
            contents.extend_from_slice(&b);
        }
        section(&mut out, 10, &contents);
    }
    if fix_selects && !global_written {
        push_global_section(&mut out, None);
    }
    Some(out)
}

/// Pattern (e)'s replacement of `br_table targets` (the default last), taking values of block
/// type `ty` (values + index -> values): one fresh `block ty` per distinct target, entered right
/// there, so that the index and the values are their parameters and nothing lies between them
/// and the blocks' labels; the `br_table` inside targets these blocks, and the code after each
/// block's `end` branches on to its original target with the values (a `br`, which wasmi
/// translates right). With distinct targets `u_0 … u_{m-1}`, block `j` is `j` deep from the
/// innermost, and after its `end`, `m - 1 - j` fresh blocks remain around the `br`.
fn br_table_via_blocks(targets: &[u32], ty: u32) -> Vec<u8> {
    let mut distinct: Vec<u32> = Vec::new();
    for &t in targets {
        if !distinct.contains(&t) {
            distinct.push(t);
        }
    }
    let m = distinct.len() as u32;
    let mut code = Vec::new();
    for _ in 0..m {
        code.push(0x02); // block
        leb_s33(&mut code, ty);
    }
    code.push(0x0e); // br_table
    leb_u32(&mut code, targets.len() as u32 - 1);
    for t in targets {
        leb_u32(&mut code, distinct.iter().position(|u| u == t).unwrap_or(0) as u32);
    }
    for (j, u) in (0u32..).zip(&distinct) {
        code.push(0x0b); // end
        code.push(0x0c); // br
        leb_u32(&mut code, u + (m - 1 - j));
    }
    code
}

/// Writes a global section: the `existing` entries (count, raw bytes) plus the scratch global
/// `(mut i32) (i32.const 0)` of the neutralised selects.
fn push_global_section(out: &mut Vec<u8>, existing: Option<(u32, &[u8])>) {
    let (count, raw) = existing.unwrap_or((0, &[]));
    let mut contents = Vec::new();
    leb_u32(&mut contents, count + 1);
    contents.extend_from_slice(raw);
    contents.extend_from_slice(&[0x7f, 0x01, 0x41, 0x00, 0x0b]);
    section(out, 6, &contents);
}

/// The length of the LEB128 number at the start of `bytes`.
fn leb_len(bytes: &[u8]) -> usize {
    bytes.iter().position(|b| b & 0x80 == 0).map_or(bytes.len(), |p| p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Fix = Fix {
        selects: true,
        br_tables: true,
        param_frames: true,
        shifted_br_tables: true,
        loop_param_regs: true,
        load_lane_locals: false,
    };

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn finds_select_with_eqz_condition_and_constant_operand() {
        let m = wasm(
            r#"(module (func (param i32) (result i32)
                 (select (i32.const 5) (local.get 0) (i32.eqz (local.get 0)))))"#,
        );
        let sites = analyse(&m).unwrap();
        assert_eq!(sites.selects.len(), 1);
        let fixed = neutralise(&m, &sites, ALL).unwrap();
        wasmparser::Validator::new().validate_all(&fixed).unwrap();
        assert_eq!(analyse(&fixed).unwrap().selects.len(), 0);
    }

    /// Pattern (a): a module whose export `f` (locals: i32 0, funcref null, i32 0, i64 0)
    /// computes `body`; `table.size 0` (1) puts a non-zero value in wasmi's accumulator.
    fn select_module(result: &str, body: &str) -> Vec<u8> {
        wasm(&format!(
            r#"(module (table 1 funcref) (func $zero (result i32) i32.const 0)
                 (func (export "f") (result {result}) (local i32 funcref i32 i64) {body}))"#
        ))
    }

    /// Pattern (a) without constant operands: each shape makes wasmi 2.0.0 differ (the fused
    /// condition is read from the accumulator, which holds the `table.size`, not the compared
    /// value), has one site, and agrees once neutralised.
    #[test]
    fn finds_select_fused_with_a_condition_not_in_the_accumulator() {
        for (result, body) in [
            ("i32", "table.size 0 local.get 0 local.get 2 i32.eqz select"),
            ("i32", "table.size 0 local.get 0 local.get 1 ref.is_null select"),
            ("i32", "table.size 0 local.get 0 local.get 2 i32.const 0 i32.eq select"),
            ("i32", "local.get 0 table.size 0 i32.const 0 local.get 2 i32.ne select"),
            ("i32", "table.size 0 local.get 0 call $zero i32.eqz select"),
            ("i64", "table.size 0 i64.extend_i32_u local.get 3 local.get 2 i32.eqz select"),
        ] {
            let m = select_module(result, body);
            let sites = analyse(&m).unwrap();
            assert_eq!(sites.selects.len(), 1, "{body}");
            assert!(!crate::diff::engines_agree(&m, &m), "wasmi does not differ: {body}");
            let fixed = neutralise(&m, &sites, Fix { selects: true, ..Fix::default() }).unwrap();
            wasmparser::Validator::new().validate_all(&fixed).unwrap();
            assert!(crate::diff::engines_agree(&m, &fixed), "the rewrite does not help: {body}");
        }
    }

    #[test]
    fn ignores_select_with_another_condition() {
        for body in [
            "table.size 0 local.get 0 local.get 2 local.get 0 i32.eq select",
            "table.size 0 local.get 0 local.get 2 i32.const 0 i32.lt_s select",
            "table.size 0 local.get 0 local.get 3 i64.eqz select",
            "table.size 0 local.get 0 local.get 2 i32.eqz local.tee 2 select",
        ] {
            let m = select_module("i32", body);
            assert!(analyse(&m).unwrap().selects.is_empty(), "{body}");
            assert!(crate::diff::engines_agree(&m, &m), "wasmi differs: {body}");
        }
    }

    #[test]
    fn folded_constants_count_as_constants() {
        let m = wasm(
            r#"(module (global (mut i32) (i32.const 0)) (func (param i32) (result i32)
                 (select (local.get 0) (local.get 0)
                         (i32.ne (local.get 0) (i32.trunc_sat_f32_s (f32.const 0.5))))))"#,
        );
        let sites = analyse(&m).unwrap();
        assert_eq!(sites.selects.len(), 1);
        let fixed = neutralise(&m, &sites, Fix { selects: true, ..Fix::default() }).unwrap();
        wasmparser::Validator::new().validate_all(&fixed).unwrap();
    }

    #[test]
    fn finds_multi_value_br_table_to_the_function_label() {
        let m = wasm(
            r#"(module (func (param i32) (result i32 i64)
                 (block (result i32 i64) (br_table 0 1 (i32.const 1) (i64.const 2) (local.get 0)))
                 drop drop
                 (i32.const 3) (i64.const 4)
                 (br_table 0 0 (local.get 0))))"#,
        );
        let sites = analyse(&m).unwrap();
        assert_eq!(sites.br_table_funcs, vec![0]);
        let fixed = neutralise(&m, &sites, ALL).unwrap();
        wasmparser::Validator::new().validate_all(&fixed).unwrap();
        assert!(analyse(&fixed).unwrap().br_table_funcs.is_empty());
    }

    /// The minimal example of (d) in `known-peer-bugs.md`, with `body` as `$f`'s body and
    /// `arg` as its first argument.
    fn param_frame_module(body: &str, arg: i64) -> Vec<u8> {
        wasm(&format!(
            r#"(module (func $f (param i64 i32) (result i64) (local i32 i32) {body})
                 (func (export "f") (result i64) (call $f (i64.const {arg}) (i32.const 1))))"#
        ))
    }

    /// Checks that `m` has one site of (d), that wasmi 2.0.0 differs from epsilon on it, and
    /// that neutralising the site gives a valid module without sites on which they agree.
    fn assert_one_param_frame_excused(m: &[u8]) {
        let text = wasmprinter::print_bytes(m).unwrap();
        let sites = analyse(m).unwrap();
        assert_eq!(sites.param_frames.len(), 1, "{text}");
        assert!(!crate::diff::engines_agree(m, m), "wasmi does not differ: {text}");
        let fixed = neutralise(m, &sites, ALL).unwrap();
        wasmparser::Validator::new().validate_all(&fixed).unwrap();
        assert!(analyse(&fixed).unwrap().param_frames.is_empty(), "{text}");
        assert!(crate::diff::engines_agree(m, &fixed), "the rewrite does not help: {text}");
    }

    #[test]
    fn finds_a_lazy_local_below_block_parameters() {
        for body in [
            // The minimal example: copied by the nested block's entry, bypassed by the br_if.
            "local.get 0 i32.const 5 block (param i32) local.get 1 br_if 0 block end drop end",
            // Copied before a local.set of it; passed through a reinterpret.
            "local.get 0 i32.const 5 block (param i32) local.get 1 br_if 0 drop i64.const 9 local.set 0 end",
            "local.get 0 f64.reinterpret_i64 i32.const 5 block (param i32) local.get 1 br_if 0 block end drop end i64.reinterpret_f64",
            // The other arm of an `if` with parameters, with or without `else`.
            "local.get 0 i32.const 5 local.get 1 i32.eqz if (param i32) drop block end else drop end",
            "local.get 0 i32.const 5 local.get 1 i32.eqz if (param i32) (result i32) block end end drop",
            // A loop iterating after the local changed.
            "local.get 0 i32.const 0 loop (param i32) drop block end i64.const 9 local.set 0 \
             local.get 2 i32.eqz i32.const 1 local.set 2 local.set 3 i32.const 0 local.get 3 br_if 0 drop end",
            // Nested frames with parameters spare it again; the branch goes to the outer one.
            "local.get 0 i32.const 5 block (param i32) i32.const 6 block (param i32) local.get 1 br_if 1 drop end block end drop end",
        ] {
            let m = param_frame_module(body, 7);
            let sites = analyse(&m).unwrap();
            assert_eq!(sites.param_frames.len(), 1, "{body}");
            let fixed = neutralise(&m, &sites, ALL).unwrap();
            wasmparser::Validator::new().validate_all(&fixed).unwrap();
            assert!(analyse(&fixed).unwrap().param_frames.is_empty(), "{body}");
        }
    }

    /// Pattern (d) behind a `local.set $n (local.get $n)` (or the `local.tee`), which wasmi
    /// translates as nothing, not copying the lazy locals of `$n` either: each shape makes wasmi
    /// 2.0.0 differ from epsilon, has one site, and agrees once neutralised. Found by this
    /// fuzzer (`diff`, seed 20261302, iteration 47191).
    #[test]
    fn finds_a_lazy_local_kept_by_a_no_op_local_set() {
        let mut modules = vec![wasm(include_str!("../findings/peer-d-no-op-local-set.wat"))];
        for body in [
            "local.get 0 local.get 0 local.set 0 i32.const 5 block (param i32) local.get 1 br_if 0 block end drop end",
            "local.get 0 local.get 0 local.tee 0 drop i32.const 5 block (param i32) local.get 1 br_if 0 block end drop end",
            // The other arm of an `if` (local 2 is 0), the copy at a `loop`'s entry.
            "local.get 0 local.get 0 local.set 0 i32.const 5 local.get 2 if (param i32) drop loop end else drop end",
            // The finding's shape: the no-op between the parameters, the first one a lazy local.
            "local.get 0 local.get 0 local.get 0 local.set 0 i64.const 5 local.get 2 \
             if (param i64 i64) (result i64) drop drop loop end i64.const 0 else i64.xor end drop",
        ] {
            // wasmi reads a stale slot: a value of its own per module, so that one left there
            // by an earlier module cannot pass for it.
            modules.push(param_frame_module(body, 1000 + modules.len() as i64));
        }
        for m in &modules {
            assert_one_param_frame_excused(m);
        }
        // A real `local.set` of the local before the frame copies the lazy local: no site, and
        // wasmi is right.
        let m = wasm(
            r#"(module (func $f (param i64 i32) (result i64)
                 local.get 0 local.get 0 local.set 0 i64.const 9 local.set 0 i32.const 5
                 block (param i32) local.get 1 br_if 0 block end drop end)
                 (func (export "f") (result i64) (call $f (i64.const 2000) (i32.const 1))))"#,
        );
        assert!(analyse(&m).unwrap().param_frames.is_empty());
        assert!(crate::diff::engines_agree(&m, &m), "wasmi differs");
    }

    /// Pattern (d) where the parameter is a `local.get` that a `local.tee`/`local.set` of its
    /// local copies before the frame: no longer a lazy local, so wasmi skips the lazy local
    /// below instead. Found by this fuzzer (`diff`, seed 20261313, iteration 3715); each shape
    /// makes wasmi 2.0.0 differ from epsilon, has one site, and agrees once neutralised.
    #[test]
    fn finds_a_lazy_local_below_a_parameter_copied_by_a_local_set() {
        let mut modules = vec![wasm(include_str!("../findings/peer-d-parameter-copied-by-local-tee.wat"))];
        for body in [
            // The finding's shape: the condition written to the parameter's local.
            "local.get 0 local.get 1 local.get 1 i32.eqz local.tee 1 if (param i32) block end drop else drop end",
            // A local.set of another value between the parameter and the frame.
            "local.get 0 local.get 1 i32.const 0 local.set 1 local.get 2 if (param i32) block end drop else drop end",
            "local.get 0 local.get 1 i32.const 0 local.set 1 block (param i32) local.get 1 i32.eqz br_if 0 block end drop end",
        ] {
            modules.push(param_frame_module(body, 3000 + modules.len() as i64));
        }
        for m in &modules {
            assert_one_param_frame_excused(m);
        }
    }

    #[test]
    fn lazy_local_below_parameters_needs_a_bypassed_copy() {
        for body in [
            // A block without parameters copies every lazy local at its entry.
            "local.get 0 block local.get 1 br_if 0 block end end",
            // The parameter is itself a lazy local, so wasmi skips the right one.
            "local.get 0 local.get 1 block (param i32) local.get 1 br_if 0 block end drop end",
            // A constant below, not a local.
            "i64.const 7 i32.const 5 block (param i32) local.get 1 br_if 0 block end drop end",
            // No copy inside the frame.
            "local.get 0 i32.const 5 block (param i32) local.get 1 br_if 0 drop end",
            // A copy but no path around it (no branch to the block).
            "local.get 0 i32.const 5 block (param i32) drop block end end",
            // A copy of another local only.
            "local.get 0 i32.const 5 block (param i32) local.get 1 br_if 0 drop i32.const 3 local.set 2 end",
            // Unreachable code.
            "local.get 0 return i32.const 5 block (param i32) local.get 1 br_if 0 block end drop end",
        ] {
            let sites = analyse(&param_frame_module(body, 7)).unwrap();
            assert!(sites.param_frames.is_empty(), "{body}");
        }
    }

    /// A module with `$g (param i32) (result RESULTS) (local v128 i32)` of body `body` and
    /// exports `f0` … `f{calls - 1}` calling it with the index `0` … `calls - 1`.
    fn br_table_module(results: &str, body: &str, calls: u32) -> Vec<u8> {
        let exports: String = (0..calls)
            .map(|i| format!(r#"(func (export "f{i}") (result {results}) (call $g (i32.const {i})))"#))
            .collect();
        wasm(&format!("(module (func $g (param i32) (result {results}) (local v128 i32) {body}) {exports})"))
    }

    /// `block (result RESULTS) BELOW VALUES local.get 0 br_table 0 1 end`: a branch out of the block
    /// or out of the function, over `below`.
    fn one_block(results: &str, below: &str, values: &str) -> String {
        format!("block (result {results}) {below} {values} local.get 0 br_table 0 1 end")
    }

    /// Pattern (e): each shape makes wasmi 2.0.0 differ from epsilon, has one site, and once
    /// the site is rewritten (for wasmi only) the engines agree.
    #[test]
    fn finds_a_br_table_shifting_its_values() {
        let mut shapes: Vec<(&str, String, u32)> = vec![
            // The minimal example in `known-peer-bugs.md`.
            ("v128", one_block("v128", "i32.const 101", "v128.const i64x2 143 144"), 2),
            // Label types with some values in slots, whatever the value below is.
            ("i32 i32", one_block("i32 i32", "i32.const 102", "i32.const 103 i32.const 104"), 2),
            ("f32 f32", one_block("f32 f32", "local.get 0", "f32.const 105 f32.const 106"), 1),
            ("v128 i32", one_block("v128 i32", "f64.const 107", "v128.const i64x2 145 146 i32.const 108"), 1),
            ("i32 v128", one_block("i32 v128", "i32.const 109", "i32.const 110 v128.const i64x2 147 148"), 1),
            (
                "i64 i32 f32 f64",
                one_block(
                    "i64 i32 f32 f64",
                    "i32.const 111",
                    "i64.const 112 i32.const 113 f32.const 114 f64.const 115",
                ),
                1,
            ),
        ];
        for (results, body, calls) in [
            // Nested blocks of the same height, several targets, routed differently.
            (
                "v128",
                "block (result v128) block (result v128) block (result v128) \
                   i32.const 116 v128.const i64x2 149 150 local.get 0 br_table 1 0 2 1 \
                 end v128.const i64x2 151 152 i64x2.add end v128.const i64x2 153 154 i64x2.add end",
                4,
            ),
            // Labels of height 1, two values above.
            (
                "v128 i32",
                "i32.const 117 block (result v128 i32) block (result v128 i32) i32.const 118 i32.const 119 \
                   v128.const i64x2 155 156 i32.const 120 local.get 0 br_table 0 1 end end \
                 local.set 0 local.set 1 drop local.get 1 local.get 0",
                1,
            ),
            // A loop's parameters (the loop and the block around it have the same height).
            (
                "v128 i32",
                "block (result v128 i32) v128.const i64x2 157 158 i32.const 121 \
                   loop (param v128 i32) (result v128 i32) local.set 2 local.set 1 \
                     i32.const 122 local.get 1 local.get 2 local.get 0 \
                     local.get 0 i32.const 123 i32.add local.set 0 br_table 0 1 end end",
                1,
            ),
            // A block with parameters, the value below being one of them; an `if`.
            (
                "v128",
                "v128.const i64x2 159 160 i32.const 124 block (param v128 i32) (result v128) \
                   drop v128.const i64x2 161 162 local.get 0 br_table 0 1 end",
                1,
            ),
            (
                "v128",
                "i32.const 125 if (result v128) i32.const 126 v128.const i64x2 163 164 local.get 0 br_table 0 1 \
                 else v128.const i64x2 165 166 end",
                2,
            ),
        ] {
            shapes.push((results, body.to_string(), calls));
        }
        for (results, body, calls) in &shapes {
            let m = br_table_module(results, body, *calls);
            let sites = analyse(&m).unwrap();
            assert_eq!(sites.shifted_br_tables.len(), 1, "{body}");
            assert!(!crate::diff::engines_agree(&m, &m), "wasmi does not differ: {body}");
            let fixed = neutralise(&m, &sites, Fix { shifted_br_tables: true, ..Fix::default() }).unwrap();
            wasmparser::Validator::new().validate_all(&fixed).unwrap();
            assert!(analyse(&fixed).unwrap().shifted_br_tables.is_empty(), "{body}");
            assert!(crate::diff::engines_agree(&m, &fixed), "the rewrite does not help: {body}");
        }
    }

    /// Pattern (e)'s negative shapes: no site, and wasmi 2.0.0 agrees with epsilon.
    #[test]
    fn br_table_shifting_needs_slot_values_equal_heights_and_a_value_below() {
        let v = "v128.const i64x2 167 168";
        for (results, body) in [
            // Values all in accumulator registers (distinct kinds of the last three).
            ("i64", one_block("i64", "i32.const 127", "i64.const 128")),
            ("i32 f64", one_block("i32 f64", "i32.const 129", "i32.const 130 f64.const 131")),
            (
                "i64 f32 f64",
                one_block("i64 f32 f64", "i32.const 132", "i64.const 133 f32.const 134 f64.const 135"),
            ),
            // Nothing between the labels' height and the values.
            ("v128", one_block("v128", "", v)),
            (
                "v128 i32",
                "i32.const 136 block (result v128 i32) block (result v128 i32) v128.const i64x2 169 170 \
                   i32.const 137 local.get 0 br_table 0 1 end end \
                 local.set 0 local.set 1 drop local.get 1 local.get 0"
                    .into(),
            ),
            // Labels of different heights (wasmi copies per target).
            (
                "v128",
                format!(
                    "block (result v128) i32.const 138 {} br 1 end",
                    one_block("v128", "i32.const 139", v)
                ),
            ),
            // A constant index, and a single target: wasmi makes them a `br`.
            ("v128", format!("block (result v128) i32.const 140 {v} i32.const 0 br_table 0 1 end")),
            ("v128", format!("block (result v128) i32.const 141 {v} local.get 0 br_table 0 0 end")),
            // Unreachable code.
            ("v128", one_block("v128", "unreachable i32.const 142", v)),
        ] {
            let m = br_table_module(results, &body, 2);
            assert!(analyse(&m).unwrap().shifted_br_tables.is_empty(), "{body}");
            assert!(crate::diff::engines_agree(&m, &m), "wasmi differs: {body}");
        }
    }

    #[test]
    fn wasmi_slot_values_follow_its_accumulators() {
        use wasmparser::ValType::{F32, F64, I32, I64, V128};
        for (tys, n) in [
            (&[][..], 0),
            (&[I32][..], 0),
            (&[V128][..], 1),
            (&[I32, I64][..], 1),
            (&[F32, I32][..], 0),
            (&[I32, V128][..], 2),
            (&[V128, I32][..], 1),
            (&[I32, F32, F64][..], 0),
            (&[F32, I32, F32][..], 1),
            (&[F64, F32, F32][..], 2),
            (&[I64, I32, F32, F64][..], 1),
        ] {
            assert_eq!(wasmi_slot_values(tys), n, "{tys:?}");
        }
    }

    /// Pattern (f): a module whose export `f` calls `$f (param i32 f32 v128) (result RESULT)
    /// (local i64 f64 i32 f64)` with 5, 2 and `i64x2 3 4`, `$f` computing `body` (a `loop`
    /// taking some of the parameters, with local 3 or 4 below them); `$g` is 7, `$h` 7.5.
    fn loop_module(result: &str, body: &str) -> Vec<u8> {
        wasm(&format!(
            r#"(module (global $g (mut i64) (i64.const 7)) (global $h (mut f64) (f64.const 7.5))
                 (func $f (param i32 f32 v128) (result {result}) (local i64 f64 i32 f64) {body})
                 (func (export "f") (result {result})
                   (call $f (i32.const 5) (f32.const 2) (v128.const i64x2 3 4))))"#
        ))
    }

    /// Pattern (f): each shape makes wasmi 2.0.0 differ from epsilon (it reads the value below
    /// the loop's parameters from the register the parameter was copied into), has one site,
    /// and agrees once neutralised.
    #[test]
    fn finds_a_loop_parameter_clobbering_a_register_local() {
        let mut modules =
            vec![wasm(include_str!("../findings/peer-f-loop-param-clobbers-register-local.wat"))];
        for (result, body) in [
            // The finding's shape, and with `local.set` + `local.get`.
            ("i64", "global.get $g local.tee 3 local.get 0 loop (param i32) drop end"),
            (
                "i64",
                "global.get $g local.set 3 local.get 3 local.get 0 loop (param i32) (result i32) end drop",
            ),
            // The f64 register.
            ("f64", "global.get $h local.tee 4 local.get 6 loop (param f64) drop end"),
            // Two parameters in two registers; the parameter read from a local set to a constant.
            ("i64", "global.get $g local.tee 3 local.get 0 local.get 1 loop (param i32 f32) drop drop end"),
            (
                "i64",
                "global.get $g local.tee 3 i32.const 9 local.set 5 local.get 5 loop (param i32) drop end",
            ),
            // A sum computed into the register and stored by the fused `local.tee`.
            (
                "i64",
                "local.get 0 i64.extend_i32_u i64.const 2 i64.add local.tee 3 local.get 0 loop (param i32) drop end",
            ),
        ] {
            modules.push(loop_module(result, body));
        }
        for m in &modules {
            let text = wasmprinter::print_bytes(m).unwrap();
            let sites = analyse(m).unwrap();
            assert_eq!(sites.loop_param_regs.len(), 1, "{text}");
            assert!(!crate::diff::engines_agree(m, m), "wasmi does not differ: {text}");
            let fixed = neutralise(m, &sites, Fix { loop_param_regs: true, ..Fix::default() }).unwrap();
            wasmparser::Validator::new().validate_all(&fixed).unwrap();
            assert!(analyse(&fixed).unwrap().loop_param_regs.is_empty(), "{text}");
            assert!(crate::diff::engines_agree(m, &fixed), "the rewrite does not help: {text}");
        }
    }

    /// Pattern (f)'s negative shapes: no site, and wasmi 2.0.0 agrees with epsilon.
    #[test]
    fn loop_parameter_clobbering_needs_a_written_local_of_a_parameter_register() {
        for (result, body) in [
            // The local below is never set (wasmi links a register to a local only at a set).
            ("i64", "local.get 3 local.get 0 loop (param i32) drop end"),
            // Another register than the parameter's.
            ("f64", "global.get $h local.tee 4 local.get 0 loop (param i32) drop end"),
            ("i64", "global.get $g local.tee 3 local.get 1 loop (param f32) drop end"),
            // Copied by a block's entry before the loop.
            ("i64", "global.get $g local.tee 3 block end local.get 0 loop (param i32) drop end"),
            // The last parameter is a v128: none in registers.
            ("i64", "global.get $g local.tee 3 local.get 0 local.get 2 loop (param i32 v128) drop drop end"),
            // No parameters; unreachable code.
            ("i64", "global.get $g local.tee 3 loop end"),
            ("i64", "global.get $g local.tee 3 return local.get 0 loop (param i32) drop end"),
        ] {
            let m = loop_module(result, body);
            assert!(analyse(&m).unwrap().loop_param_regs.is_empty(), "{body}");
            assert!(crate::diff::engines_agree(&m, &m), "wasmi differs: {body}");
        }
    }

    /// The open epsilon fault `LOAD_LANE_OPEN`: `fuzz/findings/diff-v128-load-lane-into-local.wat`
    /// differs, has one site, and agrees once epsilon gets the rewrite.
    #[test]
    fn finds_a_load_lane_stored_into_a_local() {
        let m = wasm(include_str!("../findings/diff-v128-load-lane-into-local.wat"));
        let sites = analyse(&m).unwrap();
        assert_eq!(sites.load_lane_locals.len(), 1);
        assert!(!sites.any());
        let fixed = neutralise(&m, &sites, Fix { load_lane_locals: true, ..Fix::default() }).unwrap();
        wasmparser::Validator::new().validate_all(&fixed).unwrap();
        assert!(analyse(&fixed).unwrap().load_lane_locals.is_empty());
        if crate::diff::LOAD_LANE_OPEN {
            assert!(!crate::diff::engines_agree(&m, &m));
        }
        assert!(crate::diff::engines_agree(&fixed, &m));
    }

    #[test]
    fn single_result_br_table_is_not_a_site() {
        let m = wasm(r#"(module (func (param i32) (result i32) (i32.const 1) (br_table 0 (local.get 0))))"#);
        assert!(analyse(&m).unwrap().br_table_funcs.is_empty());
    }
}
