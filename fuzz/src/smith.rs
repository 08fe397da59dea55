//! wasm-smith configurations restricted to exactly epsilon's feature set (WebAssembly 2.0,
//! fixed-width SIMD, multi-memory, tail calls, extended constant expressions, relaxed SIMD;
//! memory64 in the differential target) and module generation from an iteration's random
//! stream.

use crate::rng::Rng;
use arbitrary::Unstructured;

/// Largest memory, in 64 KiB pages, that generated modules declare (also as their maximum).
pub const MAX_PAGES: u64 = 4;
/// Largest table, in elements, that generated modules declare (also as their maximum).
pub const MAX_TABLE_ELEMENTS: u64 = 64;
/// The fuel the termination pass gives a module: loop iterations plus function entries.
pub const TERMINATION_FUEL: u32 = 5_000;

/// The configuration of the differential target: our features and nothing else, NaNs
/// canonicalised, no imports, small memories and tables with a maximum, everything exported.
pub fn diff_config(rng: &mut Rng) -> wasm_smith::Config {
    let mut c = base_config();
    c.canonicalize_nans = true;
    c.max_imports = 0;
    c.min_imports = 0;
    c.export_everything = true;
    c.min_types = 1;
    c.min_funcs = 1 + rng.below(8) as usize;
    c.max_funcs = c.min_funcs + rng.below(8) as usize;
    c.max_instructions = 20 + rng.below(300) as usize;
    c.max_memories = rng.below(4) as usize;
    c.min_memories = rng.below(c.max_memories as u64 + 1) as u32;
    c.max_tables = rng.below(3) as usize;
    c.min_tables = rng.below(c.max_tables as u64 + 1) as u32;
    c.max_globals = rng.below(12) as usize;
    c.min_globals = rng.below(c.max_globals as u64 + 1) as usize;
    c.allow_start_export = rng.one_in(4);
    c.disallow_traps = rng.bool();
    // Swarm testing: sometimes leave a whole area out, so the rest is exercised more densely.
    if rng.one_in(4) {
        c.simd_enabled = false;
        c.relaxed_simd_enabled = false;
    }
    if rng.one_in(5) {
        c.allow_floats = false;
    }
    // memory64 in half the modules, then without tables: wasm-smith makes 64-bit tables under
    // the same switch, and epsilon does not implement those.
    if rng.bool() {
        c.memory64_enabled = true;
        c.max_tables = 0;
        c.min_tables = 0;
    }
    c
}

/// A looser configuration for the decoding target (imports allowed, bigger modules). It also
/// generates exception handling (tags, `throw`, `throw_ref`, `try_table`), which no peer of the
/// differential target implements: the decoding target runs such modules on epsilon alone, so
/// translation and unwinding meet generated shapes (no panics, the `checked` accesses hold).
pub fn decode_config(rng: &mut Rng) -> wasm_smith::Config {
    let mut c = base_config();
    c.exceptions_enabled = rng.bool();
    c.max_imports = rng.below(6) as usize;
    c.max_funcs = 1 + rng.below(20) as usize;
    c.max_instructions = 10 + rng.below(400) as usize;
    c.max_memories = rng.below(3) as usize;
    c.max_tables = rng.below(3) as usize;
    c.export_everything = rng.bool();
    c.min_uleb_size = if rng.one_in(8) { 1 + rng.below(5) as u8 } else { 1 };
    c
}

/// Every proposal beyond our set switched off, limits kept small.
fn base_config() -> wasm_smith::Config {
    wasm_smith::Config {
        // Ours: WebAssembly 2.0 + SIMD + multi-memory + tail calls + extended constants.
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        simd_enabled: true,
        tail_call_enabled: true,
        extended_const_enabled: true,
        // Relaxed SIMD: in the differential target, the instructions whose choice differs
        // from wasmi's are replaced before running (`relaxed::neutralise`).
        relaxed_simd_enabled: true,
        // Not ours.
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false, // also function references
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        wide_arithmetic_enabled: false,
        compact_imports_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        // Small, bounded resources: every memory and table has a maximum.
        max_memory32_bytes: MAX_PAGES * 65536,
        max_memory64_bytes: MAX_PAGES as u128 * 65536,
        memory_max_size_required: true,
        max_table_elements: MAX_TABLE_ELEMENTS,
        table_max_size_required: true,
        max_types: 20,
        max_data_segments: 8,
        max_element_segments: 8,
        max_elements: 16,
        max_exports: 40,
        max_type_size: 200,
        ..wasm_smith::Config::default()
    }
}

/// Generates a module from `config` and the random stream; `terminate` adds wasm-smith's
/// termination fuel (a global decremented at each loop head and function entry; `unreachable`
/// traps when it reaches zero). Returns `None` if wasm-smith could not build a module.
pub fn generate(rng: &mut Rng, config: wasm_smith::Config, terminate: bool) -> Option<Vec<u8>> {
    let len = 256 + rng.below(16 * 1024) as usize;
    let data = rng.bytes(len);
    let mut u = Unstructured::new(&data);
    let mut module = wasm_smith::Module::new(config, &mut u).ok()?;
    if terminate {
        module.ensure_termination(TERMINATION_FUEL).ok()?;
    }
    Some(module.to_bytes())
}
