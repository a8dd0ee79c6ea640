//! `duban draft`: each seed document drafted by the real binary — from its text, as Word and
//! as a saved web page — gives a campaign file that `duban check` accepts, with the dated
//! reports the reviewed files have; a PDF is refused with what to do instead.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::common::{CAMPAIGNS, Run, duban, root};

fn seed(name: &str) -> PathBuf {
    root()
        .join("tests/fixtures/seeds")
        .join(format!("{name}.txt"))
}

/// Drafts `document` into `dir`, checks the draft, and returns it and the check's run.
fn draft_and_check(dir: &Path, document: &Path, extra: &[&str]) -> (String, Run) {
    let out = dir.join("draft.campaign");
    let mut args = vec![
        "draft",
        document.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = duban(&args);
    assert_eq!(run.code, 0, "{}: {}", document.display(), run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let check = duban(&["check", "--color", "never", out.to_str().unwrap()]);
    (text, check)
}

/// The (due date, recipients) of the drafted file's dated obligations.
fn dated(dir: &Path) -> Vec<(String, String)> {
    let out = dir.join("draft.campaign");
    let run = duban(&["schedule", out.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["due_date"].as_str().unwrap_or("").to_string(),
                r["to"].to_string(),
            )
        })
        .collect()
}

#[test]
fn every_seed_drafts_to_a_campaign_that_compiles() {
    for name in CAMPAIGNS {
        let dir = tempfile::tempdir().unwrap();
        let (text, check) = draft_and_check(dir.path(), &seed(name), &[]);
        assert_eq!(check.code, 0, "{name}:\n{}\n{text}", check.stderr);
        assert!(check.stdout.contains(": ok"), "{name}: {}", check.stdout);
        // Every statement cites its sentence, and the rest is listed for the reviewer.
        assert!(text.contains("# ¶"), "{name}");
        assert!(text.contains("# Not drafted: sentences"), "{name}");
    }
}

#[test]
fn the_drafts_have_the_reviewed_files_dated_reports() {
    let cases = [
        ("nanyang-2017", "2017-04-15", "党风政风监督室"),
        ("nanyang-2017", "2017-06-05", "党风政风监督室"),
        ("nanyang-2017", "2017-09-05", "党风政风监督室"),
        ("nanyang-2017", "2017-05-25", "党风政风监督室"),
        ("yichun-2016", "2016-07-05", "党风政风监督室"),
        ("qianyang-2023", "2023-03-31", "县乡村振兴局"),
        ("qianyang-2023", "2023-04-25", "专项整治工作专班"),
        ("gulu-2023", "2023-07-18", "镇村建中心"),
    ];
    for (name, date, to) in cases {
        let dir = tempfile::tempdir().unwrap();
        draft_and_check(dir.path(), &seed(name), &[]);
        let rows = dated(dir.path());
        assert!(
            rows.iter().any(|(d, t)| d == date && t.contains(to)),
            "{name}: {date} to {to} in {rows:?}"
        );
    }
}

/// `duban phases` of a file: each phase's name, start and end.
fn phases(file: &Path) -> Vec<(String, String, String)> {
    let run = duban(&["phases", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    rows.iter()
        .map(|r| (text(&r["name"]), text(&r["start"]), text(&r["end"])))
        .collect()
}

/// Phase headings in the forms the seeds write them — `(一)动员部署阶段(2016年6月30日前)`,
/// `（二）自查自纠阶段（6月1日起至7月20日）`, `（一）自查自纠（4月1日— 5月31日）`, and the steps
/// of 方法步骤 with their time at the paragraph's end (`（一）动员部署。…（3月下旬前完成）`) — give the
/// reviewed files' phases, day for day; and the "每阶段…于下阶段工作开始后5日前" report.
#[test]
fn the_drafts_have_the_reviewed_files_phases() {
    for name in ["yichun-2016", "gulu-2023", "nanyang-2017", "qianyang-2023"] {
        let dir = tempfile::tempdir().unwrap();
        let (text, _) = draft_and_check(dir.path(), &seed(name), &[]);
        let reviewed = root().join("campaigns").join(format!("{name}.campaign"));
        // The same phases, day for day, in whatever order each file writes them.
        let sorted = |mut p: Vec<(String, String, String)>| {
            p.sort();
            p
        };
        assert_eq!(
            sorted(phases(&dir.path().join("draft.campaign"))),
            sorted(phases(&reviewed)),
            "{name}:\n{text}"
        );
        if name == "yichun-2016" {
            assert!(text.contains("时限 每阶段 下阶段开始后5日前"), "{text}");
        }
    }
}

/// One of the public campaign plans of the drafter's own test set (`tests/fixtures/plans`),
/// without its first line (where it was taken from), as a text file in `dir`.
fn plan(dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        root()
            .join("tests/fixtures/plans")
            .join(format!("{name}.txt")),
    )
    .unwrap();
    let (source, body) = text.split_once('\n').unwrap();
    assert!(source.starts_with("# source: "), "{name}: {source}");
    let path = dir.join(format!("{name}.txt"));
    std::fs::write(&path, body).unwrap();
    path
}

/// Ten public campaign plans nobody here wrote (excerpts, most without their notice): each
/// drafts to a file that compiles, and the phrase classes they taught the drafter are read —
/// phases numbered ㈠ and (三) with and without 阶段, with the body on the heading's line, a
/// period in the title's years, a year from the first full date, 报X备案, 报送…至X, 分别于
/// 6月底和7月底, a time clause before who owes, 各县(市、口岸).
#[test]
fn public_campaign_plans_draft_to_files_that_compile() {
    let dir = tempfile::tempdir().unwrap();
    let issued = |name: &str| match name.get(..2) {
        Some("02") => Some("2005-06-20"),
        Some("03") => Some("2009-05-01"),
        Some("09") => Some("2015-07-20"),
        _ => None,
    };
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    let mut drafts = std::collections::HashMap::new();
    for name in &names {
        let document = plan(dir.path(), name);
        let extra: Vec<&str> = issued(name).map_or(Vec::new(), |d| vec!["--issued", d]);
        let (text, check) = draft_and_check(dir.path(), &document, &extra);
        assert_eq!(check.code, 0, "{name}:\n{}\n{text}", check.stderr);
        // What was read, not found, is a warning of `duban check` until confirmed.
        if text.contains("# 待确认 Reading:") {
            assert!(
                check.stderr.contains("warning: a reading to confirm:"),
                "{name}: {}",
                check.stderr
            );
        }
        drafts.insert(name.get(..2).unwrap().to_string(), text);
    }
    for (plan, line) in [
        ("01", "阶段 动员部署 (4月-5月中旬)"),
        ("01", "接收单位 州环保局"),
        ("01", "报送单位 各县市口岸"),
        ("03", "阶段 总结 (11月)"),
        ("03", "报送 阶段性报告"),
        ("03", "时限 分别于2009年6月底和2009年7月底前"),
        ("03", "时限 2009年10月30日前"),
        ("04", "阶段 总结巩固 (2011年2月-2011年10月上旬)"),
        ("04", "a date without its year is read in 2010"),
        ("05", "报送单位 各单位"),
        ("05", "阶段 重点检查 (2009年7月初至9月底)"),
        ("07", "期间 2024年1月1日 至 2026年12月31日"),
        (
            "07",
            "报送 本地工作方案本系统子方案 \"本地工作方案、本系统子方案\"",
        ),
        ("07", "接收单位 市安办"),
        ("07", "时限 每季度末"),
        ("07", "报送 阶段性工作总结"),
        (
            "07",
            "# 待确认 Reading: the document gives no day: by the end of each period.",
        ),
    ] {
        assert!(
            drafts[plan].contains(line),
            "{plan}: {line}\n{}",
            drafts[plan]
        );
    }
}

#[test]
fn the_header_comes_from_the_notice() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = draft_and_check(dir.path(), &seed("nanyang-2017"), &[]);
    for line in [
        "发文单位 \"中共南阳市纪委办公室\"",
        "文号 \"宛纪办〔2017〕21号\"",
        "印发 2017年3月30日",
        "\"侵害群众利益的不正之风和腐败问题专项整治工作方案\"",
        "时限 每月25日前",
        "时限 2017年4月15日前",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn a_text_without_its_notice_takes_the_day_of_issue_given() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("excerpt.txt");
    std::fs::write(&document, "各镇于4月15日前将工作方案报县局。\n").unwrap();
    let run = duban(&["draft", document.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--issued"), "{}", run.stderr);
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2024-03-01"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    assert!(text.contains("--issued"), "{text}");
    assert!(text.contains("时限 2024年4月15日前"), "{text}");
}

/// A .docx of `paragraphs`: the one part `duban draft` reads, zipped.
fn docx(path: &Path, paragraphs: &[&str]) {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            let p = p.replace('&', "&amp;").replace('<', "&lt;");
            format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>")
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn word_and_web_pages_draft_as_their_text_does() {
    let text = std::fs::read_to_string(seed("qianyang-2023")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let plain = {
        let (drafted, _) = draft_and_check(dir.path(), &seed("qianyang-2023"), &[]);
        drafted
    };
    let statements = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("  时限") || l.starts_with("  接收单位"))
            .map(str::to_string)
            .collect()
    };
    let word = dir.path().join("方案.docx");
    docx(&word, &lines);
    let (drafted, check) = draft_and_check(dir.path(), &word, &[]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(statements(&drafted), statements(&plain));

    let page = dir.path().join("方案.html");
    let html: String = lines
        .iter()
        .map(|l| format!("<p>{}</p>\n", l.replace('&', "&amp;").replace('<', "&lt;")))
        .collect();
    std::fs::write(
        &page,
        format!("<html><head><script>var x = '<p>每月1日前报</p>';</script></head><body>{html}</body></html>"),
    )
    .unwrap();
    let (drafted, check) = draft_and_check(dir.path(), &page, &[]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(statements(&drafted), statements(&plain));
}

#[test]
fn a_pdf_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("方案.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n").unwrap();
    let run = duban(&["draft", pdf.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not read yet"), "{}", run.stderr);
    assert!(run.stderr.contains(".docx"), "{}", run.stderr);
}

#[test]
fn explain_says_what_each_sentence_gave() {
    let run = duban(&["draft", seed("gulu-2023").to_str().unwrap(), "--explain"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("→ measure with its deadline"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("时限 2023年7月18日前"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("# Drafted by `duban draft`"));
}

/// A period named without its day is read as the day the document gave before for that period,
/// else as the period's end, each a reading to confirm; a second deadline in a sentence is of
/// the words between the two; the departments a qualifier names are the owners, not the units
/// before it; where the leading group's office sits is the campaign's 主办单位, under the name
/// the document uses elsewhere.
#[test]
fn a_period_without_its_day_and_the_office_the_group_sits_in() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("excerpt.txt");
    std::fs::write(
        &document,
        "领导小组办公室设在县农业农村服务中心，负责日常工作。\n\
         各镇要将每月工作进展情况于下月5日前、阶段工作总结于6月30日前报县农村中心。\n\
         各镇直接联系村组的相关职能部门要将每月工作开展情况报县农村中心。\n\
         各镇每季度将督查情况报送县纪委。\n",
    )
    .unwrap();
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2024-03-01"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    for line in [
        "主办单位 县农村中心",
        "named 县农村中心 where the document sends reports to it",
        "\"阶段工作总结\" {",
        "时限 2024年6月30日前",
        "报送单位 各镇相关职能部门",
        "the one the document gives for it before (¶2: `每月 下月5日前`)",
        "时限 每季度末",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    // Each borrowed day is marked for a person to confirm.
    let borrowed = text
        .find("the one the document gives for it before")
        .unwrap();
    assert!(
        text[..borrowed].ends_with("# 待确认 Reading: the sentence gives no day for 每月: "),
        "{text}"
    );
}

/// Reports named together are drafted one statement each: each with its own date where
/// 分别 gives as many dates, else all by the one deadline; 各行署 is a collective.
#[test]
fn reports_named_together_are_drafted_one_each() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("excerpt.txt");
    std::fs::write(
        &document,
        "各县区要将工作方案和工作总结分别于6月30日和12月31日前报市纪委。\n\
         各县区于6月30日和12月31日前分别报送半年总结和全年总结至市纪委。\n\
         各行署、市政府要认真总结,并于11月10日前将《年度工作总结》和《三年工作总结》报省环保办。\n",
    )
    .unwrap();
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2024-03-01"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    for (title, due) in [
        ("工作方案", "2024年6月30日前"),
        ("工作总结", "2024年12月31日前"),
        ("半年总结", "2024年6月30日前"),
        ("全年总结", "2024年12月31日前"),
        ("年度工作总结", "2024年11月10日前"),
        ("三年工作总结", "2024年11月10日前"),
    ] {
        let block = text
            .split("\n\n")
            .find(|b| b.contains(&format!("\"{title}\" {{")))
            .unwrap_or_else(|| panic!("{title}\n{text}"));
        assert!(block.contains(&format!("时限 {due}")), "{title}: {block}");
    }
    assert!(text.contains("报送单位 各行署、市政府"), "{text}");
    assert!(!text.contains("分别于2024年"), "{text}");
}

/// A monthly report on the month before first covers the campaign's first month, not the month
/// before the campaign starts — or the first whose report is due after the day of issue — and
/// last the campaign's last month: the draft says `首期` and `末期`, and `duban check` has
/// nothing to warn of.
#[test]
fn a_report_on_the_month_before_starts_with_the_campaigns_first_month() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("excerpt.txt");
    std::fs::write(
        &document,
        "专项整治从2023年2月份开始，至12月底结束。\n各镇于每月25日前将上月工作情况报县局。\n",
    )
    .unwrap();
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2023-03-01"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    assert!(
        text.contains("报告期 上月\n  首期 2023年2月\n  末期 2023年12月"),
        "{text}"
    );
    assert!(
        !check.stderr.contains("before the campaign starts"),
        "{}",
        check.stderr
    );
    // Issued on 29 March, the report on February (due 25 March) cannot be asked for: the first
    // is on March, and the draft says why.
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2023-03-29"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    assert!(text.contains("首期 2023年3月\n  末期 2023年12月"), "{text}");
    assert!(
        text.contains(
            "the one on 2023年2月 would be due 2023-03-25, before the document was issued"
        ),
        "{text}"
    );
}

/// Sentences that look like reports and are not, each drafted as nothing (or as the one report it
/// holds): a deadline whose clause ends before the verb, a verb that names a thing, laws cited
/// in 《》, a task list under a sentence that mentions 工作安排.
#[test]
fn what_only_looks_like_a_report_is_not_drafted_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("excerpt.txt");
    std::fs::write(
        &document,
        "各乡镇于3月10日前完成自查，4月30日前将整改报告报送县整治办。\n\
         县整治办每月通报各乡镇工作进展和信息报送情况。\n\
         县纪委每季度对各乡镇上报的问题线索进行抽查。\n\
         各县区要对照《安全生产法》和《安全生产条例》，于6月30日前将自查报告报市安办。\n\
         二、主要任务\n\
         按照县委统一工作安排，重点抓好以下工作：\n\
         （一）加强排查。各乡镇要全面排查。\n",
    )
    .unwrap();
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2024-03-01"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    let statements: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("报送 ") || l.starts_with("阶段 ") || l.starts_with("措施 "))
        .collect();
    assert_eq!(
        statements,
        [
            "报送 整改报告 \"整改报告\" {",
            "报送 自查报告 \"自查报告\" {"
        ],
        "{text}"
    );
    assert!(text.contains("时限 2024年4月30日前"), "{text}");
    assert!(!text.contains("时限 2024年3月10日前"), "{text}");
}

/// A measure the campaign's office shares with others (古路's 镇村建中心 among its 责任单位) is not
/// drafted as owed by the office to itself: the others' share stays the office's to receive;
/// the office's own is owed to the authority that issued the document (古路镇人民政府, the
/// text's 镇政府), marked to confirm — and nothing in the schedule is owed by a unit to itself.
#[test]
fn the_offices_own_share_is_owed_to_the_issuing_authority() {
    let dir = tempfile::tempdir().unwrap();
    let (text, check) = draft_and_check(dir.path(), &seed("gulu-2023"), &[]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    let blocks: Vec<&str> = text
        .split("\n\n")
        .filter(|b| b.contains("\"摸排辖区对象户\" {"))
        .collect();
    assert_eq!(blocks.len(), 2, "{blocks:#?}");
    assert!(
        blocks[0].contains("责任单位 各村、各驻村组\n"),
        "{}",
        blocks[0]
    );
    assert!(
        blocks[1].contains("责任单位 镇村建中心\n  接收单位 镇政府\n"),
        "{}",
        blocks[1]
    );
    assert!(
        blocks[1].contains("# 待确认 Reading: 镇村建中心 runs the campaign and owes this too"),
        "{}",
        blocks[1]
    );
    let out = dir.path().join("draft.campaign");
    let run = duban(&["schedule", out.to_str().unwrap(), "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    for row in &rows {
        let to = row["to"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert!(!to.contains(&row["unit"]), "owed to itself: {row}");
    }
}

/// A note under an annex's table (注：此表每月20日前报送…) is sent by those the text has fill the
/// annex in, as the table the annex heads — not by every unit the notice is addressed to.
#[test]
fn a_note_under_an_annex_is_sent_by_those_who_fill_it_in() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("excerpt.txt");
    std::fs::write(
        &document,
        "各村，各驻村组：\n\
         各村建立问题清单（附件2），于7月18日前报镇村建中心。\n\
         附件2\n\
         问题清单\n\
         注：此表每月20日前报送至镇村建中心。\n",
    )
    .unwrap();
    let (text, check) = draft_and_check(dir.path(), &document, &["--issued", "2023-05-30"]);
    assert_eq!(check.code, 0, "{}\n{text}", check.stderr);
    let block = text
        .split("\n\n")
        .find(|b| b.contains("时限 每月20日前"))
        .unwrap_or_else(|| panic!("{text}"));
    for line in [
        "\"问题清单\" {",
        "报送单位 各村\n",
        "表单 \"附件2\"",
        "a note under 附件2's table: owed by those the text has fill it in",
    ] {
        assert!(block.contains(line), "{line}\n{block}");
    }
}
