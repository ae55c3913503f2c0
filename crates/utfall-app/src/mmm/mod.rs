//! Mix modelling and lift: the series a model is fitted on (the workspace's KPI and spend, or a
//! CSV file), the model's specification from a typed request, fitting (Bayesian or Robyn's
//! ridge search), the report of a saved fit, the budget plan, and the lift of one activity.
//!
//! The results are `utfall-mmm`'s reports, re-exported here so that a front end can name what
//! it renders; they serialise to the documents `--format json` prints.

mod file;
mod fit;
mod lift;
mod optimize;
pub mod present;
mod spec;
mod workspace;

pub use file::{DataFile, read_data};
pub use fit::{
    BayesSettings, FitInput, FitMethod, FitOutcome, FitReporter, FitRequest, FitStart,
    RidgeRequest, SavedReport, fit, report,
};
pub use lift::{
    LiftDocument, LiftFile, LiftReport, LiftSettings, OverlapDocument, Verdict, lift, lift_file,
};
pub use optimize::{Horizon, OptimizeOutcome, OptimizeRequest, SpendBounds, optimize};
pub use spec::{PriorOverride, RoiPrior, SpecRequest, ThetaBounds, add_holidays};
pub use workspace::{
    Activity, FitSource, LiftRequest, LiftWindow, Overlap, SavedFit, WorkspaceSeries, activities,
    export_fit, fit_path, lift_window, load, load_fit, save, spend_by_channel, store_fit,
    workspace_series,
};

/// `utfall-mmm`'s shapes a front end renders.
pub use utfall_mmm::lift::LiftResult;
pub use utfall_mmm::optimize::{Allocation, BudgetPlan};
pub use utfall_mmm::report::{FitReport, FitStatistics, Interval};
pub use utfall_mmm::ridge::RidgeReport;
pub use utfall_mmm::{AdstockKind, Saturation};
