//! Following up a decision: its KPIs when decided and now, its channel's spend and leads
//! before and after, and its effect on the KPI it was meant to move, measured against a
//! counterfactual over its follow-up window — the verdict is read from that effect's posterior.
//!
//! The effect is measured week by week: the KPI over the weeks from the decision to the
//! follow-up date is compared with what a Bayesian regression, fitted on the 26 weeks before
//! the decision with the same weeks a year earlier as a control (the season), predicts for
//! them (`utfall_mmm::lift`). A decision *worked* when the KPI moved the expected way with
//! posterior probability ≥ 95 %; once its follow-up date has come, anything less *did not
//! work*; before that date, or with fewer than four whole weeks to judge, it is *too early*.

use std::collections::BTreeMap;

use jiff::civil::Date;
use utfall_mmm::Series;
use utfall_mmm::lift::LiftInput;
use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;
use utfall_model::period::{Grain, Period};
use utfall_store::{Decision, Store};

use super::build::{add_days, estimate_text, name_of, quarter_before, subject, unit_of};
use super::{
    ActivityLift, ChannelChange, EffectMeasure, Estimate, FollowKpi, FollowUp, OutcomeLine, Text,
};
use crate::error::AppError;
use crate::mmm::{LiftRequest, LiftSettings, lift, lift_window, spend_by_channel};
use crate::scorecard::target_for;
use crate::session::Session;

/// Weeks before a decision that train the counterfactual.
const PRE_WEEKS: usize = 26;
/// Whole weeks needed after a decision to judge it.
const MIN_WEEKS: usize = 4;
/// Days to the follow-up when a decision names none.
const DEFAULT_FOLLOW_UP_DAYS: i64 = 90;
/// The posterior probability that counts as "worked".
const CONFIDENT: f64 = 0.95;

fn date(text: &str) -> Option<Date> {
    text.parse().ok()
}

/// The decisions due for follow-up at the review `review_id` of `period` held on `as_of`:
/// those of other reviews decided before the period ended whose follow-up date has come, and
/// not dropped.
pub(crate) async fn follow_ups(
    session: &Session,
    store: &Store,
    review_id: &str,
    period: Period,
    as_of: Date,
) -> Result<Vec<FollowUp>, AppError> {
    let calendar = &session.calendar;
    let end = period.end_exclusive(calendar);
    let reviews = store.reviews().await?;
    let review_period = |id: &str| {
        reviews
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.period.parse::<Period>().ok())
    };
    let mut out = Vec::new();
    for decision in store.decisions().await? {
        let d = &decision.decision;
        if d.review_id.as_deref() == Some(review_id) || d.status == "dropped" {
            continue;
        }
        let Some(decided) = date(&d.decided_on) else {
            continue;
        };
        let follow = d
            .follow_up
            .as_deref()
            .and_then(date)
            .unwrap_or_else(|| add_days(decided, DEFAULT_FOLLOW_UP_DAYS));
        // Due by the meeting, and not already followed up at an earlier review (an earlier
        // due date without an outcome is carried: it is overdue).
        let start = period.start(calendar);
        if decided >= end || follow > as_of || (follow < start && decision.outcome.is_some()) {
            continue;
        }
        let decided_period = d
            .review_id
            .as_deref()
            .and_then(review_period)
            .unwrap_or_else(|| quarter_before(decided, session));
        out.push(
            follow_up(
                session,
                &decision,
                decided,
                follow,
                decided_period,
                period,
                as_of,
            )
            .await?,
        );
    }
    Ok(out)
}

async fn follow_up(
    session: &Session,
    decision: &Decision,
    decided: Date,
    follow: Date,
    decided_period: Period,
    period: Period,
    as_of: Date,
) -> Result<FollowUp, AppError> {
    let d = &decision.decision;
    let mut ids: Vec<String> = d.kpis.clone();
    if let Some(effect) = &d.effect
        && !ids.contains(&effect.kpi)
    {
        ids.push(effect.kpi.clone());
    }
    ids.retain(|k| session.workspace.kpi(k).is_ok());
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let values = if id_refs.is_empty() {
        Default::default()
    } else {
        session
            .engine
            .evaluate(&id_refs, &[decided_period, period])
            .await?
    };
    let kpis = ids
        .iter()
        .map(|k| FollowKpi {
            kpi: k.clone(),
            name: name_of(session, k),
            unit: unit_of(session, k).as_str().to_string(),
            decided_period: decided_period.to_string(),
            at_decision: values.get(k, decided_period),
            now_period: period.to_string(),
            now: values.get(k, period),
            target: session
                .workspace
                .kpi(k)
                .ok()
                .and_then(|def| target_for(def, period))
                .map(|t| t.value),
        })
        .collect();
    let window_end = follow.min(as_of);
    let effect = match &d.effect {
        Some(e) if session.workspace.kpi(&e.kpi).is_ok() => {
            measure(session, &e.kpi, &e.direction, e.size, decided, window_end).await?
        }
        _ => None,
    };
    let channel = match &d.channel {
        Some(channel) => Some(channel_change(session, channel, decided, window_end).await?),
        None => None,
    };
    let lift = match &d.activity {
        Some(activity) => activity_lift(session, activity, d.effect.as_ref()).await?,
        None => None,
    };
    let due = follow <= as_of;
    let (verdict, why) = verdict(session, d.effect.as_ref(), effect.as_ref(), due, follow);
    Ok(FollowUp {
        decision: d.id.clone(),
        review: d.review_id.clone(),
        action: d.action.clone(),
        subject: subject(d),
        owner: d.owner.clone(),
        decided_on: decided.to_string(),
        follow_up: follow.to_string(),
        due,
        overdue: due && decision.outcome.is_none(),
        kpis,
        effect,
        channel,
        lift,
        verdict: verdict.to_string(),
        why,
        outcome: decision.outcome.as_ref().map(|o| OutcomeLine {
            verdict: o.verdict.clone(),
            note: o.note.clone(),
            by: o.by.clone(),
        }),
    })
}

fn verdict(
    session: &Session,
    expected: Option<&utfall_store::Effect>,
    measured: Option<&EffectMeasure>,
    due: bool,
    follow: Date,
) -> (&'static str, Text) {
    let currency = session.currency.as_str();
    let Some(expected) = expected else {
        return (
            "too_early",
            Text::new(
                "Ingen förväntad effekt angavs (KPI och riktning), så det finns inget att mäta.",
                "No expected effect (KPI and direction) was stated, so there is nothing to measure.",
            ),
        );
    };
    let Some(m) = measured else {
        return (
            "too_early",
            Text::new(
                format!(
                    "För få hela veckor efter beslutet för att mäta {}.",
                    expected.kpi
                ),
                format!(
                    "Too few whole weeks after the decision to measure {}.",
                    expected.kpi
                ),
            ),
        );
    };
    let unit = Unit::parse(&m.unit).unwrap_or(Unit::Number);
    let said = |l: Locale| {
        format!(
            "{}: {} {} {} {}; P = {}",
            m.kpi,
            l.say("effekt", "effect"),
            estimate_text(&m.effect, unit, currency, l),
            l.say("över", "over"),
            l.say(
                &format!("{} veckor", m.weeks),
                &format!("{} weeks", m.weeks)
            ),
            l.percent(m.probability_expected, 0)
        )
    };
    if !due {
        return (
            "too_early",
            Text::new(
                format!("Uppföljning {follow}; hittills {}", said(Locale::Sv)),
                format!("Follow-up on {follow}; so far {}", said(Locale::En)),
            ),
        );
    }
    let way = |l: Locale| match expected.direction.as_str() {
        "down" => l.say("nedåt", "down"),
        _ => l.say("uppåt", "up"),
    };
    if m.probability_expected >= CONFIDENT {
        (
            "worked",
            Text::new(
                format!("Gick {} som väntat. {}", way(Locale::Sv), said(Locale::Sv)),
                format!(
                    "Moved {} as expected. {}",
                    way(Locale::En),
                    said(Locale::En)
                ),
            ),
        )
    } else {
        (
            "did_not_work",
            Text::new(
                format!(
                    "Ingen effekt {} som går att skilja från slumpen. {}",
                    way(Locale::Sv),
                    said(Locale::Sv)
                ),
                format!(
                    "No effect {} distinguishable from chance. {}",
                    way(Locale::En),
                    said(Locale::En)
                ),
            ),
        )
    }
}

/// The KPI's effect over the whole weeks from `decided` to `end`, against a counterfactual
/// learnt on the 26 weeks before with the same weeks a year earlier as a control; `None` with
/// fewer than four whole weeks.
async fn measure(
    session: &Session,
    kpi: &str,
    direction: &str,
    size: Option<f64>,
    decided: Date,
    end: Date,
) -> Result<Option<EffectMeasure>, AppError> {
    let calendar = &session.calendar;
    let mut first = Period::containing(decided, Grain::Week, calendar);
    if first.start(calendar) < decided {
        first = first.next(calendar);
    }
    let mut last = Period::containing(end, Grain::Week, calendar);
    if last.end_exclusive(calendar) > add_days(end, 1) {
        last = last.previous(calendar);
    }
    let post = Period::covering(
        first.start(calendar),
        last.start(calendar),
        Grain::Week,
        calendar,
    );
    if post.len() < MIN_WEEKS || last.start(calendar) < first.start(calendar) {
        return Ok(None);
    }
    let lag = 52;
    let back = add_days(first.start(calendar), -7 * (PRE_WEEKS + lag) as i64);
    let weeks = Period::covering(back, last.start(calendar), Grain::Week, calendar);
    let values = session.engine.evaluate(&[kpi], &weeks).await?;
    let all: Vec<f64> = values
        .series(kpi)
        .iter()
        .map(|v| v.unwrap_or(0.0))
        .collect();
    if all.len() < lag + PRE_WEEKS + post.len() {
        return Ok(None);
    }
    let target = all[lag..].to_vec();
    let control = all[..all.len() - lag].to_vec();
    let dates: Vec<String> = weeks[lag..]
        .iter()
        .map(|w| w.start(calendar).to_string())
        .collect();
    let has_control = control[..PRE_WEEKS].iter().any(|v| *v != 0.0);
    let n = target.len();
    let input = LiftInput {
        dates,
        weekday: None,
        target,
        controls: if has_control {
            vec![Series {
                name: "same_week_last_year".into(),
                values: control,
            }]
        } else {
            Vec::new()
        },
        pre_start: 0,
        post_start: n - post.len(),
        post_end: n,
        trend: false,
        draws: 4000,
        seed: 20_261_201,
    };
    let result = utfall_mmm::lift::lift(&input)?;
    let p = result.probability_positive;
    Ok(Some(EffectMeasure {
        kpi: kpi.to_string(),
        unit: unit_of(session, kpi).as_str().to_string(),
        direction: direction.to_string(),
        window_start: first.start(calendar).to_string(),
        window_end: add_days(last.end_exclusive(calendar), -1).to_string(),
        weeks: post.len(),
        observed: result.observed_total,
        counterfactual: result.counterfactual_total.into(),
        effect: result.effect_total.into(),
        relative: result.effect_relative.into(),
        probability_expected: if direction == "down" { 1.0 - p } else { p },
        expected_size: size,
    }))
}

/// The channel's spend and leads over the window after the decision and as many days before.
async fn channel_change(
    session: &Session,
    channel: &str,
    decided: Date,
    end: Date,
) -> Result<ChannelChange, AppError> {
    let days = (end - decided).get_days().max(0) as i64 + 1;
    let before = Period::Range {
        start: add_days(decided, -days),
        end: add_days(decided, -1),
    };
    let after = Period::Range {
        start: decided,
        end: add_days(decided, days - 1),
    };
    let spend: BTreeMap<String, BTreeMap<Date, f64>> = if session.engine.has_table("spend") {
        spend_by_channel(session).await?
    } else {
        BTreeMap::new()
    };
    let sum = |from: Date, to: Date| -> f64 {
        spend
            .get(channel)
            .map_or(0.0, |by_day| by_day.range(from..=to).map(|(_, v)| v).sum())
    };
    let (mut leads_before, mut leads_after) = (None, None);
    if session.workspace.kpi("leads").is_ok() {
        match session
            .engine
            .evaluate_by(&["leads"], &[before, after], "channel")
            .await
        {
            Ok(split) => {
                leads_before = Some(split.get("leads", channel, before).unwrap_or(0.0));
                leads_after = Some(split.get("leads", channel, after).unwrap_or(0.0));
            }
            Err(utfall_engine::EngineError::NoSuchColumn { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(ChannelChange {
        channel: channel.to_string(),
        days,
        spend_before: sum(add_days(decided, -days), add_days(decided, -1)),
        spend_after: sum(decided, add_days(decided, days - 1)),
        leads_before,
        leads_after,
    })
}

/// The lift of the activity a decision concerns, on its expected KPI (else leads).
async fn activity_lift(
    session: &Session,
    activity: &str,
    effect: Option<&utfall_store::Effect>,
) -> Result<Option<ActivityLift>, AppError> {
    let kpi = effect.map_or("leads", |e| e.kpi.as_str());
    match lift_of(session, activity, kpi).await {
        Err(error) if error.is_user() => Ok(None),
        other => other,
    }
}

/// The lift of a dated activity on `kpi` over its days and the 14 after, against a
/// counterfactual learnt on the 56 days before (`None` without the KPI or an activity plan).
pub(crate) async fn lift_of(
    session: &Session,
    activity: &str,
    kpi: &str,
) -> Result<Option<ActivityLift>, AppError> {
    if session.workspace.kpi(kpi).is_err() || !session.engine.has_table("activities") {
        return Ok(None);
    }
    let request = LiftRequest {
        activity: activity.to_string(),
        kpi: kpi.to_string(),
        control_kpis: Vec::new(),
        pre_days: 56,
        post_days: 14,
        spend_controls: true,
    };
    let window = lift_window(session, &request).await?;
    let (name, start, end) = (window.name.clone(), window.start, window.end);
    let settings = LiftSettings {
        pre_days: 56,
        post_days: 14,
        trend: false,
        seed: 7,
    };
    let report = lift(kpi, window, &settings)?;
    Ok(Some(ActivityLift {
        activity: activity.to_string(),
        name,
        start: start.to_string(),
        end: end.to_string(),
        kpi: kpi.to_string(),
        effect: Estimate::from(report.result.effect_total),
        probability_positive: report.result.probability_positive,
        overlapping: report.overlapping.iter().map(|o| o.id.clone()).collect(),
    }))
}
