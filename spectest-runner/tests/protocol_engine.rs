//! The protocol engine's process handling, with small fake adapters written in Python (they
//! need only a `python3` on PATH; without one the tests print a notice and pass). The real
//! adapter, wasmi's, is tested in its own crate and runs in the conformance job.

use spectest_runner::export::{self, Exported};
use spectest_runner::outcome::MISSING;
use spectest_runner::protocol::{self, ProtocolEngine};
use spectest_runner::python;
use spectest_runner::suites::{Suite, TestFile};
use spectest_runner::{DirectiveRecord, Status};
use std::borrow::Cow;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A fake adapter: every module is instance 0, every invoke returns `i32:0x00000001`; a file
/// whose id contains `gc` is unsupported, `crash` exits at its second module, `hang` sleeps.
const FAKE: &str = r#"
import json, sys, time
file = ""
modules = 0
for line in sys.stdin:
    req = json.loads(line)
    op = req["op"]
    if op == "hello":
        out = {"name": "fake", "version": "1"}
    elif op == "begin":
        file, modules = req["file"], 0
        out = {"error": "unsupported", "message": "fake has no gc"} if "gc" in file else {}
    elif op == "module":
        modules += 1
        if modules == 2 and "crash" in file:
            sys.stderr.write("boom\n"); sys.stderr.flush(); sys.exit(9)
        if modules == 2 and "hang" in file:
            time.sleep(60)
        out = {"instance": 0}
    elif op == "invoke":
        out = {"values": ["i32:0x00000001"]}
    else:
        out = {}
    sys.stdout.write(json.dumps(out) + "\n"); sys.stdout.flush()
"#;

const SOURCE: &str = "(module (func (export \"f\") (result i32) (i32.const 1)))\n\
                      (assert_return (invoke \"f\") (i32.const 1))\n\
                      (module)\n\
                      (assert_return (invoke \"f\") (i32.const 2))\n";

fn run(names: &[&str], idle: Duration) -> Option<(Vec<Vec<DirectiveRecord>>, Vec<String>)> {
    if !Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success()) {
        eprintln!("notice: skipping, no python3 on PATH");
        return None;
    }
    let dir =
        std::env::temp_dir().join(format!("spectest-protocol-{}-{}", names.join("-"), std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("fake.py");
    std::fs::write(&script, FAKE).unwrap();
    let files: Vec<Exported> = names
        .iter()
        .map(|n| {
            let file =
                TestFile { suite: Suite::Epsilon, name: format!("{n}.wast"), source: Cow::Borrowed(SOURCE) };
            export::export_file(&file, &dir.join("export"))
        })
        .collect();
    let engine = ProtocolEngine {
        command: vec!["python3".into(), script.to_string_lossy().into_owned()],
        jobs: 1,
        idle_timeout: idle,
    };
    assert_eq!(protocol::hello(&engine).unwrap()["name"], "fake");
    let run = protocol::run(&engine, &files);
    let records = files.iter().zip(&run.files).map(|(e, o)| python::judge_file(e, o)).collect();
    let _ = std::fs::remove_dir_all(PathBuf::from(&dir));
    Some((records, run.notes))
}

#[test]
fn outcomes_are_judged_like_every_engine() {
    let Some((records, _)) = run(&["plain"], Duration::from_secs(60)) else { return };
    let statuses: Vec<Status> = records[0].iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Status::Passed, Status::Passed, Status::Passed, Status::Failed]);
    assert_eq!(records[0][3].got, "i32:0x00000001");
}

#[test]
fn an_unsupported_file_counts_apart_from_failures() {
    let Some((records, _)) = run(&["gc"], Duration::from_secs(60)) else { return };
    assert!(
        records[0].iter().all(|r| r.status == Status::Unsupported && r.got == "unsupported:fake has no gc")
    );
}

#[test]
fn a_crash_or_a_hang_leaves_the_rest_of_the_file_missing_and_a_new_process_runs_the_next() {
    let Some((records, notes)) = run(&["crash", "hang", "after"], Duration::from_secs(1)) else { return };
    for (file, why) in [(&records[0], "boom"), (&records[1], "no answer for 1 s")] {
        assert_eq!(file[0].status, Status::Passed, "records before the failure are kept");
        assert_eq!(file[1].status, Status::Passed);
        for r in &file[2..] {
            assert_eq!(r.got, MISSING);
            assert!(r.detail.as_deref().unwrap().contains(why), "{:?}", r.detail);
        }
    }
    assert_eq!(records[2].iter().filter(|r| r.status == Status::Passed).count(), 3);
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn an_adapter_that_cannot_start_hides_nothing() {
    let engine = ProtocolEngine {
        command: vec!["/nonexistent/adapter".into()],
        jobs: 1,
        idle_timeout: Duration::from_secs(5),
    };
    assert!(protocol::hello(&engine).is_err());
}
