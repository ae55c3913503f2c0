//! Presets: how each vendor's export maps into canonical rows. Header labels are matched in
//! English and Swedish, case-insensitively; a source's `[source.mapping]` can name any column.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};
use utfall_model::catalog::{Catalog, ColumnType, Table};

use crate::parse::{
    DateOrder, NumberStyle, parse_bool, parse_date, parse_integer, parse_number, parse_timestamp,
};
use crate::survey::Wide;
use crate::table::{CellError, Parsed, TableRows, Value};

/// The presets this version reads.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "ga4-bigquery",
        "GA4's BigQuery export (events_YYYYMMDD) as NDJSON (bq extract) or Parquet → web_events, web-session touchpoints, identities",
    ),
    (
        "ga4-data-api",
        "GA4 Data API runReport responses (JSON, pages) → observations",
    ),
    (
        "hubspot-contacts",
        "HubSpot contacts: export (CSV/XLSX, English or Swedish labels) or CRM v3 API JSON → contacts, identities",
    ),
    (
        "hubspot-companies",
        "HubSpot companies: export or CRM v3 API JSON → accounts",
    ),
    (
        "hubspot-deals",
        "HubSpot deals: export or CRM v3 API JSON with associations → deals, deal_contacts",
    ),
    (
        "salesforce-opportunities",
        "Salesforce opportunities: report CSV or REST query JSON → deals",
    ),
    (
        "salesforce-leads",
        "Salesforce leads: report CSV or REST query JSON → contacts, identities",
    ),
    (
        "salesforce-campaign-members",
        "Salesforce campaign members: report CSV or REST query JSON → touchpoints",
    ),
    (
        "pipedrive-deals",
        "Pipedrive deals: export (CSV/XLSX) or API JSON → deals",
    ),
    (
        "google-ads",
        "Google Ads: campaign report (CSV, title rows and totals allowed) or API search/searchStream JSON (cost_micros) → spend",
    ),
    (
        "meta-ads",
        "Meta Ads: Ads Manager export or Insights API JSON (the `actions` list) → spend",
    ),
    (
        "linkedin-ads",
        "LinkedIn: Campaign Manager export or adAnalytics API JSON (costInLocalCurrency) → spend",
    ),
    (
        "activities",
        "the activity plan (XLSX or CSV) → activities, and its costs → spend (platform `manual`)",
    ),
    (
        "survey",
        "survey answers: long format, Qualtrics (3 header rows) or SurveyMonkey (2 header rows) CSV → survey_responses",
    ),
    (
        "mailchimp",
        "Mailchimp's campaign report export → email_sends",
    ),
    (
        "hubspot-email",
        "HubSpot's marketing e-mail export → email_sends",
    ),
    (
        "form-submissions",
        "form submissions with the GA client id (a hidden field) → identities",
    ),
    (
        "generic",
        "any CSV, TSV, XLSX, NDJSON, JSON or Parquet with a column mapping → any canonical or custom table",
    ),
];

/// Settings that shape how values are read.
#[derive(Debug, Clone)]
pub struct ReadSettings {
    pub currency: String,
    pub time_zone: TimeZone,
    pub date_order: DateOrder,
    pub number_style: NumberStyle,
}

/// Where each target column comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A column of the file (index, header as written).
    Column(usize, String),
    /// A fixed value or a rule.
    Rule(&'static str),
    Missing,
}

/// A preset applied to one file's header: column positions, ready to read rows.
#[derive(Debug, Clone)]
pub struct Plan {
    pub preset: String,
    /// The tables rows go to; the first is the main one.
    pub tables: Vec<Table>,
    /// Target column → source (one mapping serves every table of the plan).
    pub sources: BTreeMap<String, Source>,
    /// Currency named in a header, e.g. Meta's `Amount spent (SEK)`.
    pub header_currency: Option<String>,
    /// A survey tool's wide export, and the question renames of the mapping.
    pub wide: Option<Box<(Wide, BTreeMap<String, String>)>>,
    /// The main table's columns, in its order: the file column each comes from.
    positions: Vec<Option<(usize, String)>>,
}

/// `str::trim`, without decoding characters when the ends are plain ASCII (the usual case).
fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let plain = |b: &u8| b.is_ascii() && !b.is_ascii_whitespace();
    if bytes.first().is_none_or(plain) && bytes.last().is_none_or(plain) {
        text
    } else {
        text.trim()
    }
}

/// Where each column of `table` comes from, in the table's order.
fn positions_of(table: &Table, sources: &BTreeMap<String, Source>) -> Vec<Option<(usize, String)>> {
    table
        .columns
        .iter()
        .map(|c| match sources.get(&c.name) {
            Some(Source::Column(i, header)) => Some((*i, header.clone())),
            _ => None,
        })
        .collect()
}

/// A preset could not be applied to the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("unknown preset `{0}`")]
    UnknownPreset(String),
    #[error("no column for `{column}`; looked for {labels}")]
    MissingColumn { column: String, labels: String },
    #[error("unknown table `{0}`")]
    UnknownTable(String),
    #[error("the mapping names `{0}`, which is not a column of the file")]
    UnknownSourceColumn(String),
}

/// (target column, labels in English and Swedish, required)
type Labels = (&'static str, &'static [&'static str], bool);

const HUBSPOT_CONTACTS: &[Labels] = &[
    (
        "person_id",
        &[
            "record id",
            "contact id",
            "post-id",
            "kontakt-id",
            "hs_object_id",
            "id",
        ],
        true,
    ),
    (
        "account_id",
        &[
            "associated company id",
            "company id",
            "associerat företags-id",
            "företags-id",
            "associatedcompanyid",
            "associations.companies",
        ],
        false,
    ),
    (
        "email",
        &["email", "e-post", "e-postadress", "email address"],
        false,
    ),
    (
        "created_at",
        &[
            "create date",
            "createdate",
            "skapat datum",
            "skapandedatum",
            "created at",
        ],
        true,
    ),
    (
        "became_lead_at",
        &[
            "became a lead date",
            "hs_lifecyclestage_lead_date",
            "blev ett lead datum",
            "datum blev lead",
        ],
        false,
    ),
    (
        "became_mql_at",
        &[
            "became a marketing qualified lead date",
            "hs_lifecyclestage_marketingqualifiedlead_date",
            "blev ett marknadskvalificerat lead datum",
            "datum blev mql",
        ],
        false,
    ),
    (
        "became_sql_at",
        &[
            "became a sales qualified lead date",
            "hs_lifecyclestage_salesqualifiedlead_date",
            "blev ett säljkvalificerat lead datum",
            "datum blev sql",
        ],
        false,
    ),
    (
        "became_opportunity_at",
        &[
            "became an opportunity date",
            "hs_lifecyclestage_opportunity_date",
            "blev en affärsmöjlighet datum",
            "datum blev affärsmöjlighet",
        ],
        false,
    ),
    (
        "became_customer_at",
        &[
            "became a customer date",
            "hs_lifecyclestage_customer_date",
            "blev en kund datum",
            "datum blev kund",
        ],
        false,
    ),
    (
        "original_source",
        &[
            "original source",
            "hs_analytics_source",
            "ursprunglig källa",
            "originalkälla",
        ],
        false,
    ),
    (
        "latest_source",
        &["latest source", "hs_latest_source", "senaste källa"],
        false,
    ),
];

const HUBSPOT_COMPANIES: &[Labels] = &[
    (
        "account_id",
        &[
            "record id",
            "company id",
            "post-id",
            "företags-id",
            "hs_object_id",
            "id",
        ],
        true,
    ),
    (
        "name",
        &["company name", "name", "företagsnamn", "namn"],
        true,
    ),
    (
        "domain",
        &[
            "company domain name",
            "domain",
            "webbplatsens domän",
            "domän",
            "domännamn",
        ],
        false,
    ),
    ("industry", &["industry", "bransch"], false),
    (
        "country",
        &["country/region", "country", "land/region", "land"],
        false,
    ),
    (
        "employees",
        &[
            "number of employees",
            "numberofemployees",
            "antal anställda",
        ],
        false,
    ),
];

const HUBSPOT_DEALS: &[Labels] = &[
    (
        "deal_id",
        &[
            "record id",
            "deal id",
            "post-id",
            "affärs-id",
            "hs_object_id",
            "id",
        ],
        true,
    ),
    (
        "account_id",
        &[
            "associated company id",
            "company id",
            "associerat företags-id",
            "företags-id",
            "associations.companies",
        ],
        false,
    ),
    (
        "primary_person_id",
        &[
            "associated contact id",
            "contact id",
            "associerat kontakt-id",
            "kontakt-id",
        ],
        false,
    ),
    (
        "contact_ids",
        &[
            "associated contact ids",
            "associations.contacts",
            "associerade kontakt-id:n",
            "associerade kontakt-id",
        ],
        false,
    ),
    (
        "created_at",
        &["create date", "createdate", "skapat datum", "skapandedatum"],
        true,
    ),
    (
        "closed_at",
        &["close date", "closedate", "stängningsdatum", "slutdatum"],
        false,
    ),
    (
        "stage",
        &["deal stage", "dealstage", "affärsstadium", "affärsfas"],
        true,
    ),
    (
        "amount",
        &[
            "amount",
            "belopp",
            "amount in company currency",
            "belopp i företagets valuta",
        ],
        true,
    ),
    (
        "currency",
        &["currency", "deal_currency_code", "valuta"],
        false,
    ),
    ("pipeline", &["pipeline"], false),
    (
        "source",
        &[
            "original source",
            "deal source",
            "hs_analytics_source",
            "ursprunglig källa",
            "källa",
        ],
        false,
    ),
    (
        "campaign_id",
        &["campaign", "hs_campaign", "kampanj"],
        false,
    ),
    (
        "owner",
        &["deal owner", "hubspot_owner_id", "affärsägare", "ägare"],
        false,
    ),
    (
        "is_won",
        &["is closed won", "hs_is_closed_won", "är stängd vunnen"],
        false,
    ),
    (
        "is_closed",
        &["is closed", "hs_is_closed", "är stängd"],
        false,
    ),
];

const GOOGLE_ADS: &[Labels] = &[
    (
        "date",
        &["day", "date", "segments.date", "dag", "datum"],
        true,
    ),
    (
        "campaign_name",
        &["campaign", "campaign.name", "kampanj", "kampanjnamn"],
        true,
    ),
    (
        "campaign_id",
        &["campaign id", "campaign.id", "kampanj-id"],
        false,
    ),
    ("cost", &["cost", "kostnad"], false),
    (
        "cost_micros",
        &["metrics.cost_micros", "cost_micros", "metrics.costmicros"],
        false,
    ),
    (
        "currency",
        &[
            "currency code",
            "currency",
            "customer.currency_code",
            "customer.currencycode",
            "valutakod",
            "valuta",
        ],
        false,
    ),
    (
        "impressions",
        &[
            "impr.",
            "impressions",
            "metrics.impressions",
            "visn.",
            "visningar",
        ],
        false,
    ),
    ("clicks", &["clicks", "metrics.clicks", "klick"], false),
    (
        "platform_conversions",
        &[
            "conversions",
            "metrics.conversions",
            "konverteringar",
            "konv.",
        ],
        false,
    ),
];

const META_ADS: &[Labels] = &[
    (
        "date",
        &[
            "reporting starts",
            "day",
            "date_start",
            "rapporteringen startar",
            "dag",
        ],
        true,
    ),
    (
        "campaign_name",
        &["campaign name", "campaign_name", "kampanjnamn"],
        true,
    ),
    (
        "campaign_id",
        &["campaign id", "campaign_id", "kampanj-id"],
        false,
    ),
    (
        "cost",
        &["amount spent", "spend", "spenderat belopp", "använt belopp"],
        true,
    ),
    (
        "currency",
        &["currency", "account_currency", "valuta"],
        false,
    ),
    ("impressions", &["impressions", "visningar"], false),
    (
        "clicks",
        &[
            "link clicks",
            "clicks (all)",
            "clicks",
            "länkklick",
            "klick (alla)",
        ],
        false,
    ),
    (
        "platform_conversions",
        &[
            "results",
            "resultat",
            "actions.lead",
            "actions.offsite_conversion.fb_pixel_lead",
            "actions.onsite_conversion.lead_grouped",
        ],
        false,
    ),
];

const LINKEDIN_ADS: &[Labels] = &[
    (
        "date",
        &[
            "start date (in utc)",
            "date",
            "start date",
            "startdatum (i utc)",
            "datum",
            "daterange.start",
        ],
        true,
    ),
    (
        "campaign_name",
        &["campaign name", "campaign", "kampanjnamn"],
        false,
    ),
    (
        "campaign_id",
        &["campaign id", "kampanj-id", "pivotvalues", "pivotvalue"],
        false,
    ),
    (
        "cost",
        &[
            "total spent",
            "amount spent",
            "costinlocalcurrency",
            "totalt spenderat",
        ],
        true,
    ),
    ("currency", &["currency", "valuta"], false),
    ("impressions", &["impressions", "visningar"], false),
    ("clicks", &["clicks", "klick"], false),
    (
        "platform_conversions",
        &[
            "conversions",
            "externalwebsiteconversions",
            "konverteringar",
        ],
        false,
    ),
];

const MAILCHIMP: &[Labels] = &[
    ("send_id", &["unique id", "campaign id", "id"], true),
    ("sent_at", &["send date", "send time", "sent"], true),
    ("name", &["title", "campaign title", "subject"], true),
    (
        "n_sent",
        &["total recipients", "emails sent", "recipients"],
        true,
    ),
    ("n_delivered", &["successful deliveries", "delivered"], true),
    ("n_opens_unique", &["unique opens", "opens"], true),
    (
        "n_clicks_unique",
        &["unique clicks", "unique subscriber clicks", "clicks"],
        true,
    ),
    ("n_unsubscribes", &["unsubscribes", "unsubscribed"], true),
    ("n_bounces", &["total bounces", "bounces"], true),
];

const HUBSPOT_EMAIL: &[Labels] = &[
    (
        "send_id",
        &["email id", "id", "record id", "e-post-id"],
        true,
    ),
    (
        "sent_at",
        &[
            "send date",
            "publish date",
            "sent at",
            "skickat datum",
            "publiceringsdatum",
        ],
        true,
    ),
    (
        "name",
        &["email name", "name", "subject", "e-postnamn", "namn"],
        true,
    ),
    ("n_sent", &["sent", "skickade"], true),
    ("n_delivered", &["delivered", "levererade"], true),
    (
        "n_opens_unique",
        &["opened", "unique opens", "öppnade"],
        true,
    ),
    (
        "n_clicks_unique",
        &["clicked", "unique clicks", "klickade"],
        true,
    ),
    ("n_unsubscribes", &["unsubscribed", "avregistrerade"], true),
    ("n_bounces", &["bounced", "studsade"], true),
];

const ACTIVITIES: &[Labels] = &[
    (
        "activity_id",
        &["activity_id", "id", "aktivitets-id", "aktivitet-id"],
        true,
    ),
    ("name", &["name", "activity", "namn", "aktivitet"], true),
    ("kind", &["kind", "type", "typ", "slag"], true),
    ("channel", &["channel", "kanal"], true),
    (
        "start_date",
        &["start_date", "start", "startdatum", "från"],
        true,
    ),
    (
        "end_date",
        &["end_date", "end", "slutdatum", "slut", "till"],
        false,
    ),
    ("budget", &["budget"], false),
    (
        "cost",
        &[
            "cost",
            "actual cost",
            "kostnad",
            "utfall",
            "faktisk kostnad",
        ],
        false,
    ),
    ("currency", &["currency", "valuta"], false),
    ("owner", &["owner", "ansvarig", "ägare"], false),
    ("department", &["department", "avdelning"], false),
    (
        "utm_campaign",
        &["utm_campaign", "utm campaign", "utm-kampanj"],
        false,
    ),
    (
        "parent_id",
        &["parent_id", "parent", "förälder", "huvudaktivitet"],
        false,
    ),
];

const SALESFORCE_OPPORTUNITIES: &[Labels] = &[
    (
        "deal_id",
        &[
            "opportunity id",
            "id",
            "opportunity id (18)",
            "affärsmöjlighets-id",
        ],
        true,
    ),
    (
        "account_id",
        &["account id", "accountid", "konto-id"],
        false,
    ),
    (
        "primary_person_id",
        &["contact id", "contactid", "kontakt-id"],
        false,
    ),
    (
        "created_at",
        &["created date", "createddate", "skapat datum"],
        true,
    ),
    (
        "closed_at",
        &["close date", "closedate", "stängningsdatum"],
        false,
    ),
    ("stage", &["stage", "stagename", "fas", "stadium"], true),
    ("amount", &["amount", "belopp"], false),
    (
        "currency",
        &[
            "opportunity currency",
            "amount currency",
            "currencyisocode",
            "valuta",
        ],
        false,
    ),
    (
        "pipeline",
        &["opportunity record type", "recordtype.name", "posttyp"],
        false,
    ),
    ("source", &["lead source", "leadsource", "leadkälla"], false),
    (
        "campaign_id",
        &[
            "primary campaign source",
            "campaignid",
            "campaign.name",
            "primär kampanjkälla",
        ],
        false,
    ),
    (
        "owner",
        &[
            "opportunity owner",
            "owner.name",
            "ownerid",
            "affärsmöjlighetsägare",
        ],
        false,
    ),
    ("is_won", &["won", "iswon", "vunnen"], false),
    ("is_closed", &["closed", "isclosed", "stängd"], false),
];

const SALESFORCE_LEADS: &[Labels] = &[
    ("person_id", &["lead id", "id", "lead-id"], true),
    (
        "converted_contact_id",
        &[
            "converted contact id",
            "convertedcontactid",
            "konverterat kontakt-id",
        ],
        false,
    ),
    (
        "account_id",
        &[
            "converted account id",
            "convertedaccountid",
            "konverterat konto-id",
        ],
        false,
    ),
    ("email", &["email", "e-post", "e-postadress"], false),
    (
        "created_at",
        &["create date", "created date", "createddate", "skapat datum"],
        true,
    ),
    (
        "became_mql_at",
        &["mql date", "mql_date__c", "mql-datum"],
        false,
    ),
    (
        "became_sql_at",
        &["sql date", "sql_date__c", "sql-datum"],
        false,
    ),
    (
        "became_opportunity_at",
        &["converted date", "converteddate", "konverteringsdatum"],
        false,
    ),
    (
        "original_source",
        &["lead source", "leadsource", "leadkälla"],
        false,
    ),
];

const SALESFORCE_CAMPAIGN_MEMBERS: &[Labels] = &[
    (
        "contact_id",
        &["contact id", "contactid", "kontakt-id"],
        false,
    ),
    ("lead_id", &["lead id", "leadid", "lead-id"], false),
    (
        "campaign",
        &["campaign name", "campaign.name", "kampanjnamn"],
        true,
    ),
    (
        "campaign_type",
        &["campaign type", "campaign.type", "kampanjtyp"],
        false,
    ),
    (
        "responded_at",
        &[
            "first responded date",
            "firstrespondeddate",
            "första svarsdatum",
        ],
        false,
    ),
    (
        "created_at",
        &[
            "created date",
            "createddate",
            "member created date",
            "skapat datum",
        ],
        true,
    ),
];

const PIPEDRIVE_DEALS: &[Labels] = &[
    ("deal_id", &["deal - id", "id", "affär - id"], true),
    (
        "account_id",
        &[
            "deal - organization id",
            "organization - id",
            "org_id",
            "deal - organization",
            "affär - organisation",
        ],
        false,
    ),
    (
        "primary_person_id",
        &[
            "deal - contact person id",
            "person - id",
            "person_id",
            "deal - contact person",
            "affär - kontaktperson",
        ],
        false,
    ),
    (
        "created_at",
        &[
            "deal - deal created",
            "add_time",
            "deal created",
            "affär - affär skapad",
        ],
        true,
    ),
    (
        "closed_at",
        &[
            "deal - deal closed on",
            "close_time",
            "deal closed on",
            "affär - affär stängd den",
        ],
        false,
    ),
    (
        "won_at",
        &["deal - won time", "won_time", "affär - vunnen tid"],
        false,
    ),
    (
        "lost_at",
        &["deal - lost time", "lost_time", "affär - förlorad tid"],
        false,
    ),
    (
        "status",
        &["deal - status", "status", "affär - status"],
        true,
    ),
    (
        "stage",
        &["deal - stage", "stage_id", "stage", "affär - steg"],
        false,
    ),
    ("amount", &["deal - value", "value", "affär - värde"], false),
    (
        "currency",
        &["deal - currency", "currency", "affär - valuta"],
        false,
    ),
    (
        "pipeline",
        &[
            "deal - pipeline",
            "pipeline_id",
            "pipeline",
            "affär - pipeline",
        ],
        false,
    ),
    (
        "source",
        &[
            "deal - source channel",
            "origin",
            "channel",
            "deal - source origin",
        ],
        false,
    ),
    (
        "owner",
        &["deal - owner", "user_id", "owner_name", "affär - ägare"],
        false,
    ),
];

const FORM_SUBMISSIONS: &[Labels] = &[
    (
        "person_id",
        &[
            "contact id",
            "record id",
            "kontakt-id",
            "hs_object_id",
            "person_id",
            "lead id",
        ],
        true,
    ),
    (
        "anonymous_id",
        &[
            "ga_client_id",
            "ga client id",
            "google analytics client id",
            "client id",
            "_ga",
            "anonymous_id",
            "user_pseudo_id",
        ],
        true,
    ),
    (
        "linked_at",
        &[
            "conversion date",
            "submitted at",
            "submission date",
            "konverteringsdatum",
            "inskickad",
            "timestamp",
        ],
        true,
    ),
];

const SURVEY: &[Labels] = &[
    ("survey_id", &["survey_id", "survey", "undersökning"], true),
    ("wave", &["wave", "våg", "omgång"], true),
    (
        "response_time",
        &["response_time", "responded_at", "svarstid", "datum"],
        true,
    ),
    (
        "respondent_id",
        &["respondent_id", "respondent", "respondent-id", "svarande"],
        true,
    ),
    ("weight", &["weight", "vikt"], false),
    ("question", &["question", "fråga"], true),
    ("brand", &["brand", "varumärke"], false),
    (
        "answer_numeric",
        &["answer_numeric", "value", "svar (tal)", "värde"],
        false,
    ),
    (
        "answer_text",
        &["answer_text", "answer", "svar", "svar (text)"],
        false,
    ),
];

fn labels_of(preset: &str) -> Option<(&'static [Labels], &'static str)> {
    Some(match preset {
        "hubspot-contacts" => (HUBSPOT_CONTACTS, "contacts"),
        "hubspot-companies" => (HUBSPOT_COMPANIES, "accounts"),
        "hubspot-deals" => (HUBSPOT_DEALS, "deals"),
        "google-ads" => (GOOGLE_ADS, "spend"),
        "meta-ads" => (META_ADS, "spend"),
        "linkedin-ads" => (LINKEDIN_ADS, "spend"),
        "activities" => (ACTIVITIES, "activities"),
        "survey" => (SURVEY, "survey_responses"),
        "mailchimp" => (MAILCHIMP, "email_sends"),
        "hubspot-email" => (HUBSPOT_EMAIL, "email_sends"),
        "salesforce-opportunities" => (SALESFORCE_OPPORTUNITIES, "deals"),
        "salesforce-leads" => (SALESFORCE_LEADS, "contacts"),
        "salesforce-campaign-members" => (SALESFORCE_CAMPAIGN_MEMBERS, "touchpoints"),
        "pipedrive-deals" => (PIPEDRIVE_DEALS, "deals"),
        "form-submissions" => (FORM_SUBMISSIONS, "identities"),
        _ => return None,
    })
}

fn normalise(label: &str) -> String {
    label.trim().trim_start_matches('\u{feff}').to_lowercase()
}

/// The header label without a trailing `(SEK)`, and that currency.
fn split_currency(label: &str) -> (String, Option<String>) {
    let label = normalise(label);
    if let Some(open) = label.rfind('(')
        && label.ends_with(')')
    {
        let inside = label[open + 1..label.len() - 1].trim().to_uppercase();
        if inside.len() == 3 && inside.bytes().all(|b| b.is_ascii_uppercase()) {
            return (label[..open].trim().to_string(), Some(inside));
        }
    }
    (label, None)
}

/// How many of a preset's labels a header line contains (to find the header under title rows).
pub fn header_score(preset: &str, cells: &[String]) -> usize {
    let Some((labels, _)) = labels_of(preset) else {
        return usize::from(!cells.is_empty());
    };
    cells
        .iter()
        .filter(|cell| {
            let (label, _) = split_currency(cell);
            labels
                .iter()
                .any(|(_, names, _)| names.contains(&label.as_str()))
        })
        .count()
}

impl Plan {
    /// Matches a preset (and an optional mapping: source column → target column) to a header.
    pub fn new(
        preset: &str,
        headers: &[String],
        mapping: &BTreeMap<String, String>,
        generic_table: Option<&str>,
        catalog: &Catalog,
    ) -> Result<Plan, PlanError> {
        let overrides: BTreeMap<String, (usize, String)> = mapping
            .iter()
            .map(|(source, target)| {
                let index = headers
                    .iter()
                    .position(|h| normalise(h) == normalise(source))
                    .ok_or_else(|| PlanError::UnknownSourceColumn(source.clone()))?;
                Ok((target.clone(), (index, headers[index].clone())))
            })
            .collect::<Result<_, PlanError>>()?;
        let table_of = |name: &str| {
            catalog
                .table(name)
                .cloned()
                .ok_or_else(|| PlanError::UnknownTable(name.to_string()))
        };
        if preset == "generic" {
            let table = table_of(generic_table.unwrap_or(""))?;
            let mut sources = BTreeMap::new();
            for column in &table.columns {
                let source = overrides
                    .get(&column.name)
                    .map(|(i, h)| Source::Column(*i, h.clone()))
                    .or_else(|| {
                        headers
                            .iter()
                            .position(|h| normalise(h) == column.name)
                            .map(|i| Source::Column(i, headers[i].clone()))
                    })
                    .unwrap_or(Source::Missing);
                sources.insert(column.name.clone(), source);
            }
            return Ok(Plan {
                preset: preset.to_string(),
                positions: positions_of(&table, &sources),
                tables: vec![table],
                sources,
                header_currency: None,
                wide: None,
            });
        }
        let (labels, table_name) =
            labels_of(preset).ok_or_else(|| PlanError::UnknownPreset(preset.to_string()))?;
        let mut header_currency = None;
        let mut found: BTreeMap<String, Source> = BTreeMap::new();
        for (target, names, required) in labels {
            let source = match overrides.get(*target) {
                Some((i, h)) => Some(Source::Column(*i, h.clone())),
                None => headers.iter().enumerate().find_map(|(i, header)| {
                    let (label, currency) = split_currency(header);
                    names.contains(&label.as_str()).then(|| {
                        if currency.is_some() {
                            header_currency = currency;
                        }
                        Source::Column(i, header.clone())
                    })
                }),
            };
            match source {
                Some(source) => {
                    found.insert((*target).to_string(), source);
                }
                None if *required => {
                    return Err(PlanError::MissingColumn {
                        column: (*target).to_string(),
                        labels: names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
                None => {
                    found.insert((*target).to_string(), Source::Missing);
                }
            }
        }
        if matches!(preset, "google-ads")
            && matches!(found.get("cost"), Some(Source::Missing) | None)
            && matches!(found.get("cost_micros"), Some(Source::Missing) | None)
        {
            return Err(PlanError::MissingColumn {
                column: "cost".into(),
                labels: "`Cost`, `Kostnad` or `metrics.cost_micros`".into(),
            });
        }
        let mut tables = vec![table_of(table_name)?];
        match preset {
            "activities" => tables.push(table_of("spend")?),
            "hubspot-deals" => tables.push(table_of("deal_contacts")?),
            "hubspot-contacts" | "salesforce-leads" => tables.push(table_of("identities")?),
            _ => {}
        }
        Ok(Plan {
            preset: preset.to_string(),
            positions: positions_of(&tables[0], &found),
            tables,
            sources: found,
            header_currency,
            wide: None,
        })
    }

    /// A survey tool's wide export (see [`crate::survey`]); the mapping renames questions.
    pub fn survey_wide(
        wide: Wide,
        mapping: &BTreeMap<String, String>,
        catalog: &Catalog,
    ) -> Result<Plan, PlanError> {
        let table = catalog
            .table("survey_responses")
            .cloned()
            .ok_or_else(|| PlanError::UnknownTable("survey_responses".into()))?;
        let sources = wide
            .describe(mapping)
            .into_iter()
            .map(|(target, from)| (target, Source::Column(usize::MAX, from)))
            .collect();
        Ok(Plan {
            preset: "survey".into(),
            tables: vec![table],
            sources,
            header_currency: None,
            wide: Some(Box::new((wide, mapping.clone()))),
            positions: Vec::new(),
        })
    }

    /// Whether records map one to one onto rows of the main table, read by type (`generic`):
    /// such plans take the fast path, [`Plan::direct_row`].
    pub fn is_direct(&self) -> bool {
        self.preset == "generic" && self.wide.is_none()
    }

    /// A record read straight into typed values of the main table, text borrowed from the
    /// record; the same values and errors as [`Plan::rows`] gives for `generic`.
    pub fn direct_row<'r>(
        &self,
        record: &'r csv::StringRecord,
        settings: &ReadSettings,
    ) -> Result<Vec<Parsed<'r>>, CellError> {
        let reader = RowReader {
            plan: self,
            record: &[],
            settings,
        };
        let table = &self.tables[0];
        let mut row = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            let cell = self.positions[i].as_ref().and_then(|(index, header)| {
                let text = trim(record.get(*index).unwrap_or(""));
                (!text.is_empty()).then_some((text, header.as_str()))
            });
            let value = match column.ty {
                ColumnType::Text => match cell {
                    Some((text, _)) if column.name == "email_hash" && text.contains('@') => {
                        Parsed::Owned(email_hash(text))
                    }
                    Some((text, _)) => Parsed::Str(text),
                    None if column.name == "currency" && !column.nullable => {
                        match reader.currency()? {
                            Value::Text(code) => Parsed::Owned(code),
                            _ => Parsed::Null,
                        }
                    }
                    None => Parsed::Null,
                },
                ColumnType::Float => match reader.number_of(cell)? {
                    Some(v) => Parsed::Float(v),
                    None if column.name == "weight" => Parsed::Float(1.0),
                    None => Parsed::Null,
                },
                ColumnType::Integer => reader
                    .integer_of(cell)?
                    .map_or(Parsed::Null, Parsed::Integer),
                ColumnType::Bool => reader.boolean_of(cell)?.map_or(Parsed::Null, Parsed::Bool),
                ColumnType::Date => match reader.date_of(cell)? {
                    Some(Value::Date(d)) => Parsed::Date(d),
                    _ => Parsed::Null,
                },
                ColumnType::Timestamp => match reader.timestamp_of(cell)? {
                    Some(Value::Timestamp(t)) => Parsed::Timestamp(t),
                    _ => Parsed::Null,
                },
            };
            if matches!(value, Parsed::Null) && !column.nullable {
                return Err(CellError {
                    column: column.name.clone(),
                    reason: "a value is required".into(),
                });
            }
            row.push(value);
        }
        Ok(row)
    }

    /// The mapping for people: target column → where it comes from.
    pub fn describe(&self) -> Vec<(String, String)> {
        self.sources
            .iter()
            .map(|(target, source)| {
                let from = match source {
                    // A wide survey's columns, described already.
                    Source::Column(usize::MAX, text) => text.clone(),
                    Source::Column(_, header) => format!("column `{header}`"),
                    Source::Rule(rule) => (*rule).to_string(),
                    Source::Missing => "—".to_string(),
                };
                (target.clone(), from)
            })
            .collect()
    }

    /// Reads one record into rows for the plan's tables (a table may get no row). `Ok(None)`:
    /// a record deliberately not imported (a survey preview).
    pub fn rows(
        &self,
        record: &[&str],
        settings: &ReadSettings,
    ) -> Result<Option<TableRows>, CellError> {
        if let Some(wide) = &self.wide {
            let (wide, renames) = wide.as_ref();
            return wide.rows(record, renames, settings.date_order, &settings.time_zone);
        }
        self.rows_of(record, settings).map(Some)
    }

    fn rows_of(&self, record: &[&str], settings: &ReadSettings) -> Result<TableRows, CellError> {
        let reader = RowReader {
            plan: self,
            record,
            settings,
        };
        match self.preset.as_str() {
            "generic" => Ok(vec![vec![reader.generic(&self.tables[0])?]]),
            "hubspot-contacts" | "salesforce-leads" => reader.contact(),
            "hubspot-companies" | "mailchimp" | "hubspot-email" => {
                Ok(vec![vec![reader.by_type(&self.tables[0])?]])
            }
            "hubspot-deals" => reader.hubspot_deal_with_contacts(),
            "salesforce-opportunities" => Ok(vec![vec![reader.hubspot_deal()?]]),
            "pipedrive-deals" => Ok(vec![vec![reader.pipedrive_deal()?]]),
            "salesforce-campaign-members" => Ok(vec![vec![reader.campaign_member()?]]),
            "form-submissions" => Ok(vec![vec![reader.form_submission()?]]),
            "google-ads" | "meta-ads" | "linkedin-ads" => Ok(vec![vec![reader.ad_spend()?]]),
            "activities" => reader.activity(),
            "survey" => Ok(vec![vec![reader.survey()?]]),
            other => Err(CellError {
                column: String::new(),
                reason: format!("unknown preset `{other}`"),
            }),
        }
    }
}

/// The text with every e-mail address in it replaced by `sha256:` and its hash, so that
/// rejected records can be kept without keeping addresses.
pub fn mask_emails(text: &str) -> String {
    let is_part = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let start = (0..i).rev().take_while(|&j| is_part(chars[j])).last();
            let end = (i + 1..chars.len())
                .take_while(|&j| is_part(chars[j]))
                .last();
            if let (Some(start), Some(end)) = (start, end) {
                let domain: String = chars[i + 1..=end].iter().collect();
                let domain = domain.trim_end_matches('.');
                if domain.contains('.') {
                    let local: String = chars[start..i].iter().collect();
                    let address = format!("{local}@{domain}");
                    // The local part was already written out; take it back.
                    for _ in 0..local.chars().count() {
                        out.pop();
                    }
                    out.push_str("sha256:");
                    out.push_str(&email_hash(&address));
                    i += 1 + domain.chars().count();
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// SHA-256 of the lower-cased, trimmed e-mail address, as hex.
pub fn email_hash(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    crate::import::hex(&digest)
}

/// HubSpot's original-source values (API names and UI labels, English and Swedish) → channel.
pub fn hubspot_channel(source: &str) -> &'static str {
    match normalise(source).replace(['_', '-'], " ").as_str() {
        "organic search" | "organisk sökning" => "organic_search",
        "paid search" | "betald sökning" => "paid_search",
        "email marketing" | "e postmarknadsföring" | "e post" => "email",
        "social media" | "organic social" | "organiska sociala medier" | "sociala medier" => {
            "organic_social"
        }
        "paid social" | "betalda sociala medier" => "paid_social",
        "referrals" | "hänvisningar" | "ai referrals" => "referral",
        "direct traffic" | "direkt trafik" => "direct",
        "other campaigns" | "andra kampanjer" => "other",
        "offline" | "offline sources" | "offlinekällor" => "other",
        _ => "unassigned",
    }
}

/// The channel of a Salesforce lead source (the standard picklist, and common additions).
pub fn salesforce_channel(source: &str) -> &'static str {
    match source.trim().to_lowercase().as_str() {
        "advertisement" | "banner ads" => "display",
        "paid search" | "google ads" | "ppc" => "paid_search",
        "social" | "social media" => "organic_social",
        "paid social" | "linkedin ads" | "facebook ads" => "paid_social",
        "email" | "e-mail" | "newsletter" => "email",
        "employee referral" | "external referral" | "referral" => "referral",
        "partner" | "partner referral" => "partner",
        "trade show" | "seminar - internal" | "seminar - partner" | "seminar" | "webinar"
        | "event" | "conference" | "mässa" => "events",
        "purchased list" | "phone inquiry" | "cold call" | "outbound" => "sales_outbound",
        "web" | "website" | "webbplats" => "direct",
        "organic search" | "seo" => "organic_search",
        "public relations" | "pr" => "pr",
        _ => "other",
    }
}

/// The channel of a Salesforce campaign type.
pub fn salesforce_campaign_channel(kind: &str) -> &'static str {
    match kind.trim().to_lowercase().as_str() {
        "email" | "e-mail" => "email",
        "webinar" | "trade show" | "conference" | "seminar / conference" | "event" | "mässa" => {
            "events"
        }
        "advertisement" | "banner ads" | "display" => "display",
        "direct mail" | "print" => "print",
        "public relations" | "pr" => "pr",
        "partners" | "partner" => "partner",
        "telemarketing" => "sales_outbound",
        "referral program" | "referral" => "referral",
        "social" | "social media" => "paid_social",
        "paid search" | "search" => "paid_search",
        _ => "other",
    }
}

/// GA's client id from a `_ga` cookie (`GA1.1.123.456` → `123.456`, the BigQuery export's
/// `user_pseudo_id`); an id already bare is kept.
pub fn ga_client_id(text: &str) -> String {
    let parts: Vec<&str> = text.trim().split('.').collect();
    if parts.len() == 4 && parts[0].starts_with("GA") {
        format!("{}.{}", parts[2], parts[3])
    } else {
        text.trim().to_string()
    }
}

struct RowReader<'a> {
    plan: &'a Plan,
    record: &'a [&'a str],
    settings: &'a ReadSettings,
}

impl RowReader<'_> {
    fn raw(&self, target: &str) -> Option<(&str, &str)> {
        match self.plan.sources.get(target) {
            Some(Source::Column(index, header)) => self.cell(*index, header),
            _ => None,
        }
    }

    fn cell<'h>(&self, index: usize, header: &'h str) -> Option<(&str, &'h str)>
    where
        Self: 'h,
    {
        let text = self.record.get(index).copied().unwrap_or("").trim();
        (!text.is_empty()).then_some((text, header))
    }

    fn error(header: &str, reason: impl Into<String>) -> CellError {
        CellError {
            column: header.to_string(),
            reason: reason.into(),
        }
    }

    fn text(&self, target: &str) -> Option<Value> {
        self.raw(target)
            .map(|(text, _)| Value::Text(text.to_string()))
    }

    fn number(&self, target: &str) -> Result<Option<f64>, CellError> {
        self.number_of(self.raw(target))
    }

    fn number_of(&self, cell: Option<(&str, &str)>) -> Result<Option<f64>, CellError> {
        let Some((text, header)) = cell else {
            return Ok(None);
        };
        parse_number(text, self.settings.number_style)
            .map(Some)
            .ok_or_else(|| {
                Self::error(
                    header,
                    format!("`{text}` is not a number; write e.g. `1 234,50` or `1234.50`"),
                )
            })
    }

    fn integer(&self, target: &str) -> Result<Option<i64>, CellError> {
        self.integer_of(self.raw(target))
    }

    fn integer_of(&self, cell: Option<(&str, &str)>) -> Result<Option<i64>, CellError> {
        let Some((text, header)) = cell else {
            return Ok(None);
        };
        parse_integer(text, self.settings.number_style)
            .map(Some)
            .ok_or_else(|| Self::error(header, format!("`{text}` is not a whole number")))
    }

    fn date(&self, target: &str) -> Result<Option<Value>, CellError> {
        self.date_of(self.raw(target))
    }

    fn date_of(&self, cell: Option<(&str, &str)>) -> Result<Option<Value>, CellError> {
        let Some((text, header)) = cell else {
            return Ok(None);
        };
        // A timestamp in a date column: keep its date in the workspace's time zone.
        if let Some(date) = parse_date(text, self.settings.date_order) {
            return Ok(Some(Value::Date(date)));
        }
        parse_timestamp(text, self.settings.date_order, &self.settings.time_zone)
            .map(|t| {
                Some(Value::Date(
                    t.to_zoned_datetime(self.settings.time_zone.clone()).date(),
                ))
            })
            .ok_or_else(|| {
                Self::error(
                    header,
                    format!("`{text}` is not a date; write e.g. `2026-11-26` or `26/11/2026`"),
                )
            })
    }

    fn timestamp(&self, target: &str) -> Result<Option<Value>, CellError> {
        self.timestamp_of(self.raw(target))
    }

    fn timestamp_of(&self, cell: Option<(&str, &str)>) -> Result<Option<Value>, CellError> {
        let Some((text, header)) = cell else {
            return Ok(None);
        };
        parse_timestamp(text, self.settings.date_order, &self.settings.time_zone)
            .map(|t| Some(Value::Timestamp(t)))
            .ok_or_else(|| {
                Self::error(
                    header,
                    format!("`{text}` is not a date and time; write e.g. `2026-11-26 14:30`"),
                )
            })
    }

    fn boolean(&self, target: &str) -> Result<Option<bool>, CellError> {
        self.boolean_of(self.raw(target))
    }

    fn boolean_of(&self, cell: Option<(&str, &str)>) -> Result<Option<bool>, CellError> {
        let Some((text, header)) = cell else {
            return Ok(None);
        };
        parse_bool(text)
            .map(Some)
            .ok_or_else(|| Self::error(header, format!("`{text}` is not yes or no")))
    }

    fn currency(&self) -> Result<Value, CellError> {
        let code = match self.raw("currency") {
            Some((text, _)) => text.to_uppercase(),
            None => self
                .plan
                .header_currency
                .clone()
                .unwrap_or_else(|| self.settings.currency.clone()),
        };
        if !utfall_model::money::is_currency(&code) {
            let header = self.raw("currency").map_or("currency", |(_, h)| h);
            return Err(Self::error(
                header,
                format!("`{code}` is not an ISO 4217 currency code"),
            ));
        }
        Ok(Value::Text(code))
    }

    /// Every column of `table` read by its type from the column of the same target name.
    fn by_type(&self, table: &Table) -> Result<Vec<Option<Value>>, CellError> {
        let same = table.name == self.plan.tables[0].name && !self.plan.positions.is_empty();
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let cell = if same {
                    self.plan.positions[i]
                        .as_ref()
                        .and_then(|(index, header)| self.cell(*index, header))
                } else {
                    self.raw(&column.name)
                };
                Ok(match column.ty {
                    ColumnType::Text => cell.map(|(text, _)| Value::Text(text.to_string())),
                    ColumnType::Float => self.number_of(cell)?.map(Value::Float),
                    ColumnType::Integer => self.integer_of(cell)?.map(Value::Integer),
                    ColumnType::Bool => self.boolean_of(cell)?.map(Value::Bool),
                    ColumnType::Date => self.date_of(cell)?,
                    ColumnType::Timestamp => self.timestamp_of(cell)?,
                })
            })
            .collect()
    }

    fn generic(&self, table: &Table) -> Result<Vec<Option<Value>>, CellError> {
        let mut row = self.by_type(table)?;
        for (value, column) in row.iter_mut().zip(&table.columns) {
            if column.name == "email_hash"
                && let Some(Value::Text(email)) = value
                && email.contains('@')
            {
                *value = Some(Value::Text(email_hash(email)));
            }
            if column.name == "currency" && value.is_none() && !column.nullable {
                *value = Some(self.currency()?);
            }
            if column.name == "weight" && value.is_none() {
                *value = Some(Value::Float(1.0));
            }
        }
        Ok(row)
    }

    /// A contact, and the identity its company association makes.
    fn contact(&self) -> Result<TableRows, CellError> {
        let contact = self.hubspot_contact()?;
        let identity = match (&contact[0], &contact[1]) {
            (Some(person), Some(account)) => vec![vec![
                None,
                Some(person.clone()),
                Some(account.clone()),
                contact[3].clone(),
                Some(Value::Text("crm".into())),
            ]],
            _ => Vec::new(),
        };
        Ok(vec![vec![contact], identity])
    }

    fn hubspot_contact(&self) -> Result<Vec<Option<Value>>, CellError> {
        let original = self.raw("original_source").map(|(text, _)| text);
        // A converted Salesforce lead is its contact: deals and campaign members name that.
        let person = self
            .text("converted_contact_id")
            .or_else(|| self.text("person_id"));
        let channel = match (self.plan.preset.as_str(), original) {
            (_, None) => "unassigned",
            ("salesforce-leads", Some(source)) => salesforce_channel(source),
            (_, Some(source)) => hubspot_channel(source),
        };
        Ok(vec![
            person,
            self.text("account_id"),
            self.raw("email")
                .map(|(email, _)| Value::Text(email_hash(email))),
            self.timestamp("created_at")?,
            self.timestamp("became_lead_at")?,
            self.timestamp("became_mql_at")?,
            self.timestamp("became_sql_at")?,
            self.timestamp("became_opportunity_at")?,
            self.timestamp("became_customer_at")?,
            self.text("original_source"),
            Some(Value::Text(channel.to_string())),
            self.text("latest_source"),
        ])
    }

    /// A HubSpot deal and its associated contacts (ids separated by `;` or `,`).
    fn hubspot_deal_with_contacts(&self) -> Result<TableRows, CellError> {
        let mut deal = self.hubspot_deal()?;
        let contacts: Vec<String> = self
            .raw("contact_ids")
            .map(|(ids, _)| {
                ids.split([';', ','])
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if deal[2].is_none() {
            deal[2] = contacts.first().cloned().map(Value::Text);
        }
        if let Some(Value::Text(account)) = &deal[1]
            && account.contains(';')
        {
            deal[1] = account
                .split(';')
                .next()
                .map(|a| Value::Text(a.trim().to_string()));
        }
        let links = contacts
            .into_iter()
            .map(|person| vec![deal[0].clone(), Some(Value::Text(person)), None])
            .collect();
        Ok(vec![vec![deal], links])
    }

    fn pipedrive_deal(&self) -> Result<Vec<Option<Value>>, CellError> {
        let status = self
            .raw("status")
            .map(|(s, _)| s.to_lowercase())
            .unwrap_or_default();
        let is_won = matches!(status.as_str(), "won" | "vunnen" | "vunnet");
        let is_closed = is_won || matches!(status.as_str(), "lost" | "förlorad" | "förlorat");
        let closed_at = if is_closed {
            match self.timestamp("closed_at")? {
                Some(t) => Some(t),
                None if is_won => self.timestamp("won_at")?,
                None => self.timestamp("lost_at")?,
            }
        } else {
            None
        };
        Ok(vec![
            self.text("deal_id"),
            self.text("account_id"),
            self.text("primary_person_id"),
            self.timestamp("created_at")?,
            closed_at,
            Some(self.text("stage").unwrap_or(Value::Text(status.clone()))),
            Some(Value::Bool(is_closed)),
            Some(Value::Bool(is_won)),
            Some(Value::Float(self.number("amount")?.unwrap_or(0.0))),
            Some(self.currency()?),
            self.text("pipeline"),
            self.text("source"),
            None,
            self.text("owner"),
        ])
    }

    /// A Salesforce campaign member: a touch of the contact (else the lead) when they first
    /// responded (else when they were added).
    fn campaign_member(&self) -> Result<Vec<Option<Value>>, CellError> {
        let person = self.text("contact_id").or_else(|| self.text("lead_id"));
        if person.is_none() {
            return Err(Self::error(
                "Contact ID",
                "a campaign member needs a contact or lead id",
            ));
        }
        let time = match self.timestamp("responded_at")? {
            Some(time) => Some(time),
            None => self.timestamp("created_at")?,
        };
        let kind = self.raw("campaign_type").map(|(k, _)| k);
        // What the member did, in the canonical vocabulary: a response to an event or webinar
        // is attendance, to an e-mail a click; anything else (sent, registered) is `other`.
        let responded = self.raw("responded_at").is_some();
        let channel = kind.map_or("other", salesforce_campaign_channel);
        let touch = match (responded, kind.map(str::to_lowercase).as_deref()) {
            (true, Some("webinar")) => "webinar_attended",
            (true, _) if channel == "events" => "event_attended",
            (true, _) if channel == "email" => "email_click",
            _ => "other",
        };
        Ok(vec![
            time,
            person,
            None,
            None,
            Some(Value::Text(channel.to_string())),
            Some(Value::Text("salesforce".into())),
            kind.map(|k| Value::Text(k.to_string())),
            self.text("campaign"),
            None,
            Some(Value::Text(touch.into())),
        ])
    }

    /// A form fill that carried the browser's GA client id: the browser is the person's.
    fn form_submission(&self) -> Result<Vec<Option<Value>>, CellError> {
        let anonymous = self.raw("anonymous_id").map(|(id, _)| ga_client_id(id));
        Ok(vec![
            anonymous.map(Value::Text),
            self.text("person_id"),
            None,
            self.timestamp("linked_at")?,
            Some(Value::Text("form".into())),
        ])
    }

    fn hubspot_deal(&self) -> Result<Vec<Option<Value>>, CellError> {
        let stage = self
            .raw("stage")
            .map(|(s, _)| normalise(s).replace([' ', '_', '-'], ""))
            .unwrap_or_default();
        let won_by_stage = matches!(
            stage.as_str(),
            "closedwon" | "stängdvunnen" | "vunnen" | "won"
        );
        let lost_by_stage = matches!(
            stage.as_str(),
            "closedlost" | "stängdförlorad" | "förlorad" | "lost"
        );
        let is_won = self.boolean("is_won")?.unwrap_or(won_by_stage);
        let is_closed = self
            .boolean("is_closed")?
            .unwrap_or(is_won || lost_by_stage);
        let amount = self.number("amount")?.unwrap_or(0.0);
        Ok(vec![
            self.text("deal_id"),
            self.text("account_id"),
            self.text("primary_person_id"),
            self.timestamp("created_at")?,
            if is_closed {
                self.timestamp("closed_at")?
            } else {
                None
            },
            self.text("stage"),
            Some(Value::Bool(is_closed)),
            Some(Value::Bool(is_won)),
            Some(Value::Float(amount)),
            Some(self.currency()?),
            self.text("pipeline"),
            self.text("source"),
            self.text("campaign_id"),
            self.text("owner"),
        ])
    }

    fn ad_spend(&self) -> Result<Vec<Option<Value>>, CellError> {
        let (platform, channel) = match self.plan.preset.as_str() {
            "google-ads" => ("google_ads", "paid_search"),
            "meta-ads" => ("meta", "paid_social"),
            _ => ("linkedin", "paid_social"),
        };
        let cost = match self.number("cost")? {
            Some(cost) => cost,
            None => self
                .number("cost_micros")?
                .map_or(0.0, |micros| micros / 1_000_000.0),
        };
        let id = self
            .text("campaign_id")
            .or_else(|| self.text("campaign_name"));
        let name = self.text("campaign_name").or_else(|| id.clone());
        Ok(vec![
            self.date("date")?,
            Some(Value::Text(platform.into())),
            Some(Value::Text(channel.into())),
            id,
            name,
            None,
            Some(Value::Float(cost)),
            Some(self.currency()?),
            self.integer("impressions")?.map(Value::Integer),
            self.integer("clicks")?.map(Value::Integer),
            self.number("platform_conversions")?.map(Value::Float),
        ])
    }

    fn activity(&self) -> Result<TableRows, CellError> {
        let kind = self
            .raw("kind")
            .map(|(k, _)| normalise(k))
            .unwrap_or_default();
        if !utfall_model::catalog::ACTIVITY_KINDS.contains(&kind.as_str()) {
            let header = self.raw("kind").map_or("kind", |(_, h)| h);
            return Err(Self::error(
                header,
                format!(
                    "`{kind}` is not a kind of activity; use one of {}",
                    utfall_model::catalog::ACTIVITY_KINDS.join(", ")
                ),
            ));
        }
        let channel = self
            .raw("channel")
            .map(|(c, _)| normalise(c))
            .unwrap_or_default();
        if !utfall_model::catalog::CHANNELS.contains(&channel.as_str()) {
            let header = self.raw("channel").map_or("channel", |(_, h)| h);
            return Err(Self::error(header, format!("`{channel}` is not a channel")));
        }
        let id = self.text("activity_id");
        let start = self.date("start_date")?;
        let currency = self.currency()?;
        let activity = vec![
            id.clone(),
            self.text("name"),
            Some(Value::Text(kind)),
            Some(Value::Text(channel.clone())),
            start.clone(),
            self.date("end_date")?,
            self.number("budget")?.map(Value::Float),
            Some(currency.clone()),
            self.text("owner"),
            self.text("department"),
            self.text("utm_campaign"),
            self.text("parent_id"),
        ];
        let spend = match self.number("cost")? {
            Some(cost) => vec![vec![
                start,
                Some(Value::Text("manual".into())),
                Some(Value::Text(channel)),
                id.clone(),
                self.text("name"),
                id,
                Some(Value::Float(cost)),
                Some(currency),
                None,
                None,
                None,
            ]],
            None => Vec::new(),
        };
        Ok(vec![vec![activity], spend])
    }

    fn survey(&self) -> Result<Vec<Option<Value>>, CellError> {
        Ok(vec![
            self.text("survey_id"),
            self.text("wave"),
            self.timestamp("response_time")?,
            self.text("respondent_id"),
            Some(Value::Float(self.number("weight")?.unwrap_or(1.0))),
            self.text("question").map(|q| match q {
                Value::Text(q) => Value::Text(normalise(&q).replace([' ', '-'], "_")),
                other => other,
            }),
            self.text("brand"),
            self.number("answer_numeric")?.map(Value::Float),
            self.text("answer_text"),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarantined_records_keep_no_addresses() {
        // printf 'anna@example.se' | sha256sum
        let hash = "f2a216c0b7bc0f42c605b87b114643d49ee41a2e5bb05c6040a16493c5bc073c";
        assert_eq!(
            mask_emails("101,Anna,Anna@Example.se,31/02/2026"),
            format!("101,Anna,sha256:{hash},31/02/2026")
        );
        assert_eq!(
            mask_emails("\"x\";anna@example.se."),
            format!("\"x\";sha256:{hash}.")
        );
        assert_eq!(
            mask_emails("@handle, a@b, 50 @ 3 kr"),
            "@handle, a@b, 50 @ 3 kr"
        );
        assert_eq!(mask_emails("åäö@x"), "åäö@x");
    }

    #[test]
    fn email_hash_is_sha256_of_lowercase() {
        // printf 'anna@example.se' | sha256sum
        let reference = "f2a216c0b7bc0f42c605b87b114643d49ee41a2e5bb05c6040a16493c5bc073c";
        assert_eq!(email_hash(" Anna@Example.SE "), reference);
    }

    #[test]
    fn header_currency() {
        assert_eq!(
            split_currency("Amount spent (SEK)"),
            ("amount spent".to_string(), Some("SEK".to_string()))
        );
        assert_eq!(split_currency("Cost"), ("cost".to_string(), None));
    }

    #[test]
    fn hubspot_sources_map_to_channels() {
        assert_eq!(hubspot_channel("ORGANIC_SEARCH"), "organic_search");
        assert_eq!(hubspot_channel("Betald sökning"), "paid_search");
        assert_eq!(hubspot_channel("Direct Traffic"), "direct");
        assert_eq!(hubspot_channel("something new"), "unassigned");
    }
}
