//! A session over one workspace: its checked definitions, its data, its engine, its calendar,
//! time zone and currency, and the one clock every use case asks for "today".

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use utfall_engine::{Engine, EngineConfig};
use utfall_ingest::store::DataStore;
use utfall_model::check::{calendar, check, has_errors};
use utfall_model::locale::Locale;
use utfall_model::period::Calendar;
use utfall_model::workspace::Workspace;

use crate::error::AppError;

/// The time zone of a workspace that names none.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Stockholm";

/// Where "today" comes from: the wall clock, or a fixed day (`--today`, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system's clock, read in the workspace's time zone.
    #[default]
    System,
    /// A fixed day.
    Fixed(Date),
}

impl Clock {
    /// A fixed day if given, else the system clock.
    pub fn from_option(today: Option<Date>) -> Clock {
        today.map_or(Clock::System, Clock::Fixed)
    }

    /// Now: the system's time, or noon of the fixed day in `zone`.
    pub fn now(self, zone: &TimeZone) -> jiff::Timestamp {
        match self {
            Clock::System => jiff::Timestamp::now(),
            Clock::Fixed(date) => date
                .at(12, 0, 0, 0)
                .to_zoned_datetime(zone.clone())
                .map_or(jiff::Timestamp::UNIX_EPOCH, |z| z.timestamp()),
        }
    }

    /// Today in `zone`.
    pub fn today(self, zone: &TimeZone) -> Date {
        match self {
            Clock::Fixed(date) => date,
            Clock::System => jiff::Timestamp::now()
                .to_zoned_datetime(zone.clone())
                .date(),
        }
    }
}

/// The time zone a workspace names, or the default.
pub fn time_zone(workspace: &Workspace) -> Result<(String, TimeZone), AppError> {
    let name = workspace
        .config
        .as_ref()
        .and_then(|c| c.def.time_zone.as_ref())
        .map_or(DEFAULT_TIME_ZONE.to_string(), |z| z.get_ref().clone());
    let zone =
        TimeZone::get(&name).map_err(|_| AppError::user(format!("`{name}` is not a time zone")))?;
    Ok((name, zone))
}

/// The language of a workspace: `--lang` if given, else the workspace's `locale`, else `$LANG`.
pub fn locale(requested: Option<Locale>, workspace: Option<&Workspace>) -> Locale {
    if let Some(locale) = requested {
        return locale;
    }
    if let Some(locale) = workspace
        .and_then(|w| w.config.as_ref())
        .and_then(|c| c.def.locale.as_ref())
        .and_then(|l| l.get_ref().parse().ok())
    {
        return locale;
    }
    match std::env::var("LANG") {
        Ok(lang) if lang.starts_with("sv") => Locale::Sv,
        _ => Locale::En,
    }
}

/// The data folder of a workspace.
pub fn data_store(dir: &Path, workspace: &Workspace) -> DataStore {
    let data_dir = workspace
        .config
        .as_ref()
        .and_then(|c| c.def.data_dir.as_ref())
        .map_or("data".to_string(), |d| d.get_ref().clone());
    DataStore::new(dir.join(data_dir))
}

/// An open workspace.
#[derive(Debug)]
pub struct Session {
    /// The workspace folder.
    pub dir: PathBuf,
    /// Its definitions, checked without errors.
    pub workspace: Workspace,
    /// The engine over its data.
    pub engine: Engine,
    /// Its data folder.
    pub store: DataStore,
    /// Its calendar (fiscal year, week start).
    pub calendar: Calendar,
    /// Its time zone.
    pub zone: TimeZone,
    /// Its currency (ISO 4217).
    pub currency: String,
    /// Where "today" comes from.
    pub clock: Clock,
}

impl Session {
    /// Opens the workspace in `dir`: refused when `utfall check` finds errors.
    pub async fn open(dir: &Path, clock: Clock) -> Result<Session, AppError> {
        let workspace = load(dir)?;
        if has_errors(&check(&workspace)) {
            return Err(
                AppError::user(format!("the workspace `{}` has errors", dir.display()))
                    .hint(format!("run `utfall check {}` and fix them", dir.display())),
            );
        }
        let config = workspace.config.as_ref().map(|c| &c.def);
        let store = data_store(dir, &workspace);
        let catalog = utfall_model::check::catalog(&workspace);
        let tables = store
            .table_paths()?
            .into_iter()
            .filter_map(|(name, paths)| Some((catalog.table(&name)?.clone(), paths)))
            .collect();
        let (time_zone, zone) = time_zone(&workspace)?;
        let currency = config.map_or("SEK".to_string(), |c| c.currency.get_ref().clone());
        let engine_config = EngineConfig {
            tables,
            calendar: calendar(&workspace),
            time_zone,
            brand: config
                .and_then(|c| c.brand.as_ref())
                .map(|b| b.get_ref().clone()),
            currency: currency.clone(),
            // `UTFALL_ENGINE` overrides `engine` in utfall.toml.
            cluster: std::env::var("UTFALL_ENGINE")
                .ok()
                .filter(|e| !e.is_empty())
                .or_else(|| {
                    config
                        .and_then(|c| c.engine.as_ref())
                        .map(|e| e.get_ref().clone())
                }),
        };
        let engine = Engine::new(engine_config, &workspace).await?;
        Ok(Session {
            dir: dir.to_path_buf(),
            calendar: calendar(&workspace),
            workspace,
            engine,
            store,
            zone,
            currency,
            clock,
        })
    }

    /// Today in the workspace's time zone.
    pub fn today(&self) -> Date {
        self.clock.today(&self.zone)
    }

    /// The workspace's language, unless one is asked for.
    pub fn locale(&self, requested: Option<Locale>) -> Locale {
        locale(requested, Some(&self.workspace))
    }

    /// The workspace's name.
    pub fn name(&self) -> &str {
        self.workspace
            .config
            .as_ref()
            .map_or("", |c| c.def.name.get_ref().as_str())
    }
}

/// Reads a workspace's definition files (not checked).
pub fn load(dir: &Path) -> Result<Workspace, AppError> {
    Workspace::load(dir).map_err(|error| {
        AppError::user(format!("cannot open `{}`", dir.display())).caused_by(error)
    })
}

/// Today by `clock` in the default time zone (for a workspace not written yet: `init`, `demo`).
pub fn today_in_default_zone(clock: Clock) -> Date {
    let zone = TimeZone::get(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC);
    clock.today(&zone)
}
