use crate::{check, new_workspace, utfall};

#[test]
fn every_template_gives_a_clean_workspace() {
    for template in ["b2b", "ecommerce", "events"] {
        let dir = new_workspace(template);
        let (code, stderr) = check(dir.path());
        assert_eq!(code, 0, "{template}: {stderr}");
        assert!(
            stderr.contains("0 errors, 0 warnings"),
            "{template}: {stderr}"
        );
    }
}

#[test]
fn b2b_workspace_has_goals_a_deep_tree_targets_and_owners() {
    let dir = new_workspace("b2b");
    let kpis: toml::Table = std::fs::read_to_string(dir.path().join("kpis/kpis.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let kpis = kpis["kpi"].as_array().unwrap();
    let parent_of = |id: &str| {
        kpis.iter()
            .find(|k| k["id"].as_str() == Some(id))
            .and_then(|k| k.get("parent"))
            .and_then(|p| p.as_str())
            .map(str::to_string)
    };
    let depth = |id: &str| {
        let mut depth = 1;
        let mut current = id.to_string();
        while let Some(parent) = parent_of(&current) {
            depth += 1;
            current = parent;
        }
        depth
    };
    let max_depth = kpis
        .iter()
        .map(|k| depth(k["id"].as_str().unwrap()))
        .max()
        .unwrap();
    assert!(max_depth >= 3, "the KPI tree is {max_depth} levels deep");
    let relations: Vec<&str> = kpis
        .iter()
        .filter_map(|k| k.get("relation")?.as_str())
        .collect();
    assert!(relations.contains(&"sum"));
    assert!(relations.contains(&"product") && relations.contains(&"ratio"));
    let with_targets = kpis.iter().filter(|k| k.get("target").is_some()).count();
    assert!(with_targets >= 5, "{with_targets} KPIs have targets");
    // Every KPI that serves a goal has an owner.
    for kpi in kpis.iter().filter(|k| k.get("goal").is_some()) {
        assert!(!kpi["owners"].as_array().unwrap().is_empty(), "{kpi:?}");
    }
    let goals: toml::Table = std::fs::read_to_string(dir.path().join("goals.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(goals["goal"].as_array().unwrap().len(), 3);
    // The fiscal year starts in May: 2026-11-26 is in FY2026.
    assert!(
        std::fs::read_to_string(dir.path().join("kpis/kpis.toml"))
            .unwrap()
            .contains("period = \"FY2026-Q3\"")
    );
}

#[test]
fn init_refuses_to_overwrite_and_needs_a_terminal_without_yes() {
    let dir = new_workspace("b2b");
    let output = utfall()
        .args(["init", "--yes"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("already holds a Utfall workspace") && stderr.contains("--force"),
        "{stderr}"
    );

    let empty = tempfile::tempdir().unwrap();
    let output = utfall()
        .arg("init")
        .arg(empty.path().join("new"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("pass `--yes`"));
    assert!(!empty.path().join("new/utfall.toml").exists());
}

#[test]
fn help_lists_the_commands() {
    let output = utfall().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["init", "check", "kpi"] {
        assert!(
            help.lines()
                .any(|line| line.trim_start().starts_with(command)),
            "{help}"
        );
    }
}
