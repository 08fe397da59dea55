//! Integer operations: arithmetic, bit counting, comparisons, shifts and the division and
//! remainder that can trap. i32 values are `i32`/`u32` and i64 values `i64`/`u64` as the
//! operation's signedness wants; shifts and rotates use the count modulo the width, as the
//! specification says.

use crate::trap::TrapKind;

macro_rules! int_ops {
    ($t:ty, $u:ty, $bits:expr,
     $add:ident, $sub:ident, $mul:ident, $and:ident, $or:ident, $xor:ident,
     $shl:ident, $shr_s:ident, $shr_u:ident, $rotl:ident, $rotr:ident,
     $clz:ident, $ctz:ident, $popcnt:ident, $eqz:ident,
     $eq:ident, $ne:ident, $lt_s:ident, $lt_u:ident, $gt_s:ident, $gt_u:ident,
     $le_s:ident, $le_u:ident, $ge_s:ident, $ge_u:ident) => {
        /// Wrapping addition.
        #[inline(always)]
        pub(crate) fn $add(a: $u, b: $u) -> $u {
            a.wrapping_add(b)
        }
        /// Wrapping subtraction.
        #[inline(always)]
        pub(crate) fn $sub(a: $u, b: $u) -> $u {
            a.wrapping_sub(b)
        }
        /// Wrapping multiplication.
        #[inline(always)]
        pub(crate) fn $mul(a: $u, b: $u) -> $u {
            a.wrapping_mul(b)
        }
        /// Bitwise and.
        #[inline(always)]
        pub(crate) fn $and(a: $u, b: $u) -> $u {
            a & b
        }
        /// Bitwise or.
        #[inline(always)]
        pub(crate) fn $or(a: $u, b: $u) -> $u {
            a | b
        }
        /// Bitwise exclusive or.
        #[inline(always)]
        pub(crate) fn $xor(a: $u, b: $u) -> $u {
            a ^ b
        }
        /// Shift left by `b` modulo the width.
        #[inline(always)]
        pub(crate) fn $shl(a: $u, b: $u) -> $u {
            a.wrapping_shl(b as u32)
        }
        /// Arithmetic shift right by `b` modulo the width.
        #[inline(always)]
        pub(crate) fn $shr_s(a: $t, b: $u) -> $t {
            a.wrapping_shr(b as u32)
        }
        /// Logical shift right by `b` modulo the width.
        #[inline(always)]
        pub(crate) fn $shr_u(a: $u, b: $u) -> $u {
            a.wrapping_shr(b as u32)
        }
        /// Rotate left by `b` modulo the width.
        #[inline(always)]
        pub(crate) fn $rotl(a: $u, b: $u) -> $u {
            a.rotate_left((b % $bits) as u32)
        }
        /// Rotate right by `b` modulo the width.
        #[inline(always)]
        pub(crate) fn $rotr(a: $u, b: $u) -> $u {
            a.rotate_right((b % $bits) as u32)
        }
        /// Leading zero bits.
        #[inline(always)]
        pub(crate) fn $clz(a: $u) -> $u {
            a.leading_zeros() as $u
        }
        /// Trailing zero bits.
        #[inline(always)]
        pub(crate) fn $ctz(a: $u) -> $u {
            a.trailing_zeros() as $u
        }
        /// Bits set.
        #[inline(always)]
        pub(crate) fn $popcnt(a: $u) -> $u {
            a.count_ones() as $u
        }
        /// Whether the value is zero.
        #[inline(always)]
        pub(crate) fn $eqz(a: $u) -> bool {
            a == 0
        }
        /// Equal.
        #[inline(always)]
        pub(crate) fn $eq(a: $u, b: $u) -> bool {
            a == b
        }
        /// Not equal.
        #[inline(always)]
        pub(crate) fn $ne(a: $u, b: $u) -> bool {
            a != b
        }
        /// Signed less than.
        #[inline(always)]
        pub(crate) fn $lt_s(a: $t, b: $t) -> bool {
            a < b
        }
        /// Unsigned less than.
        #[inline(always)]
        pub(crate) fn $lt_u(a: $u, b: $u) -> bool {
            a < b
        }
        /// Signed greater than.
        #[inline(always)]
        pub(crate) fn $gt_s(a: $t, b: $t) -> bool {
            a > b
        }
        /// Unsigned greater than.
        #[inline(always)]
        pub(crate) fn $gt_u(a: $u, b: $u) -> bool {
            a > b
        }
        /// Signed less or equal.
        #[inline(always)]
        pub(crate) fn $le_s(a: $t, b: $t) -> bool {
            a <= b
        }
        /// Unsigned less or equal.
        #[inline(always)]
        pub(crate) fn $le_u(a: $u, b: $u) -> bool {
            a <= b
        }
        /// Signed greater or equal.
        #[inline(always)]
        pub(crate) fn $ge_s(a: $t, b: $t) -> bool {
            a >= b
        }
        /// Unsigned greater or equal.
        #[inline(always)]
        pub(crate) fn $ge_u(a: $u, b: $u) -> bool {
            a >= b
        }
    };
}

int_ops!(
    i32, u32, 32, i32_add, i32_sub, i32_mul, i32_and, i32_or, i32_xor, i32_shl, i32_shr_s, i32_shr_u,
    i32_rotl, i32_rotr, i32_clz, i32_ctz, i32_popcnt, i32_eqz, i32_eq, i32_ne, i32_lt_s, i32_lt_u, i32_gt_s,
    i32_gt_u, i32_le_s, i32_le_u, i32_ge_s, i32_ge_u
);
int_ops!(
    i64, u64, 64, i64_add, i64_sub, i64_mul, i64_and, i64_or, i64_xor, i64_shl, i64_shr_s, i64_shr_u,
    i64_rotl, i64_rotr, i64_clz, i64_ctz, i64_popcnt, i64_eqz, i64_eq, i64_ne, i64_lt_s, i64_lt_u, i64_gt_s,
    i64_gt_u, i64_le_s, i64_le_u, i64_ge_s, i64_ge_u
);

/// `i32.extend8_s`.
#[inline(always)]
pub(crate) fn i32_extend8_s(a: u32) -> i32 {
    a as i8 as i32
}
/// `i32.extend16_s`.
#[inline(always)]
pub(crate) fn i32_extend16_s(a: u32) -> i32 {
    a as i16 as i32
}
/// `i64.extend8_s`.
#[inline(always)]
pub(crate) fn i64_extend8_s(a: u64) -> i64 {
    a as i8 as i64
}
/// `i64.extend16_s`.
#[inline(always)]
pub(crate) fn i64_extend16_s(a: u64) -> i64 {
    a as i16 as i64
}
/// `i64.extend32_s`.
#[inline(always)]
pub(crate) fn i64_extend32_s(a: u64) -> i64 {
    a as i32 as i64
}

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
