//! Small ordered collections for the value analysis, whose `State` is cloned, joined
//! and dropped at every step of the fixpoint: a sorted vector in place of a `BTreeMap`
//! (one allocation instead of a node per few entries; a state holds a handful of
//! registers and stack slots) and a bit set of registers in place of a
//! `BTreeSet<Register>` (copied, not allocated). Iteration order, equality and `Debug`
//! are those of the `BTree` collections they replace, so messages keep their order.

use iced_x86::Register;
use std::fmt;

/// A map ordered by key, stored as a sorted vector.
#[derive(PartialEq, Eq)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

/// Room a clone leaves for the entries the next step adds: a state is cloned and then
/// written, and a copy of exactly the original's size would grow at the first insert.
/// An empty collection (the stack slots of most blocks) stays unallocated.
fn clone_with_slack<T: Clone>(items: &[T]) -> Vec<T> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(items.len() + 4);
    out.extend_from_slice(items);
    out
}

impl<K: Clone, V: Clone> Clone for VecMap<K, V> {
    fn clone(&self) -> Self {
        VecMap {
            entries: clone_with_slack(&self.entries),
        }
    }
}

impl<K: Ord + Copy, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// `BTreeMap::entry(key).or_default()`.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord + Copy, V> Default for VecMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, K: Ord + Copy, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

/// Where each container's writes came from: for every register, the nodes that wrote
/// it, in the order they were first recorded. One vector of `(register, node)` pairs,
/// sorted by register and, within a register, in recorded order, in place of a
/// `VecMap<Register, Vec<u32>>`: a state is cloned at every step of the fixpoint, and
/// the map cost one allocation per written register on each clone.
#[derive(Default, PartialEq, Eq)]
pub struct Writers {
    entries: Vec<(Register, u32)>,
}

impl Clone for Writers {
    fn clone(&self) -> Self {
        Writers {
            entries: clone_with_slack(&self.entries),
        }
    }
}

impl Writers {
    pub const fn new() -> Self {
        Writers {
            entries: Vec::new(),
        }
    }

    /// The entries of `reg`, as a range of `entries`.
    fn run(&self, reg: Register) -> std::ops::Range<usize> {
        let start = self.entries.partition_point(|(r, _)| *r < reg);
        let len = self.entries[start..].partition_point(|(r, _)| *r == reg);
        start..start + len
    }

    /// Records that `node` wrote `reg`, unless it is already recorded for it.
    pub fn add(&mut self, reg: Register, node: u32) {
        let run = self.run(reg);
        if !self.entries[run.clone()].iter().any(|(_, n)| *n == node) {
            self.entries.insert(run.end, (reg, node));
        }
    }

    /// The nodes that wrote `reg`, in recorded order.
    pub fn of(&self, reg: Register) -> impl DoubleEndedIterator<Item = u32> + Clone + '_ {
        self.entries[self.run(reg)].iter().map(|(_, n)| *n)
    }

    pub fn contains_key(&self, reg: &Register) -> bool {
        !self.run(*reg).is_empty()
    }

    /// The registers written, in order, each once.
    pub fn keys(&self) -> impl Iterator<Item = Register> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, (r, _))| *i == 0 || self.entries[i - 1].0 != *r)
            .map(|(_, (r, _))| *r)
    }

    /// `self`'s writers followed, for each register, by those of `other` not yet in it.
    pub fn union(&self, other: &Writers) -> Writers {
        let mut out = self.clone();
        for (r, n) in &other.entries {
            out.add(*r, *n);
        }
        out
    }
}

impl fmt::Debug for Writers {
    /// As the `BTreeMap<Register, Vec<u32>>` it stands for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.keys().map(|r| (r, self.of(r).collect::<Vec<_>>())))
            .finish()
    }
}

/// A set of node numbers, stored as a sorted vector.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct VecSet {
    items: Vec<u32>,
}

impl VecSet {
    pub const fn new() -> Self {
        VecSet { items: Vec::new() }
    }

    pub fn contains(&self, item: &u32) -> bool {
        self.items.binary_search(item).is_ok()
    }

    pub fn insert(&mut self, item: u32) -> bool {
        match self.items.binary_search(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    pub fn remove(&mut self, item: &u32) -> bool {
        match self.items.binary_search(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn union(&self, other: &VecSet) -> VecSet {
        let mut items = Vec::with_capacity(self.items.len() + other.items.len());
        let (mut a, mut b) = (self.items.iter().peekable(), other.items.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x < y => a.next(),
                (Some(x), Some(y)) if x > y => b.next(),
                (Some(_), Some(_)) => {
                    b.next();
                    a.next()
                }
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => break,
            };
            items.extend(next.copied());
        }
        VecSet { items }
    }
}

impl fmt::Debug for VecSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(&self.items).finish()
    }
}

/// iced-x86 has 256 registers (`IcedConstants::REGISTER_ENUM_COUNT`); a test checks it.
const WORDS: usize = 4;

/// A set of registers, one bit each, ordered as iced numbers them (as a
/// `BTreeSet<Register>` orders them).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct RegSet {
    bits: [u64; WORDS],
}

impl RegSet {
    pub const fn new() -> Self {
        RegSet { bits: [0; WORDS] }
    }

    fn slot(reg: Register) -> (usize, u64) {
        let i = reg as usize;
        (i / 64 % WORDS, 1u64 << (i % 64))
    }

    pub fn contains(&self, reg: &Register) -> bool {
        let (w, bit) = Self::slot(*reg);
        self.bits[w] & bit != 0
    }

    pub fn insert(&mut self, reg: Register) -> bool {
        let (w, bit) = Self::slot(reg);
        let new = self.bits[w] & bit == 0;
        self.bits[w] |= bit;
        new
    }

    pub fn remove(&mut self, reg: &Register) -> bool {
        let (w, bit) = Self::slot(*reg);
        let had = self.bits[w] & bit != 0;
        self.bits[w] &= !bit;
        had
    }

    pub fn intersection(&self, other: &RegSet) -> RegSet {
        let mut bits = self.bits;
        for (b, o) in bits.iter_mut().zip(other.bits) {
            *b &= o;
        }
        RegSet { bits }
    }

    pub fn iter(&self) -> impl Iterator<Item = Register> + '_ {
        Register::values().filter(|r| self.contains(r))
    }
}

impl FromIterator<Register> for RegSet {
    fn from_iter<I: IntoIterator<Item = Register>>(iter: I) -> Self {
        let mut set = RegSet::new();
        for reg in iter {
            set.insert(reg);
        }
        set
    }
}

impl fmt::Debug for RegSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn every_register_has_its_own_bit() {
        assert!(Register::values().len() <= WORDS * 64);
        let all: RegSet = Register::values().collect();
        assert_eq!(all.iter().count(), Register::values().len());
    }

    /// The same operations on a `VecMap`/`BTreeMap`, `VecSet`/`BTreeSet<u32>` and
    /// `RegSet`/`BTreeSet<Register>` leave the same contents, in the same order.
    #[test]
    fn they_behave_as_the_btree_collections() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_u64);
        let regs: Vec<Register> = Register::values().collect();
        for _ in 0..50 {
            let (mut map, mut ours) = (BTreeMap::new(), VecMap::new());
            let (mut set, mut vs) = (BTreeSet::new(), VecSet::new());
            let (mut rset, mut rs) = (BTreeSet::new(), RegSet::new());
            let mut other = BTreeSet::new();
            for _ in 0..40 {
                let k = (next() % 24) as i64 - 12;
                let v = next() % 5;
                let r = regs[(next() % regs.len() as u64) as usize];
                match next() % 5 {
                    0 | 1 => {
                        assert_eq!(map.insert(k, v), ours.insert(k, v));
                        assert_eq!(set.insert(k as u32), vs.insert(k as u32));
                        assert_eq!(rset.insert(r), rs.insert(r));
                    }
                    2 => {
                        assert_eq!(map.remove(&k), ours.remove(&k));
                        assert_eq!(set.remove(&(k as u32)), vs.remove(&(k as u32)));
                        assert_eq!(rset.remove(&r), rs.remove(&r));
                    }
                    3 => {
                        *map.entry(k).or_default() += 1;
                        *ours.get_or_default(k) += 1;
                        other.insert(k as u32);
                    }
                    _ => {
                        map.retain(|key, val| (*key + *val as i64) % 3 != 0);
                        ours.retain(|key, val| (*key + *val as i64) % 3 != 0);
                    }
                }
                assert_eq!(map.get(&k), ours.get(&k));
                assert_eq!(set.contains(&(k as u32)), vs.contains(&(k as u32)));
                assert_eq!(rset.contains(&r), rs.contains(&r));
            }
            assert_eq!(
                map.iter().collect::<Vec<_>>(),
                ours.iter().collect::<Vec<_>>()
            );
            assert_eq!(format!("{map:?}"), format!("{ours:?}"));
            assert_eq!(
                rset.iter().copied().collect::<Vec<_>>(),
                rs.iter().collect::<Vec<_>>()
            );
            assert_eq!(format!("{rset:?}"), format!("{rs:?}"));
            let union: Vec<u32> = set.union(&other).copied().collect();
            let other_vs = other.iter().fold(VecSet::new(), |mut s, &x| {
                s.insert(x);
                s
            });
            assert_eq!(
                format!("{union:?}").replace('[', "{").replace(']', "}"),
                format!("{:?}", vs.union(&other_vs))
            );
            let half: BTreeSet<Register> = rset.iter().copied().step_by(2).collect();
            let half_rs: RegSet = half.iter().copied().collect();
            assert_eq!(
                rset.intersection(&half).copied().collect::<Vec<_>>(),
                rs.intersection(&half_rs).iter().collect::<Vec<_>>()
            );
        }
    }

    /// `Writers` keeps what `BTreeMap<Register, Vec<u32>>` with "push unless present"
    /// kept: the same registers, each with its nodes in the order they were recorded,
    /// through `add` and `union`.
    #[test]
    fn writers_behave_as_a_map_of_lists() {
        fn add(map: &mut BTreeMap<Register, Vec<u32>>, r: Register, n: u32) {
            let w = map.entry(r).or_default();
            if !w.contains(&n) {
                w.push(n);
            }
        }
        let mut next = crate::test_rng::xorshift(0x2545_f491_u64);
        let regs: Vec<Register> = Register::values().take(12).collect();
        for _ in 0..50 {
            let (mut a, mut ours_a) = (BTreeMap::new(), Writers::new());
            let (mut b, mut ours_b) = (BTreeMap::new(), Writers::new());
            for _ in 0..30 {
                let r = regs[(next() % regs.len() as u64) as usize];
                let n = (next() % 9) as u32;
                if next().is_multiple_of(2) {
                    add(&mut a, r, n);
                    ours_a.add(r, n);
                } else {
                    add(&mut b, r, n);
                    ours_b.add(r, n);
                }
            }
            let mut union = a.clone();
            for (r, ns) in &b {
                for n in ns {
                    add(&mut union, *r, *n);
                }
            }
            let ours_union = ours_a.union(&ours_b);
            for (map, ours) in [(&a, &ours_a), (&b, &ours_b), (&union, &ours_union)] {
                assert_eq!(
                    map.keys().copied().collect::<Vec<_>>(),
                    ours.keys().collect::<Vec<_>>()
                );
                for r in &regs {
                    assert_eq!(map.contains_key(r), ours.contains_key(r));
                    let want = map.get(r).cloned().unwrap_or_default();
                    assert_eq!(want, ours.of(*r).collect::<Vec<_>>());
                    assert_eq!(want.last().copied(), ours.of(*r).next_back());
                }
                assert_eq!(format!("{map:?}"), format!("{ours:?}"));
            }
        }
    }
}
