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
    assert!(std::fs::read_to_string(dir.join("units.csv")).unwrap().contains("slaker,conversion_reactor,utility,cooling"));
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
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
    let yaml = std::fs::read_to_string(&plant).unwrap().replace("conversion: { CaO: 60 % }", "conversion: { CaO: 65 % }");
    std::fs::write(&plant, yaml).unwrap();
    let out = calx(&["snapshot", "--check", p]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stderr);
    assert!(report.contains("streams › product › CaO:") && report.contains(" -> ") && report.contains("%)"), "{report}");
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
