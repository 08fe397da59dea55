//! Pure WebAssembly arithmetic: the one place where the numeric semantics of the
//! specification are written down (integer traps, float NaN rules, conversions).
//!
//! Everything here is a plain function over Rust integers and floats, unit-tested alone.
//! The executor calls these; it never re-implements them.

pub(crate) mod convert;
pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod simd;
