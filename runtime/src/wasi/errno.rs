//! Translation of host errors (`rustix` and `std::io`) into WASI error numbers.

use super::abi::Errno;
use rustix::io::Errno as Host;

/// Host errno -> WASI errno, for the errors file-system calls can produce.
const TABLE: &[(Host, Errno)] = &[
    (Host::TOOBIG, Errno::TOOBIG),
    (Host::ACCESS, Errno::ACCES),
    (Host::AGAIN, Errno::AGAIN),
    (Host::BADF, Errno::BADF),
    (Host::BUSY, Errno::BUSY),
    (Host::EXIST, Errno::EXIST),
    (Host::FAULT, Errno::FAULT),
    (Host::FBIG, Errno::FBIG),
    (Host::ILSEQ, Errno::ILSEQ),
    (Host::INTR, Errno::INTR),
    (Host::INVAL, Errno::INVAL),
    (Host::IO, Errno::IO),
    (Host::ISDIR, Errno::ISDIR),
    (Host::LOOP, Errno::LOOP),
    (Host::MFILE, Errno::MFILE),
    (Host::MLINK, Errno::MLINK),
    (Host::NAMETOOLONG, Errno::NAMETOOLONG),
    (Host::NFILE, Errno::NFILE),
    (Host::NODEV, Errno::NODEV),
    (Host::NOENT, Errno::NOENT),
    (Host::NOMEM, Errno::NOMEM),
    (Host::NOSPC, Errno::NOSPC),
    (Host::NOSYS, Errno::NOSYS),
    (Host::NOTDIR, Errno::NOTDIR),
    (Host::NOTEMPTY, Errno::NOTEMPTY),
    (Host::NOTSUP, Errno::NOTSUP),
    (Host::OPNOTSUPP, Errno::NOTSUP),
    (Host::NOTTY, Errno::NOTTY),
    (Host::NXIO, Errno::NXIO),
    (Host::OVERFLOW, Errno::OVERFLOW),
    (Host::PERM, Errno::PERM),
    (Host::PIPE, Errno::PIPE),
    (Host::RANGE, Errno::RANGE),
    (Host::ROFS, Errno::ROFS),
    (Host::SPIPE, Errno::SPIPE),
    (Host::STALE, Errno::STALE),
    (Host::TIMEDOUT, Errno::TIMEDOUT),
    (Host::TXTBSY, Errno::TXTBSY),
    (Host::XDEV, Errno::XDEV),
];

impl From<Host> for Errno {
    fn from(e: Host) -> Errno {
        TABLE.iter().find(|(host, _)| *host == e).map_or(Errno::IO, |&(_, wasi)| wasi)
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        match e.raw_os_error() {
            Some(raw) => Host::from_raw_os_error(raw).into(),
            None => match e.kind() {
                std::io::ErrorKind::NotFound => Errno::NOENT,
                std::io::ErrorKind::PermissionDenied => Errno::ACCES,
                std::io::ErrorKind::AlreadyExists => Errno::EXIST,
                std::io::ErrorKind::InvalidInput => Errno::INVAL,
                std::io::ErrorKind::WouldBlock => Errno::AGAIN,
                std::io::ErrorKind::BrokenPipe => Errno::PIPE,
                std::io::ErrorKind::Unsupported => Errno::NOTSUP,
                std::io::ErrorKind::OutOfMemory => Errno::NOMEM,
                _ => Errno::IO,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errors_map_to_wasi_numbers() {
        assert_eq!(Errno::from(Host::NOENT), Errno::NOENT);
        assert_eq!(Errno::from(Host::LOOP), Errno::LOOP);
        assert_eq!(
            Errno::from(std::io::Error::from_raw_os_error(Host::NOTEMPTY.raw_os_error())),
            Errno::NOTEMPTY
        );
        assert_eq!(Errno::from(std::io::Error::other("custom")), Errno::IO);
        assert_eq!(Errno::from(std::io::Error::from(std::io::ErrorKind::NotFound)), Errno::NOENT);
    }
}
