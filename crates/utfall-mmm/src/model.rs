//! The model: data scaled as PyMC-Marketing does (max-abs of the target and of each channel), the
//! parameter layout, the expected outcome, and the log posterior with its exact gradient.
//!
//! `y_t / y_max ~ Normal(μ_t, σ)`, `μ_t = intercept + Σ_c β_c · sat_c(adstock_c(x_c / x_max_c))_t
//! + Σ_k γ_k · control_k,t + Σ_f γ_f · fourier_f,t`.

use serde::{Deserialize, Serialize};

use crate::MmmError;
use crate::dual::Dual;
use crate::prior::{Prior, Support};
use crate::transform::{Adstock, Saturation};

/// One named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The column's name (a channel, a control).
    pub name: String,
    /// One value per row.
    pub values: Vec<f64>,
}

/// A weekly (or daily) table: the outcome, the channels' spend (or exposure), controls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Data {
    /// ISO dates, for the output.
    pub dates: Vec<String>,
    /// Day of the year (1–366) of each row, for the yearly Fourier terms.
    pub day_of_year: Vec<f64>,
    /// The outcome (KPI) per row.
    pub target: Vec<f64>,
    /// Spend (or exposure) per channel and row.
    pub channels: Vec<Series>,
    /// Series besides the channels that move the outcome (events, a trend, prices).
    pub controls: Vec<Series>,
}

/// A lift test (a geo or on/off experiment): raising the channel's spend per period from `spend`
/// by `delta_spend` changed the outcome per period by `delta_outcome`, with standard error `sigma`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftTest {
    /// The channel whose spend was changed.
    pub channel: String,
    /// The spend per period before the test.
    pub spend: f64,
    /// How much the spend per period was raised.
    pub delta_spend: f64,
    /// How much the outcome per period changed.
    pub delta_outcome: f64,
    /// The standard error of `delta_outcome`.
    pub sigma: f64,
}

/// The priors of every parameter of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priors {
    /// Prior of the intercept (on the scaled target).
    pub intercept: Prior,
    /// Prior of every channel's β (its largest contribution, on the scaled target).
    pub beta: Prior,
    /// Priors of the adstock parameters, in the order of [`Adstock::parameter_names`].
    pub adstock: Vec<Prior>,
    /// Priors of the saturation parameters, in the order of [`Saturation::parameter_names`].
    pub saturation: Vec<Prior>,
    /// Prior of each control's coefficient.
    pub control: Prior,
    /// Prior of each Fourier coefficient of the yearly seasonality.
    pub fourier: Prior,
    /// Prior of the noise's standard deviation (on the scaled target).
    pub sigma: Prior,
    /// Per channel: a prior on ROI (outcome per unit of spend over the fitted rows), as in
    /// Meridian; replaces the prior on that channel's β.
    pub roi: Vec<(String, Prior)>,
}

impl Priors {
    /// PyMC-Marketing's defaults.
    pub fn defaults(adstock: &Adstock, saturation: Saturation) -> Self {
        Priors {
            intercept: Prior::Normal {
                mu: 0.0,
                sigma: 2.0,
            },
            beta: Prior::HalfNormal { sigma: 2.0 },
            adstock: adstock.default_priors(),
            saturation: saturation.default_priors(),
            control: Prior::Normal {
                mu: 0.0,
                sigma: 2.0,
            },
            fourier: Prior::Laplace { mu: 0.0, b: 1.0 },
            sigma: Prior::HalfNormal { sigma: 2.0 },
            roi: Vec::new(),
        }
    }
}

/// What model to fit: adstock, saturation, seasonality, hold-out, priors and lift tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// How spend carries over to later periods.
    pub adstock: Adstock,
    /// How the effect of adstocked spend levels off.
    pub saturation: Saturation,
    /// Fourier order of the yearly seasonality (0: none).
    pub yearly_seasonality: usize,
    /// The last rows kept out of the fit, for an out-of-sample check.
    pub holdout: usize,
    /// The priors of every parameter.
    pub priors: Priors,
    /// Lift tests that calibrate the channels' response.
    pub lift_tests: Vec<LiftTest>,
}

impl ModelSpec {
    /// A model with PyMC-Marketing's defaults: its priors, yearly seasonality of order 2, no
    /// hold-out, no lift tests.
    pub fn new(adstock: Adstock, saturation: Saturation) -> Self {
        ModelSpec {
            priors: Priors::defaults(&adstock, saturation),
            adstock,
            saturation,
            yearly_seasonality: 2,
            holdout: 0,
            lift_tests: Vec::new(),
        }
    }

    /// PyMC-Marketing's example: geometric adstock (normalised, L = 8) and logistic saturation.
    pub fn pymc_example() -> Self {
        ModelSpec::new(
            Adstock {
                kind: crate::transform::AdstockKind::Geometric,
                l_max: 8,
                normalize: true,
            },
            Saturation::Logistic,
        )
    }
}

/// What a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The baseline level.
    Intercept,
    /// β of channel c, or its ROI when the channel has an ROI prior.
    Beta(usize),
    /// ROI of channel c, when the channel has an ROI prior.
    Roi(usize),
    /// Adstock parameter j of channel c.
    Adstock(usize, usize),
    /// Saturation parameter j of channel c.
    Saturation(usize, usize),
    /// Coefficient of control k.
    Control(usize),
    /// Coefficient of Fourier column k.
    Fourier(usize),
    /// The noise's standard deviation.
    Sigma,
}

/// One parameter of the model: its name, role, prior and support.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The name as PyMC-Marketing prints it, such as `adstock_alpha[x1]`.
    pub name: String,
    /// What the parameter is.
    pub role: Role,
    /// Its prior distribution.
    pub prior: Prior,
    /// Where it lives (the whole line, the positive half-line, the unit interval).
    pub support: Support,
}

/// Data ready for fitting: scaled, with Fourier columns, and the parameter layout.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The model's specification.
    pub spec: ModelSpec,
    /// The data as given, in original units.
    pub data: Data,
    /// Rows of the data, hold-out included.
    pub n_rows: usize,
    /// Rows fitted (the hold-out excluded).
    pub n_train: usize,
    /// The largest absolute target over the fitted rows, which the target is divided by.
    pub y_max: f64,
    /// The scaled target per row.
    pub y: Vec<f64>,
    /// Each channel's largest spend over the fitted rows, which its spend is divided by.
    pub x_max: Vec<f64>,
    /// The scaled spend per channel and row.
    pub x: Vec<Vec<f64>>,
    /// Spend of each channel over the training rows, in original units.
    pub spend_train: Vec<f64>,
    /// Control columns followed by Fourier columns.
    pub z: Vec<Vec<f64>>,
    /// Names of the `z` columns.
    pub z_names: Vec<String>,
    /// How many `z` columns are controls (the rest are Fourier columns).
    pub n_controls: usize,
    /// Every parameter, in the order of the parameter vector.
    pub parameters: Vec<Parameter>,
    /// Index of the first parameter of each channel: β or ROI, adstock…, saturation….
    pub channel_start: Vec<usize>,
    /// Whether each channel has an ROI prior (and so its first parameter is its ROI).
    pub roi_channel: Vec<bool>,
    /// The lift tests, each with the index of its channel.
    pub lift: Vec<(usize, LiftTest)>,
    /// Index of the intercept in the parameter vector.
    pub intercept_index: usize,
    /// Index of the first control or Fourier coefficient in the parameter vector.
    pub z_start: usize,
    /// Index of the noise's standard deviation in the parameter vector.
    pub sigma_index: usize,
}

/// The fewest rows a mix model is fitted on.
const MIN_FITTED_ROWS: usize = 8;

/// Every column has one value per row, and there are enough rows and at least one channel.
fn check_column_shapes(data: &Data) -> Result<(), MmmError> {
    let n = data.target.len();
    if n < MIN_FITTED_ROWS {
        return Err(MmmError::Data(format!(
            "{n} rows: a mix model needs at least 8 periods (and 2–3 years of weeks to see seasonality)"
        )));
    }
    if data.channels.is_empty() {
        return Err(MmmError::Data("no channels".into()));
    }
    for column in data.channels.iter().chain(&data.controls) {
        if column.values.len() != n {
            return Err(MmmError::Data(format!(
                "column {} has {} values, the target {n}",
                column.name,
                column.values.len()
            )));
        }
    }
    if data.day_of_year.len() != n {
        return Err(MmmError::Data(
            "day_of_year must have one value per row".into(),
        ));
    }
    Ok(())
}

/// Every value is a finite number and no channel has negative spend.
fn check_column_values(data: &Data) -> Result<(), MmmError> {
    for (name, values) in std::iter::once(("target", &data.target))
        .chain(data.channels.iter().map(|c| (c.name.as_str(), &c.values)))
        .chain(data.controls.iter().map(|c| (c.name.as_str(), &c.values)))
    {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(MmmError::Data(format!(
                "column {name}, row {}: not a finite number",
                i + 1
            )));
        }
    }
    for c in &data.channels {
        if let Some(i) = c.values.iter().position(|v| *v < 0.0) {
            return Err(MmmError::Data(format!(
                "channel {}, row {}: negative spend {}",
                c.name,
                i + 1,
                c.values[i]
            )));
        }
    }
    Ok(())
}

/// The hold-out leaves enough rows to fit, and the priors match the adstock and saturation.
fn check_spec_fits_data(spec: &ModelSpec, n_rows: usize) -> Result<(), MmmError> {
    if spec.holdout + MIN_FITTED_ROWS > n_rows {
        return Err(MmmError::Data(format!(
            "a hold-out of {} leaves fewer than 8 rows to fit",
            spec.holdout
        )));
    }
    if spec.priors.adstock.len() != spec.adstock.parameter_names().len()
        || spec.priors.saturation.len() != spec.saturation.parameter_names().len()
    {
        return Err(MmmError::Data(
            "the adstock and saturation priors must match their parameters".into(),
        ));
    }
    Ok(())
}

/// The largest absolute value among the fitted rows.
fn max_abs_of_fitted_rows(values: &[f64], n_train: usize) -> f64 {
    values[..n_train].iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// The target and the channels divided by their largest absolute value over the fitted rows
/// (PyMC-Marketing's max-abs scaling), and each channel's spend over those rows.
struct ScaledData {
    y_max: f64,
    y: Vec<f64>,
    x_max: Vec<f64>,
    x: Vec<Vec<f64>>,
    spend_train: Vec<f64>,
}

impl ScaledData {
    fn new(data: &Data, n_train: usize) -> Result<Self, MmmError> {
        let y_max = max_abs_of_fitted_rows(&data.target, n_train);
        if y_max == 0.0 {
            return Err(MmmError::Data(
                "the target is zero in every fitted row".into(),
            ));
        }
        let y = data.target.iter().map(|v| v / y_max).collect();
        let mut x_max = Vec::new();
        let mut x = Vec::new();
        let mut spend_train = Vec::new();
        for c in &data.channels {
            let m = max_abs_of_fitted_rows(&c.values, n_train);
            if m == 0.0 {
                return Err(MmmError::Data(format!(
                    "channel {} has no spend in the fitted rows: drop it",
                    c.name
                )));
            }
            x_max.push(m);
            x.push(c.values.iter().map(|v| v / m).collect());
            spend_train.push(c.values[..n_train].iter().sum());
        }
        Ok(ScaledData {
            y_max,
            y,
            x_max,
            x,
            spend_train,
        })
    }
}

/// The control columns followed by yearly Fourier columns (`sin_order_k`, `cos_order_k` for
/// `k = 1 … order`), with their names.
pub(crate) fn controls_and_fourier(
    data: &Data,
    yearly_seasonality: usize,
) -> (Vec<Vec<f64>>, Vec<String>) {
    let mut columns: Vec<Vec<f64>> = data.controls.iter().map(|c| c.values.clone()).collect();
    let mut names: Vec<String> = data.controls.iter().map(|c| c.name.clone()).collect();
    for k in 1..=yearly_seasonality {
        for (kind, f) in [("sin", f64::sin as fn(f64) -> f64), ("cos", f64::cos)] {
            columns.push(
                data.day_of_year
                    .iter()
                    .map(|d| f(2.0 * std::f64::consts::PI * k as f64 * d / 365.25))
                    .collect(),
            );
            names.push(format!("{kind}_order_{k}"));
        }
    }
    (columns, names)
}

/// Each lift test with the index of its channel, once its channel and sigma are checked.
fn lift_tests_by_channel(
    data: &Data,
    lift_tests: &[LiftTest],
) -> Result<Vec<(usize, LiftTest)>, MmmError> {
    let mut lift = Vec::new();
    for test in lift_tests {
        let Some(c) = data.channels.iter().position(|c| c.name == test.channel) else {
            return Err(MmmError::Data(format!(
                "lift test for unknown channel {}",
                test.channel
            )));
        };
        if test.sigma <= 0.0 {
            return Err(MmmError::Data(format!(
                "lift test for {}: sigma must be positive",
                test.channel
            )));
        }
        lift.push((c, test.clone()));
    }
    Ok(lift)
}

fn check_roi_priors_name_channels(data: &Data, priors: &Priors) -> Result<(), MmmError> {
    for (name, _) in &priors.roi {
        if !data.channels.iter().any(|c| &c.name == name) {
            return Err(MmmError::Data(format!(
                "ROI prior for unknown channel {name}"
            )));
        }
    }
    Ok(())
}

/// Where each parameter sits in the parameter vector: per channel β (or ROI), adstock…,
/// saturation…; then the intercept, the control and Fourier coefficients, and σ.
struct ParameterLayout {
    parameters: Vec<Parameter>,
    channel_start: Vec<usize>,
    roi_channel: Vec<bool>,
    intercept_index: usize,
    z_start: usize,
    sigma_index: usize,
}

impl ParameterLayout {
    fn new(data: &Data, spec: &ModelSpec, z_names: &[String]) -> Self {
        let mut layout = ParameterLayout {
            parameters: Vec::new(),
            channel_start: Vec::new(),
            roi_channel: Vec::new(),
            intercept_index: 0,
            z_start: 0,
            sigma_index: 0,
        };
        for (c, channel) in data.channels.iter().enumerate() {
            layout.push_channel(spec, c, &channel.name);
        }
        layout.intercept_index = layout.parameters.len();
        layout.push("intercept".into(), Role::Intercept, spec.priors.intercept);
        layout.z_start = layout.parameters.len();
        let n_controls = data.controls.len();
        for (k, name) in z_names.iter().enumerate() {
            if k < n_controls {
                layout.push(
                    format!("gamma_control[{name}]"),
                    Role::Control(k),
                    spec.priors.control,
                );
            } else {
                layout.push(
                    format!("gamma_fourier[{name}]"),
                    Role::Fourier(k - n_controls),
                    spec.priors.fourier,
                );
            }
        }
        layout.sigma_index = layout.parameters.len();
        layout.push("y_sigma".into(), Role::Sigma, spec.priors.sigma);
        layout
    }

    /// Channel `c`'s β (or ROI), adstock and saturation parameters.
    fn push_channel(&mut self, spec: &ModelSpec, c: usize, channel_name: &str) {
        self.channel_start.push(self.parameters.len());
        let roi = spec.priors.roi.iter().find(|(n, _)| n == channel_name);
        self.roi_channel.push(roi.is_some());
        match roi {
            Some((_, prior)) => self.push(format!("roi[{channel_name}]"), Role::Roi(c), *prior),
            None => self.push(
                format!("saturation_beta[{channel_name}]"),
                Role::Beta(c),
                spec.priors.beta,
            ),
        }
        for (j, p) in spec.adstock.parameter_names().iter().enumerate() {
            self.push(
                format!("adstock_{p}[{channel_name}]"),
                Role::Adstock(c, j),
                spec.priors.adstock[j],
            );
        }
        for (j, p) in spec.saturation.parameter_names().iter().enumerate() {
            self.push(
                format!("saturation_{p}[{channel_name}]"),
                Role::Saturation(c, j),
                spec.priors.saturation[j],
            );
        }
    }

    fn push(&mut self, name: String, role: Role, prior: Prior) {
        self.parameters.push(Parameter {
            name,
            role,
            support: prior.support(),
            prior,
        });
    }
}

impl Prepared {
    /// Checks the data against the spec, scales it, adds the Fourier columns and lays out the
    /// parameters.
    pub fn new(data: Data, spec: ModelSpec) -> Result<Self, MmmError> {
        check_column_shapes(&data)?;
        check_column_values(&data)?;
        check_spec_fits_data(&spec, data.target.len())?;
        let n_rows = data.target.len();
        let n_train = n_rows - spec.holdout;
        let scaled = ScaledData::new(&data, n_train)?;
        let (z, z_names) = controls_and_fourier(&data, spec.yearly_seasonality);
        let lift = lift_tests_by_channel(&data, &spec.lift_tests)?;
        check_roi_priors_name_channels(&data, &spec.priors)?;
        let layout = ParameterLayout::new(&data, &spec, &z_names);
        Ok(Prepared {
            n_rows,
            n_train,
            y_max: scaled.y_max,
            y: scaled.y,
            x_max: scaled.x_max,
            x: scaled.x,
            spend_train: scaled.spend_train,
            z,
            z_names,
            n_controls: data.controls.len(),
            parameters: layout.parameters,
            channel_start: layout.channel_start,
            roi_channel: layout.roi_channel,
            lift,
            intercept_index: layout.intercept_index,
            z_start: layout.z_start,
            sigma_index: layout.sigma_index,
            spec,
            data,
        })
    }

    /// How many parameters the model has.
    pub fn dim(&self) -> usize {
        self.parameters.len()
    }

    /// How many parameters the adstock has.
    pub fn n_adstock(&self) -> usize {
        self.spec.adstock.parameter_names().len()
    }

    /// How many parameters the saturation has.
    pub fn n_saturation(&self) -> usize {
        self.spec.saturation.parameter_names().len()
    }

    /// Constrained parameters from an unconstrained position.
    pub fn constrain(&self, u: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(u)
            .map(|(p, &u)| p.support.forward(u).0)
            .collect()
    }

    /// The unconstrained position of constrained parameters.
    pub fn unconstrain(&self, theta: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(theta)
            .map(|(p, &x)| p.support.inverse(x))
            .collect()
    }

    /// A starting point: every parameter at its prior's centre.
    pub fn center(&self) -> Vec<f64> {
        self.parameters.iter().map(|p| p.prior.center()).collect()
    }

    /// Channel c's adstocked series (scaled units), its saturated series and its adstock weights.
    pub fn channel_curve(&self, theta: &[f64], c: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let start = self.channel_start[c] + 1;
        let na = self.n_adstock();
        let w = self.spec.adstock.weights(&theta[start..start + na]);
        let a = Adstock::apply(&w, &self.x[c]);
        let sat = self.saturation_params(theta, c);
        let s = a
            .iter()
            .map(|&a| self.spec.saturation.eval(a, sat))
            .collect();
        (a, s, w)
    }

    /// Channel c's saturation parameters within `theta`.
    pub fn saturation_params<'a>(&self, theta: &'a [f64], c: usize) -> &'a [f64] {
        let start = self.channel_start[c] + 1 + self.n_adstock();
        &theta[start..start + self.n_saturation()]
    }

    /// β of every channel (derived from ROI where the channel has an ROI prior), given the
    /// channels' saturated series.
    pub fn betas(&self, theta: &[f64], curves: &[Vec<f64>]) -> Vec<f64> {
        (0..self.x.len())
            .map(|c| {
                let v = theta[self.channel_start[c]];
                if self.roi_channel[c] {
                    let s: f64 = curves[c][..self.n_train].iter().sum();
                    v * self.spend_train[c] / (self.y_max * s.max(1e-300))
                } else {
                    v
                }
            })
            .collect()
    }

    /// The log posterior (up to a constant) at unconstrained `u`, with its gradient.
    pub fn logp(&self, u: &[f64], grad: &mut [f64]) -> f64 {
        let mut total = LogPosterior {
            logp: 0.0,
            gradient: vec![0.0; self.dim()],
        };
        let (theta, dtheta) = self.constrain_with_jacobian(u, grad, &mut total);
        self.add_priors(&theta, &mut total);
        let channels: Vec<ChannelTerms> = (0..self.x.len())
            .map(|c| self.channel_terms(&theta, c))
            .collect();
        let mu = self.expected_scaled_outcome(&theta, &channels);
        let residuals = self.add_likelihood(&theta, &mu, &mut total);
        for (c, channel) in channels.iter().enumerate() {
            self.add_channel_gradient(&theta, c, channel, &residuals, &mut total);
        }
        // From the constrained parameters to the unconstrained position.
        for i in 0..self.dim() {
            grad[i] += total.gradient[i] * dtheta[i];
        }
        total.logp
    }
}

/// The log posterior as it is summed up, and its gradient with respect to the constrained
/// parameters.
struct LogPosterior {
    logp: f64,
    gradient: Vec<f64>,
}

/// One channel's terms in the expected outcome over the fitted rows, with what the gradient
/// needs: the saturated series `s_t`, `ds/da_t`, `ds/dφ_t` (saturation parameters), `da/dθ_t`
/// (adstock parameters), and the sum of the adstock weights with its derivatives.
struct ChannelTerms {
    beta: f64,
    s: Vec<f64>,
    ds_da: Vec<f64>,
    ds_dphi: Vec<[f64; 2]>,
    da: Vec<[f64; 2]>,
    weight_sum: f64,
    dweight_sum: [f64; 2],
}

/// The derivatives of the log posterior with respect to one channel's β (held fixed),
/// saturation parameters φ and adstock parameters θ, and the sums `dS/dφ_j`, `dS/dθ_j` that β
/// depends on when it is derived from an ROI.
struct ChannelGradient {
    beta: f64,
    saturation: [f64; 2],
    adstock: [f64; 2],
    saturated_sum_by_saturation: [f64; 2],
    saturated_sum_by_adstock: [f64; 2],
}

impl Prepared {
    /// The constrained parameters and their derivatives with respect to `u`; adds the log
    /// Jacobian to `total` and writes its derivative into `grad`.
    fn constrain_with_jacobian(
        &self,
        u: &[f64],
        grad: &mut [f64],
        total: &mut LogPosterior,
    ) -> (Vec<f64>, Vec<f64>) {
        let dim = self.dim();
        let mut theta = vec![0.0; dim];
        let mut dtheta = vec![0.0; dim];
        for (i, p) in self.parameters.iter().enumerate() {
            let (x, dx, jac, djac) = p.support.forward(u[i]);
            theta[i] = x;
            dtheta[i] = dx;
            total.logp += jac;
            grad[i] = djac;
        }
        (theta, dtheta)
    }

    fn add_priors(&self, theta: &[f64], total: &mut LogPosterior) {
        for (i, p) in self.parameters.iter().enumerate() {
            let (lp, dlp) = p.prior.logp(theta[i]);
            total.logp += lp;
            total.gradient[i] += dlp;
        }
    }

    /// Channel `c`'s adstocked and saturated series over the fitted rows, with derivatives.
    fn channel_terms(&self, theta: &[f64], c: usize) -> ChannelTerms {
        let n = self.n_train;
        let na = self.n_adstock();
        let ns = self.n_saturation();
        let start = self.channel_start[c] + 1;
        let params: Vec<Dual<2>> = (0..na)
            .map(|j| Dual::variable(theta[start + j], j))
            .collect();
        let w = self.spec.adstock.weights(&params);
        let sat = &theta[start + na..start + na + ns];
        let x = &self.x[c];
        let mut s = vec![0.0; n];
        let mut ds_da = vec![0.0; n];
        let mut ds_dphi = vec![[0.0; 2]; n];
        let mut da = vec![[0.0; 2]; n];
        for t in 0..n {
            let mut a = 0.0;
            let mut d = [0.0; 2];
            for (l, wl) in w.iter().enumerate().take(t + 1) {
                let xv = x[t - l];
                a += wl.v * xv;
                d[0] += wl.d[0] * xv;
                d[1] += wl.d[1] * xv;
            }
            let r = self.spec.saturation.eval_grad(a, sat);
            s[t] = r.v;
            ds_da[t] = r.d[0];
            ds_dphi[t] = [r.d[1], r.d[2]];
            da[t] = d;
        }
        let weight_sum = w.iter().map(|x| x.v).sum();
        let dweight_sum = [
            w.iter().map(|x| x.d[0]).sum(),
            w.iter().map(|x| x.d[1]).sum(),
        ];
        let v = theta[self.channel_start[c]];
        let beta = if self.roi_channel[c] {
            let total: f64 = s.iter().sum();
            v * self.spend_train[c] / (self.y_max * total.max(1e-300))
        } else {
            v
        };
        ChannelTerms {
            beta,
            s,
            ds_da,
            ds_dphi,
            da,
            weight_sum,
            dweight_sum,
        }
    }

    /// `μ_t` over the fitted rows: intercept, controls and Fourier terms, then the channels.
    fn expected_scaled_outcome(&self, theta: &[f64], channels: &[ChannelTerms]) -> Vec<f64> {
        let n = self.n_train;
        let mut mu = vec![theta[self.intercept_index]; n];
        for (k, col) in self.z.iter().enumerate() {
            let gamma = theta[self.z_start + k];
            for t in 0..n {
                mu[t] += gamma * col[t];
            }
        }
        for channel in channels {
            for t in 0..n {
                mu[t] += channel.beta * channel.s[t];
            }
        }
        mu
    }

    /// Adds the normal likelihood of the scaled target and its gradient with respect to σ, the
    /// intercept and the control and Fourier coefficients; returns the residuals over σ², which
    /// the channels' gradients need.
    fn add_likelihood(&self, theta: &[f64], mu: &[f64], total: &mut LogPosterior) -> Vec<f64> {
        let n = self.n_train;
        let sigma = theta[self.sigma_index];
        let mut ss = 0.0;
        let mut r = vec![0.0; n];
        for t in 0..n {
            let e = self.y[t] - mu[t];
            ss += e * e;
            r[t] = e / (sigma * sigma);
        }
        total.logp += -(n as f64) * sigma.ln() - 0.5 * ss / (sigma * sigma);
        let g = &mut total.gradient;
        g[self.sigma_index] += -(n as f64) / sigma + ss / (sigma * sigma * sigma);
        g[self.intercept_index] += r.iter().sum::<f64>();
        for (k, col) in self.z.iter().enumerate() {
            g[self.z_start + k] += (0..n).map(|t| r[t] * col[t]).sum::<f64>();
        }
        r
    }

    /// Adds the gradient with respect to channel `c`'s parameters, and its lift tests' terms.
    fn add_channel_gradient(
        &self,
        theta: &[f64],
        c: usize,
        ch: &ChannelTerms,
        r: &[f64],
        total: &mut LogPosterior,
    ) {
        let na = self.n_adstock();
        let ns = self.n_saturation();
        let start = self.channel_start[c];
        let mut gradient = likelihood_gradient(ch, r, self.n_train);
        let sat = &theta[start + 1 + na..start + 1 + na + ns];
        self.add_lift_tests(c, ch, sat, &mut gradient, total);
        let g = &mut total.gradient;
        let (g_beta, mut g_phi, mut g_ad) = (gradient.beta, gradient.saturation, gradient.adstock);
        if self.roi_channel[c] {
            let saturated_total: f64 = ch.s.iter().sum();
            let roi = theta[start];
            g[start] += g_beta * ch.beta / roi;
            for j in 0..2 {
                g_phi[j] +=
                    g_beta * (-ch.beta / saturated_total) * gradient.saturated_sum_by_saturation[j];
                g_ad[j] +=
                    g_beta * (-ch.beta / saturated_total) * gradient.saturated_sum_by_adstock[j];
            }
        } else {
            g[start] += g_beta;
        }
        for j in 0..na {
            g[start + 1 + j] += g_ad[j];
        }
        for j in 0..ns {
            g[start + 1 + na + j] += g_phi[j];
        }
    }

    /// Adds the normal likelihood of channel `c`'s lift tests (the modelled change of outcome
    /// per period at a steady spend against the measured one) and its gradient.
    fn add_lift_tests(
        &self,
        c: usize,
        ch: &ChannelTerms,
        sat: &[f64],
        gradient: &mut ChannelGradient,
        total: &mut LogPosterior,
    ) {
        for (_, test) in self.lift.iter().filter(|(lc, _)| *lc == c) {
            let scale = ch.weight_sum / self.x_max[c];
            let (x0, x1) = (test.spend, test.spend + test.delta_spend);
            let s0 = self.spec.saturation.eval_grad(x0 * scale, sat);
            let s1 = self.spec.saturation.eval_grad(x1 * scale, sat);
            let model = self.y_max * ch.beta * (s1.v - s0.v);
            let e = test.delta_outcome - model;
            let q = e / (test.sigma * test.sigma);
            total.logp += -0.5 * e * e / (test.sigma * test.sigma);
            gradient.beta += q * self.y_max * (s1.v - s0.v);
            for j in 0..2 {
                gradient.saturation[j] += q * self.y_max * ch.beta * (s1.d[j + 1] - s0.d[j + 1]);
                gradient.adstock[j] += q * self.y_max * ch.beta * (s1.d[0] * x1 - s0.d[0] * x0)
                    / self.x_max[c]
                    * ch.dweight_sum[j];
            }
        }
    }
}

/// The likelihood's gradient with respect to one channel's parameters, with β held fixed.
fn likelihood_gradient(ch: &ChannelTerms, r: &[f64], n: usize) -> ChannelGradient {
    let mut g_beta = 0.0;
    let mut g_phi = [0.0; 2];
    let mut g_ad = [0.0; 2];
    let mut ds_phi = [0.0; 2];
    let mut ds_ad = [0.0; 2];
    for t in 0..n {
        g_beta += r[t] * ch.s[t];
        for j in 0..2 {
            g_phi[j] += r[t] * ch.ds_dphi[t][j];
            ds_phi[j] += ch.ds_dphi[t][j];
            let chain = ch.ds_da[t] * ch.da[t][j];
            g_ad[j] += r[t] * chain;
            ds_ad[j] += chain;
        }
    }
    for j in 0..2 {
        g_phi[j] *= ch.beta;
        g_ad[j] *= ch.beta;
    }
    ChannelGradient {
        beta: g_beta,
        saturation: g_phi,
        adstock: g_ad,
        saturated_sum_by_saturation: ds_phi,
        saturated_sum_by_adstock: ds_ad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate;
    use crate::transform::AdstockKind;

    /// The analytic gradient against central finite differences, for every adstock and
    /// saturation, with an ROI prior and a lift test in play.
    #[test]
    fn the_gradient_matches_finite_differences() {
        let sim = simulate::pymc_example(3, 1.0);
        for kind in [
            AdstockKind::Geometric,
            AdstockKind::WeibullCdf,
            AdstockKind::WeibullPdf,
        ] {
            for saturation in [
                Saturation::Logistic,
                Saturation::Hill,
                Saturation::MichaelisMenten,
            ] {
                for normalize in [true, false] {
                    let adstock = Adstock {
                        kind,
                        l_max: 8,
                        normalize,
                    };
                    let mut priors = Priors::defaults(&adstock, saturation);
                    priors.roi = vec![(
                        "x2".into(),
                        Prior::LogNormal {
                            mu: 0.0,
                            sigma: 1.0,
                        },
                    )];
                    let spec = ModelSpec {
                        adstock,
                        saturation,
                        yearly_seasonality: 2,
                        holdout: 10,
                        priors,
                        lift_tests: vec![
                            LiftTest {
                                channel: "x1".into(),
                                spend: 0.3,
                                delta_spend: 0.2,
                                delta_outcome: 0.4,
                                sigma: 0.1,
                            },
                            LiftTest {
                                channel: "x2".into(),
                                spend: 0.2,
                                delta_spend: 0.3,
                                delta_outcome: 0.3,
                                sigma: 0.2,
                            },
                        ],
                    };
                    let model = Prepared::new(sim.data.clone(), spec).unwrap();
                    let u: Vec<f64> = model
                        .unconstrain(&model.center())
                        .iter()
                        .enumerate()
                        .map(|(i, u)| u + 0.1 * ((i * 7 % 5) as f64 - 2.0) + 0.013)
                        .collect();
                    let mut grad = vec![0.0; model.dim()];
                    let lp = model.logp(&u, &mut grad);
                    assert!(lp.is_finite());
                    let mut scratch = vec![0.0; model.dim()];
                    for i in 0..model.dim() {
                        let h = 1e-6;
                        let mut up = u.clone();
                        up[i] += h;
                        let mut down = u.clone();
                        down[i] -= h;
                        let numeric = (model.logp(&up, &mut scratch)
                            - model.logp(&down, &mut scratch))
                            / (2.0 * h);
                        let tolerance = 1e-5 * (1.0 + numeric.abs());
                        assert!(
                            (grad[i] - numeric).abs() < tolerance,
                            "{kind:?} {saturation:?} normalize={normalize} {}: analytic {} numeric {numeric}",
                            model.parameters[i].name,
                            grad[i]
                        );
                    }
                }
            }
        }
    }
}
