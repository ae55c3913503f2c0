//! `utfall demo`: the README's first command. A Swedish B2B company's exports, imported through
//! the real connectors, and its scorecard.

use std::process::ExitCode;

use utfall_app::Clock;
use utfall_app::demo::{DemoRequest, Size, install};

use crate::cli::{DemoArgs, Format, Lang, ScorecardArgs, SizeArg};

pub fn run(args: DemoArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let size = match args.size {
        SizeArg::Small => Size::Small,
        SizeArg::Medium => Size::Medium,
        SizeArg::Large => Size::Large,
    };
    let started = std::time::Instant::now();
    eprintln!(
        "generating Nordkraft AB: three years of marketing and sales (seed {}, {:?})",
        args.seed, args.size
    );
    let installed = install(
        &args.dir,
        &DemoRequest {
            seed: args.seed,
            size,
            clock: Clock::from_option(args.today),
            force: args.force,
            import: !args.no_import,
            history_days: None,
        },
    )?;
    let totals = &installed.totals;
    eprintln!(
        "  up to {}: {} leads, {} companies, {} deals, {} web events; the truth is in `{}`",
        installed.today,
        totals["leads"],
        totals["accounts"],
        totals["deals"],
        totals["web_events"],
        installed.truth_file.display()
    );
    if args.no_import {
        return Ok(ExitCode::SUCCESS);
    }
    for import in &installed.imports {
        eprintln!(
            "  imported {:<32} {:>8} rows → {}{}",
            import.file.display(),
            import.imported,
            import.tables.join(", "),
            if import.rejected > 0 {
                format!(" ({} rejected)", import.rejected)
            } else {
                String::new()
            }
        );
    }
    // The first snapshot, so that history starts with the demo.
    let clock = utfall_app::Clock::Fixed(installed.today);
    let kept = super::block_on(async {
        Ok(utfall_app::memory::after_import(&args.dir, &[], clock).await?)
    })?;
    eprintln!("  kept {} KPI values in the store's history", kept.values);
    let history = super::block_on(async {
        let session = utfall_app::Session::open(&args.dir, clock).await?;
        let store = utfall_app::memory::open_store(&args.dir, &session.workspace).await?;
        let last = installed.last_quarter;
        Ok(utfall_app::review::close_history(&session, &store, last, "demo").await?)
    })?;
    eprintln!("  {}", history.summary());
    eprintln!("done in {:.1} s\n", started.elapsed().as_secs_f64());
    let period = installed.last_quarter;
    super::scorecard::run(
        ScorecardArgs {
            dir: args.dir.clone(),
            period: Some(period.to_string()),
            today: Some(installed.today),
            by: None,
            format: Format::Table,
        },
        lang,
    )?;
    let dir = args.dir.display();
    let fair_year = installed.fair_year;
    let opened = &history.opened;
    eprintln!(
        "\nnext:\n  utfall kpi show won_revenue -C {dir} --grain quarter --compare year\n  \
         utfall explain won_revenue -C {dir} --period {period} --vs year\n  \
         utfall attribution -C {dir} --conversion won_deals --by channel\n  \
         utfall review show {opened} -C {dir}       # decisions followed up\n  \
         utfall mmm fit -C {dir} --kpi leads --holidays      # what each channel adds\n  \
         utfall lift fair_{fair_year}_10 -C {dir} --kpi leads        # what did the fair give?"
    );
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("  utfall serve -C {dir}                          # the web app, again\n");
    super::serve::serve(&args.dir, args.bind, args.today)
}
