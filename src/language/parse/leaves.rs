//! Reminders, and the leaves of the tree: durations, dates, times of day, names and strings.

use super::*;

impl<'s> Lower<'s> {
    // -----------------------------------------------------------------------------------------

    pub(super) fn remind(&mut self, pair: Pair<'s, Rule>) -> RemindDecl {
        let span = span_of(&pair);
        let mut stmts = Vec::new();
        for p in pair.into_inner() {
            if p.as_rule() != Rule::remind_block {
                continue;
            }
            for s in p.into_inner() {
                if let Some(stmt) = self.remind_stmt(s) {
                    stmts.push(stmt);
                }
            }
        }
        RemindDecl { span, stmts }
    }

    /// `assess { … }`: each statement's points, read as numbers.
    pub(super) fn assess(&mut self, pair: Pair<'s, Rule>) -> AssessDecl {
        use crate::language::scoring::{Late, Waived};
        let span = span_of(&pair);
        let mut stmts = Vec::new();
        let block = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::assess_block);
        for s in block.flat_map(Pair::into_inner) {
            let at = span_of(&s);
            let rule = s.as_rule();
            let text = s.as_str();
            let points = s
                .clone()
                .into_inner()
                .find(|p| p.as_rule() == Rule::points)
                .and_then(|p| p.into_inner().next())
                .and_then(|n| n.as_str().parse::<f64>().ok())
                .unwrap_or(0.0);
            let stmt = match rule {
                Rule::score_on_time => AssessStmt::OnTime(points),
                Rule::score_late => {
                    let per_day = s
                        .into_inner()
                        .any(|p| matches!(p.as_rule(), Rule::per_day | Rule::per_day_en));
                    AssessStmt::Late(if per_day {
                        Late::PerDay(points)
                    } else {
                        Late::Points(points)
                    })
                }
                Rule::score_missing => AssessStmt::Missing(points),
                Rule::score_returned => AssessStmt::Returned(points),
                Rule::score_waived => AssessStmt::Waived(
                    if text.contains("full") || text.contains("满分") || text.contains("按时") {
                        Waived::Full
                    } else {
                        Waived::Excluded
                    },
                ),
                Rule::score_extended => {
                    AssessStmt::Extended(!(text.contains("original") || text.contains("原")))
                }
                Rule::score_rank => {
                    AssessStmt::Rank(if text.contains("to-date") || text.contains("累计") {
                        crate::language::scoring::Basis::ToDate
                    } else {
                        crate::language::scoring::Basis::Period
                    })
                }
                Rule::note => AssessStmt::Note(self.last_text(s)),
                _ => {
                    self.other(s, Context::Assess);
                    continue;
                }
            };
            stmts.push(Spanned::new(stmt, at));
        }
        AssessDecl { span, stmts }
    }

    pub(super) fn remind_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<RemindStmt>> {
        let span = span_of(&pair);
        let stmt = match pair.as_rule() {
            Rule::before => {
                let mut leads = Vec::new();
                let mut at = None;
                let mut by = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::duration => leads.push(self.duration(p)),
                        Rule::time_of_day => at = Some(self.time_of_day(p)),
                        Rule::by_channels => by = channels(p),
                        _ => {}
                    }
                }
                RemindStmt::Before(leads, at, by)
            }
            Rule::at => RemindStmt::At(self.time_of_day(last(pair)?)),
            Rule::overdue | Rule::unacknowledged => {
                let unacknowledged = pair.as_rule() == Rule::unacknowledged;
                let mut after = None;
                let mut interview = false;
                let mut letter = None;
                let mut to: Vec<(EscalateTo, Vec<Spanned<Channel>>)> = Vec::new();
                // Targets named since the last `经 …`: it is theirs (and a second `经 …` with
                // no target between adds to the one before: `联络员 经 企业微信 经 短信`).
                let mut open = 0;
                let mut previous = 0;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::duration => after = Some(self.duration(p)),
                        Rule::action => interview = matches!(p.as_str(), "interview" | "约谈"),
                        Rule::escalate_to => to.push((self.escalate_to(p), Vec::new())),
                        Rule::letter => {
                            letter = p
                                .into_inner()
                                .find(|k| k.as_rule() == Rule::letter_kind)
                                .and_then(|k| {
                                    crate::language::letters::LetterKind::from_word(k.as_str())
                                });
                        }
                        Rule::by_channels => {
                            let by = channels(p);
                            if open == to.len() {
                                for target in &mut to[previous..] {
                                    target.1.extend(by.iter().cloned());
                                }
                                continue;
                            }
                            for target in &mut to[open..] {
                                target.1 = by.clone();
                            }
                            previous = open;
                            open = to.len();
                        }
                        _ => {}
                    }
                }
                RemindStmt::Overdue {
                    after: after?,
                    interview,
                    to,
                    letter,
                    unacknowledged,
                }
            }
            Rule::note => RemindStmt::Note(self.last_text(pair)),
            _ => {
                self.other(pair, Context::Remind);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    pub(super) fn escalate_to(&mut self, pair: Pair<'s, Rule>) -> EscalateTo {
        let span = span_of(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::role => {
                let role = match p.as_str() {
                    "liaison" | "联络员" => Role::Liaison,
                    "leader" | "分管领导" => Role::Leader,
                    "recipients" | "recipient" | "接收单位" => Role::Recipients,
                    "supervisors" | "监督单位" => Role::Supervisors,
                    "lead" | "牵头单位" => Role::Lead,
                    _ => Role::Office,
                };
                EscalateTo::Role(Spanned::new(role, span_of(&p)))
            }
            Some(p) => EscalateTo::Named(self.name(p)),
            None => EscalateTo::Role(Spanned::new(Role::Office, span)),
        }
    }

    pub(super) fn time_of_day(&mut self, pair: Pair<'s, Rule>) -> Spanned<(u32, u32)> {
        let span = span_of(&pair);
        let numbers: Vec<u32> = pair.into_inner().map(|p| self.number(&p)).collect();
        let hour = numbers.first().copied().unwrap_or(0);
        let minute = numbers.get(1).copied().unwrap_or(0);
        if hour > 23 || minute > 59 {
            self.diagnostics.push(Diagnostic::error(
                Problem::OutOfRange {
                    message: format!("{} is not a time of day", span_text(self.src, span)),
                },
                span,
            ));
        }
        Spanned::new((hour.min(23), minute.min(59)), span)
    }

    // -----------------------------------------------------------------------------------------
    // Leaves
    // -----------------------------------------------------------------------------------------

    /// `签收 24小时内`: hours, or a duration.
    pub(super) fn ack_within(
        &mut self,
        pair: Pair<'s, Rule>,
    ) -> Option<Spanned<crate::language::ast::AckWithin>> {
        use crate::language::ast::AckWithin;
        let span = span_of(&pair);
        let value = pair
            .into_inner()
            .find(|p| matches!(p.as_rule(), Rule::ack_hours | Rule::duration))?;
        let within = if value.as_rule() == Rule::ack_hours {
            let n = value.into_inner().find(|n| n.as_rule() == Rule::number)?;
            AckWithin::Hours(self.number(&n))
        } else {
            AckWithin::Span(self.duration(value).node)
        };
        Some(Spanned::new(within, span))
    }

    /// `延期 最多1次 不超过10日`: its limits (a later one of a kind wins).
    pub(super) fn extension_rule(
        &mut self,
        pair: Pair<'s, Rule>,
    ) -> (Spanned<crate::language::ast::ExtensionRule>, Option<Name>) {
        let span = span_of(&pair);
        let mut rule = crate::language::ast::ExtensionRule::default();
        let mut approver = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ext_by => {
                    approver = p
                        .into_inner()
                        .find(|n| n.as_rule() == Rule::name)
                        .map(|n| self.name(n));
                }
                Rule::ext_times => {
                    if let Some(n) = p.into_inner().find(|n| n.as_rule() == Rule::number) {
                        rule.times = Some(self.number(&n));
                    }
                }
                Rule::ext_span => {
                    if let Some(d) = p.into_inner().find(|d| d.as_rule() == Rule::duration) {
                        rule.span = Some(self.duration(d).node);
                    }
                }
                _ => {}
            }
        }
        (Spanned::new(rule, span), approver)
    }

    pub(super) fn duration(&mut self, pair: Pair<'s, Rule>) -> Spanned<Duration> {
        let span = span_of(&pair);
        let mut count = 0;
        let mut unit = DurationUnit::Days;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::number => count = self.number(&p),
                Rule::dur_unit => {
                    unit = match p.as_str() {
                        "workdays" | "workday" | "wd" | "个工作日" | "工作日" => {
                            DurationUnit::Workdays
                        }
                        "weeks" | "week" | "w" | "周" => DurationUnit::Weeks,
                        _ => DurationUnit::Days,
                    }
                }
                _ => {}
            }
        }
        Spanned::new(Duration { count, unit }, span)
    }

    pub(super) fn date(&mut self, pair: Pair<'s, Rule>) -> Spanned<DateExpr> {
        let span = span_of(&pair);
        let mut expr = DateExpr {
            year: None,
            month: 0,
            day: DayPart::WholeMonth,
        };
        let Some(form) = pair.into_inner().next() else {
            return Spanned::new(expr, span);
        };
        let mut pieces: Vec<Pair<'s, Rule>> = form.into_inner().collect();
        // `end of 2017-06`: the month part comes first, the month nested after it.
        if let Some(i) = pieces.iter().position(|p| p.as_rule() == Rule::iso_month) {
            let month = pieces.remove(i);
            pieces.extend(month.into_inner());
        }
        for p in pieces {
            match p.as_rule() {
                Rule::year => expr.year = Some(self.number(&p) as i32),
                Rule::month => expr.month = self.month(&p),
                Rule::day => expr.day = DayPart::Day(self.number(&p)),
                Rule::month_part_zh | Rule::month_part_en => expr.day = day_part(p.as_str()),
                // 2017年底: the last day of the year.
                Rule::year_end_zh => {
                    expr.month = 12;
                    expr.day = DayPart::End;
                }
                _ => {}
            }
        }
        Spanned::new(expr, span)
    }

    /// A month as written: digits, or 元 (元月, January).
    pub(super) fn month(&mut self, pair: &Pair<'s, Rule>) -> u32 {
        if pair.as_str() == "元" {
            return 1;
        }
        self.number(pair)
    }

    pub(super) fn number(&mut self, pair: &Pair<'s, Rule>) -> u32 {
        // Full-width digits (２０２３) read as their ASCII ones.
        let ascii: String = pair
            .as_str()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                c => c,
            })
            .collect();
        match ascii.parse() {
            Ok(n) => n,
            Err(_) => {
                self.diagnostics.push(Diagnostic::error(
                    Problem::OutOfRange {
                        message: format!("{} is too large a number", pair.as_str()),
                    },
                    span_of(pair),
                ));
                0
            }
        }
    }

    pub(super) fn name_list(&mut self, pair: Pair<'s, Rule>) -> Vec<Name> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::name)
            .map(|p| self.name(p))
            .collect()
    }

    /// Every `text` child of a statement (forms, signers).
    pub(super) fn texts(&mut self, pair: Pair<'s, Rule>) -> Vec<Name> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::text)
            .map(|p| self.text(p))
            .collect()
    }

    /// The value of a `KEYWORD VALUE` statement, where the value is a name, text or string.
    pub(super) fn last_text(&mut self, pair: Pair<'s, Rule>) -> Name {
        let span = span_of(&pair);
        match last(pair) {
            Some(p) => self.text(p),
            None => Spanned::new(String::new(), span),
        }
    }

    pub(super) fn text(&mut self, pair: Pair<'s, Rule>) -> Name {
        match pair.as_rule() {
            Rule::text | Rule::name => match pair.into_inner().next() {
                Some(p) => self.text(p),
                None => Spanned::new(String::new(), Span::default()),
            },
            Rule::string => self.string(pair),
            _ => Spanned::new(pair.as_str().to_string(), span_of(&pair)),
        }
    }

    pub(super) fn name(&mut self, pair: Pair<'s, Rule>) -> Name {
        self.text(pair)
    }

    pub(super) fn string(&mut self, pair: Pair<'s, Rule>) -> Name {
        let span = span_of(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, span)
    }
}

pub(super) fn last(pair: Pair<'_, Rule>) -> Option<Pair<'_, Rule>> {
    pair.into_inner().last()
}

pub(super) fn span_text(src: &str, span: Span) -> &str {
    src.get(span.start..span.end).unwrap_or("")
}

pub(super) fn shift_rule(pair: Pair<'_, Rule>) -> Spanned<ShiftRule> {
    let rule = match pair.as_str() {
        "next-workday" | "顺延" => ShiftRule::NextWorkday,
        "previous-workday" | "提前" => ShiftRule::PreviousWorkday,
        "strict" | "keep" | "不顺延" | "不调整" => ShiftRule::Strict,
        _ => ShiftRule::Legal,
    };
    Spanned::new(rule, span_of(&pair))
}

pub(super) fn coverage(pair: Pair<'_, Rule>) -> Spanned<Coverage> {
    let text = pair.as_str();
    let previous = text.starts_with("previous") || text.starts_with('上');
    let coverage = if previous {
        Coverage::Previous
    } else {
        Coverage::This
    };
    Spanned::new(coverage, span_of(&pair))
}

/// 上旬, `early`, 底, 初…: which part of a month.
pub(super) fn day_part(text: &str) -> DayPart {
    match text {
        "上旬" | "early" => DayPart::Early,
        "中旬" | "mid" => DayPart::Mid,
        "下旬" | "late" => DayPart::Late,
        "初" => DayPart::Beginning,
        "中" => DayPart::Middle,
        _ => DayPart::End,
    }
}

pub(super) fn period_unit(text: &str) -> Option<PeriodUnit> {
    Some(match text {
        "month" | "months" | "月" | "个月" => PeriodUnit::Month,
        "quarter" | "quarters" | "季度" | "季" => PeriodUnit::Quarter,
        "year" | "years" | "年" => PeriodUnit::Year,
        "week" | "weeks" | "周" | "星期" => PeriodUnit::Week,
        "half-month" | "半月" | "半个月" => PeriodUnit::HalfMonth,
        "half-year" | "半年" => PeriodUnit::HalfYear,
        "phase" | "阶段" => PeriodUnit::Phase,
        _ => return None,
    })
}

pub(super) fn weekday_index(text: &str) -> u32 {
    let last = text.chars().last().unwrap_or('一');
    match text {
        "monday" => 0,
        "tuesday" => 1,
        "wednesday" => 2,
        "thursday" => 3,
        "friday" => 4,
        "saturday" => 5,
        "sunday" => 6,
        _ => match last {
            '一' => 0,
            '二' => 1,
            '三' => 2,
            '四' => 3,
            '五' => 4,
            '六' => 5,
            _ => 6,
        },
    }
}

pub(super) fn chinese_digit(text: &str) -> u32 {
    match text {
        "一" => 1,
        "二" => 2,
        "三" => 3,
        "四" => 4,
        _ => text.parse().unwrap_or(0),
    }
}

/// The channels of `by wecom, sms` / `经 企业微信、短信`, each where it is written.
fn channels(pair: Pair<'_, Rule>) -> Vec<Spanned<Channel>> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::channel)
        .filter_map(|p| Some(Spanned::new(Channel::named(p.as_str())?, span_of(&p))))
        .collect()
}
