//! `utfall snapshot` and `utfall kpi history`: what every KPI is now, kept; what a KPI was
//! reported as.

use std::process::ExitCode;

use utfall_app::memory::{HistoryRequest, SnapshotRequest};

use super::{block_on, lang_locale, memory};
use crate::cli::{Format, HistoryArgs, Lang, SnapshotArgs};
use utfall_app::present::memory as present;

use crate::output::{emit_table, print_json, print_stdout};

pub fn run(args: SnapshotArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let (session, store) = memory(&args.at).await?;
        let request = SnapshotRequest {
            reason: "manual".into(),
            from: args.from,
            to: args.to,
            grains: args
                .grain
                .iter()
                .map(|g| utfall_app::series::parse_grain(g))
                .collect::<Result<_, _>>()?,
        };
        let report = utfall_app::memory::snapshot(&session, &store, &request).await?;
        match args.at.format {
            Format::Json => print_json(&report)?,
            _ => print_stdout(&format!("{}\n", present::snapshot(&report)))?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn history(args: HistoryArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let (session, store) = memory(&args.at).await?;
        let request = HistoryRequest {
            kpi: args.id.clone(),
            grain: args
                .grain
                .as_deref()
                .map(utfall_app::series::parse_grain)
                .transpose()?,
            period: args.period.as_deref().map(str::parse).transpose()?,
        };
        let history = utfall_app::memory::history(&session, &store, &request).await?;
        if args.at.format == Format::Table {
            let locale = session.locale(lang_locale(lang));
            let lines = history.sentences(&session.currency, locale);
            if lines.is_empty() {
                eprintln!("no snapshot has {}; `utfall snapshot` takes one", args.id);
            }
            return print_stdout(&crate::output::lines(&lines)).map(|()| ExitCode::SUCCESS);
        }
        emit_table(args.at.format, &history, &present::history_rows(&history))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `kpi show --restate`: the old and new definitions' values side by side.
pub fn restate(args: &crate::cli::ShowArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let at = crate::cli::Where {
        dir: args.dir.clone(),
        format: args.format,
        today: args.today,
    };
    block_on(async {
        let (session, store) = memory(&at).await?;
        let grain = utfall_app::series::parse_grain(args.grain.as_deref().unwrap_or("month"))?;
        let r = utfall_app::memory::restatement(&session, &store, &args.id, grain).await?;
        let locale = (args.format == Format::Table).then(|| session.locale(lang_locale(lang)));
        let unit = session.workspace.kpi(&args.id)?.unit();
        emit_table(
            args.format,
            &r,
            &present::restatement(&r, unit, &session.currency, locale),
        )?;
        Ok(ExitCode::SUCCESS)
    })
}
