//! `Instance` (the seed's `Module`): an instantiated module, its exports and the calls into it.

use crate::args::CallOpts;
use crate::buffer;
use crate::errors::{self, Class, OrPyErr, guard};
use crate::externs::{self, Global, Owner, Table};
use crate::function::{CallArgs, FastArgs, Function, Shape};
use crate::shared::Shared;
use crate::types::{self, ImportType};
use crate::values;
use epsilon::Extern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Modules with at most this many exported functions find `call`'s name by address first
/// (see `Instance::named`).
const SCANNED_NAMES: usize = 16;

/// An instantiated WebAssembly module: call its functions, access its memory, globals and
/// tables. Create it with ``Runtime.instantiate`` or ``Runtime.instantiate_file``.
/// ``epsilon.Module`` (the seed wrapper's name) is this same class.
#[pyclass(frozen, module = "epsilon", name = "Instance")]
#[derive(Debug)]
pub(crate) struct Instance {
    pub(crate) shared: Arc<Shared>,
    pub(crate) instance: epsilon::Instance,
    module: epsilon::Module,
    closed: Arc<AtomicBool>,
    exports: Vec<(String, Extern)>,
    export_index: HashMap<String, usize>,
    /// Export name -> `Function`, for the fast lookup of `call`.
    funcs: Py<PyDict>,
    /// The exported functions by their interned name objects, when there are at most
    /// `SCANNED_NAMES` (else empty): `call` finds a name written in Python code (a literal,
    /// interned too, so the same object) by comparing addresses, without hashing, locking or
    /// the dictionary. The names are held, so their addresses cannot be reused meanwhile.
    named: Box<[(Py<PyString>, Py<Function>)]>,
    /// Set when the module was instantiated with WASI (`run_wasi` needs it).
    pub(crate) wasi: Option<crate::wasi::WasiLink>,
}

impl Instance {
    pub(crate) fn new(
        py: Python<'_>,
        shared: Arc<Shared>,
        instance: epsilon::Instance,
        module: epsilon::Module,
        exports: Vec<(String, Extern, epsilon::ExternType)>,
    ) -> PyResult<Self> {
        let closed = Arc::new(AtomicBool::new(false));
        let funcs = PyDict::new(py);
        let mut named = Vec::new();
        let mut export_index = HashMap::new();
        let mut list = Vec::with_capacity(exports.len());
        for (i, (name, ext, ty)) in exports.into_iter().enumerate() {
            if let (Extern::Func(f), epsilon::ExternType::Func(fty)) = (ext, ty) {
                let mut function = Function::new(shared.clone(), f, fty, Some(name.clone()));
                function.module_closed = Some(closed.clone());
                // Interned: names written in Python code are, so lookups compare pointers.
                let key = PyString::intern(py, &name);
                let function = crate::function::new_function(py, function)?;
                funcs.set_item(&key, &function)?;
                named.push((key.unbind(), function.unbind()));
            }
            export_index.insert(name.clone(), i);
            list.push((name, ext));
        }
        Ok(Instance {
            shared,
            instance,
            module,
            closed,
            exports: list,
            export_index,
            funcs: funcs.unbind(),
            named: if named.len() <= SCANNED_NAMES { named.into() } else { Box::default() },
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
                format!(
                    "the module has no export named {} (exports: {})",
                    values::quote(name),
                    self.export_list()
                ),
            ),
        }
    }

    /// The export names for error messages: `a, b, c` (at most 12, then `and N more`), or
    /// `none`, as the command line lists them.
    fn export_list(&self) -> String {
        const SHOWN: usize = 12;
        if self.exports.is_empty() {
            return "none".to_string();
        }
        let names: Vec<&str> = self.exports.iter().take(SHOWN).map(|(n, _)| n.as_str()).collect();
        let more = self.exports.len().saturating_sub(SHOWN);
        if more == 0 { names.join(", ") } else { format!("{} and {more} more", names.join(", ")) }
    }

    /// Runs the WASI command's `_start` (`run_wasi`): the exit code.
    pub(crate) fn run_wasi_start(&self, py: Python<'_>, opts: CallOpts) -> PyResult<i32> {
        let link = self.wasi.as_ref().ok_or_else(|| {
            errors::new_err(
                py,
                Class::Base,
                "the module was instantiated without WASI: pass wasi=epsilon.WasiConfig(...) to \
                 instantiate() or Runtime()",
            )
        })?;
        let start = match self.export(py, "_start")? {
            Extern::Func(f) => f,
            _ => return errors::fail(py, Class::Type, "export '_start' is not a function"),
        };
        crate::wasi::run_start(py, &self.shared, start, link, opts)
    }

    fn kind_error(py: Python<'_>, name: &str, ext: &Extern, want: &str) -> PyErr {
        let kind = match ext {
            Extern::Func(_) => "a function",
            Extern::Memory(_) => "a memory",
            Extern::Table(_) => "a table",
            Extern::Global(_) => "a global",
            Extern::Tag(_) => "a tag",
        };
        errors::new_err(py, Class::Type, format!("export {} is {kind}, not {want}", values::quote(name)))
    }

    fn function<'py>(&self, py: Python<'py>, name: &Bound<'py, PyString>) -> PyResult<Bound<'py, Function>> {
        if let Some((_, f)) = self.named.iter().find(|(key, _)| key.as_ptr() == name.as_ptr()) {
            return Ok(f.bind(py).clone());
        }
        if let Some(f) = self.funcs.bind(py).get_item(name)? {
            return Ok(f.cast_into::<Function>()?);
        }
        let name = name.to_string();
        let ext = self.export(py, &name)?;
        Err(Self::kind_error(py, &name, &ext, "a function"))
    }

    /// What `call`, `call_typed` and `call_raw` do first: check that the module is open,
    /// parse the call's options and find the function.
    fn prepare_call<'py>(
        &self,
        py: Python<'py>,
        func_name: &Bound<'py, PyString>,
        timeout_ms: Option<f64>,
        fuel: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, Function>, CallOpts)> {
        self.check_open(py)?;
        let opts = CallOpts::parse(timeout_ms, fuel)?;
        Ok((self.function(py, func_name)?, opts))
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
impl Instance {
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
            let (f, opts) = self.prepare_call(py, func_name, timeout_ms, fuel)?;
            f.get().invoke(py, CallArgs::Tuple(args), opts, false, Shape::List)
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
            let (f, opts) = self.prepare_call(py, func_name, timeout_ms, fuel)?;
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
            let (f, opts) = self.prepare_call(py, func_name, timeout_ms, fuel)?;
            f.get().invoke(py, CallArgs::Tuple(bits), opts, true, Shape::List)
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
    fn get_memory_size(&self, py: Python<'_>, memory_name: &str) -> PyResult<u64> {
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

    /// The export ``name`` as a live object: ``Function``, ``Memory``, ``Table``, ``Global``
    /// or ``Tag``. Pass it in ``imports=`` to share it with another module of the runtime.
    fn get_export<'py>(&self, py: Python<'py>, name: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let n = name.to_string();
            Ok(match self.export(py, &n)? {
                Extern::Func(_) => self.function(py, name)?.into_any(),
                Extern::Memory(m) => buffer::new_memory(py, self.owner(), m)?,
                Extern::Table(t) => Bound::new(py, Table { owner: self.owner(), table: t })?.into_any(),
                Extern::Global(g) => Bound::new(py, Global { owner: self.owner(), global: g })?.into_any(),
                Extern::Tag(t) => {
                    Bound::new(py, crate::exceptions::Tag { owner: self.owner(), tag: t })?.into_any()
                }
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
            let opts = CallOpts::parse(timeout_ms, fuel)?;
            self.run_wasi_start(py, opts)
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
            "<epsilon.Instance exports={}{}>",
            values::quote_list(&names),
            if self.closed() { " (closed)" } else { "" }
        )
    }
}

// ---------------------------------------------------------------------------------------------
// `Module.call` without a tuple of its arguments.
//
// pyo3 gives a method with `*args` its variadic arguments as a new tuple, which costs about as
// much as the rest of a small call's conversion (callgrind: ~250 instructions of ~2400). CPython
// passes a `METH_FASTCALL` method its arguments as an array instead, so `install_fast_call`
// replaces the class's `call` by such a method. It handles the common form itself (a plain
// `str` name, positional arguments, no keywords) exactly as `Instance::call` does, and passes
// every other form to pyo3's method (kept aside), whose parsing and messages stay the only ones.

/// pyo3's `call` method descriptor, for the forms `CALL_VECTORCALL` does not handle.
static PYO3_CALL: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// Installs the `METH_FASTCALL` form of `Instance.call` (once, at module initialisation), with
/// pyo3's signature and docstring.
pub(crate) fn install_fast_call(py: Python<'_>) -> PyResult<()> {
    let class = py.get_type::<Instance>();
    let pyo3_call = class.getattr("call")?;
    let doc = format!(
        "call{}\n--\n\n{}",
        pyo3_call.getattr("__text_signature__")?.extract::<String>()?,
        pyo3_call.getattr("__doc__")?.extract::<String>()?
    );
    PYO3_CALL
        .set(py, pyo3_call.unbind())
        .map_err(|_| errors::new_err(py, Class::Base, "internal error: Instance.call installed twice"))?;
    let doc = std::ffi::CString::new(doc)?;
    // CPython keeps pointers to the definition and its strings in the descriptor: they live for
    // the rest of the process (one small allocation, once).
    let def: &'static mut pyo3::ffi::PyMethodDef = Box::leak(Box::new(pyo3::ffi::PyMethodDef {
        ml_name: c"call".as_ptr(),
        ml_meth: pyo3::ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: CALL_VECTORCALL },
        ml_flags: pyo3::ffi::METH_FASTCALL | pyo3::ffi::METH_KEYWORDS,
        ml_doc: Box::leak(doc.into_boxed_c_str()).as_ptr(),
    }));
    // SAFETY: `class` is a live type object and `def` a valid definition that outlives it;
    // `PyDescr_NewMethod` returns a new reference or null with an exception set.
    let descriptor =
        unsafe { Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyDescr_NewMethod(class.as_type_ptr(), def))? };
    class.setattr("call", descriptor)
}

/// `Instance.call` as CPython calls a `METH_FASTCALL | METH_KEYWORDS` method: `nargs`
/// positional arguments at `args`, then one value per name in `kwnames` (a tuple; null for no
/// keywords). It enters through pyo3's trampoline, as a `#[pymethods]` method does: that keeps
/// pyo3's attach count up for the call (`Python::attach` would take the thread state again,
/// ~130 instructions per call) and turns a panic into an exception.
const CALL_VECTORCALL: pyo3::ffi::PyCFunctionFastWithKeywords =
    pyo3::impl_::trampoline::get_trampoline_function!(fastcall_cfunction_with_keywords, call_vectorcall);

/// The body of `CALL_VECTORCALL`.
///
/// # Safety
/// As CPython calls a `METH_FASTCALL | METH_KEYWORDS` method of `Instance`.
unsafe fn call_vectorcall(
    py: Python<'_>,
    slf: *mut pyo3::ffi::PyObject,
    args: *const *mut pyo3::ffi::PyObject,
    nargs: pyo3::ffi::Py_ssize_t,
    kwnames: *mut pyo3::ffi::PyObject,
) -> PyResult<*mut pyo3::ffi::PyObject> {
    // SAFETY: the calling convention, whose references CPython holds for the call; `slf` is an
    // `Instance` (its method descriptor checked the type).
    guard(py, || unsafe { call_vectorcall_in(py, slf, args, nargs, kwnames) }).map(Bound::into_ptr)
}

/// What `call_vectorcall` does.
///
/// # Safety
/// As CPython calls `CALL_VECTORCALL`: `slf` an `Instance`, `args` holding `nargs` positional
/// arguments followed by one per name of `kwnames` (a tuple or null), all alive for the call.
unsafe fn call_vectorcall_in<'py>(
    py: Python<'py>,
    slf: *mut pyo3::ffi::PyObject,
    args: *const *mut pyo3::ffi::PyObject,
    nargs: pyo3::ffi::Py_ssize_t,
    kwnames: *mut pyo3::ffi::PyObject,
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `slf` is alive for the call (the contract).
    let slf = unsafe { Bound::from_borrowed_ptr(py, slf) };
    // SAFETY: the arguments as CPython passes them (the contract).
    let args = unsafe { FastArgs::new(py, args, usize::try_from(nargs).unwrap_or(0), kwnames)? };
    if args.keywords.is_none()
        && args.positional.len() > 0
        && let Ok(instance) = slf.cast::<Instance>()
        && let Ok(name) = args.positional.get(0).cast_exact::<PyString>()
    {
        // The common form: what `Instance::call` does with no keywords.
        // (`call_vectorcall` guards against panics.)
        let instance = instance.get();
        instance.check_open(py)?;
        let f = instance.function(py, &name)?;
        return f.get().invoke(
            py,
            CallArgs::Array(args.positional.tail(1)),
            CallOpts::default(),
            false,
            Shape::List,
        );
    }
    // Any other form: pyo3's method, called with a tuple and a dictionary.
    let (positional, keywords) = args.to_tuple_and_dict(Some(&slf))?;
    let pyo3_call = PYO3_CALL
        .get(py)
        .ok_or_else(|| errors::new_err(py, Class::Base, "internal error: Instance.call is not installed"))?;
    pyo3_call.bind(py).call(positional, keywords.as_ref())
}
