//! The file-descriptor table: what each guest descriptor number refers to, with its rights.

use super::abi::{self, Errno, WasiResult, rights};
use super::stdio::{Input, Output};
use rustix::fd::OwnedFd;
use std::collections::BTreeMap;

/// The most descriptors a guest may have open at once.
pub(crate) const MAX_FDS: usize = 16_384;

/// One entry of a directory listing, as `fd_readdir` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: u8,
}

/// An open directory.
#[derive(Debug)]
pub(crate) struct Dir {
    /// The host handle every path below this directory is resolved against.
    pub fd: OwnedFd,
    /// The guest path it was preopened as (`None`: opened by the guest).
    pub preopen: Option<String>,
    /// The listing `fd_readdir` serves cookies from; refreshed when a listing starts (cookie 0).
    pub listing: Option<Vec<DirEntry>>,
}

/// What a descriptor refers to.
#[derive(Debug)]
pub(crate) enum Handle {
    /// A byte source (standard input).
    Input(Input),
    /// A byte sink (standard output or error).
    Output(Output),
    /// A regular file (or another non-directory the host opened).
    File(std::fs::File),
    /// A directory.
    Dir(Dir),
}

/// An open descriptor.
#[derive(Debug)]
pub(crate) struct Entry {
    pub handle: Handle,
    /// Operations allowed on this descriptor.
    pub base: u64,
    /// Rights descriptors opened through this one (a directory) may have.
    pub inheriting: u64,
    /// The `fdflags` it was opened or last set with.
    pub flags: u16,
}

impl Entry {
    /// Fails with `ENOTCAPABLE` unless the descriptor has every right in `needed`.
    pub fn require(&self, needed: u64) -> WasiResult<()> {
        if self.base & needed == needed { Ok(()) } else { Err(Errno::NOTCAPABLE) }
    }

    /// The directory this descriptor refers to (`ENOTDIR` otherwise).
    pub fn dir(&self) -> WasiResult<&Dir> {
        match &self.handle {
            Handle::Dir(d) => Ok(d),
            _ => Err(Errno::NOTDIR),
        }
    }

    /// The file type `fd_fdstat_get` reports.
    pub fn filetype(&self) -> u8 {
        match &self.handle {
            Handle::Input(i) if i.is_terminal() => abi::FILETYPE_CHARACTER_DEVICE,
            Handle::Output(o) if o.is_terminal() => abi::FILETYPE_CHARACTER_DEVICE,
            Handle::Input(_) | Handle::Output(_) => abi::FILETYPE_UNKNOWN,
            Handle::Dir(_) => abi::FILETYPE_DIRECTORY,
            Handle::File(f) => {
                rustix::fs::fstat(f).map(|st| filetype_of_stat(&st)).unwrap_or(abi::FILETYPE_UNKNOWN)
            }
        }
    }
}

/// The WASI file type of a host `stat`.
pub(crate) fn filetype_of_stat(st: &rustix::fs::Stat) -> u8 {
    filetype_of(rustix::fs::FileType::from_raw_mode(st.st_mode))
}

/// The WASI file type of a host file type.
pub(crate) fn filetype_of(ty: rustix::fs::FileType) -> u8 {
    use rustix::fs::FileType;
    match ty {
        FileType::RegularFile => abi::FILETYPE_REGULAR_FILE,
        FileType::Directory => abi::FILETYPE_DIRECTORY,
        FileType::Symlink => abi::FILETYPE_SYMBOLIC_LINK,
        FileType::CharacterDevice => abi::FILETYPE_CHARACTER_DEVICE,
        FileType::BlockDevice => abi::FILETYPE_BLOCK_DEVICE,
        FileType::Socket => abi::FILETYPE_SOCKET_STREAM,
        _ => abi::FILETYPE_UNKNOWN,
    }
}

/// Descriptor number -> open descriptor.
#[derive(Debug, Default)]
pub(crate) struct FdTable {
    entries: BTreeMap<u32, Entry>,
}

impl FdTable {
    /// The descriptor `fd` (`EBADF` if it is not open).
    pub fn get(&self, fd: u32) -> WasiResult<&Entry> {
        self.entries.get(&fd).ok_or(Errno::BADF)
    }

    /// The descriptor `fd`, mutably.
    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Entry> {
        self.entries.get_mut(&fd).ok_or(Errno::BADF)
    }

    /// The descriptor `fd`, which must have the rights `needed`.
    pub fn with_rights(&self, fd: u32, needed: u64) -> WasiResult<&Entry> {
        let e = self.get(fd)?;
        e.require(needed)?;
        Ok(e)
    }

    /// The descriptor `fd` mutably, which must have the rights `needed`.
    pub fn with_rights_mut(&mut self, fd: u32, needed: u64) -> WasiResult<&mut Entry> {
        let e = self.get_mut(fd)?;
        e.require(needed)?;
        Ok(e)
    }

    /// Opens a descriptor at the lowest free number.
    pub fn insert(&mut self, entry: Entry) -> WasiResult<u32> {
        if self.entries.len() >= MAX_FDS {
            return Err(Errno::MFILE);
        }
        let mut fd = 0;
        for &used in self.entries.keys() {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.entries.insert(fd, entry);
        Ok(fd)
    }

    /// Closes `fd`, returning what it referred to.
    pub fn remove(&mut self, fd: u32) -> WasiResult<Entry> {
        self.entries.remove(&fd).ok_or(Errno::BADF)
    }

    /// Moves descriptor `from` to number `to`, closing what `to` referred to. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult<()> {
        self.get(to)?;
        let entry = self.remove(from)?;
        self.entries.insert(to, entry);
        Ok(())
    }

    /// Iterates over the open descriptors in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Entry)> {
        self.entries.iter().map(|(&fd, e)| (fd, e))
    }
}

/// The standard rights of a freshly opened descriptor, by what it turned out to be.
pub(crate) fn rights_for(handle: &Handle) -> u64 {
    match handle {
        Handle::Input(_) => rights::INPUT,
        Handle::Output(_) => rights::OUTPUT,
        Handle::File(_) => rights::FILE,
        Handle::Dir(_) => rights::DIR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn null() -> Entry {
        Entry { handle: Handle::Input(Input::Null), base: rights::INPUT, inheriting: 0, flags: 0 }
    }

    #[test]
    fn descriptors_take_the_lowest_free_number() {
        let mut t = FdTable::default();
        assert_eq!(t.insert(null()), Ok(0));
        assert_eq!(t.insert(null()), Ok(1));
        assert_eq!(t.insert(null()), Ok(2));
        t.remove(1).unwrap();
        assert_eq!(t.insert(null()), Ok(1));
        assert_eq!(t.insert(null()), Ok(3));
        assert_eq!(t.remove(7).map(|_| ()), Err(Errno::BADF));
    }

    #[test]
    fn renumber_needs_both_descriptors() {
        let mut t = FdTable::default();
        t.insert(null()).unwrap();
        t.insert(null()).unwrap();
        assert_eq!(t.renumber(0, 5), Err(Errno::BADF));
        assert_eq!(t.renumber(0, 1), Ok(()));
        assert_eq!(t.get(0).map(|_| ()), Err(Errno::BADF));
        assert!(t.get(1).is_ok());
    }

    #[test]
    fn missing_rights_are_notcapable() {
        let mut t = FdTable::default();
        t.insert(null()).unwrap();
        assert!(t.with_rights(0, rights::FD_READ).is_ok());
        assert_eq!(t.with_rights(0, rights::FD_WRITE).map(|_| ()), Err(Errno::NOTCAPABLE));
    }
}
