//! The `basis:` section: production bases, symbols such as `t_product` that make
//! `kg/t_product` a mass flow ("per tonne of product").
//!
//! ```yaml
//! basis:
//!   t_product: 17585 t/yr                      # fixed: the written rate, inputs and displays
//!   t_cake: streams.cake.total                 # follows the solved stream (displays only)
//!   t_out: { rate: 17585 t/yr, follows: streams.product.total }  # inputs at the rate, displays solved
//! ```
//!
//! A fixed basis is a time unit at decode: the time it takes to make one tonne at that rate.
//! A basis that follows a stream is the solved rate of that stream after every design
//! specification: [`Model::display_units`] gives the units of measure the displays use (the
//! text report, the HTML report, the Sankey). Inputs cannot be written in a basis known only
//! after the solve, so a basis without `rate:` is not a unit of measure in the file; with
//! `rate:`, inputs written in it are read at that rate (the plant as designed) while displays
//! use the solved one. [`Model::basis_notes`] says what the displays use.
//!
//! [`Model::display_units`]: crate::Model::display_units
//! [`Model::basis_notes`]: crate::Model::basis_notes

use std::borrow::Cow;

use calx_core::path::ResultPath;
use calx_core::result::FlowsheetResult;
use calx_core::{Dimension, UnitTable};
use calx_engine::UnitDef;

use crate::decode::{Decoder, get, join};
use crate::diagnostic::Diagnostic;
use crate::node::{Loc, Node, Value};

/// Fields of a basis written as a mapping.
pub(crate) const FIELDS: &[&str] = &["rate", "follows"];

/// One production basis.
#[derive(Clone, Debug, PartialEq)]
pub struct Basis {
    /// The symbol (`t_product`).
    pub symbol: String,
    /// The written rate, kg/s: inputs in the symbol are read at it (`None`: none written).
    pub rate: Option<f64>,
    /// The stream whose solved total mass flow the displays use (`None`: fixed).
    pub follows: Option<String>,
    loc: Loc,
}

/// Decode `basis:`; every basis with a rate defines its symbol in the decoder's units.
pub(crate) fn decode(dec: &mut Decoder, node: &Node) -> Vec<Basis> {
    let mut out = Vec::new();
    for (k, v) in dec.mapping(node, "basis").unwrap_or_default() {
        let field = format!("basis.{}", k.name);
        let (rate_node, follows_node) = match &v.value {
            Value::Map(entries) => {
                dec.only(entries, FIELDS, &field);
                (get(entries, "rate"), get(entries, "follows"))
            }
            Value::Scalar(s) if s.trim_start().starts_with("streams.") => (None, Some(v)),
            _ => (Some(v), None),
        };
        if rate_node.is_none() && follows_node.is_none() {
            dec.error(Diagnostic::new(v.loc, &field, "a basis needs a `rate:`, a `follows:` stream, or both"));
            continue;
        }
        let rate = match rate_node {
            Some(n) => {
                let Some(rate) = dec.quantity(n, &join(&field, "rate"), Dimension::MASS_FLOW, "t/yr") else { continue };
                if rate <= 0.0 {
                    dec.error(Diagnostic::new(n.loc, &field, "a production basis must be above zero"));
                    continue;
                }
                Some(rate)
            }
            None => None,
        };
        let follows = match follows_node {
            Some(n) => match dec.text(n, &join(&field, "follows")).map(|t| ResultPath::parse(t.trim())) {
                Some(Ok(ResultPath::StreamTotal(s))) => Some(s),
                Some(_) => {
                    dec.error(
                        Diagnostic::new(n.loc, &field, "a basis follows the total mass flow of a stream")
                            .allowed("streams.STREAM.total"),
                    );
                    continue;
                }
                None => continue,
            },
            None => None,
        };
        if let Some(rate) = rate
            && let Err(e) = dec.units.define(&k.name, 1000.0 / rate, Dimension::TIME)
        {
            dec.error(Diagnostic::new(k.loc, &field, e.to_string()));
            continue;
        }
        // A basis that only follows a stream is defined after the solve; a symbol the unit
        // table already knows (`h`, `t`) must be refused now, or the displays would quietly
        // keep its old meaning.
        if rate.is_none()
            && let Err(e) = dec.units.clone().define(&k.name, 1.0, Dimension::TIME)
        {
            dec.error(Diagnostic::new(k.loc, &field, e.to_string()));
            continue;
        }
        out.push(Basis { symbol: k.name.clone(), rate, follows, loc: v.loc });
    }
    out
}

/// Check that every followed stream is a stream of the flowsheet.
pub(crate) fn check_streams(dec: &mut Decoder, bases: &[Basis], units: &[UnitDef]) {
    let connected =
        |u: &UnitDef, s: &str| u.inlets.iter().chain(&u.outlets).any(|(_, names)| names.iter().any(|n| n == s));
    for b in bases {
        if let Some(s) = b.follows.as_deref().filter(|s| !units.iter().any(|u| connected(u, s))) {
            dec.error(
                Diagnostic::new(b.loc, &format!("basis.{}", b.symbol), format!("no stream `{s}` in this flowsheet"))
                    .found(format!("streams.{s}.total")),
            );
        }
    }
}

/// Say, on every "unknown unit" problem that names a basis without a written rate, why it
/// is unknown there.
pub(crate) fn explain_unknown(dec: &mut Decoder, bases: &[Basis]) {
    for b in bases.iter().filter(|b| b.rate.is_none()) {
        let named = [format!("`{}`", b.symbol), format!("\"{}\"", b.symbol)];
        for d in dec.diags.iter_mut() {
            if d.message.contains("unknown unit of measure") && named.iter().any(|n| d.message.contains(n.as_str())) {
                d.message.push_str(&format!(
                    ": the basis `{}` follows `streams.{}.total`, known only after the solve, so values cannot \
                     be written in it; give it a `rate:` to read them at (`{}: {{ rate: 17585 t/yr, follows: ... }}`)",
                    b.symbol,
                    b.follows.as_deref().unwrap_or_default(),
                    b.symbol
                ));
            }
        }
    }
}

/// The decoder's units with every basis that has no written rate defined provisionally (at
/// 1 t/s), to check `display:` units that use it; the caller restores the table after.
pub(crate) fn for_display(units: &UnitTable, bases: &[Basis]) -> UnitTable {
    let mut table = units.clone();
    for b in bases.iter().filter(|b| b.rate.is_none()) {
        let _ = table.define(&b.symbol, 1.0, Dimension::TIME);
    }
    table
}

/// The solved total mass flow of `stream`, kg/s.
fn solved(result: &FlowsheetResult, stream: &str) -> Option<f64> {
    result.streams.iter().find(|s| s.name == stream).map(|s| s.stream.total_mass())
}

impl crate::Model {
    /// The units of measure the displays use for `result`: those of the file, with every
    /// basis that follows a stream at that stream's solved rate (a stream without flow
    /// makes its per-product figures NaN, never a wrong number).
    pub fn display_units(&self, result: &FlowsheetResult) -> Cow<'_, UnitTable> {
        if self.basis.iter().all(|b| b.follows.is_none()) {
            return Cow::Borrowed(&self.units_of_measure);
        }
        let mut table = self.units_of_measure.clone();
        for b in &self.basis {
            let Some(stream) = &b.follows else { continue };
            let factor = 1000.0 / solved(result, stream).unwrap_or(0.0);
            let _ = match b.rate {
                Some(_) => table.redefine(&b.symbol, factor, Dimension::TIME),
                None => table
                    .define(&b.symbol, 1.0, Dimension::TIME)
                    .and_then(|()| table.redefine(&b.symbol, factor, Dimension::TIME)),
            };
        }
        Cow::Owned(table)
    }

    /// What the per-product displays use, where it matters: for a basis that follows a
    /// stream, its solved rate (and the written one, if they differ); for a fixed basis in a
    /// flowsheet whose design specifications resized the plant, that the displays still use
    /// the written rate.
    pub fn basis_notes(&self, result: &FlowsheetResult) -> Vec<String> {
        let t_yr = |kg_s: f64| {
            calx_core::format::sig_plain(self.units_of_measure.to_unit(kg_s, "t/yr").unwrap_or(f64::NAN), 6)
        };
        let specs = !result.solver.design_specs.is_empty() || result.solver.optimization.is_some();
        let mut notes = Vec::new();
        for b in &self.basis {
            let symbol = &b.symbol;
            match (&b.follows, b.rate) {
                (Some(stream), rate) => {
                    let now = solved(result, stream).unwrap_or(f64::NAN);
                    let mut note = format!(
                        "per-product figures (`{symbol}`) use the solved rate of `{stream}`: {} t/yr",
                        t_yr(now)
                    );
                    if let Some(rate) = rate.filter(|r| (r - now).abs() > 1e-9 * r.abs()) {
                        note.push_str(&format!("; inputs written in `{symbol}` were read at {} t/yr", t_yr(rate)));
                    }
                    notes.push(note);
                }
                (None, Some(rate)) if specs => notes.push(format!(
                    "per-product figures (`{symbol}`) use the written rate {} t/yr (`basis:`), but design specifications \
                     (or `optimize:`) resized the plant, which may now make another amount; tie the basis to the product: \
                     `{symbol}: {{ rate: {} t/yr, follows: streams.PRODUCT.total }}`",
                    t_yr(rate),
                    t_yr(rate)
                )),
                _ => {}
            }
        }
        notes
    }
}
