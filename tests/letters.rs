//! The ladder's letters (督办单) through the real binary and a real SMTP server: a rung written
//! `逾期 3天 通知 联络员 分管领导 发 督办函` numbers one 督办函 per late county in the campaign's
//! sequence, attaches it as Word to the mails to its liaison and its leader (the same letter
//! to both), issues it once however often the pass runs, and lists it on the county's page and
//! on the command line, whence it is downloaded or saved.

use std::collections::{BTreeSet, HashMap};

use crate::common::Workspace;
use crate::mailserver::MailServer;

/// 南阳 with its 3-day rung issuing a 督办函, and 宛城区's May 统计表 sent on time.
fn with_letters(url: &str) -> Workspace {
    let w = crate::mail::nanyang(url);
    let file = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    let letters = text.replacen(
        "  逾期 3天 通知 联络员 分管领导\n",
        "  逾期 3天 通知 联络员 分管领导 发 督办函\n",
        1,
    );
    assert_ne!(letters, text, "the campaign has its 3-day rung");
    std::fs::write(&file, letters).unwrap();
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-20")
        .ok();
    w
}

/// The 文号 a file name begins with: `督办函〔2017〕3号 宛城区.docx` → `督办函〔2017〕3号`.
fn number(name: &str) -> &str {
    name.split(' ').next().unwrap()
}

fn document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

#[test]
fn a_late_county_gets_one_numbered_supervision_letter_by_mail_and_on_its_page() {
    let server = MailServer::start();
    let w = with_letters(&server.url());
    // A day late: notices, no letter.
    w.ok(&["remind", "--as-of", "2017-05-26T09:05"]);
    let first = server.messages();
    assert!(!first.is_empty());
    assert!(first.iter().all(|m| m.attachments.is_empty()));
    // Three days late (28–30 May are the Dragon Boat holiday: the rung goes out on the 31st):
    // every late county's liaison and leader, each mail with its county's letter.
    w.ok(&["remind", "--as-of", "2017-05-31T09:05"]);
    let rung: Vec<_> = server.messages().into_iter().skip(first.len()).collect();
    let with_letter: Vec<_> = rung.iter().filter(|m| !m.attachments.is_empty()).collect();
    assert!(
        !with_letter.is_empty(),
        "{:?}",
        rung.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let mut by_unit: HashMap<String, BTreeSet<String>> = HashMap::new();
    for m in &with_letter {
        let (name, bytes) = &m.attachments[0];
        assert!(
            name.starts_with("督办函〔2017〕") && name.ends_with(".docx"),
            "{name}"
        );
        let unit = name
            .trim_end_matches(".docx")
            .split(' ')
            .nth(1)
            .unwrap()
            .to_string();
        assert!(
            m.body.contains(&format!("附件：{}", number(name))),
            "the mail names its letter: {}",
            m.body
        );
        let xml = document_xml(bytes);
        assert!(xml.contains(&format!("{unit}：")), "addressed to {unit}");
        assert!(xml.contains("中共南阳市纪委办公室"), "issued by the office");
        by_unit
            .entry(unit)
            .or_default()
            .insert(number(name).to_string());
    }
    assert!(!by_unit.contains_key("宛城区"), "宛城区 sent its report");
    assert!(
        by_unit.values().all(|numbers| numbers.len() == 1),
        "one letter per county, to its liaison and its leader alike: {by_unit:?}"
    );
    let numbers: BTreeSet<String> = by_unit.values().flatten().cloned().collect();
    assert_eq!(numbers.len(), by_unit.len(), "each county its own number");
    let expected: BTreeSet<String> = (1..=by_unit.len())
        .map(|n| format!("督办函〔2017〕{n}号"))
        .collect();
    assert_eq!(numbers, expected, "numbered from 1 without a gap");
    // The same pass again issues nothing new.
    let out = w.ok(&["remind", "--as-of", "2017-05-31T09:05"]);
    assert!(out.starts_with("0 notices due"), "{out}");
    let nanzhao = &by_unit["南召县"];
    let listed = w.json(&["letters", "南召县"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        format!("督办函〔{}〕{}号", listed[0]["year"], listed[0]["number"]),
        *nanzhao.iter().next().unwrap()
    );
    assert_eq!(listed[0]["items"][0]["deliverable"], "统计表");
    // Saved as Word.
    let dir = w.path().join("督办文书");
    w.ok(&["letters", "南召县", "--save", dir.to_str().unwrap()]);
    let saved: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(saved.len(), 1);
    // An unknown unit is refused with the nearest name.
    let unknown = w.run(&["letters", "南召"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stdout);

    // On the pages: the county's page lists it for its own liaison and the office; another
    // county's liaison may not download it.
    use crate::webserver::{Server, sign_up, token};
    let own = token(&w.ok(&[
        "user",
        "add",
        "南召联络员",
        "--unit",
        "南召县",
        "--role",
        "liaison",
    ]));
    let other = token(&w.ok(&[
        "user",
        "add",
        "宛城联络员",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let web = Server::start(&w, "2017-06-01T10:00");
    let own = sign_up(&web, &own, "南召联络员", "a long enough password");
    let other = sign_up(&web, &other, "宛城联络员", "a long enough password");
    let page = web
        .get("/unit/%E5%8D%97%E5%8F%AC%E5%8E%BF", &own)
        .body
        .replace("&#x2f;", "/");
    assert!(page.contains("<h2>督办文书</h2>"), "{page}");
    let href = page
        .split("href=\"/unit/%E5%8D%97%E5%8F%AC%E5%8E%BF/letters/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|id| format!("/unit/%E5%8D%97%E5%8F%AC%E5%8E%BF/letters/{id}"))
        .unwrap_or_else(|| panic!("a link to the letter: {page}"));
    let got = web.get(&href, &own);
    assert_eq!(got.status, 200);
    assert!(document_xml(&got.bytes).contains("南召县："));
    assert_eq!(web.get(&href, &other).status, 403);
    let missing = web.get("/unit/%E5%8D%97%E5%8F%AC%E5%8E%BF/letters/9999", &own);
    assert_eq!(missing.status, 404);
}
