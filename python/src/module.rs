//! `Module` (an instantiated module) and `Function` (a callable wasm or host function).

use crate::buffer;
use crate::errors::{self, Class, OrPyErr, guard};
use crate::externs::{self, Global, Owner, Table};
use crate::shared::{CallOpts, Shared};
use crate::types::{self, ImportType};
use crate::values;
use epsilon::{Extern, Func, FuncType, Val};
use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PySequence, PyString, PyTuple};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Calls with at most this many parameters (or results) convert without allocating.
const INLINE_VALUES: usize = 4;

/// Parses `timeout_ms=` (milliseconds, > 0).
pub(crate) fn timeout_arg(timeout_ms: Option<f64>) -> PyResult<Option<Duration>> {
    match timeout_ms {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms > 0.0 => {
            Ok(Some(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX)))
        }
        Some(ms) => Err(PyValueError::new_err(format!("timeout_ms must be a positive number, got {ms}"))),
    }
}

/// Parses `fuel=` (0 to 2**64-1).
pub(crate) fn fuel_arg(fuel: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(fuel) = fuel else { return Ok(None) };
    if fuel.is_none() {
        return Ok(None);
    }
    let v: i128 = fuel.extract()?;
    u64::try_from(v)
        .map(Some)
        .map_err(|_| PyValueError::new_err(format!("fuel must be between 0 and 2**64-1, got {v}")))
}

/// How a call returns its results.
#[derive(Debug, Clone, Copy)]
enum Shape {
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
    pub(crate) shared: Arc<Shared>,
    pub(crate) func: Func,
    ty: FuncType,
    name: Option<String>,
    /// `name(params) -> (results)`, for error messages.
    sig: String,
    module_closed: Option<Arc<AtomicBool>>,
}

impl Function {
    pub(crate) fn new(shared: Arc<Shared>, func: Func, ty: FuncType, name: Option<String>) -> Self {
        let sig = values::signature(name.as_deref().unwrap_or("function"), &ty);
        Function { shared, func, ty, name, sig, module_closed: None }
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

    fn check_open(&self, py: Python<'_>) -> PyResult<()> {
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
    fn invoke<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        opts: CallOpts,
        raw: bool,
        shape: Shape,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = self.ty.params();
        if args.len() != params.len() {
            return Err(self.arity_error(py, args.len()));
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
                let arg = args.get_borrowed_item(i)?;
                let v = if raw {
                    values::raw_to_val(&arg, *ty)
                } else {
                    values::to_val(shared, store, &arg, *ty)
                };
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
            let convert =
                |v: &Val| if raw { values::val_to_raw(py, v) } else { values::to_py(py, shared, store, v) };
            match (shape, &*results) {
                (Shape::Natural, []) => Ok(py.None().into_bound(py)),
                (Shape::Natural, [v]) => convert(v),
                (Shape::Natural, _) => {
                    let items = results.iter().map(convert).collect::<PyResult<Vec<_>>>()?;
                    Ok(PyTuple::new(py, items)?.into_any())
                }
                (Shape::List, _) => {
                    // SAFETY: `PyList_New` returns a new list (or null with an exception set).
                    let list = unsafe {
                        Bound::from_owned_ptr_or_err(py, ffi::PyList_New(results.len() as ffi::Py_ssize_t))?
                    };
                    for (i, v) in results.iter().enumerate() {
                        let item = convert(v)?;
                        // SAFETY: `list` is a fresh list of `results.len()` slots and `i` is in
                        // range; `PyList_SetItem` steals the new reference `into_ptr` gives it.
                        // If a later conversion fails, the list is freed with some slots still
                        // null, which CPython's list deallocation allows.
                        unsafe { ffi::PyList_SetItem(list.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr()) };
                    }
                    Ok(list)
                }
            }
        })
    }

    /// `call_typed`: checks the declared types, then calls.
    fn invoke_typed<'py>(
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
        self.invoke(py, &tuple, opts, false, Shape::List)
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
            let opts = CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? };
            self.invoke(py, args, opts, false, Shape::Natural)
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
            let opts = CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? };
            self.invoke(py, bits, opts, true, Shape::List)
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

/// An instantiated WebAssembly module: call its functions, access its memory, globals and
/// tables. Create it with ``Runtime.instantiate`` or ``Runtime.instantiate_file``.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct Module {
    pub(crate) shared: Arc<Shared>,
    pub(crate) instance: epsilon::Instance,
    module: epsilon::Module,
    closed: Arc<AtomicBool>,
    exports: Vec<(String, Extern)>,
    export_index: HashMap<String, usize>,
    /// Export name -> `Function`, for the fast lookup of `call`.
    funcs: Py<PyDict>,
    /// Set when the module was instantiated with WASI (`run_wasi` needs it).
    pub(crate) wasi: Option<crate::wasi::WasiLink>,
}

impl Module {
    pub(crate) fn new(
        py: Python<'_>,
        shared: Arc<Shared>,
        instance: epsilon::Instance,
        module: epsilon::Module,
        exports: Vec<(String, Extern, epsilon::ExternType)>,
    ) -> PyResult<Self> {
        let closed = Arc::new(AtomicBool::new(false));
        let funcs = PyDict::new(py);
        let mut export_index = HashMap::new();
        let mut list = Vec::with_capacity(exports.len());
        for (i, (name, ext, ty)) in exports.into_iter().enumerate() {
            if let (Extern::Func(f), epsilon::ExternType::Func(fty)) = (ext, ty) {
                let mut function = Function::new(shared.clone(), f, fty, Some(name.clone()));
                function.module_closed = Some(closed.clone());
                funcs.set_item(&name, Bound::new(py, function)?)?;
            }
            export_index.insert(name.clone(), i);
            list.push((name, ext));
        }
        Ok(Module {
            shared,
            instance,
            module,
            closed,
            exports: list,
            export_index,
            funcs: funcs.unbind(),
            wasi: None,
        })
    }

    /// The flag `close()` sets, shared with this module's functions.
    pub(crate) fn closed_flag(&self) -> Arc<AtomicBool> {
        self.closed.clone()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire) || self.shared.is_closed()
    }

    fn owner(&self) -> Owner {
        Owner { shared: self.shared.clone(), module_closed: Some(self.closed.clone()) }
    }

    fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(errors::closed(py, "Module"));
        }
        if self.shared.is_closed() {
            return Err(errors::closed(py, "Runtime"));
        }
        Ok(())
    }

    fn export(&self, py: Python<'_>, name: &str) -> PyResult<Extern> {
        match self.export_index.get(name) {
            Some(&i) => Ok(self.exports[i].1),
            None => errors::fail(
                py,
                Class::ExportNotFound,
                format!("the module has no export named {}", values::quote(name)),
            ),
        }
    }

    /// The export `name` (`ExportNotFoundError` if there is none).
    pub(crate) fn instance_export(&self, py: Python<'_>, name: &str) -> PyResult<Extern> {
        self.export(py, name)
    }

    /// What `run_wasi` needs; an error if the module was instantiated without WASI.
    pub(crate) fn wasi_link(&self, py: Python<'_>) -> PyResult<crate::wasi::WasiLink> {
        self.wasi.clone().ok_or_else(|| {
            errors::new_err(
                py,
                Class::Base,
                "the module was instantiated without WASI: pass wasi=epsilon.WasiConfig(...) to \
                 instantiate() or Runtime()",
            )
        })
    }

    fn kind_error(py: Python<'_>, name: &str, ext: &Extern, want: &str) -> PyErr {
        let kind = match ext {
            Extern::Func(_) => "a function",
            Extern::Memory(_) => "a memory",
            Extern::Table(_) => "a table",
            Extern::Global(_) => "a global",
        };
        errors::new_err(py, Class::Type, format!("export {} is {kind}, not {want}", values::quote(name)))
    }

    fn function<'py>(&self, py: Python<'py>, name: &Bound<'py, PyString>) -> PyResult<Bound<'py, Function>> {
        if let Some(f) = self.funcs.bind(py).get_item(name)? {
            return Ok(f.cast_into::<Function>()?);
        }
        let name = name.to_string();
        let ext = self.export(py, &name)?;
        Err(Self::kind_error(py, &name, &ext, "a function"))
    }

    fn memory(&self, py: Python<'_>, name: &str) -> PyResult<epsilon::Memory> {
        match self.export(py, name)? {
            Extern::Memory(m) => Ok(m),
            other => Err(Self::kind_error(py, name, &other, "a memory")),
        }
    }

    fn global(&self, py: Python<'_>, name: &str) -> PyResult<epsilon::Global> {
        match self.export(py, name)? {
            Extern::Global(g) => Ok(g),
            other => Err(Self::kind_error(py, name, &other, "a global")),
        }
    }
}

#[pymethods]
impl Module {
    /// Calls the exported function ``func_name`` with ``args`` converted by its signature.
    ///
    /// i32/i64 take ints (signed or unsigned spelling; out of range raises OverflowError),
    /// f32/f64 take floats or ints, v128 takes an int or 16 bytes, externref any object or
    /// None, funcref a ``Function`` or None. Returns the list of results (i32/i64 as signed
    /// ints, floats, v128 as an unsigned int).
    ///
    /// ``timeout_ms`` (default: the runtime's) stops the call with ``EpsilonTimeoutError``;
    /// ``fuel`` limits this call to that much fuel (runtime created with ``fuel=``).
    #[pyo3(signature = (func_name, *args, timeout_ms=None, fuel=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        func_name: &Bound<'py, PyString>,
        args: &Bound<'py, PyTuple>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let opts = CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? };
            let f = self.function(py, func_name)?;
            f.get().invoke(py, args, opts, false, Shape::List)
        })
    }

    /// Calls with explicitly typed arguments: ``[(42, 'i32'), (3.14, 'f64'), ...]``. Each
    /// declared type must match the function's signature (else ``EpsilonTypeError``).
    #[pyo3(signature = (func_name, args, timeout_ms=None, fuel=None))]
    fn call_typed<'py>(
        &self,
        py: Python<'py>,
        func_name: &Bound<'py, PyString>,
        args: &Bound<'py, PyAny>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let opts = CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? };
            let f = self.function(py, func_name)?;
            f.get().invoke_typed(py, args, opts)
        })
    }

    /// Calls with raw bit patterns: each argument and result is an int holding the value's
    /// bits (f32 as its 32 bits, f64 as 64, v128 as 128), bit-exact even for NaN payloads.
    /// Results are unsigned.
    #[pyo3(signature = (func_name, *bits, timeout_ms=None, fuel=None))]
    fn call_raw<'py>(
        &self,
        py: Python<'py>,
        func_name: &Bound<'py, PyString>,
        bits: &Bound<'py, PyTuple>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let opts = CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? };
            let f = self.function(py, func_name)?;
            f.get().invoke(py, bits, opts, true, Shape::List)
        })
    }

    /// The names of all exports, in declaration order.
    fn get_export_names(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guard(py, || {
            self.check_open(py)?;
            Ok(self.exports.iter().map(|(n, _)| n.clone()).collect())
        })
    }

    /// The size of the exported memory ``memory_name`` in 64 KiB pages.
    #[pyo3(signature = (memory_name="memory"))]
    fn get_memory_size(&self, py: Python<'_>, memory_name: &str) -> PyResult<u32> {
        guard(py, || {
            self.check_open(py)?;
            let m = self.memory(py, memory_name)?;
            self.shared.with_store(py, |store| m.size(&*store).py(py))
        })
    }

    /// Reads ``length`` bytes at ``offset`` of the exported memory ``memory_name``.
    #[pyo3(signature = (offset, length, memory_name="memory"))]
    fn read_memory(
        &self,
        py: Python<'_>,
        offset: &Bound<'_, PyAny>,
        length: &Bound<'_, PyAny>,
        memory_name: &str,
    ) -> PyResult<Py<pyo3::types::PyBytes>> {
        guard(py, || {
            self.check_open(py)?;
            let m = self.memory(py, memory_name)?;
            externs::read_memory(py, &self.shared, m, offset, length)
        })
    }

    /// Writes the bytes-like ``data`` at ``offset`` of the exported memory ``memory_name``;
    /// returns the number of bytes written.
    #[pyo3(signature = (offset, data, memory_name="memory"))]
    fn write_memory(
        &self,
        py: Python<'_>,
        offset: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        memory_name: &str,
    ) -> PyResult<usize> {
        guard(py, || {
            self.check_open(py)?;
            let m = self.memory(py, memory_name)?;
            externs::write_memory(py, &self.shared, m, offset, data)
        })
    }

    /// The value of the exported global ``global_name`` (typed like call results).
    fn get_global<'py>(&self, py: Python<'py>, global_name: &str) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let g = self.global(py, global_name)?;
            externs::global_get(py, &self.shared, g)
        })
    }

    /// Sets the exported mutable global ``global_name`` to ``value``.
    fn set_global(&self, py: Python<'_>, global_name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            self.check_open(py)?;
            let g = self.global(py, global_name)?;
            externs::global_set(py, &self.shared, g, value, &format!("global {}", values::quote(global_name)))
        })
    }

    /// The exports as a dict: name -> ``FuncType``, ``MemoryType``, ``TableType`` or
    /// ``GlobalType`` (memories and tables report their current size as ``min``).
    #[getter]
    fn exports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || {
            self.check_open(py)?;
            self.shared.with_store(py, |store| {
                let dict = PyDict::new(py);
                for (name, ext) in &self.exports {
                    dict.set_item(name, types::extern_type(py, &ext.ty(&*store).py(py)?)?)?;
                }
                Ok(dict)
            })
        })
    }

    /// The exports as a list of ``ExportType`` (name and type), in declaration order.
    #[getter]
    fn export_types(&self, py: Python<'_>) -> PyResult<Vec<types::ExportType>> {
        guard(py, || {
            self.check_open(py)?;
            self.shared.with_store(py, |store| {
                self.exports
                    .iter()
                    .map(|(name, ext)| types::ExportType::new(py, name, &ext.ty(&*store).py(py)?))
                    .collect()
            })
        })
    }

    /// The imports the module declares, as a list of ``ImportType``.
    #[getter]
    fn imports(&self, py: Python<'_>) -> PyResult<Vec<ImportType>> {
        guard(py, || {
            self.check_open(py)?;
            self.module.imports().map(|i| ImportType::new(py, i.module, i.name, &i.ty)).collect()
        })
    }

    /// The exported function ``name`` as a callable ``Function``.
    fn get_function<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, Function>> {
        guard(py, || {
            self.check_open(py)?;
            self.function(py, name)
        })
    }

    /// The exported memory ``name`` as a ``Memory`` (supports ``memoryview(...)``).
    #[pyo3(signature = (name="memory"))]
    fn get_memory<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let m = self.memory(py, name)?;
            buffer::new_memory(py, self.owner(), m)
        })
    }

    /// The exported table ``name`` as a ``Table``.
    fn get_table(&self, py: Python<'_>, name: &str) -> PyResult<Table> {
        guard(py, || {
            self.check_open(py)?;
            match self.export(py, name)? {
                Extern::Table(t) => Ok(Table { owner: self.owner(), table: t }),
                other => Err(Self::kind_error(py, name, &other, "a table")),
            }
        })
    }

    /// The export ``name`` as a live object: ``Function``, ``Memory``, ``Table`` or
    /// ``Global``. Pass it in ``imports=`` to share it with another module of the runtime.
    fn get_export<'py>(&self, py: Python<'py>, name: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let n = name.to_string();
            Ok(match self.export(py, &n)? {
                Extern::Func(_) => self.function(py, name)?.into_any(),
                Extern::Memory(m) => buffer::new_memory(py, self.owner(), m)?,
                Extern::Table(t) => Bound::new(py, Table { owner: self.owner(), table: t })?.into_any(),
                Extern::Global(g) => Bound::new(py, Global { owner: self.owner(), global: g })?.into_any(),
            })
        })
    }

    /// Runs the WASI command: calls ``_start`` and returns the exit code (0 when ``_start``
    /// returns, ``n`` after ``exit(n)``). The module must have been instantiated with
    /// ``wasi=``. ``timeout_ms`` and ``fuel`` apply as for ``call``; a trap raises ``Trap``.
    #[pyo3(signature = (*, timeout_ms=None, fuel=None))]
    fn run_wasi(
        &self,
        py: Python<'_>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<i32> {
        guard(py, || {
            self.check_open(py)?;
            let opts = CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? };
            let link = self.wasi_link(py)?;
            crate::wasi::run_start(py, self, &link, opts)
        })
    }

    /// Stops the call running in this module's runtime at this moment (from any thread, or
    /// from a host function) with a ``Trap`` whose kind is ``"interrupted"``. With no call
    /// running, it does nothing: a request never carries over to a later call.
    fn interrupt(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.check_open(py)?;
            self.shared.interrupt();
            Ok(())
        })
    }

    /// The fuel left in the runtime (``None`` if fuel metering is off); settable.
    #[getter]
    fn get_fuel(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        guard(py, || {
            self.check_open(py)?;
            self.shared.get_fuel(py)
        })
    }

    #[setter]
    fn set_fuel(&self, py: Python<'_>, fuel: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        guard(py, || {
            self.check_open(py)?;
            let fuel = fuel_arg(fuel)?.ok_or_else(|| PyValueError::new_err("fuel must be an int"))?;
            self.shared.set_fuel(py, fuel)
        })
    }

    /// Whether ``close()`` was called (on the module or its runtime).
    #[getter]
    fn closed(&self) -> bool {
        self.is_closed()
    }

    /// Closes the module: later uses of it (and of objects taken from it) raise
    /// ``EpsilonError("Module is closed")``. Its memory is freed with the runtime.
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, PyTuple>) {
        self.close();
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.exports.iter().map(|(n, _)| n.as_str()).collect();
        format!(
            "<epsilon.Module exports={}{}>",
            values::quote_list(&names),
            if self.closed() { " (closed)" } else { "" }
        )
    }
}
