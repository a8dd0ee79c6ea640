//! Uploads: a multipart form read with its files streamed to a private folder of their own,
//! at most [`UPLOAD_LIMIT`] bytes in all, each file kept under a number and offered back under
//! its given name's last component only — a name is never used as a path.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::extract::Multipart;

use crate::store::{Signature, Upload};

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

/// A name an upload may be kept under: its last component, without control characters, at
/// most 120 characters; never used as a path (the folder holds it under a number).
fn upload_name(given: &str) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    match name.trim() {
        "" | "." | ".." => "附件".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// Writes the file part `field` to `path` as its chunks come, counting them into `total`
/// (every file of the form): the bytes written, or why not.
async fn keep(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    total: &mut usize,
) -> Result<usize, String> {
    use std::io::Write;
    let failed = |e: std::io::Error| format!("cannot keep the upload: {e}");
    let mut file = std::fs::File::create(path).map_err(failed)?;
    let mut written = 0;
    while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
        *total += chunk.len();
        if *total > UPLOAD_LIMIT {
            return Err(format!(
                "the files are larger than {} MiB together",
                UPLOAD_LIMIT >> 20
            ));
        }
        file.write_all(&chunk).map_err(failed)?;
        written += chunk.len();
    }
    Ok(written)
}

/// Reads a multipart form: its files streamed to a private folder (removed with the `Sent`),
/// [`UPLOAD_LIMIT`] bytes in all.
pub async fn read_form(mut multipart: Multipart) -> Result<Sent, String> {
    let folder = std::env::temp_dir().join(format!("duban-upload-{}", crate::app::secret()));
    // Only this process's user may read what is uploaded before it is stored.
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&folder)
        .map_err(|e| format!("cannot keep the upload: {e}"))?;
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
    while let Some(mut field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let Some(given) = field.file_name().map(upload_name) else {
                continue;
            };
            let path = sent.folder.join(sent.files.len().to_string());
            let written = keep(&mut field, &path, &mut total).await?;
            // A file input left empty still sends a part, with no name and no bytes.
            if written == 0 && given == "附件" {
                let _ = std::fs::remove_file(&path);
                continue;
            }
            sent.files.push(Upload { path, name: given });
            continue;
        }
        let text = field.text().await.map_err(|e| e.to_string())?;
        if let Some(field) = name.strip_prefix("f:") {
            if !text.trim().is_empty() {
                sent.values.push((field.to_string(), text));
            }
        } else if let Some(role) = name.strip_prefix("sig:") {
            if !text.trim().is_empty() {
                sent.signatures.push(Signature {
                    name: text.trim().to_string(),
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
    use super::upload_name;

    #[test]
    fn an_uploads_name_is_its_last_component_and_never_a_path() {
        assert_eq!(upload_name("../../etc/passwd"), "passwd");
        assert_eq!(upload_name("C:\\Users\\a\\统计表.xlsx"), "统计表.xlsx");
        assert_eq!(upload_name(".."), "附件");
        assert_eq!(upload_name("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(upload_name("").len(), "附件".len());
    }
}
