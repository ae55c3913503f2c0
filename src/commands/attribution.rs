//! `utfall attribution paths`: attribution over a file of aggregated paths.

use std::process::ExitCode;

use anyhow::Context as _;
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

fn detect_delimiter(header: &[u8]) -> u8 {
    let first_line = header.split(|&b| b == b'\n').next().unwrap_or(header);
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

fn parse_number(bytes: &[u8], decimal_comma: bool) -> Option<f64> {
    match bytes {
        b"0" | b"" => return Some(0.0),
        b"1" => return Some(1.0),
        _ => {}
    }
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

/// Where the columns of a path file are.
struct Columns {
    path: usize,
    conversions: usize,
    value: Option<usize>,
    nulls: Option<usize>,
}

/// Bytes read per block; blocks are parsed in parallel and their paths merged.
const BLOCK_BYTES: usize = 16 << 20;

/// Files larger than this are split into one range per thread when they hold no quotes.
const SPLIT_MIN_BYTES: usize = 1 << 20;

/// Reads a path file into de-duplicated paths. The file streams through in blocks cut at line
/// ends (never inside a quoted field), so memory stays bounded by the distinct paths.
fn read_paths(args: &PathsArgs) -> anyhow::Result<PathSet> {
    use rayon::prelude::*;
    use std::io::Read as _;

    let display = args.file.display().to_string();
    let mut file = std::fs::File::open(&args.file).map_err(|error| {
        UserError::new(format!("cannot read `{display}`: {error}")).hint("check the path")
    })?;
    let mut pending: Vec<u8> = Vec::new();
    let mut eof = false;
    let mut fill = |pending: &mut Vec<u8>, eof: &mut bool| -> anyhow::Result<()> {
        let start = pending.len();
        pending.resize(start + BLOCK_BYTES, 0);
        let n = file
            .read(&mut pending[start..])
            .with_context(|| format!("failed to read `{display}`"))?;
        pending.truncate(start + n);
        *eof = n == 0;
        Ok(())
    };
    // The header line.
    while !eof && !pending.contains(&b'\n') {
        fill(&mut pending, &mut eof)?;
    }
    let header_end = pending
        .iter()
        .position(|&b| b == b'\n')
        .map_or(pending.len(), |i| i + 1);
    let delimiter = match args.delimiter {
        Some(delimiter) => u8::try_from(delimiter).map_err(|_| {
            UserError::new(format!("the delimiter `{delimiter}` is not a single byte"))
        })?,
        None => detect_delimiter(&pending[..header_end]),
    };
    let headers: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(&pending[..header_end])
        .records()
        .next()
        .transpose()
        .with_context(|| format!("failed to read the header of `{display}`"))?
        .map(|record| {
            record
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                .collect()
        })
        .unwrap_or_default();
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
    let columns = Columns {
        path: position(&args.path_col).ok_or_else(|| missing(&args.path_col, "--path-col"))?,
        conversions: position(&args.conv_col)
            .ok_or_else(|| missing(&args.conv_col, "--conv-col"))?,
        value: position(&args.value_col),
        nulls: position(&args.null_col),
    };
    pending.drain(..header_end);

    // Split a large file into one range per thread, cut at line ends, each streamed by its own
    // reader into its own paths and merged. A line end is a record end only outside quotes, so
    // if any range meets a quote — or an error, whose line number needs the whole file — the
    // file is read again in order below.
    let file_len = std::fs::metadata(&args.file)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let n_threads = rayon::current_num_threads().max(1);
    if n_threads > 1 && file_len > SPLIT_MIN_BYTES {
        let ranges = split_at_line_ends(&args.file, header_end, file_len, n_threads)?;
        let parts: Vec<Option<PathSetBuilder>> = ranges
            .par_iter()
            .enumerate()
            .map(|(k, &(start, end))| {
                let mut file = std::fs::File::open(&args.file).ok()?;
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(start as u64)).ok()?;
                let quotes = std::cell::Cell::new(false);
                let reader = QuoteWatch {
                    inner: file.take((end - start) as u64),
                    quotes: &quotes,
                };
                let reader = std::io::BufReader::with_capacity(1 << 20, reader);
                // Rows are ordered by (range, line in range), which is file order.
                let first_row = (k << 40) + 1;
                let part =
                    parse_reader(reader, first_row, delimiter, &columns, args, &display).ok()?;
                (!quotes.get()).then_some(part)
            })
            .collect();
        if parts.iter().all(Option::is_some) {
            let mut builder = PathSetBuilder::new();
            for part in parts.into_iter().flatten() {
                builder.merge(part);
            }
            return Ok(builder.build());
        }
    }

    let mut builder = PathSetBuilder::new();
    let mut first_line = 2usize;
    loop {
        // Gather up to one block per thread, each ending at a line end outside quotes.
        let mut blocks: Vec<(usize, Vec<u8>)> = Vec::new();
        while blocks.len() < n_threads {
            while !eof && pending.len() < BLOCK_BYTES {
                fill(&mut pending, &mut eof)?;
            }
            if pending.is_empty() {
                break;
            }
            let cut = if eof {
                pending.len()
            } else {
                block_end(&pending).unwrap_or(pending.len())
            };
            if cut == pending.len() && !eof {
                fill(&mut pending, &mut eof)?;
                continue;
            }
            let block: Vec<u8> = pending.drain(..cut).collect();
            let n_lines = block.iter().filter(|&&b| b == b'\n').count();
            blocks.push((first_line, block));
            first_line += n_lines;
        }
        if blocks.is_empty() {
            break;
        }
        let parsed: Vec<anyhow::Result<PathSetBuilder>> = blocks
            .par_iter()
            .map(|(line, block)| {
                parse_reader(block.as_slice(), *line, delimiter, &columns, args, &display)
            })
            .collect();
        for part in parsed {
            builder.merge(part?);
        }
    }
    Ok(builder.build())
}

/// `n` byte ranges of the data (after the header), each starting at a line start.
fn split_at_line_ends(
    path: &std::path::Path,
    data_start: usize,
    file_len: usize,
    n: usize,
) -> anyhow::Result<Vec<(usize, usize)>> {
    use std::io::{Read as _, Seek as _};
    let mut file = std::fs::File::open(path)?;
    let mut cuts = vec![data_start];
    let mut window = vec![0u8; 64 << 10];
    for k in 1..n {
        let target = (data_start + (file_len - data_start) * k / n).max(*cuts.last().unwrap_or(&0));
        file.seek(std::io::SeekFrom::Start(target as u64))?;
        let mut offset = target;
        loop {
            let n_read = file.read(&mut window)?;
            if n_read == 0 {
                offset = file_len;
                break;
            }
            if let Some(i) = window[..n_read].iter().position(|&b| b == b'\n') {
                offset += i + 1;
                break;
            }
            offset += n_read;
        }
        cuts.push(offset);
    }
    cuts.push(file_len);
    Ok(cuts
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| (w[0], w[1]))
        .collect())
}

/// A reader that notes whether a `"` went through it.
struct QuoteWatch<'a, R> {
    inner: R,
    quotes: &'a std::cell::Cell<bool>,
}

impl<R: std::io::Read> std::io::Read for QuoteWatch<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        if buffer[..n].contains(&b'"') {
            self.quotes.set(true);
        }
        Ok(n)
    }
}

/// The end of the last complete line outside quoted fields, if any.
fn block_end(bytes: &[u8]) -> Option<usize> {
    let mut in_quotes = false;
    let mut last = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => last = Some(i + 1),
            _ => {}
        }
    }
    last
}

fn parse_reader(
    reader: impl std::io::Read,
    first_line: usize,
    delimiter: u8,
    columns: &Columns,
    args: &PathsArgs,
    display: &str,
) -> anyhow::Result<PathSetBuilder> {
    let decimal_comma = delimiter == b';';
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut builder = PathSetBuilder::new();
    let mut record = csv::ByteRecord::new();
    while csv
        .read_byte_record(&mut record)
        .with_context(|| format!("failed to read `{display}` near line {first_line}"))?
    {
        let line = first_line + record.position().map_or(0, |p| p.line() as usize - 1);
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
        let conversions = number(Some(columns.conversions), &args.conv_col)?;
        let value = number(columns.value, &args.value_col)?;
        let nulls = number(columns.nulls, &args.null_col)?;
        let path = std::str::from_utf8(record.get(columns.path).unwrap_or(b"")).map_err(|_| {
            UserError::new(format!("`{display}`:{line}: the path is not UTF-8 text"))
                .hint("save the file as UTF-8")
        })?;
        builder.add_text_at(line as u64, path, &args.sep, conversions, value, nulls);
    }
    Ok(builder)
}

/// `utfall attribution`: the workspace's journeys credited by every model side by side.
pub fn run(
    args: crate::cli::AttributionRunArgs,
    lang: Option<crate::cli::Lang>,
) -> anyhow::Result<ExitCode> {
    use crate::cli::{ByArg, ConversionArg, LevelArg};
    use utfall_app::attribution::{
        AttributionRequest, ConversionKind, CreditTo, Model, parse_days, parse_weights,
    };
    super::block_on(async {
        let session = utfall_app::Session::open(&args.dir, utfall_app::Clock::System).await?;
        let locale = session.locale(super::lang_locale(lang));
        let chosen = args.model.map(model_of);
        // One model alone; with `--compare`, that model first and every other beside it; without
        // a model, every model side by side.
        let models: Vec<Model> = match chosen {
            Some(model) if args.compare => std::iter::once(model)
                .chain(Model::SIDE_BY_SIDE.iter().copied().filter(|m| *m != model))
                .collect(),
            Some(model) => vec![model],
            None => Model::SIDE_BY_SIDE.to_vec(),
        };
        let position = parse_weights(&args.position_weights, 2, "--position-weights")?;
        let milestone = parse_weights(&args.milestone_weights, 5, "--milestone-weights")?;
        let request = AttributionRequest {
            models,
            markov_order: usize::from(args.order),
            intervals: args.intervals,
            conversion: match args.conversion {
                ConversionArg::Leads => ConversionKind::Leads,
                ConversionArg::Mqls => ConversionKind::Mqls,
                ConversionArg::Sqls => ConversionKind::Sqls,
                ConversionArg::Opportunities => ConversionKind::Opportunities,
                ConversionArg::Pipeline => ConversionKind::Pipeline,
                ConversionArg::WonDeals => ConversionKind::WonDeals,
            },
            by: match args.by {
                ByArg::Channel => CreditTo::Channel,
                ByArg::Campaign => CreditTo::Campaign,
                ByArg::Activity => CreditTo::Activity,
            },
            period: args.period.as_deref().map(str::parse).transpose()?,
            lookback_days: args.lookback.as_deref().map(parse_days).transpose()?,
            per_account: args.level == LevelArg::Account,
            collapse: args.collapse,
            half_life_days: args.half_life,
            position_weights: [position[0], position[1]],
            milestone_weights: [
                milestone[0],
                milestone[1],
                milestone[2],
                milestone[3],
                milestone[4],
            ],
        };
        let report = utfall_app::attribution::run(&session, &request).await?;
        if args.format == Format::Json {
            print_json(&report)?;
            return Ok(ExitCode::SUCCESS);
        }
        let (rows, headers) = attribution_rows(&report, &session.currency, locale);
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        if args.format == Format::Csv {
            write_csv(&header_refs, &rows)?;
        } else {
            print_stdout(&table(&header_refs, &rows))?;
            print_attribution_summary(&report, &session.currency, locale);
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn model_of(model: crate::cli::RuleModelArg) -> utfall_app::attribution::Model {
    use crate::cli::RuleModelArg as A;
    use utfall_app::attribution::Model as M;
    match model {
        A::First => M::First,
        A::Last => M::Last,
        A::LastNonDirect => M::LastNonDirect,
        A::Linear => M::Linear,
        A::LinearDistinct => M::LinearDistinct,
        A::TimeDecay => M::TimeDecay,
        A::Position => M::Position,
        A::UShaped => M::UShaped,
        A::WShaped => M::WShaped,
        A::FullPath => M::FullPath,
        A::Milestones => M::Milestones,
        A::Participation => M::Participation,
        A::Markov => M::Markov,
        A::Shapley => M::Shapley,
    }
}

fn attribution_rows(
    report: &utfall_app::attribution::AttributionReport,
    currency: &str,
    locale: utfall_model::locale::Locale,
) -> (Vec<Vec<String>>, Vec<String>) {
    use utfall_model::kinds::Unit;
    let money = |v: Option<f64>| Unit::Currency.format(v, currency, locale);
    let with_value = report.with_value;
    let single = report.models.len() == 1;
    let by = report.rows.first().map_or("channel", |r| r.by);
    let mut headers: Vec<String> = vec![by.to_string()];
    if single {
        headers.extend(["conversions".to_string(), "share".to_string()]);
        if with_value {
            headers.push("revenue".into());
        }
        headers.extend(["cost".to_string(), "cost per conversion".to_string()]);
        if with_value {
            headers.push("ROAS".into());
            headers.push("ROI".into());
        }
    } else {
        headers.extend(report.models.iter().map(|m| m.as_str().to_string()));
        headers.push("cost".into());
    }
    let rows = report
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.key.clone()];
            let spent = r.cost;
            if !single {
                row.extend(
                    r.models
                        .iter()
                        .map(|(_, c)| locale.number(c.conversions, 2)),
                );
                row.push(money(spent));
                return row;
            }
            let Some((_, credit)) = r.models.first() else {
                return row;
            };
            let (c, v) = (credit.conversions, credit.value);
            row.push(match credit.conversions_interval {
                Some((low, high)) => format!(
                    "{} ({}–{})",
                    locale.number(c, 2),
                    locale.number(low, 1),
                    locale.number(high, 1)
                ),
                None => locale.number(c, 2),
            });
            row.push(if report.conversions > 0.0 {
                locale.percent(c / report.conversions, 1)
            } else {
                "–".into()
            });
            if with_value {
                row.push(money(Some(v)));
            }
            row.push(money(spent));
            row.push(money(spent.filter(|_| c > 0.0).map(|s| s / c)));
            if with_value {
                let spent = spent.filter(|s| *s > 0.0);
                row.push(spent.map_or("–".into(), |s| locale.number(v / s, 2)));
                // Return on the spend: (revenue − cost) / cost.
                row.push(spent.map_or("–".into(), |s| locale.percent((v - s) / s, 0)));
            }
            row
        })
        .collect();
    (rows, headers)
}

fn print_attribution_summary(
    report: &utfall_app::attribution::AttributionReport,
    currency: &str,
    locale: utfall_model::locale::Locale,
) {
    use utfall_model::kinds::Unit;
    let money = |v: f64| Unit::Currency.format(Some(v), currency, locale);
    let n = report.conversions;
    eprintln!(
        "{n} conversions ({} with touches in the {}-day lookback){}; participation counts influence and is not summed",
        report.journeys_with_touches,
        report.lookback_days,
        if report.with_value {
            format!(", worth {}", money(report.value))
        } else {
            String::new()
        }
    );
    let share = |k: usize| {
        if n > 0.0 {
            locale.percent(k as f64 / n, 0)
        } else {
            "–".into()
        }
    };
    let worth = |value: f64| {
        if report.with_value {
            format!(", {}", money(value))
        } else {
            String::new()
        }
    };
    let (s, i) = (&report.marketing_sourced, &report.marketing_influenced);
    eprintln!(
        "marketing-sourced (first touch): {} ({}){}; marketing-influenced (any touch): {} ({}){}",
        s.conversions,
        share(s.conversions),
        worth(s.value),
        i.conversions,
        share(i.conversions),
        worth(i.value),
    );
}
