//! Rate laws: the form of `d xi / dt` and the rate constant at given conditions.
//!
//! `xi` in `[0, 1]` is the extent of conversion relative to the ultimate conversion `x_max`
//! (the fraction of the solid that can react at all: a passivating product layer or an
//! inaccessible core stops carbonation short of 1), so the conversion reported is
//! `X = x_max xi`. Every form is written in the dimensionless time `theta = k t`, with `k` the
//! rate constant below; `g(xi)` is the time `theta` a particle needs to reach `xi` (the closed
//! form), and `d xi / d theta = 1 / g'(xi)` the rate.
//!
//! **Shrinking core** (Levenspiel, *Chemical Reaction Engineering*, 3rd ed., ch. 25, for a
//! spherical particle of constant size whose unreacted core of radius `r_c` shrinks; with
//! `r = r_c / R = (1 - xi)^(1/3)` and `k = 1 / tau`, `tau` the time to complete conversion):
//! - chemical reaction control: `g = 1 - (1 - xi)^(1/3)`, `d xi/d theta =
//!   3 (1 - xi)^(2/3)`. Applies when the reaction at the core surface is the slow step;
//!   `tau = rho_B R / (b k'' C)`, so `tau ∝ R` and the default size exponent is 1.
//! - product-layer (ash) diffusion control: `g = 1 - 3 (1 - xi)^(2/3) + 2 (1 - xi)
//!   = (1 - r)^2 (1 + 2 r)`, `d xi/d theta = 1 / (2 ((1 - xi)^(-1/3) - 1))`. Applies when
//!   diffusion of CO2 through the carbonate layer is the slow step; `tau = rho_B R^2 / (6 b
//!   D_e C)`, so `tau ∝ R^2` (size exponent 2). The rate is infinite at `xi = 0`: the
//!   integration starts on the closed form at `xi_0 = 1e-6` (see [`RateForm::start`]).
//! - both in series ("the times add", section "Limitations of the SCM"): `t = tau_r g_r(xi) + tau_d g_d(xi)`, here
//!   with `k = 1 / tau_r` and `tau_d = diffusion_ratio tau_r` at the reference size; since
//!   `tau_r ∝ R` and `tau_d ∝ R^2`, the ratio at size `d` is `diffusion_ratio d / d_ref`. The
//!   rate is `d xi/d theta = 3 r^2 / (1 + 6 ratio r (1 - r))`, finite everywhere.
//!
//! **Avrami** (Johnson–Mehl–Avrami–Kolmogorov; nucleation and growth, or the coverage of a
//! surface by product islands): `xi = 1 - exp(-theta^n)`, `g = (-ln(1 - xi))^(1/n)`,
//! `d xi/d theta = n (1 - xi) (-ln(1 - xi))^((n - 1)/n)`. For `n != 1` the rate is 0 or
//! infinite at `xi = 0` (the solution is not unique from there), so the integration starts on
//! the closed form as for diffusion control.
//!
//! **Power law**: `d xi/d theta = (1 - xi)^order`; order 1 is first order, `xi = 1 - exp(-theta)`;
//! orders below 1 complete at `theta = 1 / (1 - order)`.
//!
//! **Rate constant** at temperature `T`, CO2 level `c` and particle size `d`:
//! `k = k_ref exp(-Ea/R (1/T - 1/T_ref)) (c / c_ref)^co2_order (d_ref / d)^size_exponent`,
//! with `R = 8.314462618 J/(mol K)` (CODATA 2018, exact since the 2019 SI). `c` and `c_ref`
//! are in whatever unit the caller uses for the driving force (a CO2 partial pressure in Pa, a
//! dissolved CO2 molality in mol/kg), the same for both. The same activation energy and CO2
//! order apply to reaction and diffusion in the mixed form (Levenspiel's `tau`s are both
//! inversely proportional to `C`).

use crate::KineticsError;
use crate::error::check;

/// The molar gas constant, J/(mol K) (CODATA 2018; exact in the SI since 2019).
pub const GAS_CONSTANT: f64 = 8.314462618;

/// Where the integration of a form whose rate is singular at `xi = 0` starts, on the closed
/// form: small enough that the leading-order approximation below it is exact to about
/// `xi_0^2`, large enough that the first step is not absurdly small.
const XI_START: f64 = 1e-6;

/// The shape of `d xi / d theta` (see the module documentation for equations and sources).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateForm {
    /// Shrinking core, chemical reaction control: `1 - (1 - xi)^(1/3) = theta`.
    ShrinkingCoreReaction,
    /// Shrinking core, product-layer diffusion control: `1 - 3 (1 - xi)^(2/3) + 2 (1 - xi) = theta`.
    ShrinkingCoreDiffusion,
    /// Shrinking core, reaction and diffusion in series: `g_r(xi) + ratio g_d(xi) = theta`.
    ShrinkingCoreMixed {
        /// `tau_d / tau_r` at the reference particle size. Must be finite and non-negative.
        diffusion_ratio: f64,
    },
    /// Avrami: `xi = 1 - exp(-theta^n)`.
    Avrami {
        /// The Avrami exponent. Must be finite and positive.
        n: f64,
    },
    /// Power law: `d xi / d theta = (1 - xi)^order`.
    PowerLaw {
        /// The reaction order in the unconverted fraction. Must be finite and non-negative.
        order: f64,
    },
}

impl RateForm {
    /// The default size exponent of [`RateLaw`]: 1 for reaction control and the mixed form
    /// (`tau ∝ R`), 2 for diffusion control (`tau ∝ R^2`) (Levenspiel ch. 25), 0 for the others
    /// (no size dependence unless the caller gives one).
    pub fn default_size_exponent(&self) -> f64 {
        match self {
            RateForm::ShrinkingCoreReaction | RateForm::ShrinkingCoreMixed { .. } => 1.0,
            RateForm::ShrinkingCoreDiffusion => 2.0,
            RateForm::Avrami { .. } | RateForm::PowerLaw { .. } => 0.0,
        }
    }

    /// Checks the form's own parameter.
    ///
    /// # Errors
    /// [`KineticsError::InvalidParameter`] naming `diffusion_ratio`, `n` or `order`.
    pub fn validate(&self) -> Result<(), KineticsError> {
        match *self {
            RateForm::ShrinkingCoreReaction | RateForm::ShrinkingCoreDiffusion => Ok(()),
            RateForm::ShrinkingCoreMixed { diffusion_ratio: r } => {
                check(r.is_finite() && r >= 0.0, "diffusion_ratio", r, "finite and non-negative")
            }
            RateForm::Avrami { n } => check(n.is_finite() && n > 0.0, "n", n, "finite and positive"),
            RateForm::PowerLaw { order } => {
                check(order.is_finite() && order >= 0.0, "order", order, "finite and non-negative")
            }
        }
    }

    /// The rate `d xi / d theta` at extent `xi`: 0 at and beyond completion (`xi >= 1`), so
    /// that an integrator's trial point past 1 sees the reaction stopped rather than NaN.
    pub fn rate(&self, xi: f64) -> f64 {
        if xi >= 1.0 {
            return 0.0;
        }
        let unreacted = 1.0 - xi;
        match *self {
            RateForm::ShrinkingCoreReaction => 3.0 * unreacted.cbrt().powi(2),
            RateForm::ShrinkingCoreDiffusion => {
                // 1 - r by `shell`: at small xi, 1 - cbrt(1 - xi) would cancel to noise.
                let r = unreacted.cbrt();
                r / (2.0 * shell(xi))
            }
            RateForm::ShrinkingCoreMixed { diffusion_ratio } => {
                let r = unreacted.cbrt();
                3.0 * r * r / (1.0 + 6.0 * diffusion_ratio * r * shell(xi))
            }
            RateForm::Avrami { n } => n * unreacted * (-(-xi).ln_1p()).powf((n - 1.0) / n),
            RateForm::PowerLaw { order } => unreacted.powf(order),
        }
    }

    /// The closed form `g(xi)`: the dimensionless time `theta = k t` to reach extent `xi` in a
    /// batch (infinite at `xi = 1` for the forms that only approach completion).
    pub fn time_to_extent(&self, xi: f64) -> f64 {
        let xi = xi.clamp(0.0, 1.0);
        // s = 1 - r, the converted shell's thickness over the radius.
        let s = shell(xi);
        match *self {
            RateForm::ShrinkingCoreReaction => s,
            RateForm::ShrinkingCoreDiffusion => s * s * (3.0 - 2.0 * s),
            RateForm::ShrinkingCoreMixed { diffusion_ratio } => s + diffusion_ratio * s * s * (3.0 - 2.0 * s),
            RateForm::Avrami { n } => (-(-xi).ln_1p()).powf(1.0 / n),
            RateForm::PowerLaw { order: 1.0 } => -(-xi).ln_1p(),
            RateForm::PowerLaw { order } => (1.0 - (1.0 - xi).powf(1.0 - order)) / (1.0 - order),
        }
    }

    /// The closed-form extent `xi` after dimensionless time `theta` in a batch: the inverse of
    /// [`RateForm::time_to_extent`]. Used by the tests as the reference for the integrated
    /// forms; diffusion control by the trigonometric solution of its cubic, the mixed form by a
    /// safeguarded Newton iteration on its monotone cubic.
    pub fn extent_at(&self, theta: f64) -> f64 {
        let theta = theta.max(0.0);
        let from_shell = extent_of_shell;
        match *self {
            RateForm::ShrinkingCoreReaction => from_shell(theta.min(1.0)),
            RateForm::ShrinkingCoreDiffusion => {
                // 2 s^3 - 3 s^2 + theta = 0 with s = 1/2 + u: u^3 - 3u/4 + (theta - 1/2)/2 = 0,
                // three real roots; the one in [0, 1] is s = 1/2 + cos(a - 2 pi / 3) with
                // a = arccos(1 - 2 theta) / 3, written as 2 sin(a/2) cos(a/2 - pi/6) and with
                // arccos(1 - 2 theta) = 2 asin(sqrt theta) so that small theta keeps its digits.
                let a = 2.0 * theta.min(1.0).sqrt().asin() / 3.0;
                from_shell(2.0 * (0.5 * a).sin() * (0.5 * a - std::f64::consts::FRAC_PI_6).cos())
            }
            RateForm::ShrinkingCoreMixed { diffusion_ratio } => from_shell(mixed_shell(diffusion_ratio, theta)),
            RateForm::Avrami { n } => -(-theta.powf(n)).exp_m1(),
            RateForm::PowerLaw { order: 1.0 } => -(-theta).exp_m1(),
            RateForm::PowerLaw { order } if order < 1.0 => {
                let base = 1.0 - (1.0 - order) * theta;
                if base <= 0.0 { 1.0 } else { 1.0 - base.powf(1.0 / (1.0 - order)) }
            }
            RateForm::PowerLaw { order } => 1.0 - (1.0 + (order - 1.0) * theta).powf(-1.0 / (order - 1.0)),
        }
    }

    /// Where integration starts, `(theta_0, xi_0)`, a point of the closed form: `(0, 0)` where
    /// the rate is finite and positive at `xi = 0`; for diffusion control and Avrami with
    /// `n != 1`, whose rate there is infinite or zero, `xi_0 = 1e-6` at `theta_0 = g(xi_0)`.
    pub fn start(&self) -> (f64, f64) {
        match *self {
            RateForm::ShrinkingCoreDiffusion => (self.time_to_extent(XI_START), XI_START),
            RateForm::Avrami { n } if n != 1.0 => (self.time_to_extent(XI_START), XI_START),
            _ => (0.0, 0.0),
        }
    }

    /// The extent before the start point (`theta < theta_0`), from the leading term of the
    /// closed form scaled through the start point: `xi = xi_0 (theta / theta_0)^p` with
    /// `p = 1/2` for diffusion control (`g = xi^2 / 3 + O(xi^3)`) and `p = n` for Avrami
    /// (`xi = theta^n + O(theta^2n)`); its error is of order `xi_0 xi <= 1e-12`.
    pub(crate) fn extent_before_start(&self, theta: f64) -> f64 {
        let (theta0, xi0) = self.start();
        if theta0 <= 0.0 || theta <= 0.0 {
            return 0.0;
        }
        let p = match *self {
            RateForm::Avrami { n } => n,
            _ => 0.5,
        };
        xi0 * (theta / theta0).powf(p)
    }

    /// For the shrinking-core forms, `d theta / d s` in terms of the converted shell
    /// `s = 1 - (1 - xi)^(1/3)` (so `xi = 1 - (1 - s)^3`): the derivative of `g` written in
    /// `s`, a polynomial: 1 (reaction control), `6 s (1 - s)` (diffusion control),
    /// `1 + 6 ratio s (1 - s)` (mixed). `None` for the other forms. In `s` the shrinking core
    /// has no singularity at either end, which is why the integrations use it.
    pub fn shell_time_slope(&self, s: f64) -> Option<f64> {
        match *self {
            RateForm::ShrinkingCoreReaction => Some(1.0),
            RateForm::ShrinkingCoreDiffusion => Some(6.0 * s * (1.0 - s)),
            RateForm::ShrinkingCoreMixed { diffusion_ratio } => Some(1.0 + 6.0 * diffusion_ratio * s * (1.0 - s)),
            RateForm::Avrami { .. } | RateForm::PowerLaw { .. } => None,
        }
    }

    /// The dimensionless time at which conversion completes, for the forms that complete
    /// (shrinking core: 1, mixed: `1 + ratio`; power law below order 1: `1 / (1 - order)`).
    pub fn completion_time(&self) -> Option<f64> {
        match *self {
            RateForm::ShrinkingCoreReaction | RateForm::ShrinkingCoreDiffusion => Some(1.0),
            RateForm::ShrinkingCoreMixed { diffusion_ratio } => Some(1.0 + diffusion_ratio),
            RateForm::PowerLaw { order } if order < 1.0 => Some(1.0 / (1.0 - order)),
            _ => None,
        }
    }
}

/// `xi = 1 - (1 - s)^3` from the converted shell `s`, without cancellation at small `s`.
pub(crate) fn extent_of_shell(s: f64) -> f64 {
    s * (3.0 - 3.0 * s + s * s)
}

/// `1 - (1 - xi)^(1/3)` without cancellation at small `xi`: with `r = (1 - xi)^(1/3)`,
/// `xi = 1 - r^3 = (1 - r)(1 + r + r^2)`.
fn shell(xi: f64) -> f64 {
    let r = (1.0 - xi).cbrt();
    xi / (1.0 + r + r * r)
}

/// The shell `s` in `[0, 1]` with `s + ratio s^2 (3 - 2 s) = theta` (the mixed shrinking core;
/// the left side increases with `s`, slope `1 + 6 ratio s (1 - s) >= 1`): Newton's method,
/// falling back to bisection whenever a step leaves the bracket.
fn mixed_shell(ratio: f64, theta: f64) -> f64 {
    if theta >= 1.0 + ratio {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut s = theta / (1.0 + ratio);
    for _ in 0..100 {
        let f = s + ratio * s * s * (3.0 - 2.0 * s) - theta;
        if f > 0.0 {
            hi = s
        } else {
            lo = s
        }
        let next = s - f / (1.0 + 6.0 * ratio * s * (1.0 - s));
        let next = if next > lo && next < hi { next } else { 0.5 * (lo + hi) };
        if (next - s).abs() <= 1e-16 * s.max(1e-300) || hi - lo <= f64::EPSILON * hi {
            return next;
        }
        s = next;
    }
    s
}

/// The conditions a particle reacts at, SI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conditions {
    /// Temperature, K.
    pub temperature: f64,
    /// CO2 driving level, in the unit of [`RateLaw::co2_ref`] (Pa, mol/kg, ...).
    pub co2: f64,
    /// Particle diameter, m (replaced by each class's size when a size distribution is given).
    pub particle_size: f64,
}

/// A rate form with its rate constant and how that depends on conditions (see the module
/// documentation for the equation). Fields are public; [`RateLaw::new`] fills the defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLaw {
    /// The form of `d xi / d theta`.
    pub form: RateForm,
    /// Rate constant at the reference conditions, 1/s (for the shrinking core, `1 / tau`).
    pub k_ref: f64,
    /// Reference temperature, K.
    pub t_ref: f64,
    /// Activation energy, J/mol.
    pub activation_energy: f64,
    /// Order in the CO2 driving level.
    pub co2_order: f64,
    /// Reference CO2 level, in the caller's unit.
    pub co2_ref: f64,
    /// `k ∝ d^-size_exponent`.
    pub size_exponent: f64,
    /// Reference particle diameter, m.
    pub d_ref: f64,
    /// Ultimate conversion, in (0, 1].
    pub x_max: f64,
}

impl RateLaw {
    /// A rate law with `k_ref` (1/s) at particle size `d_ref` (m) and these defaults:
    /// `t_ref = 298.15 K` and `activation_energy = 0` (no temperature dependence),
    /// `co2_order = 0` with `co2_ref = 1` (no CO2 dependence), the form's
    /// [`default_size_exponent`](RateForm::default_size_exponent), `x_max = 1`.
    pub fn new(form: RateForm, k_ref: f64, d_ref: f64) -> Self {
        RateLaw {
            form,
            k_ref,
            t_ref: 298.15,
            activation_energy: 0.0,
            co2_order: 0.0,
            co2_ref: 1.0,
            size_exponent: form.default_size_exponent(),
            d_ref,
            x_max: 1.0,
        }
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// [`KineticsError::InvalidParameter`] naming the first field out of its domain.
    pub fn validate(&self) -> Result<(), KineticsError> {
        self.form.validate()?;
        let positive = "finite and positive";
        check(self.k_ref.is_finite() && self.k_ref >= 0.0, "k_ref", self.k_ref, "finite and non-negative")?;
        check(self.t_ref.is_finite() && self.t_ref > 0.0, "t_ref", self.t_ref, positive)?;
        check(self.activation_energy.is_finite(), "activation_energy", self.activation_energy, "finite")?;
        check(self.co2_order.is_finite() && self.co2_order >= 0.0, "co2_order", self.co2_order, "finite, >= 0")?;
        check(self.co2_ref.is_finite() && self.co2_ref > 0.0, "co2_ref", self.co2_ref, positive)?;
        check(self.size_exponent.is_finite(), "size_exponent", self.size_exponent, "finite")?;
        check(self.d_ref.is_finite() && self.d_ref > 0.0, "d_ref", self.d_ref, positive)?;
        check(self.x_max > 0.0 && self.x_max <= 1.0, "x_max", self.x_max, "in (0, 1]")
    }

    /// The rate law at `cond`: the rate constant and, for the mixed form, the diffusion ratio
    /// at the particle size.
    ///
    /// # Errors
    /// [`KineticsError::InvalidParameter`] for an invalid law or conditions (temperature and
    /// particle size finite and positive, CO2 level finite and non-negative).
    pub fn at(&self, cond: &Conditions) -> Result<LocalRate, KineticsError> {
        self.validate()?;
        let Conditions { temperature, co2, particle_size } = *cond;
        check(temperature.is_finite() && temperature > 0.0, "temperature", temperature, "finite and positive")?;
        check(co2.is_finite() && co2 >= 0.0, "co2", co2, "finite and non-negative")?;
        check(particle_size.is_finite() && particle_size > 0.0, "particle_size", particle_size, "finite and positive")?;
        let arrhenius = (-self.activation_energy / GAS_CONSTANT * (1.0 / temperature - 1.0 / self.t_ref)).exp();
        let k = self.k_ref
            * arrhenius
            * (co2 / self.co2_ref).powf(self.co2_order)
            * (self.d_ref / particle_size).powf(self.size_exponent);
        check(k.is_finite(), "rate constant", k, "finite (check the activation energy and temperature)")?;
        let form = match self.form {
            RateForm::ShrinkingCoreMixed { diffusion_ratio } => {
                RateForm::ShrinkingCoreMixed { diffusion_ratio: diffusion_ratio * particle_size / self.d_ref }
            }
            other => other,
        };
        Ok(LocalRate { form, k, x_max: self.x_max })
    }
}

/// A rate law evaluated at fixed conditions: `d xi / dt = k rate(xi)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalRate {
    /// The form, with the mixed form's diffusion ratio at this particle size.
    pub form: RateForm,
    /// The rate constant, 1/s.
    pub k: f64,
    /// The ultimate conversion.
    pub x_max: f64,
}
