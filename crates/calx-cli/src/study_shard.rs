//! Which shard of a study this process runs: `--shard I/N` as written, or `--shard auto`
//! (`auto/N`) read from the scheduler's environment: a Slurm job array
//! (`SLURM_ARRAY_TASK_ID`, with `SLURM_ARRAY_TASK_MIN/MAX/COUNT` for the number of shards) or
//! a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`; Kubernetes does not say how many
//! completions there are, so `auto/N` gives the count). Anything else is refused rather than
//! guessed: a shard run under the wrong index or count writes samples that merge into a
//! study nobody asked for.
//!
//! [`from_env`] is a pure function of the variables it is given, so that every environment
//! is tested without touching the process's own.

use std::collections::BTreeMap;

/// Variables `--shard auto` reads (and only these are taken from the process environment).
pub(crate) const VARIABLES: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_JOB_ID",
    "JOB_COMPLETION_INDEX",
];

/// What `--shard` was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShardArg {
    /// `I/N`: shard I (0-based) of N.
    Explicit(usize, usize),
    /// `auto` (count from the scheduler) or `auto/N` (count given).
    Auto(Option<usize>),
}

/// Why `--shard` as written is not a shard.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ShardArgError {
    /// Neither `I/N` nor `auto`.
    #[error(
        "write the shard as I/N, for example 0/8 (I counts from 0), or `auto` in a Slurm job array \
         (`auto/N` in a Kubernetes Indexed Job)"
    )]
    Form,
    /// `I` is not a whole number.
    #[error("I `{text}`: {reason}")]
    Index { text: String, reason: std::num::ParseIntError },
    /// `N` is not a whole number.
    #[error("N `{text}`: {reason}")]
    Count { text: String, reason: std::num::ParseIntError },
    /// `N` is zero.
    #[error("the number of shards N must be at least 1")]
    NoShards,
    /// `I` is not below `N`.
    #[error("shard {i}/{n}: need 0 <= I < N")]
    OutOfRange { i: usize, n: usize },
}

/// Parse `--shard`: `I/N`, `auto` or `auto/N` (clap's value parser).
pub(crate) fn parse(s: &str) -> Result<ShardArg, ShardArgError> {
    let (i, n) = match s.split_once('/') {
        Some((i, n)) => (i.trim(), Some(n.trim())),
        None => (s.trim(), None),
    };
    let count = |n: &str| match n.parse::<usize>() {
        Ok(0) => Err(ShardArgError::NoShards),
        Ok(n) => Ok(n),
        Err(reason) => Err(ShardArgError::Count { text: n.to_string(), reason }),
    };
    if i == "auto" {
        return Ok(ShardArg::Auto(n.map(count).transpose()?));
    }
    let n = n.ok_or(ShardArgError::Form)?;
    let i = i.parse::<usize>().map_err(|reason| ShardArgError::Index { text: i.to_string(), reason })?;
    let n = count(n)?;
    if i >= n {
        return Err(ShardArgError::OutOfRange { i, n });
    }
    Ok(ShardArg::Explicit(i, n))
}

/// Why `--shard auto` found no shard.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AutoError {
    /// No scheduler's index in the environment.
    #[error(
        "--shard auto: no job array index in the environment (neither SLURM_ARRAY_TASK_ID, set in a Slurm job \
         array, nor JOB_COMPLETION_INDEX, set in a Kubernetes Indexed Job); refusing to guess. Run it in a job \
         array, or give the shard as I/N (0-based, e.g. --shard 3/20)"
    )]
    NoScheduler,
    /// A Slurm job that is not an array.
    #[error(
        "--shard auto: this Slurm job (SLURM_JOB_ID={0}) is not a job array (no SLURM_ARRAY_TASK_ID); submit it \
         with `sbatch --array=0-<N-1>`, or give the shard as I/N"
    )]
    SlurmNotAnArray(String),
    /// Both schedulers' variables.
    #[error(
        "--shard auto: both SLURM_ARRAY_TASK_ID={slurm} and JOB_COMPLETION_INDEX={kubernetes} are set; refusing to \
         guess which scheduler runs this: give the shard as I/N"
    )]
    Both {
        /// `SLURM_ARRAY_TASK_ID`.
        slurm: String,
        /// `JOB_COMPLETION_INDEX`.
        kubernetes: String,
    },
    /// A variable that is not a whole number.
    #[error("--shard auto: {variable} is `{value}`, not a whole number")]
    NotANumber {
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
    },
    /// A variable Slurm sets in every array task is missing.
    #[error("--shard auto: SLURM_ARRAY_TASK_ID is set but {0} is not (Slurm sets both in an array task)")]
    Missing(&'static str),
    /// A Slurm array that is not `0-(N-1)`: its count is not the number of shards.
    #[error(
        "--shard auto: this Slurm array holds tasks {min} to {max} ({count} tasks), not 0 to N-1, so it does not \
         say how many shards the study has (a resubmission of some tasks?); give the number: --shard auto/N"
    )]
    PartialArray {
        /// `SLURM_ARRAY_TASK_MIN`.
        min: usize,
        /// `SLURM_ARRAY_TASK_MAX`.
        max: usize,
        /// `SLURM_ARRAY_TASK_COUNT`.
        count: usize,
    },
    /// A Kubernetes index without a count.
    #[error(
        "--shard auto: JOB_COMPLETION_INDEX={0} gives the index only (Kubernetes does not set the number of \
         completions); give the number of shards, the Job's `completions`: --shard auto/N"
    )]
    KubernetesNeedsCount(usize),
    /// The index is not a shard of the count.
    #[error("--shard auto: {variable}={index} is not a shard of {count} (0 to {last})", last = count - 1)]
    OutOfRange {
        /// The variable the index came from.
        variable: &'static str,
        /// The index.
        index: usize,
        /// The number of shards.
        count: usize,
    },
}

/// The process's values of [`VARIABLES`] (the others are not read).
pub(crate) fn process_env() -> BTreeMap<String, String> {
    VARIABLES.iter().filter_map(|v| std::env::var(v).ok().map(|value| (v.to_string(), value))).collect()
}

/// The shard `(I, N)` that `arg` names, reading `env` for `auto`.
pub(crate) fn resolve(arg: ShardArg, env: &BTreeMap<String, String>) -> Result<(usize, usize), AutoError> {
    match arg {
        ShardArg::Explicit(i, n) => Ok((i, n)),
        ShardArg::Auto(count) => from_env(env, count),
    }
}

/// `--shard auto` (`count: None`) or `auto/N` (`Some(N)`) in the environment `env`.
pub(crate) fn from_env(env: &BTreeMap<String, String>, count: Option<usize>) -> Result<(usize, usize), AutoError> {
    let slurm = env.get("SLURM_ARRAY_TASK_ID");
    let kubernetes = env.get("JOB_COMPLETION_INDEX");
    match (slurm, kubernetes) {
        (Some(s), Some(k)) => Err(AutoError::Both { slurm: s.clone(), kubernetes: k.clone() }),
        (Some(_), None) => slurm_shard(env, count),
        (None, Some(_)) => {
            let index = number(env, "JOB_COMPLETION_INDEX")?;
            let count = count.ok_or(AutoError::KubernetesNeedsCount(index))?;
            within(index, count, "JOB_COMPLETION_INDEX")
        }
        (None, None) => Err(match env.get("SLURM_JOB_ID") {
            Some(job) => AutoError::SlurmNotAnArray(job.clone()),
            None => AutoError::NoScheduler,
        }),
    }
}

/// A Slurm array task's shard: the index is the task id; the count is `count` if given,
/// else the array's, provided the array is exactly `0-(N-1)`. A resubmitted part of the
/// array (`--array=7,12`) has min 7, max 12 and count 2, which say nothing of N.
fn slurm_shard(env: &BTreeMap<String, String>, count: Option<usize>) -> Result<(usize, usize), AutoError> {
    let index = number(env, "SLURM_ARRAY_TASK_ID")?;
    let count = match count {
        Some(n) => n,
        None => {
            let [min, max, tasks] = ["SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"]
                .map(|v| if env.contains_key(v) { number(env, v) } else { Err(AutoError::Missing(v)) });
            let (min, max, tasks) = (min?, max?, tasks?);
            if min != 0 || max.checked_add(1) != Some(tasks) {
                return Err(AutoError::PartialArray { min, max, count: tasks });
            }
            tasks
        }
    };
    within(index, count, "SLURM_ARRAY_TASK_ID")
}

fn within(index: usize, count: usize, variable: &'static str) -> Result<(usize, usize), AutoError> {
    if index >= count {
        return Err(AutoError::OutOfRange { variable, index, count });
    }
    Ok((index, count))
}

fn number(env: &BTreeMap<String, String>, variable: &'static str) -> Result<usize, AutoError> {
    let value = env.get(variable).map_or("", String::as_str);
    value.trim().parse().map_err(|_| AutoError::NotANumber { variable, value: value.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn slurm(id: &str, min: &str, max: &str, count: &str) -> BTreeMap<String, String> {
        env(&[
            ("SLURM_JOB_ID", "4242"),
            ("SLURM_ARRAY_TASK_ID", id),
            ("SLURM_ARRAY_TASK_MIN", min),
            ("SLURM_ARRAY_TASK_MAX", max),
            ("SLURM_ARRAY_TASK_COUNT", count),
        ])
    }

    #[test]
    fn the_argument_is_i_of_n_auto_or_auto_of_n() {
        assert_eq!(parse("3/20"), Ok(ShardArg::Explicit(3, 20)));
        assert_eq!(parse("auto"), Ok(ShardArg::Auto(None)));
        assert_eq!(parse("auto/16"), Ok(ShardArg::Auto(Some(16))));
        assert!(parse("20/20").is_err_and(|e| e.to_string().contains("need 0 <= I < N")));
        assert!(parse("three").is_err_and(|e| e.to_string().contains("write the shard as I/N")));
        assert!(parse("auto/0").is_err_and(|e| e.to_string().contains("at least 1")));
        assert!(parse("auto/x").is_err_and(|e| e.to_string().contains("N `x`")));
    }

    #[test]
    fn an_explicit_shard_ignores_the_environment() {
        assert_eq!(resolve(ShardArg::Explicit(2, 5), &slurm("7", "0", "9", "10")), Ok((2, 5)));
    }

    #[test]
    fn a_whole_slurm_array_gives_index_and_count() {
        assert_eq!(from_env(&slurm("7", "0", "19", "20"), None), Ok((7, 20)));
        assert_eq!(from_env(&slurm("0", "0", "0", "1"), None), Ok((0, 1)));
    }

    #[test]
    fn a_resubmitted_part_of_a_slurm_array_needs_the_count() {
        let part = slurm("7", "7", "12", "2");
        assert_eq!(from_env(&part, None), Err(AutoError::PartialArray { min: 7, max: 12, count: 2 }));
        assert_eq!(from_env(&part, Some(20)), Ok((7, 20)));
        // A step (`--array=0-19:2`) is not the whole range either.
        assert!(matches!(from_env(&slurm("4", "0", "18", "10"), None), Err(AutoError::PartialArray { .. })));
        assert_eq!(
            from_env(&part, Some(5)),
            Err(AutoError::OutOfRange { variable: "SLURM_ARRAY_TASK_ID", index: 7, count: 5 })
        );
    }

    #[test]
    fn a_slurm_task_without_its_array_variables_or_with_garbage_is_refused() {
        let mut e = slurm("3", "0", "9", "10");
        e.remove("SLURM_ARRAY_TASK_COUNT");
        assert_eq!(from_env(&e, None), Err(AutoError::Missing("SLURM_ARRAY_TASK_COUNT")));
        assert_eq!(from_env(&e, Some(10)), Ok((3, 10)), "with the count given, the id is enough");
        assert_eq!(
            from_env(&slurm("three", "0", "9", "10"), None),
            Err(AutoError::NotANumber { variable: "SLURM_ARRAY_TASK_ID", value: "three".into() })
        );
        assert_eq!(
            from_env(&env(&[("SLURM_JOB_ID", "4242")]), None),
            Err(AutoError::SlurmNotAnArray("4242".into())),
            "a Slurm job that is not an array"
        );
    }

    #[test]
    fn a_kubernetes_indexed_job_gives_the_index_and_the_command_line_the_count() {
        let k = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert_eq!(from_env(&k, Some(16)), Ok((3, 16)));
        assert_eq!(from_env(&k, None), Err(AutoError::KubernetesNeedsCount(3)));
        assert_eq!(
            from_env(&env(&[("JOB_COMPLETION_INDEX", "16")]), Some(16)),
            Err(AutoError::OutOfRange { variable: "JOB_COMPLETION_INDEX", index: 16, count: 16 })
        );
    }

    #[test]
    fn nothing_set_or_both_set_is_refused_rather_than_guessed() {
        assert_eq!(from_env(&env(&[]), None), Err(AutoError::NoScheduler));
        assert_eq!(from_env(&env(&[("PARALLEL_SEQ", "3")]), Some(8)), Err(AutoError::NoScheduler));
        let mut both = slurm("1", "0", "3", "4");
        both.insert("JOB_COMPLETION_INDEX".into(), "2".into());
        assert!(matches!(from_env(&both, None), Err(AutoError::Both { .. })));
        let message = AutoError::NoScheduler.to_string();
        assert!(message.contains("refusing to guess") && message.contains("--shard 3/20"), "{message}");
    }
}
