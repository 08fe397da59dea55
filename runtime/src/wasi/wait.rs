//! Waiting inside a WASI call without ignoring interruption.
//!
//! `poll_oneoff` may sleep for as long as the guest asks, and a read of the host's standard
//! input may wait for a person to type. A deadline, `InterruptHandle::interrupt` or (in the
//! Python package) Ctrl-C must still stop the call promptly, so every wait is cut into slices
//! of at most [`SLICE`], and between slices the store's interrupt flag is checked the way the
//! executor checks it (running the store's interrupt callback, if any). When it says stop, the
//! call returns `EINTR` to the glue, which turns it into an `interrupted` trap; the guest never
//! sees the errno.

use super::abi::{Errno, WasiResult};
use std::time::{Duration, Instant};

/// The longest a wait goes without checking for interruption.
pub(crate) const SLICE: Duration = Duration::from_millis(10);

/// The interruption check of one WASI call.
pub(crate) struct Waiter<'a> {
    /// Returns true when the call must stop (checks the store's interrupt flag).
    check: &'a mut dyn FnMut() -> bool,
    stopped: bool,
}

impl<'a> Waiter<'a> {
    /// A waiter that asks `check` whether to stop.
    pub(crate) fn new(check: &'a mut dyn FnMut() -> bool) -> Self {
        Waiter { check, stopped: false }
    }

    /// Whether an earlier check said stop (without checking again).
    pub(crate) fn stopped_already(&self) -> bool {
        self.stopped
    }

    /// Whether the call was told to stop (once told, it stays stopped).
    pub(crate) fn stopped(&mut self) -> bool {
        self.stopped = self.stopped || (self.check)();
        self.stopped
    }

    /// Sleeps for `duration`, or until told to stop (`EINTR`).
    pub(crate) fn sleep(&mut self, duration: Duration) -> WasiResult<()> {
        let until = Instant::now() + duration;
        loop {
            if self.stopped() {
                return Err(Errno::INTR);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(SLICE));
        }
    }

    /// Waits up to `timeout` (forever if `None`) for the host's standard input to be readable
    /// (or hung up, which a read reports as end-of-file); `Ok(false)` if the time ran out,
    /// `EINTR` if told to stop.
    pub(crate) fn wait_stdin(&mut self, timeout: Option<Duration>) -> WasiResult<bool> {
        let until = timeout.map(|t| Instant::now() + t);
        loop {
            if self.stopped() {
                return Err(Errno::INTR);
            }
            let left = until.map(|u| u.saturating_duration_since(Instant::now()));
            if poll_stdin(left.map_or(SLICE, |l| l.min(SLICE))) {
                return Ok(true);
            }
            if left.is_some_and(|l| l <= SLICE) {
                return Ok(false);
            }
        }
    }
}

/// Polls the host's standard input for at most `timeout`; whether it is readable.
fn poll_stdin(timeout: Duration) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
    let timeout =
        Timespec { tv_sec: timeout.as_secs() as i64, tv_nsec: i64::from(timeout.subsec_nanos()) as _ };
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(n) => n > 0,
        // Interrupted by a signal: report the input as ready; the guest's read will tell.
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_ends_early_when_told_to_stop() {
        let start = Instant::now();
        let mut calls = 0;
        let mut check = || {
            calls += 1;
            calls > 3
        };
        let mut waiter = Waiter::new(&mut check);
        assert_eq!(waiter.sleep(Duration::from_secs(10)), Err(Errno::INTR));
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(waiter.stopped(), "stays stopped");
    }

    #[test]
    fn a_sleep_without_stop_lasts_its_duration() {
        let mut check = || false;
        let mut waiter = Waiter::new(&mut check);
        let start = Instant::now();
        waiter.sleep(Duration::from_millis(25)).unwrap();
        assert!(start.elapsed() >= Duration::from_millis(25));
    }
}
