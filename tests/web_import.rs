//! `/import`: the office records a clerk's spreadsheet of reports on a page, with the checks of
//! `duban import` — all rows or none, each refused row named in Chinese with what to correct;
//! an office bound to another campaign records nothing of this one's.

use crate::common::Workspace;
use crate::webserver::{Reply, Server, sign_up, token};

const HEADER: &str = "报送单位,报送事项,期次,报送时间,中省市转办线索数,自查自纠问题线索数,查处问题数,约谈函询人数,组织处理人数,党纪处分人数,政纪处分人数,责任追究人数,移送司法机关人数\n";

/// The form as a browser sends it: the secret, the campaign chosen and the file.
fn upload(
    server: &Server,
    cookie: &str,
    secret: &str,
    campaign: &str,
    file: (&str, &str),
) -> Reply {
    let boundary = "duban-test-boundary";
    let (name, text) = file;
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{secret}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"f:campaign\"\r\n\r\n{campaign}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n\
         --{boundary}--\r\n"
    );
    server.exchange(
        "POST",
        "/import",
        &[
            format!("Cookie: {cookie}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    )
}

fn secret_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

#[test]
fn the_office_records_a_clerks_sheet_all_rows_or_none() {
    let w = Workspace::new(&["nanyang-2017", "gulu-2023"]);
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let other = token(&w.ok(&[
        "user",
        "add",
        "古路主任",
        "--role",
        "office",
        "--campaign",
        "gulu-2023",
    ]));
    let server = Server::start(&w, "2017-05-27");
    let office = sign_up(&server, &office, "主任", "a long enough password");
    let form = server.get("/import", &office);
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("报送单位、报送事项、期次、报送时间"),
        "{}",
        form.body
    );
    let secret = secret_of(&form.body);

    // One good row, three bad: nothing recorded, each bad row named with what to correct.
    let sheet = format!(
        "{HEADER}宛城区,统计表,2017-05,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n宛城,统计表,2017-05,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n卧龙区,统计表,2017-05,2017-05-24 10:00,三,2,4,1,0,1,0,0,0\n南召县,统计表,,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n"
    );
    let refused = upload(
        &server,
        &office,
        &secret,
        "nanyang-2017",
        ("收文.csv", &sheet),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    for said in [
        "有 3 行需要更正，未导入任何一行",
        "第 3 行",
        "没有名为「宛城」的单位，是否指「宛城区」？",
        "第 4 行",
        "「三」不是",
        "第 5 行",
        "统计表按期报送：这一行须填写期次",
    ] {
        assert!(refused.body.contains(said), "{said}: {}", refused.body);
    }
    let status = w.ok(&["status", "--as-of", "2017-05-27", "--format", "json"]);
    assert!(
        !status.contains("\"submitted\""),
        "nothing was recorded: {status}"
    );
    let history = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
    ]);
    assert!(!history.contains("submitted"), "{history}");

    // Corrected, the whole sheet is recorded, each at the time the sheet gives.
    let sheet = format!(
        "{HEADER}宛城区,统计表,2017-05,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n卧龙区,统计表,2017-05,2017-05-24 11:00,1,0,0,0,0,0,0,0,0\n"
    );
    let recorded = upload(
        &server,
        &office,
        &secret,
        "nanyang-2017",
        ("收文.csv", &sheet),
    );
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    assert!(
        recorded
            .body
            .contains("「收文.csv」已全部导入：记录 2 条，0 条此前已记录"),
        "{}",
        recorded.body
    );
    let history = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
    ]);
    assert!(history.contains("2017-05-24 10:00  submitted"), "{history}");
    assert!(
        history.contains("补录"),
        "recorded later, and says so: {history}"
    );

    // Another office's campaign is not 古路's office's to record in.
    let other = sign_up(&server, &other, "古路主任", "a long enough password");
    let secret = secret_of(&server.get("/import", &other).body);
    let sheet =
        "专项,报送单位,报送事项,期次,报送时间\nnanyang-2017,南召县,工作方案,,2017-04-14 10:00\n";
    let refused = upload(&server, &other, &secret, "gulu-2023", ("收文.csv", sheet));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("没有名为「nanyang-2017」的专项"),
        "{}",
        refused.body
    );
    // A blank form to fill in, from the obligation's page.
    let page = server.get(
        "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-06",
        &office,
    );
    assert!(page.body.contains("下载空白表格（Excel）"), "{}", page.body);
    let blank = server.get(
        "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-06/template",
        &office,
    );
    assert_eq!(blank.status, 200);
    assert!(blank.body.starts_with("PK"), "a workbook");
    assert!(
        blank
            .header("content-disposition")
            .is_some_and(|d| d.contains(".xlsx")),
        "{:?}",
        blank.headers
    );
    // A file that is no sheet.
    let refused = upload(
        &server,
        &office,
        &secret_of(&server.get("/import", &office).body),
        "nanyang-2017",
        ("收文.docx", "PK"),
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("「收文.docx」不是 Excel 或 CSV 文件"),
        "{}",
        refused.body
    );
}

/// The clerk's sheet through the API, as the page records it: all rows or none, each refused
/// row in `invalid` with its line; the office's token alone, never a read-only one.
#[test]
fn a_clerks_sheet_is_recorded_through_the_api() {
    let w = Workspace::new(&["nanyang-2017"]);
    let create = |args: &[&str]| {
        let made = w.ok(&[&["token", "create"][..], args].concat());
        made.split_whitespace().last().unwrap().to_string()
    };
    let office = create(&["--role", "office"]);
    let reader = create(&["--role", "office", "--read-only"]);
    let liaison = create(&["--role", "liaison", "--unit", "宛城区"]);
    let server = Server::start(&w, "2017-05-27");
    let bad = format!(
        "{HEADER}宛城区,统计表,2017-05,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n宛城,统计表,2017-05,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n"
    );
    let refused = server.api_multipart(
        "/api/v1/imports",
        &office,
        &[("campaign", "nanyang-2017")],
        &[("收文.csv", &bad)],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let said: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(said["code"], "bad_rows", "{said}");
    assert_eq!(said["invalid"][0]["at"], "第 3 行", "{said}");
    assert!(
        said["invalid"][0]["message"]
            .as_str()
            .unwrap()
            .contains("是否指「宛城区」"),
        "{said}"
    );
    let good = format!("{HEADER}宛城区,统计表,2017-05,2017-05-24 10:00,3,2,4,1,0,1,0,0,0\n");
    for token in [&liaison, &reader] {
        let refused = server.api_multipart(
            "/api/v1/imports",
            token,
            &[("campaign", "nanyang-2017")],
            &[("收文.csv", &good)],
        );
        assert_eq!(refused.status, 403, "{}", refused.body);
    }
    let history = |w: &Workspace| {
        w.ok(&[
            "history",
            "nanyang-2017",
            "统计表",
            "宛城区",
            "--period",
            "2017-05",
        ])
    };
    assert!(!history(&w).contains("submitted"), "nothing was recorded");
    let recorded = server.api_multipart(
        "/api/v1/imports",
        &office,
        &[("campaign", "nanyang-2017")],
        &[("收文.csv", &good)],
    );
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    assert_eq!(recorded.body, r#"{"recorded":1,"unchanged":0}"#);
    assert!(
        history(&w).contains("2017-05-24 10:00  submitted"),
        "{}",
        history(&w)
    );
    // No sheet at all, and a file that is none.
    let none = server.api_multipart("/api/v1/imports", &office, &[], &[]);
    assert_eq!(none.status, 400, "{}", none.body);
    let picture = server.api_multipart("/api/v1/imports", &office, &[], &[("照片.jpg", "xx")]);
    assert_eq!(picture.status, 422, "{}", picture.body);
    assert!(
        picture.body.contains("\"code\":\"bad_table\""),
        "{}",
        picture.body
    );
}
