//! The fuzz targets: what each does with an input, and what counts as a bug.
//!
//! A target either refuses an input (with some error: a class of outcome for the corpus's
//! feedback) or accepts it; accepting it with a non-finite number anywhere in what a user
//! would see is a bug. Panics are caught by the driver.

use std::path::Path;

use calx::{LoadOptions, Project};
use calx_core::result::FlowsheetResult;

/// What to fuzz.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Parse and decode a flowsheet, and build it (no solve).
    Flowsheet,
    /// Parse a study file and check its size.
    Study,
    /// Load, solve, analyse and render a flowsheet (text, snapshot, and now and then the HTML
    /// report).
    Pipeline,
    /// Decode a plugin manifest (the JSON of ABI v1) and check its declarations.
    Manifest,
}

impl Target {
    /// Every target, in the order `cargo xtask fuzz` lists them.
    pub const ALL: [Target; 4] = [Target::Flowsheet, Target::Study, Target::Pipeline, Target::Manifest];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Flowsheet => "flowsheet",
            Target::Study => "study",
            Target::Pipeline => "pipeline",
            Target::Manifest => "manifest",
        }
    }

    /// The target of a name.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Where its seeds come from (relative to the repository) and the extension of its inputs.
    pub fn seeds(self) -> (&'static [&'static str], &'static str) {
        match self {
            Target::Flowsheet | Target::Pipeline => (&["flowsheets", "tests/data/invalid", "tests/data/bad"], "yaml"),
            Target::Study => (&["flowsheets", "tests/data/bad"], "yaml"),
            Target::Manifest => {
                (&["crates/calx-plugin-host/tests/golden", "crates/calx-plugin-abi/tests/golden"], "json")
            }
        }
    }
}

/// What a target made of an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Refused; the class of the refusal (its first line, digits removed) for the feedback.
    Refused(String),
    /// Accepted, and everything it showed is finite.
    Accepted,
    /// Not tried (an input that asks for an unbounded amount of work, such as a billion
    /// solver iterations).
    Skipped,
    /// A bug: accepted with a non-finite number shown, or similar.
    Bug(String),
}

/// The class of an error message: its first line without digits (so `line 12` and `line 13`
/// are one class).
fn class(message: &str) -> String {
    message.lines().next().unwrap_or("").chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// Run `target` on `input`.
pub fn run(target: Target, input: &str) -> Outcome {
    match target {
        Target::Flowsheet => flowsheet(input),
        Target::Study => study(input),
        Target::Pipeline => pipeline(input),
        Target::Manifest => manifest(input),
    }
}

fn load(input: &str) -> Result<Project, calx::LoadError> {
    Project::from_text(input, "fuzz.yaml", Path::new("flowsheets"), &LoadOptions::default())
}

fn flowsheet(input: &str) -> Outcome {
    match load(input).map_err(|e| e.to_string()).and_then(|p| p.build().map(|_| ()).map_err(|d| d.to_string())) {
        Ok(()) => Outcome::Accepted,
        Err(e) => Outcome::Refused(class(&e)),
    }
}

fn study(input: &str) -> Outcome {
    match calx_study::parse_study(input).and_then(|def| def.check_size(true).map(|()| def)) {
        Ok(def) if def.parameters.iter().any(|p| !(p.tornado.0.is_finite() && p.tornado.1.is_finite())) => {
            Outcome::Bug("a study was accepted with a non-finite tornado value".into())
        }
        Ok(_) => Outcome::Accepted,
        Err(e) => Outcome::Refused(class(&e.to_string())),
    }
}

fn manifest(input: &str) -> Outcome {
    match calx_plugin_host::decode_manifest("fuzz.so", input.as_bytes()) {
        Ok(_) => Outcome::Accepted,
        Err(e) => Outcome::Refused(class(&e.to_string())),
    }
}

/// Most solver iterations the pipeline target lets an input ask for: more could run for
/// hours without being a bug.
const MAX_ITERATIONS: f64 = 10_000.0;

/// Whether an input asks for more iterations than [`MAX_ITERATIONS`].
fn asks_for_unbounded_work(input: &str) -> bool {
    input.lines().filter(|l| l.contains("max_iterations")).any(|l| {
        l.split(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
            .filter_map(|w| w.parse::<f64>().ok())
            .any(|x| x.is_nan() || x > MAX_ITERATIONS)
    })
}

fn pipeline(input: &str) -> Outcome {
    if asks_for_unbounded_work(input) {
        return Outcome::Skipped;
    }
    let project = match load(input) {
        Ok(p) => p,
        Err(e) => return Outcome::Refused(class(&e.to_string())),
    };
    let solved = match project.solve() {
        Ok(s) => s,
        Err(e) => return Outcome::Refused(class(&e.to_string())),
    };
    if let Some(problem) = non_finite(&solved.result) {
        return Outcome::Bug(format!("accepted with a non-finite result: {problem}"));
    }
    for a in &solved.analyses {
        if let Some(m) = a.metrics.iter().find(|m| !m.value.is_finite()) {
            return Outcome::Bug(format!("analysis `{}` metric `{}` is {}", a.name, m.name, m.value));
        }
    }
    let mut shown = calx_document::text_table(project.model(), &solved.result);
    shown.push_str(&calx_snapshot::render(&solved.result, &solved.analyses));
    for a in &solved.analyses {
        shown.push_str(&a.text);
    }
    // The HTML report costs milliseconds; draw it for one accepted input in 64.
    if fingerprint(input).is_multiple_of(64) {
        let input = calx_document::Input::new(&project, &solved);
        shown.push_str(&calx_document::html(&calx_document::document(&input, &calx_document::Options::default())));
    }
    // What the user wrote (a description saying "inf") is shown as written, not computed.
    match printed_non_finite(&shown).filter(|w| !input.contains(w)) {
        Some(word) => Outcome::Bug(format!("a non-finite number is shown: `{word}`")),
        None => Outcome::Accepted,
    }
}

/// A stream value that is not finite, if any.
fn non_finite(result: &FlowsheetResult) -> Option<String> {
    result.streams.iter().find_map(|s| {
        let x = &s.stream;
        x.flows
            .iter()
            .chain([&x.temperature, &x.pressure])
            .find(|v| !v.is_finite())
            .map(|v| format!("stream {} has {v}", s.name))
    })
}

/// A word of shown text that is a non-finite number as Rust or a report writes it.
fn printed_non_finite(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '<' | '>' | '"' | ':' | ';'))
        .find(|w| matches!(w.trim_start_matches(['-', '+']), "NaN" | "inf" | "infinity" | "Infinity" | "n/a"))
}

/// A stable 64-bit hash of a text (FNV-1a): the same input, the same choices.
pub fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_flowsheets_are_accepted_and_a_broken_one_refused() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("flowsheets/lime-slaking-recycle.yaml")).unwrap_or_default();
        assert_eq!(run(Target::Pipeline, &text), Outcome::Accepted);
        assert_eq!(run(Target::Flowsheet, &text), Outcome::Accepted);
        assert!(matches!(run(Target::Flowsheet, "schema_version: 1\nunits: 3\n"), Outcome::Refused(_)));
    }

    #[test]
    fn shown_non_finite_numbers_are_found() {
        assert_eq!(printed_non_finite("total: 1.5 kg/s\nT: NaN K"), Some("NaN"));
        assert_eq!(printed_non_finite("B/C -inf"), Some("-inf"));
        assert_eq!(printed_non_finite("information, infinite loops"), None);
        assert!(asks_for_unbounded_work("solver: { max_iterations: 1e9 }"));
        assert!(!asks_for_unbounded_work("solver: { max_iterations: 500 }"));
    }
}
