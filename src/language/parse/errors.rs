//! Explaining what the grammar could not read: a line's first mistake, the keyword it
//! nearly is, and pest's expectations in words.

use super::*;

impl<'s> Lower<'s> {
    pub(super) fn bad_statement(&mut self, pair: &Pair<'s, Rule>, context: Context) {
        let text = pair.as_str();
        let start = pair.as_span().start();
        let word = first_word(text);
        let word_span = Span::new(start, start + word.len());
        let meant = keywords::lookup(word)
            .filter(|k| k.contexts.contains(&context))
            .or_else(|| {
                let nearest = suggest::nearest(word, keywords::spellings_in(context))?;
                keywords::lookup(nearest)
            });
        if let Some(keyword) = meant {
            self.broken.push((span_of(pair), keyword.english));
        }
        let diagnostic = match keywords::lookup(word) {
            Some(keyword) if keyword.contexts.contains(&context) => explain(text, start, context),
            Some(keyword) => {
                let places: Vec<&str> = keyword.contexts.iter().map(|c| c.describe()).collect();
                Diagnostic::error(
                    Problem::MisplacedKeyword {
                        word: word.to_string(),
                        context: context.describe(),
                    },
                    word_span,
                )
                .with_help(Some(format!(
                    "{} belongs in {}",
                    keyword.both(),
                    join_or(&places, "or")
                )))
            }
            None if word.is_empty() => explain(text, start, context),
            None => unknown_keyword(word, word_span, context),
        };
        self.diagnostics.push(diagnostic);
    }
}

pub(super) fn unknown_keyword(word: &str, span: Span, context: Context) -> Diagnostic {
    let glued = keywords::spellings_in(context)
        .filter(|k| word.starts_with(k) && word.len() > k.len())
        .max_by_key(|k| k.len());
    let help = match glued {
        Some(k) => Some(format!("put a space or `：` after `{k}`")),
        None => suggest::did_you_mean(word, keywords::spellings_in(context)).or_else(|| {
            let some: Vec<String> = keywords::KEYWORDS
                .iter()
                .filter(|k| k.contexts.contains(&context))
                .take(6)
                .map(|k| format!("`{}`", k.english))
                .collect();
            Some(format!(
                "a statement in {} starts with a keyword such as {}",
                context.describe(),
                some.join(", ")
            ))
        }),
    };
    Diagnostic::error(
        Problem::UnknownKeyword {
            word: word.to_string(),
        },
        span,
    )
    .with_label("not a keyword here")
    .with_help(help)
}

/// Parses one statement alone with the strict rule of its block, and describes the first place
/// where it goes wrong.
pub(super) fn explain(text: &str, offset: usize, context: Context) -> Diagnostic {
    let rule = match context {
        Context::Top => Rule::top_only,
        Context::Campaign => Rule::campaign_only,
        Context::Unit => Rule::unit_only,
        Context::Report => Rule::report_only,
        Context::Item => Rule::item_only,
        Context::Measure => Rule::measure_only,
        Context::Target => Rule::target_only,
        Context::Remind => Rule::remind_only,
        Context::Form => Rule::form_only,
        Context::Ledger => Rule::ledger_only,
        Context::Assess => Rule::assess_only,
    };
    match CampaignParser::parse(rule, text) {
        Err(error) => pest_error(text, offset, error),
        Ok(_) => {
            let end = offset + text.trim_end().len();
            Diagnostic::error(
                Problem::Syntax {
                    expected: "a complete statement".into(),
                    found: "this".into(),
                },
                Span::new(offset, end),
            )
        }
    }
}

/// Turns a pest error on `text` (which starts at `offset` in the file) into a diagnostic.
pub(super) fn pest_error(text: &str, offset: usize, error: pest::error::Error<Rule>) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let (expected, call_limit) = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => (describe_expected(positives), false),
        ErrorVariant::CustomError { message } => (String::new(), message.contains("call limit")),
    };
    if call_limit {
        return Diagnostic::error(Problem::TooComplex, Span::new(offset, offset));
    }
    let (found, len) = describe_found(text, at);
    let token = &text[at..at + len];
    let help = (expected.contains("a name") && keywords::lookup(token).is_some())
        .then(|| format!("`{token}` is a keyword; to use it as a name, quote it: `\"{token}\"`"))
        .or_else(|| {
            // `时限 2009年5月-8月`: a range where one day is wanted, not a name to quote.
            let range = token.starts_with(['-', '－', '—', '至'])
                && text[..at].trim_end().ends_with(['月', '日', '号', '旬', '初', '底', '末']);
            range.then(|| {
                "a range of dates is a phase's window (`阶段 NAME 2009年5月-8月`); a deadline is one day, e.g. the range's end (`2009年8月底前`)".to_string()
            })
        })
        .or_else(|| hints::glued_name(text, at, len))
        .or_else(|| hints::misspelt_word(&text[..at + len]))
        .or_else(|| {
            // `节假日 顺廷`: the nearest holiday rule, with what it means.
            expected.contains("next-workday").then(|| {
                let spellings = [
                    "依法顺延", "不顺延", "不调整", "顺延", "提前", "legal", "strict", "keep",
                    "next-workday", "previous-workday",
                ];
                let near = suggest::did_you_mean(token, spellings);
                let rules = "`依法顺延` / `legal` (the default: late only after the next workday), `不顺延` / `strict` (the stated day), `顺延` / `next-workday`, `提前` / `previous-workday`";
                match near {
                    Some(near) => format!("{near} The rules are {rules}"),
                    None => format!("The rules are {rules}"),
                }
            })
        });
    let expected = if expected.is_empty() {
        "something else".to_string()
    } else {
        expected
    };
    Diagnostic::error(
        Problem::Syntax { expected, found },
        Span::new(offset + at, offset + at + len),
    )
    .with_help(help)
}

pub(super) fn describe_found(text: &str, at: usize) -> (String, usize) {
    let rest = &text[at..];
    let line_rest = rest.split(['\n', '\r']).next().unwrap_or("");
    if line_rest.trim().is_empty() {
        return ("the end of the line".to_string(), 0);
    }
    // A quote that opens a text never closed on its line: say so, not just "found `\"`".
    for (open, close) in [('"', '"'), ('“', '”')] {
        if let Some(after) = line_rest.strip_prefix(open)
            && !after.contains(close)
        {
            return (
                format!(
                    "`{open}` opening a text that is never closed (a text ends on its line with `{close}`)"
                ),
                open.len_utf8(),
            );
        }
    }
    let token: String = line_rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let token = if token.is_empty() {
        line_rest
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default()
    } else {
        token
    };
    (format!("`{token}`"), token.len())
}

/// What the grammar wanted, in words; rules with no words of their own are left out.
pub(super) fn describe_expected(rules: &[Rule]) -> String {
    let mut words: Vec<String> = Vec::new();
    for rule in rules {
        if let Some(w) = describe_rule(*rule)
            && !words.contains(&w)
        {
            words.push(w);
        }
    }
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    join_or(&refs, "or")
}

pub(super) fn describe_rule(rule: Rule) -> Option<String> {
    let text = match rule {
        Rule::EOI => "the end of the statement",
        Rule::name | Rule::bare_name | Rule::name_list | Rule::recipient | Rule::escalate_to => {
            "a name"
        }
        Rule::text | Rule::string => "a name or \"text\"",
        Rule::date
        | Rule::cn_date
        | Rule::cn_month
        | Rule::cn_month_part
        | Rule::md_part
        | Rule::md_date
        | Rule::md_month
        | Rule::iso_date
        | Rule::iso_month
        | Rule::en_month_part
        | Rule::year
        | Rule::month
        | Rule::day => "a date like `2017-04-15` or `2017年4月15日`",
        Rule::window
        | Rule::window_span
        | Rule::window_until
        | Rule::window_start
        | Rule::issue_day
        | Rule::throughout => {
            "a window like `2017-04-01 .. 2017-05-31` or `2017年4月1日 至 2017年5月31日`"
        }
        Rule::range_sep => "`..` or `至`",
        Rule::field_type | Rule::type_word | Rule::one_of | Rule::kw_one_of => {
            "a field type: `整数` `小数` `金额` `百分比` `日期` `文本` `选项 是|否`"
        }
        Rule::compare => "a comparison (`<=` `>=` `<` `>` `=` `!=`)",
        Rule::signed => "a number",
        Rule::sum | Rule::operand => "a field or a number",
        Rule::number | Rule::decimal => "a number",
        Rule::duration => "a length of time like `3d` or `3天`",
        Rule::dur_unit => "a unit of time (`d`, `workdays`, `天`, `个工作日`)",
        Rule::time_of_day => "a time of day like `09:00`",
        Rule::cadence_unit => {
            "`month`, `quarter`, `year`, `week` or `phase` (`月`, `季度`, `年`, `周`, `阶段`)"
        }
        Rule::cadence_due
        | Rule::due_day
        | Rule::due_end
        | Rule::due_month_day
        | Rule::due_weekday
        | Rule::due_relative => "a due rule like `by day 25` or `25日前`",
        Rule::due_value
        | Rule::deadline
        | Rule::cadence
        | Rule::relative
        | Rule::rel_en
        | Rule::rel_zh => "a date, a cadence like `every month by day 25`, or `ongoing`",
        Rule::anchor_en | Rule::anchor_zh | Rule::anchor_target | Rule::bound => {
            "a date, a period like `2017-05`, or `end of PHASE`"
        }
        Rule::edge_en => "`start` or `end`",
        Rule::edge_zh => "`开始` or `结束`",
        Rule::w_of => "`of`",
        Rule::direction => "`after` or `before` (`后` or `前`)",
        Rule::zone_name => "a time zone like `Asia/Shanghai`",
        Rule::shift_rule => {
            "`legal`, `strict`, `next-workday` or `previous-workday` (`依法顺延`, `不顺延`, `顺延`, `提前`)"
        }
        Rule::coverage => "`previous month` or `this month` (`上月`, `本月`)",
        Rule::period_lit | Rule::quarter_lit | Rule::week_lit | Rule::year_lit => {
            "a period like `2017-05` or `2017-Q2`"
        }
        Rule::comparison => "`at least` / `不低于` or `at most` / `不高于`",
        Rule::quantity => "a quantity like `30%`",
        Rule::action => "`->` or `通知`",
        Rule::role => "a role (`liaison`, `leader`, `supervisors`, `office`) or a unit",
        Rule::campaign_block
        | Rule::unit_block
        | Rule::report_block
        | Rule::item_block
        | Rule::measure_block
        | Rule::target_block
        | Rule::remind_block
        | Rule::group_members => "`{`",
        Rule::kw_ongoing => "`ongoing` / `长期坚持`",
        Rule::kw_at => "`at` / `时间`",
        Rule::kw_under => "`under` / `隶属`",
        _ => {
            let name = format!("{rule:?}");
            let keyword = keywords::lookup(name.strip_prefix("kw_")?.replace('_', "-").as_str())?;
            return Some(keyword.both());
        }
    };
    Some(text.to_string())
}

pub(super) fn join_or(words: &[&str], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// The leading keyword-like word of a line: up to a space, a colon, a quote or a brace.
pub(super) fn first_word(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || ":：;；{}\"“,，、".contains(*c))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    &text[..end]
}
