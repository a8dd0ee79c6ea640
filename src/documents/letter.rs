//! A letter the overdue ladder issues (督办函, 提醒函, 约谈通知书, 蓝/黄/红 督办单) as Word in 公文
//! format (GB/T 9704): its 文号 above the title, the late unit as 主送, what it owes and since
//! when, what it is asked to do, the issuer and the date, and the 版记.

use super::docx::Docx;
use crate::reports::chinese_date;
use crate::store::Letter;

/// Its title: `关于督促报送《统计表》等事项的督办函`.
pub fn title(letter: &Letter) -> String {
    let first = letter
        .items
        .first()
        .map(|i| i.title.clone().unwrap_or_else(|| i.deliverable.clone()))
        .unwrap_or_default();
    let more = if letter.items.len() > 1 { "等" } else { "" };
    format!("关于督促报送《{first}》{more}事项的{}", letter.kind.zh())
}

/// Its file name: `督办函〔2017〕3号 宛城区.docx`.
pub fn file_name(letter: &Letter) -> String {
    format!("{} {}.docx", letter.number_text(), letter.unit)
}

/// The items, one line each: `《…统计表》（2017-05），应于2017年5月25日前报送`.
fn item_lines(letter: &Letter) -> Vec<String> {
    letter
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item.title.as_deref().unwrap_or(&item.deliverable);
            let period = if item.period.is_empty() {
                String::new()
            } else {
                format!("（{}）", crate::notices::render::period_zh(&item.period))
            };
            let due = item
                .due_date
                .parse()
                .map(chinese_date)
                .unwrap_or_else(|_| item.due_date.clone());
            format!("{}. 《{name}》{period}，应于{due}前报送。", i + 1)
        })
        .collect()
}

/// Its body text: what the campaign asked, what is still owed, what the unit must now do.
pub fn paragraphs(letter: &Letter) -> Vec<String> {
    let campaign = letter
        .campaign_title
        .clone()
        .unwrap_or_else(|| letter.campaign.clone());
    let mut out = vec![format!(
        "根据{campaign}工作安排，你单位下列事项已超过规定时限，至今未按要求报送："
    )];
    out.extend(item_lines(letter));
    out.push(letter.kind.asks().to_string());
    out.push("特此函告。".to_string());
    out
}

/// The Word file.
pub fn docx(letter: &Letter) -> Result<Vec<u8>, std::io::Error> {
    let mut doc = Docx::new();
    doc.centred(&letter.number_text());
    doc.title(&title(letter));
    doc.paragraph(&format!("{}：", letter.unit), false);
    for p in paragraphs(letter) {
        doc.paragraph(&p, true);
    }
    let issuer = letter.issuer.clone().unwrap_or_default();
    let date = letter
        .day
        .parse()
        .map(chinese_date)
        .unwrap_or_else(|_| letter.day.clone());
    doc.signature(&issuer, &date);
    doc.colophon(&issuer, &date);
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::letters::LetterKind;
    use crate::store::LetterItem;

    fn letter() -> Letter {
        Letter {
            id: 1,
            campaign: "nanyang-2017".into(),
            campaign_title: Some("南阳市侵害群众利益的不正之风和腐败问题专项整治".into()),
            issuer: Some("中共南阳市纪委办公室".into()),
            unit: "宛城区".into(),
            kind: LetterKind::Supervision,
            year: 2017,
            number: 3,
            day: "2017-05-28".into(),
            issued_at: 0,
            items: vec![
                LetterItem {
                    deliverable: "统计表".into(),
                    title: Some("专项整治工作统计表".into()),
                    period: "2017-05".into(),
                    due_date: "2017-05-25".into(),
                },
                LetterItem {
                    deliverable: "线索台账".into(),
                    title: None,
                    period: String::new(),
                    due_date: "2017-05-20".into(),
                },
            ],
        }
    }

    #[test]
    fn a_letter_is_numbered_addressed_and_says_what_is_owed() {
        let l = letter();
        assert_eq!(l.number_text(), "督办函〔2017〕3号");
        assert_eq!(
            title(&l),
            "关于督促报送《专项整治工作统计表》等事项的督办函"
        );
        assert_eq!(file_name(&l), "督办函〔2017〕3号 宛城区.docx");
        let text = paragraphs(&l).join("\n");
        assert!(
            text.contains("1. 《专项整治工作统计表》（2017年5月），应于2017年5月25日前报送。"),
            "{text}"
        );
        assert!(text.contains("2. 《线索台账》，应于2017年5月20日前报送。"));
        assert!(text.contains("3个工作日内"), "{text}");
        let bytes = docx(&l).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut body)
            .unwrap();
        for part in [
            "督办函〔2017〕3号",
            "宛城区：",
            "中共南阳市纪委办公室",
            "2017年5月28日印发",
        ] {
            assert!(body.contains(part), "{part}: {body}");
        }
    }
}
