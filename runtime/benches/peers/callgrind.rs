//! `--callgrind`: instruction counts from `valgrind --tool=callgrind`, a figure that does not
//! depend on what else the machine is doing. Each (workload, engine) pair runs in its own
//! child, `valgrind ... peers --measure-once <workload> <engine>`, with collection switched on
//! only inside [`epsilon_bench_measured`]: the set-up and a warm-up call are not counted.
//! The start-up workloads also run on the lazy pair ([`Engine::lazy`]), in a table of their own.

use std::fmt::Write as _;
use std::process::Command;

use serde_json::{Value, json};

use crate::engines::Engine;
use crate::measure::geomean;
use crate::report::utc_date;
use crate::workloads::{self, Kind, Workload};

/// The one call whose instructions are counted (by symbol name, hence `no_mangle`).
#[inline(never)]
#[unsafe(no_mangle)]
pub fn epsilon_bench_measured(f: &mut dyn FnMut() -> i64) -> i64 {
    f()
}

/// Instruction counts of one workload, per engine, epsilon first (`None`: skipped or failed).
pub struct Counts {
    pub workload: &'static Workload,
    pub counts: Vec<(Engine, Option<u64>)>,
    /// epsilon_lazy and wasmi_lazy, for a start-up workload (empty otherwise).
    pub lazy: Vec<(Engine, Option<u64>)>,
}

impl Counts {
    /// Instructions of epsilon divided by those of the engine in column `i`.
    fn ratio(&self, i: usize) -> Option<f64> {
        Some(self.counts[0].1? as f64 / self.counts[i].1? as f64)
    }

    /// Instructions of `engine`, if counted.
    fn count(&self, engine: Engine) -> Option<u64> {
        self.counts.iter().chain(&self.lazy).find(|(e, _)| *e == engine)?.1
    }

    /// Instructions of epsilon_lazy divided by those of wasmi_lazy.
    fn lazy_ratio(&self) -> Option<f64> {
        Some(self.count(Engine::EpsilonLazy)? as f64 / self.count(Engine::WasmiLazy)? as f64)
    }
}

/// Geometric mean of epsilon_lazy / wasmi_lazy over the start-up workloads, and their count.
fn geomean_lazy(counts: &[Counts]) -> (f64, usize) {
    let ratios: Vec<f64> = counts.iter().filter_map(Counts::lazy_ratio).collect();
    (geomean(&ratios), ratios.len())
}

/// Geometric means of the ratios epsilon/peer over the workloads both ran, with their count.
fn geomeans(counts: &[Counts], engines: &[Engine]) -> Vec<(Engine, f64, usize)> {
    (1..engines.len())
        .map(|i| {
            let ratios: Vec<f64> = counts.iter().filter_map(|c| c.ratio(i)).collect();
            (engines[i], geomean(&ratios), ratios.len())
        })
        .collect()
}

/// The counts as JSON: per workload and engine, and the geomean ratio per peer.
pub fn to_json(counts: &[Counts]) -> Value {
    let engines: Vec<Engine> =
        counts.first().map_or(Vec::new(), |c| c.counts.iter().map(|(e, _)| *e).collect());
    let rows: Vec<Value> = counts
        .iter()
        .map(|c| {
            let per_engine: serde_json::Map<String, Value> =
                c.counts.iter().chain(&c.lazy).map(|(e, n)| (e.key().to_string(), json!(n))).collect();
            let mut row =
                json!({ "name": c.workload.name, "arg": c.workload.arg, "instructions": per_engine });
            if !c.lazy.is_empty() {
                row["lazy_ratio"] = json!(c.lazy_ratio());
            }
            row
        })
        .collect();
    let summary: serde_json::Map<String, Value> =
        geomeans(counts, &engines).into_iter().map(|(e, g, _)| (e.key().to_string(), json!(g))).collect();
    let (lazy, compared) = geomean_lazy(counts);
    json!({
        "date": utc_date(),
        "workloads": rows,
        "summary": {
            "geomean_ratio": summary,
            "lazy_start_up": { "geomean_ratio": lazy, "workloads_compared": compared },
        },
    })
}

/// The counts as a Markdown table, with a geomean row.
pub fn to_markdown(counts: &[Counts], engines: &[Engine]) -> String {
    let mut md = String::from("| workload |");
    for e in engines {
        let _ = write!(md, " {} (instructions) |", e.key());
    }
    for p in &engines[1..] {
        let _ = write!(md, " epsilon / {} |", p.key());
    }
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(2 * engines.len() - 1));
    for c in counts {
        let _ = write!(md, "| {} |", c.workload.name);
        for (_, n) in &c.counts {
            let _ = write!(md, " {} |", n.map_or("-".into(), |n| n.to_string()));
        }
        for i in 1..engines.len() {
            let _ = write!(md, " {} |", c.ratio(i).map_or("-".into(), |r| format!("{r:.2}")));
        }
        md.push('\n');
    }
    md += "| **geomean** |";
    md += &" |".repeat(engines.len());
    for (_, g, n) in geomeans(counts, engines) {
        let _ = write!(md, " **{g:.2}** ({n}) |");
    }
    md.push('\n');
    lazy_markdown(&mut md, counts);
    md
}

/// The start-up workloads on the lazy pair, as a second table (nothing if none ran).
fn lazy_markdown(md: &mut String, counts: &[Counts]) {
    let rows: Vec<&Counts> = counts.iter().filter(|c| !c.lazy.is_empty()).collect();
    if rows.is_empty() {
        return;
    }
    md.push_str(
        "\nStart-up with lazy translation (validate when compiling, translate each function on its first \
         call); epsilon_lazy / epsilon = lazy over epsilon's default eager translation:\n\n\
         | workload | epsilon_lazy (instructions) | wasmi_lazy (instructions) | epsilon_lazy / wasmi_lazy | \
         epsilon_lazy / epsilon |\n|---|---:|---:|---:|---:|\n",
    );
    let number = |n: Option<u64>| n.map_or("-".into(), |n| n.to_string());
    let ratio = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.2}"));
    for c in rows {
        let cost =
            c.count(Engine::EpsilonLazy).zip(c.count(Engine::Epsilon)).map(|(l, e)| l as f64 / e as f64);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            c.workload.name,
            number(c.count(Engine::EpsilonLazy)),
            number(c.count(Engine::WasmiLazy)),
            ratio(c.lazy_ratio()),
            ratio(cost)
        );
    }
    let (g, n) = geomean_lazy(counts);
    let _ = writeln!(md, "| **geomean** | | | **{g:.2}** ({n}) | |");
}

/// Runs every workload on `engines` (and each start-up workload also on [`Engine::lazy`])
/// under callgrind, two children at a time.
pub fn run_all(engines: &[Engine], only: &dyn Fn(&Workload) -> bool) -> Vec<Counts> {
    let exe = std::env::current_exe().expect("path of the benchmark binary");
    let lazy = |w: &Workload| if w.kind.is_start_up() { Engine::lazy().to_vec() } else { Vec::new() };
    let jobs: Vec<(&'static Workload, Engine)> = workloads::WORKLOADS
        .iter()
        .filter(|w| only(w))
        .flat_map(|w| engines.iter().copied().chain(lazy(w)).map(move |e| (w, e)))
        .filter(|(w, e)| e.unsupported(w.needs).is_none())
        .collect();
    let mut results: Vec<Option<u64>> = vec![None; jobs.len()];
    for (chunk_index, chunk) in jobs.chunks(2).enumerate() {
        let children: Vec<_> = chunk
            .iter()
            .map(|(w, e)| {
                Command::new("valgrind")
                    .args(["--tool=callgrind", "--callgrind-out-file=/dev/null", "--collect-atstart=no"])
                    .arg("--toggle-collect=epsilon_bench_measured")
                    .arg(&exe)
                    .args(["--measure-once", w.name, e.key()])
                    .output()
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            let (w, e) = chunk[i];
            let count = child.ok().and_then(|out| collected(&String::from_utf8_lossy(&out.stderr)));
            eprintln!(
                "callgrind {:<16} {:<12} {}",
                w.name,
                e.key(),
                count.map_or("failed".into(), |c| c.to_string())
            );
            results[chunk_index * 2 + i] = count;
        }
    }
    let count = |w: &Workload, e: Engine| {
        (e, jobs.iter().position(|(jw, je)| jw.name == w.name && *je == e).and_then(|i| results[i]))
    };
    workloads::WORKLOADS
        .iter()
        .filter(|w| only(w))
        .map(|w| Counts {
            workload: w,
            counts: engines.iter().map(|&e| count(w, e)).collect(),
            lazy: lazy(w).into_iter().map(|e| count(w, e)).collect(),
        })
        .collect()
}

/// The `Collected : N` line callgrind prints at exit.
fn collected(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| line.split("Collected :").nth(1)?.trim().parse().ok())
}

/// The child side: set up `workload` on `engine`, warm up, then one counted operation.
pub fn child(workload: &str, engine: &str) {
    let workload = workloads::by_name(workload).unwrap_or_else(|| panic!("unknown workload {workload}"));
    let engine = Engine::from_key(engine).unwrap_or_else(|| panic!("unknown engine {engine}"));
    let loaded = workloads::load(workload);
    let mut operation: Box<dyn FnMut() -> i64> = match workload.kind {
        Kind::Run => engine.runner(&loaded.wasm, workload.arg).expect("instantiates"),
        Kind::StartUp => Box::new(move || {
            engine.start_up(&loaded.wasm, loaded.functions).expect("starts up");
            0
        }),
        Kind::Instantiate => engine.instantiator(&loaded.wasm).expect("compiles"),
    };
    operation();
    epsilon_bench_measured(&mut *operation);
}
