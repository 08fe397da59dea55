//! Float operations whose WebAssembly semantics differ from a plain Rust call:
//! NaN propagation in `min`/`max`, signed zeros, ties-to-even rounding, and NaN results
//! that must be quiet ("arithmetic") even when an input was signalling.
//!
//! `+ - * / sqrt` are left to the hardware: IEEE 754 already produces a quiet NaN for
//! them, which the specification accepts.

macro_rules! float_ops {
    ($f:ty, $bits:ty, $quiet:expr,
     $min:ident, $max:ident, $nearest:ident, $ceil:ident, $floor:ident, $trunc:ident, $sqrt:ident) => {
        /// `min`: NaN if either operand is NaN (the first NaN operand, made quiet, so the
        /// result does not depend on how the compiler orders operands); `-0 < +0`.
        #[inline]
        pub(crate) fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                return first_nan(a, b);
            }
            if a == b {
                // Only differs for zeros: -0 wins.
                return <$f>::from_bits(a.to_bits() | b.to_bits());
            }
            if a < b { a } else { b }
        }

        /// `max`: NaN if either operand is NaN (the first NaN operand, made quiet); `+0 > -0`.
        #[inline]
        pub(crate) fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                return first_nan(a, b);
            }
            if a == b {
                // Only differs for zeros: +0 wins.
                return <$f>::from_bits(a.to_bits() & b.to_bits());
            }
            if a > b { a } else { b }
        }

        /// Round to nearest integer, ties to even.
        #[inline]
        pub(crate) fn $nearest(a: $f) -> $f {
            if a.is_nan() {
                return quiet_nan_of(a);
            }
            a.round_ties_even()
        }

        /// Round towards +infinity.
        #[inline]
        pub(crate) fn $ceil(a: $f) -> $f {
            if a.is_nan() {
                return quiet_nan_of(a);
            }
            a.ceil()
        }

        /// Round towards -infinity.
        #[inline]
        pub(crate) fn $floor(a: $f) -> $f {
            if a.is_nan() {
                return quiet_nan_of(a);
            }
            a.floor()
        }

        /// Round towards zero.
        #[inline]
        pub(crate) fn $trunc(a: $f) -> $f {
            if a.is_nan() {
                return quiet_nan_of(a);
            }
            a.trunc()
        }

        /// Square root.
        #[inline]
        pub(crate) fn $sqrt(a: $f) -> $f {
            if a.is_nan() {
                return quiet_nan_of(a);
            }
            a.sqrt()
        }
    };
}

/// The same NaN with the quiet bit set (an "arithmetic NaN" in the specification's terms).
trait QuietNan: Copy {
    fn quiet(self) -> Self;
    fn nan(self) -> bool;
}

impl QuietNan for f32 {
    fn quiet(self) -> f32 {
        f32::from_bits(self.to_bits() | 0x0040_0000)
    }
    fn nan(self) -> bool {
        self.is_nan()
    }
}

impl QuietNan for f64 {
    fn quiet(self) -> f64 {
        f64::from_bits(self.to_bits() | 0x0008_0000_0000_0000)
    }
    fn nan(self) -> bool {
        self.is_nan()
    }
}

fn quiet_nan_of<F: QuietNan>(nan: F) -> F {
    nan.quiet()
}

/// `+` and `*` with a NaN result that does not depend on code generation. LLVM may swap the
/// operands of these commutative ops, and hardware returns the NaN of one particular operand
/// (x86: the first), so two builds could return different (equally valid) NaNs. Here a NaN
/// result is the first NaN operand made quiet, or, from non-NaN operands (`inf - inf`), the
/// hardware's default NaN. The specification allows any of the operand NaNs.
///
/// On x86_64 that is what SSE's `addsd`/`mulsd` (and the `ss` forms) do when the first operand
/// is the destination register (Intel SDM vol. 1, table 4-7: with a NaN operand, the first
/// source operand's NaN, quieted, else the second's), so there the instruction is written out
/// (LLVM cannot swap the operands of an `asm!` block) and needs no test of the result: a
/// measured 2 instructions and a branch less per op. Elsewhere the result is tested and a NaN
/// recomputed.
macro_rules! commutative_ops {
    ($f:ty, $add:ident, $mul:ident, $addsx:literal, $mulsx:literal) => {
        #[inline(always)]
        pub(crate) fn $add(a: $f, b: $f) -> $f {
            #[cfg(target_arch = "x86_64")]
            {
                pinned_sse!($addsx, a, b)
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                let r = a + b;
                if r.is_nan() { nan_result(a, b, r) } else { r }
            }
        }

        #[inline(always)]
        pub(crate) fn $mul(a: $f, b: $f) -> $f {
            #[cfg(target_arch = "x86_64")]
            {
                pinned_sse!($mulsx, a, b)
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                let r = a * b;
                if r.is_nan() { nan_result(a, b, r) } else { r }
            }
        }
    };
}

/// Runs the scalar SSE instruction `op` as `a = a op b`, `a` being the first operand.
#[cfg(target_arch = "x86_64")]
macro_rules! pinned_sse {
    ($op:literal, $a:ident, $b:ident) => {{
        let mut a = $a;
        // SAFETY: a register-to-register SSE2 arithmetic instruction (SSE2 is part of the
        // x86_64 baseline): no memory, no stack, no flags; it only writes `a`.
        #[allow(unsafe_code)]
        unsafe {
            std::arch::asm!(
                concat!($op, " {a}, {b}"),
                a = inout(xmm_reg) a,
                b = in(xmm_reg) $b,
                options(pure, nomem, nostack, preserves_flags),
            );
        }
        a
    }};
}

commutative_ops!(f32, f32_add, f32_mul, "addss", "mulss");
commutative_ops!(f64, f64_add, f64_mul, "addsd", "mulsd");

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[cold]
fn nan_result<F: QuietNan>(a: F, b: F, r: F) -> F {
    if a.nan() {
        a.quiet()
    } else if b.nan() {
        b.quiet()
    } else {
        r
    }
}

/// The first of `a` and `b` that is a NaN, made quiet. A canonical NaN stays canonical.
#[inline]
fn first_nan<F: QuietNan>(a: F, b: F) -> F {
    if a.nan() { a.quiet() } else { b.quiet() }
}

float_ops!(f32, u32, 0x0040_0000, f32_min, f32_max, f32_nearest, f32_ceil, f32_floor, f32_trunc, f32_sqrt);
float_ops!(
    f64,
    u64,
    0x0008_0000_0000_0000,
    f64_min,
    f64_max,
    f64_nearest,
    f64_ceil,
    f64_floor,
    f64_trunc,
    f64_sqrt
);

macro_rules! plain_ops {
    ($f:ty, $sub:ident, $div:ident, $eq:ident, $ne:ident, $lt:ident, $gt:ident, $le:ident, $ge:ident) => {
        /// Subtraction (IEEE 754; a NaN result is quiet).
        #[inline(always)]
        pub(crate) fn $sub(a: $f, b: $f) -> $f {
            a - b
        }
        /// Division (IEEE 754; a NaN result is quiet).
        #[inline(always)]
        pub(crate) fn $div(a: $f, b: $f) -> $f {
            a / b
        }
        /// Equal (false if either is NaN).
        #[inline(always)]
        pub(crate) fn $eq(a: $f, b: $f) -> bool {
            a == b
        }
        /// Not equal (true if either is NaN).
        #[inline(always)]
        pub(crate) fn $ne(a: $f, b: $f) -> bool {
            a != b
        }
        /// Less than.
        #[inline(always)]
        pub(crate) fn $lt(a: $f, b: $f) -> bool {
            a < b
        }
        /// Greater than.
        #[inline(always)]
        pub(crate) fn $gt(a: $f, b: $f) -> bool {
            a > b
        }
        /// Less or equal.
        #[inline(always)]
        pub(crate) fn $le(a: $f, b: $f) -> bool {
            a <= b
        }
        /// Greater or equal.
        #[inline(always)]
        pub(crate) fn $ge(a: $f, b: $f) -> bool {
            a >= b
        }
    };
}

plain_ops!(f32, f32_sub, f32_div, f32_eq, f32_ne, f32_lt, f32_gt, f32_le, f32_ge);
plain_ops!(f64, f64_sub, f64_div, f64_eq, f64_ne, f64_lt, f64_gt, f64_le, f64_ge);

/// `abs` on raw bits: clears the sign. Never touches NaN payloads.
#[inline(always)]
pub(crate) fn f32_abs(a: u32) -> u32 {
    a & 0x7fff_ffff
}

/// `neg` on raw bits: flips the sign. Never touches NaN payloads.
#[inline(always)]
pub(crate) fn f32_neg(a: u32) -> u32 {
    a ^ 0x8000_0000
}

/// `abs` on raw bits: clears the sign. Never touches NaN payloads.
#[inline(always)]
pub(crate) fn f64_abs(a: u64) -> u64 {
    a & 0x7fff_ffff_ffff_ffff
}

/// `neg` on raw bits: flips the sign. Never touches NaN payloads.
#[inline(always)]
pub(crate) fn f64_neg(a: u64) -> u64 {
    a ^ 0x8000_0000_0000_0000
}

/// `copysign` on raw bits: magnitude of `a`, sign of `b`. Never touches NaN payloads.
#[inline]
pub(crate) fn f32_copysign(a: u32, b: u32) -> u32 {
    (a & 0x7fff_ffff) | (b & 0x8000_0000)
}

/// `copysign` on raw bits: magnitude of `a`, sign of `b`. Never touches NaN payloads.
#[inline]
pub(crate) fn f64_copysign(a: u64, b: u64) -> u64 {
    (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hint::black_box;

    #[test]
    fn add_and_mul_return_the_first_nan_operand() {
        let (x, y) = (f64::from_bits(0x7ff0_0000_0000_0001), f64::from_bits(0xfff8_0000_0000_0002));
        // Signalling x comes out quiet, whatever order the compiler picks for the hardware op.
        assert_eq!(f64_add(black_box(x), black_box(y)).to_bits(), 0x7ff8_0000_0000_0001);
        assert_eq!(f64_add(black_box(y), black_box(x)).to_bits(), 0xfff8_0000_0000_0002);
        assert_eq!(f64_mul(black_box(2.0), black_box(y)).to_bits(), 0xfff8_0000_0000_0002);
        let (a, b) = (f32::from_bits(0x7fa0_0000), f32::from_bits(0xffc0_0003));
        assert_eq!(f32_add(black_box(a), black_box(b)).to_bits(), 0x7fe0_0000);
        assert_eq!(f32_mul(black_box(b), black_box(a)).to_bits(), 0xffc0_0003);
        // From non-NaN operands: some NaN; ordinary results are untouched.
        assert!(f64_add(black_box(f64::INFINITY), black_box(f64::NEG_INFINITY)).is_nan());
        assert_eq!(f32_mul(black_box(1.5), black_box(-2.0)), -3.0);
    }

    fn is_arithmetic_nan32(f: f32) -> bool {
        f.is_nan() && f.to_bits() & 0x0040_0000 != 0
    }

    #[test]
    fn min_max_zeros_and_nans() {
        assert_eq!(f32_min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_min(-0.0, 0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_max(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(f64_max(0.0, -0.0).to_bits(), 0.0f64.to_bits());
        assert!(is_arithmetic_nan32(f32_min(f32::from_bits(0x7fa0_0000), 1.0)));
        assert!(f64_max(1.0, f64::NAN).is_nan());
        assert_eq!(f32_min(1.0, 2.0), 1.0);
        assert_eq!(f64_max(-1.0, -2.0), -1.0);
    }

    #[test]
    fn min_max_pick_the_first_nan_deterministically() {
        let (x, y) = (f32::from_bits(0x7fc0_0001), f32::from_bits(0xffa0_0002));
        assert_eq!(f32_min(x, y).to_bits(), 0x7fc0_0001);
        assert_eq!(f32_max(y, x).to_bits(), 0xffe0_0002, "signalling input comes out quiet");
        assert_eq!(f32_min(1.0, y).to_bits(), 0xffe0_0002);
        let c = f64::from_bits(0x7ff8_0000_0000_0000);
        assert_eq!(f64_max(c, f64::from_bits(0x7ff8_0000_0000_0005)).to_bits(), c.to_bits());
    }

    #[test]
    fn rounding_ties_to_even() {
        assert_eq!(f32_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(3.5), 4.0);
        assert_eq!(f64_nearest(-0.5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f64_ceil(-0.5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f32_floor(-0.5), -1.0);
        assert_eq!(f64_trunc(-1.7), -1.0);
    }

    #[test]
    fn signalling_nans_come_out_quiet() {
        let snan = f32::from_bits(0x7f80_0001);
        for op in [f32_ceil, f32_floor, f32_trunc, f32_nearest, f32_sqrt] {
            let r = op(snan);
            assert!(is_arithmetic_nan32(r));
            assert_eq!(r.to_bits() & 0x3f_ffff, 1, "payload kept");
        }
        let snan64 = f64::from_bits(0xfff0_0000_0000_0001);
        let r = f64_nearest(snan64);
        assert_eq!(r.to_bits(), 0xfff8_0000_0000_0001);
    }

    #[test]
    fn copysign_keeps_payloads() {
        assert_eq!(f32_copysign(0x7fc0_0001, 0x8000_0000), 0xffc0_0001);
        assert_eq!(f64_copysign(0xfff8_0000_0000_0001, 0), 0x7ff8_0000_0000_0001);
    }
}
