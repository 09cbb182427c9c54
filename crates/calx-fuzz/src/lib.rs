//! Fuzzing Calx on the stable toolchain.
//!
//! No coverage-guided fuzzer runs on stable Rust here (cargo-fuzz and AFL's instrumentation
//! need nightly compiler flags), so this is a structure-aware mutation harness that drives the
//! library in-process: inputs are mutated the way they are written ([`mutate`]: lines,
//! numbers, words, a few bytes), each mutant is run by a [`targets::Target`], and a mutant that
//! gives a new outcome class (a new first line of an error) joins the corpus, so the search
//! keeps reaching new refusals instead of repeating the first one. A panic, or an accepted
//! input that shows a non-finite number, is a finding: it is shrunk line by line ([`shrink`])
//! and can be saved under `tests/data/fuzz/TARGET/`, where a test replays every saved case.
//!
//! `cargo xtask fuzz TARGET --time SECONDS` runs it (release build); the crate's own tests
//! are the short smoke run CI does.

pub mod mutate;
pub mod targets;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use mutate::Rng;
use targets::{Outcome, Target};

/// A panic or a bug found, shrunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What went wrong (the panic message, or the bug).
    pub what: String,
    /// The smallest input found that still does it.
    pub input: String,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Inputs run.
    pub executions: u64,
    /// Accepted inputs.
    pub accepted: u64,
    /// Refused inputs.
    pub refused: u64,
    /// Inputs not tried (unbounded work asked for).
    pub skipped: u64,
    /// Distinct outcome classes seen.
    pub classes: usize,
    /// Corpus size at the end.
    pub corpus: usize,
    /// Panics and bugs, shrunk, one per distinct message.
    pub findings: Vec<Finding>,
}

/// How long a run goes on: whichever limit comes first.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Wall time.
    pub time: Duration,
    /// Executions.
    pub executions: u64,
}

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Run an input, catching a panic as a finding (its message, without the noise on stderr).
pub fn execute(target: Target, input: &str) -> Result<Outcome, String> {
    PANIC.with(|p| p.borrow_mut().take());
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| targets::run(target, input)));
    outcome
        .map_err(|_| PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "a panic without a message".to_string()))
}

/// A panic hook, as `std::panic::take_hook` gives it.
type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>;

/// While fuzzing, panics are recorded instead of printed.
struct QuietPanics(Option<PanicHook>);

impl QuietPanics {
    fn install() -> QuietPanics {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            PANIC.with(|p| *p.borrow_mut() = Some(format!("panic{at}: {message}")));
        }));
        QuietPanics(Some(previous))
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            std::panic::set_hook(previous);
        }
    }
}

/// What an outcome means for the search: a class (new ones grow the corpus) or a finding.
fn judge(result: Result<Outcome, String>, report: &mut Report) -> Result<String, String> {
    match result {
        Err(panic) => Err(panic),
        Ok(Outcome::Bug(what)) => Err(what),
        Ok(Outcome::Accepted) => {
            report.accepted += 1;
            Ok("(accepted)".into())
        }
        Ok(Outcome::Skipped) => {
            report.skipped += 1;
            Ok("(skipped)".into())
        }
        Ok(Outcome::Refused(class)) => {
            report.refused += 1;
            Ok(class)
        }
    }
}

/// Fuzz `target` from `seeds` (input texts) with the random `seed`, within `budget`.
pub fn fuzz(target: Target, seeds: &[String], seed: u64, budget: Budget) -> Report {
    let _quiet = QuietPanics::install();
    let mut rng = Rng::new(seed);
    let mut corpus: Vec<String> = seeds.to_vec();
    if corpus.is_empty() {
        corpus.push(String::new());
    }
    let dictionary = mutate::words(&corpus.join("\n"));
    let mut classes: BTreeSet<String> = BTreeSet::new();
    let mut report = Report::default();
    let mut found: BTreeSet<String> = BTreeSet::new();
    let started = Instant::now();
    while report.executions < budget.executions && started.elapsed() < budget.time {
        // Half the time from a seed (valid inputs reach the deep code: solving, analyses,
        // rendering), else from anything the search found; mostly one mutation at a time.
        let from = if rng.below(2) == 0 { rng.below(seeds.len().max(1)) } else { rng.below(corpus.len()) };
        let base = &corpus[from.min(corpus.len() - 1)];
        let other = &corpus[rng.below(corpus.len())];
        let mut input = mutate::mutate(base, other, &dictionary, &mut rng);
        for _ in 0..rng.below(4).saturating_sub(2) {
            input = mutate::mutate(&input, other, &dictionary, &mut rng);
        }
        report.executions += 1;
        match judge(execute(target, &input), &mut report) {
            Ok(class) => {
                if classes.insert(class) && corpus.len() < 5_000 {
                    corpus.push(input);
                }
            }
            Err(what) => {
                let key: String = what.chars().filter(|c| !c.is_ascii_digit()).collect();
                if found.insert(key) {
                    report.findings.push(Finding { input: shrink(target, &input, &what), what });
                }
            }
        }
    }
    report.classes = classes.len();
    report.corpus = corpus.len();
    report
}

/// Whether `input` still gives the finding `what` (same message up to digits).
fn still_fails(target: Target, input: &str, what: &str) -> bool {
    let key = |s: &str| s.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    match execute(target, input) {
        Err(panic) => key(&panic) == key(what),
        Ok(Outcome::Bug(bug)) => key(&bug) == key(what),
        Ok(_) => false,
    }
}

/// Shrink a failing input line by line, keeping the same finding.
pub fn shrink(target: Target, input: &str, what: &str) -> String {
    shrink_with(input, |candidate| still_fails(target, candidate, what))
}

/// Delta debugging on lines: drop chunks of lines, halving the chunk size, while `fails`
/// still holds for what is left.
fn shrink_with(input: &str, fails: impl Fn(&str) -> bool) -> String {
    let mut lines: Vec<&str> = input.lines().collect();
    let mut chunk = lines.len().max(1) / 2;
    while chunk >= 1 {
        let mut i = 0;
        while i < lines.len() {
            let candidate: Vec<&str> =
                lines[..i].iter().chain(lines[(i + chunk).min(lines.len())..].iter()).copied().collect();
            if !candidate.is_empty() && fails(&(candidate.join("\n") + "\n")) {
                lines = candidate;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds(target: Target) -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (dirs, ext) = target.seeds();
        let mut out = Vec::new();
        for dir in dirs {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            files.sort();
            out.extend(
                files
                    .iter()
                    .filter(|p| p.extension().is_some_and(|e| e == ext))
                    .filter_map(|p| std::fs::read_to_string(p).ok()),
            );
        }
        out
    }

    /// The smoke run CI does: a few hundred mutants per target, a fixed seed, no finding.
    #[test]
    fn a_short_run_of_every_target_finds_nothing() {
        for target in Target::ALL {
            let budget = Budget { time: Duration::from_secs(60), executions: 300 };
            let report = fuzz(target, &seeds(target), 20261206, budget);
            assert_eq!(report.executions, 300, "{}", target.name());
            assert!(report.classes > 3, "{}: only {} outcome classes", target.name(), report.classes);
            assert!(report.findings.is_empty(), "{}: {:#?}", target.name(), report.findings);
        }
    }

    /// Every case a fuzz run found and saved (`tests/data/fuzz/TARGET/`) stays fixed.
    #[test]
    fn saved_findings_stay_fixed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/fuzz");
        let mut failed = Vec::new();
        for target in Target::ALL {
            let dir = root.join(target.name());
            let Ok(rd) = std::fs::read_dir(&dir) else { continue };
            let _quiet = QuietPanics::install();
            for path in rd.filter_map(|e| e.ok().map(|e| e.path())) {
                let input = std::fs::read_to_string(&path).unwrap_or_default();
                match execute(target, &input) {
                    Err(panic) => failed.push(format!("{}: {panic}", path.display())),
                    Ok(Outcome::Bug(bug)) => failed.push(format!("{}: {bug}", path.display())),
                    Ok(_) => {}
                }
            }
        }
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn a_finding_is_shrunk_to_the_lines_that_cause_it() {
        let input = "a: 1\nnoise\nb: 2\nmore noise\nc: 3\n";
        let fails = |t: &str| t.contains("a: 1") && t.contains("c: 3");
        assert_eq!(shrink_with(input, fails), "a: 1\nc: 3\n");
    }
}
