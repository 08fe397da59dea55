//! # spectest-runner
//!
//! Runs the official WebAssembly specification test suite (and epsilon's own `.wast`
//! regression tests) against the [`epsilon`] interpreter and accounts for every directive.
//!
//! The crate is split into small modules with one job each:
//!
//! * [`suites`]: which files make up each suite and the engine configuration per file;
//! * [`run`]: executes one `.wast` file and produces one [`DirectiveRecord`] per directive;
//! * [`values`]: converts wast arguments to [`epsilon::Val`]s and matches results against
//!   expected patterns (NaN patterns, references, `either`);
//! * [`outcome`]: the canonical outcome strings (`i32:0x0000002a`, `trap:unreachable`, ...);
//! * [`spectest_host`]: the `spectest` host module of the reference interpreter;
//! * [`expected`]: the expected-failures list and its judgement of a file's records;
//! * [`record`]: directive and file records;
//! * [`report`]: aggregation into the JSON report and the Markdown table;
//! * [`lines`]: byte offset to line number conversion.

pub mod expected;
pub mod lines;
pub mod outcome;
pub mod record;
pub mod report;
pub mod run;
pub mod spectest_host;
pub mod suites;
pub mod values;

pub use expected::ExpectedFailures;
pub use record::{DirectiveRecord, FileResult, Status};
pub use run::run_file;
pub use suites::{Suite, TestFile};

/// Runs one file and judges its records against the expected-failures list.
///
/// Never panics: a panic inside a directive is caught and recorded as that directive's
/// failure, and a panic anywhere else while running the file is recorded as a failure of the
/// whole file.
pub fn run_and_judge(file: &TestFile, expected: &ExpectedFailures) -> FileResult {
    let records = run::run_file_guarded(file);
    expected.judge(&file.id(), records)
}
