//! `calx fit` on 200 points (issue target: under 1 s): a shrinking-core law with three free
//! parameters fitted to four temperatures of 50 points each, 8 extra starts.
//!
//! Run with `cargo bench -p calx --bench fit`.

use calx::fit::FitJob;

fn main() {
    divan::main();
}

const FIT: &str = "fit: bench\ndata: bench.csv\nmodel:\n  rate_law: shrinking_core_reaction\n  pco2: 1 bar\n  particle_size: 10 um\nparameters:\n  rate_constant: { start: 0.05 1/h, min: 1e-4 1/h, max: 100 1/h }\n  activation_energy: { start: 20 kJ/mol, min: 0 kJ/mol, max: 150 kJ/mol }\n  ultimate_conversion: { start: 0.6, min: 0.05, max: 1 }\nstarts: 8\n";

/// 200 points of the closed form (k 0.3 1/h at 25 degC, Ea 40 kJ/mol, x_max 0.85) with a
/// deterministic +-0.01 saw-tooth for noise.
fn data() -> String {
    let mut csv = String::from("experiment,time [h],conversion [-],T [degC]\n");
    for (j, t_c) in [30.0f64, 40.0, 50.0, 60.0].iter().enumerate() {
        let k = 0.3 * (-40e3 / 8.314462618 * (1.0 / (t_c + 273.15) - 1.0 / 298.15)).exp();
        for i in 1..=50u32 {
            let hours = 4.0 * f64::from(i) / 50.0;
            let x = 0.85 * (1.0 - (1.0 - (k * hours).min(1.0)).powi(3));
            let noise = 0.01 * (f64::from((i * 7 + j as u32 * 3) % 5) - 2.0) / 2.0;
            csv.push_str(&format!("T{t_c},{hours},{},{t_c}\n", x + noise));
        }
    }
    csv
}

#[divan::bench]
fn fit_200_points(bencher: divan::Bencher) {
    let job = FitJob::from_texts(FIT, "bench.yaml", &data(), "bench.csv").expect("valid fit");
    assert_eq!(job.data.len(), 200);
    bencher.bench(|| job.run().expect("fit converges"));
}
