//! Standard input, output and error: where each comes from or goes to.

use std::io::{IsTerminal, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

/// Where a program's standard input comes from.
pub(crate) enum Input {
    /// Nothing: reads return end-of-file at once.
    Null,
    /// The host process's standard input.
    Inherit,
    /// These bytes, then end-of-file.
    Bytes(std::io::Cursor<Vec<u8>>),
    /// Any reader.
    Reader(Box<dyn Read + Send>),
    /// A reader that may block and can be asked to give up.
    Interruptible(Box<dyn InterruptibleRead>),
}

/// A source of standard input whose reads may block for long (on a person, a network, another
/// thread) and that can give up when the running call is interrupted.
pub trait InterruptibleRead: Send {
    /// Reads into `buf` like [`Read::read`]. While it waits it should call `stop` every few
    /// milliseconds; when `stop` returns true it must return an error of kind
    /// [`std::io::ErrorKind::Interrupted`] at once (the call then ends with an `interrupted`
    /// trap) and keep whatever it later receives for the next read, so nothing is lost.
    ///
    /// # Errors
    /// Any I/O error, reported to the guest as an errno.
    fn read(&mut self, buf: &mut [u8], stop: &mut dyn FnMut() -> bool) -> std::io::Result<usize>;
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Input::Null => "Null",
            Input::Inherit => "Inherit",
            Input::Bytes(_) => "Bytes",
            Input::Reader(_) => "Reader",
            Input::Interruptible(_) => "Interruptible",
        })
    }
}

impl Input {
    /// Reads once into `buf` (one host read, so an interactive input never blocks for more
    /// than what is available). `stop` tells an interruptible reader to give up.
    pub fn read(&mut self, buf: &mut [u8], stop: &mut dyn FnMut() -> bool) -> std::io::Result<usize> {
        match self {
            Input::Null => Ok(0),
            Input::Inherit => std::io::stdin().lock().read(buf),
            Input::Bytes(c) => c.read(buf),
            Input::Reader(r) => r.read(buf),
            Input::Interruptible(r) => r.read(buf, stop),
        }
    }

    /// Whether a read would not block (everything but the host's standard input).
    pub fn always_ready(&self) -> bool {
        !matches!(self, Input::Inherit)
    }

    /// Bytes known to be available without blocking (for `poll_oneoff`), if known.
    pub fn available(&self) -> u64 {
        match self {
            Input::Bytes(c) => (c.get_ref().len() as u64).saturating_sub(c.position()),
            _ => 0,
        }
    }

    /// Whether it is the host's terminal.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Input::Inherit) && std::io::stdin().is_terminal()
    }
}

/// Where a program's standard output or error goes.
pub(crate) enum Output {
    /// Discarded (writes succeed).
    Null,
    /// The host process's standard output.
    Stdout,
    /// The host process's standard error.
    Stderr,
    /// Appended to a shared buffer the embedder reads.
    Buffer(OutputBuffer),
    /// Any writer.
    Writer(Box<dyn Write + Send>),
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Output::Null => "Null",
            Output::Stdout => "Stdout",
            Output::Stderr => "Stderr",
            Output::Buffer(_) => "Buffer",
            Output::Writer(_) => "Writer",
        })
    }
}

impl Output {
    /// Writes all of `data` and flushes, so output keeps its order with the host's own.
    pub fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Null => Ok(()),
            Output::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(data)?;
                out.flush()
            }
            Output::Stderr => std::io::stderr().lock().write_all(data),
            Output::Buffer(b) => {
                b.lock().extend_from_slice(data);
                Ok(())
            }
            Output::Writer(w) => {
                w.write_all(data)?;
                w.flush()
            }
        }
    }

    /// Whether it is the host's terminal.
    pub fn is_terminal(&self) -> bool {
        match self {
            Output::Stdout => std::io::stdout().is_terminal(),
            Output::Stderr => std::io::stderr().is_terminal(),
            _ => false,
        }
    }
}

/// A growable byte buffer shared between a WASI context (which appends a program's output to
/// it) and the embedder (which reads it, during or after the run). Cloning shares the buffer.
///
/// ```
/// let buffer = epsilon::wasi::OutputBuffer::new();
/// let config = epsilon::wasi::WasiConfig::new().stdout_buffer(buffer.clone());
/// # let _ = config;
/// assert!(buffer.contents().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct OutputBuffer {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl OutputBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        OutputBuffer::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of the bytes written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().clone()
    }

    /// Takes the bytes written so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.lock())
    }

    /// The bytes written so far as text (invalid UTF-8 replaced by U+FFFD).
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.lock()).into_owned()
    }
}
