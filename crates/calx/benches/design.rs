//! A design specification on an analysis metric around the reference plant (issue 17 target:
//! under 2 ms per solve): the product price such that the TEA's IRR is 10 %. The adjusted
//! variable is an analysis parameter, so the flowsheet is solved once and each trial re-creates
//! the TEA and runs the figures only.
//!
//! Run with `cargo bench -p calx --bench design`.

use calx::{LoadOptions, Project};
use std::path::Path;

fn main() {
    divan::main();
}

fn project() -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("flowsheets/kigam-cfbc-2022.yaml")).expect("the reference plant");
    let at = text.find("\ndisplay:").expect("a display section");
    let spec = "\ndesign_specs:\n  - adjust: analyses.tea.product_price\n    until: analyses.tea.irr = 10 %\n    between: [12500 KRW/t, 20000 KRW/t]\n";
    let text = format!("{}{spec}{}", &text[..at], &text[at..]);
    Project::from_text(&text, "kigam.yaml", &root.join("flowsheets"), &LoadOptions::default()).expect("valid")
}

#[divan::bench]
fn irr_spec_on_the_reference_plant(bencher: divan::Bencher) {
    let p = project();
    bencher.bench(|| p.solve_design().expect("the spec is met"));
}
