//! Gibbs' phase rule for the equilibrium minerals: the present minerals (with a fixed-pressure
//! gas) must have linearly independent element columns, or their saturation equations cannot
//! all hold and the Newton matrix is singular (portlandite + calcite + brucite + magnesite over
//! Ca, Mg, C; lime + portlandite; calcite + portlandite at a fixed CO2 pressure).
//!
//! PHREEQC (Parkhurst and Appelo 2013, TM 6-A43, equilibrium phases) removes a phase that
//! makes the Jacobian singular. Which one is decided here by thermodynamics: a dependence
//! Σ λ_k (column of phase k) = 0 is a reaction among the phases alone (H+ cancels too, since
//! every phase is neutral), so Σ λ_k SI_k = D := Σ λ_k (w_k log a_w - log K_k) whatever the
//! solution. Not all SI_k can be zero unless D = 0; a phase dropped from the set must end with
//! SI ≤ 0, so only a phase with λ_k D < 0 may go. Among those, the reaction among the solids
//! consumes them in proportion to |λ_k|: the reaction runs, downhill in G (by sign(D) λ), until
//! the first is exhausted (least amount / |λ_k|), which leaves; the others take up what it
//! held, as in a simplex pivot. On a cold start every mineral that can form is present (those
//! not given at zero amount), so that these pivots hand lime's amount to portlandite, or
//! aragonite's to calcite, before any Newton step. D is evaluated at the current water
//! activity; if that pick is wrong (the dropped phase ends supersaturated), the active-set
//! loop adds it back.

use crate::solve::{GasMode, Workspace};
use crate::system::System;

/// A pivot below this (the columns are small integer stoichiometries) counts as zero.
const PIVOT: f64 = 1e-9;

impl System {
    /// If the present phases' element columns are dependent: moves the present minerals'
    /// amounts (`ws.feasible`, and the Newton amounts with them) along the dependence in the
    /// direction that lowers the Gibbs energy until the first one is exhausted, takes that one
    /// out and returns it; `None` if the columns are independent. Allocates nothing (scratch
    /// in `ws`).
    pub(crate) fn pivot_out_dependent(&self, ws: &mut Workspace) -> Option<usize> {
        let ne = self.elements.len();
        let neq = self.equilibrium.len();
        let fixed_gas = ws.gas_on && matches!(ws.gas, GasMode::Fixed { .. });
        ws.dep_cols.clear();
        // The gas first: it is never taken out, and a dependence then names the minerals.
        if fixed_gas && self.co2_gas.is_some() {
            ws.dep_cols.push(neq);
        }
        ws.dep_cols.extend((0..neq).filter(|s| ws.present[*s]));
        let k = ws.dep_cols.len();
        if k < 2 {
            return None;
        }
        for (j, col) in ws.dep_cols.iter().enumerate() {
            let st = self.column(*col);
            for (r, v) in st.iter().take(ne).enumerate() {
                ws.dep[r * k + j] = *v;
            }
        }
        let (free, rank) = reduce(&mut ws.dep[..ne * k], &mut ws.dep_pivot, ne, k)?;
        // Column `free` = Σ_r a[r][free] (pivot column of row r): λ_free = 1, λ_pivot = -a.
        ws.lambda[..k].fill(0.0);
        ws.lambda[free] = 1.0;
        for r in 0..rank {
            ws.lambda[ws.dep_pivot[r]] = -ws.dep[r * k + free];
        }
        let d: f64 = (0..k).map(|j| ws.lambda[j] * self.phase_offset(ws, ws.dep_cols[j])).sum();
        let (out, reach, direction) = self.pick(ws, k, d)?;
        // The reaction among the solids runs `reach` times: the one picked is exhausted, the
        // others gain or lose in proportion (the gas's share comes from the fixed reservoir).
        for j in 0..k {
            let col = ws.dep_cols[j];
            if col < neq {
                let dn = reach * direction * ws.lambda[j];
                ws.feasible[col] = (ws.feasible[col] + dn).max(0.0);
                ws.amount[col] += dn;
            }
        }
        ws.present[out] = false;
        ws.feasible[out] = 0.0;
        ws.amount[out] = 0.0;
        Some(out)
    }

    /// Among the minerals of the dependence in `ws.lambda`, the one to take out: the first
    /// exhausted (least amount / |λ|) of those that the reaction lowering the Gibbs energy
    /// consumes (λ D < 0: moving by sign(D) λ changes G by -|D| RT ln 10 per unit), or of all
    /// of them if D is nil. Returns it, how far the reaction runs, and its direction.
    fn pick(&self, ws: &Workspace, k: usize, d: f64) -> Option<(usize, f64, f64)> {
        let neq = self.equilibrium.len();
        let best = |direction: &dyn Fn(f64) -> f64| {
            let mut best: Option<(usize, f64, f64)> = None;
            for j in 0..k {
                let (col, l) = (ws.dep_cols[j], ws.lambda[j]);
                let dir = direction(l);
                if col == neq || l.abs() < PIVOT || dir * l >= 0.0 {
                    continue;
                }
                let reach = ws.feasible[col].max(0.0) / l.abs();
                if best.is_none_or(|(_, b, _)| reach < b) {
                    best = Some((col, reach, dir));
                }
            }
            best
        };
        let descent = if d > 0.0 { 1.0 } else { -1.0 };
        let found = if d != 0.0 { best(&|_| descent) } else { None };
        found.or_else(|| best(&|l| -l.signum()))
    }

    /// The element stoichiometry of phase `col` (an equilibrium slot, or the gas as `neq`).
    pub(crate) fn column(&self, col: usize) -> &[f64] {
        match self.equilibrium.get(col) {
            Some(m) => &self.minerals[*m].stoich,
            None => self.co2_gas.as_ref().map_or(&[], |g| &g.stoich),
        }
    }

    /// w log a_w - log K of phase `col`: its saturation index less the master-species terms
    /// (for the gas, log K includes the target log fugacity).
    fn phase_offset(&self, ws: &Workspace, col: usize) -> f64 {
        match self.equilibrium.get(col) {
            Some(m) => self.minerals[*m].water * ws.law - ws.lk_minerals[*m],
            None => {
                let log_f = match ws.gas {
                    GasMode::Fixed { log_f } => log_f,
                    _ => 0.0,
                };
                self.co2_gas.as_ref().map_or(0.0, |g| g.water * ws.law) - ws.lk_co2 - log_f
            }
        }
    }
}

/// Gauss-Jordan elimination with partial pivoting of the `rows` × `cols` matrix `a`
/// (row-major) column by column; returns the first column that is a combination of the earlier
/// ones and the rank before it, with `pivot[r]` the column of the r-th pivot row (r < rank) and
/// column `free` of `a` holding the combination's coefficients in those rows.
fn reduce(a: &mut [f64], pivot: &mut [usize], rows: usize, cols: usize) -> Option<(usize, usize)> {
    // Every column before the first dependent one is a pivot: the rank is the column index.
    for (rank, j) in (0..cols).enumerate() {
        let p = (rank..rows).max_by(|x, y| a[x * cols + j].abs().total_cmp(&a[y * cols + j].abs()));
        let Some(p) = p.filter(|p| a[p * cols + j].abs() > PIVOT) else {
            return Some((j, rank));
        };
        for c in 0..cols {
            a.swap(p * cols + c, rank * cols + c);
        }
        let inv = 1.0 / a[rank * cols + j];
        for c in 0..cols {
            a[rank * cols + c] *= inv;
        }
        for r in (0..rows).filter(|r| *r != rank) {
            let f = a[r * cols + j];
            if f != 0.0 {
                for c in 0..cols {
                    a[r * cols + c] -= f * a[rank * cols + c];
                }
            }
        }
        pivot[rank] = j;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Portlandite, calcite, brucite, magnesite over (Ca, Mg, C): magnesite = calcite -
    /// portlandite + brucite.
    #[test]
    fn finds_the_dependence_of_the_carbonated_slurry() {
        let mut a = vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let mut pivot = vec![0; 3];
        assert_eq!(reduce(&mut a, &mut pivot, 3, 4), Some((3, 3)));
        let coefficient = |col: usize| (0..3).find(|r| pivot[*r] == col).map(|r| a[r * 4 + 3]).unwrap();
        assert_eq!((coefficient(0), coefficient(1), coefficient(2)), (-1.0, 1.0, 1.0));
    }
}
