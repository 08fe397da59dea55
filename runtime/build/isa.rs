//! The instruction set of epsilon's IR, as data: every op the translator emits and the
//! executor runs is declared here once. `gen.rs` turns these rows into the `Op` enum, the
//! executor's handlers and the translator's tables (see the module docs of `build.rs`).
//!
//! A numeric operator is one row: its WebAssembly name (as `wasmparser::Operator` spells it),
//! the type of its operands and result, the one function of `semantics/` that computes it, and
//! its shape, which decides the operand forms generated for it:
//!
//! - unary: `Name { dst, src }`;
//! - binary: `Name_ss { dst, a, b }` always, plus immediate forms when an operand is a
//!   constant: `_si`/`_is` (a 32-bit immediate: i32 and f32 bits, i64 sign-extended) or, for
//!   f64, `_sk`/`_ks` (a 64-bit constant, kept after the code in a `Data64` op). Commutative operators and
//!   comparisons with a mirror need no `_is`: the translator swaps the operands;
//! - comparisons (and `eqz`) also get fused compare-and-branch forms, `BrName_ss`/`_si`/`_sk`
//!   ("branch if true"), and the branch-if-false forms: the negated comparison's for integers,
//!   `BrNotName_*` for floats (where `!(a < b)` is not `a >= b`);
//! - loads and stores: one op per kind and width, `Name_m0` for memory 0 (the fast path) and
//!   `Name_m` for any memory; several WebAssembly operators may share a kind (`i32.load`,
//!   `f32.load` and `i64.load32_u` all load 4 bytes zero-extended).
//!
//! Everything else (control, calls, tables, bulk memory, SIMD lanes) is a custom op: its fields
//! and the hand-written function in `exec/` that runs it.
//!
//! ## Adding an operator
//!
//! A numeric operator is one row here and one function in `semantics/`; nothing else changes.
//! `f64.copysign`, for example, is
//!
//! ```text
//! runtime/build/isa.rs         ("F64Copysign", F64, F64, "float::f64_copysign", O),
//! runtime/src/semantics/float.rs
//!     pub(crate) fn f64_copysign(a: u64, b: u64) -> u64 {
//!         (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000)
//!     }
//! ```
//!
//! (`git diff --stat`: 2 files, 5 lines). From the row the build generates its 14 forms
//! (`F64Copysign_ss`, `_sk`, `_ks`, `_rs`, `_sr`, `_rk`, `_kr` and each with its result in the
//! accumulator, `_R..`), their handlers in both dispatch backends, the translator's mapping from
//! `wasmparser::Operator::F64Copysign` to the cheapest form for the operands at hand, the
//! accumulator twins and the disassembly.

/// A WebAssembly value type, as the translator and the immediate forms see it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
}
use Ty::*;

impl Ty {
    /// The `crate::types::ValType` variant.
    pub fn val_type(self) -> &'static str {
        match self {
            I32 => "ValType::I32",
            I64 => "ValType::I64",
            F32 => "ValType::F32",
            F64 => "ValType::F64",
            V128 => "ValType::V128",
        }
    }
}

/// How a binary operator takes a constant operand.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// `a op b == b op a`: `_si` serves both sides.
    Commutative,
    /// Order matters: `_si` and `_is`.
    Ordered,
    /// A comparison: `k < a` is `a > k`, the `mirror`'s `_si`. `negation` is the comparison
    /// that is true exactly when this one is false (integers only), for branch-if-false.
    Compare { mirror: &'static str, negation: Option<&'static str> },
    /// Only `_ss` (vector operators).
    SlotsOnly,
}

/// `(name, input, output, semantics function)`: `dst = f(src)`.
pub type Unary = (&'static str, Ty, Ty, &'static str);
/// `(name, input, output, semantics function, shape)`: `dst = f(a, b)`.
pub type Binary = (&'static str, Ty, Ty, &'static str, Shape);
/// `(name, input, semantics function)`: a test of one value (`eqz`), with branch forms.
pub type UnaryCompare = (&'static str, Ty, &'static str);
/// `(kind name, width in bytes, semantics function, [(wasm operator, result type)])`.
pub type Load = (&'static str, u32, &'static str, &'static [(&'static str, Ty)]);
/// `(kind name, width in bytes, semantics function, [wasm operator])`.
pub type Store = (&'static str, u32, &'static str, &'static [&'static str]);

/// What a custom op is, for the translator's helpers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// Writes one result to its `dst` field (the translator may retarget it).
    Result,
    /// Branches by its `offset` field (relative to the op).
    Branch,
    /// Anything else.
    Other,
}

/// A custom op: name, role, fields (`name: type`, `dst`/`offset` implied by the role), the
/// function in `exec/` that runs it, and its doc line.
pub struct Custom {
    pub name: &'static str,
    pub role: Role,
    pub fields: &'static [(&'static str, &'static str)],
    pub handler: &'static str,
    pub doc: &'static str,
}

const fn custom(
    name: &'static str,
    role: Role,
    fields: &'static [(&'static str, &'static str)],
    handler: &'static str,
    doc: &'static str,
) -> Custom {
    Custom { name, role, fields, handler, doc }
}

const fn cmp(mirror: &'static str, negation: &'static str) -> Shape {
    Shape::Compare { mirror, negation: Some(negation) }
}

const fn fcmp(mirror: &'static str) -> Shape {
    Shape::Compare { mirror, negation: None }
}

use Shape::{Commutative as C, Ordered as O, SlotsOnly as V};

pub const UNARY: &[Unary] = &[
    ("I32Clz", I32, I32, "int::i32_clz"),
    ("I32Ctz", I32, I32, "int::i32_ctz"),
    ("I32Popcnt", I32, I32, "int::i32_popcnt"),
    ("I32Extend8S", I32, I32, "int::i32_extend8_s"),
    ("I32Extend16S", I32, I32, "int::i32_extend16_s"),
    ("I64Clz", I64, I64, "int::i64_clz"),
    ("I64Ctz", I64, I64, "int::i64_ctz"),
    ("I64Popcnt", I64, I64, "int::i64_popcnt"),
    ("I64Extend8S", I64, I64, "int::i64_extend8_s"),
    ("I64Extend16S", I64, I64, "int::i64_extend16_s"),
    ("I64Extend32S", I64, I64, "int::i64_extend32_s"),
    ("F32Abs", F32, F32, "float::f32_abs"),
    ("F32Neg", F32, F32, "float::f32_neg"),
    ("F32Ceil", F32, F32, "float::f32_ceil"),
    ("F32Floor", F32, F32, "float::f32_floor"),
    ("F32Trunc", F32, F32, "float::f32_trunc"),
    ("F32Nearest", F32, F32, "float::f32_nearest"),
    ("F32Sqrt", F32, F32, "float::f32_sqrt"),
    ("F64Abs", F64, F64, "float::f64_abs"),
    ("F64Neg", F64, F64, "float::f64_neg"),
    ("F64Ceil", F64, F64, "float::f64_ceil"),
    ("F64Floor", F64, F64, "float::f64_floor"),
    ("F64Trunc", F64, F64, "float::f64_trunc"),
    ("F64Nearest", F64, F64, "float::f64_nearest"),
    ("F64Sqrt", F64, F64, "float::f64_sqrt"),
    // conversions
    ("I32WrapI64", I64, I32, "convert::i32_wrap_i64"),
    ("I64ExtendI32S", I32, I64, "convert::i64_extend_i32_s"),
    ("I64ExtendI32U", I32, I64, "convert::i64_extend_i32_u"),
    ("I32TruncF32S", F32, I32, "convert::i32_trunc_f32_s"),
    ("I32TruncF32U", F32, I32, "convert::i32_trunc_f32_u"),
    ("I32TruncF64S", F64, I32, "convert::i32_trunc_f64_s"),
    ("I32TruncF64U", F64, I32, "convert::i32_trunc_f64_u"),
    ("I64TruncF32S", F32, I64, "convert::i64_trunc_f32_s"),
    ("I64TruncF32U", F32, I64, "convert::i64_trunc_f32_u"),
    ("I64TruncF64S", F64, I64, "convert::i64_trunc_f64_s"),
    ("I64TruncF64U", F64, I64, "convert::i64_trunc_f64_u"),
    ("I32TruncSatF32S", F32, I32, "convert::i32_trunc_sat_f32_s"),
    ("I32TruncSatF32U", F32, I32, "convert::i32_trunc_sat_f32_u"),
    ("I32TruncSatF64S", F64, I32, "convert::i32_trunc_sat_f64_s"),
    ("I32TruncSatF64U", F64, I32, "convert::i32_trunc_sat_f64_u"),
    ("I64TruncSatF32S", F32, I64, "convert::i64_trunc_sat_f32_s"),
    ("I64TruncSatF32U", F32, I64, "convert::i64_trunc_sat_f32_u"),
    ("I64TruncSatF64S", F64, I64, "convert::i64_trunc_sat_f64_s"),
    ("I64TruncSatF64U", F64, I64, "convert::i64_trunc_sat_f64_u"),
    ("F32ConvertI32S", I32, F32, "convert::f32_convert_i32_s"),
    ("F32ConvertI32U", I32, F32, "convert::f32_convert_i32_u"),
    ("F32ConvertI64S", I64, F32, "convert::f32_convert_i64_s"),
    ("F32ConvertI64U", I64, F32, "convert::f32_convert_i64_u"),
    ("F64ConvertI32S", I32, F64, "convert::f64_convert_i32_s"),
    ("F64ConvertI32U", I32, F64, "convert::f64_convert_i32_u"),
    ("F64ConvertI64S", I64, F64, "convert::f64_convert_i64_s"),
    ("F64ConvertI64U", I64, F64, "convert::f64_convert_i64_u"),
    ("F32DemoteF64", F64, F32, "convert::f32_demote_f64"),
    ("F64PromoteF32", F32, F64, "convert::f64_promote_f32"),
    // SIMD
    ("V128Not", V128, V128, "simd::v128_not"),
    ("V128AnyTrue", V128, I32, "simd::v128_any_true"),
    ("I8x16Abs", V128, V128, "simd::i8x16_abs"),
    ("I8x16Neg", V128, V128, "simd::i8x16_neg"),
    ("I8x16Popcnt", V128, V128, "simd::i8x16_popcnt"),
    ("I8x16AllTrue", V128, I32, "simd::i8x16_all_true"),
    ("I8x16Bitmask", V128, I32, "simd::i8x16_bitmask"),
    ("I16x8Abs", V128, V128, "simd::i16x8_abs"),
    ("I16x8Neg", V128, V128, "simd::i16x8_neg"),
    ("I16x8AllTrue", V128, I32, "simd::i16x8_all_true"),
    ("I16x8Bitmask", V128, I32, "simd::i16x8_bitmask"),
    ("I16x8ExtAddPairwiseI8x16S", V128, V128, "simd::i16x8_extadd_pairwise_i8x16_s"),
    ("I16x8ExtAddPairwiseI8x16U", V128, V128, "simd::i16x8_extadd_pairwise_i8x16_u"),
    ("I16x8ExtendLowI8x16S", V128, V128, "simd::i16x8_extend_low_i8x16_s"),
    ("I16x8ExtendHighI8x16S", V128, V128, "simd::i16x8_extend_high_i8x16_s"),
    ("I16x8ExtendLowI8x16U", V128, V128, "simd::i16x8_extend_low_i8x16_u"),
    ("I16x8ExtendHighI8x16U", V128, V128, "simd::i16x8_extend_high_i8x16_u"),
    ("I32x4Abs", V128, V128, "simd::i32x4_abs"),
    ("I32x4Neg", V128, V128, "simd::i32x4_neg"),
    ("I32x4AllTrue", V128, I32, "simd::i32x4_all_true"),
    ("I32x4Bitmask", V128, I32, "simd::i32x4_bitmask"),
    ("I32x4ExtAddPairwiseI16x8S", V128, V128, "simd::i32x4_extadd_pairwise_i16x8_s"),
    ("I32x4ExtAddPairwiseI16x8U", V128, V128, "simd::i32x4_extadd_pairwise_i16x8_u"),
    ("I32x4ExtendLowI16x8S", V128, V128, "simd::i32x4_extend_low_i16x8_s"),
    ("I32x4ExtendHighI16x8S", V128, V128, "simd::i32x4_extend_high_i16x8_s"),
    ("I32x4ExtendLowI16x8U", V128, V128, "simd::i32x4_extend_low_i16x8_u"),
    ("I32x4ExtendHighI16x8U", V128, V128, "simd::i32x4_extend_high_i16x8_u"),
    ("I64x2Abs", V128, V128, "simd::i64x2_abs"),
    ("I64x2Neg", V128, V128, "simd::i64x2_neg"),
    ("I64x2AllTrue", V128, I32, "simd::i64x2_all_true"),
    ("I64x2Bitmask", V128, I32, "simd::i64x2_bitmask"),
    ("I64x2ExtendLowI32x4S", V128, V128, "simd::i64x2_extend_low_i32x4_s"),
    ("I64x2ExtendHighI32x4S", V128, V128, "simd::i64x2_extend_high_i32x4_s"),
    ("I64x2ExtendLowI32x4U", V128, V128, "simd::i64x2_extend_low_i32x4_u"),
    ("I64x2ExtendHighI32x4U", V128, V128, "simd::i64x2_extend_high_i32x4_u"),
    ("F32x4Ceil", V128, V128, "simd::f32x4_ceil"),
    ("F32x4Floor", V128, V128, "simd::f32x4_floor"),
    ("F32x4Trunc", V128, V128, "simd::f32x4_trunc"),
    ("F32x4Nearest", V128, V128, "simd::f32x4_nearest"),
    ("F32x4Abs", V128, V128, "simd::f32x4_abs"),
    ("F32x4Neg", V128, V128, "simd::f32x4_neg"),
    ("F32x4Sqrt", V128, V128, "simd::f32x4_sqrt"),
    ("F64x2Ceil", V128, V128, "simd::f64x2_ceil"),
    ("F64x2Floor", V128, V128, "simd::f64x2_floor"),
    ("F64x2Trunc", V128, V128, "simd::f64x2_trunc"),
    ("F64x2Nearest", V128, V128, "simd::f64x2_nearest"),
    ("F64x2Abs", V128, V128, "simd::f64x2_abs"),
    ("F64x2Neg", V128, V128, "simd::f64x2_neg"),
    ("F64x2Sqrt", V128, V128, "simd::f64x2_sqrt"),
    ("I32x4TruncSatF32x4S", V128, V128, "simd::i32x4_trunc_sat_f32x4_s"),
    ("I32x4TruncSatF32x4U", V128, V128, "simd::i32x4_trunc_sat_f32x4_u"),
    ("F32x4ConvertI32x4S", V128, V128, "simd::f32x4_convert_i32x4_s"),
    ("F32x4ConvertI32x4U", V128, V128, "simd::f32x4_convert_i32x4_u"),
    ("I32x4TruncSatF64x2SZero", V128, V128, "simd::i32x4_trunc_sat_f64x2_s_zero"),
    ("I32x4TruncSatF64x2UZero", V128, V128, "simd::i32x4_trunc_sat_f64x2_u_zero"),
    ("F64x2ConvertLowI32x4S", V128, V128, "simd::f64x2_convert_low_i32x4_s"),
    ("F64x2ConvertLowI32x4U", V128, V128, "simd::f64x2_convert_low_i32x4_u"),
    ("F32x4DemoteF64x2Zero", V128, V128, "simd::f32x4_demote_f64x2_zero"),
    ("F64x2PromoteLowF32x4", V128, V128, "simd::f64x2_promote_low_f32x4"),
    ("I8x16Splat", I32, V128, "simd::i8x16_splat"),
    ("I16x8Splat", I32, V128, "simd::i16x8_splat"),
    ("I32x4Splat", I32, V128, "simd::i32x4_splat"),
    ("I64x2Splat", I64, V128, "simd::i64x2_splat"),
    ("F32x4Splat", F32, V128, "simd::f32x4_splat"),
    ("F64x2Splat", F64, V128, "simd::f64x2_splat"),
];

pub const UNARY_COMPARE: &[UnaryCompare] =
    &[("I32Eqz", I32, "int::i32_eqz"), ("I64Eqz", I64, "int::i64_eqz")];

pub const BINARY: &[Binary] = &[
    // i32
    ("I32Add", I32, I32, "int::i32_add", C),
    ("I32Sub", I32, I32, "int::i32_sub", O),
    ("I32Mul", I32, I32, "int::i32_mul", C),
    ("I32DivS", I32, I32, "int::i32_div_s", O),
    ("I32DivU", I32, I32, "int::i32_div_u", O),
    ("I32RemS", I32, I32, "int::i32_rem_s", O),
    ("I32RemU", I32, I32, "int::i32_rem_u", O),
    ("I32And", I32, I32, "int::i32_and", C),
    ("I32Or", I32, I32, "int::i32_or", C),
    ("I32Xor", I32, I32, "int::i32_xor", C),
    ("I32Shl", I32, I32, "int::i32_shl", O),
    ("I32ShrS", I32, I32, "int::i32_shr_s", O),
    ("I32ShrU", I32, I32, "int::i32_shr_u", O),
    ("I32Rotl", I32, I32, "int::i32_rotl", O),
    ("I32Rotr", I32, I32, "int::i32_rotr", O),
    ("I32Eq", I32, I32, "int::i32_eq", cmp("I32Eq", "I32Ne")),
    ("I32Ne", I32, I32, "int::i32_ne", cmp("I32Ne", "I32Eq")),
    ("I32LtS", I32, I32, "int::i32_lt_s", cmp("I32GtS", "I32GeS")),
    ("I32LtU", I32, I32, "int::i32_lt_u", cmp("I32GtU", "I32GeU")),
    ("I32GtS", I32, I32, "int::i32_gt_s", cmp("I32LtS", "I32LeS")),
    ("I32GtU", I32, I32, "int::i32_gt_u", cmp("I32LtU", "I32LeU")),
    ("I32LeS", I32, I32, "int::i32_le_s", cmp("I32GeS", "I32GtS")),
    ("I32LeU", I32, I32, "int::i32_le_u", cmp("I32GeU", "I32GtU")),
    ("I32GeS", I32, I32, "int::i32_ge_s", cmp("I32LeS", "I32LtS")),
    ("I32GeU", I32, I32, "int::i32_ge_u", cmp("I32LeU", "I32LtU")),
    // i64
    ("I64Add", I64, I64, "int::i64_add", C),
    ("I64Sub", I64, I64, "int::i64_sub", O),
    ("I64Mul", I64, I64, "int::i64_mul", C),
    ("I64DivS", I64, I64, "int::i64_div_s", O),
    ("I64DivU", I64, I64, "int::i64_div_u", O),
    ("I64RemS", I64, I64, "int::i64_rem_s", O),
    ("I64RemU", I64, I64, "int::i64_rem_u", O),
    ("I64And", I64, I64, "int::i64_and", C),
    ("I64Or", I64, I64, "int::i64_or", C),
    ("I64Xor", I64, I64, "int::i64_xor", C),
    ("I64Shl", I64, I64, "int::i64_shl", O),
    ("I64ShrS", I64, I64, "int::i64_shr_s", O),
    ("I64ShrU", I64, I64, "int::i64_shr_u", O),
    ("I64Rotl", I64, I64, "int::i64_rotl", O),
    ("I64Rotr", I64, I64, "int::i64_rotr", O),
    ("I64Eq", I64, I32, "int::i64_eq", cmp("I64Eq", "I64Ne")),
    ("I64Ne", I64, I32, "int::i64_ne", cmp("I64Ne", "I64Eq")),
    ("I64LtS", I64, I32, "int::i64_lt_s", cmp("I64GtS", "I64GeS")),
    ("I64LtU", I64, I32, "int::i64_lt_u", cmp("I64GtU", "I64GeU")),
    ("I64GtS", I64, I32, "int::i64_gt_s", cmp("I64LtS", "I64LeS")),
    ("I64GtU", I64, I32, "int::i64_gt_u", cmp("I64LtU", "I64LeU")),
    ("I64LeS", I64, I32, "int::i64_le_s", cmp("I64GeS", "I64GtS")),
    ("I64LeU", I64, I32, "int::i64_le_u", cmp("I64GeU", "I64GtU")),
    ("I64GeS", I64, I32, "int::i64_ge_s", cmp("I64LeS", "I64LtS")),
    ("I64GeU", I64, I32, "int::i64_ge_u", cmp("I64LeU", "I64LtU")),
    // f32
    ("F32Add", F32, F32, "float::f32_add", C),
    ("F32Sub", F32, F32, "float::f32_sub", O),
    ("F32Mul", F32, F32, "float::f32_mul", C),
    ("F32Div", F32, F32, "float::f32_div", O),
    ("F32Min", F32, F32, "float::f32_min", O),
    ("F32Max", F32, F32, "float::f32_max", O),
    ("F32Copysign", F32, F32, "float::f32_copysign", O),
    ("F32Eq", F32, I32, "float::f32_eq", fcmp("F32Eq")),
    ("F32Ne", F32, I32, "float::f32_ne", fcmp("F32Ne")),
    ("F32Lt", F32, I32, "float::f32_lt", fcmp("F32Gt")),
    ("F32Gt", F32, I32, "float::f32_gt", fcmp("F32Lt")),
    ("F32Le", F32, I32, "float::f32_le", fcmp("F32Ge")),
    ("F32Ge", F32, I32, "float::f32_ge", fcmp("F32Le")),
    // f64
    ("F64Add", F64, F64, "float::f64_add", C),
    ("F64Sub", F64, F64, "float::f64_sub", O),
    ("F64Mul", F64, F64, "float::f64_mul", C),
    ("F64Div", F64, F64, "float::f64_div", O),
    ("F64Min", F64, F64, "float::f64_min", O),
    ("F64Max", F64, F64, "float::f64_max", O),
    ("F64Copysign", F64, F64, "float::f64_copysign", O),
    ("F64Eq", F64, I32, "float::f64_eq", fcmp("F64Eq")),
    ("F64Ne", F64, I32, "float::f64_ne", fcmp("F64Ne")),
    ("F64Lt", F64, I32, "float::f64_lt", fcmp("F64Gt")),
    ("F64Gt", F64, I32, "float::f64_gt", fcmp("F64Lt")),
    ("F64Le", F64, I32, "float::f64_le", fcmp("F64Ge")),
    ("F64Ge", F64, I32, "float::f64_ge", fcmp("F64Le")),
    // SIMD
    ("I8x16Swizzle", V128, V128, "simd::i8x16_swizzle", V),
    ("I8x16Eq", V128, V128, "simd::i8x16_eq", V),
    ("I8x16Ne", V128, V128, "simd::i8x16_ne", V),
    ("I8x16LtS", V128, V128, "simd::i8x16_lt_s", V),
    ("I8x16LtU", V128, V128, "simd::i8x16_lt_u", V),
    ("I8x16GtS", V128, V128, "simd::i8x16_gt_s", V),
    ("I8x16GtU", V128, V128, "simd::i8x16_gt_u", V),
    ("I8x16LeS", V128, V128, "simd::i8x16_le_s", V),
    ("I8x16LeU", V128, V128, "simd::i8x16_le_u", V),
    ("I8x16GeS", V128, V128, "simd::i8x16_ge_s", V),
    ("I8x16GeU", V128, V128, "simd::i8x16_ge_u", V),
    ("I16x8Eq", V128, V128, "simd::i16x8_eq", V),
    ("I16x8Ne", V128, V128, "simd::i16x8_ne", V),
    ("I16x8LtS", V128, V128, "simd::i16x8_lt_s", V),
    ("I16x8LtU", V128, V128, "simd::i16x8_lt_u", V),
    ("I16x8GtS", V128, V128, "simd::i16x8_gt_s", V),
    ("I16x8GtU", V128, V128, "simd::i16x8_gt_u", V),
    ("I16x8LeS", V128, V128, "simd::i16x8_le_s", V),
    ("I16x8LeU", V128, V128, "simd::i16x8_le_u", V),
    ("I16x8GeS", V128, V128, "simd::i16x8_ge_s", V),
    ("I16x8GeU", V128, V128, "simd::i16x8_ge_u", V),
    ("I32x4Eq", V128, V128, "simd::i32x4_eq", V),
    ("I32x4Ne", V128, V128, "simd::i32x4_ne", V),
    ("I32x4LtS", V128, V128, "simd::i32x4_lt_s", V),
    ("I32x4LtU", V128, V128, "simd::i32x4_lt_u", V),
    ("I32x4GtS", V128, V128, "simd::i32x4_gt_s", V),
    ("I32x4GtU", V128, V128, "simd::i32x4_gt_u", V),
    ("I32x4LeS", V128, V128, "simd::i32x4_le_s", V),
    ("I32x4LeU", V128, V128, "simd::i32x4_le_u", V),
    ("I32x4GeS", V128, V128, "simd::i32x4_ge_s", V),
    ("I32x4GeU", V128, V128, "simd::i32x4_ge_u", V),
    ("I64x2Eq", V128, V128, "simd::i64x2_eq", V),
    ("I64x2Ne", V128, V128, "simd::i64x2_ne", V),
    ("I64x2LtS", V128, V128, "simd::i64x2_lt_s", V),
    ("I64x2GtS", V128, V128, "simd::i64x2_gt_s", V),
    ("I64x2LeS", V128, V128, "simd::i64x2_le_s", V),
    ("I64x2GeS", V128, V128, "simd::i64x2_ge_s", V),
    ("F32x4Eq", V128, V128, "simd::f32x4_eq", V),
    ("F32x4Ne", V128, V128, "simd::f32x4_ne", V),
    ("F32x4Lt", V128, V128, "simd::f32x4_lt", V),
    ("F32x4Gt", V128, V128, "simd::f32x4_gt", V),
    ("F32x4Le", V128, V128, "simd::f32x4_le", V),
    ("F32x4Ge", V128, V128, "simd::f32x4_ge", V),
    ("F64x2Eq", V128, V128, "simd::f64x2_eq", V),
    ("F64x2Ne", V128, V128, "simd::f64x2_ne", V),
    ("F64x2Lt", V128, V128, "simd::f64x2_lt", V),
    ("F64x2Gt", V128, V128, "simd::f64x2_gt", V),
    ("F64x2Le", V128, V128, "simd::f64x2_le", V),
    ("F64x2Ge", V128, V128, "simd::f64x2_ge", V),
    ("V128And", V128, V128, "simd::v128_and", V),
    ("V128AndNot", V128, V128, "simd::v128_andnot", V),
    ("V128Or", V128, V128, "simd::v128_or", V),
    ("V128Xor", V128, V128, "simd::v128_xor", V),
    ("I8x16NarrowI16x8S", V128, V128, "simd::i8x16_narrow_i16x8_s", V),
    ("I8x16NarrowI16x8U", V128, V128, "simd::i8x16_narrow_i16x8_u", V),
    ("I8x16Add", V128, V128, "simd::i8x16_add", V),
    ("I8x16AddSatS", V128, V128, "simd::i8x16_add_sat_s", V),
    ("I8x16AddSatU", V128, V128, "simd::i8x16_add_sat_u", V),
    ("I8x16Sub", V128, V128, "simd::i8x16_sub", V),
    ("I8x16SubSatS", V128, V128, "simd::i8x16_sub_sat_s", V),
    ("I8x16SubSatU", V128, V128, "simd::i8x16_sub_sat_u", V),
    ("I8x16MinS", V128, V128, "simd::i8x16_min_s", V),
    ("I8x16MinU", V128, V128, "simd::i8x16_min_u", V),
    ("I8x16MaxS", V128, V128, "simd::i8x16_max_s", V),
    ("I8x16MaxU", V128, V128, "simd::i8x16_max_u", V),
    ("I8x16AvgrU", V128, V128, "simd::i8x16_avgr_u", V),
    ("I16x8Q15MulrSatS", V128, V128, "simd::i16x8_q15mulr_sat_s", V),
    ("I16x8NarrowI32x4S", V128, V128, "simd::i16x8_narrow_i32x4_s", V),
    ("I16x8NarrowI32x4U", V128, V128, "simd::i16x8_narrow_i32x4_u", V),
    ("I16x8Add", V128, V128, "simd::i16x8_add", V),
    ("I16x8AddSatS", V128, V128, "simd::i16x8_add_sat_s", V),
    ("I16x8AddSatU", V128, V128, "simd::i16x8_add_sat_u", V),
    ("I16x8Sub", V128, V128, "simd::i16x8_sub", V),
    ("I16x8SubSatS", V128, V128, "simd::i16x8_sub_sat_s", V),
    ("I16x8SubSatU", V128, V128, "simd::i16x8_sub_sat_u", V),
    ("I16x8Mul", V128, V128, "simd::i16x8_mul", V),
    ("I16x8MinS", V128, V128, "simd::i16x8_min_s", V),
    ("I16x8MinU", V128, V128, "simd::i16x8_min_u", V),
    ("I16x8MaxS", V128, V128, "simd::i16x8_max_s", V),
    ("I16x8MaxU", V128, V128, "simd::i16x8_max_u", V),
    ("I16x8AvgrU", V128, V128, "simd::i16x8_avgr_u", V),
    ("I16x8ExtMulLowI8x16S", V128, V128, "simd::i16x8_extmul_low_i8x16_s", V),
    ("I16x8ExtMulHighI8x16S", V128, V128, "simd::i16x8_extmul_high_i8x16_s", V),
    ("I16x8ExtMulLowI8x16U", V128, V128, "simd::i16x8_extmul_low_i8x16_u", V),
    ("I16x8ExtMulHighI8x16U", V128, V128, "simd::i16x8_extmul_high_i8x16_u", V),
    ("I32x4Add", V128, V128, "simd::i32x4_add", V),
    ("I32x4Sub", V128, V128, "simd::i32x4_sub", V),
    ("I32x4Mul", V128, V128, "simd::i32x4_mul", V),
    ("I32x4MinS", V128, V128, "simd::i32x4_min_s", V),
    ("I32x4MinU", V128, V128, "simd::i32x4_min_u", V),
    ("I32x4MaxS", V128, V128, "simd::i32x4_max_s", V),
    ("I32x4MaxU", V128, V128, "simd::i32x4_max_u", V),
    ("I32x4DotI16x8S", V128, V128, "simd::i32x4_dot_i16x8_s", V),
    ("I32x4ExtMulLowI16x8S", V128, V128, "simd::i32x4_extmul_low_i16x8_s", V),
    ("I32x4ExtMulHighI16x8S", V128, V128, "simd::i32x4_extmul_high_i16x8_s", V),
    ("I32x4ExtMulLowI16x8U", V128, V128, "simd::i32x4_extmul_low_i16x8_u", V),
    ("I32x4ExtMulHighI16x8U", V128, V128, "simd::i32x4_extmul_high_i16x8_u", V),
    ("I64x2Add", V128, V128, "simd::i64x2_add", V),
    ("I64x2Sub", V128, V128, "simd::i64x2_sub", V),
    ("I64x2Mul", V128, V128, "simd::i64x2_mul", V),
    ("I64x2ExtMulLowI32x4S", V128, V128, "simd::i64x2_extmul_low_i32x4_s", V),
    ("I64x2ExtMulHighI32x4S", V128, V128, "simd::i64x2_extmul_high_i32x4_s", V),
    ("I64x2ExtMulLowI32x4U", V128, V128, "simd::i64x2_extmul_low_i32x4_u", V),
    ("I64x2ExtMulHighI32x4U", V128, V128, "simd::i64x2_extmul_high_i32x4_u", V),
    ("F32x4Add", V128, V128, "simd::f32x4_add", V),
    ("F32x4Sub", V128, V128, "simd::f32x4_sub", V),
    ("F32x4Mul", V128, V128, "simd::f32x4_mul", V),
    ("F32x4Div", V128, V128, "simd::f32x4_div", V),
    ("F32x4Min", V128, V128, "simd::f32x4_min", V),
    ("F32x4Max", V128, V128, "simd::f32x4_max", V),
    ("F32x4PMin", V128, V128, "simd::f32x4_pmin", V),
    ("F32x4PMax", V128, V128, "simd::f32x4_pmax", V),
    ("F64x2Add", V128, V128, "simd::f64x2_add", V),
    ("F64x2Sub", V128, V128, "simd::f64x2_sub", V),
    ("F64x2Mul", V128, V128, "simd::f64x2_mul", V),
    ("F64x2Div", V128, V128, "simd::f64x2_div", V),
    ("F64x2Min", V128, V128, "simd::f64x2_min", V),
    ("F64x2Max", V128, V128, "simd::f64x2_max", V),
    ("F64x2PMin", V128, V128, "simd::f64x2_pmin", V),
    ("F64x2PMax", V128, V128, "simd::f64x2_pmax", V),
    ("I8x16Shl", V128, V128, "simd::i8x16_shl", V),
    ("I8x16ShrS", V128, V128, "simd::i8x16_shr_s", V),
    ("I8x16ShrU", V128, V128, "simd::i8x16_shr_u", V),
    ("I16x8Shl", V128, V128, "simd::i16x8_shl", V),
    ("I16x8ShrS", V128, V128, "simd::i16x8_shr_s", V),
    ("I16x8ShrU", V128, V128, "simd::i16x8_shr_u", V),
    ("I32x4Shl", V128, V128, "simd::i32x4_shl", V),
    ("I32x4ShrS", V128, V128, "simd::i32x4_shr_s", V),
    ("I32x4ShrU", V128, V128, "simd::i32x4_shr_u", V),
    ("I64x2Shl", V128, V128, "simd::i64x2_shl", V),
    ("I64x2ShrS", V128, V128, "simd::i64x2_shr_s", V),
    ("I64x2ShrU", V128, V128, "simd::i64x2_shr_u", V),
    // Relaxed SIMD (the others translate to the 2.0 operator they behave as: `translate::relaxed`)
    ("I16x8RelaxedDotI8x16I7x16S", V128, V128, "simd::i16x8_relaxed_dot_i8x16_i7x16_s", V),
];

pub const LOADS: &[Load] = &[
    ("Load32U", 4, "memory::load32_u", &[("I32Load", I32), ("F32Load", F32), ("I64Load32U", I64)]),
    ("Load64", 8, "memory::load64", &[("I64Load", I64)]),
    // (Its own kind: an f64 loaded for the next op goes to the float accumulator.)
    ("LoadF64", 8, "memory::load64", &[("F64Load", F64)]),
    ("Load8U", 1, "memory::load8_u", &[("I32Load8U", I32), ("I64Load8U", I64)]),
    ("Load16U", 2, "memory::load16_u", &[("I32Load16U", I32), ("I64Load16U", I64)]),
    ("I32Load8S", 1, "memory::i32_load8_s", &[("I32Load8S", I32)]),
    ("I32Load16S", 2, "memory::i32_load16_s", &[("I32Load16S", I32)]),
    ("I64Load8S", 1, "memory::i64_load8_s", &[("I64Load8S", I64)]),
    ("I64Load16S", 2, "memory::i64_load16_s", &[("I64Load16S", I64)]),
    ("I64Load32S", 4, "memory::i64_load32_s", &[("I64Load32S", I64)]),
    ("V128Load", 16, "memory::v128_load", &[("V128Load", V128)]),
    ("V128Load8x8S", 8, "simd::v128_load8x8_s", &[("V128Load8x8S", V128)]),
    ("V128Load8x8U", 8, "simd::v128_load8x8_u", &[("V128Load8x8U", V128)]),
    ("V128Load16x4S", 8, "simd::v128_load16x4_s", &[("V128Load16x4S", V128)]),
    ("V128Load16x4U", 8, "simd::v128_load16x4_u", &[("V128Load16x4U", V128)]),
    ("V128Load32x2S", 8, "simd::v128_load32x2_s", &[("V128Load32x2S", V128)]),
    ("V128Load32x2U", 8, "simd::v128_load32x2_u", &[("V128Load32x2U", V128)]),
    ("V128Load8Splat", 1, "simd::v128_load8_splat", &[("V128Load8Splat", V128)]),
    ("V128Load16Splat", 2, "simd::v128_load16_splat", &[("V128Load16Splat", V128)]),
    ("V128Load32Splat", 4, "simd::v128_load32_splat", &[("V128Load32Splat", V128)]),
    ("V128Load64Splat", 8, "simd::v128_load64_splat", &[("V128Load64Splat", V128)]),
    ("V128Load32Zero", 4, "simd::v128_load32_zero", &[("V128Load32Zero", V128)]),
    ("V128Load64Zero", 8, "simd::v128_load64_zero", &[("V128Load64Zero", V128)]),
];

pub const STORES: &[Store] = &[
    ("Store8", 1, "memory::store8", &["I32Store8", "I64Store8"]),
    ("Store16", 2, "memory::store16", &["I32Store16", "I64Store16"]),
    ("Store32", 4, "memory::store32", &["I32Store", "F32Store", "I64Store32"]),
    ("Store64", 8, "memory::store64", &["I64Store"]),
    // (Its own kind: an f64 computed by the op before comes from the float accumulator.)
    ("StoreF64", 8, "memory::store64", &["F64Store"]),
    ("V128Store", 16, "memory::v128_store", &["V128Store"]),
];

use Role::{Branch, Other, Result as Res};

pub const CUSTOM: &[Custom] = &[
    // ---- copies and constants
    custom("Copy", Res, &[("src", "Slot")], "control::copy", "Copies one cell."),
    custom("Copy2", Res, &[("src", "Slot")], "control::copy2", "Copies two cells (a `v128`)."),
    custom(
        "CopyPair",
        Other,
        &[("dst0", "Slot"), ("src0", "Slot"), ("dst1", "Slot"), ("src1", "Slot")],
        "control::copy_pair",
        "Two one-cell copies in a row, in order (`dst0 = src0`, then `dst1 = src1`).",
    ),
    custom(
        "CopySpan",
        Other,
        &[("dst", "Slot"), ("src", "Slot"), ("len", "u16")],
        "control::copy_span",
        "Copies `len` cells from `src..` to `dst..` (memmove semantics).",
    ),
    custom(
        "Const32",
        Res,
        &[("value", "u32")],
        "control::const32",
        "Writes a 32-bit constant (zero-extended).",
    ),
    custom(
        "Const64",
        Res,
        &[("lo", "u32"), ("hi", "u32")],
        "control::const64",
        "Writes a 64-bit constant given as two halves (keeps `Op` 4-byte aligned).",
    ),
    custom(
        "Select",
        Res,
        &[("cond", "Slot"), ("a", "Slot"), ("b", "Slot")],
        "control::select",
        "`dst = cond != 0 ? a : b` for one-cell values.",
    ),
    // ---- fused f64 multiply-add (Horner's rule: `acc = acc * x + c`), rounded twice exactly
    // like the `f64.mul` and `f64.add` it replaces
    custom(
        "F64MulAddK_rs",
        Res,
        &[("b", "Slot"), ("k", "u32")],
        "numeric::f64_mul_add_k_to_reg",
        "`dst = (facc * b) + k`: an `f64.mul` of the float accumulator and `b`, then an `f64.add` of constant `k`.",
    ),
    custom(
        "F64MulAddK_Rrs",
        Other,
        &[("b", "Slot"), ("k", "u32")],
        "numeric::f64_mul_add_k_to_acc",
        "`F64MulAddK_rs` with its result in the float accumulator.",
    ),
    custom(
        "Select_r",
        Res,
        &[("a", "Slot"), ("b", "Slot")],
        "control::select_r",
        "`select` with its (i32) condition in the accumulator.",
    ),
    custom(
        "Select64",
        Res,
        &[("cond", "Slot"), ("a", "Slot"), ("b", "Slot")],
        "control::select64",
        "`dst = cond != 0 ? a : b` with an i64 `cond` (a fused `i64.eqz`, operands swapped).",
    ),
    custom(
        "Select64_r",
        Res,
        &[("a", "Slot"), ("b", "Slot")],
        "control::select64_r",
        "`select64` with its condition in the accumulator.",
    ),
    custom(
        "Select2",
        Res,
        &[("cond", "Slot"), ("a", "Slot"), ("b", "Slot")],
        "control::select2",
        "`select` for two-cell values.",
    ),
    // ---- control
    custom("Unreachable", Other, &[], "control::unreachable", "Traps with \"unreachable\"."),
    custom(
        "Data64",
        Other,
        &[("lo", "u32"), ("hi", "u32")],
        "control::data64",
        "Not an instruction: a 64-bit constant placed after the end of the code, which `k` operands point at (never run; traps if it were).",
    ),
    custom(
        "ConsumeFuel",
        Other,
        &[("amount", "u32")],
        "control::consume_fuel",
        "Charges `amount` units of fuel for the block that starts here (fuel metering on).",
    ),
    custom("Br", Branch, &[], "control::br", "Jumps by `offset`."),
    custom(
        "BrTable",
        Other,
        &[("index", "Slot"), ("len", "u32")],
        "control::br_table",
        "Jumps to entry `index` (clamped to `len`) of the `len + 1` `Br` ops that follow.",
    ),
    custom("Return", Other, &[], "calls::ret", "Returns no values."),
    custom(
        "ReturnSlot",
        Other,
        &[("src", "Slot")],
        "calls::return_slot",
        "Returns the one-cell value in `src`.",
    ),
    custom(
        "ReturnSlot2",
        Other,
        &[("src", "Slot")],
        "calls::return_slot2",
        "Returns the two-cell value in `src`.",
    ),
    custom("ReturnImm32", Other, &[("value", "u32")], "calls::return_imm32", "Returns a 32-bit constant."),
    custom("ReturnAcc", Other, &[], "calls::return_acc", "Returns the one-cell value in the accumulator."),
    custom(
        "ReturnSpan",
        Other,
        &[("src", "Slot"), ("len", "u16")],
        "calls::return_span",
        "Returns `len` cells starting at `src`.",
    ),
    custom(
        "CallInternal",
        Other,
        &[("args", "Slot"), ("func", "u32")],
        "calls::call_internal",
        "Calls a function defined in this module; arguments start at `args`, results are written back there.",
    ),
    custom(
        "CallImported",
        Other,
        &[("args", "Slot"), ("func", "u32")],
        "calls::call_imported",
        "Calls an imported function (`func` is the module's function index).",
    ),
    custom(
        "CallIndirect",
        Other,
        &[("index", "Slot"), ("args", "Slot"), ("table", "u16"), ("ty", "u32")],
        "calls::call_indirect",
        "Calls through table `table` at the index in `index`, checking the module type `ty`.",
    ),
    custom(
        "ReturnCallInternal",
        Other,
        &[("args", "Slot"), ("func", "u32")],
        "calls::return_call_internal",
        "Tail-calls a function defined in this module: its arguments at `args` move to the frame's start and the callee replaces the running function. Followed by the return of the results a host callee leaves at `args`.",
    ),
    custom(
        "ReturnCallImported",
        Other,
        &[("args", "Slot"), ("func", "u32")],
        "calls::return_call_imported",
        "Tail-calls an imported function (`func` is the module's function index); as `ReturnCallInternal`.",
    ),
    custom(
        "ReturnCallIndirect",
        Other,
        &[("index", "Slot"), ("args", "Slot"), ("table", "u16"), ("ty", "u32")],
        "calls::return_call_indirect",
        "Tail-calls through table `table` at the index in `index`, checking the module type `ty`; as `ReturnCallInternal`.",
    ),
    // ---- exceptions
    custom(
        "Throw",
        Other,
        &[("args", "Slot"), ("tag", "u32")],
        "exceptions::throw",
        "`throw` of the module's tag `tag`, its payload at `args`: unwinds to the innermost handler (side table), leaving the handlers.",
    ),
    custom(
        "ThrowRef",
        Other,
        &[("src", "Slot")],
        "exceptions::throw_ref",
        "`throw_ref` of the `exnref` in `src` (traps on null).",
    ),
    // ---- memory
    custom("MemorySize", Res, &[("mem", "u32")], "memory::memory_size", "`memory.size`."),
    custom(
        "MemoryGrow",
        Res,
        &[("delta", "Slot"), ("mem", "u32")],
        "memory::memory_grow",
        "`memory.grow` by the delta in `delta`.",
    ),
    custom(
        "MemoryFill",
        Other,
        &[("args", "Slot"), ("mem", "u32")],
        "bulk::memory_fill",
        "`memory.fill`: dst, value, len in `args..args+3`.",
    ),
    custom(
        "MemoryCopy",
        Other,
        &[("args", "Slot"), ("dst_mem", "u16"), ("src_mem", "u16")],
        "bulk::memory_copy",
        "`memory.copy`: dst, src, len in `args..args+3`.",
    ),
    custom(
        "MemoryInit",
        Other,
        &[("args", "Slot"), ("mem", "u16"), ("data", "u32")],
        "bulk::memory_init",
        "`memory.init`: dst, src, len in `args..args+3`.",
    ),
    custom("DataDrop", Other, &[("data", "u32")], "bulk::data_drop", "`data.drop`."),
    // ---- 64-bit memories (memory64)
    custom(
        "Addr64",
        Res,
        &[("src", "Slot"), ("hi", "u32")],
        "memory::addr64",
        "The i64 address in `src` plus `hi << 32` as an i32 for the access that follows (a 32-bit form), trapping if it is 2^32 or more.",
    ),
    custom(
        "MemorySize64",
        Res,
        &[("mem", "u32")],
        "memory::memory_size64",
        "`memory.size` of a 64-bit memory.",
    ),
    custom(
        "MemoryGrow64",
        Res,
        &[("delta", "Slot"), ("mem", "u32")],
        "memory::memory_grow64",
        "`memory.grow` of a 64-bit memory by the i64 delta in `delta`.",
    ),
    custom(
        "MemoryFill64",
        Other,
        &[("args", "Slot"), ("mem", "u32")],
        "bulk::memory_fill64",
        "`memory.fill` of a 64-bit memory: dst (i64), value, len (i64) in `args..args+3`.",
    ),
    custom(
        "MemoryCopy64",
        Other,
        &[("args", "Slot"), ("dst_mem", "u16"), ("src_mem", "u16"), ("wide", "u8")],
        "bulk::memory_copy64",
        "`memory.copy` involving a 64-bit memory: dst, src, len in `args..args+3`, each an i64 where bit 0, 1, 2 of `wide` says so.",
    ),
    custom(
        "MemoryInit64",
        Other,
        &[("args", "Slot"), ("mem", "u16"), ("data", "u32")],
        "bulk::memory_init64",
        "`memory.init` of a 64-bit memory: dst (i64), src, len in `args..args+3`.",
    ),
    // ---- globals, tables, references
    custom("GlobalGet", Res, &[("global", "u32")], "table::global_get", "Reads a one-cell global."),
    custom(
        "GlobalGet2",
        Res,
        &[("global", "u32")],
        "table::global_get2",
        "Reads a two-cell (`v128`) global.",
    ),
    custom(
        "GlobalSet",
        Other,
        &[("src", "Slot"), ("global", "u32")],
        "table::global_set",
        "Writes a one-cell global.",
    ),
    custom(
        "GlobalSet2",
        Other,
        &[("src", "Slot"), ("global", "u32")],
        "table::global_set2",
        "Writes a two-cell global.",
    ),
    custom("TableGet", Res, &[("index", "Slot"), ("table", "u32")], "table::table_get", "`table.get`."),
    custom(
        "TableSet",
        Other,
        &[("index", "Slot"), ("value", "Slot"), ("table", "u32")],
        "table::table_set",
        "`table.set`.",
    ),
    custom("TableSize", Res, &[("table", "u32")], "table::table_size", "`table.size`."),
    custom(
        "TableGrow",
        Res,
        &[("args", "Slot"), ("table", "u32")],
        "table::table_grow",
        "`table.grow`: the init value is at `args`, the delta at `args + 1`.",
    ),
    custom(
        "TableFill",
        Other,
        &[("args", "Slot"), ("table", "u32")],
        "bulk::table_fill",
        "`table.fill`: index, value, len in `args..args+3`.",
    ),
    custom(
        "TableCopy",
        Other,
        &[("args", "Slot"), ("dst_table", "u32"), ("src_table", "u32")],
        "bulk::table_copy",
        "`table.copy`: dst, src, len in `args..args+3`.",
    ),
    custom(
        "TableInit",
        Other,
        &[("args", "Slot"), ("table", "u32"), ("elem", "u32")],
        "bulk::table_init",
        "`table.init`: dst, src, len in `args..args+3`.",
    ),
    custom("ElemDrop", Other, &[("elem", "u32")], "bulk::elem_drop", "`elem.drop`."),
    custom(
        "RefFunc",
        Res,
        &[("func", "u32")],
        "table::ref_func",
        "A reference to the module's function `func`.",
    ),
    // ---- SIMD lanes
    custom(
        "V128Load8Lane",
        Res,
        &[("addr", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::load8_lane",
        "Loads one lane into the vector found at `dst + 1` (its canonical slot), result in `dst`.",
    ),
    custom(
        "V128Load16Lane",
        Res,
        &[("addr", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::load16_lane",
        "`v128.load16_lane` (as `V128Load8Lane`).",
    ),
    custom(
        "V128Load32Lane",
        Res,
        &[("addr", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::load32_lane",
        "`v128.load32_lane` (as `V128Load8Lane`).",
    ),
    custom(
        "V128Load64Lane",
        Res,
        &[("addr", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::load64_lane",
        "`v128.load64_lane` (as `V128Load8Lane`).",
    ),
    custom(
        "V128Store8Lane",
        Other,
        &[("addr", "Slot"), ("value", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::store8_lane",
        "`v128.store8_lane`.",
    ),
    custom(
        "V128Store16Lane",
        Other,
        &[("addr", "Slot"), ("value", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::store16_lane",
        "`v128.store16_lane`.",
    ),
    custom(
        "V128Store32Lane",
        Other,
        &[("addr", "Slot"), ("value", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::store32_lane",
        "`v128.store32_lane`.",
    ),
    custom(
        "V128Store64Lane",
        Other,
        &[("addr", "Slot"), ("value", "Slot"), ("offset", "u32"), ("lane", "u8"), ("mem", "u8")],
        "simd::store64_lane",
        "`v128.store64_lane`.",
    ),
    custom(
        "I8x16ExtractLaneS",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::i8x16_extract_lane_s",
        "`i8x16.extract_lane_s`.",
    ),
    custom(
        "I8x16ExtractLaneU",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::i8x16_extract_lane_u",
        "`i8x16.extract_lane_u`.",
    ),
    custom(
        "I16x8ExtractLaneS",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::i16x8_extract_lane_s",
        "`i16x8.extract_lane_s`.",
    ),
    custom(
        "I16x8ExtractLaneU",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::i16x8_extract_lane_u",
        "`i16x8.extract_lane_u`.",
    ),
    custom(
        "I32x4ExtractLane",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::i32x4_extract_lane",
        "`i32x4.extract_lane`.",
    ),
    custom(
        "I64x2ExtractLane",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::i64x2_extract_lane",
        "`i64x2.extract_lane`.",
    ),
    custom(
        "F32x4ExtractLane",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::f32x4_extract_lane",
        "`f32x4.extract_lane`.",
    ),
    custom(
        "F64x2ExtractLane",
        Res,
        &[("src", "Slot"), ("lane", "u8")],
        "simd::f64x2_extract_lane",
        "`f64x2.extract_lane`.",
    ),
    custom(
        "I8x16ReplaceLane",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lane", "u8")],
        "simd::i8x16_replace_lane",
        "`i8x16.replace_lane`.",
    ),
    custom(
        "I16x8ReplaceLane",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lane", "u8")],
        "simd::i16x8_replace_lane",
        "`i16x8.replace_lane`.",
    ),
    custom(
        "I32x4ReplaceLane",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lane", "u8")],
        "simd::i32x4_replace_lane",
        "`i32x4.replace_lane`.",
    ),
    custom(
        "I64x2ReplaceLane",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lane", "u8")],
        "simd::i64x2_replace_lane",
        "`i64x2.replace_lane`.",
    ),
    custom(
        "F32x4ReplaceLane",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lane", "u8")],
        "simd::f32x4_replace_lane",
        "`f32x4.replace_lane`.",
    ),
    custom(
        "F64x2ReplaceLane",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lane", "u8")],
        "simd::f64x2_replace_lane",
        "`f64x2.replace_lane`.",
    ),
    custom(
        "I8x16Shuffle",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("lanes", "u32")],
        "simd::i8x16_shuffle",
        "`i8x16.shuffle`; `lanes` indexes the function's shuffle table.",
    ),
    custom(
        "V128Bitselect",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("c", "Slot")],
        "simd::v128_bitselect",
        "`v128.bitselect`.",
    ),
    custom(
        "F32x4RelaxedMadd",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("c", "Slot")],
        "simd::f32x4_relaxed_madd",
        "`f32x4.relaxed_madd` (unfused, see `semantics::simd::relaxed`).",
    ),
    custom(
        "F32x4RelaxedNmadd",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("c", "Slot")],
        "simd::f32x4_relaxed_nmadd",
        "`f32x4.relaxed_nmadd` (unfused).",
    ),
    custom(
        "F64x2RelaxedMadd",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("c", "Slot")],
        "simd::f64x2_relaxed_madd",
        "`f64x2.relaxed_madd` (unfused).",
    ),
    custom(
        "F64x2RelaxedNmadd",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("c", "Slot")],
        "simd::f64x2_relaxed_nmadd",
        "`f64x2.relaxed_nmadd` (unfused).",
    ),
    custom(
        "I32x4RelaxedDotI8x16I7x16AddS",
        Res,
        &[("a", "Slot"), ("b", "Slot"), ("c", "Slot")],
        "simd::i32x4_relaxed_dot_i8x16_i7x16_add_s",
        "`i32x4.relaxed_dot_i8x16_i7x16_add_s` (signed, see `semantics::simd::relaxed`).",
    ),
];
