//! Globals, `table.get`/`set`/`size`/`grow` and `ref.func`.

use super::vm::{Cx, Flow, Vm, get, set};
use crate::ir::Slot;
use crate::store::GlobalEntity;
use crate::trap::TrapKind;

/// The running instance's global `global`.
#[inline(always)]
fn global<'c>(cx: &'c mut Cx<'_>, global: u32) -> &'c mut GlobalEntity {
    let addr = cx.inst.globals[global as usize] as usize;
    &mut cx.globals[addr]
}

/// `global.get` of a one-cell global.
#[inline(always)]
pub(crate) fn global_get(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, index: u32) -> Flow {
    let value = global(cx, index).lo;
    set(vm, cx, dst, value);
    vm.next()
}

/// `global.get` of a `v128` global.
#[inline(always)]
pub(crate) fn global_get2(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, index: u32) -> Flow {
    let g = global(cx, index);
    let value = u128::from(g.lo) | (u128::from(g.hi) << 64);
    set(vm, cx, dst, value);
    vm.next()
}

/// `global.set` of a one-cell global.
#[inline(always)]
pub(crate) fn global_set(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot, index: u32) -> Flow {
    let value: u64 = get(vm, cx, src);
    global(cx, index).lo = value;
    vm.next()
}

/// `global.set` of a `v128` global.
#[inline(always)]
pub(crate) fn global_set2(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot, index: u32) -> Flow {
    let value: u128 = get(vm, cx, src);
    let g = global(cx, index);
    g.lo = value as u64;
    g.hi = (value >> 64) as u64;
    vm.next()
}

/// `table.get`.
#[inline(always)]
pub(crate) fn table_get(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, index: Slot, table: u32) -> Flow {
    let i: u32 = get(vm, cx, index);
    let t = cx.table_addr(table);
    let Some(&element) = cx.tables[t].elements.get(i as usize) else {
        return Err(cx.trap(TrapKind::TableOutOfBounds, vm.ip));
    };
    set(vm, cx, dst, element);
    vm.next()
}

/// `table.set`.
#[inline(always)]
pub(crate) fn table_set(vm: &mut Vm, cx: &mut Cx<'_>, index: Slot, value: Slot, table: u32) -> Flow {
    let (i, v): (u32, u32) = (get(vm, cx, index), get(vm, cx, value));
    let t = cx.table_addr(table);
    let Some(element) = cx.tables[t].elements.get_mut(i as usize) else {
        return Err(cx.trap(TrapKind::TableOutOfBounds, vm.ip));
    };
    *element = v;
    vm.next()
}

/// `table.size`.
#[inline(always)]
pub(crate) fn table_size(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, table: u32) -> Flow {
    let t = cx.table_addr(table);
    let size = cx.tables[t].elements.len() as u32;
    set(vm, cx, dst, size);
    vm.next()
}

/// `table.grow`: init value at `args`, delta at `args + 1`; the old size or -1.
#[inline(always)]
pub(crate) fn table_grow(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, args: Slot, table: u32) -> Flow {
    let (init, delta): (u32, u32) = (get(vm, cx, args), get(vm, cx, args + 1));
    let t = cx.table_addr(table);
    let old = cx.tables[t].grow(delta, init);
    set(vm, cx, dst, old.unwrap_or(u32::MAX));
    vm.next()
}

/// `ref.func`: a reference to the module's function `func` (its store index plus one).
#[inline(always)]
pub(crate) fn ref_func(vm: &mut Vm, cx: &mut Cx<'_>, dst: Slot, func: u32) -> Flow {
    let addr = cx.inst.funcs[func as usize];
    set(vm, cx, dst, u64::from(addr) + 1);
    vm.next()
}

/// `ref.as_non_null`: traps if the reference in `src` is null; the value stays in place.
#[inline(always)]
pub(crate) fn ref_as_non_null(vm: &mut Vm, cx: &mut Cx<'_>, src: Slot) -> Flow {
    let r: u32 = get(vm, cx, src);
    if r == 0 {
        return Err(cx.trap(TrapKind::NullReference, vm.ip));
    }
    vm.next()
}
