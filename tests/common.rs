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
    let output = assert_cmd::Command::cargo_bin("duban")
        .unwrap()
        .current_dir(root())
        .env_remove("DUBAN_HOLIDAYS")
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
