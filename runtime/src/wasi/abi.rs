//! The `wasi_snapshot_preview1` ABI: error numbers, flags, rights and the byte layouts of the
//! structures exchanged through guest memory (as in the `witx` definitions).

/// A WASI error number (`errno`); `Errno::SUCCESS` is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Errno(pub u16);

/// Every WASI errno, in ABI order (index = value), named as in `wasi/api.h`.
const ERRNO_NAMES: [&str; 77] = [
    "SUCCESS",
    "2BIG",
    "ACCES",
    "ADDRINUSE",
    "ADDRNOTAVAIL",
    "AFNOSUPPORT",
    "AGAIN",
    "ALREADY",
    "BADF",
    "BADMSG",
    "BUSY",
    "CANCELED",
    "CHILD",
    "CONNABORTED",
    "CONNREFUSED",
    "CONNRESET",
    "DEADLK",
    "DESTADDRREQ",
    "DOM",
    "DQUOT",
    "EXIST",
    "FAULT",
    "FBIG",
    "HOSTUNREACH",
    "IDRM",
    "ILSEQ",
    "INPROGRESS",
    "INTR",
    "INVAL",
    "IO",
    "ISCONN",
    "ISDIR",
    "LOOP",
    "MFILE",
    "MLINK",
    "MSGSIZE",
    "MULTIHOP",
    "NAMETOOLONG",
    "NETDOWN",
    "NETRESET",
    "NETUNREACH",
    "NFILE",
    "NOBUFS",
    "NODEV",
    "NOENT",
    "NOEXEC",
    "NOLCK",
    "NOLINK",
    "NOMEM",
    "NOMSG",
    "NOPROTOOPT",
    "NOSPC",
    "NOSYS",
    "NOTCONN",
    "NOTDIR",
    "NOTEMPTY",
    "NOTRECOVERABLE",
    "NOTSOCK",
    "NOTSUP",
    "NOTTY",
    "NXIO",
    "OVERFLOW",
    "OWNERDEAD",
    "PERM",
    "PIPE",
    "PROTO",
    "PROTONOSUPPORT",
    "PROTOTYPE",
    "RANGE",
    "ROFS",
    "SPIPE",
    "SRCH",
    "STALE",
    "TIMEDOUT",
    "TXTBSY",
    "XDEV",
    "NOTCAPABLE",
];

#[allow(dead_code)]
impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const AGAIN: Errno = Errno(6);
    pub const BADF: Errno = Errno(8);
    pub const BUSY: Errno = Errno(10);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const ILSEQ: Errno = Errno(25);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MFILE: Errno = Errno(33);
    pub const MLINK: Errno = Errno(34);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NFILE: Errno = Errno(41);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOMEM: Errno = Errno(48);
    pub const NOSPC: Errno = Errno(51);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTSUP: Errno = Errno(58);
    pub const NOTTY: Errno = Errno(59);
    pub const NXIO: Errno = Errno(60);
    pub const OVERFLOW: Errno = Errno(61);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const RANGE: Errno = Errno(68);
    pub const ROFS: Errno = Errno(69);
    pub const SPIPE: Errno = Errno(70);
    pub const STALE: Errno = Errno(72);
    pub const TIMEDOUT: Errno = Errno(73);
    pub const TXTBSY: Errno = Errno(74);
    pub const XDEV: Errno = Errno(75);
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The name as in `wasi/api.h` without the `__WASI_ERRNO_` prefix (e.g. `"NOENT"`).
    pub fn name(self) -> &'static str {
        ERRNO_NAMES.get(usize::from(self.0)).copied().unwrap_or("?")
    }
}

/// The result of a WASI call body: `Err` carries the errno returned to the guest.
pub(crate) type WasiResult<T> = Result<T, Errno>;

// File types (`filetype`).
pub(crate) const FILETYPE_UNKNOWN: u8 = 0;
pub(crate) const FILETYPE_BLOCK_DEVICE: u8 = 1;
pub(crate) const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub(crate) const FILETYPE_DIRECTORY: u8 = 3;
pub(crate) const FILETYPE_REGULAR_FILE: u8 = 4;
pub(crate) const FILETYPE_SOCKET_STREAM: u8 = 6;
pub(crate) const FILETYPE_SYMBOLIC_LINK: u8 = 7;

// Clocks (`clockid`).
pub(crate) const CLOCK_REALTIME: u32 = 0;
pub(crate) const CLOCK_MONOTONIC: u32 = 1;
pub(crate) const CLOCK_PROCESS_CPUTIME: u32 = 2;
pub(crate) const CLOCK_THREAD_CPUTIME: u32 = 3;

// `whence` of `fd_seek`.
pub(crate) const WHENCE_SET: u32 = 0;
pub(crate) const WHENCE_CUR: u32 = 1;
pub(crate) const WHENCE_END: u32 = 2;

// `fdflags`.
pub(crate) const FDFLAGS_APPEND: u16 = 1 << 0;
pub(crate) const FDFLAGS_DSYNC: u16 = 1 << 1;
pub(crate) const FDFLAGS_NONBLOCK: u16 = 1 << 2;
pub(crate) const FDFLAGS_RSYNC: u16 = 1 << 3;
pub(crate) const FDFLAGS_SYNC: u16 = 1 << 4;

// `oflags` of `path_open`.
pub(crate) const OFLAGS_CREAT: u16 = 1 << 0;
pub(crate) const OFLAGS_DIRECTORY: u16 = 1 << 1;
pub(crate) const OFLAGS_EXCL: u16 = 1 << 2;
pub(crate) const OFLAGS_TRUNC: u16 = 1 << 3;

// `lookupflags`.
pub(crate) const LOOKUP_SYMLINK_FOLLOW: u32 = 1 << 0;

// `fstflags` of the `*_set_times` calls.
pub(crate) const FST_ATIM: u16 = 1 << 0;
pub(crate) const FST_ATIM_NOW: u16 = 1 << 1;
pub(crate) const FST_MTIM: u16 = 1 << 2;
pub(crate) const FST_MTIM_NOW: u16 = 1 << 3;

// `poll_oneoff`.
pub(crate) const EVENTTYPE_CLOCK: u8 = 0;
pub(crate) const EVENTTYPE_FD_READ: u8 = 1;
pub(crate) const EVENTTYPE_FD_WRITE: u8 = 2;
pub(crate) const SUBCLOCK_ABSTIME: u16 = 1 << 0;
/// Bytes of a `subscription`.
pub(crate) const SUBSCRIPTION_SIZE: u32 = 48;
/// Bytes of an `event`.
pub(crate) const EVENT_SIZE: u32 = 32;

/// Bytes of a `filestat`.
pub(crate) const FILESTAT_SIZE: usize = 64;
/// Bytes of a `dirent` header (the name follows it).
pub(crate) const DIRENT_SIZE: usize = 24;

/// `rights`: what a file descriptor may be used for.
pub(crate) mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;

    /// Rights that change a file's contents or size: a read-only preopen never grants them.
    pub const FILE_WRITE: u64 = FD_DATASYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;

    /// Everything that applies to a regular file.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// A regular file under a read-only preopen.
    pub const FILE_READ_ONLY: u64 = FILE & !FILE_WRITE & !FD_FILESTAT_SET_TIMES;

    /// Rights of a directory that modify what is inside it.
    pub const DIR_MODIFY: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Everything that applies to a directory.
    pub const DIR: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_FILESTAT_GET
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | DIR_MODIFY;

    /// A directory under a read-only preopen.
    pub const DIR_READ_ONLY: u64 = DIR & !DIR_MODIFY;

    /// An input stream (standard input).
    pub const INPUT: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;

    /// An output stream (standard output and error).
    pub const OUTPUT: u64 = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `filestat`: what `fd_filestat_get` and `path_filestat_get` report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    /// The 64-byte little-endian encoding.
    pub fn to_bytes(self) -> [u8; FILESTAT_SIZE] {
        let mut b = [0u8; FILESTAT_SIZE];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        b
    }
}

/// `fdstat`: what `fd_fdstat_get` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fdstat {
    pub filetype: u8,
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

impl Fdstat {
    /// The 24-byte little-endian encoding.
    pub fn to_bytes(self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0] = self.filetype;
        b[2..4].copy_from_slice(&self.flags.to_le_bytes());
        b[8..16].copy_from_slice(&self.rights_base.to_le_bytes());
        b[16..24].copy_from_slice(&self.rights_inheriting.to_le_bytes());
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_follow_the_abi_numbering() {
        assert_eq!(Errno::NOENT.name(), "NOENT");
        assert_eq!(Errno::NOSYS.name(), "NOSYS");
        assert_eq!(Errno::NOTCAPABLE.name(), "NOTCAPABLE");
        assert_eq!(Errno::ROFS.name(), "ROFS");
        assert_eq!(Errno(200).name(), "?");
    }

    #[test]
    fn layouts_put_fields_at_witx_offsets() {
        let st = Filestat { dev: 1, ino: 2, filetype: 3, nlink: 4, size: 5, atim: 6, mtim: 7, ctim: 8 };
        let b = st.to_bytes();
        assert_eq!((b[0], b[8], b[16], b[24], b[32], b[40], b[48], b[56]), (1, 2, 3, 4, 5, 6, 7, 8));
        let fd = Fdstat { filetype: 4, flags: 1, rights_base: 2, rights_inheriting: 3 };
        let b = fd.to_bytes();
        assert_eq!((b[0], b[2], b[8], b[16]), (4, 1, 2, 3));
    }

    #[test]
    fn read_only_rights_exclude_every_modification() {
        assert_eq!(rights::DIR_READ_ONLY & rights::DIR_MODIFY, 0);
        assert_eq!(rights::FILE_READ_ONLY & rights::FILE_WRITE, 0);
        assert_ne!(rights::DIR_READ_ONLY & rights::PATH_OPEN, 0);
    }
}
