//! The pages' readings through the API, against what the command line says of the same record —
//! the board's lights and tallies, the overdue list, a reviewer's queue, a unit's letters and the
//! bulletin, each with an `ETag` that makes an unchanged reading a 304, each to whom its page is
//! open — and the acts that settle a report (退回, 免报).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::Workspace;
use crate::mailserver::MailServer;
use crate::webserver::Server;

fn token(w: &Workspace, args: &[&str]) -> String {
    let made = w.ok(&[&["token", "create"][..], args].concat());
    made.split_whitespace().last().unwrap().to_string()
}

fn get(server: &Server, path: &str, token: &str) -> Value {
    let reply = server.api("GET", path, token, None);
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

/// 南阳 on 31 May: its 工作方案 reviewed by 党风政风监督室 and sent by 宛城区 alone (waiting for
/// its review), the 3-day rung issuing a 督办函 to each unit late with its May 统计表.
fn nanyang_on_31_may(smtp: &MailServer) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    crate::mail::configure_with(&w, &smtp.url(), "");
    let file = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&file).unwrap();
    let changed = text
        .replacen(
            "  逾期 3天 通知 联络员 分管领导\n",
            "  逾期 3天 通知 联络员 分管领导 发 督办函\n",
            1,
        )
        .replacen(
            "  时限 2017年4月15日前\n",
            "  时限 2017年4月15日前\n  审核 党风政风监督室\n",
            1,
        );
    assert_eq!(
        changed.matches("督办函").count(),
        1 + text.matches("督办函").count()
    );
    std::fs::write(&file, changed).unwrap();
    w.ok(&["sync", "--as-of", "2017-04-01T08:00"]);
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14T10:00")
        .ok();
    w.ok(&["remind", "--as-of", "2017-05-31T09:05"]);
    w
}

#[test]
fn the_pages_readings_say_through_the_api_what_the_record_says() {
    let smtp = MailServer::start();
    let w = nanyang_on_31_may(&smtp);
    let office = token(&w, &["--role", "office"]);
    let supervisor = token(&w, &["--role", "supervisor", "--name", "督导"]);
    let reviewer = token(&w, &["--role", "reviewer", "--unit", "党风政风监督室"]);
    let wancheng = token(&w, &["--role", "liaison", "--unit", "宛城区"]);
    let server = Server::start(&w, "2017-05-31T10:00");

    // The overdue list: what `duban overdue` lists at that instant, most days late first.
    let listed = get(
        &server,
        "/api/v1/overdue?campaign=nanyang-2017",
        &supervisor,
    );
    let rows = listed.as_array().unwrap();
    let cli = w.json(&[
        "overdue",
        "--as-of",
        "2017-05-31T10:00",
        "--campaign",
        "nanyang-2017",
    ]);
    let key = |r: &Value| {
        format!(
            "{} {} {}",
            r["deliverable"].as_str().unwrap(),
            r["unit"].as_str().unwrap(),
            r["period"].as_str().unwrap_or("")
        )
    };
    let api_keys: BTreeSet<String> = rows.iter().map(key).collect();
    let cli_keys: BTreeSet<String> = cli.as_array().unwrap().iter().map(key).collect();
    assert_eq!(api_keys, cli_keys);
    assert!(rows.len() > 10, "{}", rows.len());
    let days: Vec<i64> = rows
        .iter()
        .map(|r| r["days_overdue"].as_i64().unwrap())
        .collect();
    assert!(days.windows(2).all(|d| d[0] >= d[1]), "{days:?}");
    assert!(!api_keys.iter().any(|k| k.starts_with("工作方案 宛城区")));
    // In pages of 4, following Link: the same rows in the same order, each once.
    let mut path = Some("/api/v1/overdue?campaign=nanyang-2017&limit=4".to_string());
    let mut paged: Vec<Value> = Vec::new();
    while let Some(p) = path {
        let reply = server.api("GET", &p, &supervisor, None);
        assert_eq!(reply.status, 200, "{p}: {}", reply.body);
        let page: Vec<Value> = serde_json::from_str(&reply.body).unwrap();
        assert!(page.len() <= 4);
        paged.extend(page);
        path = reply
            .header("link")
            .map(|l| l[1..l.find('>').unwrap()].to_string());
        assert!(
            path.as_deref().is_none_or(|p| p.contains("cursor=v")),
            "{path:?}"
        );
    }
    assert_eq!(&paged, rows);
    for bad in ["cursor=nonsense", "cursor=k12", "limit=0", "limit=10001"] {
        let reply = server.api("GET", &format!("/api/v1/overdue?{bad}"), &supervisor, None);
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }

    // The board: every unit, a county late with its report red in that column, 宛城区's
    // 工作方案 (sent, waiting for its review) not red; the totals the units' own lights.
    let board = get(&server, "/api/v1/board?campaign=nanyang-2017", &office);
    assert_eq!(board["campaign"], "nanyang-2017");
    assert!(
        board["as_of"]
            .as_str()
            .unwrap()
            .starts_with("2017-05-31T10:00")
    );
    let units = board["units"].as_array().unwrap();
    let unit = |name: &str| units.iter().find(|u| u["unit"] == name).unwrap();
    assert_eq!(unit("卧龙区")["cells"]["工作方案"], "red");
    assert_ne!(unit("宛城区")["cells"]["工作方案"], "red");
    assert_eq!(unit("宛城区")["parent"], "南阳市");
    let reds = units.iter().filter(|u| u["light"] == "red").count();
    assert_eq!(board["total"]["red"], reds as u64);
    let overdue_units: BTreeSet<&str> = rows.iter().map(|r| r["unit"].as_str().unwrap()).collect();
    for name in &overdue_units {
        assert_eq!(unit(name)["light"], "red", "{name} owes something overdue");
    }

    // The reviewer's queue: 宛城区's 工作方案, at its level now.
    let queue = get(&server, "/api/v1/review-queue", &reviewer);
    let waiting: Vec<&Value> = queue
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["deciding"] == true)
        .collect();
    assert_eq!(waiting.len(), 1, "{queue}");
    assert_eq!(waiting[0]["unit"], "宛城区");
    assert_eq!(waiting[0]["deliverable"], "工作方案");
    // Sent on 14 April and not decided since: its review is late by now.
    assert_eq!(waiting[0]["status"], "review_overdue");
    // A page at a time, one row a page: the same queue, each once.
    let paged = server.pages("/api/v1/review-queue?limit=1", &reviewer, 1);
    assert_eq!(&paged, queue.as_array().unwrap());

    // The letters of a county late with its April table: what `duban letters` lists.
    let letters = get(
        &server,
        &format!("/api/v1/letters?unit={}", enc("南召县")),
        &office,
    );
    let cli = w.json(&["letters", "南召县"]);
    let numbers = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{}〔{}〕{}号", "督办函", l["year"], l["number"]))
            .collect()
    };
    assert!(!numbers(&letters).is_empty());
    assert_eq!(numbers(&letters), numbers(&cli));
    // A page at a time, one letter a page, following Link: the same letters, each once.
    let first = format!("/api/v1/letters?unit={}&limit=1", enc("南召县"));
    let paged = server.pages(&first, &office, 1);
    assert_eq!(&paged, letters.as_array().unwrap());
    let first = &letters[0];
    assert_eq!(first["number_text"], numbers(&cli)[0].as_str());
    let word = server.get(first["href"].as_str().unwrap(), "");
    assert_ne!(
        word.status, 200,
        "the Word file is the pages', behind their sign-in"
    );
    // With a token, at `download`: the same letter as Word; not to another county's token.
    let download = first["download"].as_str().unwrap();
    let word = server.api("GET", download, &office, None);
    assert_eq!(word.status, 200, "{}", word.body);
    assert!(word.bytes.starts_with(b"PK"), "a Word file");
    assert_eq!(server.api("GET", download, &wancheng, None).status, 403);
    let missing = download.rsplit_once('/').unwrap().0.to_string() + "/999999";
    assert_eq!(server.api("GET", &missing, &office, None).status, 404);

    // To whom each is open: a unit's token reads its own letters, not another's, and no board.
    assert_eq!(
        server
            .api(
                "GET",
                &format!("/api/v1/letters?unit={}", enc("南召县")),
                &wancheng,
                None
            )
            .status,
        403
    );
    // 宛城区 did not send its May table either: it has its own letter, and only its own.
    let own = get(
        &server,
        &format!("/api/v1/letters?unit={}", enc("宛城区")),
        &wancheng,
    );
    let own = own.as_array().unwrap();
    assert!(!own.is_empty());
    assert!(own.iter().all(|l| l["unit"] == "宛城区"));
    for path in [
        "/api/v1/board?campaign=nanyang-2017",
        "/api/v1/overdue",
        "/api/v1/review-queue",
    ] {
        let refused = server.api("GET", path, &wancheng, None);
        assert_eq!(refused.status, 403, "{path}");
        assert!(
            refused.body.contains("\"code\":\"forbidden\""),
            "{}",
            refused.body
        );
    }
    let unknown = server.api("GET", "/api/v1/board?campaign=no-such", &office, None);
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let unnamed = server.api("GET", "/api/v1/letters", &office, None);
    assert_eq!(unnamed.status, 400);
    assert!(
        unnamed.body.contains("\"code\":\"unit_needed\""),
        "{}",
        unnamed.body
    );

    // The bulletin of May: what `duban bulletin` makes of the same record, as JSON and as Word.
    let bulletin = get(
        &server,
        "/api/v1/bulletin?campaign=nanyang-2017&period=2017-05",
        &supervisor,
    );
    let cli = w.json(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-05-31T10:00",
    ]);
    for field in ["counts", "to_date", "ranking", "missing", "summary"] {
        assert_eq!(bulletin[field], cli[field], "{field}");
    }
    assert!(!bulletin["missing"].as_array().unwrap().is_empty());
    let word = server.api(
        "GET",
        "/api/v1/bulletin?campaign=nanyang-2017&period=2017-05&format=docx",
        &office,
        None,
    );
    assert_eq!(word.status, 200);
    assert!(word.bytes.starts_with(b"PK"), "a Word file");
    let wrong = server.api(
        "GET",
        "/api/v1/bulletin?campaign=nanyang-2017&period=五月",
        &office,
        None,
    );
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("\"code\":\"bad_period\""),
        "{}",
        wrong.body
    );
    assert_eq!(
        server
            .api(
                "GET",
                "/api/v1/bulletin?campaign=nanyang-2017",
                &wancheng,
                None
            )
            .status,
        403
    );

    // A dashboard polling the board gets a 304 while nothing changed.
    let first = server.api("GET", "/api/v1/board?campaign=nanyang-2017", &office, None);
    let tag = first.header("etag").unwrap().to_string();
    let again = server.exchange(
        "GET",
        "/api/v1/board?campaign=nanyang-2017",
        &[
            format!("Authorization: Bearer {office}"),
            format!("If-None-Match: {tag}"),
        ],
        "",
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}

fn enc(text: &str) -> String {
    crate::webserver::encode(text)
}

/// 退回 and 免报 through the API, as the pages do them: a received report returned is owed
/// again and its unit's token sees why; a waived one is owed no more, and neither is done
/// twice.
#[test]
fn a_report_is_returned_and_another_waived_through_the_api() {
    let w = Workspace::new(&["nanyang-2017"]);
    let office = token(&w, &["--role", "office"]);
    let wancheng = token(&w, &["--role", "liaison", "--unit", "宛城区"]);
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14T10:00")
        .ok();
    let server = Server::start(&w, "2017-04-20T10:00");
    let body = |unit: &str, reason: &str| {
        format!(
            r#"{{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"{unit}","reason":"{reason}"}}"#
        )
    };
    // A unit does not return its own report, nor waive one.
    for path in ["/api/v1/returns", "/api/v1/waivers"] {
        let refused = server.api("POST", path, &wancheng, Some(&body("宛城区", "不需要")));
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    let returned = server.api(
        "POST",
        "/api/v1/returns",
        &office,
        Some(&body("宛城区", "缺少附件")),
    );
    assert_eq!(returned.status, 200, "{}", returned.body);
    let returned: Value = serde_json::from_str(&returned.body).unwrap();
    // Owed again, and past its deadline (15 April, on time until the 17th): overdue.
    assert_eq!(returned["status"], "overdue");
    let again = server.api(
        "POST",
        "/api/v1/returns",
        &office,
        Some(&body("宛城区", "缺少附件")),
    );
    assert_eq!(again.status, 409);
    assert!(
        again.body.contains("\"code\":\"nothing_to_return\""),
        "{}",
        again.body
    );
    let history = w.json(&["history", "nanyang-2017", "工作方案", "宛城区"]);
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "returned", "{history}");
    assert_eq!(last["reason"], "缺少附件");

    let waived = server.api(
        "POST",
        "/api/v1/waivers",
        &office,
        Some(&body("卧龙区", "机构撤并")),
    );
    assert_eq!(waived.status, 200, "{}", waived.body);
    let waived: Value = serde_json::from_str(&waived.body).unwrap();
    assert_eq!(waived["status"], "waived");
    let again = server.api(
        "POST",
        "/api/v1/waivers",
        &office,
        Some(&body("卧龙区", "机构撤并")),
    );
    assert_eq!(again.status, 409);
    assert!(again.body.contains("\"code\":\"waived\""), "{}", again.body);
    let blank = server.api(
        "POST",
        "/api/v1/waivers",
        &office,
        Some(&body("方城县", "  ")),
    );
    assert_eq!(blank.status, 422);
    assert!(
        blank.body.contains("\"code\":\"reason_needed\""),
        "{}",
        blank.body
    );
}

/// One obligation through the API, as its page shows it — its status, the holder's rights, its
/// history with who did what — and the file its submission kept, byte for byte, to whoever may
/// see it; another unit's token is refused both.
#[test]
fn an_obligation_and_its_files_through_the_api() {
    let w = Workspace::new(&["nanyang-2017"]);
    let plan = w.path().join("宛城区工作方案.txt");
    std::fs::write(&plan, "宛城区专项整治工作方案（全文）").unwrap();
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14")
        .args(&["--file", plan.to_str().unwrap()])
        .ok();
    let own = token(&w, &["--role", "liaison", "--unit", "宛城区"]);
    let other = token(&w, &["--role", "liaison", "--unit", "卧龙区"]);
    let office = token(&w, &["--role", "office"]);
    let server = Server::start(&w, "2017-05-27T09:00");
    let path = "/api/v1/obligations/nanyang-2017/%E5%B7%A5%E4%BD%9C%E6%96%B9%E6%A1%88/%E5%AE%9B%E5%9F%8E%E5%8C%BA/-";
    let seen = get(&server, path, &own);
    assert_eq!(seen["unit"], "宛城区", "{seen}");
    assert_eq!(seen["due_date"], "2017-04-15", "{seen}");
    assert_eq!(seen["rights"]["submit"], true, "{seen}");
    assert_eq!(seen["rights"]["excuse"], false, "{seen}");
    let history = seen["history"].as_array().unwrap();
    let sent = history
        .iter()
        .find(|e| !e["files"].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("no file in {seen}"));
    assert!(
        sent["at"].as_str().unwrap().starts_with("2017-04-14"),
        "{sent}"
    );
    let file = &sent["files"][0];
    assert_eq!(file["name"], "宛城区工作方案.txt", "{file}");
    let download = file["download"].as_str().unwrap();
    assert!(download.starts_with(path), "{download}");
    // The office may excuse it; its status is the listing's.
    let office_sees = get(&server, path, &office);
    assert_eq!(office_sees["rights"]["excuse"], true, "{office_sees}");
    let listed = get(
        &server,
        "/api/v1/obligations?campaign=nanyang-2017&unit=%E5%AE%9B%E5%9F%8E%E5%8C%BA",
        &own,
    );
    let status = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["deliverable"] == "工作方案")
        .map(|o| o["status"].clone())
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(seen["status"], status, "{seen}");

    let got = server.api("GET", download, &own, None);
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body, "宛城区专项整治工作方案（全文）");
    assert!(
        got.header("content-disposition")
            .is_some_and(|d| d.contains("filename*=UTF-8''")),
        "{:?}",
        got.header("content-disposition")
    );
    for reading in [path, download] {
        let refused = server.api("GET", reading, &other, None);
        assert_eq!(refused.status, 403, "{reading}: {}", refused.body);
    }
    // The blank form of its 统计表, as a workbook; 工作方案 has no form, so none.
    let template = server.api(
        "GET",
        "/api/v1/obligations/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/template",
        &own,
        None,
    );
    assert_eq!(template.status, 200, "{}", template.body);
    assert!(
        template
            .header("content-type")
            .is_some_and(|t| t.contains("spreadsheetml")),
        "{:?}",
        template.header("content-type")
    );
    let formless = server.api("GET", &format!("{path}/template"), &own, None);
    assert_eq!(formless.status, 404, "{}", formless.body);
    // A file the obligation does not keep, and an obligation there is not.
    let elsewhere = download.replace("%E5%AE%9B%E5%9F%8E%E5%8C%BA", "%E5%8D%A7%E9%BE%99%E5%8C%BA");
    assert_eq!(server.api("GET", &elsewhere, &office, None).status, 404);
    let nowhere = path.replace("nanyang-2017", "nowhere");
    assert_eq!(server.api("GET", &nowhere, &office, None).status, 404);
}
