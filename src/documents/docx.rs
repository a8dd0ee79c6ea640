//! A Word document (.docx) written directly: the parts Word and WPS need — content types,
//! relationships, styles naming the fonts offices use, a footer with the page number as
//! official documents carry it (GB/T 9704: `— 1 —`, 4号 宋体), and the document — zipped. A
//! bulletin needs headings, paragraphs, tables and its 版记, nothing a library would add.

use std::io::Write;

use super::escape;

/// The MIME type of a Word file.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The body font (仿宋_GB2312), with FangSong where it is not installed.
const BODY: &str = "仿宋_GB2312";
/// The title font (方正小标宋简体).
const TITLE: &str = "方正小标宋简体";
/// Headings (黑体).
const HEADING: &str = "黑体";

/// A document being written.
#[derive(Default)]
pub struct Docx {
    body: String,
}

impl Docx {
    /// An empty document.
    pub fn new() -> Docx {
        Docx::default()
    }

    /// The title: centred, 方正小标宋简体 二号 (22pt).
    pub fn title(&mut self, text: &str) {
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr>{}</w:p>",
            run(text, TITLE, 44)
        ));
    }

    /// A line of body text, centred: the 发文字号 above the title.
    pub fn centred(&mut self, text: &str) {
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr>{}</w:p>",
            run(text, BODY, 32)
        ));
    }

    /// A heading: 黑体 三号 (16pt).
    pub fn heading(&mut self, text: &str) {
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:spacing w:before=\"120\" w:after=\"60\"/></w:pPr>{}</w:p>",
            run(text, HEADING, 32)
        ));
    }

    /// A paragraph of body text, 仿宋_GB2312 三号, its first line indented two characters.
    pub fn paragraph(&mut self, text: &str, indent: bool) {
        let indent = if indent {
            "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>"
        } else {
            ""
        };
        self.body.push_str(&format!(
            "<w:p><w:pPr>{indent}<w:spacing w:line=\"560\" w:lineRule=\"exact\"/></w:pPr>{}</w:p>",
            run(text, BODY, 32)
        ));
    }

    /// A table with a header row, 小四 (12pt), ruled.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let cell = |text: &str, bold: bool| {
            let b = if bold { "<w:b/>" } else { "" };
            format!(
                "<w:tc><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr>{}{b}<w:sz w:val=\"24\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                fonts(BODY),
                escape(text)
            )
        };
        let border = "<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>";
        self.body.push_str(&format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>"
        ));
        self.body.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
        for h in header {
            self.body.push_str(&cell(h, true));
        }
        self.body.push_str("</w:tr>");
        for row in rows {
            self.body.push_str("<w:tr>");
            for c in row {
                self.body.push_str(&cell(c, false));
            }
            self.body.push_str("</w:tr>");
        }
        self.body.push_str("</w:tbl>");
    }

    /// The issuing office and the date, right-aligned.
    pub fn signature(&mut self, office: &str, date: &str) {
        for line in [office, date] {
            self.body.push_str(&format!(
                "<w:p><w:pPr><w:jc w:val=\"right\"/></w:pPr>{}</w:p>",
                run(line, BODY, 32)
            ));
        }
    }

    /// The 版记 at the end (GB/T 9704): the issuing office on the left and `{date}印发` on
    /// the right, 4号 仿宋, between a rule above and below.
    pub fn colophon(&mut self, office: &str, date: &str) {
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:pBdr><w:top w:val=\"single\" w:sz=\"8\" w:space=\"4\" w:color=\"000000\"/><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"4\" w:color=\"000000\"/></w:pBdr><w:tabs><w:tab w:val=\"right\" w:pos=\"{TEXT_WIDTH}\"/></w:tabs><w:spacing w:before=\"480\"/><w:ind w:left=\"160\" w:right=\"160\"/></w:pPr>{}<w:r><w:tab/></w:r>{}</w:p>",
            run(office, BODY, 28),
            run(&format!("{date}印发"), BODY, 28)
        ));
    }

    /// The .docx file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, std::io::Error> {
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{}<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId2\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
            self.body
        );
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS),
            ("word/styles.xml", &styles()),
            ("word/footer1.xml", FOOTER),
            ("word/document.xml", &document),
        ] {
            zip.start_file(name, options)
                .map_err(std::io::Error::other)?;
            zip.write_all(content.as_bytes())?;
        }
        let cursor = zip.finish().map_err(std::io::Error::other)?;
        Ok(cursor.into_inner())
    }
}

/// The width of the text on an A4 page with the margins above, in twentieths of a point: where
/// a right tab stop sits.
const TEXT_WIDTH: u32 = 11906 - 1474 - 1588;

/// The page number, centred as `— 1 —` in 4号 宋体.
const FOOTER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr><w:t xml:space=\"preserve\">— </w:t></w:r><w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>";

/// A run of `text` in `font` at `half_points`.
fn run(text: &str, font: &str, half_points: u32) -> String {
    format!(
        "<w:r><w:rPr>{}<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        fonts(font),
        escape(text)
    )
}

/// A font for Chinese (`eastAsia`) and the rest; Word substitutes when it is not installed.
fn fonts(font: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{font}\" w:cs=\"Times New Roman\"/>"
    )
}

fn styles() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr>{}<w:sz w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style></w:styles>",
        fonts(BODY)
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/></Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/></Relationships>";

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn pages_are_numbered_and_the_colophon_closes_the_document() {
        let mut doc = Docx::new();
        doc.title("关于专项整治工作进展情况的通报");
        doc.paragraph("正文。", true);
        doc.colophon("中共南阳市纪委办公室", "2017年6月5日");
        let bytes = doc.finish().unwrap();
        let document = part(&bytes, "word/document.xml");
        assert!(document.contains("<w:footerReference w:type=\"default\" r:id=\"rId2\"/>"));
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains("Id=\"rId2\"") && rels.contains("Target=\"footer1.xml\""));
        let types = part(&bytes, "[Content_Types].xml");
        assert!(types.contains("/word/footer1.xml"));
        let footer = part(&bytes, "word/footer1.xml");
        assert!(footer.contains(" PAGE ") && footer.contains("— ") && footer.contains(" —"));
        let colophon = &document[document.find("<w:pBdr>").unwrap()..];
        assert!(
            colophon.contains("中共南阳市纪委办公室") && colophon.contains("2017年6月5日印发"),
            "{colophon}"
        );
    }
}
