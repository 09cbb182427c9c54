//! Fit benchmark (divan): a 3-parameter exponential approach `y = a (1 - exp(-k t)) + c` to 200
//! noisy points, with the caller's start and 4 drawn ones (5 starts), `k` on a log scale, and
//! the full statistics.
//!
//! Run: `cargo bench -p calx-fit`.

use calx_fit::{FitOptions, Parameter, Problem, fit};

fn main() {
    divan::main();
}

/// The times and the synthetic observations (true a = 5, k = 0.3, c = 1; deterministic
/// pseudo-noise of amplitude 0.05).
fn data() -> (Vec<f64>, Vec<f64>) {
    let t: Vec<f64> = (0..200).map(|i| 0.1 * i as f64).collect();
    let y = t
        .iter()
        .enumerate()
        .map(|(i, &ti)| {
            5.0 * (1.0 - (-0.3 * ti).exp()) + 1.0 + 0.05 * ((i as f64 * 12.9898).sin() * 43_758.545).fract()
        })
        .collect();
    (t, y)
}

#[divan::bench]
fn exponential_200_points_5_starts(bencher: divan::Bencher) {
    let (t, y) = data();
    let problem = Problem::new(
        vec![
            Parameter::new("a", 1.0).bounded(0.0, 100.0),
            Parameter::new("k", 1.0).log().bounded(1e-4, 1e2),
            Parameter::new("c", 0.0).bounded(-10.0, 10.0),
        ],
        y,
    );
    let options = FitOptions { starts: 4, seed: 1, ..FitOptions::default() };
    bencher.bench(|| {
        let model = |p: &[f64], out: &mut [f64]| -> Result<(), std::convert::Infallible> {
            for (o, ti) in out.iter_mut().zip(&t) {
                *o = p[0] * (1.0 - (-p[1] * ti).exp()) + p[2];
            }
            Ok(())
        };
        fit(&problem, model, &options).expect("the benchmark problem fits")
    });
}
