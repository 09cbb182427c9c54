//! Invalid flowsheets in `tests/data/invalid/`: each must be refused, the rendered
//! diagnostics are snapshot-tested, and each file's first line `# expect: TEXT` names text the
//! message must contain (so a snapshot cannot silently accept a wrong message).

use calx_tests::{files, load, relative};

#[test]
fn every_invalid_flowsheet_is_refused_with_its_expected_diagnostic() {
    let all = files("tests/data/invalid", "yaml");
    assert!(all.len() >= 15, "at least 15 kinds of mistakes are covered, found {}", all.len());
    for path in &all {
        let rel = relative(path);
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{rel}: first line must be `# expect: TEXT`"))
            .trim()
            .to_string();
        let message = match load(&rel) {
            Err(message) => message,
            Ok(model) => match model.build() {
                Err(d) => d.to_string(),
                Ok(_) => panic!("{rel}: was accepted, but it is invalid"),
            },
        };
        assert!(message.contains(&expect), "{rel}: message does not contain {expect:?}:\n{message}");
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        insta::assert_snapshot!(format!("invalid__{stem}"), message);
    }
}
