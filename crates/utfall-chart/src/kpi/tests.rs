use super::*;
use crate::scan::{assert_short_coordinates, attr, attrs, numbers, tags, texts};

const MONTHS: [&str; 6] = [
    "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
];

/// A Swedish count chart of `values`, one period of `keys` each.
fn chart<'a>(keys: &[&'a str], values: &[Option<f64>]) -> KpiChart<'a> {
    let period = |(period, value): (&&'a str, &Option<f64>)| PeriodPoint {
        period,
        label: "m",
        value: *value,
        last_year: None,
        target: None,
        running: false,
        forecast: None,
    };
    KpiChart {
        title: "Leads",
        description: "Leads per månad",
        locale: Locale::Sv,
        unit: AxisUnit::Count,
        periods: keys.iter().zip(values).map(period).collect(),
        last_year_label: "fg. år",
        to_date_label: "t.o.m. 26 nov",
        forecast_label: "prognos",
        target_label: "mål",
        annotations: Vec::new(),
    }
}

fn band(low: f64, high: f64, amber_low: Option<f64>) -> Option<Band> {
    Some(Band {
        low,
        high,
        amber_low,
        amber_high: None,
    })
}

#[test]
fn points_carry_the_exact_values_and_a_missing_value_breaks_the_line() {
    let values = [
        Some(0.1 + 0.2),
        Some(873.0),
        None,
        Some(1234.5),
        Some(12.0),
        Some(640.25),
    ];
    let svg = kpi_chart(&chart(&MONTHS, &values));
    let expected: Vec<f64> = values.iter().flatten().copied().collect();
    assert_eq!(numbers(&svg, "circle", "actual", "data-value"), expected);
    assert_eq!(
        attrs(&svg, "circle", "actual", "data-period"),
        ["2026-01", "2026-02", "2026-04", "2026-05", "2026-06"]
    );
    assert_eq!(
        attrs(&svg, "circle", "actual", "data-value")[0],
        "0.30000000000000004"
    );
    // Two runs: January–February and April–June; March draws nothing.
    assert_eq!(tags(&svg, "polyline", "actual").len(), 2);
    assert!(!svg.contains(r#"data-period="2026-03""#));
    // A larger value sits higher (smaller y).
    let ys = numbers(&svg, "circle", "actual", "cy");
    for (a, ya) in expected.iter().zip(&ys) {
        for (b, yb) in expected.iter().zip(&ys) {
            assert!(a <= b || ya < yb, "{a} at {ya}, {b} at {yb}");
        }
    }
    assert_short_coordinates(&svg);
}

#[test]
fn the_axis_has_nice_ticks_from_zero_in_swedish() {
    let svg = kpi_chart(&chart(&MONTHS, &[Some(120.0), Some(4321.0)]));
    let ticks = numbers(&svg, "text", "tick", "data-value");
    assert_eq!(ticks, [0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]);
    let labels = [
        "0",
        "1\u{a0}000",
        "2\u{a0}000",
        "3\u{a0}000",
        "4\u{a0}000",
        "5\u{a0}000",
    ];
    assert_eq!(texts(&svg, "tick"), labels);
    assert_eq!(numbers(&svg, "line", "zero", "y1"), [BOTTOM]);

    let mut negative = chart(&MONTHS, &[Some(-37.0), Some(12.0)]);
    negative.unit = AxisUnit::Money { currency: "SEK" };
    let svg = kpi_chart(&negative);
    assert_eq!(numbers(&svg, "text", "tick", "data-value")[0], -40.0);
    assert_eq!(texts(&svg, "tick")[0], "\u{2212}40\u{a0}kr");
}

#[test]
fn target_bands_are_steps_clipped_to_the_plot() {
    let mut chart = chart(&MONTHS, &[Some(500.0); 3]);
    chart.periods[0].target = band(400.0, 600.0, Some(300.0));
    chart.periods[1].target = band(450.0, f64::INFINITY, None);
    let svg = kpi_chart(&chart);
    assert_eq!(
        attrs(&svg, "rect", "target-band", "data-period"),
        ["2026-01", "2026-02"]
    );
    assert_eq!(
        attrs(&svg, "rect", "target-band", "data-low"),
        ["400", "450"]
    );
    assert_eq!(
        attrs(&svg, "rect", "target-band", "data-high"),
        ["600", "inf"]
    );
    // Ticks 0…600: the infinite band reaches the top of the plot and no further.
    let y = Linear::new((0.0, 600.0), (BOTTOM, TOP));
    let tops = numbers(&svg, "rect", "target-band", "y");
    assert!(
        (tops[0] - y.at(600.0)).abs() < 0.01 && tops[1] == TOP,
        "{tops:?}"
    );
    let heights = numbers(&svg, "rect", "target-band", "height");
    assert!((heights[0] - (y.at(400.0) - y.at(600.0))).abs() < 0.01);
    // Each band spans its own period: January's ends where February's starts.
    let (xs, widths) = (
        numbers(&svg, "rect", "target-band", "x"),
        numbers(&svg, "rect", "target-band", "width"),
    );
    assert!((xs[0] + widths[0] - xs[1]).abs() < 0.02);
    assert_eq!(attrs(&svg, "rect", "amber-band", "data-low"), ["300"]);
    assert_eq!(attrs(&svg, "rect", "amber-band", "data-high"), ["400"]);
    assert!(svg.find("amber-band\"") < svg.find("target-band\""));
    assert_eq!(texts(&svg, "target-label"), ["mål"]);
}

#[test]
fn running_period_last_year_and_forecast() {
    let mut chart = chart(&MONTHS, &[Some(100.0), Some(120.0), None, Some(40.0)]);
    for (period, last_year) in chart.periods.iter_mut().zip([90.0, 95.0, 110.0, 105.0]) {
        period.last_year = Some(last_year);
    }
    chart.periods[3].running = true;
    chart.periods[3].forecast = Some(130.0);
    let svg = kpi_chart(&chart);
    assert_eq!(attrs(&svg, "circle", "running", "data-value"), ["40"]);
    assert_eq!(texts(&svg, "to-date-label"), ["t.o.m. 26 nov"]);
    // The forecast starts at February's actual (March is missing, April is running).
    let feb = tags(&svg, "circle", "actual")[1];
    let start = format!("{},{} ", attr(feb, "cx").unwrap(), attr(feb, "cy").unwrap());
    let line = attrs(&svg, "polyline", "forecast", "points");
    assert!(line.len() == 1 && line[0].starts_with(&start), "{line:?}");
    assert_eq!(attrs(&svg, "circle", "forecast", "data-value"), ["130"]);
    assert_eq!(
        attrs(&svg, "circle", "forecast", "data-period"),
        ["2026-04"]
    );
    assert_eq!(
        numbers(&svg, "circle", "last-year", "data-value"),
        [90.0, 95.0, 110.0, 105.0]
    );
    // Aligned by index: last year's April shares April's x.
    assert_eq!(
        attrs(&svg, "circle", "last-year", "cx")[3],
        attrs(&svg, "circle", "running", "cx")[0]
    );
    assert_eq!(texts(&svg, "last-year-label"), ["fg. år"]);
    assert_eq!(texts(&svg, "forecast-label"), ["prognos"]);
    // No solid line into the running period, and no dotted link either: March is missing.
    assert_eq!(tags(&svg, "polyline", "actual").len(), 1);
    assert_eq!(tags(&svg, "polyline", "to-date").len(), 0);
    chart.periods[2].value = Some(80.0);
    assert_eq!(tags(&kpi_chart(&chart), "polyline", "to-date").len(), 1);
}

#[test]
fn annotations_in_one_period_collapse_into_one_marker() {
    let mut chart = chart(&MONTHS, &[Some(1.0); 6]);
    let marker = |index, text, kind| Marker { index, text, kind };
    chart.annotations = vec![
        marker(4, "Kampanj <b>", MarkerKind::Activity),
        marker(1, "Ny definition", MarkerKind::Definition),
        marker(4, "Import", MarkerKind::Import),
        marker(9, "outside", MarkerKind::Note),
    ];
    let svg = kpi_chart(&chart);
    assert_eq!(
        attrs(&svg, "g", "annotation", "data-period"),
        ["2026-02", "2026-05"]
    );
    assert_eq!(attrs(&svg, "g", "annotation", "data-count"), ["1", "2"]);
    assert_eq!(attrs(&svg, "g", "annotation", "data-numbers"), ["1", "2 3"]);
    assert_eq!(tags(&svg, "g", "marker-definition").len(), 1);
    assert!(svg.contains("<title>Kampanj &lt;b&gt;\nImport</title>"));
    assert_eq!(texts(&svg, "marker-label"), ["1", "2"]);
    // The definition change is a diamond: a polygon with four corners.
    let corners = attrs(&svg, "polygon", "marker", "points");
    assert_eq!(corners.len(), 1);
    assert_eq!(corners[0].split(' ').count(), 4);
    assert_eq!(tags(&svg, "rect", "group").len(), 1);
    assert!(!svg.contains("outside"));
}

#[test]
fn text_is_escaped_and_output_is_deterministic() {
    let build = || {
        let mut chart = chart(&MONTHS, &[Some(3.0)]);
        chart.periods[0].period = "<p>";
        chart.periods[0].label = "<script>x</script>";
        chart.periods[0].target = band(1.0, 2.0, None);
        chart.title = "<script>alert('x')</script>";
        chart.description = "a & b";
        kpi_chart(&chart)
    };
    let svg = build();
    assert!(svg.contains("<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</title>"));
    assert!(svg.contains("<desc>a &amp; b</desc>"));
    assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(!svg.contains("<script"));
    assert_eq!(
        attrs(&svg, "rect", "target-band", "data-period"),
        ["&lt;p&gt;"]
    );
    assert_eq!(svg, build());
    assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
    assert!(svg.contains(r#"viewBox="0 0 720 300" width="100%""#));
    assert!(svg.contains(r#"role="img""#));
}

#[test]
fn weekly_labels_are_thinned_to_at_most_twelve() {
    let keys: Vec<String> = (1..=53).map(|w| format!("2026-W{w:02}")).collect();
    let labels: Vec<String> = (1..=53).map(|w| format!("v. {w}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut chart = chart(&keys, &[Some(10.0); 53]);
    for (period, label) in chart.periods.iter_mut().zip(&labels) {
        period.label = label;
    }
    let svg = kpi_chart(&chart);
    let shown = texts(&svg, "x-label");
    assert!((6..=12).contains(&shown.len()), "{shown:?}");
    assert_eq!(shown[..2], ["v. 1", "v. 6"]);
    assert_eq!(tags(&svg, "circle", "actual").len(), 53);
    assert_short_coordinates(&svg);
}
