//! `calx study`: run a parameter study (all samples, or one shard with `--shard i/N`) and
//! `calx study merge`: combine shard outputs into what a single run writes. Every file is
//! written atomically.

use std::path::{Path, PathBuf};

use calx_study::{Study, StudyDef};

use crate::{Failure, output::write_atomic};

/// `i/N`, 0-based shard index.
pub(crate) fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("write the shard as I/N, for example 0/8 (I counts from 0)")?;
    let (i, n) = (i.trim().parse::<usize>().map_err(|e| e.to_string())?, n.trim().parse::<usize>().map_err(|e| e.to_string())?);
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: need 0 <= I < N"));
    }
    Ok((i, n))
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::invalid(format!("error: cannot read {}: {e}", path.display())))
}

/// The study file's definition and its flowsheet's text and path.
fn definition(file: &Path, samples: Option<usize>) -> Result<(StudyDef, String, PathBuf), Failure> {
    let mut def = calx_study::parse_study(&read(file)?).map_err(|e| Failure::invalid(format!("error: {}: {e}", file.display())))?;
    if let Some(n) = samples {
        def.samples = n;
    }
    let flowsheet = file.parent().unwrap_or(Path::new("")).join(&def.flowsheet);
    let text = read(&flowsheet)?;
    Ok((def, text, flowsheet))
}

/// Run `f` with the flowsheet's registry (built-in types plus its plugins) and a study.
fn with_study<T>(
    builtin: &calx_core::Registry,
    file: &Path,
    samples: Option<usize>,
    f: impl FnOnce(&Study<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let (def, text, flowsheet) = definition(file, samples)?;
    let shown = flowsheet.display().to_string();
    let entries = calx_flowsheet::plugins(&text, &shown).map_err(Failure::invalid)?;
    let base = flowsheet.parent().map(Path::to_path_buf).unwrap_or_default();
    let (registry, _loaded) = calx_cli::loading::load_plugins(&entries, &base, &calx_cli::loading::search_path_from_env(), builtin)
        .map_err(|p| Failure::invalid(calx_flowsheet::plugin_diagnostics(&text, &shown, p)))?;
    let study = Study::prepare(def, &text, &shown, &registry).map_err(|e| Failure::invalid(format!("error: {}: {e}", file.display())))?;
    f(&study)
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    b.build().map_err(|e| Failure::solve(format!("cannot start worker threads: {e}")))
}

fn write_all(dir: &Path, files: &[(&str, String)]) -> Result<String, Failure> {
    for (name, text) in files {
        write_atomic(&dir.join(name), text).map_err(Failure::output)?;
    }
    Ok(files.iter().map(|(n, _)| dir.join(n).display().to_string()).collect::<Vec<_>>().join(", "))
}

/// Summary, Spearman, tornado and sweep files from the full set of samples.
fn reports(study: &Study<'_>, samples: &[calx_study::Sample]) -> Result<Vec<(&'static str, String)>, Failure> {
    let def = &study.def;
    let tornado = study.tornado().map_err(|e| Failure::solve(e.to_string()))?;
    let mut files = vec![
        ("samples.csv", calx_study::samples_header(def) + &calx_study::samples_csv(samples, def.metrics.len())),
        ("summary.csv", calx_study::summary_csv(def, samples)),
        ("spearman.csv", calx_study::spearman_csv(def, samples)),
        ("tornado.csv", calx_study::tornado_csv(def, &tornado)),
    ];
    if def.sweep.is_some() {
        files.push(("sweep.csv", calx_study::sweep_csv(def, &study.sweep())));
    }
    Ok(files)
}

/// `calx study FILE`.
pub(crate) fn run(
    registry: &calx_core::Registry,
    file: &Path,
    output: &Path,
    samples: Option<usize>,
    threads: Option<usize>,
    shard: Option<(usize, usize)>,
) -> Result<String, Failure> {
    let pool = pool(threads)?;
    pool.install(|| {
        with_study(registry, file, samples, |study| {
            let range = shard.map_or(0..study.def.samples, |(i, n)| study.shard_range(i, n));
            let started = std::time::Instant::now();
            let done = study.run(range.clone());
            let rate = done.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
            let failed = done.iter().filter(|s| s.outcome.is_err()).count();
            tracing::info!(samples = done.len(), failed, samples_per_second = rate, "study samples done");
            let files = match shard {
                Some(_) => vec![("samples.csv", calx_study::samples_header(&study.def) + &calx_study::samples_csv(&done, study.def.metrics.len()))],
                None => reports(study, &done)?,
            };
            let wrote = write_all(output, &files)?;
            Ok(format!("samples {}..{} ({} failed, {rate:.0} samples/s); wrote {wrote}", range.start, range.end, failed))
        })
    })
}

/// `calx study merge FILE SHARD_DIR...`.
pub(crate) fn merge(registry: &calx_core::Registry, file: &Path, output: &Path, shards: &[PathBuf], samples: Option<usize>) -> Result<String, Failure> {
    with_study(registry, file, samples, |study| {
        let mut parts = Vec::new();
        for dir in shards {
            let text = read(&dir.join("samples.csv"))?;
            parts.push(calx_study::parse_samples(&study.def, &text).map_err(|e| Failure::invalid(format!("error: {}: {e}", dir.display())))?);
        }
        let all = calx_study::merge(&study.def, parts).map_err(|e| Failure::invalid(format!("error: {e}")))?;
        let files = reports(study, &all)?;
        let wrote = write_all(output, &files)?;
        Ok(format!("merged {} shards ({} samples); wrote {wrote}", shards.len(), all.len()))
    })
}

/// Arguments of `calx study`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct StudyArgs {
    #[command(subcommand)]
    command: Option<StudyCommand>,
    /// The study file (YAML): its flowsheet, parameters with distributions, metrics, sweep.
    file: Option<PathBuf>,
    /// Directory to write samples.csv, summary.csv, spearman.csv, tornado.csv (and sweep.csv).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Number of samples (overrides the study file's `samples:`).
    #[arg(long)]
    samples: Option<usize>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Run only shard I of N (0-based) and write its samples.csv; combine with `calx study merge`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
}

#[derive(clap::Subcommand)]
enum StudyCommand {
    /// Combine the samples.csv of shard directories into what a single run writes.
    Merge {
        /// The study file the shards ran.
        file: PathBuf,
        /// Shard output directories.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Directory to write the combined outputs.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Number of samples, if the shards ran with `--samples`.
        #[arg(long)]
        samples: Option<usize>,
    },
}

/// Dispatch `calx study ...`.
pub(crate) fn command(registry: &calx_core::Registry, args: StudyArgs) -> Result<(), Failure> {
    let text = match args.command {
        Some(StudyCommand::Merge { file, shards, output, samples }) => merge(registry, &file, &output, &shards, samples)?,
        None => {
            let file = args.file.ok_or_else(|| Failure::invalid("error: give a study file: calx study FILE -o DIR"))?;
            let output = args.output.ok_or_else(|| Failure::invalid("error: give an output directory: calx study FILE -o DIR"))?;
            run(registry, &file, &output, args.samples, args.threads, args.shard)?
        }
    };
    crate::print(&text)
}
