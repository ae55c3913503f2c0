//! Paths: sequences of channel touches with their outcomes, de-duplicated.

use std::collections::HashMap;

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
    pub paths: Vec<Path>,
}

impl PathSet {
    pub fn n_channels(&self) -> usize {
        self.channels.len()
    }

    pub fn total_conversions(&self) -> f64 {
        self.paths.iter().map(|p| p.conversions).sum()
    }

    pub fn total_value(&self) -> f64 {
        self.paths.iter().map(|p| p.value).sum()
    }
}

/// Builds a [`PathSet`], merging identical paths as they arrive.
#[derive(Debug, Default)]
pub struct PathSetBuilder {
    channel_ids: HashMap<String, u32>,
    channels: Vec<String>,
    path_ids: HashMap<Vec<u32>, usize>,
    paths: Vec<Path>,
    scratch: Vec<u32>,
}

impl PathSetBuilder {
    pub fn new() -> PathSetBuilder {
        PathSetBuilder::default()
    }

    /// The id of a channel name, interning it on first sight.
    pub fn channel(&mut self, name: &str) -> u32 {
        if let Some(id) = self.channel_ids.get(name) {
            return *id;
        }
        let id = self.channels.len() as u32;
        self.channels.push(name.to_string());
        self.channel_ids.insert(name.to_string(), id);
        id
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
        let mut touches = std::mem::take(&mut self.scratch);
        touches.clear();
        for name in path.split(separator) {
            let name = name.trim();
            if !name.is_empty() {
                touches.push(self.channel(name));
            }
        }
        self.add(&touches, conversions, value, nulls);
        self.scratch = touches;
    }

    /// Adds a path of channel ids.
    pub fn add(&mut self, touches: &[u32], conversions: f64, value: f64, nulls: f64) {
        if touches.is_empty() {
            return;
        }
        match self.path_ids.get(touches) {
            Some(&index) => {
                let path = &mut self.paths[index];
                path.conversions += conversions;
                path.value += value;
                path.nulls += nulls;
            }
            None => {
                self.path_ids.insert(touches.to_vec(), self.paths.len());
                self.paths.push(Path {
                    touches: touches.to_vec(),
                    conversions,
                    value,
                    nulls,
                });
            }
        }
    }

    /// Merges another builder's paths (e.g. from another partition or thread).
    pub fn merge(&mut self, other: PathSetBuilder) {
        let mapping: Vec<u32> = other
            .channels
            .iter()
            .map(|name| self.channel(name))
            .collect();
        let mut touches = Vec::new();
        for path in other.paths {
            touches.clear();
            touches.extend(path.touches.iter().map(|&c| mapping[c as usize]));
            self.add(&touches, path.conversions, path.value, path.nulls);
        }
    }

    pub fn build(self) -> PathSet {
        PathSet {
            channels: self.channels,
            paths: self.paths,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn merge_remaps_channels() {
        let mut left = PathSetBuilder::new();
        left.add_text("a > b", ">", 1.0, 1.0, 0.0);
        let mut right = PathSetBuilder::new();
        right.add_text("b > a", ">", 1.0, 1.0, 0.0);
        right.add_text("a > b", ">", 1.0, 1.0, 0.0);
        left.merge(right);
        let set = left.build();
        assert_eq!(set.paths.len(), 2);
        assert_eq!(set.paths[0].conversions, 2.0);
        assert_eq!(set.paths[1].touches, [1, 0]);
    }
}
