//! The statement keywords of the language, in both spellings, and where each may stand. The
//! parser uses this table to explain a line it could not read ("did you mean `report`?", "`phase`
//! cannot be used inside a report block"); a test keeps it in step with the grammar.

/// A block a statement can stand in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// The top level of the file.
    Top,
    /// `campaign { … }`
    Campaign,
    /// `unit { … }`
    Unit,
    /// `report { … }`
    Report,
    /// `item { … }`
    Item,
    /// `measure { … }`
    Measure,
    /// `target { … }`
    Target,
    /// `remind { … }`
    Remind,
    /// `form { … }`
    Form,
    /// `ledger { … }`
    Ledger,
    /// `assess { … }`
    Assess,
}

impl Context {
    /// How an error message names it.
    pub fn describe(self) -> &'static str {
        match self {
            Context::Top => "the top level of a file",
            Context::Campaign => "a campaign block",
            Context::Unit => "a unit block",
            Context::Report => "a report block",
            Context::Item => "an item block",
            Context::Measure => "a measure block",
            Context::Target => "a target block",
            Context::Remind => "a remind block",
            Context::Assess => "an assess block",
            Context::Form => "a form block",
            Context::Ledger => "a ledger block",
        }
    }
}

/// One statement keyword.
#[derive(Clone, Copy, Debug)]
pub struct Keyword {
    /// The English spelling.
    pub english: &'static str,
    /// The Chinese spellings, the preferred one first.
    pub chinese: &'static [&'static str],
    /// Blocks it may stand in.
    pub contexts: &'static [Context],
}

impl Keyword {
    /// Every spelling, English first.
    pub fn spellings(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.english).chain(self.chinese.iter().copied())
    }

    /// Whether `word` is one of its spellings.
    pub fn is(&self, word: &str) -> bool {
        self.spellings().any(|s| s == word)
    }

    /// `report` / `报送`, as messages show it.
    pub fn both(&self) -> String {
        format!("`{}` / `{}`", self.english, self.chinese[0])
    }
}

use Context::*;

macro_rules! kw {
    ($en:literal, [$($zh:literal),+], [$($ctx:ident),+]) => {
        Keyword { english: $en, chinese: &[$($zh),+], contexts: &[$($ctx),+] }
    };
}

/// Every statement keyword.
pub const KEYWORDS: &[Keyword] = &[
    kw!(
        "campaign",
        ["专项整治", "专项治理", "集中整治", "专项"],
        [Top]
    ),
    kw!("unit", ["单位"], [Top]),
    kw!("group", ["分组"], [Top]),
    kw!("directory", ["通讯录"], [Top, Campaign]),
    kw!("kind", ["层级"], [Top]),
    kw!("phase", ["阶段"], [Top]),
    kw!("report", ["报送", "上报"], [Top, Item]),
    kw!("item", ["整治事项", "事项"], [Top]),
    kw!("measure", ["整治措施", "措施"], [Top, Item]),
    kw!("target", ["目标"], [Top, Item]),
    kw!(
        "remind",
        ["提醒", "催报"],
        [Top, Report, Measure, Target, Ledger]
    ),
    kw!("title", ["标题", "名称"], [Campaign]),
    kw!("issuer", ["发文单位", "发文机关"], [Campaign]),
    kw!("doc", ["文号"], [Campaign]),
    kw!("issued", ["印发日期", "印发"], [Campaign]),
    kw!("zone", ["时区"], [Campaign]),
    kw!("period", ["整治期间", "期间"], [Campaign]),
    kw!(
        "holidays",
        ["节假日"],
        [Campaign, Report, Measure, Target, Ledger]
    ),
    kw!("office", ["主办单位"], [Campaign]),
    kw!("supervisors", ["监督单位"], [Campaign, Item]),
    kw!("contacts", ["联系人文件"], [Campaign]),
    kw!("templates", ["模板"], [Campaign]),
    kw!(
        "note",
        ["备注", "说明"],
        [
            Campaign, Unit, Report, Item, Measure, Target, Remind, Form, Ledger, Assess
        ]
    ),
    kw!(
        "formerly",
        ["原名", "曾用名"],
        [Report, Measure, Target, Ledger]
    ),
    kw!("under", ["隶属", "上级单位"], [Unit]),
    kw!("full-name", ["全称"], [Unit]),
    kw!("email", ["邮箱"], [Unit]),
    kw!("phone", ["联系电话", "电话"], [Unit]),
    kw!("reviewer", ["审核单位"], [Unit]),
    kw!("active", ["在册"], [Unit]),
    kw!("leader", ["分管领导"], [Unit]),
    kw!("liaison", ["联络员"], [Unit]),
    kw!("contact", ["联系人"], [Unit]),
    kw!("from", ["报送单位", "填报单位"], [Report, Target, Ledger]),
    kw!("to", ["接收单位"], [Report, Measure, Target, Ledger]),
    kw!("form", ["表单"], [Top, Report, Target]),
    kw!("field", ["字段"], [Form, Ledger]),
    kw!("check", ["校验", "核验"], [Form, Ledger]),
    kw!("ledger", ["台账", "清单"], [Top]),
    kw!("instructions", ["批示", "领导批示"], [Top]),
    kw!("close", ["销号时限", "整改时限", "办结时限"], [Ledger]),
    kw!("value-from", ["取自", "数据来源"], [Target]),
    kw!("lock", ["锁定", "逾期锁定"], [Form]),
    kw!("assess", ["考核"], [Top]),
    kw!("bulletin", ["通报"], [Top]),
    kw!("on-time", ["按时", "按时报送"], [Assess]),
    kw!("missing", ["未报", "未报送"], [Assess]),
    kw!("returned", ["退回"], [Assess]),
    kw!("waived", ["免报"], [Assess]),
    kw!("extended", ["延期"], [Assess, Report, Campaign]),
    kw!("rank", ["排名"], [Assess]),
    kw!("signers", ["签字背书", "签字"], [Report, Ledger]),
    kw!("review", ["审核"], [Report, Ledger]),
    kw!("review-within", ["审核时限"], [Report, Ledger]),
    kw!("acknowledge", ["签收"], [Report, Campaign]),
    kw!("split", ["分解"], [Report]),
    kw!("due", ["完成时限", "时限"], [Report, Measure]),
    kw!("covering", ["报告期"], [Report]),
    kw!("first", ["首期"], [Report]),
    kw!("last", ["末期"], [Report]),
    kw!("during", ["阶段内"], [Report, Target]),
    kw!("ongoing", ["长期坚持", "常态化"], [Report]),
    kw!("lead", ["牵头单位"], [Item]),
    kw!("cooperate", ["配合单位"], [Item]),
    kw!("owners", ["责任单位"], [Measure]),
    kw!("before", ["提前"], [Remind]),
    kw!("at", ["时间"], [Remind]),
    kw!("overdue", ["逾期"], [Remind, Assess]),
    kw!("unacknowledged", ["未签收"], [Remind]),
    kw!("by", ["经", "经由", "通过"], [Remind]),
];

/// The keyword spelled `word`, if any.
pub fn lookup(word: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.is(word))
}

/// Every spelling of every keyword allowed in `context`.
pub fn spellings_in(context: Context) -> impl Iterator<Item = &'static str> {
    KEYWORDS
        .iter()
        .filter(move |k| k.contexts.contains(&context))
        .flat_map(|k| k.spellings())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grammar and this table must agree, or error messages would lie.
    #[test]
    fn every_spelling_is_in_the_grammar() {
        let grammar = include_str!("../../grammar/campaign.pest");
        for keyword in KEYWORDS {
            let rule = format!("kw_{} ", keyword.english.replace('-', "_"));
            let line = grammar
                .lines()
                .find(|l| l.starts_with(&rule))
                .unwrap_or_else(|| panic!("no grammar rule {rule}"));
            for spelling in keyword.spellings() {
                assert!(
                    line.contains(&format!("\"{spelling}\"")),
                    "{spelling} missing in {line}"
                );
            }
        }
    }

    #[test]
    fn english_keywords_are_not_names() {
        let grammar = include_str!("../../grammar/campaign.pest");
        let start = grammar.find("keyword_en = _{").expect("keyword_en rule");
        let rule = &grammar[start..start + grammar[start..].find("\n}").unwrap()];
        for keyword in KEYWORDS {
            assert!(
                rule.contains(&format!("\"{}\"", keyword.english)),
                "{}",
                keyword.english
            );
        }
    }

    #[test]
    fn no_spelling_is_used_twice() {
        let mut seen = std::collections::HashSet::new();
        for spelling in KEYWORDS.iter().flat_map(|k| k.spellings()) {
            assert!(seen.insert(spelling), "{spelling} twice");
        }
    }
}
