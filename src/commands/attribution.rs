//! `utfall attribution`: credit over the workspace's journeys, or over a file of aggregated
//! paths, rendered.

use std::process::ExitCode;

use utfall_app::attribution::paths::{self, PathFile, PathModel as Model};

use crate::cli::{Format, PathModel, PathsArgs};
use crate::output::{print_json, print_stdout, table, write_csv};

/// `utfall attribution paths`.
pub fn paths(args: PathsArgs) -> anyhow::Result<ExitCode> {
    let set = paths::read(&PathFile {
        file: args.file.clone(),
        path_column: args.path_col.clone(),
        conversions_column: args.conv_col.clone(),
        value_column: args.value_col.clone(),
        nulls_column: args.null_col.clone(),
        separator: args.sep.clone(),
        delimiter: args.delimiter,
    })?;
    let model = match args.model {
        PathModel::Markov => Model::Markov,
        PathModel::Heuristic => Model::Heuristic,
        PathModel::Shapley => Model::Shapley,
        PathModel::ShapleyOrdered => Model::ShapleyOrdered,
    };
    if model == Model::ShapleyOrdered {
        return print_ordered(&paths::ordered(&set), args.format);
    }
    let report = paths::credit(&set, model, usize::from(args.order), args.intervals)?;
    let mut headers = vec!["channel_name"];
    headers.extend(report.columns.iter().copied());
    let cells = |number: &dyn Fn(f64) -> String| -> Vec<Vec<String>> {
        report
            .channels
            .iter()
            .map(|c| {
                std::iter::once(c.channel_name.clone())
                    .chain(c.values.iter().map(|v| number(*v)))
                    .collect()
            })
            .collect()
    };
    match args.format {
        Format::Csv => write_csv(&headers, &cells(&|v| v.to_string()))?,
        Format::Json => print_json(&report)?,
        Format::Table => {
            print_stdout(&table(&headers, &cells(&|v| format!("{v:.2}"))))?;
            eprintln!(
                "{} distinct paths, {} channels, {:.2} conversions worth {:.2}",
                report.n_paths,
                report.n_channels,
                report.total_conversions,
                report.total_conversion_value
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Zhao's ordered Shapley: one column per position.
fn print_ordered(ordered: &[paths::OrderedCredit], format: Format) -> anyhow::Result<ExitCode> {
    if format == Format::Json {
        print_json(&ordered)?;
        return Ok(ExitCode::SUCCESS);
    }
    let n_positions = ordered
        .iter()
        .map(|c| c.by_position.len())
        .max()
        .unwrap_or(0);
    let position_names: Vec<String> = (1..=n_positions).map(|p| format!("position_{p}")).collect();
    let mut headers = vec!["channel_name"];
    headers.extend(position_names.iter().map(String::as_str));
    let cells = |number: &dyn Fn(f64) -> String| -> Vec<Vec<String>> {
        ordered
            .iter()
            .map(|c| {
                std::iter::once(c.channel_name.clone())
                    .chain(
                        (0..n_positions)
                            .map(|p| number(c.by_position.get(p).copied().unwrap_or(0.0))),
                    )
                    .collect()
            })
            .collect()
    };
    match format {
        Format::Csv => write_csv(&headers, &cells(&|v| v.to_string()))?,
        _ => print_stdout(&table(&headers, &cells(&|v| format!("{v:.2}"))))?,
    }
    Ok(ExitCode::SUCCESS)
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
