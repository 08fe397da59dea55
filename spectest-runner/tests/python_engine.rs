//! The Python engine's process handling and an end-to-end replay.
//!
//! The driver-failure tests use small fake drivers and need only a `python3`; the end-to-end
//! test replays one file through the real `epsilon` package and runs only when a Python with
//! the package is available (`ci/setup-python.sh` makes one in `.venv`); otherwise it prints
//! a notice and passes. The main job (`ci/conformance.sh`) replays every file anyway.

use spectest_runner::compare::{self, Outcome};
use spectest_runner::export::{self, Exported};
use spectest_runner::outcome::MISSING;
use spectest_runner::python::{self, PythonEngine};
use spectest_runner::suites::{self, Limits, Suite, TestFile};
use spectest_runner::{DirectiveRecord, ExpectedFailures, Status};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spectest-python-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn python3() -> Option<PathBuf> {
    let ok = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if ok {
        Some(PathBuf::from("python3"))
    } else {
        eprintln!("notice: skipping, no python3 on PATH");
        None
    }
}

fn engine(python: PathBuf, driver: PathBuf, idle: Duration) -> PythonEngine {
    PythonEngine {
        python,
        driver,
        adapter: "epsilon".to_string(),
        jobs: 1,
        limits: Limits::NONE,
        idle_timeout: idle,
        progress: false,
    }
}

fn file(name: &str, source: &'static str) -> TestFile {
    TestFile { suite: Suite::Epsilon, name: name.to_string(), source: Cow::Borrowed(source) }
}

const THREE_MODULES: &str = "(module)\n(module)\n(module)\n";

/// A fake driver: for every directory, it replays the first directive as `ok`, then crashes
/// (directory names containing `crash`), hangs (`hang`), or finishes the file.
const FAKE_DRIVER: &str = r#"
import json, os, sys, time
def emit(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
args = sys.argv[1:]
if args[:1] == ["--adapter"]:
    args = args[2:]
for d in args:
    data = json.load(open(os.path.join(d, "commands.json")))
    emit({"event": "start", "dir": d, "file": data["file"]})
    for i, c in enumerate(data["commands"]):
        dd = c["directive"]
        emit({"file": data["file"], "index": dd["index"], "line": dd["line"], "kind": dd["kind"], "got": "ok"})
        if i == 0 and "crash" in os.path.basename(d):
            sys.stderr.write("boom\n"); sys.stderr.flush(); os._exit(7)
        if i == 0 and "hang" in os.path.basename(d):
            time.sleep(60)
    emit({"event": "done", "dir": d, "file": data["file"], "records": len(data["commands"])})
"#;

fn run_fake(names: &[&str], idle: Duration) -> Vec<(Exported, Vec<DirectiveRecord>, Vec<String>)> {
    let dir = temp_dir(&names.join("-").replace(".wast", ""));
    let driver = dir.join("fake.py");
    std::fs::write(&driver, FAKE_DRIVER).unwrap();
    let files: Vec<Exported> =
        names.iter().map(|n| export::export_file(&file(n, THREE_MODULES), &dir.join("export"))).collect();
    let Some(python) = python3() else { return Vec::new() };
    let run = python::run(&engine(python, driver, idle), &files);
    let out = files
        .into_iter()
        .zip(&run.files)
        .map(|(e, o)| {
            let records = python::judge_file(&e, o);
            (e, records, run.notes.clone())
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn a_crashing_driver_is_restarted_and_its_file_counts_as_missing() {
    let results = run_fake(&["0crash.wast", "a.wast"], Duration::from_secs(60));
    let Some((_, crashed, notes)) = results.first() else { return };
    assert_eq!(crashed[0].status, Status::Passed, "records before the crash are kept");
    for r in &crashed[1..] {
        assert_eq!(r.got, MISSING);
        let detail = r.detail.as_deref().unwrap();
        assert!(detail.contains("stopped while replaying") && detail.contains("boom"), "{detail}");
    }
    assert!(notes.iter().any(|n| n.contains("restarted")), "{notes:?}");
    let (_, after, _) = &results[1];
    assert!(after.iter().all(|r| r.status == Status::Passed), "the next file ran in a new driver: {after:?}");
}

#[test]
fn a_hanging_driver_is_killed_after_the_idle_timeout() {
    let results = run_fake(&["hang.wast", "b.wast"], Duration::from_secs(1));
    let Some((_, hung, _)) = results.first() else { return };
    assert_eq!(hung[0].status, Status::Passed);
    assert!(
        hung[1..]
            .iter()
            .all(|r| r.got == MISSING && r.detail.as_deref().unwrap().contains("no output for 1 s"))
    );
    assert!(results[1].1.iter().all(|r| r.status == Status::Passed));
}

#[test]
fn a_missing_export_file_and_an_unusable_python_hide_nothing() {
    let dir = temp_dir("broken");
    let mut exported = export::export_file(&file("c.wast", THREE_MODULES), &dir);
    std::fs::remove_file(exported.dir.join(export::COMMANDS)).unwrap();
    if let Some(python) = python3() {
        let run = python::run(
            &engine(python, python::default_driver(), Duration::from_secs(60)),
            &[exported.clone()],
        );
        let records = python::judge_file(&exported, &run.files[0]);
        assert_eq!(records.len(), 3);
        for r in &records {
            assert_eq!(r.got, MISSING);
            let detail = r.detail.as_deref().unwrap();
            assert!(detail.contains("commands.json") || detail.contains("epsilon"), "{detail}");
        }
    }
    let nowhere =
        engine(PathBuf::from("/nonexistent/python"), python::default_driver(), Duration::from_secs(5));
    assert!(python::check(&nowhere).is_err());
    exported.error = Some("json-from-wast: broken".into());
    assert!(!exported.runnable());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Replays `epsilon/host.wast` (every `spectest` import, registered modules, externrefs,
/// unlinkable imports) through the real package and compares it with the Rust engine.
#[test]
fn the_package_replays_a_file_and_agrees_with_the_rust_engine() {
    let engine = engine(python::default_python(), python::default_driver(), Duration::from_secs(120));
    if let Err(why) = python::check(&engine) {
        eprintln!("notice: skipping the end-to-end replay, no Python with the epsilon package: {why}");
        return;
    }
    let dir = temp_dir("e2e");
    let files = suites::load(Suite::Epsilon, &suites::default_testsuite_dir()).unwrap();
    let host = files.into_iter().find(|f| f.name == "host.wast").expect("epsilon/host.wast");
    let exported = export::export_file(&host, &dir);
    assert!(exported.runnable(), "{:?}", exported.error);
    let run = python::run(&engine, std::slice::from_ref(&exported));
    let python = python::judge_file(&exported, &run.files[0]);
    let rust = spectest_runner::run_and_judge(&host, &ExpectedFailures::empty()).records;
    assert!(python.len() > 20);
    let failed: Vec<_> = python.iter().filter(|r| r.status != Status::Passed).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let outcomes = |records: &[DirectiveRecord]| records.iter().map(Outcome::from).collect::<Vec<_>>();
    let agreement = compare::join("rust", &outcomes(&rust), "python", &outcomes(&python));
    assert!(agreement.is_complete(), "{:#?}", agreement.disagreements);
    assert_eq!(agreement.total.agreed, rust.len());
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}
