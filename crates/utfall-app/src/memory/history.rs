//! What was reported: a KPI's snapshots period by period beside today's value, and a changed
//! definition's old and new values side by side.

use serde::Serialize;
use utfall_model::locale::Locale;
use utfall_model::period::{Grain, Period};
use utfall_store::Store;

use super::normalised_definition;
use crate::error::AppError;
use crate::session::Session;

/// Whose history.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    /// The KPI.
    pub kpi: String,
    /// The grain (default: month; a given period's own grain).
    pub grain: Option<Grain>,
    /// One period only.
    pub period: Option<Period>,
}

/// One snapshot's value of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reported {
    /// When it was computed.
    pub at: jiff::Timestamp,
    /// The value.
    pub value: Option<f64>,
    /// The definition version it was computed under.
    pub version: i64,
    /// The status against the target then.
    pub status: Option<String>,
    /// The data generation it was computed from.
    pub data_generation: String,
}

/// A period's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodHistory {
    /// The period.
    pub period: String,
    /// What each snapshot that changed it reported, oldest first.
    pub reported: Vec<Reported>,
    /// Today's value from today's data and definition.
    pub now: Option<f64>,
}

/// A KPI's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiHistory {
    /// The KPI.
    pub kpi: String,
    /// Its unit.
    #[serde(serialize_with = "crate::wire::display")]
    pub unit: utfall_model::kinds::Unit,
    /// The grain.
    #[serde(serialize_with = "crate::wire::display")]
    pub grain: Grain,
    /// The version of today's definition (the next number when no snapshot has it yet).
    pub version_now: i64,
    /// Each period with a snapshot.
    pub periods: Vec<PeriodHistory>,
}

impl KpiHistory {
    /// Each period in a sentence: "2026-06: reported 211 on 2026-07-03 under v1; 198 today
    /// under v2"; `currency` is the workspace's.
    pub fn sentences(&self, currency: &str, locale: Locale) -> Vec<String> {
        let value = |v: Option<f64>| self.unit.format(v, currency, locale);
        self.periods
            .iter()
            .map(|p| {
                let mut parts: Vec<String> = p
                    .reported
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} {} {} {} v{}",
                            locale.say("rapporterat", "reported"),
                            value(r.value),
                            locale.say("den", "on"),
                            r.at.strftime("%Y-%m-%d"),
                            locale.say("enligt", "under"),
                            r.version
                        )
                    })
                    .collect();
                parts.push(format!(
                    "{} {} v{}",
                    value(p.now),
                    locale.say("i dag enligt", "today under"),
                    self.version_now
                ));
                format!("{}: {}", p.period, parts.join("; "))
            })
            .collect()
    }
}

/// The version number of `kpi`'s definition today: its stored version, or the next number.
async fn version_now(
    session: &Session,
    store: &Store,
    kpi: &str,
) -> Result<(i64, Vec<utfall_store::DefinitionVersion>), AppError> {
    let def = session.workspace.kpi(kpi)?;
    let (_, hash) = normalised_definition(def);
    let versions = store.versions(Some(kpi)).await?;
    let now = versions.iter().find(|v| v.hash == hash).map_or_else(
        || versions.iter().map(|v| v.version).max().unwrap_or(0) + 1,
        |v| v.version,
    );
    Ok((now, versions))
}

/// Today's values of `kpi` for `periods` (written as periods).
async fn live(
    session: &Session,
    kpi: &str,
    periods: &[String],
) -> Result<Vec<Option<f64>>, AppError> {
    let parsed: Vec<Period> = periods.iter().filter_map(|p| p.parse().ok()).collect();
    if parsed.len() != periods.len() || parsed.is_empty() {
        return Ok(vec![None; periods.len()]);
    }
    let values = session.engine.evaluate(&[kpi], &parsed).await?;
    Ok(values.series(kpi).to_vec())
}

/// A KPI's history (see the module).
pub async fn history(
    session: &Session,
    store: &Store,
    request: &HistoryRequest,
) -> Result<KpiHistory, AppError> {
    let def = session.workspace.kpi(&request.kpi)?;
    let grain = request
        .period
        .map(|p| p.grain())
        .or(request.grain)
        .unwrap_or(Grain::Month);
    let period_text = request.period.map(|p| p.to_string());
    let rows = store
        .history(&request.kpi, Some(grain.as_str()), period_text.as_deref())
        .await?;
    let mut periods: Vec<PeriodHistory> = Vec::new();
    for row in rows {
        if periods.last().is_none_or(|p| p.period != row.period) {
            periods.push(PeriodHistory {
                period: row.period.clone(),
                reported: Vec::new(),
                now: None,
            });
        }
        if let Some(p) = periods.last_mut() {
            p.reported.push(Reported {
                at: row.computed_at,
                value: row.value,
                version: row.definition_version,
                status: row.status,
                data_generation: row.data_generation,
            });
        }
    }
    // Periods with nothing but empty values are noise: keep those that ever had a value.
    periods.retain(|p| p.reported.iter().any(|r| r.value.is_some()));
    // The store orders by the period's text, which is time order within a grain.
    let names: Vec<String> = periods.iter().map(|p| p.period.clone()).collect();
    for (p, now) in periods
        .iter_mut()
        .zip(live(session, &request.kpi, &names).await?)
    {
        p.now = now;
    }
    let (version_now, _) = version_now(session, store, &request.kpi).await?;
    Ok(KpiHistory {
        kpi: request.kpi.clone(),
        unit: def.unit(),
        grain,
        version_now,
        periods,
    })
}

/// A definition's old and new values over the periods both cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Restatement {
    /// The KPI.
    pub kpi: String,
    /// The old version (the newest before today's).
    pub old_version: i64,
    /// Its normalised definition.
    pub old_definition: serde_json::Value,
    /// Today's version.
    pub new_version: i64,
    /// Today's normalised definition.
    pub new_definition: serde_json::Value,
    /// (period, as last reported under the old version, today's value).
    pub periods: Vec<(String, Option<f64>, Option<f64>)>,
}

/// The last definition before today's beside today's, over the periods of `grain` the old one
/// was reported for (see [`Restatement`]); refused when the KPI has had one definition only.
pub async fn restatement(
    session: &Session,
    store: &Store,
    kpi: &str,
    grain: Grain,
) -> Result<Restatement, AppError> {
    let def = session.workspace.kpi(kpi)?;
    let (now_json, _) = normalised_definition(def);
    let (new_version, versions) = version_now(session, store, kpi).await?;
    let Some(old) = versions
        .iter()
        .filter(|v| v.version != new_version)
        .max_by_key(|v| v.last_seen)
    else {
        return Err(AppError::user(format!(
            "{kpi} has had one definition only: nothing is restated"
        ))
        .hint(format!(
            "`utfall kpi history {kpi}` shows what was reported"
        )));
    };
    let rows = store.history(kpi, Some(grain.as_str()), None).await?;
    let mut old_values: Vec<(String, Option<f64>)> = Vec::new();
    for row in rows
        .into_iter()
        .filter(|r| r.definition_version == old.version)
    {
        match old_values.iter_mut().find(|(p, _)| *p == row.period) {
            Some(entry) => entry.1 = row.value,
            None => old_values.push((row.period, row.value)),
        }
    }
    old_values.retain(|(_, v)| v.is_some());
    let names: Vec<String> = old_values.iter().map(|(p, _)| p.clone()).collect();
    let now = live(session, kpi, &names).await?;
    let mut periods: Vec<(String, Option<f64>, Option<f64>)> = old_values
        .into_iter()
        .zip(now)
        .filter(|(_, now)| now.is_some())
        .map(|((p, old), now)| (p, old, now))
        .collect();
    periods.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Restatement {
        kpi: kpi.to_string(),
        old_version: old.version,
        old_definition: serde_json::from_str(&old.definition).unwrap_or_default(),
        new_version,
        new_definition: serde_json::from_str(&now_json).unwrap_or_default(),
        periods,
    })
}
