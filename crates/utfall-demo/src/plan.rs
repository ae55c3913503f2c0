//! The activity plan: the fairs and webinars, and the costs of e-mail, print, content and PR
//! booked on the first of each month — as the reviews' decisions changed them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;

use crate::company::{
    FAIR_COST, FAIR_COST_SPREAD, FAIRS, MONTHLY_COSTS, WEBINAR_COST, WEBINAR_COST_SPREAD,
    WEBINAR_DAY, WEBINAR_PAUSE_MONTH,
};
use crate::history::{History, MonthlyBooking};
use crate::{Rng, Timeline, add_days, cents, money, swedish_amount};

const HEADER: &str = "ID;Namn;Typ;Kanal;Start;Slut;Budget;Kostnad;Valuta;Ansvarig\n";

/// A cost in the books: the day it is dated, its channel, the activity (the plan's row id, or
/// empty for an ad platform's daily cost) and the amount in öre.
#[derive(Debug, Clone)]
pub(crate) struct Booking {
    pub(crate) date: Date,
    pub(crate) channel: &'static str,
    pub(crate) activity: String,
    pub(crate) cents: i64,
}

/// What the decisions changed in the plan, each dated as the plan dates it, for the truth.
#[derive(Debug, Default)]
pub(crate) struct PlanChanges {
    /// The webinars added to the monthly ones: day, activity id, cost in öre.
    pub(crate) extra_webinars: Vec<(Date, String, i64)>,
    /// Monthly costs no longer booked: kind, day it would have been booked, cost in öre.
    pub(crate) not_booked: Vec<(&'static str, Date, i64)>,
    /// Monthly costs booked larger: kind, day, the cost beyond the old budget's in öre.
    pub(crate) extra_cost: Vec<(&'static str, Date, i64)>,
}

/// The activity plan as marketing keeps it in a spreadsheet, and what it booked.
#[derive(Debug)]
pub(crate) struct ActivityPlan {
    /// `plan/aktivitetsplan.csv`.
    pub(crate) csv: String,
    /// Fairs by their first day: activity id.
    pub(crate) fairs: BTreeMap<Date, String>,
    /// Webinars by their day, the decisions' extra ones included: activity id.
    pub(crate) webinars: BTreeMap<Date, String>,
    /// The costs booked in the plan per channel, in öre.
    pub(crate) spend_cents: BTreeMap<&'static str, i64>,
    /// Every cost booked in the plan, in the order of the rows.
    pub(crate) bookings: Vec<Booking>,
    /// What the decisions changed.
    pub(crate) changes: PlanChanges,
}

impl ActivityPlan {
    /// The fairs and webinars of every year, year by year, then the extra webinars the
    /// decisions added.
    pub(crate) fn with_events(
        timeline: &Timeline,
        history: &History,
        rng: &mut Rng,
    ) -> ActivityPlan {
        let mut plan = ActivityPlan {
            csv: String::from(HEADER),
            fairs: BTreeMap::new(),
            webinars: BTreeMap::new(),
            spend_cents: BTreeMap::new(),
            bookings: Vec::new(),
            changes: PlanChanges::default(),
        };
        for &year in &timeline.years() {
            plan.add_fairs(year, timeline, rng);
            plan.add_webinars(year, timeline, rng);
        }
        plan.add_extra_webinars(timeline, history, rng);
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
            self.book(date, "events", &id, cost);
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
            self.book(date, "events", &id, cost);
            let _ = writeln!(
                self.csv,
                "{id};Webbinarium {year}-{month:02};webinar;events;{date};;8 000;{};SEK;marketing_ops",
                swedish_amount(cost)
            );
            self.webinars.insert(date, id);
        }
    }

    /// The decisions' extra webinars, day by day: rows like the monthly ones, costing the same.
    fn add_extra_webinars(&mut self, timeline: &Timeline, history: &History, rng: &mut Rng) {
        for date in history.extra_webinar_days(timeline, &self.webinars) {
            let id = format!(
                "webinar_{}_{:02}_{:02}",
                date.year(),
                date.month(),
                date.day()
            );
            let cost = money(WEBINAR_COST + rng.uniform() * WEBINAR_COST_SPREAD);
            self.book(date, "events", &id, cost);
            let _ = writeln!(
                self.csv,
                "{id};Webbinarium {date};webinar;events;{date};;8 000;{};SEK;marketing_ops",
                swedish_amount(cost)
            );
            self.webinars.insert(date, id.clone());
            self.changes.extra_webinars.push((date, id, cents(cost)));
        }
    }

    /// E-mail, print, content and PR, booked on the first of each month (or the first day),
    /// as the decisions left them: a stopped cost is not booked, a larger one is.
    pub(crate) fn book_monthly_costs(
        &mut self,
        timeline: &Timeline,
        history: &History,
        rng: &mut Rng,
    ) {
        for &(year, month) in &timeline.months() {
            let Ok(first_of_month) = Date::new(year, month, 1) else {
                continue;
            };
            let first = first_of_month.max(timeline.start);
            for item in MONTHLY_COSTS {
                // Drawn whatever was decided, so that a decision changes only its own cost.
                let variation = 0.9 + 0.2 * rng.uniform();
                let old_cost = money(item.budget * variation);
                let factor = match history.monthly_booking(item.kind, first_of_month) {
                    MonthlyBooking::Booked { factor } => factor,
                    MonthlyBooking::NotBooked => {
                        self.changes
                            .not_booked
                            .push((item.kind, first, cents(old_cost)));
                        continue;
                    }
                };
                let budget = item.budget * factor;
                let cost = money(budget * variation);
                if factor != 1.0 {
                    self.changes
                        .extra_cost
                        .push((item.kind, first, cents(cost) - cents(old_cost)));
                }
                let id = format!("{}_{year}_{month:02}", item.kind);
                self.book(first, item.channel, &id, cost);
                let _ = writeln!(
                    self.csv,
                    "{id};{} {year}-{month:02};{};{};{first};;{};{};SEK;marketing_ops",
                    item.name,
                    item.kind,
                    item.channel,
                    format!("{budget:.0}").replace('.', ","),
                    swedish_amount(cost),
                );
            }
        }
    }

    fn book(&mut self, date: Date, channel: &'static str, activity: &str, cost: f64) {
        *self.spend_cents.entry(channel).or_default() += cents(cost);
        self.bookings.push(Booking {
            date,
            channel,
            activity: activity.to_string(),
            cents: cents(cost),
        });
    }
}
