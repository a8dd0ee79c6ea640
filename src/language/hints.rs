//! Checks and hints read off the raw text of a campaign, without the grammar: nesting too deep
//! for the parser, a `{` left open, and the help that turns a syntax error into a fix (a
//! misspelt word, a name with a word of the language glued inside it). The parser calls them;
//! they never touch pest.

use super::ast::Span;
use super::diagnostic::{Diagnostic, Problem};
use super::keywords::{self, Context};
use super::suggest;

/// Deeper nesting than this is refused before pest sees it (its recursion would need the stack).
const MAX_DEPTH: usize = 24;

pub(super) fn check_nesting(src: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (at, c) in src.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '\n' => in_string = false,
            '{' if !in_string => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Diagnostic::error(
                        Problem::TooDeep { limit: MAX_DEPTH },
                        Span::new(at, at + 1),
                    ));
                }
            }
            '}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The `{` a block left open, if any: the one still open when a line starts at its first
/// column with a top-level keyword that cannot stand inside that block (`report …` after a
/// `group g {` without its `}`), or at the end of the file. Strings and comments are skipped.
pub(super) fn unclosed_brace(src: &str) -> Option<Diagnostic> {
    // Each open brace, with the block it opens (none for a group's list).
    let mut open: Vec<(usize, Option<Context>)> = Vec::new();
    // The first text opened and not closed on its line after a brace: a `}` inside it is read
    // as part of the text, which is why the brace seems never closed.
    let mut open_quote: Option<(usize, char)> = None;
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let first_word: String = line.chars().take_while(|c| !c.is_whitespace()).collect();
        let keyword = keywords::lookup(first_word.trim_end_matches([':', '：']));
        if let (Some(k), Some(&(brace, block))) = (keyword, open.last())
            && !line.starts_with(char::is_whitespace)
            && k.contexts.contains(&Context::Top)
            && !block.is_some_and(|b| k.contexts.contains(&b))
        {
            return Some(unclosed_at(brace, open_quote));
        }
        let block = keyword.and_then(|k| block_context(k.english));
        let mut quote: Option<char> = None;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some('"'), '\\') => {}
                (Some('"'), '"') | (Some('“'), '”') => quote = None,
                (Some(_), _) => {}
                (None, '"' | '“') => quote = Some(c),
                (None, '#') => break,
                (None, '/') if line[i..].starts_with("//") => break,
                (None, '{') => open.push((offset + i, block)),
                (None, '}') => {
                    open.pop();
                }
                _ => {}
            }
        }
        if let Some(q) = quote
            && open_quote.is_none()
            && !open.is_empty()
        {
            let at = line
                .char_indices()
                .rev()
                .find(|&(_, c)| c == q)
                .map_or(0, |(i, _)| i);
            open_quote = Some((offset + at, q));
        }
        offset += line.len();
    }
    open.last()
        .map(|&(brace, _)| unclosed_at(brace, open_quote))
}

/// The block a keyword opens, by its English spelling.
fn block_context(english: &str) -> Option<Context> {
    Some(match english {
        "campaign" => Context::Campaign,
        "unit" => Context::Unit,
        "report" => Context::Report,
        "item" => Context::Item,
        "measure" => Context::Measure,
        "target" => Context::Target,
        "remind" => Context::Remind,
        "form" => Context::Form,
        "ledger" => Context::Ledger,
        _ => return None,
    })
}

fn unclosed_at(brace: usize, open_quote: Option<(usize, char)>) -> Diagnostic {
    let found = Diagnostic::error(Problem::UnclosedBrace, Span::new(brace, brace + 1))
        .with_label("opened here");
    match open_quote.filter(|&(at, _)| at > brace) {
        Some((at, q)) => {
            let close = if q == '“' { '”' } else { '"' };
            found
                .with_note(
                    Span::new(at, at + q.len_utf8()),
                    format!("this `{q}` opens a text that is never closed on its line"),
                )
                .with_help(Some(format!(
                    "close the text with `{close}` on its line: until then the `}}` after it is read as part of the text"
                )))
        }
        None => found.with_help(Some(
            "close the block with `}` before the next one starts".into(),
        )),
    }
}

/// Help for a name cut short by a word of the language inside it (`整改开始前报告` reads as the
/// phase `整改`, then `开始前`): quote the whole name.
pub(super) fn glued_name(text: &str, at: usize, len: usize) -> Option<String> {
    let before = text[..at].chars().next_back()?;
    if len == 0 || !before.is_alphanumeric() || before.is_ascii() {
        return None;
    }
    let start = text[..at]
        .rfind(|c: char| c.is_whitespace() || "{}:：、,，;；\"".contains(c))
        .map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
    let whole = &text[start..at + len];
    Some(format!(
        "`{whole}` reads as `{}` followed by `{}`; to use it as one name, quote it: `\"{whole}\"`",
        &text[start..at],
        &text[at..at + len]
    ))
}

/// "Did you mean …?" for the last English word before a syntax error that is not a word of
/// the language but is close to one (`due evry week`: `every`).
pub(super) fn misspelt_word(before: &str) -> Option<String> {
    let words = english_words();
    let line = before.rsplit('\n').next().unwrap_or(before);
    line.rsplit(|c: char| !(c.is_ascii_alphabetic() || c == '-'))
        .filter(|w| w.len() >= 3 && !words.contains(&w.to_ascii_lowercase().as_str()))
        .find_map(|w| {
            let lower = w.to_ascii_lowercase();
            suggest::nearest(&lower, words.iter().copied())
                .map(|near| format!("did you mean `{near}` (for `{w}`)?"))
        })
}

/// Every English word the grammar knows, read from the grammar itself so that the list cannot
/// fall behind it.
fn english_words() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let grammar = include_str!("../../grammar/campaign.pest");
        let mut words: Vec<&str> = grammar
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brace_left_open_is_found() {
        let at = |src: &str| unclosed_brace(src).map(|d| d.span.start);
        let src = "group g { 甲\nreport r {\n  from g\n}\n";
        assert_eq!(
            at(src),
            Some(src.find('{').unwrap()),
            "the next block's keyword tells"
        );
        assert_eq!(
            at("report r {\n  from 甲\n"),
            Some(9),
            "or the end of the file"
        );
        assert_eq!(
            at("unit 甲 { note \"{\" }  # {\n"),
            None,
            "strings and comments"
        );
        assert_eq!(at("unit 甲 { note “{” }\n// {\n"), None);
        assert_eq!(
            at("item i {\nreport r {\n}\n}\n"),
            None,
            "a report may stand in an item, indented or not"
        );
        // A text left open on its line swallows the `}`: the quote is named beside the brace.
        let src = "报送 x { 报送单位 甲; 表单 \"abc }\n";
        let found = unclosed_brace(src).unwrap();
        assert_eq!(found.span.start, src.find('{').unwrap());
        assert_eq!(found.notes[0].0.start, src.find('"').unwrap());
        assert!(
            found.notes[0].1.contains("never closed"),
            "{:?}",
            found.notes
        );
        assert!(found.help.unwrap().contains("close the text"));
    }
}
