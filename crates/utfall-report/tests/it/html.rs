use utfall_report::{Format, html, render};

use crate::fixtures;

/// The tags and attributes the renderer itself writes; anything else came from the text.
const TAGS: [&str; 22] = [
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "p",
    "section", "h2", "ul", "li", "div", "table", "thead", "tbody", "tr", "th", "td",
];
const ATTRIBUTES: [&str; 8] = [
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "class",
    "scope",
    "style",
];

/// Every tag in `html` (outside the style sheet): its name and attribute names and values.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let inside = rest[..end].trim_start_matches('/');
        let name: String = inside.chars().take_while(|c| !c.is_whitespace()).collect();
        let mut attributes = Vec::new();
        let mut attrs = inside[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs.find('=').unwrap_or(attrs.len());
            let key = attrs[..eq].trim().to_owned();
            attrs = attrs.get(eq + 1..).unwrap_or("").trim_start();
            let value = if let Some(quoted) = attrs.strip_prefix('"') {
                let close = quoted.find('"').unwrap_or(quoted.len());
                let value = quoted[..close].to_owned();
                attrs = quoted.get(close + 1..).unwrap_or("").trim_start();
                value
            } else {
                let close = attrs.find(char::is_whitespace).unwrap_or(attrs.len());
                let value = attrs[..close].to_owned();
                attrs = attrs[close..].trim_start();
                value
            };
            attributes.push((key, value));
        }
        if name == "style" {
            // Skip the style sheet's text up to its end tag.
            let close = rest.find("</style>").unwrap_or(rest.len());
            rest = &rest[close + 1..];
        } else {
            rest = &rest[end..];
        }
        found.push((name, attributes));
    }
    found
}

#[test]
fn the_file_is_self_contained_with_a_strict_policy() {
    let out = html(&fixtures::channels());
    assert!(
        out.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">\n"),
        "{out}"
    );
    assert!(out.contains("<meta charset=\"utf-8\">"));
    assert!(out.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'"
    ));
    assert!(out.contains("@media print"));
    assert!(out.contains("font-variant-numeric: tabular-nums"));
    assert!(out.contains("<title>Marknadsrapport mars 2025</title>"));
    assert!(out.ends_with("</html>\n"));
    for outside in [
        "<script", "src=", "href=", "url(", "@import", "http://", "https://",
    ] {
        assert!(!out.contains(outside), "{outside} in the file");
    }
}

#[test]
fn every_piece_of_text_is_there_and_numbers_are_right_aligned() {
    let doc = fixtures::channels();
    let out = html(&doc);
    assert!(out.contains("<h1>Marknadsrapport mars 2025</h1>"));
    assert!(out.contains("<p class=\"subtitle\">Arbetsyta Demo AB · 2025-03-01 – 2025-03-31</p>"));
    assert!(out.contains("<h2>Sammanfattning</h2>"));
    assert!(out.contains("<p>Intäkten ökade med 12,5\u{a0}% jämfört med februari.</p>"));
    assert!(out.contains("<li>Sök växte mest</li>\n<li>E-post minskade</li>"));
    assert!(
        out.contains("<tr><th scope=\"col\">Kanal</th><th scope=\"col\" class=\"num\">Besök</th>")
    );
    assert!(out.contains(
        "<tr><td>Betald sök</td><td class=\"num\">12\u{a0}345</td>\
         <td class=\"num\">1\u{a0}234,50\u{a0}kr</td>"
    ));
    // Indentation shows as padding; the blank cell in a column of numbers is aligned too.
    assert!(
        out.contains("<td style=\"padding-left:1.9rem\">Varumärke</td>"),
        "{out}"
    );
    assert!(out.contains("<td class=\"num\">–</td>"));
}

#[test]
fn hostile_text_comes_out_inert() {
    let out = html(&fixtures::hostile());
    for (name, attributes) in tags(&out) {
        assert!(TAGS.contains(&name.as_str()), "tag <{name}> from the text");
        for (key, value) in attributes {
            assert!(
                ATTRIBUTES.contains(&key.as_str()) || name == "!DOCTYPE",
                "attribute {key} from the text"
            );
            assert!(!value.contains("javascript:"), "{key}={value}");
            assert!(
                !value.contains('<') && !value.contains('>'),
                "{key}={value}"
            );
        }
    }
    // The words are all still there, escaped.
    assert!(out.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert!(out.contains("<html lang=\"sv&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"));
    assert!(out.contains("<li>&lt;img src=x onerror=alert(1)&gt;</li>"));
    assert!(
        out.contains("<td>&lt;a href=&quot;javascript:alert(1)&quot;&gt;klicka&lt;/a&gt;</td>")
    );
    assert!(out.contains("<td>&#39; onmouseover=&#39;alert(1)</td>"));
    assert!(!out.to_lowercase().contains("<script"));
    assert!(!out.contains("<img") && !out.contains("<svg") && !out.contains("<a "));
}

#[test]
fn render_gives_the_html_as_utf8_bytes() {
    let doc = fixtures::channels();
    assert_eq!(
        render(&doc, Format::Html).ok(),
        Some(html(&doc).into_bytes())
    );
}
