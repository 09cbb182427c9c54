//! Loading a flowsheet together with the plugin libraries it lists under `plugins:`.
//!
//! Entries are resolved relative to the flowsheet's directory. A directory means every Calx
//! plugin library directly inside it (files that are not Calx plugins are skipped; a Calx
//! plugin that fails to load is an error). A bare library name without a path or extension
//! (`calx_cyclone`) becomes the platform's file name (`libcalx_cyclone.so`,
//! `calx_cyclone.dll`, `libcalx_cyclone.dylib`) and is looked for in the flowsheet's
//! directory, then in each directory of `CALX_PLUGIN_PATH` (colon-separated on Unix). Only
//! what is listed is loaded. Each loaded type is registered with the library's path as its
//! provider, so a type provided twice is an error naming both files (or the built-in plugin).

use std::path::{Path, PathBuf};

use calx_core::Registry;
use calx_flowsheet::{Loc, PluginEntry};
use calx_plugin_host::{LoadedPlugin, PluginError};

/// Directories of the `CALX_PLUGIN_PATH` environment variable.
pub fn search_path_from_env() -> Vec<PathBuf> {
    std::env::var_os("CALX_PLUGIN_PATH")
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default()
}

/// The platform's file name of library `name` (`libname.so` on Linux).
pub fn library_file_name(name: &str) -> String {
    format!("{}{name}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

fn is_library(p: &Path) -> bool {
    p.is_file() && p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(std::env::consts::DLL_SUFFIX))
}

/// Why a `plugins:` entry stands for no library.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A bare name that is in none of the searched directories.
    #[error("plugin `{entry}`: no {file} in {} (set CALX_PLUGIN_PATH to add directories)", looked.join(", "))]
    NotFound {
        /// The entry as written.
        entry: String,
        /// The library file name looked for.
        file: String,
        /// The directories searched.
        looked: Vec<String>,
    },
    /// A directory that cannot be listed.
    #[error("plugin directory {}: {source}", path.display())]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A path that is neither a file nor a directory.
    #[error("plugin {}: no such file or directory", path.display())]
    Missing {
        /// The path.
        path: PathBuf,
    },
}

/// The library files one `plugins:` entry stands for, or why it stands for none.
pub fn resolve(entry: &str, base: &Path, search: &[PathBuf]) -> Result<Vec<PathBuf>, ResolveError> {
    let bare = !entry.contains(['/', '\\']) && Path::new(entry).extension().is_none();
    if bare {
        let file = library_file_name(entry);
        let dirs: Vec<&Path> = std::iter::once(base).chain(search.iter().map(PathBuf::as_path)).collect();
        return dirs.iter().map(|d| d.join(&file)).find(|p| p.is_file()).map(|p| vec![p]).ok_or_else(|| {
            let looked = dirs.iter().map(|d| d.display().to_string()).collect();
            ResolveError::NotFound { entry: entry.to_string(), file, looked }
        });
    }
    let path = base.join(entry);
    if path.is_dir() {
        let mut libs: Vec<PathBuf> = std::fs::read_dir(&path)
            .map_err(|source| ResolveError::Directory { path: path.clone(), source })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_library(p))
            .collect();
        libs.sort();
        return Ok(libs);
    }
    if path.is_file() { Ok(vec![path]) } else { Err(ResolveError::Missing { path }) }
}

/// A problem with one `plugins:` entry: where it is written and what is wrong.
pub type PluginProblem = (Loc, String);

/// Load the libraries of every entry (each file once) and register their unit types on top
/// of `builtin`. Problems come back with the entry's position.
pub fn load_plugins(
    entries: &[PluginEntry],
    base: &Path,
    search: &[PathBuf],
    builtin: &Registry,
) -> Result<(Registry, Vec<LoadedPlugin>), Vec<PluginProblem>> {
    let mut registry = builtin.clone();
    let mut loaded: Vec<LoadedPlugin> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut problems = Vec::new();
    for entry in entries {
        let files = match resolve(&entry.path, base, search) {
            Ok(f) => f,
            Err(e) => {
                problems.push((entry.loc, e.to_string()));
                continue;
            }
        };
        let from_dir = base.join(&entry.path).is_dir();
        for file in files {
            let key = file.canonicalize().unwrap_or_else(|_| file.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            match calx_plugin_host::load(&file) {
                Ok(p) => {
                    let provider = file.display().to_string();
                    for t in &p.unit_types {
                        if let Err(e) = registry.register(&provider, t.clone()) {
                            problems.push((entry.loc, e));
                        }
                    }
                    loaded.push(p);
                }
                // Scanning a directory skips libraries that are not Calx plugins at all.
                Err(PluginError::NotAPlugin { .. } | PluginError::Open { .. }) if from_dir => {}
                Err(e) => problems.push((entry.loc, e.to_string())),
            }
        }
    }
    if problems.is_empty() { Ok((registry, loaded)) } else { Err(problems) }
}
