//! The report form as a county clerk meets it: what it asks for and to whom it goes, a keypad
//! for figures on a phone, a returned report starting from what was sent with the reason
//! beside it, a file chosen before a refused figure asked for again, and the signatures a
//! reviewer must see before deciding.

use crate::common::Workspace;
use crate::webserver::{Server, sign_up, token};

pub(crate) const PAGE: &str =
    "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-04";

pub(crate) const FIGURES: [(&str, &str); 9] = [
    ("中省市转办线索数", "3"),
    ("自查自纠问题线索数", "2"),
    ("查处问题数", "4"),
    ("约谈函询人数", "1"),
    ("组织处理人数", "0"),
    ("党纪处分人数", "1"),
    ("政纪处分人数", "0"),
    ("责任追究人数", "7"),
    ("移送司法机关人数", "0"),
];

pub(crate) fn csrf(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

/// The obligation page's report form sent with `figures` and, if given, one file.
pub(crate) fn send(
    server: &Server,
    cookie: &str,
    figures: &[(&str, &str)],
    file: bool,
) -> (u16, String) {
    let page = server.get(PAGE, cookie);
    let boundary = "form-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
        csrf(&page.body)
    );
    for (field, value) in figures {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"f:{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    if file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"四月统计表.xlsx\"\r\n\r\nPK\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let reply = server.exchange(
        "POST",
        &format!("{PAGE}/submit"),
        &[
            format!("Cookie: {cookie}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    );
    (reply.status, reply.body)
}

/// The input of `field` on `page`, as written.
fn input<'a>(page: &'a str, field: &str) -> &'a str {
    let at = page
        .find(&format!("name=\"f:{field}\""))
        .unwrap_or_else(|| panic!("no input for {field}:\n{page}"));
    let start = page[..at].rfind('<').unwrap();
    let end = at + page[at..].find('>').unwrap();
    &page[start..=end]
}

#[test]
fn a_returned_report_starts_from_what_was_sent_and_a_refused_file_is_asked_for_again() {
    let w = Workspace::new(&["nanyang-2017"]);
    let clerk = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let server = Server::start(&w, "2017-04-20");
    let clerk = sign_up(&server, &clerk, "张三", "a long enough password");
    let office = sign_up(&server, &office, "主任", "a long enough password");

    // What it asks for, and a keypad for figures.
    let first = server.get(PAGE, &clerk).body;
    assert!(first.contains("报送至：党风政风监督室"), "{first}");
    assert!(first.contains("表单：附件3 统计表"), "{first}");
    assert!(first.contains("还有5天"), "{first}");
    assert!(input(&first, "查处问题数").contains("inputmode=\"numeric\""));
    assert!(!input(&first, "查处问题数").contains("value=\"4\""));
    assert!(!first.contains("id=\"prefilled\""), "nothing sent yet");

    assert_eq!(send(&server, &clerk, &FIGURES, true).0, 303);

    // The office returns it with a reason; the clerk finds the figures sent, and the reason.
    let page = server.get(PAGE, &office);
    let returned = server.send(
        "POST",
        &format!("{PAGE}/act"),
        &office,
        &[
            ("csrf", &csrf(&page.body)),
            ("action", "return"),
            ("reason", "责任追究人数有误"),
            ("confirm", "1"),
        ],
    );
    assert_eq!(returned.status, 303, "{}", returned.body);
    let again = server.get(PAGE, &clerk).body;
    assert!(again.contains("id=\"returned-reason\""), "{again}");
    assert!(again.contains("退回理由：责任追究人数有误"), "{again}");
    assert!(again.contains("id=\"prefilled\""), "{again}");
    for (field, value) in FIGURES {
        assert!(
            input(&again, field).contains(&format!("value=\"{value}\"")),
            "{field}: {}",
            input(&again, field)
        );
    }

    // A refused figure with a file chosen: what was typed is kept, the file asked for again.
    let mut wrong = FIGURES;
    wrong[7] = ("责任追究人数", "七");
    let (status, body) = send(&server, &clerk, &wrong, true);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("id=\"files-again\""), "{body}");
    assert!(body.contains("所选附件未保存，请重新选择"), "{body}");
    assert!(
        body.contains("「七」不是数字（本栏应填整数（人），不小于0，必填）"),
        "in Chinese, in the page's terms: {body}"
    );
    assert!(
        input(&body, "责任追究人数").contains("value=\"七\""),
        "{body}"
    );
    assert!(
        !body.contains("id=\"prefilled\""),
        "what was typed, not what was sent"
    );
    // Without a file, nothing is asked for again.
    let (status, body) = send(&server, &clerk, &wrong, false);
    assert_eq!(status, 422);
    assert!(!body.contains("id=\"files-again\""), "{body}");
}

/// 古路's villages send their problem list on 14 July, signed as the form asks.
pub(crate) fn send_signed_list(w: &Workspace) {
    w.ok(&[
        "submit",
        "gulu-2023",
        "问题清单",
        "各村",
        "--at",
        "2023-07-14T10:00",
        "--signed-by",
        "张明:村书记",
        "--signed-by",
        "李华:驻村领导",
        "--signed-by",
        "王芳:经办人员",
    ]);
}

#[test]
fn the_signatures_of_a_submission_are_shown_to_whoever_decides_on_it() {
    let w = Workspace::new(&["gulu-2023"]);
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    w.ok(&["sync", "--as-of", "2023-07-10"]);
    send_signed_list(&w);
    let server = Server::start(&w, "2023-07-15");
    let office = sign_up(&server, &office, "主任", "a long enough password");
    let page = server
        .get(
            "/o/gulu-2023/%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95/%E5%90%84%E6%9D%91/-",
            &office,
        )
        .body;
    assert!(
        page.contains("须签字：村书记、驻村领导、经办人员"),
        "{page}"
    );
    assert!(
        page.contains("签字：村书记：张明；驻村领导：李华；经办人员：王芳"),
        "{page}"
    );
}

#[test]
fn a_reviewer_lands_on_its_queue_with_counts_times_and_filters() {
    let w = Workspace::new(&["gulu-2023"]);
    let reviewer = token(&w.ok(&[
        "user",
        "add",
        "驻村审核",
        "--unit",
        "各驻村组",
        "--role",
        "reviewer",
    ]));
    w.ok(&["sync", "--as-of", "2023-07-10"]);
    send_signed_list(&w);
    let server = Server::start(&w, "2023-07-15");
    let reviewer = sign_up(&server, &reviewer, "驻村审核", "a long enough password");
    let landing = server.get("/board", &reviewer);
    assert_eq!(landing.status, 303);
    assert_eq!(landing.header("location"), Some("/review"));
    let queue = server.get("/review", &reviewer).body;
    assert!(queue.contains("待审核（1）"), "{queue}");
    assert!(queue.contains("2023-07-14 10:00"), "when it came: {queue}");
    assert!(
        queue.contains(
            "<td data-label=\"专项\">农村危房整治补助资金领域腐败和作风问题专项治理</td>"
        ) && queue.contains(
            r#"<option value="gulu-2023">农村危房整治补助资金领域腐败和作风问题专项治理</option>"#
        ),
        "the campaign by its title: {queue}"
    );
    let filtered = server
        .get("/review?unit=%E5%88%AB%E7%9A%84", &reviewer)
        .body;
    assert!(filtered.contains("待审核（0）"), "{filtered}");
    let by_report = server
        .get(
            "/review?deliverable=%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95",
            &reviewer,
        )
        .body;
    assert!(by_report.contains("待审核（1）"), "{by_report}");
}

#[test]
fn refusals_on_the_pages_are_chinese_and_name_no_flag() {
    let w = Workspace::new(&["gulu-2023"]);
    let clerk = token(&w.ok(&[
        "user",
        "add",
        "村文书",
        "--unit",
        "各村",
        "--role",
        "liaison",
    ]));
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let server = Server::start(&w, "2023-07-10");
    let clerk = sign_up(&server, &clerk, "村文书", "a long enough password");
    let office = sign_up(&server, &office, "主任", "a long enough password");
    // The list sent without the three signatures it needs.
    let page = "/o/gulu-2023/%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95/%E5%90%84%E6%9D%91/-";
    let body = server.get(page, &clerk).body;
    let boundary = "sig-boundary";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}--\r\n",
        csrf(&body)
    );
    let refused = server.exchange(
        "POST",
        &format!("{page}/submit"),
        &[
            format!("Cookie: {clerk}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &form,
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("须由村书记、驻村领导、经办人员签字，尚缺：村书记、驻村领导、经办人员"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("--signed-by"), "{}", refused.body);
    // An account for a unit mistyped: told in Chinese, with the nearest name.
    let accounts = server.get("/accounts", &office).body;
    let made = server.send(
        "POST",
        "/accounts",
        &office,
        &[
            ("csrf", &csrf(&accounts)),
            ("name", "张三"),
            ("role", "liaison"),
            ("unit", "镇村建中"),
        ],
    );
    assert!(
        made.body
            .contains("没有名为「镇村建中」的单位，是否指「镇村建中心」？"),
        "{}",
        made.body
    );
}

/// The overdue list says which campaign, links each obligation, names the liaison and the
/// number to call (the directory's villages have both), sorts and pages, and its workbook's
/// header is Chinese.
#[test]
fn the_overdue_list_names_whom_to_call_and_links_each_obligation() {
    let w = Workspace::new(&[]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    std::fs::copy(
        crate::common::root().join("examples/directory/gulu-villages.campaign"),
        w.path().join("campaigns/gulu-villages.campaign"),
    )
    .unwrap();
    let sheet = crate::common::root().join("examples/directory/gulu-villages.csv");
    w.ok(&["units", "import", sheet.to_str().unwrap()]);
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    w.ok(&["sync", "--as-of", "2023-07-01"]);
    let server = Server::start(&w, "2023-07-25");
    let office = sign_up(&server, &office, "主任", "a long enough password");
    let list = server.get("/overdue", &office).body;
    // The campaign by its title, as the board names it.
    assert!(
        list.contains("<td data-label=\"专项\">农村危房整治补助资金领域腐败和作风问题专项治理（各村问题清单）</td>"),
        "{list}"
    );
    assert!(list.contains("王晓东"), "the liaison by name: {list}");
    assert!(
        list.contains("13800000001"),
        "and the number to call: {list}"
    );
    assert!(
        list.contains("o&#x2f;gulu-villages&#x2f;%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95&#x2f;"),
        "each obligation linked: {list}"
    );
    let by_unit = server.get("/overdue?sort=unit", &office).body;
    let first = by_unit.find("示例一村").unwrap();
    let community = by_unit.find("示例社区").unwrap();
    assert!(first < community, "{by_unit}");
    let book = server.get("/overdue?format=xlsx", &office);
    assert_eq!(book.status, 200);
    // The command line's workbook is headed in Chinese too.
    let out = w.path().join("逾期.xlsx");
    w.ok(&[
        "overdue",
        "--as-of",
        "2023-07-25",
        "--format",
        "xlsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    use calamine::Reader as _;
    let mut workbook = calamine::open_workbook_auto(&out).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    let first: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first[0], "专项工作", "{first:?}");
    assert_eq!(first[10], "联络员", "{first:?}");
}

/// The words a person reads on the pages are Chinese: outside names (campaign keys, file
/// names, accounts) and numbers, no English word is shown on any page of any role.
#[test]
fn the_pages_show_no_english_words() {
    let w = Workspace::new(&["nanyang-2017"]);
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let clerk = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let reviewer = token(&w.ok(&[
        "user",
        "add",
        "李审",
        "--unit",
        "党风政风监督室",
        "--role",
        "reviewer",
    ]));
    let server = Server::start(&w, "2017-05-27");
    let office = sign_up(&server, &office, "主任", "a long enough password");
    let clerk = sign_up(&server, &clerk, "张三", "a long enough password");
    let reviewer = sign_up(&server, &reviewer, "李审", "a long enough password");
    // A report sent, so that the queue and the obligation's page show what was sent.
    assert_eq!(send(&server, &clerk, &FIGURES, false).0, 303);
    // Names: the campaign's key, the product's, file formats people know by these names, and
    // how the history names what a token did (`token:名称`).
    let allowed = ["nanyang", "duban", "CSV", "Excel", "Word", "token"];
    let pages = [
        ("/login", ""),
        ("/board", office.as_str()),
        ("/board?campaign=nanyang-2017", office.as_str()),
        ("/overdue", office.as_str()),
        ("/accounts", office.as_str()),
        ("/units", office.as_str()),
        ("/units?under=%E6%97%A0%E6%AD%A4", office.as_str()),
        ("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", clerk.as_str()),
        (PAGE, clerk.as_str()),
        (PAGE, office.as_str()),
        ("/review", reviewer.as_str()),
        ("/nowhere", clerk.as_str()),
        (
            "/bulletin?campaign=nanyang-2017&period=2017-05",
            office.as_str(),
        ),
        ("/bulletin?campaign=nanyang-2017", office.as_str()),
        (
            "/bulletin?campaign=nanyang-2017&period=2017-Q2",
            office.as_str(),
        ),
        (
            "/bulletin?campaign=nanyang-2017&period=%E4%BA%94%E6%9C%88",
            office.as_str(),
        ),
        (PAGE, reviewer.as_str()),
        ("/import", office.as_str()),
        (
            "/board?campaign=nanyang-2017&colour=red&deliverable=%E7%BB%9F%E8%AE%A1%E8%A1%A8",
            office.as_str(),
        ),
        ("/board?campaign=nanyang-2017&level=1", office.as_str()),
        ("/review?page=2&later=3", reviewer.as_str()),
    ];
    let mut bodies: Vec<(String, String)> = pages
        .iter()
        .map(|(path, cookie)| (path.to_string(), server.get(path, cookie).body))
        .collect();
    // The page that asks before a 退回.
    let secret = csrf(&server.get(PAGE, &reviewer).body);
    let asked = server.send(
        "POST",
        &format!("{PAGE}/act"),
        &reviewer,
        &[
            ("csrf", &secret),
            ("action", "return"),
            ("reason", "责任追究人数有误"),
        ],
    );
    assert!(asked.body.contains("确认退回？"), "{}", asked.body);
    bodies.push((format!("{PAGE}/act"), asked.body));
    // The calendar's link, made on the unit's page.
    let secret = csrf(&server.get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", &clerk).body);
    let calendar = server.send(
        "POST",
        "/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA/calendar",
        &clerk,
        &[("csrf", &secret)],
    );
    assert_eq!(calendar.status, 200, "{}", calendar.body);
    bodies.push(("/unit/…/calendar".into(), calendar.body));
    // A clerk's sheet refused row by row.
    let secret = csrf(&server.get("/import", &office).body);
    let refused = crate::organisation::upload_to(
        &server,
        "/import",
        &office,
        &secret,
        Some((
            "收文.csv",
            "报送单位,报送事项,期次,报送时间\n宛城,统计表,2017-05,2017-05-24 10:00\n卧龙区,统计表,,2017-05-24\n卧龙区,统计表,2017-05,明天\n",
        )),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    bodies.push(("/import (refused)".into(), refused.body));
    let mut found = Vec::new();
    for (path, body) in &bodies {
        // Every page fits a phone's width.
        assert!(
            body.contains(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            ),
            "{path}: no viewport"
        );
        // The visible text: tags, styles and scripts taken out.
        let mut text = String::new();
        let mut rest = body.as_str();
        for hidden in ["<style", "<script"] {
            while let Some(start) = rest.find(hidden) {
                let end = rest[start..].find("</").map_or(rest.len(), |e| start + e);
                text.push_str(&rest[..start]);
                rest = &rest[end..];
            }
        }
        text.push_str(rest);
        let mut visible = String::new();
        let mut in_tag = false;
        for c in text.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    visible.push(' ');
                }
                c if !in_tag => visible.push(c),
                _ => {}
            }
        }
        // Mail addresses are names too.
        let visible: String = visible
            .split_whitespace()
            .filter(|w| !w.contains('@'))
            .collect::<Vec<_>>()
            .join(" ");
        for word in visible.split(|c: char| !c.is_ascii_alphabetic()) {
            if word.len() >= 2 && !allowed.iter().any(|a| a.eq_ignore_ascii_case(word)) {
                found.push(format!("{path}: {word}"));
            }
        }
    }
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "English on the pages:\n{}",
        found.join("\n")
    );
}
