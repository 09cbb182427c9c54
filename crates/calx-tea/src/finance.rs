//! Discounted-cash-flow formulas: capital recovery factor, NPV, IRR, benefit-cost ratio,
//! simple payback, and the bracketed root search the IRR and the minimum selling price use.
//!
//! Conventions: `flows[t]` is the net cash flow at the *end* of year `t` (year 0 is the first
//! entry and is not discounted), discounted by `(1 + r)^t`. Rates are fractions (0.07 for
//! 7 %). Every function refuses a rate at or below -100 % and non-finite input with a
//! [`TeaError`] saying what is wrong.

use std::convert::Infallible;
use std::sync::LazyLock;

use calx_solver::{ScalarOptions, solve_bracketed};
use serde::Serialize;

use crate::error::{Flows, TeaError};

/// Capital recovery factor `r (1+r)^n / ((1+r)^n - 1)`: the share of a capital sum that,
/// paid every year for `n` years, repays it with interest at `r`. For `r = 0` it is `1/n`.
///
/// ```
/// // docs/sources.md §Capital recovery factor (engineersedge table): r 10 %, n 10 -> 0.16275
/// let f = calx_tea::finance::crf(0.10, 10.0).unwrap();
/// assert!((f - 0.16275).abs() < 5e-6);
/// ```
pub fn crf(rate: f64, years: f64) -> Result<f64, TeaError> {
    check_rate(rate)?;
    if !(years.is_finite() && years > 0.0) {
        return Err(TeaError::Lifetime { years });
    }
    if rate.abs() < 1e-12 {
        return Ok(1.0 / years);
    }
    let g = (1.0 + rate).powf(years);
    Ok(rate * g / (g - 1.0))
}

/// Present value of `flows` at `rate` (year 0 undiscounted).
pub fn npv(rate: f64, flows: &[f64]) -> Result<f64, TeaError> {
    check_rate(rate)?;
    if let Some(year) = flows.iter().position(|x| !x.is_finite()) {
        return Err(TeaError::CashFlow { year });
    }
    Ok(pv(rate, flows))
}

/// [`npv`] of flows given one by one, NaN where [`npv`] is an error: what the minimum
/// selling price's search evaluates, without collecting the flows (the same sum, the same
/// bits).
pub fn npv_of(flows: impl Iterator<Item = f64>, rate: f64) -> f64 {
    if check_rate(rate).is_err() {
        return f64::NAN;
    }
    let d = 1.0 / (1.0 + rate);
    let mut f = 1.0;
    let mut sum = 0.0;
    for x in flows {
        if !x.is_finite() {
            return f64::NAN;
        }
        sum += x * f;
        f *= d;
    }
    sum
}

fn pv(rate: f64, flows: &[f64]) -> f64 {
    let d = 1.0 / (1.0 + rate);
    let mut f = 1.0;
    let mut sum = 0.0;
    for x in flows {
        sum += x * f;
        f *= d;
    }
    sum
}

/// The sum of the magnitudes of the discounted flows: the size of the numbers whose sum
/// [`pv`] rounds.
fn pv_magnitude(rate: f64, flows: &[f64]) -> f64 {
    let d = 1.0 / (1.0 + rate);
    let mut f = 1.0;
    let mut sum = 0.0;
    for x in flows {
        sum += (x * f).abs();
        f *= d;
    }
    sum
}

fn check_rate(rate: f64) -> Result<(), TeaError> {
    if !rate.is_finite() || rate <= -1.0 {
        return Err(TeaError::Rate { rate });
    }
    Ok(())
}

/// An internal rate of return and, when the cash flows change sign more than once (so that
/// several rates may zero the NPV), a warning naming the roots found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Irr {
    /// The rate (fraction).
    pub rate: f64,
    /// Set when the flows change sign more than once.
    pub warning: Option<String>,
}

/// The internal rate of return: the rate at which the NPV of `flows` is zero.
///
/// Robust by construction: the NPV is scanned on a grid of 2,000 points in `ln(1 + r)` from
/// -99 % to +100,000 %, and every grid interval with a sign change is refined by [`root`]
/// (Brent's method, no starting guess; with a single sign change in the flows, the only root's
/// grid interval is found by binary search, which gives the same bracket). Cash flows without
/// a sign change have no IRR ([`TeaError::NoSignChange`]). With several sign changes the root
/// nearest to zero is returned (the conventional one: for a project that invests first it is
/// the one a spreadsheet's IRR finds from its 10 % guess in ordinary cases) with a warning
/// listing every root found.
pub fn irr(flows: &[f64]) -> Result<Irr, TeaError> {
    if let Some(year) = flows.iter().position(|x| !x.is_finite()) {
        return Err(TeaError::CashFlow { year });
    }
    // Counted without collecting the signs: a study computes an IRR for every sample.
    let mut signs = flows.iter().copied().filter(|x| *x != 0.0).map(f64::signum);
    let first = signs.next();
    let changes = signs
        .scan(first.unwrap_or(0.0), |last, s| {
            let changed = s != *last;
            *last = s;
            Some(changed)
        })
        .filter(|changed| *changed)
        .count();
    if changes == 0 {
        return Err(TeaError::NoSignChange(match first {
            None => Flows::Zero,
            Some(s) if s > 0.0 => Flows::Positive,
            Some(_) => Flows::Negative,
        }));
    }
    if changes == 1 {
        return match single_root(flows)? {
            Some(rate) => Ok(Irr { rate, warning: None }),
            None => Err(TeaError::NoRoot),
        };
    }
    let roots = scan_roots(flows)?;
    let Some(&best) = roots.iter().min_by(|x, y| x.abs().total_cmp(&y.abs())) else {
        return Err(TeaError::NoRoot);
    };
    let list: Vec<String> = roots.iter().map(|r| format!("{:.4} %", r * 100.0)).collect();
    let warning = format!(
        "the cash flows change sign {changes} times, so the IRR may not be unique; roots found: {}; reported: the one nearest zero",
        list.join(", ")
    );
    Ok(Irr { rate: best, warning: Some(warning) })
}

/// Points of the IRR scan grid in `ln(1 + r)` from -99 % to +100,000 %.
const IRR_GRID: usize = 2000;

/// The rate at point `i` of the IRR grid, as [`computed_rate_at`] gives it, from a table
/// made once: every IRR reads a dozen grid points, and an `exp` each cost more than the
/// additions of an NPV.
fn rate_at(i: usize) -> f64 {
    GRID_RATES.get(i).copied().unwrap_or_else(|| computed_rate_at(i))
}

/// The rates of the IRR grid, each [`computed_rate_at`] (the same bits).
static GRID_RATES: LazyLock<Vec<f64>> = LazyLock::new(|| (0..=IRR_GRID).map(computed_rate_at).collect());

/// The rate at point `i` of the IRR grid.
fn computed_rate_at(i: usize) -> f64 {
    let (lo, hi) = ((0.01f64).ln(), (1001.0f64).ln());
    (lo + (hi - lo) * i as f64 / IRR_GRID as f64).exp() - 1.0
}

/// The root of the NPV between grid points `a` and `b` (where it changes sign), given the
/// NPV at both (known from the scan: not evaluated again).
fn irr_root(flows: &[f64], (a, fa): (usize, f64), (b, fb): (usize, f64)) -> Result<f64, TeaError> {
    let lo = rate_at(a);
    root_between(|r| pv(r, flows), (lo, fa), (rate_at(b), fb), pv_magnitude(lo, flows))
}

/// The root of flows that change sign once. Descartes' rule of signs: one sign change in the
/// flows means exactly one root in 1/(1+r) > 0, so the NPV changes sign at most once on the
/// grid. That grid interval is found by binary search (11 evaluations instead of 2,001) and
/// refined exactly as the full scan would: the same bracket, the same search, the same answer.
/// The NPV at each grid point is computed once, and handed on with the point.
fn single_root(flows: &[f64]) -> Result<Option<f64>, TeaError> {
    let n = IRR_GRID;
    let f0 = pv(rate_at(0), flows);
    let crossed = |f: f64| f == 0.0 || f.signum() != f0.signum();
    if f0 == 0.0 {
        return Ok(Some(rate_at(0)));
    }
    let f_n = pv(rate_at(n), flows);
    if !crossed(f_n) {
        return Ok(None);
    }
    let (mut a, mut b) = ((0, f0), (n, f_n));
    while b.0 - a.0 > 1 {
        let m = (a.0 + b.0) / 2;
        let f = pv(rate_at(m), flows);
        if crossed(f) { b = (m, f) } else { a = (m, f) }
    }
    if b.1 == 0.0 {
        return Ok(Some(rate_at(b.0)));
    }
    irr_root(flows, a, b).map(Some)
}

/// Every root of the NPV on the IRR grid, each grid interval with a sign change refined by
/// [`root`].
fn scan_roots(flows: &[f64]) -> Result<Vec<f64>, TeaError> {
    let mut roots = Vec::new();
    let mut fa = pv(rate_at(0), flows);
    for i in 1..=IRR_GRID {
        let fb = pv(rate_at(i), flows);
        if fa == 0.0 {
            roots.push(rate_at(i - 1));
        } else if fa.signum() != fb.signum() && fb != 0.0 {
            roots.push(irr_root(flows, (i - 1, fa), (i, fb))?);
        }
        fa = fb;
    }
    if fa == 0.0 {
        roots.push(rate_at(IRR_GRID));
    }
    Ok(roots)
}

/// How closely [`root`] locates a root: `1e-14 (1 + |x|)`, a hundred times closer than the
/// bisection to `1e-12` it replaced.
const ROOT_X_TOL: f64 = 1e-14;

/// Root of `f` in `[lo, hi]`, over which `f` changes sign, by Brent's method
/// ([`calx_solver::solve_bracketed`]).
///
/// The tolerance on `f` is the change of `f` over `1e-14 (1 + |x|)` (`x` the larger end of the
/// bracket) at the slope of the bracket's secant, plus the round-off of numbers of size
/// `magnitude` (the terms `f` sums: no search can do better than their rounding). Brent stops
/// when that tolerance is met; no bound on the bracket width is set, so the tolerance, not the
/// bracket, decides. [`TeaError::Root`] when `f` does not change sign over the bracket, is not
/// finite, or the search takes more than 100 evaluations.
pub fn root(f: impl Fn(f64) -> f64, lo: f64, hi: f64, magnitude: f64) -> Result<f64, TeaError> {
    let f_hi = f(hi);
    root_between(&f, (lo, f(lo)), (hi, f_hi), magnitude)
}

/// [`root`] with `f` at both ends known (`f_lo = f(lo)`, `f_hi = f(hi)`, as `f` gives them):
/// the search asks for them again, and gets them without an evaluation. `f` gives the same
/// bits for the same argument, so the search is the very one [`root`] makes.
fn root_between(
    f: impl Fn(f64) -> f64,
    (lo, f_lo): (f64, f64),
    (hi, f_hi): (f64, f64),
    magnitude: f64,
) -> Result<f64, TeaError> {
    let slope = ((f_hi - f_lo) / (hi - lo)).abs();
    let options = ScalarOptions {
        abs_tol: (slope * ROOT_X_TOL * (1.0 + lo.abs().max(hi.abs()))).max(f64::MIN_POSITIVE),
        rel_tol: 4.0 * f64::EPSILON,
        x_tol: 0.0,
        ..ScalarOptions::default()
    };
    let known = |x: f64| match x.to_bits() {
        bits if bits == lo.to_bits() => f_lo,
        bits if bits == hi.to_bits() => f_hi,
        _ => f(x),
    };
    solve_bracketed(|x| Ok::<f64, Infallible>(known(x)), lo, hi, magnitude, &options)
        .map(|r| r.x)
        .map_err(TeaError::Root)
}

/// Benefit-cost ratio: present value of benefits over present value of costs (both given as
/// non-negative amounts per year).
pub fn benefit_cost(rate: f64, benefits: &[f64], costs: &[f64]) -> Result<f64, TeaError> {
    let c = npv(rate, costs)?;
    if c <= 0.0 {
        return Err(TeaError::NoCosts);
    }
    Ok(npv(rate, benefits)? / c)
}

/// Simple (undiscounted) payback: years from year 0 until the cumulative cash flow first
/// reaches zero, interpolating linearly within the year (the flow of year `t` accrues over
/// `(t-1, t]`). `None` when it never does.
pub fn payback(flows: &[f64]) -> Option<f64> {
    let mut cum = 0.0;
    for (t, x) in flows.iter().enumerate() {
        let before = cum;
        cum += x;
        if cum >= 0.0 {
            return Some(if t == 0 { 0.0 } else { t as f64 - 1.0 + (-before) / x });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn crf_matches_the_published_table() {
        // docs/sources.md §Capital recovery factor (engineersedge table): CRF(10 %, 10 yr) = 0.16275
        assert!((crf(0.10, 10.0).unwrap() - 0.16275).abs() < 5e-6);
        // KIGAM 2022 derived: CRF(7 %, 30 yr) = 0.080586
        assert!((crf(0.07, 30.0).unwrap() - 0.080586).abs() < 5e-7);
        assert!(close(crf(0.0, 20.0).unwrap(), 0.05, 1e-12));
        assert!(crf(-1.0, 10.0).unwrap_err().to_string().contains("above -100 %"));
        assert!(crf(0.07, -3.0).unwrap_err().to_string().contains("positive"));
    }

    #[test]
    fn npv_of_a_hand_worked_cash_flow() {
        // -100 now, +60 after one and two years at 10 %: -100 + 54.5454.. + 49.5867.. = 4.1322..
        let v = npv(0.10, &[-100.0, 60.0, 60.0]).unwrap();
        assert!(close(v, 4.132_231_404_958_68, 1e-12), "{v}");
        assert!(npv(-1.5, &[1.0]).is_err());
        assert!(npv(0.1, &[f64::NAN]).unwrap_err().to_string().contains("year 0"));
    }

    #[test]
    fn irr_of_hand_worked_cash_flows() {
        // -100, +60, +60: 60/(1+r) + 60/(1+r)^2 = 100 -> r = 0.130662.. (quadratic)
        let r = irr(&[-100.0, 60.0, 60.0]).unwrap();
        // 100 x^2 - 60 x - 60 = 0 with x = 1 + r -> x = (60 + sqrt(3600 + 24000)) / 200
        let x = (60.0 + (3600.0f64 + 24000.0).sqrt()) / 200.0;
        assert!(close(r.rate, x - 1.0, 1e-10), "{}", r.rate);
        assert!(r.warning.is_none());
        // one period: -100, +110 -> 10 %
        assert!(close(irr(&[-100.0, 110.0]).unwrap().rate, 0.10, 1e-10));
        // a losing project: -100, +50, +40 -> negative IRR, x^2 -0.5x - 0.4 = 0
        let x = (0.5 + (0.25f64 + 1.6).sqrt()) / 2.0;
        assert!(close(irr(&[-100.0, 50.0, 40.0]).unwrap().rate, x - 1.0, 1e-10));
    }

    #[test]
    fn irr_with_one_sign_change_equals_the_full_scan() {
        // The binary search over the grid must land on the same bracket as the scan and so
        // give the same bits; flows shaped like plant projects (invest, then earn) and odd ones.
        let cases: [&[f64]; 5] = [
            &[-100.0, 60.0, 60.0],
            &[-330.0, -20.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0, 35.0],
            &[-1e9, 1.0, 1.0, 1.0],
            &[-1.0, 0.0, 0.0, 5000.0],
            &[50.0, -40.0, -40.0],
        ];
        for flows in cases {
            let fast = irr(flows).map(|r| r.rate);
            let scan = super::scan_roots(flows)
                .map_err(|e| e.to_string())
                .and_then(|r| r.first().copied().ok_or_else(|| "no root".to_string()));
            match (fast, scan) {
                (Ok(a), Ok(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{flows:?}: {a} vs {b}"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{flows:?}: fast {a:?}, scan {b:?}"),
            }
        }
    }

    /// The IRR as it was computed before the NPV at the bracket's ends was handed on (each
    /// evaluated again) and the grid's rates were read from a table (each computed): the
    /// reference the faster search must equal bit for bit.
    fn irr_evaluating_every_point(flows: &[f64]) -> Result<f64, TeaError> {
        let plain_root = |a: usize, b: usize| {
            let lo = computed_rate_at(a);
            let f = |r: f64| pv(r, flows);
            let hi = computed_rate_at(b);
            let slope = ((f(hi) - f(lo)) / (hi - lo)).abs();
            let options = ScalarOptions {
                abs_tol: (slope * ROOT_X_TOL * (1.0 + lo.abs().max(hi.abs()))).max(f64::MIN_POSITIVE),
                rel_tol: 4.0 * f64::EPSILON,
                x_tol: 0.0,
                ..ScalarOptions::default()
            };
            solve_bracketed(|x| Ok::<f64, Infallible>(f(x)), lo, hi, pv_magnitude(lo, flows), &options)
                .map(|r| r.x)
                .map_err(TeaError::Root)
        };
        let mut roots = Vec::new();
        for i in 1..=IRR_GRID {
            let (fa, fb) = (pv(computed_rate_at(i - 1), flows), pv(computed_rate_at(i), flows));
            if fa == 0.0 {
                roots.push(computed_rate_at(i - 1));
            } else if fa.signum() != fb.signum() && fb != 0.0 {
                roots.push(plain_root(i - 1, i)?);
            }
        }
        if pv(computed_rate_at(IRR_GRID), flows) == 0.0 {
            roots.push(computed_rate_at(IRR_GRID));
        }
        roots.into_iter().min_by(|x, y| x.abs().total_cmp(&y.abs())).ok_or(TeaError::NoRoot)
    }

    #[test]
    fn irr_equals_the_search_that_evaluates_every_point_on_many_cash_flows() {
        // Plant-like flows (invest over 1-3 years, then earn or lose for 5-40 years, some
        // with a second investment that makes several sign changes), from a fixed LCG.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut compared = 0;
        for _ in 0..300 {
            let invest = 1.0 + 1e3 * next();
            let mut flows: Vec<f64> = (0..1 + (next() * 3.0) as usize).map(|_| -invest * next()).collect();
            let earn = invest * (next() - 0.1) * 0.5;
            flows.extend((0..5 + (next() * 35.0) as usize).map(|_| earn * (0.5 + next())));
            if next() < 0.2 {
                let k = flows.len() / 2;
                flows[k] -= invest * 2.0 * next();
            }
            let fast = irr(&flows).map(|r| r.rate);
            match (fast, irr_evaluating_every_point(&flows)) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.to_bits(), b.to_bits(), "{flows:?}: {a} vs {b}");
                    compared += 1;
                }
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{flows:?}: fast {a:?}, reference {b:?}"),
            }
        }
        // Most of the flows have a rate: the comparison is not vacuous.
        assert!(compared > 200, "{compared}");
    }

    #[test]
    fn the_grid_rates_read_from_the_table_are_the_rates_computed() {
        for i in 0..=IRR_GRID {
            let computed = computed_rate_at(std::hint::black_box(i));
            assert_eq!(rate_at(i).to_bits(), computed.to_bits(), "grid point {i}");
        }
        assert_eq!(rate_at(IRR_GRID + 1).to_bits(), computed_rate_at(IRR_GRID + 1).to_bits());
    }

    #[test]
    fn irr_without_a_sign_change_is_an_error() {
        let e = irr(&[100.0, 10.0, 10.0]).unwrap_err().to_string();
        assert!(e.contains("never change sign") && e.contains("nothing is invested"), "{e}");
        let e = irr(&[-100.0, -10.0]).unwrap_err().to_string();
        assert!(e.contains("never earns"), "{e}");
        assert!(irr(&[0.0, 0.0]).unwrap_err().to_string().contains("zero"));
    }

    #[test]
    fn irr_with_several_sign_changes_warns_and_lists_the_roots() {
        // -100, +230, -132: roots 10 % and 20 % (x = 1.1 and 1.2)
        let r = irr(&[-100.0, 230.0, -132.0]).unwrap();
        assert!(close(r.rate, 0.10, 1e-9), "{}", r.rate);
        let w = r.warning.unwrap();
        assert!(w.contains("10.0000 %") && w.contains("20.0000 %"), "{w}");
    }

    #[test]
    fn benefit_cost_ratio() {
        // benefits 0, 110, 121; costs 100, 0, 0 at 10 %: (100 + 100) / 100 = 2
        let bc = benefit_cost(0.10, &[0.0, 110.0, 121.0], &[100.0, 0.0, 0.0]).unwrap();
        assert!(close(bc, 2.0, 1e-12));
        assert!(benefit_cost(0.1, &[1.0], &[0.0]).is_err());
    }

    #[test]
    fn simple_payback() {
        // -100 then +40 a year: cumulative -60, -20, +20 -> 2.5 years
        assert!(close(payback(&[-100.0, 40.0, 40.0, 40.0]).unwrap(), 2.5, 1e-12));
        assert_eq!(payback(&[-100.0, 10.0, 10.0]), None);
        assert_eq!(payback(&[0.0, 5.0]), Some(0.0));
    }

    #[test]
    fn root_needs_a_bracket() {
        assert!(root(|x| x * x + 1.0, -1.0, 1.0, 1.0).is_err());
        let r = root(|x| x - 0.3, 0.0, 1.0, 1.0).unwrap();
        assert!(close(r, 0.3, 1e-10));
    }
}
