//! Cost of the plugin boundary (divan): one `calculate` of a trivial unit (a one-inlet
//! mixer) statically linked vs loaded from `libcalx_generic.so`, and the whole reference
//! plant (`flowsheets/kigam-cfbc-2022.yaml`) solved with every unit type static vs every
//! unit type loaded from the plugin libraries.
//!
//! Run: `cargo bench -p calx-plugin-host`. The bench builds the two libraries itself
//! (`cargo build --release --features .../export`) into the same target directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use calx_core::unit::{Connections, UnitConfig, UnitOperation, UnitReport};
use calx_core::{Component, ComponentSet, Params, Phase, Registry, Stream, UnitType};
use divan::Bencher;

fn main() {
    divan::main();
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).map(Path::to_path_buf).unwrap_or_default()
}

/// Build the plugin libraries once and return the loaded generic and mineralization plugins.
fn plugins() -> &'static (calx_plugin_host::LoadedPlugin, calx_plugin_host::LoadedPlugin) {
    static P: std::sync::OnceLock<(calx_plugin_host::LoadedPlugin, calx_plugin_host::LoadedPlugin)> =
        std::sync::OnceLock::new();
    P.get_or_init(|| {
        let exe = std::env::current_exe().expect("exe");
        let profile = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
        let target = profile.parent().expect("target").to_path_buf();
        let status = std::process::Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["build", "--quiet", "--release", "-p", "calx-generic", "-p", "calx-mineralization"])
            .args(["--features", "calx-generic/export,calx-mineralization/export", "--target-dir"])
            .arg(&target)
            .status()
            .expect("cargo runs");
        assert!(status.success());
        let lib = |n: &str| {
            target.join("release").join(format!("{}{n}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX))
        };
        let load = |n: &str| {
            let path = lib(n).canonicalize().expect("built");
            let file = std::fs::File::open(&path).expect("readable");
            let checked = calx_plugin_host::check(&path, file).expect("a Calx plugin");
            calx_plugin_host::load(&checked).expect("loads")
        };
        (load("calx_generic"), load("calx_mineralization"))
    })
}

fn mixer(unit_type: &dyn UnitType, n: usize) -> Box<dyn UnitOperation> {
    let components: Vec<Component> =
        (0..n).map(|i| Component::pseudo(&format!("c{i}"), Phase::Solid, Some(0.1)).expect("pseudo")).collect();
    let set = Arc::new(ComponentSet::new(components).expect("set"));
    let connections =
        Connections { inlets: vec![("in".into(), vec!["a".into()])], outlets: vec![("out".into(), vec!["b".into()])] };
    let params = Params::default();
    unit_type
        .create(&UnitConfig { name: "m", components: &set, params: &params, connections: &connections })
        .expect("mixer")
}

fn call(bencher: Bencher, op: Box<dyn UnitOperation>, n: usize) {
    let inlets = vec![Stream { flows: vec![1.0; n], temperature: 300.0, pressure: 101_325.0 }];
    let mut outlets = vec![Stream::empty(n)];
    let mut report = UnitReport::default();
    bencher.bench_local(|| {
        report.clear();
        op.calculate(divan::black_box(&inlets), &mut outlets, &mut report).expect("calculates");
    });
}

/// One `calculate` of a one-inlet mixer (no report items), statically linked.
#[divan::bench(args = [1, 10, 100])]
fn call_static(bencher: Bencher, n: usize) {
    call(bencher, mixer(&calx_generic::Mixer, n), n);
}

/// The same call through the plugin boundary.
#[divan::bench(args = [1, 10, 100])]
fn call_dynamic(bencher: Bencher, n: usize) {
    let t = plugins().0.unit_types.iter().find(|t| t.descriptor().type_name == "mixer").expect("mixer").clone();
    call(bencher, mixer(t.as_ref(), n), n);
}

fn solve(bencher: Bencher, registry: &Registry) {
    let rel = "flowsheets/kigam-cfbc-2022.yaml";
    let text = std::fs::read_to_string(root().join(rel)).expect("flowsheet");
    let model = calx_flowsheet::parse(&text, rel, registry).expect("parses");
    // `bench_local_refs`: building and dropping the flowsheet (for dynamic units, destroying each
    // plugin-side unit) happen outside the timed region; only `solve` is timed.
    bencher.with_inputs(|| model.build().expect("builds")).bench_local_refs(|f| f.solve().expect("solves"));
}

/// The reference plant, every unit statically linked.
#[divan::bench(sample_count = 30)]
fn plant_static(bencher: Bencher) {
    solve(bencher, &calx::builtin_registry());
}

/// The reference plant, every unit loaded from the plugin libraries.
#[divan::bench(sample_count = 30)]
fn plant_dynamic(bencher: Bencher) {
    let (generic, mineral) = plugins();
    let mut r = Registry::new();
    for p in [generic, mineral] {
        for t in &p.unit_types {
            r.register(&p.path.display().to_string(), t.clone()).expect("distinct");
        }
    }
    solve(bencher, &r);
}
