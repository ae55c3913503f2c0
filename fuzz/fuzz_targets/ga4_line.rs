//! One line of GA4's BigQuery export: a row, a skip or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else { return };
    let zone = jiff::tz::TimeZone::UTC;
    let _ = utfall_ingest::ga4::rows(line, &utfall_ingest::ga4::default_key_events(), &zone);
});
