//! Functions: handles, host functions, dynamic and typed calls, and value <-> cell conversion.

use crate::engine::TypeId;
use crate::error::{Error, Result};
use crate::instance::Extern;
use crate::store::{AsContext, AsContextMut, FuncEntity, Store, StoreId, StoreInner};
use crate::types::{FuncType, HeapType, RefType, ValType};
use crate::value::{ExternRef, F32, F64, V128, Val};
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

/// A handle to a function (defined in wasm or by the host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// A host callback on values ([`Func::new`]).
pub(crate) type ValsCallback<T> = dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync;

/// A host callback on cells ([`Func::wrap`]): it reads its arguments from the cells and writes
/// its results over them, with no `Val` in between. The cells hold at least as many cells as
/// the parameters or the results need.
pub(crate) type CellsCallback<T> = dyn Fn(&mut Store<T>, Option<u32>, &mut [u64]) -> Result<()> + Send + Sync;

/// The callback of a host function.
pub(crate) enum HostCallback<T> {
    Vals(Arc<ValsCallback<T>>),
    Cells(Arc<CellsCallback<T>>),
}

impl<T> Clone for HostCallback<T> {
    fn clone(&self) -> Self {
        match self {
            HostCallback::Vals(f) => HostCallback::Vals(f.clone()),
            HostCallback::Cells(f) => HostCallback::Cells(f.clone()),
        }
    }
}

/// A host function as stored: its type and the callback.
pub(crate) struct HostFunc<T> {
    pub ty: FuncType,
    pub callback: HostCallback<T>,
    /// Cells of the parameters and of the results.
    pub param_cells: usize,
    pub result_cells: usize,
}

/// What a host function receives: access to the store and to the calling instance.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<T> std::fmt::Debug for Caller<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller").field("instance", &self.instance).finish()
    }
}

impl<T> Caller<'_, T> {
    /// The embedder's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// An export of the calling instance (for example its `memory`), if the caller is wasm.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let index = self.instance?;
        let instance = crate::instance::Instance { store: self.store.inner.id, index };
        instance.get_export(&*self.store, name).ok()
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions between `Val` and frame cells.

fn mismatch(expected: ValType, got: &Val) -> Error {
    Error::type_error(format!("expected a value of type {expected}, got {}", got.ty()))
}

/// Whether `v` is a value of `ty`'s kind: the same number type, or a reference of the same
/// family (a function reference for `func` and concrete heap types, a host reference for
/// `extern`, an exception reference for `exn`). Nullability and concrete types are checked by [`val_to_cells`].
pub(crate) fn val_kind_matches(v: &Val, ty: ValType) -> bool {
    match (v, ty) {
        (Val::FuncRef(_), ValType::Ref(r)) => r.heap.is_func(),
        (Val::ExternRef(_), ValType::Ref(r)) => r.heap == HeapType::Extern,
        (Val::ExnRef(_), ValType::Ref(r)) => r.heap == HeapType::Exn,
        _ => v.ty() == ty,
    }
}

/// Encodes a reference value as a cell (0 = null, index + 1 otherwise), checking it against
/// `ty`: null only for a nullable type, and for a concrete heap type `(ref $i)` a function
/// whose type is the definition whose engine id is `ids[i]` (the type context of the item `ty`
/// belongs to: [`StoreInner::type_ids`]).
pub(crate) fn ref_to_cell(store: &StoreInner, v: &Val, ty: RefType, ids: &[TypeId]) -> Result<u32> {
    match (v, ty.heap) {
        (Val::FuncRef(None), h) if h.is_func() => null_cell(v, ty),
        (Val::ExternRef(None), HeapType::Extern) => null_cell(v, ty),
        (Val::ExnRef(None), HeapType::Exn) => null_cell(v, ty),
        (Val::FuncRef(Some(f)), HeapType::Func) => {
            store.check(f.store)?;
            Ok(f.index + 1)
        }
        (Val::FuncRef(Some(f)), HeapType::Concrete(i)) => {
            store.check(f.store)?;
            let have = store.funcs[f.index as usize].ty();
            if ids.get(i as usize) != Some(&have) {
                let sig = store.funcs[f.index as usize].sig();
                return Err(Error::type_error(format!(
                    "expected a value of type {ty}, got a function of type {sig}"
                )));
            }
            Ok(f.index + 1)
        }
        (Val::ExternRef(Some(r)), HeapType::Extern) => {
            store.check(r.store)?;
            if store.externs.get(r.index, r.generation).is_none() {
                return Err(crate::value::collected());
            }
            Ok(r.index + 1)
        }
        (Val::ExnRef(Some(r)), HeapType::Exn) => {
            store.check(r.store)?;
            Ok(r.index + 1)
        }
        _ => Err(mismatch(ty.into(), v)),
    }
}

/// The null cell, if `ty` is nullable.
fn null_cell(v: &Val, ty: RefType) -> Result<u32> {
    if ty.nullable {
        Ok(0)
    } else {
        Err(Error::type_error(format!("expected a value of type {ty}, got null ({})", v.ty())))
    }
}

/// Decodes a reference cell.
pub(crate) fn cell_to_ref(store: &StoreInner, cell: u32, ty: RefType) -> Val {
    let index = cell.wrapping_sub(1);
    match ty.heap {
        HeapType::Func | HeapType::Concrete(_) => {
            Val::FuncRef((cell != 0).then_some(Func { store: store.id, index }))
        }
        HeapType::Extern => Val::ExternRef((cell != 0).then(|| ExternRef {
            store: store.id,
            index,
            generation: store.externs.generation(index),
        })),
        HeapType::Exn => Val::ExnRef((cell != 0).then_some(crate::exn::ExnRef { store: store.id, index })),
    }
}

/// Encodes a value of type `ty` as (low cell, high cell); `ids` is the type context of `ty`
/// (see [`ref_to_cell`]).
pub(crate) fn val_to_cells(store: &StoreInner, v: &Val, ty: ValType, ids: &[TypeId]) -> Result<(u64, u64)> {
    Ok(match (ty, v) {
        (ValType::I32, Val::I32(x)) => (u64::from(*x as u32), 0),
        (ValType::I64, Val::I64(x)) => (*x as u64, 0),
        (ValType::F32, Val::F32(x)) => (u64::from(x.to_bits()), 0),
        (ValType::F64, Val::F64(x)) => (x.to_bits(), 0),
        (ValType::V128, Val::V128(x)) => x.to_cells(),
        (ValType::Ref(r), _) => (u64::from(ref_to_cell(store, v, r, ids)?), 0),
        _ => return Err(mismatch(ty, v)),
    })
}

/// Decodes the cells of a value of type `ty`.
pub(crate) fn cells_to_val(store: &StoreInner, lo: u64, hi: u64, ty: ValType) -> Val {
    match ty {
        ValType::I32 => Val::I32(lo as u32 as i32),
        ValType::I64 => Val::I64(lo as i64),
        ValType::F32 => Val::F32(F32::from_bits(lo as u32)),
        ValType::F64 => Val::F64(F64::from_bits(lo)),
        ValType::V128 => Val::V128(V128::from_cells(lo, hi)),
        ValType::Ref(r) => cell_to_ref(store, lo as u32, r),
    }
}

/// Reads values of the given types from consecutive cells.
pub(crate) fn cells_to_vals(store: &StoreInner, cells: &[u64], types: &[ValType], out: &mut [Val]) {
    let mut i = 0;
    for (slot, ty) in out.iter_mut().zip(types) {
        let hi = if *ty == ValType::V128 { cells[i + 1] } else { 0 };
        *slot = cells_to_val(store, cells[i], hi, *ty);
        i += ty.cells() as usize;
    }
}

// ---------------------------------------------------------------------------------------------

impl Func {
    /// Creates a host function with a dynamic signature.
    ///
    /// The callback receives the arguments and must fill `results` (pre-filled with zero
    /// values of the right types). Returning an error aborts the wasm call with that error.
    ///
    /// Typed references in `ty` are checked: a result of type `(ref func)` must not be null.
    /// A concrete heap type (`(ref $t)`) has no module here to give its index a meaning, so a
    /// signature naming one matches no module's function type (such a function cannot satisfy
    /// an import); use [`Func::new_with_types`] for that, or `(ref func)` / `funcref`.
    pub fn new<T: 'static>(
        store: impl AsContextMut<Data = T>,
        ty: FuncType,
        callback: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        Func::new_host(store, ty, None, HostCallback::Vals(Arc::new(callback)))
    }

    /// Creates a host function whose signature names concrete types of `module`: a heap type
    /// `(ref $i)` in `ty` is type `i` of `module`'s type section, as in the module's own
    /// signatures. The function then has the type of the module's equal definition, so it can
    /// satisfy an import of `module` (or of any module with an equal definition) that takes or
    /// returns `(ref $t)`; arguments and results are checked against those types as for a
    /// wasm function (a result of type `(ref $t)` must be a non-null function of `$t`'s type).
    ///
    /// # Errors
    /// If `module` belongs to another engine than the store (`ErrorKind::Usage`), or `ty`
    /// names a type index that `module` does not have (`ErrorKind::Type`).
    pub fn new_with_types<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        module: &crate::Module,
        ty: FuncType,
        callback: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<Func> {
        if !crate::Engine::same(store.as_context_mut().engine(), module.engine()) {
            return Err(Error::usage("module and store belong to different engines"));
        }
        let ids = &module.inner.type_ids;
        if ty.canonical(true, ids, ids.len() as u32, 0).is_none() {
            return Err(Error::type_error(format!(
                "function type {ty} names a type index the module does not have ({} types)",
                module.inner.type_ids.len()
            )));
        }
        Ok(Func::new_host(store, ty, Some(module.clone()), HostCallback::Vals(Arc::new(callback))))
    }

    /// Creates a host function in the store; `types` gives concrete heap types in `ty` their
    /// meaning (its indices were checked against it).
    pub(crate) fn new_host<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        types: Option<crate::Module>,
        callback: HostCallback<T>,
    ) -> Func {
        let store = store.as_context_mut();
        // The canonical form, as the module's own types are interned.
        let ids = types.as_ref().map_or(&[][..], |m| &m.inner.type_ids[..]);
        let type_id = store.inner.engine.host_type_id(&ty, ids);
        let cells = |types: &[ValType]| types.iter().map(|t| t.cells() as usize).sum();
        let (param_cells, result_cells) = (cells(ty.params()), cells(ty.results()));
        store.host_funcs.push(HostFunc { ty: ty.clone(), callback, param_cells, result_cells });
        let host = (store.host_funcs.len() - 1) as u32;
        if let Some(module) = types {
            store.inner.host_types.insert(host, module);
        }
        store.inner.funcs.push(FuncEntity::Host { host, ty: type_id, sig: ty });
        Func { store: store.inner.id, index: (store.inner.funcs.len() - 1) as u32 }
    }

    /// Creates a host function from a Rust closure whose parameter and result types give
    /// the signature: `Fn(Caller<T>, A1, A2, ...) -> R` where each `Ai` is a [`WasmTy`]
    /// and `R` is `()`, a `WasmTy`, a tuple of them, or a `Result` of those.
    ///
    /// ```
    /// use epsilon::{Caller, Engine, Func, Store};
    /// let engine = Engine::default();
    /// let mut store = Store::new(&engine, ());
    /// let add = Func::wrap(&mut store, |_: Caller<'_, ()>, a: i32, b: i32| a.wrapping_add(b));
    /// let sum = add.typed::<(i32, i32), i32>(&store)?.call(&mut store, (2, 3))?;
    /// assert_eq!(sum, 5);
    /// # Ok::<(), epsilon::Error>(())
    /// ```
    pub fn wrap<T: 'static, Params, Results>(
        store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, callback) = func.into_func();
        Func::new_host(store, ty, None, HostCallback::Cells(callback))
    }

    /// The function's signature.
    ///
    /// # Errors
    /// If `store` does not own this function (`ErrorKind::Usage`).
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType> {
        let store = store.as_context();
        store.inner.check(self.store)?;
        Ok(store.inner.funcs[self.index as usize].sig().clone())
    }

    /// The instance that defines this function, or `None` for a host function.
    ///
    /// # Errors
    /// If `store` does not own this function (`ErrorKind::Usage`).
    pub fn instance(&self, store: impl AsContext) -> Result<Option<crate::Instance>> {
        let store = store.as_context();
        store.inner.check(self.store)?;
        Ok(match store.inner.funcs[self.index as usize] {
            FuncEntity::Wasm { instance, .. } => Some(crate::Instance { store: self.store, index: instance }),
            FuncEntity::Host { .. } => None,
        })
    }

    /// Calls the function with dynamically typed arguments, writing its results into `results`.
    ///
    /// # Errors
    /// A trap, a host error, or a type/count mismatch of `args` or `results` (the message names
    /// the expected signature).
    pub fn call(&self, mut store: impl AsContextMut, args: &[Val], results: &mut [Val]) -> Result<()> {
        let store = store.as_context_mut();
        store.inner.check(self.store)?;
        let mut cells = std::mem::take(&mut store.inner.scratch);
        cells.clear();
        let outcome = self
            .encode_args(&store.inner, args, results.len(), &mut cells)
            .and_then(|()| invoke(store, self.index, &mut cells));
        if outcome.is_ok() {
            let ty = store.inner.funcs[self.index as usize].sig();
            cells_to_vals(&store.inner, &cells, ty.results(), results);
        }
        store.inner.scratch = cells;
        outcome
    }

    /// Calls a function whose parameters and results are all numbers (`i32`, `i64`, `f32`,
    /// `f64`, `v128`) with its arguments and results as cells, the executor's encoding, without
    /// `Val`s: the fast path of language bindings (the Python package's calls).
    ///
    /// A cell is a `u64`: an `i32` zero-extended, an `i64` as its bits, an `f32`'s bits
    /// zero-extended, an `f64`'s bits; a `v128` takes two cells, low half first. `args` holds
    /// the parameters' cells in order and `results` receives the results' cells.
    ///
    /// # Errors
    /// A trap or a host error; a type error if the signature has a reference type or the
    /// slices have the wrong number of cells.
    #[doc(hidden)]
    pub fn call_cells(&self, mut store: impl AsContextMut, args: &[u64], results: &mut [u64]) -> Result<()> {
        let store = store.as_context_mut();
        store.inner.check(self.store)?;
        let entity = &store.inner.funcs[self.index as usize];
        // The signature's layout is computed once, with the type: no walk over the types here.
        let layout = entity.sig().layout();
        if layout.refs
            || args.len() != layout.param_cells as usize
            || results.len() != layout.result_cells as usize
        {
            return Err(Error::type_error(format!(
                "function of type {} called with {} argument cells and room for {} result cells",
                entity.sig(),
                args.len(),
                results.len()
            )));
        }
        let FuncEntity::Wasm { instance, code, .. } = *entity else {
            return self.call_cells_buffered(store, args, results);
        };
        if args.len() > u64::BITS as usize {
            // More cells than the layout's mask of narrow ones covers.
            return self.call_cells_buffered(store, args, results);
        }
        // The common case: the arguments straight from `args` into the stack (narrow ones
        // zero-extended by the layout's mask), the results read where the run left them, no
        // buffer of the store.
        let narrow = layout.narrow;
        // Captured by value: the closure reads them without going through references.
        invoke_as_call(store, move |store| {
            let n = crate::exec::invoke_wasm(store, instance, code, args, narrow)?;
            crate::exec::copy_cells(results, &store.inner.stack.values[..n]);
            Ok(())
        })
    }

    /// `call_cells` of a host function or with over 64 argument cells: through the store's buffer
    /// (the signature is checked).
    #[cold]
    fn call_cells_buffered<T>(&self, store: &mut Store<T>, args: &[u64], results: &mut [u64]) -> Result<()> {
        let mut cells = std::mem::take(&mut store.inner.scratch);
        cells.clear();
        cells.extend(args.iter().copied());
        zero_extend_narrow_args(store.inner.funcs[self.index as usize].sig().params(), &mut cells);
        let outcome = invoke(store, self.index, &mut cells);
        if outcome.is_ok() {
            for (r, c) in results.iter_mut().zip(&cells) {
                *r = *c;
            }
        }
        store.inner.scratch = cells;
        outcome
    }

    /// Checks `args` (and the room for results) against the signature and encodes them.
    fn encode_args(
        &self,
        store: &StoreInner,
        args: &[Val],
        results: usize,
        cells: &mut Vec<u64>,
    ) -> Result<()> {
        let ty = store.funcs[self.index as usize].sig();
        if args.len() != ty.params().len() || results != ty.results().len() {
            return Err(Error::type_error(format!(
                "function of type {ty} called with {} arguments and room for {results} results",
                args.len()
            )));
        }
        cells.reserve(2 * args.len());
        for (i, (v, t)) in args.iter().zip(ty.params()).enumerate() {
            // Numbers take one cell and need no store; the rest goes the general way.
            let cell = match (v, t) {
                (Val::I32(x), ValType::I32) => u64::from(*x as u32),
                (Val::I64(x), ValType::I64) => *x as u64,
                (Val::F32(x), ValType::F32) => u64::from(x.to_bits()),
                (Val::F64(x), ValType::F64) => x.to_bits(),
                _ if !val_kind_matches(v, *t) => {
                    return Err(Error::type_error(format!(
                        "argument {i} of function of type {ty}: expected {t}, got {}",
                        v.ty()
                    )));
                }
                _ => {
                    let ids = store.func_type_ids(self.index);
                    let (lo, hi) = val_to_cells(store, v, *t, ids).map_err(|e| match e.kind() {
                        crate::ErrorKind::Type => Error::type_error(format!(
                            "argument {i} of function of type {ty}: {}",
                            e.message()
                        )),
                        _ => e,
                    })?;
                    if *t == ValType::V128 {
                        cells.push(lo);
                        hi
                    } else {
                        lo
                    }
                }
            };
            cells.push(cell);
        }
        Ok(())
    }

    /// A typed view of this function for fast calls without `Val` conversions.
    ///
    /// # Errors
    /// If `Params`/`Results` do not match the function's signature, or `store` does not own it.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let ty = self.ty(store)?;
        if ty.params() != Params::types().as_slice() || ty.results() != Results::types().as_slice() {
            return Err(Error::type_error(format!(
                "function of type {ty} viewed as ({}) -> ({})",
                join(&Params::types()),
                join(&Results::types())
            )));
        }
        Ok(TypedFunc { func: *self, _marker: PhantomData })
    }
}

fn join(tys: &[ValType]) -> String {
    tys.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

/// A function with a statically known signature; calls skip dynamic type checks.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc").field("func", &self.func).finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    /// Calls the function.
    ///
    /// # Errors
    /// A trap or a host error.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let store = store.as_context_mut();
        store.inner.check(self.func.store)?;
        let mut cells = std::mem::take(&mut store.inner.scratch);
        cells.clear();
        let outcome = params
            .to_cells(&store.inner, &mut cells)
            .and_then(|()| invoke(store, self.func.index, &mut cells))
            .map(|()| Results::from_cells(&store.inner, &cells));
        store.inner.scratch = cells;
        outcome
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}

/// Runs function `func` of the store as a call that `InterruptHandle::interrupt` can target
/// (see `interrupt.rs`); the executor does the rest.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: u32, cells: &mut Vec<u64>) -> Result<()> {
    invoke_as_call(store, |store| crate::exec::invoke(store, func, cells))
}

/// Clears the bits above the 32-bit arguments (`i32`, `f32`) among the argument cells of a
/// function with parameters `params`: the executor relies on such values being zero-extended
/// in their cells (it reads an `i64.extend_i32_u` operand as is), and a caller of
/// `call_cells` may have left anything there.
fn zero_extend_narrow_args(params: &[ValType], cells: &mut [u64]) {
    let mut at = 0;
    for t in params {
        if matches!(t, ValType::I32 | ValType::F32) {
            cells[at] &= u64::from(u32::MAX);
        }
        at += t.cells() as usize;
    }
}

/// Runs `call`, which runs wasm, as a call that `InterruptHandle::interrupt` can target.
fn invoke_as_call<T, R>(store: &mut Store<T>, call: impl FnOnce(&mut Store<T>) -> Result<R>) -> Result<R> {
    let begun = store.inner.interrupt.begin_call();
    let outcome = catch_unwind(AssertUnwindSafe(|| call(&mut *store)));
    store.inner.interrupt.end_call(begun);
    outcome.unwrap_or_else(|panic| resume_unwind(panic))
}

// ---------------------------------------------------------------------------------------------
// Static typing of host functions and typed calls.

/// A Rust type that corresponds to a WebAssembly value type.
pub trait WasmTy: Sized + Send + 'static {
    /// The WebAssembly type.
    const TY: ValType;
    #[doc(hidden)]
    fn to_cells(self, store: &StoreInner) -> Result<(u64, u64)>;
    #[doc(hidden)]
    fn from_cells(store: &StoreInner, lo: u64, hi: u64) -> Self;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, $to:expr, $from:expr) => {
        impl WasmTy for $t {
            const TY: ValType = ValType::$vt;
            fn to_cells(self, _: &StoreInner) -> Result<(u64, u64)> {
                let f: fn($t) -> u64 = $to;
                Ok((f(self), 0))
            }
            fn from_cells(_: &StoreInner, lo: u64, _: u64) -> Self {
                let f: fn(u64) -> $t = $from;
                f(lo)
            }
        }
    };
}

wasm_ty!(i32, I32, |v| u64::from(v as u32), |c| c as u32 as i32);
wasm_ty!(u32, I32, u64::from, |c| c as u32);
wasm_ty!(i64, I64, |v| v as u64, |c| c as i64);
wasm_ty!(u64, I64, |v| v, |c| c);
wasm_ty!(f32, F32, |v| u64::from(v.to_bits()), |c| f32::from_bits(c as u32));
wasm_ty!(f64, F64, |v| v.to_bits(), f64::from_bits);
wasm_ty!(F32, F32, |v| u64::from(v.to_bits()), |c| F32::from_bits(c as u32));
wasm_ty!(F64, F64, |v| v.to_bits(), F64::from_bits);

impl WasmTy for V128 {
    const TY: ValType = ValType::V128;
    fn to_cells(self, _: &StoreInner) -> Result<(u64, u64)> {
        Ok(self.to_cells())
    }
    fn from_cells(_: &StoreInner, lo: u64, hi: u64) -> Self {
        V128::from_cells(lo, hi)
    }
}

impl WasmTy for Option<Func> {
    const TY: ValType = ValType::FuncRef;
    fn to_cells(self, store: &StoreInner) -> Result<(u64, u64)> {
        Ok((u64::from(ref_to_cell(store, &Val::FuncRef(self), RefType::FuncRef, &[])?), 0))
    }
    fn from_cells(store: &StoreInner, lo: u64, _: u64) -> Self {
        cell_to_ref(store, lo as u32, RefType::FuncRef).funcref().flatten()
    }
}

impl WasmTy for Option<ExternRef> {
    const TY: ValType = ValType::ExternRef;
    fn to_cells(self, store: &StoreInner) -> Result<(u64, u64)> {
        Ok((u64::from(ref_to_cell(store, &Val::ExternRef(self), RefType::ExternRef, &[])?), 0))
    }
    fn from_cells(store: &StoreInner, lo: u64, _: u64) -> Self {
        cell_to_ref(store, lo as u32, RefType::ExternRef).externref().flatten()
    }
}

/// A list of parameters: `()`, a single [`WasmTy`], or a tuple of them.
pub trait WasmParams: Sized + Send + 'static {
    #[doc(hidden)]
    fn types() -> Vec<ValType>;
    #[doc(hidden)]
    fn to_cells(self, store: &StoreInner, out: &mut Vec<u64>) -> Result<()>;
}

/// A list of results: `()`, a single [`WasmTy`], or a tuple of them.
pub trait WasmResults: Sized + Send + 'static {
    #[doc(hidden)]
    fn types() -> Vec<ValType>;
    #[doc(hidden)]
    fn from_cells(store: &StoreInner, cells: &[u64]) -> Self;
    #[doc(hidden)]
    fn write_cells(self, store: &StoreInner, out: &mut [u64]) -> Result<()>;
}

fn push_cells<A: WasmTy>(a: A, store: &StoreInner, out: &mut Vec<u64>) -> Result<()> {
    let (lo, hi) = a.to_cells(store)?;
    out.push(lo);
    if A::TY == ValType::V128 {
        out.push(hi);
    }
    Ok(())
}

/// Writes `a` at `out[*at..]` (two cells for `v128`) and advances `at`.
fn write_cell<A: WasmTy>(a: A, store: &StoreInner, out: &mut [u64], at: &mut usize) -> Result<()> {
    let (lo, hi) = a.to_cells(store)?;
    if let Some(cell) = out.get_mut(*at) {
        *cell = lo;
    }
    if A::TY == ValType::V128
        && let Some(cell) = out.get_mut(*at + 1)
    {
        *cell = hi;
    }
    *at += A::TY.cells() as usize;
    Ok(())
}

fn read_cells<A: WasmTy>(store: &StoreInner, cells: &[u64], at: &mut usize) -> A {
    let lo = cells.get(*at).copied().unwrap_or(0);
    let hi = if A::TY == ValType::V128 { cells.get(*at + 1).copied().unwrap_or(0) } else { 0 };
    *at += A::TY.cells() as usize;
    A::from_cells(store, lo, hi)
}

impl<A: WasmTy> WasmParams for A {
    fn types() -> Vec<ValType> {
        vec![A::TY]
    }
    fn to_cells(self, store: &StoreInner, out: &mut Vec<u64>) -> Result<()> {
        push_cells(self, store, out)
    }
}

impl<A: WasmTy> WasmResults for A {
    fn types() -> Vec<ValType> {
        vec![A::TY]
    }
    fn from_cells(store: &StoreInner, cells: &[u64]) -> Self {
        read_cells(store, cells, &mut 0)
    }
    fn write_cells(self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
        write_cell(self, store, out, &mut 0)
    }
}

macro_rules! tuple_impls {
    ($( ($($n:ident),*) )*) => {$(
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::unused_unit)]
        impl<$($n: WasmTy),*> WasmParams for ($($n,)*) {
            fn types() -> Vec<ValType> {
                vec![$($n::TY),*]
            }
            fn to_cells(self, store: &StoreInner, out: &mut Vec<u64>) -> Result<()> {
                let ($($n,)*) = self;
                $( push_cells($n, store, out)?; )*
                Ok(())
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut, clippy::unused_unit)]
        impl<$($n: WasmTy),*> WasmResults for ($($n,)*) {
            fn types() -> Vec<ValType> {
                vec![$($n::TY),*]
            }
            fn from_cells(store: &StoreInner, cells: &[u64]) -> Self {
                let mut at = 0;
                ($( read_cells::<$n>(store, cells, &mut at), )*)
            }
            fn write_cells(self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
                let ($($n,)*) = self;
                let mut at = 0;
                $( write_cell($n, store, out, &mut at)?; )*
                Ok(())
            }
        }
    )*};
}

tuple_impls! {
    ()
    (A1)
    (A1, A2)
    (A1, A2, A3)
    (A1, A2, A3, A4)
    (A1, A2, A3, A4, A5)
    (A1, A2, A3, A4, A5, A6)
    (A1, A2, A3, A4, A5, A6, A7)
    (A1, A2, A3, A4, A5, A6, A7, A8)
}

/// What a host closure may return: results directly, or a `Result` of them.
pub trait HostReturn: Send + 'static {
    /// The results.
    type Results: WasmResults;
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmResults> HostReturn for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmResults> HostReturn for Result<R> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self
    }
}

/// A Rust closure usable as a host function; see [`Func::wrap`].
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    #[allow(private_interfaces)]
    fn into_func(self) -> (FuncType, Arc<CellsCallback<T>>);
}

macro_rules! into_func_impls {
    ($( ($($n:ident),*) )*) => {$(
        #[allow(non_snake_case)]
        impl<T, F, R, $($n: WasmTy),*> IntoFunc<T, ($($n,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($n),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            #[allow(private_interfaces, unused_mut, unused_variables)]
            fn into_func(self) -> (FuncType, Arc<CellsCallback<T>>) {
                let ty = FuncType::new(<($($n,)*) as WasmParams>::types(), R::Results::types());
                let callback = move |store: &mut Store<T>, instance: Option<u32>, cells: &mut [u64]| {
                    let mut at = 0;
                    let ($($n,)*) = ($( read_cells::<$n>(&store.inner, cells, &mut at), )*);
                    let r = (self)(Caller { store: &mut *store, instance }, $($n),*).into_result()?;
                    r.write_cells(&store.inner, cells)
                };
                (ty, Arc::new(callback))
            }
        }
    )*};
}

into_func_impls! {
    ()
    (A1)
    (A1, A2)
    (A1, A2, A3)
    (A1, A2, A3, A4)
    (A1, A2, A3, A4, A5)
    (A1, A2, A3, A4, A5, A6)
    (A1, A2, A3, A4, A5, A6, A7)
    (A1, A2, A3, A4, A5, A6, A7, A8)
}
