//! Survey tools' wide exports, one respondent a row and one question (or question × option) a
//! column, read into long `survey_responses` rows.
//!
//! - **Qualtrics** CSV: three header rows — column ids (`ResponseId`, `Q1`, `Q2_1`), labels
//!   (the question text; `text - option` for matrix and multi-choice items), and import ids as
//!   JSON (`{"ImportId":"QID2_1"}`, with the `timeZone` of dates). Survey previews are skipped.
//! - **SurveyMonkey** CSV: two header rows — the question text (written once over the columns
//!   of its options) and the option (`Response`, `Open-Ended Response`, or the option's label).
//!
//! A question's name is its id (Qualtrics) or a slug of its text (SurveyMonkey), unless the
//! import's mapping renames it (`--map Q1=nps`). An option label becomes the row's `brand`.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;

use crate::parse::{DateOrder, NumberStyle, parse_number, parse_timestamp};
use crate::table::{CellError, TableRows, Value};

/// Which tool wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Qualtrics' export: column ids, question texts, then import ids as JSON.
    Qualtrics,
    /// Qualtrics' legacy export: a row of `V1`…`V10` and question ids, then the labels.
    QualtricsLegacy,
    /// SurveyMonkey's export: question texts over a row of `Response` / option labels.
    SurveyMonkey,
}

impl Layout {
    /// The layout's name and header rows, for people.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Qualtrics => "Qualtrics, three header rows",
            Layout::QualtricsLegacy => "Qualtrics legacy export, two header rows (V1…V10)",
            Layout::SurveyMonkey => "SurveyMonkey, two header rows",
        }
    }
}

/// One answer column.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    column: usize,
    question: String,
    brand: Option<String>,
    /// SurveyMonkey's option columns hold the option's text when it was chosen.
    choice: bool,
}

/// A wide export's layout, read from its header rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Wide {
    /// Which tool wrote the file.
    pub layout: Layout,
    /// How many rows the header takes before the first respondent.
    pub header_rows: usize,
    survey_id: String,
    respondent: usize,
    /// The response time's column; none in exports whose dates were removed (then a date
    /// given with `--set response_time=…` is every response's).
    time: Option<usize>,
    fixed_time: Option<String>,
    time_zone: Option<String>,
    weight: Option<usize>,
    /// Qualtrics' `Status`/`DistributionChannel`: previews are not answers.
    status: Option<usize>,
    items: Vec<Item>,
    /// The first header row (column ids or question texts), for people.
    names: Vec<String>,
    /// What detection decided that a person should know.
    notes: Vec<String>,
}

fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
        if slug.chars().count() >= 48 {
            break;
        }
    }
    slug.trim_end_matches('_').to_string()
}

/// A Qualtrics answer column: its question (the id, without the `_N` of a matrix item whose
/// label names an option) and the option as `brand` (`Known brands - Nordkraft`).
fn qualtrics_item(column: usize, id: &str, label: &str) -> Item {
    let id = id.trim();
    let brand = label.rsplit_once(" - ").map(|(_, b)| b.trim().to_string());
    let question = match (&brand, id.rsplit_once('_')) {
        (Some(_), Some((stem, suffix))) if suffix.bytes().all(|b| b.is_ascii_digit()) => {
            stem.to_string()
        }
        _ => id.to_string(),
    };
    Item {
        column,
        question,
        brand,
        choice: false,
    }
}

/// The column of the first of `names` (in their order of preference) the row has.
fn position(row: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| row.iter().position(|c| c.trim().eq_ignore_ascii_case(n)))
}

/// Cells as read, without the NUL bytes and padding some exports carry.
fn cleaned_cells(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| c.replace('\0', "").trim().to_string())
                .collect()
        })
        .collect()
}

/// Qualtrics' ImportId row as JSON, or as Python dicts (its 2016 "Insights" export) made
/// JSON; `None` if the row is not one.
fn import_id_row(row: &[String]) -> Option<Vec<String>> {
    row.iter()
        .any(|c| c.starts_with("{\"ImportId\"") || c.starts_with("{'ImportId'"))
        .then(|| row.iter().map(|c| c.replace('\'', "\"")).collect())
}

/// Two questions exported under one tag (`Q2` twice) stay two: the later ones are named by
/// their import id (`Q2_QID108`). Returns the note that says so, if any were renamed.
fn name_repeated_questions(items: &mut [Item], import_ids: &[String]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut renamed = Vec::new();
    for item in items {
        if !seen.insert((item.question.clone(), item.brand.clone())) {
            let import_id = import_ids
                .get(item.column)
                .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                .and_then(|v| v.get("ImportId")?.as_str().map(str::to_string))
                .unwrap_or_else(|| format!("column{}", item.column + 1));
            let name = format!("{}_{import_id}", item.question);
            renamed.push(format!("`{}` → `{}`", item.question, name));
            item.question = name;
        }
    }
    if renamed.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "questions exported under a tag another question has were named by their import id: {}",
        renamed.join(", ")
    )]
}

/// Whether the header rows are Qualtrics' legacy layout: `V1` in the first, `ResponseID` in
/// the second.
fn is_qualtrics_legacy(first: &[String], second: &[String]) -> bool {
    first
        .iter()
        .any(|c| c.trim().trim_start_matches('\u{feff}') == "V1")
        && position(second, &["ResponseID", "ResponseId"]).is_some()
}

/// A Qualtrics question id (`Q1`, `Q12_3`).
fn is_question_id(id: &str) -> bool {
    let id = id.trim();
    id.len() > 1 && id.starts_with('Q') && id[1..].starts_with(|c: char| c.is_ascii_digit())
}

/// SurveyMonkey's label of a column holding the answer itself rather than an option.
fn is_response_label(label: &str) -> bool {
    matches!(
        label,
        "Response" | "Open-Ended Response" | "Svar" | "Öppet svar"
    )
}

/// The first header row without the `Unnamed: N` a file pandas re-saved writes over the
/// option columns and its index.
fn without_pandas_names(first: &[String]) -> Vec<String> {
    first
        .iter()
        .map(|c| {
            if c.trim().starts_with("Unnamed: ") {
                String::new()
            } else {
                c.clone()
            }
        })
        .collect()
}

/// SurveyMonkey's respondent column: `Respondent ID`, else the row numbers pandas wrote in
/// the first column (with a note); `None` if neither.
fn survey_monkey_respondent(
    rows: &[Vec<String>],
    first: &[String],
    notes: &mut Vec<String>,
) -> Option<usize> {
    if let Some(column) = position(first, &["Respondent ID", "RespondentID", "Respondent-ID"]) {
        return Some(column);
    }
    let unnamed_first = first.first().is_some_and(|c| c.trim().is_empty());
    let numbered = rows
        .get(2)
        .and_then(|r| r.first())
        .is_some_and(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()));
    if !(unnamed_first && numbered) {
        return None;
    }
    notes.push("the export has no `Respondent ID` column: respondents are named by the row numbers in its first column (an index pandas wrote)".to_string());
    Some(0)
}

/// SurveyMonkey's columns about the response rather than answers (lower case).
const SURVEY_MONKEY_METADATA: &[&str] = &[
    "respondent id",
    "respondentid",
    "collector id",
    "collectorid",
    "start date",
    "startdate",
    "end date",
    "enddate",
    "ip address",
    "ipaddress",
    "email address",
    "emailaddress",
    "first name",
    "firstname",
    "last name",
    "lastname",
    "custom data 1",
    "custom data",
    "customdata",
    "slutdatum",
    "startdatum",
];

/// SurveyMonkey's answer columns: a question is written once over the columns of its
/// options; an option column's label is the row's `brand`.
fn survey_monkey_items(first: &[String], second: &[String]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut question = String::new();
    for (i, cell) in first.iter().enumerate() {
        if !cell.trim().is_empty() {
            question = cell.trim().to_string();
        }
        if SURVEY_MONKEY_METADATA.contains(&question.to_lowercase().as_str()) || question.is_empty()
        {
            continue;
        }
        let option = second.get(i).map_or("", |s| s.trim());
        let (brand, choice) = match option {
            "" => (None, false),
            _ if is_response_label(option) => (None, false),
            other => (Some(other.to_string()), true),
        };
        items.push(Item {
            column: i,
            question: question.clone(),
            brand,
            choice,
        });
    }
    items
}

impl Wide {
    /// Recognises a wide export from its first rows.
    pub fn detect(rows: &[Vec<String>], survey_id: &str) -> Option<Wide> {
        let rows = cleaned_cells(rows);
        let first = rows.first()?;
        let second = rows.get(1)?;
        if let Some(import_ids) = rows.get(2).and_then(|third| import_id_row(third)) {
            return Wide::qualtrics(first, second, &import_ids, survey_id);
        }
        if is_qualtrics_legacy(first, second) {
            return Wide::qualtrics_legacy(first, second, survey_id);
        }
        if !second.iter().any(|c| is_response_label(c.trim())) {
            return None;
        }
        Wide::survey_monkey(&rows, survey_id)
    }

    /// Qualtrics' export: column ids, labels, then the import ids (`{"ImportId":"QID2_1"}`).
    fn qualtrics(
        first: &[String],
        second: &[String],
        import_ids: &[String],
        survey_id: &str,
    ) -> Option<Wide> {
        let respondent = position(first, &["ResponseId", "ResponseID"])?;
        let time = position(first, &["RecordedDate", "EndDate", "StartDate"])?;
        let time_zone = import_ids.get(time).and_then(|c| {
            serde_json::from_str::<serde_json::Value>(c)
                .ok()?
                .get("timeZone")?
                .as_str()
                .map(str::to_string)
        });
        let weight = position(first, &["weight", "vikt", "Weight"]);
        let mut items: Vec<Item> = first
            .iter()
            .enumerate()
            .filter(|(i, _)| import_ids.get(*i).is_some_and(|c| c.contains("\"QID")))
            .map(|(i, id)| qualtrics_item(i, id, second.get(i).map_or("", String::as_str)))
            .collect();
        let notes = name_repeated_questions(&mut items, import_ids);
        Some(Wide {
            layout: Layout::Qualtrics,
            header_rows: 3,
            survey_id: survey_id.to_string(),
            respondent,
            time: Some(time),
            fixed_time: None,
            time_zone,
            weight,
            status: position(first, &["Status"]),
            items,
            names: first.to_vec(),
            notes,
        })
    }

    /// Qualtrics' legacy layout: `V1`…`V10` (response metadata) and question ids, then the
    /// labels, whose metadata columns are `ResponseID`, `StartDate`, `EndDate`, `Status`.
    fn qualtrics_legacy(first: &[String], second: &[String], survey_id: &str) -> Option<Wide> {
        let respondent = position(second, &["ResponseID", "ResponseId"])?;
        let time = position(second, &["EndDate", "RecordedDate", "StartDate"]);
        let items = first
            .iter()
            .enumerate()
            .filter(|(_, id)| is_question_id(id))
            .map(|(i, id)| qualtrics_item(i, id, second.get(i).map_or("", String::as_str)))
            .collect();
        Some(Wide {
            layout: Layout::QualtricsLegacy,
            header_rows: 2,
            survey_id: survey_id.to_string(),
            respondent,
            time,
            fixed_time: None,
            time_zone: None,
            weight: position(second, &["weight", "Weight"]),
            status: position(second, &["Status"]),
            items,
            names: first.to_vec(),
            notes: Vec::new(),
        })
    }

    /// SurveyMonkey's export: the question texts over a row of `Response` / option labels.
    fn survey_monkey(rows: &[Vec<String>], survey_id: &str) -> Option<Wide> {
        let first = without_pandas_names(&rows[0]);
        let second = &rows[1];
        let mut notes = Vec::new();
        let respondent = survey_monkey_respondent(rows, &first, &mut notes)?;
        let time = position(
            &first,
            &[
                "End Date",
                "EndDate",
                "Slutdatum",
                "Start Date",
                "StartDate",
                "Startdatum",
            ],
        );
        let items = survey_monkey_items(&first, second);
        Some(Wide {
            layout: Layout::SurveyMonkey,
            header_rows: 2,
            survey_id: survey_id.to_string(),
            respondent,
            time,
            fixed_time: None,
            time_zone: None,
            weight: None,
            status: None,
            items,
            names: first,
            notes,
        })
    }

    /// What detection decided that a person should know.
    pub fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    /// The column response times are read from.
    pub fn time_column(&self) -> Option<usize> {
        self.time
    }

    /// Values given for every response (`--set response_time=2022-06-30`); an export
    /// without response dates needs one.
    pub fn set_constants(
        &mut self,
        constants: &BTreeMap<String, String>,
    ) -> Result<(), crate::preset::PlanError> {
        if let Some(time) = constants.get("response_time") {
            self.time = None;
            self.fixed_time = Some(time.clone());
            self.notes
                .push(format!("every response is dated `{time}` (as given)"));
        }
        if self.time.is_none() && self.fixed_time.is_none() {
            return Err(crate::preset::PlanError::Shape {
                found: format!(
                    "the {} export has no response dates (`Start Date`/`End Date`), so its answers cannot be placed in a period",
                    self.layout.name()
                ),
                hint: "export it again with the dates (SurveyMonkey and Qualtrics include them unless removed), or give the date of the survey with `--set response_time=2022-06-30`".into(),
            });
        }
        Ok(())
    }

    /// The columns as people read them.
    pub fn describe(&self, renames: &BTreeMap<String, String>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "survey_id".to_string(),
                format!("`{}` (the file's name)", self.survey_id),
            ),
            (
                "wave".to_string(),
                "the month of the response (YYYY-MM)".to_string(),
            ),
            (
                "response_time".to_string(),
                match (self.time, &self.fixed_time) {
                    (Some(column), _) => self.name(column),
                    (None, Some(time)) => format!("`{time}` (`--set`)"),
                    (None, None) => "—".into(),
                },
            ),
            ("respondent_id".to_string(), self.name(self.respondent)),
        ];
        for item in &self.items {
            out.push((
                format!(
                    "question `{}`{}",
                    self.question_name(&item.question, renames),
                    item.brand
                        .as_ref()
                        .map_or(String::new(), |b| format!(", brand `{b}`"))
                ),
                self.name(item.column),
            ));
        }
        out
    }

    /// A column as people find it: its id or question, and its number.
    fn name(&self, column: usize) -> String {
        let name = self.names.get(column).map_or("", |n| n.trim());
        let name = if name.is_empty() {
            // SurveyMonkey writes a question once over its option columns.
            self.names[..column.min(self.names.len())]
                .iter()
                .rev()
                .find(|n| !n.trim().is_empty())
                .map_or("", |n| n.trim())
        } else {
            name
        };
        let short: String = name.chars().take(60).collect();
        format!("{short} (column {})", column + 1)
    }

    fn question_name(&self, question: &str, renames: &BTreeMap<String, String>) -> String {
        renames
            .get(question)
            .cloned()
            .unwrap_or_else(|| match self.layout {
                Layout::Qualtrics | Layout::QualtricsLegacy => question.to_lowercase(),
                Layout::SurveyMonkey => slug(question),
            })
    }

    /// One respondent's answers: a row an answered item. `Ok(None)`: a preview, skipped.
    pub fn rows(
        &self,
        record: &[&str],
        renames: &BTreeMap<String, String>,
        order: DateOrder,
        zone: &TimeZone,
    ) -> Result<Option<TableRows>, CellError> {
        let cell = |i: usize| record.get(i).map_or("", |c| c.trim());
        if let Some(status) = self.status
            && matches!(cell(status), "Survey Preview" | "1" | "Spam" | "8")
        {
            return Ok(None);
        }
        let error = |column: &str, reason: String| CellError {
            column: column.to_string(),
            reason,
        };
        let respondent = cell(self.respondent);
        if respondent.is_empty() {
            return Err(error("respondent_id", "a respondent id is required".into()));
        }
        let zone = self
            .time_zone
            .as_deref()
            .and_then(|z| TimeZone::get(z).ok())
            .unwrap_or_else(|| zone.clone());
        let time_text = match (self.time, &self.fixed_time) {
            (Some(column), _) => cell(column),
            (None, Some(time)) => time.as_str(),
            (None, None) => "",
        };
        let time = parse_timestamp(time_text, order, &zone).ok_or_else(|| {
            error(
                "response_time",
                format!("`{time_text}` is not a date and time"),
            )
        })?;
        let local = time.to_zoned_datetime(zone.clone());
        let wave = format!("{:04}-{:02}", local.year(), local.month());
        let weight = match self.weight.map(cell) {
            Some(text) if !text.is_empty() => parse_number(text, NumberStyle::default())
                .ok_or_else(|| error("weight", format!("`{text}` is not a number")))?,
            _ => 1.0,
        };
        let mut rows = Vec::new();
        for item in &self.items {
            let answer = cell(item.column);
            if answer.is_empty() {
                continue;
            }
            // A number with a leading zero (`07057`, a postcode) is text: the zero is kept.
            let leading_zero = answer.len() > 1
                && answer.starts_with('0')
                && answer[1..].starts_with(|c: char| c.is_ascii_digit());
            let numeric = (!leading_zero)
                .then(|| parse_number(answer, NumberStyle::default()))
                .flatten();
            let (numeric, text) = match (numeric, item.choice) {
                (Some(n), _) => (Some(n), None),
                (None, true) => (Some(1.0), Some(answer.to_string())),
                (None, false) => (None, Some(answer.to_string())),
            };
            rows.push(vec![
                Some(Value::Text(self.survey_id.clone())),
                Some(Value::Text(wave.clone())),
                Some(Value::Timestamp(time)),
                Some(Value::Text(respondent.to_string())),
                Some(Value::Float(weight)),
                Some(Value::Text(self.question_name(&item.question, renames))),
                item.brand.clone().map(Value::Text),
                numeric.map(Value::Float),
                text.map(Value::Text),
            ]);
        }
        Ok(Some(vec![rows]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_string()).collect()
    }

    #[test]
    fn qualtrics_header_rows() {
        let rows = [
            row(&[
                "StartDate",
                "RecordedDate",
                "Status",
                "ResponseId",
                "Q1",
                "Q2_1",
                "Q2_2",
            ]),
            row(&[
                "Start Date",
                "Recorded Date",
                "Response Type",
                "Response ID",
                "How likely?",
                "Known brands - Nordkraft",
                "Known brands - Vattenfall",
            ]),
            row(&[
                r#"{"ImportId":"startDate","timeZone":"Europe/Stockholm"}"#,
                r#"{"ImportId":"recordedDate","timeZone":"Europe/Stockholm"}"#,
                r#"{"ImportId":"status"}"#,
                r#"{"ImportId":"_recordId"}"#,
                r#"{"ImportId":"QID1"}"#,
                r#"{"ImportId":"QID2_1"}"#,
                r#"{"ImportId":"QID2_2"}"#,
            ]),
        ];
        let wide = Wide::detect(&rows, "tracker").unwrap();
        assert_eq!(wide.layout, Layout::Qualtrics);
        let zone = TimeZone::UTC;
        let renames = BTreeMap::from([("Q1".to_string(), "nps".to_string())]);
        let record = [
            "2026-10-01 10:00:00",
            "2026-10-01 10:05:00",
            "IP Address",
            "R_1",
            "9",
            "1",
            "",
        ];
        let rows = wide
            .rows(&record, &renames, DateOrder::DayFirst, &zone)
            .unwrap()
            .unwrap();
        assert_eq!(rows[0].len(), 2, "the empty answer gives no row");
        assert_eq!(rows[0][0][5], Some(Value::Text("nps".into())));
        assert_eq!(rows[0][1][5], Some(Value::Text("q2".into())));
        assert_eq!(rows[0][1][6], Some(Value::Text("Nordkraft".into())));
        assert_eq!(rows[0][0][1], Some(Value::Text("2026-10".into())));
        // 10:05 in Stockholm (CEST, +02:00) is 08:05 UTC.
        assert_eq!(
            rows[0][0][2],
            Some(Value::Timestamp("2026-10-01T08:05:00Z".parse().unwrap()))
        );
        let preview = [
            "",
            "2026-10-01 10:05:00",
            "Survey Preview",
            "R_2",
            "5",
            "",
            "",
        ];
        assert_eq!(
            wide.rows(&preview, &renames, DateOrder::DayFirst, &zone)
                .unwrap(),
            None
        );
    }
}
