//! A small line without axes, beside a big number or in a table cell.

use crate::scale::{Linear, extent};
use crate::svg::{Sizing, Svg, coord, finite, runs, value};

const WIDTH: f64 = 80.0;
const HEIGHT: f64 = 20.0;
const PAD: f64 = 2.5;

pub(crate) const STYLE: &str = ".utfall-sparkline polyline{fill:none;stroke:#1f2a44;stroke-width:1.25}\
.utfall-sparkline circle.point{fill:none}.utfall-sparkline circle.last{fill:#1f2a44}\
.utfall-sparkline .target-band{fill:#15803d;fill-opacity:.15;stroke:#15803d;stroke-opacity:.5;stroke-width:.5;stroke-dasharray:2 1}";

/// A sparkline (`viewBox="0 0 80 20"`, 80 × 20 px) of `values` in order, with an optional
/// target band `(low, high)` and `label` as its accessible name.
///
/// Every value is a `circle.point` with `data-value` (only the last is filled); a missing value
/// breaks the line. The y range starts at zero when no value is negative.
pub fn sparkline(values: &[Option<f64>], band: Option<(f64, f64)>, label: &str) -> String {
    let mut all: Vec<f64> = values.iter().filter_map(|v| finite(*v)).collect();
    all.extend(band.iter().flat_map(|&(low, high)| [low, high]));
    let (mut low, mut high) = extent(all).unwrap_or((0.0, 1.0));
    if low >= 0.0 {
        low = 0.0;
    } else if high <= 0.0 {
        high = 0.0;
    }
    let y = Linear::new((low, high), (HEIGHT - PAD, PAD));
    let step = (WIDTH - 2.0 * PAD) / values.len().saturating_sub(1).max(1) as f64;
    let x = |i: usize| {
        if values.len() == 1 {
            WIDTH / 2.0
        } else {
            PAD + i as f64 * step
        }
    };
    let mut svg = Svg::new(
        "utfall-chart utfall-sparkline",
        (WIDTH, HEIGHT),
        Sizing::Fixed,
    );
    svg.heading(label, "");
    if let Some((low, high)) = band.filter(|(l, h)| !l.is_nan() && !h.is_nan()) {
        let (a, b) = (y.at(low).clamp(0.0, HEIGHT), y.at(high).clamp(0.0, HEIGHT));
        svg.raw(&format!(
            r#"<rect class="target-band" x="0" y="{}" width="{}" height="{}" data-low="{}" data-high="{}"/>"#,
            coord(a.min(b)),
            coord(WIDTH),
            coord((a - b).abs()),
            value(low),
            value(high)
        ));
    }
    let points: Vec<Option<(f64, f64)>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| finite(*v).map(|v| (x(i), y.at(v))))
        .collect();
    for run in runs(&points) {
        svg.polyline("line", &run);
    }
    let last = points.iter().rposition(Option::is_some);
    for (index, (point, v)) in points.iter().zip(values).enumerate() {
        let (Some((cx, cy)), Some(v)) = (point, finite(*v)) else {
            continue;
        };
        let (class, r) = if Some(index) == last {
            ("point last", 2.0)
        } else {
            ("point", 1.0)
        };
        svg.raw(&format!(
            r#"<circle class="{class}" cx="{}" cy="{}" r="{}" data-value="{}"/>"#,
            coord(*cx),
            coord(*cy),
            coord(r),
            value(v)
        ));
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{assert_short_coordinates, attr, number, tags};

    #[test]
    fn points_carry_their_values_and_start_from_zero() {
        let values = [Some(5.0), Some(7.25), None, Some(6.0), Some(9.0)];
        let svg = sparkline(&values, Some((8.0, 10.0)), "Leads <senaste året>");
        assert!(svg.contains("<title>Leads &lt;senaste året&gt;</title>"));
        assert!(svg.contains(r#"viewBox="0 0 80 20" width="80" height="20" role="img""#));
        let points = tags(&svg, "circle", "point");
        let read: Vec<f64> = points.iter().map(|t| number(t, "data-value")).collect();
        assert_eq!(read, [5.0, 7.25, 6.0, 9.0]);
        assert_eq!(tags(&svg, "circle", "last").len(), 1);
        assert_eq!(
            attr(tags(&svg, "circle", "last")[0], "data-value"),
            Some("9")
        );
        assert_eq!(tags(&svg, "polyline", "line").len(), 2);
        // y from zero, top at the band's 10: 5 sits half-way down the drawable height.
        assert!((number(points[0], "cy") - 10.0).abs() < 0.01);
        assert!(
            (number(points[3], "cy") - (HEIGHT - PAD - 0.9 * (HEIGHT - 2.0 * PAD))).abs() < 0.01
        );
        let band = tags(&svg, "rect", "target-band")[0];
        assert_eq!(
            (attr(band, "data-low"), attr(band, "data-high")),
            (Some("8"), Some("10"))
        );
        assert_short_coordinates(&svg);
        assert_eq!(
            svg,
            sparkline(&values, Some((8.0, 10.0)), "Leads <senaste året>")
        );
    }

    #[test]
    fn empty_and_single_values() {
        let svg = sparkline(&[None, None], None, "tom");
        assert!(tags(&svg, "circle", "").is_empty());
        let svg = sparkline(&[Some(-2.0)], None, "en");
        let point = tags(&svg, "circle", "last")[0];
        assert_eq!(number(point, "cx"), WIDTH / 2.0);
        assert_eq!(number(point, "cy"), HEIGHT - PAD);
    }
}
