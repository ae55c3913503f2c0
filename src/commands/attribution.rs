//! `utfall attribution paths`: attribution over a file of aggregated paths.

use std::process::ExitCode;

use serde_json::json;
use utfall_attribution::{PathSet, PathSetBuilder, heuristic, markov, shapley};

use crate::cli::{Format, PathModel, PathsArgs};
use crate::output::{UserError, print_json, print_stdout, table, write_csv};

pub fn paths(args: PathsArgs) -> anyhow::Result<ExitCode> {
    let paths = read_paths(&args)?;
    if args.model == PathModel::ShapleyOrdered {
        return print_ordered(&paths, args.format);
    }
    let markov_model = |p: &PathSet| -> Result<(Vec<f64>, Vec<f64>), UserError> {
        let result = markov::markov(p, usize::from(args.order))
            .map_err(|e| UserError::new(e.to_string()))?;
        Ok((result.conversions, result.value))
    };
    let shapley_model = |p: &PathSet| -> Result<(Vec<f64>, Vec<f64>), UserError> {
        let result = if p.n_channels() <= shapley::MAX_EXACT_CHANNELS {
            shapley::exact(p).map_err(|e| UserError::new(e.to_string()))?
        } else {
            shapley::simplified(p)
        };
        Ok((result.conversions, result.value))
    };
    let (mut headers, mut rows, extra): (Vec<&str>, Vec<Vec<f64>>, serde_json::Value) = match args
        .model
    {
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
        _ => {
            let (conversions, value) = shapley_model(&paths)?;
            let rows = (0..paths.n_channels())
                .map(|i| vec![conversions[i], value[i]])
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
    if args.intervals && args.model != PathModel::Heuristic {
        let model = |p: &PathSet| {
            let result = if args.model == PathModel::Markov {
                markov_model(p)
            } else {
                shapley_model(p)
            };
            result.unwrap_or_else(|_| (vec![0.0; p.n_channels()], vec![0.0; p.n_channels()]))
        };
        let intervals = utfall_attribution::bootstrap::intervals(&paths, 200, 20_261_126, model);
        headers.extend([
            "total_conversions_low",
            "total_conversions_high",
            "total_conversion_value_low",
            "total_conversion_value_high",
        ]);
        for (i, row) in rows.iter_mut().enumerate() {
            row.extend([
                intervals.conversions[i].0,
                intervals.conversions[i].1,
                intervals.value[i].0,
                intervals.value[i].1,
            ]);
        }
    }
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
            print_json(&report)?;
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

/// Zhao's ordered Shapley: one column per position.
fn print_ordered(paths: &PathSet, format: Format) -> anyhow::Result<ExitCode> {
    let ordered = shapley::ordered(paths);
    let n_positions = ordered.iter().map(Vec::len).max().unwrap_or(0);
    let position_names: Vec<String> = (1..=n_positions).map(|p| format!("position_{p}")).collect();
    let mut headers = vec!["channel_name"];
    headers.extend(position_names.iter().map(String::as_str));
    let cells: Vec<Vec<String>> = paths
        .channels
        .iter()
        .zip(&ordered)
        .map(|(channel, credits)| {
            std::iter::once(channel.clone())
                .chain((0..n_positions).map(|p| credits.get(p).copied().unwrap_or(0.0).to_string()))
                .collect()
        })
        .collect();
    match format {
        Format::Csv => write_csv(&headers, &cells)?,
        Format::Json => {
            let items: Vec<_> = paths
                .channels
                .iter()
                .zip(&ordered)
                .map(|(c, credits)| json!({"channel_name": c, "by_position": credits}))
                .collect();
            print_json(&items)?;
        }
        Format::Table => {
            let rounded: Vec<Vec<String>> = cells
                .iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            if i == 0 {
                                c.clone()
                            } else {
                                c.parse::<f64>().map_or(c.clone(), |v| format!("{v:.2}"))
                            }
                        })
                        .collect()
                })
                .collect();
            print_stdout(&table(&headers, &rounded))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a path file into de-duplicated paths: `utfall-ingest` streams it in blocks cut at
/// record boundaries, read on every thread, and the blocks' paths are merged in file order.
fn read_paths(args: &PathsArgs) -> anyhow::Result<PathSet> {
    use utfall_ingest::paths::{PathFileError, PathFileOptions, read_path_file};

    let delimiter = match args.delimiter {
        Some(delimiter) => Some(u8::try_from(delimiter).map_err(|_| {
            UserError::new(format!("the delimiter `{delimiter}` is not a single byte"))
        })?),
        None => None,
    };
    let options = PathFileOptions {
        path_column: args.path_col.clone(),
        conversions_column: args.conv_col.clone(),
        value_column: args.value_col.clone(),
        nulls_column: args.null_col.clone(),
        delimiter,
        threads: rayon::current_num_threads(),
        ..PathFileOptions::default()
    };
    let read = read_path_file(
        &args.file,
        &options,
        PathSetBuilder::new,
        |builder, row| {
            builder.add_text_at(
                row.line,
                row.path,
                &args.sep,
                row.conversions,
                row.value,
                row.nulls,
            );
        },
        PathSetBuilder::merge,
    );
    let error = match read {
        Ok(builder) => return Ok(builder.build()),
        Err(error) => error,
    };
    let user_error = match &error {
        PathFileError::Open { file, source } => {
            UserError::new(format!("cannot read `{}`: {source}", file.display()))
                .hint("check the path")
        }
        PathFileError::MissingColumn {
            required, columns, ..
        } => UserError::new(error.to_string()).hint(format!(
            "its columns are {}; name the right one with `{}`",
            columns
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", "),
            required.flag()
        )),
        PathFileError::BadNumber { .. } => UserError::new(error.to_string())
            .hint("counts and values must be numbers of at least 0, like `3` or `12.5`"),
        PathFileError::NotUtf8 { .. } => {
            UserError::new(error.to_string()).hint("save the file as UTF-8")
        }
        PathFileError::Read { .. }
        | PathFileError::Header { .. }
        | PathFileError::Record { .. } => return Err(error.into()),
    };
    Err(user_error.into())
}
