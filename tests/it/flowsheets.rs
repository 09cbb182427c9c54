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
