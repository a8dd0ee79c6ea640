//! The documents supervisors hand round, made from what the application layer works out: the
//! bulletin (通报) as Markdown, HTML for A4, Word (.docx) and Excel (.xlsx); the assessment (考核)
//! as a spreadsheet; charts as SVG. Rendering only: every number comes from `app`.

pub mod bulletin;
pub mod chart;
pub mod docx;
pub mod ics;
pub mod letter;
pub mod month;
pub mod organisation;
pub mod overdue;

/// `text` safe inside XML and HTML, as text or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub use bulletin::Cell;

/// A workbook of one sheet named `name`: the cells of a listing's text, each typed as
/// [`Cell::typed`] reads it.
pub fn listing(
    name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| Cell::typed(c)).collect())
        .collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    sheet(&mut book, name, header, &rows)?;
    book.save_to_buffer()
}

/// Adds a sheet named `name` to `book`: `header` in bold and frozen, the rows with numbers as
/// numbers, each column as wide as its widest text (a Chinese character counts two).
pub fn sheet(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    header: &[&str],
    rows: &[Vec<Cell>],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use unicode_width::UnicodeWidthStr;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let day = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name(crate::values::sheet::sheet_name(name))?;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, col) = (r as u32 + 1, c as u16);
            let shown = match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, col, t)?;
                    t.width()
                }
                Cell::Number(n) => {
                    sheet.write_number(r, col, *n)?;
                    crate::language::form::num(*n).len()
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        d.year() as u16,
                        d.month() as u8,
                        d.day() as u8,
                    )?;
                    sheet.write_datetime_with_format(r, col, &date, &day)?;
                    10
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}
