//! # spectest-runner
//!
//! Runs the official WebAssembly specification test suite (and epsilon's own `.wast`
//! regression tests) on epsilon's engines — the Rust crate [`epsilon`] and the `epsilon`
//! Python package — and on any other engine behind an adapter (`ADAPTERS.md`: a Python
//! adapter class, or a program speaking JSON lines), accounts for every directive, and
//! compares the engines directive by directive.
//!
//! Engines only *produce* canonical outcome strings; one function, [`expect::judge`], judges
//! them for every engine, and [`compare::join`] compares engines directive by directive.
//!
//! * [`suites`]: which files make up each suite, the engine configuration per file, limits;
//! * [`expect`]: what each directive expects, and the judge;
//! * [`outcome`]: the canonical outcome strings (`i32:0x0000002a`, `trap:unreachable`, ...);
//! * [`run`]: the Rust engine — executes one `.wast` file through the Rust API;
//! * [`export`]: exports a file as `json-from-wast` commands plus module bytes, and its plan;
//! * [`python`]: Python adapters — runs `python/replay.py` over the exports with an adapter
//!   (epsilon's package, wasmtime's, or any), collects and judges its outcomes (nothing it
//!   does can hide a directive);
//! * [`protocol`]: engines behind the JSON-lines adapter protocol (wasmi, `rust-protocol`);
//! * [`compare`]: the agreement of two engines, per `(file, line, kind)`;
//! * [`values`]: wast arguments as [`epsilon::Val`]s (Rust engine);
//! * [`spectest_host`]: the `spectest` host module of the reference interpreter (Rust engine);
//! * [`expected`]: the expected-failures list and its judgement of a file's records;
//! * [`record`]: directive and file records;
//! * [`report`]: aggregation into the JSON report and the Markdown table;
//! * [`junit`]: the JUnit XML report; [`html`]: the self-contained HTML report;
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
