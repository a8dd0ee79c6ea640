//! The campaign file written from what was recognised, in the language's Chinese keywords, and
//! checked and compiled as `duban check` does: a statement the checker refuses is written as a
//! comment with the checker's reason, so that the file compiles and the reviewer still sees
//! what was read.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike as _, NaiveDate};

use super::Options;
use super::dates::{self, Year};
use super::header::Header;
use super::reports::{Kind, Statement};
use super::text::Sentence;
use crate::schedule::calendar::Calendar;

/// Everything the file is written from.
pub struct Input<'a> {
    /// The command's options.
    pub options: &'a Options,
    /// The notice.
    pub header: &'a Header,
    /// The day of issue, if known.
    pub issued: Option<NaiveDate>,
    /// The day years are supplied from.
    pub anchor: NaiveDate,
    /// Readings about the header.
    pub readings: Vec<String>,
    /// The statements.
    pub statements: Vec<Statement>,
    /// The document's sentences.
    pub sentences: &'a [Sentence],
    /// What each sentence gave.
    pub explain: &'a [(Sentence, String)],
}

/// The file, and how many statements it has and how many were refused.
pub struct Written {
    /// The campaign file.
    pub text: String,
    /// Statements written.
    pub statements: usize,
    /// Statements left as comments.
    pub refused: usize,
}

/// Writes the file, checks it, and writes it again without what the checker refuses.
pub fn campaign(input: &Input<'_>, calendar: &Calendar) -> Written {
    let mut refused: Vec<Option<String>> = vec![None; input.statements.len()];
    // Each round refuses at least one statement more, or stops.
    for _ in 0..=input.statements.len() {
        let (text, ranges) = render(input, &refused);
        let problems = check(&text, calendar);
        let mut more = false;
        for (at, message) in problems {
            if let Some(i) = ranges.iter().position(|r| r.contains(&at))
                && refused[i].is_none()
            {
                refused[i] = Some(message);
                more = true;
            }
        }
        if !more {
            let count = refused.iter().filter(|r| r.is_some()).count();
            return Written {
                text,
                statements: input.statements.len() - count,
                refused: count,
            };
        }
    }
    let (text, _) = render(input, &refused);
    Written {
        text,
        statements: 0,
        refused: input.statements.len(),
    }
}

/// The errors of `text` as `duban check` finds them: where, and what.
fn check(text: &str, calendar: &Calendar) -> Vec<(usize, String)> {
    let loaded =
        crate::language::load_text("draft.campaign", text, None, |_| Ok(String::new()), &[]);
    let mut errors: Vec<(usize, String)> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.span.start, d.problem.to_string()))
        .collect();
    if errors.is_empty()
        && let Some(campaign) = &loaded.campaign
        && let Err(diagnostics) = crate::schedule::compile(campaign, calendar, None)
    {
        errors.extend(
            diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| (d.span.start, d.problem.to_string())),
        );
    }
    errors
}

/// The file, and the byte range each statement takes in it.
fn render(input: &Input<'_>, refused: &[Option<String>]) -> (String, Vec<std::ops::Range<usize>>) {
    let mut out = String::new();
    let h = input.header;
    let _ = writeln!(
        out,
        "# Drafted by `duban draft` from {} — a draft to review against the document, not a\n\
         # reviewed campaign file. Each statement quotes the sentence it comes from (¶N: the N-th\n\
         # non-empty line of the document's text); \"Reading:\" marks what was read, not found, and\n\
         # `duban check` warns of each marked 待确认 until a person has confirmed it and taken the\n\
         # marker out.\n",
        input.options.source
    );
    let title = h.title.as_deref().map(quote).unwrap_or_default();
    let _ = writeln!(out, "专项整治 {} {title} {{", name(&input.options.id));
    match &h.issuer {
        Some(issuer) => {
            let _ = writeln!(out, "  发文单位 {}", quote(issuer));
        }
        None => out.push_str("  # 待确认 Reading: the text names no issuer (发文单位): add it.\n"),
    }
    if let Some(doc) = &h.doc {
        let _ = writeln!(out, "  文号 {}", quote(doc));
    }
    for reading in &input.readings {
        let _ = writeln!(out, "  # 待确认 Reading: {reading}.");
    }
    match input.issued {
        Some(day) => {
            let _ = writeln!(out, "  印发 {}", dates::write_day(day));
        }
        None => out.push_str(
            "  # 待确认 Reading: the text has no date of issue (印发); add it, or draft with --issued.\n",
        ),
    }
    out.push_str("  时区 Asia/Shanghai\n");
    let live: Vec<&Statement> = input
        .statements
        .iter()
        .zip(refused)
        .filter(|(_, r)| r.is_none())
        .map(|(s, _)| s)
        .collect();
    match &h.period {
        Some((first, last, sentence)) => {
            let _ = writeln!(out, "  {}", cite(sentence));
            let _ = writeln!(out, "  期间 {first} 至 {last}");
        }
        None => {
            let (first, last) = assumed_period(input, &live);
            out.push_str(
                "  # 待确认 Reading: the document states no period: from the day of issue to the last\n  \
                 # deadline it sets (or the end of that year).\n",
            );
            let _ = writeln!(
                out,
                "  期间 {} 至 {}",
                dates::write_day(first),
                dates::write_day(last)
            );
        }
    }
    if let Some((office, sentence)) = &h.office {
        let _ = writeln!(out, "  {}", cite(sentence));
        let called = if sentence.text.contains(office.as_str()) {
            String::new()
        } else {
            format!(" (named {office} where the document sends reports to it)")
        };
        let _ = writeln!(
            out,
            "  # 待确认 Reading: the leading group's office runs the campaign day to day{called}: \
             its 主办单位, to which what names no recipient goes.\n  主办单位 {}",
            name(office)
        );
    }
    out.push_str("}\n\n");

    // Units: the addressees, then everyone a statement names.
    out.push_str("# Units. A name that stands for several units (各县区, 市直各单位 …) is declared as\n# one unit here; to chase each, replace `单位 X` by `分组 X { … }` listing them.\n");
    if let Some((sentence, _)) = &h.addressees {
        let _ = writeln!(out, "# 主送 {}", cite(sentence));
    }
    let mut declared = HashSet::new();
    let addressees = h.addressees.iter().flat_map(|(_, a)| a.iter());
    let named = live.iter().flat_map(|s| s.from.iter().chain(&s.to));
    let named = named.chain(h.office.iter().map(|(office, _)| office));
    for unit in addressees.chain(named) {
        if declared.insert(name(unit)) {
            if name(unit) == *unit {
                let _ = writeln!(out, "单位 {}", name(unit));
            } else {
                let _ = writeln!(out, "单位 {} {{ 全称 {} }}", name(unit), quote(unit));
            }
        }
    }
    out.push('\n');

    let mut ranges = Vec::new();
    let mut names = HashSet::new();
    for (i, (statement, refusal)) in input.statements.iter().zip(refused).enumerate() {
        let start = out.len();
        let block = statement_text(statement, i, &mut names);
        match refusal {
            None => out.push_str(&block),
            Some(reason) => {
                let _ = writeln!(out, "# Not drafted — `duban check` refuses it: {reason}");
                for line in block.lines() {
                    let _ = writeln!(out, "# {line}");
                }
            }
        }
        out.push('\n');
        ranges.push(start..out.len());
    }
    leftovers(&mut out, input);
    (out, ranges)
}

/// A statement's block, its sources quoted above it.
fn statement_text(s: &Statement, index: usize, names: &mut HashSet<String>) -> String {
    let mut out = String::new();
    for source in &s.sources {
        let _ = writeln!(out, "{}", cite(source));
    }
    let _ = writeln!(out, "# Read as: {}.", s.class);
    for reading in &s.readings {
        let _ = writeln!(out, "# 待确认 Reading: {reading}.");
    }
    let keyword = match s.kind {
        Kind::Report => "报送",
        Kind::Measure => "措施",
        Kind::Phase => {
            let title = s.title.as_deref().unwrap_or("阶段");
            let _ = writeln!(out, "阶段 {} {}", name(title), s.due);
            return out;
        }
    };
    let _ = writeln!(
        out,
        "{keyword} {} {}{{",
        statement_name(s, index, names),
        s.title
            .as_deref()
            .map(|t| quote(t) + " ")
            .unwrap_or_default()
    );
    let from: Vec<String> = s.from.iter().map(|u| name(u)).collect();
    if s.kind == Kind::Measure {
        let _ = writeln!(out, "  责任单位 {}", from.join("、"));
    } else {
        let _ = writeln!(out, "  报送单位 {}", from.join("、"));
    }
    if !s.to.is_empty() {
        let to: Vec<String> = s.to.iter().map(|u| name(u)).collect();
        let _ = writeln!(out, "  接收单位 {}", to.join("、"));
    }
    if let Some(form) = &s.form {
        let _ = writeln!(out, "  表单 {}", quote(form));
    }
    let keyword = if s.kind == Kind::Measure {
        "完成时限"
    } else {
        "时限"
    };
    let _ = writeln!(out, "  {keyword} {}", s.due);
    if s.previous {
        out.push_str("  报告期 上月\n");
    }
    if let Some(first) = &s.first {
        let _ = writeln!(out, "  首期 {first}");
    }
    if let Some(last) = &s.last {
        let _ = writeln!(out, "  末期 {last}");
    }
    if s.ongoing {
        out.push_str("  长期坚持\n");
    }
    out.push_str("}\n");
    out
}

/// A short name for a statement, from its title, unique in the file.
fn statement_name(s: &Statement, index: usize, names: &mut HashSet<String>) -> String {
    let base: String = s
        .title
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .skip_while(|c| c.is_ascii_digit())
        .take(12)
        .collect();
    let base = if base.chars().count() < 2 {
        format!("报送{}", index + 1)
    } else {
        base
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while !names.insert(candidate.clone()) {
        candidate = format!("{base}{n}");
        n += 1;
    }
    name(&candidate)
}

/// The sentences with a time or a reporting verb that gave no statement.
fn leftovers(out: &mut String, input: &Input<'_>) {
    let used: HashSet<&str> = input
        .statements
        .iter()
        .flat_map(|s| s.sources.iter().map(|x| x.text.as_str()))
        .collect();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for s in input.sentences {
        if used.contains(s.text.as_str()) || !seen.insert(s.text.as_str()) {
            continue;
        }
        if has_time(&s.text) || has_verb(&s.text) {
            let why = input
                .explain
                .iter()
                .find(|(e, _)| e == s)
                .map(|(_, w)| format!("  ({w})"))
                .unwrap_or_default();
            lines.push(format!("{}{why}", cite(s)));
        }
    }
    if lines.is_empty() {
        return;
    }
    out.push_str(
        "# ---------------------------------------------------------------------------------------------\n\
         # Not drafted: sentences with a time or a reporting verb that gave no statement. Read each:\n\
         # a phase, a duty without a date, a deadline the drafter does not read yet, or nothing.\n\
         # ---------------------------------------------------------------------------------------------\n",
    );
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
}

fn has_time(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "每月",
        "每周",
        "每季",
        "每年",
        "每半年",
        "及时",
        "随时",
        "适时",
        "即日起",
        "长期坚持",
        "常态化",
        "月底",
        "年底",
        "上旬",
        "中旬",
        "下旬",
    ];
    WORDS.iter().any(|w| text.contains(w))
        || text.char_indices().any(|(at, _)| {
            crate::language::parse::phrase::date_at(&text[at..])
                .is_some_and(|d| dates::day(&d.value, Year::Default(2000)).is_some())
        })
}

fn has_verb(text: &str) -> bool {
    ["报送", "上报", "提交", "汇总"]
        .iter()
        .any(|w| text.contains(w))
        || super::reports::verb(text).is_some()
}

/// From the day of issue to the last one-off deadline drafted, else to the end of that year;
/// widened to take in every phase drafted (a phase's months whole).
fn assumed_period(input: &Input<'_>, live: &[&Statement]) -> (NaiveDate, NaiveDate) {
    let issued = input.issued.unwrap_or(input.anchor);
    let year = Year::Default(chrono::Datelike::year(&input.anchor));
    let phase_days: Vec<(NaiveDate, NaiveDate)> = live
        .iter()
        .filter(|s| s.kind == Kind::Phase)
        .flat_map(|s| {
            s.due
                .char_indices()
                .filter(|&(at, c)| {
                    c.is_ascii_digit() && !s.due[..at].ends_with(|p: char| p.is_ascii_digit())
                })
                .filter_map(|(at, _)| crate::language::parse::phrase::date_at(&s.due[at..]))
                .filter_map(|d| {
                    let last = dates::day(&d.value, year)?;
                    Some((last.with_day(1)?, last))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let first = phase_days
        .iter()
        .map(|(start, _)| *start)
        .chain([issued])
        .min()
        .unwrap_or(issued);
    let last = live
        .iter()
        .filter(|s| s.kind != Kind::Phase)
        .flat_map(|s| {
            let text = s.due.trim_start_matches("分别于");
            text.split('和')
                .filter_map(crate::language::parse::phrase::date_at)
                .filter_map(|d| dates::day(&d.value, Year::Written))
                .collect::<Vec<_>>()
        })
        .chain(phase_days.iter().map(|(_, end)| *end))
        .max()
        .filter(|&d| d > issued)
        .or_else(|| NaiveDate::from_ymd_opt(chrono::Datelike::year(&issued), 12, 31))
        .unwrap_or(issued);
    (first, last)
}

/// `# ¶12 "sentence"`.
fn cite(sentence: &Sentence) -> String {
    format!(
        "# ¶{} “{}”",
        sentence.paragraph,
        sentence.text.replace('\n', " ")
    )
}

/// A unit's or statement's name as the language reads it: 各县(市、区) → 各县市区 (its 全称
/// keeps the document's spelling); quoted where it is no bare name.
pub fn name(text: &str) -> String {
    let text: String = if text.contains('、') {
        text.chars().filter(|c| !"()（）、".contains(*c)).collect()
    } else {
        text.to_string()
    };
    let bare = text
        .chars()
        .all(|c| c.is_alphanumeric() || "_·（）()〔〕".contains(c))
        && !text.starts_with(|c: char| c.is_ascii_digit());
    if bare { text } else { quote(&text) }
}

/// `text` as a string of the language.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace(['"', '\\'], "”").replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_languages() {
        assert_eq!(name("各县(市、区)"), "各县市区");
        assert_eq!(name("党风政风监督室"), "党风政风监督室");
        assert_eq!(name("2017年度统计表"), "\"2017年度统计表\"");
        assert!(crate::draft::units::is_office("镇村建中心"));
    }
}
