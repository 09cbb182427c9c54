//! Expressions over results ([`ResultExpr`]): a design specification's target or a study's
//! metric written as a small expression (`units.carbonation.sizes.co2_fixed /
//! streams.product.total`) instead of one path. The expression language is
//! [`calx_core::expr`]; every path in it is a result the engine reads ([`Variable::result`]),
//! never an analysis metric (analyses run after the solve). A plain path is not a
//! `ResultExpr`: it stays a [`Variable`], read as before.

use calx_core::Dimension;
use calx_core::expr::{EvalError, Expr};

use crate::def::{DesignSpecDef, Variable};
use crate::error::EngineError;
use crate::solve::Flowsheet;

/// An expression whose paths are engine results.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultExpr {
    /// The expression.
    pub expr: Expr,
    /// What each of its paths reads ([`Expr::paths`] order).
    pub reads: Vec<Variable>,
}

impl ResultExpr {
    /// Its dimension where every read's dimension is known from the path alone (`None` when
    /// it depends on a unit's size figure, known once the unit has reported it).
    pub fn dimension(&self) -> Result<Option<Dimension>, calx_core::expr::ExprError> {
        self.expr.dimension(|i| self.reads[i].dimension())
    }
}

impl Flowsheet {
    /// The value (SI) and dimension of an expression over results, after a solve. A value
    /// that cannot be read, a division by zero, dimensions that do not fit and a result that
    /// is not finite are [`EngineError::Expression`] errors naming the expression.
    pub fn evaluate(&self, e: &ResultExpr) -> Result<(f64, Dimension), EngineError> {
        let mut value = |p: usize| -> Result<(f64, Dimension), EngineError> {
            let v = &e.reads[p];
            let x = self.read(v)?;
            let d = match v {
                Variable::UnitSize { unit, size } => self.size(unit, size)?.dimension,
                v => v.dimension().unwrap_or(Dimension::DIMENSIONLESS),
            };
            Ok((x, d))
        };
        e.expr.evaluate(&mut value).map_err(|source: EvalError<EngineError>| EngineError::Expression {
            expression: e.expr.text().to_string(),
            source: Box::new(source),
        })
    }
}

impl Flowsheet {
    /// A design specification's target written as an expression: its value, checked
    /// against the dimension the target value was written in.
    pub(crate) fn read_target_expr(&self, spec: &DesignSpecDef, e: &ResultExpr) -> Result<f64, EngineError> {
        let (x, d) = self.evaluate(e)?;
        if d != spec.target_dimension {
            return Err(EngineError::DesignSpec {
                adjust: spec.adjust_label.clone(),
                target: spec.target_label.clone(),
                reason: format!(
                    "the expression is a {}, but the target value is a {}; write the value in a unit of {}",
                    d.describe(),
                    spec.target_dimension.describe(),
                    d.describe()
                ),
            });
        }
        Ok(x)
    }
}
