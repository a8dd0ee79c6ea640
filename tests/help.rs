//! Help, completions and the manual: `--help` puts the global options under their own heading
//! and ends with an example; `duban completions bash` is a script that a real bash sources and
//! that completes commands and the workspace's names; `duban man` is a roff page with every
//! command.

use crate::common::{Workspace, duban};

#[test]
fn help_has_global_options_apart_and_an_example() {
    for command in ["submit", "overdue", "schedule", "ics", "serve"] {
        let run = duban(&[command, "--help"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("Global options:"),
            "{command}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("\nExample:\n  duban "),
            "{command}: {}",
            run.stdout
        );
        let options = run.stdout.split("Global options:").next().unwrap();
        assert!(
            !options.contains("--holidays"),
            "{command}: global ones apart"
        );
    }
}

/// Completes `line` (the word under the cursor last) in a real bash with the script sourced.
fn bash_complete(w: &Workspace, line: &str) -> Vec<String> {
    let script = w.ok(&["completions", "bash"]);
    let path = w.path().join("duban.bash");
    std::fs::write(&path, script).unwrap();
    let program = format!(
        "source {}; COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; _clap_complete_duban duban \"${{COMP_WORDS[COMP_CWORD]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let output = std::process::Command::new("bash")
        .current_dir(w.path())
        .env_remove("DUBAN_CONFIG")
        .args(["-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_commands_flags_and_the_workspaces_names() {
    let w = Workspace::new(&["nanyang-2017", "gulu-2023"]);
    let commands = bash_complete(&w, "duban ov");
    assert!(commands.contains(&"overdue".to_string()), "{commands:?}");
    let units = bash_complete(&w, "duban overdue --unit 宛");
    assert_eq!(units, ["宛城区"]);
    let deliverables = bash_complete(&w, "duban submit nanyang-2017 统");
    assert_eq!(deliverables, ["统计表"]);
    let campaigns = bash_complete(&w, "duban history g");
    assert_eq!(campaigns, ["gulu-2023"]);
    for shell in ["zsh", "fish", "powershell"] {
        let script = w.ok(&["completions", shell]);
        assert!(script.contains("DUBAN_COMPLETE"), "{shell}: {script}");
    }
}

#[test]
fn the_manual_page_has_every_command() {
    let run = duban(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(".TH duban 1"), "{}", &run.stdout[..200]);
    for section in ["DUBAN SUBMIT", "DUBAN OVERDUE", "DUBAN ICS", "DUBAN SERVE"] {
        assert!(
            run.stdout.contains(&format!(".SH \"{section}\"")),
            "{section}"
        );
    }
    assert!(
        run.stdout.contains("\\-\\-as\\-of"),
        "the options are there"
    );
}
