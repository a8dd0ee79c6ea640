//! The pages' readings through the API, against what the command line says of the same record:
//! the board's lights and tallies, the overdue list, a reviewer's queue and a unit's letters —
//! each with an `ETag` that makes an unchanged reading a 304, each to whom its page is open.

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
    let first = &letters[0];
    assert_eq!(first["number_text"], numbers(&cli)[0].as_str());
    let word = server.get(first["href"].as_str().unwrap(), "");
    assert_ne!(
        word.status, 200,
        "the Word file is the pages', behind their sign-in"
    );

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
    let own = get(
        &server,
        &format!("/api/v1/letters?unit={}", enc("宛城区")),
        &wancheng,
    );
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .all(|l| l["unit"] == "宛城区")
    );
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
    assert!(
        unnamed.body.contains("\"code\":\"unit_needed\""),
        "{}",
        unnamed.body
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
