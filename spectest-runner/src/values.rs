//! Conversion between wast values and epsilon values, and matching of results against
//! expected patterns (NaN patterns, per-lane `v128` patterns, references, `either`).

use crate::outcome;
use epsilon::{ExternRef, F32, F64, Store, V128, Val};
use std::collections::HashMap;
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// The host references `ref.extern N` stands for, one per `N` and store, so that the same
/// `N` always denotes the same reference (as in the reference interpreter).
#[derive(Debug, Default)]
pub struct ExternRefs {
    refs: HashMap<u32, ExternRef>,
}

impl ExternRefs {
    /// The reference for `ref.extern n`, created in `store` on first use.
    pub fn get<T>(&mut self, store: &mut Store<T>, n: u32) -> ExternRef {
        *self.refs.entry(n).or_insert_with(|| ExternRef::new(store, n))
    }
}

/// Converts an invocation argument to a value.
///
/// # Errors
/// For arguments epsilon has no value for (GC or component-model values).
pub fn arg_to_val<T>(
    arg: &WastArg<'_>,
    store: &mut Store<T>,
    externs: &mut ExternRefs,
) -> Result<Val, String> {
    let WastArg::Core(core) = arg else {
        return Err("component-model argument".to_string());
    };
    Ok(match core {
        WastArgCore::I32(x) => Val::I32(*x),
        WastArgCore::I64(x) => Val::I64(*x),
        WastArgCore::F32(x) => Val::F32(F32::from_bits(x.bits)),
        WastArgCore::F64(x) => Val::F64(F64::from_bits(x.bits)),
        WastArgCore::V128(x) => Val::V128(V128::from_bytes(x.to_le_bytes())),
        WastArgCore::RefNull(heap) => match ref_kind(heap) {
            Some(RefKind::Func) => Val::FuncRef(None),
            Some(RefKind::Extern) => Val::ExternRef(None),
            None => return Err(format!("unsupported null reference type {heap:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(externs.get(store, *n))),
        WastArgCore::RefHost(n) => return Err(format!("unsupported argument ref.host {n}")),
    })
}

enum RefKind {
    Func,
    Extern,
}

fn ref_kind(heap: &HeapType<'_>) -> Option<RefKind> {
    match heap {
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Func | AbstractHeapType::NoFunc } => {
            Some(RefKind::Func)
        }
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern } => {
            Some(RefKind::Extern)
        }
        _ => None,
    }
}

/// The canonical string of the expected results of an `assert_return` (see [`outcome`]).
pub fn describe_expected(rets: &[WastRet<'_>]) -> String {
    outcome::join(rets.iter().map(describe_ret).collect())
}

fn describe_ret(ret: &WastRet<'_>) -> String {
    match ret {
        WastRet::Core(core) => describe_core(core),
        _ => "unsupported:component-model value".to_string(),
    }
}

fn describe_core(ret: &WastRetCore<'_>) -> String {
    match ret {
        WastRetCore::I32(x) => format!("i32:0x{:08x}", *x as u32),
        WastRetCore::I64(x) => format!("i64:0x{:016x}", *x as u64),
        WastRetCore::F32(p) => format!("f32:{}", nan_pattern_32(p)),
        WastRetCore::F64(p) => format!("f64:{}", nan_pattern_64(p)),
        WastRetCore::V128(p) => describe_v128(p),
        WastRetCore::RefNull(None) => "ref:null".to_string(),
        WastRetCore::RefNull(Some(heap)) => match ref_kind(heap) {
            Some(RefKind::Func) => "funcref:null".to_string(),
            Some(RefKind::Extern) => "externref:null".to_string(),
            None => format!("unsupported:ref.null {heap:?}"),
        },
        WastRetCore::RefExtern(Some(n)) => format!("externref:{n}"),
        WastRetCore::RefExtern(None) => "externref:non-null".to_string(),
        WastRetCore::RefFunc(_) => "funcref:non-null".to_string(),
        WastRetCore::Either(alternatives) => {
            format!("either({})", alternatives.iter().map(describe_core).collect::<Vec<_>>().join(" | "))
        }
        WastRetCore::RefHost(n) => format!("unsupported:ref.host {n}"),
        other => format!("unsupported:{}", gc_ref_name(other)),
    }
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

fn nan_pattern_32(p: &NanPattern<wast::token::F32>) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => format!("0x{:08x}", v.bits),
    }
}

fn nan_pattern_64(p: &NanPattern<wast::token::F64>) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => format!("0x{:016x}", v.bits),
    }
}

fn describe_v128(p: &V128Pattern) -> String {
    if let Some(bytes) = v128_pattern_bytes(p) {
        return format!("v128:{:032x}", u128::from_le_bytes(bytes));
    }
    let lanes: Vec<String> = match p {
        V128Pattern::F32x4(lanes) => lanes.iter().map(nan_pattern_32).collect(),
        V128Pattern::F64x2(lanes) => lanes.iter().map(nan_pattern_64).collect(),
        _ => Vec::new(),
    };
    let shape = if matches!(p, V128Pattern::F32x4(_)) { "f32x4" } else { "f64x2" };
    format!("v128:{shape}[{}]", lanes.join(" "))
}

/// The exact bytes a `v128` pattern stands for, or `None` if it has a NaN-pattern lane.
fn v128_pattern_bytes(p: &V128Pattern) -> Option<[u8; 16]> {
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
            for (i, l) in lanes.iter().enumerate() {
                let NanPattern::Value(v) = l else { return None };
                bytes[i * 4..i * 4 + 4].copy_from_slice(&v.bits.to_le_bytes());
            }
        }
        V128Pattern::F64x2(lanes) => {
            for (i, l) in lanes.iter().enumerate() {
                let NanPattern::Value(v) = l else { return None };
                bytes[i * 8..i * 8 + 8].copy_from_slice(&v.bits.to_le_bytes());
            }
        }
    }
    Some(bytes)
}

/// Whether the f32 with bits `bits` matches the pattern.
///
/// `nan:canonical` is a NaN with only the quiet bit set in the payload (either sign);
/// `nan:arithmetic` is any NaN with the quiet bit set; a value matches bit for bit.
pub fn f32_matches(p: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// Whether the f64 with bits `bits` matches the pattern (as [`f32_matches`]).
pub fn f64_matches(p: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// Whether a `v128` matches a per-lane pattern.
pub fn v128_matches(p: &V128Pattern, v: V128) -> bool {
    let bytes = v.to_bytes();
    match p {
        V128Pattern::F32x4(lanes) => lanes.iter().enumerate().all(|(i, l)| {
            let mut lane = [0u8; 4];
            lane.copy_from_slice(&bytes[i * 4..i * 4 + 4]);
            f32_matches(l, u32::from_le_bytes(lane))
        }),
        V128Pattern::F64x2(lanes) => lanes.iter().enumerate().all(|(i, l)| {
            let mut lane = [0u8; 8];
            lane.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            f64_matches(l, u64::from_le_bytes(lane))
        }),
        _ => v128_pattern_bytes(p) == Some(bytes),
    }
}

/// Whether the values `got` match the expected results `rets` (same count, each matching).
pub fn results_match<T>(rets: &[WastRet<'_>], got: &[Val], store: &Store<T>) -> bool {
    rets.len() == got.len()
        && rets.iter().zip(got).all(|(r, v)| match r {
            WastRet::Core(core) => ret_matches(core, v, store),
            _ => false,
        })
}

/// Whether one value matches one expected result.
pub fn ret_matches<T>(ret: &WastRetCore<'_>, v: &Val, store: &Store<T>) -> bool {
    match (ret, v) {
        (WastRetCore::I32(x), Val::I32(y)) => x == y,
        (WastRetCore::I64(x), Val::I64(y)) => x == y,
        (WastRetCore::F32(p), Val::F32(y)) => f32_matches(p, y.to_bits()),
        (WastRetCore::F64(p), Val::F64(y)) => f64_matches(p, y.to_bits()),
        (WastRetCore::V128(p), Val::V128(y)) => v128_matches(p, *y),
        (WastRetCore::RefNull(None), Val::FuncRef(None) | Val::ExternRef(None)) => true,
        (WastRetCore::RefNull(Some(heap)), Val::FuncRef(None)) => {
            matches!(ref_kind(heap), Some(RefKind::Func))
        }
        (WastRetCore::RefNull(Some(heap)), Val::ExternRef(None)) => {
            matches!(ref_kind(heap), Some(RefKind::Extern))
        }
        (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
            r.data(store).downcast_ref::<u32>() == Some(n)
        }
        (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alternatives), v) => alternatives.iter().any(|alt| ret_matches(alt, v, store)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32p(bits: u32) -> NanPattern<wast::token::F32> {
        NanPattern::Value(wast::token::F32 { bits })
    }

    #[test]
    fn nan_patterns() {
        assert!(f32_matches(&NanPattern::CanonicalNan, 0x7fc0_0000));
        assert!(f32_matches(&NanPattern::CanonicalNan, 0xffc0_0000));
        assert!(!f32_matches(&NanPattern::CanonicalNan, 0x7fc0_0001));
        assert!(f32_matches(&NanPattern::ArithmeticNan, 0x7fc0_0001));
        assert!(!f32_matches(&NanPattern::ArithmeticNan, 0x7f80_0001));
        assert!(!f32_matches(&NanPattern::ArithmeticNan, 0x7f80_0000));
        assert!(f64_matches(&NanPattern::CanonicalNan, 0xfff8_0000_0000_0000));
        assert!(!f64_matches(&NanPattern::CanonicalNan, 0x7ff8_0000_0000_0001));
        assert!(f64_matches(&NanPattern::ArithmeticNan, 0x7ff8_0000_0000_0001));
        assert!(!f64_matches(&NanPattern::ArithmeticNan, 0x7ff0_0000_0000_0001));
        assert!(f32_matches(&f32p(0x8000_0000), 0x8000_0000));
        assert!(!f32_matches(&f32p(0x8000_0000), 0));
    }

    #[test]
    fn v128_lane_patterns() {
        let p = V128Pattern::F32x4([NanPattern::CanonicalNan, f32p(0x3f80_0000), f32p(0), f32p(0)]);
        let v = V128::from_bits(0x3f80_0000_7fc0_0000);
        assert!(v128_matches(&p, v));
        assert!(!v128_matches(&p, V128::from_bits(0x3f80_0000_7fc0_0001)));
        assert_eq!(describe_v128(&p), "v128:f32x4[nan:canonical 0x3f800000 0x00000000 0x00000000]");
        let ints = V128Pattern::I32x4([1, 2, 3, -1]);
        assert_eq!(describe_v128(&ints), "v128:ffffffff000000030000000200000001");
        assert!(v128_matches(&ints, V128::from_bits(0xffffffff_00000003_00000002_00000001)));
    }
}
