//! The memory's lists laid out: annotations, comments, people, a KPI's history and a
//! restatement, and a snapshot's account.

use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;

use crate::memory::{KpiHistory, RenderedComment, Restatement, SnapshotReport};
use crate::present::Table;

/// People's text in one line: control characters (terminal escapes, newlines) become spaces.
fn one_line(text: &str) -> String {
    text.replace(|c: char| c.is_control(), " ")
}

/// Annotations: id, when, about, kind, author, note.
pub fn annotations(notes: &[utfall_store::Annotation]) -> Table {
    let rows = notes
        .iter()
        .map(|a| {
            let on = match &a.ends_on {
                Some(end) => format!("{} – {end}", a.starts_on),
                None => a.starts_on.clone(),
            };
            let about = a.scope_id.clone().unwrap_or_else(|| "(all)".into());
            vec![
                a.id.to_string(),
                on,
                about,
                a.kind.as_str().into(),
                a.author.clone(),
                one_line(&a.body),
            ]
        })
        .collect();
    Table::new(["id", "when", "about", "kind", "author", "note"], rows)
}

/// Comments in thread order, answers indented.
pub fn comments(comments: &[RenderedComment]) -> Table {
    let rows = comments
        .iter()
        .map(|c| {
            let when = c.comment.created_at.strftime("%Y-%m-%d %H:%M").to_string();
            let body = format!("{}{}", "  ".repeat(c.depth), one_line(&c.comment.body));
            vec![
                c.comment.id.to_string(),
                c.comment.period.clone(),
                c.comment.author.clone(),
                when,
                body,
            ]
        })
        .collect();
    Table::new(["id", "period", "author", "written", "comment"], rows)
}

/// People: id, name, e-mail, role, whether a password is set.
pub fn users(users: &[utfall_store::User]) -> Table {
    let rows = users
        .iter()
        .map(|u| {
            vec![
                u.id.clone(),
                u.name.clone(),
                u.email.clone().unwrap_or_default(),
                u.role.as_str().into(),
                u.has_password.to_string(),
            ]
        })
        .collect();
    Table::new(["id", "name", "email", "role", "password"], rows)
}

/// A KPI's history for CSV: each snapshot's value of each period, then today's (`now`).
pub fn history_rows(history: &KpiHistory) -> Table {
    let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rows = history
        .periods
        .iter()
        .flat_map(|p| {
            let reported = p.reported.iter().map(|r| {
                vec![
                    p.period.clone(),
                    r.at.to_string(),
                    text(r.value),
                    r.version.to_string(),
                    r.status.clone().unwrap_or_default(),
                ]
            });
            let now = vec![
                p.period.clone(),
                "now".into(),
                text(p.now),
                history.version_now.to_string(),
                String::new(),
            ];
            reported.chain(std::iter::once(now)).collect::<Vec<_>>()
        })
        .collect();
    Table::new(
        ["period", "computed_at", "value", "version", "status"],
        rows,
    )
}

/// A restatement: period, the old version's value, the new one's, and the change; formatted in
/// `locale` (with the workspace's `currency`) or, with `locale` `None`, as plain numbers.
pub fn restatement(r: &Restatement, unit: Unit, currency: &str, locale: Option<Locale>) -> Table {
    let show = |v: Option<f64>| match locale {
        Some(locale) => unit.format(v, currency, locale),
        None => v.map(|v| v.to_string()).unwrap_or_default(),
    };
    let rows = r
        .periods
        .iter()
        .map(|(p, old, new)| {
            vec![
                p.clone(),
                show(*old),
                show(*new),
                unit.format_change(*new, *old, locale.unwrap_or(Locale::En)),
            ]
        })
        .collect();
    Table::new(
        [
            "period".to_string(),
            format!("v{}", r.old_version),
            format!("v{}", r.new_version),
            "change".into(),
        ],
        rows,
    )
    .note(format!("v{}: {}", r.old_version, r.old_definition))
    .note(format!("v{}: {}", r.new_version, r.new_definition))
}

/// A snapshot's account in one line.
pub fn snapshot(report: &SnapshotReport) -> String {
    let which = report.outcome.snapshot.map_or_else(
        || "no new snapshot (nothing changed)".to_string(),
        |id| format!("snapshot {id}"),
    );
    let versions = if report.outcome.new_versions.is_empty() {
        "none".to_string()
    } else {
        report
            .outcome
            .new_versions
            .iter()
            .map(|(k, v)| format!("{k} v{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{which}: {} values ({} changed, {} unchanged) from data {}; new definition versions: {versions}",
        report.values,
        report.outcome.values_written,
        report.outcome.unchanged,
        report.data_generation
    )
}
