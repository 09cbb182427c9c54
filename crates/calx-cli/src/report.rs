//! `calx report FILE`: solve a flowsheet and write its report — one self-contained HTML file,
//! or Markdown with the figures as SVG files beside it — and `calx run FILE --report PATH`.
//! The document itself is built by `calx-document`; this module reads the study directory,
//! chooses the format and writes the files (atomically).

use std::path::{Path, PathBuf};

use calx::{LoadOptions, Project, Solved};
use calx_document::{Input, Options, SankeyBasis, StudyFiles, StudyResults};

use crate::Failure;
use crate::files::{self, write_atomic};

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// One self-contained HTML file: inline styles and SVG, no scripts, no network requests.
    Html,
    /// Markdown tables, with the charts as SVG files in a directory `NAME-files` beside it.
    Md,
}

/// Basis of the Sankey diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sankey {
    /// Per unit of production: the flowsheet's `basis:` (e.g. kg/t_product), else the LCA's
    /// functional unit, else per hour.
    PerUnit,
    /// Per year of operation, in t/yr.
    PerYear,
}

/// Arguments of `calx report`.
#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The flowsheet file (YAML).
    file: PathBuf,
    /// Write the report here (default for HTML: standard output). Markdown needs a file: its
    /// SVG figures go to the directory `NAME-files` beside it.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format (default: from the extension of -o, `.md` for Markdown, else HTML).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Basis of the Sankey diagram of mass flows.
    #[arg(long, value_enum, default_value_t = Sankey::PerUnit)]
    sankey: Sankey,
    /// Show a parameter study too: the output directory of `calx study` (samples.csv,
    /// summary.csv, spearman.csv, tornado.csv, sweep.csv) run on this flowsheet.
    #[arg(long, value_name = "DIR")]
    study: Option<PathBuf>,
}

/// The format a path asks for: Markdown for `.md` / `.markdown`, else HTML.
pub(crate) fn format_of(path: &Path) -> ReportFormat {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("md" | "markdown") => ReportFormat::Md,
        _ => ReportFormat::Html,
    }
}

/// Read whichever study files exist in `dir`.
fn read_study(dir: &Path) -> Result<StudyResults, Failure> {
    if !dir.is_dir() {
        return Err(Failure::invalid(format!(
            "error: --study {}: not a directory (give the output directory of `calx study`)",
            dir.display()
        )));
    }
    let read = |name: &str| -> Result<Option<String>, Failure> {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Failure::invalid(format!("error: cannot read {}: {e}", dir.join(name).display()))),
        }
    };
    let names = ["samples.csv", "summary.csv", "spearman.csv", "tornado.csv", "sweep.csv"];
    files::OutputSet::verify(dir, &names).map_err(|e| Failure::invalid(format!("error: --study {e}")))?;
    let files = StudyFiles {
        samples: read("samples.csv")?,
        summary: read("summary.csv")?,
        spearman: read("spearman.csv")?,
        tornado: read("tornado.csv")?,
        sweep: read("sweep.csv")?,
    };
    StudyResults::parse(&files).map_err(|e| Failure::invalid(format!("error: --study {}: {e}", dir.display())))
}

/// The directory of a Markdown report's figures: `report.md` -> `report-files`.
fn asset_dir(path: &Path) -> (PathBuf, String) {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let name = format!("{stem}-files");
    (path.with_file_name(&name), name)
}

/// Write one file of the report: never over an input of the command, and, where a file is
/// already there, only over one Calx wrote (`ours`).
fn write(path: &Path, text: &str, inputs: &[PathBuf], ours: fn(&Path) -> bool) -> Result<(), Failure> {
    files::guard(path, inputs, ours).map_err(Failure::output)?;
    write_atomic(path, text).map_err(|e| Failure::output(format!("cannot write {}: {e}", path.display())))
}

/// A figure of an earlier Markdown report: an SVG file.
fn is_svg_figure(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.trim_start().starts_with("<svg"))
}

/// Run `f` without printing the panics of `layout-rs`: on a few graphs it fails an assertion
/// of its own, which `calx-document` catches and answers with a plainer layout, so the
/// message would only alarm. Any other panic is reported as usual.
fn without_layout_panic_messages<T>(f: impl FnOnce() -> T) -> T {
    type Hook = dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync;
    let previous: std::sync::Arc<Hook> = std::sync::Arc::from(std::panic::take_hook());
    let forward = std::sync::Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        if !info.location().is_some_and(|l| l.file().contains("layout-rs")) {
            forward(info);
        }
    }));
    let out = f();
    std::panic::set_hook(Box::new(move |info| previous(info)));
    out
}

/// Build the report and write it to `path` (`None`: HTML to standard output). Returns what
/// was written (`report.html`; `report.md and 9 figures in report-files`), or `None` for
/// standard output.
pub(crate) fn write_report(
    input: &Input<'_>,
    options: &Options,
    format: ReportFormat,
    path: Option<&Path>,
) -> Result<Option<String>, Failure> {
    let doc = without_layout_panic_messages(|| calx_document::document(input, options));
    let inputs = [PathBuf::from(&input.model.file)];
    match (format, path) {
        (ReportFormat::Html, None) => crate::print(calx_document::html(&doc).trim_end()).map(|()| None),
        (ReportFormat::Html, Some(p)) => {
            write(p, &calx_document::html(&doc), &inputs, files::is_calx_report)?;
            Ok(Some(p.display().to_string()))
        }
        (ReportFormat::Md, None) => {
            Err(Failure::invalid("error: a Markdown report needs -o FILE.md (its SVG figures are written beside it)"))
        }
        (ReportFormat::Md, Some(p)) => {
            let (dir, link) = asset_dir(p);
            let md = calx_document::markdown(&doc, &link);
            files::guard(p, &inputs, files::is_calx_report).map_err(Failure::output)?;
            // Figures first, so the Markdown never links to a file that is not there yet.
            for a in &md.assets {
                write(&dir.join(&a.name), &a.text, &inputs, is_svg_figure)?;
            }
            write(p, &md.text, &inputs, files::is_calx_report)?;
            Ok(Some(format!("{} and {} figures in {}", p.display(), md.assets.len(), dir.display())))
        }
    }
}

/// The report `calx run --report PATH` writes (default options; format from the extension).
pub(crate) fn for_run(project: &Project, solved: &Solved, path: &Path) -> Result<String, Failure> {
    let input = Input::new(project, solved);
    Ok(write_report(&input, &Options::default(), format_of(path), Some(path))?.unwrap_or_default())
}

/// What the study found, for the analyses that make something of it: the samples of its
/// metrics and how many failed. A study directory without `samples.csv` has no samples to
/// give: that is an error when the flowsheet's analyses would use them (a carbon ledger whose
/// `credited_per_year` the study records), so that the report never says "no study" when one
/// was given.
fn study_samples(s: &StudyResults, args: &ReportArgs) -> Result<calx::StudySamples, Failure> {
    let uses_samples = s.metrics.iter().any(|m| m.ends_with(".credited_per_year"));
    match s.sample_count {
        Some((_, failed)) => Ok(calx::StudySamples { metrics: s.metric_columns(), failed }),
        None if uses_samples => Err(Failure::invalid(format!(
            "error: --study {}: samples.csv is missing, and the carbon ledger's uncertainty deduction needs the samples",
            args.study.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
        ))),
        None => Ok(calx::StudySamples::default()),
    }
}

/// `calx report`.
pub(crate) fn command(options: &LoadOptions, args: ReportArgs) -> Result<(), Failure> {
    let format = args.format.or(args.output.as_deref().map(format_of)).unwrap_or(ReportFormat::Html);
    if format == ReportFormat::Md && args.output.is_none() {
        return Err(Failure::invalid(
            "error: a Markdown report needs -o FILE.md (its SVG figures are written beside it)",
        ));
    }
    // Check the study directory before spending time on the solve.
    let study = args.study.as_deref().map(read_study).transpose()?;
    let project = crate::load(options, &args.file)?;
    // With a study, analyses that make something of its samples (the carbon ledger's
    // uncertainty deduction) report with them.
    let solved = match &study {
        Some(s) => project.solve_with_study(&study_samples(s, &args)?)?.0,
        None => project.solve()?,
    };
    let options = Options {
        sankey: match args.sankey {
            Sankey::PerUnit => SankeyBasis::PerUnit,
            Sankey::PerYear => SankeyBasis::PerYear,
        },
    };
    let input = Input { study: study.as_ref(), ..Input::new(&project, &solved) };
    match write_report(&input, &options, format, args.output.as_deref())? {
        Some(wrote) => crate::print(&format!("wrote {wrote}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn solved() -> (Project, Solved) {
        let project = crate::load(&LoadOptions::default(), &root().join("flowsheets/lime-slaking-recycle.yaml"))
            .unwrap_or_else(|f| panic!("{}", f.message));
        let solved = project.solve().unwrap_or_else(|e| panic!("{e}"));
        (project, solved)
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("calx-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn the_format_follows_the_extension() {
        assert_eq!(format_of(Path::new("r.md")), ReportFormat::Md);
        assert_eq!(format_of(Path::new("r.MARKDOWN")), ReportFormat::Md);
        assert_eq!(format_of(Path::new("r.html")), ReportFormat::Html);
        assert_eq!(format_of(Path::new("r")), ReportFormat::Html);
        assert_eq!(
            asset_dir(Path::new("out/report.md")),
            (PathBuf::from("out/report-files"), "report-files".to_string())
        );
    }

    #[test]
    fn markdown_is_written_with_its_figures_beside_it() {
        let (project, solved) = solved();
        let dir = temp("md");
        let path = dir.join("plant.md");
        let wrote = for_run(&project, &solved, &path).unwrap_or_else(|f| panic!("{}", f.message));
        assert!(wrote.contains("plant-files"), "{wrote}");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let links: Vec<&str> = text
            .match_indices("](plant-files/")
            .map(|(i, _)| &text[i + 2..i + 2 + text[i + 2..].find(')').unwrap_or(0)])
            .collect();
        assert!(links.len() >= 2, "{text}");
        for l in links {
            assert!(dir.join(l).is_file(), "{l} is linked but missing");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unwritable_output_is_exit_code_3() {
        let (project, solved) = solved();
        let dir = temp("unwritable");
        // A path below a regular file cannot be created.
        let blocker = dir.join("file");
        std::fs::write(&blocker, "x").unwrap_or_else(|e| panic!("{e}"));
        let err = for_run(&project, &solved, &blocker.join("report.html"))
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.code, 3);
        assert!(err.message.contains("cannot write") && err.message.contains("report.html"), "{}", err.message);
        let err =
            for_run(&project, &solved, &blocker.join("report.md")).err().unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.code, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_study_directory_without_results_is_invalid_input() {
        let dir = temp("study");
        let err = read_study(&dir).err().unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.code, 2);
        assert!(err.message.contains("no study results"), "{}", err.message);
        let err = read_study(&dir.join("missing")).err().unwrap_or_else(|| panic!("expected an error"));
        assert!(err.message.contains("not a directory"), "{}", err.message);
        std::fs::write(dir.join("summary.csv"), "metric,n_ok,n_failed,mean,sd,p5,p50,p95\nm,1,0,1,0,1,1,1\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(read_study(&dir).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
