//! `utfall import`: files into the canonical tables, with a clear account of every row.

use std::process::ExitCode;

use utfall_app::import::{
    Dates, DryRun, ImportRequest, ImportSummary, Imported, REJECTED_COLUMNS, log, plan, presets,
    rejected, skipped_why,
};

use crate::cli::{Format, ImportArgs};
use crate::output::{print_json, print_stdout, table, write_csv};

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

fn report(summary: &ImportSummary, preset: &str, data_dir: &str) {
    if summary.already_imported {
        eprintln!(
            "`{}` was already imported with `{preset}`; nothing changed",
            summary.file
        );
        return;
    }
    eprintln!(
        "imported `{}` ({preset} → {}): read {}, imported {}, duplicates {}, rejected {}{}",
        summary.file,
        summary.tables.join(", "),
        summary.read,
        summary.imported,
        summary.duplicates,
        summary.rejected,
        if summary.skipped > 0 {
            format!(", skipped {} ({})", summary.skipped, skipped_why(preset))
        } else {
            String::new()
        }
    );
    print_findings(summary);
    for (line, column, reason) in &summary.rejections {
        if column.is_empty() {
            eprintln!("  line {line}: {reason}");
        } else {
            eprintln!("  line {line}, column `{column}`: {reason}");
        }
    }
    if let Some(quarantine) = &summary.quarantine {
        eprintln!(
            "  rejected rows are kept in `{data_dir}/{quarantine}` with their line and reason"
        );
    }
}

/// What the import decided, assumed and left out, for people (stderr).
fn print_findings(summary: &ImportSummary) {
    if summary.replaced > 0 {
        eprintln!(
            "  {} rows of earlier imports were replaced by this file's rows with the same key (a restatement)",
            summary.replaced
        );
    }
    for note in &summary.notes {
        eprintln!("  note: {note}");
    }
    for warning in &summary.warnings {
        eprintln!("  warning: {warning}");
    }
    if !summary.unmapped.is_empty() {
        eprintln!(
            "  not imported (no canonical column takes them): {}",
            summary
                .unmapped
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn print_dry_run(summary: &ImportSummary, preset: &str, format: Format) -> anyhow::Result<()> {
    if summary.already_imported && format == Format::Table {
        return print_stdout(&format!(
            "{} was already imported with `{preset}`: importing it again changes nothing\n",
            summary.file
        ));
    }
    if format == Format::Json {
        return print_json(&DryRun::new(summary, preset));
    }
    if format == Format::Csv {
        let rows: Vec<Vec<String>> = summary
            .mapping
            .iter()
            .map(|(t, s)| vec![t.clone(), s.clone()])
            .collect();
        return write_csv(&["column", "from"], &rows);
    }
    let delimiter = match summary.delimiter {
        '\t' => "tab".to_string(),
        other => format!("`{other}`"),
    };
    let mut text = format!(
        "{} ({preset} → {})\n  {}, encoding {}, delimiter {delimiter}, decimal {}, dates {}, header on line {}\n  {} rows would be imported, {} rejected\n\n",
        summary.file,
        summary.tables.join(", "),
        summary.format,
        summary.encoding,
        if summary.decimal_comma {
            "comma"
        } else {
            "point"
        },
        if summary.day_first {
            "day first"
        } else {
            "month first"
        },
        summary.header_line,
        summary.imported,
        summary.rejected,
    );
    let rows: Vec<Vec<String>> = summary
        .mapping
        .iter()
        .map(|(t, s)| vec![t.clone(), s.clone()])
        .collect();
    text.push_str(&table(&["column", "from"], &rows));
    text.push_str("\nfirst rows:\n");
    for row in &summary.preview {
        text.push_str(&format!("  {}\n", row.join(" | ")));
    }
    if summary.replaced > 0 {
        text.push_str(&format!(
            "\n{} stored rows would be replaced by this file's rows with the same key (a restatement)\n",
            summary.replaced
        ));
    }
    if summary.skipped > 0 {
        text.push_str(&format!(
            "\n{} rows would be skipped ({})\n",
            summary.skipped,
            skipped_why(preset)
        ));
    }
    for note in &summary.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    for warning in &summary.warnings {
        text.push_str(&format!("warning: {warning}\n"));
    }
    if !summary.unmapped.is_empty() {
        text.push_str(&format!(
            "not imported (no canonical column takes them): {}\n",
            summary
                .unmapped
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    print_stdout(&text)
}

fn show_log(dir: &std::path::Path, format: Format) -> anyhow::Result<ExitCode> {
    let imports = log(dir)?;
    let headers = [
        "at",
        "file",
        "preset",
        "tables",
        "read",
        "imported",
        "duplicates",
        "rejected",
        "sha256",
    ];
    let rows: Vec<Vec<String>> = imports
        .iter()
        .map(|i| {
            vec![
                i.at.clone(),
                i.file.clone(),
                i.preset.clone(),
                i.tables.join(" "),
                i.read.to_string(),
                i.imported.to_string(),
                i.duplicates.to_string(),
                i.rejected.to_string(),
                i.sha256[..12.min(i.sha256.len())].to_string(),
            ]
        })
        .collect();
    match format {
        Format::Json => print_json(&imports)?,
        Format::Csv => write_csv(&headers, &rows)?,
        Format::Table => print_stdout(&table(&headers, &rows))?,
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
