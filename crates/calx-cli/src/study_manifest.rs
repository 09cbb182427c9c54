//! What a shard records beside its samples (`shard.json`, written last), and what
//! `calx study status` and `calx study merge` check with it before combining anything: the
//! same Calx version, study and flowsheet (SHA-256 of their text), the same seed, size and
//! sampling, the sample range it ran, its row count, and that each of its files is the one it
//! wrote (size and SHA-256). Merge then draws every sample's parameter values again (a pure
//! function of seed and index) and compares them bit for bit.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

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
    /// The study file's absolute path (for the command that reruns a missing shard).
    pub study_file: String,
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
    /// Rows of `samples.csv` (and `samples.parquet`): one per sample of the range.
    pub rows: usize,
    /// Samples that failed (rows with status `failed`).
    pub failed: usize,
    /// The shard's files, by name: size and SHA-256 as written.
    pub files: BTreeMap<String, FileRecord>,
}

/// A file as a shard wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    /// Size in bytes.
    pub bytes: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
}

/// A writer that hashes and counts what goes through it, so that a file's record is known
/// the moment it is written, without reading it back.
pub(crate) struct Recorded<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: std::io::Write> Recorded<W> {
    pub(crate) fn new(inner: W) -> Recorded<W> {
        Recorded { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The writer back, with the record of everything written through it.
    pub(crate) fn finish(self) -> (W, FileRecord) {
        (self.inner, FileRecord { bytes: self.bytes, sha256: hex(&self.hasher.finalize()) })
    }
}

impl<W: std::io::Write> std::io::Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What is wrong with a file a manifest lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileProblem {
    /// Gone (or unreadable).
    Missing(String),
    /// Shorter than written: `(name, bytes now, bytes written)`.
    Truncated(String, u64, u64),
    /// Another size or content than written.
    Changed(String),
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::Missing(name) => write!(f, "{name} is missing"),
            FileProblem::Truncated(name, now, was) => {
                write!(f, "{name} is not the file the shard wrote: {now} of its {was} bytes (truncated)")
            }
            FileProblem::Changed(name) => write!(f, "{name} is not the file the shard wrote (edited since)"),
        }
    }
}

/// Why a directory's manifest could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ManifestProblem {
    /// No manifest: not a shard, or one that did not finish (`temporaries`: files a run
    /// that was stopped left behind).
    Absent {
        /// Temporary files in the directory.
        temporaries: usize,
    },
    /// Not a directory.
    NotADirectory,
    /// Not readable as a manifest (the message names the field).
    Unreadable(String),
}

impl std::fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestProblem::Absent { temporaries: 0 } => {
                write!(f, "no {FILE}: not the output of `calx study --shard`, or a shard that did not finish")
            }
            ManifestProblem::Absent { temporaries } => write!(
                f,
                "no {FILE}, and {temporaries} temporary file{} of a run that was stopped before it finished",
                if *temporaries == 1 { "" } else { "s" }
            ),
            ManifestProblem::NotADirectory => write!(f, "not a directory"),
            ManifestProblem::Unreadable(e) => write!(f, "{FILE} cannot be read: {e}"),
        }
    }
}

/// The manifest of the shard in `dir`.
pub(crate) fn read(dir: &Path) -> Result<ShardManifest, ManifestProblem> {
    if !dir.is_dir() {
        return Err(ManifestProblem::NotADirectory);
    }
    match std::fs::read_to_string(dir.join(FILE)) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| ManifestProblem::Unreadable(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let temporaries = std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count()
                })
                .unwrap_or(0);
            Err(ManifestProblem::Absent { temporaries })
        }
        Err(e) => Err(ManifestProblem::Unreadable(e.to_string())),
    }
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
    /// The record of shard `shard` over `range` of a study, with `failed` failed samples and
    /// the records of the files it wrote.
    pub(crate) fn new(
        def: &StudyDef,
        inputs: &Inputs<'_>,
        shard: (usize, usize),
        range: std::ops::Range<usize>,
        failed: usize,
        files: BTreeMap<String, FileRecord>,
    ) -> ShardManifest {
        ShardManifest {
            calx_version: env!("CARGO_PKG_VERSION").to_string(),
            study: def.name.clone(),
            // Absolute, so that the rerun command `status` prints works from any directory.
            study_file: std::path::absolute(inputs.study)
                .unwrap_or_else(|_| inputs.study.to_path_buf())
                .display()
                .to_string(),
            study_sha256: sha256(inputs.study_text.as_bytes()),
            flowsheet_sha256: sha256(inputs.flowsheet_text.as_bytes()),
            seed: def.seed,
            samples: def.samples,
            sampling: sampling_name(def.sampling).to_string(),
            shard,
            start: range.start,
            end: range.end,
            rows: range.len(),
            failed,
            files,
        }
    }

    /// What is wrong with the files this manifest lists in `dir` (empty: nothing). The size
    /// is compared first, so that a truncated file is named as such.
    pub(crate) fn file_problems(&self, dir: &Path) -> Vec<FileProblem> {
        let mut out = Vec::new();
        for (name, record) in &self.files {
            let path = dir.join(name);
            let Ok(meta) = std::fs::metadata(&path) else {
                out.push(FileProblem::Missing(name.clone()));
                continue;
            };
            if meta.len() < record.bytes {
                out.push(FileProblem::Truncated(name.clone(), meta.len(), record.bytes));
            } else if meta.len() != record.bytes || sha256_file(&path).ok().as_ref() != Some(&record.sha256) {
                out.push(FileProblem::Changed(name.clone()));
            }
        }
        out
    }

    /// What makes this shard a part of one run of one study.
    pub(crate) fn identity(&self) -> Identity {
        Identity {
            calx_version: self.calx_version.clone(),
            study: self.study.clone(),
            study_sha256: self.study_sha256.clone(),
            flowsheet_sha256: self.flowsheet_sha256.clone(),
            seed: self.seed,
            samples: self.samples,
            sampling: self.sampling.clone(),
            shards: self.shard.1,
        }
    }
}

/// What the shards of one run of one study share: everything but their own range and files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Identity {
    /// Version of Calx.
    pub calx_version: String,
    /// The study's name.
    pub study: String,
    /// SHA-256 of the study file's text.
    pub study_sha256: String,
    /// SHA-256 of the flowsheet file's text.
    pub flowsheet_sha256: String,
    /// Seed.
    pub seed: u64,
    /// Samples of the whole study.
    pub samples: usize,
    /// Sampling scheme.
    pub sampling: String,
    /// Number of shards.
    pub shards: usize,
}

impl Identity {
    /// The identity a shard of `def` (read from `inputs`), split into `shards`, has when run
    /// by this Calx.
    pub(crate) fn of_study(def: &StudyDef, inputs: &Inputs<'_>, shards: usize) -> Identity {
        Identity {
            calx_version: env!("CARGO_PKG_VERSION").to_string(),
            study: def.name.clone(),
            study_sha256: sha256(inputs.study_text.as_bytes()),
            flowsheet_sha256: sha256(inputs.flowsheet_text.as_bytes()),
            seed: def.seed,
            samples: def.samples,
            sampling: sampling_name(def.sampling).to_string(),
            shards,
        }
    }

    /// What differs from `reference`, each as "what this one has, not what the reference
    /// has" (empty: nothing).
    pub(crate) fn differences(&self, reference: &Identity) -> Vec<String> {
        let short = |h: &str| h.chars().take(12).collect::<String>();
        let mut out = Vec::new();
        let mut check = |same: bool, what: String| {
            if !same {
                out.push(what);
            }
        };
        let (a, b) = (self, reference);
        check(a.calx_version == b.calx_version, format!("calx {}, not {}", a.calx_version, b.calx_version));
        check(a.study == b.study, format!("study `{}`, not `{}`", a.study, b.study));
        check(
            a.study_sha256 == b.study_sha256,
            format!("another study file (SHA-256 {}..., not {}...)", short(&a.study_sha256), short(&b.study_sha256)),
        );
        check(
            a.flowsheet_sha256 == b.flowsheet_sha256,
            format!(
                "another flowsheet (SHA-256 {}..., not {}...)",
                short(&a.flowsheet_sha256),
                short(&b.flowsheet_sha256)
            ),
        );
        check(a.seed == b.seed, format!("seed {}, not {}", a.seed, b.seed));
        check(a.samples == b.samples, format!("{} samples in all, not {}", a.samples, b.samples));
        check(a.sampling == b.sampling, format!("sampling `{}`, not `{}`", a.sampling, b.sampling));
        check(a.shards == b.shards, format!("one of {} shards, not {}", a.shards, b.shards));
        out
    }
}
