//! Analysis parameters set in place: each worker keeps its own analyses, created once from
//! the base case's parameters, and for every sample sets each varied parameter to the
//! sample's value (`Analysis::set_number`) or back to the value it was created with
//! (`Analysis::reset_number`), instead of creating the analysis again from its text (which
//! costs more than solving the plant). Every varied parameter is set or reset for every
//! sample, so nothing carries over from one sample to the next.
//!
//! A study uses this only when every analysis parameter it varies can be set in place, which
//! it tries once on analyses of its own before any sample runs; otherwise every sample
//! creates the analyses it changes again, as before.

use std::sync::Arc;

use calx::ConfiguredAnalysis;
use calx_core::Analysis;

use super::Study;
use crate::resolve::{ResolveError, Resolved, Target};

impl Study {
    /// Every analysis of the base case created again from its parameters: a worker's own,
    /// which only it holds (so that it can set them in place).
    pub(super) fn created_analyses(&self) -> Result<Vec<ConfiguredAnalysis>, ResolveError> {
        let mut analyses = self.base.model().analyses.clone();
        for a in &mut analyses {
            a.analysis = self.create_analysis(a, &a.params)?;
        }
        Ok(analyses)
    }

    /// Whether the study varies analysis parameters and every one of them can be set in
    /// place: tried on analyses of the study's own, with each parameter's base value, then
    /// reset.
    pub(super) fn analyses_settable_in_place(&self) -> bool {
        let varied: Vec<(usize, &Resolved)> =
            self.targets.iter().enumerate().filter(|(_, r)| matches!(r.target, Target::Analysis { .. })).collect();
        if varied.is_empty() {
            return false;
        }
        let Ok(mut analyses) = self.created_analyses() else { return false };
        varied.into_iter().all(|(j, r)| {
            let (Ok(set), Ok(reset)) = (set_one(&mut analyses, r, self.probe_value(j)), reset_one(&mut analyses, r))
            else {
                return false;
            };
            set && reset
        })
    }

    /// A value target `j` takes in samples, in its path's unit: a parameter's median, a sweep
    /// axis's first value.
    fn probe_value(&self, j: usize) -> f64 {
        let parameters = &self.def.parameters;
        match parameters.get(j) {
            Some(p) => p.dist.quantile(0.5),
            None => {
                let axes = self.def.sweep.as_ref().map_or(&[][..], |s| &s.axes[..]);
                axes.get(j - parameters.len()).and_then(|a| a.2.first().copied()).unwrap_or(f64::NAN)
            }
        }
    }

    /// Set every varied analysis parameter of `owned` to the sample's value, or back to its
    /// base value where the sample gives none (unless another target of the same parameter,
    /// a sweep axis that is also a study parameter, gives one).
    pub(super) fn set_in_place(
        &self,
        owned: &mut [ConfiguredAnalysis],
        values: &[Option<f64>],
    ) -> Result<(), ResolveError> {
        let given = |target: &Target| {
            self.targets.iter().zip(values).any(|(q, w)| w.is_some() && same_parameter(&q.target, target))
        };
        for (r, v) in self.targets.iter().zip(values) {
            let Target::Analysis { .. } = &r.target else { continue };
            let taken = match v {
                Some(x) => set_one(owned, r, *x)?,
                None if given(&r.target) => true,
                None => reset_one(owned, r)?,
            };
            if !taken {
                // It took its base value when the study was prepared: a refusal now is a
                // defect of the analysis, never a sample run with a stale value.
                return Err(ResolveError::Other(format!(
                    "analysis `{}` did not take `{}` in place",
                    analysis_name(owned, r),
                    parameter(r)
                )));
            }
        }
        Ok(())
    }
}

/// Set `r`'s parameter of its analysis in `owned` to `x` (in the path's unit).
fn set_one(owned: &mut [ConfiguredAnalysis], r: &Resolved, x: f64) -> Result<bool, ResolveError> {
    let Target::Analysis { index, param, key, text } = &r.target else { return Ok(false) };
    let (value, unit) = match text {
        Some(unit) => (x, unit.as_str()),
        None => (r.si(x), ""),
    };
    let taken = analysis_mut(owned, *index)?.set_number(param, key.as_deref(), value, unit);
    taken.map_err(|e| ResolveError::Other(format!("analysis `{}`: {e}", owned[*index].name)))
}

/// Give `r`'s parameter of its analysis in `owned` back its base value.
fn reset_one(owned: &mut [ConfiguredAnalysis], r: &Resolved) -> Result<bool, ResolveError> {
    let Target::Analysis { index, param, key, .. } = &r.target else { return Ok(false) };
    let taken = analysis_mut(owned, *index)?.reset_number(param, key.as_deref());
    taken.map_err(|e| ResolveError::Other(format!("analysis `{}`: {e}", owned[*index].name)))
}

/// The worker's own analysis `index`, which no one else holds.
fn analysis_mut(owned: &mut [ConfiguredAnalysis], index: usize) -> Result<&mut dyn Analysis, ResolveError> {
    let a = &mut owned[index];
    let name = &a.name;
    match Arc::get_mut(&mut a.analysis) {
        Some(analysis) => Ok(analysis),
        None => Err(ResolveError::Other(format!("analysis `{name}` is shared: it cannot be set in place"))),
    }
}

/// Whether two targets set the same analysis parameter.
fn same_parameter(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Analysis { index: i, param: p, key: k, .. }, Target::Analysis { index: j, param: q, key: l, .. }) => {
            i == j && p == q && k == l
        }
        _ => false,
    }
}

fn analysis_name<'a>(owned: &'a [ConfiguredAnalysis], r: &Resolved) -> &'a str {
    match &r.target {
        Target::Analysis { index, .. } => &owned[*index].name,
        _ => "",
    }
}

fn parameter(r: &Resolved) -> String {
    match &r.target {
        Target::Analysis { param, key: Some(k), .. } => format!("{param}.{k}"),
        Target::Analysis { param, .. } => param.clone(),
        _ => String::new(),
    }
}
