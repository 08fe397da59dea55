//! The dispatch loop: a `loop` + `match` over IR ops.
//!
//! The loop runs while control stays inside one instance. Calls and returns within the
//! instance switch functions in place; crossing to another instance or to the host leaves
//! the loop with an [`Exit`] so the caller can reload the context.
//!
//! Register access is bounds-checked (safe Rust throughout); memory 0's bytes are held in a
//! local slice that is re-derived after anything that may resize it.

use super::{Exit, Frame, Limits, Stack, State};
use crate::interrupt::interrupted;
use crate::ir::{LoadKind, Op, StoreKind};
use crate::semantics::{convert, float, int, simd};
use crate::store::{FuncEntity, StoreInner};
use crate::trap::TrapKind;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Reads `N` bytes at `addr + offset`, or `None` if out of bounds.
#[inline(always)]
fn load<const N: usize>(mem: &[u8], addr: u64, offset: u32) -> Option<[u8; N]> {
    let start = u64::from(addr as u32) + u64::from(offset);
    let end = start + N as u64;
    if end > mem.len() as u64 {
        return None;
    }
    mem.get(start as usize..end as usize)?.try_into().ok()
}

/// Writes `bytes` at `addr + offset`, or returns `None` if out of bounds.
#[inline(always)]
fn store<const N: usize>(mem: &mut [u8], addr: u64, offset: u32, bytes: [u8; N]) -> Option<()> {
    let start = u64::from(addr as u32) + u64::from(offset);
    let end = start + N as u64;
    if end > mem.len() as u64 {
        return None;
    }
    mem.get_mut(start as usize..end as usize)?.copy_from_slice(&bytes);
    Some(())
}

/// Checks that `[start, start + len)` lies within `size`; returns the range as `usize`s.
#[inline]
fn range(start: u32, len: u32, size: usize) -> Option<std::ops::Range<usize>> {
    let end = u64::from(start) + u64::from(len);
    if end > size as u64 { None } else { Some(start as usize..end as usize) }
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

fn do_load(kind: LoadKind, mem: &[u8], addr: u64, offset: u32) -> Option<u64> {
    Some(match kind {
        LoadKind::Load32 => u64::from(u32::from_le_bytes(load(mem, addr, offset)?)),
        LoadKind::Load64 => u64::from_le_bytes(load(mem, addr, offset)?),
        LoadKind::Load8U => u64::from(load::<1>(mem, addr, offset)?[0]),
        LoadKind::Load16U => u64::from(u16::from_le_bytes(load(mem, addr, offset)?)),
        LoadKind::I32Load8S => u64::from(load::<1>(mem, addr, offset)?[0] as i8 as i32 as u32),
        LoadKind::I32Load16S => u64::from(i16::from_le_bytes(load(mem, addr, offset)?) as i32 as u32),
        LoadKind::I64Load8S => load::<1>(mem, addr, offset)?[0] as i8 as i64 as u64,
        LoadKind::I64Load16S => i16::from_le_bytes(load(mem, addr, offset)?) as i64 as u64,
        LoadKind::I64Load32S => i32::from_le_bytes(load(mem, addr, offset)?) as i64 as u64,
    })
}

fn do_store(kind: StoreKind, mem: &mut [u8], addr: u64, offset: u32, value: u64) -> Option<()> {
    match kind {
        StoreKind::Store8 => store(mem, addr, offset, [value as u8]),
        StoreKind::Store16 => store(mem, addr, offset, (value as u16).to_le_bytes()),
        StoreKind::Store32 => store(mem, addr, offset, (value as u32).to_le_bytes()),
        StoreKind::Store64 => store(mem, addr, offset, value.to_le_bytes()),
    }
}

#[inline(always)]
fn b2c(b: bool) -> u64 {
    u64::from(b)
}

#[inline(always)]
fn f32c(f: f32) -> u64 {
    u64::from(f.to_bits())
}

#[inline(always)]
fn f64c(f: f64) -> u64 {
    f.to_bits()
}

/// Register `i` of the running frame (`regs` starts at the frame's base).
///
/// Without the `checked` feature the index is not checked. That is sound because the
/// translator makes every function's `frame_cells` exceed every register its ops can touch
/// (`FuncTranslator::seal`: the largest `u16` field of any op plus a margin for two-cell
/// values and the three-slot bulk operands), and the value stack always holds the running
/// frame: `run_from` sizes it for the entry function, `enter!` grows it before a callee
/// starts, and it never shrinks during an execution, so a caller's frame is still there when
/// `ret!` resumes it.
#[inline(always)]
#[allow(unsafe_code)]
fn reg(regs: &mut [u64], i: usize) -> &mut u64 {
    #[cfg(feature = "checked")]
    return &mut regs[i];
    #[cfg(not(feature = "checked"))]
    {
        debug_assert!(i < regs.len(), "register {i} outside a frame of {}", regs.len());
        // SAFETY: `i` is below the frame's `frame_cells` and the frame lies inside `regs`
        // (see above).
        unsafe { regs.get_unchecked_mut(i) }
    }
}

/// Runs until the entry function returns, a trap, a host call, or an instance switch.
///
/// With `limits.interruptible`, every taken backward branch (each loop iteration goes through
/// one) and every function entry checks the store's interrupt flag. When it is off, what is
/// left is one well-predicted test of a local flag on those same paths. (A separate
/// monomorphised instance per setting was tried: its speed swung with code layout, by up to
/// 2x either way on single workloads, without a better geomean.)
pub(crate) fn run(inner: &mut StoreInner, stack: &mut Stack, st: &mut State, limits: Limits) -> Exit {
    let interruptible = limits.interruptible;
    let StoreInner {
        instances,
        funcs,
        memories,
        tables,
        globals,
        elems,
        datas,
        fuel,
        interrupt,
        interrupt_callback,
        ..
    } = inner;
    let instance = &instances[st.instance as usize];
    let module = &*instance.module.inner;
    let values = &mut stack.values;
    let frames = &mut stack.frames;
    let mem0 = instance.memories.first().map(|&m| m as usize);

    let mut cur_code = st.code;
    let mut code: &[Op] = &module.code[cur_code as usize].ops;
    let mut shuffles: &[[u8; 16]] = &module.code[cur_code as usize].shuffles;
    let mut consts: &[u64] = &module.code[cur_code as usize].consts;
    let mut ip = st.ip as usize;
    let mut base = st.base as usize;
    let mut regs: &mut [u64] = &mut values[base..];
    let mut mem: &mut [u8] = match mem0 {
        Some(m) => &mut memories[m].data,
        None => &mut [],
    };

    macro_rules! r {
        ($s:expr) => {
            *reg(regs, $s as usize)
        };
    }
    macro_rules! r32 {
        ($s:expr) => {
            *reg(regs, $s as usize) as u32
        };
    }
    macro_rules! f32r {
        ($s:expr) => {
            f32::from_bits(*reg(regs, $s as usize) as u32)
        };
    }
    macro_rules! f64r {
        ($s:expr) => {
            f64::from_bits(*reg(regs, $s as usize))
        };
    }
    macro_rules! rv {
        ($s:expr) => {
            u128::from(*reg(regs, $s as usize)) | (u128::from(*reg(regs, $s as usize + 1)) << 64)
        };
    }
    macro_rules! wv {
        ($d:expr, $v:expr) => {{
            let v: u128 = $v;
            *reg(regs, $d as usize) = v as u64;
            *reg(regs, $d as usize + 1) = (v >> 64) as u64;
        }};
    }
    macro_rules! trap {
        ($k:expr) => {
            return Exit::Trap($k)
        };
    }
    macro_rules! tryt {
        ($e:expr, $k:expr) => {
            match $e {
                Some(v) => v,
                None => trap!($k),
            }
        };
    }
    macro_rules! tryr {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(k) => trap!(k),
            }
        };
    }
    macro_rules! reload_mem {
        () => {
            mem = match mem0 {
                Some(m) => &mut memories[m].data,
                None => &mut [],
            };
        };
    }
    // Traps if interruptible and an interrupt is pending (and the callback does not resume).
    macro_rules! check_interrupt {
        () => {
            if interruptible
                && interrupt.flag.load(Ordering::Relaxed) != 0
                && interrupted(interrupt, interrupt_callback)
            {
                trap!(TrapKind::Interrupted);
            }
        };
    }
    macro_rules! jump {
        ($offset:expr) => {{
            let offset = $offset as isize;
            if interruptible && offset <= 0 {
                check_interrupt!();
            }
            ip = (ip as isize - 1 + offset) as usize
        }};
    }
    macro_rules! br_if {
        ($cond:expr, $offset:expr) => {
            if $cond {
                jump!($offset)
            }
        };
    }
    macro_rules! save_state {
        () => {
            st.code = cur_code;
            st.ip = ip as u32;
            st.base = base as u32;
        };
    }
    // Enters function `code_index` of instance `inst` with its frame at `base + args`.
    macro_rules! enter {
        ($inst:expr, $code_index:expr, $args:expr) => {{
            let inst = $inst;
            let code_index = $code_index;
            let callee_module = &*instances[inst as usize].module.inner;
            let callee = &callee_module.code[code_index as usize];
            if frames.len() >= limits.max_frames {
                trap!(TrapKind::CallStackExhausted);
            }
            check_interrupt!();
            let new_base = base + $args as usize;
            let needed = new_base + callee.frame_cells as usize;
            if needed > values.len() {
                if needed > limits.max_values {
                    trap!(TrapKind::CallStackExhausted);
                }
                let grown = needed.max(values.len() * 2).min(limits.max_values.max(needed));
                values.resize(grown, 0);
            }
            if callee.local_cells > 0 {
                let locals = new_base + callee.param_cells as usize;
                values[locals..locals + callee.local_cells as usize].fill(0);
            }
            frames.push(Frame { instance: st.instance, code: cur_code, ip: ip as u32, base: base as u32 });
            if inst == st.instance {
                code = &callee.ops;
                shuffles = &callee.shuffles;
                consts = &callee.consts;
                cur_code = code_index;
                ip = 0;
                base = new_base;
                regs = &mut values[base..];
            } else {
                st.instance = inst;
                st.code = code_index;
                st.ip = 0;
                st.base = new_base as u32;
                return Exit::Switch;
            }
        }};
    }
    // Calls the function at store index `addr`.
    macro_rules! call_addr {
        ($addr:expr, $args:expr) => {{
            let addr = $addr;
            match funcs[addr as usize] {
                FuncEntity::Wasm { instance: inst, code: code_index, .. } => enter!(inst, code_index, $args),
                FuncEntity::Host { .. } => {
                    save_state!();
                    return Exit::Host { func: addr, args_base: base + $args as usize };
                }
            }
        }};
    }
    macro_rules! ret {
        () => {{
            match frames.pop() {
                None => return Exit::Done,
                Some(f) => {
                    if f.instance == st.instance {
                        cur_code = f.code;
                        code = &module.code[cur_code as usize].ops;
                        shuffles = &module.code[cur_code as usize].shuffles;
                        consts = &module.code[cur_code as usize].consts;
                        ip = f.ip as usize;
                        base = f.base as usize;
                        regs = &mut values[base..];
                    } else {
                        st.instance = f.instance;
                        st.code = f.code;
                        st.ip = f.ip;
                        st.base = f.base;
                        return Exit::Switch;
                    }
                }
            }
        }};
    }
    // Charges fuel for a bulk operation over `n` bytes or elements (one unit per 64).
    macro_rules! charge_bulk {
        ($n:expr) => {
            if limits.consume_fuel {
                let cost = u64::from($n) / 64;
                if *fuel < cost {
                    trap!(TrapKind::OutOfFuel);
                }
                *fuel -= cost;
            }
        };
    }
    // Runs `$body` with `$d` bound to the bytes of memory `$m` (0 is the cached memory 0).
    macro_rules! with_mem {
        ($m:expr, |$d:ident| $body:expr) => {{
            if $m == 0 {
                let $d: &mut [u8] = &mut *mem;
                $body
            } else {
                let result = {
                    let $d: &mut [u8] = &mut memories[memory_of!($m)].data;
                    $body
                };
                reload_mem!();
                result
            }
        }};
    }
    macro_rules! vload {
        ($m:expr, $addr:expr, $offset:expr, $n:literal) => {
            tryt!(with_mem!($m, |d| load::<$n>(d, r!($addr), $offset)), TrapKind::MemoryOutOfBounds)
        };
    }
    macro_rules! table_of {
        ($t:expr) => {
            instance.tables[$t as usize] as usize
        };
    }
    macro_rules! memory_of {
        ($m:expr) => {
            instance.memories[$m as usize] as usize
        };
    }

    loop {
        // Matching on the op in place, not on a copy, lets each arm load only its own fields
        // (measured: 21-30% fewer instructions executed, with the unchecked fetch below).
        #[cfg(not(feature = "checked"))]
        #[allow(unsafe_code)]
        // SAFETY: `ip` is in bounds. The translator (`FuncTranslator::seal`) ends every op
        // stream with `Unreachable` and verifies that every branch target and branch table lies
        // inside it; `ip` only moves by falling through to the next op (never past that last
        // op, which traps), by a verified branch, by a `BrTable` (clamped to its entries) or to
        // a return address saved by a call op, which is never the last op. `code` is the op
        // stream of the function whose frame is running.
        let op: &Op = unsafe { code.get_unchecked(ip) };
        #[cfg(feature = "checked")]
        let op: &Op = &code[ip];
        ip += 1;
        match *op {
            // ---------------------------------------------------------------- copies
            Op::Copy { dst, src } => r!(dst) = r!(src),
            Op::Copy2 { dst, src } => {
                r!(dst) = r!(src);
                r!(dst + 1) = r!(src + 1);
            }
            Op::CopySpan { dst, src, len } => {
                let (dst, src, len) = (dst as usize, src as usize, len as usize);
                regs.copy_within(src..src + len, dst);
            }
            Op::Const32 { dst, value } => r!(dst) = u64::from(value),
            Op::Const64 { dst, lo, hi } => r!(dst) = u64::from(lo) | (u64::from(hi) << 32),
            Op::Select { dst, cond, a, b } => {
                r!(dst) = if r32!(cond) != 0 { r!(a) } else { r!(b) };
            }
            Op::Select2 { dst, cond, a, b } => {
                let src = if r32!(cond) != 0 { a } else { b };
                r!(dst) = r!(src);
                r!(dst + 1) = r!(src + 1);
            }

            // ---------------------------------------------------------------- control
            Op::Unreachable {} => trap!(TrapKind::Unreachable),
            Op::ConsumeFuel { amount } => {
                let amount = u64::from(amount);
                if *fuel < amount {
                    trap!(TrapKind::OutOfFuel);
                }
                *fuel -= amount;
            }
            Op::Br { offset } => jump!(offset),
            Op::BrIfNez { cond, offset } => br_if!(r32!(cond) != 0, offset),
            Op::BrIfEqz { cond, offset } => br_if!(r32!(cond) == 0, offset),
            Op::BrI64Eqz { a, offset } => br_if!(r!(a) == 0, offset),
            Op::BrI64Nez { a, offset } => br_if!(r!(a) != 0, offset),
            Op::BrI32Eq { a, b, offset } => br_if!(r32!(a) == r32!(b), offset),
            Op::BrI32Ne { a, b, offset } => br_if!(r32!(a) != r32!(b), offset),
            Op::BrI32LtS { a, b, offset } => br_if!((r32!(a) as i32) < r32!(b) as i32, offset),
            Op::BrI32LtU { a, b, offset } => br_if!(r32!(a) < r32!(b), offset),
            Op::BrI32GtS { a, b, offset } => br_if!(r32!(a) as i32 > r32!(b) as i32, offset),
            Op::BrI32GtU { a, b, offset } => br_if!(r32!(a) > r32!(b), offset),
            Op::BrI32LeS { a, b, offset } => br_if!(r32!(a) as i32 <= r32!(b) as i32, offset),
            Op::BrI32LeU { a, b, offset } => br_if!(r32!(a) <= r32!(b), offset),
            Op::BrI32GeS { a, b, offset } => br_if!(r32!(a) as i32 >= r32!(b) as i32, offset),
            Op::BrI32GeU { a, b, offset } => br_if!(r32!(a) >= r32!(b), offset),
            Op::BrI32EqImm { a, imm, offset } => br_if!(r32!(a) == imm as u32, offset),
            Op::BrI32NeImm { a, imm, offset } => br_if!(r32!(a) != imm as u32, offset),
            Op::BrI32LtSImm { a, imm, offset } => br_if!((r32!(a) as i32) < imm, offset),
            Op::BrI32LtUImm { a, imm, offset } => br_if!(r32!(a) < imm as u32, offset),
            Op::BrI32GtSImm { a, imm, offset } => br_if!(r32!(a) as i32 > imm, offset),
            Op::BrI32GtUImm { a, imm, offset } => br_if!(r32!(a) > imm as u32, offset),
            Op::BrI32LeSImm { a, imm, offset } => br_if!(r32!(a) as i32 <= imm, offset),
            Op::BrI32LeUImm { a, imm, offset } => br_if!(r32!(a) <= imm as u32, offset),
            Op::BrI32GeSImm { a, imm, offset } => br_if!(r32!(a) as i32 >= imm, offset),
            Op::BrI32GeUImm { a, imm, offset } => br_if!(r32!(a) >= imm as u32, offset),
            Op::BrI64Eq { a, b, offset } => br_if!(r!(a) == r!(b), offset),
            Op::BrI64Ne { a, b, offset } => br_if!(r!(a) != r!(b), offset),
            Op::BrI64LtS { a, b, offset } => br_if!((r!(a) as i64) < r!(b) as i64, offset),
            Op::BrI64LtU { a, b, offset } => br_if!(r!(a) < r!(b), offset),
            Op::BrI64GtS { a, b, offset } => br_if!(r!(a) as i64 > r!(b) as i64, offset),
            Op::BrI64GtU { a, b, offset } => br_if!(r!(a) > r!(b), offset),
            Op::BrI64LeS { a, b, offset } => br_if!(r!(a) as i64 <= r!(b) as i64, offset),
            Op::BrI64LeU { a, b, offset } => br_if!(r!(a) <= r!(b), offset),
            Op::BrI64GeS { a, b, offset } => br_if!(r!(a) as i64 >= r!(b) as i64, offset),
            Op::BrI64GeU { a, b, offset } => br_if!(r!(a) >= r!(b), offset),
            Op::BrI64EqImm { a, imm, offset } => br_if!(r!(a) as i64 == i64::from(imm), offset),
            Op::BrI64NeImm { a, imm, offset } => br_if!(r!(a) as i64 != i64::from(imm), offset),
            Op::BrI64LtSImm { a, imm, offset } => br_if!((r!(a) as i64) < i64::from(imm), offset),
            Op::BrI64LtUImm { a, imm, offset } => br_if!(r!(a) < i64::from(imm) as u64, offset),
            Op::BrI64GtSImm { a, imm, offset } => br_if!(r!(a) as i64 > i64::from(imm), offset),
            Op::BrI64GtUImm { a, imm, offset } => br_if!(r!(a) > i64::from(imm) as u64, offset),
            Op::BrI64LeSImm { a, imm, offset } => br_if!(r!(a) as i64 <= i64::from(imm), offset),
            Op::BrI64LeUImm { a, imm, offset } => br_if!(r!(a) <= i64::from(imm) as u64, offset),
            Op::BrI64GeSImm { a, imm, offset } => br_if!(r!(a) as i64 >= i64::from(imm), offset),
            Op::BrI64GeUImm { a, imm, offset } => br_if!(r!(a) >= i64::from(imm) as u64, offset),
            Op::BrTable { index, len } => {
                // The `len + 1` Br entries follow; the last is the default.
                ip += r32!(index).min(len) as usize;
            }
            Op::Return {} => ret!(),
            Op::ReturnSlot { src } => {
                r!(0) = r!(src);
                ret!()
            }
            Op::ReturnSlot2 { src } => {
                r!(0) = r!(src);
                r!(1) = r!(src + 1);
                ret!()
            }
            Op::ReturnImm32 { value } => {
                r!(0) = u64::from(value);
                ret!()
            }
            Op::ReturnSpan { src, len } => {
                let (src, len) = (src as usize, len as usize);
                regs.copy_within(src..src + len, 0);
                ret!()
            }
            Op::CallInternal { func, args } => enter!(st.instance, func, args),
            Op::CallImported { func, args } => call_addr!(instance.funcs[func as usize], args),
            Op::CallIndirect { index, args, table, ty } => {
                let t = &tables[table_of!(table)];
                let i = r32!(index);
                let Some(&r) = t.elements.get(i as usize) else {
                    return Exit::TrapAt(TrapKind::UndefinedElement, i);
                };
                if r == 0 {
                    return Exit::TrapAt(TrapKind::UninitializedElement, i);
                }
                let addr = r - 1;
                if funcs[addr as usize].ty() != module.type_ids[ty as usize] {
                    trap!(TrapKind::IndirectCallTypeMismatch);
                }
                call_addr!(addr, args)
            }

            // ---------------------------------------------------------------- i32
            Op::I32Eqz { dst, src } => r!(dst) = b2c(r32!(src) == 0),
            Op::I32Clz { dst, src } => r!(dst) = u64::from(r32!(src).leading_zeros()),
            Op::I32Ctz { dst, src } => r!(dst) = u64::from(r32!(src).trailing_zeros()),
            Op::I32Popcnt { dst, src } => r!(dst) = u64::from(r32!(src).count_ones()),
            Op::I32Extend8S { dst, src } => r!(dst) = u64::from(r32!(src) as i8 as i32 as u32),
            Op::I32Extend16S { dst, src } => r!(dst) = u64::from(r32!(src) as i16 as i32 as u32),
            Op::I32WrapI64 { dst, src } => r!(dst) = u64::from(r!(src) as u32),
            Op::I32Eq { dst, a, b } => r!(dst) = b2c(r32!(a) == r32!(b)),
            Op::I32Ne { dst, a, b } => r!(dst) = b2c(r32!(a) != r32!(b)),
            Op::I32LtS { dst, a, b } => r!(dst) = b2c((r32!(a) as i32) < r32!(b) as i32),
            Op::I32LtU { dst, a, b } => r!(dst) = b2c(r32!(a) < r32!(b)),
            Op::I32GtS { dst, a, b } => r!(dst) = b2c(r32!(a) as i32 > r32!(b) as i32),
            Op::I32GtU { dst, a, b } => r!(dst) = b2c(r32!(a) > r32!(b)),
            Op::I32LeS { dst, a, b } => r!(dst) = b2c(r32!(a) as i32 <= r32!(b) as i32),
            Op::I32LeU { dst, a, b } => r!(dst) = b2c(r32!(a) <= r32!(b)),
            Op::I32GeS { dst, a, b } => r!(dst) = b2c(r32!(a) as i32 >= r32!(b) as i32),
            Op::I32GeU { dst, a, b } => r!(dst) = b2c(r32!(a) >= r32!(b)),
            Op::I32Add { dst, a, b } => r!(dst) = u64::from(r32!(a).wrapping_add(r32!(b))),
            Op::I32Sub { dst, a, b } => r!(dst) = u64::from(r32!(a).wrapping_sub(r32!(b))),
            Op::I32Mul { dst, a, b } => r!(dst) = u64::from(r32!(a).wrapping_mul(r32!(b))),
            Op::I32DivS { dst, a, b } => {
                r!(dst) = u64::from(tryr!(int::i32_div_s(r32!(a) as i32, r32!(b) as i32)) as u32)
            }
            Op::I32DivU { dst, a, b } => r!(dst) = u64::from(tryr!(int::i32_div_u(r32!(a), r32!(b)))),
            Op::I32RemS { dst, a, b } => {
                r!(dst) = u64::from(tryr!(int::i32_rem_s(r32!(a) as i32, r32!(b) as i32)) as u32)
            }
            Op::I32RemU { dst, a, b } => r!(dst) = u64::from(tryr!(int::i32_rem_u(r32!(a), r32!(b)))),
            Op::I32And { dst, a, b } => r!(dst) = u64::from(r32!(a) & r32!(b)),
            Op::I32Or { dst, a, b } => r!(dst) = u64::from(r32!(a) | r32!(b)),
            Op::I32Xor { dst, a, b } => r!(dst) = u64::from(r32!(a) ^ r32!(b)),
            Op::I32Shl { dst, a, b } => r!(dst) = u64::from(r32!(a).wrapping_shl(r32!(b))),
            Op::I32ShrS { dst, a, b } => r!(dst) = u64::from((r32!(a) as i32).wrapping_shr(r32!(b)) as u32),
            Op::I32ShrU { dst, a, b } => r!(dst) = u64::from(r32!(a).wrapping_shr(r32!(b))),
            Op::I32Rotl { dst, a, b } => r!(dst) = u64::from(r32!(a).rotate_left(r32!(b) & 31)),
            Op::I32Rotr { dst, a, b } => r!(dst) = u64::from(r32!(a).rotate_right(r32!(b) & 31)),
            Op::I32EqImm { dst, a, imm } => r!(dst) = b2c(r32!(a) == imm as u32),
            Op::I32NeImm { dst, a, imm } => r!(dst) = b2c(r32!(a) != imm as u32),
            Op::I32LtSImm { dst, a, imm } => r!(dst) = b2c((r32!(a) as i32) < imm),
            Op::I32LtUImm { dst, a, imm } => r!(dst) = b2c(r32!(a) < imm as u32),
            Op::I32GtSImm { dst, a, imm } => r!(dst) = b2c(r32!(a) as i32 > imm),
            Op::I32GtUImm { dst, a, imm } => r!(dst) = b2c(r32!(a) > imm as u32),
            Op::I32LeSImm { dst, a, imm } => r!(dst) = b2c(r32!(a) as i32 <= imm),
            Op::I32LeUImm { dst, a, imm } => r!(dst) = b2c(r32!(a) <= imm as u32),
            Op::I32GeSImm { dst, a, imm } => r!(dst) = b2c(r32!(a) as i32 >= imm),
            Op::I32GeUImm { dst, a, imm } => r!(dst) = b2c(r32!(a) >= imm as u32),
            Op::I32AddImm { dst, a, imm } => r!(dst) = u64::from(r32!(a).wrapping_add(imm as u32)),
            Op::I32MulImm { dst, a, imm } => r!(dst) = u64::from(r32!(a).wrapping_mul(imm as u32)),
            Op::I32AndImm { dst, a, imm } => r!(dst) = u64::from(r32!(a) & imm as u32),
            Op::I32OrImm { dst, a, imm } => r!(dst) = u64::from(r32!(a) | imm as u32),
            Op::I32XorImm { dst, a, imm } => r!(dst) = u64::from(r32!(a) ^ imm as u32),
            Op::I32ShlImm { dst, a, imm } => r!(dst) = u64::from(r32!(a).wrapping_shl(imm as u32)),
            Op::I32ShrSImm { dst, a, imm } => {
                r!(dst) = u64::from((r32!(a) as i32).wrapping_shr(imm as u32) as u32)
            }
            Op::I32ShrUImm { dst, a, imm } => r!(dst) = u64::from(r32!(a).wrapping_shr(imm as u32)),
            Op::I32RotlImm { dst, a, imm } => r!(dst) = u64::from(r32!(a).rotate_left(imm as u32 & 31)),
            Op::I32RotrImm { dst, a, imm } => r!(dst) = u64::from(r32!(a).rotate_right(imm as u32 & 31)),

            // ---------------------------------------------------------------- i64
            Op::I64Eqz { dst, src } => r!(dst) = b2c(r!(src) == 0),
            Op::I64Clz { dst, src } => r!(dst) = u64::from(r!(src).leading_zeros()),
            Op::I64Ctz { dst, src } => r!(dst) = u64::from(r!(src).trailing_zeros()),
            Op::I64Popcnt { dst, src } => r!(dst) = u64::from(r!(src).count_ones()),
            Op::I64Extend8S { dst, src } => r!(dst) = r!(src) as i8 as i64 as u64,
            Op::I64Extend16S { dst, src } => r!(dst) = r!(src) as i16 as i64 as u64,
            Op::I64Extend32S { dst, src } => r!(dst) = r!(src) as i32 as i64 as u64,
            Op::I64ExtendI32S { dst, src } => r!(dst) = r32!(src) as i32 as i64 as u64,
            Op::I64ExtendI32U { dst, src } => r!(dst) = u64::from(r32!(src)),
            Op::I64Eq { dst, a, b } => r!(dst) = b2c(r!(a) == r!(b)),
            Op::I64Ne { dst, a, b } => r!(dst) = b2c(r!(a) != r!(b)),
            Op::I64LtS { dst, a, b } => r!(dst) = b2c((r!(a) as i64) < r!(b) as i64),
            Op::I64LtU { dst, a, b } => r!(dst) = b2c(r!(a) < r!(b)),
            Op::I64GtS { dst, a, b } => r!(dst) = b2c(r!(a) as i64 > r!(b) as i64),
            Op::I64GtU { dst, a, b } => r!(dst) = b2c(r!(a) > r!(b)),
            Op::I64LeS { dst, a, b } => r!(dst) = b2c(r!(a) as i64 <= r!(b) as i64),
            Op::I64LeU { dst, a, b } => r!(dst) = b2c(r!(a) <= r!(b)),
            Op::I64GeS { dst, a, b } => r!(dst) = b2c(r!(a) as i64 >= r!(b) as i64),
            Op::I64GeU { dst, a, b } => r!(dst) = b2c(r!(a) >= r!(b)),
            Op::I64Add { dst, a, b } => r!(dst) = r!(a).wrapping_add(r!(b)),
            Op::I64Sub { dst, a, b } => r!(dst) = r!(a).wrapping_sub(r!(b)),
            Op::I64Mul { dst, a, b } => r!(dst) = r!(a).wrapping_mul(r!(b)),
            Op::I64DivS { dst, a, b } => r!(dst) = tryr!(int::i64_div_s(r!(a) as i64, r!(b) as i64)) as u64,
            Op::I64DivU { dst, a, b } => r!(dst) = tryr!(int::i64_div_u(r!(a), r!(b))),
            Op::I64RemS { dst, a, b } => r!(dst) = tryr!(int::i64_rem_s(r!(a) as i64, r!(b) as i64)) as u64,
            Op::I64RemU { dst, a, b } => r!(dst) = tryr!(int::i64_rem_u(r!(a), r!(b))),
            Op::I64And { dst, a, b } => r!(dst) = r!(a) & r!(b),
            Op::I64Or { dst, a, b } => r!(dst) = r!(a) | r!(b),
            Op::I64Xor { dst, a, b } => r!(dst) = r!(a) ^ r!(b),
            Op::I64Shl { dst, a, b } => r!(dst) = r!(a).wrapping_shl(r!(b) as u32),
            Op::I64ShrS { dst, a, b } => r!(dst) = (r!(a) as i64).wrapping_shr(r!(b) as u32) as u64,
            Op::I64ShrU { dst, a, b } => r!(dst) = r!(a).wrapping_shr(r!(b) as u32),
            Op::I64Rotl { dst, a, b } => r!(dst) = r!(a).rotate_left((r!(b) & 63) as u32),
            Op::I64Rotr { dst, a, b } => r!(dst) = r!(a).rotate_right((r!(b) & 63) as u32),
            Op::I64EqImm { dst, a, imm } => r!(dst) = b2c(r!(a) as i64 == i64::from(imm)),
            Op::I64NeImm { dst, a, imm } => r!(dst) = b2c(r!(a) as i64 != i64::from(imm)),
            Op::I64LtSImm { dst, a, imm } => r!(dst) = b2c((r!(a) as i64) < i64::from(imm)),
            Op::I64LtUImm { dst, a, imm } => r!(dst) = b2c(r!(a) < i64::from(imm) as u64),
            Op::I64GtSImm { dst, a, imm } => r!(dst) = b2c(r!(a) as i64 > i64::from(imm)),
            Op::I64GtUImm { dst, a, imm } => r!(dst) = b2c(r!(a) > i64::from(imm) as u64),
            Op::I64LeSImm { dst, a, imm } => r!(dst) = b2c(r!(a) as i64 <= i64::from(imm)),
            Op::I64LeUImm { dst, a, imm } => r!(dst) = b2c(r!(a) <= i64::from(imm) as u64),
            Op::I64GeSImm { dst, a, imm } => r!(dst) = b2c(r!(a) as i64 >= i64::from(imm)),
            Op::I64GeUImm { dst, a, imm } => r!(dst) = b2c(r!(a) >= i64::from(imm) as u64),
            Op::I64AddImm { dst, a, imm } => r!(dst) = r!(a).wrapping_add(i64::from(imm) as u64),
            Op::I64MulImm { dst, a, imm } => r!(dst) = r!(a).wrapping_mul(i64::from(imm) as u64),
            Op::I64AndImm { dst, a, imm } => r!(dst) = r!(a) & i64::from(imm) as u64,
            Op::I64OrImm { dst, a, imm } => r!(dst) = r!(a) | i64::from(imm) as u64,
            Op::I64XorImm { dst, a, imm } => r!(dst) = r!(a) ^ i64::from(imm) as u64,
            Op::I64ShlImm { dst, a, imm } => r!(dst) = r!(a).wrapping_shl(imm as u32),
            Op::I64ShrSImm { dst, a, imm } => r!(dst) = (r!(a) as i64).wrapping_shr(imm as u32) as u64,
            Op::I64ShrUImm { dst, a, imm } => r!(dst) = r!(a).wrapping_shr(imm as u32),
            Op::I64RotlImm { dst, a, imm } => r!(dst) = r!(a).rotate_left(imm as u32 & 63),
            Op::I64RotrImm { dst, a, imm } => r!(dst) = r!(a).rotate_right(imm as u32 & 63),

            // ---------------------------------------------------------------- f32
            Op::F32Abs { dst, src } => r!(dst) = r!(src) & 0x7fff_ffff,
            Op::F32Neg { dst, src } => r!(dst) = (r!(src) ^ 0x8000_0000) & 0xffff_ffff,
            Op::F32Ceil { dst, src } => r!(dst) = f32c(float::f32_ceil(f32r!(src))),
            Op::F32Floor { dst, src } => r!(dst) = f32c(float::f32_floor(f32r!(src))),
            Op::F32Trunc { dst, src } => r!(dst) = f32c(float::f32_trunc(f32r!(src))),
            Op::F32Nearest { dst, src } => r!(dst) = f32c(float::f32_nearest(f32r!(src))),
            Op::F32Sqrt { dst, src } => r!(dst) = f32c(float::f32_sqrt(f32r!(src))),
            Op::F32Add { dst, a, b } => r!(dst) = f32c(float::f32_add(f32r!(a), f32r!(b))),
            Op::F32Sub { dst, a, b } => r!(dst) = f32c(f32r!(a) - f32r!(b)),
            Op::F32Mul { dst, a, b } => r!(dst) = f32c(float::f32_mul(f32r!(a), f32r!(b))),
            Op::F32Div { dst, a, b } => r!(dst) = f32c(f32r!(a) / f32r!(b)),
            Op::F32Min { dst, a, b } => r!(dst) = f32c(float::f32_min(f32r!(a), f32r!(b))),
            Op::F32Max { dst, a, b } => r!(dst) = f32c(float::f32_max(f32r!(a), f32r!(b))),
            Op::F32Copysign { dst, a, b } => r!(dst) = u64::from(float::f32_copysign(r32!(a), r32!(b))),
            Op::F32Eq { dst, a, b } => r!(dst) = b2c(f32r!(a) == f32r!(b)),
            Op::F32Ne { dst, a, b } => r!(dst) = b2c(f32r!(a) != f32r!(b)),
            Op::F32Lt { dst, a, b } => r!(dst) = b2c(f32r!(a) < f32r!(b)),
            Op::F32Gt { dst, a, b } => r!(dst) = b2c(f32r!(a) > f32r!(b)),
            Op::F32Le { dst, a, b } => r!(dst) = b2c(f32r!(a) <= f32r!(b)),
            Op::F32Ge { dst, a, b } => r!(dst) = b2c(f32r!(a) >= f32r!(b)),

            // ---------------------------------------------------------------- f64
            Op::F64Abs { dst, src } => r!(dst) = r!(src) & 0x7fff_ffff_ffff_ffff,
            Op::F64Neg { dst, src } => r!(dst) = r!(src) ^ 0x8000_0000_0000_0000,
            Op::F64Ceil { dst, src } => r!(dst) = f64c(float::f64_ceil(f64r!(src))),
            Op::F64Floor { dst, src } => r!(dst) = f64c(float::f64_floor(f64r!(src))),
            Op::F64Trunc { dst, src } => r!(dst) = f64c(float::f64_trunc(f64r!(src))),
            Op::F64Nearest { dst, src } => r!(dst) = f64c(float::f64_nearest(f64r!(src))),
            Op::F64Sqrt { dst, src } => r!(dst) = f64c(float::f64_sqrt(f64r!(src))),
            Op::F64AddK { dst, a, k } => {
                r!(dst) = f64c(float::f64_add(f64r!(a), f64::from_bits(consts[k as usize])))
            }
            Op::F64SubK { dst, a, k } => r!(dst) = f64c(f64r!(a) - f64::from_bits(consts[k as usize])),
            Op::F64RSubK { dst, a, k } => r!(dst) = f64c(f64::from_bits(consts[k as usize]) - f64r!(a)),
            Op::F64MulK { dst, a, k } => {
                r!(dst) = f64c(float::f64_mul(f64r!(a), f64::from_bits(consts[k as usize])))
            }
            Op::F64DivK { dst, a, k } => r!(dst) = f64c(f64r!(a) / f64::from_bits(consts[k as usize])),
            Op::F64RDivK { dst, a, k } => r!(dst) = f64c(f64::from_bits(consts[k as usize]) / f64r!(a)),
            Op::F64Add { dst, a, b } => r!(dst) = f64c(float::f64_add(f64r!(a), f64r!(b))),
            Op::F64Sub { dst, a, b } => r!(dst) = f64c(f64r!(a) - f64r!(b)),
            Op::F64Mul { dst, a, b } => r!(dst) = f64c(float::f64_mul(f64r!(a), f64r!(b))),
            Op::F64Div { dst, a, b } => r!(dst) = f64c(f64r!(a) / f64r!(b)),
            Op::F64Min { dst, a, b } => r!(dst) = f64c(float::f64_min(f64r!(a), f64r!(b))),
            Op::F64Max { dst, a, b } => r!(dst) = f64c(float::f64_max(f64r!(a), f64r!(b))),
            Op::F64Copysign { dst, a, b } => r!(dst) = float::f64_copysign(r!(a), r!(b)),
            Op::F64Eq { dst, a, b } => r!(dst) = b2c(f64r!(a) == f64r!(b)),
            Op::F64Ne { dst, a, b } => r!(dst) = b2c(f64r!(a) != f64r!(b)),
            Op::F64Lt { dst, a, b } => r!(dst) = b2c(f64r!(a) < f64r!(b)),
            Op::F64Gt { dst, a, b } => r!(dst) = b2c(f64r!(a) > f64r!(b)),
            Op::F64Le { dst, a, b } => r!(dst) = b2c(f64r!(a) <= f64r!(b)),
            Op::F64Ge { dst, a, b } => r!(dst) = b2c(f64r!(a) >= f64r!(b)),

            // ---------------------------------------------------------------- conversions
            Op::I32TruncF32S { dst, src } => {
                r!(dst) = u64::from(tryr!(convert::i32_trunc_f32_s(f32r!(src))) as u32)
            }
            Op::I32TruncF32U { dst, src } => r!(dst) = u64::from(tryr!(convert::i32_trunc_f32_u(f32r!(src)))),
            Op::I32TruncF64S { dst, src } => {
                r!(dst) = u64::from(tryr!(convert::i32_trunc_f64_s(f64r!(src))) as u32)
            }
            Op::I32TruncF64U { dst, src } => r!(dst) = u64::from(tryr!(convert::i32_trunc_f64_u(f64r!(src)))),
            Op::I64TruncF32S { dst, src } => r!(dst) = tryr!(convert::i64_trunc_f32_s(f32r!(src))) as u64,
            Op::I64TruncF32U { dst, src } => r!(dst) = tryr!(convert::i64_trunc_f32_u(f32r!(src))),
            Op::I64TruncF64S { dst, src } => r!(dst) = tryr!(convert::i64_trunc_f64_s(f64r!(src))) as u64,
            Op::I64TruncF64U { dst, src } => r!(dst) = tryr!(convert::i64_trunc_f64_u(f64r!(src))),
            Op::I32TruncSatF32S { dst, src } => r!(dst) = u64::from(f32r!(src) as i32 as u32),
            Op::I32TruncSatF32U { dst, src } => r!(dst) = u64::from(f32r!(src) as u32),
            Op::I32TruncSatF64S { dst, src } => r!(dst) = u64::from(f64r!(src) as i32 as u32),
            Op::I32TruncSatF64U { dst, src } => r!(dst) = u64::from(f64r!(src) as u32),
            Op::I64TruncSatF32S { dst, src } => r!(dst) = f32r!(src) as i64 as u64,
            Op::I64TruncSatF32U { dst, src } => r!(dst) = f32r!(src) as u64,
            Op::I64TruncSatF64S { dst, src } => r!(dst) = f64r!(src) as i64 as u64,
            Op::I64TruncSatF64U { dst, src } => r!(dst) = f64r!(src) as u64,
            Op::F32ConvertI32S { dst, src } => r!(dst) = f32c(r32!(src) as i32 as f32),
            Op::F32ConvertI32U { dst, src } => r!(dst) = f32c(r32!(src) as f32),
            Op::F32ConvertI64S { dst, src } => r!(dst) = f32c(r!(src) as i64 as f32),
            Op::F32ConvertI64U { dst, src } => r!(dst) = f32c(r!(src) as f32),
            Op::F64ConvertI32S { dst, src } => r!(dst) = f64c(f64::from(r32!(src) as i32)),
            Op::F64ConvertI32U { dst, src } => r!(dst) = f64c(f64::from(r32!(src))),
            Op::F64ConvertI64S { dst, src } => r!(dst) = f64c(r!(src) as i64 as f64),
            Op::F64ConvertI64U { dst, src } => r!(dst) = f64c(r!(src) as f64),
            Op::F32DemoteF64 { dst, src } => r!(dst) = f32c(convert::f32_demote_f64(f64r!(src))),
            Op::F64PromoteF32 { dst, src } => r!(dst) = f64c(convert::f64_promote_f32(f32r!(src))),

            // ---------------------------------------------------------------- memory 0
            Op::Load32 { dst, addr, offset } => {
                let b = tryt!(load::<4>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = u64::from(u32::from_le_bytes(b));
            }
            Op::Load64 { dst, addr, offset } => {
                let b = tryt!(load::<8>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = u64::from_le_bytes(b);
            }
            Op::Load8U { dst, addr, offset } => {
                let b = tryt!(load::<1>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = u64::from(b[0]);
            }
            Op::Load16U { dst, addr, offset } => {
                let b = tryt!(load::<2>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = u64::from(u16::from_le_bytes(b));
            }
            Op::I32Load8S { dst, addr, offset } => {
                let b = tryt!(load::<1>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = u64::from(b[0] as i8 as i32 as u32);
            }
            Op::I32Load16S { dst, addr, offset } => {
                let b = tryt!(load::<2>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = u64::from(i16::from_le_bytes(b) as i32 as u32);
            }
            Op::I64Load8S { dst, addr, offset } => {
                let b = tryt!(load::<1>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = b[0] as i8 as i64 as u64;
            }
            Op::I64Load16S { dst, addr, offset } => {
                let b = tryt!(load::<2>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = i16::from_le_bytes(b) as i64 as u64;
            }
            Op::I64Load32S { dst, addr, offset } => {
                let b = tryt!(load::<4>(mem, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                r!(dst) = i32::from_le_bytes(b) as i64 as u64;
            }
            Op::Store8 { addr, value, offset } => {
                tryt!(store(mem, r!(addr), offset, [r!(value) as u8]), TrapKind::MemoryOutOfBounds)
            }
            Op::Store16 { addr, value, offset } => tryt!(
                store(mem, r!(addr), offset, (r!(value) as u16).to_le_bytes()),
                TrapKind::MemoryOutOfBounds
            ),
            Op::Store32 { addr, value, offset } => tryt!(
                store(mem, r!(addr), offset, (r!(value) as u32).to_le_bytes()),
                TrapKind::MemoryOutOfBounds
            ),
            Op::Store64 { addr, value, offset } => {
                tryt!(store(mem, r!(addr), offset, r!(value).to_le_bytes()), TrapKind::MemoryOutOfBounds)
            }

            // ---------------------------------------------------------------- other memories
            Op::LoadMem { dst, addr, offset, mem: m, kind } => {
                let data = &memories[memory_of!(m)].data;
                r!(dst) = tryt!(do_load(kind, data, r!(addr), offset), TrapKind::MemoryOutOfBounds);
                reload_mem!();
            }
            Op::StoreMem { addr, value, offset, mem: m, kind } => {
                let data = &mut memories[memory_of!(m)].data;
                tryt!(do_store(kind, data, r!(addr), offset, r!(value)), TrapKind::MemoryOutOfBounds);
                reload_mem!();
            }
            Op::MemorySize { dst, mem: m } => {
                r!(dst) = u64::from(memories[memory_of!(m)].pages());
                reload_mem!();
            }
            Op::MemoryGrow { dst, delta, mem: m } => {
                let old = memories[memory_of!(m)].grow(r32!(delta));
                r!(dst) = u64::from(old.unwrap_or(u32::MAX));
                reload_mem!();
            }
            Op::MemoryFill { args, mem: m } => {
                let (d, v, n) = (r32!(args), r!(args + 1) as u8, r32!(args + 2));
                charge_bulk!(n);
                let data = &mut memories[memory_of!(m)].data;
                let dst = tryt!(range(d, n, data.len()), TrapKind::MemoryOutOfBounds);
                data[dst].fill(v);
                reload_mem!();
            }
            Op::MemoryCopy { args, dst_mem, src_mem } => {
                let (d, s, n) = (r32!(args), r32!(args + 1), r32!(args + 2));
                charge_bulk!(n);
                let (da, sa) = (memory_of!(dst_mem), memory_of!(src_mem));
                if da == sa {
                    let data = &mut memories[da].data;
                    let src = tryt!(range(s, n, data.len()), TrapKind::MemoryOutOfBounds);
                    let dst = tryt!(range(d, n, data.len()), TrapKind::MemoryOutOfBounds);
                    data.copy_within(src, dst.start);
                } else {
                    let (dm, sm) = pair_mut(memories, da, sa);
                    let src = tryt!(range(s, n, sm.data.len()), TrapKind::MemoryOutOfBounds);
                    let dst = tryt!(range(d, n, dm.data.len()), TrapKind::MemoryOutOfBounds);
                    dm.data[dst].copy_from_slice(&sm.data[src]);
                }
                reload_mem!();
            }
            Op::MemoryInit { args, mem: m, data } => {
                let (d, s, n) = (r32!(args), r32!(args + 1), r32!(args + 2));
                charge_bulk!(n);
                let bytes = &datas[instance.datas[data as usize] as usize];
                let target = &mut memories[memory_of!(m)].data;
                let src = tryt!(range(s, n, bytes.len()), TrapKind::MemoryOutOfBounds);
                let dst = tryt!(range(d, n, target.len()), TrapKind::MemoryOutOfBounds);
                target[dst].copy_from_slice(&bytes[src]);
                reload_mem!();
            }
            Op::DataDrop { data } => {
                datas[instance.datas[data as usize] as usize] = Arc::from(&[][..]);
            }

            // ---------------------------------------------------------------- globals
            Op::GlobalGet { dst, global } => r!(dst) = globals[instance.globals[global as usize] as usize].lo,
            Op::GlobalGet2 { dst, global } => {
                let g = &globals[instance.globals[global as usize] as usize];
                r!(dst) = g.lo;
                r!(dst + 1) = g.hi;
            }
            Op::GlobalSet { src, global } => globals[instance.globals[global as usize] as usize].lo = r!(src),
            Op::GlobalSet2 { src, global } => {
                let g = &mut globals[instance.globals[global as usize] as usize];
                g.lo = r!(src);
                g.hi = r!(src + 1);
            }

            // ---------------------------------------------------------------- tables
            Op::RefFunc { dst, func } => r!(dst) = u64::from(instance.funcs[func as usize]) + 1,
            Op::TableGet { dst, index, table } => {
                let t = &tables[table_of!(table)];
                r!(dst) = u64::from(*tryt!(t.elements.get(r32!(index) as usize), TrapKind::TableOutOfBounds));
            }
            Op::TableSet { index, value, table } => {
                let t = &mut tables[table_of!(table)];
                let slot = tryt!(t.elements.get_mut(r32!(index) as usize), TrapKind::TableOutOfBounds);
                *slot = r32!(value);
            }
            Op::TableSize { dst, table } => r!(dst) = tables[table_of!(table)].elements.len() as u64,
            Op::TableGrow { dst, args, table } => {
                let (init, delta) = (r32!(args), r32!(args + 1));
                let old = tables[table_of!(table)].grow(delta, init);
                r!(dst) = u64::from(old.unwrap_or(u32::MAX));
            }
            Op::TableFill { args, table } => {
                let (i, v, n) = (r32!(args), r32!(args + 1), r32!(args + 2));
                charge_bulk!(n);
                let t = &mut tables[table_of!(table)];
                let dst = tryt!(range(i, n, t.elements.len()), TrapKind::TableOutOfBounds);
                t.elements[dst].fill(v);
            }
            Op::TableCopy { args, dst_table, src_table } => {
                let (d, s, n) = (r32!(args), r32!(args + 1), r32!(args + 2));
                charge_bulk!(n);
                let (da, sa) = (table_of!(dst_table), table_of!(src_table));
                if da == sa {
                    let t = &mut tables[da].elements;
                    let src = tryt!(range(s, n, t.len()), TrapKind::TableOutOfBounds);
                    let dst = tryt!(range(d, n, t.len()), TrapKind::TableOutOfBounds);
                    t.copy_within(src, dst.start);
                } else {
                    let (dt, stb) = pair_mut(tables, da, sa);
                    let src = tryt!(range(s, n, stb.elements.len()), TrapKind::TableOutOfBounds);
                    let dst = tryt!(range(d, n, dt.elements.len()), TrapKind::TableOutOfBounds);
                    dt.elements[dst].copy_from_slice(&stb.elements[src]);
                }
            }
            Op::TableInit { args, table, elem } => {
                let (d, s, n) = (r32!(args), r32!(args + 1), r32!(args + 2));
                charge_bulk!(n);
                let items = &elems[instance.elems[elem as usize] as usize];
                let t = &mut tables[table_of!(table)];
                let src = tryt!(range(s, n, items.len()), TrapKind::TableOutOfBounds);
                let dst = tryt!(range(d, n, t.elements.len()), TrapKind::TableOutOfBounds);
                t.elements[dst].copy_from_slice(&items[src]);
            }
            Op::ElemDrop { elem } => {
                elems[instance.elems[elem as usize] as usize] = Box::new([]);
            }

            // ---------------------------------------------------------------- SIMD memory
            Op::V128Load { dst, addr, offset, mem: m } => {
                wv!(dst, u128::from_le_bytes(vload!(m, addr, offset, 16)))
            }
            Op::V128Load8x8S { dst, addr, offset, mem: m } => {
                wv!(
                    dst,
                    simd::i16x8_extend_low_i8x16_s(u128::from(u64::from_le_bytes(vload!(
                        m, addr, offset, 8
                    ))))
                )
            }
            Op::V128Load8x8U { dst, addr, offset, mem: m } => {
                wv!(
                    dst,
                    simd::i16x8_extend_low_i8x16_u(u128::from(u64::from_le_bytes(vload!(
                        m, addr, offset, 8
                    ))))
                )
            }
            Op::V128Load16x4S { dst, addr, offset, mem: m } => {
                wv!(
                    dst,
                    simd::i32x4_extend_low_i16x8_s(u128::from(u64::from_le_bytes(vload!(
                        m, addr, offset, 8
                    ))))
                )
            }
            Op::V128Load16x4U { dst, addr, offset, mem: m } => {
                wv!(
                    dst,
                    simd::i32x4_extend_low_i16x8_u(u128::from(u64::from_le_bytes(vload!(
                        m, addr, offset, 8
                    ))))
                )
            }
            Op::V128Load32x2S { dst, addr, offset, mem: m } => {
                wv!(
                    dst,
                    simd::i64x2_extend_low_i32x4_s(u128::from(u64::from_le_bytes(vload!(
                        m, addr, offset, 8
                    ))))
                )
            }
            Op::V128Load32x2U { dst, addr, offset, mem: m } => {
                wv!(
                    dst,
                    simd::i64x2_extend_low_i32x4_u(u128::from(u64::from_le_bytes(vload!(
                        m, addr, offset, 8
                    ))))
                )
            }
            Op::V128Load8Splat { dst, addr, offset, mem: m } => {
                wv!(dst, simd::i8x16_splat(u32::from(vload!(m, addr, offset, 1)[0])))
            }
            Op::V128Load16Splat { dst, addr, offset, mem: m } => {
                wv!(dst, simd::i16x8_splat(u32::from(u16::from_le_bytes(vload!(m, addr, offset, 2)))))
            }
            Op::V128Load32Splat { dst, addr, offset, mem: m } => {
                wv!(dst, simd::i32x4_splat(u32::from_le_bytes(vload!(m, addr, offset, 4))))
            }
            Op::V128Load64Splat { dst, addr, offset, mem: m } => {
                wv!(dst, simd::i64x2_splat(u64::from_le_bytes(vload!(m, addr, offset, 8))))
            }
            Op::V128Load32Zero { dst, addr, offset, mem: m } => {
                wv!(dst, u128::from(u32::from_le_bytes(vload!(m, addr, offset, 4))))
            }
            Op::V128Load64Zero { dst, addr, offset, mem: m } => {
                wv!(dst, u128::from(u64::from_le_bytes(vload!(m, addr, offset, 8))))
            }
            Op::V128Load8Lane { dst, addr, offset, lane, mem: m } => {
                let x = u32::from(vload!(m, addr, offset, 1)[0]);
                wv!(dst, simd::i8x16_replace_lane(rv!(dst + 1), lane, x))
            }
            Op::V128Load16Lane { dst, addr, offset, lane, mem: m } => {
                let x = u32::from(u16::from_le_bytes(vload!(m, addr, offset, 2)));
                wv!(dst, simd::i16x8_replace_lane(rv!(dst + 1), lane, x))
            }
            Op::V128Load32Lane { dst, addr, offset, lane, mem: m } => {
                let x = u32::from_le_bytes(vload!(m, addr, offset, 4));
                wv!(dst, simd::i32x4_replace_lane(rv!(dst + 1), lane, x))
            }
            Op::V128Load64Lane { dst, addr, offset, lane, mem: m } => {
                let x = u64::from_le_bytes(vload!(m, addr, offset, 8));
                wv!(dst, simd::i64x2_replace_lane(rv!(dst + 1), lane, x))
            }
            Op::V128Store { addr, value, offset, mem: m } => {
                let bytes = rv!(value).to_le_bytes();
                tryt!(with_mem!(m, |d| store(d, r!(addr), offset, bytes)), TrapKind::MemoryOutOfBounds)
            }
            Op::V128Store8Lane { addr, value, offset, lane, mem: m } => {
                let x = simd::i8x16_extract_lane_u(rv!(value), lane) as u8;
                tryt!(with_mem!(m, |d| store(d, r!(addr), offset, [x])), TrapKind::MemoryOutOfBounds)
            }
            Op::V128Store16Lane { addr, value, offset, lane, mem: m } => {
                let x = (simd::i16x8_extract_lane_u(rv!(value), lane) as u16).to_le_bytes();
                tryt!(with_mem!(m, |d| store(d, r!(addr), offset, x)), TrapKind::MemoryOutOfBounds)
            }
            Op::V128Store32Lane { addr, value, offset, lane, mem: m } => {
                let x = simd::i32x4_extract_lane(rv!(value), lane).to_le_bytes();
                tryt!(with_mem!(m, |d| store(d, r!(addr), offset, x)), TrapKind::MemoryOutOfBounds)
            }
            Op::V128Store64Lane { addr, value, offset, lane, mem: m } => {
                let x = simd::i64x2_extract_lane(rv!(value), lane).to_le_bytes();
                tryt!(with_mem!(m, |d| store(d, r!(addr), offset, x)), TrapKind::MemoryOutOfBounds)
            }

            // ---------------------------------------------------------------- SIMD computation
            Op::V128Not { dst, src } => wv!(dst, simd::v128_not(rv!(src))),
            Op::I8x16Abs { dst, src } => wv!(dst, simd::i8x16_abs(rv!(src))),
            Op::I8x16Neg { dst, src } => wv!(dst, simd::i8x16_neg(rv!(src))),
            Op::I8x16Popcnt { dst, src } => wv!(dst, simd::i8x16_popcnt(rv!(src))),
            Op::I16x8ExtAddPairwiseI8x16S { dst, src } => {
                wv!(dst, simd::i16x8_extadd_pairwise_i8x16_s(rv!(src)))
            }
            Op::I16x8ExtAddPairwiseI8x16U { dst, src } => {
                wv!(dst, simd::i16x8_extadd_pairwise_i8x16_u(rv!(src)))
            }
            Op::I16x8Abs { dst, src } => wv!(dst, simd::i16x8_abs(rv!(src))),
            Op::I16x8Neg { dst, src } => wv!(dst, simd::i16x8_neg(rv!(src))),
            Op::I16x8ExtendLowI8x16S { dst, src } => wv!(dst, simd::i16x8_extend_low_i8x16_s(rv!(src))),
            Op::I16x8ExtendHighI8x16S { dst, src } => wv!(dst, simd::i16x8_extend_high_i8x16_s(rv!(src))),
            Op::I16x8ExtendLowI8x16U { dst, src } => wv!(dst, simd::i16x8_extend_low_i8x16_u(rv!(src))),
            Op::I16x8ExtendHighI8x16U { dst, src } => wv!(dst, simd::i16x8_extend_high_i8x16_u(rv!(src))),
            Op::I32x4ExtAddPairwiseI16x8S { dst, src } => {
                wv!(dst, simd::i32x4_extadd_pairwise_i16x8_s(rv!(src)))
            }
            Op::I32x4ExtAddPairwiseI16x8U { dst, src } => {
                wv!(dst, simd::i32x4_extadd_pairwise_i16x8_u(rv!(src)))
            }
            Op::I32x4Abs { dst, src } => wv!(dst, simd::i32x4_abs(rv!(src))),
            Op::I32x4Neg { dst, src } => wv!(dst, simd::i32x4_neg(rv!(src))),
            Op::I32x4ExtendLowI16x8S { dst, src } => wv!(dst, simd::i32x4_extend_low_i16x8_s(rv!(src))),
            Op::I32x4ExtendHighI16x8S { dst, src } => wv!(dst, simd::i32x4_extend_high_i16x8_s(rv!(src))),
            Op::I32x4ExtendLowI16x8U { dst, src } => wv!(dst, simd::i32x4_extend_low_i16x8_u(rv!(src))),
            Op::I32x4ExtendHighI16x8U { dst, src } => wv!(dst, simd::i32x4_extend_high_i16x8_u(rv!(src))),
            Op::I64x2Abs { dst, src } => wv!(dst, simd::i64x2_abs(rv!(src))),
            Op::I64x2Neg { dst, src } => wv!(dst, simd::i64x2_neg(rv!(src))),
            Op::I64x2ExtendLowI32x4S { dst, src } => wv!(dst, simd::i64x2_extend_low_i32x4_s(rv!(src))),
            Op::I64x2ExtendHighI32x4S { dst, src } => wv!(dst, simd::i64x2_extend_high_i32x4_s(rv!(src))),
            Op::I64x2ExtendLowI32x4U { dst, src } => wv!(dst, simd::i64x2_extend_low_i32x4_u(rv!(src))),
            Op::I64x2ExtendHighI32x4U { dst, src } => wv!(dst, simd::i64x2_extend_high_i32x4_u(rv!(src))),
            Op::F32x4Ceil { dst, src } => wv!(dst, simd::f32x4_ceil(rv!(src))),
            Op::F32x4Floor { dst, src } => wv!(dst, simd::f32x4_floor(rv!(src))),
            Op::F32x4Trunc { dst, src } => wv!(dst, simd::f32x4_trunc(rv!(src))),
            Op::F32x4Nearest { dst, src } => wv!(dst, simd::f32x4_nearest(rv!(src))),
            Op::F32x4Abs { dst, src } => wv!(dst, simd::f32x4_abs(rv!(src))),
            Op::F32x4Neg { dst, src } => wv!(dst, simd::f32x4_neg(rv!(src))),
            Op::F32x4Sqrt { dst, src } => wv!(dst, simd::f32x4_sqrt(rv!(src))),
            Op::F64x2Ceil { dst, src } => wv!(dst, simd::f64x2_ceil(rv!(src))),
            Op::F64x2Floor { dst, src } => wv!(dst, simd::f64x2_floor(rv!(src))),
            Op::F64x2Trunc { dst, src } => wv!(dst, simd::f64x2_trunc(rv!(src))),
            Op::F64x2Nearest { dst, src } => wv!(dst, simd::f64x2_nearest(rv!(src))),
            Op::F64x2Abs { dst, src } => wv!(dst, simd::f64x2_abs(rv!(src))),
            Op::F64x2Neg { dst, src } => wv!(dst, simd::f64x2_neg(rv!(src))),
            Op::F64x2Sqrt { dst, src } => wv!(dst, simd::f64x2_sqrt(rv!(src))),
            Op::I32x4TruncSatF32x4S { dst, src } => wv!(dst, simd::i32x4_trunc_sat_f32x4_s(rv!(src))),
            Op::I32x4TruncSatF32x4U { dst, src } => wv!(dst, simd::i32x4_trunc_sat_f32x4_u(rv!(src))),
            Op::F32x4ConvertI32x4S { dst, src } => wv!(dst, simd::f32x4_convert_i32x4_s(rv!(src))),
            Op::F32x4ConvertI32x4U { dst, src } => wv!(dst, simd::f32x4_convert_i32x4_u(rv!(src))),
            Op::I32x4TruncSatF64x2SZero { dst, src } => {
                wv!(dst, simd::i32x4_trunc_sat_f64x2_s_zero(rv!(src)))
            }
            Op::I32x4TruncSatF64x2UZero { dst, src } => {
                wv!(dst, simd::i32x4_trunc_sat_f64x2_u_zero(rv!(src)))
            }
            Op::F64x2ConvertLowI32x4S { dst, src } => wv!(dst, simd::f64x2_convert_low_i32x4_s(rv!(src))),
            Op::F64x2ConvertLowI32x4U { dst, src } => wv!(dst, simd::f64x2_convert_low_i32x4_u(rv!(src))),
            Op::F32x4DemoteF64x2Zero { dst, src } => wv!(dst, simd::f32x4_demote_f64x2_zero(rv!(src))),
            Op::F64x2PromoteLowF32x4 { dst, src } => wv!(dst, simd::f64x2_promote_low_f32x4(rv!(src))),
            Op::I8x16Swizzle { dst, a, b } => wv!(dst, simd::i8x16_swizzle(rv!(a), rv!(b))),
            Op::I8x16Eq { dst, a, b } => wv!(dst, simd::i8x16_eq(rv!(a), rv!(b))),
            Op::I8x16Ne { dst, a, b } => wv!(dst, simd::i8x16_ne(rv!(a), rv!(b))),
            Op::I8x16LtS { dst, a, b } => wv!(dst, simd::i8x16_lt_s(rv!(a), rv!(b))),
            Op::I8x16LtU { dst, a, b } => wv!(dst, simd::i8x16_lt_u(rv!(a), rv!(b))),
            Op::I8x16GtS { dst, a, b } => wv!(dst, simd::i8x16_gt_s(rv!(a), rv!(b))),
            Op::I8x16GtU { dst, a, b } => wv!(dst, simd::i8x16_gt_u(rv!(a), rv!(b))),
            Op::I8x16LeS { dst, a, b } => wv!(dst, simd::i8x16_le_s(rv!(a), rv!(b))),
            Op::I8x16LeU { dst, a, b } => wv!(dst, simd::i8x16_le_u(rv!(a), rv!(b))),
            Op::I8x16GeS { dst, a, b } => wv!(dst, simd::i8x16_ge_s(rv!(a), rv!(b))),
            Op::I8x16GeU { dst, a, b } => wv!(dst, simd::i8x16_ge_u(rv!(a), rv!(b))),
            Op::I16x8Eq { dst, a, b } => wv!(dst, simd::i16x8_eq(rv!(a), rv!(b))),
            Op::I16x8Ne { dst, a, b } => wv!(dst, simd::i16x8_ne(rv!(a), rv!(b))),
            Op::I16x8LtS { dst, a, b } => wv!(dst, simd::i16x8_lt_s(rv!(a), rv!(b))),
            Op::I16x8LtU { dst, a, b } => wv!(dst, simd::i16x8_lt_u(rv!(a), rv!(b))),
            Op::I16x8GtS { dst, a, b } => wv!(dst, simd::i16x8_gt_s(rv!(a), rv!(b))),
            Op::I16x8GtU { dst, a, b } => wv!(dst, simd::i16x8_gt_u(rv!(a), rv!(b))),
            Op::I16x8LeS { dst, a, b } => wv!(dst, simd::i16x8_le_s(rv!(a), rv!(b))),
            Op::I16x8LeU { dst, a, b } => wv!(dst, simd::i16x8_le_u(rv!(a), rv!(b))),
            Op::I16x8GeS { dst, a, b } => wv!(dst, simd::i16x8_ge_s(rv!(a), rv!(b))),
            Op::I16x8GeU { dst, a, b } => wv!(dst, simd::i16x8_ge_u(rv!(a), rv!(b))),
            Op::I32x4Eq { dst, a, b } => wv!(dst, simd::i32x4_eq(rv!(a), rv!(b))),
            Op::I32x4Ne { dst, a, b } => wv!(dst, simd::i32x4_ne(rv!(a), rv!(b))),
            Op::I32x4LtS { dst, a, b } => wv!(dst, simd::i32x4_lt_s(rv!(a), rv!(b))),
            Op::I32x4LtU { dst, a, b } => wv!(dst, simd::i32x4_lt_u(rv!(a), rv!(b))),
            Op::I32x4GtS { dst, a, b } => wv!(dst, simd::i32x4_gt_s(rv!(a), rv!(b))),
            Op::I32x4GtU { dst, a, b } => wv!(dst, simd::i32x4_gt_u(rv!(a), rv!(b))),
            Op::I32x4LeS { dst, a, b } => wv!(dst, simd::i32x4_le_s(rv!(a), rv!(b))),
            Op::I32x4LeU { dst, a, b } => wv!(dst, simd::i32x4_le_u(rv!(a), rv!(b))),
            Op::I32x4GeS { dst, a, b } => wv!(dst, simd::i32x4_ge_s(rv!(a), rv!(b))),
            Op::I32x4GeU { dst, a, b } => wv!(dst, simd::i32x4_ge_u(rv!(a), rv!(b))),
            Op::I64x2Eq { dst, a, b } => wv!(dst, simd::i64x2_eq(rv!(a), rv!(b))),
            Op::I64x2Ne { dst, a, b } => wv!(dst, simd::i64x2_ne(rv!(a), rv!(b))),
            Op::I64x2LtS { dst, a, b } => wv!(dst, simd::i64x2_lt_s(rv!(a), rv!(b))),
            Op::I64x2GtS { dst, a, b } => wv!(dst, simd::i64x2_gt_s(rv!(a), rv!(b))),
            Op::I64x2LeS { dst, a, b } => wv!(dst, simd::i64x2_le_s(rv!(a), rv!(b))),
            Op::I64x2GeS { dst, a, b } => wv!(dst, simd::i64x2_ge_s(rv!(a), rv!(b))),
            Op::F32x4Eq { dst, a, b } => wv!(dst, simd::f32x4_eq(rv!(a), rv!(b))),
            Op::F32x4Ne { dst, a, b } => wv!(dst, simd::f32x4_ne(rv!(a), rv!(b))),
            Op::F32x4Lt { dst, a, b } => wv!(dst, simd::f32x4_lt(rv!(a), rv!(b))),
            Op::F32x4Gt { dst, a, b } => wv!(dst, simd::f32x4_gt(rv!(a), rv!(b))),
            Op::F32x4Le { dst, a, b } => wv!(dst, simd::f32x4_le(rv!(a), rv!(b))),
            Op::F32x4Ge { dst, a, b } => wv!(dst, simd::f32x4_ge(rv!(a), rv!(b))),
            Op::F64x2Eq { dst, a, b } => wv!(dst, simd::f64x2_eq(rv!(a), rv!(b))),
            Op::F64x2Ne { dst, a, b } => wv!(dst, simd::f64x2_ne(rv!(a), rv!(b))),
            Op::F64x2Lt { dst, a, b } => wv!(dst, simd::f64x2_lt(rv!(a), rv!(b))),
            Op::F64x2Gt { dst, a, b } => wv!(dst, simd::f64x2_gt(rv!(a), rv!(b))),
            Op::F64x2Le { dst, a, b } => wv!(dst, simd::f64x2_le(rv!(a), rv!(b))),
            Op::F64x2Ge { dst, a, b } => wv!(dst, simd::f64x2_ge(rv!(a), rv!(b))),
            Op::V128And { dst, a, b } => wv!(dst, simd::v128_and(rv!(a), rv!(b))),
            Op::V128AndNot { dst, a, b } => wv!(dst, simd::v128_andnot(rv!(a), rv!(b))),
            Op::V128Or { dst, a, b } => wv!(dst, simd::v128_or(rv!(a), rv!(b))),
            Op::V128Xor { dst, a, b } => wv!(dst, simd::v128_xor(rv!(a), rv!(b))),
            Op::I8x16NarrowI16x8S { dst, a, b } => wv!(dst, simd::i8x16_narrow_i16x8_s(rv!(a), rv!(b))),
            Op::I8x16NarrowI16x8U { dst, a, b } => wv!(dst, simd::i8x16_narrow_i16x8_u(rv!(a), rv!(b))),
            Op::I8x16Add { dst, a, b } => wv!(dst, simd::i8x16_add(rv!(a), rv!(b))),
            Op::I8x16AddSatS { dst, a, b } => wv!(dst, simd::i8x16_add_sat_s(rv!(a), rv!(b))),
            Op::I8x16AddSatU { dst, a, b } => wv!(dst, simd::i8x16_add_sat_u(rv!(a), rv!(b))),
            Op::I8x16Sub { dst, a, b } => wv!(dst, simd::i8x16_sub(rv!(a), rv!(b))),
            Op::I8x16SubSatS { dst, a, b } => wv!(dst, simd::i8x16_sub_sat_s(rv!(a), rv!(b))),
            Op::I8x16SubSatU { dst, a, b } => wv!(dst, simd::i8x16_sub_sat_u(rv!(a), rv!(b))),
            Op::I8x16MinS { dst, a, b } => wv!(dst, simd::i8x16_min_s(rv!(a), rv!(b))),
            Op::I8x16MinU { dst, a, b } => wv!(dst, simd::i8x16_min_u(rv!(a), rv!(b))),
            Op::I8x16MaxS { dst, a, b } => wv!(dst, simd::i8x16_max_s(rv!(a), rv!(b))),
            Op::I8x16MaxU { dst, a, b } => wv!(dst, simd::i8x16_max_u(rv!(a), rv!(b))),
            Op::I8x16AvgrU { dst, a, b } => wv!(dst, simd::i8x16_avgr_u(rv!(a), rv!(b))),
            Op::I16x8Q15MulrSatS { dst, a, b } => wv!(dst, simd::i16x8_q15mulr_sat_s(rv!(a), rv!(b))),
            Op::I16x8NarrowI32x4S { dst, a, b } => wv!(dst, simd::i16x8_narrow_i32x4_s(rv!(a), rv!(b))),
            Op::I16x8NarrowI32x4U { dst, a, b } => wv!(dst, simd::i16x8_narrow_i32x4_u(rv!(a), rv!(b))),
            Op::I16x8Add { dst, a, b } => wv!(dst, simd::i16x8_add(rv!(a), rv!(b))),
            Op::I16x8AddSatS { dst, a, b } => wv!(dst, simd::i16x8_add_sat_s(rv!(a), rv!(b))),
            Op::I16x8AddSatU { dst, a, b } => wv!(dst, simd::i16x8_add_sat_u(rv!(a), rv!(b))),
            Op::I16x8Sub { dst, a, b } => wv!(dst, simd::i16x8_sub(rv!(a), rv!(b))),
            Op::I16x8SubSatS { dst, a, b } => wv!(dst, simd::i16x8_sub_sat_s(rv!(a), rv!(b))),
            Op::I16x8SubSatU { dst, a, b } => wv!(dst, simd::i16x8_sub_sat_u(rv!(a), rv!(b))),
            Op::I16x8Mul { dst, a, b } => wv!(dst, simd::i16x8_mul(rv!(a), rv!(b))),
            Op::I16x8MinS { dst, a, b } => wv!(dst, simd::i16x8_min_s(rv!(a), rv!(b))),
            Op::I16x8MinU { dst, a, b } => wv!(dst, simd::i16x8_min_u(rv!(a), rv!(b))),
            Op::I16x8MaxS { dst, a, b } => wv!(dst, simd::i16x8_max_s(rv!(a), rv!(b))),
            Op::I16x8MaxU { dst, a, b } => wv!(dst, simd::i16x8_max_u(rv!(a), rv!(b))),
            Op::I16x8AvgrU { dst, a, b } => wv!(dst, simd::i16x8_avgr_u(rv!(a), rv!(b))),
            Op::I16x8ExtMulLowI8x16S { dst, a, b } => {
                wv!(dst, simd::i16x8_extmul_low_i8x16_s(rv!(a), rv!(b)))
            }
            Op::I16x8ExtMulHighI8x16S { dst, a, b } => {
                wv!(dst, simd::i16x8_extmul_high_i8x16_s(rv!(a), rv!(b)))
            }
            Op::I16x8ExtMulLowI8x16U { dst, a, b } => {
                wv!(dst, simd::i16x8_extmul_low_i8x16_u(rv!(a), rv!(b)))
            }
            Op::I16x8ExtMulHighI8x16U { dst, a, b } => {
                wv!(dst, simd::i16x8_extmul_high_i8x16_u(rv!(a), rv!(b)))
            }
            Op::I32x4Add { dst, a, b } => wv!(dst, simd::i32x4_add(rv!(a), rv!(b))),
            Op::I32x4Sub { dst, a, b } => wv!(dst, simd::i32x4_sub(rv!(a), rv!(b))),
            Op::I32x4Mul { dst, a, b } => wv!(dst, simd::i32x4_mul(rv!(a), rv!(b))),
            Op::I32x4MinS { dst, a, b } => wv!(dst, simd::i32x4_min_s(rv!(a), rv!(b))),
            Op::I32x4MinU { dst, a, b } => wv!(dst, simd::i32x4_min_u(rv!(a), rv!(b))),
            Op::I32x4MaxS { dst, a, b } => wv!(dst, simd::i32x4_max_s(rv!(a), rv!(b))),
            Op::I32x4MaxU { dst, a, b } => wv!(dst, simd::i32x4_max_u(rv!(a), rv!(b))),
            Op::I32x4DotI16x8S { dst, a, b } => wv!(dst, simd::i32x4_dot_i16x8_s(rv!(a), rv!(b))),
            Op::I32x4ExtMulLowI16x8S { dst, a, b } => {
                wv!(dst, simd::i32x4_extmul_low_i16x8_s(rv!(a), rv!(b)))
            }
            Op::I32x4ExtMulHighI16x8S { dst, a, b } => {
                wv!(dst, simd::i32x4_extmul_high_i16x8_s(rv!(a), rv!(b)))
            }
            Op::I32x4ExtMulLowI16x8U { dst, a, b } => {
                wv!(dst, simd::i32x4_extmul_low_i16x8_u(rv!(a), rv!(b)))
            }
            Op::I32x4ExtMulHighI16x8U { dst, a, b } => {
                wv!(dst, simd::i32x4_extmul_high_i16x8_u(rv!(a), rv!(b)))
            }
            Op::I64x2Add { dst, a, b } => wv!(dst, simd::i64x2_add(rv!(a), rv!(b))),
            Op::I64x2Sub { dst, a, b } => wv!(dst, simd::i64x2_sub(rv!(a), rv!(b))),
            Op::I64x2Mul { dst, a, b } => wv!(dst, simd::i64x2_mul(rv!(a), rv!(b))),
            Op::I64x2ExtMulLowI32x4S { dst, a, b } => {
                wv!(dst, simd::i64x2_extmul_low_i32x4_s(rv!(a), rv!(b)))
            }
            Op::I64x2ExtMulHighI32x4S { dst, a, b } => {
                wv!(dst, simd::i64x2_extmul_high_i32x4_s(rv!(a), rv!(b)))
            }
            Op::I64x2ExtMulLowI32x4U { dst, a, b } => {
                wv!(dst, simd::i64x2_extmul_low_i32x4_u(rv!(a), rv!(b)))
            }
            Op::I64x2ExtMulHighI32x4U { dst, a, b } => {
                wv!(dst, simd::i64x2_extmul_high_i32x4_u(rv!(a), rv!(b)))
            }
            Op::F32x4Add { dst, a, b } => wv!(dst, simd::f32x4_add(rv!(a), rv!(b))),
            Op::F32x4Sub { dst, a, b } => wv!(dst, simd::f32x4_sub(rv!(a), rv!(b))),
            Op::F32x4Mul { dst, a, b } => wv!(dst, simd::f32x4_mul(rv!(a), rv!(b))),
            Op::F32x4Div { dst, a, b } => wv!(dst, simd::f32x4_div(rv!(a), rv!(b))),
            Op::F32x4Min { dst, a, b } => wv!(dst, simd::f32x4_min(rv!(a), rv!(b))),
            Op::F32x4Max { dst, a, b } => wv!(dst, simd::f32x4_max(rv!(a), rv!(b))),
            Op::F32x4PMin { dst, a, b } => wv!(dst, simd::f32x4_pmin(rv!(a), rv!(b))),
            Op::F32x4PMax { dst, a, b } => wv!(dst, simd::f32x4_pmax(rv!(a), rv!(b))),
            Op::F64x2Add { dst, a, b } => wv!(dst, simd::f64x2_add(rv!(a), rv!(b))),
            Op::F64x2Sub { dst, a, b } => wv!(dst, simd::f64x2_sub(rv!(a), rv!(b))),
            Op::F64x2Mul { dst, a, b } => wv!(dst, simd::f64x2_mul(rv!(a), rv!(b))),
            Op::F64x2Div { dst, a, b } => wv!(dst, simd::f64x2_div(rv!(a), rv!(b))),
            Op::F64x2Min { dst, a, b } => wv!(dst, simd::f64x2_min(rv!(a), rv!(b))),
            Op::F64x2Max { dst, a, b } => wv!(dst, simd::f64x2_max(rv!(a), rv!(b))),
            Op::F64x2PMin { dst, a, b } => wv!(dst, simd::f64x2_pmin(rv!(a), rv!(b))),
            Op::F64x2PMax { dst, a, b } => wv!(dst, simd::f64x2_pmax(rv!(a), rv!(b))),
            Op::I8x16Shl { dst, a, b } => wv!(dst, simd::i8x16_shl(rv!(a), r32!(b))),
            Op::I8x16ShrS { dst, a, b } => wv!(dst, simd::i8x16_shr_s(rv!(a), r32!(b))),
            Op::I8x16ShrU { dst, a, b } => wv!(dst, simd::i8x16_shr_u(rv!(a), r32!(b))),
            Op::I16x8Shl { dst, a, b } => wv!(dst, simd::i16x8_shl(rv!(a), r32!(b))),
            Op::I16x8ShrS { dst, a, b } => wv!(dst, simd::i16x8_shr_s(rv!(a), r32!(b))),
            Op::I16x8ShrU { dst, a, b } => wv!(dst, simd::i16x8_shr_u(rv!(a), r32!(b))),
            Op::I32x4Shl { dst, a, b } => wv!(dst, simd::i32x4_shl(rv!(a), r32!(b))),
            Op::I32x4ShrS { dst, a, b } => wv!(dst, simd::i32x4_shr_s(rv!(a), r32!(b))),
            Op::I32x4ShrU { dst, a, b } => wv!(dst, simd::i32x4_shr_u(rv!(a), r32!(b))),
            Op::I64x2Shl { dst, a, b } => wv!(dst, simd::i64x2_shl(rv!(a), r32!(b))),
            Op::I64x2ShrS { dst, a, b } => wv!(dst, simd::i64x2_shr_s(rv!(a), r32!(b))),
            Op::I64x2ShrU { dst, a, b } => wv!(dst, simd::i64x2_shr_u(rv!(a), r32!(b))),
            Op::V128AnyTrue { dst, src } => r!(dst) = b2c(simd::v128_any_true(rv!(src))),
            Op::I8x16AllTrue { dst, src } => r!(dst) = b2c(simd::i8x16_all_true(rv!(src))),
            Op::I8x16Bitmask { dst, src } => r!(dst) = u64::from(simd::i8x16_bitmask(rv!(src))),
            Op::I16x8AllTrue { dst, src } => r!(dst) = b2c(simd::i16x8_all_true(rv!(src))),
            Op::I16x8Bitmask { dst, src } => r!(dst) = u64::from(simd::i16x8_bitmask(rv!(src))),
            Op::I32x4AllTrue { dst, src } => r!(dst) = b2c(simd::i32x4_all_true(rv!(src))),
            Op::I32x4Bitmask { dst, src } => r!(dst) = u64::from(simd::i32x4_bitmask(rv!(src))),
            Op::I64x2AllTrue { dst, src } => r!(dst) = b2c(simd::i64x2_all_true(rv!(src))),
            Op::I64x2Bitmask { dst, src } => r!(dst) = u64::from(simd::i64x2_bitmask(rv!(src))),
            Op::I8x16Splat { dst, src } => wv!(dst, simd::i8x16_splat(r32!(src))),
            Op::I16x8Splat { dst, src } => wv!(dst, simd::i16x8_splat(r32!(src))),
            Op::I32x4Splat { dst, src } => wv!(dst, simd::i32x4_splat(r32!(src))),
            Op::I64x2Splat { dst, src } => wv!(dst, simd::i64x2_splat(r!(src))),
            Op::F32x4Splat { dst, src } => wv!(dst, simd::f32x4_splat(f32r!(src))),
            Op::F64x2Splat { dst, src } => wv!(dst, simd::f64x2_splat(f64r!(src))),
            Op::I8x16ExtractLaneS { dst, src, lane } => {
                r!(dst) = u64::from(simd::i8x16_extract_lane_s(rv!(src), lane))
            }
            Op::I8x16ExtractLaneU { dst, src, lane } => {
                r!(dst) = u64::from(simd::i8x16_extract_lane_u(rv!(src), lane))
            }
            Op::I16x8ExtractLaneS { dst, src, lane } => {
                r!(dst) = u64::from(simd::i16x8_extract_lane_s(rv!(src), lane))
            }
            Op::I16x8ExtractLaneU { dst, src, lane } => {
                r!(dst) = u64::from(simd::i16x8_extract_lane_u(rv!(src), lane))
            }
            Op::I32x4ExtractLane { dst, src, lane } => {
                r!(dst) = u64::from(simd::i32x4_extract_lane(rv!(src), lane))
            }
            Op::I64x2ExtractLane { dst, src, lane } => r!(dst) = simd::i64x2_extract_lane(rv!(src), lane),
            Op::F32x4ExtractLane { dst, src, lane } => {
                r!(dst) = f32c(simd::f32x4_extract_lane(rv!(src), lane))
            }
            Op::F64x2ExtractLane { dst, src, lane } => {
                r!(dst) = f64c(simd::f64x2_extract_lane(rv!(src), lane))
            }
            Op::I8x16ReplaceLane { dst, a, b, lane } => {
                wv!(dst, simd::i8x16_replace_lane(rv!(a), lane, r32!(b)))
            }
            Op::I16x8ReplaceLane { dst, a, b, lane } => {
                wv!(dst, simd::i16x8_replace_lane(rv!(a), lane, r32!(b)))
            }
            Op::I32x4ReplaceLane { dst, a, b, lane } => {
                wv!(dst, simd::i32x4_replace_lane(rv!(a), lane, r32!(b)))
            }
            Op::I64x2ReplaceLane { dst, a, b, lane } => {
                wv!(dst, simd::i64x2_replace_lane(rv!(a), lane, r!(b)))
            }
            Op::F32x4ReplaceLane { dst, a, b, lane } => {
                wv!(dst, simd::f32x4_replace_lane(rv!(a), lane, f32r!(b)))
            }
            Op::F64x2ReplaceLane { dst, a, b, lane } => {
                wv!(dst, simd::f64x2_replace_lane(rv!(a), lane, f64r!(b)))
            }
            Op::I8x16Shuffle { dst, a, b, lanes } => {
                let lanes = tryt!(shuffles.get(lanes as usize), TrapKind::Unreachable);
                wv!(dst, simd::i8x16_shuffle(rv!(a), rv!(b), lanes))
            }
            Op::V128Bitselect { dst, a, b, c } => wv!(dst, simd::v128_bitselect(rv!(a), rv!(b), rv!(c))),
        }
    }
}
