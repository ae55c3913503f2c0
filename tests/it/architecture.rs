//! The invariants written in ARCHITECTURE.md, checked against the manifests and sources.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest(path: &Path) -> toml::Table {
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

/// (crate name, its normal dependencies)
fn crates() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut paths = vec![root().join("Cargo.toml")];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        paths.push(entry.unwrap().path().join("Cargo.toml"));
    }
    for path in paths {
        let table = manifest(&path);
        let name = table["package"]["name"].as_str().unwrap().to_string();
        let dependencies = table
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        out.push((name, dependencies));
    }
    out
}

#[test]
fn only_the_engine_knows_datafusion() {
    for (name, dependencies) in crates() {
        if name != "utfall-engine" {
            for forbidden in ["datafusion", "ballista", "datafusion-proto"] {
                assert!(
                    !dependencies.contains(&forbidden.to_string()),
                    "{name} depends on {forbidden}"
                );
            }
        }
    }
}

#[test]
fn the_model_knows_no_engine_store_server_or_terminal() {
    let (_, dependencies) = crates()
        .into_iter()
        .find(|(name, _)| name == "utfall-model")
        .unwrap();
    for dependency in &dependencies {
        assert!(
            ["jiff", "serde", "thiserror", "toml"].contains(&dependency.as_str()),
            "utfall-model depends on {dependency}"
        );
    }
}

#[test]
fn terminal_ui_lives_only_in_the_binary() {
    for (name, dependencies) in crates() {
        if name != "utfall" {
            for forbidden in ["clap", "indicatif", "dialoguer", "anyhow"] {
                assert!(
                    !dependencies.contains(&forbidden.to_string()),
                    "{name} depends on {forbidden}"
                );
            }
        }
    }
}

#[test]
fn numeric_crates_do_no_io() {
    for (name, dependencies) in crates() {
        if name == "utfall-attribution" || name == "utfall-mmm" {
            for forbidden in [
                "datafusion",
                "sqlx",
                "tokio",
                "axum",
                "csv",
                "parquet",
                "arrow",
                "utfall-ingest",
                "utfall-store",
            ] {
                assert!(
                    !dependencies.contains(&forbidden.to_string()),
                    "{name} depends on {forbidden}"
                );
            }
        }
    }
}

#[test]
fn every_crate_uses_the_workspace_lints() {
    let mut paths = vec![root().join("Cargo.toml")];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        paths.push(entry.unwrap().path().join("Cargo.toml"));
    }
    for path in paths {
        let table = manifest(&path);
        assert_eq!(
            table["lints"]["workspace"].as_bool(),
            Some(true),
            "{}",
            path.display()
        );
    }
}

#[test]
fn main_rs_is_thin() {
    let main = std::fs::read_to_string(root().join("src/main.rs")).unwrap();
    assert!(
        main.lines().count() <= 30,
        "src/main.rs has {} lines",
        main.lines().count()
    );
}

#[test]
fn library_crates_do_not_print() {
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        for file in walk(&src) {
            let text = std::fs::read_to_string(&file).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for forbidden in ["println!", "eprintln!", "print!(", "eprint!("] {
                assert!(
                    !code.contains(forbidden),
                    "{} uses {forbidden}",
                    file.display()
                );
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn dependencies_of(crate_name: &str) -> Vec<String> {
    crates()
        .into_iter()
        .find(|(name, _)| name == crate_name)
        .map(|(_, d)| d)
        .unwrap_or_default()
}

#[test]
fn the_binary_reaches_the_engine_and_the_numeric_crates_only_through_the_app() {
    let dependencies = dependencies_of("utfall");
    assert!(dependencies.contains(&"utfall-app".to_string()));
    for forbidden in [
        "utfall-engine",
        "utfall-attribution",
        "utfall-ingest",
        "utfall-demo",
        "utfall-mmm",
        "arrow",
        "parquet",
        "datafusion",
        "tokio",
        "utfall-store",
        "sqlx",
    ] {
        assert!(
            !dependencies.contains(&forbidden.to_string()),
            "the binary depends on {forbidden}"
        );
    }
}

#[test]
fn only_the_engine_and_ingest_read_arrow_and_parquet() {
    for (name, dependencies) in crates() {
        if name == "utfall-engine" || name == "utfall-ingest" {
            continue;
        }
        for forbidden in ["arrow", "parquet"] {
            assert!(
                !dependencies.contains(&forbidden.to_string()),
                "{name} depends on {forbidden}"
            );
        }
    }
}

#[test]
fn the_application_layer_has_no_terminal_or_http_crates() {
    for forbidden in [
        "clap",
        "indicatif",
        "dialoguer",
        "anyhow",
        "axum",
        "hyper",
        "arrow",
        "datafusion",
    ] {
        assert!(
            !dependencies_of("utfall-app").contains(&forbidden.to_string()),
            "utfall-app depends on {forbidden}"
        );
    }
}

#[test]
fn the_engine_runs_no_sql_text_outside_the_read_only_query() {
    // KPI formulas are compiled to DataFusion expressions, never to SQL text: `.sql(` appears
    // only in `rows.rs` (the user's read-only `utfall sql`, with DDL and DML refused) and tests.
    for file in walk(&root().join("crates/utfall-engine/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let allowed = file.ends_with("rows.rs") || file.ends_with("testing.rs");
        if !allowed {
            assert!(!code.contains(".sql("), "{} runs SQL text", file.display());
        }
    }
    let rows = std::fs::read_to_string(root().join("crates/utfall-engine/src/rows.rs")).unwrap();
    assert!(rows.contains("sql_with_options(query, read_only_sql())"));
}

#[test]
fn the_engine_owns_no_runtime() {
    for file in walk(&root().join("crates/utfall-engine/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        if file.ends_with("testing.rs") {
            continue;
        }
        for forbidden in ["block_on", "Runtime::new", "runtime::Builder"] {
            assert!(
                !code.contains(forbidden),
                "{} uses {forbidden}",
                file.display()
            );
        }
    }
    assert!(!dependencies_of("utfall-engine").contains(&"tokio".to_string()));
}

#[test]
fn every_library_crate_lints_against_printing() {
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let lib = entry.unwrap().path().join("src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        assert!(
            text.contains("#![warn(clippy::print_stdout, clippy::print_stderr)]"),
            "{} lacks the print lints",
            lib.display()
        );
    }
}

#[test]
fn every_library_crate_warns_on_missing_docs() {
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let lib = entry.unwrap().path().join("src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        assert!(
            text.contains("#![warn(missing_docs)]"),
            "{} lacks `missing_docs`",
            lib.display()
        );
    }
}

#[test]
fn the_commands_are_glue_of_at_most_2561_lines() {
    // 2500 until `utfall serve` (the web app's glue) arrived; 2520 until `utfall digest` (41).
    let lines: usize = walk(&root().join("src/commands"))
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap().lines().count())
        .sum();
    assert!(lines <= 2561, "src/commands/ holds {lines} lines");
}

/// The functions of a source longer than `limit` lines, as `path:line name (n lines)`: a
/// function starts at a line whose code begins with `fn` (after `pub`, `async`, …) and ends at
/// the first `}` at its indentation.
fn long_functions(path: &Path, limit: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let signature = [
            "pub ",
            "pub(crate) ",
            "pub(super) ",
            "async ",
            "const ",
            "unsafe ",
        ]
        .iter()
        .fold(code, |rest, word| rest.strip_prefix(word).unwrap_or(rest));
        let signature = ["async ", "const ", "unsafe "]
            .iter()
            .fold(signature, |rest, word| {
                rest.strip_prefix(word).unwrap_or(rest)
            });
        if !signature.starts_with("fn ") || code.ends_with(';') {
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        let end = lines[start..]
            .iter()
            .position(|l| l.starts_with(&close) && l.len() - l.trim_start().len() == indent)
            .map(|n| start + n)
            .unwrap_or(start);
        if end - start + 1 > limit {
            out.push(format!(
                "{}:{} {} ({} lines)",
                path.display(),
                start + 1,
                signature[3..].split(['(', '<']).next().unwrap_or(signature),
                end - start + 1
            ));
        }
    }
    out
}

#[test]
fn no_function_is_longer_than_150_lines() {
    let mut sources = walk(&root().join("src"));
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        for sub in ["src", "tests", "benches"] {
            if dir.join(sub).is_dir() {
                sources.extend(walk(&dir.join(sub)));
            }
        }
    }
    sources.extend(walk(&root().join("tests")));
    let long: Vec<String> = sources
        .iter()
        .flat_map(|p| long_functions(p, 150))
        .collect();
    assert!(
        long.is_empty(),
        "functions over 150 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_long_function_finder_finds_a_long_function() {
    let dir = std::env::temp_dir().join(format!("utfall-longfn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.rs");
    let body = "    let x = 1;\n".repeat(149);
    std::fs::write(
        &path,
        format!("fn short() {{\n}}\n\npub async fn long() {{\n{body}}}\n"),
    )
    .unwrap();
    // `long` has 1 + 149 + 1 = 151 lines, `short` 2.
    let found = long_functions(&path, 150);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with(":4 long (151 lines)"), "{found:?}");
}

#[test]
fn only_the_store_knows_sqlx() {
    for (name, dependencies) in crates() {
        if name != "utfall-store" {
            assert!(
                !dependencies.contains(&"sqlx".to_string()),
                "{name} depends on sqlx"
            );
        }
    }
    assert!(dependencies_of("utfall-store").contains(&"sqlx".to_string()));
}

#[test]
fn the_store_runs_no_analytics() {
    // It keeps what the application layer computed: no engine, no data, no numeric crate, and no
    // other Utfall crate at all.
    for dependency in dependencies_of("utfall-store") {
        assert!(
            !dependency.starts_with("utfall-")
                && !["arrow", "parquet", "datafusion", "rayon"].contains(&dependency.as_str()),
            "utfall-store depends on {dependency}"
        );
    }
}

#[test]
fn the_store_builds_sql_text_only_from_its_own_constants() {
    // Every query is a literal with bound parameters; the exceptions build multi-row inserts and
    // upserts (placeholders only) and PostgreSQL's identity resets over a fixed list of tables.
    let mut built = Vec::new();
    for file in walk(&root().join("crates/utfall-store/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for _ in code.matches("AssertSqlSafe(") {
            built.push(file.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    built.sort();
    assert_eq!(
        built,
        ["dump.rs", "dump.rs", "snapshots.rs", "snapshots.rs"]
    );
}

#[test]
fn the_report_crate_knows_no_kpi_and_builds_pdfs_only_on_request() {
    let dependencies = dependencies_of("utfall-report");
    assert!(
        dependencies.contains(&"rust_xlsxwriter".to_string()),
        "{dependencies:?}"
    );
    for dependency in &dependencies {
        assert!(
            !dependency.starts_with("utfall-"),
            "utfall-report depends on {dependency}"
        );
    }
    let table = manifest(&root().join("crates/utfall-report/Cargo.toml"));
    let krilla = &table["dependencies"]["krilla"];
    assert_eq!(
        krilla.get("optional").and_then(|o| o.as_bool()),
        Some(true),
        "{krilla}"
    );
    let defaults = table["features"].get("default").and_then(|d| d.as_array());
    assert!(defaults.is_none_or(|d| d.is_empty()), "{defaults:?}");
    let root_features = &manifest(&root().join("Cargo.toml"))["features"];
    assert!(
        root_features.get("default").is_none(),
        "the binary's default build has no PDF"
    );
}

#[test]
fn the_server_formats_what_the_app_computes() {
    let dependencies = dependencies_of("utfall-server");
    for needed in ["utfall-app", "axum", "askama"] {
        assert!(
            dependencies.contains(&needed.to_string()),
            "{dependencies:?}"
        );
    }
    // No engine, data, numeric or database crate: every number comes from `utfall-app`, every
    // stored thing through `utfall-store`'s API.
    for forbidden in [
        "utfall-engine",
        "utfall-ingest",
        "utfall-attribution",
        "utfall-mmm",
        "utfall-demo",
        "datafusion",
        "arrow",
        "parquet",
        "sqlx",
        "clap",
        "anyhow",
    ] {
        assert!(
            !dependencies.contains(&forbidden.to_string()),
            "utfall-server depends on {forbidden}"
        );
    }
    // Nothing from a CDN: no `http(s)://` in a template or asset but the SVG namespace.
    for dir in [
        "crates/utfall-server/templates",
        "crates/utfall-server/assets",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let outside = text
                .match_indices("http")
                .map(|(i, _)| &text[i..(i + 30).min(text.len())])
                .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
                .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
                .count();
            assert_eq!(outside, 0, "{} links outside", path.display());
        }
    }
}

#[test]
fn the_charts_know_only_the_model() {
    let dependencies = dependencies_of("utfall-chart");
    assert_eq!(dependencies, vec!["utfall-model".to_string()]);
}
