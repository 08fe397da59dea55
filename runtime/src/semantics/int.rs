//! Integer operations that can trap.

use crate::trap::TrapKind;

macro_rules! div_rem {
    ($t:ty, $u:ty, $div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident) => {
        /// Signed division; traps on a zero divisor and on `MIN / -1`.
        #[inline]
        pub(crate) fn $div_s(a: $t, b: $t) -> Result<$t, TrapKind> {
            if b == 0 {
                return Err(TrapKind::IntegerDivideByZero);
            }
            a.checked_div(b).ok_or(TrapKind::IntegerOverflow)
        }

        /// Unsigned division; traps on a zero divisor.
        #[inline]
        pub(crate) fn $div_u(a: $u, b: $u) -> Result<$u, TrapKind> {
            a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)
        }

        /// Signed remainder; traps on a zero divisor. `MIN % -1` is 0.
        #[inline]
        pub(crate) fn $rem_s(a: $t, b: $t) -> Result<$t, TrapKind> {
            if b == 0 {
                return Err(TrapKind::IntegerDivideByZero);
            }
            Ok(a.wrapping_rem(b))
        }

        /// Unsigned remainder; traps on a zero divisor.
        #[inline]
        pub(crate) fn $rem_u(a: $u, b: $u) -> Result<$u, TrapKind> {
            a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)
        }
    };
}

div_rem!(i32, u32, i32_div_s, i32_div_u, i32_rem_s, i32_rem_u);
div_rem!(i64, u64, i64_div_s, i64_div_u, i64_rem_s, i64_rem_u);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapKind::IntegerOverflow));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_div_u(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i64_rem_u(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i64_rem_s(1, 0), Err(TrapKind::IntegerDivideByZero));
    }

    #[test]
    fn division_results() {
        assert_eq!(i32_div_s(-7, 2), Ok(-3));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        assert_eq!(i32_div_u(0xffff_fffe, 2), Ok(0x7fff_ffff));
        assert_eq!(i64_rem_u(u64::MAX, 10), Ok(5));
    }
}
