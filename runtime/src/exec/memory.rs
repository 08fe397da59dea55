//! Loads, stores, `memory.size` and `memory.grow`.
//!
//! Memory 0, the one nearly every access goes to, is reached through `Vm::mem`/`Cx::mem_len`
//! (`_m0` ops); other memories through the store (`_m` ops). Each access makes exactly the one
//! bounds check WebAssembly requires: `addr + offset + size <= length`, computed in 64 bits
//! (addresses and offsets are 32-bit, so the sum cannot overflow). Accesses to 64-bit memories
//! (memory64) run the same forms after an `Addr64` op has narrowed their i64 address
//! ([`addr64`]).

use super::numeric::branch_if;
use super::vm::{Bits, Cx, Dest, Flow, FromCell, Imm, Outcome, Reg, Source, Vm, finish, get, set};
use crate::ir::Slot;
use crate::semantics::{float, int, memory};
use crate::trap::TrapKind;

/// The start of an `N`-byte access at `addr + offset` in `len` bytes, if it is in bounds.
#[inline(always)]
fn in_bounds<const N: usize>(addr: u32, offset: u32, len: usize) -> Option<usize> {
    let start = u64::from(addr) + u64::from(offset);
    (start + N as u64 <= len as u64).then_some(start as usize)
}

/// Loads `N` bytes from memory 0 at `addr + offset` and writes `f(bytes)` to `dst`.
#[inline(always)]
pub(crate) fn load_m0<const N: usize, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: impl Dest<R::Value>,
    addr: impl Source<u32>,
    offset: u32,
    f: impl FnOnce([u8; N]) -> R,
) -> Flow {
    let Some(at) = in_bounds::<N>(addr.read(vm, cx), offset, cx.mem_len) else {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    };
    // SAFETY: `at + N <= mem_len`, and `mem` points to `mem_len` initialised bytes of memory 0
    // (re-derived after anything that could move or resize them). `[u8; N]` has alignment 1:
    // a plain load, without the temporary (and the checks on it) `read_unaligned` would make.
    let bytes = unsafe { *(vm.mem.add(at) as *const [u8; N]) };
    finish(vm, cx, dst, f(bytes))
}

/// Loads the `i32` at `addr + at` in memory 0 (into register `dst` if given), then branches
/// by `offset` if `test(value) == WHEN`: an `i32.load` and the compare-and-branch testing its
/// value, in one op (the `_l`/`_ls` and `_m`/`_ms` load-and-branch ops). A trap leaves `dst`
/// unchanged.
#[inline(always)]
pub(crate) fn br_load32_m0<const WHEN: bool>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Option<Slot>,
    addr: Slot,
    at: u32,
    offset: i32,
    test: impl FnOnce(u32) -> bool,
) -> Flow {
    let Some(from) = in_bounds::<4>(Reg(addr).read(vm, cx), at, cx.mem_len) else {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    };
    // SAFETY: as in `load_m0`: `from + 4 <= mem_len`, `mem` points to `mem_len` initialised
    // bytes of memory 0, and `[u8; 4]` has alignment 1.
    let value = memory::load32_u(unsafe { *(vm.mem.add(from) as *const [u8; 4]) });
    if let Some(dst) = dst {
        set(vm, cx, dst, value);
    }
    branch_if(vm, cx, test(value) == WHEN, offset)
}

/// `br_load32_m0` testing `f(value, b)` (the `Br*_ls` and `Br*_ms` ops). `b` is read before
/// the load writes `dst`: the translator never fuses a comparison whose operands are both the
/// loaded value.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn br_load32_cmp_m0<T: Bits + FromCell>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: Option<Slot>,
    addr: Slot,
    at: u32,
    b: Slot,
    offset: i32,
    f: impl FnOnce(T, T) -> bool,
) -> Flow {
    debug_assert_ne!(Some(b), dst, "a load-and-branch op reads `b` before it writes `dst`");
    let b = Reg(b).read(vm, cx);
    br_load32_m0::<true>(vm, cx, dst, addr, at, offset, |value| f(T::from_bits(u64::from(value)), b))
}

/// Stores `f(value)` (`N` bytes) to memory 0 at `addr + offset`.
#[inline(always)]
pub(crate) fn store_m0<const N: usize, V>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: impl Source<u32>,
    value: impl Source<V>,
    offset: u32,
    f: impl FnOnce(V) -> [u8; N],
) -> Flow {
    let Some(at) = in_bounds::<N>(addr.read(vm, cx), offset, cx.mem_len) else {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    };
    let bytes = f(value.read(vm, cx));
    // SAFETY: as in `load_m0`; the bytes are writable (memory 0 is borrowed mutably for the
    // whole execution through `Cx::memories`, and nothing else refers to them meanwhile).
    unsafe { *(vm.mem.add(at) as *mut [u8; N]) = bytes };
    vm.next()
}

/// Adds `value` in place to the `N`-byte value at `addr + offset` in memory 0 with `add`: a
/// load, an add of the loaded value and a store of the sum to the same address, in one op
/// (`I32AddM0_ss` and its siblings). One bounds check serves both accesses: they cover the same
/// bytes, so the store cannot fail where the load succeeded, and a trap leaves memory unchanged.
#[inline(always)]
fn add_m0<const N: usize, T: Bits>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: Slot,
    value: impl Source<T>,
    offset: u32,
    add: impl FnOnce(T, T) -> T,
) -> Flow {
    let Some(at) = in_bounds::<N>(Reg(addr).read(vm, cx), offset, cx.mem_len) else {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    };
    let value = value.read(vm, cx);
    // SAFETY: as in `load_m0` and `store_m0`: `at + N <= mem_len`, `mem` points to `mem_len`
    // initialised, writable bytes of memory 0, and `[u8; N]` has alignment 1.
    let place = unsafe { &mut *(vm.mem.add(at) as *mut [u8; N]) };
    // The `N` bytes as the low bytes of a cell (N is 4 or 8), little endian, as loads read them.
    let mut cell = [0u8; 8];
    cell[..N].copy_from_slice(place);
    let sum = add(T::from_bits(u64::from_le_bytes(cell)), value);
    place.copy_from_slice(&sum.to_bits().to_le_bytes()[..N]);
    vm.next()
}

/// `I32AddM0_ss`.
pub(crate) fn i32_add_m0_s(vm: &mut Vm, cx: &mut Cx<'_>, addr: Slot, value: Slot, offset: u32) -> Flow {
    add_m0::<4, u32>(vm, cx, addr, Reg(value), offset, int::i32_add)
}

/// `I32AddM0_si`.
pub(crate) fn i32_add_m0_i(vm: &mut Vm, cx: &mut Cx<'_>, addr: Slot, imm: u32, offset: u32) -> Flow {
    add_m0::<4, u32>(vm, cx, addr, Imm(imm), offset, int::i32_add)
}

/// `I64AddM0_ss`.
pub(crate) fn i64_add_m0_s(vm: &mut Vm, cx: &mut Cx<'_>, addr: Slot, value: Slot, offset: u32) -> Flow {
    add_m0::<8, u64>(vm, cx, addr, Reg(value), offset, int::i64_add)
}

/// `I64AddM0_si`.
pub(crate) fn i64_add_m0_i(vm: &mut Vm, cx: &mut Cx<'_>, addr: Slot, imm: u32, offset: u32) -> Flow {
    add_m0::<8, u64>(vm, cx, addr, Imm(imm), offset, int::i64_add)
}

/// `F32AddM0_ss`.
pub(crate) fn f32_add_m0_s(vm: &mut Vm, cx: &mut Cx<'_>, addr: Slot, value: Slot, offset: u32) -> Flow {
    add_m0::<4, f32>(vm, cx, addr, Reg(value), offset, float::f32_add)
}

/// `F64AddM0_ss`.
pub(crate) fn f64_add_m0_s(vm: &mut Vm, cx: &mut Cx<'_>, addr: Slot, value: Slot, offset: u32) -> Flow {
    add_m0::<8, f64>(vm, cx, addr, Reg(value), offset, float::f64_add)
}

/// Loads `N` bytes from memory `mem` (any index) at `addr + offset`.
#[inline(always)]
pub(crate) fn load_m<const N: usize, R: Outcome>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    dst: impl Dest<R::Value>,
    addr: impl Source<u32>,
    mem: u16,
    offset: u32,
    f: impl FnOnce([u8; N]) -> R,
) -> Flow {
    let addr = addr.read(vm, cx);
    let bytes = read::<N>(vm, cx, u32::from(mem), addr, offset)?;
    finish(vm, cx, dst, f(bytes))
}

/// Stores `f(value)` (`N` bytes) to memory `mem` (any index) at `addr + offset`.
#[inline(always)]
pub(crate) fn store_m<const N: usize, V>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    addr: impl Source<u32>,
    value: impl Source<V>,
    mem: u16,
    offset: u32,
    f: impl FnOnce(V) -> [u8; N],
) -> Flow {
    let bytes = f(value.read(vm, cx));
    let addr = addr.read(vm, cx);
    write(vm, cx, u32::from(mem), addr, offset, bytes)?;
    vm.next()
}

/// Reads `N` bytes of memory `mem` at `addr + offset` through the store.
#[inline(always)]
pub(crate) fn read<const N: usize>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    mem: u32,
    addr: u32,
    offset: u32,
) -> Result<[u8; N], super::vm::Break> {
    let data = &cx.memory(mem).data;
    let bytes = in_bounds::<N>(addr, offset, data.len()).and_then(|at| data[at..at + N].try_into().ok());
    cx.reload_mem(vm);
    let at = vm.ip;
    bytes.ok_or_else(|| cx.trap(TrapKind::MemoryOutOfBounds, at))
}

/// Writes `N` bytes to memory `mem` at `addr + offset` through the store.
#[inline(always)]
pub(crate) fn write<const N: usize>(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    mem: u32,
    addr: u32,
    offset: u32,
    bytes: [u8; N],
) -> Flow {
    let data = &mut cx.memory(mem).data;
    let target = in_bounds::<N>(addr, offset, data.len())
        .and_then(|at| <&mut [u8; N]>::try_from(&mut data[at..at + N]).ok());
    // An array assignment, not `copy_from_slice(&bytes)`: no reference to a local escapes.
    let done = target.map(|t| *t = bytes);
    cx.reload_mem(vm);
    let at = vm.ip;
    done.ok_or_else(|| cx.trap(TrapKind::MemoryOutOfBounds, at))
}

/// `memory.size`.
#[inline(always)]
pub(crate) fn memory_size(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, mem: u32) -> Flow {
    let pages = cx.memory(mem).pages();
    cx.reload_mem(vm);
    set(vm, cx, dst, pages);
    vm.next()
}

/// `memory.grow`: the old size in pages, or -1 if the memory cannot grow that much.
#[inline(always)]
pub(crate) fn memory_grow(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, delta: Slot, mem: u32) -> Flow {
    let delta: u32 = get(vm, cx, delta);
    let old = cx.memory(mem).grow(delta);
    cx.reload_mem(vm);
    set(vm, cx, dst, old.unwrap_or(u32::MAX));
    vm.next()
}

/// The i64 address in `src` plus `hi << 32` (the high half of a memarg offset of 2^32 or more)
/// as an i32, for the 32-bit form of the access that follows; traps if it is 2^32 or more.
///
/// That is exact: no memory has more than 2^32 bytes (`MemoryEntity::new` caps every memory,
/// 64-bit ones included, at 65,536 pages), so an access at 2^32 or beyond is out of bounds
/// whatever its width and the low half of its offset, and below 2^32 the 32-bit form
/// computes the same effective address without wrapping (it adds in 64 bits).
#[inline(always)]
pub(crate) fn addr64(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, src: Slot, hi: u32) -> Flow {
    let addr: u64 = get(vm, cx, src);
    let Some(addr) = addr.checked_add(u64::from(hi) << 32).and_then(|a| u32::try_from(a).ok()) else {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    };
    set(vm, cx, dst, addr);
    vm.next()
}

/// `memory.size` of a 64-bit memory (an i64).
#[inline(always)]
pub(crate) fn memory_size64(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, mem: u32) -> Flow {
    let pages = u64::from(cx.memory(mem).pages());
    cx.reload_mem(vm);
    set(vm, cx, dst, pages);
    vm.next()
}

/// `memory.grow` of a 64-bit memory: the i64 delta; the old size, or -1 if the memory cannot
/// grow that much (a delta of 2^32 pages or more never can: no memory exceeds 65,536).
#[inline(always)]
pub(crate) fn memory_grow64(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, delta: Slot, mem: u32) -> Flow {
    let delta: u64 = get(vm, cx, delta);
    let old = u32::try_from(delta).ok().and_then(|delta| cx.memory(mem).grow(delta));
    cx.reload_mem(vm);
    set(vm, cx, dst, old.map_or(u64::MAX, u64::from));
    vm.next()
}
