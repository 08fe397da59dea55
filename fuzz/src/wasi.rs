//! Target `wasi` (stub).

use crate::driver::{IterCtx, Target};
use crate::rng::Rng;

/// Counters.
#[derive(Debug, Default)]
pub struct Wasi {
    panics: u64,
}

impl Wasi {
    /// A fresh target.
    pub fn new() -> Wasi {
        Wasi::default()
    }
}

impl Target for Wasi {
    fn name(&self) -> &'static str {
        "wasi"
    }
    fn run(&mut self, _rng: &mut Rng, _ctx: &mut IterCtx) {}
    fn count_panic(&mut self) {
        self.panics += 1;
    }
    fn failures(&self) -> u64 {
        self.panics
    }
    fn summary(&self, seed: u64) -> String {
        format!("wasi: seed {seed}, {} panics", self.panics)
    }
}
