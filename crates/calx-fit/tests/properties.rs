//! Properties over random inputs: a straight-line fit equals closed-form least squares for any
//! data, and the Student t quantile is odd in `p - 1/2`, increasing in `p` and decreasing in
//! the degrees of freedom towards the normal quantile.

use std::convert::Infallible;

use calx_fit::{FitOptions, Parameter, Problem, fit, student_t_quantile};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn straight_line_equals_closed_form_least_squares(
        a in -100.0f64..100.0,
        b in -10.0f64..10.0,
        noise in prop::collection::vec(-1.0f64..1.0, 5..40),
    ) {
        let n = noise.len();
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
        let y: Vec<f64> = x.iter().zip(&noise).map(|(x, e)| a + b * x + e).collect();
        // Closed form (ordinary least squares).
        let xm = x.iter().sum::<f64>() / n as f64;
        let ym = y.iter().sum::<f64>() / n as f64;
        let sxx: f64 = x.iter().map(|x| (x - xm).powi(2)).sum();
        let slope = x.iter().zip(&y).map(|(x, y)| (x - xm) * (y - ym)).sum::<f64>() / sxx;
        let intercept = ym - slope * xm;
        let problem = Problem::new(vec![Parameter::new("a", 0.0), Parameter::new("b", 1.0)], y.clone());
        let result = fit(
            &problem,
            |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                for (o, xi) in out.iter_mut().zip(&x) {
                    *o = p[0] + p[1] * xi;
                }
                Ok(())
            },
            &FitOptions::default(),
        )
        .unwrap();
        prop_assert!((result.parameters[0].value - intercept).abs() <= 1e-7 * (1.0 + intercept.abs()));
        prop_assert!((result.parameters[1].value - slope).abs() <= 1e-7 * (1.0 + slope.abs()));
        prop_assert_eq!(result.degrees_of_freedom, n - 2);
    }

    #[test]
    fn student_t_quantile_is_odd_monotone_and_tends_to_the_normal(p in 0.501f64..0.999, dof in 1.0f64..200.0) {
        let t = student_t_quantile(p, dof);
        prop_assert!((student_t_quantile(1.0 - p, dof) + t).abs() <= 1e-12 * t.abs());
        prop_assert!(student_t_quantile(p + 0.0005, dof) > t);
        prop_assert!(student_t_quantile(p, dof + 1.0) < t);
        prop_assert!(student_t_quantile(p, f64::INFINITY) < t);
    }
}
