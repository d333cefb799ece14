//! Execution ids that carry their execution's start order, so finding an execution by
//! id needs no index.
//!
//! An id is a v4 UUID whose 122 random bits are a keyed permutation of the pair
//! (pipeline tag, sequence number): a 60-bit tag drawn once per pipeline and the
//! execution's 62-bit sequence number, permuted together by an eight-round balanced
//! Feistel network on two 61-bit halves, whose round function is the splitmix64
//! finalizer keyed per round. Every bit of an id depends on every bit of the tag and of
//! the sequence number, so ids of one pipeline look as independent as AWS's random v4
//! UUIDs: their first eight characters, which the console shows, differ from run to
//! run, and consecutive runs share no prefix beyond chance.
//!
//! Decoding inverts the permutation and checks the tag: an id of another pipeline, or a
//! forged one, decodes to a wrong tag (all but once in 2^60) and is refused. Since the
//! permutation is a bijection, an id decodes to a retained sequence number only if it
//! is that execution's id. Tag and keys come from the pipeline's seeded generator, so
//! ids replay with the seed like everything else; the codec draws five words from it,
//! expanded to the tag and eight round keys.
//!
//! Compared with drawing a random UUID and keeping a `HashMap<id, seq>`, this saves the
//! map's memory (about 40 bytes per retained execution) and, with many pipelines, the
//! cache miss of inserting into it on every start.

use uuid::Uuid;

use crate::model::ExecutionId;
use crate::sim::rng::Rng;

/// 61 bits: half of the 122 bits an id has room for beside its version and variant.
const HALF: u64 = (1 << 61) - 1;
/// Bits of the sequence number in the permuted block; the tag fills the other 60.
const SEQ_BITS: u32 = 62;
const ROUNDS: usize = 8;
/// The UUID version nibble (4) in the high word.
const VERSION_MASK: u64 = 0xF000;
const VERSION_4: u64 = 0x4000;
/// The UUID variant bits (`10`) at the top of the low word.
const VARIANT_MASK: u64 = 0b11 << 62;
const VARIANT: u64 = 0b10 << 62;
/// The 62 random bits of the low word, below the variant.
const LOW_BITS: u64 = (1 << 62) - 1;
/// The golden-ratio increment of splitmix64, which spreads the round keys apart.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Encodes sequence numbers as execution ids and back, for one pipeline.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct IdCodec {
    /// The pipeline's tag: 60 bits, permuted with every sequence number.
    tag: u64,
    /// One key per Feistel round.
    keys: [u64; ROUNDS],
}

impl IdCodec {
    /// A codec with a fresh tag and keys drawn from `rng`. It draws five words, so
    /// what the generator gives afterwards (action ids, outcomes, approval tokens) does
    /// not depend on how many round keys the codec uses.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        let tag = rng.next_u64() >> 4;
        let words = [0; 4].map(|_: u64| rng.next_u64());
        let keys = std::array::from_fn(|i| {
            mix(words[i % words.len()].wrapping_add(GOLDEN.wrapping_mul(i as u64 + 1)))
        });
        Self { tag, keys }
    }

    /// The id of the execution with sequence number `seq` (below 2^62).
    pub(crate) fn encode(&self, seq: u64) -> ExecutionId {
        debug_assert!(seq >> SEQ_BITS == 0, "sequence numbers stay below 2^62");
        // The 122-bit block (tag, seq), cut into two 61-bit halves.
        let mut left = (self.tag << 1) | (seq >> 61);
        let mut right = seq & HALF;
        for key in self.keys {
            (left, right) = (right, left ^ round(right, key));
        }
        let block = (u128::from(left) << 61) | u128::from(right);
        // 60 bits around the version nibble, 62 below the variant bits.
        let high = (((block >> 74) as u64) << 16) | VERSION_4 | (((block >> 62) as u64) & 0xFFF);
        let low = VARIANT | ((block as u64) & LOW_BITS);
        ExecutionId::from_uuid(Uuid::from_u64_pair(high, low))
    }

    /// The sequence number `id` encodes, if it is an id of this pipeline.
    pub(crate) fn decode(&self, id: ExecutionId) -> Option<u64> {
        let (high, low) = id.as_uuid().as_u64_pair();
        if high & VERSION_MASK != VERSION_4 || low & VARIANT_MASK != VARIANT {
            return None;
        }
        let block = (u128::from(high >> 16) << 74)
            | (u128::from(high & 0xFFF) << 62)
            | u128::from(low & LOW_BITS);
        let mut left = (block >> 61) as u64;
        let mut right = (block as u64) & HALF;
        for key in self.keys.into_iter().rev() {
            (left, right) = (right ^ round(left, key), left);
        }
        if left >> 1 != self.tag {
            return None;
        }
        Some(((left & 1) << 61) | right)
    }
}

/// The Feistel round function: the splitmix64 finalizer of the half and the round's
/// key, whose top 61 bits depend on every input bit.
fn round(half: u64, key: u64) -> u64 {
    mix(half ^ key) >> 3
}

/// The splitmix64 finalizer: a bijection of 64-bit words that mixes every input bit
/// into every output bit.
fn mix(x: u64) -> u64 {
    let x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(seed: u64) -> IdCodec {
        IdCodec::new(&mut Rng::derive(seed, &[b"P"]))
    }

    /// The 122 random bits of an id, version and variant taken out.
    fn random_bits(id: ExecutionId) -> u128 {
        let (high, low) = id.as_uuid().as_u64_pair();
        (u128::from(high >> 16) << 74)
            | (u128::from(high & 0xFFF) << 62)
            | u128::from(low & LOW_BITS)
    }

    fn ten_thousand_ids() -> Vec<String> {
        let codec = codec(11);
        (0..10_000)
            .map(|seq| codec.encode(seq).to_string())
            .collect()
    }

    #[test]
    fn ids_decode_to_their_sequence_number() {
        let codec = codec(1);
        let edges = [
            1 << 31,
            1 << 61,
            (1 << 61) - 1,
            (1 << 62) - 1,
            123_456_789_012,
        ];
        for seq in (0..10_000).chain(edges) {
            assert_eq!(codec.decode(codec.encode(seq)), Some(seq), "{seq}");
        }
    }

    #[test]
    fn ids_are_v4_uuids_that_look_random() {
        let codec = codec(2);
        for seq in [0, 1, 2, (1 << 62) - 1] {
            let id = codec.encode(seq).as_uuid();
            assert_eq!(id.get_version_num(), 4, "{id}");
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
        // Consecutive executions differ in about half of the 122 bits, 61 on average,
        // and in about half of the 60 bits before the version nibble too.
        let bits: Vec<u128> = (0..1_001)
            .map(|seq| random_bits(codec.encode(seq)))
            .collect();
        let pairs = bits.windows(2);
        let all: u32 = pairs.clone().map(|w| (w[0] ^ w[1]).count_ones()).sum();
        let high: u32 = pairs.map(|w| ((w[0] ^ w[1]) >> 62).count_ones()).sum();
        let (all, high) = (f64::from(all) / 1_000.0, f64::from(high) / 1_000.0);
        assert!((59.0..=63.0).contains(&all), "{all} of 122 bits differ");
        assert!(
            (28.5..=31.5).contains(&high),
            "{high} of 60 high bits differ"
        );
    }

    #[test]
    fn every_random_bit_is_set_in_about_half_of_the_ids() {
        let codec = codec(3);
        let mut set = [0u32; 122];
        for seq in 0..10_000 {
            let bits = random_bits(codec.encode(seq));
            for (i, count) in set.iter_mut().enumerate() {
                *count += ((bits >> i) & 1) as u32;
            }
        }
        // 50 is one standard deviation; eight are far beyond chance.
        for (i, count) in set.iter().enumerate() {
            assert!(
                (4_600..=5_400).contains(count),
                "bit {i} is set {count} times"
            );
        }
    }

    #[test]
    fn ten_thousand_ids_of_one_pipeline_have_distinct_eight_character_prefixes() {
        let ids = ten_thousand_ids();
        let prefixes: std::collections::HashSet<&str> = ids.iter().map(|id| &id[..8]).collect();
        // The birthday bound expects 10,000² / (2 · 16⁸) ≈ 0.01 collisions.
        assert!(
            prefixes.len() >= 9_995,
            "{} distinct prefixes",
            prefixes.len()
        );
    }

    #[test]
    fn ids_of_one_pipeline_share_no_longer_prefix_than_chance_allows() {
        let mut ids = ten_thousand_ids();
        ids.sort_unstable();
        let longest = ids
            .windows(2)
            .map(|w| {
                w[0].bytes()
                    .zip(w[1].bytes())
                    .take_while(|(a, b)| a == b)
                    .count()
            })
            .max()
            .unwrap();
        // Expected about log16(10,000² / 2) ≈ 6.4 characters; an id of one pipeline used
        // to share sixteen hex digits (and a hyphen) with every other.
        assert!(longest <= 9, "two ids share {longest} leading characters");
    }

    #[test]
    fn ids_of_another_pipeline_or_forged_ones_decode_to_nothing() {
        let ours = codec(4);
        let theirs = codec(5);
        for seq in 0..1_000 {
            assert_eq!(ours.decode(theirs.encode(seq)), None, "{seq}");
        }
        // Flipping any one of the 122 random bits of a real id gives an id of no one.
        let real = ours.encode(5).as_uuid().as_u128();
        let random = (0..128).filter(|&bit| !matches!(bit, 62 | 63 | 76..=79));
        for bit in random {
            let flipped = ExecutionId::from_uuid(Uuid::from_u128(real ^ (1 << bit)));
            assert_eq!(ours.decode(flipped), None, "bit {bit}");
        }
        let (high, low) = ours.encode(5).as_uuid().as_u64_pair();
        let wrong_variant = ExecutionId::from_uuid(Uuid::from_u64_pair(high, low & !VARIANT_MASK));
        assert_eq!(ours.decode(wrong_variant), None, "wrong variant bits");
        let wrong_version = ExecutionId::from_uuid(Uuid::from_u64_pair(high ^ 0x1000, low));
        assert_eq!(ours.decode(wrong_version), None, "wrong version nibble");
    }

    #[test]
    fn one_seed_gives_one_codec() {
        assert_eq!(codec(9).encode(77), codec(9).encode(77));
        assert_ne!(codec(9).encode(77), codec(10).encode(77));
    }

    #[test]
    fn the_codec_draws_five_words_from_the_pipeline_generator() {
        let mut with_codec = Rng::derive(12, &[b"P"]);
        let mut by_hand = Rng::derive(12, &[b"P"]);
        IdCodec::new(&mut with_codec);
        for _ in 0..5 {
            by_hand.next_u64();
        }
        assert_eq!(with_codec.next_u64(), by_hand.next_u64());
    }
}
