//! GA4's BigQuery export, one event per line as `bq extract` writes it: INT64 as JSON strings,
//! every `event_params` value a struct of `string_value`, `int_value`, `float_value` and
//! `double_value` (all but one null). Each event becomes a `web_events` row; each
//! `session_start` also a web-session `touchpoint`. Events without a `user_pseudo_id` (consent
//! denied) are skipped and counted.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value as Json;

use crate::channel::{default_channel, from_ga4_group};
use crate::table::{CellError, Value};

/// Events counted as key events unless the workspace says otherwise (GA4's recommended ones).
pub fn default_key_events() -> Vec<String> {
    [
        "purchase",
        "generate_lead",
        "sign_up",
        "close_convert_lead",
        "qualify_lead",
        "form_submit",
        "book_appointment",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect()
}

/// The mapping, for `--dry-run`.
pub fn describe() -> Vec<(String, String)> {
    [
        ("event_time", "event_timestamp (µs)"),
        ("event_date", "event_date (YYYYMMDD)"),
        ("event_name", "event_name"),
        ("anonymous_id", "user_pseudo_id"),
        ("user_id", "user_id"),
        ("session_id", "user_pseudo_id + '.' + event_params.ga_session_id"),
        ("page_location", "event_params.page_location"),
        ("page_referrer", "event_params.page_referrer"),
        ("source / medium / campaign", "session_traffic_source_last_click, else collected_traffic_source, else event_params, else traffic_source"),
        ("channel", "GA4's group if exported, else the default channel grouping rules"),
        ("is_key_event", "event_name is a key event"),
        ("value / currency", "event_params.value / currency, else ecommerce.purchase_revenue"),
        ("device_category / country", "device.category / geo.country"),
        ("touchpoints", "one web_session per session_start"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

fn error(column: &str, reason: impl Into<String>) -> CellError {
    CellError {
        column: column.to_string(),
        reason: reason.into(),
    }
}

fn text(value: Option<&Json>) -> Option<String> {
    match value? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn integer(value: Option<&Json>) -> Option<i64> {
    match value? {
        Json::String(s) => s.parse().ok(),
        Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

fn float(value: Option<&Json>) -> Option<f64> {
    match value? {
        Json::String(s) => s.parse().ok(),
        Json::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// An `event_params` value by key, as text.
fn param(event: &Json, key: &str) -> Option<String> {
    let params = event.get("event_params")?.as_array()?;
    let entry = params
        .iter()
        .find(|p| p.get("key").and_then(Json::as_str) == Some(key))?;
    let value = entry.get("value")?;
    text(value.get("string_value"))
        .or_else(|| integer(value.get("int_value")).map(|i| i.to_string()))
        .or_else(|| float(value.get("double_value")).map(|f| f.to_string()))
        .or_else(|| float(value.get("float_value")).map(|f| f.to_string()))
}

fn path<'a>(event: &'a Json, keys: &[&str]) -> Option<&'a Json> {
    keys.iter().try_fold(event, |value, key| value.get(key))
}

use crate::table::Row;

/// What one event gives: its `web_events` row, a web-session touchpoint for `session_start`,
/// and an `identities` row when the event ties the browser to a person.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRows {
    /// The event's `web_events` row.
    pub event: Row,
    /// A web-session `touchpoints` row, for a `session_start`.
    pub touch: Option<Row>,
    /// An `identities` row, when the event ties the browser to a person.
    pub identity: Option<Row>,
}

/// Query parameters that carry a CRM id in tracked links (e-mail clicks): put e.g.
/// `?pid={{ contact.hs_object_id }}` in HubSpot's links or `?pid=*|ID|*`-style merge tags.
pub const PERSON_PARAMETERS: &[&str] = &["pid", "person_id", "contact_id", "crm_id"];

/// The person a tracked link names, if any.
pub fn person_in_url(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (PERSON_PARAMETERS.contains(&name) && !value.is_empty() && !value.contains(['{', '*', '%']))
            .then(|| value.to_string())
    })
}

/// The rows of one event line (see [`EventRows`]). `Ok(None)`: skipped (no `user_pseudo_id`
/// or session: consent denied).
pub fn rows(
    line: &str,
    key_events: &[String],
    zone: &TimeZone,
) -> Result<Option<EventRows>, CellError> {
    let event: Json =
        serde_json::from_str(line).map_err(|e| error("", format!("not JSON: {e}")))?;
    let Some(basics) = EventBasics::of(&event, zone)? else {
        return Ok(None);
    };
    let traffic = Traffic::of(&event);
    let is_key = key_events.iter().any(|k| k == &basics.name);
    let touch = (basics.name == "session_start").then(|| session_touchpoint_row(&basics, &traffic));
    let identity = identity_row(&event, &basics, &traffic);
    Ok(Some(EventRows {
        event: web_event_row(&event, basics, traffic, is_key),
        touch,
        identity,
    }))
}

/// A top-level field of flattened exports (dbt models, custom extracts): the first of `keys`
/// the event has.
fn flat(event: &Json, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(event.get(*k)))
}

/// Who, when and what: the fields every event row needs.
struct EventBasics {
    /// `user_pseudo_id`: the browser.
    user: String,
    /// The signed-in user's id, if any.
    user_id: Option<String>,
    time: Timestamp,
    date: jiff::civil::Date,
    name: String,
    /// `user_pseudo_id.ga_session_id`, or a flattened export's `session_id`.
    session: String,
}

impl EventBasics {
    /// The event's basics; `Ok(None)` without a `user_pseudo_id` or a session (consent
    /// denied).
    fn of(event: &Json, zone: &TimeZone) -> Result<Option<EventBasics>, CellError> {
        let Some(user) = text(event.get("user_pseudo_id")) else {
            return Ok(None);
        };
        let micros = integer(event.get("event_timestamp"))
            .ok_or_else(|| error("event_timestamp", "missing or not a number of microseconds"))?;
        let time = Timestamp::from_microsecond(micros)
            .map_err(|_| error("event_timestamp", format!("{micros} is out of range")))?;
        let date_text =
            text(event.get("event_date")).ok_or_else(|| error("event_date", "missing"))?;
        let date = crate::parse::parse_date(&date_text, crate::parse::DateOrder::DayFirst)
            .unwrap_or_else(|| time.to_zoned_datetime(zone.clone()).date());
        let name = text(event.get("event_name")).ok_or_else(|| error("event_name", "missing"))?;
        // Flattened exports carry the session as a top-level field.
        let session = param(event, "ga_session_id")
            .or_else(|| text(event.get("ga_session_id")))
            .map(|id| format!("{user}.{id}"))
            .or_else(|| text(event.get("session_id")));
        let Some(session) = session else {
            return Ok(None);
        };
        Ok(Some(EventBasics {
            user,
            user_id: text(event.get("user_id")),
            time,
            date,
            name,
            session,
        }))
    }
}

/// Where the session came from, and the channel that makes it.
struct Traffic {
    source: Option<String>,
    medium: Option<String>,
    campaign: Option<String>,
    term: Option<String>,
    content: Option<String>,
    channel: &'static str,
}

impl Traffic {
    /// The event's traffic source and channel.
    fn of(event: &Json) -> Traffic {
        let sources = TrafficSources::of(event);
        let source = sources.pick("source", "manual_source", "source", "source");
        let medium = sources.pick("medium", "manual_medium", "medium", "medium");
        let campaign = sources.campaign();
        let term = sources
            .collected
            .and_then(|c| text(c.get("manual_term")))
            .or_else(|| param(event, "term"));
        let content = sources
            .collected
            .and_then(|c| text(c.get("manual_content")))
            .or_else(|| param(event, "content"));
        let channel = sources.exported_channel().unwrap_or_else(|| {
            if sources.has_gclid() {
                "paid_search"
            } else {
                default_channel(
                    source.as_deref().unwrap_or("(direct)"),
                    medium.as_deref().unwrap_or("(none)"),
                    campaign.as_deref().unwrap_or(""),
                )
            }
        });
        Traffic {
            source,
            medium,
            campaign,
            term,
            content,
            channel,
        }
    }
}

/// Where an event says its session came from, most specific first: the session's last
/// click, the collected source, the event's parameters, the user's first touch, flattened
/// fields.
struct TrafficSources<'e> {
    event: &'e Json,
    last_click: Option<&'e Json>,
    collected: Option<&'e Json>,
    first_touch: Option<&'e Json>,
}

impl<'e> TrafficSources<'e> {
    fn of(event: &'e Json) -> TrafficSources<'e> {
        let last_click = path(
            event,
            &[
                "session_traffic_source_last_click",
                "cross_channel_campaign",
            ],
        )
        .or_else(|| {
            path(
                event,
                &["session_traffic_source_last_click", "manual_campaign"],
            )
        });
        TrafficSources {
            event,
            last_click,
            collected: event.get("collected_traffic_source"),
            first_touch: event.get("traffic_source"),
        }
    }

    /// A field by its name in each of the sources, the first that has it.
    fn pick(
        &self,
        from_last: &str,
        from_collected: &str,
        from_param: &str,
        from_first: &str,
    ) -> Option<String> {
        self.last_click
            .and_then(|l| text(l.get(from_last)))
            .or_else(|| self.collected.and_then(|c| text(c.get(from_collected))))
            .or_else(|| param(self.event, from_param))
            .or_else(|| self.first_touch.and_then(|f| text(f.get(from_first))))
            .or_else(|| {
                flat(
                    self.event,
                    &[
                        from_param,
                        &format!("traffic_{from_param}"),
                        &format!("session_{from_param}"),
                    ],
                )
            })
    }

    /// The campaign as tagged (utm), which activities are linked by; GA4's cross-channel
    /// attribution (a Google Ads campaign's own name) after it.
    fn campaign(&self) -> Option<String> {
        let manual = path(
            self.event,
            &["session_traffic_source_last_click", "manual_campaign"],
        );
        manual
            .and_then(|m| text(m.get("campaign_name")))
            .or_else(|| {
                self.collected
                    .and_then(|c| text(c.get("manual_campaign_name")))
            })
            .or_else(|| self.pick("campaign_name", "manual_campaign_name", "campaign", "name"))
    }

    /// The channel group GA4 exported with the session, if it is one Utfall knows.
    fn exported_channel(&self) -> Option<&'static str> {
        self.last_click
            .and_then(|l| text(l.get("default_channel_group")))
            .and_then(|g| from_ga4_group(&g))
    }

    /// Whether the session came from a Google Ads click.
    fn has_gclid(&self) -> bool {
        self.collected.and_then(|c| text(c.get("gclid"))).is_some()
    }
}

/// What tells apart distinct events of one batch (GA4 gives them one timestamp).
fn event_key(event: &Json) -> Option<String> {
    integer(event.get("batch_event_index"))
        .map(|index| {
            format!(
                "{}.{}.{index}",
                text(event.get("event_bundle_sequence_id")).unwrap_or_default(),
                text(event.get("batch_ordering_id")).unwrap_or_default()
            )
        })
        .or_else(|| {
            param(event, "event_id")
                .or_else(|| flat(event, &["event_id"]))
                .map(|id| format!("id:{id}"))
        })
}

/// The event's value: its `value` parameter, else the purchase's revenue.
fn event_value(event: &Json) -> Option<f64> {
    param(event, "value")
        .and_then(|v| v.parse::<f64>().ok())
        .or_else(|| float(path(event, &["ecommerce", "purchase_revenue"])))
        .or_else(|| float(event.get("value")))
        .or_else(|| float(event.get("purchase_revenue")))
}

fn text_value(text: Option<String>) -> Option<Value> {
    text.map(Value::Text)
}

/// The event's `web_events` row (the last of its rows made: it takes the values).
fn web_event_row(event: &Json, basics: EventBasics, traffic: Traffic, is_key: bool) -> Row {
    let currency = param(event, "currency").or_else(|| flat(event, &["currency"]));
    vec![
        Some(Value::Timestamp(basics.time)),
        Some(Value::Date(basics.date)),
        Some(Value::Text(basics.name)),
        Some(Value::Text(basics.user)),
        text_value(basics.user_id),
        Some(Value::Text(basics.session)),
        text_value(param(event, "page_location").or_else(|| flat(event, &["page_location"]))),
        text_value(param(event, "page_referrer").or_else(|| flat(event, &["page_referrer"]))),
        text_value(traffic.source),
        text_value(traffic.medium),
        text_value(traffic.campaign),
        text_value(traffic.term),
        text_value(traffic.content),
        Some(Value::Text(traffic.channel.to_string())),
        Some(Value::Bool(is_key)),
        event_value(event).map(Value::Float),
        text_value(currency),
        text_value(
            text(path(event, &["device", "category"]))
                .or_else(|| flat(event, &["device_category"])),
        ),
        text_value(text(path(event, &["geo", "country"])).or_else(|| flat(event, &["country"]))),
        text_value(event_key(event)),
    ]
}

/// The web-session `touchpoints` row a `session_start` makes.
fn session_touchpoint_row(basics: &EventBasics, traffic: &Traffic) -> Row {
    vec![
        Some(Value::Timestamp(basics.time)),
        text_value(basics.user_id.clone()),
        None,
        Some(Value::Text(basics.user.clone())),
        Some(Value::Text(traffic.channel.to_string())),
        text_value(traffic.source.clone()),
        text_value(traffic.medium.clone()),
        text_value(traffic.campaign.clone()),
        None,
        Some(Value::Text("web_session".into())),
    ]
}

/// The `identities` row when the browser is a person's: signed in (`user_id`), or arrived
/// by an e-mail link naming them.
fn identity_row(event: &Json, basics: &EventBasics, traffic: &Traffic) -> Option<Row> {
    let linked = basics
        .user_id
        .clone()
        .map(|person| (person, "user_id"))
        .or_else(|| {
            // Only e-mail links: a personal link elsewhere may be shared.
            let by_email = traffic
                .medium
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("email"));
            let person = param(event, "page_location").and_then(|url| person_in_url(&url))?;
            by_email.then_some((person, "email_click"))
        });
    linked.map(|(person, method)| {
        vec![
            Some(Value::Text(basics.user.clone())),
            Some(Value::Text(person)),
            None,
            Some(Value::Timestamp(basics.time)),
            Some(Value::Text(method.into())),
        ]
    })
}

/// The events of a GA4 export in Parquet as NDJSON text (nested columns as objects and
/// arrays), converted batch by batch as it is read.
pub struct ParquetLines {
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    pending: Vec<u8>,
    position: usize,
}

impl std::fmt::Debug for ParquetLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetLines")
            .field("pending", &self.pending.len())
            .field("position", &self.position)
            .finish()
    }
}

impl ParquetLines {
    /// Opens a GA4 export in Parquet; `Err` with the reason if it cannot be read.
    pub fn open(path: &std::path::Path) -> Result<ParquetLines, String> {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(8192).build())
            .map_err(|e| format!("not a Parquet file: {e}"))?;
        Ok(ParquetLines {
            reader,
            pending: Vec::new(),
            position: 0,
        })
    }
}

impl std::io::Read for ParquetLines {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.pending.len() {
            let Some(batch) = self.reader.next() else {
                return Ok(0);
            };
            let batch = batch.map_err(std::io::Error::other)?;
            self.pending.clear();
            self.position = 0;
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut self.pending);
            writer.write(&batch).map_err(std::io::Error::other)?;
            writer.finish().map_err(std::io::Error::other)?;
        }
        let n = buffer.len().min(self.pending.len() - self.position);
        buffer[..n].copy_from_slice(&self.pending[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bq_extract_line() {
        let zone = TimeZone::get("Europe/Stockholm").unwrap();
        let line = r#"{"event_date":"20261126","event_timestamp":"1795687200000000","event_name":"session_start","event_params":[{"key":"ga_session_id","value":{"string_value":null,"int_value":"1795687200","float_value":null,"double_value":null}},{"key":"page_location","value":{"string_value":"https://nordkraft.se/","int_value":null,"float_value":null,"double_value":null}}],"user_pseudo_id":"123.456","user_id":null,"device":{"category":"desktop"},"geo":{"country":"Sweden"},"traffic_source":{"name":"(direct)","medium":"(none)","source":"(direct)"},"collected_traffic_source":{"manual_source":"google","manual_medium":"cpc","manual_campaign_name":"Sök","gclid":null}}"#;
        let EventRows {
            event: web,
            touch,
            identity,
        } = rows(line, &default_key_events(), &zone).unwrap().unwrap();
        assert_eq!(identity, None);
        assert_eq!(web[3], Some(Value::Text("123.456".into())));
        assert_eq!(web[5], Some(Value::Text("123.456.1795687200".into())));
        assert_eq!(web[13], Some(Value::Text("paid_search".into())));
        assert_eq!(web[17], Some(Value::Text("desktop".into())));
        assert_eq!(touch.unwrap()[9], Some(Value::Text("web_session".into())));
        // Consent denied: no user_pseudo_id.
        let denied = r#"{"event_date":"20261126","event_timestamp":"1795687200000000","event_name":"page_view","event_params":[],"user_pseudo_id":null}"#;
        assert_eq!(rows(denied, &default_key_events(), &zone).unwrap(), None);
        assert!(rows("{not json", &default_key_events(), &zone).is_err());
    }
}
