//! Reading the values people and vendors write: Swedish and English numbers, money, dates and
//! times, yes/no. Every function is total: it returns `None` rather than panicking, whatever
//! the input (a fuzz target runs them).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// How numbers are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NumberStyle {
    /// `1 234,50` (Swedish) rather than `1,234.50`.
    pub decimal_comma: bool,
}

/// Currency signs and codes written before or after amounts, longest first.
const CURRENCY_TOKENS: &[&str] = &[
    "us$", "au$", "a$", "c$", "ca$", "nz$", "r$", "kr.", "sek", "usd", "eur", "gbp", "nok", "dkk",
    "chf", "inr", "aud", "cad", "nzd", "jpy", "pln", "isk", "cny", "zł", "kr", ":-", "€", "$", "£",
    "₹", "¥",
];

/// The currency a sign or code in an amount names (`US$24.90`, `24,90 kr`, `€ 1.234,50`,
/// `SEK 250,000.00`). A sign several currencies share (`kr`, `$`) names the workspace's
/// currency when it is one of them, else none (it is not guessed).
pub fn money_currency(text: &str, workspace: &str) -> Option<String> {
    let lower = text.trim().to_lowercase();
    let token = CURRENCY_TOKENS
        .iter()
        .find(|t| lower.len() > t.len() && (lower.starts_with(*t) || lower.ends_with(*t)))?;
    let code = match *token {
        "us$" => "USD",
        "au$" | "a$" => "AUD",
        "c$" | "ca$" => "CAD",
        "nz$" => "NZD",
        "r$" => "BRL",
        "€" => "EUR",
        "£" => "GBP",
        "₹" => "INR",
        "zł" => "PLN",
        ":-" => "SEK",
        "kr" | "kr." => {
            return ["SEK", "NOK", "DKK", "ISK"]
                .contains(&workspace)
                .then(|| workspace.to_string());
        }
        "$" => {
            return ["USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD"]
                .contains(&workspace)
                .then(|| workspace.to_string());
        }
        "¥" => {
            return ["JPY", "CNY"]
                .contains(&workspace)
                .then(|| workspace.to_string());
        }
        code => return Some(code.to_uppercase()),
    };
    Some(code.to_string())
}

/// A number, with thousands separators, currency signs and a trailing `%` allowed:
/// `1 234,50 kr`, `SEK 1,234.50`, `−12,5`, `(300)`, `12 %`. Returns the number as written
/// (`12 %` is 12).
pub fn parse_number(text: &str, style: NumberStyle) -> Option<f64> {
    let mut text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut negative = false;
    if text.starts_with('(') && text.ends_with(')') {
        negative = true;
        text = text[1..text.len() - 1].trim();
    }
    // Currency before or after, and a percent sign after.
    let mut body: &str = text;
    // Signs are rare: look only when the text starts or ends with something not a digit.
    let plain = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    if !plain(text.chars().next()) || !plain(text.chars().next_back()) {
        let lower = text.to_lowercase();
        if lower.len() == text.len() {
            for token in CURRENCY_TOKENS {
                if lower.ends_with(token) && lower.len() > token.len() {
                    body = body[..body.len() - token.len()].trim_end();
                    break;
                }
                if lower.starts_with(token) && lower.len() > token.len() {
                    body = body[token.len()..].trim_start();
                    break;
                }
            }
        }
    }
    let body = body.strip_suffix('%').map_or(body, str::trim_end);
    let mut cleaned = String::with_capacity(body.len());
    for (i, c) in body.chars().enumerate() {
        match c {
            '-' | '−' | '–' if i == 0 => negative = !negative,
            '+' if i == 0 => {}
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '_' => {}
            '0'..='9' | ',' | '.' | 'e' | 'E' => cleaned.push(c),
            '-' if cleaned.ends_with(['e', 'E']) => cleaned.push(c),
            _ => return None,
        }
    }
    if cleaned.is_empty()
        || !cleaned.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let n_commas = cleaned.matches(',').count();
    let n_dots = cleaned.matches('.').count();
    let normalised = match (n_commas, n_dots) {
        (0, 0) => cleaned,
        (0, _) if n_dots > 1 || (style.decimal_comma && is_grouped(&cleaned, '.')) => {
            cleaned.replace('.', "")
        }
        (0, _) => cleaned,
        (_, 0) if n_commas > 1 || (!style.decimal_comma && is_grouped(&cleaned, ',')) => {
            cleaned.replace(',', "")
        }
        (1, 0) => cleaned.replace(',', "."),
        _ => {
            // Both: the last one is the decimal separator.
            let last_comma = cleaned.rfind(',').unwrap_or(0);
            let last_dot = cleaned.rfind('.').unwrap_or(0);
            if last_comma > last_dot {
                if n_commas > 1 {
                    return None;
                }
                cleaned.replace('.', "").replace(',', ".")
            } else {
                if n_dots > 1 {
                    return None;
                }
                cleaned.replace(',', "")
            }
        }
    };
    let value: f64 = normalised.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// `1,234` or `1,234,567`: digits grouped by three after the first group.
fn is_grouped(text: &str, separator: char) -> bool {
    let mut groups = text.split(separator);
    let first = groups.next().unwrap_or("");
    !first.is_empty()
        && first.len() <= 3
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// A whole number; `1 234` and `1.0` are accepted, `1.5` is not.
pub fn parse_integer(text: &str, style: NumberStyle) -> Option<i64> {
    let value = parse_number(text, style)?;
    (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
}

/// Yes or no, in Swedish or English.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "ja" | "j" | "sant" | "x" | "won" | "closed won" => Some(true),
        "false" | "no" | "n" | "0" | "nej" | "falskt" | "" => Some(false),
        _ => None,
    }
}

const MONTHS: &[(&str, i8)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augusti", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

fn is_weekday(word: &str) -> bool {
    const DAYS: &[&str] = &[
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "wednesday",
        "thu",
        "thur",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
        "mån",
        "måndag",
        "tis",
        "tisdag",
        "ons",
        "onsdag",
        "tor",
        "tors",
        "torsdag",
        "fre",
        "fredag",
        "lör",
        "lördag",
        "sön",
        "söndag",
    ];
    DAYS.contains(&word.trim_end_matches('.').to_lowercase().as_str())
}

fn month_number(word: &str) -> Option<i8> {
    let word = word.trim_end_matches('.').to_lowercase();
    MONTHS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, number)| *number)
}

/// How to read `01/02/2026`: day first (Swedish, British) or month first (US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Day, then month (`26/11/2026`).
    #[default]
    DayFirst,
    /// Month, then day (`11/26/2026`).
    MonthFirst,
}

/// What one value says about the order of day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvidence {
    /// Reads only day first (`26/11/2026`).
    DayFirst,
    /// Reads only month first (`11/26/2026`).
    MonthFirst,
    /// Reads both ways as different dates (`01/02/2026`).
    Ambiguous,
    /// Reads one way or the other the same (`2026-11-26`, `01/01/2026`, not a date).
    None,
}

/// The order of day and month a date (or the date of a date and time) needs to be read.
pub fn order_evidence(text: &str) -> OrderEvidence {
    let text = text.trim();
    let date_part = text.split([' ', 'T']).next().unwrap_or("");
    let Some(separator) = ['/', '.', '-']
        .into_iter()
        .find(|s| date_part.matches(*s).count() == 2)
    else {
        return OrderEvidence::None;
    };
    let parts: Vec<&str> = date_part.split(separator).collect();
    if parts[0].len() > 2 || parts[1].len() > 2 || !matches!(parts[2].len(), 2 | 4) {
        return OrderEvidence::None;
    }
    let day_first = parse_date(date_part, DateOrder::DayFirst);
    let month_first = parse_date(date_part, DateOrder::MonthFirst);
    match (day_first, month_first) {
        (Some(a), Some(b)) if a == b => OrderEvidence::None,
        (Some(_), Some(_)) => OrderEvidence::Ambiguous,
        (Some(_), None) => OrderEvidence::DayFirst,
        (None, Some(_)) => OrderEvidence::MonthFirst,
        (None, None) => OrderEvidence::None,
    }
}

/// What the values of a file's date columns say about the order of day and month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderVotes {
    /// Values that read only day first.
    pub day_first: u64,
    /// Values that read only month first.
    pub month_first: u64,
    /// Values that read both ways as different dates.
    pub ambiguous: u64,
    /// The line of the first value that reads only day first (for messages).
    pub first_day_first: Option<u64>,
    /// The line of the first value that reads only month first (for messages).
    pub first_month_first: Option<u64>,
}

impl OrderVotes {
    /// Counts a value found on `line`.
    pub fn add(&mut self, text: &str, line: u64) {
        match order_evidence(text) {
            OrderEvidence::DayFirst => {
                self.day_first += 1;
                self.first_day_first.get_or_insert(line);
            }
            OrderEvidence::MonthFirst => {
                self.month_first += 1;
                self.first_month_first.get_or_insert(line);
            }
            OrderEvidence::Ambiguous => self.ambiguous += 1,
            OrderEvidence::None => {}
        }
    }

    /// Adds another part of the file's votes (the earliest lines kept).
    pub fn merge(&mut self, other: &OrderVotes) {
        self.day_first += other.day_first;
        self.month_first += other.month_first;
        self.ambiguous += other.ambiguous;
        self.first_day_first = match (self.first_day_first, other.first_day_first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.first_month_first = match (self.first_month_first, other.first_month_first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// The order the values decide, if they decide one (the only one that reads them all, or,
    /// when the values disagree, the one most of them need).
    pub fn decided(&self) -> Option<DateOrder> {
        match (self.day_first, self.month_first) {
            (0, 0) => None,
            (d, m) if d >= m => Some(DateOrder::DayFirst),
            _ => Some(DateOrder::MonthFirst),
        }
    }

    /// Whether some values read only day first and others only month first.
    pub fn conflicting(&self) -> bool {
        self.day_first > 0 && self.month_first > 0
    }
}

fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A calendar date: `2026-11-26`, `20261126`, `26/11/2026`, `26.11.2026`, `26 november 2026`,
/// `26 nov. 2026`, `Nov 26, 2026`.
pub fn parse_date(text: &str, order: DateOrder) -> Option<Date> {
    let text = text.trim();
    // ISO 8601 (`2026-11-26`), the common case, without splitting.
    let bytes = text.as_bytes();
    if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        let digits = |range: std::ops::Range<usize>| {
            bytes[range].iter().try_fold(0i16, |n, b| {
                b.is_ascii_digit().then(|| n * 10 + i16::from(b - b'0'))
            })
        };
        return Date::new(
            digits(0..4)?,
            i8::try_from(digits(5..7)?).ok()?,
            i8::try_from(digits(8..10)?).ok()?,
        )
        .ok();
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Date::new(
            number(&text[..4])?,
            number(&text[4..6])?,
            number(&text[6..])?,
        )
        .ok();
    }
    for separator in ['-', '/', '.'] {
        let parts: Vec<&str> = text.split(separator).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            if parts[0].len() == 4 {
                return Date::new(number(parts[0])?, number(parts[1])?, number(parts[2])?).ok();
            }
            if parts[0].len() > 2 || parts[1].len() > 2 {
                return None;
            }
            let year: i16 = match parts[2].len() {
                4 => number(parts[2])?,
                // Two-digit years as Excel writes them (`2/5/24`): 00–68 are 2000–2068, as
                // POSIX `strptime` reads `%y`.
                2 => {
                    let yy: i16 = number(parts[2])?;
                    if yy <= 68 { 2000 + yy } else { 1900 + yy }
                }
                _ => return None,
            };
            // Day and month only with a slash or a dot when the year is short: `24-05-01`
            // could be a year first.
            if parts[2].len() == 2 && separator == '-' {
                return None;
            }
            let (day, month) = match order {
                DateOrder::DayFirst => (parts[0], parts[1]),
                DateOrder::MonthFirst => (parts[1], parts[0]),
            };
            return Date::new(year, number(month)?, number(day)?).ok();
        }
    }
    // Month names: "26 november 2026", "November 26, 2026", after a weekday ("Tue, Dec 1,
    // 2026").
    let mut words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if words.len() == 4 && is_weekday(words[0]) {
        words.remove(0);
    }
    if words.len() == 3 {
        if let (Some(day), Some(month), Some(year)) = (
            number::<i8>(words[0].trim_end_matches('.')),
            month_number(words[1]),
            number::<i16>(words[2]),
        ) {
            return Date::new(year, month, day).ok();
        }
        if let (Some(month), Some(day), Some(year)) = (
            month_number(words[0]),
            number::<i8>(words[1]),
            number::<i16>(words[2]),
        ) {
            return Date::new(year, month, day).ok();
        }
    }
    None
}

fn parse_time(text: &str) -> Option<Time> {
    let text = text.trim();
    // 12-hour clocks: "08:00 am", "1:15PM".
    let lower = text.to_ascii_lowercase();
    for (suffix, afternoon) in [("am", false), ("pm", true)] {
        if let Some(clock) = lower.strip_suffix(suffix) {
            let time = parse_time(clock.trim())?;
            let hour = match (time.hour(), afternoon) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) if h < 12 => h + 12,
                (h, _) if h <= 12 => h,
                _ => return None,
            };
            return Time::new(hour, time.minute(), time.second(), time.subsec_nanosecond()).ok();
        }
    }
    let (clock, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let hour: i8 = number(parts[0])?;
    let minute: i8 = number(parts[1])?;
    let second: i8 = parts.get(2).map_or(Some(0), |s| number(s))?;
    let nanos: i32 = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().take(9).collect();
        let value: i32 = number(&digits)?;
        value * 10i32.pow(9 - digits.len() as u32)
    };
    Time::new(hour, minute, second, nanos).ok()
}

/// A moment: `2026-11-26T10:15:00Z`, `2026-11-26 10:15:00+01:00`, `2026-11-26 10:15` (local time
/// in `zone`), a date alone (local midnight), or milliseconds since the epoch (HubSpot API).
pub fn parse_timestamp(text: &str, order: DateOrder, zone: &TimeZone) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() >= 12 && text.len() <= 14 && text.bytes().all(|b| b.is_ascii_digit()) {
        let millis: i64 = text.parse().ok()?;
        return Timestamp::from_millisecond(millis).ok();
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    // The date is the longest prefix, ending at a space or `T`, that reads as a date
    // ("2026-11-26 10:15", "Nov 26, 2026 08:00 am").
    let mut splits = text
        .char_indices()
        .filter(|(_, c)| *c == ' ' || *c == 'T')
        .map(|(i, _)| i);
    let (date_part, time_part) = match splits.rfind(|&i| parse_date(&text[..i], order).is_some()) {
        Some(i) => (&text[..i], Some(text[i + 1..].trim())),
        None => (text, None),
    };
    let date = parse_date(date_part, order)?;
    let Some(time_part) = time_part else {
        return zone
            .to_timestamp(DateTime::from_parts(date, Time::midnight()))
            .ok();
    };
    // An explicit offset: Z, +01:00, +0100, " UTC".
    let (clock, offset_seconds) = split_offset(time_part)?;
    let time = parse_time(clock)?;
    let local = DateTime::from_parts(date, time);
    match offset_seconds {
        Some(seconds) => {
            let offset = jiff::tz::Offset::from_seconds(seconds).ok()?;
            TimeZone::fixed(offset).to_timestamp(local).ok()
        }
        None => zone.to_timestamp(local).ok(),
    }
}

fn split_offset(text: &str) -> Option<(&str, Option<i32>)> {
    let text = text.trim();
    // `GMT+2`, `UTC-05:00` (Google Forms, some CRMs).
    for zone in ["GMT", "UTC"] {
        if let Some(at) = text.rfind(zone) {
            let rest = &text[at + zone.len()..];
            if let Some(sign) = rest.chars().next().filter(|c| matches!(c, '+' | '-')) {
                let digits = &rest[1..];
                let (hours, minutes) = digits.split_once(':').unwrap_or((digits, "0"));
                let hours: i32 = number(hours).filter(|h: &i32| *h <= 14)?;
                let minutes: i32 = number(minutes)?;
                let seconds = (hours * 3600 + minutes * 60) * if sign == '-' { -1 } else { 1 };
                return Some((text[..at].trim(), Some(seconds)));
            }
        }
    }
    for suffix in ["Z", "z", " UTC", "UTC", " GMT"] {
        if let Some(clock) = text.strip_suffix(suffix) {
            return Some((clock.trim(), Some(0)));
        }
    }
    if let Some(position) = text.rfind(['+', '-']).filter(|&p| p >= 4) {
        let (clock, offset) = text.split_at(position);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
        if (digits.len() == 4 || digits.len() == 2) && digits.bytes().all(|b| b.is_ascii_digit()) {
            let hours: i32 = number(&digits[..2])?;
            let minutes: i32 = if digits.len() == 4 {
                number(&digits[2..])?
            } else {
                0
            };
            return Some((clock.trim(), Some(sign * (hours * 3600 + minutes * 60))));
        }
    }
    Some((text, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SV: NumberStyle = NumberStyle {
        decimal_comma: true,
    };
    const EN: NumberStyle = NumberStyle {
        decimal_comma: false,
    };

    #[test]
    fn swedish_and_english_numbers() {
        assert_eq!(parse_number("1 234,50 kr", SV), Some(1234.5));
        assert_eq!(parse_number("1\u{a0}234,50\u{a0}kr", SV), Some(1234.5));
        assert_eq!(parse_number("SEK 1,234.50", EN), Some(1234.5));
        assert_eq!(parse_number("1.234,50", SV), Some(1234.5));
        assert_eq!(parse_number("1.234.567", SV), Some(1_234_567.0));
        assert_eq!(parse_number("1,234", EN), Some(1234.0));
        assert_eq!(parse_number("1,234", SV), Some(1.234));
        assert_eq!(parse_number("12,5 %", SV), Some(12.5));
        assert_eq!(parse_number("−12,5", SV), Some(-12.5));
        assert_eq!(parse_number("(300)", EN), Some(-300.0));
        assert_eq!(parse_number("0.75", SV), Some(0.75));
        assert_eq!(parse_number("250:-", SV), Some(250.0));
        assert_eq!(parse_number("1e3", EN), Some(1000.0));
        assert_eq!(parse_number("US$24.90", EN), Some(24.9));
        assert_eq!(parse_number("24,90 kr", SV), Some(24.9));
        assert_eq!(parse_number("€ 1.234,50", SV), Some(1234.5));
        assert_eq!(parse_number("-2E-18", EN), Some(-2e-18));
        assert_eq!(money_currency("US$24.90", "SEK").as_deref(), Some("USD"));
        assert_eq!(money_currency("24,90 kr", "SEK").as_deref(), Some("SEK"));
        assert_eq!(money_currency("24,90 kr", "EUR"), None);
        assert_eq!(money_currency("€ 1.234,50", "SEK").as_deref(), Some("EUR"));
        assert_eq!(
            money_currency("SEK 250,000.00", "EUR").as_deref(),
            Some("SEK")
        );
        assert_eq!(money_currency("$12", "SEK"), None);
        assert_eq!(money_currency("$12", "USD").as_deref(), Some("USD"));
        assert_eq!(money_currency("1234.5", "SEK"), None);
        for bad in [
            "",
            "abc",
            "1,2,3.4,5",
            "--1",
            "12 apples",
            "kr",
            "1.2.3,4,5",
        ] {
            assert_eq!(parse_number(bad, SV), None, "{bad}");
        }
        assert_eq!(parse_integer("1 000", SV), Some(1000));
        assert_eq!(parse_integer("1,5", SV), None);
    }

    #[test]
    fn dates_in_many_forms() {
        let want: Date = "2026-11-26".parse().unwrap();
        for text in [
            "2026-11-26",
            "20261126",
            "26/11/2026",
            "26.11.2026",
            "26 november 2026",
            "26 nov. 2026",
            "November 26, 2026",
            "2026/11/26",
        ] {
            assert_eq!(parse_date(text, DateOrder::DayFirst), Some(want), "{text}");
        }
        assert_eq!(parse_date("11/26/2026", DateOrder::MonthFirst), Some(want));
        assert_eq!(
            parse_date("3 maj 2026", DateOrder::DayFirst),
            "2026-05-03".parse().ok()
        );
        assert_eq!(parse_date("2026-02-30", DateOrder::DayFirst), None);
        // Excel's short US dates: m/d/yy.
        assert_eq!(
            parse_date("2/5/24", DateOrder::MonthFirst),
            "2024-02-05".parse().ok()
        );
        assert_eq!(
            parse_date("11/18/24", DateOrder::MonthFirst),
            "2024-11-18".parse().ok()
        );
        assert_eq!(
            parse_date("2/28/70", DateOrder::MonthFirst),
            "1970-02-28".parse().ok()
        );
        assert_eq!(parse_date("11/18/24", DateOrder::DayFirst), None);
        // Dutch Salesforce: d-m-yyyy.
        assert_eq!(
            parse_date("2-7-2018", DateOrder::DayFirst),
            "2018-07-02".parse().ok()
        );
        assert_eq!(parse_date("24-05-01", DateOrder::DayFirst), None);
        assert_eq!(parse_date("13/13/2026", DateOrder::DayFirst), None);
    }

    #[test]
    fn timestamps_with_zones_and_dst() {
        let stockholm = TimeZone::get("Europe/Stockholm").unwrap();
        let utc = |text: &str| text.parse::<Timestamp>().unwrap();
        assert_eq!(
            parse_timestamp("2026-11-26T10:15:00Z", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-11-26T10:15:00Z"))
        );
        // Local winter time is UTC+1, summer time UTC+2.
        assert_eq!(
            parse_timestamp("2026-11-26 10:15", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-11-26T09:15:00Z"))
        );
        assert_eq!(
            parse_timestamp("2026-07-01 10:15:30", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-07-01T08:15:30Z"))
        );
        assert_eq!(
            parse_timestamp("2026-07-01 10:15:30+00:00", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-07-01T10:15:30Z"))
        );
        assert_eq!(
            parse_timestamp("2026-07-01 10:15:30 +0530", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-07-01T04:45:30Z"))
        );
        assert_eq!(
            parse_timestamp("26/11/2026", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-11-25T23:00:00Z"))
        );
        assert_eq!(
            parse_timestamp("1798280100000", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-12-26T10:15:00Z"))
        );
        assert_eq!(
            parse_timestamp("2026-11-26 10:15:00.250", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-11-26T09:15:00.25Z"))
        );
        assert_eq!(
            parse_timestamp("yesterday", DateOrder::DayFirst, &stockholm),
            None
        );
        // Google Forms: year first, a 12-hour clock and the zone as `GMT+2`.
        assert_eq!(
            parse_timestamp(
                "2026/05/20 1:43:01 PM GMT+2",
                DateOrder::DayFirst,
                &stockholm
            ),
            Some(utc("2026-05-20T11:43:01Z"))
        );
        // Mailchimp's single-campaign report: a weekday first.
        assert_eq!(
            parse_timestamp("Tue, Dec 1, 2026 08:30", DateOrder::DayFirst, &stockholm),
            Some(utc("2026-12-01T07:30:00Z"))
        );
    }

    /// Inputs the fuzzer (`fuzz/`, target `parse_values`) found; each once panicked.
    #[test]
    fn fuzz_regressions() {
        let stockholm = TimeZone::get("Europe/Stockholm").unwrap();
        // A multi-byte character where an offset's digits were expected.
        let crash = "1.1.4141T4/5/5551 44-1:z-\u{f}\0\0\0/\0\0\u{0}22*-j€  ";
        for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
            let _ = parse_timestamp(crash, order, &stockholm);
        }
        assert_eq!(
            parse_timestamp("2026-11-26 10:15 +j€", DateOrder::DayFirst, &stockholm),
            None
        );
    }

    #[test]
    fn order_of_day_and_month() {
        assert_eq!(order_evidence("26/11/2026"), OrderEvidence::DayFirst);
        assert_eq!(
            order_evidence("11/26/2026 10:00"),
            OrderEvidence::MonthFirst
        );
        assert_eq!(order_evidence("2/5/24 1:51"), OrderEvidence::Ambiguous);
        assert_eq!(order_evidence("11/18/24 17:56"), OrderEvidence::MonthFirst);
        assert_eq!(order_evidence("01/01/2026"), OrderEvidence::None);
        assert_eq!(order_evidence("2026-11-26"), OrderEvidence::None);
        assert_eq!(order_evidence("28-6-2018"), OrderEvidence::DayFirst);
        let mut votes = OrderVotes::default();
        votes.add("02/05/2024", 2);
        assert_eq!(votes.decided(), None);
        votes.add("12/13/2024", 9);
        assert_eq!(votes.decided(), Some(DateOrder::MonthFirst));
        assert_eq!(votes.first_month_first, Some(9));
        assert!(!votes.conflicting());
    }

    #[test]
    fn yes_and_no() {
        assert_eq!(parse_bool("Ja"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("kanske"), None);
    }
}
