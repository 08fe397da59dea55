//! The `fd_*` calls: operations on an open descriptor. Each takes decoded arguments and
//! returns what the glue writes back to guest memory.

use super::abi::{self, DIRENT_SIZE, Errno, Fdstat, Filestat, WasiResult, rights};
use super::ctx::WasiCtx;
use super::fd::{DirEntry, Entry, Handle, filetype_of, filetype_of_stat};
use super::wait::Waiter;
use rustix::fs::{Timestamps, UTIME_NOW, UTIME_OMIT};
use rustix::time::Timespec;
use std::io::{Read, Seek, SeekFrom, Write};
use std::num::NonZeroU64;
use std::os::unix::fs::FileExt;

/// `fd_read`: one read into `buf`. A read of the host's standard input first waits (through
/// `waiter`, so interruption stops it) until there is something to read.
pub(crate) fn read(ctx: &mut WasiCtx, fd: u32, buf: &mut [u8], waiter: &mut Waiter<'_>) -> WasiResult<usize> {
    let e = ctx.fds.with_rights_mut(fd, rights::FD_READ)?;
    match &mut e.handle {
        Handle::Input(input) => {
            if !input.always_ready() {
                waiter.wait_stdin(None)?;
            }
            match input.read(buf, &mut || waiter.stopped()) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted && waiter.stopped_already() => {
                    Err(Errno::INTR)
                }
                other => Ok(other?),
            }
        }
        Handle::File(file) => Ok(file.read(buf)?),
        Handle::Dir(_) => Err(Errno::ISDIR),
        Handle::Output(_) => Err(Errno::BADF),
    }
}

/// `fd_pread`: one read at `offset`, leaving the position unchanged.
pub(crate) fn pread(ctx: &mut WasiCtx, fd: u32, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
    let e = stream_is_spipe(ctx.fds.get(fd)?, rights::FD_READ | rights::FD_SEEK)?;
    match &e.handle {
        Handle::File(file) => Ok(file.read_at(buf, offset)?),
        _ => Err(Errno::ISDIR),
    }
}

/// `fd_write`: writes `data` (all of it to a stream, one write to a file).
pub(crate) fn write(ctx: &mut WasiCtx, fd: u32, data: &[u8]) -> WasiResult<usize> {
    let e = ctx.fds.with_rights_mut(fd, rights::FD_WRITE)?;
    match &mut e.handle {
        Handle::Output(out) => {
            out.write_all(data)?;
            Ok(data.len())
        }
        Handle::File(file) => Ok(file.write(data)?),
        Handle::Dir(_) => Err(Errno::ISDIR),
        Handle::Input(_) => Err(Errno::BADF),
    }
}

/// `fd_pwrite`: one write at `offset`, leaving the position unchanged.
pub(crate) fn pwrite(ctx: &mut WasiCtx, fd: u32, data: &[u8], offset: u64) -> WasiResult<usize> {
    let e = stream_is_spipe(ctx.fds.get(fd)?, rights::FD_WRITE | rights::FD_SEEK)?;
    match &e.handle {
        Handle::File(file) => Ok(file.write_at(data, offset)?),
        _ => Err(Errno::ISDIR),
    }
}

/// Streams cannot seek (`ESPIPE`, as on a pipe); otherwise the rights are checked.
fn stream_is_spipe(e: &Entry, needed: u64) -> WasiResult<&Entry> {
    if matches!(e.handle, Handle::Input(_) | Handle::Output(_)) {
        return Err(Errno::SPIPE);
    }
    e.require(needed)?;
    Ok(e)
}

/// `fd_seek`: moves the position; returns the new one.
pub(crate) fn seek(ctx: &mut WasiCtx, fd: u32, offset: i64, whence: u32) -> WasiResult<u64> {
    let needed = if offset == 0 && whence == abi::WHENCE_CUR { rights::FD_TELL } else { rights::FD_SEEK };
    let e = ctx.fds.get_mut(fd)?;
    stream_is_spipe(e, needed)?;
    let pos = match whence {
        abi::WHENCE_SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
        abi::WHENCE_CUR => SeekFrom::Current(offset),
        abi::WHENCE_END => SeekFrom::End(offset),
        _ => return Err(Errno::INVAL),
    };
    match &mut e.handle {
        Handle::File(file) => Ok(file.seek(pos)?),
        _ => Err(Errno::BADF),
    }
}

/// `fd_close`.
pub(crate) fn close(ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    ctx.fds.remove(fd).map(drop)
}

/// `fd_renumber`.
pub(crate) fn renumber(ctx: &mut WasiCtx, from: u32, to: u32) -> WasiResult<()> {
    ctx.fds.renumber(from, to)
}

/// `fd_sync` (`data_only`: `fd_datasync`).
pub(crate) fn sync(ctx: &mut WasiCtx, fd: u32, data_only: bool) -> WasiResult<()> {
    let needed = if data_only { rights::FD_DATASYNC } else { rights::FD_SYNC };
    let e = ctx.fds.with_rights(fd, needed)?;
    match &e.handle {
        Handle::File(file) if data_only => Ok(file.sync_data()?),
        Handle::File(file) => Ok(file.sync_all()?),
        Handle::Dir(dir) => Ok(rustix::fs::fsync(&dir.fd)?),
        _ => Err(Errno::INVAL),
    }
}

/// `fd_advise`: a hint, passed on to the host for files.
pub(crate) fn advise(ctx: &mut WasiCtx, fd: u32, offset: u64, len: u64, advice: u32) -> WasiResult<()> {
    use rustix::fs::Advice;
    let advice = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::INVAL),
    };
    let e = ctx.fds.with_rights(fd, rights::FD_ADVISE)?;
    match &e.handle {
        Handle::File(file) => Ok(rustix::fs::fadvise(file, offset, NonZeroU64::new(len), advice)?),
        _ => Err(Errno::BADF),
    }
}

/// `fd_allocate`: makes sure the file is at least `offset + len` bytes long.
pub(crate) fn allocate(ctx: &mut WasiCtx, fd: u32, offset: u64, len: u64) -> WasiResult<()> {
    let e = ctx.fds.with_rights(fd, rights::FD_ALLOCATE)?;
    let Handle::File(file) = &e.handle else { return Err(Errno::BADF) };
    let end = offset.checked_add(len).filter(|&end| end <= i64::MAX as u64).ok_or(Errno::FBIG)?;
    if file.metadata()?.len() < end {
        file.set_len(end)?;
    }
    Ok(())
}

/// `fd_fdstat_get`.
pub(crate) fn fdstat_get(ctx: &WasiCtx, fd: u32) -> WasiResult<Fdstat> {
    let e = ctx.fds.get(fd)?;
    Ok(Fdstat {
        filetype: e.filetype(),
        flags: e.flags,
        rights_base: e.base,
        rights_inheriting: e.inheriting,
    })
}

/// `fd_fdstat_set_flags`: `APPEND` and `NONBLOCK` can change; the synchronous-I/O flags
/// cannot after opening (`ENOTSUP`).
pub(crate) fn fdstat_set_flags(ctx: &mut WasiCtx, fd: u32, flags: u16) -> WasiResult<()> {
    use rustix::fs::OFlags;
    let e = ctx.fds.with_rights_mut(fd, rights::FD_FDSTAT_SET_FLAGS)?;
    if flags & (abi::FDFLAGS_DSYNC | abi::FDFLAGS_RSYNC | abi::FDFLAGS_SYNC) != 0 {
        return Err(Errno::NOTSUP);
    }
    if flags & !(abi::FDFLAGS_APPEND | abi::FDFLAGS_NONBLOCK) != 0 {
        return Err(Errno::INVAL);
    }
    if let Handle::File(file) = &e.handle {
        let mut host = rustix::fs::fcntl_getfl(file)?;
        host.set(OFlags::APPEND, flags & abi::FDFLAGS_APPEND != 0);
        host.set(OFlags::NONBLOCK, flags & abi::FDFLAGS_NONBLOCK != 0);
        rustix::fs::fcntl_setfl(file, host)?;
    }
    e.flags = flags;
    Ok(())
}

/// `fd_fdstat_set_rights`: rights can only be dropped.
pub(crate) fn fdstat_set_rights(ctx: &mut WasiCtx, fd: u32, base: u64, inheriting: u64) -> WasiResult<()> {
    let e = ctx.fds.get_mut(fd)?;
    if base & !e.base != 0 || inheriting & !e.inheriting != 0 {
        return Err(Errno::NOTCAPABLE);
    }
    e.base = base;
    e.inheriting = inheriting;
    Ok(())
}

/// The `filestat` of a host `stat`.
pub(crate) fn filestat_of(st: &rustix::fs::Stat) -> Filestat {
    let time = |sec: i64, nsec: u64| {
        u64::try_from(sec).unwrap_or(0).saturating_mul(1_000_000_000).saturating_add(nsec)
    };
    // The field types of `struct stat` differ between targets; these casts widen or keep them.
    #[allow(clippy::unnecessary_cast)]
    Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype: filetype_of_stat(st),
        nlink: st.st_nlink as u64,
        size: u64::try_from(st.st_size).unwrap_or(0),
        atim: time(st.st_atime as i64, st.st_atime_nsec as u64),
        mtim: time(st.st_mtime as i64, st.st_mtime_nsec as u64),
        ctim: time(st.st_ctime as i64, st.st_ctime_nsec as u64),
    }
}

/// `fd_filestat_get`.
pub(crate) fn filestat_get(ctx: &WasiCtx, fd: u32) -> WasiResult<Filestat> {
    let e = ctx.fds.with_rights(fd, rights::FD_FILESTAT_GET)?;
    match &e.handle {
        Handle::File(file) => Ok(filestat_of(&rustix::fs::fstat(file)?)),
        Handle::Dir(dir) => Ok(filestat_of(&rustix::fs::fstat(&dir.fd)?)),
        Handle::Input(_) | Handle::Output(_) => {
            Ok(Filestat { filetype: e.filetype(), ..Filestat::default() })
        }
    }
}

/// `fd_filestat_set_size`.
pub(crate) fn filestat_set_size(ctx: &mut WasiCtx, fd: u32, size: u64) -> WasiResult<()> {
    let e = ctx.fds.with_rights(fd, rights::FD_FILESTAT_SET_SIZE)?;
    match &e.handle {
        Handle::File(file) => Ok(file.set_len(size)?),
        Handle::Dir(_) => Err(Errno::ISDIR),
        _ => Err(Errno::INVAL),
    }
}

/// The host timestamps for `*_set_times` (`EINVAL` if a time is both given and "now").
pub(crate) fn timestamps(atim: u64, mtim: u64, fst_flags: u16) -> WasiResult<Timestamps> {
    let one = |value: u64, set: u16, now: u16| -> WasiResult<Timespec> {
        match (fst_flags & set != 0, fst_flags & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (false, true) => Ok(Timespec { tv_sec: 0, tv_nsec: UTIME_NOW }),
            (true, false) => {
                Ok(Timespec { tv_sec: (value / 1_000_000_000) as i64, tv_nsec: (value % 1_000_000_000) as _ })
            }
            (false, false) => Ok(Timespec { tv_sec: 0, tv_nsec: UTIME_OMIT }),
        }
    };
    if fst_flags & !(abi::FST_ATIM | abi::FST_ATIM_NOW | abi::FST_MTIM | abi::FST_MTIM_NOW) != 0 {
        return Err(Errno::INVAL);
    }
    Ok(Timestamps {
        last_access: one(atim, abi::FST_ATIM, abi::FST_ATIM_NOW)?,
        last_modification: one(mtim, abi::FST_MTIM, abi::FST_MTIM_NOW)?,
    })
}

/// `fd_filestat_set_times`.
pub(crate) fn filestat_set_times(
    ctx: &mut WasiCtx,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst: u16,
) -> WasiResult<()> {
    let times = timestamps(atim, mtim, fst)?;
    let e = ctx.fds.with_rights(fd, rights::FD_FILESTAT_SET_TIMES)?;
    match &e.handle {
        Handle::File(file) => Ok(rustix::fs::futimens(file, &times)?),
        Handle::Dir(dir) => Ok(rustix::fs::futimens(&dir.fd, &times)?),
        _ => Err(Errno::BADF),
    }
}

/// `fd_prestat_get`/`fd_prestat_dir_name`: the guest path of a preopened directory.
pub(crate) fn prestat_name(ctx: &WasiCtx, fd: u32) -> WasiResult<&str> {
    match &ctx.fds.get(fd)?.handle {
        Handle::Dir(dir) => dir.preopen.as_deref().ok_or(Errno::BADF),
        _ => Err(Errno::BADF),
    }
}

/// Reads the entries of a directory, `.` and `..` first, the rest sorted by name.
fn list(dir: &rustix::fd::OwnedFd) -> WasiResult<Vec<DirEntry>> {
    let mut entries = Vec::new();
    for entry in rustix::fs::Dir::read_from(dir)? {
        let entry = entry?;
        entries.push(DirEntry {
            name: entry.file_name().to_bytes().to_vec(),
            ino: entry.ino(),
            filetype: filetype_of(entry.file_type()),
        });
    }
    let rank = |name: &[u8]| match name {
        b"." => 0,
        b".." => 1,
        _ => 2,
    };
    entries.sort_by(|a, b| (rank(&a.name), &a.name).cmp(&(rank(&b.name), &b.name)));
    Ok(entries)
}

/// `fd_readdir`: the `dirent` records from `cookie` on, at most `capacity` bytes (the last
/// record may be cut, which tells the guest to retry with a larger buffer). The cookie of an
/// entry is its position in the listing plus one; cookie 0 starts (and re-reads) the listing.
pub(crate) fn readdir(ctx: &mut WasiCtx, fd: u32, cookie: u64, capacity: usize) -> WasiResult<Vec<u8>> {
    let e = ctx.fds.with_rights_mut(fd, rights::FD_READDIR)?;
    let Handle::Dir(dir) = &mut e.handle else { return Err(Errno::NOTDIR) };
    if cookie == 0 || dir.listing.is_none() {
        dir.listing = Some(list(&dir.fd)?);
    }
    let listing = dir.listing.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, entry) in listing.iter().enumerate().skip(start) {
        if out.len() >= capacity {
            break;
        }
        let mut header = [0u8; DIRENT_SIZE];
        header[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        header[8..16].copy_from_slice(&entry.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(entry.name.len() as u32).to_le_bytes());
        header[20] = entry.filetype;
        out.extend_from_slice(&header);
        out.extend_from_slice(&entry.name);
    }
    out.truncate(capacity);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_reject_both_a_time_and_now() {
        assert_eq!(timestamps(0, 0, abi::FST_ATIM | abi::FST_ATIM_NOW).err(), Some(Errno::INVAL));
        assert_eq!(timestamps(0, 0, 1 << 7).err(), Some(Errno::INVAL));
        let t = timestamps(1_500_000_000, 0, abi::FST_ATIM | abi::FST_MTIM_NOW).unwrap();
        assert_eq!((t.last_access.tv_sec, t.last_access.tv_nsec), (1, 500_000_000));
        assert_eq!(t.last_modification.tv_nsec, UTIME_NOW);
    }
}
