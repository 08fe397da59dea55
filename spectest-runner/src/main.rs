//! `spectest-runner`: runs the spec test suites on any engine — epsilon's (the Rust API, and
//! the Python package through `spectest-runner/python/replay.py`) and peers behind an adapter
//! (`spectest-runner/ADAPTERS.md`) — compares them directive by directive and writes
//! reports (JSON, Markdown, JUnit XML, HTML).
//!
//! ```text
//! spectest-runner [--suite <names|all|every>] [--engine <rust,python,wasmtime-py,wasmi,...>]
//!                 [--adapter NAME=python:FILE[:CLASS] | NAME=command:COMMAND...]
//!                 [--reference <engine>] [--limits fuel,interrupt] [--report <path.json>]
//!                 [--markdown <path.md>] [--junit <path.xml>] [--html <path.html>]
//!                 [--records <path.jsonl>] [--progress] [--jobs N] [--testsuite <dir>]
//!                 [--expected <file>] [--export-dir <dir>] [--python <exe>] [--driver <path>]
//!                 [--python-timeout <secs>]
//! spectest-runner compare <records.jsonl>... [--left <engine>] [--right <engine>]
//!                 [--report <path.json>]
//! ```
//!
//! Exit status: 0 when every engine of epsilon passed (or failed as expected) and epsilon's
//! engines agreed on every directive; 1 when one of them failed unexpectedly, an
//! expected-failure entry is stale, or two of them disagreed on or missed a directive (peer
//! engines never fail a run: their results are data); 2 for usage errors.

use spectest_runner::compare::{self, Agreement, Outcome};
use spectest_runner::export::{self, Exported};
use spectest_runner::protocol::{self, ProtocolEngine};
use spectest_runner::python::{self, PythonEngine};
use spectest_runner::report::{EngineReport, Report, SuiteRun};
use spectest_runner::suites::{self, Limits, Suite, TestFile};
use spectest_runner::{ExpectedFailures, FileResult};
use spectest_runner::{html, junit};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `println!` that ignores a closed stdout (`spectest-runner ... | head`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `print!` that ignores a closed stdout.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

const USAGE: &str = "\
usage: spectest-runner [options]
       spectest-runner compare <records.jsonl>... [--left <engine>] [--right <engine>] [--report <path.json>]

  --suite <list>                               suites to run, comma separated (default: all): v1, v2, v3,
                                               latest, simd, multi-memory, every proposal group of the
                                               pinned crate (gc or proposals/gc, ...), epsilon;
                                               all = v2,v3,simd,multi-memory,exceptions,extended-const,
                                               function-references,memory64,relaxed-simd,tail-call,
                                               epsilon; every = all of them
  --engine <list>                              engines, comma separated (default: rust): rust, python,
                                               both (= rust,python), rust-protocol (the Rust API behind
                                               the JSON-lines protocol), wasmtime-py, wasmi, or a name
                                               defined by --adapter; rust and python may carry limits:
                                               rust+fuel+interrupt
  --adapter NAME=python:FILE[:CLASS]           define engine NAME: a Python adapter class (ADAPTERS.md)
  --adapter NAME=command:COMMAND [ARGS...]     define engine NAME: a program speaking the JSON-lines
                                               protocol on stdin/stdout (ADAPTERS.md)
  --reference <engine>                         the engine every other is compared with first
                                               (default: the first engine); every pair is compared
  --junit <path.xml>                           write JUnit XML (a testsuite per engine and suite, a
                                               testcase per file)
  --html <path.html>                           write a self-contained HTML report
  --limits <fuel,interrupt|none>               add these limits to every engine: fuel = consume_fuel with
                                               unlimited fuel on every store, interrupt = interruptible with
                                               a far deadline (Python: Runtime(fuel=2**64-1, timeout_ms=...))
  --report <path.json>                         write the JSON report here
  --markdown <path.md>                         also write the Markdown table here
  --records <path.jsonl>                       write every directive record (with its engine) as JSON lines
  --progress                                   show progress on stderr even when it is not a terminal
  --jobs <N>                                   worker threads / driver processes (default: available parallelism)
  --testsuite <dir>                            epsilon's testsuite directory (own tests, expected failures)
  --expected <file>                            expected-failures list (default: <testsuite>/expected-failures.txt)
  --export-dir <dir>                           where files are exported for the Python engine
                                               (default: target/conformance/export)
  --python <exe>                               Python with the epsilon package (default: $EPSILON_PYTHON,
                                               else .venv/bin/python, else python3)
  --driver <path>                              the replay driver (default: spectest-runner/python/replay.py)
  --python-timeout <secs>                      kill a driver silent for this long (default: 300)
  -h, --help                                   show this help

Every pair of engines is compared directive by directive: the reference with the second
engine is the report's `agreement`, the other pairs are `other_agreements`.
";

/// Which implementation an engine runs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// epsilon's Rust API, in this process.
    Rust,
    /// A Python adapter (`epsilon`, `wasmtime` or `FILE[:CLASS]`) run by the replay driver.
    Python(String),
    /// A program speaking the JSON-lines protocol.
    Protocol(Vec<String>),
}

/// One engine of a run: an implementation with limits, and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EngineSpec {
    label: String,
    kind: Kind,
    limits: Limits,
    /// Not one of epsilon's engines: its results are data, never a reason to fail the run.
    peer: bool,
}

/// The engines `--engine` knows without `--adapter`: name, implementation, peer.
fn builtin_engine(name: &str) -> Option<(Kind, bool)> {
    match name {
        "rust" | "epsilon-rust" => Some((Kind::Rust, false)),
        "python" | "epsilon-python" => Some((Kind::Python("epsilon".into()), false)),
        "wasmtime-py" => Some((Kind::Python("wasmtime".into()), true)),
        "wasmi" => Some((Kind::Protocol(vec![sibling_program("spectest-adapter-wasmi")]), true)),
        // epsilon's Rust API through the protocol: keeps the protocol path honest.
        "rust-protocol" => Some((Kind::Protocol(vec![sibling_program("spectest-adapter-epsilon")]), false)),
        _ => None,
    }
}

/// A program built next to this one (`target/<profile>/NAME`).
fn sibling_program(name: &str) -> String {
    let exe = std::env::current_exe().ok();
    let dir = exe.as_deref().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    // Test binaries live one level deeper, in `deps/`.
    let dir = if dir.ends_with("deps") { dir.parent().map(Path::to_path_buf).unwrap_or(dir) } else { dir };
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)).to_string_lossy().into_owned()
}

/// Parses `--adapter NAME=python:FILE[:CLASS]` or `NAME=command:COMMAND ARGS...`.
fn parse_adapter(text: &str) -> Result<(String, Kind), String> {
    let (name, what) = text.split_once('=').ok_or_else(|| format!("--adapter `{text}` is not NAME=..."))?;
    let name = name.trim();
    if name.is_empty() || name.contains([',', '+']) || builtin_engine(name).is_some() {
        return Err(format!("--adapter: `{name}` cannot name an engine (empty, has , or +, or built in)"));
    }
    let kind = if let Some(file) = what.strip_prefix("python:") {
        Kind::Python(file.to_string())
    } else if let Some(command) = what.strip_prefix("command:") {
        let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        if words.is_empty() {
            return Err(format!("--adapter {name}: empty command"));
        }
        Kind::Protocol(words)
    } else {
        return Err(format!("--adapter {name}: expected python:FILE[:CLASS] or command:COMMAND"));
    };
    Ok((name.to_string(), kind))
}

#[derive(Debug)]
struct Options {
    suites: Vec<Suite>,
    engines: Vec<EngineSpec>,
    report: Option<PathBuf>,
    markdown: Option<PathBuf>,
    junit: Option<PathBuf>,
    html: Option<PathBuf>,
    records: Option<PathBuf>,
    progress: bool,
    jobs: usize,
    testsuite: PathBuf,
    expected: Option<PathBuf>,
    export_dir: PathBuf,
    python: PathBuf,
    driver: PathBuf,
    python_timeout: Duration,
}

fn workspace_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn parse_engines(text: &str, extra: Limits, adapters: &[(String, Kind)]) -> Result<Vec<EngineSpec>, String> {
    let mut engines: Vec<EngineSpec> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (base, limits) = item.split_once('+').unwrap_or((item, ""));
        let limits = Limits::parse(limits)?;
        let names: &[&str] = if base == "both" { &["rust", "python"] } else { &[base] };
        for &name in names {
            let (kind, peer) = match builtin_engine(name) {
                Some(builtin) => builtin,
                None => match adapters.iter().find(|(n, _)| n == name) {
                    Some((_, kind)) => (kind.clone(), true),
                    None => {
                        return Err(format!(
                            "unknown engine `{name}` (expected rust, python, both, rust-protocol, wasmtime-py, wasmi or a name defined by --adapter)"
                        ));
                    }
                },
            };
            let takes_limits = matches!(kind, Kind::Rust | Kind::Python(_)) && !peer;
            let limits = if takes_limits {
                Limits {
                    fuel: limits.fuel || extra.fuel,
                    interrupt: limits.interrupt || extra.interrupt,
                    lazy: limits.lazy || extra.lazy,
                }
            } else if limits != Limits::NONE {
                return Err(format!(
                    "limits are modes of epsilon's rust and python engines, not of `{name}`"
                ));
            } else {
                Limits::NONE
            };
            if limits.lazy && kind != Kind::Rust {
                return Err("lazy translation is a mode of the Rust engine only".to_string());
            }
            let label = match name {
                "epsilon-rust" => "rust",
                "epsilon-python" => "python",
                other => other,
            };
            let spec = EngineSpec { label: format!("{label}{}", limits.suffix()), kind, limits, peer };
            if !engines.iter().any(|e| e.label == spec.label) {
                engines.push(spec);
            }
        }
    }
    if engines.is_empty() {
        return Err("no engine selected".to_string());
    }
    Ok(engines)
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut engine_text = "rust".to_string();
    let mut limits = Limits::NONE;
    let mut adapters: Vec<(String, Kind)> = Vec::new();
    let mut reference: Option<String> = None;
    let mut opts = Options {
        suites: Suite::ALL.to_vec(),
        engines: Vec::new(),
        report: None,
        markdown: None,
        junit: None,
        html: None,
        records: None,
        progress: std::io::stderr().is_terminal(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        testsuite: suites::default_testsuite_dir(),
        expected: None,
        export_dir: workspace_dir().join("target").join("conformance").join("export"),
        python: python::default_python(),
        driver: python::default_driver(),
        python_timeout: Duration::from_secs(300),
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value =
            || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--suite" => opts.suites = parse_suites(&value()?)?,
            "--engine" => engine_text = value()?,
            "--limits" => limits = Limits::parse(&value()?)?,
            "--report" => opts.report = Some(value()?.into()),
            "--markdown" => opts.markdown = Some(value()?.into()),
            "--junit" => opts.junit = Some(value()?.into()),
            "--html" => opts.html = Some(value()?.into()),
            "--adapter" => adapters.push(parse_adapter(&value()?)?),
            "--reference" => reference = Some(value()?),
            "--records" => opts.records = Some(value()?.into()),
            "--progress" => opts.progress = true,
            "--jobs" => {
                let v = value()?;
                opts.jobs = v.parse().ok().filter(|&n| n > 0).ok_or_else(|| format!("bad --jobs `{v}`"))?;
            }
            "--testsuite" => opts.testsuite = value()?.into(),
            "--expected" => opts.expected = Some(value()?.into()),
            "--export-dir" => opts.export_dir = value()?.into(),
            "--python" => opts.python = value()?.into(),
            "--driver" => opts.driver = value()?.into(),
            "--python-timeout" => {
                let v = value()?;
                let secs: u64 =
                    v.parse().ok().filter(|&n| n > 0).ok_or_else(|| format!("bad --python-timeout `{v}`"))?;
                opts.python_timeout = Duration::from_secs(secs);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    opts.engines = parse_engines(&engine_text, limits, &adapters)?;
    if let Some(reference) = reference {
        let i = opts
            .engines
            .iter()
            .position(|e| e.label == reference)
            .ok_or_else(|| format!("--reference `{reference}` is not one of the selected engines"))?;
        let engine = opts.engines.remove(i);
        opts.engines.insert(0, engine);
    }
    Ok(Some(opts))
}

fn parse_suites(text: &str) -> Result<Vec<Suite>, String> {
    let mut suites = Vec::new();
    for name in text.split(',').map(str::trim) {
        let selected = match name {
            "all" => Suite::ALL.to_vec(),
            "every" => Suite::every(),
            _ => vec![Suite::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Suite::every().into_iter().map(Suite::name).collect();
                format!("unknown suite `{name}` (expected {}, all or every)", names.join(", "))
            })?],
        };
        for suite in selected {
            if !suites.contains(&suite) {
                suites.push(suite);
            }
        }
    }
    suites.sort();
    Ok(suites)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("compare") {
        args.next();
        return match compare_main(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("spectest-runner compare: {e}\n\n{USAGE}");
                ExitCode::from(2)
            }
        };
    }
    let opts = match parse_args(args) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            out!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("spectest-runner: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("spectest-runner: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the selected suites on the selected engines; `Ok(true)` when nothing failed
/// unexpectedly, nothing is stale and the engines agreed on every directive.
fn run(opts: &Options) -> Result<bool, String> {
    let started = Instant::now();
    let expected_path = opts.expected.clone().unwrap_or_else(|| opts.testsuite.join("expected-failures.txt"));
    let expected = ExpectedFailures::load(&expected_path)?;

    let mut files: Vec<TestFile> = Vec::new();
    for &suite in &opts.suites {
        files.extend(suites::load(suite, &opts.testsuite)?);
    }

    // Entries naming files of the selected suites that do not exist are stale as well.
    let known: HashSet<String> = files.iter().map(TestFile::id).collect();
    let selected: Vec<String> = opts.suites.iter().map(|s| format!("{}/", s.name())).collect();
    let extra_stale: Vec<String> = expected
        .unknown_files(&known)
        .into_iter()
        .filter(|spec| selected.iter().any(|prefix| spec.starts_with(prefix.as_str())))
        .map(|spec| format!("{spec}  # no such file"))
        .collect();

    let mut report = Report::default();
    let mut results: Vec<(String, Vec<FileResult>)> = Vec::new();
    let mut exported: Option<Vec<Exported>> = None;
    for spec in &opts.engines {
        let label = spec.label.clone();
        let engine_started = Instant::now();
        // Peer engines are judged without epsilon's expected-failures list.
        let no_list = ExpectedFailures::empty();
        let list = if spec.peer { &no_list } else { &expected };
        let (file_results, info, version, mut notes) = match &spec.kind {
            Kind::Rust => {
                let r = parallel(&files, opts, &label, |file| {
                    spectest_runner::run_and_judge_with(file, list, spec.limits)
                });
                (r, None, Some(format!("epsilon {} (Rust API)", epsilon::VERSION)), Vec::new())
            }
            Kind::Python(adapter) => {
                let (exports, export_note) = export_once(&mut exported, &files, opts);
                let (r, info, mut notes) = run_python(exports, list, opts, spec.limits, adapter);
                notes.splice(0..0, export_note);
                let version = info.as_ref().map(python_version);
                (r, info, version, notes)
            }
            Kind::Protocol(command) => {
                let (exports, export_note) = export_once(&mut exported, &files, opts);
                let (r, info, mut notes) = run_protocol(exports, list, opts, command);
                notes.splice(0..0, export_note);
                let version = info.as_ref().map(|v| {
                    format!("{} {}", v["name"].as_str().unwrap_or("?"), v["version"].as_str().unwrap_or("?"))
                });
                (r, info, version, notes)
            }
        };
        if spec.peer && !extra_stale.is_empty() {
            notes.push("the expected-failures list does not apply to peer engines".to_string());
        }
        let runs = group(&opts.suites, &files, file_results.clone());
        let mut engine = EngineReport::new(&runs, if spec.peer { Vec::new() } else { extra_stale.clone() });
        engine.peer = spec.peer;
        engine.seconds = engine_started.elapsed().as_secs_f64();
        engine.info = info;
        engine.version = version;
        engine.notes = notes;
        report.add_engine(&label, engine);
        results.push((label, file_results));
    }

    let outcomes: Vec<(String, Vec<Outcome>)> = results
        .iter()
        .map(|(label, files)| {
            (label.clone(), files.iter().flat_map(|f| &f.records).map(Outcome::from).collect())
        })
        .collect();
    // Every pair, the reference (first engine) with each other engine first.
    for i in 0..outcomes.len() {
        for j in i + 1..outcomes.len() {
            let a = compare::join(&outcomes[i].0, &outcomes[i].1, &outcomes[j].0, &outcomes[j].1);
            if report.agreement.is_none() {
                report.agreement = Some(a)
            } else {
                report.other_agreements.push(a)
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();

    if let Some(path) = &opts.report {
        write(path, &report.to_json())?;
    }
    if let Some(path) = &opts.records {
        let text: String = results
            .iter()
            .map(|(label, files)| spectest_runner::report::records_jsonl(label, files))
            .collect();
        write(path, &text)?;
    }
    let markdown = report.markdown();
    if let Some(path) = &opts.markdown {
        write(path, &markdown)?;
    }
    if let Some(path) = &opts.junit {
        write(path, &junit::render(&report, &results))?;
    }
    if let Some(path) = &opts.html {
        write(path, &html::render(&report, &results))?;
    }

    for line in report.summary_lines() {
        outln!("{line}");
    }
    outln!("[total] {:.1} s", report.seconds);
    outln!();
    out!("{markdown}");
    for label in &report.engine_order {
        let engine = &report.engines[label];
        for note in &engine.notes {
            outln!("[{label}] note: {note}");
        }
        for stale in &engine.stale {
            outln!("[{label}] stale expected-failure entry: {stale}");
        }
        print_list(
            &format!("[{label}] {}", if engine.peer { "failure" } else { "unexpected failure" }),
            engine.failures.iter().filter(|f| !f.expected_failure),
            |f| {
                format!(
                    "{}:{} {}: expected {}, got {}{}",
                    f.file,
                    f.line,
                    f.kind,
                    f.expected,
                    f.got,
                    detail(&f.detail)
                )
            },
        );
    }
    for a in report.agreements() {
        print_agreement_problems(a);
    }
    Ok(!report.has_problems())
}

fn detail(d: &Option<String>) -> String {
    d.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}

/// Prints the first items of a list (and how many more there are).
fn print_list<T>(prefix: &str, items: impl Iterator<Item = T>, show: impl Fn(&T) -> String) {
    const MAX: usize = 20;
    let mut n = 0;
    for item in items {
        if n < MAX {
            outln!("{prefix}: {}", show(&item));
        }
        n += 1;
    }
    if n > MAX {
        outln!("{prefix}: ... and {} more (see the JSON report)", n - MAX);
    }
}

fn print_agreement_problems(a: &Agreement) {
    let tag = format!("[{} = {}]", a.left, a.right);
    print_list(&format!("{tag} disagreement"), a.disagreements.iter(), |d| {
        let sides: Vec<String> =
            d.outcomes.iter().map(|(e, s)| format!("{e}: {}{}", s.got, detail(&s.detail))).collect();
        format!("{}:{} {}: {}", d.file, d.line, d.kind, sides.join("; "))
    });
    print_list(&format!("{tag} missing"), a.missing_directives.iter(), |m| {
        format!("{}:{} {}: no outcome from {} ({})", m.file, m.line, m.kind, m.engine, m.reason)
    });
}

/// The exports the Python and protocol engines replay, made once per run; the note about
/// them is returned the first time only.
fn export_once<'a>(
    exported: &'a mut Option<Vec<Exported>>,
    files: &[TestFile],
    opts: &Options,
) -> (&'a [Exported], Option<String>) {
    let mut note = None;
    let exports = exported.get_or_insert_with(|| {
        let t = Instant::now();
        let e = parallel(files, opts, "export", |file| export::export_file(file, &opts.export_dir));
        let failed = e.iter().filter(|x| x.error.is_some()).count();
        note = Some(format!(
            "{} files exported by json-from-wast to {} in {:.1} s ({failed} failed)",
            e.len(),
            opts.export_dir.display(),
            t.elapsed().as_secs_f64()
        ));
        e
    });
    (exports, note)
}

/// The version line of a Python adapter's `--check` answer.
fn python_version(info: &serde_json::Value) -> String {
    let text = |key: &str| info[key].as_str().unwrap_or("?").to_string();
    format!("{} {} (Python {})", text("engine"), text("version"), text("python"))
}

/// Runs a Python adapter over the exported files: results per file, driver info, notes.
fn run_python(
    exports: &[Exported],
    expected: &ExpectedFailures,
    opts: &Options,
    limits: Limits,
    adapter: &str,
) -> (Vec<FileResult>, Option<serde_json::Value>, Vec<String>) {
    let engine = PythonEngine {
        python: opts.python.clone(),
        driver: opts.driver.clone(),
        adapter: adapter.to_string(),
        jobs: opts.jobs,
        limits,
        idle_timeout: opts.python_timeout,
        progress: opts.progress,
    };
    let (run, info) = match python::check(&engine) {
        Ok(info) => (python::run(&engine, exports), Some(info)),
        Err(reason) => (unavailable(exports, &format!("the Python engine is unavailable: {reason}")), None),
    };
    let (results, notes) = judge_replay(exports, expected, run);
    (results, info, notes)
}

/// Runs a protocol engine (a program speaking JSON lines) over the exported files.
fn run_protocol(
    exports: &[Exported],
    expected: &ExpectedFailures,
    opts: &Options,
    command: &[String],
) -> (Vec<FileResult>, Option<serde_json::Value>, Vec<String>) {
    let engine =
        ProtocolEngine { command: command.to_vec(), jobs: opts.jobs, idle_timeout: opts.python_timeout };
    let (run, info) = match protocol::hello(&engine) {
        Ok(info) => (protocol::run(&engine, exports), Some(info)),
        Err(reason) => (unavailable(exports, &format!("the adapter is unavailable: {reason}")), None),
    };
    let (results, notes) = judge_replay(exports, expected, run);
    (results, info, notes)
}

/// A replay in which no file has outcomes, for `reason`.
fn unavailable(exports: &[Exported], reason: &str) -> python::PythonRun {
    let files = exports
        .iter()
        .map(|_| python::FileOutcomes { missing_reason: Some(reason.to_string()), ..Default::default() })
        .collect();
    python::PythonRun { files, notes: vec![reason.to_string()] }
}

/// Judges what a replaying engine produced per exported file; returns the results and the
/// notes (the same note for many files, a configuration gap, is reported once).
fn judge_replay(
    exports: &[Exported],
    expected: &ExpectedFailures,
    run: python::PythonRun,
) -> (Vec<FileResult>, Vec<String>) {
    let mut notes = run.notes;
    let mut by_note: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for (e, o) in exports.iter().zip(&run.files) {
        for n in &o.notes {
            by_note.entry(n).or_default().push(&e.file);
        }
    }
    for (note, files) in by_note {
        let shown: Vec<&str> = files.iter().take(5).copied().collect();
        let more = if files.len() > 5 { format!(" and {} more", files.len() - 5) } else { String::new() };
        notes.push(format!("{note} [{} file(s): {}{more}]", files.len(), shown.join(", ")));
    }
    let results = exports
        .iter()
        .zip(&run.files)
        .map(|(e, o)| expected.judge(&e.file, python::judge_file(e, o)))
        .collect();
    (results, notes)
}

/// Groups per-file results (in `files` order) by suite.
fn group(suites: &[Suite], files: &[TestFile], results: Vec<FileResult>) -> Vec<SuiteRun> {
    let mut runs: Vec<SuiteRun> = suites.iter().map(|&suite| SuiteRun { suite, files: Vec::new() }).collect();
    for (file, result) in files.iter().zip(results) {
        if let Some(run) = runs.iter_mut().find(|r| r.suite == file.suite) {
            run.files.push(result);
        }
    }
    runs
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Maps `f` over `files` on `opts.jobs` worker threads (64 MiB stacks); results come back in
/// file order.
fn parallel<R: Send>(
    files: &[TestFile],
    opts: &Options,
    what: &str,
    f: impl Fn(&TestFile) -> R + Sync,
) -> Vec<R> {
    let slots: Vec<Mutex<Option<R>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let total = files.len();
    let terminal = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.min(total.max(1)) {
            let worker = || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let result = f(file);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if opts.progress && terminal {
                        eprint!("\r\x1b[K[{what} {n}/{total}] {}", file.id());
                    } else if opts.progress {
                        eprintln!("[{what} {n}/{total}] {}", file.id());
                    }
                }
            };
            if std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(scope, worker).is_err() {
                break;
            }
        }
    });
    if opts.progress && terminal {
        eprintln!();
    }
    files
        .iter()
        .zip(slots)
        .map(|(file, slot)| {
            // A slot is empty only if no worker thread could be started; run it here then.
            slot.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(|| f(file))
        })
        .collect()
}

/// `spectest-runner compare`: joins records files of two engines.
fn compare_main(args: impl Iterator<Item = String>) -> Result<bool, String> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let (mut left, mut right, mut report_path) = (None, None, None);
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value =
            || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--left" => left = Some(value()?),
            "--right" => right = Some(value()?),
            "--report" => report_path = Some(PathBuf::from(value()?)),
            f if f.starts_with("--") => return Err(format!("unknown argument `{f}`")),
            _ => paths.push(arg.into()),
        }
    }
    if paths.is_empty() {
        return Err("no records file given".to_string());
    }
    let (groups, errors) = compare::read_records(&paths)?;
    let pick = |name: &Option<String>, default: usize| -> Result<&(String, Vec<Outcome>), String> {
        match name {
            Some(n) => {
                groups.iter().find(|(l, _)| l == n).ok_or_else(|| format!("no records of engine `{n}`"))
            }
            None => groups.get(default).ok_or_else(|| {
                format!(
                    "need records of two engines, found {}",
                    groups.iter().map(|g| g.0.as_str()).collect::<Vec<_>>().join(", ")
                )
            }),
        }
    };
    let l = pick(&left, 0)?;
    let r = pick(&right, 1)?;
    let agreement = compare::join(&l.0, &l.1, &r.0, &r.1);
    if let Some(path) = &report_path {
        #[derive(serde::Serialize)]
        struct CompareReport<'a> {
            agreement: &'a Agreement,
            corrupt_lines: &'a [String],
        }
        let json =
            serde_json::to_string_pretty(&CompareReport { agreement: &agreement, corrupt_lines: &errors })
                .map_err(|e| e.to_string())?;
        write(path, &json)?;
    }
    outln!("{}", agreement.summary());
    print_agreement_problems(&agreement);
    for e in &errors {
        outln!("corrupt line: {e}");
    }
    Ok(agreement.is_complete() && errors.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Options>, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn engines_builtin_and_defined_by_adapters() {
        let opts = args(&[
            "--engine",
            "rust,python+fuel,wasmtime-py,wasmi,mine,theirs",
            "--adapter",
            "mine=python:/x/a.py:MyAdapter",
            "--adapter=theirs=command:/bin/engine --flag",
        ])
        .unwrap()
        .unwrap();
        let labels: Vec<&str> = opts.engines.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["rust", "python+fuel", "wasmtime-py", "wasmi", "mine", "theirs"]);
        let peers: Vec<bool> = opts.engines.iter().map(|e| e.peer).collect();
        assert_eq!(peers, [false, false, true, true, true, true]);
        assert_eq!(opts.engines[4].kind, Kind::Python("/x/a.py:MyAdapter".into()));
        assert_eq!(opts.engines[5].kind, Kind::Protocol(vec!["/bin/engine".into(), "--flag".into()]));
        assert!(
            matches!(&opts.engines[3].kind, Kind::Protocol(c) if c[0].ends_with("spectest-adapter-wasmi"))
        );
    }

    #[test]
    fn the_reference_goes_first_and_bad_choices_are_usage_errors() {
        let opts = args(&["--engine", "rust,wasmi,python", "--reference", "wasmi"]).unwrap().unwrap();
        let labels: Vec<&str> = opts.engines.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["wasmi", "rust", "python"]);
        assert!(args(&["--engine", "rust", "--reference", "wasmi"]).is_err(), "reference not selected");
        assert!(args(&["--engine", "wasmi+fuel"]).is_err(), "limits are epsilon's");
        assert!(args(&["--engine", "nobody"]).is_err());
        assert!(args(&["--adapter", "rust=command:/bin/x"]).is_err(), "built-in names are taken");
        assert!(args(&["--adapter", "x=java:/y"]).is_err());
    }

    #[test]
    fn suites_by_name_and_groups() {
        assert_eq!(parse_suites("all").unwrap(), Suite::ALL.to_vec());
        assert_eq!(parse_suites("every").unwrap().len(), Suite::every().len());
        let picked = parse_suites("proposals/gc,v1,simd").unwrap();
        assert_eq!(picked.iter().map(|s| s.name()).collect::<Vec<_>>(), ["v1", "simd", "gc"]);
        assert!(parse_suites("v4").unwrap_err().contains("tail-call"), "the error lists the names");
    }
}
