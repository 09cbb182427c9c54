//! The one error type of `calx-tea`: everything a configured TEA can refuse at run time.
//!
//! Problems the TEA can see without the flowsheet are found earlier, when the `analyses: tea:`
//! block is configured ([`crate::configure`]), as [`calx_core::UnitError::Parameter`]. What is
//! left needs the converged flowsheet (a price for a feed that is not there, a unit that reports
//! no size) or is numeric (a cash flow that is not a number). The `Analysis` implementation
//! maps [`TeaError::Parameter`] to [`calx_core::AnalysisError::Parameter`] and everything else to
//! [`calx_core::AnalysisError::Failed`].

use std::convert::Infallible;
use std::fmt;

use calx_solver::SolverError;

/// Everything a TEA can refuse at run time. Messages say what was found and what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum TeaError {
    /// A parameter of the `analyses: tea:` block does not fit the converged flowsheet or the
    /// analyses that ran before (a feed without a price, a price for a stream that is not
    /// there, a size a unit does not report, an LCA that did not run).
    #[error("parameter `{param}`: {message}")]
    Parameter {
        /// The parameter of the `analyses: tea:` block (`feed_prices`).
        param: &'static str,
        /// What is wrong, and what is allowed.
        message: String,
    },
    /// A discount rate at or below -100 %, or not a number.
    #[error("a discount rate must be finite and above -100 %, found {} %", rate * 100.0)]
    Rate {
        /// The rate (fraction).
        rate: f64,
    },
    /// A lifetime that is not a positive number of years.
    #[error("the lifetime must be a positive number of years, found {years}")]
    Lifetime {
        /// The lifetime, years.
        years: f64,
    },
    /// A cash flow that is not a finite number.
    #[error("the cash flow of year {year} is not a finite number")]
    CashFlow {
        /// The year (0 = start of construction).
        year: usize,
    },
    /// The benefit-cost ratio has no denominator.
    #[error("B/C undefined: the discounted costs are zero")]
    NoCosts,
    /// The cash flows never change sign, so they have no IRR.
    #[error("IRR undefined: the cash flows never change sign ({0}), so no rate makes the NPV zero")]
    NoSignChange(Flows),
    /// The cash flows change sign but the NPV has no zero on the rates searched.
    #[error("IRR undefined: the cash flows change sign but the NPV has no zero between -99 % and +100,000 %")]
    NoRoot,
    /// The root search (IRR, minimum selling price) failed.
    #[error("the root search failed: {0}")]
    Root(#[source] SolverError<Infallible>),
}

/// Cash flows of one sign only, as [`TeaError::NoSignChange`] describes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flows {
    /// Every cash flow is zero.
    Zero,
    /// Every cash flow is positive or zero.
    Positive,
    /// Every cash flow is negative or zero.
    Negative,
}

impl fmt::Display for Flows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flows::Zero => "every cash flow is zero",
            Flows::Positive => "every cash flow is positive or zero (nothing is invested)",
            Flows::Negative => "every cash flow is negative or zero (the project never earns its money back)",
        })
    }
}

impl TeaError {
    /// A parameter that does not fit the flowsheet.
    pub fn parameter(param: &'static str, message: impl Into<String>) -> TeaError {
        TeaError::Parameter { param, message: message.into() }
    }
}
