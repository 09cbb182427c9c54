//! Shards through the `calx` binary as a scheduler runs them: `--shard auto` from a Slurm
//! array's variables, a study in 20 shards merged equal to one run byte for byte, `calx
//! study status` finding a truncated shard and printing the command that reruns it (which
//! is then run as printed), `merge` refusing an incomplete set with the same report, and the
//! scripts of `calx study submit --slurm --dry-run`.

mod common;

use common::files_in;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STUDY: &str = "flowsheets/kigam-cfbc-2022-uncertainty.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `calx ARGS` in the repository, without any scheduler's variables of the environment the
/// tests run in (`env` adds some).
fn calx_with(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_calx"));
    cmd.args(args).current_dir(root());
    for v in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"] {
        cmd.env_remove(v);
    }
    cmd.env_remove("SLURM_JOB_ID").env_remove("JOB_COMPLETION_INDEX");
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd.output().expect("calx runs")
}

fn calx(args: &[&str]) -> Output {
    calx_with(args, &[])
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An empty scratch directory.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("calx-shards-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// Every file of `a` is in `b` with the same bytes, and no other.
fn assert_same_files(a: &Path, b: &Path) {
    assert_eq!(files_in(a), files_in(b));
    for name in files_in(a) {
        let (x, y) =
            (std::fs::read(a.join(&name)).unwrap_or_default(), std::fs::read(b.join(&name)).unwrap_or_default());
        assert!(x == y && !x.is_empty(), "{name} differs between {} and {}", a.display(), b.display());
    }
}

/// The variables Slurm sets in task `i` of `--array=0-(n-1)`.
fn slurm_task(i: usize, n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("SLURM_JOB_ID", format!("{}", 1000 + i)),
        ("SLURM_ARRAY_TASK_ID", i.to_string()),
        ("SLURM_ARRAY_TASK_MIN", "0".into()),
        ("SLURM_ARRAY_TASK_MAX", (n - 1).to_string()),
        ("SLURM_ARRAY_TASK_COUNT", n.to_string()),
    ]
}

#[test]
fn twenty_shards_from_a_slurm_array_merge_into_the_single_run_byte_for_byte() {
    let dir = scratch("twenty");
    let samples = "240";
    let single = dir.join("single");
    let out = calx(&["study", STUDY, "--samples", samples, "--threads", "2", "-o", s(&single)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut shards = Vec::new();
    for i in 0..20 {
        let d = dir.join(format!("shard-{i}"));
        let out = calx_with(
            &["study", STUDY, "--samples", samples, "--shard", "auto", "--threads", "1", "-o", s(&d)],
            &slurm_task(i, 20),
        );
        assert!(out.status.success(), "task {i}: {}", text(&out.stderr));
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("shard.json")).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(manifest["shard"], serde_json::json!([i, 20]), "task {i} ran shard {i} of 20");
        assert_eq!(manifest["rows"], serde_json::json!(12));
        shards.push(d);
    }
    let mut status_args = vec!["study", "status"];
    status_args.extend(shards.iter().map(|d| s(d)));
    let status = calx(&status_args);
    assert!(status.status.success(), "{}{}", text(&status.stdout), text(&status.stderr));
    assert!(text(&status.stdout).contains("in 20 shards: complete"), "{}", text(&status.stdout));
    let merged = dir.join("merged");
    let mut args = vec!["study", "merge", STUDY, "--samples", samples, "-o", s(&merged)];
    args.extend(shards.iter().rev().map(|d| s(d)));
    let out = calx(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_same_files(&single, &merged);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shard_auto_outside_a_job_array_refuses_to_guess() {
    let dir = scratch("auto");
    let out = calx(&["study", STUDY, "--samples", "8", "--shard", "auto", "-o", s(&dir.join("x"))]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("refusing to guess") && err.contains("SLURM_ARRAY_TASK_ID"), "{err}");
    // A resubmitted part of an array needs N, and with it runs the shard of the whole array.
    let part = vec![
        ("SLURM_JOB_ID", "77".to_string()),
        ("SLURM_ARRAY_TASK_ID", "3".into()),
        ("SLURM_ARRAY_TASK_MIN", "3".into()),
        ("SLURM_ARRAY_TASK_MAX", "3".into()),
        ("SLURM_ARRAY_TASK_COUNT", "1".into()),
    ];
    let out = calx_with(&["study", STUDY, "--samples", "8", "--shard", "auto", "-o", s(&dir.join("x"))], &part);
    assert!(text(&out.stderr).contains("--shard auto/N"), "{}", text(&out.stderr));
    let out = calx_with(&["study", STUDY, "--samples", "8", "--shard", "auto/4", "-o", s(&dir.join("x"))], &part);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("samples 6..8"), "{}", text(&out.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn status_finds_a_truncated_shard_and_its_printed_command_repairs_the_set() {
    let dir = scratch("truncated");
    let shard = |i: usize| dir.join(format!("shard-{i}"));
    for i in 0..3 {
        let n = format!("{i}/3");
        let out = calx(&["study", STUDY, "--samples", "9", "--shard", &n, "-o", s(&shard(i))]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    // A copy that stopped half-way (a full disk, a killed copy).
    let csv = shard(1).join("samples.csv");
    let bytes = std::fs::read(&csv).unwrap_or_default();
    std::fs::write(&csv, &bytes[..bytes.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let dirs: Vec<String> = (0..3).map(|i| shard(i).display().to_string()).collect();
    let mut args = vec!["study", "status"];
    args.extend(dirs.iter().map(String::as_str));
    let status = calx(&args);
    assert_eq!(status.status.code(), Some(1), "{}", text(&status.stderr));
    let report = text(&status.stdout);
    assert!(
        report.contains("samples.csv is not the file the shard wrote") && report.contains("(truncated)"),
        "{report}"
    );
    // Merge refuses it with the same report.
    let merged = dir.join("merged");
    let mut merge_args = vec!["study", "merge", STUDY, "--samples", "9", "-o", s(&merged)];
    merge_args.extend(dirs.iter().map(String::as_str));
    let refused = calx(&merge_args);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains(report.lines().nth(2).unwrap_or("?")), "{}", text(&refused.stderr));
    assert!(!merged.exists(), "nothing written");
    // The command the report prints, run as printed, makes the set complete.
    let rerun = report
        .lines()
        .find(|l| l.trim_start().starts_with("calx study "))
        .unwrap_or_else(|| panic!("no command in:\n{report}"));
    let calx_dir = Path::new(env!("CARGO_BIN_EXE_calx")).parent().map(Path::to_path_buf).unwrap_or_default();
    let path = format!("{}:{}", calx_dir.display(), std::env::var("PATH").unwrap_or_default());
    let ran = Command::new("sh").args(["-c", rerun.trim()]).current_dir(root()).env("PATH", path).output();
    let ran = ran.expect("sh runs");
    assert!(ran.status.success(), "{rerun}: {}", text(&ran.stderr));
    assert!(calx(&args).status.success(), "complete after the rerun");
    assert!(calx(&merge_args).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn submit_dry_run_prints_an_array_of_auto_shards_and_a_merge_and_writes_nothing() {
    let dir = scratch("submit");
    let out_dir = dir.join("run");
    let out = calx(&[
        "study",
        "submit",
        "--slurm",
        STUDY,
        "--samples",
        "100000",
        "--tasks",
        "20",
        "--time",
        "00:30:00",
        "--cpus-per-task",
        "4",
        "-o",
        s(&out_dir),
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!out_dir.exists(), "a dry run writes nothing");
    let root = root().canonicalize().unwrap_or_default();
    let calx_bin = Path::new(env!("CARGO_BIN_EXE_calx")).to_path_buf();
    let scripts =
        text(&out.stdout).replace(s(&calx_bin), "{calx}").replace(s(&out_dir), "{out}").replace(s(&root), "{root}");
    for line in ["#SBATCH --array=0-19", "--shard auto/20", "#SBATCH --cpus-per-task=4", "merge"] {
        assert!(scripts.contains(line), "{line} missing:\n{scripts}");
    }
    insta::assert_snapshot!(scripts);
    let _ = std::fs::remove_dir_all(&dir);
}
