//! A note under an annex's table (注：此表每月20日前报送至村建中心) says when the table is sent,
//! not who sends it: those are the units the text has fill that annex in (各村…建立问题清单
//! （附件）…报镇村建中心), and the report is the table the annex heads.

use super::reports::{Kind, Statement};
use super::text::Sentence;

/// Whether `text` is a note (注：, 备注：, 说明：) that names no unit of its own.
pub fn is_note(text: &str) -> bool {
    let text = text.trim_start();
    ["注：", "注:", "备注：", "备注:", "说明：", "说明:"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// The annex the sentence at `paragraph` sits under: its label as the text cites it (`附件`,
/// `附件2`) and its table's title (the line after the heading), from the nearest heading
/// before it.
pub fn annex_of(sentences: &[Sentence], paragraph: usize) -> Option<(String, Option<String>)> {
    let heading = sentences
        .iter()
        .rev()
        .filter(|s| s.paragraph < paragraph)
        .find(|s| label(&s.text).is_some())?;
    let title = sentences
        .iter()
        .find(|s| s.paragraph > heading.paragraph && s.paragraph < paragraph)
        .map(|s| {
            s.text
                .trim()
                .trim_end_matches(['。', '：', ':'])
                .to_string()
        })
        .filter(|t| !t.is_empty() && label(t).is_none());
    Some((label(&heading.text)?, title))
}

/// An annex's heading line (`附件`, `附件2`, `附件2：`) as its label.
fn label(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("附件")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = rest[digits.len()..].trim_matches(['：', ':', ' ', '\u{3000}']);
    after.is_empty().then(|| format!("附件{digits}"))
}

/// The units the text has fill in the annex `label`: the owners of the reports that cite it
/// (`（附件2）`, or a bare `（附件）` for the only annex), each once.
pub fn fillers(statements: &[Statement], label: &str) -> Vec<String> {
    let cites = |text: &str| {
        text.match_indices(label)
            .any(|(at, _)| !text[at + label.len()..].starts_with(|c: char| c.is_ascii_digit()))
    };
    let mut owners: Vec<String> = Vec::new();
    for s in statements.iter().filter(|s| s.kind == Kind::Report) {
        if s.sources.iter().any(|source| cites(&source.text)) {
            for unit in &s.from {
                if !owners.contains(unit) {
                    owners.push(unit.clone());
                }
            }
        }
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_annex_heading_is_its_label_alone() {
        assert_eq!(label("附件").as_deref(), Some("附件"));
        assert_eq!(label("附件2：").as_deref(), Some("附件2"));
        assert_eq!(label("附件：农村危房整治问题清单"), None);
        assert_eq!(label("附件2要在月底前报送"), None);
        assert!(is_note("注：此表每月20日前报送至村建中心。"));
        assert!(!is_note("各村注意按时报送。"));
    }
}
