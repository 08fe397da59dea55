//! Fixed-width SIMD (`v128`) semantics: one function per computational SIMD instruction of
//! WebAssembly 2.0, named after the instruction (`i8x16.add_sat_s` is [`i8x16_add_sat_s`]).
//!
//! A `v128` is a `u128` whose little-endian bytes are the vector's bytes, so lane `i` of an
//! `MxN` shape is bits `M*i .. M*i+M`. Every function unpacks its operands into lane arrays,
//! works lane by lane (reusing the scalar rules of [`super::float`] and [`super::convert`]),
//! and packs the result. i32 scalars are `u32`, i64 scalars `u64`.
//!
//! Most operations also have a fast path for x86_64 in `x86` (SSE2, which every x86_64 CPU
//! has): for those, the lane-by-lane definition lives in `portable` and the public function
//! picks one of the two at compile time (`fast!`). The fast paths return the portable
//! results bit for bit, NaN payloads included (float arithmetic gives a NaN lane the NaN that
//! the portable function chooses; see `x86`), and the tests compare every fast path with its
//! portable definition on many inputs, special values included.
//!
//! Relaxed SIMD's fixed choices are in `relaxed`.
//!
//! Lane immediates are range-checked by the validator; here they are also reduced modulo the
//! lane count so that no input can panic. Memory instructions and `v128.const` live in the
//! executor.

#![allow(dead_code)]

use super::{convert, float};

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod x86;

mod relaxed;
pub(crate) use relaxed::{
    f32x4_relaxed_madd, f32x4_relaxed_nmadd, f64x2_relaxed_madd, f64x2_relaxed_nmadd,
    i16x8_relaxed_dot_i8x16_i7x16_s, i32x4_relaxed_dot_i8x16_i7x16_add_s,
};

/// Calls operation `$name`: its SSE2 fast path `x86::$name` where SSE2 is enabled at compile
/// time (every x86_64 target), else its lane-by-lane definition `portable::$name`.
macro_rules! fast {
    ($name:ident($($arg:expr),*)) => {{
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        #[allow(unsafe_code)]
        // SAFETY: the `x86` functions are safe apart from needing SSE2, and this line is only
        // compiled when SSE2 is enabled for the whole build.
        let result = unsafe { x86::$name($($arg),*) };
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        let result = portable::$name($($arg),*);
        result
    }};
}

// ---------------------------------------------------------------------------------------
// Lane plumbing
// ---------------------------------------------------------------------------------------

/// A scalar that a `v128` splits into: `Arr` is `[Self; 128 / bits]`.
trait Lane: Copy + Default + PartialOrd {
    type Arr: AsRef<[Self]> + AsMut<[Self]> + Default;
    fn unpack(v: u128) -> Self::Arr;
    fn pack(lanes: Self::Arr) -> u128;
}

macro_rules! lane {
    ($($t:ty => $n:literal),* $(,)?) => {$(
        impl Lane for $t {
            type Arr = [$t; $n];

            #[inline]
            fn unpack(v: u128) -> [$t; $n] {
                const SIZE: usize = 16 / $n;
                let bytes = v.to_le_bytes();
                std::array::from_fn(|i| {
                    let mut lane = [0; SIZE];
                    lane.copy_from_slice(&bytes[i * SIZE..(i + 1) * SIZE]);
                    <$t>::from_le_bytes(lane)
                })
            }

            #[inline]
            fn pack(lanes: [$t; $n]) -> u128 {
                const SIZE: usize = 16 / $n;
                let mut bytes = [0; 16];
                for (chunk, lane) in bytes.chunks_exact_mut(SIZE).zip(lanes) {
                    chunk.copy_from_slice(&lane.to_le_bytes());
                }
                u128::from_le_bytes(bytes)
            }
        }
    )*};
}

lane!(i8 => 16, u8 => 16, i16 => 8, u16 => 8, i32 => 4, u32 => 4, i64 => 2, u64 => 2, f32 => 4, f64 => 2);

/// Applies `f` to every lane.
#[inline]
fn map<T: Lane>(a: u128, f: impl Fn(T) -> T) -> u128 {
    let mut lanes = T::unpack(a);
    for lane in lanes.as_mut() {
        *lane = f(*lane);
    }
    T::pack(lanes)
}

/// Combines corresponding lanes of `a` and `b` with `f`.
#[inline]
fn zip<T: Lane>(a: u128, b: u128, f: impl Fn(T, T) -> T) -> u128 {
    let mut lanes = T::unpack(a);
    for (x, &y) in lanes.as_mut().iter_mut().zip(T::unpack(b).as_ref()) {
        *x = f(*x, y);
    }
    T::pack(lanes)
}

/// Compares corresponding lanes: all ones where `f` holds, all zeros elsewhere.
#[inline]
fn compare<T: Lane>(a: u128, b: u128, f: impl Fn(T, T) -> bool) -> u128 {
    let (x, y) = (T::unpack(a), T::unpack(b));
    let (x, y) = (x.as_ref(), y.as_ref());
    let width = 128 / x.len();
    let ones = u128::MAX >> (128 - width);
    x.iter()
        .zip(y)
        .enumerate()
        .fold(0, |acc, (i, (&l, &r))| if f(l, r) { acc | (ones << (i * width)) } else { acc })
}

/// Builds a vector lane by lane from the lane index (for shape-changing instructions).
#[inline]
fn build<U: Lane>(f: impl Fn(usize) -> U) -> u128 {
    let mut lanes = U::Arr::default();
    for (i, lane) in lanes.as_mut().iter_mut().enumerate() {
        *lane = f(i);
    }
    U::pack(lanes)
}

/// Result lane `i` is `f(input lane first + i)`; result lanes past the input are zero
/// (the `_zero` conversions).
#[inline]
fn convert_lanes<T: Lane, U: Lane>(v: u128, first: usize, f: impl Fn(T) -> U) -> u128 {
    let x = T::unpack(v);
    build(|i| x.as_ref().get(first + i).map_or(U::default(), |&l| f(l)))
}

/// Result lane `i` is `f(a[first + i], b[first + i])` (the extending multiplications).
#[inline]
fn extmul<T: Lane, U: Lane>(a: u128, b: u128, first: usize, f: impl Fn(T, T) -> U) -> u128 {
    let (x, y) = (T::unpack(a), T::unpack(b));
    let (x, y) = (x.as_ref(), y.as_ref());
    build(|i| match (x.get(first + i), y.get(first + i)) {
        (Some(&l), Some(&r)) => f(l, r),
        _ => U::default(),
    })
}

/// Result lane `i` is `f(a[2i], a[2i+1])` (the pairwise additions).
#[inline]
fn pairwise<T: Lane, U: Lane>(a: u128, f: impl Fn(T, T) -> U) -> u128 {
    let x = T::unpack(a);
    let x = x.as_ref();
    build(|i| match (x.get(2 * i), x.get(2 * i + 1)) {
        (Some(&l), Some(&r)) => f(l, r),
        _ => U::default(),
    })
}

/// The lanes of `a` then the lanes of `b`, each narrowed by `f` (the saturating narrows).
#[inline]
fn narrow<T: Lane, U: Lane>(a: u128, b: u128, f: impl Fn(T) -> U) -> u128 {
    let (x, y) = (T::unpack(a), T::unpack(b));
    let (x, y) = (x.as_ref(), y.as_ref());
    build(|i| x.iter().chain(y).nth(i).map_or(U::default(), |&l| f(l)))
}

#[inline]
fn extract<T: Lane>(v: u128, lane: u8) -> T {
    let lanes = T::unpack(v);
    let lanes = lanes.as_ref();
    lanes[usize::from(lane) % lanes.len()]
}

#[inline]
fn replace<T: Lane>(v: u128, lane: u8, x: T) -> u128 {
    let mut lanes = T::unpack(v);
    let slice = lanes.as_mut();
    let n = slice.len();
    slice[usize::from(lane) % n] = x;
    T::pack(lanes)
}

#[inline]
fn all_true<T: Lane>(v: u128) -> bool {
    T::unpack(v).as_ref().iter().all(|&x| x != T::default())
}

/// Bit `i` of the result is the sign bit of lane `i` (`T` must be signed).
#[inline]
fn bitmask<T: Lane>(v: u128) -> u32 {
    T::unpack(v).as_ref().iter().enumerate().fold(0, |m, (i, &x)| m | (u32::from(x < T::default()) << i))
}

// ---------------------------------------------------------------------------------------
// Splat, extract_lane, replace_lane
// ---------------------------------------------------------------------------------------

/// `splat`: every lane is the scalar (i8/i16 take its low bits).
pub(crate) fn i8x16_splat(x: u32) -> u128 {
    fast!(i8x16_splat(x))
}

pub(crate) fn i16x8_splat(x: u32) -> u128 {
    fast!(i16x8_splat(x))
}

pub(crate) fn i32x4_splat(x: u32) -> u128 {
    fast!(i32x4_splat(x))
}

pub(crate) fn i64x2_splat(x: u64) -> u128 {
    fast!(i64x2_splat(x))
}

pub(crate) fn f32x4_splat(x: f32) -> u128 {
    fast!(f32x4_splat(x))
}

pub(crate) fn f64x2_splat(x: f64) -> u128 {
    fast!(f64x2_splat(x))
}

/// `extract_lane`: `_s` sign-extends and `_u` zero-extends the narrow lanes to 32 bits.
pub(crate) fn i8x16_extract_lane_s(v: u128, lane: u8) -> u32 {
    extract::<i8>(v, lane) as u32
}

pub(crate) fn i8x16_extract_lane_u(v: u128, lane: u8) -> u32 {
    u32::from(extract::<u8>(v, lane))
}

pub(crate) fn i16x8_extract_lane_s(v: u128, lane: u8) -> u32 {
    extract::<i16>(v, lane) as u32
}

pub(crate) fn i16x8_extract_lane_u(v: u128, lane: u8) -> u32 {
    u32::from(extract::<u16>(v, lane))
}

pub(crate) fn i32x4_extract_lane(v: u128, lane: u8) -> u32 {
    extract(v, lane)
}

pub(crate) fn i64x2_extract_lane(v: u128, lane: u8) -> u64 {
    extract(v, lane)
}

pub(crate) fn f32x4_extract_lane(v: u128, lane: u8) -> f32 {
    extract(v, lane)
}

pub(crate) fn f64x2_extract_lane(v: u128, lane: u8) -> f64 {
    extract(v, lane)
}

/// `replace_lane`: one lane replaced by the scalar (i8/i16 take its low bits).
pub(crate) fn i8x16_replace_lane(v: u128, lane: u8, x: u32) -> u128 {
    replace(v, lane, x as u8)
}

pub(crate) fn i16x8_replace_lane(v: u128, lane: u8, x: u32) -> u128 {
    replace(v, lane, x as u16)
}

pub(crate) fn i32x4_replace_lane(v: u128, lane: u8, x: u32) -> u128 {
    replace(v, lane, x)
}

pub(crate) fn i64x2_replace_lane(v: u128, lane: u8, x: u64) -> u128 {
    replace(v, lane, x)
}

pub(crate) fn f32x4_replace_lane(v: u128, lane: u8, x: f32) -> u128 {
    replace(v, lane, x)
}

pub(crate) fn f64x2_replace_lane(v: u128, lane: u8, x: f64) -> u128 {
    replace(v, lane, x)
}

// ---------------------------------------------------------------------------------------
// Byte permutations
// ---------------------------------------------------------------------------------------

/// `i8x16.shuffle`: byte `i` is byte `lanes[i]` of the 32-byte concatenation `a ++ b`.
pub(crate) fn i8x16_shuffle(a: u128, b: u128, lanes: &[u8; 16]) -> u128 {
    let (a, b) = (u8::unpack(a), u8::unpack(b));
    build(|i| {
        let j = usize::from(lanes[i] & 31);
        if j < 16 { a[j] } else { b[j - 16] }
    })
}

/// `i8x16.swizzle`: byte `i` is byte `s[i]` of `a`, or 0 when `s[i] >= 16`.
pub(crate) fn i8x16_swizzle(a: u128, s: u128) -> u128 {
    let (a, s) = (u8::unpack(a), u8::unpack(s));
    build(|i| a.get(usize::from(s[i])).copied().unwrap_or(0))
}

// ---------------------------------------------------------------------------------------
// Whole-vector bitwise operations
// ---------------------------------------------------------------------------------------

/// Bitwise operations on all 128 bits; `andnot` is `a & !b`, `bitselect` takes `a` where
/// `c` is 1 and `b` where it is 0.
pub(crate) fn v128_not(a: u128) -> u128 {
    fast!(v128_not(a))
}

pub(crate) fn v128_and(a: u128, b: u128) -> u128 {
    fast!(v128_and(a, b))
}

pub(crate) fn v128_andnot(a: u128, b: u128) -> u128 {
    fast!(v128_andnot(a, b))
}

pub(crate) fn v128_or(a: u128, b: u128) -> u128 {
    fast!(v128_or(a, b))
}

pub(crate) fn v128_xor(a: u128, b: u128) -> u128 {
    fast!(v128_xor(a, b))
}

pub(crate) fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 {
    fast!(v128_bitselect(a, b, c))
}

/// `v128.any_true`: some bit is set.
pub(crate) fn v128_any_true(a: u128) -> bool {
    a != 0
}

// ---------------------------------------------------------------------------------------
// Comparisons: each lane becomes all ones (true) or all zeros (false)
// ---------------------------------------------------------------------------------------

/// i8x16 comparisons.
pub(crate) fn i8x16_eq(a: u128, b: u128) -> u128 {
    fast!(i8x16_eq(a, b))
}

pub(crate) fn i8x16_ne(a: u128, b: u128) -> u128 {
    fast!(i8x16_ne(a, b))
}

pub(crate) fn i8x16_lt_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_lt_s(a, b))
}

pub(crate) fn i8x16_lt_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_lt_u(a, b))
}

pub(crate) fn i8x16_gt_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_gt_s(a, b))
}

pub(crate) fn i8x16_gt_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_gt_u(a, b))
}

pub(crate) fn i8x16_le_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_le_s(a, b))
}

pub(crate) fn i8x16_le_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_le_u(a, b))
}

pub(crate) fn i8x16_ge_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_ge_s(a, b))
}

pub(crate) fn i8x16_ge_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_ge_u(a, b))
}

/// i16x8 comparisons.
pub(crate) fn i16x8_eq(a: u128, b: u128) -> u128 {
    fast!(i16x8_eq(a, b))
}

pub(crate) fn i16x8_ne(a: u128, b: u128) -> u128 {
    fast!(i16x8_ne(a, b))
}

pub(crate) fn i16x8_lt_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_lt_s(a, b))
}

pub(crate) fn i16x8_lt_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_lt_u(a, b))
}

pub(crate) fn i16x8_gt_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_gt_s(a, b))
}

pub(crate) fn i16x8_gt_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_gt_u(a, b))
}

pub(crate) fn i16x8_le_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_le_s(a, b))
}

pub(crate) fn i16x8_le_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_le_u(a, b))
}

pub(crate) fn i16x8_ge_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_ge_s(a, b))
}

pub(crate) fn i16x8_ge_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_ge_u(a, b))
}

/// i32x4 comparisons.
pub(crate) fn i32x4_eq(a: u128, b: u128) -> u128 {
    fast!(i32x4_eq(a, b))
}

pub(crate) fn i32x4_ne(a: u128, b: u128) -> u128 {
    fast!(i32x4_ne(a, b))
}

pub(crate) fn i32x4_lt_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_lt_s(a, b))
}

pub(crate) fn i32x4_lt_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_lt_u(a, b))
}

pub(crate) fn i32x4_gt_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_gt_s(a, b))
}

pub(crate) fn i32x4_gt_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_gt_u(a, b))
}

pub(crate) fn i32x4_le_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_le_s(a, b))
}

pub(crate) fn i32x4_le_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_le_u(a, b))
}

pub(crate) fn i32x4_ge_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_ge_s(a, b))
}

pub(crate) fn i32x4_ge_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_ge_u(a, b))
}

/// i64x2 comparisons (signed only).
pub(crate) fn i64x2_eq(a: u128, b: u128) -> u128 {
    fast!(i64x2_eq(a, b))
}

pub(crate) fn i64x2_ne(a: u128, b: u128) -> u128 {
    fast!(i64x2_ne(a, b))
}

pub(crate) fn i64x2_lt_s(a: u128, b: u128) -> u128 {
    compare::<i64>(a, b, |x, y| x < y)
}

pub(crate) fn i64x2_gt_s(a: u128, b: u128) -> u128 {
    compare::<i64>(a, b, |x, y| x > y)
}

pub(crate) fn i64x2_le_s(a: u128, b: u128) -> u128 {
    compare::<i64>(a, b, |x, y| x <= y)
}

pub(crate) fn i64x2_ge_s(a: u128, b: u128) -> u128 {
    compare::<i64>(a, b, |x, y| x >= y)
}

/// f32x4 comparisons (IEEE: every comparison with a NaN is false, except `ne`).
pub(crate) fn f32x4_eq(a: u128, b: u128) -> u128 {
    fast!(f32x4_eq(a, b))
}

pub(crate) fn f32x4_ne(a: u128, b: u128) -> u128 {
    fast!(f32x4_ne(a, b))
}

pub(crate) fn f32x4_lt(a: u128, b: u128) -> u128 {
    fast!(f32x4_lt(a, b))
}

pub(crate) fn f32x4_gt(a: u128, b: u128) -> u128 {
    fast!(f32x4_gt(a, b))
}

pub(crate) fn f32x4_le(a: u128, b: u128) -> u128 {
    fast!(f32x4_le(a, b))
}

pub(crate) fn f32x4_ge(a: u128, b: u128) -> u128 {
    fast!(f32x4_ge(a, b))
}

/// f64x2 comparisons (IEEE: every comparison with a NaN is false, except `ne`).
pub(crate) fn f64x2_eq(a: u128, b: u128) -> u128 {
    fast!(f64x2_eq(a, b))
}

pub(crate) fn f64x2_ne(a: u128, b: u128) -> u128 {
    fast!(f64x2_ne(a, b))
}

pub(crate) fn f64x2_lt(a: u128, b: u128) -> u128 {
    fast!(f64x2_lt(a, b))
}

pub(crate) fn f64x2_gt(a: u128, b: u128) -> u128 {
    fast!(f64x2_gt(a, b))
}

pub(crate) fn f64x2_le(a: u128, b: u128) -> u128 {
    fast!(f64x2_le(a, b))
}

pub(crate) fn f64x2_ge(a: u128, b: u128) -> u128 {
    fast!(f64x2_ge(a, b))
}

// ---------------------------------------------------------------------------------------
// Integer unary operations, all_true, bitmask
// ---------------------------------------------------------------------------------------

/// `abs` and `neg` wrap: both map `MIN` to `MIN`.
pub(crate) fn i8x16_abs(a: u128) -> u128 {
    fast!(i8x16_abs(a))
}

pub(crate) fn i8x16_neg(a: u128) -> u128 {
    fast!(i8x16_neg(a))
}

pub(crate) fn i16x8_abs(a: u128) -> u128 {
    fast!(i16x8_abs(a))
}

pub(crate) fn i16x8_neg(a: u128) -> u128 {
    fast!(i16x8_neg(a))
}

pub(crate) fn i32x4_abs(a: u128) -> u128 {
    fast!(i32x4_abs(a))
}

pub(crate) fn i32x4_neg(a: u128) -> u128 {
    fast!(i32x4_neg(a))
}

pub(crate) fn i64x2_abs(a: u128) -> u128 {
    map(a, i64::wrapping_abs)
}

pub(crate) fn i64x2_neg(a: u128) -> u128 {
    map(a, i64::wrapping_neg)
}

/// `i8x16.popcnt`: number of set bits per byte.
pub(crate) fn i8x16_popcnt(a: u128) -> u128 {
    map(a, |x: u8| x.count_ones() as u8)
}

/// `all_true`: every lane is non-zero.
pub(crate) fn i8x16_all_true(a: u128) -> bool {
    fast!(i8x16_all_true(a))
}

pub(crate) fn i16x8_all_true(a: u128) -> bool {
    fast!(i16x8_all_true(a))
}

pub(crate) fn i32x4_all_true(a: u128) -> bool {
    fast!(i32x4_all_true(a))
}

pub(crate) fn i64x2_all_true(a: u128) -> bool {
    all_true::<u64>(a)
}

/// `bitmask`: bit `i` of the result is the top bit of lane `i`.
pub(crate) fn i8x16_bitmask(a: u128) -> u32 {
    fast!(i8x16_bitmask(a))
}

pub(crate) fn i16x8_bitmask(a: u128) -> u32 {
    fast!(i16x8_bitmask(a))
}

pub(crate) fn i32x4_bitmask(a: u128) -> u32 {
    fast!(i32x4_bitmask(a))
}

pub(crate) fn i64x2_bitmask(a: u128) -> u32 {
    fast!(i64x2_bitmask(a))
}

// ---------------------------------------------------------------------------------------
// Shifts: the count is taken modulo the lane width (`wrapping_shl`/`wrapping_shr` mask it)
// ---------------------------------------------------------------------------------------

/// i8x16 shifts.
pub(crate) fn i8x16_shl(a: u128, count: u32) -> u128 {
    fast!(i8x16_shl(a, count))
}

pub(crate) fn i8x16_shr_s(a: u128, count: u32) -> u128 {
    fast!(i8x16_shr_s(a, count))
}

pub(crate) fn i8x16_shr_u(a: u128, count: u32) -> u128 {
    fast!(i8x16_shr_u(a, count))
}

/// i16x8 shifts.
pub(crate) fn i16x8_shl(a: u128, count: u32) -> u128 {
    fast!(i16x8_shl(a, count))
}

pub(crate) fn i16x8_shr_s(a: u128, count: u32) -> u128 {
    fast!(i16x8_shr_s(a, count))
}

pub(crate) fn i16x8_shr_u(a: u128, count: u32) -> u128 {
    fast!(i16x8_shr_u(a, count))
}

/// i32x4 shifts.
pub(crate) fn i32x4_shl(a: u128, count: u32) -> u128 {
    fast!(i32x4_shl(a, count))
}

pub(crate) fn i32x4_shr_s(a: u128, count: u32) -> u128 {
    fast!(i32x4_shr_s(a, count))
}

pub(crate) fn i32x4_shr_u(a: u128, count: u32) -> u128 {
    fast!(i32x4_shr_u(a, count))
}

/// i64x2 shifts.
pub(crate) fn i64x2_shl(a: u128, count: u32) -> u128 {
    fast!(i64x2_shl(a, count))
}

pub(crate) fn i64x2_shr_s(a: u128, count: u32) -> u128 {
    map(a, |x: i64| x.wrapping_shr(count))
}

pub(crate) fn i64x2_shr_u(a: u128, count: u32) -> u128 {
    fast!(i64x2_shr_u(a, count))
}

// ---------------------------------------------------------------------------------------
// Integer lane arithmetic
// ---------------------------------------------------------------------------------------

/// i8x16: wrapping add/sub, saturating add/sub, min/max, rounding average.
pub(crate) fn i8x16_add(a: u128, b: u128) -> u128 {
    fast!(i8x16_add(a, b))
}

pub(crate) fn i8x16_add_sat_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_add_sat_s(a, b))
}

pub(crate) fn i8x16_add_sat_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_add_sat_u(a, b))
}

pub(crate) fn i8x16_sub(a: u128, b: u128) -> u128 {
    fast!(i8x16_sub(a, b))
}

pub(crate) fn i8x16_sub_sat_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_sub_sat_s(a, b))
}

pub(crate) fn i8x16_sub_sat_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_sub_sat_u(a, b))
}

pub(crate) fn i8x16_min_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_min_s(a, b))
}

pub(crate) fn i8x16_min_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_min_u(a, b))
}

pub(crate) fn i8x16_max_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_max_s(a, b))
}

pub(crate) fn i8x16_max_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_max_u(a, b))
}

/// `avgr_u`: `(a + b + 1) / 2` computed without overflow (rounds halves up).
pub(crate) fn i8x16_avgr_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_avgr_u(a, b))
}

/// i16x8: as i8x16, plus wrapping `mul` and `q15mulr_sat_s`.
pub(crate) fn i16x8_add(a: u128, b: u128) -> u128 {
    fast!(i16x8_add(a, b))
}

pub(crate) fn i16x8_add_sat_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_add_sat_s(a, b))
}

pub(crate) fn i16x8_add_sat_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_add_sat_u(a, b))
}

pub(crate) fn i16x8_sub(a: u128, b: u128) -> u128 {
    fast!(i16x8_sub(a, b))
}

pub(crate) fn i16x8_sub_sat_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_sub_sat_s(a, b))
}

pub(crate) fn i16x8_sub_sat_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_sub_sat_u(a, b))
}

pub(crate) fn i16x8_mul(a: u128, b: u128) -> u128 {
    fast!(i16x8_mul(a, b))
}

pub(crate) fn i16x8_min_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_min_s(a, b))
}

pub(crate) fn i16x8_min_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_min_u(a, b))
}

pub(crate) fn i16x8_max_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_max_s(a, b))
}

pub(crate) fn i16x8_max_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_max_u(a, b))
}

pub(crate) fn i16x8_avgr_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_avgr_u(a, b))
}

/// `q15mulr_sat_s`: Q15 fixed-point product `(a * b + 2^14) >> 15`, saturated (only
/// `-32768 * -32768` overflows).
pub(crate) fn i16x8_q15mulr_sat_s(a: u128, b: u128) -> u128 {
    zip(a, b, |x: i16, y: i16| {
        let product = (i32::from(x) * i32::from(y) + 0x4000) >> 15;
        product.clamp(i16::MIN.into(), i16::MAX.into()) as i16
    })
}

/// i32x4: wrapping add/sub/mul, min/max.
pub(crate) fn i32x4_add(a: u128, b: u128) -> u128 {
    fast!(i32x4_add(a, b))
}

pub(crate) fn i32x4_sub(a: u128, b: u128) -> u128 {
    fast!(i32x4_sub(a, b))
}

pub(crate) fn i32x4_mul(a: u128, b: u128) -> u128 {
    zip(a, b, u32::wrapping_mul)
}

pub(crate) fn i32x4_min_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_min_s(a, b))
}

pub(crate) fn i32x4_min_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_min_u(a, b))
}

pub(crate) fn i32x4_max_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_max_s(a, b))
}

pub(crate) fn i32x4_max_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_max_u(a, b))
}

/// `i32x4.dot_i16x8_s`: lane `i` is `a[2i]*b[2i] + a[2i+1]*b[2i+1]`, wrapping (only
/// `2 * (-32768)^2` overflows).
pub(crate) fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_dot_i16x8_s(a, b))
}

/// i64x2: wrapping add/sub/mul.
pub(crate) fn i64x2_add(a: u128, b: u128) -> u128 {
    fast!(i64x2_add(a, b))
}

pub(crate) fn i64x2_sub(a: u128, b: u128) -> u128 {
    fast!(i64x2_sub(a, b))
}

pub(crate) fn i64x2_mul(a: u128, b: u128) -> u128 {
    zip(a, b, u64::wrapping_mul)
}

// ---------------------------------------------------------------------------------------
// Widening: extend, extmul, extadd_pairwise (none of these can overflow)
// ---------------------------------------------------------------------------------------

/// `extend_low`/`extend_high`: the low or high half of the lanes, sign- or zero-extended.
pub(crate) fn i16x8_extend_low_i8x16_s(a: u128) -> u128 {
    fast!(i16x8_extend_low_i8x16_s(a))
}

pub(crate) fn i16x8_extend_high_i8x16_s(a: u128) -> u128 {
    fast!(i16x8_extend_high_i8x16_s(a))
}

pub(crate) fn i16x8_extend_low_i8x16_u(a: u128) -> u128 {
    fast!(i16x8_extend_low_i8x16_u(a))
}

pub(crate) fn i16x8_extend_high_i8x16_u(a: u128) -> u128 {
    fast!(i16x8_extend_high_i8x16_u(a))
}

pub(crate) fn i32x4_extend_low_i16x8_s(a: u128) -> u128 {
    fast!(i32x4_extend_low_i16x8_s(a))
}

pub(crate) fn i32x4_extend_high_i16x8_s(a: u128) -> u128 {
    fast!(i32x4_extend_high_i16x8_s(a))
}

pub(crate) fn i32x4_extend_low_i16x8_u(a: u128) -> u128 {
    fast!(i32x4_extend_low_i16x8_u(a))
}

pub(crate) fn i32x4_extend_high_i16x8_u(a: u128) -> u128 {
    fast!(i32x4_extend_high_i16x8_u(a))
}

pub(crate) fn i64x2_extend_low_i32x4_s(a: u128) -> u128 {
    convert_lanes::<i32, i64>(a, 0, i64::from)
}

pub(crate) fn i64x2_extend_high_i32x4_s(a: u128) -> u128 {
    convert_lanes::<i32, i64>(a, 2, i64::from)
}

pub(crate) fn i64x2_extend_low_i32x4_u(a: u128) -> u128 {
    fast!(i64x2_extend_low_i32x4_u(a))
}

pub(crate) fn i64x2_extend_high_i32x4_u(a: u128) -> u128 {
    fast!(i64x2_extend_high_i32x4_u(a))
}

/// `extmul_low`/`extmul_high`: products of the extended low or high halves.
pub(crate) fn i16x8_extmul_low_i8x16_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_extmul_low_i8x16_s(a, b))
}

pub(crate) fn i16x8_extmul_high_i8x16_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_extmul_high_i8x16_s(a, b))
}

pub(crate) fn i16x8_extmul_low_i8x16_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_extmul_low_i8x16_u(a, b))
}

pub(crate) fn i16x8_extmul_high_i8x16_u(a: u128, b: u128) -> u128 {
    fast!(i16x8_extmul_high_i8x16_u(a, b))
}

pub(crate) fn i32x4_extmul_low_i16x8_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_extmul_low_i16x8_s(a, b))
}

pub(crate) fn i32x4_extmul_high_i16x8_s(a: u128, b: u128) -> u128 {
    fast!(i32x4_extmul_high_i16x8_s(a, b))
}

pub(crate) fn i32x4_extmul_low_i16x8_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_extmul_low_i16x8_u(a, b))
}

pub(crate) fn i32x4_extmul_high_i16x8_u(a: u128, b: u128) -> u128 {
    fast!(i32x4_extmul_high_i16x8_u(a, b))
}

pub(crate) fn i64x2_extmul_low_i32x4_s(a: u128, b: u128) -> u128 {
    extmul(a, b, 0, |x: i32, y: i32| i64::from(x) * i64::from(y))
}

pub(crate) fn i64x2_extmul_high_i32x4_s(a: u128, b: u128) -> u128 {
    extmul(a, b, 2, |x: i32, y: i32| i64::from(x) * i64::from(y))
}

pub(crate) fn i64x2_extmul_low_i32x4_u(a: u128, b: u128) -> u128 {
    fast!(i64x2_extmul_low_i32x4_u(a, b))
}

pub(crate) fn i64x2_extmul_high_i32x4_u(a: u128, b: u128) -> u128 {
    fast!(i64x2_extmul_high_i32x4_u(a, b))
}

/// `extadd_pairwise`: lane `i` is the extended sum of input lanes `2i` and `2i+1`.
pub(crate) fn i16x8_extadd_pairwise_i8x16_s(a: u128) -> u128 {
    fast!(i16x8_extadd_pairwise_i8x16_s(a))
}

pub(crate) fn i16x8_extadd_pairwise_i8x16_u(a: u128) -> u128 {
    fast!(i16x8_extadd_pairwise_i8x16_u(a))
}

pub(crate) fn i32x4_extadd_pairwise_i16x8_s(a: u128) -> u128 {
    fast!(i32x4_extadd_pairwise_i16x8_s(a))
}

pub(crate) fn i32x4_extadd_pairwise_i16x8_u(a: u128) -> u128 {
    fast!(i32x4_extadd_pairwise_i16x8_u(a))
}

// ---------------------------------------------------------------------------------------
// Narrowing: lanes of `a` then lanes of `b`, signed inputs saturated to the narrower type
// ---------------------------------------------------------------------------------------

pub(crate) fn i8x16_narrow_i16x8_s(a: u128, b: u128) -> u128 {
    fast!(i8x16_narrow_i16x8_s(a, b))
}

pub(crate) fn i8x16_narrow_i16x8_u(a: u128, b: u128) -> u128 {
    fast!(i8x16_narrow_i16x8_u(a, b))
}

pub(crate) fn i16x8_narrow_i32x4_s(a: u128, b: u128) -> u128 {
    fast!(i16x8_narrow_i32x4_s(a, b))
}

pub(crate) fn i16x8_narrow_i32x4_u(a: u128, b: u128) -> u128 {
    narrow(a, b, |x: i32| x.clamp(0, u16::MAX.into()) as u16)
}

// ---------------------------------------------------------------------------------------
// Float lane arithmetic
// ---------------------------------------------------------------------------------------

/// f32x4 `+ - * /`: IEEE 754 already returns a quiet NaN, also for signalling inputs; `+` and
/// `*` pick the NaN deterministically (see `float::f32_add`).
pub(crate) fn f32x4_add(a: u128, b: u128) -> u128 {
    fast!(f32x4_add(a, b))
}

pub(crate) fn f32x4_sub(a: u128, b: u128) -> u128 {
    fast!(f32x4_sub(a, b))
}

pub(crate) fn f32x4_mul(a: u128, b: u128) -> u128 {
    fast!(f32x4_mul(a, b))
}

pub(crate) fn f32x4_div(a: u128, b: u128) -> u128 {
    fast!(f32x4_div(a, b))
}

/// f32x4 `min`/`max` (NaN-propagating, `-0 < +0`) and `pmin`/`pmax` (a plain `<` select
/// that returns the first operand when the comparison is false, e.g. with NaNs).
pub(crate) fn f32x4_min(a: u128, b: u128) -> u128 {
    fast!(f32x4_min(a, b))
}

pub(crate) fn f32x4_max(a: u128, b: u128) -> u128 {
    fast!(f32x4_max(a, b))
}

pub(crate) fn f32x4_pmin(a: u128, b: u128) -> u128 {
    fast!(f32x4_pmin(a, b))
}

pub(crate) fn f32x4_pmax(a: u128, b: u128) -> u128 {
    fast!(f32x4_pmax(a, b))
}

/// f32x4 `abs`/`neg` touch only the sign bit (NaN payloads are kept).
pub(crate) fn f32x4_abs(a: u128) -> u128 {
    fast!(f32x4_abs(a))
}

pub(crate) fn f32x4_neg(a: u128) -> u128 {
    fast!(f32x4_neg(a))
}

/// f32x4 rounding and `sqrt`, per lane with the scalar rules (NaNs come out quiet).
pub(crate) fn f32x4_sqrt(a: u128) -> u128 {
    fast!(f32x4_sqrt(a))
}

pub(crate) fn f32x4_ceil(a: u128) -> u128 {
    map(a, float::f32_ceil)
}

pub(crate) fn f32x4_floor(a: u128) -> u128 {
    map(a, float::f32_floor)
}

pub(crate) fn f32x4_trunc(a: u128) -> u128 {
    map(a, float::f32_trunc)
}

pub(crate) fn f32x4_nearest(a: u128) -> u128 {
    map(a, float::f32_nearest)
}

/// f64x2 `+ - * /`: IEEE 754 already returns a quiet NaN, also for signalling inputs.
pub(crate) fn f64x2_add(a: u128, b: u128) -> u128 {
    fast!(f64x2_add(a, b))
}

pub(crate) fn f64x2_sub(a: u128, b: u128) -> u128 {
    fast!(f64x2_sub(a, b))
}

pub(crate) fn f64x2_mul(a: u128, b: u128) -> u128 {
    fast!(f64x2_mul(a, b))
}

pub(crate) fn f64x2_div(a: u128, b: u128) -> u128 {
    fast!(f64x2_div(a, b))
}

/// f64x2 `min`/`max`/`pmin`/`pmax`, as for f32x4.
pub(crate) fn f64x2_min(a: u128, b: u128) -> u128 {
    fast!(f64x2_min(a, b))
}

pub(crate) fn f64x2_max(a: u128, b: u128) -> u128 {
    fast!(f64x2_max(a, b))
}

pub(crate) fn f64x2_pmin(a: u128, b: u128) -> u128 {
    fast!(f64x2_pmin(a, b))
}

pub(crate) fn f64x2_pmax(a: u128, b: u128) -> u128 {
    fast!(f64x2_pmax(a, b))
}

/// f64x2 `abs`/`neg` touch only the sign bit (NaN payloads are kept).
pub(crate) fn f64x2_abs(a: u128) -> u128 {
    fast!(f64x2_abs(a))
}

pub(crate) fn f64x2_neg(a: u128) -> u128 {
    fast!(f64x2_neg(a))
}

/// f64x2 rounding and `sqrt`, per lane with the scalar rules (NaNs come out quiet).
pub(crate) fn f64x2_sqrt(a: u128) -> u128 {
    fast!(f64x2_sqrt(a))
}

pub(crate) fn f64x2_ceil(a: u128) -> u128 {
    map(a, float::f64_ceil)
}

pub(crate) fn f64x2_floor(a: u128) -> u128 {
    map(a, float::f64_floor)
}

pub(crate) fn f64x2_trunc(a: u128) -> u128 {
    map(a, float::f64_trunc)
}

pub(crate) fn f64x2_nearest(a: u128) -> u128 {
    map(a, float::f64_nearest)
}

// ---------------------------------------------------------------------------------------
// Conversions. Rust's `as` is exactly the spec here: float-to-int saturates (NaN -> 0) and
// int-to-float rounds to nearest, ties to even. `_zero` variants fill the upper lanes with 0.
// ---------------------------------------------------------------------------------------

/// `trunc_sat`: truncate toward zero, saturate, NaN -> 0.
pub(crate) fn i32x4_trunc_sat_f32x4_s(a: u128) -> u128 {
    fast!(i32x4_trunc_sat_f32x4_s(a))
}

pub(crate) fn i32x4_trunc_sat_f32x4_u(a: u128) -> u128 {
    convert_lanes(a, 0, |x: f32| x as u32)
}

pub(crate) fn i32x4_trunc_sat_f64x2_s_zero(a: u128) -> u128 {
    fast!(i32x4_trunc_sat_f64x2_s_zero(a))
}

pub(crate) fn i32x4_trunc_sat_f64x2_u_zero(a: u128) -> u128 {
    convert_lanes(a, 0, |x: f64| x as u32)
}

/// Integer to float: `convert_i32x4` (rounding) and `convert_low_i32x4` (exact).
pub(crate) fn f32x4_convert_i32x4_s(a: u128) -> u128 {
    fast!(f32x4_convert_i32x4_s(a))
}

pub(crate) fn f32x4_convert_i32x4_u(a: u128) -> u128 {
    convert_lanes(a, 0, |x: u32| x as f32)
}

pub(crate) fn f64x2_convert_low_i32x4_s(a: u128) -> u128 {
    fast!(f64x2_convert_low_i32x4_s(a))
}

pub(crate) fn f64x2_convert_low_i32x4_u(a: u128) -> u128 {
    convert_lanes(a, 0, |x: u32| f64::from(x))
}

/// Float to float, with the scalar NaN rules: `demote_f64x2_zero` and `promote_low_f32x4`.
pub(crate) fn f32x4_demote_f64x2_zero(a: u128) -> u128 {
    convert_lanes(a, 0, convert::f32_demote_f64)
}

pub(crate) fn f64x2_promote_low_f32x4(a: u128) -> u128 {
    convert_lanes(a, 0, convert::f64_promote_f32)
}

// ---- loads that widen or splat: the bytes read, turned into the vector

/// `v128.load8x8_s`.
#[inline]
pub(crate) fn v128_load8x8_s(b: [u8; 8]) -> u128 {
    i16x8_extend_low_i8x16_s(u128::from(u64::from_le_bytes(b)))
}
/// `v128.load8x8_u`.
#[inline]
pub(crate) fn v128_load8x8_u(b: [u8; 8]) -> u128 {
    i16x8_extend_low_i8x16_u(u128::from(u64::from_le_bytes(b)))
}
/// `v128.load16x4_s`.
#[inline]
pub(crate) fn v128_load16x4_s(b: [u8; 8]) -> u128 {
    i32x4_extend_low_i16x8_s(u128::from(u64::from_le_bytes(b)))
}
/// `v128.load16x4_u`.
#[inline]
pub(crate) fn v128_load16x4_u(b: [u8; 8]) -> u128 {
    i32x4_extend_low_i16x8_u(u128::from(u64::from_le_bytes(b)))
}
/// `v128.load32x2_s`.
#[inline]
pub(crate) fn v128_load32x2_s(b: [u8; 8]) -> u128 {
    i64x2_extend_low_i32x4_s(u128::from(u64::from_le_bytes(b)))
}
/// `v128.load32x2_u`.
#[inline]
pub(crate) fn v128_load32x2_u(b: [u8; 8]) -> u128 {
    i64x2_extend_low_i32x4_u(u128::from(u64::from_le_bytes(b)))
}
/// `v128.load8_splat`.
#[inline]
pub(crate) fn v128_load8_splat(b: [u8; 1]) -> u128 {
    i8x16_splat(u32::from(b[0]))
}
/// `v128.load16_splat`.
#[inline]
pub(crate) fn v128_load16_splat(b: [u8; 2]) -> u128 {
    i16x8_splat(u32::from(u16::from_le_bytes(b)))
}
/// `v128.load32_splat`.
#[inline]
pub(crate) fn v128_load32_splat(b: [u8; 4]) -> u128 {
    i32x4_splat(u32::from_le_bytes(b))
}
/// `v128.load64_splat`.
#[inline]
pub(crate) fn v128_load64_splat(b: [u8; 8]) -> u128 {
    i64x2_splat(u64::from_le_bytes(b))
}
/// `v128.load32_zero`.
#[inline]
pub(crate) fn v128_load32_zero(b: [u8; 4]) -> u128 {
    u128::from(u32::from_le_bytes(b))
}
/// `v128.load64_zero`.
#[inline]
pub(crate) fn v128_load64_zero(b: [u8; 8]) -> u128 {
    u128::from(u64::from_le_bytes(b))
}

/// The lane-by-lane definitions of the operations that have a fast path (in the order of the
/// public functions above; their docs are there): the reference that the fast paths are
/// tested against, and the implementation on targets without the fast paths.
mod portable {
    use super::*;

    pub(crate) fn i8x16_splat(x: u32) -> u128 {
        u8::pack([x as u8; 16])
    }

    pub(crate) fn i16x8_splat(x: u32) -> u128 {
        u16::pack([x as u16; 8])
    }

    pub(crate) fn i32x4_splat(x: u32) -> u128 {
        u32::pack([x; 4])
    }

    pub(crate) fn i64x2_splat(x: u64) -> u128 {
        u64::pack([x; 2])
    }

    pub(crate) fn f32x4_splat(x: f32) -> u128 {
        f32::pack([x; 4])
    }

    pub(crate) fn f64x2_splat(x: f64) -> u128 {
        f64::pack([x; 2])
    }

    pub(crate) fn v128_not(a: u128) -> u128 {
        !a
    }

    pub(crate) fn v128_and(a: u128, b: u128) -> u128 {
        a & b
    }

    pub(crate) fn v128_andnot(a: u128, b: u128) -> u128 {
        a & !b
    }

    pub(crate) fn v128_or(a: u128, b: u128) -> u128 {
        a | b
    }

    pub(crate) fn v128_xor(a: u128, b: u128) -> u128 {
        a ^ b
    }

    pub(crate) fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 {
        (a & c) | (b & !c)
    }

    pub(crate) fn i8x16_eq(a: u128, b: u128) -> u128 {
        compare::<u8>(a, b, |x, y| x == y)
    }

    pub(crate) fn i8x16_ne(a: u128, b: u128) -> u128 {
        compare::<u8>(a, b, |x, y| x != y)
    }

    pub(crate) fn i8x16_lt_s(a: u128, b: u128) -> u128 {
        compare::<i8>(a, b, |x, y| x < y)
    }

    pub(crate) fn i8x16_lt_u(a: u128, b: u128) -> u128 {
        compare::<u8>(a, b, |x, y| x < y)
    }

    pub(crate) fn i8x16_gt_s(a: u128, b: u128) -> u128 {
        compare::<i8>(a, b, |x, y| x > y)
    }

    pub(crate) fn i8x16_gt_u(a: u128, b: u128) -> u128 {
        compare::<u8>(a, b, |x, y| x > y)
    }

    pub(crate) fn i8x16_le_s(a: u128, b: u128) -> u128 {
        compare::<i8>(a, b, |x, y| x <= y)
    }

    pub(crate) fn i8x16_le_u(a: u128, b: u128) -> u128 {
        compare::<u8>(a, b, |x, y| x <= y)
    }

    pub(crate) fn i8x16_ge_s(a: u128, b: u128) -> u128 {
        compare::<i8>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i8x16_ge_u(a: u128, b: u128) -> u128 {
        compare::<u8>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i16x8_eq(a: u128, b: u128) -> u128 {
        compare::<u16>(a, b, |x, y| x == y)
    }

    pub(crate) fn i16x8_ne(a: u128, b: u128) -> u128 {
        compare::<u16>(a, b, |x, y| x != y)
    }

    pub(crate) fn i16x8_lt_s(a: u128, b: u128) -> u128 {
        compare::<i16>(a, b, |x, y| x < y)
    }

    pub(crate) fn i16x8_lt_u(a: u128, b: u128) -> u128 {
        compare::<u16>(a, b, |x, y| x < y)
    }

    pub(crate) fn i16x8_gt_s(a: u128, b: u128) -> u128 {
        compare::<i16>(a, b, |x, y| x > y)
    }

    pub(crate) fn i16x8_gt_u(a: u128, b: u128) -> u128 {
        compare::<u16>(a, b, |x, y| x > y)
    }

    pub(crate) fn i16x8_le_s(a: u128, b: u128) -> u128 {
        compare::<i16>(a, b, |x, y| x <= y)
    }

    pub(crate) fn i16x8_le_u(a: u128, b: u128) -> u128 {
        compare::<u16>(a, b, |x, y| x <= y)
    }

    pub(crate) fn i16x8_ge_s(a: u128, b: u128) -> u128 {
        compare::<i16>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i16x8_ge_u(a: u128, b: u128) -> u128 {
        compare::<u16>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i32x4_eq(a: u128, b: u128) -> u128 {
        compare::<u32>(a, b, |x, y| x == y)
    }

    pub(crate) fn i32x4_ne(a: u128, b: u128) -> u128 {
        compare::<u32>(a, b, |x, y| x != y)
    }

    pub(crate) fn i32x4_lt_s(a: u128, b: u128) -> u128 {
        compare::<i32>(a, b, |x, y| x < y)
    }

    pub(crate) fn i32x4_lt_u(a: u128, b: u128) -> u128 {
        compare::<u32>(a, b, |x, y| x < y)
    }

    pub(crate) fn i32x4_gt_s(a: u128, b: u128) -> u128 {
        compare::<i32>(a, b, |x, y| x > y)
    }

    pub(crate) fn i32x4_gt_u(a: u128, b: u128) -> u128 {
        compare::<u32>(a, b, |x, y| x > y)
    }

    pub(crate) fn i32x4_le_s(a: u128, b: u128) -> u128 {
        compare::<i32>(a, b, |x, y| x <= y)
    }

    pub(crate) fn i32x4_le_u(a: u128, b: u128) -> u128 {
        compare::<u32>(a, b, |x, y| x <= y)
    }

    pub(crate) fn i32x4_ge_s(a: u128, b: u128) -> u128 {
        compare::<i32>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i32x4_ge_u(a: u128, b: u128) -> u128 {
        compare::<u32>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i64x2_eq(a: u128, b: u128) -> u128 {
        compare::<u64>(a, b, |x, y| x == y)
    }

    pub(crate) fn i64x2_ne(a: u128, b: u128) -> u128 {
        compare::<u64>(a, b, |x, y| x != y)
    }

    pub(crate) fn f32x4_eq(a: u128, b: u128) -> u128 {
        compare::<f32>(a, b, |x, y| x == y)
    }

    pub(crate) fn f32x4_ne(a: u128, b: u128) -> u128 {
        compare::<f32>(a, b, |x, y| x != y)
    }

    pub(crate) fn f32x4_lt(a: u128, b: u128) -> u128 {
        compare::<f32>(a, b, |x, y| x < y)
    }

    pub(crate) fn f32x4_gt(a: u128, b: u128) -> u128 {
        compare::<f32>(a, b, |x, y| x > y)
    }

    pub(crate) fn f32x4_le(a: u128, b: u128) -> u128 {
        compare::<f32>(a, b, |x, y| x <= y)
    }

    pub(crate) fn f32x4_ge(a: u128, b: u128) -> u128 {
        compare::<f32>(a, b, |x, y| x >= y)
    }

    pub(crate) fn f64x2_eq(a: u128, b: u128) -> u128 {
        compare::<f64>(a, b, |x, y| x == y)
    }

    pub(crate) fn f64x2_ne(a: u128, b: u128) -> u128 {
        compare::<f64>(a, b, |x, y| x != y)
    }

    pub(crate) fn f64x2_lt(a: u128, b: u128) -> u128 {
        compare::<f64>(a, b, |x, y| x < y)
    }

    pub(crate) fn f64x2_gt(a: u128, b: u128) -> u128 {
        compare::<f64>(a, b, |x, y| x > y)
    }

    pub(crate) fn f64x2_le(a: u128, b: u128) -> u128 {
        compare::<f64>(a, b, |x, y| x <= y)
    }

    pub(crate) fn f64x2_ge(a: u128, b: u128) -> u128 {
        compare::<f64>(a, b, |x, y| x >= y)
    }

    pub(crate) fn i8x16_abs(a: u128) -> u128 {
        map(a, i8::wrapping_abs)
    }

    pub(crate) fn i8x16_neg(a: u128) -> u128 {
        map(a, i8::wrapping_neg)
    }

    pub(crate) fn i16x8_abs(a: u128) -> u128 {
        map(a, i16::wrapping_abs)
    }

    pub(crate) fn i16x8_neg(a: u128) -> u128 {
        map(a, i16::wrapping_neg)
    }

    pub(crate) fn i32x4_abs(a: u128) -> u128 {
        map(a, i32::wrapping_abs)
    }

    pub(crate) fn i32x4_neg(a: u128) -> u128 {
        map(a, i32::wrapping_neg)
    }

    pub(crate) fn i8x16_all_true(a: u128) -> bool {
        all_true::<u8>(a)
    }

    pub(crate) fn i16x8_all_true(a: u128) -> bool {
        all_true::<u16>(a)
    }

    pub(crate) fn i32x4_all_true(a: u128) -> bool {
        all_true::<u32>(a)
    }

    pub(crate) fn i8x16_bitmask(a: u128) -> u32 {
        bitmask::<i8>(a)
    }

    pub(crate) fn i16x8_bitmask(a: u128) -> u32 {
        bitmask::<i16>(a)
    }

    pub(crate) fn i32x4_bitmask(a: u128) -> u32 {
        bitmask::<i32>(a)
    }

    pub(crate) fn i64x2_bitmask(a: u128) -> u32 {
        bitmask::<i64>(a)
    }

    pub(crate) fn i8x16_shl(a: u128, count: u32) -> u128 {
        map(a, |x: u8| x.wrapping_shl(count))
    }

    pub(crate) fn i8x16_shr_s(a: u128, count: u32) -> u128 {
        map(a, |x: i8| x.wrapping_shr(count))
    }

    pub(crate) fn i8x16_shr_u(a: u128, count: u32) -> u128 {
        map(a, |x: u8| x.wrapping_shr(count))
    }

    pub(crate) fn i16x8_shl(a: u128, count: u32) -> u128 {
        map(a, |x: u16| x.wrapping_shl(count))
    }

    pub(crate) fn i16x8_shr_s(a: u128, count: u32) -> u128 {
        map(a, |x: i16| x.wrapping_shr(count))
    }

    pub(crate) fn i16x8_shr_u(a: u128, count: u32) -> u128 {
        map(a, |x: u16| x.wrapping_shr(count))
    }

    pub(crate) fn i32x4_shl(a: u128, count: u32) -> u128 {
        map(a, |x: u32| x.wrapping_shl(count))
    }

    pub(crate) fn i32x4_shr_s(a: u128, count: u32) -> u128 {
        map(a, |x: i32| x.wrapping_shr(count))
    }

    pub(crate) fn i32x4_shr_u(a: u128, count: u32) -> u128 {
        map(a, |x: u32| x.wrapping_shr(count))
    }

    pub(crate) fn i64x2_shl(a: u128, count: u32) -> u128 {
        map(a, |x: u64| x.wrapping_shl(count))
    }

    pub(crate) fn i64x2_shr_u(a: u128, count: u32) -> u128 {
        map(a, |x: u64| x.wrapping_shr(count))
    }

    pub(crate) fn i8x16_add(a: u128, b: u128) -> u128 {
        zip(a, b, u8::wrapping_add)
    }

    pub(crate) fn i8x16_add_sat_s(a: u128, b: u128) -> u128 {
        zip(a, b, i8::saturating_add)
    }

    pub(crate) fn i8x16_add_sat_u(a: u128, b: u128) -> u128 {
        zip(a, b, u8::saturating_add)
    }

    pub(crate) fn i8x16_sub(a: u128, b: u128) -> u128 {
        zip(a, b, u8::wrapping_sub)
    }

    pub(crate) fn i8x16_sub_sat_s(a: u128, b: u128) -> u128 {
        zip(a, b, i8::saturating_sub)
    }

    pub(crate) fn i8x16_sub_sat_u(a: u128, b: u128) -> u128 {
        zip(a, b, u8::saturating_sub)
    }

    pub(crate) fn i8x16_min_s(a: u128, b: u128) -> u128 {
        zip(a, b, i8::min)
    }

    pub(crate) fn i8x16_min_u(a: u128, b: u128) -> u128 {
        zip(a, b, u8::min)
    }

    pub(crate) fn i8x16_max_s(a: u128, b: u128) -> u128 {
        zip(a, b, i8::max)
    }

    pub(crate) fn i8x16_max_u(a: u128, b: u128) -> u128 {
        zip(a, b, u8::max)
    }

    pub(crate) fn i8x16_avgr_u(a: u128, b: u128) -> u128 {
        zip(a, b, |x: u8, y: u8| ((u16::from(x) + u16::from(y) + 1) >> 1) as u8)
    }

    pub(crate) fn i16x8_add(a: u128, b: u128) -> u128 {
        zip(a, b, u16::wrapping_add)
    }

    pub(crate) fn i16x8_add_sat_s(a: u128, b: u128) -> u128 {
        zip(a, b, i16::saturating_add)
    }

    pub(crate) fn i16x8_add_sat_u(a: u128, b: u128) -> u128 {
        zip(a, b, u16::saturating_add)
    }

    pub(crate) fn i16x8_sub(a: u128, b: u128) -> u128 {
        zip(a, b, u16::wrapping_sub)
    }

    pub(crate) fn i16x8_sub_sat_s(a: u128, b: u128) -> u128 {
        zip(a, b, i16::saturating_sub)
    }

    pub(crate) fn i16x8_sub_sat_u(a: u128, b: u128) -> u128 {
        zip(a, b, u16::saturating_sub)
    }

    pub(crate) fn i16x8_mul(a: u128, b: u128) -> u128 {
        zip(a, b, u16::wrapping_mul)
    }

    pub(crate) fn i16x8_min_s(a: u128, b: u128) -> u128 {
        zip(a, b, i16::min)
    }

    pub(crate) fn i16x8_min_u(a: u128, b: u128) -> u128 {
        zip(a, b, u16::min)
    }

    pub(crate) fn i16x8_max_s(a: u128, b: u128) -> u128 {
        zip(a, b, i16::max)
    }

    pub(crate) fn i16x8_max_u(a: u128, b: u128) -> u128 {
        zip(a, b, u16::max)
    }

    pub(crate) fn i16x8_avgr_u(a: u128, b: u128) -> u128 {
        zip(a, b, |x: u16, y: u16| ((u32::from(x) + u32::from(y) + 1) >> 1) as u16)
    }

    pub(crate) fn i32x4_add(a: u128, b: u128) -> u128 {
        zip(a, b, u32::wrapping_add)
    }

    pub(crate) fn i32x4_sub(a: u128, b: u128) -> u128 {
        zip(a, b, u32::wrapping_sub)
    }

    pub(crate) fn i32x4_min_s(a: u128, b: u128) -> u128 {
        zip(a, b, i32::min)
    }

    pub(crate) fn i32x4_min_u(a: u128, b: u128) -> u128 {
        zip(a, b, u32::min)
    }

    pub(crate) fn i32x4_max_s(a: u128, b: u128) -> u128 {
        zip(a, b, i32::max)
    }

    pub(crate) fn i32x4_max_u(a: u128, b: u128) -> u128 {
        zip(a, b, u32::max)
    }

    pub(crate) fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 {
        let (x, y) = (i16::unpack(a), i16::unpack(b));
        let product = |j: usize| i32::from(x[j]) * i32::from(y[j]);
        build(|i| product(2 * i).wrapping_add(product(2 * i + 1)))
    }

    pub(crate) fn i64x2_add(a: u128, b: u128) -> u128 {
        zip(a, b, u64::wrapping_add)
    }

    pub(crate) fn i64x2_sub(a: u128, b: u128) -> u128 {
        zip(a, b, u64::wrapping_sub)
    }

    pub(crate) fn i16x8_extend_low_i8x16_s(a: u128) -> u128 {
        convert_lanes::<i8, i16>(a, 0, i16::from)
    }

    pub(crate) fn i16x8_extend_high_i8x16_s(a: u128) -> u128 {
        convert_lanes::<i8, i16>(a, 8, i16::from)
    }

    pub(crate) fn i16x8_extend_low_i8x16_u(a: u128) -> u128 {
        convert_lanes::<u8, u16>(a, 0, u16::from)
    }

    pub(crate) fn i16x8_extend_high_i8x16_u(a: u128) -> u128 {
        convert_lanes::<u8, u16>(a, 8, u16::from)
    }

    pub(crate) fn i32x4_extend_low_i16x8_s(a: u128) -> u128 {
        convert_lanes::<i16, i32>(a, 0, i32::from)
    }

    pub(crate) fn i32x4_extend_high_i16x8_s(a: u128) -> u128 {
        convert_lanes::<i16, i32>(a, 4, i32::from)
    }

    pub(crate) fn i32x4_extend_low_i16x8_u(a: u128) -> u128 {
        convert_lanes::<u16, u32>(a, 0, u32::from)
    }

    pub(crate) fn i32x4_extend_high_i16x8_u(a: u128) -> u128 {
        convert_lanes::<u16, u32>(a, 4, u32::from)
    }

    pub(crate) fn i64x2_extend_low_i32x4_u(a: u128) -> u128 {
        convert_lanes::<u32, u64>(a, 0, u64::from)
    }

    pub(crate) fn i64x2_extend_high_i32x4_u(a: u128) -> u128 {
        convert_lanes::<u32, u64>(a, 2, u64::from)
    }

    pub(crate) fn i16x8_extmul_low_i8x16_s(a: u128, b: u128) -> u128 {
        extmul(a, b, 0, |x: i8, y: i8| i16::from(x) * i16::from(y))
    }

    pub(crate) fn i16x8_extmul_high_i8x16_s(a: u128, b: u128) -> u128 {
        extmul(a, b, 8, |x: i8, y: i8| i16::from(x) * i16::from(y))
    }

    pub(crate) fn i16x8_extmul_low_i8x16_u(a: u128, b: u128) -> u128 {
        extmul(a, b, 0, |x: u8, y: u8| u16::from(x) * u16::from(y))
    }

    pub(crate) fn i16x8_extmul_high_i8x16_u(a: u128, b: u128) -> u128 {
        extmul(a, b, 8, |x: u8, y: u8| u16::from(x) * u16::from(y))
    }

    pub(crate) fn i32x4_extmul_low_i16x8_s(a: u128, b: u128) -> u128 {
        extmul(a, b, 0, |x: i16, y: i16| i32::from(x) * i32::from(y))
    }

    pub(crate) fn i32x4_extmul_high_i16x8_s(a: u128, b: u128) -> u128 {
        extmul(a, b, 4, |x: i16, y: i16| i32::from(x) * i32::from(y))
    }

    pub(crate) fn i32x4_extmul_low_i16x8_u(a: u128, b: u128) -> u128 {
        extmul(a, b, 0, |x: u16, y: u16| u32::from(x) * u32::from(y))
    }

    pub(crate) fn i32x4_extmul_high_i16x8_u(a: u128, b: u128) -> u128 {
        extmul(a, b, 4, |x: u16, y: u16| u32::from(x) * u32::from(y))
    }

    pub(crate) fn i64x2_extmul_low_i32x4_u(a: u128, b: u128) -> u128 {
        extmul(a, b, 0, |x: u32, y: u32| u64::from(x) * u64::from(y))
    }

    pub(crate) fn i64x2_extmul_high_i32x4_u(a: u128, b: u128) -> u128 {
        extmul(a, b, 2, |x: u32, y: u32| u64::from(x) * u64::from(y))
    }

    pub(crate) fn i16x8_extadd_pairwise_i8x16_s(a: u128) -> u128 {
        pairwise(a, |x: i8, y: i8| i16::from(x) + i16::from(y))
    }

    pub(crate) fn i16x8_extadd_pairwise_i8x16_u(a: u128) -> u128 {
        pairwise(a, |x: u8, y: u8| u16::from(x) + u16::from(y))
    }

    pub(crate) fn i32x4_extadd_pairwise_i16x8_s(a: u128) -> u128 {
        pairwise(a, |x: i16, y: i16| i32::from(x) + i32::from(y))
    }

    pub(crate) fn i32x4_extadd_pairwise_i16x8_u(a: u128) -> u128 {
        pairwise(a, |x: u16, y: u16| u32::from(x) + u32::from(y))
    }

    pub(crate) fn i8x16_narrow_i16x8_s(a: u128, b: u128) -> u128 {
        narrow(a, b, |x: i16| x.clamp(i8::MIN.into(), i8::MAX.into()) as i8)
    }

    pub(crate) fn i8x16_narrow_i16x8_u(a: u128, b: u128) -> u128 {
        narrow(a, b, |x: i16| x.clamp(0, u8::MAX.into()) as u8)
    }

    pub(crate) fn i16x8_narrow_i32x4_s(a: u128, b: u128) -> u128 {
        narrow(a, b, |x: i32| x.clamp(i16::MIN.into(), i16::MAX.into()) as i16)
    }

    pub(crate) fn f32x4_add(a: u128, b: u128) -> u128 {
        zip(a, b, float::f32_add)
    }

    pub(crate) fn f32x4_sub(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f32, y| x - y)
    }

    pub(crate) fn f32x4_mul(a: u128, b: u128) -> u128 {
        zip(a, b, float::f32_mul)
    }

    pub(crate) fn f32x4_div(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f32, y| x / y)
    }

    pub(crate) fn f32x4_min(a: u128, b: u128) -> u128 {
        zip(a, b, float::f32_min)
    }

    pub(crate) fn f32x4_max(a: u128, b: u128) -> u128 {
        zip(a, b, float::f32_max)
    }

    pub(crate) fn f32x4_pmin(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f32, y| if y < x { y } else { x })
    }

    pub(crate) fn f32x4_pmax(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f32, y| if x < y { y } else { x })
    }

    pub(crate) fn f32x4_abs(a: u128) -> u128 {
        map(a, |x: u32| x & 0x7fff_ffff)
    }

    pub(crate) fn f32x4_neg(a: u128) -> u128 {
        map(a, |x: u32| x ^ 0x8000_0000)
    }

    pub(crate) fn f32x4_sqrt(a: u128) -> u128 {
        map(a, float::f32_sqrt)
    }

    pub(crate) fn f64x2_add(a: u128, b: u128) -> u128 {
        zip(a, b, float::f64_add)
    }

    pub(crate) fn f64x2_sub(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f64, y| x - y)
    }

    pub(crate) fn f64x2_mul(a: u128, b: u128) -> u128 {
        zip(a, b, float::f64_mul)
    }

    pub(crate) fn f64x2_div(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f64, y| x / y)
    }

    pub(crate) fn f64x2_min(a: u128, b: u128) -> u128 {
        zip(a, b, float::f64_min)
    }

    pub(crate) fn f64x2_max(a: u128, b: u128) -> u128 {
        zip(a, b, float::f64_max)
    }

    pub(crate) fn f64x2_pmin(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f64, y| if y < x { y } else { x })
    }

    pub(crate) fn f64x2_pmax(a: u128, b: u128) -> u128 {
        zip(a, b, |x: f64, y| if x < y { y } else { x })
    }

    pub(crate) fn f64x2_abs(a: u128) -> u128 {
        map(a, |x: u64| x & 0x7fff_ffff_ffff_ffff)
    }

    pub(crate) fn f64x2_neg(a: u128) -> u128 {
        map(a, |x: u64| x ^ 0x8000_0000_0000_0000)
    }

    pub(crate) fn f64x2_sqrt(a: u128) -> u128 {
        map(a, float::f64_sqrt)
    }

    pub(crate) fn i32x4_trunc_sat_f32x4_s(a: u128) -> u128 {
        convert_lanes(a, 0, |x: f32| x as i32)
    }

    pub(crate) fn i32x4_trunc_sat_f64x2_s_zero(a: u128) -> u128 {
        convert_lanes(a, 0, |x: f64| x as i32)
    }

    pub(crate) fn f32x4_convert_i32x4_s(a: u128) -> u128 {
        convert_lanes(a, 0, |x: i32| x as f32)
    }

    pub(crate) fn f64x2_convert_low_i32x4_s(a: u128) -> u128 {
        convert_lanes(a, 0, |x: i32| f64::from(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vector whose first lanes are `lanes` and whose other lanes are zero.
    fn v<T: Lane>(lanes: &[T]) -> u128 {
        let mut arr = T::Arr::default();
        arr.as_mut()[..lanes.len()].copy_from_slice(lanes);
        // Opaque to the optimizer: folded at compile time, `snan * 1.0` may stay signalling
        // (LLVM does not model NaN quieting), which the executor, with runtime operands, never
        // sees. Without this the NaN tests fail in release builds only.
        std::hint::black_box(T::pack(arr))
    }

    /// Comparison result whose lanes (of `width` bits) repeat the 4-lane pattern `set`.
    fn pattern(width: usize, set: [bool; 4]) -> u128 {
        (0..128 / width)
            .filter(|&i| set[i % 4])
            .fold(0, |m, i| m | ((u128::MAX >> (128 - width)) << (i * width)))
    }

    const T: bool = true;
    const F: bool = false;
    const SNAN32: u32 = 0x7fa0_0001;
    const SNAN64: u64 = 0x7ff4_0000_0000_0001;

    fn is_quiet32(bits: u32) -> bool {
        f32::from_bits(bits).is_nan() && bits & 0x0040_0000 != 0
    }

    fn is_quiet64(bits: u64) -> bool {
        f64::from_bits(bits).is_nan() && bits & 0x0008_0000_0000_0000 != 0
    }

    #[test]
    fn lane_order_is_little_endian() {
        let bytes: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(u8::pack(bytes), 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100);
        assert_eq!(u32::pack([1, 2, 3, 4]), 0x0000_0004_0000_0003_0000_0002_0000_0001);
        assert_eq!(i16::unpack(0x8000_0000_0000_0000_0000_0000_0000_ffff), [-1, 0, 0, 0, 0, 0, 0, i16::MIN]);
        assert_eq!(f64::unpack(0x3ff0_0000_0000_0000_c000_0000_0000_0000), [-2.0, 1.0]);
        assert_eq!(u32::unpack(f32::pack([f32::from_bits(SNAN32), 0.0, 0.0, 0.0]))[0], SNAN32);
        assert_eq!(v::<u16>(&[0xabcd]), 0xabcd);
        assert_eq!(pattern(8, [T, F, F, T]), 0xff00_00ff_ff00_00ff_ff00_00ff_ff00_00ff);
        assert_eq!(pattern(32, [F, T, F, F]), 0x0000_0000_0000_0000_ffff_ffff_0000_0000);
    }

    #[test]
    fn splats() {
        assert_eq!(i8x16_splat(0x1234_5678), 0x7878_7878_7878_7878_7878_7878_7878_7878);
        assert_eq!(i16x8_splat(0xdead_beef), 0xbeef_beef_beef_beef_beef_beef_beef_beef);
        assert_eq!(i32x4_splat(0x0102_0304), 0x0102_0304_0102_0304_0102_0304_0102_0304);
        assert_eq!(i64x2_splat(0x0102_0304_0506_0708), 0x0102_0304_0506_0708_0102_0304_0506_0708);
        assert_eq!(f32x4_splat(1.0), 0x3f80_0000_3f80_0000_3f80_0000_3f80_0000);
        assert_eq!(f64x2_splat(-2.0), 0xc000_0000_0000_0000_c000_0000_0000_0000);
        assert_eq!(u32::unpack(f32x4_splat(f32::from_bits(SNAN32))), [SNAN32; 4]);
    }

    #[test]
    fn extract_lanes() {
        let bytes = v::<u8>(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x80]);
        assert_eq!(i8x16_extract_lane_s(bytes, 15), 0xffff_ff80);
        assert_eq!(i8x16_extract_lane_u(bytes, 15), 0x80);
        assert_eq!(i8x16_extract_lane_s(bytes, 3), 3);
        assert_eq!(i8x16_extract_lane_u(bytes, 16 + 3), 3, "out-of-range lane is masked, no panic");
        let halves = v::<u16>(&[0x7fff, 0, 0, 0, 0, 0, 0, 0x8001]);
        assert_eq!(i16x8_extract_lane_s(halves, 7), 0xffff_8001);
        assert_eq!(i16x8_extract_lane_u(halves, 7), 0x8001);
        assert_eq!(i16x8_extract_lane_s(halves, 0), 0x7fff);
        assert_eq!(i32x4_extract_lane(0x0000_0004_0000_0003_0000_0002_0000_0001, 2), 3);
        assert_eq!(i64x2_extract_lane(0x1111_2222_3333_4444_5555_6666_7777_8888, 1), 0x1111_2222_3333_4444);
        assert_eq!(f32x4_extract_lane(v::<f32>(&[0.0, 0.0, 0.0, -1.5]), 3), -1.5);
        assert_eq!(f32x4_extract_lane(v::<u32>(&[SNAN32]), 0).to_bits(), SNAN32);
        assert_eq!(f64x2_extract_lane(v::<f64>(&[2.0, 0.25]), 1), 0.25);
        assert_eq!(f64x2_extract_lane(u128::from(SNAN64), 0).to_bits(), SNAN64);
    }

    #[test]
    fn replace_lanes() {
        assert_eq!(i8x16_replace_lane(0, 15, 0x1ab), 0xab << 120);
        assert_eq!(i16x8_replace_lane(0, 1, 0x1_2345), 0x2345 << 16);
        assert_eq!(i32x4_replace_lane(u128::MAX, 0, 0), u128::MAX << 32);
        assert_eq!(i64x2_replace_lane(0, 1, 7), 7 << 64);
        assert_eq!(f32x4_replace_lane(0, 3, 1.0), 0x3f80_0000 << 96);
        assert_eq!(f64x2_replace_lane(u128::MAX, 0, 1.0), (u128::MAX << 64) | 0x3ff0_0000_0000_0000);
        assert_eq!(i8x16_replace_lane(0, 255, 1), 1 << 120, "out-of-range lane is masked, no panic");
    }

    #[test]
    fn shuffle_picks_from_both_operands() {
        let a = u8::pack(std::array::from_fn(|i| i as u8));
        let b = u8::pack(std::array::from_fn(|i| 16 + i as u8));
        let interleave = [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23];
        assert_eq!(i8x16_shuffle(a, b, &interleave), u8::pack(interleave));
        let reverse: [u8; 16] = std::array::from_fn(|i| 31 - i as u8);
        assert_eq!(i8x16_shuffle(a, b, &reverse), u8::pack(reverse));
        assert_eq!(i8x16_shuffle(a, b, &[31; 16]), i8x16_splat(31));
        assert_eq!(i8x16_shuffle(a, b, &[32 + 5; 16]), i8x16_splat(5), "masked, no panic");
    }

    #[test]
    fn swizzle_zeroes_out_of_range_indices() {
        let a = u8::pack(std::array::from_fn(|i| 0x10 + i as u8));
        let s = u8::pack([0, 15, 16, 255, 1, 128, 2, 3, 4, 5, 6, 7, 8, 9, 10, 31]);
        let expected = [0x10, 0x1f, 0, 0, 0x11, 0, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0];
        assert_eq!(i8x16_swizzle(a, s), u8::pack(expected));
    }

    #[test]
    fn bitwise() {
        let a = 0xff00_ff00_ff00_ff00_ff00_ff00_ff00_ff00;
        let b = 0xf0f0_f0f0_f0f0_f0f0_f0f0_f0f0_f0f0_f0f0;
        assert_eq!(v128_not(a), 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff);
        assert_eq!(v128_and(a, b), 0xf000_f000_f000_f000_f000_f000_f000_f000);
        assert_eq!(v128_andnot(a, b), 0x0f00_0f00_0f00_0f00_0f00_0f00_0f00_0f00);
        assert_eq!(v128_or(a, b), 0xfff0_fff0_fff0_fff0_fff0_fff0_fff0_fff0);
        assert_eq!(v128_xor(a, b), 0x0ff0_0ff0_0ff0_0ff0_0ff0_0ff0_0ff0_0ff0);
        let c = 0xffff_ffff_ffff_ffff_0000_0000_0000_0000;
        assert_eq!(v128_bitselect(a, b, c), 0xff00_ff00_ff00_ff00_f0f0_f0f0_f0f0_f0f0);
        assert_eq!(v128_bitselect(a, b, 0xffff), (b & !0xffff) | 0xff00);
        assert!(!v128_any_true(0));
        assert!(v128_any_true(1 << 127));
    }

    // Integer comparison fixtures, lane by lane (repeated across the vector):
    //   signed a = [-1, 1, 2, MIN], b = [1, -1, 2, MAX]
    //   so unsigned a = [MAX_U, 1, 2, MIN_U], b = [1, MAX_U, 2, MIN_U - 1].
    const EQ: [bool; 4] = [F, F, T, F];
    const NE: [bool; 4] = [T, T, F, T];
    const LT_S: [bool; 4] = [T, F, F, T];
    const GT_S: [bool; 4] = [F, T, F, F];
    const LE_S: [bool; 4] = [T, F, T, T];
    const GE_S: [bool; 4] = [F, T, T, F];
    const LT_U: [bool; 4] = [F, T, F, F];
    const GT_U: [bool; 4] = [T, F, F, T];
    const LE_U: [bool; 4] = [F, T, T, F];
    const GE_U: [bool; 4] = [T, F, T, T];

    #[test]
    fn i8x16_comparisons() {
        let a = i8::pack(std::array::from_fn(|i| [-1, 1, 2, i8::MIN][i % 4]));
        let b = i8::pack(std::array::from_fn(|i| [1, -1, 2, i8::MAX][i % 4]));
        assert_eq!(a, i32x4_splat(0x8002_01ff));
        assert_eq!(i8x16_eq(a, b), pattern(8, EQ));
        assert_eq!(i8x16_ne(a, b), pattern(8, NE));
        assert_eq!(i8x16_lt_s(a, b), pattern(8, LT_S));
        assert_eq!(i8x16_gt_s(a, b), pattern(8, GT_S));
        assert_eq!(i8x16_le_s(a, b), pattern(8, LE_S));
        assert_eq!(i8x16_ge_s(a, b), pattern(8, GE_S));
        assert_eq!(i8x16_lt_u(a, b), pattern(8, LT_U));
        assert_eq!(i8x16_gt_u(a, b), pattern(8, GT_U));
        assert_eq!(i8x16_le_u(a, b), pattern(8, LE_U));
        assert_eq!(i8x16_ge_u(a, b), pattern(8, GE_U));
        assert_eq!(i8x16_lt_s(a, b), i32x4_splat(0xff00_00ff));
    }

    #[test]
    fn i16x8_comparisons() {
        let a = i16::pack(std::array::from_fn(|i| [-1, 1, 2, i16::MIN][i % 4]));
        let b = i16::pack(std::array::from_fn(|i| [1, -1, 2, i16::MAX][i % 4]));
        assert_eq!(a, i64x2_splat(0x8000_0002_0001_ffff));
        assert_eq!(i16x8_eq(a, b), pattern(16, EQ));
        assert_eq!(i16x8_ne(a, b), pattern(16, NE));
        assert_eq!(i16x8_lt_s(a, b), pattern(16, LT_S));
        assert_eq!(i16x8_gt_s(a, b), pattern(16, GT_S));
        assert_eq!(i16x8_le_s(a, b), pattern(16, LE_S));
        assert_eq!(i16x8_ge_s(a, b), pattern(16, GE_S));
        assert_eq!(i16x8_lt_u(a, b), pattern(16, LT_U));
        assert_eq!(i16x8_gt_u(a, b), pattern(16, GT_U));
        assert_eq!(i16x8_le_u(a, b), pattern(16, LE_U));
        assert_eq!(i16x8_ge_u(a, b), pattern(16, GE_U));
        assert_eq!(i16x8_lt_s(a, b), i64x2_splat(0xffff_0000_0000_ffff));
    }

    #[test]
    fn i32x4_comparisons() {
        let a = v::<i32>(&[-1, 1, 2, i32::MIN]);
        let b = v::<i32>(&[1, -1, 2, i32::MAX]);
        assert_eq!(a, 0x8000_0000_0000_0002_0000_0001_ffff_ffff);
        assert_eq!(i32x4_eq(a, b), pattern(32, EQ));
        assert_eq!(i32x4_ne(a, b), pattern(32, NE));
        assert_eq!(i32x4_lt_s(a, b), pattern(32, LT_S));
        assert_eq!(i32x4_gt_s(a, b), pattern(32, GT_S));
        assert_eq!(i32x4_le_s(a, b), pattern(32, LE_S));
        assert_eq!(i32x4_ge_s(a, b), pattern(32, GE_S));
        assert_eq!(i32x4_lt_u(a, b), pattern(32, LT_U));
        assert_eq!(i32x4_gt_u(a, b), pattern(32, GT_U));
        assert_eq!(i32x4_le_u(a, b), pattern(32, LE_U));
        assert_eq!(i32x4_ge_u(a, b), pattern(32, GE_U));
        assert_eq!(i32x4_lt_s(a, b), 0xffff_ffff_0000_0000_0000_0000_ffff_ffff);
    }

    #[test]
    fn i64x2_comparisons() {
        const LOW: u128 = 0xffff_ffff_ffff_ffff;
        const HIGH: u128 = LOW << 64;
        let (a, b) = (v::<i64>(&[-1, i64::MIN]), v::<i64>(&[1, i64::MAX]));
        assert_eq!(i64x2_eq(a, b), 0);
        assert_eq!(i64x2_ne(a, b), u128::MAX);
        assert_eq!(i64x2_lt_s(a, b), u128::MAX);
        assert_eq!(i64x2_gt_s(a, b), 0);
        assert_eq!(i64x2_le_s(a, b), u128::MAX);
        assert_eq!(i64x2_ge_s(a, b), 0);
        let (a, b) = (v::<i64>(&[1, 2]), v::<i64>(&[-1, 2]));
        assert_eq!(i64x2_eq(a, b), HIGH);
        assert_eq!(i64x2_ne(a, b), LOW);
        assert_eq!(i64x2_lt_s(a, b), 0);
        assert_eq!(i64x2_gt_s(a, b), LOW);
        assert_eq!(i64x2_le_s(a, b), HIGH);
        assert_eq!(i64x2_ge_s(a, b), u128::MAX);
    }

    #[test]
    fn float_comparisons_with_nan_and_zeros() {
        let a = v::<f32>(&[1.0, f32::NAN, -0.0, 2.0]);
        let b = v::<f32>(&[2.0, 1.0, 0.0, 1.0]);
        assert_eq!(f32x4_eq(a, b), pattern(32, [F, F, T, F]));
        assert_eq!(f32x4_ne(a, b), pattern(32, [T, T, F, T]));
        assert_eq!(f32x4_lt(a, b), pattern(32, [T, F, F, F]));
        assert_eq!(f32x4_gt(a, b), pattern(32, [F, F, F, T]));
        assert_eq!(f32x4_le(a, b), pattern(32, [T, F, T, F]));
        assert_eq!(f32x4_ge(a, b), pattern(32, [F, F, T, T]));

        const LOW: u128 = 0xffff_ffff_ffff_ffff;
        const HIGH: u128 = LOW << 64;
        let (a, b) = (v::<f64>(&[1.0, f64::NAN]), v::<f64>(&[2.0, f64::NAN]));
        assert_eq!(f64x2_eq(a, b), 0);
        assert_eq!(f64x2_ne(a, b), u128::MAX);
        assert_eq!(f64x2_lt(a, b), LOW);
        assert_eq!(f64x2_gt(a, b), 0);
        assert_eq!(f64x2_le(a, b), LOW);
        assert_eq!(f64x2_ge(a, b), 0);
        let (a, b) = (v::<f64>(&[-0.0, 3.0]), v::<f64>(&[0.0, 1.0]));
        assert_eq!(f64x2_eq(a, b), LOW);
        assert_eq!(f64x2_ne(a, b), HIGH);
        assert_eq!(f64x2_lt(a, b), 0);
        assert_eq!(f64x2_gt(a, b), HIGH);
        assert_eq!(f64x2_le(a, b), LOW);
        assert_eq!(f64x2_ge(a, b), u128::MAX);
    }

    #[test]
    fn abs_neg_popcnt() {
        assert_eq!(i8x16_abs(v::<i8>(&[i8::MIN, -1, 5, 0])), v::<i8>(&[i8::MIN, 1, 5, 0]));
        assert_eq!(i8x16_neg(v::<i8>(&[i8::MIN, 1, -5, 0])), v::<i8>(&[i8::MIN, -1, 5, 0]));
        assert_eq!(i16x8_abs(v::<i16>(&[i16::MIN, -300, 7])), v::<i16>(&[i16::MIN, 300, 7]));
        assert_eq!(i16x8_neg(v::<i16>(&[i16::MIN, 300, -7])), v::<i16>(&[i16::MIN, -300, 7]));
        assert_eq!(i32x4_abs(v::<i32>(&[i32::MIN, -70000, 1, -1])), v::<i32>(&[i32::MIN, 70000, 1, 1]));
        assert_eq!(i32x4_neg(v::<i32>(&[i32::MIN, 70000, 0, -1])), v::<i32>(&[i32::MIN, -70000, 0, 1]));
        assert_eq!(i64x2_abs(v::<i64>(&[i64::MIN, -5])), v::<i64>(&[i64::MIN, 5]));
        assert_eq!(i64x2_neg(v::<i64>(&[i64::MIN, -5])), v::<i64>(&[i64::MIN, 5]));
        assert_eq!(i64x2_neg(v::<i64>(&[1, 0])), v::<i64>(&[-1, 0]));
        assert_eq!(i8x16_popcnt(v::<u8>(&[0xff, 0, 0x80, 0x55, 0x0f])), v::<u8>(&[8, 0, 1, 4, 4]));
    }

    #[test]
    fn all_true_and_any_true() {
        assert!(i8x16_all_true(i8x16_splat(1)));
        assert!(!i8x16_all_true(i8x16_replace_lane(i8x16_splat(1), 15, 0)));
        // 0x0100 lanes: every i16 lane is non-zero, but every other byte is zero.
        assert!(i16x8_all_true(i16x8_splat(0x100)));
        assert!(!i8x16_all_true(i16x8_splat(0x100)));
        assert!(!i16x8_all_true(i16x8_replace_lane(i16x8_splat(1), 3, 0)));
        assert!(i32x4_all_true(i32x4_splat(0x1_0000)));
        assert!(!i32x4_all_true(v::<u32>(&[1, 1, 0, 1])));
        assert!(i64x2_all_true((1 << 64) | 1));
        assert!(!i64x2_all_true(1 << 64));
        assert!(!i64x2_all_true(0));
    }

    #[test]
    fn bitmask_bit_order() {
        let bytes = v::<i8>(&[-1, 0, i8::MIN, i8::MAX, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1]);
        assert_eq!(i8x16_bitmask(bytes), 0x8005);
        assert_eq!(i16x8_bitmask(v::<i16>(&[0, -1, 0, 0x7fff, 0, 0, 0, i16::MIN])), 0x82);
        assert_eq!(i32x4_bitmask(v::<i32>(&[-1, 0, i32::MAX, i32::MIN])), 0b1001);
        assert_eq!(i64x2_bitmask(v::<i64>(&[0, -1])), 0b10);
        assert_eq!(i64x2_bitmask(v::<i64>(&[i64::MIN, 1])), 0b01);
    }

    #[test]
    fn shifts_take_the_count_modulo_the_lane_width() {
        let a = v::<u8>(&[0x81, 1]);
        assert_eq!(i8x16_shl(a, 1), v::<u8>(&[0x02, 2]));
        assert_eq!(i8x16_shl(a, 9), v::<u8>(&[0x02, 2]));
        assert_eq!(i8x16_shl(a, 8), a);
        let a = v::<i8>(&[i8::MIN, 64]);
        assert_eq!(i8x16_shr_s(a, 1), v::<i8>(&[-64, 32]));
        assert_eq!(i8x16_shr_s(a, 15), v::<i8>(&[-1, 0]));
        let a = v::<u8>(&[0x80, 0x40]);
        assert_eq!(i8x16_shr_u(a, 1), v::<u8>(&[0x40, 0x20]));
        assert_eq!(i8x16_shr_u(a, 8), a);

        assert_eq!(i16x8_shl(v::<u16>(&[0x8001]), 17), v::<u16>(&[0x0002]));
        assert_eq!(i16x8_shr_s(v::<i16>(&[i16::MIN]), 15), v::<i16>(&[-1]));
        assert_eq!(i16x8_shr_s(v::<i16>(&[i16::MIN]), 16), v::<i16>(&[i16::MIN]));
        assert_eq!(i16x8_shr_u(v::<u16>(&[0x8000]), 15), v::<u16>(&[1]));

        assert_eq!(i32x4_shl(v::<u32>(&[1, 3]), 31), v::<u32>(&[0x8000_0000, 0x8000_0000]));
        assert_eq!(i32x4_shl(v::<u32>(&[1]), 32), v::<u32>(&[1]));
        assert_eq!(i32x4_shr_s(v::<i32>(&[i32::MIN]), 33), v::<i32>(&[-0x4000_0000]));
        assert_eq!(i32x4_shr_u(v::<u32>(&[0x8000_0000]), 31), v::<u32>(&[1]));

        assert_eq!(i64x2_shl(v::<u64>(&[1, 1]), 63), v::<u64>(&[1 << 63, 1 << 63]));
        assert_eq!(i64x2_shl(v::<u64>(&[1]), 64), v::<u64>(&[1]));
        assert_eq!(i64x2_shl(v::<u64>(&[1]), 65), v::<u64>(&[2]));
        assert_eq!(i64x2_shr_s(v::<i64>(&[i64::MIN, 4]), 63), v::<i64>(&[-1, 0]));
        assert_eq!(i64x2_shr_u(v::<u64>(&[1 << 63]), 127), v::<u64>(&[1]));
        assert_eq!(i64x2_shl(v::<u64>(&[1]), u32::MAX), v::<u64>(&[1 << 63]));
    }

    #[test]
    fn i8x16_arithmetic() {
        assert_eq!(i8x16_add(v::<i8>(&[127, -1, 1]), v::<i8>(&[1, 1, 2])), v::<i8>(&[-128, 0, 3]));
        assert_eq!(i8x16_sub(v::<i8>(&[-128, 0]), v::<i8>(&[1, 1])), v::<i8>(&[127, -1]));
        let (a, b) = (v::<i8>(&[127, -128, 100]), v::<i8>(&[1, -1, -50]));
        assert_eq!(i8x16_add_sat_s(a, b), v::<i8>(&[127, -128, 50]));
        let (a, b) = (v::<u8>(&[255, 200, 1]), v::<u8>(&[1, 100, 2]));
        assert_eq!(i8x16_add_sat_u(a, b), v::<u8>(&[255, 255, 3]));
        let (a, b) = (v::<i8>(&[-128, 127, 5]), v::<i8>(&[1, -1, 3]));
        assert_eq!(i8x16_sub_sat_s(a, b), v::<i8>(&[-128, 127, 2]));
        let (a, b) = (v::<u8>(&[0, 10, 200]), v::<u8>(&[1, 20, 100]));
        assert_eq!(i8x16_sub_sat_u(a, b), v::<u8>(&[0, 0, 100]));
        let (a, b) = (v::<i8>(&[-1, 5]), v::<i8>(&[1, -5]));
        assert_eq!(i8x16_min_s(a, b), v::<i8>(&[-1, -5]));
        assert_eq!(i8x16_max_s(a, b), v::<i8>(&[1, 5]));
        assert_eq!(i8x16_min_u(a, b), v::<i8>(&[1, 5]));
        assert_eq!(i8x16_max_u(a, b), v::<i8>(&[-1, -5]));
        let (a, b) = (v::<u8>(&[255, 0, 1, 2]), v::<u8>(&[255, 1, 2, 2]));
        assert_eq!(i8x16_avgr_u(a, b), v::<u8>(&[255, 1, 2, 2]));
    }

    #[test]
    fn i16x8_arithmetic() {
        let (a, b) = (v::<i16>(&[i16::MAX, -1]), v::<i16>(&[1, 1]));
        assert_eq!(i16x8_add(a, b), v::<i16>(&[i16::MIN, 0]));
        assert_eq!(i16x8_add_sat_s(a, b), v::<i16>(&[i16::MAX, 0]));
        assert_eq!(i16x8_add_sat_s(v::<i16>(&[i16::MIN]), v::<i16>(&[-1])), v::<i16>(&[i16::MIN]));
        assert_eq!(i16x8_add_sat_u(v::<u16>(&[65535, 3]), v::<u16>(&[1, 4])), v::<u16>(&[65535, 7]));
        assert_eq!(i16x8_sub(v::<i16>(&[i16::MIN, 5]), v::<i16>(&[1, 7])), v::<i16>(&[i16::MAX, -2]));
        let (a, b) = (v::<i16>(&[i16::MIN, i16::MAX]), v::<i16>(&[1, -1]));
        assert_eq!(i16x8_sub_sat_s(a, b), v::<i16>(&[i16::MIN, i16::MAX]));
        assert_eq!(i16x8_sub_sat_u(v::<u16>(&[1, 9]), v::<u16>(&[2, 4])), v::<u16>(&[0, 5]));
        let (a, b) = (v::<i16>(&[0x4000, -1, 300]), v::<i16>(&[4, -1, 300]));
        assert_eq!(i16x8_mul(a, b), v::<i16>(&[0, 1, 24464]));
        let (a, b) = (v::<i16>(&[-1, 5]), v::<i16>(&[1, -5]));
        assert_eq!(i16x8_min_s(a, b), v::<i16>(&[-1, -5]));
        assert_eq!(i16x8_max_s(a, b), v::<i16>(&[1, 5]));
        assert_eq!(i16x8_min_u(a, b), v::<i16>(&[1, 5]));
        assert_eq!(i16x8_max_u(a, b), v::<i16>(&[-1, -5]));
        let (a, b) = (v::<u16>(&[65535, 0, 1]), v::<u16>(&[65535, 1, 2]));
        assert_eq!(i16x8_avgr_u(a, b), v::<u16>(&[65535, 1, 2]));
    }

    #[test]
    fn q15mulr_saturates_only_min_times_min() {
        let a = v::<i16>(&[i16::MIN, 0x4000, i16::MIN, 1, -1, 0x4000, -0x4000, i16::MAX]);
        let b = v::<i16>(&[i16::MIN, 0x4000, i16::MAX, 1, 1, 1, 1, i16::MAX]);
        let expected = v::<i16>(&[i16::MAX, 0x2000, -32767, 0, 0, 1, 0, 32766]);
        assert_eq!(i16x8_q15mulr_sat_s(a, b), expected);
    }

    #[test]
    fn i32x4_and_i64x2_arithmetic() {
        let (a, b) = (v::<i32>(&[i32::MAX, i32::MIN, 0x1_0000, -3]), v::<i32>(&[1, 1, 0x1_0000, 7]));
        assert_eq!(i32x4_add(a, b), v::<i32>(&[i32::MIN, i32::MIN + 1, 0x2_0000, 4]));
        assert_eq!(i32x4_sub(a, b), v::<i32>(&[i32::MAX - 1, i32::MAX, 0, -10]));
        assert_eq!(i32x4_mul(a, b), v::<i32>(&[i32::MAX, i32::MIN, 0, -21]));
        let (a, b) = (v::<i32>(&[-1, 5, 0, i32::MIN]), v::<i32>(&[1, -5, 0, i32::MAX]));
        assert_eq!(i32x4_min_s(a, b), v::<i32>(&[-1, -5, 0, i32::MIN]));
        assert_eq!(i32x4_max_s(a, b), v::<i32>(&[1, 5, 0, i32::MAX]));
        assert_eq!(i32x4_min_u(a, b), v::<i32>(&[1, 5, 0, i32::MAX]));
        assert_eq!(i32x4_max_u(a, b), v::<i32>(&[-1, -5, 0, i32::MIN]));

        let (a, b) = (v::<i64>(&[i64::MAX, 1 << 32]), v::<i64>(&[1, 1 << 32]));
        assert_eq!(i64x2_add(a, b), v::<i64>(&[i64::MIN, 1 << 33]));
        assert_eq!(i64x2_sub(a, b), v::<i64>(&[i64::MAX - 1, 0]));
        assert_eq!(i64x2_mul(a, b), v::<i64>(&[i64::MAX, 0]));
        assert_eq!(i64x2_mul(v::<i64>(&[-3, i64::MIN]), v::<i64>(&[7, -1])), v::<i64>(&[-21, i64::MIN]));
    }

    #[test]
    fn dot_product_wraps_on_min_squared() {
        let a = v::<i16>(&[1, 2, i16::MIN, i16::MIN, 3, -4, 0, 0]);
        let b = v::<i16>(&[3, 4, i16::MIN, i16::MIN, 5, 6, 0, 0]);
        assert_eq!(i32x4_dot_i16x8_s(a, b), v::<i32>(&[11, i32::MIN, -9, 0]));
    }

    #[test]
    fn extend_low_and_high() {
        let a = v::<i8>(&[-1, 2, 3, 4, 5, 6, 7, -128, -2, 10, 11, 12, 13, 14, 15, 127]);
        assert_eq!(i16x8_extend_low_i8x16_s(a), v::<i16>(&[-1, 2, 3, 4, 5, 6, 7, -128]));
        assert_eq!(i16x8_extend_high_i8x16_s(a), v::<i16>(&[-2, 10, 11, 12, 13, 14, 15, 127]));
        assert_eq!(i16x8_extend_low_i8x16_u(a), v::<i16>(&[255, 2, 3, 4, 5, 6, 7, 128]));
        assert_eq!(i16x8_extend_high_i8x16_u(a), v::<i16>(&[254, 10, 11, 12, 13, 14, 15, 127]));

        let a = v::<i16>(&[-1, 2, 3, i16::MIN, -2, 5, 6, i16::MAX]);
        assert_eq!(i32x4_extend_low_i16x8_s(a), v::<i32>(&[-1, 2, 3, -32768]));
        assert_eq!(i32x4_extend_high_i16x8_s(a), v::<i32>(&[-2, 5, 6, 32767]));
        assert_eq!(i32x4_extend_low_i16x8_u(a), v::<i32>(&[65535, 2, 3, 32768]));
        assert_eq!(i32x4_extend_high_i16x8_u(a), v::<i32>(&[65534, 5, 6, 32767]));

        let a = v::<i32>(&[-1, 2, i32::MIN, 3]);
        assert_eq!(i64x2_extend_low_i32x4_s(a), v::<i64>(&[-1, 2]));
        assert_eq!(i64x2_extend_high_i32x4_s(a), v::<i64>(&[-2147483648, 3]));
        assert_eq!(i64x2_extend_low_i32x4_u(a), v::<i64>(&[0xffff_ffff, 2]));
        assert_eq!(i64x2_extend_high_i32x4_u(a), v::<i64>(&[0x8000_0000, 3]));
    }

    #[test]
    fn extmul_low_and_high() {
        let a = v::<i8>(&[-128, 127, 2, 0, 0, 0, 0, 0, -1, 3, -128]);
        let b = v::<i8>(&[-128, -128, 3, 0, 0, 0, 0, 0, 5, 7, -1]);
        assert_eq!(i16x8_extmul_low_i8x16_s(a, b), v::<i16>(&[16384, -16256, 6]));
        assert_eq!(i16x8_extmul_high_i8x16_s(a, b), v::<i16>(&[-5, 21, 128]));
        assert_eq!(i16x8_extmul_low_i8x16_u(a, b), v::<u16>(&[16384, 16256, 6]));
        assert_eq!(i16x8_extmul_high_i8x16_u(a, b), v::<u16>(&[1275, 21, 32640]));
        assert_eq!(i16x8_extmul_low_i8x16_u(i8x16_splat(255), i8x16_splat(255)), i16x8_splat(65025));

        let a = v::<i16>(&[i16::MIN, i16::MAX, 2, 0, -1, 3]);
        let b = v::<i16>(&[i16::MIN, i16::MIN, 3, 0, 5, 7]);
        assert_eq!(i32x4_extmul_low_i16x8_s(a, b), v::<i32>(&[1 << 30, -1073709056, 6, 0]));
        assert_eq!(i32x4_extmul_high_i16x8_s(a, b), v::<i32>(&[-5, 21, 0, 0]));
        assert_eq!(i32x4_extmul_low_i16x8_u(a, b), v::<u32>(&[1 << 30, 1073709056, 6, 0]));
        assert_eq!(i32x4_extmul_high_i16x8_u(a, b), v::<u32>(&[327675, 21, 0, 0]));

        let a = v::<i32>(&[i32::MIN, -1, i32::MAX, 3]);
        let b = v::<i32>(&[i32::MIN, 2, i32::MAX, -3]);
        assert_eq!(i64x2_extmul_low_i32x4_s(a, b), v::<i64>(&[1 << 62, -2]));
        assert_eq!(i64x2_extmul_high_i32x4_s(a, b), v::<i64>(&[4611686014132420609, -9]));
        assert_eq!(i64x2_extmul_low_i32x4_u(a, b), v::<u64>(&[1 << 62, 8589934590]));
        assert_eq!(i64x2_extmul_high_i32x4_u(a, b), v::<u64>(&[4611686014132420609, 12884901879]));
    }

    #[test]
    fn extadd_pairwise() {
        let a = v::<i8>(&[-128, -128, 127, 127, -1, 1, 5, 6]);
        assert_eq!(i16x8_extadd_pairwise_i8x16_s(a), v::<i16>(&[-256, 254, 0, 11]));
        let a = v::<u8>(&[255, 255, 128, 1]);
        assert_eq!(i16x8_extadd_pairwise_i8x16_u(a), v::<u16>(&[510, 129]));
        let a = v::<i16>(&[i16::MIN, i16::MIN, i16::MAX, i16::MAX, -1, 1, 2, 3]);
        assert_eq!(i32x4_extadd_pairwise_i16x8_s(a), v::<i32>(&[-65536, 65534, 0, 5]));
        let a = v::<u16>(&[65535, 65535, 32768, 1]);
        assert_eq!(i32x4_extadd_pairwise_i16x8_u(a), v::<u32>(&[131070, 32769]));
    }

    #[test]
    fn narrow_saturates() {
        let a = v::<i16>(&[300, -300, 127, -128, 128, -129, 0, 1]);
        let b = v::<i16>(&[i16::MAX, i16::MIN, 5]);
        let expected = v::<i8>(&[127, -128, 127, -128, 127, -128, 0, 1, 127, -128, 5]);
        assert_eq!(i8x16_narrow_i16x8_s(a, b), expected);
        let a = v::<i16>(&[300, -300, 255, 256, -1, 0, 128, 1]);
        let expected = v::<u8>(&[255, 0, 255, 255, 0, 0, 128, 1, 255, 0, 5]);
        assert_eq!(i8x16_narrow_i16x8_u(a, b), expected);

        let a = v::<i32>(&[70000, -70000, 32767, -32768]);
        let b = v::<i32>(&[32768, -32769, 5, 0]);
        let expected = v::<i16>(&[32767, -32768, 32767, -32768, 32767, -32768, 5, 0]);
        assert_eq!(i16x8_narrow_i32x4_s(a, b), expected);
        let a = v::<i32>(&[70000, -70000, 65535, 65536]);
        let b = v::<i32>(&[-1, 32768, 5, i32::MIN]);
        let expected = v::<u16>(&[65535, 0, 65535, 65535, 0, 32768, 5, 0]);
        assert_eq!(i16x8_narrow_i32x4_u(a, b), expected);
    }

    #[test]
    fn f32x4_arithmetic() {
        let snan = f32::from_bits(SNAN32);
        let a = v::<f32>(&[1.0, 0.5, f32::INFINITY, snan]);
        let b = v::<f32>(&[2.0, 0.25, f32::NEG_INFINITY, 1.0]);
        let [s0, s1, s2, s3] = f32::unpack(f32x4_add(a, b));
        assert_eq!([s0, s1], [3.0, 0.75]);
        assert!(s2.is_nan() && is_quiet32(s3.to_bits()));
        let [d0, d1, d2, d3] = f32::unpack(f32x4_sub(a, b));
        assert_eq!([d0, d1, d2], [-1.0, 0.25, f32::INFINITY]);
        assert!(is_quiet32(d3.to_bits()));
        let [p0, p1, p2, p3] = f32::unpack(f32x4_mul(a, b));
        assert_eq!([p0, p1, p2], [2.0, 0.125, f32::NEG_INFINITY]);
        assert!(is_quiet32(p3.to_bits()));
        let [q0, q1, q2, q3] =
            f32::unpack(f32x4_div(v::<f32>(&[1.0, -1.0, 0.0, 3.0]), v::<f32>(&[0.0, 0.0, 0.0, 2.0])));
        assert_eq!([q0, q1, q3], [f32::INFINITY, f32::NEG_INFINITY, 1.5]);
        assert!(q2.is_nan());
        let [r0, r1, r2, r3] = f32::unpack(f32x4_sqrt(v::<f32>(&[4.0, -1.0, -0.0, snan])));
        assert_eq!(r0, 2.0);
        assert!(r1.is_nan());
        assert_eq!(r2.to_bits(), (-0.0f32).to_bits());
        assert!(is_quiet32(r3.to_bits()));
    }

    #[test]
    fn f64x2_arithmetic() {
        let snan = f64::from_bits(SNAN64);
        let (a, b) = (v::<f64>(&[1.5, snan]), v::<f64>(&[0.25, 1.0]));
        let [s0, s1] = f64::unpack(f64x2_add(a, b));
        assert_eq!(s0, 1.75);
        assert!(is_quiet64(s1.to_bits()));
        assert_eq!(f64::unpack(f64x2_sub(a, b))[0], 1.25);
        assert!(is_quiet64(f64::unpack(f64x2_sub(a, b))[1].to_bits()));
        assert_eq!(f64::unpack(f64x2_mul(a, b))[0], 0.375);
        assert!(is_quiet64(f64::unpack(f64x2_mul(b, a))[1].to_bits()));
        let [q0, q1] = f64::unpack(f64x2_div(v::<f64>(&[3.0, -0.0]), v::<f64>(&[-2.0, 0.0])));
        assert_eq!(q0, -1.5);
        assert!(q1.is_nan());
        let [r0, r1] = f64::unpack(f64x2_sqrt(v::<f64>(&[2.25, snan])));
        assert_eq!(r0, 1.5);
        assert!(is_quiet64(r1.to_bits()));
    }

    #[test]
    fn min_max_nan_and_signed_zeros() {
        let a = v::<f32>(&[0.0, -0.0, f32::NAN, 1.0]);
        let b = v::<f32>(&[-0.0, 0.0, 1.0, 2.0]);
        let [m0, m1, m2, m3] = u32::unpack(f32x4_min(a, b));
        assert_eq!([m0, m1, m3], [0x8000_0000, 0x8000_0000, 1.0f32.to_bits()]);
        assert!(f32::from_bits(m2).is_nan());
        let [x0, x1, x2, x3] = u32::unpack(f32x4_max(a, b));
        assert_eq!([x0, x1, x3], [0, 0, 2.0f32.to_bits()]);
        assert!(f32::from_bits(x2).is_nan());
        let quiet = u32::unpack(f32x4_min(v::<f32>(&[1.0]), v::<u32>(&[SNAN32])))[0];
        assert!(is_quiet32(quiet));

        let (a, b) = (v::<f64>(&[-0.0, 5.0]), v::<f64>(&[0.0, f64::from_bits(SNAN64)]));
        let [m0, m1] = u64::unpack(f64x2_min(a, b));
        assert_eq!(m0, 0x8000_0000_0000_0000);
        assert!(is_quiet64(m1));
        let [x0, x1] = u64::unpack(f64x2_max(a, b));
        assert_eq!(x0, 0);
        assert!(is_quiet64(x1));
        assert_eq!(f64x2_max(v::<f64>(&[1.0, -3.0]), v::<f64>(&[2.0, -4.0])), v::<f64>(&[2.0, -3.0]));
    }

    #[test]
    fn pmin_pmax_return_the_first_operand_when_unordered() {
        let a = v::<f32>(&[0.0, -0.0, f32::from_bits(SNAN32), 1.0]);
        let b = v::<f32>(&[-0.0, 0.0, 1.0, f32::NAN]);
        assert_eq!(f32x4_pmin(a, b), a);
        assert_eq!(f32x4_pmax(a, b), a);
        let (a, b) = (v::<f32>(&[1.0, 2.0, -1.0, 5.0]), v::<f32>(&[2.0, 1.0, -2.0, 5.0]));
        assert_eq!(f32x4_pmin(a, b), v::<f32>(&[1.0, 1.0, -2.0, 5.0]));
        assert_eq!(f32x4_pmax(a, b), v::<f32>(&[2.0, 2.0, -1.0, 5.0]));

        let (a, b) = (v::<f64>(&[f64::NAN, -0.0]), v::<f64>(&[1.0, 0.0]));
        assert_eq!(f64x2_pmin(a, b), a);
        assert_eq!(f64x2_pmax(a, b), a);
        let (a, b) = (v::<f64>(&[1.0, 3.0]), v::<f64>(&[f64::NAN, 2.0]));
        assert_eq!(f64x2_pmin(a, b), v::<f64>(&[1.0, 2.0]));
        assert_eq!(f64x2_pmax(a, b), a);
    }

    #[test]
    fn abs_neg_only_flip_the_sign_bit() {
        let a = v::<u32>(&[(-1.0f32).to_bits(), 0x8000_0000, 0xffc0_0001, SNAN32]);
        let abs = v::<u32>(&[1.0f32.to_bits(), 0, 0x7fc0_0001, SNAN32]);
        assert_eq!(f32x4_abs(a), abs);
        let neg = v::<u32>(&[1.0f32.to_bits(), 0, 0x7fc0_0001, 0xffa0_0001]);
        assert_eq!(f32x4_neg(a), neg);
        let a = v::<u64>(&[(-2.0f64).to_bits(), SNAN64]);
        assert_eq!(f64x2_abs(a), v::<u64>(&[2.0f64.to_bits(), SNAN64]));
        assert_eq!(f64x2_neg(a), v::<u64>(&[2.0f64.to_bits(), SNAN64 | (1 << 63)]));
        assert_eq!(f64x2_neg(0), v::<u64>(&[1 << 63, 1 << 63]));
    }

    #[test]
    fn rounding() {
        let a = v::<f32>(&[1.5, -1.5, -0.5, f32::from_bits(SNAN32)]);
        let bits = |r: u128| u32::unpack(r);
        let [c0, c1, c2, c3] = bits(f32x4_ceil(a));
        assert_eq!([c0, c1, c2], [2.0f32.to_bits(), (-1.0f32).to_bits(), (-0.0f32).to_bits()]);
        assert!(is_quiet32(c3));
        let [f0, f1, f2, f3] = bits(f32x4_floor(a));
        assert_eq!([f0, f1, f2], [1.0f32.to_bits(), (-2.0f32).to_bits(), (-1.0f32).to_bits()]);
        assert!(is_quiet32(f3));
        let [t0, t1, t2, t3] = bits(f32x4_trunc(a));
        assert_eq!([t0, t1, t2], [1.0f32.to_bits(), (-1.0f32).to_bits(), (-0.0f32).to_bits()]);
        assert!(is_quiet32(t3));
        let [n0, n1, n2, n3] = bits(f32x4_nearest(a));
        assert_eq!([n0, n1, n2], [2.0f32.to_bits(), (-2.0f32).to_bits(), (-0.0f32).to_bits()]);
        assert!(is_quiet32(n3));
        assert_eq!(f32x4_nearest(v::<f32>(&[2.5, 3.5, 0.5, -2.5])), v::<f32>(&[2.0, 4.0, 0.0, -2.0]));

        let a = v::<f64>(&[-0.5, 2.5]);
        assert_eq!(f64x2_ceil(a), v::<f64>(&[-0.0, 3.0]));
        assert_eq!(u64::unpack(f64x2_ceil(a))[0], 1 << 63);
        assert_eq!(f64x2_floor(a), v::<f64>(&[-1.0, 2.0]));
        assert_eq!(u64::unpack(f64x2_trunc(a)), [1 << 63, 2.0f64.to_bits()]);
        assert_eq!(u64::unpack(f64x2_nearest(a)), [1 << 63, 2.0f64.to_bits()]);
        assert_eq!(f64x2_nearest(v::<f64>(&[3.5, -4.5])), v::<f64>(&[4.0, -4.0]));
        for op in [f64x2_ceil, f64x2_floor, f64x2_trunc, f64x2_nearest] {
            assert!(is_quiet64(u64::unpack(op(u128::from(SNAN64)))[0]));
        }
    }

    #[test]
    fn trunc_sat_nan_infinities_and_bounds() {
        let a = v::<f32>(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -1.9]);
        assert_eq!(i32x4_trunc_sat_f32x4_s(a), v::<i32>(&[0, i32::MAX, i32::MIN, -1]));
        let a = v::<f32>(&[3e9, -3e9, 1.9, -0.0]);
        assert_eq!(i32x4_trunc_sat_f32x4_s(a), v::<i32>(&[i32::MAX, i32::MIN, 1, 0]));
        let a = v::<f32>(&[f32::NAN, f32::INFINITY, -1.0, 3e9]);
        assert_eq!(i32x4_trunc_sat_f32x4_u(a), v::<u32>(&[0, u32::MAX, 0, 3_000_000_000]));

        let a = v::<f64>(&[f64::NAN, -3e9]);
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(a), v::<i32>(&[0, i32::MIN, 0, 0]));
        let a = v::<f64>(&[2147483647.9, -2147483648.9]);
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(a), v::<i32>(&[i32::MAX, i32::MIN, 0, 0]));
        let a = v::<f64>(&[-0.5, 4294967295.9]);
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(a), v::<u32>(&[0, u32::MAX, 0, 0]));
        let a = v::<f64>(&[f64::INFINITY, f64::NAN]);
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(a), v::<u32>(&[u32::MAX, 0, 0, 0]));
    }

    #[test]
    fn integer_to_float_conversions() {
        let a = v::<i32>(&[-1, i32::MIN, 16_777_217, 1]);
        assert_eq!(f32x4_convert_i32x4_s(a), v::<f32>(&[-1.0, -2147483648.0, 16_777_216.0, 1.0]));
        let a = v::<u32>(&[u32::MAX, 1, 16_777_219, 0x8000_0000]);
        assert_eq!(f32x4_convert_i32x4_u(a), v::<f32>(&[4294967296.0, 1.0, 16_777_220.0, 2147483648.0]));
        let a = v::<i32>(&[-1, i32::MIN, 7, 8]);
        assert_eq!(f64x2_convert_low_i32x4_s(a), v::<f64>(&[-1.0, -2147483648.0]));
        assert_eq!(f64x2_convert_low_i32x4_u(a), v::<f64>(&[4294967295.0, 2147483648.0]));
    }

    #[test]
    fn demote_and_promote() {
        let a = v::<f64>(&[1.5, 1e300]);
        assert_eq!(f32x4_demote_f64x2_zero(a), v::<f32>(&[1.5, f32::INFINITY, 0.0, 0.0]));
        // 1 + 2^-24 is halfway between two f32s: ties to even gives 1.0.
        let a = v::<f64>(&[1.0 + 2f64.powi(-24), f64::from_bits(SNAN64)]);
        let [d0, d1, d2, d3] = u32::unpack(f32x4_demote_f64x2_zero(a));
        assert_eq!([d0, d2, d3], [1.0f32.to_bits(), 0, 0]);
        assert!(is_quiet32(d1));

        let a = v::<u32>(&[1.5f32.to_bits(), 0x7f80_0001, 7.0f32.to_bits(), 8.0f32.to_bits()]);
        let [p0, p1] = u64::unpack(f64x2_promote_low_f32x4(a));
        assert_eq!(p0, 1.5f64.to_bits());
        assert!(is_quiet64(p1));
        assert_eq!(f64x2_promote_low_f32x4(v::<f32>(&[-0.0, 0.1])), v::<f64>(&[-0.0, f64::from(0.1f32)]));
    }

    // ---- Fast paths against the portable definitions (on targets without fast paths, the
    // public functions are the portable ones, and these tests compare them with themselves).

    /// splitmix64: a small deterministic generator of test inputs.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }

        /// A lane of `bits` bits: a special value of that width (integer extremes, signed
        /// zeros, infinities, NaNs with payloads, quiet and signalling, denormals, rounding
        /// and conversion boundaries), a float of modest exponent, or random bits.
        fn lane(&mut self, bits: u32) -> u64 {
            const INT: [u64; 8] = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000];
            #[rustfmt::skip]
            const F32: &[u32] = &[
                0x0000_0000, 0x8000_0000, 0x7f80_0000, 0xff80_0000, // ±0, ±inf
                0x7fc0_0000, 0xffc0_0000, 0x7fc0_1234, 0xffd0_0001, // quiet NaNs
                0x7f80_0001, 0xff80_0001, 0x7fa0_0000, 0x7fbf_ffff, // signalling NaNs
                0x0000_0001, 0x807f_ffff, 0x0080_0000, 0x7f7f_ffff, // denormals, MIN_POSITIVE, MAX
                0x3f80_0000, 0xbf80_0000, 0x3f00_0000, 0x3fc0_0000, // 1, -1, 0.5, 1.5
                0x4f00_0000, 0xcf00_0000, 0x4eff_ffff, 0xcf00_0001, // ±2^31 and neighbours
                0x4f80_0000, 0x4b80_0001, 0xbfc0_0000, 0x4020_0000, // 2^32, 2^24 + 2, -1.5, 2.5
            ];
            #[rustfmt::skip]
            const F64: &[u64] = &[
                // ±0, ±inf, quiet NaNs, signalling NaNs
                0x0000_0000_0000_0000, 0x8000_0000_0000_0000, 0x7ff0_0000_0000_0000, 0xfff0_0000_0000_0000,
                0x7ff8_0000_0000_0000, 0xfff8_0000_0000_0000, 0x7ff8_0000_dead_beef, 0xfffc_0000_0000_0001,
                0x7ff0_0000_0000_0001, 0xfff0_0000_0000_0001, 0x7ff4_0000_0000_0000, 0x7ff7_ffff_ffff_ffff,
                // denormals, MIN_POSITIVE, MAX; 1, -1, 0.5, 1.5
                0x0000_0000_0000_0001, 0x800f_ffff_ffff_ffff, 0x0010_0000_0000_0000, 0x7fef_ffff_ffff_ffff,
                0x3ff0_0000_0000_0000, 0xbff0_0000_0000_0000, 0x3fe0_0000_0000_0000, 0x3ff8_0000_0000_0000,
                // ±2^31 and neighbours (2^31 - 0.1, -2^31 - 0.9), 2^32, 1 + 2^-24 (an f32 tie)
                0x41e0_0000_0000_0000, 0xc1e0_0000_0000_0000, 0x41df_ffff_ffff_ffff, 0xc1e0_0000_0000_0001,
                0x41df_ffff_ffff_fe66, 0xc1e0_0000_001c_cccd, 0x41f0_0000_0000_0000, 0x3ff0_0000_1000_0000,
                // around the f32 range: tiny, huge, f32 denormal range, f32 MIN_POSITIVE
                0x3690_0000_0000_0000, 0x47f0_0000_0000_0000, 0x36a0_0000_0000_0001, 0x3810_0000_0000_0000,
            ];
            let mask = if bits == 64 { u64::MAX } else { (1 << bits) - 1 };
            match self.below(8) {
                // Small integers and the extremes (i8::MIN, u16::MAX, ...), signed and unsigned.
                0 => {
                    let x = self.pick(&INT) & mask;
                    match self.below(4) {
                        0 => x,
                        1 => x.wrapping_neg() & mask,
                        2 => !x & mask,
                        _ => (x ^ (1 << (bits - 1))) & mask,
                    }
                }
                1 | 2 if bits == 32 => u64::from(self.pick(F32)),
                1 | 2 if bits == 64 => self.pick(F64),
                // A float of modest exponent: products and sums stay finite and inexact.
                3 if bits == 32 => {
                    let exponent = 0x3c00_0000 + ((self.next() as u32 % 16) << 23);
                    u64::from((self.next() as u32 & 0x807f_ffff) | exponent)
                }
                3 if bits == 64 => (self.next() & 0x800f_ffff_ffff_ffff) | ((0x3f0 + self.next() % 32) << 52),
                _ => self.next() & mask,
            }
        }

        /// A vector of lanes of one random width.
        fn vector(&mut self) -> u128 {
            let bits = self.pick(&[8, 16, 32, 64]);
            (0..128 / bits).fold(0, |v, i| v | (u128::from(self.lane(bits)) << (i * bits)))
        }

        /// A second operand for `a`: unrelated, equal, equal in some lanes, or `a` with some
        /// sign bits flipped (`0` against `-0`, `x` against `-x`).
        fn partner(&mut self, a: u128) -> u128 {
            let bits = self.pick(&[8u32, 16, 32, 64]);
            let lane = u128::MAX >> (128 - bits);
            let mask =
                (0..128 / bits).filter(|_| self.below(2) == 0).fold(0, |m, i| m | (lane << (i * bits)));
            let signs = (0..128 / bits).fold(0, |m, i| m | (1u128 << (i * bits + bits - 1)));
            match self.below(4) {
                0 => a,
                1 => (a & !mask) | (self.vector() & mask),
                2 => a ^ (mask & signs),
                _ => self.vector(),
            }
        }

        /// Shift counts: around the lane widths, and beyond (taken modulo the width).
        fn shift_count(&mut self) -> u32 {
            const SPECIAL: [u32; 18] =
                [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, !0, !0 - 64];
            match self.below(3) {
                0 => self.pick(&SPECIAL),
                1 => self.next() as u32 % 130,
                _ => self.next() as u32,
            }
        }
    }

    const ROUNDS: usize = 20_000;

    /// Compares `fast` with `portable` on `ROUNDS` inputs from `input`.
    fn check<A: Copy + std::fmt::Debug, R: PartialEq + std::fmt::Debug>(
        name: &str,
        fast: fn(A) -> R,
        portable: fn(A) -> R,
        mut input: impl FnMut(&mut Rng) -> A,
    ) {
        let mut rng = Rng(name.bytes().fold(0x5eed, |h, b| h.rotate_left(7) ^ u64::from(b)));
        for _ in 0..ROUNDS {
            let args = std::hint::black_box(input(&mut rng));
            let (got, want) = (fast(args), portable(args));
            assert!(got == want, "{name}{args:x?}: fast path {got:x?}, portable {want:x?}");
        }
    }

    /// Checks each public function `$name` against `portable::$name` on inputs from `$input`;
    /// `$args` names the parameters: `(a)` or a tuple `(a, b)`.
    macro_rules! check_all {
        ($input:expr => ($arg:ident) $($name:ident)*) => {$(
            check(stringify!($name), |$arg| $name($arg), |$arg| portable::$name($arg), $input);
        )*};
        ($input:expr => $args:tt $($name:ident)*) => {$(
            check(stringify!($name), |$args| $name $args, |$args| portable::$name $args, $input);
        )*};
    }

    fn unary(r: &mut Rng) -> u128 {
        r.vector()
    }

    fn binary(r: &mut Rng) -> (u128, u128) {
        let a = r.vector();
        (a, r.partner(a))
    }

    #[test]
    fn integer_fast_paths_match_the_portable_definitions() {
        let scalar32 = |r: &mut Rng| {
            let bits = r.pick(&[8, 16, 32]);
            r.lane(bits) as u32 | (r.next() as u32 & 0xff00_0000)
        };
        check_all!(scalar32 => (x) i8x16_splat i16x8_splat i32x4_splat);
        check_all!(|r: &mut Rng| r.lane(64) => (x) i64x2_splat);

        check_all!(unary => (a) v128_not);
        check_all!(binary => (a, b) v128_and v128_andnot v128_or v128_xor);
        let ternary = |r: &mut Rng| {
            let a = r.vector();
            (a, r.partner(a), r.vector())
        };
        check_all!(ternary => (a, b, c) v128_bitselect);

        check_all!(binary => (a, b)
            i8x16_eq i8x16_ne i8x16_lt_s i8x16_lt_u i8x16_gt_s i8x16_gt_u
            i8x16_le_s i8x16_le_u i8x16_ge_s i8x16_ge_u
            i16x8_eq i16x8_ne i16x8_lt_s i16x8_lt_u i16x8_gt_s i16x8_gt_u
            i16x8_le_s i16x8_le_u i16x8_ge_s i16x8_ge_u
            i32x4_eq i32x4_ne i32x4_lt_s i32x4_lt_u i32x4_gt_s i32x4_gt_u
            i32x4_le_s i32x4_le_u i32x4_ge_s i32x4_ge_u
            i64x2_eq i64x2_ne);

        check_all!(unary => (a)
            i8x16_abs i8x16_neg i16x8_abs i16x8_neg i32x4_abs i32x4_neg
            i8x16_bitmask i16x8_bitmask i32x4_bitmask i64x2_bitmask
            i8x16_all_true i16x8_all_true i32x4_all_true);
        // `all_true` is rarely true on random vectors: also vectors with few zero lanes.
        let mostly_nonzero =
            |r: &mut Rng| r.vector() | (r.pick(&[0x01u128, 0x0001, 0x0101]) * (u128::MAX / 0xffff));
        check_all!(mostly_nonzero => (a) i8x16_all_true i16x8_all_true i32x4_all_true);

        check_all!(|r: &mut Rng| (r.vector(), r.shift_count()) => (a, c)
            i8x16_shl i8x16_shr_s i8x16_shr_u i16x8_shl i16x8_shr_s i16x8_shr_u
            i32x4_shl i32x4_shr_s i32x4_shr_u i64x2_shl i64x2_shr_u);

        check_all!(binary => (a, b)
            i8x16_add i8x16_add_sat_s i8x16_add_sat_u i8x16_sub i8x16_sub_sat_s i8x16_sub_sat_u
            i8x16_min_s i8x16_min_u i8x16_max_s i8x16_max_u i8x16_avgr_u
            i16x8_add i16x8_add_sat_s i16x8_add_sat_u i16x8_sub i16x8_sub_sat_s i16x8_sub_sat_u
            i16x8_mul i16x8_min_s i16x8_min_u i16x8_max_s i16x8_max_u i16x8_avgr_u
            i32x4_add i32x4_sub i32x4_min_s i32x4_min_u i32x4_max_s i32x4_max_u
            i32x4_dot_i16x8_s i64x2_add i64x2_sub);

        check_all!(unary => (a)
            i16x8_extend_low_i8x16_s i16x8_extend_high_i8x16_s
            i16x8_extend_low_i8x16_u i16x8_extend_high_i8x16_u
            i32x4_extend_low_i16x8_s i32x4_extend_high_i16x8_s
            i32x4_extend_low_i16x8_u i32x4_extend_high_i16x8_u
            i64x2_extend_low_i32x4_u i64x2_extend_high_i32x4_u
            i16x8_extadd_pairwise_i8x16_s i16x8_extadd_pairwise_i8x16_u
            i32x4_extadd_pairwise_i16x8_s i32x4_extadd_pairwise_i16x8_u);
        check_all!(binary => (a, b)
            i16x8_extmul_low_i8x16_s i16x8_extmul_high_i8x16_s
            i16x8_extmul_low_i8x16_u i16x8_extmul_high_i8x16_u
            i32x4_extmul_low_i16x8_s i32x4_extmul_high_i16x8_s
            i32x4_extmul_low_i16x8_u i32x4_extmul_high_i16x8_u
            i64x2_extmul_low_i32x4_u i64x2_extmul_high_i32x4_u
            i8x16_narrow_i16x8_s i8x16_narrow_i16x8_u i16x8_narrow_i32x4_s);
    }

    #[test]
    fn float_fast_paths_match_the_portable_definitions() {
        let f32_bits = |r: &mut Rng| r.lane(32) as u32;
        check(
            "f32x4_splat",
            |x| f32x4_splat(f32::from_bits(x)),
            |x| portable::f32x4_splat(f32::from_bits(x)),
            f32_bits,
        );
        check(
            "f64x2_splat",
            |x| f64x2_splat(f64::from_bits(x)),
            |x| portable::f64x2_splat(f64::from_bits(x)),
            |r| r.lane(64),
        );

        check_all!(binary => (a, b)
            f32x4_add f32x4_sub f32x4_mul f32x4_div f32x4_min f32x4_max f32x4_pmin f32x4_pmax
            f64x2_add f64x2_sub f64x2_mul f64x2_div f64x2_min f64x2_max f64x2_pmin f64x2_pmax
            f32x4_eq f32x4_ne f32x4_lt f32x4_gt f32x4_le f32x4_ge
            f64x2_eq f64x2_ne f64x2_lt f64x2_gt f64x2_le f64x2_ge);
        check_all!(unary => (a) f32x4_sqrt f32x4_abs f32x4_neg f64x2_sqrt f64x2_abs f64x2_neg);
    }

    /// The float fast paths choose NaNs as the portable functions do, whatever operand order
    /// the compiler picks for the vector instruction; the other lanes are computed as usual.
    #[test]
    fn float_fast_paths_choose_nans_like_the_portable_ones() {
        let (snan, qnan) = (f32::from_bits(SNAN32), f32::from_bits(0xffc0_0002));
        let a = v::<f32>(&[1.5, snan, f32::INFINITY, 2.0]);
        let b = v::<f32>(&[0.25, qnan, f32::NEG_INFINITY, -0.0]);
        let bits = |r: u128| u32::unpack(r);
        let inf_minus_inf = bits(portable::f32x4_add(a, b))[2];
        assert_eq!(bits(f32x4_add(a, b)), [0x3fe0_0000, SNAN32 | 0x0040_0000, inf_minus_inf, 0x4000_0000]);
        assert_eq!(bits(f32x4_add(b, a))[1], 0xffc0_0002, "the first NaN operand, whatever the order");
        assert_eq!(f32x4_mul(a, b), portable::f32x4_mul(a, b));
        assert_eq!(f32x4_min(a, b), portable::f32x4_min(a, b));
        assert_eq!(bits(f32x4_max(b, a))[..2], [0x3fc0_0000, 0xffc0_0002]);
        let (x, y) = (v::<f64>(&[f64::from_bits(SNAN64), 3.0]), v::<f64>(&[1.0, 0.0]));
        assert_eq!(u64::unpack(f64x2_div(x, y)), [SNAN64 | 0x0008_0000_0000_0000, f64::INFINITY.to_bits()]);
        assert_eq!(u64::unpack(f64x2_sqrt(x))[0], SNAN64 | 0x0008_0000_0000_0000);
    }

    #[test]
    fn conversion_fast_paths_match_the_portable_definitions() {
        check_all!(unary => (a)
            i32x4_trunc_sat_f32x4_s i32x4_trunc_sat_f64x2_s_zero
            f32x4_convert_i32x4_s f64x2_convert_low_i32x4_s);
    }
}
