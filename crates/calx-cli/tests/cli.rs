//! The `calx` binary as a user runs it: exit statuses, output formats, files written with
//! `-o`, `check`, `schema` and `units`.

mod common;

use common::files_in;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::Digest as _;

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
    // Flows are keyed by component name, not by position (issue 14, item 18).
    let cao = product["stream"]["flows"]["CaO"].as_f64().unwrap();
    // 1 t/h of CaO, 93.75 % overall conversion: 0.0625 t/h = 0.0625/3.6 kg/s unreacted.
    assert!((cao - 0.0625 / 3.6).abs() < 1e-12, "{cao}");
}

#[test]
fn every_csv_file_holds_one_table() {
    // Regression (issue 14, item 18): tea.csv held the metrics and the cash flow, two tables
    // in one file, which CSV readers reject.
    let dir = std::env::temp_dir().join(format!("calx-cli-tables-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = calx(&["run", "flowsheets/kigam-cfbc-2022.yaml", "--format", "csv", "-o", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let flows = std::fs::read_to_string(dir.join("tea-cash-flow.csv")).unwrap_or_default();
    assert!(flows.starts_with("year,capex,revenue,"), "{flows}");
    for entry in std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
    {
        let table = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let widths: Vec<usize> = table.lines().map(|l| calx_study::csv_split(l).len()).collect();
        assert!(
            !table.lines().any(|l| l.trim().is_empty()) && widths.windows(2).all(|w| w[0] == w[1]),
            "{}: not one table:\n{table}",
            entry.path().display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
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
    // Every output, and no temporary file left behind; `carbon.txt` is the reference plant's
    // carbon ledger with the study's uncertainty deduction.
    assert_eq!(
        files_in(&dir),
        [
            "calx-output.json",
            "carbon.json",
            "carbon.txt",
            "samples.csv",
            "samples.parquet",
            "spearman.csv",
            "summary.csv",
            "sweep.csv",
            "tornado.csv"
        ]
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
        assert_eq!(
            files_in(&d),
            ["calx-output.json", "samples.csv", "samples.parquet", "shard.json"],
            "a shard writes its samples, its manifest and the set's manifest only"
        );
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
    // The rate is a whole number, so the line does not jump in its decimals (issue 14, item 18).
    let rates: Vec<&str> = screen.split_whitespace().filter(|w| w.ends_with("/s")).collect();
    assert!(
        !rates.is_empty()
            && rates.iter().all(|r| r.trim_end_matches("/s").chars().all(|c| c.is_ascii_digit() || c == ',')),
        "rates with decimals: {rates:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Run shard `i` of `n` of a 12-sample study with `seed` into a fresh directory.
fn shard(tag: &str, study: &str, i: usize, n: usize) -> PathBuf {
    let d = out_dir(tag);
    let shard = format!("{i}/{n}");
    let out = calx(&["study", study, "--samples", "12", "-o", d.to_str().unwrap_or_default(), "--shard", &shard]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    d
}

fn merge(study: &str, shards: &[&PathBuf]) -> Output {
    let merged = out_dir("merge-refused");
    let mut args = vec!["study", "merge", study, "--samples", "12", "-o", merged.to_str().unwrap_or_default()];
    args.extend(shards.iter().map(|d| d.to_str().unwrap_or_default()));
    calx(&args)
}

#[test]
fn study_merge_refuses_shards_of_another_study_and_edited_samples() {
    // A copy of the reference study with another seed (same columns, other draws), naming
    // the same flowsheet by its absolute path.
    let dir = out_dir("other-study");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let other = dir.join("other-seed-study.yaml");
    let study = std::fs::read_to_string(root().join(STUDY)).unwrap_or_default();
    let line = |key: &str| study.lines().find(|l| l.starts_with(key)).unwrap_or_default().to_string();
    let flowsheet = root().join("flowsheets/kigam-cfbc-2022.yaml");
    let changed = study.replacen(&line("seed:"), "seed: 987654", 1).replacen(
        &line("flowsheet:"),
        &format!("flowsheet: {}", flowsheet.display()),
        1,
    );
    std::fs::write(&other, changed).unwrap_or_else(|e| panic!("{e}"));
    let other_rel = other.to_str().unwrap_or_default();
    let a = shard("m-a", STUDY, 0, 2);
    let b = shard("m-b", other_rel, 1, 2);
    // Regression: these merged into means of two different studies with exit 0.
    let out = merge(STUDY, &[&a, &b]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("not a shard of this study") && err.contains("seed 987654"), "{err}");
    // The right shard merges.
    let good = shard("m-good", STUDY, 1, 2);
    assert!(merge(STUDY, &[&a, &good]).status.success());
    // An edited value: the file no longer matches its manifest.
    let csv = good.join("samples.csv");
    let original = std::fs::read_to_string(&csv).unwrap_or_default();
    let second_line = original.lines().nth(1).unwrap_or_default().to_string();
    let fields: Vec<&str> = second_line.split(',').collect();
    let edited_line = format!("{},{},{},{}", fields[0], fields[1], "0.999", fields[3..].join(","));
    let edited = original.replacen(&second_line, &edited_line, 1);
    std::fs::write(&csv, &edited).unwrap_or_else(|e| panic!("{e}"));
    let err = text(&merge(STUDY, &[&a, &good]).stderr);
    assert!(err.contains("not the file the shard wrote"), "{err}");
    // Even with the manifest made to match, the value is not what the study draws.
    let manifest_path = good.join("shard.json");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap_or_default();
    let hash = |bytes: &[u8]| sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let fixed = manifest
        .replace(&hash(original.as_bytes()), &hash(edited.as_bytes()))
        .replace(&format!("\"bytes\": {},", original.len()), &format!("\"bytes\": {},", edited.len()));
    std::fs::write(&manifest_path, fixed).unwrap_or_else(|e| panic!("{e}"));
    let err = text(&merge(STUDY, &[&a, &good]).stderr);
    assert!(err.contains("but this study draws"), "{err}");
    // No manifest: not a shard.
    std::fs::remove_file(&manifest_path).unwrap_or_else(|e| panic!("{e}"));
    let err = text(&merge(STUDY, &[&a, &good]).stderr);
    assert!(err.contains("no shard.json") && err.contains("missing: shard 1"), "{err}");
    for d in [&a, &b, &good, &dir] {
        let _ = std::fs::remove_dir_all(d);
    }
    let _ = std::fs::remove_dir_all(out_dir("merge-refused"));
}

#[test]
fn an_interrupted_study_keeps_the_previous_results_and_leaves_no_temporary_file() {
    // Issue 14, item 11: Ctrl-C during a study stops it cleanly; the previous complete set
    // stays as it was (nothing is replaced one file at a time), and temporaries are removed.
    let dir = out_dir("interrupted");
    let first = calx(&["study", STUDY, "--samples", "12", "-o", dir.to_str().unwrap_or_default()]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before: Vec<(String, Vec<u8>)> =
        files_in(&dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap_or_default())).collect();
    let child = Command::new(env!("CARGO_BIN_EXE_calx"))
        .args(["study", STUDY, "--samples", "2000000", "-o", dir.to_str().unwrap_or_default(), "--threads", "1"])
        .current_dir(root())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("calx starts");
    // Wait until it samples (its temporary files exist, so the Ctrl-C watch is installed),
    // then press Ctrl-C. Polled, not slept: a loaded machine may take long to get there.
    for _ in 0..1200 {
        if files_in(&dir).iter().any(|n| n.ends_with(".tmp")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("calx ends");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted after") && err.contains("keeps its previous results"), "{err}");
    let after: Vec<(String, Vec<u8>)> =
        files_in(&dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap_or_default())).collect();
    assert_eq!(after, before, "the previous set is untouched, and no temporary file is left");
    let _ = std::fs::remove_dir_all(&dir);
}

const FIT: &str = "data/kinetics/synthetic/lime-slurry-synthetic.fit.yaml";

#[test]
fn fit_prints_estimates_and_blocks_and_writes_its_files_with_a_self_contained_page() {
    let out = calx(&["fit", FIT]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for part in ["Estimates", "rate_constant", "identifiable", "R²", "mode: rate", "correlated:"] {
        assert!(s.contains(part), "{part:?} missing:\n{s}");
    }
    let dir = scratch("fit");
    let out = calx(&["fit", FIT, "-o", &dir.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for name in
        ["fit.txt", "fit.html", "estimates.csv", "residuals.csv", "flowsheet-params.yaml", "study-correlated.yaml"]
    {
        assert!(dir.join(name).is_file(), "{name} not written");
    }
    let html = std::fs::read_to_string(dir.join("fit.html")).unwrap_or_default();
    // Three plots (data and model, parity, residuals), and nothing fetched from outside.
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    for banned in ["https:", " src=", "<script"] {
        assert!(!html.contains(banned), "{banned} in the fit page");
    }
    // One residual row per data point (48), plus the header.
    let residuals = std::fs::read_to_string(dir.join("residuals.csv")).unwrap_or_default();
    assert_eq!(residuals.lines().count(), 49);
    // The same input gives the same bytes.
    let again = scratch("fit-again");
    assert!(calx(&["fit", FIT, "-o", &again.to_string_lossy()]).status.success());
    assert_eq!(std::fs::read(again.join("fit.html")).ok(), std::fs::read(dir.join("fit.html")).ok());
}

#[test]
fn lca_export_writes_each_format_whole_and_refuses_what_it_cannot_export() {
    let dir = std::env::temp_dir().join(format!("calx-lca-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (zip, bw) = (dir.join("plant.zip"), dir.join("plant.bw2package"));
    let plant = "flowsheets/kigam-cfbc-2022.yaml";
    let out = calx(&["lca", "export", plant, zip.to_str().unwrap(), "--format", "olca"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&zip).unwrap();
    // A zip (local file header first, end record last) and nothing left beside it.
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_eq!(&bytes[bytes.len() - 22..bytes.len() - 18], b"PK\x05\x06");
    let out = calx(&[
        "lca",
        "export",
        plant,
        bw.to_str().unwrap(),
        "--format",
        "brightway",
        "--analysis",
        "lca_official_grid",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // bzip2-compressed JSON, as bw2io's `BW2Package.import_file` opens it.
    let mut json = String::new();
    std::io::Read::read_to_string(&mut bzip2::read::BzDecoder::new(std::fs::File::open(&bw).unwrap()), &mut json)
        .unwrap();
    let package: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        package.as_array().is_some_and(|objects| objects.len() == 6),
        "2 databases and 4 methods (3 GWP sets, water consumption)"
    );
    assert!(json.contains("lca_official_grid"), "the analysis is named");
    let mut left: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["plant.bw2package", "plant.zip"], "no temporary file left");
    // An analysis the flowsheet does not have, and a flowsheet without an LCA: exit 2.
    let out = calx(&["lca", "export", plant, zip.to_str().unwrap(), "--format", "olca", "--analysis", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no `lca` analysis named `nope` (the flowsheet's: lca, lca_official_grid)"));
    let out = calx(&["lca", "export", RECYCLE, zip.to_str().unwrap(), "--format", "olca"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("has no `lca` analysis"), "{}", text(&out.stderr));
    // The flowsheet itself is never the output.
    let out = calx(&["lca", "export", plant, plant, "--format", "olca"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
