//! The bad-input catalogue: every mistake a user can make at the command line, in a study
//! file, in an analysis block or with a plugin, one case per file under `tests/data/bad/`,
//! run through the real `calx` binary. (Mistakes inside flowsheet files have their own
//! catalogue, `tests/data/invalid/`, checked by `tests/it/invalid.rs`.)
//!
//! A case file starts with comment lines that say how to run it and what must come out:
//!
//! ```text
//! # calx: check {case}          the arguments ({case}: this file; {copy}: a copy of it in a
//! #                             fresh directory {tmp}; {root}: the repository)
//! # exit: 2                     the exit status
//! # expect: some words          text the message must contain (several lines allowed)
//! ```
//!
//! The rest of the file is whatever the case needs (a flowsheet, a study, nothing). Each
//! case's standard error is snapshot-tested (`tests/snapshots/catalogue__CASE.snap`, temporary
//! paths written as `{tmp}`). All cases run, and every one that fails is listed, so one
//! failure does not hide the rest.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_default()
}

/// A case: its file, arguments, exit status and expected texts.
struct Case {
    name: String,
    file: String,
    args: Vec<String>,
    exit: i32,
    expect: Vec<String>,
}

fn header(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(&format!("# {key}:")))
        .map(|v| v.trim().to_string())
        .collect()
}

fn read_case(path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file = path.strip_prefix(root()).unwrap_or(path).to_string_lossy().replace('\\', "/");
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let line = header(&text, "calx");
    let [args] = line.as_slice() else { return Err(format!("{file}: needs one `# calx: ARGS` line")) };
    let exit =
        header(&text, "exit").first().and_then(|e| e.parse().ok()).ok_or(format!("{file}: needs `# exit: N`"))?;
    let expect = header(&text, "expect");
    if expect.is_empty() {
        return Err(format!("{file}: needs at least one `# expect: TEXT` line"));
    }
    Ok(Case { name, file, args: args.split_whitespace().map(str::to_string).collect(), exit, expect })
}

/// Run a case; what went wrong, if anything (the snapshot is compared by the caller).
fn run(case: &Case, tmp: &Path) -> Result<String, String> {
    let copy = tmp.join(Path::new(&case.file).file_name().unwrap_or_default());
    std::fs::copy(root().join(&case.file), &copy).map_err(|e| format!("cannot copy the case: {e}"))?;
    let fill = |a: &str| {
        a.replace("{case}", &case.file)
            .replace("{copy}", &copy.to_string_lossy())
            .replace("{tmp}", &tmp.to_string_lossy())
            .replace("{root}", &root().to_string_lossy())
    };
    let args: Vec<String> = case.args.iter().map(|a| fill(a)).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_calx"))
        .args(&args)
        .current_dir(root())
        .env_remove("CALX_PLUGIN_PATH")
        .output()
        .map_err(|e| format!("calx does not run: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&*tmp.to_string_lossy(), "{tmp}");
    let stderr = stderr.replace(&*root().to_string_lossy(), "{root}");
    if out.status.code() != Some(case.exit) {
        return Err(format!("exit {:?}, expected {}:\n{stderr}", out.status.code(), case.exit));
    }
    if let Some(missing) = case.expect.iter().find(|e| !stderr.contains(e.as_str())) {
        return Err(format!("the message lacks {missing:?}:\n{stderr}"));
    }
    Ok(stderr)
}

#[test]
fn every_bad_input_gets_its_message_and_exit_status() {
    let dir = root().join("tests/data/bad");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    paths.sort();
    assert!(paths.len() >= 30, "the catalogue has {} cases", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let tmp = std::env::temp_dir().join(format!("calx-bad-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let _ = std::fs::create_dir_all(&tmp);
        let outcome = read_case(path).and_then(|case| {
            let message = run(&case, &tmp)?;
            let snapshot = std::panic::catch_unwind(|| {
                let mut settings = insta::Settings::clone_current();
                settings.set_prepend_module_to_snapshot(false);
                settings.set_input_file(&case.file);
                settings.bind(|| insta::assert_snapshot!(format!("catalogue__{}", case.name), message));
            });
            snapshot.map_err(|_| format!("{}: the message differs from its snapshot (see above)", case.file))
        });
        if let Err(e) = outcome {
            failures.push(format!("{}: {e}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), paths.len(), failures.join("\n\n"));
}
