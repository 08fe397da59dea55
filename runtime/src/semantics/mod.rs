//! Pure WebAssembly arithmetic: the one place where the numeric semantics of the
//! specification are written down (integer traps, float NaN rules, conversions).
//!
//! Everything here is a plain function over Rust integers, floats and byte arrays, unit-tested
//! alone. Each WebAssembly operator names its function in the op table
//! (`runtime/build/isa.rs`); the executor's handlers only read operands, call it and write the
//! result, so the semantics are written here and nowhere else.

pub(crate) mod convert;
pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod memory;
pub(crate) mod simd;
