//! `utfall review`: the decision log with each decision's KPIs then and now.

use std::process::ExitCode;

use utfall_app::review::follow_ups;
use utfall_app::{Clock, Session};
use utfall_model::kinds::DecisionStatus;

use super::{block_on, lang_locale};
use crate::cli::{Format, Lang, ReviewArgs};
use crate::output::{print_json, print_stdout};

pub fn run(args: ReviewArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let session = Session::open(&args.dir, Clock::from_option(args.today)).await?;
        let locale = session.locale(lang_locale(lang));
        let currency = session.currency.as_str();
        let reviews = follow_ups(&session).await?;
        if args.format == Format::Json {
            let items: Vec<_> = reviews.iter().flat_map(|r| &r.decisions).collect();
            print_json(&items)?;
            return Ok(ExitCode::SUCCESS);
        }
        let today = session.today();
        let mut text = String::new();
        for review in &reviews {
            text.push_str(&format!(
                "Review {} — {}{}{}\n",
                review.id,
                review.period,
                review
                    .date
                    .map(|d| format!(", held {d}"))
                    .unwrap_or_default(),
                if review.participants.is_empty() {
                    String::new()
                } else {
                    format!(", with {}", review.participants.join(", "))
                }
            ));
            for decision in &review.decisions {
                let due = match decision.follow_up {
                    Some(day) if decision.status == DecisionStatus::Open && day <= today => {
                        format!("follow-up due since {day}")
                    }
                    Some(day) => format!("follow up {day}"),
                    None => "no follow-up date".to_string(),
                };
                text.push_str(&format!(
                    "  {:<9} {:<24} {:<7} {due}{}\n",
                    decision.action.to_uppercase(),
                    decision.subject,
                    decision.status.as_str(),
                    decision
                        .owner
                        .as_ref()
                        .map(|o| format!(", owner {o}"))
                        .unwrap_or_default()
                ));
                if let Some(why) = &decision.rationale {
                    text.push_str(&format!("            why: {why}\n"));
                }
                if let Some(expected) = &decision.expected {
                    text.push_str(&format!("            expected: {expected}\n"));
                }
                for kpi in &decision.kpis {
                    let at_review = kpi.unit.format(kpi.at_review, currency, locale);
                    if review.latest == review.period {
                        text.push_str(&format!("            {}: {at_review}\n", kpi.kpi));
                    } else {
                        text.push_str(&format!(
                            "            {}: {at_review} in {} → {} in {}\n",
                            kpi.kpi,
                            review.period,
                            kpi.unit.format(kpi.latest, currency, locale),
                            review.latest
                        ));
                    }
                }
            }
            text.push('\n');
        }
        if reviews.is_empty() {
            text.push_str("no reviews yet: add `[[review]]` and `[[decision]]` entries to `reviews.toml` (see docs/workspace-format.md)\n");
        }
        print_stdout(&text)?;
        Ok(ExitCode::SUCCESS)
    })
}
