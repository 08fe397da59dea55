//! Python views of wasm types: function, memory, table and global types, imports and exports.

use crate::values::{parse_type, quote, quote_list, type_name};
use epsilon::{ExternType, Mutability, RefType, ValType};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

fn names(tys: &[ValType]) -> Vec<String> {
    tys.iter().map(|t| type_name(*t).into_owned()).collect()
}

fn compare<T: PartialEq>(a: &T, b: &T, op: CompareOp, py: Python<'_>) -> Py<PyAny> {
    match op {
        CompareOp::Eq => (a == b).into_pyobject(py).map(|b| b.to_owned().into_any().unbind()),
        CompareOp::Ne => (a != b).into_pyobject(py).map(|b| b.to_owned().into_any().unbind()),
        _ => Ok(py.NotImplemented()),
    }
    .unwrap_or_else(|_: std::convert::Infallible| unreachable!())
}

fn hash_of(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The signature of a function: ``params`` and ``results`` as lists of type names.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug, Clone)]
pub(crate) struct FuncType {
    pub(crate) ty: epsilon::FuncType,
}

#[pymethods]
impl FuncType {
    #[new]
    fn new(py: Python<'_>, params: Vec<String>, results: Vec<String>) -> PyResult<Self> {
        let params = params.iter().map(|p| parse_type(py, p)).collect::<PyResult<Vec<_>>>()?;
        let results = results.iter().map(|p| parse_type(py, p)).collect::<PyResult<Vec<_>>>()?;
        Ok(FuncType { ty: epsilon::FuncType::new(params, results) })
    }

    /// The parameter types, e.g. ``['i32', 'i32']``.
    #[getter]
    fn params(&self) -> Vec<String> {
        names(self.ty.params())
    }

    /// The result types, e.g. ``['i32']``.
    #[getter]
    fn results(&self) -> Vec<String> {
        names(self.ty.results())
    }

    fn __str__(&self) -> String {
        format!("func ({}) -> ({})", self.params().join(", "), self.results().join(", "))
    }

    fn __repr__(&self) -> String {
        format!("FuncType(params={}, results={})", quote_list(&self.params()), quote_list(&self.results()))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        match other.cast::<FuncType>() {
            Ok(o) => compare(&self.ty, &o.get().ty, op, py),
            Err(_) => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.ty)
    }
}

/// The limits of a linear memory in 64 KiB pages: ``min`` and ``max`` (``None``: no maximum),
/// and whether it is a 64-bit memory (``memory64``: ``i64`` addresses).
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug, Clone)]
pub(crate) struct MemoryType {
    pub(crate) ty: epsilon::MemoryType,
}

#[pymethods]
impl MemoryType {
    #[new]
    #[pyo3(signature = (min, max=None, *, memory64=false))]
    fn new(min: u64, max: Option<u64>, memory64: bool) -> Self {
        MemoryType { ty: epsilon::MemoryType { min, max, memory64 } }
    }

    /// The minimum (for a live memory: current) size in pages.
    #[getter]
    fn min(&self) -> u64 {
        self.ty.min
    }

    /// The maximum size in pages, or ``None``.
    #[getter]
    fn max(&self) -> Option<u64> {
        self.ty.max
    }

    /// Whether this is a 64-bit memory (``i64`` addresses).
    #[getter]
    fn memory64(&self) -> bool {
        self.ty.memory64
    }

    fn __str__(&self) -> String {
        self.ty.to_string()
    }

    fn __repr__(&self) -> String {
        let index = if self.ty.memory64 { ", memory64=True" } else { "" };
        format!("MemoryType(min={}, max={}{index})", self.ty.min, opt(self.ty.max))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        match other.cast::<MemoryType>() {
            Ok(o) => compare(&self.ty, &o.get().ty, op, py),
            Err(_) => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.ty)
    }
}

fn opt(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "None".to_string(), |v| v.to_string())
}

/// The element type (``'funcref'`` or ``'externref'``) and limits of a table.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug, Clone)]
pub(crate) struct TableType {
    pub(crate) ty: epsilon::TableType,
}

#[pymethods]
impl TableType {
    #[new]
    #[pyo3(signature = (element, min, max=None))]
    fn new(py: Python<'_>, element: &str, min: u32, max: Option<u32>) -> PyResult<Self> {
        Ok(TableType { ty: epsilon::TableType::new(parse_ref_type(py, element)?, min, max) })
    }

    /// ``'funcref'``, ``'externref'`` or a typed reference such as ``'(ref 0)'``.
    #[getter]
    fn element(&self) -> String {
        type_name(self.ty.element.into()).into_owned()
    }

    /// The minimum (for a live table: current) number of elements.
    #[getter]
    fn min(&self) -> u32 {
        self.ty.min
    }

    /// The maximum number of elements, or ``None``.
    #[getter]
    fn max(&self) -> Option<u32> {
        self.ty.max
    }

    fn __str__(&self) -> String {
        self.ty.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "TableType(element={}, min={}, max={})",
            quote(&self.element()),
            self.ty.min,
            opt(self.ty.max)
        )
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        match other.cast::<TableType>() {
            Ok(o) => compare(&self.ty, &o.get().ty, op, py),
            Err(_) => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.ty)
    }
}

pub(crate) fn parse_ref_type(py: Python<'_>, name: &str) -> PyResult<RefType> {
    match parse_type(py, name)? {
        ValType::Ref(r) => Ok(r),
        _ => crate::errors::fail(
            py,
            crate::errors::Class::Type,
            format!(
                "a table holds references ('funcref', 'externref', '(ref func)', ...), not {}",
                quote(name)
            ),
        ),
    }
}

/// The value type (``content``) and mutability of a global.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug, Clone)]
pub(crate) struct GlobalType {
    pub(crate) ty: epsilon::GlobalType,
}

#[pymethods]
impl GlobalType {
    #[new]
    #[pyo3(signature = (content, mutable=false))]
    fn new(py: Python<'_>, content: &str, mutable: bool) -> PyResult<Self> {
        let m = if mutable { Mutability::Var } else { Mutability::Const };
        Ok(GlobalType { ty: epsilon::GlobalType::new(parse_type(py, content)?, m) })
    }

    /// The value type, e.g. ``'i32'``.
    #[getter]
    fn content(&self) -> String {
        type_name(self.ty.content).into_owned()
    }

    /// Whether the global can be set.
    #[getter]
    fn mutable(&self) -> bool {
        self.ty.is_mutable()
    }

    fn __str__(&self) -> String {
        self.ty.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "GlobalType(content={}, mutable={})",
            quote(&self.content()),
            if self.mutable() { "True" } else { "False" }
        )
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        match other.cast::<GlobalType>() {
            Ok(o) => compare(&self.ty, &o.get().ty, op, py),
            Err(_) => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.ty)
    }
}

/// The type of an exception tag: the value types its exceptions carry (``params``).
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug, Clone)]
pub(crate) struct TagType {
    pub(crate) ty: epsilon::TagType,
}

#[pymethods]
impl TagType {
    #[new]
    fn new(py: Python<'_>, params: Vec<String>) -> PyResult<Self> {
        let params = params.iter().map(|p| parse_type(py, p)).collect::<PyResult<Vec<_>>>()?;
        Ok(TagType { ty: epsilon::TagType::new(params) })
    }

    /// The value types of the payload, e.g. ``['i32', 'f64']``.
    #[getter]
    fn params(&self) -> Vec<String> {
        names(self.ty.params())
    }

    fn __str__(&self) -> String {
        self.ty.to_string()
    }

    fn __repr__(&self) -> String {
        format!("TagType(params={})", quote_list(&self.params()))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        match other.cast::<TagType>() {
            Ok(o) => compare(&self.ty, &o.get().ty, op, py),
            Err(_) => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.ty)
    }
}

/// The Python object for an import or export type.
pub(crate) fn extern_type(py: Python<'_>, ty: &ExternType) -> PyResult<Py<PyAny>> {
    Ok(match ty {
        ExternType::Func(t) => Py::new(py, FuncType { ty: t.clone() })?.into_any(),
        ExternType::Memory(t) => Py::new(py, MemoryType { ty: *t })?.into_any(),
        ExternType::Table(t) => Py::new(py, TableType { ty: *t })?.into_any(),
        ExternType::Global(t) => Py::new(py, GlobalType { ty: *t })?.into_any(),
        ExternType::Tag(t) => Py::new(py, TagType { ty: t.clone() })?.into_any(),
    })
}

/// One import a module declares: ``module``, ``name`` and ``type``.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct ImportType {
    module: String,
    name: String,
    ty: Py<PyAny>,
    kind: &'static str,
}

impl ImportType {
    pub(crate) fn new(py: Python<'_>, module: &str, name: &str, ty: &ExternType) -> PyResult<Self> {
        Ok(ImportType {
            module: module.to_string(),
            name: name.to_string(),
            ty: extern_type(py, ty)?,
            kind: ty.kind_name(),
        })
    }
}

#[pymethods]
impl ImportType {
    /// The module name the import is resolved from (the first level of ``imports=``).
    #[getter]
    fn module(&self) -> &str {
        &self.module
    }

    /// The field name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// What kind of item: ``'function'``, ``'memory'``, ``'table'`` or ``'global'``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    /// The expected type: a ``FuncType``, ``MemoryType``, ``TableType`` or ``GlobalType``.
    #[getter]
    fn r#type(&self, py: Python<'_>) -> Py<PyAny> {
        self.ty.clone_ref(py)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("import {}.{}: {}", self.module, self.name, self.ty.bind(py).str()?))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ImportType(module={}, name={}, type={})",
            quote(&self.module),
            quote(&self.name),
            self.ty.bind(py).repr()?
        ))
    }
}

/// One export of a module: ``name`` and ``type``.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct ExportType {
    name: String,
    ty: Py<PyAny>,
    kind: &'static str,
}

impl ExportType {
    pub(crate) fn new(py: Python<'_>, name: &str, ty: &ExternType) -> PyResult<Self> {
        Ok(ExportType { name: name.to_string(), ty: extern_type(py, ty)?, kind: ty.kind_name() })
    }
}

#[pymethods]
impl ExportType {
    /// The export name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// What kind of item: ``'function'``, ``'memory'``, ``'table'`` or ``'global'``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    /// The item's type: a ``FuncType``, ``MemoryType``, ``TableType`` or ``GlobalType``.
    #[getter]
    fn r#type(&self, py: Python<'_>) -> Py<PyAny> {
        self.ty.clone_ref(py)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("export {}: {}", self.name, self.ty.bind(py).str()?))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("ExportType(name={}, type={})", quote(&self.name), self.ty.bind(py).repr()?))
    }
}
