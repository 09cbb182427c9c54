//! `calx fit` end to end on synthetic data: known parameters, a fixed seed, Gaussian noise.

use super::*;

/// SplitMix64 then Box–Muller: a reproducible standard normal stream.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The truth: shrinking core under reaction control, k_ref 0.3 1/h at 25 degC, Ea 40 kJ/mol,
/// 85 % ultimate conversion.
fn truth() -> RateLaw {
    RateLaw {
        form: RateForm::ShrinkingCoreReaction,
        k_ref: 0.3 / 3600.0,
        t_ref: 298.15,
        activation_energy: 40e3,
        co2_order: 0.0,
        co2_ref: 1e5,
        size_exponent: 1.0,
        d_ref: 10e-6,
        x_max: 0.85,
    }
}

/// CSV of `per_curve` points per temperature over 0.1..3 h, noise sd 0.01.
fn synthetic(temperatures_c: &[f64], per_curve: usize, seed: u64) -> String {
    let mut noise = Noise(seed);
    let mut csv = String::from("experiment,time [h],conversion [-],T [degC]\n");
    for t in temperatures_c {
        for i in 1..=per_curve {
            let hours = 3.0 * i as f64 / per_curve as f64;
            let cond = Conditions { temperature: t + 273.15, co2: 1e5, particle_size: 10e-6 };
            let x = calx_kinetics::batch_conversion(&truth(), &cond, hours * 3600.0).unwrap();
            csv.push_str(&format!("T{t},{hours},{},{t}\n", x + 0.01 * noise.normal()));
        }
    }
    csv
}

const FIT: &str = "fit: synthetic\ndata: synthetic.csv\nmodel:\n  rate_law: shrinking_core_reaction\n  pco2: 1 bar\n  particle_size: 10 um\nparameters:\n  rate_constant: { start: 0.05 1/h, min: 1e-3 1/h, max: 1e3 1/h }\n  activation_energy: { start: 20 kJ/mol, min: 0 kJ/mol, max: 150 kJ/mol }\n  ultimate_conversion: { start: 0.6, min: 0.1, max: 1 }\nstarts: 4\n";

fn run(csv: &str) -> FitOutcome {
    FitJob::from_texts(FIT, "fit.yaml", csv, "synthetic.csv").unwrap().run().unwrap()
}

fn estimate<'a>(o: &'a FitOutcome, name: &str) -> &'a FittedParameter {
    o.parameters.iter().find(|p| p.name == name).unwrap()
}

#[test]
fn recovers_known_parameters_within_their_95_percent_intervals() {
    let o = run(&synthetic(&[30.0, 45.0, 60.0], 10, 7));
    let law = truth();
    for (name, true_si) in
        [("rate_constant", law.k_ref), ("activation_energy", law.activation_energy), ("ultimate_conversion", law.x_max)]
    {
        let p = estimate(&o, name);
        assert!(p.free);
        let (lo, hi) = p.estimate.confidence_interval.unwrap_or_else(|| panic!("{name} has no interval: {p:?}"));
        assert!(lo <= true_si && true_si <= hi, "{name}: truth {true_si} outside [{lo}, {hi}]");
    }
    assert!(o.fit.r_squared > 0.99, "R^2 {}", o.fit.r_squared);
    assert_eq!(o.points.len(), 30);
    assert!(o.study_block.is_some());
    assert!(o.flowsheet_block.contains("rate_constant: { Ca(OH)2: "), "{}", o.flowsheet_block);
}

#[test]
fn intervals_narrow_with_more_data() {
    let width = |o: &FitOutcome, name: &str| {
        let (lo, hi) = estimate(o, name).estimate.confidence_interval.unwrap();
        hi - lo
    };
    let few = run(&synthetic(&[30.0, 45.0, 60.0], 6, 11));
    let many = run(&synthetic(&[30.0, 45.0, 60.0], 60, 11));
    for name in ["rate_constant", "activation_energy", "ultimate_conversion"] {
        // sqrt(10) more points: about 3x narrower; 2x leaves room for noise.
        assert!(
            width(&many, name) < width(&few, name) / 2.0,
            "{name}: {} vs {}",
            width(&many, name),
            width(&few, name)
        );
    }
}

#[test]
fn an_activation_energy_from_one_temperature_is_reported_unidentifiable() {
    let o = run(&synthetic(&[45.0], 20, 3));
    let ea = estimate(&o, "activation_energy");
    assert!(
        matches!(ea.estimate.identifiability, calx_fit::Identifiability::Unidentifiable(_)),
        "{:?}",
        ea.estimate.identifiability
    );
    assert!(ea.estimate.confidence_interval.is_none());
    assert!(o.study_block.is_none(), "no covariance may be handed to a study when a direction is undetermined");
}

#[test]
fn the_flowsheet_block_reads_back_the_fitted_values() {
    let o = run(&synthetic(&[30.0, 60.0], 12, 5));
    let k = estimate(&o, "rate_constant");
    let line = o.flowsheet_block.lines().find(|l| l.starts_with("rate_constant:")).unwrap();
    let written: f64 = line.split(": ").nth(2).unwrap().trim_end_matches(" 1/h }").parse().unwrap();
    assert!((written - k.value).abs() <= 1e-5 * k.value, "{line} vs {}", k.value);
    assert!((k.value - k.estimate.value * 3600.0).abs() < 1e-9 * k.value);
}
