//! The report: `report.json` (every figure) and `report.md` (the tables), both derived from
//! the same [`Report`].

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::engines::Engine;
use crate::measure::{Stats, geomean};
use crate::rss::Rss;
use crate::workloads::Workload;

/// What happened to one engine on one workload.
pub enum Outcome {
    Timed(Stats),
    Skipped(String),
}

/// The figures of one workload.
pub struct WorkloadResult {
    pub workload: &'static Workload,
    pub wasm_bytes: usize,
    /// The checksum every engine returned for `run(arg)`.
    pub result: i64,
    pub outcomes: Vec<(Engine, Outcome)>,
}

impl WorkloadResult {
    fn stats(&self, engine: Engine) -> Option<&Stats> {
        self.outcomes.iter().find_map(|(e, o)| match o {
            Outcome::Timed(s) if *e == engine => Some(s),
            _ => None,
        })
    }

    /// Median time of epsilon divided by `engine`'s (for a peer: below 1 means epsilon is faster).
    pub fn ratio(&self, engine: Engine) -> Option<f64> {
        Some(self.stats(Engine::Epsilon)?.median_ns / self.stats(engine)?.median_ns)
    }

    /// Median time of `engine` divided by epsilon's (for an epsilon configuration: its cost).
    pub fn cost(&self, engine: Engine) -> Option<f64> {
        self.ratio(engine).map(|r| 1.0 / r)
    }

    /// Median time of epsilon_lazy divided by wasmi_lazy's (start-up workloads only).
    pub fn lazy_ratio(&self) -> Option<f64> {
        Some(self.stats(Engine::EpsilonLazy)?.median_ns / self.stats(Engine::WasmiLazy)?.median_ns)
    }
}

/// Everything one run measured.
pub struct Report {
    pub results: Vec<WorkloadResult>,
    pub memory: Vec<Rss>,
    pub large_module_bytes: usize,
    pub samples: usize,
}

impl Report {
    /// Geometric mean of the ratios epsilon/`peer` over the workloads both ran, and their count.
    pub fn geomean_ratio(&self, peer: Engine) -> (f64, usize) {
        let ratios: Vec<f64> = self.results.iter().filter_map(|r| r.ratio(peer)).collect();
        (geomean(&ratios), ratios.len())
    }

    /// Geometric mean of epsilon_lazy / wasmi_lazy over the start-up workloads, and their count.
    pub fn geomean_lazy_ratio(&self) -> (f64, usize) {
        let ratios: Vec<f64> = self.results.iter().filter_map(WorkloadResult::lazy_ratio).collect();
        (geomean(&ratios), ratios.len())
    }

    /// Geometric mean of the cost of an epsilon configuration over all workloads.
    pub fn geomean_cost(&self, config: Engine) -> f64 {
        geomean(&self.results.iter().filter_map(|r| r.cost(config)).collect::<Vec<_>>())
    }

    pub fn to_json(&self) -> Value {
        let workloads: Vec<Value> = self.results.iter().map(workload_json).collect();
        let mut geomean_ratio = serde_json::Map::new();
        let mut compared = serde_json::Map::new();
        for peer in Engine::peers() {
            let (g, n) = self.geomean_ratio(peer);
            geomean_ratio.insert(peer.key().into(), json!(g));
            compared.insert(peer.key().into(), json!(n));
        }
        let memory: Vec<Value> = self
            .memory
            .iter()
            .map(|m| {
                json!({
                    "engine": m.engine.key(),
                    "description": m.engine.description(),
                    "peak_rss_kib": m.peak_kib,
                    "baseline_rss_kib": m.baseline_kib,
                })
            })
            .collect();
        let lazy = self.geomean_lazy_ratio();
        json!({
            "date": utc_date(),
            "machine": { "nproc": nproc(), "cpu": cpu_model() },
            "samples": self.samples,
            "method": "one warm-up call per engine, then interleaved samples; median and min per engine; ratios from medians",
            "engines": Engine::timed().iter().chain(&Engine::lazy()).map(|e| (e.key().to_string(), json!(e.description()))).collect::<serde_json::Map<_, _>>(),
            "workloads": workloads,
            "summary": {
                "geomean_ratio": geomean_ratio,
                "workloads_compared": compared,
                "fuel_cost": self.geomean_cost(Engine::EpsilonFuel),
                "interrupt_cost": self.geomean_cost(Engine::EpsilonInterrupt),
                "wasm3_features_cost": self.geomean_ratio(Engine::EpsilonWasm2).0,
                "lazy_start_up": { "geomean_ratio": lazy.0, "workloads_compared": lazy.1 },
            },
            "memory": { "large_module_bytes": self.large_module_bytes, "compile_instantiate_large": memory },
        })
    }

    pub fn to_markdown(&self) -> String {
        let peers = Engine::peers();
        let mut md = String::new();
        let _ = writeln!(
            md,
            "epsilon vs peers, {} on {} ({}, nproc {}), median (min) of {} interleaved samples; \
             ratio = epsilon median / peer median (below 1: epsilon faster); fuel and interrupt = \
             epsilon with that feature on / off; 3.0 = epsilon with the WebAssembly 3.0 features on \
             (the default) / off (epsilon_wasm2). Start-up with lazy translation: the table after.\n",
            utc_date(),
            cpu_model(),
            std::env::consts::ARCH,
            nproc(),
            self.samples
        );
        md.push_str("| workload |");
        for e in std::iter::once(&Engine::Epsilon).chain(&peers) {
            let _ = write!(md, " {} |", e.key());
        }
        for p in &peers {
            let _ = write!(md, " epsilon / {} |", p.key());
        }
        md.push_str(" fuel on / off | interrupt on / off | 3.0 on / off |\n|---|");
        md.push_str(&"---:|".repeat(1 + 2 * peers.len() + 3));
        md.push('\n');
        for r in &self.results {
            self.markdown_row(&mut md, r, &peers);
        }
        md.push_str("| **geomean** |");
        md.push_str(&" |".repeat(1 + peers.len()));
        for &p in &peers {
            let (g, n) = self.geomean_ratio(p);
            let _ = write!(md, " **{g:.2}** ({n}) |");
        }
        let _ = writeln!(
            md,
            " **{:.2}** | **{:.2}** | **{:.2}** |",
            self.geomean_cost(Engine::EpsilonFuel),
            self.geomean_cost(Engine::EpsilonInterrupt),
            self.geomean_ratio(Engine::EpsilonWasm2).0
        );
        self.markdown_lazy(&mut md);
        self.markdown_memory(&mut md);
        md
    }

    fn markdown_row(&self, md: &mut String, r: &WorkloadResult, peers: &[Engine]) {
        let _ = write!(md, "| {} |", r.workload.name);
        for &e in std::iter::once(&Engine::Epsilon).chain(peers) {
            let cell = match r.outcomes.iter().find(|(oe, _)| *oe == e).map(|(_, o)| o) {
                Some(Outcome::Timed(s)) => format!("{} ({})", duration(s.median_ns), duration(s.min_ns)),
                Some(Outcome::Skipped(why)) => format!("n/a: {why}"),
                None => "-".into(),
            };
            let _ = write!(md, " {cell} |");
        }
        for &p in peers {
            let _ = write!(md, " {} |", r.ratio(p).map_or("-".into(), |x| format!("{x:.2}")));
        }
        for c in [Engine::EpsilonFuel, Engine::EpsilonInterrupt] {
            let _ = write!(md, " {} |", r.cost(c).map_or("-".into(), |x| format!("{x:.2}")));
        }
        let _ = write!(md, " {} |", r.ratio(Engine::EpsilonWasm2).map_or("-".into(), |x| format!("{x:.2}")));
        md.push('\n');
    }

    /// The start-up workloads once more, with lazy translation on both sides.
    fn markdown_lazy(&self, md: &mut String) {
        let rows: Vec<&WorkloadResult> =
            self.results.iter().filter(|r| r.workload.kind.is_start_up()).collect();
        if rows.is_empty() {
            return;
        }
        md.push_str(
            "\nStart-up with lazy translation (validate when compiling, translate each function on its \
             first call), epsilon_lazy next to wasmi_lazy, median (min); epsilon_lazy / epsilon = lazy \
             over epsilon's default eager translation (the epsilon column above):\n\n\
             | workload | epsilon_lazy | wasmi_lazy | epsilon_lazy / wasmi_lazy | epsilon_lazy / epsilon |\n\
             |---|---:|---:|---:|---:|\n",
        );
        for r in rows {
            let time = |e: Engine| {
                r.stats(e)
                    .map_or("-".into(), |s| format!("{} ({})", duration(s.median_ns), duration(s.min_ns)))
            };
            let ratio = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.2}"));
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                r.workload.name,
                time(Engine::EpsilonLazy),
                time(Engine::WasmiLazy),
                ratio(r.lazy_ratio()),
                ratio(r.cost(Engine::EpsilonLazy))
            );
        }
        let (g, n) = self.geomean_lazy_ratio();
        let _ = writeln!(md, "| **geomean** | | | **{g:.2}** ({n}) | |");
    }

    fn markdown_memory(&self, md: &mut String) {
        if self.memory.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "\nPeak RSS while compiling + instantiating the large generated module ({:.2} MiB of wasm), \
             one child process per engine:\n\n| engine | peak RSS (MiB) | above baseline (MiB) |\n|---|---:|---:|",
            self.large_module_bytes as f64 / 1048576.0
        );
        for m in &self.memory {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.1} |",
                m.engine.description(),
                m.peak_kib as f64 / 1024.0,
                m.peak_kib.saturating_sub(m.baseline_kib) as f64 / 1024.0
            );
        }
    }
}

fn workload_json(r: &WorkloadResult) -> Value {
    let w = r.workload;
    let engines: serde_json::Map<String, Value> = r
        .outcomes
        .iter()
        .map(|(e, o)| {
            let v = match o {
                Outcome::Timed(s) => json!({
                    "median_ns": s.median_ns,
                    "min_ns": s.min_ns,
                    "samples": s.sample_ns.len(),
                    "sample_ns": s.sample_ns,
                }),
                Outcome::Skipped(why) => json!({ "skipped": why }),
            };
            (e.key().to_string(), v)
        })
        .collect();
    let ratios: serde_json::Map<String, Value> =
        Engine::peers().iter().filter_map(|&p| Some((p.key().to_string(), json!(r.ratio(p)?)))).collect();
    let mut value = json!({
        "name": w.name,
        "about": w.about,
        "kind": w.kind.key(),
        "arg": w.arg,
        "ops_per_sample": w.batch,
        "wasm_bytes": r.wasm_bytes,
        "result": r.result,
        "engines": engines,
        "ratio": ratios,
        "fuel_cost": r.cost(Engine::EpsilonFuel),
        "interrupt_cost": r.cost(Engine::EpsilonInterrupt),
        "wasm3_features_cost": r.ratio(Engine::EpsilonWasm2),
    });
    if w.kind.is_start_up() {
        value["lazy_ratio"] = json!(r.lazy_ratio());
        value["lazy_cost"] = json!(r.cost(Engine::EpsilonLazy));
    }
    value
}

/// A duration in ns as text with a unit that keeps 3 significant digits.
pub fn duration(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Today's date (UTC) as YYYY-MM-DD.
pub fn utc_date() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = (secs / 86400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Number of CPUs this process may use.
pub fn nproc() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The CPU model from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| Some(l.strip_prefix("model name")?.split_once(':')?.1.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
