//! Tests of the Dormand–Prince integrator against problems with closed-form solutions.

use super::*;

fn tight() -> OdeOptions {
    OdeOptions { rtol: 1e-13, atol: 1e-13, ..OdeOptions::default() }
}

#[test]
fn exponential_decay_matches_the_analytic_solution() {
    // y' = -k y, y(0) = 1: y = exp(-k t).
    let k = 0.7;
    let mut y = [1.0];
    let mut ws = OdeWorkspace::new(1);
    let report = integrate(|_, y, d| d[0] = -k * y[0], 0.0, &mut y, 10.0, &tight(), &mut ws).unwrap();
    assert!((y[0] - (-k * 10.0f64).exp()).abs() < 1e-10 * (-k * 10.0f64).exp(), "{} {report:?}", y[0]);
    assert_eq!(report.t, 10.0);
    // FSAL: six evaluations per attempted step, plus the first and the two of the start estimate.
    assert_eq!(report.evaluations, 6 * (report.steps + report.rejected) + 2);
}

#[test]
fn logistic_growth_matches_the_analytic_solution() {
    // y' = r y (1 - y / K): y = K / (1 + (K / y0 - 1) exp(-r t)).
    let (r, cap, y0) = (1.3, 5.0, 0.01);
    let exact = |t: f64| cap / (1.0 + (cap / y0 - 1.0) * (-r * t).exp());
    let mut y = [y0];
    let mut ws = OdeWorkspace::new(1);
    integrate(|_, y, d| d[0] = r * y[0] * (1.0 - y[0] / cap), 0.0, &mut y, 12.0, &tight(), &mut ws).unwrap();
    assert!((y[0] - exact(12.0)).abs() < 1e-10, "{} vs {}", y[0], exact(12.0));
}

#[test]
fn harmonic_oscillator_stays_on_its_circle_over_ten_periods() {
    // x'' = -w^2 x as (x, v): x = cos(w t), v = -w sin(w t).
    let w = 2.0;
    let mut y = [1.0, 0.0];
    let mut ws = OdeWorkspace::new(2);
    let t_end = 10.0 * std::f64::consts::TAU / w + 0.3;
    let f = |_: f64, y: &[f64], d: &mut [f64]| {
        d[0] = y[1];
        d[1] = -w * w * y[0];
    };
    integrate(f, 0.0, &mut y, t_end, &tight(), &mut ws).unwrap();
    assert!((y[0] - (w * t_end).cos()).abs() < 1e-10, "{y:?}");
    assert!((y[1] + w * (w * t_end).sin()).abs() < 1e-10, "{y:?}");
}

#[test]
fn dense_output_matches_the_solution_between_steps() {
    // Output at 200 times: between steps the values come from the continuous extension,
    // whose error is of the order of the local error (sin and cos, to 1e-10).
    let f = |t: f64, y: &[f64], d: &mut [f64]| {
        d[0] = y[1];
        d[1] = -y[0] + 0.0 * t;
    };
    let times: Vec<f64> = (0..200).map(|i| 0.05 * i as f64).collect();
    let mut out = vec![0.0; 2 * times.len()];
    let mut y = [0.0, 1.0];
    let mut ws = OdeWorkspace::new(2);
    let opts = OdeOptions { rtol: 1e-12, atol: 1e-12, ..OdeOptions::default() };
    integrate_to_times(f, 0.0, &mut y, &times, &mut out, &opts, &mut ws).unwrap();
    for (t, row) in times.iter().zip(out.chunks_exact(2)) {
        assert!((row[0] - t.sin()).abs() < 1e-10, "t = {t}: {row:?}");
        assert!((row[1] - t.cos()).abs() < 1e-10, "t = {t}: {row:?}");
    }
    assert_eq!(y[0], out[2 * 199]);
}

#[test]
fn dense_output_with_loose_tolerance_is_still_accurate_to_about_the_tolerance() {
    // exp(t) on [0, 3] at rtol 1e-6: fewer steps than output times (the steps are not cut to
    // land on them), and every interpolated value within a few tolerances.
    let times: Vec<f64> = (0..=30).map(|i| 0.1 * i as f64).collect();
    let mut out = vec![0.0; times.len()];
    let mut ws = OdeWorkspace::new(1);
    let opts = OdeOptions { rtol: 1e-6, atol: 1e-9, ..OdeOptions::default() };
    let report = integrate_to_times(|_, y, d| d[0] = y[0], 0.0, &mut [1.0], &times, &mut out, &opts, &mut ws).unwrap();
    assert!(report.steps < times.len(), "{report:?}");
    for (t, v) in times.iter().zip(&out) {
        assert!((v / t.exp() - 1.0).abs() < 1e-5, "t = {t}: {v}");
    }
}

#[test]
fn output_times_at_the_start_and_repeated_times_are_allowed() {
    let times = [0.0, 0.0, 1.0, 1.0, 2.0];
    let mut out = [0.0; 5];
    let mut ws = OdeWorkspace::new(1);
    integrate_to_times(|_, y, d| d[0] = -y[0], 0.0, &mut [1.0], &times, &mut out, &tight(), &mut ws).unwrap();
    for (t, v) in times.iter().zip(out) {
        assert!((v - (-t).exp()).abs() < 1e-12, "t = {t}: {v}");
    }
}

#[test]
fn a_stiff_problem_stops_at_max_steps_instead_of_running_on() {
    // y' = -1e6 (y - cos t): explicit stability limits h to ~3.3e-6, so [0, 10] needs ~3e6
    // steps; with max_steps = 2000 it must give up with TooManySteps.
    let opts = OdeOptions { max_steps: 2000, ..OdeOptions::default() };
    let mut ws = OdeWorkspace::new(1);
    let err = integrate(|t, y, d| d[0] = -1e6 * (y[0] - t.cos()), 0.0, &mut [0.0], 10.0, &opts, &mut ws).unwrap_err();
    match err {
        OdeError::TooManySteps { t, steps } => {
            assert_eq!(steps, 2000);
            assert!(t > 0.0 && t < 0.1, "{t}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn blow_up_is_a_step_size_underflow() {
    // y' = y^2, y(0) = 1: y = 1 / (1 - t) blows up at t = 1.
    let mut ws = OdeWorkspace::new(1);
    let err = integrate(|_, y, d| d[0] = y[0] * y[0], 0.0, &mut [1.0], 2.0, &OdeOptions::default(), &mut ws);
    match err {
        Err(OdeError::StepSizeUnderflow { t, .. }) => assert!((t - 1.0).abs() < 1e-3, "{t}"),
        Err(OdeError::NonFinite { t, .. }) => assert!((t - 1.0).abs() < 1e-3, "{t}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_finite_derivative_names_time_and_component() {
    let mut ws = OdeWorkspace::new(2);
    let err = integrate(
        |_, _, d| {
            d[0] = 1.0;
            d[1] = f64::NAN;
        },
        0.5,
        &mut [0.0, 0.0],
        1.0,
        &OdeOptions::default(),
        &mut ws,
    )
    .unwrap_err();
    assert_eq!(err, OdeError::NonFinite { t: 0.5, step: 0, component: 1 });
}

#[test]
fn a_domain_limit_reached_by_a_stage_shrinks_the_step() {
    // y' = sqrt(1 - y) is NaN for y > 1 (which stages overshooting the solution may visit);
    // y = 1 - (1 - t/2)^2 reaches 1 at t = 2 and stays. Clamping is the caller's job; here
    // f returns NaN beyond the limit only for trial points, and the integration must get through.
    let f = |_: f64, y: &[f64], d: &mut [f64]| d[0] = if y[0] > 1.0 { f64::NAN } else { (1.0 - y[0]).sqrt() };
    let mut ws = OdeWorkspace::new(1);
    let mut y = [0.0];
    let opts = OdeOptions { rtol: 1e-10, atol: 1e-10, ..OdeOptions::default() };
    integrate(f, 0.0, &mut y, 1.5, &opts, &mut ws).unwrap();
    assert!((y[0] - (1.0 - (1.0f64 - 0.75).powi(2))).abs() < 1e-9, "{y:?}");
}

#[test]
fn a_callback_can_stop_the_integration() {
    // Stop once y = exp(-t) is below 0.5: the report's t is that step's end, past ln 2.
    let mut ws = OdeWorkspace::new(1);
    let mut y = [1.0];
    let report = integrate_dense(
        |_, y, d| d[0] = -y[0],
        0.0,
        &mut y,
        100.0,
        &OdeOptions::default(),
        &mut ws,
        |s| s.y()[0] > 0.5,
    )
    .unwrap();
    assert!(report.t > 2f64.ln() && report.t < 5.0, "{report:?}");
    assert!((y[0] - (-report.t).exp()).abs() < 1e-8);
}

#[test]
fn h_max_is_respected() {
    let mut ws = OdeWorkspace::new(1);
    let opts = OdeOptions { h_max: 0.1, ..OdeOptions::default() };
    let report = integrate(|_, _, d| d[0] = 1.0, 0.0, &mut [0.0], 10.0, &opts, &mut ws).unwrap();
    assert!(report.steps >= 100, "{report:?}");
}

#[test]
fn bad_inputs_are_refused() {
    let mut ws = OdeWorkspace::new(1);
    let f = |_: f64, _: &[f64], d: &mut [f64]| d[0] = 0.0;
    let bad = |opts: OdeOptions| {
        let mut ws = OdeWorkspace::new(1);
        matches!(integrate(f, 0.0, &mut [0.0], 1.0, &opts, &mut ws), Err(OdeError::InvalidInput(_)))
    };
    assert!(bad(OdeOptions { rtol: -1.0, ..OdeOptions::default() }));
    assert!(bad(OdeOptions { atol: 0.0, ..OdeOptions::default() }));
    assert!(bad(OdeOptions { h_max: 0.0, ..OdeOptions::default() }));
    assert!(bad(OdeOptions { h_init: Some(f64::NAN), ..OdeOptions::default() }));
    assert!(matches!(
        integrate(f, 1.0, &mut [0.0], 0.0, &OdeOptions::default(), &mut ws),
        Err(OdeError::InvalidInput(_))
    ));
    assert!(matches!(
        integrate(f, 0.0, &mut [0.0, 0.0], 1.0, &OdeOptions::default(), &mut ws),
        Err(OdeError::InvalidInput(_))
    ));
    let mut out = [0.0; 2];
    let unsorted = integrate_to_times(f, 0.0, &mut [0.0], &[1.0, 0.5], &mut out, &OdeOptions::default(), &mut ws);
    assert!(matches!(unsorted, Err(OdeError::InvalidInput(_))));
    let before = integrate_to_times(f, 0.0, &mut [0.0], &[-1.0, 0.5], &mut out, &OdeOptions::default(), &mut ws);
    assert!(matches!(before, Err(OdeError::InvalidInput(_))));
}

#[test]
fn zero_length_interval_leaves_the_state_alone() {
    let mut ws = OdeWorkspace::new(1);
    let mut y = [3.0];
    let report = integrate(|_, _, d| d[0] = 1.0, 2.0, &mut y, 2.0, &OdeOptions::default(), &mut ws).unwrap();
    assert_eq!((y[0], report.evaluations), (3.0, 0));
}
