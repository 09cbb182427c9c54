//! Design specifications solved together: a bounded quasi-Newton method
//! ([`calx_solver::solve_system`]) on the vector of residuals `target_i(x) - value_i` over the
//! adjusted variables, each within its `between`, each residual scaled by its target's
//! magnitude and converged to its own tolerance (`abs_tol + rel_tol |value|`, as Brent's).
//! Used for two or more engine-level specifications unless the flowsheet asks for `nested`;
//! when it fails (a singular Jacobian, a root beyond a bound, no convergence) the driver falls
//! back to the nested solve and says why in every specification's report.

use calx_core::result::{DesignSpecReport, SpecMethod};
use calx_solver::{SystemError, SystemOptions, solve_system};
use tracing::{debug, info_span, warn};

use super::Flowsheet;
use crate::error::EngineError;

/// Why the simultaneous method gave up, for the fallback (or the error it became).
enum Failure {
    /// The method did not find a solution; the nested method may.
    Method(String),
    /// An error the nested method would meet as well (a target that cannot be read, an
    /// internal error): reported as it is.
    Fatal(EngineError),
}

impl Flowsheet {
    /// Every engine-level design specification met, by the method the options ask for; the
    /// reports in specification order.
    pub(super) fn solve_design_specs(&mut self) -> Result<Vec<DesignSpecReport>, EngineError> {
        let mut fallback = None;
        if self.specs.len() >= 2 && self.options.design_specs == SpecMethod::Simultaneous {
            match self.solve_specs_together() {
                Ok(reports) => return Ok(reports),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Method(reason)) => {
                    warn!(%reason, "the simultaneous solve of the design specifications failed; solving them nested");
                    fallback = Some(reason);
                }
            }
        }
        let mut reports = Vec::new();
        match self.solve_specs(0, &mut reports) {
            Ok(()) => {}
            Err(source) => {
                return Err(match fallback {
                    Some(simultaneous) => EngineError::DesignSpecsFallback { simultaneous, source: Box::new(source) },
                    None => source,
                });
            }
        }
        reports.reverse();
        for r in &mut reports {
            r.fallback.clone_from(&fallback);
        }
        Ok(reports)
    }

    /// All specifications at once: the adjusted variables start where they are (moved into
    /// their bounds).
    fn solve_specs_together(&mut self) -> Result<Vec<DesignSpecReport>, Failure> {
        let specs = self.specs.clone();
        let _span = info_span!("design_specs", count = specs.len(), method = "simultaneous").entered();
        let bounds: Vec<(f64, f64)> = specs.iter().map(|s| s.bounds).collect();
        let mut x: Vec<f64> = specs
            .iter()
            .map(|s| {
                let (lo, hi) = s.bounds;
                self.read(&s.adjust).ok().filter(|v| v.is_finite()).map_or(0.5 * (lo + hi), |v| v.clamp(lo, hi))
            })
            .collect();
        let tolerances: Vec<f64> =
            specs.iter().map(|s| s.options.abs_tol + s.options.rel_tol * s.value.abs()).collect();
        let scales: Vec<f64> = specs.iter().zip(&tolerances).map(|(s, t)| s.value.abs().max(*t)).collect();
        let options = SystemOptions::default();
        let outcome = solve_system(
            |x, r| {
                for (s, &v) in specs.iter().zip(x) {
                    self.set(&s.adjust, v)?;
                }
                self.solve_sequence()?;
                for (s, r) in specs.iter().zip(r.iter_mut()) {
                    *r = self.read_target(s)? - s.value;
                }
                Ok::<(), EngineError>(())
            },
            &mut x,
            &bounds,
            (&scales, &tolerances),
            &options,
        );
        let report = match outcome {
            Ok(report) => report,
            Err(SystemError::Evaluation {
                source:
                    e @ (EngineError::SpecTarget { .. } | EngineError::TargetDimension { .. } | EngineError::Internal(_)),
                ..
            }) => {
                return Err(Failure::Fatal(e));
            }
            Err(SystemError::Evaluation { source, x, .. }) => {
                return Err(Failure::Method(format!("the solve failed at {}: {source}", self.describe(&x))));
            }
            Err(SystemError::InvalidInput(reason)) => return Err(Failure::Fatal(EngineError::Internal(reason))),
            Err(e) => return Err(Failure::Method(self.describe_failure(&e))),
        };
        // `solve_system` evaluates its answer last, so the flowsheet state belongs to it.
        debug!(iterations = report.iterations, evaluations = report.evaluations, "design specifications met together");
        let mut reports = Vec::with_capacity(specs.len());
        for (spec, &value) in specs.iter().zip(&report.x) {
            let achieved = self.read_target(spec).map_err(Failure::Fatal)?;
            reports.push(spec.report(value, achieved, report.iterations, SpecMethod::Simultaneous));
        }
        Ok(reports)
    }

    /// The adjusted variables at `x`, for messages (`streams.a.total = 1.2e0, ... (SI)`).
    fn describe(&self, x: &[f64]) -> String {
        let parts: Vec<String> =
            self.specs.iter().zip(x).map(|(s, v)| format!("{} = {v:.6e}", s.adjust_label)).collect();
        format!("{} (SI)", parts.join(", "))
    }

    /// A failure of the simultaneous method in the flowsheet's words.
    fn describe_failure(&self, e: &SystemError<EngineError>) -> String {
        let residuals = |r: &[f64]| -> String {
            let parts: Vec<String> =
                self.specs.iter().zip(r).map(|(s, r)| format!("{} off by {r:.3e}", s.target_label)).collect();
            format!("{} (SI)", parts.join(", "))
        };
        match e {
            SystemError::Singular { iterations, x, residuals: r, .. } => format!(
                "the Jacobian is singular after {iterations} iterations at {} ({}): a target depends on none of \
                 the adjusted variables, or two targets move together",
                self.describe(x),
                residuals(r)
            ),
            SystemError::Stuck { iterations, x, residuals: r, at_bounds } => {
                let at: Vec<&str> =
                    at_bounds.iter().filter_map(|&i| self.specs.get(i)).map(|s| s.adjust_label.as_str()).collect();
                format!(
                    "no step lowers the residuals after {iterations} iterations at {} ({}); at a bound: {}",
                    self.describe(x),
                    residuals(r),
                    if at.is_empty() { "none".to_string() } else { at.join(", ") }
                )
            }
            SystemError::NotConverged { iterations, x, residuals: r } => {
                format!("not converged in {iterations} iterations: at {} ({})", self.describe(x), residuals(r))
            }
            e => e.to_string(),
        }
    }
}
