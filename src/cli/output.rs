//! Output helpers shared by commands: tables that line up Chinese text, CSV, colour choice.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::CliError;

use unicode_width::UnicodeWidthStr;

/// Output formats of the query commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table.
    Table,
    /// JSON.
    Json,
    /// CSV with a header row.
    Csv,
    /// An Excel workbook (with -o FILE.xlsx): numbers as numbers, dates as dates.
    Xlsx,
}

/// `text`, cut to `width` display columns with `…` if longer.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether diagnostics on stderr get colour.
    pub fn enabled_for_stderr(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// How standard output is shown: decided once, when the command starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// The terminal's width, when stdout is one: tables are fitted to it. None when piped.
    pub width: Option<usize>,
    /// Whether lights are coloured (a terminal, `NO_COLOR` unset, `--color` not `never`).
    pub color: bool,
    /// Tables headed in Chinese (`--lang zh`, or `lang = "zh"` in duban.toml).
    pub zh: bool,
}

static STYLE: std::sync::RwLock<Style> = std::sync::RwLock::new(Style {
    width: None,
    color: false,
    zh: false,
});

/// The language of tables' headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English column names (also what CSV and JSON keys stay, for programs).
    #[default]
    En,
    /// Chinese column names.
    Zh,
}

/// A table's column as a Chinese header says it; a name not known here (already Chinese, a
/// form's field) as it is.
pub fn header_zh(column: &str) -> &str {
    match column.trim() {
        "campaign" => "专项",
        "deliverable" => "报送事项",
        "unit" => "单位",
        "period" => "期次",
        "due" | "due_date" => "截止",
        "due_at" => "逾期起算",
        "days" | "days_overdue" => "逾期天数",
        "status" | "state" => "状态",
        "contact" => "联系人",
        "email" => "邮箱",
        "phone" => "电话",
        "liaison" => "联络员",
        "leader" => "分管领导",
        "on_time_until" => "按时截止",
        "to" => "接收单位",
        "form" => "表单",
        "date" => "日期",
        "day" => "星期",
        "kind" => "类型",
        "holiday" => "节假日",
        "target" => "目标",
        "threshold" => "要求",
        "value" => "数值",
        "gap" => "差距",
        "row" => "行",
        "entered" => "已录入",
        "closed" => "已销号",
        "open" => "未销号",
        "overdue" => "逾期",
        "at" => "时间",
        "event" => "事项",
        "by" => "办理人",
        "detail" => "说明",
        "time" => "时间",
        "items" => "事项数",
        "id" => "编号",
        "tries" => "尝试次数",
        "subject" => "主题",
        "when" => "时间",
        "last error" => "最近错误",
        "phase" => "阶段",
        "start" => "开始",
        "end" => "结束",
        "done" => "已报",
        "late" => "逾期报送",
        "soon" => "临期",
        "light" => "颜色",
        "name" => "名称",
        "role" => "角色",
        "created" => "创建时间",
        "expires" => "到期时间",
        "last used" => "最近使用",
        "campaigns" => "专项工作",
        "last sign-in" => "最近登录",
        "code" => "单位编码",
        "parent" => "上级单位",
        "signers" => "签字",
        "reason" => "理由",
        other => other,
    }
}

impl Style {
    /// The style for stdout under `choice`.
    pub fn for_stdout(choice: ColorChoice, lang: Lang) -> Style {
        let terminal = std::io::stdout().is_terminal();
        let width = terminal
            .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            .flatten()
            .map(|w| w.max(MIN_WIDTH));
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        Style {
            width,
            color,
            zh: lang == Lang::Zh,
        }
    }

    /// Makes `self` the style of what is written from now on.
    pub fn install(self) {
        if let Ok(mut style) = STYLE.write() {
            *style = self;
        }
    }

    fn current() -> Style {
        STYLE.read().map(|s| *s).unwrap_or_default()
    }
}

/// The width of the terminal stderr writes to — `COLUMNS` where set, else the terminal's own —
/// or `None` when stderr is not a terminal: diagnostics are then never cut.
pub fn stderr_width() -> Option<usize> {
    let stderr = std::io::stderr();
    if !stderr.is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    columns
        .or_else(|| terminal_size::terminal_size_of(&stderr).map(|(w, _)| usize::from(w.0)))
        .map(|w: usize| w.max(MIN_WIDTH))
}

/// Narrower terminals are treated as this wide: a table cut further says nothing.
const MIN_WIDTH: usize = 80;

/// The columns cut first when a table is wider than the terminal, least important first; the
/// others follow from the right.
const CUT_FIRST: [&str; 12] = [
    "contact",
    "form",
    "to",
    "items",
    "detail",
    "holiday",
    "未报单位",
    "subject",
    "last error",
    "email",
    "signers",
    "reason",
];

/// A table with a header, columns aligned by display width (a CJK character is two columns),
/// separated by two spaces, with a rule under the header. Trailing spaces are trimmed. On a
/// terminal it is fitted to the terminal's width, cells cut with `…` (the least important
/// columns first, see [`CUT_FIRST`]), never wrapped; piped, it is as wide as it needs.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    let style = Style::current();
    // The columns keep their English names for what is cut first; only what is shown changes.
    let shown: Vec<String> = header
        .iter()
        .map(|h| {
            if style.zh {
                // A leading space keeps its place (`  time` under a notice's indent).
                let indent = &h[..h.len() - h.trim_start().len()];
                format!("{indent}{}", header_zh(h))
            } else {
                h.to_string()
            }
        })
        .collect();
    let mut widths: Vec<usize> = shown.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.width());
            }
        }
    }
    if let Some(limit) = style.width {
        shrink(header, &mut widths, limit);
    }
    let mut out = String::new();
    let header = shown;
    let limit = style.width.unwrap_or(usize::MAX);
    push_row(&mut out, &header, &widths, false, limit);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    push_row(&mut out, &rule, &widths, false, limit);
    for row in &rows {
        push_row(&mut out, row, &widths, style.color, limit);
    }
    out
}

/// Narrows `widths` until the row fits in `limit` columns: first the columns of [`CUT_FIRST`],
/// then the others from the right but the first, none below its header (or six columns).
fn shrink(header: &[&str], widths: &mut [usize], limit: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    let mut order: Vec<usize> = CUT_FIRST
        .iter()
        .filter_map(|name| header.iter().position(|h| h.trim() == *name))
        .collect();
    // The first column names the row: it is never cut.
    let rest: Vec<usize> = (1..widths.len())
        .rev()
        .filter(|i| !order.contains(i))
        .collect();
    order.extend(rest);
    for i in order {
        let excess = total(widths).saturating_sub(limit);
        if excess == 0 {
            return;
        }
        let floor = header[i].width().max(6);
        let give = widths[i].saturating_sub(floor).min(excess);
        widths[i] -= give;
    }
}

/// One line of the table, no wider than `limit`: columns that do not fit even at their
/// narrowest are left off, the line ending in `…`.
fn push_row(out: &mut String, cells: &[String], widths: &[usize], color: bool, limit: usize) {
    let mut line = String::new();
    let mut used = 0;
    for (i, width) in widths.iter().enumerate() {
        let gap = if i > 0 { 2 } else { 0 };
        if used + gap + width > limit {
            line.push_str(" …");
            break;
        }
        let cell = fit(cells.get(i).map(String::as_str).unwrap_or(""), *width);
        line.push_str(&" ".repeat(gap));
        let pad = width.saturating_sub(cell.width());
        line.push_str(&if color { paint(&cell) } else { cell });
        line.extend(std::iter::repeat_n(' ', pad));
        used += gap + width;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `text` with each light (`红 red`, `黄 yellow`, `绿 green`) in its colour, when this run
/// colours its output; else as it is.
pub fn lights(text: &str) -> String {
    if Style::current().color {
        paint(text)
    } else {
        text.to_string()
    }
}

fn paint(text: &str) -> String {
    let mut out = text.to_string();
    for (light, code) in [
        ("红 red", "31"),
        ("黄 yellow", "33"),
        ("绿 green", "32"),
        ("灰 grey", "90"),
    ] {
        out = out.replace(light, &format!("\x1b[{code}m{light}\x1b[0m"));
    }
    out
}

/// The version of duban's JSON (docs/json.md): a key renamed or removed, or a value's meaning
/// changed, raises it.
pub const JSON_VERSION: u32 = 2;

/// `value` as JSON, an object given a `version` key (a listing stays an array of rows).
pub fn versioned(value: impl serde::Serialize) -> serde_json::Value {
    let mut value = serde_json::to_value(value).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("version".into(), JSON_VERSION.into());
    }
    value
}

/// `1 unit`, `2 units`.
pub fn plural(count: usize, noun: &str) -> String {
    if count != 1
        && let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        return format!("{count} {stem}ies");
    }
    let ending = match count {
        1 => "",
        _ if noun.ends_with(['s', 'x']) => "es",
        _ => "s",
    };
    format!("{count} {noun}{ending}")
}

/// Writes one CSV record (RFC 4180 quoting).
pub fn csv_row(out: &mut impl Write, fields: &[&str]) -> std::io::Result<()> {
    let mut first = true;
    for field in fields {
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        if field.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", field.replace('"', "\"\""))?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

/// The duties without a date (随时报告), after a listing: who owes each. Empty when none.
pub fn standing_duties(duties: &[crate::store::StandingDuty]) -> String {
    if duties.is_empty() {
        return String::new();
    }
    let several = duties.iter().any(|d| d.campaign != duties[0].campaign);
    let rows: Vec<Vec<String>> = duties
        .iter()
        .map(|d| {
            let mut row = vec![d.deliverable.clone(), d.units.join("、")];
            if several {
                row.insert(0, d.campaign.clone());
            }
            row
        })
        .collect();
    let headers: &[&str] = if several {
        &["campaign", "standing duty", "units"]
    } else {
        &["standing duty", "units"]
    };
    format!(
        "\n{}{} without a date: never overdue, never late\n",
        table(headers, rows),
        plural(duties.len(), "standing duty")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut out = Vec::new();
        csv_row(&mut out, &["宛城区", "a,b", "say \"hi\""]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "宛城区,\"a,b\",\"say \"\"hi\"\"\"\n"
        );
    }

    #[test]
    fn table_columns_line_up_under_wide_text() {
        let t = table(
            &["单位", "x"],
            [
                vec!["宛城区".into(), "1".into()],
                vec!["ab".into(), "2".into()],
            ],
        );
        let widths: Vec<usize> = t
            .lines()
            .filter(|l| l.ends_with('1') || l.ends_with('2'))
            .map(|l| unicode_width::UnicodeWidthStr::width(&l[..l.rfind(['1', '2']).unwrap()]))
            .collect();
        assert_eq!(widths[0], widths[1], "{t}");
    }
}

/// Where a listing goes: stdout as it is made, or — for `-o FILE` and `--format xlsx` — a
/// buffer written whole at the end (a workbook from the listing's CSV, each cell typed). CSV may
/// start with a byte-order mark (`--bom`), so that Excel on Chinese Windows reads it as UTF-8.
pub struct Sink {
    target: Target,
    xlsx: bool,
    path: Option<PathBuf>,
    sheet: String,
}

enum Target {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Buffer(Vec<u8>),
}

/// How a listing is written: `--format`'s CSV or a workbook, to a file or stdout.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FileArgs {
    /// The file to write (needed by `--format xlsx`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Start CSV with a byte-order mark, for Excel.
    #[arg(long)]
    pub bom: bool,
}

impl Sink {
    /// A sink for a listing in `format` named `sheet` (the workbook's sheet).
    pub fn open(format: Format, file: &FileArgs, sheet: &str) -> Result<Sink, CliError> {
        let xlsx = format == Format::Xlsx;
        if xlsx && file.output.is_none() {
            return Err(CliError::Usage {
                message: "--format xlsx writes a file: give it with -o FILE.xlsx".into(),
            });
        }
        let mut target = match &file.output {
            Some(_) => {
                // A file is read later, elsewhere: full width, no colour.
                Style::default().install();
                Target::Buffer(Vec::new())
            }
            None => Target::Stdout(std::io::BufWriter::new(std::io::stdout().lock())),
        };
        if file.bom && format == Format::Csv {
            match &mut target {
                Target::Buffer(b) => b.extend_from_slice("\u{feff}".as_bytes()),
                Target::Stdout(s) => s.write_all("\u{feff}".as_bytes())?,
            }
        }
        Ok(Sink {
            target,
            xlsx,
            path: file.output.clone(),
            sheet: sheet.to_string(),
        })
    }

    /// Writes what was buffered to its file (as a workbook, for xlsx), or flushes stdout.
    pub fn finish(self) -> Result<(), CliError> {
        let bytes = match self.target {
            Target::Stdout(mut s) => return Ok(s.flush()?),
            Target::Buffer(b) => b,
        };
        let bytes = if self.xlsx {
            workbook(&self.sheet, &bytes)?
        } else {
            bytes
        };
        let path = self.path.expect("a buffer has a file");
        super::contents::write_file(&path, &bytes)?;
        say!("wrote {}", path.display())
    }
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.target {
            Target::Stdout(s) => s.write(bytes),
            Target::Buffer(b) => b.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.target {
            Target::Stdout(s) => s.flush(),
            Target::Buffer(_) => Ok(()),
        }
    }
}

/// A workbook of one sheet from CSV: the header bold and frozen, numbers as numbers, dates as
/// dates, the rest as text.
fn workbook(sheet: &str, csv: &[u8]) -> Result<Vec<u8>, CliError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let mut records = reader.records();
    let bad = CliError::ReadBack;
    let header: Vec<String> = match records.next() {
        Some(r) => r.map_err(bad)?.iter().map(String::from).collect(),
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    for record in records {
        rows.push(record.map_err(bad)?.iter().map(String::from).collect());
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    Ok(crate::documents::listing(sheet, &header, rows)?)
}
