//! One libtest-mimic trial per `.wast` file (`v2/i32.wast`, `simd/simd_lane.wast`,
//! `multi-memory/load0.wast`, `epsilon/translator.wast`, ...), plus checks of the directive
//! census and of the expected-failures list itself.
//!
//! A file's trial fails when a directive fails that is not listed in
//! `testsuite/expected-failures.txt`, or when a listed failure passes (a stale entry).

use libtest_mimic::{Arguments, Failed, Trial};
use spectest_runner::suites::{self, Suite};
use spectest_runner::{ExpectedFailures, run::count_directives};
use std::collections::HashSet;
use std::sync::Arc;

/// The number of top-level directives each official suite must have.
const CENSUS: [(Suite, usize); 10] = [
    (Suite::V2, 28_018),
    (Suite::V3, 21_228),
    (Suite::Simd, 25_990),
    (Suite::MultiMemory, 912),
    (Suite::proposal("extended-const"), 290),
    (Suite::proposal("tail-call"), 119),
    (Suite::proposal("relaxed-simd"), 77),
    (Suite::proposal("memory64"), 1606),
    (Suite::proposal("exceptions"), 105),
    (Suite::proposal("function-references"), 1875),
];

fn main() {
    let args = Arguments::from_args();
    let dir = suites::default_testsuite_dir();
    let mut trials = Vec::new();

    let expected = ExpectedFailures::load(&dir.join("expected-failures.txt"));
    let list = Arc::new(expected.clone().unwrap_or_default());

    let mut known = HashSet::new();
    for suite in Suite::ALL {
        let files = match suites::load(suite, &dir) {
            Ok(files) => files,
            Err(e) => {
                trials.push(Trial::test(format!("{}/<load>", suite.name()), move || Err(Failed::from(e))));
                continue;
            }
        };
        for file in files {
            known.insert(file.id());
            let list = list.clone();
            trials.push(Trial::test(file.id(), move || {
                let result = spectest_runner::run_and_judge(&file, &list);
                if result.is_ok() { Ok(()) } else { Err(Failed::from(result.problems())) }
            }));
        }
    }

    trials.push(Trial::test("expected-failures.txt", move || {
        let list = expected.map_err(Failed::from)?;
        let unknown = list.unknown_files(&known);
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Failed::from(format!("entries naming files that do not exist:\n{}", unknown.join("\n"))))
        }
    }));

    for (suite, want) in CENSUS {
        trials.push(Trial::test(format!("census/{}", suite.name()), move || {
            let files = suites::load(suite, &suites::default_testsuite_dir()).map_err(Failed::from)?;
            let mut total = 0;
            for file in &files {
                total += count_directives(&file.source).map_err(|e| format!("{}: {e}", file.id()))?;
            }
            if total == want {
                Ok(())
            } else {
                Err(Failed::from(format!("{} has {total} directives, expected {want}", suite.name())))
            }
        }));
    }

    libtest_mimic::run(&args, trials).exit();
}
