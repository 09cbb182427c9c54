//! `calx`: run, check and inspect flowsheets.
//!
//! This is the only crate that prints, exits or installs a tracing subscriber. Exit status:
//! 0 success, 1 the flowsheet could not be solved, 2 the input is invalid (or cannot be read),
//! 3 output could not be written.

mod files;
mod fit;
mod output;
mod plugins;
mod report;
mod snapshot;
mod study;
mod study_manifest;
mod study_parquet;
mod study_shard;
mod study_status;
mod study_submit;
mod units;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use calx::{LoadOptions, Project, Solved};
use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;

// mimalloc: a parameter study allocates small result structures for every sample; the system
// allocator made that a third of the time (crates/calx-study/benches/study.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Calx: simulate process plants from YAML flowsheets.
#[derive(Parser)]
#[command(name = "calx", version, about, long_about = None)]
struct Cli {
    /// More log output (-v: solver progress, -vv: every iteration). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve a flowsheet and print its stream table, utilities, balance closure, solver summary and analyses (LCA, TEA).
    Run {
        /// The flowsheet file (YAML).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write results into this directory (written atomically) instead of standard output.
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Also write a report: self-contained HTML, or Markdown with SVG figures beside it if
        /// the name ends in `.md` (see `calx report` for its options).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Check a flowsheet and write nothing: every problem in the file is listed with file, line
    /// and column; then the plant is solved once and its analyses run for their figures, so an
    /// analysis setting that does not fit the plant (a feed without a price, an inventory item
    /// without a background process) is found too, at its position (exit 2; a plant that does
    /// not solve: exit 1). Loads the plugin libraries the flowsheet lists, which runs their
    /// code (each file is first checked, without running it, to be a Calx plugin).
    Check {
        /// The flowsheet file (YAML).
        file: PathBuf,
    },
    /// Print the JSON Schema of the flowsheet format (for editor completion and checking).
    Schema,
    /// Write, check or update snapshots of converged balances (`<dir>/snapshots/<name>.snap`).
    ///
    /// New or changed snapshots are written as pending (`.snap.new`) and the differences are
    /// printed; `--check` only compares; `--update` accepts. Numbers are compared with the
    /// tolerances below on top of the rounding of the 6 significant digits kept.
    Snapshot {
        /// Flowsheet files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Compare with the stored snapshots and fail on any difference; write nothing.
        #[arg(long, conflicts_with = "update")]
        check: bool,
        /// Accept the new values.
        #[arg(long)]
        update: bool,
        /// Relative tolerance for every number.
        #[arg(long, default_value_t = 1e-6)]
        rel: f64,
        /// Absolute tolerance (SI units) for every number.
        #[arg(long, default_value_t = 1e-12)]
        abs: f64,
        /// Relative tolerance for one quantity, by key (T, CaO, total) or unit (K, W): KEY=REL.
        #[arg(long = "tol", value_name = "KEY=REL", value_parser = snapshot::parse_tolerance)]
        tolerances: Vec<(String, f64)>,
    },
    /// List the units of measure flowsheets may use, grouped by what they measure.
    UnitsOfMeasure,
    /// List the available unit types with their ports and parameters.
    Units {
        /// Show only this unit type.
        name: Option<String>,
    },
    /// List plugins (built in and, given a flowsheet, the libraries it lists) with their unit types.
    Plugins {
        /// A flowsheet whose `plugins:` to load too.
        file: Option<PathBuf>,
    },
    /// Life-cycle assessment data: `calx lca list [FLOWSHEET]` lists the background
    /// processes, elementary flows and impact categories (with their factors) that the
    /// flowsheet's `lca` analysis may use, each with its source and where it was defined
    /// (shipped, a user background file or CSV table, or the flowsheet's `records:`);
    /// `calx lca export FLOWSHEET OUT --format olca|brightway` exports the assessed system
    /// for openLCA or Brightway (docs/lca.md).
    Lca {
        #[command(subcommand)]
        command: LcaCommand,
    },
    /// Run a parameter study (Monte Carlo: random, Latin hypercube or Sobol; tornado; sweep); merge, check or submit shards.
    Study(study::StudyArgs),
    /// Fit a rate law to batch lab data (conversion or CO2 uptake against time).
    ///
    /// Reads a fit file (the rate law, which parameters to fit from which starts and within
    /// which bounds, docs/fit.md) and the CSV of experiments it names; prints the estimates
    /// with standard errors, 95 % intervals and identifiability, goodness of fit, the
    /// correlation matrix, a block of parameters to paste into a carbonator or hydrator
    /// (`mode: rate`) and, when every estimate is identifiable, a `correlated:` group that
    /// carries the fitted uncertainty into `calx study`. With `-o DIR` it writes them with an
    /// HTML page of plots (data and model, parity, residuals) and the residual table as CSV.
    Fit {
        /// The fit file (YAML).
        file: PathBuf,
        /// Write the results into this directory (written atomically) instead of printing them.
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Solve a flowsheet and write its report: diagram, Sankey, tables, LCA, TEA and study charts.
    ///
    /// The report holds the key figures first, the flowsheet diagram, a Sankey diagram of mass
    /// flows, the stream table, balance closure, solver summary, LCA and TEA charts, and a
    /// parameter study's charts (`--study`).
    ///
    /// HTML (default) is one self-contained file that opens offline: inline styles and SVG,
    /// no scripts, no fonts or images to fetch. `--format md` (or `-o NAME.md`) writes
    /// Markdown with the figures as SVG files in `NAME-files/` beside it. Output is the same,
    /// byte for byte, for the same flowsheet.
    Report(report::ReportArgs),
}

/// Output formats of `calx run`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Human-readable tables in the flowsheet's display units.
    Table,
    /// The converged flowsheet and its analyses as JSON (flowsheet in SI units).
    Json,
    /// Stream and unit tables as CSV in SI units, and one CSV per analysis.
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
    let options = LoadOptions::from_env();
    let result = match cli.command {
        Command::Run { file, format, output, report } => run(&options, &file, format, output, report),
        Command::Check { file } => check(&options, &file),
        Command::Schema => {
            print(&serde_json::to_string_pretty(&calx_flowsheet::json_schema(&options.registry)).unwrap_or_default())
        }
        Command::Snapshot { files, check, update, rel, abs, tolerances } => {
            let mode = if check {
                snapshot::Mode::Check
            } else if update {
                snapshot::Mode::Update
            } else {
                snapshot::Mode::Write
            };
            let tol = calx_snapshot::Tolerances {
                relative: rel,
                absolute: abs,
                by_quantity: tolerances.into_iter().collect(),
            };
            snapshot::run(&options, &files, mode, &tol)
                .and_then(|(text, passed)| if passed { print(&text) } else { Err(Failure { message: text, code: 1 }) })
        }
        Command::UnitsOfMeasure => print(&units::units_of_measure()),
        Command::Units { name } => units::list(&options.registry, name.as_deref()).and_then(|s| print(&s)),
        Command::Lca { command: LcaCommand::List { file } } => {
            calx::lca_database(file.as_deref()).map_err(Failure::from).and_then(|db| print(&calx::lca_listing(&db)))
        }
        Command::Lca { command: LcaCommand::Export { file, out, format, analysis } } => {
            lca_export(&options, &file, &out, format, analysis.as_deref())
        }
        Command::Study(args) => study::command(&options, args),
        Command::Fit { file, output } => fit::command(&file, output.as_deref()),
        Command::Report(args) => report::command(&options, args),
        Command::Plugins { file: None } => print(&plugins::list(&options.registry, &[])),
        Command::Plugins { file: Some(f) } => {
            load(&options, &f).and_then(|p| print(&plugins::list(&options.registry, p.plugins())))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { message, code }) => {
            eprintln!("{message}");
            ExitCode::from(code)
        }
    }
}

/// An error to print and the exit status that goes with it.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn invalid(message: impl ToString) -> Failure {
        Failure { message: message.to_string(), code: 2 }
    }
    fn solve(message: impl ToString) -> Failure {
        Failure { message: format!("error: {}", message.to_string()), code: 1 }
    }
    fn output(message: impl ToString) -> Failure {
        Failure { message: format!("error: {}", message.to_string()), code: 3 }
    }
}

/// `calx lca ...`.
#[derive(Subcommand)]
enum LcaCommand {
    /// List the background processes, flows and categories with their sources.
    List {
        /// A flowsheet whose `lca` block's user data (`background:`, `records:`) to list too.
        file: Option<PathBuf>,
    },
    /// Solve a flowsheet and export its LCA's system for openLCA or Brightway: a unit process
    /// per flowsheet unit (inputs and direct emissions per functional unit), the background
    /// processes they reach, linked to their providers, the elementary flows and the impact
    /// categories with the factors Calx used; with the flowsheet's name, Calx's version and
    /// the LCA's parameters. Written all at once (a temporary file renamed). See docs/lca.md.
    Export {
        /// The flowsheet file (YAML).
        file: PathBuf,
        /// The file to write (`plant.zip` for olca, `plant.bw2package` for brightway).
        out: PathBuf,
        /// `olca`: an olca-schema (v2) JSON-LD zip that openLCA 2 imports (File > Import >
        /// JSON-LD); `brightway`: a bw2io BW2Package (bzip2-compressed JSON) that
        /// `bw2io.BW2Package.import_file` reads.
        #[arg(long, value_enum)]
        format: LcaExportFormat,
        /// The `lca` analysis to export, by name (default: the flowsheet's first).
        #[arg(long)]
        analysis: Option<String>,
    },
}

/// The formats of `calx lca export`.
#[derive(Clone, Copy, ValueEnum)]
enum LcaExportFormat {
    /// olca-schema (v2) JSON-LD zip package (openLCA 2).
    Olca,
    /// bw2io BW2Package, bzip2-compressed JSON (Brightway 2.5).
    Brightway,
}

/// `calx lca export`: solve, export, write the file atomically.
fn lca_export(
    options: &LoadOptions,
    file: &Path,
    out: &Path,
    format: LcaExportFormat,
    analysis: Option<&str>,
) -> Result<(), Failure> {
    use std::io::Write;
    files::guard(out, &[file.to_path_buf()], |_| true).map_err(Failure::output)?;
    let format = match format {
        LcaExportFormat::Olca => calx::LcaExportFormat::Olca,
        LcaExportFormat::Brightway => calx::LcaExportFormat::Brightway,
    };
    let bytes = calx::lca_export(file, options, analysis, format).map_err(|e| match e {
        calx::LcaExportError::Project(e) => Failure::from(e),
        e @ calx::LcaExportError::NoAnalysis { .. } => Failure::invalid(format!("error: {e}")),
        e @ calx::LcaExportError::Lca { .. } => Failure::solve(e),
    })?;
    let mut target = files::AtomicFile::create(out).map_err(Failure::output)?;
    target.write_all(&bytes).map_err(Failure::output)?;
    target.commit().map_err(Failure::output)?;
    print(&format!("wrote {}", out.display()))
}

impl From<calx::LoadError> for Failure {
    fn from(e: calx::LoadError) -> Failure {
        match e {
            calx::LoadError::Invalid(d) => Failure::invalid(d),
            io => Failure::invalid(format!("error: {io}")),
        }
    }
}

impl From<calx::Error> for Failure {
    fn from(e: calx::Error) -> Failure {
        match e {
            calx::Error::Load(e) => e.into(),
            calx::Error::Build(d) | calx::Error::AnalysisSetting(d) => Failure::invalid(d),
            calx::Error::Design(d) => Failure { message: d.to_string(), code: 1 },
            other => Failure::solve(other),
        }
    }
}

fn print(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`calx run ... | head`) is not an error worth a message.
    match writeln!(out, "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::output(e)),
        _ => Ok(()),
    }
}

/// Load a flowsheet and the plugin libraries its `plugins:` lists (CALX_PLUGIN_PATH adds
/// search directories for bare library names).
fn load(options: &LoadOptions, file: &Path) -> Result<Project, Failure> {
    Ok(Project::load(file, options)?)
}

fn check(options: &LoadOptions, file: &Path) -> Result<(), Failure> {
    let project = load(options, file)?;
    project.check()?;
    let model = project.model();
    print(&format!(
        "{}: ok ({} units, {} components)",
        file.display(),
        model.def.units.len(),
        model.def.components.len()
    ))
}

fn run(
    options: &LoadOptions,
    file: &Path,
    format: Format,
    output: Option<PathBuf>,
    report: Option<PathBuf>,
) -> Result<(), Failure> {
    let project = load(options, file)?;
    let started = std::time::Instant::now();
    let solved = project.solve()?;
    tracing::info!(elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "solved");
    let wrote_report = report.map(|path| report::for_run(&project, &solved, &path)).transpose()?;
    let files = run_files(&project, &solved, format)?;
    match output {
        None => {
            files.iter().try_for_each(|(_, text)| print(text.trim_end()))?;
            // Standard output carries the results; the note about the report goes aside.
            if let Some(note) = wrote_report {
                eprintln!("wrote {note}");
            }
            Ok(())
        }
        Some(dir) => {
            let mut set = files::OutputSet::new(&dir, vec![file.to_path_buf()]).map_err(Failure::output)?;
            for (name, text) in &files {
                set.text(name, text).map_err(Failure::output)?;
            }
            let mut wrote = set.commit().map_err(Failure::output)?;
            wrote.extend(wrote_report);
            print(&format!("wrote {}", wrote.join(", ")))
        }
    }
}

/// What `calx run` writes, as (file name, text).
fn run_files(project: &Project, solved: &Solved, format: Format) -> Result<Vec<(String, String)>, Failure> {
    let (result, analyses) = (&solved.result, &solved.analyses);
    Ok(match format {
        Format::Table => {
            let mut text = calx_document::text_table(project.model(), result);
            for a in analyses {
                text.push_str(&format!("\nAnalysis `{}` ({})\n{}", a.name, a.type_name, a.text));
            }
            vec![("results.txt".into(), text)]
        }
        Format::Json => vec![("results.json".into(), output::json(result, analyses).map_err(Failure::output)?)],
        Format::Csv => {
            let mut files: Vec<(String, String)> =
                output::csv(result).into_iter().map(|(n, t)| (n.to_string(), t)).collect();
            files.extend(analyses.iter().flat_map(|a| a.csv.iter().map(|t| (t.file_name(&a.name), t.text.clone()))));
            files
        }
    })
}
