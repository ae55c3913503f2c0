//! Web sessions, as GA4's BigQuery export writes them (`bq extract`: one event per line).
//! They stream to their file: the large size does not fit in memory.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde_json::json;

use crate::company::{
    SPEND_DRIVEN_CLICKS, Traffic, WEB_CHANNELS, WEB_CONVERSION_CHANCE, WebChannel,
};
use crate::market::Market;
use crate::{DemoError, Rng, Timeline};

/// Where the events go, under the demo's folder.
const EVENTS_PATH: &str = "exports/ga4/events.json";

/// A session's place in the data: its day, the day's index and its number among the channel's
/// sessions of the day.
#[derive(Debug, Clone, Copy)]
struct Session<'a> {
    date: Date,
    day_index: usize,
    number: u64,
    channel: &'a WebChannel,
}

/// Writes every day's sessions of every web channel; returns the file and the number of events.
pub(crate) fn write_events(
    dir: &Path,
    timeline: &Timeline,
    scale: f64,
    market: &Market,
    rng: &mut Rng,
) -> Result<(PathBuf, u64), DemoError> {
    let path = dir.join(EVENTS_PATH);
    let error = |source| DemoError::Write {
        path: path.clone(),
        source,
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(error)?;
    }
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).map_err(error)?);
    let stockholm = TimeZone::get("Europe/Stockholm").unwrap_or(TimeZone::UTC);
    let mut n_events: u64 = 0;
    for (day_index, &date) in timeline.days.iter().enumerate() {
        let season = timeline.season(date);
        for channel in WEB_CHANNELS {
            let driven = match market.saturation(day_index, channel.channel) {
                Some(saturation) if channel.follows_spend => SPEND_DRIVEN_CLICKS * saturation,
                _ => 1.0,
            };
            let n_sessions = rng.poisson(
                channel.sessions_per_day
                    * driven
                    * season
                    * scale
                    * (1.0 + 0.2 * market.brand_by_day[day_index]),
            );
            for number in 0..n_sessions {
                let session = Session {
                    date,
                    day_index,
                    number,
                    channel,
                };
                n_events += write_session(&mut out, session, &stockholm, rng).map_err(error)?;
            }
        }
    }
    out.flush().map_err(error)?;
    Ok((path, n_events))
}

/// One visitor's session: one to four events, the last sometimes a lead form.
fn write_session(
    out: &mut impl std::io::Write,
    session: Session<'_>,
    stockholm: &TimeZone,
    rng: &mut Rng,
) -> std::io::Result<u64> {
    let user = format!(
        "{}.{}",
        rng.next_u64() % 1_000_000_000,
        1_600_000_000 + session.day_index as u64
    );
    let session_id = format!("{user}.{}", session.number + 1);
    let hour = rng.range(7, 22);
    let n_events = rng.range(1, 4);
    let converts = rng.chance(WEB_CONVERSION_CHANCE);
    for e in 0..n_events {
        let name = if converts && e == n_events - 1 {
            "generate_lead"
        } else if e == 0 {
            "session_start"
        } else {
            "page_view"
        };
        let second = rng.range(0, 59);
        let local = session.date.to_datetime(Time::constant(
            hour as i8,
            ((e * 3) % 60) as i8,
            second as i8,
            0,
        ));
        let micros = stockholm
            .to_timestamp(local)
            .map_or(0, |t| t.as_microsecond());
        let desktop = rng.chance(0.6);
        let event = event_json(session, &session_id, &user, name, micros, desktop);
        out.write_all(format!("{event}\n").as_bytes())?;
    }
    Ok(n_events as u64)
}

fn event_json(
    session: Session<'_>,
    session_id: &str,
    user: &str,
    name: &str,
    micros: i64,
    desktop: bool,
) -> serde_json::Value {
    let date = session.date;
    json!({
        "event_date": format!("{:04}{:02}{:02}", date.year(), date.month(), date.day()),
        "event_timestamp": micros.to_string(),
        "event_name": name,
        "event_params": [param("ga_session_id", None, Some(session.number as i64 + 1)), param("page_location", Some("https://nordkraft.se/"), None)],
        "user_id": null,
        "user_pseudo_id": user,
        "device": {"category": if desktop { "desktop" } else { "mobile" }},
        "geo": {"country": "Sweden"},
        "traffic_source": {"name": "(direct)", "medium": "(none)", "source": "(direct)"},
        "collected_traffic_source": collected_traffic_source(session.channel, session_id),
    })
}

fn param(key: &str, string: Option<&str>, int: Option<i64>) -> serde_json::Value {
    json!({"key": key, "value": {"string_value": string, "int_value": int.map(|i| i.to_string()), "float_value": null, "double_value": null}})
}

fn collected_traffic_source(channel: &WebChannel, session_id: &str) -> serde_json::Value {
    match channel.traffic {
        Traffic::Direct => serde_json::Value::Null,
        Traffic::Tagged { campaign, gclid } => {
            let gclid = gclid.then(|| format!("gc{session_id}"));
            json!({"manual_source": channel.source, "manual_medium": channel.medium, "manual_campaign_name": campaign, "gclid": gclid})
        }
    }
}
