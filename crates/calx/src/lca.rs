//! The LCA's user background data: an `analyses: lca:` block may name background files
//! (`background:`, in the record format of docs/lca.md, relative to the flowsheet) and write
//! records inline (`records:`). The façade reads the files before the flowsheet is decoded,
//! checks every file and record on top of the shipped data, reporting a problem in the file
//! (or at the record in the flowsheet) with line and column, and registers the LCA with the
//! files, so that `calx-lca` does no I/O.

use std::path::Path;
use std::sync::Arc;

use calx_core::Registry;
use calx_flowsheet::{Diagnostic, Diagnostics, Loc, Source};
use calx_lca::{Database, LcaAnalysisType, LcaError};

use crate::error::LoadError;

/// One `lca` block's user data as written: files and records, each with its position.
struct Block {
    name: String,
    files: Vec<(String, Loc)>,
    records: Vec<(String, Loc)>,
}

/// A background file as read: the name as written, the path shown, the text.
struct Read {
    written: String,
    shown: String,
    text: String,
}

fn blocks(source: &Source) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (param, is_files) in [("background", true), ("records", false)] {
        for (name, items) in source.analysis_lists("lca", param) {
            let at = match out.iter().position(|b| b.name == name) {
                Some(i) => i,
                None => {
                    out.push(Block { name, files: Vec::new(), records: Vec::new() });
                    out.len() - 1
                }
            };
            if is_files { out[at].files = items } else { out[at].records = items }
        }
    }
    out
}

/// Read every file the blocks name (each once), relative to `base`.
fn read_files(source: &Source, base: &Path, blocks: &[Block]) -> Result<Vec<Read>, LoadError> {
    let mut read: Vec<Read> = Vec::new();
    for b in blocks {
        for (written, loc) in &b.files {
            if read.iter().any(|r| &r.written == written) {
                continue;
            }
            let path = base.join(written);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                source.diagnostics(vec![Diagnostic::new(
                    *loc,
                    &format!("analyses.{}.background", b.name),
                    format!("cannot read the background file {}: {e}", path.display()),
                )])
            })?;
            // Shown relative to the flowsheet as it was named, like the flowsheet's own messages.
            let shown = Path::new(source.file()).parent().map_or_else(|| written.into(), |d| d.join(written));
            read.push(Read { written: written.clone(), shown: shown.display().to_string(), text });
        }
    }
    Ok(read)
}

/// The database of one block: the shipped data, its files in order, its records; a problem
/// is reported where it was written.
fn database(source: &Source, block: &Block, read: &[Read]) -> Result<Database, LoadError> {
    let mut db = Database::builtin();
    for (written, loc) in &block.files {
        let Some(file) = read.iter().find(|r| &r.written == written) else { continue };
        db.extend_from_file(&file.text, &file.shown).map_err(|e| match e {
            LcaError::Data { line, column, message } => {
                let at = Loc { line: line as u32, column: column as u32 };
                Diagnostics::of(&file.shown, &file.text, vec![Diagnostic::new(at, "(background data)", message)])
            }
            LcaError::Cell(c) => {
                let at = Loc { line: c.line as u32, column: c.column as u32 };
                let d = Diagnostic::new(at, &c.field, c.message).found(c.found).allowed(c.allowed);
                Diagnostics::of(&file.shown, &file.text, vec![d])
            }
            other => source.diagnostics(vec![Diagnostic::new(*loc, "analyses.lca.background", other.to_string())]),
        })?;
    }
    // One record per item: a multi-line item would shift the records' numbers.
    if let Some((_, loc)) = block.records.iter().find(|(r, _)| r.contains('\n')) {
        let field = format!("analyses.{}.records", block.name);
        return Err(source
            .diagnostics(vec![Diagnostic::new(*loc, &field, "write one record per item (this one has several lines)")])
            .into());
    }
    if !block.records.is_empty() {
        let joined: Vec<&str> = block.records.iter().map(|(r, _)| r.as_str()).collect();
        db.extend_from(&joined.join("\n"), "flowsheet").map_err(|e| {
            let (at, message) = match e {
                // Record `line` is list item `line`; the message names the field.
                LcaError::Data { line, message, .. } => {
                    (block.records.get(line.wrapping_sub(1)).map_or(block.records[0].1, |r| r.1), message)
                }
                other => (block.records[0].1, other.to_string()),
            };
            source.diagnostics(vec![Diagnostic::new(at, &format!("analyses.{}.records", block.name), message)])
        })?;
    }
    Ok(db)
}

/// Check the user background data of every `lca` block of `source` and register the LCA with
/// the files read, when any block has user data.
pub(crate) fn register_background(source: &Source, base: &Path, registry: &mut Registry) -> Result<(), LoadError> {
    let blocks = blocks(source);
    if blocks.is_empty() {
        return Ok(());
    }
    let read = read_files(source, base, &blocks)?;
    for b in &blocks {
        database(source, b, &read)?;
    }
    let files = read.iter().map(|r| (r.written.as_str(), r.shown.as_str(), r.text.as_str()));
    registry.replace_analysis("calx-lca", Arc::new(LcaAnalysisType::with_files(files)));
    Ok(())
}

/// The background database the first `lca` block of the flowsheet file `path` assesses
/// against (files relative to the flowsheet): the shipped data with its files and records;
/// the shipped data alone for a flowsheet without user data, or for no flowsheet. For
/// listings (`calx lca list`).
pub fn lca_database(path: Option<&Path>) -> Result<Database, LoadError> {
    let Some(path) = path else { return Ok(Database::builtin()) };
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })?;
    let source = Source::parse(&text, &path.display().to_string())?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    block_database(&source, &base)
}

fn block_database(source: &Source, base: &Path) -> Result<Database, LoadError> {
    let blocks = blocks(source);
    let Some(first) = blocks.first() else { return Ok(Database::builtin()) };
    let read = read_files(source, base, std::slice::from_ref(first))?;
    database(source, first, &read)
}

/// The formats of `calx lca export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LcaExportFormat {
    /// An olca-schema (v2) JSON-LD zip package (openLCA 2).
    Olca,
    /// A bw2io `BW2Package` (bzip2-compressed JSON) for `BW2Package.import_file`.
    Brightway,
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LcaExportError {
    /// The flowsheet could not be loaded or solved.
    #[error(transparent)]
    Project(#[from] crate::Error),
    /// The flowsheet has no `lca` analysis of that name.
    #[error("{file}: {problem}")]
    NoAnalysis {
        /// The flowsheet.
        file: String,
        /// What is missing, with the analyses there are.
        problem: String,
    },
    /// The assessment or the export refused.
    #[error("analysis `{analysis}`: {message}")]
    Lca {
        /// The analysis's name.
        analysis: String,
        /// Why.
        message: String,
    },
}

/// Solve the flowsheet `path` and export the assessment of its `lca` analysis (the first,
/// or the one named `analysis`) in `format`: the bytes of the file to write.
pub fn lca_export(
    path: &Path,
    options: &crate::LoadOptions,
    analysis: Option<&str>,
    format: LcaExportFormat,
) -> Result<Vec<u8>, LcaExportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| crate::Error::from(LoadError::Io { path: path.to_path_buf(), source }))?;
    let source =
        Source::parse(&text, &path.display().to_string()).map_err(|d| crate::Error::from(LoadError::from(d)))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let project = crate::Project::from_source(&source, &base, options).map_err(crate::Error::from)?;
    let (result, configured) = project.solve_design()?;
    let analyses = configured.as_deref().unwrap_or(&project.model().analyses);
    let lca: Vec<&calx_flowsheet::ConfiguredAnalysis> = analyses.iter().filter(|a| a.type_name == "lca").collect();
    let Some(chosen) = lca.iter().find(|a| analysis.is_none_or(|n| a.name == n)) else {
        let names: Vec<&str> = lca.iter().map(|a| a.name.as_str()).collect();
        let problem = match analysis {
            Some(n) => format!("no `lca` analysis named `{n}` (the flowsheet's: {})", names.join(", ")),
            None => "the flowsheet has no `lca` analysis to export (docs/lca.md)".into(),
        };
        return Err(LcaExportError::NoAnalysis { file: path.display().to_string(), problem });
    };
    let refused = |message: String| LcaExportError::Lca { analysis: chosen.name.clone(), message };
    let blocks = blocks(&source);
    let read = read_files(&source, &base, &blocks).map_err(crate::Error::from)?;
    let files = read.iter().map(|r| (r.written.as_str(), r.shown.as_str(), r.text.as_str()));
    let background =
        LcaAnalysisType::with_files(files).background(&chosen.params).map_err(|e| refused(e.to_string()))?;
    let assessed = calx_lca::assess_with(&result, &background).map_err(|e| refused(e.to_string()))?;
    let info = calx_lca::ExportInfo { calx_version: env!("CARGO_PKG_VERSION").into(), analysis: chosen.name.clone() };
    match format {
        LcaExportFormat::Olca => calx_lca::olca_zip(&assessed, &background, &info),
        LcaExportFormat::Brightway => calx_lca::brightway_bw2package(&assessed, &background, &info),
    }
    .map_err(|e| refused(e.to_string()))
}
