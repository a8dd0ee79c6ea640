//! Periods a sentence names without their day — `各单位每月报送工作进展`, `每阶段…上报市纪委`
//! — read as the day the document gave before for that period, else as the period's end; and
//! the first period of a report on the month before. Each is a reading the draft marks for a
//! person to confirm.

use super::reports::{Found, Statement, verb, whole};

/// A period named with no day, read as the day the document gave before for that period
/// (各单位每月报送工作进展 after 每月 下月5日前): a reading the draft marks to confirm.
pub const SAME_PERIOD_BEFORE: &str = "a period without a day: the day given before for it";

/// A period named with no day and none given before for it: by the period's end, to confirm.
pub const BY_PERIOD_END: &str = "a period without a day: by its end";

/// The periods a cadence is of, as a `时限` opens with them; 每季 is 每季度.
const PERIODS: [(&str, &str); 7] = [
    ("每半年", "每半年"),
    ("每季度", "每季度"),
    ("每阶段", "每阶段"),
    ("每季", "每季度"),
    ("每月", "每月"),
    ("每周", "每周"),
    ("每年", "每年"),
];

/// The period a cadence's `时限` is of: `每月 下月5日前` and `每月25日前` are 每月's.
pub fn period_of(due: &str) -> Option<&'static str> {
    PERIODS
        .iter()
        .find(|(word, _)| due.starts_with(word))
        .map(|(_, period)| *period)
}

/// The periods a sentence names with no day of their own and with a reporting verb after them in
/// their clause (每月、每阶段本系统…工作进展情况分别报本级纪委): where each is, its end and the
/// period. A period one of the sentence's deadlines is of (每月…于下月5日前) is not bare.
pub fn bare_periods(text: &str, found: &[Found]) -> Vec<(usize, usize, &'static str)> {
    let dated: Vec<&str> = found.iter().filter_map(|f| period_of(&f.due)).collect();
    let mut out: Vec<(usize, usize, &'static str)> = Vec::new();
    for (at, _) in text.char_indices() {
        let Some((word, period)) = PERIODS.iter().find(|(w, _)| text[at..].starts_with(w)) else {
            continue;
        };
        let end = at + word.len();
        if dated.contains(period) || out.iter().any(|(_, _, p)| p == period) {
            continue;
        }
        let clause = &text[end..];
        let clause = &clause[..clause
            .find(['，', ',', '。', '；', ';'])
            .unwrap_or(clause.len())];
        // A verb that names a thing (上报的问题线索, 信息报送情况) or what is done to it
        // (对…上报的) sends nothing.
        let sends = verb(clause).is_some_and(|(v, after)| {
            let next = &clause[after..];
            !next.starts_with(['的', '情']) && !clause[..v].contains('对')
        });
        if sends {
            out.push((at, end, period));
        }
    }
    out
}

/// The day a period is due by when the document gives none: its end, where the language reads
/// it so (每月末, 每季度末 …).
pub fn period_end(period: &str) -> Option<String> {
    let due = match period {
        "每月" => "每月末",
        "每季度" => "每季度末",
        "每半年" => "每半年末",
        "每年" => "每年末",
        _ => return None,
    };
    whole(due).map(|()| due.to_string())
}

/// What a bare period's statement is called: the words from the period to the verb, without
/// the other periods named beside it (每月、每阶段…) or what is done to them (进行分析、汇总并).
pub fn bare_title(text: &str, start: usize, verb_at: usize) -> Option<String> {
    let mut words = text.get(start..verb_at)?.to_string();
    let own = PERIODS.iter().find(|(w, _)| words.starts_with(w))?.0;
    // 每季度将督查情况: what is sent, not the 将 that brings it.
    let rest = &words[own.len()..];
    let rest = ["要将", "将", "要"]
        .iter()
        .find_map(|w| rest.strip_prefix(w))
        .unwrap_or(rest);
    words = format!("{own}{rest}");
    for (word, _) in PERIODS {
        if word != own {
            words = words.replace(&format!("、{word}"), "");
        }
    }
    let cut = ["分别", "进行", "并", "及时", "按时", "于"]
        .iter()
        .filter_map(|w| words.find(w))
        .min()
        .unwrap_or(words.len());
    let title = words[..cut].trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '）');
    (title.chars().count() > own.chars().count()).then(|| title.to_string())
}

/// A monthly report on the month before (报告期 上月) covers the campaign's months: its first
/// is the campaign's first month, not the month before the campaign starts (`duban check` warns
/// of that one) — or a later one, where that month's report would be due before the document
/// was issued — and its last is the campaign's last month, whose report is due after the
/// campaign ends: `首期` and `末期`, each a reading.
pub fn first_periods(
    statements: &mut [Statement],
    header: &super::header::Header,
    issued: Option<chrono::NaiveDate>,
) {
    let Some((first, end, _)) = header.period.as_ref() else {
        return;
    };
    let month_of = |text: &str, year: Option<i32>| {
        let found = crate::language::parse::phrase::date_at(text)?;
        Some((found.value.year.or(year)?, found.value.month))
    };
    let Some(start) = month_of(first, None) else {
        return;
    };
    let last = month_of(end, Some(start.0)).map(|(year, month)| {
        // An end without its year before the start's month is in the next year.
        if month < start.1 && !end.contains('年') {
            (year + 1, month)
        } else {
            (year, month)
        }
    });
    let written = |(year, month): (i32, u32)| format!("{year}年{month}月");
    for s in statements
        .iter_mut()
        .filter(|s| s.previous && period_of(&s.due) == Some("每月"))
    {
        let mut month = start;
        let mut late = None;
        // The report on `month` is due on day `day` of the month after it.
        if let (Some(issued), Some(day)) = (issued, day_of_month(&s.due)) {
            while let Some(due) = due_after(month, day).filter(|due| *due < issued) {
                if last.is_some_and(|l| month >= l) {
                    break;
                }
                late.get_or_insert((month, due));
                month = next_month(month);
            }
        }
        s.first = Some(written(month));
        s.readings.push(match late {
            None => format!(
                "it reports on the month before: the first report is on {}, the campaign's \
                 first month, not on the month before the campaign",
                written(month)
            ),
            Some((skipped, due)) => format!(
                "it reports on the month before: the first report is on {}; the one on {} would \
                 be due {due}, before the document was issued",
                written(month),
                written(skipped)
            ),
        });
        if let Some(last) = last.filter(|l| *l >= month) {
            s.last = Some(written(last));
            s.readings.push(format!(
                "the last report is on {}, the campaign's last month, due after it ends",
                written(last)
            ));
        }
    }
}

/// The day of the month a monthly deadline names (`每月25日前`: 25).
fn day_of_month(due: &str) -> Option<u32> {
    let rest = due.strip_prefix("每月")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn next_month((year, month): (i32, u32)) -> (i32, u32) {
    if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

/// Day `day` of the month after `month` (the month's last day where it has fewer).
fn due_after(month: (i32, u32), day: u32) -> Option<chrono::NaiveDate> {
    let (year, month) = next_month(month);
    (0..4).find_map(|back| chrono::NaiveDate::from_ymd_opt(year, month, day.checked_sub(back)?))
}
