//! Vendors' API responses and GA4 runReport pages, any text: an error or records, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(records) = utfall_ingest::json::records(text) {
            for (_, cells) in &records.rows {
                assert_eq!(cells.len(), records.header.len());
            }
        }
        let _ = utfall_ingest::json::run_report(text);
    }
});
