//! Presets: how each vendor's export maps into canonical rows. Header labels are matched in
//! English and Swedish, case-insensitively; a source's `[source.mapping]` can name any column.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};
use utfall_model::catalog::{Catalog, ColumnType, Table};
use utfall_model::kinds::Preset;

use crate::parse::{
    DateOrder, NumberStyle, parse_bool, parse_date, parse_integer, parse_number, parse_timestamp,
};
use crate::survey::Wide;
use crate::table::{CellError, Parsed, TableRows, Value};

/// What a preset reads, for people (`utfall import --list-presets`). Every preset has one:
/// the match is exhaustive, so a preset added to [`Preset`] cannot lack it.
pub fn description(preset: Preset) -> &'static str {
    match preset {
        Preset::Ga4Bigquery => {
            "GA4's BigQuery export (events_YYYYMMDD) as NDJSON (bq extract) or Parquet → web_events, web-session touchpoints, identities"
        }
        Preset::Ga4DataApi => "GA4 Data API runReport responses (JSON, pages) → observations",
        Preset::HubspotContacts => {
            "HubSpot contacts: export (CSV/XLSX, English or Swedish labels) or CRM v3 API JSON → contacts, identities"
        }
        Preset::HubspotCompanies => "HubSpot companies: export or CRM v3 API JSON → accounts",
        Preset::HubspotDeals => {
            "HubSpot deals: export or CRM v3 API JSON with associations → deals, deal_contacts"
        }
        Preset::SalesforceOpportunities => {
            "Salesforce opportunities: report CSV or REST query JSON → deals"
        }
        Preset::SalesforceLeads => {
            "Salesforce leads: report CSV or REST query JSON → contacts, identities"
        }
        Preset::SalesforceCampaignMembers => {
            "Salesforce campaign members: report CSV or REST query JSON → touchpoints"
        }
        Preset::PipedriveDeals => "Pipedrive deals: export (CSV/XLSX) or API JSON → deals",
        Preset::GoogleAds => {
            "Google Ads: campaign report (CSV, title rows and totals allowed) or API search/searchStream JSON (cost_micros) → spend"
        }
        Preset::MetaAds => {
            "Meta Ads: Ads Manager export or Insights API JSON (the `actions` list) → spend"
        }
        Preset::LinkedinAds => {
            "LinkedIn: Campaign Manager export or adAnalytics API JSON (costInLocalCurrency) → spend"
        }
        Preset::Activities => {
            "the activity plan (XLSX or CSV) → activities, and its costs → spend (platform `manual`)"
        }
        Preset::Survey => {
            "survey answers: long format, Qualtrics (3 header rows) or SurveyMonkey (2 header rows) CSV → survey_responses"
        }
        Preset::Mailchimp => "Mailchimp's campaign report export → email_sends",
        Preset::HubspotEmail => "HubSpot's marketing e-mail export → email_sends",
        Preset::FormSubmissions => {
            "form submissions with the GA client id (a hidden field) → identities"
        }
        Preset::FxRates => {
            "exchange rates: the ECB's reference-rate CSV (eurofxref-hist.csv) or date, currency, rate (and base) → fx_rates"
        }
        Preset::Generic => {
            "any CSV, TSV, XLSX, NDJSON, JSON or Parquet with a column mapping → any canonical or custom table"
        }
    }
}

/// Every preset with what it reads, as (name, description), in [`Preset::ALL`]'s order.
pub static PRESETS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        Preset::ALL
            .iter()
            .map(|&preset| (preset.as_str(), description(preset)))
            .collect()
    });

/// Settings that shape how values are read.
#[derive(Debug, Clone)]
pub struct ReadSettings {
    /// The currency the user gave (`--currency`, or the source's `currency`), used when the
    /// file names none.
    pub currency: Option<String>,
    /// The workspace's currency: it tells which currency an ambiguous symbol means (`kr`, `$`).
    pub workspace_currency: String,
    /// The time zone of times written without an offset.
    pub time_zone: TimeZone,
    /// The order of day and month dates are read in.
    pub date_order: DateOrder,
    /// How decimals and thousands are written.
    pub number_style: NumberStyle,
}

/// Where each target column comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A column of the file (index, header as written).
    Column(usize, String),
    /// A fixed value or a rule.
    Rule(&'static str),
    /// A value given for every row (`--set column=value`).
    Constant(String),
    /// No source: the column stays empty.
    Missing,
}

/// A preset applied to one file's header: column positions, ready to read rows.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The preset (`google-ads`, `generic`, …).
    pub preset: Preset,
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
    /// Whether each of those columns says its times are UTC (found once, not a row).
    utc: Vec<bool>,
    /// The period a report without a day column covers (its title rows say so): its totals
    /// are spread evenly over the days.
    pub period: Option<(jiff::civil::Date, jiff::civil::Date)>,
    /// Columns a stable id is made of when the export has no id column (a Salesforce report
    /// without `Lead ID`), and the target it fills.
    pub made_id: Option<(String, Vec<(usize, String)>)>,
    /// What reading the rows found, for the summary.
    pub stats: std::sync::Arc<PlanStats>,
}

/// Counts kept while rows are read (shared by the workers).
#[derive(Debug, Default)]
pub struct PlanStats {
    /// Records whose totals were spread over the days of a period.
    pub spread: std::sync::atomic::AtomicU64,
    /// Amounts whose currency came from a symbol or code in the value.
    pub currency_from_value: std::sync::atomic::AtomicU64,
    /// Names of channels or platforms not known, kept as `other`.
    pub unknown_names: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// Made ids seen: the id → hashes of the records that made it, in order (distinct records
    /// with the same identifying columns get `#2`, `#3`, … by their order in the file).
    pub made_ids: std::sync::Mutex<std::collections::HashMap<String, Vec<u64>>>,
}

impl PlanStats {
    fn count(counter: &std::sync::atomic::AtomicU64) {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn unknown(&self, name: &str) {
        if let Ok(mut names) = self.unknown_names.lock()
            && names.len() < 20
        {
            names.insert(name.to_string());
        }
    }
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
    /// No preset has this name.
    UnknownPreset(String),
    /// A required column is not in the header.
    #[error("no column for `{column}`; looked for {labels}")]
    MissingColumn {
        /// The target column.
        column: String,
        /// The labels looked for.
        labels: String,
    },
    #[error("unknown table `{0}`")]
    /// The catalog has no table of this name.
    UnknownTable(String),
    #[error("the mapping names `{0}`, which is not a column of the file")]
    /// The mapping names a column the header does not have.
    UnknownSourceColumn(String),
    /// The file does not fit the preset: what was expected, what was found, and what to do.
    #[error("{found}")]
    Shape {
        /// What the file is, and why it does not fit.
        found: String,
        /// How to get a file that works (the vendor's export dialog first, then flags).
        hint: String,
    },
    #[error("no currency: the file has no currency column and its amounts name none")]
    /// Amounts without a currency: no column, no sign or code, none given.
    NoCurrency {
        /// How to name the currency.
        hint: String,
    },
    #[error("the file has no column for {columns}")]
    /// Required columns are not in the header.
    MissingColumns {
        /// The target columns and the labels looked for, for people.
        columns: String,
        /// How to get them: the vendor's export dialog first, then flags.
        hint: String,
    },
}

impl PlanError {
    /// What to do about it, for people.
    pub fn hint(&self) -> Option<String> {
        match self {
            PlanError::Shape { hint, .. }
            | PlanError::NoCurrency { hint }
            | PlanError::MissingColumns { hint, .. } => Some(hint.clone()),
            PlanError::MissingColumn { .. } => None,
            PlanError::UnknownPreset(_) => {
                Some("see `utfall import --list-presets` for the presets".into())
            }
            PlanError::UnknownTable(_) => Some(
                "name a canonical table (`spend`, `deals`, `contacts`, …) or declare a custom one in `tables.toml`".into(),
            ),
            PlanError::UnknownSourceColumn(_) => {
                Some("`--map` takes the column as the file's header writes it".into())
            }
        }
    }
}

use crate::labels::Labels;

fn labels_of(preset: Preset) -> Option<(&'static [Labels], &'static str)> {
    crate::labels::of(preset)
}

/// A header label as it is compared: lower case, `_` read as a space, runs of spaces as one.
pub fn normalise(label: &str) -> String {
    let lower = label.trim_start_matches('\u{feff}').to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for word in lower.split(|c: char| c == '_' || c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The header label without a trailing `(SEK)`, and that currency.
fn split_currency(label: &str) -> (String, Option<String>) {
    let label = normalise(label);
    if let Some(open) = label.rfind('(')
        && label.ends_with(')')
    {
        let inside = label[open + 1..label.len() - 1].trim().to_uppercase();
        if inside.len() == 3 && utfall_model::money::is_currency(&inside) {
            return (label[..open].trim().to_string(), Some(inside));
        }
    }
    (label, None)
}

/// The currency a header names at its end in words: `Budget (EUR)`, `daily_budget_eur`,
/// `Cost in SEK`.
fn header_names_currency(label: &str) -> Option<String> {
    if let (_, Some(code)) = split_currency(label) {
        return Some(code);
    }
    let label = normalise(label).replace('-', " ");
    let last = label.rsplit(' ').next()?.to_uppercase();
    (label.contains(' ') && last.len() == 3 && utfall_model::money::is_currency(&last))
        .then_some(last)
}

/// Whether a header label looks like a preset's label: one holds the other as whole words,
/// or they differ by a letter or two (a newer spelling, a typo).
fn similar(label: &str, name: &str) -> bool {
    if label.is_empty() || name.is_empty() {
        return false;
    }
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (words(label), words(name));
    let holds = |outer: &[String], inner: &[String]| {
        !inner.is_empty() && outer.windows(inner.len()).any(|w| w == inner)
    };
    // The header holds the label as whole words (`Amount spent in SEK`, `Total cost`).
    if name.len() >= 4 && !name.contains('.') && a.len() > b.len() && holds(&a, &b) {
        return true;
    }
    name.len() >= 6 && edit_distance(label, name) <= 2
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// How many of a preset's labels a header line contains (to find the header under title rows).
pub fn header_score(preset: Preset, cells: &[String]) -> usize {
    let Some((labels, _)) = labels_of(preset) else {
        return usize::from(!cells.is_empty());
    };
    cells
        .iter()
        .filter(|cell| {
            let (label, _) = split_currency(cell);
            labels
                .iter()
                .any(|(_, names, _)| names.iter().any(|n| normalise(n) == label))
        })
        .count()
}

/// What a plan is made from: the preset, the file's header, and what the user said.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The preset.
    pub preset: Preset,
    /// The file's header, as written.
    pub headers: &'a [String],
    /// Source column → target column (`--map`), over the preset's labels.
    pub mapping: &'a BTreeMap<String, String>,
    /// Target column → a value for every row (`--set`).
    pub constants: &'a BTreeMap<String, String>,
    /// For `generic`: the table to fill.
    pub table: Option<&'a str>,
    /// The currency the user gave, if any.
    pub currency: Option<&'a str>,
    /// The workspace's tables.
    pub catalog: &'a Catalog,
}

/// Whether `preset` reads ad platforms' spend.
fn is_ads(preset: Preset) -> bool {
    matches!(
        preset,
        Preset::GoogleAds | Preset::MetaAds | Preset::LinkedinAds
    )
}

/// Columns a stable id is made of when an export has no id column: (preset, target, the
/// labels' targets, in order).
const MADE_IDS: &[(Preset, &str, &[&str])] = &[
    (
        Preset::SalesforceLeads,
        "person_id",
        &["first_name", "last_name", "company", "email", "created_at"],
    ),
    (
        Preset::SalesforceOpportunities,
        "deal_id",
        &["opportunity_name", "account_name", "created_at"],
    ),
    (Preset::Mailchimp, "send_id", &["name", "sent_at"]),
];

/// Target columns a plan lacks: (target, the labels looked for).
type Lacking = Vec<(&'static str, &'static [&'static str])>;

/// Source columns the user mapped (`--map`): target → (index, header as written).
type Overrides = BTreeMap<String, (usize, String)>;

/// The columns the mapping names, found in the header.
fn mapped_columns(
    headers: &[String],
    mapping: &BTreeMap<String, String>,
) -> Result<Overrides, PlanError> {
    mapping
        .iter()
        .map(|(source, target)| {
            let index = headers
                .iter()
                .position(|h| normalise(h) == normalise(source))
                .ok_or_else(|| PlanError::UnknownSourceColumn(source.clone()))?;
            Ok((target.clone(), (index, headers[index].clone())))
        })
        .collect()
}

/// A table of the catalog, by name.
fn catalog_table(catalog: &Catalog, name: &str) -> Result<Table, PlanError> {
    catalog
        .table(name)
        .cloned()
        .ok_or_else(|| PlanError::UnknownTable(name.to_string()))
}

/// Whether a target has no source yet.
fn lacks_source(sources: &BTreeMap<String, Source>, name: &str) -> bool {
    matches!(sources.get(name), Some(Source::Missing) | None)
}

/// A `generic` import's sources: the mapping, the constants, else a column named as the
/// target (`campaign id` for `campaign_id`).
fn generic_sources(
    table: &Table,
    input: &PlanInput<'_>,
    overrides: &Overrides,
) -> BTreeMap<String, Source> {
    let headers = input.headers;
    let mut sources = BTreeMap::new();
    for column in &table.columns {
        let source = overrides
            .get(&column.name)
            .map(|(i, h)| Source::Column(*i, h.clone()))
            .or_else(|| {
                input
                    .constants
                    .get(&column.name)
                    .cloned()
                    .map(Source::Constant)
            })
            .or_else(|| {
                headers
                    .iter()
                    .position(|h| normalise(h) == column.name.replace('_', " "))
                    .map(|i| Source::Column(i, headers[i].clone()))
            })
            .unwrap_or(Source::Missing);
        sources.insert(column.name.clone(), source);
    }
    sources
}

/// What a spend row can derive: its channel from its platform, a campaign's name from its
/// id and the other way round.
fn derive_spend_sources(sources: &mut BTreeMap<String, Source>) {
    if lacks_source(sources, "channel") && !lacks_source(sources, "platform") {
        sources.insert(
            "channel".into(),
            Source::Rule(
                "from the platform (meta, linkedin, tiktok → paid_social; google_ads, bing → paid_search)",
            ),
        );
    }
    if lacks_source(sources, "campaign_name") && !lacks_source(sources, "campaign_id") {
        sources.insert("campaign_name".into(), Source::Rule("the campaign id"));
    }
    if lacks_source(sources, "campaign_id") && !lacks_source(sources, "campaign_name") {
        sources.insert("campaign_id".into(), Source::Rule("the campaign name"));
    }
}

/// Refuses a `generic` plan that leaves a required column of its table without a source.
fn check_generic_columns(
    table: &Table,
    sources: &BTreeMap<String, Source>,
) -> Result<(), PlanError> {
    let lacking: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| !c.nullable && lacks_source(sources, &c.name))
        .filter(|c| !matches!(c.name.as_str(), "currency" | "weight"))
        .map(|c| c.name.as_str())
        .collect();
    let Some(example) = lacking.first() else {
        return Ok(());
    };
    Err(PlanError::MissingColumns {
        columns: lacking
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", "),
        hint: format!(
            "name the file's column with `--map \"Column in file={example}\"`, or give one value for every row with `--set {example}=VALUE` (e.g. `--set platform=meta --set currency=USD`)"
        ),
    })
}

/// A preset's labels matched to a header.
struct LabelMatch {
    /// Target → source, every target of the labels.
    found: BTreeMap<String, Source>,
    /// A currency named in a matched header (`Amount spent (SEK)`).
    header_currency: Option<String>,
    /// Required targets without a source.
    lacking: Lacking,
}

/// Matches a preset's labels to the header: the mapping first, then the constants, then the
/// labels in their order of preference; a column serves one target.
fn match_labels(
    preset: Preset,
    labels: &'static [Labels],
    input: &PlanInput<'_>,
    overrides: &Overrides,
) -> LabelMatch {
    let mut matched = LabelMatch {
        found: BTreeMap::new(),
        header_currency: None,
        lacking: Vec::new(),
    };
    let mut used: std::collections::BTreeSet<usize> = overrides.values().map(|(i, _)| *i).collect();
    for (target, names, required) in labels {
        let source = match overrides.get(*target) {
            Some((i, h)) => Some(Source::Column(*i, h.clone())),
            None => match input.constants.get(*target) {
                Some(value) => Some(Source::Constant(value.clone())),
                None => labelled_column(input.headers, names, &used, &mut matched.header_currency),
            },
        };
        match source {
            Some(source) => {
                if let Source::Column(i, _) = &source {
                    used.insert(*i);
                }
                matched.found.insert((*target).to_string(), source);
            }
            None => {
                // A report for a period needs no day column (see `Plan::period`).
                if *required && !(is_ads(preset) && *target == "date") {
                    matched.lacking.push((target, names));
                }
                matched.found.insert((*target).to_string(), Source::Missing);
            }
        }
    }
    matched
}

/// The first header not yet used that one of `names` labels (in their order), noting the
/// currency it names.
fn labelled_column(
    headers: &[String],
    names: &[&str],
    used: &std::collections::BTreeSet<usize>,
    header_currency: &mut Option<String>,
) -> Option<Source> {
    names.iter().find_map(|name| {
        let name = normalise(name);
        headers.iter().enumerate().find_map(|(i, header)| {
            let (label, currency) = split_currency(header);
            (label == name && !used.contains(&i)).then(|| {
                if currency.is_some() {
                    *header_currency = currency;
                }
                Source::Column(i, header.clone())
            })
        })
    })
}

/// An export without its id column: a stable id from what it has, announced. Returns the
/// target and the columns it is made of; a target it cannot be made for is lacking.
fn made_id(
    preset: Preset,
    labels: &'static [Labels],
    matched: &mut LabelMatch,
) -> Option<(String, Vec<(usize, String)>)> {
    let mut made_id = None;
    for (of_preset, target, parts) in MADE_IDS {
        if *of_preset != preset || !lacks_source(&matched.found, target) {
            continue;
        }
        let columns: Vec<(usize, String)> = parts
            .iter()
            .filter_map(|part| match matched.found.get(*part) {
                Some(Source::Column(i, h)) => Some((*i, h.clone())),
                _ => None,
            })
            .collect();
        if columns.len() >= 2 {
            matched.found.insert(
                (*target).to_string(),
                Source::Rule("made from the columns named in the notes"),
            );
            made_id = Some(((*target).to_string(), columns));
        } else {
            let names = labels
                .iter()
                .find(|(t, _, _)| t == target)
                .map_or(&[][..], |(_, n, _)| *n);
            matched.lacking.push((target, names));
        }
    }
    made_id
}

/// Ad platforms' columns that serve as one another: a cost (Google's micros), a campaign
/// (its id or its name).
fn lacking_ads_columns(preset: Preset, found: &BTreeMap<String, Source>, lacking: &mut Lacking) {
    if preset == Preset::GoogleAds
        && lacks_source(found, "cost")
        && lacks_source(found, "cost_micros")
    {
        lacking.push(("cost", &["Cost", "Kostnad", "metrics.cost_micros"]));
    }
    if is_ads(preset) && lacks_source(found, "campaign_id") && lacks_source(found, "campaign_name")
    {
        lacking.push((
            "campaign_id",
            &["Campaign ID", "Campaign name", "pivotValues"],
        ));
    }
}

/// The error for columns a preset found no source for, with the vendor's way to add them.
fn missing_columns_error(preset: Preset, lacking: &Lacking) -> PlanError {
    let columns = lacking
        .iter()
        .map(|(target, names)| {
            let shown: Vec<String> = names.iter().take(4).map(|n| format!("`{n}`")).collect();
            format!("`{target}` (looked for {})", shown.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut vendor: Vec<&str> = Vec::new();
    for (target, _) in lacking {
        if let Some(how) = crate::labels::how_to_add(preset, target)
            && !vendor.contains(&how)
        {
            vendor.push(how);
        }
    }
    let example = lacking[0].0;
    let hint = if vendor.is_empty() {
        format!(
            "name the file's column with `--map \"Column in file={example}\"`, or check the `--preset`"
        )
    } else {
        format!(
            "{}; or name the file's column with `--map \"Column in file={example}\"`",
            vendor.join("; ")
        )
    };
    PlanError::MissingColumns { columns, hint }
}

/// The currency an amount column's header names (`daily_budget_eur`, `Cost (USD)`).
fn amount_header_currency(found: &BTreeMap<String, Source>) -> Option<String> {
    ["cost", "amount", "budget"]
        .iter()
        .find_map(|target| match found.get(*target) {
            Some(Source::Column(_, header)) => header_names_currency(header),
            _ => None,
        })
}

/// LinkedIn's API gives the cost in the account's currency and in US dollars: the dollars
/// unless the account's currency is known.
fn linkedin_cost(input: &PlanInput<'_>, matched: &mut LabelMatch) {
    let Some(Source::Column(_, header)) = matched.found.get("cost") else {
        return;
    };
    let local = normalise(header) == "costinlocalcurrency";
    let in_usd = normalise(header) == "costinusd";
    let usd = input
        .headers
        .iter()
        .enumerate()
        .find(|(_, h)| normalise(h) == "costinusd");
    if local && input.currency.is_none() && lacks_source(&matched.found, "currency") {
        if let Some((i, h)) = usd {
            matched
                .found
                .insert("cost".into(), Source::Column(i, h.clone()));
            matched.header_currency = Some("USD".into());
        }
    } else if in_usd {
        matched.header_currency = Some("USD".into());
    }
}

/// The tables a preset fills: its main table, then those its rows also give.
fn preset_tables(
    catalog: &Catalog,
    preset: Preset,
    table_name: &str,
) -> Result<Vec<Table>, PlanError> {
    let mut tables = vec![catalog_table(catalog, table_name)?];
    match preset {
        Preset::Activities => tables.push(catalog_table(catalog, "spend")?),
        Preset::HubspotDeals => tables.push(catalog_table(catalog, "deal_contacts")?),
        Preset::HubspotContacts | Preset::SalesforceLeads => {
            tables.push(catalog_table(catalog, "identities")?)
        }
        _ => {}
    }
    Ok(tables)
}

impl Plan {
    /// Matches a preset (and an optional mapping: source column → target column) to a header.
    pub fn new(input: PlanInput<'_>) -> Result<Plan, PlanError> {
        let overrides = mapped_columns(input.headers, input.mapping)?;
        if input.preset == Preset::Generic {
            return Plan::generic(&input, &overrides);
        }
        Plan::from_labels(&input, &overrides)
    }

    /// A plan of `tables` whose columns come from `sources`.
    fn assembled(
        preset: Preset,
        tables: Vec<Table>,
        sources: BTreeMap<String, Source>,
        header_currency: Option<String>,
    ) -> Plan {
        let positions = positions_of(&tables[0], &sources);
        Plan {
            preset,
            utc: positions
                .iter()
                .map(|p| p.as_ref().is_some_and(|(_, h)| says_utc(h)))
                .collect(),
            positions,
            tables,
            sources,
            header_currency,
            wide: None,
            period: None,
            made_id: None,
            stats: std::sync::Arc::default(),
        }
    }

    /// `generic`: any table, its columns found by the mapping or by their names.
    fn generic(input: &PlanInput<'_>, overrides: &Overrides) -> Result<Plan, PlanError> {
        let Some(name) = input.table else {
            return Err(PlanError::MissingColumns {
                columns: "a table".into(),
                hint: "name the table to fill with `--table spend` (or `table = \"spend\"` in the source)".into(),
            });
        };
        let table = catalog_table(input.catalog, name)?;
        let mut sources = generic_sources(&table, input, overrides);
        if table.name == "spend" {
            derive_spend_sources(&mut sources);
        }
        check_generic_columns(&table, &sources)?;
        Ok(Plan::assembled(input.preset, vec![table], sources, None))
    }

    /// A vendor's preset: its labels matched to the header.
    fn from_labels(input: &PlanInput<'_>, overrides: &Overrides) -> Result<Plan, PlanError> {
        let preset = input.preset;
        let (labels, table_name) = labels_of(preset)
            .ok_or_else(|| PlanError::UnknownPreset(preset.as_str().to_string()))?;
        let mut matched = match_labels(preset, labels, input, overrides);
        let made_id = made_id(preset, labels, &mut matched);
        lacking_ads_columns(preset, &matched.found, &mut matched.lacking);
        if !matched.lacking.is_empty() {
            return Err(missing_columns_error(preset, &matched.lacking));
        }
        if matched.header_currency.is_none() {
            matched.header_currency = amount_header_currency(&matched.found);
        }
        if preset == Preset::LinkedinAds {
            linkedin_cost(input, &mut matched);
        }
        let tables = preset_tables(input.catalog, preset, table_name)?;
        let mut plan = Plan::assembled(preset, tables, matched.found, matched.header_currency);
        plan.made_id = made_id;
        Ok(plan)
    }

    /// Whether a target has a source (a column or a constant).
    pub fn has_source(&self, target: &str) -> bool {
        matches!(
            self.sources.get(target),
            Some(Source::Column(..) | Source::Constant(_))
        )
    }

    /// The file columns amounts are read from (cost, amount, budget).
    pub fn amount_columns(&self) -> Vec<usize> {
        ["cost", "amount", "budget", "cost_micros"]
            .iter()
            .filter_map(|t| match self.sources.get(*t) {
                Some(Source::Column(i, _)) if *i != usize::MAX => Some(*i),
                _ => None,
            })
            .collect()
    }

    /// The file columns dates and times are read from.
    pub fn date_columns(&self) -> Vec<usize> {
        let is_date = |name: &str| {
            matches!(name, "won_at" | "lost_at" | "responded_at" | "date_end")
                || self.tables.iter().any(|t| {
                    t.column(name)
                        .is_some_and(|c| matches!(c.ty, ColumnType::Date | ColumnType::Timestamp))
                })
        };
        let mut columns: Vec<usize> = self
            .sources
            .iter()
            .filter_map(|(target, source)| match source {
                Source::Column(i, _) if *i != usize::MAX && is_date(target) => Some(*i),
                _ => None,
            })
            .collect();
        if let Some(wide) = &self.wide {
            columns.extend(wide.0.time_column());
        }
        columns.sort_unstable();
        columns.dedup();
        columns
    }

    /// Whether the plan reads a date for each row, or needs the period of the report.
    pub fn needs_period(&self) -> bool {
        is_ads(self.preset) && matches!(self.sources.get("date"), Some(Source::Missing) | None)
    }

    /// The file columns (by index) no target takes.
    pub fn unmapped(&self, headers: &[String]) -> Vec<String> {
        let mut used: std::collections::BTreeSet<usize> = self
            .sources
            .values()
            .filter_map(|s| match s {
                Source::Column(i, _) => Some(*i),
                _ => None,
            })
            .collect();
        if let Some((_, columns)) = &self.made_id {
            used.extend(columns.iter().map(|(i, _)| *i));
        }
        headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !used.contains(i) && !h.trim().is_empty())
            .map(|(_, h)| h.trim().to_string())
            .collect()
    }

    /// Targets left empty although the file has a column that looks like theirs (a label
    /// spelled another way): (target, the file's column).
    pub fn likely_sources(&self, headers: &[String]) -> Vec<(String, String)> {
        let Some((labels, _)) = labels_of(self.preset) else {
            return Vec::new();
        };
        let unmapped = self.unmapped(headers);
        let mut out = Vec::new();
        for (target, names, _) in labels {
            if !matches!(self.sources.get(*target), Some(Source::Missing) | None) {
                continue;
            }
            let hit = unmapped.iter().find(|header| {
                let (label, _) = split_currency(header);
                names.iter().any(|name| similar(&label, &normalise(name)))
            });
            if let Some(header) = hit {
                out.push(((*target).to_string(), header.clone()));
            }
        }
        out
    }

    /// A survey tool's wide export (see [`crate::survey`]); the mapping renames questions.
    pub fn survey_wide(
        mut wide: Wide,
        mapping: &BTreeMap<String, String>,
        constants: &BTreeMap<String, String>,
        catalog: &Catalog,
    ) -> Result<Plan, PlanError> {
        wide.set_constants(constants)?;
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
            preset: Preset::Survey,
            tables: vec![table],
            sources,
            header_currency: None,
            wide: Some(Box::new((wide, mapping.clone()))),
            positions: Vec::new(),
            utc: Vec::new(),
            period: None,
            made_id: None,
            stats: std::sync::Arc::default(),
        })
    }

    /// Whether records map one to one onto rows of the main table, read by type (`generic`):
    /// such plans take the fast path, [`Plan::direct_row`].
    pub fn is_direct(&self) -> bool {
        self.preset == Preset::Generic
            && self.wide.is_none()
            && self.made_id.is_none()
            && self.tables[0].name != "spend"
            && self.tables[0].column("currency").is_none_or(|c| c.nullable)
            && !self
                .sources
                .values()
                .any(|s| matches!(s, Source::Constant(_) | Source::Rule(_)))
    }

    /// A record read straight into typed values of the main table, text borrowed from the
    /// record; the same values and errors as [`Plan::rows`] gives for `generic`.
    pub fn direct_row<'r>(
        &self,
        record: &'r csv::StringRecord,
        settings: &ReadSettings,
        may_hold_address: bool,
    ) -> Result<Vec<Parsed<'r>>, CellError> {
        let reader = RowReader {
            plan: self,
            record: &[],
            settings,
        };
        let table = &self.tables[0];
        // One look for an address in the whole record, rather than one a cell.
        let has_at =
            may_hold_address && memchr::memchr(b'@', record.as_slice().as_bytes()).is_some();
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
                    // Addresses in any other text are stored hashed too.
                    Some((text, _)) if has_at && text.contains('@') => {
                        Parsed::Owned(mask_emails(text))
                    }
                    Some((text, _)) => Parsed::Str(text),
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
                ColumnType::Timestamp => match reader.timestamp_in(cell, self.utc[i])? {
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
                    Source::Constant(value) => format!("`{value}` (`--set`)"),
                    Source::Missing => "—".to_string(),
                };
                let from = match &self.made_id {
                    Some((made, columns)) if made == target => format!(
                        "made from {} (the export has no id column)",
                        columns
                            .iter()
                            .map(|(_, h)| format!("`{h}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => from,
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
        // A form fill without the browser's client id links nothing.
        if self.preset == Preset::FormSubmissions {
            let reader = RowReader {
                plan: self,
                record,
                settings,
            };
            if reader.raw("anonymous_id").is_none() {
                return Ok(None);
            }
        }
        // A row without a campaign is the account's total (Meta writes it first).
        if is_ads(self.preset) {
            let reader = RowReader {
                plan: self,
                record,
                settings,
            };
            if reader.raw("campaign_id").is_none() && reader.raw("campaign_name").is_none() {
                return Ok(None);
            }
        }
        self.rows_of(record, settings).map(Some)
    }

    fn rows_of(&self, record: &[&str], settings: &ReadSettings) -> Result<TableRows, CellError> {
        let reader = RowReader {
            plan: self,
            record,
            settings,
        };
        match self.preset {
            Preset::Generic => Ok(vec![vec![reader.generic(&self.tables[0])?]]),
            Preset::HubspotContacts | Preset::SalesforceLeads => reader.contact(),
            Preset::Mailchimp | Preset::HubspotEmail => {
                Ok(vec![vec![reader.email_send(&self.tables[0])?]])
            }
            Preset::HubspotCompanies => Ok(vec![vec![reader.by_type(&self.tables[0])?]]),
            Preset::HubspotDeals => reader.hubspot_deal_with_contacts(),
            Preset::SalesforceOpportunities => Ok(vec![vec![reader.hubspot_deal()?]]),
            Preset::PipedriveDeals => Ok(vec![vec![reader.pipedrive_deal()?]]),
            Preset::SalesforceCampaignMembers => Ok(vec![vec![reader.campaign_member()?]]),
            Preset::FormSubmissions => Ok(vec![vec![reader.form_submission()?]]),
            Preset::GoogleAds | Preset::MetaAds | Preset::LinkedinAds => {
                Ok(vec![reader.ad_spend()?])
            }
            Preset::Activities => reader.activity(),
            Preset::Survey => Ok(vec![vec![reader.survey()?]]),
            // Read by their own readers, never through a plan (`Plan::new` refuses them).
            Preset::Ga4Bigquery | Preset::Ga4DataApi | Preset::FxRates => Err(CellError {
                column: String::new(),
                reason: format!("unknown preset `{}`", self.preset),
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

/// An amount spread over `n` days: whole cents, the remainder on the first days; the days add
/// up to the amount (to the cent).
pub fn spread_cents(amount: f64, n: usize) -> Vec<f64> {
    if n <= 1 {
        return vec![amount];
    }
    let cents = (amount * 100.0).round() as i64;
    spread_whole(cents, n)
        .into_iter()
        .map(|c| c as f64 / 100.0)
        .collect()
}

/// A whole number spread over `n` days, the remainder one by one on the first days.
pub fn spread_whole(total: i64, n: usize) -> Vec<i64> {
    let n_i = n.max(1) as i64;
    let (base, remainder) = (total.div_euclid(n_i), total.rem_euclid(n_i));
    (0..n_i).map(|i| base + i64::from(i < remainder)).collect()
}

/// Whether a header says its times are in UTC: `Submit Date (UTC)`, `Created (GMT)`, `Time
/// UTC`. Checked on every cell, so without allocating first.
fn says_utc(header: &str) -> bool {
    let bytes = header.as_bytes();
    if !bytes
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"utc") || w.eq_ignore_ascii_case(b"gmt"))
    {
        return false;
    }
    let label = normalise(header);
    label.contains("(utc)") || label.contains("(gmt)") || label.ends_with(" utc")
}

/// Salesforce's empty lookup: `000000000000000` or `000000000000000AAA`.
fn is_null_id(text: &str) -> bool {
    let digits = text.trim_end_matches("AAA");
    digits.len() == 15 && digits.bytes().all(|b| b == b'0')
}

/// Whether an id was turned into a rounded number by Excel (`1.10416E+11`).
fn excel_mangled(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
        && mantissa.contains('.')
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// A platform as people write it (`Facebook Ads`, `Google Ads`), in Utfall's names.
pub fn canonical_platform(text: &str) -> String {
    let name = normalise(text).replace(['-', '.'], " ");
    let name = name
        .trim_end_matches(" ads")
        .trim_end_matches(" advertising");
    match name {
        "facebook" | "meta" | "instagram" | "fb" | "ig" => "meta".into(),
        "google" | "google ads" | "adwords" | "google adwords" | "youtube" => "google_ads".into(),
        "linkedin" | "linked in" => "linkedin".into(),
        "tiktok" | "tik tok" => "tiktok".into(),
        "bing" | "microsoft" | "microsoft ads" => "microsoft_ads".into(),
        "twitter" | "x" => "x".into(),
        other => other.replace(' ', "_"),
    }
}

/// The channel an ad platform's spend is in.
pub fn platform_channel(platform: &str) -> Option<&'static str> {
    Some(match platform {
        "meta" | "linkedin" | "tiktok" | "x" | "snapchat" | "pinterest" | "reddit" => "paid_social",
        "google_ads" | "microsoft_ads" => "paid_search",
        "manual" => "other",
        _ => return None,
    })
}

/// A channel as people write it, in the canonical vocabulary: the canonical names (`Paid
/// Social`, `paid_social`), ad platforms (`Facebook Ads` → `paid_social`) and Swedish words.
pub fn channel_of_name(text: &str) -> Option<&'static str> {
    let name = normalise(text).replace('-', " ");
    if let Some(channel) = utfall_model::catalog::CHANNELS
        .iter()
        .find(|c| c.replace('_', " ") == name)
    {
        return Some(channel);
    }
    let platform = canonical_platform(text);
    if let Some(channel) = platform_channel(&platform).filter(|c| *c != "other") {
        return Some(channel);
    }
    Some(match name.as_str() {
        "search" | "sem" | "ppc" | "sök" | "sökannonsering" | "betald sökning" | "sem/ppc" => {
            "paid_search"
        }
        "seo" | "organic" | "organisk sökning" => "organic_search",
        "social" | "social media" | "sociala medier" | "some" => "organic_social",
        "paid social media" | "betalda sociala medier" => "paid_social",
        "email" | "e mail" | "e post" | "epost" | "newsletter" | "nyhetsbrev" | "mail" => "email",
        "event" | "events" | "evenemang" | "mässa" | "mässor" | "fair" | "trade show"
        | "tradeshow" | "conference" | "konferens" | "webinar" | "webbinarium" | "seminar"
        | "seminarium" => "events",
        "print" | "tryck" | "trycksak" | "press" | "direct mail" | "dr" | "direktreklam" => "print",
        "public relations" | "pr" | "media relations" => "pr",
        "display" | "banner" | "banners" | "programmatic" => "display",
        "video" | "youtube" | "tv" | "ctv" => "paid_video",
        "podcast" | "radio" | "audio" | "spotify" => "audio",
        "affiliate" | "affiliates" => "affiliates",
        "partner" | "partners" | "partnership" => "partner",
        "referral" | "referrals" | "hänvisning" => "referral",
        "direct" | "direkt" => "direct",
        "outbound" | "cold call" | "telemarketing" | "sales" | "sälj" => "sales_outbound",
        "shopping" | "google shopping" => "paid_shopping",
        _ => return None,
    })
}

/// A kind of activity as people write it, in the canonical vocabulary.
pub fn kind_of_name(text: &str) -> Option<&'static str> {
    let name = normalise(text).replace('-', " ");
    if let Some(kind) = utfall_model::catalog::ACTIVITY_KINDS
        .iter()
        .find(|k| k.replace('_', " ") == name)
    {
        return Some(kind);
    }
    Some(match name.as_str() {
        "webbinarium" | "webinars" | "online event" => "webinar",
        "mässa" | "mässor" | "trade show" | "tradeshow" | "expo" | "exhibition" => "fair",
        "events" | "evenemang" | "conference" | "konferens" | "seminar" | "seminarium"
        | "meetup" | "workshop" => "event",
        "e mail" | "e post" | "newsletter" | "nyhetsbrev" | "mailing" | "utskick" => "email",
        "blog" | "blogg" | "blog post" | "post" | "social post" | "article" | "artikel"
        | "video" | "podcast" | "whitepaper" | "ebook" | "case study" | "innehåll" => "content",
        "ad" | "ads" | "paid" | "annons" | "annonser" | "annonsering" | "paid social"
        | "paid search" | "advertising" | "media" => "paid_media",
        "kampanj" | "campaigns" => "campaign",
        "press release" | "pressmeddelande" | "public relations" => "pr",
        "tryck" | "direct mail" | "direktreklam" | "dr" | "trycksak" => "print",
        _ => return None,
    })
}

struct RowReader<'a> {
    plan: &'a Plan,
    record: &'a [&'a str],
    settings: &'a ReadSettings,
}

impl RowReader<'_> {
    fn raw(&self, target: &str) -> Option<(&str, &str)> {
        match self.plan.sources.get(target) {
            // Salesforce writes an empty lookup as the id of nothing.
            Some(Source::Column(index, header)) => self
                .cell(*index, header)
                .filter(|(text, _)| !is_null_id(text)),
            Some(Source::Constant(value)) => {
                let value = value.trim();
                (!value.is_empty()).then_some((value, "--set"))
            }
            _ => None,
        }
    }

    /// An id column's value: as written, or made from the row when the export has no id
    /// column; an id Excel turned into a rounded number (`1.10416E+11`) is refused.
    fn id(&self, target: &str) -> Result<Option<Value>, CellError> {
        if let Some((made, columns)) = &self.plan.made_id
            && made == target
        {
            let parts: Vec<&str> = columns
                .iter()
                .map(|(i, _)| self.record.get(*i).map_or("", |c| c.trim()))
                .collect();
            if parts.iter().all(|p| p.is_empty()) {
                return Ok(None);
            }
            let digest = Sha256::digest(parts.join("\u{1f}").to_lowercase().as_bytes());
            let id = format!("made:{}", &crate::import::hex(&digest)[..16]);
            // Distinct records that agree on those columns (two leads of one company on one
            // day) are told apart by their order; a repeated record is the same one.
            let record = Sha256::digest(self.record.join("\u{1f}").as_bytes());
            let record = u64::from_le_bytes(record[..8].try_into().unwrap_or([0; 8]));
            let occurrence = match self.plan.stats.made_ids.lock() {
                Ok(mut seen) => {
                    let records = seen.entry(id.clone()).or_default();
                    match records.iter().position(|r| *r == record) {
                        Some(at) => at,
                        None => {
                            records.push(record);
                            records.len() - 1
                        }
                    }
                }
                Err(_) => 0,
            };
            return Ok(Some(Value::Text(if occurrence == 0 {
                id
            } else {
                format!("{id}#{}", occurrence + 1)
            })));
        }
        let Some((text, header)) = self.raw(target) else {
            return Ok(None);
        };
        if excel_mangled(text) {
            return Err(Self::error(
                header,
                format!(
                    "`{text}` is an id Excel rounded to a number, so it no longer names one record; export the file again and import it without opening and saving it in Excel"
                ),
            ));
        }
        Ok(Some(Value::Text(text.to_string())))
    }

    fn cell<'h>(&self, index: usize, header: &'h str) -> Option<(&str, &'h str)>
    where
        Self: 'h,
    {
        let text = self.record.get(index).copied().unwrap_or("").trim();
        // `--` is Google's and Meta's "no value".
        (!text.is_empty() && text != "--").then_some((text, header))
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
        // A column that says its times are UTC (`Submit Date (UTC)`) is read so.
        self.timestamp_in(Some((text, header)), says_utc(header))
    }

    /// A date and time, in UTC or the workspace's zone when it names none.
    fn timestamp_in(
        &self,
        cell: Option<(&str, &str)>,
        in_utc: bool,
    ) -> Result<Option<Value>, CellError> {
        let Some((text, header)) = cell else {
            return Ok(None);
        };
        let utc = TimeZone::UTC;
        let zone = if in_utc {
            &utc
        } else {
            &self.settings.time_zone
        };
        parse_timestamp(text, self.settings.date_order, zone)
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

    /// The row's currency: its currency column, the header's `(SEK)`, the symbol or code in
    /// its amount, else the currency the user gave. Never assumed.
    fn currency(&self) -> Result<Value, CellError> {
        let code = match self.raw("currency") {
            Some((text, _)) => text.trim().to_uppercase(),
            None => match self.plan.header_currency.clone() {
                Some(code) => code,
                None => match self.value_currency() {
                    Some(code) => {
                        PlanStats::count(&self.plan.stats.currency_from_value);
                        code
                    }
                    None => match &self.settings.currency {
                        Some(code) => code.clone(),
                        // A row without an amount has nothing to be in a currency.
                        None if self.amount_text().is_none() => {
                            self.settings.workspace_currency.clone()
                        }
                        None => {
                            return Err(Self::error(
                                "currency",
                                "no currency: the file has no currency column and this amount names none; pass `--currency USD` (or set `currency` on the source in `sources.toml`)",
                            ));
                        }
                    },
                },
            },
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

    /// The text of the row's amount (cost, amount or budget), if any.
    fn amount_text(&self) -> Option<&str> {
        ["cost", "amount", "budget"]
            .iter()
            .find_map(|target| self.raw(target).map(|(text, _)| text))
    }

    /// The currency an amount's symbol or code names (`US$24.90`, `24,90 kr`, `€ 1.234,50`).
    fn value_currency(&self) -> Option<String> {
        crate::parse::money_currency(self.amount_text()?, &self.settings.workspace_currency)
    }

    /// An e-mail send: its counts as written; bounces from hard and soft ones, and deliveries
    /// from sends less bounces, when the export gives only those (Mailchimp's API).
    fn email_send(&self, table: &Table) -> Result<Vec<Option<Value>>, CellError> {
        let mut row = self.by_type(table)?;
        let index = |name: &str| table.columns.iter().position(|c| c.name == name);
        let (Some(sent), Some(delivered), Some(bounces)) =
            (index("n_sent"), index("n_delivered"), index("n_bounces"))
        else {
            return Ok(row);
        };
        if row[bounces].is_none() {
            let parts = [
                self.integer("bounces_hard")?,
                self.integer("bounces_soft")?,
                self.integer("bounces_syntax")?,
            ];
            if parts.iter().any(Option::is_some) {
                row[bounces] = Some(Value::Integer(parts.iter().flatten().sum()));
            }
        }
        if row[delivered].is_none()
            && let (Some(Value::Integer(n_sent)), Some(Value::Integer(n_bounces))) =
                (&row[sent], &row[bounces])
        {
            row[delivered] = Some(Value::Integer(n_sent - n_bounces));
        }
        Ok(row)
    }

    /// Every column of `table` read by its type from the column of the same target name.
    fn by_type(&self, table: &Table) -> Result<Vec<Option<Value>>, CellError> {
        let same = table.name == self.plan.tables[0].name && !self.plan.positions.is_empty();
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let cell = match self.plan.positions.get(i) {
                    Some(Some((index, header))) if same => self.cell(*index, header),
                    _ => self.raw(&column.name),
                };
                if self
                    .plan
                    .made_id
                    .as_ref()
                    .is_some_and(|(t, _)| *t == column.name)
                {
                    return self.id(&column.name);
                }
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
        // A spend row's channel from its platform; a campaign's id and name from each other.
        if table.name == "spend" {
            let index = |name: &str| table.columns.iter().position(|c| c.name == name);
            if let (Some(p), Some(c)) = (index("platform"), index("channel")) {
                if let Some(Value::Text(platform)) = &row[p] {
                    let canonical = canonical_platform(platform);
                    if row[c].is_none() {
                        let channel = platform_channel(&canonical).unwrap_or_else(|| {
                            self.plan.stats.unknown(platform);
                            "other"
                        });
                        row[c] = Some(Value::Text(channel.into()));
                    }
                    row[p] = Some(Value::Text(canonical));
                }
                if let Some(Value::Text(channel)) = &row[c] {
                    row[c] = Some(Value::Text(self.channel_name(channel)));
                }
            }
            if let (Some(id), Some(name)) = (index("campaign_id"), index("campaign_name")) {
                if row[id].is_none() {
                    row[id] = row[name].clone();
                }
                if row[name].is_none() {
                    row[name] = row[id].clone();
                }
            }
        }
        Ok(row)
    }

    /// A channel as people write it (`Facebook Ads`, `Paid Social`, `Mässa`), in the canonical
    /// vocabulary; an unknown one is `other`, and named in the summary.
    fn channel_name(&self, text: &str) -> String {
        channel_of_name(text)
            .unwrap_or_else(|| {
                self.plan.stats.unknown(text);
                "other"
            })
            .to_string()
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
        let person = match self.id("converted_contact_id")? {
            Some(person) => Some(person),
            None => self.id("person_id")?,
        };
        let channel = match (self.plan.preset, original) {
            (_, None) => "unassigned",
            (Preset::SalesforceLeads, Some(source)) => salesforce_channel(source),
            (_, Some(source)) => hubspot_channel(source),
        };
        Ok(vec![
            person,
            self.first_id("account_id")?,
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

    /// The first of a list of ids (an API's associations, `a;b`).
    fn first_id(&self, target: &str) -> Result<Option<Value>, CellError> {
        Ok(self.id(target)?.map(|value| match value {
            Value::Text(ids) => Value::Text(
                ids.split(';')
                    .map(str::trim)
                    .find(|id| !id.is_empty())
                    .unwrap_or("")
                    .to_string(),
            ),
            other => other,
        }))
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
            self.id("deal_id")?,
            self.id("account_id")?,
            self.id("primary_person_id")?,
            self.timestamp("created_at")?,
            closed_at,
            Some(self.text("stage").unwrap_or(Value::Text(status.clone()))),
            Some(Value::Bool(is_closed)),
            Some(Value::Bool(is_won)),
            self.number("amount")?.map(Value::Float),
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
        // The stage as letters only: `Closed Won`, `closedwon`, `Closed: won`, `Stängd vunnen`.
        let stage: String = self
            .raw("stage")
            .map(|(s, _)| s.to_lowercase())
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let closed_stage = ["closed", "stängd", "avslutad", "geschlossen", "gesloten"]
            .iter()
            .any(|p| stage.starts_with(p));
        let won_by_stage = matches!(stage.as_str(), "vunnen" | "won" | "gewonnen")
            || (closed_stage
                && (stage.contains("won") || stage.contains("vunn") || stage.contains("gewonnen")));
        let lost_by_stage =
            matches!(stage.as_str(), "förlorad" | "lost" | "verloren") || closed_stage;
        // A probability of 100 % on a closed deal is a win (HubSpot's `Deal probability`).
        let certain = self
            .number("probability")?
            .is_some_and(|p| (p - 1.0).abs() < 1e-9 || (p - 100.0).abs() < 1e-9);
        let is_closed = self
            .boolean("is_closed")?
            .unwrap_or(won_by_stage || lost_by_stage);
        let is_won = self
            .boolean("is_won")?
            .unwrap_or(won_by_stage || (is_closed && !lost_by_stage && certain));
        let amount = self.number("amount")?;
        Ok(vec![
            self.id("deal_id")?,
            self.first_id("account_id")?,
            self.id("primary_person_id")?,
            self.timestamp("created_at")?,
            if is_closed {
                self.timestamp("closed_at")?
            } else {
                None
            },
            self.text("stage"),
            Some(Value::Bool(is_closed)),
            Some(Value::Bool(is_won)),
            amount.map(Value::Float),
            Some(self.currency()?),
            self.text("pipeline"),
            self.text("source"),
            self.text("campaign_id"),
            self.text("owner"),
        ])
    }

    /// An ad platform's spend row: one a day, or — for a report of a period (no day column,
    /// or a row from one day to a later one) — the row's totals spread evenly over its days
    /// (money to the cent and counts whole, the remainders on the first days, so that the
    /// days add up to the row).
    fn ad_spend(&self) -> Result<Vec<Vec<Option<Value>>>, CellError> {
        let (platform, channel) = match self.plan.preset {
            Preset::GoogleAds => ("google_ads", "paid_search"),
            Preset::MetaAds => ("meta", "paid_social"),
            _ => ("linkedin", "paid_social"),
        };
        let cost = match self.number("cost")? {
            Some(cost) => cost,
            None => self
                .number("cost_micros")?
                .map_or(0.0, |micros| micros / 1_000_000.0),
        };
        let campaign_id = |value: Value| match value {
            // LinkedIn's API names campaigns by URN; its exports by the number.
            Value::Text(id) => Value::Text(
                id.strip_prefix("urn:li:sponsoredCampaign:")
                    .unwrap_or(&id)
                    .to_string(),
            ),
            other => other,
        };
        let id = self
            .text("campaign_id")
            .map(campaign_id)
            .or_else(|| self.text("campaign_name"));
        let name = self.text("campaign_name").or_else(|| id.clone());
        let currency = self.currency()?;
        let impressions = self.integer("impressions")?;
        let clicks = self.integer("clicks")?;
        // Meta's `Results` count whatever each row optimises for: leads and conversions are
        // conversions, link clicks or reach are not.
        let conversions = match self.raw("result_indicator") {
            Some((indicator, _)) => {
                let indicator = indicator.to_lowercase();
                if [
                    "lead",
                    "conversion",
                    "purchase",
                    "complete_registration",
                    "submit",
                ]
                .iter()
                .any(|kind| indicator.contains(kind))
                {
                    self.number("platform_conversions")?
                } else {
                    None
                }
            }
            None => self.number("platform_conversions")?,
        };
        let (first, last) = match (self.date("date")?, self.plan.period) {
            (Some(Value::Date(start)), _) => match self.date("date_end")? {
                Some(Value::Date(end)) if end > start => (start, end),
                _ => (start, start),
            },
            (_, Some((start, end))) => (start, end),
            _ => {
                return Err(Self::error(
                    self.raw("date").map_or("date", |(_, h)| h),
                    "a date is required",
                ));
            }
        };
        let days: Vec<jiff::civil::Date> = first
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= last)
            .collect();
        if days.len() > 1 {
            PlanStats::count(&self.plan.stats.spread);
        }
        let n = days.len().max(1);
        let costs = spread_cents(cost, n);
        let whole = |total: Option<i64>| -> Vec<Option<i64>> {
            match total {
                Some(total) => spread_whole(total, n).into_iter().map(Some).collect(),
                None => vec![None; n],
            }
        };
        let (impressions, clicks) = (whole(impressions), whole(clicks));
        Ok(days
            .iter()
            .enumerate()
            .map(|(i, date)| {
                vec![
                    Some(Value::Date(*date)),
                    Some(Value::Text(platform.into())),
                    Some(Value::Text(channel.into())),
                    id.clone(),
                    name.clone(),
                    None,
                    Some(Value::Float(costs[i])),
                    Some(currency.clone()),
                    impressions[i].map(Value::Integer),
                    clicks[i].map(Value::Integer),
                    conversions.map(|c| Value::Float(c / n as f64)),
                ]
            })
            .collect())
    }

    fn activity(&self) -> Result<TableRows, CellError> {
        // Kinds and channels as planners write them; an unknown one is `other`, named in the
        // summary.
        let kind = match self.raw("kind") {
            Some((text, _)) => kind_of_name(text).unwrap_or_else(|| {
                self.plan.stats.unknown(text);
                "other"
            }),
            None => "other",
        }
        .to_string();
        let channel = match self.raw("channel") {
            Some((text, _)) => self.channel_name(text),
            None => "other".to_string(),
        };
        let id = self.id("activity_id")?;
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
    fn presets_are_the_models_list_each_described() {
        let names: Vec<&str> = PRESETS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, Preset::NAMES);
        assert_eq!(
            PRESETS[2],
            (
                "hubspot-contacts",
                "HubSpot contacts: export (CSV/XLSX, English or Swedish labels) or CRM v3 API JSON → contacts, identities"
            )
        );
        assert!(
            PRESETS
                .iter()
                .all(|(_, description)| !description.is_empty())
        );
    }

    #[test]
    fn hubspot_sources_map_to_channels() {
        assert_eq!(hubspot_channel("ORGANIC_SEARCH"), "organic_search");
        assert_eq!(hubspot_channel("Betald sökning"), "paid_search");
        assert_eq!(hubspot_channel("Direct Traffic"), "direct");
        assert_eq!(hubspot_channel("something new"), "unassigned");
    }
}
