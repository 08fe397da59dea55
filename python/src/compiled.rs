//! `CompiledModule`: a module decoded, validated and translated once, inspected without
//! instantiating it, and instantiated any number of times in one or several runtimes.

use crate::args;
use crate::errors::{self, Class, guard};
use crate::shared::{EngineKey, SharedEngine};
use crate::types::{self, ExportType, ImportType};
use crate::values::quote_list;
use epsilon::ExternType;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

/// At most this many translations for other runtimes' settings are kept per module.
const MAX_TRANSLATIONS: usize = 8;

/// A validated, compiled WebAssembly module. Make one with ``epsilon.compile(wasm)`` or
/// ``Runtime.compile(wasm)``, inspect its ``imports``, ``exports`` and ``custom_sections``,
/// and pass it to ``Runtime.instantiate`` as often as needed: it is never decoded or
/// validated again. Immutable and safe to share between threads.
///
/// Runtimes with the same settings (``fuel`` on or off, ``multi_memory``, ``max_call_depth``,
/// ``max_memory_pages``) share the translation; for a runtime with other settings the
/// module is translated once more (its bytes are not validated again) and that translation
/// is kept too.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct CompiledModule {
    /// The binary (WAT text is converted once).
    binary: Arc<[u8]>,
    /// The translation made at compile time, for `engine`.
    module: epsilon::Module,
    engine: Arc<SharedEngine>,
    /// Translations made later for runtimes with other settings.
    others: Mutex<Vec<(Arc<SharedEngine>, epsilon::Module)>>,
}

/// Whether `text` looks like the start of WAT (after blanks: a parenthesis or a comment).
fn looks_like_wat(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('(') || t.starts_with(";;")
}

/// The bytes of a module given as binary (bytes-like) or WAT text (str). A str that is not
/// WAT but names an existing file is refused with a pointer to `instantiate_file`.
pub(crate) fn source_bytes(py: Python<'_>, wasm: &Bound<'_, PyAny>, file_api: &str) -> PyResult<Vec<u8>> {
    if let Ok(s) = wasm.cast::<PyString>() {
        let text = s.to_cow()?;
        if !looks_like_wat(&text) && text.len() < 4096 && std::path::Path::new(&*text).is_file() {
            return errors::fail(
                py,
                Class::Type,
                format!(
                    "wasm is a str naming the file {}, not WAT text: use {file_api}(path) to load \
                     a file (or pass its bytes)",
                    crate::values::quote(&text)
                ),
            );
        }
    }
    args::module_bytes(py, wasm)
}

/// The error for bytes that are neither a binary module nor text.
fn not_a_module(py: Python<'_>) -> PyErr {
    let e = errors::new_err(
        py,
        Class::Compile,
        "not a WebAssembly module: the bytes start neither with the binary magic b'\\0asm' nor \
         with WAT text",
    );
    let _ = e.value(py).setattr("offset", 0);
    e
}

/// Translates `binary` (already known to be a binary module) for `engine`, GIL released.
fn translate(py: Python<'_>, engine: &SharedEngine, binary: &[u8]) -> PyResult<epsilon::Module> {
    let engine = &engine.engine;
    match py.detach(|| catch_unwind(AssertUnwindSafe(|| epsilon::Module::from_binary(engine, binary)))) {
        Ok(Ok(m)) => Ok(m),
        Ok(Err(e)) => Err(errors::from_epsilon(py, &e)),
        Err(payload) => Err(errors::panic_err(py, payload)),
    }
}

impl CompiledModule {
    /// Compiles `bytes` (binary or WAT text) for `engine`.
    pub(crate) fn new(py: Python<'_>, engine: Arc<SharedEngine>, bytes: &[u8]) -> PyResult<Self> {
        let binary: Arc<[u8]> = if bytes.starts_with(b"\0asm") {
            Arc::from(bytes)
        } else {
            let text = std::str::from_utf8(bytes).map_err(|_| not_a_module(py))?;
            // The runtime's kind and wording: "malformed module: cannot parse WAT text: ...".
            let binary = py.detach(|| wat::parse_str(text)).map_err(|e| {
                let e =
                    epsilon::Error::new(epsilon::ErrorKind::Malformed, format!("cannot parse WAT text: {e}"));
                errors::from_epsilon(py, &e)
            })?;
            Arc::from(binary)
        };
        let module = translate(py, &engine, &binary)?;
        Ok(CompiledModule { binary, module, engine, others: Mutex::new(Vec::new()) })
    }

    /// The translation for `engine`: the compile-time one, a kept one, or a new one.
    pub(crate) fn module_for(&self, py: Python<'_>, engine: &Arc<SharedEngine>) -> PyResult<epsilon::Module> {
        if Arc::ptr_eq(engine, &self.engine) {
            return Ok(self.module.clone());
        }
        let lock = || self.others.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, m)) = lock().iter().find(|(e, _)| Arc::ptr_eq(e, engine)) {
            return Ok(m.clone());
        }
        let m = translate(py, engine, &self.binary)?;
        let mut others = lock();
        if others.len() >= MAX_TRANSLATIONS {
            others.remove(0);
        }
        others.push((engine.clone(), m.clone()));
        Ok(m)
    }
}

#[pymethods]
impl CompiledModule {
    /// Compiles a module given as a binary (bytes, bytearray, memoryview) or WAT text (str)
    /// with the default settings (those of ``Runtime()``); same as ``epsilon.compile``.
    #[new]
    fn py_new(py: Python<'_>, wasm: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || {
            let bytes = source_bytes(py, wasm, "epsilon.compile_file")?;
            CompiledModule::new(py, SharedEngine::get(EngineKey::default()), &bytes)
        })
    }

    /// The imports the module declares, as a list of ``ImportType``.
    #[getter]
    fn imports(&self, py: Python<'_>) -> PyResult<Vec<ImportType>> {
        guard(py, || self.module.imports().map(|i| ImportType::new(py, i.module, i.name, &i.ty)).collect())
    }

    /// The exports as a dict: name -> ``FuncType``, ``MemoryType``, ``TableType`` or
    /// ``GlobalType`` (as declared: memories and tables with their initial size as ``min``).
    #[getter]
    fn exports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || {
            let dict = PyDict::new(py);
            for e in self.module.exports() {
                dict.set_item(e.name, types::extern_type(py, &e.ty)?)?;
            }
            Ok(dict)
        })
    }

    /// The exports as a list of ``ExportType`` (name and type), in declaration order.
    #[getter]
    fn export_types(&self, py: Python<'_>) -> PyResult<Vec<ExportType>> {
        guard(py, || self.module.exports().map(|e| ExportType::new(py, e.name, &e.ty)).collect())
    }

    /// The type of every function as a list of ``FuncType``, imported ones first (so list
    /// index = function index).
    #[getter]
    fn functions(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        guard(py, || {
            self.module
                .function_types()
                .map(|t| types::extern_type(py, &ExternType::Func(t.clone())))
                .collect()
        })
    }

    /// The type of every memory as a list of ``MemoryType``, imported ones first.
    #[getter]
    fn memories(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        guard(py, || {
            self.module
                .memory_types()
                .iter()
                .map(|t| types::extern_type(py, &ExternType::Memory(*t)))
                .collect()
        })
    }

    /// The type of every table as a list of ``TableType``, imported ones first.
    #[getter]
    fn tables(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        guard(py, || {
            self.module.table_types().iter().map(|t| types::extern_type(py, &ExternType::Table(*t))).collect()
        })
    }

    /// The type of every global as a list of ``GlobalType``, imported ones first.
    #[getter]
    fn globals(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        guard(py, || {
            self.module
                .global_types()
                .iter()
                .map(|t| types::extern_type(py, &ExternType::Global(*t)))
                .collect()
        })
    }

    /// The index of the start function (run by every instantiation), or ``None``.
    #[getter]
    fn start(&self) -> Option<u32> {
        self.module.start()
    }

    /// The number of element segments.
    #[getter]
    fn element_segments(&self) -> usize {
        self.module.segment_counts().0
    }

    /// The number of data segments.
    #[getter]
    fn data_segments(&self) -> usize {
        self.module.segment_counts().1
    }

    /// The names of the custom sections, in order (e.g. ``['name']``).
    #[getter]
    fn custom_sections(&self) -> Vec<String> {
        self.module.custom_sections().map(str::to_string).collect()
    }

    /// The module in the binary format (WAT text given to ``compile`` is converted).
    #[getter]
    fn binary<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.binary)
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.module.exports().map(|e| e.name).collect();
        format!(
            "<epsilon.CompiledModule imports={} exports={}>",
            self.module.imports().len(),
            quote_list(&names)
        )
    }
}

/// Compiles (decodes, validates, translates) a module given as a binary (bytes, bytearray,
/// memoryview) or WAT text (str) without instantiating it; raises ``CompileError`` if it is
/// invalid. Pass the result to ``Runtime.instantiate`` any number of times.
#[pyfunction]
pub(crate) fn compile(py: Python<'_>, wasm: &Bound<'_, PyAny>) -> PyResult<CompiledModule> {
    CompiledModule::py_new(py, wasm)
}

/// Like ``compile``, reading the module from a ``.wasm`` (binary) or ``.wat`` (text) file.
#[pyfunction]
pub(crate) fn compile_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<CompiledModule> {
    guard(py, || {
        let path: std::path::PathBuf = py.import("os")?.getattr("fspath")?.call1((path,))?.extract()?;
        let bytes = args::read_file(&path)?;
        CompiledModule::new(py, SharedEngine::get(EngineKey::default()), &bytes)
    })
}
