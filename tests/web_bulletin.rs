//! The bulletin (通报) on the web, as a supervisor opens it from the board: a way back to the
//! board, a picker of the campaign's months, quarters and years, a viewport for phones, and its
//! 本期 and 累计 columns grouped under labels saying what each counts.

use crate::common::Workspace;
use crate::webserver::{Server, sign_up, token};

#[test]
fn the_bulletin_page_picks_a_period_leads_back_to_the_board_and_labels_its_counts() {
    let w = Workspace::new(&["nanyang-2017"]);
    let supervisor = token(&w.ok(&["user", "add", "王督", "--role", "supervisor"]));
    let server = Server::start(&w, "2017-06-05");
    let supervisor = sign_up(&server, &supervisor, "王督", "a long enough password");

    // Without a period: last month's, as the board offers it.
    let page = server.get("/bulletin?campaign=nanyang-2017", &supervisor);
    assert_eq!(page.status, 200, "{}", page.body);
    let body = page.body;
    assert!(body.contains("（2017年5月）</h1>"), "{body}");
    assert!(
        body.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"&#x2f;board?campaign=nanyang-2017\" id=\"back\">返回看板</a>"),
        "{body}"
    );
    // The picker: the months since the first report fell due, up to this one; quarters; years.
    for (key, label) in [
        ("2017-04", "2017年4月"),
        ("2017-06", "2017年6月"),
        ("2017-Q2", "2017年第二季度"),
        ("2017", "2017年"),
    ] {
        assert!(
            body.contains(&format!("<option value=\"{key}\">{label}</option>")),
            "{key}: {body}"
        );
    }
    assert!(
        body.contains("<option value=\"2017-05\" selected>2017年5月</option>"),
        "{body}"
    );
    assert!(
        !body.contains("2017-03"),
        "nothing fell due in March: {body}"
    );
    assert!(!body.contains("2017-07"), "July has not begun: {body}");
    // 本期 and 累计 over the ranking's columns, each saying what it counts.
    assert!(
        body.contains("<th colspan=\"5\">本期（2017年5月）</th><th colspan=\"5\">累计（自专项开始至2017年5月31日）</th>"),
        "{body}"
    );
    assert!(
        body.contains("format=docx\" id=\"word\">下载Word版</a>"),
        "{body}"
    );

    // Another period, as the picker sends it.
    let quarter = server
        .get(
            "/bulletin?campaign=nanyang-2017&period=2017-Q2",
            &supervisor,
        )
        .body;
    assert!(quarter.contains("2017年第二季度"), "{quarter}");
    assert!(
        quarter.contains("<option value=\"2017-Q2\" selected>"),
        "{quarter}"
    );
    let wrong = server.get("/bulletin?campaign=nanyang-2017&period=五月", &supervisor);
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.body.contains("「五月」不是可以通报的期间"),
        "{}",
        wrong.body
    );
    // The bar is for the screen: printed, the bulletin is the document alone.
    assert!(body.contains("@media print { nav.screen { display: none; } }"));
}

/// The office gives the bulletin its own 文号 and 主送机关: printed above and under the title
/// on the page, in the Word file the page links to, and by the command line; one that cannot
/// be printed (too long) is said in Chinese and nothing is made.
#[test]
fn the_bulletin_carries_its_number_and_whom_it_is_addressed_to() {
    let w = Workspace::new(&["nanyang-2017"]);
    let supervisor = token(&w.ok(&["user", "add", "王督", "--role", "supervisor"]));
    let server = Server::start(&w, "2017-06-05");
    let supervisor = sign_up(&server, &supervisor, "王督", "a long enough password");
    let number = "宛纪办通〔2017〕5号";
    let to = "各县区纪委、市直各单位";
    let path = format!(
        "/bulletin?campaign=nanyang-2017&period=2017-05&number={}&to={}",
        crate::webserver::encode(number),
        crate::webserver::encode(to)
    );
    let page = server.get(&path, &supervisor);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("<p class=\"number\">{number}</p>\n<h1>"))
            && page
                .body
                .contains(&format!("</h1>\n<p class=\"to\">{to}：</p>")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("value=\"{number}\"")),
        "kept in the form"
    );
    let word = server.get(&format!("{path}&format=docx"), &supervisor);
    assert_eq!(word.status, 200);
    let long = "文".repeat(65);
    let refused = server.get(
        &format!(
            "/bulletin?campaign=nanyang-2017&period=2017-05&number={}",
            crate::webserver::encode(&long)
        ),
        &supervisor,
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("文号超过64个字符"),
        "{}",
        refused.body
    );

    let md = w.ok(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
        "--number",
        number,
        "--addressed-to",
        to,
    ]);
    assert!(md.starts_with(&format!("{number}\n\n# 关于")), "{md}");
    assert!(md.contains(&format!("\n\n{to}：\n\n")), "{md}");
}
