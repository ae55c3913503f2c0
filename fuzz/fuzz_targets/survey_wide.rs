//! Wide survey exports (Qualtrics, SurveyMonkey): layout detection and answers from any rows.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use utfall_ingest::parse::DateOrder;
use utfall_ingest::survey::Wide;

fuzz_target!(|data: &[u8]| {
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data)
        .records()
        .take(8)
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    if let Some(wide) = Wide::detect(&rows, "fuzz") {
        let renames = BTreeMap::new();
        for record in rows.iter().skip(wide.header_rows) {
            let cells: Vec<&str> = record.iter().map(String::as_str).collect();
            let _ = wide.rows(&cells, &renames, DateOrder::MonthFirst, &jiff::tz::TimeZone::UTC);
        }
    }
});
