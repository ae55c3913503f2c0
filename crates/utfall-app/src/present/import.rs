//! An import's account laid out for people: what was read and written, what was decided,
//! assumed, rejected and left out — for the CLI's stderr and the web app's import page alike.

use utfall_ingest::import::ImportSummary;
use utfall_ingest::store::ImportRecord;

use crate::import::skipped_why;
use crate::present::Table;

/// What an import did, one line each (an already imported file in one line).
pub fn summary_lines(summary: &ImportSummary, preset: &str, data_dir: &str) -> Vec<String> {
    if summary.already_imported {
        return vec![format!(
            "`{}` was already imported with `{preset}`; nothing changed",
            summary.file
        )];
    }
    let mut lines = vec![format!(
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
    )];
    if summary.replaced > 0 {
        lines.push(format!(
            "  {} rows of earlier imports were replaced by this file's rows with the same key (a restatement)",
            summary.replaced
        ));
    }
    lines.extend(findings(summary).into_iter().map(|l| format!("  {l}")));
    for (line, column, reason) in &summary.rejections {
        if column.is_empty() {
            lines.push(format!("  line {line}: {reason}"));
        } else {
            lines.push(format!("  line {line}, column `{column}`: {reason}"));
        }
    }
    if let Some(quarantine) = &summary.quarantine {
        lines.push(format!(
            "  rejected rows are kept in `{data_dir}/{quarantine}` with their line and reason"
        ));
    }
    lines
}

/// The notes, warnings and columns left out.
fn findings(summary: &ImportSummary) -> Vec<String> {
    let mut lines: Vec<String> = summary.notes.iter().map(|n| format!("note: {n}")).collect();
    lines.extend(summary.warnings.iter().map(|w| format!("warning: {w}")));
    if !summary.unmapped.is_empty() {
        lines.push(format!(
            "not imported (no canonical column takes them): {}",
            summary
                .unmapped
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines
}

/// What a dry run found: the lines before the mapping (how the file is read), the mapping, and
/// the lines after it (the first rows and the findings). An already imported file is one line.
pub fn dry_run(summary: &ImportSummary, preset: &str) -> (Vec<String>, Option<Table>, Vec<String>) {
    if summary.already_imported {
        let line = format!(
            "{} was already imported with `{preset}`: importing it again changes nothing",
            summary.file
        );
        return (vec![line], None, Vec::new());
    }
    let delimiter = match summary.delimiter {
        '\t' => "tab".to_string(),
        other => format!("`{other}`"),
    };
    let head = vec![
        format!(
            "{} ({preset} → {})",
            summary.file,
            summary.tables.join(", ")
        ),
        format!(
            "  {}, encoding {}, delimiter {delimiter}, decimal {}, dates {}, header on line {}",
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
        ),
        format!(
            "  {} rows would be imported, {} rejected",
            summary.imported, summary.rejected
        ),
    ];
    let mut tail = vec!["first rows:".to_string()];
    tail.extend(
        summary
            .preview
            .iter()
            .map(|row| format!("  {}", row.join(" | "))),
    );
    if summary.replaced > 0 {
        tail.push(String::new());
        tail.push(format!(
            "{} stored rows would be replaced by this file's rows with the same key (a restatement)",
            summary.replaced
        ));
    }
    if summary.skipped > 0 {
        tail.push(String::new());
        tail.push(format!(
            "{} rows would be skipped ({})",
            summary.skipped,
            skipped_why(preset)
        ));
    }
    tail.extend(findings(summary));
    (head, Some(mapping(summary)), tail)
}

/// Which canonical column each file column went to.
pub fn mapping(summary: &ImportSummary) -> Table {
    Table::new(
        ["column", "from"],
        summary
            .mapping
            .iter()
            .map(|(t, s)| vec![t.clone(), s.clone()])
            .collect(),
    )
}

/// The import log.
pub fn log_table(imports: &[ImportRecord]) -> Table {
    let rows = imports
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
    Table::new(
        [
            "at",
            "file",
            "preset",
            "tables",
            "read",
            "imported",
            "duplicates",
            "rejected",
            "sha256",
        ],
        rows,
    )
}
