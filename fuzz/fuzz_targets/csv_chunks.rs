//! Cutting a CSV stream into chunks: the records of the two sides of a cut, read apart, are
//! the records of the whole, read at once (what the parallel importer relies on).
#![no_main]

use libfuzzer_sys::fuzz_target;

fn records(bytes: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        out.push(record.iter().map(<[u8]>::to_vec).collect());
    }
    out
}

fuzz_target!(|data: &[u8]| {
    for delimiter in [b',', b';', b'\t'] {
        let cut = utfall_ingest::import::record_boundary(data, delimiter);
        assert!(cut <= data.len());
        if cut == 0 {
            continue;
        }
        assert_eq!(data[cut - 1], b'\n');
        let mut apart = records(&data[..cut], delimiter);
        apart.extend(records(&data[cut..], delimiter));
        assert_eq!(apart, records(data, delimiter), "cut at {cut}");
    }
});
