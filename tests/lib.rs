//! Helpers for the workspace tests: paths, loading and solving a flowsheet the way `calx run`
//! does, and listing test data deterministically.

use std::path::{Path, PathBuf};

use calx_core::result::FlowsheetResult;
use calx_flowsheet::Model;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Files with extension `ext` in `dir` (relative to the root), sorted by name.
pub fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Load a flowsheet by its path relative to the root (so messages hold no absolute paths).
pub fn load(relative: &str) -> Result<Model, String> {
    let text = std::fs::read_to_string(root().join(relative)).map_err(|e| format!("{relative}: {e}"))?;
    calx_flowsheet::parse(&text, relative, &calx_cli::builtin_registry()).map_err(|d| d.to_string())
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
