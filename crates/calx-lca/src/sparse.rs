//! Compressed sparse row matrices and the linear solvers of the matrix method.
//!
//! Background databases are very sparse (a process has a handful of inputs among thousands
//! of processes), so the technosphere matrix `A` is stored in CSR form and `A s = f` is solved
//! by symmetric Gauss-Seidel (a forward then a backward sweep per iteration, so that both
//! supplier-first and consumer-first orderings converge in a few sweeps). For a Leontief
//! matrix (positive diagonal, non-positive off-diagonals) Gauss-Seidel converges exactly when
//! the system is productive (`A` is a non-singular M-matrix); otherwise it diverges, which is
//! reported as [`LcaError::NotProductive`]. A dense LU solve (nalgebra) is the cross-check and
//! the fallback for small systems that converge too slowly or have a non-Leontief sign
//! pattern.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::error::{LcaError, Result};

/// A sparse matrix in compressed sparse row form.
#[derive(Clone, Debug, PartialEq)]
pub struct CsrMatrix {
    rows: usize,
    cols: usize,
    /// `row_start[i]..row_start[i + 1]` indexes row `i` in `col_index` and `values`.
    row_start: Vec<usize>,
    col_index: Vec<usize>,
    values: Vec<f64>,
}

impl CsrMatrix {
    /// Build from (row, column, value) triplets; duplicates are summed, exact zeros dropped.
    /// Triplets outside `rows x cols` are a programming error and panic.
    pub fn from_triplets(rows: usize, cols: usize, triplets: &[(usize, usize, f64)]) -> CsrMatrix {
        let mut sorted: Vec<(usize, usize, f64)> = triplets.to_vec();
        sorted.sort_by_key(|t| (t.0, t.1));
        let mut row_start = vec![0; rows + 1];
        let mut col_index = Vec::with_capacity(sorted.len());
        let mut values: Vec<f64> = Vec::with_capacity(sorted.len());
        let mut last: Option<(usize, usize)> = None;
        let mut counts = vec![0usize; rows];
        for (r, c, v) in sorted {
            assert!(r < rows && c < cols, "triplet ({r}, {c}) outside a {rows} x {cols} matrix");
            if last == Some((r, c)) {
                if let Some(x) = values.last_mut() {
                    *x += v;
                }
            } else {
                col_index.push(c);
                values.push(v);
                counts[r] += 1;
                last = Some((r, c));
            }
        }
        for r in 0..rows {
            row_start[r + 1] = row_start[r] + counts[r];
        }
        let mut m = CsrMatrix { rows, cols, row_start, col_index, values };
        m.drop_zeros();
        m
    }

    fn drop_zeros(&mut self) {
        let mut row_start = vec![0; self.rows + 1];
        let mut col_index = Vec::with_capacity(self.values.len());
        let mut values = Vec::with_capacity(self.values.len());
        for r in 0..self.rows {
            for k in self.row_start[r]..self.row_start[r + 1] {
                if self.values[k] != 0.0 {
                    col_index.push(self.col_index[k]);
                    values.push(self.values[k]);
                }
            }
            row_start[r + 1] = values.len();
        }
        self.row_start = row_start;
        self.col_index = col_index;
        self.values = values;
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// Number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// The stored entries of row `r` as (column, value).
    pub fn row(&self, r: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.row_start[r]..self.row_start[r + 1];
        self.col_index[range.clone()].iter().copied().zip(self.values[range].iter().copied())
    }

    /// Give the stored entry (r, c) the value `v`, which is not zero: the matrix
    /// `from_triplets` builds with `v` there, when the entry is the sum of one triplet.
    /// `false` (nothing changed) when (r, c) is not stored or `v` is zero (it would not be).
    pub fn set_stored(&mut self, r: usize, c: usize, v: f64) -> bool {
        if v == 0.0 || r >= self.rows {
            return false;
        }
        let range = self.row_start[r]..self.row_start[r + 1];
        match self.col_index[range.clone()].iter().position(|&j| j == c) {
            Some(k) => {
                self.values[range.start + k] = v;
                true
            }
            None => false,
        }
    }

    /// Entry (r, c), zero if not stored.
    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.row(r).find(|&(j, _)| j == c).map_or(0.0, |(_, v)| v)
    }

    /// `y = M x`.
    pub fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        assert_eq!(x.len(), self.cols, "vector length must equal the column count");
        (0..self.rows).map(|r| self.row(r).map(|(c, v)| v * x[c]).sum()).collect()
    }

    /// The dense copy (for the LU cross-check and small systems).
    pub fn to_dense(&self) -> DMatrix<f64> {
        let mut d = DMatrix::zeros(self.rows, self.cols);
        for r in 0..self.rows {
            for (c, v) in self.row(r) {
                d[(r, c)] = v;
            }
        }
        d
    }

    /// Whether every diagonal entry is positive and every off-diagonal entry non-positive
    /// (the sign pattern of a Leontief technosphere without co-product credits).
    pub fn is_leontief(&self) -> bool {
        (0..self.rows)
            .all(|r| self.row(r).all(|(c, v)| if c == r { v > 0.0 } else { v <= 0.0 }) && self.get(r, r) > 0.0)
    }
}

/// Which linear solver to use for `A s = f`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SolverChoice {
    /// Gauss-Seidel; if it reaches the iteration cap without diverging and the system has
    /// at most [`SolverOptions::dense_limit`] processes, dense LU (default).
    #[default]
    Auto,
    /// Gauss-Seidel only.
    Iterative,
    /// Dense LU only (small systems, cross-checks).
    Dense,
}

/// Options of the linear solve, with documented defaults.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SolverOptions {
    /// Solver choice (default [`SolverChoice::Auto`]).
    pub choice: SolverChoice,
    /// Converged when the largest change of a scaling factor in one iteration is at most
    /// `tolerance` times the largest scaling factor (default 1e-12).
    pub tolerance: f64,
    /// Iteration cap (default 10,000 symmetric sweeps).
    pub max_iterations: usize,
    /// Largest system for the dense fallback (default 2,000 processes: a 2,000 x 2,000 LU
    /// takes about a second and 32 MB).
    pub dense_limit: usize,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions { choice: SolverChoice::Auto, tolerance: 1e-12, max_iterations: 10_000, dense_limit: 2_000 }
    }
}

/// How a solve went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SolveReport {
    /// `gauss-seidel` or `dense-lu`.
    pub method: String,
    /// Symmetric sweeps (0 for LU).
    pub iterations: usize,
    /// Largest |A s - f| relative to the largest |f|.
    pub relative_residual: f64,
}

/// Solve `A s = f` with the chosen method.
pub fn solve(a: &CsrMatrix, f: &[f64], options: &SolverOptions) -> Result<(Vec<f64>, SolveReport)> {
    assert_eq!(a.rows(), a.cols(), "the technosphere matrix must be square");
    assert_eq!(f.len(), a.rows(), "the demand vector must have one entry per process");
    match options.choice {
        SolverChoice::Dense => solve_dense(a, f),
        SolverChoice::Iterative => gauss_seidel(a, f, options).map_err(|(e, _)| e),
        SolverChoice::Auto => match gauss_seidel(a, f, options) {
            Ok(x) => Ok(x),
            Err((e, stalled)) if stalled && a.rows() <= options.dense_limit => {
                let (s, report) = solve_dense(a, f)?;
                // A Leontief system with non-negative demand is productive only if every
                // activity comes out non-negative; a negative one means the loop needs more
                // than it makes, which LU alone would hide.
                if a.is_leontief() && f.iter().all(|&x| x >= 0.0) && s.iter().any(|&x| x < 0.0) {
                    return Err(e);
                }
                Ok((s, report))
            }
            Err((e, _)) => Err(e),
        },
    }
}

fn residual(a: &CsrMatrix, s: &[f64], f: &[f64]) -> f64 {
    let scale = f.iter().fold(0.0_f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
    a.mul_vec(s).iter().zip(f).fold(0.0_f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// Symmetric Gauss-Seidel. The error's flag says whether the iteration merely stalled at the
/// cap (`true`, a dense solve may still succeed) or diverged / cannot start (`false`).
fn gauss_seidel(
    a: &CsrMatrix,
    f: &[f64],
    options: &SolverOptions,
) -> std::result::Result<(Vec<f64>, SolveReport), (LcaError, bool)> {
    let n = a.rows();
    let diag = diagonal(a)?;
    let mut s: Vec<f64> = f.iter().zip(&diag).map(|(x, d)| x / d).collect();
    let f_scale = f.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if f_scale == 0.0 {
        return Ok((
            vec![0.0; n],
            SolveReport { method: "gauss-seidel".into(), iterations: 0, relative_residual: 0.0 },
        ));
    }
    for iteration in 1..=options.max_iterations {
        let change = symmetric_sweep(a, f, &diag, &mut s);
        let s_scale = s.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        if !s_scale.is_finite() || s_scale > 1e30 * f_scale.max(1.0) {
            let reason =
                "the scaling factors grow without bound (a loop of processes needs more of a product than it makes)"
                    .to_string();
            return Err((LcaError::NotProductive { reason, iterations: iteration }, false));
        }
        if change <= options.tolerance * s_scale {
            let relative_residual = residual(a, &s, f);
            return Ok((s, SolveReport { method: "gauss-seidel".into(), iterations: iteration, relative_residual }));
        }
    }
    let reason = format!(
        "Gauss-Seidel did not converge (relative residual {:.3e}); the system is at best barely productive",
        residual(a, &s, f)
    );
    Err((LcaError::NotProductive { reason, iterations: options.max_iterations }, true))
}

/// The diagonal of `A`, every entry above zero (a process makes more of its product than it
/// uses); the error's flag is `false`, as for [`gauss_seidel`].
fn diagonal(a: &CsrMatrix) -> std::result::Result<Vec<f64>, (LcaError, bool)> {
    let mut diag = vec![0.0; a.rows()];
    for (r, d) in diag.iter_mut().enumerate() {
        *d = a.get(r, r);
        if d.is_nan() || *d <= 0.0 {
            let reason = format!(
                "process {r} has a diagonal entry of {d} (it uses at least one unit of its own product per unit made)"
            );
            return Err((LcaError::NotProductive { reason, iterations: 0 }, false));
        }
    }
    Ok(diag)
}

/// One forward and one backward Gauss-Seidel sweep over `s`; the largest change of an entry.
fn symmetric_sweep(a: &CsrMatrix, f: &[f64], diag: &[f64], s: &mut [f64]) -> f64 {
    let update = |s: &mut [f64], r: usize| -> f64 {
        let mut sum = f[r];
        for (c, v) in a.row(r) {
            if c != r {
                sum -= v * s[c];
            }
        }
        let new = sum / diag[r];
        let change = (new - s[r]).abs();
        s[r] = new;
        change
    };
    let mut change = 0.0_f64;
    for r in 0..s.len() {
        change = change.max(update(s, r));
    }
    for r in (0..s.len()).rev() {
        change = change.max(update(s, r));
    }
    change
}

/// Dense LU solve of `A s = f`.
pub fn solve_dense(a: &CsrMatrix, f: &[f64]) -> Result<(Vec<f64>, SolveReport)> {
    let lu = a.to_dense().lu();
    let s = lu
        .solve(&DVector::from_column_slice(f))
        .ok_or_else(|| LcaError::Singular(format!("LU of the {} x {} matrix has a zero pivot", a.rows(), a.cols())))?;
    let s: Vec<f64> = s.iter().copied().collect();
    if s.iter().any(|x| !x.is_finite()) {
        return Err(LcaError::Singular("the LU solution is not finite".into()));
    }
    let relative_residual = residual(a, &s, f);
    Ok((s, SolveReport { method: "dense-lu".into(), iterations: 0, relative_residual }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triplets_are_summed_and_zeros_dropped() {
        let m = CsrMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 0, 2.0), (0, 0, 0.5), (1, 1, 0.0)]);
        assert_eq!(m.get(0, 0), 1.5);
        assert_eq!(m.get(1, 0), 2.0);
        assert_eq!(m.nnz(), 2);
        assert_eq!(m.mul_vec(&[1.0, 3.0]), vec![1.5, 2.0]);
    }

    #[test]
    fn gauss_seidel_matches_lu_on_a_loop() {
        // Two processes feeding each other: 0 needs 0.3 of 1, 1 needs 0.2 of 0.
        let a = CsrMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 1, 1.0), (1, 0, -0.3), (0, 1, -0.2)]);
        let f = [1.0, 0.0];
        let (s, report) =
            solve(&a, &f, &SolverOptions { choice: SolverChoice::Iterative, ..SolverOptions::default() }).unwrap();
        let (d, _) = solve_dense(&a, &f).unwrap();
        // By hand: s0 = 1 + 0.2 s1, s1 = 0.3 s0 -> s0 = 1/0.94.
        assert!((s[0] - 1.0 / 0.94).abs() < 1e-12 && (s[1] - 0.3 / 0.94).abs() < 1e-12, "{s:?}");
        assert!((s[0] - d[0]).abs() < 1e-12 && (s[1] - d[1]).abs() < 1e-12);
        assert!(report.relative_residual < 1e-12);
    }

    #[test]
    fn a_loop_that_needs_more_than_it_makes_is_not_productive() {
        let a = CsrMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 1, 1.0), (1, 0, -2.0), (0, 1, -0.8)]);
        let err = solve(&a, &[1.0, 0.0], &SolverOptions::default()).unwrap_err();
        assert!(matches!(err, LcaError::NotProductive { .. }), "{err}");
        let own = CsrMatrix::from_triplets(1, 1, &[(0, 0, -0.1)]);
        assert!(solve(&own, &[1.0], &SolverOptions::default()).unwrap_err().to_string().contains("own product"));
    }
}
