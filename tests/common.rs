//! Helpers for running the real binary.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The four seed campaigns.
pub const CAMPAIGNS: [&str; 4] = ["nanyang-2017", "yichun-2016", "qianyang-2023", "gulu-2023"];

/// A campaign file of the repository.
pub fn campaign(name: &str) -> PathBuf {
    root().join("campaigns").join(format!("{name}.campaign"))
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `duban` with `args` in the repository root, with no colour and no user holiday file.
pub fn duban(args: &[&str]) -> Run {
    run_in(root(), args)
}

/// The real `duban` as a process of its own in `dir` (for daemons, concurrent runs, odd
/// outputs), with no colour, and no holiday file, config or database from the environment.
pub fn process(dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("duban"));
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DUBAN_HOLIDAYS")
        .env_remove("DUBAN_CONFIG")
        .env_remove("DUBAN_DB");
    command
}

/// Runs `duban` with `args` in `dir`, with no colour, and no holiday file, config or database
/// from the environment.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_bounded(dir, args, None)
}

fn run_bounded(dir: &Path, args: &[&str], limit: Option<std::time::Duration>) -> Run {
    let mut command = assert_cmd::Command::cargo_bin("duban").unwrap();
    if let Some(limit) = limit {
        command.timeout(limit);
    }
    let output = command
        .current_dir(dir)
        .env_remove("DUBAN_HOLIDAYS")
        .env_remove("DUBAN_CONFIG")
        .env_remove("DUBAN_DB")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The JSON obligations of `duban schedule FILE --format json EXTRA…`.
pub fn schedule_json(name: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let file = campaign(name);
    let mut args = vec!["schedule", file.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let run = duban(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// A temporary office: a folder with a `campaigns/` of its own and a database beside it.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace holding copies of the named seed campaigns.
    pub fn new(campaigns: &[&str]) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("campaigns")).unwrap();
        for name in campaigns {
            for file in [format!("{name}.campaign"), format!("{name}.contacts.toml")] {
                let source = root().join("campaigns").join(&file);
                if source.exists() {
                    std::fs::copy(source, dir.path().join("campaigns").join(file)).unwrap();
                }
            }
        }
        Workspace { dir }
    }

    /// The workspace folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.path().join("duban.db")
    }

    /// A campaign file of the workspace.
    pub fn campaign(&self, name: &str) -> PathBuf {
        self.path()
            .join("campaigns")
            .join(format!("{name}.campaign"))
    }

    /// Runs `duban` in the workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }

    /// Runs a `duban` whose failure would be to run on (a daemon that should have refused to
    /// start): killed after a minute, which reads as exit code -1.
    pub fn run_or_kill(&self, args: &[&str]) -> Run {
        run_bounded(self.path(), args, Some(std::time::Duration::from_secs(60)))
    }

    /// Runs `duban` and requires exit code 0.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code, 0,
            "duban {args:?}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Runs `duban … --format json` and parses its output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Runs `duban` and requires exit code 2; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code, 2,
            "duban {args:?}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run.stderr
    }

    /// `duban submit CAMPAIGN DELIVERABLE UNIT`, to be built up and run:
    /// `w.submit("c", "月报", "甲").period("2017-04").at("2017-04-24").ok()`.
    pub fn submit(&self, campaign: &str, deliverable: &str, unit: &str) -> Submit<'_> {
        Submit {
            workspace: self,
            args: ["submit", campaign, deliverable, unit]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// A `duban submit` being built (see [`Workspace::submit`]).
pub struct Submit<'w> {
    workspace: &'w Workspace,
    args: Vec<String>,
}

impl Submit<'_> {
    fn with(mut self, flag: &str, value: &str) -> Self {
        self.args.extend([flag.to_string(), value.to_string()]);
        self
    }

    /// `--period`.
    pub fn period(self, period: &str) -> Self {
        self.with("--period", period)
    }

    /// `--at`.
    pub fn at(self, at: &str) -> Self {
        self.with("--at", at)
    }

    /// `--by`.
    pub fn by(self, who: &str) -> Self {
        self.with("--by", who)
    }

    /// Any other arguments, as given.
    pub fn args(mut self, more: &[&str]) -> Self {
        self.args.extend(more.iter().map(|a| a.to_string()));
        self
    }

    fn strs(&self) -> Vec<&str> {
        self.args.iter().map(String::as_str).collect()
    }

    /// Runs it and requires exit code 0; returns stdout.
    pub fn ok(self) -> String {
        self.workspace.ok(&self.strs())
    }

    /// Runs it and requires exit code 2; returns stderr.
    pub fn fails(self) -> String {
        self.workspace.fails(&self.strs())
    }
}

/// A child process that is killed when the test lets go of it — also when an assertion fails
/// first, so that no daemon outlives its test.
pub struct KillOnDrop(Option<std::process::Child>);

impl KillOnDrop {
    /// Starts `command`.
    pub fn spawn(command: &mut std::process::Command) -> KillOnDrop {
        KillOnDrop(Some(command.spawn().expect("duban starts")))
    }

    /// The child, to wait for its output; it is no longer killed on drop.
    pub fn into_inner(mut self) -> std::process::Child {
        self.0.take().expect("a child")
    }
}

impl std::ops::Deref for KillOnDrop {
    type Target = std::process::Child;

    fn deref(&self) -> &std::process::Child {
        self.0.as_ref().expect("a child")
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("a child")
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
