//! Writing SVG text: escaping, coordinates, the root element and a few shapes.

use crate::scale::{Linear, NumberFormat};

/// Plain text as XML character data or attribute value. Characters XML 1.0 does not allow
/// (control characters other than tab, newline and carriage return) are dropped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most two decimals and no trailing zeros: `12.5`, `300`, never `-0`.
pub(crate) fn coord(value: f64) -> String {
    let text = format!("{:.2}", if value.is_finite() { value } else { 0.0 });
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0" } else { text }.to_string()
}

/// A value for a `data-*` attribute: Rust's shortest text that reads back as the same `f64`.
pub(crate) fn value(value: f64) -> String {
    format!("{value}")
}

/// A finite value, or none: NaN and infinities are drawn as missing.
pub(crate) fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// How the root element is sized.
#[derive(Clone, Copy)]
pub(crate) enum Sizing {
    /// `width="100%"`: the page decides, the aspect ratio stays.
    Fluid,
    /// The `viewBox` size in CSS pixels.
    Fixed,
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// The root element (its style is [`crate::stylesheet`], which the page serves: a strict
    /// `Content-Security-Policy` forbids inline `<style>`).
    pub(crate) fn new(class: &str, size: (f64, f64), sizing: Sizing) -> Svg {
        let (width, height) = (coord(size.0), coord(size.1));
        let sizing = match sizing {
            Sizing::Fluid => r#"width="100%" preserveAspectRatio="xMidYMid meet""#.to_string(),
            Sizing::Fixed => format!(r#"width="{width}" height="{height}""#),
        };
        let out = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="utfall-chart {class}" viewBox="0 0 {width} {height}" {sizing} role="img">"#
        );
        Svg { out }
    }

    /// The `<title>` (the accessible name) and, when not empty, the `<desc>`.
    pub(crate) fn heading(&mut self, title: &str, description: &str) {
        self.raw(&format!("<title>{}</title>", escape(title)));
        if !description.is_empty() {
            self.raw(&format!("<desc>{}</desc>", escape(description)));
        }
    }

    /// Markup written as it is; every caller escapes the text it puts in.
    pub(crate) fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// A `<text>` element anchored `start`, `middle` or `end`.
    pub(crate) fn text(&mut self, class: &str, (x, y): (f64, f64), anchor: &str, text: &str) {
        let (x, y, text) = (coord(x), coord(y), escape(text));
        self.raw(&format!(
            r#"<text class="{class}" x="{x}" y="{y}" text-anchor="{anchor}">{text}</text>"#
        ));
    }

    /// A straight `<line>`.
    pub(crate) fn line(&mut self, class: &str, from: (f64, f64), to: (f64, f64)) {
        let (x1, y1, x2, y2) = (coord(from.0), coord(from.1), coord(to.0), coord(to.1));
        self.raw(&format!(
            r#"<line class="{class}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>"#
        ));
    }

    /// A `<polyline>` through the points.
    pub(crate) fn polyline(&mut self, class: &str, points: &[(f64, f64)]) {
        let points = points_attribute(points);
        self.raw(&format!(r#"<polyline class="{class}" points="{points}"/>"#));
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// `x,y x,y …` for `points=`.
pub(crate) fn points_attribute(points: &[(f64, f64)]) -> String {
    let pairs: Vec<String> = points
        .iter()
        .map(|&(x, y)| format!("{},{}", coord(x), coord(y)))
        .collect();
    pairs.join(" ")
}

/// The runs of consecutive present points with at least two points: a missing value breaks
/// the line instead of being drawn as zero.
pub(crate) fn runs(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let runs = points.split(Option::is_none);
    runs.map(|run| run.iter().flatten().copied().collect::<Vec<_>>())
        .filter(|run| run.len() > 1)
        .collect()
}

/// Horizontal grid lines across `span` with their tick labels left of it; the zero line is
/// marked.
pub(crate) fn y_grid(
    svg: &mut Svg,
    ticks: &[f64],
    y: &Linear,
    format: &NumberFormat<'_>,
    span: (f64, f64),
) {
    for &tick in ticks {
        let at = y.at(tick);
        svg.line(
            if tick == 0.0 { "grid zero" } else { "grid" },
            (span.0, at),
            (span.1, at),
        );
        let (x, y, label) = (
            coord(span.0 - 6.0),
            coord(at + 4.0),
            escape(&format.format(tick)),
        );
        svg.raw(&format!(
            r#"<text class="tick" x="{x}" y="{y}" text-anchor="end" data-value="{}">{label}</text>"#,
            value(tick)
        ));
    }
}

/// A label at the right end of a line.
pub(crate) struct EndLabel<'a> {
    pub(crate) at: (f64, f64),
    pub(crate) class: String,
    pub(crate) text: &'a str,
}

/// Draws the labels after moving them apart vertically so that none overlaps the next.
pub(crate) fn end_labels(svg: &mut Svg, mut labels: Vec<EndLabel<'_>>) {
    labels.retain(|label| !label.text.is_empty());
    labels.sort_by(|a, b| a.at.1.total_cmp(&b.at.1));
    let mut previous = f64::NEG_INFINITY;
    for label in labels {
        let y = label.at.1.max(previous + 12.0);
        previous = y;
        svg.text(&label.class, (label.at.0, y + 4.0), "start", label.text);
    }
}

/// How many periods apart the x labels are so that at most `max` are shown.
pub(crate) fn label_stride(n: usize, max: usize) -> usize {
    n.div_ceil(max.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_coordinates_are_short() {
        assert_eq!(
            escape("<script>a & 'b' \"c\"\u{7}</script>"),
            "&lt;script&gt;a &amp; &#39;b&#39; &quot;c&quot;&lt;/script&gt;"
        );
        assert_eq!(
            [coord(12.345_678), coord(300.0), coord(10.5)],
            ["12.35", "300", "10.5"]
        );
        assert_eq!([coord(-0.001), coord(f64::NAN)], ["0", "0"]);
        assert_eq!(value(0.1 + 0.2), "0.30000000000000004");
        assert_eq!([label_stride(53, 12), label_stride(12, 12)], [5, 1]);
    }

    #[test]
    fn a_missing_point_breaks_the_line() {
        let points = [Some((0.0, 1.0)), Some((1.0, 2.0)), None, Some((3.0, 1.0))];
        assert_eq!(runs(&points), vec![vec![(0.0, 1.0), (1.0, 2.0)]]);
    }
}
