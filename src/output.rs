//! Terminal output: errors with hints, aligned tables, CSV that is safe to open in Excel.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// A mistake of the user's (bad input, bad arguments): exit 1 with a hint.
#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> UserError {
        UserError {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> UserError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Whether stderr may carry colour.
pub fn color_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

pub fn paint(text: &str, ansi: &str, enabled: bool) -> String {
    if enabled {
        format!("\x1b[{ansi}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Prints an error with its causes and hint; returns the exit code (1 user, 2 internal).
pub fn report_error(error: &anyhow::Error) -> ExitCode {
    // A closed pipe (`utfall kpi library | head`) is not an error.
    if error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }) {
        return ExitCode::SUCCESS;
    }
    let color = color_stderr();
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{} {error}", paint("error:", "1;31", color));
    for cause in error.chain().skip(1) {
        let _ = writeln!(stderr, "  {} {cause}", paint("caused by:", "1", color));
    }
    let user = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<UserError>());
    let app = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<utfall_app::AppError>());
    let hint = user
        .and_then(|u| u.hint.as_deref())
        .or_else(|| app.and_then(utfall_app::AppError::hint_text));
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "{} {hint}", paint("hint:", "1;36", color));
    }
    // The outermost classified error decides: ours (exit 2) unless it is the user's to fix.
    let is_user_error = user.is_some()
        || app.is_some_and(utfall_app::AppError::is_user)
        || error.chain().any(|cause| {
            cause
                .downcast_ref::<utfall_model::workspace::LoadError>()
                .is_some()
                || cause
                    .downcast_ref::<utfall_model::period::PeriodParseError>()
                    .is_some()
        });
    if is_user_error {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}

/// An aligned plain-text table.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let width = |text: &str| text.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(headers.to_vec());
    line(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// A laid-out table as aligned text, its notes under it after a blank line.
pub fn text_table(laid_out: &utfall_app::present::Table) -> String {
    let headers: Vec<&str> = laid_out.headers.iter().map(String::as_str).collect();
    let mut out = table(&headers, &laid_out.rows);
    if !laid_out.notes.is_empty() {
        out.push('\n');
        out.push_str(&lines(&laid_out.notes));
    }
    out
}

/// Rows as JSON (`json`), CSV or an aligned table; people's text in the cells has its control
/// characters (terminal escapes) replaced in the table.
pub fn emit(
    format: crate::cli::Format,
    json: &impl serde::Serialize,
    headers: &[&str],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    match format {
        crate::cli::Format::Json => print_json(json),
        crate::cli::Format::Csv => write_csv(headers, rows),
        crate::cli::Format::Table => {
            let clean: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| c.replace(|ch: char| ch.is_control(), " "))
                        .collect()
                })
                .collect();
            print_stdout(&table(headers, &clean))
        }
    }
}

/// A laid-out table as JSON (`json`), CSV or aligned text.
pub fn emit_table(
    format: crate::cli::Format,
    json: &impl serde::Serialize,
    laid_out: &utfall_app::present::Table,
) -> anyhow::Result<()> {
    match format {
        crate::cli::Format::Json => print_json(json),
        crate::cli::Format::Csv => write_table_csv(laid_out),
        crate::cli::Format::Table => print_stdout(&text_table(laid_out)),
    }
}

/// Sentences, one a line.
pub fn lines(sentences: &[String]) -> String {
    sentences.iter().map(|line| format!("{line}\n")).collect()
}

/// A laid-out table as CSV on stdout (its notes are for people and are left out).
pub fn write_table_csv(laid_out: &utfall_app::present::Table) -> anyhow::Result<()> {
    let headers: Vec<&str> = laid_out.headers.iter().map(String::as_str).collect();
    write_csv(&headers, &laid_out.rows)
}

/// A CSV cell that spreadsheet programs will not run as a formula. A plain number (`-0.25`,
/// `-1e-3`) stays as it is: it is no formula, and a prefix would turn it into text.
pub fn csv_safe(cell: &str) -> String {
    let plain_number = cell.parse::<f64>().is_ok_and(f64::is_finite)
        && cell
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if !plain_number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let stdout = std::io::stdout().lock();
    let mut writer = csv::Writer::from_writer(stdout);
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| csv_safe(cell)))?;
    }
    writer.flush()?;
    Ok(())
}

pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Writes a value to stdout as pretty-printed JSON, one document per command.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    print_stdout(&format!("{}\n", serde_json::to_string_pretty(value)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("-2+3"), "'-2+3");
        // Negative numbers are data, not formulas.
        assert_eq!(csv_safe("-0.25"), "-0.25");
        assert_eq!(csv_safe("-1e-3"), "-1e-3");
        assert_eq!(csv_safe("-inf"), "'-inf");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("leads"), "leads");
    }

    #[test]
    fn tables_align_unicode() {
        let text = table(
            &["id", "namn"],
            &[
                vec!["a".into(), "Vunnen intäkt".into()],
                vec!["bbb".into(), "x".into()],
            ],
        );
        assert_eq!(
            text,
            "id   namn\n───  ─────────────\na    Vunnen intäkt\nbbb  x\n"
        );
    }
}

/// A progress bar on stderr for imports, drawn only on a terminal (and never with `NO_COLOR`
/// turning it into noise: indicatif hides itself when stderr is not a terminal).
#[derive(Debug)]
pub struct ProgressReporter {
    bar: indicatif::ProgressBar,
}

impl ProgressReporter {
    pub fn new(label: &str) -> ProgressReporter {
        let bar = if std::io::stderr().is_terminal() {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}",
        ) {
            bar.set_style(style);
        }
        bar.set_message(label.to_string());
        ProgressReporter { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl utfall_app::import::Reporter for ProgressReporter {
    fn progress(&self, done: u64, total: u64) {
        self.bar.set_length(total);
        self.bar.set_position(done);
    }
}
