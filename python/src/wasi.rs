//! WASI preview 1 for Python: `WasiConfig`, `CompletedRun` and `run()`.
//!
//! A `WasiConfig` only describes a program's world (arguments, environment, preopened
//! directories, standard streams). Each module instantiated with one gets a fresh
//! `epsilon::wasi::WasiCtx` built from it, kept in the runtime's store (`HostData::wasi`), and
//! the `wasi_snapshot_preview1` host functions of `epsilon::wasi` bound to that context.
//! Python streams (file objects, callables) are called with the GIL re-taken; an exception
//! they raise is kept and re-raised once the program ends (the program sees `EIO`).

use crate::args::{CallOpts, bytes_arg};
use crate::errors::{self, guard};
use crate::gil;
use crate::shared::{HostData, PyStore, Shared};
use epsilon::wasi::OutputBuffer;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, mpsc};

/// Where standard input comes from.
#[derive(Debug)]
enum InputSpec {
    Null,
    Inherit,
    Bytes(Vec<u8>),
    /// A Python object with `read(n)`.
    Reader(Py<PyAny>),
}

/// Where standard output or error goes.
#[derive(Debug)]
pub(crate) enum OutputSpec {
    /// Not given: inherited (for `run`, distinguishable from an explicit `'inherit'`).
    Unspecified,
    Null,
    Inherit,
    /// A Python object with `write(data)`.
    File(Py<PyAny>),
    /// A Python callable called with each chunk of bytes.
    Callable(Py<PyAny>),
    /// Captured for `run(capture_output=True)`.
    Capture(OutputBuffer),
}

impl<'a, 'py> FromPyObject<'a, 'py> for OutputSpec {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() {
            return Ok(OutputSpec::Null);
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return match &*s.to_cow()? {
                "inherit" => Ok(OutputSpec::Inherit),
                other => Err(PyValueError::new_err(format!(
                    "an output stream must be 'inherit', None, a file object or a callable, not {other:?}"
                ))),
            };
        }
        if obj.hasattr("write")? {
            return Ok(OutputSpec::File(obj.to_owned().unbind()));
        }
        if obj.is_callable() {
            return Ok(OutputSpec::Callable(obj.to_owned().unbind()));
        }
        let name = obj.get_type().name()?;
        Err(PyTypeError::new_err(format!(
            "an output stream must be 'inherit', None, a file object or a callable, not {name}"
        )))
    }
}

impl OutputSpec {
    fn clone_ref(&self, py: Python<'_>) -> OutputSpec {
        match self {
            OutputSpec::Unspecified => OutputSpec::Unspecified,
            OutputSpec::Null => OutputSpec::Null,
            OutputSpec::Inherit => OutputSpec::Inherit,
            OutputSpec::File(f) => OutputSpec::File(f.clone_ref(py)),
            OutputSpec::Callable(f) => OutputSpec::Callable(f.clone_ref(py)),
            OutputSpec::Capture(b) => OutputSpec::Capture(b.clone()),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            OutputSpec::Null => "None",
            OutputSpec::Inherit | OutputSpec::Unspecified => "'inherit'",
            OutputSpec::File(_) => "<file>",
            OutputSpec::Callable(_) => "<callable>",
            OutputSpec::Capture(_) => "<captured>",
        }
    }
}

fn input_spec(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<InputSpec> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(InputSpec::Null) };
    if let Ok(s) = obj.cast::<PyString>() {
        return match &*s.to_cow()? {
            "inherit" => Ok(InputSpec::Inherit),
            _ => Err(PyTypeError::new_err(
                "stdin must be bytes, a file object, 'inherit' or None (encode text to bytes first)",
            )),
        };
    }
    if obj.hasattr("read")? {
        return Ok(InputSpec::Reader(obj.clone().unbind()));
    }
    bytes_arg(py, obj, "stdin")
        .map(InputSpec::Bytes)
        .map_err(|_| PyTypeError::new_err("stdin must be bytes, a file object, 'inherit' or None"))
}

/// A directory made visible to the program.
#[derive(Debug, Clone)]
struct Preopen {
    guest: String,
    host: PathBuf,
    read_only: bool,
}

/// Checks that `host` is a directory we can open, raising the `OSError` subclass that says why
/// not (`FileNotFoundError`, `NotADirectoryError`, `PermissionError`).
fn check_dir(host: &std::path::Path) -> PyResult<()> {
    std::fs::read_dir(host).map(drop).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
        match e.raw_os_error() {
            Some(code) => PyOSError::new_err((code, msg, host.display().to_string())),
            None => PyOSError::new_err(format!("{}: {msg}", host.display())),
        }
    })
}

fn preopens_arg(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Preopen>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Vec::new()) };
    let fspath = py.import("os")?.getattr("fspath")?;
    let bad = || {
        PyTypeError::new_err(
            "preopens must map guest paths to host directories: {'/guest': 'host/dir'} or \
             {'/guest': ('host/dir', 'ro')}",
        )
    };
    let items = obj.call_method0("items").map_err(|_| bad())?;
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let (guest, value): (String, Bound<'_, PyAny>) = item?.extract().map_err(|_| bad())?;
        let (host, mode) = if let Ok(t) = value.cast::<PyTuple>() {
            let (host, mode): (Bound<'_, PyAny>, String) = t.extract().map_err(|_| bad())?;
            (host, mode)
        } else {
            (value, "rw".to_string())
        };
        let read_only = match mode.as_str() {
            "ro" => true,
            "rw" => false,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "preopen mode must be 'ro' or 'rw', not {mode:?}"
                )));
            }
        };
        if guest.is_empty() {
            return Err(PyValueError::new_err("a preopen's guest path must not be empty"));
        }
        let host: PathBuf = fspath.call1((host,))?.extract()?;
        check_dir(&host)?;
        out.push(Preopen { guest, host, read_only });
    }
    Ok(out)
}

fn env_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Vec::new()) };
    let items =
        obj.call_method0("items").map_err(|_| PyTypeError::new_err("env must be a mapping of str to str"))?;
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let (k, v): (String, String) =
            item?.extract().map_err(|_| PyTypeError::new_err("env must be a mapping of str to str"))?;
        if k.is_empty() || k.contains('=') || k.contains('\0') || v.contains('\0') {
            return Err(PyValueError::new_err(format!(
                "invalid environment variable {k:?}: names must be non-empty without '=' or NUL"
            )));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn args_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Vec::new()) };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err("args must be a sequence of str, not a single string"));
    }
    let args: Vec<String> =
        obj.extract().map_err(|_| PyTypeError::new_err("args must be a sequence of str"))?;
    if args.iter().any(|a| a.contains('\0')) {
        return Err(PyValueError::new_err("arguments must not contain NUL"));
    }
    Ok(args)
}

/// The environment of a WASI program: its arguments (``args[0]`` is the program name), its
/// environment variables (none unless given), the host directories it may reach
/// (``preopens`` maps a guest path to a host directory, or to ``(host_dir, 'ro')`` for a
/// read-only one), and its standard streams. ``stdin`` is bytes, a file object, ``'inherit'``
/// or ``None`` (empty); ``stdout``/``stderr`` are ``'inherit'`` (the default), ``None``
/// (discarded), a file object (``write`` receives bytes, or text for a text file) or a callable
/// called with each chunk of bytes. Host directories are checked now: a missing one raises
/// ``FileNotFoundError``.
#[pyclass(frozen, module = "epsilon")]
#[derive(Debug)]
pub(crate) struct WasiConfig {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<Preopen>,
    stdin: InputSpec,
    stdout: OutputSpec,
    stderr: OutputSpec,
}

#[pymethods]
impl WasiConfig {
    #[new]
    #[pyo3(signature = (args=None, env=None, preopens=None, stdin=None, stdout=OutputSpec::Unspecified, stderr=OutputSpec::Unspecified))]
    #[pyo3(
        text_signature = "(args=(), env=None, preopens=None, stdin=None, stdout='inherit', stderr='inherit')"
    )]
    fn new(
        py: Python<'_>,
        args: Option<&Bound<'_, PyAny>>,
        env: Option<&Bound<'_, PyAny>>,
        preopens: Option<&Bound<'_, PyAny>>,
        stdin: Option<&Bound<'_, PyAny>>,
        stdout: OutputSpec,
        stderr: OutputSpec,
    ) -> PyResult<Self> {
        guard(py, || {
            Ok(WasiConfig {
                args: args_arg(args)?,
                env: env_arg(env)?,
                preopens: preopens_arg(py, preopens)?,
                stdin: input_spec(py, stdin)?,
                stdout,
                stderr,
            })
        })
    }

    /// The program's arguments.
    #[getter]
    fn args<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, &self.args)
    }

    /// The program's environment variables.
    #[getter]
    fn env<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.env {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The preopened directories: guest path -> (host path, 'ro' or 'rw').
    #[getter]
    fn preopens<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for p in &self.preopens {
            d.set_item(&p.guest, (p.host.display().to_string(), if p.read_only { "ro" } else { "rw" }))?;
        }
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "WasiConfig(args={}, env={}, preopens={}, stdout={}, stderr={})",
            self.args(py)?.repr()?,
            self.env(py)?.repr()?,
            self.preopens(py)?.repr()?,
            self.stdout.describe(),
            self.stderr.describe(),
        ))
    }
}

/// The first Python exception a program's streams raised, re-raised when the program ends.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamErrors(Arc<Mutex<Option<PyErr>>>);

impl StreamErrors {
    /// Keeps `err` if it is the first. Takes `py` because a later exception is dropped here,
    /// and dropping a Python object needs the GIL (a call may have given it up; see `gil`).
    fn record(&self, _py: Python<'_>, err: PyErr) -> std::io::Error {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(err);
        } else {
            drop(err);
        }
        std::io::Error::other("a Python stream raised an exception")
    }

    fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Standard input read from a Python object's `read(n)` (bytes, or text encoded as UTF-8).
///
/// The reads run on a helper thread, so that a `read` that blocks (on a pipe, a queue, a
/// person) does not hold up a timeout, `interrupt()`, `close()` or Ctrl-C: the call waits for
/// the reply in slices and gives up when told to stop. A reply that arrives after that is kept
/// for the next read, so no input is lost.
struct PyReader {
    /// The object, until the helper thread starts and takes it.
    source: Option<Py<PyAny>>,
    /// Requests (byte counts) to the helper, and its replies (`None`: the read raised).
    requests: Option<mpsc::Sender<usize>>,
    replies: Option<mpsc::Receiver<Option<Vec<u8>>>>,
    /// A request was sent and its reply not yet received.
    outstanding: bool,
    pending: Vec<u8>,
    errors: StreamErrors,
}

impl PyReader {
    fn new(source: Py<PyAny>, errors: StreamErrors) -> Self {
        PyReader {
            source: Some(source),
            requests: None,
            replies: None,
            outstanding: false,
            pending: Vec::new(),
            errors,
        }
    }

    /// Starts the helper thread (once).
    fn start(&mut self) -> std::io::Result<()> {
        let Some(source) = self.source.take() else { return Ok(()) };
        let (request_tx, request_rx) = mpsc::channel::<usize>();
        let (reply_tx, reply_rx) = mpsc::channel();
        let errors = self.errors.clone();
        std::thread::Builder::new().name("epsilon-stdin".into()).spawn(move || {
            for n in request_rx {
                let chunk =
                    Python::attach(|py| read_chunk(py, &source, n).map_err(|e| errors.record(py, e)).ok());
                if reply_tx.send(chunk).is_err() {
                    break;
                }
            }
            Python::attach(|_| drop(source));
        })?;
        self.requests = Some(request_tx);
        self.replies = Some(reply_rx);
        Ok(())
    }
}

/// One `source.read(n)`, as bytes.
fn read_chunk(py: Python<'_>, source: &Py<PyAny>, n: usize) -> PyResult<Vec<u8>> {
    let data = source.bind(py).call_method1("read", (n,))?;
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    bytes_arg(py, &data, "stdin.read() result")
}

impl epsilon::wasi::InterruptibleRead for PyReader {
    fn read(&mut self, buf: &mut [u8], stop: &mut dyn FnMut() -> bool) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            self.start()?;
            let gone = || std::io::Error::other("the stdin reader thread ended");
            if !self.outstanding {
                self.requests.as_ref().ok_or_else(gone)?.send(buf.len()).map_err(|_| gone())?;
                self.outstanding = true;
            }
            let replies = self.replies.as_ref().ok_or_else(gone)?;
            let chunk = loop {
                match replies.recv_timeout(READ_SLICE) {
                    Ok(chunk) => break chunk,
                    Err(mpsc::RecvTimeoutError::Timeout) if stop() => {
                        return Err(std::io::ErrorKind::Interrupted.into());
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Err(gone()),
                }
            };
            self.outstanding = false;
            self.pending =
                chunk.ok_or_else(|| std::io::Error::other("a Python stream raised an exception"))?;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// How long a read waits for the helper before checking whether to stop.
const READ_SLICE: std::time::Duration = std::time::Duration::from_millis(10);

/// Standard output or error sent to a Python file object or callable.
struct PyWriter {
    target: Py<PyAny>,
    /// Call `target(data)` rather than `target.write(data)`.
    call: bool,
    /// The target takes text (an `io.TextIOBase`): bytes are decoded as UTF-8, a sequence split
    /// between two writes kept until it is complete.
    text: bool,
    undecoded: Vec<u8>,
    errors: StreamErrors,
}

impl PyWriter {
    fn new(py: Python<'_>, target: Py<PyAny>, call: bool, errors: StreamErrors) -> PyResult<PyWriter> {
        let text_base = py.import("io")?.getattr("TextIOBase")?;
        let text = !call && target.bind(py).is_instance(&text_base)?;
        Ok(PyWriter { target, call, text, undecoded: Vec::new(), errors })
    }

    /// The longest decodable prefix of the pending bytes plus `data`, as text.
    fn decode(&mut self, data: &[u8]) -> String {
        self.undecoded.extend_from_slice(data);
        let keep = match std::str::from_utf8(&self.undecoded) {
            Ok(_) => 0,
            // An incomplete sequence at the end: keep it for the next write.
            Err(e) if e.error_len().is_none() => self.undecoded.len() - e.valid_up_to(),
            Err(_) => 0,
        };
        let split = self.undecoded.len() - keep;
        let text = String::from_utf8_lossy(&self.undecoded[..split]).into_owned();
        self.undecoded.drain(..split);
        text
    }
}

impl Write for PyWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let text = self.text.then(|| self.decode(data));
        gil::attach(|py| {
            let target = self.target.bind(py);
            let outcome = match &text {
                Some(text) => target.call_method1("write", (text,)).map(drop),
                None if self.call => target.call1((PyBytes::new(py, data),)).map(drop),
                None => target.call_method1("write", (PyBytes::new(py, data),)).map(drop),
            };
            outcome.map_err(|e| self.errors.record(py, e))
        })?;
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl WasiConfig {
    /// The configuration `epsilon.run` builds from its arguments (`argv` complete).
    pub(crate) fn for_run(
        py: Python<'_>,
        argv: Vec<String>,
        env: Option<&Bound<'_, PyAny>>,
        preopens: Option<&Bound<'_, PyAny>>,
        stdin: Option<&Bound<'_, PyAny>>,
        stdout: OutputSpec,
        stderr: OutputSpec,
    ) -> PyResult<WasiConfig> {
        Ok(WasiConfig {
            args: argv,
            env: env_arg(env)?,
            preopens: preopens_arg(py, preopens)?,
            stdin: input_spec(py, stdin)?,
            stdout,
            stderr,
        })
    }

    /// `args=` as `epsilon.run` takes it (program arguments after `argv[0]`).
    pub(crate) fn run_args(args: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
        args_arg(args)
    }
}

/// What a module instantiated with WASI keeps: where its streams' exceptions are recorded.
#[derive(Debug, Clone)]
pub(crate) struct WasiLink {
    errors: StreamErrors,
}

/// The WASI functions bound to a fresh context, for resolving one module's imports.
pub(crate) struct Attached {
    pub linker: epsilon::Linker<HostData>,
    pub link: WasiLink,
}

/// Builds a context from `config`, adds it to the store and returns the WASI functions bound
/// to it.
pub(crate) fn attach(
    py: Python<'_>,
    shared: &Shared,
    config: &WasiConfig,
    store: &mut PyStore,
) -> PyResult<Attached> {
    let errors = StreamErrors::default();
    let mut c =
        epsilon::wasi::WasiConfig::new().args(config.args.iter().cloned()).envs(config.env.iter().cloned());
    for p in &config.preopens {
        check_dir(&p.host)?;
        let opened = if p.read_only {
            c.preopen_dir_read_only(&p.host, p.guest.clone())
        } else {
            c.preopen_dir(&p.host, p.guest.clone())
        };
        c = opened.map_err(|e| PyOSError::new_err(e.to_string()))?;
    }
    c = match &config.stdin {
        InputSpec::Null => c,
        InputSpec::Inherit => c.inherit_stdin(),
        InputSpec::Bytes(b) => c.stdin_bytes(b.clone()),
        InputSpec::Reader(r) => c.stdin_interruptible(PyReader::new(r.clone_ref(py), errors.clone())),
    };
    for (spec, is_stdout) in [(&config.stdout, true), (&config.stderr, false)] {
        c = match spec.clone_ref(py) {
            OutputSpec::Null => c,
            OutputSpec::Inherit | OutputSpec::Unspecified if is_stdout => c.inherit_stdout(),
            OutputSpec::Inherit | OutputSpec::Unspecified => c.inherit_stderr(),
            OutputSpec::Capture(b) if is_stdout => c.stdout_buffer(b),
            OutputSpec::Capture(b) => c.stderr_buffer(b),
            OutputSpec::File(f) | OutputSpec::Callable(f) => {
                let call = matches!(spec, OutputSpec::Callable(_));
                let writer = PyWriter::new(py, f, call, errors.clone())?;
                if is_stdout { c.stdout_writer(writer) } else { c.stderr_writer(writer) }
            }
        };
    }
    let index = store.data().wasi.len();
    store.data_mut().wasi.push(c.build());
    let mut linker = epsilon::Linker::new(&shared.engine);
    epsilon::wasi::add_to_linker(&mut linker, move |data: &mut HostData| &mut data.wasi[index])
        .map_err(|e| errors::from_epsilon(py, &e))?;
    Ok(Attached { linker, link: WasiLink { errors } })
}

/// Runs the command's `_start` function `start` (`Instance.run_wasi`): returns the exit code
/// (0 when `_start` returns, `n` after `proc_exit(n)`). An exception raised by a Python stream
/// is raised after the program ends.
pub(crate) fn run_start(
    py: Python<'_>,
    shared: &Arc<Shared>,
    start: epsilon::Func,
    link: &WasiLink,
    opts: CallOpts,
) -> PyResult<i32> {
    let outcome = shared.with_store(py, |store| {
        shared.run(py, store, opts, |store| match start.call(store, &[], &mut []) {
            Ok(()) => Ok(0),
            Err(e) => epsilon::wasi::exit_code(&e).ok_or(e),
        })
    });
    if let Some(err) = link.errors.take() {
        return Err(err);
    }
    outcome
}
