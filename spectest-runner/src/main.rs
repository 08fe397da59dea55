//! `spectest-runner`: runs the spec test suites on epsilon's engines (the Rust API, and the
//! Python package through `spectest-runner/python/replay.py`), compares them directive by
//! directive and writes a report.
//!
//! ```text
//! spectest-runner [--suite <v2|simd|multi-memory|epsilon|all>] [--engine <rust|python|both|...>]
//!                 [--limits fuel,interrupt] [--report <path.json>] [--markdown <path.md>]
//!                 [--records <path.jsonl>] [--progress] [--jobs N] [--testsuite <dir>]
//!                 [--expected <file>] [--export-dir <dir>] [--python <exe>] [--driver <path>]
//!                 [--python-timeout <secs>]
//! spectest-runner compare <records.jsonl>... [--left <engine>] [--right <engine>]
//!                 [--report <path.json>]
//! ```
//!
//! Exit status: 0 when everything passed (or failed as expected) and the engines agreed on
//! every directive; 1 when a directive failed unexpectedly, an expected-failure entry is
//! stale, or the engines disagreed on or missed a directive; 2 for usage errors.

use spectest_runner::compare::{self, Agreement, Outcome};
use spectest_runner::export::{self, Exported};
use spectest_runner::python::{self, PythonEngine};
use spectest_runner::report::{EngineReport, Report, SuiteRun};
use spectest_runner::suites::{self, Limits, Suite, TestFile};
use spectest_runner::{ExpectedFailures, FileResult};
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

  --suite <v2|simd|multi-memory|epsilon|all>   suites to run, comma separated (default: all)
  --engine <list>                              engines, comma separated: rust, python, both (= rust,python);
                                               each may carry limits: rust+fuel+interrupt (default: rust)
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

The first two engines are compared directive by directive (report `agreement`), the first
with every further one as well (`other_agreements`).
";

/// Which implementation an engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rust,
    Python,
}

/// One engine of a run: an implementation with limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EngineSpec {
    kind: Kind,
    limits: Limits,
}

impl EngineSpec {
    fn label(self) -> String {
        let base = match self.kind {
            Kind::Rust => "rust",
            Kind::Python => "python",
        };
        format!("{base}{}", self.limits.suffix())
    }
}

#[derive(Debug)]
struct Options {
    suites: Vec<Suite>,
    engines: Vec<EngineSpec>,
    report: Option<PathBuf>,
    markdown: Option<PathBuf>,
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

fn parse_engines(text: &str, extra: Limits) -> Result<Vec<EngineSpec>, String> {
    let mut engines: Vec<EngineSpec> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (base, limits) = item.split_once('+').unwrap_or((item, ""));
        let limits = Limits::parse(limits)?;
        let kinds: &[Kind] = match base {
            "rust" => &[Kind::Rust],
            "python" => &[Kind::Python],
            "both" => &[Kind::Rust, Kind::Python],
            other => return Err(format!("unknown engine `{other}` (expected rust, python or both)")),
        };
        for &kind in kinds {
            let limits = Limits {
                fuel: limits.fuel || extra.fuel,
                interrupt: limits.interrupt || extra.interrupt,
                lazy: limits.lazy || extra.lazy,
            };
            if limits.lazy && kind == Kind::Python {
                return Err("lazy translation is a mode of the Rust engine only".to_string());
            }
            let spec = EngineSpec { kind, limits };
            if !engines.contains(&spec) {
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
    let mut opts = Options {
        suites: Suite::ALL.to_vec(),
        engines: Vec::new(),
        report: None,
        markdown: None,
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
    opts.engines = parse_engines(&engine_text, limits)?;
    Ok(Some(opts))
}

fn parse_suites(text: &str) -> Result<Vec<Suite>, String> {
    let mut suites = Vec::new();
    for name in text.split(',').map(str::trim) {
        if name == "all" {
            return Ok(Suite::ALL.to_vec());
        }
        let suite = Suite::from_name(name).ok_or_else(|| {
            format!("unknown suite `{name}` (expected v2, simd, multi-memory, epsilon or all)")
        })?;
        if !suites.contains(&suite) {
            suites.push(suite);
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
    for &spec in &opts.engines {
        let label = spec.label();
        let engine_started = Instant::now();
        let (file_results, info, notes) = match spec.kind {
            Kind::Rust => {
                let r = parallel(&files, opts, &label, |file| {
                    spectest_runner::run_and_judge_with(file, &expected, spec.limits)
                });
                (r, None, Vec::new())
            }
            Kind::Python => {
                let mut export_note = None;
                let exports = exported.get_or_insert_with(|| {
                    let t = Instant::now();
                    let e =
                        parallel(&files, opts, "export", |file| export::export_file(file, &opts.export_dir));
                    let failed = e.iter().filter(|x| x.error.is_some()).count();
                    export_note = Some(format!(
                        "{} files exported by json-from-wast to {} in {:.1} s ({failed} failed)",
                        e.len(),
                        opts.export_dir.display(),
                        t.elapsed().as_secs_f64()
                    ));
                    e
                });
                let (r, info, mut notes) = run_python(exports, &expected, opts, spec.limits);
                notes.splice(0..0, export_note);
                (r, info, notes)
            }
        };
        let runs = group(&opts.suites, &files, file_results.clone());
        let mut engine = EngineReport::new(&runs, extra_stale.clone());
        engine.seconds = engine_started.elapsed().as_secs_f64();
        engine.info = info;
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
    if let Some((first, rest)) = outcomes.split_first() {
        for (i, (label, o)) in rest.iter().enumerate() {
            let a = compare::join(&first.0, &first.1, label, o);
            if i == 0 { report.agreement = Some(a) } else { report.other_agreements.push(a) }
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
            &format!("[{label}] unexpected failure"),
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

/// Runs the Python engine over the exported files: results per file, package info, notes.
fn run_python(
    exports: &[Exported],
    expected: &ExpectedFailures,
    opts: &Options,
    limits: Limits,
) -> (Vec<FileResult>, Option<serde_json::Value>, Vec<String>) {
    let engine = PythonEngine {
        python: opts.python.clone(),
        driver: opts.driver.clone(),
        jobs: opts.jobs,
        limits,
        idle_timeout: opts.python_timeout,
        progress: opts.progress,
    };
    let mut notes = Vec::new();
    let (run, info) = match python::check(&engine) {
        Ok(info) => (python::run(&engine, exports), Some(info)),
        Err(reason) => {
            notes.push(format!("the Python engine is unavailable: {reason}"));
            let files = exports
                .iter()
                .map(|_| python::FileOutcomes {
                    missing_reason: Some(format!("the Python engine is unavailable: {reason}")),
                    ..Default::default()
                })
                .collect();
            let run = python::PythonRun { files, notes: Vec::new() };
            (run, None)
        }
    };
    notes.extend(run.notes);
    // The same note for many files (a configuration gap) is reported once, with the files.
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
    (results, info, notes)
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
