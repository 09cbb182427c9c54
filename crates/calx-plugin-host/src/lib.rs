//! Load Calx plugin libraries: unit operations and (ABI 1.1) analyses.
//!
//! Loading is two steps, so that nothing in a file runs before it is known to be a Calx
//! plugin. [`check`] reads the file (through a reader the caller opened: this crate does no
//! file I/O of its own) without executing it: the path must be absolute, and the library
//! must export the entry symbol `calx_plugin_entry_v1` in its dynamic symbol table (the
//! marker, see [`marker`]). Only the [`Checked`] library it returns can be given to
//! [`load`], which hands the absolute path to the dynamic loader (so the loader never
//! searches `LD_LIBRARY_PATH` or system directories for it), calls the entry symbol, checks
//! the header's magic number and ABI major version BEFORE reading the function table, checks
//! the table's recorded size, reads the JSON manifest, checks what it declares (names,
//! defaults: [`declaration`]) and returns [`LoadedPlugin`] whose unit types are ordinary
//! `Arc<dyn UnitType>` proxies: the engine cannot tell them from built-in units. Its analysis
//! types are `Arc<dyn AnalysisType>` proxies (`analysis_proxy`): a run sends the converged
//! flowsheet as a JSON view, or, for figures only, its numbers as one flat array (the view's
//! layout as JSON only when it changes), and checks the metrics that come back. `create`
//! sends the unit's configuration as one JSON message; `calculate` passes flat `f64` arrays
//! and receives report items through callbacks (see `calx-plugin-abi`). A plugin's error or
//! panic becomes a `UnitError` naming the library file, the unit type and the message.
//! [`trust`] judges who could have written the file (world-writable, another owner) from
//! the ownership the caller read.
//!
//! The JSON messages are `calx_plugin_abi::wire`'s types, not calx-core's: [`convert`] turns
//! what the host receives (descriptors, unit errors) into calx-core types and what it sends
//! (a unit's configuration) into wire types; the SDK converts the other way. So calx-core
//! can change without changing ABI v1, and [`Manifest`] holds calx-core descriptors.
//!
//! Libraries are never unloaded: a loaded `Library` is leaked, so function pointers and
//! static data inside it stay valid for the life of the process.
//!
//! Finding, opening and reading the ownership of library files is the caller's job (the
//! `calx` crate's `plugins` module); this crate reads what it is handed and asks the dynamic
//! loader to open the checked path.

#![allow(unsafe_code)]

mod analysis_proxy;
pub mod convert;
pub mod declaration;
pub mod marker;
mod proxy;
pub mod trust;

use std::ffi::c_void;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calx_core::{AnalysisDescriptor, AnalysisType, UnitDescriptor, UnitType};
use calx_plugin_abi::{
    ABI_MAJOR, ABI_MINOR, Buffer, ENTRY_SYMBOL, EntryFn, MAGIC, PluginHeader, PluginTable, Status, TABLE_SIZE_V1_0,
    TABLE_SIZE_V1_1, wire,
};

pub use analysis_proxy::PluginAnalysisError;
use serde::Serialize;

pub use calx_plugin_abi as abi;

/// Why a library could not be loaded as a Calx plugin.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// A relative path: the dynamic loader would search for it instead of opening it.
    #[error("{path}: a plugin is loaded by absolute path only (the dynamic loader would search for this one)")]
    RelativePath {
        /// Library path.
        path: String,
    },
    /// The file does not carry the Calx plugin marker (checked without loading it).
    #[error("{path}: not a Calx plugin: {error}")]
    NoMarker {
        /// Library path.
        path: String,
        /// What the check found.
        #[source]
        error: marker::MarkerError,
    },
    /// The dynamic loader could not open the file (not a library, wrong architecture,
    /// missing dependency). Carries the loader's own message.
    #[error("{path}: not a Calx plugin: the dynamic loader cannot open it: {message}")]
    Open {
        /// Library path.
        path: String,
        /// The loader's message (libloading's error with its underlying cause).
        message: String,
    },
    /// The library has no `calx_plugin_entry_v1` symbol, or its header lacks the magic number.
    #[error("{path}: not a Calx plugin: {reason}")]
    NotAPlugin {
        /// Library path.
        path: String,
        /// What is missing.
        reason: String,
    },
    /// Built against another ABI major version.
    #[error(
        "{path}: plugin ABI version {plugin_major}.{plugin_minor} is incompatible with this Calx (plugin ABI {host_major}.{host_minor}); rebuild the plugin against calx-plugin-sdk for ABI {host_major}.x"
    )]
    AbiMismatch {
        /// Library path.
        path: String,
        /// The plugin's major version.
        plugin_major: u32,
        /// The plugin's minor version.
        plugin_minor: u32,
        /// The host's major version.
        host_major: u32,
        /// The host's minor version.
        host_minor: u32,
    },
    /// The function table is smaller than this ABI version requires.
    #[error("{path}: plugin function table has {found} bytes, ABI {ABI_MAJOR}.0 needs at least {needed}")]
    Table {
        /// Library path.
        path: String,
        /// Recorded size.
        found: usize,
        /// Minimum size.
        needed: usize,
    },
    /// The manifest declares analysis types, but the library's table has no analysis
    /// functions (built against ABI 1.0, or a table cut short).
    #[error(
        "{path}: the manifest declares analysis types, but the plugin's function table ({found} bytes, ABI {major}.{minor}) has no analysis functions (ABI {ABI_MAJOR}.1, {needed} bytes)"
    )]
    NoAnalysisTable {
        /// Library path.
        path: String,
        /// Recorded size.
        found: usize,
        /// Size with the analysis functions.
        needed: usize,
        /// The plugin's major version.
        major: u32,
        /// The plugin's minor version.
        minor: u32,
    },
    /// The manifest could not be read.
    #[error("{path}: cannot read the plugin manifest: {message}")]
    Manifest {
        /// Library path.
        path: String,
        /// What went wrong (including a panic message).
        message: String,
    },
    /// The manifest declares unit types the host refuses (every problem is listed).
    #[error("{path}: plugin refused, its manifest declares {}", problems_text(problems))]
    Declaration {
        /// Library path.
        path: String,
        /// Each problem, naming the unit type.
        problems: Vec<declaration::DeclarationProblem>,
    },
}

fn problems_text(problems: &[declaration::DeclarationProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("\n  {p}")).collect();
    format!("{} problem{}:{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, lines.concat())
}

/// What a loaded plugin provides: its manifest as received, with the unit descriptors
/// converted to calx-core. Its serde form (for listings and snapshots) is calx-core's; what
/// crossed the boundary was a `wire::Manifest`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Manifest {
    /// Provider name (`calx-mineralization`).
    pub provider: String,
    /// The plugin crate's version.
    pub plugin_version: String,
    /// The SDK version it was built with.
    pub sdk_version: String,
    /// Its unit types.
    pub units: Vec<UnitDescriptor>,
    /// Its analysis types (ABI 1.1; none from a 1.0 plugin, and then not serialized).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub analyses: Vec<AnalysisDescriptor>,
}

impl Manifest {
    /// The manifest a plugin sent.
    pub fn from_wire(m: wire::Manifest) -> Manifest {
        let wire::Manifest { provider, plugin_version, sdk_version, units, analyses } = m;
        Manifest {
            provider,
            plugin_version,
            sdk_version,
            units: units.iter().map(convert::descriptor_from_wire).collect(),
            analyses: analyses.iter().map(convert::analysis::analysis_descriptor_from_wire).collect(),
        }
    }
}

/// A library file that carries the Calx plugin marker, found by [`check`] without
/// executing anything in it; the only thing [`load`] accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    path: PathBuf,
}

impl Checked {
    /// Its absolute path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Check, without executing it, that the library at the absolute `path`, read through
/// `file`, is a Calx plugin: it exports `calx_plugin_entry_v1` (see [`marker`]). The caller
/// opens `file` from `path` (the `calx` crate canonicalizes the path first, so the file
/// checked is the file loaded, symbolic links resolved).
pub fn check<R: Read + Seek>(path: &Path, file: R) -> Result<Checked, PluginError> {
    let shown = path.display().to_string();
    if !path.is_absolute() {
        return Err(PluginError::RelativePath { path: shown });
    }
    marker::check_marker(file).map_err(|error| PluginError::NoMarker { path: shown, error })?;
    Ok(Checked { path: path.to_path_buf() })
}

/// A loaded plugin library.
#[derive(Clone)]
pub struct LoadedPlugin {
    /// The absolute path it was loaded from (as checked).
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// ABI version it was built with (major, minor).
    pub abi: (u32, u32),
    /// Its unit types, callable like built-in ones.
    pub unit_types: Vec<Arc<dyn UnitType>>,
    /// Its analysis types, callable like built-in ones (ABI 1.1).
    pub analysis_types: Vec<Arc<dyn AnalysisType>>,
}

/// The host's ABI version (major, minor).
pub const HOST_ABI: (u32, u32) = (ABI_MAJOR, ABI_MINOR);

/// Check a header before anything it points to is read: magic, then major version.
pub fn check_header(path: &str, header: &PluginHeader) -> Result<(), PluginError> {
    if header.magic != MAGIC {
        return Err(PluginError::NotAPlugin {
            path: path.to_string(),
            reason: format!(
                "`{ENTRY_SYMBOL}` returned a header without the Calx magic number (found {:#018x})",
                header.magic
            ),
        });
    }
    if header.abi_major != ABI_MAJOR {
        return Err(PluginError::AbiMismatch {
            path: path.to_string(),
            plugin_major: header.abi_major,
            plugin_minor: header.abi_minor,
            host_major: ABI_MAJOR,
            host_minor: ABI_MINOR,
        });
    }
    if header.table.is_null() {
        return Err(PluginError::NotAPlugin {
            path: path.to_string(),
            reason: "the header has no function table".into(),
        });
    }
    Ok(())
}

/// libloading's error with every underlying cause (its own text alone can be just
/// "dlopen failed").
fn loader_message(e: &libloading::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    text
}

/// Load a checked plugin library. The library stays loaded for the rest of the process.
pub fn load(checked: &Checked) -> Result<LoadedPlugin, PluginError> {
    let path = checked.path();
    let shown = path.display().to_string();
    // SAFETY: opening a library runs its initialisers. `check` found the Calx entry symbol
    // in the file without executing it, so this is a library built as a Calx plugin (Rust
    // cdylibs built with the SDK have no initialisers of their own) that the user listed;
    // the path is absolute, so the loader opens that file and searches nowhere else. The
    // header is checked before anything else is called.
    let library = unsafe { libloading::Library::new(path) }
        .map_err(|e| PluginError::Open { path: shown.clone(), message: loader_message(&e) })?;
    // Never unloaded: function pointers and statics inside stay valid for 'static.
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    // SAFETY: the symbol, if present, has the entry point's type by the ABI contract.
    let entry: EntryFn = unsafe { library.get::<EntryFn>(ENTRY_SYMBOL.as_bytes()) }.map(|s| *s).map_err(|e| {
        PluginError::NotAPlugin {
            path: shown.clone(),
            reason: format!("no `{ENTRY_SYMBOL}` symbol ({})", loader_message(&e)),
        }
    })?;
    let header = entry();
    check_header(&shown, &header)?;
    // SAFETY: magic and major version match, so `table` points to a static PluginTable
    // whose first field is its size; only fields within that size are read.
    let table: &'static PluginTable = unsafe { &*header.table };
    if table.size < TABLE_SIZE_V1_0 {
        return Err(PluginError::Table { path: shown, found: table.size, needed: TABLE_SIZE_V1_0 });
    }
    (table.set_logger)(proxy::host_log);
    let manifest = read_manifest(&shown, table, header.plugin)?;
    let plugin = proxy::PluginRef { table, ctx: header.plugin, file: shown };
    let (major, minor) = (header.abi_major, header.abi_minor);
    if !manifest.analyses.is_empty() && (minor < 1 || table.size < TABLE_SIZE_V1_1) {
        return Err(PluginError::NoAnalysisTable {
            path: plugin.file,
            found: table.size,
            needed: TABLE_SIZE_V1_1,
            major,
            minor,
        });
    }
    let unit_types = manifest
        .units
        .iter()
        .map(|d| Arc::new(proxy::ProxyType::new(plugin.clone(), d.clone())) as Arc<dyn UnitType>)
        .collect();
    let analysis_types = manifest
        .analyses
        .iter()
        .map(|d| Arc::new(analysis_proxy::ProxyAnalysisType::new(plugin.clone(), d.clone())) as Arc<dyn AnalysisType>)
        .collect();
    Ok(LoadedPlugin { path: path.to_path_buf(), manifest, abi: (major, minor), unit_types, analysis_types })
}

/// Decode a plugin's manifest (the JSON of ABI v1 it sends) and check what it declares: the
/// host's whole treatment of a manifest, with no library involved (the fuzz target of
/// `calx-fuzz` drives it directly).
pub fn decode_manifest(path: &str, json: &[u8]) -> Result<Manifest, PluginError> {
    let manifest = match serde_json::from_slice::<wire::Manifest>(json) {
        Ok(m) => Manifest::from_wire(m),
        Err(e) => {
            return Err(PluginError::Manifest { path: path.to_string(), message: format!("malformed manifest: {e}") });
        }
    };
    let mut problems = declaration::check_units(&manifest.units);
    problems.extend(declaration::check_analyses(&manifest.analyses));
    if !problems.is_empty() {
        return Err(PluginError::Declaration { path: path.to_string(), problems });
    }
    Ok(manifest)
}

fn read_manifest(path: &str, table: &PluginTable, ctx: *const c_void) -> Result<Manifest, PluginError> {
    let mut out = Buffer::EMPTY;
    let status = (table.manifest)(ctx, &mut out);
    let text = proxy::take(table, out);
    let message = match status {
        Status::OK => return decode_manifest(path, &text),
        Status::PANIC => format!("the plugin panicked: {}", String::from_utf8_lossy(&text)),
        _ => String::from_utf8_lossy(&text).into_owned(),
    };
    Err(PluginError::Manifest { path: path.to_string(), message })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: u64, major: u32) -> PluginHeader {
        PluginHeader { magic, abi_major: major, abi_minor: 3, table: std::ptr::null(), plugin: std::ptr::null() }
    }

    #[test]
    fn bad_magic_is_not_a_plugin() {
        let e = check_header("libx.so", &header(42, ABI_MAJOR)).unwrap_err().to_string();
        assert!(e.contains("libx.so: not a Calx plugin") && e.contains("magic"), "{e}");
    }

    #[test]
    fn major_mismatch_names_both_versions_before_the_table_is_read() {
        // The table pointer is null: the check must fail on the version without reading it.
        let e = check_header("libx.so", &header(MAGIC, ABI_MAJOR + 1)).unwrap_err().to_string();
        assert!(e.contains(&format!("plugin ABI version {}.3", ABI_MAJOR + 1)), "{e}");
        assert!(e.contains(&format!("plugin ABI {ABI_MAJOR}.{ABI_MINOR}")), "{e}");
    }

    #[test]
    fn a_relative_path_is_refused_before_anything_is_read() {
        let e = check(Path::new("libx.so"), std::io::Cursor::new(Vec::new())).unwrap_err().to_string();
        assert!(e.contains("libx.so: a plugin is loaded by absolute path only"), "{e}");
    }

    #[test]
    fn a_missing_file_carries_the_loaders_message() {
        // A marked library that is gone when the loader opens it: the loader's message.
        let marked = std::io::Cursor::new(marker::tests::elf(&[(ENTRY_SYMBOL, marker::tests::EXPORTED)]));
        let checked = check(Path::new("/nonexistent/libnothing.so"), marked).unwrap();
        let e = load(&checked).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not a Calx plugin") && e.contains("libnothing.so"), "{e}");
        assert!(e.contains("No such file") || e.contains("cannot open") || e.contains("not found"), "{e}");
    }
}
