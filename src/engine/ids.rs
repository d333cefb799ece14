//! Execution ids that carry their execution's start order, so finding an execution by
//! id needs no index.
//!
//! An id is a valid random-looking v4 UUID: its high half is a tag drawn once per
//! pipeline, its low half a keyed permutation (a four-round Feistel network) of the
//! execution's sequence number. Decoding checks the tag and inverts the permutation;
//! since the permutation is a bijection, an id decodes to a retained sequence number
//! only if it is that execution's id. Tag and keys come from the pipeline's seeded
//! generator, so ids replay with the seed like everything else.
//!
//! Compared with drawing a random UUID and keeping a `HashMap<id, seq>`, this saves the
//! map's memory (about 40 bytes per retained execution) and, with many pipelines, the
//! cache miss of inserting into it on every start.

use uuid::Uuid;

use crate::model::ExecutionId;
use crate::sim::rng::Rng;

/// 31 bits: half of the 62 bits an id has room for beside its version and variant.
const HALF: u64 = (1 << 31) - 1;
/// The UUID version nibble (4) in the high half.
const VERSION_MASK: u64 = 0xF000;
const VERSION_4: u64 = 0x4000;
/// The UUID variant bits (`10`) at the top of the low half.
const VARIANT: u64 = 0b10 << 62;

/// Encodes sequence numbers as execution ids and back, for one pipeline.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct IdCodec {
    /// The high half of every id of this pipeline, version nibble included.
    high: u64,
    keys: [u64; 4],
}

impl IdCodec {
    /// A codec with a fresh tag and keys drawn from `rng`.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        let high = (rng.next_u64() & !VERSION_MASK) | VERSION_4;
        let keys = [0; 4].map(|_: u64| rng.next_u64() & HALF);
        Self { high, keys }
    }

    /// The id of the execution with sequence number `seq` (below 2^62).
    pub(crate) fn encode(&self, seq: u64) -> ExecutionId {
        debug_assert!(seq >> 62 == 0, "sequence numbers stay below 2^62");
        let (mut left, mut right) = ((seq >> 31) & HALF, seq & HALF);
        for key in self.keys {
            (left, right) = (right, left ^ round(right, key));
        }
        let low = VARIANT | (left << 31) | right;
        ExecutionId::from_uuid(Uuid::from_u64_pair(self.high, low))
    }

    /// The sequence number `id` encodes, if it is an id of this pipeline.
    pub(crate) fn decode(&self, id: ExecutionId) -> Option<u64> {
        let (high, low) = id.as_uuid().as_u64_pair();
        if high != self.high || low & (0b11 << 62) != VARIANT {
            return None;
        }
        let (mut left, mut right) = ((low >> 31) & HALF, low & HALF);
        for key in self.keys.into_iter().rev() {
            (left, right) = (right ^ round(left, key), left);
        }
        Some((left << 31) | right)
    }
}

/// The Feistel round function: any function works; this one mixes well and is cheap.
fn round(half: u64, key: u64) -> u64 {
    let x = (half ^ key).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x ^ (x >> 29)) & HALF
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(seed: u64) -> IdCodec {
        IdCodec::new(&mut Rng::derive(seed, &[b"P"]))
    }

    #[test]
    fn ids_decode_to_their_sequence_number() {
        let codec = codec(1);
        for seq in (0..10_000).chain([1 << 31, (1 << 62) - 1, 123_456_789_012]) {
            assert_eq!(codec.decode(codec.encode(seq)), Some(seq), "{seq}");
        }
    }

    #[test]
    fn ids_are_v4_uuids_that_look_random() {
        let codec = codec(2);
        let a = codec.encode(0).as_uuid();
        let b = codec.encode(1).as_uuid();
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(b.get_variant(), uuid::Variant::RFC4122);
        // Consecutive executions differ in about half of their low bits.
        let differing = (a.as_u64_pair().1 ^ b.as_u64_pair().1).count_ones();
        assert!((16..=46).contains(&differing), "{differing} bits differ");
    }

    #[test]
    fn ids_of_another_pipeline_or_forged_ones_decode_to_nothing() {
        let ours = codec(3);
        let theirs = codec(4);
        assert_eq!(ours.decode(theirs.encode(5)), None);
        let forged = ExecutionId::from_uuid(Uuid::from_u64_pair(ours.high, 5));
        assert_eq!(ours.decode(forged), None, "wrong variant bits");
    }

    #[test]
    fn one_seed_gives_one_codec() {
        assert_eq!(codec(9).encode(77), codec(9).encode(77));
        assert_ne!(codec(9).encode(77), codec(10).encode(77));
    }
}
