//! Uploads: a multipart form read with its files streamed to a private folder of their own,
//! at most [`UPLOAD_LIMIT`] bytes in all, each file kept under a number and offered back under
//! its given name's last component only — a name is never used as a path.

use super::api_refusal::Code;
use std::collections::HashMap;
use std::path::PathBuf;

use axum::extract::Multipart;

use crate::store::{Signature, Upload};
use crate::vocabulary::typed::{self, TooLong};

/// The largest upload a form or the API takes, all files together (a scanned table, photos).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// What a submission's form sent, its files already written to a private folder.
pub struct Sent {
    /// The CSRF secret it carried.
    pub csrf: String,
    /// `f:FIELD` parts: the form's fields.
    pub values: Vec<(String, String)>,
    /// `sig:ROLE` parts: who signed as what.
    pub signatures: Vec<Signature>,
    /// `file` parts, each written to the private folder.
    pub files: Vec<Upload>,
    /// A `replace` part.
    pub replace: bool,
    /// Any other part, by name.
    pub other: HashMap<String, String>,
    folder: PathBuf,
}

impl Drop for Sent {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Why a form was refused: a stable code for the API, and what people read.
#[derive(Debug)]
pub struct Refused {
    /// `too_long`, `unnamed_file`, `hidden_characters`, `too_large` or `bad_form`.
    pub code: Code,
    /// Why, in Chinese, naming the part.
    pub message: String,
    /// The part or field it concerns.
    pub field: Option<String>,
}

impl Refused {
    fn new(code: Code, message: impl Into<String>, field: Option<&str>) -> Refused {
        Refused {
            code,
            message: message.into(),
            field: field.map(String::from),
        }
    }

    fn bad_form(e: impl std::fmt::Display) -> Refused {
        Refused::new(Code::BadForm, format!("表单无法读取：{e}"), None)
    }
}

impl From<TooLong> for Refused {
    fn from(e: TooLong) -> Refused {
        Refused::new(Code::TooLong, e.to_string(), Some(&e.field.clone()))
    }
}

/// The longest part that is not a file: a form's text value, with room for its encoding.
const PART_MAX: usize = typed::VALUE_MAX * 4;

/// A name an upload may be kept under: its last component, without control or bidi characters,
/// at most [`typed::FILE_NAME_MAX`] characters; never used as a path (the folder holds it under a
/// number). `None`: nothing of it is left to show.
fn upload_name(given: &str) -> Result<Option<String>, TooLong> {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let name = typed::visible(last);
    match name.trim() {
        "" | "." | ".." => Ok(None),
        trimmed => {
            typed::within("附件文件名", trimmed, typed::FILE_NAME_MAX)?;
            Ok(Some(trimmed.to_string()))
        }
    }
}

/// The name a file part gives: `filename*` (RFC 6266, percent-encoded UTF-8) before `filename`.
/// `None` when it gives neither.
fn given_name(field: &axum::extract::multipart::Field<'_>) -> Option<String> {
    let disposition = field
        .headers()
        .get(axum::http::header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok());
    disposition
        .and_then(extended_name)
        .or_else(|| field.file_name().map(String::from))
}

/// The `filename*=UTF-8''…` parameter of a Content-Disposition (RFC 5987), decoded; ISO-8859-1
/// too. `None` when there is none, or it does not decode.
fn extended_name(disposition: &str) -> Option<String> {
    let value = disposition.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("filename*")
            .then(|| value.trim().trim_matches('"'))
    })?;
    let mut pieces = value.splitn(3, '\'');
    let (charset, _language, encoded) = (pieces.next()?, pieces.next()?, pieces.next()?);
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut rest = encoded.bytes();
    while let Some(b) = rest.next() {
        if b == b'%' {
            let hex = [rest.next()?, rest.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

/// Writes the file part `field` to `path` as its chunks come, counting them into `total`
/// (every file of the form): the bytes written, or why not.
async fn keep(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    total: &mut usize,
) -> Result<usize, Refused> {
    use std::io::Write;
    let failed =
        |e: std::io::Error| Refused::new(Code::BadForm, format!("无法保存附件：{e}"), None);
    let mut file = std::fs::File::create(path).map_err(failed)?;
    let mut written = 0;
    while let Some(chunk) = field.chunk().await.map_err(Refused::bad_form)? {
        *total += chunk.len();
        if *total > UPLOAD_LIMIT {
            return Err(Refused::new(
                Code::TooLarge,
                format!("附件合计不能超过 {} MiB", UPLOAD_LIMIT >> 20),
                None,
            ));
        }
        file.write_all(&chunk).map_err(failed)?;
        written += chunk.len();
    }
    Ok(written)
}

/// The text of a part that is not a file, read no further than [`PART_MAX`] bytes: more than
/// any field's limit in characters could need.
async fn text_of(
    field: &mut axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<String, Refused> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(Refused::bad_form)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > PART_MAX {
            return Err(TooLong {
                field: name.to_string(),
                limit: typed::VALUE_MAX,
            }
            .into());
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        Refused::new(
            Code::BadForm,
            format!("{name}：不是 UTF-8 文本"),
            Some(name),
        )
    })
}

/// Reads a multipart form: its files streamed to a private folder (removed with the `Sent`),
/// [`UPLOAD_LIMIT`] bytes in all. A file part that gives no name is refused, never dropped;
/// every text is held to its limit (`vocabulary::typed`).
pub async fn read_form(mut multipart: Multipart) -> Result<Sent, Refused> {
    let folder = std::env::temp_dir().join(format!("duban-upload-{}", crate::app::secret()));
    // Only this process's user may read what is uploaded before it is stored.
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&folder)
        .map_err(|e| Refused::new(Code::BadForm, format!("无法保存附件：{e}"), None))?;
    let mut sent = Sent {
        csrf: String::new(),
        values: Vec::new(),
        signatures: Vec::new(),
        files: Vec::new(),
        replace: false,
        other: HashMap::new(),
        folder,
    };
    let mut total = 0usize;
    let mut parts = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(Refused::bad_form)? {
        parts += 1;
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let nth = sent.files.len() + 1;
            let Some(given) = given_name(&field) else {
                return Err(Refused::new(
                    Code::UnnamedFile,
                    format!(
                        "第 {parts} 个部分（file，第 {nth} 个附件）没有文件名：请在 Content-Disposition 中给出 filename 或 filename*"
                    ),
                    Some("file"),
                ));
            };
            let shown = upload_name(&given)?;
            let path = sent.folder.join(sent.files.len().to_string());
            let written = keep(&mut field, &path, &mut total).await?;
            let Some(shown) = shown else {
                let _ = std::fs::remove_file(&path);
                // A file input left empty still sends a part, with an empty name and no bytes.
                if written == 0 {
                    continue;
                }
                return Err(Refused::new(
                    Code::UnnamedFile,
                    format!("第 {parts} 个部分（file，第 {nth} 个附件）的文件名为空或无法显示"),
                    Some("file"),
                ));
            };
            sent.files.push(Upload { path, name: shown });
            continue;
        }
        let text = text_of(&mut field, &name).await?;
        // No text the records keep holds a NUL (PostgreSQL's text cannot).
        if text.contains('\0') {
            return Err(Refused::new(
                Code::HiddenCharacters,
                format!("{name}：含有不可见的控制字符"),
                Some(&name),
            ));
        }
        if let Some(field) = name.strip_prefix("f:") {
            if !text.trim().is_empty() {
                typed::within(field, &text, typed::VALUE_MAX)?;
                sent.values.push((field.to_string(), text));
            }
        } else if let Some(role) = name.strip_prefix("sig:") {
            if !text.trim().is_empty() {
                let signer = text.trim();
                typed::within(&format!("{role}（签字）"), signer, typed::NAME_MAX)?;
                if signer.chars().any(typed::is_hidden) {
                    return Err(Refused::new(
                        Code::HiddenCharacters,
                        format!("{role}（签字）：含有不可见的控制字符"),
                        Some(&name),
                    ));
                }
                sent.signatures.push(Signature {
                    name: signer.to_string(),
                    role: role.to_string(),
                });
            }
        } else if name == "csrf" {
            sent.csrf = text;
        } else if name == "replace" {
            sent.replace = true;
        } else {
            sent.other.insert(name, text);
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::{extended_name, upload_name};

    #[test]
    fn an_uploads_name_is_its_last_component_and_never_a_path() {
        let name = |given: &str| upload_name(given).unwrap();
        assert_eq!(name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            name("C:\\Users\\a\\统计表.xlsx").as_deref(),
            Some("统计表.xlsx")
        );
        assert_eq!(name(".."), None);
        assert_eq!(name("a\u{0}b\nc.pdf").as_deref(), Some("abc.pdf"));
        assert_eq!(
            name("invoice\u{202e}txt.exe").as_deref(),
            Some("invoicetxt.exe")
        );
        assert_eq!(name("\u{202e}"), None);
        assert_eq!(name(""), None);
        assert!(upload_name(&"长".repeat(201)).is_err());
    }

    #[test]
    fn an_extended_name_is_percent_decoded_utf_8() {
        let name = |d: &str| extended_name(d);
        assert_eq!(
            name("form-data; name=\"file\"; filename*=UTF-8''%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx")
                .as_deref(),
            Some("统计表.xlsx")
        );
        assert_eq!(
            name("form-data; name=file; FILENAME*=\"utf-8'zh'a%20b.txt\"").as_deref(),
            Some("a b.txt")
        );
        assert_eq!(
            name("form-data; filename*=iso-8859-1''caf%E9.txt").as_deref(),
            Some("café.txt")
        );
        assert_eq!(name("form-data; filename=\"plain.txt\""), None);
        assert_eq!(name("form-data; filename*=UTF-8''%FF.txt"), None);
        assert_eq!(name("form-data; filename*=UTF-8''%E7%B"), None);
    }
}
