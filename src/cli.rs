use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Utfall: marketing performance from business goals to KPIs, attribution and decisions.
#[derive(Debug, Parser)]
#[command(name = "utfall", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Language for names and descriptions: `sv` or `en` (default: the workspace's, then `$LANG`)
    #[arg(long, global = true, env = "UTFALL_LANG", value_name = "LANG")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Sv,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a realistic demo company, import its exports and show its scorecard
    Demo(DemoArgs),
    /// Serve the web app on a workspace
    Serve(ServeArgs),
    /// Set up a workspace: who takes part, why (goals), what (KPIs) and how (sources)
    Init(InitArgs),
    /// Validate a workspace's definitions and KPI practice; exit 1 on errors
    Check(CheckArgs),
    /// The KPI library and the workspace's KPIs
    #[command(subcommand)]
    Kpi(KpiCommand),
    /// Which channels, campaigns and activities produced the conversions
    Attribution(AttributionArgs),
    /// Import exported files (CRM, ads, surveys, the activity plan) into the canonical tables
    Import(ImportArgs),
    /// Every KPI of the goal tree for one period: value, target, progress, status, change
    Scorecard(ScorecardArgs),
    /// Read-only SQL over the canonical and custom tables
    Sql(SqlArgs),
    /// Why a KPI changed: its change split into its drivers' contributions down the KPI tree
    Explain(ExplainArgs),
    /// The review cycle: open a period's review, follow up decisions, close it, export it
    Review(ReviewArgs),
    /// Record a decision — stop, start, continue, more, less — with its expected effect
    Decide(DecideArgs),
    /// Marketing mix modelling: what each channel adds to a KPI, and where the next krona should go
    #[command(subcommand)]
    Mmm(MmmCommand),
    /// What one dated activity (a fair, a campaign) did to a KPI, against a counterfactual
    Lift(LiftArgs),
    /// Keep what every KPI is now (each month, quarter, year) in the store's history
    Snapshot(SnapshotArgs),
    /// Dated notes on a KPI, a goal or everything: add, list, remove
    #[command(subcommand)]
    Annotate(AnnotateCommand),
    /// Comments on a KPI's value for a period (Markdown, threaded): add, list
    #[command(subcommand)]
    Comment(CommentCommand),
    /// People and their roles (viewer, editor, admin)
    #[command(subcommand)]
    User(UserCommand),
    /// The metadata store: migrate, back up, export, copy to PostgreSQL
    #[command(subcommand)]
    Db(DbCommand),
    /// Digests and alerts by e-mail: send what is due, subscribe, unsubscribe, list
    #[command(subcommand)]
    Digest(DigestCommand),
}

/// The workspace folder and the output format, shared by the store's commands.
#[derive(Debug, Args)]
pub struct Where {
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".", global = true)]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,
    /// Pretend today is this date
    #[arg(long, hide = true, global = true)]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// First day (default: 1 January two years back: three years)
    #[arg(long)]
    pub from: Option<jiff::civil::Date>,
    /// Last day (default: today)
    #[arg(long)]
    pub to: Option<jiff::civil::Date>,
    /// month, quarter or year (repeatable; default: all three)
    #[arg(long)]
    pub grain: Vec<String>,
    #[command(flatten)]
    pub at: Where,
}

#[derive(Debug, Subcommand)]
pub enum AnnotateCommand {
    /// Add a note (on everything unless --kpi or --goal)
    Add {
        /// The note
        text: String,
        /// The day, or the first day of a range
        #[arg(long)]
        on: jiff::civil::Date,
        /// The last day of a range
        #[arg(long)]
        until: Option<jiff::civil::Date>,
        #[arg(long, conflicts_with = "goal")]
        kpi: Option<String>,
        #[arg(long)]
        goal: Option<String>,
        /// Who writes (default: UTFALL_USER, else the login name)
        #[arg(long)]
        author: Option<String>,
        #[command(flatten)]
        at: Where,
    },
    /// List notes (those on a KPI, its goal and everything with --kpi)
    List {
        #[arg(long)]
        kpi: Option<String>,
        #[arg(long)]
        from: Option<jiff::civil::Date>,
        #[arg(long)]
        to: Option<jiff::civil::Date>,
        #[command(flatten)]
        at: Where,
    },
    /// Remove a note by its id
    Remove {
        id: i64,
        #[command(flatten)]
        at: Where,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommentCommand {
    /// Comment on a KPI's value for a period
    Add {
        /// The KPI
        kpi: String,
        /// The period, e.g. 2026-06 or 2026-Q2
        period: String,
        /// The comment (Markdown)
        text: String,
        /// The id of the comment this answers
        #[arg(long)]
        reply_to: Option<i64>,
        #[arg(long)]
        author: Option<String>,
        #[command(flatten)]
        at: Where,
    },
    /// A KPI's comments, threaded (`--format json` has the HTML)
    List {
        kpi: String,
        #[arg(long)]
        period: Option<String>,
        #[command(flatten)]
        at: Where,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person (the password is read from stdin with --password-stdin)
    Add {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// viewer, editor or admin
        #[arg(long, default_value = "viewer")]
        role: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        at: Where,
    },
    /// Everyone and their roles
    List {
        #[command(flatten)]
        at: Where,
    },
    /// Change a person's role
    SetRole {
        id: String,
        role: String,
        #[command(flatten)]
        at: Where,
    },
    /// Set a new password (read from stdin)
    ResetPassword {
        id: String,
        #[command(flatten)]
        at: Where,
    },
}

#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Send every digest and alert that is due, each once (run it on a schedule)
    Run {
        #[command(flatten)]
        at: Where,
    },
    /// Subscribe a person to the weekly or monthly digest, or to alerts
    Subscribe {
        #[arg(long)]
        user: String,
        #[arg(long, value_parser = ["weekly", "monthly", "alerts"])]
        kind: String,
        #[command(flatten)]
        at: Where,
    },
    /// End a person's subscription
    Unsubscribe {
        #[arg(long)]
        user: String,
        #[arg(long, value_parser = ["weekly", "monthly", "alerts"])]
        kind: String,
        #[command(flatten)]
        at: Where,
    },
    /// Every subscription
    List {
        #[command(flatten)]
        at: Where,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Run the migrations not yet run (they also run whenever the store opens)
    Migrate {
        #[command(flatten)]
        at: Where,
    },
    /// A consistent copy of the SQLite store into a new file, while others write
    Backup {
        file: PathBuf,
        #[command(flatten)]
        at: Where,
    },
    /// The whole store as reviewable JSON (password hashes left out)
    Export {
        #[command(flatten)]
        at: Where,
    },
    /// Copy the store into an empty PostgreSQL database
    Copy {
        #[arg(long, value_name = "URL")]
        to: String,
        #[command(flatten)]
        at: Where,
    },
}

#[derive(Debug, Args)]
pub struct LiftArgs {
    /// The activity's id (from the activity plan) in workspace mode
    #[arg(required_unless_present = "data")]
    pub activity: Option<String>,
    /// The KPI to judge, e.g. `leads` (workspace mode)
    #[arg(long, required_unless_present = "data")]
    pub kpi: Option<String>,
    /// KPIs the activity cannot have moved, as control series (workspace mode; repeatable)
    #[arg(long = "control-kpi")]
    pub control_kpis: Vec<String>,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// Days before the start that train the counterfactual (longer reaches across seasons)
    #[arg(long, default_value_t = 42)]
    pub pre: i64,
    /// Days after the end still counted (carry-over)
    #[arg(long, default_value_t = 14)]
    pub post: i64,
    /// Let the counterfactual follow the pre-period's linear trend (default: its level)
    #[arg(long)]
    pub trend: bool,
    /// Do not use the daily spend of always-on channels as control series (workspace mode)
    #[arg(long)]
    pub no_spend_controls: bool,
    /// File mode: a CSV with one row per day (or week)
    #[arg(long, conflicts_with = "activity")]
    pub data: Option<PathBuf>,
    #[arg(long, default_value = "date")]
    pub date_col: String,
    #[arg(long, default_value = "y")]
    pub target: String,
    /// File mode: control columns, comma-separated
    #[arg(long, value_delimiter = ',')]
    pub controls: Vec<String>,
    /// File mode: the first day of the activity
    #[arg(long, requires = "data")]
    pub start: Option<jiff::civil::Date>,
    /// File mode: the last day of the activity (default: the start)
    #[arg(long, requires = "data")]
    pub end: Option<jiff::civil::Date>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum MmmCommand {
    /// Fit a mix model, from the workspace (`--kpi`) or from a CSV file (`--data`)
    Fit(Box<MmmFitArgs>),
    /// Show a saved fit: contributions, ROAS and marginal ROAS with intervals, diagnostics
    Report(MmmReportArgs),
    /// Split a budget across channels to maximise the expected outcome: more, less or keep
    Optimize(MmmOptimizeArgs),
}

#[derive(Debug, Args)]
pub struct MmmOptimizeArgs {
    /// The budget to split over the planning period, in the spend's currency
    #[arg(long)]
    pub budget: f64,
    /// The planning period, e.g. `2027-Q1` or `FY2027` (workspace mode), split into the model's weeks
    #[arg(long, conflicts_with = "periods")]
    pub period: Option<String>,
    /// The planning period as a number of the model's periods (weeks, usually)
    #[arg(long)]
    pub periods: Option<usize>,
    /// The outcome KPI whose saved fit to use (workspace mode)
    #[arg(long, conflicts_with = "fit", required_unless_present = "fit")]
    pub kpi: Option<String>,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// A fit saved with `utfall mmm fit --save`
    #[arg(long)]
    pub fit: Option<PathBuf>,
    /// Spend bounds for every channel as multiples of today's spend per period
    #[arg(long, value_name = "LO,HI", default_value = "0.5,2")]
    pub bounds_all: String,
    /// Spend bounds for one channel as multiples of today's spend, `CHANNEL=LO,HI` (repeatable)
    #[arg(long, value_name = "CHANNEL=LO,HI")]
    pub bounds: Vec<String>,
    /// Keep the channels the model cannot identify at today's spend
    #[arg(long)]
    pub hold_unidentified: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MmmMethod {
    Bayes,
    Ridge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdstockArg {
    Geometric,
    WeibullCdf,
    WeibullPdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SaturationArg {
    Logistic,
    Hill,
    MichaelisMenten,
}

#[derive(Debug, Args)]
pub struct MmmFitArgs {
    /// The outcome KPI of the workspace, e.g. `leads` or `won_revenue` (workspace mode)
    #[arg(long, conflicts_with = "data", required_unless_present = "data")]
    pub kpi: Option<String>,
    /// The workspace folder (workspace mode)
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// Period of the series in workspace mode: `week` or `day`
    #[arg(long, default_value = "week")]
    pub grain: String,
    /// Pretend today is this date (workspace mode: the series ends with the last whole period
    /// before it)
    #[arg(long, hide = true)]
    pub today: Option<jiff::civil::Date>,
    /// `bayes`: the full posterior by NUTS; `ridge`: Robyn's approach — ridge regressions searched by
    /// differential evolution over NRMSE and DECOMP.RSSD, a Pareto front
    #[arg(long, value_enum, default_value_t = MmmMethod::Bayes)]
    pub method: MmmMethod,
    /// Ridge mode: evaluations per trial
    #[arg(long, default_value_t = 2000)]
    pub iterations: usize,
    /// Ridge mode: trials (each weighs fit against decomposition differently)
    #[arg(long, default_value_t = 5)]
    pub trials: usize,
    /// Ridge mode: bounds of a channel's adstock rate θ, `CHANNEL=LO,HI` (repeatable; default 0–0.8)
    #[arg(long, value_name = "CHANNEL=LO,HI")]
    pub theta: Vec<String>,
    /// A CSV file with one row per period (file mode, as PyMC-Marketing's `MMM.fit`)
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The date column of `--data` (ISO dates)
    #[arg(long, default_value = "date")]
    pub date_col: String,
    /// The outcome column of `--data`
    #[arg(long, default_value = "y")]
    pub target: String,
    /// The spend (or exposure) columns of `--data`, comma-separated
    #[arg(long, value_delimiter = ',', required_unless_present = "kpi")]
    pub channels: Vec<String>,
    /// Control columns of `--data` (events, competitor activity, price, a trend `t`…), comma-separated;
    /// a column of text (e.g. event names) becomes one indicator per value
    #[arg(long, value_delimiter = ',')]
    pub controls: Vec<String>,
    /// Add the number of Swedish public holidays in each period as a control
    #[arg(long)]
    pub holidays: bool,
    /// Carry-over shape
    #[arg(long, value_enum, default_value_t = AdstockArg::Geometric)]
    pub adstock: AdstockArg,
    /// Longest carry-over, in periods
    #[arg(long, default_value_t = 8)]
    pub l_max: usize,
    /// Do not normalise the adstock weights (Robyn's form: a constant spend x settles at x/(1−α))
    #[arg(long)]
    pub no_normalize: bool,
    /// Diminishing-returns curve
    #[arg(long, value_enum, default_value_t = SaturationArg::Logistic)]
    pub saturation: SaturationArg,
    /// Fourier order of the yearly seasonality, 0 for none (default: 2 as PyMC-Marketing in file
    /// mode; 8 in workspace mode, where summer and Christmas lulls need the sharper shape)
    #[arg(long)]
    pub yearly_seasonality: Option<usize>,
    /// Keep the last N periods out of the fit and report the fit on them
    #[arg(long, default_value_t = 0)]
    pub holdout: usize,
    /// Replace a default prior: `NAME=DIST:ARGS`, NAME one of intercept, saturation_beta,
    /// adstock_alpha (or adstock_shape, adstock_scale), saturation_lam (or
    /// saturation_half_saturation, saturation_slope), gamma_control, gamma_fourier, y_sigma; DIST
    /// one of normal:MU,SIGMA, halfnormal:SIGMA, laplace:MU,B, beta:A,B, gamma:SHAPE,RATE,
    /// lognormal:MU,SIGMA (repeatable)
    #[arg(long, value_name = "NAME=DIST:ARGS")]
    pub prior: Vec<String>,
    /// A prior on a channel's ROI (outcome per unit of spend), log-normal with this median and
    /// log-scale σ, as in Meridian: `CHANNEL=MEDIAN,SIGMA` (repeatable)
    #[arg(long, value_name = "CHANNEL=MEDIAN,SIGMA")]
    pub roi_prior: Vec<String>,
    /// Lift-test results to calibrate with: a CSV with `channel,spend,delta_spend,delta_outcome,sigma`
    /// (spend and changes per period)
    #[arg(long)]
    pub lift_tests: Option<PathBuf>,
    /// Markov chains (run in parallel)
    #[arg(long, default_value_t = 4)]
    pub chains: usize,
    /// Draws kept per chain
    #[arg(long, default_value_t = 1000)]
    pub draws: usize,
    /// Tuning steps per chain
    #[arg(long, default_value_t = 1000)]
    pub tune: usize,
    /// NUTS target acceptance rate (default 0.8 in file mode, 0.95 in workspace mode; raise it if
    /// there are divergences)
    #[arg(long)]
    pub target_accept: Option<f64>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Adapt a low-rank mass matrix instead of a diagonal one (nutpie's option): about 4× fewer
    /// gradient evaluations with many correlated channels
    #[arg(long)]
    pub low_rank: bool,
    /// Where to save the fit (default in workspace mode: `models/mmm-<kpi>.json` in the workspace)
    #[arg(long)]
    pub save: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct MmmReportArgs {
    /// The outcome KPI whose saved fit to show (workspace mode)
    #[arg(long, conflicts_with = "fit", required_unless_present = "fit")]
    pub kpi: Option<String>,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// A fit saved with `utfall mmm fit --save`
    #[arg(long)]
    pub fit: Option<PathBuf>,
    /// Add the decomposition per period (table and CSV: one row per period)
    #[arg(long)]
    pub decomposition: bool,
    /// Also write the saved fit's JSON document to this file (as `mmm fit --save` writes it)
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: Option<ReviewCommand>,
    #[command(flatten)]
    pub at: Where,
}

/// Without a subcommand: the decision log of `reviews.toml` with each decision's KPIs then and now.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Open the review of a period (FY2026-Q2, 2026-09, 2026-W36) and compute it
    Open(ReviewOpenArgs),
    /// Show a review: live while open, the frozen document once closed
    Show {
        /// The review's id (see `utfall review list`)
        id: String,
        /// Beside a closed review's numbers, what they compute to today
        #[arg(long)]
        live: bool,
    },
    /// Close a review: pin its numbers to a snapshot and freeze its document
    Close {
        /// The review's id
        id: String,
        /// Who closes it (default: $USER)
        #[arg(long)]
        by: Option<String>,
    },
    /// Write a review to a file: .md, .html, .pdf, .xlsx or .json (by the extension)
    Export {
        /// The review's id
        id: String,
        /// The file
        #[arg(long)]
        to: PathBuf,
    },
    /// The reviews in the store
    List,
    /// Record what a decision's follow-up found
    Outcome {
        /// The decision's id
        decision: String,
        /// worked, did_not_work or too_early
        #[arg(long)]
        verdict: String,
        /// What was seen
        #[arg(long)]
        note: Option<String>,
        /// Who records it (default: $USER)
        #[arg(long)]
        by: Option<String>,
    },
    /// The store's reviews and decisions as reviews.toml (for git): to stdout or a file
    Toml {
        /// Write to this file instead of stdout
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ReviewOpenArgs {
    /// The period reviewed, e.g. `FY2026-Q2`
    pub period: String,
    /// The review's id (default: from the period, e.g. `fy2026_q2`)
    #[arg(long)]
    pub id: Option<String>,
    /// The day of the meeting
    #[arg(long)]
    pub date: Option<jiff::civil::Date>,
    /// Who takes part, comma-separated
    #[arg(long, value_delimiter = ',')]
    pub participants: Vec<String>,
    /// What was said
    #[arg(long)]
    pub notes: Option<String>,
}

/// A decision: stop, start, continue, more or less of something, with its expected effect.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The decision's id, e.g. `more_webinars`
    pub id: String,
    /// stop, start, continue, more or less
    #[arg(long)]
    pub action: String,
    /// The review it is taken at (must be open)
    #[arg(long)]
    pub review: Option<String>,
    /// The activity it is about
    #[arg(long)]
    pub activity: Option<String>,
    /// The channel it is about
    #[arg(long)]
    pub channel: Option<String>,
    /// The campaign it is about
    #[arg(long)]
    pub campaign: Option<String>,
    /// A KPI it should move (repeat for more)
    #[arg(long = "kpi")]
    pub kpis: Vec<String>,
    /// The KPI of the expected effect, measured at the follow-up
    #[arg(long)]
    pub effect: Option<String>,
    /// Which way the effect KPI should move: up or down
    #[arg(long)]
    pub direction: Option<String>,
    /// The expected size, relative (0.15 for +15 %)
    #[arg(long)]
    pub size: Option<f64>,
    /// Who carries it out
    #[arg(long)]
    pub owner: Option<String>,
    /// Why
    #[arg(long)]
    pub why: Option<String>,
    /// What it should do, in words
    #[arg(long)]
    pub expected: Option<String>,
    /// The day it takes effect (default: today)
    #[arg(long)]
    pub decided_on: Option<jiff::civil::Date>,
    /// The day it is followed up (default: 90 days after)
    #[arg(long)]
    pub follow_up: Option<jiff::civil::Date>,
    /// Who records it (default: $USER)
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

impl DecideArgs {
    /// The decision as the application records it.
    pub fn request(&self, author: String) -> utfall_app::review::DecideRequest {
        utfall_app::review::DecideRequest {
            id: self.id.clone(),
            review: self.review.clone(),
            action: self.action.clone(),
            activity: self.activity.clone(),
            channel: self.channel.clone(),
            campaign: self.campaign.clone(),
            kpis: self.kpis.clone(),
            effect_kpi: self.effect.clone(),
            direction: self.direction.clone(),
            size: self.size,
            owner: self.owner.clone(),
            rationale: self.why.clone(),
            expected: self.expected.clone(),
            decided_on: self.decided_on,
            follow_up: self.follow_up,
            author,
            source: "cli".into(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The KPI id
    pub id: String,
    /// The period to explain, e.g. `FY2026-Q1`
    #[arg(long)]
    pub period: String,
    /// Compared with: `previous`, `year` (the same period last year) or a period of the same grain
    #[arg(long, default_value = "previous")]
    pub vs: String,
    /// Name the values of this dimension (channel, campaign, platform, country…) that moved each
    /// KPI most (default: `channel` where the KPI's table has it)
    #[arg(long)]
    pub by: Option<String>,
    /// How many movers to name per KPI
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// The period, e.g. `2026-Q3`, `FY2026-Q2`, `2026-11` (default: the fiscal quarter of today)
    #[arg(long)]
    pub period: Option<String>,
    /// Pretend today is this date (for the forecast of a running period)
    #[arg(long, hide = true)]
    pub today: Option<jiff::civil::Date>,
    /// Split every KPI whose table has this column (channel, campaign, country…) by its values;
    /// ratios are recomputed per value
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query (SELECT only)
    pub query: String,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import (default: every file matching the sources in `sources.toml`)
    pub files: Vec<PathBuf>,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// How to read the files: `hubspot-contacts`, `google-ads`, `generic`, … (see `--list-presets`)
    #[arg(long, conflicts_with = "source")]
    pub preset: Option<String>,
    /// A source declared in `sources.toml` (its preset, mapping and path)
    #[arg(long)]
    pub source: Option<String>,
    /// For `--preset generic`: the table to fill
    #[arg(long)]
    pub table: Option<String>,
    /// Map a file column to a table column, e.g. `--map "Belopp=amount"` (repeatable)
    #[arg(long = "map", value_name = "COLUMN=TARGET")]
    pub mappings: Vec<String>,
    /// Field delimiter (default: detected)
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Numbers use a decimal comma (default: detected)
    #[arg(long, conflicts_with = "decimal_point")]
    pub decimal_comma: bool,
    /// Numbers use a decimal point (default: detected)
    #[arg(long)]
    pub decimal_point: bool,
    /// Dates like 01/02/2026 are month first (default: decided from the whole column, else
    /// the vendor's order, else day first; announced)
    #[arg(long, conflicts_with = "day_first")]
    pub month_first: bool,
    /// Dates like 01/02/2026 are day first (default: decided from the whole column)
    #[arg(long)]
    pub day_first: bool,
    /// The currency of amounts the file does not name one for (ISO 4217, e.g. `USD`); a file
    /// whose amounts have no currency is refused without it
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Give a table column one value for every row, e.g. `--set platform=meta` (repeatable)
    #[arg(long = "set", value_name = "COLUMN=VALUE")]
    pub constants: Vec<String>,
    /// The file's text encoding (`utf-8`, `windows-1252`, `utf-16le`, …), if not detected
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Show what would be imported — detected format, mapping, first rows — and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 0 even if rows were rejected (they are still kept in the quarantine)
    #[arg(long)]
    pub allow_rejects: bool,
    /// Show the import log instead of importing
    #[arg(long)]
    pub log: bool,
    /// Show the rows the latest import with rejections kept in the quarantine (with
    /// `--log`-style `--format`); files given: the latest import of those files
    #[arg(long, conflicts_with_all = ["log", "dry_run"])]
    pub rejected: bool,
    /// List the presets
    #[arg(long)]
    pub list_presets: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AttributionArgs {
    #[command(subcommand)]
    pub command: Option<AttributionCommand>,
    #[command(flatten)]
    pub run: AttributionRunArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleModelArg {
    First,
    Last,
    LastNonDirect,
    Linear,
    LinearDistinct,
    TimeDecay,
    Position,
    UShaped,
    WShaped,
    FullPath,
    /// Milestones with `--milestone-weights`
    Milestones,
    Participation,
    Markov,
    Shapley,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConversionArg {
    Leads,
    Mqls,
    Sqls,
    Opportunities,
    /// Deals created, with their amounts
    Pipeline,
    /// Deals won, with their amounts (also `won_deals`, as the KPI is named)
    #[value(alias = "won_deals")]
    WonDeals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Channel,
    Campaign,
    Activity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Person,
    Account,
}

/// Attribution over the workspace's touchpoints and conversions.
#[derive(Debug, Args)]
pub struct AttributionRunArgs {
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// One model (default: every model side by side)
    #[arg(long, value_enum)]
    pub model: Option<RuleModelArg>,
    /// Every model side by side, the `--model` first (its credit orders the rows)
    #[arg(long)]
    pub compare: bool,
    /// Markov order for `--model markov` (1–4)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub order: u8,
    /// Add 90 % bootstrap intervals for Markov and Shapley (200 replicates, seeded)
    #[arg(long)]
    pub intervals: bool,
    /// What counts as a conversion
    #[arg(long, value_enum, default_value_t = ConversionArg::WonDeals)]
    pub conversion: ConversionArg,
    /// Credit channels, campaigns or activities
    #[arg(long, value_enum, default_value_t = ByArg::Channel)]
    pub by: ByArg,
    /// Only conversions in this period, e.g. `FY2026` or `2026-Q3` (default: all)
    #[arg(long)]
    pub period: Option<String>,
    /// How far back touches count, e.g. `90d` (default: 30d for leads, 90d otherwise, as GA4)
    #[arg(long)]
    pub lookback: Option<String>,
    /// Journeys per person or per account (B2B: every contact of the account)
    #[arg(long, value_enum, default_value_t = LevelArg::Person)]
    pub level: LevelArg,
    /// Merge consecutive touches of the same channel, campaign or activity
    #[arg(long)]
    pub collapse: bool,
    /// Half-life of the time-decay model, in days
    #[arg(long, default_value_t = 7.0)]
    pub half_life: f64,
    /// Weights of the position-based model: first,last (the middle shares the rest)
    #[arg(long, value_name = "FIRST,LAST", default_value = "0.4,0.4")]
    pub position_weights: String,
    /// Custom milestone weights for `--model milestones`: first touch, lead, opportunity, closed-won, rest
    #[arg(
        long,
        value_name = "F,L,O,W,REST",
        default_value = "0.25,0.25,0.25,0.15,0.1"
    )]
    pub milestone_weights: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum AttributionCommand {
    /// Attribute conversions in a file of aggregated paths (the `channelattribution` format)
    Paths(PathsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathModel {
    /// Markov chain with exact removal effects
    Markov,
    /// First touch, last touch and linear
    Heuristic,
    /// Shapley values over channel coalitions
    Shapley,
    /// Zhao et al.'s ordered Shapley: each channel's Shapley credit by the position it held
    ShapleyOrdered,
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// CSV file with one row per path (or per journey)
    pub file: PathBuf,
    /// Column holding the path, e.g. `email > paid_search > direct`
    #[arg(long, default_value = "path")]
    pub path_col: String,
    /// Column with the number of conversions (fractions allowed)
    #[arg(long, default_value = "total_conversions")]
    pub conv_col: String,
    /// Column with the conversion value (optional: zero when the column is absent)
    #[arg(long, default_value = "total_conversion_value")]
    pub value_col: String,
    /// Column with the number of journeys that did not convert (optional)
    #[arg(long, default_value = "total_null")]
    pub null_col: String,
    /// Separator between channels in a path; names are trimmed around it
    #[arg(long, default_value = ">")]
    pub sep: String,
    /// Field delimiter of the file (default: detected from the header, `,` `;` or tab)
    #[arg(long)]
    pub delimiter: Option<char>,
    /// The model
    #[arg(long, value_enum, default_value_t = PathModel::Markov)]
    pub model: PathModel,
    /// Markov order: states are windows of this many channels (1–4)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub order: u8,
    /// Add 90 % bootstrap intervals for Markov and Shapley (200 replicates, seeded)
    #[arg(long)]
    pub intervals: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SizeArg {
    Small,
    Medium,
    Large,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// Where to listen (port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Pretend today is this date
    #[arg(long, hide = true)]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo workspace
    #[arg(default_value = "nordkraft-demo")]
    pub dir: PathBuf,
    /// Random seed: the same seed gives the same files, byte for byte
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// small (seconds), medium (about 5 million web events), large (about 50 million)
    #[arg(long, value_enum, default_value_t = SizeArg::Small)]
    pub size: SizeArg,
    /// Do not start the web app afterwards
    #[arg(long)]
    pub no_serve: bool,
    /// Where the web app listens
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Only generate the files; do not import them
    #[arg(long)]
    pub no_import: bool,
    /// Replace an existing demo in the folder
    #[arg(long)]
    pub force: bool,
    /// The last day of data (default: today)
    #[arg(long, hide = true)]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the workspace (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Answer every question with the template's defaults (no prompts)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Kind of company to start from
    #[arg(long, value_enum, default_value_t = TemplateArg::B2b)]
    pub template: TemplateArg,
    /// Company name
    #[arg(long)]
    pub name: Option<String>,
    /// Overwrite an existing workspace's definition files
    #[arg(long)]
    pub force: bool,
    /// Pretend today is this date (targets are set for the fiscal year containing it)
    #[arg(long, hide = true, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateArg {
    B2b,
    Ecommerce,
    Events,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The workspace folder
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Output format: `table` (diagnostics for people, on stderr) or `json` (on stdout)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Treat warnings as errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// List the curated KPI library
    Library(LibraryArgs),
    /// Copy KPIs from the library into a workspace (with the KPIs their formulas need)
    Add(AddArgs),
    /// Show the workspace's goals and KPI tree
    Tree(TreeArgs),
    /// One KPI over time
    Show(ShowArgs),
    /// Every KPI of the workspace for every period, in one pass per table (for analysts and Excel)
    Export(ExportArgs),
    /// What a KPI was reported as at each snapshot, and under which definition version
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The KPI id
    pub id: String,
    /// One period, e.g. 2026-06
    #[arg(long)]
    pub period: Option<String>,
    /// month, quarter or year (default: month)
    #[arg(long)]
    pub grain: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// day, week, month, quarter, fiscal_quarter, year, fiscal_year
    #[arg(long, default_value = "month")]
    pub grain: String,
    /// First day
    #[arg(long)]
    pub from: jiff::civil::Date,
    /// Last day
    #[arg(long)]
    pub to: jiff::civil::Date,
    /// table: KPIs as rows, periods as columns; csv and json: one row per KPI and period
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compare {
    Previous,
    Year,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The KPI id
    pub id: String,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// day, week, month, quarter, fiscal_quarter, year, fiscal_year (default: the KPI's grain, else month)
    #[arg(long)]
    pub grain: Option<String>,
    /// First day (default: a year before `--to`)
    #[arg(long)]
    pub from: Option<jiff::civil::Date>,
    /// Last day (default: today)
    #[arg(long)]
    pub to: Option<jiff::civil::Date>,
    /// Add the value of the previous period or the same period last year, and the change
    #[arg(long, value_enum, conflicts_with = "by")]
    pub compare: Option<Compare>,
    /// Split by the values of a column, e.g. `channel`, `platform`, `campaign_name`, `country`
    #[arg(long, value_name = "DIMENSION")]
    pub by: Option<String>,
    /// Pretend today is this date (a running period is compared to date)
    #[arg(long, hide = true)]
    pub today: Option<jiff::civil::Date>,
    /// The last definition before today's beside today's, over the periods both cover
    #[arg(long, conflicts_with_all = ["by", "compare"])]
    pub restate: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct LibraryArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only entries with this tag (e.g. `core`, `funnel`, `brand`)
    #[arg(long)]
    pub tag: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Library ids, e.g. `cac mql_to_sql_rate`
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// The goal the added KPIs serve
    #[arg(long)]
    pub goal: Option<String>,
    /// Owner of the added KPIs (a person id from `utfall.toml`)
    #[arg(long)]
    pub owner: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The workspace folder
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}
