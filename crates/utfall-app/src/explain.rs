//! Why a KPI changed: its change decomposed down the KPI tree (sum, product, ratio), and the
//! dimension values that moved each KPI most.

use utfall_engine::EngineError;
use utfall_engine::explain::{Relation as Decomposition, contributions};
use utfall_model::kinds::Relation;
use utfall_model::locale::Locale;
use utfall_model::period::Period;
use utfall_model::tree::KpiTree;

use crate::error::AppError;
use crate::session::Session;
use crate::wire::{ExplainedLine, Explanation, MovedValue, Movers, Unexplained};

/// What to explain.
#[derive(Debug, Clone)]
pub struct ExplainRequest {
    /// The KPI.
    pub kpi: String,
    /// The period explained.
    pub period: Period,
    /// What it is compared with.
    pub vs: Base,
    /// The dimension of the movers (default: the first of channel, source, original_channel
    /// the KPI's table has).
    pub by: Option<String>,
    /// How many movers per KPI.
    pub top: usize,
    /// The language of names.
    pub locale: Option<Locale>,
}

/// The base of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The period before.
    Previous,
    /// The same period last year.
    Year,
    /// A period of the same grain.
    Period(Period),
}

impl Base {
    /// `previous`, `year` or a period.
    pub fn parse(text: &str) -> Result<Base, AppError> {
        Ok(match text {
            "previous" => Base::Previous,
            "year" => Base::Year,
            other => Base::Period(other.parse()?),
        })
    }
}

/// Explains a KPI's change between two periods.
pub async fn explain(session: &Session, request: &ExplainRequest) -> Result<Explanation, AppError> {
    let workspace = &session.workspace;
    let locale = session.locale(request.locale);
    let root = workspace.kpi(&request.kpi)?;
    let period = request.period;
    let base = match request.vs {
        Base::Previous => period.previous(&session.calendar),
        Base::Year => period.same_period_last_year(&session.calendar),
        Base::Period(p) => p,
    };
    if base.grain() != period.grain() {
        return Err(AppError::user(format!(
            "`{base}` and `{period}` are periods of different grains"
        ))
        .hint("compare a quarter with a quarter, a month with a month"));
    }
    let tree = KpiTree::new(workspace);
    let subtree = tree.subtree(root.id.get_ref());
    let ids: Vec<&str> = subtree.iter().map(String::as_str).collect();
    let values = session.engine.evaluate(&ids, &[base, period]).await?;
    let value = |id: &str| (values.get(id, base), values.get(id, period));

    let mut lines: Vec<ExplainedLine> = Vec::new();
    let mut unexplained = Vec::new();
    let (root_before, root_after) = value(root.id.get_ref());
    let root_change = root_before.zip(root_after).map(|(b, a)| a - b);
    let mut stack: Vec<(String, usize, Option<f64>, Option<&'static str>)> =
        vec![(root.id.get_ref().clone(), 0, root_change, None)];
    while let Some((id, depth, allotted, method)) = stack.pop() {
        let def = workspace.kpi(&id)?;
        let (before, after) = value(&id);
        lines.push(ExplainedLine {
            kpi: id.clone(),
            name: def.name.get_ref().get(locale).to_string(),
            unit: def.unit(),
            depth,
            before,
            after,
            change: before.zip(after).map(|(b, a)| a - b),
            contribution: allotted,
            method,
        });
        let kids = tree.children_numerator_first(&id);
        if kids.is_empty() {
            continue;
        }
        let relation = match def.relation() {
            Some(Relation::Sum) => Some(Decomposition::Sum),
            Some(Relation::Product) => Some(Decomposition::Product),
            Some(Relation::Ratio) if kids.len() == 2 => Some(Decomposition::Ratio),
            _ => None,
        };
        let complete: Option<(Vec<f64>, Vec<f64>)> = kids
            .iter()
            .map(|k| {
                let (b, a) = value(k.id.get_ref());
                b.zip(a)
            })
            .collect::<Option<Vec<_>>>()
            .map(|pairs| pairs.into_iter().unzip());
        let mut shares: Vec<Option<f64>> = vec![None; kids.len()];
        let mut used = None;
        if let (Some(relation), Some((kb, ka)), Some(allotted)) = (relation, complete, allotted) {
            let (parts, how) = contributions(relation, &kb, &ka);
            let modelled: f64 = parts.iter().sum();
            used = Some(how.as_str());
            if depth == 0 {
                // The root's change in its own unit: the parts, and what the relation leaves.
                if let Some(change) = root_change {
                    let residual = change - modelled;
                    if residual.abs() > 1e-9 * change.abs().max(1.0) {
                        unexplained.push(Unexplained {
                            kpi: id.clone(),
                            residual,
                        });
                    }
                }
                shares = parts.iter().map(|p| Some(*p)).collect();
            } else if modelled.abs() > 0.0 {
                shares = parts
                    .iter()
                    .map(|p| Some(allotted * p / modelled))
                    .collect();
            }
        }
        for (kid, share) in kids.iter().zip(shares).rev() {
            stack.push((kid.id.get_ref().clone(), depth + 1, share, used));
        }
    }
    let movers = movers(session, request, &lines, [base, period]).await?;
    Ok(Explanation {
        kpi: request.kpi.clone(),
        period,
        vs: base,
        lines,
        unexplained,
        movers,
    })
}

/// The dimension values that moved each KPI most. A KPI whose table lacks the dimension is
/// passed over (an error for the explained KPI when the dimension was asked for); any other
/// error is returned.
async fn movers(
    session: &Session,
    request: &ExplainRequest,
    lines: &[ExplainedLine],
    [base, period]: [Period; 2],
) -> Result<Vec<Movers>, AppError> {
    let candidates: Vec<String> = match &request.by {
        Some(by) => vec![by.clone()],
        None => ["channel", "source", "original_channel"]
            .map(String::from)
            .to_vec(),
    };
    let mut movers = Vec::new();
    for line in lines {
        let mut found = None;
        for dimension in &candidates {
            match session
                .engine
                .evaluate_by(&[line.kpi.as_str()], &[base, period], dimension)
                .await
            {
                Ok(split) => {
                    found = Some((dimension.clone(), split));
                    break;
                }
                Err(error @ EngineError::NoSuchColumn { .. }) => {
                    if request.by.is_some() && line.depth == 0 {
                        return Err(error.into());
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
        let Some((dimension, split)) = found else {
            continue;
        };
        let id = line.kpi.as_str();
        let mut moved: Vec<MovedValue> = split
            .values_of(id)
            .filter_map(|value| {
                let (b, a) = (split.get(id, value, base), split.get(id, value, period));
                let change = a.unwrap_or(0.0) - b.unwrap_or(0.0);
                (b.is_some() || a.is_some()).then(|| MovedValue {
                    value: value.to_string(),
                    before: b,
                    after: a,
                    change,
                })
            })
            .filter(|m| m.change != 0.0)
            .collect();
        moved.sort_by(|x, y| {
            y.change
                .abs()
                .total_cmp(&x.change.abs())
                .then(x.value.cmp(&y.value))
        });
        moved.truncate(request.top);
        if !moved.is_empty() {
            movers.push(Movers {
                kpi: line.kpi.clone(),
                name: line.name.clone(),
                unit: line.unit,
                dimension,
                values: moved,
            });
        }
    }
    Ok(movers)
}
