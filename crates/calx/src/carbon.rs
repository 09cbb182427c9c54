//! The carbon ledger's profile files: a flowsheet's `analyses: carbon: profile:` may name a
//! profile file (ending in `.yaml` or `.yml`, relative to the flowsheet) instead of a shipped
//! profile. The façade reads and decodes those files before the flowsheet is decoded and
//! registers the ledger with them, so that the analysis crate does no I/O and a profile's
//! problems are reported in the profile file, with line and column.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use calx_carbon::{CarbonAnalysisType, Profile};
use calx_core::Registry;
use calx_flowsheet::{Diagnostic, Source};

use crate::error::LoadError;

/// Whether a `profile:` value names a file rather than a shipped profile.
fn is_file(value: &str) -> bool {
    value.ends_with(".yaml") || value.ends_with(".yml")
}

/// Register the ledger with the shipped profiles and the profile files `source` names
/// (relative to `base`), when it names any.
pub(crate) fn register_profile_files(source: &Source, base: &Path, registry: &mut Registry) -> Result<(), LoadError> {
    let files: Vec<_> = source.analysis_values("carbon", "profile").into_iter().filter(|(v, _)| is_file(v)).collect();
    if files.is_empty() {
        return Ok(());
    }
    let mut profiles: BTreeMap<String, Arc<Profile>> =
        calx_carbon::shipped_profiles().map_err(|d| LoadError::Invalid(d.clone()))?.clone();
    for (written, loc) in files {
        let path = base.join(&written);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            source.diagnostics(vec![Diagnostic::new(
                loc,
                "analyses.carbon.profile",
                format!("cannot read the profile file {}: {e}", path.display()),
            )])
        })?;
        let profile = Profile::parse(&text, &path.display().to_string())?;
        profiles.insert(written, Arc::new(profile));
    }
    registry.replace_analysis("calx-carbon", Arc::new(CarbonAnalysisType::new(profiles)));
    Ok(())
}
