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
    "行署",
    "镇",
    "村",
];

/// How the name of one office ends: 镇村建中心, 县乡村振兴局, 市纪委, 党风政风监督室, 专班.
const OFFICE_ENDS: &[&str] = &[
    "中心",
    "专班",
    "政府",
    "机关",
    "纪委",
    "党委",
    "局",
    "委",
    "室",
    "办",
    "组",
    "部",
    "股",
    "科",
    "所",
    "院",
    "站",
    "处",
    "主管部门",
];

/// Words that end the naming of who owes and start what they do: 各村要…, 镇村建中心于…
const SUBJECT_ENDS: &[&str] = &["要将", "要", "将", "于", "应", "须", "在", "按照", "对"];

/// The units a sentence's opening names, up to `end` (where its deadline starts): the
/// collectives and offices listed with 、 before anything else is said. Empty when the
/// sentence opens with something else (then its subject is an earlier sentence's).
pub fn subject(text: &str) -> Vec<String> {
    let text = strip_numbering(text);
    // 请各县区于…: the request's 请 is not the unit's.
    let text = text.strip_prefix('请').unwrap_or(text);
    let mut units = Vec::new();
    for part in split_list(after_time_clause(text)) {
        let mut part = part.trim_start_matches(['，', ',']);
        loop {
            let Some(unit) = unit_prefix(part) else {
                return units;
            };
            let rest = &part[unit.len()..];
            // 各县(市、区)直接联系基层单位(站、所)的相关职能部门: the departments of the units
            // named, not the units — read as 各县(市、区)相关职能部门.
            if let Some(departments) = departments_of(rest) {
                units.push(format!("{unit}{departments}"));
                return units;
            }
            units.extend(split_joined(&unit));
            if rest.is_empty() {
                break;
            }
            // 各县区和市直各单位, 各县区纪委及市直各单位: another unit after 和 or 及 goes on
            // with the list; else a part that goes on past its unit ends it (市直各单位汇总、
            // 加盖公章后).
            match joined_next(rest) {
                Some(next) => part = next,
                None => return units,
            }
        }
    }
    units
}

/// Where the department noun a unit read from a qualifier ends with (各镇相关职能部门 →
/// after 相关职能部门 in `text`), when the unit is such a one.
pub fn noun_end(text: &str, unit: &str) -> Option<usize> {
    let noun = DEPARTMENTS.iter().find(|n| unit.ends_with(**n))?;
    text.find(noun).map(|at| at + noun.len())
}

/// What a qualifier after a unit may name: 各县(市、区)直接联系…的相关职能部门.
const DEPARTMENTS: [&str; 5] = [
    "相关职能部门",
    "有关职能部门",
    "职能部门",
    "相关部门",
    "有关部门",
];

/// The departments a qualifier after a unit names (`直接联系基层单位(站、所)的相关职能部门`, up
/// to 40 characters before 的, within the clause): `相关职能部门`, `有关部门` ….
fn departments_of(rest: &str) -> Option<&'static str> {
    let clause = &rest[..rest
        .find(['，', ',', '。', '；', ';'])
        .unwrap_or(rest.len())];
    let of = clause.find('的')?;
    if clause[..of].chars().count() > 40 || clause[..of].contains('要') {
        return None;
    }
    let after = &clause[of + '的'.len_utf8()..];
    DEPARTMENTS.iter().find(|n| after.starts_with(**n)).copied()
}

/// The words that join two units in a list: 各县区和市直各单位, 县纪委及县委办.
const JOINERS: &[&str] = &["以及", "和", "及", "与"];

/// What follows a unit's name when it is joined to another unit's (`和市直各单位要…` after
/// 各县区, `纪委及市直各单位…` after 各县区 — the first unit's organ named before the joiner):
/// where the next unit starts.
fn joined_next(rest: &str) -> Option<&str> {
    let (at, joiner) = JOINERS
        .iter()
        .filter_map(|j| rest.find(j).map(|at| (at, *j)))
        .min_by_key(|(at, _)| *at)?;
    let between = &rest[..at];
    let organ = between.chars().count() <= 4
        && between.chars().all(char::is_alphanumeric)
        && !SUBJECT_ENDS.iter().any(|w| between.contains(w));
    let next = &rest[at + joiner.len()..];
    (organ && unit_prefix(next).is_some()).then_some(next)
}

/// An office's name that joins two (县纪委和县委办), as the two; any other name as itself —
/// 住房和城乡建设局 is one office, since 住房 is none.
fn split_joined(name: &str) -> Vec<String> {
    for joiner in JOINERS {
        let parts: Vec<&str> = name.split(joiner).collect();
        if parts.len() > 1
            && parts
                .iter()
                .all(|p| is_office(p) || collective_end(p) == Some(p.len()))
        {
            return parts.into_iter().map(String::from).collect();
        }
    }
    vec![name.to_string()]
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
    // “市整治办”: an office named in quotes is the office.
    let unquoted;
    let after_verb = match after_verb.strip_prefix(['“', '"', '「']) {
        Some(quoted) => match quoted.find(['”', '"', '」']) {
            Some(close) => {
                let mark = quoted[close..].chars().next().map_or(1, char::len_utf8);
                unquoted = format!("{}{}", &quoted[..close], &quoted[close + mark..]);
                unquoted.as_str()
            }
            None => quoted,
        },
        None => after_verb,
    };
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
    let mut names: Vec<String> = outer
        .split('、')
        .map(strip_room)
        .flat_map(|n| split_joined(&n))
        .collect();
    level_shared(&mut names);
    names
        .iter()
        .all(|n| is_office(n))
        .then_some(names)
        .filter(|n| !n.is_empty())
}

/// `镇党委、政府`: the level said once for the organs after it — 政府 there is 镇政府.
fn level_shared(names: &mut [String]) {
    const ORGANS: [&str; 6] = ["党委", "政府", "纪委", "人大", "政协", "人民政府"];
    let Some(level) = names.first().and_then(|n| {
        let level = n.chars().next()?;
        ORGANS
            .iter()
            .any(|o| n[level.len_utf8()..] == **o)
            .then_some(level)
    }) else {
        return;
    };
    for name in names.iter_mut().skip(1) {
        if ORGANS.contains(&name.as_str()) {
            *name = format!("{level}{name}");
        }
    }
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
        // Joined by 和 or 及, the first one's organ named before the joiner; asked with 请.
        assert_eq!(subject("各县区和市直各单位要于"), ["各县区", "市直各单位"]);
        assert_eq!(
            subject("各县区纪委及市直各单位于"),
            ["各县区", "市直各单位"]
        );
        assert_eq!(subject("县纪委和县委办要于"), ["县纪委", "县委办"]);
        assert_eq!(subject("县住房和城乡建设局要于"), ["县住房和城乡建设局"]);
        assert_eq!(subject("请各县区于"), ["各县区"]);
        assert_eq!(subject("各县区和乡镇要于"), ["各县区"]);
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
        assert_eq!(recipients("至“市整治办”。").unwrap(), ["市整治办"]);
        assert_eq!(
            recipients("县委办公室和县纪委。").unwrap(),
            ["县委办公室", "县纪委"]
        );
        assert_eq!(
            recipients("县住房和城乡建设局。").unwrap(),
            ["县住房和城乡建设局"]
        );
        // A department in charge is one office; 各部门 stays a collective.
        assert_eq!(
            recipients("本级纪委和上级主管部门；").unwrap(),
            ["本级纪委", "上级主管部门"]
        );
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
