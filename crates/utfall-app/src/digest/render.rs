//! A digest or an alert written for one reader: subject, plain text and HTML, in Swedish or
//! English, numbers in the locale's format (`1 234,50 kr`, `SEK 1,234.50`).

use jiff::civil::Date;
use utfall_model::locale::Locale;
use utfall_model::period::Period;
use utfall_store::DigestKind;

use super::compose::{Alert, Digest, DueDecision, Mover, StatusChange};
use crate::wire::Status;

/// A message's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The same as HTML.
    pub html: String,
}

/// A heading and its lines (or the sentence said when there are none).
struct Section {
    title: String,
    lines: Vec<String>,
    none: String,
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

fn month_name(month: i8, l: Locale) -> &'static str {
    let index = usize::try_from(month - 1).unwrap_or(0).min(11);
    l.say(MONTHS_SV[index], MONTHS_EN[index])
}

/// `26 November 2026` / `26 november 2026`.
pub fn date_text(date: Date, l: Locale) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month(), l),
        date.year()
    )
}

/// `week 47, 2026 (16–22 November)`, `November 2026`, or the period's own spelling.
pub fn period_text(period: Period, first: Date, last: Date, l: Locale) -> String {
    match period {
        Period::Week { year, week } => {
            let days = if first.month() == last.month() {
                format!(
                    "{}–{} {}",
                    first.day(),
                    last.day(),
                    month_name(last.month(), l)
                )
            } else {
                format!(
                    "{} {} – {} {}",
                    first.day(),
                    month_name(first.month(), l),
                    last.day(),
                    month_name(last.month(), l)
                )
            };
            match l {
                Locale::Sv => format!("vecka {week} {year} ({days})"),
                Locale::En => format!("week {week}, {year} ({days})"),
            }
        }
        Period::Month { year, month } => format!("{} {year}", month_name(month, l)),
        other => other.to_string(),
    }
}

fn status_text(status: Status, l: Locale) -> &'static str {
    match status {
        Status::OnTrack => l.say("i fas", "on track"),
        Status::AtRisk => l.say("risk", "at risk"),
        Status::OffTrack => l.say("efter plan", "off track"),
        Status::NoTarget => l.say("inget mål", "no target"),
        Status::NoData => l.say("inga data", "no data"),
    }
}

fn change_line(c: &StatusChange, currency: &str, l: Locale) -> String {
    let mut line = format!(
        "{}: {} → {} ({} {}",
        c.name.get(l),
        status_text(c.before, l),
        status_text(c.after, l),
        c.unit.format(c.value, currency, l),
        l.say("hittills", "to date"),
    );
    if let Some(target) = c.target {
        line.push_str(&format!(
            ", {} {}",
            l.say("mål", "target"),
            c.unit.format(Some(target), currency, l)
        ));
    }
    if let Some(forecast) = c.forecast {
        line.push_str(&format!(
            ", {} {}",
            l.say("prognos", "forecast"),
            c.unit.format(Some(forecast), currency, l)
        ));
    }
    line.push(')');
    line
}

fn mover_line(m: &Mover, currency: &str, l: Locale) -> String {
    format!(
        "{}: {} → {} ({})",
        m.name.get(l),
        m.unit.format(Some(m.before), currency, l),
        m.unit.format(Some(m.after), currency, l),
        m.unit.format_change(Some(m.after), Some(m.before), l)
    )
}

fn decision_line(d: &DueDecision, l: Locale) -> String {
    let owner = d
        .owner
        .as_ref()
        .map(|o| format!(", {} {o}", l.say("ansvarig", "owner")))
        .unwrap_or_default();
    let when = if d.overdue {
        l.say("försenad sedan", "overdue since")
    } else {
        l.say("följs upp", "follow-up on")
    };
    format!(
        "{} {} ({}{owner}): {when} {}",
        d.action,
        d.about,
        d.id,
        date_text(d.follow_up, l)
    )
}

fn greeting(reader: &str, l: Locale) -> String {
    match l {
        Locale::Sv => format!("Hej {reader}!"),
        Locale::En => format!("Hello {reader},"),
    }
}

/// A digest for `reader`, in `l`; `first` and `last` are the period's first and last days.
pub fn digest(digest: &Digest, (first, last): (Date, Date), reader: &str, l: Locale) -> Rendered {
    let period = period_text(digest.period, first, last, l);
    let what = match digest.kind {
        DigestKind::Monthly => l.say("Månadssammanfattning", "Monthly digest"),
        _ => l.say("Veckosammanfattning", "Weekly digest"),
    };
    let subject = format!("{what}: {period} – {}", digest.workspace);
    let currency = digest.currency.as_str();
    let intro = match l {
        Locale::Sv => format!(
            "Så gick det för {} under {period}. Status gäller {} per {}, bedömd på prognos.",
            digest.workspace,
            digest.status_period,
            date_text(last, l)
        ),
        Locale::En => format!(
            "How {} did in {period}. Statuses are for {} as of {}, judged by forecast.",
            digest.workspace,
            digest.status_period,
            date_text(last, l)
        ),
    };
    let sections = [
        Section {
            title: l.say("Ändrad status", "Status changes").into(),
            lines: digest
                .changes
                .iter()
                .map(|c| change_line(c, currency, l))
                .collect(),
            none: l
                .say("Ingen KPI bytte status.", "No KPI changed status.")
                .into(),
        },
        Section {
            title: l.say("Största förändringar", "Biggest movers").to_string(),
            lines: digest
                .movers
                .iter()
                .map(|m| mover_line(m, currency, l))
                .collect(),
            none: l
                .say("Inga jämförbara värden.", "No comparable values.")
                .into(),
        },
        Section {
            title: l.say("Beslut att följa upp", "Decisions due").into(),
            lines: digest
                .decisions
                .iter()
                .map(|d| decision_line(d, l))
                .collect(),
            none: l
                .say("Inga beslut att följa upp.", "No decision is due.")
                .into(),
        },
    ];
    let kind = digest.kind.as_str();
    let footer = match l {
        Locale::Sv => format!("Du får detta för att du prenumererar på `{kind}` i Utfall."),
        Locale::En => format!("You receive this because you subscribed to `{kind}` in Utfall."),
    };
    lay_out(subject, &greeting(reader, l), &intro, &sections, &footer)
}

/// An alert for `reader`, in `l`.
pub fn alert(alert: &Alert, workspace: &str, currency: &str, reader: &str, l: Locale) -> Rendered {
    let name = alert.name.get(l);
    let period = alert.period;
    let subject = match (l, alert.level) {
        (Locale::Sv, Status::OffTrack) => format!("Varning: {name} ligger efter plan för {period}"),
        (Locale::Sv, _) => format!("Varning: {name} är i riskzonen för {period}"),
        (Locale::En, Status::OffTrack) => format!("Alert: {name} is off track for {period}"),
        (Locale::En, _) => format!("Alert: {name} is at risk for {period}"),
    };
    let format = |v: Option<f64>| alert.unit.format(v, currency, l);
    let mut lines = vec![format!(
        "{}: {}",
        l.say("Hittills", "To date"),
        format(alert.value)
    )];
    if alert.forecast.is_some() {
        lines.push(format!(
            "{}: {}",
            l.say(
                "Prognos till periodens slut",
                "Forecast to the period's end"
            ),
            format(alert.forecast)
        ));
    }
    lines.push(format!(
        "{}: {}",
        l.say("Mål", "Target"),
        format(alert.target)
    ));
    let intro = match l {
        Locale::Sv => format!(
            "{name} hos {workspace} har status {} för {period}.",
            status_text(alert.level, l)
        ),
        Locale::En => format!(
            "{name} at {workspace} is {} for {period}.",
            status_text(alert.level, l)
        ),
    };
    let footer = l.say(
        "Du får en varning per KPI, period och nivå, bara en gång.",
        "You get one alert per KPI, period and level, once.",
    );
    let sections = [Section {
        title: name.to_string(),
        lines,
        none: String::new(),
    }];
    lay_out(subject, &greeting(reader, l), &intro, &sections, footer)
}

fn lay_out(
    subject: String,
    greeting: &str,
    intro: &str,
    sections: &[Section],
    footer: &str,
) -> Rendered {
    let mut text = format!("{greeting}\n\n{intro}\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>{}</p>\n<p>{}</p>\n",
        escape(greeting),
        escape(intro)
    );
    for section in sections {
        text.push_str(&format!("\n{}\n", section.title));
        html.push_str(&format!("<h2>{}</h2>\n", escape(&section.title)));
        if section.lines.is_empty() {
            text.push_str(&format!("{}\n", section.none));
            html.push_str(&format!("<p>{}</p>\n", escape(&section.none)));
        } else {
            html.push_str("<ul>\n");
            for line in &section.lines {
                text.push_str(&format!("- {line}\n"));
                html.push_str(&format!("<li>{}</li>\n", escape(line)));
            }
            html.push_str("</ul>\n");
        }
    }
    text.push_str(&format!("\n-- \n{footer}\n"));
    html.push_str(&format!(
        "<hr>\n<p>{}</p>\n</body></html>\n",
        escape(footer)
    ));
    Rendered {
        subject,
        text,
        html,
    }
}

/// Text safe inside HTML elements and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Text;
    use utfall_model::kinds::Unit;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn periods_and_dates_in_both_languages() {
        let w48: Period = "2026-W48".parse().unwrap();
        // ISO week 48 of 2026 is Monday 23 – Sunday 29 November.
        assert_eq!(
            period_text(w48, d("2026-11-23"), d("2026-11-29"), Locale::Sv),
            "vecka 48 2026 (23–29 november)"
        );
        assert_eq!(
            period_text(w48, d("2026-11-23"), d("2026-11-29"), Locale::En),
            "week 48, 2026 (23–29 November)"
        );
        let w49: Period = "2026-W49".parse().unwrap();
        assert_eq!(
            period_text(w49, d("2026-11-30"), d("2026-12-06"), Locale::En),
            "week 49, 2026 (30 November – 6 December)"
        );
        let november: Period = "2026-11".parse().unwrap();
        assert_eq!(
            period_text(november, d("2026-11-01"), d("2026-11-30"), Locale::Sv),
            "november 2026"
        );
    }

    #[test]
    fn an_alert_in_swedish_formats_money_the_swedish_way() {
        let alert = Alert {
            kpi: "won_revenue".into(),
            name: Text::new("Vunnen intäkt", "Won revenue"),
            unit: Unit::Currency,
            period: "FY2026-Q1".parse().unwrap(),
            level: Status::AtRisk,
            value: Some(150_000.0),
            target: Some(250_000.0),
            forecast: Some(1234.4),
        };
        let sv = super::alert(&alert, "Nordkraft <AB>", "SEK", "Anna", Locale::Sv);
        assert_eq!(
            sv.subject,
            "Varning: Vunnen intäkt är i riskzonen för FY2026-Q1"
        );
        assert!(
            sv.text.contains("Hittills: 150\u{a0}000\u{a0}kr\n"),
            "{}",
            sv.text
        );
        // Money is shown in whole kronor.
        assert!(
            sv.text
                .contains("Prognos till periodens slut: 1\u{a0}234\u{a0}kr"),
            "{}",
            sv.text
        );
        assert!(sv.html.contains("Nordkraft &lt;AB&gt;"), "{}", sv.html);
        let en = super::alert(&alert, "Nordkraft", "SEK", "Anna", Locale::En);
        assert_eq!(en.subject, "Alert: Won revenue is at risk for FY2026-Q1");
        assert!(
            en.text.contains("Target: SEK\u{a0}250,000\n"),
            "{}",
            en.text
        );
    }
}
