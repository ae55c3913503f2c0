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
