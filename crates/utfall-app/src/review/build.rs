//! Computing a review: the scorecard, the movers, the findings, the follow-up and the
//! suggestions, in that order (the suggestions read the rest).

use jiff::civil::Date;
use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;
use utfall_model::period::{Grain, Period};
use utfall_store::Store;

use super::{
    ActivityLift, AttributionFinding, AttributionLine, CreditLine, DecisionLine, Driver, Estimate,
    MixChannel, MixFinding, Moved, Mover, Review, ScoreRow, Suggestion, Text, VERSION,
};
use crate::attribution::{AttributionRequest, ConversionKind, CreditTo, Model};
use crate::error::AppError;
use crate::explain::{Base, ExplainRequest, explain};
use crate::mmm::{FitSource, activities};
use crate::scorecard::{ScorecardRequest, scorecard};
use crate::session::Session;

/// Movers shown per reason (moved most against the previous period; furthest short of target).
const MOVERS_PER_REASON: usize = 3;
/// The attribution models shown side by side.
const MODELS: &[Model] = &[
    Model::First,
    Model::Last,
    Model::Linear,
    Model::Markov,
    Model::Shapley,
];
/// KPIs whose saved mix model the review reads, in order of preference.
const MIX_KPIS: &[&str] = &["leads", "mqls", "pipeline", "won_revenue"];
/// The KPI activities' lifts are measured on.
const LIFT_KPI: &str = "leads";

/// What identifies a review, and its meeting.
#[derive(Debug, Clone)]
pub struct ReviewMeta {
    /// Its id.
    pub id: String,
    /// The period.
    pub period: Period,
    /// The day of the meeting.
    pub held_on: Option<Date>,
    /// Who takes part.
    pub participants: Vec<String>,
    /// What was said.
    pub notes: Option<String>,
}

/// The id a review of `period` gets by default: `fy2026_q2`.
pub fn default_id(period: Period) -> String {
    period.to_string().to_lowercase().replace(['-', '.'], "_")
}

pub(crate) fn name_of(session: &Session, kpi: &str) -> Text {
    match session.workspace.kpi(kpi) {
        Ok(def) => Text::new(
            def.name.get_ref().get(Locale::Sv),
            def.name.get_ref().get(Locale::En),
        ),
        Err(_) => Text::new(kpi, kpi),
    }
}

pub(crate) fn unit_of(session: &Session, kpi: &str) -> Unit {
    session
        .workspace
        .kpi(kpi)
        .map_or(Unit::Number, |def| def.unit())
}

/// Computes the review of `meta.period` as of `min(today, the meeting)`.
pub async fn build(
    session: &Session,
    store: &Store,
    meta: &ReviewMeta,
) -> Result<Review, AppError> {
    let calendar = &session.calendar;
    let today = session.today();
    let as_of = meta.held_on.map_or(today, |d| d.min(today));
    let period = meta.period;
    let mut gaps = Vec::new();
    let card = scorecard(
        session,
        &ScorecardRequest {
            period: Some(period),
            by: None,
            locale: Some(Locale::Sv),
        },
    )
    .await?;
    let rows: Vec<ScoreRow> = card
        .kpis
        .iter()
        .map(|k| {
            let def = session.workspace.kpi(&k.kpi).ok();
            let goal_name = session
                .workspace
                .goals
                .iter()
                .find(|g| g.def.id.get_ref() == &k.goal)
                .map_or_else(
                    || Text::new(&k.goal, &k.goal),
                    |g| {
                        Text::new(
                            g.def.name.get_ref().get(Locale::Sv),
                            g.def.name.get_ref().get(Locale::En),
                        )
                    },
                );
            ScoreRow {
                goal: k.goal.clone(),
                goal_name,
                kpi: k.kpi.clone(),
                name: name_of(session, &k.kpi),
                depth: k.depth,
                unit: k.unit.as_str().to_string(),
                owner: def.and_then(|d| d.owners.first().map(|o| o.get_ref().clone())),
                value: k.value,
                target: k.target,
                status: k.status.as_str().to_string(),
                progress: k.progress,
                previous: k.previous,
                last_year: k.last_year,
                forecast: k.forecast.as_ref().map(|f| f.value),
            }
        })
        .collect();
    let movers = movers(session, &rows, period).await?;
    let attribution = match attribution(session, period).await {
        Ok(found) => Some(found),
        Err(error) if error.is_user() => {
            gaps.push(Text::new(
                format!("Ingen attribution: {error}"),
                format!("No attribution: {error}"),
            ));
            None
        }
        Err(error) => return Err(error),
    };
    let mix = mix(session, store, &mut gaps).await?;
    let lifts = lifts(session, period, &mut gaps).await?;
    let follow_ups = super::follow::follow_ups(session, store, &meta.id, period, as_of).await?;
    let decisions = store
        .decisions()
        .await?
        .into_iter()
        .filter(|d| d.decision.review_id.as_deref() == Some(meta.id.as_str()))
        .map(|d| decision_line(&d.decision))
        .collect();
    let mut review = Review {
        version: VERSION,
        id: meta.id.clone(),
        workspace: session.name().to_string(),
        currency: session.currency.clone(),
        period: period.to_string(),
        first_day: period.start(calendar).to_string(),
        last_day: add_days(period.end_exclusive(calendar), -1).to_string(),
        previous: card.previous.to_string(),
        last_year: card.last_year.to_string(),
        running: card.running,
        as_of: as_of.to_string(),
        status: "open".into(),
        held_on: meta.held_on.map(|d| d.to_string()),
        participants: meta.participants.clone(),
        notes: meta.notes.clone(),
        closed: None,
        scorecard: rows,
        movers,
        attribution,
        mix,
        lifts,
        follow_ups,
        suggestions: Vec::new(),
        decisions,
        gaps,
    };
    review.suggestions = suggestions(&review);
    Ok(review)
}

pub(crate) fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(date)
}

pub(crate) fn subject(d: &utfall_store::NewDecision) -> String {
    [&d.activity, &d.channel, &d.campaign]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

fn decision_line(d: &utfall_store::NewDecision) -> DecisionLine {
    DecisionLine {
        id: d.id.clone(),
        action: d.action.clone(),
        subject: subject(d),
        kpis: d.kpis.clone(),
        effect: d.effect.as_ref().map(|e| {
            let size = e
                .size
                .map(|s| format!(" {:.0} %", s * 100.0))
                .unwrap_or_default();
            format!("{} {}{size}", e.kpi, e.direction)
        }),
        owner: d.owner.clone(),
        follow_up: d.follow_up.clone(),
        rationale: d.rationale.clone(),
    }
}

/// The KPIs that moved most against the previous period and those furthest short of target,
/// each split into its drivers one level down the KPI tree.
async fn movers(
    session: &Session,
    rows: &[ScoreRow],
    period: Period,
) -> Result<Vec<Mover>, AppError> {
    let mut by_change: Vec<(&ScoreRow, f64)> = rows
        .iter()
        .filter_map(|r| {
            let (v, p) = (r.value?, r.previous?);
            (p != 0.0 && v != p).then(|| (r, ((v - p) / p.abs()).abs()))
        })
        .collect();
    by_change.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.kpi.cmp(&b.0.kpi)));
    let mut short: Vec<(&ScoreRow, f64)> = rows
        .iter()
        .filter(|r| matches!(r.status.as_str(), "off_track" | "at_risk"))
        .filter(|r| r.previous.is_some() && r.value.is_some())
        .map(|r| (r, r.progress.unwrap_or(0.0)))
        .collect();
    short.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.kpi.cmp(&b.0.kpi)));
    let mut chosen: Vec<(&ScoreRow, &str)> = Vec::new();
    for (row, _) in by_change.into_iter().take(MOVERS_PER_REASON) {
        chosen.push((row, "previous"));
    }
    for (row, _) in short.into_iter().take(MOVERS_PER_REASON) {
        if !chosen.iter().any(|(r, _)| r.kpi == row.kpi) {
            chosen.push((row, "target"));
        }
    }
    let mut out = Vec::new();
    for (row, reason) in chosen {
        let explanation = explain(
            session,
            &ExplainRequest {
                kpi: row.kpi.clone(),
                period,
                vs: Base::Previous,
                by: None,
                top: 3,
                locale: Some(Locale::Sv),
            },
        )
        .await?;
        let Some(root) = explanation.lines.first() else {
            continue;
        };
        let (Some(before), Some(after)) = (root.before, root.after) else {
            continue;
        };
        let change = after - before;
        let drivers: Vec<Driver> = explanation
            .lines
            .iter()
            .filter(|l| l.depth == 1)
            .filter_map(|l| {
                Some(Driver {
                    kpi: l.kpi.clone(),
                    name: name_of(session, &l.kpi),
                    unit: l.unit.as_str().to_string(),
                    before: l.before,
                    after: l.after,
                    contribution: l.contribution?,
                })
            })
            .collect();
        let method = explanation
            .lines
            .iter()
            .find(|l| l.depth == 1)
            .and_then(|l| l.method)
            .map(String::from);
        let residual = change - drivers.iter().map(|d| d.contribution).sum::<f64>();
        let root_movers = explanation.movers.iter().find(|m| m.kpi == row.kpi);
        out.push(Mover {
            kpi: row.kpi.clone(),
            name: row.name.clone(),
            unit: row.unit.clone(),
            reason: reason.to_string(),
            before,
            after,
            change,
            relative: (before != 0.0).then(|| change / before.abs()),
            target: row.target,
            drivers,
            residual,
            method,
            dimension: root_movers.map(|m| m.dimension.clone()),
            moved: root_movers
                .map(|m| {
                    m.values
                        .iter()
                        .map(|v| Moved {
                            value: v.value.clone(),
                            before: v.before,
                            after: v.after,
                            change: v.change,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The period's pipeline credited to channels by the models side by side.
async fn attribution(session: &Session, period: Period) -> Result<AttributionFinding, AppError> {
    let report = crate::attribution::run(
        session,
        &AttributionRequest {
            models: MODELS.to_vec(),
            markov_order: 1,
            intervals: true,
            conversion: ConversionKind::Pipeline,
            by: CreditTo::Channel,
            period: Some(period),
            lookback_days: None,
            per_account: false,
            collapse: false,
            half_life_days: 7.0,
            position_weights: [0.4, 0.4],
            milestone_weights: [0.25, 0.25, 0.25, 0.15, 0.1],
        },
    )
    .await?;
    Ok(AttributionFinding {
        conversion: report.conversion.to_string(),
        conversions: report.conversions.round() as usize,
        value: report.value,
        models: report
            .models
            .iter()
            .map(|m| m.as_str().to_string())
            .collect(),
        rows: report
            .rows
            .iter()
            .map(|r| AttributionLine {
                channel: r.key.clone(),
                cost: r.cost,
                credits: r
                    .models
                    .iter()
                    .map(|(_, c)| CreditLine {
                        conversions: c.conversions,
                        value: c.value,
                        interval: c.conversions_interval,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// The latest saved mix model of the first KPI that has one.
async fn mix(
    session: &Session,
    store: &Store,
    gaps: &mut Vec<Text>,
) -> Result<Option<MixFinding>, AppError> {
    for kpi in MIX_KPIS {
        if session.workspace.kpi(kpi).is_err() || store.latest_fit(kpi).await?.is_none() {
            continue;
        }
        let saved = crate::mmm::report(
            &FitSource::Workspace {
                dir: session.dir.clone(),
                kpi: (*kpi).to_string(),
            },
            None,
        )
        .await?;
        return Ok(Some(MixFinding {
            kpi: (*kpi).to_string(),
            method: saved.report.method.to_string(),
            channels: saved
                .report
                .channels
                .iter()
                .map(|c| MixChannel {
                    channel: c.name.clone(),
                    spend: c.spend_total,
                    contribution: c.contribution_total.into(),
                    share: c.contribution_share,
                    roas: c.roas.into(),
                    mroas: c.mroas.into(),
                    identifiable: c.identifiable,
                })
                .collect(),
        }));
    }
    gaps.push(Text::new(
        "Ingen mixmodell är sparad: kör `utfall mmm fit --kpi leads` för kanalernas bidrag och marginalavkastning.",
        "No mix model is saved: run `utfall mmm fit --kpi leads` for the channels' contributions and marginal returns.",
    ));
    Ok(None)
}

/// The lift on leads of each activity of several days that started in the period.
async fn lifts(
    session: &Session,
    period: Period,
    gaps: &mut Vec<Text>,
) -> Result<Vec<ActivityLift>, AppError> {
    if session.workspace.kpi(LIFT_KPI).is_err() || !session.engine.has_table("activities") {
        return Ok(Vec::new());
    }
    let calendar = &session.calendar;
    let (first, end) = (period.start(calendar), period.end_exclusive(calendar));
    let plan = activities(session).await?;
    let mut out = Vec::new();
    for activity in plan
        .iter()
        .filter(|a| a.start >= first && a.start < end && a.end > a.start)
    {
        match super::follow::lift_of(session, &activity.id, LIFT_KPI).await {
            Ok(Some(found)) => out.push(found),
            Ok(None) => {}
            Err(error) if error.is_user() => gaps.push(Text::new(
                format!("Ingen lift för {}: {error}", activity.id),
                format!("No lift for {}: {error}", activity.id),
            )),
            Err(error) => return Err(error),
        }
    }
    Ok(out)
}

fn money(value: f64, currency: &str, locale: Locale) -> String {
    locale.money(value, currency, 0)
}

/// Suggestions from the findings, each with its evidence. They are marked as suggestions:
/// the review's people decide.
fn suggestions(review: &Review) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let currency = review.currency.as_str();
    if let Some(mix) = &review.mix {
        for c in mix.channels.iter().filter(|c| c.identifiable) {
            let evidence = |l: Locale| {
                format!(
                    "{} {} (94 %: {}–{}), {} {}",
                    l.say("marginalavkastning", "marginal return"),
                    l.number(c.mroas.mean, 2),
                    l.number(c.mroas.low, 2),
                    l.number(c.mroas.high, 2),
                    l.say("spenderat", "spent"),
                    money(c.spend, currency, l)
                )
            };
            let (action, sv, en) = if c.mroas.high < 1.0 {
                (
                    "less",
                    format!(
                        "Mindre på {}: nästa krona ger under en krona tillbaka.",
                        c.channel
                    ),
                    format!("Less on {}: the next krona returns under one.", c.channel),
                )
            } else if c.mroas.low > 1.0 {
                (
                    "more",
                    format!(
                        "Mer på {}: nästa krona ger mer än en krona tillbaka.",
                        c.channel
                    ),
                    format!(
                        "More on {}: the next krona returns more than one.",
                        c.channel
                    ),
                )
            } else {
                continue;
            };
            out.push(Suggestion {
                action: action.into(),
                subject: c.channel.clone(),
                text: Text::new(sv, en),
                evidence: Text::new(evidence(Locale::Sv), evidence(Locale::En)),
                source: "mix".into(),
            });
        }
    }
    for lift in &review.lifts {
        let evidence = |l: Locale| {
            format!(
                "{} {} {} (94 %: {} – {}), P(>0) = {}",
                l.say("effekt", "effect"),
                l.number(lift.effect.mean, 1),
                lift.kpi,
                l.number(lift.effect.low, 1),
                l.number(lift.effect.high, 1),
                l.percent(lift.probability_positive, 0)
            )
        };
        let (action, sv, en) = if lift.effect.low > 0.0 {
            (
                "continue",
                format!("Fortsätt med {}: effekten är tydligt över noll.", lift.name),
                format!("Continue {}: its effect is clearly above zero.", lift.name),
            )
        } else if lift.probability_positive < 0.5 {
            (
                "look_at",
                format!("Se över {}: ingen mätbar effekt.", lift.name),
                format!("Look at {}: no measurable effect.", lift.name),
            )
        } else {
            continue;
        };
        out.push(Suggestion {
            action: action.into(),
            subject: lift.activity.clone(),
            text: Text::new(sv, en),
            evidence: Text::new(evidence(Locale::Sv), evidence(Locale::En)),
            source: "lift".into(),
        });
    }
    for mover in review.movers.iter().filter(|m| m.reason == "target") {
        let worst = mover
            .drivers
            .iter()
            .filter(|d| d.contribution < 0.0)
            .min_by(|a, b| a.contribution.total_cmp(&b.contribution));
        let Some(worst) = worst else { continue };
        let unit = Unit::parse(&mover.unit).unwrap_or(Unit::Number);
        let evidence = |l: Locale| {
            format!(
                "{} {} → {}; {} {}",
                mover.name.get(l),
                unit.format(Some(mover.before), currency, l),
                unit.format(Some(mover.after), currency, l),
                worst.name.get(l),
                unit.format(Some(worst.contribution), currency, l)
            )
        };
        out.push(Suggestion {
            action: "look_at".into(),
            subject: worst.kpi.clone(),
            text: Text::new(
                format!(
                    "Titta på {}: största negativa drivaren för {}, som ligger efter målet.",
                    worst.name.sv, mover.name.sv
                ),
                format!(
                    "Look at {}: the largest negative driver of {}, which is short of target.",
                    worst.name.en, mover.name.en
                ),
            ),
            evidence: Text::new(evidence(Locale::Sv), evidence(Locale::En)),
            source: "scorecard".into(),
        });
    }
    for f in review.follow_ups.iter().filter(|f| f.due) {
        let (action, sv, en) = match f.verdict.as_str() {
            "worked" => (
                "continue",
                format!("Fortsätt: beslutet {} gav effekt.", f.decision),
                format!("Continue: the decision {} worked.", f.decision),
            ),
            "did_not_work" => (
                "look_at",
                format!("Ompröva beslutet {}: ingen effekt kunde mätas.", f.decision),
                format!(
                    "Reconsider the decision {}: no effect could be measured.",
                    f.decision
                ),
            ),
            _ => continue,
        };
        out.push(Suggestion {
            action: action.into(),
            subject: f.subject.clone(),
            text: Text::new(sv, en),
            evidence: f.why.clone(),
            source: "follow_up".into(),
        });
    }
    out
}

/// The fiscal quarter before the one holding `date` (the review period of a meeting held then).
pub fn quarter_before(date: Date, session: &Session) -> Period {
    Period::containing(date, Grain::FiscalQuarter, &session.calendar).previous(&session.calendar)
}

/// An estimate's text in the locale: `12 (94 %: 3–20)`.
pub(crate) fn estimate_text(e: &Estimate, unit: Unit, currency: &str, l: Locale) -> String {
    format!(
        "{} (94 %: {} – {})",
        unit.format(Some(e.mean), currency, l),
        unit.format(Some(e.low), currency, l),
        unit.format(Some(e.high), currency, l)
    )
}
