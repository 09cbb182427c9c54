//! Initial-value problems `y' = f(t, y)`: an adaptive explicit Runge–Kutta integrator.
//!
//! The method is Dormand and Prince's 5(4) pair (DOPRI5; Hairer, Nørsett and Wanner, *Solving
//! Ordinary Differential Equations I*, 2nd ed., section II.5, table 5.2): seven stages, the
//! fifth-order solution is propagated (local extrapolation) and the embedded fourth-order one
//! only estimates the error. The last stage is `f` at the new point, so an accepted step
//! reuses it as the next step's first stage ("first same as last", six evaluations a step).
//!
//! **Error control** (HNW II.4). With `sc_i = atol + rtol max(|y_i|, |y_new_i|)`, the step's
//! error is the root mean square `err = sqrt(1/n sum_i (est_i / sc_i)^2)` of the embedded
//! estimate `est = h sum_j e_j k_j`; a step is accepted when `err <= 1`.
//!
//! **Step size.** A PI controller (HNW II.4, eq. 4.13, as in their code `DOPRI5`):
//! `h_new = h / clamp(err^(1/5 - 0.75 beta) / err_old^beta / 0.9, 1/10, 5)` with `beta = 0.04`:
//! the integral part damps the oscillation between accepted and rejected steps that the plain
//! controller shows where the step is stability-limited. After a rejection the step may not
//! grow. The first step is HNW's estimate (II.4, "starting step size"): from `|f(t0, y0)|` and a
//! difference quotient of `f`, the `h` whose local error would be about `0.01` of a tolerance.
//!
//! **Dense output.** Each accepted step also gives the continuous fourth-order extension of
//! Dormand and Prince (HNW II.6, as in `DOPRI5`'s `CONTD5`): with `theta = (t - t_old) / h`,
//! `y(t) = r1 + theta (r2 + (1 - theta) (r3 + theta (r4 + (1 - theta) r5)))`, so output at many
//! times costs no extra steps ([`integrate_to_times`], [`DenseStep::interpolate`]).
//!
//! Integration runs forward only (`t_end >= t0`). No allocation happens per call: the caller
//! supplies an [`OdeWorkspace`] sized for the system and may reuse it across calls.

/// Options of the integrators.
#[derive(Clone, Debug, PartialEq)]
pub struct OdeOptions {
    /// Relative tolerance per component. Default `1e-8`: eight digits, well above round-off
    /// for the fifth-order method (whose steps grow as `tol^(1/5)`), and finer than any
    /// measured rate constant. Must be non-negative and finite.
    pub rtol: f64,
    /// Absolute tolerance per component, the floor for components near zero. Default `1e-10`,
    /// for states of order one (conversions, dimensionless extents). Must be positive and
    /// finite.
    pub atol: f64,
    /// First step size; `None` (the default) estimates it by HNW's algorithm. Must be positive
    /// and finite when given.
    pub h_init: Option<f64>,
    /// Largest step size. Default infinity (no limit); set it when `f` has features narrower
    /// than the step the error estimate would allow (a pulse the stages could step over).
    /// Must be positive.
    pub h_max: f64,
    /// Most step attempts, accepted and rejected. Default `100_000`: a smooth problem needs
    /// tens to hundreds; a stiff one, where an explicit method is the wrong tool, then stops
    /// with [`OdeError::TooManySteps`] instead of running for minutes.
    pub max_steps: usize,
}

impl Default for OdeOptions {
    fn default() -> Self {
        OdeOptions { rtol: 1e-8, atol: 1e-10, h_init: None, h_max: f64::INFINITY, max_steps: 100_000 }
    }
}

/// What an integration did.
#[derive(Clone, Debug, PartialEq)]
pub struct OdeReport {
    /// The time the state belongs to on return: `t_end`, or where a callback stopped.
    pub t: f64,
    /// Accepted steps.
    pub steps: usize,
    /// Rejected steps (error too large, or a stage with a non-finite derivative).
    pub rejected: usize,
    /// Evaluations of `f`.
    pub evaluations: usize,
}

/// Everything the integrators can refuse or fail at.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OdeError {
    /// `f` returned NaN or an infinity at an accepted point, or at a trial point that stayed
    /// non-finite as the step shrank to nothing.
    #[error("derivative of component {component} is not finite at t = {t} (step {step})")]
    NonFinite {
        /// Where `f` was evaluated.
        t: f64,
        /// Accepted steps before it.
        step: usize,
        /// The offending component.
        component: usize,
    },
    /// The error test asked for a step below round-off of `t`: a singularity or a blow-up.
    #[error("step size {h:e} underflows at t = {t} (step {step})")]
    StepSizeUnderflow {
        /// The time reached.
        t: f64,
        /// The step size asked for.
        h: f64,
        /// Accepted steps before it.
        step: usize,
    },
    /// `max_steps` attempts did not reach `t_end`; a stiff problem, usually.
    #[error("{steps} steps did not reach the end: stopped at t = {t}")]
    TooManySteps {
        /// The time reached.
        t: f64,
        /// Steps attempted (equal to `max_steps`).
        steps: usize,
    },
    /// Options, times or lengths that cannot be integrated as given.
    #[error("invalid integrator input: {0}")]
    InvalidInput(String),
}

/// Work vectors of the integrators for systems of one size; reuse it across calls.
#[derive(Clone, Debug)]
pub struct OdeWorkspace {
    n: usize,
    k: [Vec<f64>; 7],
    y_new: Vec<f64>,
    // The five dense-output coefficient vectors r1..r5, one after another.
    dense: Vec<f64>,
}

impl OdeWorkspace {
    /// A workspace for systems of `n` equations.
    pub fn new(n: usize) -> Self {
        OdeWorkspace { n, k: std::array::from_fn(|_| vec![0.0; n]), y_new: vec![0.0; n], dense: vec![0.0; 5 * n] }
    }

    /// The system size it was made for.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether it was made for an empty system.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// One accepted step, as the callback of [`integrate_dense`] sees it.
#[derive(Debug)]
pub struct DenseStep<'a> {
    t_old: f64,
    t_new: f64,
    h: f64,
    y: &'a [f64],
    dense: &'a [f64],
}

impl DenseStep<'_> {
    /// Start of the step.
    pub fn t_old(&self) -> f64 {
        self.t_old
    }

    /// End of the step, the time [`DenseStep::y`] belongs to.
    pub fn t(&self) -> f64 {
        self.t_new
    }

    /// The state at the end of the step.
    pub fn y(&self) -> &[f64] {
        self.y
    }

    /// The dense-output state at `t` into `out` (fourth order, continuous across steps).
    /// Meant for `t` in `[t_old, t]`; outside it, it extrapolates.
    pub fn interpolate(&self, t: f64, out: &mut [f64]) {
        let n = self.y.len();
        let theta = (t - self.t_old) / self.h;
        let theta1 = 1.0 - theta;
        for (i, o) in out.iter_mut().enumerate().take(n) {
            let r = |j: usize| self.dense[j * n + i];
            *o = r(0) + theta * (r(1) + theta1 * (r(2) + theta * (r(3) + theta1 * r(4))));
        }
    }
}

// Dormand–Prince 5(4) tableau (HNW I, table II.5.2).
const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;
const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
const A71: f64 = 35.0 / 384.0;
const A73: f64 = 500.0 / 1113.0;
const A74: f64 = 125.0 / 192.0;
const A75: f64 = -2187.0 / 6784.0;
const A76: f64 = 11.0 / 84.0;
// Fifth- minus fourth-order weights: the error estimate.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;
// Dense output (HNW's DOPRI5, after Shampine 1986).
const D1: f64 = -12715105075.0 / 11282082432.0;
const D3: f64 = 87487479700.0 / 32700410799.0;
const D4: f64 = -10690763975.0 / 1880347072.0;
const D5: f64 = 701980252875.0 / 199316789632.0;
const D6: f64 = -1453857185.0 / 822651844.0;
const D7: f64 = 69997945.0 / 29380423.0;

// Step-size controller constants of HNW's DOPRI5: safety factor, the limits of the change per
// step (at most x10 bigger, x5 smaller) and the PI controller's beta.
const SAFETY: f64 = 0.9;
const FAC_MIN: f64 = 0.2;
const FAC_MAX: f64 = 10.0;
const BETA: f64 = 0.04;

/// Integrates `y' = f(t, y)` from `t0` to `t_end`; `y` holds the initial state on entry and
/// the state at `t_end` on return.
///
/// `f(t, y, dydt)` writes the derivative into `dydt`.
///
/// # Errors
/// [`OdeError::InvalidInput`] for bad options, `t_end < t0` or a workspace of another size;
/// [`OdeError::NonFinite`], [`OdeError::StepSizeUnderflow`], [`OdeError::TooManySteps`] as
/// documented there. On error `y` holds the last accepted state.
pub fn integrate<F>(
    f: F,
    t0: f64,
    y: &mut [f64],
    t_end: f64,
    opts: &OdeOptions,
    ws: &mut OdeWorkspace,
) -> Result<OdeReport, OdeError>
where
    F: FnMut(f64, &[f64], &mut [f64]),
{
    integrate_dense(f, t0, y, t_end, opts, ws, |_| true)
}

/// Integrates from `t0` through the non-decreasing `times` (each `>= t0`), writing the state
/// at each into `out`, row-major (`out[i * n..(i + 1) * n]` for `times[i]`), from the dense
/// output: the steps are the ones the error control chooses, not shortened to land on the
/// times. `y` ends at the last time.
///
/// # Errors
/// As [`integrate`], and [`OdeError::InvalidInput`] for unsorted times, times before `t0` or
/// `out.len() != times.len() * n`.
pub fn integrate_to_times<F>(
    f: F,
    t0: f64,
    y: &mut [f64],
    times: &[f64],
    out: &mut [f64],
    opts: &OdeOptions,
    ws: &mut OdeWorkspace,
) -> Result<OdeReport, OdeError>
where
    F: FnMut(f64, &[f64], &mut [f64]),
{
    let n = y.len();
    if out.len() != times.len() * n {
        return Err(OdeError::InvalidInput(format!(
            "output has {} values for {} times of {n} components",
            out.len(),
            times.len()
        )));
    }
    if times.iter().any(|t| !t.is_finite()) || times.windows(2).any(|w| w[1] < w[0]) {
        return Err(OdeError::InvalidInput("output times must be finite and non-decreasing".into()));
    }
    let Some(&t_end) = times.last() else {
        return Ok(OdeReport { t: t0, steps: 0, rejected: 0, evaluations: 0 });
    };
    if times[0] < t0 {
        return Err(OdeError::InvalidInput(format!("output time {} is before the start {t0}", times[0])));
    }
    // Times at the start are the initial state; the callback only sees times inside steps.
    let mut next = times.iter().take_while(|&&t| t == t0).count();
    for row in out.chunks_exact_mut(n.max(1)).take(next) {
        row.copy_from_slice(y);
    }
    let report = integrate_dense(f, t0, y, t_end, opts, ws, |step| {
        while next < times.len() && times[next] <= step.t() {
            let row = &mut out[next * n..(next + 1) * n];
            // The step's own end is exact; interpolating there would only add round-off.
            if times[next] == step.t() {
                row.copy_from_slice(step.y())
            } else {
                step.interpolate(times[next], row)
            }
            next += 1;
        }
        true
    })?;
    Ok(report)
}

/// Integrates from `t0` towards `t_end`, calling `on_step` after every accepted step; the
/// integration stops early (with `y` and the report's `t` at that step's end) when it returns
/// `false`. This is the building block of the other two: events, output at times the caller
/// computes, quadratures riding along.
///
/// # Errors
/// As [`integrate`].
pub fn integrate_dense<F, C>(
    mut f: F,
    t0: f64,
    y: &mut [f64],
    t_end: f64,
    opts: &OdeOptions,
    ws: &mut OdeWorkspace,
    mut on_step: C,
) -> Result<OdeReport, OdeError>
where
    F: FnMut(f64, &[f64], &mut [f64]),
    C: FnMut(&DenseStep<'_>) -> bool,
{
    validate(t0, y.len(), t_end, opts, ws)?;
    let mut report = OdeReport { t: t0, steps: 0, rejected: 0, evaluations: 0 };
    if t_end == t0 || y.is_empty() {
        report.t = t_end;
        return Ok(report);
    }
    f(t0, y, &mut ws.k[0]);
    report.evaluations += 1;
    if let Some(component) = ws.k[0].iter().position(|v| !v.is_finite()) {
        return Err(OdeError::NonFinite { t: t0, step: 0, component });
    }
    let mut h = match opts.h_init {
        Some(h) => h,
        None => initial_step(&mut f, t0, y, opts, ws, &mut report),
    };
    h = h.min(opts.h_max).min(t_end - t0);
    let mut t = t0;
    let mut err_old: f64 = 1e-4;
    let mut after_reject = false;
    loop {
        if report.steps + report.rejected >= opts.max_steps {
            return Err(OdeError::TooManySteps { t, steps: report.steps + report.rejected });
        }
        // Stretch a step that would leave a sliver before the end, so the end is hit exactly.
        let last = t + 1.01 * h >= t_end;
        if last {
            h = t_end - t;
        }
        if underflows(h, t) {
            return Err(OdeError::StepSizeUnderflow { t, h, step: report.steps });
        }
        if let Some(component) = stages(&mut f, t, h, y, ws, &mut report) {
            // A trial point outside `f`'s domain (a stage overshooting a limit): shrink the step.
            report.rejected += 1;
            after_reject = true;
            h *= 0.1;
            if underflows(h, t) {
                return Err(OdeError::NonFinite { t, step: report.steps, component });
            }
            continue;
        }
        let err = error_norm(h, y, opts, ws);
        // err^(1/5 - 0.75 beta): the proportional part of the controller.
        let fac11 = err.powf(0.2 - BETA * 0.75);
        if err <= 1.0 {
            let mut fac = (fac11 / err_old.powf(BETA) / SAFETY).clamp(1.0 / FAC_MAX, 1.0 / FAC_MIN);
            if after_reject {
                fac = fac.max(1.0);
            }
            err_old = err.max(1e-4);
            accept(h, y, ws);
            report.steps += 1;
            let t_old = t;
            t = if last { t_end } else { t + h };
            report.t = t;
            let step = DenseStep { t_old, t_new: t, h, y, dense: &ws.dense };
            if !on_step(&step) || last {
                return Ok(report);
            }
            h = (h / fac).min(opts.h_max);
            after_reject = false;
        } else {
            report.rejected += 1;
            after_reject = true;
            h /= (fac11 / SAFETY).min(1.0 / FAC_MIN);
        }
    }
}

/// Whether step `h` at `t` is too small to change `t` meaningfully (or is NaN).
fn underflows(h: f64, t: f64) -> bool {
    h.is_nan() || h <= 10.0 * f64::EPSILON * t.abs().max(f64::MIN_POSITIVE)
}

fn validate(t0: f64, n: usize, t_end: f64, o: &OdeOptions, ws: &OdeWorkspace) -> Result<(), OdeError> {
    let invalid = |msg: String| Err(OdeError::InvalidInput(msg));
    if !(t0.is_finite() && t_end.is_finite()) || t_end < t0 {
        return invalid(format!("cannot integrate from {t0} to {t_end} (forward, finite times only)"));
    }
    if ws.n != n {
        return invalid(format!("workspace for {} components used for {n}", ws.n));
    }
    if !(o.rtol.is_finite() && o.rtol >= 0.0) {
        return invalid(format!("rtol must be non-negative and finite, got {}", o.rtol));
    }
    if !(o.atol.is_finite() && o.atol > 0.0) {
        return invalid(format!("atol must be positive and finite, got {}", o.atol));
    }
    if o.h_max.is_nan() || o.h_max <= 0.0 {
        return invalid(format!("h_max must be positive, got {}", o.h_max));
    }
    if let Some(h) = o.h_init
        && !(h.is_finite() && h > 0.0)
    {
        return invalid(format!("h_init must be positive and finite, got {h}"));
    }
    Ok(())
}

/// HNW's starting step (`HINIT` of `DOPRI5`): a first guess `0.01 |y| / |f|`, an explicit Euler
/// step to estimate the second derivative, then the step whose fifth-order error term would be
/// `0.01`, no more than 100 times the first guess. Uses `k[1]` and `y_new` as scratch.
fn initial_step<F>(f: &mut F, t0: f64, y: &[f64], o: &OdeOptions, ws: &mut OdeWorkspace, r: &mut OdeReport) -> f64
where
    F: FnMut(f64, &[f64], &mut [f64]),
{
    let sc = |v: f64| o.atol + o.rtol * v.abs();
    let dnf: f64 = ws.k[0].iter().zip(y).map(|(f0, y0)| (f0 / sc(*y0)).powi(2)).sum();
    let dny: f64 = y.iter().map(|y0| (y0 / sc(*y0)).powi(2)).sum();
    let mut h = if dnf <= 1e-10 || dny <= 1e-10 { 1e-6 } else { (dny / dnf).sqrt() * 0.01 };
    h = h.min(o.h_max);
    for ((yn, y0), f0) in ws.y_new.iter_mut().zip(y).zip(&ws.k[0]) {
        *yn = y0 + h * f0;
    }
    let (k0, rest) = ws.k.split_at_mut(1);
    f(t0 + h, &ws.y_new, &mut rest[0]);
    r.evaluations += 1;
    let der2: f64 = rest[0].iter().zip(&k0[0]).zip(y).map(|((f1, f0), y0)| ((f1 - f0) / sc(*y0)).powi(2)).sum();
    let der2 = der2.sqrt() / h;
    let der12 = der2.max(dnf.sqrt());
    let h1 = if der12.is_nan() || der12 <= 1e-15 { (h * 1e-3).max(1e-6) } else { (0.01 / der12).powf(0.2) };
    (100.0 * h).min(h1).min(o.h_max)
}

/// Stages 2 to 7 of a step from `(t, y)`; the fifth-order result goes to `y_new` and
/// `f(t + h, y_new)` to `k[6]`. Returns the component of the first non-finite derivative.
fn stages<F>(f: &mut F, t: f64, h: f64, y: &[f64], ws: &mut OdeWorkspace, r: &mut OdeReport) -> Option<usize>
where
    F: FnMut(f64, &[f64], &mut [f64]),
{
    let coefficients: [(f64, &[f64]); 6] = [
        (C2, &[A21]),
        (C3, &[A31, A32]),
        (C4, &[A41, A42, A43]),
        (C5, &[A51, A52, A53, A54]),
        (1.0, &[A61, A62, A63, A64, A65]),
        (1.0, &[A71, 0.0, A73, A74, A75, A76]),
    ];
    for (stage, (c, a)) in coefficients.iter().enumerate() {
        for (i, (yn, y0)) in ws.y_new.iter_mut().zip(y).enumerate() {
            let mut sum = 0.0;
            for (j, aj) in a.iter().enumerate() {
                sum += aj * ws.k[j][i];
            }
            *yn = y0 + h * sum;
        }
        f(t + c * h, &ws.y_new, &mut ws.k[stage + 1]);
        r.evaluations += 1;
        if let Some(component) = ws.k[stage + 1].iter().position(|v| !v.is_finite()) {
            return Some(component);
        }
    }
    None
}

/// The RMS of the embedded error estimate over `sc_i = atol + rtol max(|y_i|, |y_new_i|)`.
fn error_norm(h: f64, y: &[f64], o: &OdeOptions, ws: &OdeWorkspace) -> f64 {
    let k = &ws.k;
    let mut sum = 0.0;
    for i in 0..y.len() {
        let est = h * (E1 * k[0][i] + E3 * k[2][i] + E4 * k[3][i] + E5 * k[4][i] + E6 * k[5][i] + E7 * k[6][i]);
        let sc = o.atol + o.rtol * y[i].abs().max(ws.y_new[i].abs());
        sum += (est / sc).powi(2);
    }
    let err = (sum / y.len() as f64).sqrt();
    // A NaN error (an infinite estimate over a finite scale cannot give one, but guard) rejects.
    if err.is_nan() { f64::INFINITY } else { err }
}

/// Accepts the step: dense-output coefficients from the old state and the stages, then the new
/// state into `y`, and the last stage becomes the next first one.
fn accept(h: f64, y: &mut [f64], ws: &mut OdeWorkspace) {
    let n = y.len();
    let k = &ws.k;
    for i in 0..n {
        let dy = ws.y_new[i] - y[i];
        let b = h * k[0][i] - dy;
        ws.dense[i] = y[i];
        ws.dense[n + i] = dy;
        ws.dense[2 * n + i] = b;
        ws.dense[3 * n + i] = dy - h * k[6][i] - b;
        ws.dense[4 * n + i] =
            h * (D1 * k[0][i] + D3 * k[2][i] + D4 * k[3][i] + D5 * k[4][i] + D6 * k[5][i] + D7 * k[6][i]);
    }
    y.copy_from_slice(&ws.y_new);
    ws.k.swap(0, 6);
}

#[cfg(test)]
mod tests;
