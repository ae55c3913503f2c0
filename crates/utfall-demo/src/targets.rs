//! Targets for the KPIs that have owners, per fiscal quarter from the first reviewed one to the
//! end of the current fiscal year, set from what the same quarter made a year before: counts
//! and amounts 10 % better (won revenue 20 %: the business plan's goal), shares two
//! percentage points better, scores three points better.

use std::collections::BTreeMap;

use jiff::civil::Date;
use utfall_model::kinds::{Direction, TargetKind, Unit};
use utfall_model::library::Library;
use utfall_model::period::{Grain, Period};
use utfall_model::template::{KpiPlan, Plan, TargetPlan};

use crate::Timeline;
use crate::funnel::Deal;
use crate::plan::Booking;
use crate::survey::Wave;

/// How much better than the same quarter a year before a count or an amount is asked to be,
/// where it is not 10 %.
const IMPROVEMENT: &[(&str, f64)] = &[("won_revenue", 0.2)];
const DEFAULT_IMPROVEMENT: f64 = 0.1;
/// What a share (0–1) is asked to gain, or a percentage, or a score.
const SHARE_STEP: f64 = 0.02;
const PERCENT_STEP: f64 = 2.0;
const SCORE_STEP: f64 = 3.0;
/// How far short of its target a KPI is amber rather than red.
const AMBER: f64 = 0.1;

/// What the generator made that the owned KPIs measure.
#[derive(Debug)]
pub(crate) struct Facts<'a> {
    pub(crate) timeline: &'a Timeline,
    pub(crate) deals: &'a [Deal],
    pub(crate) mql_days: &'a [Date],
    /// Every cost in the books: the ad platforms' and the activity plan's.
    pub(crate) bookings: Vec<&'a Booking>,
    pub(crate) waves: &'a [Wave],
}

impl Facts<'_> {
    /// The value of `kpi` in `period` as Utfall computes it from the exports, if the
    /// generator knows how.
    fn value(&self, kpi: &str, period: Period) -> Option<f64> {
        let calendar = &self.timeline.calendar;
        let within = |day: Date| period.contains(day, calendar);
        match kpi {
            "won_revenue" => Some(
                self.deals
                    .iter()
                    .filter(|d| d.won && d.closed.is_some_and(|c| within(c.0)))
                    .map(|d| d.amount)
                    .sum(),
            ),
            "mqls" => Some(self.mql_days.iter().filter(|d| within(**d)).count() as f64),
            "cac" => {
                let spend: i64 = self
                    .bookings
                    .iter()
                    .filter(|b| within(b.date))
                    .map(|b| b.cents)
                    .sum();
                let new_customers = self.first_wins().values().filter(|d| within(**d)).count();
                (new_customers > 0).then(|| spend as f64 / 100.0 / new_customers as f64)
            }
            "marketing_sourced_pipeline_share" => {
                let created: Vec<&Deal> =
                    self.deals.iter().filter(|d| within(d.created.0)).collect();
                let all: f64 = created.iter().map(|d| d.amount).sum();
                let marketing: f64 = created
                    .iter()
                    .filter(|d| d.source != "sales_outbound")
                    .map(|d| d.amount)
                    .sum();
                (all > 0.0).then(|| marketing / all)
            }
            "aided_awareness" => self.wave_in(period).and_then(Wave::aided_awareness),
            "nps" => self.wave_in(period).and_then(Wave::nps),
            _ => None,
        }
    }

    /// Each account's first won deal's closing day.
    fn first_wins(&self) -> BTreeMap<usize, Date> {
        let mut first: BTreeMap<usize, Date> = BTreeMap::new();
        for deal in self.deals.iter().filter(|d| d.won) {
            if let Some(closed) = deal.closed {
                let day = first.entry(deal.account).or_insert(closed.0);
                *day = (*day).min(closed.0);
            }
        }
        first
    }

    fn wave_in(&self, period: Period) -> Option<&Wave> {
        self.waves
            .iter()
            .find(|w| period.contains(w.date, &self.timeline.calendar))
    }

    /// Whether the whole of `period` lies in the data.
    fn covers(&self, period: Period) -> bool {
        let calendar = &self.timeline.calendar;
        self.timeline.start <= period.start(calendar)
            && period.end_exclusive(calendar) <= crate::add_days(self.timeline.end, 1)
    }
}

/// The fiscal quarters that get targets: from `first` to the end of the fiscal year of the
/// last day.
pub(crate) fn target_quarters(first: Period, timeline: &Timeline) -> Vec<Period> {
    let calendar = &timeline.calendar;
    let year_end =
        Period::containing(timeline.end, Grain::FiscalYear, calendar).end_exclusive(calendar);
    let mut quarters = Vec::new();
    let mut quarter = first;
    while quarter.start(calendar) < year_end {
        quarters.push(quarter);
        quarter = quarter.next(calendar);
    }
    quarters
}

/// Sets the targets of every KPI with an owner for `quarters`, from the same quarter a year
/// before. A KPI whose direction is neutral gets none; one the generator cannot compute, or
/// whose quarters a year before are not in the data, keeps the template's. Returns the ids of
/// the owned KPIs left without data-derived targets.
pub(crate) fn set_targets(plan: &mut Plan, facts: &Facts<'_>, quarters: &[Period]) -> Vec<String> {
    let library = Library::get();
    let mut left = Vec::new();
    for kpi in plan.kpis.iter_mut().filter(|k| !k.owners.is_empty()) {
        let Some(entry) = library.entry(&kpi.id) else {
            left.push(kpi.id.clone());
            continue;
        };
        let (direction, unit) = (entry.def.direction(), entry.def.unit());
        if direction == Direction::Neutral {
            kpi.targets.clear();
            left.push(kpi.id.clone());
            continue;
        }
        let targets = targets_from_last_year(kpi, direction, unit, facts, quarters);
        if targets.is_empty() {
            left.push(kpi.id.clone());
        } else {
            kpi.targets = targets;
        }
    }
    left
}

fn targets_from_last_year(
    kpi: &KpiPlan,
    direction: Direction,
    unit: Unit,
    facts: &Facts<'_>,
    quarters: &[Period],
) -> Vec<TargetPlan> {
    let calendar = &facts.timeline.calendar;
    let higher = direction == Direction::Higher;
    let kind = match (higher, unit) {
        (false, _) => TargetKind::Below,
        (true, Unit::Ratio | Unit::Percent | Unit::Score) => TargetKind::Above,
        (true, _) => TargetKind::Reach,
    };
    quarters
        .iter()
        .filter_map(|quarter| {
            let last_year = quarter.same_period_last_year(calendar);
            if !facts.covers(last_year) {
                return None;
            }
            let before = facts.value(&kpi.id, last_year)?;
            let sign = if higher { 1.0 } else { -1.0 };
            let value = match unit {
                Unit::Ratio => round_decimals(before + sign * SHARE_STEP, 2).clamp(0.0, 1.0),
                Unit::Percent => round_decimals(before + sign * PERCENT_STEP, 1).clamp(0.0, 100.0),
                Unit::Score => (before + sign * SCORE_STEP).round(),
                _ => {
                    let improvement = IMPROVEMENT
                        .iter()
                        .find(|(id, _)| *id == kpi.id)
                        .map_or(DEFAULT_IMPROVEMENT, |(_, by)| *by);
                    (before * (1.0 + sign * improvement)).round()
                }
            };
            Some(TargetPlan {
                period: quarter.to_string(),
                kind: kind.as_str(),
                value,
                amber: Some(AMBER),
            })
        })
        .collect()
}

fn round_decimals(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}
