//! What duban says about an instant is the world as it stood then: an act done after T does
//! not count at T — in `overdue`, `due`, `status`, `history` and the reminders a pass at T
//! would send — on SQLite and on PostgreSQL alike.

use serde_json::Value;

use crate::contents::Office;

/// The (unit, period) pairs of a listing's rows of `统计表`.
fn rows(listing: &Value) -> Vec<(String, String, String)> {
    listing
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {listing}"))
        .iter()
        .filter(|r| r["deliverable"] == "统计表")
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_string(),
                r["period"].as_str().unwrap_or("").to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(listing: &[(String, String, String)], unit: &str, period: &str) -> Option<String> {
    listing
        .iter()
        .find(|(u, p, _)| u == unit && p == period)
        .map(|(_, _, s)| s.clone())
}

/// The sequence: 方城县 submits on time and is returned on 2 June, 南召县 submits
/// late on 30 May, 宛城区 is extended on 28 May to 10 June.
fn answers_at_an_instant_count_only_what_was_done_by_then(office: Office) {
    office.ok(&["sync", "--as-of", "2017-05-01"]);
    let act = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--period", "2017-05"]);
        office.ok(&all);
    };
    act(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "方城县",
        "--at",
        "2017-05-20T10:00",
    ]);
    act(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--at",
        "2017-05-30T10:00",
    ]);
    act(&[
        "return",
        "nanyang-2017",
        "统计表",
        "方城县",
        "--at",
        "2017-06-02T10:00",
        "--reason",
        "数据有误",
    ]);
    act(&[
        "extend",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--until",
        "2017-06-10",
        "--at",
        "2017-05-28T09:00",
        "--reason",
        "汛期",
    ]);

    // 27 May: 方城县 had reported on time (its return came on 2 June), 南召县 had not, and
    // 宛城区 was late (its extension came on the 28th).
    let overdue = rows(&office.json(&["overdue", "--as-of", "2017-05-27"]));
    assert_eq!(has(&overdue, "方城县", "2017-05"), None, "{overdue:?}");
    assert_eq!(
        has(&overdue, "南召县", "2017-05").as_deref(),
        Some("overdue")
    );
    assert_eq!(
        has(&overdue, "宛城区", "2017-05").as_deref(),
        Some("overdue")
    );
    // 29 May: 宛城区 extended, 南召县 still owing.
    let overdue = rows(&office.json(&["overdue", "--as-of", "2017-05-29"]));
    assert_eq!(has(&overdue, "宛城区", "2017-05"), None, "{overdue:?}");
    assert_eq!(
        has(&overdue, "南召县", "2017-05").as_deref(),
        Some("overdue")
    );
    // 3 June: 南召县 has reported; 方城县's returned report is owed again, and late.
    let overdue = rows(&office.json(&["overdue", "--as-of", "2017-06-03"]));
    assert_eq!(has(&overdue, "南召县", "2017-05"), None, "{overdue:?}");
    assert_eq!(
        has(&overdue, "方城县", "2017-05").as_deref(),
        Some("returned")
    );
    // The same days, asked as what falls due.
    let due = rows(&office.json(&["due", "--as-of", "2017-05-24", "--within", "3"]));
    assert_eq!(
        has(&due, "宛城区", "2017-05").as_deref(),
        Some("due_soon"),
        "{due:?}"
    );
    assert_eq!(
        has(&due, "方城县", "2017-05"),
        None,
        "reported on the 20th: {due:?}"
    );
    assert_eq!(has(&due, "南召县", "2017-05").as_deref(), Some("due_soon"));
    let due = rows(&office.json(&["due", "--as-of", "2017-05-29", "--within", "14"]));
    assert_eq!(
        has(&due, "宛城区", "2017-05").as_deref(),
        Some("extended"),
        "{due:?}"
    );

    // One obligation's history at an instant: what was done by then, and its status then.
    let history = |unit: &str, as_of: &str| {
        office.json(&[
            "history",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--as-of",
            as_of,
        ])
    };
    let then = history("方城县", "2017-05-27");
    assert_eq!(then["status"], "submitted_on_time", "{then}");
    assert_eq!(then["events"].as_array().unwrap().len(), 1, "{then}");
    assert_eq!(
        then["events"][0]["backfilled"], true,
        "typed in years later"
    );
    let later = history("方城县", "2017-06-03");
    assert_eq!(later["status"], "overdue", "{later}");
    assert_eq!(later["events"].as_array().unwrap().len(), 2, "{later}");
    assert_eq!(history("南召县", "2017-05-27")["status"], "overdue");

    // The counts per unit agree with the listing.
    let status = office.json(&["status", "--as-of", "2017-05-27", "--deliverable", "统计表"]);
    let of = |unit: &str| {
        status
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit"] == unit)
            .unwrap_or_else(|| panic!("{unit} in {status}"))
            .clone()
    };
    assert_eq!(of("方城县")["on_time"], 1, "{status}");
    assert_eq!(of("南召县")["on_time"], 0, "{status}");

    // The assessment of May made on 27 May: 方城县's report counts as on time (its return
    // came later). Made on 3 June it counts May as it stood at May's end: a return in June
    // does not rewrite May.
    let score = |as_of: &str| {
        let assessment = office.json(&[
            "assess",
            "nanyang-2017",
            "--month",
            "2017-05",
            "--as-of",
            as_of,
        ]);
        assessment["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "方城县")
            .unwrap_or_else(|| panic!("方城县 in {assessment}"))
            .clone()
    };
    for as_of in ["2017-05-27", "2017-06-03"] {
        let then = score(as_of);
        assert_eq!(
            (then["on_time"].as_i64(), then["returns"].as_i64()),
            (Some(1), Some(0)),
            "{as_of}: {then}"
        );
    }
    let nanzhao = office.json(&[
        "assess",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-05-27",
    ]);
    let nanzhao = nanzhao["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "南召县")
        .unwrap()
        .clone();
    assert_eq!(
        nanzhao["missing"].as_i64(),
        Some(1),
        "not sent by 27 May: {nanzhao}"
    );

    // The reminders a pass on the morning of 26 May would have sent: 南召县 is chased, 方城县
    // (on time then) is not.
    let mails = office.ok(&["remind", "--dry-run", "--as-of", "2017-05-26T09:05"]);
    let to = |unit: &str| {
        mails.split("\nTo: ").any(|m| {
            m.starts_with(&format!("{unit} 联络员")) && m.contains("工作统计表（2017年5月）")
        })
    };
    assert!(to("南召县"), "{mails}");
    assert!(!to("方城县"), "{mails}");
}

#[test]
fn answers_at_an_instant_count_only_what_was_done_by_then_on_sqlite() {
    let office = Office::sqlite(&["nanyang-2017"]);
    answers_at_an_instant_count_only_what_was_done_by_then(office);
}

/// The pages and the API at an instant: `serve --as-of 2017-05-27` shows 方城县's report as
/// sent on time, though it was returned on 2 June.
#[test]
fn the_pages_and_the_api_show_the_record_as_it_stood() {
    let w = crate::common::Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-01"]);
    w.submit("nanyang-2017", "统计表", "方城县")
        .period("2017-05")
        .at("2017-05-20T10:00")
        .ok();
    w.ok(&[
        "return",
        "nanyang-2017",
        "统计表",
        "方城县",
        "--period",
        "2017-05",
        "--at",
        "2017-06-02T10:00",
        "--reason",
        "数据有误",
    ]);
    let token = w.ok(&["token", "create", "--unit", "方城县", "--role", "liaison"]);
    let token = token.split_whitespace().last().unwrap().to_string();
    let status_at = |as_of: &str| {
        let server = crate::webserver::Server::start(&w, as_of);
        let listed = server.api(
            "GET",
            "/api/v1/obligations?campaign=nanyang-2017",
            &token,
            None,
        );
        assert_eq!(listed.status, 200, "{}", listed.body);
        let rows: Value = serde_json::from_str(&listed.body).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["deliverable"] == "统计表" && r["unit"] == "方城县" && r["period"] == "2017-05"
            })
            .unwrap_or_else(|| panic!("{rows}"))["status"]
            .clone()
    };
    assert_eq!(status_at("2017-05-27"), "submitted_on_time");
    assert_eq!(status_at("2017-06-03"), "overdue");
}

#[test]
fn answers_at_an_instant_count_only_what_was_done_by_then_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        answers_at_an_instant_count_only_what_was_done_by_then(office);
    }
}

/// 古路's 问题清单 must pass the 驻村组's review before 7-18 ("经驻村组审核后，于7月18日前报镇村
/// 建中心"): sent on 7-15 and still waiting on 7-19, the review is overdue — the reviewer's
/// lateness, not the village's, whose row stays green; accepted on 7-19, the village was on
/// time and the review late.
fn a_review_waiting_past_its_deadline_is_the_reviewers_lateness(office: Office) {
    submit_gulu_list(&office, "2023-07-15");
    let history =
        |as_of: &str| office.json(&["history", "gulu-2023", "问题清单", "各村", "--as-of", as_of]);
    assert_eq!(history("2023-07-18")["status"], "under_review");
    assert_eq!(history("2023-07-19")["status"], "review_overdue");

    let status = office.json(&["status", "--as-of", "2023-07-19"]);
    let row = status
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "各村" && r["deliverable"] == "问题清单")
        .unwrap_or_else(|| panic!("{status:#}"));
    assert_eq!(row["under_review"], 1, "{row}");
    assert_eq!(row["review_overdue"], 1, "{row}");
    assert_eq!(row["overdue"], 0, "the village is not late: {row}");
    assert_eq!(row["light"], "green", "the village did its part: {row}");
    assert_eq!(row["reviewer"], "各驻村组", "{row}");
    let table = office.ok(&["status", "--as-of", "2023-07-19"]);
    assert!(
        table.contains("reviews overdue, the reviewers' lateness (审核逾期): 各驻村组 1"),
        "{table}"
    );

    let out = office.ok(&[
        "review",
        "gulu-2023",
        "问题清单",
        "各村",
        "--accept",
        "--by",
        "驻村组",
        "--at",
        "2023-07-19",
    ]);
    assert!(out.contains("submitted on time"), "{out}");
    let after = history("2023-07-20");
    assert_eq!(after["status"], "submitted_on_time", "{after:#}");
    let accepted = after["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "review_accepted")
        .unwrap_or_else(|| panic!("{after:#}"));
    assert_eq!(accepted["data"]["reviewed_late"], true, "{after:#}");
    let text = office.ok(&["history", "gulu-2023", "问题清单", "各村"]);
    assert!(text.contains("reviewed late"), "{text}");
}

#[test]
fn a_review_waiting_past_its_deadline_is_the_reviewers_lateness_on_sqlite() {
    a_review_waiting_past_its_deadline_is_the_reviewers_lateness(Office::sqlite(&["gulu-2023"]));
}

#[test]
fn a_review_waiting_past_its_deadline_is_the_reviewers_lateness_on_postgres() {
    if let Some(office) = Office::postgres(&["gulu-2023"]) {
        a_review_waiting_past_its_deadline_is_the_reviewers_lateness(office);
    }
}

/// `审核时限 1个工作日` gives the 驻村组 a time of its own: a list sent on Friday 7-14 is due
/// for review at the end of Monday 7-17, a day before the list's own deadline. The reviewer is
/// reminded before and chased after, by mail of its own (待审核, 审核催办), and a review on
/// 7-18 is late though the list's deadline is that day.
fn a_reviewer_has_a_time_of_its_own_and_is_chased(office: Office) {
    let campaign = office.w.path().join("campaigns/gulu-2023.campaign");
    let text = std::fs::read_to_string(&campaign).unwrap();
    let marked = "  审核\n  表单 \"附件 农村危房整治补助资金领域腐败和作风问题专项治理问题清单\"";
    assert!(text.contains(marked), "the seed changed");
    let text = text.replacen(
        marked,
        &marked.replacen("审核", "审核\n  审核时限 1个工作日", 1),
        1,
    );
    std::fs::write(&campaign, text).unwrap();
    let check = office.ok(&["check", "campaigns/gulu-2023.campaign"]);
    assert!(!check.contains("not applied"), "{check}");
    office.ok(&["sync", "--as-of", "2023-07-01"]);

    // Before the list is sent, nobody is asked to review anything.
    let before = office.ok(&["remind", "--dry-run", "--as-of", "2023-07-14T09:05"]);
    assert!(!before.contains("待审核"), "{before}");

    submit_gulu_list(&office, "2023-07-14T10:00");
    let history =
        |as_of: &str| office.json(&["history", "gulu-2023", "问题清单", "各村", "--as-of", as_of]);
    assert_eq!(history("2023-07-17T23:59")["status"], "under_review");
    assert_eq!(history("2023-07-18T00:00")["status"], "review_overdue");
    let submitted = history("2023-07-18T00:00")["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "submitted")
        .cloned()
        .unwrap();
    assert!(
        submitted["data"]["review_due_at"].is_i64(),
        "the review's deadline is kept with the submission: {submitted:#}"
    );

    // The reviewer's liaison is reminded on the Friday (its review is due Monday) …
    let friday = office.ok(&["remind", "--dry-run", "--as-of", "2023-07-14T10:05"]);
    let mail = mail_to(&friday, "各驻村组 联络员");
    assert!(mail.contains("待审核"), "{mail}");
    assert!(
        mail.contains("报送单位：各村（已报送，待你单位审核）"),
        "{mail}"
    );
    assert!(mail.contains("审核期限：7月17日（还有3天）"), "{mail}");
    // … the village is not: it did its part.
    assert!(
        !mail_to(&friday, "各村 联络员").contains("问题清单"),
        "{friday}"
    );
    // … and chased on Tuesday, when the review is a day late.
    let tuesday = office.ok(&["remind", "--dry-run", "--as-of", "2023-07-18T09:05"]);
    let mail = mail_to(&tuesday, "各驻村组 联络员");
    assert!(mail.contains("审核已逾期"), "{mail}");
    assert!(mail.contains("审核期限：7月17日（已逾期1天）"), "{mail}");

    let out = office.ok(&[
        "review",
        "gulu-2023",
        "问题清单",
        "各村",
        "--accept",
        "--by",
        "驻村组",
        "--at",
        "2023-07-18T10:00",
    ]);
    assert!(
        out.contains("submitted on time"),
        "the village was on time: {out}"
    );
    let after = history("2023-07-19");
    let accepted = after["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "review_accepted")
        .unwrap_or_else(|| panic!("{after:#}"));
    assert_eq!(accepted["data"]["reviewed_late"], true, "{after:#}");
    // The bulletin names the late review as its reviewer's: waiting past its deadline while
    // July was under way, accepted late once it was over; and it marks the list as typed in
    // afterwards (补录: recorded years after it came).
    let bulletin = |as_of: &str| {
        office.ok(&[
            "bulletin",
            "gulu-2023",
            "--month",
            "2023-07",
            "--format",
            "md",
            "--as-of",
            as_of,
        ])
    };
    let waiting = bulletin("2023-07-18T09:00");
    assert!(waiting.contains("审核逾期情况"), "{waiting}");
    assert!(
        waiting.contains("| 各驻村组 | 各村 | 问题清单 | — | 逾期未审核（审核期限2023-07-17） |"),
        "{waiting}"
    );
    let over = bulletin("2023-08-01");
    assert!(
        over.contains("| 各驻村组 | 各村 | 问题清单 | — | 逾期审核（2023-07-18 10:00审核通过） |"),
        "{over}"
    );
    assert!(over.contains("补录情况"), "{over}");
    assert!(
        over.contains("| 各村 | 问题清单 | — | 2023-07-14 10:00 |"),
        "{over}"
    );
    // Reviewed, the reviewer is chased no more.
    let later = office.ok(&["remind", "--dry-run", "--as-of", "2023-07-19T09:05"]);
    assert!(!later.contains("待你单位审核"), "{later}");
    // At an instant before the review, the pass still saw it owed.
    let then = office.ok(&["remind", "--dry-run", "--as-of", "2023-07-18T09:05"]);
    assert!(then.contains("审核已逾期"), "{then}");
}

/// The mail of a dry run addressed to `whom` (`To: 各村 联络员 <…>`), or "".
fn mail_to<'a>(dry_run: &'a str, whom: &str) -> &'a str {
    dry_run
        .split("────")
        .find(|mail| mail.contains(&format!("To: {whom} <")))
        .unwrap_or("")
}

#[test]
fn a_reviewer_has_a_time_of_its_own_and_is_chased_on_sqlite() {
    a_reviewer_has_a_time_of_its_own_and_is_chased(Office::sqlite(&["gulu-2023"]));
}

#[test]
fn a_reviewer_has_a_time_of_its_own_and_is_chased_on_postgres() {
    if let Some(office) = Office::postgres(&["gulu-2023"]) {
        a_reviewer_has_a_time_of_its_own_and_is_chased(office);
    }
}

/// Figures and targets as they stood: a roll-up at T adds up only what was submitted (and
/// still counted) by T, with the figures then; a target's value at T is the one reported by T.
fn figures_and_targets_at_an_instant(office: Office) {
    use crate::contents::{csv, figures};
    office.ok(&["sync", "--as-of", "2017-05-01"]);
    let send = |unit: &str, i: usize, at: &str, replace: bool| {
        let path = office.file(&format!("{unit}-{i}.csv"), csv(unit, &figures(i)));
        let mut args = vec![
            "submit",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--at",
            at,
            "--data",
            &path,
        ];
        if replace {
            args.push("--replace");
        }
        office.ok(&args);
    };
    send("宛城区", 1, "2017-05-20T10:00", false);
    send("卧龙区", 2, "2017-05-30T10:00", false);
    // 宛城区 corrects its figures on 2 June.
    send("宛城区", 3, "2017-06-02T10:00", true);
    let first = crate::contents::NANYANG_FIELDS[0];
    let rollup = |as_of: &str| {
        office.json(&[
            "rollup",
            "nanyang-2017",
            "统计表",
            "--period",
            "2017-05",
            "--as-of",
            as_of,
        ])
    };
    let row = |r: &serde_json::Value, unit: &str| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == unit)
            .cloned()
            .unwrap_or_else(|| panic!("{unit}: {r:#}"))
    };
    let may_25 = rollup("2017-05-25");
    assert_eq!(row(&may_25, "宛城区")["status"], "reported", "{may_25:#}");
    assert_ne!(row(&may_25, "卧龙区")["status"], "reported", "{may_25:#}");
    assert_eq!(
        row(&may_25, "宛城区")["values"][first],
        figures(1)[0],
        "the figures sent by then"
    );
    assert_eq!(
        may_25["total"]["values"][first],
        figures(1)[0],
        "{may_25:#}"
    );
    let june_1 = rollup("2017-06-01");
    assert_eq!(row(&june_1, "宛城区")["values"][first], figures(1)[0]);
    let total: i64 = [1, 2]
        .iter()
        .map(|i| figures(*i)[0].parse::<i64>().unwrap())
        .sum();
    assert_eq!(june_1["total"]["values"][first], total.to_string());
    let now = rollup("2017-06-05");
    assert_eq!(row(&now, "宛城区")["values"][first], figures(3)[0]);

    // 千阳's spending: 12% reported on 28 June, corrected to 55% on 3 July.
    for (value, at, replace) in [("12%", "2023-06-28", false), ("55%", "2023-07-03", true)] {
        let mut args = vec![
            "submit",
            "qianyang-2023",
            "衔接资金支出进度",
            "县乡村振兴局",
            "--period",
            "2023-06-30",
            "--value",
            value,
            "--at",
            at,
        ];
        if replace {
            args.push("--replace");
        }
        office.ok(&args);
    }
    let june = |as_of: &str| {
        let findings = office.json(&["targets", "--as-of", as_of]);
        findings
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["period"] == "2023-06-30")
            .cloned()
            .unwrap_or_else(|| panic!("{findings:#}"))
    };
    let before = june("2023-07-01");
    assert_eq!(before["value"], 12.0, "{before:#}");
    assert_eq!(before["state"], "below_target", "{before:#}");
    let after = june("2023-07-05");
    assert_eq!(after["value"], 55.0, "{after:#}");
    assert_eq!(after["state"], "met", "{after:#}");
}

#[test]
fn figures_and_targets_at_an_instant_on_sqlite() {
    figures_and_targets_at_an_instant(Office::sqlite(&["nanyang-2017", "qianyang-2023"]));
}

#[test]
fn figures_and_targets_at_an_instant_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017", "qianyang-2023"]) {
        figures_and_targets_at_an_instant(office);
    }
}

/// 古路's villages send their problem list at `at`, signed as the form asks.
fn submit_gulu_list(office: &Office, at: &str) {
    office.ok(&[
        "submit",
        "gulu-2023",
        "问题清单",
        "各村",
        "--at",
        at,
        "--signed-by",
        "张:村书记",
        "--signed-by",
        "李:驻村领导",
        "--signed-by",
        "王:经办人员",
    ]);
}
