//! Target `diff`: differential execution of wasm-smith modules on epsilon and on wasmi 2.0.0.
//!
//! Each module (our feature set only, NaNs canonicalised, termination fuel, no imports,
//! everything exported) is instantiated in both engines; then every exported function is
//! called with a few argument vectors, and after each call the outcome (results bit for bit,
//! or the trap kind), every exported global, every exported memory (size and a hash of its
//! bytes) and every exported table (size and null pattern) are compared. A "call stack
//! exhausted" on either side makes the rest of the module inconclusive (the engines' depth
//! limits differ). Disagreements explained by a known wasmi bug are excluded as described in
//! [`crate::peer_bugs`].

use crate::driver::{IterCtx, Target, take_panic_message};
use crate::idioms;
use crate::peer_bugs::{self, Fix, Sites};
use crate::relaxed;
use crate::rng::Rng;
use crate::smith;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A trap, as both engines' trap kinds map onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    /// `unreachable` executed.
    Unreachable,
    /// Integer division or remainder by zero.
    DivideByZero,
    /// Signed division overflow or out-of-range trapping truncation.
    IntegerOverflow,
    /// Trapping truncation of a NaN.
    InvalidConversion,
    /// Out-of-bounds memory access.
    MemoryOutOfBounds,
    /// Out-of-bounds table access (including `call_indirect` past the table's end).
    TableOutOfBounds,
    /// `call_indirect` signature mismatch.
    IndirectCallTypeMismatch,
    /// `call_indirect` through a null element.
    NullElement,
    /// Call depth or value stack exhausted.
    StackExhausted,
    /// Engine fuel ran out.
    OutOfFuel,
    /// Interrupted.
    Interrupted,
}

/// A value in a form both engines can be compared by: numbers as bits, references as null or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// i32 bits.
    I32(u32),
    /// i64 bits.
    I64(u64),
    /// f32 bits.
    F32(u32),
    /// f64 bits.
    F64(u64),
    /// v128 bits.
    V128(u128),
    /// A funcref: whether it is non-null.
    FuncRef(bool),
    /// An externref: whether it is non-null.
    ExternRef(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{:#x}", v),
            Value::I64(v) => write!(f, "i64:{:#x}", v),
            Value::F32(v) => write!(f, "f32:{:#x}({})", v, f32::from_bits(*v)),
            Value::F64(v) => write!(f, "f64:{:#x}({})", v, f64::from_bits(*v)),
            Value::V128(v) => write!(f, "v128:{:#034x}", v),
            Value::FuncRef(n) => write!(f, "funcref:{}", if *n { "non-null" } else { "null" }),
            Value::ExternRef(n) => write!(f, "externref:{}", if *n { "non-null" } else { "null" }),
        }
    }
}

/// The outcome of an instantiation or a call.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Returned these values.
    Values(Vec<Value>),
    /// Trapped.
    Trap(Trap),
    /// Failed otherwise (a non-trap error; the messages are not compared).
    Error(String),
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Values(a), Outcome::Values(b)) => a == b,
            (Outcome::Trap(a), Outcome::Trap(b)) => a == b,
            (Outcome::Error(_), Outcome::Error(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Values(vs) => {
                let vs: Vec<String> = vs.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", vs.join(", "))
            }
            Outcome::Trap(t) => write!(f, "trap {t:?}"),
            Outcome::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// The observable state of an instance through its exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    globals: Vec<Value>,
    memories: Vec<(usize, u64)>,
    tables: Vec<(u32, Vec<bool>)>,
}

/// What a module exports, by kind, in export order.
#[derive(Debug, Clone, Default)]
pub struct Exports {
    funcs: Vec<(String, Vec<wasmparser::ValType>, usize)>,
    globals: Vec<String>,
    memories: Vec<String>,
    tables: Vec<String>,
}

/// Reads the exports (and each exported function's parameter types and result count).
pub fn exports(wasm: &[u8]) -> Option<Exports> {
    use wasmparser::{ExternalKind, Payload};
    let mut types = Vec::new();
    let mut func_types = Vec::new();
    let mut ex = Exports::default();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for rec in r {
                    for sub in rec.ok()?.into_types() {
                        match sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                types.push((f.params().to_vec(), f.results().len()))
                            }
                            _ => types.push((Vec::new(), 0)),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    if let wasmparser::TypeRef::Func(t) = imp.ok()?.ty {
                        func_types.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t.ok()?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.ok()?;
                    let name = e.name.to_string();
                    match e.kind {
                        ExternalKind::Func => {
                            let (params, results) =
                                types.get(*func_types.get(e.index as usize)? as usize)?.clone();
                            ex.funcs.push((name, params, results));
                        }
                        ExternalKind::Global => ex.globals.push(name),
                        ExternalKind::Memory => ex.memories.push(name),
                        ExternalKind::Table => ex.tables.push(name),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Some(ex)
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h ^ bytes.len() as u64
}

// ---------------------------------------------------------------------------------------------
// epsilon

/// How epsilon's engine is configured for a module (the results must not depend on it).
#[derive(Debug, Clone, Copy)]
pub struct EpsilonMode {
    fuel: bool,
    interruptible: bool,
}

struct Eps {
    store: epsilon::Store<()>,
    instance: epsilon::Instance,
}

fn eps_trap(e: &epsilon::Error) -> Outcome {
    use epsilon::TrapKind as K;
    match e.trap_kind() {
        Some(k) => Outcome::Trap(match k {
            K::Unreachable => Trap::Unreachable,
            K::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            K::TableOutOfBounds | K::UndefinedElement => Trap::TableOutOfBounds,
            K::UninitializedElement => Trap::NullElement,
            K::IndirectCallTypeMismatch => Trap::IndirectCallTypeMismatch,
            K::IntegerDivideByZero => Trap::DivideByZero,
            K::IntegerOverflow => Trap::IntegerOverflow,
            K::InvalidConversionToInteger => Trap::InvalidConversion,
            K::CallStackExhausted => Trap::StackExhausted,
            K::OutOfFuel => Trap::OutOfFuel,
            K::Interrupted => Trap::Interrupted,
            _ => return Outcome::Error(format!("unknown trap kind: {e}")),
        }),
        None => Outcome::Error(e.to_string()),
    }
}

fn eps_value(v: &epsilon::Val) -> Value {
    use epsilon::Val as V;
    match v {
        V::I32(x) => Value::I32(*x as u32),
        V::I64(x) => Value::I64(*x as u64),
        V::F32(x) => Value::F32(x.to_bits()),
        V::F64(x) => Value::F64(x.to_bits()),
        V::V128(x) => Value::V128(x.to_bits()),
        V::FuncRef(r) => Value::FuncRef(r.is_some()),
        V::ExternRef(r) => Value::ExternRef(r.is_some()),
        // The differential target generates no exception handling (wasmi has none), so no
        // function returns an exnref; were one to, it would compare as a reference.
        V::ExnRef(r) => Value::ExternRef(r.is_some()),
    }
}

fn eps_arg(v: &Value) -> epsilon::Val {
    use epsilon::Val as V;
    match *v {
        Value::I32(x) => V::I32(x as i32),
        Value::I64(x) => V::I64(x as i64),
        Value::F32(x) => V::F32(epsilon::F32::from_bits(x)),
        Value::F64(x) => V::F64(epsilon::F64::from_bits(x)),
        Value::V128(x) => V::V128(epsilon::V128::from_bits(x)),
        Value::FuncRef(_) => V::FuncRef(None),
        Value::ExternRef(_) => V::ExternRef(None),
    }
}

impl Eps {
    fn instantiate(wasm: &[u8], mode: EpsilonMode) -> Result<Eps, (bool, Outcome)> {
        let mut config = epsilon::Config::default();
        config.consume_fuel(mode.fuel).interruptible(mode.interruptible);
        let engine = epsilon::Engine::new(config);
        let module =
            epsilon::Module::new(&engine, wasm).map_err(|e| (true, Outcome::Error(e.to_string())))?;
        let mut store = epsilon::Store::new(&engine, ());
        if mode.fuel {
            store.set_fuel(u64::MAX / 2).map_err(|e| (false, Outcome::Error(e.to_string())))?;
        }
        let instance = epsilon::Linker::new(&engine)
            .instantiate(&mut store, &module)
            .map_err(|e| (false, eps_trap(&e)))?;
        Ok(Eps { store, instance })
    }

    fn call(&mut self, name: &str, args: &[Value], results: usize) -> Outcome {
        let Ok(func) = self.instance.get_func(&self.store, name) else {
            return Outcome::Error(format!("no function export `{name}`"));
        };
        let args: Vec<epsilon::Val> = args.iter().map(eps_arg).collect();
        let mut out = vec![epsilon::Val::I32(0); results];
        match func.call(&mut self.store, &args, &mut out) {
            Ok(()) => Outcome::Values(out.iter().map(eps_value).collect()),
            Err(e) => eps_trap(&e),
        }
    }

    fn state(&self, ex: &Exports) -> State {
        let s = &self.store;
        let globals = ex
            .globals
            .iter()
            .map(|n| {
                self.instance
                    .get_global(s, n)
                    .and_then(|g| g.get(s))
                    .map_or(Value::I32(0xdead), |v| eps_value(&v))
            })
            .collect();
        let memories = ex
            .memories
            .iter()
            .map(|n| {
                self.instance
                    .get_memory(s, n)
                    .and_then(|m| m.data(s))
                    .map_or((usize::MAX, 0), |d| (d.len(), hash(d)))
            })
            .collect();
        let tables = ex
            .tables
            .iter()
            .map(|n| {
                let Ok((t, size)) = self.instance.get_table(s, n).and_then(|t| Ok((t, t.size(s)?))) else {
                    return (u32::MAX, Vec::new());
                };
                let nulls = (0..size)
                    .map(|i| {
                        matches!(
                            t.get(s, i),
                            Ok(epsilon::Val::FuncRef(Some(_)) | epsilon::Val::ExternRef(Some(_)))
                        )
                    })
                    .collect();
                (size, nulls)
            })
            .collect();
        State { globals, memories, tables }
    }
}

// ---------------------------------------------------------------------------------------------
// wasmi

struct Peer {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
}

fn peer_trap(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    match e.as_trap_code() {
        Some(c) => Outcome::Trap(match c {
            C::UnreachableCodeReached => Trap::Unreachable,
            C::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            C::TableOutOfBounds => Trap::TableOutOfBounds,
            C::IndirectCallToNull => Trap::NullElement,
            C::IntegerDivisionByZero => Trap::DivideByZero,
            C::IntegerOverflow => Trap::IntegerOverflow,
            C::BadConversionToInteger => Trap::InvalidConversion,
            C::StackOverflow => Trap::StackExhausted,
            C::BadSignature => Trap::IndirectCallTypeMismatch,
            C::OutOfFuel => Trap::OutOfFuel,
            other => return Outcome::Error(format!("wasmi trap {other:?}: {e}")),
        }),
        // Segment initialisation out of bounds is reported as an instantiation error, not as
        // a trap code; the specification calls both traps.
        None => {
            let text = e.to_string();
            if text.contains("out of bounds table access") {
                Outcome::Trap(Trap::TableOutOfBounds)
            } else if text.contains("out of bounds memory access") {
                Outcome::Trap(Trap::MemoryOutOfBounds)
            } else {
                Outcome::Error(text)
            }
        }
    }
}

fn peer_value(v: &wasmi::Val) -> Value {
    use wasmi::Val as V;
    match v {
        V::I32(x) => Value::I32(*x as u32),
        V::I64(x) => Value::I64(*x as u64),
        V::F32(x) => Value::F32(x.to_bits()),
        V::F64(x) => Value::F64(x.to_bits()),
        V::V128(x) => Value::V128(x.as_u128()),
        V::FuncRef(r) => Value::FuncRef(!r.is_null()),
        V::ExternRef(r) => Value::ExternRef(!r.is_null()),
    }
}

fn peer_arg(v: &Value) -> wasmi::Val {
    use wasmi::Val as V;
    match *v {
        Value::I32(x) => V::I32(x as i32),
        Value::I64(x) => V::I64(x as i64),
        Value::F32(x) => V::F32(wasmi::F32::from_bits(x)),
        Value::F64(x) => V::F64(wasmi::F64::from_bits(x)),
        Value::V128(x) => V::V128(wasmi::V128::from(x)),
        Value::FuncRef(_) => V::FuncRef(wasmi::Nullable::Null),
        Value::ExternRef(_) => V::ExternRef(wasmi::Nullable::Null),
    }
}

/// wasmi's engine configured for exactly our feature set, compiling eagerly.
fn peer_engine() -> wasmi::Engine {
    let mut c = wasmi::Config::default();
    c.wasm_multi_memory(true)
        .wasm_tail_call(true)
        .wasm_extended_const(true)
        .wasm_custom_page_sizes(false)
        .wasm_memory64(true)
        .wasm_wide_arithmetic(false)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .set_max_recursion_depth(100_000)
        .compilation_mode(wasmi::CompilationMode::Eager);
    wasmi::Engine::new(&c)
}

impl Peer {
    fn instantiate(wasm: &[u8]) -> Result<Peer, (bool, Outcome)> {
        let engine = peer_engine();
        let module = wasmi::Module::new(&engine, wasm).map_err(|e| (true, Outcome::Error(e.to_string())))?;
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance =
            linker.instantiate_and_start(&mut store, &module).map_err(|e| (false, peer_trap(&e)))?;
        Ok(Peer { store, instance })
    }

    fn call(&mut self, name: &str, args: &[Value], results: usize) -> Outcome {
        let Some(func) = self.instance.get_func(&self.store, name) else {
            return Outcome::Error(format!("no function export `{name}`"));
        };
        let args: Vec<wasmi::Val> = args.iter().map(peer_arg).collect();
        let mut out = vec![wasmi::Val::I32(0); results];
        match func.call(&mut self.store, &args, &mut out) {
            Ok(()) => Outcome::Values(out.iter().map(peer_value).collect()),
            Err(e) => peer_trap(&e),
        }
    }

    fn state(&self, ex: &Exports) -> State {
        let s = &self.store;
        let globals = ex
            .globals
            .iter()
            .map(|n| self.instance.get_global(s, n).map_or(Value::I32(0xdead), |g| peer_value(&g.get(s))))
            .collect();
        let memories = ex
            .memories
            .iter()
            .map(|n| {
                self.instance.get_memory(s, n).map_or((usize::MAX, 0), |m| {
                    let d = m.data(s);
                    (d.len(), hash(d))
                })
            })
            .collect();
        let tables = ex
            .tables
            .iter()
            .map(|n| {
                self.instance.get_table(s, n).map_or((u32::MAX, Vec::new()), |t| {
                    let size = t.size(s);
                    let nulls = (0..size).map(|i| t.get(s, i).is_some_and(|r| r.is_non_null())).collect();
                    (size as u32, nulls)
                })
            })
            .collect();
        State { globals, memories, tables }
    }
}

// ---------------------------------------------------------------------------------------------
// One comparison run

/// The calls made on a module: (export name, arguments, result count).
type Plan = Vec<(String, Vec<Value>, usize)>;

/// How a comparison of one module ended.
#[derive(Debug)]
enum Compared {
    /// Everything agreed; `calls` calls compared.
    Agree { calls: u64 },
    /// A "call stack exhausted" made the rest inconclusive after `calls` agreeing calls.
    Inconclusive { calls: u64 },
    /// epsilon rejected the module with `Unsupported` (an implementation limit).
    Unsupported,
    /// wasmi rejected the module (so there is nothing to compare).
    PeerRejected(String),
    /// wasmi panicked.
    PeerPanic(String),
    /// A disagreement, described.
    Mismatch { calls: u64, text: String },
}

/// Runs `f` on wasmi, turning a panic into an error.
fn peer_guard<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| take_panic_message())
}

fn compare(eps_wasm: &[u8], peer_wasm: &[u8], ex: &Exports, plan: &Plan, mode: EpsilonMode) -> Compared {
    compare_logged(eps_wasm, peer_wasm, ex, plan, mode, false)
}

fn compare_logged(
    eps_wasm: &[u8],
    peer_wasm: &[u8],
    ex: &Exports,
    plan: &Plan,
    mode: EpsilonMode,
    log: bool,
) -> Compared {
    let peer = match peer_guard(|| Peer::instantiate(peer_wasm)) {
        Err(p) => return Compared::PeerPanic(format!("instantiation: {p}")),
        Ok(r) => r,
    };
    let eps = Eps::instantiate(eps_wasm, mode);
    let (mut eps, mut peer) = match (eps, peer) {
        (Ok(e), Ok(p)) => (e, p),
        (_, Err((true, e))) => return Compared::PeerRejected(e.to_string()),
        (Err((true, e)), _) => {
            if matches!(&e, Outcome::Error(m) if m.starts_with("unsupported")) {
                return Compared::Unsupported;
            }
            return Compared::Mismatch {
                calls: 0,
                text: format!("epsilon rejects a module wasmi accepts: {e}"),
            };
        }
        (Err((_, e)), Err((_, p))) => {
            if e == p {
                return Compared::Agree { calls: 0 };
            }
            if matches!(e, Outcome::Trap(Trap::StackExhausted))
                || matches!(p, Outcome::Trap(Trap::StackExhausted))
            {
                return Compared::Inconclusive { calls: 0 };
            }
            return Compared::Mismatch { calls: 0, text: format!("instantiation: epsilon {e}, wasmi {p}") };
        }
        (Err((_, e)), Ok(_)) => {
            return Compared::Mismatch { calls: 0, text: format!("instantiation: epsilon {e}, wasmi ok") };
        }
        (Ok(_), Err((_, p))) => {
            return Compared::Mismatch { calls: 0, text: format!("instantiation: epsilon ok, wasmi {p}") };
        }
    };
    let s0 = eps.state(ex);
    let p0 = match peer_guard(|| peer.state(ex)) {
        Ok(s) => s,
        Err(p) => return Compared::PeerPanic(format!("state after instantiation: {p}")),
    };
    if s0 != p0 {
        return Compared::Mismatch {
            calls: 0,
            text: format!("state after instantiation:\n{}", state_diff(&s0, &p0, ex)),
        };
    }
    let mut calls = 0;
    let mut trace = String::new();
    for (i, (name, args, results)) in plan.iter().enumerate() {
        let e = eps.call(name, args, *results);
        let p = match peer_guard(|| peer.call(name, args, *results)) {
            Ok(p) => p,
            Err(m) => return Compared::PeerPanic(format!("call #{i} `{name}`: {m}")),
        };
        let args_text: Vec<String> = args.iter().map(ToString::to_string).collect();
        let call_text = format!("call #{i} `{name}`({})", args_text.join(", "));
        if log {
            println!("{call_text}:\n  epsilon: {e}\n  wasmi:   {p}");
        }
        if matches!(e, Outcome::Trap(Trap::StackExhausted))
            || matches!(p, Outcome::Trap(Trap::StackExhausted))
        {
            return Compared::Inconclusive { calls };
        }
        if e != p {
            return Compared::Mismatch {
                calls,
                text: format!(
                    "{call_text}:\n  epsilon: {e}\n  wasmi:   {p}\n\nearlier calls (agreed):\n{trace}"
                ),
            };
        }
        let se = eps.state(ex);
        let sp = match peer_guard(|| peer.state(ex)) {
            Ok(s) => s,
            Err(m) => return Compared::PeerPanic(format!("state after call #{i}: {m}")),
        };
        if se != sp {
            return Compared::Mismatch {
                calls,
                text: format!(
                    "{call_text} -> {e} in both, but the state differs:\n{}\nearlier calls (agreed):\n{trace}",
                    state_diff(&se, &sp, ex)
                ),
            };
        }
        trace += &format!("  {call_text} -> {e}\n");
        calls += 1;
    }
    Compared::Agree { calls }
}

fn state_diff(e: &State, p: &State, ex: &Exports) -> String {
    let mut out = String::new();
    for (i, (a, b)) in e.globals.iter().zip(&p.globals).enumerate() {
        if a != b {
            out += &format!("  global `{}`: epsilon {a}, wasmi {b}\n", ex.globals[i]);
        }
    }
    for (i, (a, b)) in e.memories.iter().zip(&p.memories).enumerate() {
        if a != b {
            out += &format!("  memory `{}`: epsilon {a:?}, wasmi {b:?} (bytes, hash)\n", ex.memories[i]);
        }
    }
    for (i, (a, b)) in e.tables.iter().zip(&p.tables).enumerate() {
        if a != b {
            out += &format!("  table `{}`: epsilon {a:?}, wasmi {b:?} (size, non-null)\n", ex.tables[i]);
        }
    }
    out
}

fn random_value(rng: &mut Rng, ty: wasmparser::ValType, zero: bool) -> Value {
    use wasmparser::ValType as V;
    match ty {
        V::I32 => Value::I32(if zero { 0 } else { rng.interesting_u32() }),
        V::I64 => Value::I64(if zero { 0 } else { rng.interesting_u64() }),
        V::F32 => Value::F32(if zero { 0 } else { rng.interesting_f32() }),
        V::F64 => Value::F64(if zero { 0 } else { rng.interesting_f64() }),
        V::V128 => Value::V128(if zero {
            0
        } else if rng.bool() {
            u128::from(rng.next_u64()) | (u128::from(rng.next_u64()) << 64)
        } else {
            u128::from(rng.interesting_u64()) | (u128::from(rng.interesting_u64()) << 64)
        }),
        V::Ref(r) if r.is_func_ref() => Value::FuncRef(false),
        V::Ref(_) => Value::ExternRef(false),
    }
}

// ---------------------------------------------------------------------------------------------
// The target

/// Known fault, fixed in main (the translator no longer lets a `local.set` retarget the
/// result; testsuite/epsilon/simd.wast), kept switchable for the next such fault: a `v128.loadN_lane` whose result goes straight into a local
/// (`local.set`/`local.tee` right after it) takes its vector operand from the wrong slot (one
/// cell above the local). Repro: `fuzz/findings/diff-v128-load-lane-into-local.wat`. While set,
/// a mismatch that disappears when epsilon runs the module with those sites rewritten
/// (`v128.const 0` + `v128.or` between the two, the same value) counts as `known-open`, not as
/// a failure; set it to `false` once main has the fix.
pub(crate) const LOAD_LANE_OPEN: bool = false;

/// Counters of the differential target.
#[derive(Debug, Default)]
pub struct Diff {
    modules: u64,
    calls: u64,
    mismatches: u64,
    panics: u64,
    peer_panics: u64,
    inconclusive: u64,
    unsupported: u64,
    peer_rejected: u64,
    not_generated: u64,
    /// Modules of array accesses from [`crate::idioms`] (among `modules`).
    idiom_modules: u64,
    /// Modules excluded per known wasmi bug (a), (b), (c), (d), (e), (f).
    known: [u64; 6],
    /// Mismatches explained by the known open fault [`LOAD_LANE_OPEN`].
    known_open: u64,
}

impl Diff {
    /// A fresh target.
    pub fn new() -> Diff {
        Diff::default()
    }
}

impl Target for Diff {
    fn name(&self) -> &'static str {
        "diff"
    }

    fn run(&mut self, rng: &mut Rng, ctx: &mut IterCtx) {
        // One module in four exercises the fused array accesses, which random code seldom
        // produces in the right order.
        let wasm = if rng.one_in(4) {
            self.idiom_modules += 1;
            idioms::module(rng)
        } else {
            let config = smith::diff_config(rng);
            let Some(wasm) = smith::generate(rng, config, true) else {
                self.not_generated += 1;
                return;
            };
            relaxed::neutralise(&wasm)
        };
        ctx.set_current_wasm(&wasm);
        let (Some(ex), Some(sites)) = (exports(&wasm), peer_bugs::analyse(&wasm)) else {
            self.modules += 1;
            self.mismatches += 1;
            ctx.report(
                "mismatch",
                true,
                Some(&wasm),
                "wasm-smith module does not validate with epsilon's features (wasmparser)".into(),
            );
            return;
        };
        let mode = EpsilonMode { fuel: rng.one_in(3), interruptible: rng.one_in(3) };
        let mut plan: Plan = Vec::new();
        for (name, params, results) in &ex.funcs {
            for k in 0..3 {
                if plan.len() >= 48 {
                    break;
                }
                let args = params.iter().map(|t| random_value(rng, *t, k == 0)).collect();
                plan.push((name.clone(), args, *results));
            }
        }
        self.modules += 1;
        if ctx.verbose {
            eprintln!(
                "module: {} bytes, {} calls planned, sites {sites:?}, epsilon {mode:?}",
                wasm.len(),
                plan.len()
            );
        }
        match compare(&wasm, &wasm, &ex, &plan, mode) {
            Compared::Agree { calls } => self.calls += calls,
            Compared::Inconclusive { calls } => {
                self.calls += calls;
                self.inconclusive += 1;
            }
            Compared::Unsupported => self.unsupported += 1,
            Compared::PeerRejected(e) => {
                self.peer_rejected += 1;
                ctx.report("peer-rejects", false, Some(&wasm), format!("wasmi rejects the module: {e}"));
            }
            Compared::PeerPanic(m) => {
                self.peer_panics += 1;
                ctx.report("peer-panic", false, Some(&wasm), format!("wasmi panicked: {m}"));
            }
            Compared::Mismatch { calls, text } => {
                self.calls += calls;
                if let Some(bug) = explained(&wasm, &sites, &ex, &plan, mode) {
                    for b in bug {
                        self.known[b] += 1;
                    }
                    if ctx.verbose {
                        eprintln!("excluded (known wasmi bug): {text}");
                    }
                    return;
                }
                if LOAD_LANE_OPEN && load_lane_explained(&wasm, &sites, &ex, &plan, mode) {
                    self.known_open += 1;
                    if ctx.verbose {
                        eprintln!("known-open (v128.loadN_lane into a local): {text}");
                    }
                    return;
                }
                self.mismatches += 1;
                ctx.report(
                    "mismatch",
                    true,
                    Some(&wasm),
                    format!("{text}\n\nepsilon mode: {mode:?}\nknown-bug sites: {sites:?} (neutralising them did not remove the difference)\n"),
                );
            }
        }
    }

    fn count_panic(&mut self) {
        self.panics += 1;
    }

    fn failures(&self) -> u64 {
        self.mismatches + self.panics
    }

    fn summary(&self, seed: u64) -> String {
        let [a, b, c, d, e, f] = self.known;
        format!(
            "diff: seed {seed}, {} modules ({} of array accesses), {} calls compared, {} mismatches, {} panics, {} skipped (known peer bugs: a={a}, b={b}, c={c}, d={d}, e={e}, f={f}), {} inconclusive (call stack exhausted), {} peer panics, {} unsupported, {} rejected by wasmi, {} not generated, {} known-open (v128.loadN_lane into a local)",
            self.modules,
            self.idiom_modules,
            self.calls,
            self.mismatches,
            self.panics,
            a + b + c + d + e + f,
            self.inconclusive,
            self.peer_panics,
            self.unsupported,
            self.peer_rejected,
            self.not_generated,
            self.known_open
        )
    }
}

/// Whether a mismatch disappears when wasmi runs the module with known-bug sites neutralised;
/// returns the bugs (0 = a, 2 = c, 3 = d, 4 = e, 5 = f) whose neutralisation explains it. Each present
/// pattern is tried alone first, then the combinations, smallest first.
fn explained(wasm: &[u8], sites: &Sites, ex: &Exports, plan: &Plan, mode: EpsilonMode) -> Option<Vec<usize>> {
    if !sites.any() {
        return None;
    }
    let present: Vec<usize> = [
        (0, !sites.selects.is_empty()),
        (2, !sites.br_table_funcs.is_empty()),
        (3, !sites.param_frames.is_empty()),
        (4, !sites.shifted_br_tables.is_empty()),
        (5, !sites.loop_param_regs.is_empty()),
    ]
    .into_iter()
    .filter_map(|(bug, here)| here.then_some(bug))
    .collect();
    let mut subsets: Vec<Vec<usize>> = (1u32..1 << present.len())
        .map(|mask| {
            present.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, b)| *b).collect()
        })
        .collect();
    subsets.sort_by_key(Vec::len);
    for bugs in subsets {
        let fix = Fix {
            selects: bugs.contains(&0),
            br_tables: bugs.contains(&2),
            param_frames: bugs.contains(&3),
            shifted_br_tables: bugs.contains(&4),
            loop_param_regs: bugs.contains(&5),
            load_lane_locals: false,
        };
        let fixed = peer_bugs::neutralise(wasm, sites, fix)?;
        if matches!(
            compare(wasm, &fixed, ex, plan, mode),
            Compared::Agree { .. } | Compared::Inconclusive { .. }
        ) {
            return Some(bugs);
        }
    }
    None
}

/// Whether a mismatch disappears when epsilon runs the module with the sites of the known open
/// fault [`LOAD_LANE_OPEN`] rewritten, against wasmi on the module as it is or, failing that,
/// with every known wasmi bug pattern's sites neutralised.
fn load_lane_explained(wasm: &[u8], sites: &Sites, ex: &Exports, plan: &Plan, mode: EpsilonMode) -> bool {
    if sites.load_lane_locals.is_empty() {
        return false;
    }
    let Some(eps) = peer_bugs::neutralise(wasm, sites, Fix { load_lane_locals: true, ..Fix::default() })
    else {
        return false;
    };
    let all = Fix {
        selects: true,
        br_tables: true,
        param_frames: true,
        shifted_br_tables: true,
        loop_param_regs: true,
        load_lane_locals: false,
    };
    let mut peers = vec![wasm.to_vec()];
    if sites.any() {
        peers.extend(peer_bugs::neutralise(wasm, sites, all));
    }
    peers.iter().any(|peer| {
        matches!(compare(&eps, peer, ex, plan, mode), Compared::Agree { .. } | Compared::Inconclusive { .. })
    })
}

/// Every exported function called once with zero arguments, in export order.
fn zero_plan(ex: &Exports) -> Plan {
    ex.funcs
        .iter()
        .map(|(name, params, results)| {
            (
                name.clone(),
                params.iter().map(|t| random_value(&mut Rng::for_iteration(0, "", 0), *t, true)).collect(),
                *results,
            )
        })
        .collect()
}

/// For tests: whether epsilon running `eps_wasm` and wasmi running `peer_wasm` agree, with
/// every export of `eps_wasm` called once with zero arguments (as `--compare` does).
#[cfg(test)]
pub(crate) fn engines_agree(eps_wasm: &[u8], peer_wasm: &[u8]) -> bool {
    let ex = exports(eps_wasm).expect("exports");
    let mode = EpsilonMode { fuel: false, interruptible: false };
    matches!(compare(eps_wasm, peer_wasm, &ex, &zero_plan(&ex), mode), Compared::Agree { calls } if calls > 0)
}

/// Compares the engines on a module file (`.wasm` or `.wat`): every exported function is
/// called once with zero arguments, in export order, and each outcome is printed. For
/// checking minimised reproductions by hand (`epsilon-fuzz --compare FILE`).
pub fn compare_file(path: &std::path::Path) -> Result<bool, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let wasm = wat::parse_bytes(&bytes).map_err(|e| e.to_string())?.into_owned();
    let ex = exports(&wasm).ok_or("cannot read the exports")?;
    let plan = zero_plan(&ex);
    let sites = peer_bugs::analyse(&wasm);
    println!("known-bug sites: {sites:?}");
    let mode = EpsilonMode { fuel: false, interruptible: false };
    let outcome = compare_logged(&wasm, &wasm, &ex, &plan, mode, true);
    println!("{outcome:?}");
    if let (Compared::Mismatch { .. }, Some(sites)) = (&outcome, &sites) {
        let names = ["a", "b", "c", "d", "e", "f"];
        match explained(&wasm, sites, &ex, &plan, mode) {
            Some(bugs) => {
                let bugs: Vec<&str> = bugs.iter().map(|b| names[*b]).collect();
                println!("explained: wasmi agrees once the sites of known bug(s) {bugs:?} are neutralised");
            }
            None => println!("not explained by the known wasmi bugs"),
        }
    }
    Ok(!matches!(outcome, Compared::Mismatch { .. }))
}
