//! What is wrong with a row of an imported sheet, as a page says it to the office that
//! uploaded it.

use super::RowProblem;

impl RowProblem {
    /// The same as a page says it to the office that uploaded the sheet: in Chinese, with the
    /// fix in the page's terms (no command-line flag).
    pub fn zh(&self) -> String {
        match self {
            RowProblem::Empty => "文件是空的：第一行应为表头（列名）".into(),
            RowProblem::UnknownColumn { name, hint } => match quoted(hint) {
                Some(near) => format!("没有名为「{name}」的列，是否指「{near}」？"),
                None => format!("没有名为「{name}」的列"),
            },
            RowProblem::ColumnTwice(name) => format!("「{name}」一列出现了两次"),
            RowProblem::NoHeader { missing, columns } => format!(
                "表头缺少「{}」一列：第一行应为列名（可用的列：{}，及表单各栏）",
                missing
                    .iter()
                    .map(|c| column_zh(c))
                    .collect::<Vec<_>>()
                    .join("」「"),
                columns
                    .iter()
                    .map(|c| column_zh(c))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            RowProblem::FieldCount { found, columns } => {
                format!("这一行有{found}格，表头却有{columns}列")
            }
            RowProblem::QuoteOpen => "这一行的引号没有闭合：其后的内容都会被读成一格".into(),
            RowProblem::CsvNotUtf8 | RowProblem::NotUtf8 => {
                "不是UTF-8文本：请在Excel中另存为「CSV UTF-8」，或直接上传Excel文件".into()
            }
            RowProblem::NotCsv(_) => {
                "不是CSV格式：请在Excel中另存为「CSV UTF-8」，或直接上传Excel文件".into()
            }
            RowProblem::TooLong { kib } => format!("一行超过{kib}KB，不是一条记录"),
            RowProblem::NotJson(_) => "不是JSON格式的一行".into(),
            RowProblem::NotAnObject => "不是JSON对象".into(),
            RowProblem::Unreadable(_) => {
                "从这一行起无法读取：文件可能已损坏，请重新导出后上传".into()
            }
            RowProblem::Missing(column) => format!("「{}」一栏为空", column_zh(column)),
            RowProblem::Time(e) => format!("「{}」不是时间（请写成2017-05-24 10:30）", e.0),
            RowProblem::Signature(text) => {
                format!("签字「{text}」应写成「姓名:身份」，如「张明:村书记」")
            }
            RowProblem::Unknown {
                kind,
                name,
                suggestion,
            } => {
                let what = match *kind {
                    "campaign" => "专项",
                    "deliverable" => "报送事项",
                    "unit" => "单位",
                    other => other,
                };
                match suggestion.as_deref().and_then(quoted) {
                    Some(near) => format!("没有名为「{name}」的{what}，是否指「{near}」？"),
                    None => format!("没有名为「{name}」的{what}"),
                }
            }
            RowProblem::NeedsPeriod(d) => format!("{d}按期报送：这一行须填写期次（如2017-05）"),
            RowProblem::NoPeriod(d) => format!("{d}只报一次：这一行不应填写期次"),
            RowProblem::Unsigned(missing) => format!("尚缺签字：{}", missing.join("、")),
            RowProblem::NoForm {
                deliverable,
                columns,
            } => format!(
                "{deliverable}没有填报表单，「{}」等栏无处可填",
                columns.join("」「")
            ),
            RowProblem::Values(invalid) => invalid
                .iter()
                .map(|i| i.zh().to_string())
                .collect::<Vec<_>>()
                .join("；"),
            RowProblem::NotOwed {
                unit,
                deliverable,
                period,
            } => format!("{unit}在期次「{period}」没有应报的{deliverable}"),
            RowProblem::Future { at, now } => {
                format!("报送时间{at}晚于现在（{now}）：年份是否写错？")
            }
            RowProblem::SameAs(line) => format!("与第{line}行是同一事项"),
            RowProblem::Removed => "该事项已从专项文件中删除".into(),
            RowProblem::AlreadySubmitted { before, now } => {
                format!("已于{before}报送，与这一行的{now}不同")
            }
            RowProblem::Waived => "已免报：无须报送".into(),
        }
    }
}

/// The name in the first pair of backquotes of an English hint (`did you mean `宛城区`?`).
fn quoted(hint: &str) -> Option<&str> {
    let (_, rest) = hint.split_once('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

/// A column of an import file as the sheet's Chinese header names it.
fn column_zh(column: &str) -> &str {
    match column {
        "campaign" => "专项",
        "deliverable" => "报送事项",
        "unit" => "报送单位",
        "period" => "期次",
        "at" => "报送时间",
        "by" => "报送人",
        "note" => "说明",
        "signed_by" => "签字",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_rows_words_on_a_page_are_chinese_and_name_the_nearest_name() {
        let cases = [
            (
                RowProblem::Unknown {
                    kind: "unit",
                    name: "宛城".into(),
                    suggestion: Some("did you mean `宛城区`?".into()),
                },
                "没有名为「宛城」的单位，是否指「宛城区」？",
            ),
            (
                RowProblem::NoHeader {
                    missing: vec!["unit", "at"],
                    columns: vec!["unit", "at", "signed_by"],
                },
                "表头缺少「报送单位」「报送时间」一列：第一行应为列名（可用的列：报送单位、报送时间、签字，及表单各栏）",
            ),
            (RowProblem::Missing("period"), "「期次」一栏为空"),
            (
                RowProblem::Future {
                    at: "2027-05-24 10:00".into(),
                    now: "2017-05-27 09:00".into(),
                },
                "报送时间2027-05-24 10:00晚于现在（2017-05-27 09:00）：年份是否写错？",
            ),
        ];
        for (problem, said) in cases {
            assert_eq!(problem.zh(), said);
        }
    }
}
