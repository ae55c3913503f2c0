//! `utfall attribution`: journeys from the workspace's touchpoints to its conversions, credited
//! by every model side by side, with cost and return per channel, campaign or activity.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, TimeUnit};
use rayon::prelude::*;
use serde_json::json;
use utfall_attribution::journeys::{
    Conversion, Journey, JourneyConfig, RuleModel, Touch, attribute, build_journeys, participation,
};
use utfall_attribution::{PathSetBuilder, markov, shapley};
use utfall_engine::journeys::{ConversionSource, JourneyLevel};
use utfall_model::period::Period;

use super::engine::{format_value, locale_of, open};
use crate::cli::AttributionRunArgs;
use crate::cli::{ByArg, ConversionArg, Format, Lang, LevelArg, RuleModelArg};
use crate::output::{UserError, print_json, print_stdout, table, write_csv};

/// Text of a column (empty for null or a missing column).
fn text(batch: &RecordBatch, column: &str, row: usize) -> Option<String> {
    let array = batch.column_by_name(column)?;
    if array.is_null(row) {
        return None;
    }
    let value = arrow::compute::cast(&array.slice(row, 1), &DataType::Utf8).ok()?;
    Some(value.as_string::<i32>().value(0).to_string()).filter(|s| !s.is_empty())
}

/// Seconds since the epoch of a timestamp or date column.
fn seconds(batch: &RecordBatch, column: &str, row: usize) -> Option<i64> {
    let array = batch.column_by_name(column)?;
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, _) => Some(
            array
                .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                .value(row)
                / 1_000_000,
        ),
        DataType::Date32 => Some(
            i64::from(
                array
                    .as_primitive::<arrow::datatypes::Date32Type>()
                    .value(row),
            ) * 86_400,
        ),
        _ => None,
    }
}

fn number(batch: &RecordBatch, column: &str, row: usize) -> Option<f64> {
    let array = batch.column_by_name(column)?;
    if array.is_null(row) {
        return None;
    }
    let value = arrow::compute::cast(&array.slice(row, 1), &DataType::Float64).ok()?;
    Some(
        value
            .as_primitive::<arrow::datatypes::Float64Type>()
            .value(0),
    )
}

fn parse_days(text: &str) -> anyhow::Result<i64> {
    let digits = text.trim().trim_end_matches('d');
    digits
        .parse::<i64>()
        .ok()
        .filter(|d| *d > 0)
        .ok_or_else(|| {
            UserError::new(format!("`{text}` is not a lookback window"))
                .hint("write a number of days, e.g. `90d`")
                .into()
        })
}

/// Journeys per partition for the rule models.
const PARTITION: usize = 4096;

/// Partitions of the journey key out of the engine.
const JOURNEY_PARTITIONS: usize = 8;

/// Channels that are not marketing: a journey that starts there is not marketing-sourced.
const NOT_MARKETING: &[&str] = &["sales_outbound", "partner"];

const MODELS: &[RuleModelArg] = &[
    RuleModelArg::First,
    RuleModelArg::Last,
    RuleModelArg::LastNonDirect,
    RuleModelArg::Linear,
    RuleModelArg::LinearDistinct,
    RuleModelArg::TimeDecay,
    RuleModelArg::Position,
    RuleModelArg::UShaped,
    RuleModelArg::WShaped,
    RuleModelArg::FullPath,
    RuleModelArg::Markov,
    RuleModelArg::Shapley,
    RuleModelArg::Participation,
];

fn model_name(model: RuleModelArg) -> &'static str {
    match model {
        RuleModelArg::First => "first",
        RuleModelArg::Last => "last",
        RuleModelArg::LastNonDirect => "last_non_direct",
        RuleModelArg::Linear => "linear",
        RuleModelArg::LinearDistinct => "linear_distinct",
        RuleModelArg::TimeDecay => "time_decay",
        RuleModelArg::Position => "position",
        RuleModelArg::UShaped => "u_shaped",
        RuleModelArg::WShaped => "w_shaped",
        RuleModelArg::FullPath => "full_path",
        RuleModelArg::Milestones => "milestones",
        RuleModelArg::Participation => "participation",
        RuleModelArg::Markov => "markov",
        RuleModelArg::Shapley => "shapley",
    }
}

pub fn run(args: AttributionRunArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let opened = open(&args.dir)?;
    let engine = &opened.engine;
    let locale = locale_of(lang, &opened.workspace);
    if !engine.has_table("touchpoints") {
        return Err(UserError::new("the workspace has no touchpoints")
            .hint("import web sessions, ad clicks, e-mail clicks or event attendance into `touchpoints` first")
            .into());
    }
    let source = match args.conversion {
        ConversionArg::Leads => ConversionSource::Stage("became_lead_at"),
        ConversionArg::Mqls => ConversionSource::Stage("became_mql_at"),
        ConversionArg::Sqls => ConversionSource::Stage("became_sql_at"),
        ConversionArg::Opportunities => ConversionSource::Stage("became_opportunity_at"),
        ConversionArg::Pipeline => ConversionSource::Pipeline,
        ConversionArg::WonDeals => ConversionSource::WonDeals,
    };
    let needed = if matches!(source, ConversionSource::Stage(_)) {
        "contacts"
    } else {
        "deals"
    };
    if !engine.has_table(needed) {
        return Err(UserError::new(format!("the workspace has no {needed}"))
            .hint(format!("import the CRM's {needed} first"))
            .into());
    }
    let level = match args.level {
        LevelArg::Person => JourneyLevel::Person,
        LevelArg::Account => JourneyLevel::Account,
    };
    let by_column = match args.by {
        ByArg::Channel => "channel",
        ByArg::Campaign => "campaign",
        ByArg::Activity => "activity_id",
    };
    let period: Option<Period> = args
        .period
        .as_ref()
        .map(|p| p.parse())
        .transpose()
        .map_err(|e: utfall_model::period::PeriodParseError| UserError::new(e.to_string()))?;
    let in_period = |seconds: i64| -> bool {
        let Some(period) = period else { return true };
        let Ok(timestamp) = jiff::Timestamp::from_second(seconds) else {
            return false;
        };
        period.contains(
            timestamp.to_zoned_datetime(opened.zone.clone()).date(),
            &opened.calendar,
        )
    };
    let lookback_days = match &args.lookback {
        Some(text) => parse_days(text)?,
        None if args.conversion == ConversionArg::Leads => 30,
        None => 90,
    };
    let config = JourneyConfig {
        lookback_seconds: Some(lookback_days * 86_400),
        collapse_repeats: args.collapse,
    };

    // Journeys come out of the engine partitioned by their key; each partition is built on its
    // own, in parallel, with dimension values as text; then merged in partition order.
    let partitions = engine
        .journey_partitions(level, source, by_column, JOURNEY_PARTITIONS)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    type RawJourney = (Vec<(i64, String)>, Conversion);
    let built: Vec<(Vec<RawJourney>, Vec<Vec<String>>)> = partitions
        .par_iter()
        .map(|partition| {
            let mut touches_of: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
            for batch in &partition.touches {
                for row in 0..batch.num_rows() {
                    let (Some(entity), Some(time)) = (
                        text(batch, "entity", row),
                        seconds(batch, "touch_time", row),
                    ) else {
                        continue;
                    };
                    let key = text(batch, "key", row).unwrap_or_else(|| "(none)".to_string());
                    touches_of.entry(entity).or_default().push((time, key));
                }
            }
            let mut conversions_of: BTreeMap<String, Vec<Conversion>> = BTreeMap::new();
            for batch in &partition.conversions {
                for row in 0..batch.num_rows() {
                    let (Some(entity), Some(time)) =
                        (text(batch, "entity", row), seconds(batch, "time", row))
                    else {
                        continue;
                    };
                    if !in_period(time) {
                        continue;
                    }
                    conversions_of.entry(entity).or_default().push(Conversion {
                        time,
                        value: number(batch, "value", row).unwrap_or(0.0),
                        weight: 1.0,
                        lead_time: seconds(batch, "lead_time", row),
                        opportunity_time: seconds(batch, "opportunity_time", row),
                    });
                }
            }
            let mut journeys: Vec<RawJourney> = Vec::new();
            let mut nulls: Vec<Vec<String>> = Vec::new();
            for (entity, touches) in &mut touches_of {
                touches.sort();
                if !conversions_of.contains_key(entity) {
                    nulls.push(
                        touches
                            .iter()
                            .filter(|(t, _)| in_period(*t))
                            .map(|(_, k)| k.clone())
                            .collect(),
                    );
                }
            }
            for (entity, conversions) in &mut conversions_of {
                conversions.sort_by_key(|c| c.time);
                let touches = touches_of.get(entity).map(Vec::as_slice).unwrap_or(&[]);
                // Index the keys of this entity's touches for the journey builder.
                let local: Vec<Touch> = touches
                    .iter()
                    .enumerate()
                    .map(|(i, (time, _))| Touch {
                        time: *time,
                        channel: i as u32,
                    })
                    .collect();
                for journey in build_journeys(&local, conversions, &config) {
                    let raw = journey
                        .touches
                        .iter()
                        .map(|t| touches[t.channel as usize].clone())
                        .collect();
                    journeys.push((raw, journey.conversion));
                }
            }
            (journeys, nulls)
        })
        .collect();

    // Dimension values are interned as ids for the models, in partition order.
    let mut keys: Vec<String> = Vec::new();
    let mut key_ids: HashMap<String, u32> = HashMap::new();
    let mut intern = |key: &str| -> u32 {
        if let Some(id) = key_ids.get(key) {
            return *id;
        }
        keys.push(key.to_string());
        key_ids.insert(key.to_string(), keys.len() as u32 - 1);
        keys.len() as u32 - 1
    };
    let direct = intern("direct");
    let mut journeys: Vec<Journey> = Vec::new();
    let mut paths = PathSetBuilder::new();
    let mut n_conversions = 0.0;
    let mut converted_value = 0.0;
    for (partition_journeys, nulls) in &built {
        for (raw, conversion) in partition_journeys {
            n_conversions += conversion.weight;
            converted_value += conversion.value;
            let touches: Vec<Touch> = raw
                .iter()
                .map(|(time, key)| Touch {
                    time: *time,
                    channel: intern(key),
                })
                .collect();
            let ids: Vec<u32> = touches.iter().map(|t| t.channel).collect();
            journeys.push(Journey {
                touches,
                conversion: *conversion,
            });
            paths.add(&ids, conversion.weight, conversion.value, 0.0);
        }
        for null in nulls {
            let ids: Vec<u32> = null.iter().map(|key| intern(key)).collect();
            paths.add(&ids, 0.0, 0.0, 1.0);
        }
    }
    for key in &keys {
        paths.channel(key);
    }
    let paths = paths.build();
    let n_keys = keys.len();
    let credited_journeys = journeys.iter().filter(|j| !j.touches.is_empty()).count();
    let value_with_touches: f64 = journeys
        .iter()
        .filter(|j| !j.touches.is_empty())
        .map(|j| j.conversion.value)
        .sum::<f64>()
        + 0.0; // an empty sum is -0.0
    // Marketing-sourced: the journey's first touch is marketing; influenced: any touch is.
    let is_marketing = |touch: &Touch| {
        args.by != ByArg::Channel || !NOT_MARKETING.contains(&keys[touch.channel as usize].as_str())
    };
    let sourced: Vec<&Journey> = journeys
        .iter()
        .filter(|j| j.touches.first().is_some_and(is_marketing))
        .collect();
    let influenced: Vec<&Journey> = journeys
        .iter()
        .filter(|j| j.touches.iter().any(is_marketing))
        .collect();
    let sum_value = |set: &[&Journey]| set.iter().map(|j| j.conversion.value).sum::<f64>() + 0.0;

    let weights = |text: &str, n: usize, flag: &str| -> anyhow::Result<Vec<f64>> {
        let values: Vec<f64> = text
            .split(',')
            .map(|w| w.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        if values.len() != n
            || values.iter().any(|w| !(0.0..=1.0).contains(w))
            || values.iter().sum::<f64>() > 1.0 + 1e-9
        {
            return Err(UserError::new(format!(
                "`{flag} {text}` needs {n} weights between 0 and 1 that add up to at most 1"
            ))
            .hint(format!(
                "e.g. `{flag} {}`",
                if n == 2 {
                    "0.4,0.4"
                } else {
                    "0.3,0.3,0.3,0,0.1"
                }
            ))
            .into());
        }
        Ok(values)
    };
    let position = weights(&args.position_weights, 2, "--position-weights")?;
    let milestone = weights(&args.milestone_weights, 5, "--milestone-weights")?;
    let models: Vec<RuleModelArg> = args.model.map_or_else(|| MODELS.to_vec(), |m| vec![m]);
    let mut results: Vec<(RuleModelArg, Vec<f64>, Vec<f64>)> = Vec::new();
    for model in &models {
        let (conversions, value) = match model {
            RuleModelArg::Markov => {
                let result =
                    markov::markov(&paths, 1).map_err(|e| UserError::new(e.to_string()))?;
                (result.conversions, result.value)
            }
            RuleModelArg::Shapley => {
                let result = if n_keys <= shapley::MAX_EXACT_CHANNELS {
                    shapley::exact(&paths).map_err(|e| UserError::new(e.to_string()))?
                } else {
                    shapley::simplified(&paths)
                };
                (result.conversions, result.value)
            }
            RuleModelArg::Participation => {
                let credits = participation(&journeys, n_keys);
                (credits.conversions, credits.value)
            }
            rule => {
                let rule = match rule {
                    RuleModelArg::First => RuleModel::FirstTouch,
                    RuleModelArg::Last => RuleModel::LastTouch,
                    RuleModelArg::LastNonDirect => RuleModel::LastNonDirect {
                        direct: Some(direct),
                    },
                    RuleModelArg::Linear => RuleModel::Linear,
                    RuleModelArg::LinearDistinct => RuleModel::LinearDistinct,
                    RuleModelArg::TimeDecay => RuleModel::TimeDecay {
                        half_life_seconds: args.half_life * 86_400.0,
                    },
                    RuleModelArg::Position => RuleModel::PositionBased {
                        first: position[0],
                        last: position[1],
                    },
                    RuleModelArg::Milestones => RuleModel::Milestones {
                        first_touch: milestone[0],
                        lead: milestone[1],
                        opportunity: milestone[2],
                        closed_won: milestone[3],
                        rest: milestone[4],
                    },
                    RuleModelArg::UShaped => RuleModel::U_SHAPED,
                    RuleModelArg::WShaped => RuleModel::W_SHAPED,
                    _ => RuleModel::FULL_PATH,
                };
                // Journeys in fixed partitions, credited in parallel and summed in order:
                // the same result on any number of threads, and the same code per shard.
                let parts: Vec<_> = journeys
                    .par_chunks(PARTITION)
                    .map(|part| attribute(part, &rule, n_keys))
                    .collect();
                let mut conversions = vec![0.0; n_keys];
                let mut value = vec![0.0; n_keys];
                for part in parts {
                    conversions
                        .iter_mut()
                        .zip(&part.conversions)
                        .for_each(|(total, x)| *total += x);
                    value
                        .iter_mut()
                        .zip(&part.value)
                        .for_each(|(total, x)| *total += x);
                }
                (conversions, value)
            }
        };
        // Markov and Shapley index channels as the path set does; map them back by name.
        let (conversions, value) = if matches!(model, RuleModelArg::Markov | RuleModelArg::Shapley)
        {
            let mut c = vec![0.0; n_keys];
            let mut v = vec![0.0; n_keys];
            for (i, name) in paths.channels.iter().enumerate() {
                if let Some(&id) = key_ids.get(name) {
                    c[id as usize] = conversions[i];
                    v[id as usize] = value[i];
                }
            }
            (c, v)
        } else {
            (conversions, value)
        };
        results.push((*model, conversions, value));
    }

    // Bootstrap intervals for the data-driven models, in the keys' order.
    let mut intervals: BTreeMap<&'static str, utfall_attribution::bootstrap::Intervals> =
        BTreeMap::new();
    if args.intervals {
        let order = usize::from(args.order);
        for (name, model) in [
            ("markov", RuleModelArg::Markov),
            ("shapley", RuleModelArg::Shapley),
        ] {
            if !models.contains(&model) {
                continue;
            }
            let run = |p: &utfall_attribution::PathSet| -> (Vec<f64>, Vec<f64>) {
                let (c, v) = if model == RuleModelArg::Markov {
                    markov::markov(p, order)
                        .map(|r| (r.conversions, r.value))
                        .unwrap_or_default()
                } else if p.n_channels() <= shapley::MAX_EXACT_CHANNELS {
                    shapley::exact(p)
                        .map(|r| (r.conversions, r.value))
                        .unwrap_or_else(|_| (Vec::new(), Vec::new()))
                } else {
                    let r = shapley::simplified(p);
                    (r.conversions, r.value)
                };
                let mut by_key_c = vec![0.0; n_keys];
                let mut by_key_v = vec![0.0; n_keys];
                for (i, channel) in p.channels.iter().enumerate() {
                    if let Some(&id) = key_ids.get(channel) {
                        by_key_c[id as usize] = c.get(i).copied().unwrap_or(0.0);
                        by_key_v[id as usize] = v.get(i).copied().unwrap_or(0.0);
                    }
                }
                (by_key_c, by_key_v)
            };
            intervals.insert(
                name,
                utfall_attribution::bootstrap::intervals(&paths, 200, 20_261_126, run),
            );
        }
    }

    // Cost per key, from spend in the period.
    let mut cost: HashMap<String, f64> = HashMap::new();
    if let Some(spend) = engine.read_columns(
        "spend",
        &[
            "date",
            "channel",
            "campaign_id",
            "campaign_name",
            "activity_id",
            "cost",
        ],
    )? {
        for row in 0..spend.num_rows() {
            if !seconds(&spend, "date", row).is_some_and(&in_period) && period.is_some() {
                continue;
            }
            let key = match args.by {
                ByArg::Channel => text(&spend, "channel", row),
                ByArg::Campaign => {
                    text(&spend, "campaign_name", row).or_else(|| text(&spend, "campaign_id", row))
                }
                ByArg::Activity => text(&spend, "activity_id", row),
            };
            if let Some(key) = key {
                *cost.entry(key).or_default() += number(&spend, "cost", row).unwrap_or(0.0);
            }
        }
    }

    let with_value = matches!(
        args.conversion,
        ConversionArg::WonDeals | ConversionArg::Pipeline
    );
    let order: Vec<usize> = {
        let mut order: Vec<usize> = (0..n_keys)
            .filter(|&i| results.iter().any(|(_, c, _)| c[i] != 0.0) || cost.contains_key(&keys[i]))
            .collect();
        order.sort_by(|a, b| {
            results[0].1[*b]
                .total_cmp(&results[0].1[*a])
                .then(keys[*a].cmp(&keys[*b]))
        });
        order
    };
    let by = match args.by {
        ByArg::Channel => "channel",
        ByArg::Campaign => "campaign",
        ByArg::Activity => "activity",
    };
    match args.format {
        Format::Json => {
            let rows: Vec<_> = order
                .iter()
                .map(|&i| {
                    let mut models = serde_json::Map::new();
                    for (model, c, v) in &results {
                        models.insert(
                            model_name(*model).to_string(),
                            json!({"conversions": c[i], "value": v[i]}),
                        );
                    }
                    json!({by: keys[i], "cost": cost.get(&keys[i]), "models": models})
                })
                .collect();
            print_json(&json!({
                "conversion": format!("{:?}", args.conversion).to_lowercase(),
                "conversions": n_conversions, "value": converted_value, "journeys_with_touches": credited_journeys,
            "value_with_touches": value_with_touches,
            "marketing_sourced": {"conversions": sourced.len(), "value": sum_value(&sourced)},
            "marketing_influenced": {"conversions": influenced.len(), "value": sum_value(&influenced)},
                "lookback_days": lookback_days, "rows": rows,
            }))?;
        }
        _ => {
            let mut headers: Vec<String> = vec![by.to_string()];
            if models.len() == 1 {
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
                headers.extend(models.iter().map(|m| model_name(*m).to_string()));
                headers.push("cost".into());
            }
            let rows: Vec<Vec<String>> = order
                .iter()
                .map(|&i| {
                    let mut row = vec![keys[i].clone()];
                    let spent = cost.get(&keys[i]).copied();
                    if models.len() == 1 {
                        let (model, c, v) = &results[0];
                        match intervals.get(model_name(*model)) {
                            Some(interval) => row.push(format!(
                                "{} ({}–{})",
                                locale.number(c[i], 2),
                                locale.number(interval.conversions[i].0, 1),
                                locale.number(interval.conversions[i].1, 1)
                            )),
                            None => row.push(locale.number(c[i], 2)),
                        }
                        row.push(if n_conversions > 0.0 {
                            locale.percent(c[i] / n_conversions, 1)
                        } else {
                            "–".into()
                        });
                        if with_value {
                            row.push(format_value(
                                Some(v[i]),
                                "currency",
                                &opened.currency,
                                locale,
                            ));
                        }
                        row.push(format_value(spent, "currency", &opened.currency, locale));
                        row.push(format_value(
                            spent.filter(|_| c[i] > 0.0).map(|s| s / c[i]),
                            "currency",
                            &opened.currency,
                            locale,
                        ));
                        if with_value {
                            row.push(
                                spent
                                    .filter(|s| *s > 0.0)
                                    .map_or("–".into(), |s| locale.number(v[i] / s, 2)),
                            );
                            // Return on the spend: (revenue − cost) / cost.
                            row.push(
                                spent
                                    .filter(|s| *s > 0.0)
                                    .map_or("–".into(), |s| locale.percent((v[i] - s) / s, 0)),
                            );
                        }
                    } else {
                        for (_, c, _) in &results {
                            row.push(locale.number(c[i], 2));
                        }
                        row.push(format_value(spent, "currency", &opened.currency, locale));
                    }
                    row
                })
                .collect();
            let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            if args.format == Format::Csv {
                write_csv(&header_refs, &rows)?;
            } else {
                print_stdout(&table(&header_refs, &rows))?;
                eprintln!(
                    "{n_conversions} conversions ({credited_journeys} with touches in the {lookback_days}-day lookback){}; participation counts influence and is not summed",
                    if with_value {
                        format!(
                            ", worth {}",
                            format_value(
                                Some(converted_value),
                                "currency",
                                &opened.currency,
                                locale
                            )
                        )
                    } else {
                        String::new()
                    }
                );
                let share = |n: usize| {
                    if n_conversions > 0.0 {
                        locale.percent(n as f64 / n_conversions, 0)
                    } else {
                        "–".into()
                    }
                };
                let worth = |set: &[&Journey]| {
                    if with_value {
                        format!(
                            ", {}",
                            format_value(
                                Some(sum_value(set)),
                                "currency",
                                &opened.currency,
                                locale
                            )
                        )
                    } else {
                        String::new()
                    }
                };
                eprintln!(
                    "marketing-sourced (first touch): {} ({}){}; marketing-influenced (any touch): {} ({}){}",
                    sourced.len(),
                    share(sourced.len()),
                    worth(&sourced),
                    influenced.len(),
                    share(influenced.len()),
                    worth(&influenced),
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
