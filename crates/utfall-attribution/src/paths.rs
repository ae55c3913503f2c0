//! Paths: sequences of channel touches with their outcomes, de-duplicated.
//!
//! A [`PathSetBuilder`] can be filled per partition (a block of a file, a shard on a cluster)
//! and merged with others in any grouping and order: counts and values are summed in exact
//! fixed-point arithmetic, and channels and paths are ordered by where they were first seen.
//! The resulting [`PathSet`] is therefore identical whatever the partitioning or the number of
//! threads.

use std::hash::{Hash as _, Hasher as _};

use rustc_hash::FxHashMap as HashMap;

/// One distinct path and how often it ended in a conversion or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Channel ids in touch order (repeats kept).
    pub touches: Vec<u32>,
    /// Conversions (may be fractional).
    pub conversions: f64,
    /// Total conversion value.
    pub value: f64,
    /// Journeys on this path that did not convert.
    pub nulls: f64,
}

/// Distinct paths over interned channel names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathSet {
    /// Channel names, in order of first appearance.
    pub channels: Vec<String>,
    /// The distinct paths, in order of first appearance.
    pub paths: Vec<Path>,
}

impl PathSet {
    /// How many channels the paths name.
    pub fn n_channels(&self) -> usize {
        self.channels.len()
    }

    /// Conversions over every path.
    pub fn total_conversions(&self) -> f64 {
        self.paths.iter().map(|p| p.conversions).sum()
    }

    /// Conversion value over every path.
    pub fn total_value(&self) -> f64 {
        self.paths.iter().map(|p| p.value).sum()
    }
}

/// 2⁶⁴: amounts are summed as integers in units of 2⁻⁶⁴, which makes addition associative.
const SCALE: f64 = 18_446_744_073_709_551_616.0;

fn to_fixed(amount: f64) -> i128 {
    (amount * SCALE) as i128
}

fn from_fixed(sum: i128) -> f64 {
    sum as f64 / SCALE
}

/// Slice equality without a call to `memcmp`, which costs more than it saves on short paths.
fn same_touches(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[derive(Debug, Clone)]
struct Entry {
    touches: Vec<u32>,
    sums: [i128; 3],
    first_seen: u64,
}

/// Builds a [`PathSet`], merging identical paths as they arrive.
#[derive(Debug, Default, Clone)]
pub struct PathSetBuilder {
    channel_ids: HashMap<String, u32>,
    channels: Vec<(String, u64)>,
    /// Hash of a path's touches → the latest entry with that hash; collisions chain via `next`.
    entry_ids: HashMap<u64, u32>,
    next: Vec<u32>,
    entries: Vec<Entry>,
    scratch: Vec<u32>,
    n_added: u64,
}

impl PathSetBuilder {
    /// An empty builder.
    pub fn new() -> PathSetBuilder {
        PathSetBuilder::default()
    }

    /// The id of a channel name, interning it on first sight; `seen` is (row << 16 | position).
    fn channel_at(&mut self, name: &str, seen: u64) -> u32 {
        // Few channels: a scan beats hashing the name.
        if self.channels.len() <= 16 {
            if let Some(id) = self.channels.iter().position(|(known, _)| {
                known.len() == name.len() && known.bytes().zip(name.bytes()).all(|(x, y)| x == y)
            }) {
                let first = &mut self.channels[id].1;
                *first = (*first).min(seen);
                return id as u32;
            }
        } else if let Some(&id) = self.channel_ids.get(name) {
            let first = &mut self.channels[id as usize].1;
            *first = (*first).min(seen);
            return id;
        }
        let id = self.channels.len() as u32;
        self.channels.push((name.to_string(), seen));
        self.channel_ids.insert(name.to_string(), id);
        id
    }

    /// The id of a channel name, interning it on first sight.
    pub fn channel(&mut self, name: &str) -> u32 {
        let seen = self.n_added << 16;
        self.channel_at(name, seen)
    }

    /// Adds a path written as channel names separated by `separator`; names are trimmed and
    /// empty names skipped (`"a > > b"` is `a, b`). An empty path is ignored.
    pub fn add_text(
        &mut self,
        path: &str,
        separator: &str,
        conversions: f64,
        value: f64,
        nulls: f64,
    ) {
        let seen = self.n_added;
        self.add_text_at(seen, path, separator, conversions, value, nulls);
    }

    /// Like [`PathSetBuilder::add_text`], for the row at position `seen` of the whole input
    /// (e.g. its line number), which orders channels and paths when partitions are merged.
    pub fn add_text_at(
        &mut self,
        seen: u64,
        path: &str,
        separator: &str,
        conversions: f64,
        value: f64,
        nulls: f64,
    ) {
        let mut touches = std::mem::take(&mut self.scratch);
        touches.clear();
        let mut add = |builder: &mut Self, name: &str| {
            let name = name.trim();
            if !name.is_empty() {
                // Channels are ordered by row, then by position in the path.
                let key = (seen << 16) | (touches.len() as u64).min(0xffff);
                touches.push(builder.channel_at(name, key));
            }
        };
        match separator.as_bytes() {
            [byte] if byte.is_ascii() => path
                .split(char::from(*byte))
                .for_each(|name| add(self, name)),
            _ => path.split(separator).for_each(|name| add(self, name)),
        }
        self.add_at(
            seen,
            &touches,
            [to_fixed(conversions), to_fixed(value), to_fixed(nulls)],
        );
        self.scratch = touches;
    }

    /// Adds a path of channel ids.
    pub fn add(&mut self, touches: &[u32], conversions: f64, value: f64, nulls: f64) {
        let seen = self.n_added;
        self.add_at(
            seen,
            touches,
            [to_fixed(conversions), to_fixed(value), to_fixed(nulls)],
        );
    }

    fn add_at(&mut self, seen: u64, touches: &[u32], sums: [i128; 3]) {
        self.n_added = self.n_added.max(seen + 1);
        if touches.is_empty() {
            return;
        }
        match self.find(touches) {
            Ok(index) => self.accumulate(index, sums, seen),
            Err(hash) => self.insert(
                hash,
                Entry {
                    touches: touches.to_vec(),
                    sums,
                    first_seen: seen,
                },
            ),
        }
    }

    fn accumulate(&mut self, index: usize, sums: [i128; 3], seen: u64) {
        let entry = &mut self.entries[index];
        for (total, add) in entry.sums.iter_mut().zip(sums) {
            *total += add;
        }
        entry.first_seen = entry.first_seen.min(seen);
    }

    /// The index of a known path, or the hash to insert it under.
    fn find(&self, touches: &[u32]) -> Result<usize, u64> {
        let mut hasher = rustc_hash::FxHasher::default();
        touches.hash(&mut hasher);
        let hash = hasher.finish();
        let mut candidate = self.entry_ids.get(&hash).copied();
        while let Some(index) = candidate {
            if same_touches(&self.entries[index as usize].touches, touches) {
                return Ok(index as usize);
            }
            candidate = Some(self.next[index as usize]).filter(|&n| n != u32::MAX);
        }
        Err(hash)
    }

    fn insert(&mut self, hash: u64, entry: Entry) {
        let index = self.entries.len() as u32;
        let previous = self.entry_ids.insert(hash, index);
        self.next.push(previous.unwrap_or(u32::MAX));
        self.entries.push(entry);
    }

    /// Merges another builder's paths (another block, thread or partition). Merging is
    /// associative and commutative: the built [`PathSet`] does not depend on the grouping.
    pub fn merge(&mut self, other: PathSetBuilder) {
        let mapping: Vec<u32> = other
            .channels
            .iter()
            .map(|(name, seen)| self.channel_at(name, *seen))
            .collect();
        self.n_added = self.n_added.max(other.n_added);
        for mut entry in other.entries {
            entry
                .touches
                .iter_mut()
                .for_each(|c| *c = mapping[*c as usize]);
            match self.find(&entry.touches) {
                Ok(index) => self.accumulate(index, entry.sums, entry.first_seen),
                Err(hash) => self.insert(hash, entry),
            }
        }
    }

    /// The paths, with channels and paths in order of first appearance.
    pub fn build(self) -> PathSet {
        let mut channel_order: Vec<u32> = (0..self.channels.len() as u32).collect();
        channel_order.sort_by_key(|&id| (self.channels[id as usize].1, id));
        let mut new_id = vec![0u32; self.channels.len()];
        for (new, &old) in channel_order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let channels = channel_order
            .iter()
            .map(|&old| self.channels[old as usize].0.clone())
            .collect();
        let mut entries = self.entries;
        for entry in &mut entries {
            entry
                .touches
                .iter_mut()
                .for_each(|c| *c = new_id[*c as usize]);
        }
        // Paths first seen on the same row (only possible with `add`) are ordered by touches.
        entries.sort_by(|a, b| {
            a.first_seen
                .cmp(&b.first_seen)
                .then_with(|| a.touches.cmp(&b.touches))
        });
        let paths = entries
            .into_iter()
            .map(|entry| Path {
                touches: entry.touches,
                conversions: from_fixed(entry.sums[0]),
                value: from_fixed(entry.sums[1]),
                nulls: from_fixed(entry.sums[2]),
            })
            .collect();
        PathSet { channels, paths }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn merges_identical_paths_and_trims_names() {
        let mut builder = PathSetBuilder::new();
        builder.add_text("a > b", ">", 1.0, 10.0, 2.0);
        builder.add_text(" a>b ", ">", 0.5, 5.0, 0.0);
        builder.add_text("b > > a", ">", 0.0, 0.0, 1.0);
        builder.add_text("  ", ">", 3.0, 0.0, 0.0);
        let set = builder.build();
        assert_eq!(set.channels, ["a", "b"]);
        assert_eq!(set.paths.len(), 2);
        assert_eq!(
            set.paths[0],
            Path {
                touches: vec![0, 1],
                conversions: 1.5,
                value: 15.0,
                nulls: 2.0
            }
        );
        assert_eq!(set.paths[1].touches, [1, 0]);
    }

    proptest! {
        /// Any split into partitions, merged in any order, gives the same paths bit for bit.
        #[test]
        fn partitioning_does_not_change_the_result(
            rows in prop::collection::vec((prop::collection::vec(0usize..5, 1..5), 0.0f64..3.0, 0.0f64..1000.0), 1..60),
            cut in 0usize..60,
            reverse in any::<bool>(),
        ) {
            let names = ["a", "b", "c", "d", "e"];
            let text = |touches: &[usize]| touches.iter().map(|&t| names[t]).collect::<Vec<_>>().join(" > ");
            let mut whole = PathSetBuilder::new();
            let mut left = PathSetBuilder::new();
            let mut right = PathSetBuilder::new();
            for (line, (touches, conversions, value)) in rows.iter().enumerate() {
                whole.add_text_at(line as u64, &text(touches), ">", *conversions, *value, 1.0);
                let part = if line < cut { &mut left } else { &mut right };
                part.add_text_at(line as u64, &text(touches), ">", *conversions, *value, 1.0);
            }
            let merged = if reverse {
                right.merge(left);
                right
            } else {
                left.merge(right);
                left
            };
            prop_assert_eq!(merged.build(), whole.build());
        }
    }
}
