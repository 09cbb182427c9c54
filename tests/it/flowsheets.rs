//! Every flowsheet in `flowsheets/` converges, closes its balances, and matches its snapshot
//! in `flowsheets/snapshots/` — through `calx_testing::assert_flowsheet_snapshot!`, the same
//! macro and file format users get, and the same files `calx snapshot --check` reads.

use calx_tests::{flowsheet_files, relative, root};

#[test]
fn every_shipped_flowsheet_converges_and_matches_its_snapshot() {
    let all = flowsheet_files();
    assert!(!all.is_empty(), "no flowsheets found");
    let registry = calx_testing::builtin_registry();
    // Flowsheets may list plugin libraries (`plugins: [calx_cyclone]`): build them first and
    // search their directory, as a user's CALX_PLUGIN_PATH would.
    let search = vec![calx_tests::plugin_dir().to_path_buf()];
    for path in &all {
        let rel = relative(path);
        let result = calx_testing::solve_with_plugins(&root().join(&rel), &registry, &search)
            .unwrap_or_else(|e| panic!("{rel}:\n{e}"));
        // Units conserve to round-off (the engine enforces 1e-9); the flowsheet as a whole
        // closes to the recycle tolerance.
        calx_testing::assert_mass_closure(&result, 1e-8);
        calx_testing::assert_element_closure(&result, 1e-8);
        calx_testing::assert_flowsheet_snapshot!(format!("../{rel}"), &registry, &search);
    }
}

/// Issue 15, item 4: every component of every shipped flowsheet has thermodynamic data
/// (docs/sources.md §Formation enthalpies and §Heat capacities), so the energy balance of the
/// whole flowsheet and of every unit with inlets and outlets is checked, and closes.
#[test]
fn every_shipped_flowsheet_checks_and_closes_its_energy_balance() {
    use calx_core::result::EnergyBalance;
    // Issue 15's bar, the engine's default `energy_balance_tolerance` (crates/calx-engine/src/def.rs).
    const TOLERANCE: f64 = 1e-6;
    let all = flowsheet_files();
    assert!(!all.is_empty(), "no flowsheets found");
    let mut problems = Vec::new();
    for path in &all {
        let rel = relative(path);
        let (_, result) = calx_tests::solve(&rel).unwrap_or_else(|e| panic!("{rel}:\n{e}"));
        let ports = |unit: &str| {
            let inlets = result.streams.iter().any(|s| s.destination.as_ref().is_some_and(|d| d.unit == unit));
            let outlets = result.streams.iter().any(|s| s.source.as_ref().is_some_and(|e| e.unit == unit));
            inlets && outlets
        };
        let scopes = result
            .units
            .iter()
            .filter(|u| ports(&u.name))
            .map(|u| (u.name.as_str(), &u.energy))
            .chain([("(flowsheet)", &result.energy)]);
        let mut checked = 0;
        for (scope, energy) in scopes {
            match energy {
                EnergyBalance::Checked(c) if c.relative_error <= TOLERANCE => checked += 1,
                EnergyBalance::Checked(c) => problems.push(format!(
                    "{rel}: {scope}: energy in {:e} W, out {:e} W, relative error {:e}",
                    c.inflow, c.outflow, c.relative_error
                )),
                other => problems.push(format!("{rel}: {scope}: energy balance not checked: {other:?}")),
            }
        }
        assert!(checked >= 2 || !problems.is_empty(), "{rel}: no unit with inlets and outlets");
    }
    assert!(
        problems.is_empty(),
        "energy balances not checked or not closed to {TOLERANCE:e}:\n  {}",
        problems.join("\n  ")
    );
}
