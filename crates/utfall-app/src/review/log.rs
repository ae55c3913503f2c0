//! The decision log as `reviews.toml` holds it: each decision — stop, start, continue, more, less — with its
//! KPIs at the review and in the latest complete period, and whether its follow-up is due.

use serde::Serialize;
use utfall_model::kinds::{DecisionStatus, Unit};
use utfall_model::period::{Grain, Period};
use utfall_model::workspace::civil_date;

use crate::error::AppError;
use crate::session::Session;
use crate::wire::display;

/// A decision's KPI at the review and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowedKpi {
    /// The KPI.
    pub kpi: String,
    /// Its unit.
    #[serde(skip)]
    pub unit: Unit,
    /// Its value in the review's period.
    pub at_review: Option<f64>,
    /// Its value in the latest complete period of the same grain.
    pub latest: Option<f64>,
    /// That period.
    #[serde(serialize_with = "display")]
    pub latest_period: Period,
}

/// One decision and its follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// The review it was made at.
    pub review: String,
    /// The review's period.
    #[serde(serialize_with = "display")]
    pub period: Period,
    /// The decision's id.
    pub decision: String,
    /// What was decided (`stop`, `start`, `continue`, `more`, `less`).
    pub action: String,
    /// The activity or channel it is about (`–` when neither).
    pub subject: String,
    /// Where it stands.
    #[serde(serialize_with = "display")]
    pub status: DecisionStatus,
    /// When it is to be followed up.
    #[serde(serialize_with = "crate::wire::display_option")]
    pub follow_up: Option<jiff::civil::Date>,
    /// Whether an open decision's follow-up date has come.
    pub due: bool,
    /// Why.
    pub rationale: Option<String>,
    /// What it was expected to do.
    pub expected: Option<String>,
    /// Who owns it.
    #[serde(skip)]
    pub owner: Option<String>,
    /// Its KPIs.
    pub kpis: Vec<FollowedKpi>,
}

/// A review with its decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFollowUp {
    /// The review's id.
    pub id: String,
    /// Its period.
    pub period: Period,
    /// The latest complete period of the same grain (the period itself for a date range).
    pub latest: Period,
    /// When it was held.
    pub date: Option<jiff::civil::Date>,
    /// Who took part.
    pub participants: Vec<String>,
    /// Its decisions.
    pub decisions: Vec<FollowUp>,
}

/// Every review of the workspace with its decisions' follow-ups.
pub async fn follow_ups(session: &Session) -> Result<Vec<ReviewFollowUp>, AppError> {
    let workspace = &session.workspace;
    let today = session.today();
    let calendar = &session.calendar;
    let mut out = Vec::new();
    for review in &workspace.reviews {
        let Ok(period) = review.def.period.get_ref().parse::<Period>() else {
            continue;
        };
        let latest = if period.grain() == Grain::Range {
            period
        } else {
            Period::containing(today, period.grain(), calendar).previous(calendar)
        };
        let decisions: Vec<_> = workspace
            .decisions
            .iter()
            .filter(|d| d.def.review.get_ref() == review.def.id.get_ref())
            .collect();
        let mut kpi_ids: Vec<&str> = decisions
            .iter()
            .flat_map(|d| d.def.kpis.iter().map(|k| k.get_ref().as_str()))
            .collect();
        kpi_ids.sort_unstable();
        kpi_ids.dedup();
        let values = if kpi_ids.is_empty() {
            Default::default()
        } else {
            session.engine.evaluate(&kpi_ids, &[period, latest]).await?
        };
        let mut follow_ups = Vec::new();
        for decision in &decisions {
            let def = &decision.def;
            let status = def.status();
            let follow_up = def.follow_up.as_ref().and_then(|f| civil_date(f.get_ref()));
            let kpis = def
                .kpis
                .iter()
                .map(|kpi| {
                    let id = kpi.get_ref().as_str();
                    FollowedKpi {
                        kpi: id.to_string(),
                        unit: workspace.kpi(id).map_or(Unit::Number, |k| k.unit()),
                        at_review: values.get(id, period),
                        latest: values.get(id, latest),
                        latest_period: latest,
                    }
                })
                .collect();
            follow_ups.push(FollowUp {
                review: review.def.id.get_ref().clone(),
                period,
                decision: def.id.get_ref().clone(),
                action: def.action.get_ref().clone(),
                subject: def
                    .activity
                    .as_ref()
                    .or(def.channel.as_ref())
                    .map_or("–".to_string(), |s| s.get_ref().clone()),
                status,
                follow_up,
                due: status == DecisionStatus::Open && follow_up.is_some_and(|d| d <= today),
                rationale: def.rationale.clone(),
                expected: def.expected.clone(),
                owner: def.owner.as_ref().map(|o| o.get_ref().clone()),
                kpis,
            });
        }
        out.push(ReviewFollowUp {
            id: review.def.id.get_ref().clone(),
            period,
            latest,
            date: review
                .def
                .date
                .as_ref()
                .and_then(|d| civil_date(d.get_ref())),
            participants: review
                .def
                .participants
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
            decisions: follow_ups,
        });
    }
    Ok(out)
}

/// The decision log as text: each review and its decisions with their KPIs then and now.
pub fn text(
    reviews: &[ReviewFollowUp],
    today: jiff::civil::Date,
    currency: &str,
    locale: utfall_model::locale::Locale,
) -> String {
    let mut text = String::new();
    for review in reviews {
        text.push_str(&format!(
            "Review {} — {}{}{}\n",
            review.id,
            review.period,
            review
                .date
                .map(|d| format!(", held {d}"))
                .unwrap_or_default(),
            if review.participants.is_empty() {
                String::new()
            } else {
                format!(", with {}", review.participants.join(", "))
            }
        ));
        for decision in &review.decisions {
            let due = match decision.follow_up {
                Some(day) if decision.status == DecisionStatus::Open && day <= today => {
                    format!("follow-up due since {day}")
                }
                Some(day) => format!("follow up {day}"),
                None => "no follow-up date".to_string(),
            };
            text.push_str(&format!(
                "  {:<9} {:<24} {:<7} {due}{}\n",
                decision.action.to_uppercase(),
                decision.subject,
                decision.status.as_str(),
                decision
                    .owner
                    .as_ref()
                    .map(|o| format!(", owner {o}"))
                    .unwrap_or_default()
            ));
            if let Some(why) = &decision.rationale {
                text.push_str(&format!("            why: {why}\n"));
            }
            if let Some(expected) = &decision.expected {
                text.push_str(&format!("            expected: {expected}\n"));
            }
            for kpi in &decision.kpis {
                let at_review = kpi.unit.format(kpi.at_review, currency, locale);
                if review.latest == review.period {
                    text.push_str(&format!("            {}: {at_review}\n", kpi.kpi));
                } else {
                    text.push_str(&format!(
                        "            {}: {at_review} in {} → {} in {}\n",
                        kpi.kpi,
                        review.period,
                        kpi.unit.format(kpi.latest, currency, locale),
                        review.latest
                    ));
                }
            }
        }
        text.push('\n');
    }
    if reviews.is_empty() {
        text.push_str("no reviews yet: add `[[review]]` and `[[decision]]` entries to `reviews.toml` (see docs/workspace-format.md), or `utfall review open PERIOD`\n");
    }
    text
}
