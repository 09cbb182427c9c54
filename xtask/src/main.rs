//! Project automation, run as `cargo xtask <command>` (rust-analyzer style: plain Rust, no
//! extra dependencies).
//!
//! - `ci`: exactly what `.ci/run` runs (the README's test command).
//! - `schema`: regenerate `docs/flowsheet.schema.json` from `calx schema`.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(|p| p.to_path_buf()).unwrap_or_default();
    let status = match args.first().map(String::as_str) {
        Some("ci") => Command::new("cargo").args(["test", "--workspace", "--locked"]).current_dir(&root).status(),
        Some("schema") => Command::new("cargo")
            .args(["run", "--quiet", "--package", "calx-cli", "--", "schema"])
            .current_dir(&root)
            .output()
            .and_then(|out| {
                std::fs::write(root.join("docs/flowsheet.schema.json"), &out.stdout)?;
                Ok(out.status)
            }),
        _ => {
            eprintln!("usage: cargo xtask <ci | schema>\n  ci      run every test, as CI does\n  schema  regenerate docs/flowsheet.schema.json");
            return ExitCode::from(2);
        }
    };
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
