//! Python bindings for the epsilon WebAssembly interpreter (the `epsilon._epsilon` extension).
//!
//! This layer is deliberately thin: it converts values between Python and wasm, maps errors to
//! the Python exception hierarchy, keeps objects alive, and serializes access to each runtime's
//! store. All WebAssembly semantics live in the `epsilon` crate.
//!
//! Threading model: every [`runtime::Runtime`] owns one `epsilon::Store` behind a mutex
//! ([`shared::Shared`]). A call gives the GIL up while wasm runs (lazily: see [`gil`]); Python
//! host functions re-take it.
//! A host function that calls back into its own runtime on the same thread reaches the store
//! through the `Caller` of the running call (see [`shared`]), so that never deadlocks.

// Layers: each module uses only modules of its own layer or of layers above it in this list
// (checked by python/tests/test_layers.py).
// 1. conversions and errors
mod args;
mod errors;
mod values;
// 2. the store a runtime shares with its objects
mod gil;
mod shared;
// 3. objects
mod buffer;
mod compiled;
mod exceptions;
mod externs;
mod function;
mod instance;
mod types;
mod wasi;
// 4. the runtime (linking, instantiation, `epsilon.run`)
mod runtime;

use pyo3::prelude::*;

/// The version of the epsilon runtime crate this extension was built with.
#[pyfunction]
fn version() -> &'static str {
    epsilon::VERSION
}

/// The version of the Python wrapper (the `epsilon-python` crate).
#[pyfunction]
fn wrapper_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Converts WebAssembly text (WAT) to the binary format. Binary input is returned unchanged.
///
/// Raises ``CompileError`` if the text does not parse.
#[pyfunction]
fn wat2wasm<'py>(py: Python<'py>, wat: &Bound<'py, PyAny>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    errors::guard(py, || {
        let text: Vec<u8> = if let Ok(s) = wat.cast::<pyo3::types::PyString>() {
            s.to_string().into_bytes()
        } else {
            args::bytes_arg(py, wat, "wat")?
        };
        let binary = wat::parse_bytes(&text).map_err(|e| {
            errors::new_err(py, errors::Class::Compile, format!("cannot parse WAT text: {e}"))
        })?;
        Ok(pyo3::types::PyBytes::new(py, &binary))
    })
}

/// The compiled part of the ``epsilon`` package; import ``epsilon`` instead.
#[pymodule]
fn _epsilon(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(wrapper_version, m)?)?;
    m.add_function(wrap_pyfunction!(wat2wasm, m)?)?;
    m.add_class::<runtime::Runtime>()?;
    m.add_class::<instance::Instance>()?;
    // `Instance.call` without a tuple of its arguments (see `instance::install_fast_call`).
    instance::install_fast_call(py)?;
    // The seed wrapper's name of the instance type: the same class.
    m.add("Module", m.getattr("Instance")?)?;
    m.add_class::<compiled::CompiledModule>()?;
    m.add_function(wrap_pyfunction!(compiled::compile, m)?)?;
    m.add_function(wrap_pyfunction!(compiled::compile_file, m)?)?;
    m.add_class::<function::Function>()?;
    m.add_class::<externs::MemoryBase>()?;
    m.add("Memory", buffer::memory_type(py)?)?;
    m.add_class::<externs::Table>()?;
    m.add_class::<externs::Global>()?;
    m.add_class::<errors::Frame>()?;
    m.add_class::<types::FuncType>()?;
    m.add_class::<types::MemoryType>()?;
    m.add_class::<types::TableType>()?;
    m.add_class::<types::GlobalType>()?;
    m.add_class::<types::TagType>()?;
    m.add_class::<exceptions::Tag>()?;
    m.add_class::<exceptions::ExnRef>()?;
    m.add("WasmException", exceptions::wasm_exception(m.py())?)?;
    // The shared store (a lower layer) raises uncaught wasm exceptions through this.
    shared::set_exception_converter(exceptions::to_py_err);
    m.add_class::<types::ImportType>()?;
    m.add_class::<types::ExportType>()?;
    m.add_class::<wasi::WasiConfig>()?;
    m.add_class::<runtime::CompletedRun>()?;
    m.add_function(wrap_pyfunction!(runtime::run, m)?)?;
    m.add("PAGE_SIZE", epsilon::PAGE_SIZE)?;
    m.add("MAX_PAGES", args::MAX_PAGES)?;
    Ok(())
}
