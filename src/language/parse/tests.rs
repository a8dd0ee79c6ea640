//! The parser's tests: every form in both languages, and the errors of bad lines.
use super::*;

fn parse_ok(src: &str) -> File {
    let (file, diagnostics) = parse(src);
    assert!(diagnostics.is_empty(), "{src}\n{diagnostics:#?}");
    file
}

fn first_error(src: &str) -> Diagnostic {
    let (_, diagnostics) = parse(src);
    diagnostics.into_iter().next().expect("an error")
}

fn due_of(src: &str) -> DueExpr {
    let file = parse_ok(&format!("report r {{\n due {src}\n}}\n"));
    let TopItem::Report(report) = &file.items[0] else {
        panic!()
    };
    match &report.stmts[0].node {
        ReportStmt::Due(due) => due.node.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dates_in_both_languages() {
    for (text, year, month, day) in [
        ("2017-04-15", Some(2017), 4, DayPart::Day(15)),
        ("2017年4月15日", Some(2017), 4, DayPart::Day(15)),
        ("2017年4月15日前", Some(2017), 4, DayPart::Day(15)),
        ("2017年6月底", Some(2017), 6, DayPart::End),
        ("2023年3月下旬前", Some(2023), 3, DayPart::Late),
        ("end of 2017-06", Some(2017), 6, DayPart::End),
        ("4月15日", None, 4, DayPart::Day(15)),
        ("2017年7月初", Some(2017), 7, DayPart::Beginning),
        ("2017年7月中", Some(2017), 7, DayPart::Middle),
        ("2017年元月10日", Some(2017), 1, DayPart::Day(10)),
        ("2017年底", Some(2017), 12, DayPart::End),
        ("2017年年末前", Some(2017), 12, DayPart::End),
    ] {
        let DueExpr::Date(date) = due_of(text) else {
            panic!("{text}")
        };
        assert_eq!(date.node, DateExpr { year, month, day }, "{text}");
    }
}

#[test]
fn cadences_in_both_languages() {
    let cases = [
        (
            "every month by day 25",
            PeriodUnit::Month,
            "Day { day: 25, next: None }",
        ),
        (
            "每月25日前",
            PeriodUnit::Month,
            "Day { day: 25, next: None }",
        ),
        (
            "每月 下月5日前",
            PeriodUnit::Month,
            "Day { day: 5, next: Some",
        ),
        (
            "every month by day 5 of next month",
            PeriodUnit::Month,
            "Day { day: 5, next: Some",
        ),
        (
            "每年12月30日前",
            PeriodUnit::Year,
            "MonthDay { month: 12, day: Day(30), next: None }",
        ),
        (
            "every year by 12-30",
            PeriodUnit::Year,
            "MonthDay { month: 12, day: Day(30), next: None }",
        ),
        (
            "每周五前",
            PeriodUnit::Week,
            "Weekday { weekday: 4, next: None }",
        ),
        (
            "every week by friday",
            PeriodUnit::Week,
            "Weekday { weekday: 4, next: None }",
        ),
        ("每季度末", PeriodUnit::Quarter, "End { next: None }"),
        (
            "every quarter by day 10 of next quarter",
            PeriodUnit::Quarter,
            "Day { day: 10, next: Some",
        ),
        ("每阶段 下阶段开始后5日前", PeriodUnit::Phase, "Relative"),
        (
            "每年6月底前",
            PeriodUnit::Year,
            "MonthDay { month: 6, day: End, next: None }",
        ),
        (
            "每年元月10日前",
            PeriodUnit::Year,
            "MonthDay { month: 1, day: Day(10), next: None }",
        ),
        ("每月初", PeriodUnit::Month, "Day { day: 5, next: None }"),
        ("每月中", PeriodUnit::Month, "Day { day: 15, next: None }"),
        ("每月中旬", PeriodUnit::Month, "Day { day: 20, next: None }"),
        ("每月下旬", PeriodUnit::Month, "End { next: None }"),
        (
            "每月最后一个工作日",
            PeriodUnit::Month,
            "LastWorkday { next: None }",
        ),
        (
            "every month by last workday",
            PeriodUnit::Month,
            "LastWorkday { next: None }",
        ),
        ("每半月", PeriodUnit::HalfMonth, "End { next: None }"),
        ("每半年 末", PeriodUnit::HalfYear, "End { next: None }"),
        (
            "every half-year by end",
            PeriodUnit::HalfYear,
            "End { next: None }",
        ),
        (
            "every phase by 5d after start of next phase",
            PeriodUnit::Phase,
            "Relative",
        ),
    ];
    for (text, unit, due) in cases {
        let DueExpr::Cadence(cadence) = due_of(text) else {
            panic!("{text}")
        };
        assert_eq!(cadence.unit.node, unit, "{text}");
        let shown = format!("{:?}", cadence.dues[0].node);
        assert!(shown.starts_with(due), "{text}: {shown}");
    }
}

#[test]
fn several_deadlines_in_one_period_and_periods_of_several_units() {
    let cadence = |text: &str| match due_of(text) {
        DueExpr::Cadence(c) => c,
        other => panic!("{text}: {other:?}"),
    };
    let c = cadence("每月5日和20日前");
    let shown: Vec<String> = c.dues.iter().map(|d| format!("{:?}", d.node)).collect();
    assert_eq!(
        shown,
        ["Day { day: 5, next: None }", "Day { day: 20, next: None }"]
    );
    let c = cadence("每周二、周五前");
    let shown: Vec<String> = c.dues.iter().map(|d| format!("{:?}", d.node)).collect();
    assert_eq!(
        shown,
        [
            "Weekday { weekday: 1, next: None }",
            "Weekday { weekday: 4, next: None }"
        ]
    );
    assert_eq!(cadence("every week by tuesday, friday").dues.len(), 2);
    for (text, step, unit) in [
        ("每两周周五前", 2, PeriodUnit::Week),
        ("every 2 weeks by friday", 2, PeriodUnit::Week),
        ("每3个月 末", 3, PeriodUnit::Month),
        ("每月", 1, PeriodUnit::Month),
    ] {
        let c = cadence(text);
        assert_eq!((c.step.node, c.unit.node), (step, unit), "{text}");
    }
}

#[test]
fn several_dates_standing_duties_and_durations_with_nei() {
    let DueExpr::Dates(dates) = due_of("分别于2009年6月底和7月底前") else {
        panic!("several dates")
    };
    let dates: Vec<_> = dates.into_iter().map(|d| d.node).collect();
    let end_of = |month| DateExpr {
        year: Some(2009),
        month,
        day: DayPart::End,
    };
    assert_eq!(dates, [end_of(6), end_of(7)]);
    assert!(matches!(due_of("2017-03-31 and 2017-04-30"), DueExpr::Dates(d) if d.len() == 2));
    for text in ["随时报告", "及时报送", "适时", "as needed", "standing"] {
        assert!(matches!(due_of(text), DueExpr::Standing), "{text}");
    }
    for (text, count, unit) in [
        ("自查自纠结束后10日内", 10, DurationUnit::Days),
        ("自查自纠结束后3天内", 3, DurationUnit::Days),
        ("收到通知后5个工作日内", 5, DurationUnit::Workdays),
        (
            "within 10 days after end of 自查自纠",
            10,
            DurationUnit::Days,
        ),
    ] {
        let DueExpr::Relative(r) = due_of(text) else {
            panic!("{text}")
        };
        let amount = r.offset.expect(text).amount;
        assert_eq!((amount.count, amount.unit), (count, unit), "{text}");
    }
    let DueExpr::Relative(r) = due_of("收到通知后5个工作日内") else {
        panic!("receipt")
    };
    assert!(matches!(r.anchor.node, Anchor::Receipt(ref n) if n.node == "通知"));
    let DueExpr::Relative(r) = due_of("阶段结束后10日内") else {
        panic!("this phase")
    };
    assert!(matches!(
        r.anchor.node,
        Anchor::End(AnchorTarget::ThisPhase)
    ));
}

#[test]
fn relative_deadlines_in_both_languages() {
    for text in [
        "5d after start of 综合治理",
        "综合治理 开始后 5日前",
        "综合治理开始后5日",
    ] {
        let DueExpr::Relative(r) = due_of(text) else {
            panic!("{text}")
        };
        let Anchor::Start(AnchorTarget::Named(name)) = &r.anchor.node else {
            panic!("{text}")
        };
        assert_eq!(name.node, "综合治理");
        let offset = r.offset.unwrap();
        assert!(offset.after);
        assert_eq!(offset.amount.count, 5);
    }
    let DueExpr::Relative(r) = due_of("10 workdays after 工作方案") else {
        panic!()
    };
    assert!(matches!(&r.anchor.node, Anchor::Due(n) if n.node == "工作方案"));
    assert_eq!(r.offset.unwrap().amount.unit, DurationUnit::Workdays);
}

#[test]
fn windows() {
    let file = parse_ok(
        "phase a 2017-04-01 .. 2017-05-31\n阶段 b 2016年6月30日前\n阶段 c 即日起至2023年10月20日\n\
         阶段 d 2023年5月\nphase e throughout\n阶段 f 贯穿全过程\nphase g from 2023-06-01\n",
    );
    let shapes: Vec<String> = file
        .items
        .iter()
        .map(|i| match i {
            TopItem::Phase(p) => match &p.window.node {
                Window::Throughout => "throughout".into(),
                Window::Until(_) => "until".into(),
                Window::Span { start, end, open } => format!(
                    "{}-{}-{open}",
                    matches!(start, WindowStart::Issue(_)),
                    end.is_some()
                ),
            },
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        shapes,
        [
            "false-true-false",
            "until",
            "true-true-true",
            "false-false-false",
            "throughout",
            "throughout",
            "false-false-true"
        ]
    );
}

#[test]
fn keywords_may_be_followed_by_a_chinese_colon_and_lists_by_dunhao() {
    let file =
        parse_ok("报送 统计表 {\n  报送单位：宛城区、卧龙区\n  接收单位：党风政风监督室\n}\n");
    let TopItem::Report(r) = &file.items[0] else {
        panic!()
    };
    let ReportStmt::From(units) = &r.stmts[0].node else {
        panic!()
    };
    assert_eq!(units.len(), 2);
}

#[test]
fn unknown_keyword_suggests_the_nearest() {
    let d = first_error("raport 统计表 {\n}\n");
    assert_eq!(
        d.problem,
        Problem::UnknownKeyword {
            word: "raport".into()
        }
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `report`?"));
    let d = first_error("report r {\n  报送单：宛城区\n}\n");
    assert_eq!(d.help.as_deref(), Some("did you mean `报送单位`?"));
}

#[test]
fn misplaced_keyword_says_where_it_belongs() {
    let d = first_error("report r {\n  phase a 2017-04-01\n}\n");
    assert!(
        matches!(d.problem, Problem::MisplacedKeyword { .. }),
        "{d:?}"
    );
}

#[test]
fn syntax_error_points_at_the_column() {
    let src = "phase 自查自纠 2017-04-01 .. 2017-05-31 多余\n";
    let d = first_error(src);
    assert_eq!(&src[d.span.start..d.span.end], "多余");
    let src = "phase a 2017-04-01 ..\n";
    let d = first_error(src);
    assert!(
        d.problem.to_string().starts_with("expected a date"),
        "{}",
        d.problem
    );
}

#[test]
fn every_bad_line_is_reported() {
    let (_, diagnostics) =
        parse("raport a {\n}\nphase b 2017-04-01 ¤\nunit c {\n  emial \"x\"\n}\n");
    assert_eq!(diagnostics.len(), 3, "{diagnostics:#?}");
}

#[test]
fn stray_braces_and_deep_nesting_are_errors() {
    assert_eq!(first_error("}\n").problem, Problem::UnmatchedBrace);
    let deep = "{".repeat(10_000);
    assert!(matches!(
        first_error(&deep).problem,
        Problem::TooDeep { .. }
    ));
}

#[test]
fn names_that_are_keywords_end_a_list() {
    let d = first_error("report r {\n  from a b to c\n}\n");
    let Problem::Syntax { found, .. } = d.problem else {
        panic!()
    };
    assert_eq!(found, "`to`");
}
