//! 古路's problem list as a ledger (台账): each problem a row of its own, closed out (销号) by
//! its deadline with the three signatures, reviewed by the resident work team — and a row past
//! its deadline is overdue like any report.

use super::Office;

const LEDGER: &str = "问题台账";
const SIGNED: [&str; 6] = [
    "--signed-by",
    "张三:村书记",
    "--signed-by",
    "李四:驻村领导",
    "--signed-by",
    "王五:经办人员",
];

fn add(office: &Office, values: &[&str], more: &[&str]) -> String {
    let mut args = vec!["ledger", "add", "gulu-2023", LEDGER, "--unit", "各村"];
    for v in values {
        args.extend(["--value", v]);
    }
    args.extend(more);
    office.ok(&args)
}

fn rows_are_closed_out_one_by_one(office: Office) {
    let out = add(
        &office,
        &[
            "问题类别=资金管理不规范",
            "自查问题=补助资金未按时发放",
            "整改措施=限期发放",
        ],
        &["--at", "2023-07-15"],
    );
    assert_eq!(
        out,
        "recorded: gulu-2023 问题台账 各村 #1 — not yet due (due 2023-10-20)\n"
    );
    // Several rows from the village's spreadsheet, one with a deadline of its own.
    let data = office.file(
        "清单.csv",
        "填报单位,问题类别,自查问题,整改措施,销号时限\n各村,政策落实打折扣,未按要求公示,补公示,2023-08-01\n各村,履行职责不到位,档案不全,补齐档案,\n",
    );
    let out = office.ok(&[
        "ledger",
        "add",
        "gulu-2023",
        LEDGER,
        "--data",
        &data,
        "--at",
        "2023-07-16",
    ]);
    assert!(out.contains("#2 — not yet due (due 2023-08-01)"), "{out}");
    assert!(out.contains("#3 — not yet due (due 2023-10-20)"), "{out}");
    // Progress on row 1 (整改中); the other fields keep their values.
    office.ok(&[
        "ledger",
        "update",
        "gulu-2023",
        LEDGER,
        "1",
        "--value",
        "整改进度=已发放一半",
        "--at",
        "2023-07-20",
    ]);
    // Row 2 is past its deadline: overdue, with its row, like any report.
    let overdue = office.json(&[
        "overdue",
        "--as-of",
        "2023-08-05",
        "--campaign",
        "gulu-2023",
    ]);
    let rows: Vec<&serde_json::Value> = overdue
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["deliverable"] == LEDGER)
        .collect();
    assert_eq!(rows.len(), 1, "{overdue}");
    assert_eq!(rows[0]["period"], "#2");
    assert_eq!(rows[0]["unit"], "各村");
    // Closed out with the signatures the form asks for; the work team reviews it.
    let error = office.fails(&[
        "ledger",
        "close",
        "gulu-2023",
        LEDGER,
        "2",
        "--at",
        "2023-08-06",
    ]);
    assert!(
        error.contains("must be signed by 村书记、驻村领导、经办人员"),
        "{error}"
    );
    let evidence = office.file("公示照片.txt", "公示栏照片");
    let mut close = vec![
        "ledger",
        "close",
        "gulu-2023",
        LEDGER,
        "#2",
        "--at",
        "2023-08-06",
        "--file",
        &evidence,
    ];
    close.extend(SIGNED);
    let out = office.ok(&close);
    // Closed after its deadline (8-01): its reviewer still has a day from when it came.
    assert!(
        out.contains("under review, waiting for review by 各驻村组"),
        "{out}"
    );
    office.ok(&[
        "review",
        "gulu-2023",
        LEDGER,
        "各村",
        "--period",
        "#2",
        "--accept",
        "--at",
        "2023-08-07",
    ]);
    // A row closed out is not closed out again.
    let mut again = close.clone();
    again[6] = "2023-08-08";
    let error = office.fails(&again);
    assert!(
        error.contains("gulu-2023 问题台账 各村 #2 is closed out already"),
        "{error}"
    );
    // As it stood on 7-17: the rows entered by then, with their values then (the progress
    // of 7-20 not yet noted).
    let then = office.json(&[
        "ledger",
        "show",
        "gulu-2023",
        LEDGER,
        "--as-of",
        "2023-07-15T23:00",
    ]);
    assert_eq!(then["rows"].as_array().unwrap().len(), 1, "{then:#}");
    assert_eq!(then["units"][0]["entered"], 1, "{then:#}");
    let then = office.json(&[
        "ledger",
        "show",
        "gulu-2023",
        LEDGER,
        "--as-of",
        "2023-07-17",
    ]);
    assert_eq!(then["rows"].as_array().unwrap().len(), 3, "{then:#}");
    assert_eq!(then["rows"][0]["state"], "open", "{then:#}");
    assert!(then["rows"][0]["values"]["整改进度"].is_null(), "{then:#}");
    assert_eq!(then["rows"][0]["values"]["自查问题"], "补助资金未按时发放");
    // The ledger as it stands, and its reconciliation (对账).
    let view = office.json(&[
        "ledger",
        "show",
        "gulu-2023",
        LEDGER,
        "--as-of",
        "2023-08-10",
    ]);
    let states: Vec<&str> = view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["rectifying", "closed", "open"]);
    assert_eq!(view["rows"][0]["values"]["整改进度"], "已发放一半");
    assert_eq!(view["rows"][0]["values"]["自查问题"], "补助资金未按时发放");
    assert_eq!(view["units"][0]["unit"], "各村");
    assert_eq!(view["units"][0]["entered"], 3);
    assert_eq!(view["units"][0]["closed"], 1);
    assert_eq!(view["units"][0]["open"], 2);
    // A 回头看 finds it was not rectified: reopened, and (past its deadline) overdue again.
    office.ok(&[
        "ledger",
        "reopen",
        "gulu-2023",
        LEDGER,
        "2",
        "--reason",
        "回头看发现未整改到位",
        "--at",
        "2023-08-10",
    ]);
    let view = office.json(&[
        "ledger",
        "show",
        "gulu-2023",
        LEDGER,
        "--as-of",
        "2023-08-11",
    ]);
    assert_eq!(view["rows"][1]["state"], "overdue");
    assert_eq!(view["units"][0]["overdue"], 1);
    // Every change is in the row's history.
    let history = office.json(&[
        "history",
        "gulu-2023",
        LEDGER,
        "各村",
        "--period",
        "#1",
        "--as-of",
        "2023-08-11",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["entered", "updated"]);
    // Editing the campaign file leaves the rows alone.
    let path = office.w.campaign("gulu-2023");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "字段 整改进度 文本 可选",
            "字段 整改进度 文本 可选\n  字段 备注 文本 可选",
        ),
    )
    .unwrap();
    let view = office.json(&[
        "ledger",
        "show",
        "gulu-2023",
        LEDGER,
        "--as-of",
        "2023-08-11",
    ]);
    assert_eq!(view["rows"].as_array().unwrap().len(), 3, "{view}");
    assert!(
        view["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "备注")
    );
}

#[test]
fn the_gulu_problem_list_is_closed_out_row_by_row_on_sqlite() {
    rows_are_closed_out_one_by_one(Office::sqlite(&["gulu-2023"]));
}

#[test]
fn the_gulu_problem_list_is_closed_out_row_by_row_on_postgres() {
    if let Some(office) = Office::postgres(&["gulu-2023"]) {
        rows_are_closed_out_one_by_one(office);
    }
}

#[test]
fn bad_rows_are_refused_and_nothing_is_entered() {
    let office = Office::sqlite(&["gulu-2023"]);
    let data = office.file(
        "bad.csv",
        "填报单位,问题类别,自查问题,整改措施,销号时限\n各村,乱收费,x,y,2023-08-01\n镇村建中心,资金管理不规范,x,y,\n各村,资金管理不规范,x,y,八月\n",
    );
    let error = office.fails(&[
        "ledger",
        "add",
        "gulu-2023",
        LEDGER,
        "--data",
        &data,
        "--at",
        "2023-07-16",
    ]);
    assert!(
        error.contains(&format!("{data}:2:2: 问题类别: `乱收费` is not one of 资金管理不规范|政策落实打折扣|履行职责不到位|违反廉洁纪律行为")),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "{data}:3:1: 镇村建中心 keeps no rows of this ledger (its rows are kept by 各村)"
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("{data}:4:5: `八月` is not a date")),
        "{error}"
    );
    assert!(error.contains("nothing was recorded"), "{error}");
    let view = office.json(&[
        "ledger",
        "show",
        "gulu-2023",
        LEDGER,
        "--as-of",
        "2023-07-20",
    ]);
    assert!(view["rows"].as_array().unwrap().is_empty());
    let error = office.fails(&[
        "ledger",
        "close",
        "gulu-2023",
        LEDGER,
        "9",
        "--at",
        "2023-07-20",
    ]);
    assert!(error.contains("问题台账 has no row 9"), "{error}");
    let error = office.fails(&[
        "ledger",
        "add",
        "gulu-2023",
        "问题清单",
        "--value",
        "a=1",
        "--at",
        "2023-07-20",
    ]);
    assert!(
        error.contains("问题清单 is a report, not a ledger"),
        "{error}"
    );
    let error = office.fails(&[
        "ledger",
        "add",
        "gulu-2023",
        LEDGER,
        "--unit",
        "各村",
        "--value",
        "问题类别=资金管理不规范",
        "--at",
        "2023-07-20",
    ]);
    assert!(error.contains("自查问题: missing"), "{error}");
}
