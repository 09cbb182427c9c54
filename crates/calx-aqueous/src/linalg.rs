//! In-place LU solve with partial pivoting on the leading n×n block of a preallocated
//! row-major matrix, so that a Newton step allocates nothing. Row-major, because the
//! elimination subtracts rows: each update runs over contiguous memory.
//!
//! The solver's systems are small (n ≈ 10): there the elimination runs on a copy in a
//! fixed-width array on the stack, with the right-hand side as its last column, so that every
//! row update is one loop of a length known at compile time (unrolled, no remainder, no bounds
//! checks) instead of a short loop of varying length whose set-up costs more than its
//! arithmetic. Every entry the general version computes is computed by the same operations in
//! the same order, so the solution is the same to the bit.

/// Solves `a[..n, ..n] x = b[..n]` in place (`b` becomes x), where row r of `a` starts at
/// `r * ld`. Returns the row at which a pivot vanished, if one did. Only the leading block is
/// read; it may be left overwritten (stale below the diagonal) or as it was.
pub(crate) fn solve_in_place(a: &mut [f64], ld: usize, b: &mut [f64], n: usize) -> Result<(), usize> {
    debug_assert!(n <= ld && a.len() >= n * ld && b.len() >= n);
    match n {
        0..8 => solve_fixed::<8>(a, ld, b, n),
        8..12 => solve_fixed::<12>(a, ld, b, n),
        12..16 => solve_fixed::<16>(a, ld, b, n),
        _ => solve_general(a, ld, b, n),
    }
}

/// As [`solve_in_place`] for n < W, on a W×W copy whose column W - 1 holds `b` (the
/// columns between n and W - 1 are zero and stay zero). A row update runs over all W
/// columns: those left of the pivot column are never read again, and the pivot search and
/// the back substitution read only what the general version reads.
fn solve_fixed<const W: usize>(a: &[f64], ld: usize, b: &mut [f64], n: usize) -> Result<(), usize> {
    // Known below W, n lets the compiler drop the bounds checks of the loops below.
    assert!(n < W && b.len() >= n);
    let mut m = [[0.0f64; W]; W];
    for r in 0..n {
        m[r][..n].copy_from_slice(&a[r * ld..r * ld + n]);
        m[r][W - 1] = b[r];
    }
    for k in 0..n {
        let (mut p, mut best) = (k, m[k][k].abs());
        for (r, row) in m[..n].iter().enumerate().skip(k + 1) {
            let v = row[k].abs();
            if v > best {
                (p, best) = (r, v);
            }
        }
        if best == 0.0 || !best.is_finite() {
            return Err(k);
        }
        if p != k {
            m.swap(p, k);
        }
        let pivot_row = m[k];
        let pivot = pivot_row[k];
        for row in &mut m[k + 1..n] {
            let f = row[k] / pivot;
            if f != 0.0 {
                for (v, u) in row.iter_mut().zip(&pivot_row) {
                    *v -= f * u;
                }
            }
        }
    }
    for k in (0..n).rev() {
        let s: f64 = m[k][k + 1..n].iter().zip(&b[k + 1..n]).map(|(x, y)| x * y).sum();
        b[k] = (m[k][W - 1] - s) / m[k][k];
    }
    Ok(())
}

/// The general case: elimination in `a` itself.
fn solve_general(a: &mut [f64], ld: usize, b: &mut [f64], n: usize) -> Result<(), usize> {
    let b = &mut b[..n];
    for k in 0..n {
        let (mut p, mut best) = (k, a[k * ld + k].abs());
        for r in k + 1..n {
            let v = a[r * ld + k].abs();
            if v > best {
                (p, best) = (r, v);
            }
        }
        if best == 0.0 || !best.is_finite() {
            return Err(k);
        }
        if p != k {
            // Columns left of k are not read again: swapping from k is enough.
            let (top, bottom) = a.split_at_mut(p * ld);
            top[k * ld + k..k * ld + n].swap_with_slice(&mut bottom[k..n]);
            b.swap(p, k);
        }
        let (top, bottom) = a.split_at_mut((k + 1) * ld);
        let row_k = &top[k * ld + k..k * ld + n];
        let (pivot, bk) = (row_k[0], b[k]);
        for (row, br) in bottom.chunks_exact_mut(ld).zip(b[k + 1..].iter_mut()) {
            let f = row[k] / pivot;
            if f != 0.0 {
                for (v, u) in row[k + 1..n].iter_mut().zip(&row_k[1..]) {
                    *v -= f * u;
                }
                *br -= f * bk;
            }
        }
    }
    for k in (0..n).rev() {
        let s: f64 = a[k * ld + k + 1..k * ld + n].iter().zip(&b[k + 1..]).map(|(x, y)| x * y).sum();
        b[k] = (b[k] - s) / a[k * ld + k];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system_in_the_leading_block() {
        let mut a = [0.0, 2.0, 9.0, 1.0, 1.0, 9.0, 9.0, 9.0, 9.0];
        let mut b = [4.0, 3.0, 9.0];
        solve_in_place(&mut a, 3, &mut b, 2).unwrap();
        assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 2.0).abs() < 1e-15);
    }

    /// The fixed-width path gives the general elimination's solution to the bit, pivoting
    /// included, for every width it serves.
    #[test]
    fn fixed_width_matches_the_general_elimination() {
        let ld = 17;
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        };
        for n in 1..16 {
            let a: Vec<f64> = (0..ld * ld).map(|_| next()).collect();
            let b: Vec<f64> = (0..ld).map(|_| next()).collect();
            let (mut a1, mut b1) = (a.clone(), b.clone());
            let (mut a2, mut b2) = (a.clone(), b.clone());
            solve_in_place(&mut a1, ld, &mut b1, n).unwrap();
            solve_general(&mut a2, ld, &mut b2, n).unwrap();
            assert_eq!(b1[..n], b2[..n], "n = {n}");
        }
    }

    #[test]
    fn a_singular_matrix_names_its_row() {
        let mut a = [1.0, 2.0, 2.0, 4.0];
        let mut b = [1.0, 1.0];
        assert_eq!(solve_in_place(&mut a, 2, &mut b, 2), Err(1));
    }
}
