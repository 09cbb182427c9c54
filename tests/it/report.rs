//! The report of the reference plant (`flowsheets/kigam-cfbc-2022.yaml`, with a small run of
//! its uncertainty study): the paper's figures where a reader looks first, byte-identical
//! output, Markdown with its SVG files, and the HTML opened in a real browser — headless
//! Debian `chromium` — with no console message, no network request, every section in the
//! DOM, a non-empty flowsheet diagram and Sankey diagram, and a screenshot that is not
//! blank (kept in `target/test-artifacts/report/`, not in the repository).
//!
//! The browser is `$CALX_CHROMIUM`, else `chromium` (Debian's package, which `.ci/run`
//! installs). Without one the browser test fails, saying how to install it: it is never
//! skipped.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use calx_document::{Document, Input, Options, StudyFiles, StudyResults};
use calx_tests::root;

const FLOWSHEET: &str = "flowsheets/kigam-cfbc-2022.yaml";
const STUDY: &str = "flowsheets/kigam-cfbc-2022-uncertainty.yaml";
/// Sections every report of the reference plant has, in order.
const SECTIONS: [&str; 10] =
    ["summary", "flowsheet", "sankey", "streams", "balance", "solver", "lca", "carbon", "tea", "study"];
/// How long one browser run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

struct Reference {
    doc: Document,
    html: String,
    /// The same report built a second time from a fresh solve.
    html_again: String,
}

/// The output files of a small run of the reference study, as `calx study` writes them.
fn study_files() -> StudyFiles {
    let registry = calx::builtin_registry();
    let text = std::fs::read_to_string(root().join(STUDY)).unwrap_or_else(|e| panic!("{STUDY}: {e}"));
    let mut def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{STUDY}: {e}"));
    def.samples = 32;
    let flowsheet = std::fs::read_to_string(root().join(FLOWSHEET)).unwrap_or_default();
    let options = calx::LoadOptions::default().with_registry(registry);
    let study = calx_study::Study::prepare(def, &flowsheet, FLOWSHEET, &options).unwrap_or_else(|e| panic!("{e}"));
    let def = &study.def;
    let samples = study.run(0..def.samples);
    let columns = calx_study::Columns::of(def, &samples);
    let tornado = study.tornado().unwrap_or_else(|e| panic!("{e}"));
    StudyFiles {
        samples: Some(calx_study::samples_header(def) + &calx_study::samples_csv(&samples, def.metrics.len())),
        summary: Some(calx_study::summary_csv(def, &columns)),
        spearman: Some(calx_study::spearman_csv(def, &columns)),
        tornado: Some(calx_study::tornado_csv(def, &tornado)),
        sweep: def.sweep.as_ref().map(|_| calx_study::sweep_csv(def, &study.sweep())),
    }
}

fn build(study: &StudyResults) -> (Document, String) {
    let (model, result) = calx_tests::solve(FLOWSHEET).unwrap_or_else(|e| panic!("{e}"));
    let analyses = calx::run_reports(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
    let registry = calx::builtin_registry();
    let input =
        Input { model: &model, result: &result, analyses: &analyses, registry: Some(&registry), study: Some(study) };
    let doc = calx_document::document(&input, &Options::default());
    let html = calx_document::html(&doc);
    (doc, html)
}

fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| {
        let study = StudyResults::parse(&study_files())
            .unwrap_or_else(|e| panic!("the report cannot read what `calx study` writes: {e}"));
        let (doc, html) = build(&study);
        let (_, html_again) = build(&study);
        Reference { doc, html, html_again }
    })
}

/// `<section id="ID">...</section>` of a page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\">")).unwrap_or_else(|| panic!("no section `{id}`"));
    let end = html[start..].find("</section>").map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// `target/test-artifacts/report`, next to the build's other outputs (never in the tree).
fn artifacts() -> PathBuf {
    // target/<profile>/deps/it-<hash>
    let exe = std::env::current_exe().unwrap_or_default();
    let target = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root().join("target"));
    let dir = target.join("test-artifacts").join("report");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

#[test]
fn the_summary_shows_the_papers_figures_first() {
    let summary = section(&reference().html, "summary");
    // Jung and Kim 2022 (docs/sources.md §Reference paper KIGAM 2022), each figure computed here:
    let expected = [
        // LCA result: net reduction 45.8 kg CO2-eq/t (30.9 emitted, 76.7 fixed); Calx 45.86
        // with the paper's implied 0.3795 kg/kWh over Table 4's 81.42 kWh/t.
        ("45.86", "net CO2 reduction per t of product"),
        ("kg CO2-eq/t product", "its unit"),
        // Table 7 B/C (1.04 in the text): 244,605,000 / 234,270,043 = 1.0441 (derived).
        ("1.0441", "B/C"),
        // Table 7 IRR 10.65 %: 10.649 % with all CAPEX in year 0 (derived).
        ("10.649 %", "IRR"),
        // Table 7 unit production cost 13,322 KRW/t.
        ("13,322", "unit production cost"),
        ("KRW/t", "its unit"),
        // NPV at 7 %: 128,246,907 KRW (derived; the printed 24,713,465 is not reproducible).
        ("128,246,907", "NPV"),
        // Table 5 CO2 fixed 76.7 kg/t; Calx 76.76.
        ("76.76", "CO2 fixed"),
        // LCA result at plant scale: 805.3 t/yr (45.8 x 17,585); Calx 806.3 (45.86 x 17,583).
        ("806.3", "net reduction per year"),
        // Table 4 electricity 26.12 + 19.35 + 33.2 + 2.75 = 81.42 kWh/t.
        ("81.42", "electricity per t"),
        // Table 2: 17,585 t/yr of complex carbonate.
        ("17,585", "product sold"),
    ];
    for (figure, what) in expected {
        assert!(summary.contains(figure), "the summary must show {what} ({figure}):\n{summary}");
    }
    // The five a reader looks for first lead the summary, in this order.
    let order: Vec<usize> = ["45.86", "1.0441", "10.649 %", "128,246,907", "13,322"]
        .iter()
        .map(|f| summary.find(f).unwrap_or(usize::MAX))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn every_section_is_there_and_the_output_is_byte_identical() {
    let r = reference();
    let ids: Vec<&str> = r.doc.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, SECTIONS);
    assert!(r.html == r.html_again, "two reports of the same flowsheet differ");
    for id in SECTIONS {
        section(&r.html, id);
    }
    // The study section has a tornado, a histogram and a Spearman chart for every metric.
    let study = section(&r.html, "study");
    for kind in ["tornado", "histogram", "spearman"] {
        assert!(study.matches(&format!("<figure id=\"study-{kind}-")).count() >= 5, "{kind} charts missing");
    }
    // Nothing in the page points outside it.
    for banned in ["http:", "https:", " src=", "<link", "@import", "@font-face", "<script"] {
        assert!(!r.html.contains(banned), "the report must not refer outside itself: found `{banned}`");
    }
}

#[test]
fn the_markdown_report_ships_every_svg_it_links() {
    let md = calx_document::markdown(&reference().doc, "kigam-files");
    let mut linked = Vec::new();
    for (i, _) in md.text.match_indices("](kigam-files/") {
        let rest = &md.text[i + "](kigam-files/".len()..];
        linked.push(&rest[..rest.find(')').unwrap_or(0)]);
    }
    let shipped: Vec<&str> = md.assets.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(linked, shipped);
    assert!(shipped.len() >= 20, "{shipped:?}");
    assert!(md.text.contains("45.86") && md.text.contains("| Net CO2 reduction |"), "key figures as a table");
    assert!(
        md.assets.iter().all(|a| a.name.ends_with(".svg") && a.text.starts_with("<svg ") && a.text.ends_with("</svg>"))
    );
}

/// The browser: `$CALX_CHROMIUM`, else `chromium` on the PATH or in /usr/bin.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CALX_CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let candidates = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")]);
    for c in candidates {
        if c.is_file() {
            return c;
        }
    }
    panic!(
        "this test opens the report in headless Chromium, and none was found.\n\
         Install Debian's package (what .ci/run does):  apt-get update && apt-get install -y --no-install-recommends chromium\n\
         or point CALX_CHROMIUM at a Chromium or Chrome binary."
    );
}

/// Run the browser on `page` with `extra` flags; (stdout, stderr). Killed after the timeout.
fn browse(page: &Path, extra: &[String], profile: &Path) -> (String, String) {
    let _ = std::fs::remove_dir_all(profile);
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        // Any host name that slipped in resolves to nothing instead of reaching the network.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd.args(extra);
    cmd.arg(format!("file://{}", page.display()));
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium().display()));
    let mut out = child.stdout.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut t = String::new();
            let _ = s.read_to_string(&mut t);
            t
        })
    });
    let mut err = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut t = String::new();
            let _ = s.read_to_string(&mut t);
            t
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > BROWSER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the browser did not finish within {BROWSER_TIMEOUT:?} and was killed");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("waiting for the browser: {e}"),
        }
    };
    let stdout = out.take().and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.take().and_then(|h| h.join().ok()).unwrap_or_default();
    let _ = std::fs::remove_dir_all(profile);
    assert!(status.success(), "the browser failed ({status}):\n{stderr}");
    (stdout, stderr)
}

/// Records, after the page has loaded, every resource it fetched or tried to fetch, and what
/// the figures look like once rendered.
const PROBE: &str = r#"<script>
window.addEventListener('load', function () {
  var box = function (sel) {
    var e = document.querySelector(sel);
    if (!e) { return [0, 0]; }
    var r = e.getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
  };
  var result = {
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    sections: Array.prototype.map.call(document.querySelectorAll('main > section'), function (s) { return s.id; }),
    diagram_nodes: document.querySelectorAll('#flowsheet-diagram svg g.node').length,
    diagram_paths: document.querySelectorAll('#flowsheet-diagram svg g.edge path').length,
    diagram_box: box('#flowsheet-diagram svg'),
    sankey_links: document.querySelectorAll('#sankey svg g.link path').length,
    sankey_nodes: document.querySelectorAll('#sankey svg g.node rect').length,
    sankey_box: box('#sankey svg'),
    figures: document.querySelectorAll('figure svg').length
  };
  var pre = document.createElement('pre');
  pre.id = 'calx-probe';
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>"#;

/// Lines of the browser's log that come from the page: console messages (the report has no
/// script, so any is an error) and Content-Security-Policy violations.
fn page_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Content Security Policy") || l.contains("Refused to"))
        .collect()
}

#[test]
fn the_reference_report_opens_offline_in_headless_chromium() {
    let r = reference();
    let dir = artifacts();
    let page = dir.join("kigam-cfbc-2022.html");
    std::fs::write(&page, &r.html).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    // 1. The DOM, with the probe appended to a copy of the page.
    let probed = dir.join("kigam-cfbc-2022.probe.html");
    std::fs::write(&probed, r.html.replacen("</body>", &format!("{PROBE}</body>"), 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let (dom, log) = browse(
        &probed,
        &["--dump-dom".into(), "--window-size=1280,2400".into(), "--virtual-time-budget=5000".into()],
        &dir.join("profile-dom"),
    );
    let messages = page_messages(&log);
    assert!(messages.is_empty(), "the page logged messages (errors, blocked fetches):\n{}", messages.join("\n"));
    let start = dom
        .find("<pre id=\"calx-probe\">")
        .unwrap_or_else(|| panic!("the probe did not run; DOM:\n{}", &dom[..dom.len().min(2000)]));
    let json = &dom[start + "<pre id=\"calx-probe\">".len()..];
    let json = &json[..json.find("</pre>").unwrap_or(json.len())].replace("&quot;", "\"").replace("&amp;", "&");
    let probe: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("probe output {json}: {e}"));
    assert_eq!(probe["resources"], serde_json::json!([]), "the page fetched (or tried to fetch) resources");
    assert_eq!(probe["sections"], serde_json::json!(SECTIONS), "sections in the DOM");
    // 5 units, 3 feeds (raw ash, flue gas, process water) and 4 streams leaving (product,
    // ash reject, vent gas, waste water); one path per stream, at least one band per stream.
    assert_eq!(probe["diagram_nodes"], 12, "{probe}");
    assert_eq!(probe["diagram_paths"], 11, "{probe}");
    assert!(probe["sankey_links"].as_u64().unwrap_or(0) >= 11, "{probe}");
    assert_eq!(probe["sankey_nodes"], 12, "{probe}");
    for fig in ["diagram_box", "sankey_box"] {
        let (w, h) = (probe[fig][0].as_u64().unwrap_or(0), probe[fig][1].as_u64().unwrap_or(0));
        assert!(w > 800 && h > 150, "{fig} is rendered {w} x {h} px");
    }
    assert!(probe["figures"].as_u64().unwrap_or(0) >= 20, "{probe}");

    // 2. A screenshot of the top of the page, which must not be blank.
    let shot = dir.join("kigam-cfbc-2022.png");
    let _ = std::fs::remove_file(&shot);
    let (_, log) = browse(
        &page,
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,2400".into(), "--hide-scrollbars".into()],
        &dir.join("profile-shot"),
    );
    let messages = page_messages(&log);
    assert!(messages.is_empty(), "{}", messages.join("\n"));
    let (w, h, spread, ink) = picture(&shot);
    assert_eq!((w, h), (1280, 2400));
    assert!(spread > 30.0, "the screenshot is nearly uniform (luminance sd {spread}); see {}", shot.display());
    assert!(ink > 0.02, "almost nothing is drawn ({:.1} % dark pixels); see {}", ink * 100.0, shot.display());
}

/// Width, height, standard deviation of luminance (0-255) and the share of dark pixels.
fn picture(path: &Path) -> (u32, u32, f64, f64) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let channels = info.color_type.samples();
    let lum: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| {
            if channels >= 3 {
                0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
            } else {
                f64::from(p[0])
            }
        })
        .collect();
    let n = lum.len().max(1) as f64;
    let mean = lum.iter().sum::<f64>() / n;
    let sd = (lum.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let dark = lum.iter().filter(|x| **x < 128.0).count() as f64 / n;
    (info.width, info.height, sd, dark)
}
