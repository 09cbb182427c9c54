//! Invalid flowsheets in `tests/data/invalid/`: each must be refused, the rendered
//! diagnostics are snapshot-tested, and each file's first line `# expect: TEXT` names text the
//! message must contain (so a snapshot cannot silently accept a wrong message).

use calx_tests::{files, flowsheet_files, load, relative};

/// One invalid flowsheet: refused, with the expected text, and the message its snapshot holds.
fn check_invalid(path: &std::path::Path) -> Result<(), String> {
    let rel = relative(path);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let expect = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
        .ok_or_else(|| format!("{rel}: first line must be `# expect: TEXT`"))?
        .trim()
        .to_string();
    let message = match load(&rel) {
        Err(message) => message,
        Ok(model) => match model.build() {
            Err(d) => d.to_string(),
            Ok(_) => return Err(format!("{rel}: was accepted, but it is invalid")),
        },
    };
    if !message.contains(&expect) {
        return Err(format!("{rel}: message does not contain {expect:?}:\n{message}"));
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    std::panic::catch_unwind(|| insta::assert_snapshot!(format!("invalid__{stem}"), message))
        .map_err(|_| format!("{rel}: the message differs from its snapshot (see above)"))
}

#[test]
fn every_invalid_flowsheet_is_refused_with_its_expected_diagnostic() {
    let all = files("tests/data/invalid", "yaml");
    assert!(all.len() >= 15, "at least 15 kinds of mistakes are covered, found {}", all.len());
    // Every file is checked, and every one that fails is listed: one failure hides no other.
    let failures: Vec<String> = all.iter().filter_map(|p| check_invalid(p).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} invalid flowsheets failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

/// Library code never panics on user input: every shipped flowsheet with each line deleted in
/// turn, and cut off at many points, is either refused with diagnostics or solved (or fails
/// to solve with an error) — never a panic.
#[test]
fn mutilated_flowsheets_give_errors_never_panics() {
    let registry = calx::builtin_registry();
    let mut tried = 0;
    for path in flowsheet_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let mut variants: Vec<String> = (0..lines.len())
            .map(|i| lines.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, l)| *l).collect::<Vec<_>>().join("\n"))
            .collect();
        let cuts: Vec<usize> = (1..text.len()).step_by(37).filter(|&i| text.is_char_boundary(i)).collect();
        variants.extend(cuts.iter().map(|&i| text[..i].to_string()));
        for (n, v) in variants.iter().enumerate() {
            tried += 1;
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                if let Ok(model) = calx_flowsheet::parse(v, "mutilated.yaml", &registry)
                    && let Ok(mut f) = model.build()
                {
                    let _ = f.solve();
                }
            }));
            assert!(outcome.is_ok(), "{} variant {n} panicked:\n{v}", relative(&path));
        }
    }
    assert!(tried > 200, "only {tried} variants");
}
