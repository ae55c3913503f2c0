//! The workspace around the exports: the list of exports, the definition files from the B2B
//! template with targets from the process, and the truth.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::json;
use utfall_model::period::{Calendar, Grain, Period};
use utfall_model::template::{Plan, SourcePlan, Template};

use crate::company::{
    BASELINE, CHANNELS, EVENTS_QUALITY, LEAD_TO_MQL, MQL_TO_SQL, SHOCK_DAYS, SHOCK_DEMAND,
    SQL_TO_OPPORTUNITY, WIN_RATE,
};
use crate::funnel::{Deal, Funnel};
use crate::leads::Leads;
use crate::targets::{Facts, set_targets};
use crate::{DemoConfig, DemoError, Export, Timeline, add_days, write_file};

/// The text of every export but the web events, which were streamed to their file.
#[derive(Debug)]
pub(crate) struct ExportFiles {
    pub(crate) contacts: String,
    pub(crate) companies: String,
    pub(crate) deals: String,
    pub(crate) google: String,
    pub(crate) linkedin: String,
    pub(crate) meta: String,
    pub(crate) activities: String,
    pub(crate) survey: String,
    pub(crate) touchpoints: String,
    pub(crate) email: String,
}

impl ExportFiles {
    /// Writes the files; returns every export, the web events' file included, in the order
    /// the workspace lists its sources.
    pub(crate) fn write(self, dir: &Path, web_path: PathBuf) -> Result<Vec<Export>, DemoError> {
        let files = [
            (
                "exports/hubspot/contacts.csv",
                self.contacts,
                "hubspot-contacts",
                None,
            ),
            (
                "exports/hubspot/companies.csv",
                self.companies,
                "hubspot-companies",
                None,
            ),
            (
                "exports/hubspot/deals.csv",
                self.deals,
                "hubspot-deals",
                None,
            ),
            (
                "exports/ads/google-ads.csv",
                self.google,
                "google-ads",
                None,
            ),
            (
                "exports/ads/linkedin.csv",
                self.linkedin,
                "linkedin-ads",
                None,
            ),
            ("exports/ads/meta.csv", self.meta, "meta-ads", None),
            (
                "plan/aktivitetsplan.csv",
                self.activities,
                "activities",
                None,
            ),
            ("exports/survey/brand.csv", self.survey, "survey", None),
            (
                "exports/web/touchpoints.csv",
                self.touchpoints,
                "generic",
                Some("touchpoints"),
            ),
        ];
        let mut written = Vec::new();
        for (relative, text, preset, table) in files {
            written.push(write_export(dir, relative, &text, preset, table)?);
        }
        written.push(Export {
            path: web_path,
            preset: "ga4-bigquery",
            table: None,
        });
        written.push(write_export(
            dir,
            "exports/email/mailchimp.csv",
            &self.email,
            "mailchimp",
            None,
        )?);
        Ok(written)
    }
}

fn write_export(
    dir: &Path,
    relative: &str,
    text: &str,
    preset: &'static str,
    table: Option<&'static str>,
) -> Result<Export, DemoError> {
    let path = dir.join(relative);
    write_file(&path, text)?;
    Ok(Export {
        path,
        preset,
        table,
    })
}

/// The B2B template's definitions with the demo's exports as sources, no planned activities
/// (the activity plan is an export) and the owned KPIs' targets from the process (see
/// `targets.rs`) for `quarters`.
pub(crate) fn write_definitions(
    dir: &Path,
    written: &[Export],
    facts: &Facts<'_>,
    quarters: &[Period],
) -> Result<(), DemoError> {
    let timeline = facts.timeline;
    let mut plan = Plan::from_template(Template::B2b, "Nordkraft AB", timeline.end);
    plan.brand = "Nordkraft".into();
    plan.sources = written.iter().map(|e| source_plan(dir, e)).collect();
    for kpi in &mut plan.kpis {
        kpi.sources.clear();
    }
    plan.activities.clear();
    set_targets(&mut plan, facts, quarters);
    for (relative, text) in plan.render() {
        write_file(&dir.join(relative), &text)?;
    }
    Ok(())
}

fn source_plan(dir: &Path, export: &Export) -> SourcePlan {
    let relative = export
        .path
        .strip_prefix(dir)
        .unwrap_or(&export.path)
        .display()
        .to_string();
    let name = relative
        .rsplit('/')
        .next()
        .unwrap_or("source")
        .trim_end_matches(".csv")
        .trim_end_matches(".json")
        .replace('-', "_");
    SourcePlan {
        name: format!("{}_{name}", export.preset.replace('-', "_")),
        preset: export.preset.into(),
        path: relative,
        description: format!("demo export for {}", export.preset),
        table: export.table.map(str::to_string),
        mapping: Vec::new(),
        // The demo company keeps its books in kronor: amounts its exports do not label are
        // in SEK.
        currency: Some("SEK".into()),
    }
}

/// Spend and leads per channel, for the truth.
#[derive(Debug)]
pub(crate) struct ChannelTotals<'a> {
    /// Spend in öre, as the books have it.
    pub(crate) spend_cents: &'a BTreeMap<&'static str, i64>,
    pub(crate) leads_by_channel: &'a BTreeMap<&'static str, u64>,
}

/// What the process made, for `truth.json`.
#[derive(Debug)]
pub(crate) struct Outcome<'a> {
    pub(crate) config: &'a DemoConfig,
    pub(crate) timeline: &'a Timeline,
    pub(crate) competitor_start: jiff::civil::Date,
    pub(crate) leads: &'a Leads,
    pub(crate) funnel: &'a Funnel,
    pub(crate) totals: &'a ChannelTotals<'a>,
    pub(crate) won_revenue_by_quarter: &'a BTreeMap<String, i64>,
    pub(crate) n_web_events: u64,
    /// Each decision's true effect.
    pub(crate) decisions: Vec<serde_json::Value>,
}

/// The parameters of the data-generating process and the totals it produced.
pub(crate) fn truth(outcome: &Outcome<'_>) -> serde_json::Value {
    let Outcome {
        config,
        timeline,
        competitor_start,
        leads,
        funnel,
        totals,
        won_revenue_by_quarter,
        n_web_events,
        decisions,
    } = outcome;
    let people = &leads.people;
    let leads_by_month = leads_by_month(leads, &timeline.calendar);
    json!({
        "generator": "utfall demo",
        "seed": config.seed,
        "size": format!("{:?}", config.size).to_lowercase(),
        "first_day": timeline.start.to_string(),
        "last_day": timeline.end.to_string(),
        "channels": CHANNELS.iter().map(|c| json!({
            "channel": c.channel, "adstock": {"type": "geometric", "alpha": c.alpha},
            "saturation": {"type": "hill", "half_saturation": c.half_saturation, "shape": 1.0, "max_leads_per_day": c.max_leads},
            "deal_quality": c.quality,
        })).collect::<Vec<_>>(),
        "baseline_leads_per_day": BASELINE.iter().map(|(c, r)| json!({"channel": c, "rate": r})).collect::<Vec<_>>(),
        "funnel": {"lead_to_mql": LEAD_TO_MQL, "mql_to_sql": MQL_TO_SQL, "sql_to_opportunity": SQL_TO_OPPORTUNITY, "win_rate": WIN_RATE, "win_rate_multiplier": {"events": EVENTS_QUALITY, "paid_social": 0.8}},
        "external_shocks": [{"what": "a competitor's campaign", "from": competitor_start.to_string(), "to": add_days(*competitor_start, SHOCK_DAYS - 1).to_string(), "demand_multiplier": SHOCK_DEMAND}],
        "activities": activity_truth(leads, &funnel.deals).iter().map(|(id, (leads, won, cents))| json!({"activity_id": id, "leads": leads, "won_deals": won, "won_revenue": *cents as f64 / 100.0})).collect::<Vec<_>>(),
        "incremental": people.iter().map(|p| p.channel).collect::<BTreeSet<_>>().into_iter().map(|c| {
            let (won, cents) = funnel.deal_truth.get(c).copied().unwrap_or((0, 0));
            json!({"channel": c, "leads": totals.leads_by_channel.get(c).copied().unwrap_or(0), "won_deals": won, "won_revenue": cents as f64 / 100.0})
        }).collect::<Vec<_>>(),
        "totals": {
            "spend_by_channel": totals.spend_cents.iter().map(|(c, cents)| (c.to_string(), json!(*cents as f64 / 100.0))).collect::<serde_json::Map<_, _>>(),
            "won_revenue_by_quarter": won_revenue_by_quarter.iter().map(|(q, cents)| (q.clone(), json!(*cents as f64 / 100.0))).collect::<serde_json::Map<_, _>>(),
            "leads_by_month": leads_by_month.iter().map(|(m, n)| (m.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "leads": people.len(), "accounts": leads.accounts.len(), "deals": funnel.deals.len(), "web_events": n_web_events,
        },
        "decisions": decisions,
    })
}

/// Leads, won deals and won revenue in öre that each event produced.
fn activity_truth(leads: &Leads, deals: &[Deal]) -> BTreeMap<String, (u64, u64, i64)> {
    let mut by_activity: BTreeMap<String, (u64, u64, i64)> = BTreeMap::new();
    for person in &leads.people {
        if let Some(activity) = &person.activity {
            by_activity.entry(activity.clone()).or_default().0 += 1;
        }
    }
    for deal in deals.iter().filter(|d| d.won) {
        if let Some(activity) = &leads.people[deal.person].activity {
            let entry = by_activity.entry(activity.clone()).or_default();
            entry.1 += 1;
            entry.2 += (deal.amount * 100.0) as i64;
        }
    }
    by_activity
}

fn leads_by_month(leads: &Leads, calendar: &Calendar) -> BTreeMap<String, u64> {
    let mut by_month = BTreeMap::new();
    for person in &leads.people {
        *by_month
            .entry(Period::containing(person.created.0, Grain::Month, calendar).to_string())
            .or_default() += 1;
    }
    by_month
}
