//! The API proved by a client nobody here wrote: Schemathesis (from PyPI, into
//! `target/tmp/st-venv`) generates requests from `/api/v1/openapi.json` — at least 200 per
//! operation, every check it has (`--checks all`: undocumented statuses, schema-valid requests
//! refused, invalid ones accepted, response shapes, server errors …) — against `duban serve` on
//! SQLite and on PostgreSQL, with a token of each role. Its configuration
//! (`tests/fixtures/api/schemathesis.toml`) says the one rule no schema can state.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::Workspace;
use crate::webserver::Server;

/// The version the run is held to: a newer one may check more, and is taken on purpose.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// The `schemathesis` command, installed once into the target's temporary folder.
fn schemathesis() -> PathBuf {
    static COMMAND: OnceLock<PathBuf> = OnceLock::new();
    COMMAND
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("DUBAN_TEST_SCHEMATHESIS") {
                return PathBuf::from(p);
            }
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("st-venv");
            let command = venv.join("bin/schemathesis");
            let ready = Command::new(&command)
                .arg("--version")
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("4.32.5"));
            if !ready {
                let status = Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&venv)
                    .status()
                    .expect("the API test runs Schemathesis and needs python3 with venv");
                assert!(status.success(), "python3 -m venv failed");
                let status = Command::new(venv.join("bin/pip"))
                    .args(["install", "--quiet", SCHEMATHESIS])
                    .status()
                    .expect("pip in the Schemathesis venv");
                assert!(
                    status.success(),
                    "pip install {SCHEMATHESIS} failed (PyPI must be reachable, or set DUBAN_TEST_SCHEMATHESIS)"
                );
            }
            command
        })
        .clone()
}

/// 南阳 with something in its records: a report sent and one under review, so that the
/// listings and decisions have more than nothing to say.
fn nanyang(postgres: Option<&str>) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14")
        .ok();
    w
}

/// Runs Schemathesis with each role's token; every failure it reports fails the test.
fn run(postgres: Option<&str>) {
    let command = schemathesis();
    let w = nanyang(postgres);
    let roles: [&[&str]; 5] = [
        &["--role", "liaison", "--unit", "宛城区"],
        &["--role", "leader", "--unit", "宛城区"],
        &["--role", "reviewer", "--unit", "党风政风监督室"],
        &["--role", "supervisor"],
        &["--role", "office"],
    ];
    let tokens: Vec<String> = roles
        .iter()
        .map(|role| {
            let mut args = vec!["token", "create"];
            args.extend_from_slice(role);
            let out = w.ok(&args);
            out.split_whitespace().last().unwrap().to_string()
        })
        .collect();
    let server = Server::start(&w, "2017-05-20T10:00");
    let schema = format!("http://127.0.0.1:{}/api/v1/openapi.json", server.port);
    let config = crate::common::root().join("tests/fixtures/api/schemathesis.toml");
    for (role, token) in roles.iter().zip(&tokens) {
        let output = Command::new(&command)
            .arg("--config-file")
            .arg(&config)
            .args(["run", &schema, "--checks", "all", "--max-examples", "200"])
            .args(["--seed", "20170520", "--no-color"])
            .arg("-H")
            .arg(format!("Authorization: Bearer {token}"))
            .current_dir(w.path())
            .output()
            .expect("schemathesis runs");
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "Schemathesis found failures with the {role:?} token:\n{said}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // `Selected: 10/10` and `Tested: 10`: every operation of the document, each tested.
        let count = |label: &str| {
            said.lines()
                .find_map(|l| l.trim().strip_prefix(label))
                .map(|rest| rest.trim().to_string())
                .unwrap_or_default()
        };
        let (selected, tested) = (count("Selected:"), count("Tested:"));
        let all = selected.split('/').collect::<Vec<_>>();
        assert!(
            all.len() == 2 && all[0] == all[1] && all[0] == tested && tested != "0",
            "every operation was tested ({selected}, {tested}): {said}"
        );
    }
}

#[test]
fn schemathesis_finds_nothing_on_sqlite() {
    run(None);
}

#[test]
fn schemathesis_finds_nothing_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        run(Some(&url));
    }
}
