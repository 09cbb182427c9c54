//! Plugins loaded from real dynamic libraries: the fixture libraries in
//! `tests/fixtures/plugins/` (wrong ABI version, no entry symbol, panics, spoiled outlets,
//! a duplicate unit type, bad names and defaults in the manifest), how `plugins:` entries
//! resolve (absolute paths, directories, bare names, shipped plugins not built), that a
//! library without the Calx marker is never handed to the dynamic loader (on Linux: it is
//! not mapped into the process), the shipped plugins' manifests (insta snapshots), and the
//! reference plant solved with `calx-mineralization` loaded dynamically, which must give
//! bit-identical streams to the statically linked run. Plugin analyses (ABI 1.1): the
//! water-footprint plugin loaded dynamically gives the very metrics, text, tables and report
//! part of the same crate linked statically, runs after the LCA it reads, and serves a
//! study on one and two threads alike; the analysis fault fixtures (a panic, a NaN, a metric
//! without a unit or twice, a type declared twice, named like a built-in, or reading a type
//! nobody provides) are each contained and reported naming the library file.
//!
//! The libraries are built by the test itself (`cargo build` into `target/plugin-libraries`,
//! once per test run), so a clean clone needs nothing else.

use std::path::{Path, PathBuf};

use calx::library_file_name;
use calx_core::Registry;
use calx_plugin_host::{self as plugin_host, LoadedPlugin, PluginError};
use calx_tests::{plugin_dir, root};

fn lib(name: &str) -> PathBuf {
    plugin_dir().join(library_file_name(name))
}

fn load(name: &str) -> Result<LoadedPlugin, PluginError> {
    load_path(&lib(name))
}

/// Check a library file without executing it, then load it (what `calx` does per file).
fn load_path(path: &Path) -> Result<LoadedPlugin, PluginError> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    plugin_host::load(&plugin_host::check(path, file)?)
}

/// Whether the dynamic loader has mapped `path` into this process (Linux; elsewhere there is
/// no /proc/self/maps and this says no).
fn mapped(path: &Path) -> bool {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    maps.lines().any(|l| l.ends_with(&*path.to_string_lossy()))
}

/// One `plugins:` entry at line 1.
fn entry(path: &str) -> Vec<calx_flowsheet::PluginEntry> {
    vec![calx_flowsheet::PluginEntry { path: path.to_string(), loc: calx_flowsheet::Loc { line: 1, column: 1 } }]
}

/// The problems of loading `entries` from `base` with the generic built-ins.
fn problems(entries: &[calx_flowsheet::PluginEntry], base: &Path) -> Vec<String> {
    calx::load_plugins(entries, base, &[], &generic_only())
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|(_, m)| m)
        .collect()
}

/// A message with the library directory written as `[libs]`, the same on every machine.
fn redact(text: &str) -> String {
    text.replace(&plugin_dir().display().to_string(), "[libs]")
}

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("calx-plugins-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

fn err(name: &str) -> String {
    match load(name) {
        Ok(_) => panic!("{name} loaded"),
        Err(e) => e.to_string(),
    }
}

/// The built-in registry without `calx-mineralization` (which the tests load dynamically);
/// the built-in analyses stay.
fn generic_only() -> Registry {
    let builtin = calx::builtin_registry();
    let mut r = Registry::new();
    for t in builtin.iter().filter(|t| t.provider == "calx-generic") {
        r.register(&t.provider, t.unit_type.clone()).expect("distinct");
    }
    for a in builtin.analyses() {
        r.register_analysis(&a.provider, a.analysis_type.clone()).expect("distinct");
    }
    r
}

/// A small flowsheet around one unit of `unit_type` with `params`, using `plugins`.
fn flowsheet(plugins: &[PathBuf], unit_type: &str, params: &str) -> String {
    let list: Vec<String> = plugins.iter().map(|p| format!("\"{}\"", p.display())).collect();
    format!(
        "schema_version: 1\nname: plugin fault\nplugins: [{}]\ncomponents:\n  use: [CaO, H2O]\nstreams:\n  feed: {{ flows: {{ CaO: 1 t/h, H2O: 2 t/h }} }}\nunits:\n  suspect:\n    type: {unit_type}\n    in: {{ in: feed }}\n    out: {{ out: product }}\n{params}",
        list.join(", ")
    )
}

/// Load, build and solve a flowsheet text; the first error as text.
fn solve(text: &str, builtin: &Registry) -> Result<calx_core::result::FlowsheetResult, String> {
    let options = calx::LoadOptions::default().with_registry(builtin.clone());
    let project = calx::Project::from_text(text, "fault.yaml", &root(), &options).map_err(|e| e.to_string())?;
    let mut f = project.build().map_err(|d| d.to_string())?;
    f.solve().map_err(|e| e.to_string())
}

#[test]
fn abi_major_mismatch_is_refused_with_both_versions() {
    let e = err("calx_fixture_abi_mismatch");
    let (major, minor) = plugin_host::HOST_ABI;
    assert!(e.contains("libcalx_fixture_abi_mismatch") || e.contains("calx_fixture_abi_mismatch"), "{e}");
    assert!(e.contains(&format!("plugin ABI version {}.7", major + 1)), "{e}");
    assert!(e.contains(&format!("plugin ABI {major}.{minor}")), "{e}");
}

#[test]
fn a_library_without_the_entry_symbol_is_not_a_calx_plugin() {
    let e = err("calx_fixture_no_entry");
    assert!(e.contains("not a Calx plugin") && e.contains("calx_plugin_entry_v1"), "{e}");
    // libloading's own message with its cause (the symbol lookup failure), not just "dlsym failed".
    assert!(e.contains("undefined symbol") || e.contains("not found") || e.contains("could not"), "{e}");
}

#[test]
fn a_text_file_is_not_a_calx_plugin_and_is_refused_without_being_loaded() {
    let path = root().join("tests/fixtures/plugins/not-a-library.so");
    let e = load_path(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("not-a-library.so: not a Calx plugin"), "{e}");
    assert!(e.contains("invalid ELF header") || e.contains("file too short") || e.contains("not a valid"), "{e}");
}

#[test]
fn a_listed_library_without_the_marker_is_refused_before_the_loader_opens_it() {
    let no_entry = lib("calx_fixture_no_entry");
    let text = problems(&entry(&no_entry.display().to_string()), &root());
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(text[0].contains("not a Calx plugin") && text[0].contains("`calx_plugin_entry_v1` not found"), "{text:?}");
    assert!(text[0].contains("checked without loading it"), "{text:?}");
    // Its initialisers never ran: the loader never mapped it.
    assert!(!mapped(&no_entry), "{} was handed to the dynamic loader", no_entry.display());
}

#[test]
fn an_entry_beside_a_flowsheet_given_by_bare_file_name_resolves_to_an_absolute_path() {
    // `calx check plant.yaml` in the flowsheet's directory: the base directory is "", and a
    // path without a slash would make the dynamic loader search its own directories.
    // Cargo runs tests in the package's directory, which holds its Cargo.toml.
    let (cwd, name) = (std::env::current_dir().unwrap(), "Cargo.toml");
    assert!(cwd.join(name).is_file(), "{}", cwd.display());
    let found = calx::resolve(name, Path::new(""), &[]).unwrap();
    assert_eq!(found, vec![cwd.join(name).canonicalize().unwrap()]);
    assert!(found[0].is_absolute(), "{found:?}");
}

#[test]
fn a_loaded_plugin_is_loaded_by_its_canonical_absolute_path() {
    // A relative path that does name the file (from the working directory) is still refused:
    // the caller makes paths absolute, the host never hands a relative one to the loader.
    let path = lib("calx_fixture_duplicate");
    let cwd = std::env::current_dir().unwrap();
    let relative = std::iter::repeat_n("..", cwd.components().count() - 1)
        .collect::<PathBuf>()
        .join(path.strip_prefix("/").unwrap_or(&path));
    let file = std::fs::File::open(&relative).unwrap();
    let e = plugin_host::check(&relative, file).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("a plugin is loaded by absolute path only"), "{e}");
    // Through `calx`, the same entry written relative to a base loads by its canonical path.
    let (_, loaded) = calx::load_plugins(&entry(&relative.display().to_string()), &cwd, &[], &generic_only())
        .unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(loaded[0].path, path.canonicalize().unwrap());
}

#[test]
fn a_panic_in_calculate_names_plugin_unit_and_message_and_does_not_abort() {
    let e = solve(&flowsheet(&[lib("calx_fixture_faulty")], "panicking", ""), &generic_only()).unwrap_err();
    assert!(e.contains("unit `suspect` (panicking)"), "{e}");
    assert!(e.contains("libcalx_fixture_faulty") && e.contains("panicked"), "{e}");
    assert!(e.contains("fixture panic: calculate exploded"), "{e}");
}

#[test]
fn nan_infinite_negative_and_mass_creating_outlets_are_rejected_naming_the_unit() {
    let cases = [("nan", "NaN"), ("infinite", "inf"), ("negative", "negative"), ("mass", "does not conserve mass")];
    for (fault, expect) in cases {
        let text =
            flowsheet(&[lib("calx_fixture_faulty")], "bad_outlet", &format!("    params: {{ fault: {fault} }}\n"));
        let e = solve(&text, &generic_only()).unwrap_err();
        assert!(e.contains("unit `suspect` (bad_outlet)") && e.contains(expect), "{fault}: {e}");
    }
}

#[test]
fn a_unit_type_in_two_plugins_is_an_error_naming_both_files() {
    let (a, b) = (lib("calx_fixture_faulty"), lib("calx_fixture_duplicate"));
    let e = solve(&flowsheet(&[a.clone(), b.clone()], "shared_name", ""), &generic_only()).unwrap_err();
    assert!(e.contains("unit type `shared_name` is provided twice"), "{e}");
    assert!(e.contains(&a.display().to_string()) && e.contains(&b.display().to_string()), "{e}");
}

#[test]
fn a_plugin_type_clashing_with_a_built_in_names_the_built_in_and_the_file() {
    let mineral = lib("calx_mineralization");
    let e = solve(&flowsheet(std::slice::from_ref(&mineral), "mixer", ""), &calx::builtin_registry()).unwrap_err();
    assert!(
        e.contains("is provided twice: by calx-mineralization and by") && e.contains(&mineral.display().to_string()),
        "{e}"
    );
}

#[test]
fn a_directory_entry_loads_every_calx_plugin_inside_and_skips_other_libraries() {
    let dir = plugin_dir();
    // The profile directory holds the duplicate pair, so loading it all must name both files.
    let text = problems(&entry(&dir.display().to_string()), &root());
    assert!(text.iter().any(|m| m.contains("`shared_name` is provided twice")), "{text:?}");
    // The no-entry library is skipped without being opened, the ABI mismatch is reported.
    assert!(!text.iter().any(|m| m.contains("no_entry")), "{text:?}");
    assert!(!mapped(&lib("calx_fixture_no_entry")), "the library without the marker was opened");
    assert!(text.iter().any(|m| m.contains("abi_mismatch")), "{text:?}");
}

#[test]
fn a_directory_without_calx_plugins_is_an_error_and_none_of_its_libraries_is_opened() {
    // As `plugins: [/usr/lib/x86_64-linux-gnu/]`: ordinary libraries, none a Calx plugin.
    let dir = scratch("no-plugins");
    let copy = dir.join(library_file_name("ordinary"));
    std::fs::copy(lib("calx_fixture_no_entry"), &copy).unwrap();
    std::fs::copy(root().join("tests/fixtures/plugins/not-a-library.so"), dir.join("not-a-library.so")).unwrap();
    let text = problems(&entry(&dir.display().to_string()), &root());
    let shown = dir.canonicalize().unwrap().display().to_string();
    assert_eq!(
        text,
        vec![format!(
            "plugin directory {shown}: no Calx plugin in it (2 other libraries skipped without being opened: they do not export `calx_plugin_entry_v1`)"
        )]
    );
    assert!(!mapped(&copy.canonicalize().unwrap()), "a library without the marker was opened");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plugin_declaring_bad_names_is_refused_naming_file_type_and_fault() {
    insta::assert_snapshot!(redact(&err("calx_fixture_bad_names")), @r"
    [libs]/libcalx_fixture_bad_names.so: plugin refused, its manifest declares 9 problems:
      unit type number 1 (no name): the type name is empty
      unit type `twice`: the type name is declared twice in this library
      unit type `bell\u{7}unit`: the type name contains the control character U+0007
      unit type `ports`: inlet 1: the name is empty
      unit type `ports`: inlet `in` is declared twice
      unit type `ports`: outlet `tab\tport`: the name contains the control character U+0009
      unit type `params`: parameter 1: the name is empty
      unit type `params`: parameter `ratio` is declared twice
      unit type `params`: parameter `new\nline`: the name contains the control character U+000A
    ");
}

#[test]
fn a_plugin_declaring_defaults_outside_their_kinds_is_refused_naming_each() {
    insta::assert_snapshot!(redact(&err("calx_fixture_bad_defaults")), @r#"
    [libs]/libcalx_fixture_bad_defaults.so: plugin refused, its manifest declares 9 problems:
      unit type `defaults`: parameter `fraction_above_one`: default 1.5 is not of the declared kind: fraction between 0 and 1
      unit type `defaults`: parameter `fraction_below_zero`: default -0.25 is not of the declared kind: fraction between 0 and 1
      unit type `defaults`: parameter `whole_with_fraction`: default 2.5 is not of the declared kind: whole number
      unit type `defaults`: parameter `number_as_text`: default "3" is not of the declared kind: number
      unit type `defaults`: parameter `text_as_number`: default 3 is not of the declared kind: text
      unit type `defaults`: parameter `bool_as_text`: default "yes" is not of the declared kind: true or false
      unit type `defaults`: parameter `choice_not_listed`: default "medium" is not of the declared kind: one of fast, slow
      unit type `defaults`: parameter `split_above_one`: default key `CaO`: 2 is not of the declared kind: fraction between 0 and 1
      unit type `defaults`: parameter `list_item_of_wrong_kind`: default item 2: true is not of the declared kind: text
    "#);
}

#[test]
fn declaration_problems_come_back_one_per_line_of_the_flowsheet_diagnostics() {
    let path = lib("calx_fixture_bad_defaults");
    let text = problems(&entry(&path.display().to_string()), &root());
    assert_eq!(text.len(), 9, "{text:?}");
    let prefix = format!("{}: plugin refused: unit type `defaults`: parameter `", path.display());
    assert!(text.iter().all(|m| m.starts_with(&prefix)), "{text:?}");
}

#[test]
fn a_shipped_plugin_that_is_not_built_says_which_command_builds_it() {
    // Each crate in plugins/, by the bare name a flowsheet uses, looked for where it is not.
    let crates: Vec<String> = std::fs::read_dir(root().join("plugins"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert!(crates.len() >= 3, "{crates:?}");
    for c in &crates {
        let e = calx::resolve(&c.replace('-', "_"), &root().join("flowsheets"), &[]).unwrap_err().to_string();
        assert!(e.contains("run `cargo xtask build-plugins`") && e.contains(&format!("(plugins/{c})")), "{e}");
    }
    // The shipped example as the README's commands leave it (no CALX_PLUGIN_PATH).
    let options = calx::LoadOptions::default();
    let e = calx::Project::load(&root().join("flowsheets/flue-gas-cyclone.yaml"), &options).err().unwrap().to_string();
    assert!(e.contains("no libcalx_cyclone.so") && e.contains("`cargo xtask build-plugins`"), "{e}");
    // Another missing name gets no such hint.
    let e = calx::resolve("calx_nothing_here", &root(), &[]).unwrap_err().to_string();
    assert!(!e.contains("xtask"), "{e}");
}

#[test]
fn a_bare_library_name_is_found_in_the_search_path() {
    let found = calx::resolve("calx_fixture_faulty", &root(), &[plugin_dir().to_path_buf()]).unwrap();
    assert_eq!(found, vec![lib("calx_fixture_faulty")]);
    let e = calx::resolve("calx_nothing_here", &root(), &[]).unwrap_err().to_string();
    assert!(e.contains(&library_file_name("calx_nothing_here")) && e.contains("CALX_PLUGIN_PATH"), "{e}");
}

#[test]
fn the_reference_plant_gives_bit_identical_streams_with_mineralization_loaded_dynamically() {
    let rel = "flowsheets/kigam-cfbc-2022.yaml";
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    let (_, static_result) = calx_tests::solve(rel).unwrap();
    let mut registry = generic_only();
    let loaded = load("calx_mineralization").unwrap();
    for t in &loaded.unit_types {
        registry.register(&loaded.path.display().to_string(), t.clone()).unwrap();
    }
    let model = calx_flowsheet::parse(&text, rel, &registry).unwrap();
    // Every mineralization unit really is the loaded one.
    let dynamic_types: Vec<&str> = loaded.manifest.units.iter().map(|d| d.type_name.as_str()).collect();
    assert!(model.def.units.iter().any(|u| dynamic_types.contains(&u.unit_type.descriptor().type_name.as_str())));
    let dynamic_result = model.build().unwrap().solve().unwrap();
    assert_eq!(static_result.streams.len(), dynamic_result.streams.len());
    for (s, d) in static_result.streams.iter().zip(&dynamic_result.streams) {
        let bits = |x: &calx_core::Stream| -> Vec<u64> {
            x.flows.iter().chain([&x.temperature, &x.pressure]).map(|v| v.to_bits()).collect()
        };
        assert_eq!(bits(&s.stream), bits(&d.stream), "stream {}", s.name);
    }
    for (s, d) in static_result.units.iter().zip(&dynamic_result.units) {
        assert_eq!(s.report, d.report, "report of {}", s.name);
    }
}

/// The manifest of every shipped plugin: a change to a unit's ports, parameters, defaults or
/// sources shows up in review.
#[test]
fn manifests_of_the_shipped_plugins() {
    for name in ["calx_generic", "calx_mineralization", "calx_cyclone", "calx_water_footprint"] {
        let p = load(name).unwrap_or_else(|e| panic!("{e}"));
        let mut m = p.manifest.clone();
        m.plugin_version = "(version)".into();
        m.sdk_version = "(version)".into();
        insta::assert_json_snapshot!(format!("manifest__{name}"), m);
    }
}

const WATER: &str = "flowsheets/kigam-cfbc-2022-water.yaml";

/// The built-in registry with the water footprint linked statically, through the same
/// `Registry::register_analysis` the built-in analyses and the loaded libraries use.
fn with_static_water_footprint() -> Registry {
    let mut r = calx::builtin_registry();
    for t in calx_water_footprint::analysis_types() {
        r.register_analysis(calx_water_footprint::PROVIDER, t).expect("no clash with the built-ins");
    }
    r
}

/// The water flowsheet solved with its analyses in full: the plugin loaded from its library
/// (as the file says), or linked statically (the `plugins:` line dropped).
fn water_analyses(dynamic: bool) -> Vec<calx::AnalysisOutput> {
    let text = std::fs::read_to_string(root().join(WATER)).unwrap();
    let (text, registry) = if dynamic {
        (text, calx::builtin_registry())
    } else {
        (text.replace("plugins: [calx_water_footprint]", ""), with_static_water_footprint())
    };
    let options = calx::LoadOptions { registry, plugin_search: vec![plugin_dir().to_path_buf()] };
    let project =
        calx::Project::from_text(&text, WATER, &root().join("flowsheets"), &options).unwrap_or_else(|e| panic!("{e}"));
    if dynamic {
        assert_eq!(project.plugins().len(), 1, "the library is loaded");
    } else {
        assert!(project.plugins().is_empty());
    }
    project.solve().unwrap_or_else(|e| panic!("{e}")).analyses
}

#[test]
fn the_water_footprint_loaded_dynamically_equals_it_linked_statically_bit_for_bit() {
    let (dynamic, linked) = (water_analyses(true), water_analyses(false));
    let water = |list: &[calx::AnalysisOutput]| list.iter().find(|a| a.name == "water_footprint").cloned().unwrap();
    let (d, s) = (water(&dynamic), water(&linked));
    let bits = |o: &calx::AnalysisOutput| -> Vec<(String, u64, String)> {
        o.metrics.iter().map(|m| (m.name.clone(), m.value.to_bits(), m.unit.clone())).collect()
    };
    assert_eq!(bits(&d), bits(&s));
    // Report part (blocks, chart, summary figures), text, CSV and JSON alike.
    assert!(d.report.is_some());
    assert_eq!(d, s);
    assert_eq!(dynamic, linked, "every analysis of the flowsheet");
}

/// The figures path (every sample of a study) takes the flat path across the boundary: the
/// same bits as linked statically, run after run (the layout sent once, the numbers each
/// time), and after a flowsheet of another layout.
#[test]
fn the_water_footprints_figures_loaded_dynamically_equal_them_linked_statically() {
    let figures = |dynamic: bool| {
        let text = std::fs::read_to_string(root().join(WATER)).unwrap();
        let (text, registry) = if dynamic {
            (text, calx::builtin_registry())
        } else {
            (text.replace("plugins: [calx_water_footprint]", ""), with_static_water_footprint())
        };
        let options = calx::LoadOptions { registry, plugin_search: vec![plugin_dir().to_path_buf()] };
        let project = calx::Project::from_text(&text, WATER, &root().join("flowsheets"), &options).unwrap();
        let result = project.solve().unwrap().result;
        let model = project.model();
        let first = calx::run_figures(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
        let again = calx::run_figures(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, again);
        // A plant of another layout (one stream fewer), then this one again.
        let mut other = result.clone();
        other.streams.pop();
        let _ = calx::run_figures(&model.analyses, &other);
        let third = calx::run_figures(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, third);
        first
    };
    let bits = |list: Vec<calx::AnalysisOutput>| -> Vec<(String, u64, String)> {
        list.into_iter().flat_map(|a| a.metrics).map(|m| (m.name, m.value.to_bits(), m.unit)).collect()
    };
    let (dynamic, linked) = (bits(figures(true)), bits(figures(false)));
    assert!(dynamic.iter().any(|(n, _, _)| n == "consumption"));
    assert_eq!(dynamic, linked);
}

#[test]
fn the_water_footprint_runs_after_the_lca_it_reads_and_balances_its_water() {
    let analyses = water_analyses(true);
    // Declared first in the file, run second: it reads the LCA.
    let names: Vec<&str> = analyses.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["lca", "water_footprint"]);
    let metric = |a: usize, name: &str| analyses[a].metric(name).unwrap_or_else(|| panic!("{name}"));
    let (withdrawal, consumption, returned) =
        (metric(1, "withdrawal"), metric(1, "consumption"), metric(1, "returned"));
    // Hand check, per t of product: withdrawal = process water + cooling-tower make-up,
    // consumption = withdrawal - returned; the make-up is evaporation x C/(C-1), C = 5.
    let (process, makeup, evaporation) =
        (metric(1, "process_water"), metric(1, "cooling_makeup"), metric(1, "evaporation"));
    assert!((withdrawal - (process + makeup)).abs() < 1e-12 * withdrawal);
    assert!((consumption - (withdrawal - returned)).abs() < 1e-12 * withdrawal);
    assert!((makeup - evaporation * 5.0 / 4.0).abs() < 1e-12 * makeup);
    // The process water is Table 4's 7,437.53 kg per t of product over the simulated product
    // (999.81 kg per t of Table 4's basis): about 7.439 m3/t.
    assert!((process - 7.43753 / 0.99981).abs() < 2e-3, "{process}");
    // Per t of the LCA's net reduction: m3/yr consumed over t CO2-eq/yr reduced.
    let solved = calx_tests::solve(WATER).unwrap().1;
    let product_kg_s: f64 = solved.stream("product").unwrap().stream.flows.iter().sum();
    let m3_per_year = consumption * product_kg_s * calx_core::SECONDS_PER_YEAR / 1000.0;
    // The LCA gives it in kg CO2-eq/yr.
    let net = metric(0, "net_reduction_per_year") / 1000.0;
    assert!(analyses[0].metrics.iter().any(|m| m.name == "net_reduction_per_year" && m.unit.starts_with("kg ")));
    let per_co2 = metric(1, "consumption_per_net_co2");
    assert!((per_co2 - m3_per_year / net).abs() < 1e-9 * per_co2, "{per_co2} vs {}", m3_per_year / net);
}

#[test]
fn a_study_over_the_plugin_analysis_metric_is_the_same_on_one_and_two_threads() {
    // The study varies the plugin analysis's own parameter: each worker sets it in place
    // across the boundary (`set_number`), which must equal creating the analysis again for
    // every sample, and the statically linked analysis, bit for bit.
    let text = "study: water\nflowsheet: kigam-cfbc-2022-water.yaml\nseed: 3\nsamples: 12\nsampling: random\nparameters:\n  - path: analyses.water_footprint.cycles_of_concentration\n    distribution: { type: uniform, low: 3, high: 7 }\nmetrics:\n  - analyses.water_footprint.consumption\n  - analyses.water_footprint.withdrawal\n";
    let prepare = |dynamic: bool| {
        let def = calx_study::parse_study(text).unwrap_or_else(|e| panic!("{e}"));
        let flowsheet = std::fs::read_to_string(root().join(WATER)).unwrap();
        let (flowsheet, registry) = if dynamic {
            (flowsheet, calx::builtin_registry())
        } else {
            (flowsheet.replace("plugins: [calx_water_footprint]", ""), with_static_water_footprint())
        };
        let options = calx::LoadOptions { registry, plugin_search: vec![plugin_dir().to_path_buf()] };
        calx_study::Study::prepare(def, &flowsheet, WATER, &options).unwrap_or_else(|e| panic!("{e}"))
    };
    let on = |study: &calx_study::Study, n: usize| {
        rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(|| study.run(0..12))
    };
    let study = prepare(true);
    assert!(study.sets_analyses_in_place(), "the loaded analysis takes its parameter in place");
    let (one, two) = (on(&study, 1), on(&study, 2));
    assert!(one.iter().all(|s| s.outcome.is_ok()), "{:?}", one.iter().find(|s| s.outcome.is_err()));
    assert_eq!(one, two);
    // The cycles move the blowdown, so the samples differ.
    assert_ne!(one[0].outcome, one[1].outcome);
    assert_eq!(one, on(&prepare(true).creating_analyses_per_sample(), 2));
    let linked = prepare(false);
    assert!(linked.sets_analyses_in_place());
    assert_eq!(one, on(&linked, 2));
}

/// A one-mixer flowsheet with the analysis fault fixture's analysis set to `fault`.
fn faulty_analysis_flowsheet(fault: &str) -> String {
    format!(
        "schema_version: 1\nname: analysis fault\nplugins: [\"{}\"]\ncomponents:\n  use: [CaO, H2O]\nstreams:\n  feed: {{ flows: {{ CaO: 1 t/h, H2O: 2 t/h }} }}\nunits:\n  mix:\n    type: mixer\n    in: {{ in: [feed] }}\n    out: {{ out: product }}\nanalyses:\n  faulty_analysis:\n    fault: {fault}\n",
        lib("calx_fixture_analysis_faults").display()
    )
}

/// Load, solve and analyse a flowsheet text; the error as text, the library directory redacted.
fn analyse_error(text: &str) -> String {
    let options = calx::LoadOptions::default().with_registry(generic_only());
    let project = calx::Project::from_text(text, "fault.yaml", &root(), &options).unwrap_or_else(|e| panic!("{e}"));
    match project.solve() {
        Ok(_) => panic!("the faulty analysis passed"),
        Err(e) => redact(&e.to_string()),
    }
}

#[test]
fn a_well_behaved_plugin_analysis_passes() {
    let options = calx::LoadOptions::default().with_registry(generic_only());
    let project = calx::Project::from_text(&faulty_analysis_flowsheet("none"), "fault.yaml", &root(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let solved = project.solve().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(solved.analyses[0].metric("m"), Some(1.0));
    assert_eq!(project.plugins()[0].abi, plugin_host::HOST_ABI);
}

#[test]
fn plugin_analysis_faults_are_contained_and_name_the_library() {
    let e = |fault: &str| analyse_error(&faulty_analysis_flowsheet(fault));
    insta::assert_snapshot!(e("panic"), @r#"
    analysis `faulty_analysis`: plugin [libs]/libcalx_fixture_analysis_faults.so panicked in analysis type `faulty_analysis`: fixture panic: analysis exploded
    "#);
    insta::assert_snapshot!(e("nan"), @r#"
    analysis `faulty_analysis`: plugin [libs]/libcalx_fixture_analysis_faults.so, analysis type `faulty_analysis`: metric `m` is NaN: an input is beyond what this analysis can compute with
    "#);
    insta::assert_snapshot!(e("no_unit"), @r#"
    analysis `faulty_analysis`: plugin [libs]/libcalx_fixture_analysis_faults.so, analysis type `faulty_analysis`: metric `m` has no unit (a plain number's unit is `1`)
    "#);
    insta::assert_snapshot!(e("twice"), @r#"
    analysis `faulty_analysis`: plugin [libs]/libcalx_fixture_analysis_faults.so, analysis type `faulty_analysis`: metric `m` is returned twice
    "#);
    insta::assert_snapshot!(e("script"), @r#"
    analysis `faulty_analysis`: plugin [libs]/libcalx_fixture_analysis_faults.so, analysis type `faulty_analysis`: report drawing `fixture` is refused: it holds a script
    "#);
}

#[test]
fn a_plugin_analysis_drawing_of_shapes_and_text_reaches_the_report() {
    let options = calx::LoadOptions::default().with_registry(generic_only());
    let project = calx::Project::from_text(&faulty_analysis_flowsheet("drawing"), "fault.yaml", &root(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let solved = project.solve().unwrap_or_else(|e| panic!("{e}"));
    let part = solved.analyses[0].report.as_ref().expect("the fixture reports a part");
    let calx_core::report::Block::Drawing(d) = &part.blocks[0] else { panic!("{:?}", part.blocks) };
    assert!(d.svg.contains("<text x=\"1\" y=\"9\">m</text>"), "{}", d.svg);
    let doc =
        calx_document::document(&calx_document::Input::new(&project, &solved), &calx_document::Options::default());
    let html = calx_document::html(&doc);
    // Inline in the page (the HTML report drops the SVG namespace attribute only).
    assert!(html.contains(r#"<rect width="10" height="10"/><text x="1" y="9">m</text>"#), "the drawing is shown");
    assert!(html.contains("A drawing"), "with its caption");
}

#[test]
fn a_plugin_analysis_type_declared_twice_is_refused_naming_the_file() {
    insta::assert_snapshot!(redact(&err("calx_fixture_analysis_twice")), @r#"
    [libs]/libcalx_fixture_analysis_twice.so: plugin refused, its manifest declares 1 problem:
      analysis type `twice`: the type name is declared twice in this library
    "#);
}

#[test]
fn a_plugin_analysis_named_like_a_built_in_or_reading_nothing_is_refused_naming_the_file() {
    let path = lib("calx_fixture_analysis_clash");
    let found = problems(&entry(&path.display().to_string()), &root());
    insta::assert_snapshot!(redact(&found.join("\n")), @r#"
    analysis type `lca` is provided twice: by calx-lca and by [libs]/libcalx_fixture_analysis_clash.so
    [libs]/libcalx_fixture_analysis_clash.so: plugin refused: analysis type `reads_nothing` reads analysis type `no_such_analysis`, which neither Calx nor a listed plugin provides (known: carbon, lca, reads_nothing, tea)
    "#);
}

#[test]
fn a_unit_only_plugin_built_against_abi_1_0_keeps_loading_and_solving() {
    let p = load("calx_fixture_abi_1_0").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.abi, (plugin_host::HOST_ABI.0, 0));
    assert!(p.analysis_types.is_empty() && p.manifest.analyses.is_empty());
    assert_eq!(p.manifest.units.len(), 1);
    let result = solve(&flowsheet(&[lib("calx_fixture_abi_1_0")], "old_pass_through", ""), &generic_only())
        .unwrap_or_else(|e| panic!("{e}"));
    let (feed, product) = (result.stream("feed").unwrap(), result.stream("product").unwrap());
    assert_eq!(feed.stream.flows, product.stream.flows);
}

#[test]
fn a_plant_study_with_the_plugin_analysis_equals_it_linked_statically_on_any_thread_count() {
    // Varying the plant keeps the analyses: their figures take the flat path (numbers only
    // after the first sample's layout), on every worker thread.
    let text = "study: water plant\nflowsheet: kigam-cfbc-2022-water.yaml\nseed: 5\nsamples: 16\nsampling: random\nparameters:\n  - path: units.hydration.conversion.CaO\n    distribution: { type: uniform, low: 0.25, high: 0.48 }\nmetrics:\n  - analyses.water_footprint.consumption\n  - analyses.water_footprint.consumption_per_net_co2\n  - analyses.lca.net_reduction_per_functional_unit\n";
    let run = |dynamic: bool, threads: usize| {
        let def = calx_study::parse_study(text).unwrap_or_else(|e| panic!("{e}"));
        let flowsheet = std::fs::read_to_string(root().join(WATER)).unwrap();
        let (flowsheet, registry) = if dynamic {
            (flowsheet, calx::builtin_registry())
        } else {
            (flowsheet.replace("plugins: [calx_water_footprint]", ""), with_static_water_footprint())
        };
        let options = calx::LoadOptions { registry, plugin_search: vec![plugin_dir().to_path_buf()] };
        let study = calx_study::Study::prepare(def, &flowsheet, WATER, &options).unwrap_or_else(|e| panic!("{e}"));
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| study.run(0..16))
    };
    let dynamic_one = run(true, 1);
    assert!(dynamic_one.iter().all(|s| s.outcome.is_ok()), "{:?}", dynamic_one.iter().find(|s| s.outcome.is_err()));
    assert_ne!(dynamic_one[0].outcome, dynamic_one[1].outcome);
    assert_eq!(dynamic_one, run(true, 2));
    assert_eq!(dynamic_one, run(false, 2));
}

/// The water flowsheet with its `water_footprint:` block's `product: product` line followed by `extra`.
fn water_with(extra: &str) -> Result<calx::Project, String> {
    let text = std::fs::read_to_string(root().join(WATER)).unwrap().replace(
        "    product: product\n    # The filtrate",
        &format!("    product: product\n{extra}    # The filtrate"),
    );
    let options =
        calx::LoadOptions { registry: calx::builtin_registry(), plugin_search: vec![plugin_dir().to_path_buf()] };
    calx::Project::from_text(&text, WATER, &root().join("flowsheets"), &options).map_err(|e| e.to_string())
}

#[test]
fn a_plugin_analysis_block_is_checked_with_file_line_and_column_like_a_built_in() {
    // An unknown parameter, a value of the wrong kind, and one the analysis refuses when created.
    let unknown = water_with("    cycles: 4\n").err().expect("refused");
    assert!(
        unknown.contains("kigam-cfbc-2022-water.yaml:119:5") && unknown.contains("has no parameter `cycles`"),
        "{unknown}"
    );
    assert!(unknown.contains("cycles_of_concentration"), "the allowed names: {unknown}");
    let kind = water_with("    tower_share: 130 %\n").err().expect("refused");
    assert!(kind.contains("kigam-cfbc-2022-water.yaml:119:18") && kind.contains("tower_share"), "{kind}");
    let refused = water_with("    cycles_of_concentration: 1\n").err().expect("refused");
    assert!(refused.contains("kigam-cfbc-2022-water.yaml:119:5"), "{refused}");
    assert!(refused.contains("must be a number above 1"), "{refused}");
    assert!(water_with("    cycles_of_concentration: 4\n").is_ok());
}
