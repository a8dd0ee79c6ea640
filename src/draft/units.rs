//! Units named in running text: the addressees of the 主送 line, the units a sentence opens
//! with (who owes), and the unit after a reporting verb (to whom).

/// How a collective of units ends: 各县区, 市直各单位, 县级各相关部门, 各乡镇, 各村, 各驻村组.
const COLLECTIVE_ENDS: &[&str] = &[
    "县(市、区)",
    "县（市、区）",
    "县市区",
    "县区",
    "单位",
    "部门",
    "乡镇",
    "街道",
    "社区",
    "驻村组",
    "站所",
    "镇",
    "村",
];

/// How the name of one office ends: 镇村建中心, 县乡村振兴局, 市纪委, 党风政风监督室, 专班.
const OFFICE_ENDS: &[&str] = &[
    "中心", "专班", "政府", "机关", "纪委", "党委", "局", "委", "室", "办", "组", "部", "股", "科",
    "所", "院", "站", "处",
];

/// Words that end the naming of who owes and start what they do: 各村要…, 镇村建中心于…
const SUBJECT_ENDS: &[&str] = &["要将", "要", "将", "于", "应", "须", "在", "按照", "对"];

/// The units a sentence's opening names, up to `end` (where its deadline starts): the
/// collectives and offices listed with 、 before anything else is said. Empty when the
/// sentence opens with something else (then its subject is an earlier sentence's).
pub fn subject(text: &str) -> Vec<String> {
    let mut units = Vec::new();
    for part in split_list(after_time_clause(strip_numbering(text))) {
        let part = part.trim_start_matches(['，', ',']);
        match unit_prefix(part) {
            Some(unit) => units.push(unit),
            None => break,
        }
        // A part that goes on past its unit ends the list: 市直各单位汇总、加盖公章后.
        if unit_prefix(part).is_some_and(|u| u.len() < part.len()) {
            break;
        }
    }
    units
}

/// `text` without a time clause it opens with: 自查自纠工作结束后，各单位要… → 各单位要….
fn after_time_clause(text: &str) -> &str {
    let Some(at) = text.find(['，', ',']) else {
        return text;
    };
    let clause = &text[..at];
    let timed = ["后", "时", "前", "期间", "之际", "以来", "之前", "以后"]
        .iter()
        .any(|w| clause.ends_with(w));
    // Not where the clause opens with who owes: 各县区汇总、加盖公章后，….
    let owner_first = split_list(clause)
        .first()
        .is_some_and(|part| unit_prefix(part).is_some());
    if timed && !owner_first && clause.chars().count() <= 20 {
        let comma = text[at..].chars().next().map_or(1, char::len_utf8);
        text[at + comma..].trim_start()
    } else {
        text
    }
}

/// `text` without the numbering an item starts with: 4、 1. （一） 一、 (1).
pub fn strip_numbering(text: &str) -> &str {
    let text = text.trim_start();
    if text.starts_with(['（', '(']) {
        if let Some((at, c)) = text.char_indices().find(|(_, c)| matches!(c, '）' | ')'))
            && text[..at].chars().count() <= 4
        {
            return &text[at + c.len_utf8()..];
        }
        return text;
    }
    let numeral: usize = text
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
        .map(|(_, c)| c.len_utf8())
        .sum();
    match text[numeral..].chars().next() {
        Some(c @ ('、' | '.' | '．')) if numeral > 0 => &text[numeral + c.len_utf8()..],
        _ => text,
    }
}

/// The unit a part of a list starts with: a collective (各县区纪委监察局 → 各县区), or an
/// office that is the whole part but for the words that start a predicate (镇村建中心于 →
/// 镇村建中心).
fn unit_prefix(part: &str) -> Option<String> {
    if let Some(end) = collective_end(part) {
        return Some(part[..end].to_string());
    }
    let mut office = part;
    for word in SUBJECT_ENDS {
        if let Some(at) = office.find(word).filter(|&at| at > 0) {
            office = &office[..at];
        }
    }
    is_office(office).then(|| office.to_string())
}

/// Where the first collective in `part` ends, if it starts the part: the shortest prefix that
/// ends with a collective word, extended to a longer word that overlaps it (各驻村 → 各驻村组).
fn collective_end(part: &str) -> Option<usize> {
    // 各县(市、口岸), 各县(市)区, 各市(州): a level of government with its kinds in brackets.
    if let Some(rest) = part.strip_prefix('各')
        && let Some(level) = rest
            .chars()
            .next()
            .filter(|c| "省市州县区乡镇".contains(*c))
        && let Some(inner) = rest[level.len_utf8()..].strip_prefix(['(', '（'])
        && let Some(close) = inner.find([')', '）'])
        && inner[..close].chars().count() <= 8
    {
        let closing = inner[close..].chars().next().map_or(1, char::len_utf8);
        let mut end = part.len() - inner.len() + close + closing;
        if part[end..].starts_with(['区', '市']) {
            end += '区'.len_utf8();
        }
        return Some(end);
    }
    let ends: Vec<(usize, usize)> = part
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .flat_map(|j| {
            COLLECTIVE_ENDS
                .iter()
                .filter(move |w| part[..j].ends_with(**w))
                .map(move |w| (j - w.len(), j))
        })
        .collect();
    let &(_, mut end) = ends.iter().min_by_key(|(_, j)| *j)?;
    while let Some(&(_, longer)) = ends.iter().find(|(s, j)| *j > end && *s < end) {
        end = longer;
    }
    // A collective is named as one — 各村, 市直各单位, 县区 — not by a word that happens to
    // end in 镇 (镇村建中心).
    let name = &part[..end];
    let counties = ["县区", "县市区", "县(市、区)", "县（市、区）"];
    // 市直有关部门, 县直各单位, 有关成员单位: the units of a level, or those concerned.
    let levels = ["市直", "县直", "区直", "省直", "州直"];
    let concerned = ["有关部门", "相关部门", "有关单位", "相关单位", "成员单位"];
    (name.contains('各')
        || counties.iter().any(|c| name.ends_with(c))
        || levels.iter().any(|l| name.starts_with(l))
        || concerned.iter().any(|c| name.ends_with(c)))
    .then_some(end)
}

/// Whether `name` is one office's name: short, ending like one, no punctuation in it.
pub fn is_office(name: &str) -> bool {
    let chars = name.chars().count();
    (2..=20).contains(&chars)
        && OFFICE_ENDS.iter().any(|e| name.ends_with(e))
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "（）()".contains(c))
}

/// The recipients named after a reporting verb: `市纪委（党风政风监督室）` names the room
/// inside the office, `市纪委(径送党风政风监督室938室,联系电话…)` too; `镇党委、政府` two.
/// None when what follows the verb is not an office (上报年度…报告: the deliverable).
pub fn recipients(after_verb: &str) -> Option<Vec<String>> {
    let after_verb = after_verb.trim_start_matches(['至', '给', ' ']);
    let end = after_verb
        .find(['，', '。', '；', ',', ';', '《', '：', ':'])
        .unwrap_or(after_verb.len());
    let mut outer = &after_verb[..end];
    let mut inner = None;
    if let Some(open) = outer.find(['（', '(']) {
        let rest = &after_verb[open..];
        let body = rest.trim_start_matches(['（', '(']);
        let body_end = body.find(['，', ',', '）', ')']).unwrap_or(body.len());
        inner = Some(strip_room(body[..body_end].trim_start_matches("径送")));
        outer = &outer[..open];
    }
    if let Some(inner) = inner.filter(|i| is_office(i)) {
        return Some(vec![inner]);
    }
    let names: Vec<String> = outer.split('、').map(strip_room).collect();
    names
        .iter()
        .all(|n| is_office(n))
        .then_some(names)
        .filter(|n| !n.is_empty())
}

/// `党风政风监督室938室` → `党风政风监督室`: the room number is an address, not the office.
fn strip_room(name: &str) -> String {
    let name = name.trim();
    if let Some(body) = name.strip_suffix('室') {
        let trimmed = body.trim_end_matches(|c: char| c.is_ascii_digit());
        if trimmed.len() < body.len() && is_office(trimmed) {
            return trimmed.to_string();
        }
    }
    name.to_string()
}

/// The addressees of the 主送 line (`各县区纪委监察局，市委各部委，…：`), as the collectives
/// they name.
pub fn addressees(line: &str) -> Vec<String> {
    let line = line.trim_end_matches(['：', ':']);
    let mut out: Vec<String> = Vec::new();
    for part in line.split(['，', ',', '；', ';']).flat_map(split_list) {
        let unit = match collective_end(part) {
            Some(end) => part[..end].to_string(),
            None if part.contains('各') || is_office(part) => part.to_string(),
            None => continue,
        };
        if !out.contains(&unit) {
            out.push(unit);
        }
    }
    out
}

/// `text` split at 、 outside brackets: 各县(市、区)、市直各单位 is two parts.
fn split_list(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in text.char_indices() {
        match c {
            '（' | '(' | '《' => depth += 1,
            '）' | ')' | '》' => depth = depth.saturating_sub(1),
            '、' if depth == 0 => {
                parts.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_opens_with_who_owes() {
        assert_eq!(
            subject("各县区、市直各单位专项整治工作方案于"),
            ["各县区", "市直各单位"]
        );
        assert_eq!(
            subject("各县(市、区)要将每月工作进展情况"),
            ["各县(市、区)"]
        );
        assert_eq!(
            subject("各镇、各相关部门分管领导及联络员名单于"),
            ["各镇", "各相关部门"]
        );
        assert_eq!(subject("镇村建中心于"), ["镇村建中心"]);
        assert_eq!(subject("各县(市、口岸)要认真总结"), ["各县(市、口岸)"]);
        assert_eq!(subject("各县（市）区、开发区要"), ["各县（市）区"]);
        assert_eq!(subject("市直有关部门要形成专题总结报告"), ["市直有关部门"]);
        assert_eq!(subject("各驻村组核查指导"), ["各驻村组"]);
        assert!(subject("实行“月报告”工作制度，于").is_empty());
        assert_eq!(
            subject("4、各县区、市直各单位汇总、加盖公章后，"),
            ["各县区", "市直各单位"]
        );
    }

    #[test]
    fn the_recipient_is_the_office_after_the_verb() {
        assert_eq!(
            recipients("市纪委（党风政风监督室）。").unwrap(),
            ["党风政风监督室"]
        );
        assert_eq!(
            recipients("市纪委(径送党风政风监督室938室,联系电话:3265834)。").unwrap(),
            ["党风政风监督室"]
        );
        assert_eq!(
            recipients("市纪委党风政风监督室312室（含电子版）。").unwrap(),
            ["市纪委党风政风监督室"]
        );
        assert_eq!(recipients("至村建中心。").unwrap(), ["村建中心"]);
        assert!(recipients("年度专项整治工作整体情况报告和《台账》").is_none());
    }

    #[test]
    fn the_addressees_are_the_collectives_of_the_line() {
        assert_eq!(
            addressees(
                "各县区纪委监察局，市委各部委，市直机关各单位党组（党委）、纪检组（纪委）："
            ),
            ["各县区", "市委各部委", "市直机关各单位"]
        );
        assert_eq!(
            addressees("各村，各驻村组，各相关部门："),
            ["各村", "各驻村组", "各相关部门"]
        );
    }
}
