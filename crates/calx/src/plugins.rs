//! Loading a flowsheet together with the plugin libraries it lists under `plugins:`.
//!
//! Entries are resolved relative to the flowsheet's directory. A bare library name without
//! a path or extension (`calx_cyclone`) becomes the platform's file name
//! (`libcalx_cyclone.so`, `calx_cyclone.dll`, `libcalx_cyclone.dylib`) and is looked for in
//! the flowsheet's directory, then in each directory of `CALX_PLUGIN_PATH` (colon-separated
//! on Unix); a name of one of the plugin crates of the Calx source tree that is not found
//! says which command builds it. A directory means every Calx plugin library directly
//! inside it. Only what is listed is loaded.
//!
//! Every file is made absolute and canonical (symbolic links resolved) before anything else,
//! so the dynamic loader is handed exactly the file that was checked and never searches
//! `LD_LIBRARY_PATH` or system directories for a name (a flowsheet given as `plant.yaml`
//! has the directory `""`, which would make `libx.so` such a name). Then, before the loader
//! runs anything in it, the file is read without executing it
//! (`calx_plugin_host::check`): it must export the Calx entry symbol. A directory entry
//! skips the libraries without that marker unopened and is an error when none has it; a
//! listed file without it is an error. A plugin whose file or directory every user may
//! write, or that belongs to another user (not root), is loaded with a warning
//! (`calx_plugin_host::trust`). Each loaded type is registered with the library's path as
//! its provider, so a type provided twice is an error naming both files (or the built-in
//! plugin). Analysis types of a library (ABI 1.1) are registered the same way, through
//! `Registry::register_analysis` like the built-in LCA, TEA and carbon ledger; one reading an
//! analysis type that is provided by nobody is refused naming the file.

use std::path::{Path, PathBuf};

use calx_core::Registry;
use calx_flowsheet::{Loc, PluginEntry};
use calx_plugin_host::{Checked, LoadedPlugin, PluginError};

/// The plugin crates of the Calx source tree (`plugins/`): a bare name of one of them that
/// is not found is a library that was not built.
const SHIPPED_PLUGINS: &[&str] =
    &["calx-cyclone", "calx-equipment", "calx-generic", "calx-mineralization", "calx-water-footprint"];

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
    #[error(
        "plugin `{entry}`: no {file} in {} (set CALX_PLUGIN_PATH to add directories){}",
        looked.join(", "),
        shipped.map(build_hint).unwrap_or_default()
    )]
    NotFound {
        /// The entry as written.
        entry: String,
        /// The library file name looked for.
        file: String,
        /// The directories searched.
        looked: Vec<String>,
        /// The plugin crate of the Calx source tree of that name, if it is one.
        shipped: Option<&'static str>,
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
    /// A file that cannot be made absolute or read.
    #[error("plugin {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A directory without any Calx plugin library in it.
    #[error(
        "plugin directory {}: no Calx plugin in it ({skipped} other librar{} skipped without being opened: they do not export `{}`)",
        path.display(),
        if *skipped == 1 { "y" } else { "ies" },
        calx_plugin_host::abi::ENTRY_SYMBOL
    )]
    NoPlugins {
        /// The directory.
        path: PathBuf,
        /// How many libraries without the marker it holds.
        skipped: usize,
    },
}

/// What to do about a shipped plugin that is not built.
fn build_hint(krate: &'static str) -> String {
    format!(
        "; `{krate}` is a plugin of the Calx source tree (plugins/{krate}) and its library is not built: run `cargo xtask build-plugins` in the source tree, then add the directory it prints (target/debug) to CALX_PLUGIN_PATH"
    )
}

/// An absolute, canonical path of an existing file or directory.
fn absolute(path: &Path) -> Result<PathBuf, ResolveError> {
    path.canonicalize().map_err(|source| ResolveError::Unreadable { path: path.to_path_buf(), source })
}

/// The library files one `plugins:` entry stands for, absolute and canonical, or why it
/// stands for none. A directory stands for the libraries in it that carry the Calx plugin
/// marker (read without executing them).
pub fn resolve(entry: &str, base: &Path, search: &[PathBuf]) -> Result<Vec<PathBuf>, ResolveError> {
    let bare = !entry.contains(['/', '\\']) && Path::new(entry).extension().is_none();
    if bare {
        let file = library_file_name(entry);
        let dirs: Vec<&Path> = std::iter::once(base).chain(search.iter().map(PathBuf::as_path)).collect();
        let Some(found) = dirs.iter().map(|d| d.join(&file)).find(|p| p.is_file()) else {
            let shown = |d: &&Path| if d.as_os_str().is_empty() { ".".to_string() } else { d.display().to_string() };
            let looked = dirs.iter().map(shown).collect();
            let shipped = SHIPPED_PLUGINS.iter().copied().find(|c| c.replace('-', "_") == entry);
            return Err(ResolveError::NotFound { entry: entry.to_string(), file, looked, shipped });
        };
        return Ok(vec![absolute(&found)?]);
    }
    let path = base.join(entry);
    if path.is_dir() {
        return plugins_in(&absolute(&path)?);
    }
    if path.is_file() { Ok(vec![absolute(&path)?]) } else { Err(ResolveError::Missing { path }) }
}

/// The Calx plugin libraries directly inside the absolute directory `dir`, sorted; the
/// other libraries are skipped without being opened by the loader.
fn plugins_in(dir: &Path) -> Result<Vec<PathBuf>, ResolveError> {
    let mut libs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| ResolveError::Directory { path: dir.to_path_buf(), source })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_library(p))
        .collect();
    libs.sort();
    let mut plugins = Vec::new();
    let mut skipped = 0;
    for lib in libs {
        let lib = absolute(&lib)?;
        match check(&lib) {
            Ok(_) => plugins.push(lib),
            Err(FileError::Read(e)) => return Err(e),
            // Without the marker (the path is absolute, so nothing else can be wrong).
            Err(FileError::Plugin(e)) => {
                tracing::debug!("skipped: {e}");
                skipped += 1;
            }
        }
    }
    if plugins.is_empty() {
        return Err(ResolveError::NoPlugins { path: dir.to_path_buf(), skipped });
    }
    // Two names of one file (a symbolic link beside its target) are one plugin.
    plugins.sort();
    plugins.dedup();
    Ok(plugins)
}

/// Why a library file was not loaded.
#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error(transparent)]
    Read(ResolveError),
    #[error(transparent)]
    Plugin(PluginError),
}

/// Check the absolute library file `path` without executing it: its marker (and, on Unix,
/// warn when someone else could have written it).
fn check(path: &Path) -> Result<Checked, FileError> {
    let file = std::fs::File::open(path)
        .map_err(|source| FileError::Read(ResolveError::Unreadable { path: path.to_path_buf(), source }))?;
    calx_plugin_host::check(path, file).map_err(FileError::Plugin)
}

/// Warn about a plugin file that another user could have written.
#[cfg(unix)]
fn warn_if_others_could_write(path: &Path) {
    use std::os::unix::fs::MetadataExt;
    let ownership = |p: &Path| {
        std::fs::metadata(p).ok().map(|m| calx_plugin_host::trust::Ownership { uid: m.uid(), mode: m.mode() })
    };
    let (Some(file), Some(dir)) = (ownership(path), path.parent().and_then(ownership)) else { return };
    for w in calx_plugin_host::trust::trust_warnings(file, dir) {
        tracing::warn!("plugin {}: {w}", path.display());
    }
}

/// Warn about a plugin file that another user could have written (nothing to read here).
#[cfg(not(unix))]
fn warn_if_others_could_write(_path: &Path) {}

/// A problem with one `plugins:` entry: where it is written and what is wrong.
pub type PluginProblem = (Loc, String);

/// Load the libraries of every entry (each file once) and register their unit and analysis
/// types on top of `builtin`, through the registry's one interface the built-ins use.
/// Problems come back with the entry's position: among them an analysis type reading an
/// analysis type that neither the built-ins nor any listed library provides.
pub fn load_plugins(
    entries: &[PluginEntry],
    base: &Path,
    search: &[PathBuf],
    builtin: &Registry,
) -> Result<(Registry, Vec<LoadedPlugin>), Vec<PluginProblem>> {
    let mut registry = builtin.clone();
    let mut loaded: Vec<(Loc, LoadedPlugin)> = Vec::new();
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
        for file in files {
            if seen.contains(&file) {
                continue;
            }
            seen.push(file.clone());
            warn_if_others_could_write(&file);
            let plugin = check(&file).and_then(|c| calx_plugin_host::load(&c).map_err(FileError::Plugin));
            match plugin {
                Ok(p) => {
                    problems.extend(register(&mut registry, &p).into_iter().map(|m| (entry.loc, m)));
                    loaded.push((entry.loc, p));
                }
                // One message per refused declaration, each naming the file and unit type.
                Err(FileError::Plugin(PluginError::Declaration { path, problems: list })) => {
                    problems.extend(list.iter().map(|p| (entry.loc, format!("{path}: plugin refused: {p}"))));
                }
                Err(e) => problems.push((entry.loc, e.to_string())),
            }
        }
    }
    for (loc, p) in &loaded {
        problems.extend(unknown_reads(&registry, p).into_iter().map(|m| (*loc, m)));
    }
    if problems.is_empty() { Ok((registry, loaded.into_iter().map(|(_, p)| p).collect())) } else { Err(problems) }
}

/// Register a loaded library's unit and analysis types with its path as their provider, on
/// the built-ins' own path; the names already taken, as messages naming both providers.
fn register(registry: &mut Registry, p: &LoadedPlugin) -> Vec<String> {
    let provider = p.path.display().to_string();
    crate::builtins::register_provider(registry, &provider, &p.unit_types, &p.analysis_types)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The analysis types of a loaded library that read an analysis type nobody provides.
fn unknown_reads(registry: &Registry, p: &LoadedPlugin) -> Vec<String> {
    let known: Vec<&str> = registry.analyses().map(|a| a.descriptor.type_name.as_str()).collect();
    let mut out = Vec::new();
    for d in &p.manifest.analyses {
        for read in d.reads.iter().filter(|r| registry.analysis(r).is_none()) {
            out.push(format!(
                "{}: plugin refused: analysis type `{}` reads analysis type `{}`, which neither Calx nor a listed plugin provides (known: {})",
                p.path.display(),
                d.type_name.escape_debug(),
                read.escape_debug(),
                known.join(", ")
            ));
        }
    }
    out
}
