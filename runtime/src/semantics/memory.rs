//! Loads and stores: the bytes a memory access moves and how they become a value (little
//! endian; narrow loads sign- or zero-extend). Floats travel as their bits, so a NaN payload is
//! stored and loaded unchanged.

macro_rules! loads {
    ($($(#[$m:meta])* $name:ident: [u8; $n:literal] => $t:ty, $from:expr;)*) => {$(
        $(#[$m])*
        #[inline(always)]
        pub(crate) fn $name(bytes: [u8; $n]) -> $t {
            $from(bytes)
        }
    )*};
}

loads! {
    /// `i32.load`, `f32.load` (bits), `i64.load32_u`.
    load32_u: [u8; 4] => u32, u32::from_le_bytes;
    /// `i64.load`, `f64.load` (bits).
    load64: [u8; 8] => u64, u64::from_le_bytes;
    /// `i32.load8_u`, `i64.load8_u`.
    load8_u: [u8; 1] => u8, |b: [u8; 1]| b[0];
    /// `i32.load16_u`, `i64.load16_u`.
    load16_u: [u8; 2] => u16, u16::from_le_bytes;
    /// `i32.load8_s`.
    i32_load8_s: [u8; 1] => i32, |b: [u8; 1]| i32::from(b[0] as i8);
    /// `i32.load16_s`.
    i32_load16_s: [u8; 2] => i32, |b| i32::from(i16::from_le_bytes(b));
    /// `i64.load8_s`.
    i64_load8_s: [u8; 1] => i64, |b: [u8; 1]| i64::from(b[0] as i8);
    /// `i64.load16_s`.
    i64_load16_s: [u8; 2] => i64, |b| i64::from(i16::from_le_bytes(b));
    /// `i64.load32_s`.
    i64_load32_s: [u8; 4] => i64, |b| i64::from(i32::from_le_bytes(b));
}

macro_rules! stores {
    ($($(#[$m:meta])* $name:ident: [u8; $n:literal] = $t:ty;)*) => {$(
        $(#[$m])*
        #[inline(always)]
        pub(crate) fn $name(value: u64) -> [u8; $n] {
            (value as $t).to_le_bytes()
        }
    )*};
}

stores! {
    /// `i32.store8`, `i64.store8`: the low byte.
    store8: [u8; 1] = u8;
    /// `i32.store16`, `i64.store16`: the low two bytes.
    store16: [u8; 2] = u16;
    /// `i32.store`, `f32.store` (bits), `i64.store32`: the low four bytes.
    store32: [u8; 4] = u32;
    /// `i64.store`, `f64.store` (bits).
    store64: [u8; 8] = u64;
}

/// `v128.load`.
#[inline(always)]
pub(crate) fn v128_load(bytes: [u8; 16]) -> u128 {
    u128::from_le_bytes(bytes)
}

/// `v128.store`.
#[inline(always)]
pub(crate) fn v128_store(value: u128) -> [u8; 16] {
    value.to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_loads_extend_as_their_sign_says() {
        assert_eq!(i32_load8_s([0x80]), -128);
        assert_eq!(load8_u([0x80]), 0x80);
        assert_eq!(i64_load16_s([0x00, 0x80]), -32768);
        assert_eq!(i64_load32_s([0xff, 0xff, 0xff, 0xff]), -1);
        assert_eq!(load32_u([1, 2, 3, 4]), 0x0403_0201);
    }

    #[test]
    fn stores_keep_the_low_bytes_little_endian() {
        assert_eq!(store16(0x1234_5678), [0x78, 0x56]);
        assert_eq!(store8(0x1ff), [0xff]);
        assert_eq!(store64(0x0102_0304_0506_0708), [8, 7, 6, 5, 4, 3, 2, 1]);
    }
}
