//! The SIMD ops that are not plain unary or binary operators: lane loads and stores, lane
//! extraction and replacement, `i8x16.shuffle` and `v128.bitselect`. The lane arithmetic is in
//! `semantics::simd`.

use super::memory::{read, write};
use super::vm::{Cx, Flow, Vm, get, set};
use crate::ir::Slot;
use crate::semantics::simd;
use crate::trap::TrapKind;

/// `v128.loadN_lane`: the vector operand is in `dst + 1` (its canonical slot, right after
/// the address), the result goes to `dst`.
#[inline(always)]
fn load_lane<const N: usize>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    addr: Slot,
    offset: u32,
    mem: u8,
    replace: impl FnOnce(u128, [u8; N]) -> u128,
) -> Flow {
    let bytes = read::<N>(vm, cx, u32::from(mem), get(vm, cx, addr), offset)?;
    let v = replace(get(vm, cx, dst + 1), bytes);
    set(vm, cx, dst, v);
    vm.next()
}

/// `v128.load8_lane`.
#[inline(always)]
pub(crate) fn load8_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    addr: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    load_lane::<1>(vm, cx, dst, addr, offset, mem, |v, b| simd::i8x16_replace_lane(v, lane, u32::from(b[0])))
}

/// `v128.load16_lane`.
#[inline(always)]
pub(crate) fn load16_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    addr: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    load_lane::<2>(vm, cx, dst, addr, offset, mem, |v, b| {
        simd::i16x8_replace_lane(v, lane, u32::from(u16::from_le_bytes(b)))
    })
}

/// `v128.load32_lane`.
#[inline(always)]
pub(crate) fn load32_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    addr: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    load_lane::<4>(vm, cx, dst, addr, offset, mem, |v, b| {
        simd::i32x4_replace_lane(v, lane, u32::from_le_bytes(b))
    })
}

/// `v128.load64_lane`.
#[inline(always)]
pub(crate) fn load64_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Slot,
    addr: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    load_lane::<8>(vm, cx, dst, addr, offset, mem, |v, b| {
        simd::i64x2_replace_lane(v, lane, u64::from_le_bytes(b))
    })
}

/// `v128.storeN_lane`: stores the bytes `lane_bytes` picks from the vector in `value`.
#[inline(always)]
fn store_lane<const N: usize>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: Slot,
    value: Slot,
    offset: u32,
    mem: u8,
    lane_bytes: impl FnOnce(u128) -> [u8; N],
) -> Flow {
    let bytes = lane_bytes(get(vm, cx, value));
    write(vm, cx, u32::from(mem), get(vm, cx, addr), offset, bytes)?;
    vm.next()
}

/// `v128.store8_lane`.
#[inline(always)]
pub(crate) fn store8_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: Slot,
    value: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    store_lane(vm, cx, addr, value, offset, mem, |v| [simd::i8x16_extract_lane_u(v, lane) as u8])
}

/// `v128.store16_lane`.
#[inline(always)]
pub(crate) fn store16_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: Slot,
    value: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    store_lane(vm, cx, addr, value, offset, mem, |v| {
        (simd::i16x8_extract_lane_u(v, lane) as u16).to_le_bytes()
    })
}

/// `v128.store32_lane`.
#[inline(always)]
pub(crate) fn store32_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: Slot,
    value: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    store_lane(vm, cx, addr, value, offset, mem, |v| simd::i32x4_extract_lane(v, lane).to_le_bytes())
}

/// `v128.store64_lane`.
#[inline(always)]
pub(crate) fn store64_lane(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: Slot,
    value: Slot,
    offset: u32,
    lane: u8,
    mem: u8,
) -> Flow {
    store_lane(vm, cx, addr, value, offset, mem, |v| simd::i64x2_extract_lane(v, lane).to_le_bytes())
}

macro_rules! extract_lanes {
    ($($name:ident),*) => {$(
        #[doc = concat!("`", stringify!($name), "`.")]
        #[inline(always)]
        pub(crate) fn $name(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, src: Slot, lane: u8) -> Flow {
            let v = simd::$name(get(vm, cx, src), lane);
            set(vm, cx, dst, v);
            vm.next()
        }
    )*};
}

extract_lanes!(
    i8x16_extract_lane_s,
    i8x16_extract_lane_u,
    i16x8_extract_lane_s,
    i16x8_extract_lane_u,
    i32x4_extract_lane,
    i64x2_extract_lane,
    f32x4_extract_lane,
    f64x2_extract_lane
);

macro_rules! replace_lanes {
    ($($name:ident),*) => {$(
        #[doc = concat!("`", stringify!($name), "`.")]
        #[inline(always)]
        pub(crate) fn $name(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, a: Slot, b: Slot, lane: u8) -> Flow {
            let v = simd::$name(get(vm, cx, a), lane, get(vm, cx, b));
            set(vm, cx, dst, v);
            vm.next()
        }
    )*};
}

replace_lanes!(
    i8x16_replace_lane,
    i16x8_replace_lane,
    i32x4_replace_lane,
    i64x2_replace_lane,
    f32x4_replace_lane,
    f64x2_replace_lane
);

/// `i8x16.shuffle` with the lane selectors `lanes` of the function's table.
#[inline(always)]
pub(crate) fn i8x16_shuffle(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, a: Slot, b: Slot, lanes: u32) -> Flow {
    let Some(lanes) = cx.func.shuffles.get(lanes as usize) else {
        return Err(cx.trap(TrapKind::Unreachable, vm.ip));
    };
    let v = simd::i8x16_shuffle(get(vm, cx, a), get(vm, cx, b), lanes);
    set(vm, cx, dst, v);
    vm.next()
}

/// Handlers of ternary vector operators: `dst = f(a, b, c)` with the semantics function of the
/// same name.
macro_rules! ternary {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[inline(always)]
        pub(crate) fn $name(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, a: Slot, b: Slot, c: Slot) -> Flow {
            let v = simd::$name(get(vm, cx, a), get(vm, cx, b), get(vm, cx, c));
            set(vm, cx, dst, v);
            vm.next()
        }
    )*};
}

ternary! {
    /// `f32x4.relaxed_madd`.
    f32x4_relaxed_madd;
    /// `f32x4.relaxed_nmadd`.
    f32x4_relaxed_nmadd;
    /// `f64x2.relaxed_madd`.
    f64x2_relaxed_madd;
    /// `f64x2.relaxed_nmadd`.
    f64x2_relaxed_nmadd;
    /// `i32x4.relaxed_dot_i8x16_i7x16_add_s`.
    i32x4_relaxed_dot_i8x16_i7x16_add_s;
}

/// `v128.bitselect`.
#[inline(always)]
pub(crate) fn v128_bitselect(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, a: Slot, b: Slot, c: Slot) -> Flow {
    let v = simd::v128_bitselect(get(vm, cx, a), get(vm, cx, b), get(vm, cx, c));
    set(vm, cx, dst, v);
    vm.next()
}
