//! README.md's sessions run as printed: every `$ duban …` line of its shell blocks is run, in
//! order, in a copy of the repository's campaigns and example files, and the lines printed
//! under it must come out (in that order; a line `…` stands for lines left out, and a line
//! ending in `…` for one cut short). A block that prints `error:` is expected to exit 2.

use std::path::Path;

use crate::common::root;

/// One `$ duban …` line and what README prints under it.
struct Step {
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
}

/// The `$ duban` steps of README's fenced blocks, in order. `serve` runs until stopped, and is
/// tried by the web tests instead.
fn steps(markdown: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut fenced = false;
    let mut in_step = false;
    for (n, line) in markdown.lines().enumerate() {
        if line.starts_with("```") {
            fenced = !fenced;
            in_step = false;
            continue;
        }
        if !fenced {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let command = command.split("  #").next().unwrap_or_default();
            let words: Vec<String> = command.split_whitespace().map(String::from).collect();
            assert_eq!(words[0], "duban", "README.md:{}: a step runs duban", n + 1);
            in_step = words.get(1).is_some_and(|w| w != "serve");
            if in_step {
                steps.push(Step {
                    line: n + 1,
                    args: words[1..].to_vec(),
                    expected: Vec::new(),
                });
            }
        } else if in_step {
            steps
                .last_mut()
                .unwrap()
                .expected
                .push(line.trim_end().to_string());
        }
    }
    steps
}

/// Whether `expected` stands for `actual`: the same, or cut short with `…`.
fn matches(expected: &str, actual: &str) -> bool {
    let actual = actual.trim_end();
    expected == actual
        || expected
            .strip_suffix('…')
            .is_some_and(|start| actual.starts_with(start.trim_end()))
}

/// The first expected line that is not found, in order, in stdout or stderr.
fn missing<'e>(expected: &'e [String], stdout: &str, stderr: &str) -> Option<&'e str> {
    let streams = [stdout.lines().collect::<Vec<_>>(), stderr.lines().collect()];
    let mut at = [0, 0];
    'lines: for line in expected {
        if line.trim() == "…" || line.trim().is_empty() {
            continue;
        }
        for (s, stream) in streams.iter().enumerate() {
            if let Some(found) = stream[at[s]..].iter().position(|a| matches(line, a)) {
                at[s] += found + 1;
                continue 'lines;
            }
        }
        return Some(line);
    }
    None
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn readme_sessions_run_as_printed() {
    let markdown = std::fs::read_to_string(root().join("README.md")).unwrap();
    let steps = steps(&markdown);
    assert!(
        steps.len() >= 15,
        "README has its sessions: {}",
        steps.len()
    );
    let dir = tempfile::tempdir().unwrap();
    for folder in ["campaigns", "examples", "tests/fixtures/reject"] {
        copy_tree(&root().join(folder), &dir.path().join(folder));
    }
    let mut failures = Vec::new();
    for step in &steps {
        let output = crate::common::process(dir.path())
            .args(&step.args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code().unwrap_or(-1);
        let errs = step.expected.iter().any(|l| l.starts_with("error:"));
        let want = if errs { 2 } else { 0 };
        let problem = if code != want {
            Some(format!("exit {code}, not {want}"))
        } else {
            missing(&step.expected, &stdout, &stderr).map(|l| format!("missing line:\n{l}"))
        };
        if let Some(problem) = problem {
            failures.push(format!(
                "README.md:{}: duban {}: {problem}\n--- stdout:\n{stdout}--- stderr:\n{stderr}",
                step.line,
                step.args.join(" ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
