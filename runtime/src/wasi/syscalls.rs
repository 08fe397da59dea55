//! The glue between the interpreter's public API and the WASI calls: one table entry per
//! `wasi_snapshot_preview1` function (name, parameter types, body), registered on a
//! [`Linker`] with [`Linker::func_new`]. Each body decodes its arguments, reads and writes
//! guest memory through [`GuestMemory`] and returns an errno.

use super::abi::{Errno, WasiResult};
use super::ctx::WasiCtx;
use super::mem::{self, GuestMemory};
use super::path_ops::{OpenRequest, Times};
use super::wait::Waiter;
use super::{WasiExit, clock, fd_ops, path_ops, poll};
use crate::error::{Error, Result};
use crate::func::Caller;
use crate::instance::Extern;
use crate::interrupt::interrupted;
use crate::linker::Linker;
use crate::store::AsContextMut;
use crate::trap::TrapKind;
use crate::types::{FuncType, ValType};
use crate::value::Val;
use std::sync::Arc;

/// The import module name of WASI preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The state a call body works on.
struct Cx<'a> {
    ctx: &'a mut WasiCtx,
    mem: GuestMemory<'a>,
    /// Stops blocking waits when the store is interrupted.
    waiter: Waiter<'a>,
}

/// The arguments of a call, by position.
struct Args<'a>(&'a [Val]);

impl Args<'_> {
    fn u32(&self, i: usize) -> u32 {
        self.0.get(i).and_then(Val::i32).unwrap_or(0) as u32
    }
    fn u64(&self, i: usize) -> u64 {
        self.0.get(i).and_then(Val::i64).unwrap_or(0) as u64
    }
    /// A 16-bit flags argument (passed as i32): `EINVAL` if the upper bits are set.
    fn u16(&self, i: usize) -> WasiResult<u16> {
        u16::try_from(self.u32(i)).map_err(|_| Errno::INVAL)
    }
}

type Body = fn(&mut Cx<'_>, &Args<'_>) -> WasiResult<()>;

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

/// Every implemented call that returns an errno: name, parameter types, body.
const CALLS: &[(&str, &[ValType], Body)] = &[
    ("args_get", &[I32, I32], args_get),
    ("args_sizes_get", &[I32, I32], args_sizes_get),
    ("environ_get", &[I32, I32], environ_get),
    ("environ_sizes_get", &[I32, I32], environ_sizes_get),
    ("clock_res_get", &[I32, I32], clock_res_get),
    ("clock_time_get", &[I32, I64, I32], clock_time_get),
    ("random_get", &[I32, I32], random_get),
    ("sched_yield", &[], sched_yield),
    ("poll_oneoff", &[I32, I32, I32, I32], poll_oneoff),
    ("fd_advise", &[I32, I64, I64, I32], fd_advise),
    ("fd_allocate", &[I32, I64, I64], fd_allocate),
    ("fd_close", &[I32], fd_close),
    ("fd_datasync", &[I32], fd_datasync),
    ("fd_fdstat_get", &[I32, I32], fd_fdstat_get),
    ("fd_fdstat_set_flags", &[I32, I32], fd_fdstat_set_flags),
    ("fd_fdstat_set_rights", &[I32, I64, I64], fd_fdstat_set_rights),
    ("fd_filestat_get", &[I32, I32], fd_filestat_get),
    ("fd_filestat_set_size", &[I32, I64], fd_filestat_set_size),
    ("fd_filestat_set_times", &[I32, I64, I64, I32], fd_filestat_set_times),
    ("fd_pread", &[I32, I32, I32, I64, I32], fd_pread),
    ("fd_prestat_get", &[I32, I32], fd_prestat_get),
    ("fd_prestat_dir_name", &[I32, I32, I32], fd_prestat_dir_name),
    ("fd_pwrite", &[I32, I32, I32, I64, I32], fd_pwrite),
    ("fd_read", &[I32, I32, I32, I32], fd_read),
    ("fd_readdir", &[I32, I32, I32, I64, I32], fd_readdir),
    ("fd_renumber", &[I32, I32], fd_renumber),
    ("fd_seek", &[I32, I64, I32, I32], fd_seek),
    ("fd_sync", &[I32], fd_sync),
    ("fd_tell", &[I32, I32], fd_tell),
    ("fd_write", &[I32, I32, I32, I32], fd_write),
    ("path_create_directory", &[I32, I32, I32], path_create_directory),
    ("path_filestat_get", &[I32, I32, I32, I32, I32], path_filestat_get),
    ("path_filestat_set_times", &[I32, I32, I32, I32, I64, I64, I32], path_filestat_set_times),
    ("path_link", &[I32, I32, I32, I32, I32, I32, I32], path_link),
    ("path_open", &[I32, I32, I32, I32, I32, I64, I64, I32, I32], path_open),
    ("path_readlink", &[I32, I32, I32, I32, I32, I32], path_readlink),
    ("path_remove_directory", &[I32, I32, I32], path_remove_directory),
    ("path_rename", &[I32, I32, I32, I32, I32, I32], path_rename),
    ("path_symlink", &[I32, I32, I32, I32, I32], path_symlink),
    ("path_unlink_file", &[I32, I32, I32], path_unlink_file),
];

/// Calls that are declared (so modules importing them link) but answer `ENOSYS`.
const UNIMPLEMENTED: &[(&str, &[ValType])] = &[
    ("proc_raise", &[I32]),
    ("sock_accept", &[I32, I32, I32]),
    ("sock_recv", &[I32, I32, I32, I32, I32, I32]),
    ("sock_send", &[I32, I32, I32, I32, I32]),
    ("sock_shutdown", &[I32, I32]),
];

/// The names of the implemented calls (`proc_exit` included), in the order of the ABI docs.
pub fn implemented() -> impl Iterator<Item = &'static str> {
    CALLS.iter().map(|(name, _, _)| *name).chain(std::iter::once("proc_exit"))
}

/// The names of the calls that return `ENOSYS`.
pub fn unimplemented() -> impl Iterator<Item = &'static str> {
    UNIMPLEMENTED.iter().map(|(name, _)| *name)
}

/// Accessor from the store's data to the WASI context.
pub(crate) type GetCtx<T> = Arc<dyn Fn(&mut T) -> &mut WasiCtx + Send + Sync>;

/// Runs `body` with the caller's memory and WASI context; returns the errno as an i32, or an
/// `interrupted` trap if the store was interrupted while the call waited.
fn dispatch<T>(caller: &mut Caller<'_, T>, get: &GetCtx<T>, body: Body, args: &[Val]) -> Result<i32> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return Err(Error::host_message(
            "a WASI call needs the calling module to export its memory as `memory`",
        ));
    };
    let store = caller.as_context_mut();
    let interruptible = store.engine().config().interruptible;
    let state = store.inner.interrupt.clone();
    // Lent to the waiter for the call (the memory borrow covers the rest of the store).
    let mut callback = store.inner.interrupt_callback.take();
    let mut check = || interruptible && state.pending() && interrupted(&state, &mut callback);
    let outcome = memory.data_and_store_mut(&mut *store).map(|(bytes, data)| {
        let mut cx = Cx { ctx: get(data), mem: GuestMemory::new(bytes), waiter: Waiter::new(&mut check) };
        let errno = match body(&mut cx, &Args(args)) {
            Ok(()) => 0,
            Err(errno) => i32::from(errno.0),
        };
        (errno, cx.waiter.stopped_already())
    });
    store.inner.interrupt_callback = callback;
    match outcome? {
        (_, true) => Err(TrapKind::Interrupted.into()),
        (errno, false) => Ok(errno),
    }
}

/// Defines every `wasi_snapshot_preview1` function in `linker`; see [`super::add_to_linker`].
pub(crate) fn define<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    for &(name, params, body) in CALLS {
        let get = get.clone();
        let ty = FuncType::new(params.iter().copied(), [I32]);
        linker.func_new(MODULE, name, ty, move |mut caller, args, results| {
            results[0] = Val::I32(dispatch(&mut caller, &get, body, args)?);
            Ok(())
        })?;
    }
    for &(name, params) in UNIMPLEMENTED {
        let ty = FuncType::new(params.iter().copied(), [I32]);
        linker.func_new(MODULE, name, ty, |_, _, results| {
            results[0] = Val::I32(i32::from(Errno::NOSYS.0));
            Ok(())
        })?;
    }
    // `proc_exit` ends the program: an error that unwinds the wasm stack and that
    // `exit_code` turns back into the exit code.
    linker.func_new(MODULE, "proc_exit", FuncType::new([I32], []), |_, args, _| {
        let code = args.first().and_then(Val::i32).unwrap_or(0);
        Err(Error::host(WasiExit(code)))
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Arguments, environment, clocks, randomness.

/// Writes a list of strings as `argv`/`environ` does: NUL-terminated strings packed at
/// `buf`, and a pointer to each at `ptrs`.
fn write_strings(mem: &mut GuestMemory<'_>, list: &[String], ptrs: u32, buf: u32) -> WasiResult<()> {
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        mem.write_u32(ptrs.checked_add(i as u32 * 4).ok_or(Errno::FAULT)?, at)?;
        mem.write(at, s.as_bytes())?;
        let nul = at.checked_add(s.len() as u32).ok_or(Errno::FAULT)?;
        mem.write(nul, &[0])?;
        at = nul + 1;
    }
    Ok(())
}

/// Writes the count of a string list and the bytes its strings take with their NULs.
fn write_sizes(mem: &mut GuestMemory<'_>, list: &[String], count_ptr: u32, size_ptr: u32) -> WasiResult<()> {
    let size: usize = list.iter().map(|s| s.len() + 1).sum();
    mem.write_u32(count_ptr, list.len() as u32)?;
    mem.write_u32(size_ptr, u32::try_from(size).map_err(|_| Errno::OVERFLOW)?)
}

fn args_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    write_strings(&mut cx.mem, &cx.ctx.args, a.u32(0), a.u32(1))
}

fn args_sizes_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    write_sizes(&mut cx.mem, &cx.ctx.args, a.u32(0), a.u32(1))
}

fn environ_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    write_strings(&mut cx.mem, &cx.ctx.env, a.u32(0), a.u32(1))
}

fn environ_sizes_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    write_sizes(&mut cx.mem, &cx.ctx.env, a.u32(0), a.u32(1))
}

fn clock_res_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let res = clock::res_get(a.u32(0))?;
    cx.mem.write_u64(a.u32(1), res)
}

fn clock_time_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let now = clock::time_get(a.u32(0))?;
    cx.mem.write_u64(a.u32(2), now)
}

fn random_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    clock::random_fill(cx.mem.slice_mut(a.u32(0), a.u32(1))?)
}

fn sched_yield(_: &mut Cx<'_>, _: &Args<'_>) -> WasiResult<()> {
    std::thread::yield_now();
    Ok(())
}

fn poll_oneoff(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let out = a.u32(3);
    cx.mem.slice(out, 4)?;
    let n = poll::poll_oneoff(cx.ctx, &mut cx.mem, &mut cx.waiter, a.u32(0), a.u32(1), a.u32(2))?;
    cx.mem.write_u32(out, n)
}

// ---------------------------------------------------------------------------------------------
// Descriptors.

/// `fd_read`/`fd_pread`: one host read into a buffer, scattered over the iovecs.
fn read_into(cx: &mut Cx<'_>, a: &Args<'_>, offset: Option<u64>, out: u32) -> WasiResult<()> {
    let iovs = cx.mem.iovecs(a.u32(1), a.u32(2))?;
    cx.mem.slice(out, 4)?;
    let mut buf = vec![0u8; mem::read_capacity(&iovs)];
    let n = match offset {
        None => fd_ops::read(cx.ctx, a.u32(0), &mut buf, &mut cx.waiter)?,
        Some(at) => fd_ops::pread(cx.ctx, a.u32(0), &mut buf, at)?,
    };
    let n = cx.mem.scatter(&iovs, &buf[..n.min(buf.len())])?;
    cx.mem.write_u32(out, n as u32)
}

/// `fd_write`/`fd_pwrite`: the iovecs gathered into one host write.
fn write_from(cx: &mut Cx<'_>, a: &Args<'_>, offset: Option<u64>, out: u32) -> WasiResult<()> {
    let iovs = cx.mem.iovecs(a.u32(1), a.u32(2))?;
    cx.mem.slice(out, 4)?;
    let data = cx.mem.gather(&iovs)?;
    let n = match offset {
        None => fd_ops::write(cx.ctx, a.u32(0), &data)?,
        Some(at) => fd_ops::pwrite(cx.ctx, a.u32(0), &data, at)?,
    };
    cx.mem.write_u32(out, n as u32)
}

fn fd_read(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    read_into(cx, a, None, a.u32(3))
}

fn fd_pread(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    read_into(cx, a, Some(a.u64(3)), a.u32(4))
}

fn fd_write(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    write_from(cx, a, None, a.u32(3))
}

fn fd_pwrite(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    write_from(cx, a, Some(a.u64(3)), a.u32(4))
}

fn fd_seek(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let out = a.u32(3);
    cx.mem.slice(out, 8)?;
    let pos = fd_ops::seek(cx.ctx, a.u32(0), a.u64(1) as i64, a.u32(2))?;
    cx.mem.write_u64(out, pos)
}

fn fd_tell(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let pos = fd_ops::seek(cx.ctx, a.u32(0), 0, super::abi::WHENCE_CUR)?;
    cx.mem.write_u64(a.u32(1), pos)
}

fn fd_close(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::close(cx.ctx, a.u32(0))
}

fn fd_renumber(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::renumber(cx.ctx, a.u32(0), a.u32(1))
}

fn fd_sync(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::sync(cx.ctx, a.u32(0), false)
}

fn fd_datasync(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::sync(cx.ctx, a.u32(0), true)
}

fn fd_advise(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::advise(cx.ctx, a.u32(0), a.u64(1), a.u64(2), a.u32(3))
}

fn fd_allocate(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::allocate(cx.ctx, a.u32(0), a.u64(1), a.u64(2))
}

fn fd_fdstat_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let st = fd_ops::fdstat_get(cx.ctx, a.u32(0))?;
    cx.mem.write(a.u32(1), &st.to_bytes())
}

fn fd_fdstat_set_flags(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::fdstat_set_flags(cx.ctx, a.u32(0), a.u16(1)?)
}

fn fd_fdstat_set_rights(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::fdstat_set_rights(cx.ctx, a.u32(0), a.u64(1), a.u64(2))
}

fn fd_filestat_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let st = fd_ops::filestat_get(cx.ctx, a.u32(0))?;
    cx.mem.write(a.u32(1), &st.to_bytes())
}

fn fd_filestat_set_size(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::filestat_set_size(cx.ctx, a.u32(0), a.u64(1))
}

fn fd_filestat_set_times(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    fd_ops::filestat_set_times(cx.ctx, a.u32(0), a.u64(1), a.u64(2), a.u16(3)?)
}

fn fd_prestat_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let len = fd_ops::prestat_name(cx.ctx, a.u32(0))?.len() as u32;
    let mut prestat = [0u8; 8];
    prestat[4..8].copy_from_slice(&len.to_le_bytes());
    cx.mem.write(a.u32(1), &prestat)
}

fn fd_prestat_dir_name(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let name = fd_ops::prestat_name(cx.ctx, a.u32(0))?;
    let len = a.u32(2) as usize;
    if len < name.len() {
        return Err(Errno::NAMETOOLONG);
    }
    cx.mem.write(a.u32(1), name.as_bytes())
}

fn fd_readdir(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let (buf, len, out) = (a.u32(1), a.u32(2), a.u32(4));
    cx.mem.slice(buf, len)?;
    cx.mem.slice(out, 4)?;
    let bytes = fd_ops::readdir(cx.ctx, a.u32(0), a.u64(3), len as usize)?;
    cx.mem.write(buf, &bytes)?;
    cx.mem.write_u32(out, bytes.len() as u32)
}

// ---------------------------------------------------------------------------------------------
// Paths.

/// The path argument at positions `i` (pointer) and `i + 1` (length), as an owned string
/// (so guest memory can be written while it is used).
fn path(cx: &Cx<'_>, a: &Args<'_>, i: usize) -> WasiResult<String> {
    cx.mem.str(a.u32(i), a.u32(i + 1)).map(str::to_string)
}

fn path_open(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let p = path(cx, a, 2)?;
    let out = a.u32(8);
    cx.mem.slice(out, 4)?;
    let req = OpenRequest {
        lookup: a.u32(1),
        oflags: a.u16(4)?,
        base: a.u64(5),
        inheriting: a.u64(6),
        fdflags: a.u16(7)?,
    };
    let fd = path_ops::open(cx.ctx, a.u32(0), &p, req)?;
    cx.mem.write_u32(out, fd)
}

fn path_create_directory(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    path_ops::create_directory(cx.ctx, a.u32(0), &path(cx, a, 1)?)
}

fn path_remove_directory(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    path_ops::remove_directory(cx.ctx, a.u32(0), &path(cx, a, 1)?)
}

fn path_unlink_file(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    path_ops::unlink_file(cx.ctx, a.u32(0), &path(cx, a, 1)?)
}

fn path_rename(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let (old, new) = (path(cx, a, 1)?, path(cx, a, 4)?);
    path_ops::rename(cx.ctx, a.u32(0), &old, a.u32(3), &new)
}

fn path_link(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let (old, new) = (path(cx, a, 2)?, path(cx, a, 5)?);
    path_ops::link(cx.ctx, a.u32(0), a.u32(1), &old, a.u32(4), &new)
}

fn path_symlink(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let (target, new) = (path(cx, a, 0)?, path(cx, a, 3)?);
    path_ops::symlink(cx.ctx, &target, a.u32(2), &new)
}

fn path_readlink(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let p = path(cx, a, 1)?;
    let (buf, len, out) = (a.u32(3), a.u32(4), a.u32(5));
    cx.mem.slice(buf, len)?;
    cx.mem.slice(out, 4)?;
    let target = path_ops::readlink(cx.ctx, a.u32(0), &p)?;
    let n = target.len().min(len as usize);
    cx.mem.write(buf, &target[..n])?;
    cx.mem.write_u32(out, n as u32)
}

fn path_filestat_get(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let p = path(cx, a, 2)?;
    let st = path_ops::filestat_get(cx.ctx, a.u32(0), a.u32(1), &p)?;
    cx.mem.write(a.u32(4), &st.to_bytes())
}

fn path_filestat_set_times(cx: &mut Cx<'_>, a: &Args<'_>) -> WasiResult<()> {
    let p = path(cx, a, 2)?;
    let times = Times { atim: a.u64(4), mtim: a.u64(5), fst_flags: a.u16(6)? };
    path_ops::filestat_set_times(cx.ctx, a.u32(0), a.u32(1), &p, times)
}
