//! The board's filters (a level of the whole tree, one report's column, one colour), each cell
//! leading to what it stands for, and the on-time chart; a unit's page narrowed to one report.

use crate::common::Workspace;
use crate::webserver::{Server, encode, sign_up, token};

/// The units listed in the board's table.
fn rows(page: &str) -> Vec<String> {
    page.split("<td data-label=\"单位\"")
        .skip(1)
        .filter_map(|cell| {
            let name = cell.split("\">").nth(2)?.split('<').next()?;
            Some(name.to_string())
        })
        .collect()
}

#[test]
fn the_board_filters_by_level_report_and_colour_and_each_cell_leads_to_its_items() {
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
    // 宛城区 sent its April and May tables; the others did not.
    std::fs::write(
        w.path().join("figures.csv"),
        "填报单位,中省市转办线索数,自查自纠问题线索数,查处问题数,约谈函询人数,组织处理人数,党纪处分人数,政纪处分人数,责任追究人数,移送司法机关人数\n宛城区,3,2,4,1,0,1,0,0,0\n",
    )
    .unwrap();
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-20T10:00",
        "--data",
        "figures.csv",
    ]);
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--at",
        "2017-04-20T10:00",
        "--data",
        "figures.csv",
    ]);
    let server = Server::start(&w, "2017-05-27");
    let office = sign_up(&server, &office, "主任", "a long enough password");

    let all = server.get("/board?campaign=nanyang-2017", &office).body;
    assert!(all.contains("name=\"colour\""), "{all}");
    assert!(all.contains("按时报送率"), "the on-time chart: {all}");
    let everyone = rows(&all);
    assert!(everyone.contains(&"宛城区".to_string()), "{everyone:?}");

    // One report's column, red only: 宛城区 sent it, so it is not among them.
    let red = server
        .get(
            &format!(
                "/board?campaign=nanyang-2017&deliverable={}&colour=red",
                encode("统计表")
            ),
            &office,
        )
        .body;
    let listed = rows(&red);
    assert!(!listed.is_empty(), "{red}");
    assert!(!listed.contains(&"宛城区".to_string()), "{listed:?}");
    assert!(listed.len() < everyone.len());
    // …its one column.
    let head = red.split("<thead>").nth(1).unwrap_or_default();
    assert!(head.contains("<th>统计表</th>"), "{head}");
    assert!(!head.contains("<th>工作方案</th>"), "{head}");

    // A cell leads to the unit's items of that report.
    let link = red
        .split("<a class=\"cell\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    assert!(link.starts_with("/unit/"), "{link}");
    assert!(
        link.contains(&format!("deliverable={}", encode("统计表"))),
        "{link}"
    );
    let narrowed = server.get(&link, &office).body;
    assert!(narrowed.contains("只列出「统计表」"), "{narrowed}");
    assert!(!narrowed.contains(">工作方案<"), "{narrowed}");

    // The trend, month by month: April's deadlines (宛城区 on time), May's.
    let trend = server.get("/board/trend?campaign=nanyang-2017", &office);
    assert_eq!(
        trend.header("content-type"),
        Some("image/svg+xml; charset=utf-8")
    );
    assert!(
        trend.body.contains("2017-04") && trend.body.contains("2017-05"),
        "{}",
        trend.body
    );
    assert!(
        !trend.body.contains("2017-06"),
        "no month not yet due: {}",
        trend.body
    );
    assert!(
        all.contains("&#x2f;board&#x2f;trend?campaign=nanyang-2017"),
        "{all}"
    );

    // One level of the whole tree: the counties under 南阳市, not 南阳市 itself.
    let level = rows(
        &server
            .get("/board?campaign=nanyang-2017&level=2", &office)
            .body,
    );
    assert!(level.contains(&"宛城区".to_string()), "{level:?}");
    assert!(!level.contains(&"南阳市".to_string()), "{level:?}");
    // …and under a unit the board is open at, only what is under it.
    let under = rows(
        &server
            .get(
                &format!(
                    "/board?campaign=nanyang-2017&level=2&under={}",
                    encode("市纪委")
                ),
                &office,
            )
            .body,
    );
    assert!(!under.contains(&"宛城区".to_string()), "{under:?}");

    // A unit's own page narrowed the same way, by its liaison too.
    let clerk = sign_up(&server, &clerk, "张三", "a long enough password");
    let mine = server
        .get(
            &format!(
                "/unit/{}?deliverable={}",
                encode("宛城区"),
                encode("工作方案")
            ),
            &clerk,
        )
        .body;
    assert!(mine.contains("只列出「工作方案」"), "{mine}");
    assert!(!mine.contains(">统计表<"), "{mine}");
}
