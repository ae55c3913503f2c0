//! `utfall import`: files into the canonical tables, with a clear account of every row.

use std::process::ExitCode;

use utfall_app::import::{
    Dates, DryRun, ImportRequest, ImportSummary, Imported, REJECTED_COLUMNS, log, plan, presets,
    rejected,
};

use crate::cli::{Format, ImportArgs};
use utfall_app::present::import as present;

use crate::output::{
    lines, print_json, print_stdout, table, text_table, write_csv, write_table_csv,
};

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    if args.list_presets {
        let rows: Vec<Vec<String>> = presets()
            .iter()
            .map(|(name, what)| vec![(*name).to_string(), (*what).to_string()])
            .collect();
        print_stdout(&table(&["preset", "reads"], &rows))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.log {
        return show_log(&args.dir, args.format);
    }
    if args.rejected {
        return show_rejected(&args, args.format);
    }
    let request = ImportRequest {
        files: args.files.clone(),
        preset: args.preset.clone(),
        source: args.source.clone(),
        table: args.table.clone(),
        mappings: args.mappings.clone(),
        constants: args.constants.clone(),
        currency: args.currency.clone(),
        delimiter: args.delimiter,
        decimal_comma: if args.decimal_comma {
            Some(true)
        } else if args.decimal_point {
            Some(false)
        } else {
            None
        },
        dates: if args.month_first {
            Some(Dates::MonthFirst)
        } else if args.day_first {
            Some(Dates::DayFirst)
        } else {
            None
        },
        encoding: args.encoding.clone(),
        dry_run: args.dry_run,
    };
    let plan = plan(&args.dir, &request)?;
    let mut any_rejected = false;
    let mut reports = Vec::new();
    for job in &plan.jobs {
        let progress = crate::output::ProgressReporter::new(&job.file.display().to_string());
        let result = plan.run(job, &progress);
        progress.finish();
        let summary = result?;
        any_rejected |= summary.rejected > 0;
        if args.dry_run {
            print_dry_run(&summary, &job.preset, args.format)?;
        } else {
            report(&summary, &job.preset, &plan.data_dir);
        }
        reports.push(summary);
    }
    if !args.dry_run
        && reports
            .iter()
            .any(|r| !r.already_imported && r.imported > 0)
    {
        remember(&args.dir, &reports);
    }
    if args.format == Format::Json && !args.dry_run {
        let items: Vec<Imported<'_>> = reports.iter().map(Imported::from).collect();
        print_json(&items)?;
    }
    if any_rejected && !args.allow_rejects {
        eprintln!(
            "some rows were rejected and kept in the quarantine; fix them and import again, or pass `--allow-rejects`"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Notes the imports in the store and snapshots every KPI on the new data; the data is in
/// whatever happens, so a failure here is a warning.
fn remember(dir: &std::path::Path, reports: &[ImportSummary]) {
    let clock = utfall_app::Clock::System;
    match super::block_on(async {
        Ok(utfall_app::memory::after_import(dir, reports, clock).await?)
    }) {
        Ok(r) => eprintln!(
            "snapshot: {} of {} KPI values changed",
            r.outcome.values_written, r.values
        ),
        Err(error) => eprintln!(
            "warning: the import is in, but no snapshot was taken: {error:#}; run `utfall snapshot`"
        ),
    }
}

fn report(summary: &ImportSummary, preset: &str, data_dir: &str) {
    for line in present::summary_lines(summary, preset, data_dir) {
        eprintln!("{line}");
    }
}

fn print_dry_run(summary: &ImportSummary, preset: &str, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(&DryRun::new(summary, preset)),
        Format::Csv => write_table_csv(&present::mapping(summary)),
        Format::Table => {
            let (head, mapping, tail) = present::dry_run(summary, preset);
            let Some(mapping) = mapping else {
                return print_stdout(&lines(&head));
            };
            print_stdout(&format!(
                "{}\n{}\n{}",
                lines(&head),
                text_table(&mapping),
                lines(&tail)
            ))
        }
    }
}

fn show_log(dir: &std::path::Path, format: Format) -> anyhow::Result<ExitCode> {
    let imports = log(dir)?;
    let laid_out = present::log_table(&imports);
    match format {
        Format::Json => print_json(&imports)?,
        Format::Csv => write_table_csv(&laid_out)?,
        Format::Table => print_stdout(&text_table(&laid_out))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The rows an import kept in the quarantine: file, line, column, reason, record.
fn show_rejected(args: &ImportArgs, format: Format) -> anyhow::Result<ExitCode> {
    let Some(rejected) = rejected(&args.dir, &args.files)? else {
        eprintln!("no import has rejected rows");
        return Ok(ExitCode::SUCCESS);
    };
    eprintln!(
        "{} rejected rows of `{}` ({}), kept in `{}`",
        rejected.rows.len(),
        rejected.file,
        rejected.at,
        rejected.path.display()
    );
    let headers = REJECTED_COLUMNS;
    match format {
        Format::Json => print_json(&utfall_app::wire::TextRows {
            columns: &headers,
            rows: &rejected.rows,
        })?,
        Format::Csv => write_csv(&headers, &rejected.rows)?,
        Format::Table => {
            let short: Vec<Vec<String>> = rejected
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            if i == 4 && c.chars().count() > 60 {
                                format!("{}…", c.chars().take(59).collect::<String>())
                            } else {
                                c.clone()
                            }
                        })
                        .collect()
                })
                .collect();
            print_stdout(&table(&headers, &short))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
