//! Numbers, dates and times as people write them: never a panic, whatever the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use utfall_ingest::parse::{DateOrder, NumberStyle, parse_bool, parse_date, parse_integer, parse_number, parse_timestamp};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for decimal_comma in [false, true] {
        let style = NumberStyle { decimal_comma };
        let _ = parse_number(text, style);
        let _ = parse_integer(text, style);
    }
    let _ = parse_bool(text);
    // Masking addresses in quarantined records: masking twice changes nothing more.
    let masked = utfall_ingest::preset::mask_emails(text);
    assert_eq!(utfall_ingest::preset::mask_emails(&masked), masked);
    let zone = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC);
    for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
        let _ = parse_date(text, order);
        let _ = parse_timestamp(text, order, &zone);
    }
});
