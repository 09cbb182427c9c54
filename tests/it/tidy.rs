//! Tidy checks that keep the tree honest (rust-analyzer style): module docs, no stubs, no
//! `unsafe` outside the plugin boundary, no orphaned snapshots, and the README's two commands
//! matching `.ci/run`.

use std::path::{Path, PathBuf};

use calx_tests::{files, relative, root};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && !p.ends_with("target") && !p.ends_with("snapshots") {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn all_rust() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["crates", "plugins", "xtask", "tests"] {
        rust_files(&root().join(dir), &mut out);
    }
    out
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<String> = all_rust()
        .into_iter()
        .filter(|p| !std::fs::read_to_string(p).unwrap_or_default().trim_start().starts_with("//!"))
        .map(|p| relative(&p))
        .collect();
    assert!(missing.is_empty(), "files without a `//!` module doc: {missing:?}");
}

#[test]
fn no_stubs_or_debug_output_in_the_tree() {
    let banned = [concat!("todo", "!("), concat!("unimplemented", "!("), concat!("dbg", "!(")];
    let mut found = Vec::new();
    for p in all_rust() {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for b in banned {
            if text.contains(b) {
                found.push(format!("{}: {b}", relative(&p)));
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn unsafe_code_only_at_the_plugin_boundary() {
    let offenders: Vec<String> = all_rust()
        .into_iter()
        .filter(|p| !relative(p).starts_with("crates/calx-plugin-"))
        .filter(|p| std::fs::read_to_string(p).unwrap_or_default().contains(concat!("unsafe", " ")))
        .map(|p| relative(&p))
        .collect();
    assert!(offenders.is_empty(), "`unsafe` outside crates/calx-plugin-*: {offenders:?}");
}

#[test]
fn every_snapshot_belongs_to_an_existing_flowsheet_or_test_input() {
    let stems = |dir: &str, ext: &str| -> Vec<String> {
        files(dir, ext).iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect()
    };
    let flowsheets = stems("flowsheets", "yaml");
    let invalid = stems("tests/data/invalid", "yaml");
    let mut orphans = Vec::new();
    // Flowsheet snapshots live beside the flowsheets (`flowsheets/snapshots/<stem>.snap`).
    for snap in files("flowsheets/snapshots", "snap") {
        let stem = snap.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if !flowsheets.contains(&stem) {
            orphans.push(relative(&snap));
        }
    }
    // Diagnostics snapshots are insta's `it__invalid__invalid__<stem>.snap`; plugin manifest
    // snapshots `it__plugins__manifest__<crate with _>.snap` for each crate in `plugins/`.
    let plugin_libs: Vec<String> = std::fs::read_dir(root().join("plugins"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().replace('-', "_")).collect())
        .unwrap_or_default();
    for snap in files("tests/it/snapshots", "snap") {
        let name = snap.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let ok = match name.rsplit_once("__invalid__") {
            Some((_, stem)) => invalid.iter().any(|f| f == stem),
            None => {
                name.strip_prefix("it__plugins__manifest__").is_some_and(|lib| plugin_libs.iter().any(|p| p == lib))
            }
        };
        if !ok {
            orphans.push(relative(&snap));
        }
    }
    assert!(orphans.is_empty(), "snapshots without a flowsheet or test input (delete them): {orphans:?}");
}

#[test]
fn the_readme_commands_are_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap_or_default();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap_or_default();
    let test_command = "cargo test --workspace --locked";
    assert!(readme.contains(test_command), "README.md must give `{test_command}`");
    assert!(ci.contains(test_command), ".ci/run must run `{test_command}`");
    assert!(
        readme.contains("cargo run --release -- run flowsheets/"),
        "README.md must give the command that runs a shipped flowsheet"
    );
}

/// Dependencies named in a crate's manifest (the `[dependencies]` table only).
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && let Some((name, _)) = line.split_once(['=', '.']) {
            out.push(name.trim().to_string());
        }
    }
    out
}

fn crate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for parent in ["crates", "plugins"] {
        if let Ok(rd) = std::fs::read_dir(root().join(parent)) {
            dirs.extend(rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("Cargo.toml").exists()));
        }
    }
    dirs.sort();
    dirs
}

fn crate_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// ARCHITECTURE.md invariants about who may depend on what.
#[test]
fn only_the_allowed_crates_depend_on_yaml_cli_and_logging_output() {
    let rules: [(&str, &[&str]); 4] = [
        ("serde-saphyr", &["calx-flowsheet"]),
        ("clap", &["calx-cli"]),
        ("tracing-subscriber", &["calx-cli"]),
        ("libloading", &["calx-plugin-host"]),
    ];
    let mut broken = Vec::new();
    for dir in crate_dirs() {
        let deps = dependencies(&dir.join("Cargo.toml"));
        for (dep, allowed) in rules {
            if deps.iter().any(|d| d == dep) && !allowed.contains(&crate_name(&dir).as_str()) {
                broken.push(format!("{} depends on {dep}", crate_name(&dir)));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:?}");
}

/// ARCHITECTURE.md invariants: library code does no printing, exiting or file I/O (except the
/// façade reading the flowsheet it is asked to load and the plugin directories it lists), and
/// no hash-ordered collections.
#[test]
fn library_code_does_no_io_and_uses_no_hash_order() {
    let mut broken = Vec::new();
    for dir in crate_dirs() {
        let name = crate_name(&dir);
        if name == "calx-cli" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            // Only the code above the unit tests counts.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let mut banned = vec!["println!", "eprintln!", "process::exit", "HashMap", "HashSet"];
            if name != "calx" {
                banned.push("std::fs");
            }
            for b in banned {
                if code.contains(b) {
                    broken.push(format!("{}: {b}", relative(&f)));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn the_committed_json_schema_is_current() {
    let schema = calx_flowsheet::json_schema(&calx::builtin_registry());
    let generated = serde_json::to_string_pretty(&schema).unwrap_or_default();
    let committed = std::fs::read_to_string(root().join("docs/flowsheet.schema.json")).unwrap_or_default();
    assert!(generated.trim() == committed.trim(), "docs/flowsheet.schema.json is stale: run `cargo xtask schema`");
}
