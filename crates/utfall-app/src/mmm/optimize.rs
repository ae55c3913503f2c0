//! The budget plan of a saved fit: a budget over a planning period split across channels by
//! equal marginal returns, within spend bounds.

use jiff::civil::Date;
use utfall_mmm::Prepared;
use utfall_mmm::optimize::{Bounds, BudgetPlan};
use utfall_model::period::{Calendar, Period};

use super::workspace::SavedFit;
use crate::error::AppError;

/// The planning period's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Horizon {
    /// A number of the model's periods.
    Periods(usize),
    /// A calendar period (`2027-Q1`, `FY2027`) in the workspace's calendar, split into the
    /// model's periods.
    Period {
        /// The period.
        period: Period,
        /// The workspace's calendar.
        calendar: Calendar,
    },
    /// A quarter of weeks (13 periods).
    Default,
}

impl Horizon {
    /// The number of the fit's periods the horizon spans (at least one).
    fn periods(&self, fit: &SavedFit) -> usize {
        match self {
            Horizon::Periods(n) => *n,
            Horizon::Default => 13,
            Horizon::Period { period, calendar } => {
                let days = period.n_days(calendar) as f64;
                let dates = &fit.data.dates;
                let step = match (dates.first(), dates.get(1)) {
                    (Some(a), Some(b)) => match (a.parse::<Date>(), b.parse::<Date>()) {
                        (Ok(a), Ok(b)) => (b - a).get_days().max(1) as f64,
                        _ => 7.0,
                    },
                    _ => 7.0,
                };
                (days / step).round().max(1.0) as usize
            }
        }
    }
}

/// Spend bounds per period, as multiples of today's spend.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendBounds {
    /// Bounds of every channel without its own: (low, high).
    pub all: (f64, f64),
    /// Bounds of single channels.
    pub by_channel: Vec<(String, (f64, f64))>,
}

/// `LO,HI` with 0 ≤ LO ≤ HI.
fn pair(text: &str) -> Option<(f64, f64)> {
    let (lo, hi) = text.split_once(',')?;
    let (lo, hi) = (
        lo.trim().parse::<f64>().ok()?,
        hi.trim().parse::<f64>().ok()?,
    );
    (lo >= 0.0 && hi >= lo).then_some((lo, hi))
}

impl SpendBounds {
    /// Reads `--bounds-all LO,HI` and each `--bounds CHANNEL=LO,HI`.
    pub fn parse(all: &str, by_channel: &[String]) -> Result<SpendBounds, AppError> {
        let all = pair(all).ok_or_else(|| {
            AppError::user(format!("`--bounds-all {all}` is not LO,HI"))
                .hint("e.g. 0.5,2: between half and twice today's spend")
        })?;
        let by_channel = by_channel
            .iter()
            .map(|text| {
                text.split_once('=')
                    .and_then(|(c, rest)| Some((c.trim().to_string(), pair(rest)?)))
                    .ok_or_else(|| {
                        AppError::user(format!("`--bounds {text}` is not CHANNEL=LO,HI")).hint(
                            "e.g. `--bounds print=0,1` to allow cutting print but not raising it",
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(SpendBounds { all, by_channel })
    }
}

/// A budget to split (`utfall mmm optimize`).
#[derive(Debug, Clone)]
pub struct OptimizeRequest {
    /// The saved fit.
    pub fit: super::FitSource,
    /// The budget over the planning period, in the spend's currency.
    pub budget: f64,
    /// The planning period.
    pub horizon: Horizon,
    /// Spend bounds.
    pub bounds: SpendBounds,
    /// Whether the channels the model cannot identify are held at today's spend.
    pub hold_unidentified: bool,
}

/// A budget plan and what it rests on.
#[derive(Debug)]
pub struct OptimizeOutcome {
    /// Each channel's spend per period, its marginal return and contribution, the uplift.
    pub plan: BudgetPlan,
    /// The model's periods the budget is spread over.
    pub periods: usize,
    /// The outcome's unit (empty in file mode).
    pub unit: String,
    /// The channels whose effect the model cannot tell apart.
    pub unidentified: Vec<String>,
    /// Whether those were held at today's spend.
    pub held: bool,
}

/// Splits the budget across the fit's channels so that the marginal returns of those not at a
/// bound are equal; with `hold_unidentified`, the channels the model cannot identify keep
/// today's spend.
pub async fn optimize(request: &OptimizeRequest) -> Result<OptimizeOutcome, AppError> {
    let saved = super::load_fit(&request.fit).await?;
    let periods = request.horizon.periods(&saved);
    let mut bounds = Bounds {
        default: request.bounds.all,
        by_channel: request.bounds.by_channel.clone(),
    };
    let model = Prepared::new(saved.data, saved.spec)?;
    let report = utfall_mmm::report::report(&model, &saved.posterior);
    let unidentified: Vec<String> = report
        .channels
        .iter()
        .filter(|c| !c.identifiable)
        .map(|c| c.name.clone())
        .collect();
    if request.hold_unidentified {
        for name in &unidentified {
            bounds.by_channel.retain(|(n, _)| n != name);
            bounds.by_channel.push((name.clone(), (1.0, 1.0)));
        }
    }
    let plan = utfall_mmm::optimize::optimize(
        &model,
        &saved.posterior,
        request.budget / periods as f64,
        periods,
        &bounds,
    )?;
    Ok(OptimizeOutcome {
        plan,
        periods,
        unit: saved.unit,
        unidentified,
        held: request.hold_unidentified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_say_their_form() {
        let bounds = SpendBounds::parse("0.5,2", &["print=0,1".to_string()]).unwrap();
        assert_eq!(bounds.all, (0.5, 2.0));
        assert_eq!(bounds.by_channel, [("print".to_string(), (0.0, 1.0))]);
        let error = SpendBounds::parse("2,1", &[]).unwrap_err();
        assert_eq!(error.message(), "`--bounds-all 2,1` is not LO,HI");
        let error = SpendBounds::parse("0,1", &["print".to_string()]).unwrap_err();
        assert_eq!(error.message(), "`--bounds print` is not CHANNEL=LO,HI");
    }
}
