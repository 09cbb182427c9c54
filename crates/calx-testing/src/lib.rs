//! Test support for people who keep Calx flowsheets or write unit plugins.
//!
//! ```no_run
//! #[test]
//! fn my_plant() {
//!     // Solves the flowsheet (path relative to your crate) with the built-in unit types and
//!     // compares its converged balance with `flowsheets/snapshots/my-plant.snap`.
//!     calx_testing::assert_flowsheet_snapshot!("flowsheets/my-plant.yaml");
//! }
//! ```
//!
//! The snapshot is the same file `calx snapshot` writes and checks, rendered and compared by
//! the same code (`calx_snapshot`: 6 significant digits, 1e-6 relative tolerance on top), so
//! process engineers and Rust users share one set of snapshots and one verdict. A new or
//! changed snapshot is written as pending (`.snap.new`, insta's format) for review with
//! `cargo insta review` or `calx snapshot --update`; `INSTA_UPDATE=always` accepts it and
//! `INSTA_UPDATE=no` or `CI` writes nothing. The closure helpers
//! fail with a message naming every unit and quantity out of tolerance.

use std::path::{Path, PathBuf};

use calx::{LoadOptions, Project, Solved};
use calx_core::Registry;
use calx_core::result::FlowsheetResult;
use calx_snapshot::SnapshotFile;

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

/// Why plugin libraries could not be built for a test.
#[derive(Debug)]
pub struct PluginBuildError(String);

impl std::fmt::Display for PluginBuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PluginBuildError {}

/// Build plugin libraries fresh for a test and return the directory that holds them (to
/// search for the flowsheet's `plugins:`): `cargo build -p PACKAGE...` with `features`, in a
/// target directory of their own beside the test's (`TARGET/plugin-libraries/PROFILE`, where
/// TARGET is the directory the running test was built in, so `CARGO_TARGET_DIR` is honoured).
/// `cargo test` does not rebuild a plugin's `.so` by itself, so a snapshot test that only
/// searched `target/debug` would check a stale library. Run from the calling crate's
/// directory (`CARGO_MANIFEST_DIR`); Cargo only rebuilds what changed.
pub fn build_plugins(packages: &[&str], features: &[&str]) -> Result<PathBuf, PluginBuildError> {
    let exe = std::env::current_exe().map_err(|e| PluginBuildError(format!("where is this test? {e}")))?;
    // TARGET/PROFILE/deps/TEST
    let profile_dir =
        exe.parent().and_then(Path::parent).ok_or_else(|| PluginBuildError("no profile directory".into()))?;
    let profile = profile_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let target = profile_dir.parent().map(|t| t.join("plugin-libraries")).unwrap_or_default();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        cmd.current_dir(dir);
    }
    cmd.args(["build", "--quiet", "--target-dir"]).arg(&target);
    if profile == "release" {
        cmd.arg("--release");
    }
    for p in packages {
        cmd.args(["-p", p]);
    }
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    let out = cmd.output().map_err(|e| PluginBuildError(format!("cargo does not run: {e}")))?;
    if !out.status.success() {
        return Err(PluginBuildError(format!(
            "building {} failed:\n{}",
            packages.join(", "),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(target.join(if profile == "release" { "release" } else { "debug" }))
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

/// Solve and render, panicking with the full message if the flowsheet does not solve.
#[doc(hidden)]
pub fn __render(flowsheet: &Path, registry: &Registry, search: &[PathBuf]) -> String {
    match solve_and_analyse(flowsheet, registry, search) {
        Ok(solved) => calx_snapshot::render(&solved.result, &solved.analyses),
        Err(e) => panic!("{} did not solve:\n{e}", flowsheet.display()),
    }
}

/// What to do with a new or changed snapshot, from `INSTA_UPDATE` as insta reads it:
/// `always` accepts it, `no` writes nothing, anything else (`auto`, unset) writes it as
/// pending (`.snap.new`) except on CI (`CI` set), where nothing is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Update {
    Accept,
    Pending,
    Nothing,
}

fn update_mode() -> Update {
    match std::env::var("INSTA_UPDATE").as_deref() {
        Ok("always") => Update::Accept,
        Ok("no") => Update::Nothing,
        _ if std::env::var_os("CI").is_some() => Update::Nothing,
        _ => Update::Pending,
    }
}

fn pending_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

/// Solve a flowsheet, render its snapshot and compare it with `<dir>/snapshots/<stem>.snap`
/// value by value, with the tolerances of `calx snapshot --check` (6 significant digits
/// kept, 1e-6 relative on top). On a difference or a missing snapshot, write the new one as
/// pending (`.snap.new`, for `cargo insta review` or `calx snapshot --update`) and panic
/// naming every value that moved. `test_file` is the calling test (the files' `source:`).
#[doc(hidden)]
pub fn __assert_snapshot(flowsheet: &Path, test_file: &str, registry: &Registry, search: &[PathBuf]) {
    let body = __render(flowsheet, registry, search);
    if let Err(message) = check_snapshot(flowsheet, test_file, body, update_mode()) {
        panic!("{message}");
    }
}

/// Why a snapshot assertion fails: what moved (or that the snapshot is missing) and what was
/// written for review.
#[derive(Debug, PartialEq, Eq)]
struct SnapshotMismatch(String);

impl std::fmt::Display for SnapshotMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compare `body` with the stored snapshot of `flowsheet`; on a difference, do what `update`
/// says and return the message to fail with.
fn check_snapshot(flowsheet: &Path, test_file: &str, body: String, update: Update) -> Result<(), SnapshotMismatch> {
    let new = SnapshotFile { source: test_file.replace('\\', "/"), body };
    let path = calx_snapshot::snapshot_path(flowsheet);
    let stored = std::fs::read_to_string(&path).ok().map(|t| SnapshotFile::parse(&t));
    let problem = match &stored {
        None => format!("no snapshot at {} yet", path.display()),
        Some(old) => {
            let diffs = calx_snapshot::compare(&old.body, &new.body, &calx_snapshot::Tolerances::default());
            if diffs.is_empty() {
                let _ = std::fs::remove_file(pending_path(&path));
                return Ok(());
            }
            let lines: Vec<String> = diffs.iter().map(|d| format!("  {d}")).collect();
            format!("{}: {} value(s) changed\n{}", path.display(), diffs.len(), lines.join("\n"))
        }
    };
    let pending = pending_path(&path);
    let note = match update {
        Update::Accept => match std::fs::write(&path, new.to_text()) {
            Ok(()) => return Ok(()),
            Err(e) => format!("cannot write {}: {e}", path.display()),
        },
        Update::Pending => match std::fs::write(&pending, new.to_text()) {
            Ok(()) => format!(
                "new values in {}; accept with `cargo insta review` or `calx snapshot --update`",
                pending.display()
            ),
            Err(e) => format!("cannot write {}: {e}", pending.display()),
        },
        Update::Nothing => "nothing written (CI, or INSTA_UPDATE=no)".into(),
    };
    Err(SnapshotMismatch(format!("snapshot of {}: {problem}\n{note}", flowsheet.display())))
}

/// Solve a flowsheet and assert its snapshot (`<dir>/snapshots/<name>.snap`) as
/// `calx snapshot --check` would. The path is relative to the calling crate's manifest
/// directory; a second argument gives a registry (for example one with your plugin's unit
/// types linked in), a third the directories searched for plugin libraries the flowsheet
/// lists (default: `CALX_PLUGIN_PATH`).
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
        $crate::__assert_snapshot(&path, file!(), $registry, $search);
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "flowsheet: t\nstreams:\n  a:\n    total: 1.00000 kg/s";

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("calx-testing-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("snapshots")).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn a_missing_snapshot_fails_and_is_written_as_pending() {
        let dir = temp("missing");
        let sheet = dir.join("plant.yaml");
        let e =
            check_snapshot(&sheet, "tests/x.rs", BODY.into(), Update::Pending).err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("no snapshot") && e.contains("plant.snap.new"), "{e}");
        let pending = std::fs::read_to_string(dir.join("snapshots/plant.snap.new")).unwrap_or_default();
        assert_eq!(SnapshotFile::parse(&pending).body, BODY);
        assert!(!dir.join("snapshots/plant.snap").exists(), "never accepted silently");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn values_within_the_tolerance_pass_and_a_moved_value_is_named() {
        let dir = temp("moved");
        let sheet = dir.join("plant.yaml");
        let stored = SnapshotFile { source: "tests/x.rs".into(), body: BODY.into() };
        std::fs::write(dir.join("snapshots/plant.snap"), stored.to_text()).unwrap_or_else(|e| panic!("{e}"));
        let close = BODY.replace("1.00000", "1.0000001");
        assert_eq!(check_snapshot(&sheet, "tests/x.rs", close, Update::Nothing), Ok(()));
        let moved = BODY.replace("1.00000", "1.20000");
        let e =
            check_snapshot(&sheet, "tests/x.rs", moved.clone(), Update::Nothing).err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("1 value(s) changed") && e.contains("streams › a › total"), "{e}");
        assert!(!dir.join("snapshots/plant.snap.new").exists(), "INSTA_UPDATE=no / CI writes nothing");
        assert_eq!(check_snapshot(&sheet, "tests/x.rs", moved.clone(), Update::Accept), Ok(()));
        let accepted = std::fs::read_to_string(dir.join("snapshots/plant.snap")).unwrap_or_default();
        assert_eq!(SnapshotFile::parse(&accepted).body, moved);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
