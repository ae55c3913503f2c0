//! Reading the produced SVG back in tests with plain string scanning.

/// The start tags `<name …>` (attributes included) of every `name` element whose `class`
/// contains the word `class` (any element when `class` is empty).
pub(crate) fn tags<'a>(svg: &'a str, name: &str, class: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find(&open) {
        let tail = &rest[start..];
        let end = tail.find('>').map_or(tail.len(), |e| e + 1);
        let tag = &tail[..end];
        if class.is_empty() || classes(tag).contains(&class) {
            out.push(tag);
        }
        rest = &tail[end..];
    }
    out
}

/// The words of a tag's `class` attribute.
pub(crate) fn classes(tag: &str) -> Vec<&str> {
    attr(tag, "class").map_or(Vec::new(), |c| c.split(' ').collect())
}

/// The raw (still escaped) value of attribute `name`.
pub(crate) fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Attribute `name` read as a number.
pub(crate) fn number(tag: &str, name: &str) -> f64 {
    attr(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number `{name}` in {tag}"))
}

/// Attribute `key` of every `name` element with class `class` (missing ones as "").
pub(crate) fn attrs<'a>(svg: &'a str, name: &str, class: &str, key: &str) -> Vec<&'a str> {
    let tags = tags(svg, name, class).into_iter();
    tags.map(|tag| attr(tag, key).unwrap_or("")).collect()
}

/// Attribute `key` of every `name` element with class `class`, read as numbers.
pub(crate) fn numbers(svg: &str, name: &str, class: &str, key: &str) -> Vec<f64> {
    tags(svg, name, class)
        .into_iter()
        .map(|tag| number(tag, key))
        .collect()
}

/// The texts of the `<text>` elements with class `class`.
pub(crate) fn texts<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
    tags(svg, "text", class)
        .into_iter()
        .filter_map(|tag| {
            let start = svg.find(tag)? + tag.len();
            let len = svg[start..].find("</text>")?;
            Some(&svg[start..start + len])
        })
        .collect()
}

/// Every number in a coordinate attribute has at most two decimals.
pub(crate) fn assert_short_coordinates(svg: &str) {
    for key in [
        "x", "y", "cx", "cy", "r", "width", "height", "x1", "y1", "x2", "y2", "points",
    ] {
        let needle = format!(" {key}=\"");
        for (at, _) in svg.match_indices(&needle) {
            let start = at + needle.len();
            let len = svg[start..].find('"').unwrap_or(0);
            for number in svg[start..start + len].split([' ', ',']) {
                let decimals = number.split_once('.').map_or(0, |(_, f)| f.len());
                assert!(decimals <= 2, "{key}={number}");
            }
        }
    }
}
