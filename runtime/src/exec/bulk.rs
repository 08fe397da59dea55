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

/// `memory.fill`: dst, value, len.
#[inline(always)]
pub(crate) fn memory_fill(vm: &mut Vm, cx: &mut Cx<'_>, args: Slot, mem: u32) -> Flow {
    let (d, v, n) = operands(vm, cx, args);
    cx.charge_bulk(n, vm.ip)?;
    let data = &mut cx.memory(mem).data;
    let done = match range(d, n, data.len()) {
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
    cx.charge_bulk(n, vm.ip)?;
    let da = cx.inst.memories[usize::from(dst_mem)] as usize;
    let sa = cx.inst.memories[usize::from(src_mem)] as usize;
    let done = if da == sa {
        let data = &mut cx.memories[da].data;
        match (range(s, n, data.len()), range(d, n, data.len())) {
            (Some(src), Some(dst)) => {
                data.copy_within(src, dst.start);
                true
            }
            _ => false,
        }
    } else {
        let (dm, sm) = pair_mut(cx.memories, da, sa);
        match (range(s, n, sm.data.len()), range(d, n, dm.data.len())) {
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
    cx.charge_bulk(n, vm.ip)?;
    let bytes = &cx.datas[cx.inst.datas[data as usize] as usize];
    let target = &mut cx.memories[cx.inst.memories[usize::from(mem)] as usize].data;
    let done = match (range(s, n, bytes.len()), range(d, n, target.len())) {
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
    cx.charge_bulk(n, vm.ip)?;
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
    cx.charge_bulk(n, vm.ip)?;
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
    cx.charge_bulk(n, vm.ip)?;
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
