//! Test support: small workspaces whose every number can be checked by hand, written from the
//! `b2b` template and filled through the real importer (the `generic` preset), for the tests of
//! `utfall-app` and the other library crates.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::unwrap_used)]

use std::path::Path;

use utfall_ingest::import::{ImportOptions, Silent, import_file};
use utfall_ingest::store::DataStore;
use utfall_model::template::{Plan, Template};
use utfall_model::workspace::Workspace;

/// A workspace in a temporary folder (removed when dropped).
#[derive(Debug)]
pub struct TestWorkspace {
    dir: tempfile::TempDir,
}

impl TestWorkspace {
    /// The `b2b` template's definitions for "Nordkraft AB" as of 2026-11-26, without data.
    pub fn b2b() -> TestWorkspace {
        let dir = tempfile::tempdir().unwrap();
        let today = jiff::civil::date(2026, 11, 26);
        for (relative, text) in Plan::from_template(Template::B2b, "Nordkraft AB", today).render() {
            let path = dir.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        TestWorkspace { dir }
    }

    /// The workspace folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Imports CSV text into a canonical table with the `generic` preset; panics on any
    /// rejected row.
    pub fn import(&self, table: &str, csv: &str) -> &TestWorkspace {
        let file = self.path().join(format!("{table}-{}.csv", csv.len()));
        std::fs::write(&file, csv).unwrap();
        let workspace = Workspace::load(self.path()).unwrap();
        let store = DataStore::new(self.path().join("data"));
        let options = ImportOptions {
            table: Some(table.into()),
            ..ImportOptions::new(
                "generic",
                "SEK",
                jiff::tz::TimeZone::get("Europe/Stockholm").unwrap(),
            )
        };
        let catalog = utfall_model::check::catalog(&workspace);
        let summary = import_file(&store, &file, &options, &catalog, &Silent).unwrap();
        assert_eq!(summary.rejected, 0, "{table}: {:?}", summary.rejections);
        self
    }

    /// The hand-checkable company:
    ///
    /// - spend: paid search 1 000 kr on 10 May 2026, paid social 500 kr on 10 June, events
    ///   2 000 kr on 10 July (fiscal quarter FY2026-Q1 is May–July: 3 500 kr);
    /// - two won deals: d1 (person p1, 100 000 kr, closed 20 June), d2 (p2, 50 000 kr, 21 June);
    /// - touches: p1 e-mail 1 June, e-mail 2 June, paid search 3 June; p2 paid search 4 June,
    ///   e-mail 5 June; p3 (never converts) e-mail 6 June.
    pub fn company() -> TestWorkspace {
        let workspace = TestWorkspace::b2b();
        workspace
            .import(
                "spend",
                "date,platform,channel,campaign_id,campaign_name,cost,currency\n\
                 2026-05-10,google_ads,paid_search,c1,Sök,1000,SEK\n\
                 2026-06-10,meta,paid_social,c2,Social,500,SEK\n\
                 2026-07-10,manual,events,c3,Mässa,2000,SEK\n",
            )
            .import(
                "deals",
                "deal_id,account_id,primary_person_id,created_at,closed_at,stage,is_closed,is_won,amount,currency\n\
                 d1,a1,p1,2026-05-05 10:00,2026-06-20 10:00,closedwon,true,true,100000,SEK\n\
                 d2,a2,p2,2026-05-06 10:00,2026-06-21 10:00,closedwon,true,true,50000,SEK\n",
            )
            .import(
                "touchpoints",
                "touch_time,person_id,anonymous_id,channel,kind\n\
                 2026-06-01 09:00,p1,,email,email_click\n\
                 2026-06-02 09:00,p1,,email,email_click\n\
                 2026-06-03 09:00,p1,,paid_search,ad_click\n\
                 2026-06-04 09:00,p2,,paid_search,ad_click\n\
                 2026-06-05 09:00,p2,,email,email_click\n\
                 2026-06-06 09:00,p3,,email,email_click\n",
            );
        workspace
    }
}
