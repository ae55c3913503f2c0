//! Analytics reports as tables of dimensions and metrics — GA4's web-UI downloads (a `#`
//! preamble with the start and end date, then a header such as `Event name,Event count,…`)
//! and Data API rows flattened to objects (`[{date, activeUsers, …}]`) — read into
//! `observations`: one row a metric, dated by the report's `Date` column, else spread evenly
//! over the days of the report's period (counts whole, the remainder on the first days).
//! Metrics that do not add up over days (users, rates, averages) cannot be spread: without a
//! date column they are left out, and the summary says so.

use jiff::civil::Date;

use crate::parse::{DateOrder, NumberStyle, parse_date, parse_number};
use crate::table::{CellError, TableRows, Value};

/// A row of the report: (line, its observation rows or why it was rejected, the raw record).
pub use crate::json::ReportRow;

/// What reading a report found, for the summary.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReportShape {
    /// The header of the column that dates each row, if the report has one.
    pub date_column: Option<String>,
    /// The dimensions' API names (`eventName`, `country`).
    pub dimensions: Vec<String>,
    /// The metrics' API names (`eventCount`, `totalRevenue`).
    pub metrics: Vec<String>,
    /// Metrics left out: they do not add up over the days of a period.
    pub not_spread: Vec<String>,
}

/// GA4's API name of a metric or dimension its web UI labels (`Event count` → `eventCount`);
/// other labels in camelCase (`active_users` → `activeUsers`).
pub fn api_name(label: &str) -> String {
    let known = [
        ("event count", "eventCount"),
        ("event name", "eventName"),
        ("total users", "totalUsers"),
        ("active users", "activeUsers"),
        ("users", "activeUsers"),
        ("new users", "newUsers"),
        ("sessions", "sessions"),
        ("engaged sessions", "engagedSessions"),
        ("views", "screenPageViews"),
        ("total revenue", "totalRevenue"),
        ("purchase revenue", "purchaseRevenue"),
        ("key events", "keyEvents"),
        ("conversions", "conversions"),
        ("event count per active user", "eventCountPerUser"),
        ("engagement rate", "engagementRate"),
        ("bounce rate", "bounceRate"),
        ("average engagement time", "averageEngagementTime"),
        ("page path and screen class", "pagePathPlusQueryString"),
        ("page title and screen class", "unifiedScreenClass"),
        ("session source / medium", "sessionSourceMedium"),
        (
            "session default channel group",
            "sessionDefaultChannelGroup",
        ),
        ("first user source / medium", "firstUserSourceMedium"),
        ("country", "country"),
        ("city", "city"),
        ("device category", "deviceCategory"),
        ("landing page", "landingPage"),
    ];
    let lower = label.trim().to_lowercase();
    if let Some((_, name)) = known.iter().find(|(l, _)| *l == lower) {
        return (*name).to_string();
    }
    let mut out = String::new();
    let mut upper = false;
    for c in label.trim().chars() {
        if c.is_alphanumeric() {
            if upper && !out.is_empty() {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// Whether a metric adds up over days (counts and money do; users, rates, averages and
/// per-user figures do not).
pub fn additive(name: &str) -> bool {
    let lower = name.to_lowercase();
    ![
        "user", "rate", "per", "average", "avg", "duration", "ratio", "percent", "%",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

fn unit_of(name: &str) -> &'static str {
    let lower = name.to_lowercase();
    if lower.contains("revenue") || lower.contains("value") {
        "currency"
    } else if additive(name) {
        "count"
    } else {
        "number"
    }
}

/// Reads a report table into observations. `period`: the report's dates when it has no date
/// column. `source`: the note each row carries (`GA4 report download`).
pub fn observations(
    header: &[String],
    rows: &[(u64, Vec<String>)],
    period: Option<(Date, Date)>,
    source: &str,
    metric_prefix: &str,
) -> Result<(ReportShape, Vec<ReportRow>), String> {
    let date_column = header.iter().position(|h| is_date_label(h));
    let (mut shape, columns) = report_columns(header, rows, date_column);
    if columns.metrics.is_empty() {
        return Err(no_metrics_message(&shape));
    }
    let days = period_days(date_column, period)?;
    shape.metrics = columns.metrics.iter().map(|(_, n)| n.clone()).collect();
    shape.dimensions = columns.dimensions.iter().map(|(_, n)| n.clone()).collect();
    let reading = ReportReading {
        header,
        dimension: (!columns.dimensions.is_empty()).then(|| shape.dimensions.join("/")),
        note: row_note(source, period, date_column),
        columns,
        days,
        metric_prefix,
    };
    let out = rows
        .iter()
        .filter(|(_, cells)| !is_totals_row(cells))
        .map(|(line, cells)| (*line, reading.rows_of(cells), cells.join(",")))
        .collect();
    Ok((shape, out))
}

/// Whether a header names the report's day column.
fn is_date_label(header: &str) -> bool {
    matches!(
        header.trim().to_lowercase().as_str(),
        "date" | "datum" | "day"
    )
}

/// Whether a column holds a metric: every value a number (or empty), at least one.
fn is_numeric_column(rows: &[(u64, Vec<String>)], column: usize) -> bool {
    let mut any = false;
    for (_, cells) in rows {
        let cell = cells.get(column).map_or("", |c| c.trim());
        if cell.is_empty() {
            continue;
        }
        if parse_number(cell, NumberStyle::default()).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// Whether a header names a dimension even when its values are numbers (ids, `nth day`).
fn is_dimension_label(header: &str) -> bool {
    let lower = header.to_lowercase();
    lower.contains("id")
        && lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "id")
        || lower.starts_with("nth")
}

/// A report's metric and dimension columns: (column, GA4's API name).
struct ReportColumns {
    date_column: Option<usize>,
    metrics: Vec<(usize, String)>,
    dimensions: Vec<(usize, String)>,
}

/// The report's columns sorted into metrics and dimensions; metrics that cannot be spread
/// over days are left out and named in the shape.
fn report_columns(
    header: &[String],
    rows: &[(u64, Vec<String>)],
    date_column: Option<usize>,
) -> (ReportShape, ReportColumns) {
    let mut shape = ReportShape {
        date_column: date_column.map(|i| header[i].clone()),
        ..ReportShape::default()
    };
    let mut columns = ReportColumns {
        date_column,
        metrics: Vec::new(),
        dimensions: Vec::new(),
    };
    for (i, h) in header.iter().enumerate() {
        if Some(i) == date_column || h.trim().is_empty() {
            continue;
        }
        if is_numeric_column(rows, i) && !is_dimension_label(h) {
            let name = api_name(h);
            if date_column.is_none() && !additive(&name) {
                shape.not_spread.push(h.clone());
                continue;
            }
            columns.metrics.push((i, name));
        } else {
            columns.dimensions.push((i, api_name(h)));
        }
    }
    (shape, columns)
}

/// Why a report without metric columns is refused.
fn no_metrics_message(shape: &ReportShape) -> String {
    if shape.not_spread.is_empty() {
        "the report has no metric columns (numbers)".into()
    } else {
        format!(
            "the report has no date column, and its metrics ({}) do not add up over days",
            shape.not_spread.join(", ")
        )
    }
}

/// The days a report without a date column spreads its totals over (none with one).
fn period_days(
    date_column: Option<usize>,
    period: Option<(Date, Date)>,
) -> Result<Vec<Date>, String> {
    match (date_column, period) {
        (Some(_), _) => Ok(Vec::new()),
        (None, Some((start, end))) => Ok(start
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= end)
            .collect()),
        (None, None) => Err(
            "the report has no date column and names no period (`# Start date:` / `# End date:`)"
                .into(),
        ),
    }
}

/// The note each observation carries: the source, and the period when it was spread.
fn row_note(source: &str, period: Option<(Date, Date)>, date_column: Option<usize>) -> String {
    match period {
        Some((start, end)) if date_column.is_none() && start != end => {
            format!("{source}, {start}–{end} spread evenly over the days")
        }
        _ => source.to_string(),
    }
}

/// A totals row (GA4's Explore export writes `Grand total` first).
fn is_totals_row(cells: &[String]) -> bool {
    cells.iter().any(|c| {
        let c = c.trim();
        c.eq_ignore_ascii_case("grand total") || c.eq_ignore_ascii_case("totals")
    })
}

/// A value spread over `n` days: whole counts stay whole (the remainder on the first days).
fn spread_over_days(value: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        vec![value]
    } else if value.fract() == 0.0 && value.abs() < 9.0e15 {
        crate::preset::spread_whole(value as i64, n)
            .into_iter()
            .map(|v| v as f64)
            .collect()
    } else {
        vec![value / n as f64; n]
    }
}

/// Everything a report's rows are read with.
struct ReportReading<'a> {
    header: &'a [String],
    columns: ReportColumns,
    /// The days of the period, for a report without a date column.
    days: Vec<Date>,
    /// The dimensions' names joined (`eventName/country`), if the report has dimensions.
    dimension: Option<String>,
    note: String,
    metric_prefix: &'a str,
}

impl ReportReading<'_> {
    /// One report row's observations: a row a metric and day.
    fn rows_of(&self, cells: &[String]) -> Result<TableRows, CellError> {
        let dimension_value = self.dimension_value(cells);
        let row_days = self.row_days(cells)?;
        let mut rows = Vec::new();
        for (i, name) in &self.columns.metrics {
            let text = cell(cells, *i);
            if text.is_empty() {
                continue;
            }
            let value = parse_number(text, NumberStyle::default()).ok_or_else(|| CellError {
                column: self.header[*i].clone(),
                reason: format!("`{text}` is not a number"),
            })?;
            let values = spread_over_days(value, row_days.len().max(1));
            for (day, value) in row_days.iter().zip(values) {
                rows.push(vec![
                    Some(Value::Text(format!("{}{name}", self.metric_prefix))),
                    Some(Value::Date(*day)),
                    Some(Value::Float(value)),
                    Some(Value::Text(unit_of(name).into())),
                    self.dimension.clone().map(Value::Text),
                    dimension_value.clone().map(Value::Text),
                    Some(Value::Text(self.note.clone())),
                ]);
            }
        }
        Ok(vec![rows])
    }

    /// Dimension values as GA4 wrote them: `/page ` and `/page` are two pages there.
    fn dimension_value(&self, cells: &[String]) -> Option<String> {
        (!self.columns.dimensions.is_empty()).then(|| {
            self.columns
                .dimensions
                .iter()
                .map(|(i, _)| {
                    cells
                        .get(*i)
                        .map_or("", |c| c.trim_end_matches('\r'))
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(" / ")
        })
    }

    /// The days a row's totals go to: its date, or every day of the report's period.
    fn row_days(&self, cells: &[String]) -> Result<Vec<Date>, CellError> {
        let Some(i) = self.columns.date_column else {
            return Ok(self.days.clone());
        };
        let text = cell(cells, i);
        let day = parse_date(text, DateOrder::DayFirst).ok_or_else(|| CellError {
            column: self.header[i].clone(),
            reason: format!("`{text}` is not a date (YYYYMMDD or YYYY-MM-DD)"),
        })?;
        Ok(vec![day])
    }
}

/// A row's cell, trimmed; empty if the row is short.
fn cell(cells: &[String], column: usize) -> &str {
    cells.get(column).map_or("", |c| c.trim())
}

/// The period a GA4 download's preamble names (`# Start date: 20251015`, `# End date: …`).
pub fn preamble_period(lines: &[String]) -> Option<(Date, Date)> {
    // An Explore export: `# 20241122-20260120`.
    for line in lines {
        let text = line.trim_start_matches('#').trim();
        if let Some((a, b)) = text.split_once('-')
            && a.len() == 8
            && b.len() == 8
            && let (Some(start), Some(end)) = (
                parse_date(a, DateOrder::DayFirst),
                parse_date(b, DateOrder::DayFirst),
            )
        {
            return Some((start, end));
        }
    }
    let find = |key: &str| {
        lines.iter().find_map(|line| {
            let text = line.trim_start_matches('#').trim();
            let (label, value) = text.split_once(':')?;
            (label.trim().eq_ignore_ascii_case(key))
                .then(|| parse_date(value.trim(), DateOrder::DayFirst))
                .flatten()
        })
    };
    Some((find("start date")?, find("end date")?))
}

/// The period a report's title rows name (`27 January 2026 - 23 February 2026`,
/// `"July 8, 2025 - July 31, 2025"`, `2026-01-01 – 2026-01-31`); `Err` with the text when a
/// title row names a period without dates (`All time`).
pub fn title_period(titles: &[String]) -> Result<Option<(Date, Date)>, String> {
    for title in titles {
        let text = title.trim().trim_matches('"').trim();
        // The period may be in brackets after the report's name: `Ad report (Oct 25, 2016-Oct
        // 31, 2016)`.
        let inner = match (text.rfind('('), text.ends_with(')')) {
            (Some(open), true) => Some(&text[open + 1..text.len() - 1]),
            _ => None,
        };
        for text in [Some(text), inner].into_iter().flatten() {
            for separator in [" - ", " – ", " — ", " to ", " till ", "-", "–"] {
                for (at, _) in text.match_indices(separator) {
                    let (a, b) = (&text[..at], &text[at + separator.len()..]);
                    if let (Some(start), Some(end)) = (
                        parse_date(a.trim(), DateOrder::DayFirst),
                        parse_date(b.trim(), DateOrder::DayFirst),
                    ) && start <= end
                    {
                        return Ok(Some((start, end)));
                    }
                }
            }
        }
        let lower = text.to_lowercase();
        if matches!(
            lower.as_str(),
            "all time" | "hela perioden" | "gesamter zeitraum" | "toute la période" | "lifetime"
        ) || lower.ends_with("all time")
        {
            return Err(text.to_string());
        }
    }
    Ok(None)
}

/// Exchange rates into `fx_rates`: the ECB's reference-rate CSV (`Date,USD,JPY,…`, one
/// column a currency, base EUR, `N/A` where none was published) or any table of date,
/// currency and rate (with a `base` column, else `base`). Returns the rows and the base.
pub fn fx_rates(
    header: &[String],
    rows: &[(u64, Vec<String>)],
    base: Option<&str>,
) -> Result<Vec<ReportRow>, String> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
    };
    let date = find(&["date", "datum", "time_period", "day"])
        .ok_or("no date column (`Date`)".to_string())?;
    let is_code = |h: &str| {
        let h = h.trim();
        h.len() == 3 && utfall_model::money::is_currency(h)
    };
    let wide: Vec<usize> = (0..header.len()).filter(|&i| is_code(&header[i])).collect();
    let currency = find(&["currency", "valuta", "currency code"]);
    let rate = find(&["rate", "kurs", "obs_value", "exchange rate", "value"]);
    let base_column = find(&["base", "base currency", "från"]);
    if (wide.is_empty() || currency.is_some()) && base_column.is_none() && base.is_none() {
        return Err(
            "a table of date, currency and rate needs its base: a `base` column, or `--set base=EUR`"
                .into(),
        );
    }
    let text = |cells: &[String], i: usize| cells.get(i).map_or("", |c| c.trim()).to_string();
    let row = |day: Date, base: &str, currency: &str, rate: f64| {
        vec![
            Some(Value::Date(day)),
            Some(Value::Text(base.to_uppercase())),
            Some(Value::Text(currency.to_uppercase())),
            Some(Value::Float(rate)),
        ]
    };
    let mut out = Vec::new();
    for (line, cells) in rows {
        let raw = cells.join(",");
        let result = (|| -> Result<TableRows, CellError> {
            let day_text = text(cells, date);
            let day = parse_date(&day_text, DateOrder::DayFirst).ok_or_else(|| CellError {
                column: header[date].clone(),
                reason: format!("`{day_text}` is not a date"),
            })?;
            let mut rates = Vec::new();
            if !wide.is_empty() && currency.is_none() {
                // The ECB's layout: base EUR unless said otherwise.
                let base = base.unwrap_or("EUR");
                for &i in &wide {
                    let value = text(cells, i);
                    if value.is_empty() || value.eq_ignore_ascii_case("n/a") {
                        continue;
                    }
                    let rate = parse_number(&value, NumberStyle::default())
                        .filter(|r| *r > 0.0)
                        .ok_or_else(|| CellError {
                            column: header[i].clone(),
                            reason: format!("`{value}` is not a rate"),
                        })?;
                    rates.push(row(day, base, header[i].trim(), rate));
                }
            } else {
                let (Some(c), Some(r)) = (currency, rate) else {
                    return Err(CellError {
                        column: String::new(),
                        reason: "expected the ECB's layout (a column a currency) or columns `date`, `currency` and `rate`".into(),
                    });
                };
                let base = match base_column {
                    Some(b) => text(cells, b),
                    None => base.unwrap_or("").to_string(),
                };
                let value = text(cells, r);
                let rate = parse_number(&value, NumberStyle::default())
                    .filter(|r| *r > 0.0)
                    .ok_or_else(|| CellError {
                        column: header[r].clone(),
                        reason: format!("`{value}` is not a rate"),
                    })?;
                rates.push(row(day, &base, &text(cells, c), rate));
            }
            Ok(vec![rates])
        })();
        out.push((*line, result, raw));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_title_rows() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            title_period(&[
                "Campaign report".into(),
                "27 January 2026 - 23 February 2026".into()
            ]),
            Ok(Some((d("2026-01-27"), d("2026-02-23"))))
        );
        assert_eq!(
            title_period(&["\"July 8, 2025 - July 31, 2025\"".into()]),
            Ok(Some((d("2025-07-08"), d("2025-07-31"))))
        );
        assert_eq!(
            title_period(&["Campaign report".into(), "All time".into()]),
            Err("All time".into())
        );
        assert_eq!(title_period(&["Campaign report".into()]), Ok(None));
        assert_eq!(
            title_period(&["Ad report (Oct 25, 2016-Oct 31, 2016)".into()]),
            Ok(Some((d("2016-10-25"), d("2016-10-31"))))
        );
        assert_eq!(
            preamble_period(&["# Ten10 GA4".into(), "# 20241122-20260120".into()]),
            Some((d("2024-11-22"), d("2026-01-20")))
        );
        assert_eq!(
            preamble_period(&[
                "# Start date: 20251015".into(),
                "# End date: 20260112".into()
            ]),
            Some((d("2025-10-15"), d("2026-01-12")))
        );
    }

    #[test]
    fn exchange_rates_wide_as_the_ecb_writes_them_and_long() {
        let header = |cells: &[&str]| cells.iter().map(|c| (*c).to_string()).collect::<Vec<_>>();
        let d = |s: &str| s.parse::<Date>().unwrap();
        // The ECB's eurofxref-hist.csv: a column a currency, `N/A` where none, a trailing comma.
        let wide = fx_rates(
            &header(&["Date", "USD", "JPY", "SEK", ""]),
            &[(2, header(&["2026-03-06", "1.0850", "N/A", "11.2000", ""]))],
            None,
        )
        .unwrap();
        let rows = &wide[0].1.as_ref().unwrap()[0];
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            vec![
                Some(Value::Date(d("2026-03-06"))),
                Some(Value::Text("EUR".into())),
                Some(Value::Text("USD".into())),
                Some(Value::Float(1.085)),
            ]
        );
        // Long: date, currency, rate, with the base given.
        let long = fx_rates(
            &header(&["date", "currency", "rate"]),
            &[(2, header(&["2026-03-06", "nok", "1.02"]))],
            Some("SEK"),
        )
        .unwrap();
        let row = &long[0].1.as_ref().unwrap()[0][0];
        assert_eq!(row[1], Some(Value::Text("SEK".into())));
        assert_eq!(row[2], Some(Value::Text("NOK".into())));
        assert_eq!(row[3], Some(Value::Float(1.02)));
        // Without a base, a long table is refused with the fix.
        let refused = fx_rates(&header(&["date", "currency", "rate"]), &[], None).unwrap_err();
        assert!(refused.contains("--set base="), "{refused}");
    }

    #[test]
    fn a_report_without_dates_is_spread_over_its_period() {
        let header: Vec<String> = ["Event name", "Event count", "Total users"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let rows = vec![(2, vec!["page_view".into(), "10".into(), "7".into()])];
        let start: Date = "2026-01-01".parse().unwrap();
        let end: Date = "2026-01-03".parse().unwrap();
        let (shape, out) = observations(&header, &rows, Some((start, end)), "GA4", "ga4_").unwrap();
        assert_eq!(shape.metrics, vec!["eventCount"]);
        assert_eq!(shape.not_spread, vec!["Total users"]);
        let rows = &out[0].1.as_ref().unwrap()[0];
        // 10 over three days: 4, 3, 3.
        let values: Vec<_> = rows.iter().map(|r| r[2].clone()).collect();
        assert_eq!(
            values,
            vec![
                Some(Value::Float(4.0)),
                Some(Value::Float(3.0)),
                Some(Value::Float(3.0))
            ]
        );
        assert_eq!(rows[0][4], Some(Value::Text("eventName".into())));
        assert_eq!(rows[0][5], Some(Value::Text("page_view".into())));
    }
}
