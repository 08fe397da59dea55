//! The per-operator part of the translator. Numeric, SIMD, load and store operators come from
//! the generated tables of [`lower`] (one row each in the op table); the rest (control,
//! locals, globals, calls, tables, bulk operations, SIMD lanes) are translated here.

use super::lower::{self, Address, Arg, Binary, ImmKind};
use super::{Entry, FuncTranslator, Src};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{Op, Slot};
use crate::types::ValType;
use wasmparser::{MemArg, Operator};

/// Whether `op` is a comparison that can be fused into a conditional branch.
pub(super) fn is_fusable_compare(op: &Op) -> bool {
    lower::fuse_branch(op, true).is_some()
}

/// The compare-and-branch op equivalent to "compare, then branch if the result is `when`".
/// The offset is left at 0.
pub(super) fn fuse_compare(op: Op, when: bool) -> Op {
    lower::fuse_branch(&op, when).unwrap_or(Op::Unreachable {})
}

fn memarg_offset(memarg: &MemArg) -> Result<u32> {
    u32::try_from(memarg.offset)
        .map_err(|_| Error::new(ErrorKind::Unsupported, "memory offsets above 4 GiB (memory64)"))
}

/// The memory a memarg addresses (2.0 has no other targets).
fn memarg_memory(memarg: &MemArg) -> Result<u32> {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => Ok(m),
        wasmparser::MemArgTarget::Array(_) => Err(Error::new(ErrorKind::Unsupported, "GC array accesses")),
    }
}

fn mem_u8(mem: u32) -> Result<u8> {
    u8::try_from(mem).map_err(|_| Error::new(ErrorKind::Unsupported, "memory index above 255"))
}

fn mem_u16(mem: u32) -> Result<u16> {
    u16::try_from(mem).map_err(|_| Error::new(ErrorKind::Unsupported, "memory index above 65535"))
}

impl FuncTranslator<'_> {
    /// Whether memory `mem` of the module is a 64-bit one (memory64).
    fn memory64(&self, mem: u32) -> bool {
        self.module.memories.get(mem as usize).is_some_and(|ty| ty.memory64)
    }

    /// The offset of an access to memory `mem` whose address is the stack entry `depth` from
    /// the top, for the access's 32-bit forms. For a 64-bit memory, first emits an `Addr64`
    /// that narrows the i64 address (plus the offset's high half) to an i32 in the entry's
    /// canonical slot, trapping when it is 2^32 or more (see `exec::memory::addr64`).
    fn narrow_address(&mut self, mem: u32, memarg: &MemArg, depth: usize) -> Result<u32> {
        if !self.memory64(mem) {
            return memarg_offset(memarg);
        }
        let i = self.stack.len() - depth;
        let e = self.stack[i];
        let src = self.operand(e);
        let dst = e.slot as Slot;
        self.emit(Op::Addr64 { dst, src, hi: (memarg.offset >> 32) as u32 });
        self.stack[i] = Entry { ty: ValType::I32, slot: e.slot, src: Src::Temp };
        Ok(memarg.offset as u32)
    }

    /// A unary operator: its operand from the accumulator when the op just emitted computed it.
    fn unary(&mut self, ty: ValType, make: lower::MakeUnary) {
        let e = self.stack[self.stack.len() - 1];
        let src = if self.accumulator_candidate(&e) && make(0, Arg::Acc).is_some() {
            self.take_accumulator(&e);
            Arg::Acc
        } else {
            Arg::Slot(self.operand(e))
        };
        self.pop();
        self.emit_result(ty, |dst| make(dst, src).unwrap_or(Op::Unreachable {}));
        self.debug_check_accumulator(src == Arg::Acc, e.ty);
    }

    /// Checks that the op just emitted reads the accumulator its operand of type `ty` is in
    /// (if it reads one at all): f64 values are in the float one.
    fn debug_check_accumulator(&self, reads_acc: bool, ty: ValType) {
        if let Some(op) = self.ops.last() {
            debug_assert_eq!(
                super::reads_float_accumulator(op),
                reads_acc && ty == ValType::F64,
                "{op:?} reads the wrong accumulator"
            );
        }
    }

    /// The bits of the constant `depth` entries below the top, if it is one.
    fn const_bits(&self, depth: usize) -> Option<u64> {
        match self.stack[self.stack.len() - 1 - depth].src {
            Src::Const(bits) => Some(bits as u64),
            _ => None,
        }
    }

    /// Whether a constant of these bits has an immediate form of this kind.
    fn fits_immediate(bits: u64, kind: ImmKind) -> bool {
        match kind {
            ImmKind::None => false,
            ImmKind::I32 | ImmKind::F32 | ImmKind::F64 => true,
            ImmKind::I64 => i32::try_from(bits as i64).is_ok(),
        }
    }

    /// The immediate of a constant (for f64, its index in the function's constants).
    fn immediate_of(&mut self, bits: u64, kind: ImmKind) -> u32 {
        match kind {
            ImmKind::F64 => self.intern_const(bits),
            _ => bits as u32,
        }
    }

    /// A binary operator, with each operand taken from where it is cheapest to read: the
    /// accumulator (if the op just emitted computed it), an immediate (if it is a constant
    /// with an immediate form), or a register.
    fn binary(&mut self, forms: Binary) {
        let len = self.stack.len();
        let (ea, eb) = (self.stack[len - 2], self.stack[len - 1]);
        // The forms worth trying for each operand, best first: accumulator, immediate, register.
        let usable = |this: &Self, kind: Arg, e: &Entry, depth: usize| match kind {
            Arg::Acc => this.accumulator_candidate(e),
            Arg::Imm(_) => this.const_bits(depth).is_some_and(|bits| Self::fits_immediate(bits, forms.imm)),
            Arg::Slot(_) => true,
        };
        const KINDS: [Arg; 3] = [Arg::Acc, Arg::Imm(0), Arg::Slot(0)];
        let mut choice = (Arg::Slot(0), Arg::Slot(0));
        'search: for ka in KINDS {
            if !usable(self, ka, &ea, 1) {
                continue;
            }
            for kb in KINDS {
                if usable(self, kb, &eb, 0) && (forms.make)(0, ka, kb).is_some() {
                    choice = (ka, kb);
                    break 'search;
                }
            }
        }
        let (ka, kb) = choice;
        // Realise the chosen forms: the accumulator first, while its producer is the last op.
        if ka == Arg::Acc {
            self.take_accumulator(&ea);
        } else if kb == Arg::Acc {
            self.take_accumulator(&eb);
        }
        let b = self.pop();
        let a = self.pop();
        let realise = |this: &mut Self, kind: Arg, e: Entry| match kind {
            Arg::Acc => Arg::Acc,
            Arg::Imm(_) => {
                let bits = match e.src {
                    Src::Const(bits) => bits as u64,
                    _ => 0,
                };
                Arg::Imm(this.immediate_of(bits, forms.imm))
            }
            Arg::Slot(_) => Arg::Slot(this.operand(e)),
        };
        let b = realise(self, kb, b);
        let a = realise(self, ka, a);
        if let Some(Op::F64Add_rk { k, .. }) = (forms.make)(0, a, b)
            && let Some(&Op::F64Mul_Rrs { b: factor }) = self.ops.last()
        {
            // `acc * factor + k` (a step of Horner's rule): one op for the two.
            self.take_last_op();
            self.emit_result(ValType::F64, |dst| Op::F64MulAddK_rs { dst, b: factor, k });
            self.debug_check_accumulator(true, ValType::F64);
            return;
        }
        // The result lands at the left operand's position whatever operands were kept.
        self.emit_result(forms.result, |dst| (forms.make)(dst, a, b).unwrap_or(Op::Unreachable {}));
        self.debug_check_accumulator(ka == Arg::Acc || kb == Arg::Acc, ea.ty);
    }

    /// The index of `bits` in the function's constants (added if new).
    fn intern_const(&mut self, bits: u64) -> u32 {
        let next = self.consts.len() as u32;
        let k = *self.const_index.entry(bits).or_insert(next);
        if k == next {
            self.consts.push(bits);
        }
        k
    }

    /// The address sum of a memory-0 access at entry `e`, if `e` is the result of an `i32.add`
    /// just emitted and `has_form` accepts the sum: the add is then removed (the access
    /// computes the sum, wrapping like the add). Its operands were read where the access now
    /// is, with nothing emitted or bound in between.
    ///
    /// If the add adds to the accumulator the result of an `i32.shl` by a constant emitted just
    /// before it (`a[i]`: `(i << 2) + a`), and `has_form` accepts the scaled address, the shift
    /// is removed too (the shift count modulo 32, as `i32.shl` takes it). The shift read its
    /// operand (a register or the accumulator) where the access now does: only the add ran in
    /// between, and it wrote nothing but its own result, which the access computes instead.
    fn take_address_sum(&mut self, e: &Entry, has_form: impl Fn(Address) -> bool) -> Option<Address> {
        let index = self.producer_of(e)?;
        let (a, b) = lower::split_add(&self.ops[index])?;
        // The add's accumulator operand is the result of the op just before it.
        let scaled = match (a, index.checked_sub(1).map(|before| self.ops[before])) {
            (Arg::Acc, Some(Op::I32Shl_Rsi { a: slot, imm })) => {
                Some(Address::Scaled(Arg::Slot(slot), imm & 31, b))
            }
            (Arg::Acc, Some(Op::I32Shl_Rri { imm })) => Some(Address::Scaled(Arg::Acc, imm & 31, b)),
            _ => None,
        };
        if let Some(scaled) = scaled.filter(|&addr| has_form(addr)) {
            self.take_last_op();
            self.take_last_op();
            return Some(scaled);
        }
        let sum = Address::Sum(a, b);
        if !has_form(sum) {
            return None;
        }
        self.take_last_op();
        Some(sum)
    }

    /// The address of a memory-0 access at entry `e` (not yet popped): a fused add, the
    /// accumulator or a register.
    fn address(&mut self, e: &Entry, has_form: impl Fn(Address) -> bool) -> Address {
        if let Some(sum) = self.take_address_sum(e, has_form) {
            sum
        } else if self.take_accumulator(e) {
            Address::One(Arg::Acc)
        } else {
            Address::One(Arg::Slot(self.operand(*e)))
        }
    }

    fn load(&mut self, ty: ValType, memarg: &MemArg, forms: lower::LoadForms) -> Result<()> {
        // Every access can trap: its ops get the instruction's offset (see `sites`).
        self.at_stops = true;
        let memory = memarg_memory(memarg)?;
        let offset = self.narrow_address(memory, memarg, 1)?;
        let e = self.stack[self.stack.len() - 1];
        if memory == 0 {
            let addr = self.address(&e, |addr| (forms.m0)(0, addr, offset).is_some());
            self.pop();
            self.emit_result(ty, |dst| (forms.m0)(dst, addr, offset).unwrap_or(Op::Unreachable {}));
        } else {
            let mem = mem_u16(memory)?;
            let addr = self.operand(e);
            self.pop();
            self.emit_result(ty, |dst| (forms.m)(dst, addr, mem, offset));
        }
        Ok(())
    }

    fn store(&mut self, memarg: &MemArg, forms: lower::StoreForms) -> Result<()> {
        self.at_stops = true;
        let memory = memarg_memory(memarg)?;
        let offset = self.narrow_address(memory, memarg, 2)?;
        let len = self.stack.len();
        let (ea, ev) = (self.stack[len - 2], self.stack[len - 1]);
        let (op, value_in_acc) = if memory == 0 {
            let one_slot = Address::One(Arg::Slot(0));
            let has_form = |addr, value| (forms.m0)(addr, value, offset).is_some();
            // A constant value as an immediate (sign-extended to 64 bits at run time).
            let immediate =
                self.const_bits(0).filter(|&bits| forms.width < 8 || i32::try_from(bits as i64).is_ok());
            let value = match immediate {
                Some(bits) if has_form(one_slot, Arg::Imm(0)) => Some(Arg::Imm(bits as u32)),
                _ if self.accumulator_candidate(&ev)
                    && has_form(one_slot, Arg::Acc)
                    && self.take_accumulator(&ev) =>
                {
                    Some(Arg::Acc)
                }
                _ => None,
            };
            // An address sum only with a value that needs no op: one materialised now could
            // overwrite a temp the sum reads (the add's operands were freed when it ran).
            let probe = value.unwrap_or(Arg::Slot(0));
            let value_needs_no_op = matches!(value, Some(Arg::Imm(_))) || matches!(ev.src, Src::Local(_));
            let addr = if value == Some(Arg::Acc) {
                Address::One(Arg::Slot(self.operand(ea)))
            } else {
                self.address(&ea, |addr| value_needs_no_op && has_form(addr, probe))
            };
            self.stack.truncate(len - 2);
            let value = value.unwrap_or_else(|| Arg::Slot(self.operand(ev)));
            ((forms.m0)(addr, value, offset).unwrap_or(Op::Unreachable {}), value == Arg::Acc)
        } else {
            self.stack.truncate(len - 2);
            let value = self.operand(ev);
            let addr = self.operand(ea);
            ((forms.m)(addr, value, mem_u16(memory)?, offset), false)
        };
        if value_in_acc && self.add_to_memory(op) {
            return Ok(());
        }
        self.emit(op);
        self.debug_check_accumulator(value_in_acc, ev.ty);
        Ok(())
    }

    /// An add to memory in place (`x[i] += v`): if `store`, a store of the accumulator to
    /// memory 0, follows an add to the accumulator of a value loaded just before from the same
    /// address and of the same width, replaces the three by one op that does them and returns
    /// true. That op takes the load's entry in the offset table: it traps where the load would.
    /// The accumulator guarantees that nothing ran or was bound between the three.
    fn add_to_memory(&mut self, store: Op) -> bool {
        use Op as O;
        let [.., load, add] = self.ops[..] else {
            return false;
        };
        let fused = match (load, add, store) {
            (O::Load32UM0_Rs { addr: from, offset: at }, add, O::Store32M0_sr { addr, offset })
                if (from, at) == (addr, offset) =>
            {
                match add {
                    O::I32Add_Rrs { b } => O::I32AddM0_ss { addr, value: b, offset },
                    O::I32Add_Rri { imm } => O::I32AddM0_si { addr, imm, offset },
                    O::F32Add_Rrs { b } => O::F32AddM0_ss { addr, value: b, offset },
                    _ => return false,
                }
            }
            (O::Load64M0_Rs { addr: from, offset: at }, add, O::Store64M0_sr { addr, offset })
                if (from, at) == (addr, offset) =>
            {
                match add {
                    O::I64Add_Rrs { b } => O::I64AddM0_ss { addr, value: b, offset },
                    O::I64Add_Rri { imm } => O::I64AddM0_si { addr, imm, offset },
                    _ => return false,
                }
            }
            (
                O::LoadF64M0_Rs { addr: from, offset: at },
                O::F64Add_Rrs { b },
                O::StoreF64M0_sr { addr, offset },
            ) if (from, at) == (addr, offset) => O::F64AddM0_ss { addr, value: b, offset },
            _ => return false,
        };
        let load_at = self.site_of(self.ops.len() - 2);
        self.take_last_op();
        self.take_last_op();
        let pos = self.emit(fused);
        self.set_site(pos, load_at);
        true
    }

    /// `select` of one-cell values whose condition needs no register of its own: an
    /// `i32.eqz` or `i64.eqz` just emitted (removed: the select tests its operand, with `a`
    /// and `b` swapped), or a value in the accumulator. Only when `a` and `b` need no op, so
    /// that nothing runs between the condition's producer and the select. Returns false (and
    /// changes nothing) otherwise.
    fn fused_select(&mut self) -> bool {
        let len = self.stack.len();
        let (a, b, cond) = (self.stack[len - 3], self.stack[len - 2], self.stack[len - 1]);
        if a.ty == ValType::V128 {
            return false;
        }
        if self.select_with_constant(a, b, cond) {
            return true;
        }
        // (condition register or `None` for the accumulator, 64-bit test, a and b swapped)
        let (test, wide, swap) = match self.producer_of_top().map(|index| self.ops[index]) {
            Some(Op::I32Eqz_s { src, .. }) => (Some(src), false, true),
            Some(Op::I32Eqz_r { .. }) => (None, false, true),
            Some(Op::I64Eqz_s { src, .. }) => (Some(src), true, true),
            Some(Op::I64Eqz_r { .. }) => (None, true, true),
            _ if self.take_accumulator(&cond) => (None, false, false),
            _ => return false,
        };
        if swap {
            self.take_last_op();
        }
        self.stack.truncate(len - 3);
        let (a_slot, b_slot) = (self.operand(a), self.operand(b));
        let (a_slot, b_slot) = if swap { (b_slot, a_slot) } else { (a_slot, b_slot) };
        self.emit_result(a.ty, |dst| match (test, wide) {
            (Some(cond), false) => Op::Select { dst, cond, a: a_slot, b: b_slot },
            (None, false) => Op::Select_r { dst, a: a_slot, b: b_slot },
            (Some(cond), true) => Op::Select64 { dst, cond, a: a_slot, b: b_slot },
            (None, true) => Op::Select64_r { dst, a: a_slot, b: b_slot },
        });
        true
    }

    /// `select` of one-cell operands `a` and `b`, one or both constants: the constant (`b` if
    /// both are) becomes the `k` operand of a `SelectK`, which saves the op that would put it
    /// in a register. A condition just computed by `i32.eqz` is tested directly instead.
    /// Returns false (and emits nothing) if neither operand is a constant.
    fn select_with_constant(&mut self, a: Entry, b: Entry, cond: Entry) -> bool {
        let (reg, bits, k_first) = match (b.src, a.src) {
            (Src::Const(bits), _) => (a, bits, false),
            (_, Src::Const(bits)) => (b, bits, true),
            _ => return false,
        };
        // `SelectK` takes `reg` when the condition is true, `SelectKNot` when it is false.
        let (test, negate) = match self.producer_of_top().map(|index| self.ops[index]) {
            Some(Op::I32Eqz_s { src, .. }) => {
                self.take_last_op();
                (Some(src), !k_first)
            }
            _ => (None, k_first),
        };
        self.stack.truncate(self.stack.len() - 3);
        let cond = match test {
            Some(src) => src,
            None => self.operand(cond),
        };
        let reg = self.operand(reg);
        // The cell the constant would be in (`emit_const`).
        let cell = match a.ty {
            ValType::I64 | ValType::F64 => bits as u64,
            _ => u64::from(bits as u32),
        };
        let k = self.intern_const(cell);
        self.emit_result(a.ty, |dst| {
            if negate {
                Op::SelectKNot { dst, cond, a: reg, k }
            } else {
                Op::SelectK { dst, cond, a: reg, k }
            }
        });
        true
    }

    /// Pops three operands into consecutive slots for a bulk op; returns the first slot.
    fn bulk_args(&mut self) -> Slot {
        let args = self.materialize_top(3);
        self.stack.truncate(self.stack.len() - 3);
        args
    }

    /// `v128.loadN_lane`: the vector operand is materialised in its canonical slot, which is
    /// `dst + 1` because the address below it takes one cell; `dst` stays the address's
    /// canonical slot (no result fusion).
    fn v128_load_lane(
        &mut self,
        memarg: &MemArg,
        lane: u8,
        make: fn(Slot, Slot, u32, u8, u8) -> Op,
    ) -> Result<()> {
        let memory = memarg_memory(memarg)?;
        let offset = self.narrow_address(memory, memarg, 2)?;
        let mem = mem_u8(memory)?;
        self.materialize_top(1);
        self.pop();
        let a = self.pop();
        let addr = self.operand(a);
        // Not `emit_result`: a following `local.set` must not retarget `dst`, since the op
        // finds its vector operand relative to it.
        let dst = self.push_temp(ValType::V128);
        self.emit(make(dst, addr, offset, lane, mem));
        Ok(())
    }

    fn v128_store_lane(
        &mut self,
        memarg: &MemArg,
        lane: u8,
        make: fn(Slot, Slot, u32, u8, u8) -> Op,
    ) -> Result<()> {
        let memory = memarg_memory(memarg)?;
        let offset = self.narrow_address(memory, memarg, 2)?;
        let mem = mem_u8(memory)?;
        let v = self.pop();
        let a = self.pop();
        let value = self.operand(v);
        let addr = self.operand(a);
        self.emit(make(addr, value, offset, lane, mem));
        Ok(())
    }

    fn extract_lane(&mut self, ty: ValType, lane: u8, make: fn(Slot, Slot, u8) -> Op) {
        let v = self.pop();
        let src = self.operand(v);
        self.emit_result(ty, |dst| make(dst, src, lane));
    }

    fn replace_lane(&mut self, lane: u8, make: fn(Slot, Slot, Slot, u8) -> Op) {
        let b = self.pop();
        let a = self.pop();
        let b = self.operand(b);
        let a = self.operand(a);
        self.emit_result(ValType::V128, |dst| make(dst, a, b, lane));
    }

    fn shuffle(&mut self, lanes: [u8; 16]) {
        let index = self.shuffles.len() as u32;
        self.shuffles.push(lanes);
        let b = self.pop();
        let a = self.pop();
        let b = self.operand(b);
        let a = self.operand(a);
        self.emit_result(ValType::V128, |dst| Op::I8x16Shuffle { dst, a, b, lanes: index });
    }

    fn ternary(&mut self, ty: ValType, make: fn(Slot, Slot, Slot, Slot) -> Op) {
        let c = self.pop();
        let b = self.pop();
        let a = self.pop();
        let c = self.operand(c);
        let b = self.operand(b);
        let a = self.operand(a);
        self.emit_result(ty, |dst| make(dst, a, b, c));
    }

    /// Translates one operator. Validation has already accepted it.
    ///
    /// Inlined into each visitor method (`visit.rs`), where `op` is a constant: there the
    /// lookups in the generated tables fold away, and an operator of the tables costs one call
    /// of its family's translation, with no `Operator` built and no `match` on it at run time.
    /// Every other operator goes on to [`Self::translate_other`].
    #[inline(always)]
    pub(super) fn translate_op(&mut self, op: &Operator<'_>) -> Result<()> {
        // `i64.extend_i32_u` is in the unary table but needs no code (see `translate_other`).
        if self.reachable && !matches!(op, Operator::I64ExtendI32U) {
            if let Some((ty, make)) = lower::unary(op) {
                self.unary(ty, make);
                return Ok(());
            }
            if let Some(forms) = lower::binary(op) {
                self.binary(forms);
                return Ok(());
            }
            if let Some((memarg, ty, forms)) = lower::load(op) {
                return self.load(ty, &memarg, forms);
            }
            if let Some((memarg, forms)) = lower::store(op) {
                return self.store(&memarg, forms);
            }
        }
        self.translate_other(op)
    }

    /// Translates one operator that [`Self::translate_op`] did not: any operator in unreachable
    /// code, a relaxed SIMD operator run as a 2.0 one, and the operators outside the generated
    /// tables.
    #[inline(never)]
    fn translate_other(&mut self, op: &Operator<'_>) -> Result<()> {
        use ValType::{F32, F64, I32, I64, V128};
        if !self.reachable {
            return self.translate_unreachable_op(op);
        }
        // A relaxed SIMD operator that behaves as a 2.0 operator is translated as that one.
        if let Some(op) = super::relaxed::as_deterministic(op) {
            return self.translate_op(&op);
        }
        if let Operator::I64ExtendI32U = op {
            // Registers, the accumulator and constants keep every i32 zero-extended (`exec::vm`),
            // so the value already is its i64 extension: the entry only changes type.
            if let Some(e) = self.stack.last_mut() {
                e.ty = I64;
            }
            return Ok(());
        }
        match *op {
            Operator::Unreachable => {
                self.emit(Op::Unreachable {});
                self.reachable = false;
            }
            Operator::Nop => {}
            Operator::Block { blockty } => self.translate_block(blockty)?,
            Operator::Loop { blockty } => self.translate_loop(blockty)?,
            Operator::If { blockty } => self.translate_if(blockty)?,
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::TryTable { ref try_table } => self.translate_try_table(try_table)?,
            Operator::Throw { tag_index } => self.translate_throw(tag_index),
            Operator::ThrowRef => {
                let e = self.pop();
                let src = self.operand(e);
                self.emit(Op::ThrowRef { src });
                self.reachable = false;
            }
            Operator::Br { relative_depth } => {
                self.emit_br(relative_depth as usize);
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => self.translate_br_if(relative_depth as usize),
            Operator::BrTable { ref targets } => self.translate_br_table(targets)?,
            Operator::Return => {
                self.emit_return();
                self.reachable = false;
            }
            Operator::Call { function_index } => self.translate_call(function_index),
            Operator::CallIndirect { type_index, table_index } => {
                self.translate_call_indirect(type_index, table_index)?
            }
            Operator::ReturnCall { function_index } => self.translate_return_call(function_index),
            Operator::ReturnCallIndirect { type_index, table_index } => {
                self.translate_return_call_indirect(type_index, table_index)?
            }
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                if self.fused_select() {
                    return Ok(());
                }
                let cond = self.pop();
                let b = self.pop();
                let a = self.pop();
                let cond = self.operand(cond);
                let bs = self.operand(b);
                let as_ = self.operand(a);
                if a.ty == ValType::V128 {
                    self.emit_result(a.ty, |dst| Op::Select2 { dst, cond, a: as_, b: bs });
                } else {
                    self.emit_result(a.ty, |dst| Op::Select { dst, cond, a: as_, b: bs });
                }
            }
            Operator::LocalGet { local_index } => self.translate_local_get(local_index),
            Operator::LocalSet { local_index } => self.translate_local_set(local_index),
            Operator::LocalTee { local_index } => self.translate_local_tee(local_index),
            Operator::GlobalGet { global_index } => {
                let ty = self.module.globals[global_index as usize].content;
                if ty == ValType::V128 {
                    self.emit_result(ty, |dst| Op::GlobalGet2 { dst, global: global_index });
                } else {
                    self.emit_result(ty, |dst| Op::GlobalGet { dst, global: global_index });
                }
            }
            Operator::GlobalSet { global_index } => {
                let v = self.pop();
                let src = self.operand(v);
                if v.ty == ValType::V128 {
                    self.emit(Op::GlobalSet2 { src, global: global_index });
                } else {
                    self.emit(Op::GlobalSet { src, global: global_index });
                }
            }

            // ---- memory
            Operator::MemorySize { mem } if self.memory64(mem) => {
                self.emit_result(I64, |dst| Op::MemorySize64 { dst, mem });
            }
            Operator::MemorySize { mem } => self.emit_result(I32, |dst| Op::MemorySize { dst, mem }),
            Operator::MemoryGrow { mem } => {
                let d = self.pop();
                let delta = self.operand(d);
                if self.memory64(mem) {
                    self.emit_result(I64, |dst| Op::MemoryGrow64 { dst, delta, mem });
                } else {
                    self.emit_result(I32, |dst| Op::MemoryGrow { dst, delta, mem });
                }
            }
            Operator::MemoryFill { mem } => {
                let args = self.bulk_args();
                if self.memory64(mem) {
                    self.emit(Op::MemoryFill64 { args, mem });
                } else {
                    self.emit(Op::MemoryFill { args, mem });
                }
            }
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let args = self.bulk_args();
                // dst and src have their memory's index type, len the smaller of the two.
                let (d64, s64) = (self.memory64(dst_mem), self.memory64(src_mem));
                let wide = u8::from(d64) | u8::from(s64) << 1 | u8::from(d64 && s64) << 2;
                let (dst_mem, src_mem) = (mem_u16(dst_mem)?, mem_u16(src_mem)?);
                if wide == 0 {
                    self.emit(Op::MemoryCopy { args, dst_mem, src_mem });
                } else {
                    self.emit(Op::MemoryCopy64 { args, dst_mem, src_mem, wide });
                }
            }
            Operator::MemoryInit { data_index, mem } => {
                let args = self.bulk_args();
                let wide = self.memory64(mem);
                let (mem, data) = (mem_u16(mem)?, data_index);
                if wide {
                    self.emit(Op::MemoryInit64 { args, mem, data });
                } else {
                    self.emit(Op::MemoryInit { args, mem, data });
                }
            }
            Operator::DataDrop { data_index } => {
                self.emit(Op::DataDrop { data: data_index });
            }

            // ---- constants
            Operator::I32Const { value } => self.push_const(I32, u128::from(value as u32)),
            Operator::I64Const { value } => self.push_const(I64, u128::from(value as u64)),
            Operator::F32Const { value } => self.push_const(F32, u128::from(value.bits())),
            Operator::F64Const { value } => self.push_const(F64, u128::from(value.bits())),
            Operator::V128Const { value } => {
                self.push_const(ValType::V128, u128::from_le_bytes(*value.bytes()))
            }

            // ---- reinterpretations: no code, only a new type
            Operator::I32ReinterpretF32 => self.reinterpret(I32),
            Operator::I64ReinterpretF64 => self.reinterpret(I64),
            Operator::F32ReinterpretI32 => self.reinterpret(F32),
            Operator::F64ReinterpretI64 => self.reinterpret(F64),

            // ---- references and tables
            Operator::RefNull { hty } => {
                let heap =
                    crate::types::HeapType::from_wasmparser(hty).ok_or_else(
                        || match wasmparser::RefType::new(true, hty) {
                            Some(r) => crate::module::unsupported_ref_type(r),
                            None => Error::new(ErrorKind::Unsupported, format!("heap type {hty:?}")),
                        },
                    )?;
                self.push_const(ValType::Ref(crate::types::RefType::new(true, heap)), 0);
            }
            // ---- typed function references
            Operator::CallRef { type_index } => self.translate_call_ref(type_index),
            Operator::ReturnCallRef { type_index } => self.translate_return_call_ref(type_index),
            Operator::RefAsNonNull => {
                // A null constant always traps; anything else is tested where it is.
                if let Some(&e) = self.top() {
                    let src = self.operand(e);
                    self.emit(Op::RefAsNonNull { src });
                }
            }
            Operator::BrOnNull { relative_depth } => self.translate_br_on_null(relative_depth as usize, true),
            Operator::BrOnNonNull { relative_depth } => {
                self.translate_br_on_null(relative_depth as usize, false)
            }
            Operator::RefIsNull => self.unary(I32, |dst, src| match src {
                Arg::Slot(src) => Some(Op::I32Eqz_s { dst, src }),
                _ => None,
            }),
            Operator::RefFunc { function_index } => {
                self.emit_result(ValType::FuncRef, |dst| Op::RefFunc { dst, func: function_index })
            }
            Operator::TableGet { table } => {
                let ty = self.module.tables[table as usize].element.into();
                let i = self.pop();
                let index = self.operand(i);
                self.emit_result(ty, |dst| Op::TableGet { dst, index, table });
            }
            Operator::TableSet { table } => {
                let v = self.pop();
                let i = self.pop();
                let value = self.operand(v);
                let index = self.operand(i);
                self.emit(Op::TableSet { index, value, table });
            }
            Operator::TableSize { table } => self.emit_result(I32, |dst| Op::TableSize { dst, table }),
            Operator::TableGrow { table } => {
                let args = self.materialize_top(2);
                self.stack.truncate(self.stack.len() - 2);
                self.emit_result(I32, |dst| Op::TableGrow { dst, args, table });
            }
            Operator::TableFill { table } => {
                let args = self.bulk_args();
                self.emit(Op::TableFill { args, table });
            }
            Operator::TableCopy { dst_table, src_table } => {
                let args = self.bulk_args();
                self.emit(Op::TableCopy { args, dst_table, src_table });
            }
            Operator::TableInit { elem_index, table } => {
                let args = self.bulk_args();
                self.emit(Op::TableInit { args, table, elem: elem_index });
            }
            Operator::ElemDrop { elem_index } => {
                self.emit(Op::ElemDrop { elem: elem_index });
            }

            // ---- SIMD lanes, shuffles, bitselect (the rest comes from the tables)
            Operator::V128Load8Lane { ref memarg, lane } => {
                self.v128_load_lane(memarg, lane, |dst, addr, offset, lane, mem| Op::V128Load8Lane {
                    dst,
                    addr,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Load16Lane { ref memarg, lane } => {
                self.v128_load_lane(memarg, lane, |dst, addr, offset, lane, mem| Op::V128Load16Lane {
                    dst,
                    addr,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Load32Lane { ref memarg, lane } => {
                self.v128_load_lane(memarg, lane, |dst, addr, offset, lane, mem| Op::V128Load32Lane {
                    dst,
                    addr,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Load64Lane { ref memarg, lane } => {
                self.v128_load_lane(memarg, lane, |dst, addr, offset, lane, mem| Op::V128Load64Lane {
                    dst,
                    addr,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store8Lane { ref memarg, lane } => {
                self.v128_store_lane(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store8Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store16Lane { ref memarg, lane } => {
                self.v128_store_lane(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store16Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store32Lane { ref memarg, lane } => {
                self.v128_store_lane(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store32Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store64Lane { ref memarg, lane } => {
                self.v128_store_lane(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store64Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::I8x16ExtractLaneS { lane } => {
                self.extract_lane(I32, lane, |dst, src, lane| Op::I8x16ExtractLaneS { dst, src, lane })
            }
            Operator::I8x16ExtractLaneU { lane } => {
                self.extract_lane(I32, lane, |dst, src, lane| Op::I8x16ExtractLaneU { dst, src, lane })
            }
            Operator::I16x8ExtractLaneS { lane } => {
                self.extract_lane(I32, lane, |dst, src, lane| Op::I16x8ExtractLaneS { dst, src, lane })
            }
            Operator::I16x8ExtractLaneU { lane } => {
                self.extract_lane(I32, lane, |dst, src, lane| Op::I16x8ExtractLaneU { dst, src, lane })
            }
            Operator::I32x4ExtractLane { lane } => {
                self.extract_lane(I32, lane, |dst, src, lane| Op::I32x4ExtractLane { dst, src, lane })
            }
            Operator::I64x2ExtractLane { lane } => {
                self.extract_lane(I64, lane, |dst, src, lane| Op::I64x2ExtractLane { dst, src, lane })
            }
            Operator::F32x4ExtractLane { lane } => {
                self.extract_lane(F32, lane, |dst, src, lane| Op::F32x4ExtractLane { dst, src, lane })
            }
            Operator::F64x2ExtractLane { lane } => {
                self.extract_lane(F64, lane, |dst, src, lane| Op::F64x2ExtractLane { dst, src, lane })
            }
            Operator::I8x16ReplaceLane { lane } => {
                self.replace_lane(lane, |dst, a, b, lane| Op::I8x16ReplaceLane { dst, a, b, lane })
            }
            Operator::I16x8ReplaceLane { lane } => {
                self.replace_lane(lane, |dst, a, b, lane| Op::I16x8ReplaceLane { dst, a, b, lane })
            }
            Operator::I32x4ReplaceLane { lane } => {
                self.replace_lane(lane, |dst, a, b, lane| Op::I32x4ReplaceLane { dst, a, b, lane })
            }
            Operator::I64x2ReplaceLane { lane } => {
                self.replace_lane(lane, |dst, a, b, lane| Op::I64x2ReplaceLane { dst, a, b, lane })
            }
            Operator::F32x4ReplaceLane { lane } => {
                self.replace_lane(lane, |dst, a, b, lane| Op::F32x4ReplaceLane { dst, a, b, lane })
            }
            Operator::F64x2ReplaceLane { lane } => {
                self.replace_lane(lane, |dst, a, b, lane| Op::F64x2ReplaceLane { dst, a, b, lane })
            }
            Operator::I8x16Shuffle { lanes } => self.shuffle(lanes),
            Operator::V128Bitselect => self.ternary(V128, |dst, a, b, c| Op::V128Bitselect { dst, a, b, c }),
            Operator::F32x4RelaxedMadd => {
                self.ternary(V128, |dst, a, b, c| Op::F32x4RelaxedMadd { dst, a, b, c })
            }
            Operator::F32x4RelaxedNmadd => {
                self.ternary(V128, |dst, a, b, c| Op::F32x4RelaxedNmadd { dst, a, b, c })
            }
            Operator::F64x2RelaxedMadd => {
                self.ternary(V128, |dst, a, b, c| Op::F64x2RelaxedMadd { dst, a, b, c })
            }
            Operator::F64x2RelaxedNmadd => {
                self.ternary(V128, |dst, a, b, c| Op::F64x2RelaxedNmadd { dst, a, b, c })
            }
            Operator::I32x4RelaxedDotI8x16I7x16AddS => {
                self.ternary(V128, |dst, a, b, c| Op::I32x4RelaxedDotI8x16I7x16AddS { dst, a, b, c })
            }

            ref other => {
                if let Some(error) = gc_instruction(other) {
                    return Err(error);
                }
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("operator {other:?} is not supported yet"),
                ));
            }
        }
        Ok(())
    }

    /// In unreachable code only the structure matters: track nesting, emit nothing.
    fn translate_unreachable_op(&mut self, op: &Operator<'_>) -> Result<()> {
        match *op {
            Operator::Block { blockty } => self.translate_block(blockty)?,
            Operator::Loop { blockty } => self.translate_loop(blockty)?,
            Operator::If { blockty } => self.translate_if(blockty)?,
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::TryTable { ref try_table } => self.translate_try_table(try_table)?,
            // Rejected even where it cannot run, so a module using them does not compile.
            ref other => {
                if let Some(error) = unsupported_operator(other) {
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// Reinterprets the top value's bits as another type: no code, only a new type.
    fn reinterpret(&mut self, ty: ValType) {
        if let Some(top) = self.stack.last_mut() {
            top.ty = ty;
        }
        // A reinterpretation keeps the value where it is, so a following `local.set` may still
        // retarget its producer.
    }
}

/// The error for an instruction epsilon does not implement although validation accepts it:
/// one of the GC proposal (see [`gc_instruction`]), or one that names a reference type of it
/// (`ref.null any`, a block or `select` typed `eqref`, ...). `None` for any other instruction.
pub(crate) fn unsupported_operator(op: &Operator<'_>) -> Option<Error> {
    let check = |ty: wasmparser::ValType| crate::module::val_type(ty).err();
    let check_block = |bt: &wasmparser::BlockType| match bt {
        wasmparser::BlockType::Type(ty) => check(*ty),
        _ => None,
    };
    match op {
        Operator::RefNull { hty } => wasmparser::RefType::new(true, *hty).and_then(|r| check(r.into())),
        Operator::TypedSelect { ty } => check(*ty),
        Operator::TypedSelectMulti { tys } => tys.iter().find_map(|ty| check(*ty)),
        Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
            check_block(blockty)
        }
        Operator::TryTable { try_table } => check_block(&try_table.ty),
        other => gc_instruction(other),
    }
}

/// Whether [`unsupported_operator`] can return an error for the operator `op` (the name of its
/// `Operator` variant) of the proposal `proposal` (wasmparser's name for it): every operator of
/// the GC proposal, and those that carry a type. A visitor that only validates skips building
/// the operator for the others. It must cover every case of `unsupported_operator`.
pub(crate) const fn may_be_unsupported(proposal: &str, op: &str) -> bool {
    matches!(proposal.as_bytes(), b"gc")
        || matches!(
            op.as_bytes(),
            b"RefNull" | b"TypedSelect" | b"TypedSelectMulti" | b"Block" | b"Loop" | b"If" | b"TryTable"
        )
}

/// The error for an instruction of the GC proposal (validation accepts them when the
/// function-references feature is on, which switches on wasmparser's `gc` feature for the GC
/// type system epsilon implements), or `None` for any other instruction.
pub(crate) fn gc_instruction(op: &Operator<'_>) -> Option<Error> {
    use Operator::*;
    let gc = matches!(
        op,
        RefEq
            | StructNew { .. }
            | StructNewDefault { .. }
            | StructGet { .. }
            | StructGetS { .. }
            | StructGetU { .. }
            | StructSet { .. }
            | ArrayNew { .. }
            | ArrayNewDefault { .. }
            | ArrayNewFixed { .. }
            | ArrayNewData { .. }
            | ArrayNewElem { .. }
            | ArrayGet { .. }
            | ArrayGetS { .. }
            | ArrayGetU { .. }
            | ArraySet { .. }
            | ArrayLen
            | ArrayFill { .. }
            | ArrayCopy { .. }
            | ArrayInitData { .. }
            | ArrayInitElem { .. }
            | RefTestNonNull { .. }
            | RefTestNullable { .. }
            | RefCastNonNull { .. }
            | RefCastNullable { .. }
            | BrOnCast { .. }
            | BrOnCastFail { .. }
            | AnyConvertExtern
            | ExternConvertAny
            | RefI31
            | I31GetS
            | I31GetU
    );
    gc.then(|| {
        Error::new(ErrorKind::Unsupported, format!("the GC proposal's instruction {op:?} is not implemented"))
    })
}
