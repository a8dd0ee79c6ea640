//! The formal document a rung issues to a late unit (督办函 and its kin), as a pass asks for
//! it: from a digest to the unit, the strongest kind its notices' rungs issue and the items
//! of those notices; the layer above numbers it in the records and renders it, and the pass
//! attaches it to the unit's mail (a robot cannot carry a file: its message names the letter's
//! number instead; an SMS carries only its template's words).

use crate::clock::Instant;
use crate::language::letters::LetterKind;
use crate::store::{Attachment, Candidate, LetterItem, NewLetter, OutboxMail};
use crate::vocabulary::Channel;

use super::plan::{Audience, Notice};
use super::render::Digest;

/// What a pass issues a letter with: the layer above numbers `letter` in the records (once per
/// campaign, unit, kind and the day its rung falls on) and renders it; the file, and its 文号 for the message. A
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
    let mut first: Option<(&Candidate, chrono::NaiveDate)> = None;
    for n in notices().filter(|n| n.stage.letter == Some(kind)) {
        let c = &candidates[n.candidate];
        // A mailbox several units share gets one digest: the letter is the first unit's,
        // about its own items.
        let (unit, _) = *first.get_or_insert((c, n.stage.day));
        if unit.unit != c.unit || unit.campaign_id != c.campaign_id {
            continue;
        }
        items.push(LetterItem {
            deliverable: c.deliverable.to_string(),
            title: c.title.as_deref().map(String::from),
            period: c.period.as_deref().unwrap_or("").to_string(),
            due_date: c.due_date.to_string(),
        });
    }
    let (c, day) = first?;
    // Numbered once per unit, kind and the day the rung is due by the calendar (not the day
    // the pass runs): a pass that runs again after midnight finds the same letter.
    let t = as_of.in_zone(c.zone);
    Some(Asked {
        kind,
        items,
        campaign_id: c.campaign_id,
        unit: c.unit.to_string(),
        day,
        at: t.timestamp(),
    })
}

/// `mail` carrying the letter `file` numbered `number`: attached to a mail; named at the head
/// of a robot's message (where cutting it to the app's limit cannot drop it); an SMS, whose
/// words are its template's, carries neither.
pub fn carry(mail: &mut OutboxMail, file: Attachment, number: &str) {
    match Channel::of(&mail.recipient).0 {
        Channel::Mail => {
            mail.body
                .push_str(&format!("\n附件：{number}（请查收，并按要求办理）\n"));
            mail.attachment = Some(file);
        }
        Channel::Sms => {}
        _ => {
            mail.body = format!(
                "已下发{number}，请登录督办平台查看并按要求办理。\n{}",
                mail.body
            );
        }
    }
}
