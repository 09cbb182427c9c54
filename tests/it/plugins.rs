//! Plugins loaded from real dynamic libraries: the fixture libraries in
//! `tests/fixtures/plugins/` (wrong ABI version, no entry symbol, panics, spoiled outlets,
//! a duplicate unit type), the shipped plugins' manifests (insta snapshots), and the
//! reference plant solved with `calx-mineralization` loaded dynamically, which must give
//! bit-identical streams to the statically linked run.
//!
//! The libraries are built by the test itself (`cargo build` into `target/plugin-libraries`,
//! once per test run), so a clean clone needs nothing else.

use std::path::PathBuf;

use calx::library_file_name;
use calx_core::Registry;
use calx_plugin_host::{self as plugin_host, LoadedPlugin, PluginError};
use calx_tests::{plugin_dir, root};

fn lib(name: &str) -> PathBuf {
    plugin_dir().join(library_file_name(name))
}

fn load(name: &str) -> Result<LoadedPlugin, PluginError> {
    plugin_host::load(&lib(name))
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
fn a_text_file_is_not_a_calx_plugin_and_the_loaders_message_is_kept() {
    let path = root().join("tests/fixtures/plugins/not-a-library.so");
    let e = plugin_host::load(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("not-a-library.so: not a Calx plugin"), "{e}");
    assert!(e.contains("invalid ELF header") || e.contains("file too short") || e.contains("not a valid"), "{e}");
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
    let entries = vec![calx_flowsheet::PluginEntry {
        path: dir.display().to_string(),
        loc: calx_flowsheet::Loc { line: 1, column: 1 },
    }];
    // The profile directory holds the duplicate pair, so loading it all must name both files.
    let e = calx::load_plugins(&entries, &root(), &[], &generic_only()).err().unwrap_or_default();
    let text: Vec<&str> = e.iter().map(|(_, m)| m.as_str()).collect();
    assert!(text.iter().any(|m| m.contains("`shared_name` is provided twice")), "{text:?}");
    // The no-entry library is skipped, the ABI mismatch is reported.
    assert!(!text.iter().any(|m| m.contains("no_entry")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("abi_mismatch")), "{text:?}");
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
    for name in ["calx_generic", "calx_mineralization", "calx_cyclone"] {
        let p = load(name).unwrap_or_else(|e| panic!("{e}"));
        let mut m = p.manifest.clone();
        m.plugin_version = "(version)".into();
        m.sdk_version = "(version)".into();
        insta::assert_json_snapshot!(format!("manifest__{name}"), m);
    }
}
