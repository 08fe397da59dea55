//! # spectest-runner
//!
//! Runs the official WebAssembly specification test suite (and epsilon's own `.wast`
//! regression tests) on epsilon's two engines — the Rust crate [`epsilon`] and the `epsilon`
//! Python package — accounts for every directive, and proves that both engines agree.
//!
//! Engines only *produce* canonical outcome strings; one function, [`expect::judge`], judges
//! them for every engine, and [`compare::join`] compares engines directive by directive.
//!
//! * [`suites`]: which files make up each suite, the engine configuration per file, limits;
//! * [`expect`]: what each directive expects, and the judge;
//! * [`outcome`]: the canonical outcome strings (`i32:0x0000002a`, `trap:unreachable`, ...);
//! * [`run`]: the Rust engine — executes one `.wast` file through the Rust API;
//! * [`export`]: exports a file as `json-from-wast` commands plus module bytes, and its plan;
//! * [`python`]: the Python engine — runs `python/replay.py` over the exports through the
//!   public package, collects and judges its outcomes (nothing it does can hide a directive);
//! * [`compare`]: the agreement of two engines, per `(file, line, kind)`;
//! * [`values`]: wast arguments as [`epsilon::Val`]s (Rust engine);
//! * [`spectest_host`]: the `spectest` host module of the reference interpreter (Rust engine);
//! * [`expected`]: the expected-failures list and its judgement of a file's records;
//! * [`record`]: directive and file records;
//! * [`report`]: aggregation into the JSON report and the Markdown table;
//! * [`lines`]: byte offset to line number conversion.

pub mod compare;
pub mod expect;
pub mod expected;
pub mod export;
pub mod html;
pub mod junit;
pub mod lines;
pub mod outcome;
pub mod protocol;
pub mod python;
pub mod record;
pub mod report;
pub mod run;
pub mod spectest_host;
pub mod suites;
pub mod values;

pub use expected::ExpectedFailures;
pub use record::{DirectiveRecord, FileResult, Status};
pub use run::run_file;
pub use suites::{Limits, Suite, TestFile};

/// Runs one file and judges its records against the expected-failures list.
///
/// Never panics: a panic inside a directive is caught and recorded as that directive's
/// failure, and a panic anywhere else while running the file is recorded as a failure of the
/// whole file.
pub fn run_and_judge(file: &TestFile, expected: &ExpectedFailures) -> FileResult {
    run_and_judge_with(file, expected, Limits::NONE)
}

/// [`run_and_judge`] with resource limits switched on.
pub fn run_and_judge_with(file: &TestFile, expected: &ExpectedFailures, limits: Limits) -> FileResult {
    let records = run::run_file_guarded(file, limits);
    expected.judge(&file.id(), records)
}
