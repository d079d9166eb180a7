//! `Dice`: a seeded random source for tests that must replay exactly from a printed seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random number generator with the few draws tests need.
#[derive(Debug, Clone)]
pub struct Dice(ChaCha8Rng);

impl Dice {
    /// Dice that roll the same sequence for the same seed.
    pub fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A seed from the clock, or from the environment variable `var` when it is set (to
    /// replay a failure); the caller prints it.
    pub fn seed_from_env_or_clock(var: &str) -> u64 {
        if let Ok(raw) = std::env::var(var)
            && let Ok(seed) = raw.trim().parse()
        {
            return seed;
        }
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(42)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        self.0.random_range(low..=high)
    }

    /// A new seed, to give a thread its own dice.
    pub fn fork(&mut self) -> u64 {
        self.0.random()
    }
}
