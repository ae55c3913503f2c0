//! One KPI over periods: actual, last year, target bands, forecast, annotations.

use std::collections::BTreeMap;

use utfall_model::locale::Locale;

use crate::scale::{AxisUnit, Linear, NumberFormat, extent, nice_ticks};
use crate::svg::{
    EndLabel, Sizing, Svg, coord, end_labels, escape, finite, label_stride, points_attribute, runs,
    value, y_grid,
};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 640.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 248.0;
/// The most x labels shown; the others are skipped evenly.
const MAX_X_LABELS: usize = 12;

pub(crate) const STYLE: &str = ".utfall-kpi text{font:11px system-ui,-apple-system,'Segoe UI',sans-serif;fill:#4b5563}\
.utfall-kpi .grid{stroke:#e5e7eb}.utfall-kpi .grid.zero{stroke:#9ca3af}.utfall-kpi .axis{stroke:#6b7280}\
.utfall-kpi polyline.actual{fill:none;stroke:#1f2a44;stroke-width:2}\
.utfall-kpi polyline.to-date{fill:none;stroke:#1f2a44;stroke-width:1.5;stroke-dasharray:1 3}\
.utfall-kpi circle.actual{fill:#1f2a44}.utfall-kpi circle.running{fill:#fff;stroke:#1f2a44;stroke-width:1.5}\
.utfall-kpi polyline.last-year{fill:none;stroke:#9ca3af;stroke-width:1}.utfall-kpi circle.last-year{fill:#9ca3af}\
.utfall-kpi .target-band{fill:#15803d;fill-opacity:.15;stroke:#15803d;stroke-opacity:.6;stroke-dasharray:4 3}\
.utfall-kpi .amber-band{fill:#d97706;fill-opacity:.12;stroke:none}\
.utfall-kpi polyline.forecast{fill:none;stroke:#1f2a44;stroke-width:1.5;stroke-dasharray:5 4}\
.utfall-kpi circle.forecast{fill:#fff;stroke:#1f2a44;stroke-dasharray:2 1}\
.utfall-kpi .annotation line{stroke:#6b7280;stroke-dasharray:2 2}\
.utfall-kpi .annotation .marker{fill:#fff;stroke:#374151}\
.utfall-kpi text.marker-label{font-size:9px;fill:#111827}";

/// A line chart of one KPI over consecutive periods.
#[derive(Debug, Clone)]
pub struct KpiChart<'a> {
    /// The accessible name, e.g. `Leads per månad`.
    pub title: &'a str,
    /// The accessible description: what a reader should see in the chart.
    pub description: &'a str,
    /// Number conventions of the tick labels.
    pub locale: Locale,
    /// What the values are.
    pub unit: AxisUnit<'a>,
    /// The periods in order, one x position each.
    pub periods: Vec<PeriodPoint<'a>>,
    /// The label at the right end of the last-year line, e.g. `fg. år` / `PY`.
    pub last_year_label: &'a str,
    /// The note at the running period's point, e.g. `t.o.m. 26 nov` / `to date`.
    pub to_date_label: &'a str,
    /// The label at the end of the forecast line, e.g. `prognos` / `forecast`.
    pub forecast_label: &'a str,
    /// The label at the right end of the last target band, e.g. `mål` / `target`; empty for none.
    pub target_label: &'a str,
    /// Notes, imports, definition changes, decisions and activities, by period.
    pub annotations: Vec<Marker<'a>>,
}

/// One period of a [`KpiChart`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodPoint<'a> {
    /// The period's key, written to `data-period` (e.g. `2026-03`).
    pub period: &'a str,
    /// The short x-axis text (e.g. `mar`, `v. 14`).
    pub label: &'a str,
    /// The actual value; none draws no point and breaks the line.
    pub value: Option<f64>,
    /// Last year's value of the period with the same index (month n, ISO week n).
    pub last_year: Option<f64>,
    /// The target of the period.
    pub target: Option<Band>,
    /// The period is still running: its value is to date, drawn hollow with a note.
    pub running: bool,
    /// The forecast for the whole period, drawn dashed from the last complete actual.
    pub forecast: Option<f64>,
}

/// A target as a band between two bounds, with an optional "at risk" zone around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The lower bound (for "reach X": X).
    pub low: f64,
    /// The upper bound; `f64::INFINITY` reaches to the top of the plot.
    pub high: f64,
    /// The lower end of an amber zone below `low` (drawn from here to `low`, or to
    /// `amber_high` when that is given too: then one zone spans the band, lighter, behind it).
    pub amber_low: Option<f64>,
    /// The upper end of an amber zone above `high`.
    pub amber_high: Option<f64>,
}

/// An annotation at a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker<'a> {
    /// The index into [`KpiChart::periods`]; markers outside the periods are not drawn.
    pub index: usize,
    /// The text, shown as the marker's tooltip.
    pub text: &'a str,
    /// What happened, shown by the marker's shape.
    pub kind: MarkerKind,
}

/// What an annotation records; each kind has its own marker shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// A note by a user: a circle.
    Note,
    /// A data import: a square.
    Import,
    /// A change of the KPI's definition: a diamond.
    Definition,
    /// A decision: a triangle.
    Decision,
    /// A marketing activity: a hexagon.
    Activity,
}

impl MarkerKind {
    fn slug(self) -> &'static str {
        match self {
            MarkerKind::Note => "note",
            MarkerKind::Import => "import",
            MarkerKind::Definition => "definition",
            MarkerKind::Decision => "decision",
            MarkerKind::Activity => "activity",
        }
    }
}

/// A chart being drawn: where periods and values go, and the labels for the right end.
struct Draw<'c, 'a> {
    chart: &'c KpiChart<'a>,
    svg: Svg,
    y: Linear,
    slot: f64,
    labels: Vec<EndLabel<'a>>,
}

/// The KPI chart as an SVG document (`viewBox="0 0 720 300"`, `width="100%"`).
///
/// Each actual point is a `circle.actual` with `data-period` and `data-value`, each last-year
/// point a `circle.last-year`, each forecast a `circle.forecast`, each target a
/// `rect.target-band` with `data-period`, `data-low` and `data-high`.
pub fn kpi_chart(chart: &KpiChart<'_>) -> String {
    let (low, high) = extent(chart.periods.iter().flat_map(period_values)).unwrap_or((0.0, 1.0));
    let ticks = nice_ticks(low, high, 5);
    let mut svg = Svg::new("utfall-kpi", (WIDTH, HEIGHT), Sizing::Fluid);
    svg.heading(chart.title, chart.description);
    let y = Linear::over(&ticks, (BOTTOM, TOP));
    let format = NumberFormat::for_ticks(chart.locale, chart.unit, &ticks);
    y_grid(&mut svg, &ticks, &y, &format, (LEFT, RIGHT));
    let slot = (RIGHT - LEFT) / chart.periods.len().max(1) as f64;
    let mut draw = Draw {
        chart,
        svg,
        y,
        slot,
        labels: Vec::new(),
    };
    draw.bands();
    draw.last_year();
    draw.actual();
    draw.forecast();
    draw.x_axis();
    let labels = std::mem::take(&mut draw.labels);
    end_labels(&mut draw.svg, labels);
    draw.annotations();
    draw.svg.finish()
}

/// The values that decide the y axis: actuals, last year, forecasts and finite band bounds.
fn period_values(period: &PeriodPoint<'_>) -> Vec<f64> {
    let mut values: Vec<f64> = [period.value, period.last_year, period.forecast]
        .into_iter()
        .flatten()
        .collect();
    if let Some(band) = period.target {
        values.extend(
            [
                Some(band.low),
                Some(band.high),
                band.amber_low,
                band.amber_high,
            ]
            .into_iter()
            .flatten(),
        );
    }
    values
}

impl<'a> Draw<'_, 'a> {
    /// The centre of period `index`.
    fn x(&self, index: usize) -> f64 {
        LEFT + (index as f64 + 0.5) * self.slot
    }

    /// The point of each period with a finite value picked by `pick`.
    fn points(&self, pick: fn(&PeriodPoint<'_>) -> Option<f64>) -> Vec<Option<(f64, f64)>> {
        let at = |(i, p)| finite(pick(p)).map(|v| (self.x(i), self.y.at(v)));
        self.chart.periods.iter().enumerate().map(at).collect()
    }

    /// A point of period `index` at value `v`, with its period and exact value.
    fn circle(&mut self, class: &str, index: usize, v: f64, r: f64) {
        let (x, y, r) = (coord(self.x(index)), coord(self.y.at(v)), coord(r));
        let period = escape(self.chart.periods[index].period);
        self.svg.raw(&format!(
            r#"<circle class="{class}" cx="{x}" cy="{y}" r="{r}" data-period="{period}" data-value="{}"/>"#,
            value(v)
        ));
    }

    fn label(&mut self, at: (f64, f64), class: &str, text: &'a str) {
        self.labels.push(EndLabel {
            at,
            class: format!("label {class}"),
            text,
        });
    }

    /// Amber zones, then target bands on top, one rect per period clipped to the plot.
    fn bands(&mut self) {
        let periods = self.chart.periods.iter().enumerate();
        let targets: Vec<(usize, Band)> = periods
            .filter_map(|(i, p)| p.target.map(|band| (i, band)))
            .filter(|(_, band)| !band.low.is_nan() && !band.high.is_nan())
            .collect();
        for &(index, band) in &targets {
            let zone = match (band.amber_low, band.amber_high) {
                (Some(low), Some(high)) => Some((low, high)),
                (Some(low), None) => Some((low, band.low)),
                (None, Some(high)) => Some((band.high, high)),
                (None, None) => None,
            };
            if let Some(zone) = zone.filter(|(low, high)| !low.is_nan() && !high.is_nan()) {
                self.band("amber-band", index, zone);
            }
        }
        for &(index, band) in &targets {
            self.band("target-band", index, (band.low, band.high));
        }
        if let Some(&(index, band)) = targets.last() {
            let clip = |v: f64| self.y.at(v).clamp(TOP, BOTTOM);
            let at = (
                self.x(index) + self.slot / 2.0 + 4.0,
                (clip(band.low) + clip(band.high)) / 2.0,
            );
            self.label(at, "target-label", self.chart.target_label);
        }
    }

    fn band(&mut self, class: &str, index: usize, (low, high): (f64, f64)) {
        let (a, b) = (
            self.y.at(low).clamp(TOP, BOTTOM),
            self.y.at(high).clamp(TOP, BOTTOM),
        );
        let (x, y, width) = (
            coord(LEFT + index as f64 * self.slot),
            coord(a.min(b)),
            coord(self.slot),
        );
        let (height, period) = (
            coord((a - b).abs()),
            escape(self.chart.periods[index].period),
        );
        self.svg.raw(&format!(
            r#"<rect class="{class}" x="{x}" y="{y}" width="{width}" height="{height}" data-period="{period}" data-low="{}" data-high="{}"/>"#,
            value(low),
            value(high),
        ));
    }

    /// The previous year's line, aligned by period index, with its label at the right end.
    fn last_year(&mut self) {
        let points = self.points(|p| p.last_year);
        for run in runs(&points) {
            self.svg.polyline("last-year", &run);
        }
        for (index, period) in self.chart.periods.iter().enumerate() {
            if let Some(v) = finite(period.last_year) {
                self.circle("last-year", index, v, 2.0);
            }
        }
        if let Some((x, y)) = points.iter().rev().flatten().next() {
            self.label((x + 6.0, *y), "last-year-label", self.chart.last_year_label);
        }
    }

    /// The actual line through complete periods, a dotted link to each running period, and the
    /// points: solid, or hollow with the to-date note when the period is running.
    fn actual(&mut self) {
        let points = self.points(|p| p.value);
        let periods = &self.chart.periods;
        let complete: Vec<_> = periods
            .iter()
            .zip(&points)
            .map(|(p, at)| at.filter(|_| !p.running))
            .collect();
        for run in runs(&complete) {
            self.svg.polyline("actual", &run);
        }
        for (index, period) in periods.iter().enumerate() {
            let (Some(at), Some(v)) = (points[index], finite(period.value)) else {
                continue;
            };
            if !period.running {
                self.circle("actual", index, v, 3.5);
                continue;
            }
            if let Some(Some(previous)) = index.checked_sub(1).map(|i| complete[i]) {
                self.svg.polyline("to-date", &[previous, at]);
            }
            self.circle("actual running", index, v, 3.5);
            // Below the point (the forecast runs above it), unless the x axis is in the way.
            let y = if at.1 + 16.0 < BOTTOM - 4.0 {
                at.1 + 16.0
            } else {
                at.1 - 9.0
            };
            let anchor = if at.0 > RIGHT - 40.0 { "end" } else { "middle" };
            self.svg.text(
                "note to-date-label",
                (at.0, y),
                anchor,
                self.chart.to_date_label,
            );
        }
    }

    /// The dashed forecast from the last complete actual through each forecast value.
    fn forecast(&mut self) {
        let periods = &self.chart.periods;
        let forecasts: Vec<(usize, f64)> = periods
            .iter()
            .enumerate()
            .filter_map(|(i, p)| finite(p.forecast).map(|f| (i, f)))
            .collect();
        let Some(&(first, _)) = forecasts.first() else {
            return;
        };
        let mut complete = periods[..first]
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, p)| !p.running);
        let start = complete.find_map(|(i, p)| finite(p.value).map(|v| (self.x(i), self.y.at(v))));
        let mut line: Vec<(f64, f64)> = start.into_iter().collect();
        line.extend(forecasts.iter().map(|&(i, f)| (self.x(i), self.y.at(f))));
        if line.len() > 1 {
            self.svg.polyline("forecast", &line);
        }
        for &(index, f) in &forecasts {
            self.circle("forecast", index, f, 3.0);
        }
        if let Some(&(x, y)) = line.last() {
            self.label((x + 6.0, y), "forecast-label", self.chart.forecast_label);
        }
    }

    /// The x axis with at most [`MAX_X_LABELS`] labels.
    fn x_axis(&mut self) {
        let chart = self.chart;
        self.svg.line("axis", (LEFT, BOTTOM), (RIGHT, BOTTOM));
        let stride = label_stride(chart.periods.len(), MAX_X_LABELS);
        for (index, period) in chart.periods.iter().enumerate().step_by(stride) {
            let x = self.x(index);
            self.svg
                .text("x-label", (x, BOTTOM + 16.0), "middle", period.label);
        }
    }

    /// One marker per period with annotations: a thin vertical line and a shape under the x
    /// axis with the texts as its `<title>`. A single annotation shows its number (its place in
    /// period order, as in a legend list under the chart); several show how many, in a pill.
    fn annotations(&mut self) {
        let chart = self.chart;
        let mut by_period: BTreeMap<usize, Vec<&Marker<'_>>> = BTreeMap::new();
        for marker in chart
            .annotations
            .iter()
            .filter(|m| m.index < chart.periods.len())
        {
            by_period.entry(marker.index).or_default().push(marker);
        }
        let mut number = 0;
        for (index, group) in by_period {
            let (first, count, kind) = (number + 1, group.len(), group[0].kind);
            number += count;
            let slug = if group.iter().all(|m| m.kind == kind) {
                kind.slug()
            } else {
                "mixed"
            };
            let texts: Vec<String> = group.iter().map(|m| escape(m.text)).collect();
            let numbers: Vec<String> = (first..=number).map(|n| n.to_string()).collect();
            let (x, y) = (self.x(index), BOTTOM + 34.0);
            self.svg.raw(&format!(
                r#"<g class="annotation marker-{slug}" data-period="{}" data-count="{count}" data-numbers="{}"><title>{}</title>"#,
                escape(chart.periods[index].period),
                numbers.join(" "),
                texts.join("\n")
            ));
            self.svg.line("annotation-line", (x, TOP), (x, BOTTOM));
            let (shape, label) = match count {
                1 => (shape(kind, x, y), first),
                _ => (shape_pill(x, y), count),
            };
            self.svg.raw(&shape);
            self.svg
                .text("marker-label", (x, y + 3.0), "middle", &label.to_string());
            self.svg.raw("</g>");
        }
    }
}

/// The marker shape of `kind` centred at `(x, y)`, about 14 px across.
fn shape(kind: MarkerKind, x: f64, y: f64) -> String {
    let corners: &[(f64, f64)] = match kind {
        MarkerKind::Note => {
            let (x, y) = (coord(x), coord(y));
            return format!(r#"<circle class="marker" cx="{x}" cy="{y}" r="7"/>"#);
        }
        MarkerKind::Import => &[(-6.5, -6.5), (6.5, -6.5), (6.5, 6.5), (-6.5, 6.5)],
        MarkerKind::Definition => &[(0.0, -8.0), (8.0, 0.0), (0.0, 8.0), (-8.0, 0.0)],
        MarkerKind::Decision => &[(0.0, -8.0), (8.0, 6.0), (-8.0, 6.0)],
        MarkerKind::Activity => &[
            (-4.0, -7.0),
            (4.0, -7.0),
            (8.0, 0.0),
            (4.0, 7.0),
            (-4.0, 7.0),
            (-8.0, 0.0),
        ],
    };
    let corners: Vec<(f64, f64)> = corners.iter().map(|(dx, dy)| (x + dx, y + dy)).collect();
    format!(
        r#"<polygon class="marker" points="{}"/>"#,
        points_attribute(&corners)
    )
}

/// The marker of several annotations in one period: a pill.
fn shape_pill(x: f64, y: f64) -> String {
    let (x, y) = (coord(x - 9.0), coord(y - 7.0));
    format!(r#"<rect class="marker group" x="{x}" y="{y}" width="18" height="14" rx="7"/>"#)
}

#[cfg(test)]
mod tests;
