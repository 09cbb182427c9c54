//! The matrix method against systems worked by hand: a two-process chain, a background loop
//! (electricity with 5 % own use and a coal-electricity loop), sparse against dense LU on a
//! generated system, and systems that are not productive.

use calx_lca::sparse::{self, CsrMatrix};
use calx_lca::{Database, LcaError, SolverChoice, SolverOptions};

const KWH: f64 = 3.6e6;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

const CATEGORIES: &str = "
flow | GHG (CO2-eq) | pre-characterised
flow | CO2, fossil | co2
flow | CH4, fossil | ch4
category | AR6 | kg CO2-eq | AR6 WG1 Table 7.15
factor | AR6 | GHG (CO2-eq) | 1
factor | AR6 | CO2, fossil | 1
factor | AR6 | CH4, fossil | 29.8
category | AR5 | kg CO2-eq | AR5 WG1 Table 8.7
factor | AR5 | GHG (CO2-eq) | 1
factor | AR5 | CO2, fossil | 1
factor | AR5 | CH4, fossil | 28
";

#[test]
fn a_two_process_chain_by_hand() {
    // 1 kg cement needs 0.1 kWh; cement emits 0.5 kg CO2 and 1 g CH4 per kg; electricity
    // 0.4 kg CO2-eq/kWh (pre-characterised).
    let text = format!(
        "{CATEGORIES}
process | el | 1 kWh | grid | test
emission | el | GHG (CO2-eq) | 0.4 kg
process | cement | 1 t | cement | test
input | cement | el | 100 kWh
emission | cement | CO2, fossil | 500 kg
emission | cement | CH4, fossil | 1 kg
"
    );
    let db = Database::parse(&text).unwrap();
    let m = db.matrices();
    let cement = db.require_process("cement", "t").unwrap();
    let el = db.require_process("el", "t").unwrap();
    // A column of cement: +1 on itself, -0.1 kWh = -3.6e5 J of electricity per kg.
    assert_eq!(m.a.get(cement, cement), 1.0);
    assert!(close(m.a.get(el, cement), -0.1 * KWH, 1e-15));
    let sol = db.solve(&m, &[(cement, 1.0)], &SolverOptions::default()).unwrap();
    assert!(close(sol.scaling[el], 0.1 * KWH, 1e-12));
    // g: GHG 0.04, CO2 0.5, CH4 0.001; h(AR6) = 0.04 + 0.5 + 0.0298 = 0.5698; AR5 0.568.
    assert!(
        close(sol.inventory[0], 0.04, 1e-12)
            && close(sol.inventory[1], 0.5, 1e-12)
            && close(sol.inventory[2], 0.001, 1e-12)
    );
    assert!(close(sol.impacts[0], 0.5698, 1e-12), "{:?}", sol.impacts);
    assert!(close(sol.impacts[1], 0.568, 1e-12), "{:?}", sol.impacts);
}

#[test]
fn electricity_with_five_percent_own_use_by_hand() {
    // 1 kWh delivered needs 1/0.95 kWh generated; 0.4 kg/kWh generated -> 0.4/0.95 kg.
    let text = format!(
        "{CATEGORIES}
process | el | 1 kWh | grid with own use | test
input | el | el | 0.05 kWh
emission | el | GHG (CO2-eq) | 0.4 kg
"
    );
    let db = Database::parse(&text).unwrap();
    let m = db.matrices();
    assert!(close(m.a.get(0, 0), 0.95, 1e-15));
    for choice in [SolverChoice::Iterative, SolverChoice::Dense, SolverChoice::Auto] {
        let sol = db.solve(&m, &[(0, KWH)], &SolverOptions { choice, ..SolverOptions::default() }).unwrap();
        assert!(close(sol.scaling[0], KWH / 0.95, 1e-12), "{choice:?}");
        assert!(close(sol.impacts[0], 0.4 / 0.95, 1e-12), "{choice:?}: {}", sol.impacts[0]);
    }
}

#[test]
fn a_coal_electricity_loop_by_hand() {
    // Electricity: 0.05 kWh own use, 0.4 kg coal and 0.9 kg CO2 per kWh. Coal: 0.1 kWh and
    // 0.01 kg CH4 per kg. For 1 kWh: s_e = 1 + 0.05 s_e + 0.1 s_c, s_c = 0.4 s_e, so
    // s_e = 1/0.91, s_c = 0.4/0.91; CO2 = 0.9/0.91, CH4 = 0.004/0.91;
    // AR6: (0.9 + 29.8 x 0.004)/0.91 = 1.0192/0.91 = 1.12 exactly.
    let text = format!(
        "{CATEGORIES}
process | el | 1 kWh | coal power | test
input | el | el | 0.05 kWh
input | el | coal | 0.4 kg
emission | el | CO2, fossil | 0.9 kg
process | coal | 1 kg | coal mining | test
input | coal | el | 0.1 kWh
emission | coal | CH4, fossil | 0.01 kg
"
    );
    let db = Database::parse(&text).unwrap();
    let m = db.matrices();
    let sol = db
        .solve(&m, &[(0, KWH)], &SolverOptions { choice: SolverChoice::Iterative, ..SolverOptions::default() })
        .unwrap();
    assert!(close(sol.scaling[0], KWH / 0.91, 1e-12));
    assert!(close(sol.scaling[1], 0.4 / 0.91, 1e-12));
    assert!(close(sol.inventory[1], 0.9 / 0.91, 1e-12));
    assert!(close(sol.inventory[2], 0.004 / 0.91, 1e-12));
    assert!(close(sol.impacts[0], 1.12, 1e-12), "{}", sol.impacts[0]);
    let dense =
        db.solve(&m, &[(0, KWH)], &SolverOptions { choice: SolverChoice::Dense, ..SolverOptions::default() }).unwrap();
    assert!(close(dense.impacts[0], 1.12, 1e-12));
    assert!(sol.report.relative_residual < 1e-12);
}

/// A deterministic random background: process j takes 1-4 inputs from any process (loops
/// included), column sums of inputs below 0.6 so the system is productive.
fn generated(n: usize) -> CsrMatrix {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut t = Vec::new();
    for j in 0..n {
        t.push((j, j, 1.0));
        let k = 1 + (next() * 4.0) as usize;
        for _ in 0..k {
            let i = ((next() * n as f64) as usize).min(n - 1);
            t.push((i, j, -0.15 * next()));
        }
    }
    CsrMatrix::from_triplets(n, n, &t)
}

#[test]
fn sparse_and_dense_solutions_agree_on_a_generated_system_with_loops() {
    let a = generated(300);
    let f: Vec<f64> = (0..300).map(|i| if i % 7 == 0 { 1.0 + i as f64 } else { 0.0 }).collect();
    let (s, report) =
        sparse::solve(&a, &f, &SolverOptions { choice: SolverChoice::Iterative, ..SolverOptions::default() }).unwrap();
    let (d, _) = sparse::solve_dense(&a, &f).unwrap();
    let scale = d.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let worst = s.iter().zip(&d).fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()));
    assert!(worst <= 1e-10 * scale, "max difference {worst:e} (scale {scale:e}), {report:?}");
    assert!(report.iterations < 100, "{report:?}");
}

#[test]
fn systems_that_are_not_productive_are_refused() {
    // Needs 1.0 kWh per kWh: nothing is left over.
    let text = format!("{CATEGORIES}\nprocess | el | 1 kWh | g | t\ninput | el | el | 1 kWh\n");
    let db = Database::parse(&text).unwrap();
    let err = db.solve(&db.matrices(), &[(0, 1.0)], &SolverOptions::default()).unwrap_err();
    assert!(matches!(err, LcaError::NotProductive { .. }), "{err}");
    // A loop needing more than it makes: 0.5 kg b per kWh and 3 kWh per kg b (gain 1.5).
    let text = format!(
        "{CATEGORIES}\nprocess | a | 1 kWh | g | t\nprocess | b | 1 kg | g | t\ninput | a | b | 0.5 kg\ninput | b | a | 3 kWh\n"
    );
    let db = Database::parse(&text).unwrap();
    for choice in [SolverChoice::Auto, SolverChoice::Iterative] {
        let err =
            db.solve(&db.matrices(), &[(0, 1.0)], &SolverOptions { choice, ..SolverOptions::default() }).unwrap_err();
        assert!(err.to_string().contains("not productive"), "{choice:?}: {err}");
    }
}
