//! In-place LU solve with partial pivoting on the leading n×n block of a preallocated nalgebra
//! matrix, so that a Newton step allocates nothing (nalgebra's own `lu()` takes the matrix by
//! value).

use nalgebra::{DMatrix, DVector};

/// Solves `a[..n, ..n] x = b[..n]` in place (`b` becomes x). Returns the row at which a pivot
/// vanished, if one did.
pub(crate) fn solve_in_place(a: &mut DMatrix<f64>, b: &mut DVector<f64>, n: usize) -> Result<(), usize> {
    for k in 0..n {
        let (mut p, mut best) = (k, a[(k, k)].abs());
        for r in k + 1..n {
            if a[(r, k)].abs() > best {
                (p, best) = (r, a[(r, k)].abs());
            }
        }
        if best == 0.0 || !best.is_finite() {
            return Err(k);
        }
        if p != k {
            a.swap_rows(p, k);
            b.swap_rows(p, k);
        }
        let pivot = a[(k, k)];
        for r in k + 1..n {
            let f = a[(r, k)] / pivot;
            if f != 0.0 {
                for c in k..n {
                    a[(r, c)] -= f * a[(k, c)];
                }
                b[r] -= f * b[k];
            }
        }
    }
    for k in (0..n).rev() {
        let s: f64 = (k + 1..n).map(|c| a[(k, c)] * b[c]).sum();
        b[k] = (b[k] - s) / a[(k, k)];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system_in_the_leading_block() {
        let mut a = DMatrix::from_row_slice(3, 3, &[0.0, 2.0, 9.0, 1.0, 1.0, 9.0, 9.0, 9.0, 9.0]);
        let mut b = DVector::from_vec(vec![4.0, 3.0, 9.0]);
        solve_in_place(&mut a, &mut b, 2).unwrap();
        assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 2.0).abs() < 1e-15);
    }
}
