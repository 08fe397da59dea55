//! The per-operator part of the translator: one match arm per WebAssembly operator.

use super::{FuncTranslator, Src};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{LoadKind, Op, Slot, StoreKind};
use crate::types::ValType;
use wasmparser::{MemArg, Operator};

type Make2 = fn(Slot, Slot, Slot) -> Op;
type MakeImm = fn(Slot, Slot, i32) -> Op;
type Make1 = fn(Slot, Slot) -> Op;

/// How an integer binary op may take a constant operand.
#[derive(Clone, Copy)]
enum Imm {
    /// `a op imm`; the op is commutative, so a constant left operand is swapped over.
    Commutative(MakeImm),
    /// `a op imm` only (shifts, rotates).
    Right(MakeImm),
    /// A comparison: a constant left operand uses the mirrored comparison.
    Compare(MakeImm, MakeImm),
    /// Subtraction: `a - imm` is emitted as `a + (-imm)` with this add-immediate.
    Sub(MakeImm),
}

macro_rules! mk2 {
    ($name:ident) => {
        (|dst, a, b| Op::$name { dst, a, b }) as Make2
    };
}
type MakeK = fn(Slot, Slot, u32) -> Op;
macro_rules! mkk {
    ($name:ident) => {
        (|dst, a, k| Op::$name { dst, a, k }) as MakeK
    };
}
macro_rules! mki {
    ($name:ident) => {
        (|dst, a, imm| Op::$name { dst, a, imm }) as MakeImm
    };
}
macro_rules! mk1 {
    ($name:ident) => {
        (|dst, src| Op::$name { dst, src }) as Make1
    };
}

/// Whether `op` is an integer comparison that can be fused into a conditional branch.
pub(super) fn is_fusable_compare(op: &Op) -> bool {
    fuse(*op, false).is_some()
}

/// The compare-and-branch op equivalent to "compare, then branch if the result is
/// non-zero" (or "is zero" when `negate`). The offset is left at 0.
pub(super) fn fuse_compare(op: Op, negate: bool) -> Op {
    fuse(op, negate).unwrap_or(Op::Unreachable {})
}

fn fuse(op: Op, negate: bool) -> Option<Op> {
    macro_rules! pair {
        ($a:ident, $b:ident, $pos:ident, $neg:ident) => {
            Some(if negate {
                Op::$neg { a: $a, b: $b, offset: 0 }
            } else {
                Op::$pos { a: $a, b: $b, offset: 0 }
            })
        };
    }
    macro_rules! pair_imm {
        ($a:ident, $imm:ident, $pos:ident, $neg:ident) => {
            Some(if negate {
                Op::$neg { a: $a, imm: $imm, offset: 0 }
            } else {
                Op::$pos { a: $a, imm: $imm, offset: 0 }
            })
        };
    }
    match op {
        Op::I32Eqz { src, .. } => Some(if negate {
            Op::BrIfNez { cond: src, offset: 0 }
        } else {
            Op::BrIfEqz { cond: src, offset: 0 }
        }),
        Op::I64Eqz { src, .. } => {
            Some(if negate { Op::BrI64Nez { a: src, offset: 0 } } else { Op::BrI64Eqz { a: src, offset: 0 } })
        }
        Op::I32Eq { a, b, .. } => pair!(a, b, BrI32Eq, BrI32Ne),
        Op::I32Ne { a, b, .. } => pair!(a, b, BrI32Ne, BrI32Eq),
        Op::I32LtS { a, b, .. } => pair!(a, b, BrI32LtS, BrI32GeS),
        Op::I32LtU { a, b, .. } => pair!(a, b, BrI32LtU, BrI32GeU),
        Op::I32GtS { a, b, .. } => pair!(a, b, BrI32GtS, BrI32LeS),
        Op::I32GtU { a, b, .. } => pair!(a, b, BrI32GtU, BrI32LeU),
        Op::I32LeS { a, b, .. } => pair!(a, b, BrI32LeS, BrI32GtS),
        Op::I32LeU { a, b, .. } => pair!(a, b, BrI32LeU, BrI32GtU),
        Op::I32GeS { a, b, .. } => pair!(a, b, BrI32GeS, BrI32LtS),
        Op::I32GeU { a, b, .. } => pair!(a, b, BrI32GeU, BrI32LtU),
        Op::I32EqImm { a, imm, .. } => pair_imm!(a, imm, BrI32EqImm, BrI32NeImm),
        Op::I32NeImm { a, imm, .. } => pair_imm!(a, imm, BrI32NeImm, BrI32EqImm),
        Op::I32LtSImm { a, imm, .. } => pair_imm!(a, imm, BrI32LtSImm, BrI32GeSImm),
        Op::I32LtUImm { a, imm, .. } => pair_imm!(a, imm, BrI32LtUImm, BrI32GeUImm),
        Op::I32GtSImm { a, imm, .. } => pair_imm!(a, imm, BrI32GtSImm, BrI32LeSImm),
        Op::I32GtUImm { a, imm, .. } => pair_imm!(a, imm, BrI32GtUImm, BrI32LeUImm),
        Op::I32LeSImm { a, imm, .. } => pair_imm!(a, imm, BrI32LeSImm, BrI32GtSImm),
        Op::I32LeUImm { a, imm, .. } => pair_imm!(a, imm, BrI32LeUImm, BrI32GtUImm),
        Op::I32GeSImm { a, imm, .. } => pair_imm!(a, imm, BrI32GeSImm, BrI32LtSImm),
        Op::I32GeUImm { a, imm, .. } => pair_imm!(a, imm, BrI32GeUImm, BrI32LtUImm),
        Op::I64Eq { a, b, .. } => pair!(a, b, BrI64Eq, BrI64Ne),
        Op::I64Ne { a, b, .. } => pair!(a, b, BrI64Ne, BrI64Eq),
        Op::I64LtS { a, b, .. } => pair!(a, b, BrI64LtS, BrI64GeS),
        Op::I64LtU { a, b, .. } => pair!(a, b, BrI64LtU, BrI64GeU),
        Op::I64GtS { a, b, .. } => pair!(a, b, BrI64GtS, BrI64LeS),
        Op::I64GtU { a, b, .. } => pair!(a, b, BrI64GtU, BrI64LeU),
        Op::I64LeS { a, b, .. } => pair!(a, b, BrI64LeS, BrI64GtS),
        Op::I64LeU { a, b, .. } => pair!(a, b, BrI64LeU, BrI64GtU),
        Op::I64GeS { a, b, .. } => pair!(a, b, BrI64GeS, BrI64LtS),
        Op::I64GeU { a, b, .. } => pair!(a, b, BrI64GeU, BrI64LtU),
        Op::I64EqImm { a, imm, .. } => pair_imm!(a, imm, BrI64EqImm, BrI64NeImm),
        Op::I64NeImm { a, imm, .. } => pair_imm!(a, imm, BrI64NeImm, BrI64EqImm),
        Op::I64LtSImm { a, imm, .. } => pair_imm!(a, imm, BrI64LtSImm, BrI64GeSImm),
        Op::I64LtUImm { a, imm, .. } => pair_imm!(a, imm, BrI64LtUImm, BrI64GeUImm),
        Op::I64GtSImm { a, imm, .. } => pair_imm!(a, imm, BrI64GtSImm, BrI64LeSImm),
        Op::I64GtUImm { a, imm, .. } => pair_imm!(a, imm, BrI64GtUImm, BrI64LeUImm),
        Op::I64LeSImm { a, imm, .. } => pair_imm!(a, imm, BrI64LeSImm, BrI64GtSImm),
        Op::I64LeUImm { a, imm, .. } => pair_imm!(a, imm, BrI64LeUImm, BrI64GtUImm),
        Op::I64GeSImm { a, imm, .. } => pair_imm!(a, imm, BrI64GeSImm, BrI64LtSImm),
        Op::I64GeUImm { a, imm, .. } => pair_imm!(a, imm, BrI64GeUImm, BrI64LtUImm),
        _ => None,
    }
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
    fn unary(&mut self, ty: ValType, make: Make1) {
        let a = self.pop();
        let src = self.operand(a);
        self.emit_result(ty, |dst| make(dst, src));
    }

    fn binary(&mut self, ty: ValType, make: Make2) {
        let b = self.pop();
        let a = self.pop();
        let b = self.operand(b);
        let a = self.operand(a);
        self.emit_result(ty, |dst| make(dst, a, b));
    }

    /// An `f64` binary op, with the constant-operand form `right(dst, a, k)` for `a op k` and
    /// `left(dst, b, k)` for `k op b` when an operand is a constant (saves the op that would
    /// materialise it: polynomial code is full of them).
    fn f64_binary(&mut self, make: Make2, right: MakeK, left: MakeK) {
        let constant = |this: &Self, depth: usize| match this.stack[this.stack.len() - 1 - depth].src {
            Src::Const(bits) => Some(bits as u64),
            _ => None,
        };
        let (make_k, bits, keep_lhs) = match (constant(self, 0), constant(self, 1)) {
            (Some(bits), _) => (right, bits, true),
            (None, Some(bits)) => (left, bits, false),
            (None, None) => return self.binary(ValType::F64, make),
        };
        let k = self.intern_const(bits);
        let b = self.pop();
        let a = self.pop();
        let src = self.operand(if keep_lhs { a } else { b });
        self.emit_result(ValType::F64, |dst| make_k(dst, src, k));
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

    /// The value of a constant entry as an i32 immediate, if it has one that fits.
    fn const_imm(&self, depth: usize, ty: ValType) -> Option<i32> {
        let e = self.stack[self.stack.len() - 1 - depth];
        let Src::Const(bits) = e.src else { return None };
        match ty {
            ValType::I32 => Some(bits as u32 as i32),
            _ => i32::try_from(bits as u64 as i64).ok(),
        }
    }

    /// An integer binary op, using an immediate form when an operand is a constant.
    fn int_binary(&mut self, ty: ValType, make: Make2, imm: Imm) {
        let rhs = self.const_imm(0, ty);
        let lhs = self.const_imm(1, ty);
        let with_imm = |this: &mut Self, make_imm: MakeImm, imm: i32, keep_lhs: bool| {
            let b = this.pop();
            let a = this.pop();
            let src = this.operand(if keep_lhs { a } else { b });
            // The result lands at `a`'s position whatever operand was kept.
            this.emit_result(ty, |dst| make_imm(dst, src, imm));
        };
        match (imm, rhs, lhs) {
            (Imm::Commutative(m) | Imm::Right(m) | Imm::Compare(m, _), Some(c), _) => {
                with_imm(self, m, c, true)
            }
            (Imm::Commutative(m), None, Some(c)) => with_imm(self, m, c, false),
            (Imm::Compare(_, mirrored), None, Some(c)) => with_imm(self, mirrored, c, false),
            (Imm::Sub(add), Some(c), _) if ty == ValType::I32 => with_imm(self, add, c.wrapping_neg(), true),
            (Imm::Sub(add), Some(c), _) if c != i32::MIN => with_imm(self, add, -c, true),
            _ => self.binary(ty, make),
        }
    }

    fn load(&mut self, ty: ValType, memarg: &MemArg, kind: LoadKind) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let memory = memarg_memory(memarg)?;
        let a = self.pop();
        let addr = self.operand(a);
        if memory == 0 {
            let make: fn(Slot, Slot, u32) -> Op = match kind {
                LoadKind::Load32 => |dst, addr, offset| Op::Load32 { dst, addr, offset },
                LoadKind::Load64 => |dst, addr, offset| Op::Load64 { dst, addr, offset },
                LoadKind::Load8U => |dst, addr, offset| Op::Load8U { dst, addr, offset },
                LoadKind::Load16U => |dst, addr, offset| Op::Load16U { dst, addr, offset },
                LoadKind::I32Load8S => |dst, addr, offset| Op::I32Load8S { dst, addr, offset },
                LoadKind::I32Load16S => |dst, addr, offset| Op::I32Load16S { dst, addr, offset },
                LoadKind::I64Load8S => |dst, addr, offset| Op::I64Load8S { dst, addr, offset },
                LoadKind::I64Load16S => |dst, addr, offset| Op::I64Load16S { dst, addr, offset },
                LoadKind::I64Load32S => |dst, addr, offset| Op::I64Load32S { dst, addr, offset },
            };
            self.emit_result(ty, |dst| make(dst, addr, offset));
        } else {
            let mem = mem_u8(memory)?;
            self.emit_result(ty, |dst| Op::LoadMem { dst, addr, offset, mem, kind });
        }
        Ok(())
    }

    fn store(&mut self, memarg: &MemArg, kind: StoreKind) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let memory = memarg_memory(memarg)?;
        let v = self.pop();
        let a = self.pop();
        let value = self.operand(v);
        let addr = self.operand(a);
        let op = if memory == 0 {
            match kind {
                StoreKind::Store8 => Op::Store8 { addr, value, offset },
                StoreKind::Store16 => Op::Store16 { addr, value, offset },
                StoreKind::Store32 => Op::Store32 { addr, value, offset },
                StoreKind::Store64 => Op::Store64 { addr, value, offset },
            }
        } else {
            Op::StoreMem { addr, value, offset, mem: mem_u8(memory)?, kind }
        };
        self.emit(op);
        Ok(())
    }

    /// Pops three operands into consecutive slots for a bulk op; returns the first slot.
    fn bulk_args(&mut self) -> Slot {
        let args = self.materialize_top(3);
        self.stack.truncate(self.stack.len() - 3);
        args
    }

    fn v128_load(&mut self, memarg: &MemArg, make: fn(Slot, Slot, u32, u8) -> Op) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let mem = mem_u8(memarg_memory(memarg)?)?;
        let a = self.pop();
        let addr = self.operand(a);
        self.emit_result(ValType::V128, |dst| make(dst, addr, offset, mem));
        Ok(())
    }

    /// `v128.loadN_lane`: the vector operand is materialised in its canonical slot, which is
    /// `dst + 1` because the address below it takes one cell.
    fn v128_load_lane(
        &mut self,
        memarg: &MemArg,
        lane: u8,
        make: fn(Slot, Slot, u32, u8, u8) -> Op,
    ) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let mem = mem_u8(memarg_memory(memarg)?)?;
        self.materialize_top(1);
        self.pop();
        let a = self.pop();
        let addr = self.operand(a);
        self.emit_result(ValType::V128, |dst| make(dst, addr, offset, lane, mem));
        Ok(())
    }

    fn v128_store(
        &mut self,
        memarg: &MemArg,
        lane: u8,
        make: fn(Slot, Slot, u32, u8, u8) -> Op,
    ) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let mem = mem_u8(memarg_memory(memarg)?)?;
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
        self.binary(ValType::V128, |dst, a, b| Op::I8x16Shuffle { dst, a, b, lanes: 0 });
        if let Some(Op::I8x16Shuffle { lanes, .. }) = self.ops.last_mut() {
            *lanes = index;
        }
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
    pub(super) fn translate_op(&mut self, op: &Operator<'_>) -> Result<()> {
        use ValType::{F32, F64, I32, I64, V128};
        if !self.reachable {
            return self.translate_unreachable_op(op);
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
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
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
            Operator::I32Load { ref memarg } => self.load(I32, memarg, LoadKind::Load32)?,
            Operator::I64Load { ref memarg } => self.load(I64, memarg, LoadKind::Load64)?,
            Operator::F32Load { ref memarg } => self.load(F32, memarg, LoadKind::Load32)?,
            Operator::F64Load { ref memarg } => self.load(F64, memarg, LoadKind::Load64)?,
            Operator::I32Load8S { ref memarg } => self.load(I32, memarg, LoadKind::I32Load8S)?,
            Operator::I32Load8U { ref memarg } => self.load(I32, memarg, LoadKind::Load8U)?,
            Operator::I32Load16S { ref memarg } => self.load(I32, memarg, LoadKind::I32Load16S)?,
            Operator::I32Load16U { ref memarg } => self.load(I32, memarg, LoadKind::Load16U)?,
            Operator::I64Load8S { ref memarg } => self.load(I64, memarg, LoadKind::I64Load8S)?,
            Operator::I64Load8U { ref memarg } => self.load(I64, memarg, LoadKind::Load8U)?,
            Operator::I64Load16S { ref memarg } => self.load(I64, memarg, LoadKind::I64Load16S)?,
            Operator::I64Load16U { ref memarg } => self.load(I64, memarg, LoadKind::Load16U)?,
            Operator::I64Load32S { ref memarg } => self.load(I64, memarg, LoadKind::I64Load32S)?,
            Operator::I64Load32U { ref memarg } => self.load(I64, memarg, LoadKind::Load32)?,
            Operator::I32Store { ref memarg } | Operator::F32Store { ref memarg } => {
                self.store(memarg, StoreKind::Store32)?
            }
            Operator::I64Store { ref memarg } | Operator::F64Store { ref memarg } => {
                self.store(memarg, StoreKind::Store64)?
            }
            Operator::I32Store8 { ref memarg } | Operator::I64Store8 { ref memarg } => {
                self.store(memarg, StoreKind::Store8)?
            }
            Operator::I32Store16 { ref memarg } | Operator::I64Store16 { ref memarg } => {
                self.store(memarg, StoreKind::Store16)?
            }
            Operator::I64Store32 { ref memarg } => self.store(memarg, StoreKind::Store32)?,
            Operator::MemorySize { mem } => self.emit_result(I32, |dst| Op::MemorySize { dst, mem }),
            Operator::MemoryGrow { mem } => {
                let d = self.pop();
                let delta = self.operand(d);
                self.emit_result(I32, |dst| Op::MemoryGrow { dst, delta, mem });
            }
            Operator::MemoryFill { mem } => {
                let args = self.bulk_args();
                self.emit(Op::MemoryFill { args, mem });
            }
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let args = self.bulk_args();
                let (dst_mem, src_mem) = (mem_u16(dst_mem)?, mem_u16(src_mem)?);
                self.emit(Op::MemoryCopy { args, dst_mem, src_mem });
            }
            Operator::MemoryInit { data_index, mem } => {
                let args = self.bulk_args();
                self.emit(Op::MemoryInit { args, mem: mem_u16(mem)?, data: data_index });
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

            // ---- i32
            Operator::I32Eqz => self.unary(I32, mk1!(I32Eqz)),
            Operator::I32Eq => {
                self.int_binary(I32, mk2!(I32Eq), Imm::Compare(mki!(I32EqImm), mki!(I32EqImm)))
            }
            Operator::I32Ne => {
                self.int_binary(I32, mk2!(I32Ne), Imm::Compare(mki!(I32NeImm), mki!(I32NeImm)))
            }
            Operator::I32LtS => {
                self.int_binary(I32, mk2!(I32LtS), Imm::Compare(mki!(I32LtSImm), mki!(I32GtSImm)))
            }
            Operator::I32LtU => {
                self.int_binary(I32, mk2!(I32LtU), Imm::Compare(mki!(I32LtUImm), mki!(I32GtUImm)))
            }
            Operator::I32GtS => {
                self.int_binary(I32, mk2!(I32GtS), Imm::Compare(mki!(I32GtSImm), mki!(I32LtSImm)))
            }
            Operator::I32GtU => {
                self.int_binary(I32, mk2!(I32GtU), Imm::Compare(mki!(I32GtUImm), mki!(I32LtUImm)))
            }
            Operator::I32LeS => {
                self.int_binary(I32, mk2!(I32LeS), Imm::Compare(mki!(I32LeSImm), mki!(I32GeSImm)))
            }
            Operator::I32LeU => {
                self.int_binary(I32, mk2!(I32LeU), Imm::Compare(mki!(I32LeUImm), mki!(I32GeUImm)))
            }
            Operator::I32GeS => {
                self.int_binary(I32, mk2!(I32GeS), Imm::Compare(mki!(I32GeSImm), mki!(I32LeSImm)))
            }
            Operator::I32GeU => {
                self.int_binary(I32, mk2!(I32GeU), Imm::Compare(mki!(I32GeUImm), mki!(I32LeUImm)))
            }
            Operator::I32Clz => self.unary(I32, mk1!(I32Clz)),
            Operator::I32Ctz => self.unary(I32, mk1!(I32Ctz)),
            Operator::I32Popcnt => self.unary(I32, mk1!(I32Popcnt)),
            Operator::I32Add => self.int_binary(I32, mk2!(I32Add), Imm::Commutative(mki!(I32AddImm))),
            Operator::I32Sub => self.int_binary(I32, mk2!(I32Sub), Imm::Sub(mki!(I32AddImm))),
            Operator::I32Mul => self.int_binary(I32, mk2!(I32Mul), Imm::Commutative(mki!(I32MulImm))),
            Operator::I32DivS => self.binary(I32, mk2!(I32DivS)),
            Operator::I32DivU => self.binary(I32, mk2!(I32DivU)),
            Operator::I32RemS => self.binary(I32, mk2!(I32RemS)),
            Operator::I32RemU => self.binary(I32, mk2!(I32RemU)),
            Operator::I32And => self.int_binary(I32, mk2!(I32And), Imm::Commutative(mki!(I32AndImm))),
            Operator::I32Or => self.int_binary(I32, mk2!(I32Or), Imm::Commutative(mki!(I32OrImm))),
            Operator::I32Xor => self.int_binary(I32, mk2!(I32Xor), Imm::Commutative(mki!(I32XorImm))),
            Operator::I32Shl => self.int_binary(I32, mk2!(I32Shl), Imm::Right(mki!(I32ShlImm))),
            Operator::I32ShrS => self.int_binary(I32, mk2!(I32ShrS), Imm::Right(mki!(I32ShrSImm))),
            Operator::I32ShrU => self.int_binary(I32, mk2!(I32ShrU), Imm::Right(mki!(I32ShrUImm))),
            Operator::I32Rotl => self.int_binary(I32, mk2!(I32Rotl), Imm::Right(mki!(I32RotlImm))),
            Operator::I32Rotr => self.int_binary(I32, mk2!(I32Rotr), Imm::Right(mki!(I32RotrImm))),

            // ---- i64
            Operator::I64Eqz => self.unary(I32, mk1!(I64Eqz)),
            Operator::I64Eq => {
                self.int_binary(I64, mk2!(I64Eq), Imm::Compare(mki!(I64EqImm), mki!(I64EqImm)))
            }
            Operator::I64Ne => {
                self.int_binary(I64, mk2!(I64Ne), Imm::Compare(mki!(I64NeImm), mki!(I64NeImm)))
            }
            Operator::I64LtS => {
                self.int_binary(I64, mk2!(I64LtS), Imm::Compare(mki!(I64LtSImm), mki!(I64GtSImm)))
            }
            Operator::I64LtU => {
                self.int_binary(I64, mk2!(I64LtU), Imm::Compare(mki!(I64LtUImm), mki!(I64GtUImm)))
            }
            Operator::I64GtS => {
                self.int_binary(I64, mk2!(I64GtS), Imm::Compare(mki!(I64GtSImm), mki!(I64LtSImm)))
            }
            Operator::I64GtU => {
                self.int_binary(I64, mk2!(I64GtU), Imm::Compare(mki!(I64GtUImm), mki!(I64LtUImm)))
            }
            Operator::I64LeS => {
                self.int_binary(I64, mk2!(I64LeS), Imm::Compare(mki!(I64LeSImm), mki!(I64GeSImm)))
            }
            Operator::I64LeU => {
                self.int_binary(I64, mk2!(I64LeU), Imm::Compare(mki!(I64LeUImm), mki!(I64GeUImm)))
            }
            Operator::I64GeS => {
                self.int_binary(I64, mk2!(I64GeS), Imm::Compare(mki!(I64GeSImm), mki!(I64LeSImm)))
            }
            Operator::I64GeU => {
                self.int_binary(I64, mk2!(I64GeU), Imm::Compare(mki!(I64GeUImm), mki!(I64LeUImm)))
            }
            Operator::I64Clz => self.unary(I64, mk1!(I64Clz)),
            Operator::I64Ctz => self.unary(I64, mk1!(I64Ctz)),
            Operator::I64Popcnt => self.unary(I64, mk1!(I64Popcnt)),
            Operator::I64Add => self.int_binary(I64, mk2!(I64Add), Imm::Commutative(mki!(I64AddImm))),
            Operator::I64Sub => self.int_binary(I64, mk2!(I64Sub), Imm::Sub(mki!(I64AddImm))),
            Operator::I64Mul => self.int_binary(I64, mk2!(I64Mul), Imm::Commutative(mki!(I64MulImm))),
            Operator::I64DivS => self.binary(I64, mk2!(I64DivS)),
            Operator::I64DivU => self.binary(I64, mk2!(I64DivU)),
            Operator::I64RemS => self.binary(I64, mk2!(I64RemS)),
            Operator::I64RemU => self.binary(I64, mk2!(I64RemU)),
            Operator::I64And => self.int_binary(I64, mk2!(I64And), Imm::Commutative(mki!(I64AndImm))),
            Operator::I64Or => self.int_binary(I64, mk2!(I64Or), Imm::Commutative(mki!(I64OrImm))),
            Operator::I64Xor => self.int_binary(I64, mk2!(I64Xor), Imm::Commutative(mki!(I64XorImm))),
            Operator::I64Shl => self.int_binary(I64, mk2!(I64Shl), Imm::Right(mki!(I64ShlImm))),
            Operator::I64ShrS => self.int_binary(I64, mk2!(I64ShrS), Imm::Right(mki!(I64ShrSImm))),
            Operator::I64ShrU => self.int_binary(I64, mk2!(I64ShrU), Imm::Right(mki!(I64ShrUImm))),
            Operator::I64Rotl => self.int_binary(I64, mk2!(I64Rotl), Imm::Right(mki!(I64RotlImm))),
            Operator::I64Rotr => self.int_binary(I64, mk2!(I64Rotr), Imm::Right(mki!(I64RotrImm))),

            // ---- f32
            Operator::F32Eq => self.binary(I32, mk2!(F32Eq)),
            Operator::F32Ne => self.binary(I32, mk2!(F32Ne)),
            Operator::F32Lt => self.binary(I32, mk2!(F32Lt)),
            Operator::F32Gt => self.binary(I32, mk2!(F32Gt)),
            Operator::F32Le => self.binary(I32, mk2!(F32Le)),
            Operator::F32Ge => self.binary(I32, mk2!(F32Ge)),
            Operator::F32Abs => self.unary(F32, mk1!(F32Abs)),
            Operator::F32Neg => self.unary(F32, mk1!(F32Neg)),
            Operator::F32Ceil => self.unary(F32, mk1!(F32Ceil)),
            Operator::F32Floor => self.unary(F32, mk1!(F32Floor)),
            Operator::F32Trunc => self.unary(F32, mk1!(F32Trunc)),
            Operator::F32Nearest => self.unary(F32, mk1!(F32Nearest)),
            Operator::F32Sqrt => self.unary(F32, mk1!(F32Sqrt)),
            Operator::F32Add => self.binary(F32, mk2!(F32Add)),
            Operator::F32Sub => self.binary(F32, mk2!(F32Sub)),
            Operator::F32Mul => self.binary(F32, mk2!(F32Mul)),
            Operator::F32Div => self.binary(F32, mk2!(F32Div)),
            Operator::F32Min => self.binary(F32, mk2!(F32Min)),
            Operator::F32Max => self.binary(F32, mk2!(F32Max)),
            Operator::F32Copysign => self.binary(F32, mk2!(F32Copysign)),

            // ---- f64
            Operator::F64Eq => self.binary(I32, mk2!(F64Eq)),
            Operator::F64Ne => self.binary(I32, mk2!(F64Ne)),
            Operator::F64Lt => self.binary(I32, mk2!(F64Lt)),
            Operator::F64Gt => self.binary(I32, mk2!(F64Gt)),
            Operator::F64Le => self.binary(I32, mk2!(F64Le)),
            Operator::F64Ge => self.binary(I32, mk2!(F64Ge)),
            Operator::F64Abs => self.unary(F64, mk1!(F64Abs)),
            Operator::F64Neg => self.unary(F64, mk1!(F64Neg)),
            Operator::F64Ceil => self.unary(F64, mk1!(F64Ceil)),
            Operator::F64Floor => self.unary(F64, mk1!(F64Floor)),
            Operator::F64Trunc => self.unary(F64, mk1!(F64Trunc)),
            Operator::F64Nearest => self.unary(F64, mk1!(F64Nearest)),
            Operator::F64Sqrt => self.unary(F64, mk1!(F64Sqrt)),
            Operator::F64Add => self.f64_binary(mk2!(F64Add), mkk!(F64AddK), mkk!(F64AddK)),
            Operator::F64Sub => self.f64_binary(mk2!(F64Sub), mkk!(F64SubK), mkk!(F64RSubK)),
            Operator::F64Mul => self.f64_binary(mk2!(F64Mul), mkk!(F64MulK), mkk!(F64MulK)),
            Operator::F64Div => self.f64_binary(mk2!(F64Div), mkk!(F64DivK), mkk!(F64RDivK)),
            Operator::F64Min => self.binary(F64, mk2!(F64Min)),
            Operator::F64Max => self.binary(F64, mk2!(F64Max)),
            Operator::F64Copysign => self.binary(F64, mk2!(F64Copysign)),

            // ---- conversions
            Operator::I32WrapI64 => self.unary(I32, mk1!(I32WrapI64)),
            Operator::I32TruncF32S => self.unary(I32, mk1!(I32TruncF32S)),
            Operator::I32TruncF32U => self.unary(I32, mk1!(I32TruncF32U)),
            Operator::I32TruncF64S => self.unary(I32, mk1!(I32TruncF64S)),
            Operator::I32TruncF64U => self.unary(I32, mk1!(I32TruncF64U)),
            Operator::I64ExtendI32S => self.unary(I64, mk1!(I64ExtendI32S)),
            Operator::I64ExtendI32U => self.unary(I64, mk1!(I64ExtendI32U)),
            Operator::I64TruncF32S => self.unary(I64, mk1!(I64TruncF32S)),
            Operator::I64TruncF32U => self.unary(I64, mk1!(I64TruncF32U)),
            Operator::I64TruncF64S => self.unary(I64, mk1!(I64TruncF64S)),
            Operator::I64TruncF64U => self.unary(I64, mk1!(I64TruncF64U)),
            Operator::F32ConvertI32S => self.unary(F32, mk1!(F32ConvertI32S)),
            Operator::F32ConvertI32U => self.unary(F32, mk1!(F32ConvertI32U)),
            Operator::F32ConvertI64S => self.unary(F32, mk1!(F32ConvertI64S)),
            Operator::F32ConvertI64U => self.unary(F32, mk1!(F32ConvertI64U)),
            Operator::F32DemoteF64 => self.unary(F32, mk1!(F32DemoteF64)),
            Operator::F64ConvertI32S => self.unary(F64, mk1!(F64ConvertI32S)),
            Operator::F64ConvertI32U => self.unary(F64, mk1!(F64ConvertI32U)),
            Operator::F64ConvertI64S => self.unary(F64, mk1!(F64ConvertI64S)),
            Operator::F64ConvertI64U => self.unary(F64, mk1!(F64ConvertI64U)),
            Operator::F64PromoteF32 => self.unary(F64, mk1!(F64PromoteF32)),
            Operator::I32ReinterpretF32 => self.reinterpret(I32),
            Operator::I64ReinterpretF64 => self.reinterpret(I64),
            Operator::F32ReinterpretI32 => self.reinterpret(F32),
            Operator::F64ReinterpretI64 => self.reinterpret(F64),
            Operator::I32Extend8S => self.unary(I32, mk1!(I32Extend8S)),
            Operator::I32Extend16S => self.unary(I32, mk1!(I32Extend16S)),
            Operator::I64Extend8S => self.unary(I64, mk1!(I64Extend8S)),
            Operator::I64Extend16S => self.unary(I64, mk1!(I64Extend16S)),
            Operator::I64Extend32S => self.unary(I64, mk1!(I64Extend32S)),
            Operator::I32TruncSatF32S => self.unary(I32, mk1!(I32TruncSatF32S)),
            Operator::I32TruncSatF32U => self.unary(I32, mk1!(I32TruncSatF32U)),
            Operator::I32TruncSatF64S => self.unary(I32, mk1!(I32TruncSatF64S)),
            Operator::I32TruncSatF64U => self.unary(I32, mk1!(I32TruncSatF64U)),
            Operator::I64TruncSatF32S => self.unary(I64, mk1!(I64TruncSatF32S)),
            Operator::I64TruncSatF32U => self.unary(I64, mk1!(I64TruncSatF32U)),
            Operator::I64TruncSatF64S => self.unary(I64, mk1!(I64TruncSatF64S)),
            Operator::I64TruncSatF64U => self.unary(I64, mk1!(I64TruncSatF64U)),

            // ---- references and tables
            Operator::RefNull { hty } => {
                let ty = match hty {
                    wasmparser::HeapType::Abstract { ty: wasmparser::AbstractHeapType::Extern, .. } => {
                        ValType::ExternRef
                    }
                    _ => ValType::FuncRef,
                };
                self.push_const(ty, 0);
            }
            Operator::RefIsNull => self.unary(I32, mk1!(I32Eqz)),
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

            // ---- SIMD memory access
            Operator::V128Load { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load { dst, addr, offset, mem })?
            }
            Operator::V128Load8x8S { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load8x8S { dst, addr, offset, mem })?
            }
            Operator::V128Load8x8U { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load8x8U { dst, addr, offset, mem })?
            }
            Operator::V128Load16x4S { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load16x4S { dst, addr, offset, mem })?
            }
            Operator::V128Load16x4U { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load16x4U { dst, addr, offset, mem })?
            }
            Operator::V128Load32x2S { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load32x2S { dst, addr, offset, mem })?
            }
            Operator::V128Load32x2U { ref memarg } => {
                self.v128_load(memarg, |dst, addr, offset, mem| Op::V128Load32x2U { dst, addr, offset, mem })?
            }
            Operator::V128Load8Splat { ref memarg } => self
                .v128_load(memarg, |dst, addr, offset, mem| Op::V128Load8Splat { dst, addr, offset, mem })?,
            Operator::V128Load16Splat { ref memarg } => self
                .v128_load(memarg, |dst, addr, offset, mem| Op::V128Load16Splat { dst, addr, offset, mem })?,
            Operator::V128Load32Splat { ref memarg } => self
                .v128_load(memarg, |dst, addr, offset, mem| Op::V128Load32Splat { dst, addr, offset, mem })?,
            Operator::V128Load64Splat { ref memarg } => self
                .v128_load(memarg, |dst, addr, offset, mem| Op::V128Load64Splat { dst, addr, offset, mem })?,
            Operator::V128Load32Zero { ref memarg } => self
                .v128_load(memarg, |dst, addr, offset, mem| Op::V128Load32Zero { dst, addr, offset, mem })?,
            Operator::V128Load64Zero { ref memarg } => self
                .v128_load(memarg, |dst, addr, offset, mem| Op::V128Load64Zero { dst, addr, offset, mem })?,
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
            Operator::V128Store { ref memarg } => {
                self.v128_store(memarg, 0, |addr, value, offset, _, mem| Op::V128Store {
                    addr,
                    value,
                    offset,
                    mem,
                })?
            }
            Operator::V128Store8Lane { ref memarg, lane } => {
                self.v128_store(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store8Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store16Lane { ref memarg, lane } => {
                self.v128_store(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store16Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store32Lane { ref memarg, lane } => {
                self.v128_store(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store32Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }
            Operator::V128Store64Lane { ref memarg, lane } => {
                self.v128_store(memarg, lane, |addr, value, offset, lane, mem| Op::V128Store64Lane {
                    addr,
                    value,
                    offset,
                    lane,
                    mem,
                })?
            }

            // ---- SIMD computation
            Operator::V128Not => self.unary(V128, mk1!(V128Not)),
            Operator::I8x16Abs => self.unary(V128, mk1!(I8x16Abs)),
            Operator::I8x16Neg => self.unary(V128, mk1!(I8x16Neg)),
            Operator::I8x16Popcnt => self.unary(V128, mk1!(I8x16Popcnt)),
            Operator::I16x8ExtAddPairwiseI8x16S => self.unary(V128, mk1!(I16x8ExtAddPairwiseI8x16S)),
            Operator::I16x8ExtAddPairwiseI8x16U => self.unary(V128, mk1!(I16x8ExtAddPairwiseI8x16U)),
            Operator::I16x8Abs => self.unary(V128, mk1!(I16x8Abs)),
            Operator::I16x8Neg => self.unary(V128, mk1!(I16x8Neg)),
            Operator::I16x8ExtendLowI8x16S => self.unary(V128, mk1!(I16x8ExtendLowI8x16S)),
            Operator::I16x8ExtendHighI8x16S => self.unary(V128, mk1!(I16x8ExtendHighI8x16S)),
            Operator::I16x8ExtendLowI8x16U => self.unary(V128, mk1!(I16x8ExtendLowI8x16U)),
            Operator::I16x8ExtendHighI8x16U => self.unary(V128, mk1!(I16x8ExtendHighI8x16U)),
            Operator::I32x4ExtAddPairwiseI16x8S => self.unary(V128, mk1!(I32x4ExtAddPairwiseI16x8S)),
            Operator::I32x4ExtAddPairwiseI16x8U => self.unary(V128, mk1!(I32x4ExtAddPairwiseI16x8U)),
            Operator::I32x4Abs => self.unary(V128, mk1!(I32x4Abs)),
            Operator::I32x4Neg => self.unary(V128, mk1!(I32x4Neg)),
            Operator::I32x4ExtendLowI16x8S => self.unary(V128, mk1!(I32x4ExtendLowI16x8S)),
            Operator::I32x4ExtendHighI16x8S => self.unary(V128, mk1!(I32x4ExtendHighI16x8S)),
            Operator::I32x4ExtendLowI16x8U => self.unary(V128, mk1!(I32x4ExtendLowI16x8U)),
            Operator::I32x4ExtendHighI16x8U => self.unary(V128, mk1!(I32x4ExtendHighI16x8U)),
            Operator::I64x2Abs => self.unary(V128, mk1!(I64x2Abs)),
            Operator::I64x2Neg => self.unary(V128, mk1!(I64x2Neg)),
            Operator::I64x2ExtendLowI32x4S => self.unary(V128, mk1!(I64x2ExtendLowI32x4S)),
            Operator::I64x2ExtendHighI32x4S => self.unary(V128, mk1!(I64x2ExtendHighI32x4S)),
            Operator::I64x2ExtendLowI32x4U => self.unary(V128, mk1!(I64x2ExtendLowI32x4U)),
            Operator::I64x2ExtendHighI32x4U => self.unary(V128, mk1!(I64x2ExtendHighI32x4U)),
            Operator::F32x4Ceil => self.unary(V128, mk1!(F32x4Ceil)),
            Operator::F32x4Floor => self.unary(V128, mk1!(F32x4Floor)),
            Operator::F32x4Trunc => self.unary(V128, mk1!(F32x4Trunc)),
            Operator::F32x4Nearest => self.unary(V128, mk1!(F32x4Nearest)),
            Operator::F32x4Abs => self.unary(V128, mk1!(F32x4Abs)),
            Operator::F32x4Neg => self.unary(V128, mk1!(F32x4Neg)),
            Operator::F32x4Sqrt => self.unary(V128, mk1!(F32x4Sqrt)),
            Operator::F64x2Ceil => self.unary(V128, mk1!(F64x2Ceil)),
            Operator::F64x2Floor => self.unary(V128, mk1!(F64x2Floor)),
            Operator::F64x2Trunc => self.unary(V128, mk1!(F64x2Trunc)),
            Operator::F64x2Nearest => self.unary(V128, mk1!(F64x2Nearest)),
            Operator::F64x2Abs => self.unary(V128, mk1!(F64x2Abs)),
            Operator::F64x2Neg => self.unary(V128, mk1!(F64x2Neg)),
            Operator::F64x2Sqrt => self.unary(V128, mk1!(F64x2Sqrt)),
            Operator::I32x4TruncSatF32x4S => self.unary(V128, mk1!(I32x4TruncSatF32x4S)),
            Operator::I32x4TruncSatF32x4U => self.unary(V128, mk1!(I32x4TruncSatF32x4U)),
            Operator::F32x4ConvertI32x4S => self.unary(V128, mk1!(F32x4ConvertI32x4S)),
            Operator::F32x4ConvertI32x4U => self.unary(V128, mk1!(F32x4ConvertI32x4U)),
            Operator::I32x4TruncSatF64x2SZero => self.unary(V128, mk1!(I32x4TruncSatF64x2SZero)),
            Operator::I32x4TruncSatF64x2UZero => self.unary(V128, mk1!(I32x4TruncSatF64x2UZero)),
            Operator::F64x2ConvertLowI32x4S => self.unary(V128, mk1!(F64x2ConvertLowI32x4S)),
            Operator::F64x2ConvertLowI32x4U => self.unary(V128, mk1!(F64x2ConvertLowI32x4U)),
            Operator::F32x4DemoteF64x2Zero => self.unary(V128, mk1!(F32x4DemoteF64x2Zero)),
            Operator::F64x2PromoteLowF32x4 => self.unary(V128, mk1!(F64x2PromoteLowF32x4)),
            Operator::I8x16Swizzle => self.binary(V128, mk2!(I8x16Swizzle)),
            Operator::I8x16Eq => self.binary(V128, mk2!(I8x16Eq)),
            Operator::I8x16Ne => self.binary(V128, mk2!(I8x16Ne)),
            Operator::I8x16LtS => self.binary(V128, mk2!(I8x16LtS)),
            Operator::I8x16LtU => self.binary(V128, mk2!(I8x16LtU)),
            Operator::I8x16GtS => self.binary(V128, mk2!(I8x16GtS)),
            Operator::I8x16GtU => self.binary(V128, mk2!(I8x16GtU)),
            Operator::I8x16LeS => self.binary(V128, mk2!(I8x16LeS)),
            Operator::I8x16LeU => self.binary(V128, mk2!(I8x16LeU)),
            Operator::I8x16GeS => self.binary(V128, mk2!(I8x16GeS)),
            Operator::I8x16GeU => self.binary(V128, mk2!(I8x16GeU)),
            Operator::I16x8Eq => self.binary(V128, mk2!(I16x8Eq)),
            Operator::I16x8Ne => self.binary(V128, mk2!(I16x8Ne)),
            Operator::I16x8LtS => self.binary(V128, mk2!(I16x8LtS)),
            Operator::I16x8LtU => self.binary(V128, mk2!(I16x8LtU)),
            Operator::I16x8GtS => self.binary(V128, mk2!(I16x8GtS)),
            Operator::I16x8GtU => self.binary(V128, mk2!(I16x8GtU)),
            Operator::I16x8LeS => self.binary(V128, mk2!(I16x8LeS)),
            Operator::I16x8LeU => self.binary(V128, mk2!(I16x8LeU)),
            Operator::I16x8GeS => self.binary(V128, mk2!(I16x8GeS)),
            Operator::I16x8GeU => self.binary(V128, mk2!(I16x8GeU)),
            Operator::I32x4Eq => self.binary(V128, mk2!(I32x4Eq)),
            Operator::I32x4Ne => self.binary(V128, mk2!(I32x4Ne)),
            Operator::I32x4LtS => self.binary(V128, mk2!(I32x4LtS)),
            Operator::I32x4LtU => self.binary(V128, mk2!(I32x4LtU)),
            Operator::I32x4GtS => self.binary(V128, mk2!(I32x4GtS)),
            Operator::I32x4GtU => self.binary(V128, mk2!(I32x4GtU)),
            Operator::I32x4LeS => self.binary(V128, mk2!(I32x4LeS)),
            Operator::I32x4LeU => self.binary(V128, mk2!(I32x4LeU)),
            Operator::I32x4GeS => self.binary(V128, mk2!(I32x4GeS)),
            Operator::I32x4GeU => self.binary(V128, mk2!(I32x4GeU)),
            Operator::I64x2Eq => self.binary(V128, mk2!(I64x2Eq)),
            Operator::I64x2Ne => self.binary(V128, mk2!(I64x2Ne)),
            Operator::I64x2LtS => self.binary(V128, mk2!(I64x2LtS)),
            Operator::I64x2GtS => self.binary(V128, mk2!(I64x2GtS)),
            Operator::I64x2LeS => self.binary(V128, mk2!(I64x2LeS)),
            Operator::I64x2GeS => self.binary(V128, mk2!(I64x2GeS)),
            Operator::F32x4Eq => self.binary(V128, mk2!(F32x4Eq)),
            Operator::F32x4Ne => self.binary(V128, mk2!(F32x4Ne)),
            Operator::F32x4Lt => self.binary(V128, mk2!(F32x4Lt)),
            Operator::F32x4Gt => self.binary(V128, mk2!(F32x4Gt)),
            Operator::F32x4Le => self.binary(V128, mk2!(F32x4Le)),
            Operator::F32x4Ge => self.binary(V128, mk2!(F32x4Ge)),
            Operator::F64x2Eq => self.binary(V128, mk2!(F64x2Eq)),
            Operator::F64x2Ne => self.binary(V128, mk2!(F64x2Ne)),
            Operator::F64x2Lt => self.binary(V128, mk2!(F64x2Lt)),
            Operator::F64x2Gt => self.binary(V128, mk2!(F64x2Gt)),
            Operator::F64x2Le => self.binary(V128, mk2!(F64x2Le)),
            Operator::F64x2Ge => self.binary(V128, mk2!(F64x2Ge)),
            Operator::V128And => self.binary(V128, mk2!(V128And)),
            Operator::V128AndNot => self.binary(V128, mk2!(V128AndNot)),
            Operator::V128Or => self.binary(V128, mk2!(V128Or)),
            Operator::V128Xor => self.binary(V128, mk2!(V128Xor)),
            Operator::I8x16NarrowI16x8S => self.binary(V128, mk2!(I8x16NarrowI16x8S)),
            Operator::I8x16NarrowI16x8U => self.binary(V128, mk2!(I8x16NarrowI16x8U)),
            Operator::I8x16Add => self.binary(V128, mk2!(I8x16Add)),
            Operator::I8x16AddSatS => self.binary(V128, mk2!(I8x16AddSatS)),
            Operator::I8x16AddSatU => self.binary(V128, mk2!(I8x16AddSatU)),
            Operator::I8x16Sub => self.binary(V128, mk2!(I8x16Sub)),
            Operator::I8x16SubSatS => self.binary(V128, mk2!(I8x16SubSatS)),
            Operator::I8x16SubSatU => self.binary(V128, mk2!(I8x16SubSatU)),
            Operator::I8x16MinS => self.binary(V128, mk2!(I8x16MinS)),
            Operator::I8x16MinU => self.binary(V128, mk2!(I8x16MinU)),
            Operator::I8x16MaxS => self.binary(V128, mk2!(I8x16MaxS)),
            Operator::I8x16MaxU => self.binary(V128, mk2!(I8x16MaxU)),
            Operator::I8x16AvgrU => self.binary(V128, mk2!(I8x16AvgrU)),
            Operator::I16x8Q15MulrSatS => self.binary(V128, mk2!(I16x8Q15MulrSatS)),
            Operator::I16x8NarrowI32x4S => self.binary(V128, mk2!(I16x8NarrowI32x4S)),
            Operator::I16x8NarrowI32x4U => self.binary(V128, mk2!(I16x8NarrowI32x4U)),
            Operator::I16x8Add => self.binary(V128, mk2!(I16x8Add)),
            Operator::I16x8AddSatS => self.binary(V128, mk2!(I16x8AddSatS)),
            Operator::I16x8AddSatU => self.binary(V128, mk2!(I16x8AddSatU)),
            Operator::I16x8Sub => self.binary(V128, mk2!(I16x8Sub)),
            Operator::I16x8SubSatS => self.binary(V128, mk2!(I16x8SubSatS)),
            Operator::I16x8SubSatU => self.binary(V128, mk2!(I16x8SubSatU)),
            Operator::I16x8Mul => self.binary(V128, mk2!(I16x8Mul)),
            Operator::I16x8MinS => self.binary(V128, mk2!(I16x8MinS)),
            Operator::I16x8MinU => self.binary(V128, mk2!(I16x8MinU)),
            Operator::I16x8MaxS => self.binary(V128, mk2!(I16x8MaxS)),
            Operator::I16x8MaxU => self.binary(V128, mk2!(I16x8MaxU)),
            Operator::I16x8AvgrU => self.binary(V128, mk2!(I16x8AvgrU)),
            Operator::I16x8ExtMulLowI8x16S => self.binary(V128, mk2!(I16x8ExtMulLowI8x16S)),
            Operator::I16x8ExtMulHighI8x16S => self.binary(V128, mk2!(I16x8ExtMulHighI8x16S)),
            Operator::I16x8ExtMulLowI8x16U => self.binary(V128, mk2!(I16x8ExtMulLowI8x16U)),
            Operator::I16x8ExtMulHighI8x16U => self.binary(V128, mk2!(I16x8ExtMulHighI8x16U)),
            Operator::I32x4Add => self.binary(V128, mk2!(I32x4Add)),
            Operator::I32x4Sub => self.binary(V128, mk2!(I32x4Sub)),
            Operator::I32x4Mul => self.binary(V128, mk2!(I32x4Mul)),
            Operator::I32x4MinS => self.binary(V128, mk2!(I32x4MinS)),
            Operator::I32x4MinU => self.binary(V128, mk2!(I32x4MinU)),
            Operator::I32x4MaxS => self.binary(V128, mk2!(I32x4MaxS)),
            Operator::I32x4MaxU => self.binary(V128, mk2!(I32x4MaxU)),
            Operator::I32x4DotI16x8S => self.binary(V128, mk2!(I32x4DotI16x8S)),
            Operator::I32x4ExtMulLowI16x8S => self.binary(V128, mk2!(I32x4ExtMulLowI16x8S)),
            Operator::I32x4ExtMulHighI16x8S => self.binary(V128, mk2!(I32x4ExtMulHighI16x8S)),
            Operator::I32x4ExtMulLowI16x8U => self.binary(V128, mk2!(I32x4ExtMulLowI16x8U)),
            Operator::I32x4ExtMulHighI16x8U => self.binary(V128, mk2!(I32x4ExtMulHighI16x8U)),
            Operator::I64x2Add => self.binary(V128, mk2!(I64x2Add)),
            Operator::I64x2Sub => self.binary(V128, mk2!(I64x2Sub)),
            Operator::I64x2Mul => self.binary(V128, mk2!(I64x2Mul)),
            Operator::I64x2ExtMulLowI32x4S => self.binary(V128, mk2!(I64x2ExtMulLowI32x4S)),
            Operator::I64x2ExtMulHighI32x4S => self.binary(V128, mk2!(I64x2ExtMulHighI32x4S)),
            Operator::I64x2ExtMulLowI32x4U => self.binary(V128, mk2!(I64x2ExtMulLowI32x4U)),
            Operator::I64x2ExtMulHighI32x4U => self.binary(V128, mk2!(I64x2ExtMulHighI32x4U)),
            Operator::F32x4Add => self.binary(V128, mk2!(F32x4Add)),
            Operator::F32x4Sub => self.binary(V128, mk2!(F32x4Sub)),
            Operator::F32x4Mul => self.binary(V128, mk2!(F32x4Mul)),
            Operator::F32x4Div => self.binary(V128, mk2!(F32x4Div)),
            Operator::F32x4Min => self.binary(V128, mk2!(F32x4Min)),
            Operator::F32x4Max => self.binary(V128, mk2!(F32x4Max)),
            Operator::F32x4PMin => self.binary(V128, mk2!(F32x4PMin)),
            Operator::F32x4PMax => self.binary(V128, mk2!(F32x4PMax)),
            Operator::F64x2Add => self.binary(V128, mk2!(F64x2Add)),
            Operator::F64x2Sub => self.binary(V128, mk2!(F64x2Sub)),
            Operator::F64x2Mul => self.binary(V128, mk2!(F64x2Mul)),
            Operator::F64x2Div => self.binary(V128, mk2!(F64x2Div)),
            Operator::F64x2Min => self.binary(V128, mk2!(F64x2Min)),
            Operator::F64x2Max => self.binary(V128, mk2!(F64x2Max)),
            Operator::F64x2PMin => self.binary(V128, mk2!(F64x2PMin)),
            Operator::F64x2PMax => self.binary(V128, mk2!(F64x2PMax)),
            Operator::I8x16Shl => self.binary(V128, mk2!(I8x16Shl)),
            Operator::I8x16ShrS => self.binary(V128, mk2!(I8x16ShrS)),
            Operator::I8x16ShrU => self.binary(V128, mk2!(I8x16ShrU)),
            Operator::I16x8Shl => self.binary(V128, mk2!(I16x8Shl)),
            Operator::I16x8ShrS => self.binary(V128, mk2!(I16x8ShrS)),
            Operator::I16x8ShrU => self.binary(V128, mk2!(I16x8ShrU)),
            Operator::I32x4Shl => self.binary(V128, mk2!(I32x4Shl)),
            Operator::I32x4ShrS => self.binary(V128, mk2!(I32x4ShrS)),
            Operator::I32x4ShrU => self.binary(V128, mk2!(I32x4ShrU)),
            Operator::I64x2Shl => self.binary(V128, mk2!(I64x2Shl)),
            Operator::I64x2ShrS => self.binary(V128, mk2!(I64x2ShrS)),
            Operator::I64x2ShrU => self.binary(V128, mk2!(I64x2ShrU)),
            Operator::V128AnyTrue => self.unary(I32, mk1!(V128AnyTrue)),
            Operator::I8x16AllTrue => self.unary(I32, mk1!(I8x16AllTrue)),
            Operator::I8x16Bitmask => self.unary(I32, mk1!(I8x16Bitmask)),
            Operator::I16x8AllTrue => self.unary(I32, mk1!(I16x8AllTrue)),
            Operator::I16x8Bitmask => self.unary(I32, mk1!(I16x8Bitmask)),
            Operator::I32x4AllTrue => self.unary(I32, mk1!(I32x4AllTrue)),
            Operator::I32x4Bitmask => self.unary(I32, mk1!(I32x4Bitmask)),
            Operator::I64x2AllTrue => self.unary(I32, mk1!(I64x2AllTrue)),
            Operator::I64x2Bitmask => self.unary(I32, mk1!(I64x2Bitmask)),
            Operator::I8x16Splat => self.unary(V128, mk1!(I8x16Splat)),
            Operator::I16x8Splat => self.unary(V128, mk1!(I16x8Splat)),
            Operator::I32x4Splat => self.unary(V128, mk1!(I32x4Splat)),
            Operator::I64x2Splat => self.unary(V128, mk1!(I64x2Splat)),
            Operator::F32x4Splat => self.unary(V128, mk1!(F32x4Splat)),
            Operator::F64x2Splat => self.unary(V128, mk1!(F64x2Splat)),
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

            ref other => {
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
            _ => {}
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
