//! Sentences that owe a report by a time, read into statements: who owes (the units the
//! sentence opens with, else the last ones named in its paragraph), by when (a phrase the
//! language reads, found with its own grammar), to whom (the office after the reporting verb),
//! and what (the 《title》, or the words between who and when). Measures with
//! （责任单位：…；完成时限：…） are read the same way.

use chrono::NaiveDate;

use super::dates;
use super::text::Sentence;
use super::units;
use crate::language::ast::{CadenceDue, DueExpr, PeriodUnit};
use crate::language::parse::phrase;

/// What a statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `报送`: a report owed to a recipient.
    Report,
    /// `措施`: a measure owned by units, done by a time.
    Measure,
    /// `阶段`: a phase, its window in `due`.
    Phase,
}

/// A statement to write, with the sentences it comes from.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Report or measure.
    pub kind: Kind,
    /// What is owed, as the document words it.
    pub title: Option<String>,
    /// Who owes it.
    pub from: Vec<String>,
    /// To whom (empty: the document does not say).
    pub to: Vec<String>,
    /// The `时限` value, in the language's words.
    pub due: String,
    /// The phrase class that read it (for `--explain` and the tests).
    pub class: &'static str,
    /// The form it carries (附件N).
    pub form: Option<String>,
    /// The period it covers is the one before (将上月…).
    pub previous: bool,
    /// The first period it covers (`首期`), where the one before the campaign would be first.
    pub first: Option<String>,
    /// The last period it covers (`末期`): the campaign's last month, for a report on the month
    /// before, whose report on that month is due after the campaign ends.
    pub last: Option<String>,
    /// Goes on after the campaign (长期坚持 in its paragraph).
    pub ongoing: bool,
    /// What was read rather than found: each becomes a `Reading:` comment.
    pub readings: Vec<String>,
    /// The sentences it comes from.
    pub sources: Vec<Sentence>,
}

/// A deadline phrase found in a sentence.
#[derive(Clone, Debug)]
pub struct Found {
    /// Where it starts in the sentence.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Its class: one-off date, several dates, monthly, next-month, yearly, quarterly ….
    pub class: &'static str,
    /// The `时限` value written in the language, its year supplied.
    pub due: String,
    /// The year was supplied.
    pub year_supplied: bool,
    /// A yearly cadence.
    pub yearly: bool,
}

/// The deadline phrases of a sentence that a report can be due by: one-off dates and dates
/// ending in 前, and cadences with their days. Each is read with the language's grammar; the
/// value written is read back by it whole before it is kept.
pub fn deadlines(text: &str, issued: NaiveDate) -> Vec<Found> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let c = rest.chars().next().unwrap_or(' ');
        let step = c.len_utf8();
        let after_digit = text[..at].chars().next_back().is_some_and(is_digit);
        let starts = (is_digit(c) && !after_digit) || c == '每' || rest.starts_with("分别");
        let read = if starts {
            deadline_at(rest, issued)
                .or_else(|| once_a_period_at(rest))
                .or_else(|| times_a_period_at(rest))
        } else if rest.starts_with("下月") && text[..at].contains("每月") {
            // 每月工作进展情况…于下月5日前: the month is said before the day.
            next_month_at(rest)
        } else if (rest.starts_with("下阶段") || rest.starts_with("本阶段"))
            && text[..at].contains("每阶段")
        {
            // 每阶段工作开展情况于下阶段工作开始后5日前: the phase is said before the day.
            next_phase_at(rest)
        } else {
            None
        };
        match read {
            Some(mut f) => {
                f.start += at;
                f.end += at;
                at = f.end;
                found.push(f);
            }
            None => at += step,
        }
    }
    found
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn deadline_at(rest: &str, issued: NaiveDate) -> Option<Found> {
    let read = phrase::due_at(rest)?;
    let written = rest[..read.len].trim_end();
    let by = ["前", "之前", "以前"].iter().any(|s| written.ends_with(s));
    // A month's end is a deadline in itself: 分别于6月底和7月底报送.
    let ends =
        |d: &crate::language::ast::DateExpr| matches!(d.day, crate::language::ast::DayPart::End);
    let (class, due, year_supplied, yearly) = match &read.value {
        DueExpr::Date(date) if by => {
            let (dated, supplied) = dates::with_year(&date.node, issued);
            let class = if date.node.year.is_some() {
                "dated deadline"
            } else {
                "deadline without its year"
            };
            (
                class,
                format!("{}前", dates::write(&dated)?),
                supplied,
                false,
            )
        }
        DueExpr::Dates(list) if by || list.iter().all(|d| ends(&d.node)) => {
            let mut supplied = false;
            let mut written = Vec::new();
            for d in list {
                let (dated, s) = dates::with_year(&d.node, issued);
                supplied |= s;
                written.push(dates::write(&dated)?);
            }
            let due = format!("分别于{}前", written.join("和"));
            ("several dates", due, supplied, false)
        }
        // A day of each period, not one counted from an event: the grammar reads an event's
        // name in running text far beyond the phrase (每月工作进展情况…开始后5日前).
        DueExpr::Cadence(c)
            if !c.dues.is_empty()
                && c.times.is_none()
                && !c
                    .dues
                    .iter()
                    .any(|d| matches!(d.node, CadenceDue::Relative(_)))
                && written.chars().count() <= 16
                && ["前", "底", "末", "日", "号"]
                    .iter()
                    .any(|e| written.ends_with(e)) =>
        {
            let class = match c.unit.node {
                PeriodUnit::Month => "monthly",
                PeriodUnit::Quarter => "quarterly",
                PeriodUnit::Year => "yearly",
                PeriodUnit::Week => "weekly",
                _ => return None,
            };
            let yearly = c.unit.node == PeriodUnit::Year;
            (class, written.to_string(), false, yearly)
        }
        _ => return None,
    };
    whole(&due)?;
    Some(Found {
        start: 0,
        end: written.len(),
        class,
        due,
        year_supplied,
        yearly,
    })
}

/// `每季度报送一次`: once a period, with no day given — read as by the period's end, a reading
/// the draft marks for a person to confirm.
fn once_a_period_at(rest: &str) -> Option<Found> {
    let periods = [
        ("每半年", "每半年末", "every half year, no day given"),
        ("每季度", "每季度末", "every quarter, no day given"),
        ("每季", "每季度末", "every quarter, no day given"),
        ("每月", "每月末", "every month, no day given"),
        ("每年", "每年末", "every year, no day given"),
    ];
    let (word, due, class) = periods.iter().find(|(w, _, _)| rest.starts_with(w))?;
    let after = &rest[word.len()..];
    // Within the clause: 每季度报送一次工作进展情况, 每半年报一次.
    let clause = &after[..after
        .find(['，', ',', '。', '；', ';'])
        .unwrap_or(after.len())];
    ["报送一次", "上报一次", "报一次", "报告一次"]
        .iter()
        .filter_map(|w| clause.find(w))
        .filter(|&at| at <= 12)
        .min()?;
    whole(due)?;
    // The phrase is the period alone: the reporting verb after it is read as any other's.
    Some(Found {
        start: 0,
        end: word.len(),
        class,
        due: (*due).to_string(),
        year_supplied: false,
        yearly: *due == "每年末",
    })
}

/// What [`times_a_period_at`] reads a count as, said in the class and the draft's reading.
pub const TIMES_A_PERIOD: &str = "several times a period, no days given";

/// `每周报送两次`, `每周编发二期`, `每月上报2次`: how often, not on which days. The office's
/// days are not in the document, so common ones are written — Tuesday and Friday, the 15th and
/// the month's end — a reading the draft marks for a person to confirm or replace.
fn times_a_period_at(rest: &str) -> Option<Found> {
    let periods: [(&str, [&str; 2]); 2] = [
        ("每周", ["每周二、周五前", "每周一、周三、周五前"]),
        ("每月", ["每月15日和月底前", "每月10日、20日和月底前"]),
    ];
    let (word, days) = periods.iter().find(|(w, _)| rest.starts_with(w))?;
    let after = &rest[word.len()..];
    let clause = &after[..after
        .find(['，', ',', '。', '；', ';', '、'])
        .unwrap_or(after.len())];
    // The count within a few characters: 每周报送两次, 每周编发二期, 每月至少报送2次.
    let counts = [
        ("两", 0),
        ("二", 0),
        ("2", 0),
        ("２", 0),
        ("三", 1),
        ("3", 1),
        ("３", 1),
    ];
    let (_, which) = counts
        .iter()
        .flat_map(|(n, which)| ["次", "期"].map(|u| (format!("{n}{u}"), *which)))
        .filter_map(|(count, which)| clause.find(&count).map(|at| (at, which)))
        .filter(|&(at, _)| at <= 15)
        .min()?;
    // A count of reports, not of meetings: a reporting verb in the same clause.
    if !["报送", "上报", "报告", "编发", "报"]
        .iter()
        .any(|v| clause.contains(v))
    {
        return None;
    }
    let due = days[which];
    whole(due)?;
    Some(Found {
        start: 0,
        end: word.len(),
        class: TIMES_A_PERIOD,
        due: due.to_string(),
        year_supplied: false,
        yearly: false,
    })
}

/// `下月5日前` after a 每月 earlier in the sentence: the cadence `每月 下月5日前`.
fn next_month_at(rest: &str) -> Option<Found> {
    // Only up to the first 前: what follows is another clause (、每阶段…).
    let cut = rest.find('前').filter(|&at| at <= 24)? + '前'.len_utf8();
    let composed = format!("每月 {}", &rest[..cut]);
    let read = phrase::due_at(&composed)?;
    let DueExpr::Cadence(c) = read.value else {
        return None;
    };
    let due = composed[..read.len].trim_end().to_string();
    if c.dues.len() != 1
        || !matches!(c.dues[0].node, CadenceDue::Day { next: Some(_), .. })
        || !due.ends_with('前')
    {
        return None;
    }
    whole(&due)?;
    Some(Found {
        start: 0,
        end: due.len() - "每月 ".len(),
        class: "monthly, by a day of the next month",
        due,
        year_supplied: false,
        yearly: false,
    })
}

/// `下阶段（工作）开始后5日前` (or `本阶段结束后3日前`) after a 每阶段 earlier in the sentence:
/// the cadence `每阶段 下阶段开始后5日前`, the document's 工作 dropped.
fn next_phase_at(rest: &str) -> Option<Found> {
    let cut = rest.find('前').filter(|&at| at <= 48)? + '前'.len_utf8();
    let phrase = rest[..cut].replacen("工作", "", 1);
    let composed = format!("每阶段 {phrase}");
    let read = phrase::due_at(&composed)?;
    let DueExpr::Cadence(c) = read.value else {
        return None;
    };
    if c.unit.node != PeriodUnit::Phase || read.len != composed.len() {
        return None;
    }
    whole(&composed)?;
    Some(Found {
        start: 0,
        end: cut,
        class: "every phase, counted from the next phase's start or this one's end",
        due: composed,
        year_supplied: false,
        yearly: false,
    })
}

/// `due` read back whole by the language, or None.
pub(super) fn whole(due: &str) -> Option<()> {
    (phrase::due_at(due)?.len == due.len()).then_some(())
}

/// A reporting verb after a deadline: where it is, and where what follows it starts.
pub fn verb(text: &str) -> Option<(usize, usize)> {
    const NOT_AFTER: &str = "月周年汇填通简快情举申预日季呈申";
    const NOT_BEFORE: &str = "告表名刊纸道账";
    for (at, c) in text.char_indices() {
        let rest = &text[at..];
        for word in ["报送至", "报送", "上报", "提交", "编发"] {
            if rest.starts_with(word) {
                return Some((at, at + word.len()));
            }
        }
        if c == '向' && rest.find("报告").is_some_and(|e| e <= 40) {
            return Some((at, at + c.len_utf8()));
        }
        if c == '报' {
            let before = text[..at].chars().next_back();
            let after = rest[c.len_utf8()..].chars().next();
            if before.is_none_or(|b| !NOT_AFTER.contains(b))
                && after.is_some_and(|a| !NOT_BEFORE.contains(a))
            {
                return Some((at, at + c.len_utf8()));
            }
        }
    }
    None
}

/// The recipients after a verb found by [`verb`]: for 向X报告, X.
pub fn recipients_after(text: &str, verb_at: usize, after: usize) -> Option<Vec<String>> {
    let rest = &text[after..];
    if text[verb_at..].starts_with('向') {
        let end = rest.find("报告")?;
        return units::recipients(&rest[..end]);
    }
    // 报送阶段性报告至市纪委: what is sent, then 至 and whom (within the clause).
    let clause = &rest[..rest
        .find(['，', ',', '。', '；', ';'])
        .unwrap_or(rest.len())];
    if let Some(at) = clause.find('至').filter(|&at| at > 0) {
        let to = &clause[at + '至'.len_utf8()..];
        if let Some(found) = units::recipients(to) {
            return Some(found);
        }
    }
    // 报市安办备案: the act named after whom it goes to.
    let rest = rest
        .find("备案")
        .filter(|&at| at <= 24)
        .map_or(rest, |at| &rest[..at]);
    units::recipients(rest)
}

/// A measure's bracket: （责任单位：各村，各驻村组；完成时限：2023年7月20日）.
pub fn measure(sentence: &str, issued: NaiveDate) -> Option<(Vec<String>, String, &'static str)> {
    let owners_at = sentence.find("责任单位")? + "责任单位".len();
    let rest = sentence[owners_at..].trim_start_matches(['：', ':']);
    let owners_end = rest.find(['；', ';', '）', ')'])?;
    let owners: Vec<String> = rest[..owners_end]
        .split(['，', '、', ','])
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    let due_at = sentence.find("完成时限")? + "完成时限".len();
    let due = sentence[due_at..].trim_start_matches(['：', ':']);
    let due = &due[..due.find(['）', ')', '；', ';', '。']).unwrap_or(due.len())];
    if ["长期坚持", "长期", "常态化", "持续推进"].contains(&due.trim()) {
        return Some((owners, "standing".into(), "measure, ongoing"));
    }
    let date = phrase::date_at(due)?;
    let (dated, _) = dates::with_year(&date.value, issued);
    let written = dates::write(&dated)?;
    whole(&written)?;
    Some((owners, written, "measure with its deadline"))
}

/// The deliverable a sentence names: its 《title》, else the words between who owes and when
/// (or between 将 and the verb).
pub fn title(text: &str, subject_end: usize, due_start: usize, verb_at: usize) -> Option<String> {
    let found = title_before(text, subject_end, due_start, verb_at);
    // Words that hold another duty (每季度报送一次X，每半年报送一次Y): not Y's title.
    let another = |t: &String| {
        [
            "报送一次",
            "上报一次",
            "报一次",
            "每月",
            "每季",
            "每年",
            "每半年",
        ]
        .iter()
        .any(|w| t.contains(w))
    };
    // A long run of words before the deadline is what the unit does, not what it sends: the
    // object after the verb names it (…分别于6月底和7月底报送阶段性报告 → 阶段性报告).
    if found
        .as_ref()
        .is_none_or(|t| t.chars().count() > 24 || another(t))
        && let Some((_, after)) = verb(&text[verb_at..])
    {
        let object = &text[verb_at + after..];
        let stops = [
            "，", ",", "。", "；", ";", "至", "（", "(", "报市", "报县", "报区", "报州", "报省",
            "报镇", "上报", "报送",
        ];
        let end = stops
            .iter()
            .filter_map(|s| object.find(s))
            .min()
            .unwrap_or(object.len());
        let object = object[..end].trim_matches(|c: char| !c.is_alphanumeric());
        // The count said before the object (报送一次X, 报送两次X, 编发二期X) is not its name.
        let object = [
            "一次", "两次", "二次", "三次", "2次", "3次", "一期", "二期", "两期", "三期",
        ]
        .iter()
        .fold(object, |o, count| o.strip_prefix(count).unwrap_or(o));
        if (2..=20).contains(&object.chars().count()) && !units::is_office(object) {
            return Some(object.to_string());
        }
    }
    found
}

/// As [`title`], from the words before the deadline.
fn title_before(
    text: &str,
    subject_end: usize,
    due_start: usize,
    verb_at: usize,
) -> Option<String> {
    // The first 《title》 not cited (对照《安全生产法》: what the work follows, not what is sent).
    const CITING: [&str; 7] = ["对照", "依据", "按照", "根据", "贯彻", "落实", "执行"];
    let mut from = 0;
    let mut cited = false;
    while let Some(open) = text[from..].find('《').map(|at| at + from) {
        let Some(close) = text[open..].find('》') else {
            break;
        };
        let before: String = text[..open]
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // 对照《A》和《B》: B is cited with A.
        let joined = cited && ["》和", "》、", "》及"].iter().any(|j| before.ends_with(j));
        cited = joined || CITING.iter().any(|c| before.contains(c));
        if !cited {
            return Some(text[open + '《'.len_utf8()..open + close].to_string());
        }
        from = open + close;
    }
    let between = |a: usize, b: usize| {
        let mut words = text.get(a..b)?;
        // An aside closed before the title starts: (详见任务分工)要认真研究制定….
        let opened = words.trim_start().starts_with(['(', '（']);
        if let Some(close) = words.find([')', '）'])
            && (opened || !words[..close].contains(['(', '（']))
            && words[..close].chars().count() <= 16
        {
            words = &words[close..];
        }
        let mut words = words.trim_matches(|c: char| !c.is_alphanumeric());
        // What they do to it before sending it: 认真研究制定本地工作方案 → 本地工作方案.
        loop {
            let before = words;
            for p in [
                "要将", "将", "要", "于", "应", "认真", "研究", "制定", "形成", "写出", "撰写",
                "起草", "填写", "填报", "做好", "及时",
            ] {
                words = words.strip_prefix(p).unwrap_or(words);
            }
            if words == before {
                break;
            }
        }
        let words = words.trim_end_matches(|c: char| !c.is_alphanumeric());
        let words = ["要将", "并于", "于"]
            .iter()
            .fold(words, |w, p| w.strip_suffix(p).unwrap_or(w))
            .trim_end_matches(|c: char| !c.is_alphanumeric());
        (words.chars().count() >= 2).then(|| words.to_string())
    };
    // 于…前将X报…: X is what is sent.
    if let Some(after_due) = text.get(due_start..verb_at)
        && let Some(jiang) = after_due.find('将')
        && let Some(t) = between(due_start + jiang + '将'.len_utf8(), verb_at)
    {
        return Some(t);
    }
    // 各县区X于…前报…: X, when the sentence opens with who owes.
    if subject_end > 0 {
        return between(subject_end, due_start);
    }
    None
}

/// 附件N named in the sentence.
pub fn form(text: &str) -> Option<String> {
    let at = text.find("附件")?;
    let digits: String = text[at + "附件".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (!digits.is_empty()).then(|| format!("附件{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued() -> NaiveDate {
        NaiveDate::from_ymd_opt(2017, 3, 30).unwrap()
    }

    /// Each phrase class: one sentence, and the `时限` it gives.
    #[test]
    fn each_phrase_class_gives_its_statement() {
        for (sentence, class, due) in [
            (
                "各县区、市直各单位专项整治工作方案于4月15日前报市纪委（党风政风监督室）。",
                "deadline without its year",
                "2017年4月15日前",
            ),
            (
                "镇村建中心于2017年7月20日前形成报告报镇政府。",
                "dated deadline",
                "2017年7月20日前",
            ),
            (
                "各镇于6月底前上报县局。",
                "deadline without its year",
                "2017年6月底前",
            ),
            (
                "各县区每月25日前上报市纪委（党风政风监督室）。",
                "monthly",
                "每月25日前",
            ),
            (
                "各县(市、区)要将每月工作进展情况于下月5日前报市纪委。",
                "monthly, by a day of the next month",
                "每月 下月5日前",
            ),
            (
                "镇村建中心于每年12月30日前将工作总结向镇党委报告。",
                "yearly",
                "每年12月30日前",
            ),
            (
                "各县区分别于6月30日和12月20日前报市纪委。",
                "several dates",
                "分别于2017年6月30日和2017年12月20日前",
            ),
            ("各镇每季度末前报县局。", "quarterly", "每季度末前"),
            (
                "各县区每季度报送一次工作进展情况。",
                "every quarter, no day given",
                "每季度末",
            ),
            (
                "各县区每月6日、21日前报送市纪委。",
                "monthly",
                "每月6日、21日前",
            ),
            (
                "各县区分别于6月底和7月底报送阶段性报告至市纪委。",
                "several dates",
                "分别于2017年6月底和2017年7月底前",
            ),
            (
                "各县区每周报送两次工作动态至市纪委。",
                TIMES_A_PERIOD,
                "每周二、周五前",
            ),
            (
                "市整治办每周编发二期工作简报。",
                TIMES_A_PERIOD,
                "每周二、周五前",
            ),
            (
                "各县区每月报送2次进展情况至市纪委。",
                TIMES_A_PERIOD,
                "每月15日和月底前",
            ),
            (
                "各乡镇每周上报三次巡查情况。",
                TIMES_A_PERIOD,
                "每周一、周三、周五前",
            ),
        ] {
            let found = deadlines(sentence, issued());
            assert_eq!(found.len(), 1, "{sentence}: {found:?}");
            assert_eq!(
                (found[0].class, found[0].due.as_str()),
                (class, due),
                "{sentence}"
            );
        }
    }

    #[test]
    fn a_count_before_what_is_sent_is_not_its_title() {
        for (text, title_said) in [
            ("各县区要每周报送两次工作动态至市纪委办公室。", "工作动态"),
            ("市整治办每周编发二期工作简报。", "工作简报"),
        ] {
            let found = &deadlines(text, issued())[0];
            let (at, _) = verb(&text[found.end..]).unwrap();
            let subject_end = text.find("区").map_or(0, |at| at + "区".len());
            assert_eq!(
                title(text, subject_end, found.start, found.end + at).as_deref(),
                Some(title_said),
                "{text}"
            );
        }
    }

    #[test]
    fn a_date_that_is_not_a_deadline_is_none() {
        assert!(deadlines("（一）自查自纠（4月1日— 5月31日）", issued()).is_empty());
        assert!(deadlines("每月通报曝光一批典型案例", issued()).is_empty());
        // A count of something else, not of reports; 每周二前 is a day, read as such.
        assert!(deadlines("每月召开两次推进会", issued()).is_empty());
        assert!(deadlines("每月组织开展一次以上专项检查工作", issued()).is_empty());
        assert_eq!(
            deadlines("各镇每周二前报县局。", issued())[0].class,
            "weekly"
        );
    }

    #[test]
    fn a_measures_bracket_gives_owners_and_deadline() {
        let (owners, due, _) = measure(
            "（责任单位：各村，各驻村组，镇村建中心；完成时限：2023年7月20日）",
            issued(),
        )
        .unwrap();
        assert_eq!(owners, ["各村", "各驻村组", "镇村建中心"]);
        assert_eq!(due, "2023年7月20日");
        let (_, due, _) = measure("（责任单位：镇纪委；完成时限：长期坚持）", issued()).unwrap();
        assert_eq!(due, "standing");
    }

    #[test]
    fn the_verb_and_its_recipient() {
        let text = "于每月25日前将上月情况报县乡村振兴局专项整治工作专班（见附件1）。";
        let (at, after) = verb(text).unwrap();
        assert_eq!(
            recipients_after(text, at, after).unwrap(),
            ["县乡村振兴局专项整治工作专班"]
        );
        let text = "将工作总结向镇党委、政府报告。";
        let (at, after) = verb(text).unwrap();
        assert_eq!(
            recipients_after(text, at, after).unwrap(),
            ["镇党委", "镇政府"]
        );
        assert!(verb("按月报表汇总后通报").is_none());
    }
}
