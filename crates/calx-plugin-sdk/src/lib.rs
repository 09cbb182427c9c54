//! Write Calx unit-operation and analysis plugins.
//!
//! A plugin author implements [`UnitType`] and [`UnitOperation`] — the same traits as the
//! built-in units in `plugins/calx-generic` — and calls [`export_plugin!`] once:
//!
//! ```text
//! calx_plugin_sdk::export_plugin!(provider = "calx-cyclone", types = [Cyclone]);
//! ```
//!
//! Analyses (post-processors over the converged flowsheet, ABI 1.1) implement
//! [`AnalysisType`] and [`Analysis`] — the same traits as the built-in LCA, TEA and carbon
//! ledger, with the same parameter schema as units — and are listed beside the unit types:
//! `export_plugin!(provider = "calx-water-footprint", types = [], analyses = [WaterFootprint])`.
//! Across the library boundary an analysis sees the converged flowsheet as the host's
//! `wire::FlowsheetView` carries it, rebuilt as a [`FlowsheetResult`] (streams, units'
//! utilities, materials, sizes, notes and closures, the flowsheet's closures) and the
//! earlier analyses' metrics; linked statically it sees the host's own result. An analysis
//! that reads only what the view carries gives bit-identical figures both ways.
//!
//! With the plugin crate's cargo feature `export` on, the macro emits the library's one
//! entry symbol (`calx_plugin_entry_v1`); everything behind it is here, in ordinary
//! functions: the function table, JSON manifest and unit creation, the flat per-call path,
//! panic catching and buffer ownership. Without the feature the crate is a plain Rust
//! library, so it can also be linked statically (as the CLI links `calx-generic` and
//! `calx-mineralization`) without two libraries defining the same symbol.
//!
//! The entry symbol is also the library's Calx plugin marker: the host reads the file's
//! exported symbols without executing it and loads only a library that exports this name,
//! so a library built without `export` is refused (listed as a file) or skipped (in a
//! listed directory). The host also refuses a manifest with empty, duplicate or
//! control-character names, or defaults that are not values of their kinds.
//!
//! Why the `export` feature: `#[unsafe(no_mangle)]` names a process-global symbol. Two
//! plugin crates that both defined it unconditionally could not be linked into one
//! binary ("duplicate symbol: calx_plugin_entry_v1"). Building the dynamic library is an
//! explicit step (`cargo build -p NAME --features export`, or `cargo xtask build-plugins`).
//!
//! What crosses as JSON is `calx_plugin_abi::wire`'s types, not calx-core's: [`convert`]
//! turns the descriptors and unit errors a plugin sends into wire types and the unit
//! configuration it receives back into calx-core types (the host converts the other way),
//! so calx-core can change without changing ABI v1.
//!
//! Why no `unsafe` at the call site: the macro's expansion is a `static` and a safe
//! `extern "C" fn` carrying `#[unsafe(no_mangle)]`. rustc does not apply the
//! `unsafe_code` lint to code expanded from another crate's `macro_rules!`, so plugin
//! crates keep the workspace's `unsafe_code = "forbid"`. The obligation that attribute
//! stands for — the symbol name must not clash — is discharged here: the name is versioned
//! and reserved for Calx, and it is emitted only under the `export` feature.

#![allow(unsafe_code)]

pub mod convert;
pub mod log;
mod runtime;

use std::sync::{Arc, OnceLock};

pub use calx_core;
pub use calx_core::dimension::Dimension;
pub use calx_core::params::{ParamKind, ParamSpec, ParamValue, Params};
pub use calx_core::unit::{
    Connections, MaterialUse, PortDirection, PortSpec, SizeFigure, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType, Utility, UtilityUse,
};
pub use calx_core::{Component, ComponentSet, Phase, Stream};
// Analyses: the same traits the built-in LCA, TEA and carbon ledger implement.
pub use calx_core::report;
pub use calx_core::result::FlowsheetResult;
pub use calx_core::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, CsvTable, Metric, MetricWriter,
};
pub use calx_plugin_abi as abi;

/// The SDK's version, recorded in every manifest.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One plugin library's unit and analysis types, built lazily on first use. Created by
/// [`export_plugin!`]; authors do not name it.
#[doc(hidden)]
pub struct Plugin {
    provider: &'static str,
    version: &'static str,
    make: fn() -> Vec<Arc<dyn UnitType>>,
    types: OnceLock<Vec<Arc<dyn UnitType>>>,
    make_analyses: fn() -> Vec<Arc<dyn AnalysisType>>,
    analyses: OnceLock<Vec<Arc<dyn AnalysisType>>>,
}

impl Plugin {
    /// A plugin named `provider` at `version` whose unit types `make` returns (no analyses).
    pub const fn new(provider: &'static str, version: &'static str, make: fn() -> Vec<Arc<dyn UnitType>>) -> Plugin {
        Plugin::with_analyses(provider, version, make, Vec::new)
    }

    /// A plugin whose unit types `make` and analysis types `make_analyses` return.
    pub const fn with_analyses(
        provider: &'static str,
        version: &'static str,
        make: fn() -> Vec<Arc<dyn UnitType>>,
        make_analyses: fn() -> Vec<Arc<dyn AnalysisType>>,
    ) -> Plugin {
        Plugin { provider, version, make, types: OnceLock::new(), make_analyses, analyses: OnceLock::new() }
    }

    /// The analysis types.
    pub fn analysis_types(&self) -> &[Arc<dyn AnalysisType>] {
        self.analyses.get_or_init(self.make_analyses)
    }

    /// The provider name.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The unit types.
    pub fn types(&self) -> &[Arc<dyn UnitType>] {
        self.types.get_or_init(self.make)
    }

    /// The manifest the host reads at load time.
    pub fn manifest(&self) -> abi::wire::Manifest {
        abi::wire::Manifest {
            provider: self.provider.to_string(),
            plugin_version: self.version.to_string(),
            sdk_version: SDK_VERSION.to_string(),
            units: self.types().iter().map(|t| convert::descriptor_to_wire(&t.descriptor())).collect(),
            analyses: self
                .analysis_types()
                .iter()
                .map(|t| convert::analysis::analysis_descriptor_to_wire(&t.descriptor()))
                .collect(),
        }
    }
}

/// The header the generated entry point returns.
#[doc(hidden)]
pub fn header(plugin: &'static Plugin) -> abi::PluginHeader {
    raw_header(plugin, abi::MAGIC, abi::ABI_MAJOR, abi::ABI_MINOR)
}

/// A header with chosen magic and version: for the host's fault tests only.
#[doc(hidden)]
pub fn raw_header(plugin: &'static Plugin, magic: u64, abi_major: u32, abi_minor: u32) -> abi::PluginHeader {
    abi::PluginHeader { magic, abi_major, abi_minor, table: &runtime::TABLE, plugin: (plugin as *const Plugin).cast() }
}

/// The header of a library built against ABI 1.0 (minor version 0, a table without the
/// analysis functions): for the host's compatibility test only.
#[doc(hidden)]
pub fn header_v1_0(plugin: &'static Plugin) -> abi::PluginHeader {
    abi::PluginHeader {
        magic: abi::MAGIC,
        abi_major: abi::ABI_MAJOR,
        abi_minor: 0,
        table: &runtime::TABLE_V1_0,
        plugin: (plugin as *const Plugin).cast(),
    }
}

/// Export a plugin's unit and analysis types from a dynamic library.
///
/// ```text
/// calx_plugin_sdk::export_plugin!(provider = "my-units", types = [MyUnit, OtherUnit]);
/// // analyses beside (or instead of) unit types:
/// calx_plugin_sdk::export_plugin!(provider = "my-analyses", types = [], analyses = [WaterFootprint]);
/// // or, with functions returning Vec<Arc<dyn UnitType>> and Vec<Arc<dyn AnalysisType>>:
/// calx_plugin_sdk::export_plugin!(provider = PROVIDER, types_fn = unit_types, analyses_fn = analysis_types);
/// ```
///
/// The entry symbol is emitted only when the calling crate's feature `export` is on (see
/// the crate documentation); declare `[features] export = []` in the plugin's Cargo.toml.
#[macro_export]
macro_rules! export_plugin {
    (provider = $provider:expr, types = [$($t:expr),* $(,)?] $(,)?) => {
        $crate::export_plugin!(provider = $provider, types = [$($t),*], analyses = []);
    };
    (provider = $provider:expr, types = [$($t:expr),* $(,)?], analyses = [$($a:expr),* $(,)?] $(,)?) => {
        $crate::export_plugin!(
            provider = $provider,
            types_fn = || ::std::vec![$(::std::sync::Arc::new($t) as ::std::sync::Arc<dyn $crate::UnitType>),*],
            analyses_fn = || ::std::vec![$(::std::sync::Arc::new($a) as ::std::sync::Arc<dyn $crate::AnalysisType>),*]
        );
    };
    (provider = $provider:expr, types_fn = $make:expr $(,)?) => {
        $crate::export_plugin!(provider = $provider, types_fn = $make, analyses_fn = ::std::vec::Vec::new);
    };
    (provider = $provider:expr, types_fn = $make:expr, analyses_fn = $analyses:expr $(,)?) => {
        /// The Calx plugin entry point (generated by `calx_plugin_sdk::export_plugin!`).
        #[cfg(feature = "export")]
        #[unsafe(no_mangle)]
        pub extern "C" fn calx_plugin_entry_v1() -> $crate::abi::PluginHeader {
            static PLUGIN: $crate::Plugin =
                $crate::Plugin::with_analyses($provider, env!("CARGO_PKG_VERSION"), $make, $analyses);
            $crate::header(&PLUGIN)
        }
    };
}

/// Like [`export_plugin!`] for unit types, but presenting the library as built against ABI
/// 1.0: ONLY for the host's test that older unit-only plugins keep loading.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_plugin_abi_1_0 {
    (provider = $provider:expr, types = [$($t:expr),* $(,)?] $(,)?) => {
        /// The Calx plugin entry point, as an ABI 1.0 library returns it.
        #[cfg(feature = "export")]
        #[unsafe(no_mangle)]
        pub extern "C" fn calx_plugin_entry_v1() -> $crate::abi::PluginHeader {
            static PLUGIN: $crate::Plugin = $crate::Plugin::new(
                $provider,
                env!("CARGO_PKG_VERSION"),
                || ::std::vec![$(::std::sync::Arc::new($t) as ::std::sync::Arc<dyn $crate::UnitType>),*],
            );
            $crate::header_v1_0(&PLUGIN)
        }
    };
}

/// Like [`export_plugin!`] but with a chosen magic number and ABI version: ONLY for the
/// host's fault tests (a plugin built against another ABI major version).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_plugin_with_header {
    (provider = $provider:expr, magic = $magic:expr, abi_major = $major:expr, abi_minor = $minor:expr $(,)?) => {
        /// The Calx plugin entry point, with a deliberately wrong header.
        #[cfg(feature = "export")]
        #[unsafe(no_mangle)]
        pub extern "C" fn calx_plugin_entry_v1() -> $crate::abi::PluginHeader {
            static PLUGIN: $crate::Plugin =
                $crate::Plugin::new($provider, env!("CARGO_PKG_VERSION"), ::std::vec::Vec::new);
            $crate::raw_header(&PLUGIN, $magic, $major, $minor)
        }
    };
}
