//! A map kept as a vector sorted by key, for the small maps of the stored state (open tabs,
//! daily totals): tens of entries, where a `BTreeMap` would cost the wasm module several
//! kilobytes of code per key and value type (the size budget is in `docs/benchmarks.md`).

use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> SortedMap<K, V> {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> SortedMap<K, V> {
        SortedMap::default()
    }

    fn position<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|index| &self.0[index].1)
    }

    /// The value under `key`, inserted by `make` when absent.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let index = match self.position(&key) {
            Ok(index) => index,
            Err(index) => {
                self.0.insert(index, (key, make()));
                index
            }
        };
        &mut self.0[index].1
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|index| &mut self.0[index].1)
    }

    pub fn insert(&mut self, key: K, value: V) {
        match self.position(&key) {
            Ok(index) => self.0[index].1 = value,
            Err(index) => self.0.insert(index, (key, value)),
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|index| self.0.remove(index).1)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(key, value)| (key, value))
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, value)| value)
    }
}

/// Entries inserted one by one; a later entry replaces an earlier one with the same key.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> SortedMap<K, V> {
        let mut map = SortedMap::new();
        for (key, value) in entries {
            map.insert(key, value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_sorted_and_distinct() {
        let mut map = SortedMap::new();
        for (key, value) in [(5, "e"), (1, "a"), (3, "c"), (1, "A")] {
            map.insert(key, value);
        }
        assert_eq!(map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(1, "A"), (3, "c"), (5, "e")]);
        assert_eq!(map.get(&3), Some(&"c"));
        assert_eq!(map.remove(&3), Some("c"));
        assert_eq!(map.get(&3), None);
        *map.get_or_insert_with(4, || "d") = "D";
        assert_eq!(*map.get_or_insert_with(4, || "x"), "D");
        assert_eq!(map.len(), 3);
        let mut text: SortedMap<String, u32> = SortedMap::new();
        text.insert("b".into(), 2);
        text.insert("a".into(), 1);
        assert_eq!(text.get("a"), Some(&1));
        *map.get_mut(&5).unwrap() = "E";
        assert_eq!(map.get(&5), Some(&"E"));
        let collected: SortedMap<u8, u8> = [(2, 0), (1, 0), (2, 9)].into_iter().collect();
        assert_eq!(collected.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(1, 0), (2, 9)]);
        map.clear();
        assert!(map.is_empty());
    }
}
