//! Tables of cells, from the files offices fill in: CSV in UTF-8 (with or without a BOM) or GBK
//! (what Excel writes on Chinese Windows), .xlsx (its first sheet), and JSON (an object, or an
//! array of objects). The first row (or the keys) names the columns. Every cell keeps where it
//! came from, as a message names it: `统计表.csv:3:2`, `统计表.xlsx:Sheet1!B3`, `data.json[0].立案`.

use std::path::Path;

/// One cell's text and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// Its text (a spreadsheet's number written out, a date as `YYYY-MM-DD`).
    pub text: String,
    /// Where it is, for messages.
    pub at: String,
}

/// A table: its header row and its data rows (each as long as the header).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The column names.
    pub header: Vec<Cell>,
    /// The data rows, each with where its row is (`统计表.csv:3`).
    pub rows: Vec<(String, Vec<Cell>)>,
}

/// How a CSV file's bytes are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 if the file is valid UTF-8, else GBK.
    #[default]
    Auto,
    /// UTF-8 only.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GBK (GB18030) only.
    Gbk,
}

/// Why a table cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Bytes that are not text in the encoding.
    #[error("{path}:{line}: this is not {encoding} text{hint}")]
    Encoding {
        /// The file.
        path: String,
        /// The first line that is not.
        line: usize,
        /// The encoding it was read as.
        encoding: &'static str,
        /// What to try instead.
        hint: &'static str,
    },
    /// A file that is not what its name says.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A kind of file this does not read.
    #[error("{path}: not a table duban reads (.csv, .xlsx or .json)")]
    Kind {
        /// The file.
        path: String,
    },
    /// No header row.
    #[error("{path}: no rows (the first row names the columns)")]
    Empty {
        /// The file.
        path: String,
    },
}

/// Reads the table in `path`, by its extension.
pub fn read(path: &Path, encoding: Encoding) -> Result<Table, TableError> {
    let name = path.display().to_string();
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bytes = || {
        std::fs::read(path).map_err(|source| TableError::Read {
            path: name.clone(),
            source,
        })
    };
    let table = match extension.as_str() {
        "csv" | "txt" => csv(&name, &decode(&name, &bytes()?, encoding)?)?,
        "xlsx" | "xlsm" => xlsx(&name, bytes()?)?,
        "json" => json(&name, &bytes()?)?,
        _ => return Err(TableError::Kind { path: name }),
    };
    if table.header.is_empty() {
        return Err(TableError::Empty { path: name });
    }
    Ok(table)
}

/// The text of a CSV file's bytes.
pub fn decode(name: &str, bytes: &[u8], encoding: Encoding) -> Result<String, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_of = |at: usize| bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let utf8 = std::str::from_utf8(bytes);
    match (encoding, utf8) {
        (Encoding::Auto | Encoding::Utf8, Ok(text)) => Ok(text.to_string()),
        (Encoding::Utf8, Err(e)) => Err(TableError::Encoding {
            path: name.into(),
            line: line_of(e.valid_up_to()),
            encoding: "UTF-8",
            hint: " (a file saved by Excel on Chinese Windows is GBK: try --encoding gbk)",
        }),
        (Encoding::Auto | Encoding::Gbk, _) => {
            match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => Ok(text.into_owned()),
                None => {
                    let (text, _) = encoding_rs::GBK.decode_without_bom_handling(bytes);
                    let line = text
                        .lines()
                        .position(|l| l.contains('\u{FFFD}'))
                        .map_or(1, |i| i + 1);
                    Err(TableError::Encoding {
                        path: name.into(),
                        line,
                        encoding: if encoding == Encoding::Gbk {
                            "GBK"
                        } else {
                            "UTF-8 or GBK"
                        },
                        hint: " (save it as CSV UTF-8, or as .xlsx)",
                    })
                }
            }
        }
    }
}

fn csv(name: &str, text: &str) -> Result<Table, TableError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Malformed {
            path: name.into(),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<Cell> = record
            .iter()
            .enumerate()
            .map(|(i, text)| Cell {
                text: text.trim().to_string(),
                at: format!("{name}:{line}:{}", i + 1),
            })
            .collect();
        push_row(&mut table, cells, format!("{name}:{line}"));
    }
    Ok(table)
}

/// The first row becomes the header; later rows are cut or padded to its length.
fn push_row(table: &mut Table, mut cells: Vec<Cell>, at: String) {
    if table.header.is_empty() {
        table.header = cells;
        return;
    }
    let width = table.header.len();
    let extra: Vec<Cell> = cells
        .split_off(width.min(cells.len()))
        .into_iter()
        .filter(|c| !c.text.is_empty())
        .collect();
    for i in cells.len()..width {
        cells.push(Cell {
            text: String::new(),
            at: table.header[i].at.clone(),
        });
    }
    // A value past the last named column has no field: keep it, under no name, so it is
    // reported rather than dropped.
    for cell in extra {
        table.header.push(Cell {
            text: String::new(),
            at: cell.at.clone(),
        });
        cells.push(cell);
    }
    table.rows.push((at, cells));
}

fn xlsx(name: &str, bytes: Vec<u8>) -> Result<Table, TableError> {
    use calamine::Reader as _;
    let malformed = |e: calamine::XlsxError| TableError::Malformed {
        path: name.into(),
        message: format!("not a readable .xlsx file ({e})"),
    };
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(malformed)?;
    let sheet = book.sheet_names().first().cloned().unwrap_or_default();
    let range = match book.worksheet_range_at(0) {
        Some(range) => range.map_err(malformed)?,
        None => return Ok(Table::default()),
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut table = Table::default();
    for (r, row) in range.rows().enumerate() {
        let number = top as usize + r + 1;
        let cells: Vec<Cell> = row
            .iter()
            .enumerate()
            .map(|(c, data)| Cell {
                text: cell_text(data),
                at: format!(
                    "{name}:{sheet}!{}{number}",
                    column_letters(left as usize + c)
                ),
            })
            .collect();
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        push_row(&mut table, cells, format!("{name}:{sheet}!{number}"));
    }
    Ok(table)
}

/// A spreadsheet cell as text: numbers without a needless `.0`, dates as `YYYY-MM-DD`.
fn cell_text(data: &calamine::Data) -> String {
    use calamine::Data;
    match data {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::language::form::num(*f),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let (y, m, day, h, min, _, _) = d.to_ymd_hms_milli();
            if h == 0 && min == 0 {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{h:02}:{min:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

/// `0` → `A`, `27` → `AB`.
pub fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn json(name: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let malformed = |message: String| TableError::Malformed {
        path: name.into(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let objects = match value {
        serde_json::Value::Array(items) => items,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => {
            return Err(malformed(
                "expected an object of fields, or an array of them".into(),
            ));
        }
    };
    let mut names: Vec<String> = Vec::new();
    for object in &objects {
        let serde_json::Value::Object(map) = object else {
            return Err(malformed("every row must be an object of fields".into()));
        };
        for key in map.keys() {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
    }
    let mut table = Table {
        header: names
            .iter()
            .map(|n| Cell {
                text: n.clone(),
                at: format!("{name}: key `{n}`"),
            })
            .collect(),
        rows: Vec::new(),
    };
    for (i, object) in objects.iter().enumerate() {
        let cells = names
            .iter()
            .map(|key| Cell {
                text: match object.get(key) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.trim().to_string(),
                    Some(other) => other.to_string(),
                },
                at: format!("{name}[{i}].{key}"),
            })
            .collect();
        table.rows.push((format!("{name}[{i}]"), cells));
    }
    Ok(table)
}
