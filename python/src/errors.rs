//! The exception hierarchy and the mapping of `epsilon::Error` onto it.
//!
//! The classes are created at import time with `type(name, bases, namespace)` because several
//! of them derive from two bases (for example `CompileError(EpsilonError, ValueError)`), which
//! `create_exception!` cannot express.

use epsilon::{ErrorKind, TrapKind, WasmBacktrace};
use pyo3::exceptions::{
    PyException, PyIndexError, PyLookupError, PyOverflowError, PyTimeoutError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The exception classes, created once per process.
struct Classes {
    base: Py<PyType>,
    compile: Py<PyType>,
    link: Py<PyType>,
    type_error: Py<PyType>,
    overflow: Py<PyType>,
    memory_access: Py<PyType>,
    export_not_found: Py<PyType>,
    trap: Py<PyType>,
    out_of_fuel: Py<PyType>,
    timeout: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// Which exception class to raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Base,
    Compile,
    Link,
    Type,
    Overflow,
    MemoryAccess,
    ExportNotFound,
    Trap,
    OutOfFuel,
    Timeout,
}

fn make_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: &[Bound<'py, PyType>],
    doc: &str,
    attrs: &[&str],
) -> PyResult<Py<PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "epsilon")?;
    namespace.set_item("__doc__", doc)?;
    for attr in attrs {
        namespace.set_item(*attr, py.None())?;
    }
    let bases = PyTuple::new(py, bases)?;
    let cls = py.get_type::<PyType>().call1((name, bases, namespace))?;
    Ok(cls.cast_into::<PyType>()?.unbind())
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let base = make_class(
            py,
            "EpsilonError",
            &[py.get_type::<PyException>()],
            "Base class of every error raised by epsilon.",
            &[],
        )?;
        let b = base.bind(py).clone();
        let compile = make_class(
            py,
            "CompileError",
            &[b.clone(), py.get_type::<PyValueError>()],
            "The bytes are not a valid WebAssembly module (or WAT text).\n\n\
             ``offset`` is the byte offset of the problem in the binary, or ``None``.",
            &["offset"],
        )?;
        let link = make_class(
            py,
            "LinkError",
            std::slice::from_ref(&b),
            "Instantiation failed: an import is missing or has the wrong type, or a resource \
             limit (such as ``max_memory_pages``) was exceeded.",
            &[],
        )?;
        let type_error = make_class(
            py,
            "EpsilonTypeError",
            &[b.clone(), py.get_type::<PyTypeError>()],
            "A value has the wrong type or the wrong number of values was given.",
            &[],
        )?;
        let overflow = make_class(
            py,
            "EpsilonOverflowError",
            &[type_error.bind(py).clone(), py.get_type::<PyOverflowError>()],
            "A number is out of range for its WebAssembly type (e.g. 2**32 for an i32).\n\n\
             Both an ``EpsilonTypeError`` (so ``except EpsilonError`` catches it) and the \
             built-in ``OverflowError``.",
            &[],
        )?;
        let memory_access = make_class(
            py,
            "MemoryAccessError",
            &[b.clone(), py.get_type::<PyIndexError>()],
            "A memory or table access from Python was out of bounds (or negative).",
            &[],
        )?;
        let export_not_found = make_class(
            py,
            "ExportNotFoundError",
            &[b.clone(), py.get_type::<PyLookupError>()],
            "The module has no export of that name.",
            &[],
        )?;
        let trap = make_class(
            py,
            "Trap",
            std::slice::from_ref(&b),
            "WebAssembly execution trapped.\n\n\
             ``kind`` is the specification's wording of the trap, e.g. \
             ``\"integer divide by zero\"``. ``frames`` is the wasm call stack, innermost \
             first (a list of ``Frame``); the message lists it too.",
            &["kind"],
        )?;
        trap.bind(py).setattr("frames", PyList::empty(py))?;
        let t = trap.bind(py).clone();
        let out_of_fuel = make_class(
            py,
            "OutOfFuelError",
            std::slice::from_ref(&t),
            "Execution ran out of fuel (see ``Runtime(fuel=...)``).",
            &[],
        )?;
        let timeout = make_class(
            py,
            "EpsilonTimeoutError",
            &[t, py.get_type::<PyTimeoutError>()],
            "Execution was stopped because its ``timeout_ms`` passed.",
            &[],
        )?;
        Ok(Classes {
            base,
            compile,
            link,
            type_error,
            overflow,
            memory_access,
            export_not_found,
            trap,
            out_of_fuel,
            timeout,
        })
    })
}

/// The `EpsilonError` class (the base of `WasmException`, see `exceptions`).
pub(crate) fn base_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    Ok(classes(py)?.base.bind(py))
}

/// Creates the classes and adds them to the extension module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = classes(m.py())?;
    for (name, cls) in [
        ("EpsilonError", &c.base),
        ("CompileError", &c.compile),
        ("LinkError", &c.link),
        ("EpsilonTypeError", &c.type_error),
        ("EpsilonOverflowError", &c.overflow),
        ("MemoryAccessError", &c.memory_access),
        ("ExportNotFoundError", &c.export_not_found),
        ("Trap", &c.trap),
        ("OutOfFuelError", &c.out_of_fuel),
        ("EpsilonTimeoutError", &c.timeout),
    ] {
        m.add(name, cls.clone_ref(m.py()))?;
    }
    Ok(())
}

/// Creates an exception of class `class` with `message`.
pub(crate) fn new_err(py: Python<'_>, class: Class, message: impl Into<String>) -> PyErr {
    let message = message.into();
    let make = || -> PyResult<PyErr> {
        let c = classes(py)?;
        let cls = match class {
            Class::Base => &c.base,
            Class::Compile => &c.compile,
            Class::Link => &c.link,
            Class::Type => &c.type_error,
            Class::Overflow => &c.overflow,
            Class::MemoryAccess => &c.memory_access,
            Class::ExportNotFound => &c.export_not_found,
            Class::Trap => &c.trap,
            Class::OutOfFuel => &c.out_of_fuel,
            Class::Timeout => &c.timeout,
        };
        Ok(PyErr::from_value(cls.bind(py).call1((message.as_str(),))?))
    };
    make().unwrap_or_else(|e| e)
}

/// One WebAssembly frame of a trap's backtrace (an item of ``Trap.frames``).
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The function's index in its module (imported functions first).
    #[pyo3(get)]
    func_index: u32,
    /// The function's name from the module's ``name`` section, or None.
    #[pyo3(get)]
    func_name: Option<String>,
    /// The module's name from its ``name`` section, or None.
    #[pyo3(get)]
    module_name: Option<String>,
    /// The byte offset in the module binary of the instruction the frame stands at (the one
    /// that trapped, or the call for outer frames).
    #[pyo3(get)]
    module_offset: Option<usize>,
    /// The same offset relative to the start of the function's body.
    #[pyo3(get)]
    func_offset: Option<usize>,
}

#[pymethods]
impl Frame {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let opt = |o: Option<usize>| o.map_or("None".to_string(), |o| format!("{o:#x}"));
        let name = |n: &Option<String>| -> PyResult<String> {
            match n {
                Some(n) => Ok(PyString::new(py, n).repr()?.to_string()),
                None => Ok("None".to_string()),
            }
        };
        Ok(format!(
            "Frame(func_index={}, func_name={}, module_name={}, module_offset={}, func_offset={})",
            self.func_index,
            name(&self.func_name)?,
            name(&self.module_name)?,
            opt(self.module_offset),
            opt(self.func_offset)
        ))
    }
}

impl Frame {
    fn new(frame: &epsilon::FrameInfo) -> Self {
        Frame {
            func_index: frame.func_index(),
            func_name: frame.func_name().map(String::from),
            module_name: frame.module_name().map(String::from),
            module_offset: frame.module_offset(),
            func_offset: frame.func_offset(),
        }
    }
}

/// Creates a trap exception with its `kind` and `frames` attributes set; the message is
/// followed by the backtrace, one line per frame, as the Rust crate's `{:#}` prints it.
pub(crate) fn trap_err(
    py: Python<'_>,
    class: Class,
    kind: TrapKind,
    message: impl Into<String>,
    trace: &WasmBacktrace,
) -> PyErr {
    let mut message = message.into();
    if !trace.is_empty() {
        message = format!("{message}\nwasm backtrace:\n{trace}");
    }
    let err = new_err(py, class, message);
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it did, the
    // class attributes (None, an empty list) would show through: still a well-formed exception.
    let _ = err.value(py).setattr("kind", kind.message());
    let frames = trace.frames().iter().map(|f| Py::new(py, Frame::new(f))).collect::<PyResult<Vec<_>>>();
    if let Ok(frames) = frames.and_then(|f| PyList::new(py, f)) {
        let _ = err.value(py).setattr("frames", frames);
    }
    err
}

/// Adds the wasm backtrace of a host function's failure to the exception it raised, as a note
/// (``add_note``, Python 3.11 and later) that tracebacks print; the exception is otherwise
/// unchanged.
pub(crate) fn add_trace_note(py: Python<'_>, err: &PyErr, trace: &WasmBacktrace) {
    if trace.is_empty() {
        return;
    }
    let value = err.value(py);
    if value.hasattr("add_note").unwrap_or(false) {
        let _ = value.call_method1("add_note", (format!("wasm backtrace:\n{trace}"),));
    }
}

/// Shorthand for `Err(new_err(..))`.
pub(crate) fn fail<T>(py: Python<'_>, class: Class, message: impl Into<String>) -> PyResult<T> {
    Err(new_err(py, class, message))
}

/// The error raised when a closed object is used.
pub(crate) fn closed(py: Python<'_>, what: &str) -> PyErr {
    new_err(py, Class::Base, format!("{what} is closed"))
}

/// Converts an error of the runtime that is not a trap or host error.
pub(crate) fn from_epsilon(py: Python<'_>, err: &epsilon::Error) -> PyErr {
    let class = match err.kind() {
        ErrorKind::Malformed | ErrorKind::Invalid | ErrorKind::Unsupported => Class::Compile,
        ErrorKind::Link | ErrorKind::Instantiation => Class::Link,
        ErrorKind::Type => Class::Type,
        ErrorKind::OutOfRange => Class::MemoryAccess,
        ErrorKind::Trap(kind) => {
            let class = if kind == TrapKind::OutOfFuel { Class::OutOfFuel } else { Class::Trap };
            return trap_err(py, class, kind, err.to_string(), err.trace());
        }
        _ => Class::Base,
    };
    let e = new_err(py, class, err.to_string());
    if class == Class::Compile {
        let _ = e.value(py).setattr("offset", err.offset());
    }
    e
}

/// Runs `f`, turning a Rust panic into an `EpsilonError` instead of letting it unwind into
/// Python (where PyO3 would raise a `PanicException`, a `BaseException`).
pub(crate) fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(panic_err(py, payload)),
    }
}

/// The `EpsilonError` reporting a caught panic.
pub(crate) fn panic_err(py: Python<'_>, payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let detail = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    };
    new_err(py, Class::Base, format!("internal error in epsilon (please report it): {detail}"))
}

/// A Python exception raised by a host function, carried through wasm frames unchanged.
pub(crate) struct HostException(pub PyErr);

impl std::fmt::Debug for HostException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostException")
    }
}

impl std::fmt::Display for HostException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Python host function raised an exception")
    }
}

impl std::error::Error for HostException {}

/// `.py(py)?` on a runtime `Result`: converts its error with [`from_epsilon`].
pub(crate) trait OrPyErr<T> {
    /// The value, or the error as the matching Python exception.
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrPyErr<T> for epsilon::Result<T> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| from_epsilon(py, &e))
    }
}
