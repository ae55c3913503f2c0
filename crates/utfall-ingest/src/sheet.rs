//! Spreadsheets and Parquet files as rows of text cells, so that presets read them as they
//! read CSV: Excel (`.xlsx`, `.xlsm`, `.xls`) and OpenDocument through calamine; dates become
//! ISO 8601 and numbers are written with a decimal point.

use std::path::Path;

use arrow::array::Array;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use calamine::{Data, Reader, open_workbook_auto};
use utfall_model::kinds::Preset;

use crate::preset::header_score;

/// The sheet an import reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name, as the workbook writes it.
    pub name: String,
    /// 1-based row of the header.
    pub header_row: usize,
    /// The header's cells.
    pub header: Vec<String>,
    /// (1-based row, cells).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// A cell as text: dates and times in ISO 8601, whole numbers without a decimal part.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(value) => {
            let (y, m, d, h, min, s, _) = value.to_ymd_hms_milli();
            if value.is_datetime() && (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else if value.is_datetime() {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            } else {
                value.as_f64().to_string()
            }
        }
    }
}

/// Reads the workbook's sheet whose header the preset knows best (the first sheet if none),
/// the header found among its first ten rows.
pub fn read(path: &Path, preset: Preset) -> Result<Sheet, String> {
    let mut workbook =
        open_workbook_auto(path).map_err(|e| format!("not a workbook Utfall can read: {e}"))?;
    let mut best: Option<(usize, Sheet)> = None;
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("sheet `{name}`: {e}"))?;
        let first_row = range.start().map_or(0, |(row, _)| row as u64);
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect();
        let (score, header_index) = (0..rows.len().min(10))
            .map(|i| (header_score(preset, &rows[i]), i))
            .max_by_key(|(score, i)| (*score, std::cmp::Reverse(*i)))
            .unwrap_or((0, 0));
        if best.as_ref().is_some_and(|(s, _)| *s >= score) {
            continue;
        }
        let mut data = rows.into_iter().enumerate().skip(header_index);
        let header = data.next().map(|(_, h)| h).unwrap_or_default();
        let rows = data
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .map(|(i, cells)| (first_row + i as u64 + 1, cells))
            .collect();
        best = Some((
            score,
            Sheet {
                name: name.clone(),
                header_row: first_row as usize + header_index + 1,
                header,
                rows,
            },
        ));
    }
    best.map(|(_, sheet)| sheet)
        .ok_or_else(|| "the workbook has no sheets".to_string())
}

type Rows = Box<dyn Iterator<Item = Result<(u64, Vec<String>), String>>>;

/// A Parquet file's column names and its rows as text, batch by batch.
pub fn parquet_rows(path: &Path) -> Result<(Vec<String>, Rows), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format!("not a Parquet file: {e}"))?;
    let header = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let reader = builder
        .with_batch_size(8192)
        .build()
        .map_err(|e| format!("not a Parquet file: {e}"))?;
    let mut row_number = 0u64;
    let rows = reader.flat_map(move |batch| {
        let rows: Vec<Result<(u64, Vec<String>), String>> = match batch {
            Err(error) => vec![Err(error.to_string())],
            Ok(batch) => {
                let options = FormatOptions::default();
                let formatters: Result<Vec<_>, _> = batch
                    .columns()
                    .iter()
                    .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
                    .collect();
                match formatters {
                    Err(error) => vec![Err(error.to_string())],
                    Ok(formatters) => (0..batch.num_rows())
                        .map(|row| {
                            row_number += 1;
                            let cells = formatters
                                .iter()
                                .zip(batch.columns())
                                .map(|(f, c)| {
                                    if c.is_null(row) {
                                        String::new()
                                    } else {
                                        f.value(row).to_string()
                                    }
                                })
                                .collect();
                            Ok((row_number, cells))
                        })
                        .collect(),
                }
            }
        };
        rows
    });
    Ok((header, Box::new(rows)))
}
