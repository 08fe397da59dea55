//! The Python engine: replays exported files ([`crate::export`]) through the public
//! `epsilon` Python package with the driver `spectest-runner/python/replay.py`, then judges
//! its outcomes with [`crate::expect::judge`], exactly like the Rust engine's.
//!
//! The files are split over `jobs` driver processes (balanced by directive count). Each
//! driver writes JSON lines (see the driver's docstring); this module reads them as they
//! come. Nothing the driver does can hide a directive:
//!
//! * a directive without a record (export failed, driver crashed or hung on it, the package
//!   failed to import, a corrupt or missing line) is recorded as `missing`, with the reason;
//! * a driver that dies is restarted on the files it had not started yet;
//! * a driver silent for longer than the idle timeout is killed, and treated as crashed.

use crate::export::{Exported, Plan};
use crate::outcome::MISSING;
use crate::record::DirectiveRecord;
use crate::suites::Limits;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How to run the driver.
#[derive(Debug, Clone)]
pub struct PythonEngine {
    /// The Python interpreter (one that can `import epsilon`).
    pub python: PathBuf,
    /// The driver script.
    pub driver: PathBuf,
    /// The adapter the driver loads: `epsilon`, `wasmtime`, or `FILE.py[:CLASS]`.
    pub adapter: String,
    /// Number of driver processes.
    pub jobs: usize,
    /// Limits passed to the driver (`Runtime(fuel=...)`, `Runtime(timeout_ms=...)`).
    pub limits: Limits,
    /// A driver silent for this long is killed.
    pub idle_timeout: Duration,
    /// Let the driver print progress on stderr.
    pub progress: bool,
}

/// The default driver: `spectest-runner/python/replay.py` in this source tree.
pub fn default_driver() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join("replay.py")
}

/// The default interpreter: `$EPSILON_PYTHON`, else the workspace's `.venv` (made by
/// `ci/setup-python.sh`), else `python3`.
pub fn default_python() -> PathBuf {
    if let Some(p) = std::env::var_os("EPSILON_PYTHON") {
        return PathBuf::from(p);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = manifest.parent().unwrap_or(manifest).join(".venv").join("bin").join("python");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

/// One directive outcome as the driver wrote it.
#[derive(Debug, Clone, Deserialize)]
pub struct DriverRecord {
    /// File id.
    pub file: String,
    /// Directive index.
    pub index: Option<usize>,
    /// Directive line.
    pub line: Option<u32>,
    /// Directive kind.
    pub kind: Option<String>,
    /// Canonical outcome.
    pub got: String,
    /// Full message, if any.
    #[serde(default)]
    pub detail: Option<String>,
}

/// What the driver produced for one file.
#[derive(Debug, Clone, Default)]
pub struct FileOutcomes {
    /// Records by directive index.
    pub records: HashMap<usize, DriverRecord>,
    /// Why directives without a record have none (file-level problem), if known.
    pub missing_reason: Option<String>,
    /// Notes for the report (configuration gaps, corrupt lines, duplicates).
    pub notes: Vec<String>,
    /// Whether the driver finished the file.
    pub done: bool,
}

/// The result of a Python run: per exported file (same order), plus run-level notes.
#[derive(Debug, Clone, Default)]
pub struct PythonRun {
    /// Per file.
    pub files: Vec<FileOutcomes>,
    /// Run-level notes (restarts, timeouts).
    pub notes: Vec<String>,
}

/// Runs `driver --check`: the versions of Python and of the package, or why it cannot run.
///
/// # Errors
/// The reason the driver or the package is unusable (the package fails to import, the
/// interpreter does not exist, ...).
pub fn check(engine: &PythonEngine) -> Result<Value, String> {
    let output = Command::new(&engine.python)
        .arg(&engine.driver)
        .arg("--adapter")
        .arg(&engine.adapter)
        .arg("--check")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {} {}: {e}", engine.python.display(), engine.driver.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let event: Option<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).next();
    match event {
        Some(v) if v["event"] == "check" && output.status.success() => Ok(v),
        Some(v) if v["event"] == "fatal" => Err(v["error"].as_str().unwrap_or("fatal error").to_string()),
        _ => Err(format!(
            "{} {} --check failed ({}): {}",
            engine.python.display(),
            engine.driver.display(),
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr), 600)
        )),
    }
}

/// Replays every runnable file of `files` and collects what the driver wrote.
pub fn run(engine: &PythonEngine, files: &[Exported]) -> PythonRun {
    let mut run = PythonRun { files: vec![FileOutcomes::default(); files.len()], notes: Vec::new() };
    let runnable: Vec<usize> = (0..files.len()).filter(|&i| files[i].runnable()).collect();
    let buckets = balance(&runnable, |i| files[i].plan.len(), engine.jobs.max(1));
    let results: Vec<SessionResult> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            buckets.into_iter().map(|bucket| scope.spawn(move || session(engine, files, bucket))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| (Vec::new(), vec!["a driver session panicked".to_string()])))
            .collect()
    });
    for (outcomes, notes) in results {
        for (i, o) in outcomes {
            run.files[i] = o;
        }
        run.notes.extend(notes);
    }
    run
}

/// What one driver session produced: outcomes per file index, and notes.
type SessionResult = (Vec<(usize, FileOutcomes)>, Vec<String>);

/// Splits `items` into at most `n` groups of similar total weight (largest first).
pub fn balance(items: &[usize], weight: impl Fn(usize) -> usize, n: usize) -> Vec<Vec<usize>> {
    let mut sorted = items.to_vec();
    sorted.sort_by_key(|&i| std::cmp::Reverse(weight(i)));
    let mut buckets: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); n.min(items.len()).max(1)];
    for i in sorted {
        if let Some(b) = buckets.iter_mut().min_by_key(|(w, _)| *w) {
            b.0 += weight(i);
            b.1.push(i);
        }
    }
    let mut out: Vec<Vec<usize>> = buckets.into_iter().map(|(_, b)| b).filter(|b| !b.is_empty()).collect();
    for b in &mut out {
        b.sort_unstable();
    }
    out
}

/// What one line of driver output is.
#[derive(Debug)]
enum Line {
    Start { dir: String },
    Done { dir: String },
    Fatal { dir: Option<String>, error: String },
    Note { dir: String, note: String },
    Record(DriverRecord),
    Corrupt(String),
}

fn parse_line(line: &str) -> Line {
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Line::Corrupt(format!("not JSON ({e}): {}", tail(line, 200))),
    };
    let dir = value.get("dir").and_then(Value::as_str).map(str::to_string);
    match value.get("event").and_then(Value::as_str) {
        Some("start") => dir.map_or_else(|| Line::Corrupt(line.to_string()), |dir| Line::Start { dir }),
        Some("done") => dir.map_or_else(|| Line::Corrupt(line.to_string()), |dir| Line::Done { dir }),
        Some("fatal") => Line::Fatal {
            dir,
            error: value.get("error").and_then(Value::as_str).unwrap_or("fatal error").to_string(),
        },
        Some("note") => Line::Note {
            dir: dir.unwrap_or_default(),
            note: value.get("note").and_then(Value::as_str).unwrap_or_default().to_string(),
        },
        Some(other) => Line::Corrupt(format!("unknown event `{other}`")),
        None => match serde_json::from_value::<DriverRecord>(value) {
            Ok(r) => Line::Record(r),
            Err(e) => Line::Corrupt(format!("not a record ({e}): {}", tail(line, 200))),
        },
    }
}

/// Collects driver output for the files of one bucket, restarting the driver after a crash.
struct Collector<'a> {
    files: &'a [Exported],
    by_dir: HashMap<String, usize>,
    outcomes: HashMap<usize, FileOutcomes>,
    current: Option<usize>,
    notes: Vec<String>,
    /// A fatal error the driver reported outside any file (the package does not import).
    fatal: Option<String>,
}

impl Collector<'_> {
    fn entry(&mut self, i: usize) -> &mut FileOutcomes {
        self.outcomes.entry(i).or_default()
    }

    /// Handles one line; returns the index of a file the driver is finished with.
    fn line(&mut self, text: &str) -> Option<usize> {
        match parse_line(text) {
            Line::Start { dir } => {
                self.current = self.by_dir.get(&dir).copied();
                if self.current.is_none() {
                    self.notes.push(format!("driver started an unknown directory {dir}"));
                }
                None
            }
            Line::Done { dir } => {
                let i = self.by_dir.get(&dir).copied()?;
                self.entry(i).done = true;
                self.current = None;
                Some(i)
            }
            Line::Fatal { dir: Some(dir), error } => {
                let i = self.by_dir.get(&dir).copied()?;
                self.entry(i).missing_reason = Some(format!("the driver could not replay the file: {error}"));
                self.current = None;
                Some(i)
            }
            Line::Fatal { dir: None, error } => {
                self.fatal = Some(error);
                None
            }
            Line::Note { dir, note } => {
                if let Some(&i) = self.by_dir.get(&dir) {
                    let entry = self.entry(i);
                    if !entry.notes.contains(&note) {
                        entry.notes.push(note);
                    }
                }
                None
            }
            Line::Record(record) => {
                let Some(i) = self.current else {
                    self.notes.push(format!("record outside any file: {}:{:?}", record.file, record.line));
                    return None;
                };
                let expected_id = self.files[i].file.clone();
                let entry = self.entry(i);
                if record.file != expected_id {
                    entry.notes.push(format!("record names file {} inside {expected_id}", record.file));
                    return None;
                }
                match record.index {
                    Some(index) if !entry.records.contains_key(&index) => {
                        entry.records.insert(index, record);
                    }
                    Some(index) => entry.notes.push(format!("two records for directive #{index}")),
                    None => entry.notes.push(format!("record without an index: {}", record.got)),
                }
                None
            }
            Line::Corrupt(what) => {
                let note = format!("corrupt driver output: {what}");
                match self.current {
                    Some(i) => self.entry(i).notes.push(note),
                    None => self.notes.push(note),
                }
                None
            }
        }
    }
}

/// Runs the files `bucket` (indices into `files`) in one driver process after another until
/// every file is finished or given up on.
fn session(engine: &PythonEngine, files: &[Exported], bucket: Vec<usize>) -> SessionResult {
    let mut collector = Collector {
        files,
        by_dir: bucket.iter().map(|&i| (files[i].dir.to_string_lossy().into_owned(), i)).collect(),
        outcomes: HashMap::new(),
        current: None,
        notes: Vec::new(),
        fatal: None,
    };
    let mut remaining: VecDeque<usize> = bucket.iter().copied().collect();
    while !remaining.is_empty() {
        let before = remaining.len();
        let failure =
            drive(engine, files, &remaining, &mut collector).map(|f| match collector.fatal.take() {
                Some(fatal) => format!("{fatal} ({f})"),
                None => f,
            });
        remaining
            .retain(|i| !collector.outcomes.get(i).is_some_and(|o| o.done || o.missing_reason.is_some()));
        let Some(failure) = failure else {
            // The driver exited normally: anything it did not touch has no outcome.
            for &i in &remaining {
                collector.entry(i).missing_reason =
                    Some("the driver exited without replaying the file".into());
            }
            break;
        };
        match collector.current.take() {
            Some(i) => {
                collector.entry(i).missing_reason =
                    Some(format!("the driver stopped while replaying this file: {failure}"));
                remaining.retain(|&r| r != i);
                collector.notes.push(format!("driver restarted after {}: {failure}", files[i].file));
            }
            None if remaining.len() == before => {
                // No progress at all (for example the package does not import): give up.
                for &i in &remaining {
                    collector.entry(i).missing_reason = Some(format!("the driver failed: {failure}"));
                }
                collector.notes.push(format!("driver failed: {failure}"));
                break;
            }
            None => collector.notes.push(format!("driver restarted: {failure}")),
        }
    }
    (collector.outcomes.into_iter().collect(), collector.notes)
}

/// Runs one driver process over `remaining`; `Some(reason)` if it did not exit cleanly.
fn drive(
    engine: &PythonEngine,
    files: &[Exported],
    remaining: &VecDeque<usize>,
    collector: &mut Collector<'_>,
) -> Option<String> {
    let mut command = Command::new(&engine.python);
    command.arg(&engine.driver).arg("--adapter").arg(&engine.adapter);
    if engine.limits != Limits::NONE {
        command.arg("--limits").arg(engine.limits.suffix().trim_start_matches('+'));
    }
    if engine.progress {
        command.arg("--progress");
    }
    command.args(remaining.iter().map(|&i| &files[i].dir));
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child: Child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return Some(format!("cannot start {}: {e}", engine.python.display())),
    };
    let stderr = child.stderr.take().map(|mut pipe| {
        let progress = engine.progress;
        std::thread::spawn(move || {
            let mut all = String::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]);
                if progress {
                    eprint!("{text}");
                }
                all.push_str(&text);
                if all.len() > 64 * 1024 {
                    all = tail(&all, 16 * 1024).to_string();
                }
            }
            all
        })
    });
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        if let Some(out) = stdout {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        }
    });
    let mut timed_out = false;
    loop {
        match rx.recv_timeout(engine.idle_timeout) {
            Ok(line) => {
                collector.line(&line);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                let _ = child.kill();
                break;
            }
        }
    }
    let status = child.wait();
    let _ = reader.join();
    // Lines still queued after a kill are kept: they were written before it.
    while let Ok(line) = rx.try_recv() {
        collector.line(&line);
    }
    let err = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    let err_tail = tail(err.trim(), 600);
    let with_err = |s: String| if err_tail.is_empty() { s } else { format!("{s}; stderr: {err_tail}") };
    if timed_out {
        return Some(with_err(format!("no output for {} s, killed", engine.idle_timeout.as_secs())));
    }
    match status {
        Ok(s) if s.success() && collector.current.is_none() => None,
        Ok(s) => Some(with_err(format!("driver exited with {s}"))),
        Err(e) => Some(format!("cannot wait for the driver: {e}")),
    }
}

/// The judged records of one exported file from what the driver produced.
pub fn judge_file(exported: &Exported, outcomes: &FileOutcomes) -> Vec<DirectiveRecord> {
    let planned = match &exported.plan {
        Plan::Unparsable(record) => return vec![record.clone()],
        Plan::Directives(planned) => planned,
    };
    let reason = exported
        .error
        .clone()
        .map(|e| format!("the file could not be exported: {e}"))
        .or_else(|| outcomes.missing_reason.clone())
        .unwrap_or_else(|| "the driver wrote no record for it".to_string());
    planned
        .iter()
        .map(|p| {
            let (got, detail) = match outcomes.records.get(&p.index) {
                Some(r) if r.line == Some(p.line) && r.kind.as_deref() == Some(p.kind) => {
                    (r.got.clone(), r.detail.clone())
                }
                Some(r) => (
                    MISSING.to_string(),
                    Some(format!(
                        "the driver's record for directive #{} names line {:?} kind {:?}",
                        p.index, r.line, r.kind
                    )),
                ),
                None => (MISSING.to_string(), Some(reason.clone())),
            };
            DirectiveRecord::judged(&exported.file, p.index, p.line, p.kind, &p.expectation, got, detail)
        })
        .collect()
}

/// The last `n` bytes of `s` (at a character boundary).
fn tail(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut start = s.len() - n;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::Expectation;
    use crate::export::Planned;
    use crate::record::Status;
    use crate::suites::Suite;

    fn exported(n: usize) -> Exported {
        Exported {
            file: "v2/a.wast".into(),
            suite: Suite::V2,
            plan: Plan::Directives(
                (0..n)
                    .map(|i| Planned {
                        index: i,
                        line: 10 + i as u32,
                        kind: "module",
                        expectation: Expectation::Ok,
                    })
                    .collect(),
            ),
            dir: PathBuf::from("/x/v2/a"),
            error: None,
        }
    }

    fn collector(files: &[Exported]) -> Collector<'_> {
        Collector {
            files,
            by_dir: files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.dir.to_string_lossy().into_owned(), i))
                .collect(),
            outcomes: HashMap::new(),
            current: None,
            notes: Vec::new(),
            fatal: None,
        }
    }

    #[test]
    fn missing_and_corrupt_records_do_not_hide_directives() {
        let files = [exported(4)];
        let mut c = collector(&files);
        c.line(r#"{"event":"start","dir":"/x/v2/a","file":"v2/a.wast"}"#);
        c.line(r#"{"file":"v2/a.wast","index":0,"line":10,"kind":"module","got":"ok"}"#);
        c.line(r#"{"file":"v2/a.wast","index":1,"line":99,"kind":"module","got":"ok"}"#);
        c.line("{\"file\":\"v2/a.wast\",\"index\":2,\"li");
        c.line(r#"{"file":"v2/a.wast","index":0,"line":10,"kind":"module","got":"invalid"}"#);
        let outcomes = c.outcomes.remove(&0).unwrap();
        assert!(!outcomes.done);
        assert_eq!(outcomes.notes.len(), 2, "{:?}", outcomes.notes);
        let records = judge_file(&files[0], &outcomes);
        assert_eq!(records.len(), 4);
        assert_eq!(records[0].status, Status::Passed);
        assert_eq!(records[0].got, "ok", "the first record of a directive counts");
        assert_eq!(records[1].got, MISSING, "wrong line");
        assert_eq!(records[2].got, MISSING, "corrupt line");
        assert_eq!(records[3].got, MISSING, "never written");
        assert!(records[1..].iter().all(|r| r.status == Status::Failed && r.detail.is_some()));
    }

    #[test]
    fn export_errors_and_fatal_files_are_missing_with_the_reason() {
        let mut files = [exported(2)];
        files[0].error = Some("json-from-wast: boom".into());
        let records = judge_file(&files[0], &FileOutcomes::default());
        assert!(records.iter().all(|r| r.got == MISSING && r.detail.as_deref().unwrap().contains("boom")));

        let files = [exported(2)];
        let mut c = collector(&files);
        assert_eq!(
            c.line(r#"{"event":"fatal","dir":"/x/v2/a","error":"cannot read commands.json"}"#),
            Some(0)
        );
        let records = judge_file(&files[0], &c.outcomes[&0]);
        assert!(records.iter().all(|r| r.detail.as_deref().unwrap().contains("cannot read commands.json")));
    }

    #[test]
    fn balances_by_weight() {
        let weights = [100, 1, 1, 50, 50];
        let buckets = balance(&[0, 1, 2, 3, 4], |i| weights[i], 2);
        assert_eq!(buckets.len(), 2);
        let totals: Vec<usize> = buckets.iter().map(|b| b.iter().map(|&i| weights[i]).sum()).collect();
        assert_eq!(totals.iter().sum::<usize>(), 202);
        assert!(totals.iter().all(|&t| t == 101), "{totals:?}");
        assert_eq!(balance(&[], |_| 1, 4), Vec::<Vec<usize>>::new());
    }
}
