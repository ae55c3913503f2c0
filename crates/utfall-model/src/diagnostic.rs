//! Problems found in definition files, with `file:line:col` and the offending line.

use std::fmt::Write as _;
use std::ops::Range;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The workspace cannot be used until it is fixed (`utfall check` exits 1).
    Error,
    /// Worth fixing, but the workspace works (a gap in the KPI practice, say).
    Warning,
}

impl Severity {
    /// The word printed before the message: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case name of the kind of problem, e.g. `unknown-column`.
    pub code: &'static str,
    /// One sentence that says what is wrong, without a trailing period.
    pub message: String,
    /// Index into [`crate::workspace::Workspace::files`].
    pub file: Option<usize>,
    /// Byte range in the file.
    pub span: Option<Range<usize>>,
    /// What the marker under the snippet says: usually what was expected.
    pub label: String,
    /// What to do about it, if there is something to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error of kind `code`, not yet placed in a file.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: None,
            span: None,
            label: String::new(),
            hint: None,
        }
    }

    /// A warning of kind `code`, not yet placed in a file.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Places the diagnostic at a byte range of a file.
    pub fn at(mut self, file: usize, span: Range<usize>) -> Diagnostic {
        self.file = Some(file);
        self.span = Some(span);
        self
    }

    /// Places the diagnostic in a file, at no particular position.
    pub fn in_file(mut self, file: usize) -> Diagnostic {
        self.file = Some(file);
        self
    }

    /// Sets what the marker under the snippet says.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint, or clears it with `None`.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Renders a diagnostic like rustc: header, `--> file:line:col`, the line with a marker, hint.
pub fn render(diagnostic: &Diagnostic, path: Option<&str>, text: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}[{}]: {}",
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.message
    );
    match (path, text, &diagnostic.span) {
        (Some(path), Some(text), Some(span)) => {
            let (line, col) = line_col(text, span.start);
            let line_start = text[..floor_char_boundary(text, span.start.min(text.len()))]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line_end = text[line_start..]
                .find('\n')
                .map_or(text.len(), |i| line_start + i);
            let line_text = text[line_start..line_end].trim_end_matches('\r');
            let gutter = line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(out, "{pad}--> {path}:{line}:{col}");
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{line} | {line_text}");
            let marker_start = text
                [line_start..floor_char_boundary(text, span.start.min(line_end))]
                .chars()
                .count();
            let marker_end = floor_char_boundary(text, span.end.clamp(span.start, line_end));
            let marker_len = text[floor_char_boundary(text, span.start.min(line_end))..marker_end]
                .chars()
                .count()
                .max(1);
            let marker = if diagnostic.severity == Severity::Error {
                "^"
            } else {
                "-"
            };
            let _ = writeln!(
                out,
                "{pad} | {}{} {}",
                " ".repeat(marker_start),
                marker.repeat(marker_len),
                diagnostic.label
            );
            if let Some(hint) = &diagnostic.hint {
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{pad} = hint: {hint}");
            }
        }
        (Some(path), _, _) => {
            let _ = writeln!(out, "  --> {path}");
            if let Some(hint) = &diagnostic.hint {
                let _ = writeln!(out, "   = hint: {hint}");
            }
        }
        _ => {
            if let Some(hint) = &diagnostic.hint {
                let _ = writeln!(out, "   = hint: {hint}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "a = 1\nnamn = \"åäö\" x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        let x = text.find('x').unwrap();
        assert_eq!(line_col(text, x), (2, 14));
    }

    #[test]
    fn renders_snippet_with_marker() {
        let text = "[[kpi]]\nformula = \"sum(deals.amout)\"\n";
        let start = text.find("amout").unwrap();
        let diagnostic = Diagnostic::error("unknown-column", "table `deals` has no column `amout`")
            .at(0, start..start + 5)
            .label("not a column of `deals`")
            .hint("did you mean `amount`?");
        let rendered = render(&diagnostic, Some("kpis/sales.toml"), Some(text));
        let expected = "error[unknown-column]: table `deals` has no column `amout`
 --> kpis/sales.toml:2:22
  |
2 | formula = \"sum(deals.amout)\"
  |                      ^^^^^ not a column of `deals`
  |
  = hint: did you mean `amount`?
";
        assert_eq!(rendered, expected);
    }
}
