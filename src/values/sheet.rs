//! Spreadsheets out: the blank form offices send to their units (headers, a row per unit, and
//! Excel's own validation of each column: whole numbers, bounds, the choices of a one-of), and
//! a table of figures with numbers as numbers. Pure: the workbook's bytes, for a front end to
//! write. A blank form filled in and sent back reads as a submission (`submit --data`).

use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use crate::language::form::{Field, FieldType, Form};

/// Why a workbook could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot make the spreadsheet: {0}")]
pub struct SheetError(#[from] XlsxError);

/// How many rows a template validates beyond its units, for rows a unit adds.
const SPARE_ROWS: u32 = 200;

/// The blank form for `units`: the unit column (`填报单位`) and the form's fields.
pub fn template(form: &Form, units: &[String]) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(&form.name))?;
    let bold = Format::new().set_bold();
    let mut header = vec!["填报单位".to_string()];
    header.extend(form.fields.iter().map(|f| f.name.clone()));
    for (c, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, name, &bold)?;
    }
    for (r, unit) in units.iter().enumerate() {
        sheet.write_string(r as u32 + 1, 0, unit)?;
    }
    let last = units.len() as u32 + SPARE_ROWS;
    for (c, field) in form.fields.iter().enumerate() {
        let rule = validation(field)?;
        sheet.add_data_validation(1, c as u16 + 1, last, c as u16 + 1, &rule)?;
    }
    fit_columns(sheet, &header, units)?;
    sheet.set_freeze_panes(1, 1)?;
    Ok(book.save_to_buffer()?)
}

/// Excel's check of a column, from the field's rule, in the words the form's pages use: the
/// clerk who fills the sheet in reads them, never the command line's.
fn validation(field: &Field) -> Result<DataValidation, XlsxError> {
    let message = field.rule_zh();
    let rule = match &field.kind {
        FieldType::OneOf(choices) => DataValidation::new().allow_list_strings(choices)?,
        FieldType::Integer => {
            let low = field
                .min
                .unwrap_or(f64::from(i32::MIN))
                .max(f64::from(i32::MIN)) as i32;
            let high = field
                .max
                .unwrap_or(f64::from(i32::MAX))
                .min(f64::from(i32::MAX)) as i32;
            DataValidation::new().allow_whole_number(DataValidationRule::Between(low, high))
        }
        FieldType::Decimal | FieldType::Amount | FieldType::Percent => {
            let low = field.min.unwrap_or(-1e15);
            let high = field.max.unwrap_or(1e15);
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(low, high))
        }
        // Excel cannot check these as the form reads them (a date typed as text, any text),
        // but the clerk is still told what the column asks for.
        FieldType::Date | FieldType::Text => DataValidation::new().allow_any_value(),
    };
    let title: String = field.name.chars().take(30).collect();
    rule.set_error_title(&title)?
        .set_error_message(&message)?
        .set_input_title(&title)?
        .set_input_message(&message)
}

/// Columns as wide as their widest text (CJK counts double), within reason.
fn fit_columns(
    sheet: &mut Worksheet,
    header: &[String],
    first: &[String],
) -> Result<(), XlsxError> {
    for (c, name) in header.iter().enumerate() {
        let mut width = name.width();
        if c == 0 {
            width = first.iter().map(|u| u.width()).fold(width, usize::max);
        }
        sheet.set_column_width(c as u16, (width.clamp(6, 40) + 2) as f64)?;
    }
    Ok(())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "填报表".into()
    } else {
        cleaned
    }
}
