//! Bulk memory and table operations: `memory.fill`/`copy`/`init`, `data.drop`,
//! `table.fill`/`copy`/`init`, `elem.drop`. Their three operands (destination, source or value,
//! length) sit in consecutive registers starting at `args`. Each charges fuel per chunk when
//! metering is on, checks both ranges before touching anything, then moves the bytes.

use super::vm::{Cx, Flow, Vm, get};
use crate::ir::Slot;
use crate::trap::TrapKind;
use std::ops::Range;
use std::sync::Arc;

/// `[start, start + len)` as `usize`s if it lies within `size`.
#[inline]
fn range(start: u32, len: u32, size: usize) -> Option<Range<usize>> {
    let end = u64::from(start) + u64::from(len);
    (end <= size as u64).then_some(start as usize..end as usize)
}

/// Two distinct elements of a slice, mutably.
fn pair_mut<E>(items: &mut [E], a: usize, b: usize) -> (&mut E, &mut E) {
    debug_assert_ne!(a, b);
    if a < b {
        let (lo, hi) = items.split_at_mut(b);
        (&mut lo[a], &mut hi[0])
    } else {
        let (lo, hi) = items.split_at_mut(a);
        (&mut hi[0], &mut lo[b])
    }
}

/// The three operands at `args`.
#[inline]
fn operands(vm: &Vm, cx: &Cx<'_>, args: Slot) -> (u32, u32, u32) {
    (get(vm, cx, args), get(vm, cx, args + 1), get(vm, cx, args + 2))
}

/// `[start, start + len)` as `usize`s if it lies within `size` (64-bit operands: the end
/// may overflow, which is out of bounds).
#[inline]
fn range64(start: u64, len: u64, size: usize) -> Option<Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

/// Operand `i` of the three at `args`: an i64 if `wide`, else an i32 (zero-extended).
#[inline]
fn operand64(vm: &Vm, cx: &Cx<'_>, args: Slot, i: u16, wide: bool) -> u64 {
    if wide { get(vm, cx, args + i) } else { u64::from(get::<u32>(vm, cx, args + i)) }
}

/// `memory.fill`: dst, value, len.
#[inline(always)]
pub(crate) fn memory_fill(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, mem: u32) -> Flow {
    let (d, v, n) = operands(vm, cx, args);
    fill(vm, cx, mem, u64::from(d), v, u64::from(n))
}

/// `memory.fill` of a 64-bit memory: dst (i64), value, len (i64).
#[inline(always)]
pub(crate) fn memory_fill64(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, mem: u32) -> Flow {
    let (d, v, n) = (get(vm, cx, args), get(vm, cx, args + 1), get(vm, cx, args + 2));
    fill(vm, cx, mem, d, v, n)
}

#[inline(always)]
fn fill(vm: &mut Vm, cx: &mut Cx<'_>, mem: u32, d: u64, v: u32, n: u64) -> Flow {
    cx.charge_bulk(n, vm.ip)?;
    let data = &mut cx.memory(mem).data;
    let done = match range64(d, n, data.len()) {
        Some(dst) => {
            data[dst].fill(v as u8);
            true
        }
        None => false,
    };
    cx.reload_mem(vm);
    if !done {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    }
    vm.next()
}

/// `memory.copy`: dst, src, len (between two memories, or within one).
#[inline(always)]
pub(crate) fn memory_copy(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, dst_mem: u16, src_mem: u16) -> Flow {
    let (d, s, n) = operands(vm, cx, args);
    copy(vm, cx, dst_mem, src_mem, u64::from(d), u64::from(s), u64::from(n))
}

/// `memory.copy` involving a 64-bit memory: bits 0, 1 and 2 of `wide` say which of dst, src
/// and len are i64 (the destination's index type, the source's, and the smaller of the two).
#[inline(always)]
pub(crate) fn memory_copy64(
    vm: &mut Vm,
    cx: &mut Cx<'_>,
    args: Slot,
    dst_mem: u16,
    src_mem: u16,
    wide: u8,
) -> Flow {
    let d = operand64(vm, cx, args, 0, wide & 1 != 0);
    let s = operand64(vm, cx, args, 1, wide & 2 != 0);
    let n = operand64(vm, cx, args, 2, wide & 4 != 0);
    copy(vm, cx, dst_mem, src_mem, d, s, n)
}

#[inline(always)]
fn copy(vm: &mut Vm, cx: &mut Cx<'_>, dst_mem: u16, src_mem: u16, d: u64, s: u64, n: u64) -> Flow {
    cx.charge_bulk(n, vm.ip)?;
    let da = cx.inst.memories[usize::from(dst_mem)] as usize;
    let sa = cx.inst.memories[usize::from(src_mem)] as usize;
    let done = if da == sa {
        let data = &mut cx.memories[da].data;
        match (range64(s, n, data.len()), range64(d, n, data.len())) {
            (Some(src), Some(dst)) => {
                data.copy_within(src, dst.start);
                true
            }
            _ => false,
        }
    } else {
        let (dm, sm) = pair_mut(cx.memories, da, sa);
        match (range64(s, n, sm.data.len()), range64(d, n, dm.data.len())) {
            (Some(src), Some(dst)) => {
                dm.data[dst].copy_from_slice(&sm.data[src]);
                true
            }
            _ => false,
        }
    };
    cx.reload_mem(vm);
    if !done {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    }
    vm.next()
}

/// `memory.init`: dst, src (in the data segment), len.
#[inline(always)]
pub(crate) fn memory_init(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, mem: u16, data: u32) -> Flow {
    let (d, s, n) = operands(vm, cx, args);
    init(vm, cx, mem, data, u64::from(d), s, n)
}

/// `memory.init` of a 64-bit memory: dst (i64), src, len (i32s: positions in the segment).
#[inline(always)]
pub(crate) fn memory_init64(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, mem: u16, data: u32) -> Flow {
    let (d, s, n) = (get(vm, cx, args), get(vm, cx, args + 1), get(vm, cx, args + 2));
    init(vm, cx, mem, data, d, s, n)
}

#[inline(always)]
fn init(vm: &mut Vm, cx: &mut Cx<'_>, mem: u16, data: u32, d: u64, s: u32, n: u32) -> Flow {
    cx.charge_bulk(u64::from(n), vm.ip)?;
    let bytes = &cx.datas[cx.inst.datas[data as usize] as usize];
    let target = &mut cx.memories[cx.inst.memories[usize::from(mem)] as usize].data;
    let done = match (range(s, n, bytes.len()), range64(d, u64::from(n), target.len())) {
        (Some(src), Some(dst)) => {
            target[dst].copy_from_slice(&bytes[src]);
            true
        }
        _ => false,
    };
    cx.reload_mem(vm);
    if !done {
        return Err(cx.trap(TrapKind::MemoryOutOfBounds, vm.ip));
    }
    vm.next()
}

/// `data.drop`.
#[inline(always)]
pub(crate) fn data_drop(vm: &mut Vm, cx: &mut Cx<'_>, data: u32) -> Flow {
    let addr = cx.inst.datas[data as usize] as usize;
    cx.datas[addr] = Arc::from(&[][..]);
    vm.next()
}

/// `table.fill`: index, value, len.
#[inline(always)]
pub(crate) fn table_fill(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, table: u32) -> Flow {
    let (i, v, n) = operands(vm, cx, args);
    cx.charge_bulk(u64::from(n), vm.ip)?;
    let t = cx.table_addr(table);
    let elements = &mut cx.tables[t].elements;
    let Some(dst) = range(i, n, elements.len()) else {
        return Err(cx.trap(TrapKind::TableOutOfBounds, vm.ip));
    };
    elements[dst].fill(v);
    vm.next()
}

/// `table.copy`: dst, src, len.
#[inline(always)]
pub(crate) fn table_copy(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, dst_table: u32, src_table: u32) -> Flow {
    let (d, s, n) = operands(vm, cx, args);
    cx.charge_bulk(u64::from(n), vm.ip)?;
    let (da, sa) = (cx.table_addr(dst_table), cx.table_addr(src_table));
    let done = if da == sa {
        let t = &mut cx.tables[da].elements;
        match (range(s, n, t.len()), range(d, n, t.len())) {
            (Some(src), Some(dst)) => {
                t.copy_within(src, dst.start);
                true
            }
            _ => false,
        }
    } else {
        let (dt, st) = pair_mut(cx.tables, da, sa);
        match (range(s, n, st.elements.len()), range(d, n, dt.elements.len())) {
            (Some(src), Some(dst)) => {
                dt.elements[dst].copy_from_slice(&st.elements[src]);
                true
            }
            _ => false,
        }
    };
    if !done {
        return Err(cx.trap(TrapKind::TableOutOfBounds, vm.ip));
    }
    vm.next()
}

/// `table.init`: dst, src (in the element segment), len.
#[inline(always)]
pub(crate) fn table_init(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, table: u32, elem: u32) -> Flow {
    let (d, s, n) = operands(vm, cx, args);
    cx.charge_bulk(u64::from(n), vm.ip)?;
    let items = &cx.elems[cx.inst.elems[elem as usize] as usize];
    let t = &mut cx.tables[cx.inst.tables[table as usize] as usize];
    let done = match (range(s, n, items.len()), range(d, n, t.elements.len())) {
        (Some(src), Some(dst)) => {
            t.elements[dst].copy_from_slice(&items[src]);
            true
        }
        _ => false,
    };
    if !done {
        return Err(cx.trap(TrapKind::TableOutOfBounds, vm.ip));
    }
    vm.next()
}

/// `elem.drop`.
#[inline(always)]
pub(crate) fn elem_drop(vm: &mut Vm, cx: &mut Cx<'_>, elem: u32) -> Flow {
    let addr = cx.inst.elems[elem as usize] as usize;
    cx.elems[addr] = Box::new([]);
    vm.next()
}
