//! The benchmark suite: epsilon next to its peers (wasmi, and wasm3 when built with the
//! `bench-wasm3` feature) on the same wasm, in the same run. Usually run through `ci/bench`.
//!
//! `cargo bench -p epsilon --bench peers [--features bench-wasm3] -- [options]`
//!
//! * (no option): times every workload on every engine and writes `report.json` and
//!   `report.md` to the output directory (default `target/bench`), then prints the table.
//! * `--smoke`: runs each workload once per engine with a small argument and checks that the
//!   results agree (no timing).
//! * `--callgrind`: instruction counts per workload and engine under valgrind.
//! * `--only a,b`: only these workloads. `--out DIR`: output directory. `--no-memory`: skip
//!   the peak-RSS children.
//! * `--engines a,b` (with `--callgrind`): count these engines after epsilon instead of the
//!   peers, e.g. `--engines wasmi,epsilon_wasm2` (each column's ratio is epsilon / it).
//! * `BENCH_SAMPLES` (default 7): samples per engine and workload.
//!
//! Method: each engine first runs the workload once (warm-up), and the results of all engines
//! must be equal; then the engines take turns, one sample each per round (see `measure.rs`).
//! Reported per engine: median and minimum; ratios are epsilon's median over the peer's, within
//! this run. Absolute times are not comparable across runs on a shared machine; ratios are.
//!
//! Most workloads time `run(arg)` calls; the start-up ones time compile + instantiate from
//! scratch (`startup_*`) or instantiation of a module compiled once (`instantiate_small`).
//! The start-up workloads also run on the lazy pair, epsilon with `Config::lazy_translation`
//! (`epsilon_lazy`) and wasmi in its default lazy mode (`wasmi_lazy`): both validate at compile
//! time and translate each function on its first call. They get a table of their own after the
//! main one (`epsilon_lazy / wasmi_lazy`, and `epsilon_lazy / epsilon`, what lazy translation
//! saves), and `lazy_ratio` / `lazy_cost` per workload and `summary.lazy_start_up` in the JSON;
//! the main table's columns and geomeans are the eager engines' alone.

mod callgrind;
mod engines;
mod generate;
mod measure;
mod report;
mod rss;
mod workloads;

use std::path::PathBuf;

use engines::Engine;
use measure::Contestant;
use report::{Outcome, Report, WorkloadResult};
use workloads::{Kind, Loaded, Workload};

/// Command-line options.
struct Options {
    smoke: bool,
    callgrind: bool,
    memory: bool,
    only: Option<Vec<String>>,
    /// `--engines`: the engines counted after epsilon under callgrind (default: the peers).
    engines: Option<Vec<Engine>>,
    out: PathBuf,
    samples: usize,
}

impl Options {
    fn parse(args: &[String]) -> Options {
        let mut options = Options {
            smoke: false,
            callgrind: false,
            memory: true,
            only: None,
            engines: None,
            out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench"),
            samples: std::env::var("BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(7).max(1),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--smoke" => options.smoke = true,
                "--callgrind" => options.callgrind = true,
                "--no-memory" => options.memory = false,
                "--only" => options.only = args.next().map(|s| s.split(',').map(String::from).collect()),
                "--engines" => {
                    let list = args.next().expect("--engines a,b");
                    let parse = |k: &str| Engine::from_key(k).unwrap_or_else(|| panic!("unknown engine {k}"));
                    options.engines =
                        Some(list.split(',').map(parse).filter(|&e| e != Engine::Epsilon).collect());
                }
                "--out" => options.out = PathBuf::from(args.next().expect("--out DIR")),
                "--bench" => {} // added by `cargo bench`
                other => panic!("unknown option {other} (see the doc comment of benches/peers.rs)"),
            }
        }
        if let Some(only) = &options.only {
            for name in only {
                assert!(workloads::by_name(name).is_some(), "unknown workload {name}");
            }
        }
        options
    }

    fn selected(&self, w: &Workload) -> bool {
        self.only.as_ref().is_none_or(|only| only.iter().any(|n| n == w.name))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Child processes: peak RSS of one engine, or one operation under callgrind.
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["--rss-child", engine, path, functions] => return rss::child(engine, path, functions),
        ["--measure-once", workload, engine] => return callgrind::child(workload, engine),
        _ => {}
    }
    let options = Options::parse(&args);
    if options.smoke {
        smoke(&options);
    } else if options.callgrind {
        callgrind_report(&options);
    } else {
        full(&options);
    }
}

/// Each workload once per engine, small arguments, results compared.
fn smoke(options: &Options) {
    let keys = |engines: &[Engine]| engines.iter().map(|e| e.key()).collect::<Vec<_>>().join(", ");
    println!(
        "smoke: each workload once on {}; the start-up workloads also on {}",
        keys(&Engine::timed()),
        keys(&Engine::lazy())
    );
    for w in workloads::WORKLOADS.iter().filter(|w| options.selected(w)) {
        let loaded = workloads::load(w);
        let mut results = Vec::new();
        for engine in Engine::for_kind(w.kind) {
            if let Some(why) = engine.unsupported(w.needs) {
                println!("  {:<16} {:<18} skipped: {why}", w.name, engine.key());
                continue;
            }
            let mut runner =
                engine.runner(&loaded.wasm, w.smoke_arg).unwrap_or_else(|e: String| fail(w, engine, &e));
            match w.kind {
                Kind::Run => {}
                Kind::StartUp => engine
                    .start_up(&loaded.wasm, loaded.functions)
                    .unwrap_or_else(|e: String| fail(w, engine, &e)),
                Kind::Instantiate => {
                    engine.instantiator(&loaded.wasm).unwrap_or_else(|e: String| fail(w, engine, &e))();
                }
            }
            results.push((engine, runner()));
        }
        check_agreement(w, &results);
        println!("  {:<16} ok: {} on {} engines", w.name, results[0].1, results.len());
    }
    println!("smoke: all results agree");
}

fn fail(w: &Workload, engine: Engine, error: &str) -> ! {
    panic!("{} on {}: {error}", w.name, engine.key())
}

/// Panics unless every engine returned epsilon's result.
fn check_agreement(w: &Workload, results: &[(Engine, i64)]) {
    let expected = results[0].1;
    if results.iter().any(|&(_, r)| r != expected) {
        let all: Vec<String> = results.iter().map(|(e, r)| format!("{}={r}", e.key())).collect();
        panic!("{}: the engines disagree: {}", w.name, all.join(", "));
    }
}

/// The timed run: every workload on every engine, the memory figures, the report files.
fn full(options: &Options) {
    let mut results = Vec::new();
    for w in workloads::WORKLOADS.iter().filter(|w| options.selected(w)) {
        results.push(time_workload(w, options.samples));
    }
    let large = workloads::load(workloads::by_name("startup_large").expect("the large start-up workload"));
    std::fs::create_dir_all(&options.out).expect("creates the output directory");
    let memory = if options.memory {
        eprintln!("peak RSS: compiling the large module in child processes");
        rss::measure(&large.wasm, large.functions, &options.out.join("startup_large.wasm"), 3)
    } else {
        Vec::new()
    };
    let report = Report { results, memory, large_module_bytes: large.wasm.len(), samples: options.samples };
    let json = serde_json::to_string_pretty(&report.to_json()).expect("serialises");
    std::fs::write(options.out.join("report.json"), json + "\n").expect("writes report.json");
    let markdown = report.to_markdown();
    std::fs::write(options.out.join("report.md"), &markdown).expect("writes report.md");
    println!("{markdown}");
    eprintln!("wrote {}/report.json and report.md", options.out.display());
}

/// Warms up and checks every engine on `w`, then takes the interleaved samples.
fn time_workload(w: &'static Workload, samples: usize) -> WorkloadResult {
    let loaded = workloads::load(w);
    let mut contestants: Vec<Contestant> = Vec::new();
    let mut results: Vec<(Engine, i64)> = Vec::new();
    let mut outcomes: Vec<(Engine, Outcome)> = Vec::new();
    let engines = Engine::for_kind(w.kind);
    for &engine in &engines {
        if let Some(why) = engine.unsupported(w.needs) {
            outcomes.push((engine, Outcome::Skipped(why.to_string())));
            continue;
        }
        let (contestant, result) = prepare(w, engine, &loaded);
        contestants.push(contestant);
        results.push((engine, result));
    }
    check_agreement(w, &results);
    // What every timed call must return: the checksum, or 0 for a start-up or instantiation.
    let expected: Vec<i64> = results.iter().map(|&(_, r)| if w.kind == Kind::Run { r } else { 0 }).collect();
    let stats = measure::interleaved(&mut contestants, samples, w.batch, &expected);
    let mut line = format!("{:<16}", w.name);
    for (&(engine, _), s) in results.iter().zip(stats) {
        line += &format!(" {}={}", engine.key(), report::duration(s.median_ns));
        outcomes.push((engine, Outcome::Timed(s)));
    }
    eprintln!("{line}");
    outcomes.sort_by_key(|(e, _)| engines.iter().position(|x| x == e));
    WorkloadResult { workload: w, wasm_bytes: loaded.wasm.len(), result: results[0].1, outcomes }
}

/// Instantiates `w` on `engine` and calls `run(arg)` once (the warm-up, whose result is
/// compared across engines); returns the operation to time, warmed up, and that result.
fn prepare(w: &Workload, engine: Engine, loaded: &Loaded) -> (Contestant, i64) {
    let mut runner = engine.runner(&loaded.wasm, w.arg).unwrap_or_else(|e: String| fail(w, engine, &e));
    let result = runner();
    let contestant: Contestant = match w.kind {
        Kind::Run => runner,
        Kind::StartUp => {
            let (wasm, functions) = (loaded.wasm.clone(), loaded.functions);
            let start_up = move || {
                engine.start_up(&wasm, functions).expect("starts up");
                0
            };
            start_up(); // the warm-up of the timed operation itself
            Box::new(start_up)
        }
        Kind::Instantiate => {
            let mut instantiate = engine.instantiator(&loaded.wasm).unwrap_or_else(|e| fail(w, engine, &e));
            instantiate(); // the warm-up of the timed operation itself
            instantiate
        }
    };
    (contestant, result)
}

/// `--callgrind`: instruction counts of epsilon and the peers, printed and written to
/// `callgrind.json` and `callgrind.md`.
fn callgrind_report(options: &Options) {
    let mut engines = vec![Engine::Epsilon];
    engines.extend(options.engines.clone().unwrap_or_else(Engine::peers));
    let counts = callgrind::run_all(&engines, &|w| options.selected(w));
    std::fs::create_dir_all(&options.out).expect("creates the output directory");
    let json = serde_json::to_string_pretty(&callgrind::to_json(&counts)).expect("serialises");
    std::fs::write(options.out.join("callgrind.json"), json + "\n").expect("writes callgrind.json");
    let markdown = callgrind::to_markdown(&counts, &engines);
    std::fs::write(options.out.join("callgrind.md"), &markdown).expect("writes callgrind.md");
    println!("{markdown}");
}
