//! What a shard records beside its samples (`shard.json`, written last), and what
//! `calx study merge` checks with it before combining anything: the same study and flowsheet
//! (SHA-256 of their text), the same seed, size and sampling, the sample range it ran, and
//! that its `samples.csv` is the file it wrote. Merge then draws every sample's parameter
//! values again (a pure function of seed and index) and compares them bit for bit.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use calx_study::{Sampling, StudyDef};

/// The manifest's file name in a shard directory.
pub(crate) const FILE: &str = "shard.json";

/// A shard's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShardManifest {
    /// Version of Calx that ran the shard.
    pub calx_version: String,
    /// The study's name.
    pub study: String,
    /// SHA-256 of the study file's text.
    pub study_sha256: String,
    /// SHA-256 of the flowsheet file's text.
    pub flowsheet_sha256: String,
    /// The study's seed.
    pub seed: u64,
    /// Samples of the whole study.
    pub samples: usize,
    /// Sampling scheme (`random`, `lhs`, `sobol`).
    pub sampling: String,
    /// Shard index and count (`i/N`, 0-based).
    pub shard: (usize, usize),
    /// First sample index.
    pub start: usize,
    /// One past the last sample index.
    pub end: usize,
    /// SHA-256 of the shard's `samples.csv`.
    pub samples_csv_sha256: String,
}

/// Hex SHA-256 of some bytes.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Hex SHA-256 of a file, read in pieces (a shard's samples may be large).
pub(crate) fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn sampling_name(s: Sampling) -> &'static str {
    match s {
        Sampling::Random => "random",
        Sampling::LatinHypercube => "lhs",
        Sampling::Sobol => "sobol",
    }
}

/// What a study ran on: the study file and the flowsheet file, their paths and texts.
pub(crate) struct Inputs<'a> {
    pub study: &'a std::path::Path,
    pub flowsheet: &'a std::path::Path,
    pub study_text: &'a str,
    pub flowsheet_text: &'a str,
}

impl Inputs<'_> {
    /// The input files (never to be overwritten by the outputs).
    pub(crate) fn paths(&self) -> Vec<std::path::PathBuf> {
        vec![self.study.to_path_buf(), self.flowsheet.to_path_buf()]
    }
}

impl ShardManifest {
    /// The record of shard `shard` over `range` of a study, whose samples file has the hash
    /// `samples_csv_sha256`.
    pub(crate) fn new(
        def: &StudyDef,
        inputs: &Inputs<'_>,
        shard: (usize, usize),
        range: std::ops::Range<usize>,
        samples_csv_sha256: String,
    ) -> ShardManifest {
        ShardManifest {
            calx_version: env!("CARGO_PKG_VERSION").to_string(),
            study: def.name.clone(),
            study_sha256: sha256(inputs.study_text.as_bytes()),
            flowsheet_sha256: sha256(inputs.flowsheet_text.as_bytes()),
            seed: def.seed,
            samples: def.samples,
            sampling: sampling_name(def.sampling).to_string(),
            shard,
            start: range.start,
            end: range.end,
            samples_csv_sha256,
        }
    }

    /// What differs between this shard's record and the study being merged (empty: nothing).
    pub(crate) fn differences(&self, def: &StudyDef, inputs: &Inputs<'_>, samples_csv_sha256: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |same: bool, what: String| {
            if !same {
                out.push(what);
            }
        };
        check(
            self.study_sha256 == sha256(inputs.study_text.as_bytes()),
            "it ran another study file (its text differs; SHA-256 mismatch)".into(),
        );
        check(
            self.flowsheet_sha256 == sha256(inputs.flowsheet_text.as_bytes()),
            "it ran another flowsheet (its text differs; SHA-256 mismatch)".into(),
        );
        check(self.seed == def.seed, format!("it ran seed {}, the study has {}", self.seed, def.seed));
        check(
            self.samples == def.samples,
            format!("it ran {} samples in all, the study has {}", self.samples, def.samples),
        );
        let sampling = sampling_name(def.sampling);
        check(self.sampling == sampling, format!("it sampled `{}`, the study samples `{sampling}`", self.sampling));
        check(
            self.samples_csv_sha256 == samples_csv_sha256,
            "its samples.csv is not the file the shard wrote (changed or truncated since)".into(),
        );
        out
    }
}
