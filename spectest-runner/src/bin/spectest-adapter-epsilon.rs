//! `spectest-adapter-epsilon`: epsilon's Rust API behind the JSON-lines adapter protocol
//! (`spectest-runner/ADAPTERS.md`), run as `--engine rust-protocol`. It keeps the protocol path
//! of the runner honest: its outcomes must equal the in-process `rust` engine's on every
//! directive, which `ci/conformance.sh` checks (it is one of epsilon's engines, so a
//! disagreement fails the run).

use epsilon::{Engine, Instance, Linker, Module, Store, Val, ValType};
use serde_json::{Value, json};
use spectest_runner::outcome;
use spectest_runner::values::ExternRefs;
use std::io::{BufRead, Write};

/// A failed step: the protocol's error kind and a message.
type Failure = (&'static str, String);

/// One test file: a store with `spectest`, and the instances handed out.
struct Session {
    store: Store<()>,
    linker: Linker<()>,
    engine: Engine,
    instances: Vec<Instance>,
    externs: ExternRefs,
}

/// The failure of an epsilon error, by its canonical outcome.
fn failure(e: &epsilon::Error) -> Failure {
    let got = outcome::error(e);
    if let Some(message) = got.strip_prefix(outcome::TRAP_PREFIX) {
        return ("trap", message.to_string());
    }
    match got.as_str() {
        outcome::MALFORMED => ("malformed", e.to_string()),
        outcome::INVALID => ("invalid", e.to_string()),
        outcome::UNLINKABLE => ("unlinkable", e.to_string()),
        outcome::EXCEPTION => ("exception", e.to_string()),
        // Any other error, `error:unsupported: ...` say: the Rust engine's outcome exactly.
        _ => match got.strip_prefix("error:") {
            Some(message) => ("error", message.to_string()),
            None => ("other", e.to_string()),
        },
    }
}

fn begin(request: &Value) -> Result<Session, Failure> {
    let features: Vec<&str> = request["features"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(reason) = spectest_runner::suites::epsilon_unsupported(&features) {
        return Err(("unsupported", reason));
    }
    let config = spectest_runner::suites::config_for_features(&features);
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.allow_shadowing(true);
    spectest_runner::spectest_host::define(&mut linker, &mut store).map_err(|e| failure(&e))?;
    Ok(Session { store, linker, engine, instances: Vec::new(), externs: ExternRefs::default() })
}

impl Session {
    fn module(&mut self, request: &Value) -> Result<Value, Failure> {
        let path = request["path"].as_str().ok_or(("protocol", "module without path".to_string()))?;
        let bytes = std::fs::read(path).map_err(|e| ("other", format!("cannot read {path}: {e}")))?;
        let module = Module::new(&self.engine, &bytes).map_err(|e| failure(&e))?;
        let instance = self.linker.instantiate(&mut self.store, &module).map_err(|e| failure(&e))?;
        self.instances.push(instance);
        Ok(json!({ "instance": self.instances.len() - 1 }))
    }

    fn instance(&self, request: &Value) -> Result<Instance, Failure> {
        let handle = request["instance"].as_u64().ok_or(("protocol", "no instance handle".to_string()))?;
        self.instances.get(handle as usize).copied().ok_or(("protocol", format!("unknown instance {handle}")))
    }

    fn register(&mut self, request: &Value) -> Result<Value, Failure> {
        let instance = self.instance(request)?;
        let name = request["as"].as_str().unwrap_or_default();
        self.linker.instance(&mut self.store, name, instance).map_err(|e| failure(&e))?;
        Ok(json!({}))
    }

    fn invoke(&mut self, request: &Value) -> Result<Value, Failure> {
        let instance = self.instance(request)?;
        let field = request["field"].as_str().unwrap_or_default();
        let func = instance.get_func(&self.store, field).map_err(|e| ("protocol", e.to_string()))?;
        let ty = func.ty(&self.store).map_err(|e| ("protocol", e.to_string()))?;
        let texts: Vec<&str> = request["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut args = Vec::with_capacity(texts.len());
        for (text, ty) in texts.iter().zip(ty.params()) {
            args.push(self.value(text, *ty)?);
        }
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut self.store, &args, &mut results).map_err(|e| failure(&e))?;
        let values: Vec<String> = results.iter().map(|v| outcome::value(&self.store, v)).collect();
        Ok(json!({ "values": values }))
    }

    fn get(&mut self, request: &Value) -> Result<Value, Failure> {
        let instance = self.instance(request)?;
        let field = request["field"].as_str().unwrap_or_default();
        let global = instance.get_global(&self.store, field).map_err(|e| ("protocol", e.to_string()))?;
        let value = global.get(&self.store).map_err(|e| failure(&e))?;
        Ok(json!({ "values": [outcome::value(&self.store, &value)] }))
    }

    /// A canonical value string as a `Val` of the parameter type `ty`.
    fn value(&mut self, text: &str, ty: ValType) -> Result<Val, Failure> {
        let bad = || ("protocol", format!("bad value {text:?} for {ty:?}"));
        let (_, rest) = text.split_once(':').ok_or_else(bad)?;
        let hex = |digits: &str| u128::from_str_radix(digits.trim_start_matches("0x"), 16).map_err(|_| bad());
        Ok(match ty {
            ValType::I32 => Val::I32(hex(rest)? as u32 as i32),
            ValType::I64 => Val::I64(hex(rest)? as u64 as i64),
            ValType::F32 => Val::F32(epsilon::F32::from_bits(hex(rest)? as u32)),
            ValType::F64 => Val::F64(epsilon::F64::from_bits(hex(rest)? as u64)),
            ValType::V128 => Val::V128(epsilon::V128::from_bits(hex(rest)?)),
            // Typed references (`(ref null $t)`, ...) as their family's.
            ValType::Ref(r) if rest == "null" && r.heap == epsilon::HeapType::Extern => Val::ExternRef(None),
            ValType::Ref(r) if rest == "null" && r.heap.is_func() => Val::FuncRef(None),
            ValType::Ref(r) if rest == "null" && r.heap == epsilon::HeapType::Exn => Val::ExnRef(None),
            ValType::Ref(r) if r.heap == epsilon::HeapType::Extern => {
                let n: u32 = rest.parse().map_err(|_| bad())?;
                Val::ExternRef(Some(self.externs.get(&mut self.store, n)))
            }
            _ => return Err(("unsupported", format!("argument {text}"))),
        })
    }
}

fn main() {
    let mut session: Option<Session> = None;
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let op = request["op"].as_str().unwrap_or_default();
        let result = match (op, session.as_mut()) {
            ("hello", _) => Ok(json!({ "name": "epsilon", "version": epsilon::VERSION })),
            ("begin", _) => begin(&request).map(|s| {
                session = Some(s);
                json!({})
            }),
            ("end", _) => {
                session = None;
                Ok(json!({}))
            }
            ("module", Some(s)) => s.module(&request),
            ("register", Some(s)) => s.register(&request),
            ("invoke", Some(s)) => s.invoke(&request),
            ("get", Some(s)) => s.get(&request),
            (other, _) => Err(("protocol", format!("unexpected request {other:?}: {line}"))),
        };
        let answer = result.unwrap_or_else(|(kind, message)| json!({ "error": kind, "message": message }));
        if writeln!(stdout, "{answer}").and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
}
