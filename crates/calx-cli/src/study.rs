//! `calx study`: run a parameter study (all samples, or one shard with `--shard i/N`) and
//! `calx study merge`: combine shard outputs into what a single run writes. Every file is
//! written atomically.

use std::path::{Path, PathBuf};

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use calx::LoadOptions;
use calx_study::{Columns, SampleBlock, SampleRow, Study, StudyDef};

use crate::Failure;
use crate::files::{AtomicFile, OutputSet};
use crate::study_manifest::{self, FileRecord, Identity, Inputs, Recorded, ShardManifest};
use crate::study_parquet::ParquetSamples;
use crate::study_shard::ShardArg;
use crate::study_status::{self, Reference};

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::invalid(format!("error: cannot read {}: {e}", path.display())))
}

/// A study file read with its flowsheet: the definition, both texts and the flowsheet's path.
struct StudyFiles {
    def: StudyDef,
    study: PathBuf,
    study_text: String,
    flowsheet_text: String,
    flowsheet: PathBuf,
}

impl StudyFiles {
    fn read(file: &Path, samples: Option<usize>) -> Result<StudyFiles, Failure> {
        let study_text = read(file)?;
        let mut def = calx_study::parse_study(&study_text)
            .map_err(|e| Failure::invalid(format!("error: {}: {e}", file.display())))?;
        if let Some(n) = samples {
            def.samples = n;
        }
        let flowsheet = file.parent().unwrap_or(Path::new("")).join(&def.flowsheet);
        let flowsheet_text = read(&flowsheet)?;
        Ok(StudyFiles { def, study: file.to_path_buf(), study_text, flowsheet_text, flowsheet })
    }

    fn inputs(&self) -> Inputs<'_> {
        Inputs {
            study: &self.study,
            flowsheet: &self.flowsheet,
            study_text: &self.study_text,
            flowsheet_text: &self.flowsheet_text,
        }
    }
}

/// Run `f` with the study prepared against its flowsheet (loaded with its plugins) and the
/// texts it was read from.
pub(crate) fn with_study<T>(
    options: &LoadOptions,
    file: &Path,
    samples: Option<usize>,
    f: impl FnOnce(&Study, &Inputs<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let files = StudyFiles::read(file, samples)?;
    let study =
        Study::prepare(files.def.clone(), &files.flowsheet_text, &files.flowsheet.display().to_string(), options)
            .map_err(|e| Failure::invalid(format!("error: {}: {e}", file.display())))?;
    f(&study, &files.inputs())
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    b.build().map_err(|e| Failure::solve(format!("cannot start worker threads: {e}")))
}

/// Summary, Spearman, tornado and sweep files from the statistics columns of all samples,
/// and `NAME.txt` and `NAME.json` for each analysis the study's samples change (the carbon ledger with its
/// uncertainty deduction).
fn reports(study: &Study, columns: &Columns) -> Result<Vec<(String, String)>, Failure> {
    let def = &study.def;
    let tornado = study.tornado().map_err(|e| Failure::solve(e.to_string()))?;
    let mut files = vec![
        ("summary.csv".to_string(), calx_study::summary_csv(def, columns)),
        ("spearman.csv".to_string(), calx_study::spearman_csv(def, columns)),
        ("tornado.csv".to_string(), calx_study::tornado_csv(def, &tornado)),
    ];
    if def.sweep.is_some() {
        files.push(("sweep.csv".to_string(), calx_study::sweep_csv(def, &study.sweep())));
    }
    files.extend(analyses_with_study(study, columns));
    Ok(files)
}

/// The text and JSON of each analysis that makes something of the study's samples of its
/// metrics. Best effort: the samples are the study's result and are written whatever happens
/// here; a failure is said on stderr (and the analysis's files are not written).
fn analyses_with_study(study: &Study, columns: &Columns) -> Vec<(String, String)> {
    let samples = calx::StudySamples {
        metrics: study.def.metrics.iter().cloned().zip(columns.metrics.iter().cloned()).collect(),
        failed: columns.failed,
    };
    match study.project().solve_with_study(&samples) {
        Ok((solved, changed)) => solved
            .analyses
            .into_iter()
            .filter(|a| changed.contains(&a.name))
            .flat_map(|a| [(format!("{}.txt", a.name), a.text), (format!("{}.json", a.name), a.json + "\n")])
            .collect(),
        Err(e) => {
            tracing::warn!(
                "the analyses could not take the study's samples into account (the samples are written): {e}"
            );
            Vec::new()
        }
    }
}

/// Samples evaluated per batch: each batch is written (CSV and Parquet) as soon as it is
/// done, so memory does not grow with the number of samples (only the statistics columns,
/// 8 bytes per number, do).
const BATCH: usize = 4096;

/// `samples.csv` and `samples.parquet`, written batch by batch into the output set (put in
/// place with the rest of the set); each file's size and SHA-256 are kept as it is written,
/// for a shard's manifest.
struct SampleFiles {
    csv: Recorded<AtomicFile>,
    parquet: ParquetSamples,
    /// A batch's CSV text, written over batch after batch.
    text: String,
}

impl SampleFiles {
    fn create(set: &OutputSet, def: &StudyDef) -> Result<SampleFiles, Failure> {
        let mut files = SampleFiles {
            csv: Recorded::new(set.file("samples.csv").map_err(Failure::output)?),
            parquet: ParquetSamples::create(set.file("samples.parquet").map_err(Failure::output)?, def)
                .map_err(|e| Failure::output(format!("{}: {e}", set.path("samples.parquet").display())))?,
            text: String::new(),
        };
        files.csv.write_all(calx_study::samples_header(def).as_bytes()).map_err(Failure::output)?;
        Ok(files)
    }

    fn write(&mut self, def: &StudyDef, samples: &[calx_study::Sample]) -> Result<(), Failure> {
        self.write_rows(def, || samples.iter().map(SampleRow::from))
    }

    /// Append a block's samples.
    fn write_block(&mut self, def: &StudyDef, block: &SampleBlock) -> Result<(), Failure> {
        self.write_rows(def, || block.rows())
    }

    /// Append the samples `rows` gives (called once per file).
    fn write_rows<'a, I: Iterator<Item = SampleRow<'a>>>(
        &mut self,
        def: &StudyDef,
        rows: impl Fn() -> I,
    ) -> Result<(), Failure> {
        self.text.clear();
        calx_study::write_samples_csv(&mut self.text, rows(), def.metrics.len());
        self.csv.write_all(self.text.as_bytes()).map_err(Failure::output)?;
        self.parquet.write(rows()).map_err(Failure::output)
    }

    /// Add both files to the set; returns their records (size and SHA-256) by name.
    fn stage(self, set: &mut OutputSet) -> Result<std::collections::BTreeMap<String, FileRecord>, Failure> {
        let (csv, csv_record) = self.csv.finish();
        let (parquet, parquet_record) = self.parquet.finish().map_err(Failure::output)?;
        set.add("samples.csv", csv).map_err(Failure::output)?;
        set.add("samples.parquet", parquet).map_err(Failure::output)?;
        Ok([("samples.csv".to_string(), csv_record), ("samples.parquet".to_string(), parquet_record)].into())
    }
}

/// Ctrl-C during a study: the first stops it after the batch in hand (nothing is replaced,
/// temporary files are removed); a second ends the process at once.
fn interruption() -> Result<Arc<AtomicBool>, Failure> {
    let flag = Arc::new(AtomicBool::new(false));
    let sigint = signal_hook::consts::SIGINT;
    signal_hook::flag::register_conditional_shutdown(sigint, 130, Arc::clone(&flag))
        .and_then(|_| signal_hook::flag::register(sigint, Arc::clone(&flag)))
        .map_err(|e| Failure::solve(format!("cannot watch for Ctrl-C: {e}")))?;
    Ok(flag)
}

/// A progress bar with rate and time left on a terminal; nothing when stderr is not one.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(Some(len as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} samples  {per_sec:0}  {elapsed} elapsed, {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}

/// `calx study FILE`.
pub(crate) fn run(
    options: &LoadOptions,
    file: &Path,
    output: &Path,
    samples: Option<usize>,
    threads: Option<usize>,
    shard: Option<(usize, usize)>,
) -> Result<String, Failure> {
    let pool = pool(threads)?;
    pool.install(|| {
        with_study(options, file, samples, |study, inputs| {
            let def = &study.def;
            def.check_size(shard.is_none()).map_err(|e| Failure::invalid(format!("error: {}: {e}", file.display())))?;
            let range = shard.map_or(0..def.samples, |(i, n)| study.shard_range(i, n));
            let stop = interruption()?;
            let mut set = OutputSet::new(output, inputs.paths()).map_err(Failure::output)?;
            let started = std::time::Instant::now();
            let files = SampleFiles::create(&set, def)?;
            // Statistics need every value; a shard only writes its samples.
            let mut columns = Columns::with_capacity(def, if shard.is_none() { range.len() } else { 0 });
            let bar = progress_bar(range.len());
            let batches =
                Batches { study, range: range.clone(), stop: &stop, bar: &bar, keep_columns: shard.is_none() };
            let outcome = batches.run(files, &mut columns);
            bar.finish_and_clear();
            let files = outcome.map_err(|e| match e {
                BatchError::Interrupted(done) => interrupted(done, range.len(), output),
                BatchError::Failed(f) => f,
            })?;
            let rate = range.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
            tracing::info!(
                samples = range.len(),
                failed = columns.failed,
                samples_per_second = rate,
                "study samples done"
            );
            let records = files.stage(&mut set)?;
            match shard {
                None => stage_reports(&mut set, study, &columns)?,
                Some(shard) => {
                    let manifest = ShardManifest::new(def, inputs, shard, range.clone(), columns.failed, records);
                    let text = serde_json::to_string_pretty(&manifest).map_err(Failure::output)? + "\n";
                    set.text(study_manifest::FILE, &text).map_err(Failure::output)?;
                }
            }
            if stop.load(Ordering::Relaxed) {
                return Err(interrupted(range.len(), range.len(), output));
            }
            let wrote = set.commit().map_err(Failure::output)?;
            Ok(format!(
                "samples {}..{} ({} failed, {rate:.0} samples/s); wrote {}",
                range.start,
                range.end,
                columns.failed,
                wrote.join(", ")
            ))
        })
    })
}

/// The samples of a run, batch by batch: computed on the worker threads into a block while a
/// writer thread appends the block before to `samples.csv` and `samples.parquet`, so that
/// writing does not hold up the workers. Blocks go round (filled here, written, sent back to
/// be filled again), so that a batch after the first allocates nothing per sample.
struct Batches<'a> {
    study: &'a Study,
    range: std::ops::Range<usize>,
    stop: &'a AtomicBool,
    bar: &'a indicatif::ProgressBar,
    /// Whether the statistics columns keep every value (a shard only counts failures).
    keep_columns: bool,
}

/// Why the batches stopped.
enum BatchError {
    /// Ctrl-C, after this many samples.
    Interrupted(usize),
    /// Writing failed.
    Failed(Failure),
}

impl Batches<'_> {
    /// Run every batch; the files come back with everything written.
    fn run(&self, mut files: SampleFiles, columns: &mut Columns) -> Result<SampleFiles, BatchError> {
        let def = &self.study.def;
        std::thread::scope(|scope| {
            // Three blocks: one being filled, one in the channel, one being written (memory
            // stays bounded).
            let (tx, rx) = std::sync::mpsc::sync_channel::<SampleBlock>(1);
            let (back_tx, back_rx) = std::sync::mpsc::channel::<SampleBlock>();
            for _ in 0..3 {
                // The receiver is alive here: sending cannot fail.
                let _ = back_tx.send(SampleBlock::new());
            }
            let writer = scope.spawn(move || -> Result<SampleFiles, Failure> {
                for block in rx {
                    files.write_block(def, &block)?;
                    // After the last batch nobody takes the block back: no matter.
                    let _ = back_tx.send(block);
                }
                Ok(files)
            });
            let mut stopped = None;
            for from in self.range.clone().step_by(BATCH) {
                if self.stop.load(Ordering::Relaxed) {
                    stopped = Some(from - self.range.start);
                    break;
                }
                // A writer that stopped has dropped its end, and its error is waiting at the join.
                let Ok(mut block) = back_rx.recv() else { break };
                let batch = from..(from + BATCH).min(self.range.end);
                self.study.run_into(batch, &mut block, &|n| self.bar.inc(n as u64));
                if self.keep_columns {
                    columns.extend_block(&block);
                } else {
                    columns.failed += block.failed();
                }
                if tx.send(block).is_err() {
                    break;
                }
            }
            drop(tx);
            let written = match writer.join() {
                Ok(result) => result.map_err(BatchError::Failed),
                Err(_) => Err(BatchError::Failed(Failure::output("the thread writing the samples failed"))),
            };
            match stopped {
                Some(done) => Err(BatchError::Interrupted(done)),
                None => written,
            }
        })
    }
}

/// What an interrupted study says (exit 130, as a shell reports Ctrl-C).
fn interrupted(done: usize, of: usize, output: &Path) -> Failure {
    Failure {
        message: format!(
            "interrupted after {done} of {of} samples: nothing was written, and {} keeps its previous results",
            output.display()
        ),
        code: 130,
    }
}

/// Stage the summary, Spearman, tornado and sweep files.
fn stage_reports(set: &mut OutputSet, study: &Study, columns: &Columns) -> Result<(), Failure> {
    for (name, text) in reports(study, columns)? {
        set.text(&name, &text).map_err(Failure::output)?;
    }
    Ok(())
}

/// A shard directory's samples (the set was checked complete and consistent first), and
/// that they are the samples of the range its manifest says.
fn shard_samples(study: &Study, dir: &Path) -> Result<Vec<calx_study::Sample>, Failure> {
    let invalid = |m: String| Failure::invalid(format!("error: {}: {m}", dir.display()));
    let manifest = study_manifest::read(dir).map_err(|e| invalid(e.to_string()))?;
    let csv = dir.join("samples.csv");
    let samples = calx_study::parse_samples(&study.def, &read(&csv)?).map_err(|e| invalid(e.to_string()))?;
    let in_range = samples.iter().all(|s| (manifest.start..manifest.end).contains(&s.index));
    if !in_range || manifest.end.checked_sub(manifest.start) != Some(samples.len()) {
        return Err(invalid(format!(
            "samples.csv does not hold samples {}..{} as the manifest says",
            manifest.start, manifest.end
        )));
    }
    Ok(samples)
}

/// `calx study merge FILE SHARD_DIR...`: refuses a set that `calx study status` would not
/// call complete against this study, with the same report.
pub(crate) fn merge(
    options: &LoadOptions,
    file: &Path,
    output: &Path,
    shards: &[PathBuf],
    samples: Option<usize>,
) -> Result<String, Failure> {
    with_study(options, file, samples, |study, inputs| {
        let found = study_status::survey(shards);
        // The number of shards is the set's own; everything else must be this study's.
        // Without any manifest there is no count to check against: the report says so.
        let expected = study_status::majority(&found)
            .map(|set| Reference::Study(Identity::of_study(&study.def, inputs, set.shards)));
        let assessment = study_status::assess(&found, expected);
        if !assessment.is_complete() {
            return Err(Failure::invalid(format!(
                "error: cannot merge: these directories are not one complete set of shards of {}:\n{}",
                file.display(),
                assessment.report().trim_end()
            )));
        }
        let mut parts = Vec::new();
        for dir in assessment.directories() {
            parts.push(shard_samples(study, &dir)?);
        }
        let all = calx_study::merge(&study.def, parts).map_err(|e| Failure::invalid(format!("error: {e}")))?;
        study.verify_values(&all).map_err(|e| Failure::invalid(format!("error: {e}")))?;
        let mut set = OutputSet::new(output, inputs.paths()).map_err(Failure::output)?;
        let mut files = SampleFiles::create(&set, &study.def)?;
        files.write(&study.def, &all)?;
        files.stage(&mut set)?;
        stage_reports(&mut set, study, &Columns::of(&study.def, &all))?;
        let wrote = set.commit().map_err(Failure::output)?;
        Ok(format!("merged {} shards ({} samples); wrote {}", shards.len(), all.len(), wrote.join(", ")))
    })
}

/// Arguments of `calx study`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct StudyArgs {
    #[command(subcommand)]
    command: Option<StudyCommand>,
    /// The study file (YAML): its flowsheet, parameters with distributions, metrics, sweep
    /// (format: docs/studies.md).
    file: Option<PathBuf>,
    /// Directory to write samples.csv, samples.parquet, summary.csv, spearman.csv, tornado.csv
    /// (and sweep.csv); a shard writes its samples only.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Number of samples (overrides the study file's `samples:`).
    #[arg(long)]
    samples: Option<usize>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Run only shard I of N (0-based) and write its samples (CSV, Parquet) and its manifest
    /// (shard.json); combine with `calx study merge`. `auto` reads I and N from a Slurm job
    /// array (SLURM_ARRAY_TASK_ID, and the count from SLURM_ARRAY_TASK_MIN/MAX/COUNT when
    /// the array is 0 to N-1); `auto/N` takes I from SLURM_ARRAY_TASK_ID or a Kubernetes
    /// Indexed Job's JOB_COMPLETION_INDEX and N as given. Without either, `auto` refuses.
    #[arg(long, value_name = "I/N|auto|auto/N", value_parser = crate::study_shard::parse)]
    shard: Option<ShardArg>,
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
    /// Check a set of shard directories: which shards are complete or missing, and what to rerun.
    ///
    /// Says which shards of a set are complete, missing, inconsistent (another study,
    /// flowsheet, seed, size, shard count or calx version), damaged (a file truncated or
    /// changed since written), unfinished or duplicated, and print the commands (`calx study
    /// --shard`, `sbatch --array=...`) that rerun only what is missing. Exit 0 when the set
    /// is complete, 1 when not.
    Status {
        /// Shard output directories (for example `out/shard-*`).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Write a study's Slurm scripts (a job array of shards, and a merge) and submit them.
    ///
    /// `DIR/study.sbatch` runs shard `--shard auto/N` per array task into `DIR/shard-<i>`;
    /// `DIR/merge.sbatch` merges them into `DIR/merged` (submitted with `--merge`, after
    /// every task has succeeded). `--dry-run` prints both and does nothing else.
    Submit(crate::study_submit::SubmitArgs),
}

/// Dispatch `calx study ...`.
pub(crate) fn command(options: &LoadOptions, args: StudyArgs) -> Result<(), Failure> {
    let text = match args.command {
        Some(StudyCommand::Merge { file, shards, output, samples }) => {
            merge(options, &file, &output, &shards, samples)?
        }
        Some(StudyCommand::Status { dirs }) => return study_status::command(&dirs),
        Some(StudyCommand::Submit(submit)) => crate::study_submit::command(options, &submit)?,
        None => {
            let file = args.file.ok_or_else(|| Failure::invalid("error: give a study file: calx study FILE -o DIR"))?;
            let output = args
                .output
                .ok_or_else(|| Failure::invalid("error: give an output directory: calx study FILE -o DIR"))?;
            let shard = args
                .shard
                .map(|arg| crate::study_shard::resolve(arg, &crate::study_shard::process_env()))
                .transpose()
                .map_err(|e| Failure::invalid(format!("error: {e}")))?;
            run(options, &file, &output, args.samples, args.threads, shard)?
        }
    };
    crate::print(&text)
}
