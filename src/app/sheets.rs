//! Spreadsheets of received reports → submissions: what `duban import` reads, and what an upload
//! will. CSV (UTF-8 with or without a BOM, or GBK as Excel writes it on Chinese Windows) and
//! .xlsx have a header row naming their columns; JSONL has one object per line. The columns
//! (keys): `campaign`, `deliverable`, `unit`, `period` (empty for a one-off), `at` (RFC 3339, a
//! local `YYYY-MM-DD[THH:MM]`, Excel's `2017/5/24 16:00`, `2017年5月24日`, or a spreadsheet's
//! date), and optionally `by`, `note`, `signed_by` (`张三:村书记;李四:驻村领导`), each also by
//! its Chinese name (报送单位、报送事项、期次、报送时间…, see [`ALIASES`]); any other column is a
//! field of the deliverable's form (`立案`), its value checked as `submit --data` checks it.
//! Every bad row is named by its line; none is dropped.

use std::io::{BufRead, Read};
use std::path::Path;

use crate::clock::Instant;
use crate::store::{BadRow, ImportRow, RowProblem, Signature};

/// The kinds of file submissions come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetKind {
    /// Comma-separated, with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// An Excel workbook: its first sheet, with a header row.
    Xlsx,
}

impl SheetKind {
    /// The kind a file's name says, if it says one.
    pub fn of(path: &Path) -> Option<SheetKind> {
        let extension = path.extension()?.to_string_lossy().to_lowercase();
        match extension.as_str() {
            "jsonl" | "json" | "ndjson" => Some(SheetKind::Jsonl),
            "csv" => Some(SheetKind::Csv),
            "xlsx" | "xlsm" => Some(SheetKind::Xlsx),
            _ => None,
        }
    }
}

/// The rows of a file of submissions, each read or the reason it cannot be. A CSV file whose
/// first 64 KiB are not UTF-8 is read as GBK (whole: GBK cannot be told line by line); UTF-8
/// is read a row at a time. A workbook is read whole.
pub fn sheet_rows(
    file: std::fs::File,
    path: &Path,
    kind: SheetKind,
) -> Result<Box<dyn Iterator<Item = Result<ImportRow, BadRow>>>, crate::values::table::TableError> {
    sheet_rows_of(file, path, kind, None)
}

/// As [`sheet_rows`], the rows of a sheet without a 专项 column being of `campaign` (the one
/// the page's form names), where it is given.
pub fn sheet_rows_of(
    file: std::fs::File,
    path: &Path,
    kind: SheetKind,
    campaign: Option<String>,
) -> Result<Box<dyn Iterator<Item = Result<ImportRow, BadRow>>>, crate::values::table::TableError> {
    let name = path.display().to_string();
    let unreadable = |source| crate::values::table::TableError::Read {
        path: name.clone(),
        source,
    };
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, file);
    Ok(match kind {
        SheetKind::Jsonl => Box::new(jsonl_rows(reader, campaign)),
        SheetKind::Csv => {
            let start = reader.fill_buf().map_err(unreadable)?;
            let utf8 = match std::str::from_utf8(start) {
                Ok(_) => true,
                // A character cut at the end of the buffer is still UTF-8.
                Err(e) => e.error_len().is_none(),
            };
            if utf8 {
                Box::new(csv_rows(reader, campaign))
            } else {
                let mut bytes = Vec::new();
                reader.read_to_end(&mut bytes).map_err(unreadable)?;
                let text = crate::values::table::decode(
                    &name,
                    &bytes,
                    crate::values::table::Encoding::Gbk,
                )?;
                Box::new(csv_rows(std::io::Cursor::new(text.into_bytes()), campaign))
            }
        }
        SheetKind::Xlsx => {
            let table = crate::values::table::read(path, crate::values::table::Encoding::Auto)?;
            Box::new(table_rows(table, campaign))
        }
    })
}

/// The rows of a workbook's sheet, its first row naming the columns.
fn table_rows(
    table: crate::values::table::Table,
    campaign: Option<String>,
) -> impl Iterator<Item = Result<ImportRow, BadRow>> {
    let names: Vec<&str> = table.header.iter().map(|c| c.text.as_str()).collect();
    let rows: Vec<Result<ImportRow, BadRow>> = match header(&names, campaign.is_some()) {
        Err(reason) => {
            let line = table.header.first().map_or(1, |c| row_number(&c.at));
            vec![Err(BadRow { line, reason })]
        }
        Ok(names) => table
            .rows
            .iter()
            .map(|(at, cells)| {
                let line = row_number(at);
                let fields: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
                named_row(line, &names, &fields, campaign.as_deref())
                    .map_err(|reason| BadRow { line, reason })
            })
            .collect(),
    };
    rows.into_iter()
}

/// The row number of a place in a sheet: `收文.xlsx:Sheet1!7` or, of a cell, `…!B7`.
fn row_number(at: &str) -> usize {
    at.rsplit('!')
        .next()
        .map(|place| place.trim_start_matches(|c: char| c.is_ascii_uppercase()))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A row of a file with a header row: its fields by the header's names.
fn named_row(
    line: usize,
    names: &[String],
    fields: &[&str],
    campaign: Option<&str>,
) -> Result<ImportRow, RowProblem> {
    let get = |key: &str| {
        names
            .iter()
            .position(|n| n == key)
            .and_then(|i| fields.get(i))
            .map(|s| s.to_string())
            .or_else(|| {
                (key == "campaign")
                    .then(|| campaign.map(str::to_string))
                    .flatten()
            })
    };
    let values = names
        .iter()
        .zip(fields)
        .filter(|(n, _)| !COLUMNS.contains(&n.as_str()))
        .map(|(n, v)| (n.clone(), v.to_string()))
        .collect();
    row(line, &get, values)
}

/// A row from named fields (and the values of its data columns), or why not.
fn row(
    line: usize,
    get: &dyn Fn(&str) -> Option<String>,
    values: Vec<(String, String)>,
) -> Result<ImportRow, RowProblem> {
    let required = |key: &'static str| {
        get(key)
            .filter(|v| !v.trim().is_empty())
            .ok_or(RowProblem::Missing(key))
    };
    let at = time(&required("at")?)?;
    let signatures = get("signed_by")
        .unwrap_or_default()
        .split([';', '；'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let (name, role) = s
                .split_once([':', '：'])
                .ok_or_else(|| RowProblem::Signature(s.to_string()))?;
            Ok(Signature {
                name: name.trim().to_string(),
                role: role.trim().to_string(),
            })
        })
        .collect::<Result<Vec<_>, RowProblem>>()?;
    let optional = |key: &str| {
        get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Ok(ImportRow {
        line,
        campaign: required("campaign")?,
        deliverable: required("deliverable")?,
        unit: required("unit")?,
        period: get("period").unwrap_or_default().trim().to_string(),
        at,
        by: optional("by"),
        note: optional("note"),
        signatures,
        values: values
            .into_iter()
            .filter(|(_, text)| !text.trim().is_empty())
            .collect(),
    })
}

/// The rows of a JSONL file, one object per line.
fn jsonl_rows(
    mut reader: impl BufRead,
    campaign: Option<String>,
) -> impl Iterator<Item = Result<ImportRow, BadRow>> {
    let mut line = 0;
    let mut finished = false;
    std::iter::from_fn(move || {
        while !finished {
            line += 1;
            let mut bytes = Vec::new();
            // A line is read up to a limit: a file without line breaks is not read whole.
            match (&mut reader)
                .take(LONGEST + 1)
                .read_until(b'\n', &mut bytes)
            {
                Ok(0) => finished = true,
                Ok(_) if bytes.len() as u64 > LONGEST => {
                    finished = true;
                    let reason = RowProblem::TooLong {
                        kib: LONGEST / 1024,
                    };
                    return Some(Err(BadRow { line, reason }));
                }
                Ok(_) => {
                    let Ok(text) = std::str::from_utf8(&bytes) else {
                        let reason = RowProblem::NotUtf8;
                        return Some(Err(BadRow { line, reason }));
                    };
                    if text.trim().is_empty() {
                        continue;
                    }
                    return Some(
                        jsonl_row(line, text, campaign.as_deref())
                            .map_err(|reason| BadRow { line, reason }),
                    );
                }
                Err(e) => {
                    finished = true;
                    return Some(Err(unreadable(line, &e)));
                }
            }
        }
        None
    })
}

/// The longest row of an import file, in bytes (a real one is a few hundred).
const LONGEST: u64 = 1024 * 1024;

fn jsonl_row(line: usize, text: &str, campaign: Option<&str>) -> Result<ImportRow, RowProblem> {
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| RowProblem::NotJson(e.to_string()))?;
    let object = value.as_object().ok_or(RowProblem::NotAnObject)?;
    if let Some(problem) = object.keys().find_map(|k| unknown_column(k)) {
        return Err(problem);
    }
    let get = |key: &str| match value.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Null) | None => (key == "campaign")
            .then(|| campaign.map(str::to_string))
            .flatten(),
        Some(other) => Some(other.to_string()),
    };
    let values = object
        .keys()
        .filter(|k| !COLUMNS.contains(&k.as_str()))
        .filter_map(|k| Some((k.clone(), get(k)?)))
        .collect();
    row(line, &get, values)
}

/// A submission's time: as `--at` reads it, or a spreadsheet's serial date (days since
/// 1899-12-30, the fraction the time of day) that a cell not formatted as a date shows.
fn time(text: &str) -> Result<Instant, crate::clock::InstantError> {
    match text.parse::<Instant>() {
        Ok(at) => Ok(at),
        Err(e) => {
            let Ok(serial) = text.trim().parse::<f64>() else {
                return Err(e);
            };
            // 1970 to 2200, the years duban works with.
            if !(25_569.0..=110_000.0).contains(&serial) {
                return Err(e);
            }
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .unwrap_or_default()
                .and_time(chrono::NaiveTime::MIN);
            let minutes = (serial * 24.0 * 60.0).round() as i64;
            Ok(Instant::Local(epoch + chrono::Duration::minutes(minutes)))
        }
    }
}

fn unreadable(line: usize, e: &std::io::Error) -> BadRow {
    BadRow {
        line,
        reason: RowProblem::Unreadable(e.to_string()),
    }
}

/// The columns an import file may have.
const COLUMNS: [&str; 8] = [
    "campaign",
    "deliverable",
    "unit",
    "period",
    "at",
    "by",
    "note",
    "signed_by",
];

/// The Chinese names offices give the columns, and the column each stands for. `备注` is not
/// among them: it is a field of some forms.
pub const ALIASES: [(&str, &str); 26] = [
    ("专项", "campaign"),
    ("专项名称", "campaign"),
    ("专项整治", "campaign"),
    ("报送事项", "deliverable"),
    ("事项", "deliverable"),
    ("报表", "deliverable"),
    ("报送内容", "deliverable"),
    ("报送单位", "unit"),
    ("填报单位", "unit"),
    ("单位", "unit"),
    ("期次", "period"),
    ("期别", "period"),
    ("所属期", "period"),
    ("周期", "period"),
    ("报送时间", "at"),
    ("报送日期", "at"),
    ("时间", "at"),
    ("收到时间", "at"),
    ("报送人", "by"),
    ("经办人", "by"),
    ("填报人", "by"),
    ("说明", "note"),
    ("附注", "note"),
    ("签字", "signed_by"),
    ("签名", "signed_by"),
    ("签字人", "signed_by"),
];

/// The column a header names: one of [`COLUMNS`] (any case, a Chinese alias), or a form's
/// field as written.
fn canonical(name: &str) -> String {
    let name = name.trim_start_matches('\u{feff}').trim();
    if let Some((_, column)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
        return column.to_string();
    }
    let lower = name.to_lowercase();
    if COLUMNS.contains(&lower.as_str()) || unknown_column(&lower).is_some() {
        lower
    } else {
        name.to_string()
    }
}

/// Why a column name cannot be used, if it cannot: a misspelt one of [`COLUMNS`]. Any other
/// is a data column, a field of the deliverable's form, checked with the row.
fn unknown_column(name: &str) -> Option<RowProblem> {
    if COLUMNS.contains(&name) {
        return None;
    }
    crate::language::suggest::did_you_mean(name, COLUMNS).map(|hint| RowProblem::UnknownColumn {
        name: name.to_string(),
        hint,
    })
}

/// The rows of a CSV file (RFC 4180, read by the `csv` crate) with a header row naming its
/// columns. A row whose field count differs from the header's, a column that is not known, a
/// quote that is never closed — each is a bad row with its line, never a row silently lost.
fn csv_rows(
    reader: impl Read,
    campaign: Option<String>,
) -> impl Iterator<Item = Result<ImportRow, BadRow>> {
    let quotes = std::rc::Rc::new(std::cell::RefCell::new(QuoteState::default()));
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(QuoteTracker {
            inner: reader,
            state: quotes.clone(),
        })
        .into_records();
    let mut columns: Option<Vec<String>> = None;
    let mut finished = false;
    std::iter::from_fn(move || {
        while !finished {
            let record = match records.next() {
                Some(Ok(record)) => record,
                Some(Err(e)) => {
                    finished = true;
                    let mut bad = csv_error(&e);
                    if let Some(p) = e.position() {
                        bad.line = quotes.borrow_mut().line_at(p.byte());
                    }
                    return Some(Err(bad));
                }
                None => {
                    finished = true;
                    let state = quotes.borrow();
                    if state.open {
                        let reason = RowProblem::QuoteOpen;
                        return Some(Err(BadRow {
                            line: state.opened_on,
                            reason,
                        }));
                    }
                    if columns.is_none() {
                        let reason = RowProblem::Empty;
                        return Some(Err(BadRow { line: 1, reason }));
                    }
                    return None;
                }
            };
            // The crate's own line numbers do not count breaks inside quoted fields.
            let line = quotes
                .borrow_mut()
                .line_at(record.position().map_or(0, csv::Position::byte));
            let Some(names) = &columns else {
                match header(&record.iter().collect::<Vec<_>>(), campaign.is_some()) {
                    Ok(names) => columns = Some(names),
                    Err(reason) => {
                        finished = true;
                        return Some(Err(BadRow { line, reason }));
                    }
                }
                continue;
            };
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != names.len() {
                let reason = RowProblem::FieldCount {
                    found: record.len(),
                    columns: names.len(),
                };
                return Some(Err(BadRow { line, reason }));
            }
            let fields: Vec<&str> = record.iter().collect();
            return Some(
                named_row(line, names, &fields, campaign.as_deref())
                    .map_err(|reason| BadRow { line, reason }),
            );
        }
        None
    })
}

/// The column names of a header row: each known, none twice; the campaign's may be missing
/// when it is `given` otherwise.
fn header(record: &[&str], given: bool) -> Result<Vec<String>, RowProblem> {
    let names: Vec<String> = record.iter().map(|h| canonical(h)).collect();
    for (i, name) in names.iter().enumerate() {
        if let Some(problem) = unknown_column(name) {
            return Err(problem);
        }
        if names[..i].contains(name) {
            return Err(RowProblem::ColumnTwice(name.clone()));
        }
    }
    // Any other column is a form's field, so a header without these is no header of submissions.
    let missing: Vec<&str> = ["campaign", "deliverable", "unit", "at"]
        .into_iter()
        .filter(|c| !(names.iter().any(|n| n == c) || given && *c == "campaign"))
        .collect();
    if !missing.is_empty() {
        return Err(RowProblem::NoHeader {
            missing,
            columns: COLUMNS.to_vec(),
        });
    }
    Ok(names)
}

fn csv_error(e: &csv::Error) -> BadRow {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => RowProblem::CsvNotUtf8,
        csv::ErrorKind::Io(e) => RowProblem::Unreadable(e.to_string()),
        _ => RowProblem::NotCsv(e.to_string()),
    };
    BadRow { line, reason }
}

/// Whether the bytes read so far leave a quoted field open, and the line it was opened on:
/// the `csv` crate reads an unclosed quote to the end of the file as one field without a word.
/// It also keeps the offsets of the line breaks read ahead, to tell the line a record is on.
#[derive(Debug, Default)]
struct QuoteState {
    open: bool,
    /// The line the open quote was opened on, and the byte after it.
    opened_on: usize,
    opened_at: u64,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of line breaks not yet passed by a record.
    breaks: std::collections::VecDeque<u64>,
    /// Line breaks before the last record asked about.
    passed: usize,
}

impl QuoteState {
    /// The line of byte `offset`; offsets must be asked in increasing order. (After `\r\n`
    /// the crate puts a record's start on the `\n`: that break still ends the line before.)
    fn line_at(&mut self, offset: u64) -> usize {
        while self.breaks.front().is_some_and(|b| *b <= offset) {
            self.breaks.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// Passes the file's bytes through, keeping the [`QuoteState`] of what went by.
struct QuoteTracker<R> {
    inner: R,
    state: std::rc::Rc<std::cell::RefCell<QuoteState>>,
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.borrow_mut();
        for &b in &buf[..n] {
            state.offset += 1;
            match b {
                // A doubled quote inside a field toggles twice: still open.
                b'"' => {
                    state.open = !state.open;
                    if state.open {
                        // Breaks read so far, passed or not, make the line number.
                        state.opened_on = state.passed + state.breaks.len() + 1;
                        state.opened_at = state.offset;
                    }
                }
                b'\n' => {
                    let at = state.offset - 1;
                    state.breaks.push_back(at);
                }
                _ => {}
            }
        }
        if state.open && state.offset - state.opened_at > LONGEST {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the quote opened on line {} is not closed within {} KiB",
                    state.opened_on,
                    LONGEST / 1024
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(text: &str) -> Vec<BadRow> {
        csv_rows(text.as_bytes(), None)
            .filter_map(Result::err)
            .collect()
    }

    const HEAD: &str = "campaign,deliverable,unit,period,at,note\n";

    #[test]
    fn csv_fields_may_be_quoted() {
        let text = format!(
            "{HEAD}c,\"d, e\",u,2017-05,2017-05-20,\"say \"\"hi\"\"\nin two lines\"\r\nc,d,u2,,2017-05-21,\n"
        );
        let rows: Vec<ImportRow> = csv_rows(text.as_bytes(), None)
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].deliverable, "d, e");
        assert_eq!(rows[0].note.as_deref(), Some("say \"hi\"\nin two lines"));
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
    }

    #[test]
    fn an_unclosed_quote_is_an_error_on_its_line() {
        let text = format!(
            "{HEAD}c,d,u,2017-05,2017-05-20,\"oops\nc,d,u2,2017-05,2017-05-20,\nc,d,u3,2017-05,2017-05-20,\n"
        );
        let bad = bad(&text);
        assert!(
            bad.iter()
                .any(|b| b.line == 2 && b.reason.to_string().contains("never closed")),
            "{bad:?}"
        );
    }

    #[test]
    fn extra_fields_and_unknown_columns_are_errors() {
        let bad1 = bad(&format!("{HEAD}c,d,u,2017-05,2017-05-20,,extra\n"));
        assert!(
            bad1[0].line == 2 && bad1[0].reason.to_string().contains("7 fields"),
            "{bad1:?}"
        );
        let bad2 = bad("campaign,deliverable,unit,period,at,nte\nc,d,u,2017-05,2017-05-20,x\n");
        assert!(
            bad2[0].line == 1 && bad2[0].reason.to_string().contains("did you mean `note`"),
            "{bad2:?}"
        );
        let bad3 = bad("{\"campaign\":\"c\"}\n");
        assert!(
            bad3[0]
                .reason
                .to_string()
                .contains("the header row has no column campaign"),
            "JSON read as CSV: {bad3:?}"
        );
    }

    #[test]
    fn bad_rows_are_reported_with_their_lines() {
        let text = "\u{feff}campaign,deliverable,unit,period,at\nc,d,u,2017-05,2017-05-20\nc,d,,2017-05,2017-05-20\nc,d,u,,someday\n";
        let (rows, bad): (Vec<_>, Vec<_>) =
            csv_rows(text.as_bytes(), None).partition(Result::is_ok);
        assert_eq!(rows.len(), 1);
        let bad: Vec<BadRow> = bad.into_iter().map(Result::unwrap_err).collect();
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [3, 4]);
        assert!(bad[0].reason.to_string().contains("no `unit`"));
    }

    #[test]
    fn an_empty_csv_file_needs_a_header() {
        let rows: Vec<_> = csv_rows("".as_bytes(), None).collect();
        assert!(matches!(&rows[..], [Err(BadRow { line: 1, .. })]));
    }

    #[test]
    fn a_runaway_row_is_refused_without_reading_it_whole() {
        let jsonl = "x".repeat(2 * LONGEST as usize);
        let rows: Vec<_> = jsonl_rows(jsonl.as_bytes(), None).collect();
        assert!(
            matches!(&rows[..], [Err(BadRow { line: 1, reason })] if matches!(reason, RowProblem::TooLong { .. }))
        );
        let csv = format!(
            "{HEAD}c,d,u,2017-05,2017-05-20,\"{}",
            "x".repeat(2 * LONGEST as usize)
        );
        let bad = bad(&csv);
        assert!(
            bad.iter()
                .any(|b| b.reason.to_string().contains("not closed within")),
            "{bad:?}"
        );
    }

    #[test]
    fn a_sheet_without_a_campaign_column_takes_the_one_the_page_names() {
        let text = "报送单位,报送事项,期次,报送时间\n宛城区,统计表,2017-05,2017-05-24 10:00\n";
        let rows: Vec<ImportRow> = csv_rows(text.as_bytes(), Some("nanyang-2017".into()))
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows[0].campaign, "nanyang-2017");
        // Without one named, the column is asked for.
        let bad: Vec<BadRow> = csv_rows(text.as_bytes(), None)
            .filter_map(Result::err)
            .collect();
        assert!(
            matches!(&bad[0].reason, RowProblem::NoHeader { missing, .. } if missing == &["campaign"])
        );
        // A column the sheet has wins over the page's.
        let text = "专项,报送单位,报送事项,期次,报送时间\ngulu-2023,宛城区,统计表,2017-05,2017-05-24 10:00\n";
        let rows: Vec<ImportRow> = csv_rows(text.as_bytes(), Some("nanyang-2017".into()))
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows[0].campaign, "gulu-2023");
    }

    #[test]
    fn jsonl_rows_skip_blank_lines_and_keep_line_numbers() {
        let text = "{\"campaign\":\"c\",\"deliverable\":\"d\",\"unit\":\"u\",\"period\":\"2017-05\",\"at\":\"2017-05-20\"}\n\n{oops\n";
        let rows: Vec<_> = jsonl_rows(text.as_bytes(), None).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_ref().unwrap().line, 1);
        assert!(
            matches!(&rows[1], Err(BadRow { line: 3, reason }) if matches!(reason, RowProblem::NotJson(_)))
        );
    }
}
