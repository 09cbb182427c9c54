//! Test support for people who keep Calx flowsheets or write unit plugins.
//!
//! ```no_run
//! #[test]
//! fn my_plant() {
//!     // Solves the flowsheet (path relative to your crate) with the built-in unit types and
//!     // compares its converged balance with `flowsheets/snapshots/my-plant.snap` through insta.
//!     calx_testing::assert_flowsheet_snapshot!("flowsheets/my-plant.yaml");
//! }
//! ```
//!
//! The snapshot is the same file `calx snapshot` writes and checks, rendered by the same code
//! (`calx_snapshot::render`), so process engineers and Rust users share one set of snapshots;
//! review changes with `cargo insta review` or `calx snapshot --update`. The closure helpers
//! fail with a message naming every unit and quantity out of tolerance.

use std::path::{Path, PathBuf};

use calx::{LoadOptions, Project, Solved};
use calx_core::Registry;
use calx_core::result::FlowsheetResult;

#[doc(hidden)]
pub use insta;

/// The directories in `CALX_PLUGIN_PATH`.
pub fn plugin_search_path() -> Vec<PathBuf> {
    calx::search_path_from_env()
}

/// The unit and analysis types built into the `calx` command.
pub fn builtin_registry() -> Registry {
    calx::builtin_registry()
}

/// Load (with the plugin libraries it lists, searched as `calx run` does, through
/// `CALX_PLUGIN_PATH`), build and solve a flowsheet.
pub fn solve(path: &Path, registry: &Registry) -> Result<FlowsheetResult, calx::Error> {
    solve_with_plugins(path, registry, &plugin_search_path())
}

/// [`solve`] with explicit directories searched for plugin libraries named in `plugins:`.
pub fn solve_with_plugins(
    path: &Path,
    registry: &Registry,
    search: &[PathBuf],
) -> Result<FlowsheetResult, calx::Error> {
    solve_and_analyse(path, registry, search).map(|solved| solved.result)
}

/// Solve and run the flowsheet's `analyses:` (LCA, ...) over the converged result.
pub fn solve_and_analyse(path: &Path, registry: &Registry, search: &[PathBuf]) -> Result<Solved, calx::Error> {
    let options = LoadOptions { registry: registry.clone(), plugin_search: search.to_vec() };
    Project::load(path, &options)?.solve()
}

/// Panic unless every unit and the whole flowsheet close their mass balance to `tolerance`.
pub fn assert_mass_closure(result: &FlowsheetResult, tolerance: f64) {
    assert_closure(result, tolerance, |q| q == "mass");
}

/// Panic unless every unit and the whole flowsheet close every element balance to `tolerance`.
pub fn assert_element_closure(result: &FlowsheetResult, tolerance: f64) {
    assert_closure(result, tolerance, |q| q != "mass");
}

fn assert_closure(result: &FlowsheetResult, tolerance: f64, which: impl Fn(&str) -> bool) {
    let mut open = Vec::new();
    let scopes = result.units.iter().map(|u| (u.name.as_str(), &u.balance)).chain([("(flowsheet)", &result.balance)]);
    for (scope, closures) in scopes {
        for c in closures.iter().filter(|c| which(&c.quantity) && c.relative_error > tolerance) {
            open.push(format!(
                "{scope}: {} in {:e}, out {:e}, relative error {:e}",
                c.quantity, c.inflow, c.outflow, c.relative_error
            ));
        }
    }
    assert!(open.is_empty(), "balances not closed to {tolerance:e}:\n  {}", open.join("\n  "));
}

/// Where the snapshot of a flowsheet lives and its name: (`<dir>/snapshots`, `<stem>`).
#[doc(hidden)]
pub fn __location(flowsheet: &Path) -> (PathBuf, String) {
    let file = calx_snapshot::snapshot_path(flowsheet);
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    (dir, name)
}

/// Solve and render, panicking with the full message if the flowsheet does not solve.
#[doc(hidden)]
pub fn __render(flowsheet: &Path, registry: &Registry, search: &[PathBuf]) -> String {
    match solve_and_analyse(flowsheet, registry, search) {
        Ok(solved) => calx_snapshot::render(&solved.result, &solved.analyses),
        Err(e) => panic!("{} did not solve:\n{e}", flowsheet.display()),
    }
}

/// Solve a flowsheet and assert its snapshot (`<dir>/snapshots/<name>.snap`) through insta.
/// The path is relative to the calling crate's manifest directory; a second argument gives a
/// registry (for example one with your plugin's unit types linked in), a third the
/// directories searched for plugin libraries the flowsheet lists (default: `CALX_PLUGIN_PATH`).
#[macro_export]
macro_rules! assert_flowsheet_snapshot {
    ($path:expr) => {
        $crate::assert_flowsheet_snapshot!($path, &$crate::builtin_registry())
    };
    ($path:expr, $registry:expr) => {
        $crate::assert_flowsheet_snapshot!($path, $registry, &$crate::plugin_search_path())
    };
    ($path:expr, $registry:expr, $search:expr) => {{
        let path = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join($path);
        let (dir, name) = $crate::__location(&path);
        let body = $crate::__render(&path, $registry, $search);
        let mut settings = $crate::insta::Settings::clone_current();
        settings.set_snapshot_path(dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| $crate::insta::assert_snapshot!(name, body));
    }};
}
