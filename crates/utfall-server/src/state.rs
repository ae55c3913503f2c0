//! What every request shares: the open workspace (reopened when its data or definitions
//! change), the metadata store, the messages, cached results and the login limiter.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, RwLock};
use utfall_app::{AppError, Clock, Session};
use utfall_store::Store;

use crate::Config;
use crate::cache::Cache;
use crate::i18n::Messages;

/// How often the workspace's files are looked at for changes.
const FRESHNESS: Duration = Duration::from_secs(2);

/// The open workspace and the generation of its data and definitions it was opened at.
#[derive(Debug)]
pub(crate) struct Open {
    pub session: Arc<Session>,
    pub generation: String,
    pub checked: Instant,
}

/// The server's shared state.
#[derive(Debug)]
pub struct AppState {
    pub(crate) dir: PathBuf,
    pub(crate) clock: Clock,
    pub(crate) secure_cookies: bool,
    pub(crate) upload_limit: u64,
    pub(crate) open: RwLock<Open>,
    /// Serialises reopening, so that one request reopens and the others wait for it.
    reopening: Mutex<()>,
    /// The metadata store.
    pub store: Store,
    pub(crate) messages: Messages,
    pub(crate) cache: Cache,
    pub(crate) limiter: std::sync::Mutex<HashMap<IpAddr, Vec<Instant>>>,
    pub(crate) fits: std::sync::Mutex<HashMap<String, FitJob>>,
    /// What the digest job's last run did.
    pub(crate) last_digests: std::sync::Mutex<Option<String>>,
}

/// The generation of a workspace's data and definitions: a change to either changes it.
fn generation(session: &Session) -> Result<String, AppError> {
    let data = utfall_app::memory::data_generation(&session.store)?;
    let definitions = definitions_stamp(&session.dir);
    Ok(format!("{data}/{definitions}"))
}

/// The definition files' names, sizes and modification times.
fn definitions_stamp(dir: &std::path::Path) -> String {
    use std::fmt::Write as _;
    let mut stamp = String::new();
    let mut files: Vec<PathBuf> = [
        "utfall.toml",
        "goals.toml",
        "sources.toml",
        "activities.toml",
        "reviews.toml",
        "tables.toml",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    if let Ok(entries) = std::fs::read_dir(dir.join("kpis")) {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    files.sort();
    for file in files {
        if let Ok(meta) = std::fs::metadata(&file) {
            let modified = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let _ = write!(stamp, "{}:{}:{modified};", file.display(), meta.len());
        }
    }
    stamp
}

impl AppState {
    /// Opens the workspace in `config.dir` and its store.
    pub async fn open(config: &Config) -> Result<AppState, AppError> {
        let session = Session::open(&config.dir, config.clock).await?;
        let store = utfall_app::memory::open_store(&config.dir, &session.workspace).await?;
        let generation = generation(&session)?;
        Ok(AppState {
            dir: config.dir.clone(),
            clock: config.clock,
            secure_cookies: config.secure_cookies,
            upload_limit: config.upload_limit,
            open: RwLock::new(Open {
                session: Arc::new(session),
                generation,
                checked: Instant::now(),
            }),
            reopening: Mutex::new(()),
            store,
            messages: Messages::load(),
            cache: Cache::default(),
            limiter: std::sync::Mutex::new(HashMap::new()),
            fits: std::sync::Mutex::new(HashMap::new()),
            last_digests: std::sync::Mutex::new(None),
        })
    }

    /// Makes the next request look for changed data and definitions (after this server
    /// changed them), so that a reload shows the change.
    pub(crate) async fn changed(&self) {
        let mut open = self.open.write().await;
        if let Some(past) = Instant::now().checked_sub(FRESHNESS) {
            open.checked = past;
        }
    }

    /// The open workspace, reopened first when its data or definitions changed; with the
    /// generation the results of this request are cached under.
    pub(crate) async fn session(&self) -> Result<(Arc<Session>, String), AppError> {
        {
            let open = self.open.read().await;
            if open.checked.elapsed() < FRESHNESS {
                return Ok((open.session.clone(), open.generation.clone()));
            }
        }
        let _one = self.reopening.lock().await;
        let (session, known) = {
            let open = self.open.read().await;
            if open.checked.elapsed() < FRESHNESS {
                return Ok((open.session.clone(), open.generation.clone()));
            }
            (open.session.clone(), open.generation.clone())
        };
        let now = generation(&session)?;
        if now == known {
            self.open.write().await.checked = Instant::now();
            return Ok((session, known));
        }
        let reopened = Arc::new(Session::open(&self.dir, self.clock).await?);
        let now = generation(&reopened)?;
        let mut open = self.open.write().await;
        *open = Open {
            session: reopened.clone(),
            generation: now.clone(),
            checked: Instant::now(),
        };
        drop(open);
        self.cache.clear();
        Ok((reopened, now))
    }
}

/// A mix-model fit running or done in the background.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FitJob {
    /// The outcome KPI.
    pub kpi: String,
    /// When it started (RFC 3339).
    pub started: String,
    /// `running`, `done` or `failed`.
    pub state: &'static str,
    /// Seconds it has run (or ran).
    pub seconds: f64,
    /// Why it failed.
    pub error: Option<String>,
    #[serde(skip)]
    began: Option<Instant>,
}

impl FitJob {
    /// The job in the page's words.
    pub(crate) fn describe(&self, t: crate::i18n::Tr<'_>) -> String {
        let seconds = self
            .began
            .map_or(self.seconds, |b| b.elapsed().as_secs_f64());
        let shown = t.locale.number(seconds, 0);
        match self.state {
            "running" => t.with("fit-running", "seconds", &shown),
            "done" => t.with("fit-done", "seconds", &shown),
            _ => t.with("fit-failed", "error", self.error.as_deref().unwrap_or("")),
        }
    }
}

/// Reports nothing (the page shows the job's time).
struct Quiet;

impl utfall_app::mmm::FitReporter for Quiet {
    fn start(&self, _: &utfall_app::mmm::FitStart) {}
}

impl AppState {
    /// The fit job of `kpi`, if one ran since the server started.
    pub(crate) fn fit_job(&self, kpi: &str) -> Option<FitJob> {
        let jobs = self.fits.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(kpi).map(|job| FitJob {
            seconds: job.began.map_or(job.seconds, |b| b.elapsed().as_secs_f64()),
            ..job.clone()
        })
    }

    fn set_job(&self, kpi: &str, update: impl FnOnce(&mut FitJob)) {
        let mut jobs = self.fits.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(job) = jobs.get_mut(kpi) {
            update(job);
        }
    }

    /// Starts fitting `kpi`'s mix model off the request path, unless a fit of it is running.
    pub(crate) fn start_fit(self: &Arc<Self>, kpi: &str, session: Arc<Session>) {
        {
            let mut jobs = self.fits.lock().unwrap_or_else(|p| p.into_inner());
            if jobs.get(kpi).is_some_and(|j| j.state == "running") {
                return;
            }
            jobs.insert(
                kpi.to_string(),
                FitJob {
                    kpi: kpi.to_string(),
                    started: jiff::Timestamp::now().to_string(),
                    state: "running",
                    seconds: 0.0,
                    error: None,
                    began: Some(Instant::now()),
                },
            );
        }
        let state = self.clone();
        let kpi = kpi.to_string();
        tokio::spawn(async move {
            let began = Instant::now();
            let result = state.fit(&kpi, &session).await;
            let seconds = began.elapsed().as_secs_f64();
            state.set_job(&kpi, |job| {
                job.began = None;
                job.seconds = seconds;
                match result {
                    Ok(()) => job.state = "done",
                    Err(error) => {
                        job.state = "failed";
                        job.error = Some(error.to_string());
                    }
                }
            });
        });
    }

    async fn fit(&self, kpi: &str, session: &Session) -> Result<(), AppError> {
        use utfall_app::mmm::{FitInput, FitOutcome, FitRequest};
        let input =
            FitInput::from_workspace(session, kpi, utfall_model::period::Grain::Week).await?;
        let outcome = tokio::task::spawn_blocking(move || {
            utfall_app::mmm::fit(input, &FitRequest::standard(), &Quiet)
        })
        .await
        .map_err(|e| AppError::internal("the fit stopped").caused_by(e))??;
        if let FitOutcome::Bayes {
            keep: Some(fit), ..
        } = outcome
        {
            utfall_app::mmm::store_fit(&self.dir, &fit).await?;
        }
        Ok(())
    }
}

/// How often the digest job looks for what is due.
pub(crate) const DIGEST_EVERY: Duration = Duration::from_secs(300);

/// The digest and alert job: every few minutes, when `[mail]` is set, sends what is due (each
/// message once per person and period, by the store's claims, however many servers run). Never
/// on a request's path. The outcome of the last run is kept for the admin's page.
pub(crate) async fn digests(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(DIGEST_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Ok((session, _)) = state.session().await else {
            continue;
        };
        let Ok(mailer) = utfall_app::digest::mailer(&session) else {
            continue;
        };
        let outcome =
            utfall_app::digest::run_due(&session, &state.store, &mailer, state.clock).await;
        let summary = match outcome {
            Ok(report) => report.summary(),
            Err(error) => format!("the digest job failed: {error}"),
        };
        *state
            .last_digests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(summary);
    }
}
