//! The hasher of the engine's maps and sets: FxHash, as rustc uses for its own tables.
//!
//! The keys are short names, statement texts, iced `Instruction`s and small integers,
//! all produced by the macro's own input, so SipHash's resistance to chosen collisions
//! buys nothing here; in a macro built without optimisation (cargo's default for proc
//! macros) it cost some 55 instructions per byte hashed and about 8 % of a block's
//! expansion.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`]: create it with `FastMap::default()`.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`]: create it with `FastSet::default()`.
pub type FastSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// rustc-hash's FxHasher mixing step: each word (here each byte of a byte string, and
/// each integer whole) is rotated into the state and multiplied by an odd constant,
/// which moves its entropy into the high bits hashbrown reads first.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    /// A byte at a time, by index: the keys are short names, and in a macro built without
    /// optimisation this loop is some 10 instructions per byte, where reading words with
    /// `split_first_chunk` cost about 400 per key.
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            self.add(u64::from(bytes[i]));
            i += 1;
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
        BuildHasherDefault::<FxHasher>::default().hash_one(value)
    }

    #[test]
    fn every_byte_of_a_key_counts() {
        // Flipping any bit of any of 15 bytes changes the hash: no byte is dropped.
        let key: Vec<u8> = (1..=15).collect();
        let base = hash(&key[..]);
        for i in 0..key.len() {
            for bit in 0..8 {
                let mut other = key.clone();
                other[i] ^= 1 << bit;
                assert_ne!(hash(&other[..]), base, "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn prefixes_and_lengths_differ() {
        let texts = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdefgh",
            "abcdefghi",
        ];
        let hashes: FastSet<u64> = texts.iter().map(|t| hash(*t)).collect();
        assert_eq!(hashes.len(), texts.len());
    }

    #[test]
    fn spreads_statement_texts() {
        // The keys the statement cache sees: texts that differ in one register or
        // immediate. No two of 20,000 share a hash, and the high 7 bits (hashbrown's
        // control byte) take most of their 128 values.
        let mut seen = FastSet::default();
        let mut top = FastSet::default();
        for i in 0..20_000 {
            let h = hash(&format!("mov r{}, {i}", i % 16));
            assert!(seen.insert(h), "collision at {i}");
            top.insert(h >> 57);
        }
        assert!(top.len() > 120, "{} control bytes", top.len());
    }

    #[test]
    fn maps_work_with_it() {
        let mut map: FastMap<String, usize> = FastMap::default();
        for i in 0..1000 {
            map.insert(format!("k{i}"), i);
        }
        assert!((0..1000).all(|i| map[&format!("k{i}")] == i));
        assert_eq!(map.get("k1000"), None);
    }
}
