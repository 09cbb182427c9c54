//! Benchmarks of the rate integrations a reactor model runs per flowsheet solve (and so per
//! study sample): one mixed-flow (CSTR) mean conversion, shrinking core under reaction
//! control, one size class (aim: under 20 µs), and batch curves at 30 times.
//!
//! `cargo bench -p calx-kinetics`

use calx_kinetics::{Conditions, RateForm, RateLaw, ReactorMode, SizeClasses, batch_curve, reactor_conversion};
use divan::black_box;

fn main() {
    divan::main();
}

/// Reaction control with `tau = 600 s` at 100 µm, 60 °C and 15 kPa CO2 (first order).
fn law() -> (RateLaw, Conditions) {
    let mut law = RateLaw::new(RateForm::ShrinkingCoreReaction, 1.0 / 600.0, 100e-6);
    law.t_ref = 333.15;
    law.activation_energy = 40e3;
    law.co2_order = 1.0;
    law.co2_ref = 15e3;
    law.x_max = 0.8;
    (law, Conditions { temperature: 333.15, co2: 15e3, particle_size: 100e-6 })
}

#[divan::bench]
fn cstr_shrinking_core_reaction(bencher: divan::Bencher) {
    let (law, cond) = law();
    let mode = ReactorMode::Cstr { residence_time: 900.0 };
    bencher.bench_local(|| reactor_conversion(black_box(&law), black_box(&mode), black_box(&cond)).unwrap());
}

#[divan::bench]
fn cstr_series_4_shrinking_core_diffusion(bencher: divan::Bencher) {
    let (mut law, cond) = law();
    law.form = RateForm::ShrinkingCoreDiffusion;
    let mode = ReactorMode::CstrSeries { residence_time: 900.0, n: 4 };
    bencher.bench_local(|| reactor_conversion(black_box(&law), black_box(&mode), black_box(&cond)).unwrap());
}

#[divan::bench]
fn batch_curve_30_times(bencher: divan::Bencher) {
    let (law, cond) = law();
    let times: Vec<f64> = (1..=30).map(|i| 20.0 * f64::from(i)).collect();
    let mut out = vec![0.0; times.len()];
    bencher.bench_local(|| batch_curve(black_box(&law), black_box(&cond), black_box(&times), &mut out).unwrap());
}

/// The same curve under product-layer diffusion control, the hardest form to integrate (its
/// rate is infinite at the start and vanishes like a square root at completion).
#[divan::bench]
fn batch_curve_30_times_diffusion(bencher: divan::Bencher) {
    let (mut law, cond) = law();
    law.form = RateForm::ShrinkingCoreDiffusion;
    let times: Vec<f64> = (1..=30).map(|i| 20.0 * f64::from(i)).collect();
    let mut out = vec![0.0; times.len()];
    bencher.bench_local(|| batch_curve(black_box(&law), black_box(&cond), black_box(&times), &mut out).unwrap());
}

#[divan::bench]
fn cstr_rosin_rammler_10_classes(bencher: divan::Bencher) {
    let (law, cond) = law();
    let psd = SizeClasses::rosin_rammler(100e-6, 1.5, 10).unwrap();
    let mode = ReactorMode::Cstr { residence_time: 900.0 };
    bencher.bench_local(|| {
        calx_kinetics::reactor_conversion_psd(black_box(&law), black_box(&mode), black_box(&cond), &psd).unwrap()
    });
}
