//! Reading one KPI's history from a store of 1 000 000 snapshot rows (`bench/store.sh`).
//!
//! Fills a fresh store (SQLite at the path given, or the PostgreSQL URL given) with 40 KPIs ×
//! 36 months × ~700 snapshots in which a value changed (1 008 000 rows), then times
//! `Store::history` of one KPI (all its periods: 25 200 rows) and of one KPI and period (700
//! rows), 50 times each, and prints the median and the slowest.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::Instant;

use utfall_store::{Definition, Location, NewSnapshot, NewValue, Store};

const KPIS: usize = 40;
const MONTHS: usize = 36;
const SNAPSHOTS: usize = 700;

fn month(i: usize) -> String {
    format!("{}-{:02}", 2024 + i / 12, i % 12 + 1)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let target = std::env::args()
        .nth(1)
        .expect("an SQLite path or a postgres:// URL");
    let location = Location::parse(std::path::Path::new("."), &target);
    let store = Store::open(&location).await.unwrap();
    let definitions: Vec<Definition> = (0..KPIS)
        .map(|k| Definition {
            kpi_id: format!("kpi_{k:02}"),
            hash: "h".into(),
            definition: "{}".into(),
        })
        .collect();
    let existing = store.dump().await.unwrap().kpi_values.len();
    if existing == 0 {
        let started = Instant::now();
        for s in 0..SNAPSHOTS {
            let values = (0..KPIS)
                .flat_map(|k| {
                    (0..MONTHS).map(move |m| NewValue {
                        kpi_id: format!("kpi_{k:02}"),
                        grain: "month".into(),
                        period: month(m),
                        period_start: format!("{}-01", month(m)),
                        value: Some((s * 7 + k * 3 + m) as f64),
                        target_low: Some(100.0),
                        target_high: None,
                        status: Some("on_track".into()),
                    })
                })
                .collect();
            let at = jiff::Timestamp::from_second(1_700_000_000 + s as i64 * 3_600).unwrap();
            store
                .snapshot(&NewSnapshot {
                    taken_at: at,
                    data_generation: format!("g{s}"),
                    definitions_key: "k".into(),
                    reason: "bench".into(),
                    definitions: definitions.clone(),
                    values,
                })
                .await
                .unwrap();
        }
        println!(
            "filled {} rows in {:.1} s",
            KPIS * MONTHS * SNAPSHOTS,
            started.elapsed().as_secs_f64()
        );
    }
    for (what, period) in [
        ("one KPI, all 36 months", None),
        ("one KPI and month", Some("2025-06")),
    ] {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..50 {
            let started = Instant::now();
            rows = store
                .history("kpi_17", Some("month"), period)
                .await
                .unwrap()
                .len();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:?} {what}: {rows} rows, median {:.2} ms, slowest {:.2} ms",
            store.backend(),
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
