//! Clocks and randomness.

use super::abi::{self, Errno, WasiResult};
use rustix::time::{ClockId, Timespec};
use std::io::Read;

/// The host clock behind a WASI clock id (`EINVAL` for an unknown id).
fn clock(id: u32) -> WasiResult<ClockId> {
    Ok(match id {
        abi::CLOCK_REALTIME => ClockId::Realtime,
        abi::CLOCK_MONOTONIC => ClockId::Monotonic,
        abi::CLOCK_PROCESS_CPUTIME => ClockId::ProcessCPUTime,
        abi::CLOCK_THREAD_CPUTIME => ClockId::ThreadCPUTime,
        _ => return Err(Errno::INVAL),
    })
}

/// Nanoseconds of a timespec (0 if negative).
fn nanos(t: Timespec) -> u64 {
    u64::try_from(t.tv_sec)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(t.tv_nsec).unwrap_or(0))
}

/// `clock_time_get`: the time of clock `id` in nanoseconds.
pub(crate) fn time_get(id: u32) -> WasiResult<u64> {
    Ok(nanos(rustix::time::clock_gettime(clock(id)?)))
}

/// `clock_res_get`: the resolution of clock `id` in nanoseconds (at least 1).
pub(crate) fn res_get(id: u32) -> WasiResult<u64> {
    Ok(nanos(rustix::time::clock_getres(clock(id)?)).max(1))
}

/// `random_get`: fills `buf` from the host's cryptographic random source.
pub(crate) fn random_fill(buf: &mut [u8]) -> WasiResult<()> {
    if buf.is_empty() {
        return Ok(());
    }
    let mut source = std::fs::File::open("/dev/urandom").map_err(|_| Errno::IO)?;
    source.read_exact(buf).map_err(|_| Errno::IO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_tick_and_unknown_ids_are_einval() {
        let a = time_get(abi::CLOCK_MONOTONIC).unwrap();
        let b = time_get(abi::CLOCK_MONOTONIC).unwrap();
        assert!(b >= a);
        // After 2020 in nanoseconds.
        assert!(time_get(abi::CLOCK_REALTIME).unwrap() > 1_577_836_800_000_000_000);
        assert!(res_get(abi::CLOCK_REALTIME).unwrap() >= 1);
        assert!(time_get(abi::CLOCK_PROCESS_CPUTIME).is_ok());
        assert_eq!(time_get(4), Err(Errno::INVAL));
        assert_eq!(res_get(99), Err(Errno::INVAL));
    }

    #[test]
    fn random_bytes_are_not_all_zero() {
        let mut buf = [0u8; 64];
        random_fill(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b != 0));
        random_fill(&mut []).unwrap();
    }
}
