//! What people type, bounded: each kind of text a person sends has a length limit (far under
//! Excel's 32,767 characters per cell, so that every report of it can be written), and a name
//! people see holds no control or bidi characters (with U+202E, `invoice\u{202e}txt.exe` shows
//! as "invoiceexe.txt").

/// The longest value of a form's text field (备注), in characters.
pub const VALUE_MAX: usize = 2000;
/// The longest reason for a decision (退回、延期、免报的理由), in characters.
pub const REASON_MAX: usize = 500;
/// The longest name of a person or unit (an account, a unit, who signed), in characters.
pub const NAME_MAX: usize = 64;
/// The longest name of an uploaded file, in characters.
pub const FILE_NAME_MAX: usize = 200;

/// A text longer than its field allows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}：不能超过 {limit} 个字符")]
pub struct TooLong {
    /// The field, as people know it.
    pub field: String,
    /// Its limit, in characters.
    pub limit: usize,
}

/// `text` for `field` if it has at most `limit` characters.
pub fn within(field: &str, text: &str, limit: usize) -> Result<(), TooLong> {
    // Counting stops past the limit: a long text is not walked to its end.
    let length = text.chars().take(limit + 1).count();
    if length <= limit {
        return Ok(());
    }
    Err(TooLong {
        field: field.to_string(),
        limit,
    })
}

/// Whether `c` would be hidden in a name, or change how the rest of it shows: control
/// characters, and the format characters of bidirectional text and zero width.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `text` without the characters [`is_hidden`] names.
pub fn visible(text: &str) -> String {
    text.chars().filter(|c| !is_hidden(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_the_controls_and_the_bidi_and_zero_width_ones() {
        for (given, shown) in [
            ("invoice\u{202e}txt.exe", "invoicetxt.exe"),
            ("a\u{2066}b\u{2069}c", "abc"),
            ("张\u{200b}三", "张三"),
            ("a\u{0}b\nc\u{7f}", "abc"),
            ("\u{feff}统计表.xlsx", "统计表.xlsx"),
            ("宛城区（报表）.pdf", "宛城区（报表）.pdf"),
        ] {
            assert_eq!(visible(given), shown, "{given:?}");
        }
    }

    #[test]
    fn a_limit_counts_characters_not_bytes() {
        assert!(within("备注", &"字".repeat(VALUE_MAX), VALUE_MAX).is_ok());
        let error = within("备注", &"字".repeat(VALUE_MAX + 1), VALUE_MAX).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("备注：不能超过 {VALUE_MAX} 个字符")
        );
    }
}
