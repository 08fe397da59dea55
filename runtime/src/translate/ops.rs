//! The per-operator part of the translator. Numeric, SIMD, load and store operators come from
//! the generated tables of [`lower`] (one row each in the op table); the rest (control,
//! locals, globals, calls, tables, bulk operations, SIMD lanes) are translated here.

use super::lower::{self, Binary, ImmKind};
use super::{FuncTranslator, Src};
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
    fn unary(&mut self, ty: ValType, make: fn(Slot, Slot) -> Op) {
        let a = self.pop();
        let src = self.operand(a);
        self.emit_result(ty, |dst| make(dst, src));
    }

    /// The 32-bit immediate for the constant `depth` entries below the top, if it is one and
    /// fits the operator's immediate forms.
    fn immediate(&mut self, depth: usize, kind: ImmKind) -> Option<u32> {
        let Src::Const(bits) = self.stack[self.stack.len() - 1 - depth].src else { return None };
        match kind {
            ImmKind::None => None,
            ImmKind::I32 | ImmKind::F32 => Some(bits as u32),
            ImmKind::I64 => i32::try_from(bits as u64 as i64).ok().map(|v| v as u32),
            ImmKind::F64 => Some(self.intern_const(bits as u64)),
        }
    }

    /// A binary operator, in an immediate form when an operand is a constant.
    fn binary(&mut self, forms: Binary) {
        let rhs = forms.si.and_then(|si| Some((si, self.immediate(0, forms.imm)?)));
        if let Some((si, imm)) = rhs {
            let _ = self.pop();
            let a = self.pop();
            let a = self.operand(a);
            return self.emit_result(forms.result, |dst| si(dst, a, imm));
        }
        if let Some(is) = forms.is
            && let Some(imm) = self.immediate(1, forms.imm)
        {
            let b = self.pop();
            let _ = self.pop();
            let b = self.operand(b);
            // The result lands at the left operand's position whatever operand was kept.
            return self.emit_result(forms.result, |dst| is(dst, imm, b));
        }
        let b = self.pop();
        let a = self.pop();
        let b = self.operand(b);
        let a = self.operand(a);
        self.emit_result(forms.result, |dst| (forms.ss)(dst, a, b));
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

    fn load(&mut self, ty: ValType, memarg: &MemArg, forms: lower::LoadForms) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let memory = memarg_memory(memarg)?;
        let a = self.pop();
        let addr = self.operand(a);
        if memory == 0 {
            self.emit_result(ty, |dst| (forms.m0)(dst, addr, offset));
        } else {
            let mem = mem_u16(memory)?;
            self.emit_result(ty, |dst| (forms.m)(dst, addr, mem, offset));
        }
        Ok(())
    }

    fn store(&mut self, memarg: &MemArg, forms: lower::StoreForms) -> Result<()> {
        let offset = memarg_offset(memarg)?;
        let memory = memarg_memory(memarg)?;
        let v = self.pop();
        let a = self.pop();
        let value = self.operand(v);
        let addr = self.operand(a);
        let op = if memory == 0 {
            (forms.m0)(addr, value, offset)
        } else {
            (forms.m)(addr, value, mem_u16(memory)?, offset)
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

    fn v128_store_lane(
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
    pub(super) fn translate_op(&mut self, op: &Operator<'_>) -> Result<()> {
        use ValType::{F32, F64, I32, I64, V128};
        if !self.reachable {
            return self.translate_unreachable_op(op);
        }
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

            // ---- reinterpretations: no code, only a new type
            Operator::I32ReinterpretF32 => self.reinterpret(I32),
            Operator::I64ReinterpretF64 => self.reinterpret(I64),
            Operator::F32ReinterpretI32 => self.reinterpret(F32),
            Operator::F64ReinterpretI64 => self.reinterpret(F64),

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
            Operator::RefIsNull => self.unary(I32, |dst, src| Op::I32Eqz { dst, src }),
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
