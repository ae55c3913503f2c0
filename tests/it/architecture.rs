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
