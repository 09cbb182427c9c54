//! Batch conversion: the integrated rate equations against their closed forms (Levenspiel,
//! *Chemical Reaction Engineering*, 3rd ed., ch. 25 for the shrinking core; the Avrami and
//! power-law integrals are elementary), and the rate constant's dependence on conditions.

use calx_kinetics::{
    Conditions, GAS_CONSTANT, KineticsError, RateForm, RateLaw, batch_conversion, batch_curve, closed_form_conversion,
};

fn cond() -> Conditions {
    Conditions { temperature: 298.15, co2: 1.0, particle_size: 1e-4 }
}

fn forms() -> Vec<RateForm> {
    vec![
        RateForm::ShrinkingCoreReaction,
        RateForm::ShrinkingCoreDiffusion,
        RateForm::ShrinkingCoreMixed { diffusion_ratio: 0.5 },
        RateForm::ShrinkingCoreMixed { diffusion_ratio: 4.0 },
        RateForm::Avrami { n: 0.5 },
        RateForm::Avrami { n: 1.0 },
        RateForm::Avrami { n: 2.5 },
        RateForm::PowerLaw { order: 0.0 },
        RateForm::PowerLaw { order: 0.5 },
        RateForm::PowerLaw { order: 1.0 },
        RateForm::PowerLaw { order: 2.0 },
    ]
}

#[test]
fn integrated_curves_reproduce_the_closed_forms_to_1e_8() {
    // k = 1/600 s, times to 3 tau (past completion for the shrinking core), x_max = 0.8.
    for form in forms() {
        let mut law = RateLaw::new(form, 1.0 / 600.0, 1e-4);
        law.x_max = 0.8;
        let times: Vec<f64> = (0..=90).map(|i| 20.0 * f64::from(i)).collect();
        let mut out = vec![0.0; times.len()];
        batch_curve(&law, &cond(), &times, &mut out).unwrap();
        for (t, x) in times.iter().zip(&out) {
            let exact = closed_form_conversion(&law, &cond(), *t).unwrap();
            assert!((x - exact).abs() < 1e-8, "{form:?} at t = {t}: {x} vs {exact}");
        }
        // One time at a time gives the same as the curve.
        let single = batch_conversion(&law, &cond(), 333.0).unwrap();
        assert!((single - closed_form_conversion(&law, &cond(), 333.0).unwrap()).abs() < 1e-8, "{form:?}");
    }
}

#[test]
fn diffusion_control_is_accurate_at_very_short_times() {
    // Where the rate is singular: xi ~ sqrt(3 t / tau) (Levenspiel's ash-layer equation
    // expanded), here checked against the exact closed form down to t/tau = 1e-14.
    let law = RateLaw::new(RateForm::ShrinkingCoreDiffusion, 1.0, 1e-4);
    let times = [0.0, 1e-14, 1e-12, 1e-10, 1e-6, 1e-3, 0.1, 0.99, 1.0, 5.0];
    let mut out = [0.0; 10];
    batch_curve(&law, &cond(), &times, &mut out).unwrap();
    for (t, x) in times.iter().zip(out) {
        let exact = RateForm::ShrinkingCoreDiffusion.extent_at(*t);
        assert!((x - exact).abs() < 1e-8 && (x - exact).abs() <= 1e-6 * exact.max(1e-6), "t = {t}: {x} vs {exact}");
    }
    assert_eq!(out[0], 0.0);
    assert_eq!(out[9], 1.0);
}

#[test]
fn closed_forms_invert_each_other() {
    for form in forms() {
        for i in 1..100 {
            let xi = f64::from(i) / 100.0;
            let theta = form.time_to_extent(xi);
            assert!((form.extent_at(theta) - xi).abs() < 1e-12, "{form:?} xi = {xi}");
        }
    }
}

#[test]
fn shrinking_core_closed_forms_are_levenspiels() {
    // Levenspiel ch. 25: reaction control t/tau = 1 - (1 - X)^(1/3), ash diffusion
    // t/tau = 1 - 3 (1 - X)^(2/3) + 2 (1 - X); complete at t = tau; the mixed form adds times.
    let x: f64 = 0.6;
    let g_r = 1.0 - (1.0 - x).cbrt();
    let g_d = 1.0 - 3.0 * (1.0 - x).powf(2.0 / 3.0) + 2.0 * (1.0 - x);
    assert!((RateForm::ShrinkingCoreReaction.time_to_extent(x) - g_r).abs() < 1e-15);
    assert!((RateForm::ShrinkingCoreDiffusion.time_to_extent(x) - g_d).abs() < 1e-15);
    let mixed = RateForm::ShrinkingCoreMixed { diffusion_ratio: 3.0 };
    assert!((mixed.time_to_extent(x) - (g_r + 3.0 * g_d)).abs() < 1e-15);
    assert_eq!(RateForm::ShrinkingCoreReaction.extent_at(1.0), 1.0);
    assert_eq!(RateForm::ShrinkingCoreDiffusion.extent_at(1.0), 1.0);
    assert_eq!(mixed.extent_at(4.0), 1.0);
    // Half the time under reaction control: 1 - (1/2)^3.
    assert!((RateForm::ShrinkingCoreReaction.extent_at(0.5) - 0.875).abs() < 1e-15);
    // The rates are 1 / g'(xi): 3 (1-xi)^(2/3) and 1 / (2 ((1-xi)^(-1/3) - 1)).
    assert!((RateForm::ShrinkingCoreReaction.rate(x) - 3.0 * (1.0 - x).powf(2.0 / 3.0)).abs() < 1e-14);
    let rate_d = 1.0 / (2.0 * ((1.0 - x).powf(-1.0 / 3.0) - 1.0));
    assert!((RateForm::ShrinkingCoreDiffusion.rate(x) - rate_d).abs() < 1e-13);
    let rate_m = 1.0 / (1.0 / RateForm::ShrinkingCoreReaction.rate(x) + 3.0 / rate_d);
    assert!((mixed.rate(x) - rate_m).abs() < 1e-13);
}

#[test]
fn rate_constant_follows_arrhenius_co2_order_and_size() {
    let mut law = RateLaw::new(RateForm::ShrinkingCoreDiffusion, 2e-3, 50e-6);
    law.t_ref = 323.15;
    law.activation_energy = 55e3;
    law.co2_order = 0.7;
    law.co2_ref = 10e3;
    let base = Conditions { temperature: 323.15, co2: 10e3, particle_size: 50e-6 };
    assert_eq!(law.at(&base).unwrap().k, 2e-3);
    let hot = law.at(&Conditions { temperature: 353.15, ..base }).unwrap().k;
    let arrhenius = (-55e3 / GAS_CONSTANT * (1.0 / 353.15 - 1.0 / 323.15)).exp();
    assert!((hot / 2e-3 - arrhenius).abs() < 1e-12 * arrhenius);
    let rich = law.at(&Conditions { co2: 40e3, ..base }).unwrap().k;
    assert!((rich / 2e-3 - 4f64.powf(0.7)).abs() < 1e-12);
    // Diffusion control: tau ∝ R^2 (Levenspiel ch. 25), so twice the size is a quarter of k.
    let coarse = law.at(&Conditions { particle_size: 100e-6, ..base }).unwrap().k;
    assert!((coarse / 2e-3 - 0.25).abs() < 1e-12);
    // Reaction control: tau ∝ R.
    assert_eq!(RateForm::ShrinkingCoreReaction.default_size_exponent(), 1.0);
    assert_eq!(RateForm::Avrami { n: 2.0 }.default_size_exponent(), 0.0);
    // Mixed: the diffusion ratio grows with size (tau_d / tau_r ∝ R).
    let mixed = RateLaw::new(RateForm::ShrinkingCoreMixed { diffusion_ratio: 2.0 }, 1e-3, 50e-6);
    let local = mixed.at(&Conditions { particle_size: 150e-6, ..base }).unwrap();
    let RateForm::ShrinkingCoreMixed { diffusion_ratio } = local.form else { panic!("{local:?}") };
    assert!((diffusion_ratio - 6.0).abs() < 1e-14, "{diffusion_ratio}");
}

#[test]
fn invalid_parameters_name_their_field() {
    let field = |r: Result<f64, KineticsError>| match r {
        Err(KineticsError::InvalidParameter { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let good = RateLaw::new(RateForm::ShrinkingCoreReaction, 1e-3, 1e-4);
    let c = cond();
    assert_eq!(field(batch_conversion(&RateLaw { x_max: 0.0, ..good }, &c, 1.0)), "x_max");
    assert_eq!(field(batch_conversion(&RateLaw { x_max: 1.1, ..good }, &c, 1.0)), "x_max");
    assert_eq!(field(batch_conversion(&RateLaw { k_ref: f64::NAN, ..good }, &c, 1.0)), "k_ref");
    assert_eq!(field(batch_conversion(&RateLaw { d_ref: 0.0, ..good }, &c, 1.0)), "d_ref");
    let avrami = RateLaw { form: RateForm::Avrami { n: -1.0 }, ..good };
    assert_eq!(field(batch_conversion(&avrami, &c, 1.0)), "n");
    assert_eq!(field(batch_conversion(&good, &Conditions { temperature: -5.0, ..c }, 1.0)), "temperature");
    assert_eq!(field(batch_conversion(&good, &Conditions { particle_size: 0.0, ..c }, 1.0)), "particle_size");
    assert_eq!(field(batch_conversion(&good, &c, -1.0)), "times");
    let mut out = [0.0; 2];
    assert!(batch_curve(&good, &c, &[2.0, 1.0], &mut out).is_err());
}

#[test]
fn no_co2_means_no_conversion() {
    let mut law = RateLaw::new(RateForm::ShrinkingCoreReaction, 1e-3, 1e-4);
    law.co2_order = 1.0;
    let x = batch_conversion(&law, &Conditions { co2: 0.0, ..cond() }, 1e4).unwrap();
    assert_eq!(x, 0.0);
}
