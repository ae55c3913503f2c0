//! The KPI tree: each KPI's children and the goal-by-goal order in which scorecards, `kpi
//! tree`, explanations and the cycle check walk it.

use std::collections::BTreeMap;

use crate::kinds::Role;
use crate::workspace::{KpiDef, Workspace};

/// How deep a walk goes before it stops (a guard against cycles `utfall check` reports).
const MAX_DEPTH: usize = 16;

/// One KPI in the goal tree's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// The goal the KPI's root serves.
    pub goal: String,
    /// The KPI.
    pub kpi: String,
    /// 0 for a root, 1 for its children…
    pub depth: usize,
}

/// The KPIs of a workspace and their parent–child links.
#[derive(Debug)]
pub struct KpiTree<'w> {
    workspace: &'w Workspace,
    by_id: BTreeMap<&'w str, &'w KpiDef>,
    children: BTreeMap<&'w str, Vec<&'w KpiDef>>,
    /// Each KPI's parent; of an id defined twice, the last definition's that names one (as
    /// `utfall check` has always read it when it reports the duplicate).
    parents: BTreeMap<&'w str, &'w str>,
}

impl<'w> KpiTree<'w> {
    /// The tree of a workspace's KPIs.
    pub fn new(workspace: &'w Workspace) -> KpiTree<'w> {
        let mut by_id = BTreeMap::new();
        let mut children: BTreeMap<&str, Vec<&KpiDef>> = BTreeMap::new();
        let mut parents = BTreeMap::new();
        for kpi in &workspace.kpis {
            by_id
                .entry(kpi.def.id.get_ref().as_str())
                .or_insert(&kpi.def);
            if let Some(parent) = &kpi.def.parent {
                parents.insert(kpi.def.id.get_ref().as_str(), parent.get_ref().as_str());
                children
                    .entry(parent.get_ref().as_str())
                    .or_default()
                    .push(&kpi.def);
            }
        }
        KpiTree {
            workspace,
            by_id,
            children,
            parents,
        }
    }

    /// The KPI with this id.
    pub fn kpi(&self, id: &str) -> Option<&'w KpiDef> {
        self.by_id.get(id).copied()
    }

    /// A KPI's children in the order of the definition files.
    pub fn children(&self, id: &str) -> &[&'w KpiDef] {
        self.children.get(id).map_or(&[], Vec::as_slice)
    }

    /// A KPI's children with a ratio's numerator before its denominator (the order in which
    /// a change is decomposed), otherwise in file order.
    pub fn children_numerator_first(&self, id: &str) -> Vec<&'w KpiDef> {
        let mut kids = self.children(id).to_vec();
        kids.sort_by_key(|k| k.role() == Some(Role::Denominator));
        kids
    }

    /// Every KPI under each goal, depth-first: goals in file order, each goal's root KPIs in
    /// file order, then their children.
    pub fn goal_order(&self) -> Vec<TreeEntry> {
        let mut order = Vec::new();
        for goal in &self.workspace.goals {
            let goal_id = goal.def.id.get_ref();
            for kpi in self.workspace.kpis.iter().filter(|k| {
                k.def.parent.is_none()
                    && k.def.goal.as_ref().is_some_and(|g| g.get_ref() == goal_id)
            }) {
                self.walk(goal_id, kpi.def.id.get_ref(), 0, &mut order);
            }
        }
        order
    }

    fn walk(&self, goal: &str, id: &str, depth: usize, order: &mut Vec<TreeEntry>) {
        if order.iter().any(|e| e.kpi == id) || depth > MAX_DEPTH {
            return;
        }
        order.push(TreeEntry {
            goal: goal.to_string(),
            kpi: id.to_string(),
            depth,
        });
        for child in self.children(id) {
            self.walk(goal, child.id.get_ref(), depth + 1, order);
        }
    }

    /// A KPI and every KPI below it, breadth-first (numerators first), each once.
    pub fn subtree(&self, id: &str) -> Vec<String> {
        let mut subtree = vec![id.to_string()];
        let mut i = 0;
        while i < subtree.len() {
            for kid in self.children_numerator_first(&subtree[i].clone()) {
                if !subtree.contains(kid.id.get_ref()) {
                    subtree.push(kid.id.get_ref().clone());
                }
            }
            i += 1;
        }
        subtree
    }

    /// Every KPI id, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &'w str> + '_ {
        self.by_id.keys().copied()
    }

    /// A KPI's parent.
    fn parent(&self, id: &str) -> Option<&'w str> {
        self.parents.get(id).copied()
    }

    /// A KPI's parent, its parent's parent… up to a root, an unknown id or a repeat (the KPI
    /// itself is never among them).
    pub fn ancestors(&self, id: &str) -> Vec<&'w str> {
        let mut ancestors = Vec::new();
        let mut current = id;
        while let Some(parent) = self.parent(current) {
            if ancestors.contains(&parent) || parent == id {
                break;
            }
            ancestors.push(parent);
            current = parent;
        }
        ancestors
    }

    /// The chain of parents from a KPI back to itself (`a → b → a`), if the KPI is on a cycle;
    /// a cycle further up that does not pass through it gives `None`.
    pub fn cycle_through(&self, id: &str) -> Option<Vec<String>> {
        let mut chain = vec![id.to_string()];
        let mut current = id;
        while let Some(parent) = self.parent(current) {
            chain.push(parent.to_string());
            if parent == id {
                return Some(chain);
            }
            if chain[..chain.len() - 1].iter().any(|c| c == parent) {
                return None;
            }
            current = parent;
        }
        None
    }

    /// A chain of parents that leads back to where it started, if any (`a → b → a`): the
    /// first KPI, by id, that is on a cycle.
    pub fn parent_cycle(&self) -> Option<Vec<String>> {
        self.by_id.keys().find_map(|id| self.cycle_through(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::SourceFile;

    fn workspace(text: &str) -> Workspace {
        Workspace::from_files(vec![
            SourceFile {
                path: "goals.toml".into(),
                text: GOALS.into(),
            },
            SourceFile {
                path: "kpis/t.toml".into(),
                text: text.into(),
            },
        ])
    }

    const GOALS: &str = r#"
[[goal]]
id = "grow"
name = { en = "Grow" }
period = "FY2026"
"#;

    const TREE: &str = r#"
[[kpi]]
id = "rate"
name = { en = "Rate" }
unit = "ratio"
direction = "higher"
goal = "grow"
relation = "ratio"

[[kpi]]
id = "base"
name = { en = "Base" }
formula = "count(contacts)"
unit = "count"
direction = "higher"
parent = "rate"
role = "denominator"

[[kpi]]
id = "hits"
name = { en = "Hits" }
formula = "count(deals)"
unit = "count"
direction = "higher"
parent = "rate"
role = "numerator"
"#;

    #[test]
    fn goal_order_is_depth_first_in_file_order_and_explain_puts_numerators_first() {
        let workspace = workspace(TREE);
        assert!(
            workspace.read_problems.is_empty(),
            "{:?}",
            workspace.read_problems
        );
        let tree = KpiTree::new(&workspace);
        let order: Vec<(String, usize)> = tree
            .goal_order()
            .into_iter()
            .map(|e| (e.kpi, e.depth))
            .collect();
        assert_eq!(
            order,
            [("rate".into(), 0), ("base".into(), 1), ("hits".into(), 1)]
        );
        let kids: Vec<&str> = tree
            .children_numerator_first("rate")
            .iter()
            .map(|k| k.id.get_ref().as_str())
            .collect();
        assert_eq!(kids, ["hits", "base"]);
        assert_eq!(tree.subtree("rate"), ["rate", "hits", "base"]);
        assert_eq!(tree.parent_cycle(), None);
    }

    #[test]
    fn a_cycle_of_parents_is_found() {
        let text = TREE.replace("goal = \"grow\"\nrelation", "parent = \"hits\"\nrelation");
        let workspace = workspace(&text);
        let cycle = KpiTree::new(&workspace).parent_cycle().unwrap();
        assert_eq!(cycle.first(), cycle.last());
        assert!(cycle.len() == 3, "{cycle:?}");
    }

    #[test]
    fn ancestors_and_cycles_follow_parents() {
        let plain = workspace(TREE);
        let tree = KpiTree::new(&plain);
        assert_eq!(tree.ancestors("hits"), ["rate"]);
        assert!(tree.ancestors("rate").is_empty());
        assert_eq!(tree.cycle_through("hits"), None);

        // `rate` under `hits`: both are on the cycle; `base` only hangs below it.
        let text = TREE.replace("goal = \"grow\"\nrelation", "parent = \"hits\"\nrelation");
        let cyclic = workspace(&text);
        let tree = KpiTree::new(&cyclic);
        assert_eq!(
            tree.cycle_through("hits").unwrap(),
            ["hits", "rate", "hits"]
        );
        assert_eq!(tree.cycle_through("base"), None);
        assert_eq!(tree.ancestors("base"), ["rate", "hits"]);
        assert_eq!(tree.ancestors("hits"), ["rate"]);
    }
}
