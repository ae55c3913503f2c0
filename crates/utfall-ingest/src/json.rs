//! Vendors' API responses as records of text cells, so that presets read them by the same
//! labels as the vendors' CSV exports. Each response's record list is found by its vendor's
//! shape: HubSpot CRM v3 (`results`, with `properties` and `associations`), Salesforce REST
//! (`records`, nested relationships, `attributes` dropped), Pipedrive (`data`, references as
//! `{value, name}`), Meta Insights (`data`, `actions` lists), Google Ads `search`/`searchStream`
//! (`results`, camelCase paths), LinkedIn `adAnalytics` (`elements`, date objects, URNs). A
//! file holds one response, an array of them, or one a line (pages).
//! GA4's Data API (`runReport`) is read by [`run_report`] into observations.

use serde_json::{Map, Value as Json};

use crate::table::{CellError, TableRows, Value};

/// Records read from responses.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    /// Which shape was found.
    pub layout: String,
    /// The column names, in the order of the rows' cells.
    pub header: Vec<String>,
    /// (1-based record number, cells in header order).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Every top-level JSON value of a text: one, or several separated by whitespace.
fn documents(body: &str) -> Result<Vec<Json>, String> {
    let mut documents = Vec::new();
    for value in serde_json::Deserializer::from_str(body).into_iter::<Json>() {
        documents.push(
            value.map_err(|e| {
                format!("not JSON at line {}, column {}: {e}", e.line(), e.column())
            })?,
        );
    }
    if documents.is_empty() {
        return Err("the file holds no JSON".into());
    }
    Ok(documents)
}

const RECORD_LISTS: &[(&str, &str)] = &[
    ("results", "results (HubSpot CRM v3 / Google Ads)"),
    ("records", "records (Salesforce REST)"),
    ("elements", "elements (LinkedIn Marketing API)"),
    ("data", "data (Pipedrive / Meta Graph API)"),
    ("objects", "objects (HubSpot v1)"),
    ("contacts", "contacts (HubSpot v1)"),
    ("deals", "deals (HubSpot v1)"),
    ("reports", "reports (Mailchimp)"),
    ("campaigns", "campaigns (Mailchimp)"),
];

/// Whether a value is a list of records (objects), as a response's record list is.
fn is_record_list(value: &Json) -> bool {
    value
        .as_array()
        .is_some_and(|items| items.iter().all(Json::is_object))
}

/// The record objects of responses, and the shape's name.
fn record_objects(documents: Vec<Json>) -> Result<(String, Vec<Json>), String> {
    let mut pages = Vec::new();
    for document in documents {
        match document {
            // An array of responses (pages, or searchStream's batches) or of records.
            Json::Array(items)
                if items.iter().any(|i| {
                    RECORD_LISTS
                        .iter()
                        .any(|(key, _)| i.get(key).is_some_and(is_record_list))
                }) =>
            {
                pages.extend(items)
            }
            other => pages.push(other),
        }
    }
    let mut layout = None;
    let mut records = Vec::new();
    for page in pages {
        match page {
            Json::Array(items) => {
                layout.get_or_insert("array of records");
                records.extend(items);
            }
            // A webhook's envelope: the record under `current` (Pipedrive v1) or `data` (v2),
            // beside `meta` and `previous`.
            Json::Object(mut object)
                if object.contains_key("meta")
                    && ["current", "data"]
                        .iter()
                        .any(|k| object.get(*k).is_some_and(Json::is_object)) =>
            {
                let key = if object.get("current").is_some_and(Json::is_object) {
                    "current"
                } else {
                    "data"
                };
                layout.get_or_insert(if key == "current" {
                    "webhook: the record under `current`"
                } else {
                    "webhook: the record under `data`"
                });
                if let Some(record) = object.remove(key) {
                    records.push(record);
                }
            }
            Json::Object(mut object) => {
                let found = RECORD_LISTS
                    .iter()
                    .find(|(key, _)| object.get(*key).is_some_and(is_record_list));
                match found {
                    Some((key, name)) => {
                        layout.get_or_insert(name);
                        if let Some(Json::Array(items)) = object.remove(*key) {
                            records.extend(items);
                        }
                    }
                    // A page with no records (an empty stream batch) adds nothing.
                    None if RECORD_LISTS.iter().any(|(k, _)| object.contains_key(*k)) => {}
                    None => {
                        layout.get_or_insert("single record");
                        records.push(Json::Object(object));
                    }
                }
            }
            _ => return Err("expected JSON objects (API responses) or arrays of records".into()),
        }
    }
    Ok((layout.unwrap_or("records").to_string(), records))
}

fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::Null => Some(String::new()),
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Flattens a record into (column, text) pairs, by the vendors' conventions.
fn flatten(prefix: &str, value: &Json, out: &mut Vec<(String, String)>) {
    match value {
        Json::Object(object) => flatten_object(prefix, object, out),
        Json::Array(items) => {
            if let Some(texts) = items.iter().map(scalar).collect::<Option<Vec<_>>>() {
                out.push((prefix.to_string(), texts.join(";")));
            } else if items.iter().all(|i| i.get("action_type").is_some()) {
                // Meta's `actions` and `action_values`: one column per action type.
                for item in items {
                    let kind = item.get("action_type").and_then(scalar).unwrap_or_default();
                    let value = item.get("value").and_then(scalar).unwrap_or_default();
                    out.push((join(prefix, &kind), value));
                }
            } else if items.iter().all(|i| i.get("IsPrimary").is_some()) {
                // Salesforce's contact roles: the primary one.
                if let Some(primary) = items
                    .iter()
                    .find(|i| i.get("IsPrimary").and_then(Json::as_bool) == Some(true))
                {
                    flatten(&join(prefix, "primary"), primary, out);
                }
            } else if items.iter().all(|i| i.get("id").is_some()) {
                // Associations: the ids.
                let ids: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.get("id").and_then(scalar))
                    .collect();
                out.push((prefix.to_string(), ids.join(";")));
            } else {
                out.push((prefix.to_string(), value.to_string()));
            }
        }
        other => out.push((prefix.to_string(), scalar(other).unwrap_or_default())),
    }
}

fn flatten_object(prefix: &str, object: &Map<String, Json>, out: &mut Vec<(String, String)>) {
    // LinkedIn's dates: {year, month, day}.
    if let (Some(y), Some(m), Some(d)) = (
        object.get("year").and_then(Json::as_i64),
        object.get("month").and_then(Json::as_i64),
        object.get("day").and_then(Json::as_i64),
    ) {
        out.push((prefix.to_string(), format!("{y:04}-{m:02}-{d:02}")));
        return;
    }
    // HubSpot v1's properties: {value, timestamp, source, versions, …} stand for their value.
    if !prefix.is_empty()
        && object.contains_key("value")
        && object.keys().all(|k| {
            matches!(
                k.as_str(),
                "value" | "timestamp" | "source" | "sourceId" | "versions" | "sourceVid"
            )
        })
    {
        if let Some(value) = object.get("value").and_then(scalar) {
            out.push((prefix.to_string(), value));
        }
        return;
    }
    // Pipedrive's references: {value, name, ...} stand for their value.
    if !prefix.is_empty()
        && object.contains_key("value")
        && (object.contains_key("name") || object.contains_key("email"))
    {
        if let Some(value) = object.get("value").and_then(scalar) {
            out.push((prefix.to_string(), value));
        }
        if let Some(name) = object.get("name").and_then(scalar) {
            out.push((join(prefix, "name"), name));
        }
        return;
    }
    for (key, value) in object {
        match key.as_str() {
            // Salesforce's record metadata.
            "attributes" => continue,
            // HubSpot's properties are the record's columns.
            "properties" if prefix.is_empty() => flatten(prefix, value, out),
            // HubSpot's associations: {contacts: {results: [{id, type}]}} → `associations.contacts`.
            "associations" if value.is_object() => {
                if let Some(kinds) = value.as_object() {
                    for (kind, list) in kinds {
                        let inner = list.get("results").unwrap_or(list);
                        flatten(&join(&join(prefix, key), kind), inner, out);
                    }
                }
            }
            _ => flatten(&join(prefix, key), value, out),
        }
    }
}

/// Reads API responses into records.
pub fn records(body: &str) -> Result<Records, String> {
    let (layout, objects) = record_objects(documents(body)?)?;
    let mut header: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut flat_rows = Vec::new();
    for object in &objects {
        let mut pairs = Vec::new();
        flatten("", object, &mut pairs);
        for (column, _) in &pairs {
            if !index.contains_key(column) {
                index.insert(column.clone(), header.len());
                header.push(column.clone());
            }
        }
        flat_rows.push(pairs);
    }
    let rows = flat_rows
        .into_iter()
        .enumerate()
        .map(|(i, pairs)| {
            let mut cells = vec![String::new(); header.len()];
            for (column, value) in pairs {
                cells[index[&column]] = value;
            }
            (i as u64 + 1, cells)
        })
        .collect();
    Ok(Records {
        layout,
        header,
        rows,
    })
}

/// A row of GA4 `runReport`, read into observations: one a metric.
pub type ReportRow = (u64, Result<TableRows, CellError>, String);

/// GA4 Data API `runReport` responses (pages: one, an array, or one a line) into
/// `observations`: every metric of every row, dated by the `date` dimension (else
/// `dateRange` bounds are not known and the row is rejected), the other dimensions joined as
/// the observation's dimension. Values are strings in the response; `metricHeaders` give
/// their types.
pub fn run_report(body: &str) -> Result<Vec<ReportRow>, String> {
    let mut out = Vec::new();
    let mut number = 0u64;
    let mut pages = Vec::new();
    for document in documents(body)? {
        match document {
            Json::Array(items) => pages.extend(items),
            // `batchRunReports`: its reports.
            Json::Object(mut object) if object.get("reports").is_some_and(Json::is_array) => {
                if let Some(Json::Array(reports)) = object.remove("reports") {
                    pages.extend(reports);
                }
            }
            other => pages.push(other),
        }
    }
    // Client libraries write the same response in snake_case (`metric_headers`, `type_`).
    let field = |value: &'_ Json, camel: &str, snake: &str| -> Option<Json> {
        value.get(camel).or_else(|| value.get(snake)).cloned()
    };
    for page in pages {
        let names = |camel: &str, snake: &str| -> Vec<(String, String)> {
            field(&page, camel, snake)
                .and_then(|h| h.as_array().cloned())
                .map(|headers| {
                    headers
                        .iter()
                        .map(|h| {
                            (
                                h.get("name").and_then(scalar).unwrap_or_default(),
                                field(h, "type", "type_")
                                    .and_then(|t| scalar(&t))
                                    .unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let dimensions = names("dimensionHeaders", "dimension_headers");
        let metrics = names("metricHeaders", "metric_headers");
        let has_rows = page
            .get("rows")
            .and_then(Json::as_array)
            .is_some_and(|rows| !rows.is_empty());
        if metrics.is_empty() {
            if !has_rows && number > 0 {
                continue;
            }
            return Err("not a runReport response: no `metricHeaders`".into());
        }
        if !has_rows {
            // A report with no rows (`rows` is left out): nothing to read.
            continue;
        }
        let Some(date_index) = dimensions.iter().position(|(n, _)| n == "date") else {
            return Err(
                "the report has no `date` dimension; add it to the request's dimensions".into(),
            );
        };
        for row in page
            .get("rows")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            number += 1;
            let values = |camel: &str, snake: &str| -> Vec<String> {
                field(row, camel, snake)
                    .and_then(|v| v.as_array().cloned())
                    .map(|v| {
                        v.iter()
                            .map(|x| x.get("value").and_then(scalar).unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let dimension_values = values("dimensionValues", "dimension_values");
            let metric_values = values("metricValues", "metric_values");
            let raw = row.to_string();
            let result = report_rows(
                &dimensions,
                &metrics,
                date_index,
                &dimension_values,
                &metric_values,
            );
            out.push((number, result, raw));
        }
    }
    Ok(out)
}

fn report_rows(
    dimensions: &[(String, String)],
    metrics: &[(String, String)],
    date_index: usize,
    dimension_values: &[String],
    metric_values: &[String],
) -> Result<TableRows, CellError> {
    let error = |column: &str, reason: String| CellError {
        column: column.to_string(),
        reason,
    };
    let date_text = dimension_values
        .get(date_index)
        .cloned()
        .unwrap_or_default();
    let date = crate::parse::parse_date(&date_text, crate::parse::DateOrder::DayFirst)
        .ok_or_else(|| error("date", format!("`{date_text}` is not a date (YYYYMMDD)")))?;
    let others: Vec<usize> = (0..dimensions.len()).filter(|&i| i != date_index).collect();
    let dimension = (!others.is_empty()).then(|| {
        others
            .iter()
            .map(|&i| dimensions[i].0.clone())
            .collect::<Vec<_>>()
            .join("/")
    });
    let dimension_value = (!others.is_empty()).then(|| {
        others
            .iter()
            .map(|&i| dimension_values.get(i).cloned().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" / ")
    });
    let mut rows = Vec::new();
    for (i, (name, kind)) in metrics.iter().enumerate() {
        let text = metric_values.get(i).cloned().unwrap_or_default();
        let value: f64 = text
            .parse()
            .map_err(|_| error(name, format!("`{text}` is not a number ({kind})")))?;
        let unit = match kind.as_str() {
            "TYPE_INTEGER" => "count",
            "TYPE_SECONDS" => "seconds",
            "TYPE_MILLISECONDS" => "milliseconds",
            "TYPE_MINUTES" => "minutes",
            "TYPE_HOURS" => "hours",
            "TYPE_CURRENCY" => "currency",
            "TYPE_STANDARD" => "standard",
            "TYPE_FEET" | "TYPE_MILES" | "TYPE_METERS" | "TYPE_KILOMETERS" => "distance",
            _ => "number",
        };
        rows.push(vec![
            Some(Value::Text(format!("ga4_{name}"))),
            Some(Value::Date(date)),
            Some(Value::Float(value)),
            Some(Value::Text(unit.into())),
            dimension.clone().map(Value::Text),
            dimension_value.clone().map(Value::Text),
            Some(Value::Text("GA4 Data API".into())),
        ]);
    }
    Ok(vec![rows])
}

#[cfg(test)]
mod tests {
    fn cells(records: &super::Records, row: usize) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = records
            .header
            .iter()
            .cloned()
            .zip(records.rows[row].1.iter().cloned())
            .collect();
        pairs.sort();
        pairs
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn flattening_by_vendor_conventions() {
        let hubspot = r#"{"results":[{"id":"51","properties":{"amount":"1200","dealname":"A"},"associations":{"contacts":{"results":[{"id":"101","type":"deal_to_contact"},{"id":"102","type":"deal_to_contact"}]}}}],"paging":{"next":{"after":"52"}}}"#;
        let records = super::records(hubspot).unwrap();
        assert_eq!(
            cells(&records, 0),
            pairs(&[
                ("id", "51"),
                ("amount", "1200"),
                ("dealname", "A"),
                ("associations.contacts", "101;102")
            ])
        );
        let salesforce = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Opportunity","url":"/x"},"Id":"006A","Account":{"attributes":{"type":"Account"},"Name":"Nordkraft"},"Amount":5000.5}]}"#;
        let records = super::records(salesforce).unwrap();
        assert_eq!(
            cells(&records, 0),
            pairs(&[
                ("Id", "006A"),
                ("Account.Name", "Nordkraft"),
                ("Amount", "5000.5")
            ])
        );
        let linkedin = r#"{"elements":[{"costInLocalCurrency":"12.5","dateRange":{"start":{"year":2026,"month":3,"day":7},"end":{"year":2026,"month":3,"day":7}},"pivotValues":["urn:li:sponsoredCampaign:9"]}]}"#;
        let records = super::records(linkedin).unwrap();
        assert_eq!(
            cells(&records, 0),
            pairs(&[
                ("costInLocalCurrency", "12.5"),
                ("dateRange.start", "2026-03-07"),
                ("dateRange.end", "2026-03-07"),
                ("pivotValues", "urn:li:sponsoredCampaign:9")
            ])
        );
        let meta = r#"{"data":[{"spend":"10.00","actions":[{"action_type":"lead","value":"3"}]}]}"#;
        let records = super::records(meta).unwrap();
        assert_eq!(
            cells(&records, 0),
            pairs(&[("spend", "10.00"), ("actions.lead", "3")])
        );
        assert!(super::records("{oops").unwrap_err().contains("line 1"));
    }
}
