//! Forms: their fields and the checks between them.

use super::*;
use crate::language::form::Total;

impl<'s> Lower<'s> {
    pub(super) fn form(&mut self, pair: Pair<'s, Rule>) -> FormDecl {
        let (span, name, title, stmts) = self.headed_block(pair, Self::form_stmt);
        FormDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    pub(super) fn form_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<FormStmt>> {
        let span = span_of(&pair);
        let stmt = match pair.as_rule() {
            Rule::field => FormStmt::Field(self.field(pair)),
            Rule::check => FormStmt::Check(self.check(pair)),
            Rule::note => FormStmt::Note(self.last_text(pair)),
            Rule::lock => {
                let duration = pair.into_inner().find(|p| p.as_rule() == Rule::duration)?;
                FormStmt::Lock(self.duration(duration))
            }
            _ => {
                self.other(pair, Context::Form);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    fn field(&mut self, pair: Pair<'s, Rule>) -> FieldDecl {
        let span = span_of(&pair);
        let mut field = FieldDecl {
            name: Spanned::new(String::new(), span),
            kind: Spanned::new(FieldKind::Text, span),
            measure: None,
            optional: false,
            shared: None,
            min: None,
            max: None,
            total: None,
        };
        for p in pair.into_inner() {
            let at = span_of(&p);
            match p.as_rule() {
                Rule::name => field.name = self.name(p),
                Rule::field_type => field.kind = Spanned::new(self.field_kind(p), at),
                Rule::optional => field.optional = true,
                Rule::shared => {
                    let key = p.into_inner().find(|k| k.as_rule() == Rule::name);
                    field.shared = Some(match key {
                        Some(k) => self.name(k),
                        None => Spanned::new(String::new(), at),
                    });
                }
                Rule::field_bound => {
                    let mut inner = p.into_inner();
                    let word = inner.next().map(|w| w.as_str()).unwrap_or_default();
                    let value = inner
                        .next()
                        .map(|v| Spanned::new(v.as_str().to_string(), span_of(&v)));
                    if matches!(word, "max" | "上限") {
                        field.max = value;
                    } else {
                        field.min = value;
                    }
                }
                Rule::total_rule => {
                    let word = p
                        .into_inner()
                        .nth(1)
                        .map(|w| w.as_str())
                        .unwrap_or_default();
                    let total = match word {
                        "average" | "平均" | "平均值" => Total::Average,
                        "none" | "不汇总" | "无" => Total::None,
                        _ => Total::Sum,
                    };
                    field.total = Some(Spanned::new(total, at));
                }
                Rule::measure_word => {
                    field.measure = p.into_inner().next().map(|m| match m.as_rule() {
                        Rule::name => self.name(m),
                        _ => Spanned::new(m.as_str().to_string(), span_of(&m)),
                    })
                }
                _ => {}
            }
        }
        // `shared` alone: the field's own name is the key.
        if let Some(key) = &mut field.shared
            && key.node.is_empty()
        {
            key.node = field.name.node.clone();
        }
        field
    }

    fn field_kind(&mut self, pair: Pair<'s, Rule>) -> FieldKind {
        let Some(inner) = pair.into_inner().next() else {
            return FieldKind::Text;
        };
        if inner.as_rule() == Rule::one_of {
            let choices = inner
                .into_inner()
                .filter(|p| p.as_rule() == Rule::name)
                .map(|p| self.name(p))
                .collect();
            return FieldKind::OneOf(choices);
        }
        match inner.as_str() {
            "integer" | "整数" => FieldKind::Integer,
            "decimal" | "小数" => FieldKind::Decimal,
            "amount" | "金额" => FieldKind::Amount,
            "percent" | "百分比" | "百分数" => FieldKind::Percent,
            "date" | "日期" => FieldKind::Date,
            _ => FieldKind::Text,
        }
    }

    fn check(&mut self, pair: Pair<'s, Rule>) -> CheckDecl {
        let span = span_of(&pair);
        let mut sides: Vec<Vec<Term>> = Vec::new();
        let mut check = CheckDecl {
            left: Vec::new(),
            compare: Spanned::new(String::new(), span),
            right: Vec::new(),
            message: None,
            warning: false,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::sum => sides.push(self.sum(p)),
                Rule::compare => check.compare = Spanned::new(p.as_str().to_string(), span_of(&p)),
                Rule::string => check.message = Some(self.string(p)),
                Rule::warning => check.warning = true,
                _ => {}
            }
        }
        let mut sides = sides.into_iter();
        check.left = sides.next().unwrap_or_default();
        check.right = sides.next().unwrap_or_default();
        check
    }

    fn sum(&mut self, pair: Pair<'s, Rule>) -> Vec<Term> {
        let mut terms = Vec::new();
        let mut minus = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::sum_op => minus = p.as_str() == "-",
                Rule::operand => {
                    let Some(inner) = p.into_inner().next() else {
                        continue;
                    };
                    let operand = match inner.as_rule() {
                        Rule::name => Operand::Field(self.name(inner)),
                        _ => Operand::Number(Spanned::new(
                            inner.as_str().to_string(),
                            span_of(&inner),
                        )),
                    };
                    terms.push(Term { minus, operand });
                    minus = false;
                }
                _ => {}
            }
        }
        terms
    }
}

impl<'s> Lower<'s> {
    /// `ledger NAME ["title"] { … }`: its report statements and its fields.
    pub(super) fn ledger(&mut self, pair: Pair<'s, Rule>) -> LedgerDecl {
        let span = span_of(&pair);
        let mut decl = LedgerDecl {
            span,
            name: Spanned::new(String::new(), span),
            title: None,
            stmts: Vec::new(),
            fields: Vec::new(),
            instructions: false,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_instructions => decl.instructions = true,
                Rule::name => decl.name = self.name(p),
                Rule::string => decl.title = Some(self.string(p)),
                Rule::ledger_block => {
                    for s in p.into_inner() {
                        let at = span_of(&s);
                        match s.as_rule() {
                            Rule::field | Rule::check => {
                                decl.fields.extend(self.form_stmt(s));
                            }
                            Rule::close_due => {
                                if let Some(due) = self.close_due(s) {
                                    decl.stmts.push(Spanned::new(ReportStmt::CloseDue(due), at));
                                }
                            }
                            _ => decl.stmts.extend(self.report_stmt(s, Context::Ledger)),
                        }
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn close_due(&mut self, pair: Pair<'s, Rule>) -> Option<RowDueExpr> {
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::after_entry => {
                    let duration = p.into_inner().find(|d| d.as_rule() == Rule::duration)?;
                    return Some(RowDueExpr::AfterEntry(self.duration(duration).node));
                }
                Rule::date => return Some(RowDueExpr::By(self.date(p))),
                _ => {}
            }
        }
        None
    }
}
