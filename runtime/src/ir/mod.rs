//! The register-based intermediate representation every function is translated into.
//!
//! Operands are *slots*: `u16` indices of 64-bit cells in the function's frame
//! (`[params | locals | temporaries]`). A `v128` occupies two consecutive cells.
//! Branch offsets are relative to the index of the branching op.
//!
//! [`ops!`] below is the one op table: it generates the [`Op`] enum and the helpers the
//! translator uses to patch results and branch targets. `Debug` is the disassembler.

/// Index of a 64-bit cell in a function frame.
pub(crate) type Slot = u16;

/// The value of an op field if it is a `u16` (every [`Slot`] is), else 0.
trait U16Value {
    fn u16_value(&self) -> u32;
}

impl U16Value for u16 {
    fn u16_value(&self) -> u32 {
        u32::from(*self)
    }
}

macro_rules! not_u16 {
    ($($t:ty),*) => {$(
        impl U16Value for $t {
            fn u16_value(&self) -> u32 {
                0
            }
        }
    )*};
}

not_u16!(u8, u32, i32, LoadKind, StoreKind);

macro_rules! ops {
    (
        with_dst { $( $(#[$dm:meta])* $dname:ident { $($dfield:ident : $dty:ty),* } ),* $(,)? }
        branches { $( $(#[$bm:meta])* $bname:ident { $($bfield:ident : $bty:ty),* } ),* $(,)? }
        others { $( $(#[$om:meta])* $oname:ident { $($ofield:ident : $oty:ty),* } ),* $(,)? }
    ) => {
        /// One IR instruction.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub(crate) enum Op {
            $( $(#[$dm])* $dname { dst: Slot, $($dfield : $dty),* }, )*
            $( $(#[$bm])* $bname { $($bfield : $bty,)* offset: i32 }, )*
            $( $(#[$om])* $oname { $($ofield : $oty),* }, )*
        }

        impl Op {
            /// The slot this op writes its single result to, if it has one.
            pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $( Op::$dname { dst, .. } => Some(dst), )*
                    _ => None,
                }
            }

            /// The branch offset of this op, if it branches.
            pub(crate) fn offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    $( Op::$bname { offset, .. } => Some(offset), )*
                    _ => None,
                }
            }

            /// The largest `u16` field of this op (0 if none). Every slot is a `u16` field, so
            /// this bounds the registers the op names; the few other `u16` fields (span
            /// lengths, table and memory indices) only make the bound larger.
            #[allow(unused_mut)]
            pub(crate) fn max_u16_field(&self) -> u32 {
                match *self {
                    $( Op::$dname { dst, $($dfield),* } => {
                        let mut m = dst.u16_value();
                        $( m = m.max($dfield.u16_value()); )*
                        m
                    } )*
                    $( Op::$bname { $($bfield,)* offset: _ } => {
                        let mut m = 0;
                        $( m = m.max($bfield.u16_value()); )*
                        m
                    } )*
                    $( Op::$oname { $($ofield),* } => {
                        let mut m = 0;
                        $( m = m.max($ofield.u16_value()); )*
                        m
                    } )*
                }
            }
        }
    };
}

ops! {
    with_dst {
        // ---- copies and constants
        /// Copies one cell.
        Copy { src: Slot },
        /// Copies two cells (a `v128`).
        Copy2 { src: Slot },
        /// Writes a 32-bit constant (zero-extended).
        Const32 { value: u32 },
        /// Writes a 64-bit constant given as two halves (keeps `Op` 4-byte aligned).
        Const64 { lo: u32, hi: u32 },
        /// `dst = cond != 0 ? a : b` for one-cell values.
        Select { cond: Slot, a: Slot, b: Slot },
        /// `select` for two-cell values.
        Select2 { cond: Slot, a: Slot, b: Slot },

        // ---- i32
        I32Eqz { src: Slot }, I32Clz { src: Slot }, I32Ctz { src: Slot }, I32Popcnt { src: Slot },
        I32Extend8S { src: Slot }, I32Extend16S { src: Slot }, I32WrapI64 { src: Slot },
        I32Eq { a: Slot, b: Slot }, I32Ne { a: Slot, b: Slot },
        I32LtS { a: Slot, b: Slot }, I32LtU { a: Slot, b: Slot },
        I32GtS { a: Slot, b: Slot }, I32GtU { a: Slot, b: Slot },
        I32LeS { a: Slot, b: Slot }, I32LeU { a: Slot, b: Slot },
        I32GeS { a: Slot, b: Slot }, I32GeU { a: Slot, b: Slot },
        I32Add { a: Slot, b: Slot }, I32Sub { a: Slot, b: Slot }, I32Mul { a: Slot, b: Slot },
        I32DivS { a: Slot, b: Slot }, I32DivU { a: Slot, b: Slot },
        I32RemS { a: Slot, b: Slot }, I32RemU { a: Slot, b: Slot },
        I32And { a: Slot, b: Slot }, I32Or { a: Slot, b: Slot }, I32Xor { a: Slot, b: Slot },
        I32Shl { a: Slot, b: Slot }, I32ShrS { a: Slot, b: Slot }, I32ShrU { a: Slot, b: Slot },
        I32Rotl { a: Slot, b: Slot }, I32Rotr { a: Slot, b: Slot },
        // i32 with an immediate right operand
        I32EqImm { a: Slot, imm: i32 }, I32NeImm { a: Slot, imm: i32 },
        I32LtSImm { a: Slot, imm: i32 }, I32LtUImm { a: Slot, imm: i32 },
        I32GtSImm { a: Slot, imm: i32 }, I32GtUImm { a: Slot, imm: i32 },
        I32LeSImm { a: Slot, imm: i32 }, I32LeUImm { a: Slot, imm: i32 },
        I32GeSImm { a: Slot, imm: i32 }, I32GeUImm { a: Slot, imm: i32 },
        I32AddImm { a: Slot, imm: i32 }, I32MulImm { a: Slot, imm: i32 },
        I32AndImm { a: Slot, imm: i32 }, I32OrImm { a: Slot, imm: i32 }, I32XorImm { a: Slot, imm: i32 },
        I32ShlImm { a: Slot, imm: i32 }, I32ShrSImm { a: Slot, imm: i32 }, I32ShrUImm { a: Slot, imm: i32 },
        I32RotlImm { a: Slot, imm: i32 }, I32RotrImm { a: Slot, imm: i32 },

        // ---- i64
        I64Eqz { src: Slot }, I64Clz { src: Slot }, I64Ctz { src: Slot }, I64Popcnt { src: Slot },
        I64Extend8S { src: Slot }, I64Extend16S { src: Slot }, I64Extend32S { src: Slot },
        I64ExtendI32S { src: Slot }, I64ExtendI32U { src: Slot },
        I64Eq { a: Slot, b: Slot }, I64Ne { a: Slot, b: Slot },
        I64LtS { a: Slot, b: Slot }, I64LtU { a: Slot, b: Slot },
        I64GtS { a: Slot, b: Slot }, I64GtU { a: Slot, b: Slot },
        I64LeS { a: Slot, b: Slot }, I64LeU { a: Slot, b: Slot },
        I64GeS { a: Slot, b: Slot }, I64GeU { a: Slot, b: Slot },
        I64Add { a: Slot, b: Slot }, I64Sub { a: Slot, b: Slot }, I64Mul { a: Slot, b: Slot },
        I64DivS { a: Slot, b: Slot }, I64DivU { a: Slot, b: Slot },
        I64RemS { a: Slot, b: Slot }, I64RemU { a: Slot, b: Slot },
        I64And { a: Slot, b: Slot }, I64Or { a: Slot, b: Slot }, I64Xor { a: Slot, b: Slot },
        I64Shl { a: Slot, b: Slot }, I64ShrS { a: Slot, b: Slot }, I64ShrU { a: Slot, b: Slot },
        I64Rotl { a: Slot, b: Slot }, I64Rotr { a: Slot, b: Slot },
        // i64 with a sign-extended 32-bit immediate right operand
        I64EqImm { a: Slot, imm: i32 }, I64NeImm { a: Slot, imm: i32 },
        I64LtSImm { a: Slot, imm: i32 }, I64LtUImm { a: Slot, imm: i32 },
        I64GtSImm { a: Slot, imm: i32 }, I64GtUImm { a: Slot, imm: i32 },
        I64LeSImm { a: Slot, imm: i32 }, I64LeUImm { a: Slot, imm: i32 },
        I64GeSImm { a: Slot, imm: i32 }, I64GeUImm { a: Slot, imm: i32 },
        I64AddImm { a: Slot, imm: i32 }, I64MulImm { a: Slot, imm: i32 },
        I64AndImm { a: Slot, imm: i32 }, I64OrImm { a: Slot, imm: i32 }, I64XorImm { a: Slot, imm: i32 },
        I64ShlImm { a: Slot, imm: i32 }, I64ShrSImm { a: Slot, imm: i32 }, I64ShrUImm { a: Slot, imm: i32 },
        I64RotlImm { a: Slot, imm: i32 }, I64RotrImm { a: Slot, imm: i32 },

        // ---- f32
        F32Abs { src: Slot }, F32Neg { src: Slot }, F32Ceil { src: Slot }, F32Floor { src: Slot },
        F32Trunc { src: Slot }, F32Nearest { src: Slot }, F32Sqrt { src: Slot },
        F32Add { a: Slot, b: Slot }, F32Sub { a: Slot, b: Slot }, F32Mul { a: Slot, b: Slot },
        F32Div { a: Slot, b: Slot }, F32Min { a: Slot, b: Slot }, F32Max { a: Slot, b: Slot },
        F32Copysign { a: Slot, b: Slot },
        F32Eq { a: Slot, b: Slot }, F32Ne { a: Slot, b: Slot }, F32Lt { a: Slot, b: Slot },
        F32Gt { a: Slot, b: Slot }, F32Le { a: Slot, b: Slot }, F32Ge { a: Slot, b: Slot },

        // ---- f64
        F64Abs { src: Slot }, F64Neg { src: Slot }, F64Ceil { src: Slot }, F64Floor { src: Slot },
        F64Trunc { src: Slot }, F64Nearest { src: Slot }, F64Sqrt { src: Slot },
        /// `a + k`, `k` being constant `k` of the function (`CompiledFunc::consts`); `RSub` and
        /// `RDiv` put the constant on the left: `k - a`, `k / a`.
        F64AddK { a: Slot, k: u32 }, F64SubK { a: Slot, k: u32 }, F64RSubK { a: Slot, k: u32 },
        F64MulK { a: Slot, k: u32 }, F64DivK { a: Slot, k: u32 }, F64RDivK { a: Slot, k: u32 },
        F64Add { a: Slot, b: Slot }, F64Sub { a: Slot, b: Slot }, F64Mul { a: Slot, b: Slot },
        F64Div { a: Slot, b: Slot }, F64Min { a: Slot, b: Slot }, F64Max { a: Slot, b: Slot },
        F64Copysign { a: Slot, b: Slot },
        F64Eq { a: Slot, b: Slot }, F64Ne { a: Slot, b: Slot }, F64Lt { a: Slot, b: Slot },
        F64Gt { a: Slot, b: Slot }, F64Le { a: Slot, b: Slot }, F64Ge { a: Slot, b: Slot },

        // ---- conversions
        I32TruncF32S { src: Slot }, I32TruncF32U { src: Slot },
        I32TruncF64S { src: Slot }, I32TruncF64U { src: Slot },
        I64TruncF32S { src: Slot }, I64TruncF32U { src: Slot },
        I64TruncF64S { src: Slot }, I64TruncF64U { src: Slot },
        I32TruncSatF32S { src: Slot }, I32TruncSatF32U { src: Slot },
        I32TruncSatF64S { src: Slot }, I32TruncSatF64U { src: Slot },
        I64TruncSatF32S { src: Slot }, I64TruncSatF32U { src: Slot },
        I64TruncSatF64S { src: Slot }, I64TruncSatF64U { src: Slot },
        F32ConvertI32S { src: Slot }, F32ConvertI32U { src: Slot },
        F32ConvertI64S { src: Slot }, F32ConvertI64U { src: Slot },
        F64ConvertI32S { src: Slot }, F64ConvertI32U { src: Slot },
        F64ConvertI64S { src: Slot }, F64ConvertI64U { src: Slot },
        F32DemoteF64 { src: Slot }, F64PromoteF32 { src: Slot },

        // ---- memory 0 (the fast path); `offset` is the static memarg offset
        /// Loads 4 bytes zero-extended (i32.load, f32.load, i64.load32_u).
        Load32 { addr: Slot, offset: u32 },
        /// Loads 8 bytes (i64.load, f64.load).
        Load64 { addr: Slot, offset: u32 },
        /// Loads 1 byte zero-extended (i32.load8_u, i64.load8_u).
        Load8U { addr: Slot, offset: u32 },
        /// Loads 2 bytes zero-extended (i32.load16_u, i64.load16_u).
        Load16U { addr: Slot, offset: u32 },
        I32Load8S { addr: Slot, offset: u32 }, I32Load16S { addr: Slot, offset: u32 },
        I64Load8S { addr: Slot, offset: u32 }, I64Load16S { addr: Slot, offset: u32 },
        I64Load32S { addr: Slot, offset: u32 },
        /// A load from a memory other than 0.
        LoadMem { addr: Slot, offset: u32, mem: u8, kind: LoadKind },
        MemorySize { mem: u32 },
        /// `memory.grow` with the delta in `delta`.
        MemoryGrow { delta: Slot, mem: u32 },

        // ---- globals, tables, references
        GlobalGet { global: u32 },
        GlobalGet2 { global: u32 },
        TableGet { index: Slot, table: u32 },
        TableSize { table: u32 },
        /// `table.grow`: the init value is at `args`, the delta at `args + 1`.
        TableGrow { args: Slot, table: u32 },
        RefFunc { func: u32 },

        // ---- SIMD memory access (any memory; `mem` is the memory index)
        V128Load { addr: Slot, offset: u32, mem: u8 },
        V128Load8x8S { addr: Slot, offset: u32, mem: u8 }, V128Load8x8U { addr: Slot, offset: u32, mem: u8 },
        V128Load16x4S { addr: Slot, offset: u32, mem: u8 }, V128Load16x4U { addr: Slot, offset: u32, mem: u8 },
        V128Load32x2S { addr: Slot, offset: u32, mem: u8 }, V128Load32x2U { addr: Slot, offset: u32, mem: u8 },
        V128Load8Splat { addr: Slot, offset: u32, mem: u8 }, V128Load16Splat { addr: Slot, offset: u32, mem: u8 },
        V128Load32Splat { addr: Slot, offset: u32, mem: u8 }, V128Load64Splat { addr: Slot, offset: u32, mem: u8 },
        V128Load32Zero { addr: Slot, offset: u32, mem: u8 }, V128Load64Zero { addr: Slot, offset: u32, mem: u8 },
        /// Loads one lane into the vector found at `dst + 1` (its canonical slot), result in `dst`.
        V128Load8Lane { addr: Slot, offset: u32, lane: u8, mem: u8 },
        V128Load16Lane { addr: Slot, offset: u32, lane: u8, mem: u8 },
        V128Load32Lane { addr: Slot, offset: u32, lane: u8, mem: u8 },
        V128Load64Lane { addr: Slot, offset: u32, lane: u8, mem: u8 },

        // ---- SIMD computation (one op per instruction; semantics in `semantics::simd`)
        V128Not { src: Slot },
        I8x16Abs { src: Slot },
        I8x16Neg { src: Slot },
        I8x16Popcnt { src: Slot },
        I16x8ExtAddPairwiseI8x16S { src: Slot },
        I16x8ExtAddPairwiseI8x16U { src: Slot },
        I16x8Abs { src: Slot },
        I16x8Neg { src: Slot },
        I16x8ExtendLowI8x16S { src: Slot },
        I16x8ExtendHighI8x16S { src: Slot },
        I16x8ExtendLowI8x16U { src: Slot },
        I16x8ExtendHighI8x16U { src: Slot },
        I32x4ExtAddPairwiseI16x8S { src: Slot },
        I32x4ExtAddPairwiseI16x8U { src: Slot },
        I32x4Abs { src: Slot },
        I32x4Neg { src: Slot },
        I32x4ExtendLowI16x8S { src: Slot },
        I32x4ExtendHighI16x8S { src: Slot },
        I32x4ExtendLowI16x8U { src: Slot },
        I32x4ExtendHighI16x8U { src: Slot },
        I64x2Abs { src: Slot },
        I64x2Neg { src: Slot },
        I64x2ExtendLowI32x4S { src: Slot },
        I64x2ExtendHighI32x4S { src: Slot },
        I64x2ExtendLowI32x4U { src: Slot },
        I64x2ExtendHighI32x4U { src: Slot },
        F32x4Ceil { src: Slot },
        F32x4Floor { src: Slot },
        F32x4Trunc { src: Slot },
        F32x4Nearest { src: Slot },
        F32x4Abs { src: Slot },
        F32x4Neg { src: Slot },
        F32x4Sqrt { src: Slot },
        F64x2Ceil { src: Slot },
        F64x2Floor { src: Slot },
        F64x2Trunc { src: Slot },
        F64x2Nearest { src: Slot },
        F64x2Abs { src: Slot },
        F64x2Neg { src: Slot },
        F64x2Sqrt { src: Slot },
        I32x4TruncSatF32x4S { src: Slot },
        I32x4TruncSatF32x4U { src: Slot },
        F32x4ConvertI32x4S { src: Slot },
        F32x4ConvertI32x4U { src: Slot },
        I32x4TruncSatF64x2SZero { src: Slot },
        I32x4TruncSatF64x2UZero { src: Slot },
        F64x2ConvertLowI32x4S { src: Slot },
        F64x2ConvertLowI32x4U { src: Slot },
        F32x4DemoteF64x2Zero { src: Slot },
        F64x2PromoteLowF32x4 { src: Slot },
        I8x16Swizzle { a: Slot, b: Slot },
        I8x16Eq { a: Slot, b: Slot },
        I8x16Ne { a: Slot, b: Slot },
        I8x16LtS { a: Slot, b: Slot },
        I8x16LtU { a: Slot, b: Slot },
        I8x16GtS { a: Slot, b: Slot },
        I8x16GtU { a: Slot, b: Slot },
        I8x16LeS { a: Slot, b: Slot },
        I8x16LeU { a: Slot, b: Slot },
        I8x16GeS { a: Slot, b: Slot },
        I8x16GeU { a: Slot, b: Slot },
        I16x8Eq { a: Slot, b: Slot },
        I16x8Ne { a: Slot, b: Slot },
        I16x8LtS { a: Slot, b: Slot },
        I16x8LtU { a: Slot, b: Slot },
        I16x8GtS { a: Slot, b: Slot },
        I16x8GtU { a: Slot, b: Slot },
        I16x8LeS { a: Slot, b: Slot },
        I16x8LeU { a: Slot, b: Slot },
        I16x8GeS { a: Slot, b: Slot },
        I16x8GeU { a: Slot, b: Slot },
        I32x4Eq { a: Slot, b: Slot },
        I32x4Ne { a: Slot, b: Slot },
        I32x4LtS { a: Slot, b: Slot },
        I32x4LtU { a: Slot, b: Slot },
        I32x4GtS { a: Slot, b: Slot },
        I32x4GtU { a: Slot, b: Slot },
        I32x4LeS { a: Slot, b: Slot },
        I32x4LeU { a: Slot, b: Slot },
        I32x4GeS { a: Slot, b: Slot },
        I32x4GeU { a: Slot, b: Slot },
        I64x2Eq { a: Slot, b: Slot },
        I64x2Ne { a: Slot, b: Slot },
        I64x2LtS { a: Slot, b: Slot },
        I64x2GtS { a: Slot, b: Slot },
        I64x2LeS { a: Slot, b: Slot },
        I64x2GeS { a: Slot, b: Slot },
        F32x4Eq { a: Slot, b: Slot },
        F32x4Ne { a: Slot, b: Slot },
        F32x4Lt { a: Slot, b: Slot },
        F32x4Gt { a: Slot, b: Slot },
        F32x4Le { a: Slot, b: Slot },
        F32x4Ge { a: Slot, b: Slot },
        F64x2Eq { a: Slot, b: Slot },
        F64x2Ne { a: Slot, b: Slot },
        F64x2Lt { a: Slot, b: Slot },
        F64x2Gt { a: Slot, b: Slot },
        F64x2Le { a: Slot, b: Slot },
        F64x2Ge { a: Slot, b: Slot },
        V128And { a: Slot, b: Slot },
        V128AndNot { a: Slot, b: Slot },
        V128Or { a: Slot, b: Slot },
        V128Xor { a: Slot, b: Slot },
        I8x16NarrowI16x8S { a: Slot, b: Slot },
        I8x16NarrowI16x8U { a: Slot, b: Slot },
        I8x16Add { a: Slot, b: Slot },
        I8x16AddSatS { a: Slot, b: Slot },
        I8x16AddSatU { a: Slot, b: Slot },
        I8x16Sub { a: Slot, b: Slot },
        I8x16SubSatS { a: Slot, b: Slot },
        I8x16SubSatU { a: Slot, b: Slot },
        I8x16MinS { a: Slot, b: Slot },
        I8x16MinU { a: Slot, b: Slot },
        I8x16MaxS { a: Slot, b: Slot },
        I8x16MaxU { a: Slot, b: Slot },
        I8x16AvgrU { a: Slot, b: Slot },
        I16x8Q15MulrSatS { a: Slot, b: Slot },
        I16x8NarrowI32x4S { a: Slot, b: Slot },
        I16x8NarrowI32x4U { a: Slot, b: Slot },
        I16x8Add { a: Slot, b: Slot },
        I16x8AddSatS { a: Slot, b: Slot },
        I16x8AddSatU { a: Slot, b: Slot },
        I16x8Sub { a: Slot, b: Slot },
        I16x8SubSatS { a: Slot, b: Slot },
        I16x8SubSatU { a: Slot, b: Slot },
        I16x8Mul { a: Slot, b: Slot },
        I16x8MinS { a: Slot, b: Slot },
        I16x8MinU { a: Slot, b: Slot },
        I16x8MaxS { a: Slot, b: Slot },
        I16x8MaxU { a: Slot, b: Slot },
        I16x8AvgrU { a: Slot, b: Slot },
        I16x8ExtMulLowI8x16S { a: Slot, b: Slot },
        I16x8ExtMulHighI8x16S { a: Slot, b: Slot },
        I16x8ExtMulLowI8x16U { a: Slot, b: Slot },
        I16x8ExtMulHighI8x16U { a: Slot, b: Slot },
        I32x4Add { a: Slot, b: Slot },
        I32x4Sub { a: Slot, b: Slot },
        I32x4Mul { a: Slot, b: Slot },
        I32x4MinS { a: Slot, b: Slot },
        I32x4MinU { a: Slot, b: Slot },
        I32x4MaxS { a: Slot, b: Slot },
        I32x4MaxU { a: Slot, b: Slot },
        I32x4DotI16x8S { a: Slot, b: Slot },
        I32x4ExtMulLowI16x8S { a: Slot, b: Slot },
        I32x4ExtMulHighI16x8S { a: Slot, b: Slot },
        I32x4ExtMulLowI16x8U { a: Slot, b: Slot },
        I32x4ExtMulHighI16x8U { a: Slot, b: Slot },
        I64x2Add { a: Slot, b: Slot },
        I64x2Sub { a: Slot, b: Slot },
        I64x2Mul { a: Slot, b: Slot },
        I64x2ExtMulLowI32x4S { a: Slot, b: Slot },
        I64x2ExtMulHighI32x4S { a: Slot, b: Slot },
        I64x2ExtMulLowI32x4U { a: Slot, b: Slot },
        I64x2ExtMulHighI32x4U { a: Slot, b: Slot },
        F32x4Add { a: Slot, b: Slot },
        F32x4Sub { a: Slot, b: Slot },
        F32x4Mul { a: Slot, b: Slot },
        F32x4Div { a: Slot, b: Slot },
        F32x4Min { a: Slot, b: Slot },
        F32x4Max { a: Slot, b: Slot },
        F32x4PMin { a: Slot, b: Slot },
        F32x4PMax { a: Slot, b: Slot },
        F64x2Add { a: Slot, b: Slot },
        F64x2Sub { a: Slot, b: Slot },
        F64x2Mul { a: Slot, b: Slot },
        F64x2Div { a: Slot, b: Slot },
        F64x2Min { a: Slot, b: Slot },
        F64x2Max { a: Slot, b: Slot },
        F64x2PMin { a: Slot, b: Slot },
        F64x2PMax { a: Slot, b: Slot },
        I8x16Shl { a: Slot, b: Slot },
        I8x16ShrS { a: Slot, b: Slot },
        I8x16ShrU { a: Slot, b: Slot },
        I16x8Shl { a: Slot, b: Slot },
        I16x8ShrS { a: Slot, b: Slot },
        I16x8ShrU { a: Slot, b: Slot },
        I32x4Shl { a: Slot, b: Slot },
        I32x4ShrS { a: Slot, b: Slot },
        I32x4ShrU { a: Slot, b: Slot },
        I64x2Shl { a: Slot, b: Slot },
        I64x2ShrS { a: Slot, b: Slot },
        I64x2ShrU { a: Slot, b: Slot },
        V128AnyTrue { src: Slot },
        I8x16AllTrue { src: Slot },
        I8x16Bitmask { src: Slot },
        I16x8AllTrue { src: Slot },
        I16x8Bitmask { src: Slot },
        I32x4AllTrue { src: Slot },
        I32x4Bitmask { src: Slot },
        I64x2AllTrue { src: Slot },
        I64x2Bitmask { src: Slot },
        I8x16Splat { src: Slot },
        I16x8Splat { src: Slot },
        I32x4Splat { src: Slot },
        I64x2Splat { src: Slot },
        F32x4Splat { src: Slot },
        F64x2Splat { src: Slot },
        I8x16ExtractLaneS { src: Slot, lane: u8 },
        I8x16ExtractLaneU { src: Slot, lane: u8 },
        I16x8ExtractLaneS { src: Slot, lane: u8 },
        I16x8ExtractLaneU { src: Slot, lane: u8 },
        I32x4ExtractLane { src: Slot, lane: u8 },
        I64x2ExtractLane { src: Slot, lane: u8 },
        F32x4ExtractLane { src: Slot, lane: u8 },
        F64x2ExtractLane { src: Slot, lane: u8 },
        I8x16ReplaceLane { a: Slot, b: Slot, lane: u8 },
        I16x8ReplaceLane { a: Slot, b: Slot, lane: u8 },
        I32x4ReplaceLane { a: Slot, b: Slot, lane: u8 },
        I64x2ReplaceLane { a: Slot, b: Slot, lane: u8 },
        F32x4ReplaceLane { a: Slot, b: Slot, lane: u8 },
        F64x2ReplaceLane { a: Slot, b: Slot, lane: u8 },
        I8x16Shuffle { a: Slot, b: Slot, lanes: u32 },
        V128Bitselect { a: Slot, b: Slot, c: Slot },
    }

    branches {
        Br {},
        /// Branches when the i32 in `cond` is non-zero.
        BrIfNez { cond: Slot },
        /// Branches when the i32 in `cond` is zero.
        BrIfEqz { cond: Slot },
        BrI64Eqz { a: Slot }, BrI64Nez { a: Slot },
        BrI32Eq { a: Slot, b: Slot }, BrI32Ne { a: Slot, b: Slot },
        BrI32LtS { a: Slot, b: Slot }, BrI32LtU { a: Slot, b: Slot },
        BrI32GtS { a: Slot, b: Slot }, BrI32GtU { a: Slot, b: Slot },
        BrI32LeS { a: Slot, b: Slot }, BrI32LeU { a: Slot, b: Slot },
        BrI32GeS { a: Slot, b: Slot }, BrI32GeU { a: Slot, b: Slot },
        BrI32EqImm { a: Slot, imm: i32 }, BrI32NeImm { a: Slot, imm: i32 },
        BrI32LtSImm { a: Slot, imm: i32 }, BrI32LtUImm { a: Slot, imm: i32 },
        BrI32GtSImm { a: Slot, imm: i32 }, BrI32GtUImm { a: Slot, imm: i32 },
        BrI32LeSImm { a: Slot, imm: i32 }, BrI32LeUImm { a: Slot, imm: i32 },
        BrI32GeSImm { a: Slot, imm: i32 }, BrI32GeUImm { a: Slot, imm: i32 },
        BrI64Eq { a: Slot, b: Slot }, BrI64Ne { a: Slot, b: Slot },
        BrI64LtS { a: Slot, b: Slot }, BrI64LtU { a: Slot, b: Slot },
        BrI64GtS { a: Slot, b: Slot }, BrI64GtU { a: Slot, b: Slot },
        BrI64LeS { a: Slot, b: Slot }, BrI64LeU { a: Slot, b: Slot },
        BrI64GeS { a: Slot, b: Slot }, BrI64GeU { a: Slot, b: Slot },
        BrI64EqImm { a: Slot, imm: i32 }, BrI64NeImm { a: Slot, imm: i32 },
        BrI64LtSImm { a: Slot, imm: i32 }, BrI64LtUImm { a: Slot, imm: i32 },
        BrI64GtSImm { a: Slot, imm: i32 }, BrI64GtUImm { a: Slot, imm: i32 },
        BrI64LeSImm { a: Slot, imm: i32 }, BrI64LeUImm { a: Slot, imm: i32 },
        BrI64GeSImm { a: Slot, imm: i32 }, BrI64GeUImm { a: Slot, imm: i32 },
    }

    others {
        /// Traps with "unreachable".
        Unreachable {},
        /// Charges `amount` units of fuel for the block that starts here (fuel metering on).
        ConsumeFuel { amount: u32 },
        /// Copies `len` cells from `src..` to `dst..` (memmove semantics).
        CopySpan { dst: Slot, src: Slot, len: u16 },
        /// Jumps to entry `index` (clamped to `len`) of the `len + 1` `Br` ops that follow.
        BrTable { index: Slot, len: u32 },
        /// Returns no values.
        Return {},
        /// Returns the one-cell value in `src`.
        ReturnSlot { src: Slot },
        /// Returns the two-cell value in `src`.
        ReturnSlot2 { src: Slot },
        /// Returns a 32-bit constant.
        ReturnImm32 { value: u32 },
        /// Returns `len` cells starting at `src`.
        ReturnSpan { src: Slot, len: u16 },
        /// Calls a function defined in this module; arguments start at `args`,
        /// results are written back starting at `args`.
        CallInternal { func: u32, args: Slot },
        /// Calls an imported function (`func` is the module's function index).
        CallImported { func: u32, args: Slot },
        /// Calls through table `table` at the index in `index`, checking the module type `ty`.
        CallIndirect { index: Slot, args: Slot, table: u16, ty: u32 },

        /// Stores the low 8 bits of `value` to memory 0.
        Store8 { addr: Slot, value: Slot, offset: u32 },
        Store16 { addr: Slot, value: Slot, offset: u32 },
        Store32 { addr: Slot, value: Slot, offset: u32 },
        Store64 { addr: Slot, value: Slot, offset: u32 },
        /// A store to a memory other than 0.
        StoreMem { addr: Slot, value: Slot, offset: u32, mem: u8, kind: StoreKind },
        /// `memory.fill`: dst, value, len in `args..args+3`.
        MemoryFill { args: Slot, mem: u32 },
        /// `memory.copy`: dst, src, len in `args..args+3`.
        MemoryCopy { args: Slot, dst_mem: u16, src_mem: u16 },
        /// `memory.init`: dst, src, len in `args..args+3`.
        MemoryInit { args: Slot, mem: u16, data: u32 },
        DataDrop { data: u32 },

        GlobalSet { src: Slot, global: u32 },
        GlobalSet2 { src: Slot, global: u32 },
        TableSet { index: Slot, value: Slot, table: u32 },
        /// `table.fill`: index, value, len in `args..args+3`.
        TableFill { args: Slot, table: u32 },
        /// `table.copy`: dst, src, len in `args..args+3`.
        TableCopy { args: Slot, dst_table: u32, src_table: u32 },
        /// `table.init`: dst, src, len in `args..args+3`.
        TableInit { args: Slot, table: u32, elem: u32 },
        ElemDrop { elem: u32 },

        // ---- SIMD stores
        V128Store { addr: Slot, value: Slot, offset: u32, mem: u8 },
        V128Store8Lane { addr: Slot, value: Slot, offset: u32, lane: u8, mem: u8 },
        V128Store16Lane { addr: Slot, value: Slot, offset: u32, lane: u8, mem: u8 },
        V128Store32Lane { addr: Slot, value: Slot, offset: u32, lane: u8, mem: u8 },
        V128Store64Lane { addr: Slot, value: Slot, offset: u32, lane: u8, mem: u8 },
    }
}

/// The kind of a load from a memory other than memory 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadKind {
    Load32,
    Load64,
    Load8U,
    Load16U,
    I32Load8S,
    I32Load16S,
    I64Load8S,
    I64Load16S,
    I64Load32S,
}

/// The kind of a store to a memory other than memory 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreKind {
    Store8,
    Store16,
    Store32,
    Store64,
}

/// A translated function body, ready to run.
#[derive(Debug)]
pub(crate) struct CompiledFunc {
    /// The instructions.
    pub ops: Box<[Op]>,
    /// Cells taken by the parameters (slots `0..param_cells`).
    pub param_cells: u32,
    /// Cells taken by declared locals, zeroed on entry (slots `param_cells..param_cells+local_cells`).
    pub local_cells: u32,
    /// Total cells the frame needs: params, locals and temporaries.
    pub frame_cells: u32,
    /// Cells taken by the results (written to slots `0..result_cells` on return).
    pub result_cells: u32,
    /// Lane selectors of the function's `i8x16.shuffle` ops, indexed by their `lanes` field.
    pub shuffles: Box<[[u8; 16]]>,
    /// 64-bit constants of ops with a `k` field (an `f64` takes 8 bytes, too wide for an op).
    pub consts: Box<[u64]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_is_twelve_bytes() {
        // Size matters for cache density; growing it should be a conscious decision.
        assert_eq!(std::mem::size_of::<Op>(), 12);
    }

    #[test]
    fn max_u16_field_sees_every_slot() {
        assert_eq!(Op::I32Add { dst: 1, a: 7, b: 3 }.max_u16_field(), 7);
        assert_eq!(Op::BrI32LtS { a: 4, b: 9, offset: 1000 }.max_u16_field(), 9);
        assert_eq!(Op::Store8 { addr: 2, value: 5, offset: 70_000 }.max_u16_field(), 5);
        assert_eq!(Op::CopySpan { dst: 1, src: 2, len: 40 }.max_u16_field(), 40);
        assert_eq!(Op::ReturnImm32 { value: 99 }.max_u16_field(), 0);
    }

    #[test]
    fn dst_and_offset_helpers_find_fields() {
        let mut op = Op::I32Add { dst: 1, a: 2, b: 3 };
        *op.dst_mut().unwrap() = 9;
        assert_eq!(op, Op::I32Add { dst: 9, a: 2, b: 3 });
        let mut br = Op::BrI32LtS { a: 0, b: 1, offset: 0 };
        *br.offset_mut().unwrap() = -4;
        assert_eq!(br, Op::BrI32LtS { a: 0, b: 1, offset: -4 });
        assert!(Op::Return {}.dst_mut().is_none());
    }
}
