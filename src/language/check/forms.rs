//! Forms: their fields and checks, and which form each deliverable carries.

use super::*;
use crate::language::form::{self, Check, Compare, Field, FieldType, Form};

impl Checker<'_> {
    /// Every `form { … }` of the file, checked: names given once, bounds that are numbers on
    /// numeric fields, checks that compare numeric fields of the same form.
    pub(super) fn forms(&mut self, file: &File) -> Vec<Form> {
        let mut forms: Vec<(Form, Span)> = Vec::new();
        for item in &file.items {
            let TopItem::Form(decl) = item else { continue };
            self.check_name(&decl.name, "form name");
            if let Some((_, first)) = forms.iter().find(|(f, _)| f.name == decl.name.node) {
                let first = *first;
                self.duplicate(NameKind::Form, &decl.name, first);
                continue;
            }
            let form = self.form(decl);
            forms.push((form, decl.name.span));
        }
        forms.into_iter().map(|(f, _)| f).collect()
    }

    /// The forms of the file's ledgers: each ledger's own fields and checks, by its name.
    pub(super) fn ledger_forms(&mut self, file: &File) -> Vec<Form> {
        let mut out = Vec::new();
        for item in &file.items {
            let TopItem::Ledger(ledger) = item else {
                continue;
            };
            let decl = FormDecl {
                span: ledger.span,
                name: ledger.name.clone(),
                title: ledger.title.clone(),
                stmts: ledger.fields.clone(),
            };
            if !ledger.instructions {
                out.push(self.form(&decl));
                continue;
            }
            // An instruction's own fields come first; a block may add more, and may have none.
            let builtin = crate::language::form::instruction_fields();
            for stmt in &ledger.fields {
                if let FormStmt::Field(field) = &stmt.node
                    && builtin.iter().any(|b| b.name == field.name.node)
                {
                    self.error(
                        Problem::Invalid {
                            message: format!(
                                "`{}` is a field every instruction has already",
                                field.name.node
                            ),
                        },
                        field.name.span,
                    )
                    .help = Some("remove it, or name the field otherwise".into());
                }
            }
            let mut form = if ledger.fields.is_empty() {
                crate::language::form::Form {
                    name: ledger.name.node.clone(),
                    title: ledger.title.as_ref().map(|t| t.node.clone()),
                    fields: Vec::new(),
                    checks: Vec::new(),
                    lock: None,
                }
            } else {
                self.form(&decl)
            };
            form.fields
                .retain(|f| !builtin.iter().any(|b| b.name == f.name));
            form.fields.splice(0..0, builtin);
            out.push(form);
        }
        out
    }

    fn form(&mut self, decl: &FormDecl) -> Form {
        let mut fields: Vec<(Field, Span)> = Vec::new();
        for stmt in &decl.stmts {
            let FormStmt::Field(field) = &stmt.node else {
                continue;
            };
            self.check_name(&field.name, "field name");
            if let Some((_, first)) = fields.iter().find(|(f, _)| f.name == field.name.node) {
                let first = *first;
                self.duplicate(NameKind::Field, &field.name, first);
                continue;
            }
            fields.push((self.field(field), field.name.span));
        }
        let fields: Vec<Field> = fields.into_iter().map(|(f, _)| f).collect();
        if fields.is_empty() {
            self.error(
                Problem::MissingStatement {
                    what: format!("form `{}`", decl.name.node),
                    statement: "field",
                },
                decl.name.span,
            )
            .help =
                Some("declare its columns: `field 立案 integer 件` / `字段 立案 整数 件`".into());
        }
        let mut form = Form {
            lock: decl.stmts.iter().find_map(|s| match &s.node {
                FormStmt::Lock(d) => Some(d.node),
                _ => None,
            }),
            name: decl.name.node.clone(),
            title: decl.title.as_ref().map(|t| t.node.clone()),
            fields,
            checks: Vec::new(),
        };
        for stmt in &decl.stmts {
            if let FormStmt::Check(check) = &stmt.node
                && let Some(check) = self.form_check(check, stmt.span, &form)
            {
                form.checks.push(check);
            }
        }
        form
    }

    fn field(&mut self, decl: &FieldDecl) -> Field {
        let kind = match &decl.kind.node {
            ast::FieldKind::Integer => FieldType::Integer,
            ast::FieldKind::Decimal => FieldType::Decimal,
            ast::FieldKind::Amount => FieldType::Amount,
            ast::FieldKind::Percent => FieldType::Percent,
            ast::FieldKind::Date => FieldType::Date,
            ast::FieldKind::Text => FieldType::Text,
            ast::FieldKind::OneOf(choices) => {
                let mut names: Vec<String> = Vec::new();
                for choice in choices {
                    if names.contains(&choice.node) {
                        self.error(
                            Problem::Invalid {
                                message: format!("the choice `{}` is given twice", choice.node),
                            },
                            choice.span,
                        );
                    }
                    names.push(choice.node.clone());
                }
                FieldType::OneOf(names)
            }
        };
        let mut bound = |value: &Option<Spanned<String>>| -> Option<f64> {
            let value = value.as_ref()?;
            if !kind.is_numeric() {
                self.error(
                    Problem::Invalid {
                        message: format!("only a number field has bounds, not {}", kind.describe()),
                    },
                    value.span,
                );
                return None;
            }
            value.node.parse().ok()
        };
        let min = bound(&decl.min);
        let max = bound(&decl.max);
        // Counts, sums and shares are not negative unless the form says so; a share is at
        // most 100% unless it says so.
        let min = min.or(kind.is_numeric().then_some(0.0));
        let max = max.or((kind == FieldType::Percent).then_some(100.0));
        if let (Some(low), Some(high)) = (min, max)
            && low > high
        {
            self.error(
                Problem::OutOfRange {
                    message: format!(
                        "field `{}` allows nothing: its smallest value {} is above its largest {}",
                        decl.name.node,
                        form::num(low),
                        form::num(high)
                    ),
                },
                decl.name.span,
            );
        }
        let total = self.field_total(decl, &kind);
        Field {
            name: decl.name.node.clone(),
            kind,
            measure: decl.measure.as_ref().map(|m| m.node.clone()),
            optional: decl.optional,
            shared: decl.shared.as_ref().map(|s| s.node.clone()),
            min,
            max,
            total,
            feeds: Vec::new(),
        }
    }

    /// How the field adds up, as written; only numbers add up.
    fn field_total(&mut self, decl: &FieldDecl, kind: &FieldType) -> Option<form::Total> {
        let total = decl.total.as_ref()?;
        if !kind.is_numeric() {
            self.error(
                Problem::Invalid {
                    message: format!(
                        "field `{}` is not a number: it has nothing to add up",
                        decl.name.node
                    ),
                },
                total.span,
            );
            return None;
        }
        Some(total.node)
    }

    fn form_check(&mut self, decl: &CheckDecl, span: Span, form: &Form) -> Option<Check> {
        let mut ok = true;
        let mut side = |terms: &[ast::Term], this: &mut Self| -> Vec<form::Term> {
            let mut out = Vec::new();
            for term in terms {
                match &term.operand {
                    Operand::Number(n) => out.push(form::Term {
                        minus: term.minus,
                        field: None,
                        number: n.node.parse().unwrap_or(0.0),
                    }),
                    Operand::Field(name) => match form.field(&name.node) {
                        Some(field) if field.kind.is_numeric() => out.push(form::Term {
                            minus: term.minus,
                            field: Some(name.node.clone()),
                            number: 0.0,
                        }),
                        Some(field) => {
                            ok = false;
                            this.error(
                                Problem::Invalid {
                                    message: format!(
                                        "a check adds up numbers, but `{}` is {}",
                                        name.node,
                                        field.kind.describe()
                                    ),
                                },
                                name.span,
                            );
                        }
                        None => {
                            ok = false;
                            let names: Vec<&str> =
                                form.fields.iter().map(|f| f.name.as_str()).collect();
                            let help = suggest::nearest(&name.node, names.iter().copied())
                                .map(|n| format!("did you mean `{n}`?"));
                            this.error(
                                Problem::UnknownName {
                                    kind: NameKind::Field,
                                    name: name.node.clone(),
                                },
                                name.span,
                            )
                            .help = help;
                        }
                    },
                }
            }
            out
        };
        let left = side(&decl.left, self);
        let right = side(&decl.right, self);
        let compare = Compare::parse(&decl.compare.node)?;
        ok.then(|| Check {
            left,
            compare,
            right,
            message: decl
                .message
                .as_ref()
                .map(|m| m.node.clone())
                .unwrap_or_else(|| self.text(span).trim().to_string()),
            warning: decl.warning,
        })
    }
}

impl Checker<'_> {
    /// Each target's `value-from REPORT.FIELD` resolved: the report carries a declared form
    /// with that numeric field, which then feeds the target.
    pub(super) fn value_froms(&mut self, campaign: &mut Campaign) {
        for (target, report, field) in std::mem::take(&mut self.value_froms) {
            let Some(source) = self.value_source(campaign, &report, &field) else {
                continue;
            };
            let name = campaign.deliverables[target].name.clone();
            if let Some(form) = &mut campaign.deliverables[source].form
                && let Some(f) = form.fields.iter_mut().find(|f| f.name == field.node)
            {
                f.feeds.push(name);
            }
            campaign.deliverables[target].value_from = Some(ValueFrom {
                report: source,
                field: field.node,
            });
        }
    }

    /// The report `report` names, if it has a numeric `field`; reports why not otherwise.
    fn value_source(
        &mut self,
        campaign: &Campaign,
        report: &Name,
        field: &Name,
    ) -> Option<DeliverableId> {
        let Some(&(id, _)) = self.deliverable_index.get(&report.node) else {
            let names = campaign.deliverables.iter().map(|d| d.name.as_str());
            let help =
                suggest::nearest(&report.node, names).map(|n| format!("did you mean `{n}`?"));
            self.error(
                Problem::UnknownName {
                    kind: NameKind::Deliverable,
                    name: report.node.clone(),
                },
                report.span,
            )
            .help = help;
            return None;
        };
        let source = &campaign.deliverables[id];
        let form = match (&source.kind, &source.form) {
            (DeliverableKind::Report | DeliverableKind::Measure, Some(form)) => form,
            _ => {
                self.error(
                    Problem::Invalid {
                        message: format!(
                            "`{}` is not a report with a declared form: a target's value is taken from a field of one",
                            report.node
                        ),
                    },
                    report.span,
                )
                .help = Some("write `取自 统计表.支出进度`, naming a report whose `表单` declares the field".into());
                return None;
            }
        };
        let names: Vec<&str> = form.fields.iter().map(|f| f.name.as_str()).collect();
        if field.node.is_empty() {
            self.error(
                Problem::Invalid {
                    message: format!("which field of `{}` is the target's value?", report.node),
                },
                report.span,
            )
            .help = form
                .fields
                .iter()
                .find(|f| f.kind.is_numeric())
                .map(|f| format!("write `{}.{}`", report.node, f.name));
            return None;
        }
        let Some(f) = form.fields.iter().find(|f| f.name == field.node) else {
            let help = suggest::nearest(&field.node, names.iter().copied())
                .map(|n| format!("did you mean `{n}`?"))
                .or_else(|| Some(format!("its fields are {}", names.join("、"))));
            self.error(
                Problem::UnknownName {
                    kind: NameKind::Field,
                    name: field.node.clone(),
                },
                field.span,
            )
            .help = help;
            return None;
        };
        if !f.kind.is_numeric() {
            self.error(
                Problem::Invalid {
                    message: format!(
                        "field `{}` is {}: a target's value is a number",
                        f.name,
                        f.kind.describe()
                    ),
                },
                field.span,
            );
            return None;
        }
        Some(id)
    }
}

/// The declared form a deliverable's `form` names (by its name or its title), or, for a target
/// without one, a form of the target's own value.
pub(super) fn form_of(deliverable: &Deliverable, forms: &[Form]) -> Option<Form> {
    let declared = deliverable.forms.iter().find_map(|written| {
        forms
            .iter()
            .find(|f| f.name == *written || f.title.as_deref() == Some(written.as_str()))
    });
    if let Some(form) = declared {
        return Some(form.clone());
    }
    let Due::Checkpoints(points) = &deliverable.due else {
        return None;
    };
    let unit = points.iter().find_map(|p| p.unit.clone());
    let percent = matches!(unit.as_deref(), Some("%" | "％"));
    Some(Form {
        lock: None,
        name: deliverable.name.clone(),
        title: deliverable.title.clone(),
        fields: vec![Field {
            name: deliverable.name.clone(),
            kind: if percent {
                FieldType::Percent
            } else {
                FieldType::Decimal
            },
            measure: unit.filter(|_| !percent),
            optional: false,
            shared: None,
            min: Some(0.0),
            max: percent.then_some(100.0),
            total: None,
            feeds: Vec::new(),
        }],
        checks: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::language::form::{Compare, FieldType, Total};

    const REPORT: &str = "report 表 { from 甲; to 乙; form 附件3; due 2017-05-25 }\n";

    #[test]
    fn a_form_in_either_language_is_what_its_report_carries() {
        for form in [
            "表单 统计 \"附件3\" {\n  字段 线索 整数 件\n  字段 立案 整数 件\n  字段 进度 百分比 共享 资金支出进度\n  字段 办结 选项 是|否 可选\n  校验 立案 <= 线索 \"立案不能超过线索\"\n}\n",
            "form 统计 \"附件3\" {\n  field 线索 integer 件\n  field 立案 integer 件\n  field 进度 percent shared 资金支出进度\n  field 办结 one-of 是、否 optional\n  check 立案 <= 线索 \"立案不能超过线索\"\n}\n",
        ] {
            let d = only_deliverable(&format!("{form}{REPORT}"));
            let form = d
                .form
                .expect("the report carries the declared form (by its title)");
            let names: Vec<&str> = form.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, ["线索", "立案", "进度", "办结"]);
            assert_eq!(form.fields[0].measure.as_deref(), Some("件"));
            assert_eq!(form.fields[0].min, Some(0.0));
            assert_eq!(form.fields[2].max, Some(100.0));
            assert_eq!(form.fields[2].shared.as_deref(), Some("资金支出进度"));
            assert_eq!(
                form.fields[3].kind,
                FieldType::OneOf(vec!["是".into(), "否".into()])
            );
            assert!(form.fields[3].optional);
            assert_eq!(form.checks[0].compare, Compare::AtMost);
            assert_eq!(form.checks[0].message, "立案不能超过线索");
        }
    }

    #[test]
    fn mistakes_in_a_form_are_named() {
        let found = problems(
            "form 统计 {\n  field 线索 integer\n  field 线索 integer\n  field 立案数 integer\n  field 说明 text max 3\n  field 件数 integer min 5 max 2\n  check 立按数 <= 线索\n  check 说明 > 1\n}\n",
        );
        assert_eq!(
            found,
            [
                "error: field `线索` is defined twice",
                "error: only a number field has bounds, not text",
                "error: field `件数` allows nothing: its smallest value 5 is above its largest 2",
                "error: unknown field `立按数` (help: did you mean `立案数`?)",
                "error: a check adds up numbers, but `说明` is text",
            ]
        );
        assert_eq!(
            problems("form 空 {\n  note 没有字段\n}\n"),
            [
                "error: form `空` has no `field` (help: declare its columns: `field 立案 integer 件` / `字段 立案 整数 件`)"
            ]
        );
    }

    #[test]
    fn a_target_carries_its_own_value() {
        let d = only_deliverable(
            "target 进度 { from 甲; to 乙; at least 30% by 2017-04-30; at least 50% by 2017-06-30 }\n",
        );
        let form = d.form.expect("a target's own form");
        assert_eq!(form.fields.len(), 1);
        assert_eq!(form.fields[0].name, "进度");
        assert_eq!(form.fields[0].kind, FieldType::Percent);
    }

    const FED: &str = "form 支出表 { field 金额 amount 万元; field 进度 percent; field 备注 text optional }\nreport 月报 { from 甲; to 乙; form 支出表; due every month by day 5 of next month }\n";

    #[test]
    fn a_target_takes_its_value_from_a_report_field_in_either_language() {
        for from in [
            "value-from 月报.进度",
            "取自 月报．进度",
            "数据来源 \"月报\".进度",
        ] {
            let c = campaign(&format!(
                "{FED}target 目标 {{ from 甲; {from}; at least 30% by 2017-04-30 }}\n"
            ));
            let target = c.deliverables.iter().find(|d| d.name == "目标").unwrap();
            let from = target.value_from.as_ref().expect(from);
            assert_eq!(c.deliverables[from.report].name, "月报");
            assert_eq!(from.field, "进度");
            let report = c.deliverables[from.report].form.as_ref().unwrap();
            assert_eq!(report.fields[1].feeds, ["目标"]);
        }
    }

    #[test]
    fn a_target_taken_from_text_or_from_nothing_is_refused() {
        let target = |from: &str| {
            problems(&format!(
                "{FED}target 目标 {{ from 甲; 取自 {from}; at least 30% by 2017-04-30 }}\n"
            ))
        };
        assert_eq!(
            target("月报.备注"),
            ["error: field `备注` is text: a target's value is a number"]
        );
        assert_eq!(
            target("月饼.进度"),
            ["error: unknown deliverable `月饼` (help: did you mean `月报`?)"]
        );
        assert_eq!(
            target("月报.进"),
            ["error: unknown field `进` (help: did you mean `进度`?)"]
        );
        assert_eq!(
            target("月报"),
            ["error: which field of `月报` is the target's value? (help: write `月报.金额`)"]
        );
    }

    #[test]
    fn a_field_says_how_it_adds_up_and_only_numbers_do() {
        let c = campaign(&format!(
            "form 表 {{ field 排名 integer total none; field 人均 小数 汇总 平均; field 数 integer; field 率 percent }}\n{REPORT}"
        ));
        let totals: Vec<Total> = c.forms[0].fields.iter().map(|f| f.total()).collect();
        assert_eq!(
            totals,
            [Total::None, Total::Average, Total::Sum, Total::Average]
        );
        assert_eq!(
            problems("form 表 { field 备注 text total sum }\n"),
            ["error: field `备注` is not a number: it has nothing to add up"]
        );
    }
}
