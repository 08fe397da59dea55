//! Timing: interleaved samples, median and minimum.
//!
//! The machine is shared and noisy, so the contestants of a workload take turns: round `r`
//! times every contestant once, starting with contestant `r mod n`. A burst of noise then
//! hits all engines alike instead of one of them, and the ratios stay meaningful.

use std::time::Instant;

/// Something to time: one call performs one operation and returns a checksum.
pub type Contestant = Box<dyn FnMut() -> i64>;

/// The samples of one contestant, in nanoseconds per operation.
#[derive(Clone, Debug)]
pub struct Stats {
    pub median_ns: f64,
    pub min_ns: f64,
    /// Every sample, in the order taken.
    pub sample_ns: Vec<f64>,
}

impl Stats {
    fn of(sample_ns: Vec<f64>) -> Stats {
        let mut sorted = sample_ns.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median_ns = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        Stats { median_ns, min_ns: sorted[0], sample_ns }
    }
}

/// Times `samples` rounds of every contestant (each already warmed up by the caller); a sample
/// is `batch` consecutive calls, recorded as time per call. Every call must return `expected`.
pub fn interleaved(
    contestants: &mut [Contestant],
    samples: usize,
    batch: u32,
    expected: &[i64],
) -> Vec<Stats> {
    let n = contestants.len();
    let mut times = vec![Vec::with_capacity(samples); n];
    for round in 0..samples {
        for turn in 0..n {
            let i = (round + turn) % n;
            times[i].push(time_batch(&mut contestants[i], batch, expected[i]));
        }
    }
    times.into_iter().map(Stats::of).collect()
}

/// Nanoseconds per call of `batch` consecutive calls.
fn time_batch(contestant: &mut Contestant, batch: u32, expected: i64) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        let result = contestant();
        assert_eq!(result, expected, "a contestant returned a different result while being timed");
    }
    start.elapsed().as_nanos() as f64 / f64::from(batch)
}

/// Geometric mean of positive ratios (1.0 for none).
pub fn geomean(ratios: &[f64]) -> f64 {
    if ratios.is_empty() {
        return 1.0;
    }
    (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp()
}
