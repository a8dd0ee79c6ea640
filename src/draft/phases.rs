//! Phases from the document's headings: `（一）动员部署阶段（2016年6月30日前）`,
//! `第一阶段：自查自纠（2023年5月—6月）`, `3.整改落实阶段（即日起至9月底）`, `督导检查阶段：贯穿全过程`.
//! The window is read with the language's own grammar (`phrase::window_at`), so that the
//! phase the drafter writes is the one `duban check` reads.

use crate::language::ast::{DateExpr, Window, WindowStart};
use crate::language::parse::phrase;

/// A phase found in a heading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its name, without 阶段.
    pub name: String,
    /// Its window, as the language reads it (the document's words).
    pub window: String,
    /// What was read rather than found.
    pub readings: Vec<String>,
    /// Where the heading ends in the sentence: what follows on the same line is its body.
    pub end: usize,
}

/// Ordinals that number a heading: （一）, (1), 一、, 1., 1、, ㈠, ①.
fn strip_ordinal(text: &str) -> &str {
    let text = text.trim_start();
    // ㈠…㈩ and ①…⑳ number a heading in one character.
    if let Some(c) = text.chars().next()
        && (('\u{3220}'..='\u{3229}').contains(&c) || ('\u{2460}'..='\u{2473}').contains(&c))
    {
        return text[c.len_utf8()..].trim_start_matches(['、', '.', '．', ' ']);
    }
    let numeral =
        |c: char| c.is_ascii_digit() || "一二三四五六七八九十０１２３４５６７８９".contains(c);
    if let Some(rest) = text.strip_prefix(['（', '(']) {
        let digits = rest.trim_start_matches(numeral);
        if digits.len() < rest.len()
            && let Some(after) = digits.strip_prefix(['）', ')'])
        {
            return after.trim_start();
        }
        return text;
    }
    let digits = text.trim_start_matches(numeral);
    if digits.len() < text.len()
        && let Some(after) = digits.strip_prefix(['、', '.', '．', ' '])
    {
        return after.trim_start();
    }
    text
}

/// Whether `name` can be a phase's name: a few characters of running words.
fn plausible(name: &str) -> bool {
    let count = name.chars().count();
    (2..=10).contains(&count)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '“' || c == '”')
        && !name.contains("各")
}

/// The phase a heading states, if it is one.
pub fn phase(sentence: &str) -> Option<Found> {
    let mut found = heading(sentence)?;
    // The heading ends where its window does; a body on the same line follows it.
    let at = sentence
        .find(&found.window)
        .map_or(sentence.len(), |at| at + found.window.len());
    found.end = at;
    Some(found)
}

/// The phase a heading states, its end not yet known.
fn heading(sentence: &str) -> Option<Found> {
    // A heading and its first sentence may be one line: the heading is up to the first stop.
    let head = sentence
        .split(['。', '；', ';'])
        .next()
        .unwrap_or(sentence)
        .trim();
    let text = strip_ordinal(head);
    let (name, rest) = if let Some(after) = text.strip_prefix('第') {
        // 第一阶段：动员部署（…） / 第一阶段（…）：动员部署 / 第一阶段为动员部署阶段（…）.
        let at = after.find("阶段")?;
        let numeral = &after[..at];
        if numeral.is_empty() || numeral.chars().count() > 3 {
            return None;
        }
        let rest = after[at + "阶段".len()..].trim_start_matches(['：', ':', ' ', '为', '是']);
        match window_in(rest) {
            Some((window, len)) => {
                let name = rest[len..]
                    .trim_start_matches(['：', ':', ' ', '，', ','])
                    .trim_end_matches("阶段");
                return named(name, window, &format!("第{numeral}阶段"));
            }
            None => {
                let end = rest
                    .find(['（', '(', '：', ':', '，', ','])
                    .unwrap_or(rest.len());
                let name = rest[..end].trim().trim_end_matches("阶段");
                (
                    name.to_string(),
                    rest[end..].trim_start_matches(['：', ':', ' ']),
                )
            }
        }
    } else if let Some(at) = text.find("阶段") {
        let name = text[..at].trim_matches(['“', '”', '"', ' ']);
        (
            name.to_string(),
            text[at + "阶段".len()..].trim_start_matches(['：', ':', ' ', '，', ',']),
        )
    } else {
        // A numbered heading that is a name and its window in brackets, nothing more:
        // （一）自查自纠（4月1日— 5月31日）.
        if text.len() == head.len() {
            return None;
        }
        let at = text.find(['（', '('])?;
        let (window, len) = window_in(&text[at..])?;
        let after = text[at + len..].trim();
        if !(after.is_empty() || after == "。") {
            return None;
        }
        return named(text[..at].trim(), window, "");
    };
    let (window, _) = window_in(rest)?;
    named(&name, window, "")
}

/// Whether a paragraph opens the plan's steps (三、方法步骤, 主要步骤为：, 实施步骤): the numbered
/// paragraphs after it are its phases, until the next part of the plan.
pub fn opens_steps(paragraph: &str) -> bool {
    // A heading: short and one clause (按照县委统一工作安排，重点抓好… is not one).
    let heading = paragraph.chars().count() <= 20 && !paragraph.contains(['，', ',']);
    heading
        && ["步骤", "工作安排", "时间安排", "实施阶段"]
            .iter()
            .any(|w| paragraph.contains(w))
}

/// Whether a paragraph opens another part of the plan (四、组织保障): a numeral and 、.
pub fn opens_part(paragraph: &str) -> bool {
    let text = paragraph.trim_start();
    let numerals: String = text
        .chars()
        .take_while(|c| "一二三四五六七八九十".contains(*c))
        .collect();
    !numerals.is_empty()
        && numerals.chars().count() <= 3
        && text[numerals.len()..].starts_with('、')
}

/// How a heading is numbered, to tell a step from the items numbered under it: （一）, 一、,
/// 1., (1), ① are each a kind of their own.
pub fn numbering(text: &str) -> Option<u8> {
    let text = text.trim_start();
    let c = text.chars().next()?;
    let chinese = |c: char| "一二三四五六七八九十".contains(c);
    Some(if c == '（' || c == '(' {
        let next = text[c.len_utf8()..].chars().next()?;
        if chinese(next) { 0 } else { 3 }
    } else if chinese(c) {
        1
    } else if c.is_ascii_digit() || ('０'..='９').contains(&c) {
        2
    } else if ('\u{3220}'..='\u{3229}').contains(&c) || ('\u{2460}'..='\u{2473}').contains(&c) {
        4
    } else {
        return None;
    })
}

/// A step of the plan as a phase: `（一）动员部署。…（3月下旬前完成）` is the phase 动员部署 until
/// the end of March's last ten days — the time the step's paragraph gives in brackets, with
/// 完成 — and a step that gives none runs throughout the campaign, a reading to confirm.
pub fn step(first: &str, paragraph: &str) -> Option<Found> {
    let head = first.split(['。', '；', ';', '：', ':']).next()?.trim();
    let name = strip_ordinal(head);
    if name.len() == head.len() {
        return None;
    }
    // （六）总结报告工作: the step's name is its work's.
    let name = name.trim_end_matches("阶段");
    let name = name
        .strip_suffix("工作")
        .filter(|n| n.chars().count() >= 2)
        .unwrap_or(name);
    if !plausible(name) {
        return None;
    }
    let end = paragraph.find(head).map_or(0, |at| at + head.len());
    // The last bracket of the paragraph that says when it is done: （3月下旬前完成）.
    let mut window = None;
    let mut rest = paragraph;
    while let Some(open) = rest.find(['（', '(']) {
        let inner = &rest[open + rest[open..].chars().next().map_or(1, char::len_utf8)..];
        let Some(close) = inner.find(['）', ')']) else {
            break;
        };
        let said = inner[..close]
            .trim_end_matches("全部完成")
            .trim_end_matches("完成")
            .trim();
        if said.len() < inner[..close].len()
            && let Some((found, _)) = window_in(&format!("（{said}）"))
        {
            window = Some(found);
        }
        rest = &inner[close..];
    }
    match window {
        Some(window) => named(name, window, "").map(|found| Found { end, ..found }),
        None => named(name, "贯穿全过程".to_string(), "").map(|mut found| {
            found.readings.push(
                "the step gives no time of its own: read as running throughout the campaign"
                    .to_string(),
            );
            Found { end, ..found }
        }),
    }
}

/// A phase of `name` and `window`, or — with no usable name — one named `fallback`.
fn named(name: &str, window: String, fallback: &str) -> Option<Found> {
    let name = if plausible(name) {
        name.to_string()
    } else if !fallback.is_empty() {
        fallback.to_string()
    } else {
        return None;
    };
    let mut readings = Vec::new();
    if let Some(read) = phrase::window_at(&window)
        && missing_year(&read.value)
    {
        readings.push("the document gives no year: the campaign's".to_string());
    }
    Some(Found {
        name,
        window,
        readings,
        end: 0,
    })
}

/// The window at the start of `text`, whole as the language reads it, and how much it took.
fn window_in(text: &str) -> Option<(String, usize)> {
    let read = phrase::window_at(text)?;
    let window = text[..read.len].trim_end().to_string();
    // What follows must end the heading: a window is not read out of a running sentence.
    let after = text[read.len..].trim_start();
    let ends = after.is_empty()
        || after.starts_with(['：', ':', '，', ',', '。', '；', '）', ')'])
        || !after.starts_with(|c: char| c.is_ascii_digit());
    (ends && !window.is_empty()).then_some((window, read.len))
}

/// Whether a window's dates lack their year.
fn missing_year(window: &Window) -> bool {
    let no_year = |d: &DateExpr| d.year.is_none();
    match window {
        Window::Throughout => false,
        Window::Until(d) => no_year(&d.node),
        Window::Span { start, end, .. } => {
            let start = match start {
                WindowStart::Date(d) => no_year(&d.node),
                WindowStart::Issue(_) => false,
            };
            start || end.as_ref().is_some_and(|d| no_year(&d.node))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(heading: &str) -> Option<(String, String)> {
        phase(heading).map(|f| (f.name, f.window))
    }

    fn pair(name: &str, window: &str) -> Option<(String, String)> {
        Some((name.to_string(), window.to_string()))
    }

    /// A step under 方法步骤 is a phase until the time its paragraph ends with, or throughout the
    /// campaign (a reading) when it gives none; a paragraph not numbered is no step.
    #[test]
    fn a_step_is_a_phase_until_the_time_it_is_done_by() {
        let first = "（一）动员部署。";
        let paragraph = "（一）动员部署。制定方案，召开部署会。（3月下旬前完成）";
        let found = step(first, paragraph).unwrap();
        assert_eq!(
            (found.name.as_str(), found.window.as_str()),
            ("动员部署", "（3月下旬前）")
        );
        let found = step(
            "（六）总结报告工作。",
            "（六）总结报告工作。及时总结。（12月底前完成）",
        )
        .unwrap();
        assert_eq!(
            (found.name.as_str(), found.window.as_str()),
            ("总结报告", "（12月底前）")
        );
        let found = step(
            "（三）督导检查。",
            "（三）督导检查。全年常态化开展督帮工作。",
        )
        .unwrap();
        assert_eq!(found.window, "贯穿全过程");
        assert_eq!(found.readings.len(), 1);
        assert!(step("专项整治从2月开始。", "专项整治从2月开始。").is_none());
        assert!(
            opens_steps("三、方法步骤")
                && opens_part("四、组织保障")
                && !opens_part("（一）动员部署")
        );
        assert_eq!(numbering("（一）动员部署"), numbering("（二）自查自纠"));
        assert_ne!(numbering("（一）动员部署"), numbering("1.排查问题线索"));
    }

    #[test]
    fn headings_give_phases_in_the_forms_documents_use() {
        assert_eq!(
            read("(一)动员部署阶段(2016年6月30日前)"),
            pair("动员部署", "(2016年6月30日前)")
        );
        assert_eq!(
            read("（二）自查自纠阶段（2023年5月—6月）"),
            pair("自查自纠", "（2023年5月—6月）")
        );
        assert_eq!(
            read("第一阶段：动员部署（2023年4月1日至4月15日）"),
            pair("动员部署", "（2023年4月1日至4月15日）")
        );
        assert_eq!(
            read("3.整改落实阶段（即日起至2023年9月底）。主要任务是……"),
            pair("整改落实", "（即日起至2023年9月底）")
        );
        assert_eq!(
            read("四、督导检查阶段：贯穿全过程"),
            pair("督导检查", "贯穿全过程")
        );
        assert_eq!(
            read("第三阶段（2023年7月起）：长效管理"),
            pair("长效管理", "（2023年7月起）")
        );
        assert_eq!(
            read("（一）自查自纠（4月1日— 5月31日）"),
            pair("自查自纠", "（4月1日— 5月31日）")
        );
        assert_eq!(
            read("㈡ 全面排查和集中整治阶段(5月下旬-8月)。"),
            pair("全面排查和集中整治", "(5月下旬-8月)")
        );
        let with_body = "(四)总结阶段(11月) 各县(市、区)于10月30日前将总结报送市领导小组办公室。";
        let found = phase(with_body).unwrap();
        assert_eq!(
            &with_body[found.end..],
            " 各县(市、区)于10月30日前将总结报送市领导小组办公室。"
        );
        let found = phase("（三）集中整治阶段（5月-8月）").unwrap();
        assert_eq!(
            found.readings,
            ["the document gives no year: the campaign's"]
        );
    }

    #[test]
    fn running_text_with_a_date_is_no_phase() {
        assert_eq!(read("各县区要在自查自纠阶段结束前报送整改台账"), None);
        assert_eq!(
            read("1.在扶贫领域及惠民专项资金管理使用中雁过拔毛等问题"),
            None
        );
        assert_eq!(read("（一）加强领导。各级党委要高度重视"), None);
        assert_eq!(read("（二）落实机制（试行）"), None);
        assert_eq!(read("自查自纠（4月1日—5月31日）"), None, "not numbered");
    }
}
