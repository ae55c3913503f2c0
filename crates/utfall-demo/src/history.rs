//! The decision history: the reviews of the two quarters before the last complete one, the
//! decisions taken at them, how the process carries them out, and their true effects.
//!
//! The decisions are data ([`DECISIONS`]); each names the [`Change`] it makes, which the activity
//! plan and the market read, so that what was decided is what happened in the data. The last
//! complete quarter has no review: that is the one the user holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde_json::{Value, json};
use utfall_model::period::{Calendar, Grain, Period};
use utfall_model::template::quote;

use crate::company::{
    CHANNELS, FOLLOW_UP_DAYS, MONTHLY_COSTS, MORE_CONTENT_FACTOR, REVIEW_DELAY_DAYS, WEBINAR_LEADS,
    WEBINAR_PAUSE_MONTH,
};
use crate::leads::Leads;
use crate::plan::ActivityPlan;
use crate::{DemoError, Timeline, add_days, us_number, write_file};

/// A review meeting: the quarter it follows up, its id and the day it was held.
#[derive(Debug, Clone)]
pub(crate) struct Review {
    pub(crate) period: Period,
    pub(crate) id: String,
    pub(crate) date: Date,
}

/// What a decision changes in the process, from the day it was taken.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// The monthly cost of this kind is not booked for months that start after the decision,
    /// and its channel's daily spend, the driver of its leads, stops with the first such month.
    StopMonthlyCost { kind: &'static str },
    /// The monthly cost of this kind is multiplied for months that start after the decision.
    ScaleMonthlyCost { kind: &'static str, factor: f64 },
    /// An extra webinar on this weekday from the decision to the last day, unless the day has
    /// a webinar already, falls in the webinar pause or is a public holiday.
    WeeklyWebinar { weekday: Weekday },
    /// Nothing changes: the activity goes on as before.
    Nothing,
}

/// The KPI a decision is expected to move, which way, and by what share of its value.
#[derive(Debug, Clone, Copy)]
struct Effect {
    kpi: &'static str,
    direction: &'static str,
    size: Option<f64>,
}

/// A decision of the history.
#[derive(Debug)]
struct DecisionSpec {
    id: &'static str,
    /// 0: the review two quarters before the last complete one; 1: the next one.
    review: usize,
    action: &'static str,
    channel: &'static str,
    campaign: Option<&'static str>,
    kpis: &'static [&'static str],
    effect: Option<Effect>,
    change: Change,
    owner: &'static str,
    rationale: fn(&Evidence<'_>) -> String,
    expected: &'static str,
}

const DECISIONS: &[DecisionSpec] = &[
    DecisionSpec {
        id: "stop_print",
        review: 0,
        action: "stop",
        channel: "print",
        campaign: Some("Annonser Ny Teknik"),
        kpis: &["marketing_spend", "leads"],
        effect: Some(Effect {
            kpi: "marketing_spend",
            direction: "down",
            size: None,
        }),
        change: Change::StopMonthlyCost { kind: "print" },
        owner: "cmo",
        rationale: |evidence| {
            let spend = evidence.plan_cost("print");
            match evidence.leads("print") {
                0 => format!(
                    "Tryckta annonser kostade {} kr förra kvartalet och gav inga spårbara leads.",
                    swedish_kronor(spend)
                ),
                n => format!(
                    "Tryckta annonser kostade {} kr förra kvartalet och gav {n} leads: {} kr per lead.",
                    swedish_kronor(spend),
                    swedish_kronor(spend / n as f64)
                ),
            }
        },
        expected: "lägre kostnad utan färre leads",
    },
    DecisionSpec {
        id: "more_content",
        review: 0,
        action: "more",
        channel: "organic_search",
        campaign: None,
        kpis: &["leads"],
        effect: Some(Effect {
            kpi: "leads",
            direction: "up",
            size: Some(0.10),
        }),
        change: Change::ScaleMonthlyCost {
            kind: "content",
            factor: MORE_CONTENT_FACTOR,
        },
        owner: "marketing_ops",
        rationale: |evidence| {
            format!(
                "Organisk sökning gav {} leads förra kvartalet för {} kr i innehåll; mer innehåll ska ge fler.",
                evidence.leads("organic_search"),
                swedish_kronor(evidence.plan_cost("organic_search"))
            )
        },
        expected: "+10 % leads med 60 % större innehållsbudget",
    },
    DecisionSpec {
        id: "more_webinars",
        review: 1,
        action: "more",
        channel: "events",
        campaign: None,
        kpis: &["leads", "mqls"],
        effect: Some(Effect {
            kpi: "leads",
            direction: "up",
            size: Some(0.15),
        }),
        change: Change::WeeklyWebinar {
            weekday: Weekday::Wednesday,
        },
        owner: "marketing_ops",
        rationale: |evidence| {
            let (n, leads, cost) = evidence.webinars();
            if n == 0 {
                return "Webbinarierna ger leads till låg kostnad; ett i veckan ska ge fler."
                    .to_string();
            }
            format!(
                "Webbinarierna gav {} leads vardera förra kvartalet för {} kr styck; ett i veckan ska ge fler.",
                format!("{:.1}", leads as f64 / n as f64).replace('.', ","),
                swedish_kronor(cost / n as f64)
            )
        },
        expected: "+15 % leads och fler MQL",
    },
    DecisionSpec {
        id: "continue_fairs",
        review: 1,
        action: "continue",
        channel: "events",
        campaign: None,
        kpis: &["mqls"],
        effect: None,
        change: Change::Nothing,
        owner: "cmo",
        rationale: |evidence| {
            format!(
                "Mässorna gav {} leads det senaste året och de bästa affärerna; behåll båda mässorna.",
                evidence.fair_leads_last_year()
            )
        },
        expected: "minst lika många MQL per mässa",
    },
];

/// Whether and how a monthly cost is booked, after the decisions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MonthlyBooking {
    /// Booked, its budget multiplied by `factor`.
    Booked { factor: f64 },
    /// Stopped.
    NotBooked,
}

/// The reviews before the last complete fiscal quarter and what their decisions do.
#[derive(Debug)]
pub(crate) struct History {
    /// The review of the quarter two before the last complete one, then the next quarter's.
    pub(crate) reviews: [Review; 2],
}

impl History {
    /// The reviews of the two fiscal quarters before the last complete one before the last
    /// day, each held `REVIEW_DELAY_DAYS` after its quarter.
    pub(crate) fn new(timeline: &Timeline) -> History {
        let calendar = &timeline.calendar;
        let last =
            Period::containing(timeline.end, Grain::FiscalQuarter, calendar).previous(calendar);
        let q1 = last.previous(calendar);
        let q2 = q1.previous(calendar);
        let review = |period: Period| Review {
            period,
            id: period.to_string().to_lowercase().replace('-', "_"),
            date: add_days(period.end_exclusive(calendar), REVIEW_DELAY_DAYS),
        };
        History {
            reviews: [review(q2), review(q1)],
        }
    }

    fn decided_on(&self, decision: &DecisionSpec) -> Date {
        self.reviews[decision.review].date
    }

    fn follow_up(&self, decision: &DecisionSpec) -> Date {
        add_days(self.decided_on(decision), FOLLOW_UP_DAYS)
    }

    /// How the monthly cost of `kind` is booked in the month that starts on `first_of_month`.
    pub(crate) fn monthly_booking(&self, kind: &str, first_of_month: Date) -> MonthlyBooking {
        let mut factor = 1.0;
        for decision in DECISIONS {
            if first_of_month < first_month_after(self.decided_on(decision)) {
                continue;
            }
            match decision.change {
                Change::StopMonthlyCost { kind: stopped } if stopped == kind => {
                    return MonthlyBooking::NotBooked;
                }
                Change::ScaleMonthlyCost {
                    kind: scaled,
                    factor: by,
                } if scaled == kind => factor *= by,
                _ => {}
            }
        }
        MonthlyBooking::Booked { factor }
    }

    /// Whether `channel`'s daily spend runs on `date`: not once its monthly cost is stopped.
    pub(crate) fn channel_runs(&self, channel: &str, date: Date) -> bool {
        !DECISIONS.iter().any(|decision| match decision.change {
            Change::StopMonthlyCost { kind } => {
                monthly_channel(kind) == Some(channel)
                    && date >= first_month_after(self.decided_on(decision))
            }
            _ => false,
        })
    }

    /// The days of the decisions' extra webinars within the timeline, given the webinars the
    /// plan already has.
    pub(crate) fn extra_webinar_days(
        &self,
        timeline: &Timeline,
        webinars: &BTreeMap<Date, String>,
    ) -> Vec<Date> {
        let mut days = BTreeSet::new();
        for decision in DECISIONS {
            let Change::WeeklyWebinar { weekday } = decision.change else {
                continue;
            };
            let from = self.decided_on(decision);
            days.extend(timeline.days.iter().copied().filter(|&day| {
                day >= from
                    && day.weekday() == weekday
                    && day.month() != WEBINAR_PAUSE_MONTH
                    && !webinars.contains_key(&day)
                    && !timeline.holidays.contains(&day)
            }));
        }
        days.into_iter().collect()
    }

    /// `reviews.toml`: the two reviews, each followed by its decisions, their rationales from
    /// what the company saw by then.
    pub(crate) fn write_reviews(
        &self,
        dir: &Path,
        calendar: &Calendar,
        leads: &Leads,
        plan: &ActivityPlan,
    ) -> Result<(), DemoError> {
        let mut text = String::from(
            "# Reviews and the decisions taken at them: stop, start, continue, more, less.\n",
        );
        for (index, review) in self.reviews.iter().enumerate() {
            text.push_str(&format!(
                "\n[[review]]\nid = \"{}\"\nperiod = \"{}\"\ndate = {}\nparticipants = [\"cmo\", \"sales_manager\", \"marketing_ops\"]\nnotes = \"Kvartalsuppföljning av marknadsplanen.\"\n",
                review.id, review.period, review.date,
            ));
            let evidence = Evidence {
                leads,
                plan,
                calendar,
                review,
            };
            for decision in DECISIONS.iter().filter(|d| d.review == index) {
                text.push_str(&self.decision_toml(decision, &evidence));
            }
        }
        write_file(&dir.join("reviews.toml"), &text)
    }

    fn decision_toml(&self, decision: &DecisionSpec, evidence: &Evidence<'_>) -> String {
        let mut out = format!(
            "\n[[decision]]\nid = \"{}\"\nreview = \"{}\"\naction = \"{}\"\nchannel = \"{}\"\n",
            decision.id, evidence.review.id, decision.action, decision.channel,
        );
        if let Some(campaign) = decision.campaign {
            out.push_str(&format!("campaign = {}\n", quote(campaign)));
        }
        let kpis: Vec<String> = decision.kpis.iter().map(|k| quote(k)).collect();
        out.push_str(&format!(
            "kpis = [{}]\ndecided_on = {}\n",
            kpis.join(", "),
            self.decided_on(decision)
        ));
        if let Some(effect) = decision.effect {
            out.push_str(&format!(
                "effect = {{ kpi = {}, direction = {}",
                quote(effect.kpi),
                quote(effect.direction)
            ));
            if let Some(size) = effect.size {
                out.push_str(&format!(", size = {size}"));
            }
            out.push_str(" }\n");
        }
        out.push_str(&format!(
            "rationale = {}\nexpected = {}\nowner = \"{}\"\nfollow_up = {}\nstatus = \"open\"\n",
            quote(&(decision.rationale)(evidence)),
            quote(decision.expected),
            decision.owner,
            self.follow_up(decision),
        ));
        out
    }

    /// Each decision's true effect over its follow-up window, the decision day and the
    /// follow-up day included.
    pub(crate) fn truth(&self, outcome: &DecisionOutcome<'_>) -> Vec<Value> {
        DECISIONS
            .iter()
            .map(|decision| {
                let from = self.decided_on(decision);
                let to = self.follow_up(decision);
                let in_window = |day: &Date| from <= *day && *day <= to;
                let effect_kpi = decision.effect.map(|e| e.kpi);
                let mut truth = json!({
                    "id": decision.id,
                    "review": self.reviews[decision.review].id,
                    "decided_on": from.to_string(),
                    "follow_up": to.to_string(),
                    "effect_kpi": effect_kpi,
                    "direction": decision.effect.map(|e| e.direction),
                    "effect_exists": effect_kpi.is_some_and(|kpi| moves(decision.change, kpi)),
                });
                let facts = outcome.facts(decision.change, &in_window);
                truth["spend_change"] = json!(kronor(facts.spend_change_cents));
                truth["true_effect"] = match effect_kpi {
                    Some("marketing_spend") => json!(kronor(facts.spend_change_cents)),
                    Some("leads") => json!(facts.leads),
                    _ => Value::Null,
                };
                if effect_kpi == Some("leads") {
                    truth["expected_effect"] = json!(round2(facts.expected_leads));
                } else if moves(decision.change, "leads") {
                    truth["lead_effect"] = json!(facts.leads);
                    truth["expected_lead_effect"] = json!(round2(facts.expected_leads));
                }
                if let Some(n) = facts.extra_events {
                    truth["extra_events"] = json!(n);
                }
                truth
            })
            .collect()
    }
}

/// What a change did in a window, as the process made it.
#[derive(Debug, Default)]
struct WindowFacts {
    /// Spend in öre: added costs, less costs not booked.
    spend_change_cents: i64,
    /// Leads the change made (negative: prevented), as drawn.
    leads: i64,
    /// The same, in expectation.
    expected_leads: f64,
    /// Events the change added.
    extra_events: Option<u64>,
}

/// What the process did that the decisions' truth is made of.
#[derive(Debug)]
pub(crate) struct DecisionOutcome<'a> {
    pub(crate) plan: &'a ActivityPlan,
    pub(crate) leads: &'a Leads,
    /// By day: the leads the stopped spend would have brought, as drawn and in expectation.
    pub(crate) lost_leads: &'a BTreeMap<Date, (u64, f64)>,
}

impl DecisionOutcome<'_> {
    fn facts(&self, change: Change, in_window: &dyn Fn(&Date) -> bool) -> WindowFacts {
        let changes = &self.plan.changes;
        match change {
            Change::StopMonthlyCost { kind } => {
                let (lost, expected) = self
                    .lost_leads
                    .iter()
                    .filter(|(day, _)| in_window(day))
                    .fold((0, 0.0), |(n, e), (_, (lost, expected))| {
                        (n + lost, e + expected)
                    });
                WindowFacts {
                    spend_change_cents: -changes
                        .not_booked
                        .iter()
                        .filter(|(k, day, _)| *k == kind && in_window(day))
                        .map(|(_, _, cents)| cents)
                        .sum::<i64>(),
                    leads: -(lost as i64),
                    expected_leads: -expected,
                    extra_events: None,
                }
            }
            Change::ScaleMonthlyCost { kind, .. } => WindowFacts {
                spend_change_cents: changes
                    .extra_cost
                    .iter()
                    .filter(|(k, day, _)| *k == kind && in_window(day))
                    .map(|(_, _, cents)| cents)
                    .sum(),
                ..WindowFacts::default()
            },
            Change::WeeklyWebinar { .. } => {
                let webinars: Vec<&(Date, String, i64)> = changes
                    .extra_webinars
                    .iter()
                    .filter(|(day, _, _)| in_window(day))
                    .collect();
                let ids: BTreeSet<&str> = webinars.iter().map(|(_, id, _)| id.as_str()).collect();
                let leads = self
                    .leads
                    .people
                    .iter()
                    .filter(|p| p.activity.as_deref().is_some_and(|a| ids.contains(a)))
                    .count();
                WindowFacts {
                    spend_change_cents: webinars.iter().map(|(_, _, cents)| cents).sum(),
                    leads: leads as i64,
                    expected_leads: webinars.len() as f64 * WEBINAR_LEADS,
                    extra_events: Some(webinars.len() as u64),
                }
            }
            Change::Nothing => WindowFacts::default(),
        }
    }
}

/// Whether a change moves `kpi` in the process: spend moves with any cost, leads (and the
/// MQLs they become) only where the process gives the changed spend a lead response.
fn moves(change: Change, kpi: &str) -> bool {
    let responds = |kind: &str| {
        monthly_channel(kind).is_some_and(|channel| CHANNELS.iter().any(|c| c.channel == channel))
    };
    match (change, kpi) {
        (Change::Nothing, _) => false,
        (_, "marketing_spend") => true,
        (
            Change::StopMonthlyCost { kind } | Change::ScaleMonthlyCost { kind, .. },
            "leads" | "mqls",
        ) => responds(kind),
        (Change::WeeklyWebinar { .. }, "leads" | "mqls") => true,
        _ => false,
    }
}

/// The channel of the monthly cost of `kind`.
fn monthly_channel(kind: &str) -> Option<&'static str> {
    MONTHLY_COSTS
        .iter()
        .find(|item| item.kind == kind)
        .map(|item| item.channel)
}

/// The first day of the first month that starts after `date`.
fn first_month_after(date: Date) -> Date {
    date.first_of_month().checked_add(1.month()).unwrap_or(date)
}

/// Whole kronor with a space between thousands: `21 050`.
fn swedish_kronor(value: f64) -> String {
    us_number(value, 0).replace(',', " ")
}

fn kronor(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// What the company saw at a review: its quarter's leads and costs.
#[derive(Debug)]
struct Evidence<'a> {
    leads: &'a Leads,
    plan: &'a ActivityPlan,
    calendar: &'a Calendar,
    review: &'a Review,
}

impl Evidence<'_> {
    fn in_quarter(&self, day: Date) -> bool {
        self.review.period.contains(day, self.calendar)
    }

    /// Leads of `channel` made in the quarter.
    fn leads(&self, channel: &str) -> u64 {
        self.leads
            .people
            .iter()
            .filter(|p| p.channel == channel && self.in_quarter(p.created.0))
            .count() as u64
    }

    /// The plan's costs of `channel` in the quarter, in kronor.
    fn plan_cost(&self, channel: &str) -> f64 {
        kronor(
            self.plan
                .bookings
                .iter()
                .filter(|b| b.channel == channel && self.in_quarter(b.date))
                .map(|b| b.cents)
                .sum(),
        )
    }

    /// The quarter's webinars: how many, their leads and their cost in kronor.
    fn webinars(&self) -> (u64, u64, f64) {
        let ids: BTreeSet<&str> = self
            .plan
            .webinars
            .iter()
            .filter(|(day, _)| self.in_quarter(**day))
            .map(|(_, id)| id.as_str())
            .collect();
        let leads = self
            .leads
            .people
            .iter()
            .filter(|p| p.activity.as_deref().is_some_and(|a| ids.contains(a)))
            .count() as u64;
        let cost = self
            .plan
            .bookings
            .iter()
            .filter(|b| ids.contains(b.activity.as_str()))
            .map(|b| b.cents)
            .sum();
        (ids.len() as u64, leads, kronor(cost))
    }

    /// Leads from the fairs in the year before the review.
    fn fair_leads_last_year(&self) -> u64 {
        let from = add_days(self.review.date, -365);
        self.leads
            .people
            .iter()
            .filter(|p| {
                p.activity
                    .as_deref()
                    .is_some_and(|a| a.starts_with("fair_"))
                    && from <= p.created.0
                    && p.created.0 < self.review.date
            })
            .count() as u64
    }
}
