//! Writing output, all or nothing, and never over what Calx did not write.
//!
//! - [`AtomicFile`]: a file written in pieces under a random temporary name in the same
//!   directory (created exclusively, so a planted file or symlink is never followed),
//!   flushed to disk, and renamed over its target only when complete; dropped before that
//!   (an error, an interruption), the temporary file is removed.
//! - [`OutputSet`]: the files of one command (`run -o DIR`, `study -o DIR`) staged first,
//!   then renamed in one quick pass, then the set's manifest (`calx-output.json`) written
//!   last, listing every file with its SHA-256. An interruption before the renames leaves the
//!   previous set as it was; a reader checks a set against its manifest
//!   ([`OutputSet::verify`]), so a set mixed from two runs is detected.
//! - [`guard`]: a target that exists must be a file Calx wrote (listed in the directory's
//!   manifest, or recognised by its content), and never an input of the command.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The manifest of an output set.
pub(crate) const MANIFEST: &str = "calx-output.json";

/// An I/O error with the path it concerns.
fn at(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// A file that appears under its name only when complete.
pub(crate) struct AtomicFile {
    path: PathBuf,
    file: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
}

/// A complete file waiting to be renamed over its target; dropped, it is removed.
pub(crate) struct Staged {
    path: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Start writing `path` (its directory is created if needed).
    pub(crate) fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // A temporary file is private (0600) by default, and the rename would keep that: an
        // output is created like any other file, 0666 less the user's umask.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder.tempfile_in(dir).map_err(|e| at(path, e))?;
        Ok(AtomicFile { path: path.to_path_buf(), file: Some(std::io::BufWriter::new(temp)) })
    }

    /// Flush to disk; the file is complete but not yet under its name.
    pub(crate) fn finish(mut self) -> std::io::Result<Staged> {
        let path = self.path.clone();
        let Some(file) = self.file.take() else {
            return Err(at(&path, std::io::Error::other("already finished")));
        };
        let temp = file.into_inner().map_err(|e| at(&path, e.into_error()))?;
        temp.as_file().sync_all().map_err(|e| at(&path, e))?;
        Ok(Staged { path, temp })
    }

    /// Flush to disk and rename over the target.
    pub(crate) fn commit(self) -> std::io::Result<()> {
        self.finish()?.commit()
    }
}

impl Staged {
    /// Rename over the target (a failed rename removes the temporary file).
    pub(crate) fn commit(self) -> std::io::Result<()> {
        let path = self.path;
        self.temp.persist(&path).map(|_| ()).map_err(|e| at(&path, e.error))
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("file already finished")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

/// Write a whole file atomically.
pub(crate) fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(text.as_bytes()).map_err(|e| at(path, e))?;
    f.commit()
}

/// Why an output may not be written where it was asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    /// The target is an input of the command.
    #[error("{}: that is an input of this command; it would be overwritten (choose another output)", .0.display())]
    Input(PathBuf),
    /// The target exists and Calx did not write it.
    #[error("{}: the file exists and was not written by calx; remove it or choose another output", .0.display())]
    Foreign(PathBuf),
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Check that `target` may be written: not one of `inputs`, and, if it exists, written by
/// Calx (`ours` decides from its path).
pub(crate) fn guard(target: &Path, inputs: &[PathBuf], ours: impl Fn(&Path) -> bool) -> Result<(), Refusal> {
    if inputs.iter().any(|i| same_file(i, target)) {
        return Err(Refusal::Input(target.to_path_buf()));
    }
    let exists = std::fs::symlink_metadata(target).is_ok();
    if exists && !ours(target) {
        return Err(Refusal::Foreign(target.to_path_buf()));
    }
    Ok(())
}

/// Whether a file holds a report Calx wrote (HTML or Markdown: both end with Calx's footer).
pub(crate) fn is_calx_report(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
        && std::fs::read_to_string(path).is_ok_and(|t| t.contains("Made by Calx "))
}

/// Hex SHA-256 of a file, read in pieces.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).map_err(|e| at(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(|e| at(path, e))?;
        if n == 0 {
            return Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect());
        }
        hasher.update(&buffer[..n]);
    }
}

/// The files a set's manifest lists, with their SHA-256 (empty without a manifest).
fn listed(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) else { return Vec::new() };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    let files = value.get("files").and_then(|f| f.as_object()).cloned().unwrap_or_default();
    files.into_iter().map(|(name, hash)| (name, hash.as_str().unwrap_or_default().to_string())).collect()
}

/// The files of one command's output directory, staged, then put in place together.
pub(crate) struct OutputSet {
    dir: PathBuf,
    inputs: Vec<PathBuf>,
    previous: Vec<String>,
    staged: Vec<(String, Staged)>,
}

/// A set whose files do not match its manifest.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetProblem {
    /// A file differs from what the manifest lists.
    #[error("{}: {name} is not the file {MANIFEST} lists (a set mixed from two runs, or edited since)", dir.display())]
    Changed {
        /// The set's directory.
        dir: PathBuf,
        /// The file.
        name: String,
    },
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl OutputSet {
    /// A set for `dir` (created if needed); `inputs` are the command's input files, never
    /// to be overwritten.
    pub(crate) fn new(dir: &Path, inputs: Vec<PathBuf>) -> std::io::Result<OutputSet> {
        std::fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
        let previous = listed(dir).into_iter().map(|(name, _)| name).collect();
        Ok(OutputSet { dir: dir.to_path_buf(), inputs, previous, staged: Vec::new() })
    }

    /// The path of a file of the set.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Check that `name` may be written in the set's directory.
    fn allow(&self, name: &str) -> Result<(), Refusal> {
        guard(&self.path(name), &self.inputs, |_| self.previous.iter().any(|p| p == name))
    }

    /// Start a file of the set that is written in pieces; give it back with [`OutputSet::add`].
    pub(crate) fn file(&self, name: &str) -> Result<AtomicFile, OutputError> {
        self.allow(name)?;
        Ok(AtomicFile::create(&self.path(name))?)
    }

    /// Add a finished file.
    pub(crate) fn add(&mut self, name: &str, file: AtomicFile) -> Result<(), OutputError> {
        self.staged.push((name.to_string(), file.finish()?));
        Ok(())
    }

    /// Add a whole file.
    pub(crate) fn text(&mut self, name: &str, text: &str) -> Result<(), OutputError> {
        let mut f = self.file(name)?;
        f.write_all(text.as_bytes()).map_err(|e| at(&self.path(name), e))?;
        self.add(name, f)
    }

    /// Put every staged file in place, then the manifest; returns the paths written.
    pub(crate) fn commit(self) -> Result<Vec<String>, OutputError> {
        let mut files = serde_json::Map::new();
        let mut wrote = Vec::new();
        for (name, staged) in self.staged {
            let path = self.dir.join(&name);
            staged.commit()?;
            files.insert(name, serde_json::Value::String(sha256_file(&path)?));
            wrote.push(path.display().to_string());
        }
        let manifest =
            serde_json::json!({ "written_by": format!("calx {}", env!("CARGO_PKG_VERSION")), "files": files });
        let text = serde_json::to_string_pretty(&manifest).map_err(std::io::Error::other)? + "\n";
        write_atomic(&self.dir.join(MANIFEST), &text)?;
        Ok(wrote)
    }

    /// Check that the files `names` of a set in `dir` (those that exist) are the ones its
    /// manifest lists: a reader's guard against a set mixed from two runs. A directory
    /// without a manifest (written by hand, or by an older calx) is taken as it is.
    pub(crate) fn verify(dir: &Path, names: &[&str]) -> Result<(), SetProblem> {
        let listed = listed(dir);
        if listed.is_empty() {
            return Ok(());
        }
        for name in names.iter().filter(|n| dir.join(n).exists()) {
            let hash = sha256_file(&dir.join(name))?;
            if !listed.iter().any(|(n, h)| n == name && *h == hash) {
                return Err(SetProblem::Changed { dir: dir.to_path_buf(), name: name.to_string() });
            }
        }
        Ok(())
    }
}

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputError {
    /// Refused before writing.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("calx-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect())
            .unwrap_or_default();
        n.sort();
        n
    }

    #[cfg(unix)]
    #[test]
    fn an_output_gets_the_permissions_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp("mode");
        let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
        std::fs::write(dir.join("plain.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
        write_atomic(&dir.join("out.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode(&dir.join("out.txt")), mode(&dir.join("plain.txt")), "not the temporary file's 0600");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unfinished_file_leaves_nothing_and_a_finished_one_appears_whole() {
        let dir = temp("atomic");
        let mut f = AtomicFile::create(&dir.join("a.txt")).unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"half").unwrap_or_else(|e| panic!("{e}"));
        drop(f);
        assert!(names(&dir).is_empty(), "dropped: no temporary file left, no target");
        write_atomic(&dir.join("a.txt"), "whole").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&dir), ["a.txt"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_set_replaces_only_what_calx_wrote_and_never_an_input() {
        let dir = temp("set");
        std::fs::write(dir.join("notes.txt"), "mine").unwrap_or_else(|e| panic!("{e}"));
        let input = dir.join("plant.yaml");
        std::fs::write(&input, "schema_version: 1").unwrap_or_else(|e| panic!("{e}"));
        let mut set = OutputSet::new(&dir, vec![input.clone()]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(set.text("notes.txt", "x"), Err(OutputError::Refused(Refusal::Foreign(_)))));
        assert!(matches!(set.text("plant.yaml", "x"), Err(OutputError::Refused(Refusal::Input(_)))));
        set.text("results.txt", "one").unwrap_or_else(|e| panic!("{e}"));
        set.commit().unwrap_or_else(|e| panic!("{e}"));
        assert!(OutputSet::verify(&dir, &["results.txt"]).is_ok());
        // A second run may replace what the first wrote.
        let mut again = OutputSet::new(&dir, vec![input]).unwrap_or_else(|e| panic!("{e}"));
        again.text("results.txt", "two").unwrap_or_else(|e| panic!("{e}"));
        again.commit().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap_or_default(), "mine");
        // A file changed behind the manifest's back is found.
        std::fs::write(dir.join("results.txt"), "edited").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(OutputSet::verify(&dir, &["results.txt"]), Err(SetProblem::Changed { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_planted_symlink_at_the_target_is_refused_and_its_file_untouched() {
        let dir = temp("symlink");
        let victim = dir.join("victim");
        std::fs::write(&victim, "precious").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&victim, dir.join("results.txt")).unwrap_or_else(|e| panic!("{e}"));
        let mut set = OutputSet::new(&dir, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(set.text("results.txt", "x").is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap_or_default(), "precious");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
