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
    // The test command does its own set-up (installs what the tests need), so it is the one
    // command a fresh machine needs; .ci/run runs exactly it.
    let test_command = "cargo xtask ci";
    assert!(readme.contains(test_command), "README.md must give `{test_command}`");
    let run_lines: Vec<&str> =
        ci.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("set ")).collect();
    assert_eq!(run_lines.last(), Some(&test_command), ".ci/run must end by running `{test_command}`");
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
/// façade reading the flowsheet it is asked to load and the plugin directories it lists, and
/// the test support reading and writing snapshot files), and no hash-ordered collections.
#[test]
fn library_code_does_no_io_and_uses_no_hash_order() {
    let mut broken = Vec::new();
    for dir in crate_dirs() {
        let name = crate_name(&dir);
        // The binaries: the command, and the fuzz tool (which prints its report and saves
        // findings).
        if name == "calx-cli" || name == "calx-fuzz" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            // Only the code above the unit tests counts.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let mut banned = vec!["println!", "eprintln!", "process::exit", "HashMap", "HashSet"];
            // The façade reads the flowsheet it loads; calx-testing reads and writes snapshot
            // files (it is what tests call to do exactly that).
            if name != "calx" && name != "calx-testing" {
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

/// Every file under the root that reads as UTF-8 text, with its text, sorted by path; build
/// output (`target`) and git metadata (`.git`) are not part of the tree.
fn text_files() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.ends_with("target") || p.ends_with(".git") {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root(), &mut out);
    out
}

/// Top-level directories of the tree: a path starting with one of them names a file in it.
const TREE_DIRS: [&str; 6] = ["crates", "plugins", "tests", "xtask", "docs", "flowsheets"];

/// Documents kept outside the repository that the tree used to cite (reference notes); name
/// them by `docs/sources.md` instead. Split so that this file does not cite them itself.
const OUTSIDE_DOCUMENTS: [&str; 2] = [concat!("domain", "-data"), concat!("kigam-cfbc-2022", ".md")];

/// The headings (`#` to `######`) of a Markdown text, outside fenced code blocks.
fn headings(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let text = line.trim_start_matches('#');
        if !fenced && text.len() < line.len() && line.len() - text.len() <= 6 && text.starts_with(' ') {
            out.push(text.trim().to_string());
        }
    }
    out
}

/// The documents a line names (paths ending in `.md`), each with the section texts that bind
/// to it: what follows a `§` after the last document named before it on the line. With no
/// document before it, a `§` in a Markdown file (`own`, its file name) cites a section of that
/// file; elsewhere it is a book's or a paper's section, not a citation of a file.
fn cited_documents(line: &str, own: Option<&str>) -> Vec<(String, Vec<String>)> {
    let is_path = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut docs: Vec<(usize, String, Vec<String>)> = own.map(|f| (0, f.to_string(), Vec::new())).into_iter().collect();
    let mut markers: Vec<(usize, char)> = line.match_indices(".md").map(|(i, _)| (i, 'd')).collect();
    markers.extend(line.match_indices('§').map(|(i, _)| (i, 's')));
    markers.sort();
    for (i, kind) in markers {
        if kind == 'd' {
            let end = i + 3;
            if line[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let start = line[..i].char_indices().rev().take_while(|(_, c)| is_path(*c)).last().map_or(i, |(j, _)| j);
            docs.push((start, line[start..end].to_string(), Vec::new()));
        } else if let Some((_, _, sections)) = docs.last_mut() {
            sections.push(line[i + '§'.len_utf8()..].trim_start().to_string());
        }
    }
    docs.into_iter().map(|(_, doc, sections)| (doc, sections)).collect()
}

/// Whether a document named as `doc` is a citation to check: a path into the tree (or a
/// relative or absolute one), or a document a section is cited from. Bare file names without
/// a section (`report.md` as an output name) are not.
fn is_document_citation(doc: &str, sections: &[String]) -> bool {
    let first = doc.split('/').next().unwrap_or("");
    !sections.is_empty()
        || (doc.contains('/') && (TREE_DIRS.contains(&first) || doc.starts_with("../") || doc.starts_with('/')))
}

/// The file `doc` names, cited from `file`: resolved against the citing file's directory and
/// each directory above it up to the root, and only if it lies inside the repository.
fn resolve_document(file: &Path, doc: &str) -> Option<PathBuf> {
    let root = root().canonicalize().ok()?;
    if doc.starts_with('/') {
        return None;
    }
    file.ancestors()
        .skip(1)
        .filter_map(|dir| dir.join(doc).canonicalize().ok())
        .find(|p| p.starts_with(&root) && p.is_file())
}

/// Whether `cited` (the text after a `§`) starts with one of `headings`, followed by the end
/// of the text or a character that cannot continue a heading's word.
fn names_a_heading(cited: &str, headings: &[String]) -> bool {
    headings.iter().any(|h| {
        !h.is_empty()
            && cited.strip_prefix(h.as_str()).is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
    })
}

/// Sources inside the repository (issue 13): every document the tree cites exists in the
/// repository, every cited section (as in `docs/sources.md §Mine backfill`) is a heading of
/// that document, and nothing cites the reference notes kept outside it.
#[test]
fn every_cited_document_and_section_exists() {
    let mut broken = Vec::new();
    for (file, text) in text_files() {
        let name = relative(&file);
        let own = file.file_name().and_then(|f| f.to_str()).filter(|f| f.ends_with(".md"));
        for (n, line) in text.lines().enumerate() {
            let at = format!("{name}:{}", n + 1);
            for outside in OUTSIDE_DOCUMENTS {
                if line.contains(outside) {
                    broken.push(format!(
                        "{at}: cites `{outside}`, which is not in the repository; cite the section of docs/sources.md that holds the figure"
                    ));
                }
            }
            for (doc, sections) in cited_documents(line, own) {
                if !is_document_citation(&doc, &sections) {
                    continue;
                }
                let Some(path) = resolve_document(&file, &doc) else {
                    broken.push(format!("{at}: cites `{doc}`, which is not a file in the repository"));
                    continue;
                };
                let heads = headings(&std::fs::read_to_string(&path).unwrap_or_default());
                for cited in sections {
                    if !names_a_heading(&cited, &heads) {
                        let shown: String = cited.chars().take_while(|c| !")];,\"`'".contains(*c)).take(60).collect();
                        broken
                            .push(format!("{at}: cites `{doc} §{shown}`, but {} has no such heading", relative(&path)));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "citations of documents or sections that do not exist:\n{}", broken.join("\n"));
}

/// No file names a location that exists only on some machine (a home directory, scratch or
/// temporary space, this project's workspace mount, a Windows drive): such a path breaks on
/// every other machine and leaks where the tree was written. Example paths use placeholders
/// (`$SCRATCH/...`) or paths relative to the repository.
#[test]
fn no_absolute_machine_paths_in_the_tree() {
    // Built from names so that this file does not match itself. Not listed, because they are the
    // same on every machine or declared by the example that uses them: system locations
    // (`/usr/bin`, `/bin/sh`) and a container's own mount points (`/config`, `/out` in
    // docs/scale-out.md). Nothing else needs an exception.
    let machine_dirs = ["work", "root", "home", "Users", "tmp", "mnt", "scratch", "var/folders"];
    let mut found = Vec::new();
    for (file, text) in text_files() {
        let name = relative(&file);
        for (n, line) in text.lines().enumerate() {
            let starts_a_path = |i: usize| !line[..i].ends_with(|c: char| c.is_alphanumeric() || "._-$}".contains(c));
            for dir in machine_dirs {
                let pattern = format!("/{dir}/");
                if line.match_indices(&pattern).any(|(i, _)| starts_a_path(i)) {
                    found.push(format!("{name}:{}: `{pattern}`", n + 1));
                }
            }
            // A drive: an upper-case letter, a colon and a backslash, at the start of a word.
            let bytes = line.as_bytes();
            for (i, _) in line.match_indices(":\\") {
                let letter = i.checked_sub(1).map(|j| bytes[j]);
                let before = i.checked_sub(2).map(|j| bytes[j]);
                if letter.is_some_and(|b| b.is_ascii_uppercase()) && !before.is_some_and(|b| b.is_ascii_alphanumeric())
                {
                    found.push(format!(
                        "{name}:{}: drive path `{}`",
                        n + 1,
                        line[i - 1..]
                            .chars()
                            .take_while(|c| !c.is_whitespace() && !"\"'`".contains(*c))
                            .take(40)
                            .collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "absolute machine paths (use a path relative to the repository or a placeholder):\n{}",
        found.join("\n")
    );
}

/// The formatting rustfmt writes (rustfmt.toml): `cargo fmt --check` finds nothing to change.
#[test]
fn the_tree_is_formatted_as_rustfmt_writes_it() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(root())
        .args(["fmt", "--all", "--", "--check", "--files-with-diff"])
        .output()
        .unwrap_or_else(|e| panic!("cargo fmt does not run: {e}"));
    let files = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "files that `cargo fmt --all` would change:\n{}{}",
        files,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The crate graph of ARCHITECTURE.md: which workspace crate may use which (normal
/// dependencies; tests and benches may use more). An edge not listed here is an error, and
/// so is a listed edge that no longer exists (the list stays true).
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    ("calx-core", &[]),
    ("calx-solver", &[]),
    ("calx-aqueous", &[]),
    ("calx-kinetics", &["calx-solver"]),
    ("calx-fit", &[]),
    ("calx-engine", &["calx-core", "calx-solver"]),
    ("calx-flowsheet", &["calx-core", "calx-aqueous", "calx-engine"]),
    ("calx-plugin-abi", &[]),
    ("calx-plugin-sdk", &["calx-core", "calx-plugin-abi"]),
    ("calx-plugin-host", &["calx-core", "calx-plugin-abi"]),
    ("calx-generic", &["calx-core", "calx-plugin-sdk"]),
    ("calx-mineralization", &["calx-core", "calx-aqueous", "calx-kinetics", "calx-plugin-sdk"]),
    ("calx-cyclone", &["calx-plugin-sdk"]),
    ("calx-water-footprint", &["calx-plugin-sdk"]),
    ("calx-equipment", &["calx-core", "calx-plugin-sdk"]),
    ("calx-lca", &["calx-core"]),
    ("calx-tea", &["calx-core", "calx-solver"]),
    ("calx-carbon", &["calx-core", "calx-flowsheet"]),
    ("calx-snapshot", &["calx-core"]),
    (
        "calx",
        &[
            "calx-carbon",
            "calx-core",
            "calx-engine",
            "calx-fit",
            "calx-flowsheet",
            "calx-kinetics",
            "calx-plugin-host",
            "calx-generic",
            "calx-equipment",
            "calx-mineralization",
            "calx-lca",
            "calx-solver",
            "calx-tea",
        ],
    ),
    ("calx-testing", &["calx", "calx-core", "calx-snapshot"]),
    ("calx-fuzz", &["calx", "calx-core", "calx-study", "calx-document", "calx-snapshot", "calx-plugin-host"]),
    ("calx-study", &["calx", "calx-core", "calx-engine", "calx-flowsheet"]),
    ("calx-document", &["calx", "calx-core", "calx-flowsheet", "calx-study"]),
    ("calx-python", &["calx", "calx-core", "calx-document", "calx-study"]),
    (
        "calx-cli",
        &["calx", "calx-core", "calx-flowsheet", "calx-snapshot", "calx-plugin-host", "calx-study", "calx-document"],
    ),
];

/// The workspace crates a manifest's `[dependencies]` name.
fn internal_dependencies(manifest: &Path) -> Vec<String> {
    dependencies(manifest).into_iter().filter(|d| d == "calx" || d.starts_with("calx-")).collect()
}

#[test]
fn crates_depend_only_on_the_crates_the_architecture_allows() {
    let mut broken = Vec::new();
    for dir in crate_dirs() {
        let name = crate_name(&dir);
        let Some((_, allowed)) = ALLOWED_EDGES.iter().find(|(c, _)| *c == name) else {
            broken.push(format!("{name}: not in ALLOWED_EDGES (add it, with the crates it may use)"));
            continue;
        };
        let actual = internal_dependencies(&dir.join("Cargo.toml"));
        for dep in actual.iter().filter(|d| !allowed.contains(&d.as_str())) {
            broken.push(format!("{name} -> {dep}: not an allowed edge"));
        }
        for dep in allowed.iter().filter(|d| !actual.iter().any(|a| a == *d)) {
            broken.push(format!("{name} -> {dep}: allowed but gone (remove it from ALLOWED_EDGES)"));
        }
    }
    let known: Vec<String> = crate_dirs().iter().map(|d| crate_name(d)).collect();
    for (name, _) in ALLOWED_EDGES.iter().filter(|(c, _)| !known.iter().any(|k| k == c)) {
        broken.push(format!("{name}: in ALLOWED_EDGES but not in the workspace"));
    }
    assert!(broken.is_empty(), "the crate graph differs from ARCHITECTURE.md:\n  {}", broken.join("\n  "));
}

/// Longest a library function may be, in lines after rustfmt (signature to closing brace).
const MAX_FUNCTION_LINES: usize = 120;

/// Functions of `text` as (name, first line, lines), up to the first `#[cfg(test)]`. A
/// function is a line starting (after indentation and qualifiers) with `fn NAME` whose body
/// closes on a line holding only `}` at the same indentation, as rustfmt writes it.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().take_while(|l| !l.trim_start().starts_with("#[cfg(test)]")).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let mut rest = body;
        // (`unsafe` spelled in two pieces so that the unsafe-code check does not see it here.)
        for qualifier in
            ["pub(crate) ", "pub(super) ", "pub ", "const ", "async ", concat!("uns", "afe "), "extern \"C\" "]
        {
            rest = rest.strip_prefix(qualifier).unwrap_or(rest);
        }
        let name: String = rest
            .strip_prefix("fn ")
            .map_or_else(String::new, |r| r.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        let one_liner = body.ends_with('}') || body.ends_with(';');
        if name.is_empty() || one_liner {
            i += 1;
            continue;
        }
        let close = format!("{indent}}}");
        let end = (i..lines.len()).find(|&j| lines[j] == close || (j == i && lines[j].ends_with(';')));
        match end {
            Some(end) => {
                out.push((name, i + 1, end - i + 1));
                i = end + 1;
            }
            None => i += 1,
        }
    }
    out
}

#[test]
fn library_functions_are_at_most_120_lines() {
    let mut long = Vec::new();
    for dir in crate_dirs() {
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for f in files.iter().filter(|f| !f.ends_with("tests.rs") && !relative(f).contains("/tests/")) {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for (name, line, n) in functions(&text).into_iter().filter(|(_, _, n)| *n > MAX_FUNCTION_LINES) {
                long.push(format!("{}:{line}: `{name}` is {n} lines", relative(f)));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them into stages with names that explain them):\n  {}",
        long.join("\n  ")
    );
}

#[test]
fn the_function_length_check_sees_functions_as_rustfmt_writes_them() {
    let text = "fn a() {\n    1\n}\n\npub(crate) fn b(x: u8) -> u8 {\n    if x > 0 {\n        x\n    } else {\n        0\n    }\n}\nfn c() {}\n#[cfg(test)]\nfn d() {\n}\n";
    assert_eq!(functions(text), vec![("a".to_string(), 1, 3), ("b".to_string(), 5, 7)]);
}
