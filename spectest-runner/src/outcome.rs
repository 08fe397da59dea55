//! Canonical outcome strings.
//!
//! Every directive's result is written as one deterministic string so that runs of different
//! engines (the Rust API and the replay through the Python package) can be compared per
//! `(file, line, kind)` by plain string equality:
//!
//! | outcome                         | string                                  |
//! |---------------------------------|-----------------------------------------|
//! | success without values          | `ok`                                    |
//! | values (space separated)        | `i32:0x0000002a f64:0x3ff0000000000000` |
//! | `i32` / `i64`                   | `i32:0x%08x` / `i64:0x%016x`            |
//! | `f32` / `f64` (raw bits)        | `f32:0x%08x` / `f64:0x%016x`            |
//! | `v128` (little-endian u128)     | `v128:%032x`                            |
//! | null references                 | `funcref:null`, `externref:null`        |
//! | host reference holding `N`      | `externref:N`                           |
//! | any other host reference        | `externref:opaque`                      |
//! | non-null function reference     | `funcref:non-null`                      |
//! | trap (kind text + any detail)   | `trap:<message>`                        |
//! | uncaught wasm exception         | `exception`                             |
//! | null / non-null exnref          | `exnref:null`, `exnref:non-null`        |
//! | module rejected                 | `malformed`, `invalid`                  |
//! | module rejected, class unknown  | `rejected` (engines that do not tell)   |
//! | link or instantiation failure   | `unlinkable`                            |
//! | not supported by the engine     | `unsupported:<reason>`                  |
//! | any other error                 | `error:<message>`                       |
//! | directive not executed          | `skipped`                               |
//! | engine gave no outcome          | `missing` (the record's detail says why) |
//! | engine crashed on the directive | `panic:<message>`                        |
//!
//! Engines only produce these strings; [`crate::expect::judge`] judges them. Two engines agree
//! on a directive when they produced the same string.
//!
//! Floats and `i64` are always bit patterns, never decimal numbers. Expected values use the
//! same vocabulary plus the NaN patterns `f32:nan:canonical`, `f32:nan:arithmetic` (likewise
//! `f64`), per-lane `v128` patterns such as `v128:f32x4[nan:canonical 0x3f800000 ...]`,
//! `either(a | b)`, `ref:null`, `externref:non-null` and `funcref:non-null`.

use epsilon::{Error, ErrorKind, Store, Val};

/// Success with no values to show.
pub const OK: &str = "ok";
/// The module was rejected as malformed (or its text failed to parse).
pub const MALFORMED: &str = "malformed";
/// The module was rejected as invalid.
pub const INVALID: &str = "invalid";
/// The module was rejected by an engine that does not tell malformed from invalid.
pub const REJECTED: &str = "rejected";
/// Prefix of outcomes of directives the engine does not support.
pub const UNSUPPORTED_PREFIX: &str = "unsupported:";
/// The module failed to link or to instantiate (other than by a trap).
pub const UNLINKABLE: &str = "unlinkable";
/// The directive was not executed.
pub const SKIPPED: &str = "skipped";
/// The engine produced no outcome for the directive (its driver crashed, timed out, or its
/// export could not be read); the record's detail says why.
pub const MISSING: &str = "missing";
/// An uncaught WebAssembly exception (exception handling).
pub const EXCEPTION: &str = "exception";
/// Prefix of trap outcomes.
pub const TRAP_PREFIX: &str = "trap:";

/// The canonical string of one value.
pub fn value<T>(store: &Store<T>, v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:0x{:08x}", *x as u32),
        Val::I64(x) => format!("i64:0x{:016x}", *x as u64),
        Val::F32(x) => format!("f32:0x{:08x}", x.to_bits()),
        Val::F64(x) => format!("f64:0x{:016x}", x.to_bits()),
        Val::V128(x) => format!("v128:{:032x}", x.to_bits()),
        Val::FuncRef(None) => "funcref:null".to_string(),
        Val::FuncRef(Some(_)) => "funcref:non-null".to_string(),
        Val::ExternRef(None) => "externref:null".to_string(),
        Val::ExternRef(Some(r)) => match r.data(store).ok().and_then(|d| d.downcast_ref::<u32>()) {
            Some(n) => format!("externref:{n}"),
            None => "externref:opaque".to_string(),
        },
        Val::ExnRef(None) => "exnref:null".to_string(),
        Val::ExnRef(Some(_)) => "exnref:non-null".to_string(),
    }
}

/// The canonical string of a list of values: space separated, or `ok` when empty.
pub fn values<T>(store: &Store<T>, vals: &[Val]) -> String {
    if vals.is_empty() {
        return OK.to_string();
    }
    vals.iter().map(|v| value(store, v)).collect::<Vec<_>>().join(" ")
}

/// The canonical string of a trap message.
pub fn trap(message: &str) -> String {
    format!("{TRAP_PREFIX}{message}")
}

/// The canonical string of an error from compiling, linking, instantiating or running.
pub fn error(e: &Error) -> String {
    if let Some(kind) = e.trap_kind() {
        // The error's message may add detail after the trap kind's text (for example the
        // element index: "uninitialized element 2", as the reference interpreter words it).
        let message = e.message();
        return trap(if message.starts_with(kind.message()) { message } else { kind.message() });
    }
    match e.kind() {
        ErrorKind::Malformed => MALFORMED.to_string(),
        ErrorKind::Invalid => INVALID.to_string(),
        ErrorKind::Link | ErrorKind::Instantiation => UNLINKABLE.to_string(),
        ErrorKind::Exception => EXCEPTION.to_string(),
        // epsilon runs only files whose features it implements (the others are unsupported
        // as a whole, see `suites::epsilon_unsupported`): a feature it rejects inside them
        // is a failure, not an unsupported directive.
        ErrorKind::Unsupported => format!("error:unsupported: {}", e.message()),
        _ => format!("error:{e}"),
    }
}

/// Whether `got` is a trap whose message starts with `expected_message`.
pub fn is_trap_with(got: &str, expected_message: &str) -> bool {
    got.strip_prefix(TRAP_PREFIX).is_some_and(|m| m.starts_with(expected_message))
}

/// Whether `got` is a list of values (each token `<type>:...` of a value type).
pub fn is_values(got: &str) -> bool {
    const TYPES: [&str; 8] = ["i32:", "i64:", "f32:", "f64:", "v128:", "funcref:", "externref:", "exnref:"];
    !got.is_empty() && got.split(' ').all(|t| TYPES.iter().any(|ty| t.starts_with(ty)))
}

/// Joins canonical strings of several expected results (`ok` when there are none).
pub fn join(parts: Vec<String>) -> String {
    if parts.is_empty() { OK.to_string() } else { parts.join(" ") }
}

/// The canonical string of a directive the engine does not support, with the reason.
pub fn unsupported(reason: &str) -> String {
    format!("{UNSUPPORTED_PREFIX}{reason}")
}

/// Whether `got` says the engine does not support the directive.
pub fn is_unsupported(got: &str) -> bool {
    got.starts_with(UNSUPPORTED_PREFIX)
}

/// Whether two engines' outcomes of one directive agree: the same string; `rejected` (an
/// engine that does not tell the class) against `malformed` or `invalid`; or two traps where
/// one message extends the other (`uninitialized element 2` and `uninitialized element`:
/// engines add different details after the same words).
pub fn agree(a: &str, b: &str) -> bool {
    let rejection = |s: &str| s == MALFORMED || s == INVALID;
    let traps = match (a.strip_prefix(TRAP_PREFIX), b.strip_prefix(TRAP_PREFIX)) {
        (Some(x), Some(y)) => extends(x, y) || extends(y, x),
        _ => false,
    };
    a == b || traps || (a == REJECTED && rejection(b)) || (b == REJECTED && rejection(a))
}

/// Whether the message `long` is `short` followed by a detail (after a space or a colon).
fn extends(long: &str, short: &str) -> bool {
    long.strip_prefix(short).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ':']))
}
