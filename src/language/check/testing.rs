//! What the checker's unit tests share: a campaign's text in, its campaign or its problems out.

use super::*;

/// The header every test body is checked under: a campaign of 2017 with units 甲 and 乙.
const HEADER: &str = "campaign t {\n  period 2017-04-01 .. 2017-12-31\n}\nunit 甲\nunit 乙\n";

/// Checks a whole file, which must parse.
pub(super) fn check_file(src: &str) -> (Option<Campaign>, Vec<Diagnostic>) {
    let (file, errors) = crate::language::parse::parse(src);
    assert!(errors.is_empty(), "{src}\n{errors:#?}");
    check(src, &file, None)
}

/// Checks `body` under [`HEADER`].
pub(super) fn check_body(body: &str) -> (Option<Campaign>, Vec<Diagnostic>) {
    check_file(&format!("{HEADER}{body}"))
}

/// The campaign of `body` under [`HEADER`], which must have no problem at all.
pub(super) fn campaign(body: &str) -> Campaign {
    let (campaign, diagnostics) = check_body(body);
    assert!(diagnostics.is_empty(), "{body}\n{}", describe(&diagnostics));
    campaign.expect("a campaign")
}

/// Each problem of `body` under [`HEADER`] as one line: `error: … (help: …)`.
pub(super) fn problems(body: &str) -> Vec<String> {
    lines(&check_body(body).1)
}

/// Each problem as one line: `error: … (help: …)`.
pub(super) fn lines(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let severity = if d.is_error() { "error" } else { "warning" };
            match &d.help {
                Some(help) => format!("{severity}: {} (help: {help})", d.problem),
                None => format!("{severity}: {}", d.problem),
            }
        })
        .collect()
}

fn describe(diagnostics: &[Diagnostic]) -> String {
    lines(diagnostics).join("\n")
}

/// The one deliverable of `body`.
pub(super) fn only_deliverable(body: &str) -> Deliverable {
    let mut campaign = campaign(body);
    assert_eq!(campaign.deliverables.len(), 1);
    campaign.deliverables.remove(0)
}

/// `y-m-d`.
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
