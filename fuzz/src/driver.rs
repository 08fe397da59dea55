//! The driver: runs a target's iterations on a big-stack worker thread, each under
//! `catch_unwind`, with a watchdog for hangs, prints progress every ~10 s, saves every failing
//! input with an explanation and the command that replays it, and returns the summary.

use crate::rng::Rng;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Native stack of the worker thread that runs epsilon and wasmi (wasmi 2.0.0 recurses on the
/// native stack in some paths; epsilon itself never needs much).
pub const WORKER_STACK: usize = 512 << 20;

/// Something worth saving: a failure, or a peer bug or known-open fault kept for reference.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Short class, used in the file name: `mismatch`, `panic`, `hang`, `escape`, ...
    pub kind: &'static str,
    /// Whether this finding fails the run (epsilon's fault) or is only kept for reference.
    pub fails: bool,
    /// The module involved, if any.
    pub wasm: Option<Vec<u8>>,
    /// The explanation (what was compared, what differed).
    pub text: String,
}

/// What a target sees of the driver during one iteration.
#[derive(Debug, Default)]
pub struct IterCtx {
    /// Findings of this iteration; the driver saves them.
    pub findings: Vec<Finding>,
    /// Whether to print details of what is done (replay mode).
    pub verbose: bool,
}

impl IterCtx {
    /// Records a finding.
    pub fn report(&mut self, kind: &'static str, fails: bool, wasm: Option<&[u8]>, text: String) {
        if self.verbose {
            eprintln!("[{kind}] {text}");
        }
        self.findings.push(Finding { kind, fails, wasm: wasm.map(<[u8]>::to_vec), text });
    }

    /// Sets the module the watchdog and the panic report save if this iteration hangs or panics.
    pub fn set_current_wasm(&self, wasm: &[u8]) {
        *lock(&CURRENT_WASM) = Some(wasm.to_vec());
    }
}

/// A fuzz target: one kind of input and check.
pub trait Target {
    /// The target's name as given to `--target`.
    fn name(&self) -> &'static str;
    /// Runs one iteration with its own random stream.
    fn run(&mut self, rng: &mut Rng, ctx: &mut IterCtx);
    /// Counts the iteration as a panic (an epsilon panic caught by the driver).
    fn count_panic(&mut self);
    /// The number of failures so far (mismatches, panics, hangs, escapes...).
    fn failures(&self) -> u64;
    /// The summary line, e.g. `diff: seed 1, 120 modules, ... 0 mismatches, 0 panics`.
    fn summary(&self, seed: u64) -> String;
}

/// How long a target runs.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// Exactly this many iterations.
    Iterations(u64),
    /// Until this much wall time has passed.
    Time(Duration),
    /// Only this iteration (replay).
    One(u64),
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// The seed.
    pub seed: u64,
    /// Where failing inputs are written.
    pub save_dir: PathBuf,
    /// An iteration taking longer than this is a hang finding (the process then exits).
    pub hang_timeout: Duration,
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static CURRENT_WASM: Mutex<Option<Vec<u8>>> = Mutex::new(None);
static CURRENT: Mutex<Option<(String, u64, u64, Instant)>> = Mutex::new(None);
static QUIET_PANICS: AtomicBool = AtomicBool::new(true);

/// Locks a mutex, ignoring poisoning (a panic while holding it is itself reported).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the panic hook (records the message and location instead of printing them) and
/// the watchdog thread.
pub fn install(settings: &RunSettings, verbose: bool) {
    QUIET_PANICS.store(!verbose, Ordering::Relaxed);
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string payload)".to_string());
        let thread = std::thread::current().name().unwrap_or("?").to_string();
        // The frames of our crates (epsilon and the fuzzer), innermost first.
        let trace = std::backtrace::Backtrace::force_capture().to_string();
        let frames: Vec<&str> = trace
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("at ") && (l.contains("runtime/src") || l.contains("fuzz/src")))
            .take(8)
            .collect();
        let message =
            format!("panicked on thread `{thread}`{location}: {payload}\n  {}", frames.join("\n  "));
        if !QUIET_PANICS.load(Ordering::Relaxed) {
            eprintln!("{message}");
        }
        *lock(&LAST_PANIC) = Some(message);
    }));
    let dir = settings.save_dir.clone();
    let timeout = settings.hang_timeout;
    std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let current = lock(&CURRENT).clone();
                if let Some((target, seed, iteration, start)) = current
                    && start.elapsed() > timeout
                {
                    let finding = Finding {
                        kind: "hang",
                        fails: true,
                        wasm: lock(&CURRENT_WASM).clone(),
                        text: format!(
                            "iteration still running after {:.1} s (limit {} s): a hang",
                            start.elapsed().as_secs_f64(),
                            timeout.as_secs()
                        ),
                    };
                    let saved = save(&dir, &target, seed, iteration, 0, &finding);
                    eprintln!("{target}: HANG at seed {seed}, iteration {iteration}; saved {saved}");
                    eprintln!("{target}: exiting (a hung iteration cannot be stopped)");
                    std::process::exit(3);
                }
            }
        })
        .expect("spawn watchdog");
}

/// Takes the message of the last panic caught.
pub fn take_panic_message() -> String {
    lock(&LAST_PANIC).take().unwrap_or_else(|| "(no message)".to_string())
}

/// Writes a finding as `<target>-s<seed>-i<iteration>-<n>-<kind>.{wasm,txt}`; returns the
/// path of the text file.
fn save(dir: &Path, target: &str, seed: u64, iteration: u64, n: usize, finding: &Finding) -> String {
    let _ = std::fs::create_dir_all(dir);
    let stem = format!("{target}-s{seed}-i{iteration}-{n}-{}", finding.kind);
    if let Some(wasm) = &finding.wasm {
        let _ = std::fs::write(dir.join(format!("{stem}.wasm")), wasm);
        if let Ok(text) = wasmprinter::print_bytes(wasm) {
            let _ = std::fs::write(dir.join(format!("{stem}.wat")), text);
        }
    }
    let text = format!(
        "target: {target}\nseed: {seed}\niteration: {iteration}\nkind: {}\nfails the run: {}\n\
         replay: epsilon-fuzz --target {target} --seed {seed} --iteration {iteration}\n\
         (or: cargo run --profile ci -p epsilon-fuzz -- --target {target} --seed {seed} --iteration {iteration})\n\n{}\n",
        finding.kind, finding.fails, finding.text
    );
    let path = dir.join(format!("{stem}.txt"));
    let _ = std::fs::write(&path, text);
    path.display().to_string()
}

/// Runs `target` for `budget` and returns (summary line, failures).
pub fn run_target(
    target: &mut dyn Target,
    settings: &RunSettings,
    budget: Budget,
    verbose: bool,
) -> (String, u64) {
    let name = target.name();
    let start = Instant::now();
    let mut last_progress = Instant::now();
    let (first, end) = match budget {
        Budget::Iterations(n) => (0, n),
        Budget::Time(_) => (0, u64::MAX),
        Budget::One(i) => (i, i + 1),
    };
    let mut saved = 0usize;
    for iteration in first..end {
        if let Budget::Time(limit) = budget
            && start.elapsed() >= limit
        {
            break;
        }
        *lock(&CURRENT_WASM) = None;
        *lock(&CURRENT) = Some((name.to_string(), settings.seed, iteration, Instant::now()));
        let mut rng = Rng::for_iteration(settings.seed, name, iteration);
        let mut ctx = IterCtx { findings: Vec::new(), verbose };
        let outcome = catch_unwind(AssertUnwindSafe(|| target.run(&mut rng, &mut ctx)));
        *lock(&CURRENT) = None;
        if outcome.is_err() {
            target.count_panic();
            let message = take_panic_message();
            ctx.findings.push(Finding {
                kind: "panic",
                fails: true,
                wasm: lock(&CURRENT_WASM).clone(),
                text: format!("the iteration panicked: {message}"),
            });
        }
        for (n, finding) in ctx.findings.iter().enumerate() {
            let path = save(&settings.save_dir, name, settings.seed, iteration, n, finding);
            saved += 1;
            if finding.fails || verbose {
                let first_line = finding.text.lines().next().unwrap_or("");
                eprintln!("{name}: {} at iteration {iteration}: {first_line} (saved {path})", finding.kind);
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(10) {
            last_progress = Instant::now();
            eprintln!(
                "[{:>5.0} s] {name}: iteration {iteration}; {}",
                start.elapsed().as_secs_f64(),
                target.summary(settings.seed)
            );
        }
    }
    let summary = target.summary(settings.seed);
    if saved > 0 {
        eprintln!("{name}: {saved} findings written to {}", settings.save_dir.display());
    }
    (format!("{summary} [{:.1} s]", start.elapsed().as_secs_f64()), target.failures())
}

/// Runs `f` on a fresh thread with a big native stack and returns its result (re-raising a
/// panic as a panic of the caller).
pub fn on_big_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let handle = std::thread::Builder::new()
        .name("fuzz-worker".into())
        .stack_size(WORKER_STACK)
        .spawn(f)
        .expect("spawn the worker thread");
    match handle.join() {
        Ok(r) => r,
        Err(e) => std::panic::resume_unwind(e),
    }
}
