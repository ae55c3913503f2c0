//! The CSV files a fit or a lift reads in file mode: one row per period, a date column, the
//! outcome, spend columns and controls, every value checked with its file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use utfall_mmm::{Data, Series};

use crate::error::AppError;

/// A CSV file and the columns to read from it.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// The file.
    pub path: PathBuf,
    /// The date column (ISO dates; a timestamp's first ten characters).
    pub date: String,
    /// The outcome column.
    pub target: String,
    /// The spend (or exposure) columns.
    pub channels: Vec<String>,
    /// The control columns: numbers as they are, text as one indicator per value.
    pub controls: Vec<String>,
}

/// An error at a line (and column) of a CSV file: `file:line, column `c`: message`.
pub(super) fn csv_error(
    path: &Path,
    line: u64,
    column: Option<&str>,
    message: impl std::fmt::Display,
) -> AppError {
    let at = match column {
        Some(c) => format!("{}:{line}, column `{c}`", path.display()),
        None => format!("{}:{line}", path.display()),
    };
    AppError::user(format!("{at}: {message}"))
}

/// The columns' positions in the header.
struct Positions {
    date: usize,
    target: usize,
    channels: Vec<usize>,
    controls: Vec<usize>,
}

impl Positions {
    fn find(file: &DataFile, headers: &csv::StringRecord) -> Result<Positions, AppError> {
        let index = |name: &str| -> Result<usize, AppError> {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = headers.iter().collect();
                    AppError::user(format!("{}: no column `{name}`", file.path.display()))
                        .hint(format!("the columns are: {}", known.join(", ")))
                })
        };
        Ok(Positions {
            date: index(&file.date)?,
            target: index(&file.target)?,
            channels: file
                .channels
                .iter()
                .map(|c| index(c))
                .collect::<Result<_, _>>()?,
            controls: file
                .controls
                .iter()
                .map(|c| index(c))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// The columns as read, row by row.
#[derive(Default)]
struct Columns {
    dates: Vec<Date>,
    target: Vec<f64>,
    channels: Vec<Vec<f64>>,
    controls: Vec<Vec<String>>,
}

impl Columns {
    /// Checks and adds one record.
    fn push(
        &mut self,
        file: &DataFile,
        at: &Positions,
        record: &csv::StringRecord,
    ) -> Result<(), AppError> {
        let path = file.path.as_path();
        let line = record.position().map_or(0, |p| p.line());
        let number = |i: usize, name: &str| -> Result<f64, AppError> {
            let text = record.get(i).unwrap_or("").trim();
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    csv_error(
                        path,
                        line,
                        Some(name),
                        format!("expected a number, found `{text}`"),
                    )
                })
        };
        let text = record.get(at.date).unwrap_or("").trim();
        let date: Date = text.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
            csv_error(
                path,
                line,
                Some(&file.date),
                format!("expected a date as YYYY-MM-DD, found `{text}`"),
            )
        })?;
        if let Some(previous) = self.dates.last()
            && *previous >= date
        {
            return Err(csv_error(
                path,
                line,
                Some(&file.date),
                format!(
                    "{date} does not come after {previous}: sort the rows by date, one row per period"
                ),
            ));
        }
        self.dates.push(date);
        self.target.push(number(at.target, &file.target)?);
        for (k, &i) in at.channels.iter().enumerate() {
            let v = number(i, &file.channels[k])?;
            if v < 0.0 {
                return Err(csv_error(
                    path,
                    line,
                    Some(&file.channels[k]),
                    format!("spend cannot be negative ({v})"),
                ));
            }
            self.channels[k].push(v);
        }
        for (k, &i) in at.controls.iter().enumerate() {
            self.controls[k].push(record.get(i).unwrap_or("").trim().to_string());
        }
        Ok(())
    }
}

/// Reads the date, outcome, channel and control columns of a CSV file, checking each value:
/// numbers, ISO dates in increasing order, spend not negative.
pub fn read_data(file: &DataFile) -> Result<Data, AppError> {
    let path = file.path.as_path();
    let opened = std::fs::File::open(path)
        .map_err(|e| AppError::user(format!("cannot open `{}`: {e}", path.display())))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(std::io::BufReader::new(opened));
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, 1, None, e))?
        .clone();
    let at = Positions::find(file, &headers)?;
    let mut columns = Columns {
        channels: vec![Vec::new(); at.channels.len()],
        controls: vec![Vec::new(); at.controls.len()],
        ..Columns::default()
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            csv_error(path, line, None, &e)
        })?;
        columns.push(file, &at, &record)?;
    }
    let dates = columns.dates;
    Ok(Data {
        day_of_year: dates.iter().map(|d| d.day_of_year() as f64).collect(),
        dates: dates.iter().map(|d| d.to_string()).collect(),
        target: columns.target,
        channels: file
            .channels
            .iter()
            .zip(columns.channels)
            .map(|(name, values)| Series {
                name: name.clone(),
                values,
            })
            .collect(),
        controls: file
            .controls
            .iter()
            .zip(columns.controls)
            .flat_map(|(name, values)| control_columns(name, values))
            .collect(),
    })
}

/// A numeric control as is; a text control (event names, say) as one indicator column per value
/// but the most common one (the baseline, e.g. `na`).
fn control_columns(name: &str, values: Vec<String>) -> Vec<Series> {
    let numbers: Option<Vec<f64>> = values
        .iter()
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    if let Some(values) = numbers {
        return vec![Series {
            name: name.to_string(),
            values,
        }];
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &values {
        *counts.entry(v.as_str()).or_default() += 1;
    }
    let baseline = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(v, _)| *v)
        .unwrap_or("");
    counts
        .keys()
        .filter(|v| **v != baseline)
        .map(|level| Series {
            name: format!("{name}={level}"),
            values: values
                .iter()
                .map(|v| if v == level { 1.0 } else { 0.0 })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, text: &str) -> DataFile {
        let path = dir.join("mmm.csv");
        std::fs::write(&path, text).unwrap();
        DataFile {
            path,
            date: "date".into(),
            target: "y".into(),
            channels: vec!["x1".into()],
            controls: vec!["event".into()],
        }
    }

    #[test]
    fn text_controls_become_indicators_besides_the_most_common_value() {
        let dir = tempfile::tempdir().unwrap();
        let f = file(
            dir.path(),
            "date,y,x1,event\n2026-01-05,1,2,na\n2026-01-12,2,3,fair\n2026-01-19,3,4,na\n",
        );
        let data = read_data(&f).unwrap();
        assert_eq!(data.dates, ["2026-01-05", "2026-01-12", "2026-01-19"]);
        assert_eq!(data.channels[0].values, [2.0, 3.0, 4.0]);
        assert_eq!(data.controls.len(), 1);
        assert_eq!(data.controls[0].name, "event=fair");
        assert_eq!(data.controls[0].values, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let f = file(dir.path(), "date,y,x1,event\n2026-01-05,1,-2,na\n");
        let error = read_data(&f).unwrap_err();
        assert!(error.is_user());
        assert!(
            error
                .message()
                .ends_with("mmm.csv:2, column `x1`: spend cannot be negative (-2)"),
            "{error}"
        );
        let f = file(dir.path(), "date,y,x2,event\n");
        let error = read_data(&f).unwrap_err();
        assert!(error.message().ends_with("no column `x1`"), "{error}");
        assert_eq!(
            error.hint_text(),
            Some("the columns are: date, y, x2, event")
        );
        let f = file(
            dir.path(),
            "date,y,x1,event\n2026-01-12,1,2,na\n2026-01-05,1,2,na\n",
        );
        let error = read_data(&f).unwrap_err();
        assert!(
            error.message().contains("mmm.csv:3, column `date`"),
            "{error}"
        );
    }
}
