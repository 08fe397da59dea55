//! Calls that CPython makes without a tuple of the arguments.
//!
//! pyo3 gives `__call__` its positional arguments as a tuple, which CPython builds for each call
//! (`_PyObject_MakeTpCall`) and pyo3 then unpacks: for a small call that is about a quarter of
//! its cost (callgrind, `add(i32, i32)`: ~400 of ~1850 instructions). The vectorcall protocol
//! (PEP 590) passes them as an array instead, so `Function` objects implement it: each object
//! holds a pointer to [`function_vectorcall`], and [`new_function`] marks the type as a
//! vectorcall type the first time it creates one.
//!
//! pyo3 cannot declare a vectorcall type, and before Python 3.12 neither can the limited API,
//! but the protocol and the type object's fields are the same from Python 3.8 on: `install` sets
//! the two fields in place (`tp_vectorcall_offset`, and the flag in `tp_flags`) after checking
//! that the type object has the layout they are part of (`TypeHead`), against the values the
//! limited API reads. Where the check fails, calls keep going through pyo3's `tp_call`, as
//! before. The same `install` also marks the type immutable, as it would be in Python 3.14's
//! limited API.
//!
//! The call enters through pyo3's own trampoline for `METH_FASTCALL` functions (from
//! `pyo3::impl_`, the items pyo3's macros expand to; the workspace pins pyo3's version): it
//! counts the thread as attached for the call, so that a `Py` dropped during it is released at
//! once and not queued for pyo3's next entry, and turns a panic into an exception.
//!
//! A call with keyword arguments (`timeout_ms=`, `fuel=`) goes on to pyo3's `tp_call`, whose
//! parsing and messages stay the only ones. (`Module.call` takes its arguments as an array too,
//! as a `METH_FASTCALL` method: see `instance::install_fast_call`.)

use super::{CallArgs, FastArgs, Function, Shape};
use crate::args::CallOpts;
use crate::errors;
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_char, c_ulong, c_void};
use std::sync::atomic::{AtomicBool, Ordering};

/// The bit of a vectorcall's `nargsf` that is not part of the count (`PyVectorcall_NARGS`).
const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

/// `Py_TPFLAGS_HAVE_VECTORCALL`: the type's objects are called through the function pointer at
/// `tp_vectorcall_offset` (bit 11 from Python 3.8 on).
const HAVE_VECTORCALL: c_ulong = 1 << 11;

/// `Py_TPFLAGS_IMMUTABLETYPE` (Python 3.10 on): the type's attributes cannot be set, so
/// `Function.__call__` cannot be replaced behind the vectorcall function's back (Python 3.12
/// and later would drop the vectorcall flag then; 3.10 and 3.11 would not).
const IMMUTABLE_TYPE: c_ulong = 1 << 8;

/// The start of CPython's `PyTypeObject` up to `tp_flags`, as it is from Python 3.8 on (in
/// builds without `Py_TRACE_REFS`; `install` checks it before writing).
#[repr(C)]
struct TypeHead {
    ob_refcnt: isize,
    ob_type: *mut c_void,
    ob_size: isize,
    tp_name: *const c_char,
    tp_basicsize: isize,
    tp_itemsize: isize,
    tp_dealloc: *mut c_void,
    tp_vectorcall_offset: isize,
    tp_getattr: *mut c_void,
    tp_setattr: *mut c_void,
    tp_as_async: *mut c_void,
    tp_repr: *mut c_void,
    tp_as_number: *mut c_void,
    tp_as_sequence: *mut c_void,
    tp_as_mapping: *mut c_void,
    tp_hash: *mut c_void,
    tp_call: *mut c_void,
    tp_str: *mut c_void,
    tp_getattro: *mut c_void,
    tp_setattro: *mut c_void,
    tp_as_buffer: *mut c_void,
    tp_flags: c_ulong,
}

/// Whether `install` ran (the first `Function` object was created), whatever it found.
static INSTALL_TRIED: AtomicBool = AtomicBool::new(false);

/// A new Python object for `function`; the first one also makes `Function` a vectorcall type.
pub(crate) fn new_function(py: Python<'_>, function: Function) -> PyResult<Bound<'_, Function>> {
    let object = Bound::new(py, function)?;
    // The GIL serializes this: the abi3 extension never runs without it.
    if !INSTALL_TRIED.swap(true, Ordering::Relaxed) {
        install(&object);
    }
    Ok(object)
}

/// Marks `Function`'s type as a vectorcall type whose function pointer is at the offset of
/// `Function::vectorcall` in `object`; changes nothing if the type object does not have the
/// layout of `TypeHead`.
fn install(object: &Bound<'_, Function>) {
    let field = std::ptr::from_ref(&object.get().vectorcall) as isize;
    let offset = field - object.as_ptr() as isize;
    let ty = object.get_type().as_type_ptr();
    // SAFETY: `ty` is a live type object; the `PyType_*` functions are the limited API's.
    let (flags, dealloc, call) = unsafe {
        (
            ffi::PyType_GetFlags(ty),
            ffi::PyType_GetSlot(ty, ffi::Py_tp_dealloc),
            ffi::PyType_GetSlot(ty, ffi::Py_tp_call),
        )
    };
    let head = ty.cast::<TypeHead>();
    // SAFETY: a type object is larger than `TypeHead` in every CPython 3 (`PyTypeObject` has
    // had more than these fields since Python 2); only reads until the layout checked out.
    let laid_out = unsafe {
        (*head).tp_flags == flags
            && (*head).tp_dealloc == dealloc
            && (*head).tp_call == call
            && (*head).tp_vectorcall_offset == 0
            && offset > 0
            && offset + size_of::<super::VectorcallFunc>() as isize <= (*head).tp_basicsize
    };
    if !laid_out || call.is_null() || flags & HAVE_VECTORCALL != 0 {
        return;
    }
    // SAFETY: the layout checked out above, so these are the type's `tp_vectorcall_offset` and
    // `tp_flags`; the GIL is held, and no other thread reads a type object without it. Every
    // `Function` object holds `function_vectorcall` at `offset` (set by `Function::new`).
    unsafe {
        (*head).tp_vectorcall_offset = offset;
        (*head).tp_flags |= HAVE_VECTORCALL | IMMUTABLE_TYPE;
        ffi::PyType_Modified(ty);
    }
}

/// Calls a `Function` as CPython does through the vectorcall protocol: `nargsf` (less
/// `ARGUMENTS_OFFSET`) positional arguments at `args`, then one value per name in `kwnames` (a
/// tuple, or null for no keywords).
pub(crate) unsafe extern "C" fn function_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // pyo3's trampoline for `METH_FASTCALL` functions, whose arguments are the same but for the
    // flag bit (see the module docs; `Python::attach` would take the thread state again, ~130
    // instructions per call).
    let trampoline =
        pyo3::impl_::trampoline::get_trampoline_function!(fastcall_cfunction_with_keywords, call);
    // SAFETY: CPython calls this with the GIL held and the arguments of the protocol, which
    // `call` takes; the count fits (`PyVectorcall_NARGS`).
    unsafe { trampoline(callable, args, (nargsf & !ARGUMENTS_OFFSET) as ffi::Py_ssize_t, kwnames) }
}

/// The body of `function_vectorcall` (`nargs` without the flag bit).
///
/// # Safety
/// As CPython calls a vectorcall function of a `Function` object: `callable` is one, `args`
/// holds `nargs` positional arguments followed by one value per name of `kwnames` (a tuple or
/// null), all alive for the call.
unsafe fn call(
    py: Python<'_>,
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: alive for the call (the contract).
    let callable = unsafe { Borrowed::from_ptr(py, callable) };
    // SAFETY: the arguments as CPython passes them (the contract).
    let args = unsafe { FastArgs::new(py, args, nargs as usize, kwnames)? };
    errors::guard(py, || {
        let result = if args.keywords.is_some() {
            // With keywords: pyo3's `tp_call`, whose parsing and messages stay the only ones.
            let (tuple, dict) = args.to_tuple_and_dict(None)?;
            // SAFETY: `callable` is a `Function` object (the contract), whose type's `tp_call`
            // slot is pyo3's (a `ternaryfunc`, never null: `install` checked it).
            unsafe {
                let slot = ffi::PyType_GetSlot(ffi::Py_TYPE(callable.as_ptr()), ffi::Py_tp_call);
                let tp_call: ffi::ternaryfunc = std::mem::transmute(slot);
                let dict = dict.as_ref().map_or(std::ptr::null_mut(), |d| d.as_ptr());
                Bound::from_owned_ptr_or_err(py, tp_call(callable.as_ptr(), tuple.as_ptr(), dict))?
            }
        } else {
            let function = callable.cast::<Function>()?.get();
            function.check_open(py)?;
            function.invoke(
                py,
                CallArgs::Array(args.positional),
                CallOpts::default(),
                false,
                Shape::Natural,
            )?
        };
        Ok(result.into_ptr())
    })
}
