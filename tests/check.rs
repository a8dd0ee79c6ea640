//! `duban check`: the rendered diagnostics of every "must reject" case, and exit codes.

use crate::common::duban;

/// Every fixture under `fixtures/reject/` is a case; its rendered diagnostics and exit code are
/// pinned by a snapshot (reviewed by hand when it changes).
#[test]
fn rejected_files_render_their_diagnostics() {
    insta::glob!("fixtures/reject/*.campaign", |path| {
        let relative = path.strip_prefix(crate::common::root()).unwrap();
        let run = duban(&["check", "--color", "never", relative.to_str().unwrap()]);
        let shown = format!("exit code: {}\n\n{}{}", run.code, run.stdout, run.stderr);
        insta::assert_snapshot!(shown);
    });
}

#[test]
fn errors_exit_2_and_warnings_exit_0() {
    let run = duban(&["check", "tests/fixtures/reject/unknown-unit.campaign"]);
    assert_eq!(run.code, 2);
    let run = duban(&["check", "tests/fixtures/reject/outside-campaign.campaign"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning:"));
}

#[test]
fn a_folder_checks_every_campaign_in_it() {
    let run = duban(&["check", "campaigns"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().filter(|l| l.contains(": ok")).count(),
        4,
        "{}",
        run.stdout
    );
    let run = duban(&["check", "tests/fixtures/reject"]);
    assert_eq!(run.code, 2);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let run = duban(&["check", "no/such.campaign"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read no/such.campaign"),
        "{}",
        run.stderr
    );
}

#[test]
fn carets_sit_under_the_chinese_name() {
    let run = duban(&["check", "tests/fixtures/reject/unknown-unit.campaign"]);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.contains("卧龙去") && l.contains('│'))
        .unwrap();
    let carets = lines[source + 1];
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let name_at = width(&lines[source][..lines[source].find("卧龙去").unwrap()]);
    let caret_at = width(&carets[..carets.find('^').unwrap()]);
    assert_eq!(name_at, caret_at, "{}", run.stderr);
    assert_eq!(carets.matches('^').count(), width("卧龙去"));
}
