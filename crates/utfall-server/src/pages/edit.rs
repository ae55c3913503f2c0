//! Definitions in the browser (editors): a KPI's targets, amber bands and owners, and KPIs
//! from the library added to a goal. Every change runs `check` first and is written to the
//! definition files atomically by the application layer (`utfall_app::edit`); an edit of a file
//! that changed since its form was opened is refused and shown again, nothing lost.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utfall_app::edit::{Edited, KpiEdit, KpiForm, TargetEdit};

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html};

/// Empty rows the form offers for new targets.
const NEW_ROWS: usize = 3;

/// One row of the targets table, as text.
struct Row {
    period: String,
    kind: String,
    value: String,
    amber: String,
}

#[derive(Template)]
#[template(path = "kpi_edit.html")]
struct EditPage<'a> {
    layout: Layout<'a>,
    id: String,
    name: String,
    file: String,
    stamp: String,
    owners: String,
    rows: Vec<Row>,
    notice: String,
    conflict: bool,
    in_file: Vec<String>,
    problems: Vec<(String, String, String)>,
}

/// A number as a person typed it: `3 500 000`, `3500000,5`, `3,500,000.5`.
fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect::<String>()
        .replace('\u{2212}', "-");
    if cleaned.is_empty() {
        return None;
    }
    let normal = match (cleaned.contains('.'), cleaned.contains(',')) {
        (true, true) => cleaned.replace(',', ""),
        (false, true) => cleaned.replace(',', "."),
        _ => cleaned,
    };
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn rows_of(targets: &[TargetEdit]) -> Vec<Row> {
    let mut rows: Vec<Row> = targets
        .iter()
        .map(|t| Row {
            period: t.period.clone(),
            kind: t.kind.clone(),
            value: plain(t.value),
            amber: t
                .amber
                .map_or(String::new(), |a| plain((a * 1e6).round() / 1e4)),
        })
        .collect();
    for _ in 0..NEW_ROWS {
        rows.push(Row {
            period: String::new(),
            kind: "reach".into(),
            value: String::new(),
            amber: String::new(),
        });
    }
    rows
}

async fn form_of(state: &AppState, id: &str) -> Result<KpiForm, PageError> {
    let (dir, id) = (state.dir.clone(), id.to_string());
    tokio::task::spawn_blocking(move || utfall_app::edit::kpi_form(&dir, &id))
        .await
        .map_err(|e| PageError::internal(e.to_string(), false))?
        .map_err(|e| PageError::app(&e, false))
}

struct Shown {
    owners: String,
    rows: Vec<Row>,
    stamp: String,
    notice: String,
    conflict: bool,
    in_file: Vec<String>,
    problems: Vec<(String, String, String)>,
}

async fn render(
    state: &AppState,
    caller: &Caller,
    uri: &OriginalUri,
    form: &KpiForm,
    shown: Shown,
) -> Result<Response, PageError> {
    let context = Context::of(state, caller, false).await?;
    let layout = context.layout(state, caller, "edit-title", "goals", uri);
    let name = context
        .session
        .workspace
        .kpi(&form.kpi)
        .map(|k| k.name.get_ref().get(caller.locale).to_string())
        .unwrap_or_else(|_| form.kpi.clone());
    html(
        EditPage {
            layout,
            id: form.kpi.clone(),
            name,
            file: form.file.clone(),
            stamp: shown.stamp,
            owners: shown.owners,
            rows: shown.rows,
            notice: shown.notice,
            conflict: shown.conflict,
            in_file: shown.in_file,
            problems: shown.problems,
        }
        .render(),
    )
}

/// `GET /kpi/{id}/edit`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let form = form_of(&state, &id).await?;
    let shown = Shown {
        owners: form.owners.join(", "),
        rows: rows_of(&form.targets),
        stamp: form.stamp.clone(),
        notice: String::new(),
        conflict: false,
        in_file: Vec::new(),
        problems: Vec::new(),
    };
    render(&state, &caller, &uri, &form, shown).await
}

/// The edit a form sends: `owners`, `stamp`, and rows `period_N`, `kind_N`, `value_N`,
/// `amber_N` (percent); a row without a value is a target removed.
fn edit_of(id: &str, pairs: &[(String, String)]) -> Result<KpiEdit, String> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let owners = get("owners")
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let mut targets: Vec<TargetEdit> = Vec::new();
    for n in 0..500 {
        let period = get(&format!("period_{n}"));
        let value = get(&format!("value_{n}"));
        if !pairs.iter().any(|(k, _)| *k == format!("period_{n}")) {
            break;
        }
        if period.is_empty() && value.is_empty() {
            continue;
        }
        if period.is_empty() {
            return Err(format!("row {}: a target needs a period", n + 1));
        }
        if value.is_empty() {
            continue;
        }
        let value =
            parse_number(&value).ok_or_else(|| format!("{period}: `{value}` is not a number"))?;
        let amber = get(&format!("amber_{n}"));
        let amber = if amber.is_empty() {
            None
        } else {
            Some(
                parse_number(&amber)
                    .filter(|a| (0.0..=100.0).contains(a))
                    .ok_or_else(|| {
                        format!(
                            "{period}: the amber band `{amber}` is not a percentage from 0 to 100"
                        )
                    })?
                    / 100.0,
            )
        };
        if targets.iter().any(|t| t.period == period) {
            return Err(format!("{period} has two targets: keep one"));
        }
        let kind = get(&format!("kind_{n}"));
        targets.push(TargetEdit {
            period,
            kind: if kind.is_empty() {
                "reach".into()
            } else {
                kind
            },
            value,
            amber,
        });
    }
    Ok(KpiEdit {
        kpi: id.to_string(),
        stamp: get("stamp"),
        owners,
        targets,
    })
}

/// `POST /kpi/{id}/edit`.
pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    uri: OriginalUri,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let current = form_of(&state, &id).await?;
    let edit = edit_of(&id, &pairs);
    let submitted_rows = |edit: &KpiEdit| rows_of(&edit.targets);
    let edit = match edit {
        Ok(edit) => edit,
        Err(message) => {
            let shown = Shown {
                owners: current.owners.join(", "),
                rows: rows_of(&current.targets),
                stamp: current.stamp.clone(),
                notice: message,
                conflict: false,
                in_file: Vec::new(),
                problems: Vec::new(),
            };
            let mut response = render(&state, &caller, &uri, &current, shown).await?;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let (dir, edit_owned) = (state.dir.clone(), edit.clone());
    let edited: Edited =
        tokio::task::spawn_blocking(move || utfall_app::edit::edit_kpi(&dir, &edit_owned))
            .await
            .map_err(|e| PageError::internal(e.to_string(), false))?
            .map_err(|e| PageError::app(&e, false))?;
    if edited.written {
        let detail = format!("{}: {}", edited.file, edited.changes.join("; "));
        super::audit(&state, &caller, "kpi.edit", &id, &detail).await?;
        state.changed().await;
        return Ok(super::see_other(&format!(
            "/kpi/{}?edited=1",
            super::encode(&id)
        )));
    }
    if !edited.conflict && edited.changes.is_empty() {
        return Ok(super::see_other(&format!("/kpi/{}", super::encode(&id))));
    }
    let t = crate::i18n::Tr {
        messages: &state.messages,
        locale: caller.locale,
    };
    let (status, notice) = if edited.conflict {
        (
            StatusCode::CONFLICT,
            t.with("edit-conflict", "file", &edited.file),
        )
    } else {
        (StatusCode::BAD_REQUEST, t.get("edit-refused"))
    };
    let in_file = if edited.conflict {
        let mut lines = vec![format!(
            "owners: {}",
            if current.owners.is_empty() {
                "–".to_string()
            } else {
                current.owners.join(", ")
            }
        )];
        lines.extend(current.targets.iter().map(|t| {
            format!(
                "{} {} {}{}",
                t.period,
                t.kind,
                plain(t.value),
                t.amber.map_or(String::new(), |a| format!(
                    " (amber {} %)",
                    plain((a * 1e6).round() / 1e4)
                ))
            )
        }));
        lines
    } else {
        Vec::new()
    };
    let problems = edited
        .diagnostics
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| {
            (
                d.code.clone(),
                d.message.clone(),
                d.hint.clone().unwrap_or_default(),
            )
        })
        .collect();
    let shown = Shown {
        owners: edit.owners.join(", "),
        rows: submitted_rows(&edit),
        stamp: edited.stamp.clone(),
        notice,
        conflict: edited.conflict,
        in_file,
        problems,
    };
    let mut response = render(&state, &caller, &uri, &current, shown).await?;
    *response.status_mut() = status;
    Ok(response.into_response())
}

/// The form adding library KPIs to a goal.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct AddForm {
    kpi: String,
    goal: String,
}

/// `POST /goals/kpis`: adds a library KPI (and those it is computed from) to a goal.
pub(crate) async fn add(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    axum::Form(form): axum::Form<AddForm>,
) -> Result<Response, PageError> {
    let request = utfall_app::definitions::AddKpis {
        ids: vec![form.kpi.trim().to_string()],
        goal: Some(form.goal.trim().to_string()).filter(|g| !g.is_empty()),
        owners: Vec::new(),
    };
    let dir = state.dir.clone();
    let added =
        tokio::task::spawn_blocking(move || utfall_app::definitions::add_kpis(&dir, &request))
            .await
            .map_err(|e| PageError::internal(e.to_string(), false))?
            .map_err(|e| PageError::app(&e, false))?;
    if !added.added.is_empty() {
        let detail = format!(
            "{} added to {} in {}{}",
            added.added.join(", "),
            form.goal.trim(),
            added.file,
            if added.now_has_errors {
                " (check now finds errors)"
            } else {
                ""
            }
        );
        super::audit(&state, &caller, "kpi.add", form.kpi.trim(), &detail).await?;
        state.changed().await;
    }
    Ok(super::see_other(&format!(
        "/kpi/{}",
        super::encode(form.kpi.trim())
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(parse_number("3 500 000"), Some(3_500_000.0));
        assert_eq!(parse_number("3\u{a0}500\u{a0}000,5"), Some(3_500_000.5));
        assert_eq!(parse_number("3,500,000.5"), Some(3_500_000.5));
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number("\u{2212}4"), Some(-4.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn a_form_becomes_an_edit() {
        let pairs: Vec<(String, String)> = [
            ("stamp", "abc"),
            ("owners", "anna, bo ,"),
            ("period_0", "2026-10"),
            ("kind_0", "reach"),
            ("value_0", "1 200"),
            ("amber_0", "10"),
            ("period_1", "2026-11"),
            ("kind_1", "reach"),
            ("value_1", ""),
            ("amber_1", ""),
            ("period_2", ""),
            ("kind_2", "reach"),
            ("value_2", ""),
            ("amber_2", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let edit = edit_of("leads", &pairs).unwrap();
        assert_eq!(edit.stamp, "abc");
        assert_eq!(edit.owners, vec!["anna", "bo"]);
        assert_eq!(edit.targets.len(), 1);
        assert_eq!(edit.targets[0].value, 1200.0);
        assert_eq!(edit.targets[0].amber, Some(0.1));
        let mut bad = pairs.clone();
        bad[4].1 = "lots".into();
        assert_eq!(
            edit_of("leads", &bad).unwrap_err(),
            "2026-10: `lots` is not a number"
        );
    }
}
