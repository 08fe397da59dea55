//! `Function`: a callable wasm or host function, and the conversion of values that may be
//! references (a `funcref` is a `Function`, an `externref` any Python object).

use crate::args::CallOpts;
use crate::errors::{self, Class, OrPyErr, guard};
use crate::shared::{PyStore, Shared};
use crate::types;
use crate::values::{self, ConvError};
use epsilon::{Func, FuncType, HeapType, Val, ValType};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PySequence, PyTuple};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

mod vectorcall;
pub(crate) use vectorcall::new_function;

/// A vectorcall function (PEP 590), as CPython calls it: see `vectorcall`.
pub(crate) type VectorcallFunc = unsafe extern "C" fn(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// Calls with at most this many parameters (or results) convert without allocating.
const INLINE_VALUES: usize = 4;

/// The fast path of calls (`Function::invoke_cells`) takes functions of numbers only with at
/// most this many parameter cells and result cells (a `v128` takes two).
const FAST_PARAM_CELLS: usize = 8;
const FAST_RESULT_CELLS: usize = 4;

/// The positional arguments of a call: the tuple of pyo3's `*args`, or the argument array
/// CPython passes to a vectorcall (`METH_FASTCALL`) method, which needs no tuple.
#[derive(Clone, Copy)]
pub(crate) enum CallArgs<'a, 'py> {
    Tuple(&'a Bound<'py, PyTuple>),
    Array(ArgArray<'a, 'py>),
}

/// Borrowed arguments of a vectorcall (see `ArgArray::new`).
#[derive(Clone, Copy)]
pub(crate) struct ArgArray<'a, 'py> {
    items: &'a [*mut ffi::PyObject],
    py: Python<'py>,
}

impl<'a, 'py> ArgArray<'a, 'py> {
    /// # Safety
    /// Every pointer of `items` is a live object to which the caller holds a reference for
    /// `'a` (CPython guarantees it for the arguments of a call while the call runs).
    unsafe fn new(py: Python<'py>, items: &'a [*mut ffi::PyObject]) -> Self {
        ArgArray { items, py }
    }

    /// Argument `i` (in range).
    pub(crate) fn get(&self, i: usize) -> Borrowed<'a, 'py, PyAny> {
        // SAFETY: a live object, kept alive for `'a` (the contract of `new`).
        unsafe { Borrowed::from_ptr(self.py, self.items[i]) }
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The arguments from `start` on.
    pub(crate) fn tail(&self, start: usize) -> Self {
        ArgArray { items: &self.items[start..], py: self.py }
    }
}

/// The arguments of a call CPython makes with an array (`METH_FASTCALL`, vectorcall): the
/// positional ones, then one value per keyword name.
#[derive(Clone, Copy)]
pub(crate) struct FastArgs<'a, 'py> {
    pub(crate) positional: ArgArray<'a, 'py>,
    /// The keyword names (a tuple) and their values; `None` for a call without keywords.
    pub(crate) keywords: Option<(Borrowed<'a, 'py, PyAny>, ArgArray<'a, 'py>)>,
}

impl<'a, 'py> FastArgs<'a, 'py> {
    /// # Safety
    /// As CPython passes them: `args` holds `nargs` positional arguments followed by one value
    /// per name of `kwnames` (a tuple, or null), all alive for `'a`.
    #[inline(always)]
    pub(crate) unsafe fn new(
        py: Python<'py>,
        args: *const *mut ffi::PyObject,
        nargs: usize,
        kwnames: *mut ffi::PyObject,
    ) -> PyResult<Self> {
        // SAFETY: a tuple or null, alive for the call (the contract).
        let names = unsafe { Borrowed::from_ptr_or_opt(py, kwnames) };
        let nkw = match &names {
            Some(names) => names.len()?,
            None => 0,
        };
        let all: &[*mut ffi::PyObject] = if nargs + nkw == 0 {
            &[]
        } else {
            // SAFETY: `nargs` positional and `nkw` keyword values (the contract).
            unsafe { std::slice::from_raw_parts(args, nargs + nkw) }
        };
        // SAFETY: every pointer of `all` is an argument, alive for `'a` (the contract).
        let all = unsafe { ArgArray::new(py, all) };
        let positional = ArgArray { items: &all.items[..nargs], py };
        Ok(FastArgs { positional, keywords: names.filter(|_| nkw > 0).map(|n| (n, all.tail(nargs))) })
    }

    /// The arguments as a tuple (after `first`, if given) and a dictionary of the keywords, for
    /// a method that takes them that way.
    pub(crate) fn to_tuple_and_dict(
        self,
        first: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyTuple>, Option<Bound<'py, pyo3::types::PyDict>>)> {
        let py = self.positional.py;
        let mut items = Vec::with_capacity(self.positional.len() + 1);
        items.extend(first.cloned());
        items.extend((0..self.positional.len()).map(|i| self.positional.get(i).to_owned()));
        let tuple = PyTuple::new(py, items)?;
        let dict = match &self.keywords {
            None => None,
            Some((names, values)) => {
                let dict = pyo3::types::PyDict::new(py);
                for i in 0..values.len() {
                    dict.set_item(names.get_item(i)?, values.get(i))?;
                }
                Some(dict)
            }
        };
        Ok((tuple, dict))
    }
}

impl<'a, 'py> CallArgs<'a, 'py> {
    fn len(&self) -> usize {
        match self {
            CallArgs::Tuple(t) => t.len(),
            CallArgs::Array(a) => a.len(),
        }
    }

    /// Argument `i` (in range).
    fn get(&self, i: usize) -> PyResult<Borrowed<'a, 'py, PyAny>> {
        match self {
            CallArgs::Tuple(t) => t.get_borrowed_item(i),
            CallArgs::Array(a) => Ok(a.get(i)),
        }
    }
}

/// How a call returns its results.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// A list (`Module.call`, the `call_raw` methods, `call_typed`: the seed's convention).
    List,
    /// Like a Python function: `None`, the value, or a tuple of the values (`Function.__call__`).
    Natural,
}

/// A wasm function (exported, or received as a ``funcref``) or a host function.
///
/// Call it like a Python function: it returns ``None``, the result, or a tuple of the results
/// (``Module.call`` returns the list of results).
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct Function {
    /// How CPython calls the object (`vectorcall::function_vectorcall`); its offset in the
    /// object is the type's `tp_vectorcall_offset` (see `vectorcall`).
    vectorcall: VectorcallFunc,
    pub(crate) shared: Arc<Shared>,
    pub(crate) func: Func,
    ty: FuncType,
    name: Option<String>,
    /// `name(params) -> (results)`, for error messages.
    sig: String,
    pub(crate) module_closed: Option<Arc<AtomicBool>>,
    /// Whether calls take the fast path: every parameter and result a number, few of them.
    fast: bool,
    /// The cells of the results (for the fast path: see `Function::invoke_cells`).
    result_cells: usize,
    /// The kinds of the parameters, for the fast path (`Other` past them).
    param_kinds: [values::NumKind; FAST_PARAM_CELLS],
    /// The kind of the only result (`Other` unless there is exactly one).
    result_kind: values::NumKind,
}

/// The executor's cells of values of types `types` (a `v128` takes two, the others one).
fn cells(types: &[ValType]) -> usize {
    types.iter().map(|t| if *t == ValType::V128 { 2 } else { 1 }).sum()
}

/// Whether calls of a function of type `ty` can take the fast path (see `FAST_PARAM_CELLS`).
fn fast_signature(ty: &FuncType) -> bool {
    !ty.params().iter().chain(ty.results()).any(|t| t.is_ref())
        && cells(ty.params()) <= FAST_PARAM_CELLS
        && cells(ty.results()) <= FAST_RESULT_CELLS
}

/// The results of a call as Python returns them (`shape`): `None`, the one value or a tuple
/// (`Shape::Natural`), or always a list (`Shape::List`); `convert` turns each of `items` (the
/// result values, or their types when the values are read from cells) into a Python object.
fn shape_results<'py, T>(
    py: Python<'py>,
    shape: Shape,
    items: &[T],
    mut convert: impl FnMut(&T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match (shape, items) {
        (Shape::Natural, []) => Ok(py.None().into_bound(py)),
        (Shape::Natural, [item]) => convert(item),
        (Shape::Natural, _) => {
            let values = items.iter().map(convert).collect::<PyResult<Vec<_>>>()?;
            Ok(PyTuple::new(py, values)?.into_any())
        }
        (Shape::List, _) => {
            // SAFETY: `PyList_New` returns a new list (or null with an exception set).
            let list =
                unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyList_New(items.len() as ffi::Py_ssize_t))? };
            for (i, item) in items.iter().enumerate() {
                let value = convert(item)?;
                // SAFETY: `list` is a fresh list of `items.len()` slots and `i` is in range;
                // `PyList_SetItem` steals the new reference `into_ptr` gives it. If a later
                // conversion fails, the list is freed with some slots still null, which
                // CPython's list deallocation allows.
                unsafe { ffi::PyList_SetItem(list.as_ptr(), i as ffi::Py_ssize_t, value.into_ptr()) };
            }
            Ok(list)
        }
    }
}

impl Function {
    pub(crate) fn new(shared: Arc<Shared>, func: Func, ty: FuncType, name: Option<String>) -> Self {
        let sig = values::signature(name.as_deref().unwrap_or("function"), &ty);
        let fast = fast_signature(&ty);
        let result_cells = cells(ty.results());
        let mut param_kinds = [values::NumKind::Other; FAST_PARAM_CELLS];
        for (kind, ty) in param_kinds.iter_mut().zip(ty.params()) {
            *kind = values::NumKind::of(*ty);
        }
        let result_kind = match ty.results() {
            [ty] => values::NumKind::of(*ty),
            _ => values::NumKind::Other,
        };
        Function {
            vectorcall: vectorcall::function_vectorcall,
            shared,
            func,
            ty,
            name,
            sig,
            module_closed: None,
            fast,
            result_cells,
            param_kinds,
            result_kind,
        }
    }

    /// A function received as a reference (from a table, a global or a call): closed with the
    /// module that defines it.
    pub(crate) fn from_ref(
        shared: Arc<Shared>,
        store: &crate::shared::PyStore,
        func: Func,
    ) -> epsilon::Result<Self> {
        let ty = func.ty(store)?;
        let module_closed = func.instance(store)?.and_then(|i| store.data().closed_flags.get(&i).cloned());
        Ok(Function { module_closed, ..Function::new(shared, func, ty, None) })
    }

    #[inline]
    pub(crate) fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        if self.module_closed.as_ref().is_some_and(|c| c.load(Ordering::Acquire)) {
            return Err(errors::closed(py, "Module"));
        }
        if self.shared.is_closed() {
            return Err(errors::closed(py, "Runtime"));
        }
        Ok(())
    }

    fn arity_error(&self, py: Python<'_>, got: usize) -> PyErr {
        let n = self.ty.params().len();
        let s = if n == 1 { "" } else { "s" };
        errors::new_err(py, Class::Type, format!("{}: expected {n} argument{s}, got {got}", self.sig))
    }

    /// Converts `args` (Python values, or raw bits if `raw`), runs the function and returns its
    /// results in the given shape.
    pub(crate) fn invoke<'py>(
        &self,
        py: Python<'py>,
        args: CallArgs<'_, 'py>,
        opts: CallOpts,
        raw: bool,
        shape: Shape,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = self.ty.params();
        if args.len() != params.len() {
            return Err(self.arity_error(py, args.len()));
        }
        if self.fast && !raw {
            return self.invoke_cells(py, args, opts, shape);
        }
        let shared = &self.shared;
        shared.with_store(py, |store| {
            // Small calls keep their values on the stack.
            let mut arg_buf = [Val::I32(0); INLINE_VALUES];
            let mut arg_vec = Vec::new();
            let vals: &mut [Val] = if params.len() <= INLINE_VALUES {
                &mut arg_buf[..params.len()]
            } else {
                arg_vec.resize(params.len(), Val::I32(0));
                &mut arg_vec
            };
            for (i, (ty, slot)) in params.iter().zip(vals.iter_mut()).enumerate() {
                let arg = args.get(i)?;
                if !raw && let Some(v) = values::fast_number(&arg, *ty) {
                    *slot = v;
                    continue;
                }
                let v = if raw { values::raw_to_val(&arg, *ty) } else { to_val(shared, store, &arg, *ty) };
                *slot = v.map_err(|e| e.into_pyerr(py, &format!("{}: argument {}", self.sig, i + 1)))?;
            }
            let result_types = self.ty.results();
            let mut result_buf = [Val::I32(0); INLINE_VALUES];
            let mut result_vec = Vec::new();
            let results: &mut [Val] = if result_types.len() <= INLINE_VALUES {
                &mut result_buf[..result_types.len()]
            } else {
                result_vec.resize(result_types.len(), Val::I32(0));
                &mut result_vec
            };
            for (slot, ty) in results.iter_mut().zip(result_types) {
                *slot = Val::default_for(*ty);
            }
            let func = self.func;
            let vals = &*vals;
            shared.run(py, store, opts, |store| func.call(store, vals, &mut *results))?;
            let convert = |v: &Val| if raw { values::val_to_raw(py, v) } else { to_py(py, shared, store, v) };
            shape_results(py, shape, results, convert)
        })
    }

    /// The fast path of `invoke` for a function of numbers (`self.fast`) called with Python
    /// values (`args` has the right length): converts them straight to the executor's cells
    /// on the stack and calls through `Func::call_cells`, without `Val`s or allocation.
    fn invoke_cells<'py>(
        &self,
        py: Python<'py>,
        args: CallArgs<'_, 'py>,
        opts: CallOpts,
        shape: Shape,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut arg_cells = [0u64; FAST_PARAM_CELLS];
        let mut n = 0;
        let params = self.ty.params();
        // A fast signature has at most `FAST_PARAM_CELLS` parameters.
        for (i, kind) in self.param_kinds[..params.len()].iter().enumerate() {
            let arg = args.get(i)?;
            if let Some(cell) = values::fast_cell(&arg, *kind) {
                arg_cells[n] = cell;
                n += 1;
                continue;
            }
            let val = values::number_to_val(&arg, params[i])
                .map_err(|e| e.into_pyerr(py, &format!("{}: argument {}", self.sig, i + 1)))?;
            n += values::val_to_cells(&val, &mut arg_cells[n..]);
        }
        let mut result_cells = [0u64; FAST_RESULT_CELLS];
        // The closures capture the two slices, not `n`: a count whose address escapes would
        // live in memory through the loop above (and each capture is a store per call).
        let (args_in, results_out) = (&arg_cells[..n], &mut result_cells[..self.result_cells]);
        self.shared.with_store(py, |store| {
            self.shared.run(py, store, opts, |store| self.func.call_cells(store, args_in, results_out))
        })?;
        let result_types = self.ty.results();
        if let (Shape::Natural, [ty]) = (shape, result_types) {
            // The most common shape: one result, returned as is.
            return values::kind_cells_to_py(py, self.result_kind, *ty, &result_cells);
        }
        let mut at = 0;
        let next = |ty: &ValType| {
            let value = values::cells_to_py(py, *ty, &result_cells[at..]);
            at += if *ty == ValType::V128 { 2 } else { 1 };
            value
        };
        shape_results(py, shape, result_types, next)
    }

    /// `call_typed`: checks the declared types, then calls.
    pub(crate) fn invoke_typed<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyAny>,
        opts: CallOpts,
    ) -> PyResult<Bound<'py, PyAny>> {
        let seq = args.cast::<PySequence>().map_err(|_| {
            errors::new_err(
                py,
                Class::Type,
                format!("{}: call_typed expects a list of (value, type) pairs", self.sig),
            )
        })?;
        let params = self.ty.params();
        let n = seq.len()?;
        if n != params.len() {
            return Err(self.arity_error(py, n));
        }
        let mut values = Vec::with_capacity(n);
        for (i, want) in params.iter().enumerate() {
            let item = seq.get_item(i)?;
            let pair =
                item.cast::<PySequence>().ok().filter(|p| p.len().ok() == Some(2)).ok_or_else(|| {
                    errors::new_err(
                        py,
                        Class::Type,
                        format!("{}: argument {} must be a (value, type) pair", self.sig, i + 1),
                    )
                })?;
            let declared = pair.get_item(1)?;
            let declared: String = declared.extract().map_err(|_| {
                errors::new_err(
                    py,
                    Class::Type,
                    format!("{}: argument {}: the type must be a str", self.sig, i + 1),
                )
            })?;
            let declared_ty = values::parse_type(py, &declared)?;
            if declared_ty != *want {
                return errors::fail(
                    py,
                    Class::Type,
                    format!(
                        "{}: argument {} is declared {} but the function expects {}",
                        self.sig,
                        i + 1,
                        values::quote(&declared),
                        values::type_name(*want)
                    ),
                );
            }
            values.push(pair.get_item(0)?);
        }
        let tuple = PyTuple::new(py, values)?;
        self.invoke(py, CallArgs::Tuple(&tuple), opts, false, Shape::List)
    }
}

#[pymethods]
impl Function {
    /// Calls the function with the arguments converted by its signature, like a Python
    /// function: returns ``None`` (no results), the result, or a tuple of the results.
    /// ``timeout_ms`` and ``fuel`` apply to this call (see ``Module.call``).
    #[pyo3(signature = (*args, timeout_ms=None, fuel=None))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let opts = CallOpts::parse(timeout_ms, fuel)?;
            self.invoke(py, CallArgs::Tuple(args), opts, false, Shape::Natural)
        })
    }

    /// Calls with raw bit patterns (ints) in and out; see ``Module.call_raw``.
    #[pyo3(signature = (*bits, timeout_ms=None, fuel=None))]
    fn call_raw<'py>(
        &self,
        py: Python<'py>,
        bits: &Bound<'py, PyTuple>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let opts = CallOpts::parse(timeout_ms, fuel)?;
            self.invoke(py, CallArgs::Tuple(bits), opts, true, Shape::List)
        })
    }

    /// The function's signature.
    #[getter]
    fn r#type(&self) -> types::FuncType {
        types::FuncType { ty: self.ty.clone() }
    }

    /// The export name, or ``None`` for a function received as a reference.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn __repr__(&self) -> String {
        format!("<epsilon.Function {}>", self.sig)
    }
}

/// Converts a Python value to a wasm value of type `ty` (references included).
pub(crate) fn to_val(
    shared: &Shared,
    store: &mut PyStore,
    obj: &Bound<'_, PyAny>,
    ty: ValType,
) -> Result<Val, ConvError> {
    Ok(match ty {
        // Typed references convert as their family does; the runtime checks nullability and
        // concrete types.
        ValType::Ref(r) if r.heap == HeapType::Extern => {
            Val::ExternRef(if obj.is_none() { None } else { Some(externref(store, obj)) })
        }
        ValType::Ref(r) if r.heap == HeapType::Exn => {
            if obj.is_none() {
                Val::ExnRef(None)
            } else if let Ok(r) = obj.cast::<crate::exceptions::ExnRef>() {
                if r.get().shared != shared.id {
                    return Err(ConvError::Type("the exnref belongs to another Runtime".into()));
                }
                Val::ExnRef(Some(r.get().exn))
            } else {
                return Err(ConvError::Type(format!(
                    "expected an epsilon ExnRef or None for {r}, got {}",
                    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
                )));
            }
        }
        ValType::Ref(r) => {
            if obj.is_none() {
                Val::FuncRef(None)
            } else if let Ok(f) = obj.cast::<Function>() {
                let f = f.get();
                if f.shared.id != shared.id {
                    return Err(ConvError::Type("the function belongs to another Runtime".into()));
                }
                Val::FuncRef(Some(f.func))
            } else {
                return Err(ConvError::Type(format!(
                    "expected an epsilon Function or None for {r}, got {}",
                    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
                )));
            }
        }
        _ => values::number_to_val(obj, ty)?,
    })
}

/// The `externref` for a Python object (the same reference for the same object).
fn externref(store: &mut PyStore, obj: &Bound<'_, PyAny>) -> epsilon::ExternRef {
    let key = obj.as_ptr() as usize;
    if let Some(r) = store.data().externs.get(&key) {
        return *r;
    }
    let r = epsilon::ExternRef::new(&mut *store, obj.clone().unbind());
    store.data_mut().externs.insert(key, r);
    r
}

/// Converts a wasm value to Python: numbers as `values::number_to_py` does, references as
/// the Python object / `Function` (or `None`).
pub(crate) fn to_py<'py>(
    py: Python<'py>,
    shared: &Arc<Shared>,
    store: &PyStore,
    v: &Val,
) -> PyResult<Bound<'py, PyAny>> {
    if let Some(number) = values::number_to_py(py, v) {
        return number;
    }
    Ok(match *v {
        Val::FuncRef(Some(f)) => {
            new_function(py, Function::from_ref(shared.clone(), store, f).py(py)?)?.into_any()
        }
        Val::ExternRef(Some(r)) => match r.data(store).py(py)?.downcast_ref::<Py<PyAny>>() {
            Some(obj) => obj.bind(py).clone(),
            None => py.None().into_bound(py),
        },
        Val::ExnRef(Some(exn)) => {
            Bound::new(py, crate::exceptions::ExnRef { shared: shared.id, exn })?.into_any()
        }
        _ => py.None().into_bound(py),
    })
}
