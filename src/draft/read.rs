//! A document as offices have it, read into plain text with one paragraph a line: a `.txt`
//! (UTF-8, or GBK as Windows offices save it), a Word `.docx` (the text of its
//! `word/document.xml`, paragraph by paragraph), or an `.html` page saved from a government
//! site (its tags stripped, block elements ending lines).

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The most a document may weigh: a 工作方案 is a few dozen kilobytes, a .docx with pictures a
/// few megabytes.
const LIMIT: u64 = 64 * 1024 * 1024;

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The document.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A .docx that is not the zip of a Word document.
    #[error("{} is not a Word document (.docx): {reason}", path.display())]
    Docx {
        /// The document.
        path: PathBuf,
        /// What was wrong.
        reason: DocxProblem,
    },
    /// A PDF: not read yet.
    #[error(
        "{} is a PDF, which `duban draft` does not read yet: save it as .docx or .txt (in WPS or Word: 另存为), or copy its text into a .txt file",
        path.display()
    )]
    Pdf {
        /// The document.
        path: PathBuf,
    },
    /// A kind of file that is not a document.
    #[error(
        "cannot tell what kind of document {} is: name it .txt, .docx or .html",
        path.display()
    )]
    Kind {
        /// The file.
        path: PathBuf,
    },
}

/// What is wrong with a file named .docx.
#[derive(Debug, thiserror::Error)]
pub enum DocxProblem {
    /// Not a zip archive.
    #[error("{0}")]
    NotZip(zip::result::ZipError),
    /// A zip without the document's part.
    #[error("it has no word/document.xml")]
    NoDocument,
    /// The part could not be read as text.
    #[error("{0}")]
    Unreadable(std::io::Error),
}

/// The text of the document at `path`, one paragraph a line.
pub fn read(path: &Path) -> Result<String, ReadError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = || -> Result<Vec<u8>, ReadError> {
        let mut file = crate::fsio::open_regular(path, LIMIT).map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        Ok(bytes)
    };
    match extension.as_str() {
        "txt" | "text" => Ok(decode(&bytes()?)),
        "html" | "htm" | "shtml" => Ok(html_text(&decode(&bytes()?))),
        "docx" => docx_text(&bytes()?).map_err(|reason| ReadError::Docx {
            path: path.to_path_buf(),
            reason,
        }),
        "pdf" => Err(ReadError::Pdf {
            path: path.to_path_buf(),
        }),
        _ => Err(ReadError::Kind {
            path: path.to_path_buf(),
        }),
    }
}

/// UTF-8 if it is, else GBK (GB18030), the encoding Chinese Windows saves text in.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// The paragraphs of a .docx: the runs of each `<w:p>` of `word/document.xml` joined, tabs
/// and breaks kept. Read by hand: the few tags that carry text need no XML library.
fn docx_text(bytes: &[u8]) -> Result<String, DocxProblem> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(DocxProblem::NotZip)?;
    let mut part = archive
        .by_name("word/document.xml")
        .map_err(|_| DocxProblem::NoDocument)?;
    let mut xml = String::new();
    part.read_to_string(&mut xml)
        .map_err(DocxProblem::Unreadable)?;
    Ok(word_xml_text(&xml))
}

/// The text of WordprocessingML: a line per paragraph.
pub fn word_xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let after = &rest[open + close + 1..];
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap_or("");
        match name {
            // A text run's content is everything up to its closing tag.
            "w:t" if !tag.starts_with('/') && !tag.ends_with('/') => {
                let end = after.find("</w:t>").unwrap_or(after.len());
                out.push_str(&unescape(&after[..end]));
                rest = &after[end..];
                continue;
            }
            "w:tab" => out.push('\t'),
            "w:br" | "w:cr" => out.push('\n'),
            "w:p" if tag.starts_with('/') || tag.ends_with('/') => out.push('\n'),
            _ => {}
        }
        rest = after;
    }
    out
}

/// The text of an HTML page: scripts and styles dropped, block elements ending lines,
/// entities decoded.
pub fn html_text(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
        "article", "td", "title",
    ];
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&unescape(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &rest[open + close + 1..];
        if matches!(name.as_str(), "script" | "style") && !tag.starts_with('/') {
            let end = format!("</{name}");
            let at = rest.to_ascii_lowercase().find(&end).unwrap_or(rest.len());
            rest = &rest[at..];
            continue;
        }
        if BLOCKS.contains(&name.as_str()) {
            out.push(if name == "td" { '\t' } else { '\n' });
        }
    }
    out.push_str(&unescape(rest));
    out
}

/// Decodes the XML and HTML entities documents use.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(end) = tail.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_paragraphs_become_lines() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>各县区、</w:t></w:r><w:r><w:t xml:space="preserve">市直各单位</w:t></w:r></w:p><w:p><w:r><w:t>于4月15日前报&amp;送</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(word_xml_text(xml), "各县区、市直各单位\n于4月15日前报&送\n");
    }

    #[test]
    fn html_loses_its_tags_and_scripts() {
        let html = "<html><head><title>通知</title><script>var a='<p>';</script></head><body><p>各镇：</p><p>于3月31日前&nbsp;上报</p></body></html>";
        let text = html_text(html);
        assert!(text.contains("\n各镇：\n"), "{text}");
        assert!(text.contains("于3月31日前 上报"), "{text}");
        assert!(!text.contains("var a"), "{text}");
    }

    #[test]
    fn gbk_text_is_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("各县区");
        assert_eq!(decode(&bytes), "各县区");
    }

    #[test]
    fn a_pdf_is_refused_with_what_to_do() {
        let error = read(Path::new("方案.pdf")).unwrap_err();
        assert!(matches!(error, ReadError::Pdf { .. }));
        assert!(error.to_string().contains("does not read yet"), "{error}");
    }
}
