//! The workloads: what each one is, where its wasm comes from, and its arguments.
//!
//! Every module exports `run(i32) -> i64`: the argument sets the amount of work, the result is
//! a checksum compared across engines. Sources live in `benches/workloads/`: C files built to
//! the committed `.wasm` files by `ci/build-bench-wasm.sh`, and hand-written `.wat` files.
//! Most workloads time `run(arg)` (see [`Kind`]); the start-up modules are generated
//! (`generate.rs`) or, for instantiation alone, a small hand-written one.

use crate::engines::Feature;
use crate::generate;

/// Where a workload's module comes from.
pub enum Source {
    /// A file in `benches/workloads/`: `.wasm` (built from C) or `.wat` (hand-written).
    File(&'static str),
    /// A module generated at run time with this many functions (see `generate.rs`).
    Generated(usize),
}

/// What is timed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Calls of `run(arg)` on one instance made beforehand.
    Run,
    /// Compile + instantiate from scratch (`batch` times per sample); `run(arg)` is called
    /// once beforehand, only to check that the engines agree.
    StartUp,
    /// Instantiate a module compiled once beforehand (`batch` times per sample), each time in a
    /// fresh store; `run(arg)` is called once beforehand, only to check that the engines agree.
    Instantiate,
}

impl Kind {
    /// Whether the workload measures start-up, compiling or only instantiating (then the lazy
    /// engines run it too).
    pub fn is_start_up(self) -> bool {
        self != Kind::Run
    }

    /// Name in the JSON report.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::StartUp => "startup",
            Kind::Instantiate => "instantiate",
        }
    }
}

/// A benchmark workload.
pub struct Workload {
    /// Name in the report (and on the command line).
    pub name: &'static str,
    /// One line about what it exercises.
    pub about: &'static str,
    pub source: Source,
    pub kind: Kind,
    /// Argument of `run` when timing (sized for about 0.1 s on epsilon).
    pub arg: i32,
    /// Argument of `run` in smoke mode (a few milliseconds).
    pub smoke_arg: i32,
    /// Operations per sample (start-up of a small module is too short to time alone).
    pub batch: u32,
    /// Features beyond the MVP that the module needs.
    pub needs: &'static [Feature],
}

/// A workload timing `run(arg)` on a module from a file; see the builder methods below.
const fn run(name: &'static str, file: &'static str, arg: i32, smoke_arg: i32) -> Workload {
    Workload {
        name,
        about: "",
        source: Source::File(file),
        kind: Kind::Run,
        arg,
        smoke_arg,
        batch: 1,
        needs: &[],
    }
}

/// A workload timing compile + instantiate of a generated module of `functions` functions,
/// `batch` times per sample.
const fn start_up(name: &'static str, functions: usize, batch: u32) -> Workload {
    Workload { source: Source::Generated(functions), kind: Kind::StartUp, batch, ..run(name, "", 1000, 1000) }
}

/// A workload timing instantiation of a module from a file compiled once, `batch` times per
/// sample; `run(arg)` is called once, for the agreement check.
const fn instantiate(name: &'static str, file: &'static str, batch: u32) -> Workload {
    Workload { kind: Kind::Instantiate, batch, ..run(name, file, 1000, 100) }
}

impl Workload {
    const fn about(self, about: &'static str) -> Workload {
        Workload { about, ..self }
    }

    const fn needs(self, needs: &'static [Feature]) -> Workload {
        Workload { needs, ..self }
    }
}

/// All workloads, in report order. Arguments are sized for about 0.1 s per call on epsilon.
pub const WORKLOADS: &[Workload] = &[
    run("fib", "fib.wat", 32, 15).about("recursive fib(n) on i64 (WAT): calls"),
    run("loop", "loop.wat", 10_000_000, 10_000).about("counted loop, i64 accumulator (WAT): dispatch"),
    run("factorial", "factorial.wasm", 600, 5).about("factorials mod p, Collatz steps (C): integer loops"),
    run("int_loops", "int_loops.wat", 60_000, 100)
        .about("iterative Fibonacci, bit counting, Euclid's gcd over locals only (WAT)"),
    run("sieve", "sieve.wasm", 5, 1).about("sieve of Eratosthenes over 400,000 bytes (C)"),
    run("matmul", "matmul.wasm", 16, 1).about("64x64 f64 matrix multiply (C)"),
    run("sha256", "sha256.wasm", 40, 1).about("SHA-256 of 16 KiB, chained (C)"),
    run("hash_fnv", "hash_fnv.wasm", 180, 1)
        .about("FNV-1a 64 of 32 KiB and FNV-1a 32 of its 16-byte records (C)"),
    run("hash_crc32", "hash_crc32.wasm", 150, 1).about("table-driven CRC-32 of 32 KiB (C)"),
    run("sort_quick", "sort_quick.wasm", 12, 1).about("quicksort of 20,000 u32 (C)"),
    run("sort_merge", "sort_merge.wasm", 5, 1).about("merge sort of 20,000 u32 (C)"),
    run("sort_insertion", "sort_insertion.wasm", 10, 1).about("insertion sort of 1,500 i32 (C)"),
    run("sort_heap", "sort_heap.wasm", 7, 1).about("heapsort of 20,000 i32 (C)"),
    run("memory_sum", "memory_sum.wasm", 10, 1).about("1 MiB fill, sequential and strided sums (C)"),
    run("memory_chase", "memory_chase.wasm", 400, 1)
        .about("random pointer chase, then a 4 KiB-stride walk over 4 MiB (C)"),
    run("indirect_calls", "indirect_calls.wasm", 700_000, 1000)
        .about("call_indirect through function-pointer tables (C)"),
    run("host_calls", "host_call.wat", 1_500_000, 1000).about("env.host_add called once per iteration (WAT)"),
    run("trig", "trig.wasm", 250, 1).about("sin/cos/exp by polynomials, sqrt: f64 math (C)"),
    run("simd_dot", "simd_dot.wasm", 2500, 1)
        .about("f32x4 dot product, i16x8 saturating blend (C, -msimd128)")
        .needs(&[Feature::Simd]),
    run("bulk_memory", "bulk_memory.wasm", 2000, 1)
        .about("memset/memcpy/memmove as memory.fill/copy (C, -mbulk-memory)")
        .needs(&[Feature::BulkMemory]),
    run("mixed", "mixed.wasm", 200, 2).about("CoreMark-like: list, int16 matrix, state machine, CRC-16 (C)"),
    run("text_scan", "text_scan.wasm", 20, 1)
        .about("word/line counting state machine, run-length encode + decode of 32 KiB of text (C)"),
    run("exceptions", "exceptions.wat", 40_000, 100)
        .about("throw from 6 frames down, catch, catch_all_ref + throw_ref, non-throwing try_table calls (WAT; epsilon only)")
        .needs(&[Feature::Exceptions]),
    run("tail_calls", "tail_calls.wat", 10_000, 50)
        .about("Collatz and parity state machines by return_call / return_call_indirect (WAT; not wasm3)")
        .needs(&[Feature::TailCall]),
    start_up("startup_small", 24, 50).about("compile + instantiate a generated module of 24 functions"),
    start_up("startup_large", LARGE_FUNCTIONS, 1)
        .about("compile + instantiate a generated module of 2,700 functions (~1 MiB)"),
    instantiate("instantiate_small", "instantiate_small.wat", 1000)
        .about("instantiate a compiled module of 5 functions, 1-page memory, data, table, globals (WAT)"),
];

/// Functions in the large start-up module: about 1 MiB of code.
pub const LARGE_FUNCTIONS: usize = 2700;

/// A workload's module, loaded or generated.
pub struct Loaded {
    pub wasm: Vec<u8>,
    /// Number of functions the module defines (for wasm3's eager compilation at start-up).
    pub functions: usize,
}

/// Reads or generates the module of `workload`.
pub fn load(workload: &Workload) -> Loaded {
    match workload.source {
        Source::File(name) => {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workloads").join(name);
            let bytes =
                std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let wasm = if name.ends_with(".wat") {
                wat::parse_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")).into_owned()
            } else {
                bytes
            };
            Loaded { wasm, functions: 0 }
        }
        Source::Generated(functions) => {
            let generated = generate::module(functions);
            Loaded { wasm: generated.wasm, functions: generated.functions }
        }
    }
}

/// Finds a workload by name.
pub fn by_name(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}
