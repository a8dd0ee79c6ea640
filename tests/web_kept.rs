//! Pages a node keeps (`web/kept.rs`) are never shown after a change: one made through the
//! node, one made by a command beside it on the same SQLite file (seen at once); on PostgreSQL,
//! where no page is kept, a command's change shows at once too.

use crate::common::Workspace;
use crate::webserver::{Server, encode, sign_up, token};

const FIGURES: &str = "填报单位,中省市转办线索数,自查自纠问题线索数,查处问题数,约谈函询人数,组织处理人数,党纪处分人数,政纪处分人数,责任追究人数,移送司法机关人数\n宛城区,3,2,4,1,0,1,0,0,0\n";

/// The part of the unit page listing what must be done now.
fn urgent(page: &str) -> &str {
    let start = page.find("<h2>需要办理</h2>").expect("the unit page");
    let end = page.find("<h2>未到期</h2>").expect("the unit page");
    &page[start..end]
}

/// Whether `part` of a unit page lists the period `period`.
fn lists(part: &str, period: &str) -> bool {
    part.contains(&format!(
        "<td data-label=\"期次\" class=\"nowrap\">{period}</td>"
    ))
}

fn submitted_by_a_command(w: &Workspace, period: &str) {
    std::fs::write(w.path().join("figures.csv"), FIGURES).unwrap();
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        period,
        "--at",
        "2017-05-26T10:00",
        "--data",
        "figures.csv",
    ]);
}

#[test]
fn a_kept_page_is_not_shown_after_a_command_changed_the_sqlite_file() {
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
    let server = Server::start(&w, "2017-05-27");
    let me = sign_up(&server, &link, "张三", "a long enough password");
    let path = format!("/unit/{}", encode("宛城区"));
    for _ in 0..3 {
        let page = server.get(&path, &me);
        assert_eq!(page.status, 200);
        assert!(lists(urgent(&page.body), "2017-05"), "{}", page.body);
    }
    submitted_by_a_command(&w, "2017-05");
    // At once: the file's change stamp moved.
    let page = server.get(&path, &me).body;
    assert!(!lists(urgent(&page), "2017-05"), "{page}");
}

#[test]
fn no_page_is_shown_after_a_change_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n"),
    )
    .unwrap();
    let link = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let created = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    let unit = created.split_whitespace().last().unwrap().to_string();
    let server = Server::start(&w, "2017-05-27");
    let me = sign_up(&server, &link, "张三", "a long enough password");
    let path = format!("/unit/{}", encode("宛城区"));
    assert!(lists(urgent(&server.get(&path, &me).body), "2017-05"));
    assert!(lists(urgent(&server.get(&path, &me).body), "2017-04"));

    // Through the node: the next page is new.
    let values = r#""中省市转办线索数":"3","自查自纠问题线索数":"2","查处问题数":"4","约谈函询人数":"1","组织处理人数":"0","党纪处分人数":"1","政纪处分人数":"0","责任追究人数":"0","移送司法机关人数":"0""#;
    let sent = server.api(
        "POST",
        "/api/v1/submissions",
        &unit,
        Some(&format!(
            r#"{{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-04","values":{{{values}}}}}"#
        )),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let page = server.get(&path, &me).body;
    assert!(!lists(urgent(&page), "2017-04"), "{page}");

    // By a command on the same database: at once, no page being kept on PostgreSQL.
    submitted_by_a_command(&w, "2017-05");
    let page = server.get(&path, &me).body;
    assert!(!lists(urgent(&page), "2017-05"), "{page}");
}
