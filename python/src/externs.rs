//! Memories, tables and globals as Python objects.

use crate::args::{bytes_arg, index_arg};
use crate::errors::{self, Class, OrPyErr, guard};
use crate::function;
use crate::shared::Shared;
use crate::types;
use crate::values::ConvError;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Who owns an object: its runtime, and the module it was exported from (if any), whose
/// `close()` makes it unusable too.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub shared: Arc<Shared>,
    pub module_closed: Option<Arc<AtomicBool>>,
}

impl Owner {
    pub(crate) fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        if self.module_closed.as_ref().is_some_and(|c| c.load(Ordering::Acquire)) {
            return Err(errors::closed(py, "Module"));
        }
        if self.shared.is_closed() {
            return Err(errors::closed(py, "Runtime"));
        }
        Ok(())
    }
}

/// Reads `length` bytes at `offset` of `memory`.
pub(crate) fn read_memory(
    py: Python<'_>,
    shared: &Shared,
    memory: epsilon::Memory,
    offset: &Bound<'_, PyAny>,
    length: &Bound<'_, PyAny>,
) -> PyResult<Py<PyBytes>> {
    let offset = index_arg(py, offset, "offset")?;
    let length = index_arg(py, length, "length")?;
    shared.with_store(py, |store| {
        let size = memory.data_size(&*store).py(py)?;
        if offset.checked_add(length).is_none_or(|end| end > size) {
            return errors::fail(
                py,
                Class::MemoryAccess,
                format!("reading {length} bytes at offset {offset} is outside the memory of {size} bytes"),
            );
        }
        let data = &memory.data(store).py(py)?[offset..offset + length];
        Ok(PyBytes::new(py, data).unbind())
    })
}

/// Writes `data` at `offset` of `memory`; returns the number of bytes written.
pub(crate) fn write_memory(
    py: Python<'_>,
    shared: &Shared,
    memory: epsilon::Memory,
    offset: &Bound<'_, PyAny>,
    data: &Bound<'_, PyAny>,
) -> PyResult<usize> {
    let offset = index_arg(py, offset, "offset")?;
    let bytes = bytes_arg(py, data, "data")?;
    shared.with_store(py, |store| {
        memory.write(&mut *store, offset, &bytes).map_err(|_| {
            let size = memory.data_size(&*store).unwrap_or(0);
            errors::new_err(
                py,
                Class::MemoryAccess,
                format!(
                    "writing {} bytes at offset {offset} is outside the memory of {size} bytes",
                    bytes.len()
                ),
            )
        })?;
        Ok(bytes.len())
    })
}

/// A linear memory. ``memoryview(memory)`` gives a zero-copy, writable view of its bytes.
///
/// This is the implementation base of ``epsilon.Memory`` (which adds the buffer protocol);
/// get memories from ``Module.get_memory()`` or ``Runtime.new_memory()``.
#[pyclass(name = "_MemoryBase", module = "epsilon", subclass, frozen)]
#[derive(Debug)]
pub(crate) struct MemoryBase {
    pub(crate) owner: Owner,
    pub(crate) memory: epsilon::Memory,
}

/// Carries the fields of a new `Memory` into its constructor (see `buffer::new_memory`).
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct MemoryInit {
    pub(crate) fields: Mutex<Option<(Owner, epsilon::Memory)>>,
}

#[pymethods]
impl MemoryBase {
    #[new]
    fn __new__(py: Python<'_>, init: &Bound<'_, PyAny>) -> PyResult<Self> {
        let fields =
            init.cast::<MemoryInit>().ok().and_then(|i| i.get().fields.lock().ok()?.take()).ok_or_else(
                || {
                    errors::new_err(
                        py,
                        Class::Type,
                        "Memory objects come from Module.get_memory() or Runtime.new_memory()",
                    )
                },
            )?;
        Ok(MemoryBase { owner: fields.0, memory: fields.1 })
    }

    /// The current size in 64 KiB pages.
    #[getter]
    fn size(&self, py: Python<'_>) -> PyResult<u64> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner.shared.with_store(py, |store| self.memory.size(&*store).py(py))
        })
    }

    /// The current size in bytes.
    #[getter]
    fn data_size(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner.shared.with_store(py, |store| self.memory.data_size(&*store).py(py))
        })
    }

    /// The memory's type (``min`` is the current size).
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<types::MemoryType> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner
                .shared
                .with_store(py, |store| Ok(types::MemoryType { ty: self.memory.ty(&*store).py(py)? }))
        })
    }

    /// Grows the memory by ``delta`` pages and returns the previous size in pages.
    ///
    /// Raises ``EpsilonError`` if the memory cannot grow that much (its maximum, the runtime's
    /// ``max_memory_pages``, or, while a buffer is exported, the reserved capacity).
    fn grow(&self, py: Python<'_>, delta: &Bound<'_, PyAny>) -> PyResult<u64> {
        guard(py, || {
            self.owner.check_open(py)?;
            let delta = index_arg(py, delta, "delta")?;
            let delta = u64::try_from(delta)
                .or_else(|_| errors::fail(py, Class::Base, format!("cannot grow memory by {delta} pages")))?;
            self.owner.shared.with_store(py, |store| {
                self.memory
                    .grow(&mut *store, delta)
                    .map_err(|e| errors::new_err(py, Class::Base, e.to_string()))
            })
        })
    }

    /// Reads ``length`` bytes starting at ``offset``.
    fn read(
        &self,
        py: Python<'_>,
        offset: &Bound<'_, PyAny>,
        length: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyBytes>> {
        guard(py, || {
            self.owner.check_open(py)?;
            read_memory(py, &self.owner.shared, self.memory, offset, length)
        })
    }

    /// Writes the bytes-like ``data`` at ``offset``; returns the number of bytes written.
    fn write(&self, py: Python<'_>, offset: &Bound<'_, PyAny>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        guard(py, || {
            self.owner.check_open(py)?;
            write_memory(py, &self.owner.shared, self.memory, offset, data)
        })
    }

    /// A zero-copy, writable view (PEP 688; ``memoryview(memory)`` works on every version).
    #[pyo3(signature = (flags, /))]
    fn __buffer__<'py>(slf: &Bound<'py, Self>, flags: i32) -> PyResult<Bound<'py, PyAny>> {
        let _ = flags;
        slf.py().get_type::<pyo3::types::PyMemoryView>().call1((slf,))
    }

    /// Releases a view obtained with ``__buffer__``.
    #[pyo3(signature = (buffer, /))]
    fn __release_buffer__(&self, buffer: &Bound<'_, PyAny>) -> PyResult<()> {
        buffer.call_method0("release").map(drop)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.size(py) {
            Ok(pages) => format!("<epsilon.Memory pages={pages}>"),
            Err(_) => "<epsilon.Memory (closed)>".to_string(),
        }
    }
}

/// A table of references (``funcref``: ``Function`` or ``None``; ``externref``: any object).
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) owner: Owner,
    pub(crate) table: epsilon::Table,
}

#[pymethods]
impl Table {
    /// The current number of elements.
    #[getter]
    fn size(&self, py: Python<'_>) -> PyResult<u32> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner.shared.with_store(py, |store| self.table.size(&*store).py(py))
        })
    }

    /// The table's type (``min`` is the current size).
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<types::TableType> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner
                .shared
                .with_store(py, |store| Ok(types::TableType { ty: self.table.ty(&*store).py(py)? }))
        })
    }

    /// The element at ``index``.
    fn get<'py>(&self, py: Python<'py>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.owner.check_open(py)?;
            let index = index_arg(py, index, "index")?;
            self.owner.shared.with_store(py, |store| {
                let size = self.table.size(&*store).py(py)?;
                let v = u32::try_from(index).ok().and_then(|i| self.table.get(&*store, i).ok()).ok_or_else(
                    || {
                        errors::new_err(
                            py,
                            Class::MemoryAccess,
                            format!("table index {index} is out of bounds (size {size})"),
                        )
                    },
                )?;
                function::to_py(py, &self.owner.shared, store, &v)
            })
        })
    }

    /// Sets the element at ``index`` to ``value``.
    fn set(&self, py: Python<'_>, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            self.owner.check_open(py)?;
            let index = index_arg(py, index, "index")?;
            self.owner.shared.with_store(py, |store| {
                let size = self.table.size(&*store).py(py)?;
                let element = self.table.ty(&*store).py(py)?.element;
                let v = function::to_val(&self.owner.shared, store, value, element.into())
                    .map_err(|e| e.into_pyerr(py, "Table.set"))?;
                let i = u32::try_from(index).unwrap_or(u32::MAX);
                match self.table.set(&mut *store, i, v) {
                    // A typed table refuses a value of another type (null, a function of
                    // another type).
                    Err(e) if e.kind() == epsilon::ErrorKind::Type => Err(e).py(py),
                    Err(_) => errors::fail(
                        py,
                        Class::MemoryAccess,
                        format!("table index {index} is out of bounds (size {size})"),
                    ),
                    Ok(()) => Ok(()),
                }
            })
        })
    }

    /// Grows the table by ``delta`` elements set to ``init``; returns the previous size.
    #[pyo3(signature = (delta, init=None))]
    fn grow(
        &self,
        py: Python<'_>,
        delta: &Bound<'_, PyAny>,
        init: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u32> {
        guard(py, || {
            self.owner.check_open(py)?;
            let delta = index_arg(py, delta, "delta")?;
            let delta = u32::try_from(delta).or_else(|_| {
                errors::fail(py, Class::Base, format!("cannot grow table by {delta} elements"))
            })?;
            self.owner.shared.with_store(py, |store| {
                let element = self.table.ty(&*store).py(py)?.element;
                let none = py.None().into_bound(py);
                let v = function::to_val(&self.owner.shared, store, init.unwrap_or(&none), element.into())
                    .map_err(|e| e.into_pyerr(py, "Table.grow"))?;
                match self.table.grow(&mut *store, delta, v) {
                    Err(e) if e.kind() == epsilon::ErrorKind::Type => Err(e).py(py),
                    other => other.map_err(|e| errors::new_err(py, Class::Base, e.to_string())),
                }
            })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.size(py) {
            Ok(n) => format!("<epsilon.Table size={n}>"),
            Err(_) => "<epsilon.Table (closed)>".to_string(),
        }
    }
}

/// A global variable; read and (if mutable) write it through ``value``.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct Global {
    pub(crate) owner: Owner,
    pub(crate) global: epsilon::Global,
}

/// Reads a global as a Python value.
pub(crate) fn global_get<'py>(
    py: Python<'py>,
    shared: &Arc<Shared>,
    global: epsilon::Global,
) -> PyResult<Bound<'py, PyAny>> {
    shared.with_store(py, |store| {
        let v = global.get(&*store).py(py)?;
        function::to_py(py, shared, store, &v)
    })
}

/// Sets a mutable global from a Python value; `what` names it in errors.
pub(crate) fn global_set(
    py: Python<'_>,
    shared: &Arc<Shared>,
    global: epsilon::Global,
    value: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<()> {
    shared.with_store(py, |store| {
        let ty = global.ty(&*store).py(py)?;
        if !ty.is_mutable() {
            return errors::fail(py, Class::Type, format!("{what} is immutable ({ty})"));
        }
        let v = function::to_val(shared, store, value, ty.content)
            .map_err(|e: ConvError| e.into_pyerr(py, &format!("{what} ({ty})")))?;
        global.set(&mut *store, v).map_err(|e| errors::from_epsilon(py, &e))
    })
}

#[pymethods]
impl Global {
    /// The global's type.
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<types::GlobalType> {
        guard(py, || {
            self.owner.check_open(py)?;
            self.owner
                .shared
                .with_store(py, |store| Ok(types::GlobalType { ty: self.global.ty(&*store).py(py)? }))
        })
    }

    /// The current value (settable if the global is mutable).
    #[getter]
    fn get_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            self.owner.check_open(py)?;
            global_get(py, &self.owner.shared, self.global)
        })
    }

    #[setter]
    fn set_value(&self, py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        guard(py, || {
            self.owner.check_open(py)?;
            let value = value.ok_or_else(|| PyValueError::new_err("cannot delete a global's value"))?;
            global_set(py, &self.owner.shared, self.global, value, "the global")
        })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.get_value(py).and_then(|v| Ok(v.repr()?.to_string())) {
            Ok(v) => format!("<epsilon.Global value={v}>"),
            Err(_) => "<epsilon.Global (closed)>".to_string(),
        }
    }
}
