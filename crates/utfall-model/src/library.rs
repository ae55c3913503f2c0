//! The curated KPI library, embedded in the binary.

use std::sync::OnceLock;

use crate::workspace::{KpiDef, SourceFile, Workspace, split_entries};

const LIBRARY_TOML: &str = include_str!("library.toml");

/// One library entry: its definition and the TOML text that defines it.
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    /// The KPI as the library defines it.
    pub def: KpiDef,
    /// The `[[kpi]]` block, ready to be copied into a workspace file.
    pub text: String,
}

impl LibraryEntry {
    /// The KPI's id.
    pub fn id(&self) -> &str {
        self.def.id.get_ref()
    }

    /// The other KPIs this entry's formula reads.
    pub fn dependencies(&self) -> Vec<String> {
        let Some(formula) = &self.def.formula else {
            return Vec::new();
        };
        crate::formula::parse(formula.get_ref())
            .map(|expr| {
                expr.kpi_refs()
                    .into_iter()
                    .map(|ident| ident.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The curated KPI library (`library.toml`) that `utfall kpi add` copies from.
#[derive(Debug)]
pub struct Library {
    /// Every entry, in the library's order.
    pub entries: Vec<LibraryEntry>,
}

impl Library {
    /// The library, parsed once.
    pub fn get() -> &'static Library {
        static LIBRARY: OnceLock<Library> = OnceLock::new();
        LIBRARY.get_or_init(|| {
            let workspace = Workspace::from_files(vec![SourceFile {
                path: "kpis/library.toml".to_string(),
                text: LIBRARY_TOML.to_string(),
            }]);
            let mut problems = Vec::new();
            let blocks = split_entries(LIBRARY_TOML, &["kpi"], 0, &mut problems);
            let entries = workspace
                .kpis
                .into_iter()
                .zip(blocks)
                .map(|(located, (_, _, text))| LibraryEntry {
                    def: located.def,
                    text: text.trim_end().to_string(),
                })
                .collect();
            Library { entries }
        })
    }

    /// The entry with this KPI id.
    pub fn entry(&self, id: &str) -> Option<&LibraryEntry> {
        self.entries.iter().find(|entry| entry.id() == id)
    }

    /// `ids` and, before them, every library KPI their formulas need, each once, in dependency order.
    pub fn with_dependencies(&self, ids: &[&str]) -> Vec<&LibraryEntry> {
        fn add<'l>(library: &'l Library, id: &str, out: &mut Vec<&'l LibraryEntry>) {
            if out.iter().any(|e| e.id() == id) {
                return;
            }
            let Some(entry) = library.entry(id) else {
                return;
            };
            for dependency in entry.dependencies() {
                add(library, &dependency, out);
            }
            if !out.iter().any(|e| e.id() == id) {
                out.push(entry);
            }
        }
        let mut out = Vec::new();
        for id in ids {
            add(self, id, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;

    #[test]
    fn library_parses_and_every_entry_is_valid() {
        let library = Library::get();
        assert!(library.entries.len() >= 40, "{}", library.entries.len());
        let mut text = String::new();
        for entry in &library.entries {
            assert!(entry.text.starts_with("[[kpi]]"));
            assert!(
                entry.def.name.get_ref().sv.is_some() && entry.def.name.get_ref().en.is_some(),
                "{}",
                entry.id()
            );
            let description = entry.def.description.as_ref().unwrap();
            assert!(
                description.sv.is_some() && description.en.is_some(),
                "{}",
                entry.id()
            );
            text.push_str(&entry.text);
            text.push_str("\n\n");
        }
        // The whole library checks clean as a workspace (warnings about goals and owners aside).
        let workspace = Workspace::from_files(vec![
            SourceFile {
                path: "utfall.toml".into(),
                text: "name = \"x\"\nbrand = \"X\"\ncurrency = \"SEK\"\n".into(),
            },
            SourceFile {
                path: "kpis/all.toml".into(),
                text,
            },
        ]);
        let errors: Vec<_> = check(&workspace)
            .into_iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn dependencies_come_first() {
        let entries = Library::get().with_dependencies(&["cac"]);
        let ids: Vec<&str> = entries.iter().map(|e| e.id()).collect();
        assert_eq!(ids, ["marketing_spend", "new_customers", "cac"]);
    }

    #[test]
    fn core_ids_have_their_canonical_formulas() {
        let library = Library::get();
        let formula = |id: &str| {
            library
                .entry(id)
                .unwrap()
                .def
                .formula
                .as_ref()
                .unwrap()
                .get_ref()
                .clone()
        };
        assert_eq!(
            formula("won_revenue"),
            "sum(deals.amount, where: is_won, time: closed_at)"
        );
        assert_eq!(formula("leads"), "count(contacts, time: became_lead_at)");
        assert_eq!(formula("win_rate"), "won_deals / closed_deals");
        assert_eq!(
            formula("closed_deals"),
            "count(deals, where: is_closed, time: closed_at)"
        );
        assert_eq!(formula("cac"), "marketing_spend / new_customers");
        assert_eq!(
            formula("new_customers"),
            "count_new(deals.account_id, where: is_won, time: closed_at)"
        );
    }
}
