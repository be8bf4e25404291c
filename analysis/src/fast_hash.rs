//! A fast, unkeyed hash for maps whose keys no input can choose: the report's (worker index,
//! cell) pairs, where worker indices are handed out in sequence. Keys that come from input text (install ids) keep the standard
//! keyed hash, which resists inputs crafted to collide.
//!
//! The mixing step is the one of the Firefox/rustc "Fx" hash: rotate, xor, multiply.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_codes_spread() {
        let mut map: FastHashMap<[u8; 2], usize> = FastHashMap::default();
        let codes: Vec<[u8; 2]> = (b'A'..=b'Z').flat_map(|a| (b'A'..=b'Z').map(move |b| [a, b])).collect();
        for (index, code) in codes.iter().enumerate() {
            map.insert(*code, index);
        }
        for (index, code) in codes.iter().enumerate() {
            assert_eq!(map[code], index);
        }
        let hashes: std::collections::HashSet<u64> = codes
            .iter()
            .map(|code| {
                let mut hasher = FastHasher::default();
                std::hash::Hash::hash(code, &mut hasher);
                hasher.finish()
            })
            .collect();
        assert_eq!(hashes.len(), codes.len(), "two-letter codes must not collide");
    }
}
