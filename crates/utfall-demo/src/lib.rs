//! The demo company: Nordkraft AB, a Swedish B2B supplier, three years of marketing and sales.
//!
//! The generator writes what the company's systems would export — HubSpot contacts, companies
//! and deals, Google Ads, LinkedIn and Meta reports, the activity plan, a brand survey, web
//! sessions and e-mail sends — and `truth.json`: the parameters of the data-generating process
//! and the totals it produced, so that Utfall's numbers can be checked against the truth. The
//! process is described in `docs/demo-data.md`. Same seed, same bytes.

mod rng;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde_json::json;
use utfall_model::period::{Calendar, Grain, Period, WeekStart};
use utfall_model::template::{Plan, Template};

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

#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub seed: u64,
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
    pub path: PathBuf,
    pub preset: &'static str,
    /// For `generic`: the table.
    pub table: Option<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("failed to write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A paid or owned channel of the process.
struct ChannelSpec {
    channel: &'static str,
    /// Daily budget at full season (SEK).
    daily_budget: f64,
    /// Geometric adstock carry-over.
    alpha: f64,
    /// Half-saturation of the Hill curve, in adstocked SEK per day.
    half_saturation: f64,
    /// Leads per day at saturation.
    max_leads: f64,
    /// Multiplier on the chance that this channel's deals are won.
    quality: f64,
}

const CHANNELS: &[ChannelSpec] = &[
    ChannelSpec {
        channel: "paid_search",
        daily_budget: 2200.0,
        alpha: 0.3,
        half_saturation: 4000.0,
        max_leads: 3.2,
        quality: 1.0,
    },
    ChannelSpec {
        channel: "paid_social",
        daily_budget: 1500.0,
        alpha: 0.5,
        half_saturation: 3500.0,
        max_leads: 1.6,
        quality: 0.8,
    },
    ChannelSpec {
        channel: "email",
        daily_budget: 120.0,
        alpha: 0.2,
        half_saturation: 150.0,
        max_leads: 0.7,
        quality: 1.0,
    },
    ChannelSpec {
        channel: "print",
        daily_budget: 250.0,
        alpha: 0.7,
        half_saturation: 1500.0,
        max_leads: 0.25,
        quality: 1.0,
    },
];

/// Baseline leads per day that no spend buys.
const BASELINE: &[(&str, f64)] = &[("organic_search", 1.4), ("direct", 0.7), ("referral", 0.25)];

fn holidays() -> BTreeSet<Date> {
    utfall_model::holidays::swedish().keys().copied().collect()
}

/// Budgets move month by month, as a marketing department shifts money between channels and
/// campaigns: a factor in [0.45, 1.55] per channel and month, fixed by the seed.
fn flighting(seed: u64, channel: usize, date: Date) -> f64 {
    let month = i64::from(date.year()) * 12 + i64::from(date.month());
    let mut rng = Rng::new(
        seed ^ (channel as u64).wrapping_mul(0x51_7CC1_B727_220A)
            ^ (month as u64).wrapping_mul(0x2545_F491_4F6C_DD1D),
    );
    0.45 + 1.1 * rng.uniform()
}

/// Demand by day: weekends and holidays low, a summer lull, a Christmas pause.
fn season(date: Date, holidays: &BTreeSet<Date>) -> f64 {
    let mut factor = 1.0;
    if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) || holidays.contains(&date) {
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

fn money(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
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

struct Person {
    id: String,
    account: usize,
    channel: &'static str,
    activity: Option<String>,
    created: (Date, u8, u8),
}

struct Deal {
    id: String,
    source: &'static str,
    account: usize,
    person: usize,
    created: (Date, u8, u8),
    closed: Option<(Date, u8, u8)>,
    won: bool,
    amount: f64,
}

fn stamp((date, hour, minute): (Date, u8, u8)) -> String {
    format!("{date} {hour:02}:{minute:02}")
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

/// Writes the demo workspace into `dir`.
pub fn generate(
    dir: &Path,
    config: &DemoConfig,
) -> Result<(Vec<Export>, serde_json::Value), DemoError> {
    let mut rng = Rng::new(config.seed);
    let holidays = holidays();
    let calendar = Calendar {
        fiscal_year_start_month: 5,
        week_start: WeekStart::Monday,
    };
    let end = config.today;
    let start = match config.history_days {
        Some(days) => add_days(end, 1 - i64::from(days.max(1))),
        None => add_days(end.checked_sub(3.years()).unwrap_or(end), 1),
    };
    let days: Vec<Date> = Period::covering(start, end, Grain::Day, &calendar)
        .into_iter()
        .map(|p| p.start(&calendar))
        .collect();
    let scale = config.size.web_scale();

    // --- The activity plan: fairs, webinars, the newsletter, campaigns, PR and print. ---
    let mut activities =
        String::from("ID;Namn;Typ;Kanal;Start;Slut;Budget;Kostnad;Valuta;Ansvarig\n");
    let mut fairs: Vec<(Date, String)> = Vec::new();
    let mut webinars: Vec<(Date, String)> = Vec::new();
    let mut manual_spend_cents: BTreeMap<&str, i64> = BTreeMap::new();
    let years: BTreeSet<i16> = days.iter().map(|d| d.year()).collect();
    for year in &years {
        for (month, day, name) in [
            (3, 12, "Elmia Subcontractor vår"),
            (10, 8, "Underhållsmässan"),
        ] {
            let Ok(date) = Date::new(*year, month, day) else {
                continue;
            };
            if date < start || date > end {
                continue;
            }
            let id = format!("fair_{year}_{month:02}");
            let cost = money(220_000.0 + rng.uniform() * 60_000.0);
            *manual_spend_cents.entry("events").or_default() += (cost * 100.0).round() as i64;
            let _ = writeln!(
                activities,
                "{id};{name} {year};fair;events;{date};{};260 000;{};SEK;cmo",
                add_days(date, 2),
                format!("{cost:.2}").replace('.', ",")
            );
            fairs.push((date, id));
        }
        for month in 1..=12 {
            if month == 7 {
                continue;
            }
            let Ok(date) = Date::new(*year, month, 15) else {
                continue;
            };
            if date < start || date > end {
                continue;
            }
            let id = format!("webinar_{year}_{month:02}");
            let cost = money(6_000.0 + rng.uniform() * 2_000.0);
            *manual_spend_cents.entry("events").or_default() += (cost * 100.0).round() as i64;
            let _ = writeln!(
                activities,
                "{id};Webbinarium {year}-{month:02};webinar;events;{date};;8 000;{};SEK;marketing_ops",
                format!("{cost:.2}").replace('.', ",")
            );
            webinars.push((date, id));
        }
    }

    let competitor_start = Date::new(start.year() + 1, 3, 20).unwrap_or(start);
    // Each day's saturation of paid search and paid social: paid sessions follow the spend.
    let mut paid_pressure: Vec<[f64; 2]> = Vec::with_capacity(days.len());
    // --- Daily spend, adstock, saturation and leads. ---
    let mut google = String::from(
        "Campaign performance report\n\"All time\"\nDay,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions\n",
    );
    let mut linkedin = String::from(
        "Campaign Performance Report (in UTC)\n\"Report Start: all time\"\nStart Date (in UTC),Campaign Name,Campaign ID,Total Spent,Currency,Impressions,Clicks,Conversions\n",
    );
    let mut meta = String::from(
        "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (SEK),Impressions,Link clicks,Results\n",
    );
    let mut spend_cents: BTreeMap<&str, i64> = BTreeMap::new();
    let mut adstock = vec![0.0; CHANNELS.len()];
    let mut people: Vec<Person> = Vec::new();
    let mut accounts: Vec<(String, String, i64)> = Vec::new(); // id, name, employees
    let mut touch_rows =
        String::from("touch_time,person_id,account_id,channel,campaign,activity_id,kind\n");
    let mut leads_by_channel: BTreeMap<&str, u64> = BTreeMap::new();
    let mut brand_pressure = 0.0;
    let mut brand_by_day: Vec<f64> = Vec::with_capacity(days.len());
    let fair_days: BTreeMap<Date, String> = fairs.iter().map(|(d, id)| (*d, id.clone())).collect();
    let webinar_days: BTreeMap<Date, String> =
        webinars.iter().map(|(d, id)| (*d, id.clone())).collect();
    let mut fair_lift: Vec<(Date, String)> = Vec::new();
    for &date in &days {
        // An external shock: a competitor's campaign takes a quarter of the demand for six weeks
        // in the spring of the second year.
        let shock = competitor_start <= date && date < add_days(competitor_start, 42);
        let demand = if shock { 0.75 } else { 1.0 };
        let s = season(date, &holidays);
        let mut new_leads: Vec<(&'static str, Option<String>, &'static str, &'static str)> =
            Vec::new(); // channel, activity, kind, campaign
        paid_pressure.push([0.0; 2]);
        for (index, spec) in CHANNELS.iter().enumerate() {
            let budget = money(
                spec.daily_budget
                    * flighting(config.seed, index, date)
                    * (0.55 + 0.45 * s)
                    * (0.85 + 0.3 * rng.uniform()),
            );
            *spend_cents.entry(spec.channel).or_default() += (budget * 100.0).round() as i64;
            adstock[index] = budget + spec.alpha * adstock[index];
            let saturation = adstock[index] / (adstock[index] + spec.half_saturation);
            let effect = spec.max_leads * saturation;
            if let Some(slot) = ["paid_search", "paid_social"]
                .iter()
                .position(|c| *c == spec.channel)
                && let Some(day) = paid_pressure.last_mut()
            {
                day[slot] = saturation;
            }
            brand_pressure += budget / 1_000_000.0;
            match spec.channel {
                "paid_search" => {
                    let (brand, generic) =
                        (money(budget * 0.35), money(budget - money(budget * 0.35)));
                    for (name, id, cost) in [
                        ("Sök | Varumärke", "11001", brand),
                        ("Sök | Generisk", "11002", generic),
                    ] {
                        let clicks = (cost / 11.0).round();
                        let _ = writeln!(
                            google,
                            "{date},{name},{id},SEK,\"{}\",\"{}\",{},{:.1}",
                            us_number(cost, 2),
                            us_number(clicks * 24.0, 0),
                            clicks,
                            clicks * 0.04
                        );
                    }
                }
                "paid_social" => {
                    let (li, fb) = (money(budget * 0.7), money(budget - money(budget * 0.7)));
                    let us_date = format!("{:02}/{:02}/{}", date.month(), date.day(), date.year());
                    let _ = writeln!(
                        linkedin,
                        "{us_date},ABM Norden,5550101,{li:.2},SEK,{},{},{}",
                        (li * 9.0).round(),
                        (li / 28.0).round(),
                        (li / 900.0).round()
                    );
                    let _ = writeln!(
                        meta,
                        "{date},{date},Varumärke Norden,2384001,{fb:.2},{},{},{}",
                        (fb * 30.0).round(),
                        (fb / 9.0).round(),
                        (fb / 400.0).round()
                    );
                }
                _ => {} // e-mail and print costs are booked monthly below
            }
            let kind = match spec.channel {
                "paid_search" | "paid_social" => "ad_click",
                "email" => "email_click",
                _ => "other",
            };
            let campaign = match spec.channel {
                "paid_search" => "Sök | Generisk",
                "paid_social" => "ABM Norden",
                "email" => "Nyhetsbrev",
                _ => "Annonser Ny Teknik",
            };
            for _ in 0..rng.poisson(effect * s * demand) {
                new_leads.push((spec.channel, None, kind, campaign));
            }
        }
        brand_pressure *= 0.998;
        brand_by_day.push(brand_pressure);
        for (channel, rate) in BASELINE {
            for _ in 0..rng.poisson(rate * s * demand * (1.0 + 0.3 * brand_pressure)) {
                new_leads.push((channel, None, "web_session", ""));
            }
        }
        if let Some(id) = fair_days.get(&date) {
            fair_lift.push((date, id.clone()));
        }
        for (fair_date, id) in &fair_lift {
            let since = fair_date.until(date).map(|s| s.get_days()).unwrap_or(99);
            if (0..3).contains(&since) {
                for _ in 0..rng.poisson(14.0) {
                    new_leads.push(("events", Some(id.clone()), "event_attended", ""));
                }
            } else if (3..21).contains(&since) {
                for _ in 0..rng.poisson(0.8) {
                    new_leads.push(("events", Some(id.clone()), "event_attended", ""));
                }
            }
        }
        if let Some(id) = webinar_days.get(&date) {
            for _ in 0..rng.poisson(9.0) {
                new_leads.push(("events", Some(id.clone()), "webinar_attended", ""));
            }
        }
        for (channel, activity, kind, campaign) in new_leads {
            let account = if !accounts.is_empty() && rng.chance(0.35) {
                rng.range(0, accounts.len() as i64 - 1) as usize
            } else {
                let n = accounts.len() + 1;
                let prefix = *rng.pick(&[
                    "Norr", "Väst", "Stål", "Berg", "Skog", "Sjö", "Fjäll", "Älv", "Ljus", "Kraft",
                ]);
                let suffix = *rng.pick(&[
                    "teknik",
                    "industri",
                    "verken",
                    "gruppen",
                    "system",
                    "produkter",
                ]);
                accounts.push((
                    format!("a{n}"),
                    format!("{prefix}{suffix} {n} AB"),
                    rng.range(20, 2000),
                ));
                accounts.len() - 1
            };
            let hour = rng.range(8, 17) as u8;
            let minute = rng.range(0, 59) as u8;
            let id = format!("p{}", people.len() + 1);
            *leads_by_channel.entry(channel).or_default() += 1;
            // The touch that made the lead, and sometimes an earlier one of another kind.
            if rng.chance(0.5) {
                let earlier = add_days(date, -rng.range(1, 25));
                let other = *rng.pick(&[
                    "organic_search",
                    "direct",
                    "paid_social",
                    "email",
                    "referral",
                ]);
                let _ = writeln!(
                    touch_rows,
                    "{earlier} {:02}:{:02},{id},{},{other},,,web_session",
                    rng.range(8, 20),
                    rng.range(0, 59),
                    accounts[account].0
                );
            }
            let touch_minute = minute.saturating_sub(5);
            let _ = writeln!(
                touch_rows,
                "{date} {hour:02}:{touch_minute:02},{id},{},{channel},{campaign},{},{kind}",
                accounts[account].0,
                activity.clone().unwrap_or_default()
            );
            people.push(Person {
                id,
                account,
                channel,
                activity,
                created: (date, hour, minute),
            });
        }
    }
    // Manual costs: e-mail, print and content booked on the first of each month.
    let mut monthly = String::new();
    let months: BTreeSet<(i16, i8)> = days.iter().map(|d| (d.year(), d.month())).collect();
    for (year, month) in &months {
        let Ok(first) = Date::new(*year, *month, 1) else {
            continue;
        };
        let first = first.max(start);
        for (channel, kind, base, name) in [
            ("email", "email", 3_600.0, "Nyhetsbrev"),
            ("print", "print", 7_500.0, "Annonser Ny Teknik"),
            ("organic_search", "content", 12_000.0, "Innehåll och SEO"),
            ("pr", "pr", 5_000.0, "PR-byrå"),
        ] {
            let cost = money(base * (0.9 + 0.2 * rng.uniform()));
            *manual_spend_cents.entry(channel).or_default() += (cost * 100.0).round() as i64;
            let _ = writeln!(
                monthly,
                "{kind}_{year}_{month:02};{name} {year}-{month:02};{kind};{channel};{first};;{};{};SEK;marketing_ops",
                format!("{:.0}", base).replace('.', ","),
                format!("{cost:.2}").replace('.', ",")
            );
        }
    }
    activities.push_str(&monthly);
    // The ad platforms' daily costs are their own; the e-mail and print budgets above were
    // only drivers of the effect, not booked as spend.
    spend_cents.remove("email");
    spend_cents.remove("print");
    for (channel, cents) in &manual_spend_cents {
        *spend_cents.entry(channel).or_default() += cents;
    }
    let _ = writeln!(google, "Total: Campaigns,,,,,,,");

    // --- The funnel: lead → MQL → SQL → opportunity → won or lost. ---
    let mut contacts = String::from(
        "Record ID,First Name,Last Name,Email,Create Date,Lifecycle Stage,Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Became an Opportunity Date,Became a Customer Date,Original Source,Associated Company ID\n",
    );
    let mut deals: Vec<Deal> = Vec::new();
    let mut deal_truth: BTreeMap<&str, (u64, i64)> = BTreeMap::new(); // channel → (won deals, revenue in öre)
    let first_names = [
        "Anna", "Erik", "Maja", "Johan", "Sara", "Lars", "Karin", "Per", "Eva", "Nils", "Ida",
        "Olof",
    ];
    let last_names = [
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Gustafsson",
    ];
    let within = |stage: (Date, u8, u8)| stage.0 <= end;
    for (index, person) in people.iter().enumerate() {
        let step = |rng: &mut Rng, from: (Date, u8, u8), low: i64, high: i64| {
            (
                add_days(from.0, rng.range(low, high)),
                rng.range(8, 17) as u8,
                rng.range(0, 59) as u8,
            )
        };
        let mql = rng
            .chance(0.5)
            .then(|| step(&mut rng, person.created, 1, 15))
            .filter(|s| within(*s));
        let sql = mql
            .filter(|_| rng.chance(0.55))
            .map(|m| step(&mut rng, m, 3, 30))
            .filter(|s| within(*s));
        let opportunity = sql
            .filter(|_| rng.chance(0.6))
            .map(|s| step(&mut rng, s, 2, 20))
            .filter(|s| within(*s));
        let quality = CHANNELS
            .iter()
            .find(|c| c.channel == person.channel)
            .map_or(if person.channel == "events" { 1.3 } else { 1.0 }, |c| {
                c.quality
            });
        let mut customer = None;
        if let Some(created) = opportunity {
            let close = step(&mut rng, created, 20, 120);
            let won = rng.chance(0.32 * quality);
            let size = accounts[person.account].2 as f64;
            let amount = money(rng.lognormal(90_000.0 * (size / 300.0).powf(0.3), 0.5)).round();
            let closed = within(close).then_some(close);
            if won && closed.is_some() {
                customer = closed;
                let entry = deal_truth.entry(person.channel).or_default();
                entry.0 += 1;
                entry.1 += (amount * 100.0) as i64;
            }
            // Sales books some deals as its own (outbound), whatever the contact's origin.
            let source = if rng.chance(0.2) {
                "sales_outbound"
            } else {
                person.channel
            };
            deals.push(Deal {
                id: format!("d{}", deals.len() + 1),
                source,
                account: person.account,
                person: index,
                created,
                closed,
                won: won && closed.is_some(),
                amount,
            });
        }
        let stage = if customer.is_some() {
            "Customer"
        } else if opportunity.is_some() {
            "Opportunity"
        } else if sql.is_some() {
            "Sales Qualified Lead"
        } else if mql.is_some() {
            "Marketing Qualified Lead"
        } else {
            "Lead"
        };
        let hubspot_source = match person.channel {
            "organic_search" => "Organic Search",
            "paid_search" => "Paid Search",
            "paid_social" => "Paid Social",
            "email" => "Email Marketing",
            "referral" => "Referrals",
            "direct" => "Direct Traffic",
            _ => "Offline Sources",
        };
        let first = *rng.pick(&first_names);
        let last = *rng.pick(&last_names);
        let opt = |s: Option<(Date, u8, u8)>| s.map(stamp).unwrap_or_default();
        let _ = writeln!(
            contacts,
            "{},{first},{last},{}.{}{}@example.se,{},{stage},{},{},{},{},{},{hubspot_source},{}",
            person.id,
            first.to_lowercase(),
            last.to_lowercase(),
            index,
            stamp(person.created),
            stamp(person.created),
            opt(mql),
            opt(sql),
            opt(opportunity),
            opt(customer),
            accounts[person.account].0,
        );
    }
    let mut companies = String::from(
        "Record ID,Company name,Company Domain Name,Industry,Country/Region,Number of Employees\n",
    );
    for (id, name, employees) in &accounts {
        let domain = name
            .to_lowercase()
            .replace(' ', "")
            .replace(['å', 'ä'], "a")
            .replace('ö', "o");
        let _ = writeln!(
            companies,
            "{id},{name},{domain}.se,Tillverkning,Sweden,{employees}"
        );
    }
    let mut deals_csv = String::from(
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Pipeline,Deal source,Associated Company ID,Associated Contact ID\n",
    );
    let mut won_revenue_by_quarter: BTreeMap<String, i64> = BTreeMap::new();
    for deal in &deals {
        let stage = match (deal.closed, deal.won) {
            (Some(_), true) => "Closed Won",
            (Some(_), false) => "Closed Lost",
            (None, _) => "Contract Sent",
        };
        if let (Some(closed), true) = (deal.closed, deal.won) {
            *won_revenue_by_quarter
                .entry(Period::containing(closed.0, Grain::Quarter, &calendar).to_string())
                .or_default() += (deal.amount * 100.0) as i64;
        }
        let _ = writeln!(
            deals_csv,
            "{},Avtal {},{stage},{:.0},{},{},Försäljning,{},{},{}",
            deal.id,
            accounts[deal.account].1,
            deal.amount,
            stamp(deal.created),
            deal.closed.map(stamp).unwrap_or_default(),
            deal.source,
            accounts[deal.account].0,
            people[deal.person].id
        );
    }

    // --- Web sessions (GA4-shaped) and e-mail sends. ---
    // Web events stream to their file: the large size does not fit in memory.
    let web_path = dir.join("exports/ga4/events.json");
    let web_error = |source| DemoError::Write {
        path: web_path.clone(),
        source,
    };
    std::fs::create_dir_all(dir.join("exports/ga4")).map_err(web_error)?;
    let mut web = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&web_path).map_err(web_error)?,
    );
    let stockholm = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC);
    let mut n_web_events: u64 = 0;
    for (day_index, &date) in days.iter().enumerate() {
        let s = season(date, &holidays);
        for (channel, source, medium, per_day) in [
            ("organic_search", "google", "organic", 22.0),
            ("direct", "(direct)", "(none)", 10.0),
            ("paid_search", "google", "cpc", 9.0),
            ("paid_social", "linkedin", "paid_social", 4.0),
            ("email", "newsletter", "email", 2.0),
        ] {
            let driven = match channel {
                // Clicks: up to 2.5× the base rate at saturation of the adstocked spend.
                "paid_search" => 2.5 * paid_pressure[day_index][0],
                "paid_social" => 2.5 * paid_pressure[day_index][1],
                _ => 1.0,
            };
            let n =
                rng.poisson(per_day * driven * s * scale * (1.0 + 0.2 * brand_by_day[day_index]));
            for k in 0..n {
                let user = format!(
                    "{}.{}",
                    rng.next_u64() % 1_000_000_000,
                    1_600_000_000 + day_index as u64
                );
                let session = format!("{user}.{}", k + 1);
                let hour = rng.range(7, 22);
                let n_events = rng.range(1, 4);
                let converts = rng.chance(0.03);
                for e in 0..n_events {
                    let key = converts && e == n_events - 1;
                    let name = if key {
                        "generate_lead"
                    } else if e == 0 {
                        "session_start"
                    } else {
                        "page_view"
                    };
                    // GA4's BigQuery export, as `bq extract` writes it: one event per line.
                    let second = rng.range(0, 59);
                    let local = date.to_datetime(jiff::civil::Time::constant(
                        hour as i8,
                        ((e * 3) % 60) as i8,
                        second as i8,
                        0,
                    ));
                    let micros = stockholm
                        .to_timestamp(local)
                        .map_or(0, |t| t.as_microsecond());
                    let param = |key: &str, string: Option<&str>, int: Option<i64>| json!({"key": key, "value": {"string_value": string, "int_value": int.map(|i| i.to_string()), "float_value": null, "double_value": null}});
                    let collected = match channel {
                        "direct" => serde_json::Value::Null,
                        "paid_search" => {
                            json!({"manual_source": source, "manual_medium": medium, "manual_campaign_name": "Sök | Generisk", "gclid": format!("gc{session}")})
                        }
                        _ => {
                            json!({"manual_source": source, "manual_medium": medium, "manual_campaign_name": if channel == "paid_social" { "ABM Norden" } else { "(organic)" }, "gclid": null})
                        }
                    };
                    let event = json!({
                        "event_date": format!("{:04}{:02}{:02}", date.year(), date.month(), date.day()),
                        "event_timestamp": micros.to_string(),
                        "event_name": name,
                        "event_params": [param("ga_session_id", None, Some(k as i64 + 1)), param("page_location", Some("https://nordkraft.se/"), None)],
                        "user_id": null,
                        "user_pseudo_id": user,
                        "device": {"category": if rng.chance(0.6) { "desktop" } else { "mobile" }},
                        "geo": {"country": "Sweden"},
                        "traffic_source": {"name": "(direct)", "medium": "(none)", "source": "(direct)"},
                        "collected_traffic_source": collected,
                    });
                    let line = format!("{event}\n");
                    web.write_all(line.as_bytes()).map_err(web_error)?;
                    n_web_events += 1;
                }
            }
        }
    }
    web.flush().map_err(web_error)?;
    // Mailchimp's campaign report export.
    let mut email = String::from(
        "Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft Bounces,Hard Bounces,Total Bounces,Times Forwarded,Forwarded Opens,Unique Opens,Open Rate,Total Opens,Unique Clicks,Click Rate,Total Clicks,Unsubscribes,Abuse Complaints,Times Liked on Facebook,Folder Id,Unique Id\n",
    );
    let month_names = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut list: f64 = 4000.0;
    for (year, month) in &months {
        let Ok(date) = Date::new(*year, *month, 6) else {
            continue;
        };
        if date < start || date > end {
            continue;
        }
        list *= 1.015;
        let sent = list.round() as i64;
        let delivered = (sent as f64 * 0.98).round() as i64;
        let opens = (delivered as f64 * (0.28 + 0.04 * rng.uniform())).round() as i64;
        let clicks = (delivered as f64 * (0.035 + 0.015 * rng.uniform())).round() as i64;
        let bounces = sent - delivered;
        let soft = bounces / 2;
        let _ = writeln!(
            email,
            "Nyhetsbrev {year}-{month:02},Nyheter från Nordkraft,Nyhetsbrev,\"{} 6, {year} 08:00 am\",{:?},\"{}\",{delivered},{soft},{},{bounces},0,0,{opens},{:.2}%,{},{clicks},{:.2}%,{},{},0,0,,nl{year}{month:02}",
            month_names[(*month - 1) as usize],
            date.weekday(),
            us_number(sent as f64, 0),
            bounces - soft,
            100.0 * opens as f64 / delivered.max(1) as f64,
            opens + opens / 3,
            100.0 * clicks as f64 / delivered.max(1) as f64,
            clicks + clicks / 2,
            (delivered / 400).max(1),
        );
    }

    // --- Quarterly brand survey: NPS and aided and unaided awareness, weighted. ---
    let mut survey = String::from(
        "survey_id,wave,response_time,respondent_id,weight,question,brand,answer_numeric\n",
    );
    let quarters = Period::covering(start, end, Grain::Quarter, &calendar);
    for (wave_index, quarter) in quarters.iter().enumerate() {
        let date = add_days(quarter.start(&calendar), 40);
        if date > end {
            continue;
        }
        let day_index = days.iter().position(|d| *d == date).unwrap_or(0);
        let aided = (0.22 + 0.12 * brand_by_day[day_index]).min(0.8);
        for r in 0..300 {
            let weight = format!("{:.2}", 0.5 + rng.uniform());
            let respondent = format!("w{wave_index}r{r}");
            let time = format!("{date} {:02}:00", rng.range(9, 18));
            let score = (7.9 + 1.8 * rng.normal()).round().clamp(0.0, 10.0);
            let _ = writeln!(
                survey,
                "brand_tracker,{quarter},{time},{respondent},{weight},nps,,{score}"
            );
            let knows = u8::from(rng.chance(aided));
            let _ = writeln!(
                survey,
                "brand_tracker,{quarter},{time},{respondent},{weight},aided_awareness,Nordkraft,{knows}"
            );
            let names = u8::from(knows == 1 && rng.chance(0.35));
            let _ = writeln!(
                survey,
                "brand_tracker,{quarter},{time},{respondent},{weight},unaided_awareness,Nordkraft,{names}"
            );
            let _ = writeln!(
                survey,
                "brand_tracker,{quarter},{time},{respondent},{weight},aided_awareness,Konkurrent,{}",
                u8::from(rng.chance(0.55))
            );
        }
    }

    // --- Files, definitions, truth. ---
    let exports = [
        (
            "exports/hubspot/contacts.csv",
            contacts,
            "hubspot-contacts",
            None,
        ),
        (
            "exports/hubspot/companies.csv",
            companies,
            "hubspot-companies",
            None,
        ),
        (
            "exports/hubspot/deals.csv",
            deals_csv,
            "hubspot-deals",
            None,
        ),
        ("exports/ads/google-ads.csv", google, "google-ads", None),
        ("exports/ads/linkedin.csv", linkedin, "linkedin-ads", None),
        ("exports/ads/meta.csv", meta, "meta-ads", None),
        ("plan/aktivitetsplan.csv", activities, "activities", None),
        ("exports/survey/brand.csv", survey, "survey", None),
        (
            "exports/web/touchpoints.csv",
            touch_rows,
            "generic",
            Some("touchpoints"),
        ),
        ("exports/email/mailchimp.csv", email, "mailchimp", None),
    ];
    let mut written = Vec::new();
    for (relative, text, preset, table) in exports {
        let path = dir.join(relative);
        write_file(&path, &text)?;
        written.push(Export {
            path,
            preset,
            table,
        });
        if relative == "exports/web/touchpoints.csv" {
            written.push(Export {
                path: web_path.clone(),
                preset: "ga4-bigquery",
                table: None,
            });
        }
    }
    let mut plan = Plan::from_template(Template::B2b, "Nordkraft AB", end);
    plan.brand = "Nordkraft".into();
    plan.sources = written
        .iter()
        .map(|e| {
            let relative = e
                .path
                .strip_prefix(dir)
                .unwrap_or(&e.path)
                .display()
                .to_string();
            let name = relative
                .rsplit('/')
                .next()
                .unwrap_or("source")
                .trim_end_matches(".csv")
                .trim_end_matches(".json")
                .replace('-', "_");
            utfall_model::template::SourcePlan {
                name: format!("{}_{name}", e.preset.replace('-', "_")),
                preset: e.preset.into(),
                path: relative,
                description: format!("demo export for {}", e.preset),
                table: e.table.map(str::to_string),
                mapping: Vec::new(),
                // The demo company keeps its books in kronor: amounts its exports do not
                // label are in SEK.
                currency: Some("SEK".into()),
            }
        })
        .collect();
    for kpi in &mut plan.kpis {
        kpi.sources.clear();
    }
    plan.activities.clear();
    // Targets from the process: won revenue 20 % over the same quarter a year earlier.
    if let Some(won) = plan.kpis.iter_mut().find(|k| k.id == "won_revenue") {
        for target in &mut won.targets {
            if let Ok(period) = target.period.parse::<Period>() {
                let last_year = period.same_period_last_year(&calendar);
                let before: i64 = deals
                    .iter()
                    .filter(|d| {
                        d.won && d.closed.is_some_and(|c| last_year.contains(c.0, &calendar))
                    })
                    .map(|d| (d.amount * 100.0) as i64)
                    .sum();
                target.value = ((before as f64 / 100.0) * 1.2).round().max(100_000.0);
            }
        }
    }
    for (relative, text) in plan.render() {
        write_file(&dir.join(relative), &text)?;
    }
    // Leads, won deals and revenue that each event produced.
    let mut activity_truth: BTreeMap<String, (u64, u64, i64)> = BTreeMap::new();
    for person in &people {
        if let Some(activity) = &person.activity {
            activity_truth.entry(activity.clone()).or_default().0 += 1;
        }
    }
    for deal in deals.iter().filter(|d| d.won) {
        if let Some(activity) = &people[deal.person].activity {
            let entry = activity_truth.entry(activity.clone()).or_default();
            entry.1 += 1;
            entry.2 += (deal.amount * 100.0) as i64;
        }
    }
    // The last complete fiscal quarter's review, with decisions that follow from the process.
    let review_period =
        Period::containing(end, Grain::FiscalQuarter, &calendar).previous(&calendar);
    let review_day = add_days(review_period.end_exclusive(&calendar), 9).min(end);
    let follow_up = add_days(review_period.end_exclusive(&calendar), 100);
    let spend_of = |channel: &str| spend_cents.get(channel).copied().unwrap_or(0) as f64 / 100.0;
    let leads_of = |channel: &str| leads_by_channel.get(channel).copied().unwrap_or(0);
    let cost_per_lead = |channel: &str| {
        if leads_of(channel) > 0 {
            spend_of(channel) / leads_of(channel) as f64
        } else {
            0.0
        }
    };
    let mut reviews = format!(
        "# Reviews and the decisions taken at them: stop, start, continue, more, less.\n\n[[review]]\nid = \"{id}\"\nperiod = \"{review_period}\"\ndate = {review_day}\nparticipants = [\"cmo\", \"sales_manager\", \"marketing_ops\"]\nnotes = \"Kvartalsuppföljning av marknadsplanen.\"\n",
        id = review_period.to_string().to_lowercase().replace('-', "_"),
    );
    let review_id = review_period.to_string().to_lowercase().replace('-', "_");
    for (id, action, channel, kpis, rationale, expected) in [
        (
            "more_paid_search",
            "more",
            "paid_search",
            "[\"mqls\", \"cac\"]",
            format!(
                "Sökannonsering ger leads för {:.0} kr styck; mättnaden är inte nådd.",
                cost_per_lead("paid_search")
            ),
            "+15 % MQL till oförändrad CAC",
        ),
        (
            "less_paid_social",
            "less",
            "paid_social",
            "[\"cac\", \"won_revenue\"]",
            format!(
                "Betald social media: {:.0} kr per lead och sämre affärer än snittet.",
                cost_per_lead("paid_social")
            ),
            "samma antal affärer för 20 % lägre kostnad",
        ),
        (
            "continue_fairs",
            "continue",
            "events",
            "[\"mqls\", \"won_revenue\"]",
            format!(
                "Mässorna ger {} leads och de bästa affärerna; behåll båda mässorna.",
                leads_of("events")
            ),
            "minst lika många MQL per mässa",
        ),
        (
            "stop_print",
            "stop",
            "print",
            "[\"marketing_spend\"]",
            "Tryckta annonser går inte att spåra till några leads.".to_string(),
            "lägre kostnad utan färre leads",
        ),
    ] {
        reviews.push_str(&format!(
            "\n[[decision]]\nid = \"{id}\"\nreview = \"{review_id}\"\naction = \"{action}\"\nchannel = \"{channel}\"\nkpis = {kpis}\nrationale = \"{rationale}\"\nexpected = \"{expected}\"\nowner = \"cmo\"\nfollow_up = {follow_up}\nstatus = \"open\"\n"
        ));
    }
    write_file(&dir.join("reviews.toml"), &reviews)?;

    let leads_by_month: BTreeMap<String, u64> =
        people.iter().fold(BTreeMap::new(), |mut map, p| {
            *map.entry(Period::containing(p.created.0, Grain::Month, &calendar).to_string())
                .or_default() += 1;
            map
        });
    let truth = json!({
        "generator": "utfall demo",
        "seed": config.seed,
        "size": format!("{:?}", config.size).to_lowercase(),
        "first_day": start.to_string(),
        "last_day": end.to_string(),
        "channels": CHANNELS.iter().map(|c| json!({
            "channel": c.channel, "adstock": {"type": "geometric", "alpha": c.alpha},
            "saturation": {"type": "hill", "half_saturation": c.half_saturation, "shape": 1.0, "max_leads_per_day": c.max_leads},
            "deal_quality": c.quality,
        })).collect::<Vec<_>>(),
        "baseline_leads_per_day": BASELINE.iter().map(|(c, r)| json!({"channel": c, "rate": r})).collect::<Vec<_>>(),
        "funnel": {"lead_to_mql": 0.5, "mql_to_sql": 0.55, "sql_to_opportunity": 0.6, "win_rate": 0.32, "win_rate_multiplier": {"events": 1.3, "paid_social": 0.8}},
        "external_shocks": [{"what": "a competitor's campaign", "from": competitor_start.to_string(), "to": add_days(competitor_start, 41).to_string(), "demand_multiplier": 0.75}],
        "activities": activity_truth.iter().map(|(id, (leads, won, cents))| json!({"activity_id": id, "leads": leads, "won_deals": won, "won_revenue": *cents as f64 / 100.0})).collect::<Vec<_>>(),
        "incremental": people.iter().map(|p| p.channel).collect::<BTreeSet<_>>().into_iter().map(|c| {
            let (won, cents) = deal_truth.get(c).copied().unwrap_or((0, 0));
            json!({"channel": c, "leads": leads_by_channel.get(c).copied().unwrap_or(0), "won_deals": won, "won_revenue": cents as f64 / 100.0})
        }).collect::<Vec<_>>(),
        "totals": {
            "spend_by_channel": spend_cents.iter().map(|(c, cents)| (c.to_string(), json!(*cents as f64 / 100.0))).collect::<serde_json::Map<_, _>>(),
            "won_revenue_by_quarter": won_revenue_by_quarter.iter().map(|(q, cents)| (q.clone(), json!(*cents as f64 / 100.0))).collect::<serde_json::Map<_, _>>(),
            "leads_by_month": leads_by_month.iter().map(|(m, n)| (m.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "leads": people.len(), "accounts": accounts.len(), "deals": deals.len(), "web_events": n_web_events,
        },
    });
    let truth_text = serde_json::to_string_pretty(&truth).unwrap_or_default();
    write_file(&dir.join("truth.json"), &format!("{truth_text}\n"))?;
    Ok((written, truth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_numbers() {
        assert_eq!(us_number(1234.5, 2), "1,234.50");
        assert_eq!(us_number(12.0, 0), "12");
    }
}
