//! Helpers for the workspace tests: paths, loading and solving a flowsheet the way `calx run`
//! does, and listing test data deterministically.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calx_core::result::FlowsheetResult;
use calx_flowsheet::Model;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Files with extension `ext` in `dir` (relative to the root), sorted by name.
pub fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The shipped flowsheets: `flowsheets/*.yaml` without the study files beside them (files
/// with a top-level `study:`).
pub fn flowsheet_files() -> Vec<PathBuf> {
    files("flowsheets", "yaml")
        .into_iter()
        .filter(|p| match calx_flowsheet::parse_yaml(&std::fs::read_to_string(p).unwrap_or_default()) {
            Ok(calx_flowsheet::YamlValue::Map(m)) => !m.iter().any(|(k, _)| k == "study"),
            _ => true,
        })
        .collect()
}

/// Load a flowsheet by its path relative to the root (so messages hold no absolute paths),
/// with the plugin libraries it lists (built first by [`plugin_dir`] when it lists any).
pub fn load(relative: &str) -> Result<Model, String> {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{relative}: {e}"))?;
    let search = if text.contains("plugins:") { vec![plugin_dir().to_path_buf()] } else { Vec::new() };
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let options = calx::LoadOptions { registry: calx::builtin_registry(), plugin_search: search };
    calx::Project::from_text(&text, relative, &base, &options).map(calx::Project::into_model).map_err(|e| e.to_string())
}

/// Load, build and solve.
pub fn solve(relative: &str) -> Result<(Model, FlowsheetResult), String> {
    let model = load(relative)?;
    let mut f = model.build().map_err(|d| d.to_string())?;
    let result = f.solve().map_err(|e| e.to_string())?;
    Ok((model, result))
}

/// Relative path of a file under the root, with forward slashes.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Every library the tests load. The shipped plugins need their `export` feature.
const PACKAGES: &[&str] = &[
    "calx-fixture-faulty",
    "calx-fixture-duplicate",
    "calx-fixture-abi-mismatch",
    "calx-fixture-no-entry",
    "calx-fixture-bad-names",
    "calx-fixture-bad-defaults",
    "calx-fixture-analysis-faults",
    "calx-fixture-analysis-clash",
    "calx-fixture-analysis-twice",
    "calx-fixture-abi-1-0",
    "calx-water-footprint",
    "calx-generic",
    "calx-mineralization",
    "calx-cyclone",
];

/// Build every plugin library once (fresh: `calx_testing::build_plugins`) and return the
/// directory holding them.
pub fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // The shipped plugins are built with their `export` feature, in a target directory of
        // their own: mixing those artifacts with the test's own (built without it) in one
        // directory makes rustc see two versions of the same crate.
        calx_testing::build_plugins(PACKAGES, &["calx-generic/export", "calx-mineralization/export"])
            .unwrap_or_else(|e| panic!("{e}"))
    })
}
