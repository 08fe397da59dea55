//! Records of a run: one per directive, and one per file.

use crate::expect::{self, Expectation};
use serde::{Deserialize, Serialize};

/// Whether a directive passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The outcome matched the expectation.
    Passed,
    /// The outcome did not match the expectation.
    Failed,
    /// The directive was not executed (a feature outside WebAssembly 2.0 + SIMD +
    /// multi-memory, such as components or threads).
    Skipped,
    /// The engine does not support what the directive needs (a proposal it does not
    /// implement, or a value its API cannot express): counted apart from failures.
    Unsupported,
}

/// The result of one top-level directive of a `.wast` file.
#[derive(Debug, Clone, Serialize)]
pub struct DirectiveRecord {
    /// The file id, `<suite>/<file>`.
    pub file: String,
    /// The directive's position among the file's top-level directives, from 0.
    pub index: usize,
    /// The 1-based line the directive starts on.
    pub line: u32,
    /// The directive kind as written in the file: `module`, `assert_return`, ...
    pub kind: &'static str,
    /// The canonical string of what was expected (see [`crate::outcome`]).
    pub expected: String,
    /// The canonical outcome string of what happened (see [`crate::outcome`]).
    pub got: String,
    /// Whether the directive passed.
    pub status: Status,
    /// Extra information about a failure or skip (for example the full error message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Whether this failure is listed in the expected-failures file.
    pub expected_failure: bool,
}

impl DirectiveRecord {
    /// The record of a directive whose engine produced `got`: judged with
    /// [`expect::judge`], the same function for every engine.
    pub fn judged(
        file: &str,
        index: usize,
        line: u32,
        kind: &'static str,
        expectation: &Expectation,
        got: String,
        detail: Option<String>,
    ) -> Self {
        DirectiveRecord {
            file: file.to_string(),
            index,
            line,
            kind,
            expected: expectation.describe(),
            status: expect::judge(expectation, &got),
            got,
            detail,
            expected_failure: false,
        }
    }
}

/// The judged result of one file: its directive records and stale expected-failure entries.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The file id, `<suite>/<file>`.
    pub file: String,
    /// One record per top-level directive (or one record for a file that does not parse).
    pub records: Vec<DirectiveRecord>,
    /// Expected-failure entries for this file that did not fail, as written in the list.
    pub stale: Vec<String>,
}

impl FileResult {
    /// Number of directives that passed.
    pub fn passed(&self) -> usize {
        self.count(Status::Passed)
    }

    /// Number of directives that failed, expected or not.
    pub fn failed(&self) -> usize {
        self.count(Status::Failed)
    }

    /// Number of directives that were skipped.
    pub fn skipped(&self) -> usize {
        self.count(Status::Skipped)
    }

    /// Number of directives the engine does not support.
    pub fn unsupported(&self) -> usize {
        self.count(Status::Unsupported)
    }

    /// Number of directives the engine gave no outcome for (part of the failures).
    pub fn missing(&self) -> usize {
        self.records.iter().filter(|r| r.got == crate::outcome::MISSING).count()
    }

    /// Number of failures listed in the expected-failures file.
    pub fn expected_failures(&self) -> usize {
        self.records.iter().filter(|r| r.status == Status::Failed && r.expected_failure).count()
    }

    /// The failures that are not listed in the expected-failures file.
    pub fn unexpected_failures(&self) -> impl Iterator<Item = &DirectiveRecord> {
        self.records.iter().filter(|r| r.status == Status::Failed && !r.expected_failure)
    }

    /// Whether the file is acceptable: no unexpected failure and no stale entry.
    pub fn is_ok(&self) -> bool {
        self.unexpected_failures().next().is_none() && self.stale.is_empty()
    }

    /// A human-readable account of the unexpected failures and stale entries.
    pub fn problems(&self) -> String {
        let mut out = String::new();
        for r in self.unexpected_failures() {
            out.push_str(&format!(
                "{}:{} {}: expected {}, got {}",
                r.file, r.line, r.kind, r.expected, r.got
            ));
            if let Some(detail) = &r.detail {
                out.push_str(&format!(" ({detail})"));
            }
            out.push('\n');
        }
        for s in &self.stale {
            out.push_str(&format!("stale expected-failure entry (it passes now): {s}\n"));
        }
        out
    }

    fn count(&self, status: Status) -> usize {
        self.records.iter().filter(|r| r.status == status).count()
    }
}
