//! Snapshot files in insta's format: a `---` header with `source:`, then the body. Pending
//! (unaccepted) snapshots use insta's `.snap.new` suffix.

use std::path::{Path, PathBuf};

/// A snapshot file's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotFile {
    /// What produced it (the flowsheet path, relative where possible).
    pub source: String,
    /// The rendered snapshot.
    pub body: String,
}

impl SnapshotFile {
    /// The file text.
    pub fn to_text(&self) -> String {
        format!("---\nsource: {}\n---\n{}\n", self.source, self.body.trim_end())
    }

    /// Read file text (with or without a header).
    pub fn parse(text: &str) -> SnapshotFile {
        let text = text.replace("\r\n", "\n");
        if let Some(rest) = text.strip_prefix("---\n")
            && let Some((header, body)) = rest.split_once("\n---\n")
        {
            let source = header
                .lines()
                .find_map(|l| l.strip_prefix("source:"))
                .map(|s| s.trim().trim_matches('"').to_string())
                .unwrap_or_default();
            return SnapshotFile { source, body: body.trim_end().to_string() };
        }
        SnapshotFile { source: String::new(), body: text.trim_end().to_string() }
    }
}

/// Where the snapshot of `flowsheet` lives: `snapshots/<stem>.snap` beside it.
pub fn snapshot_path(flowsheet: &Path) -> PathBuf {
    let stem = flowsheet.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    flowsheet.parent().unwrap_or(Path::new("")).join("snapshots").join(format!("{stem}.snap"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_and_live_beside_the_flowsheet() {
        let f = SnapshotFile { source: "flowsheets/a.yaml".into(), body: "flowsheet: a\nstreams:".into() };
        assert_eq!(SnapshotFile::parse(&f.to_text()), f);
        assert_eq!(snapshot_path(Path::new("flowsheets/a.yaml")), Path::new("flowsheets/snapshots/a.snap"));
    }
}
