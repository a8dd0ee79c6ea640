//! iCalendar export (RFC 5545): one VTODO per obligation, due on its local due date, so that a
//! calendar program shows each report on the day it is due.

use std::io::{self, Write};

use chrono::Datelike;

use super::obligation::Obligation;
use crate::language::campaign::Campaign;

/// Writes a VCALENDAR holding one VTODO per obligation.
pub fn write<'a>(
    out: &mut impl Write,
    campaign: &Campaign,
    obligations: impl Iterator<Item = Obligation<'a>>,
) -> io::Result<()> {
    let name = campaign.title.as_deref().unwrap_or(&campaign.id);
    // DTSTAMP must be a UTC instant; the issue date keeps the output reproducible.
    let stamp = campaign.issued.unwrap_or(campaign.start);
    let stamp = format!(
        "{:04}{:02}{:02}T000000Z",
        stamp.year(),
        stamp.month(),
        stamp.day()
    );
    line(out, "BEGIN:VCALENDAR")?;
    line(out, "VERSION:2.0")?;
    line(out, "PRODID:-//duban//campaign schedule//ZH")?;
    line(out, "CALSCALE:GREGORIAN")?;
    line(out, &format!("X-WR-CALNAME:{}", escape(name)))?;
    for o in obligations {
        let r = o.record();
        let identity = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            r.campaign,
            r.deliverable,
            r.unit,
            r.period.as_deref().unwrap_or("")
        );
        let due = o.occurrence.due;
        let period = r
            .period
            .as_deref()
            .map(|p| format!("（{p}）"))
            .unwrap_or_default();
        let mut description = format!("报送单位：{}\n接收单位：{}", r.unit, r.to.join("、"));
        if let Some(form) = &r.form {
            description.push_str(&format!("\n表单：{form}"));
        }
        if !r.signers.is_empty() {
            description.push_str(&format!("\n签字：{}", r.signers.join("、")));
        }
        if o.occurrence.on_time_until != due {
            // The day it is still on time when the due date is a rest day or a holiday.
            description.push_str(&format!(
                "\n逾期起算：{} 后（节假日顺延）",
                o.occurrence.on_time_until
            ));
        }
        line(out, "BEGIN:VTODO")?;
        line(
            out,
            &format!("UID:{:016x}@duban", fnv1a(identity.as_bytes())),
        )?;
        line(out, &format!("DTSTAMP:{stamp}"))?;
        line(
            out,
            &format!(
                "SUMMARY:{}",
                escape(&format!("{}{period} — {}", r.deliverable, r.unit))
            ),
        )?;
        line(
            out,
            &format!(
                "DUE;VALUE=DATE:{:04}{:02}{:02}",
                due.year(),
                due.month(),
                due.day()
            ),
        )?;
        line(out, &format!("DESCRIPTION:{}", escape(&description)))?;
        line(out, &format!("CATEGORIES:{}", escape(&r.campaign)))?;
        line(out, "STATUS:NEEDS-ACTION")?;
        line(out, "END:VTODO")?;
    }
    line(out, "END:VCALENDAR")
}

/// Writes a content line, folded at 75 octets without splitting a character, ended by CRLF.
fn line(out: &mut impl Write, text: &str) -> io::Result<()> {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.write_all(b"\r\n ")?;
            width = 1;
        }
        let mut buf = [0; 4];
        out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
        width += len;
    }
    out.write_all(b"\r\n")
}

/// Escapes a TEXT value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A stable 64-bit hash (FNV-1a) for UIDs that survive re-export.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_lines_on_character_boundaries() {
        let mut out = Vec::new();
        let text = format!("SUMMARY:{}", "统计表".repeat(20));
        line(&mut out, &text).unwrap();
        let written = String::from_utf8(out).expect("folding kept UTF-8 intact");
        for physical in written.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        assert_eq!(written.replace("\r\n ", "").trim_end(), text);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
