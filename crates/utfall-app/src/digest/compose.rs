//! What a digest and an alert say: computed once a run from the scorecard, the engine's values
//! and the store's decisions, then written in each reader's language.

use jiff::civil::Date;
use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;
use utfall_model::period::{Grain, Period};
use utfall_model::tree::KpiTree;
use utfall_store::{DigestKind, Store};

use crate::error::AppError;
use crate::review::Text;
use crate::scorecard::{ScorecardRequest, scorecard_on};
use crate::session::Session;
use crate::wire::{Scorecard, Status};

/// How many movers a digest lists.
pub const MOVERS: usize = 5;

/// A KPI whose status changed over the digest's period.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: Unit,
    /// Its status at the end of the period before.
    pub before: Status,
    /// Its status at the end of the digest's period.
    pub after: Status,
    /// Its value to date at the end of the digest's period.
    pub value: Option<f64>,
    /// Its target.
    pub target: Option<f64>,
    /// Its forecast to the end of the status period.
    pub forecast: Option<f64>,
}

/// A KPI that moved between the period before and the digest's period.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: Unit,
    /// Its value in the period before.
    pub before: f64,
    /// Its value in the digest's period.
    pub after: f64,
}

impl Mover {
    /// The relative change (`after / before - 1`).
    pub fn change(&self) -> f64 {
        (self.after - self.before) / self.before.abs()
    }
}

/// An open decision whose follow-up falls before the end of the coming period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDecision {
    /// Its id.
    pub id: String,
    /// What was decided (`more`, `stop`…).
    pub action: String,
    /// What it is about: the activity, channel or campaign.
    pub about: String,
    /// Who carries it out.
    pub owner: Option<String>,
    /// The day of its follow-up.
    pub follow_up: Date,
    /// Whether that day has passed.
    pub overdue: bool,
}

/// A digest of one period, in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// Weekly or monthly.
    pub kind: DigestKind,
    /// The period it covers (the last whole week or month).
    pub period: Period,
    /// The period its statuses are judged in (the scorecard's, as of the period's last day).
    pub status_period: Period,
    /// The workspace's name.
    pub workspace: String,
    /// The workspace's currency.
    pub currency: String,
    /// KPIs whose status changed, in the goal tree's order.
    pub changes: Vec<StatusChange>,
    /// The biggest movers, largest relative change first.
    pub movers: Vec<Mover>,
    /// Decisions overdue or due in the coming period, earliest first.
    pub decisions: Vec<DueDecision>,
}

/// A KPI at risk or off track in the running period, by forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: Unit,
    /// The running period.
    pub period: Period,
    /// `at_risk` or `off_track`.
    pub level: Status,
    /// Its value to date.
    pub value: Option<f64>,
    /// Its target.
    pub target: Option<f64>,
    /// Its forecast to the period's end, when the scorecard makes one.
    pub forecast: Option<f64>,
}

impl Alert {
    /// The delivery key: `alert:KPI:PERIOD:LEVEL`.
    pub fn key(&self) -> String {
        format!("alert:{}:{}:{}", self.kpi, self.period, self.level.as_str())
    }
}

/// The period a digest of `kind` covers on `today`: the last whole week (by the workspace's
/// week start, ISO weeks by default) or the last whole month.
pub fn due_period(kind: DigestKind, today: Date, session: &Session) -> Option<Period> {
    let grain = match kind {
        DigestKind::Weekly => Grain::Week,
        DigestKind::Monthly => Grain::Month,
        DigestKind::Alerts => return None,
    };
    Some(Period::containing(today, grain, &session.calendar).previous(&session.calendar))
}

/// The last day of `period`.
fn last_day(period: Period, session: &Session) -> Date {
    let end = period.end_exclusive(&session.calendar);
    end.checked_sub(jiff::Span::new().days(1)).unwrap_or(end)
}

fn name_of(session: &Session, kpi: &str) -> Text {
    session.workspace.kpi(kpi).map_or_else(
        |_| Text::new(kpi, kpi),
        |def| {
            let name = def.name.get_ref();
            Text::new(name.get(Locale::Sv), name.get(Locale::En))
        },
    )
}

async fn card_on(session: &Session, day: Date) -> Result<Scorecard, AppError> {
    scorecard_on(session, &ScorecardRequest::default(), day).await
}

/// The digest of `period` (a whole week or month) with the decisions due before the end of
/// the period after it.
pub async fn digest(
    session: &Session,
    store: &Store,
    kind: DigestKind,
    period: Period,
    today: Date,
) -> Result<Digest, AppError> {
    let calendar = &session.calendar;
    let before = period.previous(calendar);
    let (card_before, card_after) = (
        card_on(session, last_day(before, session)).await?,
        card_on(session, last_day(period, session)).await?,
    );
    let changes = card_after
        .kpis
        .iter()
        .filter_map(|after| {
            let was = card_before.kpis.iter().find(|k| k.kpi == after.kpi)?;
            (was.status != after.status).then(|| StatusChange {
                kpi: after.kpi.clone(),
                name: name_of(session, &after.kpi),
                unit: after.unit,
                before: was.status,
                after: after.status,
                value: after.value,
                target: after.target,
                forecast: after.forecast.as_ref().map(|f| f.value),
            })
        })
        .collect();
    let movers = movers(session, period, before).await?;
    let coming_end = period.next(calendar).end_exclusive(calendar);
    let decisions = due_decisions(store, today, coming_end).await?;
    Ok(Digest {
        kind,
        period,
        status_period: card_after.period,
        workspace: session.name().to_string(),
        currency: session.currency.clone(),
        changes,
        movers,
        decisions,
    })
}

/// The KPIs of the goal tree with the largest relative change from `before` to `period`
/// (both values known, the earlier one not zero).
async fn movers(session: &Session, period: Period, before: Period) -> Result<Vec<Mover>, AppError> {
    let tree = KpiTree::new(&session.workspace);
    let order = tree.goal_order();
    let mut ids: Vec<&str> = order.iter().map(|e| e.kpi.as_str()).collect();
    ids.dedup();
    let values = session.engine.evaluate(&ids, &[before, period]).await?;
    let mut movers: Vec<Mover> = Vec::new();
    for id in ids {
        if movers.iter().any(|m| m.kpi == id) {
            continue;
        }
        let (Some(b), Some(a)) = (values.get(id, before), values.get(id, period)) else {
            continue;
        };
        if b == 0.0 || a == b {
            continue;
        }
        let unit = session.workspace.kpi(id).map_or(Unit::Number, |d| d.unit());
        movers.push(Mover {
            kpi: id.to_string(),
            name: name_of(session, id),
            unit,
            before: b,
            after: a,
        });
    }
    movers.sort_by(|x, y| {
        y.change()
            .abs()
            .total_cmp(&x.change().abs())
            .then(x.kpi.cmp(&y.kpi))
    });
    movers.truncate(MOVERS);
    Ok(movers)
}

/// Open decisions without an outcome whose follow-up is before `until`.
async fn due_decisions(
    store: &Store,
    today: Date,
    until: Date,
) -> Result<Vec<DueDecision>, AppError> {
    let mut due: Vec<DueDecision> = store
        .decisions()
        .await?
        .into_iter()
        .filter(|d| d.decision.status == "open" && d.outcome.is_none())
        .filter_map(|d| {
            let follow_up: Date = d.decision.follow_up.as_deref()?.parse().ok()?;
            let n = d.decision;
            (follow_up < until).then(|| DueDecision {
                about: n
                    .activity
                    .or(n.channel)
                    .or(n.campaign)
                    .unwrap_or_else(|| n.kpis.join(", ")),
                id: n.id,
                action: n.action,
                owner: n.owner,
                follow_up,
                overdue: follow_up < today,
            })
        })
        .collect();
    due.sort_by(|a, b| a.follow_up.cmp(&b.follow_up).then(a.id.cmp(&b.id)));
    Ok(due)
}

/// The KPIs at risk or off track in the running period on `today` (the scorecard's period:
/// the fiscal quarter), judged as the scorecard judges them — a `reach` target on its forecast
/// to the period's end.
pub async fn alerts(session: &Session, today: Date) -> Result<Vec<Alert>, AppError> {
    let card = card_on(session, today).await?;
    let mut alerts: Vec<Alert> = Vec::new();
    for kpi in &card.kpis {
        if !matches!(kpi.status, Status::AtRisk | Status::OffTrack)
            || alerts.iter().any(|a| a.kpi == kpi.kpi)
        {
            continue;
        }
        alerts.push(Alert {
            kpi: kpi.kpi.clone(),
            name: name_of(session, &kpi.kpi),
            unit: kpi.unit,
            period: card.period,
            level: kpi.status,
            value: kpi.value,
            target: kpi.target,
            forecast: kpi.forecast.as_ref().map(|f| f.value),
        });
    }
    Ok(alerts)
}
