//! `poll_oneoff`: waits for clock timeouts and for standard streams and files to be ready.
//!
//! Files, buffers and the output streams are always ready; only the host's own standard input
//! can make a read wait, and it is polled on the host. Clocks are waited for by sleeping. Both
//! waits go through a [`Waiter`], so interruption still stops the call.

use super::abi::{self, Errno, WasiResult, rights};
use super::clock;
use super::ctx::WasiCtx;
use super::fd::Handle;
use super::mem::GuestMemory;
use super::wait::Waiter;
use std::time::Duration;

/// What one subscription waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Clock `id` reaching `deadline` (nanoseconds on that clock).
    Clock { id: u32, deadline: u64 },
    /// Descriptor readable.
    Read(u32),
    /// Descriptor writable.
    Write(u32),
}

/// One `subscription`.
#[derive(Debug, Clone, Copy)]
struct Subscription {
    userdata: u64,
    kind: Kind,
}

/// One `event` to report.
#[derive(Debug, Clone, Copy)]
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn to_bytes(self) -> [u8; abi::EVENT_SIZE as usize] {
        let mut b = [0u8; abi::EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&self.error.0.to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }
}

/// Decodes the subscription at `ptr`. A clock's timeout becomes an absolute deadline; a clock
/// the host does not know yields an immediate `EINVAL` event.
fn decode(mem: &GuestMemory<'_>, ptr: u32) -> WasiResult<Result<Subscription, Event>> {
    let userdata = mem.read_u64(ptr)?;
    let tag = mem.read_u8(ptr + 8)?;
    let kind = match tag {
        abi::EVENTTYPE_CLOCK => {
            let id = mem.read_u32(ptr + 16)?;
            let timeout = mem.read_u64(ptr + 24)?;
            let flags = mem.read_u16(ptr + 40)?;
            let now = match clock::time_get(id) {
                Ok(now) => now,
                Err(error) => return Ok(Err(Event { userdata, error, kind: tag, nbytes: 0, flags: 0 })),
            };
            let deadline =
                if flags & abi::SUBCLOCK_ABSTIME != 0 { timeout } else { now.saturating_add(timeout) };
            Kind::Clock { id, deadline }
        }
        abi::EVENTTYPE_FD_READ => Kind::Read(mem.read_u32(ptr + 16)?),
        abi::EVENTTYPE_FD_WRITE => Kind::Write(mem.read_u32(ptr + 16)?),
        _ => return Err(Errno::INVAL),
    };
    Ok(Ok(Subscription { userdata, kind }))
}

/// The event for a descriptor subscription that is ready now, or `None` if it must wait
/// (a read of the host's standard input).
fn fd_event(ctx: &WasiCtx, sub: &Subscription) -> Option<Event> {
    let (fd, kind, reading) = match sub.kind {
        Kind::Read(fd) => (fd, abi::EVENTTYPE_FD_READ, true),
        Kind::Write(fd) => (fd, abi::EVENTTYPE_FD_WRITE, false),
        Kind::Clock { .. } => return None,
    };
    let mut event = Event { userdata: sub.userdata, error: Errno::SUCCESS, kind, nbytes: 0, flags: 0 };
    let entry = match ctx.fds.with_rights(fd, rights::POLL_FD_READWRITE) {
        Ok(e) => e,
        Err(error) => return Some(Event { error, ..event }),
    };
    match (&entry.handle, reading) {
        (Handle::Input(input), true) if !input.always_ready() => return None,
        (Handle::Input(input), true) => event.nbytes = input.available(),
        (Handle::File(file), true) => {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let pos = rustix::fs::tell(file).unwrap_or(size);
            event.nbytes = size.saturating_sub(pos);
        }
        (Handle::Output(_) | Handle::File(_), false) => {}
        _ => event.error = Errno::BADF,
    }
    Some(event)
}

/// `poll_oneoff`: reads `count` subscriptions at `input`, waits until at least one is ready,
/// writes the events to `output` and returns how many. `EINTR` if `waiter` says stop.
pub(crate) fn poll_oneoff(
    ctx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    waiter: &mut Waiter<'_>,
    input: u32,
    output: u32,
    count: u32,
) -> WasiResult<u32> {
    if count == 0 {
        return Err(Errno::INVAL);
    }
    mem.slice(input, count.checked_mul(abi::SUBSCRIPTION_SIZE).ok_or(Errno::FAULT)?)?;
    mem.slice(output, count.checked_mul(abi::EVENT_SIZE).ok_or(Errno::FAULT)?)?;
    let mut subs = Vec::with_capacity(count as usize);
    let mut events = Vec::new();
    for i in 0..count {
        match decode(mem, input + i * abi::SUBSCRIPTION_SIZE)? {
            Ok(sub) => subs.push(sub),
            Err(event) => events.push(event),
        }
    }
    let mut waiting_on_stdin = Vec::new();
    for sub in &subs {
        match (sub.kind, fd_event(ctx, sub)) {
            (Kind::Clock { .. }, _) => {}
            (_, Some(event)) => events.push(event),
            (_, None) => waiting_on_stdin.push(*sub),
        }
    }
    // The nearest clock deadline, as a duration from now.
    let clocks: Vec<(Subscription, u32, u64)> = subs
        .iter()
        .filter_map(|s| match s.kind {
            Kind::Clock { id, deadline } => Some((*s, id, deadline)),
            _ => None,
        })
        .collect();
    let remaining = |id: u32, deadline: u64| deadline.saturating_sub(clock::time_get(id).unwrap_or(u64::MAX));
    let clock_events = |events: &mut Vec<Event>| {
        for &(sub, id, deadline) in &clocks {
            if remaining(id, deadline) == 0 {
                let kind = abi::EVENTTYPE_CLOCK;
                events.push(Event {
                    userdata: sub.userdata,
                    error: Errno::SUCCESS,
                    kind,
                    nbytes: 0,
                    flags: 0,
                });
            }
        }
    };
    if events.is_empty() {
        let wait =
            clocks.iter().map(|&(_, id, deadline)| remaining(id, deadline)).min().map(Duration::from_nanos);
        if !waiting_on_stdin.is_empty() {
            if waiter.wait_stdin(wait)? {
                for sub in waiting_on_stdin {
                    let kind = abi::EVENTTYPE_FD_READ;
                    events.push(Event {
                        userdata: sub.userdata,
                        error: Errno::SUCCESS,
                        kind,
                        nbytes: 0,
                        flags: 0,
                    });
                }
            }
        } else if let Some(wait) = wait {
            waiter.sleep(wait)?;
        }
        // Sleeping may end a little early on some clocks: wait until the nearest one is due.
        while events.is_empty() {
            clock_events(&mut events);
            if events.is_empty() {
                let wait = clocks.iter().map(|&(_, id, deadline)| remaining(id, deadline)).min();
                match wait {
                    Some(ns) => waiter.sleep(Duration::from_nanos(ns.max(1)))?,
                    None => break,
                }
            }
        }
    } else {
        clock_events(&mut events);
    }
    for (i, event) in events.iter().enumerate() {
        mem.write(output + i as u32 * abi::EVENT_SIZE, &event.to_bytes())?;
    }
    Ok(events.len() as u32)
}
