use super::ast::Span;
use super::parser::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Number(f64),
    /// `90d`, `12w`: a length of time in days.
    Days(u32),
    Text(String),
    Param(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

impl Tok {
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("`{name}`"),
            Tok::Number(value) => format!("number `{value}`"),
            Tok::Days(days) => format!("duration `{days}d`"),
            Tok::Text(text) => format!("text '{text}'"),
            Tok::Param(name) => format!("`${name}`"),
            Tok::Eof => "end of formula".to_string(),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Dot => ".",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Eq => "=",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            _ => "?",
        }
    }
}

pub(crate) fn lex(text: &str) -> Result<Vec<(Tok, Span)>, ParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            // A comment runs to the end of the line.
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let two = bytes.get(i..i + 2);
        let tok = match c {
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b',' => Tok::Comma,
            b':' => Tok::Colon,
            b'.' => Tok::Dot,
            b'+' => Tok::Plus,
            b'-' => Tok::Minus,
            b'*' => Tok::Star,
            b'/' => Tok::Slash,
            b'=' if two == Some(b"==") => {
                i += 1;
                Tok::Eq
            }
            b'=' => Tok::Eq,
            b'!' if two == Some(b"!=") => {
                i += 1;
                Tok::Ne
            }
            b'<' if two == Some(b"<=") => {
                i += 1;
                Tok::Le
            }
            b'<' if two == Some(b"<>") => {
                i += 1;
                Tok::Ne
            }
            b'<' => Tok::Lt,
            b'>' if two == Some(b">=") => {
                i += 1;
                Tok::Ge
            }
            b'>' => Tok::Gt,
            b'\'' | b'"' => {
                let quote = c;
                i += 1;
                let content_start = i;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                if i == bytes.len() {
                    return Err(ParseError {
                        message: "unterminated text".to_string(),
                        span: Span::new(start, text.len()),
                        label: "this text is never closed".to_string(),
                        hint: Some(format!("close the text with `{}`", quote as char)),
                    });
                }
                let content = text[content_start..i].to_string();
                Tok::Text(content)
            }
            b'$' => {
                i += 1;
                let name_start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let name = text[name_start..i].to_string();
                tokens.push((Tok::Param(name), Span::new(start, i)));
                continue;
            }
            b'0'..=b'9' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b'_')
                {
                    i += 1;
                }
                let digits: String = text[start..i].chars().filter(|&c| c != '_').collect();
                let unit_start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let unit = &text[unit_start..i];
                let span = Span::new(start, i);
                let bad_number = || ParseError {
                    message: format!("`{}` is not a number", &text[start..i]),
                    span,
                    label: "not a number".to_string(),
                    hint: Some(
                        "write numbers like `0.25` or `1000`, and durations like `90d` or `12w`"
                            .to_string(),
                    ),
                };
                let tok = match unit {
                    "" => Tok::Number(digits.parse().map_err(|_| bad_number())?),
                    "d" | "w" => {
                        let n: u32 = digits.parse().map_err(|_| bad_number())?;
                        Tok::Days(if unit == "w" { n * 7 } else { n })
                    }
                    _ => return Err(bad_number()),
                };
                tokens.push((tok, span));
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens.push((Tok::Ident(text[start..i].to_string()), Span::new(start, i)));
                continue;
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                return Err(ParseError {
                    message: format!("unexpected character `{ch}`"),
                    span: Span::new(start, start + ch.len_utf8()),
                    label: "not part of the formula language".to_string(),
                    hint: Some(
                        "formulas use names, numbers, 'text', $settings, + - * /, comparisons and parentheses"
                            .to_string(),
                    ),
                });
            }
        };
        i += 1;
        tokens.push((tok, Span::new(start, i)));
    }
    tokens.push((Tok::Eof, Span::new(text.len(), text.len())));
    Ok(tokens)
}
