//! Attribution over a file of aggregated paths (`channelattribution`'s format): heuristics,
//! Markov removal effects, Shapley values and Zhao's ordered Shapley, with bootstrap intervals.

use std::path::PathBuf;

use serde::Serialize;
use serde::ser::SerializeMap as _;
use utfall_attribution::{PathSet, PathSetBuilder, heuristic, markov, shapley};
use utfall_ingest::paths::{PathFileError, PathFileOptions, read_path_file};

use super::{REPLICATES, SEED, shapley_of};
use crate::error::AppError;

/// A model over a path file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathModel {
    /// Markov chain with exact removal effects.
    Markov,
    /// First touch, last touch and linear.
    Heuristic,
    /// Shapley values over channel coalitions.
    Shapley,
    /// Each channel's Shapley credit by the position it held.
    ShapleyOrdered,
}

impl PathModel {
    /// The documented spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PathModel::Markov => "markov",
            PathModel::Heuristic => "heuristic",
            PathModel::Shapley => "shapley",
            PathModel::ShapleyOrdered => "shapley_ordered",
        }
    }
}

/// How to read a path file.
#[derive(Debug, Clone)]
pub struct PathFile {
    /// The file.
    pub file: PathBuf,
    /// The path column.
    pub path_column: String,
    /// The conversions column.
    pub conversions_column: String,
    /// The value column.
    pub value_column: String,
    /// The non-conversions column.
    pub nulls_column: String,
    /// The separator between channels in a path, e.g. ` > `.
    pub separator: String,
    /// The field delimiter (detected when `None`).
    pub delimiter: Option<char>,
}

/// Reads a path file into de-duplicated paths: streamed in blocks cut at record boundaries,
/// read on every thread, merged in file order.
pub fn read(file: &PathFile) -> Result<PathSet, AppError> {
    let delimiter = match file.delimiter {
        Some(delimiter) => Some(u8::try_from(delimiter).map_err(|_| {
            AppError::user(format!("the delimiter `{delimiter}` is not a single byte"))
        })?),
        None => None,
    };
    let options = PathFileOptions {
        path_column: file.path_column.clone(),
        conversions_column: file.conversions_column.clone(),
        value_column: file.value_column.clone(),
        nulls_column: file.nulls_column.clone(),
        delimiter,
        threads: rayon::current_num_threads(),
        ..PathFileOptions::default()
    };
    let read = read_path_file(
        &file.file,
        &options,
        PathSetBuilder::new,
        |builder, row| {
            builder.add_text_at(
                row.line,
                row.path,
                &file.separator,
                row.conversions,
                row.value,
                row.nulls,
            );
        },
        PathSetBuilder::merge,
    );
    read.map(PathSetBuilder::build).map_err(path_file_error)
}

fn path_file_error(error: PathFileError) -> AppError {
    match &error {
        PathFileError::Open { file, source } => {
            AppError::user(format!("cannot read `{}`: {source}", file.display()))
                .hint("check the path")
        }
        PathFileError::MissingColumn {
            required, columns, ..
        } => AppError::user(error.to_string()).hint(format!(
            "its columns are {}; name the right one with `{}`",
            columns
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", "),
            required.flag()
        )),
        PathFileError::BadNumber { .. } => AppError::user(error.to_string())
            .hint("counts and values must be numbers of at least 0, like `3` or `12.5`"),
        PathFileError::NotUtf8 { .. } => {
            AppError::user(error.to_string()).hint("save the file as UTF-8")
        }
        PathFileError::Read { .. }
        | PathFileError::Header { .. }
        | PathFileError::Record { .. } => {
            AppError::internal("failed to read the path file").caused_by(error)
        }
    }
}

/// A Markov model's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkovDetails {
    /// The chain's order.
    pub order: usize,
    /// The probability of converting from the start.
    pub conversion_probability: f64,
    /// States of the chain.
    pub n_states: usize,
    /// Transitions seen.
    pub n_transitions: usize,
    /// Each channel's removal effect.
    pub removal_effects: Vec<RemovalEffect>,
}

/// What removing a channel does to the conversion probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemovalEffect {
    /// The channel.
    pub channel_name: String,
    /// Its removal effect.
    pub removal_effect: f64,
}

/// One channel's credit in a path-file report, one value per column.
#[derive(Debug, Clone, PartialEq)]
pub struct PathChannel {
    /// The column names (shared by every channel).
    pub columns: &'static [&'static str],
    /// The channel.
    pub channel_name: String,
    /// One value per column.
    pub values: Vec<f64>,
}

impl Serialize for PathChannel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1 + self.values.len()))?;
        map.serialize_entry("channel_name", &self.channel_name)?;
        for (column, value) in self.columns.iter().zip(&self.values) {
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}

/// The credit of every channel in a path file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsReport {
    /// The model.
    pub model: &'static str,
    /// Distinct paths.
    pub n_paths: usize,
    /// Channels.
    #[serde(skip)]
    pub n_channels: usize,
    /// Conversions in the file.
    pub total_conversions: f64,
    /// Their value.
    pub total_conversion_value: f64,
    /// The value columns, in order (after `channel_name`).
    #[serde(skip)]
    pub columns: &'static [&'static str],
    /// One entry per channel.
    pub channels: Vec<PathChannel>,
    /// The Markov model's details (an empty object for the others).
    pub details: Details,
}

/// A model's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Details {
    /// The Markov chain's.
    Markov(MarkovDetails),
    /// None.
    None {},
}

const HEURISTIC: &[&str] = &[
    "first_touch_conversions",
    "first_touch_value",
    "last_touch_conversions",
    "last_touch_value",
    "linear_touch_conversions",
    "linear_touch_value",
];
const TOTALS: &[&str] = &["total_conversions", "total_conversion_value"];
const TOTALS_WITH_INTERVALS: &[&str] = &[
    "total_conversions",
    "total_conversion_value",
    "total_conversions_low",
    "total_conversions_high",
    "total_conversion_value_low",
    "total_conversion_value_high",
];

/// Credits the channels of `paths` by `model` (not the ordered Shapley: see [`ordered`]).
pub fn credit(
    paths: &PathSet,
    model: PathModel,
    order: usize,
    intervals: bool,
) -> Result<PathsReport, AppError> {
    let n = paths.n_channels();
    let (columns, mut rows, details): (&'static [&'static str], Vec<Vec<f64>>, Details) =
        match model {
            PathModel::Heuristic => {
                let rows = heuristic::heuristics(paths)
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
                (HEURISTIC, rows, Details::None {})
            }
            PathModel::Markov => {
                let result =
                    markov::markov(paths, order).map_err(|e| AppError::user(e.to_string()))?;
                let rows = (0..n)
                    .map(|i| vec![result.conversions[i], result.value[i]])
                    .collect();
                let details = Details::Markov(MarkovDetails {
                    order,
                    conversion_probability: result.conversion_probability,
                    n_states: result.n_states,
                    n_transitions: result.n_transitions,
                    removal_effects: paths
                        .channels
                        .iter()
                        .zip(&result.removal_effects)
                        .map(|(c, r)| RemovalEffect {
                            channel_name: c.clone(),
                            removal_effect: *r,
                        })
                        .collect(),
                });
                (TOTALS, rows, details)
            }
            PathModel::Shapley | PathModel::ShapleyOrdered => {
                let (conversions, value) =
                    shapley_of(paths).map_err(|e| AppError::user(e.to_string()))?;
                let rows = (0..n).map(|i| vec![conversions[i], value[i]]).collect();
                (TOTALS, rows, Details::None {})
            }
        };
    let with_intervals = intervals && model != PathModel::Heuristic;
    if with_intervals {
        let run = |p: &PathSet| {
            let result = if model == PathModel::Markov {
                markov::markov(p, order).map(|r| (r.conversions, r.value))
            } else {
                shapley_of(p)
            };
            result.unwrap_or_else(|_| (vec![0.0; p.n_channels()], vec![0.0; p.n_channels()]))
        };
        let intervals = utfall_attribution::bootstrap::intervals(paths, REPLICATES, SEED, run);
        for (i, row) in rows.iter_mut().enumerate() {
            row.extend([
                intervals.conversions[i].0,
                intervals.conversions[i].1,
                intervals.value[i].0,
                intervals.value[i].1,
            ]);
        }
    }
    let columns = if with_intervals {
        TOTALS_WITH_INTERVALS
    } else {
        columns
    };
    Ok(PathsReport {
        model: model.as_str(),
        n_paths: paths.paths.len(),
        n_channels: n,
        total_conversions: paths.total_conversions(),
        total_conversion_value: paths.total_value(),
        columns,
        channels: paths
            .channels
            .iter()
            .zip(rows)
            .map(|(channel, values)| PathChannel {
                columns,
                channel_name: channel.clone(),
                values,
            })
            .collect(),
        details,
    })
}

/// One channel's ordered Shapley credit, by position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderedCredit {
    /// The channel.
    pub channel_name: String,
    /// Its credit at each position (1st, 2nd…).
    pub by_position: Vec<f64>,
}

/// Zhao's ordered Shapley: each channel's credit by the position it held.
pub fn ordered(paths: &PathSet) -> Vec<OrderedCredit> {
    paths
        .channels
        .iter()
        .zip(shapley::ordered(paths))
        .map(|(c, credits)| OrderedCredit {
            channel_name: c.clone(),
            by_position: credits,
        })
        .collect()
}
