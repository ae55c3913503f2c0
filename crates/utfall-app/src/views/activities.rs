//! The activity plan: each activity's planned and actual cost, the conversions and revenue
//! attributed to it, and the lift of a dated activity on leads.

use serde::Serialize;

use crate::attribution::{AttributionRequest, ConversionKind, CreditTo, Model};
use crate::error::AppError;
use crate::series::CellValue;
use crate::session::Session;

/// One activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityLine {
    /// Its id.
    pub activity: String,
    /// Its name.
    pub name: String,
    /// What kind (`fair`, `webinar`, …).
    pub kind: Option<String>,
    /// Its channel.
    pub channel: Option<String>,
    /// Its first day.
    pub start: String,
    /// Its last day.
    pub end: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// Its budget (planned cost).
    pub planned: Option<f64>,
    /// What was spent on it (the spend rows tagged with it).
    pub actual: Option<f64>,
    /// Leads credited to it (linear model).
    pub leads: Option<f64>,
    /// Won deals credited to it (linear model).
    pub won_deals: Option<f64>,
    /// Won revenue credited to it (linear model).
    pub revenue: Option<f64>,
    /// Its lift on leads, for an activity of several days that is over.
    pub lift: Option<crate::review::ActivityLift>,
    /// `worked`, `did_not_work` or `too_early`/`unclear`, from the lift's probability.
    pub verdict: Option<&'static str>,
}

/// The activity plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityPlan {
    /// The currency of costs and revenue.
    pub currency: String,
    /// The activities, by start.
    pub activities: Vec<ActivityLine>,
}

/// The plan with cost, credit and lift.
pub async fn activities(session: &Session) -> Result<ActivityPlan, AppError> {
    let mut lines = plan(session).await?;
    let credit = |conversion| AttributionRequest {
        models: vec![Model::Linear],
        markov_order: 1,
        intervals: false,
        conversion,
        by: CreditTo::Activity,
        period: None,
        lookback_days: None,
        per_account: false,
        collapse: false,
        half_life_days: 7.0,
        position_weights: [0.4, 0.4],
        milestone_weights: [0.25, 0.25, 0.25, 0.15, 0.1],
    };
    let has_journeys = session.engine.has_table("touchpoints");
    if has_journeys {
        let leads = crate::attribution::run(session, &credit(ConversionKind::Leads)).await?;
        let won = crate::attribution::run(session, &credit(ConversionKind::WonDeals)).await?;
        for line in &mut lines {
            if let Some(row) = leads.rows.iter().find(|r| r.key == line.activity) {
                line.leads = row.models.first().map(|(_, c)| c.conversions);
                line.actual = line.actual.or(row.cost);
            }
            if let Some(row) = won.rows.iter().find(|r| r.key == line.activity) {
                line.won_deals = row.models.first().map(|(_, c)| c.conversions);
                line.revenue = row.models.first().map(|(_, c)| c.value);
                line.actual = line.actual.or(row.cost);
            }
        }
    }
    let today = session.today();
    for line in &mut lines {
        let (Ok(start), Some(Ok(end))) = (
            line.start.parse::<jiff::civil::Date>(),
            line.end.as_deref().map(str::parse::<jiff::civil::Date>),
        ) else {
            continue;
        };
        // A dated activity of several days, over for two weeks (the lift's window after it).
        if end <= start
            || end
                .checked_add(jiff::Span::new().days(14))
                .is_ok_and(|d| d >= today)
        {
            continue;
        }
        match crate::review::lift_of(session, &line.activity, "leads").await {
            Ok(Some(lift)) => {
                line.verdict = Some(verdict(lift.probability_positive));
                line.lift = Some(lift);
            }
            Ok(None) => {}
            Err(error) if error.is_user() => {}
            Err(error) => return Err(error),
        }
    }
    Ok(ActivityPlan {
        currency: session.currency.clone(),
        activities: lines,
    })
}

/// The verdict of a lift by its probability of a positive effect (as the review follows up).
fn verdict(probability_positive: f64) -> &'static str {
    if probability_positive >= 0.95 {
        "worked"
    } else if probability_positive <= 0.05 {
        "did_not_work"
    } else {
        "unclear"
    }
}

/// The imported plan (with its budgets and the spend tagged with each activity), then
/// `activities.toml`'s activities not imported.
async fn plan(session: &Session) -> Result<Vec<ActivityLine>, AppError> {
    let mut lines = Vec::new();
    if session.engine.has_table("activities") {
        let spent = if session.engine.has_table("spend") {
            "(SELECT activity_id, SUM(cost) AS cost FROM spend WHERE activity_id IS NOT NULL GROUP BY activity_id)"
        } else {
            "(SELECT CAST(NULL AS VARCHAR) AS activity_id, CAST(NULL AS DOUBLE) AS cost)"
        };
        let query = format!(
            "SELECT a.activity_id, a.name, a.kind, a.channel, CAST(a.start_date AS VARCHAR) AS start_text, \
             CAST(a.end_date AS VARCHAR) AS end_text, a.owner, a.budget, s.cost \
             FROM activities a LEFT JOIN {spent} s ON s.activity_id = a.activity_id \
             ORDER BY a.start_date, a.activity_id"
        );
        let result = crate::series::sql(session, &query).await?;
        for row in result.rows {
            let text = |i: usize| match row.get(i).map(|c| &c.value) {
                Some(CellValue::Null) | None => None,
                Some(_) => row.get(i).map(|c| c.text.clone()),
            };
            let number = |i: usize| match row.get(i).map(|c| &c.value) {
                Some(CellValue::Float(v)) => Some(*v),
                Some(CellValue::Int(v)) => Some(*v as f64),
                Some(CellValue::UInt(v)) => Some(*v as f64),
                _ => None,
            };
            lines.push(ActivityLine {
                activity: text(0).unwrap_or_default(),
                name: text(1).unwrap_or_default(),
                kind: text(2),
                channel: text(3),
                start: text(4).unwrap_or_default(),
                end: text(5),
                owner: text(6),
                planned: number(7),
                actual: number(8),
                leads: None,
                won_deals: None,
                revenue: None,
                lift: None,
                verdict: None,
            });
        }
    }
    for a in &session.workspace.activities {
        let id = a.def.id.get_ref();
        if lines.iter().any(|l| &l.activity == id) {
            continue;
        }
        lines.push(ActivityLine {
            activity: id.clone(),
            name: a.def.name.clone(),
            kind: Some(a.def.kind.get_ref().clone()),
            channel: Some(a.def.channel.get_ref().clone()),
            start: a.def.start.get_ref().to_string(),
            end: a.def.end.as_ref().map(|e| e.get_ref().to_string()),
            owner: a.def.owner.as_ref().map(|o| o.get_ref().clone()),
            planned: a.def.budget,
            actual: None,
            leads: None,
            won_deals: None,
            revenue: None,
            lift: None,
            verdict: None,
        });
    }
    Ok(lines)
}
