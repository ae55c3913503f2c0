//! Encoding detection and decoding of any bytes, then sniffing the lines: never a panic.
#![no_main]

use std::io::Read as _;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let encoding = utfall_ingest::decode::detect(data);
    let mut reader = utfall_ingest::decode::DecodingReader::new(&b""[..], encoding, data.to_vec());
    let mut text = String::new();
    if reader.read_to_string(&mut text).is_ok() {
        let lines: Vec<&str> = text.lines().take(12).collect();
        let _ = utfall_ingest::import::sniff(&lines);
    }
});
