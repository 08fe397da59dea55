//! Conversions between integers and floats.
//!
//! Rust's `as` casts already implement the saturating truncations (NaN becomes 0,
//! out-of-range values clamp) and round-to-nearest-even int-to-float conversions, so those
//! are used directly; the trapping truncations are written out here.

use crate::trap::TrapKind;

macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        /// Truncating conversion that traps on NaN and on results out of range.
        ///
        /// Valid inputs are those strictly between `lo` and `hi` (exclusive bounds that are
        /// exactly representable in the float type).
        #[inline]
        pub(crate) fn $name(x: $f) -> Result<$i, TrapKind> {
            if x > $lo && x < $hi {
                // SAFETY: `x` is not NaN (it compared) and lies strictly between `lo` and
                // `hi`, so its integer part is a value of the integer type. (The checked `as`
                // would test and clamp again: 6 more instructions per conversion.)
                #[allow(unsafe_code)]
                Ok(unsafe { x.to_int_unchecked::<$i>() })
            } else if x.is_nan() {
                Err(TrapKind::InvalidConversionToInteger)
            } else {
                Err(TrapKind::IntegerOverflow)
            }
        }
    };
}

trunc!(i32_trunc_f32_s, f32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(i32_trunc_f32_u, f32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64_s, f64, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(i32_trunc_f64_u, f64, u32, -1.0f64, 4294967296.0f64);
trunc!(i64_trunc_f32_s, f32, i64, -9223373136366403584.0f32, 9223372036854775808.0f32);
trunc!(i64_trunc_f32_u, f32, u64, -1.0f32, 18446744073709551616.0f32);
trunc!(i64_trunc_f64_s, f64, i64, -9223372036854777856.0f64, 9223372036854775808.0f64);
trunc!(i64_trunc_f64_u, f64, u64, -1.0f64, 18446744073709551616.0f64);

macro_rules! cast {
    ($($name:ident: $from:ty => $to:ty,)*) => {$(
        /// Conversion by Rust's `as`: saturating for float-to-int (NaN is 0), round to nearest
        /// even for int-to-float, as the specification says.
        #[inline(always)]
        pub(crate) fn $name(x: $from) -> $to {
            x as $to
        }
    )*};
}

cast! {
    i32_wrap_i64: u64 => u32,
    i64_extend_i32_s: i32 => i64,
    i64_extend_i32_u: u32 => u64,
    i32_trunc_sat_f32_s: f32 => i32,
    i32_trunc_sat_f32_u: f32 => u32,
    i32_trunc_sat_f64_s: f64 => i32,
    i32_trunc_sat_f64_u: f64 => u32,
    i64_trunc_sat_f32_s: f32 => i64,
    i64_trunc_sat_f32_u: f32 => u64,
    i64_trunc_sat_f64_s: f64 => i64,
    i64_trunc_sat_f64_u: f64 => u64,
    f32_convert_i32_s: i32 => f32,
    f32_convert_i32_u: u32 => f32,
    f32_convert_i64_s: i64 => f32,
    f32_convert_i64_u: u64 => f32,
    f64_convert_i32_s: i32 => f64,
    f64_convert_i32_u: u32 => f64,
    f64_convert_i64_s: i64 => f64,
    f64_convert_i64_u: u64 => f64,
}

/// `f32.demote_f64`: rounds to nearest; a NaN stays a NaN with the quiet bit set.
#[inline]
pub(crate) fn f32_demote_f64(x: f64) -> f32 {
    if x.is_nan() {
        // Keep the top payload bits, force quiet: an arithmetic NaN as the spec requires.
        let payload = ((x.to_bits() >> 29) as u32) & 0x003f_ffff;
        let sign = ((x.to_bits() >> 32) as u32) & 0x8000_0000;
        return f32::from_bits(sign | 0x7fc0_0000 | payload);
    }
    x as f32
}

/// `f64.promote_f32`: exact; a NaN stays a NaN with the quiet bit set.
#[inline]
pub(crate) fn f64_promote_f32(x: f32) -> f64 {
    if x.is_nan() {
        let bits = x.to_bits();
        let sign = u64::from(bits & 0x8000_0000) << 32;
        let payload = u64::from(bits & 0x003f_ffff) << 29;
        return f64::from_bits(sign | 0x7ff8_0000_0000_0000 | payload);
    }
    f64::from(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trapping_truncations() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f32_u(-1.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(u32::MAX));
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f64_s(9223372036854775808.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i64_trunc_f32_u(18446742974197923840.0), Ok(18446742974197923840));
        assert_eq!(i64_trunc_f64_u(f64::NAN), Err(TrapKind::InvalidConversionToInteger));
        assert_eq!(i32_trunc_f32_s(f32::INFINITY), Err(TrapKind::IntegerOverflow));
    }

    #[test]
    fn nan_conversions_are_quiet() {
        let d = f32_demote_f64(f64::from_bits(0x7ff4_0000_0000_0000));
        assert!(d.is_nan() && d.to_bits() & 0x0040_0000 != 0);
        let p = f64_promote_f32(f32::from_bits(0xff80_0001));
        assert!(p.is_nan() && p.to_bits() >> 63 == 1 && p.to_bits() & 0x0008_0000_0000_0000 != 0);
        assert_eq!(f32_demote_f64(f64::from_bits(0x7ff8_0000_0000_0000)).to_bits(), 0x7fc0_0000);
        assert_eq!(f64_promote_f32(f32::from_bits(0x7fc0_0000)).to_bits(), 0x7ff8_0000_0000_0000);
    }

    #[test]
    fn saturating_casts_match_the_spec() {
        assert_eq!(std::hint::black_box(f32::NAN) as i32, 0);
        assert_eq!(f64::INFINITY as u32, u32::MAX);
        assert_eq!(-1.5f64 as u64, 0);
        assert_eq!(1e30f32 as i64, i64::MAX);
    }
}
