//! A notice made fit for the channel it goes by: for a robot, the mail's subject and text cut
//! to the app's limit, the phones to call out and the way to the pages; for SMS, the template's
//! variables. A mail stays as it is.

use std::collections::BTreeMap;

use super::plan::{Audience, Candidate, Notice};
use super::render::Digest;

/// `mail` made fit for its channel ([`fit`]), with the phones its notices call out and the
/// count of its items by kind; a robot or a phone carries no attachment. A robot's message
/// ends with the link to the pages at `portal` where the item is dealt with: the obligation's
/// page for one item of the unit's own, the unit's page for several, the board for a
/// supervisor.
pub fn for_channel(
    mail: &mut crate::store::OutboxMail,
    digest: &Digest,
    notices: &[Notice],
    candidates: &[Candidate],
    portal: Option<&str>,
) {
    use crate::vocabulary::Channel;
    let channel = Channel::of(&mail.recipient).0;
    if channel == Channel::Mail {
        return;
    }
    let mut link = String::new();
    if let Some(base) = portal.filter(|_| channel.robot()) {
        let segment = |s: &str| {
            percent_encoding::utf8_percent_encode(s, super::hooks::UNRESERVED).to_string()
        };
        let first = &candidates[notices[digest.notices[0]].candidate];
        let path = match (digest.audience, digest.notices.len()) {
            (Audience::Supervisor, _) => "/board".to_string(),
            (Audience::Unit, 1) => format!(
                "/o/{}/{}/{}/{}",
                segment(&first.campaign),
                segment(&first.deliverable),
                segment(&first.unit),
                segment(first.period.as_deref().unwrap_or("-"))
            ),
            (Audience::Unit, _) => format!("/unit/{}", segment(&first.unit)),
        };
        link = format!("\n\n办理入口：{}{path}", base.trim_end_matches('/'));
    }
    let mut mobiles: Vec<String> = Vec::new();
    let mut kinds: BTreeMap<super::plan::Kind, usize> = BTreeMap::new();
    for &i in &digest.notices {
        *kinds.entry(notices[i].stage.kind).or_default() += 1;
        for m in &notices[i].to.mobiles {
            if !mobiles.contains(m) {
                mobiles.push(m.clone());
            }
        }
    }
    // The most serious first: 1项已逾期、2项即将到期.
    let summary = kinds
        .iter()
        .rev()
        .map(|(kind, n)| format!("{n}项{}", state_words(*kind)))
        .collect::<Vec<_>>()
        .join("、");
    mail.body = fit(
        &mail.recipient,
        &mail.subject,
        &mail.body,
        &mobiles,
        &summary,
        &link,
    );
    mail.attachment = None;
}

/// The body the outbox keeps for a message to `recipient`: a mail's text as it is; for a
/// robot, the subject and the text cut to the app's limit with the phones to call out (JSON),
/// `tail` (the link to the pages) kept whole after the cut; for SMS, the template's variables,
/// `summary` saying its items (1项已逾期).
pub fn fit(
    recipient: &str,
    subject: &str,
    body: &str,
    mobiles: &[String],
    summary: &str,
    tail: &str,
) -> String {
    use crate::vocabulary::Channel;
    match Channel::of(recipient).0 {
        Channel::Mail => body.to_string(),
        Channel::Sms => super::sms::parameters(subject, summary),
        robot => {
            let text = super::hooks::cut(
                &format!("{subject}\n\n{}", body.trim_end()),
                super::hooks::text_limit(robot).saturating_sub(tail.len()),
            ) + tail;
            let message = super::hooks::RobotMessage {
                text,
                mobiles: mobiles.to_vec(),
            };
            serde_json::to_string(&message).unwrap_or_default()
        }
    }
}

/// What an SMS says of items of `kind`.
fn state_words(kind: super::plan::Kind) -> &'static str {
    use super::plan::Kind;
    match kind {
        Kind::Reminder => "即将到期",
        Kind::ReviewReminder => "待审核",
        Kind::Unacknowledged => "未签收",
        Kind::BelowTarget => "低于目标",
        Kind::ReviewOverdue => "审核已逾期",
        Kind::Overdue => "已逾期",
        Kind::Interview => "拟约谈",
    }
}
