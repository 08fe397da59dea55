//! `epsilon.Memory`: the buffer protocol over a wasm linear memory, zero-copy and writable.
//!
//! PyO3 supports `__getbuffer__` only when built for the Python 3.11+ stable ABI, and this
//! extension targets the 3.9 stable ABI. So `Memory` is created here with
//! `PyType_FromSpecWithBases` as a subclass of the PyO3 class `_MemoryBase` (which has all the
//! methods) that adds the two buffer slots. The slot numbers (`Py_bf_getbuffer` = 1,
//! `Py_bf_releasebuffer` = 2) and the layout of `Py_buffer` are the same in every CPython 3.x,
//! and `PyType_FromSpec` accepts buffer slots at run time since CPython 3.9.
//!
//! Each export pins the memory (`epsilon::Memory::pin`), so its bytes never move while a
//! view exists: growth beyond the capacity reserved when pinning fails instead. The view keeps
//! the `Memory` object (and through it the store) alive; the release unpins.

use crate::errors::{self, OrPyErr};
use crate::externs::{MemoryBase, MemoryInit, Owner};
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use std::ffi::{c_char, c_int, c_void};
use std::sync::Mutex;

/// The stable layout of CPython's `Py_buffer`.
#[repr(C)]
struct RawBuffer {
    buf: *mut c_void,
    obj: *mut ffi::PyObject,
    len: ffi::Py_ssize_t,
    itemsize: ffi::Py_ssize_t,
    readonly: c_int,
    ndim: c_int,
    format: *mut c_char,
    shape: *mut ffi::Py_ssize_t,
    strides: *mut ffi::Py_ssize_t,
    suboffsets: *mut ffi::Py_ssize_t,
    internal: *mut c_void,
}

const PYBUF_FORMAT: c_int = 0x0004;
const PYBUF_ND: c_int = 0x0008;
const PYBUF_STRIDES: c_int = 0x0010 | PYBUF_ND;
const SLOT_BF_GETBUFFER: c_int = 1;
const SLOT_BF_RELEASEBUFFER: c_int = 2;

static MEMORY_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

const MEMORY_DOC: &std::ffi::CStr = c"A linear memory of a wasm module or runtime.\n\n\
``memoryview(memory)`` is a zero-copy, writable view of its bytes (format 'B'); writes are \
visible to wasm at once. While a view exists the memory is pinned: its bytes stay in place, \
and growth beyond the capacity reserved for the memory's maximum size fails. Do not write \
through a view while wasm runs in another thread.\n\n\
Also: ``size`` (pages), ``data_size`` (bytes), ``type``, ``grow(delta)``, ``read(offset, \
length)``, ``write(offset, data)``.";

/// The `epsilon.Memory` type object.
pub(crate) fn memory_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    let ty = MEMORY_TYPE.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        let base = py.get_type::<MemoryBase>();
        let bases = PyTuple::new(py, [base])?;
        let mut slots = [
            ffi::PyType_Slot { slot: SLOT_BF_GETBUFFER, pfunc: getbuffer as *mut c_void },
            ffi::PyType_Slot { slot: SLOT_BF_RELEASEBUFFER, pfunc: releasebuffer as *mut c_void },
            ffi::PyType_Slot { slot: ffi::Py_tp_doc, pfunc: MEMORY_DOC.as_ptr() as *mut c_void },
            ffi::PyType_Slot::default(),
        ];
        let mut spec = ffi::PyType_Spec {
            // CPython keeps a pointer to the name: it must be static.
            name: c"epsilon.Memory".as_ptr(),
            basicsize: 0,
            itemsize: 0,
            flags: ffi::Py_TPFLAGS_DEFAULT as std::ffi::c_uint,
            slots: slots.as_mut_ptr(),
        };
        // SAFETY: `spec` and `slots` are valid for the duration of the call (CPython copies
        // what it keeps, except the static name), `bases` is a live tuple, and we hold the GIL.
        // The slot functions have the signatures CPython expects for these slot numbers.
        let raw = unsafe { ffi::PyType_FromSpecWithBases(&mut spec, bases.as_ptr()) };
        // SAFETY: `raw` is a new reference or null with an exception set.
        let obj = unsafe { Bound::from_owned_ptr_or_err(py, raw)? };
        Ok(obj.cast_into::<PyType>()?.unbind())
    })?;
    Ok(ty.bind(py))
}

/// Creates an `epsilon.Memory` object for `memory`.
pub(crate) fn new_memory<'py>(
    py: Python<'py>,
    owner: Owner,
    memory: epsilon::Memory,
) -> PyResult<Bound<'py, PyAny>> {
    let init = Bound::new(py, MemoryInit { fields: Mutex::new(Some((owner, memory))) })?;
    memory_type(py)?.call1((init,))
}

/// `bf_getbuffer`: pins the memory and describes its bytes as a one-dimensional `B` array.
unsafe extern "C" fn getbuffer(obj: *mut ffi::PyObject, view: *mut RawBuffer, flags: c_int) -> c_int {
    // SAFETY: CPython calls buffer slots with the GIL held.
    let py = unsafe { Python::assume_attached() };
    if view.is_null() {
        PyBufferError::new_err("a NULL view was passed to getbuffer").restore(py);
        return -1;
    }
    let exported = errors::guard(py, || {
        // SAFETY: `obj` is the object whose slot is called: a live, borrowed reference.
        let any = unsafe { Bound::from_borrowed_ptr(py, obj) };
        let memory = any.cast::<MemoryBase>()?.get();
        memory.owner.check_open(py)?;
        let m = memory.memory;
        let (ptr, len) = memory.owner.shared.with_store(py, |store| {
            m.pin(&mut *store).map_err(|e| {
                PyBufferError::new_err(format!(
                    "cannot export the memory as a buffer: {e} (give the memory a maximum \
                     size or create the Runtime with max_memory_pages)"
                ))
            })?;
            Ok((m.data_ptr(&mut *store).py(py)?, m.data_size(&*store).py(py)?))
        })?;
        memory.owner.shared.buffer_exported();
        Ok((ptr, len))
    });
    let (ptr, len) = match exported {
        Ok(v) => v,
        Err(e) => {
            e.restore(py);
            // SAFETY: `view` is non-null and points to a `Py_buffer` owned by the caller.
            unsafe { (*view).obj = std::ptr::null_mut() };
            return -1;
        }
    };
    // SAFETY: `view` is non-null and points to a `Py_buffer` the caller owns; we fill every
    // field. `obj` gets a new (strong) reference, released by `PyBuffer_Release`. `shape` and
    // `strides` point into the view itself, as `PyBuffer_FillInfo` does. The memory is pinned
    // above, so `ptr` stays valid for `len` bytes until `releasebuffer` unpins it, and the
    // reference in `obj` keeps the runtime's store (which owns the bytes) alive until then.
    // Writes through the view race with wasm running on another thread; that is documented
    // as the user's responsibility, as for any shared buffer.
    unsafe {
        ffi::Py_IncRef(obj);
        let v = &mut *view;
        v.buf = ptr.cast();
        v.obj = obj;
        v.len = len as ffi::Py_ssize_t;
        v.itemsize = 1;
        v.readonly = 0;
        v.ndim = 1;
        v.format =
            if flags & PYBUF_FORMAT != 0 { c"B".as_ptr() as *mut c_char } else { std::ptr::null_mut() };
        v.shape = if flags & PYBUF_ND != 0 { &mut v.len } else { std::ptr::null_mut() };
        v.strides =
            if flags & PYBUF_STRIDES == PYBUF_STRIDES { &mut v.itemsize } else { std::ptr::null_mut() };
        v.suboffsets = std::ptr::null_mut();
        v.internal = std::ptr::null_mut();
    }
    0
}

/// `bf_releasebuffer`: unpins the memory.
unsafe extern "C" fn releasebuffer(obj: *mut ffi::PyObject, _view: *mut RawBuffer) {
    // SAFETY: CPython calls buffer slots with the GIL held.
    let py = unsafe { Python::assume_attached() };
    let _ = errors::guard(py, || {
        // SAFETY: `obj` is the exporting object, kept alive by the view being released.
        let any = unsafe { Bound::from_borrowed_ptr(py, obj) };
        let memory = any.cast::<MemoryBase>()?.get();
        let m = memory.memory;
        memory.owner.shared.buffer_released(py, |store| {
            let _ = m.unpin(store);
        });
        Ok(())
    });
    // A release cannot fail; drop any error a callee may have left set.
    let _ = PyErr::take(py);
}
