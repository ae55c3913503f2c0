//! Several series over a numeric or categorical x axis, as lines or stacked areas.

use utfall_model::locale::Locale;

use crate::scale::{AxisUnit, Linear, NumberFormat, extent, nice_ticks};
use crate::svg::{
    EndLabel, Sizing, Svg, coord, end_labels, escape, finite, label_stride, points_attribute, runs,
    value, y_grid,
};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 596.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 276.0;
const MAX_X_LABELS: usize = 12;
/// Distinct looks (colour and dash pattern) before they repeat; end labels name every series.
const LOOKS: usize = 6;

pub(crate) const STYLE: &str = ".utfall-lines text{font:11px system-ui,-apple-system,'Segoe UI',sans-serif;fill:#4b5563}\
.utfall-lines .grid{stroke:#e5e7eb}.utfall-lines .grid.zero{stroke:#9ca3af}.utfall-lines .axis{stroke:#6b7280}\
.utfall-lines polyline.line{fill:none;stroke-width:2}.utfall-lines polygon.area{stroke-width:1;fill-opacity:.35}\
.utfall-lines circle.current{fill:#fff;stroke-width:2}\
.utfall-lines .s0{stroke:#1f2a44;fill:#1f2a44}\
.utfall-lines .s1{stroke:#2563eb;fill:#2563eb;stroke-dasharray:6 3}\
.utfall-lines .s2{stroke:#9a3412;fill:#9a3412;stroke-dasharray:2 2}\
.utfall-lines .s3{stroke:#047857;fill:#047857;stroke-dasharray:8 3 2 3}\
.utfall-lines .s4{stroke:#6b21a8;fill:#6b21a8;stroke-dasharray:1 3}\
.utfall-lines .s5{stroke:#b45309;fill:#b45309;stroke-dasharray:10 4}\
.utfall-lines circle.point,.utfall-lines circle.current,.utfall-lines polygon.area{stroke-dasharray:none}\
.utfall-lines text.label{stroke:none}";

/// Lines (or stacked areas) of several series.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    /// The accessible name.
    pub title: &'a str,
    /// The accessible description.
    pub description: &'a str,
    /// Number conventions of the axis labels.
    pub locale: Locale,
    /// What x is.
    pub x: XAxis<'a>,
    /// What y is.
    pub y_unit: AxisUnit<'a>,
    /// The series, each labelled at its right end.
    pub series: Vec<Series<'a>>,
    /// Stack the series as areas (a decomposition): the i-th points of all series share an x,
    /// positive values stack up from zero and negative ones down, a missing value counts as
    /// zero in the stack but draws no point.
    pub stacked: bool,
}

/// The x axis of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis<'a> {
    /// Numbers (e.g. spend) with nice ticks, from zero when none is negative.
    Numeric(AxisUnit<'a>),
    /// Named positions (e.g. months); a point's x is the index into the labels, and
    /// `data-x` is the label.
    Categories(Vec<&'a str>),
}

/// One series of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series<'a> {
    /// The name, shown at the right end and written to `data-series`.
    pub name: &'a str,
    /// `(x, y)` in order of x; a missing y breaks the line.
    pub points: Vec<(f64, Option<f64>)>,
    /// A marked point, e.g. the current spend on a response curve.
    pub current: Option<(f64, f64)>,
}

struct Frame<'a> {
    x: Linear,
    y: Linear,
    axis: &'a XAxis<'a>,
}

impl Frame<'_> {
    fn point(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x.at(x), self.y.at(y))
    }

    /// A `circle` with `data-series`, `data-x` (the number, or the category label at that
    /// index) and `data-y`; a `current` marker is larger than a `point`.
    fn dot(&self, svg: &mut Svg, class: &str, series: &str, (x, y): (f64, f64), at: (f64, f64)) {
        let data_x = match self.axis {
            XAxis::Categories(labels) if x >= 0.0 && x.fract() == 0.0 => labels
                .get(x as usize)
                .map_or_else(|| value(x), |l| escape(l)),
            _ => value(x),
        };
        let (cx, cy, series, data_y) = (coord(at.0), coord(at.1), escape(series), value(y));
        let r = if class.starts_with("current") {
            4.5
        } else {
            2.0
        };
        svg.raw(&format!(
            r#"<circle class="{class}" cx="{cx}" cy="{cy}" r="{r}" data-series="{series}" data-x="{data_x}" data-y="{data_y}"/>"#
        ));
    }
}

/// The line chart as an SVG document (`viewBox="0 0 720 320"`, `width="100%"`).
///
/// Each point is a `circle.point` and each marked point a `circle.current`, both with
/// `data-series`, `data-x` and `data-y` (in a stack, `data-y` is the series' own value).
pub fn line_chart(chart: &LineChart<'_>) -> String {
    let layers = layers(chart);
    let drawn = layers
        .iter()
        .flatten()
        .flatten()
        .flat_map(|&(base, top)| [base, top]);
    let current = chart.series.iter().filter_map(|s| s.current.map(|c| c.1));
    let (low, high) = extent(drawn.chain(current)).unwrap_or((0.0, 1.0));
    let ticks = nice_ticks(low, high, 5);
    let x_ticks = match &chart.x {
        XAxis::Numeric(_) => {
            let xs = chart
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0).chain(s.current.map(|c| c.0)));
            let (low, high) = extent(xs).unwrap_or((0.0, 1.0));
            nice_ticks(low, high, 6)
        }
        XAxis::Categories(labels) => vec![-0.5, labels.len() as f64 - 0.5],
    };
    let (x, y) = (
        Linear::over(&x_ticks, (LEFT, RIGHT)),
        Linear::over(&ticks, (BOTTOM, TOP)),
    );
    let frame = Frame {
        x,
        y,
        axis: &chart.x,
    };
    let mut svg = Svg::new("utfall-lines", (WIDTH, HEIGHT), Sizing::Fluid);
    svg.heading(chart.title, chart.description);
    let format = NumberFormat::for_ticks(chart.locale, chart.y_unit, &ticks);
    y_grid(&mut svg, &ticks, &frame.y, &format, (LEFT, RIGHT));
    x_axis(&mut svg, chart, &frame.x, &x_ticks);
    let series = chart.series.iter().enumerate().zip(&layers);
    let labels = series.filter_map(|((index, series), layer)| {
        draw_series(&mut svg, chart.stacked, &frame, (index, series), layer)
    });
    let labels = labels.collect();
    end_labels(&mut svg, labels);
    svg.finish()
}

/// One series: its line or area, its points and marked point; gives back its end label.
fn draw_series<'a>(
    svg: &mut Svg,
    stacked: bool,
    frame: &Frame<'_>,
    (index, series): (usize, &Series<'a>),
    layer: &[Option<(f64, f64)>],
) -> Option<EndLabel<'a>> {
    let look = index % LOOKS;
    let drawn = series.points.iter().zip(layer);
    let tops: Vec<_> = drawn
        .clone()
        .map(|(p, l)| l.map(|l| frame.point(p.0, l.1)))
        .collect();
    if stacked {
        let mut outline: Vec<(f64, f64)> = tops.iter().flatten().copied().collect();
        let bases = drawn
            .clone()
            .rev()
            .filter_map(|(p, l)| l.map(|l| frame.point(p.0, l.0)));
        outline.extend(bases);
        let (points, name) = (points_attribute(&outline), escape(series.name));
        svg.raw(&format!(
            r#"<polygon class="area s{look}" points="{points}" data-series="{name}"/>"#
        ));
    } else {
        for run in runs(&tops) {
            svg.polyline(&format!("line s{look}"), &run);
        }
    }
    for (p, at) in series.points.iter().zip(&tops) {
        if let Some(at) = at {
            let own = finite(p.1).unwrap_or(0.0);
            frame.dot(svg, &format!("point s{look}"), series.name, (p.0, own), *at);
        }
    }
    if let Some(c) = series
        .current
        .filter(|c| c.0.is_finite() && c.1.is_finite())
    {
        frame.dot(
            svg,
            &format!("current s{look}"),
            series.name,
            c,
            frame.point(c.0, c.1),
        );
    }
    let (x, (base, top)) = drawn.rev().find_map(|(p, l)| l.map(|l| (p.0, l)))?;
    let (x, y) = frame.point(x, if stacked { (base + top) / 2.0 } else { top });
    Some(EndLabel {
        at: (x + 8.0, y),
        class: format!("label s{look}"),
        text: series.name,
    })
}

/// Per series and point, what is drawn as `(base, top)`: the value itself, or in a stack the
/// series' slice of it. A missing value is none and adds nothing to the stack.
fn layers(chart: &LineChart<'_>) -> Vec<Vec<Option<(f64, f64)>>> {
    let n = chart
        .series
        .iter()
        .map(|s| s.points.len())
        .max()
        .unwrap_or(0);
    let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
    let mut layer = |series: &Series<'_>| -> Vec<Option<(f64, f64)>> {
        let points = series.points.iter().enumerate();
        let slice = |(i, p): (usize, &(f64, Option<f64>))| {
            let v = finite(p.1)?;
            if !chart.stacked {
                return Some((v, v));
            }
            let sum: &mut f64 = if v < 0.0 { &mut down[i] } else { &mut up[i] };
            let base = *sum;
            *sum += v;
            Some((base, *sum))
        };
        points.map(slice).collect()
    };
    chart.series.iter().map(&mut layer).collect()
}

/// The x axis line and its labels: nice ticks for numbers, thinned labels for categories.
fn x_axis(svg: &mut Svg, chart: &LineChart<'_>, x: &Linear, ticks: &[f64]) {
    svg.line("axis", (LEFT, BOTTOM), (RIGHT, BOTTOM));
    let at = |v: f64| (x.at(v), BOTTOM + 16.0);
    match &chart.x {
        XAxis::Numeric(unit) => {
            let format = NumberFormat::for_ticks(chart.locale, *unit, ticks);
            for &tick in ticks {
                svg.text("x-label", at(tick), "middle", &format.format(tick));
            }
        }
        XAxis::Categories(labels) => {
            let stride = label_stride(labels.len(), MAX_X_LABELS);
            for (index, label) in labels.iter().enumerate().step_by(stride) {
                svg.text("x-label", at(index as f64), "middle", label);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{assert_short_coordinates, attrs, numbers, tags, texts};

    fn series<'a>(name: &'a str, points: &[(f64, Option<f64>)]) -> Series<'a> {
        Series {
            name,
            points: points.to_vec(),
            current: None,
        }
    }

    fn curves() -> LineChart<'static> {
        let mut search = series(
            "Sök",
            &[(0.0, Some(0.0)), (5e4, Some(300.0)), (1e5, Some(450.0))],
        );
        search.current = Some((60_000.0, 340.0));
        let social = [
            (0.0, Some(0.0)),
            (5e4, None),
            (1e5, Some(200.0)),
            (1.5e5, Some(260.0)),
        ];
        LineChart {
            title: "Responskurvor",
            description: "Utfall mot spend per kanal",
            locale: Locale::Sv,
            x: XAxis::Numeric(AxisUnit::Money { currency: "SEK" }),
            y_unit: AxisUnit::Count,
            series: vec![search, series("<Social>", &social)],
            stacked: false,
        }
    }

    #[test]
    fn points_carry_series_x_and_y() {
        let svg = line_chart(&curves());
        let (sok, social) = ("Sök", "&lt;Social&gt;");
        let names = [sok, sok, sok, social, social, social];
        assert_eq!(attrs(&svg, "circle", "point", "data-series"), names);
        let xs = numbers(&svg, "circle", "point", "data-x");
        assert_eq!(xs, [0.0, 5e4, 1e5, 0.0, 1e5, 1.5e5]);
        let ys = numbers(&svg, "circle", "point", "data-y");
        assert_eq!(ys, [0.0, 300.0, 450.0, 0.0, 200.0, 260.0]);
        // x grows to the right, y up.
        let (cx, cy) = (
            numbers(&svg, "circle", "point", "cx"),
            numbers(&svg, "circle", "point", "cy"),
        );
        assert!(cx[0] < cx[1] && cx[1] < cx[2] && cy[0] > cy[1] && cy[1] > cy[2]);
        // The missing point breaks Social's line and leaves its first point without one.
        assert_eq!(tags(&svg, "polyline", "line").len(), 2);
        assert_eq!(attrs(&svg, "circle", "current", "data-x"), ["60000"]);
        assert_eq!(attrs(&svg, "circle", "current", "data-y"), ["340"]);
        // Spend ticks 0 … 150 000 by 25 000, in tkr.
        assert_eq!(texts(&svg, "x-label")[1], "25\u{a0}tkr");
        assert_eq!(texts(&svg, "label"), [sok, social]);
        assert_short_coordinates(&svg);
        assert_eq!(svg, line_chart(&curves()));
    }

    #[test]
    fn stacked_areas_over_categories() {
        let chart = LineChart {
            title: "Nedbrytning",
            description: "",
            locale: Locale::En,
            x: XAxis::Categories(vec!["jan", "feb", "mar"]),
            y_unit: AxisUnit::Count,
            series: vec![
                series(
                    "Bas",
                    &[(0.0, Some(100.0)), (1.0, Some(120.0)), (2.0, Some(110.0))],
                ),
                series("Sök", &[(0.0, Some(40.0)), (1.0, None), (2.0, Some(60.0))]),
            ],
            stacked: true,
        };
        let svg = line_chart(&chart);
        assert_eq!(
            attrs(&svg, "polygon", "area", "data-series"),
            ["Bas", "Sök"]
        );
        assert_eq!(attrs(&svg, "circle", "s1", "data-x"), ["jan", "mar"]);
        assert_eq!(numbers(&svg, "circle", "s1", "data-y"), [40.0, 60.0]);
        // Ticks 0 … 200: March's search slice tops out at 110 + 60 = 170, above the base's 110.
        let y = Linear::new((0.0, 200.0), (BOTTOM, TOP));
        let (base, search) = (
            numbers(&svg, "circle", "s0", "cy"),
            numbers(&svg, "circle", "s1", "cy"),
        );
        assert!((search[1] - y.at(170.0)).abs() < 0.01 && (base[2] - y.at(110.0)).abs() < 0.01);
        assert_eq!(texts(&svg, "x-label"), ["jan", "feb", "mar"]);
    }
}
