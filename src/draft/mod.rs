//! `duban draft`: a campaign file written from the document that sets the campaign up, every
//! statement under a comment quoting the sentence it comes from.
//!
//! The document is read into numbered paragraphs and sentences (`read`, `text`); the notice
//! gives the header (`header`); sentences that owe a report by a time give reports, and
//! measures with their （责任单位：…；完成时限：…） give measures (`reports`). Every time phrase is
//! read by the campaign language's own grammar (`language::parse::phrase`), so a phrase the
//! drafter writes is one `duban check` reads, with the same meaning. The draft is then checked
//! and compiled as `duban check` would (`write`): a statement the checker refuses is left as a
//! comment with the checker's reason, so that the draft always compiles.
//!
//! Sits above the language and the schedule, below the command line only: nothing else
//! drafts.

mod dates;
mod header;
mod notes;
mod periods;
mod phases;
pub mod read;
mod reports;
mod text;
mod together;
mod units;
mod write;

use chrono::NaiveDate;

pub use read::{ReadError, read};
pub use text::Sentence;

use reports::{Kind, Statement};

/// What the drafter is told besides the document.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The campaign's id in the file.
    pub id: String,
    /// The day of issue, for a text without its notice.
    pub issued: Option<NaiveDate>,
    /// What the file was drafted from, for its first comment.
    pub source: String,
}

/// A drafted campaign.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The campaign file.
    pub text: String,
    /// Per sentence that had something to recognise, what was made of it.
    pub explain: Vec<(Sentence, String)>,
    /// How many statements were written.
    pub statements: usize,
    /// How many were left as comments because the checker refused them.
    pub refused: usize,
}

/// Why no draft could be written.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// Nothing in the text dates the campaign.
    #[error(
        "the document gives no date of issue and no period, so the year of its dates is unknown: pass --issued DATE"
    )]
    NoDate,
}

/// Drafts the campaign of a document's text.
pub fn draft(text: &str, options: &Options) -> Result<Draft, DraftError> {
    let sentences = text::sentences(text);
    let header = header::header(&sentences);
    let mut readings = Vec::new();
    let issued = match (options.issued, header.issued) {
        (Some(day), _) => {
            readings.push(format!(
                "the day of issue, {}, is the one given with --issued",
                dates::write_day(day)
            ));
            Some(day)
        }
        (None, found) => found,
    };
    // Dates without a year are read in the year of issue, else in the period's first year,
    // else — an excerpt without its notice — in the year of the first full date it writes.
    let from_period = header.period.as_ref().and_then(|(first, _, _)| {
        let found = crate::language::parse::phrase::date_at(first)?;
        let year = found.value.year?;
        NaiveDate::from_ymd_opt(year, found.value.month, 1)
    });
    let anchor = match issued.or(from_period) {
        Some(day) => day,
        None => {
            let day = first_full_date(&sentences).ok_or(DraftError::NoDate)?;
            readings.push(format!(
                "the text gives no date of issue and no period: a date without its year is read \
                 in {}, the year of the first full date it writes (draft with --issued to say \
                 otherwise)",
                chrono::Datelike::year(&day)
            ));
            day
        }
    };
    let (mut statements, explain) = recognise(&sentences, &header, anchor);
    periods::first_periods(&mut statements, &header, issued);
    let mut header = header;
    header.office = header::office_of(&sentences, &statements);
    office_share(&mut statements, &header);
    let written = write::campaign(
        &write::Input {
            options,
            header: &header,
            issued,
            anchor,
            readings,
            statements,
            sentences: &sentences,
            explain: &explain,
        },
        crate::schedule::calendar::Calendar::official(),
    );
    Ok(Draft {
        text: written.text,
        explain,
        statements: written.statements,
        refused: written.refused,
    })
}

/// What the campaign's office owns with others — a measure's 责任单位, a report that names no
/// one to send it to — is not owed by the office to itself (古路's first reviewed reading did
/// so, and the office chased and ranked itself): the others' share stays owed to the office;
/// the office's own becomes a statement of its own, owed to the authority that issued the
/// document (发文单位), as a reading to confirm. Without a 发文单位 it is left as it is.
fn office_share(statements: &mut Vec<Statement>, header: &header::Header) {
    let (Some((office, _)), Some(issuer)) = (&header.office, &header.issuer) else {
        return;
    };
    let named: Vec<&String> = statements
        .iter()
        .flat_map(|s| s.from.iter().chain(&s.to))
        .chain(header.addressees.iter().flat_map(|(_, a)| a.iter()))
        .collect();
    let authority = header::issuer_unit(issuer, &named);
    if authority == *office {
        return;
    }
    let mut shares = Vec::new();
    for statement in statements.iter_mut() {
        let owed_to_office = match statement.kind {
            Kind::Measure => true,
            Kind::Report => statement.to.is_empty(),
            Kind::Phase => false,
        };
        if !owed_to_office || !statement.from.contains(office) {
            continue;
        }
        let mut share = Statement {
            from: vec![office.clone()],
            to: vec![authority.clone()],
            ..statement.clone()
        };
        share.readings.push(format!(
            "{office} runs the campaign and owes this too: not to itself, to {authority}, \
             which issued the document"
        ));
        statement.from.retain(|u| u != office);
        // The office alone owed it: the statement is its share.
        if statement.from.is_empty() {
            *statement = share;
        } else {
            shares.push(share);
        }
    }
    statements.extend(shares);
}

/// The first date the text writes with its year (its month's first day), if any.
fn first_full_date(sentences: &[Sentence]) -> Option<NaiveDate> {
    sentences.iter().find_map(|s| {
        let text = s.text.as_str();
        text.char_indices()
            .filter(|&(at, c)| {
                c.is_ascii_digit() && !text[..at].ends_with(|p: char| p.is_ascii_digit())
            })
            .find_map(|(at, _)| {
                let found = crate::language::parse::phrase::date_at(&text[at..])?;
                let year = found.value.year.filter(|y| (1990..=2100).contains(y))?;
                NaiveDate::from_ymd_opt(year, found.value.month, 1)
            })
    })
}

/// Reads every sentence; returns the statements (duplicates merged) and what each sentence
/// gave.
fn recognise(
    sentences: &[Sentence],
    header: &header::Header,
    anchor: NaiveDate,
) -> (Vec<Statement>, Vec<(Sentence, String)>) {
    let mut statements: Vec<Statement> = Vec::new();
    let mut explain = Vec::new();
    let mut subject: Vec<String> = Vec::new();
    let mut recipient: Vec<String> = Vec::new();
    let mut paragraph = 0;
    let paragraphs = paragraph_texts(sentences);
    // The deadline last given for each period (每月 → 每月 下月5日前), and where: what a later
    // 每月 with no day of its own is read as.
    let mut known: std::collections::HashMap<&'static str, (String, usize)> =
        std::collections::HashMap::new();
    // Inside the plan's steps (三、方法步骤): each paragraph numbered as the first step is a
    // phase — unless the section heads its phases as such (（一）动员部署阶段（…）), whose
    // numbered items are not steps.
    let mut in_steps = false;
    let mut headed = false;
    let mut numbered: Option<u8> = None;
    for s in sentences {
        if s.paragraph != paragraph {
            paragraph = s.paragraph;
            subject.clear();
            recipient.clear();
        }
        let mut text = s.text.as_str();
        // A paragraph's first sentence may be a phase's heading, its body on the same line.
        let first = sentences
            .iter()
            .find(|o| o.paragraph == s.paragraph)
            .is_some_and(|o| o == s);
        let mut steps_here = in_steps && first && !headed;
        if first {
            if phases::opens_part(text) {
                in_steps = false;
                steps_here = false;
            }
            if phases::opens_steps(text) {
                (in_steps, headed, numbered, steps_here) = (true, false, None, false);
            }
        }
        let headline = phases::phase(text).filter(|_| first);
        headed |= headline.is_some() && in_steps;
        let step = || {
            let kind = phases::numbering(text);
            let same = numbered.is_none_or(|n| Some(n) == kind);
            let paragraph = paragraphs.get(&s.paragraph)?;
            phases::step(text, paragraph).filter(|_| steps_here && same)
        };
        let step = step();
        if step.is_some() && numbered.is_none() {
            numbered = phases::numbering(text);
        }
        if let Some(found) = headline.or(step) {
            explain.push((
                s.clone(),
                format!("phase heading: 阶段 {} {}", found.name, found.window),
            ));
            add(
                &mut statements,
                Statement {
                    kind: Kind::Phase,
                    title: Some(found.name),
                    from: Vec::new(),
                    to: Vec::new(),
                    due: found.window,
                    class: "phase heading",
                    form: None,
                    previous: false,
                    first: None,
                    last: None,
                    ongoing: false,
                    readings: found.readings,
                    sources: vec![s.clone()],
                },
            );
            text = text[found.end..].trim_start();
            if text.is_empty() {
                continue;
            }
        }
        if let Some((owners, due, class)) = reports::measure(text, anchor) {
            let heading = sentences
                .iter()
                .find(|o| o.paragraph == s.paragraph)
                .map(|o| heading(&o.text));
            explain.push((s.clone(), format!("{class}: 措施, 完成时限 {due}")));
            add(
                &mut statements,
                Statement {
                    kind: Kind::Measure,
                    title: heading,
                    from: owners,
                    to: Vec::new(),
                    due,
                    class,
                    form: None,
                    previous: false,
                    first: None,
                    last: None,
                    ongoing: false,
                    readings: Vec::new(),
                    sources: vec![s.clone()],
                },
            );
            continue;
        }
        let mut found = reports::deadlines(text, anchor);
        // Periods named with no day (各部门每月、每阶段…报本级纪委): the day given before for
        // that period, else the period's end, each a reading to confirm.
        let mut borrowed: std::collections::HashMap<usize, String> =
            std::collections::HashMap::new();
        for (start, end, period) in periods::bare_periods(text, &found) {
            let (due, class, reading) = match known.get(period) {
                Some((due, at)) => (
                    due.clone(),
                    periods::SAME_PERIOD_BEFORE,
                    format!(
                        "the sentence gives no day for {period}: the one the document gives \
                         for it before (¶{at}: `{due}`)"
                    ),
                ),
                None => match periods::period_end(period) {
                    Some(due) => (
                        due,
                        periods::BY_PERIOD_END,
                        "the document gives no day: by the end of each period".to_string(),
                    ),
                    None => continue,
                },
            };
            borrowed.insert(start, reading);
            found.push(reports::Found {
                start,
                end,
                class,
                due,
                year_supplied: false,
                yearly: period == "每年",
            });
        }
        found.sort_by_key(|f| f.start);
        let named = units::subject(&text[..found.first().map_or(text.len(), |f| f.start)]);
        let subject_end = named
            .last()
            .and_then(|u| {
                // A unit read from a qualifier (各镇…的相关职能部门) ends where its noun does.
                let said = text.find(u.as_str()).map(|at| at + u.len());
                said.or_else(|| units::noun_end(text, u))
            })
            .unwrap_or(0);
        let opening = fuller(named, header);
        if !opening.is_empty() {
            subject = opening.clone();
        }
        let mut said = Vec::new();
        for (i, f) in found.iter().enumerate() {
            let Some((verb_at, after)) = reports::verb(&text[f.end..]) else {
                said.push(format!(
                    "{} `{}`: no reporting verb after it",
                    f.class, f.due
                ));
                continue;
            };
            let (verb_at, after) = (verb_at + f.end, after + f.end);
            // The verb after the next deadline is that one's where this one's clause ends before
            // it: 于3月10日前完成自查，4月30日前将整改报告报送… owes nothing by 3月10日 (but
            // A于下月5日前、B于下阶段开始后5日前报… sends both).
            if found.get(i + 1).is_some_and(|next| {
                next.start < verb_at
                    && text
                        .get(f.end..next.start)
                        .is_some_and(|w| w.contains(['，', ',', '；', ';', '。']))
            }) {
                said.push(format!(
                    "{} `{}`: no reporting verb before the next deadline",
                    f.class, f.due
                ));
                continue;
            }
            let mut readings = Vec::new();
            if f.year_supplied {
                readings.push("the document gives no year: the year of issue".to_string());
            }
            if f.class.ends_with("no day given") {
                readings.push("the document gives no day: by the end of each period".to_string());
            }
            if let Some(reading) = borrowed.get(&f.start) {
                readings.push(reading.clone());
            }
            if f.class == reports::TIMES_A_PERIOD {
                readings.push(format!(
                    "the document says how often, not on which days: `{}` is a choice to \
                     confirm or replace by the office's own days",
                    f.due
                ));
            }
            let to = match reports::recipients_after(text, verb_at, after) {
                Some(to) => {
                    recipient = to.clone();
                    to
                }
                None if !recipient.is_empty() => {
                    readings.push(
                        "the sentence names no recipient: the one named before it".to_string(),
                    );
                    recipient.clone()
                }
                None => {
                    readings.push("the document names no recipient here".to_string());
                    Vec::new()
                }
            };
            // A note under an annex's table: those who fill the annex in send it.
            let note = (opening.is_empty() && notes::is_note(text))
                .then(|| notes::annex_of(sentences, s.paragraph))
                .flatten()
                .map(|(label, title)| (notes::fillers(&statements, &label), label, title))
                .filter(|(owners, _, _)| !owners.is_empty());
            let from = if !opening.is_empty() {
                opening.clone()
            } else if let Some((owners, label, _)) = &note {
                readings.push(format!(
                    "a note under {label}'s table: owed by those the text has fill it in"
                ));
                owners.clone()
            } else if !subject.is_empty() {
                readings.push("who owes it is said earlier in the paragraph".to_string());
                subject.clone()
            } else if let Some((_, addressees)) = &header.addressees {
                readings.push(
                    "the sentence does not say who owes it: the units the notice is addressed to"
                        .to_string(),
                );
                addressees.clone()
            } else {
                said.push(format!("{} `{}`: no unit owes it", f.class, f.due));
                continue;
            };
            let ongoing = f.yearly
                && paragraphs
                    .get(&s.paragraph)
                    .is_some_and(|p| p.contains("长期坚持") || p.contains("常态化"));
            if ongoing {
                readings.push("every year, after the campaign too (长期坚持)".to_string());
            }
            // A deadline after another in the sentence (…月报表于下月5日前、每阶段工作开展情况于
            // 下阶段工作开始后5日前) is of the words between the two.
            let between = i
                .checked_sub(1)
                .and_then(|p| text.get(found[p].end..f.start))
                // Only a name: no verb, no clause of its own — a stop after the words (完成自查，
                // 4月30日前…) ends the clause before, whose words are not this report's.
                .map(|w| w.trim_start_matches(|c: char| !c.is_alphanumeric()))
                .filter(|w| !w.contains(['，', ',', '；', ';', '。']))
                .map(|w| {
                    w.trim_end_matches(|c: char| !c.is_alphanumeric())
                        .trim_end_matches('于')
                })
                .filter(|w| (2..=24).contains(&w.chars().count()) && reports::verb(w).is_none());
            let title = if borrowed.contains_key(&f.start) {
                periods::bare_title(text, f.start, verb_at)
            } else if let Some(words) = between {
                Some(words.to_string())
            } else {
                reports::title(text, subject_end, f.start, verb_at)
            };
            // Only a day the document states is one a later sentence may be read by: not the
            // days chosen for it (twice a week, a period's end).
            if !borrowed.contains_key(&f.start)
                && f.class != reports::TIMES_A_PERIOD
                && !f.class.ends_with("no day given")
                && let Some(period) = periods::period_of(&f.due)
            {
                known.insert(period, (f.due.clone(), s.paragraph));
            }
            let title = title.or_else(|| note.as_ref().and_then(|(_, _, title)| title.clone()));
            let form = reports::form(text).or_else(|| {
                note.as_ref()
                    .map(|(_, label, _)| label.clone())
                    .filter(|label| label.len() > "附件".len())
            });
            let previous = title.as_deref().is_some_and(|t| t.starts_with("上月"));
            said.push(format!(
                "{}: 报送 from {} to {}, 时限 {}",
                f.class,
                from.join("、"),
                if to.is_empty() {
                    "?".into()
                } else {
                    to.join("、")
                },
                f.due
            ));
            let statement = Statement {
                kind: Kind::Report,
                title,
                from,
                to,
                due: f.due.clone(),
                class: f.class,
                form,
                previous,
                first: None,
                last: None,
                ongoing,
                readings,
                sources: vec![s.clone()],
            };
            // Several reports named together: one statement each — each with its own date
            // where the dates are as many (分别于…), else all by the one deadline.
            let before = text.get(subject_end..f.start).unwrap_or_default();
            let after = text.get(f.end..verb_at).unwrap_or_default();
            let together = together::named_together(before, true)
                .or_else(|| together::named_together(after, false));
            let dates = together::each_date(&f.due);
            // …分别报送半年总结和全年总结: the reports named after the verb, one a date.
            let together = together.or_else(|| {
                let count = dates.as_ref()?.len();
                let title = statement.title.as_deref()?;
                together::named_together(title, true).filter(|t| t.len() == count)
            });
            match (together, dates) {
                (Some(titles), Some(dates)) if titles.len() == dates.len() => {
                    for (title, due) in titles.into_iter().zip(dates) {
                        statements.push(Statement {
                            title: Some(title),
                            due,
                            class: together::PAIRED,
                            ..statement.clone()
                        });
                    }
                }
                (Some(titles), None) => {
                    for title in titles {
                        statements.push(Statement {
                            title: Some(title),
                            ..statement.clone()
                        });
                    }
                }
                _ => add(&mut statements, statement),
            }
        }
        if !said.is_empty() {
            explain.push((s.clone(), said.join("; ")));
        }
    }
    (statements, explain)
}

/// Each unit as the 主送 line names it where that is the same collective named more fully:
/// 各相关部门 (or 各有关部门) in the text is 县级各相关部门 of the addressees.
fn fuller(units: Vec<String>, header: &header::Header) -> Vec<String> {
    let Some((_, addressees)) = &header.addressees else {
        return units;
    };
    units
        .into_iter()
        .map(|u| {
            addressees
                .iter()
                .find(|a| {
                    a.replace("有关", "相关")
                        .ends_with(&u.replace("有关", "相关"))
                })
                .cloned()
                .unwrap_or(u)
        })
        .collect()
}

/// Adds a statement, or merges it into one that says the same (the same units, the same
/// time, recipients one naming the other: 党风政风监督室 and 市纪委党风政风监督室): a document
/// often states a duty twice, in the text and under its form.
fn add(statements: &mut Vec<Statement>, statement: Statement) {
    let same_to = |a: &[String], b: &[String]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.ends_with(y.as_str()) || y.ends_with(x.as_str()))
    };
    if let Some(earlier) = statements.iter_mut().find(|e| {
        e.kind == statement.kind
            && (e.kind != Kind::Phase || e.title == statement.title)
            && e.from == statement.from
            && e.due == statement.due
            && same_to(&e.to, &statement.to)
    }) {
        for s in statement.sources {
            if !earlier.sources.iter().any(|e| e.text == s.text) {
                earlier.sources.push(s);
            }
        }
        if earlier.form.is_none() {
            earlier.form = statement.form;
        }
        return;
    }
    statements.push(statement);
}

/// The text of each paragraph, by number.
fn paragraph_texts(sentences: &[Sentence]) -> std::collections::HashMap<usize, String> {
    let mut out: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for s in sentences {
        out.entry(s.paragraph).or_default().push_str(&s.text);
    }
    out
}

/// A paragraph's heading, its numbering dropped: （一）摸排辖区对象户。 → 摸排辖区对象户.
fn heading(first: &str) -> String {
    let text = first.trim();
    let text = if text.starts_with(['（', '(']) {
        text.char_indices()
            .find(|(_, c)| matches!(c, '）' | ')'))
            .map_or(text, |(at, c)| &text[at + c.len_utf8()..])
    } else {
        text
    };
    text.trim_end_matches(['。', '；', '：'])
        .chars()
        .take(30)
        .collect()
}
