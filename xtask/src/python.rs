//! `cargo xtask ci`'s Python step: the `calx` Python package (crates/calx-python) built into
//! a virtual environment and its pytest suite run against the `calx` command.
//!
//! The environment lives in the target directory (`python-venv`), so it is made once per
//! checkout and reused; pip installs what is missing from the package registry (maturin,
//! pytest, pyarrow, pandas, Dask, tqdm, nbclient with ipykernel and matplotlib for the
//! example notebook, and olca-schema, bw2data, bw2io and bw2calc, pinned, that read back
//! `calx lca export`'s files; a second run finds them and installs nothing). Then the `calx`
//! command and the plugin libraries the tests compare with are built, `maturin develop`
//! builds the package (debug, like the other tests) into the environment, and pytest runs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// What the Python tests need from the package registry.
const PACKAGES: &[&str] = &[
    "maturin>=1.9,<2",
    "pytest",
    "pyarrow",
    "pandas",
    "dask[distributed]",
    // the notebook progress bar of `calx.study`
    "tqdm",
    // the example notebook, executed by the tests
    "nbclient",
    "nbformat",
    "ipykernel",
    "matplotlib",
    // `calx lca export` read back by the reference implementations (test_lca_export.py),
    // pinned: openLCA's schema package and Brightway 2.5. Measured on the CI machine: 51 s
    // into a fresh environment alone, 1 min 44 s on top of the packages above (while other
    // builds ran); nothing once the environment has them
    "olca-schema==2.4.0",
    "bw2data==4.8",
    "bw2io==0.9.17",
    "bw2calc==3.1.0",
];

/// Where cargo builds: `CARGO_TARGET_DIR` when set (relative paths from the workspace root,
/// where every xtask command runs cargo), else the workspace's `target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

fn fail(message: &str) -> std::io::Result<ExitStatus> {
    eprintln!("xtask ci: python: {message}");
    Command::new("false").status()
}

/// The virtual environment, made with `python3 -m venv` if it is not there yet (on Debian,
/// installing python3-venv when the interpreter lacks it).
fn venv(root: &Path) -> std::io::Result<Result<PathBuf, ExitStatus>> {
    let dir = target_dir(root).join("python-venv");
    if dir.join("bin/python").is_file() {
        return Ok(Ok(dir));
    }
    let python = std::env::var("CALX_PYTHON").unwrap_or_else(|_| "python3".into());
    if !crate::on_path(&python) && !Path::new(&python).is_file() {
        let installed = crate::ensure_debian_package("python3", "python3")?;
        if !installed.success() {
            return Ok(Err(fail("no python3 (3.9 or later): install it, or set CALX_PYTHON to one")?));
        }
    }
    let mut made = Command::new(&python).args(["-m", "venv"]).arg(&dir).status()?;
    if !made.success() && crate::on_path("apt-get") {
        eprintln!("xtask ci: python: installing Debian's python3-venv");
        let _ = crate::apt_install(&["python3-venv"])?;
        made = Command::new(&python).args(["-m", "venv", "--clear"]).arg(&dir).status()?;
    }
    if !made.success() {
        return Ok(Err(fail(&format!(
            "`{python} -m venv` failed: install Python's venv module (Debian: python3-venv)"
        ))?));
    }
    Ok(Ok(dir))
}

/// Build the package into a virtual environment and run its pytest suite.
pub(crate) fn tests(root: &Path) -> std::io::Result<ExitStatus> {
    let venv = match venv(root)? {
        Ok(v) => v,
        Err(status) => return Ok(status),
    };
    let bin = venv.join("bin");
    let path = std::env::join_paths(
        std::iter::once(bin.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .map_err(std::io::Error::other)?;
    let steps: Vec<(&str, Command)> = vec![
        ("installing maturin, pytest, pyarrow, pandas, dask, tqdm, nbclient, olca-schema, bw2data, bw2io, bw2calc", {
            let mut c = Command::new(bin.join("python"));
            c.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]).args(PACKAGES);
            c
        }),
        ("building the calx command", {
            let mut c = Command::new("cargo");
            c.args(["build", "--quiet", "--locked", "-p", "calx-cli"]);
            c
        }),
        ("building the package (maturin develop)", {
            let mut c = Command::new(bin.join("maturin"));
            c.args(["develop", "--quiet", "--locked", "--manifest-path", "crates/calx-python/Cargo.toml"]);
            c
        }),
        ("pytest", {
            let mut c = Command::new(bin.join("python"));
            c.args(["-m", "pytest", "-q", "crates/calx-python/tests"]);
            c
        }),
    ];
    let built = crate::build_plugins(root, false)?;
    if !built.success() {
        return fail("building the plugin libraries failed");
    }
    let target = target_dir(root);
    for (what, mut cmd) in steps {
        eprintln!("xtask ci: python: {what}");
        let status = cmd
            .current_dir(root)
            .env("VIRTUAL_ENV", &venv)
            .env("PATH", &path)
            .env("CALX_BIN", target.join("debug/calx"))
            .env("CALX_PLUGIN_DIR", target.join("debug"))
            .status()?;
        if !status.success() {
            return fail(&format!("{what} failed"));
        }
    }
    Command::new("true").status()
}
