//! `Runtime`: owns a store; compiles, links and instantiates modules; creates host objects.

use crate::args::{self, CallOpts, MAX_PAGES, pages_arg, pages_arg_up_to, read_file};
use crate::buffer;
use crate::compiled::{CompiledModule, source_bytes};
use crate::errors::{self, Class, HostException, OrPyErr, guard};
use crate::exceptions;
use crate::externs::{Global, MemoryBase, Owner, Table};
use crate::function::{self, Function};
use crate::gil;
use crate::instance::Instance;
use crate::shared::{self, EngineKey, HostData, PyStore, Shared, SharedEngine};
use crate::types;
use crate::values::{self, signature};
use crate::wasi::{self, OutputSpec, WasiConfig};
use epsilon::wasi::OutputBuffer;
use epsilon::{AsContext, AsContextMut, Caller, Extern, ExternType, FuncType, Val};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Weak};

/// Looks up `imports[module][name]`; `None` if either level is missing.
fn lookup_import<'py>(
    imports: &Bound<'py, PyAny>,
    module: &str,
    name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = imports.py();
    let level = |map: &Bound<'py, PyAny>, key: &str| -> PyResult<Option<Bound<'py, PyAny>>> {
        match map.get_item(key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(py) => Ok(None),
            Err(e) => Err(e),
        }
    };
    match level(imports, module)? {
        Some(m) => level(&m, name),
        None => Ok(None),
    }
}

/// Resolves every import of `module`: from `imports=` first, then from registered modules.
fn resolve_imports(
    py: Python<'_>,
    shared: &Arc<Shared>,
    store: &mut PyStore,
    module: &epsilon::Module,
    imports: Option<&Bound<'_, PyAny>>,
    wasi: Option<&epsilon::Linker<HostData>>,
) -> PyResult<Vec<Extern>> {
    let mut externs = Vec::with_capacity(module.imports().len());
    for import in module.imports() {
        let what = format!("import {}.{} ({})", import.module, import.name, import.ty);
        let provided = match imports {
            Some(map) if !map.is_none() => lookup_import(map, import.module, import.name)?,
            _ => None,
        };
        let ext = match provided {
            Some(obj) => extern_from_py(
                py,
                shared,
                store,
                module,
                &obj,
                &import.ty,
                &what,
                import.module,
                import.name,
            )?,
            None => {
                let from_wasi = wasi.and_then(|l| l.get(&mut *store, import.module, import.name));
                let registered = store.data().registered.get(import.module).copied();
                match from_wasi.or_else(|| registered.and_then(|i| i.get_export(&*store, import.name).ok())) {
                    Some(ext) => ext,
                    None => {
                        let hint = if import.module == epsilon::wasi::MODULE && wasi.is_none() {
                            "; to run a WASI program, pass wasi=epsilon.WasiConfig(...)"
                        } else {
                            ""
                        };
                        return errors::fail(
                            py,
                            Class::Link,
                            format!("unknown {what}: not in imports= nor in a registered module{hint}"),
                        );
                    }
                }
            }
        };
        externs.push(ext);
    }
    Ok(externs)
}

/// Converts a Python object given in `imports=` for an import of type `ty` of `wasm_module`.
#[allow(clippy::too_many_arguments)]
fn extern_from_py(
    py: Python<'_>,
    shared: &Arc<Shared>,
    store: &mut PyStore,
    wasm_module: &epsilon::Module,
    obj: &Bound<'_, PyAny>,
    ty: &ExternType,
    what: &str,
    module: &str,
    name: &str,
) -> PyResult<Extern> {
    let check = |owner: &Arc<Shared>| -> PyResult<()> {
        if owner.id != shared.id {
            return errors::fail(py, Class::Link, format!("{what}: the object belongs to another Runtime"));
        }
        Ok(())
    };
    if let Ok(f) = obj.cast::<Function>() {
        check(&f.get().shared)?;
        return Ok(Extern::Func(f.get().func));
    }
    if let Ok(m) = obj.cast::<MemoryBase>() {
        m.get().owner.check_open(py)?;
        check(&m.get().owner.shared)?;
        return Ok(Extern::Memory(m.get().memory));
    }
    if let Ok(t) = obj.cast::<Table>() {
        t.get().owner.check_open(py)?;
        check(&t.get().owner.shared)?;
        return Ok(Extern::Table(t.get().table));
    }
    if let Ok(g) = obj.cast::<Global>() {
        g.get().owner.check_open(py)?;
        check(&g.get().owner.shared)?;
        return Ok(Extern::Global(g.get().global));
    }
    if let Ok(t) = obj.cast::<exceptions::Tag>() {
        t.get().owner.check_open(py)?;
        check(&t.get().owner.shared)?;
        return Ok(Extern::Tag(t.get().tag));
    }
    match ty {
        ExternType::Func(fty) if obj.is_callable() => Ok(Extern::Func(
            host_func(
                shared,
                store,
                wasm_module,
                obj.clone().unbind(),
                format!("{module}.{name}"),
                fty.clone(),
            )
            .py(py)?,
        )),
        _ => {
            let got = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            errors::fail(
                py,
                Class::Link,
                format!(
                    "{what}: expected {}, got {got}",
                    match ty {
                        ExternType::Func(_) => "a callable",
                        ExternType::Memory(_) => "a Memory",
                        ExternType::Table(_) => "a Table",
                        ExternType::Global(_) => "a Global",
                        ExternType::Tag(_) => "a Tag",
                    }
                ),
            )
        }
    }
}

/// Wraps a Python callable as a host function of type `ty`, an imported function type of
/// `module` (whose type section gives `(ref $t)` in `ty` its meaning).
fn host_func(
    shared: &Arc<Shared>,
    store: &mut PyStore,
    module: &epsilon::Module,
    callable: Py<PyAny>,
    name: String,
    ty: FuncType,
) -> epsilon::Result<epsilon::Func> {
    // Weak: the store (owned by `Shared`) owns this closure.
    let weak = Arc::downgrade(shared);
    let sig = signature(&name, &ty);
    epsilon::Func::new_with_types(&mut *store, module, ty, move |mut caller, args, results| {
        gil::attach(|py| {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                host_call(py, &weak, &callable, &sig, &mut caller, args, results)
            }));
            let err = match outcome {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => e,
                Err(payload) => errors::panic_err(py, payload),
            };
            // A `WasmException` throws its exception into the calling wasm code.
            if let Some(shared) = weak.upgrade()
                && let Some(thrown) = exceptions::from_py_err(py, &shared, caller.as_context_mut(), &err)
            {
                return match thrown {
                    Ok(exception) => Err(exception.into_error()),
                    Err(e) => Err(epsilon::Error::host(HostException(e))),
                };
            }
            Err(epsilon::Error::host(HostException(err)))
        })
    })
}

/// Runs a Python host function: converts the arguments, calls it (with the store published
/// for re-entry), and converts its return value into `results`.
fn host_call(
    py: Python<'_>,
    weak: &Weak<Shared>,
    callable: &Py<PyAny>,
    sig: &str,
    caller: &mut Caller<'_, HostData>,
    args: &[Val],
    results: &mut [Val],
) -> PyResult<()> {
    let shared = weak.upgrade().ok_or_else(|| errors::closed(py, "Runtime"))?;
    let mut py_args = Vec::with_capacity(args.len());
    for v in args {
        py_args.push(function::to_py(py, &shared, caller.as_context(), v)?);
    }
    let tuple = PyTuple::new(py, py_args)?;
    let ret = shared::enter_host(&shared, caller, || callable.bind(py).call1(tuple))?;
    let store = caller.as_context_mut();
    let types: Vec<_> = results.iter().map(|v| v.ty()).collect();
    let convert = |obj: &Bound<'_, PyAny>, i: usize, store: &mut PyStore| -> PyResult<Val> {
        function::to_val(&shared, store, obj, types[i])
            .map_err(|e| e.into_pyerr(py, &format!("{sig}: host function result {}", i + 1)))
    };
    match results.len() {
        0 if ret.is_none() => Ok(()),
        0 => errors::fail(
            py,
            Class::Type,
            format!("{sig}: the host function must return None, got {}", ret.get_type().name()?),
        ),
        1 => {
            results[0] = convert(&ret, 0, store)?;
            Ok(())
        }
        n => {
            let items: Vec<Bound<'_, PyAny>> =
                if ret.is_instance_of::<PyTuple>() || ret.is_instance_of::<PyList>() {
                    ret.try_iter()?.collect::<PyResult<_>>()?
                } else {
                    return errors::fail(
                        py,
                        Class::Type,
                        format!(
                            "{sig}: the host function must return a tuple of {n} values, got {}",
                            ret.get_type().name()?
                        ),
                    );
                };
            if items.len() != n {
                return errors::fail(
                    py,
                    Class::Type,
                    format!("{sig}: the host function must return {n} values, got {}", items.len()),
                );
            }
            for (i, item) in items.iter().enumerate() {
                results[i] = convert(item, i, store)?;
            }
            Ok(())
        }
    }
}

/// A WebAssembly runtime: one store holding every module instantiated with it.
///
/// ``max_memory_pages`` is the default ceiling, in 64 KiB pages, for every memory of each
/// module (0: no ceiling beyond the 4 GiB of WebAssembly 2.0). ``fuel`` turns on fuel metering
/// with that initial amount; ``timeout_ms`` is the default timeout of every call;
/// ``max_call_depth`` limits nested wasm calls (default 100,000); ``multi_memory=False``
/// rejects modules with more than one memory, as WebAssembly 2.0 does (default: allowed);
/// ``tail_call``, ``extended_const``, ``relaxed_simd``, ``memory64``,
/// ``function_references`` (typed function references, with WebAssembly 3.0's recursive type
/// groups of function types) and ``exceptions`` (default ``True``)
/// switch those WebAssembly 3.0 features (with one off, modules using it are rejected as
/// invalid);
/// ``wasi`` (a ``WasiConfig``) gives every module instantiated without its own ``wasi=`` the
/// WASI functions, each module with a fresh context built from it.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct Runtime {
    shared: Arc<Shared>,
    wasi: Option<Py<WasiConfig>>,
}

#[pymethods]
impl Runtime {
    /// Bytes in one page.
    #[classattr]
    const PAGE_SIZE: usize = epsilon::PAGE_SIZE;
    /// The most pages a memory can have (4 GiB).
    #[classattr]
    const MAX_PAGES: u32 = MAX_PAGES;

    #[new]
    #[pyo3(signature = (max_memory_pages=0, *, fuel=None, timeout_ms=None, max_call_depth=None, multi_memory=true, tail_call=true, extended_const=true, relaxed_simd=true, memory64=true, function_references=true, exceptions=true, wasi=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        max_memory_pages: i64,
        fuel: Option<&Bound<'_, PyAny>>,
        timeout_ms: Option<f64>,
        max_call_depth: Option<&Bound<'_, PyAny>>,
        multi_memory: bool,
        tail_call: bool,
        extended_const: bool,
        relaxed_simd: bool,
        memory64: bool,
        function_references: bool,
        exceptions: bool,
        wasi: Option<Py<WasiConfig>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let pages = pages_arg(max_memory_pages.into_pyobject(py)?.as_any(), "max_memory_pages")?;
            let fuel = args::fuel_arg(fuel)?;
            let timeout = args::timeout_arg(timeout_ms)?;
            let mut key = EngineKey {
                fuel: fuel.is_some(),
                multi_memory,
                tail_call,
                extended_const,
                relaxed_simd,
                memory64,
                function_references,
                exceptions,
                max_memory_pages: pages,
                ..EngineKey::default()
            };
            if let Some(depth) = max_call_depth.filter(|d| !d.is_none()) {
                let depth: i128 = depth.extract()?;
                if !(1..=100_000_000).contains(&depth) {
                    return Err(PyValueError::new_err(format!(
                        "max_call_depth must be between 1 and 100000000, got {depth}"
                    )));
                }
                key.max_call_depth = Some(depth as usize);
            }
            Ok(Runtime { shared: Shared::new(SharedEngine::get(key), fuel, timeout, pages)?, wasi })
        })
    }

    /// Compiles (validates) a module given as a binary (bytes, bytearray, memoryview) or WAT
    /// text (str) for this runtime's settings, without instantiating it: a ``CompiledModule``
    /// to inspect and to pass to ``instantiate`` any number of times.
    fn compile(&self, py: Python<'_>, wasm: &Bound<'_, PyAny>) -> PyResult<CompiledModule> {
        guard(py, || {
            self.check_open(py)?;
            let bytes = source_bytes(py, wasm, "epsilon.compile_file")?;
            CompiledModule::new(py, self.shared.shared_engine.clone(), &bytes)
        })
    }

    /// Instantiates a ``CompiledModule``, or compiles and instantiates a module given as a
    /// binary (bytes, bytearray, memoryview) or WAT text (str, or bytes holding text).
    ///
    /// ``max_memory_pages`` caps every memory of the module, declared or imported: a larger
    /// initial size raises ``LinkError``, and ``memory.grow`` beyond it returns -1. It can only
    /// lower the runtime's ``max_memory_pages``, which holds for every memory (default and 0:
    /// the runtime's). ``imports`` maps module name -> field name -> a Python callable
    /// (a host function typed by the import), or a ``Function``, ``Memory``, ``Table`` or
    /// ``Global`` of this runtime. Imports not found there come from the WASI functions (with
    /// ``wasi=``, a ``WasiConfig``, or the runtime's) and then from registered modules.
    #[pyo3(signature = (wasm, max_memory_pages=None, *, imports=None, wasi=None))]
    fn instantiate(
        &self,
        py: Python<'_>,
        wasm: &Bound<'_, PyAny>,
        max_memory_pages: Option<&Bound<'_, PyAny>>,
        imports: Option<&Bound<'_, PyAny>>,
        wasi: Option<&Bound<'_, WasiConfig>>,
    ) -> PyResult<Instance> {
        guard(py, || {
            self.check_open(py)?;
            let module = match wasm.cast::<CompiledModule>() {
                Ok(compiled) => compiled.get().module_for(py, &self.shared.shared_engine)?,
                Err(_) => {
                    let bytes = source_bytes(py, wasm, "Runtime.instantiate_file")?;
                    self.compile_bytes(py, &bytes)?
                }
            };
            self.instantiate_module(py, module, max_memory_pages, imports, wasi)
        })
    }

    /// Like ``instantiate``, reading the module from a ``.wasm`` (binary) or ``.wat`` (text)
    /// file.
    #[pyo3(signature = (file_path, max_memory_pages=None, *, imports=None, wasi=None))]
    fn instantiate_file(
        &self,
        py: Python<'_>,
        file_path: &Bound<'_, PyAny>,
        max_memory_pages: Option<&Bound<'_, PyAny>>,
        imports: Option<&Bound<'_, PyAny>>,
        wasi: Option<&Bound<'_, WasiConfig>>,
    ) -> PyResult<Instance> {
        guard(py, || {
            self.check_open(py)?;
            let path: std::path::PathBuf =
                py.import("os")?.getattr("fspath")?.call1((file_path,))?.extract()?;
            let module = self.compile_bytes(py, &read_file(&path)?)?;
            self.instantiate_module(py, module, max_memory_pages, imports, wasi)
        })
    }

    /// Makes the exports of ``module`` importable by modules instantiated later, under the
    /// module name ``name`` (replacing an earlier registration of that name).
    fn register(&self, py: Python<'_>, name: &str, module: &Bound<'_, Instance>) -> PyResult<()> {
        guard(py, || {
            self.check_open(py)?;
            let m = module.get();
            if m.shared.id != self.shared.id {
                return errors::fail(py, Class::Link, "the module belongs to another Runtime");
            }
            if m.is_closed() {
                return Err(errors::closed(py, "Module"));
            }
            let instance = m.instance;
            self.shared.with_store(py, |store| {
                store.data_mut().registered.insert(name.to_string(), instance);
                Ok(())
            })
        })
    }

    /// Creates a memory of ``min`` pages (growable to ``max``, if given) to pass in
    /// ``imports=``; ``memory64=True`` makes it a 64-bit memory (``i64`` addresses; limits up
    /// to 2**48 pages, of which at most the runtime's ceiling is ever used).
    #[pyo3(signature = (min, max=None, *, memory64=false))]
    fn new_memory<'py>(
        &self,
        py: Python<'py>,
        min: &Bound<'py, PyAny>,
        max: Option<&Bound<'py, PyAny>>,
        memory64: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.check_open(py)?;
            let limit = if memory64 { args::MAX_PAGES64 } else { u64::from(MAX_PAGES) };
            let min = pages_arg_up_to(min, "min", limit)?;
            let max = max.filter(|m| !m.is_none()).map(|m| pages_arg_up_to(m, "max", limit)).transpose()?;
            if max.is_some_and(|max| max < min) {
                return Err(PyValueError::new_err("max must not be smaller than min"));
            }
            let ceiling = u64::from(self.shared.max_memory_pages);
            if ceiling != 0 && min > ceiling {
                return Err(PyValueError::new_err(format!(
                    "min of {min} pages exceeds the runtime's max_memory_pages of {ceiling}"
                )));
            }
            if let Some(max) = max
                && ceiling != 0
                && max > ceiling
            {
                return Err(PyValueError::new_err(format!(
                    "max of {max} pages exceeds the runtime's max_memory_pages of {ceiling}"
                )));
            }
            let memory = self.shared.with_store(py, |store| {
                epsilon::Memory::new(&mut *store, epsilon::MemoryType { min, max, memory64 })
                    .map_err(|e| errors::from_epsilon(py, &e))
            })?;
            buffer::new_memory(py, self.owner(), memory)
        })
    }

    /// Creates a table of ``min`` elements of type ``element`` (``'funcref'`` or
    /// ``'externref'``), growable to ``max``, every element set to ``init``.
    #[pyo3(signature = (min, max=None, element="funcref", init=None))]
    fn new_table(
        &self,
        py: Python<'_>,
        min: u32,
        max: Option<u32>,
        element: &str,
        init: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Table> {
        guard(py, || {
            self.check_open(py)?;
            if max.is_some_and(|max| max < min) {
                return Err(PyValueError::new_err("max must not be smaller than min"));
            }
            let element = crate::types::parse_ref_type(py, element)?;
            let table = self.shared.with_store(py, |store| {
                let none = py.None().into_bound(py);
                let init = function::to_val(&self.shared, store, init.unwrap_or(&none), element.into())
                    .map_err(|e| e.into_pyerr(py, "new_table: init"))?;
                epsilon::Table::new(&mut *store, epsilon::TableType::new(element, min, max), init)
                    .map_err(|e| errors::from_epsilon(py, &e))
            })?;
            Ok(Table { owner: self.owner(), table })
        })
    }

    /// Creates a global of value type ``type`` (``'i32'``, ``'f64'``...) holding ``value``;
    /// writable if ``mutable``.
    #[pyo3(signature = (r#type, value, mutable=false))]
    fn new_global(
        &self,
        py: Python<'_>,
        r#type: &str,
        value: &Bound<'_, PyAny>,
        mutable: bool,
    ) -> PyResult<Global> {
        guard(py, || {
            self.check_open(py)?;
            let content = values::parse_type(py, r#type)?;
            let m = if mutable { epsilon::Mutability::Var } else { epsilon::Mutability::Const };
            let global = self.shared.with_store(py, |store| {
                let v = function::to_val(&self.shared, store, value, content)
                    .map_err(|e| e.into_pyerr(py, &format!("new_global({})", values::quote(r#type))))?;
                epsilon::Global::new(&mut *store, epsilon::GlobalType::new(content, m), v)
                    .map_err(|e| errors::from_epsilon(py, &e))
            })?;
            Ok(Global { owner: self.owner(), global })
        })
    }

    /// Creates an exception tag of type ``type`` (a ``TagType``), which modules can import
    /// and host functions can throw (``raise WasmException(tag, values)``).
    fn new_tag(&self, py: Python<'_>, r#type: &types::TagType) -> PyResult<exceptions::Tag> {
        guard(py, || {
            self.check_open(py)?;
            let tag =
                self.shared.with_store(py, |store| Ok(epsilon::Tag::new(&mut *store, r#type.ty.clone())))?;
            Ok(exceptions::Tag { owner: self.owner(), tag })
        })
    }

    /// The fuel left (``None`` if the runtime was created without ``fuel=``); settable.
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

    /// The default page ceiling for each module's memories (0: none).
    #[getter]
    fn max_memory_pages(&self) -> u32 {
        self.shared.max_memory_pages
    }

    /// The default timeout of every call in milliseconds, or ``None``.
    #[getter]
    fn timeout_ms(&self) -> Option<f64> {
        self.shared.default_timeout.map(|d| d.as_secs_f64() * 1000.0)
    }

    /// Whether ``close()`` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Closes the runtime and frees its store (at once, or when the last exported memory
    /// buffer is released). Later uses of it or its modules raise
    /// ``EpsilonError("Runtime is closed")``. Closing twice is harmless.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.shared.close(py);
            Ok(())
        })
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py)
    }

    fn __repr__(&self) -> String {
        format!("<epsilon.Runtime{}>", if self.closed() { " (closed)" } else { "" })
    }
}

impl Runtime {
    fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        if self.shared.is_closed() { Err(errors::closed(py, "Runtime")) } else { Ok(()) }
    }

    fn owner(&self) -> Owner {
        Owner { shared: self.shared.clone(), module_closed: None }
    }

    /// A runtime for `epsilon.run`: fuel and timeout as given, interruptible, no WASI default.
    pub(crate) fn create(
        py: Python<'_>,
        max_memory_pages: i64,
        fuel: Option<u64>,
        timeout: Option<std::time::Duration>,
    ) -> PyResult<Runtime> {
        let pages = pages_arg(max_memory_pages.into_pyobject(py)?.as_any(), "max_memory_pages")?;
        let key = EngineKey { fuel: fuel.is_some(), max_memory_pages: pages, ..EngineKey::default() };
        Ok(Runtime { shared: Shared::new(SharedEngine::get(key), fuel, timeout, pages)?, wasi: None })
    }

    /// Instantiates the module in the file at `path` with WASI from `wasi`.
    pub(crate) fn instantiate_path(
        &self,
        py: Python<'_>,
        path: &std::path::Path,
        wasi: &Bound<'_, WasiConfig>,
    ) -> PyResult<Instance> {
        let module = self.compile_bytes(py, &read_file(path)?)?;
        self.instantiate_module(py, module, None, None, Some(wasi))
    }

    /// Closes the runtime (what `close()` does).
    pub(crate) fn close_now(&self, py: Python<'_>) {
        self.shared.close(py);
    }

    /// Compiles `bytes` (binary or WAT text) for this runtime.
    fn compile_bytes(&self, py: Python<'_>, bytes: &[u8]) -> PyResult<epsilon::Module> {
        let compiled = CompiledModule::new(py, self.shared.shared_engine.clone(), bytes)?;
        compiled.module_for(py, &self.shared.shared_engine)
    }

    fn instantiate_module(
        &self,
        py: Python<'_>,
        module: epsilon::Module,
        max_memory_pages: Option<&Bound<'_, PyAny>>,
        imports: Option<&Bound<'_, PyAny>>,
        wasi: Option<&Bound<'_, WasiConfig>>,
    ) -> PyResult<Instance> {
        // The runtime's ceiling holds for every module; a module's own value can only lower it.
        let ceiling = self.shared.max_memory_pages;
        let pages = match max_memory_pages.filter(|m| !m.is_none()) {
            Some(m) => match (pages_arg(m, "max_memory_pages")?, ceiling) {
                (0, c) => c,
                (p, 0) => p,
                (p, c) => p.min(c),
            },
            None => ceiling,
        };
        let limits = epsilon::InstanceLimits {
            max_memory_pages: (pages != 0).then_some(pages),
            max_table_elements: None,
        };
        let shared = &self.shared;
        let default_wasi = self.wasi.as_ref().map(|w| w.bind(py));
        let wasi = wasi.or(default_wasi);
        let (instance, exports, wasi_link) = shared.with_store(py, |store| {
            let attached = wasi.map(|w| wasi::attach(py, shared, w.get(), store)).transpose()?;
            let linker = attached.as_ref().map(|a| &a.linker);
            let externs = resolve_imports(py, shared, store, &module, imports, linker)?;
            let m = &module;
            let instance = shared.run(py, store, CallOpts::default(), |store| {
                epsilon::Instance::new_with_limits(store, m, &externs, limits)
            })?;
            let exports = instance
                .exports(&*store)
                .py(py)?
                .into_iter()
                .map(|(name, ext)| Ok((name, ext, ext.ty(&*store).py(py)?)))
                .collect::<PyResult<Vec<_>>>()?;
            Ok((instance, exports, attached.map(|a| a.link)))
        })?;
        let mut m = Instance::new(py, shared.clone(), instance, module, exports)?;
        m.wasi = wasi_link;
        let flag = m.closed_flag();
        shared.with_store(py, |store| {
            store.data_mut().closed_flags.insert(instance, flag);
            Ok(())
        })?;
        Ok(m)
    }
}

/// What ``epsilon.run`` returns: the program's arguments, exit code, and its standard output
/// and error as bytes (``None`` unless captured).
#[pyclass(frozen, get_all, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct CompletedRun {
    /// The arguments the program received (``args[0]`` is its name).
    args: Vec<String>,
    /// The exit code: 0 when ``_start`` returned, ``n`` after ``exit(n)``.
    returncode: i32,
    /// The captured standard output, or ``None``.
    stdout: Option<Py<PyBytes>>,
    /// The captured standard error, or ``None``.
    stderr: Option<Py<PyBytes>>,
}

#[pymethods]
impl CompletedRun {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let show = |b: &Option<Py<PyBytes>>| -> PyResult<String> {
            match b {
                Some(b) => Ok(b.bind(py).repr()?.to_string()),
                None => Ok("None".to_string()),
            }
        };
        Ok(format!(
            "CompletedRun(args={}, returncode={}, stdout={}, stderr={})",
            PyList::new(py, &self.args)?.repr()?,
            self.returncode,
            show(&self.stdout)?,
            show(&self.stderr)?
        ))
    }
}

/// Runs the WASI command in the ``.wasm`` (or ``.wat``) file ``path`` in a fresh runtime and
/// returns a ``CompletedRun``. The program's ``argv`` is ``[argv0, *args]``, where ``argv0``
/// defaults to the file's name. ``env``, ``preopens``, ``stdin``, ``stdout`` and ``stderr`` are
/// as for ``WasiConfig``; ``capture_output=True`` captures both output streams into the
/// result (then ``stdout``/``stderr`` must not be given). ``timeout_ms`` and ``fuel`` limit the
/// run (``EpsilonTimeoutError``, ``OutOfFuelError``); a trap raises ``Trap``.
#[pyfunction]
#[pyo3(signature = (path, args=None, *, env=None, preopens=None, stdin=None, stdout=OutputSpec::Unspecified, stderr=OutputSpec::Unspecified, capture_output=false, argv0=None, timeout_ms=None, fuel=None, max_memory_pages=0))]
#[pyo3(
    text_signature = "(path, args=(), *, env=None, preopens=None, stdin=None, stdout='inherit', stderr='inherit', capture_output=False, argv0=None, timeout_ms=None, fuel=None, max_memory_pages=0)"
)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    args: Option<&Bound<'_, PyAny>>,
    env: Option<&Bound<'_, PyAny>>,
    preopens: Option<&Bound<'_, PyAny>>,
    stdin: Option<&Bound<'_, PyAny>>,
    stdout: OutputSpec,
    stderr: OutputSpec,
    capture_output: bool,
    argv0: Option<String>,
    timeout_ms: Option<f64>,
    fuel: Option<&Bound<'_, PyAny>>,
    max_memory_pages: i64,
) -> PyResult<CompletedRun> {
    guard(py, || {
        let file: PathBuf = py.import("os")?.getattr("fspath")?.call1((path,))?.extract()?;
        let name = argv0.unwrap_or_else(|| {
            file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
        });
        let mut argv = vec![name];
        argv.extend(WasiConfig::run_args(args)?);
        let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
        let (stdout, stderr) = if capture_output {
            if !matches!((&stdout, &stderr), (OutputSpec::Unspecified, OutputSpec::Unspecified)) {
                return Err(PyValueError::new_err(
                    "stdout and stderr may not be given with capture_output=True",
                ));
            }
            (OutputSpec::Capture(out.clone()), OutputSpec::Capture(err.clone()))
        } else {
            (stdout, stderr)
        };
        let config = WasiConfig::for_run(py, argv.clone(), env, preopens, stdin, stdout, stderr)?;
        let config = Bound::new(py, config)?;
        let runtime =
            Runtime::create(py, max_memory_pages, args::fuel_arg(fuel)?, args::timeout_arg(timeout_ms)?)?;
        let outcome = (|| {
            let module = runtime.instantiate_path(py, &file, &config)?;
            let opts = CallOpts::default();
            module.run_wasi_start(py, opts)
        })();
        runtime.close_now(py);
        let returncode = outcome?;
        let captured = |b: &OutputBuffer| capture_output.then(|| PyBytes::new(py, &b.take()).unbind());
        Ok(CompletedRun { args: argv, returncode, stdout: captured(&out), stderr: captured(&err) })
    })
}
