//! The language's phrases found in running text. A campaign file's `时限 每月25日前` and a
//! document's "每月25日前上报市纪委" say the same thing in the same words; these functions read
//! such a phrase where it starts in a sentence, with the grammar's own rules, so that the
//! drafter (`duban draft`, above the language) never has rules of its own for what the
//! language already reads. Only the length read and the typed value come out: no pest type.

use pest::Parser as _;

use super::Lower;
use crate::language::ast::{DateExpr, DueExpr};

use crate::language::grammar::{CampaignParser, Rule};

/// A phrase read at the start of a text: how many bytes it took, and what it says.
#[derive(Clone, Debug)]
pub struct Found<T> {
    /// Bytes of the text the phrase took.
    pub len: usize,
    /// What it says.
    pub value: T,
}

/// The deadline, dates, cadence or duty a `due` statement takes (`时限 …`), read at the
/// start of `text`: `4月15日前`, `每月25日前`, `分别于6月30日和12月31日前`, `随时报告`.
pub fn due_at(text: &str) -> Option<Found<DueExpr>> {
    read(text, Rule::due_value, |lower, pair| {
        lower.due_value(pair).node
    })
}

/// A phase's window as the language writes one, read at the start of `text`: `2016年6月30日前`,
/// `（2023年5月—6月）`, `即日起至9月底`, `贯穿全过程`.
pub fn window_at(text: &str) -> Option<Found<crate::language::ast::Window>> {
    read(text, Rule::window, |lower, pair| lower.window(pair).node)
}

/// A date as the language writes one, read at the start of `text`: `2017年3月30日`, `6月底`.
pub fn date_at(text: &str) -> Option<Found<DateExpr>> {
    read(text, Rule::date, |lower, pair| lower.date(pair).node)
}

/// Parses the longest prefix of `text` that `rule` reads and lowers it. A phrase whose
/// lowering reports a problem (a number too large) is not one the language would accept.
fn read<'s, T>(
    text: &'s str,
    rule: Rule,
    lower_with: impl FnOnce(&mut Lower<'s>, pest::iterators::Pair<'s, Rule>) -> T,
) -> Option<Found<T>> {
    let pair = CampaignParser::parse(rule, text).ok()?.next()?;
    let len = pair.as_span().end();
    if len == 0 {
        return None;
    }
    let mut lower = Lower {
        src: text,
        diagnostics: Vec::new(),
        broken: Vec::new(),
    };
    let value = lower_with(&mut lower, pair);
    lower.diagnostics.is_empty().then_some(Found { len, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::ast::DayPart;

    #[test]
    fn a_due_phrase_is_read_where_it_starts_and_stops_where_the_language_does() {
        let found = due_at("每月25日前上报市纪委").unwrap();
        assert_eq!(&"每月25日前上报市纪委"[..found.len], "每月25日前");
        assert!(matches!(found.value, DueExpr::Cadence(_)));
        let found = due_at("4月15日前报市纪委").unwrap();
        let DueExpr::Date(date) = found.value else {
            panic!()
        };
        assert_eq!(date.node.day, DayPart::Day(15));
        // A bare name is read as another deliverable's deadline (`时限 阶段总结`): the reason a
        // caller tries only where a time can start, and keeps only the kinds it wants.
        assert!(matches!(
            due_at("报市纪委").map(|f| f.value),
            Some(DueExpr::Relative(_))
        ));
        assert!(due_at("，报").is_none());
    }

    #[test]
    fn a_date_is_the_languages() {
        let found = date_at("2017年3月30日   ").unwrap();
        assert_eq!(found.value.year, Some(2017));
        assert_eq!(found.len, "2017年3月30日".len());
        assert!(date_at("联系电话").is_none());
    }
}
