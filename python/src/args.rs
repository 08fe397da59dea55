//! Parsing the arguments of the API (offsets, page counts, timeouts, fuel, byte buffers,
//! module sources): the first layer, with `errors` and `values` (see `lib.rs`).

use crate::errors::{self, Class};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyString};
use std::time::Duration;

/// The largest memory in pages (65536 pages = 4 GiB, the whole WebAssembly 2.0 range).
pub(crate) const MAX_PAGES: u32 = 65536;

/// Per-call options.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CallOpts {
    pub timeout: Option<Duration>,
    pub fuel: Option<u64>,
}

impl CallOpts {
    /// The options of one call: ``timeout_ms=`` and ``fuel=`` as given to it.
    #[inline]
    pub(crate) fn parse(timeout_ms: Option<f64>, fuel: Option<&Bound<'_, PyAny>>) -> PyResult<CallOpts> {
        if timeout_ms.is_none() && fuel.is_none() {
            // Most calls: no options, nothing to parse.
            return Ok(CallOpts::default());
        }
        Ok(CallOpts { timeout: timeout_arg(timeout_ms)?, fuel: fuel_arg(fuel)? })
    }
}

/// Parses `timeout_ms=` (milliseconds, > 0).
#[inline]
pub(crate) fn timeout_arg(timeout_ms: Option<f64>) -> PyResult<Option<Duration>> {
    match timeout_ms {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms > 0.0 => {
            Ok(Some(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX)))
        }
        Some(ms) => Err(PyValueError::new_err(format!("timeout_ms must be a positive number, got {ms}"))),
    }
}

/// Parses `fuel=` (0 to 2**64-1).
#[inline]
pub(crate) fn fuel_arg(fuel: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(fuel) = fuel else { return Ok(None) };
    if fuel.is_none() {
        return Ok(None);
    }
    let v: i128 = fuel.extract()?;
    u64::try_from(v)
        .map(Some)
        .map_err(|_| PyValueError::new_err(format!("fuel must be between 0 and 2**64-1, got {v}")))
}

/// The largest limit of a 64-bit memory in pages (2**48 pages = 2**64 bytes, memory64).
pub(crate) const MAX_PAGES64: u64 = 1 << 48;

/// Validates a page count given from Python (`what` names it in errors).
pub(crate) fn pages_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u32> {
    pages_arg_up_to(obj, what, u64::from(MAX_PAGES)).map(|v| v as u32)
}

/// Validates a page count given from Python, at most `max` (`what` names it in errors).
pub(crate) fn pages_arg_up_to(obj: &Bound<'_, PyAny>, what: &str, max: u64) -> PyResult<u64> {
    let v: i128 = obj.extract()?;
    if !(0..=i128::from(max)).contains(&v) {
        return Err(PyValueError::new_err(format!("{what} must be between 0 and {max}, got {v}")));
    }
    Ok(v as u64)
}

/// The bytes of a module given as binary (bytes-like) or WAT text (str or bytes).
pub(crate) fn module_bytes(py: Python<'_>, wasm: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = wasm.cast::<PyString>() {
        return Ok(s.to_string().into_bytes());
    }
    if wasm.is_instance_of::<PyBytes>() || wasm.is_instance_of::<PyByteArray>() {
        return bytes_arg(py, wasm, "wasm");
    }
    bytes_arg(py, wasm, "wasm").map_err(|_| {
        let name = wasm.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        errors::new_err(
            py,
            Class::Type,
            format!(
                "wasm must be bytes, bytearray, memoryview (a binary module) or str (WAT text), not {name}"
            ),
        )
    })
}

/// Reads a module file; errors are the `OSError` subclass of the failure, naming the file.
pub(crate) fn read_file(path: &std::path::Path) -> PyResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
        match e.raw_os_error() {
            Some(code) => PyOSError::new_err((code, msg, path.display().to_string())),
            None => PyOSError::new_err(format!("{}: {msg}", path.display())),
        }
    })
}

/// A non-negative offset or length given from Python, as `usize`.
pub(crate) fn index_arg(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<usize> {
    if !obj.is_instance_of::<PyInt>() {
        return errors::fail(
            py,
            Class::Type,
            format!("{what} must be an int, not {}", obj.get_type().name()?),
        );
    }
    match obj.extract::<i128>() {
        Ok(v) if v < 0 => {
            errors::fail(py, Class::MemoryAccess, format!("{what} must not be negative, got {v}"))
        }
        Ok(v) => usize::try_from(v)
            .or_else(|_| errors::fail(py, Class::MemoryAccess, format!("{what} {v} is out of range"))),
        Err(_) => errors::fail(py, Class::MemoryAccess, format!("{what} is out of range")),
    }
}

/// The bytes of a bytes-like object (bytes, bytearray, memoryview, any buffer).
pub(crate) fn bytes_arg(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyInt>() {
        return errors::fail(
            py,
            Class::Type,
            format!("{what} must be a bytes-like object, not {}", obj.get_type().name()?),
        );
    }
    // Anything else exporting a buffer (memoryview, array.array, an epsilon Memory...).
    let view = py.get_type::<pyo3::types::PyMemoryView>().call1((obj,)).map_err(|_| {
        let name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        errors::new_err(py, Class::Type, format!("{what} must be a bytes-like object, not {name}"))
    })?;
    Ok(view.call_method0("tobytes")?.cast_into::<PyBytes>()?.as_bytes().to_vec())
}
