//! Reactor models against closed forms: first-order kinetics in mixed-flow tanks (Levenspiel,
//! *Chemical Reaction Engineering*, 3rd ed., ch. 5 and 6: `X = k tau / (1 + k tau)` for one
//! tank, `1 - (1 + k tau / N)^-N` for N in series), the shrinking core under reaction
//! control in mixed flow (Levenspiel ch. 25, the series `1 - X̄ = 1/4 (tau/t̄) - 1/20
//! (tau/t̄)^2 + 1/120 (tau/t̄)^3 - ...`, whose sum is `1 - 3a + 6a^2 - 6a^3 (1 - exp(-1/a))`
//! with `a = t̄/tau`), and the other shrinking-core forms against an independent Simpson
//! quadrature of `X̄ = ∫_0^1 S(t(xi)) dxi` written in the core radius.

use calx_kinetics::{
    Conditions, KineticsError, RateForm, RateLaw, ReactorMode, SizeClasses, batch_conversion, reactor_conversion,
    reactor_conversion_psd, residence_time_for_conversion,
};

fn cond() -> Conditions {
    Conditions { temperature: 298.15, co2: 1.0, particle_size: 1e-4 }
}

fn law(form: RateForm, k: f64) -> RateLaw {
    RateLaw::new(form, k, 1e-4)
}

const FIRST_ORDER: RateForm = RateForm::PowerLaw { order: 1.0 };

/// First order that takes the integrator: Avrami with n = 1 (xi = 1 - exp(-theta)) has no
/// closed-form fast path, `PowerLaw { order: 1 }` has one (src/reactor.rs); both are checked.
const FIRST_ORDER_INTEGRATED: RateForm = RateForm::Avrami { n: 1.0 };

/// Reaction control that takes the integrator: the mixed form with no diffusion resistance.
const REACTION_INTEGRATED: RateForm = RateForm::ShrinkingCoreMixed { diffusion_ratio: 0.0 };

#[test]
fn cstr_with_first_order_kinetics_gives_k_tau_over_one_plus_k_tau() {
    for form in [FIRST_ORDER, FIRST_ORDER_INTEGRATED] {
        for k_tau in [1e-4, 0.01, 0.3, 1.0, 5.0, 100.0, 1e4] {
            let mode = ReactorMode::Cstr { residence_time: 100.0 * k_tau };
            let x = reactor_conversion(&law(form, 0.01), &mode, &cond()).unwrap();
            let exact = k_tau / (1.0 + k_tau);
            assert!((x - exact).abs() < 1e-8, "{form:?}, k tau = {k_tau}: {x} vs {exact}");
        }
    }
    // Avrami with n = 1 is first order too.
    let avrami =
        reactor_conversion(&law(RateForm::Avrami { n: 1.0 }, 1.0), &ReactorMode::Cstr { residence_time: 2.0 }, &cond());
    assert!((avrami.unwrap() - 2.0 / 3.0).abs() < 1e-8);
}

#[test]
fn tanks_in_series_with_first_order_kinetics() {
    for n in [1, 2, 3, 10, 50] {
        for k_tau in [0.1, 1.0, 4.0, 30.0] {
            let mode = ReactorMode::CstrSeries { residence_time: k_tau, n };
            let exact = 1.0 - (1.0 + k_tau / f64::from(n)).powi(-(n as i32));
            for form in [FIRST_ORDER, FIRST_ORDER_INTEGRATED] {
                let x = reactor_conversion(&law(form, 1.0), &mode, &cond()).unwrap();
                assert!((x - exact).abs() < 1e-8, "{form:?}, n = {n}, k tau = {k_tau}: {x} vs {exact}");
            }
        }
    }
}

#[test]
fn shrinking_core_reaction_control_in_mixed_flow_matches_levenspiel() {
    let closed = |a: f64| 1.0 - 3.0 * a + 6.0 * a * a - 6.0 * a.powi(3) * (-(-1.0 / a).exp_m1());
    let series = |a: f64| (1..=8).map(|j| 6.0 * (-1f64).powi(j) / factorial(j + 3) * a.powi(-j)).sum::<f64>();
    let tau = 600.0;
    for a in [0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0] {
        let mode = ReactorMode::Cstr { residence_time: a * tau };
        let x = reactor_conversion(&law(RateForm::ShrinkingCoreReaction, 1.0 / tau), &mode, &cond()).unwrap();
        assert!((1.0 - x - closed(a)).abs() < 1e-8, "t̄/tau = {a}: {} vs {}", 1.0 - x, closed(a));
        let integrated = reactor_conversion(&law(REACTION_INTEGRATED, 1.0 / tau), &mode, &cond()).unwrap();
        assert!((1.0 - integrated - closed(a)).abs() < 1e-8, "integrated, t̄/tau = {a}: {}", 1.0 - integrated);
        if a >= 2.0 {
            // Levenspiel's series, eight terms (next term below 1e-8 for a >= 2).
            assert!((1.0 - x + series(a)).abs() < 1e-8, "t̄/tau = {a}: {} vs {}", 1.0 - x, -series(a));
        }
    }
    // The first two terms at t̄ = 20 tau, 1/80 - 1/8000, miss by about the third, 1/960000.
    assert!((closed(20.0) - (1.0 / 80.0 - 1.0 / 8000.0) - 1.0 / 960_000.0).abs() < 1e-8);
}

fn factorial(n: i32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// `X̄ = ∫_0^1 S(t(xi)) dxi` by composite Simpson in the core radius `r` (`xi = 1 - r^3`),
/// where `g` is a polynomial: `S` is the Erlang survival function of `n` tanks of mean `theta_r`.
fn simpson_mixed_flow(form: RateForm, theta_r: f64, n: u32) -> f64 {
    let survival = |theta: f64| {
        let m = f64::from(n) * theta / theta_r;
        (0..n).map(|j| m.powi(j as i32) / factorial(j as i32)).sum::<f64>() * (-m).exp()
    };
    let f = |r: f64| survival(form.time_to_extent(1.0 - r * r * r)) * 3.0 * r * r;
    let intervals = 20_000;
    let h = 1.0 / f64::from(intervals);
    let mut sum = f(0.0) + f(1.0);
    for i in 1..intervals {
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(f64::from(i) * h);
    }
    sum * h / 3.0
}

#[test]
fn shrinking_core_forms_in_mixed_flow_match_an_independent_quadrature() {
    let forms = [
        RateForm::ShrinkingCoreReaction,
        RateForm::ShrinkingCoreDiffusion,
        RateForm::ShrinkingCoreMixed { diffusion_ratio: 1.5 },
    ];
    for form in forms {
        for n in [1, 3] {
            for theta_r in [0.1, 0.7, 3.0] {
                let mode = ReactorMode::CstrSeries { residence_time: theta_r * 50.0, n };
                let x = reactor_conversion(&law(form, 0.02), &mode, &cond()).unwrap();
                let reference = simpson_mixed_flow(form, theta_r, n);
                assert!((x - reference).abs() < 1e-8, "{form:?} n = {n} k t̄ = {theta_r}: {x} vs {reference}");
            }
        }
    }
}

#[test]
fn other_forms_in_mixed_flow_match_an_independent_quadrature() {
    // X̄ = ∫ X(t) E(t) dt by Simpson over [0, 40 t̄] with the closed-form X and the Erlang
    // density E(t) = (n/t̄)^n t^(n-1) exp(-n t/t̄) / (n-1)! of n tanks.
    let forms = [RateForm::Avrami { n: 2.0 }, RateForm::Avrami { n: 0.5 }, RateForm::PowerLaw { order: 0.5 }];
    for form in forms {
        for tanks in [1, 3] {
            let theta_r = 0.8;
            let mode = ReactorMode::CstrSeries { residence_time: theta_r, n: tanks };
            let x = reactor_conversion(&law(form, 1.0), &mode, &cond()).unwrap();
            let nf = f64::from(tanks);
            let density = |t: f64| {
                (nf / theta_r).powi(tanks as i32) * t.powi(tanks as i32 - 1) * (-nf * t / theta_r).exp()
                    / factorial(tanks as i32 - 1)
            };
            // Substituting u = sqrt(t) keeps the integrand smooth where X ~ sqrt(t) (Avrami 1/2).
            let f = |u: f64| form.extent_at(u * u) * density(u * u) * 2.0 * u;
            let (end, intervals) = ((40.0 * theta_r).sqrt(), 200_000);
            let h = end / f64::from(intervals);
            let mut sum = f(0.0) + f(end);
            for i in 1..intervals {
                sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(f64::from(i) * h);
            }
            let reference = sum * h / 3.0;
            assert!((x - reference).abs() < 1e-8, "{form:?}, {tanks} tanks: {x} vs {reference}");
        }
    }
}

#[test]
fn plug_flow_is_batch_and_x_max_scales_the_conversion() {
    let mut l = law(RateForm::ShrinkingCoreDiffusion, 1.0 / 300.0);
    l.x_max = 0.6;
    let pfr = reactor_conversion(&l, &ReactorMode::Pfr { residence_time: 120.0 }, &cond()).unwrap();
    let batch = reactor_conversion(&l, &ReactorMode::Batch { time: 120.0 }, &cond()).unwrap();
    assert_eq!(pfr, batch);
    assert_eq!(pfr, batch_conversion(&l, &cond(), 120.0).unwrap());
    assert!((pfr - 0.6 * RateForm::ShrinkingCoreDiffusion.extent_at(0.4)).abs() < 1e-8);
    let cstr = reactor_conversion(&l, &ReactorMode::Cstr { residence_time: 120.0 }, &cond()).unwrap();
    l.x_max = 1.0;
    let full = reactor_conversion(&l, &ReactorMode::Cstr { residence_time: 120.0 }, &cond()).unwrap();
    assert!((cstr - 0.6 * full).abs() < 1e-15);
    // Many tanks approach plug flow (Levenspiel ch. 6).
    let many = reactor_conversion(&l, &ReactorMode::CstrSeries { residence_time: 120.0, n: 400 }, &cond()).unwrap();
    let pfr_full = reactor_conversion(&l, &ReactorMode::Pfr { residence_time: 120.0 }, &cond()).unwrap();
    assert!((many - pfr_full).abs() < 5e-3 && many < pfr_full, "{many} vs {pfr_full}");
}

#[test]
fn size_distribution_is_the_mass_weighted_mean_of_its_classes() {
    let l = law(RateForm::ShrinkingCoreReaction, 1.0 / 600.0);
    let mode = ReactorMode::Cstr { residence_time: 400.0 };
    let psd = SizeClasses::discrete(&[50e-6, 100e-6, 200e-6], &[0.2, 0.5, 0.3]).unwrap();
    let x = reactor_conversion_psd(&l, &mode, &cond(), &psd).unwrap();
    let at = |d: f64| reactor_conversion(&l, &mode, &Conditions { particle_size: d, ..cond() }).unwrap();
    let expected = 0.2 * at(50e-6) + 0.5 * at(100e-6) + 0.3 * at(200e-6);
    assert!((x - expected).abs() < 1e-15);
    // Coarser particles convert less (tau ∝ R under reaction control).
    assert!(at(200e-6) < at(100e-6) && at(100e-6) < at(50e-6));
    // A Rosin–Rammler distribution converges as its classes multiply.
    let rr = |m| reactor_conversion_psd(&l, &mode, &cond(), &SizeClasses::rosin_rammler(100e-6, 2.0, m).unwrap());
    let (coarse, fine) = (rr(20).unwrap(), rr(400).unwrap());
    assert!((coarse - fine).abs() < 2e-3, "{coarse} vs {fine}");
}

#[test]
fn residence_time_for_a_conversion_inverts_the_reactor() {
    let psd = SizeClasses::single(1e-4).unwrap();
    // First order in one CSTR: tau = X / (k (1 - X)).
    let t = residence_time_for_conversion(
        &law(FIRST_ORDER, 0.01),
        &ReactorMode::Cstr { residence_time: 0.0 },
        &cond(),
        &psd,
        0.9,
    )
    .unwrap();
    assert!((t - 900.0).abs() < 1e-4, "{t}");
    // Reaction control in plug flow, x_max = 0.8: t = tau (1 - (1 - X/x_max)^(1/3)).
    let mut l = law(RateForm::ShrinkingCoreReaction, 1.0 / 600.0);
    l.x_max = 0.8;
    let t = residence_time_for_conversion(&l, &ReactorMode::Pfr { residence_time: 1.0 }, &cond(), &psd, 0.7).unwrap();
    let exact = 600.0 * (1.0 - (1.0f64 - 0.7 / 0.8).cbrt());
    assert!((t - exact).abs() < 1e-4, "{t} vs {exact}");
    // With a distribution the answer reproduces the target.
    let rr = SizeClasses::rosin_rammler(100e-6, 1.5, 8).unwrap();
    let mode = ReactorMode::CstrSeries { residence_time: 1.0, n: 3 };
    let t = residence_time_for_conversion(&l, &mode, &cond(), &rr, 0.5).unwrap();
    let x = reactor_conversion_psd(&l, &mode.with_time(t), &cond(), &rr).unwrap();
    assert!((x - 0.5).abs() < 1e-8, "{x}");
}

#[test]
fn unreachable_targets_are_errors() {
    let psd = SizeClasses::single(1e-4).unwrap();
    let mut l = law(RateForm::ShrinkingCoreReaction, 1e-3);
    l.x_max = 0.7;
    let mode = ReactorMode::Cstr { residence_time: 0.0 };
    let err = residence_time_for_conversion(&l, &mode, &cond(), &psd, 0.75).unwrap_err();
    assert!(matches!(err, KineticsError::TargetUnreachable { x_max: 0.7, .. }), "{err}");
    assert!(err.to_string().contains("x_max is 0.7"), "{err}");
    assert!(residence_time_for_conversion(&l, &mode, &cond(), &psd, 0.7).is_err());
    // No CO2 and a first-order CO2 dependence: nothing ever converts.
    l.co2_order = 1.0;
    let none = residence_time_for_conversion(&l, &mode, &Conditions { co2: 0.0, ..cond() }, &psd, 0.5);
    assert!(matches!(none, Err(KineticsError::TargetNotReached { .. })), "{none:?}");
}

#[test]
fn invalid_reactors_are_refused() {
    let l = law(FIRST_ORDER, 1.0);
    let zero_tanks = reactor_conversion(&l, &ReactorMode::CstrSeries { residence_time: 1.0, n: 0 }, &cond());
    assert!(matches!(zero_tanks, Err(KineticsError::InvalidParameter { field: "n", .. })));
    let negative = reactor_conversion(&l, &ReactorMode::Cstr { residence_time: -1.0 }, &cond());
    assert!(matches!(negative, Err(KineticsError::InvalidParameter { field: "residence_time", .. })));
    assert_eq!(reactor_conversion(&l, &ReactorMode::Cstr { residence_time: 0.0 }, &cond()).unwrap(), 0.0);
}
