//! 千阳's spending target: 衔接资金支出进度 ≥ 30% / 50% / 75% by April / June / September. A value
//! below the threshold turns red and is listed by `duban targets`.

use super::Office;

fn spending_reported(office: &Office) {
    for (period, value, at) in [
        ("2023-04-30", "35%", "2023-04-28"),
        ("2023-06-30", "12%", "2023-06-28"),
    ] {
        office.ok(&[
            "submit",
            "qianyang-2023",
            "衔接资金支出进度",
            "县乡村振兴局",
            "--period",
            period,
            "--value",
            value,
            "--at",
            at,
        ]);
    }
}

fn the_target_turns_red_at_12_percent(office: Office) {
    spending_reported(&office);
    let findings = office.json(&["targets", "--as-of", "2023-07-05"]);
    let rows = findings.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{findings}");
    assert_eq!(rows[0]["state"], "met");
    assert_eq!(rows[1]["period"], "2023-06-30");
    assert_eq!(rows[1]["threshold"], "≥ 50%");
    assert_eq!(rows[1]["value"], 12.0);
    assert_eq!(rows[1]["gap"], 38.0);
    assert_eq!(rows[1]["state"], "below_target");
    assert_eq!(rows[2]["state"], "pending");
    let code = office.code(&["targets", "--as-of", "2023-07-05", "--fail-if-any"]);
    assert_eq!(code, 1, "a finding the user asked about");
    let status = office.json(&[
        "status",
        "--campaign",
        "qianyang-2023",
        "--unit",
        "县乡村振兴局",
        "--deliverable",
        "衔接资金支出进度",
        "--as-of",
        "2023-07-05",
    ]);
    assert_eq!(status[0]["below_target"], 1);
    assert_eq!(status[0]["light"], "red");
    let table = office.ok(&["targets", "--as-of", "2023-07-05"]);
    let june = table.lines().find(|l| l.contains("2023-06-30")).unwrap();
    assert!(
        june.contains("≥ 50%") && june.contains("below target"),
        "{june}"
    );
    // A September figure that reaches 75% clears nothing of June's, and is met.
    office.ok(&[
        "submit",
        "qianyang-2023",
        "衔接资金支出进度",
        "县乡村振兴局",
        "--period",
        "2023-09-30",
        "--value",
        "80",
        "--at",
        "2023-09-20",
    ]);
    let csv = office.ok(&["targets", "--as-of", "2023-10-05", "--format", "csv"]);
    assert!(csv.contains("2023-09-30,≥ 75%,80,-5,met"), "{csv}");
    assert!(csv.contains("2023-06-30,≥ 50%,12,38,below target"), "{csv}");
}

#[test]
fn the_qianyang_target_turns_red_at_12_percent_on_sqlite() {
    the_target_turns_red_at_12_percent(Office::sqlite(&["qianyang-2023"]));
}

#[test]
fn the_qianyang_target_turns_red_at_12_percent_on_postgres() {
    if let Some(office) = Office::postgres(&["qianyang-2023"]) {
        the_target_turns_red_at_12_percent(office);
    }
}

#[test]
fn a_target_not_reported_by_its_date_says_so() {
    let office = Office::sqlite(&["qianyang-2023"]);
    let findings = office.json(&[
        "targets",
        "--campaign",
        "qianyang-2023",
        "--as-of",
        "2023-05-10",
    ]);
    assert_eq!(findings[0]["state"], "not_reported");
    assert_eq!(findings[1]["state"], "pending");
    let error = office.fails(&[
        "targets",
        "--campaign",
        "qianyang-2032",
        "--as-of",
        "2023-05-10",
    ]);
    assert!(
        error.contains("unknown campaign `qianyang-2032`"),
        "{error}"
    );
}

/// A county's spending target with a ladder: the unit, then its leader, then the supervisor.
const SPENDING: &str = r#"
campaign spending-2023 "资金支出专项" { period 2023-01-01 .. 2023-12-31; office 专班 }
unit 专班 { email "office@example.org" }
unit 监督室 { email "supervisor@example.org" }
unit 乡村振兴局 { liaison 李四 email "liaison@example.org" }
target 支出进度 "衔接资金支出进度" {
  from 乡村振兴局
  to 专班
  at least 30% by 2023-04-30
  at least 50% by 2023-06-30
}
remind {
  before 3d at 09:00
  overdue 1d -> liaison
  overdue 7d -> 监督室
}
"#;

/// The ladder chases a value below target with its own mail, once per rung, to the unit and
/// then to the supervising unit — and not before the threshold's date.
#[test]
fn the_ladder_sends_below_target_not_not_submitted() {
    let server = crate::mailserver::MailServer::start();
    let office = Office::sqlite(&[]);
    std::fs::write(office.w.campaign("spending-2023"), SPENDING).unwrap();
    std::fs::write(
        office.w.path().join("duban.toml"),
        format!(
            "[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@example.org>\"\n",
            server.url()
        ),
    )
    .unwrap();
    for (period, value, at) in [
        ("2023-04-30", "35%", "2023-04-20"),
        ("2023-06-30", "12%", "2023-06-20"),
    ] {
        office.ok(&[
            "submit",
            "spending-2023",
            "支出进度",
            "乡村振兴局",
            "--period",
            period,
            "--value",
            value,
            "--at",
            at,
        ]);
    }
    // Before the threshold's date the value may still rise: nothing about it.
    office.ok(&["remind", "--as-of", "2023-06-29T09:05"]);
    assert!(server.messages().is_empty(), "{:?}", subjects(&server));
    // The first rung after the date (30 June is a Friday; a day after falls on Saturday: Monday).
    office.ok(&["remind", "--as-of", "2023-07-03T09:05"]);
    let sent = server.messages();
    assert_eq!(sent.len(), 1, "{:?}", subjects(&server));
    assert_eq!(sent[0].to, "liaison@example.org");
    assert_eq!(
        sent[0].subject,
        "【目标预警】衔接资金支出进度（2023年6月30日）报送值12%，未达到不低于50%的目标"
    );
    assert!(
        sent[0].body.contains("以下目标未达到要求"),
        "{}",
        sent[0].body
    );
    assert!(
        sent[0].body.contains("目标：不低于50%（6月30日）"),
        "{}",
        sent[0].body
    );
    assert!(sent[0].body.contains("报送值：12%"), "{}", sent[0].body);
    assert!(
        !sent[0].body.contains("逾期"),
        "not an overdue notice: {}",
        sent[0].body
    );
    // The same pass again sends nothing; the 7-day rung reaches the supervising unit.
    office.ok(&["remind", "--as-of", "2023-07-03T09:05"]);
    assert_eq!(server.messages().len(), 1);
    office.ok(&["remind", "--as-of", "2023-07-07T09:05"]);
    office.ok(&["remind", "--as-of", "2023-07-10T09:05"]);
    let all = server.messages();
    assert_eq!(all.len(), 2, "{:?}", subjects(&server));
    assert_eq!(all[1].to, "supervisor@example.org");
    assert_eq!(
        all[1].subject,
        "【目标预警】资金支出专项：1个单位的1项目标未达到要求"
    );
    assert!(
        all[1]
            .body
            .contains("衔接资金支出进度（2023年6月30日），目标不低于50%，报送值12%，未达到要求"),
        "{}",
        all[1].body
    );
    // April's 35% met its 30%: never chased.
    assert!(!all.iter().any(|m| m.subject.contains("4月30日")));
}

fn subjects(server: &crate::mailserver::MailServer) -> Vec<(String, String)> {
    server
        .messages()
        .into_iter()
        .map(|m| (m.to, m.subject))
        .collect()
}

/// A target whose value is a field of the monthly report (`取自 月报.支出进度`).
const TAKEN_FROM: &str = r#"
campaign monthly-2023 "资金支出专项" { period 2023-01-01 .. 2023-12-31; office 专班 }
unit 专班 { email "office@example.org" }
unit 乡村振兴局 { email "liaison@example.org" }
form 支出表 "资金支出情况表" {
  field 支出金额 amount 万元
  field 支出进度 percent
}
report 月报 "资金支出月报" {
  from 乡村振兴局
  to 专班
  form 支出表
  due every month by day 5 of next month
  first 2023-04
  last 2023-10
}
target 进度目标 "衔接资金支出进度" {
  from 乡村振兴局
  to 专班
  取自 月报.支出进度
  at least 30% by 2023-04-30
  at least 50% by 2023-06-30
}
"#;

fn a_target_takes_its_value_from_the_monthly_report(office: Office) {
    std::fs::write(office.w.campaign("monthly-2023"), TAKEN_FROM).unwrap();
    // Each threshold is known when the month's report is: due with it, not on the month's end.
    let schedule = office
        .w
        .json(&["schedule", "campaigns/monthly-2023.campaign"]);
    let target: Vec<&serde_json::Value> = schedule
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["deliverable"] == "进度目标")
        .collect();
    assert_eq!(target.len(), 2, "{schedule}");
    assert_eq!(target[0]["period"], "2023-04-30");
    assert_eq!(target[0]["due_date"], "2023-05-05", "{}", target[0]);
    assert_eq!(target[1]["due_date"], "2023-07-05", "{}", target[1]);
    // April's report says 12%: the target is below its 30%, with no submission of its own.
    let out = office.ok(&[
        "submit",
        "monthly-2023",
        "月报",
        "乡村振兴局",
        "--period",
        "2023-04",
        "--value",
        "支出金额=120",
        "--value",
        "支出进度=12%",
        "--at",
        "2023-05-04",
    ]);
    assert!(
        out.contains("进度目标"),
        "the target's value is recorded too: {out}"
    );
    let findings = office.json(&["targets", "--as-of", "2023-05-06"]);
    assert_eq!(findings[0]["period"], "2023-04-30", "{findings}");
    assert_eq!(findings[0]["value"], 12.0, "{findings}");
    assert_eq!(findings[0]["state"], "below_target", "{findings}");
    assert_eq!(findings[1]["state"], "pending", "{findings}");
    // May's report feeds no threshold; a corrected April report replaces the value.
    office.ok(&[
        "submit",
        "monthly-2023",
        "月报",
        "乡村振兴局",
        "--period",
        "2023-05",
        "--value",
        "支出金额=200",
        "--value",
        "支出进度=40",
        "--at",
        "2023-06-02",
    ]);
    office.ok(&[
        "submit",
        "monthly-2023",
        "月报",
        "乡村振兴局",
        "--period",
        "2023-04",
        "--value",
        "支出金额=300",
        "--value",
        "支出进度=31%",
        "--replace",
        "--at",
        "2023-06-02",
    ]);
    let findings = office.json(&["targets", "--as-of", "2023-06-03"]);
    assert_eq!(findings[0]["value"], 31.0, "{findings}");
    assert_eq!(findings[0]["state"], "met", "{findings}");
    assert_eq!(findings[1]["state"], "pending", "{findings}");
    let overdue = office.json(&["overdue", "--as-of", "2023-06-03"]);
    assert_eq!(overdue.as_array().map(Vec::len), Some(0), "{overdue}");
}

#[test]
fn a_target_takes_its_value_from_the_monthly_report_on_sqlite() {
    a_target_takes_its_value_from_the_monthly_report(Office::sqlite(&[]));
}

#[test]
fn a_target_takes_its_value_from_the_monthly_report_on_postgres() {
    if let Some(office) = Office::postgres(&[]) {
        a_target_takes_its_value_from_the_monthly_report(office);
    }
}

/// `取自` naming what is not there is an error at its line and column, with the nearest name.
#[test]
fn a_target_taken_from_a_field_that_is_not_there_is_refused_where_it_is_written() {
    let office = Office::sqlite(&[]);
    let text = TAKEN_FROM.replace("取自 月报.支出进度", "取自 月报.支出进读");
    std::fs::write(office.w.campaign("monthly-2023"), text).unwrap();
    let error = office.fails(&["check", "campaigns/monthly-2023.campaign"]);
    assert!(error.contains("unknown field `支出进读`"), "{error}");
    assert!(
        error.contains("monthly-2023.campaign:20:9"),
        "its line and column: {error}"
    );
    assert!(error.contains("did you mean `支出进度`?"), "{error}");
    let text = TAKEN_FROM
        .replace("取自 月报.支出进度", "取自 月报.支出金额")
        .replace("first 2023-04", "first 2023-06");
    std::fs::write(office.w.campaign("monthly-2023"), text).unwrap();
    let error = office.fails(&["check", "campaigns/monthly-2023.campaign"]);
    assert!(
        error.contains("no period of `月报` covers 2023-04-30"),
        "{error}"
    );
}
