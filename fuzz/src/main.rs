//! `epsilon-fuzz`: a seeded fuzzing driver for epsilon.
//!
//! ```text
//! epsilon-fuzz --target <decode|diff|api|wasi|all> --seed N
//!              (--iterations K | --minutes M | --smoke | --iteration I) [--save DIR]
//! ```
//!
//! Every iteration derives its input from (seed, target, iteration) alone, so `--iteration I`
//! replays one case. See `fuzz/README.md`.

mod api;
mod decode;
mod diff;
mod driver;
mod idioms;
mod peer_bugs;
mod relaxed;
mod rng;
mod smith;
mod wasi;

use driver::{Budget, RunSettings, Target};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const TARGETS: [&str; 4] = ["decode", "diff", "api", "wasi"];

/// Iterations per target of `--smoke`: together about a minute on two cores.
fn smoke_iterations(target: &str) -> u64 {
    match target {
        "decode" => 20_000,
        "diff" => 10_000,
        "api" => 800,
        _ => 5_000,
    }
}

const USAGE: &str = "usage: epsilon-fuzz --target <decode|diff|api|wasi|all> [--seed N] \
(--iterations K | --minutes M | --smoke | --iteration I) [--save DIR] [--hang-secs S] [--verbose]\n\
       epsilon-fuzz --compare FILE.wat|FILE.wasm   (run a module's exports on epsilon and wasmi)";

fn make_target(name: &str) -> Box<dyn Target> {
    match name {
        "decode" => Box::new(decode::Decode::new()),
        "diff" => Box::new(diff::Diff::new()),
        "api" => Box::new(api::Api::new()),
        _ => Box::new(wasi::Wasi::new()),
    }
}

#[derive(Debug)]
struct Args {
    targets: Vec<String>,
    seed: u64,
    iterations: Option<u64>,
    minutes: Option<f64>,
    smoke: bool,
    iteration: Option<u64>,
    save: PathBuf,
    hang_secs: u64,
    verbose: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        targets: Vec::new(),
        seed: 1,
        iterations: None,
        minutes: None,
        smoke: false,
        iteration: None,
        save: PathBuf::from("target/fuzz-findings"),
        hang_secs: 10,
        verbose: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--target" => {
                let t = value()?;
                if t == "all" {
                    args.targets = TARGETS.iter().map(|s| s.to_string()).collect();
                } else if TARGETS.contains(&t.as_str()) {
                    args.targets.push(t);
                } else {
                    return Err(format!("unknown target `{t}`"));
                }
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--iterations" => {
                args.iterations = Some(value()?.parse().map_err(|e| format!("--iterations: {e}"))?)
            }
            "--minutes" => args.minutes = Some(value()?.parse().map_err(|e| format!("--minutes: {e}"))?),
            "--iteration" => {
                args.iteration = Some(value()?.parse().map_err(|e| format!("--iteration: {e}"))?)
            }
            "--save" => args.save = PathBuf::from(value()?),
            "--hang-secs" => args.hang_secs = value()?.parse().map_err(|e| format!("--hang-secs: {e}"))?,
            "--smoke" => args.smoke = true,
            "--verbose" | "-v" => args.verbose = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.targets.is_empty() {
        return Err("--target is required".into());
    }
    let modes = [args.iterations.is_some(), args.minutes.is_some(), args.smoke, args.iteration.is_some()];
    if modes.iter().filter(|m| **m).count() != 1 {
        return Err("give exactly one of --iterations, --minutes, --smoke, --iteration".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if argv.len() == 3 && argv[1] == "--compare" {
        let path = PathBuf::from(&argv[2]);
        return match driver::on_big_stack(move || diff::compare_file(&path)) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("epsilon-fuzz: {e}");
                ExitCode::from(2)
            }
        };
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("epsilon-fuzz: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let settings = RunSettings {
        seed: args.seed,
        save_dir: args.save.clone(),
        hang_timeout: Duration::from_secs(args.hang_secs),
    };
    driver::install(&settings, args.verbose || args.iteration.is_some());
    println!("epsilon-fuzz: epsilon {} dispatch backend", epsilon::dispatch_backend());
    let per_target_time = args.minutes.map(|m| Duration::from_secs_f64(m * 60.0 / args.targets.len() as f64));
    let verbose = args.verbose || args.iteration.is_some();
    let results = driver::on_big_stack(move || {
        let mut lines = Vec::new();
        let mut failures = 0;
        for name in &args.targets {
            let budget = if let Some(i) = args.iteration {
                Budget::One(i)
            } else if let Some(n) = args.iterations {
                Budget::Iterations(n)
            } else if let Some(t) = per_target_time {
                Budget::Time(t)
            } else {
                Budget::Iterations(smoke_iterations(name))
            };
            let mut target = make_target(name);
            let (line, f) = driver::run_target(target.as_mut(), &settings, budget, verbose);
            println!("{line}");
            lines.push(line);
            failures += f;
        }
        failures
    });
    if results > 0 {
        eprintln!("epsilon-fuzz: {results} failures (inputs saved under {})", args.save.display());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
