//! `calx-fuzz TARGET [--time SECONDS] [--executions N] [--seed N] [--save]`: fuzz one target
//! (see the library's docs), print what it did, and with `--save` write each finding, shrunk,
//! to `tests/data/fuzz/TARGET/` as a regression case. Exit status 1 when something was found.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use calx_fuzz::targets::{Target, fingerprint};
use calx_fuzz::{Budget, fuzz};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed inputs of a target: every file of its kind in its seed directories.
fn seeds(target: Target) -> Vec<String> {
    let (dirs, ext) = target.seeds();
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).into_iter().flatten().filter_map(|e| e.ok().map(|e| e.path())))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

struct Args {
    target: Target,
    budget: Budget,
    seed: u64,
    save: bool,
}

fn args() -> Result<Args, String> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
    let target = all.first().and_then(|n| Target::from_name(n)).ok_or_else(|| {
        format!(
            "usage: calx-fuzz TARGET [--time S] [--executions N] [--seed N] [--save]; TARGET is one of {}",
            names.join(", ")
        )
    })?;
    let value = |flag: &str| all.iter().position(|a| a == flag).and_then(|i| all.get(i + 1));
    let number = |flag: &str, default: u64| -> Result<u64, String> {
        value(flag).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{flag}: `{v}` is not a whole number")))
    };
    let budget =
        Budget { time: Duration::from_secs(number("--time", 60)?), executions: number("--executions", u64::MAX)? };
    Ok(Args { target, budget, seed: number("--seed", 1)?, save: all.iter().any(|a| a == "--save") })
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let seeds = seeds(args.target);
    let started = std::time::Instant::now();
    let report = fuzz(args.target, &seeds, args.seed, args.budget);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}: {} executions in {seconds:.0} s ({:.0}/s) from {} seeds: {} accepted, {} refused, {} skipped; {} outcome classes, corpus {}; {} finding(s)",
        args.target.name(),
        report.executions,
        report.executions as f64 / seconds.max(1e-9),
        seeds.len(),
        report.accepted,
        report.refused,
        report.skipped,
        report.classes,
        report.corpus,
        report.findings.len()
    );
    for f in &report.findings {
        println!("\n--- {}\n{}", f.what, f.input);
        if args.save {
            let dir = root().join("tests/data/fuzz").join(args.target.name());
            let path = dir.join(format!("{:016x}.{}", fingerprint(&f.input), args.target.seeds().1));
            let written = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &f.input));
            match written {
                Ok(()) => println!("saved as {}", path.display()),
                Err(e) => eprintln!("cannot save {}: {e}", path.display()),
            }
        }
    }
    if report.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
