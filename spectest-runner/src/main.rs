//! `spectest-runner`: runs the spec test suites against epsilon and writes a report.
//!
//! ```text
//! spectest-runner --suite <v2|simd|multi-memory|epsilon|all> --engine <rust|python|both>
//!                 --report <path.json> [--markdown <path.md>] [--records <path.jsonl>]
//!                 [--progress] [--jobs N] [--testsuite <dir>] [--expected <file>]
//! ```
//!
//! Exit status: 0 when everything passed or failed as expected, 1 when a directive failed
//! unexpectedly or an expected-failure entry is stale, 2 for usage errors and unavailable
//! engines.

use spectest_runner::report::{EngineReport, Report, SuiteRun};
use spectest_runner::suites::{self, Suite, TestFile};
use spectest_runner::{ExpectedFailures, FileResult};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

const USAGE: &str = "\
usage: spectest-runner [options]

  --suite <v2|simd|multi-memory|epsilon|all>   suites to run, comma separated (default: all)
  --engine <rust|python|both>                  engine to run (default: rust)
  --report <path.json>                         write the JSON report here
  --markdown <path.md>                         also write the Markdown table here
  --records <path.jsonl>                       write every directive record as JSON lines
  --progress                                   show progress on stderr even when it is not a terminal
  --jobs <N>                                   worker threads (default: available parallelism)
  --testsuite <dir>                            epsilon's testsuite directory (own tests, expected failures)
  --expected <file>                            expected-failures list (default: <testsuite>/expected-failures.txt)
  -h, --help                                   show this help
";

#[derive(Debug)]
struct Options {
    suites: Vec<Suite>,
    engine: String,
    report: Option<PathBuf>,
    markdown: Option<PathBuf>,
    records: Option<PathBuf>,
    progress: bool,
    jobs: usize,
    testsuite: PathBuf,
    expected: Option<PathBuf>,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut opts = Options {
        suites: Suite::ALL.to_vec(),
        engine: "rust".to_string(),
        report: None,
        markdown: None,
        records: None,
        progress: std::io::stderr().is_terminal(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        testsuite: suites::default_testsuite_dir(),
        expected: None,
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
            "--engine" => {
                let engine = value()?;
                if !matches!(engine.as_str(), "rust" | "python" | "both") {
                    return Err(format!("unknown engine `{engine}` (expected rust, python or both)"));
                }
                opts.engine = engine;
            }
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
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
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
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("spectest-runner: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if opts.engine != "rust" {
        eprintln!("spectest-runner: the Python engine is not available yet (use --engine rust)");
        return ExitCode::from(2);
    }
    match run(&opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("spectest-runner: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the selected suites; `Ok(true)` when nothing failed unexpectedly and nothing is stale.
fn run(opts: &Options) -> Result<bool, String> {
    let expected_path = opts.expected.clone().unwrap_or_else(|| opts.testsuite.join("expected-failures.txt"));
    let expected = ExpectedFailures::load(&expected_path)?;

    let mut files: Vec<TestFile> = Vec::new();
    for &suite in &opts.suites {
        files.extend(suites::load(suite, &opts.testsuite)?);
    }
    let results = run_files(&files, &expected, opts);

    let mut runs: Vec<SuiteRun> =
        opts.suites.iter().map(|&suite| SuiteRun { suite, files: Vec::new() }).collect();
    for (file, result) in files.iter().zip(results) {
        if let Some(run) = runs.iter_mut().find(|r| r.suite == file.suite) {
            run.files.push(result);
        }
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

    let engine = EngineReport::new(&runs, extra_stale);
    let ok = !engine.has_problems();
    let mut report = Report::default();
    report.engines.insert("rust".to_string(), engine);

    if let Some(path) = &opts.report {
        write(path, &report.to_json())?;
    }
    if let Some(path) = &opts.records {
        write(path, &spectest_runner::report::records_jsonl(runs.iter().flat_map(|r| &r.files)))?;
    }
    let markdown = report.markdown();
    if let Some(path) = &opts.markdown {
        write(path, &markdown)?;
    }

    for line in report.summary_lines() {
        println!("{line}");
    }
    println!();
    print!("{markdown}");
    for stale in &report.engines["rust"].stale {
        println!("stale expected-failure entry: {stale}");
    }
    Ok(ok)
}

fn write(path: &PathBuf, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `files` on `opts.jobs` worker threads; results come back in file order.
fn run_files(files: &[TestFile], expected: &ExpectedFailures, opts: &Options) -> Vec<FileResult> {
    let slots: Vec<Mutex<Option<FileResult>>> = files.iter().map(|_| Mutex::new(None)).collect();
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
                    let result = spectest_runner::run_and_judge(file, expected);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if opts.progress && terminal {
                        eprint!("\r\x1b[K[{n}/{total}] {}", file.id());
                    } else if opts.progress {
                        eprintln!("[{n}/{total}] {}", file.id());
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
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| spectest_runner::run_and_judge(file, expected))
        })
        .collect()
}
