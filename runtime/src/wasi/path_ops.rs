//! The `path_*` calls: every path is resolved inside the descriptor's directory by
//! [`sandbox::resolve`], then the operation is one `*at` call that does not follow links.

use super::abi::{self, Errno, Filestat, WasiResult, rights};
use super::ctx::WasiCtx;
use super::fd::{Dir, Entry, Handle, rights_for};
use super::fd_ops::{filestat_of, timestamps};
use super::sandbox::{self, Resolved, link_target_escapes};
use rustix::fd::{AsFd, BorrowedFd};
use rustix::fs::{AtFlags, Mode, OFlags};

/// The directory descriptor `fd`, which must have the rights `needed`.
fn dir_with(ctx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<(&Entry, &Dir)> {
    let e = ctx.fds.get(fd)?;
    let dir = e.dir()?;
    e.require(needed)?;
    Ok((e, dir))
}

/// Resolves `path` in `dir`; returns the resolution and the parent directory's handle.
fn resolve<'a>(dir: &'a Dir, path: &str, follow: bool) -> WasiResult<(Resolved, BorrowedFd<'a>)> {
    let r = sandbox::resolve(dir.fd.as_fd(), path, follow)?;
    Ok((r, dir.fd.as_fd()))
}

/// Whether `name` in `parent` is a directory (without following a link).
fn is_dir(parent: BorrowedFd<'_>, name: &str) -> WasiResult<bool> {
    let st = rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory)
}

/// What `path_open` was asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenRequest {
    pub lookup: u32,
    pub oflags: u16,
    pub base: u64,
    pub inheriting: u64,
    pub fdflags: u16,
}

/// `path_open`: opens (or creates) a file or directory; returns the new descriptor.
pub(crate) fn open(ctx: &mut WasiCtx, fd: u32, path: &str, req: OpenRequest) -> WasiResult<u32> {
    let mut needed = rights::PATH_OPEN;
    if req.oflags & abi::OFLAGS_CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if req.oflags & abi::OFLAGS_TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let (handle, inheriting) = open_handle(ctx, fd, needed, path, req)?;
    let base = req.base & inheriting & rights_for(&handle);
    ctx.fds.insert(Entry { handle, base, inheriting: req.inheriting & inheriting, flags: req.fdflags })
}

/// Opens the host file for `path_open`; returns it with the directory's inheriting rights.
fn open_handle(
    ctx: &WasiCtx,
    fd: u32,
    needed: u64,
    path: &str,
    req: OpenRequest,
) -> WasiResult<(Handle, u64)> {
    let (e, dir) = dir_with(ctx, fd, needed)?;
    // Asking to write where writing is not granted (a read-only preopen) fails here rather
    // than at the first write.
    if req.base & rights::FILE_WRITE & !e.inheriting != 0 {
        return Err(Errno::NOTCAPABLE);
    }
    if req.oflags & !(abi::OFLAGS_CREAT | abi::OFLAGS_DIRECTORY | abi::OFLAGS_EXCL | abi::OFLAGS_TRUNC) != 0 {
        return Err(Errno::INVAL);
    }
    let trailing = path.ends_with('/');
    let (r, root) = resolve(dir, path, req.lookup & abi::LOOKUP_SYMLINK_FOLLOW != 0 || trailing)?;
    let mut flags = OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NOCTTY;
    for (wasi, host) in [
        (abi::OFLAGS_CREAT, OFlags::CREATE),
        (abi::OFLAGS_DIRECTORY, OFlags::DIRECTORY),
        (abi::OFLAGS_EXCL, OFlags::EXCL),
        (abi::OFLAGS_TRUNC, OFlags::TRUNC),
    ] {
        if req.oflags & wasi != 0 {
            flags |= host;
        }
    }
    if r.trailing_slash {
        flags |= OFlags::DIRECTORY;
    }
    for (wasi, host) in [
        (abi::FDFLAGS_APPEND, OFlags::APPEND),
        (abi::FDFLAGS_NONBLOCK, OFlags::NONBLOCK),
        (abi::FDFLAGS_DSYNC, OFlags::DSYNC),
        (abi::FDFLAGS_SYNC | abi::FDFLAGS_RSYNC, OFlags::SYNC),
    ] {
        if req.fdflags & wasi != 0 {
            flags |= host;
        }
    }
    let read = req.base & (rights::FD_READ | rights::FD_READDIR) != 0;
    let write = req.base & rights::FILE_WRITE != 0;
    flags |= match (read, write) {
        (true, true) => OFlags::RDWR,
        (false, true) => OFlags::WRONLY,
        _ => OFlags::RDONLY,
    };
    let host = rustix::fs::openat(r.parent(root), r.name.as_str(), flags, Mode::from_raw_mode(0o666))?;
    let st = rustix::fs::fstat(&host)?;
    let handle = if rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory {
        Handle::Dir(Dir { fd: host, preopen: None, listing: None })
    } else if req.oflags & abi::OFLAGS_DIRECTORY != 0 {
        return Err(Errno::NOTDIR);
    } else {
        Handle::File(std::fs::File::from(host))
    };
    Ok((handle, e.inheriting))
}

/// `path_create_directory`.
pub(crate) fn create_directory(ctx: &WasiCtx, fd: u32, path: &str) -> WasiResult<()> {
    let (_, dir) = dir_with(ctx, fd, rights::PATH_CREATE_DIRECTORY)?;
    let (r, root) = resolve(dir, path, false)?;
    Ok(rustix::fs::mkdirat(r.parent(root), r.name.as_str(), Mode::from_raw_mode(0o777))?)
}

/// `path_remove_directory`.
pub(crate) fn remove_directory(ctx: &WasiCtx, fd: u32, path: &str) -> WasiResult<()> {
    let (_, dir) = dir_with(ctx, fd, rights::PATH_REMOVE_DIRECTORY)?;
    let (r, root) = resolve(dir, path, false)?;
    Ok(rustix::fs::unlinkat(r.parent(root), r.name.as_str(), AtFlags::REMOVEDIR)?)
}

/// `path_unlink_file`.
pub(crate) fn unlink_file(ctx: &WasiCtx, fd: u32, path: &str) -> WasiResult<()> {
    let (_, dir) = dir_with(ctx, fd, rights::PATH_UNLINK_FILE)?;
    let (r, root) = resolve(dir, path, false)?;
    let parent = r.parent(root);
    if r.trailing_slash {
        // `unlink("x/")`: never removes anything.
        return Err(if is_dir(parent, &r.name)? { Errno::ISDIR } else { Errno::NOTDIR });
    }
    Ok(rustix::fs::unlinkat(parent, r.name.as_str(), AtFlags::empty())?)
}

/// `path_rename`.
pub(crate) fn rename(ctx: &WasiCtx, fd: u32, old: &str, new_fd: u32, new: &str) -> WasiResult<()> {
    let (_, old_dir) = dir_with(ctx, fd, rights::PATH_RENAME_SOURCE)?;
    let (_, new_dir) = dir_with(ctx, new_fd, rights::PATH_RENAME_TARGET)?;
    let (from, old_root) = resolve(old_dir, old, false)?;
    let (to, new_root) = resolve(new_dir, new, false)?;
    let from_parent = from.parent(old_root);
    if (from.trailing_slash || to.trailing_slash) && !is_dir(from_parent, &from.name)? {
        return Err(Errno::NOTDIR);
    }
    // A link that pointed inside from its old place may point outside from the new one.
    if sandbox::move_plants_escaping_link(from_parent, &from.name, to.depth())? {
        return Err(Errno::NOTCAPABLE);
    }
    Ok(rustix::fs::renameat(from_parent, from.name.as_str(), to.parent(new_root), to.name.as_str())?)
}

/// `path_link`: a hard link `new` to the file at `old`.
pub(crate) fn link(ctx: &WasiCtx, fd: u32, lookup: u32, old: &str, new_fd: u32, new: &str) -> WasiResult<()> {
    let (_, old_dir) = dir_with(ctx, fd, rights::PATH_LINK_SOURCE)?;
    let (_, new_dir) = dir_with(ctx, new_fd, rights::PATH_LINK_TARGET)?;
    let (from, old_root) = resolve(old_dir, old, lookup & abi::LOOKUP_SYMLINK_FOLLOW != 0)?;
    let (to, new_root) = resolve(new_dir, new, false)?;
    // A hard link to a symbolic link is a second copy of it, at the new place.
    if sandbox::move_plants_escaping_link(from.parent(old_root), &from.name, to.depth())? {
        return Err(Errno::NOTCAPABLE);
    }
    Ok(rustix::fs::linkat(
        from.parent(old_root),
        from.name.as_str(),
        to.parent(new_root),
        to.name.as_str(),
        AtFlags::empty(),
    )?)
}

/// `path_symlink`: a symbolic link `new` pointing to `target`. A target that would point
/// outside the directory (absolute, or climbing above it) is refused.
pub(crate) fn symlink(ctx: &WasiCtx, target: &str, fd: u32, new: &str) -> WasiResult<()> {
    let (_, dir) = dir_with(ctx, fd, rights::PATH_SYMLINK)?;
    let (r, root) = resolve(dir, new, false)?;
    if target.is_empty() {
        return Err(Errno::NOENT);
    }
    if link_target_escapes(r.depth(), target) {
        return Err(Errno::NOTCAPABLE);
    }
    Ok(rustix::fs::symlinkat(target, r.parent(root), r.name.as_str())?)
}

/// `path_readlink`: the target of the link at `path`.
pub(crate) fn readlink(ctx: &WasiCtx, fd: u32, path: &str) -> WasiResult<Vec<u8>> {
    let (_, dir) = dir_with(ctx, fd, rights::PATH_READLINK)?;
    let (r, root) = resolve(dir, path, false)?;
    Ok(rustix::fs::readlinkat(r.parent(root), r.name.as_str(), Vec::new())?.into_bytes())
}

/// `path_filestat_get`.
pub(crate) fn filestat_get(ctx: &WasiCtx, fd: u32, lookup: u32, path: &str) -> WasiResult<Filestat> {
    let (_, dir) = dir_with(ctx, fd, rights::PATH_FILESTAT_GET)?;
    let trailing = path.ends_with('/');
    let (r, root) = resolve(dir, path, lookup & abi::LOOKUP_SYMLINK_FOLLOW != 0 || trailing)?;
    let st = filestat_of(&rustix::fs::statat(r.parent(root), r.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?);
    if trailing && st.filetype != abi::FILETYPE_DIRECTORY {
        return Err(Errno::NOTDIR);
    }
    Ok(st)
}

/// The arguments of `path_filestat_set_times` after the path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Times {
    pub atim: u64,
    pub mtim: u64,
    pub fst_flags: u16,
}

/// `path_filestat_set_times`.
pub(crate) fn filestat_set_times(
    ctx: &WasiCtx,
    fd: u32,
    lookup: u32,
    path: &str,
    t: Times,
) -> WasiResult<()> {
    let times = timestamps(t.atim, t.mtim, t.fst_flags)?;
    let (_, dir) = dir_with(ctx, fd, rights::PATH_FILESTAT_SET_TIMES)?;
    let (r, root) = resolve(dir, path, lookup & abi::LOOKUP_SYMLINK_FOLLOW != 0)?;
    Ok(rustix::fs::utimensat(r.parent(root), r.name.as_str(), &times, AtFlags::SYMLINK_NOFOLLOW)?)
}
