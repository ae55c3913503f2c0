//! The canonical tables of `CANONICAL.md`: names, columns and types, and custom tables.

use std::fmt;

/// The logical type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Free text (`text`, `utf8`, `string`).
    Text,
    /// A floating-point number (`float`, `f64`, `double`).
    Float,
    /// A whole number (`integer`, `int`, `i64`).
    Integer,
    /// True or false (`bool`, `boolean`).
    Bool,
    /// A calendar day (`date`).
    Date,
    /// An instant in time (`timestamp`).
    Timestamp,
}

impl ColumnType {
    /// Whether `sum`, `avg`, `min` and `max` can read the column.
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnType::Float | ColumnType::Integer)
    }

    /// Whether the column can be a time column (a date or a timestamp).
    pub fn is_time(self) -> bool {
        matches!(self, ColumnType::Date | ColumnType::Timestamp)
    }

    /// The type a `[[table]]` declaration names, by any of its spellings.
    pub fn parse(text: &str) -> Option<ColumnType> {
        Some(match text {
            "text" | "utf8" | "string" => ColumnType::Text,
            "float" | "f64" | "double" => ColumnType::Float,
            "integer" | "int" | "i64" => ColumnType::Integer,
            "bool" | "boolean" => ColumnType::Bool,
            "date" => ColumnType::Date,
            "timestamp" => ColumnType::Timestamp,
            _ => return None,
        })
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnType::Text => "text",
            ColumnType::Float => "float",
            ColumnType::Integer => "integer",
            ColumnType::Bool => "bool",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
        })
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name, as formulas write it.
    pub name: String,
    /// What the column holds.
    pub ty: ColumnType,
    /// Whether a row may leave the column empty.
    pub nullable: bool,
}

/// A table a formula may read: canonical or declared in `sources.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's name, as formulas write it.
    pub name: String,
    /// The table's columns, in order.
    pub columns: Vec<Column>,
    /// The time column an aggregate uses when the formula names none.
    pub default_time: Option<String>,
    /// Columns that identify a row (the natural key used to de-duplicate imports).
    pub key: Vec<String>,
    /// Declared as a `[[table]]` in the workspace rather than canonical.
    pub custom: bool,
}

impl Table {
    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }
}

use ColumnType::{Bool as B, Date as D, Float as F, Integer as I, Text as T, Timestamp as TS};

/// (table, default time column, key, columns as (name, type, nullable))
type TableSpec = (
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    &'static [(&'static str, ColumnType, bool)],
);

const CANONICAL: &[TableSpec] = &[
    (
        "activities",
        Some("start_date"),
        &["activity_id"],
        &[
            ("activity_id", T, false),
            ("name", T, false),
            ("kind", T, false),
            ("channel", T, false),
            ("start_date", D, false),
            ("end_date", D, true),
            ("budget", F, true),
            ("currency", T, false),
            ("owner", T, true),
            ("department", T, true),
            ("utm_campaign", T, true),
            ("parent_id", T, true),
        ],
    ),
    (
        "spend",
        Some("date"),
        &["date", "platform", "campaign_id"],
        &[
            ("date", D, false),
            ("platform", T, false),
            ("channel", T, false),
            ("campaign_id", T, false),
            ("campaign_name", T, false),
            ("activity_id", T, true),
            ("cost", F, false),
            ("currency", T, false),
            ("impressions", I, true),
            ("clicks", I, true),
            ("platform_conversions", F, true),
        ],
    ),
    (
        "web_events",
        Some("event_date"),
        &["session_id", "event_time", "event_name", "event_key"],
        &[
            ("event_time", TS, false),
            ("event_date", D, false),
            ("event_name", T, false),
            ("anonymous_id", T, false),
            ("user_id", T, true),
            ("session_id", T, false),
            ("page_location", T, true),
            ("page_referrer", T, true),
            ("source", T, true),
            ("medium", T, true),
            ("campaign", T, true),
            ("term", T, true),
            ("content", T, true),
            ("channel", T, false),
            ("is_key_event", B, false),
            ("value", F, true),
            ("currency", T, true),
            ("device_category", T, true),
            ("country", T, true),
            // What tells apart distinct events of one batch (GA4 stamps a batch alike):
            // `batch_event_index`, an event id, else the occurrence of the same event.
            ("event_key", T, true),
        ],
    ),
    (
        "touchpoints",
        Some("touch_time"),
        &[
            "touch_time",
            "person_id",
            "anonymous_id",
            "channel",
            "kind",
            "campaign",
        ],
        &[
            ("touch_time", TS, false),
            ("person_id", T, true),
            ("account_id", T, true),
            ("anonymous_id", T, true),
            ("channel", T, false),
            ("source", T, true),
            ("medium", T, true),
            ("campaign", T, true),
            ("activity_id", T, true),
            ("kind", T, false),
        ],
    ),
    (
        "contacts",
        Some("created_at"),
        &["person_id"],
        &[
            ("person_id", T, false),
            ("account_id", T, true),
            ("email_hash", T, true),
            ("created_at", TS, false),
            ("became_lead_at", TS, true),
            ("became_mql_at", TS, true),
            ("became_sql_at", TS, true),
            ("became_opportunity_at", TS, true),
            ("became_customer_at", TS, true),
            ("original_source", T, true),
            ("original_channel", T, false),
            ("latest_source", T, true),
        ],
    ),
    (
        "accounts",
        None,
        &["account_id"],
        &[
            ("account_id", T, false),
            ("name", T, false),
            ("domain", T, true),
            ("industry", T, true),
            ("country", T, true),
            ("employees", I, true),
        ],
    ),
    (
        "deals",
        Some("created_at"),
        &["deal_id"],
        &[
            ("deal_id", T, false),
            ("account_id", T, true),
            ("primary_person_id", T, true),
            ("created_at", TS, false),
            ("closed_at", TS, true),
            ("stage", T, false),
            ("is_closed", B, false),
            ("is_won", B, false),
            // No value when the CRM has none (not 0).
            ("amount", F, true),
            ("currency", T, false),
            ("pipeline", T, true),
            ("source", T, true),
            ("campaign_id", T, true),
            ("owner", T, true),
        ],
    ),
    (
        "deal_contacts",
        None,
        &["deal_id", "person_id"],
        &[
            ("deal_id", T, false),
            ("person_id", T, false),
            ("role", T, true),
        ],
    ),
    (
        "email_sends",
        Some("sent_at"),
        &["send_id"],
        &[
            ("send_id", T, false),
            ("activity_id", T, true),
            ("sent_at", TS, false),
            ("name", T, false),
            // No value when the export has no such count (not 0).
            ("n_sent", I, true),
            ("n_delivered", I, true),
            ("n_opens_unique", I, true),
            ("n_clicks_unique", I, true),
            ("n_unsubscribes", I, true),
            ("n_bounces", I, true),
        ],
    ),
    (
        "survey_responses",
        Some("response_time"),
        &["survey_id", "respondent_id", "question", "brand"],
        &[
            ("survey_id", T, false),
            ("wave", T, false),
            ("response_time", TS, false),
            ("respondent_id", T, false),
            ("weight", F, false),
            ("question", T, false),
            ("brand", T, true),
            ("answer_numeric", F, true),
            ("answer_text", T, true),
        ],
    ),
    (
        "identities",
        Some("linked_at"),
        &["anonymous_id", "person_id", "account_id"],
        &[
            ("anonymous_id", T, true),
            ("person_id", T, true),
            ("account_id", T, true),
            ("linked_at", TS, false),
            ("method", T, false),
        ],
    ),
    (
        "observations",
        Some("date"),
        &["metric", "date", "dimension", "dimension_value"],
        &[
            ("metric", T, false),
            ("date", D, false),
            ("value", F, false),
            ("unit", T, true),
            ("dimension", T, true),
            ("dimension_value", T, true),
            ("note", T, true),
        ],
    ),
    // Exchange rates: one unit of `base` buys `rate` units of `currency` on `date` (the ECB's
    // reference rates have base `EUR`). The engine converts money in other currencies into
    // the workspace's currency with them.
    (
        "fx_rates",
        Some("date"),
        &["date", "base", "currency"],
        &[
            ("date", D, false),
            ("base", T, false),
            ("currency", T, false),
            ("rate", F, false),
        ],
    ),
];

/// The channel vocabulary: GA4's default channel groups plus the offline ones.
pub const CHANNELS: &[&str] = &[
    "direct",
    "organic_search",
    "paid_search",
    "paid_social",
    "organic_social",
    "email",
    "referral",
    "display",
    "paid_video",
    "organic_video",
    "affiliates",
    "paid_other",
    "cross_network",
    "audio",
    "sms",
    "mobile_push",
    "organic_shopping",
    "paid_shopping",
    "unassigned",
    "events",
    "pr",
    "print",
    "partner",
    "sales_outbound",
    "other",
];

/// The kinds of activity.
pub const ACTIVITY_KINDS: &[&str] = &[
    "campaign",
    "paid_media",
    "event",
    "webinar",
    "fair",
    "email",
    "content",
    "pr",
    "print",
    "other",
];

/// All tables a formula may read.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The canonical tables, then the workspace's custom ones.
    pub tables: Vec<Table>,
}

impl Catalog {
    /// The canonical tables only.
    pub fn canonical() -> Catalog {
        let tables = CANONICAL
            .iter()
            .map(|(name, default_time, key, columns)| Table {
                name: (*name).to_string(),
                columns: columns
                    .iter()
                    .map(|(name, ty, nullable)| Column {
                        name: (*name).to_string(),
                        ty: *ty,
                        nullable: *nullable,
                    })
                    .collect(),
                default_time: default_time.map(str::to_string),
                key: key.iter().map(|k| (*k).to_string()).collect(),
                custom: false,
            })
            .collect();
        Catalog { tables }
    }

    /// The table with this name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.name == name)
    }

    /// Adds a custom table.
    pub fn add(&mut self, table: Table) {
        self.tables.push(table);
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_tables_are_complete() {
        let catalog = Catalog::canonical();
        assert_eq!(catalog.tables.len(), 13);
        let deals = catalog.table("deals").unwrap();
        assert_eq!(deals.column("amount").unwrap().ty, ColumnType::Float);
        for table in &catalog.tables {
            if let Some(time) = &table.default_time {
                assert!(table.column(time).unwrap().ty.is_time(), "{}", table.name);
            }
            for key in &table.key {
                assert!(table.column(key).is_some(), "{}.{key}", table.name);
            }
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("amout", ["amount", "account_id"]),
            Some("amount")
        );
        assert_eq!(did_you_mean("xyz", ["amount"]), None);
    }
}
