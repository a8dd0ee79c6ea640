//! The bulletin (通报) in each format: its sections are made once as headed tables, and each
//! format lays them out — Markdown for a mail body, HTML that prints on A4, Word, and Excel with
//! one sheet per table.

use super::chart::{Bar, bars};
use super::docx::Docx;
use super::escape;
use crate::language::form::num;
use crate::reports::{Basis, Bulletin, Counts, chinese_date};

/// One section of a bulletin: a heading, a paragraph or a table (or none: `无`).
pub struct Section {
    /// `二、各单位报送情况`.
    pub heading: String,
    /// The sheet's name in a workbook.
    pub sheet: &'static str,
    /// Its text before the table.
    pub text: Option<String>,
    /// The table's columns.
    pub header: Vec<&'static str>,
    /// A row above the columns that groups them, each label over so many columns: which are
    /// this period's (本期) and which count from the campaign's start (累计). None: no such row.
    pub spans: Vec<(String, usize)>,
    /// Its rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A cell: text, or a number or a date a spreadsheet keeps as one.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date.
    Date(chrono::NaiveDate),
}

impl Cell {
    /// As it reads.
    pub fn show(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => num(*n),
            Cell::Date(d) => d.to_string(),
        }
    }

    /// What a listing's text is: `2017-05-25` a date, `12` or `3.5` a number (not `007`, nor
    /// ten digits and more: codes and phone numbers stay text), anything else text.
    pub fn typed(text: &str) -> Cell {
        if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            && text.len() == 10
        {
            return Cell::Date(date);
        }
        let digits = text.trim_start_matches('-');
        let plain = !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.chars().filter(|c| *c == '.').count() <= 1
            && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
            && digits.chars().filter(char::is_ascii_digit).count() < 10;
        match text.parse::<f64>() {
            Ok(n) if plain => Cell::Number(n),
            _ => Cell::Text(text.to_string()),
        }
    }
}

/// A deadline with the day a rest day moved it to, which its days overdue count from:
/// `2017-04-15（顺延至04-17）`.
fn moved(due_date: &str, on_time_until: &str) -> String {
    if due_date == on_time_until {
        return due_date.to_string();
    }
    let shown = match due_date.get(..5) {
        Some(year) if on_time_until.starts_with(year) => &on_time_until[5..],
        _ => on_time_until,
    };
    format!("{due_date}（顺延至{shown}）")
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

/// The bulletin's title: `关于…报送情况的通报（2017年5月）`, or while the window is not over
/// `（2017年5月，截至2017年5月27日）`.
pub fn title(b: &Bulletin) -> String {
    if b.complete {
        format!("关于{}报送情况的通报（{}）", b.title, b.window.label)
    } else {
        format!(
            "关于{}报送情况的通报（{}，截至{}）",
            b.title,
            b.window.label,
            chinese_date(b.as_of)
        )
    }
}

/// What the two counts cover: `本期（2017年5月）`, `累计（自专项开始至2017年5月31日）`.
fn span(b: &Bulletin, basis: Basis) -> String {
    match basis {
        Basis::Period => format!("本期（{}）", b.window.label),
        Basis::ToDate => format!("累计（自专项开始至{}）", chinese_date(b.window.to)),
    }
}

/// The sections of `b`, in order.
pub fn sections(b: &Bulletin) -> Vec<Section> {
    let rate = |r: Option<f64>| r.map_or(text("—"), |r| text(format!("{}%", num(r))));
    let line = |label: String, c: &Counts| {
        vec![
            text(label),
            count(c.due),
            count(c.on_time),
            count(c.late),
            count(c.under_review),
            count(c.waived),
            count(c.overdue),
            rate(c.on_time_rate()),
        ]
    };
    let mut out = vec![Section {
        heading: "一、总体情况".into(),
        sheet: "总体情况",
        text: Some(b.summary.clone()),
        header: vec![
            "口径",
            "应报",
            "按时报送",
            "逾期报送",
            "待审核",
            "免报",
            "尚未报送",
            "按时报送率",
        ],
        spans: Vec::new(),
        rows: vec![
            line(span(b, Basis::Period), &b.counts),
            line(span(b, Basis::ToDate), &b.to_date),
        ],
    }];
    out.push(Section {
        heading: "二、各单位报送情况".into(),
        sheet: "各单位排名",
        text: Some(format!(
            "以下按各单位{}按时报送率由高到低排列。本期指截止日期在{}至{}的报送事项，累计指自专项开始截止日期在{}以前的全部报送事项；提前报送以后各期的，计入其截止日期所在的一期。",
            b.ranking_basis.label(),
            chinese_date(b.window.from),
            chinese_date(b.window.to),
            chinese_date(b.window.to),
        )),
        header: vec![
            "名次",
            "单位",
            "本期应报",
            "本期按时",
            "本期逾期报送",
            "本期尚未报送",
            "本期按时报送率",
            "累计应报",
            "累计按时",
            "累计逾期报送",
            "累计尚未报送",
            "累计按时报送率",
        ],
        spans: vec![
            (String::new(), 2),
            (span(b, Basis::Period), 5),
            (span(b, Basis::ToDate), 5),
        ],
        rows: b
            .ranking
            .iter()
            .map(|r| {
                vec![
                    count(r.rank),
                    text(&r.unit),
                    count(r.counts.due),
                    count(r.counts.on_time),
                    count(r.counts.late),
                    count(r.counts.overdue),
                    rate(r.counts.on_time_rate()),
                    count(r.to_date.due),
                    count(r.to_date.on_time),
                    count(r.to_date.late),
                    count(r.to_date.overdue),
                    rate(r.to_date.on_time_rate()),
                ]
            })
            .collect(),
    });
    out.push(Section {
        heading: "三、尚未报送情况".into(),
        sheet: "尚未报送",
        text: Some(if b.missing.is_empty() {
            format!("截至{}，无逾期尚未报送的事项。", chinese_date(b.as_of))
        } else {
            format!(
                "截至{}，以下报送事项逾期尚未报送（累计，含以前各期；“所属”注明本期或往期）：",
                chinese_date(b.as_of)
            )
        }),
        header: vec!["单位", "报送事项", "期次", "截止日期", "逾期天数", "所属"],
        spans: Vec::new(),
        rows: b
            .missing
            .iter()
            .map(|m| {
                vec![
                    text(&m.unit),
                    text(&m.deliverable),
                    text(m.period.clone().unwrap_or_else(|| "—".into())),
                    text(moved(&m.due_date, &m.on_time_until)),
                    Cell::Number(m.days_overdue as f64),
                    text(if m.in_period { "本期" } else { "往期" }),
                ]
            })
            .collect(),
    });
    out.push(Section {
        heading: "四、目标未达标情况".into(),
        sheet: "目标未达标",
        text: b.below_target.is_empty().then(|| "无。".into()),
        header: vec!["单位", "目标", "时点", "要求", "报送值", "差距"],
        spans: Vec::new(),
        rows: b
            .below_target
            .iter()
            .map(|f| {
                vec![
                    text(&f.unit),
                    text(&f.target),
                    text(&f.period),
                    text(&f.threshold),
                    f.value.map_or(text("—"), Cell::Number),
                    f.gap.map_or(text("—"), Cell::Number),
                ]
            })
            .collect(),
    });
    // Said only where there is something to say: most campaigns review nothing, and most
    // reports are recorded as they come.
    const NUMERALS: [&str; 11] = [
        "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
    ];
    let mut numeral = NUMERALS.iter();
    let mut next = || numeral.next().copied().unwrap_or("");
    if !b.late_reviews.is_empty() {
        out.push(Section {
            heading: format!("{}、审核逾期情况", next()),
            sheet: "审核逾期",
            text: Some("以下报送材料的审核超过审核期限（审核单位的逾期，不计入报送单位）：".into()),
            header: vec!["审核单位", "报送单位", "报送事项", "期次", "情况"],
            spans: Vec::new(),
            rows: b
                .late_reviews
                .iter()
                .map(|l| {
                    let state = match (&l.reviewed_at, &l.review_due) {
                        (Some(at), _) => format!("逾期审核（{at}审核通过）"),
                        (None, Some(due)) => format!("逾期未审核（审核期限{due}）"),
                        (None, None) => "逾期未审核".to_string(),
                    };
                    vec![
                        text(l.reviewer.clone().unwrap_or_else(|| "—".into())),
                        text(&l.unit),
                        text(&l.deliverable),
                        text(l.period.clone().unwrap_or_else(|| "—".into())),
                        text(state),
                    ]
                })
                .collect(),
        });
    }
    if !b.unacknowledged.is_empty() {
        out.push(Section {
            heading: format!("{}、未签收情况", next()),
            sheet: "未签收",
            text: Some("以下单位收到督办通知后未在规定时间内签收：".into()),
            header: vec!["单位", "报送事项", "期次", "通知时间", "应签收时间"],
            spans: Vec::new(),
            rows: b
                .unacknowledged
                .iter()
                .map(|u| {
                    vec![
                        text(&u.unit),
                        text(&u.deliverable),
                        text(u.period.clone().unwrap_or_else(|| "—".into())),
                        text(&u.told),
                        text(&u.due),
                    ]
                })
                .collect(),
        });
    }
    if !b.letters.is_empty() {
        out.push(Section {
            heading: format!("{}、督办文书下发情况", next()),
            sheet: "督办文书",
            text: Some(format!(
                "本期对逾期未报送的单位下发督办文书{}份：",
                b.letters.len()
            )),
            header: vec!["文号", "单位", "督办事项", "下发日期"],
            spans: Vec::new(),
            rows: b
                .letters
                .iter()
                .map(|l| vec![text(&l.number), text(&l.unit), text(&l.items), text(&l.day)])
                .collect(),
        });
    }
    if !b.instructions.is_empty() {
        out.push(Section {
            heading: format!("{}、领导批示办理情况", next()),
            sheet: "领导批示",
            text: Some(
                "领导批示事项逐项交办、限时办结，办结报告经复核后销号。截至本期，办理情况如下："
                    .into(),
            ),
            header: vec![
                "批示领导",
                "批示内容",
                "批示对象",
                "承办单位",
                "办结时限",
                "办理情况",
            ],
            spans: Vec::new(),
            rows: b
                .instructions
                .iter()
                .map(|i| {
                    vec![
                        text(&i.leader),
                        text(&i.text),
                        text(&i.about),
                        text(&i.unit),
                        text(&i.due_date),
                        text(&i.state),
                    ]
                })
                .collect(),
        });
    }
    if !b.requests.is_empty() {
        out.push(Section {
            heading: format!("{}、申请延期和签收情况", next()),
            sheet: "延期签收",
            text: Some(
                "本期各单位申请延期、获批延期和签收情况如下。经同意延期的事项按延期后的截止时间计算，不计为逾期；截止后提出的延期申请不予受理："
                    .into(),
            ),
            header: vec!["单位", "申请延期（次）", "同意延期（次）", "不同意延期（次）", "签收（项）"],
            spans: Vec::new(),
            rows: b
                .requests
                .iter()
                .map(|q| {
                    vec![
                        text(&q.unit),
                        Cell::Number(q.asked as f64),
                        Cell::Number(q.granted as f64),
                        Cell::Number(q.declined as f64),
                        Cell::Number(q.acknowledged as f64),
                    ]
                })
                .collect(),
        });
    }
    if !b.backfilled.is_empty() {
        out.push(Section {
            heading: format!("{}、补录情况", next()),
            sheet: "补录",
            text: Some(
                "以下报送事项系事后补录（纸质等方式报送后由督办办公室录入），按实际报送时间计算："
                    .into(),
            ),
            header: vec!["单位", "报送事项", "期次", "报送时间", "录入时间", "录入人"],
            spans: Vec::new(),
            rows: b
                .backfilled
                .iter()
                .map(|f| {
                    vec![
                        text(&f.unit),
                        text(&f.deliverable),
                        text(f.period.clone().unwrap_or_else(|| "—".into())),
                        text(&f.at),
                        text(&f.recorded_at),
                        text(f.by.clone().unwrap_or_else(|| "—".into())),
                    ]
                })
                .collect(),
        });
    }
    let basis = match b.interview_basis {
        Basis::Period => "依据本期逾期未报情况".to_string(),
        Basis::ToDate => "依据累计逾期未报情况（含以前各期）".to_string(),
    };
    let mut interviews = match (&b.interview_rule, b.proposed.is_empty()) {
        (None, _) => "本次专项未设约谈规则。".to_string(),
        (Some(rule), true) => {
            format!("按本次专项的约谈规则（{rule}），{basis}，本期无拟约谈单位。")
        }
        (Some(rule), false) => {
            format!("按本次专项的约谈规则（{rule}），{basis}，拟约谈以下单位：")
        }
    };
    for (unit, line) in &b.interviews {
        interviews.push_str(&format!("本期已约谈{unit}：{line}。"));
    }
    out.push(Section {
        heading: format!("{}、约谈情况", next()),
        sheet: "约谈",
        text: Some(interviews),
        header: vec!["单位", "事由"],
        spans: Vec::new(),
        rows: b
            .proposed
            .iter()
            .map(|p| vec![text(&p.unit), text(p.lapses.join("；"))])
            .collect(),
    });
    out
}

/// The charts of the bulletin: on-time rate by unit, overdue reports week by week, and each
/// unit's latest value against its target (when the campaign has values for one).
pub fn charts(b: &Bulletin) -> Vec<String> {
    let trend: Vec<Bar> = b
        .trend
        .iter()
        .map(|(day, n)| Bar {
            label: format!(
                "{}月{}日",
                chrono::Datelike::month(day),
                chrono::Datelike::day(day)
            ),
            value: *n as f64,
        })
        .collect();
    let mut out = vec![
        chart(b),
        super::chart::columns("逾期未报数量变化（累计）", &trend, ""),
    ];
    let mut latest: Vec<Bar> = Vec::new();
    for f in &b.targets {
        let Some(value) = f.value else { continue };
        match latest.iter_mut().find(|l| l.label == f.unit) {
            Some(l) => l.value = value,
            None => latest.push(Bar {
                label: f.unit.clone(),
                value,
            }),
        }
    }
    if !latest.is_empty() {
        out.push(bars("目标进度（最新报送值）", &latest, 100.0, "%"));
    }
    out
}

/// The chart of every unit's on-time rate by the ranking's basis, best first.
pub fn chart(b: &Bulletin) -> String {
    let rows: Vec<Bar> = b
        .ranking
        .iter()
        .filter_map(|r| {
            Some(Bar {
                label: r.unit.clone(),
                value: r.on_time_rate?,
            })
        })
        .collect();
    bars(
        &format!("各单位{}按时报送率", b.ranking_basis.label()),
        &rows,
        100.0,
        "%",
    )
}

fn signature(b: &Bulletin) -> (String, String) {
    (
        b.office.clone().or(b.issuer.clone()).unwrap_or_default(),
        chinese_date(b.issued),
    )
}

/// Markdown, for a mail body.
pub fn markdown(b: &Bulletin) -> String {
    let mut out = String::new();
    if let Some(number) = &b.number {
        out.push_str(&format!("{number}\n\n"));
    }
    out.push_str(&format!("# {}\n\n", title(b)));
    if let Some(to) = &b.to {
        out.push_str(&format!("{to}：\n\n"));
    }
    if let Some(doc) = &b.doc {
        out.push_str(&format!("依据：{doc}\n\n"));
    }
    for s in sections(b) {
        out.push_str(&format!("## {}\n\n", s.heading));
        if let Some(t) = &s.text {
            out.push_str(&format!("{t}\n\n"));
        }
        if s.rows.is_empty() {
            continue;
        }
        out.push_str(&format!("| {} |\n", s.header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(s.header.len())));
        for row in &s.rows {
            let cells: Vec<String> = row.iter().map(|c| c.show().replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
    }
    let (office, date) = signature(b);
    out.push_str(&format!("{office}  \n{date}\n"));
    out
}

/// HTML that prints cleanly on A4, the chart inline.
pub fn html(b: &Bulletin) -> String {
    html_with(b, "")
}

/// [`html`] with `nav` — HTML the caller made and escaped: the web page's way back and period
/// picker — above the bulletin, on screen only: it is not printed.
pub fn html_with(b: &Bulletin, nav: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    out.push_str(&format!("<title>{}</title>\n", escape(&title(b))));
    out.push_str(STYLE);
    out.push_str("</head>\n<body>\n");
    out.push_str(nav);
    out.push_str("<main>\n");
    if let Some(number) = &b.number {
        out.push_str(&format!("<p class=\"number\">{}</p>\n", escape(number)));
    }
    out.push_str(&format!("<h1>{}</h1>\n", escape(&title(b))));
    if let Some(to) = &b.to {
        out.push_str(&format!("<p class=\"to\">{}：</p>\n", escape(to)));
    }
    if let Some(doc) = &b.doc {
        out.push_str(&format!("<p class=\"doc\">依据：{}</p>\n", escape(doc)));
    }
    for (i, s) in sections(b).iter().enumerate() {
        out.push_str(&format!("<h2>{}</h2>\n", escape(&s.heading)));
        if let Some(t) = &s.text {
            out.push_str(&format!("<p>{}</p>\n", escape(t)));
        }
        if i == 1 {
            for svg in charts(b) {
                out.push_str(&format!("<figure>{svg}</figure>\n"));
            }
        }
        if s.rows.is_empty() {
            continue;
        }
        // A wide table scrolls by itself on a phone rather than widening the page.
        out.push_str("<div class=\"scroll\"><table>\n<thead>");
        if !s.spans.is_empty() {
            out.push_str("<tr class=\"spans\">");
            for (label, columns) in &s.spans {
                out.push_str(&format!("<th colspan=\"{columns}\">{}</th>", escape(label)));
            }
            out.push_str("</tr>");
        }
        out.push_str("<tr>");
        for h in &s.header {
            out.push_str(&format!("<th>{}</th>", escape(h)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &s.rows {
            out.push_str("<tr>");
            for c in row {
                let class = if matches!(c, Cell::Number(_)) {
                    " class=\"n\""
                } else {
                    ""
                };
                out.push_str(&format!("<td{class}>{}</td>", escape(&c.show())));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    let (office, date) = signature(b);
    out.push_str(&format!(
        "<p class=\"sign\">{}<br>{}</p>\n</main>\n</body>\n</html>\n",
        escape(&office),
        escape(&date)
    ));
    out
}

/// 公文 proportions: 方正小标宋 for the title, 仿宋_GB2312 for the body, A4 with its margins.
const STYLE: &str = "<style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: FangSong, '仿宋_GB2312', '仿宋', 'Noto Serif CJK SC', serif; font-size: 16pt; line-height: 1.6; color: #000; margin: 0; }
main { max-width: 156mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-family: '方正小标宋简体', 'FZXiaoBiaoSong-B05S', 'Noto Serif CJK SC', SimSun, serif; font-size: 22pt; font-weight: normal; text-align: center; margin: 0 0 12pt; }
h2 { font-family: '黑体', SimHei, 'Noto Sans CJK SC', sans-serif; font-size: 16pt; font-weight: normal; margin: 12pt 0 6pt; }
p { text-indent: 2em; margin: 0 0 6pt; }
p.doc, p.sign, p.to { text-indent: 0; }
p.number { text-indent: 0; text-align: center; margin-bottom: 12pt; }
p.sign { text-align: right; margin-top: 24pt; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; margin: 6pt 0 12pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2pt 4pt; text-align: center; }
td.n { text-align: right; }
figure { margin: 6pt 0; text-align: center; }
figure svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
nav.screen { font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif; font-size: 12pt; line-height: 1.4; background: #f4f4f4; border-bottom: 1px solid #bbb; padding: 6pt 12pt; display: flex; flex-wrap: wrap; gap: 6pt 16pt; align-items: center; }
nav.screen form { display: flex; flex-wrap: wrap; gap: 6pt; align-items: center; margin: 0; }
nav.screen select, nav.screen button { font-size: 12pt; padding: 2pt 6pt; }
@media screen and (max-width: 600px) { body { font-size: 13pt; } main { padding: 4mm 3mm; } h1 { font-size: 17pt; } }
@media print { nav.screen { display: none; } }
</style>
";

/// A Word document: the title in 方正小标宋简体 二号, the body in 仿宋_GB2312 三号, the pages
/// numbered, and the 版记 (the office, the date it was issued) at the end.
pub fn docx(b: &Bulletin) -> Result<Vec<u8>, std::io::Error> {
    let mut doc = Docx::new();
    if let Some(number) = &b.number {
        doc.centred(number);
    }
    doc.title(&title(b));
    if let Some(to) = &b.to {
        doc.paragraph(&format!("{to}："), false);
    }
    if let Some(d) = &b.doc {
        doc.paragraph(&format!("依据：{d}"), false);
    }
    for s in sections(b) {
        doc.heading(&s.heading);
        if let Some(t) = &s.text {
            doc.paragraph(t, true);
        }
        if !s.rows.is_empty() {
            let rows: Vec<Vec<String>> = s
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::show).collect())
                .collect();
            doc.table(&s.header, &rows);
        }
    }
    let (office, date) = signature(b);
    doc.signature(&office, &date);
    // The 版记 names the organ that issues the document (发文机关), where the campaign gives it.
    let issuer = b.issuer.clone().unwrap_or(office);
    doc.colophon(&issuer, &date);
    doc.finish()
}

/// An Excel workbook: one sheet per table, numbers as numbers, the header frozen.
pub fn xlsx(b: &Bulletin) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for s in sections(b) {
        let rows: Vec<Vec<Cell>> = s.rows;
        super::sheet(&mut book, s.sheet, &s.header, &rows)?;
    }
    book.save_to_buffer()
}
