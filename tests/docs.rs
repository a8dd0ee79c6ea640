//! Documentation cannot rot: every campaign in `campaigns/` and `examples/`, and every campaign
//! block in README.md and docs/language.md, passes `duban check`; `docs/openapi.json` is the API's
//! description as served.
//!
//! A block fenced as ```` ```campaign ```` is a whole file. One fenced as
//! ```` ```campaign-part ```` is a piece of one: it is checked after [`PRELUDE`], which declares
//! the campaign, units and phases the pieces use.

use std::path::Path;

use crate::common::{duban, root};

/// What a `campaign-part` block is checked after.
const PRELUDE: &str = include_str!("fixtures/docs-prelude.campaign");

fn check_text(origin: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snippet.campaign");
    std::fs::write(&path, text).unwrap();
    let run = duban(&["check", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{origin}:\n{text}\n{}", run.stderr);
    assert!(
        !run.stderr.contains("warning"),
        "{origin}:\n{text}\n{}",
        run.stderr
    );
}

/// The fenced blocks of a markdown file with the given info string.
fn blocks(markdown: &str, info: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim() == format!("```{info}") => current = Some((n + 1, String::new())),
            Some(_) if line.trim() == "```" => out.push(current.take().unwrap()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    out
}

fn check_markdown(name: &str, minimum: usize) {
    let markdown = std::fs::read_to_string(root().join(name)).unwrap();
    let whole = blocks(&markdown, "campaign");
    let parts = blocks(&markdown, "campaign-part");
    assert!(
        whole.len() + parts.len() >= minimum,
        "{name} has too few campaign blocks"
    );
    for (line, text) in whole {
        check_text(&format!("{name}:{line}"), &text);
    }
    for (line, text) in parts {
        check_text(&format!("{name}:{line}"), &format!("{PRELUDE}\n{text}"));
    }
}

#[test]
fn every_campaign_and_example_checks() {
    for folder in ["campaigns", "examples"] {
        let run = duban(&["check", folder]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let files = std::fs::read_dir(root().join(folder))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "campaign")
            })
            .count();
        assert!(
            files > 0 && run.stdout.lines().count() == files,
            "{}",
            run.stdout
        );
    }
}

#[test]
fn readme_campaign_blocks_check() {
    check_markdown("README.md", 1);
}

#[test]
fn language_reference_blocks_check() {
    check_markdown("docs/language.md", 20);
}

#[test]
fn the_prelude_itself_checks() {
    assert!(Path::new(&root().join("tests/fixtures/docs-prelude.campaign")).exists());
    check_text("prelude", PRELUDE);
}

/// `docs/openapi.json` is the document the server serves, written by `duban openapi`: a change
/// to the API shows in its diff, and one made without writing it again fails here.
#[test]
fn the_apis_description_in_docs_is_the_served_one() {
    let run = duban(&["openapi"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kept = std::fs::read_to_string(root().join("docs/openapi.json")).unwrap_or_default();
    assert!(
        kept == run.stdout,
        "docs/openapi.json is not the API's description: run `duban openapi -o docs/openapi.json`"
    );
    let document: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert!(document["paths"]["/api/v1/instructions"]["post"].is_object());
}
