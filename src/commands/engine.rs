//! `utfall kpi show`, `utfall scorecard` and `utfall sql`: the engine at work.

use std::process::ExitCode;

use anyhow::Context as _;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::json;
use utfall_engine::status::{Status, Target, TargetKind, assess};
use utfall_engine::{Engine, EngineConfig};
use utfall_ingest::store::DataStore;
use utfall_model::check::{calendar, check, has_errors};
use utfall_model::locale::Locale;
use utfall_model::period::{Calendar, Grain, Period};
use utfall_model::workspace::{KpiDef, Workspace};

use crate::cli::{Compare, ExplainArgs, Format, Lang, ScorecardArgs, ShowArgs, SqlArgs};
use crate::output::{UserError, print_json, print_stdout, table, write_csv};

pub(crate) struct Opened {
    pub(crate) workspace: Workspace,
    pub(crate) engine: Engine,
    pub(crate) calendar: Calendar,
    pub(crate) zone: jiff::tz::TimeZone,
    pub(crate) currency: String,
}

pub(crate) fn open(dir: &std::path::Path) -> anyhow::Result<Opened> {
    let workspace =
        Workspace::load(dir).with_context(|| format!("cannot open `{}`", dir.display()))?;
    if has_errors(&check(&workspace)) {
        return Err(
            UserError::new(format!("the workspace `{}` has errors", dir.display()))
                .hint(format!("run `utfall check {}` and fix them", dir.display()))
                .into(),
        );
    }
    let config = workspace.config.as_ref().map(|c| &c.def);
    let data_dir = config
        .and_then(|c| c.data_dir.as_ref())
        .map_or("data".to_string(), |d| d.get_ref().clone());
    let store = DataStore::new(dir.join(data_dir));
    let catalog = utfall_model::check::catalog(&workspace);
    let tables = store
        .table_paths()?
        .into_iter()
        .filter_map(|(name, paths)| Some((catalog.table(&name)?.clone(), paths)))
        .collect();
    let time_zone = config
        .and_then(|c| c.time_zone.as_ref())
        .map_or("Europe/Stockholm".to_string(), |z| z.get_ref().clone());
    let zone = jiff::tz::TimeZone::get(&time_zone)
        .map_err(|_| UserError::new(format!("`{time_zone}` is not a time zone")))?;
    let currency = config.map_or("SEK".to_string(), |c| c.currency.get_ref().clone());
    let engine_config = EngineConfig {
        tables,
        calendar: calendar(&workspace),
        time_zone,
        brand: config
            .and_then(|c| c.brand.as_ref())
            .map(|b| b.get_ref().clone()),
        currency: currency.clone(),
        // `UTFALL_ENGINE` overrides `engine` in utfall.toml.
        cluster: std::env::var("UTFALL_ENGINE")
            .ok()
            .filter(|e| !e.is_empty())
            .or_else(|| {
                config
                    .and_then(|c| c.engine.as_ref())
                    .map(|e| e.get_ref().clone())
            }),
    };
    let engine = Engine::new(engine_config, &workspace)?;
    Ok(Opened {
        calendar: calendar(&workspace),
        workspace,
        engine,
        zone,
        currency,
    })
}

/// A value for people, by the KPI's unit.
pub(crate) fn format_value(
    value: Option<f64>,
    unit: &str,
    currency: &str,
    locale: Locale,
) -> String {
    let Some(value) = value else {
        return "–".to_string();
    };
    match unit {
        "count" => locale.number(value, if value.fract().abs() < 1e-9 { 0 } else { 1 }),
        "currency" => locale.money(value, currency, 0),
        "ratio" => locale.percent(value, 1),
        "percent" => format!("{}\u{a0}%", locale.number(value, 1)),
        "score" => locale.number(value, 1),
        _ => locale.number(value, 2),
    }
}

fn format_change(value: Option<f64>, base: Option<f64>, unit: &str, locale: Locale) -> String {
    match (value, base) {
        (Some(v), Some(b)) if unit == "ratio" => {
            let points = (v - b) * 100.0;
            format!(
                "{}{}\u{a0}pe",
                if points >= 0.0 { "+" } else { "" },
                locale.number(points, 1)
            )
        }
        (Some(v), Some(b)) if b != 0.0 => {
            let change = (v - b) / b.abs();
            format!(
                "{}{}",
                if change >= 0.0 { "+" } else { "" },
                locale.percent(change, 1)
            )
        }
        _ => "–".to_string(),
    }
}

/// Problems with the data or definitions are the user's to fix (exit 1); the rest are ours.
fn user_error(error: utfall_engine::EngineError) -> anyhow::Error {
    use utfall_engine::EngineError as E;
    match &error {
        E::MixedCurrencies { .. } => UserError::new(error.to_string()).hint("import exchange rates (`utfall import --preset fx-rates eurofxref-hist.csv`, the ECB's reference rates) so that amounts are converted, or filter the formula to one currency, e.g. `where: currency = 'SEK'`").into(),
        E::MissingRate { .. } => UserError::new(error.to_string()).into(),
        E::UnknownKpi(_) | E::NotComputable(_) | E::Formula { .. } | E::Unsupported(_) | E::MixedGrains | E::TimeZone(_) => {
            UserError::new(error.to_string()).hint("run `utfall check` on the workspace").into()
        }
        _ => error.into(),
    }
}

pub(crate) fn locale_of(lang: Option<Lang>, workspace: &Workspace) -> Locale {
    super::locale(lang, Some(workspace))
}

fn kpi_def<'w>(workspace: &'w Workspace, id: &str) -> anyhow::Result<&'w KpiDef> {
    workspace
        .kpis
        .iter()
        .map(|k| &k.def)
        .find(|k| k.id.get_ref() == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = workspace
                .kpis
                .iter()
                .map(|k| k.def.id.get_ref().as_str())
                .collect();
            let error = UserError::new(format!("the workspace has no KPI `{id}`"));
            match utfall_model::catalog::did_you_mean(id, ids) {
                Some(s) => error.hint(format!("did you mean `{s}`?")).into(),
                None => error
                    .hint(
                        "`utfall kpi tree` lists the KPIs; `utfall kpi add` adds from the library",
                    )
                    .into(),
            }
        })
}

pub fn show(args: ShowArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let opened = open(&args.dir)?;
    let def = kpi_def(&opened.workspace, &args.id)?;
    let locale = locale_of(lang, &opened.workspace);
    let grain_text = args
        .grain
        .clone()
        .or(def.grain.as_ref().map(|g| g.get_ref().clone()))
        .unwrap_or_else(|| "month".into());
    let grain: Grain = grain_text.parse().map_err(|_| {
        UserError::new(format!("`{grain_text}` is not a grain"))
            .hint("use day, week, month, quarter, fiscal_quarter, year or fiscal_year")
    })?;
    let today = jiff::ZonedDateTime::now()
        .with_time_zone(opened.zone.clone())
        .date();
    let to = args.to.unwrap_or(today);
    let from = args
        .from
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().years(1)).unwrap_or(to));
    let periods = Period::covering(from, to, grain, &opened.calendar);
    let compared: Option<Vec<Period>> = args.compare.map(|c| {
        periods
            .iter()
            .map(|p| match c {
                Compare::Previous => p.previous(&opened.calendar),
                Compare::Year => p.same_period_last_year(&opened.calendar),
            })
            .collect()
    });
    if let Some(dimension) = &args.by {
        return show_by(&opened, &args, def, &periods, dimension, locale);
    }
    let mut all = periods.clone();
    if let Some(extra) = &compared {
        all.extend(extra.iter().copied());
    }
    let values = opened
        .engine
        .evaluate(&[args.id.as_str()], &all)
        .map_err(user_error)?;
    let series = &values[&args.id];
    let unit = def.unit.get_ref().as_str();
    let rows: Vec<(Period, Option<f64>, Option<f64>)> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                *p,
                series[i],
                compared.as_ref().and_then(|_| series[periods.len() + i]),
            )
        })
        .collect();
    match args.format {
        Format::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|(p, v, c)| json!({"period": p.to_string(), "value": v, "compare": c}))
                .collect();
            print_json(
                &json!({"kpi": args.id, "unit": unit, "grain": grain.as_str(), "values": items}),
            )?;
        }
        Format::Csv => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|(p, v, c)| {
                    vec![
                        p.to_string(),
                        v.map(|v| v.to_string()).unwrap_or_default(),
                        c.map(|v| v.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            write_csv(&["period", "value", "compare"], &cells)?;
        }
        Format::Table => {
            let name = def.name.get_ref().get(locale).to_string();
            let mut headers = vec!["period", "value"];
            if args.compare.is_some() {
                headers.extend(["compared", "change"]);
            }
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|(p, v, c)| {
                    let mut row = vec![
                        p.to_string(),
                        format_value(*v, unit, &opened.currency, locale),
                    ];
                    if args.compare.is_some() {
                        row.push(format_value(*c, unit, &opened.currency, locale));
                        row.push(format_change(*v, *c, unit, locale));
                    }
                    row
                })
                .collect();
            print_stdout(&format!(
                "{name} ({})\n{}",
                args.id,
                table(&headers, &cells)
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `kpi show --by`: one row per period and dimension value, then the total.
fn show_by(
    opened: &Opened,
    args: &ShowArgs,
    def: &KpiDef,
    periods: &[Period],
    dimension: &str,
    locale: Locale,
) -> anyhow::Result<ExitCode> {
    let id = args.id.as_str();
    let split = opened
        .engine
        .evaluate_by(&[id], periods, dimension)
        .map_err(user_error)?;
    let totals = opened.engine.evaluate(&[id], periods).map_err(user_error)?;
    let by = &split[id];
    let unit = def.unit.get_ref().as_str();
    let mut rows: Vec<(String, String, Option<f64>)> = Vec::new();
    for (i, period) in periods.iter().enumerate() {
        let mut values: Vec<(&String, Option<f64>)> = by
            .iter()
            .map(|(value, series)| (value, series[i]))
            .filter(|(_, v)| v.is_some())
            .collect();
        values.sort_by(|a, b| {
            b.1.unwrap_or(0.0)
                .total_cmp(&a.1.unwrap_or(0.0))
                .then(a.0.cmp(b.0))
        });
        for (value, v) in values {
            rows.push((period.to_string(), value.clone(), v));
        }
        rows.push((period.to_string(), "(total)".to_string(), totals[id][i]));
    }
    match args.format {
        Format::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|(p, d, v)| json!({"period": p, dimension: d, "value": v}))
                .collect();
            print_json(&json!({"kpi": id, "unit": unit, "by": dimension, "values": items}))?;
        }
        Format::Csv => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|(p, d, v)| {
                    vec![
                        p.clone(),
                        d.clone(),
                        v.map(|v| v.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            write_csv(&["period", dimension, "value"], &cells)?;
        }
        Format::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|(p, d, v)| {
                    vec![
                        p.clone(),
                        d.clone(),
                        format_value(*v, unit, &opened.currency, locale),
                    ]
                })
                .collect();
            print_stdout(&format!(
                "{} ({id}) by {dimension}\n{}",
                def.name.get_ref().get(locale),
                table(&["period", dimension, "value"], &cells)
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn target_for(def: &KpiDef, period: Period) -> Option<Target> {
    def.target.iter().find_map(|t| {
        let target_period: Period = t.period.get_ref().parse().ok()?;
        (target_period == period).then(|| Target {
            kind: match t.kind.get_ref().as_str() {
                "above" => TargetKind::Above,
                "below" => TargetKind::Below,
                _ => TargetKind::Reach,
            },
            value: *t.value.get_ref(),
            amber: t.amber.as_ref().map_or(0.1, |a| *a.get_ref()),
        })
    })
}

pub fn scorecard(args: ScorecardArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let opened = open(&args.dir)?;
    let locale = locale_of(lang, &opened.workspace);
    let today = args.today.unwrap_or_else(|| {
        jiff::ZonedDateTime::now()
            .with_time_zone(opened.zone.clone())
            .date()
    });
    let period: Period = match &args.period {
        Some(text) => text
            .parse()
            .map_err(|e: utfall_model::period::PeriodParseError| UserError::new(e.to_string()))?,
        None => Period::containing(today, Grain::FiscalQuarter, &opened.calendar),
    };
    let previous = period.previous(&opened.calendar);
    let last_year = period.same_period_last_year(&opened.calendar);
    let workspace = &opened.workspace;
    // The goal tree: goals in order, each with its KPIs depth-first.
    let mut order: Vec<(String, String, usize)> = Vec::new(); // (goal, kpi, depth)
    fn walk(
        workspace: &Workspace,
        goal: &str,
        id: &str,
        depth: usize,
        order: &mut Vec<(String, String, usize)>,
    ) {
        if order.iter().any(|(_, k, _)| k == id) || depth > 16 {
            return;
        }
        order.push((goal.to_string(), id.to_string(), depth));
        for child in workspace
            .kpis
            .iter()
            .filter(|k| k.def.parent.as_ref().is_some_and(|p| p.get_ref() == id))
        {
            walk(workspace, goal, child.def.id.get_ref(), depth + 1, order);
        }
    }
    for goal in &workspace.goals {
        for kpi in workspace.kpis.iter().filter(|k| {
            k.def.parent.is_none()
                && k.def
                    .goal
                    .as_ref()
                    .is_some_and(|g| g.get_ref() == goal.def.id.get_ref())
        }) {
            walk(
                workspace,
                goal.def.id.get_ref(),
                kpi.def.id.get_ref(),
                0,
                &mut order,
            );
        }
    }
    let ids: Vec<&str> = order.iter().map(|(_, k, _)| k.as_str()).collect();
    let cal = &opened.calendar;
    // A running period is compared to date: with the previous period and the same period last
    // year up to the same day (MTD, QTD, YTD), and forecast with last year's shape.
    let running = period.start(cal) <= today && today < period.end_exclusive(cal);
    let elapsed = if running {
        (today - period.start(cal)).get_days() as i64
    } else {
        0
    };
    let to_date = |p: Period| Period::Range {
        start: p.start(cal),
        end: p
            .start(cal)
            .checked_add(jiff::Span::new().days(elapsed))
            .unwrap_or(p.start(cal))
            .min(
                p.end_exclusive(cal)
                    .checked_sub(jiff::Span::new().days(1))
                    .unwrap_or(p.start(cal)),
            ),
    };
    let mut last_year_full: std::collections::BTreeMap<String, Option<f64>> = Default::default();
    let values = if running {
        for (id, series) in opened
            .engine
            .evaluate(&ids, &[last_year])
            .map_err(user_error)?
        {
            last_year_full.insert(id, series[0]);
        }
        opened
            .engine
            .evaluate(
                &ids,
                &[to_date(period), to_date(previous), to_date(last_year)],
            )
            .map_err(user_error)?
    } else {
        opened
            .engine
            .evaluate(&ids, &[period, previous, last_year])
            .map_err(user_error)?
    };
    let mut json_rows = Vec::new();
    let mut text = format!(
        "{} — {period}\n",
        workspace
            .config
            .as_ref()
            .map_or("", |c| c.def.name.get_ref().as_str())
    );
    // Column headers in the workspace's language, as its KPI names are.
    let headers = if running {
        [
            "KPI",
            locale.say("värde hittills", "value to date"),
            locale.say("mål", "target"),
            locale.say("uppfyllt", "progress"),
            "status",
            locale.say("mot föregående, hittills", "vs previous, to date"),
            locale.say("mot i fjol, hittills", "vs last year, to date"),
        ]
    } else {
        [
            "KPI",
            locale.say("värde", "value"),
            locale.say("mål", "target"),
            locale.say("uppfyllt", "progress"),
            "status",
            locale.say("mot föregående", "vs previous"),
            locale.say("mot i fjol", "vs last year"),
        ]
    };
    if running {
        text.push_str(&format!(
            "{} {} {} {}; {}\n",
            locale.say("Pågående period: dag", "Running period: day"),
            elapsed + 1,
            locale.say("av", "of"),
            period.n_days(cal),
            locale.say(
                "jämförelser till samma dag i tidigare perioder",
                "compared up to the same day of the earlier periods"
            )
        ));
    }
    // Split by a dimension: every KPI whose table has it, in as few scans as the engine can.
    let compared = if running {
        [to_date(period), to_date(previous), to_date(last_year)]
    } else {
        [period, previous, last_year]
    };
    let mut split: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, Vec<Option<f64>>>,
    > = Default::default();
    if let Some(dimension) = &args.by {
        match opened.engine.evaluate_by(&ids, &compared, dimension) {
            Ok(all) => split.extend(all),
            Err(_) => {
                for id in &ids {
                    if let Ok(one) = opened.engine.evaluate_by(&[id], &compared, dimension) {
                        split.extend(one);
                    }
                }
            }
        }
        if split.is_empty() {
            return Err(UserError::new(format!(
                "no KPI of the scorecard can be split by `{dimension}`"
            ))
            .hint("use a column of the KPIs' tables, e.g. channel, campaign_id, platform, source")
            .into());
        }
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut current_goal = String::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let flush = |text: &mut String, rows: &mut Vec<Vec<String>>| {
        if !rows.is_empty() {
            text.push_str(&table(&headers, rows));
            rows.clear();
        }
    };
    for (goal, id, depth) in &order {
        let def = kpi_def(workspace, id)?;
        let series = &values[id.as_str()];
        let (value, before, year_ago) = (series[0], series[1], series[2]);
        let target = target_for(def, period);
        let seasonal = last_year_full
            .get(id.as_str())
            .copied()
            .flatten()
            .zip(year_ago);
        let assessment = assess(value, target, period, today, &opened.calendar, seasonal);
        *counts.entry(assessment.status.as_str()).or_default() += 1;
        let unit = def.unit.get_ref().as_str();
        if goal != &current_goal {
            flush(&mut text, &mut rows);
            let goal_def = workspace.goals.iter().find(|g| g.def.id.get_ref() == goal);
            text.push_str(&format!(
                "\n{}\n",
                goal_def.map_or(goal.as_str(), |g| g.def.name.get_ref().get(locale))
            ));
            current_goal = goal.clone();
        }
        let status = match assessment.status {
            Status::OnTrack => locale.say("● i fas", "● on track"),
            Status::AtRisk => locale.say("▲ i riskzonen", "▲ at risk"),
            Status::OffTrack => locale.say("✖ efter plan", "✖ off track"),
            Status::NoTarget => locale.say("· inget mål", "· no target"),
            Status::NoData => locale.say("– inga data", "– no data"),
        };
        rows.push(vec![
            format!("{}{}", "  ".repeat(*depth), def.name.get_ref().get(locale)),
            format_value(value, unit, &opened.currency, locale),
            target.map_or("–".to_string(), |t| {
                let sign = match t.kind {
                    TargetKind::Below => "≤ ",
                    TargetKind::Above => "≥ ",
                    TargetKind::Reach => "",
                };
                format!(
                    "{sign}{}",
                    format_value(Some(t.value), unit, &opened.currency, locale)
                )
            }),
            assessment
                .progress
                .map_or("–".to_string(), |p| locale.percent(p, 0)),
            status.to_string(),
            format_change(value, before, unit, locale),
            format_change(value, year_ago, unit, locale),
        ]);
        let mut by_rows = Vec::new();
        if let Some(values_by) = split.get(id.as_str()) {
            let mut entries: Vec<(&String, &Vec<Option<f64>>)> =
                values_by.iter().filter(|(_, v)| v[0].is_some()).collect();
            entries.sort_by(|a, b| {
                b.1[0]
                    .unwrap_or(0.0)
                    .total_cmp(&a.1[0].unwrap_or(0.0))
                    .then(a.0.cmp(b.0))
            });
            for (value_name, v) in entries {
                rows.push(vec![
                    format!("{}  · {value_name}", "  ".repeat(*depth)),
                    format_value(v[0], unit, &opened.currency, locale),
                    String::new(),
                    String::new(),
                    String::new(),
                    format_change(v[0], v[1], unit, locale),
                    format_change(v[0], v[2], unit, locale),
                ]);
                by_rows.push(json!({"value": value_name, "current": v[0], "previous": v[1], "last_year": v[2]}));
            }
        }
        json_rows.push(json!({
            "by": if args.by.is_some() { json!(by_rows) } else { serde_json::Value::Null },
            "goal": goal, "kpi": id, "depth": depth, "name": def.name.get_ref().get(locale), "unit": unit,
            "value": value, "previous": before, "last_year": year_ago,
            "target": target.map(|t| t.value), "target_kind": target.map(|t| format!("{:?}", t.kind).to_lowercase()),
            "progress": assessment.progress, "status": assessment.status.as_str(),
            "forecast": assessment.forecast.map(|(v, how)| json!({"value": v, "method": how})),
        }));
    }
    flush(&mut text, &mut rows);
    match args.format {
        Format::Json => print_json(&json!({
            "period": period.to_string(),
            "running": running,
            "previous": if running { to_date(previous).to_string() } else { previous.to_string() },
            "last_year": if running { to_date(last_year).to_string() } else { last_year.to_string() },
            "kpis": json_rows,
        }))?,
        Format::Csv => {
            let cells: Vec<Vec<String>> = json_rows
                .iter()
                .map(|r| {
                    [
                        "goal",
                        "kpi",
                        "value",
                        "target",
                        "progress",
                        "status",
                        "previous",
                        "last_year",
                    ]
                    .iter()
                    .map(|k| match &r[*k] {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
                })
                .collect();
            write_csv(
                &[
                    "goal",
                    "kpi",
                    "value",
                    "target",
                    "progress",
                    "status",
                    "previous",
                    "last_year",
                ],
                &cells,
            )?;
        }
        Format::Table => {
            let summary: Vec<String> = counts
                .iter()
                .map(|(k, v)| {
                    let name = match *k {
                        "on_track" => locale.say("i fas", "on track"),
                        "at_risk" => locale.say("i riskzonen", "at risk"),
                        "off_track" => locale.say("efter plan", "off track"),
                        "no_target" => locale.say("inget mål", "no target"),
                        "no_data" => locale.say("inga data", "no data"),
                        other => other,
                    };
                    format!("{v} {name}")
                })
                .collect();
            text.push_str(&format!(
                "\n{} {}: {}\n",
                order.len(),
                locale.say("KPI:er", "KPIs"),
                summary.join(", ")
            ));
            print_stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every KPI of the workspace × every period of a grain, evaluated in one engine call.
pub fn export(args: crate::cli::ExportArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let opened = open(&args.dir)?;
    let locale = locale_of(lang, &opened.workspace);
    let grain: Grain = args.grain.parse().map_err(|_| {
        UserError::new(format!("`{}` is not a grain", args.grain))
            .hint("use day, week, month, quarter, fiscal_quarter, year or fiscal_year")
    })?;
    let periods = Period::covering(args.from, args.to, grain, &opened.calendar);
    let ids: Vec<&str> = opened
        .workspace
        .kpis
        .iter()
        .map(|k| k.def.id.get_ref().as_str())
        .collect();
    let started = std::time::Instant::now();
    let values = opened.engine.evaluate(&ids, &periods).map_err(user_error)?;
    eprintln!(
        "{} KPIs × {} periods in {:.2} s",
        ids.len(),
        periods.len(),
        started.elapsed().as_secs_f64()
    );
    match args.format {
        Format::Table => {
            let mut headers = vec!["KPI".to_string()];
            headers.extend(periods.iter().map(Period::to_string));
            let rows: Vec<Vec<String>> = ids
                .iter()
                .map(|id| {
                    let unit = kpi_def(&opened.workspace, id)
                        .map(|d| d.unit.get_ref().clone())
                        .unwrap_or_default();
                    let mut row = vec![id.to_string()];
                    row.extend(
                        values[*id]
                            .iter()
                            .map(|v| format_value(*v, &unit, &opened.currency, locale)),
                    );
                    row
                })
                .collect();
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            print_stdout(&table(&headers, &rows))?;
        }
        Format::Csv => {
            let rows: Vec<Vec<String>> = ids
                .iter()
                .flat_map(|id| {
                    periods.iter().zip(&values[*id]).map(move |(p, v)| {
                        vec![
                            id.to_string(),
                            p.to_string(),
                            v.map(|v| v.to_string()).unwrap_or_default(),
                        ]
                    })
                })
                .collect();
            write_csv(&["kpi", "period", "value"], &rows)?;
        }
        Format::Json => {
            let rows: Vec<_> =
                ids.iter()
                    .flat_map(|id| {
                        periods.iter().zip(&values[*id]).map(
                            move |(p, v)| json!({"kpi": id, "period": p.to_string(), "value": v}),
                        )
                    })
                    .collect();
            print_json(&rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn sql(args: SqlArgs) -> anyhow::Result<ExitCode> {
    let opened = open(&args.dir)?;
    let options = datafusion_options();
    let engine = &opened.engine;
    let batches = engine
        .block_on(async {
            engine
                .context()
                .sql_with_options(&args.query, options)
                .await?
                .collect()
                .await
        })
        .map_err(|error| {
            UserError::new(format!("the query failed: {error}"))
                .hint("only SELECT queries over the workspace's tables are allowed")
        })?;
    let Some(first) = batches.first() else {
        print_stdout("(no rows)\n")?;
        return Ok(ExitCode::SUCCESS);
    };
    let schema = first.schema();
    let headers: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    // JSON keeps types: numbers as numbers, booleans as booleans, nulls as null.
    let mut typed: Vec<Vec<serde_json::Value>> = Vec::new();
    let format_options = FormatOptions::default().with_null("");
    for batch in &batches {
        for row in 0..batch.num_rows() {
            typed.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| json_cell(column.as_ref(), row))
                    .collect(),
            );
        }
        let formatters: Vec<ArrayFormatter<'_>> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &format_options))
            .collect::<Result<_, _>>()?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect(),
            );
        }
    }
    match args.format {
        Format::Table => print_stdout(&table(&headers, &rows))?,
        Format::Csv => write_csv(&headers, &rows)?,
        Format::Json => {
            let items: Vec<serde_json::Value> = typed
                .into_iter()
                .map(|row| {
                    serde_json::Value::Object(
                        headers
                            .iter()
                            .zip(row)
                            .map(|(h, v)| ((*h).to_string(), v))
                            .collect(),
                    )
                })
                .collect();
            print_json(&items)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One cell of a query's result as typed JSON.
fn json_cell(column: &dyn arrow::array::Array, row: usize) -> serde_json::Value {
    use arrow::array::AsArray as _;
    use arrow::datatypes::{DataType, Float64Type, Int64Type, UInt64Type};
    if column.is_null(row) {
        return serde_json::Value::Null;
    }
    match column.data_type() {
        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(row)),
        DataType::UInt64 => json!(column.as_primitive::<UInt64Type>().value(row)),
        DataType::Float64 => json!(column.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => json!(column.as_boolean().value(row)),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::Float16
        | DataType::Float32
        | DataType::Decimal128(..) => {
            let text = ArrayFormatter::try_new(column, &FormatOptions::default())
                .map(|f| f.value(row).to_string())
                .unwrap_or_default();
            text.parse::<f64>().map_or(json!(text), |n| json!(n))
        }
        _ => json!(
            ArrayFormatter::try_new(column, &FormatOptions::default())
                .map(|f| f.value(row).to_string())
                .unwrap_or_default()
        ),
    }
}

fn datafusion_options() -> utfall_engine::kpi::SqlOptions {
    utfall_engine::kpi::read_only_sql()
}

/// One line of an explanation.
struct Explained {
    id: String,
    depth: usize,
    before: Option<f64>,
    after: Option<f64>,
    /// In the root KPI's unit.
    contribution: Option<f64>,
    method: Option<&'static str>,
    unit: String,
}

pub fn explain(args: ExplainArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    use utfall_engine::explain::{Relation, contributions};
    let opened = open(&args.dir)?;
    let workspace = &opened.workspace;
    let locale = locale_of(lang, workspace);
    let root = kpi_def(workspace, &args.id)?;
    let period: Period = args
        .period
        .parse()
        .map_err(|e: utfall_model::period::PeriodParseError| UserError::new(e.to_string()))?;
    let base: Period = match args.vs.as_str() {
        "previous" => period.previous(&opened.calendar),
        "year" => period.same_period_last_year(&opened.calendar),
        other => other
            .parse()
            .map_err(|e: utfall_model::period::PeriodParseError| UserError::new(e.to_string()))?,
    };
    if base.grain() != period.grain() {
        return Err(UserError::new(format!(
            "`{base}` and `{period}` are periods of different grains"
        ))
        .hint("compare a quarter with a quarter, a month with a month")
        .into());
    }
    let children_of = |id: &str| -> Vec<&KpiDef> {
        let mut kids: Vec<&KpiDef> = workspace
            .kpis
            .iter()
            .map(|k| &k.def)
            .filter(|k| k.parent.as_ref().is_some_and(|p| p.get_ref() == id))
            .collect();
        // A ratio's numerator first.
        kids.sort_by_key(|k| {
            k.role
                .as_ref()
                .map(|r| r.get_ref() == "denominator")
                .unwrap_or(false)
        });
        kids
    };
    // Every KPI in the subtree.
    let mut subtree = vec![root.id.get_ref().clone()];
    let mut i = 0;
    while i < subtree.len() {
        let id = subtree[i].clone();
        for kid in children_of(&id) {
            if !subtree.contains(kid.id.get_ref()) {
                subtree.push(kid.id.get_ref().clone());
            }
        }
        i += 1;
    }
    let ids: Vec<&str> = subtree.iter().map(String::as_str).collect();
    let values = opened
        .engine
        .evaluate(&ids, &[base, period])
        .map_err(user_error)?;
    let value = |id: &str| (values[id][0], values[id][1]);

    let mut lines: Vec<Explained> = Vec::new();
    let mut residuals: Vec<(String, f64)> = Vec::new();
    // (id, depth, contribution in root units)
    let (root_before, root_after) = value(root.id.get_ref());
    let root_change = root_before.zip(root_after).map(|(b, a)| a - b);
    let mut stack: Vec<(String, usize, Option<f64>, Option<&'static str>)> =
        vec![(root.id.get_ref().clone(), 0, root_change, None)];
    while let Some((id, depth, allotted, method)) = stack.pop() {
        let def = kpi_def(workspace, &id)?;
        let (before, after) = value(&id);
        lines.push(Explained {
            id: id.clone(),
            depth,
            before,
            after,
            contribution: allotted,
            method,
            unit: def.unit.get_ref().clone(),
        });
        let kids = children_of(&id);
        if kids.is_empty() {
            continue;
        }
        let relation = match def.relation.as_ref().map(|r| r.get_ref().as_str()) {
            Some("sum") => Some(Relation::Sum),
            Some("product") => Some(Relation::Product),
            Some("ratio") if kids.len() == 2 => Some(Relation::Ratio),
            _ => None,
        };
        let kid_values: Vec<(Option<f64>, Option<f64>)> =
            kids.iter().map(|k| value(k.id.get_ref())).collect();
        let complete: Option<(Vec<f64>, Vec<f64>)> = kid_values
            .iter()
            .map(|(b, a)| b.zip(*a))
            .collect::<Option<Vec<_>>>()
            .map(|pairs| pairs.into_iter().unzip());
        let mut shares: Vec<Option<f64>> = vec![None; kids.len()];
        let mut used = None;
        if let (Some(relation), Some((kb, ka)), Some(allotted)) = (relation, complete, allotted) {
            let (parts, how) = contributions(relation, &kb, &ka);
            let modelled: f64 = parts.iter().sum();
            used = Some(how.as_str());
            if depth == 0 {
                // The root's change in its own unit: the parts, and what the relation does not explain.
                if let Some(change) = root_change {
                    let residual = change - modelled;
                    if residual.abs() > 1e-9 * change.abs().max(1.0) {
                        residuals.push((id.clone(), residual));
                    }
                }
                shares = parts.iter().map(|p| Some(*p)).collect();
            } else if modelled.abs() > 0.0 {
                shares = parts
                    .iter()
                    .map(|p| Some(allotted * p / modelled))
                    .collect();
            }
        }
        for (kid, share) in kids.iter().zip(shares).rev() {
            stack.push((kid.id.get_ref().clone(), depth + 1, share, used));
        }
    }
    let unit_of_root = root.unit.get_ref().clone();
    // The dimension values that moved each KPI most.
    // Without `--by`, the first of the usual channel columns the KPI's table has.
    let candidates: Vec<String> = match &args.by {
        Some(by) => vec![by.clone()],
        None => ["channel", "source", "original_channel"]
            .map(String::from)
            .to_vec(),
    };
    type Moved = Vec<(String, Option<f64>, Option<f64>, f64)>;
    let mut movers: Vec<(String, String, Moved)> = Vec::new();
    for line in &lines {
        let mut found = None;
        for dimension in &candidates {
            match opened
                .engine
                .evaluate_by(&[line.id.as_str()], &[base, period], dimension)
            {
                Ok(split) => {
                    found = Some((dimension.clone(), split));
                    break;
                }
                Err(error) if args.by.is_some() && line.depth == 0 => {
                    return Err(user_error(error));
                }
                Err(_) => {}
            }
        }
        let Some((dimension, split)) = found else {
            continue;
        };
        let Some(by_value) = split.get(&line.id) else {
            continue;
        };
        let mut moved: Vec<(String, Option<f64>, Option<f64>, f64)> = by_value
            .iter()
            .filter_map(|(value, series)| {
                let (b, a) = (series[0], series[1]);
                let change = a.unwrap_or(0.0) - b.unwrap_or(0.0);
                (b.is_some() || a.is_some()).then(|| (value.clone(), b, a, change))
            })
            .filter(|m| m.3 != 0.0)
            .collect();
        moved.sort_by(|x, y| y.3.abs().total_cmp(&x.3.abs()).then(x.0.cmp(&y.0)));
        moved.truncate(args.top);
        if !moved.is_empty() {
            movers.push((line.id.clone(), dimension, moved));
        }
    }
    match args.format {
        Format::Json => {
            let movers_json: Vec<_> = movers
                .iter()
                .map(|(id, dimension, moved)| {
                    json!({
                        "kpi": id,
                        "dimension": dimension,
                        "values": moved.iter().map(|(v, b, a, c)| json!({"value": v, "before": b, "after": a, "change": c})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let items: Vec<_> = lines
                .iter()
                .map(|l| json!({"kpi": l.id, "depth": l.depth, "before": l.before, "after": l.after, "change": l.before.zip(l.after).map(|(b, a)| a - b), "contribution": l.contribution, "method": l.method}))
                .collect();
            let residual: Vec<_> = residuals
                .iter()
                .map(|(id, r)| json!({"kpi": id, "residual": r}))
                .collect();
            print_json(
                &json!({"kpi": args.id, "period": period.to_string(), "vs": base.to_string(), "lines": items, "unexplained": residual, "movers": movers_json}),
            )?;
        }
        _ => {
            let base_label = base.to_string();
            let period_label = period.to_string();
            let headers = [
                "KPI",
                base_label.as_str(),
                period_label.as_str(),
                "change",
                "contribution",
            ];
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| {
                    let name = kpi_def(workspace, &l.id)
                        .map(|d| d.name.get_ref().get(locale).to_string())
                        .unwrap_or_else(|_| l.id.clone());
                    vec![
                        format!("{}{}", "  ".repeat(l.depth), name),
                        format_value(l.before, &l.unit, &opened.currency, locale),
                        format_value(l.after, &l.unit, &opened.currency, locale),
                        format_change(l.after, l.before, &l.unit, locale),
                        match (l.depth, l.contribution) {
                            (0, _) => String::new(),
                            (_, Some(c)) => format!(
                                "{}{}{}",
                                if c >= 0.0 { "+" } else { "" },
                                format_value(Some(c), &unit_of_root, &opened.currency, locale),
                                l.method.map(|m| format!(" ({m})")).unwrap_or_default()
                            ),
                            (_, None) => "–".to_string(),
                        },
                    ]
                })
                .collect();
            let mut text = table(&headers, &rows);
            for (id, residual) in &residuals {
                text.push_str(&format!(
                    "not explained by the children of `{id}`: {}\n",
                    format_value(Some(*residual), &unit_of_root, &opened.currency, locale)
                ));
            }
            if !movers.is_empty() {
                text.push_str(&format!(
                    "\n{}:\n",
                    locale.say("Störst förändring per värde", "Largest movers")
                ));
                for (id, dimension, moved) in &movers {
                    let def = kpi_def(workspace, id)?;
                    let unit = def.unit.get_ref().as_str();
                    let parts: Vec<String> = moved
                        .iter()
                        .map(|(v, b, a, c)| {
                            format!(
                                "{v} {}{} ({} → {})",
                                if *c >= 0.0 { "+" } else { "" },
                                format_value(Some(*c), unit, &opened.currency, locale),
                                format_value(*b, unit, &opened.currency, locale),
                                format_value(*a, unit, &opened.currency, locale)
                            )
                        })
                        .collect();
                    text.push_str(&format!(
                        "  {} ({dimension}): {}\n",
                        def.name.get_ref().get(locale),
                        parts.join(", ")
                    ));
                }
            }
            print_stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
