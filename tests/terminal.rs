//! Output that fits: on a terminal (a real pseudo-terminal, made by util-linux's `script`) a
//! table is cut to the terminal's width — the contact column first, the unit names never —
//! and the lights are coloured unless `NO_COLOR` is set; piped, the same table is whole and
//! plain.

use unicode_width::UnicodeWidthStr;

use crate::common::Workspace;

/// What `duban ARGS` shows on an 80×40 terminal, with `env` set.
fn on_terminal(w: &Workspace, env: &str, args: &str) -> String {
    let binary = assert_cmd::cargo::cargo_bin("duban");
    let command = format!(
        "stty rows 40 cols 80; cd '{}' && env -u DUBAN_CONFIG -u DUBAN_DB {env} '{}' {args}",
        w.path().display(),
        binary.display()
    );
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("util-linux's script makes the terminal (apt-get install bsdutils)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
}

fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut escape = false;
    for c in text.chars() {
        match c {
            '\x1b' => escape = true,
            'm' if escape => escape = false,
            _ if escape => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn a_table_fits_the_terminal_and_is_whole_when_piped() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-27"]);
    let shown = on_terminal(&w, "", "overdue --as-of 2017-05-27");
    let shown = plain(&shown);
    let widest = shown.lines().map(UnicodeWidthStr::width).max().unwrap();
    assert!(widest <= 80, "{widest} columns:\n{shown}");
    assert!(shown.contains("u04-liaison@nan"), "{shown}");
    assert!(
        !shown.contains("u04-liaison@nanyang.example.org"),
        "the contact column is cut: {shown}"
    );
    assert!(shown.contains("…"), "{shown}");
    assert!(shown.contains("市国土资源局"), "unit names whole: {shown}");
    let piped = w.ok(&["overdue", "--as-of", "2017-05-27"]);
    assert!(piped.contains("u04-liaison@nanyang.example.org"), "{piped}");
    assert!(piped.lines().map(UnicodeWidthStr::width).max().unwrap() > 80);
}

#[test]
fn lights_are_coloured_on_a_terminal_unless_no_color() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-04-27"]);
    let args = "status --as-of 2017-04-27 --unit 宛城区";
    let coloured = on_terminal(&w, "", args);
    assert!(coloured.contains("\x1b[31m红 red\x1b[0m"), "{coloured:?}");
    assert!(coloured.contains("\x1b[32m绿 green\x1b[0m"), "{coloured:?}");
    let no_color = on_terminal(&w, "NO_COLOR=1", args);
    assert!(!no_color.contains('\x1b'), "{no_color:?}");
    assert!(no_color.contains("红 red"));
    let piped = w.ok(&["status", "--as-of", "2017-04-27", "--unit", "宛城区"]);
    assert!(!piped.contains('\x1b'), "{piped:?}");
}

/// Work that takes a while shows its progress on a terminal (here at once, not after the usual
/// second), and is cleared; piped, nothing of it is written.
#[test]
fn progress_is_shown_on_a_terminal_and_not_in_a_pipe() {
    let w = Workspace::new(&["nanyang-2017"]);
    let mut text = String::from("campaign,deliverable,unit,period,at\n");
    for unit in ["宛城区", "卧龙区", "南召县"] {
        text.push_str(&format!("nanyang-2017,统计表,{unit},2017-05,2017-05-24\n"));
    }
    std::fs::write(w.path().join("rows.csv"), text).unwrap();
    let shown = on_terminal(
        &w,
        "DUBAN_PROGRESS_DELAY_MS=0",
        "import rows.csv --as-of 2017-05-01",
    );
    assert!(shown.contains("importing rows.csv"), "{shown:?}");
    assert!(shown.contains("3 recorded"), "{shown:?}");
    let run = w.run(&["import", "rows.csv", "--as-of", "2017-05-01"]);
    assert!(!run.stderr.contains("importing"), "{}", run.stderr);
}

#[test]
fn diagnostics_are_cut_to_the_terminal_only() {
    let w = Workspace::new(&[]);
    std::fs::copy(
        crate::common::root().join("tests/fixtures/reject/unknown-year.campaign"),
        w.path().join("old.campaign"),
    )
    .unwrap();
    let whole = "on 2009-03-06 assumes no holidays that year";
    // An 80-column terminal: the headline is cut to it, marked `…`.
    let shown = plain(&on_terminal(&w, "", "check old.campaign"));
    let headline = shown.lines().find(|l| l.starts_with("warning:")).unwrap();
    assert!(UnicodeWidthStr::width(headline) <= 80, "{shown}");
    assert!(headline.ends_with('…'), "{shown}");
    // A wider COLUMNS is honoured; piped, nothing is cut.
    let wide = plain(&on_terminal(&w, "COLUMNS=300", "check old.campaign"));
    assert!(wide.contains(whole), "{wide}");
    let piped = w.run(&["check", "old.campaign"]);
    assert!(piped.stderr.contains(whole), "{}", piped.stderr);
    assert!(!piped.stderr.contains('…'), "{}", piped.stderr);
}
