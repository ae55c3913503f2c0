//! A mix model's specification from a typed request: carry-over and saturation, priors (the
//! defaults, replaced one by one, and ROI priors), seasonality, a hold-out, lift tests to
//! calibrate with; and the holidays control.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use utfall_mmm::prior::Support;
use utfall_mmm::{
    Adstock, AdstockKind, Data, LiftTest, ModelSpec, Prior, Priors, Saturation, Series,
};

use super::file::csv_error;
use crate::error::AppError;

/// How the model is specified (`utfall mmm fit`'s model options).
#[derive(Debug, Clone)]
pub struct SpecRequest {
    /// The carry-over's shape.
    pub adstock: AdstockKind,
    /// The longest carry-over, in periods (at least 1).
    pub l_max: usize,
    /// Whether the adstock weights are normalised (not in Robyn's form).
    pub normalize: bool,
    /// The diminishing-returns curve.
    pub saturation: Saturation,
    /// The Fourier order of the yearly seasonality; `None`: 2 in file mode (as PyMC-Marketing),
    /// 8 in workspace mode (summer and Christmas lulls need the sharper shape).
    pub yearly_seasonality: Option<usize>,
    /// Periods at the end kept out of the fit.
    pub holdout: usize,
    /// Default priors replaced.
    pub priors: Vec<PriorOverride>,
    /// Priors on channels' ROI.
    pub roi_priors: Vec<RoiPrior>,
    /// A CSV file of lift-test results to calibrate with.
    pub lift_tests: Option<PathBuf>,
}

impl SpecRequest {
    /// The seasonality's order: as asked, else the mode's default.
    pub fn seasonality(&self, workspace_mode: bool) -> usize {
        self.yearly_seasonality
            .unwrap_or(if workspace_mode { 8 } else { 2 })
    }

    /// The model's specification, the default priors replaced as asked.
    pub fn build(&self, workspace_mode: bool) -> Result<ModelSpec, AppError> {
        let adstock = Adstock {
            kind: self.adstock,
            l_max: self.l_max.max(1),
            normalize: self.normalize,
        };
        let mut priors = Priors::defaults(&adstock, self.saturation);
        for o in &self.priors {
            *o.slot(&mut priors, &adstock, self.saturation)? = o.prior;
        }
        for roi in &self.roi_priors {
            priors.roi.push((
                roi.channel.clone(),
                Prior::LogNormal {
                    mu: roi.median.ln(),
                    sigma: roi.sigma,
                },
            ));
        }
        let lift_tests = match &self.lift_tests {
            Some(path) => read_lift_tests(path)?,
            None => Vec::new(),
        };
        Ok(ModelSpec {
            adstock,
            saturation: self.saturation,
            yearly_seasonality: self.seasonality(workspace_mode),
            holdout: self.holdout,
            priors,
            lift_tests,
        })
    }
}

/// A default prior replaced: `NAME=DIST:ARGS`.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorOverride {
    /// The parameter's name, e.g. `adstock_alpha`.
    pub name: String,
    /// Its prior.
    pub prior: Prior,
    /// The text it was read from, for messages.
    pub text: String,
}

impl PriorOverride {
    /// Reads `NAME=DIST:ARGS`, e.g. `adstock_alpha=beta:2,2`.
    pub fn parse(text: &str) -> Result<PriorOverride, AppError> {
        let bad = || {
            AppError::user(format!("`--prior {text}` is not NAME=DIST:ARGS")).hint(
                "e.g. `--prior adstock_alpha=beta:2,2` or `--prior saturation_beta=halfnormal:1`",
            )
        };
        let (name, rest) = text.split_once('=').ok_or_else(bad)?;
        let (dist, numbers) = rest.split_once(':').ok_or_else(bad)?;
        let numbers: Vec<f64> = numbers
            .split(',')
            .map(|n| n.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let prior = match (
            dist.trim().to_ascii_lowercase().as_str(),
            numbers.as_slice(),
        ) {
            ("normal", [mu, sigma]) if *sigma > 0.0 => Prior::Normal {
                mu: *mu,
                sigma: *sigma,
            },
            ("halfnormal", [sigma]) if *sigma > 0.0 => Prior::HalfNormal { sigma: *sigma },
            ("laplace", [mu, b]) if *b > 0.0 => Prior::Laplace { mu: *mu, b: *b },
            ("beta", [a, b]) if *a > 0.0 && *b > 0.0 => Prior::Beta { a: *a, b: *b },
            ("gamma", [shape, rate]) if *shape > 0.0 && *rate > 0.0 => Prior::Gamma {
                shape: *shape,
                rate: *rate,
            },
            ("lognormal", [mu, sigma]) if *sigma > 0.0 => Prior::LogNormal {
                mu: *mu,
                sigma: *sigma,
            },
            _ => return Err(bad()),
        };
        Ok(PriorOverride {
            name: name.trim().to_string(),
            prior,
            text: text.to_string(),
        })
    }

    /// The default prior this one replaces, checked to be on the same range.
    fn slot<'p>(
        &self,
        priors: &'p mut Priors,
        adstock: &Adstock,
        saturation: Saturation,
    ) -> Result<&'p mut Prior, AppError> {
        let text = &self.text;
        let slot: &mut Prior = match self.name.as_str() {
            "intercept" => &mut priors.intercept,
            "saturation_beta" => &mut priors.beta,
            "gamma_control" => &mut priors.control,
            "gamma_fourier" => &mut priors.fourier,
            "y_sigma" => &mut priors.sigma,
            other => {
                if let Some(p) = other.strip_prefix("adstock_")
                    && let Some(i) = adstock.parameter_names().iter().position(|n| *n == p)
                {
                    &mut priors.adstock[i]
                } else if let Some(p) = other.strip_prefix("saturation_")
                    && let Some(i) = saturation.parameter_names().iter().position(|n| *n == p)
                {
                    &mut priors.saturation[i]
                } else {
                    let names = |prefix: &str, names: &[&str]| {
                        names
                            .iter()
                            .map(|p| format!("{prefix}_{p}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    return Err(AppError::user(format!(
                        "`--prior {text}`: no parameter `{other}` in this model"
                    ))
                    .hint(format!(
                        "the parameters are intercept, saturation_beta, {}, {}, gamma_control, gamma_fourier, y_sigma",
                        names("adstock", adstock.parameter_names()),
                        names("saturation", saturation.parameter_names())
                    )));
                }
            }
        };
        if slot.support() != self.prior.support() {
            let range = match slot.support() {
                Support::Real => "any real number",
                Support::Positive => "positive",
                Support::Unit => "between 0 and 1",
            };
            return Err(AppError::user(format!(
                "`--prior {text}`: {} is {range}; give it a prior on that range",
                self.name
            ))
            .hint("β, λ, σ and half-saturation points are positive (halfnormal, gamma, lognormal); α is in (0, 1) (beta); the rest any real (normal, laplace)"));
        }
        Ok(slot)
    }
}

/// A log-normal prior on a channel's ROI, as in Meridian: `CHANNEL=MEDIAN,SIGMA`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoiPrior {
    /// The channel.
    pub channel: String,
    /// The ROI's median (positive).
    pub median: f64,
    /// The log-scale σ (positive).
    pub sigma: f64,
}

impl RoiPrior {
    /// Reads `CHANNEL=MEDIAN,SIGMA`, e.g. `search=2.5,0.5`.
    pub fn parse(text: &str) -> Result<RoiPrior, AppError> {
        let parsed = text.split_once('=').and_then(|(channel, rest)| {
            let (median, sigma) = rest.split_once(',')?;
            Some((
                channel.trim().to_string(),
                median.trim().parse::<f64>().ok()?,
                sigma.trim().parse::<f64>().ok()?,
            ))
        });
        match parsed {
            Some((channel, median, sigma)) if median > 0.0 && sigma > 0.0 => Ok(RoiPrior {
                channel,
                median,
                sigma,
            }),
            _ => Err(AppError::user(format!("`--roi-prior {text}` is not CHANNEL=MEDIAN,SIGMA"))
                .hint("e.g. `--roi-prior search=2.5,0.5`: ROI around 2.5, within a factor e^0.5 either side")),
        }
    }
}

/// Bounds of one channel's adstock rate θ in the ridge search: `CHANNEL=LO,HI`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThetaBounds {
    /// The channel.
    pub channel: String,
    /// The lowest θ (at least 0).
    pub low: f64,
    /// The highest θ (below 1).
    pub high: f64,
}

impl ThetaBounds {
    /// Reads `CHANNEL=LO,HI` with 0 ≤ LO ≤ HI < 1, e.g. `tv_S=0.3,0.8`.
    pub fn parse(text: &str) -> Result<ThetaBounds, AppError> {
        let parsed = text.split_once('=').and_then(|(channel, rest)| {
            let (lo, hi) = rest.split_once(',')?;
            Some((
                channel.trim().to_string(),
                lo.trim().parse::<f64>().ok()?,
                hi.trim().parse::<f64>().ok()?,
            ))
        });
        match parsed {
            Some((channel, low, high))
                if (0.0..1.0).contains(&low) && low <= high && high < 1.0 =>
            {
                Ok(ThetaBounds { channel, low, high })
            }
            _ => Err(AppError::user(format!(
                "`--theta {text}` is not CHANNEL=LO,HI with 0 ≤ LO ≤ HI < 1"
            ))
            .hint("e.g. `--theta tv_S=0.3,0.8`")),
        }
    }
}

/// Reads lift-test results: `channel,spend,delta_spend,delta_outcome,sigma` per row.
fn read_lift_tests(path: &Path) -> Result<Vec<LiftTest>, AppError> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| AppError::user(format!("cannot open `{}`: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<LiftTest>().enumerate() {
        let test = row.map_err(|e| {
            csv_error(
                path,
                i as u64 + 2,
                None,
                format!("{e}; expected the columns channel,spend,delta_spend,delta_outcome,sigma"),
            )
        })?;
        out.push(test);
    }
    Ok(out)
}

/// Adds the number of Swedish public holidays in each period as a control (`holidays_se`).
pub fn add_holidays(data: &mut Data) {
    let dates: Vec<Date> = data.dates.iter().filter_map(|d| d.parse().ok()).collect();
    let days = match dates.as_slice() {
        [a, b, ..] => (*b - *a).get_days().max(1) as i64,
        _ => 7,
    };
    let values: Vec<f64> = dates
        .iter()
        .map(|d| utfall_model::holidays::count_in(*d, days) as f64)
        .collect();
    data.controls.push(Series {
        name: "holidays_se".into(),
        values,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SpecRequest {
        SpecRequest {
            adstock: AdstockKind::Geometric,
            l_max: 8,
            normalize: true,
            saturation: Saturation::Logistic,
            yearly_seasonality: None,
            holdout: 0,
            priors: Vec::new(),
            roi_priors: Vec::new(),
            lift_tests: None,
        }
    }

    #[test]
    fn a_prior_replaces_the_default_on_its_range() {
        let mut r = request();
        r.priors = vec![PriorOverride::parse("adstock_alpha=beta:2,3").unwrap()];
        let spec = r.build(false).unwrap();
        assert_eq!(spec.priors.adstock[0], Prior::Beta { a: 2.0, b: 3.0 });
        assert_eq!(spec.yearly_seasonality, 2);
        assert_eq!(r.build(true).unwrap().yearly_seasonality, 8);
        r.priors = vec![PriorOverride::parse("adstock_alpha=normal:0,1").unwrap()];
        let error = r.build(false).unwrap_err();
        assert!(error.message().contains("between 0 and 1"), "{error}");
        r.priors = vec![PriorOverride::parse("foo=normal:0,1").unwrap()];
        let error = r.build(false).unwrap_err();
        assert!(error.hint_text().unwrap().contains("adstock_alpha"));
    }

    #[test]
    fn bad_options_say_their_form() {
        assert!(PriorOverride::parse("adstock_alpha=beta").is_err());
        assert!(RoiPrior::parse("x1=0,1").is_err());
        assert_eq!(RoiPrior::parse("x1=2.5,0.5").unwrap().median, 2.5);
        assert!(ThetaBounds::parse("x1=0.1").is_err());
        assert!(ThetaBounds::parse("x1=0.1,1").is_err());
        assert_eq!(ThetaBounds::parse("x1=0.1,0.5").unwrap().high, 0.5);
    }
}
