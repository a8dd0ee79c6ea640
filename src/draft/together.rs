//! Reports a sentence names together — `工作方案和工作总结分别于6月30日和12月31日前`,
//! `将《A》和《B》报…` — told apart, so that each is a statement of its own, with its own date
//! where 分别 gives as many.

use super::reports::{verb, whole};

/// Several dates, each the deadline of one of as many reports the sentence names
/// (工作方案和工作总结分别于6月30日和12月31日前报…).
pub const PAIRED: &str = "several dates, each its own report's (分别)";

/// Each date of a `分别于A和B前` deadline, as a deadline of its own (`A前`, `B前`).
pub fn each_date(due: &str) -> Option<Vec<String>> {
    let dates = due.strip_prefix("分别于")?.strip_suffix('前')?;
    let each: Vec<String> = dates.split('和').map(|d| format!("{d}前")).collect();
    each.iter().all(|d| whole(d).is_some()).then_some(each)
}

/// The reports a sentence names together, in order: two or more 《titles》 in `words`, else —
/// where `plain` — names joined by 和, 及 or 、 (将工作方案和工作总结分别…). None where it
/// names fewer than two.
pub fn named_together(words: &str, plain: bool) -> Option<Vec<String>> {
    // Titles of what is sent come after 将 or 把 (将《A》和《B》报…), not those cited
    // (对照《安全生产法》和《安全生产条例》), and within one clause.
    let sent = words.find('《').is_some_and(|open| {
        let before = words[..open].trim_end();
        (before.ends_with('将') || before.ends_with('把'))
            && !words.contains(['，', ',', '；', ';'])
    });
    let mut quoted = Vec::new();
    let mut rest = words;
    while let Some(open) = rest.find('《') {
        let inner = &rest[open + '《'.len_utf8()..];
        let close = inner.find('》')?;
        quoted.push(inner[..close].to_string());
        rest = &inner[close..];
    }
    if quoted.len() >= 2 {
        return sent.then_some(quoted);
    }
    if !plain || !quoted.is_empty() {
        return None;
    }
    let words = words.trim_matches(|c: char| !c.is_alphanumeric());
    let words = ["要将", "将", "要", "应将", "须将"]
        .iter()
        .find_map(|w| words.strip_prefix(w))
        .unwrap_or(words);
    let words = words.trim_end_matches("分别").trim_end_matches('于');
    // What is sent is a paper of a kind (工作方案, 工作总结, 整改台账 …): 汇总、加盖公章后 is
    // what is done to it.
    const PAPERS: [&str; 14] = [
        "方案", "总结", "报告", "台账", "清单", "情况", "表", "简报", "材料", "计划", "意见",
        "名单", "报表", "说明",
    ];
    let names: Vec<String> = words
        .split(['和', '及'])
        .map(|n| n.trim().to_string())
        .collect();
    (names.len() >= 2
        && names.iter().all(|n| {
            (2..=16).contains(&n.chars().count())
                && verb(n).is_none()
                && !n.contains(['，', ',', '、'])
                && PAPERS.iter().any(|p| n.ends_with(p))
        }))
    .then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_named_together_and_their_dates_are_told_apart() {
        assert_eq!(
            named_together("要将工作方案和工作总结分别", true).unwrap(),
            ["工作方案", "工作总结"]
        );
        assert_eq!(
            named_together("将《2005年工作总结》和《三年工作总结》", false).unwrap(),
            ["2005年工作总结", "三年工作总结"]
        );
        // What is done to a paper is not a paper; one title is one report.
        assert!(named_together("汇总、加盖公章后", true).is_none());
        assert!(named_together("整治和提高", true).is_none());
        assert!(named_together("将《统计表》", false).is_none());
        assert_eq!(
            each_date("分别于2017年6月30日和2017年12月31日前").unwrap(),
            ["2017年6月30日前", "2017年12月31日前"]
        );
        assert!(each_date("2017年6月30日前").is_none());
    }
}
