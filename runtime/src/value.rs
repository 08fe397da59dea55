//! Runtime values: `Val` and the bit-exact float and vector wrappers.

use crate::func::Func;
use crate::store::StoreId;
use crate::types::{HeapType, RefType, ValType};
use std::fmt;

/// A 32-bit float kept as its bit pattern, so NaN payloads survive every copy.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct F32(u32);

impl F32 {
    /// From raw IEEE 754 bits.
    pub const fn from_bits(bits: u32) -> Self {
        F32(bits)
    }
    /// The raw IEEE 754 bits.
    pub const fn to_bits(self) -> u32 {
        self.0
    }
    /// From a Rust float (bits preserved).
    pub fn from_float(f: f32) -> Self {
        F32(f.to_bits())
    }
    /// As a Rust float.
    pub fn to_float(self) -> f32 {
        f32::from_bits(self.0)
    }
}

impl From<f32> for F32 {
    fn from(f: f32) -> Self {
        F32::from_float(f)
    }
}

impl fmt::Debug for F32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} (0x{:08x})", self.to_float(), self.0)
    }
}

/// A 64-bit float kept as its bit pattern, so NaN payloads survive every copy.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct F64(u64);

impl F64 {
    /// From raw IEEE 754 bits.
    pub const fn from_bits(bits: u64) -> Self {
        F64(bits)
    }
    /// The raw IEEE 754 bits.
    pub const fn to_bits(self) -> u64 {
        self.0
    }
    /// From a Rust float (bits preserved).
    pub fn from_float(f: f64) -> Self {
        F64(f.to_bits())
    }
    /// As a Rust float.
    pub fn to_float(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl From<f64> for F64 {
    fn from(f: f64) -> Self {
        F64::from_float(f)
    }
}

impl fmt::Debug for F64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} (0x{:016x})", self.to_float(), self.0)
    }
}

/// A 128-bit vector value; lane 0 is the least significant byte (little-endian, as in memory).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct V128(u128);

impl V128 {
    /// From the 128-bit integer whose little-endian bytes are the vector's bytes.
    pub const fn from_bits(bits: u128) -> Self {
        V128(bits)
    }
    /// The 128-bit integer whose little-endian bytes are the vector's bytes.
    pub const fn to_bits(self) -> u128 {
        self.0
    }
    /// From the 16 bytes as stored in memory.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        V128(u128::from_le_bytes(bytes))
    }
    /// The 16 bytes as stored in memory.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }
    pub(crate) fn from_cells(lo: u64, hi: u64) -> Self {
        V128(u128::from(lo) | (u128::from(hi) << 64))
    }
    pub(crate) fn to_cells(self) -> (u64, u64) {
        (self.0 as u64, (self.0 >> 64) as u64)
    }
}

impl fmt::Debug for V128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v128(0x{:032x})", self.0)
    }
}

/// A reference to a host object, created with [`ExternRef::new`] and owned by a store.
///
/// The object lives until the store is dropped or a [`Store::collect_externrefs`] finds it
/// unreachable from wasm; a handle to a collected object is refused with an error.
///
/// [`Store::collect_externrefs`]: crate::Store::collect_externrefs
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl ExternRef {
    /// Wraps a host object so wasm can hold a reference to it (as an `externref`).
    pub fn new<T>(
        mut store: impl crate::AsContextMut<Data = T>,
        value: impl std::any::Any + Send + Sync,
    ) -> ExternRef {
        let inner = &mut store.as_context_mut().inner;
        let (index, generation) = inner.externs.insert(Box::new(value));
        ExternRef { store: inner.id, index, generation }
    }

    /// The host object this reference wraps.
    ///
    /// # Errors
    /// If `store` does not own this reference, or its object was collected (`ErrorKind::Usage`).
    pub fn data<'a, T: 'a>(
        &self,
        store: &'a crate::Store<T>,
    ) -> crate::Result<&'a (dyn std::any::Any + Send + Sync)> {
        store.inner.check(self.store)?;
        store.inner.externs.get(self.index, self.generation).ok_or_else(collected)
    }

    /// Whether the object is still held by `store` (not collected). False for another store.
    pub fn is_live<T>(&self, store: &crate::Store<T>) -> bool {
        store.inner.id == self.store && store.inner.externs.get(self.index, self.generation).is_some()
    }
}

/// The error for a handle whose object was collected.
pub(crate) fn collected() -> crate::Error {
    crate::Error::usage("externref used after its object was collected (Store::collect_externrefs)")
}

impl fmt::Debug for ExternRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternRef({})", self.index)
    }
}

/// A WebAssembly value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// `i32`
    I32(i32),
    /// `i64`
    I64(i64),
    /// `f32`, bit-exact.
    F32(F32),
    /// `f64`, bit-exact.
    F64(F64),
    /// `v128`
    V128(V128),
    /// A function reference (`funcref`, and every typed function reference such as
    /// `(ref $t)`); `None` is `ref.null func`.
    FuncRef(Option<Func>),
    /// A host reference (`externref`, `(ref extern)`); `None` is `ref.null extern`.
    ExternRef(Option<ExternRef>),
    /// An exception reference (`exnref`, `(ref exn)`); `None` is `ref.null exn` (exception
    /// handling).
    ExnRef(Option<crate::exn::ExnRef>),
}

impl Val {
    /// The type of this value; for references the nullable abstract type of their family
    /// (`funcref`, `externref` or `exnref`), whatever more precise type they also have.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// The zero value (or null reference) of a type: what locals start as.
    ///
    /// For a non-nullable reference type (`(ref func)`, `(ref $t)`, `(ref exn)`) this is still the null
    /// reference of its family, which is not a value of the type: a placeholder to overwrite
    /// (host functions' results start as it), refused where a value of the type is needed.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(F32::default()),
            ValType::F64 => Val::F64(F64::default()),
            ValType::V128 => Val::V128(V128::default()),
            ValType::Ref(RefType { heap: HeapType::Extern, .. }) => Val::ExternRef(None),
            ValType::Ref(RefType { heap: HeapType::Exn, .. }) => Val::ExnRef(None),
            ValType::Ref(_) => Val::FuncRef(None),
        }
    }

    /// The null reference of a reference type.
    pub fn null(ty: RefType) -> Val {
        Val::default_for(ty.into())
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        match *self {
            Val::I32(v) => Some(v),
            _ => None,
        }
    }
    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        match *self {
            Val::I64(v) => Some(v),
            _ => None,
        }
    }
    /// The `f32` as a Rust float, if this is one.
    pub fn f32(&self) -> Option<f32> {
        match *self {
            Val::F32(v) => Some(v.to_float()),
            _ => None,
        }
    }
    /// The `f64` as a Rust float, if this is one.
    pub fn f64(&self) -> Option<f64> {
        match *self {
            Val::F64(v) => Some(v.to_float()),
            _ => None,
        }
    }
    /// The `v128`, if this is one.
    pub fn v128(&self) -> Option<V128> {
        match *self {
            Val::V128(v) => Some(v),
            _ => None,
        }
    }
    /// The function reference, if this is a `funcref` (the inner `None` is null).
    pub fn funcref(&self) -> Option<Option<Func>> {
        match *self {
            Val::FuncRef(v) => Some(v),
            _ => None,
        }
    }
    /// The exception reference, if this is an `exnref` (the inner `None` is null).
    pub fn exnref(&self) -> Option<Option<crate::exn::ExnRef>> {
        match *self {
            Val::ExnRef(v) => Some(v),
            _ => None,
        }
    }
    /// The host reference, if this is an `externref` (the inner `None` is null).
    pub fn externref(&self) -> Option<Option<ExternRef>> {
        match *self {
            Val::ExternRef(v) => Some(v),
            _ => None,
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(F32::from_float(v))
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(F64::from_float(v))
    }
}
impl From<V128> for Val {
    fn from(v: V128) -> Val {
        Val::V128(v)
    }
}
impl From<F32> for Val {
    fn from(v: F32) -> Val {
        Val::F32(v)
    }
}
impl From<F64> for Val {
    fn from(v: F64) -> Val {
        Val::F64(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_wrappers_keep_nan_payloads() {
        let snan = 0x7f80_0001u32;
        assert_eq!(F32::from_bits(snan).to_bits(), snan);
        assert_eq!(F64::from_bits(0x7ff0_0000_0000_0001).to_bits(), 0x7ff0_0000_0000_0001);
    }

    #[test]
    fn v128_cells_round_trip() {
        let v = V128::from_bits(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
        let (lo, hi) = v.to_cells();
        assert_eq!(V128::from_cells(lo, hi), v);
        assert_eq!(v.to_bytes()[0], 0xff);
    }
}
