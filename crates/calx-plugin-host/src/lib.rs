//! Load Calx unit-operation plugin libraries.
//!
//! [`load`] opens a library with libloading, calls its one entry symbol
//! (`calx_plugin_entry_v1`), checks the header's magic number and ABI major version BEFORE
//! reading the function table, checks the table's recorded size, reads the JSON manifest,
//! and returns [`LoadedPlugin`] whose unit types are ordinary `Arc<dyn UnitType>` proxies:
//! the engine cannot tell them from built-in units. `create` sends the unit's configuration
//! as one JSON message; `calculate` passes flat `f64` arrays and receives report items
//! through callbacks (see `calx-plugin-abi`). A plugin's error or panic becomes a
//! `UnitError` naming the library file, the unit type and the message.
//!
//! The JSON messages are `calx_plugin_abi::wire`'s types, not calx-core's: [`convert`] turns
//! what the host receives (descriptors, unit errors) into calx-core types and what it sends
//! (a unit's configuration) into wire types; the SDK converts the other way. So calx-core
//! can change without changing ABI v1, and [`Manifest`] holds calx-core descriptors.
//!
//! Libraries are never unloaded: a loaded `Library` is leaked, so function pointers and
//! static data inside it stay valid for the life of the process.
//!
//! This crate does no file I/O of its own (finding libraries in directories is the CLI's
//! job); it only asks the dynamic loader to open the path it is given.

#![allow(unsafe_code)]

pub mod convert;
mod proxy;

use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calx_core::{UnitDescriptor, UnitType};
use calx_plugin_abi::{
    ABI_MAJOR, ABI_MINOR, Buffer, ENTRY_SYMBOL, EntryFn, MAGIC, PluginHeader, PluginTable, Status, TABLE_SIZE_V1_0,
    wire,
};
use serde::Serialize;

pub use calx_plugin_abi as abi;

/// Why a library could not be loaded as a Calx plugin.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
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
    /// The manifest could not be read.
    #[error("{path}: cannot read the plugin manifest: {message}")]
    Manifest {
        /// Library path.
        path: String,
        /// What went wrong (including a panic message).
        message: String,
    },
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
}

impl Manifest {
    /// The manifest a plugin sent.
    pub fn from_wire(m: wire::Manifest) -> Manifest {
        let wire::Manifest { provider, plugin_version, sdk_version, units } = m;
        Manifest {
            provider,
            plugin_version,
            sdk_version,
            units: units.iter().map(convert::descriptor_from_wire).collect(),
        }
    }
}

/// A loaded plugin library.
#[derive(Clone)]
pub struct LoadedPlugin {
    /// The path it was loaded from, as given.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// ABI version it was built with (major, minor).
    pub abi: (u32, u32),
    /// Its unit types, callable like built-in ones.
    pub unit_types: Vec<Arc<dyn UnitType>>,
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

/// Load a plugin library. The library stays loaded for the rest of the process.
pub fn load(path: &Path) -> Result<LoadedPlugin, PluginError> {
    let shown = path.display().to_string();
    // SAFETY: opening a library runs its initialisers. Calx plugins are Rust cdylibs built
    // with the SDK (no initialisers of their own); loading any other file is the user's
    // explicit request, and the header is checked before anything else is called.
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
    let manifest = read_manifest(table, header.plugin)
        .map_err(|message| PluginError::Manifest { path: shown.clone(), message })?;
    let plugin = proxy::PluginRef { table, ctx: header.plugin, file: shown };
    let unit_types = manifest
        .units
        .iter()
        .map(|d| Arc::new(proxy::ProxyType::new(plugin.clone(), d.clone())) as Arc<dyn UnitType>)
        .collect();
    Ok(LoadedPlugin { path: path.to_path_buf(), manifest, abi: (header.abi_major, header.abi_minor), unit_types })
}

fn read_manifest(table: &PluginTable, ctx: *const c_void) -> Result<Manifest, String> {
    let mut out = Buffer::EMPTY;
    let status = (table.manifest)(ctx, &mut out);
    let text = proxy::take(table, out);
    match status {
        Status::OK => serde_json::from_slice::<wire::Manifest>(&text)
            .map(Manifest::from_wire)
            .map_err(|e| format!("malformed manifest: {e}")),
        Status::PANIC => Err(format!("the plugin panicked: {}", String::from_utf8_lossy(&text))),
        _ => Err(String::from_utf8_lossy(&text).into_owned()),
    }
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
    fn a_missing_file_carries_the_loaders_message() {
        let e = load(Path::new("/nonexistent/libnothing.so")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not a Calx plugin") && e.contains("libnothing.so"), "{e}");
        assert!(e.contains("No such file") || e.contains("cannot open") || e.contains("not found"), "{e}");
    }
}
