//! The one error type of `calx-core`: problems with quantities, formulas and components.
//!
//! Errors a unit operation reports while being created or calculated are
//! [`crate::unit::UnitError`], which is part of the plugin contract and kept separate.

/// Anything `calx-core` can refuse. Messages say what was found and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A quantity string could not be read ("16000 t/yr" is fine, "16000 tons/yr" is not).
    #[error("cannot read quantity {text:?}: {reason}")]
    Quantity {
        /// The text as written.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A unit of measure is not in the unit table.
    #[error("unknown unit of measure {unit:?}{}", did_you_mean(suggestion))]
    UnknownUnit {
        /// The symbol as written.
        unit: String,
        /// The nearest known symbol, if one is close.
        suggestion: Option<String>,
    },
    /// A quantity has the wrong dimension for where it is used.
    #[error("{text:?} is a {found}, but {expected} is expected here")]
    WrongDimension {
        /// The text as written.
        text: String,
        /// What the text measures.
        found: String,
        /// What the field needs.
        expected: String,
    },
    /// A chemical formula could not be parsed.
    #[error("invalid formula {formula:?}: {reason}")]
    Formula {
        /// The formula as written.
        formula: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A formula names an element that is not in the element table.
    #[error("unknown element {symbol:?} in formula {formula:?}")]
    UnknownElement {
        /// The element symbol as written.
        symbol: String,
        /// The formula it appeared in.
        formula: String,
    },
    /// A unit definition (a flowsheet basis such as `t_product`) was refused.
    #[error("cannot define unit {symbol:?}: {reason}")]
    UnitDefinition {
        /// The symbol.
        symbol: String,
        /// Why.
        reason: String,
    },
    /// A component definition is inconsistent.
    #[error("component {component:?}: {reason}")]
    Component {
        /// The component name.
        component: String,
        /// What is wrong.
        reason: String,
    },
    /// A component lacks a datum an energy balance over it needs.
    #[error("component {component:?}: has no {what}: an energy balance over it is not possible")]
    MissingThermo {
        /// The component name.
        component: String,
        /// The missing datum: `heat capacity`, `formation enthalpy` or `molar mass`.
        what: String,
    },
    /// An energy balance has no physical answer: a non-finite enthalpy or heat capacity
    /// (temperatures far outside the data), or no temperature that matches an enthalpy flow.
    #[error("energy balance: {reason}")]
    EnergyBalance {
        /// What is wrong, with the figures.
        reason: String,
    },
    /// A component name is not in the component set.
    #[error("unknown component {name:?}{}", did_you_mean(suggestion))]
    UnknownComponent {
        /// The name as written.
        name: String,
        /// The nearest known component, if one is close.
        suggestion: Option<String>,
    },
}

/// `"; did you mean \"x\"?"` or nothing.
pub fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean {s:?}?)"),
        None => String::new(),
    }
}

/// Result with the core error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
