//! `utfall demo`: the README's first command. A Swedish B2B company's exports, imported through
//! the real connectors, and its scorecard.

use std::process::ExitCode;

use anyhow::Context as _;
use utfall_demo::{DemoConfig, Size, generate};
use utfall_ingest::import::{ImportOptions, Silent, import_file};
use utfall_ingest::parse::DateOrder;
use utfall_ingest::store::DataStore;
use utfall_model::period::{Grain, Period};
use utfall_model::workspace::Workspace;

use crate::cli::{DemoArgs, Format, Lang, ScorecardArgs, SizeArg};
use crate::output::UserError;

pub fn run(args: DemoArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    if args.dir.join("utfall.toml").exists() {
        if !args.force {
            return Err(UserError::new(format!(
                "`{}` already holds a workspace",
                args.dir.display()
            ))
            .hint("pass `--force` to replace the demo, or name another folder")
            .into());
        }
        for old in ["data", "exports", "plan", "kpis"] {
            let _ = std::fs::remove_dir_all(args.dir.join(old));
        }
    }
    let today = args
        .today
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let size = match args.size {
        SizeArg::Small => Size::Small,
        SizeArg::Medium => Size::Medium,
        SizeArg::Large => Size::Large,
    };
    let started = std::time::Instant::now();
    eprintln!(
        "generating Nordkraft AB: three years of marketing and sales up to {today} (seed {}, {:?})",
        args.seed, args.size
    );
    let (exports, truth) = generate(
        &args.dir,
        &DemoConfig {
            seed: args.seed,
            size,
            today,
            history_days: None,
        },
    )
    .context("failed to write the demo")?;
    let totals = &truth["totals"];
    eprintln!(
        "  {} leads, {} companies, {} deals, {} web events; the truth is in `{}`",
        totals["leads"],
        totals["accounts"],
        totals["deals"],
        totals["web_events"],
        args.dir.join("truth.json").display()
    );
    if args.no_import {
        return Ok(ExitCode::SUCCESS);
    }
    let workspace = Workspace::load(&args.dir)?;
    let store = DataStore::new(args.dir.join("data"));
    let catalog = utfall_model::check::catalog(&workspace);
    let time_zone = jiff::tz::TimeZone::get("Europe/Stockholm")
        .map_err(|_| UserError::new("no time zone data"))?;
    for export in &exports {
        let options = ImportOptions {
            preset: export.preset.to_string(),
            mapping: Default::default(),
            table: export.table.map(str::to_string),
            constants: Default::default(),
            // The demo company's exports are in kronor where they do not say.
            currency: Some("SEK".into()),
            workspace_currency: "SEK".into(),
            time_zone: time_zone.clone(),
            delimiter: None,
            decimal_comma: None,
            date_order: None,
            default_date_order: DateOrder::DayFirst,
            encoding: None,
            dry_run: false,
        };
        let summary = import_file(&store, &export.path, &options, &catalog, &Silent)
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        let relative = export.path.strip_prefix(&args.dir).unwrap_or(&export.path);
        eprintln!(
            "  imported {:<32} {:>8} rows → {}{}",
            relative.display(),
            summary.imported,
            summary.tables.join(", "),
            if summary.rejected > 0 {
                format!(" ({} rejected)", summary.rejected)
            } else {
                String::new()
            }
        );
    }
    eprintln!("done in {:.1} s\n", started.elapsed().as_secs_f64());
    // The last complete fiscal quarter.
    let calendar = utfall_model::check::calendar(&workspace);
    let period = Period::containing(today, Grain::FiscalQuarter, &calendar).previous(&calendar);
    super::scorecard::run(
        ScorecardArgs {
            dir: args.dir.clone(),
            period: Some(period.to_string()),
            today: Some(today),
            by: None,
            format: Format::Table,
        },
        lang,
    )?;
    let dir = args.dir.display();
    eprintln!("\nnext:");
    eprintln!("  utfall kpi show won_revenue -C {dir} --grain quarter --compare year");
    eprintln!("  utfall explain won_revenue -C {dir} --period {period} --vs year");
    eprintln!("  utfall attribution -C {dir} --conversion won_deals --by channel");
    eprintln!("  utfall sql -C {dir} \"select channel, sum(cost) from spend group by channel\"");
    eprintln!("  utfall mmm fit -C {dir} --kpi leads --holidays      # what each channel adds");
    // The latest October fair whose two weeks after have passed.
    let fair_year = if (today.month(), today.day()) > (10, 24) {
        today.year()
    } else {
        today.year() - 1
    };
    eprintln!(
        "  utfall lift fair_{fair_year}_10 -C {dir} --kpi leads        # what did the fair give?"
    );
    if !args.no_serve {
        eprintln!("  (the web app is not built yet; `--no-serve` is implied)");
    }
    Ok(ExitCode::SUCCESS)
}
