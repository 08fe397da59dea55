//! The crate's error type: small (one pointer), with a kind to match on and a readable message.

use crate::backtrace::WasmBacktrace;
use crate::trap::TrapKind;
use std::fmt;

/// What class of failure an [`Error`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not a well-formed WebAssembly binary, or WAT text failed to parse.
    Malformed,
    /// The module is well-formed but fails validation.
    Invalid,
    /// The module uses something this engine does not implement or a configured limit forbids.
    Unsupported,
    /// An import could not be resolved or has an incompatible type.
    Link,
    /// Instantiation failed for a reason other than a trap (for example a resource ceiling).
    Instantiation,
    /// Execution trapped.
    Trap(TrapKind),
    /// A value passed through the API has the wrong type, or the wrong number of values was passed.
    Type,
    /// An API access to memory or a table was out of range.
    OutOfRange,
    /// A handle from another store was used, or an export was not found.
    Usage,
    /// A host function returned an error.
    Host,
    /// A WebAssembly exception was not caught (exception handling): [`Error::exception`] holds
    /// its tag and payload. A host function returning such an error throws the exception into
    /// the wasm code that called it.
    Exception,
}

struct ErrorInner {
    kind: ErrorKind,
    message: String,
    offset: Option<usize>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    trace: WasmBacktrace,
    exception: Option<crate::exn::Exception>,
}

/// An error from compiling, linking, instantiating or running WebAssembly.
///
/// It is one pointer wide; match on [`Error::kind`], read [`Error::trap_kind`] for traps.
pub struct Error {
    inner: Box<ErrorInner>,
}

/// Shorthand for `std::result::Result<T, epsilon::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Creates an error of the given kind with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                kind,
                message: message.into(),
                offset: None,
                source: None,
                trace: WasmBacktrace::default(),
                exception: None,
            }),
        }
    }

    /// Creates a "module is malformed or invalid" error located at a byte offset.
    pub(crate) fn at_offset(kind: ErrorKind, message: impl Into<String>, offset: usize) -> Self {
        let mut e = Error::new(kind, message);
        e.inner.offset = Some(offset);
        e
    }

    /// Wraps an error raised by a host function; it is returned unchanged to the caller of wasm.
    pub fn host(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        let mut e = Error::new(ErrorKind::Host, error.to_string());
        e.inner.source = Some(Box::new(error));
        e
    }

    /// Creates an error a host function returns to abort execution with a message.
    pub fn host_message(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Host, message)
    }

    /// An uncaught exception (`ErrorKind::Exception`); see [`Exception::into_error`](crate::Exception::into_error).
    pub(crate) fn exception_error(exception: crate::exn::Exception) -> Self {
        let mut e = Error::new(ErrorKind::Exception, "uncaught wasm exception");
        e.inner.exception = Some(exception);
        e
    }

    /// The exception this error carries: an exception that escaped wasm uncaught, or one a
    /// host function throws (see [`Exception::into_error`](crate::Exception::into_error)).
    pub fn exception(&self) -> Option<&crate::exn::Exception> {
        self.inner.exception.as_ref()
    }

    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The trap kind, if this error is a trap.
    pub fn trap_kind(&self) -> Option<TrapKind> {
        match self.inner.kind {
            ErrorKind::Trap(k) => Some(k),
            _ => None,
        }
    }

    /// The message without the kind prefix.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The byte offset in the module binary the error refers to, if known.
    pub fn offset(&self) -> Option<usize> {
        self.inner.offset
    }

    /// Returns the host error this error wraps, if it is of type `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.inner.source.as_ref()?.downcast_ref::<E>()
    }

    /// The WebAssembly call stack the error happened in, innermost frame first: for a trap,
    /// where it trapped and the calls that led there; for an error a host function returned
    /// (or a trap in wasm it called), the call of that host function and the calls below it.
    /// Empty for errors that did not happen while wasm code ran.
    ///
    /// `{:#}` (the alternate `Display`) prints the message followed by this backtrace.
    ///
    /// ```
    /// use epsilon::{Engine, Linker, Module, Store};
    ///
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///   (func $div (export "div") (param i32 i32) (result i32)
    ///     (i32.div_s (local.get 0) (local.get 1))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let div = instance.get_typed_func::<(i32, i32), i32>(&store, "div")?;
    /// let error = div.call(&mut store, (1, 0)).unwrap_err();
    /// let frame = &error.trace().frames()[0];
    /// assert_eq!((frame.func_index(), frame.func_name()), (0, Some("div")));
    /// assert!(format!("{error:#}").starts_with("wasm trap: integer divide by zero\nwasm backtrace:\n    0: "));
    /// # Ok::<(), epsilon::Error>(())
    /// ```
    pub fn trace(&self) -> &WasmBacktrace {
        &self.inner.trace
    }

    /// The backtrace, for the executor to add frames to (outer frames last).
    pub(crate) fn trace_mut(&mut self) -> &mut WasmBacktrace {
        &mut self.inner.trace
    }

    /// Takes the host error this error wraps, if any.
    pub fn into_source(self) -> Option<Box<dyn std::error::Error + Send + Sync + 'static>> {
        self.inner.source
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, message)
    }

    pub(crate) fn type_error(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Type, message)
    }
}

impl From<TrapKind> for Error {
    fn from(kind: TrapKind) -> Self {
        Error::new(ErrorKind::Trap(kind), kind.message())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.inner.kind {
            ErrorKind::Malformed => "malformed module: ",
            ErrorKind::Invalid => "invalid module: ",
            ErrorKind::Unsupported => "unsupported: ",
            ErrorKind::Link => "link error: ",
            ErrorKind::Instantiation => "instantiation failed: ",
            ErrorKind::Trap(_) => "wasm trap: ",
            ErrorKind::Type => "type error: ",
            ErrorKind::OutOfRange => "out of range: ",
            ErrorKind::Usage => "",
            ErrorKind::Host => "",
            ErrorKind::Exception => "",
        };
        write!(f, "{prefix}{}", self.inner.message)?;
        if let Some(offset) = self.inner.offset {
            write!(f, " (at offset {offset:#x})")?;
        }
        if f.alternate() && !self.inner.trace.is_empty() {
            write!(f, "\nwasm backtrace:\n{}", self.inner.trace)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("offset", &self.inner.offset)
            .field("trace", &self.inner.trace.frames())
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.source {
            Some(s) => Some(&**s as &(dyn std::error::Error + 'static)),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn trap_display_uses_spec_text() {
        let e = Error::from(TrapKind::IntegerOverflow);
        assert_eq!(e.to_string(), "wasm trap: integer overflow");
        assert_eq!(e.trap_kind(), Some(TrapKind::IntegerOverflow));
    }

    #[test]
    fn offsets_are_reported_in_hex() {
        let e = Error::at_offset(ErrorKind::Invalid, "type mismatch", 0x2a);
        assert_eq!(e.to_string(), "invalid module: type mismatch (at offset 0x2a)");
        assert_eq!(e.offset(), Some(42));
    }
}
