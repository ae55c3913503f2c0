//! Journeys in time and the rule-based models that need timestamps: first, last, last
//! non-direct, linear, time decay, position-based, the B2B milestone models and participation.

/// A touch: a contact with a channel (or campaign, activity…) at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Touch {
    /// Seconds since the Unix epoch.
    pub time: i64,
    /// The channel (or campaign, activity…) touched, as an index into the caller's names.
    pub channel: u32,
}

/// An outcome that closes a journey.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conversion {
    /// When it converted, in seconds since the Unix epoch.
    pub time: i64,
    /// The conversion's value (revenue, deal amount…).
    pub value: f64,
    /// Fractional conversions are kept as they are.
    pub weight: f64,
    /// When the person became a lead (for the U- and W-shaped models).
    pub lead_time: Option<i64>,
    /// When the opportunity was created (for the W-shaped and full-path models).
    pub opportunity_time: Option<i64>,
}

/// How touches are gathered into a journey.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JourneyConfig {
    /// Only touches at most this many seconds before the conversion count.
    pub lookback_seconds: Option<i64>,
    /// Merge consecutive touches of the same channel into the first of them.
    pub collapse_repeats: bool,
}

/// The touches that lead to one conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    /// The touches in time order.
    pub touches: Vec<Touch>,
    /// The conversion that closes the journey.
    pub conversion: Conversion,
}

/// Splits one entity's touches (sorted by time) at its conversions (sorted by time): each
/// conversion closes the journey of the touches after the previous conversion, up to and
/// including its own time, within the lookback window.
pub fn build_journeys(
    touches: &[Touch],
    conversions: &[Conversion],
    config: &JourneyConfig,
) -> Vec<Journey> {
    let mut journeys = Vec::with_capacity(conversions.len());
    let mut next_touch = 0;
    for conversion in conversions {
        let start = next_touch;
        while next_touch < touches.len() && touches[next_touch].time <= conversion.time {
            next_touch += 1;
        }
        let earliest = config
            .lookback_seconds
            .map_or(i64::MIN, |lookback| conversion.time - lookback);
        let mut journey: Vec<Touch> = touches[start..next_touch]
            .iter()
            .copied()
            .filter(|t| t.time >= earliest)
            .collect();
        if config.collapse_repeats {
            journey.dedup_by(|later, earlier| later.channel == earlier.channel);
        }
        journeys.push(Journey {
            touches: journey,
            conversion: *conversion,
        });
    }
    journeys
}

/// A rule for sharing one conversion among the touches of its journey.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleModel {
    /// Everything to the first touch.
    FirstTouch,
    /// Everything to the last touch.
    LastTouch,
    /// The last touch whose channel is not `direct`; the last touch if all are direct.
    LastNonDirect {
        /// The channel that counts as direct, if any.
        direct: Option<u32>,
    },
    /// Equal shares per touch.
    Linear,
    /// Equal shares per distinct channel, each split over that channel's touches.
    LinearDistinct,
    /// Weight 2^(−Δ/H) for a touch Δ seconds before the conversion, normalised.
    TimeDecay {
        /// H: the time, in seconds, over which a touch's weight halves.
        half_life_seconds: f64,
    },
    /// `first` to the first touch, `last` to the last, the rest shared by the middle;
    /// one touch gets everything, two share equally.
    PositionBased {
        /// The first touch's share.
        first: f64,
        /// The last touch's share.
        last: f64,
    },
    /// Weights for the milestone touches (first touch, lead creation, opportunity creation,
    /// closed-won) and `rest` for the other touches. Missing milestones drop out and the
    /// weights are renormalised.
    Milestones {
        /// The first touch's weight.
        first_touch: f64,
        /// The weight of the last touch at or before the lead was created.
        lead: f64,
        /// The weight of the last touch at or before the opportunity was created.
        opportunity: f64,
        /// The weight of the journey's last touch, before the deal was won.
        closed_won: f64,
        /// The weight shared by the other touches.
        rest: f64,
    },
}

impl RuleModel {
    /// B2B U-shaped: 40 % first touch, 40 % the lead-creation touch, 20 % the rest.
    pub const U_SHAPED: RuleModel = RuleModel::Milestones {
        first_touch: 0.4,
        lead: 0.4,
        opportunity: 0.0,
        closed_won: 0.0,
        rest: 0.2,
    };
    /// W-shaped: 30/30/30 to first touch, lead and opportunity creation, 10 % to the rest.
    pub const W_SHAPED: RuleModel = RuleModel::Milestones {
        first_touch: 0.3,
        lead: 0.3,
        opportunity: 0.3,
        closed_won: 0.0,
        rest: 0.1,
    };
    /// Full path (Z-shaped): 22.5 % to each of four milestones incl. closed-won, 10 % to the rest.
    pub const FULL_PATH: RuleModel = RuleModel::Milestones {
        first_touch: 0.225,
        lead: 0.225,
        opportunity: 0.225,
        closed_won: 0.225,
        rest: 0.1,
    };

    /// The share of the conversion each touch gets; sums to 1 for a non-empty journey.
    pub fn weights(&self, journey: &Journey) -> Vec<f64> {
        let touches = &journey.touches;
        let n = touches.len();
        let mut weights = vec![0.0; n];
        if n == 0 {
            return weights;
        }
        match self {
            RuleModel::FirstTouch => weights[0] = 1.0,
            RuleModel::LastTouch => weights[n - 1] = 1.0,
            RuleModel::LastNonDirect { direct } => {
                let index = touches
                    .iter()
                    .rposition(|t| Some(t.channel) != *direct)
                    .unwrap_or(n - 1);
                weights[index] = 1.0;
            }
            RuleModel::Linear => weights.iter_mut().for_each(|w| *w = 1.0 / n as f64),
            RuleModel::LinearDistinct => {
                let mut channels: Vec<u32> = touches.iter().map(|t| t.channel).collect();
                channels.sort_unstable();
                channels.dedup();
                let per_channel = 1.0 / channels.len() as f64;
                for channel in channels {
                    let n_touches = touches.iter().filter(|t| t.channel == channel).count() as f64;
                    for (weight, touch) in weights.iter_mut().zip(touches) {
                        if touch.channel == channel {
                            *weight = per_channel / n_touches;
                        }
                    }
                }
            }
            RuleModel::TimeDecay { half_life_seconds } => {
                for (weight, touch) in weights.iter_mut().zip(touches) {
                    let age = (journey.conversion.time - touch.time).max(0) as f64;
                    *weight = (-age / half_life_seconds).exp2();
                }
                normalise(&mut weights);
            }
            RuleModel::PositionBased { first, last } => match n {
                1 => weights[0] = 1.0,
                2 => {
                    weights[0] = 0.5;
                    weights[1] = 0.5;
                }
                _ => {
                    weights[0] = *first;
                    weights[n - 1] = *last;
                    let middle = (1.0 - first - last) / (n - 2) as f64;
                    weights[1..n - 1].iter_mut().for_each(|w| *w = middle);
                }
            },
            RuleModel::Milestones {
                first_touch,
                lead,
                opportunity,
                closed_won,
                rest,
            } => {
                let at_or_before = |time: Option<i64>| {
                    time.and_then(|time| touches.iter().rposition(|t| t.time <= time))
                };
                let milestones = [
                    (Some(0), *first_touch),
                    (at_or_before(journey.conversion.lead_time), *lead),
                    (
                        at_or_before(journey.conversion.opportunity_time),
                        *opportunity,
                    ),
                    (Some(n - 1), *closed_won),
                ];
                let mut is_milestone = vec![false; n];
                for (index, weight) in milestones {
                    if let Some(index) = index
                        && weight > 0.0
                    {
                        weights[index] += weight;
                        is_milestone[index] = true;
                    }
                }
                let n_rest = is_milestone.iter().filter(|m| !**m).count();
                if n_rest > 0 {
                    for (weight, milestone) in weights.iter_mut().zip(&is_milestone) {
                        if !milestone {
                            *weight = rest / n_rest as f64;
                        }
                    }
                }
                normalise(&mut weights);
            }
        }
        weights
    }
}

fn normalise(weights: &mut [f64]) {
    let sum: f64 = weights.iter().sum();
    if sum > 0.0 {
        weights.iter_mut().for_each(|w| *w /= sum);
    } else if let Some(last) = weights.last_mut() {
        *last = 1.0;
    }
}

/// Credits per channel from one model: conversions and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Credits {
    /// Attributed conversions per channel.
    pub conversions: Vec<f64>,
    /// Attributed conversion value per channel.
    pub value: Vec<f64>,
}

/// Applies a rule model to journeys. Journeys without touches are not credited (they are
/// conversions no channel can claim).
pub fn attribute(journeys: &[Journey], model: &RuleModel, n_channels: usize) -> Credits {
    let mut credits = Credits {
        conversions: vec![0.0; n_channels],
        value: vec![0.0; n_channels],
    };
    for journey in journeys {
        for (touch, weight) in journey.touches.iter().zip(model.weights(journey)) {
            credits.conversions[touch.channel as usize] += weight * journey.conversion.weight;
            credits.value[touch.channel as usize] += weight * journey.conversion.value;
        }
    }
    credits
}

/// Participation: every channel in a journey gets the whole conversion (influenced, not summed).
pub fn participation(journeys: &[Journey], n_channels: usize) -> Credits {
    let mut credits = Credits {
        conversions: vec![0.0; n_channels],
        value: vec![0.0; n_channels],
    };
    let mut seen = vec![false; n_channels];
    for journey in journeys {
        seen.iter_mut().for_each(|s| *s = false);
        for touch in &journey.touches {
            if !std::mem::replace(&mut seen[touch.channel as usize], true) {
                credits.conversions[touch.channel as usize] += journey.conversion.weight;
                credits.value[touch.channel as usize] += journey.conversion.value;
            }
        }
    }
    credits
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn journey(channels: &[u32], times: &[i64], conversion_time: i64) -> Journey {
        Journey {
            touches: channels
                .iter()
                .zip(times)
                .map(|(&channel, &time)| Touch { time, channel })
                .collect(),
            conversion: Conversion {
                time: conversion_time,
                value: 100.0,
                weight: 1.0,
                lead_time: None,
                opportunity_time: None,
            },
        }
    }

    #[test]
    fn position_based_edge_cases() {
        let model = RuleModel::PositionBased {
            first: 0.4,
            last: 0.4,
        };
        assert_eq!(model.weights(&journey(&[0], &[0], 1)), [1.0]);
        assert_eq!(model.weights(&journey(&[0, 1], &[0, 1], 2)), [0.5, 0.5]);
        let weights = model.weights(&journey(&[0, 1, 2, 3], &[0, 1, 2, 3], 4));
        for (got, want) in weights.iter().zip([0.4, 0.1, 0.1, 0.4]) {
            assert!((got - want).abs() < 1e-15);
        }
    }

    #[test]
    fn time_decay_halves_every_half_life() {
        let model = RuleModel::TimeDecay {
            half_life_seconds: 7.0 * DAY as f64,
        };
        // Touches 14, 7 and 0 days before: raw weights 1/4, 1/2, 1 → 1/7, 2/7, 4/7.
        let weights = model.weights(&journey(&[0, 1, 2], &[0, 7 * DAY, 14 * DAY], 14 * DAY));
        for (got, want) in weights.iter().zip([1.0 / 7.0, 2.0 / 7.0, 4.0 / 7.0]) {
            assert!((got - want).abs() < 1e-15);
        }
    }

    #[test]
    fn milestone_models() {
        // Touches at t = 0, 10, 20, 30, 40; lead at 15 (touch 1), opportunity at 31 (touch 3).
        let mut j = journey(&[0, 1, 2, 3, 4], &[0, 10, 20, 30, 40], 50);
        j.conversion.lead_time = Some(15);
        j.conversion.opportunity_time = Some(31);
        // W: 0.3 first, 0.3 lead, 0.3 opportunity, 0.1 over the two others.
        assert_eq!(RuleModel::W_SHAPED.weights(&j), [0.3, 0.3, 0.05, 0.3, 0.05]);
        // Full path: 22.5 % × 4, 10 % to the one remaining touch.
        let z = RuleModel::FULL_PATH.weights(&j);
        for (got, want) in z.iter().zip([0.225, 0.225, 0.1, 0.225, 0.225]) {
            assert!((got - want).abs() < 1e-15);
        }
        // U: 0.4 first, 0.4 lead, 0.2 over three others.
        let u = RuleModel::U_SHAPED.weights(&j);
        for (got, want) in u.iter().zip([0.4, 0.4, 0.2 / 3.0, 0.2 / 3.0, 0.2 / 3.0]) {
            assert!((got - want).abs() < 1e-15);
        }
        // Without a lead time the lead weight drops out: first 0.4 and rest 0.2 → 2/3 and 1/3.
        j.conversion.lead_time = None;
        let u = RuleModel::U_SHAPED.weights(&j);
        assert!((u[0] - 2.0 / 3.0).abs() < 1e-15);
        assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn journeys_split_at_conversions_with_lookback() {
        let touches = [
            Touch {
                time: 0,
                channel: 0,
            },
            Touch {
                time: 40 * DAY,
                channel: 1,
            },
            Touch {
                time: 41 * DAY,
                channel: 1,
            },
            Touch {
                time: 60 * DAY,
                channel: 2,
            },
        ];
        let conversion = |time| Conversion {
            time,
            value: 1.0,
            weight: 1.0,
            lead_time: None,
            opportunity_time: None,
        };
        let config = JourneyConfig {
            lookback_seconds: Some(30 * DAY),
            collapse_repeats: true,
        };
        let journeys = build_journeys(
            &touches,
            &[conversion(45 * DAY), conversion(70 * DAY)],
            &config,
        );
        assert_eq!(
            journeys[0].touches,
            [Touch {
                time: 40 * DAY,
                channel: 1
            }]
        );
        assert_eq!(
            journeys[1].touches,
            [Touch {
                time: 60 * DAY,
                channel: 2
            }]
        );
    }

    /// The journeys of DP6's `test_dataset.csv` (shared/data/dp6_journeys_test.csv), times in
    /// hours from user A's first session. Channels: seo 0, direct 1, google_ads 2, crm 3.
    fn dp6() -> Vec<Journey> {
        const H: i64 = 3600;
        let (seo, direct, google_ads, crm) = (0, 1, 2, 3);
        let touch = |hour: i64, channel| Touch {
            time: hour * H,
            channel,
        };
        let conversion = |hour: i64| Conversion {
            time: hour * H,
            value: 1.0,
            weight: 1.0,
            lead_time: None,
            opportunity_time: None,
        };
        // A: 2021-07-20 15:00 seo; 2022-01-20 15:00 direct, 16:00 google_ads, 17:00 direct (buys).
        let a0 = 0;
        let a1 = 184 * 24;
        let a = vec![
            touch(a0, seo),
            touch(a1, direct),
            touch(a1 + 1, google_ads),
            touch(a1 + 2, direct),
        ];
        // C: 2022-02-21 21:00 direct, 22:00 crm, 23:00 direct (buys).
        let c = vec![
            touch(10_000, direct),
            touch(10_001, crm),
            touch(10_002, direct),
        ];
        // D: 23:01 seo, 23:11 direct, 23:21 direct (buys; entered here at one hour, ages 0); next day
        // 01:00 direct; 2022-02-27 01:00 direct, 02:00 seo, 03:00 direct (buys).
        let d = vec![
            touch(20_000, seo),
            touch(20_000, direct),
            touch(20_000, direct),
            touch(20_002, direct),
            touch(20_002 + 5 * 24, direct),
            touch(20_003 + 5 * 24, seo),
            touch(20_004 + 5 * 24, direct),
        ];
        let config = JourneyConfig {
            lookback_seconds: None,
            collapse_repeats: false,
        };
        let mut journeys = build_journeys(&a, &[conversion(a1 + 2)], &config);
        journeys.extend(build_journeys(&c, &[conversion(10_002)], &config));
        journeys.extend(build_journeys(
            &d,
            &[conversion(20_000), conversion(20_004 + 5 * 24)],
            &config,
        ));
        let _ = (seo, google_ads);
        journeys
    }

    #[test]
    fn dp6_journeys_by_hand() {
        let journeys = dp6();
        assert_eq!(
            journeys.iter().map(|j| j.touches.len()).collect::<Vec<_>>(),
            [4, 3, 3, 4]
        );
        let credit = |model: RuleModel| attribute(&journeys, &model, 4).conversions;
        let close = |got: Vec<f64>, want: [f64; 4]| {
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
            }
        };
        // seo, direct, google_ads, crm.
        close(credit(RuleModel::FirstTouch), [2.0, 2.0, 0.0, 0.0]);
        close(credit(RuleModel::LastTouch), [0.0, 4.0, 0.0, 0.0]);
        close(
            credit(RuleModel::LastNonDirect { direct: Some(1) }),
            [2.0, 0.0, 1.0, 1.0],
        );
        close(
            credit(RuleModel::Linear),
            [
                0.25 + 1.0 / 3.0 + 0.25,
                0.5 + 2.0 / 3.0 + 2.0 / 3.0 + 0.75,
                0.25,
                1.0 / 3.0,
            ],
        );
        close(
            credit(RuleModel::PositionBased {
                first: 0.4,
                last: 0.4,
            }),
            [0.9, 2.8, 0.1, 0.2],
        );
        close(
            credit(RuleModel::LinearDistinct),
            [
                1.0 / 3.0 + 0.5 + 0.5,
                1.0 / 3.0 + 0.5 + 0.5 + 0.5,
                1.0 / 3.0,
                0.5,
            ],
        );
        let participation = participation(&journeys, 4).conversions;
        close(participation, [3.0, 4.0, 1.0, 1.0]);
        // Time decay, H = 7 days = 168 h. A: ages 4418 h (seo), 2 h, 1 h, 0 h.
        let w = |age: f64| (-age / 168.0).exp2();
        let a_sum = w(4418.0) + w(2.0) + w(1.0) + w(0.0);
        let c_sum = w(2.0) + w(1.0) + w(0.0);
        let d1_sum = 3.0;
        let d2_sum = w(122.0) + w(2.0) + w(1.0) + w(0.0);
        let seo = w(4418.0) / a_sum + 1.0 / d1_sum + w(1.0) / d2_sum;
        let google_ads = w(1.0) / a_sum;
        let crm = w(1.0) / c_sum;
        let direct = 4.0 - seo - google_ads - crm;
        close(
            credit(RuleModel::TimeDecay {
                half_life_seconds: 168.0 * 3600.0,
            }),
            [seo, direct, google_ads, crm],
        );
        // Every summing model credits exactly the converted total.
        for model in [
            RuleModel::Linear,
            RuleModel::U_SHAPED,
            RuleModel::W_SHAPED,
            RuleModel::FULL_PATH,
        ] {
            assert!((credit(model).iter().sum::<f64>() - 4.0).abs() < 1e-12);
        }
    }
}
