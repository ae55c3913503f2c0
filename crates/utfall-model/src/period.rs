//! Calendars and periods: day, ISO week, month, quarter, year, fiscal quarter and fiscal year.
//!
//! A fiscal year is named after the calendar year in which it *starts*: with a fiscal year
//! starting in May, `FY2026` runs from 2026-05-01 up to (not including) 2027-05-01.

use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::{Date, ISOWeekDate, Weekday};

/// The first day of a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeekStart {
    /// ISO 8601 weeks (Sweden, most of Europe).
    #[default]
    Monday,
    /// Weeks that start on the Sunday before the ISO week's Monday.
    Sunday,
}

/// How periods are laid out for one workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// Month (1–12) in which the fiscal year starts.
    pub fiscal_year_start_month: i8,
    /// The day a week starts on.
    pub week_start: WeekStart,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            fiscal_year_start_month: 1,
            week_start: WeekStart::Monday,
        }
    }
}

/// The length class of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    /// One calendar day.
    Day,
    /// A week, by the calendar's week start.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January–March is Q1).
    Quarter,
    /// A quarter of the fiscal year.
    FiscalQuarter,
    /// A calendar year.
    Year,
    /// A fiscal year, by the calendar's start month.
    FiscalYear,
    /// An explicit date range.
    Range,
}

impl Grain {
    /// Every grain a KPI's `grain` may name (all but `Range`).
    pub const ALL_NAMED: [Grain; 7] = [
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::FiscalQuarter,
        Grain::Year,
        Grain::FiscalYear,
    ];

    /// The grain as definition files write it: `day`, `fiscal_quarter`…
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::FiscalQuarter => "fiscal_quarter",
            Grain::Year => "year",
            Grain::FiscalYear => "fiscal_year",
            Grain::Range => "range",
        }
    }
}

impl FromStr for Grain {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Grain::ALL_NAMED
            .into_iter()
            .find(|grain| grain.as_str() == text)
            .ok_or(())
    }
}

impl fmt::Display for Grain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One period of a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// One day: `2026-11-26`.
    Day(Date),
    /// ISO week-numbering year and week (1–53).
    Week {
        /// The ISO week-numbering year.
        year: i16,
        /// The week of that year (1–53).
        week: i8,
    },
    /// A calendar month: `2026-11`.
    Month {
        /// The year.
        year: i16,
        /// The month (1–12).
        month: i8,
    },
    /// A calendar quarter: `2026-Q3`.
    Quarter {
        /// The year.
        year: i16,
        /// The quarter (1–4).
        quarter: i8,
    },
    /// A calendar year: `2026`.
    Year(i16),
    /// Fiscal year named by the calendar year it starts in.
    FiscalQuarter {
        /// The fiscal year, by the calendar year it starts in.
        fiscal_year: i16,
        /// The quarter of the fiscal year (1–4).
        quarter: i8,
    },
    /// A fiscal year, named by the calendar year it starts in: `FY2026`.
    FiscalYear(i16),
    /// Inclusive date range `start..end`.
    Range {
        /// The first day.
        start: Date,
        /// The last day (included).
        end: Date,
    },
}

/// A period string that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a period; expected `2026-11-26`, `2026-W48`, `2026-11`, `2026-Q3`, `2026`, `FY2026`, `FY2026-Q1` or `2026-01-01..2026-03-31`"
)]
pub struct PeriodParseError {
    /// The text as written.
    pub text: String,
}

fn err(text: &str) -> PeriodParseError {
    PeriodParseError {
        text: text.to_string(),
    }
}

fn parse_year(text: &str) -> Option<i16> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse()
        .ok()
        .filter(|year| (1900..=2999).contains(year))
}

fn parse_small(text: &str, range: std::ops::RangeInclusive<i8>) -> Option<i8> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| range.contains(n))
}

fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<Date>().ok()
}

impl FromStr for Period {
    type Err = PeriodParseError;

    fn from_str(text: &str) -> Result<Self, PeriodParseError> {
        let text = text.trim();
        if let Some((start, end)) = text.split_once("..") {
            let start = parse_date(start).ok_or_else(|| err(text))?;
            let end = parse_date(end).ok_or_else(|| err(text))?;
            if end < start {
                return Err(err(text));
            }
            return Ok(Period::Range { start, end });
        }
        if let Some(rest) = text.strip_prefix("FY") {
            return match rest.split_once("-Q") {
                Some((year, quarter)) => Ok(Period::FiscalQuarter {
                    fiscal_year: parse_year(year).ok_or_else(|| err(text))?,
                    quarter: parse_small(quarter, 1..=4).ok_or_else(|| err(text))?,
                }),
                None => Ok(Period::FiscalYear(
                    parse_year(rest).ok_or_else(|| err(text))?,
                )),
            };
        }
        if let Some(year) = parse_year(text) {
            return Ok(Period::Year(year));
        }
        if let Some(date) = parse_date(text) {
            return Ok(Period::Day(date));
        }
        let (year, rest) = text.split_once('-').ok_or_else(|| err(text))?;
        let year = parse_year(year).ok_or_else(|| err(text))?;
        if let Some(week) = rest.strip_prefix('W') {
            let week = parse_small(week, 1..=53).ok_or_else(|| err(text))?;
            // Week 53 exists only in long ISO years.
            ISOWeekDate::new(year, week, Weekday::Monday).map_err(|_| err(text))?;
            return Ok(Period::Week { year, week });
        }
        if let Some(quarter) = rest.strip_prefix('Q') {
            let quarter = parse_small(quarter, 1..=4).ok_or_else(|| err(text))?;
            return Ok(Period::Quarter { year, quarter });
        }
        if rest.len() == 2 {
            let month = parse_small(rest, 1..=12).ok_or_else(|| err(text))?;
            return Ok(Period::Month { year, month });
        }
        Err(err(text))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day(date) => write!(f, "{date}"),
            Period::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year(year) => write!(f, "{year:04}"),
            Period::FiscalQuarter {
                fiscal_year,
                quarter,
            } => write!(f, "FY{fiscal_year:04}-Q{quarter}"),
            Period::FiscalYear(year) => write!(f, "FY{year:04}"),
            Period::Range { start, end } => write!(f, "{start}..{end}"),
        }
    }
}

fn ymd(year: i16, month: i8, day: i8) -> Date {
    // Callers only pass validated years (1900–2999), months and day 1.
    Date::new(year, month, day).unwrap_or(Date::MIN)
}

fn add_months(date: Date, months: i32) -> Date {
    date.checked_add(months.months()).unwrap_or(date)
}

fn add_days(date: Date, days: i32) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

impl Period {
    /// The grain of the period.
    pub fn grain(&self) -> Grain {
        match self {
            Period::Day(_) => Grain::Day,
            Period::Week { .. } => Grain::Week,
            Period::Month { .. } => Grain::Month,
            Period::Quarter { .. } => Grain::Quarter,
            Period::Year(_) => Grain::Year,
            Period::FiscalQuarter { .. } => Grain::FiscalQuarter,
            Period::FiscalYear(_) => Grain::FiscalYear,
            Period::Range { .. } => Grain::Range,
        }
    }

    /// First day of the period.
    pub fn start(&self, calendar: &Calendar) -> Date {
        match *self {
            Period::Day(date) => date,
            Period::Week { year, week } => {
                let monday = ISOWeekDate::new(year, week, Weekday::Monday)
                    .map(|iso| iso.date())
                    .unwrap_or(Date::MIN);
                match calendar.week_start {
                    WeekStart::Monday => monday,
                    WeekStart::Sunday => add_days(monday, -1),
                }
            }
            Period::Month { year, month } => ymd(year, month, 1),
            Period::Quarter { year, quarter } => ymd(year, (quarter - 1) * 3 + 1, 1),
            Period::Year(year) => ymd(year, 1, 1),
            Period::FiscalYear(year) => ymd(year, calendar.fiscal_year_start_month, 1),
            Period::FiscalQuarter {
                fiscal_year,
                quarter,
            } => add_months(
                ymd(fiscal_year, calendar.fiscal_year_start_month, 1),
                i32::from(quarter - 1) * 3,
            ),
            Period::Range { start, .. } => start,
        }
    }

    /// The day after the last day of the period.
    pub fn end_exclusive(&self, calendar: &Calendar) -> Date {
        let start = self.start(calendar);
        match self {
            Period::Day(_) => add_days(start, 1),
            Period::Week { .. } => add_days(start, 7),
            Period::Month { .. } => add_months(start, 1),
            Period::Quarter { .. } | Period::FiscalQuarter { .. } => add_months(start, 3),
            Period::Year(_) | Period::FiscalYear(_) => add_months(start, 12),
            Period::Range { end, .. } => add_days(*end, 1),
        }
    }

    /// Number of days in the period.
    pub fn n_days(&self, calendar: &Calendar) -> i32 {
        let span = self
            .start(calendar)
            .until(self.end_exclusive(calendar))
            .unwrap_or_default();
        span.get_days()
    }

    /// Whether `date` falls in the period.
    pub fn contains(&self, date: Date, calendar: &Calendar) -> bool {
        self.start(calendar) <= date && date < self.end_exclusive(calendar)
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period, calendar: &Calendar) -> bool {
        self.start(calendar) < other.end_exclusive(calendar)
            && other.start(calendar) < self.end_exclusive(calendar)
    }

    /// The period of `grain` that contains `date`. `Grain::Range` gives the single day.
    pub fn containing(date: Date, grain: Grain, calendar: &Calendar) -> Period {
        let year = date.year();
        let month = date.month();
        match grain {
            Grain::Day | Grain::Range => Period::Day(date),
            Grain::Week => {
                // A Sunday-start week belongs to the ISO week of the following Monday.
                let anchor = match calendar.week_start {
                    WeekStart::Monday => date,
                    WeekStart::Sunday => add_days(date, 1),
                };
                let iso = anchor.iso_week_date();
                Period::Week {
                    year: iso.year(),
                    week: iso.week(),
                }
            }
            Grain::Month => Period::Month { year, month },
            Grain::Quarter => Period::Quarter {
                year,
                quarter: (month - 1) / 3 + 1,
            },
            Grain::Year => Period::Year(year),
            Grain::FiscalYear | Grain::FiscalQuarter => {
                let start = calendar.fiscal_year_start_month;
                let fiscal_year = if month >= start { year } else { year - 1 };
                let months_in = (month - start).rem_euclid(12);
                if grain == Grain::FiscalYear {
                    Period::FiscalYear(fiscal_year)
                } else {
                    Period::FiscalQuarter {
                        fiscal_year,
                        quarter: months_in / 3 + 1,
                    }
                }
            }
        }
    }

    /// The period immediately before this one, of the same grain.
    pub fn previous(&self, calendar: &Calendar) -> Period {
        match *self {
            Period::Range { start, end } => {
                let n_days = self.n_days(calendar);
                Period::Range {
                    start: add_days(start, -n_days),
                    end: add_days(end, -n_days),
                }
            }
            _ => Period::containing(add_days(self.start(calendar), -1), self.grain(), calendar),
        }
    }

    /// The period after this one, of the same grain.
    pub fn next(&self, calendar: &Calendar) -> Period {
        match *self {
            Period::Range { start, end } => {
                let n_days = self.n_days(calendar);
                Period::Range {
                    start: add_days(start, n_days),
                    end: add_days(end, n_days),
                }
            }
            _ => Period::containing(self.end_exclusive(calendar), self.grain(), calendar),
        }
    }

    /// The same period one year earlier. ISO week 53 maps to week 52 in a year without week 53;
    /// 29 February maps to 28 February.
    pub fn same_period_last_year(&self, _calendar: &Calendar) -> Period {
        match *self {
            Period::Day(date) => Period::Day(date.checked_sub(1.year()).unwrap_or(date)),
            Period::Week { year, week } => {
                let week = if ISOWeekDate::new(year - 1, week, Weekday::Monday).is_ok() {
                    week
                } else {
                    52
                };
                Period::Week {
                    year: year - 1,
                    week,
                }
            }
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::Year(year) => Period::Year(year - 1),
            Period::FiscalQuarter {
                fiscal_year,
                quarter,
            } => Period::FiscalQuarter {
                fiscal_year: fiscal_year - 1,
                quarter,
            },
            Period::FiscalYear(year) => Period::FiscalYear(year - 1),
            Period::Range { start, end } => Period::Range {
                start: start.checked_sub(1.year()).unwrap_or(start),
                end: end.checked_sub(1.year()).unwrap_or(end),
            },
        }
    }

    /// All periods of `grain` that intersect `[from, to]`, in order.
    pub fn covering(from: Date, to: Date, grain: Grain, calendar: &Calendar) -> Vec<Period> {
        let mut periods = Vec::new();
        let mut period = Period::containing(from, grain, calendar);
        while period.start(calendar) <= to {
            periods.push(period);
            period = period.next(calendar);
        }
        periods
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    const MAY: Calendar = Calendar {
        fiscal_year_start_month: 5,
        week_start: WeekStart::Monday,
    };

    #[test]
    fn parses_and_prints_every_form() {
        for text in [
            "2026-11-26",
            "2026-W48",
            "2026-11",
            "2026-Q3",
            "2026",
            "FY2026",
            "FY2026-Q1",
            "2026-01-01..2026-03-31",
        ] {
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
        for bad in [
            "2026-13",
            "2026-Q5",
            "2025-W53",
            "26-01",
            "FY26",
            "2026-03-01..2026-01-01",
            "",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn iso_week_53_and_year_boundaries() {
        // 2026 is a long ISO year: week 53 runs Mon 2026-12-28 .. Sun 2027-01-03.
        let week: Period = "2026-W53".parse().unwrap();
        assert_eq!(week.start(&MAY), d("2026-12-28"));
        assert_eq!(week.end_exclusive(&MAY), d("2027-01-04"));
        assert_eq!(Period::containing(d("2027-01-03"), Grain::Week, &MAY), week);
        assert_eq!(
            week.same_period_last_year(&MAY),
            "2025-W52".parse().unwrap()
        );
        assert_eq!(week.next(&MAY), "2027-W01".parse().unwrap());
        // 2025-12-29 (Monday) is in ISO week 2026-W01.
        assert_eq!(
            Period::containing(d("2025-12-29"), Grain::Week, &MAY).to_string(),
            "2026-W01"
        );
    }

    #[test]
    fn fiscal_year_starting_in_may() {
        let fy: Period = "FY2026".parse().unwrap();
        assert_eq!(fy.start(&MAY), d("2026-05-01"));
        assert_eq!(fy.end_exclusive(&MAY), d("2027-05-01"));
        let q4: Period = "FY2026-Q4".parse().unwrap();
        assert_eq!(q4.start(&MAY), d("2027-02-01"));
        assert_eq!(q4.end_exclusive(&MAY), d("2027-05-01"));
        assert_eq!(
            Period::containing(d("2027-04-30"), Grain::FiscalQuarter, &MAY),
            q4
        );
        assert_eq!(
            Period::containing(d("2026-04-30"), Grain::FiscalYear, &MAY).to_string(),
            "FY2025"
        );
        assert_eq!(q4.next(&MAY).to_string(), "FY2027-Q1");
        assert_eq!(
            "FY2026-Q1"
                .parse::<Period>()
                .unwrap()
                .previous(&MAY)
                .to_string(),
            "FY2025-Q4"
        );
    }

    #[test]
    fn previous_and_last_year() {
        let cal = Calendar::default();
        assert_eq!(
            "2026-01"
                .parse::<Period>()
                .unwrap()
                .previous(&cal)
                .to_string(),
            "2025-12"
        );
        assert_eq!(
            "2026-Q1"
                .parse::<Period>()
                .unwrap()
                .previous(&cal)
                .to_string(),
            "2025-Q4"
        );
        assert_eq!(
            "2024-02-29"
                .parse::<Period>()
                .unwrap()
                .same_period_last_year(&cal)
                .to_string(),
            "2023-02-28"
        );
        let range: Period = "2026-01-01..2026-01-10".parse().unwrap();
        assert_eq!(range.previous(&cal).to_string(), "2025-12-22..2025-12-31");
        assert_eq!(range.n_days(&cal), 10);
    }

    #[test]
    fn sunday_weeks() {
        let cal = Calendar {
            fiscal_year_start_month: 1,
            week_start: WeekStart::Sunday,
        };
        let week: Period = "2026-W48".parse().unwrap();
        assert_eq!(week.start(&cal), d("2026-11-22"));
        assert_eq!(Period::containing(d("2026-11-22"), Grain::Week, &cal), week);
        assert_eq!(Period::containing(d("2026-11-28"), Grain::Week, &cal), week);
    }

    #[test]
    fn covering_a_year_by_quarter() {
        let periods = Period::covering(
            d("2026-02-10"),
            d("2026-08-01"),
            Grain::Quarter,
            &Calendar::default(),
        );
        let names: Vec<String> = periods.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["2026-Q1", "2026-Q2", "2026-Q3"]);
    }
}
