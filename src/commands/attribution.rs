//! `utfall attribution paths`: attribution over a file of aggregated paths.

use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;
use utfall_attribution::{PathSet, PathSetBuilder, heuristic, markov, shapley};

use crate::cli::{Format, PathModel, PathsArgs};
use crate::output::{UserError, print_stdout, table, write_csv};

pub fn paths(args: PathsArgs) -> anyhow::Result<ExitCode> {
    let paths = read_paths(&args)?;
    let (headers, rows, extra): (Vec<&str>, Vec<Vec<f64>>, serde_json::Value) = match args.model {
        PathModel::Heuristic => {
            let credits = heuristic::heuristics(&paths);
            let rows = credits
                .iter()
                .map(|c| {
                    vec![
                        c.first_touch_conversions,
                        c.first_touch_value,
                        c.last_touch_conversions,
                        c.last_touch_value,
                        c.linear_touch_conversions,
                        c.linear_touch_value,
                    ]
                })
                .collect();
            (
                vec![
                    "channel_name",
                    "first_touch_conversions",
                    "first_touch_value",
                    "last_touch_conversions",
                    "last_touch_value",
                    "linear_touch_conversions",
                    "linear_touch_value",
                ],
                rows,
                json!({}),
            )
        }
        PathModel::Markov => {
            let result = markov::markov(&paths, usize::from(args.order))
                .map_err(|e| UserError::new(e.to_string()))?;
            let rows = (0..paths.n_channels())
                .map(|i| vec![result.conversions[i], result.value[i]])
                .collect();
            let extra = json!({
                "order": args.order,
                "conversion_probability": result.conversion_probability,
                "n_states": result.n_states,
                "n_transitions": result.n_transitions,
                "removal_effects": paths.channels.iter().zip(&result.removal_effects).map(|(c, r)| json!({"channel_name": c, "removal_effect": r})).collect::<Vec<_>>(),
            });
            (
                vec![
                    "channel_name",
                    "total_conversions",
                    "total_conversion_value",
                ],
                rows,
                extra,
            )
        }
        PathModel::Shapley => {
            let result = if paths.n_channels() <= shapley::MAX_EXACT_CHANNELS {
                shapley::exact(&paths).map_err(|e| UserError::new(e.to_string()))?
            } else {
                shapley::simplified(&paths)
            };
            let rows = (0..paths.n_channels())
                .map(|i| vec![result.conversions[i], result.value[i]])
                .collect();
            (
                vec![
                    "channel_name",
                    "total_conversions",
                    "total_conversion_value",
                ],
                rows,
                json!({}),
            )
        }
    };
    match args.format {
        Format::Csv => {
            let cells: Vec<Vec<String>> = paths
                .channels
                .iter()
                .zip(&rows)
                .map(|(channel, row)| {
                    std::iter::once(channel.clone())
                        .chain(row.iter().map(|v| v.to_string()))
                        .collect()
                })
                .collect();
            write_csv(&headers, &cells)?;
        }
        Format::Json => {
            let channels: Vec<serde_json::Value> = paths
                .channels
                .iter()
                .zip(&rows)
                .map(|(channel, row)| {
                    let mut object = serde_json::Map::new();
                    object.insert(headers[0].to_string(), json!(channel));
                    for (header, value) in headers[1..].iter().zip(row) {
                        object.insert((*header).to_string(), json!(value));
                    }
                    serde_json::Value::Object(object)
                })
                .collect();
            let report = json!({
                "model": format!("{:?}", args.model).to_lowercase(),
                "n_paths": paths.paths.len(),
                "total_conversions": paths.total_conversions(),
                "total_conversion_value": paths.total_value(),
                "channels": channels,
                "details": extra,
            });
            print_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        }
        Format::Table => {
            let cells: Vec<Vec<String>> = paths
                .channels
                .iter()
                .zip(&rows)
                .map(|(channel, row)| {
                    std::iter::once(channel.clone())
                        .chain(row.iter().map(|v| format!("{v:.2}")))
                        .collect()
                })
                .collect();
            print_stdout(&table(&headers, &cells))?;
            eprintln!(
                "{} distinct paths, {} channels, {:.2} conversions worth {:.2}",
                paths.paths.len(),
                paths.n_channels(),
                paths.total_conversions(),
                paths.total_value()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn detect_delimiter(header: &[u8]) -> u8 {
    let first_line = header.split(|&b| b == b'\n').next().unwrap_or(header);
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

fn parse_number(bytes: &[u8], decimal_comma: bool) -> Option<f64> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text.is_empty() {
        return Some(0.0);
    }
    let value: f64 = if decimal_comma && text.contains(',') {
        text.replace(',', ".").parse().ok()?
    } else {
        text.parse().ok()?
    };
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// Reads a path file into de-duplicated paths, streaming row by row.
fn read_paths(args: &PathsArgs) -> anyhow::Result<PathSet> {
    let display = args.file.display().to_string();
    let file = std::fs::File::open(&args.file).map_err(|error| {
        UserError::new(format!("cannot read `{display}`: {error}")).hint("check the path")
    })?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let delimiter = match args.delimiter {
        Some(delimiter) => u8::try_from(delimiter).map_err(|_| {
            UserError::new(format!("the delimiter `{delimiter}` is not a single byte"))
        })?,
        None => {
            let peek = std::io::BufRead::fill_buf(&mut reader)
                .with_context(|| format!("failed to read `{display}`"))?;
            detect_delimiter(peek)
        }
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(reader);
    let headers: Vec<String> = csv
        .headers()
        .with_context(|| format!("failed to read the header of `{display}`"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let position = |name: &str| headers.iter().position(|h| h == name);
    let missing = |name: &str, flag: &str| {
        UserError::new(format!("`{display}` has no column `{name}`")).hint(format!(
            "its columns are {}; name the right one with `{flag}`",
            headers
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    let path_col = position(&args.path_col).ok_or_else(|| missing(&args.path_col, "--path-col"))?;
    let conv_col = position(&args.conv_col).ok_or_else(|| missing(&args.conv_col, "--conv-col"))?;
    let value_col = position(&args.value_col);
    let null_col = position(&args.null_col);
    let decimal_comma = delimiter == b';';

    let mut builder = PathSetBuilder::new();
    let mut record = csv::ByteRecord::new();
    let mut row = 1usize;
    while csv
        .read_byte_record(&mut record)
        .with_context(|| format!("failed to read `{display}` after line {}", row + 1))?
    {
        row += 1;
        let line = record.position().map_or(row, |p| p.line() as usize);
        let number = |column: Option<usize>, name: &str| -> anyhow::Result<f64> {
            let Some(column) = column else { return Ok(0.0) };
            let bytes = record.get(column).unwrap_or(b"");
            parse_number(bytes, decimal_comma).ok_or_else(|| {
                UserError::new(format!(
                    "`{display}`:{line}: column `{name}` holds `{}`, not a count or amount",
                    String::from_utf8_lossy(bytes)
                ))
                .hint("counts and values must be numbers of at least 0, like `3` or `12.5`")
                .into()
            })
        };
        let conversions = number(Some(conv_col), &args.conv_col)?;
        let value = number(value_col, &args.value_col)?;
        let nulls = number(null_col, &args.null_col)?;
        let path = std::str::from_utf8(record.get(path_col).unwrap_or(b"")).map_err(|_| {
            UserError::new(format!("`{display}`:{line}: the path is not UTF-8 text"))
                .hint("save the file as UTF-8")
        })?;
        builder.add_text(path, &args.sep, conversions, value, nulls);
    }
    Ok(builder.build())
}
