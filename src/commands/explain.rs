//! `utfall explain`: why a KPI changed, rendered.

use std::process::ExitCode;

use utfall_app::explain::{Base, ExplainRequest, explain};
use utfall_app::{Clock, Session};

use super::{block_on, lang_locale};
use crate::cli::{ExplainArgs, Format, Lang};
use crate::output::{print_json, print_stdout, table};

pub fn run(args: ExplainArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let session = Session::open(&args.dir, Clock::System).await?;
        let locale = session.locale(lang_locale(lang));
        let request = ExplainRequest {
            kpi: args.id.clone(),
            period: args.period.parse()?,
            vs: Base::parse(&args.vs)?,
            by: args.by.clone(),
            top: args.top,
            locale: Some(locale),
        };
        let explanation = explain(&session, &request).await?;
        if args.format == Format::Json {
            print_json(&explanation)?;
            return Ok(ExitCode::SUCCESS);
        }
        let currency = session.currency.as_str();
        let root_unit = explanation
            .lines
            .first()
            .map_or(utfall_model::kinds::Unit::Number, |l| l.unit);
        let base_label = explanation.vs.to_string();
        let period_label = explanation.period.to_string();
        let headers = [
            "KPI",
            base_label.as_str(),
            period_label.as_str(),
            "change",
            "contribution",
        ];
        let rows: Vec<Vec<String>> = explanation
            .lines
            .iter()
            .map(|l| {
                vec![
                    format!("{}{}", "  ".repeat(l.depth), l.name),
                    l.unit.format(l.before, currency, locale),
                    l.unit.format(l.after, currency, locale),
                    l.unit.format_change(l.after, l.before, locale),
                    match (l.depth, l.contribution) {
                        (0, _) => String::new(),
                        (_, Some(c)) => format!(
                            "{}{}{}",
                            if c >= 0.0 { "+" } else { "" },
                            root_unit.format(Some(c), currency, locale),
                            l.method.map(|m| format!(" ({m})")).unwrap_or_default()
                        ),
                        (_, None) => "–".to_string(),
                    },
                ]
            })
            .collect();
        let mut text = table(&headers, &rows);
        for u in &explanation.unexplained {
            text.push_str(&format!(
                "not explained by the children of `{}`: {}\n",
                u.kpi,
                root_unit.format(Some(u.residual), currency, locale)
            ));
        }
        if !explanation.movers.is_empty() {
            text.push_str(&format!(
                "\n{}:\n",
                locale.say("Störst förändring per värde", "Largest movers")
            ));
            for movers in &explanation.movers {
                let unit = movers.unit;
                let parts: Vec<String> = movers
                    .values
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {}{} ({} → {})",
                            m.value,
                            if m.change >= 0.0 { "+" } else { "" },
                            unit.format(Some(m.change), currency, locale),
                            unit.format(m.before, currency, locale),
                            unit.format(m.after, currency, locale)
                        )
                    })
                    .collect();
                text.push_str(&format!(
                    "  {} ({}): {}\n",
                    movers.name,
                    movers.dimension,
                    parts.join(", ")
                ));
            }
        }
        print_stdout(&text)?;
        Ok(ExitCode::SUCCESS)
    })
}
