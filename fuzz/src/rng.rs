//! A small deterministic PRNG (SplitMix64 seeding a xoshiro256**), so that every iteration's
//! input follows from `(seed, target, iteration)` alone and can be replayed with `--iteration`.

/// A seeded pseudo-random number generator; not cryptographic, only reproducible.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator of one iteration: distinct targets and iterations get unrelated streams.
    pub fn for_iteration(seed: u64, target: &str, iteration: u64) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in target.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        let mut state = seed ^ h.rotate_left(17) ^ iteration.wrapping_mul(0xd6e8_feb8_6659_fd93);
        let s = [splitmix(&mut state), splitmix(&mut state), splitmix(&mut state), splitmix(&mut state)];
        Rng { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64 }
    }

    /// An index into a collection of `n` elements (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// A random boolean.
    pub fn bool(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }

    /// A 32-bit value biased towards edge cases (0, ±1, extremes, small numbers).
    pub fn interesting_u32(&mut self) -> u32 {
        match self.below(8) {
            0 => *self.pick(&[0, 1, u32::MAX, 0x8000_0000, 0x7fff_ffff, 0x10000, 0xffff]),
            1 => self.below(16) as u32,
            2 => (self.below(16) as u32).wrapping_neg(),
            3 => 1u32 << self.below(32),
            _ => self.next_u32(),
        }
    }

    /// A 64-bit value biased towards edge cases.
    pub fn interesting_u64(&mut self) -> u64 {
        match self.below(8) {
            0 => *self.pick(&[0, 1, u64::MAX, 1 << 63, i64::MAX as u64, 1 << 32, u64::from(u32::MAX)]),
            1 => self.below(16),
            2 => self.below(16).wrapping_neg(),
            3 => 1u64 << self.below(64),
            _ => self.next_u64(),
        }
    }

    /// f32 bits biased towards special values (±0, ±inf, NaNs, ±1, extremes of the int ranges).
    pub fn interesting_f32(&mut self) -> u32 {
        match self.below(6) {
            0 => *self.pick(&[
                0,
                0x8000_0000,
                0x7f80_0000,
                0xff80_0000,
                0x7fc0_0000,
                0x7fa0_0001,
                0x3f80_0000,
                0xbf80_0000,
                0x4f00_0000,
                0xcf00_0000,
                0x5f00_0000,
                0x0000_0001,
            ]),
            1 => (self.below(2000) as f32 - 1000.0).to_bits(),
            _ => self.next_u32(),
        }
    }

    /// f64 bits biased towards special values.
    pub fn interesting_f64(&mut self) -> u64 {
        match self.below(6) {
            0 => *self.pick(&[
                0,
                1 << 63,
                0x7ff0_0000_0000_0000,
                0xfff0_0000_0000_0000,
                0x7ff8_0000_0000_0000,
                0x7ff4_0000_0000_0001,
                0x3ff0_0000_0000_0000,
                0xbff0_0000_0000_0000,
                0x41e0_0000_0000_0000,
                0xc1e0_0000_0000_0000,
                0x43e0_0000_0000_0000,
                1,
            ]),
            1 => (self.below(2000) as f64 - 1000.0).to_bits(),
            _ => self.next_u64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_iteration(1, "diff", 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::for_iteration(1, "diff", 7).next_u64(), Rng::for_iteration(1, "diff", 8).next_u64());
        assert_ne!(Rng::for_iteration(1, "diff", 7).next_u64(), Rng::for_iteration(1, "api", 7).next_u64());
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::for_iteration(3, "x", 0);
        assert!((0..1000).all(|_| r.below(7) < 7));
        assert_eq!(r.below(0), 0);
    }
}
