//! The status report on every kind of set: complete, missing, duplicated, truncated and
//! foreign shards, each message snapshot-tested (`snapshots/`). The sets are built in
//! memory ([`Found`] values), as [`survey`] would read them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use crate::study_manifest::FileRecord;

const SAMPLES: usize = 20;
const SHARDS: usize = 4;

/// Shard `i` of 4 of a 20-sample study, with `failed` failed samples, as written.
fn manifest(i: usize) -> ShardManifest {
    let (start, end) = (i * SAMPLES / SHARDS, (i + 1) * SAMPLES / SHARDS);
    let file = |name: &str, bytes: u64| (name.to_string(), FileRecord { bytes, sha256: format!("{name}-{i}-sha") });
    ShardManifest {
        calx_version: "0.1.0".into(),
        study: "reference".into(),
        study_file: "flowsheets/reference-uncertainty.yaml".into(),
        study_sha256: "5e1f0c8a2b7d9e4f60718293a4b5c6d7e8f90123456789abcdef0123456789ab".into(),
        flowsheet_sha256: "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0".into(),
        seed: 42,
        samples: SAMPLES,
        sampling: "lhs".into(),
        shard: (i, SHARDS),
        start,
        end,
        rows: end - start,
        failed: usize::from(i == 1),
        files: BTreeMap::from([file("samples.csv", 2400), file("samples.parquet", 5100)]),
    }
}

fn good(dir: &str, i: usize) -> Found {
    Found { dir: PathBuf::from(dir), state: Ok((manifest(i), Vec::new())) }
}

fn report(found: &[Found]) -> (bool, String) {
    let a = assess(found, None);
    (a.is_complete(), a.report())
}

#[test]
fn a_complete_set_says_so_and_proposes_nothing_to_rerun() {
    let set: Vec<Found> = (0..SHARDS).map(|i| good(&format!("out/shard-{i}"), i)).collect();
    let (complete, text) = report(&set);
    assert!(complete);
    assert_eq!(assess(&set, None).directories().len(), SHARDS);
    insta::assert_snapshot!(text);
}

#[test]
fn a_missing_shard_and_an_unfinished_one_are_named_with_the_commands_to_rerun_them() {
    // Shard 1's task was killed while it ran (temporary files, no manifest); shard 2's never
    // started (no directory given at all).
    let set = vec![
        good("out/shard-0", 0),
        Found { dir: "out/shard-1".into(), state: Err(ManifestProblem::Absent { temporaries: 2 }) },
        good("out/shard-3", 3),
    ];
    let (complete, text) = report(&set);
    assert!(!complete);
    assert!(text.contains("for i in 1 2; do calx study"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_shard_given_twice_is_a_problem_even_when_both_copies_agree() {
    let mut set: Vec<Found> = (0..SHARDS).map(|i| good(&format!("out/shard-{i}"), i)).collect();
    set.push(good("copy/shard-2", 2));
    let (complete, text) = report(&set);
    assert!(!complete);
    insta::assert_snapshot!(text);
}

#[test]
fn a_truncated_samples_file_makes_its_shard_missing() {
    let mut set: Vec<Found> = (0..SHARDS).map(|i| good(&format!("out/shard-{i}"), i)).collect();
    set[3].state = Ok((manifest(3), vec![FileProblem::Truncated("samples.csv".into(), 1024, 2400)]));
    let (complete, text) = report(&set);
    assert!(!complete);
    assert!(text.contains("--shard 3/4 -o out/shard-3"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_foreign_shard_names_every_difference_from_the_set() {
    let mut set: Vec<Found> = (0..SHARDS).map(|i| good(&format!("out/shard-{i}"), i)).collect();
    let mut other = manifest(1);
    other.seed = 7;
    other.calx_version = "0.0.9".into();
    other.flowsheet_sha256 = "aa".repeat(32);
    set[1] = Found { dir: "elsewhere/shard-1".into(), state: Ok((other, Vec::new())) };
    let (complete, text) = report(&set);
    assert!(!complete);
    assert!(text.contains("seed 7, not 42") && text.contains("calx 0.0.9, not 0.1.0"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_manifest_whose_range_is_not_its_shard_is_refused() {
    let mut set: Vec<Found> = (0..SHARDS).map(|i| good(&format!("out/shard-{i}"), i)).collect();
    let mut wrong = manifest(2);
    wrong.end += 1;
    set[2] = Found { dir: "out/shard-2".into(), state: Ok((wrong, Vec::new())) };
    let (complete, text) = report(&set);
    assert!(!complete && text.contains("but shard 2/4 of 20 samples is 10..15"), "{text}");
}

#[test]
fn no_manifest_anywhere_says_what_each_directory_is() {
    let set = vec![
        Found { dir: "out/notes".into(), state: Err(ManifestProblem::NotADirectory) },
        Found { dir: "out/empty".into(), state: Err(ManifestProblem::Absent { temporaries: 0 }) },
    ];
    let (complete, text) = report(&set);
    assert!(!complete);
    insta::assert_snapshot!(text);
}

#[test]
fn a_set_submitted_to_slurm_gets_the_sbatch_line_for_the_missing_tasks_and_the_merge() {
    let dir = std::env::temp_dir().join(format!("calx-status-slurm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    for script in [SLURM_SCRIPT, SLURM_MERGE_SCRIPT] {
        std::fs::write(dir.join(script), "#!/bin/bash\n").unwrap_or_else(|e| panic!("{e}"));
    }
    let set: Vec<Found> =
        [0, 3].iter().map(|&i| good(&dir.join(format!("shard-{i}")).display().to_string(), i)).collect();
    let text = assess(&set, None).report().replace(&dir.display().to_string(), "{tmp}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(text.contains("sbatch --parsable --array=1-2 {tmp}/study.sbatch"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn indices_are_written_as_ranges_and_words_quoted_for_the_shell() {
    assert_eq!(ranges(&[0, 1, 2, 5, 7, 8], "-"), "0-2,5,7-8");
    assert_eq!(ranges(&[], "-"), "");
    assert_eq!(shell_word("out/shard-3"), "out/shard-3");
    assert_eq!(shell_word("my study's dir"), "'my study'\\''s dir'");
}

#[test]
fn directory_names_follow_a_pattern_only_around_their_own_index() {
    let p = Pattern::of(std::path::Path::new("run2/shard-12"), 12);
    assert_eq!(p.as_ref().map(|p| p.dir("3")), Some(PathBuf::from("run2/shard-3")));
    assert!(Pattern::of(std::path::Path::new("out/shard-123"), 12).is_none(), "12 inside 123 is not the index");
}
