//! `utfall kpi show` and `utfall kpi export`: KPI values over time, rendered.

use std::process::ExitCode;

use utfall_app::series::{Compare, SeriesRequest, export, parse_grain, series, split_series};
use utfall_app::{Clock, Session};

use super::{block_on, lang_locale};
use crate::cli::{self, ExportArgs, Format, Lang, ShowArgs};
use crate::output::{print_json, print_stdout, table, write_csv};

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub fn show(args: ShowArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    if args.restate {
        return super::snapshot::restate(&args, lang);
    }
    block_on(async {
        let session = Session::open(&args.dir, Clock::from_option(args.today)).await?;
        let locale = session.locale(lang_locale(lang));
        let request = SeriesRequest {
            kpi: args.id.clone(),
            grain: args.grain.as_deref().map(parse_grain).transpose()?,
            from: args.from,
            to: args.to,
            compare: args.compare.map(|c| match c {
                cli::Compare::Previous => Compare::Previous,
                cli::Compare::Year => Compare::Year,
            }),
            locale: Some(locale),
        };
        let currency = session.currency.as_str();
        if let Some(dimension) = &args.by {
            let split = split_series(&session, &request, dimension).await?;
            let rows: Vec<Vec<String>> = split
                .values
                .iter()
                .map(|p| vec![p.period.to_string(), p.value_of.clone(), number(p.value)])
                .collect();
            match args.format {
                Format::Json => print_json(&split)?,
                Format::Csv => write_csv(&["period", dimension, "value"], &rows)?,
                Format::Table => {
                    let rows: Vec<Vec<String>> = split
                        .values
                        .iter()
                        .map(|p| {
                            vec![
                                p.period.to_string(),
                                p.value_of.clone(),
                                split.unit.format(p.value, currency, locale),
                            ]
                        })
                        .collect();
                    print_stdout(&format!(
                        "{} ({}) by {dimension}\n{}",
                        split.name,
                        split.kpi,
                        table(&["period", dimension, "value"], &rows)
                    ))?;
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        let mut series = series(&session, &request).await?;
        series.annotations = utfall_app::memory::series_annotations(&session, &series).await?;
        match args.format {
            Format::Json => print_json(&series)?,
            Format::Csv => {
                let rows: Vec<Vec<String>> = series
                    .values
                    .iter()
                    .map(|p| vec![p.period.to_string(), number(p.value), number(p.compare)])
                    .collect();
                write_csv(&["period", "value", "compare"], &rows)?;
            }
            Format::Table => {
                let mut headers = vec!["period", "value"];
                if series.compare.is_some() {
                    headers.extend(["compared", "change"]);
                }
                let to_date = locale.say(" (hittills)", " (to date)");
                let unit = series.unit;
                let rows: Vec<Vec<String>> = series
                    .values
                    .iter()
                    .map(|p| {
                        let mut row = vec![
                            format!("{}{}", p.period, if p.running { to_date } else { "" }),
                            unit.format(p.value, currency, locale),
                        ];
                        if series.compare.is_some() {
                            row.push(unit.format(p.compare, currency, locale));
                            row.push(unit.format_change(p.value, p.compare, locale));
                        }
                        row
                    })
                    .collect();
                print_stdout(&format!(
                    "{} ({})\n{}",
                    series.name,
                    series.kpi,
                    table(&headers, &rows)
                ))?;
                // The plan's activities are many (newsletters each month): listed when few.
                let activity = |a: &&utfall_app::memory::Annotation| {
                    a.kind == utfall_app::memory::AnnotationKind::Activity
                };
                let activities = series.annotations.iter().filter(activity).count();
                for a in &series.annotations {
                    if activities > 3 && activity(&a) {
                        continue;
                    }
                    let until = a
                        .ends_on
                        .as_ref()
                        .map(|e| format!(" – {e}"))
                        .unwrap_or_default();
                    let body = a.body.replace(|c: char| c.is_control(), " ");
                    print_stdout(&format!(
                        "  ✎ {}{until}  {body} ({})\n",
                        a.starts_on, a.author
                    ))?;
                }
                if activities > 3 {
                    let more = locale.say(
                        "aktiviteter startar i perioden; `utfall annotate list --kpi`",
                        "activities start in the window; `utfall annotate list --kpi`",
                    );
                    print_stdout(&format!("  ✎ {activities} {more} {}\n", series.kpi))?;
                }
                if series.compare.is_some() && series.values.iter().any(|p| p.running) {
                    eprintln!(
                        "{}",
                        locale.say(
                            "en pågående period jämförs till samma dag i perioden den jämförs med",
                            "a running period is compared up to the same day of the period it is compared with"
                        )
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn export_all(args: ExportArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let session = Session::open(&args.dir, Clock::System).await?;
        let locale = session.locale(lang_locale(lang));
        let grain = parse_grain(&args.grain)?;
        let export = export(&session, grain, args.from, args.to).await?;
        eprintln!(
            "{} KPIs × {} periods in {:.2} s",
            export.kpis.len(),
            export.periods.len(),
            export.seconds
        );
        let running: Vec<bool> = export
            .kpis
            .first()
            .map_or_else(Vec::new, |k| k.running.clone());
        match args.format {
            Format::Table => {
                let to_date = locale.say(" (hittills)", " (to date)");
                let mut headers = vec!["KPI".to_string()];
                headers.extend(
                    export
                        .periods
                        .iter()
                        .zip(&running)
                        .map(|(p, r)| format!("{p}{}", if *r { to_date } else { "" })),
                );
                let rows: Vec<Vec<String>> = export
                    .kpis
                    .iter()
                    .map(|k| {
                        let mut row = vec![k.kpi.clone()];
                        row.extend(
                            k.values
                                .iter()
                                .map(|v| k.unit.format(*v, &session.currency, locale)),
                        );
                        row
                    })
                    .collect();
                let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                print_stdout(&table(&headers, &rows))?;
            }
            Format::Csv => {
                let rows: Vec<Vec<String>> = export
                    .kpis
                    .iter()
                    .flat_map(|k| {
                        export
                            .periods
                            .iter()
                            .zip(&k.values)
                            .map(move |(p, v)| vec![k.kpi.clone(), p.to_string(), number(*v)])
                    })
                    .collect();
                write_csv(&["kpi", "period", "value"], &rows)?;
            }
            Format::Json => print_json(&export.values())?,
        }
        Ok(ExitCode::SUCCESS)
    })
}
