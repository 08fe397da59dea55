//! The language-neutral adapter protocol: an engine written in any language is a program that
//! reads one JSON request per line on stdin and answers each with one JSON line on stdout
//! (`spectest-runner/ADAPTERS.md` is the contract). This module is the runner's side: it
//! replays exported files ([`crate::export`]) step by step through such a program, keeping
//! track of the current and the named instances itself, and hands the outcomes to the same
//! judge as every other engine ([`crate::python::judge_file`]).
//!
//! Nothing the program does can hide a directive: a program that cannot start, exits, hangs
//! (no answer within the idle timeout), or writes something that is not an answer leaves the
//! rest of the file `missing` (with the reason), and a new process runs the next file.

use crate::export::{COMMANDS, Exported};
use crate::outcome::{self, OK, SKIPPED};
use crate::python::{DriverRecord, FileOutcomes, PythonRun, balance};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The protocol version this runner speaks (sent in `hello`).
pub const PROTOCOL: u32 = 1;

/// How to run an adapter program.
#[derive(Debug, Clone)]
pub struct ProtocolEngine {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Number of adapter processes running files in parallel.
    pub jobs: usize,
    /// An adapter that does not answer a request for this long is killed.
    pub idle_timeout: Duration,
}

/// One running adapter process.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
    idle_timeout: Duration,
}

impl Process {
    fn start(engine: &ProtocolEngine) -> Result<Process, String> {
        let (program, args) = engine.command.split_first().ok_or("empty adapter command")?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let (tx, lines) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                text
            })
        });
        let stdin = child.stdin.take();
        Ok(Process { child, stdin, lines, stderr, idle_timeout: engine.idle_timeout })
    }

    /// Sends one request and waits for its answer.
    fn request(&mut self, request: &Value) -> Result<Value, String> {
        let stdin = self.stdin.as_mut().ok_or("the adapter's stdin is closed")?;
        writeln!(stdin, "{request}")
            .and_then(|()| stdin.flush())
            .map_err(|e| self.failure(&format!("cannot write to the adapter: {e}")))?;
        let line = match self.lines.recv_timeout(self.idle_timeout) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                return Err(format!("no answer for {} s, killed", self.idle_timeout.as_secs()));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(self.failure("the adapter exited"));
            }
        };
        match serde_json::from_str::<Value>(&line) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err(format!("the adapter's answer is not a JSON object: {}", shorten(&line, 200))),
        }
    }

    /// `what`, with the exit status and the end of stderr when the process has exited.
    fn failure(&mut self, what: &str) -> String {
        self.stdin = None;
        let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
        let err = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        let err = err.trim();
        let mut start = err.len().saturating_sub(600);
        while !err.is_char_boundary(start) {
            start += 1;
        }
        let tail = &err[start..];
        format!(
            "{what} ({status}){}",
            if tail.is_empty() { String::new() } else { format!("; stderr: {tail}") }
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stdin = None;
        // A well-behaved adapter exits at the end of its input; give it a moment.
        for _ in 0..20 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the adapter and asks `hello`: its name and version (and whatever else it says).
///
/// # Errors
/// Why the adapter cannot be used.
pub fn hello(engine: &ProtocolEngine) -> Result<Value, String> {
    let mut process = Process::start(engine)?;
    let answer = process.request(&json!({ "op": "hello", "protocol": PROTOCOL }))?;
    if answer.get("name").and_then(Value::as_str).is_none() {
        return Err(format!("the answer to hello has no name: {answer}"));
    }
    Ok(answer)
}

/// Replays every runnable file of `files` through the adapter.
pub fn run(engine: &ProtocolEngine, files: &[Exported]) -> PythonRun {
    let mut run = PythonRun { files: vec![FileOutcomes::default(); files.len()], notes: Vec::new() };
    let runnable: Vec<usize> = (0..files.len()).filter(|&i| files[i].runnable()).collect();
    let buckets = balance(&runnable, |i| files[i].plan.len(), engine.jobs.max(1));
    let results: Vec<SessionResult> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            buckets.into_iter().map(|bucket| scope.spawn(move || session(engine, files, &bucket))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| (Vec::new(), vec!["an adapter session panicked".to_string()]))
            })
            .collect()
    });
    for (outcomes, notes) in results {
        for (i, o) in outcomes {
            run.files[i] = o;
        }
        run.notes.extend(notes);
    }
    run
}

/// What one session produced: outcomes per file index, and notes.
type SessionResult = (Vec<(usize, FileOutcomes)>, Vec<String>);

/// Runs the files `bucket` one after another, in one process until it fails.
fn session(engine: &ProtocolEngine, files: &[Exported], bucket: &[usize]) -> SessionResult {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut process: Option<Process> = None;
    for &i in bucket {
        let mut outcomes = FileOutcomes::default();
        if process.is_none() {
            match Process::start(engine).and_then(|mut p| {
                p.request(&json!({ "op": "hello", "protocol": PROTOCOL }))?;
                Ok(p)
            }) {
                Ok(p) => process = Some(p),
                Err(e) => {
                    outcomes.missing_reason = Some(format!("the adapter could not start: {e}"));
                    out.push((i, outcomes));
                    continue;
                }
            }
        }
        let Some(p) = process.as_mut() else { continue };
        if let Err(e) = replay_file(p, &files[i], &mut outcomes) {
            outcomes.missing_reason = Some(format!("the adapter stopped while replaying this file: {e}"));
            notes.push(format!("adapter restarted after {}: {e}", files[i].file));
            process = None;
        }
        outcomes.done = true;
        out.push((i, outcomes));
    }
    (out, notes)
}

/// The instances of one file: current and named, as handles the adapter gave.
struct FileState {
    current: Result<Value, &'static str>,
    named: HashMap<String, Value>,
    /// `module_definition`s: the module request that instantiates each, by name, and the last.
    definitions: HashMap<String, Value>,
    last_definition: Option<Value>,
}

/// Replays one file; `Err` when the adapter failed (the directives without a record are then
/// missing).
fn replay_file(p: &mut Process, exported: &Exported, outcomes: &mut FileOutcomes) -> Result<(), String> {
    let path = exported.dir.join(COMMANDS);
    let data: Value = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let commands =
        data["commands"].as_array().ok_or_else(|| format!("{} has no commands", path.display()))?;
    let features = data.get("features").cloned().unwrap_or_else(|| json!([]));
    let begin = p.request(&json!({ "op": "begin", "file": exported.file, "features": features }))?;
    let unsupported = match answer_outcome(&begin) {
        Err((got, detail)) if outcome::is_unsupported(&got) => Some((got, detail)),
        Err((got, detail)) => {
            return Err(format!(
                "begin failed: {got}{}",
                detail.map(|d| format!(" ({d})")).unwrap_or_default()
            ));
        }
        Ok(_) => None,
    };
    let mut state = FileState {
        current: Err("no module instantiated yet"),
        named: HashMap::new(),
        definitions: HashMap::new(),
        last_definition: None,
    };
    for cmd in commands {
        let directive = &cmd["directive"];
        let (got, detail) = match (&unsupported, cmd.get("skip")) {
            (_, Some(skip)) => (SKIPPED.to_string(), skip.as_str().map(str::to_string)),
            (Some((got, detail)), None) => (got.clone(), detail.clone()),
            (None, None) => step(p, &exported.dir, cmd, &mut state)?,
        };
        let record = DriverRecord {
            file: exported.file.clone(),
            index: directive["index"].as_u64().map(|n| n as usize),
            line: directive["line"].as_u64().map(|n| n as u32),
            kind: directive["kind"].as_str().map(str::to_string),
            got,
            detail,
        };
        if let Some(index) = record.index {
            outcomes.records.insert(index, record);
        }
    }
    if unsupported.is_none() {
        p.request(&json!({ "op": "end" }))?;
    }
    Ok(())
}

/// An outcome and its detail.
type Produced = (String, Option<String>);

/// Runs one command; `Ok` with its outcome, `Err` when the adapter failed.
fn step(p: &mut Process, dir: &Path, cmd: &Value, state: &mut FileState) -> Result<Produced, String> {
    let kind = cmd["type"].as_str().unwrap_or_default();
    let module_request = || -> Result<Value, Produced> {
        let (name, text) = match cmd["binary_filename"].as_str() {
            Some(name) => (Some(name), false),
            None => (cmd["filename"].as_str(), cmd["module_type"] == "text"),
        };
        let name = name.ok_or_else(|| ("error:command has no module file".to_string(), None))?;
        Ok(json!({ "op": "module", "path": dir.join(name).to_string_lossy(), "text": text }))
    };
    // A `module_definition` is kept (the adapter protocol has no compile-only request, so the
    // module is compiled when an instance of it is made); a `module_instance` instantiates it
    // as `module` does, under the instance's name.
    let (kind, definition) = match kind {
        "module_definition" => {
            let request = match module_request() {
                Ok(r) => r,
                Err(produced) => return Ok(produced),
            };
            if let Some(name) = cmd["name"].as_str() {
                state.definitions.insert(name.to_string(), request.clone());
            }
            state.last_definition = Some(request);
            return Ok((OK.to_string(), None));
        }
        "module_instance" => {
            let definition = match cmd["module"].as_str() {
                Some(name) => state.definitions.get(name).cloned(),
                None => state.last_definition.clone(),
            };
            match definition {
                Some(request) => ("module", Some((request, cmd["instance"].as_str().map(str::to_string)))),
                None => return Ok(("error:unknown module definition".to_string(), None)),
            }
        }
        other => (other, None),
    };
    match kind {
        "module" => {
            let (request, name) = match definition {
                Some(pair) => pair,
                None => match module_request() {
                    Ok(r) => (r, cmd["name"].as_str().map(str::to_string)),
                    Err(produced) => return Ok(produced),
                },
            };
            let answer = p.request(&request)?;
            match (answer_outcome(&answer), answer.get("instance")) {
                (Ok(_), Some(handle)) => {
                    state.current = Ok(handle.clone());
                    if let Some(name) = name {
                        state.named.insert(name, handle.clone());
                    }
                    Ok((OK.to_string(), None))
                }
                (result, _) => {
                    state.current = Err("the current module failed to compile or instantiate");
                    if let Some(name) = name {
                        state.named.remove(&name);
                    }
                    Ok(result.err().unwrap_or(("error:the answer has no instance".to_string(), None)))
                }
            }
        }
        "assert_malformed" | "assert_invalid" | "assert_unlinkable" | "assert_uninstantiable" => {
            let request = match module_request() {
                Ok(r) => r,
                Err(produced) => return Ok(produced),
            };
            Ok(flatten(answer_outcome(&p.request(&request)?)))
        }
        "register" => {
            let instance = match instance(state, &cmd["name"]) {
                Ok(handle) => handle,
                Err(produced) => return Ok(produced),
            };
            let answer = p.request(&json!({ "op": "register", "instance": instance, "as": cmd["as"] }))?;
            Ok(flatten(answer_outcome(&answer)))
        }
        "action" | "assert_return" | "assert_trap" | "assert_exhaustion" | "assert_exception" => {
            let action = &cmd["action"];
            let instance = match instance(state, &action["module"]) {
                Ok(handle) => handle,
                Err(produced) => return Ok(produced),
            };
            let request = match action["type"].as_str() {
                Some("invoke") => {
                    let args: Result<Vec<String>, String> = action["args"]
                        .as_array()
                        .map_or(Ok(Vec::new()), |a| a.iter().map(arg_string).collect());
                    match args {
                        Ok(args) => {
                            json!({ "op": "invoke", "instance": instance, "field": action["field"], "args": args })
                        }
                        Err(e) => return Ok((format!("error:{e}"), None)),
                    }
                }
                Some("get") => json!({ "op": "get", "instance": instance, "field": action["field"] }),
                other => return Ok((format!("error:unsupported action {other:?}"), None)),
            };
            Ok(flatten(answer_outcome(&p.request(&request)?)))
        }
        other => Ok((format!("error:unsupported command {other:?}"), None)),
    }
}

/// The handle of the instance `name` (a JSON string) or of the current one (`null`).
fn instance(state: &FileState, name: &Value) -> Result<Value, Produced> {
    match name.as_str() {
        None => state.current.clone().map_err(|why| (format!("error:{why}"), None)),
        Some(n) => state.named.get(n).cloned().ok_or_else(|| (format!("error:unknown module ${n}"), None)),
    }
}

fn flatten(result: Result<String, Produced>) -> Produced {
    result.map_or_else(|e| e, |got| (got, None))
}

/// The outcome an answer reports: `Ok(values or "ok")`, or `Err((outcome, message))` for an
/// `error` answer.
pub fn answer_outcome(answer: &Value) -> Result<String, Produced> {
    if let Some(kind) = answer.get("error") {
        let message = answer.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
        let got = match kind.as_str().unwrap_or_default() {
            "malformed" => outcome::MALFORMED.to_string(),
            "invalid" => outcome::INVALID.to_string(),
            "rejected" => outcome::REJECTED.to_string(),
            "unlinkable" => outcome::UNLINKABLE.to_string(),
            "exception" => outcome::EXCEPTION.to_string(),
            "trap" => return Err((outcome::trap(&message), Some(message))),
            "unsupported" => return Err((outcome::unsupported(&message), None)),
            "crash" => return Err((format!("panic:{message}"), None)),
            "error" => return Err((format!("error:{message}"), None)),
            other => return Err((format!("error:{other}: {message}"), None)),
        };
        return Err((got, Some(message).filter(|m| !m.is_empty())));
    }
    match answer.get("values").and_then(Value::as_array) {
        Some(values) => {
            let parts: Vec<String> =
                values.iter().map(|v| v.as_str().unwrap_or("error:not a string").to_string()).collect();
            Ok(outcome::join(parts))
        }
        None => Ok(OK.to_string()),
    }
}

/// A json-from-wast argument (`{"type": "i32", "value": "42"}`, v128 with `lane_type` and
/// lane strings, references) as a canonical value string.
pub fn arg_string(arg: &Value) -> Result<String, String> {
    let ty = arg["type"].as_str().unwrap_or_default();
    let text = |v: &Value| -> Result<i128, String> {
        v.as_str().and_then(|s| s.parse::<i128>().ok()).ok_or_else(|| format!("bad {ty} value {v}"))
    };
    let value = &arg["value"];
    Ok(match ty {
        "i32" | "f32" => format!("{ty}:0x{:08x}", text(value)? as u32),
        "i64" | "f64" => format!("{ty}:0x{:016x}", text(value)? as u64),
        "v128" => {
            let width: u32 = match arg["lane_type"].as_str() {
                Some("i8") => 8,
                Some("i16") => 16,
                Some("i32" | "f32") => 32,
                Some("i64" | "f64") => 64,
                other => return Err(format!("bad v128 lane type {other:?}")),
            };
            let lanes = value.as_array().ok_or("v128 value is not a list")?;
            let mask = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
            let mut bits = 0u128;
            for (i, lane) in lanes.iter().enumerate() {
                bits |= ((text(lane)? as u128) & mask) << (i as u32 * width);
            }
            format!("v128:{bits:032x}")
        }
        "externref" | "funcref" | "exnref" if value.is_null() || value == "null" => format!("{ty}:null"),
        "externref" => format!("externref:{}", text(value)?),
        _ => return Err(format!("unsupported argument {arg}")),
    })
}

fn shorten(s: &str, n: usize) -> String {
    if s.len() <= n { s.to_string() } else { format!("{}...", s.chars().take(n).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_canonical_strings() {
        assert_eq!(arg_string(&json!({"type": "i32", "value": "4294967295"})).unwrap(), "i32:0xffffffff");
        assert_eq!(
            arg_string(&json!({"type": "f64", "value": "9221120237041090560"})).unwrap(),
            "f64:0x7ff8000000000000"
        );
        assert_eq!(
            arg_string(&json!({"type": "v128", "lane_type": "i32", "value": ["1", "2", "3", "4294967295"]}))
                .unwrap(),
            "v128:ffffffff000000030000000200000001"
        );
        assert_eq!(arg_string(&json!({"type": "externref", "value": "7"})).unwrap(), "externref:7");
        assert_eq!(arg_string(&json!({"type": "funcref", "value": "null"})).unwrap(), "funcref:null");
        assert!(arg_string(&json!({"type": "anyref", "value": "1"})).is_err());
    }

    #[test]
    fn answers_become_outcomes() {
        assert_eq!(
            answer_outcome(&json!({"values": ["i32:0x00000001", "f32:0x7fc00000"]})).unwrap(),
            "i32:0x00000001 f32:0x7fc00000"
        );
        assert_eq!(answer_outcome(&json!({"values": []})).unwrap(), "ok");
        assert_eq!(answer_outcome(&json!({"instance": 3})).unwrap(), "ok");
        let err = |v: Value| answer_outcome(&v).unwrap_err().0;
        assert_eq!(
            err(json!({"error": "trap", "message": "integer divide by zero"})),
            "trap:integer divide by zero"
        );
        assert_eq!(err(json!({"error": "rejected", "message": "bad"})), "rejected");
        assert_eq!(err(json!({"error": "unsupported", "message": "gc"})), "unsupported:gc");
        assert_eq!(err(json!({"error": "boom", "message": "x"})), "error:boom: x");
    }
}
