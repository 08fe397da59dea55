//! `spectest-adapter-wasmi`: the [wasmi](https://docs.rs/wasmi) interpreter (the pinned
//! crate) behind spectest-runner's language-neutral adapter protocol, written from
//! `spectest-runner/ADAPTERS.md` alone: one JSON request per line on stdin, one JSON answer
//! per line on stdout.
//!
//! What wasmi's API cannot tell, and how this adapter reports it:
//! * malformed versus invalid: wasmi reports one error for both, so rejected modules are
//!   `rejected`;
//! * `TableOutOfBounds` is one trap code for `call_indirect` out of the table and for table
//!   instructions out of bounds: reported with wasmi's own message
//!   (`undefined element: out of bounds table access`);
//! * an active segment out of bounds at instantiation is an instantiation error in wasmi, not a
//!   trap code; its message names the trap (`out of bounds memory access` or `... table
//!   access`), which is reported as that trap.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use wasmi::{
    Config, Engine, ExternRef, Global, Instance, Linker, Memory, MemoryType, Module, Mutability, Nullable,
    Ref, RefType, Store, Table, TableType, TrapCode, Val, ValType,
};

/// A failed step: the error kind of the protocol and a message.
type Failure = (&'static str, String);

/// A `Config` method switching one feature on or off.
type Switch = fn(&mut Config, bool) -> &mut Config;

/// The features this adapter can switch, with the switch; features absent from this list are
/// unsupported (`annotations` only concerns the text format, which the `wat` crate reads).
const SWITCHES: &[(&str, Switch)] = &[
    ("mutable-global", Config::wasm_mutable_global),
    ("sign-extension-ops", Config::wasm_sign_extension),
    ("nontrapping-float-to-int-conversions", Config::wasm_saturating_float_to_int),
    ("multi-value", Config::wasm_multi_value),
    ("reference-types", Config::wasm_reference_types),
    ("bulk-memory", Config::wasm_bulk_memory),
    ("simd", Config::wasm_simd),
    ("relaxed-simd", Config::wasm_relaxed_simd),
    ("multi-memory", Config::wasm_multi_memory),
    ("tail-call", Config::wasm_tail_call),
    ("extended-const", Config::wasm_extended_const),
    ("custom-page-sizes", Config::wasm_custom_page_sizes),
    ("memory64", Config::wasm_memory64),
    ("wide-arithmetic", Config::wasm_wide_arithmetic),
];

/// Features that need no switch.
const ALWAYS: &[&str] = &["annotations"];

/// One test file's state: a store with `spectest` defined, and the instances handed out.
struct Session {
    store: Store<()>,
    linker: Linker<()>,
    instances: Vec<Instance>,
}

/// The adapter: engines by feature set, and the current file.
#[derive(Default)]
struct Adapter {
    engines: HashMap<Vec<String>, Engine>,
    session: Option<Session>,
}

impl Adapter {
    /// Answers one request.
    fn answer(&mut self, request: &Value) -> Value {
        let result = match request["op"].as_str().unwrap_or_default() {
            "hello" => Ok(json!({ "name": "wasmi", "version": wasmi_version() })),
            "begin" => self.begin(request),
            "module" => self.module(request),
            "register" => self.register(request),
            "invoke" => self.invoke(request),
            "get" => self.get(request),
            "end" => {
                self.session = None;
                Ok(json!({}))
            }
            other => Err(("protocol", format!("unknown op {other:?}"))),
        };
        result.unwrap_or_else(|(kind, message)| json!({ "error": kind, "message": message }))
    }

    fn begin(&mut self, request: &Value) -> Result<Value, Failure> {
        let features: Vec<String> = request["features"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let lacking: Vec<&str> = features
            .iter()
            .map(String::as_str)
            .filter(|f| !ALWAYS.contains(f) && !SWITCHES.iter().any(|(name, _)| name == f))
            .collect();
        if !lacking.is_empty() {
            return Err(("unsupported", format!("wasmi does not implement {}", lacking.join(", "))));
        }
        let engine = self
            .engines
            .entry(features.clone())
            .or_insert_with(|| {
                let mut config = Config::default();
                for (name, switch) in SWITCHES {
                    switch(&mut config, features.iter().any(|f| f == name));
                }
                Engine::new(&config)
            })
            .clone();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        define_spectest(&mut store, &mut linker)
            .map_err(|e| ("other", format!("cannot define spectest: {e}")))?;
        self.session = Some(Session { store, linker, instances: Vec::new() });
        Ok(json!({}))
    }

    fn session(&mut self) -> Result<&mut Session, Failure> {
        self.session.as_mut().ok_or(("protocol", "no file begun".to_string()))
    }

    fn module(&mut self, request: &Value) -> Result<Value, Failure> {
        let path = request["path"].as_str().ok_or(("protocol", "module without path".to_string()))?;
        let bytes = std::fs::read(path).map_err(|e| ("other", format!("cannot read {path}: {e}")))?;
        let bytes = if request["text"] == true {
            wat::parse_bytes(&bytes).map_err(|e| ("malformed", e.to_string()))?.into_owned()
        } else {
            bytes
        };
        let s = self.session()?;
        let module = Module::new(s.store.engine(), &bytes[..]).map_err(|e| ("rejected", e.to_string()))?;
        let instance =
            s.linker.instantiate_and_start(&mut s.store, &module).map_err(|e| instantiation_failure(&e))?;
        s.instances.push(instance);
        Ok(json!({ "instance": s.instances.len() - 1 }))
    }

    fn instance(&mut self, request: &Value) -> Result<(&mut Session, Instance), Failure> {
        let s = self.session()?;
        let handle = request["instance"].as_u64().ok_or(("protocol", "no instance handle".to_string()))?;
        let instance = *s
            .instances
            .get(handle as usize)
            .ok_or(("protocol", format!("unknown instance handle {handle}")))?;
        Ok((s, instance))
    }

    fn register(&mut self, request: &Value) -> Result<Value, Failure> {
        let name = request["as"].as_str().unwrap_or_default().to_string();
        let (s, instance) = self.instance(request)?;
        s.linker.instance(&mut s.store, &name, instance).map_err(|e| ("unlinkable", e.to_string()))?;
        Ok(json!({}))
    }

    fn invoke(&mut self, request: &Value) -> Result<Value, Failure> {
        let field = request["field"].as_str().unwrap_or_default().to_string();
        let (s, instance) = self.instance(request)?;
        let func = instance
            .get_func(&s.store, &field)
            .ok_or(("protocol", format!("no function export {field:?}")))?;
        let ty = func.ty(&s.store);
        let texts: Vec<&str> = request["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if texts.len() != ty.params().len() {
            return Err((
                "protocol",
                format!("{field} takes {} arguments, got {}", ty.params().len(), texts.len()),
            ));
        }
        let mut args = Vec::with_capacity(texts.len());
        for text in texts {
            args.push(parse_value(&mut s.store, text)?);
        }
        let mut results: Vec<Val> = ty.results().iter().map(|t| zero(*t)).collect();
        func.call(&mut s.store, &args, &mut results).map_err(|e| trap_failure(&e))?;
        let values: Vec<String> = results.iter().map(|v| format_value(&s.store, v)).collect();
        Ok(json!({ "values": values }))
    }

    fn get(&mut self, request: &Value) -> Result<Value, Failure> {
        let field = request["field"].as_str().unwrap_or_default().to_string();
        let (s, instance) = self.instance(request)?;
        let global: Global = instance
            .get_global(&s.store, &field)
            .ok_or(("protocol", format!("no global export {field:?}")))?;
        Ok(json!({ "values": [format_value(&s.store, &global.get(&s.store))] }))
    }
}

/// The `spectest` module of ADAPTERS.md.
fn define_spectest(store: &mut Store<()>, linker: &mut Linker<()>) -> Result<(), wasmi::Error> {
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |_: i32| {})?;
    linker.func_wrap("spectest", "print_i64", |_: i64| {})?;
    linker.func_wrap("spectest", "print_f32", |_: f32| {})?;
    linker.func_wrap("spectest", "print_f64", |_: f64| {})?;
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(wasmi::F32::from(666.6_f32))),
        ("global_f64", Val::F64(wasmi::F64::from(666.6_f64))),
    ];
    for (name, value) in globals {
        let global = Global::new(&mut *store, value, Mutability::Const);
        linker.define("spectest", name, global)?;
    }
    let table =
        Table::new(&mut *store, TableType::new(RefType::Func, 10, Some(20)), Ref::Func(Nullable::Null))?;
    linker.define("spectest", "table", table)?;
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define("spectest", "memory", memory)?;
    Ok(())
}

/// A value of type `ty` to be overwritten by a call's results.
fn zero(ty: ValType) -> Val {
    match ty {
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(wasmi::F32::from_bits(0)),
        ValType::F64 => Val::F64(wasmi::F64::from_bits(0)),
        ValType::V128 => Val::V128(wasmi::V128::from(0u128)),
        ValType::FuncRef => Val::FuncRef(Nullable::Null),
        ValType::ExternRef => Val::ExternRef(Nullable::Null),
        ValType::I32 => Val::I32(0),
    }
}

/// A canonical value string (`i32:0x0000002a`, `v128:<32 hex>`, `externref:7`, ...) as a `Val`.
fn parse_value(store: &mut Store<()>, text: &str) -> Result<Val, Failure> {
    let bad = || ("protocol", format!("bad value {text:?}"));
    let (ty, rest) = text.split_once(':').ok_or_else(bad)?;
    let hex = |digits: &str| u128::from_str_radix(digits.trim_start_matches("0x"), 16).map_err(|_| bad());
    Ok(match (ty, rest) {
        ("i32", h) => Val::I32(hex(h)? as u32 as i32),
        ("i64", h) => Val::I64(hex(h)? as u64 as i64),
        ("f32", h) => Val::F32(wasmi::F32::from_bits(hex(h)? as u32)),
        ("f64", h) => Val::F64(wasmi::F64::from_bits(hex(h)? as u64)),
        ("v128", h) => Val::V128(wasmi::V128::from(hex(h)?)),
        ("funcref", "null") => Val::FuncRef(Nullable::Null),
        ("externref", "null") => Val::ExternRef(Nullable::Null),
        ("externref", n) => {
            let n: u32 = n.parse().map_err(|_| bad())?;
            Val::ExternRef(Nullable::Val(ExternRef::new(&mut *store, n)))
        }
        _ => return Err(("unsupported", format!("argument {text}"))),
    })
}

/// The canonical string of a value.
fn format_value(store: &Store<()>, v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:0x{:08x}", *x as u32),
        Val::I64(x) => format!("i64:0x{:016x}", *x as u64),
        Val::F32(x) => format!("f32:0x{:08x}", x.to_bits()),
        Val::F64(x) => format!("f64:0x{:016x}", x.to_bits()),
        Val::V128(x) => format!("v128:{:032x}", x.as_u128()),
        Val::FuncRef(r) => if r.is_null() { "funcref:null" } else { "funcref:non-null" }.to_string(),
        Val::ExternRef(Nullable::Null) => "externref:null".to_string(),
        Val::ExternRef(Nullable::Val(r)) => match r.data(store).downcast_ref::<u32>() {
            Some(n) => format!("externref:{n}"),
            None => "externref:opaque".to_string(),
        },
    }
}

/// The specification's wording of a trap code (wasmi's own message where one code stands
/// for two of the specification's traps).
fn trap_message(code: TrapCode) -> String {
    match code {
        TrapCode::UnreachableCodeReached => "unreachable".to_string(),
        TrapCode::IndirectCallToNull => "uninitialized element".to_string(),
        other => other.to_string(),
    }
}

/// A failed call.
fn trap_failure(e: &wasmi::Error) -> Failure {
    match e.as_trap_code() {
        Some(code) => ("trap", trap_message(code)),
        None => ("other", e.to_string()),
    }
}

/// A failed instantiation: a trap (the start function, or a segment out of bounds) or a link
/// error.
fn instantiation_failure(e: &wasmi::Error) -> Failure {
    if let Some(code) = e.as_trap_code() {
        return ("trap", trap_message(code));
    }
    let text = e.to_string();
    for trap in ["out of bounds memory access", "out of bounds table access"] {
        if text.contains(trap) {
            return ("trap", trap.to_string());
        }
    }
    ("unlinkable", text)
}

/// The version of the wasmi crate this adapter is built with: the workspace's exact pin
/// (`wasmi = "=2.0.0"` in the root `Cargo.toml`; keep the two equal).
fn wasmi_version() -> &'static str {
    "2.0.0"
}

/// The stack the adapter runs on: wasmi's executor can recurse on the native stack in builds
/// without optimisation (the `ci` profile overflowed 8 MiB on `v2/call.wast`); the memory is
/// reserved, not committed.
const STACK_BYTES: usize = 512 << 20;

fn main() {
    let serve = std::thread::Builder::new().stack_size(STACK_BYTES).spawn(serve);
    if !serve.is_ok_and(|thread| thread.join().is_ok()) {
        std::process::exit(70);
    }
}

/// Answers requests from stdin until it closes.
fn serve() {
    let mut adapter = Adapter::default();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(request) => adapter.answer(&request),
            Err(e) => json!({ "error": "protocol", "message": format!("not JSON: {e}") }),
        };
        if writeln!(stdout, "{answer}").and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reported_version_is_the_locked_one() {
        let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../Cargo.lock");
        let lock = std::fs::read_to_string(lock).expect("Cargo.lock");
        let entry = format!("name = \"wasmi\"\nversion = \"{}\"", wasmi_version());
        assert!(lock.contains(&entry), "Cargo.lock has another wasmi than {}", wasmi_version());
    }

    #[test]
    fn a_file_runs_through_the_protocol_answers() {
        let mut adapter = Adapter::default();
        let features = json!(["mutable-global", "multi-value", "simd"]);
        assert_eq!(adapter.answer(&json!({"op": "begin", "file": "t", "features": features})), json!({}));
        let dir = std::env::temp_dir().join(format!("wasmi-adapter-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.wasm");
        let wasm = wat::parse_str(
            r#"(module (import "spectest" "global_i32" (global i32))
                 (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
                 (func (export "v") (param v128) (result v128) (local.get 0))
                 (global (export "g") f32 (f32.const nan:0x200000)))"#,
        )
        .unwrap();
        std::fs::write(&path, wasm).unwrap();
        let m = adapter.answer(&json!({"op": "module", "path": path, "text": false}));
        assert_eq!(m, json!({"instance": 0}));
        let call = |a: &mut Adapter, field: &str, args: Value| {
            a.answer(&json!({"op": "invoke", "instance": 0, "field": field, "args": args}))
        };
        assert_eq!(
            call(&mut adapter, "div", json!(["i32:0xfffffffa", "i32:0x00000002"])),
            json!({"values": ["i32:0xfffffffd"]})
        );
        assert_eq!(
            call(&mut adapter, "div", json!(["i32:0x00000001", "i32:0x00000000"])),
            json!({"error": "trap", "message": "integer divide by zero"})
        );
        let v = "v128:000000040000000300000002000000ff";
        assert_eq!(call(&mut adapter, "v", json!([v])), json!({"values": [v]}));
        let g = adapter.answer(&json!({"op": "get", "instance": 0, "field": "g"}));
        assert_eq!(g, json!({"values": ["f32:0x7fa00000"]}), "the NaN payload survives");
        std::fs::write(&path, b"\0asm\x01\0\0\0\x01").unwrap();
        let bad = adapter.answer(&json!({"op": "module", "path": path, "text": false}));
        assert_eq!(bad["error"], "rejected");
        let gc = adapter.answer(&json!({"op": "begin", "file": "t", "features": ["gc"]}));
        assert_eq!(gc["error"], "unsupported");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
