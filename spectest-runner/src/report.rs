//! Aggregation of file results into the JSON report, the Markdown table and the one-line
//! summaries.

use crate::record::{FileResult, Status};
use crate::suites::{Suite, TESTSUITE_PIN};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON report layout.
pub const SCHEMA_VERSION: u32 = 1;

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
    /// Every directive: `passed + failed + skipped`.
    pub directives: usize,
    /// Directives whose outcome matched.
    pub passed: usize,
    /// Directives whose outcome did not match, listed in the expected-failures file or not.
    pub failed: usize,
    /// Directives not executed.
    pub skipped: usize,
    /// The part of `failed` listed in the expected-failures file.
    pub expected_failures: usize,
}

impl Counts {
    fn add_file(&mut self, file: &FileResult) {
        self.directives += file.records.len();
        self.passed += file.passed();
        self.failed += file.failed();
        self.skipped += file.skipped();
        self.expected_failures += file.expected_failures();
    }

    fn add(&mut self, other: &Counts) {
        self.directives += other.directives;
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.expected_failures += other.expected_failures;
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

    /// Whether anything failed unexpectedly or an expected-failure entry is stale.
    pub fn has_problems(&self) -> bool {
        self.unexpected_failures() > 0 || !self.stale.is_empty()
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
    /// Results by engine name (`rust`, later `python`).
    pub engines: BTreeMap<String, EngineReport>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            epsilon_version: epsilon::VERSION,
            testsuite: TESTSUITE_PIN,
            engines: BTreeMap::new(),
        }
    }
}

impl Report {
    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// A Markdown table: one row per suite (plus a total), one column per engine, cells
    /// `passed/total`.
    pub fn markdown(&self) -> String {
        let engines: Vec<&String> = self.engines.keys().collect();
        let mut out = String::from("| suite |");
        for e in &engines {
            out.push_str(&format!(" {e} |"));
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(engines.len()));
        out.push('\n');
        for suite in Suite::ALL {
            if !self.engines.values().any(|e| e.suites.contains_key(suite.name())) {
                continue;
            }
            out.push_str(&format!("| {} |", suite.name()));
            for e in &engines {
                match self.engines[*e].suites.get(suite.name()) {
                    Some(s) => out.push_str(&format!(" {}/{} |", s.counts.passed, s.counts.directives)),
                    None => out.push_str(" - |"),
                }
            }
            out.push('\n');
        }
        out.push_str("| **total** |");
        for e in &engines {
            let t = &self.engines[*e].total;
            out.push_str(&format!(" **{}/{}** |", t.passed, t.directives));
        }
        out.push('\n');
        out
    }

    /// One line per engine and suite: files, directives, passed, failed (expected), skipped,
    /// stale.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (engine, report) in &self.engines {
            for suite in Suite::ALL {
                let Some(s) = report.suites.get(suite.name()) else { continue };
                let c = &s.counts;
                lines.push(format!(
                    "[{engine}] {}: {} files, {} directives: {} passed, {} failed ({} expected, {} unexpected), {} skipped, {} stale entries",
                    suite.name(),
                    s.files,
                    c.directives,
                    c.passed,
                    c.failed,
                    c.expected_failures,
                    s.unexpected_failures,
                    c.skipped,
                    s.stale
                ));
            }
        }
        lines
    }
}

/// Every directive record of `files` as JSON lines (one object per line), for replay and
/// comparison of outcomes between engines.
pub fn records_jsonl<'a>(files: impl IntoIterator<Item = &'a FileResult>) -> String {
    let mut out = String::new();
    for file in files {
        for record in &file.records {
            if let Ok(line) = serde_json::to_string(record) {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}
