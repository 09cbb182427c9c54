//! Size distributions (Rosin–Rammler discretisation against its closed-form moments) and the
//! gas–liquid mass-transfer cap (against the linear-demand balance solved by hand).

use calx_kinetics::{KineticsError, SizeClasses, transfer_capacity, transfer_limited_uptake};

#[test]
fn rosin_rammler_classes_have_equal_mass_and_the_right_median() {
    let psd = SizeClasses::rosin_rammler(120e-6, 1.8, 9).unwrap();
    assert_eq!(psd.len(), 9);
    assert!((psd.mass_fractions().iter().sum::<f64>() - 1.0).abs() < 1e-15);
    assert!(psd.sizes().windows(2).all(|w| w[0] < w[1]));
    // The middle class's median is the distribution's: F(d50) = 1/2, d50 = d63 (ln 2)^(1/n).
    assert!((psd.sizes()[4] - 120e-6 * 2f64.ln().powf(1.0 / 1.8)).abs() < 1e-18);
    // The mass fraction finer than each class size is the class's mid mass fraction.
    for (i, d) in psd.sizes().iter().enumerate() {
        let finer = 1.0 - (-(d / 120e-6).powf(1.8)).exp();
        assert!((finer - (i as f64 + 0.5) / 9.0).abs() < 1e-12);
    }
}

#[test]
fn rosin_rammler_mass_mean_size_converges_to_the_gamma_function_moment() {
    // Mass-weighted mean size of Rosin–Rammler: d63 Γ(1 + 1/n); Γ(2) = 1, Γ(3/2) = sqrt(pi)/2.
    for (n, gamma) in [(1.0, 1.0), (2.0, std::f64::consts::PI.sqrt() / 2.0)] {
        let psd = SizeClasses::rosin_rammler(1.0, n, 4000).unwrap();
        let mean: f64 = psd.sizes().iter().zip(psd.mass_fractions()).map(|(d, w)| d * w).sum();
        assert!((mean - gamma).abs() < 1e-3, "n = {n}: {mean} vs {gamma}");
    }
}

#[test]
fn bad_distributions_are_refused() {
    assert!(SizeClasses::discrete(&[1e-4, 2e-4], &[0.5, 0.4]).is_err());
    assert!(SizeClasses::discrete(&[1e-4, -2e-4], &[0.5, 0.5]).is_err());
    assert!(SizeClasses::discrete(&[1e-4], &[0.5, 0.5]).is_err());
    assert!(SizeClasses::discrete(&[], &[]).is_err());
    assert!(SizeClasses::rosin_rammler(1e-4, 0.0, 5).is_err());
    assert!(SizeClasses::rosin_rammler(1e-4, 1.0, 0).is_err());
    assert!(SizeClasses::single(f64::NAN).is_err());
}

#[test]
fn transfer_capacity_is_kla_times_driving_force_times_volume() {
    assert_eq!(transfer_capacity(0.02, 30.0, 10.0, 5.0).unwrap(), 0.02 * 20.0 * 5.0);
    assert!(transfer_capacity(-1.0, 30.0, 10.0, 5.0).is_err());
}

#[test]
fn linear_demand_meets_the_film_where_the_hand_solution_says() {
    // R(C) = a C against kLa (C* - C) V: C = kLa V C* / (a + kLa V).
    let (kla, c_sat, volume, a) = (0.05, 33.0, 2.0, 0.3);
    let balance = transfer_limited_uptake(kla, c_sat, volume, |c| a * c).unwrap();
    let c = kla * volume * c_sat / (a + kla * volume);
    assert!((balance.concentration - c).abs() < 1e-8, "{balance:?}");
    assert!((balance.uptake - a * c).abs() < 1e-9, "{balance:?}");
}

#[test]
fn huge_demand_is_transfer_limited_and_no_demand_saturates() {
    let limited = transfer_limited_uptake(0.05, 33.0, 2.0, |_| 100.0).unwrap();
    assert_eq!((limited.uptake, limited.concentration), (0.05 * 33.0 * 2.0, 0.0));
    let idle = transfer_limited_uptake(0.05, 33.0, 2.0, |_| 0.0).unwrap();
    assert!(idle.uptake.abs() < 1e-9 && (idle.concentration - 33.0).abs() < 1e-6, "{idle:?}");
    let nan = transfer_limited_uptake(0.05, 33.0, 2.0, |c| if c > 1.0 { f64::NAN } else { 0.0 });
    assert!(matches!(nan, Err(KineticsError::InvalidParameter { field: "demand", .. })), "{nan:?}");
}
