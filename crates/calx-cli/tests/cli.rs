//! The `calx` binary as a user runs it: exit statuses, output formats, files written with
//! `-o`, `check`, `schema` and `units`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn calx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calx")).args(args).current_dir(root()).output().expect("calx runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const RECYCLE: &str = "flowsheets/lime-slaking-recycle.yaml";

#[test]
fn run_prints_the_stream_table_utilities_closure_and_solver_summary() {
    let out = calx(&["run", RECYCLE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for part in ["Streams (t/h)", "recycle", "cooling (reaction)", "Balance closure", "tears: recycle"] {
        assert!(s.contains(part), "{part:?} missing:\n{s}");
    }
}

#[test]
fn json_output_is_the_converged_flowsheet_in_si() {
    let out = calx(&["run", RECYCLE, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let product = v["flowsheet"]["streams"].as_array().unwrap().iter().find(|s| s["name"] == "product").unwrap();
    let cao = product["stream"]["flows"][0].as_f64().unwrap();
    // 1 t/h of CaO, 93.75 % overall conversion: 0.0625 t/h = 0.0625/3.6 kg/s unreacted.
    assert!((cao - 0.0625 / 3.6).abs() < 1e-12, "{cao}");
}

#[test]
fn csv_output_goes_to_files_written_atomically() {
    let dir = std::env::temp_dir().join(format!("calx-cli-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = calx(&["run", RECYCLE, "--format", "csv", "-o", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let streams = std::fs::read_to_string(dir.join("streams.csv")).unwrap();
    assert!(streams.starts_with("stream,role,quantity,value,unit\n"));
    assert!(streams.contains("product,product,CaO,"));
    assert!(
        std::fs::read_to_string(dir.join("units.csv")).unwrap().contains("slaker,conversion_reactor,utility,cooling")
    );
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_input_exits_2_with_file_line_and_column() {
    let out = calx(&["check", "tests/data/invalid/misspelled-unit-type.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let e = text(&out.stderr);
    assert!(e.contains("tests/data/invalid/misspelled-unit-type.yaml:8:11"), "{e}");
    assert!(e.contains("did you mean `mixer`?"), "{e}");
}

#[test]
fn a_missing_file_exits_2_and_a_valid_one_checks_ok() {
    let out = calx(&["run", "flowsheets/no-such-file.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read flowsheets/no-such-file.yaml"));
    let out = calx(&["check", RECYCLE]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("ok"));
}

#[test]
fn schema_is_json_schema_listing_every_unit_type() {
    let out = calx(&["schema"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let variants = v["properties"]["units"]["additionalProperties"]["oneOf"].as_array().unwrap();
    let types: Vec<&str> = variants.iter().filter_map(|u| u["properties"]["type"]["const"].as_str()).collect();
    for t in ["mixer", "splitter", "conversion_reactor", "heater", "component_separator", "feed", "product"] {
        assert!(types.contains(&t), "{t} missing from {types:?}");
    }
    assert_eq!(v["additionalProperties"], serde_json::Value::Bool(false), "unknown top-level fields are rejected");
}

#[test]
fn units_lists_ports_parameters_and_default_sources() {
    let out = calx(&["units", "heater"]);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("param pressure_drop") && s.contains("default from:"), "{s}");
    let out = calx(&["units", "heatr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `heater`?"));
}

/// A scratch copy of the recycle flowsheet in its own directory.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("calx-snapshot-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join(RECYCLE), dir.join("plant.yaml")).unwrap();
    dir
}

#[test]
fn snapshot_workflow_pending_update_check_and_a_changed_parameter() {
    let dir = scratch("workflow");
    let plant = dir.join("plant.yaml");
    let p = plant.to_str().unwrap();
    // New: written as pending, not accepted.
    let out = calx(&["snapshot", p]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("snapshots/plant.snap.new").exists());
    assert!(!dir.join("snapshots/plant.snap").exists());
    assert_eq!(calx(&["snapshot", "--check", p]).status.code(), Some(1), "a missing snapshot fails the check");
    // --update accepts; --check then passes, repeatedly (rounding never flips).
    assert!(calx(&["snapshot", "--update", p]).status.success());
    assert!(!dir.join("snapshots/plant.snap.new").exists());
    for _ in 0..3 {
        let out = calx(&["snapshot", "--check", p]);
        assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    }
    // A changed parameter: the check fails and names stream, component, old and new value.
    let yaml =
        std::fs::read_to_string(&plant).unwrap().replace("conversion: { CaO: 60 % }", "conversion: { CaO: 65 % }");
    std::fs::write(&plant, yaml).unwrap();
    let out = calx(&["snapshot", "--check", p]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stderr);
    assert!(
        report.contains("streams › product › CaO:") && report.contains(" -> ") && report.contains("%)"),
        "{report}"
    );
    assert!(!dir.join("snapshots/plant.snap.new").exists(), "--check writes nothing");
    // Without --check the new values become a pending snapshot for review.
    assert_eq!(calx(&["snapshot", p]).status.code(), Some(1));
    assert!(dir.join("snapshots/plant.snap.new").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snapshot_tolerances_can_absorb_a_small_change() {
    let dir = scratch("tolerance");
    let plant = dir.join("plant.yaml");
    let p = plant.to_str().unwrap();
    assert!(calx(&["snapshot", "--update", p]).status.success());
    // Feed water 2 t/h -> 2.0002 t/h moves water flows by 0.01 %.
    let yaml = std::fs::read_to_string(&plant).unwrap().replace("flows: { H2O: 2 t/h }", "flows: { H2O: 2.0002 t/h }");
    std::fs::write(&plant, yaml).unwrap();
    assert_eq!(calx(&["snapshot", "--check", p]).status.code(), Some(1));
    assert!(calx(&["snapshot", "--check", "--rel", "1e-3", p]).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

const STUDY: &str = "flowsheets/kigam-cfbc-2022-uncertainty.yaml";

/// An empty scratch directory for outputs.
fn out_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("calx-study-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn study_writes_samples_as_csv_and_parquet_with_the_same_values() {
    use parquet::basic::Type as PhysicalType;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;
    let dir = out_dir("files");
    let out = calx(&["study", STUDY, "--samples", "40", "-o", dir.to_str().unwrap_or_default()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // stderr is a pipe here, not a terminal: no progress bar.
    assert_eq!(text(&out.stderr), "", "nothing on stderr when it is not a terminal");
    // Every output, and no temporary file left behind.
    assert_eq!(
        files_in(&dir),
        ["samples.csv", "samples.parquet", "spearman.csv", "summary.csv", "sweep.csv", "tornado.csv"]
    );
    let csv = std::fs::read_to_string(dir.join("samples.csv")).unwrap_or_default();
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 40);
    let file = std::fs::File::open(dir.join("samples.parquet")).expect("parquet file");
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let header: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
    let schema = reader.metadata().file_metadata().schema_descr();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, header, "Parquet columns = CSV columns");
    // Every parameter and metric column holds exactly the CSV's numbers.
    let numbers: Vec<(usize, &str)> = names
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| n.starts_with("units.") || n.starts_with("analyses.") || n.starts_with("streams."))
        .collect();
    for &(c, name) in &numbers {
        assert_eq!(schema.column(c).physical_type(), PhysicalType::DOUBLE, "{name} is Float64");
    }
    let mut n = 0;
    for row in reader.get_row_iter(None).expect("rows") {
        let row = row.expect("row");
        for &(c, name) in &numbers {
            let got = row.get_double(c).unwrap_or_else(|e| panic!("{name} row {n}: {e}"));
            let want: f64 = rows[n][c].parse().unwrap_or(f64::NAN);
            assert_eq!(got.to_bits(), want.to_bits(), "{name} row {n}");
        }
        n += 1;
    }
    assert_eq!(n, 40);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn study_shards_merged_by_the_command_equal_a_single_run_file_for_file() {
    let (single, merged) = (out_dir("single"), out_dir("merged"));
    let out = calx(&["study", STUDY, "--samples", "30", "-o", single.to_str().unwrap_or_default(), "--threads", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = out_dir(&format!("shard{i}"));
        let shard = format!("{i}/3");
        let out = calx(&[
            "study",
            STUDY,
            "--samples",
            "30",
            "-o",
            d.to_str().unwrap_or_default(),
            "--shard",
            &shard,
            "--threads",
            "1",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(files_in(&d), ["samples.csv", "samples.parquet"], "a shard writes its samples only");
        shards.push(d);
    }
    let mut args = vec!["study", "merge", STUDY, "--samples", "30", "-o", merged.to_str().unwrap_or_default()];
    args.extend(shards.iter().map(|d| d.to_str().unwrap_or_default()));
    let out = calx(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(files_in(&single), files_in(&merged));
    for name in files_in(&single) {
        let (a, b) = (
            std::fs::read(single.join(&name)).unwrap_or_default(),
            std::fs::read(merged.join(&name)).unwrap_or_default(),
        );
        assert!(a == b && !a.is_empty(), "{name} differs between the single run and the merged shards");
    }
    for d in shards.iter().chain([&single, &merged]) {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_study_file_given_to_run_says_what_it_is() {
    let out = calx(&["run", STUDY]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("study file") && err.contains("calx study"), "{err}");
}

#[test]
fn study_shows_a_progress_bar_with_rate_and_time_left_on_a_terminal() {
    // `script` (util-linux, essential on Debian) runs the command on a pseudo-terminal.
    let dir = out_dir("tty");
    let cmd = format!("{} study {STUDY} --samples 400 -o {}", env!("CARGO_BIN_EXE_calx"), dir.display());
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(root())
        .output()
        .expect("`script` (util-linux) runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let screen = text(&out.stdout).replace('\r', "\n");
    assert!(
        screen.lines().any(|l| l.contains("/400 samples") && l.contains("/s") && l.contains("left")),
        "no progress line with count, rate and time left in:\n{screen}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
