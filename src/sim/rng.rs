//! Seeded randomness: one seed, and every pipeline's generator derived from it.
//!
//! Each pipeline draws from its own generator, seeded from the simulator seed and the
//! pipeline's identity, so its ids and outcomes depend only on what happened to that
//! pipeline: concurrent work on other pipelines cannot reorder its draws.

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use uuid::Uuid;

/// A deterministic generator.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rng(Xoshiro256PlusPlus);

impl Rng {
    /// A generator for one named thing, derived from `seed` and the `parts` naming it.
    pub(crate) fn derive(seed: u64, parts: &[&[u8]]) -> Self {
        // FNV-1a: stable across platforms and Rust versions, unlike std's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for part in parts {
            for &byte in part.iter().chain(&[0xff]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Self(Xoshiro256PlusPlus::seed_from_u64(hash))
    }

    /// A random (version 4) UUID.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.0.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// True with probability `p` (clamped to 0..=1).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make a uniform f64 in [0, 1).
        let unit = (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p.clamp(0.0, 1.0)
    }
}

/// A fresh seed from the operating system, for simulators built without one.
pub(crate) fn random_seed() -> u64 {
    Uuid::new_v4().as_u64_pair().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_and_name_give_one_sequence() {
        let mut a = Rng::derive(7, &[b"acct", b"P"]);
        let mut b = Rng::derive(7, &[b"acct", b"P"]);
        let mut c = Rng::derive(7, &[b"acct", b"Q"]);
        let first = a.uuid();
        assert_eq!(first, b.uuid());
        assert_ne!(first, c.uuid());
        assert_eq!(first.get_version_num(), 4);
    }

    #[test]
    fn chance_respects_the_extremes() {
        let mut rng = Rng::derive(1, &[]);
        assert!((0..1000).all(|_| !rng.chance(0.0)));
        assert!((0..1000).all(|_| rng.chance(1.0)));
    }
}
