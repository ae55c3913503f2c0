//! The demo company: Nordkraft AB, a Swedish B2B supplier, three years of marketing and sales.
//!
//! The generator writes what the company's systems would export — HubSpot contacts, companies
//! and deals, Google Ads, LinkedIn and Meta reports, the activity plan, a brand survey, web
//! sessions and e-mail sends — and `truth.json`: the parameters of the data-generating process
//! and the totals it produced, so that Utfall's numbers can be checked against the truth. The
//! process is described in `docs/demo-data.md`. Same seed, same bytes.
//!
//! The company itself is data (`company.rs`); each export is made by its own module, in the
//! order that draws the random numbers (see [`generate`]).

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod company;
mod email;
mod funnel;
mod history;
mod leads;
mod market;
mod plan;
mod rng;
mod survey;
mod targets;
mod web;
mod workspace;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use utfall_model::period::{Calendar, Grain, Period, WeekStart};

pub use rng::Rng;

/// How much data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// About 5 000 leads and 110 000 web events: seconds.
    Small,
    /// About 5 million web events.
    Medium,
    /// About 50 million web events.
    Large,
}

impl Size {
    fn web_scale(self) -> f64 {
        match self {
            Size::Small => 1.0,
            Size::Medium => 45.0,
            Size::Large => 450.0,
        }
    }
}

/// What demo to generate: the seed, the size and the days it covers.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// The seed of the random numbers: the same seed gives the same bytes.
    pub seed: u64,
    /// How much data.
    pub size: Size,
    /// The last day of data; three years back from it.
    pub today: Date,
    /// Days of history up to `today`, if not three years (tests that run the demo on many
    /// days keep it short).
    pub history_days: Option<u32>,
}

/// A file the demo wrote and how to import it.
#[derive(Debug, Clone)]
pub struct Export {
    /// Where the file is.
    pub path: PathBuf,
    /// The import preset that reads it.
    pub preset: &'static str,
    /// For `generic`: the table.
    pub table: Option<&'static str>,
}

/// Why the demo could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file or its folder could not be written.
    #[error("failed to write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
}

/// The days the demo covers, in the company's calendar.
#[derive(Debug)]
struct Timeline {
    start: Date,
    end: Date,
    days: Vec<Date>,
    calendar: Calendar,
    holidays: BTreeSet<Date>,
}

impl Timeline {
    fn new(config: &DemoConfig) -> Timeline {
        let calendar = Calendar {
            fiscal_year_start_month: 5,
            week_start: WeekStart::Monday,
        };
        let end = config.today;
        let start = match config.history_days {
            Some(days) => add_days(end, 1 - i64::from(days.max(1))),
            None => add_days(end.checked_sub(3.years()).unwrap_or(end), 1),
        };
        let days = Period::covering(start, end, Grain::Day, &calendar)
            .into_iter()
            .map(|p| p.start(&calendar))
            .collect();
        Timeline {
            start,
            end,
            days,
            calendar,
            holidays: utfall_model::holidays::swedish().keys().copied().collect(),
        }
    }

    fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    fn years(&self) -> BTreeSet<i16> {
        self.days.iter().map(|d| d.year()).collect()
    }

    fn months(&self) -> BTreeSet<(i16, i8)> {
        self.days.iter().map(|d| (d.year(), d.month())).collect()
    }

    /// Demand by day: weekends and holidays low, a summer lull, a Christmas pause.
    fn season(&self, date: Date) -> f64 {
        let mut factor = 1.0;
        if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            || self.holidays.contains(&date)
        {
            factor *= 0.25;
        }
        if date.month() == 7 {
            factor *= 0.45;
        }
        if (date.month() == 12 && date.day() >= 20) || (date.month() == 1 && date.day() <= 6) {
            factor *= 0.5;
        }
        factor
    }
}

/// Writes the demo workspace into `dir`: the exports, the definition files, the reviews and
/// `truth.json`, which is also returned with the list of exports.
///
/// The steps run in a fixed order because they share one random number generator: the
/// activity plan's events, the market day by day, the monthly costs, the funnel, the web
/// sessions, the e-mail sends and the brand survey. The reviews' decisions (`history.rs`) are
/// known from the start: the plan and the market carry them out.
pub fn generate(
    dir: &Path,
    config: &DemoConfig,
) -> Result<(Vec<Export>, serde_json::Value), DemoError> {
    let mut rng = Rng::new(config.seed);
    let timeline = Timeline::new(config);
    let history = history::History::new(&timeline);
    let mut activity_plan = plan::ActivityPlan::with_events(&timeline, &history, &mut rng);
    let (market, leads) =
        market::simulate(&timeline, config.seed, &activity_plan, &history, &mut rng);
    activity_plan.book_monthly_costs(&timeline, &history, &mut rng);
    let spend_cents = market.booked_spend(&activity_plan.spend_cents);
    let funnel = funnel::Funnel::run(&leads, timeline.end, &mut rng);
    let won_revenue_by_quarter = funnel.won_revenue_by_quarter(&timeline.calendar);
    let (web_path, n_web_events) =
        web::write_events(dir, &timeline, config.size.web_scale(), &market, &mut rng)?;
    let email = email::mailchimp(&timeline, &mut rng);
    let (survey, waves) = survey::brand_tracker(&timeline, &market.brand_by_day, &mut rng);

    let files = workspace::ExportFiles {
        contacts: funnel.contacts.clone(),
        companies: funnel::companies_csv(&leads.accounts),
        deals: funnel.deals_csv(&leads),
        google: market.ads.google,
        linkedin: market.ads.linkedin,
        meta: market.ads.meta,
        activities: activity_plan.csv.clone(),
        survey,
        touchpoints: leads.touch_rows.clone(),
        email,
    };
    let written = files.write(dir, web_path)?;
    let facts = targets::Facts {
        timeline: &timeline,
        deals: &funnel.deals,
        mql_days: &funnel.mql_days,
        bookings: market
            .ad_bookings
            .iter()
            .chain(&activity_plan.bookings)
            .collect(),
        waves: &waves,
    };
    let quarters = targets::target_quarters(history.reviews[0].period, &timeline);
    workspace::write_definitions(dir, &written, &facts, &quarters)?;
    history.write_reviews(dir, &timeline.calendar, &leads, &activity_plan)?;
    let totals = workspace::ChannelTotals {
        spend_cents: &spend_cents,
        leads_by_channel: &leads.leads_by_channel,
    };
    let decisions = history.truth(&history::DecisionOutcome {
        plan: &activity_plan,
        leads: &leads,
        lost_leads: &market.lost_leads,
    });
    let truth = workspace::truth(&workspace::Outcome {
        config,
        timeline: &timeline,
        competitor_start: market.competitor_start,
        leads: &leads,
        funnel: &funnel,
        totals: &totals,
        won_revenue_by_quarter: &won_revenue_by_quarter,
        n_web_events,
        decisions,
    });
    let truth_text = serde_json::to_string_pretty(&truth).unwrap_or_default();
    write_file(&dir.join("truth.json"), &format!("{truth_text}\n"))?;
    Ok((written, truth))
}

fn write_file(path: &Path, text: &str) -> Result<(), DemoError> {
    let error = |source| DemoError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(error)?;
    }
    let mut file = std::fs::File::create(path).map_err(error)?;
    file.write_all(text.as_bytes()).map_err(error)
}

/// Rounded to öre.
fn money(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// An amount in whole öre, rounded.
fn cents(value: f64) -> i64 {
    (value * 100.0).round() as i64
}

/// An amount with two decimals and a decimal comma, as a Swedish spreadsheet writes it.
fn swedish_amount(value: f64) -> String {
    format!("{value:.2}").replace('.', ",")
}

/// US-style number with thousands commas, as Google Ads writes them.
fn us_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    }
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

#[cfg(test)]
mod tests;
