//! Conversions between Python numbers and wasm values, and how the API names types and
//! functions. References (`funcref`, `externref`) are converted in `function`, which owns the
//! `Function` type they may hold.

use crate::errors::{self, Class};
use epsilon::{F32, F64, FuncType, HeapType, RefType, V128, Val, ValType};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyString};
use std::borrow::Cow;
use std::ffi::c_int;

/// The name of a value type as the Python API spells it: the text format's (`i32`,
/// `funcref`, `(ref func)`, `(ref null 0)`, ...; a concrete type by its index in the module's
/// type section).
pub(crate) fn type_name(ty: ValType) -> Cow<'static, str> {
    match ty {
        ValType::I32 => "i32".into(),
        ValType::I64 => "i64".into(),
        ValType::F32 => "f32".into(),
        ValType::F64 => "f64".into(),
        ValType::V128 => "v128".into(),
        ValType::FuncRef => "funcref".into(),
        ValType::ExternRef => "externref".into(),
        ValType::Ref(r) => r.to_string().into(),
    }
}

/// A string quoted as Python's `repr` would (single quotes).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A list of strings as Python's `repr` would show it.
pub(crate) fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s.as_ref())).collect::<Vec<_>>().join(", "))
}

/// Parses a value type name: the names `type_name` gives.
pub(crate) fn parse_type(py: Python<'_>, name: &str) -> PyResult<ValType> {
    Ok(match name {
        "i32" => ValType::I32,
        "i64" => ValType::I64,
        "f32" => ValType::F32,
        "f64" => ValType::F64,
        "v128" => ValType::V128,
        "funcref" => ValType::FuncRef,
        "externref" => ValType::ExternRef,
        "exnref" => ValType::ExnRef,
        _ => match parse_ref(name) {
            Some(r) => ValType::Ref(r),
            None => {
                return errors::fail(
                    py,
                    Class::Type,
                    format!(
                        "unknown value type {}: expected one of 'i32', 'i64', 'f32', 'f64', \
                         'v128', 'funcref', 'externref', 'exnref' or a reference type such as \
                         '(ref func)', '(ref null extern)', '(ref exn)' or '(ref 0)'",
                        quote(name)
                    ),
                );
            }
        },
    })
}

/// Parses `(ref null? heaptype)`, heaptype `func`, `extern`, `exn` or a type index.
fn parse_ref(name: &str) -> Option<RefType> {
    let inner = name.strip_prefix('(')?.strip_suffix(')')?;
    let mut words = inner.split_whitespace();
    if words.next()? != "ref" {
        return None;
    }
    let mut heap = words.next()?;
    let nullable = heap == "null";
    if nullable {
        heap = words.next()?;
    }
    if words.next().is_some() {
        return None;
    }
    let heap = match heap {
        "func" => HeapType::Func,
        "extern" => HeapType::Extern,
        "exn" => HeapType::Exn,
        index => HeapType::Concrete(index.parse().ok()?),
    };
    Some(RefType::new(nullable, heap))
}

/// `name(i32, i32) -> (i32)`: how error messages name a function.
pub(crate) fn signature(name: &str, ty: &FuncType) -> String {
    let list = |tys: &[ValType]| tys.iter().map(|t| type_name(*t)).collect::<Vec<_>>().join(", ");
    format!("{name}({}) -> ({})", list(ty.params()), list(ty.results()))
}

/// Why a Python value could not be converted.
#[derive(Debug)]
pub(crate) enum ConvError {
    /// The value has the wrong type (becomes `EpsilonTypeError`).
    Type(String),
    /// The value is out of range for its type (becomes `EpsilonOverflowError`, an
    /// `OverflowError` too).
    Overflow(String),
    /// Python raised while converting (for example in `__index__`): re-raised as is.
    Raised(PyErr),
}

impl ConvError {
    /// The Python exception, with `context` in front of the message.
    pub(crate) fn into_pyerr(self, py: Python<'_>, context: &str) -> PyErr {
        match self {
            ConvError::Type(m) => errors::new_err(py, Class::Type, format!("{context}: {m}")),
            ConvError::Overflow(m) => errors::new_err(py, Class::Overflow, format!("{context}: {m}")),
            ConvError::Raised(e) => e,
        }
    }
}

fn type_name_of(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

fn wrong_type(obj: &Bound<'_, PyAny>, want: &str) -> ConvError {
    ConvError::Type(format!("expected {want}, got {}", type_name_of(obj)))
}

/// Extracts an integer in `[min, max]` given as `i128` bounds; rejects floats and strings.
fn int_in_range(obj: &Bound<'_, PyAny>, ty: &str, min: i128, max: i128) -> Result<i128, ConvError> {
    if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyString>() {
        return Err(wrong_type(obj, &format!("an int for {ty}")));
    }
    // Fast path: fits in i64 (the common case).
    match obj.extract::<i64>() {
        Ok(v) => {
            let v = i128::from(v);
            return if v < min || v > max { Err(overflow(v, ty, min, max)) } else { Ok(v) };
        }
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {}
        Err(e) if obj.is_instance_of::<PyInt>() || !e.is_instance_of::<PyTypeError>(obj.py()) => {
            // Raised by the object's own `__index__`: keep it.
            return Err(ConvError::Raised(e));
        }
        Err(_) => {
            // Not an int and no __index__.
            return Err(wrong_type(obj, &format!("an int for {ty}")));
        }
    }
    match obj.extract::<i128>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        Ok(v) => Err(overflow(v, ty, min, max)),
        Err(_) => match obj.extract::<u128>() {
            Ok(v) if max >= 0 && v <= max as u128 => Ok(v as i128),
            _ => Err(ConvError::Overflow(format!(
                "{} is out of range for {ty} (accepted: {min} to {max})",
                obj.str().map(|s| s.to_string()).unwrap_or_default()
            ))),
        },
    }
}

fn overflow(v: i128, ty: &str, min: i128, max: i128) -> ConvError {
    ConvError::Overflow(format!("{v} is out of range for {ty} (accepted: {min} to {max})"))
}

const I32_MIN: i128 = i32::MIN as i128;
const U32_MAX: i128 = u32::MAX as i128;
const I64_MIN: i128 = i64::MIN as i128;
const U64_MAX: i128 = u64::MAX as i128;

/// The value of an `int` (or subclass) that fits in `i64`; `None` for anything else.
fn small_int(obj: &Bound<'_, PyAny>) -> Option<i64> {
    // SAFETY (both checks): `obj` is a live object and the `Bound` proves we hold the GIL.
    // The exact check is a pointer comparison; the subclass check calls into the interpreter.
    if unsafe { ffi::PyLong_CheckExact(obj.as_ptr()) } == 0 && unsafe { ffi::PyLong_Check(obj.as_ptr()) } == 0
    {
        return None;
    }
    let mut overflow: c_int = 0;
    // SAFETY: as above; for an `int`, this cannot fail other than by reporting `overflow`.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
    (overflow == 0).then_some(v)
}

/// Integers for i32/i64 accept both signed and unsigned spellings.
fn extract_i32(obj: &Bound<'_, PyAny>) -> Result<i32, ConvError> {
    if let Some(v) = small_int(obj)
        && (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&v)
    {
        return Ok(v as u32 as i32);
    }
    Ok(int_in_range(obj, "i32", I32_MIN, U32_MAX)? as u32 as i32)
}

fn extract_i64(obj: &Bound<'_, PyAny>) -> Result<i64, ConvError> {
    if let Some(v) = small_int(obj) {
        return Ok(v);
    }
    Ok(int_in_range(obj, "i64", I64_MIN, U64_MAX)? as u64 as i64)
}

fn extract_float(obj: &Bound<'_, PyAny>, ty: &str) -> Result<f64, ConvError> {
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        return Ok(f.value());
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(f.value());
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(wrong_type(obj, &format!("a float or int for {ty}")));
    }
    match obj.extract::<f64>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            Err(ConvError::Overflow(format!("int too large to convert to {ty}")))
        }
        Err(_) => Err(wrong_type(obj, &format!("a float or int for {ty}"))),
    }
}

fn extract_v128(obj: &Bound<'_, PyAny>) -> Result<V128, ConvError> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return bytes16(b.as_bytes());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return bytes16(&b.to_vec());
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        if let Ok(v) = obj.extract::<u128>() {
            return Ok(V128::from_bits(v));
        }
        return match obj.extract::<i128>() {
            Ok(v) => Ok(V128::from_bits(v as u128)),
            Err(_) => {
                Err(ConvError::Overflow("int out of range for v128 (accepted: -2**127 to 2**128-1)".into()))
            }
        };
    }
    Err(wrong_type(obj, "an int or 16 bytes for v128"))
}

fn bytes16(b: &[u8]) -> Result<V128, ConvError> {
    let bytes: [u8; 16] = b
        .try_into()
        .map_err(|_| ConvError::Type(format!("expected 16 bytes for v128, got {} bytes", b.len())))?;
    Ok(V128::from_bytes(bytes))
}

/// An exact `int` that fits in an `i64`; `None` for anything else.
#[inline(always)]
fn exact_i64(obj: &Bound<'_, PyAny>) -> Option<i64> {
    // SAFETY: `obj` is a live object and the `Bound` proves the GIL is held.
    if unsafe { ffi::PyLong_CheckExact(obj.as_ptr()) } == 0 {
        return None;
    }
    let mut overflow: c_int = 0;
    // SAFETY: as above; for an exact `int` this fails only by reporting `overflow`.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
    (overflow == 0).then_some(v)
}

/// An exact `int` in the range of an i32 (signed or unsigned spelling), as its 32 bits.
#[inline(always)]
fn exact_i32(obj: &Bound<'_, PyAny>) -> Option<u32> {
    exact_i64(obj).filter(|v| (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(v)).map(|v| v as u32)
}

/// The common cases of `number_to_val` without its error path (which makes the result large
/// and slow to return): an exact `int` for i32/i64 in range, an exact `float` for f32/f64.
/// `None`: convert with `number_to_val` (or `function::to_val`).
#[inline]
pub(crate) fn fast_number(obj: &Bound<'_, PyAny>, ty: ValType) -> Option<Val> {
    match ty {
        ValType::I32 => exact_i32(obj).map(|v| Val::I32(v as i32)),
        ValType::I64 => exact_i64(obj).map(Val::I64),
        ValType::F32 | ValType::F64 => {
            let f = obj.cast_exact::<PyFloat>().ok()?.value();
            Some(if ty == ValType::F32 {
                Val::F32(F32::from_float(f as f32))
            } else {
                Val::F64(F64::from_float(f))
            })
        }
        _ => None,
    }
}

/// The type of a parameter on the fast path of calls, in one byte: matching on it costs less
/// than on a `ValType` (whose reference variants make its match a range test and a table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumKind {
    I32,
    I64,
    F32,
    F64,
    /// A `v128` or a reference: always converted the general way.
    Other,
}

impl NumKind {
    pub(crate) fn of(ty: ValType) -> Self {
        match ty {
            ValType::I32 => NumKind::I32,
            ValType::I64 => NumKind::I64,
            ValType::F32 => NumKind::F32,
            ValType::F64 => NumKind::F64,
            _ => NumKind::Other,
        }
    }
}

/// `fast_number` straight to the executor's one cell (see `val_to_cells`) for a parameter of
/// kind `kind`: an exact `int` in range for i32/i64, an exact `float` for f32/f64; `None` for
/// anything else (a `v128` included): convert with `number_to_val`.
#[inline]
pub(crate) fn fast_cell(obj: &Bound<'_, PyAny>, kind: NumKind) -> Option<u64> {
    match kind {
        NumKind::I32 => exact_i32(obj).map(u64::from),
        NumKind::I64 => exact_i64(obj).map(|v| v as u64),
        NumKind::F32 => Some(u64::from((obj.cast_exact::<PyFloat>().ok()?.value() as f32).to_bits())),
        NumKind::F64 => Some(obj.cast_exact::<PyFloat>().ok()?.value().to_bits()),
        NumKind::Other => None,
    }
}

/// Writes the executor's cells of number `v` (see `epsilon::Func::call_cells`) to the start of
/// `cells` and returns how many (two for a v128, else one).
#[inline]
pub(crate) fn val_to_cells(v: &Val, cells: &mut [u64]) -> usize {
    let cell = match *v {
        Val::I32(x) => u64::from(x as u32),
        Val::I64(x) => x as u64,
        Val::F32(x) => u64::from(x.to_bits()),
        Val::F64(x) => x.to_bits(),
        Val::V128(x) => {
            let bits = x.to_bits();
            cells[0] = bits as u64;
            cells[1] = (bits >> 64) as u64;
            return 2;
        }
        Val::FuncRef(_) | Val::ExternRef(_) | Val::ExnRef(_) => 0,
    };
    cells[0] = cell;
    1
}

/// The Python value of a number of type `ty` from its cells (as `number_to_py` converts it).
#[inline]
pub(crate) fn cells_to_py<'py>(py: Python<'py>, ty: ValType, cells: &[u64]) -> PyResult<Bound<'py, PyAny>> {
    let cell = cells[0];
    Ok(match ty {
        ValType::I32 => (cell as u32 as i32).into_pyobject(py)?.into_any(),
        ValType::I64 => (cell as i64).into_pyobject(py)?.into_any(),
        ValType::F32 => f64::from(f32::from_bits(cell as u32)).into_pyobject(py)?.into_any(),
        ValType::F64 => f64::from_bits(cell).into_pyobject(py)?.into_any(),
        // One allocation when the high half is zero (pyo3 builds a 128-bit int in four).
        ValType::V128 if cells[1] == 0 => cell.into_pyobject(py)?.into_any(),
        ValType::V128 => (u128::from(cell) | u128::from(cells[1]) << 64).into_pyobject(py)?.into_any(),
        ValType::Ref(_) => py.None().into_bound(py),
    })
}

/// `cells_to_py` of a value of type `ty` whose kind is `kind` (`NumKind::of(ty)`): matching
/// on the kind costs less.
#[inline]
pub(crate) fn kind_cells_to_py<'py>(
    py: Python<'py>,
    kind: NumKind,
    ty: ValType,
    cells: &[u64],
) -> PyResult<Bound<'py, PyAny>> {
    let cell = cells[0];
    Ok(match kind {
        NumKind::I32 => (cell as u32 as i32).into_pyobject(py)?.into_any(),
        NumKind::I64 => (cell as i64).into_pyobject(py)?.into_any(),
        NumKind::F32 => f64::from(f32::from_bits(cell as u32)).into_pyobject(py)?.into_any(),
        NumKind::F64 => f64::from_bits(cell).into_pyobject(py)?.into_any(),
        NumKind::Other => cells_to_py(py, ty, cells)?,
    })
}

/// Converts a Python number to a wasm value of numeric type `ty` (i32, i64, f32, f64, v128);
/// reference types are converted by `function::to_val`.
pub(crate) fn number_to_val(obj: &Bound<'_, PyAny>, ty: ValType) -> Result<Val, ConvError> {
    Ok(match ty {
        ValType::I32 => Val::I32(extract_i32(obj)?),
        ValType::I64 => Val::I64(extract_i64(obj)?),
        ValType::F32 => Val::F32(F32::from_float(extract_float(obj, "f32")? as f32)),
        ValType::F64 => Val::F64(F64::from_float(extract_float(obj, "f64")?)),
        ValType::V128 => Val::V128(extract_v128(obj)?),
        ValType::Ref(_) => {
            return Err(ConvError::Type(format!("{} is not a number type", type_name(ty))));
        }
    })
}

/// Converts a raw bit pattern (`call_raw`) to a value of type `ty`.
pub(crate) fn raw_to_val(obj: &Bound<'_, PyAny>, ty: ValType) -> Result<Val, ConvError> {
    Ok(match ty {
        ValType::I32 => Val::I32(int_in_range(obj, "i32 bits", I32_MIN, U32_MAX)? as u32 as i32),
        ValType::I64 => Val::I64(int_in_range(obj, "i64 bits", I64_MIN, U64_MAX)? as u64 as i64),
        ValType::F32 => Val::F32(F32::from_bits(int_in_range(obj, "f32 bits", I32_MIN, U32_MAX)? as u32)),
        ValType::F64 => Val::F64(F64::from_bits(int_in_range(obj, "f64 bits", I64_MIN, U64_MAX)? as u64)),
        ValType::V128 => Val::V128(extract_v128(obj)?),
        ValType::Ref(_) => {
            return Err(ConvError::Type("call_raw does not support reference types".into()));
        }
    })
}

/// A raw bit pattern (unsigned) of a value, for `call_raw`.
pub(crate) fn val_to_raw<'py>(py: Python<'py>, v: &Val) -> PyResult<Bound<'py, PyAny>> {
    Ok(match *v {
        Val::I32(x) => (x as u32).into_pyobject(py)?.into_any(),
        Val::I64(x) => (x as u64).into_pyobject(py)?.into_any(),
        Val::F32(x) => x.to_bits().into_pyobject(py)?.into_any(),
        Val::F64(x) => x.to_bits().into_pyobject(py)?.into_any(),
        Val::V128(x) => x.to_bits().into_pyobject(py)?.into_any(),
        Val::FuncRef(_) | Val::ExternRef(_) | Val::ExnRef(_) => {
            return errors::fail(py, Class::Type, "call_raw does not support reference types");
        }
    })
}

/// Converts a numeric wasm value to Python: i32/i64 as signed ints, floats, v128 as an
/// unsigned int; `None` for references (see `function::to_py`).
pub(crate) fn number_to_py<'py>(py: Python<'py>, v: &Val) -> Option<PyResult<Bound<'py, PyAny>>> {
    let convert = || -> PyResult<Bound<'py, PyAny>> {
        Ok(match *v {
            Val::I32(x) => x.into_pyobject(py)?.into_any(),
            Val::I64(x) => x.into_pyobject(py)?.into_any(),
            Val::F32(x) => f64::from(x.to_float()).into_pyobject(py)?.into_any(),
            Val::F64(x) => x.to_float().into_pyobject(py)?.into_any(),
            Val::V128(x) => x.to_bits().into_pyobject(py)?.into_any(),
            Val::FuncRef(_) | Val::ExternRef(_) | Val::ExnRef(_) => py.None().into_bound(py),
        })
    };
    match v {
        Val::FuncRef(_) | Val::ExternRef(_) | Val::ExnRef(_) => None,
        _ => Some(convert()),
    }
}
