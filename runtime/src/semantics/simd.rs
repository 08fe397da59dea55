//! SIMD lane semantics (being written).
