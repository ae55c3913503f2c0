//! End-to-end tests of the `utfall` binary: one test binary for the whole CLI.

#![allow(clippy::unwrap_used)]

mod architecture;
mod attribution;
mod check;
mod demo;
mod digest_processes;
mod engine;
mod import;
mod import_layouts;
mod import_shapes;
mod import_vendors;
mod init;
mod kpi;
mod memory;
mod mmm;
mod realworld;
mod review;
mod serve_kill;

use std::path::Path;

use assert_cmd::Command;

pub fn utfall() -> Command {
    let mut command = Command::cargo_bin("utfall").expect("the utfall binary is built");
    command
        .env("NO_COLOR", "1")
        .env_remove("UTFALL_LANG")
        .env("LANG", "C");
    command
}

/// A fresh b2b workspace made by `utfall init --yes`, with a fixed "today".
pub fn new_workspace(template: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    utfall()
        .args([
            "init",
            "--yes",
            "--today",
            "2026-11-26",
            "--name",
            "Nordkraft AB",
            "--template",
            template,
        ])
        .arg(dir.path())
        .assert()
        .success();
    dir
}

/// Replaces the first occurrence of `from` in a workspace file; fails if it is not there.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("the file exists");
    assert!(text.contains(from), "`{from}` is not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("the file is writable");
}

/// Runs `utfall check` and returns (exit code, stderr).
pub fn check(dir: &Path) -> (i32, String) {
    let output = utfall()
        .arg("check")
        .arg(dir)
        .output()
        .expect("utfall runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `utfall ARGS -C DIR`, which must succeed, and parses its JSON output.
pub fn json(args: &[&str], dir: &Path) -> serde_json::Value {
    let output = utfall()
        .args(args)
        .arg("-C")
        .arg(dir)
        .output()
        .expect("utfall runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// A `--format json` KPI series as (period or dimension value, value) pairs.
pub fn pairs(report: &serde_json::Value, label: &str) -> Vec<(String, Option<f64>)> {
    labelled(&report["values"], label, "value")
}

/// A JSON array of objects as (text at `label`, number at `number`) pairs.
pub fn labelled(
    items: &serde_json::Value,
    label: &str,
    number: &str,
) -> Vec<(String, Option<f64>)> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| {
            (
                v[label].as_str().unwrap_or_default().to_string(),
                v[number].as_f64(),
            )
        })
        .collect()
}
