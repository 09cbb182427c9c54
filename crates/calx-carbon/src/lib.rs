//! The carbon-credit ledger: what a plant's converged streams and its LCA mean for credits
//! under a named methodology profile.
//!
//! - [`profile`]: methodology profiles as data (YAML, decoded with positions); four ship in
//!   `profiles/` ([`SHIPPED`]).
//! - [`config`]: the `analyses: carbon:` block, resolved against its profile (a figure the
//!   profile leaves to the user and the flowsheet does not give is refused at load).
//! - [`ledger`]: the arithmetic, from gross CO2 fixed to credited tonnes.
//! - [`uncertainty`]: a study's spread of credited tonnes and the profile's deduction.
//! - [`analysis`] and [`mod@report`]: the analysis type and its report section.
//!
//! No I/O: profile files a flowsheet names are read by the façade and handed to
//! [`CarbonAnalysisType::new`]. docs/carbon-credits.md explains every term with sources.

pub mod analysis;
pub mod config;
pub mod ledger;
pub mod profile;
pub mod report;
pub mod uncertainty;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use calx_flowsheet::Diagnostics;

pub use crate::analysis::CarbonAnalysisType;
pub use crate::profile::Profile;

/// The shipped profiles: (name, path in the repository, text).
pub const SHIPPED: [(&str, &str, &str); 4] = [
    ("iso-14064-2", "crates/calx-carbon/profiles/iso-14064-2.yaml", include_str!("../profiles/iso-14064-2.yaml")),
    ("verra-vm0043", "crates/calx-carbon/profiles/verra-vm0043.yaml", include_str!("../profiles/verra-vm0043.yaml")),
    (
        "isometric-mineralization",
        "crates/calx-carbon/profiles/isometric-mineralization.yaml",
        include_str!("../profiles/isometric-mineralization.yaml"),
    ),
    ("k-ets-offset", "crates/calx-carbon/profiles/k-ets-offset.yaml", include_str!("../profiles/k-ets-offset.yaml")),
];

/// The shipped profiles by name, decoded once.
pub fn shipped_profiles() -> Result<&'static BTreeMap<String, Arc<Profile>>, &'static Diagnostics> {
    static PROFILES: OnceLock<Result<BTreeMap<String, Arc<Profile>>, Diagnostics>> = OnceLock::new();
    PROFILES
        .get_or_init(|| {
            SHIPPED
                .iter()
                .map(|(name, file, text)| Ok((name.to_string(), Arc::new(Profile::parse(text, file)?))))
                .collect()
        })
        .as_ref()
}

impl CarbonAnalysisType {
    /// The type with the shipped profiles (none if one of them does not decode, which the
    /// tests rule out).
    pub fn shipped() -> CarbonAnalysisType {
        CarbonAnalysisType::new(shipped_profiles().cloned().unwrap_or_default())
    }
}
