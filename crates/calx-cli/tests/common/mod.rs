//! What the command's integration tests share: the sorted names of the files a command
//! wrote into a directory.

use std::path::Path;

/// File names in `dir`, sorted (none if it cannot be read).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect())
        .unwrap_or_default();
    names.sort();
    names
}
