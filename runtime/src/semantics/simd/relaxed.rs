//! Relaxed SIMD: the instructions whose result the specification lets an implementation
//! choose. epsilon makes one fixed choice per instruction, the specification's
//! *deterministic profile* (every choice parameter 0), so results are the same on every
//! machine:
//!
//! | instruction | epsilon's result |
//! |---|---|
//! | `i8x16.relaxed_swizzle` | `i8x16.swizzle` (an index of 16 or more selects 0) |
//! | `i32x4.relaxed_trunc_f32x4_{s,u}`, `i32x4.relaxed_trunc_f64x2_{s,u}_zero` | the saturating `trunc_sat` instructions (NaN gives 0) |
//! | `f32x4/f64x2.relaxed_madd` | unfused: `add(mul(a, b), c)`, each rounded |
//! | `f32x4/f64x2.relaxed_nmadd` | unfused: `add(mul(neg(a), b), c)` |
//! | `i8x16/i16x8/i32x4/i64x2.relaxed_laneselect` | `v128.bitselect` (bit by bit) |
//! | `f32x4/f64x2.relaxed_min/max` | `min`/`max` (NaN-propagating, `-0 < +0`) |
//! | `i16x8.relaxed_q15mulr_s` | `i16x8.q15mulr_sat_s` |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s` | both operands signed; each pair's sum saturated to i16 |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s` | the i16 dot above, pairs added to i32, plus `c` (wrapping) |
//!
//! The instructions that behave exactly as a 2.0 instruction are translated to it
//! (`translate::relaxed`); the rest are computed here.

use super::{Lane, f32x4_add, f32x4_mul, f32x4_neg, f64x2_add, f64x2_mul, f64x2_neg};

/// `f32x4.relaxed_madd`: `a * b + c` per lane, unfused (rounded after the product and after the
/// sum), with the NaN choices of `f32x4.mul` and `f32x4.add`.
pub(crate) fn f32x4_relaxed_madd(a: u128, b: u128, c: u128) -> u128 {
    f32x4_add(f32x4_mul(a, b), c)
}

/// `f32x4.relaxed_nmadd`: `-a * b + c` per lane, unfused.
pub(crate) fn f32x4_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 {
    f32x4_add(f32x4_mul(f32x4_neg(a), b), c)
}

/// `f64x2.relaxed_madd`: `a * b + c` per lane, unfused.
pub(crate) fn f64x2_relaxed_madd(a: u128, b: u128, c: u128) -> u128 {
    f64x2_add(f64x2_mul(a, b), c)
}

/// `f64x2.relaxed_nmadd`: `-a * b + c` per lane, unfused.
pub(crate) fn f64x2_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 {
    f64x2_add(f64x2_mul(f64x2_neg(a), b), c)
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`: lane `i` is `a[2i] * b[2i] + a[2i+1] * b[2i+1]` with every
/// byte signed, saturated to i16 (only `-128 * -128 + -128 * -128` needs it).
pub(crate) fn i16x8_relaxed_dot_i8x16_i7x16_s(a: u128, b: u128) -> u128 {
    let (a, b) = (i8::unpack(a), i8::unpack(b));
    i16::pack(std::array::from_fn(|i| {
        let product = |j: usize| i32::from(a[j]) * i32::from(b[j]);
        let sum = product(2 * i) + product(2 * i + 1);
        sum.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
    }))
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: the lanes of [`i16x8_relaxed_dot_i8x16_i7x16_s`] added in
/// pairs to i32, plus `c`'s lane (wrapping).
pub(crate) fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 {
    let dot = i16::unpack(i16x8_relaxed_dot_i8x16_i7x16_s(a, b));
    let c = i32::unpack(c);
    i32::pack(std::array::from_fn(|i| (i32::from(dot[2 * i]) + i32::from(dot[2 * i + 1])).wrapping_add(c[i])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(v: [f32; 4]) -> u128 {
        u32::pack(v.map(f32::to_bits))
    }

    #[test]
    fn madd_is_unfused() {
        // 1 + 2^-23 squared is 1 + 2^-22 + 2^-46: fused, minus (1 + 2^-22) leaves 2^-46; unfused,
        // the product rounds to 1 + 2^-22 first and the sum is 0.
        let x = 1.0 + f32::EPSILON;
        let r = f32x4_relaxed_madd(f32s([x; 4]), f32s([x; 4]), f32s([-(1.0 + 2.0 * f32::EPSILON); 4]));
        assert_eq!(r, f32s([0.0; 4]));
        let r = f32x4_relaxed_nmadd(f32s([2.0; 4]), f32s([3.0; 4]), f32s([10.0; 4]));
        assert_eq!(r, f32s([4.0; 4]));
        let y = 1.0 + f64::EPSILON;
        let d = |v: f64| u64::pack([v.to_bits(); 2]);
        assert_eq!(f64x2_relaxed_madd(d(y), d(y), d(-(1.0 + 2.0 * f64::EPSILON))), d(0.0));
        assert_eq!(f64x2_relaxed_nmadd(d(2.0), d(3.0), d(10.0)), d(4.0));
    }

    #[test]
    fn dot_products_are_signed_and_saturate() {
        let a = i8::pack([-128, -128, 127, 127, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, -128, -128]);
        let b = i8::pack([-127, -127, 127, 127, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, -128, -128]);
        let dot = i16::unpack(i16x8_relaxed_dot_i8x16_i7x16_s(a, b));
        assert_eq!(dot, [32512, 32258, 11, 0, 0, 0, 0, i16::MAX]);
        let sum = i32::unpack(i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b, i32::pack([1, 2, 3, i32::MAX])));
        assert_eq!(sum, [32512 + 32258 + 1, 13, 3, i32::MAX.wrapping_add(i32::from(i16::MAX))]);
    }
}
