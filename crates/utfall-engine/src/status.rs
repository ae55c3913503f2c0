//! Targets, progress and status: on track, at risk, off track, no target, no data — with a
//! forecast to the end of a running period.

use jiff::civil::Date;
use utfall_model::period::{Calendar, Period};

/// How a KPI stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// At or beyond the target (or its forecast is).
    OnTrack,
    /// Short of the target, within its amber band.
    AtRisk,
    /// Short of the target beyond its amber band.
    OffTrack,
    /// The KPI has no target for the period.
    NoTarget,
    /// The KPI has no value for the period.
    NoData,
}

impl Status {
    /// Every status, best first.
    pub const ALL: [Status; 5] = [
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NoTarget,
        Status::NoData,
    ];

    /// The documented spelling (`on_track`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoTarget => "no_target",
            Status::NoData => "no_data",
        }
    }
}

/// What a target asks: the model's vocabulary.
pub use utfall_model::kinds::TargetKind;

/// A target as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// What the target asks of the value (reach it, stay above or below it).
    pub kind: TargetKind,
    /// The target value.
    pub value: f64,
    /// Relative band short of the target that counts as at risk (default 10 %).
    pub amber: f64,
}

/// The judgement of one KPI in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// How the KPI stands.
    pub status: Status,
    /// Value ÷ target (for `below`: target ÷ value).
    pub progress: Option<f64>,
    /// The forecast for the end of a running period, and how it was made.
    pub forecast: Option<(f64, &'static str)>,
}

/// Judges `value` against `target` for `period`, as of `today`. A `reach` target in a running
/// period is judged on a forecast to the period's end: seasonal naive when last year's value for
/// the whole period and up to the same day are known (`seasonal`: (full, to date) — the rest of
/// the period follows last year's shape, `value × full / to date`), else a linear run rate.
pub fn assess(
    value: Option<f64>,
    target: Option<Target>,
    period: Period,
    today: Date,
    calendar: &Calendar,
    seasonal: Option<(f64, f64)>,
) -> Assessment {
    let Some(value) = value else {
        return Assessment {
            status: Status::NoData,
            progress: None,
            forecast: None,
        };
    };
    let Some(target) = target else {
        return Assessment {
            status: Status::NoTarget,
            progress: None,
            forecast: None,
        };
    };
    let start = period.start(calendar);
    let end = period.end_exclusive(calendar);
    let running = start <= today && today < end;
    let forecast = (running && target.kind == TargetKind::Reach).then(|| match seasonal {
        Some((full, to_date)) if full > 0.0 && to_date > 0.0 => {
            (value * full / to_date, "seasonal naive (last year's shape)")
        }
        _ => {
            let elapsed = start.until(today).map(|s| s.get_days()).unwrap_or(0) + 1;
            let total = period.n_days(calendar).max(1);
            (
                value * f64::from(total) / f64::from(elapsed.max(1)),
                "linear run rate",
            )
        }
    });
    let judged = forecast.map_or(value, |(f, _)| f);
    let (progress, status) = match target.kind {
        TargetKind::Reach | TargetKind::Above => {
            let progress = (target.value != 0.0).then(|| value / target.value);
            let status = if judged >= target.value {
                Status::OnTrack
            } else if judged >= target.value * (1.0 - target.amber) {
                Status::AtRisk
            } else {
                Status::OffTrack
            };
            (progress, status)
        }
        TargetKind::Below => {
            let progress = (value != 0.0).then(|| target.value / value);
            let status = if value <= target.value {
                Status::OnTrack
            } else if value <= target.value * (1.0 + target.amber) {
                Status::AtRisk
            } else {
                Status::OffTrack
            };
            (progress, status)
        }
    };
    Assessment {
        status,
        progress,
        forecast,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn statuses_by_hand() {
        let cal = Calendar::default();
        let q3: Period = "2026-Q3".parse().unwrap();
        let reach = Some(Target {
            kind: TargetKind::Reach,
            value: 100.0,
            amber: 0.1,
        });
        // After the quarter: 95 of 100 is within 10 %.
        assert_eq!(
            assess(Some(95.0), reach, q3, d("2026-11-26"), &cal, None).status,
            Status::AtRisk
        );
        assert_eq!(
            assess(Some(85.0), reach, q3, d("2026-11-26"), &cal, None).status,
            Status::OffTrack
        );
        assert_eq!(
            assess(Some(100.0), reach, q3, d("2026-11-26"), &cal, None).status,
            Status::OnTrack
        );
        // Halfway (day 46 of 92): 50 projects to 100 → on track.
        let halfway = assess(Some(50.0), reach, q3, d("2026-08-15"), &cal, None);
        assert_eq!(halfway.status, Status::OnTrack);
        assert_eq!(halfway.forecast, Some((100.0, "linear run rate")));
        // Last year the quarter reached 120 of which 40 by the same day: the remaining two
        // thirds follow, so 50 to date forecasts 150.
        let seasonal = assess(
            Some(50.0),
            reach,
            q3,
            d("2026-08-15"),
            &cal,
            Some((120.0, 40.0)),
        );
        assert_eq!(
            seasonal.forecast,
            Some((150.0, "seasonal naive (last year's shape)"))
        );
        assert_eq!(seasonal.status, Status::OnTrack);
        // … and 20 to date forecasts 60: off track though the run rate would say 40.
        let behind = assess(
            Some(20.0),
            reach,
            q3,
            d("2026-08-15"),
            &cal,
            Some((120.0, 40.0)),
        );
        assert_eq!(behind.status, Status::OffTrack);
        let below = Some(Target {
            kind: TargetKind::Below,
            value: 1000.0,
            amber: 0.1,
        });
        assert_eq!(
            assess(Some(1050.0), below, q3, d("2026-11-26"), &cal, None).status,
            Status::AtRisk
        );
        assert_eq!(
            assess(None, below, q3, d("2026-11-26"), &cal, None).status,
            Status::NoData
        );
        assert_eq!(
            assess(Some(1.0), None, q3, d("2026-11-26"), &cal, None).status,
            Status::NoTarget
        );
    }
}
