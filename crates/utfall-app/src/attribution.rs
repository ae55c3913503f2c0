//! Attribution over the workspace: journeys from its touchpoints to its conversions, credited
//! by every model side by side, with cost per channel, campaign or activity; and attribution
//! over a file of aggregated paths.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::SerializeMap as _;
use utfall_attribution::bootstrap::Intervals;
use utfall_attribution::journeys::{
    Conversion, Journey, JourneyConfig, RuleModel, Touch, attribute, build_journeys, participation,
};
use utfall_attribution::{PathSet, PathSetBuilder, markov, shapley};
use utfall_engine::journeys::{ConversionSource, JourneyLevel, JourneyPartition};
use utfall_model::period::Period;

use crate::error::AppError;
use crate::session::Session;

pub mod paths;

/// Journeys per partition for the rule models.
const PARTITION: usize = 4096;
/// Partitions of the journey key out of the engine.
const JOURNEY_PARTITIONS: usize = 8;
/// Channels that are not marketing: a journey that starts there is not marketing-sourced.
const NOT_MARKETING: &[&str] = &["sales_outbound", "partner"];
/// Bootstrap replicates and seed of the intervals.
const REPLICATES: usize = 200;
const SEED: u64 = 20_261_126;

/// An attribution model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Model {
    /// All credit to the first touch.
    First,
    /// All credit to the last touch.
    Last,
    /// The last touch that is not direct.
    LastNonDirect,
    /// Equal credit to every touch.
    Linear,
    /// Equal credit to every distinct channel.
    LinearDistinct,
    /// More credit to recent touches (half-life).
    TimeDecay,
    /// First and last weighted, the middle sharing the rest.
    Position,
    /// 40/20/40.
    UShaped,
    /// First, lead and opportunity touches.
    WShaped,
    /// First, lead, opportunity and close.
    FullPath,
    /// Custom milestone weights.
    Milestones,
    /// Every channel in the journey counted once (influence, not summed).
    Participation,
    /// Markov chain removal effects.
    Markov,
    /// Shapley values over channel coalitions.
    Shapley,
}

impl Model {
    /// Every model shown side by side, in order.
    pub const SIDE_BY_SIDE: &'static [Model] = &[
        Model::First,
        Model::Last,
        Model::LastNonDirect,
        Model::Linear,
        Model::LinearDistinct,
        Model::TimeDecay,
        Model::Position,
        Model::UShaped,
        Model::WShaped,
        Model::FullPath,
        Model::Markov,
        Model::Shapley,
        Model::Participation,
    ];

    /// The documented spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::First => "first",
            Model::Last => "last",
            Model::LastNonDirect => "last_non_direct",
            Model::Linear => "linear",
            Model::LinearDistinct => "linear_distinct",
            Model::TimeDecay => "time_decay",
            Model::Position => "position",
            Model::UShaped => "u_shaped",
            Model::WShaped => "w_shaped",
            Model::FullPath => "full_path",
            Model::Milestones => "milestones",
            Model::Participation => "participation",
            Model::Markov => "markov",
            Model::Shapley => "shapley",
        }
    }
}

/// What counts as a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionKind {
    /// Contacts becoming leads.
    Leads,
    /// Contacts becoming MQLs.
    Mqls,
    /// Contacts becoming SQLs.
    Sqls,
    /// Contacts becoming opportunities.
    Opportunities,
    /// Deals created, with their amounts.
    Pipeline,
    /// Deals won, with their amounts.
    WonDeals,
}

impl ConversionKind {
    /// The documented spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversionKind::Leads => "leads",
            ConversionKind::Mqls => "mqls",
            ConversionKind::Sqls => "sqls",
            ConversionKind::Opportunities => "opportunities",
            ConversionKind::Pipeline => "pipeline",
            ConversionKind::WonDeals => "won_deals",
        }
    }

    /// Whether the conversions carry money.
    pub fn has_value(self) -> bool {
        matches!(self, ConversionKind::Pipeline | ConversionKind::WonDeals)
    }
}

/// What credit goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditTo {
    /// Channels.
    Channel,
    /// Campaigns.
    Campaign,
    /// Activities of the plan.
    Activity,
}

impl CreditTo {
    /// The name of the key in results.
    pub fn as_str(self) -> &'static str {
        match self {
            CreditTo::Channel => "channel",
            CreditTo::Campaign => "campaign",
            CreditTo::Activity => "activity",
        }
    }
}

/// A workspace attribution run.
#[derive(Debug, Clone)]
pub struct AttributionRequest {
    /// The models, in the order shown (the first sorts the rows).
    pub models: Vec<Model>,
    /// The Markov chain's order (1–4), for credits and intervals alike.
    pub markov_order: usize,
    /// Whether to bootstrap 90 % intervals for Markov and Shapley.
    pub intervals: bool,
    /// What counts as a conversion.
    pub conversion: ConversionKind,
    /// What credit goes to.
    pub by: CreditTo,
    /// Only conversions (and cost) in this period.
    pub period: Option<Period>,
    /// How far back touches count (default: 30 days for leads, 90 otherwise).
    pub lookback_days: Option<i64>,
    /// Journeys per account rather than per person.
    pub per_account: bool,
    /// Merge consecutive touches of the same key.
    pub collapse: bool,
    /// The time-decay model's half-life in days.
    pub half_life_days: f64,
    /// The position-based model's first and last weights.
    pub position_weights: [f64; 2],
    /// The milestone model's weights: first touch, lead, opportunity, closed-won, rest.
    pub milestone_weights: [f64; 5],
}

/// Parses comma-separated weights: `n` numbers in 0..=1 adding up to at most 1.
pub fn parse_weights(text: &str, n: usize, flag: &str) -> Result<Vec<f64>, AppError> {
    let values: Vec<f64> = text
        .split(',')
        .map(|w| w.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    if values.len() != n
        || values.iter().any(|w| !(0.0..=1.0).contains(w))
        || values.iter().sum::<f64>() > 1.0 + 1e-9
    {
        let example = if n == 2 {
            "0.4,0.4"
        } else {
            "0.3,0.3,0.3,0,0.1"
        };
        return Err(AppError::user(format!(
            "`{flag} {text}` needs {n} weights between 0 and 1 that add up to at most 1"
        ))
        .hint(format!("e.g. `{flag} {example}`")));
    }
    Ok(values)
}

/// Parses a lookback window such as `90d`.
pub fn parse_days(text: &str) -> Result<i64, AppError> {
    text.trim()
        .trim_end_matches('d')
        .parse::<i64>()
        .ok()
        .filter(|d| *d > 0)
        .ok_or_else(|| {
            AppError::user(format!("`{text}` is not a lookback window"))
                .hint("write a number of days, e.g. `90d`")
        })
}

/// One model's credit to one key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credit {
    /// Conversions credited.
    pub conversions: f64,
    /// Value credited.
    pub value: f64,
    /// The 90 % bootstrap interval of the conversions, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversions_interval: Option<(f64, f64)>,
}

/// One channel, campaign or activity with every model's credit.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionRow {
    /// The key's name in results (`channel`, `campaign`, `activity`).
    pub by: &'static str,
    /// The channel, campaign or activity.
    pub key: String,
    /// What was spent on it in the period.
    pub cost: Option<f64>,
    /// Each model's credit, in the request's order.
    pub models: Vec<(Model, Credit)>,
}

impl Serialize for AttributionRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let models: BTreeMap<&str, &Credit> =
            self.models.iter().map(|(m, c)| (m.as_str(), c)).collect();
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry(self.by, &self.key)?;
        map.serialize_entry("cost", &self.cost)?;
        map.serialize_entry("models", &models)?;
        map.end()
    }
}

/// Conversions and their value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Counted {
    /// How many.
    pub conversions: usize,
    /// Worth.
    pub value: f64,
}

/// The result of a workspace attribution run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionReport {
    /// What counted as a conversion.
    pub conversion: &'static str,
    /// Conversions in the period.
    pub conversions: f64,
    /// Their value.
    pub value: f64,
    /// Conversions with a touch in the lookback.
    pub journeys_with_touches: usize,
    /// Their value.
    pub value_with_touches: f64,
    /// Journeys whose first touch is marketing.
    pub marketing_sourced: Counted,
    /// Journeys with any marketing touch.
    pub marketing_influenced: Counted,
    /// The lookback window used.
    pub lookback_days: i64,
    /// The models, in the order shown.
    #[serde(skip)]
    pub models: Vec<Model>,
    /// Whether the conversions carry money.
    #[serde(skip)]
    pub with_value: bool,
    /// One row per key that has credit or cost, sorted by the first model's credit.
    pub rows: Vec<AttributionRow>,
    /// The Markov chain's removal effect per key (the share of conversions lost without it),
    /// when the Markov model ran.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub removal_effects: BTreeMap<String, f64>,
}

/// Journeys as (touch time, key) lists with their conversion, and the keys of entities that
/// never converted.
type Built = (Vec<(Vec<(i64, String)>, Conversion)>, Vec<Vec<String>>);

/// Runs every requested model over the workspace's journeys.
pub async fn run(
    session: &Session,
    request: &AttributionRequest,
) -> Result<AttributionReport, AppError> {
    let engine = &session.engine;
    if !engine.has_table("touchpoints") {
        return Err(AppError::user("the workspace has no touchpoints").hint(
            "import web sessions, ad clicks, e-mail clicks or event attendance into `touchpoints` first",
        ));
    }
    let source = match request.conversion {
        ConversionKind::Leads => ConversionSource::Stage("became_lead_at"),
        ConversionKind::Mqls => ConversionSource::Stage("became_mql_at"),
        ConversionKind::Sqls => ConversionSource::Stage("became_sql_at"),
        ConversionKind::Opportunities => ConversionSource::Stage("became_opportunity_at"),
        ConversionKind::Pipeline => ConversionSource::Pipeline,
        ConversionKind::WonDeals => ConversionSource::WonDeals,
    };
    let needed = if matches!(source, ConversionSource::Stage(_)) {
        "contacts"
    } else {
        "deals"
    };
    if !engine.has_table(needed) {
        return Err(AppError::user(format!("the workspace has no {needed}"))
            .hint(format!("import the CRM's {needed} first")));
    }
    let level = if request.per_account {
        JourneyLevel::Account
    } else {
        JourneyLevel::Person
    };
    let by_column = match request.by {
        CreditTo::Channel => "channel",
        CreditTo::Campaign => "campaign",
        CreditTo::Activity => "activity_id",
    };
    let lookback_days = request.lookback_days.unwrap_or(match request.conversion {
        ConversionKind::Leads => 30,
        _ => 90,
    });
    let config = JourneyConfig {
        lookback_seconds: Some(lookback_days * 86_400),
        collapse_repeats: request.collapse,
    };
    let in_period = |seconds: i64| -> bool {
        let Some(period) = request.period else {
            return true;
        };
        let Ok(timestamp) = jiff::Timestamp::from_second(seconds) else {
            return false;
        };
        period.contains(
            timestamp.to_zoned_datetime(session.zone.clone()).date(),
            &session.calendar,
        )
    };
    // Journeys come out of the engine partitioned by their key; each partition is built on its
    // own, in parallel; then merged in partition order.
    let partitions = engine
        .journey_partitions(level, source, by_column, JOURNEY_PARTITIONS)
        .await?;
    let built: Vec<Built> = partitions
        .par_iter()
        .map(|partition| build_partition(partition, &config, &in_period))
        .collect();
    let credited = credit(&built, request)?;
    let cost = cost(session, request).await?;
    Ok(report(request, lookback_days, &credited, cost))
}

/// The journeys of one partition.
fn build_partition(
    partition: &JourneyPartition,
    config: &JourneyConfig,
    in_period: &(dyn Fn(i64) -> bool + Sync),
) -> Built {
    let mut touches_of: BTreeMap<&str, Vec<(i64, &str)>> = BTreeMap::new();
    for touch in &partition.touches {
        touches_of
            .entry(touch.entity.as_str())
            .or_default()
            .push((touch.time, touch.key.as_str()));
    }
    let mut conversions_of: BTreeMap<&str, Vec<Conversion>> = BTreeMap::new();
    for row in &partition.conversions {
        if !in_period(row.time) {
            continue;
        }
        conversions_of
            .entry(row.entity.as_str())
            .or_default()
            .push(Conversion {
                time: row.time,
                value: row.value,
                weight: 1.0,
                lead_time: row.lead_time,
                opportunity_time: row.opportunity_time,
            });
    }
    let mut journeys = Vec::new();
    let mut nulls: Vec<Vec<String>> = Vec::new();
    for (entity, touches) in &mut touches_of {
        touches.sort();
        if !conversions_of.contains_key(entity) {
            nulls.push(
                touches
                    .iter()
                    .filter(|(t, _)| in_period(*t))
                    .map(|(_, k)| (*k).to_string())
                    .collect(),
            );
        }
    }
    for (entity, conversions) in &mut conversions_of {
        conversions.sort_by_key(|c| c.time);
        let touches = touches_of.get(entity).map(Vec::as_slice).unwrap_or(&[]);
        // The entity's keys as small ids, the same key the same id: the journey builder's
        // `collapse_repeats` merges consecutive touches of one key.
        let mut local_keys: Vec<&str> = Vec::new();
        let local: Vec<Touch> = touches
            .iter()
            .map(|(time, key)| {
                let id = local_keys.iter().position(|k| k == key).unwrap_or_else(|| {
                    local_keys.push(key);
                    local_keys.len() - 1
                });
                Touch {
                    time: *time,
                    channel: id as u32,
                }
            })
            .collect();
        for journey in build_journeys(&local, conversions, config) {
            let raw = journey
                .touches
                .iter()
                .map(|t| (t.time, local_keys[t.channel as usize].to_string()))
                .collect();
            journeys.push((raw, journey.conversion));
        }
    }
    (journeys, nulls)
}

/// The journeys with interned keys, and every model's credit per key.
struct Credited {
    keys: Vec<String>,
    journeys: Vec<Journey>,
    n_conversions: f64,
    converted_value: f64,
    results: Vec<(Model, Vec<f64>, Vec<f64>)>,
    intervals: BTreeMap<Model, Intervals>,
    /// The Markov chain's removal effect per key, when Markov ran.
    removal_effects: BTreeMap<String, f64>,
}

fn credit(built: &[Built], request: &AttributionRequest) -> Result<Credited, AppError> {
    // Keys are interned as ids for the models, in partition order.
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
    let (mut n_conversions, mut converted_value) = (0.0, 0.0);
    for (partition_journeys, nulls) in built {
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
    // Markov and Shapley index channels as the path set does; map them back by name.
    let by_key = |p: &PathSet, c: &[f64], v: &[f64]| -> (Vec<f64>, Vec<f64>) {
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
    let mut results = Vec::new();
    let mut removal_effects = BTreeMap::new();
    for model in &request.models {
        let (conversions, value) = match model {
            Model::Markov => {
                let r = markov::markov(&paths, request.markov_order)
                    .map_err(|e| AppError::user(e.to_string()))?;
                for (i, channel) in paths.channels.iter().enumerate() {
                    if let Some(effect) = r.removal_effects.get(i) {
                        removal_effects.insert(channel.clone(), *effect);
                    }
                }
                by_key(&paths, &r.conversions, &r.value)
            }
            Model::Shapley => {
                let r = shapley_of(&paths).map_err(|e| AppError::user(e.to_string()))?;
                by_key(&paths, &r.0, &r.1)
            }
            Model::Participation => {
                let credits = participation(&journeys, n_keys);
                (credits.conversions, credits.value)
            }
            rule => rule_credit(&journeys, rule_model(*rule, request, direct), n_keys),
        };
        results.push((*model, conversions, value));
    }
    // Bootstrap intervals for the data-driven models, at the same Markov order as the credits.
    let mut intervals = BTreeMap::new();
    if request.intervals {
        for model in [Model::Markov, Model::Shapley] {
            if !request.models.contains(&model) {
                continue;
            }
            let run = |p: &PathSet| -> (Vec<f64>, Vec<f64>) {
                let (c, v) = if model == Model::Markov {
                    markov::markov(p, request.markov_order)
                        .map(|r| (r.conversions, r.value))
                        .unwrap_or_default()
                } else {
                    shapley_of(p).unwrap_or_default()
                };
                by_key(p, &c, &v)
            };
            intervals.insert(
                model,
                utfall_attribution::bootstrap::intervals(&paths, REPLICATES, SEED, run),
            );
        }
    }
    Ok(Credited {
        keys,
        journeys,
        n_conversions,
        converted_value,
        results,
        intervals,
        removal_effects,
    })
}

/// Exact Shapley values up to the exact method's limit of channels, else the simplified ones.
fn shapley_of(
    paths: &PathSet,
) -> Result<(Vec<f64>, Vec<f64>), utfall_attribution::AttributionError> {
    let result = if paths.n_channels() <= shapley::MAX_EXACT_CHANNELS {
        shapley::exact(paths)?
    } else {
        shapley::simplified(paths)
    };
    Ok((result.conversions, result.value))
}

fn rule_model(model: Model, request: &AttributionRequest, direct: u32) -> RuleModel {
    let [first, last] = request.position_weights;
    let m = request.milestone_weights;
    match model {
        Model::First => RuleModel::FirstTouch,
        Model::Last => RuleModel::LastTouch,
        Model::LastNonDirect => RuleModel::LastNonDirect {
            direct: Some(direct),
        },
        Model::Linear => RuleModel::Linear,
        Model::LinearDistinct => RuleModel::LinearDistinct,
        Model::TimeDecay => RuleModel::TimeDecay {
            half_life_seconds: request.half_life_days * 86_400.0,
        },
        Model::Position => RuleModel::PositionBased { first, last },
        Model::Milestones => RuleModel::Milestones {
            first_touch: m[0],
            lead: m[1],
            opportunity: m[2],
            closed_won: m[3],
            rest: m[4],
        },
        Model::UShaped => RuleModel::U_SHAPED,
        Model::WShaped => RuleModel::W_SHAPED,
        _ => RuleModel::FULL_PATH,
    }
}

/// Journeys in fixed partitions, credited in parallel and summed in order: the same result on
/// any number of threads.
fn rule_credit(journeys: &[Journey], rule: RuleModel, n_keys: usize) -> (Vec<f64>, Vec<f64>) {
    let parts: Vec<_> = journeys
        .par_chunks(PARTITION)
        .map(|part| attribute(part, &rule, n_keys))
        .collect();
    let mut conversions = vec![0.0; n_keys];
    let mut value = vec![0.0; n_keys];
    for part in parts {
        for (total, x) in conversions.iter_mut().zip(&part.conversions) {
            *total += x;
        }
        for (total, x) in value.iter_mut().zip(&part.value) {
            *total += x;
        }
    }
    (conversions, value)
}

/// Cost per key, from spend in the period.
async fn cost(
    session: &Session,
    request: &AttributionRequest,
) -> Result<HashMap<String, f64>, AppError> {
    let mut cost: HashMap<String, f64> = HashMap::new();
    for row in session.engine.spend_rows().await? {
        if let Some(period) = request.period
            && !period.contains(row.date, &session.calendar)
        {
            continue;
        }
        let key = match request.by {
            CreditTo::Channel => row.channel,
            CreditTo::Campaign => row.campaign_name.or(row.campaign_id),
            CreditTo::Activity => row.activity_id,
        };
        if let Some(key) = key {
            *cost.entry(key).or_default() += row.cost.unwrap_or(0.0);
        }
    }
    Ok(cost)
}

fn report(
    request: &AttributionRequest,
    lookback_days: i64,
    credited: &Credited,
    cost: HashMap<String, f64>,
) -> AttributionReport {
    let Credited {
        keys,
        journeys,
        results,
        intervals,
        ..
    } = credited;
    let with_touches: Vec<&Journey> = journeys.iter().filter(|j| !j.touches.is_empty()).collect();
    // Marketing-sourced: the journey's first touch is marketing; influenced: any touch is.
    let is_marketing = |touch: &Touch| {
        request.by != CreditTo::Channel
            || !NOT_MARKETING.contains(&keys[touch.channel as usize].as_str())
    };
    let sourced: Vec<&Journey> = journeys
        .iter()
        .filter(|j| j.touches.first().is_some_and(is_marketing))
        .collect();
    let influenced: Vec<&Journey> = journeys
        .iter()
        .filter(|j| j.touches.iter().any(is_marketing))
        .collect();
    // An empty sum is -0.0.
    let sum_value = |set: &[&Journey]| set.iter().map(|j| j.conversion.value).sum::<f64>() + 0.0;
    let mut order: Vec<usize> = (0..keys.len())
        .filter(|&i| results.iter().any(|(_, c, _)| c[i] != 0.0) || cost.contains_key(&keys[i]))
        .collect();
    if let Some((_, first, _)) = results.first() {
        order.sort_by(|a, b| {
            first[*b]
                .total_cmp(&first[*a])
                .then(keys[*a].cmp(&keys[*b]))
        });
    }
    let rows = order
        .iter()
        .map(|&i| AttributionRow {
            by: request.by.as_str(),
            key: keys[i].clone(),
            cost: cost.get(&keys[i]).copied(),
            models: results
                .iter()
                .map(|(model, c, v)| {
                    (
                        *model,
                        Credit {
                            conversions: c[i],
                            value: v[i],
                            conversions_interval: intervals.get(model).map(|x| x.conversions[i]),
                        },
                    )
                })
                .collect(),
        })
        .collect();
    AttributionReport {
        conversion: request.conversion.as_str(),
        conversions: credited.n_conversions,
        value: credited.converted_value,
        journeys_with_touches: with_touches.len(),
        value_with_touches: sum_value(&with_touches),
        marketing_sourced: Counted {
            conversions: sourced.len(),
            value: sum_value(&sourced),
        },
        marketing_influenced: Counted {
            conversions: influenced.len(),
            value: sum_value(&influenced),
        },
        lookback_days,
        models: request.models.clone(),
        with_value: request.conversion.has_value(),
        rows,
        removal_effects: credited.removal_effects.clone(),
    }
}
