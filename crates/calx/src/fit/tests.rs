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
    synthetic_over(temperatures_c, per_curve, seed, 3.0)
}

/// [`synthetic`] over `span` hours.
fn synthetic_over(temperatures_c: &[f64], per_curve: usize, seed: u64, span: f64) -> String {
    let mut noise = Noise(seed);
    let mut csv = String::from("experiment,time [h],conversion [-],T [degC]\n");
    for t in temperatures_c {
        for i in 1..=per_curve {
            let hours = span * i as f64 / per_curve as f64;
            let cond = Conditions { temperature: t + 273.15, co2: 1e5, particle_size: 10e-6 };
            let x = calx_kinetics::batch_conversion(&truth(), &cond, hours * 3600.0).unwrap();
            csv.push_str(&format!("T{t},{hours},{},{t}\n", x + 0.01 * noise.normal()));
        }
    }
    csv
}

const FIT: &str = "fit: synthetic\ndata: synthetic.csv\nmodel:\n  rate_law: shrinking_core_reaction\n  reference_temperature: 25 degC\n  pco2: 1 bar\n  particle_size: 10 um\nparameters:\n  rate_constant: { start: 0.05 1/h, min: 1e-3 1/h, max: 1e3 1/h }\n  activation_energy: { start: 20 kJ/mol, min: 0 kJ/mol, max: 150 kJ/mol }\n  ultimate_conversion: { start: 0.6, min: 0.1, max: 1 }\nstarts: 4\n";

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
    assert!(o.study_block.is_ok(), "{:?}", o.study_block);
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
    assert!(o.study_block.is_err(), "no covariance may be handed to a study when a direction is undetermined");
    let line = o.flowsheet_block.lines().find(|l| l.contains("activation_energy:")).unwrap();
    assert!(line.starts_with("# NOT IDENTIFIED"), "an undetermined value is not pasted as if known: {line}");
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

#[test]
fn without_a_reference_temperature_the_datas_own_is_used() {
    // 1 / mean(1/T) over 30, 45 and 60 degC is 317.67 K (44.5 degC), rounded to 45 degC.
    let fit = FIT.replace("  reference_temperature: 25 degC\n", "");
    let job = FitJob::from_texts(&fit, "fit.yaml", &synthetic(&[30.0, 45.0, 60.0], 4, 1), "s.csv").unwrap();
    assert_eq!(job.reference_temperature(), 318.15);
    assert!(job.run().unwrap().flowsheet_block.contains("reference_temperature: 45 degC"));
    // Data at 75-85 degC: a rate constant referred to 25 degC is nearly collinear with the
    // activation energy (a correlation warning); referred to the data's 80 degC it is not.
    let hot = synthetic_over(&[75.0, 80.0, 85.0], 12, 5, 0.3);
    let r = |fit_text: &str| {
        let o = FitJob::from_texts(fit_text, "fit.yaml", &hot, "s.csv").unwrap().run().unwrap();
        o.fit.correlation[0][1].unwrap().abs()
    };
    let (at_25, at_data) = (r(FIT), r(&fit));
    assert!(at_25 > 0.99 && at_data < 0.5, "|r| {at_25} at 25 degC, {at_data} at the data's");
}

#[test]
fn a_wide_rate_constant_goes_to_the_study_on_a_log_scale() {
    let o = run(&synthetic(&[30.0, 45.0, 60.0], 10, 7));
    let block = o.study_block.clone().unwrap();
    let k_line = block.lines().find(|l| l.contains("rate_constant")).unwrap();
    assert!(k_line.contains("scale: log"), "{k_line}");
    // Its mean is ln of the estimate in 1/h.
    let k = estimate(&o, "rate_constant").value;
    let mean_line = block.lines().find(|l| l.trim_start().starts_with("mean:")).unwrap();
    let first: f64 = mean_line.split('[').nth(1).unwrap().split(',').next().unwrap().trim().parse().unwrap();
    assert!((first - k.ln()).abs() < 1e-12, "{first} vs ln {k}");
}
