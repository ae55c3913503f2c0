//! What `utfall init` writes: a plan of the workspace (who, why, what, how), from a template
//! or from a guided session, rendered as definition files.
//!
//! Each template is data (a `TemplateSpec` table below): its people, goals, KPI placements
//! with their targets, sources and planned activities. [`Plan::from_template`] turns the
//! table into a plan for the fiscal year that contains a given day.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::library::Library;
use crate::period::{Calendar, Grain, Period};

/// A kind of company that `utfall init` has a ready-made workspace for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A business-to-business company: revenue, pipeline shared with sales, brand awareness.
    B2b,
    /// A web shop: online revenue, return on ad spend, loyal customers.
    Ecommerce,
    /// A company that markets through fairs, events and webinars.
    Events,
}

impl Template {
    /// Every template, in the order `utfall init` offers them.
    pub const ALL: [Template; 3] = [Template::B2b, Template::Ecommerce, Template::Events];

    /// The template with this name (`b2b`, `ecommerce`, `events`).
    pub fn parse(text: &str) -> Option<Template> {
        Template::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// The template's name, as the command line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Template::B2b => "b2b",
            Template::Ecommerce => "ecommerce",
            Template::Events => "events",
        }
    }

    fn spec(self) -> &'static TemplateSpec {
        match self {
            Template::B2b => &B2B,
            Template::Ecommerce => &ECOMMERCE,
            Template::Events => &EVENTS,
        }
    }
}

/// A person who takes part: an owner of goals and KPIs, or one who reads them.
#[derive(Debug, Clone)]
pub struct PersonPlan {
    /// The id goals and KPIs name as owner.
    pub id: String,
    /// The person's name.
    pub name: String,
    /// The department the person works in.
    pub department: String,
    /// The person's role, in the company's words.
    pub role: String,
}

/// A goal from the business plan that KPIs serve.
#[derive(Debug, Clone)]
pub struct GoalPlan {
    /// The id KPIs name as their goal.
    pub id: String,
    /// The goal's name in Swedish.
    pub name_sv: String,
    /// The goal's name in English.
    pub name_en: String,
    /// What the goal means, in Swedish.
    pub description: String,
    /// The period the goal is for.
    pub period: String,
    /// Who owns the goal.
    pub owners: Vec<String>,
    /// The departments that share the goal.
    pub departments: Vec<String>,
}

/// A KPI's target for a period.
#[derive(Debug, Clone)]
pub struct TargetPlan {
    /// The period, as Utfall writes it (`FY2026-Q1`, `FY2026`).
    pub period: String,
    /// How the value is met: `reach`, `above` or `below`.
    pub kind: &'static str,
    /// The target value.
    pub value: f64,
    /// How far from the target, as a share of it, the KPI is amber rather than red.
    pub amber: Option<f64>,
}

/// A library KPI placed in the workspace's tree.
#[derive(Debug, Clone, Default)]
pub struct KpiPlan {
    /// The library KPI's id.
    pub id: String,
    /// The goal a top-level KPI serves.
    pub goal: Option<String>,
    /// The KPI this one is a driver of.
    pub parent: Option<String>,
    /// How the drivers make up this KPI: `product`, `ratio`, `sum` or `influence`.
    pub relation: Option<&'static str>,
    /// This KPI's place in its parent's ratio: `numerator` or `denominator`.
    pub role: Option<&'static str>,
    /// Who owns the KPI.
    pub owners: Vec<String>,
    /// The departments that share the KPI.
    pub departments: Vec<String>,
    /// Who reads the KPI, and what they use it for.
    pub audiences: Vec<(String, String)>,
    /// Why the KPI is measured.
    pub purpose: Option<String>,
    /// The sources the KPI is measured from.
    pub sources: Vec<String>,
    /// The KPI's targets.
    pub targets: Vec<TargetPlan>,
}

/// Where data comes from: a file pattern and the import preset that reads it.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    /// The source's name, as KPIs name it.
    pub name: String,
    /// The import preset.
    pub preset: String,
    /// The files, relative to the workspace (a glob).
    pub path: String,
    /// What the source is, in the company's words.
    pub description: String,
    /// For `generic`: the table it fills.
    pub table: Option<String>,
    /// For `generic`: source column → table column.
    pub mapping: Vec<(String, String)>,
    /// The currency of amounts the files do not name one for.
    pub currency: Option<String>,
}

/// A planned marketing activity: what, in which channel, when, at what budget, and whose.
#[derive(Debug, Clone)]
pub struct ActivityPlan {
    /// The activity's id, as touchpoints name it.
    pub id: String,
    /// The activity's name.
    pub name: String,
    /// The kind of activity (`fair`, `webinar`, `paid_media`…).
    pub kind: String,
    /// The channel it runs in.
    pub channel: String,
    /// The first day.
    pub start: Date,
    /// The last day, if it is not a single day.
    pub end: Option<Date>,
    /// The budget, in the workspace's currency.
    pub budget: f64,
    /// Who owns the activity.
    pub owner: String,
}

/// Everything `utfall init` decides, in the article's order: who, why, what, how.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The company's name.
    pub name: String,
    /// The brand awareness surveys ask about.
    pub brand: String,
    /// The company's currency.
    pub currency: String,
    /// The language of the workspace's texts.
    pub locale: String,
    /// The company's time zone.
    pub time_zone: String,
    /// The month (1–12) the fiscal year starts in.
    pub fiscal_year_start_month: i8,
    /// The departments that take part.
    pub departments: Vec<String>,
    /// Who takes part.
    pub people: Vec<PersonPlan>,
    /// Why: the business plan's goals.
    pub goals: Vec<GoalPlan>,
    /// What: the KPIs and their tree.
    pub kpis: Vec<KpiPlan>,
    /// How: where the data comes from.
    pub sources: Vec<SourcePlan>,
    /// The activity plan.
    pub activities: Vec<ActivityPlan>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// Quarterly targets over the fiscal year, growing by `growth` per quarter from `first`.
fn quarterly(fiscal_year: i16, kind: &'static str, first: f64, growth: f64) -> Vec<TargetPlan> {
    quarterly_values(fiscal_year, kind, |quarter| {
        (first * growth.powi(i32::from(quarter) - 1)).round()
    })
}

/// A target for each quarter of the fiscal year, with the value `value(quarter)`.
fn quarterly_values(
    fiscal_year: i16,
    kind: &'static str,
    value: impl Fn(i8) -> f64,
) -> Vec<TargetPlan> {
    (1..=4)
        .map(|quarter| TargetPlan {
            period: Period::FiscalQuarter {
                fiscal_year,
                quarter,
            }
            .to_string(),
            kind,
            value: value(quarter),
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

// --- The templates as data. ---

/// A template's workspace, before it is placed in a fiscal year.
#[derive(Debug)]
struct TemplateSpec {
    fiscal_year_start_month: i8,
    departments: &'static [&'static str],
    people: &'static [PersonSpec],
    goals: &'static [GoalSpec],
    kpis: &'static [KpiSpec],
    sources: &'static [SourceSpec],
    activities: &'static [ActivitySpec],
}

#[derive(Debug)]
struct PersonSpec {
    id: &'static str,
    name: &'static str,
    department: &'static str,
    role: &'static str,
}

impl PersonSpec {
    fn plan(&self) -> PersonPlan {
        PersonPlan {
            id: self.id.into(),
            name: self.name.into(),
            department: self.department.into(),
            role: self.role.into(),
        }
    }
}

/// A goal for the fiscal year.
#[derive(Debug)]
struct GoalSpec {
    id: &'static str,
    name_sv: &'static str,
    name_en: &'static str,
    description: &'static str,
    owners: &'static [&'static str],
    departments: &'static [&'static str],
}

impl GoalSpec {
    fn plan(&self, period: &str) -> GoalPlan {
        GoalPlan {
            id: self.id.into(),
            name_sv: self.name_sv.into(),
            name_en: self.name_en.into(),
            description: self.description.into(),
            period: period.into(),
            owners: strings(self.owners),
            departments: strings(self.departments),
        }
    }
}

/// A KPI's targets for the fiscal year.
#[derive(Debug, Clone, Copy)]
enum Targets {
    None,
    /// Each quarter, growing by `growth` from `first`, rounded to a whole number.
    Growing {
        kind: &'static str,
        first: f64,
        growth: f64,
    },
    /// Each quarter, these values.
    Quarterly {
        kind: &'static str,
        values: [f64; 4],
    },
    /// The whole year.
    Yearly {
        kind: &'static str,
        value: f64,
    },
}

impl Targets {
    fn plan(self, fiscal_year: i16) -> Vec<TargetPlan> {
        match self {
            Targets::None => Vec::new(),
            Targets::Growing {
                kind,
                first,
                growth,
            } => quarterly(fiscal_year, kind, first, growth),
            Targets::Quarterly { kind, values } => quarterly_values(fiscal_year, kind, |quarter| {
                values[usize::from(quarter.unsigned_abs()) - 1]
            }),
            Targets::Yearly { kind, value } => yearly(fiscal_year, kind, value),
        }
    }
}

/// Who reads a KPI, and what they use it for.
type Audience = (&'static str, &'static str);

const MANAGEMENT: Audience = (
    "management",
    "quarterly review of marketing's contribution to the business plan",
);
const TEAM: Audience = (
    "marketing",
    "monthly follow-up and decisions on what to stop, start and do more of",
);
const SALES: Audience = ("sales", "weekly pipeline meeting shared with marketing");

/// A library KPI's place in a template's tree.
#[derive(Debug)]
struct KpiSpec {
    id: &'static str,
    goal: Option<&'static str>,
    parent: Option<&'static str>,
    relation: Option<&'static str>,
    role: Option<&'static str>,
    owners: &'static [&'static str],
    departments: &'static [&'static str],
    audiences: &'static [Audience],
    purpose: Option<&'static str>,
    sources: &'static [&'static str],
    targets: Targets,
}

/// A KPI with nothing but its id: the base the tables fill in.
const KPI: KpiSpec = KpiSpec {
    id: "",
    goal: None,
    parent: None,
    relation: None,
    role: None,
    owners: &[],
    departments: &[],
    audiences: &[],
    purpose: None,
    sources: &[],
    targets: Targets::None,
};

impl KpiSpec {
    fn plan(&self, fiscal_year: i16) -> KpiPlan {
        KpiPlan {
            id: self.id.into(),
            goal: self.goal.map(str::to_string),
            parent: self.parent.map(str::to_string),
            relation: self.relation,
            role: self.role,
            owners: strings(self.owners),
            departments: strings(self.departments),
            audiences: self
                .audiences
                .iter()
                .map(|(who, uses)| ((*who).to_string(), (*uses).to_string()))
                .collect(),
            purpose: self.purpose.map(str::to_string),
            sources: strings(self.sources),
            targets: self.targets.plan(fiscal_year),
        }
    }
}

#[derive(Debug)]
struct SourceSpec {
    name: &'static str,
    preset: &'static str,
    path: &'static str,
    description: &'static str,
    table: Option<&'static str>,
    mapping: &'static [(&'static str, &'static str)],
}

/// A source read by its preset alone.
const fn source(
    name: &'static str,
    preset: &'static str,
    path: &'static str,
    description: &'static str,
) -> SourceSpec {
    SourceSpec {
        name,
        preset,
        path,
        description,
        table: None,
        mapping: &[],
    }
}

impl SourceSpec {
    fn plan(&self) -> SourcePlan {
        SourcePlan {
            name: self.name.into(),
            preset: self.preset.into(),
            path: self.path.into(),
            description: self.description.into(),
            table: self.table.map(str::to_string),
            mapping: self
                .mapping
                .iter()
                .map(|(from, to)| ((*from).to_string(), (*to).to_string()))
                .collect(),
            currency: None,
        }
    }
}

/// A planned activity, its days counted from the first day of the fiscal year.
#[derive(Debug)]
struct ActivitySpec {
    id: &'static str,
    name: &'static str,
    kind: &'static str,
    channel: &'static str,
    start: i64,
    end: Option<i64>,
    budget: f64,
    owner: &'static str,
}

impl ActivitySpec {
    fn plan(&self, fiscal_year_start: Date) -> ActivityPlan {
        let day = |offset_days: i64| {
            fiscal_year_start
                .checked_add(jiff::Span::new().days(offset_days))
                .unwrap_or(fiscal_year_start)
        };
        ActivityPlan {
            id: self.id.into(),
            name: self.name.into(),
            kind: self.kind.into(),
            channel: self.channel.into(),
            start: day(self.start),
            end: self.end.map(day),
            budget: self.budget,
            owner: self.owner.into(),
        }
    }
}

const CMO: PersonSpec = PersonSpec {
    id: "cmo",
    name: "Karin Lindqvist",
    department: "marketing",
    role: "Marknadschef",
};
const SALES_MANAGER: PersonSpec = PersonSpec {
    id: "sales_manager",
    name: "Johan Berg",
    department: "sales",
    role: "Försäljningschef",
};
const MARKETING_OPS: PersonSpec = PersonSpec {
    id: "marketing_ops",
    name: "Sara Ek",
    department: "marketing",
    role: "Marketing operations",
};
const CEO: PersonSpec = PersonSpec {
    id: "ceo",
    name: "Anders Holm",
    department: "management",
    role: "VD",
};
const PEOPLE: &[PersonSpec] = &[CMO, SALES_MANAGER, MARKETING_OPS, CEO];

const DEPARTMENTS: &[&str] = &["marketing", "sales", "management"];

const B2B: TemplateSpec = TemplateSpec {
    fiscal_year_start_month: 5,
    departments: DEPARTMENTS,
    people: PEOPLE,
    goals: B2B_GOALS,
    kpis: B2B_KPIS,
    sources: B2B_SOURCES,
    activities: B2B_ACTIVITIES,
};

const B2B_GOALS: &[GoalSpec] = &[
    GoalSpec {
        id: "grow_revenue",
        name_sv: "Öka intäkterna med 20 %",
        name_en: "Grow revenue by 20 %",
        description: "Affärsplanens mål: vunnen intäkt 20 % över föregående räkenskapsår.",
        owners: &["ceo", "sales_manager"],
        departments: &["sales", "marketing"],
    },
    GoalSpec {
        id: "marketing_sourced_pipeline",
        name_sv: "Marknad genererar 40 % av pipelinen",
        name_en: "Marketing sources 40 % of pipeline",
        description: "Ett gemensamt mål för marknad och sälj: pipeline som marknad har skapat.",
        owners: &["cmo"],
        departments: &["marketing", "sales"],
    },
    GoalSpec {
        id: "known_in_the_nordics",
        name_sv: "Bli kända i Norden",
        name_en: "Become known in the Nordics",
        description: "Varumärkeskännedom i målgruppen, mätt med kvartalsvisa undersökningar.",
        owners: &["cmo"],
        departments: &["marketing"],
    },
];

/// The B2B company's CRM.
const CRM: &[&str] = &["hubspot_deals"];

const B2B_KPIS: &[KpiSpec] = &[
    KpiSpec {
        id: "won_revenue",
        goal: Some("grow_revenue"),
        relation: Some("product"),
        owners: &["sales_manager"],
        departments: &["sales", "marketing"],
        audiences: &[MANAGEMENT, SALES],
        purpose: Some(
            "Visar om vi når affärsplanens intäktsmål; brutet ned i antal affärer och affärsstorlek.",
        ),
        sources: CRM,
        targets: Targets::Growing {
            kind: "reach",
            first: 9_000_000.0,
            growth: 1.05,
        },
        ..KPI
    },
    KpiSpec {
        id: "won_deals",
        parent: Some("won_revenue"),
        relation: Some("product"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "closed_deals",
        parent: Some("won_deals"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "win_rate",
        parent: Some("won_deals"),
        sources: CRM,
        targets: Targets::Yearly {
            kind: "above",
            value: 0.25,
        },
        ..KPI
    },
    KpiSpec {
        id: "avg_deal_size",
        parent: Some("won_revenue"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "cac",
        goal: Some("grow_revenue"),
        relation: Some("ratio"),
        owners: &["cmo"],
        departments: &["marketing"],
        audiences: &[MANAGEMENT, TEAM],
        purpose: Some(
            "Vad en ny kund kostar i marknadsföring; ska hållas under målet när vi växer.",
        ),
        sources: &[
            "google_ads",
            "linkedin_ads",
            "activity_plan",
            "hubspot_deals",
        ],
        targets: Targets::Yearly {
            kind: "below",
            value: 60_000.0,
        },
        ..KPI
    },
    KpiSpec {
        id: "marketing_spend",
        parent: Some("cac"),
        role: Some("numerator"),
        relation: Some("sum"),
        sources: &["google_ads", "linkedin_ads", "activity_plan"],
        ..KPI
    },
    KpiSpec {
        id: "spend_paid_search",
        parent: Some("marketing_spend"),
        sources: &["google_ads"],
        ..KPI
    },
    KpiSpec {
        id: "spend_paid_social",
        parent: Some("marketing_spend"),
        sources: &["linkedin_ads"],
        ..KPI
    },
    KpiSpec {
        id: "spend_events",
        parent: Some("marketing_spend"),
        sources: &["activity_plan"],
        ..KPI
    },
    KpiSpec {
        id: "spend_other_channels",
        parent: Some("marketing_spend"),
        sources: &["activity_plan"],
        ..KPI
    },
    KpiSpec {
        id: "new_customers",
        parent: Some("cac"),
        role: Some("denominator"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "marketing_sourced_pipeline_share",
        goal: Some("marketing_sourced_pipeline"),
        relation: Some("ratio"),
        owners: &["cmo", "sales_manager"],
        departments: &["marketing", "sales"],
        audiences: &[MANAGEMENT, SALES],
        purpose: Some("Marknads och sälj gemensamma mått på marknadens bidrag till pipelinen."),
        sources: CRM,
        targets: Targets::Quarterly {
            kind: "above",
            values: [0.4; 4],
        },
        ..KPI
    },
    KpiSpec {
        id: "marketing_sourced_pipeline",
        parent: Some("marketing_sourced_pipeline_share"),
        role: Some("numerator"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "pipeline_created",
        parent: Some("marketing_sourced_pipeline_share"),
        role: Some("denominator"),
        relation: Some("product"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "opportunities",
        parent: Some("pipeline_created"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "avg_opportunity_size",
        parent: Some("pipeline_created"),
        sources: CRM,
        ..KPI
    },
    KpiSpec {
        id: "mqls",
        goal: Some("marketing_sourced_pipeline"),
        relation: Some("influence"),
        owners: &["marketing_ops"],
        departments: &["marketing"],
        audiences: &[TEAM, SALES],
        purpose: Some(
            "Leads som sälj har godkänt som marknadskvalificerade: marknads viktigaste ledande mått.",
        ),
        sources: &["hubspot_contacts"],
        targets: Targets::Growing {
            kind: "reach",
            first: 180.0,
            growth: 1.05,
        },
        ..KPI
    },
    KpiSpec {
        id: "leads",
        parent: Some("mqls"),
        sources: &["hubspot_contacts"],
        ..KPI
    },
    KpiSpec {
        id: "sessions",
        parent: Some("mqls"),
        sources: &["ga4"],
        ..KPI
    },
    KpiSpec {
        id: "web_conversion_rate",
        parent: Some("mqls"),
        sources: &["ga4"],
        ..KPI
    },
    KpiSpec {
        id: "mql_to_sql_rate",
        parent: Some("mqls"),
        sources: &["hubspot_contacts"],
        targets: Targets::Yearly {
            kind: "above",
            value: 0.3,
        },
        ..KPI
    },
    KpiSpec {
        id: "aided_awareness",
        goal: Some("known_in_the_nordics"),
        owners: &["cmo"],
        departments: &["marketing"],
        audiences: &[MANAGEMENT, TEAM],
        purpose: Some(
            "Andelen i målgruppen som känner till oss; varumärket påverkas av allt vi gör.",
        ),
        sources: &["brand_survey"],
        targets: Targets::Quarterly {
            kind: "reach",
            values: [0.30, 0.31, 0.32, 0.33],
        },
        ..KPI
    },
    KpiSpec {
        id: "nps",
        goal: Some("known_in_the_nordics"),
        owners: &["cmo"],
        audiences: &[MANAGEMENT],
        sources: &["brand_survey"],
        targets: Targets::Yearly {
            kind: "above",
            value: 30.0,
        },
        ..KPI
    },
];

const B2B_SOURCES: &[SourceSpec] = &[
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

const B2B_ACTIVITIES: &[ActivitySpec] = &[
    ActivitySpec {
        id: "google_ads_always_on",
        name: "Google Ads, sök (always on)",
        kind: "paid_media",
        channel: "paid_search",
        start: 0,
        end: Some(364),
        budget: 600_000.0,
        owner: "marketing_ops",
    },
    ActivitySpec {
        id: "linkedin_abm",
        name: "LinkedIn ABM-kampanj",
        kind: "paid_media",
        channel: "paid_social",
        start: 30,
        end: Some(120),
        budget: 250_000.0,
        owner: "marketing_ops",
    },
    ActivitySpec {
        id: "fair_autumn",
        name: "Branschmässa, hösten",
        kind: "fair",
        channel: "events",
        start: 160,
        end: Some(162),
        budget: 350_000.0,
        owner: "cmo",
    },
    ActivitySpec {
        id: "webinar_series",
        name: "Webbinarieserie (månatlig)",
        kind: "webinar",
        channel: "events",
        start: 0,
        end: Some(364),
        budget: 60_000.0,
        owner: "marketing_ops",
    },
];

const ECOMMERCE: TemplateSpec = TemplateSpec {
    fiscal_year_start_month: 1,
    departments: &["marketing", "ecommerce", "management"],
    // The web shop's manager sits where the sales manager does.
    people: &[
        CMO,
        PersonSpec {
            id: "ecommerce_manager",
            name: "Johan Berg",
            department: "ecommerce",
            role: "E-handelschef",
        },
        MARKETING_OPS,
        CEO,
    ],
    goals: ECOMMERCE_GOALS,
    kpis: ECOMMERCE_KPIS,
    sources: ECOMMERCE_SOURCES,
    activities: ECOMMERCE_ACTIVITIES,
};

const ECOMMERCE_GOALS: &[GoalSpec] = &[
    GoalSpec {
        id: "grow_online_revenue",
        name_sv: "Öka webbintäkterna med 25 %",
        name_en: "Grow online revenue by 25 %",
        description: "Intäkt från webbshoppen, jämfört med föregående år.",
        owners: &["ceo", "ecommerce_manager"],
        departments: &["ecommerce", "marketing"],
    },
    GoalSpec {
        id: "profitable_acquisition",
        name_sv: "Lönsam kundanskaffning",
        name_en: "Profitable acquisition",
        description: "Varje annonskrona ska ge minst fyra kronor i intäkt.",
        owners: &["cmo"],
        departments: &["marketing"],
    },
    GoalSpec {
        id: "loyal_customers",
        name_sv: "Nöjda och lojala kunder",
        name_en: "Satisfied, loyal customers",
        description: "Kunder som rekommenderar oss och öppnar våra utskick.",
        owners: &["cmo"],
        departments: &["marketing", "ecommerce"],
    },
];

/// The web shop's analytics.
const WEB: &[&str] = &["ga4"];

const ECOMMERCE_KPIS: &[KpiSpec] = &[
    KpiSpec {
        id: "web_revenue",
        goal: Some("grow_online_revenue"),
        relation: Some("product"),
        owners: &["ecommerce_manager"],
        audiences: &[MANAGEMENT, TEAM],
        purpose: Some("Webbintäkten, nedbruten i trafik, konvertering och ordervärde."),
        sources: WEB,
        targets: Targets::Growing {
            kind: "reach",
            first: 4_000_000.0,
            growth: 1.08,
        },
        ..KPI
    },
    // The conversion rate's denominator: web_revenue's ratio child needs both roles.
    KpiSpec {
        id: "sessions",
        parent: Some("web_conversion_rate"),
        relation: Some("influence"),
        role: Some("denominator"),
        sources: WEB,
        ..KPI
    },
    KpiSpec {
        id: "organic_sessions",
        parent: Some("sessions"),
        sources: WEB,
        ..KPI
    },
    KpiSpec {
        id: "organic_share_of_sessions",
        parent: Some("sessions"),
        sources: WEB,
        ..KPI
    },
    KpiSpec {
        id: "web_conversion_rate",
        parent: Some("web_revenue"),
        relation: Some("ratio"),
        sources: WEB,
        targets: Targets::Yearly {
            kind: "above",
            value: 0.025,
        },
        ..KPI
    },
    KpiSpec {
        id: "converting_sessions",
        parent: Some("web_conversion_rate"),
        role: Some("numerator"),
        sources: WEB,
        ..KPI
    },
    KpiSpec {
        id: "revenue_per_converting_session",
        parent: Some("web_revenue"),
        sources: WEB,
        ..KPI
    },
    KpiSpec {
        id: "web_roas",
        goal: Some("profitable_acquisition"),
        relation: Some("influence"),
        owners: &["cmo"],
        audiences: &[MANAGEMENT, TEAM],
        purpose: Some("Intäkt per annonskrona."),
        sources: &["ga4", "google_ads", "meta_ads"],
        targets: Targets::Yearly {
            kind: "above",
            value: 4.0,
        },
        ..KPI
    },
    KpiSpec {
        id: "paid_media_spend",
        parent: Some("web_roas"),
        relation: Some("influence"),
        sources: &["google_ads", "meta_ads"],
        ..KPI
    },
    KpiSpec {
        id: "cpc",
        parent: Some("paid_media_spend"),
        sources: &["google_ads", "meta_ads"],
        ..KPI
    },
    KpiSpec {
        id: "nps",
        goal: Some("loyal_customers"),
        owners: &["cmo"],
        audiences: &[MANAGEMENT],
        sources: &["customer_survey"],
        targets: Targets::Yearly {
            kind: "above",
            value: 40.0,
        },
        ..KPI
    },
    KpiSpec {
        id: "email_ctr",
        goal: Some("loyal_customers"),
        owners: &["marketing_ops"],
        audiences: &[TEAM],
        sources: &["newsletter"],
        targets: Targets::Yearly {
            kind: "above",
            value: 0.03,
        },
        ..KPI
    },
];

const ECOMMERCE_SOURCES: &[SourceSpec] = &[
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

const ECOMMERCE_ACTIVITIES: &[ActivitySpec] = &[
    ActivitySpec {
        id: "black_week",
        name: "Black Week-kampanj",
        kind: "campaign",
        channel: "paid_social",
        start: 327,
        end: Some(334),
        budget: 200_000.0,
        owner: "cmo",
    },
    ActivitySpec {
        id: "newsletter",
        name: "Nyhetsbrev (veckovis)",
        kind: "email",
        channel: "email",
        start: 0,
        end: Some(364),
        budget: 30_000.0,
        owner: "marketing_ops",
    },
];

const EVENTS: TemplateSpec = TemplateSpec {
    fiscal_year_start_month: 1,
    departments: DEPARTMENTS,
    people: PEOPLE,
    goals: EVENTS_GOALS,
    kpis: EVENTS_KPIS,
    sources: EVENTS_SOURCES,
    activities: EVENTS_ACTIVITIES,
};

const EVENTS_GOALS: &[GoalSpec] = &[
    GoalSpec {
        id: "pipeline_from_events",
        name_sv: "Event som skapar affärer",
        name_en: "Events that create pipeline",
        description: "Mässor, event och webbinarier ska ge pipeline till rimlig kostnad.",
        owners: &["cmo", "sales_manager"],
        departments: &["marketing", "sales"],
    },
    GoalSpec {
        id: "brand_awareness",
        name_sv: "Starkare varumärke",
        name_en: "A stronger brand",
        description: "Kännedom och rekommendation i målgruppen.",
        owners: &["cmo"],
        departments: &["marketing"],
    },
];

/// Where attendance is counted.
const ATTENDANCE: &[&str] = &["event_registrations", "activity_plan"];

const EVENTS_KPIS: &[KpiSpec] = &[
    KpiSpec {
        id: "cost_per_event_attendee",
        goal: Some("pipeline_from_events"),
        relation: Some("ratio"),
        owners: &["cmo"],
        audiences: &[MANAGEMENT, TEAM],
        purpose: Some("Vad en deltagare kostar; jämför event med varandra."),
        sources: ATTENDANCE,
        targets: Targets::Yearly {
            kind: "below",
            value: 1_500.0,
        },
        ..KPI
    },
    KpiSpec {
        id: "spend_events",
        parent: Some("cost_per_event_attendee"),
        role: Some("numerator"),
        sources: &["activity_plan"],
        ..KPI
    },
    KpiSpec {
        id: "event_attendees",
        parent: Some("cost_per_event_attendee"),
        role: Some("denominator"),
        relation: Some("sum"),
        sources: ATTENDANCE,
        ..KPI
    },
    KpiSpec {
        id: "fair_and_event_attendees",
        parent: Some("event_attendees"),
        sources: ATTENDANCE,
        ..KPI
    },
    KpiSpec {
        id: "webinar_attendees",
        parent: Some("event_attendees"),
        sources: ATTENDANCE,
        ..KPI
    },
    KpiSpec {
        id: "pipeline_created",
        goal: Some("pipeline_from_events"),
        relation: Some("product"),
        owners: &["sales_manager"],
        audiences: &[SALES, MANAGEMENT],
        sources: &["hubspot_deals"],
        targets: Targets::Growing {
            kind: "reach",
            first: 5_000_000.0,
            growth: 1.0,
        },
        ..KPI
    },
    KpiSpec {
        id: "opportunities",
        parent: Some("pipeline_created"),
        sources: &["hubspot_deals"],
        ..KPI
    },
    KpiSpec {
        id: "avg_opportunity_size",
        parent: Some("pipeline_created"),
        sources: &["hubspot_deals"],
        ..KPI
    },
    KpiSpec {
        id: "aided_awareness",
        goal: Some("brand_awareness"),
        owners: &["cmo"],
        audiences: &[MANAGEMENT],
        sources: &["brand_survey"],
        targets: Targets::Yearly {
            kind: "reach",
            value: 0.35,
        },
        ..KPI
    },
    KpiSpec {
        id: "nps",
        goal: Some("brand_awareness"),
        owners: &["cmo"],
        audiences: &[MANAGEMENT],
        sources: &["brand_survey"],
        targets: Targets::Yearly {
            kind: "above",
            value: 30.0,
        },
        ..KPI
    },
];

const EVENTS_SOURCES: &[SourceSpec] = &[
    SourceSpec {
        table: Some("touchpoints"),
        mapping: &[
            ("attended_at", "touch_time"),
            ("email_hash", "person_id"),
            ("event", "activity_id"),
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

const EVENTS_ACTIVITIES: &[ActivitySpec] = &[
    ActivitySpec {
        id: "spring_fair",
        name: "Vårmässan",
        kind: "fair",
        channel: "events",
        start: 120,
        end: Some(122),
        budget: 300_000.0,
        owner: "cmo",
    },
    ActivitySpec {
        id: "customer_day",
        name: "Kunddag",
        kind: "event",
        channel: "events",
        start: 250,
        end: None,
        budget: 120_000.0,
        owner: "cmo",
    },
    ActivitySpec {
        id: "webinars",
        name: "Webbinarier",
        kind: "webinar",
        channel: "events",
        start: 0,
        end: Some(364),
        budget: 40_000.0,
        owner: "marketing_ops",
    },
];

impl Plan {
    /// A complete, valid workspace for a kind of company, with targets for the fiscal year
    /// that contains `today`.
    pub fn from_template(template: Template, name: &str, today: Date) -> Plan {
        let spec = template.spec();
        let calendar = Calendar {
            fiscal_year_start_month: spec.fiscal_year_start_month,
            ..Calendar::default()
        };
        let Period::FiscalYear(fy) = Period::containing(today, Grain::FiscalYear, &calendar) else {
            unreachable!("a fiscal-year grain gives a fiscal year")
        };
        let fy_period = Period::FiscalYear(fy).to_string();
        let fy_start = Period::FiscalYear(fy).start(&calendar);
        Plan {
            name: name.to_string(),
            brand: name.split_whitespace().next().unwrap_or(name).to_string(),
            currency: "SEK".into(),
            locale: "sv".into(),
            time_zone: "Europe/Stockholm".into(),
            fiscal_year_start_month: spec.fiscal_year_start_month,
            departments: strings(spec.departments),
            people: spec.people.iter().map(PersonSpec::plan).collect(),
            goals: spec.goals.iter().map(|g| g.plan(&fy_period)).collect(),
            kpis: spec.kpis.iter().map(|k| k.plan(fy)).collect(),
            sources: spec.sources.iter().map(SourceSpec::plan).collect(),
            activities: spec.activities.iter().map(|a| a.plan(fy_start)).collect(),
        }
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
        let _ = writeln!(out, "store = \"sqlite://.utfall/meta.sqlite\"");
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
