//! Rule-based models with `channelattribution`'s semantics: first touch, last touch, and linear
//! (each occurrence of a channel gets an equal share; repeats are not collapsed).

use crate::paths::PathSet;

/// Credits of one channel under the three heuristic models.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HeuristicCredit {
    /// Conversions credited when the channel is a path's first touch.
    pub first_touch_conversions: f64,
    /// Conversion value credited when the channel is a path's first touch.
    pub first_touch_value: f64,
    /// Conversions credited when the channel is a path's last touch.
    pub last_touch_conversions: f64,
    /// Conversion value credited when the channel is a path's last touch.
    pub last_touch_value: f64,
    /// Conversions shared equally over every touch of a path.
    pub linear_touch_conversions: f64,
    /// Conversion value shared equally over every touch of a path.
    pub linear_touch_value: f64,
}

/// First, last and linear touch credits per channel (indexed like `paths.channels`).
pub fn heuristics(paths: &PathSet) -> Vec<HeuristicCredit> {
    let mut credits = vec![HeuristicCredit::default(); paths.n_channels()];
    for path in &paths.paths {
        let (Some(&first), Some(&last)) = (path.touches.first(), path.touches.last()) else {
            continue;
        };
        let first = &mut credits[first as usize];
        first.first_touch_conversions += path.conversions;
        first.first_touch_value += path.value;
        let last = &mut credits[last as usize];
        last.last_touch_conversions += path.conversions;
        last.last_touch_value += path.value;
        let n_touches = path.touches.len() as f64;
        for &touch in &path.touches {
            let credit = &mut credits[touch as usize];
            credit.linear_touch_conversions += path.conversions / n_touches;
            credit.linear_touch_value += path.value / n_touches;
        }
    }
    credits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::PathSetBuilder;

    #[test]
    fn hand_computed() {
        let mut builder = PathSetBuilder::new();
        // a > b > a: 3 conversions worth 30.
        builder.add_text("a > b > a", ">", 3.0, 30.0, 1.0);
        // b: 1 conversion worth 5.
        builder.add_text("b", ">", 1.0, 5.0, 0.0);
        let credits = heuristics(&builder.build());
        let (a, b) = (credits[0], credits[1]);
        assert_eq!(a.first_touch_conversions, 3.0);
        assert_eq!(b.first_touch_conversions, 1.0);
        assert_eq!(a.last_touch_value, 30.0);
        // Linear: a gets 2/3 of 3, b gets 1/3 of 3 plus all of 1.
        assert!((a.linear_touch_conversions - 2.0).abs() < 1e-12);
        assert!((b.linear_touch_conversions - 2.0).abs() < 1e-12);
        assert!((a.linear_touch_value - 20.0).abs() < 1e-12);
        assert!((b.linear_touch_value - 15.0).abs() < 1e-12);
    }
}
