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
    let flowsheets: Vec<String> =
        files("flowsheets", "yaml").iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect();
    let invalid: Vec<String> =
        files("tests/data/invalid", "yaml").iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect();
    let mut orphans = Vec::new();
    for snap in files("tests/it/snapshots", "snap") {
        let name = snap.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        // insta names them `it__<module>__<name>.snap`.
        let ok = match name.rsplit_once("__flowsheet__").or_else(|| name.rsplit_once("__invalid__")) {
            Some((_, stem)) if name.contains("__flowsheet__") => flowsheets.iter().any(|f| f == stem),
            Some((_, stem)) => invalid.iter().any(|f| f == stem),
            None => false,
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
    assert!(readme.contains("cargo run --release -- run flowsheets/"), "README.md must give the command that runs a shipped flowsheet");
}
