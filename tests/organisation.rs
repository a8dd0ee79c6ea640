//! The organisation's directory through the real binary, on SQLite and PostgreSQL: the
//! office's own 通讯录 imported (a title row, level columns with merged cells, GBK CSV and
//! .xlsx), listed and exported in a sheet that imports again unchanged; a rename by code keeps
//! the unit; a unit retired, never deleted; a sheet with a row that cannot be taken imports
//! nothing and is left as it was.

use crate::common::Workspace;
use crate::pgserver;

/// A workspace on SQLite, or on a new PostgreSQL database.
pub(crate) fn office(postgres: bool) -> Option<Workspace> {
    let w = Workspace::new(&[]);
    if postgres {
        let url = pgserver::database()?;
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    Some(w)
}

/// The 古路 example, as the office's GBK CSV.
fn gulu_gbk(w: &Workspace) -> std::path::PathBuf {
    let text =
        std::fs::read_to_string(crate::common::root().join("examples/directory/gulu-villages.csv"))
            .unwrap();
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    let path = w.path().join("通讯录.csv");
    std::fs::write(&path, &bytes).unwrap();
    path
}

fn units(w: &Workspace, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["units", "list"];
    all.extend(args);
    w.json(&all).as_array().unwrap().clone()
}

fn the_directory(postgres: bool) {
    let Some(w) = office(postgres) else { return };
    let sheet = gulu_gbk(&w);
    let out = w.ok(&["units", "import", sheet.to_str().unwrap()]);
    assert!(out.contains("5 unit(s) added, 0 changed"), "{out}");
    let all = units(&w, &[]);
    assert_eq!(all.len(), 5, "the town and its four villages: {all:#?}");
    let town = all.iter().find(|u| u["name"] == "古路镇").unwrap();
    let village = all.iter().find(|u| u["name"] == "示例二村").unwrap();
    assert_eq!(
        village["parent"], town["code"],
        "the merged town cell stands for each row"
    );
    assert_eq!(village["kind"], "村");
    assert_eq!(village["contacts"][0]["name"], "张丽");
    assert_eq!(village["contacts"][1]["role"], "负责人");
    assert_eq!(units(&w, &["--under", "古路镇"]).len(), 5);
    assert_eq!(units(&w, &["--under", "示例二村"]).len(), 1);
    let unknown = w.run(&["units", "list", "--under", "示例二"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("示例二村"), "{}", unknown.stderr);

    // Exported and imported again: nothing changes, whatever the format.
    for name in ["组织机构.xlsx", "组织机构.csv"] {
        let out = w.ok(&["units", "export", name]);
        assert!(out.contains("wrote 5 unit(s)"), "{out}");
        let again = w.ok(&["units", "import", name]);
        assert!(
            again.contains("0 unit(s) added, 0 changed, 5 unchanged"),
            "{name}: {again}"
        );
    }

    // A rename by code keeps the unit (its code, its place, its people).
    let code = village["code"].as_str().unwrap().to_string();
    std::fs::write(
        w.path().join("rename.csv"),
        format!("单位编码,单位名称,上级单位\n{code},示例新二村,古路镇\n"),
    )
    .unwrap();
    let out = w.ok(&["units", "import", "rename.csv"]);
    assert!(
        out.contains(&format!("renamed {code}: 示例二村 → 示例新二村")),
        "{out}"
    );
    let renamed = units(&w, &[]);
    let same = renamed.iter().find(|u| u["code"] == code.as_str()).unwrap();
    assert_eq!(same["name"], "示例新二村");
    assert_eq!(same["contacts"][0]["name"], "张丽", "the people stay");
    assert_eq!(renamed.len(), 5);

    // A sheet with rows that cannot be taken: each told, nothing imported, the file as it was.
    let bad = w.path().join("bad.csv");
    let text = "单位名称,上级单位\n示例五村,古路镇\n示例六村,古路\n,\n示例七村,示例八村\n";
    std::fs::write(&bad, text).unwrap();
    let refused = w.run(&["units", "import", bad.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("上级单位 `古路`"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("did you mean `古路镇`"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("上级单位 `示例八村`"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("nothing was imported"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), text);
    assert_eq!(units(&w, &[]).len(), 5, "nothing of it was taken");

    // A sheet of names and people only updates the unit of that name, wherever it sits.
    std::fs::write(
        w.path().join("people.csv"),
        "单位名称,联系人,联系电话\n示例三村,刘洋洋,13900000009\n",
    )
    .unwrap();
    let out = w.ok(&["units", "import", "people.csv"]);
    assert!(out.contains("0 unit(s) added, 1 changed"), "{out}");
    let third = units(&w, &[])
        .into_iter()
        .find(|u| u["name"] == "示例三村")
        .unwrap();
    assert_eq!(third["contacts"][0]["name"], "刘洋洋");
    assert_ne!(
        third["parent"],
        serde_json::Value::Null,
        "it stays where it was"
    );
    // A mailbox that is not one refuses the sheet, naming the row.
    std::fs::write(
        w.path().join("mail.csv"),
        "单位名称,邮箱\n示例五村,not-an-address\n",
    )
    .unwrap();
    let bad_mail = w.run(&["units", "import", "mail.csv"]);
    assert_eq!(bad_mail.code, 2);
    assert!(
        bad_mail
            .stderr
            .contains("`not-an-address` is not a mail address"),
        "{}",
        bad_mail.stderr
    );
    // Retired, never deleted: listed with --all, exported as 已撤销.
    let out = w.ok(&["units", "retire", &code]);
    assert!(out.contains("retired 示例新二村"), "{out}");
    assert_eq!(units(&w, &[]).len(), 4);
    let with_retired = units(&w, &["--all"]);
    assert_eq!(with_retired.len(), 5);
    assert!(
        with_retired
            .iter()
            .any(|u| u["code"] == code.as_str() && !u["retired_at"].is_null())
    );
    let again = w.ok(&["units", "retire", &code]);
    assert!(again.contains("was retired already"), "{again}");
    let nowhere = w.run(&["units", "retire", "NOPE"]);
    assert_eq!(nowhere.code, 2);
}

#[test]
fn the_directory_is_imported_listed_exported_renamed_and_retired_on_sqlite() {
    the_directory(false);
}

#[test]
fn the_directory_is_imported_listed_exported_renamed_and_retired_on_postgres() {
    the_directory(true);
}

/// An .xlsx as an office makes it: a merged title row, then the county and town cells merged
/// down the rows of their villages.
#[test]
fn merged_cells_of_a_workbook_stand_for_every_row_they_span() {
    let w = Workspace::new(&[]);
    let path = w.path().join("通讯录.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    sheet
        .merge_range(0, 0, 0, 3, "某县各村联系人名单", &plain)
        .unwrap();
    for (c, h) in ["县（市、区）", "乡镇（街道）", "村（社区）", "联系人"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    sheet.merge_range(2, 0, 5, 0, "甲县", &plain).unwrap();
    sheet.merge_range(2, 1, 3, 1, "一镇", &plain).unwrap();
    sheet.merge_range(4, 1, 5, 1, "二镇", &plain).unwrap();
    for (r, (village, person)) in [
        ("东村", "甲"),
        ("西村", "乙"),
        ("东村", "丙"),
        ("南村", "丁"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(r as u32 + 2, 2, *village).unwrap();
        sheet.write_string(r as u32 + 2, 3, *person).unwrap();
    }
    book.save(&path).unwrap();
    let out = w.ok(&["units", "import", "通讯录.xlsx"]);
    assert!(out.contains("7 unit(s) added"), "{out}");
    let all = units(&w, &[]);
    let code_of = |name: &str| {
        all.iter()
            .find(|u| u["name"] == name)
            .map(|u| u["code"].clone())
            .unwrap()
    };
    let east: Vec<_> = all.iter().filter(|u| u["name"] == "东村").collect();
    assert_eq!(east.len(), 2, "two villages of one name, under two towns");
    assert_eq!(east[0]["parent"], code_of("一镇"));
    assert_eq!(east[1]["parent"], code_of("二镇"));
    assert_eq!(east[1]["contacts"][0]["name"], "丙");
    assert_eq!(
        code_of("二镇"),
        all.iter().find(|u| u["name"] == "南村").unwrap()["parent"]
    );
    // A campaign group of the towns' villages would have two 东村: an error, not one merged.
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    std::fs::write(
        w.path().join("campaigns/villages.campaign"),
        "campaign villages { period 2023-05-01 .. 2023-11-15; office 甲县 }\n\
         unit 甲县\n\
         group 各村 under 甲县 directory 甲县 kind 村\n\
         report 清单 { from 各村; to 甲县; due 2023-07-18 }\n",
    )
    .unwrap();
    let checked = w.run(&["check", "campaigns/villages.campaign"]);
    assert_eq!(checked.code, 2, "{}", checked.stdout);
    assert!(
        checked.stderr.contains("units named `东村`"),
        "{}",
        checked.stderr
    );
    // Naming the village by its name alone as a parent is ambiguous: told with both codes.
    std::fs::write(w.path().join("组.csv"), "单位名称,上级单位\n一组,东村\n").unwrap();
    let refused = w.run(&["units", "import", "组.csv"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("is more than one unit"),
        "{}",
        refused.stderr
    );
}

/// A campaign whose villages come from the directory: each a unit of its own with the people
/// the directory keeps; a village added to the directory joins at the next sync; without a
/// directory the campaign says what to do.
fn a_campaign_over_the_directory(postgres: bool) {
    let Some(w) = office(postgres) else { return };
    let campaign = crate::common::root().join("examples/directory/gulu-villages.campaign");
    let target = w.path().join("campaigns/gulu-villages.campaign");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(&campaign, &target).unwrap();
    let empty = w.run(&["check", "campaigns/gulu-villages.campaign"]);
    assert_eq!(empty.code, 2, "{}", empty.stdout);
    assert!(
        empty.stderr.contains("duban units import"),
        "without a directory it says how to make one: {}",
        empty.stderr
    );
    w.ok(&["units", "import", gulu_gbk(&w).to_str().unwrap()]);
    let checked = w.ok(&["check", "campaigns/gulu-villages.campaign"]);
    assert!(checked.contains("ok — 6 units"), "{checked}");
    w.ok(&["sync", "--as-of", "2023-07-01"]);
    let owed = w.json(&["due", "--as-of", "2023-07-16", "--within", "5"]);
    let units: Vec<&str> = owed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"].as_str().unwrap())
        .collect();
    assert_eq!(
        units,
        ["示例一村", "示例二村", "示例三村", "示例社区"],
        "{owed:#}"
    );
    let overdue = w.json(&["overdue", "--as-of", "2023-07-20"]);
    let first = &overdue.as_array().unwrap()[0];
    assert_eq!(first["unit"], "示例一村");
    assert!(
        first["contacts"].to_string().contains("王晓东")
            && first["contacts"].to_string().contains("13800000001"),
        "the directory's liaison is the one chased: {first:#}"
    );
    // A village added to the directory joins the campaign at the next sync.
    std::fs::write(
        w.path().join("new.csv"),
        "单位名称,上级单位,层级,联系人,联系电话\n示例四村,古路镇,村,孙丽,13800000005\n",
    )
    .unwrap();
    w.ok(&["units", "import", "new.csv"]);
    let synced = w.ok(&["sync", "--as-of", "2023-07-02"]);
    assert!(synced.contains("gulu-villages: 1 added"), "{synced}");
    let again = w.ok(&["sync", "--as-of", "2023-07-02"]);
    assert!(
        !again.contains("added"),
        "nothing changed, nothing synced: {again}"
    );
}

#[test]
fn a_campaign_takes_its_villages_from_the_directory_on_sqlite() {
    a_campaign_over_the_directory(false);
}

#[test]
fn a_campaign_takes_its_villages_from_the_directory_on_postgres() {
    a_campaign_over_the_directory(true);
}

/// An office whose directory is examples/directory/gulu-units.csv, with an empty `campaigns/`
/// folder, and the text of examples/directory/gulu-bound.campaign.
fn with_gulu_units(postgres: bool) -> Option<(Workspace, String)> {
    let w = office(postgres)?;
    let root = crate::common::root().join("examples/directory");
    w.ok(&[
        "units",
        "import",
        root.join("gulu-units.csv").to_str().unwrap(),
    ]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    let text = std::fs::read_to_string(root.join("gulu-bound.campaign")).unwrap();
    Some((w, text))
}

/// A campaign bound to the directory (`通讯录 古路镇`, examples/directory/gulu-bound.campaign):
/// every unit is one the directory has under 古路镇, reached as the directory says unless the
/// campaign gives its own; a name it does not have there, or has twice, is an error at the
/// unit's line with the nearest name or the codes, and nothing is synced.
fn a_campaign_bound_to_the_directory(postgres: bool) {
    let Some((w, text)) = with_gulu_units(postgres) else {
        return;
    };
    // 镇村建中心 owes a plan to 古路镇 too: its people are the directory's.
    let text = format!(
        "{text}\n报送 工作方案 \"工作方案\" {{\n  报送单位 镇村建中心\n  接收单位 古路镇\n  时限 2023年6月30日前\n}}\n"
    );
    let path = w.path().join("campaigns/gulu-bound.campaign");
    std::fs::write(&path, &text).unwrap();
    let checked = w.ok(&["check", "campaigns/gulu-bound.campaign"]);
    assert!(checked.contains("ok — 6 units"), "{checked}");
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let overdue = w.json(&["overdue", "--as-of", "2023-07-20"]);
    let center = overdue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "镇村建中心")
        .expect("镇村建中心's plan is overdue");
    assert_eq!(center["email"], "cjzx@example.gov.cn", "{center:#}");
    assert!(
        center["contacts"].to_string().contains("颜遥平")
            && center["contacts"].to_string().contains("023-67166106"),
        "the directory's liaison: {center:#}"
    );

    // A name the directory does not have under 古路镇: an error at its line, nothing synced.
    let misspelt = text
        .replace("单位 镇村建中心 {", "单位 镇村建设中心 {")
        .replace("镇村建中心\n", "镇村建设中心\n");
    std::fs::write(&path, &misspelt).unwrap();
    let refused = w.run(&["check", "campaigns/gulu-bound.campaign"]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused.stderr.contains(
            "unit `镇村建设中心` is not in the office's directory under `古路镇` (did you mean `镇村建中心`?)"
        ) && refused.stderr.contains("gulu-bound.campaign:23:"),
        "{}",
        refused.stderr
    );
    // Two units of one name under 古路镇: which one is meant cannot be told.
    std::fs::write(&path, &text).unwrap();
    std::fs::write(
        w.path().join("twice.csv"),
        "单位编码,单位名称,上级单位,层级\n500112-GL-01-X,镇村建中心,500112-GL-01,部门\n",
    )
    .unwrap();
    w.ok(&["units", "import", "twice.csv"]);
    let refused = w.run(&["sync", "--as-of", "2023-06-02"]);
    assert!(
        refused.stderr.contains(
            "has 2 units named `镇村建中心` under `古路镇` (codes 500112-GL-CJ, 500112-GL-01-X)"
        ),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_campaign_bound_to_the_directory_on_sqlite() {
    a_campaign_bound_to_the_directory(false);
}

#[test]
fn a_campaign_bound_to_the_directory_on_postgres() {
    a_campaign_bound_to_the_directory(true);
}

/// One unit of the directory in two campaigns bound to it is one unit: an account of it needs
/// no campaign said, and acts in both (named, so that another office's campaign with a unit
/// of that name later is not one of them). A unit of that name a campaign declares itself is
/// another unit: then the office must say which.
fn one_directory_unit_in_two_campaigns(postgres: bool) {
    let Some((w, text)) = with_gulu_units(postgres) else {
        return;
    };
    std::fs::write(w.path().join("campaigns/gulu-bound.campaign"), &text).unwrap();
    std::fs::write(
        w.path().join("campaigns/gulu-second.campaign"),
        text.replace("专项治理 gulu-bound ", "专项治理 gulu-second "),
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    w.ok(&[
        "user",
        "add",
        "王晓东",
        "--unit",
        "示例一村",
        "--role",
        "liaison",
    ]);
    let users = w.json(&["user", "list"]);
    let account = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "王晓东")
        .unwrap();
    assert_eq!(
        account["campaigns"],
        serde_json::json!(["gulu-bound", "gulu-second"]),
        "{account:#}"
    );
    // A campaign that declares a 示例一村 of its own: two different units by one name.
    std::fs::write(
        w.path().join("campaigns/other.campaign"),
        "专项整治 other \"另一项\" {\n  期间 2023年5月1日 至 2023年11月15日\n}\n单位 示例一村 {}\n报送 台账 \"台账\" {\n  报送单位 示例一村\n  时限 2023年7月18日前\n}\n",
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let refused = w.run(&[
        "user",
        "add",
        "王晓东二",
        "--unit",
        "示例一村",
        "--role",
        "liaison",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("other"), "{}", refused.stderr);
}

#[test]
fn one_directory_unit_in_two_campaigns_is_one_unit_on_sqlite() {
    one_directory_unit_in_two_campaigns(false);
}

#[test]
fn one_directory_unit_in_two_campaigns_is_one_unit_on_postgres() {
    one_directory_unit_in_two_campaigns(true);
}

/// Campaigns that came before the directory: `duban units adopt` takes each one's units into
/// it under its issuing office (twice changes nothing; two campaigns' units of one name stay
/// two), and the campaign can then be bound to them and run as before.
fn adopting_a_campaigns_units(postgres: bool) {
    let Some(w) = office(postgres) else { return };
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    for name in ["nanyang-2017", "yichun-2016"] {
        for file in [format!("{name}.campaign"), format!("{name}.contacts.toml")] {
            std::fs::copy(
                crate::common::root().join("campaigns").join(&file),
                w.path().join("campaigns").join(&file),
            )
            .unwrap();
        }
    }
    let first = w.ok(&["units", "adopt", "nanyang-2017"]);
    assert!(
        first.contains("taken under 中共南阳市纪委办公室; 30 unit(s) added"),
        "{first}"
    );
    let again = w.ok(&["units", "adopt", "nanyang-2017"]);
    assert!(
        again.contains("0 unit(s) added, 0 changed, 30 unchanged"),
        "{again}"
    );
    w.ok(&["units", "adopt", "yichun-2016"]);
    // Under a unit the office names: its code or its name, which must be the directory's.
    let refused = w.run(&[
        "units",
        "adopt",
        "yichun-2016",
        "--under",
        "中共南阳市纪委办",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("中共南阳市纪委办公室"),
        "{}",
        refused.stderr
    );
    let listed = units(&w, &[]);
    let codes: Vec<&str> = listed
        .iter()
        .filter(|u| u["name"] == "党风政风监督室")
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 2, "南阳's and 宜春's stay two: {listed:?}");
    let wancheng = listed.iter().find(|u| u["name"] == "宛城区").unwrap();
    assert!(
        wancheng["contacts"]
            .to_string()
            .contains("u04-liaison@nanyang.example.org"),
        "the campaign's liaison is the directory's: {wancheng}"
    );
    assert_eq!(
        wancheng["email"], "u04@nanyang.example.org",
        "and the unit's own mailbox: {wancheng}"
    );
    // Bound to its units now in the directory, 南阳 checks and runs as before.
    let path = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&path).unwrap();
    let bound = text.replacen(
        "  主办单位 ",
        "  通讯录 中共南阳市纪委办公室\n  主办单位 ",
        1,
    );
    assert_ne!(bound, text);
    std::fs::write(&path, bound).unwrap();
    let checked = w.ok(&["check", "campaigns/nanyang-2017.campaign"]);
    assert!(checked.contains("ok — 29 units"), "{checked}");
    let overdue = w.json(&[
        "overdue",
        "--campaign",
        "nanyang-2017",
        "--as-of",
        "2017-06-01",
    ]);
    assert!(
        overdue
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["unit"] == "宛城区"),
        "{overdue:#}"
    );
}

#[test]
fn a_campaigns_units_are_adopted_into_the_directory_on_sqlite() {
    adopting_a_campaigns_units(false);
}

#[test]
fn a_campaigns_units_are_adopted_into_the_directory_on_postgres() {
    adopting_a_campaigns_units(true);
}

/// The directory on the office's page: found by part of a name, whom to call shown; the office
/// that keeps the records corrects a village's liaison, and the directory has it.
fn the_directory_on_the_office_page(postgres: bool) {
    use crate::webserver::{Server, sign_up, token};
    let Some(w) = office(postgres) else { return };
    let link = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let server = Server::start(&w, "2023-07-01");
    let office = sign_up(&server, &link, "主任", "a long enough password");
    // The office's sheet taken in on the page: all rows, or none with each bad row said.
    let secret = crate::web_rights::secret_of(&server, &office);
    let sheet =
        std::fs::read_to_string(crate::common::root().join("examples/directory/gulu-units.csv"))
            .unwrap();
    let bad = sheet.replace(
        "500112-GL-CJ,镇村建中心,500112-GL,",
        "500112-GL-CJ,镇村建中心,500112-GX,",
    );
    let refused = upload_sheet(&server, &office, &secret, Some(("通讯录.csv", &bad)));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("未导入任何一行") && refused.body.contains("上级单位「500112-GX」"),
        "{}",
        refused.body
    );
    assert!(units(&w, &[]).is_empty(), "nothing taken");
    let taken = upload_sheet(&server, &office, &secret, Some(("通讯录.csv", &sheet)));
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert!(taken.body.contains("新增 6 个单位"), "{}", taken.body);
    let found = server.get("/units?q=%E7%A4%BA%E4%BE%8B", &office);
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains("共 4 个单位") && found.body.contains("13800000001"),
        "{}",
        found.body
    );
    // The same through the API, with an office token: what the page found, in pages by code;
    // a unit's token is refused; a unit the directory does not have is 404.
    let made = w.ok(&[
        "token",
        "create",
        "--role",
        "office",
        "--name",
        "通讯录接口",
    ]);
    let bearer = made.split_whitespace().last().unwrap().to_string();
    let listed = server.api("GET", "/api/v1/units?q=%E7%A4%BA%E4%BE%8B", &bearer, None);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(
        listed.iter().any(|u| u.to_string().contains("13800000001")),
        "{listed:?}"
    );
    let paged = server.pages("/api/v1/units?q=%E7%A4%BA%E4%BE%8B&limit=3", &bearer, 3);
    assert_eq!(paged, listed);
    let codes: Vec<&str> = listed.iter().map(|u| u["code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "in the order of their codes");
    let nowhere = server.api(
        "GET",
        "/api/v1/units?under=%E6%97%A0%E6%AD%A4",
        &bearer,
        None,
    );
    assert_eq!(nowhere.status, 404, "{}", nowhere.body);
    let form = server.get("/units?edit=500112-GL-01", &office);
    assert!(form.body.contains("修改：500112-GL-01"), "{}", form.body);
    let saved = server.send(
        "POST",
        "/units",
        &office,
        &[
            ("csrf", secret.as_str()),
            ("code", "500112-GL-01"),
            ("name", "示例一村"),
            ("liaison", "孙新"),
            ("liaison_phone", "13800000099"),
            ("leader", "李国强"),
            ("leader_phone", "13900000001"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("已保存 示例一村"), "{}", saved.body);
    // The accounts page suggests the directory's units, for accounts that belong to them.
    let accounts = server.get("/accounts", &office).body;
    assert!(
        accounts.contains("<option value=\"示例一村\">"),
        "{accounts}"
    );
    let listed = units(&w, &[]);
    let village = listed.iter().find(|u| u["code"] == "500112-GL-01").unwrap();
    assert!(
        village["contacts"].to_string().contains("13800000099")
            && village["contacts"].to_string().contains("孙新"),
        "{village}"
    );
    // An empty name is refused in the page's words, and nothing changes.
    let refused = server.send(
        "POST",
        "/units",
        &office,
        &[
            ("csrf", secret.as_str()),
            ("code", "500112-GL-01"),
            ("name", " "),
        ],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("无法保存"), "{}", refused.body);
    // A mailbox that is no address is refused as the sheet refuses it (the page stored any
    // text before).
    let refused = server.send(
        "POST",
        "/units",
        &office,
        &[
            ("csrf", secret.as_str()),
            ("code", "500112-GL-01"),
            ("name", "示例一村"),
            ("email", "村委会邮箱"),
        ],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("不是有效的邮箱地址"),
        "{}",
        refused.body
    );
    // Through the API: the office that keeps the records changes a unit as the page does; a
    // mailbox that is no address, or a name of spaces, is 422 `bad_unit`; a unit's token 403.
    let path = "/api/v1/units/500112-GL-01";
    let changed = server.api(
        "PUT",
        path,
        &bearer,
        Some(r#"{"name":"示例一村","email":"cun1@example.gov.cn","liaison":"周新","liaison_phone":"13800000100"}"#),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    let unit: serde_json::Value = serde_json::from_str(&changed.body).unwrap();
    assert_eq!(unit["changed"], true, "{unit}");
    assert_eq!(unit["email"], "cun1@example.gov.cn", "{unit}");
    assert!(unit["contacts"].to_string().contains("周新"), "{unit}");
    assert!(
        !unit["contacts"].to_string().contains("李国强"),
        "the leader left out is cleared: {unit}"
    );
    for body in [
        r#"{"name":"示例一村","email":"村委会邮箱"}"#,
        r#"{"name":"示例一村","email":"a@b."}"#,
        r#"{"name":"  "}"#,
    ] {
        let refused = server.api("PUT", path, &bearer, Some(body));
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert!(
            refused.body.contains("\"code\":\"bad_unit\""),
            "{}",
            refused.body
        );
    }
    let village = units(&w, &[])
        .into_iter()
        .find(|u| u["code"] == "500112-GL-01")
        .unwrap();
    assert_eq!(
        village["email"], "cun1@example.gov.cn",
        "nothing changed: {village}"
    );
    let unit_token = w.ok(&["token", "create", "--role", "supervisor"]);
    let unit_token = unit_token.split_whitespace().last().unwrap();
    let refused = server.api("PUT", path, unit_token, Some(r#"{"name":"改名"}"#));
    assert_eq!(refused.status, 403, "{}", refused.body);
    // The sheet through the API: a row to correct is named with its line, nothing is taken;
    // the sheet as it was is taken again (each unit as it stands, or back as the sheet says).
    let refused = server.api_multipart(
        "/api/v1/directory-imports",
        &bearer,
        &[],
        &[("通讯录.csv", &bad)],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let said: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(said["code"], "bad_rows", "{said}");
    assert!(
        said["invalid"][0]["message"]
            .as_str()
            .unwrap()
            .contains("500112-GX"),
        "{said}"
    );
    assert!(
        !said["invalid"][0]["at"].as_str().unwrap().is_empty(),
        "{said}"
    );
    let taken = server.api_multipart(
        "/api/v1/directory-imports",
        &bearer,
        &[],
        &[("通讯录.csv", &sheet)],
    );
    assert_eq!(taken.status, 200, "{}", taken.body);
    let taken: serde_json::Value = serde_json::from_str(&taken.body).unwrap();
    assert_eq!(taken["added"], 0, "{taken}");
    assert_eq!(
        taken["changed"].as_u64().unwrap() + taken["unchanged"].as_u64().unwrap(),
        6,
        "{taken}"
    );
    let refused = server.api_multipart(
        "/api/v1/directory-imports",
        unit_token,
        &[],
        &[("通讯录.csv", &sheet)],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
}

#[test]
fn the_directory_is_found_and_corrected_on_the_office_page_on_sqlite() {
    the_directory_on_the_office_page(false);
}

#[test]
fn the_directory_is_found_and_corrected_on_the_office_page_on_postgres() {
    the_directory_on_the_office_page(true);
}

/// The office's sheet posted to `/units/import` as a browser sends it (`None`: no file).
pub(crate) fn upload_sheet(
    server: &crate::webserver::Server,
    cookie: &str,
    secret: &str,
    file: Option<(&str, &str)>,
) -> crate::webserver::Reply {
    upload_to(server, "/units/import", cookie, secret, file)
}

/// A multipart form of `secret` and the file `file` (name, text), posted to `path`.
pub(crate) fn upload_to(
    server: &crate::webserver::Server,
    path: &str,
    cookie: &str,
    secret: &str,
    file: Option<(&str, &str)>,
) -> crate::webserver::Reply {
    let boundary = "duban-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{secret}\r\n"
    );
    if let Some((name, text)) = file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    server.exchange(
        "POST",
        path,
        &[
            format!("Cookie: {cookie}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    )
}
