//! The formal document a rung issues to a late unit (督办函 and its kin), as a pass asks for
//! it: from a digest to the unit, the strongest kind its notices' rungs issue and the items
//! of those notices; the layer above numbers it in the records and renders it, and the pass
//! attaches it to the unit's mail (a robot or a phone cannot carry a file: their message names
//! the letter's number instead).

use crate::clock::Instant;
use crate::language::letters::LetterKind;
use crate::store::{Attachment, Candidate, LetterItem, NewLetter, OutboxMail};
use crate::vocabulary::Channel;

use super::plan::{Audience, Notice};
use super::render::Digest;

/// What a pass issues a letter with: the layer above numbers `letter` in the records (once per
/// campaign, unit, kind and day) and renders it; the file, and its 文号 for the message. A
/// letter that cannot be numbered fails the pass, so that the escalation is not sent without it.
pub type Issue<'a, S> =
    &'a dyn Fn(&mut S, &NewLetter<'_>) -> Result<(Attachment, String), super::pass::PassError>;

/// A letter a digest asks for.
#[derive(Clone, Debug)]
pub struct Asked {
    kind: LetterKind,
    items: Vec<LetterItem>,
    campaign_id: i64,
    unit: String,
    day: chrono::NaiveDate,
    at: i64,
}

impl Asked {
    /// It, as the records issue it.
    pub fn letter(&self) -> NewLetter<'_> {
        NewLetter {
            campaign_id: self.campaign_id,
            unit: &self.unit,
            kind: self.kind,
            day: self.day,
            issued_at: self.at,
            items: &self.items,
        }
    }
}

/// The letter a digest asks for: to its unit, of the strongest kind its notices' rungs issue,
/// about the items of those notices; `None` for a digest to others, or with no such rung.
pub fn request(
    digest: &Digest,
    fresh: &[Notice],
    candidates: &[Candidate],
    as_of: Instant,
) -> Option<Asked> {
    if digest.audience != Audience::Unit {
        return None;
    }
    let notices = || digest.notices.iter().map(|&i| &fresh[i]);
    let kind = notices().filter_map(|n| n.stage.letter).max()?;
    let mut items = Vec::new();
    let mut first: Option<&Candidate> = None;
    for n in notices().filter(|n| n.stage.letter == Some(kind)) {
        let c = &candidates[n.candidate];
        first.get_or_insert(c);
        items.push(LetterItem {
            deliverable: c.deliverable.to_string(),
            title: c.title.as_deref().map(String::from),
            period: c.period.as_deref().unwrap_or("").to_string(),
            due_date: c.due_date.to_string(),
        });
    }
    let c = first?;
    let t = as_of.in_zone(c.zone);
    let day = t.with_timezone(&c.zone).date_naive();
    Some(Asked {
        kind,
        items,
        campaign_id: c.campaign_id,
        unit: c.unit.to_string(),
        day,
        at: t.timestamp(),
    })
}

/// `mail` carrying the letter `file` numbered `number`: attached to a mail, named in the text
/// of a message on another channel.
pub fn carry(mail: &mut OutboxMail, file: Attachment, number: &str) {
    if Channel::of(&mail.recipient).0 == Channel::Mail {
        mail.body
            .push_str(&format!("\n附件：{number}（请查收，并按要求办理）\n"));
        mail.attachment = Some(file);
    } else {
        mail.body.push_str(&format!(
            "\n已下发{number}，请登录督办平台查看并按要求办理。"
        ));
    }
}
