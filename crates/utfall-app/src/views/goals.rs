//! The goal tree: goals → KPIs → drivers, with statuses rolled up.

use serde::Serialize;
use utfall_model::locale::Locale;
use utfall_model::period::Period;

use crate::error::AppError;
use crate::scorecard::{ScorecardRequest, scorecard};
use crate::session::Session;
use crate::wire::{Status, display};

/// A KPI in a goal's tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeNode {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: String,
    /// Its depth under the goal (0 for a root).
    pub depth: usize,
    /// The KPI it drives.
    pub parent: Option<String>,
    /// How its children make it up (`sum`, `ratio`, …).
    pub relation: Option<String>,
    /// Its own status in the period.
    pub status: Status,
    /// The worst status of it and everything under it.
    pub rolled_up: Status,
    /// Its value in the period.
    pub value: Option<f64>,
    /// Its target in the period.
    pub target: Option<f64>,
    /// Its owners.
    pub owners: Vec<String>,
    /// Its departments.
    pub departments: Vec<String>,
}

/// A goal with its KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalNode {
    /// The goal.
    pub goal: String,
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: Option<String>,
    /// Its period.
    pub period: Option<String>,
    /// The goal it serves.
    pub parent: Option<String>,
    /// Its owners.
    pub owners: Vec<String>,
    /// Its departments.
    pub departments: Vec<String>,
    /// The worst status of its KPIs.
    pub status: Status,
    /// Its KPIs, depth-first.
    pub kpis: Vec<TreeNode>,
}

/// Every goal of the workspace with its KPI tree in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalTree {
    /// The period the statuses are of.
    #[serde(serialize_with = "display")]
    pub period: Period,
    /// Whether it is still running.
    pub running: bool,
    /// The goals.
    pub goals: Vec<GoalNode>,
}

/// The goal tree in `period` (default: today's fiscal quarter).
pub async fn goal_tree(
    session: &Session,
    period: Option<Period>,
    locale: Option<Locale>,
) -> Result<GoalTree, AppError> {
    let card = scorecard(
        session,
        &ScorecardRequest {
            period,
            by: None,
            locale,
        },
    )
    .await?;
    Ok(tree_of(session, &card, locale))
}

/// The goal tree of a scorecard already computed.
pub fn tree_of(
    session: &Session,
    card: &crate::wire::Scorecard,
    locale: Option<Locale>,
) -> GoalTree {
    let locale = session.locale(locale);
    let workspace = &session.workspace;
    let mut goals = Vec::new();
    for goal in &workspace.goals {
        let id = goal.def.id.get_ref();
        let lines: Vec<_> = card.kpis.iter().filter(|k| &k.goal == id).collect();
        let mut kpis: Vec<TreeNode> = lines
            .iter()
            .map(|line| {
                let def = workspace.kpi(&line.kpi).ok();
                TreeNode {
                    kpi: line.kpi.clone(),
                    name: line.name.clone(),
                    depth: line.depth,
                    parent: def.and_then(|d| d.parent.as_ref().map(|p| p.get_ref().clone())),
                    relation: def.and_then(|d| d.relation.as_ref().map(|r| r.get_ref().clone())),
                    status: line.status,
                    rolled_up: line.status,
                    value: line.value,
                    target: line.target,
                    owners: def.map_or(Vec::new(), |d| {
                        d.owners.iter().map(|o| o.get_ref().clone()).collect()
                    }),
                    departments: def.map_or(Vec::new(), |d| {
                        d.departments.iter().map(|o| o.get_ref().clone()).collect()
                    }),
                }
            })
            .collect();
        // Depth-first order: everything after a node with a greater depth is under it.
        for i in 0..kpis.len() {
            let depth = kpis[i].depth;
            let under = kpis[i + 1..]
                .iter()
                .take_while(|k| k.depth > depth)
                .map(|k| k.status);
            let rolled = super::rolled_up(std::iter::once(kpis[i].status).chain(under));
            kpis[i].rolled_up = rolled;
        }
        goals.push(GoalNode {
            goal: id.clone(),
            name: goal.def.name.get_ref().get(locale).to_string(),
            description: goal
                .def
                .description
                .as_ref()
                .map(|d| d.get(locale).to_string()),
            period: goal.def.period.as_ref().map(|p| p.get_ref().clone()),
            parent: goal.def.parent.as_ref().map(|p| p.get_ref().clone()),
            owners: goal
                .def
                .owners
                .iter()
                .map(|o| o.get_ref().clone())
                .collect(),
            departments: goal
                .def
                .departments
                .iter()
                .map(|o| o.get_ref().clone())
                .collect(),
            status: super::rolled_up(kpis.iter().map(|k| k.status)),
            kpis,
        });
    }
    GoalTree {
        period: card.period,
        running: card.running,
        goals,
    }
}
