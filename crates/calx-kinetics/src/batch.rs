//! Batch conversion at constant conditions: `X(t) = x_max xi(k t)`, integrated with
//! [`calx_solver::integrate_dense`].
//!
//! The integration runs in the dimensionless time `theta = k t`, so one integration serves any
//! rate constant. For reaction and mixed control the state is the converted shell
//! `s = 1 - (1 - xi)^(1/3)`, whose rate `1 / g'(s)` is a smooth function (constant for
//! reaction control); for the other forms it is `xi`. Forms whose rate is singular at `xi = 0`
//! (diffusion control, Avrami with `n != 1`) start on their closed form at `xi_0 = 1e-6`
//! ([`RateForm::start`]) and run in `tau = theta^p` (`p = 1/2` and `n`), in which the solution
//! is smooth at the start ([`Clock`]). Forms that complete ([`RateForm::completion_time`]) are
//! integrated only up to completion, so a long time after it costs nothing and no step
//! straddles the kink there. Tolerances are `rtol = 1e-10`, `atol = 1e-12`: the integrated
//! curves then reproduce the closed forms to better than `1e-9` (`tests/batch.rs` asks for
//! `1e-8`, and passes at `1e-9` too).

use calx_solver::{OdeOptions, OdeWorkspace, integrate_dense};

use crate::error::check;
use crate::rate::extent_of_shell;
use crate::{Conditions, KineticsError, LocalRate, RateForm, RateLaw};

/// The integrator options of every rate integration in this crate (see the module docs).
pub(crate) fn ode_options() -> OdeOptions {
    OdeOptions { rtol: 1e-10, atol: 1e-12, ..OdeOptions::default() }
}

/// The conversion `X = x_max xi` after `time` seconds of batch reaction at `cond`.
///
/// # Errors
/// [`KineticsError::InvalidParameter`] for an invalid law, conditions or time (finite and
/// non-negative); [`KineticsError::Integration`] if the integrator fails.
pub fn batch_conversion(law: &RateLaw, cond: &Conditions, time: f64) -> Result<f64, KineticsError> {
    let mut out = [0.0];
    batch_curve(law, cond, &[time], &mut out)?;
    Ok(out[0])
}

/// The batch conversion at each of `times` (s, non-decreasing, non-negative) into `out`, from
/// one integration.
///
/// # Errors
/// As [`batch_conversion`], and [`KineticsError::InvalidParameter`] when `out` and `times`
/// differ in length or the times are not sorted.
pub fn batch_curve(law: &RateLaw, cond: &Conditions, times: &[f64], out: &mut [f64]) -> Result<(), KineticsError> {
    let local = law.at(cond)?;
    check(out.len() == times.len(), "out", out.len() as f64, "as long as times")?;
    let sorted = times.iter().all(|t| t.is_finite() && *t >= 0.0) && times.windows(2).all(|w| w[0] <= w[1]);
    check(sorted, "times", f64::NAN, "finite, non-negative and non-decreasing")?;
    extent_curve(&local.form, local.k, times, out)?;
    for x in out.iter_mut() {
        *x *= local.x_max;
    }
    Ok(())
}

/// The closed-form batch conversion ([`RateForm::extent_at`]), the reference the integrated
/// [`batch_conversion`] is tested against.
///
/// # Errors
/// As [`batch_conversion`].
pub fn closed_form_conversion(law: &RateLaw, cond: &Conditions, time: f64) -> Result<f64, KineticsError> {
    let LocalRate { form, k, x_max } = law.at(cond)?;
    check(time.is_finite() && time >= 0.0, "time", time, "finite and non-negative")?;
    Ok(x_max * form.extent_at(k * time))
}

/// The independent variable of the integrations: `tau = theta^p`, with `p = 1/2` for
/// diffusion control and `p = n` for Avrami, `p = 1` otherwise. Those two forms behave like
/// `theta^p` at the start (`xi ~ sqrt(3 theta)`, `xi ~ theta^n`), which in `theta` makes the
/// step size grow only in proportion to `theta` (hundreds of steps through the decades after
/// the start point); in `tau` the solution is smooth there (`d xi / d tau` is finite).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    p: f64,
}

impl Clock {
    pub(crate) fn of(form: &RateForm) -> Self {
        let p = match *form {
            RateForm::ShrinkingCoreDiffusion => 0.5,
            RateForm::Avrami { n } => n,
            _ => 1.0,
        };
        Clock { p }
    }

    /// The exponent `p` (1 for the forms integrated in `theta` itself).
    pub(crate) fn p(&self) -> f64 {
        self.p
    }

    /// `tau` at `theta`.
    pub(crate) fn tau(&self, theta: f64) -> f64 {
        if self.p == 1.0 { theta } else { theta.powf(self.p) }
    }

    /// `theta` at `tau`.
    pub(crate) fn theta(&self, tau: f64) -> f64 {
        match self.p {
            1.0 => tau,
            0.5 => tau * tau,
            p => tau.max(0.0).powf(1.0 / p),
        }
    }

    /// `d theta / d tau` at `tau`.
    pub(crate) fn slope(&self, tau: f64) -> f64 {
        match self.p {
            1.0 => 1.0,
            // Diffusion control's theta = tau^2, without a powf per evaluation.
            0.5 => 2.0 * tau.max(0.0),
            p => tau.max(0.0).powf(1.0 / p - 1.0) / p,
        }
    }
}

/// `xi(k t)` for sorted `times` into `out` (already checked).
///
/// The state is the converted shell `s` for reaction and mixed control (whose `d s / d theta =
/// 1 / g'(s)` is smooth and bounded), the extent `xi` otherwise, integrated over the
/// [`Clock`]'s `tau`. Forms that complete stop at their completion time, so no step straddles
/// the kink there.
pub(crate) fn extent_curve(form: &RateForm, k: f64, times: &[f64], out: &mut [f64]) -> Result<(), KineticsError> {
    let shell = matches!(form, RateForm::ShrinkingCoreReaction | RateForm::ShrinkingCoreMixed { .. });
    let to_extent = |y: f64| if shell { extent_of_shell(y.clamp(0.0, 1.0)) } else { y.clamp(0.0, 1.0) };
    let clock = Clock::of(form);
    let theta_c = form.completion_time().unwrap_or(f64::INFINITY);
    let (theta0, xi0) = form.start();
    let mut next = 0;
    while next < times.len() && k * times[next] <= theta0 {
        out[next] = form.extent_before_start(k * times[next]);
        next += 1;
    }
    let Some(&t_last) = times.last() else { return Ok(()) };
    let theta_end = (k * t_last).min(theta_c);
    let mut y = [xi0];
    if next < times.len() && theta_end > theta0 {
        let mut ws = OdeWorkspace::new(1);
        let rate = |tau: f64, y: &[f64], d: &mut [f64]| {
            d[0] = match form.shell_time_slope(y[0]) {
                Some(slope) if shell => 1.0 / slope,
                _ => form.rate(y[0]) * clock.slope(tau),
            }
        };
        let (tau0, tau_end) = (clock.tau(theta0), clock.tau(theta_end));
        integrate_dense(rate, tau0, &mut y, tau_end, &ode_options(), &mut ws, |step| {
            let mut v = [0.0];
            while next < times.len() && clock.tau(k * times[next]) <= step.t() {
                step.interpolate(clock.tau(k * times[next]), &mut v);
                out[next] = to_extent(v[0]);
                next += 1;
            }
            true
        })?;
    }
    // What is left is at or past completion (or at the end, by round-off in `k t`).
    for x in &mut out[next..] {
        *x = if theta_end >= theta_c { 1.0 } else { to_extent(y[0]) };
    }
    Ok(())
}
