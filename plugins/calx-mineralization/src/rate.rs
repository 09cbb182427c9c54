//! `mode: rate` of the carbonator and the hydrator: conversions predicted from a rate law, a
//! reactor model and the reactor's size, instead of given (docs/kinetics.md).
//!
//! Per reactant r (`Ca(OH)2`, `Mg(OH)2`, `CaO`, `MgO`), the conversion of a particle after a
//! time t at constant conditions is the rate law's batch curve X_r(t) (`calx_kinetics`), with
//! the rate constant
//!
//! k = k_ref exp(-Ea/R (1/T - 1/T_ref)) (pCO2 / pCO2_ref)^n (d_ref / d)^m,
//!
//! and the reactor's residence-time distribution averages it over the particles (segregated
//! flow): `batch` and `pfr` take every particle for exactly tau, `cstr` the exponential
//! distribution, `cstr_in_series` N equal tanks (an Erlang distribution). A particle-size
//! distribution (a d50 and optionally a Rosin–Rammler spread) is averaged by mass.
//!
//! Size: `residence_time` tau, or `volume` V (the vessel, with the safety margin); the working
//! volume is V / (1 + margin) and tau = working volume / Q, Q the volume flow of the slurry
//! entering (solids and liquids at the densities of the agitation parameters).
//!
//! CO2 (carbonator): the gas is taken as well mixed, so the solids see the CO2 partial pressure
//! of the gas leaving, saturated with water vapour over the slurry at T:
//! p = (P - p_sat(T)) y_CO2,dry (IAPWS-IF97, `calx_core::water`). The CO2 taken up U (mol/s)
//! then solves U = min(demand(p(U)), kLa C*(p(U)) V_liquid) on [0, CO2 fed] (bisection), where
//! demand is the sum of the extents the rate law asks for and the second term, with `kla`
//! given, is the most CO2 the gas–liquid interface can pass: C* = K_H(T) p (Henry's law, K_H
//! from phreeqc.dat's CO2(g), docs/sources.md §Rate-based units), the liquid's bulk CO2 taken
//! as consumed (C = 0). `kla` is the effective coefficient: in an alkaline slurry the reaction
//! of CO2 with OH- enhances absorption well beyond physical kLa, so a physical value (with
//! C = 0) understates the transfer. When the uptake is below the demand, every extent is
//! scaled alike and a note says which limit acted.

use calx_core::{ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Params, Phase, UnitError, UnitReport};
use calx_kinetics::{Conditions, RateForm, RateLaw, ReactorMode, SizeClasses};

use crate::common::{fraction, phase_mass, positive};

/// `rate_law` choices, as in fit files (`calx fit`).
const LAWS: [&str; 5] =
    ["shrinking_core_reaction", "shrinking_core_diffusion", "shrinking_core_mixed", "avrami", "power_law"];

/// `reactor` choices.
const REACTORS: [&str; 4] = ["cstr", "cstr_in_series", "pfr", "batch"];

/// 1 atm in Pa (the unit of Henry's constant in phreeqc.dat's CO2(g) log K).
const ATM: f64 = 101_325.0;

/// The parameters of rate mode; `co2` adds those of the CO2 dependence and mass transfer.
pub(crate) fn rate_params(co2: bool) -> Vec<ParamSpec> {
    let per_reactant =
        |name: &str, kind: ParamKind, doc: &str| ParamSpec::optional(name, ParamKind::per_component(kind), doc);
    let mut params = vec![
        ParamSpec::with_default(
            "reactor",
            ParamKind::choice(&REACTORS),
            ParamValue::Text("cstr".into()),
            "(mode: rate) Residence-time distribution of the slurry: `cstr` (one stirred tank), `cstr_in_series` (with `tanks`), `pfr` or `batch` (every particle for exactly the residence time)",
            "assumption [U]: one stirred tank, as the reference plant's carbonator (KIGAM 2022, Fig. 2)",
        ),
        ParamSpec::optional(
            "tanks",
            ParamKind::Integer,
            "(mode: rate, reactor: cstr_in_series) Number of equal tanks in series",
        ),
        ParamSpec::optional(
            "volume",
            ParamKind::quantity(Dimension::VOLUME, "m3"),
            "(mode: rate) Vessel volume, safety margin included (give this or `residence_time`)",
        ),
        ParamSpec::optional(
            "rate_law",
            ParamKind::choice(&LAWS),
            "(mode: rate) The rate law (docs/kinetics.md); required in `mode: rate`",
        ),
        per_reactant(
            "rate_constant",
            ParamKind::quantity(Dimension::PER_TIME, "1/h"),
            "(mode: rate) k_ref per reactant at the reference conditions; a reactant not listed does not react. Required in `mode: rate`",
        ),
        per_reactant(
            "activation_energy",
            ParamKind::quantity(Dimension::MOLAR_ENERGY, "kJ/mol"),
            "(mode: rate) Arrhenius activation energy per reactant (default 0: no temperature dependence)",
        ),
        per_reactant(
            "ultimate_conversion",
            ParamKind::Fraction,
            "(mode: rate) Conversion reached at infinite time per reactant (default 1)",
        ),
        ParamSpec::optional(
            "size_exponent",
            ParamKind::Number,
            "(mode: rate) m in (d_ref/d)^m; default 1 for reaction control, 2 for diffusion control, 0 otherwise (Levenspiel 1999, ch. 25)",
        ),
        ParamSpec::optional(
            "avrami_exponent",
            ParamKind::Number,
            "(mode: rate, rate_law: avrami) n in X = 1 - exp(-(k t)^n)",
        ),
        ParamSpec::optional(
            "reaction_order",
            ParamKind::Number,
            "(mode: rate, rate_law: power_law) order in (1 - X); default 1",
        ),
        ParamSpec::optional(
            "diffusion_ratio",
            ParamKind::Number,
            "(mode: rate, rate_law: shrinking_core_mixed) tau_diffusion / tau_reaction",
        ),
        ParamSpec::with_default(
            "reference_temperature",
            ParamKind::quantity(Dimension::TEMPERATURE, "degC"),
            ParamValue::Number(298.15),
            "(mode: rate) T_ref of the Arrhenius term",
            "convention [U]: 25 degC, the default reference of `calx fit` (docs/kinetics.md)",
        ),
        ParamSpec::with_default(
            "particle_size",
            ParamKind::quantity(Dimension::LENGTH, "um"),
            ParamValue::Number(10.0e-6),
            "(mode: rate) Median particle size d50 of the reacting solids",
            "assumption [U]: 10 um, a typical d50 of fly ash and slaked lime (docs/sources.md §Rate-based units)",
        ),
        ParamSpec::with_default(
            "reference_particle_size",
            ParamKind::quantity(Dimension::LENGTH, "um"),
            ParamValue::Number(10.0e-6),
            "(mode: rate) d_ref of the size dependence",
            "convention [U]: 10 um, the default reference of `calx fit` (docs/kinetics.md)",
        ),
        ParamSpec::optional(
            "size_spread",
            ParamKind::Number,
            "(mode: rate) Rosin–Rammler spread n of the particle sizes around `particle_size` (the d50); default: all particles at the d50",
        ),
    ];
    if co2 {
        params.push(ParamSpec::with_default(
            "co2_order",
            ParamKind::Number,
            ParamValue::Number(0.0),
            "(mode: rate) Order n in (pCO2 / reference_pco2)",
            "assumption [U]: 0, no CO2 dependence unless a fit gives one (docs/kinetics.md)",
        ));
        params.push(ParamSpec::with_default(
            "reference_pco2",
            ParamKind::quantity(Dimension::PRESSURE, "bar"),
            ParamValue::Number(1.0e5),
            "(mode: rate) pCO2_ref of the CO2 order",
            "convention [U]: 1 bar, the default reference of `calx fit` (docs/kinetics.md)",
        ));
        params.push(ParamSpec::optional(
            "kla",
            ParamKind::quantity(Dimension::PER_TIME, "1/s"),
            "(mode: rate) Volumetric gas–liquid mass-transfer coefficient kLa; when given, the CO2 uptake cannot exceed kLa C* V_liquid",
        ));
    }
    params
}

/// How the reactor's size is given.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Size {
    ResidenceTime(f64),
    /// Vessel volume, m3 (margin included).
    Volume(f64),
}

/// A rate-based reactor: per reactant its law, the reactor model and the size.
#[derive(Clone, Debug)]
pub(crate) struct RateModel {
    /// (reactant index in the reaction list of the unit, law), only reactants with a rate constant.
    laws: Vec<(usize, RateLaw)>,
    reactor: RateReactor,
    size: Size,
    particles: SizeClasses,
    kla: Option<f64>,
    margin: f64,
    rho_solids: f64,
    rho_liquid: f64,
    /// Henry's constant of CO2, log10 K(T) in mol/(kg atm).
    henry: Option<calx_aqueous::LogK>,
}

/// The reactor model before the residence time is known.
#[derive(Clone, Copy, Debug)]
enum RateReactor {
    Batch,
    Pfr,
    Cstr,
    Series(u32),
}

/// The gas a carbonator is fed: CO2 and all gas-phase moles (mol/s), and the pressure (Pa).
#[derive(Clone, Copy, Debug)]
pub(crate) struct GasFeed {
    pub co2: f64,
    pub total: f64,
    pub pressure: f64,
}

/// What the reactor gives for one set of inlets.
#[derive(Clone, Debug)]
pub(crate) struct RateOutcome {
    /// Conversion per reactant of the unit's reaction list (0 for those without kinetics).
    pub conversions: Vec<f64>,
    /// Residence time, s.
    pub residence_time: f64,
    /// Vessel volume, m3.
    pub vessel_volume: f64,
    /// Slurry density, kg/m3.
    pub slurry_density: f64,
}

impl RateModel {
    /// Read rate mode's parameters; `reactants` names the keys of the unit's reactions in order.
    pub(crate) fn from_params(p: &Params, reactants: &[&str], co2: bool) -> Result<RateModel, UnitError> {
        let law_name =
            p.text_opt("rate_law")?.ok_or_else(|| UnitError::param("rate_law", "is required in `mode: rate`"))?;
        let form = form(p, law_name)?;
        let k = p.number_map("rate_constant")?;
        if k.is_empty() {
            return Err(UnitError::param("rate_constant", "is required in `mode: rate`: a rate constant per reactant"));
        }
        for map in ["rate_constant", "activation_energy", "ultimate_conversion"] {
            if let Some(other) = p.number_map(map)?.keys().find(|k| !reactants.contains(k)) {
                return Err(UnitError::param(
                    map,
                    format!("names `{other}`; this unit converts {}", reactants.join(", ")),
                ));
            }
        }
        let ea = p.number_map("activation_energy")?;
        let x_max = p.number_map("ultimate_conversion")?;
        let default_m = match law_name {
            "shrinking_core_reaction" | "shrinking_core_mixed" => 1.0,
            "shrinking_core_diffusion" => 2.0,
            _ => 0.0,
        };
        let size_exponent = p.number_opt("size_exponent")?.unwrap_or(default_m);
        let t_ref = positive("reference_temperature", p.number("reference_temperature")?, "K")?;
        let d_ref = positive("reference_particle_size", p.number("reference_particle_size")?, "m")?;
        let (co2_order, co2_ref) = if co2 {
            (p.number("co2_order")?, positive("reference_pco2", p.number("reference_pco2")?, "Pa")?)
        } else {
            (0.0, 1.0)
        };
        let mut laws = Vec::new();
        for (i, name) in reactants.iter().enumerate() {
            let Some(&k_ref) = k.get(name) else { continue };
            let law = RateLaw {
                form,
                k_ref,
                t_ref,
                activation_energy: ea.get(name).copied().unwrap_or(0.0),
                co2_order,
                co2_ref,
                size_exponent,
                d_ref,
                x_max: x_max.get(name).map(|&x| fraction("ultimate_conversion", name, x)).transpose()?.unwrap_or(1.0),
            };
            law.validate().map_err(|e| law_error(&e, name))?;
            laws.push((i, law));
        }
        let size = match (p.number_opt("residence_time")?, p.number_opt("volume")?) {
            (Some(t), None) => Size::ResidenceTime(positive("residence_time", t, "s")?),
            (None, Some(v)) => Size::Volume(positive("volume", v, "m3")?),
            (Some(_), Some(_)) => {
                return Err(UnitError::param(
                    "volume",
                    "and `residence_time` are both given: in `mode: rate` one sets the other (through the slurry's volume flow); give one",
                ));
            }
            (None, None) => {
                return Err(UnitError::param(
                    "residence_time",
                    "or `volume` is required in `mode: rate` (give one of them)",
                ));
            }
        };
        let kla = if co2 { p.number_opt("kla")?.map(|k| positive("kla", k, "1/s")).transpose()? } else { None };
        let henry = match kla {
            Some(_) => Some(henry_log_k()?),
            None => None,
        };
        Ok(RateModel {
            laws,
            reactor: reactor(p)?,
            size,
            particles: particles(p)?,
            kla,
            margin: fraction("safety_margin", "", p.number("safety_margin")?)?,
            rho_solids: positive("solids_density", p.number("solids_density")?, "kg/m3")?,
            rho_liquid: positive("liquid_density", p.number("liquid_density")?, "kg/m3")?,
            henry,
        })
    }

    /// A new `rate_constant` for reactant `reactant` (its index in the unit's reaction list,
    /// named `name`), in place: `Ok(false)` when the model has no rate constant for it (the
    /// unit is then created again, which says why), else the check `from_params` makes of it.
    /// Nothing else of the model depends on a rate constant, so the model is then the one
    /// created with it.
    pub(crate) fn set_rate_constant(&mut self, reactant: usize, name: &str, k_ref: f64) -> Result<bool, UnitError> {
        let Some((_, law)) = self.laws.iter_mut().find(|(i, _)| *i == reactant) else { return Ok(false) };
        let changed = RateLaw { k_ref, ..*law };
        changed.validate().map_err(|e| law_error(&e, name))?;
        *law = changed;
        Ok(true)
    }

    /// Whether any reactant's rate depends on the CO2 partial pressure.
    fn co2_dependent(&self) -> bool {
        self.laws.iter().any(|(_, l)| l.co2_order != 0.0)
    }

    /// Residence time, vessel volume and density for a slurry of `slurry` flows (kg/s).
    fn size_for(&self, set: &ComponentSet, slurry: &[f64]) -> Result<(f64, f64, f64, f64), UnitError> {
        let mass: f64 = slurry.iter().sum();
        let w_s = if mass > 0.0 { phase_mass(set, slurry, Phase::Solid) / mass } else { 0.0 };
        let rho = 1.0 / (w_s / self.rho_solids + (1.0 - w_s) / self.rho_liquid);
        let q = mass / rho;
        if q <= 0.0 {
            return Err(UnitError::port("slurry", "carries no slurry: a rate-based reactor needs a flow to size"));
        }
        let (tau, working) = match self.size {
            Size::ResidenceTime(tau) => (tau, tau * q),
            Size::Volume(v) => (v / (1.0 + self.margin) / q, v / (1.0 + self.margin)),
        };
        Ok((tau, working * (1.0 + self.margin), rho, working * (1.0 - w_s) * rho / self.rho_liquid))
    }

    /// Conversions the rate laws give at `t` (K) and CO2 partial pressure `pco2` (Pa).
    fn conversions(&self, n: usize, tau: f64, t: f64, pco2: f64) -> Result<Vec<f64>, UnitError> {
        let reactor = match self.reactor {
            RateReactor::Batch => ReactorMode::Batch { time: tau },
            RateReactor::Pfr => ReactorMode::Pfr { residence_time: tau },
            RateReactor::Cstr => ReactorMode::Cstr { residence_time: tau },
            RateReactor::Series(n) => ReactorMode::CstrSeries { residence_time: tau, n },
        };
        let mut x = vec![0.0; n];
        for (i, law) in &self.laws {
            let cond = Conditions { temperature: t, co2: pco2.max(0.0), particle_size: 0.0 };
            x[*i] = calx_kinetics::reactor_conversion_psd(law, &reactor, &cond, &self.particles)
                .map_err(|e| UnitError::Calculation(format!("rate law: {e}")))?;
        }
        Ok(x)
    }

    /// The conversions without CO2 (the hydrator) at `t`, for the slurry `slurry` entering.
    pub(crate) fn run(
        &self,
        set: &ComponentSet,
        reactants: usize,
        slurry: &[f64],
        t: f64,
    ) -> Result<RateOutcome, UnitError> {
        let (tau, vessel, rho, _) = self.size_for(set, slurry)?;
        let conversions = self.conversions(reactants, tau, t, 1.0)?;
        Ok(RateOutcome { conversions, residence_time: tau, vessel_volume: vessel, slurry_density: rho })
    }

    /// The carbonator: extents (mol/s) per reactant, given the moles of each reactant fed
    /// (`n_fed`), the gas and the operating temperature `t`. Reports the limits.
    pub(crate) fn carbonate(
        &self,
        set: &ComponentSet,
        slurry: &[f64],
        n_fed: &[f64],
        gas: GasFeed,
        t: f64,
        report: &mut UnitReport,
    ) -> Result<(Vec<f64>, RateOutcome), UnitError> {
        let GasFeed { co2: n_co2, total: n_gas, pressure } = gas;
        let (tau, vessel, rho, v_liquid) = self.size_for(set, slurry)?;
        // The gas leaving is saturated with water vapour over the slurry: the dry gas carries
        // the pressure that is left (none when the slurry boils).
        let p_sat = calx_core::water::saturation_pressure(t).map_err(|e| UnitError::Calculation(e.to_string()))?;
        let p_dry = (pressure - p_sat).max(0.0);
        let pco2 = |u: f64| p_dry * ((n_co2 - u) / (n_gas - u)).max(0.0);
        let demand = |u: f64| -> Result<f64, UnitError> {
            let x = self.conversions(n_fed.len(), tau, t, pco2(u))?;
            Ok(x.iter().zip(n_fed).map(|(x, n)| x * n).sum())
        };
        let cap = |u: f64| {
            self.kla
                .zip(self.henry.as_ref())
                .map(|(kla, h)| kla * henry_concentration(h, t, pco2(u), self.rho_liquid) * v_liquid)
        };
        let take =
            |u: f64| -> Result<f64, UnitError> { Ok(demand(u)?.min(cap(u).unwrap_or(f64::INFINITY)).min(n_co2)) };
        let n = n_fed.len();
        // Without a CO2 order or a transfer limit the pressure does not matter: one evaluation.
        let (uptake, mut conversions) = if !self.co2_dependent() && self.kla.is_none() {
            let x = self.conversions(n, tau, t, pco2(0.0))?;
            (x.iter().zip(n_fed).map(|(x, n)| x * n).sum::<f64>().min(n_co2), x)
        } else {
            let u = fixed_uptake(take, n_co2)?;
            (u, self.conversions(n, tau, t, pco2(u))?)
        };
        // Which of the three terms binds at the uptake found: the rate laws' demand (no limit),
        // the transfer cap or the CO2 fed, compared as values (not against U, which the
        // bisection knows only to its tolerance).
        let wanted: f64 = conversions.iter().zip(n_fed).map(|(x, n)| x * n).sum();
        let transfer = cap(uptake).unwrap_or(f64::INFINITY);
        let limited = transfer.min(n_co2) < wanted * (1.0 - 1e-9);
        let by_transfer = limited && transfer < n_co2;
        let f = if limited { (uptake / wanted).min(1.0) } else { 1.0 };
        if limited {
            let why = if by_transfer { "gas-liquid mass transfer (kLa)" } else { "the CO2 fed" };
            report.note(format!("CO2 uptake limited by {why}: conversions scaled to {f:.4} of the rate law's"));
            conversions.iter_mut().for_each(|x| *x *= f);
        }
        report.size("co2_limited", if limited && !by_transfer { 1.0 } else { 0.0 }, Dimension::DIMENSIONLESS);
        report.size("mass_transfer_limited", if by_transfer { 1.0 } else { 0.0 }, Dimension::DIMENSIONLESS);
        report.size("pco2_out", pco2(uptake), Dimension::PRESSURE);
        let extents = conversions.iter().zip(n_fed).map(|(x, n)| x * n).collect();
        Ok((extents, RateOutcome { conversions, residence_time: tau, vessel_volume: vessel, slurry_density: rho }))
    }
}

/// A rate law's refusal, blamed on the parameter of the unit that carries the field
/// (`calx_kinetics` names fields as its API does: `x_max`, `n`, ...).
fn law_error(e: &calx_kinetics::KineticsError, reactant: &str) -> UnitError {
    let param = match e {
        calx_kinetics::KineticsError::InvalidParameter { field, .. } => match *field {
            "x_max" => "ultimate_conversion",
            "n" => "avrami_exponent",
            "order" => "reaction_order",
            "diffusion_ratio" => "diffusion_ratio",
            "co2_order" => "co2_order",
            "co2_ref" => "reference_pco2",
            "size_exponent" => "size_exponent",
            "d_ref" => "reference_particle_size",
            "t_ref" => "reference_temperature",
            "activation_energy" => "activation_energy",
            _ => "rate_constant",
        },
        _ => "rate_constant",
    };
    UnitError::param(param, format!("{reactant}: {e}"))
}

/// The parameters only `mode: rate` reads, without defaults: given in another mode they would
/// silently do nothing (a design specification on `volume` would move nothing).
pub(crate) const RATE_ONLY: [&str; 12] = [
    "tanks",
    "volume",
    "rate_law",
    "rate_constant",
    "activation_energy",
    "ultimate_conversion",
    "size_exponent",
    "avrami_exponent",
    "reaction_order",
    "diffusion_ratio",
    "size_spread",
    "kla",
];

/// Refuse a rate-mode parameter in another mode.
pub(crate) fn refuse_rate_params(p: &Params, mode: &str) -> Result<(), UnitError> {
    match RATE_ONLY.iter().find(|name| p.has(name)) {
        Some(name) => Err(UnitError::param(
            name,
            format!("is for `mode: rate`, not `mode: {mode}`: set `mode: rate` or remove it"),
        )),
        None => Ok(()),
    }
}

/// U = take(U) on [0, n_co2]: take is non-increasing in U (less CO2 left, lower pressure), so
/// h(U) = take(U) - U falls from take(0) >= 0 to take(n_co2) - n_co2 <= 0: one root, by
/// bisection refined to 1e-12 of the root itself (an uptake far below the CO2 fed is found as
/// precisely as a large one).
fn fixed_uptake(take: impl Fn(f64) -> Result<f64, UnitError>, n_co2: f64) -> Result<f64, UnitError> {
    if take(0.0)? <= 0.0 {
        return Ok(0.0);
    }
    let (mut lo, mut hi) = (0.0, n_co2);
    if take(hi)? >= hi {
        return Ok(hi);
    }
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if take(mid)? >= mid {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi || hi <= f64::MIN_POSITIVE {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Dissolved CO2 at saturation, mol/m3 of liquid: K_H(T) (mol/(kg atm)) x pCO2 (atm) x rho.
fn henry_concentration(log_k: &calx_aqueous::LogK, t: f64, pco2: f64, rho_liquid: f64) -> f64 {
    10f64.powf(log_k.at(t)) * pco2 / ATM * rho_liquid
}

/// log K of CO2(g) = CO2(aq) from the built-in phreeqc.dat subset.
fn henry_log_k() -> Result<calx_aqueous::LogK, UnitError> {
    calx_aqueous::Database::builtin()
        .gas("CO2(g)")
        .map(|g| g.log_k_as_written)
        .ok_or_else(|| UnitError::Calculation("the aqueous database has no CO2(g)".into()))
}

fn form(p: &Params, law: &str) -> Result<RateForm, UnitError> {
    let needs = |name: &str| {
        p.number_opt(name)?.ok_or_else(|| UnitError::param(name, format!("is required with `rate_law: {law}`")))
    };
    for (name, owner) in
        [("avrami_exponent", "avrami"), ("reaction_order", "power_law"), ("diffusion_ratio", "shrinking_core_mixed")]
    {
        if p.has(name) && law != owner {
            return Err(UnitError::param(name, format!("belongs to `rate_law: {owner}`, not `{law}`")));
        }
    }
    Ok(match law {
        "shrinking_core_reaction" => RateForm::ShrinkingCoreReaction,
        "shrinking_core_diffusion" => RateForm::ShrinkingCoreDiffusion,
        "shrinking_core_mixed" => RateForm::ShrinkingCoreMixed { diffusion_ratio: needs("diffusion_ratio")? },
        "avrami" => RateForm::Avrami { n: needs("avrami_exponent")? },
        "power_law" => RateForm::PowerLaw { order: p.number_opt("reaction_order")?.unwrap_or(1.0) },
        other => {
            return Err(UnitError::param(
                "rate_law",
                format!("unknown rate law `{other}`; allowed: {}", LAWS.join(", ")),
            ));
        }
    })
}

fn reactor(p: &Params) -> Result<RateReactor, UnitError> {
    let tanks = p.number_opt("tanks")?;
    let kind = p.text_opt("reactor")?.unwrap_or("cstr");
    if tanks.is_some() && kind != "cstr_in_series" {
        return Err(UnitError::param("tanks", format!("is for `reactor: cstr_in_series`, not `{kind}`")));
    }
    Ok(match kind {
        "batch" => RateReactor::Batch,
        "pfr" => RateReactor::Pfr,
        "cstr_in_series" => {
            let n = tanks.ok_or_else(|| UnitError::param("tanks", "is required with `reactor: cstr_in_series`"))?;
            if !((1.0..=1000.0).contains(&n) && n.fract() == 0.0) {
                return Err(UnitError::param("tanks", format!("must be a whole number from 1 to 1000, found {n}")));
            }
            RateReactor::Series(n as u32)
        }
        _ => RateReactor::Cstr,
    })
}

/// Size classes of a Rosin–Rammler distribution (equal mass each).
const SIZE_CLASSES: usize = 10;

fn particles(p: &Params) -> Result<SizeClasses, UnitError> {
    let d50 = positive("particle_size", p.number("particle_size")?, "m")?;
    match p.number_opt("size_spread")? {
        None => SizeClasses::single(d50).map_err(|e| UnitError::param("particle_size", e.to_string())),
        Some(n) => {
            let n = positive("size_spread", n, "")?;
            // Rosin–Rammler: F(d) = 1 - exp(-(d/d63)^n), so d50 = d63 (ln 2)^(1/n).
            let d63 = d50 / std::f64::consts::LN_2.powf(1.0 / n);
            SizeClasses::rosin_rammler(d63, n, SIZE_CLASSES).map_err(|e| UnitError::param("size_spread", e.to_string()))
        }
    }
}
