//! What `utfall init` writes: a plan of the workspace (who, why, what, how), from a template
//! or from a guided session, rendered as definition files.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::library::Library;
use crate::period::{Calendar, Grain, Period};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    B2b,
    Ecommerce,
    Events,
}

impl Template {
    pub const ALL: [Template; 3] = [Template::B2b, Template::Ecommerce, Template::Events];

    pub fn parse(text: &str) -> Option<Template> {
        Template::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Template::B2b => "b2b",
            Template::Ecommerce => "ecommerce",
            Template::Events => "events",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PersonPlan {
    pub id: String,
    pub name: String,
    pub department: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct GoalPlan {
    pub id: String,
    pub name_sv: String,
    pub name_en: String,
    pub description: String,
    pub period: String,
    pub owners: Vec<String>,
    pub departments: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TargetPlan {
    pub period: String,
    pub kind: &'static str,
    pub value: f64,
    pub amber: Option<f64>,
}

/// A library KPI placed in the workspace's tree.
#[derive(Debug, Clone, Default)]
pub struct KpiPlan {
    pub id: String,
    pub goal: Option<String>,
    pub parent: Option<String>,
    pub relation: Option<&'static str>,
    pub role: Option<&'static str>,
    pub owners: Vec<String>,
    pub departments: Vec<String>,
    pub audiences: Vec<(String, String)>,
    pub purpose: Option<String>,
    pub sources: Vec<String>,
    pub targets: Vec<TargetPlan>,
}

#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub name: String,
    pub preset: String,
    pub path: String,
    pub description: String,
    /// For `generic`: the table it fills, and source column → table column.
    pub table: Option<String>,
    pub mapping: Vec<(String, String)>,
    /// The currency of amounts the files do not name one for.
    pub currency: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ActivityPlan {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub channel: String,
    pub start: Date,
    pub end: Option<Date>,
    pub budget: f64,
    pub owner: String,
}

/// Everything `utfall init` decides, in the article's order: who, why, what, how.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub brand: String,
    pub currency: String,
    pub locale: String,
    pub time_zone: String,
    pub fiscal_year_start_month: i8,
    pub departments: Vec<String>,
    pub people: Vec<PersonPlan>,
    pub goals: Vec<GoalPlan>,
    pub kpis: Vec<KpiPlan>,
    pub sources: Vec<SourcePlan>,
    pub activities: Vec<ActivityPlan>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

fn person(id: &str, name: &str, department: &str, role: &str) -> PersonPlan {
    PersonPlan {
        id: id.into(),
        name: name.into(),
        department: department.into(),
        role: role.into(),
    }
}

fn kpi(id: &str) -> KpiPlan {
    KpiPlan {
        id: id.into(),
        ..KpiPlan::default()
    }
}

fn source(name: &str, preset: &str, path: &str, description: &str) -> SourcePlan {
    SourcePlan {
        name: name.into(),
        preset: preset.into(),
        path: path.into(),
        description: description.into(),
        table: None,
        mapping: Vec::new(),
        currency: None,
    }
}

/// Quarterly targets over the fiscal year, growing by `growth` per quarter from `first`.
fn quarterly(fiscal_year: i16, kind: &'static str, first: f64, growth: f64) -> Vec<TargetPlan> {
    (1..=4)
        .map(|quarter| TargetPlan {
            period: Period::FiscalQuarter {
                fiscal_year,
                quarter,
            }
            .to_string(),
            kind,
            value: (first * growth.powi(i32::from(quarter) - 1)).round(),
            amber: Some(0.1),
        })
        .collect()
}

fn yearly(fiscal_year: i16, kind: &'static str, value: f64) -> Vec<TargetPlan> {
    vec![TargetPlan {
        period: Period::FiscalYear(fiscal_year).to_string(),
        kind,
        value,
        amber: Some(0.1),
    }]
}

impl Plan {
    /// A complete, valid workspace for a kind of company, with targets for the fiscal year
    /// that contains `today`.
    pub fn from_template(template: Template, name: &str, today: Date) -> Plan {
        let fiscal_year_start_month = if template == Template::B2b { 5 } else { 1 };
        let calendar = Calendar {
            fiscal_year_start_month,
            ..Calendar::default()
        };
        let Period::FiscalYear(fy) = Period::containing(today, Grain::FiscalYear, &calendar) else {
            unreachable!("a fiscal-year grain gives a fiscal year")
        };
        let fy_period = Period::FiscalYear(fy).to_string();
        let brand = name.split_whitespace().next().unwrap_or(name).to_string();
        let fy_start = Period::FiscalYear(fy).start(&calendar);
        let day = |offset_days: i64| {
            fy_start
                .checked_add(jiff::Span::new().days(offset_days))
                .unwrap_or(fy_start)
        };
        let mut plan = Plan {
            name: name.to_string(),
            brand,
            currency: "SEK".into(),
            locale: "sv".into(),
            time_zone: "Europe/Stockholm".into(),
            fiscal_year_start_month,
            departments: strings(&["marketing", "sales", "management"]),
            people: vec![
                person("cmo", "Karin Lindqvist", "marketing", "Marknadschef"),
                person("sales_manager", "Johan Berg", "sales", "Försäljningschef"),
                person(
                    "marketing_ops",
                    "Sara Ek",
                    "marketing",
                    "Marketing operations",
                ),
                person("ceo", "Anders Holm", "management", "VD"),
            ],
            goals: Vec::new(),
            kpis: Vec::new(),
            sources: Vec::new(),
            activities: Vec::new(),
        };
        let management = (
            "management".to_string(),
            "quarterly review of marketing's contribution to the business plan".to_string(),
        );
        let team = (
            "marketing".to_string(),
            "monthly follow-up and decisions on what to stop, start and do more of".to_string(),
        );
        let sales = (
            "sales".to_string(),
            "weekly pipeline meeting shared with marketing".to_string(),
        );
        match template {
            Template::B2b => {
                plan.goals = vec![
                    GoalPlan {
                        id: "grow_revenue".into(),
                        name_sv: "Öka intäkterna med 20 %".into(),
                        name_en: "Grow revenue by 20 %".into(),
                        description: "Affärsplanens mål: vunnen intäkt 20 % över föregående räkenskapsår.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["ceo", "sales_manager"]),
                        departments: strings(&["sales", "marketing"]),
                    },
                    GoalPlan {
                        id: "marketing_sourced_pipeline".into(),
                        name_sv: "Marknad genererar 40 % av pipelinen".into(),
                        name_en: "Marketing sources 40 % of pipeline".into(),
                        description: "Ett gemensamt mål för marknad och sälj: pipeline som marknad har skapat.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing", "sales"]),
                    },
                    GoalPlan {
                        id: "known_in_the_nordics".into(),
                        name_sv: "Bli kända i Norden".into(),
                        name_en: "Become known in the Nordics".into(),
                        description: "Varumärkeskännedom i målgruppen, mätt med kvartalsvisa undersökningar.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing"]),
                    },
                ];
                let crm = strings(&["hubspot_deals"]);
                plan.kpis = vec![
                    KpiPlan {
                        goal: Some("grow_revenue".into()),
                        relation: Some("product"),
                        owners: strings(&["sales_manager"]),
                        departments: strings(&["sales", "marketing"]),
                        audiences: vec![management.clone(), sales.clone()],
                        purpose: Some("Visar om vi når affärsplanens intäktsmål; brutet ned i antal affärer och affärsstorlek.".into()),
                        sources: crm.clone(),
                        targets: quarterly(fy, "reach", 9_000_000.0, 1.05),
                        ..kpi("won_revenue")
                    },
                    KpiPlan { parent: Some("won_revenue".into()), relation: Some("product"), sources: crm.clone(), ..kpi("won_deals") },
                    KpiPlan { parent: Some("won_deals".into()), sources: crm.clone(), ..kpi("closed_deals") },
                    KpiPlan {
                        parent: Some("won_deals".into()),
                        sources: crm.clone(),
                        targets: yearly(fy, "above", 0.25),
                        ..kpi("win_rate")
                    },
                    KpiPlan { parent: Some("won_revenue".into()), sources: crm.clone(), ..kpi("avg_deal_size") },
                    KpiPlan {
                        goal: Some("grow_revenue".into()),
                        relation: Some("ratio"),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing"]),
                        audiences: vec![management.clone(), team.clone()],
                        purpose: Some("Vad en ny kund kostar i marknadsföring; ska hållas under målet när vi växer.".into()),
                        sources: strings(&["google_ads", "linkedin_ads", "activity_plan", "hubspot_deals"]),
                        targets: yearly(fy, "below", 60_000.0),
                        ..kpi("cac")
                    },
                    KpiPlan {
                        parent: Some("cac".into()),
                        role: Some("numerator"),
                        relation: Some("sum"),
                        sources: strings(&["google_ads", "linkedin_ads", "activity_plan"]),
                        ..kpi("marketing_spend")
                    },
                    KpiPlan { parent: Some("marketing_spend".into()), sources: strings(&["google_ads"]), ..kpi("spend_paid_search") },
                    KpiPlan { parent: Some("marketing_spend".into()), sources: strings(&["linkedin_ads"]), ..kpi("spend_paid_social") },
                    KpiPlan { parent: Some("marketing_spend".into()), sources: strings(&["activity_plan"]), ..kpi("spend_events") },
                    KpiPlan { parent: Some("marketing_spend".into()), sources: strings(&["activity_plan"]), ..kpi("spend_other_channels") },
                    KpiPlan { parent: Some("cac".into()), role: Some("denominator"), sources: crm.clone(), ..kpi("new_customers") },
                    KpiPlan {
                        goal: Some("marketing_sourced_pipeline".into()),
                        relation: Some("ratio"),
                        owners: strings(&["cmo", "sales_manager"]),
                        departments: strings(&["marketing", "sales"]),
                        audiences: vec![management.clone(), sales.clone()],
                        purpose: Some("Marknads och sälj gemensamma mått på marknadens bidrag till pipelinen.".into()),
                        sources: crm.clone(),
                        targets: quarterly(fy, "above", 0.4, 1.0),
                        ..kpi("marketing_sourced_pipeline_share")
                    },
                    KpiPlan { parent: Some("marketing_sourced_pipeline_share".into()), role: Some("numerator"), sources: crm.clone(), ..kpi("marketing_sourced_pipeline") },
                    KpiPlan {
                        parent: Some("marketing_sourced_pipeline_share".into()),
                        role: Some("denominator"),
                        relation: Some("product"),
                        sources: crm.clone(),
                        ..kpi("pipeline_created")
                    },
                    KpiPlan { parent: Some("pipeline_created".into()), sources: crm.clone(), ..kpi("opportunities") },
                    KpiPlan { parent: Some("pipeline_created".into()), sources: crm.clone(), ..kpi("avg_opportunity_size") },
                    KpiPlan {
                        goal: Some("marketing_sourced_pipeline".into()),
                        relation: Some("influence"),
                        owners: strings(&["marketing_ops"]),
                        departments: strings(&["marketing"]),
                        audiences: vec![team.clone(), sales.clone()],
                        purpose: Some("Leads som sälj har godkänt som marknadskvalificerade: marknads viktigaste ledande mått.".into()),
                        sources: strings(&["hubspot_contacts"]),
                        targets: quarterly(fy, "reach", 180.0, 1.05),
                        ..kpi("mqls")
                    },
                    KpiPlan { parent: Some("mqls".into()), sources: strings(&["hubspot_contacts"]), ..kpi("leads") },
                    KpiPlan { parent: Some("mqls".into()), sources: strings(&["ga4"]), ..kpi("sessions") },
                    KpiPlan { parent: Some("mqls".into()), sources: strings(&["ga4"]), ..kpi("web_conversion_rate") },
                    KpiPlan { parent: Some("mqls".into()), sources: strings(&["hubspot_contacts"]), targets: yearly(fy, "above", 0.3), ..kpi("mql_to_sql_rate") },
                    KpiPlan {
                        goal: Some("known_in_the_nordics".into()),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing"]),
                        audiences: vec![management.clone(), team.clone()],
                        purpose: Some("Andelen i målgruppen som känner till oss; varumärket påverkas av allt vi gör.".into()),
                        sources: strings(&["brand_survey"]),
                        targets: quarterly(fy, "reach", 0.3, 1.03).into_iter().map(|t| TargetPlan { value: (t.value * 100.0).round() / 100.0, ..t }).collect(),
                        ..kpi("aided_awareness")
                    },
                    KpiPlan {
                        goal: Some("known_in_the_nordics".into()),
                        owners: strings(&["cmo"]),
                        audiences: vec![management.clone()],
                        sources: strings(&["brand_survey"]),
                        targets: yearly(fy, "above", 30.0),
                        ..kpi("nps")
                    },
                ];
                // Fix the quarterly awareness targets (the helper rounds to whole numbers).
                if let Some(awareness) = plan.kpis.iter_mut().find(|k| k.id == "aided_awareness") {
                    for (i, target) in awareness.targets.iter_mut().enumerate() {
                        target.value = [0.30, 0.31, 0.32, 0.33][i];
                    }
                }
                if let Some(share) = plan
                    .kpis
                    .iter_mut()
                    .find(|k| k.id == "marketing_sourced_pipeline_share")
                {
                    for target in &mut share.targets {
                        target.value = 0.4;
                    }
                }
                plan.sources = vec![
                    source(
                        "hubspot_contacts",
                        "hubspot-contacts",
                        "exports/hubspot/contacts*.csv",
                        "HubSpot: kontakter med livscykelstadier",
                    ),
                    source(
                        "hubspot_companies",
                        "hubspot-companies",
                        "exports/hubspot/companies*.csv",
                        "HubSpot: företag",
                    ),
                    source(
                        "hubspot_deals",
                        "hubspot-deals",
                        "exports/hubspot/deals*.csv",
                        "HubSpot: affärer",
                    ),
                    source(
                        "ga4",
                        "ga4-bigquery",
                        "exports/ga4/events_*.json",
                        "GA4 BigQuery-export",
                    ),
                    source(
                        "google_ads",
                        "google-ads",
                        "exports/ads/google-ads*.csv",
                        "Google Ads kampanjrapport",
                    ),
                    source(
                        "linkedin_ads",
                        "linkedin-ads",
                        "exports/ads/linkedin*.csv",
                        "LinkedIn Campaign Manager",
                    ),
                    source(
                        "brand_survey",
                        "survey",
                        "exports/survey/*.csv",
                        "Kvartalsvis varumärkesundersökning",
                    ),
                    source(
                        "activity_plan",
                        "activities",
                        "plan/aktivitetsplan.xlsx",
                        "Aktivitetsplanen med budget och kostnad",
                    ),
                ];
                plan.activities = vec![
                    ActivityPlan {
                        id: "google_ads_always_on".into(),
                        name: "Google Ads, sök (always on)".into(),
                        kind: "paid_media".into(),
                        channel: "paid_search".into(),
                        start: fy_start,
                        end: Some(day(364)),
                        budget: 600_000.0,
                        owner: "marketing_ops".into(),
                    },
                    ActivityPlan {
                        id: "linkedin_abm".into(),
                        name: "LinkedIn ABM-kampanj".into(),
                        kind: "paid_media".into(),
                        channel: "paid_social".into(),
                        start: day(30),
                        end: Some(day(120)),
                        budget: 250_000.0,
                        owner: "marketing_ops".into(),
                    },
                    ActivityPlan {
                        id: "fair_autumn".into(),
                        name: "Branschmässa, hösten".into(),
                        kind: "fair".into(),
                        channel: "events".into(),
                        start: day(160),
                        end: Some(day(162)),
                        budget: 350_000.0,
                        owner: "cmo".into(),
                    },
                    ActivityPlan {
                        id: "webinar_series".into(),
                        name: "Webbinarieserie (månatlig)".into(),
                        kind: "webinar".into(),
                        channel: "events".into(),
                        start: day(0),
                        end: Some(day(364)),
                        budget: 60_000.0,
                        owner: "marketing_ops".into(),
                    },
                ];
            }
            Template::Ecommerce => {
                plan.departments = strings(&["marketing", "ecommerce", "management"]);
                plan.people[1] = person(
                    "ecommerce_manager",
                    "Johan Berg",
                    "ecommerce",
                    "E-handelschef",
                );
                plan.goals = vec![
                    GoalPlan {
                        id: "grow_online_revenue".into(),
                        name_sv: "Öka webbintäkterna med 25 %".into(),
                        name_en: "Grow online revenue by 25 %".into(),
                        description: "Intäkt från webbshoppen, jämfört med föregående år.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["ceo", "ecommerce_manager"]),
                        departments: strings(&["ecommerce", "marketing"]),
                    },
                    GoalPlan {
                        id: "profitable_acquisition".into(),
                        name_sv: "Lönsam kundanskaffning".into(),
                        name_en: "Profitable acquisition".into(),
                        description: "Varje annonskrona ska ge minst fyra kronor i intäkt.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing"]),
                    },
                    GoalPlan {
                        id: "loyal_customers".into(),
                        name_sv: "Nöjda och lojala kunder".into(),
                        name_en: "Satisfied, loyal customers".into(),
                        description: "Kunder som rekommenderar oss och öppnar våra utskick.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing", "ecommerce"]),
                    },
                ];
                let web = strings(&["ga4"]);
                plan.kpis = vec![
                    KpiPlan {
                        goal: Some("grow_online_revenue".into()),
                        relation: Some("product"),
                        owners: strings(&["ecommerce_manager"]),
                        audiences: vec![management.clone(), team.clone()],
                        purpose: Some(
                            "Webbintäkten, nedbruten i trafik, konvertering och ordervärde.".into(),
                        ),
                        sources: web.clone(),
                        targets: quarterly(fy, "reach", 4_000_000.0, 1.08),
                        ..kpi("web_revenue")
                    },
                    KpiPlan {
                        parent: Some("web_revenue".into()),
                        relation: Some("influence"),
                        sources: web.clone(),
                        ..kpi("sessions")
                    },
                    KpiPlan {
                        parent: Some("sessions".into()),
                        sources: web.clone(),
                        ..kpi("organic_sessions")
                    },
                    KpiPlan {
                        parent: Some("sessions".into()),
                        sources: web.clone(),
                        ..kpi("organic_share_of_sessions")
                    },
                    KpiPlan {
                        parent: Some("web_revenue".into()),
                        relation: Some("ratio"),
                        sources: web.clone(),
                        targets: yearly(fy, "above", 0.025),
                        ..kpi("web_conversion_rate")
                    },
                    KpiPlan {
                        parent: Some("web_conversion_rate".into()),
                        role: Some("numerator"),
                        sources: web.clone(),
                        ..kpi("converting_sessions")
                    },
                    KpiPlan {
                        parent: Some("web_revenue".into()),
                        sources: web.clone(),
                        ..kpi("revenue_per_converting_session")
                    },
                    KpiPlan {
                        goal: Some("profitable_acquisition".into()),
                        relation: Some("ratio"),
                        owners: strings(&["cmo"]),
                        audiences: vec![management.clone(), team.clone()],
                        purpose: Some("Intäkt per annonskrona.".into()),
                        sources: strings(&["ga4", "google_ads", "meta_ads"]),
                        targets: yearly(fy, "above", 4.0),
                        ..kpi("web_roas")
                    },
                    KpiPlan {
                        parent: Some("web_roas".into()),
                        role: Some("denominator"),
                        relation: Some("influence"),
                        sources: strings(&["google_ads", "meta_ads"]),
                        ..kpi("paid_media_spend")
                    },
                    KpiPlan {
                        parent: Some("paid_media_spend".into()),
                        sources: strings(&["google_ads", "meta_ads"]),
                        ..kpi("cpc")
                    },
                    KpiPlan {
                        goal: Some("loyal_customers".into()),
                        owners: strings(&["cmo"]),
                        audiences: vec![management.clone()],
                        sources: strings(&["customer_survey"]),
                        targets: yearly(fy, "above", 40.0),
                        ..kpi("nps")
                    },
                    KpiPlan {
                        goal: Some("loyal_customers".into()),
                        owners: strings(&["marketing_ops"]),
                        audiences: vec![team.clone()],
                        sources: strings(&["newsletter"]),
                        targets: yearly(fy, "above", 0.03),
                        ..kpi("email_ctr")
                    },
                ];
                // web_revenue's ratio child needs both roles: use sessions as the denominator.
                if let Some(sessions) = plan.kpis.iter_mut().find(|k| k.id == "sessions") {
                    sessions.parent = Some("web_conversion_rate".into());
                    sessions.role = Some("denominator");
                }
                if let Some(roas) = plan.kpis.iter_mut().find(|k| k.id == "web_roas") {
                    roas.relation = Some("influence");
                }
                if let Some(spend) = plan.kpis.iter_mut().find(|k| k.id == "paid_media_spend") {
                    spend.role = None;
                }
                plan.sources = vec![
                    source(
                        "ga4",
                        "ga4-bigquery",
                        "exports/ga4/events_*.json",
                        "GA4 BigQuery-export",
                    ),
                    source(
                        "google_ads",
                        "google-ads",
                        "exports/ads/google-ads*.csv",
                        "Google Ads",
                    ),
                    source(
                        "meta_ads",
                        "meta-ads",
                        "exports/ads/meta*.csv",
                        "Meta Ads Manager",
                    ),
                    source(
                        "newsletter",
                        "mailchimp",
                        "exports/email/*.csv",
                        "Mailchimp-utskick",
                    ),
                    source(
                        "customer_survey",
                        "survey",
                        "exports/survey/*.csv",
                        "Kundundersökning (NPS)",
                    ),
                ];
                plan.activities = vec![
                    ActivityPlan {
                        id: "black_week".into(),
                        name: "Black Week-kampanj".into(),
                        kind: "campaign".into(),
                        channel: "paid_social".into(),
                        start: day(327),
                        end: Some(day(334)),
                        budget: 200_000.0,
                        owner: "cmo".into(),
                    },
                    ActivityPlan {
                        id: "newsletter".into(),
                        name: "Nyhetsbrev (veckovis)".into(),
                        kind: "email".into(),
                        channel: "email".into(),
                        start: fy_start,
                        end: Some(day(364)),
                        budget: 30_000.0,
                        owner: "marketing_ops".into(),
                    },
                ];
            }
            Template::Events => {
                plan.goals = vec![
                    GoalPlan {
                        id: "pipeline_from_events".into(),
                        name_sv: "Event som skapar affärer".into(),
                        name_en: "Events that create pipeline".into(),
                        description:
                            "Mässor, event och webbinarier ska ge pipeline till rimlig kostnad."
                                .into(),
                        period: fy_period.clone(),
                        owners: strings(&["cmo", "sales_manager"]),
                        departments: strings(&["marketing", "sales"]),
                    },
                    GoalPlan {
                        id: "brand_awareness".into(),
                        name_sv: "Starkare varumärke".into(),
                        name_en: "A stronger brand".into(),
                        description: "Kännedom och rekommendation i målgruppen.".into(),
                        period: fy_period.clone(),
                        owners: strings(&["cmo"]),
                        departments: strings(&["marketing"]),
                    },
                ];
                let events = strings(&["event_registrations", "activity_plan"]);
                plan.kpis = vec![
                    KpiPlan {
                        goal: Some("pipeline_from_events".into()),
                        relation: Some("ratio"),
                        owners: strings(&["cmo"]),
                        audiences: vec![management.clone(), team.clone()],
                        purpose: Some("Vad en deltagare kostar; jämför event med varandra.".into()),
                        sources: events.clone(),
                        targets: yearly(fy, "below", 1_500.0),
                        ..kpi("cost_per_event_attendee")
                    },
                    KpiPlan {
                        parent: Some("cost_per_event_attendee".into()),
                        role: Some("numerator"),
                        sources: strings(&["activity_plan"]),
                        ..kpi("spend_events")
                    },
                    KpiPlan {
                        parent: Some("cost_per_event_attendee".into()),
                        role: Some("denominator"),
                        relation: Some("sum"),
                        sources: events.clone(),
                        ..kpi("event_attendees")
                    },
                    KpiPlan {
                        parent: Some("event_attendees".into()),
                        sources: events.clone(),
                        ..kpi("fair_and_event_attendees")
                    },
                    KpiPlan {
                        parent: Some("event_attendees".into()),
                        sources: events.clone(),
                        ..kpi("webinar_attendees")
                    },
                    KpiPlan {
                        goal: Some("pipeline_from_events".into()),
                        relation: Some("product"),
                        owners: strings(&["sales_manager"]),
                        audiences: vec![sales.clone(), management.clone()],
                        sources: strings(&["hubspot_deals"]),
                        targets: quarterly(fy, "reach", 5_000_000.0, 1.0),
                        ..kpi("pipeline_created")
                    },
                    KpiPlan {
                        parent: Some("pipeline_created".into()),
                        sources: strings(&["hubspot_deals"]),
                        ..kpi("opportunities")
                    },
                    KpiPlan {
                        parent: Some("pipeline_created".into()),
                        sources: strings(&["hubspot_deals"]),
                        ..kpi("avg_opportunity_size")
                    },
                    KpiPlan {
                        goal: Some("brand_awareness".into()),
                        owners: strings(&["cmo"]),
                        audiences: vec![management.clone()],
                        sources: strings(&["brand_survey"]),
                        targets: yearly(fy, "reach", 0.35),
                        ..kpi("aided_awareness")
                    },
                    KpiPlan {
                        goal: Some("brand_awareness".into()),
                        owners: strings(&["cmo"]),
                        audiences: vec![management.clone()],
                        sources: strings(&["brand_survey"]),
                        targets: yearly(fy, "above", 30.0),
                        ..kpi("nps")
                    },
                ];
                plan.sources = vec![
                    SourcePlan {
                        table: Some("touchpoints".into()),
                        mapping: vec![
                            ("attended_at".into(), "touch_time".into()),
                            ("email_hash".into(), "person_id".into()),
                            ("event".into(), "activity_id".into()),
                        ],
                        ..source(
                            "event_registrations",
                            "generic",
                            "exports/events/*.csv",
                            "Anmälningar och närvaro från eventverktyget",
                        )
                    },
                    source(
                        "hubspot_deals",
                        "hubspot-deals",
                        "exports/hubspot/deals*.csv",
                        "HubSpot: affärer",
                    ),
                    source(
                        "brand_survey",
                        "survey",
                        "exports/survey/*.csv",
                        "Varumärkesundersökning",
                    ),
                    source(
                        "activity_plan",
                        "activities",
                        "plan/aktivitetsplan.xlsx",
                        "Aktivitetsplanen",
                    ),
                ];
                plan.activities = vec![
                    ActivityPlan {
                        id: "spring_fair".into(),
                        name: "Vårmässan".into(),
                        kind: "fair".into(),
                        channel: "events".into(),
                        start: day(120),
                        end: Some(day(122)),
                        budget: 300_000.0,
                        owner: "cmo".into(),
                    },
                    ActivityPlan {
                        id: "customer_day".into(),
                        name: "Kunddag".into(),
                        kind: "event".into(),
                        channel: "events".into(),
                        start: day(250),
                        end: None,
                        budget: 120_000.0,
                        owner: "cmo".into(),
                    },
                    ActivityPlan {
                        id: "webinars".into(),
                        name: "Webbinarier".into(),
                        kind: "webinar".into(),
                        channel: "events".into(),
                        start: fy_start,
                        end: Some(day(364)),
                        budget: 40_000.0,
                        owner: "marketing_ops".into(),
                    },
                ];
            }
        }
        plan
    }

    /// The definition files of the workspace, as (relative path, text).
    pub fn render(&self) -> Vec<(String, String)> {
        let mut files = vec![
            ("utfall.toml".to_string(), self.render_config()),
            ("goals.toml".to_string(), self.render_goals()),
            ("kpis/kpis.toml".to_string(), self.render_kpis()),
            ("sources.toml".to_string(), self.render_sources()),
            ("activities.toml".to_string(), self.render_activities()),
        ];
        files.push((
            ".gitignore".to_string(),
            "# Imported data and the metadata store stay out of git.\n/data/\n/.utfall/\n"
                .to_string(),
        ));
        files
    }

    fn render_config(&self) -> String {
        let mut out =
            String::from("# Utfall workspace settings. See docs/workspace-format.md.\n\n");
        let _ = writeln!(out, "name = {}", quote(&self.name));
        let _ = writeln!(out, "brand = {}", quote(&self.brand));
        let _ = writeln!(out, "currency = {}", quote(&self.currency));
        let _ = writeln!(out, "locale = {}", quote(&self.locale));
        let _ = writeln!(out, "time_zone = {}", quote(&self.time_zone));
        let _ = writeln!(
            out,
            "fiscal_year_start_month = {}",
            self.fiscal_year_start_month
        );
        let _ = writeln!(out, "week_start = \"monday\"");
        let _ = writeln!(out, "store = \"sqlite://.utfall/utfall.db\"");
        let _ = writeln!(out, "engine = \"embedded\"");
        let _ = writeln!(out, "data_dir = \"data\"");
        let _ = writeln!(out, "departments = {}", list(&self.departments));
        out.push_str(
            "\n# Who takes part: owners of goals and KPIs, and the people who read them.\n",
        );
        for person in &self.people {
            let _ = writeln!(
                out,
                "\n[[people]]\nid = {}\nname = {}\ndepartment = {}\nrole = {}",
                quote(&person.id),
                quote(&person.name),
                quote(&person.department),
                quote(&person.role)
            );
        }
        out
    }

    fn render_goals(&self) -> String {
        let mut out =
            String::from("# Why: the business plan's goals that marketing and sales serve.\n");
        for goal in &self.goals {
            let _ = writeln!(out, "\n[[goal]]\nid = {}", quote(&goal.id));
            let _ = writeln!(
                out,
                "name = {{ sv = {}, en = {} }}",
                quote(&goal.name_sv),
                quote(&goal.name_en)
            );
            let _ = writeln!(out, "description = {{ sv = {} }}", quote(&goal.description));
            let _ = writeln!(out, "period = {}", quote(&goal.period));
            let _ = writeln!(out, "owners = {}", list(&goal.owners));
            let _ = writeln!(out, "departments = {}", list(&goal.departments));
        }
        out
    }

    fn render_kpis(&self) -> String {
        let library = Library::get();
        let mut out = String::from(
            "# What: the KPIs, each serving a goal, broken down into the drivers that explain it.\n\
             # Formulas are Utfall's own language over the canonical tables (docs/workspace-format.md).\n",
        );
        let placed: Vec<&str> = self.kpis.iter().map(|k| k.id.as_str()).collect();
        let mut plans: Vec<KpiPlan> = self.kpis.clone();
        // Library KPIs that the chosen formulas need come along, placed under the first user.
        for entry in library.with_dependencies(&placed) {
            if !plans.iter().any(|p| p.id == entry.id()) {
                plans.push(KpiPlan {
                    id: entry.id().to_string(),
                    ..KpiPlan::default()
                });
            }
        }
        for plan in &plans {
            let Some(entry) = library.entry(&plan.id) else {
                continue;
            };
            out.push('\n');
            out.push_str(&entry.text);
            out.push('\n');
            if let Some(purpose) = &plan.purpose {
                let _ = writeln!(out, "purpose = {}", quote(purpose));
            }
            if let Some(goal) = &plan.goal {
                let _ = writeln!(out, "goal = {}", quote(goal));
            }
            if let Some(parent) = &plan.parent {
                let _ = writeln!(out, "parent = {}", quote(parent));
            }
            if let Some(role) = plan.role {
                let _ = writeln!(out, "role = {}", quote(role));
            }
            if let Some(relation) = plan.relation {
                let _ = writeln!(out, "relation = {}", quote(relation));
            }
            if !plan.owners.is_empty() {
                let _ = writeln!(out, "owners = {}", list(&plan.owners));
            }
            if !plan.departments.is_empty() {
                let _ = writeln!(out, "departments = {}", list(&plan.departments));
            }
            if !plan.sources.is_empty() {
                let _ = writeln!(out, "sources = {}", list(&plan.sources));
            }
            if !plan.audiences.is_empty() {
                let audiences: Vec<String> = plan
                    .audiences
                    .iter()
                    .map(|(who, uses)| {
                        format!("{{ who = {}, uses = {} }}", quote(who), quote(uses))
                    })
                    .collect();
                let _ = writeln!(out, "audiences = [\n  {},\n]", audiences.join(",\n  "));
            }
            for target in &plan.targets {
                let _ = write!(
                    out,
                    "\n[[kpi.target]]\nperiod = {}\nkind = {}\nvalue = {}\n",
                    quote(&target.period),
                    quote(target.kind),
                    number(target.value)
                );
                if let Some(amber) = target.amber {
                    let _ = writeln!(out, "amber = {}", number(amber));
                }
            }
        }
        out
    }

    fn render_sources(&self) -> String {
        let mut out =
            String::from("# How: where the data comes from. `utfall import` reads these.\n");
        for source in &self.sources {
            let _ = writeln!(
                out,
                "\n[[source]]\nname = {}\npreset = {}\npath = {}\ndescription = {}",
                quote(&source.name),
                quote(&source.preset),
                quote(&source.path),
                quote(&source.description)
            );
            if let Some(table) = &source.table {
                let _ = writeln!(out, "table = {}", quote(table));
            }
            // A CRM's amounts are in the company's currency unless the export says otherwise;
            // written out so that it is a decision in the file, not an assumption.
            let crm = matches!(
                source.preset.as_str(),
                "hubspot-deals" | "salesforce-opportunities" | "pipedrive-deals"
            );
            match (&source.currency, crm) {
                (Some(currency), _) => {
                    let _ = writeln!(out, "currency = {}", quote(currency));
                }
                (None, true) => {
                    let _ = writeln!(
                        out,
                        "currency = {}  # amounts the export does not label are in this currency",
                        quote(&self.currency)
                    );
                }
                (None, false) => {}
            }
            if !source.mapping.is_empty() {
                out.push_str("\n[source.mapping]\n");
                for (from, to) in &source.mapping {
                    let _ = writeln!(out, "{} = {}", quote(from), quote(to));
                }
            }
        }
        out
    }

    fn render_activities(&self) -> String {
        let mut out = String::from(
            "# The activity plan: what marketing does, when, at what budget, and who owns it.\n",
        );
        for activity in &self.activities {
            let _ = writeln!(
                out,
                "\n[[activity]]\nid = {}\nname = {}\nkind = {}\nchannel = {}\nstart = {}",
                quote(&activity.id),
                quote(&activity.name),
                quote(&activity.kind),
                quote(&activity.channel),
                activity.start
            );
            if let Some(end) = activity.end {
                let _ = writeln!(out, "end = {end}");
            }
            let _ = writeln!(
                out,
                "budget = {}\ncurrency = {}\nowner = {}",
                number(activity.budget),
                quote(&self.currency),
                quote(&activity.owner)
            );
        }
        out
    }
}

/// A TOML basic string.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| quote(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::workspace::{SourceFile, Workspace};

    #[test]
    fn every_template_checks_clean() {
        let today: Date = "2026-11-26".parse().unwrap();
        for template in Template::ALL {
            let plan = Plan::from_template(template, "Nordkraft AB", today);
            let files = plan
                .render()
                .into_iter()
                .filter(|(path, _)| path.ends_with(".toml"))
                .map(|(path, text)| SourceFile { path, text })
                .collect();
            let workspace = Workspace::from_files(files);
            let diagnostics = check(&workspace);
            assert!(
                diagnostics.is_empty(),
                "{}: {diagnostics:#?}",
                template.as_str()
            );
            assert!(workspace.goals.len() >= 2);
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(9_000_000.0), "9000000");
    }
}
