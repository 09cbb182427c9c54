//! Every flowsheet in `flowsheets/` converges, closes its balances, and matches its insta
//! snapshot (rounded, declaration order, no timings or paths).

use calx_tests::{files, relative, solve};

#[test]
fn every_shipped_flowsheet_converges_and_matches_its_snapshot() {
    let all = files("flowsheets", "yaml");
    assert!(!all.is_empty(), "no flowsheets found");
    let mut failures = Vec::new();
    for path in &all {
        let rel = relative(path);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match solve(&rel) {
            Ok((_, result)) => {
                // Units conserve to round-off (the engine enforces 1e-9); the flowsheet as a
                // whole closes to the recycle tolerance.
                for c in &result.balance {
                    assert!(c.relative_error < 1e-8, "{rel}: flowsheet {} closure {:e}", c.quantity, c.relative_error);
                }
                insta::assert_snapshot!(format!("flowsheet__{stem}"), calx_report::snapshot(&result));
            }
            Err(e) => failures.push(format!("{rel}:\n{e}")),
        }
    }
    assert!(failures.is_empty(), "flowsheets that did not solve:\n{}", failures.join("\n\n"));
}
