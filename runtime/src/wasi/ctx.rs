//! [`WasiCtx`]: the state of one WASI program (its arguments, environment and descriptors).

use super::abi::rights;
use super::config::WasiConfig;
use super::fd::{Dir, Entry, FdTable, Handle};

/// The per-program state the `wasi_snapshot_preview1` host functions work on. Built with
/// [`WasiConfig::build`]; kept in the store's data and reached through the accessor given to
/// [`add_to_linker`](super::add_to_linker).
#[derive(Debug)]
pub struct WasiCtx {
    /// `argv`, each without its terminating NUL.
    pub(crate) args: Vec<String>,
    /// `environ` entries, `KEY=value`.
    pub(crate) env: Vec<String>,
    pub(crate) fds: FdTable,
}

impl WasiCtx {
    pub(crate) fn new(config: WasiConfig) -> WasiCtx {
        let mut fds = FdTable::default();
        let streams =
            [Handle::Input(config.stdin), Handle::Output(config.stdout), Handle::Output(config.stderr)];
        for handle in streams {
            let base = super::fd::rights_for(&handle);
            // Three inserts into an empty table cannot fail.
            let _ = fds.insert(Entry { handle, base, inheriting: 0, flags: 0 });
        }
        for p in config.preopens {
            let (base, inheriting) = if p.read_only {
                (rights::DIR_READ_ONLY, rights::DIR_READ_ONLY | rights::FILE_READ_ONLY)
            } else {
                (rights::DIR, rights::DIR | rights::FILE)
            };
            let dir = Dir { fd: p.dir, preopen: Some(p.guest), listing: None };
            let _ = fds.insert(Entry { handle: Handle::Dir(dir), base, inheriting, flags: 0 });
        }
        let env = config.env.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        WasiCtx { args: config.args, env, fds }
    }

    /// The program's arguments (`argv`).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The guest paths of the preopened directories still open, with their descriptors.
    pub fn preopens(&self) -> Vec<(u32, String)> {
        self.fds
            .iter()
            .filter_map(|(fd, e)| match &e.handle {
                Handle::Dir(Dir { preopen: Some(guest), .. }) => Some((fd, guest.clone())),
                _ => None,
            })
            .collect()
    }
}
