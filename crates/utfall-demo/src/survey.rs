//! The quarterly brand survey: NPS and aided and unaided awareness, weighted.

use std::fmt::{Display, Write as _};

use jiff::civil::Date;
use utfall_model::period::{Grain, Period};

use crate::{Rng, Timeline, add_days};

/// Respondents per wave.
const RESPONDENTS: usize = 300;
/// A wave is fielded this many days into its quarter.
const FIELD_DAY: i64 = 40;

/// `exports/survey/brand.csv`: a wave a quarter; awareness follows the brand's pressure.
pub(crate) fn brand_tracker(timeline: &Timeline, brand_by_day: &[f64], rng: &mut Rng) -> String {
    let mut csv = String::from(
        "survey_id,wave,response_time,respondent_id,weight,question,brand,answer_numeric\n",
    );
    let calendar = &timeline.calendar;
    let quarters = Period::covering(timeline.start, timeline.end, Grain::Quarter, calendar);
    for (wave_index, quarter) in quarters.iter().enumerate() {
        let date = add_days(quarter.start(calendar), FIELD_DAY);
        if date > timeline.end {
            continue;
        }
        let day_index = timeline.days.iter().position(|d| *d == date).unwrap_or(0);
        let aided = (0.22 + 0.12 * brand_by_day[day_index]).min(0.8);
        for r in 0..RESPONDENTS {
            let respondent = format!("w{wave_index}r{r}");
            write_respondent(&mut csv, quarter, date, &respondent, aided, rng);
        }
    }
    csv
}

/// One respondent's four answers.
fn write_respondent(
    csv: &mut String,
    wave: &Period,
    date: Date,
    respondent: &str,
    aided: f64,
    rng: &mut Rng,
) {
    let weight = format!("{:.2}", 0.5 + rng.uniform());
    let time = format!("{date} {:02}:00", rng.range(9, 18));
    let mut answer = |question: &str, brand: &str, value: &dyn Display| {
        let _ = writeln!(
            csv,
            "brand_tracker,{wave},{time},{respondent},{weight},{question},{brand},{value}"
        );
    };
    let score = (7.9 + 1.8 * rng.normal()).round().clamp(0.0, 10.0);
    answer("nps", "", &score);
    let knows = u8::from(rng.chance(aided));
    answer("aided_awareness", "Nordkraft", &knows);
    let names = u8::from(knows == 1 && rng.chance(0.35));
    answer("unaided_awareness", "Nordkraft", &names);
    let knows_competitor = u8::from(rng.chance(0.55));
    answer("aided_awareness", "Konkurrent", &knows_competitor);
}
