//! In-place LU solve with partial pivoting on the leading n×n block of a preallocated
//! row-major matrix, so that a Newton step allocates nothing. Row-major, because the
//! elimination subtracts rows: each update runs over contiguous memory.

/// Solves `a[..n, ..n] x = b[..n]` in place (`b` becomes x), where row r of `a` starts at
/// `r * ld`. Returns the row at which a pivot vanished, if one did. Only the leading block is
/// read or written, and below the diagonal it is left stale.
pub(crate) fn solve_in_place(a: &mut [f64], ld: usize, b: &mut [f64], n: usize) -> Result<(), usize> {
    debug_assert!(n <= ld && a.len() >= n * ld && b.len() >= n);
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
}
