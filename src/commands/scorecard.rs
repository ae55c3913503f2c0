//! `utfall scorecard`: the goal tree's KPIs in a period, rendered.

use std::process::ExitCode;

use utfall_app::scorecard::{ScorecardRequest, scorecard, status_counts};
use utfall_app::wire::{Scorecard, Status};
use utfall_app::{Clock, Session};
use utfall_model::kinds::TargetKind;
use utfall_model::locale::Locale;

use super::{block_on, lang_locale};
use crate::cli::{Format, Lang, ScorecardArgs};
use crate::output::{print_json, print_stdout, table, write_csv};

pub fn run(args: ScorecardArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let session = Session::open(&args.dir, Clock::from_option(args.today)).await?;
        let request = ScorecardRequest {
            period: args.period.as_deref().map(str::parse).transpose()?,
            by: args.by.clone(),
            locale: lang_locale(lang),
        };
        let card = scorecard(&session, &request).await?;
        let locale = session.locale(request.locale);
        match args.format {
            Format::Json => print_json(&card)?,
            Format::Csv => write_csv(
                &CSV_HEADERS.split(',').collect::<Vec<_>>(),
                &csv_rows(&card),
            )?,
            Format::Table => print_stdout(&render(&card, &session.currency, locale))?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

const CSV_HEADERS: &str = "goal,kpi,value,target,progress,status,previous,last_year";

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn csv_rows(card: &Scorecard) -> Vec<Vec<String>> {
    card.kpis
        .iter()
        .map(|k| {
            vec![
                k.goal.clone(),
                k.kpi.clone(),
                number(k.value),
                number(k.target),
                number(k.progress),
                k.status.as_str().to_string(),
                number(k.previous),
                number(k.last_year),
            ]
        })
        .collect()
}

/// A status for people, with its sign.
pub fn status_text(status: Status, locale: Locale) -> &'static str {
    match status {
        Status::OnTrack => locale.say("● i fas", "● on track"),
        Status::AtRisk => locale.say("▲ i riskzonen", "▲ at risk"),
        Status::OffTrack => locale.say("✖ efter plan", "✖ off track"),
        Status::NoTarget => locale.say("· inget mål", "· no target"),
        Status::NoData => locale.say("– inga data", "– no data"),
    }
}

fn headers(running: bool, locale: Locale) -> [&'static str; 7] {
    let (value, previous, last_year) = if running {
        (
            locale.say("värde hittills", "value to date"),
            locale.say("mot föregående, hittills", "vs previous, to date"),
            locale.say("mot i fjol, hittills", "vs last year, to date"),
        )
    } else {
        (
            locale.say("värde", "value"),
            locale.say("mot föregående", "vs previous"),
            locale.say("mot i fjol", "vs last year"),
        )
    };
    [
        "KPI",
        value,
        locale.say("mål", "target"),
        locale.say("uppfyllt", "progress"),
        "status",
        previous,
        last_year,
    ]
}

fn render(card: &Scorecard, currency: &str, locale: Locale) -> String {
    let headers = headers(card.running, locale);
    let mut text = format!("{} — {}\n", card.workspace, card.period);
    if let Some(day) = card.day_of_period {
        text.push_str(&format!(
            "{} {day} {} {}; {}\n",
            locale.say("Pågående period: dag", "Running period: day"),
            locale.say("av", "of"),
            card.days_in_period,
            locale.say(
                "jämförelser till samma dag i tidigare perioder",
                "compared up to the same day of the earlier periods"
            )
        ));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut current_goal: Option<&str> = None;
    for kpi in &card.kpis {
        if current_goal != Some(kpi.goal.as_str()) {
            if !rows.is_empty() {
                text.push_str(&table(&headers, &rows));
                rows.clear();
            }
            text.push_str(&format!("\n{}\n", kpi.goal_name));
            current_goal = Some(kpi.goal.as_str());
        }
        let unit = kpi.unit;
        let indent = "  ".repeat(kpi.depth);
        let target = match (kpi.target, kpi.target_kind) {
            (Some(value), Some(kind)) => {
                let sign = match kind {
                    TargetKind::Below => "≤ ",
                    TargetKind::Above => "≥ ",
                    TargetKind::Reach => "",
                };
                format!("{sign}{}", unit.format(Some(value), currency, locale))
            }
            _ => "–".to_string(),
        };
        rows.push(vec![
            format!("{indent}{}", kpi.name),
            unit.format(kpi.value, currency, locale),
            target,
            kpi.progress
                .map_or("–".to_string(), |p| locale.percent(p, 0)),
            status_text(kpi.status, locale).to_string(),
            unit.format_change(kpi.value, kpi.previous, locale),
            unit.format_change(kpi.value, kpi.last_year, locale),
        ]);
        for line in kpi.by.iter().flatten() {
            rows.push(vec![
                format!("{indent}  · {}", line.value),
                unit.format(line.current, currency, locale),
                String::new(),
                String::new(),
                String::new(),
                unit.format_change(line.current, line.previous, locale),
                unit.format_change(line.current, line.last_year, locale),
            ]);
        }
    }
    if !rows.is_empty() {
        text.push_str(&table(&headers, &rows));
    }
    let summary: Vec<String> = status_counts(card)
        .iter()
        .map(|(status, n)| {
            let name = status_text(*status, locale);
            // Without the sign.
            format!(
                "{n} {}",
                name.split_once(' ').map_or(name, |(_, rest)| rest)
            )
        })
        .collect();
    text.push_str(&format!(
        "\n{} {}: {}\n",
        card.kpis.len(),
        locale.say("KPI:er", "KPIs"),
        summary.join(", ")
    ));
    text
}
