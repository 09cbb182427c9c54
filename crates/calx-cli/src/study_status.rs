//! `calx study status DIR...`: what a set of shard directories holds, from their manifests
//! (`shard.json`): which shards are complete, which are missing, and which directories are
//! inconsistent (another study, flowsheet, seed, size, sampling, shard count or Calx version
//! than the rest), damaged (a file truncated or changed since the shard wrote it), unfinished
//! (no manifest, temporary files of a stopped run) or duplicated; then the exact commands that
//! rerun only what is missing (`calx study ... --shard I/N`, and `sbatch --array=LIST` when
//! the set was submitted with `calx study submit --slurm`). `calx study merge` refuses a set
//! with the same report.
//!
//! Reading the directories ([`survey`]) is kept apart from judging them ([`assess`]), a pure
//! function, so that every kind of set is tested without writing one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::study_manifest::{self, FileProblem, Identity, ManifestProblem, ShardManifest};

/// The array script `calx study submit --slurm` writes in its output directory.
pub(crate) const SLURM_SCRIPT: &str = "study.sbatch";
/// The merge script beside it.
pub(crate) const SLURM_MERGE_SCRIPT: &str = "merge.sbatch";

/// A directory as found: its manifest with the problems of the files it lists, or why there
/// is no manifest to read.
pub(crate) struct Found {
    /// The directory as given.
    pub dir: PathBuf,
    /// The manifest and its files' problems.
    pub state: Result<(ShardManifest, Vec<FileProblem>), ManifestProblem>,
}

/// Read the manifest of each directory and check the files it lists.
pub(crate) fn survey(dirs: &[PathBuf]) -> Vec<Found> {
    dirs.iter()
        .map(|dir| Found {
            dir: dir.clone(),
            state: study_manifest::read(dir).map(|m| {
                let problems = m.file_problems(dir);
                (m, problems)
            }),
        })
        .collect()
}

/// The identity most directories share (the first seen among equals), if any has a manifest.
pub(crate) fn majority(found: &[Found]) -> Option<Identity> {
    let identities: Vec<Identity> =
        found.iter().filter_map(|f| f.state.as_ref().ok()).map(|(m, _)| m.identity()).collect();
    let count = |id: &Identity| identities.iter().filter(|other| *other == id).count();
    identities
        .iter()
        .fold(None::<&Identity>, |best, id| match best {
            Some(b) if count(b) >= count(id) => Some(b),
            _ => Some(id),
        })
        .cloned()
}

/// What the set is checked against: the identity most of its shards share (`status`), or the
/// study being merged (`merge`).
pub(crate) enum Reference {
    /// The majority of the set.
    Set(Identity),
    /// The study given to `merge`.
    Study(Identity),
}

/// A set of shard directories, judged.
pub(crate) struct Assessment {
    /// What the shards were checked against (none: no directory has a manifest).
    reference: Option<Reference>,
    /// Good shards, by index: the directories that hold each (more than one: duplicated).
    good: BTreeMap<usize, Vec<(PathBuf, String)>>,
    /// Every directory with a problem, with what it is, in the order given.
    problems: Vec<(PathBuf, String)>,
    /// Directories known to be for a shard that is not good (damaged, wrong range).
    broken_at: BTreeMap<usize, PathBuf>,
    /// The study file a good shard's command line named.
    study_file: Option<String>,
    /// Failed samples in the good shards.
    failed: usize,
    /// Directories given.
    given: usize,
}

/// Judge the directories `found` against `reference` (`None`: the majority of the set).
pub(crate) fn assess(found: &[Found], reference: Option<Reference>) -> Assessment {
    let reference = reference.or_else(|| majority(found).map(Reference::Set));
    let mut a = Assessment {
        reference: None,
        good: BTreeMap::new(),
        problems: Vec::new(),
        broken_at: BTreeMap::new(),
        study_file: None,
        failed: 0,
        given: found.len(),
    };
    let Some(reference) = reference else {
        a.problems.extend(found.iter().filter_map(|f| f.state.as_ref().err().map(|p| (f.dir.clone(), p.to_string()))));
        return a;
    };
    let (expected, against) = match &reference {
        Reference::Set(id) => (id, "the set"),
        Reference::Study(id) => (id, "this study"),
    };
    for f in found {
        let (manifest, files) = match &f.state {
            Ok(state) => state,
            Err(problem) => {
                a.problems.push((f.dir.clone(), problem.to_string()));
                continue;
            }
        };
        let differences = manifest.identity().differences(expected);
        if !differences.is_empty() {
            let what = format!("not a shard of {against}: {}", differences.join("; "));
            a.problems.push((f.dir.clone(), what));
            continue;
        }
        let (i, n) = manifest.shard;
        let label = format!("shard {i}/{n}");
        let range = shard_range(i, n, expected.samples);
        if i >= n || (manifest.start..manifest.end) != range || manifest.rows != range.len() {
            let what = format!(
                "{label}: {} says samples {}..{} in {} rows, but {label} of {} samples is {}..{}",
                study_manifest::FILE,
                manifest.start,
                manifest.end,
                manifest.rows,
                expected.samples,
                range.start,
                range.end
            );
            a.problems.push((f.dir.clone(), what));
            a.broken_at.insert(i, f.dir.clone());
        } else if !files.is_empty() {
            let what = files.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            a.problems.push((f.dir.clone(), format!("{label}: {what}")));
            a.broken_at.insert(i, f.dir.clone());
        } else {
            let csv = manifest.files.get("samples.csv").map(|r| r.sha256.clone()).unwrap_or_default();
            a.good.entry(i).or_default().push((f.dir.clone(), csv));
            a.study_file.get_or_insert_with(|| manifest.study_file.clone());
            a.failed += manifest.failed;
        }
    }
    a.reference = Some(reference);
    a
}

/// Samples `i*S/N .. (i+1)*S/N`, as `calx_study::Study::shard_range` splits them (computed
/// here too, so that a set is judged without loading its study).
fn shard_range(i: usize, n: usize, samples: usize) -> std::ops::Range<usize> {
    if n == 0 {
        return 0..0;
    }
    (i * samples / n)..((i + 1) * samples / n)
}

impl Assessment {
    fn identity(&self) -> Option<&Identity> {
        self.reference.as_ref().map(|r| match r {
            Reference::Set(id) | Reference::Study(id) => id,
        })
    }

    /// Shard indices without a good directory.
    pub(crate) fn missing(&self) -> Vec<usize> {
        let n = self.identity().map_or(0, |id| id.shards);
        (0..n).filter(|i| !self.good.contains_key(i)).collect()
    }

    /// Every shard once, and no directory with a problem.
    pub(crate) fn is_complete(&self) -> bool {
        self.identity().is_some()
            && self.missing().is_empty()
            && self.problems.is_empty()
            && self.good.values().all(|dirs| dirs.len() == 1)
    }

    /// The good shards' directories in shard order (one per shard when complete).
    pub(crate) fn directories(&self) -> Vec<PathBuf> {
        self.good.values().filter_map(|dirs| dirs.first().map(|(d, _)| d.clone())).collect()
    }

    /// The report: the set, what is complete, missing and wrong, and how to rerun what is missing.
    pub(crate) fn report(&self) -> String {
        let Some(id) = self.identity() else {
            let mut out = format!(
                "no shard found: none of the {} director{} given holds a {}\n",
                self.given,
                if self.given == 1 { "y" } else { "ies" },
                study_manifest::FILE
            );
            self.write_problems(&mut out);
            return out;
        };
        let mut out = String::new();
        let missing = self.missing();
        let state = if self.is_complete() {
            "complete".to_string()
        } else if missing.is_empty() {
            "every shard is here, but see the problems below".to_string()
        } else {
            format!("{} of {} complete", id.shards - missing.len(), id.shards)
        };
        let _ = writeln!(
            out,
            "study `{}` (seed {}, {} samples, {} sampling, calx {}) in {} {}: {state}",
            id.study,
            id.seed,
            id.samples,
            id.sampling,
            id.calx_version,
            id.shards,
            plural("shard", id.shards)
        );
        let done: Vec<usize> = self.good.keys().copied().collect();
        let samples: usize = done.iter().map(|&i| shard_range(i, id.shards, id.samples).len()).sum();
        if !done.is_empty() {
            let _ = writeln!(
                out,
                "complete: {} {} ({samples} of {} samples, {} failed)",
                plural("shard", done.len()),
                ranges(&done, "-"),
                id.samples,
                self.failed
            );
        }
        if !missing.is_empty() {
            let spans: Vec<String> = missing
                .iter()
                .map(|&i| {
                    let r = shard_range(i, id.shards, id.samples);
                    format!("{i} (samples {}..{})", r.start, r.end)
                })
                .collect();
            let _ = writeln!(out, "missing: {} {}", plural("shard", missing.len()), spans.join(", "));
        }
        self.write_problems(&mut out);
        self.write_rerun(&mut out, id, &missing);
        out
    }

    /// The problems, directory by directory, and the shards held twice.
    fn write_problems(&self, out: &mut String) {
        let duplicated: Vec<(&usize, &Vec<(PathBuf, String)>)> =
            self.good.iter().filter(|(_, dirs)| dirs.len() > 1).collect();
        if self.problems.is_empty() && duplicated.is_empty() {
            return;
        }
        out.push_str("problems:\n");
        for (dir, what) in &self.problems {
            let _ = writeln!(out, "  {}: {what}", dir.display());
        }
        for (i, dirs) in duplicated {
            let names: Vec<String> = dirs.iter().map(|(d, _)| d.display().to_string()).collect();
            let same = dirs.iter().all(|(_, h)| *h == dirs[0].1);
            let _ = writeln!(
                out,
                "  shard {i} is in {} directories: {} ({}); give one of them",
                dirs.len(),
                names.join(", "),
                if same { "identical samples" } else { "different samples files" }
            );
        }
    }

    /// The commands that rerun the missing shards, and nothing else: `calx study --shard`
    /// (one, or a loop over the indices when the directories follow one pattern), then Slurm's.
    fn write_rerun(&self, out: &mut String, id: &Identity, missing: &[usize]) {
        if missing.is_empty() {
            return;
        }
        let study = self.study_file.as_deref().map_or_else(|| "STUDY.yaml".to_string(), shell_word);
        let pattern = self.pattern();
        let dir = |i: usize| match (self.broken_at.get(&i), &pattern) {
            (Some(d), _) => shell_word(&d.display().to_string()),
            (None, Some(p)) => shell_word(&p.dir(&i.to_string()).display().to_string()),
            (None, None) => format!("DIR-FOR-SHARD-{i}"),
        };
        let n = id.shards;
        let base = format!("calx study {study} --samples {}", id.samples);
        out.push_str("rerun only what is missing:\n");
        match (missing, &pattern) {
            ([i], _) => {
                let _ = writeln!(out, "  {base} --shard {i}/{n} -o {}", dir(*i));
            }
            (_, Some(p))
                if missing.iter().all(|i| !self.broken_at.contains_key(i) || p.holds(&self.broken_at[i], *i)) =>
            {
                let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
                // `$i` stays outside any quotes, so that the shell expands it.
                let before = shell_word(&p.parent.join(&p.prefix).display().to_string());
                let after = if p.suffix.is_empty() { String::new() } else { shell_word(&p.suffix) };
                let target = format!("{before}$i{after}");
                let _ = writeln!(out, "  for i in {}; do {base} --shard $i/{n} -o {target}; done", list.join(" "));
            }
            _ => {
                for &i in missing {
                    let _ = writeln!(out, "  {base} --shard {i}/{n} -o {}", dir(i));
                }
            }
        }
        self.write_sbatch(out, pattern.as_ref().map(|p| p.parent.as_path()), n, missing);
    }

    /// The `sbatch --array=LIST` line for the missing shards: with the scripts `calx study
    /// submit --slurm` wrote beside the shards (and the merge after them), if they are there.
    fn write_sbatch(&self, out: &mut String, parent: Option<&Path>, n: usize, missing: &[usize]) {
        let array = ranges(missing, "-");
        match parent {
            Some(parent) if parent.join(SLURM_MERGE_SCRIPT).is_file() && parent.join(SLURM_SCRIPT).is_file() => {
                let (script, merge) = (parent.join(SLURM_SCRIPT), parent.join(SLURM_MERGE_SCRIPT));
                let _ = writeln!(
                    out,
                    "  or on Slurm, the missing array tasks and then the merge:\n  jid=$(sbatch --parsable --array={array} {}) && sbatch --dependency=afterok:$jid {}",
                    shell_word(&script.display().to_string()),
                    shell_word(&merge.display().to_string())
                );
            }
            Some(parent) if parent.join(SLURM_SCRIPT).is_file() => {
                let script = parent.join(SLURM_SCRIPT);
                let _ = writeln!(
                    out,
                    "  or on Slurm: sbatch --array={array} {}",
                    shell_word(&script.display().to_string())
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  or on Slurm, with an array script that runs `calx study ... --shard auto/{n}`: sbatch --array={array} SCRIPT"
                );
            }
        }
    }

    /// How the good shards' directories are named, if they all follow one pattern.
    fn pattern(&self) -> Option<Pattern> {
        let mut found: Option<Pattern> = None;
        for (i, dirs) in &self.good {
            for (dir, _) in dirs {
                let p = Pattern::of(dir, *i)?;
                match &found {
                    Some(f) if *f != p => return None,
                    _ => found = Some(p),
                }
            }
        }
        found
    }
}

/// Shard directories named `PARENT/PREFIX<i>SUFFIX`.
#[derive(Debug, PartialEq, Eq)]
struct Pattern {
    parent: PathBuf,
    prefix: String,
    suffix: String,
}

impl Pattern {
    /// The pattern of `dir`, the directory of shard `i`: its name with the last `i` in it
    /// (a whole number, not part of a longer one) taken out.
    fn of(dir: &Path, i: usize) -> Option<Pattern> {
        let name = dir.file_name()?.to_str()?;
        let digits = i.to_string();
        let at = name.rmatch_indices(digits.as_str()).map(|(at, _)| at).find(|&at| {
            let before = name[..at].chars().next_back();
            let after = name[at + digits.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
        })?;
        Some(Pattern {
            parent: dir.parent().map(Path::to_path_buf).unwrap_or_default(),
            prefix: name[..at].to_string(),
            suffix: name[at + digits.len()..].to_string(),
        })
    }

    fn dir(&self, index: &str) -> PathBuf {
        self.parent.join(format!("{}{index}{}", self.prefix, self.suffix))
    }

    fn holds(&self, dir: &Path, i: usize) -> bool {
        self.dir(&i.to_string()) == dir
    }
}

/// `word`, quoted for a POSIX shell if it needs to be.
pub(crate) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@%".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// Sorted indices as `0-3,7,9-10` (with `dash` between the ends of a run).
pub(crate) fn ranges(indices: &[usize], dash: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < indices.len() {
        let start = indices[k];
        let mut end = start;
        while k + 1 < indices.len() && indices[k + 1] == end + 1 {
            k += 1;
            end = indices[k];
        }
        parts.push(if start == end { start.to_string() } else { format!("{start}{dash}{end}") });
        k += 1;
    }
    parts.join(",")
}

fn plural(word: &str, n: usize) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

/// `calx study status DIR...`: the report on stdout; exit 1 when the set is not complete.
pub(crate) fn command(dirs: &[PathBuf]) -> Result<(), crate::Failure> {
    let assessment = assess(&survey(dirs), None);
    crate::print(assessment.report().trim_end())?;
    if assessment.is_complete() {
        return Ok(());
    }
    Err(crate::Failure {
        message: "error: the set is not complete (see above); `calx study merge` refuses it as it is".into(),
        code: 1,
    })
}

#[cfg(test)]
mod tests;
