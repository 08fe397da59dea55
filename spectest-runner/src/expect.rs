//! What each directive expects, and [`judge`]: the one function that decides whether an
//! engine's canonical outcome string (see [`crate::outcome`]) meets that expectation.
//!
//! Every engine (the Rust API, the Python package replayed by the driver) only *produces*
//! `got` strings; judging happens here, on strings alone, so that both engines are held to
//! exactly the same rules:
//!
//! * values: same count, each value matching its pattern (`nan:canonical` and
//!   `nan:arithmetic` per float and per `v128` lane, exact bits otherwise, `either(..)`,
//!   references by kind and host number);
//! * traps and exhaustion: `trap:<message>` whose message starts with the expected text;
//! * `assert_malformed` / `assert_invalid`: `malformed` or `invalid` (either class, see
//!   `testsuite/README.md`);
//! * `assert_unlinkable`: `unlinkable`;
//! * `assert_exception`: `exception` (an uncaught WebAssembly exception);
//! * `module`, `register`: `ok`; `invoke`: `ok` or any values.

use crate::outcome::{self, EXCEPTION, INVALID, MALFORMED, OK, REJECTED, SKIPPED, UNLINKABLE};
use crate::record::Status;
use crate::values::{RefKind, ref_kind};
use wast::core::{NanPattern, V128Pattern, WastRetCore};
use wast::{QuoteWat, WastDirective, WastRet, Wat};

/// A float pattern: a NaN class or exact bits (of an `f32` or `f64`, by context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatPattern {
    /// A NaN with only the quiet bit set in the payload (either sign).
    Canonical,
    /// Any NaN with the quiet bit set (either sign).
    Arithmetic,
    /// Exactly these bits.
    Bits(u64),
}

impl FloatPattern {
    /// Whether the `f32` with bits `bits` matches.
    pub fn matches_f32(self, bits: u32) -> bool {
        match self {
            FloatPattern::Canonical => bits & 0x7fff_ffff == 0x7fc0_0000,
            FloatPattern::Arithmetic => bits & 0x7fc0_0000 == 0x7fc0_0000,
            FloatPattern::Bits(b) => u64::from(bits) == b,
        }
    }

    /// Whether the `f64` with bits `bits` matches.
    pub fn matches_f64(self, bits: u64) -> bool {
        match self {
            FloatPattern::Canonical => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            FloatPattern::Arithmetic => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            FloatPattern::Bits(b) => bits == b,
        }
    }

    fn describe(self, width: usize) -> String {
        match self {
            FloatPattern::Canonical => "nan:canonical".to_string(),
            FloatPattern::Arithmetic => "nan:arithmetic".to_string(),
            FloatPattern::Bits(b) => format!("0x{b:0width$x}"),
        }
    }

    fn from_f32(p: &NanPattern<wast::token::F32>) -> Self {
        match p {
            NanPattern::CanonicalNan => FloatPattern::Canonical,
            NanPattern::ArithmeticNan => FloatPattern::Arithmetic,
            NanPattern::Value(v) => FloatPattern::Bits(u64::from(v.bits)),
        }
    }

    fn from_f64(p: &NanPattern<wast::token::F64>) -> Self {
        match p {
            NanPattern::CanonicalNan => FloatPattern::Canonical,
            NanPattern::ArithmeticNan => FloatPattern::Arithmetic,
            NanPattern::Value(v) => FloatPattern::Bits(v.bits),
        }
    }
}

/// One expected result of an `assert_return`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedValue {
    /// `i32` with these bits.
    I32(u32),
    /// `i64` with these bits.
    I64(u64),
    /// `f32` matching the pattern.
    F32(FloatPattern),
    /// `f64` matching the pattern.
    F64(FloatPattern),
    /// `v128` with exactly these bits (little-endian lane order).
    V128(u128),
    /// `v128` whose four `f32` lanes match the patterns (some lane is a NaN class).
    V128F32([FloatPattern; 4]),
    /// `v128` whose two `f64` lanes match the patterns (some lane is a NaN class).
    V128F64([FloatPattern; 2]),
    /// `(ref.null)` without a type: any null reference.
    RefNull,
    /// `(ref.null func)`.
    FuncNull,
    /// `(ref.null extern)`.
    ExternNull,
    /// `(ref.null exn)`.
    ExnNull,
    /// `(ref.extern N)`: the host reference holding `N`.
    Extern(u32),
    /// `(ref.extern)`: any non-null external reference.
    ExternNonNull,
    /// `(ref.func)`: any non-null function reference.
    FuncNonNull,
    /// Any of the alternatives.
    Either(Vec<ExpectedValue>),
    /// A value outside WebAssembly 2.0 (GC or component-model values): never matches.
    Unsupported(String),
}

/// A value as an engine reported it, parsed from one token of a `got` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GotValue {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncNull,
    FuncNonNull,
    ExternNull,
    Extern(u32),
    ExternOpaque,
    ExnNull,
    ExnNonNull,
}

impl GotValue {
    /// Parses one canonical value token (`i32:0x0000002a`, `externref:7`, ...).
    fn parse(token: &str) -> Option<GotValue> {
        let (ty, rest) = token.split_once(':')?;
        let hex = |digits: usize| -> Option<u128> {
            let h = rest.strip_prefix("0x").unwrap_or(rest);
            let exact = h.len() == digits && h.bytes().all(|b| b.is_ascii_hexdigit());
            if exact { u128::from_str_radix(h, 16).ok() } else { None }
        };
        Some(match ty {
            "i32" if rest.starts_with("0x") => GotValue::I32(hex(8)? as u32),
            "i64" if rest.starts_with("0x") => GotValue::I64(hex(16)? as u64),
            "f32" if rest.starts_with("0x") => GotValue::F32(hex(8)? as u32),
            "f64" if rest.starts_with("0x") => GotValue::F64(hex(16)? as u64),
            "v128" if !rest.starts_with("0x") => GotValue::V128(hex(32)?),
            "funcref" => match rest {
                "null" => GotValue::FuncNull,
                "non-null" => GotValue::FuncNonNull,
                _ => return None,
            },
            "externref" => match rest {
                "null" => GotValue::ExternNull,
                "opaque" => GotValue::ExternOpaque,
                n if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    GotValue::Extern(n.parse().ok()?)
                }
                _ => return None,
            },
            "exnref" => match rest {
                "null" => GotValue::ExnNull,
                "non-null" => GotValue::ExnNonNull,
                _ => return None,
            },
            _ => return None,
        })
    }
}

impl ExpectedValue {
    /// The value expected by one `assert_return` result.
    pub fn from_ret(ret: &WastRet<'_>) -> Self {
        match ret {
            WastRet::Core(core) => ExpectedValue::from_core(core),
            _ => ExpectedValue::Unsupported("component-model value".to_string()),
        }
    }

    fn from_core(ret: &WastRetCore<'_>) -> Self {
        match ret {
            WastRetCore::I32(x) => ExpectedValue::I32(*x as u32),
            WastRetCore::I64(x) => ExpectedValue::I64(*x as u64),
            WastRetCore::F32(p) => ExpectedValue::F32(FloatPattern::from_f32(p)),
            WastRetCore::F64(p) => ExpectedValue::F64(FloatPattern::from_f64(p)),
            WastRetCore::V128(p) => from_v128(p),
            WastRetCore::RefNull(None) => ExpectedValue::RefNull,
            WastRetCore::RefNull(Some(heap)) => match ref_kind(heap) {
                Some(RefKind::Func) => ExpectedValue::FuncNull,
                Some(RefKind::Extern) => ExpectedValue::ExternNull,
                Some(RefKind::Exn) => ExpectedValue::ExnNull,
                None => ExpectedValue::Unsupported(format!("ref.null {heap:?}")),
            },
            WastRetCore::RefExtern(Some(n)) => ExpectedValue::Extern(*n),
            WastRetCore::RefExtern(None) => ExpectedValue::ExternNonNull,
            WastRetCore::RefFunc(_) => ExpectedValue::FuncNonNull,
            WastRetCore::Either(alternatives) => {
                ExpectedValue::Either(alternatives.iter().map(ExpectedValue::from_core).collect())
            }
            WastRetCore::RefHost(n) => ExpectedValue::Unsupported(format!("ref.host {n}")),
            other => ExpectedValue::Unsupported(gc_ref_name(other).to_string()),
        }
    }

    /// The canonical description (see [`crate::outcome`]).
    pub fn describe(&self) -> String {
        match self {
            ExpectedValue::I32(x) => format!("i32:0x{x:08x}"),
            ExpectedValue::I64(x) => format!("i64:0x{x:016x}"),
            ExpectedValue::F32(p) => format!("f32:{}", p.describe(8)),
            ExpectedValue::F64(p) => format!("f64:{}", p.describe(16)),
            ExpectedValue::V128(bits) => format!("v128:{bits:032x}"),
            ExpectedValue::V128F32(lanes) => {
                format!("v128:f32x4[{}]", lanes.iter().map(|l| l.describe(8)).collect::<Vec<_>>().join(" "))
            }
            ExpectedValue::V128F64(lanes) => {
                format!("v128:f64x2[{}]", lanes.iter().map(|l| l.describe(16)).collect::<Vec<_>>().join(" "))
            }
            ExpectedValue::RefNull => "ref:null".to_string(),
            ExpectedValue::FuncNull => "funcref:null".to_string(),
            ExpectedValue::ExternNull => "externref:null".to_string(),
            ExpectedValue::ExnNull => "exnref:null".to_string(),
            ExpectedValue::Extern(n) => format!("externref:{n}"),
            ExpectedValue::ExternNonNull => "externref:non-null".to_string(),
            ExpectedValue::FuncNonNull => "funcref:non-null".to_string(),
            ExpectedValue::Either(alternatives) => format!(
                "either({})",
                alternatives.iter().map(ExpectedValue::describe).collect::<Vec<_>>().join(" | ")
            ),
            ExpectedValue::Unsupported(what) => format!("unsupported:{what}"),
        }
    }

    /// Whether the canonical value token `got` matches.
    pub fn matches(&self, got: &str) -> bool {
        GotValue::parse(got).is_some_and(|v| self.matches_value(v))
    }

    fn matches_value(&self, got: GotValue) -> bool {
        match (self, got) {
            (ExpectedValue::I32(x), GotValue::I32(y)) => *x == y,
            (ExpectedValue::I64(x), GotValue::I64(y)) => *x == y,
            (ExpectedValue::F32(p), GotValue::F32(bits)) => p.matches_f32(bits),
            (ExpectedValue::F64(p), GotValue::F64(bits)) => p.matches_f64(bits),
            (ExpectedValue::V128(x), GotValue::V128(y)) => *x == y,
            (ExpectedValue::V128F32(lanes), GotValue::V128(v)) => {
                lanes.iter().enumerate().all(|(i, p)| p.matches_f32((v >> (32 * i)) as u32))
            }
            (ExpectedValue::V128F64(lanes), GotValue::V128(v)) => {
                lanes.iter().enumerate().all(|(i, p)| p.matches_f64((v >> (64 * i)) as u64))
            }
            (ExpectedValue::RefNull, GotValue::FuncNull | GotValue::ExternNull | GotValue::ExnNull) => true,
            (ExpectedValue::FuncNull, GotValue::FuncNull) => true,
            (ExpectedValue::ExternNull, GotValue::ExternNull) => true,
            (ExpectedValue::ExnNull, GotValue::ExnNull) => true,
            (ExpectedValue::Extern(n), GotValue::Extern(m)) => *n == m,
            (ExpectedValue::ExternNonNull, GotValue::Extern(_) | GotValue::ExternOpaque) => true,
            (ExpectedValue::FuncNonNull, GotValue::FuncNonNull) => true,
            (ExpectedValue::Either(alternatives), v) => alternatives.iter().any(|alt| alt.matches_value(v)),
            _ => false,
        }
    }
}

/// The class of rejection an `assert_malformed` or `assert_invalid` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// `assert_malformed`.
    Malformed,
    /// `assert_invalid`.
    Invalid,
}

/// What a directive expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Exactly `ok`: `module`, `module_definition`, `module_instance`, `register`.
    Ok,
    /// The call completes: `ok` or any values (`invoke`).
    Completes,
    /// These values (`assert_return`); no values is `ok`.
    Values(Vec<ExpectedValue>),
    /// A trap whose message starts with this text (`assert_trap`, `assert_exhaustion`).
    Trap(String),
    /// The module is rejected; either class passes (see `testsuite/README.md`).
    Rejected(Rejection),
    /// Linking or instantiation fails without a trap (`assert_unlinkable`).
    Unlinkable,
    /// The call ends with an uncaught WebAssembly exception (`assert_exception`).
    Exception,
    /// The directive is outside WebAssembly 2.0 + SIMD + multi-memory and is not executed.
    Skip(&'static str),
}

impl Expectation {
    /// What `directive` expects.
    pub fn of(directive: &WastDirective<'_>) -> Expectation {
        match directive {
            WastDirective::Module(module) | WastDirective::ModuleDefinition(module) => {
                if is_component(module) { Expectation::Skip("component model") } else { Expectation::Ok }
            }
            WastDirective::ModuleInstance { .. } | WastDirective::Register { .. } => Expectation::Ok,
            WastDirective::AssertMalformed { module, .. } => {
                if is_component(module) {
                    Expectation::Skip("component model")
                } else {
                    Expectation::Rejected(Rejection::Malformed)
                }
            }
            WastDirective::AssertInvalid { module, .. } => {
                if is_component(module) {
                    Expectation::Skip("component model")
                } else {
                    Expectation::Rejected(Rejection::Invalid)
                }
            }
            WastDirective::AssertUnlinkable { module, .. } => {
                if matches!(module, Wat::Component(_)) {
                    Expectation::Skip("component model")
                } else {
                    Expectation::Unlinkable
                }
            }
            WastDirective::Invoke(_) => Expectation::Completes,
            WastDirective::AssertReturn { results, .. } => {
                Expectation::Values(results.iter().map(ExpectedValue::from_ret).collect())
            }
            WastDirective::AssertTrap { message, .. } | WastDirective::AssertExhaustion { message, .. } => {
                Expectation::Trap(message.to_string())
            }
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                Expectation::Skip("custom-section assertions are outside WebAssembly 2.0")
            }
            WastDirective::AssertException { .. } => Expectation::Exception,
            WastDirective::AssertSuspension { .. } => Expectation::Skip("stack switching"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Expectation::Skip("threads"),
        }
    }

    /// The canonical description written as a record's `expected`.
    pub fn describe(&self) -> String {
        match self {
            Expectation::Ok | Expectation::Completes => OK.to_string(),
            Expectation::Values(values) => {
                outcome::join(values.iter().map(ExpectedValue::describe).collect())
            }
            Expectation::Trap(message) => outcome::trap(message),
            Expectation::Rejected(Rejection::Malformed) => MALFORMED.to_string(),
            Expectation::Rejected(Rejection::Invalid) => INVALID.to_string(),
            Expectation::Unlinkable => UNLINKABLE.to_string(),
            Expectation::Exception => EXCEPTION.to_string(),
            Expectation::Skip(_) => String::new(),
        }
    }

    /// Why the directive is skipped, if it is.
    pub fn skip_reason(&self) -> Option<&'static str> {
        match self {
            Expectation::Skip(reason) => Some(reason),
            _ => None,
        }
    }
}

/// Judges the canonical outcome `got` of a directive against its expectation. This is the
/// only place where outcomes are judged, for every engine.
///
/// An `unsupported:` outcome is [`Status::Unsupported`] whatever was expected.
pub fn judge(expected: &Expectation, got: &str) -> Status {
    if outcome::is_unsupported(got) && expected.skip_reason().is_none() {
        return Status::Unsupported;
    }
    let passed = match expected {
        Expectation::Skip(_) => return if got == SKIPPED { Status::Skipped } else { Status::Failed },
        Expectation::Ok => got == OK,
        Expectation::Completes => got == OK || outcome::is_values(got),
        Expectation::Values(values) if values.is_empty() => got == OK,
        Expectation::Values(values) => {
            let tokens: Vec<&str> = got.split(' ').collect();
            tokens.len() == values.len() && values.iter().zip(tokens).all(|(v, t)| v.matches(t))
        }
        Expectation::Trap(message) => outcome::is_trap_with(got, message),
        Expectation::Rejected(_) => got == MALFORMED || got == INVALID || got == REJECTED,
        Expectation::Unlinkable => got == UNLINKABLE,
        Expectation::Exception => got == EXCEPTION,
    };
    if passed { Status::Passed } else { Status::Failed }
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(module, QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)))
}

fn gc_ref_name(ret: &WastRetCore<'_>) -> &'static str {
    match ret {
        WastRetCore::RefAny => "ref.any",
        WastRetCore::RefEq => "ref.eq",
        WastRetCore::RefArray => "ref.array",
        WastRetCore::RefStruct => "ref.struct",
        WastRetCore::RefI31 => "ref.i31",
        WastRetCore::RefI31Shared => "ref.i31_shared",
        _ => "reference",
    }
}

fn from_v128(p: &V128Pattern) -> ExpectedValue {
    let mut bytes = [0u8; 16];
    match p {
        V128Pattern::I8x16(lanes) => {
            for (i, l) in lanes.iter().enumerate() {
                bytes[i] = *l as u8;
            }
        }
        V128Pattern::I16x8(lanes) => {
            for (i, l) in lanes.iter().enumerate() {
                bytes[i * 2..i * 2 + 2].copy_from_slice(&l.to_le_bytes());
            }
        }
        V128Pattern::I32x4(lanes) => {
            for (i, l) in lanes.iter().enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&l.to_le_bytes());
            }
        }
        V128Pattern::I64x2(lanes) => {
            for (i, l) in lanes.iter().enumerate() {
                bytes[i * 8..i * 8 + 8].copy_from_slice(&l.to_le_bytes());
            }
        }
        V128Pattern::F32x4(lanes) => {
            let pats = lanes.each_ref().map(FloatPattern::from_f32);
            if !pats.iter().all(|p| matches!(p, FloatPattern::Bits(_))) {
                return ExpectedValue::V128F32(pats);
            }
            for (i, l) in lanes.iter().enumerate() {
                if let NanPattern::Value(v) = l {
                    bytes[i * 4..i * 4 + 4].copy_from_slice(&v.bits.to_le_bytes());
                }
            }
        }
        V128Pattern::F64x2(lanes) => {
            let pats = lanes.each_ref().map(FloatPattern::from_f64);
            if !pats.iter().all(|p| matches!(p, FloatPattern::Bits(_))) {
                return ExpectedValue::V128F64(pats);
            }
            for (i, l) in lanes.iter().enumerate() {
                if let NanPattern::Value(v) = l {
                    bytes[i * 8..i * 8 + 8].copy_from_slice(&v.bits.to_le_bytes());
                }
            }
        }
    }
    ExpectedValue::V128(u128::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: Vec<ExpectedValue>) -> Expectation {
        Expectation::Values(v)
    }

    #[test]
    fn float_patterns() {
        let c = FloatPattern::Canonical;
        let a = FloatPattern::Arithmetic;
        assert!(c.matches_f32(0x7fc0_0000) && c.matches_f32(0xffc0_0000));
        assert!(!c.matches_f32(0x7fc0_0001));
        assert!(a.matches_f32(0x7fc0_0001) && !a.matches_f32(0x7f80_0001) && !a.matches_f32(0x7f80_0000));
        assert!(c.matches_f64(0xfff8_0000_0000_0000) && !c.matches_f64(0x7ff8_0000_0000_0001));
        assert!(a.matches_f64(0x7ff8_0000_0000_0001) && !a.matches_f64(0x7ff0_0000_0000_0001));
        assert!(FloatPattern::Bits(0x8000_0000).matches_f32(0x8000_0000));
        assert!(!FloatPattern::Bits(0x8000_0000).matches_f32(0), "signed zeros differ");
    }

    #[test]
    fn judges_values_bit_for_bit() {
        let e = values(vec![
            ExpectedValue::I32(42),
            ExpectedValue::F64(FloatPattern::Bits(0x3ff0_0000_0000_0000)),
        ]);
        assert_eq!(judge(&e, "i32:0x0000002a f64:0x3ff0000000000000"), Status::Passed);
        assert_eq!(judge(&e, "i32:0x0000002a"), Status::Failed, "count differs");
        assert_eq!(judge(&e, "i32:0x0000002b f64:0x3ff0000000000000"), Status::Failed);
        assert_eq!(
            judge(&e, "i64:0x000000000000002a f64:0x3ff0000000000000"),
            Status::Failed,
            "type differs"
        );
        assert_eq!(judge(&e, "i32:0x2a f64:0x3ff0000000000000"), Status::Failed, "not canonical");
        assert_eq!(judge(&e, "trap:unreachable"), Status::Failed);
        assert_eq!(judge(&values(vec![]), "ok"), Status::Passed);
        assert_eq!(judge(&values(vec![]), "i32:0x00000000"), Status::Failed);
    }

    #[test]
    fn judges_nan_patterns_per_lane() {
        let lanes = [
            FloatPattern::Canonical,
            FloatPattern::Bits(0x3f80_0000),
            FloatPattern::Arithmetic,
            FloatPattern::Bits(0),
        ];
        let e = values(vec![ExpectedValue::V128F32(lanes)]);
        assert_eq!(e.describe(), "v128:f32x4[nan:canonical 0x3f800000 nan:arithmetic 0x00000000]");
        assert_eq!(judge(&e, "v128:000000007fc000013f800000ffc00000"), Status::Passed);
        assert_eq!(
            judge(&e, "v128:000000007fc000013f8000007fc00001"),
            Status::Failed,
            "lane 0 not canonical"
        );
        assert_eq!(judge(&e, "v128:000000007f8000013f800000ffc00000"), Status::Failed, "lane 2 signalling");
        assert_eq!(judge(&e, "v128:800000007fc000013f800000ffc00000"), Status::Failed, "lane 3 is -0");
        let d = values(vec![ExpectedValue::V128F64([FloatPattern::Arithmetic, FloatPattern::Bits(1)])]);
        assert_eq!(judge(&d, "v128:00000000000000017ff8000000000001"), Status::Passed);
        let f = values(vec![ExpectedValue::F32(FloatPattern::Canonical)]);
        assert_eq!(judge(&f, "f32:0xffc00000"), Status::Passed);
        assert_eq!(judge(&f, "f64:0x7ff8000000000000"), Status::Failed);
    }

    #[test]
    fn judges_references_and_either() {
        let e = values(vec![ExpectedValue::Extern(7)]);
        assert_eq!(judge(&e, "externref:7"), Status::Passed);
        assert_eq!(judge(&e, "externref:8"), Status::Failed);
        assert_eq!(judge(&e, "externref:opaque"), Status::Failed);
        let any = values(vec![ExpectedValue::ExternNonNull]);
        assert_eq!(judge(&any, "externref:opaque"), Status::Passed);
        assert_eq!(judge(&any, "externref:null"), Status::Failed);
        let null = values(vec![ExpectedValue::RefNull]);
        assert_eq!(judge(&null, "funcref:null"), Status::Passed);
        assert_eq!(judge(&null, "externref:null"), Status::Passed);
        assert_eq!(judge(&null, "funcref:non-null"), Status::Failed);
        assert_eq!(judge(&values(vec![ExpectedValue::FuncNull]), "externref:null"), Status::Failed);
        let either = values(vec![ExpectedValue::Either(vec![ExpectedValue::I32(1), ExpectedValue::I32(2)])]);
        assert_eq!(either.describe(), "either(i32:0x00000001 | i32:0x00000002)");
        assert_eq!(judge(&either, "i32:0x00000002"), Status::Passed);
        assert_eq!(judge(&either, "i32:0x00000003"), Status::Failed);
        let unsupported = values(vec![ExpectedValue::Unsupported("ref.i31".into())]);
        assert_eq!(judge(&unsupported, "i32:0x00000000"), Status::Failed);
        assert_eq!(judge(&unsupported, "unsupported:ref.i31"), Status::Unsupported);
    }

    #[test]
    fn judges_traps_rejections_and_linking() {
        let trap = Expectation::Trap("uninitialized element".into());
        assert_eq!(judge(&trap, "trap:uninitialized element 2"), Status::Passed, "prefix");
        assert_eq!(judge(&trap, "trap:undefined element"), Status::Failed);
        assert_eq!(judge(&trap, "ok"), Status::Failed);
        assert_eq!(judge(&trap, "error:uninitialized element"), Status::Failed);
        for class in [Rejection::Malformed, Rejection::Invalid] {
            let e = Expectation::Rejected(class);
            assert_eq!(judge(&e, "malformed"), Status::Passed);
            assert_eq!(judge(&e, "invalid"), Status::Passed);
            assert_eq!(judge(&e, "ok"), Status::Failed);
            assert_eq!(judge(&e, "unlinkable"), Status::Failed);
        }
        assert_eq!(judge(&Expectation::Unlinkable, "unlinkable"), Status::Passed);
        assert_eq!(judge(&Expectation::Unlinkable, "trap:unreachable"), Status::Failed);
        assert_eq!(judge(&Expectation::Ok, "ok"), Status::Passed);
        assert_eq!(judge(&Expectation::Ok, "i32:0x00000000"), Status::Failed);
        assert_eq!(
            judge(&Expectation::Completes, "i32:0x00000000 v128:0000000000000000000000000000ffff"),
            Status::Passed
        );
        assert_eq!(judge(&Expectation::Completes, "ok"), Status::Passed);
        assert_eq!(judge(&Expectation::Completes, "trap:unreachable"), Status::Failed);
        assert_eq!(judge(&Expectation::Completes, "missing"), Status::Failed);
        assert_eq!(judge(&Expectation::Skip("threads"), "skipped"), Status::Skipped);
        assert_eq!(judge(&Expectation::Ok, "unsupported:needs gc"), Status::Unsupported);
        assert_eq!(judge(&Expectation::Rejected(Rejection::Invalid), "rejected"), Status::Passed);
        assert_eq!(judge(&Expectation::Unlinkable, "rejected"), Status::Failed);
        assert_eq!(judge(&Expectation::Skip("threads"), "ok"), Status::Failed);
        assert_eq!(judge(&Expectation::Ok, "skipped"), Status::Failed);
    }

    #[test]
    fn describes_v128_patterns() {
        let ints = from_v128(&V128Pattern::I32x4([1, 2, 3, -1]));
        assert_eq!(ints.describe(), "v128:ffffffff000000030000000200000001");
        assert!(ints.matches("v128:ffffffff000000030000000200000001"));
        let exact =
            from_v128(&V128Pattern::F32x4([NanPattern::Value(wast::token::F32 { bits: 0x3f80_0000 }); 4]));
        assert_eq!(exact, ExpectedValue::V128(0x3f80_0000_3f80_0000_3f80_0000_3f80_0000));
    }
}
