//! `utfall check`: every problem of a workspace in one run, from syntax to KPI practice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use toml::Spanned;

use crate::catalog::{ACTIVITY_KINDS, CHANNELS, Catalog, Column, ColumnType, Table, did_you_mean};
use crate::diagnostic::{Diagnostic, Severity};
use crate::formula::{self, Aggregate, CmpOp, Condition, Expr, Ident, Literal, Span};
use crate::money::is_currency;
use crate::period::{Calendar, Grain, Period, WeekStart};
use crate::tree::KpiTree;
use crate::workspace::{KpiDef, Located, Workspace};

/// The units a KPI can have.
pub const UNITS: &[&str] = crate::kinds::Unit::NAMES;
/// Which way is good.
pub const DIRECTIONS: &[&str] = crate::kinds::Direction::NAMES;
/// How a KPI relates to its children.
pub const RELATIONS: &[&str] = crate::kinds::Relation::NAMES;
/// What a target asks.
pub const TARGET_KINDS: &[&str] = crate::kinds::TargetKind::NAMES;
/// Settings a formula may name with `$`.
pub const PARAMS: &[&str] = &["brand", "currency"];

/// Checks a workspace. The result is sorted: by file, then position.
pub fn check(workspace: &Workspace) -> Vec<Diagnostic> {
    let mut checker = Checker {
        workspace,
        out: workspace.read_problems.clone(),
        catalog: Catalog::canonical(),
    };
    checker.run();
    let mut out = checker.out;
    out.sort_by_key(|d| {
        (
            d.file.unwrap_or(usize::MAX),
            d.span.as_ref().map_or(0, |s| s.start),
            d.severity,
        )
    });
    out.dedup();
    out
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// The canonical tables and the workspace's custom `[[table]]`s (those that check cleanly).
pub fn catalog(workspace: &Workspace) -> Catalog {
    let mut catalog = Catalog::canonical();
    for Located { def, .. } in &workspace.tables {
        if catalog.table(def.name.get_ref()).is_some() {
            continue;
        }
        let columns = def
            .columns
            .get_ref()
            .iter()
            .filter_map(|(name, ty)| {
                Some(Column {
                    name: name.clone(),
                    ty: ColumnType::parse(ty.get_ref())?,
                    nullable: true,
                })
            })
            .collect();
        catalog.add(Table {
            name: def.name.get_ref().clone(),
            columns,
            default_time: def.time.as_ref().map(|t| t.get_ref().clone()),
            key: def.key.iter().map(|k| k.get_ref().clone()).collect(),
            custom: true,
        });
    }
    catalog
}

/// The calendar a workspace's settings describe (defaults where a setting is missing or wrong).
pub fn calendar(workspace: &Workspace) -> Calendar {
    let mut calendar = Calendar::default();
    if let Some(config) = &workspace.config {
        if let Some(month) = &config.def.fiscal_year_start_month
            && (1..=12).contains(month.get_ref())
        {
            calendar.fiscal_year_start_month = *month.get_ref() as i8;
        }
        if config
            .def
            .week_start
            .as_ref()
            .is_some_and(|w| w.get_ref() == "sunday")
        {
            calendar.week_start = WeekStart::Sunday;
        }
    }
    calendar
}

struct Checker<'a> {
    workspace: &'a Workspace,
    out: Vec<Diagnostic>,
    catalog: Catalog,
}

/// What the checks of one KPI need to know about the others.
struct KpiContext<'a> {
    /// The KPIs by id and their parents.
    tree: KpiTree<'a>,
    /// Each KPI's children, in file order, with the file each is defined in.
    children: BTreeMap<&'a str, Vec<&'a Located<KpiDef>>>,
    calendar: Calendar,
    /// KPIs that other KPIs' formulas read.
    referenced: BTreeSet<String>,
}

impl<'a> KpiContext<'a> {
    fn children(&self, id: &str) -> &[&'a Located<KpiDef>] {
        self.children.get(id).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn children_by_parent(kpis: &[Located<KpiDef>]) -> BTreeMap<&str, Vec<&Located<KpiDef>>> {
    let mut children: BTreeMap<&str, Vec<&Located<KpiDef>>> = BTreeMap::new();
    for kpi in kpis {
        if let Some(parent) = &kpi.def.parent {
            children
                .entry(parent.get_ref().as_str())
                .or_default()
                .push(kpi);
        }
    }
    children
}

/// The KPIs that some formula reads.
fn referenced_kpis(kpis: &[Located<KpiDef>]) -> BTreeSet<String> {
    kpis.iter()
        .filter_map(|k| formula::parse(k.def.formula.as_ref()?.get_ref()).ok())
        .flat_map(|expr| {
            expr.kpi_refs()
                .into_iter()
                .map(|id| id.name.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    format!("one of {}", quoted.join(", "))
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && id.len() <= 64
}

impl<'a> Checker<'a> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }

    fn text(&self, file: usize) -> &'a str {
        &self.workspace.files[file].text
    }

    fn run(&mut self) {
        if self.workspace.config.is_none()
            && !self.workspace.read_problems.iter().any(|d| {
                d.file
                    .is_some_and(|f| self.workspace.files[f].path == crate::workspace::CONFIG_FILE)
            })
        {
            self.push(
                Diagnostic::error("missing-file", "the workspace has no `utfall.toml`")
                    .hint("run `utfall init` to create a workspace"),
            );
        }
        self.check_config();
        self.register_custom_tables();
        let goal_ids = self.check_goals();
        self.check_kpis(&goal_ids);
        self.check_sources();
        self.check_activities();
        self.check_reviews();
    }

    fn check_config(&mut self) {
        let Some(Located { file, def: config }) = &self.workspace.config else {
            return;
        };
        let file = *file;
        if !is_currency(config.currency.get_ref()) {
            self.unknown_currency(file, &config.currency);
        }
        if let Some(locale) = &config.locale
            && locale.get_ref().parse::<crate::locale::Locale>().is_err()
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not a supported locale", locale.get_ref()),
                )
                .at(file, locale.span())
                .label("expected `sv` or `en`"),
            );
        }
        if let Some(zone) = &config.time_zone
            && jiff::tz::TimeZone::get(zone.get_ref()).is_err()
        {
            self.push(
                Diagnostic::error(
                    "invalid-time-zone",
                    format!("`{}` is not an IANA time zone", zone.get_ref()),
                )
                .at(file, zone.span())
                .label("unknown time zone")
                .hint("use a name from the IANA database, e.g. `Europe/Stockholm`"),
            );
        }
        if let Some(month) = &config.fiscal_year_start_month
            && !(1..=12).contains(month.get_ref())
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("fiscal year start month {} is not a month", month.get_ref()),
                )
                .at(file, month.span())
                .label("expected a month from 1 to 12"),
            );
        }
        if let Some(week_start) = &config.week_start
            && !["monday", "sunday"].contains(&week_start.get_ref().as_str())
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not a week start", week_start.get_ref()),
                )
                .at(file, week_start.span())
                .label("expected `monday` or `sunday`"),
            );
        }
        if let Some(store) = &config.store
            && !(store.get_ref().starts_with("sqlite://")
                || store.get_ref().starts_with("postgres://")
                || store.get_ref().starts_with("postgresql://"))
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not a store location", store.get_ref()),
                )
                .at(file, store.span())
                .label("expected `sqlite://PATH` or `postgres://…`"),
            );
        }
        if let Some(engine) = &config.engine
            && !(engine.get_ref() == "embedded"
                || engine.get_ref() == "ballista:standalone"
                || engine.get_ref().starts_with("ballista://"))
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not an engine", engine.get_ref()),
                )
                .at(file, engine.span())
                .label("expected `embedded` or `ballista://host:port`"),
            );
        }
        if let Some(mail) = &config.mail {
            self.check_mail(file, mail);
        }
        let mut seen = BTreeSet::new();
        for person in &config.people {
            if !seen.insert(person.id.get_ref().clone()) {
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("person `{}` is defined twice", person.id.get_ref()),
                    )
                    .at(file, person.id.span())
                    .label("defined again here"),
                );
            }
        }
    }

    /// `[mail]`: a host, a port, a sender's address, a known security and no password.
    fn check_mail(&mut self, file: usize, mail: &crate::workspace::MailDef) {
        if mail.host.get_ref().trim().is_empty()
            || mail.host.get_ref().contains(char::is_whitespace)
        {
            self.push(
                Diagnostic::error("invalid-value", "the mail server's host is not a host name")
                    .at(file, mail.host.span())
                    .label("expected a host name, e.g. `smtp.example.se`"),
            );
        }
        if let Some(port) = &mail.port
            && !(1..=65535).contains(port.get_ref())
        {
            self.push(
                Diagnostic::error("invalid-value", format!("{} is not a port", port.get_ref()))
                    .at(file, port.span())
                    .label("expected a port from 1 to 65535"),
            );
        }
        if !is_mail_address(mail.from.get_ref()) {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not an e-mail address", mail.from.get_ref()),
                )
                .at(file, mail.from.span())
                .label("expected `name@example.se` or `Name <name@example.se>`"),
            );
        }
        if let Some(security) = &mail.security
            && !["starttls", "tls", "none"].contains(&security.get_ref().as_str())
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not a mail security", security.get_ref()),
                )
                .at(file, security.span())
                .label("expected `starttls`, `tls` or `none`"),
            );
        }
        if let Some(password) = &mail.password {
            // Not `at`: the rendered snippet would print the password.
            let (line, _) = crate::diagnostic::line_col(self.text(file), password.span().start);
            self.push(
                Diagnostic::error(
                    "secret-in-definitions",
                    format!(
                        "line {line} of `utfall.toml` holds the mail server's password, which is never kept there"
                    ),
                )
                .in_file(file)
                .hint("remove the line and set the environment variable `UTFALL_SMTP_PASSWORD` where digests are sent"),
            );
        }
    }

    fn unknown_currency(&mut self, file: usize, currency: &Spanned<String>) {
        self.push(
            Diagnostic::error(
                "unknown-currency",
                format!("`{}` is not an ISO 4217 currency code", currency.get_ref()),
            )
            .at(file, currency.span())
            .label("unknown currency")
            .hint("use a three-letter code such as `SEK`, `EUR` or `NOK`"),
        );
    }

    fn known_people(&self) -> Option<BTreeSet<&'a str>> {
        let config = &self.workspace.config.as_ref()?.def;
        if config.people.is_empty() {
            return None;
        }
        Some(
            config
                .people
                .iter()
                .map(|p| p.id.get_ref().as_str())
                .collect(),
        )
    }

    fn check_owners(&mut self, file: usize, owners: &[Spanned<String>]) {
        let Some(people) = self.known_people() else {
            return;
        };
        for owner in owners {
            if !people.contains(owner.get_ref().as_str()) {
                self.push(
                    Diagnostic::error(
                        "unknown-person",
                        format!("`{}` is not one of the workspace's people", owner.get_ref()),
                    )
                    .at(file, owner.span())
                    .label("unknown person")
                    .maybe_hint(
                        did_you_mean(owner.get_ref(), people.iter().copied())
                            .map(|s| format!("did you mean `{s}`?")),
                    )
                    .hint_or("add them under `[[people]]` in `utfall.toml`"),
                );
            }
        }
    }

    fn register_custom_tables(&mut self) {
        for Located { file, def } in &self.workspace.tables {
            let name = def.name.get_ref();
            if self.catalog.table(name).is_some() {
                self.push(
                    Diagnostic::error("duplicate-id", format!("table `{name}` already exists"))
                        .at(*file, def.name.span())
                        .label("a table of this name exists")
                        .hint("custom tables need a name of their own"),
                );
                continue;
            }
            let mut columns = Vec::new();
            for (column, ty) in def.columns.get_ref() {
                match ColumnType::parse(ty.get_ref()) {
                    Some(ty) => columns.push(Column {
                        name: column.clone(),
                        ty,
                        nullable: true,
                    }),
                    None => self.push(
                        Diagnostic::error(
                            "invalid-value",
                            format!("`{}` is not a column type", ty.get_ref()),
                        )
                        .at(*file, ty.span())
                        .label("unknown type")
                        .hint("use `text`, `float`, `integer`, `bool`, `date` or `timestamp`"),
                    ),
                }
            }
            let table = Table {
                name: name.clone(),
                columns,
                default_time: def.time.as_ref().map(|t| t.get_ref().clone()),
                key: def.key.iter().map(|k| k.get_ref().clone()).collect(),
                custom: true,
            };
            for column in def.time.iter().chain(&def.key) {
                if table.column(column.get_ref()).is_none() {
                    self.push(
                        Diagnostic::error(
                            "unknown-column",
                            format!("table `{name}` has no column `{}`", column.get_ref()),
                        )
                        .at(*file, column.span())
                        .label("not one of the table's columns"),
                    );
                }
            }
            if let Some(time) = &def.time
                && table
                    .column(time.get_ref())
                    .is_some_and(|c| !c.ty.is_time())
            {
                self.push(
                    Diagnostic::error(
                        "not-a-time-column",
                        format!("`{}` is not a date or timestamp column", time.get_ref()),
                    )
                    .at(*file, time.span())
                    .label("expected a `date` or `timestamp` column"),
                );
            }
            self.catalog.add(table);
        }
    }

    fn check_id(&mut self, file: usize, id: &Spanned<String>, what: &str) {
        if !valid_id(id.get_ref()) {
            self.push(
                Diagnostic::error(
                    "invalid-id",
                    format!("`{}` is not a valid {what} id", id.get_ref()),
                )
                .at(file, id.span())
                .label("expected lower-case letters, digits and `_`, starting with a letter")
                .hint(format!(
                    "ids are stable names used in formulas and history, e.g. `{}`",
                    suggest_id(id.get_ref())
                )),
            );
        }
    }

    fn check_localized(&mut self, file: usize, name: &Spanned<crate::workspace::Localized>) {
        let localized = name.get_ref();
        let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
        if blank(&localized.sv) && blank(&localized.en) {
            self.push(
                Diagnostic::error("missing-field", "the name is empty")
                    .at(file, name.span())
                    .label("expected `sv` or `en` text")
                    .hint("write `name = { sv = \"Vunnen intäkt\", en = \"Won revenue\" }`"),
            );
        }
    }

    fn check_goals(&mut self) -> BTreeMap<String, (usize, Range<usize>)> {
        let mut ids: BTreeMap<String, (usize, Range<usize>)> = BTreeMap::new();
        for Located { file, def } in &self.workspace.goals {
            self.check_id(*file, &def.id, "goal");
            self.check_localized(*file, &def.name);
            if let Some((first_file, _)) = ids.get(def.id.get_ref()) {
                let first = self.workspace.file_path(*first_file).to_string();
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("goal `{}` is defined twice", def.id.get_ref()),
                    )
                    .at(*file, def.id.span())
                    .label("defined again here")
                    .hint(format!(
                        "the first definition is in `{first}`; rename or remove one"
                    )),
                );
            } else {
                ids.insert(def.id.get_ref().clone(), (*file, def.id.span()));
            }
            if let Some(period) = &def.period {
                self.check_period(*file, period);
            }
            self.check_owners(*file, &def.owners);
            if def.owners.is_empty() {
                self.push(
                    Diagnostic::warning(
                        "no-owner",
                        format!("goal `{}` has no owner", def.id.get_ref()),
                    )
                    .at(*file, def.id.span())
                    .label("nobody answers for this goal")
                    .hint("add `owners = [\"…\"]`: a goal without an owner is not followed up"),
                );
            }
        }
        for Located { file, def } in &self.workspace.goals {
            if let Some(parent) = &def.parent
                && !ids.contains_key(parent.get_ref())
            {
                self.push(
                    Diagnostic::error(
                        "unknown-goal",
                        format!("no goal is called `{}`", parent.get_ref()),
                    )
                    .at(*file, parent.span())
                    .label("unknown goal")
                    .maybe_hint(
                        did_you_mean(parent.get_ref(), ids.keys().map(String::as_str))
                            .map(|s| format!("did you mean `{s}`?")),
                    ),
                );
            }
        }
        // Cycles among goals.
        let parents: HashMap<&str, &Spanned<String>> = self
            .workspace
            .goals
            .iter()
            .filter_map(|g| Some((g.def.id.get_ref().as_str(), g.def.parent.as_ref()?)))
            .collect();
        for Located { file, def } in &self.workspace.goals {
            if let Some(chain) = parent_cycle(def.id.get_ref(), &parents) {
                self.push(
                    Diagnostic::error(
                        "cycle",
                        format!(
                            "goal `{}` is its own ancestor: {}",
                            def.id.get_ref(),
                            chain.join(" → ")
                        ),
                    )
                    .at(*file, def.id.span())
                    .label("part of a cycle")
                    .hint("goals form a tree: remove one `parent`"),
                );
            }
        }
        ids
    }

    fn check_period(&mut self, file: usize, period: &Spanned<String>) -> Option<Period> {
        match period.get_ref().parse::<Period>() {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                self.push(
                    Diagnostic::error(
                        "invalid-period",
                        format!("`{}` is not a period", period.get_ref()),
                    )
                    .at(file, period.span())
                    .label("not a period")
                    .hint(
                        error
                            .to_string()
                            .split_once("; ")
                            .map_or(String::new(), |(_, rest)| rest.to_string()),
                    ),
                );
                None
            }
        }
    }

    /// Checks every KPI: ids, then each KPI's fields, place in the tree, formula, targets and
    /// practice (in that order, KPI by KPI), then cycles through formulas and unmeasured goals.
    fn check_kpis(&mut self, goal_ids: &BTreeMap<String, (usize, Range<usize>)>) {
        let kpis = &self.workspace.kpis;
        self.check_kpi_ids();
        let context = KpiContext {
            tree: KpiTree::new(self.workspace),
            children: children_by_parent(kpis),
            calendar: calendar(self.workspace),
            referenced: referenced_kpis(kpis),
        };
        let mut formula_refs: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for kpi in kpis {
            self.check_kpi_fields(kpi, goal_ids);
            self.check_kpi_place_in_tree(kpi, &context);
            if let Some(refs) = self.check_kpi_measurable(kpi, &context) {
                formula_refs.insert(kpi.def.id.get_ref(), refs);
            }
            self.check_kpi_targets(kpi, &context.calendar);
            self.check_kpi_practice(kpi, &context);
        }
        self.check_formula_cycles(&formula_refs);
        self.check_unmeasured_goals();
    }

    /// Reports invalid and duplicate KPI ids.
    fn check_kpi_ids(&mut self) {
        let mut by_id: BTreeMap<&str, &Located<KpiDef>> = BTreeMap::new();
        for kpi in &self.workspace.kpis {
            let (file, def) = (kpi.file, &kpi.def);
            self.check_id(file, &def.id, "KPI");
            if let Some(first) = by_id.get(def.id.get_ref().as_str()) {
                let first = self.workspace.file_path(first.file).to_string();
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("KPI `{}` is defined twice", def.id.get_ref()),
                    )
                    .at(file, def.id.span())
                    .label("defined again here")
                    .hint(format!(
                        "the first definition is in `{first}`; rename or remove one"
                    )),
                );
            } else {
                by_id.insert(def.id.get_ref(), kpi);
            }
        }
    }

    /// A KPI's own fields: name, vocabularies, grain, currency, owners, goal and sources.
    fn check_kpi_fields(
        &mut self,
        kpi: &Located<KpiDef>,
        goal_ids: &BTreeMap<String, (usize, Range<usize>)>,
    ) {
        let (file, def) = (kpi.file, &kpi.def);
        self.check_localized(file, &def.name);
        self.check_enum(file, &def.unit, UNITS, "unit");
        self.check_enum(file, &def.direction, DIRECTIONS, "direction");
        if let Some(relation) = &def.relation {
            self.check_enum(file, relation, RELATIONS, "relation");
        }
        if let Some(grain) = &def.grain
            && grain.get_ref().parse::<Grain>().is_err()
        {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not a grain", grain.get_ref()),
                )
                .at(file, grain.span())
                .label(format!(
                    "expected {}",
                    one_of(&Grain::ALL_NAMED.map(Grain::as_str))
                ))
                .maybe_hint(
                    did_you_mean(grain.get_ref(), Grain::ALL_NAMED.map(Grain::as_str))
                        .map(|s| format!("did you mean `{s}`?")),
                ),
            );
        }
        if let Some(currency) = &def.currency
            && !is_currency(currency.get_ref())
        {
            self.unknown_currency(file, currency);
        }
        self.check_owners(file, &def.owners);
        if let Some(goal) = &def.goal
            && !goal_ids.contains_key(goal.get_ref())
        {
            self.push(
                Diagnostic::error(
                    "unknown-goal",
                    format!("no goal is called `{}`", goal.get_ref()),
                )
                .at(file, goal.span())
                .label("unknown goal")
                .maybe_hint(
                    did_you_mean(goal.get_ref(), goal_ids.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?")),
                )
                .hint_or("goals are defined in `goals.toml`"),
            );
        }
        self.check_kpi_sources(kpi);
    }

    /// Warns about the first source a KPI names that `sources.toml` does not declare.
    fn check_kpi_sources(&mut self, kpi: &Located<KpiDef>) {
        let sources = &self.workspace.sources;
        let Some(source) = kpi
            .def
            .sources
            .iter()
            .find(|s| !sources.iter().any(|d| d.def.name.get_ref() == s.get_ref()))
        else {
            return;
        };
        let names: Vec<&str> = sources
            .iter()
            .map(|s| s.def.name.get_ref().as_str())
            .collect();
        self.push(
            Diagnostic::warning(
                "unknown-source",
                format!("no source is called `{}`", source.get_ref()),
            )
            .at(kpi.file, source.span())
            .label("not declared in `sources.toml`")
            .maybe_hint(
                did_you_mean(source.get_ref(), names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?")),
            ),
        );
    }

    /// A KPI's place in the tree: its parent, its relation to its children and its role.
    fn check_kpi_place_in_tree(&mut self, kpi: &Located<KpiDef>, context: &KpiContext<'a>) {
        let (file, def) = (kpi.file, &kpi.def);
        self.check_kpi_parent(kpi, context);
        let id = def.id.get_ref().as_str();
        let my_children = context.children(id);
        let relation = def.relation.as_ref().map(|r| r.get_ref().as_str());
        match (relation, my_children.is_empty()) {
            (Some(relation), true) => self.push(
                Diagnostic::warning("relation-without-children", format!("KPI `{id}` has `relation = \"{relation}\"` but no children"))
                    .at(file, def.relation.as_ref().map_or(def.id.span(), Spanned::span))
                    .label("no KPI names this one as `parent`")
                    .hint(format!("add `parent = \"{id}\"` to its drivers, or remove `relation`")),
            ),
            (None, false) => self.push(
                Diagnostic::warning("missing-relation", format!("KPI `{id}` has children but no `relation`"))
                    .at(file, def.id.span())
                    .label("how do the children make up this KPI?")
                    .hint("add `relation = \"sum\"`, `\"product\"`, `\"ratio\"` or `\"influence\"`; `influence` is assumed"),
            ),
            _ => {}
        }
        match relation {
            Some("sum") => self.check_sum_units(def, my_children),
            Some("ratio") => self.check_ratio_roles(kpi, my_children),
            _ => {}
        }
        if let Some(role) = &def.role {
            self.check_enum(file, role, crate::kinds::Role::NAMES, "role");
        }
    }

    /// A KPI's parent exists and is not, through its own parents, the KPI itself.
    fn check_kpi_parent(&mut self, kpi: &Located<KpiDef>, context: &KpiContext<'a>) {
        let (file, def) = (kpi.file, &kpi.def);
        let Some(parent) = &def.parent else {
            return;
        };
        let id = def.id.get_ref().as_str();
        if context.tree.kpi(parent.get_ref()).is_none() {
            self.push(
                Diagnostic::error(
                    "unknown-kpi",
                    format!("no KPI is called `{}`", parent.get_ref()),
                )
                .at(file, parent.span())
                .label("unknown parent KPI")
                .maybe_hint(
                    did_you_mean(parent.get_ref(), context.tree.ids())
                        .map(|s| format!("did you mean `{s}`?")),
                ),
            );
        } else if let Some(chain) = context.tree.cycle_through(id) {
            self.push(
                Diagnostic::error(
                    "cycle",
                    format!("KPI `{id}` is its own ancestor: {}", chain.join(" → ")),
                )
                .at(file, parent.span())
                .label("part of a cycle")
                .hint("the KPI tree must be a tree: remove one `parent`"),
            );
        }
    }

    /// The children of a `sum` are in their parent's unit.
    fn check_sum_units(&mut self, parent: &KpiDef, children: &[&Located<KpiDef>]) {
        let id = parent.id.get_ref();
        let parent_unit = parent.unit.get_ref();
        for child in children {
            if child.def.unit.get_ref() != parent_unit {
                self.push(
                    Diagnostic::error("mixed-units", format!(
                        "`{}` is in `{}`, but its parent `{id}` sums children in `{parent_unit}`",
                        child.def.id.get_ref(), child.def.unit.get_ref()
                    ))
                    .at(child.file, child.def.unit.span())
                    .label(format!("expected `{parent_unit}`"))
                    .hint("a `sum` adds like with like; use `relation = \"influence\"` for drivers of other units"),
                );
            }
        }
    }

    /// A `ratio` has exactly one numerator and one denominator child.
    fn check_ratio_roles(&mut self, kpi: &Located<KpiDef>, children: &[&Located<KpiDef>]) {
        let (file, def) = (kpi.file, &kpi.def);
        let id = def.id.get_ref();
        let roles: Vec<Option<&str>> = children
            .iter()
            .map(|c| c.def.role.as_ref().map(|r| r.get_ref().as_str()))
            .collect();
        let n_numerator = roles.iter().filter(|r| **r == Some("numerator")).count();
        let n_denominator = roles.iter().filter(|r| **r == Some("denominator")).count();
        if children.len() != 2 || n_numerator != 1 || n_denominator != 1 {
            self.push(
                Diagnostic::error(
                    "ratio-roles",
                    format!("the ratio `{id}` needs one numerator and one denominator child"),
                )
                .at(
                    file,
                    def.relation.as_ref().map_or(def.id.span(), Spanned::span),
                )
                .label(format!(
                    "found {} children: {n_numerator} numerator, {n_denominator} denominator",
                    children.len()
                ))
                .hint("give its two children `role = \"numerator\"` and `role = \"denominator\"`"),
            );
        }
    }

    /// A KPI can be measured: by its formula (checked; its KPI references are returned) or
    /// from children whose relation determines it.
    fn check_kpi_measurable(
        &mut self,
        kpi: &Located<KpiDef>,
        context: &KpiContext<'a>,
    ) -> Option<Vec<String>> {
        let (file, def) = (kpi.file, &kpi.def);
        let id = def.id.get_ref();
        let relation = def.relation.as_ref().map(|r| r.get_ref().as_str());
        match &def.formula {
            Some(formula) => return Some(self.check_formula(file, formula, &context.tree)),
            None if context.children(id).is_empty() => self.push(
                Diagnostic::error("not-measurable", format!("KPI `{id}` cannot be measured"))
                    .at(file, def.id.span())
                    .label("no `formula` and no children")
                    .hint("give it a `formula` over the data, or break it down into child KPIs that have one"),
            ),
            None if matches!(relation, None | Some("influence")) => self.push(
                Diagnostic::error("not-measurable", format!("KPI `{id}` cannot be computed from its children"))
                    .at(file, def.id.span())
                    .label("no `formula`, and `influence` children do not determine it")
                    .hint("give it a `formula`, or use `relation = \"sum\"`, `\"product\"` or `\"ratio\"`"),
            ),
            None => {}
        }
        None
    }

    /// A KPI's targets: kind, amber band, period, and no two of one grain that overlap.
    fn check_kpi_targets(&mut self, kpi: &Located<KpiDef>, calendar: &Calendar) {
        let (file, def) = (kpi.file, &kpi.def);
        let id = def.id.get_ref();
        let mut targets: Vec<(Period, Range<usize>)> = Vec::new();
        for target in &def.target {
            self.check_enum(file, &target.kind, TARGET_KINDS, "target kind");
            if let Some(amber) = &target.amber
                && !(*amber.get_ref() > 0.0 && *amber.get_ref() < 1.0)
            {
                self.push(
                    Diagnostic::error(
                        "invalid-value",
                        format!(
                            "amber band {} is not a share between 0 and 1",
                            amber.get_ref()
                        ),
                    )
                    .at(file, amber.span())
                    .label("expected e.g. `0.1` for 10 %"),
                );
            }
            let Some(period) = self.check_period(file, &target.period) else {
                continue;
            };
            if let Some((other, _)) = targets.iter().find(|(other, _)| {
                other.grain() == period.grain() && other.overlaps(&period, calendar)
            }) {
                self.push(
                    Diagnostic::error("overlapping-targets", format!("KPI `{id}` has two {} targets for overlapping periods `{other}` and `{period}`", period.grain()))
                        .at(file, target.period.span())
                        .label("overlaps an earlier target")
                        .hint("keep one target per period; targets of different grains (month and quarter) may coexist"),
                );
            }
            targets.push((period, target.period.span()));
        }
    }

    /// The KPI practice: a KPI serves a goal, someone answers for it, and a goal's KPI has a
    /// target. KPIs that other formulas read serve those KPIs' goals and owners.
    fn check_kpi_practice(&mut self, kpi: &Located<KpiDef>, context: &KpiContext<'a>) {
        let (file, def) = (kpi.file, &kpi.def);
        let id = def.id.get_ref().as_str();
        let is_root = def.parent.is_none();
        let is_helper = context.referenced.contains(id);
        if is_root && def.goal.is_none() && !is_helper {
            self.push(
                Diagnostic::warning("no-goal", format!("KPI `{id}` serves no goal"))
                    .at(file, def.id.span())
                    .label("why is this measured?")
                    .hint(
                        "add `goal = \"…\"`, or `parent = \"…\"` to place it under a KPI that does",
                    ),
            );
        }
        if def.owners.is_empty()
            && !is_helper
            && !context
                .tree
                .ancestors(id)
                .iter()
                .any(|a| context.tree.kpi(a).is_some_and(|k| !k.owners.is_empty()))
        {
            self.push(
                Diagnostic::warning("no-owner", format!("KPI `{id}` has no owner"))
                    .at(file, def.id.span())
                    .label("nobody answers for this KPI")
                    .hint("add `owners = [\"…\"]` here or on a parent KPI"),
            );
        }
        if def.goal.is_some() && def.target.is_empty() {
            self.push(
                Diagnostic::warning("no-target", format!("KPI `{id}` has no target"))
                    .at(file, def.id.span())
                    .label("no `[[kpi.target]]`")
                    .hint("add a target so the scorecard can say whether it is on track"),
            );
        }
    }

    /// Formulas that depend on themselves through other KPIs.
    fn check_formula_cycles(&mut self, formula_refs: &BTreeMap<&str, Vec<String>>) {
        for kpi in &self.workspace.kpis {
            let id = kpi.def.id.get_ref().as_str();
            if let Some(chain) = formula_cycle(id, formula_refs)
                && let Some(formula) = &kpi.def.formula
            {
                self.push(
                    Diagnostic::error(
                        "cycle",
                        format!(
                            "the formula of `{id}` depends on itself: {}",
                            chain.join(" → ")
                        ),
                    )
                    .at(kpi.file, formula.span())
                    .label("part of a cycle")
                    .hint("break the cycle by computing one of these KPIs from the data"),
                );
            }
        }
    }

    /// Goals that no KPI and no sub-goal measures.
    fn check_unmeasured_goals(&mut self) {
        let (kpis, goals) = (&self.workspace.kpis, &self.workspace.goals);
        for Located { file, def } in goals {
            let id = def.id.get_ref();
            let measured = kpis
                .iter()
                .any(|k| k.def.goal.as_ref().is_some_and(|g| g.get_ref() == id))
                || goals
                    .iter()
                    .any(|g| g.def.parent.as_ref().is_some_and(|p| p.get_ref() == id));
            if !measured {
                self.push(
                    Diagnostic::warning("unmeasured-goal", format!("goal `{id}` has no KPI"))
                        .at(*file, def.id.span())
                        .label("nothing measures this goal")
                        .hint(format!(
                            "add `goal = \"{id}\"` to the KPIs that show progress towards it"
                        )),
                );
            }
        }
    }

    fn check_enum(&mut self, file: usize, value: &Spanned<String>, allowed: &[&str], what: &str) {
        if !allowed.contains(&value.get_ref().as_str()) {
            self.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("`{}` is not a {what}", value.get_ref()),
                )
                .at(file, value.span())
                .label(format!("expected {}", one_of(allowed)))
                .maybe_hint(
                    did_you_mean(value.get_ref(), allowed.iter().copied())
                        .map(|s| format!("did you mean `{s}`?")),
                ),
            );
        }
    }

    /// Checks one formula; returns the KPIs it references.
    fn check_formula(
        &mut self,
        file: usize,
        formula: &Spanned<String>,
        tree: &KpiTree<'_>,
    ) -> Vec<String> {
        let base = formula_content_offset(self.text(file), formula.span());
        let to_file = |span: Span| base + span.start..base + span.end.max(span.start + 1);
        let expr = match formula::parse(formula.get_ref()) {
            Ok(expr) => expr,
            Err(error) => {
                self.push(
                    Diagnostic::error("formula-syntax", format!("formula: {}", error.message))
                        .at(file, to_file(error.span))
                        .label(error.label)
                        .maybe_hint(error.hint)
                        .hint_or("see docs/workspace-format.md#formulas"),
                );
                return Vec::new();
            }
        };
        let mut refs = Vec::new();
        let mut problems = Vec::new();
        expr.walk(&mut |node| match node {
            Expr::Kpi { id, .. } => {
                refs.push(id.name.clone());
                if tree.kpi(&id.name).is_none() {
                    let in_library = crate::library::Library::get().entry(&id.name).is_some();
                    problems.push(
                        Diagnostic::error("unknown-kpi", format!("no KPI is called `{}`", id.name))
                            .at(file, to_file(id.span))
                            .label("unknown KPI")
                            .maybe_hint(if in_library {
                                Some(format!(
                                    "`{}` is in the KPI library: run `utfall kpi add {}`",
                                    id.name, id.name
                                ))
                            } else {
                                did_you_mean(&id.name, tree.ids())
                                    .map(|s| format!("did you mean `{s}`?"))
                            }),
                    );
                }
            }
            Expr::Aggregate(aggregate) => {
                self.check_aggregate(file, aggregate, &to_file, &mut problems)
            }
            Expr::Conversion(conversion) => {
                let Some(table) =
                    self.resolve_table(file, &conversion.table, &to_file, &mut problems)
                else {
                    return;
                };
                self.resolve_column(file, table, &conversion.entity, &to_file, &mut problems);
                for time in [&conversion.from, &conversion.to] {
                    self.check_time_column(file, table, time, &to_file, &mut problems);
                }
                if let Some(filter) = &conversion.filter {
                    self.check_condition(file, table, filter, &to_file, &mut problems);
                }
            }
            _ => {}
        });
        for problem in problems {
            self.push(problem);
        }
        refs
    }

    fn resolve_table(
        &self,
        file: usize,
        table: &Ident,
        to_file: &dyn Fn(Span) -> Range<usize>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<&Table> {
        let found = self.catalog.table(&table.name);
        if found.is_none() {
            problems.push(
                Diagnostic::error("unknown-table", format!("no table is called `{}`", table.name))
                    .at(file, to_file(table.span))
                    .label("unknown table")
                    .maybe_hint(did_you_mean(&table.name, self.catalog.tables.iter().map(|t| t.name.as_str())).map(|s| format!("did you mean `{s}`?")))
                    .hint_or("the canonical tables are listed in docs/workspace-format.md; declare others as `[[table]]` in `sources.toml`"),
            );
        }
        found
    }

    fn resolve_column<'t>(
        &self,
        file: usize,
        table: &'t Table,
        column: &Ident,
        to_file: &dyn Fn(Span) -> Range<usize>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<&'t Column> {
        let found = table.column(&column.name);
        if found.is_none() {
            problems.push(
                Diagnostic::error(
                    "unknown-column",
                    format!("table `{}` has no column `{}`", table.name, column.name),
                )
                .at(file, to_file(column.span))
                .label(format!("not a column of `{}`", table.name))
                .maybe_hint(
                    did_you_mean(&column.name, table.columns.iter().map(|c| c.name.as_str()))
                        .map(|s| format!("did you mean `{s}`?")),
                ),
            );
        }
        found
    }

    fn check_time_column(
        &self,
        file: usize,
        table: &Table,
        time: &Ident,
        to_file: &dyn Fn(Span) -> Range<usize>,
        problems: &mut Vec<Diagnostic>,
    ) {
        if let Some(column) = self.resolve_column(file, table, time, to_file, problems)
            && !column.ty.is_time()
        {
            let time_columns: Vec<&str> = table
                .columns
                .iter()
                .filter(|c| c.ty.is_time())
                .map(|c| c.name.as_str())
                .collect();
            problems.push(
                Diagnostic::error(
                    "not-a-time-column",
                    format!(
                        "`{}.{}` is {}, not a date or timestamp",
                        table.name, time.name, column.ty
                    ),
                )
                .at(file, to_file(time.span))
                .label("expected a date or timestamp column")
                .hint(format!(
                    "the time columns of `{}` are {}",
                    table.name,
                    quote_list(&time_columns)
                )),
            );
        }
    }

    fn check_aggregate(
        &self,
        file: usize,
        aggregate: &Aggregate,
        to_file: &dyn Fn(Span) -> Range<usize>,
        problems: &mut Vec<Diagnostic>,
    ) {
        let Some(table) = self.resolve_table(file, &aggregate.table, to_file, problems) else {
            return;
        };
        if let Some(column) = &aggregate.column
            && let Some(found) = self.resolve_column(file, table, column, to_file, problems)
            && aggregate.func.needs_numeric()
            && !found.ty.is_numeric()
        {
            problems.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!(
                        "`{}` needs a number, but `{}.{}` is {}",
                        aggregate.func.name(),
                        table.name,
                        column.name,
                        found.ty
                    ),
                )
                .at(file, to_file(column.span))
                .label("not a numeric column")
                .hint("use `count`, `count_distinct` or `count_new` for non-numeric columns"),
            );
        }
        match &aggregate.time {
            Some(time) => self.check_time_column(file, table, time, to_file, problems),
            None if table.default_time.is_none() => problems.push(
                Diagnostic::error(
                    "no-time-column",
                    format!("table `{}` has no default time column", table.name),
                )
                .at(file, to_file(aggregate.span))
                .label("which time puts a row in a period?")
                .hint("add `time: COLUMN` to the aggregate"),
            ),
            None => {}
        }
        if let Some(filter) = &aggregate.filter {
            self.check_condition(file, table, filter, to_file, problems);
        }
    }

    fn check_condition(
        &self,
        file: usize,
        table: &Table,
        condition: &Condition,
        to_file: &dyn Fn(Span) -> Range<usize>,
        problems: &mut Vec<Diagnostic>,
    ) {
        let column_of = |name: &(Option<Ident>, Ident),
                         problems: &mut Vec<Diagnostic>|
         -> Option<ColumnType> {
            if let Some(qualifier) = &name.0
                && qualifier.name != table.name
            {
                problems.push(
                    Diagnostic::error("foreign-column", format!("a filter on `{}` can only read `{}`, not `{}`", table.name, table.name, qualifier.name))
                        .at(file, to_file(qualifier.span))
                        .label("another table")
                        .hint("filters read the aggregated table's own columns; combine tables with KPI arithmetic"),
                );
                return None;
            }
            self.resolve_column(file, table, &name.1, to_file, problems)
                .map(|c| c.ty)
        };
        match condition {
            Condition::And(a, b) | Condition::Or(a, b) => {
                self.check_condition(file, table, a, to_file, problems);
                self.check_condition(file, table, b, to_file, problems);
            }
            Condition::Not(inner) => self.check_condition(file, table, inner, to_file, problems),
            Condition::IsNull { column, .. } => {
                column_of(column, problems);
            }
            Condition::Column(column) => {
                if let Some(ty) = column_of(column, problems)
                    && ty != ColumnType::Bool
                {
                    problems.push(
                        Diagnostic::error(
                            "type-mismatch",
                            format!("`{}` is {ty}, not a yes/no column", column.1.name),
                        )
                        .at(file, to_file(column.1.span))
                        .label("cannot stand alone as a condition")
                        .hint(format!(
                            "compare it: `{} = '…'` or `{} is not null`",
                            column.1.name, column.1.name
                        )),
                    );
                }
            }
            Condition::Compare {
                column,
                op,
                value,
                value_span,
            } => {
                if let Some(ty) = column_of(column, problems) {
                    self.check_literal(file, ty, value, to_file(*value_span), problems);
                    if ty == ColumnType::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                        problems.push(
                            Diagnostic::error(
                                "type-mismatch",
                                format!(
                                    "`{}` is a yes/no column and cannot be ordered",
                                    column.1.name
                                ),
                            )
                            .at(file, to_file(column.1.span))
                            .label("use `=` or `!=`"),
                        );
                    }
                }
            }
            Condition::In { column, values, .. } => {
                if let Some(ty) = column_of(column, problems) {
                    for value in values {
                        self.check_literal(file, ty, value, to_file(column.1.span), problems);
                    }
                }
            }
        }
    }

    fn check_literal(
        &self,
        file: usize,
        ty: ColumnType,
        value: &Literal,
        span: Range<usize>,
        problems: &mut Vec<Diagnostic>,
    ) {
        let fits = match value {
            Literal::Param(name) => {
                if !PARAMS.contains(&name.as_str()) {
                    problems.push(
                        Diagnostic::error(
                            "unknown-setting",
                            format!("`${name}` is not a workspace setting"),
                        )
                        .at(file, span)
                        .label("unknown setting")
                        .hint(format!(
                            "formulas may use {}",
                            PARAMS
                                .iter()
                                .map(|p| format!("`${p}`"))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        )),
                    );
                    return;
                }
                if name == "brand"
                    && self
                        .workspace
                        .config
                        .as_ref()
                        .is_some_and(|c| c.def.brand.is_none())
                {
                    problems.push(
                        Diagnostic::error(
                            "unknown-setting",
                            "`$brand` is used but `utfall.toml` sets no `brand`",
                        )
                        .at(file, span)
                        .label("no brand set")
                        .hint("add `brand = \"…\"` to `utfall.toml`"),
                    );
                    return;
                }
                ty == ColumnType::Text
            }
            Literal::Text(_) => matches!(
                ty,
                ColumnType::Text | ColumnType::Date | ColumnType::Timestamp
            ),
            Literal::Number(_) => ty.is_numeric(),
            Literal::Bool(_) => ty == ColumnType::Bool,
        };
        if !fits {
            let shown = match value {
                Literal::Text(t) => format!("'{t}'"),
                Literal::Number(n) => n.to_string(),
                Literal::Bool(b) => b.to_string(),
                Literal::Param(p) => format!("${p}"),
            };
            problems.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("cannot compare a {ty} column with {shown}"),
                )
                .at(file, span)
                .label(format!("expected a {ty} value"))
                .hint(match ty {
                    ColumnType::Text => "put text in quotes: 'won'",
                    ColumnType::Bool => "use `true` or `false`",
                    ColumnType::Float | ColumnType::Integer => "write a number without quotes",
                    ColumnType::Date | ColumnType::Timestamp => {
                        "write a date in quotes: '2026-01-31'"
                    }
                }),
            );
        }
    }

    fn check_sources(&mut self) {
        let mut names = BTreeSet::new();
        for Located { file, def } in &self.workspace.sources {
            self.check_id(*file, &def.name, "source");
            if !names.insert(def.name.get_ref().clone()) {
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("source `{}` is defined twice", def.name.get_ref()),
                    )
                    .at(*file, def.name.span())
                    .label("defined again here"),
                );
            }
            self.check_enum(*file, &def.preset, PRESETS, "preset");
            if let Some(currency) = &def.currency
                && !is_currency(currency.get_ref())
            {
                self.unknown_currency(*file, currency);
            }
            if let Some(dates) = &def.dates {
                self.check_enum(*file, dates, &["day-first", "month-first"], "date order");
            }
            if let Some(table) = &def.table
                && self.catalog.table(table.get_ref()).is_none()
            {
                self.push(
                    Diagnostic::error(
                        "unknown-table",
                        format!("no table is called `{}`", table.get_ref()),
                    )
                    .at(*file, table.span())
                    .label("unknown table")
                    .maybe_hint(
                        did_you_mean(
                            table.get_ref(),
                            self.catalog.tables.iter().map(|t| t.name.as_str()),
                        )
                        .map(|s| format!("did you mean `{s}`?")),
                    ),
                );
            }
            if def.preset.get_ref() == "generic" && def.table.is_none() {
                self.push(
                    Diagnostic::error(
                        "missing-field",
                        format!("the generic source `{}` names no table", def.name.get_ref()),
                    )
                    .at(*file, def.name.span())
                    .label("which table does it fill?")
                    .hint("add `table = \"…\"` and a `[source.mapping]`"),
                );
            }
        }
    }

    fn check_activities(&mut self) {
        let mut ids = BTreeSet::new();
        let currency = self
            .workspace
            .config
            .as_ref()
            .map(|c| c.def.currency.get_ref().clone());
        for Located { file, def } in &self.workspace.activities {
            self.check_id(*file, &def.id, "activity");
            if !ids.insert(def.id.get_ref().clone()) {
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("activity `{}` is defined twice", def.id.get_ref()),
                    )
                    .at(*file, def.id.span())
                    .label("defined again here"),
                );
            }
            self.check_enum(*file, &def.kind, ACTIVITY_KINDS, "kind of activity");
            if !CHANNELS.contains(&def.channel.get_ref().as_str()) {
                self.push(
                    Diagnostic::error("unknown-channel", format!("`{}` is not a channel", def.channel.get_ref()))
                        .at(*file, def.channel.span())
                        .label("not in the channel vocabulary")
                        .maybe_hint(did_you_mean(def.channel.get_ref(), CHANNELS.iter().copied()).map(|s| format!("did you mean `{s}`?")))
                        .hint_or("channels are GA4's default channel groups plus `events`, `pr`, `print`, `partner`, `sales_outbound`, `other`"),
                );
            }
            if let Some(c) = &def.currency
                && !is_currency(c.get_ref())
            {
                self.unknown_currency(*file, c);
            }
            if def.budget.is_some() && def.currency.is_none() && currency.is_none() {
                self.push(
                    Diagnostic::error(
                        "missing-field",
                        format!(
                            "activity `{}` has a budget but no currency",
                            def.id.get_ref()
                        ),
                    )
                    .at(*file, def.id.span())
                    .label("which currency?"),
                );
            }
            self.check_owners(*file, def.owner.as_slice());
            let date = |value: &Spanned<toml::value::Datetime>| {
                value
                    .get_ref()
                    .date
                    .filter(|_| value.get_ref().time.is_none())
            };
            for value in [Some(&def.start), def.end.as_ref()].into_iter().flatten() {
                if date(value).is_none() {
                    self.push(
                        Diagnostic::error("wrong-type", "expected a date without a time")
                            .at(*file, value.span())
                            .label("expected e.g. `2026-11-10`"),
                    );
                }
            }
            if let (Some(start), Some(end)) = (date(&def.start), def.end.as_ref().and_then(date))
                && (end.year, end.month, end.day) < (start.year, start.month, start.day)
                && let Some(end_span) = def.end.as_ref().map(Spanned::span)
            {
                self.push(
                    Diagnostic::error(
                        "invalid-date-range",
                        format!("activity `{}` ends before it starts", def.id.get_ref()),
                    )
                    .at(*file, end_span)
                    .label(format!("before the start {}", def.start.get_ref()))
                    .hint("swap `start` and `end`, or correct the date"),
                );
            }
        }
        for Located { file, def } in &self.workspace.activities {
            if let Some(parent) = &def.parent
                && !ids.contains(parent.get_ref())
            {
                self.push(
                    Diagnostic::error(
                        "unknown-activity",
                        format!("no activity is called `{}`", parent.get_ref()),
                    )
                    .at(*file, parent.span())
                    .label("unknown activity"),
                );
            }
            for kpi in &def.kpis {
                if !self
                    .workspace
                    .kpis
                    .iter()
                    .any(|k| k.def.id.get_ref() == kpi.get_ref())
                {
                    self.push(
                        Diagnostic::error(
                            "unknown-kpi",
                            format!("no KPI is called `{}`", kpi.get_ref()),
                        )
                        .at(*file, kpi.span())
                        .label("unknown KPI"),
                    );
                }
            }
        }
    }
}

impl Checker<'_> {
    fn check_reviews(&mut self) {
        let mut review_ids = BTreeSet::new();
        for Located { file, def } in &self.workspace.reviews {
            self.check_id(*file, &def.id, "review");
            if !review_ids.insert(def.id.get_ref().clone()) {
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("review `{}` is defined twice", def.id.get_ref()),
                    )
                    .at(*file, def.id.span())
                    .label("defined again here"),
                );
            }
            self.check_period(*file, &def.period);
            self.check_owners(*file, &def.participants);
        }
        let mut decision_ids = BTreeSet::new();
        let activity_ids: BTreeSet<&str> = self
            .workspace
            .activities
            .iter()
            .map(|a| a.def.id.get_ref().as_str())
            .collect();
        let kpi_ids: Vec<&str> = self
            .workspace
            .kpis
            .iter()
            .map(|k| k.def.id.get_ref().as_str())
            .collect();
        for Located { file, def } in &self.workspace.decisions {
            let file = *file;
            self.check_id(file, &def.id, "decision");
            if !decision_ids.insert(def.id.get_ref().clone()) {
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("decision `{}` is defined twice", def.id.get_ref()),
                    )
                    .at(file, def.id.span())
                    .label("defined again here"),
                );
            }
            if !review_ids.contains(def.review.get_ref()) {
                self.push(
                    Diagnostic::error(
                        "unknown-review",
                        format!("no review is called `{}`", def.review.get_ref()),
                    )
                    .at(file, def.review.span())
                    .label("unknown review")
                    .hint("reviews are `[[review]]` entries in `reviews.toml`"),
                );
            }
            self.check_enum(
                file,
                &def.action,
                crate::kinds::DecisionAction::NAMES,
                "decision",
            );
            if let Some(status) = &def.status {
                self.check_enum(file, status, crate::kinds::DecisionStatus::NAMES, "status");
            }
            if let Some(activity) = &def.activity
                && !activity_ids.contains(activity.get_ref().as_str())
            {
                self.push(
                    Diagnostic::error(
                        "unknown-activity",
                        format!("no activity is called `{}`", activity.get_ref()),
                    )
                    .at(file, activity.span())
                    .label("unknown activity")
                    .maybe_hint(
                        did_you_mean(activity.get_ref(), activity_ids.iter().copied())
                            .map(|s| format!("did you mean `{s}`?")),
                    ),
                );
            }
            if let Some(channel) = &def.channel
                && !CHANNELS.contains(&channel.get_ref().as_str())
            {
                self.push(
                    Diagnostic::error(
                        "unknown-channel",
                        format!("`{}` is not a channel", channel.get_ref()),
                    )
                    .at(file, channel.span())
                    .label("not in the channel vocabulary"),
                );
            }
            if def.activity.is_none() && def.channel.is_none() {
                self.push(
                    Diagnostic::warning(
                        "no-subject",
                        format!(
                            "decision `{}` names neither an activity nor a channel",
                            def.id.get_ref()
                        ),
                    )
                    .at(file, def.id.span())
                    .label("what is stopped, started or changed?")
                    .hint("add `activity = \"…\"` or `channel = \"…\"`"),
                );
            }
            if let Some(effect) = &def.effect {
                self.check_enum(
                    file,
                    &effect.direction,
                    crate::kinds::Movement::NAMES,
                    "direction",
                );
            }
            for kpi in def.kpis.iter().chain(def.effect.as_ref().map(|e| &e.kpi)) {
                if !kpi_ids.contains(&kpi.get_ref().as_str()) {
                    self.push(
                        Diagnostic::error(
                            "unknown-kpi",
                            format!("no KPI is called `{}`", kpi.get_ref()),
                        )
                        .at(file, kpi.span())
                        .label("unknown KPI")
                        .maybe_hint(
                            did_you_mean(kpi.get_ref(), kpi_ids.iter().copied())
                                .map(|s| format!("did you mean `{s}`?")),
                        ),
                    );
                }
            }
            self.check_owners(file, def.owner.as_slice());
        }
    }
}

/// The import presets a source may name.
pub const PRESETS: &[&str] = crate::kinds::Preset::NAMES;

trait HintOr {
    fn hint_or(self, hint: &str) -> Self;
}

impl HintOr for Diagnostic {
    fn hint_or(mut self, hint: &str) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.to_string());
        }
        self
    }
}

fn quote_list(items: &[&str]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn suggest_id(id: &str) -> String {
    let mut out: String = id
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        format!("k_{out}")
    } else {
        out
    }
}

/// Where the content of a TOML string value starts, given the span of the value (with quotes).
pub fn formula_content_offset(text: &str, span: Range<usize>) -> usize {
    let value = &text[span.start.min(text.len())..span.end.min(text.len())];
    if value.starts_with("\"\"\"") || value.starts_with("'''") {
        let after = span.start + 3;
        // A newline right after the opening delimiter is not part of the string.
        if text[after..].starts_with("\r\n") {
            after + 2
        } else if text[after..].starts_with('\n') {
            after + 1
        } else {
            after
        }
    } else {
        span.start + 1
    }
}

/// The chain of goals' parents from `id` back to itself, if `id` is on a cycle (KPIs have
/// [`KpiTree::cycle_through`]).
fn parent_cycle(id: &str, parents: &HashMap<&str, &Spanned<String>>) -> Option<Vec<String>> {
    let mut chain = vec![id.to_string()];
    let mut current = id;
    while let Some(parent) = parents.get(current) {
        let parent = parent.get_ref().as_str();
        chain.push(parent.to_string());
        if parent == id {
            return Some(chain);
        }
        if chain[..chain.len() - 1].iter().any(|c| c == parent) {
            return None; // a cycle that does not pass through `id`
        }
        current = parent;
    }
    None
}

fn formula_cycle(id: &str, refs: &BTreeMap<&str, Vec<String>>) -> Option<Vec<String>> {
    fn visit(
        current: &str,
        target: &str,
        refs: &BTreeMap<&str, Vec<String>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in refs.get(current).into_iter().flatten() {
            path.push(next.clone());
            if next == target {
                return true;
            }
            if seen.insert(next.clone()) && visit(next, target, refs, path, seen) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = vec![id.to_string()];
    visit(id, id, refs, &mut path, &mut BTreeSet::new()).then_some(path)
}

/// Whether `text` is an address (`name@example.se`) or a named one (`Name <name@example.se>`):
/// one `@` with something on either side, and no spaces in the address.
fn is_mail_address(text: &str) -> bool {
    let text = text.trim();
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        (None, None) => text.trim(),
        _ => return false,
    };
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !address.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_id("won_revenue") && valid_id("k2"));
        assert!(!valid_id("Won") && !valid_id("2x") && !valid_id("a-b") && !valid_id(""));
        assert_eq!(suggest_id("Vunnen intäkt"), "vunnen_intakt");
    }

    fn config_codes(toml: &str) -> Vec<(String, String)> {
        let workspace =
            crate::workspace::Workspace::from_files(vec![crate::workspace::SourceFile {
                path: crate::workspace::CONFIG_FILE.into(),
                text: toml.into(),
            }]);
        check(&workspace)
            .into_iter()
            .filter(|d| d.code != "missing-file")
            .map(|d| (d.code.to_string(), d.message.clone()))
            .collect()
    }

    #[test]
    fn mail_settings_are_checked_and_a_password_is_refused() {
        let base = "name = \"A\"\ncurrency = \"SEK\"\n[mail]\n";
        let good = format!(
            "{base}host = \"smtp.example.se\"\nport = 587\nfrom = \"Utfall <utfall@example.se>\"\n\
             username = \"utfall\"\nsecurity = \"starttls\"\n"
        );
        assert_eq!(config_codes(&good), []);
        let bad = format!(
            "{base}host = \"smtp example\"\nport = 70000\nfrom = \"utfall\"\nsecurity = \"ssl\"\n\
             password = \"hemligt-123\"\n"
        );
        let found = config_codes(&bad);
        let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            [
                // Without a snippet (it would print the password), so first.
                "secret-in-definitions",
                "invalid-value",
                "invalid-value",
                "invalid-value",
                "invalid-value",
            ],
            "{found:?}"
        );
        assert!(
            found.iter().all(|(_, m)| !m.contains("hemligt")),
            "{found:?}"
        );
        assert!(found[0].1.starts_with("line 8 of `utfall.toml`"));
        assert!(found[2].1.contains("70000"));
        assert!(found[4].1.contains("`ssl`"));
        assert!(is_mail_address("a@b.se") && is_mail_address(" Anna A <a@b.se> "));
        assert!(
            !is_mail_address("a@") && !is_mail_address("Anna <a@b.se") && !is_mail_address("a b@c")
        );
    }

    #[test]
    fn content_offsets() {
        let text = "a = \"x\"\nb = \"\"\"\ny\"\"\"";
        assert_eq!(formula_content_offset(text, 4..7), 5);
        let start = text.find("\"\"\"").unwrap();
        assert_eq!(
            &text[formula_content_offset(text, start..text.len())..][..1],
            "y"
        );
    }
}
