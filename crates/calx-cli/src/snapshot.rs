//! `calx snapshot FILE...`: write, check or update the snapshot of each flowsheet's converged
//! balance at `<flowsheet dir>/snapshots/<name>.snap` (insta's format, so `cargo insta review`
//! works too).
//!
//! - default: a new snapshot, or one that changed, is written as pending (`.snap.new`) and
//!   never silently accepted; a changed one prints its differences and fails;
//! - `--check`: compare only, write nothing; fail on any difference or a missing snapshot;
//! - `--update`: accept the new values (write `.snap`, remove a pending `.snap.new`).

use std::path::{Path, PathBuf};

use calx::LoadOptions;
use calx_snapshot::{SnapshotFile, Tolerances, compare, snapshot_path};

use crate::Failure;
use crate::files::{self, write_atomic};

/// What to do with each snapshot.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Write,
    Check,
    Update,
}

/// Run the command over `files`; returns the report text and whether everything passed.
pub(crate) fn run(
    options: &LoadOptions,
    files: &[PathBuf],
    mode: Mode,
    tol: &Tolerances,
) -> Result<(String, bool), Failure> {
    let mut out = String::new();
    let mut ok = true;
    for file in files {
        let (line, passed) = one(options, file, mode, tol)?;
        out.push_str(&line);
        ok &= passed;
    }
    Ok((out.trim_end().to_string(), ok))
}

fn pending(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

fn one(options: &LoadOptions, file: &Path, mode: Mode, tol: &Tolerances) -> Result<(String, bool), Failure> {
    let project = crate::load(options, file)?;
    let solved = project.solve().map_err(|e| match e {
        calx::Error::Load(_) | calx::Error::Build(_) => Failure::from(e),
        other => Failure::solve(format!("{}: {other}", file.display())),
    })?;
    let new = SnapshotFile {
        source: file.display().to_string().replace('\\', "/"),
        body: calx_snapshot::render(&solved.result, &solved.analyses),
    };
    let path = snapshot_path(file);
    let old = std::fs::read_to_string(&path).ok().map(|t| SnapshotFile::parse(&t));
    let write = |p: &Path| {
        files::guard(p, &[file.to_path_buf()], is_snapshot).map_err(Failure::output)?;
        write_atomic(p, &new.to_text()).map_err(|e| Failure::output(format!("cannot write {}: {e}", p.display())))
    };
    let shown = path.display();
    match (mode, old) {
        (Mode::Update, _) => {
            write(&path)?;
            let _ = std::fs::remove_file(pending(&path));
            Ok((format!("{shown}: updated\n"), true))
        }
        (Mode::Check, None) => {
            Ok((format!("{shown}: missing (run `calx snapshot {}` to create it)\n", file.display()), false))
        }
        (Mode::Write, None) => {
            write(&pending(&path))?;
            Ok((
                format!(
                    "{}: new snapshot pending review; accept with `calx snapshot --update {}` or `cargo insta review`\n",
                    pending(&path).display(),
                    file.display()
                ),
                true,
            ))
        }
        (_, Some(old)) => {
            let diffs = compare(&old.body, &new.body, tol);
            if diffs.is_empty() {
                if mode == Mode::Write {
                    let _ = std::fs::remove_file(pending(&path));
                }
                return Ok((format!("{shown}: unchanged\n"), true));
            }
            let mut text = format!("{shown}: {} value(s) changed\n", diffs.len());
            for d in &diffs {
                text.push_str(&format!("  {d}\n"));
            }
            if mode == Mode::Write {
                write(&pending(&path))?;
                text.push_str(&format!(
                    "  new values written to {}; accept with `calx snapshot --update {}` or `cargo insta review`\n",
                    pending(&path).display(),
                    file.display()
                ));
            }
            Ok((text, false))
        }
    }
}

/// A snapshot file (insta's format: a `---` header first).
fn is_snapshot(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.starts_with("---"))
}

/// Parse `KEY=REL` tolerance overrides.
pub(crate) fn parse_tolerance(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("expected KEY=RELATIVE, found {s:?}"))?;
    let x: f64 = v.trim().parse().map_err(|_| format!("{v:?} is not a number"))?;
    if !(x.is_finite() && x >= 0.0) {
        return Err(format!("tolerance must be zero or more, found {x}"));
    }
    Ok((k.trim().to_string(), x))
}
