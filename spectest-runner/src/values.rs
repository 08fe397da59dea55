//! Conversion of wast invocation arguments to epsilon values (for the Rust engine). Results
//! are matched against expectations in [`crate::expect`], on canonical strings.

use epsilon::{ExternRef, F32, F64, Store, V128, Val};
use std::collections::HashMap;
use wast::WastArg;
use wast::core::{AbstractHeapType, HeapType, WastArgCore};

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
            Some(RefKind::Exn) => Val::ExnRef(None),
            None => return Err(format!("unsupported null reference type {heap:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(externs.get(store, *n))),
        WastArgCore::RefHost(n) => return Err(format!("unsupported argument ref.host {n}")),
    })
}

/// The kind of reference a heap type names.
pub(crate) enum RefKind {
    Func,
    Extern,
    Exn,
}

/// The kind of reference of `heap` (`None`: not a reference type epsilon implements), for
/// `ref.null` arguments and expected results.
pub(crate) fn ref_kind(heap: &HeapType<'_>) -> Option<RefKind> {
    match heap {
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Func | AbstractHeapType::NoFunc } => {
            Some(RefKind::Func)
        }
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern } => {
            Some(RefKind::Extern)
        }
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Exn | AbstractHeapType::NoExn } => {
            Some(RefKind::Exn)
        }
        _ => None,
    }
}
