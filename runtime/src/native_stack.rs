//! How much native stack the current thread has left.
//!
//! Wasm-to-wasm calls never use the native stack, but a host function that calls back into
//! wasm does: every such re-entry stacks the executor's frame, the host trampoline and the
//! embedder's own frames (a Python host function adds the interpreter's). A fixed re-entry
//! count cannot bound that on every thread (a thread may have 256 KiB or 8 MiB), so each entry
//! into wasm also checks the stack actually left against [`Config::native_stack_reserve`] and
//! traps with "call stack exhausted" below it.
//!
//! The thread's stack bounds come from the platform (`pthread_getattr_np` on Linux,
//! `pthread_get_stackaddr_np` on macOS), read once per thread. Where they are unknown the
//! check is skipped and only the re-entry count applies.
//!
//! [`Config::native_stack_reserve`]: crate::Config::native_stack_reserve

use std::cell::Cell;

/// The lowest usable address of the thread's stack (it grows down), once known.
#[derive(Clone, Copy)]
enum Bound {
    Unknown,
    Unavailable,
    Low { low: usize, size: usize },
}

thread_local! {
    static BOUND: Cell<Bound> = const { Cell::new(Bound::Unknown) };
}

/// The approximate current stack pointer: the address of a local.
#[inline(always)]
fn stack_pointer() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Bytes of native stack left below the caller's frame, and the thread's whole stack size;
/// `None` where the platform does not say.
pub(crate) fn remaining() -> Option<(usize, usize)> {
    let sp = stack_pointer();
    let bound = BOUND.with(|b| match b.get() {
        Bound::Unknown => {
            let found = thread_stack().map_or(Bound::Unavailable, |(low, size)| Bound::Low { low, size });
            b.set(found);
            found
        }
        known => known,
    });
    match bound {
        Bound::Low { low, size } => Some((sp.saturating_sub(low), size)),
        _ => None,
    }
}

/// Whether entering wasm now would leave less than `reserve` bytes of native stack. The
/// reserve is capped at a quarter of the thread's stack, so a thread with a small stack can
/// still run code that does not re-enter.
pub(crate) fn exhausted(reserve: usize) -> bool {
    match remaining() {
        Some((left, size)) => left < reserve.min(size / 4),
        None => false,
    }
}

/// The current thread's stack: (lowest address, size in bytes).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn thread_stack() -> Option<(usize, usize)> {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read and destroyed
    // once; the out-pointers of `pthread_attr_getstack` point to live locals. These calls only
    // inspect the calling thread.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let mut guard: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0
            && libc::pthread_attr_getguardsize(&attr, &mut guard) == 0;
        libc::pthread_attr_destroy(&mut attr);
        // The guard page(s) sit at the low end, inside the reported range for new threads.
        (ok && !addr.is_null()).then(|| (addr as usize + guard, size.saturating_sub(guard)))
    }
}

/// The current thread's stack: (lowest address, size in bytes).
#[cfg(target_os = "macos")]
#[allow(unsafe_code)]
fn thread_stack() -> Option<(usize, usize)> {
    // SAFETY: both functions only read the calling thread's descriptor.
    unsafe {
        let this = libc::pthread_self();
        let top = libc::pthread_get_stackaddr_np(this) as usize;
        let size = libc::pthread_get_stacksize_np(this);
        (top > size).then(|| (top - size, size))
    }
}

/// The current thread's stack: unknown on this platform.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn thread_stack() -> Option<(usize, usize)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_left_shrinks_with_depth() {
        #[inline(never)]
        fn deeper(n: u32) -> usize {
            let pad = std::hint::black_box([0u8; 1024]);
            if n == 0 { remaining().map_or(0, |r| r.0) + usize::from(pad[0]) } else { deeper(n - 1) }
        }
        let Some((top, size)) = remaining() else { return };
        assert!(top <= size && size > 0, "left {top} of {size}");
        let deep = deeper(16);
        assert!(deep + 16 * 1024 <= top, "16 KiB deeper: {deep} left of {top}");
    }

    #[test]
    fn a_small_thread_knows_its_size() {
        let size = 256 * 1024;
        let seen = std::thread::Builder::new()
            .stack_size(size)
            .spawn(remaining)
            .expect("thread starts")
            .join()
            .expect("thread ends");
        if cfg!(target_os = "linux") {
            let (left, total) = seen.expect("Linux reports thread stacks");
            assert!(total + 16 * 1024 >= size && total < size + 64 * 1024, "size {total}");
            assert!(left < total, "left {left}");
        }
    }
}
