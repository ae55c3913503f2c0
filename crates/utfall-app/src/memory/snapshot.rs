//! Taking a snapshot: every KPI × month, quarter and year of the window, with its target and
//! status, under its definition version and data generation; and the system annotations that
//! go with it (definition changes, activities of the plan, imports).

use std::path::Path;
use std::time::Instant;

use jiff::civil::Date;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use utfall_engine::status::assess;
use utfall_ingest::import::ImportSummary;
use utfall_ingest::store::DataStore;
use utfall_model::period::{Grain, Period};
use utfall_store::{
    AnnotationKind, Definition, NewAnnotation, NewSnapshot, NewValue, Scope, Store,
};

use super::{hex, normalised_definition, open_store};
use crate::error::AppError;
use crate::scorecard::target_for;
use crate::session::{Clock, Session};

/// The grains a snapshot keeps.
pub const GRAINS: [Grain; 3] = [Grain::Month, Grain::Quarter, Grain::Year];

/// What to snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotRequest {
    /// Why (`manual`, `import`).
    pub reason: String,
    /// The first day (default: 1 January two years before today's year, so three years).
    pub from: Option<Date>,
    /// The last day (default: today).
    pub to: Option<Date>,
    /// The grains (default: [`GRAINS`]).
    pub grains: Vec<Grain>,
}

/// What a snapshot did.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotReport {
    /// The store's account (the snapshot's id, values written and unchanged, new versions).
    #[serde(flatten)]
    pub outcome: utfall_store::SnapshotOutcome,
    /// Values computed (KPIs × periods of every grain).
    pub values: usize,
    /// The data generation they were computed from.
    pub data_generation: String,
    /// Seconds computing them.
    pub compute_seconds: f64,
    /// Seconds storing them.
    pub store_seconds: f64,
    /// System annotations added.
    pub annotations_added: usize,
}

/// An id of the data store's current contents: the SHA-256 (16 hex digits) of the tables' part
/// files as the manifest names them. Any import that changes a table changes it.
pub fn data_generation(store: &DataStore) -> Result<String, AppError> {
    let manifest = store.manifest()?;
    let mut hasher = Sha256::new();
    for (table, file) in &manifest.tables {
        hasher.update(table.as_bytes());
        hasher.update([0]);
        for part in file.files() {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.update([1]);
    }
    Ok(hex(&hasher.finalize())[..16].to_string())
}

/// Every KPI's definition now, and one key of them all with their targets.
fn definitions(session: &Session) -> (Vec<Definition>, String) {
    let mut key = Sha256::new();
    let definitions: Vec<Definition> = session
        .workspace
        .kpis
        .iter()
        .map(|k| {
            let (definition, hash) = normalised_definition(&k.def);
            key.update(k.def.id.get_ref().as_bytes());
            key.update(hash.as_bytes());
            for t in &k.def.target {
                key.update(
                    format!(
                        "|{}|{}|{}|{:?}",
                        t.period.get_ref(),
                        t.kind.get_ref(),
                        t.value.get_ref(),
                        t.amber.as_ref().map(|a| *a.get_ref())
                    )
                    .as_bytes(),
                );
            }
            Definition {
                kpi_id: k.def.id.get_ref().clone(),
                hash,
                definition,
            }
        })
        .collect();
    (definitions, hex(&key.finalize()))
}

/// Every KPI's value, target and status in every period of `grain` in the window.
async fn values_of(
    session: &Session,
    grain: Grain,
    from: Date,
    to: Date,
) -> Result<Vec<NewValue>, AppError> {
    let periods = Period::covering(from, to, grain, &session.calendar);
    let ids: Vec<&str> = session
        .workspace
        .kpis
        .iter()
        .map(|k| k.def.id.get_ref().as_str())
        .collect();
    let values = session.engine.evaluate(&ids, &periods).await?;
    let today = session.today();
    let mut out = Vec::with_capacity(ids.len() * periods.len());
    for kpi in &session.workspace.kpis {
        let id = kpi.def.id.get_ref();
        for (i, period) in periods.iter().enumerate() {
            let value = values.series(id).get(i).copied().flatten();
            let target = target_for(&kpi.def, *period);
            let status = assess(value, target, *period, today, &session.calendar, None).status;
            let (low, high) = match target {
                Some(t) if t.kind == utfall_model::kinds::TargetKind::Below => {
                    (None, Some(t.value))
                }
                Some(t) => (Some(t.value), None),
                None => (None, None),
            };
            out.push(NewValue {
                kpi_id: id.clone(),
                grain: grain.as_str().to_string(),
                period: period.to_string(),
                period_start: period.start(&session.calendar).to_string(),
                value,
                target_low: low,
                target_high: high,
                status: Some(status.as_str().to_string()),
            });
        }
    }
    Ok(out)
}

/// Takes a snapshot of every KPI (see the module), and writes the system annotations for new
/// definition versions and the plan's activities.
pub async fn snapshot(
    session: &Session,
    store: &Store,
    request: &SnapshotRequest,
) -> Result<SnapshotReport, AppError> {
    let today = session.today();
    let to = request.to.unwrap_or(today);
    let from = request
        .from
        .unwrap_or_else(|| Date::new(to.year() - 2, 1, 1).unwrap_or(to));
    let started = Instant::now();
    let mut values = Vec::new();
    let grains = if request.grains.is_empty() {
        GRAINS.to_vec()
    } else {
        request.grains.clone()
    };
    for grain in grains {
        values.extend(values_of(session, grain, from, to).await?);
    }
    let data_generation = data_generation(&session.store)?;
    let compute_seconds = started.elapsed().as_secs_f64();
    let (definitions, definitions_key) = definitions(session);
    let now = session.clock.now(&session.zone);
    let n_values = values.len();
    let started = Instant::now();
    let outcome = store
        .snapshot(&NewSnapshot {
            taken_at: now,
            data_generation: data_generation.clone(),
            definitions_key,
            reason: request.reason.clone(),
            definitions,
            values,
        })
        .await?;
    let store_seconds = started.elapsed().as_secs_f64();
    let mut annotations_added = 0;
    for (kpi, version) in outcome.new_versions.iter().filter(|(_, v)| *v > 1) {
        let formula = session
            .workspace
            .kpi(kpi)
            .ok()
            .and_then(|k| k.formula.as_ref().map(|f| f.get_ref().clone()))
            .unwrap_or_default();
        let note = system(
            now,
            today,
            AnnotationKind::Definition,
            format!("{kpi}@v{version}"),
            format!("Definition v{version} of {kpi}: {formula}"),
        );
        annotations_added += usize::from(
            store
                .annotate(&NewAnnotation {
                    scope: Scope::Kpi,
                    scope_id: Some(kpi.clone()),
                    ..note
                })
                .await?
                .is_some(),
        );
    }
    if session.engine.has_table("activities") {
        for activity in session.engine.activity_rows().await? {
            let name = if activity.name.is_empty() {
                activity.id.clone()
            } else {
                activity.name.clone()
            };
            let note = NewAnnotation {
                ends_on: (activity.end != activity.start).then(|| activity.end.to_string()),
                ..system(
                    now,
                    activity.start,
                    AnnotationKind::Activity,
                    format!("activity:{}", activity.id),
                    format!("{name} ({})", activity.id),
                )
            };
            annotations_added += usize::from(store.annotate(&note).await?.is_some());
        }
    }
    Ok(SnapshotReport {
        outcome,
        values: n_values,
        data_generation,
        compute_seconds,
        store_seconds,
        annotations_added,
    })
}

/// A system annotation on everything.
fn system(
    now: jiff::Timestamp,
    on: Date,
    kind: AnnotationKind,
    source_ref: String,
    body: String,
) -> NewAnnotation {
    NewAnnotation {
        scope: Scope::All,
        scope_id: None,
        starts_on: on.to_string(),
        ends_on: None,
        body,
        author: "utfall".into(),
        kind,
        source_ref: Some(source_ref),
        created_at: now,
    }
}

/// After imports: an annotation for each (its id keeps it once), then a snapshot of the new
/// data (reason `import`).
pub async fn after_import(
    dir: &Path,
    imported: &[ImportSummary],
    clock: Clock,
) -> Result<SnapshotReport, AppError> {
    let session = Session::open(dir, clock).await?;
    let store = open_store(dir, &session.workspace).await?;
    let now = clock.now(&session.zone);
    let today = session.today();
    for summary in imported
        .iter()
        .filter(|s| !s.already_imported && s.imported > 0)
    {
        let file = Path::new(&summary.file)
            .file_name()
            .map_or(summary.file.clone(), |f| f.to_string_lossy().into_owned());
        let body = format!(
            "Imported {file}: {} rows into {}",
            summary.imported,
            summary.tables.join(", ")
        );
        store
            .annotate(&system(
                now,
                today,
                AnnotationKind::Import,
                format!("import:{}", summary.sha256),
                body,
            ))
            .await?;
    }
    let report = snapshot(
        &session,
        &store,
        &SnapshotRequest {
            reason: "import".into(),
            from: None,
            to: None,
            grains: Vec::new(),
        },
    )
    .await;
    store.close().await;
    report
}

/// The KPIs whose definition differs from the one their last snapshot was taken under:
/// (KPI, the version in force then, what changed in words).
pub async fn changed_definitions(
    dir: &Path,
    workspace: &utfall_model::workspace::Workspace,
) -> Result<Vec<(String, i64, String)>, AppError> {
    let location = super::location(dir, workspace);
    if let utfall_store::Location::Sqlite(path) = &location
        && !path.exists()
    {
        return Ok(Vec::new());
    }
    let store = Store::open(&location).await?;
    let versions = store.versions(None).await?;
    store.close().await;
    let mut out = Vec::new();
    for kpi in &workspace.kpis {
        let id = kpi.def.id.get_ref();
        let Some(last) = versions
            .iter()
            .filter(|v| v.kpi_id == *id)
            .max_by_key(|v| v.last_seen)
        else {
            continue;
        };
        let (now, hash) = normalised_definition(&kpi.def);
        if hash != last.hash {
            out.push((
                id.clone(),
                last.version,
                describe_change(&last.definition, &now),
            ));
        }
    }
    Ok(out)
}

/// Which parts changed between two normalised definitions (`formula`, `unit`, `currency`).
fn describe_change(old: &str, new: &str) -> String {
    let (Ok(old), Ok(new)) = (
        serde_json::from_str::<serde_json::Value>(old),
        serde_json::from_str::<serde_json::Value>(new),
    ) else {
        return "the definition".into();
    };
    let parts: Vec<&str> = ["formula", "unit", "currency"]
        .into_iter()
        .filter(|k| old.get(k) != new.get(k))
        .collect();
    if parts.is_empty() {
        "the definition".into()
    } else {
        parts.join(", ")
    }
}
