//! `calx study submit --slurm`: write the batch scripts of a study for Slurm, a job array
//! of shards (`DIR/study.sbatch`, each task `--shard auto/N` into `DIR/shard-<task>`) and a
//! merge (`DIR/merge.sbatch`, into `DIR/merged`), then submit the array with `sbatch`, and
//! the merge after it with `--dependency=afterok` when asked. `--dry-run` prints the scripts
//! and writes and submits nothing.
//!
//! The tasks say `auto/N` rather than `auto` so that a resubmission of some of them
//! (`sbatch --array=7,12 DIR/study.sbatch`, as `calx study status` prints it) still knows N.
//! Unless `--tasks` is given, the array's size comes from timing a few samples here: as many
//! tasks as keep at least about a minute of work in each (shorter tasks spend more of their
//! time being scheduled and loading the flowsheet than sampling).

use std::path::{Path, PathBuf};
use std::process::Command;

use calx::LoadOptions;

use crate::Failure;
use crate::files::OutputSet;
use crate::study_status::{SLURM_MERGE_SCRIPT, SLURM_SCRIPT, shell_word};

/// Seconds of work (on the task's cores) each array task should have at least.
const TARGET_TASK_SECONDS: f64 = 60.0;

/// Memory of the merge job beyond its samples, in MiB (the flowsheet, the reports).
const MERGE_BASE_MIB: u64 = 512;

/// Memory the merge holds per sample of the whole study, in bytes: the reference study's
/// merge of 1,000,000 samples peaked at 843 MB, about 800 bytes per sample (docs/scale-out.md
/// §Sizing); rounded up for studies with more parameters or metrics.
const MERGE_BYTES_PER_SAMPLE: u64 = 1024;

/// Arguments of `calx study submit`.
#[derive(clap::Args)]
pub(crate) struct SubmitArgs {
    /// Submit to Slurm (the scheduler `submit` writes for; for Kubernetes see docs/scale-out.md).
    #[arg(long, required = true)]
    slurm: bool,
    /// The study file.
    file: PathBuf,
    /// Directory for the scripts, the logs (`logs/`), the shards (`shard-<i>`) and the merged
    /// result (`merged`).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Number of samples (overrides the study file's `samples:`).
    #[arg(long)]
    samples: Option<usize>,
    /// Array tasks (shards). Default: from timing a few samples on this machine, as many as
    /// give each task at least about a minute of work, at most --max-tasks.
    #[arg(long)]
    tasks: Option<usize>,
    /// Most array tasks when their number is chosen (Slurm's default MaxArraySize, 1001,
    /// allows 0-1000).
    #[arg(long, default_value_t = 1000)]
    max_tasks: usize,
    /// Cores per task (the shard's worker threads).
    #[arg(long, default_value_t = 1)]
    cpus_per_task: usize,
    /// Memory per task (sbatch --mem). A shard's memory does not grow with its samples.
    #[arg(long, default_value = "1G")]
    mem: String,
    /// Time limit per task (sbatch --time). Default: three times the timed estimate, at least
    /// 15 minutes.
    #[arg(long)]
    time: Option<String>,
    /// Partition (sbatch --partition); default: the cluster's.
    #[arg(long)]
    partition: Option<String>,
    /// Also submit the merge, to run once every array task has succeeded (afterok).
    #[arg(long)]
    merge: bool,
    /// Print the scripts; write and submit nothing.
    #[arg(long)]
    dry_run: bool,
}

/// What the scripts are made of.
struct Plan {
    calx: PathBuf,
    study: PathBuf,
    out: PathBuf,
    name: String,
    samples: usize,
    tasks: usize,
    cpus: usize,
    mem: String,
    merge_mem: String,
    time: String,
    partition: Option<String>,
    /// Where the array's size and time limit come from, for the script's header.
    sizing: String,
}

/// Array tasks for `samples` samples taking `seconds_per_sample` each on one core: as many as
/// keep at least [`TARGET_TASK_SECONDS`] of work per task on `cpus` cores, at least 1, at
/// most `max_tasks` and `samples`.
pub(crate) fn array_size(samples: usize, seconds_per_sample: f64, cpus: usize, max_tasks: usize) -> usize {
    let work = samples as f64 * seconds_per_sample / cpus.max(1) as f64;
    let tasks = (work / TARGET_TASK_SECONDS).floor();
    let most = max_tasks.min(samples).max(1);
    if tasks.is_finite() && tasks >= 1.0 { (tasks as usize).min(most) } else { 1 }
}

/// A Slurm time limit (`D-HH:MM:SS`) of at least `seconds`, rounded up to whole minutes.
fn time_limit(seconds: f64) -> String {
    let minutes = (seconds / 60.0).ceil().max(1.0) as u64;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 { format!("{days}-{hours:02}:{minutes:02}:00") } else { format!("{hours:02}:{minutes:02}:00") }
}

/// Seconds per sample on one core, from running samples of the study here for about half a
/// second (at most 2,000, and the study's own, at least one batch).
fn seconds_per_sample(study: &calx_study::Study) -> Result<f64, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Failure::solve(format!("cannot start a thread to time samples: {e}")))?;
    let limit = study.def.samples.min(2000);
    let mut block = calx_study::SampleBlock::new();
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < limit && (done == 0 || started.elapsed().as_secs_f64() < 0.5) {
        let to = (done + 50).min(limit);
        pool.install(|| study.run_into(done..to, &mut block, &|_| {}));
        done = to;
    }
    Ok(started.elapsed().as_secs_f64() / done.max(1) as f64)
}

/// A value that goes into an `#SBATCH` line or a command as it is: no spaces, quotes or
/// line breaks (which would end the line, or run as a command), and no `%` (which Slurm
/// replaces in a log file's name).
fn plain(option: &str, value: &str) -> Result<String, Failure> {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:,+=/@".contains(c)) {
        return Ok(value.to_string());
    }
    Err(Failure::invalid(format!(
        "error: {option} `{value}`: use letters, digits and - _ . : , + = / @ only (it goes into an #SBATCH line as \
         it is)"
    )))
}

/// An absolute path for a script (jobs may start elsewhere), checked [`plain`].
fn absolute(option: &str, path: &Path) -> Result<PathBuf, Failure> {
    let path =
        std::path::absolute(path).map_err(|e| Failure::invalid(format!("error: {option} {}: {e}", path.display())))?;
    plain(option, &path.display().to_string())?;
    Ok(path)
}

/// The plan for `args`: paths made absolute, the array sized (timing samples if needed).
fn plan(options: &LoadOptions, args: &SubmitArgs) -> Result<Plan, Failure> {
    if args.cpus_per_task == 0 || args.max_tasks == 0 || args.tasks == Some(0) {
        return Err(Failure::invalid("error: --tasks, --max-tasks and --cpus-per-task must be at least 1"));
    }
    let calx = std::env::current_exe().map_err(|e| Failure::invalid(format!("error: where is calx? {e}")))?;
    let (calx, study, out) =
        (absolute("calx", &calx)?, absolute("the study file", &args.file)?, absolute("--output", &args.output)?);
    let (mem, partition) =
        (plain("--mem", &args.mem)?, args.partition.as_deref().map(|p| plain("--partition", p)).transpose()?);
    crate::study::with_study(options, &args.file, args.samples, |s, _| {
        let samples = s.def.samples;
        let name = s.def.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let timed = if args.tasks.is_none() || args.time.is_none() { Some(seconds_per_sample(s)?) } else { None };
        let tasks = match (args.tasks, timed) {
            (Some(n), _) => n.min(samples.max(1)),
            (None, Some(t)) => array_size(samples, t, args.cpus_per_task, args.max_tasks),
            (None, None) => 1,
        };
        let per_task = samples.div_ceil(tasks);
        let estimate = timed.map(|t| per_task as f64 * t / args.cpus_per_task as f64);
        let time = match (&args.time, estimate) {
            (Some(t), _) => plain("--time", t)?,
            (None, Some(e)) => time_limit((3.0 * e).max(900.0)),
            (None, None) => time_limit(3600.0),
        };
        let sizing = match estimate {
            Some(e) => format!(
                "about {per_task} samples and {e:.0} s of work per task, timed on the submitting machine ({:.1} ms per sample on one core)",
                timed.unwrap_or(0.0) * 1e3
            ),
            None => format!("about {per_task} samples per task"),
        };
        let merge_mib = MERGE_BASE_MIB + (samples as u64 * MERGE_BYTES_PER_SAMPLE).div_ceil(1 << 20);
        Ok(Plan {
            calx: calx.clone(),
            study: study.clone(),
            out: out.clone(),
            name,
            samples,
            tasks,
            cpus: args.cpus_per_task,
            mem: mem.clone(),
            merge_mem: format!("{merge_mib}M"),
            time,
            partition: partition.clone(),
            sizing,
        })
    })
}

/// The array script and the merge script.
fn scripts(p: &Plan) -> (String, String) {
    let q = |path: &Path| shell_word(&path.display().to_string());
    let (out, n) = (&p.out, p.tasks);
    let partition = p.partition.as_ref().map(|x| format!("#SBATCH --partition={x}\n")).unwrap_or_default();
    let header = format!(
        "#!/bin/bash\n# Written by `calx study submit --slurm` (calx {}): study `{}`, {} samples in {n} array tasks,\n# {}.\n# Which shards are done, and the sbatch line that reruns only the missing ones:\n#   calx study status {}/shard-*\n",
        env!("CARGO_PKG_VERSION"),
        p.name,
        p.samples,
        p.sizing,
        q(out)
    );
    let study = format!(
        "{header}#SBATCH --job-name=calx-{name}\n#SBATCH --array=0-{last}\n#SBATCH --cpus-per-task={cpus}\n#SBATCH --mem={mem}\n#SBATCH --time={time}\n#SBATCH --output={out}/logs/study-%A_%a.out\n{partition}set -euo pipefail\n# auto/{n}: the task's index from SLURM_ARRAY_TASK_ID, and N as written here, so that a\n# resubmission of some tasks (sbatch --array=3,7 ...) runs the same shards.\nexec {calx} study {study} --samples {samples} --shard auto/{n} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" \\\n    -o {qout}/shard-\"$SLURM_ARRAY_TASK_ID\"\n",
        name = p.name,
        last = n - 1,
        cpus = p.cpus,
        mem = p.mem,
        time = p.time,
        out = out.display(),
        calx = q(&p.calx),
        study = q(&p.study),
        samples = p.samples,
        qout = q(out),
    );
    let merge = format!(
        "{header}#SBATCH --job-name=calx-{name}-merge\n#SBATCH --cpus-per-task=1\n#SBATCH --mem={mem}\n#SBATCH --time={time}\n#SBATCH --output={out}/logs/merge-%j.out\n{partition}set -euo pipefail\n# Refuses a set with a shard missing or inconsistent, with the report of `calx study status`.\nexec {calx} study merge {study} --samples {samples} {qout}/shard-* -o {qout}/merged\n",
        name = p.name,
        mem = p.merge_mem,
        time = p.time,
        out = out.display(),
        calx = q(&p.calx),
        study = q(&p.study),
        samples = p.samples,
        qout = q(out),
    );
    (study, merge)
}

/// Run `sbatch --parsable ARGS`; the job id it prints.
fn sbatch(args: &[&str]) -> Result<String, Failure> {
    let out = Command::new("sbatch").arg("--parsable").args(args).output().map_err(|e| Failure {
        message: format!(
            "error: cannot run sbatch ({e}): is this a Slurm login node? (`calx study submit --slurm --dry-run` prints \
             the scripts without submitting them)"
        ),
        code: 1,
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let id = stdout.trim().split(';').next().unwrap_or_default().to_string();
    if !out.status.success() || id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(Failure {
            message: format!(
                "error: sbatch {} failed ({}): {}{}",
                args.join(" "),
                out.status,
                stdout.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            code: 1,
        });
    }
    Ok(id)
}

/// `calx study submit --slurm`.
pub(crate) fn command(options: &LoadOptions, args: &SubmitArgs) -> Result<String, Failure> {
    let plan = plan(options, args)?;
    let (study, merge) = scripts(&plan);
    let (study_path, merge_path) = (plan.out.join(SLURM_SCRIPT), plan.out.join(SLURM_MERGE_SCRIPT));
    if args.dry_run {
        return Ok(format!(
            "# {}\n{study}\n# {}\n{merge}\n(--dry-run: nothing written or submitted)",
            study_path.display(),
            merge_path.display()
        ));
    }
    // Slurm does not create the directory of a job's log file; without it the job fails.
    let logs = plan.out.join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| Failure::output(format!("{}: {e}", logs.display())))?;
    let mut set = OutputSet::new(&plan.out, vec![args.file.clone()]).map_err(Failure::output)?;
    set.text(SLURM_SCRIPT, &study).map_err(Failure::output)?;
    set.text(SLURM_MERGE_SCRIPT, &merge).map_err(Failure::output)?;
    let wrote = set.commit().map_err(Failure::output)?;
    let array = sbatch(&[&study_path.display().to_string()])?;
    let mut said = format!(
        "wrote {}\nsubmitted array job {array}: {} tasks (shards 0-{} of {} samples)\n",
        wrote.join(", "),
        plan.tasks,
        plan.tasks - 1,
        plan.samples
    );
    if args.merge {
        let merge_job = sbatch(&[&format!("--dependency=afterok:{array}"), &merge_path.display().to_string()])?;
        said.push_str(&format!(
            "submitted merge job {merge_job}: runs once every array task has succeeded, into {}\n",
            plan.out.join("merged").display()
        ));
    }
    said.push_str(&format!(
        "follow it: squeue -j {array}; then: calx study status {}/shard-*",
        shell_word(&plan.out.display().to_string())
    ));
    Ok(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_array_gives_each_task_about_a_minute_of_work() {
        // 1e6 samples at 50 us on one core: 50 s of work in all, one task.
        assert_eq!(array_size(1_000_000, 50e-6, 1, 1000), 1);
        // 1e6 samples at 1 ms: 1000 s, 16 tasks of a minute or more; on 4 cores, 4.
        assert_eq!(array_size(1_000_000, 1e-3, 1, 1000), 16);
        assert_eq!(array_size(1_000_000, 1e-3, 4, 1000), 4);
        // Capped by --max-tasks and by the samples; never none.
        assert_eq!(array_size(1_000_000, 1.0, 1, 1000), 1000);
        assert_eq!(array_size(10, 100.0, 1, 1000), 10);
        assert_eq!(array_size(0, 1.0, 1, 1000), 1);
    }

    #[test]
    fn time_limits_are_whole_minutes_in_slurm_form() {
        assert_eq!(time_limit(900.0), "00:15:00");
        assert_eq!(time_limit(61.0), "00:02:00");
        assert_eq!(time_limit(26.0 * 3600.0), "1-02:00:00");
    }

    #[test]
    fn a_value_that_could_end_an_sbatch_line_is_refused() {
        assert!(plain("--mem", "4G").is_ok());
        for bad in ["4G\nrm -rf x", "a b", "", "x'y", "out%A"] {
            let e = plain("--mem", bad).err().map(|f| f.message).unwrap_or_default();
            assert!(e.contains("--mem") && e.contains("#SBATCH"), "{e}");
        }
    }
}
