//! Project automation, run as `cargo xtask <command>` (rust-analyzer style: plain Rust, no
//! extra dependencies).
//!
//! - `ci`: exactly what `.ci/run` runs (the README's test command): installs what the tests
//!   need and is missing (Debian's `chromium` for the report's browser test, `slurm-wlm` and
//!   `munge` for the Slurm test), then checks formatting (`cargo fmt --check`), lints
//!   (`cargo clippy -D warnings`) and runs every test, then the Python package's pytest suite
//!   in a virtual environment it makes ([`python`]).
//! - `schema`: regenerate `docs/flowsheet.schema.json` from `calx schema`.
//! - `build-plugins [--release]`: build every crate in `plugins/` as a loadable library (with
//!   its `export` feature) into `target/debug/` or `target/release/` (`lib<name>.so` on Linux).
//! - `new-plugin [--analysis] NAME`: scaffold `plugins/NAME`, a plugin crate with one unit
//!   (or, with `--analysis`, one analysis) and a test.
//! - `fuzz TARGET [--time S] [--seed N] [--save]`: fuzz `flowsheet`, `study`, `pipeline` or
//!   `manifest` for S seconds (release build of `calx-fuzz`; `--save` writes findings to
//!   `tests/data/fuzz/TARGET/`).
//! - `python`: the Python step of `ci` alone: build the `calx` Python package into a virtual
//!   environment under the target directory and run its pytest suite.
//! - `sample-cost [KIND...]`: what one study sample costs on one thread (wall time,
//!   instructions, heap allocations) for `once-through`, `recycle`, `reference`,
//!   `equilibrium` and `rate` (the predictive carbonators), from the
//!   `sample_cost` example of `calx-study` run natively, under callgrind and under DHAT
//!   (installs Debian's `valgrind` when missing).

mod python;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(|p| p.to_path_buf()).unwrap_or_default();
    let status = match args.first().map(String::as_str) {
        Some("ci") => ci(&root),
        Some("schema") => Command::new("cargo")
            .args(["run", "--quiet", "--package", "calx-cli", "--", "schema"])
            .current_dir(&root)
            .output()
            .and_then(|out| {
                std::fs::write(root.join("docs/flowsheet.schema.json"), &out.stdout)?;
                Ok(out.status)
            }),
        Some("build-plugins") => build_plugins(&root, args.iter().any(|a| a == "--release")),
        Some("fuzz") => Command::new("cargo")
            .args(["run", "--quiet", "--release", "--package", "calx-fuzz", "--"])
            .args(&args[1..])
            .current_dir(&root)
            .status(),
        Some("sample-cost") => sample_cost(&root, &args[1..]),
        Some("python") => python::tests(&root),
        Some("new-plugin") => {
            let analysis = args[1..].iter().any(|a| a == "--analysis");
            match args[1..].iter().find(|a| !a.starts_with("--")) {
                Some(name) if analysis => new_plugin(&root, name, TEMPLATE_ANALYSIS_LIB),
                Some(name) => new_plugin(&root, name, TEMPLATE_LIB),
                None => {
                    eprintln!("usage: cargo xtask new-plugin [--analysis] NAME");
                    return ExitCode::from(2);
                }
            }
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <ci | schema | build-plugins [--release] | new-plugin [--analysis] NAME | fuzz TARGET [--time S] | sample-cost [KIND...] | python>\n  ci             install what the tests need, check formatting and lints, run every test\n  schema         regenerate docs/flowsheet.schema.json\n  build-plugins  build every plugin in plugins/ as a loadable library\n  new-plugin     scaffold plugins/NAME with one unit (--analysis: one analysis) and a passing test\n  fuzz           fuzz flowsheet, study, pipeline or manifest for S seconds\n  sample-cost    time, instructions and allocations per study sample (once-through, recycle, reference, equilibrium, rate)\n  python         build the Python package into a virtual environment and run its pytest suite"
            );
            return ExitCode::from(2);
        }
    };
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The steps of `cargo xtask ci`, each a command run in the workspace root.
const CI_STEPS: &[(&str, &[&str])] = &[
    ("formatting", &["fmt", "--all", "--", "--check"]),
    ("lints", &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]),
    ("tests", &["test", "--workspace", "--locked"]),
];

/// Install what is missing, then run the CI steps in order; the first failure stops.
fn ci(root: &std::path::Path) -> std::io::Result<std::process::ExitStatus> {
    let installed = ensure_chromium()?;
    if !installed.success() {
        return Ok(installed);
    }
    let installed = ensure_slurm()?;
    if !installed.success() {
        return Ok(installed);
    }
    for (what, args) in CI_STEPS {
        eprintln!("xtask ci: {what}: cargo {}", args.join(" "));
        let status = Command::new("cargo").args(*args).current_dir(root).status()?;
        if !status.success() {
            eprintln!("xtask ci: {what} failed");
            return Ok(status);
        }
    }
    eprintln!("xtask ci: python: the calx package's pytest suite");
    python::tests(root)
}

/// The report's browser test (tests/it/report.rs) opens the reference report in headless
/// Chromium. Use `CALX_CHROMIUM` if set, `chromium` on the PATH if there is one, else install
/// Debian's package (as root, with apt-get); anything else fails with what to do.
fn ensure_chromium() -> std::io::Result<std::process::ExitStatus> {
    let ok = Command::new("true").status()?;
    if std::env::var_os("CALX_CHROMIUM").is_some() || on_path("chromium") {
        return Ok(ok);
    }
    if !on_path("apt-get") {
        eprintln!(
            "xtask ci: the browser test needs Chromium: install it (Debian: apt-get install chromium) \
             or set CALX_CHROMIUM to a Chromium binary"
        );
        return Command::new("false").status();
    }
    eprintln!("xtask ci: installing Debian's chromium for the report's browser test");
    apt_install(&["chromium"])
}

/// The Slurm test (crates/calx-cli/tests/slurm.rs) starts munged, slurmctld and slurmd
/// itself, in a temporary directory; install Debian's `slurm-wlm` and `munge` (as root, with
/// apt-get) when a program is missing; anything else fails with what to do.
fn ensure_slurm() -> std::io::Result<std::process::ExitStatus> {
    let programs = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo"];
    // Daemons live in /usr/sbin, which a non-login shell's PATH may lack.
    let installed = |p: &str| on_path(p) || std::path::Path::new("/usr/sbin").join(p).is_file();
    if programs.iter().all(|p| installed(p)) {
        return Command::new("true").status();
    }
    if !on_path("apt-get") {
        eprintln!(
            "xtask ci: the Slurm test needs slurmctld, slurmd and munged: install them (Debian: apt-get install \
             slurm-wlm munge)"
        );
        return Command::new("false").status();
    }
    eprintln!("xtask ci: installing Debian's slurm-wlm and munge for the Slurm test");
    apt_install(&["slurm-wlm", "munge"])
}

/// Whether a program of that name is in a directory of the PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Crates in `plugins/`, sorted.
fn plugin_crates(root: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("plugins"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().join("Cargo.toml").exists())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn build_plugins(root: &std::path::Path, release: bool) -> std::io::Result<std::process::ExitStatus> {
    let crates = plugin_crates(root);
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root).arg("build");
    if release {
        cmd.arg("--release");
    }
    let mut features = Vec::new();
    for c in &crates {
        cmd.args(["-p", c]);
        features.push(format!("{c}/export"));
    }
    cmd.args(["--features", &features.join(",")]);
    let status = cmd.status()?;
    if status.success() {
        let dir = python::target_dir(root).join(if release { "release" } else { "debug" });
        for c in &crates {
            let file =
                format!("{}{}{}", std::env::consts::DLL_PREFIX, c.replace('-', "_"), std::env::consts::DLL_SUFFIX);
            println!("{}", dir.join(file).display());
        }
        println!("(add the directory to CALX_PLUGIN_PATH, or list a file under `plugins:` in a flowsheet)");
    }
    Ok(status)
}

/// Scaffold `plugins/NAME` with `template` as its `src/lib.rs` (one unit, or one analysis).
fn new_plugin(root: &std::path::Path, name: &str, template: &str) -> std::io::Result<std::process::ExitStatus> {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        eprintln!("xtask: `{name}` is not a crate name: use lower-case letters, digits and `-`, e.g. calx-thickener");
        return Command::new("false").status();
    }
    let dir = root.join("plugins").join(name);
    if dir.exists() {
        eprintln!("xtask: {} already exists", dir.display());
        return Command::new("false").status();
    }
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("Cargo.toml"), TEMPLATE_MANIFEST.replace("{name}", name))?;
    std::fs::write(dir.join("src/lib.rs"), template.replace("{name}", name))?;
    println!(
        "created {}: `cargo test -p {name}` runs its test, `cargo build -p {name}` builds lib{}.so",
        dir.display(),
        name.replace('-', "_")
    );
    Command::new("cargo").current_dir(root).args(["test", "--quiet", "-p", name]).status()
}

const TEMPLATE_MANIFEST: &str = r#"[package]
name = "{name}"
description = "A Calx plugin."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true

[lib]
crate-type = ["cdylib", "rlib"]

[features]
# Export the plugin entry symbol (needed to load the library; see calx-plugin-sdk).
default = ["export"]
export = []

[dependencies]
calx-plugin-sdk.workspace = true

[lints]
workspace = true
"#;

const TEMPLATE_LIB: &str = r#"//! `{name}`: a Calx unit-operation plugin (scaffolded by `cargo xtask new-plugin`).
//!
//! One unit type, `example_heater`: copies its inlet and raises the temperature by
//! `temperature_rise`. Replace it with your model; keep every default's source.

use calx_plugin_sdk::{
    Dimension, ParamKind, ParamSpec, ParamValue, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation,
    UnitReport, UnitType,
};

/// The unit type.
pub struct ExampleHeater;

struct Op {
    rise: f64,
}

impl UnitType for ExampleHeater {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "example_heater".into(),
            summary: "Raises the temperature of a stream (example).".into(),
            ports: vec![PortSpec::inlet("in", "feed"), PortSpec::outlet("out", "heated feed")],
            params: vec![ParamSpec::with_default(
                "temperature_rise",
                ParamKind::quantity(Dimension::TEMPERATURE, "K"),
                ParamValue::Number(10.0),
                "temperature rise",
                "[U] example value",
            )],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        Ok(Box::new(Op { rise: config.params.number("temperature_rise")? }))
    }
}

impl UnitOperation for Op {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], _report: &mut UnitReport) -> Result<(), UnitError> {
        outlets[0].copy_from(&inlets[0]);
        outlets[0].temperature += self.rise;
        Ok(())
    }
}

calx_plugin_sdk::export_plugin!(provider = "{name}", types = [ExampleHeater]);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use calx_plugin_sdk::calx_core::unit::Connections;
    use calx_plugin_sdk::{Component, ComponentSet, Params, Phase};

    use super::*;

    #[test]
    fn raises_the_temperature_and_keeps_the_flows() {
        let set = Arc::new(ComponentSet::new(vec![Component::from_formula("H2O", "H2O", Phase::Liquid).unwrap()]).unwrap());
        let params = Params::new(BTreeMap::from([("temperature_rise".to_string(), ParamValue::Number(5.0))]));
        let connections = Connections::default();
        let config = UnitConfig { name: "h", components: &set, params: &params, connections: &connections };
        let op = ExampleHeater.create(&config).unwrap();
        let mut inlet = Stream::empty(1);
        inlet.flows[0] = 2.0;
        let mut out = vec![Stream::empty(1)];
        op.calculate(&[inlet.clone()], &mut out, &mut UnitReport::default()).unwrap();
        assert_eq!(out[0].flows, inlet.flows);
        assert_eq!(out[0].temperature, inlet.temperature + 5.0);
    }
}
"#;

const TEMPLATE_ANALYSIS_LIB: &str = r#"//! `{name}`: a Calx analysis plugin (scaffolded by `cargo xtask new-plugin --analysis`).
//!
//! One analysis type, `feed_intensity`: the mass of every feed stream per t of the product
//! stream `product`. It implements the same `Analysis` trait as the built-in LCA and TEA and
//! is configured in a flowsheet's `analyses:` block, checked with file:line:col like them.
//! Replace it with your analysis; keep every default's source.

use calx_plugin_sdk::calx_core::result::StreamRole;
use calx_plugin_sdk::report::{Block, KeyFigure, ReportPart};
use calx_plugin_sdk::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, FlowsheetResult, Metric, ParamKind,
    ParamSpec, Params, UnitError,
};

/// The analysis type.
pub struct FeedIntensity;

struct Configured {
    name: String,
    product: String,
}

impl AnalysisType for FeedIntensity {
    fn descriptor(&self) -> AnalysisDescriptor {
        AnalysisDescriptor {
            type_name: "feed_intensity".into(),
            summary: "Feed mass per t of product (example).".into(),
            params: vec![ParamSpec::required("product", ParamKind::Text, "The product stream.")],
            // Analysis types whose metrics this one reads (they run first), e.g. ["lca"].
            reads: vec![],
            when_absent: None,
        }
    }

    fn create(&self, name: &str, params: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        let product = params.text_opt("product")?.unwrap_or_default().to_string();
        Ok(Box::new(Configured { name: name.to_string(), product }))
    }
}

impl Analysis for Configured {
    fn figures(&self, f: &FlowsheetResult, _earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        let product = f
            .stream(&self.product)
            .ok_or_else(|| AnalysisError::parameter("product", format!("no stream `{}`", self.product)))?;
        let out: f64 = product.stream.flows.iter().sum();
        let fed: f64 = f.streams.iter().filter(|s| s.role == StreamRole::Feed).flat_map(|s| &s.stream.flows).sum();
        // Every metric has a unit (`1` for a plain number); the host refuses NaN and infinity.
        Ok(vec![Metric { name: "feed_per_product".into(), value: fed / out, unit: format!("t/t {}", self.product) }])
    }

    fn report(&self, f: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        let metrics = self.figures(f, earlier)?;
        let m = &metrics[0];
        let figure = KeyFigure::new("Feed per product", format!("{:.4}", m.value), m.unit.clone(), self.name.clone());
        let part = ReportPart {
            section: "feed_intensity".into(),
            section_title: "Feed intensity".into(),
            blocks: vec![Block::KeyFigures(vec![figure])],
            ..ReportPart::default()
        };
        Ok(AnalysisOutput {
            name: self.name.clone(),
            type_name: "feed_intensity".into(),
            text: format!("feed per product: {} {}\n", m.value, m.unit),
            csv: Vec::new(),
            json: format!("{{\"feed_per_product\": {}}}", m.value),
            report: Some(part),
            metrics,
        })
    }
}

calx_plugin_sdk::export_plugin!(provider = "{name}", types = [], analyses = [FeedIntensity]);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use calx_plugin_sdk::calx_core::result::{EnergyBalance, StreamResult};
    use calx_plugin_sdk::{Component, ComponentSet, ParamValue, Phase, Stream};

    use super::*;

    fn stream(name: &str, role: StreamRole, kg_s: f64) -> StreamResult {
        let mut s = Stream::empty(1);
        s.flows[0] = kg_s;
        StreamResult { name: name.into(), role, source: None, destination: None, stream: s, aqueous: None }
    }

    #[test]
    fn two_t_fed_per_t_of_product() {
        let set = Arc::new(ComponentSet::new(vec![Component::from_formula("H2O", "H2O", Phase::Liquid).unwrap()]).unwrap());
        let result = FlowsheetResult {
            name: "test".into(),
            components: set,
            streams: vec![stream("a", StreamRole::Feed, 1.5), stream("b", StreamRole::Feed, 0.5), stream("p", StreamRole::Product, 1.0)],
            units: vec![],
            balance: vec![],
            energy: EnergyBalance::NotApplicable,
            solver: Default::default(),
        };
        let params = Params::new(BTreeMap::from([("product".to_string(), ParamValue::Text("p".into()))]));
        let analysis = FeedIntensity.create("feed_intensity", &params).unwrap();
        // (1.5 + 0.5) kg/s fed over 1.0 kg/s of product.
        assert_eq!(analysis.figures(&result, &[]).unwrap()[0].value, 2.0);
        assert!(analysis.report(&result, &[]).unwrap().report.is_some());
    }
}
"#;

/// Samples of the shorter run of `sample-cost`; the longer runs three times as many, and the
/// difference over 2N samples is the cost of one (set-up and warm-up cancel out).
const COST_SAMPLES: usize = 200;

/// `cargo xtask sample-cost [KIND...]`.
fn sample_cost(root: &std::path::Path, kinds: &[String]) -> std::io::Result<std::process::ExitStatus> {
    // Twice: with mimalloc (time, instructions) and on the system allocator, in a target
    // directory of its own, for DHAT's count of allocations.
    let target = python::target_dir(root);
    let counting = target.join("sample-cost-system-allocator");
    for extra in [&[][..], &["--features", "system-allocator", "--target-dir"][..]] {
        let mut cargo = Command::new("cargo");
        cargo
            .args(["build", "--quiet", "--release", "--package", "calx-study", "--example", "sample_cost"])
            .args(extra);
        if !extra.is_empty() {
            cargo.arg(&counting);
        }
        let built = cargo.current_dir(root).status()?;
        if !built.success() {
            return Ok(built);
        }
    }
    let installed = ensure_debian_package("valgrind", "valgrind")?;
    if !installed.success() {
        return Ok(installed);
    }
    let example = target.join("release/examples/sample_cost");
    let counted = counting.join("release/examples/sample_cost");
    let kinds: Vec<&str> = if kinds.is_empty() {
        vec!["once-through", "recycle", "reference", "equilibrium", "rate"]
    } else {
        kinds.iter().map(String::as_str).collect()
    };
    println!("{:<14} {:>12} {:>16} {:>18}", "study", "us/sample", "instructions", "allocations");
    for kind in kinds {
        let per_sample = |f: &dyn Fn(usize) -> std::io::Result<f64>| -> std::io::Result<f64> {
            Ok((f(3 * COST_SAMPLES)? - f(COST_SAMPLES)?) / (2 * COST_SAMPLES) as f64)
        };
        // Time over ten times the samples: the native runs are fast, and the clock is coarse.
        let seconds = per_sample(&|n| run_example(&example, kind, 10 * n))? / 10.0;
        let instructions = per_sample(&|n| valgrind_count(&example, kind, n, "callgrind", "refs:"))?;
        let allocations = per_sample(&|n| valgrind_count(&counted, kind, n, "dhat", "Total:"))?;
        println!("{kind:<14} {:>12.2} {instructions:>16.0} {allocations:>18.1}", seconds * 1e6);
    }
    Command::new("true").status()
}

/// Seconds the example reports for `n` samples of `kind`.
fn run_example(example: &std::path::Path, kind: &str, n: usize) -> std::io::Result<f64> {
    let out = Command::new(example).args([kind, &n.to_string()]).output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().map_err(std::io::Error::other)
}

/// The number valgrind's `tool` prints after `label` (callgrind: `I refs:`, instructions;
/// DHAT: `Total: ... bytes in N blocks`, the N) for `n` samples of `kind`.
fn valgrind_count(example: &std::path::Path, kind: &str, n: usize, tool: &str, label: &str) -> std::io::Result<f64> {
    let out = Command::new("valgrind")
        .args([&format!("--tool={tool}"), &format!("--{tool}-out-file=/dev/null")])
        .arg(example)
        .args([kind, &n.to_string()])
        .output()?;
    let text = String::from_utf8_lossy(&out.stderr);
    // A run that failed (a sample that did not solve) still prints totals: refuse them.
    if !out.status.success() {
        return Err(std::io::Error::other(format!("valgrind --tool={tool} {kind} {n} failed:\n{text}")));
    }
    let line = text
        .lines()
        .find(|l| l.contains(label))
        .ok_or_else(|| std::io::Error::other(format!("valgrind --tool={tool} printed no `{label}`:\n{text}")))?;
    let after = &line[line.find(label).map_or(0, |i| i + label.len())..];
    // DHAT: "Total:     123 bytes in 45 blocks": the blocks; callgrind: the one number.
    let number = if tool == "dhat" { after.split(" in ").nth(1).unwrap_or(after) } else { after };
    let digits: String = number.split_whitespace().next().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
    digits.parse::<f64>().map_err(|e| std::io::Error::other(format!("{line}: {e}")))
}

/// Install a Debian package when its program is missing (as `ensure_chromium` does).
fn ensure_debian_package(program: &str, package: &str) -> std::io::Result<std::process::ExitStatus> {
    if on_path(program) {
        return Command::new("true").status();
    }
    if !on_path("apt-get") {
        eprintln!("xtask: `{program}` is missing: install it (Debian: apt-get install {package})");
        return Command::new("false").status();
    }
    apt_install(&[package])
}

/// `apt-get update`, then install `packages` without recommends and without questions.
fn apt_install(packages: &[&str]) -> std::io::Result<std::process::ExitStatus> {
    let update = Command::new("apt-get").arg("update").status()?;
    if !update.success() {
        return Ok(update);
    }
    Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
}
