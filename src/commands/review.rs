//! `utfall review`: the decision log. Each decision — stop, start, continue, more, less — with
//! its KPIs at the review and now, and whether its follow-up is due.

use std::process::ExitCode;

use serde_json::json;
use utfall_model::period::{Grain, Period};

use super::engine::{format_value, locale_of, open};
use crate::cli::{Format, Lang, ReviewArgs};
use crate::output::{print_json, print_stdout};

use utfall_model::workspace::civil_date as date_of;

pub fn run(args: ReviewArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let opened = open(&args.dir)?;
    let workspace = &opened.workspace;
    let locale = locale_of(lang, workspace);
    let today = args.today.unwrap_or_else(|| {
        jiff::ZonedDateTime::now()
            .with_time_zone(opened.zone.clone())
            .date()
    });
    let mut text = String::new();
    let mut items = Vec::new();
    for review in &workspace.reviews {
        let Ok(period) = review.def.period.get_ref().parse::<Period>() else {
            continue;
        };
        // The latest complete period of the same grain, to follow the KPIs up.
        let latest = if period.grain() == Grain::Range {
            period
        } else {
            Period::containing(today, period.grain(), &opened.calendar).previous(&opened.calendar)
        };
        let decisions: Vec<_> = workspace
            .decisions
            .iter()
            .filter(|d| d.def.review.get_ref() == review.def.id.get_ref())
            .collect();
        let kpi_ids: Vec<&str> = {
            let mut ids: Vec<&str> = decisions
                .iter()
                .flat_map(|d| d.def.kpis.iter().map(|k| k.get_ref().as_str()))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let values = if kpi_ids.is_empty() {
            Default::default()
        } else {
            opened
                .engine
                .evaluate(&kpi_ids, &[period, latest])
                .map_err(|e| anyhow::anyhow!(e.to_string()))?
        };
        let participants: Vec<&str> = review
            .def
            .participants
            .iter()
            .map(|p| p.get_ref().as_str())
            .collect();
        let date = review.def.date.as_ref().and_then(|d| date_of(d.get_ref()));
        text.push_str(&format!(
            "Review {} — {period}{}{}\n",
            review.def.id.get_ref(),
            date.map(|d| format!(", held {d}")).unwrap_or_default(),
            if participants.is_empty() {
                String::new()
            } else {
                format!(", with {}", participants.join(", "))
            }
        ));
        for decision in &decisions {
            let def = &decision.def;
            let subject = def
                .activity
                .as_ref()
                .or(def.channel.as_ref())
                .map(|s| s.get_ref().as_str())
                .unwrap_or("–");
            let status = def.status.as_ref().map_or("open", |s| s.get_ref().as_str());
            let follow_up = def.follow_up.as_ref().and_then(|f| date_of(f.get_ref()));
            let due = match follow_up {
                Some(day) if status == "open" && day <= today => {
                    format!("follow-up due since {day}")
                }
                Some(day) => format!("follow up {day}"),
                None => "no follow-up date".to_string(),
            };
            text.push_str(&format!(
                "  {:<9} {subject:<24} {status:<7} {due}{}\n",
                def.action.get_ref().to_uppercase(),
                def.owner
                    .as_ref()
                    .map(|o| format!(", owner {}", o.get_ref()))
                    .unwrap_or_default()
            ));
            if let Some(why) = &def.rationale {
                text.push_str(&format!("            why: {why}\n"));
            }
            if let Some(expected) = &def.expected {
                text.push_str(&format!("            expected: {expected}\n"));
            }
            let mut kpis = Vec::new();
            for kpi in &def.kpis {
                let id = kpi.get_ref().as_str();
                let unit = workspace
                    .kpis
                    .iter()
                    .find(|k| k.def.id.get_ref() == id)
                    .map_or("number", |k| k.def.unit.get_ref().as_str());
                let series = values.get(id).cloned().unwrap_or_default();
                let (at_review, now) = (
                    series.first().copied().flatten(),
                    series.get(1).copied().flatten(),
                );
                if latest == period {
                    text.push_str(&format!(
                        "            {id}: {}\n",
                        format_value(at_review, unit, &opened.currency, locale)
                    ));
                } else {
                    text.push_str(&format!(
                        "            {id}: {} in {period} → {} in {latest}\n",
                        format_value(at_review, unit, &opened.currency, locale),
                        format_value(now, unit, &opened.currency, locale)
                    ));
                }
                kpis.push(json!({"kpi": id, "at_review": at_review, "latest": now, "latest_period": latest.to_string()}));
            }
            items.push(json!({
                "review": review.def.id.get_ref(), "period": period.to_string(), "decision": def.id.get_ref(),
                "action": def.action.get_ref(), "subject": subject, "status": status,
                "follow_up": follow_up.map(|d| d.to_string()), "due": status == "open" && follow_up.is_some_and(|d| d <= today),
                "rationale": def.rationale, "expected": def.expected, "kpis": kpis,
            }));
        }
        text.push('\n');
    }
    if workspace.reviews.is_empty() {
        text.push_str("no reviews yet: add `[[review]]` and `[[decision]]` entries to `reviews.toml` (see docs/workspace-format.md)\n");
    }
    match args.format {
        Format::Json => print_json(&items)?,
        _ => print_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
