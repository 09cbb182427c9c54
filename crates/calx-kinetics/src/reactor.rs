//! Reactor models: the mean conversion of a stream of particles that each convert as in a
//! batch for as long as they stay (segregated flow; Levenspiel, *Chemical Reaction
//! Engineering*, 3rd ed., ch. 11 for the residence-time distributions and ch. 25 for their
//! use with solids): `X̄ = ∫ X_batch(t) E(t) dt`.
//!
//! - batch and plug flow: every particle stays the same time, `X̄ = X_batch(t)`;
//! - `n` equal mixed-flow tanks in series with total mean residence time `tau` (`n = 1`: one
//!   CSTR): the Erlang distribution `E(t) = (n/tau)^n t^(n-1) exp(-n t/tau) / (n-1)!`, whose
//!   survival function is `S(t) = exp(-m) sum_{j<n} m^j / j!` with `m = n t / tau`.
//!
//! For the shrinking core, the mixed-flow integral is computed after an integration by parts
//! (`X(0) = 0`, `S' = -E`): `X̄ / x_max = ∫ S(t) dxi(t) = ∫_0^1 S(theta(s)) 3 (1 - s)^2 ds`,
//! over the converted shell `s = 1 - (1 - xi)^(1/3)`, in which `theta(s)` is a polynomial
//! (`theta' = g'(s)`, [`RateForm::shell_time_slope`]): no singularity at the start (diffusion
//! control) or at completion, and the upper end `s = 1` is completion itself. `theta` and the
//! integral are the two states of one integration in `s`; it stops early once what is left,
//! at most `S(theta) (1 - xi)`, is below `1e-13`, adding half of that bound.
//!
//! For the other forms the integral rides along the batch integration (in `theta = k t`, or
//! `tau = theta^p` for Avrami as in [`crate::batch_curve`]) as a second state `I' = xi E`. Since `xi` only grows, what is left after `theta_s`,
//! `∫_{theta_s}^∞ xi E`, lies between `xi(theta_s) S(theta_s)` and `S(theta_s)`: the
//! integration stops once the gap `(1 - xi) S` is below `1e-13` and adds the midpoint; a form
//! that completes (a power law below order 1) stops at its completion time, where the tail is
//! exactly `S`. The first stretch `[0, theta_0]` before a singular form's start point (Avrami
//! with `n != 1`) contributes between 0 and `xi_0 (1 - S(theta_0))`; the midpoint is used.
//!
//! A particle-size distribution is a mass-weighted average over its classes, each with its own
//! rate constant (and, for the mixed shrinking core, diffusion ratio).

use calx_solver::{OdeOptions, OdeWorkspace, ScalarOptions, integrate_dense, solve_bracketed};

use crate::batch::{Clock, extent_curve, ode_options};
use crate::error::check;
use crate::{Conditions, KineticsError, RateForm, RateLaw, SizeClasses};

/// Where the mixed-flow integral stops: the bound on what is left, in extent.
const TAIL_TOL: f64 = 1e-13;

/// How long particles stay, and how that time is distributed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReactorMode {
    /// A batch: every particle reacts for `time` (s).
    Batch {
        /// Reaction time, s.
        time: f64,
    },
    /// Plug flow: every particle stays `residence_time` (s); the same as a batch.
    Pfr {
        /// Residence time, s.
        residence_time: f64,
    },
    /// One perfectly mixed tank: `E(t) = exp(-t/tau) / tau`.
    Cstr {
        /// Mean residence time, s.
        residence_time: f64,
    },
    /// `n` equal mixed tanks in series, `residence_time / n` each: Erlang `E(t)`.
    CstrSeries {
        /// Total mean residence time, s.
        residence_time: f64,
        /// Number of tanks, at least 1.
        n: u32,
    },
}

impl ReactorMode {
    /// The (mean) time particles spend: `time` or `residence_time`.
    pub fn time(&self) -> f64 {
        match *self {
            ReactorMode::Batch { time } => time,
            ReactorMode::Pfr { residence_time }
            | ReactorMode::Cstr { residence_time }
            | ReactorMode::CstrSeries { residence_time, .. } => residence_time,
        }
    }

    /// The same kind of reactor with another (mean) time.
    pub fn with_time(&self, t: f64) -> Self {
        match *self {
            ReactorMode::Batch { .. } => ReactorMode::Batch { time: t },
            ReactorMode::Pfr { .. } => ReactorMode::Pfr { residence_time: t },
            ReactorMode::Cstr { .. } => ReactorMode::Cstr { residence_time: t },
            ReactorMode::CstrSeries { n, .. } => ReactorMode::CstrSeries { residence_time: t, n },
        }
    }

    /// The number of mixed tanks in series, `None` for batch and plug flow.
    fn tanks(&self) -> Option<u32> {
        match *self {
            ReactorMode::Batch { .. } | ReactorMode::Pfr { .. } => None,
            ReactorMode::Cstr { .. } => Some(1),
            ReactorMode::CstrSeries { n, .. } => Some(n),
        }
    }

    fn validate(&self) -> Result<(), KineticsError> {
        let t = self.time();
        check(t.is_finite() && t >= 0.0, "residence_time", t, "finite and non-negative")?;
        check(self.tanks() != Some(0), "n", 0.0, "at least 1")
    }
}

/// The mean conversion leaving `mode` at `cond`, for particles of size `cond.particle_size`.
///
/// # Errors
/// [`KineticsError::InvalidParameter`] for an invalid law, conditions or mode;
/// [`KineticsError::Integration`] if the integrator fails.
pub fn reactor_conversion(law: &RateLaw, mode: &ReactorMode, cond: &Conditions) -> Result<f64, KineticsError> {
    mode.validate()?;
    let local = law.at(cond)?;
    Ok(local.x_max * mean_extent(&local.form, local.k, mode)?)
}

/// The mass-weighted mean conversion of the size classes of `psd` leaving `mode` at `cond`
/// (`cond.particle_size` is replaced by each class's size).
///
/// # Errors
/// As [`reactor_conversion`].
pub fn reactor_conversion_psd(
    law: &RateLaw,
    mode: &ReactorMode,
    cond: &Conditions,
    psd: &SizeClasses,
) -> Result<f64, KineticsError> {
    let mut sum = 0.0;
    for (&d, &w) in psd.sizes().iter().zip(psd.mass_fractions()) {
        sum += w * reactor_conversion(law, mode, &Conditions { particle_size: d, ..*cond })?;
    }
    Ok(sum)
}

/// The (mean) residence time at which the mean conversion of `psd` leaving a reactor of
/// `mode`'s kind reaches `target` (`mode`'s own time is ignored): Brent's method
/// ([`calx_solver::solve_bracketed`]) on `[0, t_hi]`, with `t_hi` grown by fours from the
/// slowest class's `1 / k` until it overshoots; converged to `1e-9` in conversion.
///
/// # Errors
/// [`KineticsError::InvalidParameter`] for a target that is not finite and positive;
/// [`KineticsError::TargetUnreachable`] for a target at or above `x_max`;
/// [`KineticsError::TargetNotReached`] when the rate is zero (no CO2) or too slow for any
/// time below 1e30 s; [`KineticsError::RootSearch`] if Brent fails.
pub fn residence_time_for_conversion(
    law: &RateLaw,
    mode: &ReactorMode,
    cond: &Conditions,
    psd: &SizeClasses,
    target: f64,
) -> Result<f64, KineticsError> {
    law.validate()?;
    check(target.is_finite() && target > 0.0, "target", target, "finite and positive")?;
    if target >= law.x_max {
        return Err(KineticsError::TargetUnreachable { target, x_max: law.x_max });
    }
    let conversion = |t: f64| reactor_conversion_psd(law, &mode.with_time(t), cond, psd);
    let mut k_min = f64::INFINITY;
    for &d in psd.sizes() {
        k_min = k_min.min(law.at(&Conditions { particle_size: d, ..*cond })?.k);
    }
    let (mut lo, mut hi) = (0.0, 1.0 / k_min);
    loop {
        if hi.is_nan() || hi >= 1e30 {
            let time = if hi.is_finite() { hi } else { f64::MAX };
            let conversion = if hi.is_finite() { conversion(hi)? } else { 0.0 };
            return Err(KineticsError::TargetNotReached { target, time, conversion });
        }
        if conversion(hi)? >= target {
            break;
        }
        (lo, hi) = (hi, 4.0 * hi);
    }
    let options = ScalarOptions { abs_tol: 1e-9, rel_tol: 0.0, ..ScalarOptions::default() };
    let report = solve_bracketed(|t| Ok(conversion(t)? - target), lo, hi, target, &options)
        .map_err(KineticsError::from_solver)?;
    Ok(report.x)
}

/// The mean extent leaving `mode` for a rate `k form(xi)` (mode already checked).
pub(crate) fn mean_extent(form: &RateForm, k: f64, mode: &ReactorMode) -> Result<f64, KineticsError> {
    let theta_r = k * mode.time();
    check(theta_r.is_finite(), "residence_time", mode.time(), "such that k t is finite")?;
    match mode.tanks() {
        _ if theta_r == 0.0 => Ok(0.0),
        None => {
            let mut out = [0.0];
            extent_curve(form, 1.0, &[theta_r], &mut out)?;
            Ok(out[0])
        }
        Some(n) => match closed_mixed_flow_extent(form, theta_r, n) {
            Some(xi) => Ok(xi),
            None => mixed_flow_extent(form, theta_r, n),
        },
    }
}

/// The mixed-flow average in closed form where one exists, the fast path of
/// [`mean_extent`] (a study evaluates it for every sample); the tests hold it to the
/// integrated average:
///
/// * first order (`PowerLaw { order: 1 }`), N tanks: 1 - (1 + theta_r/N)^-N (Levenspiel 1999,
///   ch. 6);
/// * shrinking core under reaction control, one tank, a = 1/theta_r (tau over the mean
///   residence time): 1 - xi = 1 - 3/a + 6/a^2 - 6/a^3 (1 - e^-a), the integral of
///   (1 - t/tau)^3 E(t) over 0..tau (Levenspiel ch. 25 gives its series); for a < 0.1 the
///   series 6 sum_{k>=4} (-a)^(k-3)/k! (the closed form cancels there).
fn closed_mixed_flow_extent(form: &RateForm, theta_r: f64, n: u32) -> Option<f64> {
    match (*form, n) {
        (RateForm::PowerLaw { order: 1.0 }, _) => Some(1.0 - (1.0 + theta_r / f64::from(n)).powf(-f64::from(n))),
        (RateForm::ShrinkingCoreReaction, 1) => {
            let a = 1.0 / theta_r;
            let unconverted = if a < 0.1 {
                let (mut sum, mut term) = (0.0, 6.0 / 24.0 * a);
                for k in 4..20 {
                    sum += term;
                    term *= -a / f64::from(k + 1);
                }
                sum
            } else {
                1.0 - 3.0 / a + 6.0 / (a * a) - 6.0 / (a * a * a) * (-(-a).exp_m1())
            };
            Some(1.0 - unconverted)
        }
        _ => None,
    }
}

/// The Erlang distribution of `n` tanks with total mean `theta_r`, in `theta`.
struct Erlang {
    n: u32,
    rate: f64,
    ln_norm: f64,
}

impl Erlang {
    fn new(n: u32, theta_r: f64) -> Self {
        let rate = f64::from(n) / theta_r;
        let ln_factorial: f64 = (1..n).map(|j| f64::from(j).ln()).sum();
        Erlang { n, rate, ln_norm: rate.ln() - ln_factorial }
    }

    /// The density `E(theta)`.
    fn density(&self, theta: f64) -> f64 {
        let m = self.rate * theta;
        if self.n == 1 {
            return (self.ln_norm - m).exp();
        }
        if m <= 0.0 {
            return 0.0;
        }
        (self.ln_norm + f64::from(self.n - 1) * m.ln() - m).exp()
    }

    /// The survival function `S(theta) = P(residence > theta)`, summed in logarithms so that
    /// neither `exp(-m)` nor `m^j / j!` leaves the range of `f64` for many tanks.
    fn survival(&self, theta: f64) -> f64 {
        let m = self.rate * theta;
        if m <= 0.0 {
            return 1.0;
        }
        if self.n == 1 {
            return (-m).exp();
        }
        let ln_m = m.ln();
        let mut ln_term = -m;
        let mut sum = ln_term.exp();
        for j in 1..self.n {
            ln_term += ln_m - f64::from(j).ln();
            sum += ln_term.exp();
        }
        sum.min(1.0)
    }
}

/// `∫ xi(theta) E(theta) dtheta` for `n` tanks of total mean `theta_r` (see the module docs).
fn mixed_flow_extent(form: &RateForm, theta_r: f64, n: u32) -> Result<f64, KineticsError> {
    let erlang = Erlang::new(n, theta_r);
    if form.shell_time_slope(0.0).is_some() {
        return mixed_flow_shell(form, &erlang);
    }
    let (theta0, xi0) = form.start();
    let mut y = [xi0, 0.5 * xi0 * (1.0 - erlang.survival(theta0))];
    // The survival function is below 1e-17 by here (about 40 standard deviations past the
    // mean), so the end is only a safeguard: the tail test stops the integration first. A form
    // that completes is integrated to its completion time at most.
    let theta_c = form.completion_time().unwrap_or(f64::INFINITY);
    let theta_end = (theta0 + theta_r * (1.0 + 40.0 / f64::from(n).sqrt())).min(theta_c);
    // In the clock's tau (see `Clock`): I' = xi E(theta) dtheta/dtau.
    let clock = Clock::of(form);
    // Steps no longer than about a standard deviation of E, so that none steps over its peak
    // (a width in theta of theta_r / sqrt(n) is p theta_r^p / sqrt(n) in tau).
    let h_max = clock.p() * clock.tau(theta_r) / f64::from(n).sqrt();
    let opts = OdeOptions { h_max, ..ode_options() };
    let mut ws = OdeWorkspace::new(2);
    let rhs = |tau: f64, y: &[f64], d: &mut [f64]| {
        let slope = clock.slope(tau);
        d[0] = form.rate(y[0]) * slope;
        d[1] = y[0].min(1.0) * erlang.density(clock.theta(tau)) * slope;
    };
    let (tau0, tau_end) = (clock.tau(theta0), clock.tau(theta_end));
    let report = integrate_dense(rhs, tau0, &mut y, tau_end, &opts, &mut ws, |step| {
        (1.0 - step.y()[0]) * erlang.survival(clock.theta(step.t())) > TAIL_TOL
    })?;
    let theta_s = clock.theta(report.t);
    let xi = if report.t >= tau_end && theta_end >= theta_c { 1.0 } else { y[0].clamp(0.0, 1.0) };
    let tail = 0.5 * (1.0 + xi) * erlang.survival(theta_s);
    Ok((y[1] + tail).clamp(0.0, 1.0))
}

/// The shrinking core's mixed-flow integral in the converted shell `s`, where it has no
/// singularity (see the module docs): `theta(s)` and `∫ S(theta) dxi` ride along `s` in
/// `[0, 1]`.
fn mixed_flow_shell(form: &RateForm, erlang: &Erlang) -> Result<f64, KineticsError> {
    let mut y = [0.0, 0.0];
    let mut ws = OdeWorkspace::new(2);
    let rhs = |s: f64, y: &[f64], d: &mut [f64]| {
        d[0] = form.shell_time_slope(s).unwrap_or(f64::NAN);
        // dxi/ds = 3 (1 - s)^2.
        d[1] = 3.0 * (1.0 - s).powi(2) * erlang.survival(y[0]);
    };
    let report = integrate_dense(rhs, 0.0, &mut y, 1.0, &ode_options(), &mut ws, |step| {
        (1.0 - step.t()).powi(3) * erlang.survival(step.y()[0]) > TAIL_TOL
    })?;
    // What is left, ∫ S dxi over the rest of the shell, lies in [0, S (1 - xi)].
    let tail = 0.5 * (1.0 - report.t).powi(3) * erlang.survival(y[0]);
    Ok((y[1] + tail).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path and the integrated average agree across residence times, through the
    /// switch from the series to the closed form at a = 0.1.
    #[test]
    fn closed_forms_equal_the_integrated_mixed_flow_average() {
        let cases: [(RateForm, u32); 4] = [
            (RateForm::ShrinkingCoreReaction, 1),
            (RateForm::PowerLaw { order: 1.0 }, 1),
            (RateForm::PowerLaw { order: 1.0 }, 3),
            (RateForm::PowerLaw { order: 1.0 }, 12),
        ];
        for (form, n) in cases {
            for theta_r in [0.01, 0.3, 1.0, 5.0, 9.9, 10.1, 40.0, 1e3] {
                let closed = closed_mixed_flow_extent(&form, theta_r, n).expect("a closed form");
                let integrated = mixed_flow_extent(&form, theta_r, n).expect("integrates");
                assert!(
                    (closed - integrated).abs() < 1e-9,
                    "{form:?}, {n} tanks, theta_r {theta_r}: {closed} vs {integrated}"
                );
            }
        }
    }

    #[test]
    fn forms_without_a_closed_form_take_the_integrator() {
        assert!(closed_mixed_flow_extent(&RateForm::ShrinkingCoreDiffusion, 1.0, 1).is_none());
        assert!(closed_mixed_flow_extent(&RateForm::ShrinkingCoreReaction, 1.0, 2).is_none());
        assert!(closed_mixed_flow_extent(&RateForm::PowerLaw { order: 2.0 }, 1.0, 1).is_none());
    }
}
