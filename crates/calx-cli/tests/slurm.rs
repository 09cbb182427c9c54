//! A study through a real Slurm: a single-node cluster (Debian's `slurm-wlm` and `munge`)
//! started by this test in a temporary directory with a minimal `slurm.conf` of its own, and
//! the recipe of docs/scale-out.md run against it: `calx study submit --slurm --merge`
//! submits the study as a job array and a dependent merge; one array task is killed on
//! purpose while it samples; the merge is held back (its dependency can no longer be met);
//! `calx study status` finds the gap and prints the line that resubmits only the missing
//! task with a new merge after it; that line is run as printed; and the merged result equals
//! a one-process run of the study byte for byte.
//!
//! The daemons run as root (slurmd starts every job step as its user), on ports chosen free,
//! with munge's socket, Slurm's state, spool and logs inside the temporary directory, and
//! they are stopped, by process id, when the test ends. When they cannot start (not
//! installed, not root), the test fails and says why and how to install them; `cargo xtask
//! ci` installs both packages.

mod common;

use common::files_in;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const STUDY: &str = "flowsheets/kigam-cfbc-2022-uncertainty.yaml";

/// Samples of the study: 4 tasks of 3,000, each a few seconds of sampling in a debug build,
/// so that task 2 is still sampling when it is killed.
const SAMPLES: usize = 12_000;
const TASKS: usize = 4;

/// How to get the daemons, for the failure message.
const INSTALL: &str = "this test starts a single-node Slurm (slurmctld, slurmd) and munged itself, as root. Install \
     Debian's packages (what `cargo xtask ci` does): apt-get update && apt-get install -y --no-install-recommends \
     slurm-wlm munge";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_default()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A program in `/usr/sbin`, `/usr/bin` or on the PATH.
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin"), PathBuf::from("/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A TCP port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// A single-node Slurm with its munge, running until dropped.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    /// The daemons started, with their names, stopped in reverse order.
    daemons: Vec<(&'static str, Child)>,
}

impl Cluster {
    /// Write the configuration and start munged, slurmctld and slurmd; the reason if any of
    /// them does not come up.
    fn start() -> Result<Cluster, String> {
        let uid = Command::new("id").arg("-u").output().ok().map(|o| text(&o.stdout).trim().to_string());
        if uid.as_deref() != Some("0") {
            return Err(format!(
                "not running as root (id -u: {uid:?}): slurmd starts each job step as the user who submitted it, \
                 which needs root; run the tests as root, as CI does (`cargo xtask ci`)"
            ));
        }
        let find = |name: &str| program(name).ok_or_else(|| format!("`{name}` is not installed; {INSTALL}"));
        let (munged, slurmctld, slurmd) = (find("munged")?, find("slurmctld")?, find("slurmd")?);
        for client in ["sbatch", "squeue", "scancel", "sinfo"] {
            find(client)?;
        }
        let dir = std::env::temp_dir().join(format!("calx-slurm-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["munge", "state", "spool", "log"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut cluster = Cluster { conf: dir.join("slurm.conf"), dir, daemons: Vec::new() };
        cluster.write_config()?;
        let d = cluster.dir.clone();
        let munge_args = [
            "--foreground".to_string(),
            format!("--key-file={}", d.join("munge/munge.key").display()),
            format!("--socket={}", d.join("munge/munge.socket").display()),
            format!("--pid-file={}", d.join("munge/munged.pid").display()),
            format!("--seed-file={}", d.join("munge/munged.seed").display()),
            format!("--log-file={}", d.join("log/munged.log").display()),
        ];
        cluster.spawn("munged", &munged, &munge_args)?;
        cluster.wait_for("munged's socket", |_| d.join("munge/munge.socket").exists())?;
        cluster.spawn("slurmctld", &slurmctld, &["-D".into(), "-i".into()])?;
        cluster.spawn("slurmd", &slurmd, &["-D".into(), "-N".into(), "calxnode".into()])?;
        cluster.wait_for("the node to be idle", |c| {
            c.run("sinfo", &["-h", "-o", "%t"]).is_ok_and(|o| text(&o.stdout).trim() == "idle")
        })?;
        Ok(cluster)
    }

    /// `slurm.conf` for one node with this machine's cores, and munge's key.
    fn write_config(&self) -> Result<(), String> {
        use std::io::Read as _;
        use std::os::unix::fs::PermissionsExt as _;
        let d = &self.dir;
        let mut key = vec![0u8; 1024];
        std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).map_err(|e| e.to_string())?;
        let key_file = d.join("munge/munge.key");
        std::fs::write(&key_file, &key).map_err(|e| e.to_string())?;
        // munged refuses a key others may read, and a socket directory others cannot enter.
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o400)).map_err(|e| e.to_string())?;
        std::fs::set_permissions(d.join("munge"), std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map_err(|e| e.to_string())?;
        let host = host.trim().split('.').next().unwrap_or("localhost").to_string();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let total_kib: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(2 << 20);
        // Below what slurmd finds, or it drains the node for "low RealMemory".
        let memory_mib = total_kib / 1024 * 9 / 10;
        let p = |sub: &str| d.join(sub).display().to_string();
        let conf = format!(
            "ClusterName=calxtest\nSlurmctldHost={host}(127.0.0.1)\nSlurmctldPort={ctld}\nSlurmdPort={slurmd}\n\
             SlurmUser=root\nSlurmdUser=root\nAuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket={socket}\n\
             StateSaveLocation={state}\nSlurmdSpoolDir={spool}\nSlurmctldPidFile={state}/slurmctld.pid\n\
             SlurmdPidFile={spool}/slurmd.pid\nSlurmctldLogFile={log}/slurmctld.log\nSlurmdLogFile={log}/slurmd.log\n\
             ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nJobAcctGatherType=jobacct_gather/none\n\
             AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\nMpiDefault=none\n\
             SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\nSchedulerType=sched/builtin\n\
             ReturnToService=2\nMailProg=/bin/true\n\
             NodeName=calxnode NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mib} State=UNKNOWN\n\
             PartitionName=calx Nodes=calxnode Default=YES MaxTime=INFINITE State=UP\n",
            ctld = free_port(),
            slurmd = free_port(),
            socket = p("munge/munge.socket"),
            state = p("state"),
            spool = p("spool"),
            log = p("log"),
        );
        std::fs::write(&self.conf, conf).map_err(|e| e.to_string())
    }

    fn spawn(&mut self, name: &'static str, path: &Path, args: &[String]) -> Result<(), String> {
        let out = std::fs::File::create(self.dir.join(format!("log/{name}.out"))).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(path)
            .args(args)
            .env("SLURM_CONF", &self.conf)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}; {INSTALL}", path.display()))?;
        self.daemons.push((name, child));
        Ok(())
    }

    /// Wait up to 60 s for `ready`; the daemons' logs if it never is, or if one has exited.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&Cluster) -> bool) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if ready(self) {
                return Ok(());
            }
            let exited = self.daemons.iter_mut().find_map(|(name, child)| {
                child.try_wait().ok().flatten().map(|status| format!("{name} exited ({status})"))
            });
            if let Some(exited) = exited {
                return Err(format!("{exited} while waiting for {what}:\n{}", self.logs()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!("waited 60 s for {what}:\n{}", self.logs()))
    }

    /// The last lines of every log of the cluster and its jobs.
    fn logs(&self) -> String {
        let mut out = String::new();
        for dir in [self.dir.join("log"), self.dir.join("run/logs")] {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            files.sort();
            for f in files {
                let t = std::fs::read_to_string(&f).unwrap_or_default();
                let tail: Vec<&str> = t.lines().rev().take(15).collect();
                out.push_str(&format!("--- {}\n", f.display()));
                tail.iter().rev().for_each(|l| out.push_str(&format!("{l}\n")));
            }
        }
        out
    }

    /// A Slurm client command against this cluster.
    fn run(&self, program: &str, args: &[&str]) -> std::io::Result<Output> {
        Command::new(program).args(args).env("SLURM_CONF", &self.conf).output()
    }

    /// Job ids in the queue (pending or running), with their state and reason.
    fn queue(&self) -> String {
        self.run("squeue", &["-h", "-o", "%i %T %r"]).map(|o| text(&o.stdout)).unwrap_or_default()
    }

    /// The queue once it shows `line` (slurmctld gives a pending job its reason on its next
    /// scheduling pass, so a reason may lag the event behind it), or as it stands after 30 s.
    fn queue_showing(&self, line: &str) -> String {
        let started = Instant::now();
        loop {
            let queue = self.queue();
            if queue.contains(line) || started.elapsed() > Duration::from_secs(30) {
                return queue;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Wait until no job is pending or running but those `kept` (by id prefix).
    fn wait_until_done(&mut self, kept: &[&str], what: &str) {
        let started = Instant::now();
        loop {
            let queue = self.queue();
            let busy = queue.lines().filter(|l| !kept.iter().any(|k| l.starts_with(&format!("{k} ")))).count();
            if busy == 0 {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{what}: still queued after 120 s:\n{queue}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Jobs first, so that no job step outlives its slurmd; then the daemons, newest first.
        let _ = self.run("scancel", &["--user=root"]);
        for (_, child) in self.daemons.iter_mut().rev() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn calx(args: &[&str], cluster: &Cluster) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calx"))
        .args(args)
        .current_dir(root())
        .env("SLURM_CONF", &cluster.conf)
        .output()
        .expect("calx runs")
}

/// The shard directories of the run, sorted.
fn shard_dirs(out: &Path) -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(out)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("shard-")))
                .map(|p| p.display().to_string())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// Submit the array and its merge; kill task 2 while it samples; the job ids.
fn submit_and_kill_task_2(cluster: &mut Cluster, out: &Path) -> (String, String) {
    let samples = SAMPLES.to_string();
    let tasks = TASKS.to_string();
    let o = out.display().to_string();
    let args = ["study", "submit", "--slurm", STUDY, "--samples", &samples, "--tasks", &tasks];
    let submitted = calx(&[&args[..], &["--time", "00:10:00", "--merge", "-o", &o]].concat(), cluster);
    let said = text(&submitted.stdout);
    assert!(submitted.status.success(), "{said}{}\n{}", text(&submitted.stderr), cluster.logs());
    let id_after = |prefix: &str| {
        said.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|r| r.split(':').next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no `{prefix}` in:\n{said}"))
    };
    let (array, merge) = (id_after("submitted array job "), id_after("submitted merge job "));
    // Task 2 has started sampling when its temporary files exist; it has seconds of work left.
    let task_dir = out.join("shard-2");
    let started = Instant::now();
    while !files_in(&task_dir).iter().any(|n| n.ends_with(".tmp")) {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "task 2 never started sampling:\n{}\n{}",
            cluster.queue(),
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = cluster.run("scancel", &[&format!("{array}_2")]).expect("scancel runs");
    assert!(killed.status.success(), "{}", text(&killed.stderr));
    (array, merge)
}

#[test]
fn a_study_array_with_a_killed_task_is_resumed_by_status_and_merges_into_the_single_run() {
    let mut cluster = Cluster::start().unwrap_or_else(|reason| panic!("cannot start Slurm: {reason}"));
    let out = cluster.dir.join("run");
    let (array, merge) = submit_and_kill_task_2(&mut cluster, &out);
    // The reference while the array runs: one process, every sample.
    let single = cluster.dir.join("single");
    let samples = SAMPLES.to_string();
    let one = calx(&["study", STUDY, "--samples", &samples, "-o", &single.display().to_string()], &cluster);
    assert!(one.status.success(), "{}", text(&one.stderr));
    cluster.wait_until_done(&[&merge], "the array");
    // The merge waits for a dependency that can no longer be met: it never ran.
    let never = format!("{merge} PENDING DependencyNeverSatisfied");
    let queue = cluster.queue_showing(&never);
    assert!(queue.contains(&never), "{queue}");
    assert!(!out.join("merged").exists());
    let cancelled = cluster.run("scancel", &[&merge]).expect("scancel runs");
    assert!(cancelled.status.success());
    assert!(!out.join("shard-2/shard.json").exists(), "task 2 was killed before it finished (array {array})");

    let dirs = shard_dirs(&out);
    let status_args: Vec<&str> = ["study", "status"].into_iter().chain(dirs.iter().map(String::as_str)).collect();
    let status = calx(&status_args, &cluster);
    let report = text(&status.stdout);
    assert_eq!(status.status.code(), Some(1), "{report}{}", text(&status.stderr));
    assert!(report.contains("3 of 4 complete") && report.contains("missing: shard 2 (samples 6000..9000)"), "{report}");
    assert!(report.contains("temporary file"), "the killed task's leftovers are named:\n{report}");
    let resubmit = report
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("jid=$(sbatch --parsable --array=2 "))
        .unwrap_or_else(|| panic!("no sbatch line for task 2 in:\n{report}"));
    let ran = Command::new("sh").args(["-c", resubmit]).env("SLURM_CONF", &cluster.conf).output().expect("sh runs");
    assert!(ran.status.success(), "{resubmit}: {}{}", text(&ran.stdout), text(&ran.stderr));
    cluster.wait_until_done(&[], "the resubmitted task and the merge");

    let status = calx(&status_args, &cluster);
    assert!(status.status.success(), "{}\n{}", text(&status.stdout), cluster.logs());
    assert!(text(&status.stdout).contains("in 4 shards: complete"), "{}", text(&status.stdout));
    let merged = out.join("merged");
    assert_eq!(files_in(&single), files_in(&merged), "merged by the Slurm job:\n{}", cluster.logs());
    for name in files_in(&single) {
        let (a, b) = (
            std::fs::read(single.join(&name)).unwrap_or_default(),
            std::fs::read(merged.join(&name)).unwrap_or_default(),
        );
        assert!(a == b && !a.is_empty(), "{name} differs between the one-process run and the merged Slurm array");
    }
}
