//! The KPI workshop in the browser (editors): who → why → what → how on one screen, without
//! script. Each step is a form that posts the whole draft (the other steps' answers in hidden
//! fields) to `/workshop`, which checks the steps before the one asked for and shows it, with
//! `check`'s diagnostics of the draft added in memory; `/workshop/write` writes the goal and the
//! KPIs (`utfall_app::workshop::write`), and `/workshop/{goal}` is the summary to print.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use utfall_app::views::DataOverview;
use utfall_app::workshop::{AUDIENCES, Draft, MEASURABILITY_CODES, Problem, Step};
use utfall_model::workspace::Workspace;

use super::Context;
use crate::auth::Caller;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::{Layout, PageError, html};

/// A checkbox or option.
struct Choice {
    id: String,
    label: String,
    checked: bool,
}

/// A library entry in the "what" step.
struct Entry {
    id: String,
    name: String,
    description: String,
    formula: String,
    unit: String,
    checked: bool,
    present: bool,
}

/// A diagnostic of the draft: severity, code, message, hint, whether it is about measurability.
struct Diag {
    severity: String,
    code: String,
    message: String,
    hint: String,
    measurability: bool,
}

/// A table a KPI reads, as text.
struct TableLine {
    table: String,
    rows: String,
    filled: bool,
    sources: String,
    presets: String,
}

/// How one KPI is measured, as text.
struct KpiHow {
    id: String,
    name: String,
    formula: String,
    measurable: bool,
    tables: Vec<TableLine>,
}

#[derive(Template)]
#[template(path = "workshop.html")]
struct StepPage<'a> {
    layout: Layout<'a>,
    step: &'static str,
    steps: Vec<(&'static str, String, bool)>,
    hidden: Vec<(String, String)>,
    problems: Vec<String>,
    participants: String,
    audiences: Vec<Choice>,
    other_audiences: String,
    goal_id: String,
    name_sv: String,
    name_en: String,
    period: String,
    people: Vec<Choice>,
    owners_text: String,
    departments: Vec<Choice>,
    goals: Vec<Choice>,
    library: Vec<Entry>,
    diagnostics: Vec<Diag>,
    how: Vec<KpiHow>,
}

#[derive(Template)]
#[template(path = "workshop_summary.html")]
struct SummaryPage<'a> {
    layout: Layout<'a>,
    goal_id: String,
    name: String,
    period: String,
    owners: String,
    departments: String,
    parent: String,
    participants: Vec<String>,
    audiences: Vec<String>,
    kpis: Vec<(String, String, String, String, String)>,
    how: Vec<KpiHow>,
    open: Vec<Diag>,
    written: bool,
}

/// The draft a form sends: repeated `participant`, `audience`, `owner`, `department` and `kpi`
/// fields; `participants` (one a line), `other_audiences` and `owners_text` (commas) as typed.
fn draft_of(pairs: &[(String, String)]) -> Draft {
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let one = |name: &str| all(name).into_iter().next().unwrap_or_default();
    let split = |name: &str, by: char| -> Vec<String> {
        one(name)
            .split(by)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let unique = |items: Vec<String>| {
        let mut out: Vec<String> = Vec::new();
        for item in items {
            if !out.contains(&item) {
                out.push(item);
            }
        }
        out
    };
    let mut participants = all("participant");
    participants.extend(
        pairs
            .iter()
            .filter(|(k, _)| k == "participants")
            .flat_map(|(_, v)| v.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    let mut audiences = all("audience");
    audiences.extend(split("other_audiences", ','));
    let mut owners = all("owner");
    owners.extend(split("owners_text", ','));
    Draft {
        participants: unique(participants),
        audiences: unique(audiences),
        goal_id: one("goal_id"),
        name_sv: one("name_sv"),
        name_en: one("name_en"),
        period: one("period"),
        owners: unique(owners),
        departments: unique(all("department")),
        parent: Some(one("parent")).filter(|p| !p.is_empty()),
        kpis: unique(all("kpi")),
    }
}

/// The draft as hidden fields, without those the step `shown` has as inputs of its own.
fn hidden_of(draft: &Draft, shown: Step) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut many = |name: &str, items: &[String]| {
        out.extend(items.iter().map(|i| (name.to_string(), i.clone())));
    };
    if shown != Step::Who {
        many("participant", &draft.participants);
        many("audience", &draft.audiences);
    }
    if shown != Step::Why {
        many("owner", &draft.owners);
        many("department", &draft.departments);
        let parent: Vec<String> = draft.parent.iter().cloned().collect();
        many("parent", &parent);
        for (name, value) in [
            ("goal_id", &draft.goal_id),
            ("name_sv", &draft.name_sv),
            ("name_en", &draft.name_en),
            ("period", &draft.period),
        ] {
            many(name, std::slice::from_ref(value));
        }
    }
    if shown != Step::What {
        many("kpi", &draft.kpis);
    }
    out
}

/// A problem in the page's language.
fn say(t: &Tr<'_>, problem: &Problem) -> String {
    match problem {
        Problem::NoParticipants => t.get("workshop-problem-participants"),
        Problem::NoAudience => t.get("workshop-problem-audience"),
        Problem::NoGoalId => t.get("workshop-problem-goal-id"),
        Problem::InvalidGoalId { id, suggestion } => format!(
            "{} {}",
            t.with("workshop-problem-invalid-id", "id", id),
            t.with("workshop-problem-suggestion", "id", suggestion)
        ),
        Problem::GoalExists(id) => t.with("workshop-problem-goal-exists", "id", id),
        Problem::NoName => t.get("workshop-problem-name"),
        Problem::NoPeriod => t.get("workshop-problem-period"),
        Problem::InvalidPeriod(period) => t.with("workshop-problem-invalid-period", "id", period),
        Problem::NoOwner => t.get("workshop-problem-owner"),
        Problem::UnknownPerson(id) => t.with("workshop-problem-unknown-person", "id", id),
        Problem::UnknownGoal(id) => t.with("workshop-problem-unknown-goal", "id", id),
        Problem::NoKpi => t.get("workshop-problem-kpi"),
        Problem::UnknownKpi(id) => t.with("workshop-problem-unknown-kpi", "id", id),
        Problem::KpiPresent(id) => t.with("workshop-problem-kpi-present", "id", id),
    }
}

fn diag_of(d: &utfall_app::wire::CheckedProblem) -> Diag {
    Diag {
        severity: d.severity.to_string(),
        code: d.code.clone(),
        message: d.message.clone(),
        hint: d.hint.clone().unwrap_or_default(),
        measurability: MEASURABILITY_CODES.contains(&d.code.as_str()),
    }
}

/// The rows of every table in the data folder (the data page's overview, cached).
async fn table_rows(
    state: &AppState,
    context: &Context,
) -> Result<BTreeMap<String, u64>, PageError> {
    let session = context.session.clone();
    let overview: Arc<DataOverview> = state
        .cache
        .get(context.key("data"), async move {
            utfall_app::views::data_overview(&session).await
        })
        .await
        .map_err(|e| PageError::app(&e, false))?;
    Ok(overview
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.rows))
        .collect())
}

/// How the KPIs are measured, as text.
fn how_of(
    t: &Tr<'_>,
    context: &Context,
    workspace: &Workspace,
    kpis: &[String],
    rows: &BTreeMap<String, u64>,
) -> Vec<KpiHow> {
    let library = utfall_model::library::Library::get();
    utfall_app::workshop::measurement(workspace, kpis, rows)
        .into_iter()
        .map(|m| {
            let def = workspace
                .kpi(&m.kpi)
                .ok()
                .or_else(|| library.entry(&m.kpi).map(|e| &e.def));
            let none = || t.get("workshop-none");
            let list = |items: &[String]| {
                if items.is_empty() {
                    none()
                } else {
                    items.join(", ")
                }
            };
            KpiHow {
                name: def.map_or(m.kpi.clone(), |d| {
                    d.name.get_ref().get(t.locale).to_string()
                }),
                formula: def
                    .and_then(|d| d.formula.as_ref())
                    .map_or(String::new(), |f| f.get_ref().clone()),
                id: m.kpi,
                measurable: m.measurable,
                tables: m
                    .tables
                    .iter()
                    .map(|table| TableLine {
                        table: table.table.clone(),
                        rows: context.fmt.number(Some(table.rows as f64), 0),
                        filled: table.rows > 0,
                        sources: list(&table.sources),
                        presets: list(&table.presets),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn choices(items: &[(String, String)], chosen: &[String]) -> Vec<Choice> {
    items
        .iter()
        .map(|(id, label)| Choice {
            id: id.clone(),
            label: label.clone(),
            checked: chosen.contains(id),
        })
        .collect()
}

/// The page of `step` for `draft`, with `problems` said above the form.
async fn render(
    state: &AppState,
    caller: &Caller,
    uri: &OriginalUri,
    step: Step,
    draft: &Draft,
    problems: Vec<String>,
) -> Result<Response, PageError> {
    let context = Context::of(state, caller, false).await?;
    let layout = context.layout(state, caller, "workshop-title", "goals", uri);
    let t = layout.t;
    let workspace = &context.session.workspace;
    let config = workspace.config.as_ref().map(|c| &c.def);
    let people: Vec<(String, String)> = config.map_or(Vec::new(), |c| {
        c.people
            .iter()
            .map(|p| {
                let department = p.department.as_ref().map(|d| d.get_ref().as_str());
                let label = match department {
                    Some(d) => format!("{} ({d})", p.name),
                    None => p.name.clone(),
                };
                (p.id.get_ref().clone(), label)
            })
            .collect()
    });
    let departments: Vec<(String, String)> = config.map_or(Vec::new(), |c| {
        c.departments
            .iter()
            .map(|d| (d.get_ref().clone(), d.get_ref().clone()))
            .collect()
    });
    let goals: Vec<(String, String)> = workspace
        .goals
        .iter()
        .map(|g| {
            let id = g.def.id.get_ref().clone();
            (id, g.def.name.get_ref().get(caller.locale).to_string())
        })
        .collect();
    let audiences: Vec<(String, String)> = AUDIENCES
        .iter()
        .map(|a| (a.to_string(), t.get(&format!("workshop-audience-{a}"))))
        .collect();
    let library = utfall_app::definitions::library_entries(caller.locale, None)
        .into_iter()
        .map(|e| Entry {
            checked: draft.kpis.contains(&e.id),
            present: workspace.kpi(&e.id).is_ok(),
            id: e.id,
            name: e.name,
            description: e.description,
            formula: e.formula,
            unit: e.unit,
        })
        .collect();
    let diagnostics = if step >= Step::What {
        utfall_app::workshop::assess(workspace, draft)
            .diagnostics
            .iter()
            .map(diag_of)
            .collect()
    } else {
        Vec::new()
    };
    let how = if step == Step::How {
        let rows = table_rows(state, &context).await?;
        how_of(&t, &context, workspace, &draft.kpis, &rows)
    } else {
        Vec::new()
    };
    let steps = Step::ALL
        .iter()
        .map(|s| {
            let label = match s {
                Step::Who => t.get("workshop-step-who"),
                Step::Why => t.get("workshop-step-why"),
                Step::What => t.get("workshop-step-what"),
                Step::How => t.get("workshop-step-how"),
            };
            (s.as_str(), label, *s == step)
        })
        .collect();
    let known_people = !people.is_empty();
    html(
        StepPage {
            step: step.as_str(),
            steps,
            hidden: hidden_of(draft, step),
            problems,
            participants: draft.participants.join("\n"),
            audiences: choices(&audiences, &draft.audiences),
            other_audiences: draft
                .audiences
                .iter()
                .filter(|a| !AUDIENCES.contains(&a.as_str()))
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            goal_id: draft.goal_id.clone(),
            name_sv: draft.name_sv.clone(),
            name_en: draft.name_en.clone(),
            period: draft.period.clone(),
            owners_text: if known_people {
                String::new()
            } else {
                draft.owners.join(", ")
            },
            people: choices(&people, &draft.owners),
            departments: choices(&departments, &draft.departments),
            goals: choices(&goals, draft.parent.as_slice()),
            library,
            diagnostics,
            how,
            layout,
        }
        .render(),
    )
}

/// `GET /workshop`: the first step, with an empty draft.
pub(crate) async fn start(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    render(
        &state,
        &caller,
        &uri,
        Step::Who,
        &Draft::default(),
        Vec::new(),
    )
    .await
}

fn pairs_of(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

async fn refused(
    state: &AppState,
    caller: &Caller,
    uri: &OriginalUri,
    step: Step,
    draft: &Draft,
    problems: Vec<String>,
) -> Result<Response, PageError> {
    let mut response = render(state, caller, uri, step, draft, problems).await?;
    *response.status_mut() = StatusCode::BAD_REQUEST;
    Ok(response)
}

/// `POST /workshop`: the step `step` asks for, once the steps before it lack nothing (else the
/// first that does, with what it lacks, 400).
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let pairs = pairs_of(&body);
    let asked = pairs
        .iter()
        .find(|(k, _)| k == "step")
        .map_or("who", |(_, v)| v.as_str());
    let Some(target) = Step::parse(asked) else {
        return Err(PageError::bad(format!("there is no step `{asked}`"), false));
    };
    let draft = draft_of(&pairs);
    let context = Context::of(&state, &caller, false).await?;
    let problems = utfall_app::workshop::problems(&context.session.workspace, &draft, Some(target));
    if let Some(first) = problems.iter().map(Problem::step).min() {
        let t = Tr {
            messages: &state.messages,
            locale: caller.locale,
        };
        let said = problems
            .iter()
            .filter(|p| p.step() == first)
            .map(|p| say(&t, p))
            .collect();
        return refused(&state, &caller, &uri, first, &draft, said).await;
    }
    render(&state, &caller, &uri, target, &draft, Vec::new()).await
}

/// `POST /workshop/write`: writes the goal and its KPIs when the draft lacks nothing and
/// `check` finds no new errors; then the summary. Otherwise the step to fix, 400.
pub(crate) async fn write(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let draft = draft_of(&pairs_of(&body));
    let (dir, owned) = (state.dir.clone(), draft.clone());
    let written = tokio::task::spawn_blocking(move || utfall_app::workshop::write(&dir, &owned))
        .await
        .map_err(|e| PageError::internal(e.to_string(), false))?
        .map_err(|e| PageError::app(&e, false))?;
    let t = Tr {
        messages: &state.messages,
        locale: caller.locale,
    };
    if !written.written {
        let first = written.problems.iter().map(Problem::step).min();
        let mut said: Vec<String> = written
            .problems
            .iter()
            .filter(|p| Some(p.step()) == first)
            .map(|p| say(&t, p))
            .collect();
        if first.is_none() {
            said.push(t.get("workshop-problem-check"));
        }
        let step = first.unwrap_or(Step::What);
        return refused(&state, &caller, &uri, step, &draft, said).await;
    }
    let goal = draft.goal_id.trim();
    let added = written.added.as_ref();
    let detail = format!(
        "goals.toml: goal {goal} ({}); {} added to {}; participants: {}; audiences: {}",
        draft.period,
        added.map_or(String::new(), |a| a.added.join(", ")),
        added.map_or("kpis/library.toml", |a| a.file.as_str()),
        draft.participants.join(", "),
        draft.audiences.join(", ")
    );
    super::audit(&state, &caller, "workshop", goal, &detail).await?;
    state.changed().await;
    Ok(super::see_other(&format!(
        "/workshop/{}?written=1",
        super::encode(goal)
    )))
}

/// `GET /workshop/{goal}`: the summary of a goal's workshop, from the written definitions.
pub(crate) async fn summary(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(goal): Path<String>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let workspace = &context.session.workspace;
    let summary = utfall_app::workshop::summary(workspace, &goal, caller.locale)
        .map_err(|e| PageError::app(&e, false))?;
    let rows = table_rows(&state, &context).await?;
    let layout = context.layout(&state, &caller, "workshop-summary-title", "goals", &uri);
    let t = layout.t;
    let ids: Vec<String> = summary.kpis.iter().map(|k| k.id.clone()).collect();
    let how = how_of(&t, &context, workspace, &ids, &rows);
    let written = crate::routes::query_value(uri.query(), "written") == Some("1");
    html(
        SummaryPage {
            goal_id: summary.goal_id.clone(),
            name: summary.name.clone(),
            period: summary.period.clone(),
            owners: summary.owners.join(", "),
            departments: summary.departments.join(", "),
            parent: summary.parent.clone().unwrap_or_default(),
            participants: summary.participants.clone(),
            audiences: summary.audiences.clone(),
            kpis: summary
                .kpis
                .iter()
                .map(|k| {
                    (
                        k.id.clone(),
                        k.name.clone(),
                        k.formula.clone(),
                        k.description.clone(),
                        k.owners.join(", "),
                    )
                })
                .collect(),
            how,
            open: summary.open.iter().map(diag_of).collect(),
            written,
            layout,
        }
        .render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_form_becomes_a_draft_and_back() {
        let draft = draft_of(&pairs(&[
            ("participants", "Anna (marketing)\r\n\r\nBo (sales)\n"),
            ("audience", "management"),
            ("other_audiences", "board, investors"),
            ("goal_id", " grow_pipeline "),
            ("name_en", "Grow the pipeline"),
            ("period", "FY2026"),
            ("owner", "anna"),
            ("owner", "anna"),
            ("parent", ""),
            ("kpi", "leads"),
            ("kpi", "mqls"),
        ]));
        assert_eq!(draft.participants, vec!["Anna (marketing)", "Bo (sales)"]);
        assert_eq!(draft.audiences, vec!["management", "board", "investors"]);
        assert_eq!(draft.goal_id, "grow_pipeline");
        assert_eq!(draft.owners, vec!["anna"]);
        assert_eq!(draft.parent, None);
        assert_eq!(draft.kpis, vec!["leads", "mqls"]);
        // Carried to the "what" step: everything but the KPIs, which it shows as checkboxes.
        let hidden = hidden_of(&draft, Step::What);
        assert!(!hidden.iter().any(|(k, _)| k == "kpi"));
        let mut carried = hidden.clone();
        carried.push(("kpi".into(), "leads".into()));
        carried.push(("kpi".into(), "mqls".into()));
        assert_eq!(draft_of(&carried), draft);
        // Carried past every step: the same draft.
        let mut all = hidden_of(&draft, Step::How);
        all.push(("step".into(), "how".into()));
        assert_eq!(draft_of(&all), draft);
    }
}
