//! The quarterly brand survey: NPS and aided and unaided awareness, weighted.

use std::fmt::{Display, Write as _};

use jiff::civil::Date;
use utfall_model::period::{Grain, Period};

use crate::{Rng, Timeline, add_days};

/// Respondents per wave.
const RESPONDENTS: usize = 300;
/// A wave is fielded this many days into its quarter.
const FIELD_DAY: i64 = 40;

/// A wave's weighted answers, as the file has them, for the targets.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wave {
    pub(crate) date: Date,
    /// Weights of the respondents who know Nordkraft, and of all who answered.
    pub(crate) aware: f64,
    pub(crate) asked_awareness: f64,
    /// Weights of the NPS promoters (9–10), detractors (0–6) and of all who answered.
    pub(crate) promoters: f64,
    pub(crate) detractors: f64,
    pub(crate) asked_nps: f64,
}

impl Wave {
    /// Aided awareness of Nordkraft: a share.
    pub(crate) fn aided_awareness(&self) -> Option<f64> {
        (self.asked_awareness > 0.0).then(|| self.aware / self.asked_awareness)
    }

    /// Net promoter score: −100 to 100.
    pub(crate) fn nps(&self) -> Option<f64> {
        (self.asked_nps > 0.0).then(|| 100.0 * (self.promoters - self.detractors) / self.asked_nps)
    }
}

/// `exports/survey/brand.csv`: a wave a quarter; awareness follows the brand's pressure. Also
/// returns each wave's weighted answers.
pub(crate) fn brand_tracker(
    timeline: &Timeline,
    brand_by_day: &[f64],
    rng: &mut Rng,
) -> (String, Vec<Wave>) {
    let mut csv = String::from(
        "survey_id,wave,response_time,respondent_id,weight,question,brand,answer_numeric\n",
    );
    let mut waves = Vec::new();
    let calendar = &timeline.calendar;
    let quarters = Period::covering(timeline.start, timeline.end, Grain::Quarter, calendar);
    for (wave_index, quarter) in quarters.iter().enumerate() {
        let date = add_days(quarter.start(calendar), FIELD_DAY);
        if date > timeline.end {
            continue;
        }
        let day_index = timeline.days.iter().position(|d| *d == date).unwrap_or(0);
        let aided = (0.22 + 0.12 * brand_by_day[day_index]).min(0.8);
        let mut wave = Wave {
            date,
            ..Wave::default()
        };
        for r in 0..RESPONDENTS {
            let respondent = format!("w{wave_index}r{r}");
            write_respondent(&mut csv, quarter, date, &respondent, aided, &mut wave, rng);
        }
        waves.push(wave);
    }
    (csv, waves)
}

/// One respondent's four answers, also added to the wave's.
fn write_respondent(
    csv: &mut String,
    quarter: &Period,
    date: Date,
    respondent: &str,
    aided: f64,
    wave: &mut Wave,
    rng: &mut Rng,
) {
    let weight = format!("{:.2}", 0.5 + rng.uniform());
    let weight_value: f64 = weight.parse().unwrap_or(1.0);
    let time = format!("{date} {:02}:00", rng.range(9, 18));
    let mut answer = |question: &str, brand: &str, value: &dyn Display| {
        let _ = writeln!(
            csv,
            "brand_tracker,{quarter},{time},{respondent},{weight},{question},{brand},{value}"
        );
    };
    let score = (7.9 + 1.8 * rng.normal()).round().clamp(0.0, 10.0);
    answer("nps", "", &score);
    let knows = u8::from(rng.chance(aided));
    answer("aided_awareness", "Nordkraft", &knows);
    wave.asked_nps += weight_value;
    if score >= 9.0 {
        wave.promoters += weight_value;
    } else if score <= 6.0 {
        wave.detractors += weight_value;
    }
    wave.asked_awareness += weight_value;
    if knows == 1 {
        wave.aware += weight_value;
    }
    let names = u8::from(knows == 1 && rng.chance(0.35));
    answer("unaided_awareness", "Nordkraft", &names);
    let knows_competitor = u8::from(rng.chance(0.55));
    answer("aided_awareness", "Konkurrent", &knows_competitor);
}
