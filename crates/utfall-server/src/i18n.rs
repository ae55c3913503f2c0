//! Every word a page shows, in Swedish and English, from Fluent files embedded in the binary
//! (`locales/sv.ftl`, `locales/en.ftl`): plurals and selectors are the translators', not ours.
//! A key missing from a language shows as `⟦key⟧`, and a test checks that none is.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use utfall_model::locale::Locale;

/// The Swedish messages.
pub const SWEDISH: &str = include_str!("../locales/sv.ftl");
/// The English messages.
pub const ENGLISH: &str = include_str!("../locales/en.ftl");

/// Both languages' messages.
pub struct Messages {
    sv: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Messages")
    }
}

fn bundle(text: &'static str, language: &str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = language.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Numbers are formatted by `Locale`, not by Fluent; no bidi isolation marks in HTML.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(text.to_string()) {
        Ok(resource) => resource,
        // A syntax error keeps what parsed; the test of the files fails on it.
        Err((resource, _)) => resource,
    };
    let _ = bundle.add_resource(resource);
    bundle
}

impl Messages {
    /// Parses the embedded files.
    pub fn load() -> Messages {
        Messages {
            sv: bundle(SWEDISH, "sv-SE"),
            en: bundle(ENGLISH, "en-GB"),
        }
    }

    fn of(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        match locale {
            Locale::Sv => &self.sv,
            Locale::En => &self.en,
        }
    }

    /// The message `key` in `locale`, with `args`.
    pub fn format(&self, locale: Locale, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.of(locale);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return format!("⟦{key}⟧");
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Whether `key` exists in `locale`.
    pub fn has(&self, locale: Locale, key: &str) -> bool {
        self.of(locale).has_message(key)
    }
}

/// The messages in one language, as templates use them: `t.get("key")`, `t.count("key", n)`.
#[derive(Debug, Clone, Copy)]
pub struct Tr<'a> {
    /// The messages.
    pub messages: &'a Messages,
    /// The language.
    pub locale: Locale,
}

impl Tr<'_> {
    /// The message `key`.
    pub fn get(&self, key: &str) -> String {
        self.messages.format(self.locale, key, None)
    }

    /// The message `key` with `$n` set to `n` (its plural form chosen by the language).
    pub fn count(&self, key: &str, n: usize) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n));
        args.set("shown", FluentValue::from(self.locale.number(n as f64, 0)));
        self.messages.format(self.locale, key, Some(&args))
    }

    /// The message `key` with `$name` set to `value`.
    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(value.to_string()));
        self.messages.format(self.locale, key, Some(&args))
    }

    /// The language's code (`sv`, `en`).
    pub fn lang(&self) -> String {
        self.locale.to_string()
    }
}

/// The keys a Fluent file defines, in order.
pub fn keys(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '\t', '.', '-', '[', '*', '}']))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty())
        .collect()
}

/// The language a request asks for: `?lang=`, then the person's setting, then the first of
/// `Accept-Language` we speak, then the workspace's.
pub fn negotiate(
    query: Option<&str>,
    setting: Option<&str>,
    accept_language: Option<&str>,
    workspace: Locale,
) -> Locale {
    let parse = |text: &str| -> Option<Locale> {
        let primary = text.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "sv" => Some(Locale::Sv),
            "en" => Some(Locale::En),
            _ => None,
        }
    };
    if let Some(locale) = query.and_then(parse) {
        return locale;
    }
    if let Some(locale) = setting.and_then(parse) {
        return locale;
    }
    if let Some(header) = accept_language {
        let mut ranked: Vec<(f64, usize, Locale)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let locale = parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if let Some((_, _, locale)) = ranked.first() {
            return *locale;
        }
    }
    workspace
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_parse() {
        let (sv, en) = (keys(SWEDISH), keys(ENGLISH));
        assert!(sv.len() > 50, "{} keys", sv.len());
        let missing_en: Vec<_> = sv.iter().filter(|k| !en.contains(k)).collect();
        let missing_sv: Vec<_> = en.iter().filter(|k| !sv.contains(k)).collect();
        assert!(missing_en.is_empty(), "not in en.ftl: {missing_en:?}");
        assert!(missing_sv.is_empty(), "not in sv.ftl: {missing_sv:?}");
        for (text, name) in [(SWEDISH, "sv"), (ENGLISH, "en")] {
            if let Err((_, errors)) = FluentResource::try_new(text.to_string()) {
                panic!("{name}.ftl: {errors:?}");
            }
        }
        let messages = Messages::load();
        for key in &sv {
            assert!(
                messages.has(Locale::Sv, key) && messages.has(Locale::En, key),
                "{key}"
            );
        }
    }

    /// Every key the templates and the code name literally, and every key they build from a
    /// vocabulary, exists in both languages.
    #[test]
    fn every_key_used_exists_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = std::collections::BTreeSet::new();
        for dir in ["templates", "src", "src/pages"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for call in ["t.get(\"", "t.with(\"", "t.count(\""] {
                    for (at, _) in text.match_indices(call) {
                        let rest = &text[at + call.len()..];
                        let key: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                            .collect();
                        if rest[key.len()..].starts_with('"') && key.contains('-') {
                            used.insert(key);
                        }
                    }
                }
            }
        }
        // Keys built from vocabularies.
        for status in ["on-track", "at-risk", "off-track", "no-target", "no-data"] {
            used.insert(format!("status-{status}"));
        }
        for kind in ["reach", "above", "below"] {
            used.insert(format!("target-{kind}"));
        }
        for grain in [
            "day",
            "week",
            "month",
            "quarter",
            "fiscal_quarter",
            "year",
            "fiscal_year",
            "range",
        ] {
            used.insert(format!("grain-{grain}"));
        }
        for model in [
            "first",
            "last",
            "linear",
            "time_decay",
            "position",
            "markov",
            "shapley",
        ] {
            used.insert(format!("model-{model}"));
            used.insert(format!("model-{model}-how"));
        }
        for word in [
            "leads",
            "mqls",
            "sqls",
            "opportunities",
            "pipeline",
            "won_deals",
        ] {
            used.insert(format!("conversion-{word}"));
        }
        for word in ["channel", "campaign", "activity"] {
            used.insert(format!("by-{word}"));
        }
        for word in ["viewer", "editor", "admin"] {
            used.insert(format!("role-{word}"));
        }
        for word in ["higher", "lower", "neutral"] {
            used.insert(format!("direction-{word}"));
        }
        for word in ["note", "import", "definition", "activity", "decision"] {
            used.insert(format!("annotation-{word}"));
        }
        for word in ["worked", "did_not_work", "unclear"] {
            used.insert(format!("verdict-{word}"));
        }
        for word in ["more", "less", "keep"] {
            used.insert(format!("advice-{word}"));
        }
        for word in ["stop", "start", "continue", "more", "less"] {
            used.insert(format!("action-{word}"));
        }
        for word in ["worked", "did_not_work", "too_early"] {
            used.insert(format!("outcome-{word}"));
        }
        for word in ["open", "closed"] {
            used.insert(format!("review-status-{word}"));
        }
        let messages = Messages::load();
        let missing: Vec<String> = used
            .iter()
            .flat_map(|key| {
                [Locale::Sv, Locale::En]
                    .into_iter()
                    .filter(|l| !messages.has(*l, key))
                    .map(move |l| format!("{l}: {key}"))
            })
            .collect();
        assert!(used.len() > 150, "{} keys found", used.len());
        assert!(missing.is_empty(), "missing: {missing:?}");
    }

    #[test]
    fn plurals_follow_the_language() {
        let messages = Messages::load();
        let sv = Tr {
            messages: &messages,
            locale: Locale::Sv,
        };
        let en = Tr {
            messages: &messages,
            locale: Locale::En,
        };
        assert_eq!(sv.count("n-kpis", 1), "1 KPI");
        assert_eq!(en.count("n-kpis", 3), "3 KPIs");
        assert_eq!(sv.count("n-rows", 1), "1 rad");
        assert_eq!(sv.count("n-rows", 1234), "1\u{a0}234 rader");
        assert_eq!(en.count("n-rows", 1), "1 row");
    }

    #[test]
    fn the_language_is_negotiated_in_order() {
        assert_eq!(
            negotiate(Some("en"), Some("sv"), None, Locale::Sv),
            Locale::En
        );
        assert_eq!(
            negotiate(None, Some("en"), Some("sv"), Locale::Sv),
            Locale::En
        );
        assert_eq!(
            negotiate(None, None, Some("de-DE,en;q=0.8,sv;q=0.9"), Locale::En),
            Locale::Sv
        );
        assert_eq!(
            negotiate(None, None, Some("en-US,en;q=0.9"), Locale::Sv),
            Locale::En
        );
        assert_eq!(
            negotiate(None, None, Some("fr, de;q=0.5"), Locale::En),
            Locale::En
        );
        assert_eq!(negotiate(Some("xx"), None, None, Locale::Sv), Locale::Sv);
    }
}
