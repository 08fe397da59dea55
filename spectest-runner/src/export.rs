//! Export of `.wast` files for engines that replay them outside this process (the Python
//! driver): every file becomes a directory with the commands as JSON and the exact module
//! bytes, converted by the `json-from-wast` crate (the same release train as `wast`).
//!
//! ```text
//! <root>/<suite>/<file stem>/commands.json     json-from-wast's commands, annotated
//! <root>/<suite>/<file stem>/<stem>.<n>.wasm   module binaries (.wat for text that must fail)
//! ```
//!
//! `commands.json` is json-from-wast's output (`source_filename`, `commands`) plus:
//!
//! * `file`: the file id (`v2/i32.wast`), `config.multi_memory`: the engine configuration,
//!   `features`: the features the file needs (see [`crate::suites::Suite::features`]);
//! * per command, `directive: {index, line, kind}`: the directive as this runner numbers and
//!   names it (json-from-wast counts lines from the module of an assertion and calls an
//!   `invoke` an `action`; records use the runner's numbering so both engines can be joined);
//! * per command, `skip`: the reason, for directives outside the supported features (the
//!   replaying engine records `skipped` without running them).
//!
//! Alongside the export, [`Plan`] keeps what every directive expects, so that the replaying
//! engine's outcomes are judged by [`crate::expect::judge`] like the Rust engine's.

use crate::expect::Expectation;
use crate::lines::LineIndex;
use crate::record::DirectiveRecord;
use crate::run::{self, kind_name};
use crate::suites::{Suite, TestFile};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The name of the commands file in a file's export directory.
pub const COMMANDS: &str = "commands.json";

/// One directive of a file, as this runner numbers, names and judges it.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The directive's position among the file's top-level directives, from 0.
    pub index: usize,
    /// The 1-based line the directive starts on.
    pub line: u32,
    /// The directive kind (see [`crate::run::kind_name`]).
    pub kind: &'static str,
    /// What the directive expects.
    pub expectation: Expectation,
}

/// What a file holds for judging: its directives, or the record of its parse failure.
#[derive(Debug, Clone)]
pub enum Plan {
    /// The file's directives, in order.
    Directives(Vec<Planned>),
    /// The file does not parse: the same single failed record as the Rust engine gives.
    Unparsable(DirectiveRecord),
}

impl Plan {
    /// The number of records the file gives.
    pub fn len(&self) -> usize {
        match self {
            Plan::Directives(d) => d.len(),
            Plan::Unparsable(_) => 1,
        }
    }

    /// Whether the plan gives no records (an empty file).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The plan of `file`, without exporting anything.
pub fn plan(file: &TestFile) -> Plan {
    let lines = LineIndex::new(&file.source);
    match run::with_directives(&file.source, |directives| plan_directives(&lines, &directives)) {
        Ok(planned) => Plan::Directives(planned),
        Err(e) => Plan::Unparsable(run::parse_failure(&file.id(), &lines, &e)),
    }
}

/// The records of `file` for an engine that does not support it: every directive
/// `unsupported:<reason>` (skipped ones stay skipped).
pub fn unsupported_records(file: &TestFile, reason: &str) -> Vec<DirectiveRecord> {
    let id = file.id();
    match plan(file) {
        Plan::Unparsable(record) => vec![record],
        Plan::Directives(planned) => planned
            .iter()
            .map(|p| {
                let got = match p.expectation.skip_reason() {
                    Some(_) => crate::outcome::SKIPPED.to_string(),
                    None => crate::outcome::unsupported(reason),
                };
                DirectiveRecord::judged(&id, p.index, p.line, p.kind, &p.expectation, got, None)
            })
            .collect(),
    }
}

fn plan_directives(lines: &LineIndex, directives: &[wast::WastDirective<'_>]) -> Vec<Planned> {
    directives
        .iter()
        .enumerate()
        .map(|(index, d)| Planned {
            index,
            line: lines.line(d.span().offset()),
            kind: kind_name(d),
            expectation: Expectation::of(d),
        })
        .collect()
}

/// One exported file.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The file id, `<suite>/<file>`.
    pub file: String,
    /// The suite.
    pub suite: Suite,
    /// What the file's directives expect.
    pub plan: Plan,
    /// The export directory (holding [`COMMANDS`]).
    pub dir: PathBuf,
    /// Why the file could not be exported: a replaying engine then has no outcome for any of
    /// its directives (they count as `missing`, with this reason).
    pub error: Option<String>,
}

impl Exported {
    /// Whether a replaying engine can run the file.
    pub fn runnable(&self) -> bool {
        self.error.is_none() && matches!(self.plan, Plan::Directives(_))
    }
}

/// The export directory of `file` under `root`: `<root>/<suite>/<file stem>`.
pub fn dir_of(file: &TestFile, root: &Path) -> PathBuf {
    let stem = file.name.strip_suffix(".wast").unwrap_or(&file.name);
    root.join(file.suite.name()).join(stem)
}

/// Plans and exports `file` into [`dir_of`]`(file, root)`, replacing what was there.
pub fn export_file(file: &TestFile, root: &Path) -> Exported {
    let dir = dir_of(file, root);
    let id = file.id();
    let lines = LineIndex::new(&file.source);
    let mut exported = Exported {
        file: id.clone(),
        suite: file.suite,
        plan: Plan::Directives(Vec::new()),
        dir: dir.clone(),
        error: None,
    };
    let converted = run::with_wast(&file.source, |wast| {
        let planned = plan_directives(&lines, &wast.directives);
        let json = json_from_wast::Opts::default()
            .convert(&file.name, &file.source, wast)
            .map_err(|e| format!("json-from-wast: {e:#}"))
            .and_then(|mut converted| {
                let wasms = std::mem::take(&mut converted.wasms);
                annotate(&id, file, &planned, &converted).map(|json| (json, wasms))
            });
        (planned, json)
    });
    let (planned, json) = match converted {
        Ok(pair) => pair,
        Err(e) => {
            exported.plan = Plan::Unparsable(run::parse_failure(&id, &lines, &e));
            return exported;
        }
    };
    exported.plan = Plan::Directives(planned);
    exported.error = json.and_then(|(json, wasms)| write_dir(&dir, &json, &wasms)).err();
    exported
}

/// json-from-wast's JSON with the runner's annotations (see the module docs).
fn annotate(
    id: &str,
    file: &TestFile,
    planned: &[Planned],
    converted: &json_from_wast::Wast<'_>,
) -> Result<Value, String> {
    let mut json = serde_json::to_value(converted).map_err(|e| format!("json-from-wast output: {e}"))?;
    let commands = json
        .get_mut("commands")
        .and_then(Value::as_array_mut)
        .ok_or("json-from-wast output has no `commands` list")?;
    if commands.len() != planned.len() {
        return Err(format!(
            "json-from-wast gave {} commands for {} directives",
            commands.len(),
            planned.len()
        ));
    }
    for (command, p) in commands.iter_mut().zip(planned) {
        let object = command.as_object_mut().ok_or("a json-from-wast command is not an object")?;
        object.insert("directive".into(), json!({ "index": p.index, "line": p.line, "kind": p.kind }));
        if let Some(reason) = p.expectation.skip_reason() {
            object.insert("skip".into(), json!(reason));
        }
    }
    let object = json.as_object_mut().ok_or("json-from-wast output is not an object")?;
    object.insert("file".into(), json!(id));
    object.insert("suite".into(), json!(file.suite.name()));
    object.insert("config".into(), json!({ "multi_memory": file.multi_memory() }));
    object.insert("features".into(), json!(file.features()));
    Ok(json)
}

fn write_dir(dir: &Path, json: &Value, wasms: &[(String, Vec<u8>)]) -> Result<(), String> {
    let fail = |what: &Path, e: std::io::Error| format!("cannot write {}: {e}", what.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| fail(dir, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    for (name, bytes) in wasms {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| fail(&path, e))?;
    }
    let path = dir.join(COMMANDS);
    let text =
        serde_json::to_string(json).map_err(|e| format!("cannot serialize {}: {e}", path.display()))?;
    std::fs::write(&path, text).map_err(|e| fail(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn file(source: &'static str) -> TestFile {
        TestFile { suite: Suite::Epsilon, name: "t.wast".into(), source: Cow::Borrowed(source) }
    }

    #[test]
    fn exports_annotated_commands_and_module_bytes() {
        let root = std::env::temp_dir().join(format!("spectest-export-{}", std::process::id()));
        let f = file(
            "(module (func (export \"f\") (result i32) (i32.const 7)))\n\
             (assert_return (invoke \"f\") (i32.const 7))\n\
             (assert_invalid\n  (module (func (result i32)))\n  \"type mismatch\")\n\
             (assert_malformed (module quote \"(func\") \"unexpected\")\n",
        );
        let exported = export_file(&f, &root);
        assert!(exported.runnable(), "{:?}", exported.error);
        let Plan::Directives(plan) = &exported.plan else { panic!("unparsable") };
        assert_eq!(
            plan.iter().map(|p| (p.line, p.kind)).collect::<Vec<_>>(),
            [(1, "module"), (2, "assert_return"), (3, "assert_invalid"), (6, "assert_malformed")]
        );
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(exported.dir.join(COMMANDS)).unwrap()).unwrap();
        assert_eq!(json["file"], "epsilon/t.wast");
        assert_eq!(json["config"]["multi_memory"], false);
        let commands = json["commands"].as_array().unwrap();
        assert_eq!(commands[2]["directive"]["line"], 3, "the directive's line, not the module's");
        assert_eq!(commands[2]["line"], 4, "json-from-wast's own line is kept");
        assert_eq!(commands[1]["type"], "assert_return");
        let wasm = std::fs::read(exported.dir.join(commands[0]["filename"].as_str().unwrap())).unwrap();
        assert!(wasm.starts_with(b"\0asm"));
        assert_eq!(commands[3]["module_type"], "text");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn unparsable_files_get_the_parse_record() {
        let root = std::env::temp_dir().join(format!("spectest-export-bad-{}", std::process::id()));
        let exported = export_file(&file("(module\n (func)\n"), &root);
        assert!(!exported.runnable());
        let Plan::Unparsable(record) = &exported.plan else { panic!("parsed") };
        assert_eq!(record.kind, "parse");
        assert!(!root.exists() || std::fs::remove_dir_all(&root).is_ok());
    }
}
