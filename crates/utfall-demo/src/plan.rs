//! The activity plan: the fairs and webinars, and the costs of e-mail, print, content and PR
//! booked on the first of each month.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;

use crate::company::{
    FAIR_COST, FAIR_COST_SPREAD, FAIRS, MONTHLY_COSTS, WEBINAR_COST, WEBINAR_COST_SPREAD,
    WEBINAR_DAY, WEBINAR_PAUSE_MONTH,
};
use crate::{Rng, Timeline, add_days, cents, money, swedish_amount};

const HEADER: &str = "ID;Namn;Typ;Kanal;Start;Slut;Budget;Kostnad;Valuta;Ansvarig\n";

/// The activity plan as marketing keeps it in a spreadsheet, and what it booked.
#[derive(Debug)]
pub(crate) struct ActivityPlan {
    /// `plan/aktivitetsplan.csv`.
    pub(crate) csv: String,
    /// Fairs by their first day: activity id.
    pub(crate) fairs: BTreeMap<Date, String>,
    /// Webinars by their day: activity id.
    pub(crate) webinars: BTreeMap<Date, String>,
    /// The costs booked in the plan per channel, in öre.
    pub(crate) spend_cents: BTreeMap<&'static str, i64>,
}

impl ActivityPlan {
    /// The fairs and webinars of every year, year by year.
    pub(crate) fn with_events(timeline: &Timeline, rng: &mut Rng) -> ActivityPlan {
        let mut plan = ActivityPlan {
            csv: String::from(HEADER),
            fairs: BTreeMap::new(),
            webinars: BTreeMap::new(),
            spend_cents: BTreeMap::new(),
        };
        for &year in &timeline.years() {
            plan.add_fairs(year, timeline, rng);
            plan.add_webinars(year, timeline, rng);
        }
        plan
    }

    fn add_fairs(&mut self, year: i16, timeline: &Timeline, rng: &mut Rng) {
        for fair in FAIRS {
            let Ok(date) = Date::new(year, fair.month, fair.day) else {
                continue;
            };
            if !timeline.contains(date) {
                continue;
            }
            let id = format!("fair_{year}_{:02}", fair.month);
            let cost = money(FAIR_COST + rng.uniform() * FAIR_COST_SPREAD);
            self.book("events", cost);
            let _ = writeln!(
                self.csv,
                "{id};{} {year};fair;events;{date};{};260 000;{};SEK;cmo",
                fair.name,
                add_days(date, 2),
                swedish_amount(cost)
            );
            self.fairs.insert(date, id);
        }
    }

    fn add_webinars(&mut self, year: i16, timeline: &Timeline, rng: &mut Rng) {
        for month in (1..=12).filter(|m| *m != WEBINAR_PAUSE_MONTH) {
            let Ok(date) = Date::new(year, month, WEBINAR_DAY) else {
                continue;
            };
            if !timeline.contains(date) {
                continue;
            }
            let id = format!("webinar_{year}_{month:02}");
            let cost = money(WEBINAR_COST + rng.uniform() * WEBINAR_COST_SPREAD);
            self.book("events", cost);
            let _ = writeln!(
                self.csv,
                "{id};Webbinarium {year}-{month:02};webinar;events;{date};;8 000;{};SEK;marketing_ops",
                swedish_amount(cost)
            );
            self.webinars.insert(date, id);
        }
    }

    /// E-mail, print, content and PR, booked on the first of each month (or the first day).
    pub(crate) fn book_monthly_costs(&mut self, timeline: &Timeline, rng: &mut Rng) {
        for &(year, month) in &timeline.months() {
            let Ok(first) = Date::new(year, month, 1) else {
                continue;
            };
            let first = first.max(timeline.start);
            for item in MONTHLY_COSTS {
                let cost = money(item.budget * (0.9 + 0.2 * rng.uniform()));
                self.book(item.channel, cost);
                let _ = writeln!(
                    self.csv,
                    "{kind}_{year}_{month:02};{} {year}-{month:02};{kind};{};{first};;{};{};SEK;marketing_ops",
                    item.name,
                    item.channel,
                    format!("{:.0}", item.budget).replace('.', ","),
                    swedish_amount(cost),
                    kind = item.kind,
                );
            }
        }
    }

    fn book(&mut self, channel: &'static str, cost: f64) {
        *self.spend_cents.entry(channel).or_default() += cents(cost);
    }
}
