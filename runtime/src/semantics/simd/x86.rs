//! SSE2 fast paths (x86_64 only): the operations of [`super`] that map onto a few SSE2
//! instructions with exactly the portable results, bit for bit.
//!
//! Each function has the signature of the operation it implements and returns what
//! `super::portable` returns for every input; the tests in [`super`] compare the two. SSE2 is
//! part of the x86_64 baseline, so nothing here is detected at run time: every function is
//! `#[target_feature(enable = "sse2")]` (which makes the intrinsics safe to call) and the
//! callers in [`super`] are compiled only where `target_feature = "sse2"` is on.
//!
//! Integer operations are exact by construction (wrapping, saturating and compare
//! instructions compute the same function as the scalar code; emulated ones are argued in
//! their comments). Float arithmetic is exact whenever no result lane is NaN: IEEE 754 fixes
//! every other result, and the vector instructions round like the scalar ones (both use
//! MXCSR: round to nearest even, no flush to zero). Which NaN comes out is not fixed: LLVM
//! may swap the operands of a commutative operation, and the hardware returns the NaN of
//! one particular operand. So when a result lane is NaN (a rare, out-of-line branch), the
//! NaN lanes are replaced as the portable functions choose them ([`nan_rule_ps`]).
//!
//! That branch computes the portable rule with vector instructions instead of calling the
//! portable function: a call would make every handler save and restore the registers the
//! call clobbers, on the fast path too, doubling its instruction count.

use core::arch::x86_64::*;

/// The vector with the bits of `a` (lane 0 in the low bits, as in `u128`).
#[target_feature(enable = "sse2")]
#[inline]
fn v(a: u128) -> __m128i {
    _mm_set_epi64x((a >> 64) as i64, a as i64)
}

/// The `u128` with the bits of `r`.
#[target_feature(enable = "sse2")]
#[inline]
fn u(r: __m128i) -> u128 {
    let lo = _mm_cvtsi128_si64(r) as u64;
    let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(r, r)) as u64;
    u128::from(lo) | (u128::from(hi) << 64)
}

#[target_feature(enable = "sse2")]
#[inline]
fn ps(a: u128) -> __m128 {
    _mm_castsi128_ps(v(a))
}

#[target_feature(enable = "sse2")]
#[inline]
fn pd(a: u128) -> __m128d {
    _mm_castsi128_pd(v(a))
}

/// All ones.
#[target_feature(enable = "sse2")]
#[inline]
fn ones() -> __m128i {
    _mm_set1_epi32(-1)
}

#[target_feature(enable = "sse2")]
#[inline]
fn not(a: __m128i) -> __m128i {
    _mm_xor_si128(a, ones())
}

/// `x` where `mask` is set, `y` elsewhere.
#[target_feature(enable = "sse2")]
#[inline]
fn select(mask: __m128i, x: __m128i, y: __m128i) -> __m128i {
    _mm_or_si128(_mm_and_si128(mask, x), _mm_andnot_si128(mask, y))
}

/// A shift count for `_mm_sll_*`/`_mm_srl_*`/`_mm_sra_*` (which read the low 64 bits).
#[target_feature(enable = "sse2")]
#[inline]
fn count(c: u32) -> __m128i {
    _mm_cvtsi32_si128(c as i32)
}

/// 64-bit lanes all ones where the two 32-bit halves of `eq` both are (`pcmpeqq` emulated).
#[target_feature(enable = "sse2")]
#[inline]
fn both_halves(eq: __m128i) -> __m128i {
    _mm_and_si128(eq, _mm_shuffle_epi32::<0b10_11_00_01>(eq))
}

/// Operations from `u128` operands to a vector: the parameters are rebound to `__m128i`.
macro_rules! int_ops {
    ($($name:ident($($x:ident),*) => $e:expr;)*) => {$(
        #[target_feature(enable = "sse2")]
        #[inline]
        pub(super) fn $name($($x: u128),*) -> u128 {
            $(let $x = v($x);)*
            u($e)
        }
    )*};
}

/// Shifts: the count is reduced modulo the lane width `$bits` (as `wrapping_shl` does).
macro_rules! shifts {
    ($($name:ident($x:ident, $c:ident % $bits:literal) => $e:expr;)*) => {$(
        #[target_feature(enable = "sse2")]
        #[inline]
        pub(super) fn $name($x: u128, $c: u32) -> u128 {
            let ($x, $c) = (v($x), $c % $bits);
            u($e)
        }
    )*};
}

// ---- Splats

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i8x16_splat(x: u32) -> u128 {
    u(_mm_set1_epi8(x as i8))
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i16x8_splat(x: u32) -> u128 {
    u(_mm_set1_epi16(x as i16))
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i32x4_splat(x: u32) -> u128 {
    u(_mm_set1_epi32(x as i32))
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i64x2_splat(x: u64) -> u128 {
    u(_mm_set1_epi64x(x as i64))
}

// ---- Bitwise

int_ops! {
    v128_not(a) => not(a);
    v128_and(a, b) => _mm_and_si128(a, b);
    // `_mm_andnot_si128(x, y)` is `!x & y`.
    v128_andnot(a, b) => _mm_andnot_si128(b, a);
    v128_or(a, b) => _mm_or_si128(a, b);
    v128_xor(a, b) => _mm_xor_si128(a, b);
    v128_bitselect(a, b, c) => select(c, a, b);
}

// ---- Integer comparisons. `pcmpgt` is signed; unsigned compares flip the sign bits first
// (an order-preserving map from unsigned to signed). `lt` is `gt` swapped, `le`/`ge` the
// negation of `gt`/`lt`.

/// `a` and `b` with the top bit of each lane flipped (`$min` is the lane type's `MIN`).
macro_rules! flip {
    ($a:ident, $b:ident, $set1:ident($min:expr)) => {{
        let m = $set1($min);
        (_mm_xor_si128($a, m), _mm_xor_si128($b, m))
    }};
}

int_ops! {
    i8x16_eq(a, b) => _mm_cmpeq_epi8(a, b);
    i8x16_ne(a, b) => not(_mm_cmpeq_epi8(a, b));
    i8x16_lt_s(a, b) => _mm_cmpgt_epi8(b, a);
    i8x16_gt_s(a, b) => _mm_cmpgt_epi8(a, b);
    i8x16_le_s(a, b) => not(_mm_cmpgt_epi8(a, b));
    i8x16_ge_s(a, b) => not(_mm_cmpgt_epi8(b, a));
    i8x16_lt_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi8(i8::MIN)); _mm_cmpgt_epi8(y, x) };
    i8x16_gt_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi8(i8::MIN)); _mm_cmpgt_epi8(x, y) };
    i8x16_le_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi8(i8::MIN)); not(_mm_cmpgt_epi8(x, y)) };
    i8x16_ge_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi8(i8::MIN)); not(_mm_cmpgt_epi8(y, x)) };

    i16x8_eq(a, b) => _mm_cmpeq_epi16(a, b);
    i16x8_ne(a, b) => not(_mm_cmpeq_epi16(a, b));
    i16x8_lt_s(a, b) => _mm_cmpgt_epi16(b, a);
    i16x8_gt_s(a, b) => _mm_cmpgt_epi16(a, b);
    i16x8_le_s(a, b) => not(_mm_cmpgt_epi16(a, b));
    i16x8_ge_s(a, b) => not(_mm_cmpgt_epi16(b, a));
    i16x8_lt_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi16(i16::MIN)); _mm_cmpgt_epi16(y, x) };
    i16x8_gt_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi16(i16::MIN)); _mm_cmpgt_epi16(x, y) };
    i16x8_le_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi16(i16::MIN)); not(_mm_cmpgt_epi16(x, y)) };
    i16x8_ge_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi16(i16::MIN)); not(_mm_cmpgt_epi16(y, x)) };

    i32x4_eq(a, b) => _mm_cmpeq_epi32(a, b);
    i32x4_ne(a, b) => not(_mm_cmpeq_epi32(a, b));
    i32x4_lt_s(a, b) => _mm_cmpgt_epi32(b, a);
    i32x4_gt_s(a, b) => _mm_cmpgt_epi32(a, b);
    i32x4_le_s(a, b) => not(_mm_cmpgt_epi32(a, b));
    i32x4_ge_s(a, b) => not(_mm_cmpgt_epi32(b, a));
    i32x4_lt_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi32(i32::MIN)); _mm_cmpgt_epi32(y, x) };
    i32x4_gt_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi32(i32::MIN)); _mm_cmpgt_epi32(x, y) };
    i32x4_le_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi32(i32::MIN)); not(_mm_cmpgt_epi32(x, y)) };
    i32x4_ge_u(a, b) => { let (x, y) = flip!(a, b, _mm_set1_epi32(i32::MIN)); not(_mm_cmpgt_epi32(y, x)) };

    // A 64-bit lane is equal iff both 32-bit halves are.
    i64x2_eq(a, b) => both_halves(_mm_cmpeq_epi32(a, b));
    i64x2_ne(a, b) => not(both_halves(_mm_cmpeq_epi32(a, b)));
}

// ---- Integer unary operations, all_true, bitmask. `abs` is `(x ^ s) - s` with `s` the
// sign mask of `x` (wrapping: `MIN` stays `MIN`), `neg` is `0 - x`.

int_ops! {
    i8x16_abs(a) => {
        let s = _mm_cmpgt_epi8(_mm_setzero_si128(), a);
        _mm_sub_epi8(_mm_xor_si128(a, s), s)
    };
    i8x16_neg(a) => _mm_sub_epi8(_mm_setzero_si128(), a);
    i16x8_abs(a) => { let s = _mm_srai_epi16::<15>(a); _mm_sub_epi16(_mm_xor_si128(a, s), s) };
    i16x8_neg(a) => _mm_sub_epi16(_mm_setzero_si128(), a);
    i32x4_abs(a) => { let s = _mm_srai_epi32::<31>(a); _mm_sub_epi32(_mm_xor_si128(a, s), s) };
    i32x4_neg(a) => _mm_sub_epi32(_mm_setzero_si128(), a);
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i8x16_all_true(a: u128) -> bool {
    _mm_movemask_epi8(_mm_cmpeq_epi8(v(a), _mm_setzero_si128())) == 0
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i16x8_all_true(a: u128) -> bool {
    _mm_movemask_epi8(_mm_cmpeq_epi16(v(a), _mm_setzero_si128())) == 0
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i32x4_all_true(a: u128) -> bool {
    _mm_movemask_epi8(_mm_cmpeq_epi32(v(a), _mm_setzero_si128())) == 0
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i8x16_bitmask(a: u128) -> u32 {
    _mm_movemask_epi8(v(a)) as u32
}

/// Signed saturation to bytes keeps each lane's sign; the zero half adds no bits.
#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i16x8_bitmask(a: u128) -> u32 {
    _mm_movemask_epi8(_mm_packs_epi16(v(a), _mm_setzero_si128())) as u32
}

/// `movmskps`/`movmskpd` read the top bit of each 32/64-bit lane (bits, not float values).
#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i32x4_bitmask(a: u128) -> u32 {
    _mm_movemask_ps(ps(a)) as u32
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i64x2_bitmask(a: u128) -> u32 {
    _mm_movemask_pd(pd(a)) as u32
}

// ---- Shifts. SSE2 shifts 16/32/64-bit lanes by a register count (a count of the lane width
// or more gives 0, never reached after `%`); bytes are shifted as 16-bit lanes and the bits
// that crossed into the neighbouring byte are masked off, and the arithmetic right shift of
// bytes is `((x >>> c) ^ m) - m` with `m = 0x80 >>> c`, which sign-extends from the shifted
// sign bit. (i64x2.shr_s stays portable: SSE2 has no 64-bit arithmetic shift, and two scalar
// `sar` are shorter than the emulation.)

shifts! {
    i8x16_shl(a, c % 8) => {
        _mm_and_si128(_mm_sll_epi16(a, count(c)), _mm_set1_epi8((0xffu8 << c) as i8))
    };
    i8x16_shr_u(a, c % 8) => {
        _mm_and_si128(_mm_srl_epi16(a, count(c)), _mm_set1_epi8((0xffu8 >> c) as i8))
    };
    i8x16_shr_s(a, c % 8) => {
        let shifted = _mm_and_si128(_mm_srl_epi16(a, count(c)), _mm_set1_epi8((0xffu8 >> c) as i8));
        let m = _mm_set1_epi8((0x80u8 >> c) as i8);
        _mm_sub_epi8(_mm_xor_si128(shifted, m), m)
    };
    i16x8_shl(a, c % 16) => _mm_sll_epi16(a, count(c));
    i16x8_shr_s(a, c % 16) => _mm_sra_epi16(a, count(c));
    i16x8_shr_u(a, c % 16) => _mm_srl_epi16(a, count(c));
    i32x4_shl(a, c % 32) => _mm_sll_epi32(a, count(c));
    i32x4_shr_s(a, c % 32) => _mm_sra_epi32(a, count(c));
    i32x4_shr_u(a, c % 32) => _mm_srl_epi32(a, count(c));
    i64x2_shl(a, c % 64) => _mm_sll_epi64(a, count(c));
    i64x2_shr_u(a, c % 64) => _mm_srl_epi64(a, count(c));
}

// ---- Integer lane arithmetic. Min/max without an SSE2 instruction: a compare and a select,
// or for u16 `min = a - (a -sat b)`, `max = b + (a -sat b)`.

int_ops! {
    i8x16_add(a, b) => _mm_add_epi8(a, b);
    i8x16_add_sat_s(a, b) => _mm_adds_epi8(a, b);
    i8x16_add_sat_u(a, b) => _mm_adds_epu8(a, b);
    i8x16_sub(a, b) => _mm_sub_epi8(a, b);
    i8x16_sub_sat_s(a, b) => _mm_subs_epi8(a, b);
    i8x16_sub_sat_u(a, b) => _mm_subs_epu8(a, b);
    i8x16_min_s(a, b) => select(_mm_cmpgt_epi8(a, b), b, a);
    i8x16_min_u(a, b) => _mm_min_epu8(a, b);
    i8x16_max_s(a, b) => select(_mm_cmpgt_epi8(a, b), a, b);
    i8x16_max_u(a, b) => _mm_max_epu8(a, b);
    // `pavgb`/`pavgw` compute `(a + b + 1) >> 1` with a carry bit.
    i8x16_avgr_u(a, b) => _mm_avg_epu8(a, b);

    i16x8_add(a, b) => _mm_add_epi16(a, b);
    i16x8_add_sat_s(a, b) => _mm_adds_epi16(a, b);
    i16x8_add_sat_u(a, b) => _mm_adds_epu16(a, b);
    i16x8_sub(a, b) => _mm_sub_epi16(a, b);
    i16x8_sub_sat_s(a, b) => _mm_subs_epi16(a, b);
    i16x8_sub_sat_u(a, b) => _mm_subs_epu16(a, b);
    i16x8_mul(a, b) => _mm_mullo_epi16(a, b);
    i16x8_min_s(a, b) => _mm_min_epi16(a, b);
    i16x8_min_u(a, b) => _mm_sub_epi16(a, _mm_subs_epu16(a, b));
    i16x8_max_s(a, b) => _mm_max_epi16(a, b);
    i16x8_max_u(a, b) => _mm_add_epi16(b, _mm_subs_epu16(a, b));
    i16x8_avgr_u(a, b) => _mm_avg_epu16(a, b);

    i32x4_add(a, b) => _mm_add_epi32(a, b);
    i32x4_sub(a, b) => _mm_sub_epi32(a, b);
    i32x4_min_s(a, b) => select(_mm_cmpgt_epi32(a, b), b, a);
    i32x4_max_s(a, b) => select(_mm_cmpgt_epi32(a, b), a, b);
    i32x4_min_u(a, b) => {
        let (x, y) = flip!(a, b, _mm_set1_epi32(i32::MIN));
        select(_mm_cmpgt_epi32(x, y), b, a)
    };
    i32x4_max_u(a, b) => {
        let (x, y) = flip!(a, b, _mm_set1_epi32(i32::MIN));
        select(_mm_cmpgt_epi32(x, y), a, b)
    };
    // `pmaddwd` is exactly the dot product: `a[2i]*b[2i] + a[2i+1]*b[2i+1]` in i32, where
    // the one overflow (`2 * (-32768)^2`) wraps to `i32::MIN` as `wrapping_add` does.
    i32x4_dot_i16x8_s(a, b) => _mm_madd_epi16(a, b);

    i64x2_add(a, b) => _mm_add_epi64(a, b);
    i64x2_sub(a, b) => _mm_sub_epi64(a, b);
}

// ---- Widening. Unsigned: interleave with zeros. Signed: interleave a lane with itself and
// shift the pair right arithmetically. (The signed i32 to i64 extension stays portable:
// `movsxd` and `sar` are as short.)

int_ops! {
    i16x8_extend_low_i8x16_s(a) => _mm_srai_epi16::<8>(_mm_unpacklo_epi8(a, a));
    i16x8_extend_high_i8x16_s(a) => _mm_srai_epi16::<8>(_mm_unpackhi_epi8(a, a));
    i16x8_extend_low_i8x16_u(a) => _mm_unpacklo_epi8(a, _mm_setzero_si128());
    i16x8_extend_high_i8x16_u(a) => _mm_unpackhi_epi8(a, _mm_setzero_si128());
    i32x4_extend_low_i16x8_s(a) => _mm_srai_epi32::<16>(_mm_unpacklo_epi16(a, a));
    i32x4_extend_high_i16x8_s(a) => _mm_srai_epi32::<16>(_mm_unpackhi_epi16(a, a));
    i32x4_extend_low_i16x8_u(a) => _mm_unpacklo_epi16(a, _mm_setzero_si128());
    i32x4_extend_high_i16x8_u(a) => _mm_unpackhi_epi16(a, _mm_setzero_si128());
    i64x2_extend_low_i32x4_u(a) => _mm_unpacklo_epi32(a, _mm_setzero_si128());
    i64x2_extend_high_i32x4_u(a) => _mm_unpackhi_epi32(a, _mm_setzero_si128());

    // Products of extended bytes fit in 16 bits (`-128 * -128 = 16384`, `255 * 255 = 65025`
    // as u16), so the low 16 bits of the product are the product.
    i16x8_extmul_low_i8x16_s(a, b) => _mm_mullo_epi16(
        _mm_srai_epi16::<8>(_mm_unpacklo_epi8(a, a)), _mm_srai_epi16::<8>(_mm_unpacklo_epi8(b, b)));
    i16x8_extmul_high_i8x16_s(a, b) => _mm_mullo_epi16(
        _mm_srai_epi16::<8>(_mm_unpackhi_epi8(a, a)), _mm_srai_epi16::<8>(_mm_unpackhi_epi8(b, b)));
    i16x8_extmul_low_i8x16_u(a, b) => _mm_mullo_epi16(
        _mm_unpacklo_epi8(a, _mm_setzero_si128()), _mm_unpacklo_epi8(b, _mm_setzero_si128()));
    i16x8_extmul_high_i8x16_u(a, b) => _mm_mullo_epi16(
        _mm_unpackhi_epi8(a, _mm_setzero_si128()), _mm_unpackhi_epi8(b, _mm_setzero_si128()));
    // The low and high 16 bits of each 32-bit product, interleaved.
    i32x4_extmul_low_i16x8_s(a, b) => {
        _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b))
    };
    i32x4_extmul_high_i16x8_s(a, b) => {
        _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b))
    };
    i32x4_extmul_low_i16x8_u(a, b) => {
        _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b))
    };
    i32x4_extmul_high_i16x8_u(a, b) => {
        _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b))
    };
    // `pmuludq` on lanes 0 and 2 after moving the wanted u32 lanes there.
    i64x2_extmul_low_i32x4_u(a, b) => _mm_mul_epu32(
        _mm_shuffle_epi32::<0b01_01_00_00>(a), _mm_shuffle_epi32::<0b01_01_00_00>(b));
    i64x2_extmul_high_i32x4_u(a, b) => _mm_mul_epu32(
        _mm_shuffle_epi32::<0b11_11_10_10>(a), _mm_shuffle_epi32::<0b11_11_10_10>(b));

    // Pairwise sums: the even lane (moved to the low bits, extended) plus the odd lane
    // (shifted down, extended by the shift). i16 pairs: `pmaddwd` with ones.
    i16x8_extadd_pairwise_i8x16_s(a) => {
        _mm_add_epi16(_mm_srai_epi16::<8>(_mm_slli_epi16::<8>(a)), _mm_srai_epi16::<8>(a))
    };
    i16x8_extadd_pairwise_i8x16_u(a) => {
        _mm_add_epi16(_mm_and_si128(a, _mm_set1_epi16(0xff)), _mm_srli_epi16::<8>(a))
    };
    i32x4_extadd_pairwise_i16x8_s(a) => _mm_madd_epi16(a, _mm_set1_epi16(1));
    i32x4_extadd_pairwise_i16x8_u(a) => {
        _mm_add_epi32(_mm_and_si128(a, _mm_set1_epi32(0xffff)), _mm_srli_epi32::<16>(a))
    };

    // Narrowing: signed saturation (`packss*`), and signed i16 to u8 (`packuswb`).
    i8x16_narrow_i16x8_s(a, b) => _mm_packs_epi16(a, b);
    i8x16_narrow_i16x8_u(a, b) => _mm_packus_epi16(a, b);
    i16x8_narrow_i32x4_s(a, b) => _mm_packs_epi32(a, b);
}

// ---- Floats

/// Replaces the NaN lanes of `r`, the result of an operation on `a` and `b`, as the portable
/// float operations choose them: where `a` is NaN, `a` made quiet; else where `b` is NaN, `b`
/// made quiet; elsewhere `r`, which may be the hardware's default NaN (from `inf - inf`,
/// `0 * inf`, `sqrt(-1)`), as the scalar instruction in the portable function returns. This
/// is the rule of `float::f32_add`/`f32_mul` and of `min`/`max`, and `-`, `/` and `sqrt`
/// follow it too: their portable functions return what `subss`/`divss`/`sqrtss` return, the
/// first NaN operand made quiet (Intel SDM, "Rules for Handling NaNs"). Unary operations pass
/// `b = a`.
#[target_feature(enable = "sse2")]
#[inline]
fn nan_rule_ps(a: __m128, b: __m128, r: __m128) -> __m128 {
    let quiet = _mm_castsi128_ps(_mm_set1_epi32(0x0040_0000));
    let (nan_a, nan_b) = (_mm_cmpunord_ps(a, a), _mm_cmpunord_ps(b, b));
    let b_or_r = _mm_or_ps(_mm_and_ps(nan_b, _mm_or_ps(b, quiet)), _mm_andnot_ps(nan_b, r));
    _mm_or_ps(_mm_and_ps(nan_a, _mm_or_ps(a, quiet)), _mm_andnot_ps(nan_a, b_or_r))
}

/// [`nan_rule_ps`] for f64 lanes.
#[target_feature(enable = "sse2")]
#[inline]
fn nan_rule_pd(a: __m128d, b: __m128d, r: __m128d) -> __m128d {
    let quiet = _mm_castsi128_pd(_mm_set1_epi64x(0x0008_0000_0000_0000));
    let (nan_a, nan_b) = (_mm_cmpunord_pd(a, a), _mm_cmpunord_pd(b, b));
    let b_or_r = _mm_or_pd(_mm_and_pd(nan_b, _mm_or_pd(b, quiet)), _mm_andnot_pd(nan_b, r));
    _mm_or_pd(_mm_and_pd(nan_a, _mm_or_pd(a, quiet)), _mm_andnot_pd(nan_a, b_or_r))
}

/// Float operations producing floats: `$e` on the parameters rebound to vectors, its NaN
/// lanes (if any) replaced by `$rule` (`nan_rule_ps`/`nan_rule_pd`) given the first two
/// operands (`$a`, `$b`, the same for unary operations).
macro_rules! float_ops {
    ($conv:ident, $cast:ident, $unord:ident, $movemask:ident, $rule:ident;
     $($name:ident($($x:ident),*) [$a:ident, $b:ident] => $e:expr;)*) => {$(
        #[target_feature(enable = "sse2")]
        #[inline]
        pub(super) fn $name($($x: u128),*) -> u128 {
            $(let $x = $conv($x);)*
            let r = $e;
            if $movemask($unord(r, r)) != 0 {
                return u($cast($rule($a, $b, r)));
            }
            u($cast(r))
        }
    )*};
}

/// Float operations that make no new float, so no NaN to choose: comparisons (the mask
/// instruction is exactly the IEEE comparison: unordered lanes are false, or true for `ne`)
/// and `pmin`/`pmax` (which select one operand's bits).
macro_rules! float_bits {
    ($conv:ident, $cast:ident; $($name:ident($x:ident, $y:ident) => $e:expr;)*) => {$(
        #[target_feature(enable = "sse2")]
        #[inline]
        pub(super) fn $name($x: u128, $y: u128) -> u128 {
            let ($x, $y) = ($conv($x), $conv($y));
            u($cast($e))
        }
    )*};
}

// Splats through the bits, so that a signalling NaN is copied, not converted.

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn f32x4_splat(x: f32) -> u128 {
    u(_mm_set1_epi32(x.to_bits() as i32))
}

#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn f64x2_splat(x: f64) -> u128 {
    u(_mm_set1_epi64x(x.to_bits() as i64))
}

// Comparisons

float_bits! {
    ps, _mm_castps_si128;
    f32x4_eq(a, b) => _mm_cmpeq_ps(a, b);
    f32x4_ne(a, b) => _mm_cmpneq_ps(a, b);
    f32x4_lt(a, b) => _mm_cmplt_ps(a, b);
    f32x4_gt(a, b) => _mm_cmpgt_ps(a, b);
    f32x4_le(a, b) => _mm_cmple_ps(a, b);
    f32x4_ge(a, b) => _mm_cmpge_ps(a, b);
}

float_bits! {
    pd, _mm_castpd_si128;
    f64x2_eq(a, b) => _mm_cmpeq_pd(a, b);
    f64x2_ne(a, b) => _mm_cmpneq_pd(a, b);
    f64x2_lt(a, b) => _mm_cmplt_pd(a, b);
    f64x2_gt(a, b) => _mm_cmpgt_pd(a, b);
    f64x2_le(a, b) => _mm_cmple_pd(a, b);
    f64x2_ge(a, b) => _mm_cmpge_pd(a, b);
}

// Lane arithmetic

float_ops! {
    ps, _mm_castps_si128, _mm_cmpunord_ps, _mm_movemask_ps, nan_rule_ps;
    f32x4_add(a, b) [a, b] => _mm_add_ps(a, b);
    f32x4_sub(a, b) [a, b] => _mm_sub_ps(a, b);
    f32x4_mul(a, b) [a, b] => _mm_mul_ps(a, b);
    f32x4_div(a, b) [a, b] => _mm_div_ps(a, b);
    f32x4_sqrt(a) [a, a] => _mm_sqrt_ps(a);
}

float_ops! {
    pd, _mm_castpd_si128, _mm_cmpunord_pd, _mm_movemask_pd, nan_rule_pd;
    f64x2_add(a, b) [a, b] => _mm_add_pd(a, b);
    f64x2_sub(a, b) [a, b] => _mm_sub_pd(a, b);
    f64x2_mul(a, b) [a, b] => _mm_mul_pd(a, b);
    f64x2_div(a, b) [a, b] => _mm_div_pd(a, b);
    f64x2_sqrt(a) [a, a] => _mm_sqrt_pd(a);
}

// Min/max. `minps x, y` is `x < y ? x : y` and `maxps x, y` is `x > y ? x : y`, bit for bit
// (the second operand for NaNs and equal values): `pmin`/`pmax` are these with the operands
// swapped. For `min`/`max`, the two orders agree unless the lanes are equal (or NaN), where
// they give one operand each: OR (for min) or AND (for max) of two equal values is the value
// itself, and of zeros of both signs -0 (min) or +0 (max). Lanes with a NaN operand are
// replaced by the first NaN operand made quiet (`nan_rule_*`; as `float::f32_min`).

/// `min`/`max`: `$combine` of `$op` in both orders, then the NaN lanes.
macro_rules! min_max {
    ($conv:ident, $cast:ident, $unord:ident, $movemask:ident, $rule:ident;
     $($name:ident => $combine:ident($op:ident);)*) => {$(
        #[target_feature(enable = "sse2")]
        #[inline]
        pub(super) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($conv(a), $conv(b));
            let r = $combine($op(a, b), $op(b, a));
            if $movemask($unord(a, b)) != 0 {
                return u($cast($rule(a, b, r)));
            }
            u($cast(r))
        }
    )*};
}

min_max! {
    ps, _mm_castps_si128, _mm_cmpunord_ps, _mm_movemask_ps, nan_rule_ps;
    f32x4_min => _mm_or_ps(_mm_min_ps);
    f32x4_max => _mm_and_ps(_mm_max_ps);
}

min_max! {
    pd, _mm_castpd_si128, _mm_cmpunord_pd, _mm_movemask_pd, nan_rule_pd;
    f64x2_min => _mm_or_pd(_mm_min_pd);
    f64x2_max => _mm_and_pd(_mm_max_pd);
}

float_bits! {
    ps, _mm_castps_si128;
    f32x4_pmin(a, b) => _mm_min_ps(b, a);
    f32x4_pmax(a, b) => _mm_max_ps(b, a);
}

float_bits! {
    pd, _mm_castpd_si128;
    f64x2_pmin(a, b) => _mm_min_pd(b, a);
    f64x2_pmax(a, b) => _mm_max_pd(b, a);
}

// `abs`/`neg` on the bits: clear or flip the sign bits.
int_ops! {
    f32x4_abs(a) => _mm_and_si128(a, _mm_set1_epi32(i32::MAX));
    f32x4_neg(a) => _mm_xor_si128(a, _mm_set1_epi32(i32::MIN));
    f64x2_abs(a) => _mm_and_si128(a, _mm_set1_epi64x(i64::MAX));
    f64x2_neg(a) => _mm_xor_si128(a, _mm_set1_epi64x(i64::MIN));
}

// ---- Conversions

// `cvtdq2ps` rounds like `as f32` (MXCSR: to nearest, ties to even); `cvtdq2pd` is exact.
int_ops! {
    f32x4_convert_i32x4_s(a) => _mm_castps_si128(_mm_cvtepi32_ps(a));
    f64x2_convert_low_i32x4_s(a) => _mm_castpd_si128(_mm_cvtepi32_pd(a));
}

/// `cvttps2dq` truncates, and gives `i32::MIN` for NaN and out-of-range lanes: right for
/// `<= -2^31`; lanes `>= 2^31` are flipped to `i32::MAX`, NaN lanes cleared to 0.
#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i32x4_trunc_sat_f32x4_s(a: u128) -> u128 {
    let x = ps(a);
    let r = _mm_cvttps_epi32(x);
    let over = _mm_castps_si128(_mm_cmpge_ps(x, _mm_set1_ps(2_147_483_648.0)));
    let ordered = _mm_castps_si128(_mm_cmpord_ps(x, x));
    u(_mm_and_si128(_mm_xor_si128(r, over), ordered))
}

/// As for f32x4, on two lanes: `cvttpd2dq` fills lanes 2 and 3 with zeros, and the 64-bit
/// masks are narrowed to lanes 0 and 1 (`_mm_move_epi64` zeroes the rest).
#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn i32x4_trunc_sat_f64x2_s_zero(a: u128) -> u128 {
    let x = pd(a);
    let r = _mm_cvttpd_epi32(x);
    let narrow = |m: __m128d| _mm_move_epi64(_mm_shuffle_epi32::<0b11_11_10_00>(_mm_castpd_si128(m)));
    let over = narrow(_mm_cmpge_pd(x, _mm_set1_pd(2_147_483_648.0)));
    let ordered = narrow(_mm_cmpord_pd(x, x));
    u(_mm_and_si128(_mm_xor_si128(r, over), ordered))
}
