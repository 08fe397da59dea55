//! Exception handling: tags, `exnref` values and `WasmException`, the Python exception an
//! uncaught WebAssembly exception becomes (and that a Python host function raises to throw one
//! into wasm).

use crate::errors::{self, Class, OrPyErr, guard};
use crate::externs::Owner;
use crate::function;
use crate::shared::{PyStore, Shared};
use crate::types;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};
use std::sync::Arc;

/// An exception tag: what ``throw`` names and ``catch`` matches. Get one from
/// ``Module.get_export()`` or ``Runtime.new_tag()``; raise ``WasmException(tag, values)`` from a
/// host function to throw it into wasm.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct Tag {
    pub(crate) owner: Owner,
    pub(crate) tag: epsilon::Tag,
}

#[pymethods]
impl Tag {
    /// The tag's type (the types of the values its exceptions carry).
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<types::TagType> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner.shared.with_store(py, |store| Ok(types::TagType { ty: self.tag.ty(&*store).py(py)? }))
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Tag>()
            .is_ok_and(|o| o.get().tag == self.tag && o.get().owner.shared.id == self.owner.shared.id)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.owner.shared.id, self.tag).hash(&mut h);
        h.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.r#type(py) {
            Ok(t) => format!("<epsilon.Tag {}>", t.ty),
            Err(_) => "<epsilon.Tag (closed)>".to_string(),
        }
    }
}

/// A reference to a caught WebAssembly exception (an ``exnref`` value), as wasm made it with
/// ``catch_ref`` or ``catch_all_ref``. Pass it back to wasm, which can rethrow it.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct ExnRef {
    pub(crate) shared: u64,
    pub(crate) exn: epsilon::ExnRef,
}

#[pymethods]
impl ExnRef {
    fn __repr__(&self) -> &'static str {
        "<epsilon.ExnRef>"
    }
}

/// The `WasmException` class, created once per process from Python source (it has an
/// `__init__` of its own), deriving from `EpsilonError`.
static WASM_EXCEPTION: PyOnceLock<Py<PyType>> = PyOnceLock::new();

const SOURCE: &std::ffi::CStr = c"
class WasmException(EpsilonError):
    '''A WebAssembly exception that no wasm code caught (exception handling).

    ``tag`` is the exception's ``Tag``, ``values`` its payload (a list, one value per
    parameter of the tag's type). A Python host function raises ``WasmException(tag, values)``
    to throw an exception into the wasm code that called it, which can catch it.'''

    def __init__(self, tag, values=()):
        values = list(values)
        super().__init__(tag, values)
        self.tag = tag
        self.values = values

    def __str__(self):
        return 'uncaught wasm exception of %r with values %r' % (self.tag, self.values)

WasmException.__module__ = 'epsilon'
";

/// The `WasmException` class.
pub(crate) fn wasm_exception(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    Ok(WASM_EXCEPTION
        .get_or_try_init(py, || -> PyResult<Py<PyType>> {
            let globals = pyo3::types::PyDict::new(py);
            globals.set_item("EpsilonError", errors::base_class(py)?)?;
            py.run(SOURCE, Some(&globals), None)?;
            let cls = globals.get_item("WasmException")?.ok_or_else(|| {
                errors::new_err(py, Class::Base, "internal error: WasmException was not defined")
            })?;
            Ok(cls.cast_into::<PyType>()?.unbind())
        })?
        .bind(py))
}

/// The `WasmException` for an uncaught exception (an error of kind `Exception`).
pub(crate) fn to_py_err(
    py: Python<'_>,
    shared: &Arc<Shared>,
    store: &PyStore,
    e: &epsilon::Exception,
) -> PyErr {
    let make = || -> PyResult<PyErr> {
        let tag =
            Py::new(py, Tag { owner: Owner { shared: shared.clone(), module_closed: None }, tag: e.tag })?;
        let values =
            e.values.iter().map(|v| function::to_py(py, shared, store, v)).collect::<PyResult<Vec<_>>>()?;
        let values = PyList::new(py, values)?;
        Ok(PyErr::from_value(wasm_exception(py)?.call1((tag, values))?))
    };
    make().unwrap_or_else(|e| e)
}

/// If `err` is a `WasmException` raised by a host function, the exception to throw into wasm
/// (its values converted by the tag's type); `Err` with a Python error if it is malformed.
pub(crate) fn from_py_err(
    py: Python<'_>,
    shared: &Arc<Shared>,
    store: &mut PyStore,
    err: &PyErr,
) -> Option<PyResult<epsilon::Exception>> {
    let class = wasm_exception(py).ok()?;
    let value = err.value(py);
    if !value.is_instance(class).ok()? {
        return None;
    }
    let mut convert = || -> PyResult<epsilon::Exception> {
        let tag = value.getattr("tag")?;
        let Ok(tag) = tag.cast::<Tag>() else {
            return errors::fail(py, Class::Type, "WasmException.tag must be an epsilon.Tag");
        };
        let tag = tag.get();
        if tag.owner.shared.id != shared.id {
            return errors::fail(py, Class::Type, "WasmException.tag belongs to another Runtime");
        }
        let ty = tag.tag.ty(&*store).py(py)?;
        let items: Vec<Bound<'_, PyAny>> = value.getattr("values")?.try_iter()?.collect::<PyResult<_>>()?;
        if items.len() != ty.params().len() {
            return errors::fail(
                py,
                Class::Type,
                format!("WasmException of {ty} raised with {} values", items.len()),
            );
        }
        let mut values = Vec::with_capacity(items.len());
        for (i, (item, t)) in items.iter().zip(ty.params()).enumerate() {
            values.push(
                function::to_val(shared, store, item, *t)
                    .map_err(|e| e.into_pyerr(py, &format!("WasmException value {}", i + 1)))?,
            );
        }
        Ok(epsilon::Exception::new(tag.tag, values))
    };
    Some(convert())
}
