//! The KPI formula parser: an AST or an error with a span inside the text, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = utfall_model::formula::parse(text) {
        assert!(error.span.start <= text.len() && error.span.end <= text.len() + 1, "{error:?}");
    }
});
