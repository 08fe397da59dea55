//! Peak memory (resident set) of compiling + instantiating the large start-up module, one
//! engine per child process so that no engine's allocations show in another's figure.
//!
//! The parent writes the module to a file and re-runs this benchmark binary as
//! `peers --rss-child <engine> <file>`. The child reads the file, resets its peak RSS
//! (`/proc/self/clear_refs`), notes its current RSS (the baseline: the binary, the module's
//! bytes), compiles and instantiates, and prints `VmHWM` (peak RSS) and the baseline in KiB.

use std::path::Path;
use std::process::Command;

use crate::engines::Engine;

/// Peak RSS of one engine, in KiB.
#[derive(Clone, Debug)]
pub struct Rss {
    pub engine: Engine,
    /// Peak resident set during compile + instantiate (`VmHWM`).
    pub peak_kib: u64,
    /// Resident set just before compiling.
    pub baseline_kib: u64,
}

/// Engines whose memory is measured: epsilon and wasmi, each eager and lazy, and wasm3 if built.
pub fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Epsilon, Engine::EpsilonLazy, Engine::Wasmi, Engine::WasmiLazy];
    if cfg!(feature = "bench-wasm3") {
        engines.push(Engine::Wasm3);
    }
    engines
}

/// Measures every engine of [`engines`] on `wasm` (written to `scratch`) in child processes;
/// each figure is the median of `runs` children.
pub fn measure(wasm: &[u8], functions: usize, scratch: &Path, runs: usize) -> Vec<Rss> {
    std::fs::write(scratch, wasm).expect("writes the large module");
    let exe = std::env::current_exe().expect("path of the benchmark binary");
    let rows = engines()
        .into_iter()
        .map(|engine| {
            let mut samples: Vec<(u64, u64)> = (0..runs)
                .map(|_| {
                    let output = Command::new(&exe)
                        .args(["--rss-child", engine.key()])
                        .arg(scratch)
                        .arg(functions.to_string())
                        .output()
                        .expect("runs the RSS child");
                    let text = String::from_utf8_lossy(&output.stdout);
                    assert!(output.status.success(), "RSS child for {} failed: {text}", engine.key());
                    parse_child_output(&text)
                })
                .collect();
            samples.sort();
            let (peak_kib, baseline_kib) = samples[samples.len() / 2];
            Rss { engine, peak_kib, baseline_kib }
        })
        .collect();
    let _ = std::fs::remove_file(scratch);
    rows
}

fn parse_child_output(text: &str) -> (u64, u64) {
    let field = |name: &str| -> u64 {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name)?.parse().ok())
            .unwrap_or_else(|| panic!("RSS child printed no {name}: {text}"))
    };
    (field("peak_kib="), field("baseline_kib="))
}

/// The child side: compile + instantiate `path` with `engine` and print the figures.
pub fn child(engine: &str, path: &str, functions: &str) {
    let engine = Engine::from_key(engine).unwrap_or_else(|| panic!("unknown engine {engine}"));
    let functions: usize = functions.parse().expect("function count");
    let wasm = std::fs::read(path).expect("reads the module");
    // Resets VmHWM to the current RSS (Linux >= 4.0); if refused, the peak includes start-up.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline_kib = status_kib("VmRSS");
    engine.start_up(&wasm, functions).expect("compiles and instantiates");
    println!("peak_kib={} baseline_kib={baseline_kib}", status_kib("VmHWM"));
}

/// A `kB` field of `/proc/self/status`.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("reads /proc/self/status");
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok()
        })
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}
