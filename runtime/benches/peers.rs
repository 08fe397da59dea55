//! First speed reading: epsilon next to wasmi on the same wasm, in the same run.
//!
//! `cargo bench -p epsilon --bench peers` prints per workload the median of several samples
//! for each engine and the ratio epsilon/wasmi (lower is better for epsilon). Results are
//! checked equal across engines before timing. Absolute times are not comparable across
//! runs on a shared machine; ratios within one run are.

use std::time::{Duration, Instant};

const FIB: &str = r#"(module
  (func (export "run") (param $n i32) (result i64) (call $fib (i64.extend_i32_u (local.get $n))))
  (func $fib (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2))))))))"#;

const LOOP: &str = r#"(module
  (func (export "run") (param $n32 i32) (result i64)
    (local $i i64) (local $acc i64) (local $n i64)
    (local.set $n (i64.extend_i32_u (local.get $n32)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.xor (local.get $i) (i64.const 0x5a))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $acc)))"#;

/// Where a workload's wasm comes from.
enum Source {
    /// Hand-written WAT.
    Wat(&'static str),
    /// A file in `benches/workloads/` built from C by `ci/build-bench-wasm.sh`.
    File(&'static str),
}

/// A workload: a module exporting `run(i32) -> i64`, and the argument to pass.
struct Workload {
    name: &'static str,
    source: Source,
    arg: i32,
}

const WORKLOADS: &[Workload] = &[
    Workload { name: "fib(30) recursive", source: Source::Wat(FIB), arg: 30 },
    Workload { name: "loop 50M iterations", source: Source::Wat(LOOP), arg: 50_000_000 },
    Workload { name: "memory_sum (C, 1 MiB x 20)", source: Source::File("memory_sum.wasm"), arg: 20 },
    Workload { name: "simd_dot (C, -msimd128)", source: Source::File("simd_dot.wasm"), arg: 300 },
];

fn wasm_of(source: &Source) -> Vec<u8> {
    match source {
        Source::Wat(text) => wat::parse_str(text).expect("valid WAT"),
        Source::File(name) => {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workloads").join(name);
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        }
    }
}

/// Which resource-limit mechanisms an epsilon run has switched on.
#[derive(Clone, Copy)]
enum Limits {
    Off,
    Fuel,
    Interrupt,
}

fn run_epsilon(wasm: &[u8], arg: i32, limits: Limits) -> impl FnMut() -> i64 {
    let mut config = epsilon::Config::default();
    match limits {
        Limits::Off => {}
        Limits::Fuel => {
            config.consume_fuel(true);
        }
        Limits::Interrupt => {
            config.interruptible(true);
        }
    }
    let engine = epsilon::Engine::new(config);
    let module = epsilon::Module::new(&engine, wasm).expect("epsilon compiles");
    let mut store = epsilon::Store::new(&engine, ());
    if let Limits::Fuel = limits {
        store.set_fuel(u64::MAX).expect("fuel enabled");
    }
    let instance = epsilon::Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
    let run = instance.get_typed_func::<i32, i64>(&store, "run").expect("export");
    move || run.call(&mut store, arg).expect("runs")
}

fn run_wasmi(wasm: &[u8], arg: i32) -> impl FnMut() -> i64 {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).expect("wasmi compiles");
    let mut store = wasmi::Store::new(&engine, ());
    let linker = wasmi::Linker::<()>::new(&engine);
    let instance = linker.instantiate_and_start(&mut store, &module).expect("instantiates");
    let run = instance.get_typed_func::<i32, i64>(&store, "run").expect("export");
    move || run.call(&mut store, arg).expect("runs")
}

fn median(mut f: impl FnMut() -> i64, samples: usize) -> (Duration, i64) {
    let result = f(); // warm-up
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            let r = f();
            assert_eq!(r, result, "deterministic result");
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[samples / 2], result)
}

fn main() {
    let samples = std::env::var("BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    println!(
        "| workload | epsilon (ms) | wasmi 2.0 (ms) | epsilon / wasmi | fuel on / off | interruptible / off |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let mut log_sum = 0.0;
    let (mut log_fuel, mut log_interrupt) = (0.0, 0.0);
    for w in WORKLOADS {
        let wasm = wasm_of(&w.source);
        let (ours, r1) = median(run_epsilon(&wasm, w.arg, Limits::Off), samples);
        let (theirs, r2) = median(run_wasmi(&wasm, w.arg), samples);
        let (fuel, r3) = median(run_epsilon(&wasm, w.arg, Limits::Fuel), samples);
        let (interrupt, r4) = median(run_epsilon(&wasm, w.arg, Limits::Interrupt), samples);
        assert!(r1 == r2 && r1 == r3 && r1 == r4, "{}: engines or configurations disagree", w.name);
        let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
        let fuel_ratio = fuel.as_secs_f64() / ours.as_secs_f64();
        let interrupt_ratio = interrupt.as_secs_f64() / ours.as_secs_f64();
        log_sum += ratio.ln();
        log_fuel += fuel_ratio.ln();
        log_interrupt += interrupt_ratio.ln();
        println!(
            "| {} | {:.1} | {:.1} | {:.2} | {:.2} | {:.2} |",
            w.name,
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ratio,
            fuel_ratio,
            interrupt_ratio
        );
    }
    let n = WORKLOADS.len() as f64;
    println!("\ngeomean epsilon/wasmi: {:.2}", (log_sum / n).exp());
    println!("geomean cost of fuel: {:.2}", (log_fuel / n).exp());
    println!("geomean cost of interruption checks: {:.2}", (log_interrupt / n).exp());
}
