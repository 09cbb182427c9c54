//! The registry of unit types a flowsheet can use, keyed by type name (ordered, so listings
//! are deterministic). Built-in plugins register into it; so will loaded libraries.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::analysis::{AnalysisDescriptor, AnalysisType};
use crate::suggest::nearest;
use crate::unit::{UnitDescriptor, UnitType};

/// One registered unit type with its manifest and where it came from.
#[derive(Clone)]
pub struct Registered {
    /// The type.
    pub unit_type: Arc<dyn UnitType>,
    /// Its manifest, read once at registration.
    pub descriptor: UnitDescriptor,
    /// Which plugin provided it (`calx-generic`, a library path).
    pub provider: String,
}

/// One registered analysis type.
#[derive(Clone)]
pub struct RegisteredAnalysis {
    /// The type.
    pub analysis_type: Arc<dyn AnalysisType>,
    /// Its manifest.
    pub descriptor: AnalysisDescriptor,
    /// Which crate or library provided it.
    pub provider: String,
}

/// A type name registered twice: which name, and both providers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} `{name}` is provided twice: by {first} and by {second}")]
pub struct ProvidedTwice {
    /// `unit type` or `analysis type`.
    pub kind: &'static str,
    /// The type name.
    pub name: String,
    /// The provider registered first.
    pub first: String,
    /// The provider refused.
    pub second: String,
}

/// Unit types and analysis types by name.
#[derive(Clone, Default)]
pub struct Registry {
    types: BTreeMap<String, Registered>,
    analyses: BTreeMap<String, RegisteredAnalysis>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Register a type. A name already taken is refused with both providers named.
    pub fn register(&mut self, provider: &str, unit_type: Arc<dyn UnitType>) -> Result<(), ProvidedTwice> {
        let descriptor = unit_type.descriptor();
        if let Some(existing) = self.types.get(&descriptor.type_name) {
            return Err(ProvidedTwice {
                kind: "unit type",
                name: descriptor.type_name.clone(),
                first: existing.provider.clone(),
                second: provider.to_string(),
            });
        }
        self.types
            .insert(descriptor.type_name.clone(), Registered { unit_type, descriptor, provider: provider.to_string() });
        Ok(())
    }

    /// Register an analysis type; a name already taken is refused with both providers named.
    pub fn register_analysis(
        &mut self,
        provider: &str,
        analysis_type: Arc<dyn AnalysisType>,
    ) -> Result<(), ProvidedTwice> {
        let descriptor = analysis_type.descriptor();
        if let Some(existing) = self.analyses.get(&descriptor.type_name) {
            return Err(ProvidedTwice {
                kind: "analysis type",
                name: descriptor.type_name.clone(),
                first: existing.provider.clone(),
                second: provider.to_string(),
            });
        }
        self.analyses.insert(
            descriptor.type_name.clone(),
            RegisteredAnalysis { analysis_type, descriptor, provider: provider.to_string() },
        );
        Ok(())
    }

    /// Register an analysis type in place of the one of the same name, if any: the façade
    /// re-registers a built-in type configured for one flowsheet (the carbon ledger with the
    /// profile files that flowsheet names).
    pub fn replace_analysis(&mut self, provider: &str, analysis_type: Arc<dyn AnalysisType>) {
        let descriptor = analysis_type.descriptor();
        self.analyses.insert(
            descriptor.type_name.clone(),
            RegisteredAnalysis { analysis_type, descriptor, provider: provider.to_string() },
        );
    }

    /// An analysis type by name.
    pub fn analysis(&self, name: &str) -> Option<&RegisteredAnalysis> {
        self.analyses.get(name)
    }

    /// Analysis types in name order.
    pub fn analyses(&self) -> impl Iterator<Item = &RegisteredAnalysis> {
        self.analyses.values()
    }

    /// A type by name.
    pub fn get(&self, name: &str) -> Option<&Registered> {
        self.types.get(name)
    }

    /// The nearest registered name, for "did you mean".
    pub fn suggest(&self, name: &str) -> Option<&str> {
        nearest(name, self.types.keys().map(String::as_str))
    }

    /// All types in name order.
    pub fn iter(&self) -> impl Iterator<Item = &Registered> {
        self.types.values()
    }

    /// Type names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }
}
