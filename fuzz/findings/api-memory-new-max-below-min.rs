//! epsilon finding (api target, seed 1, iterations 39, 50, 61, ... with the `ci` profile):
//! `Memory::new` accepts a memory type whose maximum is below its minimum, and then builds the
//! memory's buffer with a length (the minimum) larger than its allocation (the maximum).
//!
//! `MemoryEntity::new` (runtime/src/memory.rs) reserves `limit = min(max, ceiling)` pages and
//! calls `zeroed_buffer(min pages, limit pages)`: `debug_assert!(len <= capacity)` fires in
//! builds with debug assertions; without them `Vec::from_raw_parts(ptr, len, capacity)` with
//! `len > capacity` is undefined behaviour: the memory reports `min` pages, and reads and writes
//! past the `max` pages go past the end of the heap allocation. Safe code reaches it.
//! `Table::new` also accepts `max < min` (memory-safe there: a table that can never grow).
//! Expected: both refuse the type with an error, as the spec requires valid limits (min <= max).
//!
//! Run: cp fuzz/findings/api-memory-new-max-below-min.rs runtime/examples/ &&
//!      cargo run --profile ci -p epsilon --example api-memory-new-max-below-min
//! With `--profile ci` it panics at the debug assertion; with `--release` it prints
//! "accepted: 131072 bytes in a 65536-byte allocation" and the write dies with SIGSEGV.
use epsilon::{Engine, Memory, MemoryType, Store};

fn main() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(2, Some(1))).expect("refused (fixed)");
    let size = memory.data_size(&store).unwrap();
    println!("accepted: {size} bytes in a 65536-byte allocation");
    // Writes into the second page: past the end of the allocation.
    memory.write(&mut store, 65536, &[0xAA; 65536]).unwrap();
}
