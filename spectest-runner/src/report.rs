//! Aggregation of file results into the JSON report, the Markdown table and the one-line
//! summaries.

use crate::compare::Agreement;
use crate::record::{FileResult, Status};
use crate::suites::{Suite, TESTSUITE_PIN};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON report layout (2: several engines, agreement, timings; 3: unsupported
/// counts, peer engines, versions, date).
pub const SCHEMA_VERSION: u32 = 3;

/// The results of one suite run by one engine.
#[derive(Debug, Clone)]
pub struct SuiteRun {
    /// The suite.
    pub suite: Suite,
    /// One judged result per file, in file order.
    pub files: Vec<FileResult>,
}

/// Directive counts.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Every directive: `passed + failed + skipped + unsupported`.
    pub directives: usize,
    /// Directives whose outcome matched.
    pub passed: usize,
    /// Directives whose outcome did not match, listed in the expected-failures file or not.
    pub failed: usize,
    /// Directives not executed.
    pub skipped: usize,
    /// Directives the engine does not support (counted apart from failures).
    pub unsupported: usize,
    /// The part of `failed` listed in the expected-failures file.
    pub expected_failures: usize,
    /// The part of `failed` the engine gave no outcome for (`missing`).
    pub missing: usize,
}

impl Counts {
    fn add_file(&mut self, file: &FileResult) {
        self.directives += file.records.len();
        self.passed += file.passed();
        self.failed += file.failed();
        self.skipped += file.skipped();
        self.unsupported += file.unsupported();
        self.expected_failures += file.expected_failures();
        self.missing += file.missing();
    }

    fn add(&mut self, other: &Counts) {
        self.directives += other.directives;
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.unsupported += other.unsupported;
        self.expected_failures += other.expected_failures;
        self.missing += other.missing;
    }
}

/// Counts of one suite.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteCounts {
    /// Number of files.
    pub files: usize,
    /// Directive counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Failures not listed in the expected-failures file.
    pub unexpected_failures: usize,
    /// Stale expected-failure entries.
    pub stale: usize,
}

/// Counts of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// File id.
    pub file: String,
    /// Number of directives.
    pub directives: usize,
    /// Directives passed.
    pub passed: usize,
    /// Directives failed (expected or not).
    pub failed: usize,
    /// Directives skipped.
    pub skipped: usize,
    /// Directives the engine does not support.
    pub unsupported: usize,
    /// Failures listed in the expected-failures file.
    pub expected_failures: usize,
}

/// One failed directive.
#[derive(Debug, Clone, Serialize)]
pub struct FailureRecord {
    /// File id.
    pub file: String,
    /// 1-based line of the directive.
    pub line: u32,
    /// Directive kind.
    pub kind: String,
    /// Canonical expected outcome.
    pub expected: String,
    /// Canonical actual outcome.
    pub got: String,
    /// Whether the failure is listed in the expected-failures file.
    pub expected_failure: bool,
    /// The full error message, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Everything one engine did.
#[derive(Debug, Clone, Serialize)]
pub struct EngineReport {
    /// A peer engine (not one of epsilon's): its failures and disagreements are data and
    /// do not fail the run, and the expected-failures list does not apply to it.
    pub peer: bool,
    /// Wall-clock seconds the engine took (for the Python engine: export and replay).
    pub seconds: f64,
    /// The engine and its version, for people (`epsilon 0.1.0`, `wasmtime 51.0.0 (Python 3.11.7)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// About the engine (for Python: interpreter and package versions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<serde_json::Value>,
    /// Problems and remarks that are not directive outcomes (driver restarts, configuration
    /// gaps, corrupt driver output), with the file they concern.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Counts over all suites.
    pub total: Counts,
    /// Counts per suite, by suite name.
    pub suites: BTreeMap<String, SuiteCounts>,
    /// Counts per file.
    pub files: Vec<FileSummary>,
    /// Every failed directive.
    pub failures: Vec<FailureRecord>,
    /// Stale expected-failure entries, as written in the list.
    pub stale: Vec<String>,
}

impl EngineReport {
    /// Aggregates the suite runs of one engine; `extra_stale` are stale entries found outside
    /// any file (for example entries naming files that do not exist).
    pub fn new(runs: &[SuiteRun], extra_stale: Vec<String>) -> Self {
        let mut report = EngineReport {
            peer: false,
            version: None,
            seconds: 0.0,
            info: None,
            notes: Vec::new(),
            total: Counts::default(),
            suites: BTreeMap::new(),
            files: Vec::new(),
            failures: Vec::new(),
            stale: Vec::new(),
        };
        for run in runs {
            let mut counts = Counts::default();
            let mut unexpected = 0;
            let mut stale = 0;
            for file in &run.files {
                counts.add_file(file);
                unexpected += file.unexpected_failures().count();
                stale += file.stale.len();
                report.stale.extend(file.stale.iter().cloned());
                report.files.push(FileSummary {
                    file: file.file.clone(),
                    directives: file.records.len(),
                    passed: file.passed(),
                    failed: file.failed(),
                    skipped: file.skipped(),
                    unsupported: file.unsupported(),
                    expected_failures: file.expected_failures(),
                });
                report.failures.extend(file.records.iter().filter(|r| r.status == Status::Failed).map(|r| {
                    FailureRecord {
                        file: r.file.clone(),
                        line: r.line,
                        kind: r.kind.to_string(),
                        expected: r.expected.clone(),
                        got: r.got.clone(),
                        expected_failure: r.expected_failure,
                        detail: r.detail.clone(),
                    }
                }));
            }
            let prefix = format!("{}/", run.suite.name());
            stale += extra_stale.iter().filter(|s| s.starts_with(&prefix)).count();
            report.total.add(&counts);
            report.suites.insert(
                run.suite.name().to_string(),
                SuiteCounts { files: run.files.len(), counts, unexpected_failures: unexpected, stale },
            );
        }
        report.stale.extend(extra_stale);
        report
    }

    /// Number of failures not listed in the expected-failures file.
    pub fn unexpected_failures(&self) -> usize {
        self.failures.iter().filter(|f| !f.expected_failure).count()
    }

    /// Whether anything failed unexpectedly or an expected-failure entry is stale (never for
    /// a peer engine).
    pub fn has_problems(&self) -> bool {
        !self.peer && (self.unexpected_failures() > 0 || !self.stale.is_empty())
    }
}

/// The JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `epsilon::VERSION`.
    pub epsilon_version: &'static str,
    /// [`TESTSUITE_PIN`].
    pub testsuite: &'static str,
    /// The date of the run (UTC), `YYYY-MM-DD`.
    pub date: String,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
    /// Engine labels in the order they ran (`rust`, `python`, `rust+fuel+interrupt`, ...).
    pub engine_order: Vec<String>,
    /// Results by engine label.
    pub engines: BTreeMap<String, EngineReport>,
    /// The comparison of the first two engines (normally `rust` and `python`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    /// Comparisons of the first engine with every further engine.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_agreements: Vec<Agreement>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            epsilon_version: epsilon::VERSION,
            testsuite: TESTSUITE_PIN,
            date: today(),
            seconds: 0.0,
            engine_order: Vec::new(),
            engines: BTreeMap::new(),
            agreement: None,
            other_agreements: Vec::new(),
        }
    }
}

impl Report {
    /// Adds an engine's results (in run order).
    pub fn add_engine(&mut self, label: &str, report: EngineReport) {
        if !self.engine_order.iter().any(|l| l == label) {
            self.engine_order.push(label.to_string());
        }
        self.engines.insert(label.to_string(), report);
    }

    /// Every comparison, the main one first.
    pub fn agreements(&self) -> impl Iterator<Item = &Agreement> {
        self.agreement.iter().chain(&self.other_agreements)
    }

    /// Whether anything failed unexpectedly, an entry is stale, or two of epsilon's engines
    /// did not agree on every directive (peer engines never fail a run).
    pub fn has_problems(&self) -> bool {
        let peer = |label: &str| self.engines.get(label).is_some_and(|e| e.peer);
        self.engines.values().any(EngineReport::has_problems)
            || self.agreements().any(|a| !a.is_complete() && !peer(&a.left) && !peer(&a.right))
    }

    /// The suites present in the report, in report order.
    pub fn suite_names(&self) -> Vec<&'static str> {
        Suite::every()
            .into_iter()
            .map(Suite::name)
            .filter(|name| self.engines.values().any(|e| e.suites.contains_key(*name)))
            .collect()
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The Markdown report: one row per suite (plus a total), one column per engine with
    /// cells `passed/total` (and the failed and unsupported counts when there are any), a
    /// column `agreed/compared` for the main comparison; one line per comparison; the engines'
    /// versions, the date and the notes.
    pub fn markdown(&self) -> String {
        let engines: Vec<&String> =
            self.engine_order.iter().filter(|e| self.engines.contains_key(*e)).collect();
        let main = self.agreement.as_ref();
        let mut out = String::from("| suite |");
        for e in &engines {
            out.push_str(&format!(" {e} |"));
        }
        if let Some(a) = main {
            out.push_str(&format!(" agreed ({} = {}) |", a.left, a.right));
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(engines.len() + usize::from(main.is_some())));
        out.push('\n');
        for suite in self.suite_names() {
            out.push_str(&format!("| {suite} |"));
            for e in &engines {
                match self.engines[*e].suites.get(suite) {
                    Some(s) => out.push_str(&format!(" {} |", cell(&s.counts))),
                    None => out.push_str(" - |"),
                }
            }
            if let Some(a) = main {
                match a.suites.get(suite) {
                    Some(c) => out.push_str(&format!(" {}/{} |", c.agreed, c.compared)),
                    None => out.push_str(" - |"),
                }
            }
            out.push('\n');
        }
        out.push_str("| **total** |");
        for e in &engines {
            out.push_str(&format!(" **{}** |", cell(&self.engines[*e].total)));
        }
        if let Some(a) = main {
            out.push_str(&format!(" **{}/{}** |", a.total.agreed, a.total.compared));
        }
        out.push('\n');
        let agreements: Vec<&Agreement> = self.agreements().collect();
        if !agreements.is_empty() {
            out.push('\n');
        }
        for a in agreements {
            let t = &a.total;
            out.push_str(&format!(
                "- Agreement {} = {}: {} directives compared, {} agreed, {} disagreed, {} unsupported by either, {} missing.\n",
                a.left, a.right, t.compared, t.agreed, t.disagreed, t.unsupported, t.missing
            ));
        }
        let versions: Vec<String> = engines
            .iter()
            .map(|e| match &self.engines[*e].version {
                Some(v) => format!("{e}: {v}"),
                None => e.to_string(),
            })
            .collect();
        out.push_str(&format!(
            "\nEngines: {}. {}; {}; {:.1} s.\n",
            versions.join("; "),
            self.testsuite,
            self.date,
            self.seconds,
        ));
        let notes: Vec<String> = self
            .engine_order
            .iter()
            .filter_map(|e| self.engines.get(e).map(|r| (e, r)))
            .flat_map(|(e, r)| r.notes.iter().map(move |n| format!("- {e}: {n}")))
            .collect();
        if !notes.is_empty() {
            out.push_str("\nNotes:\n\n");
            for n in notes {
                out.push_str(&n);
                out.push('\n');
            }
        }
        out
    }

    /// One line per engine and suite (files, directives, passed, failed (expected), skipped,
    /// missing, stale), one per engine with its time, one per comparison.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for engine in &self.engine_order {
            let Some(report) = self.engines.get(engine) else { continue };
            for suite in Suite::every() {
                let Some(s) = report.suites.get(suite.name()) else { continue };
                let c = &s.counts;
                lines.push(format!(
                    "[{engine}] {}: {} files, {} directives: {} passed, {} failed ({} expected, {} unexpected, {} missing), {} unsupported, {} skipped, {} stale entries",
                    suite.name(),
                    s.files,
                    c.directives,
                    c.passed,
                    c.failed,
                    c.expected_failures,
                    s.unexpected_failures,
                    c.missing,
                    c.unsupported,
                    c.skipped,
                    s.stale
                ));
            }
            lines.push(format!("[{engine}] {:.1} s", report.seconds));
        }
        lines.extend(self.agreements().map(Agreement::summary));
        lines
    }
}

/// A Markdown cell of counts: `passed/directives`, plus the failed and unsupported counts
/// when there are any.
fn cell(c: &Counts) -> String {
    let mut extra = Vec::new();
    if c.failed > 0 {
        extra.push(format!("{} failed", c.failed));
    }
    if c.unsupported > 0 {
        extra.push(format!("{} unsupported", c.unsupported));
    }
    if extra.is_empty() {
        format!("{}/{}", c.passed, c.directives)
    } else {
        format!("{}/{} ({})", c.passed, c.directives, extra.join(", "))
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The proleptic Gregorian date of `days` days after 1970-01-01, as `YYYY-MM-DD`.
fn civil_date(days: u64) -> String {
    // Days since 0000-03-01, split into 400-year eras (146,097 days each).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Every directive record of `files` as JSON lines (one object per line, with the engine
/// label), for comparison of outcomes between engines (`spectest-runner compare`).
pub fn records_jsonl<'a>(engine: &str, files: impl IntoIterator<Item = &'a FileResult>) -> String {
    #[derive(Serialize)]
    struct Line<'r> {
        engine: &'r str,
        #[serde(flatten)]
        record: &'r crate::record::DirectiveRecord,
    }
    let mut out = String::new();
    for file in files {
        for record in &file.records {
            if let Ok(line) = serde_json::to_string(&Line { engine, record }) {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Outcome, join};

    fn engine(passed: usize, failed: usize) -> EngineReport {
        let mut e = EngineReport::new(&[], Vec::new());
        let counts = Counts { directives: passed + failed, passed, failed, ..Counts::default() };
        e.total = counts;
        e.suites.insert("v2".into(), SuiteCounts { files: 1, counts, unexpected_failures: failed, stale: 0 });
        e
    }

    fn outcome(got: &str) -> Outcome {
        serde_json::from_value(
            serde_json::json!({"file": "v2/a.wast", "line": 1, "kind": "module", "got": got}),
        )
        .unwrap()
    }

    #[test]
    fn markdown_has_engine_columns_and_the_agreement() {
        let mut report = Report::default();
        report.add_engine("rust", engine(2, 0));
        report.add_engine("python", engine(2, 0));
        report.agreement = Some(join("rust", &[outcome("ok")], "python", &[outcome("ok")]));
        let md = report.markdown();
        assert!(md.starts_with("| suite | rust | python | agreed (rust = python) |\n"), "{md}");
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_513), "2026-03-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert!(md.contains("| v2 | 2/2 | 2/2 | 1/1 |"), "{md}");
        assert!(md.contains("1 agreed, 0 disagreed, 0 unsupported by either, 0 missing"), "{md}");
        assert!(!report.has_problems());
        report.engines.get_mut("python").unwrap().peer = true;
        report.other_agreements.push(join("rust", &[outcome("ok")], "python", &[outcome("invalid")]));
        assert!(!report.has_problems(), "a peer's disagreement is data");
        report.engines.get_mut("python").unwrap().peer = false;
        assert!(report.has_problems(), "a disagreement of epsilon's engines fails the run");
        report.other_agreements.clear();
        report.other_agreements.push(join("rust", &[outcome("ok")], "rust+fuel", &[outcome("invalid")]));
        assert!(report.has_problems(), "a disagreement fails the run");
        report.other_agreements.clear();
        let mut failing = engine(1, 1);
        failing.failures.push(FailureRecord {
            file: "v2/a.wast".into(),
            line: 1,
            kind: "module".into(),
            expected: "ok".into(),
            got: "invalid".into(),
            expected_failure: false,
            detail: None,
        });
        report.add_engine("python", failing);
        assert!(report.has_problems(), "an unexpected failure fails the run");
    }
}
