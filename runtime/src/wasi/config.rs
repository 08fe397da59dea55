//! [`WasiConfig`]: what a program sees of the world (arguments, environment, directories,
//! standard streams), and the [`WasiCtx`] built from it.

use super::ctx::WasiCtx;
use super::stdio::{Input, Output, OutputBuffer};
use crate::error::{Error, ErrorKind, Result};
use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};
use std::io::{Read, Write};
use std::path::Path;

/// A host directory made visible to the guest under a guest path.
#[derive(Debug)]
pub(crate) struct Preopen {
    pub guest: String,
    pub dir: OwnedFd,
    pub read_only: bool,
}

/// Describes the environment of a WASI program; [`WasiConfig::build`] turns it into the
/// [`WasiCtx`] the host functions use.
///
/// Nothing is shared with the host unless asked for: no arguments, no environment variables,
/// no directories, standard input empty, standard output and error discarded.
///
/// ```
/// use epsilon::wasi::{OutputBuffer, WasiConfig};
/// let out = OutputBuffer::new();
/// let ctx = WasiConfig::new()
///     .args(["prog.wasm", "--verbose"])
///     .env("LANG", "C")
///     .preopen_dir_read_only(std::env::temp_dir(), "/tmp")?
///     .stdin_bytes("input")
///     .stdout_buffer(out.clone())
///     .inherit_stderr()
///     .build();
/// # let _ = ctx;
/// # Ok::<(), epsilon::Error>(())
/// ```
#[derive(Debug)]
pub struct WasiConfig {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) preopens: Vec<Preopen>,
    pub(crate) stdin: Input,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
}

impl Default for WasiConfig {
    fn default() -> Self {
        WasiConfig {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            stdin: Input::Null,
            stdout: Output::Null,
            stderr: Output::Null,
        }
    }
}

impl WasiConfig {
    /// An empty configuration (see the type's documentation).
    pub fn new() -> Self {
        WasiConfig::default()
    }

    /// Appends one argument. The first one is `argv[0]`, conventionally the program's name.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable (a later value for the same name replaces the earlier).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.into()));
        self
    }

    /// Sets environment variables, e.g. `envs(std::env::vars())` to pass the host's on.
    pub fn envs<K: Into<String>, V: Into<String>>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self {
        for (k, v) in vars {
            self = self.env(k, v);
        }
        self
    }

    /// Makes the host directory `host` visible to the guest as `guest` (for example `"/data"`
    /// or `"."`), readable and writable. Everything the guest reaches through it stays inside
    /// `host`: see the [module documentation](super) for the sandbox's rules.
    ///
    /// # Errors
    /// If `host` does not exist, is not a directory or cannot be opened, or `guest` is empty.
    pub fn preopen_dir(self, host: impl AsRef<Path>, guest: impl Into<String>) -> Result<Self> {
        self.preopen(host.as_ref(), guest.into(), false)
    }

    /// Like [`WasiConfig::preopen_dir`], read-only: the guest may read files and list
    /// directories, but every call that would create, write, rename, remove or change
    /// metadata fails with `ENOTCAPABLE`.
    ///
    /// # Errors
    /// As [`WasiConfig::preopen_dir`].
    pub fn preopen_dir_read_only(self, host: impl AsRef<Path>, guest: impl Into<String>) -> Result<Self> {
        self.preopen(host.as_ref(), guest.into(), true)
    }

    fn preopen(mut self, host: &Path, guest: String, read_only: bool) -> Result<Self> {
        if guest.is_empty() {
            return Err(Error::new(ErrorKind::Usage, "the guest path of a preopened directory is empty"));
        }
        let dir = rustix::fs::open(host, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Usage,
                    format!(
                        "cannot preopen directory `{}` as `{guest}`: {}",
                        host.display(),
                        std::io::Error::from(e)
                    ),
                )
            })?;
        self.preopens.push(Preopen { guest, dir, read_only });
        Ok(self)
    }

    /// Standard input comes from `reader`, whose reads may block: they are asked to give up
    /// when the call is interrupted (see [`InterruptibleRead`](super::InterruptibleRead)).
    pub fn stdin_interruptible(mut self, reader: impl super::InterruptibleRead + 'static) -> Self {
        self.stdin = Input::Interruptible(Box::new(reader));
        self
    }

    /// Standard input reads these bytes, then end-of-file.
    pub fn stdin_bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Input::Bytes(std::io::Cursor::new(bytes.into()));
        self
    }

    /// Standard input reads from `reader`.
    pub fn stdin_reader(mut self, reader: impl Read + Send + 'static) -> Self {
        self.stdin = Input::Reader(Box::new(reader));
        self
    }

    /// Standard input is the host process's.
    pub fn inherit_stdin(mut self) -> Self {
        self.stdin = Input::Inherit;
        self
    }

    /// Standard output goes to the host process's standard output.
    pub fn inherit_stdout(mut self) -> Self {
        self.stdout = Output::Stdout;
        self
    }

    /// Standard error goes to the host process's standard error.
    pub fn inherit_stderr(mut self) -> Self {
        self.stderr = Output::Stderr;
        self
    }

    /// Standard input, output and error are the host process's.
    pub fn inherit_stdio(self) -> Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    /// Standard output is appended to `buffer`.
    pub fn stdout_buffer(mut self, buffer: OutputBuffer) -> Self {
        self.stdout = Output::Buffer(buffer);
        self
    }

    /// Standard error is appended to `buffer`.
    pub fn stderr_buffer(mut self, buffer: OutputBuffer) -> Self {
        self.stderr = Output::Buffer(buffer);
        self
    }

    /// Standard output is written to `writer` (flushed after every write).
    pub fn stdout_writer(mut self, writer: impl Write + Send + 'static) -> Self {
        self.stdout = Output::Writer(Box::new(writer));
        self
    }

    /// Standard error is written to `writer` (flushed after every write).
    pub fn stderr_writer(mut self, writer: impl Write + Send + 'static) -> Self {
        self.stderr = Output::Writer(Box::new(writer));
        self
    }

    /// Builds the context: descriptors 0, 1 and 2 are the standard streams, the preopened
    /// directories follow from 3 in the order they were added.
    pub fn build(self) -> WasiCtx {
        WasiCtx::new(self)
    }
}
