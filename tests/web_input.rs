//! What people send through the pages and the API: every file part named (`filename*` too) or
//! refused, never dropped; every text held to its limit, refused with the field's name; names
//! shown as they are, without bidi controls.

use crate::common::Workspace;
use crate::webserver::{Reply, Server, sign_up, token};

const FIGURES: [(&str, &str); 9] = [
    ("中省市转办线索数", "3"),
    ("自查自纠问题线索数", "2"),
    ("查处问题数", "4"),
    ("约谈函询人数", "1"),
    ("组织处理人数", "0"),
    ("党纪处分人数", "1"),
    ("政纪处分人数", "0"),
    ("责任追究人数", "0"),
    ("移送司法机关人数", "0"),
];

/// A multipart body of `parts` (name, value) with the form's figures, then `files` (each a
/// Content-Disposition's parameters after the part's name, and the bytes).
fn multipart(parts: &[(&str, &str)], files: &[(&str, &str)]) -> (String, String) {
    let boundary = "input-boundary";
    let mut body = String::new();
    let figures = FIGURES.iter().map(|(f, v)| (format!("f:{f}"), *v));
    let named = parts.iter().map(|(n, v)| (n.to_string(), *v));
    for (name, value) in named.chain(figures) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    for (disposition, bytes) in files {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"{disposition}\r\n\r\n{bytes}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("Content-Type: multipart/form-data; boundary={boundary}"),
        body,
    )
}

fn api_submit(server: &Server, unit: &str, files: &[(&str, &str)], note: &str) -> Reply {
    let mut parts = vec![
        ("campaign", "nanyang-2017"),
        ("deliverable", "统计表"),
        ("unit", "宛城区"),
        ("period", "2017-04"),
    ];
    if !note.is_empty() {
        parts.push(("f:备注", note));
    }
    let (content_type, body) = multipart(&parts, files);
    server.exchange(
        "POST",
        "/api/v1/submissions",
        &[format!("Authorization: Bearer {unit}"), content_type],
        &body,
    )
}

fn events(w: &Workspace) -> serde_json::Value {
    w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-28",
    ])["events"]
        .clone()
}

#[test]
fn the_api_names_every_file_or_refuses_it_and_holds_text_to_its_limit() {
    let w = Workspace::new(&["nanyang-2017"]);
    let created = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    let unit = created.trim().rsplit(' ').next().unwrap().to_string();
    let server = Server::start(&w, "2017-05-27");

    // `curl -F 'file=<data.txt'`: a file part without a name is refused, naming the part.
    let unnamed = api_submit(&server, &unit, &[("", "data")], "");
    assert_eq!(unnamed.status, 400, "{}", unnamed.body);
    let json: serde_json::Value = serde_json::from_str(&unnamed.body).unwrap();
    assert_eq!(json["code"], "unnamed_file", "{json}");
    assert!(json["error"].as_str().unwrap().contains("file"), "{json}");
    assert!(
        json["error"].as_str().unwrap().contains("没有文件名"),
        "{json}"
    );
    // A text past its limit: refused with the field's name and a code.
    let long = "字".repeat(2001);
    let note = api_submit(&server, &unit, &[("; filename=\"a.txt\"", "a")], &long);
    assert_eq!(note.status, 400, "{}", note.body);
    let json: serde_json::Value = serde_json::from_str(&note.body).unwrap();
    assert_eq!(json["code"], "too_long", "{json}");
    assert_eq!(json["field"], "备注", "{json}");
    let mut values = serde_json::Map::new();
    for (f, v) in FIGURES {
        values.insert(f.into(), v.into());
    }
    values.insert("备注".into(), "x".repeat(10 << 20).into());
    let huge = serde_json::json!({"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-04","values":values});
    let huge = server.api(
        "POST",
        "/api/v1/submissions",
        &unit,
        Some(&huge.to_string()),
    );
    assert_eq!(huge.status, 400, "{}", huge.body);
    assert!(huge.body.contains("\"code\":\"too_long\""), "{}", huge.body);
    assert!(
        huge.body.contains("备注：不能超过 2000 个字符"),
        "{}",
        huge.body
    );
    let long_name = format!("; filename=\"{}.txt\"", "名".repeat(300));
    let named = api_submit(&server, &unit, &[(&long_name, "a")], "");
    assert_eq!(named.status, 400, "{}", named.body);
    assert!(named.body.contains("附件文件名"), "{}", named.body);
    assert_eq!(events(&w).as_array().unwrap().len(), 0, "nothing recorded");

    // `filename*` alone names the file (RFC 6266); bidi controls are taken out of a name.
    let sent = api_submit(
        &server,
        &unit,
        &[
            (
                "; filename*=UTF-8''%E5%9B%9B%E6%9C%88%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx",
                "PK",
            ),
            ("; filename=\"invoice\u{202e}txt.exe\"", "MZ"),
        ],
        "按时报送",
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let events = events(&w);
    let names: Vec<&str> = events[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["四月统计表.xlsx", "invoicetxt.exe"], "{events}");

    let spec = server.api("GET", "/api/v1/openapi.json", "", None);
    let spec: serde_json::Value = serde_json::from_str(&spec.body).unwrap();
    let body = &spec["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"];
    // The body's schema is the type the server reads it into, kept among the components.
    assert_eq!(
        body["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewSubmission"
    );
    let submission = &spec["components"]["schemas"]["NewSubmission"];
    assert_eq!(
        submission["properties"]["values"]["additionalProperties"]["maxLength"],
        2000
    );
    assert_eq!(submission["additionalProperties"], false);
    assert!(spec["paths"]["/api/v1/submissions"]["post"]["responses"]["400"].is_object());
}

#[test]
fn the_pages_refuse_what_they_cannot_name_or_is_too_long_in_chinese() {
    let w = Workspace::new(&["nanyang-2017"]);
    let link = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let office_link = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let server = Server::start(&w, "2017-05-27");
    let cookie = sign_up(&server, &link, "张三", "a long enough password");
    let path = "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-04";
    let page = server.get(path, &cookie);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("maxlength=\"2000\""), "{}", page.body);
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let post = |files: &[(&str, &str)], note: &str| {
        let mut parts = vec![("csrf", csrf.as_str())];
        if !note.is_empty() {
            parts.push(("f:备注", note));
        }
        let (content_type, body) = multipart(&parts, files);
        server.exchange(
            "POST",
            &format!("{path}/submit"),
            &[format!("Cookie: {cookie}"), content_type],
            &body,
        )
    };
    let unnamed = post(&[("", "data")], "");
    assert_eq!(unnamed.status, 400, "{}", unnamed.body);
    assert!(unnamed.body.contains("没有文件名"), "{}", unnamed.body);
    let long = post(&[], &"注".repeat(2001));
    assert_eq!(long.status, 400, "{}", long.body);
    assert!(
        long.body.contains("备注：不能超过 2000 个字符"),
        "{}",
        long.body
    );
    // A browser's empty file input (an empty name, no bytes) is no file, and no refusal.
    let done = post(&[("; filename=\"\"", "")], "");
    assert_eq!(done.status, 303, "{}", done.body);

    // An account or unit name with a bidi control, or too long, is refused on the office's page.
    let office = sign_up(&server, &office_link, "主任", "a long enough password");
    let accounts = server.get("/accounts", &office);
    assert!(
        accounts.body.contains("maxlength=\"64\""),
        "{}",
        accounts.body
    );
    let secret = accounts
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let add = |name: &str, unit: &str| {
        server.send(
            "POST",
            "/accounts",
            &office,
            &[
                ("csrf", &secret),
                ("name", name),
                ("unit", unit),
                ("role", "liaison"),
            ],
        )
    };
    let bidi = add("李\u{202e}四", "宛城区");
    assert_eq!(bidi.status, 422, "{}", bidi.body);
    assert!(bidi.body.contains("U+202E"), "{}", bidi.body);
    let unit = add("李四", "宛城区\u{202e}");
    assert_eq!(unit.status, 422, "{}", unit.body);
    assert!(
        unit.body.contains("单位名称含有不可见的控制字符"),
        "{}",
        unit.body
    );
    let long = add(&"李".repeat(65), "宛城区");
    assert_eq!(long.status, 422, "{}", long.body);
    assert!(
        long.body.contains("账号名称：不能超过 64 个字符"),
        "{}",
        long.body
    );
}
