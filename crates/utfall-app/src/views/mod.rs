//! What the web app's pages show, computed once here so that a page's HTML and its JSON
//! endpoint are the same result: a KPI page (series, last year, targets, forecast, drivers,
//! definition and its versions, annotations), the goal tree with rolled-up statuses, the
//! activity plan with cost, credit and lift, and the data overview.

mod activities;
mod data;
mod goals;
mod kpi;

pub use activities::{ActivityLine, ActivityPlan, activities};
pub use data::{DataOverview, QuarantineLine, TableLine, data_overview};
pub use goals::{GoalNode, GoalTree, TreeNode, goal_tree, tree_of};
pub use kpi::{KpiDefinition, KpiPage, KpiPageRequest, PagePoint, PeriodTarget, kpi_page};

use crate::wire::Status;

/// The worst status of several (off track before at risk before on track); no data and no
/// target only when nothing else is there.
pub fn rolled_up(statuses: impl IntoIterator<Item = Status>) -> Status {
    let mut worst: Option<Status> = None;
    let rank = |s: Status| match s {
        Status::OffTrack => 4,
        Status::AtRisk => 3,
        Status::OnTrack => 2,
        Status::NoTarget => 1,
        Status::NoData => 0,
    };
    for status in statuses {
        if worst.is_none_or(|w| rank(status) > rank(w)) {
            worst = Some(status);
        }
    }
    worst.unwrap_or(Status::NoData)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status_rolls_up() {
        use Status::*;
        assert_eq!(rolled_up([OnTrack, AtRisk, NoTarget]), AtRisk);
        assert_eq!(rolled_up([OnTrack, OffTrack, AtRisk]), OffTrack);
        assert_eq!(rolled_up([NoData, NoTarget]), NoTarget);
        assert_eq!(rolled_up([]), NoData);
    }
}
