//! Horizontal bars comparing categories, optionally grouped by series, with intervals.

use utfall_model::locale::Locale;

use crate::scale::{AxisUnit, Linear, NumberFormat, extent, nice_ticks};
use crate::svg::{Sizing, Svg, coord, escape, value};

const WIDTH: f64 = 720.0;
const LEFT: f64 = 170.0;
const RIGHT: f64 = 630.0;
/// Category names longer than this are cut with `…` (the bars' titles keep the whole name).
const MAX_NAME_CHARS: usize = 26;
/// Distinct looks before they repeat; the legend names every series.
const LOOKS: usize = 6;

pub(crate) const STYLE: &str = ".utfall-bars text{font:11px system-ui,-apple-system,'Segoe UI',sans-serif;fill:#4b5563}\
.utfall-bars .grid{stroke:#e5e7eb}.utfall-bars .axis{stroke:#6b7280}\
.utfall-bars .bar,.utfall-bars .swatch{stroke:#1f2a44;stroke-width:.75}.utfall-bars .whisker{fill:none;stroke:#111827;stroke-width:1.25}.utfall-bars .halo{fill:none;stroke:#fff;stroke-width:3.5}\
.utfall-bars text.value{fill:#111827}";

/// Horizontal bars: one group per category, one bar per series.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// The accessible name.
    pub title: &'a str,
    /// The accessible description.
    pub description: &'a str,
    /// Number conventions of the axis and value labels.
    pub locale: Locale,
    /// What the values are.
    pub unit: AxisUnit<'a>,
    /// The series' names (e.g. attribution models), in the order of [`BarCategory::bars`];
    /// with more than one, a legend names them.
    pub series: Vec<&'a str>,
    /// The categories (e.g. channels) from top to bottom.
    pub categories: Vec<BarCategory<'a>>,
}

/// One category of a [`BarChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct BarCategory<'a> {
    /// The category's name.
    pub name: &'a str,
    /// One bar per series, by position; none draws no bar.
    pub bars: Vec<Option<Bar>>,
}

/// One bar: a value and an optional interval drawn as a whisker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// The value, drawn from zero.
    pub value: f64,
    /// The interval's lower end.
    pub low: Option<f64>,
    /// The interval's upper end.
    pub high: Option<f64>,
}

/// A chart being drawn: the scale, the layout of the groups and the value labels.
struct Draw<'c, 'a> {
    chart: &'c BarChart<'a>,
    svg: Svg,
    x: Linear,
    format: NumberFormat<'a>,
    /// The prefix of the pattern ids.
    id: String,
    top: f64,
    bar: f64,
    group: f64,
}

/// The bar chart as an SVG document (720 wide, as tall as its categories need).
///
/// Each bar is a `rect.bar` with `data-category`, `data-series` and `data-value` (and
/// `data-low`, `data-high` with an interval) and a `<title>`. Series differ by fill (solid
/// shades and hatch patterns) as well as by the legend, never by colour alone.
pub fn bar_chart(chart: &BarChart<'_>) -> String {
    let bars = chart
        .categories
        .iter()
        .flat_map(|c| c.bars.iter().flatten());
    let values = bars.flat_map(|b| [Some(b.value), b.low, b.high].into_iter().flatten());
    let (low, high) = extent(values).unwrap_or((0.0, 1.0));
    let ticks = nice_ticks(low, high, 5);
    let n_series = chart.series.len().max(1);
    let bar = if n_series == 1 { 16.0 } else { 12.0 };
    let top = if n_series > 1 { 32.0 } else { 10.0 };
    let group = n_series as f64 * (bar + 2.0) + 12.0;
    let bottom = top + chart.categories.len() as f64 * group;
    let mut svg = Svg::new("utfall-bars", (WIDTH, bottom + 28.0), Sizing::Fluid);
    svg.heading(chart.title, chart.description);
    let id = pattern_id(chart);
    svg.raw(&patterns(&id));
    let x = Linear::over(&ticks, (LEFT, RIGHT));
    let mut left = LEFT;
    for (series, name) in chart.series.iter().enumerate().filter(|_| n_series > 1) {
        let (look, fill) = (series % LOOKS, fill(series, &id));
        let x = coord(left);
        svg.raw(&format!(
            r#"<rect class="swatch s{look}" x="{x}" y="10" width="12" height="10"{fill}/>"#
        ));
        svg.text("legend", (left + 16.0, 19.0), "start", name);
        left += 32.0 + 6.5 * name.chars().count() as f64;
    }
    let tick_format = NumberFormat::for_ticks(chart.locale, chart.unit, &ticks);
    for &tick in &ticks {
        let at = x.at(tick);
        svg.line(
            if tick == 0.0 { "axis" } else { "grid" },
            (at, top),
            (at, bottom),
        );
        svg.text(
            "tick",
            (at, bottom + 16.0),
            "middle",
            &tick_format.format(tick),
        );
    }
    let bars = chart
        .categories
        .iter()
        .flat_map(|c| c.bars.iter().flatten());
    let values: Vec<f64> = bars.map(|b| b.value).collect();
    let format = NumberFormat::for_values(chart.locale, chart.unit, &values);
    let mut draw = Draw {
        chart,
        svg,
        x,
        format,
        id,
        top,
        bar,
        group,
    };
    for (index, category) in chart.categories.iter().enumerate() {
        draw.category(index, category);
    }
    draw.svg.finish()
}

impl Draw<'_, '_> {
    /// One category: its name and one bar (with whisker and value label) per series.
    fn category(&mut self, index: usize, category: &BarCategory<'_>) {
        let group_top = self.top + index as f64 * self.group + 6.0;
        let middle = group_top + (self.group - 12.0) / 2.0 + 4.0;
        let name = if category.name.chars().count() > MAX_NAME_CHARS {
            let cut: String = category.name.chars().take(MAX_NAME_CHARS - 1).collect();
            format!("{cut}…")
        } else {
            category.name.to_string()
        };
        self.svg
            .text("category", (LEFT - 8.0, middle), "end", &name);
        for (series, bar) in category.bars.iter().enumerate() {
            if let Some(bar) = bar.filter(|b| b.value.is_finite()) {
                let y = group_top + series as f64 * (self.bar + 2.0);
                self.bar(category.name, series, bar, y);
            }
        }
    }

    /// One bar from zero with its interval, value label and a `<title>` saying all of it.
    fn bar(&mut self, category: &str, series: usize, bar: Bar, y: f64) {
        let format = self.format;
        let series_name = self.chart.series.get(series).copied().unwrap_or("");
        let (zero, end) = (self.x.at(0.0), self.x.at(bar.value));
        let interval = bar.low.zip(bar.high);
        let mut data = format!(r#" data-value="{}""#, value(bar.value));
        let mut tooltip = format!("{category}, {series_name}: {}", format.format(bar.value));
        if let Some((low, high)) = interval {
            data.push_str(&format!(
                r#" data-low="{}" data-high="{}""#,
                value(low),
                value(high)
            ));
            tooltip.push_str(&format!(
                " ({}–{})",
                format.format(low),
                format.format(high)
            ));
        }
        let (left, top, width) = (coord(zero.min(end)), coord(y), coord((end - zero).abs()));
        let (look, height, fill) = (series % LOOKS, coord(self.bar), fill(series, &self.id));
        let (category, series_name, tooltip) =
            (escape(category), escape(series_name), escape(&tooltip));
        self.svg.raw(&format!(
            r#"<rect class="bar s{look}" x="{left}" y="{top}" width="{width}" height="{height}"{fill} data-category="{category}" data-series="{series_name}"{data}><title>{tooltip}</title></rect>"#
        ));
        let middle = y + self.bar / 2.0;
        let mut reach = end;
        if let Some((low, high)) = interval {
            let (a, b) = (self.x.at(low), self.x.at(high));
            let (m, top, foot) = (coord(middle), coord(middle - 4.0), coord(middle + 4.0));
            let (ca, cb) = (coord(a), coord(b));
            let d = format!("M{ca} {m}H{cb}M{ca} {top}V{foot}M{cb} {top}V{foot}");
            // A white halo under the whisker keeps it visible on a dark bar.
            let path = format!(r#"<path class="halo" d="{d}"/><path class="whisker" d="{d}"/>"#);
            self.svg.raw(&path);
            reach = if bar.value < 0.0 {
                a.min(b).min(end)
            } else {
                a.max(b).max(end)
            };
        }
        let (at, anchor) = if bar.value < 0.0 {
            (reach - 4.0, "end")
        } else {
            (reach + 4.0, "start")
        };
        self.svg.text(
            "value",
            (at, middle + 4.0),
            anchor,
            &format.format(bar.value),
        );
    }
}

/// The fill of series `series`: solid shades for the even looks, patterns for the odd ones.
fn fill(series: usize, id: &str) -> String {
    match series % LOOKS {
        0 => r##" fill="#1f2a44""##.to_string(),
        1 => format!(r#" fill="url(#{id}-hatch)""#),
        2 => r##" fill="#8190b3""##.to_string(),
        3 => format!(r#" fill="url(#{id}-dots)""#),
        4 => r##" fill="#dfe3ee""##.to_string(),
        _ => format!(r#" fill="url(#{id}-cross)""#),
    }
}

/// Diagonal hatching, dots and a cross grid, dark on white.
fn patterns(id: &str) -> String {
    let marks = [
        (
            "hatch",
            r##"<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#1f2a44" stroke-width="1.5"/>"##,
        ),
        (
            "dots",
            r##"<circle cx="3" cy="3" r="1.5" fill="#1f2a44"/>"##,
        ),
        ("cross", r##"<path d="M0 3H6M3 0V6" stroke="#1f2a44"/>"##),
    ];
    let patterns: Vec<String> = marks
        .iter()
        .map(|(name, mark)| {
            format!(
                r##"<pattern id="{id}-{name}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/>{mark}</pattern>"##
            )
        })
        .collect();
    format!("<defs>{}</defs>", patterns.concat())
}

/// An id prefix for the patterns that is the same for the same chart and differs between
/// charts on one page (FNV-1a over the title, description, series and categories).
fn pattern_id(chart: &BarChart<'_>) -> String {
    let names = chart
        .series
        .iter()
        .copied()
        .chain(chart.categories.iter().map(|c| c.name));
    let texts = [chart.title, chart.description].into_iter().chain(names);
    let bytes = texts.flat_map(|text| text.bytes().chain([0]));
    let hash = bytes.fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("utfall-bars-{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{assert_short_coordinates, attrs, numbers, tags, texts};

    fn bar(value: f64) -> Option<Bar> {
        Some(Bar {
            value,
            low: None,
            high: None,
        })
    }

    fn category<'a>(name: &'a str, bars: &[Option<Bar>]) -> BarCategory<'a> {
        BarCategory {
            name,
            bars: bars.to_vec(),
        }
    }

    fn chart() -> BarChart<'static> {
        let interval = Bar {
            value: 300_000.0,
            low: Some(250_000.0),
            high: Some(420_000.0),
        };
        BarChart {
            title: "Kredit per kanal",
            description: "Tre attributionsmodeller",
            locale: Locale::Sv,
            unit: AxisUnit::Money { currency: "SEK" },
            series: vec!["Sista klick", "Linjär", "<Data>"],
            categories: vec![
                category("Sök", &[bar(400_000.0), bar(200_000.0), bar(100_000.0)]),
                category("E-post", &[bar(50_000.0), None, Some(interval)]),
            ],
        }
    }

    #[test]
    fn bars_carry_their_category_series_and_value() {
        let svg = bar_chart(&chart());
        let data = |key| attrs(&svg, "rect", "bar", key);
        assert_eq!(
            data("data-category"),
            ["Sök", "Sök", "Sök", "E-post", "E-post"]
        );
        let series = [
            "Sista klick",
            "Linjär",
            "&lt;Data&gt;",
            "Sista klick",
            "&lt;Data&gt;",
        ];
        assert_eq!(data("data-series"), series);
        let values = &numbers(&svg, "rect", "bar", "data-value")[..];
        assert_eq!(
            values,
            [400_000.0, 200_000.0, 100_000.0, 50_000.0, 300_000.0]
        );
        // Widths are proportional to the values, all bars start at zero.
        let width = &numbers(&svg, "rect", "bar", "width")[..];
        assert!(
            (width[0] - 2.0 * width[1]).abs() < 0.02 && (width[1] - 4.0 * width[3]).abs() < 0.02
        );
        assert!(numbers(&svg, "rect", "bar", "x").iter().all(|&x| x == LEFT));
        assert_eq!(data("data-low")[4..], ["250000"]);
        assert_eq!(data("data-high")[4..], ["420000"]);
        assert_eq!(tags(&svg, "path", "whisker").len(), 1);
        // Ticks 0, 100 000 … 500 000 in tkr; values the same way.
        assert_eq!(texts(&svg, "tick")[1], "100\u{a0}tkr");
        assert_eq!(texts(&svg, "value")[0], "400\u{a0}tkr");
        assert_eq!(
            texts(&svg, "legend"),
            ["Sista klick", "Linjär", "&lt;Data&gt;"]
        );
        // The second series is told apart by a pattern, not by colour alone.
        assert!(
            tags(&svg, "rect", "s1")
                .iter()
                .all(|t| t.contains("-hatch)"))
        );
        assert!(svg.contains("<pattern id=\"utfall-bars-"));
        assert_short_coordinates(&svg);
        assert_eq!(svg, bar_chart(&chart()));
    }

    #[test]
    fn one_series_needs_no_legend_and_negative_bars_grow_left() {
        let chart = BarChart {
            title: "Bidrag",
            description: "",
            locale: Locale::En,
            unit: AxisUnit::Count,
            series: vec!["MMM"],
            categories: vec![
                category("Pris", &[bar(-120.0)]),
                category("A very long channel name that is cut", &[bar(80.0)]),
            ],
        };
        let svg = bar_chart(&chart);
        assert!(texts(&svg, "legend").is_empty());
        // Ticks −150 … 100: the negative bar ends at zero, the positive one starts there.
        let zero = Linear::new((-150.0, 100.0), (LEFT, RIGHT)).at(0.0);
        let (x, width) = (
            numbers(&svg, "rect", "bar", "x"),
            numbers(&svg, "rect", "bar", "width"),
        );
        assert!((x[0] + width[0] - zero).abs() < 0.02 && (x[1] - zero).abs() < 0.02);
        assert_eq!(texts(&svg, "value"), ["\u{2212}120", "80"]);
        assert_eq!(texts(&svg, "category")[1], "A very long channel name …");
        assert!(svg.contains("<title>A very long channel name that is cut, MMM: 80</title>"));
    }
}
