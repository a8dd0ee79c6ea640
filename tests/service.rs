//! The systemd units in examples/: `systemd-analyze verify` takes them (with ExecStart pointed
//! at the binary under test), and `systemd-analyze security` rates their exposure under 3.
//! Without systemd-analyze the test says so and checks nothing else (the units are for systemd
//! machines); `.ci/run` runs where it is present.

use std::process::Command;

use crate::common::root;

const UNITS: [&str; 3] = [
    "duban.service",
    "duban-remind.service",
    "duban-remind.timer",
];

fn analyze(args: &[&str]) -> Option<std::process::Output> {
    Command::new("systemd-analyze").args(args).output().ok()
}

#[test]
fn the_example_units_verify_and_are_locked_down() {
    if analyze(&["--version"]).is_none() {
        eprintln!(
            "SKIPPED: no systemd-analyze here (apt-get install systemd) — the units are not checked"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("duban");
    let mut paths = Vec::new();
    for unit in UNITS {
        let text = std::fs::read_to_string(root().join("examples").join(unit)).unwrap();
        let text = text.replace("/usr/local/bin/duban", binary.to_str().unwrap());
        let path = dir.path().join(unit);
        std::fs::write(&path, text).unwrap();
        paths.push(path.display().to_string());
    }
    let mut verify = vec!["verify", "--man=no"];
    verify.extend(paths.iter().map(String::as_str));
    let run = analyze(&verify).unwrap();
    let said = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success() && said.trim().is_empty(), "{said}");
    for service in paths.iter().filter(|p| p.ends_with(".service")) {
        let run = analyze(&["security", "--offline=yes", service]).unwrap();
        let text = String::from_utf8_lossy(&run.stdout);
        let level: f64 = text
            .lines()
            .find_map(|l| l.split("exposure level for ").nth(1))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no exposure level: {text}"));
        assert!(level < 3.0, "{service}: exposure {level}\n{text}");
    }
    // The daemon's unit says what the issue asks of it.
    let unit = std::fs::read_to_string(root().join("examples/duban.service")).unwrap();
    for line in [
        "UMask=0077",
        "StateDirectory=duban",
        "LoadCredential=smtp-password:",
        "RestartPreventExitStatus=2",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=\n",
    ] {
        assert!(unit.contains(line), "duban.service has {line:?}");
    }
}
