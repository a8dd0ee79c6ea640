//! A document's text as numbered paragraphs (its non-empty lines) and their sentences, the
//! units a drafted statement cites.

/// One sentence, with the number of the paragraph it is in (1-based, blank lines not counted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// The paragraph's number.
    pub paragraph: usize,
    /// The sentence, its end mark kept, spaces at its ends trimmed.
    pub text: String,
}

/// The sentences of `text`, paragraph by paragraph.
///
/// A sentence ends at 。！？；(and their ASCII forms `!?;`) outside brackets, and at the end of
/// its line: a 公文 puts each heading and each item on a line of its own, so a line never
/// continues into the next. Marks inside brackets (`（责任单位：各村；完成时限：…）`) belong to
/// the bracket.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut paragraph = 0;
    for line in text.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if line.is_empty() {
            continue;
        }
        paragraph += 1;
        let mut depth = 0usize;
        let mut start = 0;
        for (at, c) in line.char_indices() {
            match c {
                '（' | '(' | '《' | '“' | '〔' | '[' | '【' => depth += 1,
                '）' | ')' | '》' | '”' | '〕' | ']' | '】' => {
                    depth = depth.saturating_sub(1)
                }
                '。' | '！' | '？' | '；' | '!' | '?' | ';' if depth == 0 => {
                    let end = at + c.len_utf8();
                    push(&mut out, paragraph, &line[start..end]);
                    start = end;
                }
                _ => {}
            }
        }
        push(&mut out, paragraph, &line[start..]);
    }
    out
}

fn push(out: &mut Vec<Sentence>, paragraph: usize, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        out.push(Sentence {
            paragraph,
            text: text.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_paragraphs_and_marks_outside_brackets_end_sentences() {
        let text =
            "一、总体要求\n\n甲于4月15日前报。乙；丙（责任单位：各村；完成时限：长期坚持）\n";
        let s = sentences(text);
        let texts: Vec<(usize, &str)> = s.iter().map(|s| (s.paragraph, s.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (1, "一、总体要求"),
                (2, "甲于4月15日前报。"),
                (2, "乙；"),
                (2, "丙（责任单位：各村；完成时限：长期坚持）"),
            ]
        );
    }
}
