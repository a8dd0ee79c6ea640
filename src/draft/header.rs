//! The notice around a 工作方案: its number (文号), its issuer and date (the signature lines
//! 发文单位 / 2017年3月30日), its title (关于印发《…》的通知), its addressees (主送), and the
//! campaign's period where the plan states one (从2016年6月至2017年5月).

use chrono::NaiveDate;

use super::dates::{self, Year};
use super::reports::Statement;
use super::text::Sentence;
use super::units;
use crate::language::parse::phrase;

/// What the notice says about the campaign, each with the sentence it comes from.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// 文号: `宛纪办〔2017〕21号`.
    pub doc: Option<String>,
    /// 发文单位: the line above the date of issue.
    pub issuer: Option<String>,
    /// 印发: the date line of the signature.
    pub issued: Option<NaiveDate>,
    /// The plan's title, from 关于印发《…》的通知.
    pub title: Option<String>,
    /// The 主送 line and the collectives it names.
    pub addressees: Option<(Sentence, Vec<String>)>,
    /// The period as stated: its first and last day, written as the language writes them,
    /// and the sentence.
    pub period: Option<(String, String, Sentence)>,
    /// 主办单位: where the leading group's office sits (领导小组办公室设在镇村建服务中心), the
    /// unit that runs the campaign day to day, and the sentence.
    pub office: Option<(String, Sentence)>,
}

/// Where a leading group's office (or its working team) is said to sit: the unit after
/// 办公室设在 / 工作专班设在 (…设于), up to the clause's end.
pub fn office(sentences: &[Sentence]) -> Option<(String, Sentence)> {
    const SITS: [&str; 6] = [
        "办公室设在",
        "办公室设于",
        "专班设在",
        "专班设于",
        "办公室挂靠",
        "专班挂靠",
    ];
    sentences.iter().find_map(|s| {
        let text = s.text.as_str();
        let (at, word) = SITS
            .iter()
            .filter_map(|w| text.find(w).map(|at| (at, *w)))
            .min_by_key(|(at, _)| *at)?;
        let rest = &text[at + word.len()..];
        let end = rest
            .find(['，', ',', '。', '；', ';', '（', '(', '、'])
            .unwrap_or(rest.len());
        let unit = rest[..end].trim();
        super::units::is_office(unit).then(|| (unit.to_string(), s.clone()))
    })
}

/// Reads the notice's parts from the document's sentences.
pub fn header(sentences: &[Sentence]) -> Header {
    let mut header = Header::default();
    // Lines of a paragraph each: the notice is a few short lines.
    let mut lines: Vec<&Sentence> = Vec::new();
    for s in sentences {
        if lines.last().is_none_or(|l| l.paragraph != s.paragraph) {
            lines.push(s);
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.as_str();
        if header.doc.is_none() && is_doc_number(text) {
            header.doc = Some(text.to_string());
        }
        if header.issued.is_none()
            && let Some(found) = phrase::date_at(text)
            && text[found.len..].trim().trim_end_matches("印发").is_empty()
            && let Some(date) = dates::day(&found.value, Year::Written)
        {
            header.issued = Some(date);
            header.issuer = i
                .checked_sub(1)
                .map(|j| lines[j].text.trim())
                .filter(|l| l.chars().count() <= 40 && !l.ends_with(['。', '：', ':', '，']))
                .map(str::to_string);
        }
        if header.addressees.is_none()
            && text.ends_with(['：', ':'])
            && text.contains('各')
            && !text.contains("附件")
        {
            let names = units::addressees(text);
            if !names.is_empty() {
                header.addressees = Some(((*line).clone(), names));
            }
        }
    }
    header.title = title(&lines);
    header.period = sentences
        .iter()
        .find_map(period)
        .or_else(|| lines.iter().take(20).find_map(|l| years(l)));
    header
}

/// A range of whole years the title states: `三年行动方案（2024—2026年）`, `2024-2026年`.
fn years(sentence: &Sentence) -> Option<(String, String, Sentence)> {
    let text = sentence.text.as_str();
    let digits = |s: &str| -> Option<i32> {
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    for (at, _) in text.char_indices() {
        let Some(first) = text.get(at..at + 4).and_then(digits) else {
            continue;
        };
        let rest = &text[at + 4..];
        let rest = rest.strip_prefix("年").unwrap_or(rest);
        let Some(sep) = ["—", "–", "-", "－", "~", "～", "至", "到"]
            .iter()
            .find(|s| rest.starts_with(**s))
        else {
            continue;
        };
        let rest = &rest[sep.len()..];
        let Some(last) = rest.get(..4).and_then(digits) else {
            continue;
        };
        if rest[4..].starts_with('年') && first < last && last - first <= 10 && first >= 1990 {
            return Some((
                format!("{first}年1月1日"),
                format!("{last}年12月31日"),
                sentence.clone(),
            ));
        }
    }
    None
}

/// A line that is only a document number: `千振兴办发〔2023〕9号`.
fn is_doc_number(text: &str) -> bool {
    text.chars().count() <= 30
        && text.ends_with('号')
        && (text.contains('〔') || text.contains('[') || text.contains('［'))
        && !text.contains(['，', '。', '（', '('])
}

/// The title the notice issues: 关于印发《X》的通知 (the 《…》 may run over two lines).
fn title(lines: &[&Sentence]) -> Option<String> {
    let head: String = lines.iter().take(20).map(|l| l.text.as_str()).collect();
    let at = head.find("关于印发")?;
    let rest = &head[at..];
    let open = rest.find('《')? + '《'.len_utf8();
    let close = rest[open..].find('》')?;
    Some(rest[open..open + close].trim().to_string())
}

/// A sentence stating the campaign's period: (整治|治理)…从/自 DATE [开始]，至 DATE [结束].
fn period(sentence: &Sentence) -> Option<(String, String, Sentence)> {
    let text = sentence.text.as_str();
    if !(text.contains("整治") || text.contains("治理") || text.contains("工作")) {
        return None;
    }
    let from = text.find(['从', '自'])?;
    let rest = &text[from + '从'.len_utf8()..];
    let start = phrase::date_at(rest)?;
    let mut rest = &rest[start.len..];
    for filler in ["份", "开始", "，", ","] {
        rest = rest.strip_prefix(filler).unwrap_or(rest);
    }
    let rest = rest
        .strip_prefix('至')
        .or_else(|| rest.strip_prefix('到'))?;
    let end = phrase::date_at(rest)?;
    let mut last = end.value.clone();
    if last.year.is_none() {
        last.year = start.value.year;
    }
    let first = start.value.year.map(|_| dates::write_start(&start.value))?;
    Some((first, dates::write(&last)?, sentence.clone()))
}

/// The 主办单位 the draft writes: where the leading group's office sits ([`office`]), by the
/// name the statements give it — a working team (工作专班设在政秘股) runs the campaign itself, by
/// the name reports go to it under (县乡村振兴局专项整治工作专班), wherever it sits.
pub fn office_of(sentences: &[Sentence], statements: &[Statement]) -> Option<(String, Sentence)> {
    office(sentences).map(|(unit, sentence)| {
        // A working team (工作专班设在政秘股) runs the campaign itself, by the name the
        // statements give it (县乡村振兴局专项整治工作专班), wherever it sits.
        let team = sentence
            .text
            .contains("专班设")
            .then(|| {
                statements
                    .iter()
                    .flat_map(|s| s.from.iter().chain(&s.to))
                    .find(|u| u.ends_with("专班"))
                    .cloned()
            })
            .flatten();
        let unit = team
            .or_else(|| called_elsewhere(&unit, statements))
            .unwrap_or(unit);
        (unit, sentence)
    })
}

/// The name the statements give a unit named more fully once (镇村建中心 for 镇村建服务中心):
/// a name they use whose characters are the full name's, in order, from its first to its last.
fn called_elsewhere(full: &str, statements: &[Statement]) -> Option<String> {
    let named = || statements.iter().flat_map(|s| s.from.iter().chain(&s.to));
    // 专班 (the team the plan sets up) is the one the statements name: 县乡村振兴局专项整治工作专班.
    if full == "专班" {
        return named().find(|u| u.ends_with("专班")).cloned();
    }
    let within = |short: &str| {
        let mut rest = full.chars();
        short.chars().all(|c| rest.any(|f| f == c))
            && short.chars().next() == full.chars().next()
            && short.chars().last() == full.chars().last()
    };
    named()
        .find(|u| u.as_str() != full && u.chars().count() >= 3 && within(u))
        .cloned()
}

/// The unit that stands for the authority `issuer` names among the units the text names: a
/// people's government (古路镇人民政府) is the text's 镇政府 (or 镇人民政府) where it names one;
/// else the issuer as the notice writes it.
pub fn issuer_unit(issuer: &str, named: &[&String]) -> String {
    let issuer = issuer.trim();
    if let Some(before) = issuer.strip_suffix("人民政府")
        && let Some(level) = before.chars().last()
    {
        for candidate in [format!("{level}政府"), format!("{level}人民政府")] {
            if named.iter().any(|n| **n == candidate) {
                return candidate;
            }
        }
    }
    issuer.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::text::sentences;

    #[test]
    fn the_notice_gives_number_issuer_date_title_and_addressees() {
        let text = "宛纪办〔2017〕21号\n中共南阳市纪委办公室\n关于印发《侵害群众利益的不正之风和\n腐败问题专项整治工作方案》的通知\n各县区纪委监察局，市直机关各单位党组（党委）：\n现将方案印发给你们。\n中共南阳市纪委办公室\n2017年3月30日\n";
        let h = header(&sentences(text));
        assert_eq!(h.doc.as_deref(), Some("宛纪办〔2017〕21号"));
        assert_eq!(h.issuer.as_deref(), Some("中共南阳市纪委办公室"));
        assert_eq!(h.issued, NaiveDate::from_ymd_opt(2017, 3, 30));
        assert_eq!(
            h.title.as_deref(),
            Some("侵害群众利益的不正之风和腐败问题专项整治工作方案")
        );
        assert_eq!(h.addressees.unwrap().1, ["各县区", "市直机关各单位"]);
    }

    #[test]
    fn a_range_of_years_in_the_title_is_the_period() {
        let text = "广元市安全生产治本攻坚三年行动方案（2024—2026年）\n各县区：\n";
        let h = header(&sentences(text));
        let (first, last, _) = h.period.unwrap();
        assert_eq!(
            (first.as_str(), last.as_str()),
            ("2024年1月1日", "2026年12月31日")
        );
    }

    #[test]
    fn a_stated_period_is_read_with_the_languages_dates() {
        for (text, first, last) in [
            (
                "全市“集中整治”工作从2016年6月至2017年5月。",
                "2016年6月",
                "2017年5月",
            ),
            (
                "专项整治从2023年2月份开始，至12月底结束，此后转为常态化。",
                "2023年2月",
                "2023年12月底",
            ),
        ] {
            let (f, l, _) = period(&sentences(text)[0]).unwrap();
            assert_eq!((f.as_str(), l.as_str()), (first, last), "{text}");
        }
    }

    #[test]
    fn a_peoples_government_is_the_texts_government_of_its_level() {
        let (zhen, county) = ("镇政府".to_string(), "县政府".to_string());
        assert_eq!(issuer_unit("古路镇人民政府", &[&zhen, &county]), "镇政府");
        assert_eq!(issuer_unit("古路镇人民政府", &[&county]), "古路镇人民政府");
        assert_eq!(
            issuer_unit("中共南阳市纪委办公室", &[&zhen]),
            "中共南阳市纪委办公室"
        );
    }
}
