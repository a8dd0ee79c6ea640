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
