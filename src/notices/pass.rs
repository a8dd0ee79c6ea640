//! One pass: plan the notices due now, write the new ones with their mails to the outbox, and
//! send every mail that is due — retrying failures later with capped exponential backoff and
//! jitter, and giving up (marked failed, listed by `duban outbox`) after a number of attempts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use std::sync::Arc;

use tracing::{error, info, warn};

use super::plan::{self, Notice};
use super::render::{self, CampaignInfo, Digest, Rendered, Templates};
use super::send::{Mailer, Outgoing, SendError};
use super::window;
use crate::clock::{Clock, Instant};
use crate::schedule::Calendar;
use crate::store::{
    Attachment, Campaigns, Candidate, Claim, Outbox, PendingMail, PlanInput, Skip, StoreError,
};
use crate::vocabulary::Channel;

/// How a pass behaves.
#[derive(Clone)]
pub struct PassOptions {
    /// Sends of a mail before it is marked failed.
    pub max_attempts: u32,
    /// The domain of Message-IDs (the sender's).
    pub domain: String,
    /// How long a claim on a mail lasts: longer than any one send can take, so that only a
    /// pass that died loses its claim.
    pub lease: std::time::Duration,
    /// How long one send may take: a claimed mail is sent only while its claim has that long
    /// left, and given back otherwise.
    pub send_timeout: std::time::Duration,
    /// Who claims: this process, unique among every pass on every host sharing the store.
    pub owner: String,
    /// The clock claims are measured by: the real one even in a rehearsal with `--as-of`,
    /// since a claim says whether the process holding it is still alive.
    pub wall: Arc<dyn Clock>,
    /// What the records' names of files mean here: a campaign's templates folder is named
    /// relative to the workspace.
    pub names: crate::fsio::Names,
    /// The office's zone: a local `--as-of` is read in it for what the pass does that belongs
    /// to no campaign (queueing, sending, the outbox's times).
    pub zone: chrono_tz::Tz,
    /// Which robots carry which units' notices.
    pub routes: plan::Routes,
    /// The other systems told of what happens in the record (webhooks).
    pub receivers: Vec<super::webhooks::Receiver>,
}

impl std::fmt::Debug for PassOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassOptions")
            .field("max_attempts", &self.max_attempts)
            .field("domain", &self.domain)
            .field("lease", &self.lease)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

impl PassOptions {
    /// A claim taken now, by the wall clock.
    fn claim(&self) -> Claim {
        let at = self.wall.now().timestamp();
        let lease = i64::try_from(self.lease.as_secs()).unwrap_or(i64::MAX / 2);
        Claim {
            owner: self.owner.clone(),
            at,
            expires_at: at.saturating_add(lease.max(1)),
        }
    }
}

/// A claim owner unique to this process: host name, process id and the instant it asked.
pub fn owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{host}:{}:{nanos:x}", std::process::id())
}

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Notices newly due.
    pub notices: usize,
    /// Mails written to the outbox for them.
    pub queued: usize,
    /// Mails the server accepted.
    pub sent: usize,
    /// Mails that failed and will be tried again.
    pub deferred: usize,
    /// Mails given up on.
    pub failed: usize,
    /// Recipients with no mail address.
    pub missing: Vec<String>,
    /// Mails sent whose claim another pass had taken over meanwhile (it may send them again).
    pub claims_lost: usize,
    /// The server refused the login: the pass stopped and left the mails pending.
    pub login_refused: Option<String>,
    /// The server's certificate is not trusted: the pass stopped and left the mails pending.
    pub untrusted: Option<String>,
    /// Robots and gateways that refused their key or signature (or are not set up): their
    /// messages were left pending, untried.
    pub channels_stopped: Vec<String>,
    /// Messages held back by a rate limit (not tried, due again later).
    pub waiting: usize,
    /// When the last message held back by a rate limit goes (local time in the office's zone).
    pub last_waiting: Option<String>,
    /// When messages held back by a rate limit fall due (unix seconds, of the pass's clock):
    /// a daemon runs a pass at each rather than wait for its schedule.
    pub wakes: std::collections::BTreeSet<i64>,
    /// Whether the pass stopped early for a shutdown.
    pub interrupted: bool,
}

impl PassReport {
    /// Counts a message held back by a rate limit until unix second `at`.
    fn hold_until(&mut self, at: i64, zone: chrono_tz::Tz) {
        self.waiting += 1;
        self.wakes.insert(at);
        let shown = chrono::DateTime::from_timestamp(at, 0)
            .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string());
        if shown > self.last_waiting {
            self.last_waiting = shown;
        }
    }

    /// Mails were due but not one could be sent: the server is down, refuses them all, or
    /// refused the login.
    pub fn nothing_sent(&self) -> bool {
        self.sent == 0
            && (self.deferred + self.failed > 0
                || self.login_refused.is_some()
                || self.untrusted.is_some()
                || !self.channels_stopped.is_empty())
    }
}

/// The summary a log line or `remind` prints: `3 notices due, 2 mails queued; 2 sent, …`.
impl std::fmt::Display for PassReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{} due, {} queued; {} sent, {} to retry, {} failed",
            plural(self.notices, "notice"),
            plural(self.queued, "mail"),
            self.sent,
            self.deferred,
            self.failed
        )?;
        if !self.missing.is_empty() {
            write!(f, "; no address for {}", self.missing.join(", "))?;
        }
        if let Some(refusal) = &self.login_refused {
            write!(f, "; stopped: the server refused the login ({refusal})")?;
        }
        if let Some(why) = &self.untrusted {
            write!(f, "; stopped: {why}")?;
        }
        for why in &self.channels_stopped {
            write!(f, "; stopped: {why}; its messages are left pending")?;
        }
        if self.waiting > 0 {
            write!(
                f,
                "; {} held back by rate limits{}",
                self.waiting,
                self.last_waiting
                    .as_ref()
                    .map(|t| format!(", the last at {t}"))
                    .unwrap_or_default()
            )?;
        }
        if self.claims_lost > 0 {
            write!(f, "; {} sent after their claim expired", self.claims_lost)?;
        }
        if self.interrupted {
            write!(f, "; stopped early for shutdown")?;
        }
        Ok(())
    }
}

/// Why a pass could not run.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A campaign's templates are unusable.
    #[error(transparent)]
    Template(#[from] render::TemplateError),
    /// A letter the ladder issues could not be written as Word.
    #[error("the letter could not be written: {0}")]
    Letter(#[source] std::io::Error),
}

/// What a pass asks of the records: the reminder policies, and the outbox with what the
/// planner reads from it. Whatever holds them will do; the layer above passes all its records.
pub trait PassRecords: Campaigns + Outbox {}

impl<T: Campaigns + Outbox + ?Sized> PassRecords for T {}

/// Plans at `as_of` without rendering or writing anything: (new notices, mails they make,
/// recipients without a mail address). A local `as_of` is read in each campaign's zone.
pub fn plan_only<S: PassRecords + ?Sized>(
    store: &S,
    calendar: &Calendar,
    as_of: Instant,
    routes: &plan::Routes,
) -> Result<(usize, usize, usize), PassError> {
    let input = input_at(store, calendar, as_of)?;
    let (fresh, missing) = fresh_notices(&input, routes, calendar, as_of);
    let mails = render::digests_for(&fresh, &input.candidates, routes.one_per_item).len();
    Ok((fresh.len(), mails, missing.len()))
}

/// Rendered digests, and the recipients without a mail address.
pub type Drafts = (Vec<(Digest, Rendered)>, Vec<String>);

/// The mails a pass would write now, rendered: for `--dry-run` and tests.
pub fn draft<S: PassRecords + ?Sized>(
    store: &S,
    calendar: &Calendar,
    as_of: Instant,
    names: &crate::fsio::Names,
    routes: &plan::Routes,
) -> Result<Drafts, PassError> {
    let input = input_at(store, calendar, as_of)?;
    let (fresh, missing) = fresh_notices(&input, routes, calendar, as_of);
    let secret = store.link_secret()?;
    Ok((
        render_all(&fresh, &input, as_of, names, routes, &secret)?,
        missing,
    ))
}

/// What a pass at `as_of` plans from.
fn input_at<S: PassRecords + ?Sized>(
    store: &S,
    calendar: &Calendar,
    as_of: Instant,
) -> Result<PlanInput, StoreError> {
    // The window reaches a day either side of the UTC date: wide enough for every zone's
    // reading of a local `as_of`.
    let t = as_of.in_zone(chrono_tz::UTC);
    let policies = store.policies()?;
    let window = window::for_pass(&policies, calendar, t, store.last_pass()?);
    // A notice of an obligation due in the window goes out a lead time before it at the
    // earliest: older outbox entries cannot match.
    store.plan_input(window, window.0 - window::longest_lead(&policies), as_of)
}

/// The notices due at `as_of` that are not in the outbox yet, and recipients without an address.
fn fresh_notices(
    input: &PlanInput,
    routes: &plan::Routes,
    calendar: &Calendar,
    as_of: Instant,
) -> (Vec<Notice>, Vec<String>) {
    let (notices, missing) =
        plan::plan(&input.candidates, &input.directory, routes, calendar, as_of);
    let fresh = notices
        .into_iter()
        .filter(|n| {
            let c = &input.candidates[n.candidate];
            let written = input.sent.of(c.obligation_id);
            if written.is_empty() {
                return true;
            }
            let (stage, due) = (n.stage.label(), c.due_date.to_string());
            !written
                .iter()
                .any(|(s, d, a)| *s == stage && *d == due && *a == n.to.address)
        })
        .collect();
    (fresh, missing)
}

/// Groups notices into digests and renders each with its campaign's templates (a folder the
/// records name as `names` say).
fn render_all(
    notices: &[Notice],
    input: &PlanInput,
    as_of: Instant,
    names: &crate::fsio::Names,
    routes: &plan::Routes,
    secret: &str,
) -> Result<Vec<(Digest, Rendered)>, PassError> {
    let digests = render::digests_for(notices, &input.candidates, routes.one_per_item);
    // The link that acknowledges an item, where its report asks for 签收 and the pages'
    // address is known (`base_url`).
    let ack = |c: &Candidate| {
        let portal = routes.portal.as_deref().filter(|_| c.acknowledge)?;
        Some(super::links::ack_link(
            portal,
            secret,
            &c.campaign,
            &c.deliverable,
            &c.unit,
            c.period.as_deref().unwrap_or(""),
        ))
    };
    let mut templates: HashMap<i64, Templates> = HashMap::new();
    let contact = |campaign: i64, unit: &str| input.directory.contact_line(campaign, unit);
    let mut out = Vec::new();
    for digest in digests {
        let info = input
            .campaigns
            .get(&digest.campaign_id)
            .map(CampaignInfo::from)
            .unwrap_or_default();
        let campaign_templates = match templates.entry(digest.campaign_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(match &info.templates {
                Some(folder) => Templates::with_folder(&names.path(folder))?,
                None => Templates::builtin(),
            }),
        };
        let zone = input.candidates[notices[digest.notices[0]].candidate].zone;
        let t = as_of.in_zone(zone);
        let rendered = campaign_templates.render(
            &digest,
            notices,
            &input.candidates,
            &info,
            &render::LookUps {
                contact_of: &contact,
                ack: &ack,
            },
            t,
        )?;
        out.push((digest, rendered));
    }
    Ok(out)
}

/// What a pass attaches to a mail about an obligation (the office's bulletin, made by the
/// layer above), if anything; it reads the records it needs from the store it is given, the
/// pass's own (`S`: whatever records the layer above runs the pass on).
pub type Attach<'a, S> = &'a dyn Fn(&S, &Candidate) -> Option<Attachment>;

/// The documents a pass's mails carry, made by the layer above: what it attaches to a unit's
/// mail about an obligation (the office's bulletin), and the letters the ladder issues.
pub struct Documents<'a, S: ?Sized> {
    /// See [`Attach`].
    pub attach: Attach<'a, S>,
    /// See [`super::letters::Issue`].
    pub issue: super::letters::Issue<'a, S>,
}

/// Plans, queues and sends at `as_of` (a local time is read in each campaign's zone), each
/// mail to an owing unit with what `attach` gives for the first of its obligations it gives
/// something for.
/// Stops between mails when `stop` is set.
pub fn run<S: PassRecords + ?Sized>(
    store: &mut S,
    calendar: &Calendar,
    mailer: &dyn Mailer,
    as_of: Instant,
    options: &PassOptions,
    stop: &AtomicBool,
    documents: &Documents<'_, S>,
) -> Result<PassReport, PassError> {
    let Documents { attach, issue } = *documents;
    let now = as_of.in_zone(options.zone).timestamp();
    let input = input_at(store, calendar, as_of)?;
    let (fresh, missing) = fresh_notices(&input, &options.routes, calendar, as_of);
    let secret = store.link_secret()?;
    let rendered = render_all(
        &fresh,
        &input,
        as_of,
        &options.names,
        &options.routes,
        &secret,
    )?;
    let mut mails = Vec::with_capacity(rendered.len());
    for (digest, rendered) in rendered {
        let mut mail = render::outbox_mail(
            &digest,
            rendered,
            &fresh,
            &input.candidates,
            now,
            &options.domain,
        );
        // Only the owing unit's own mail: supervisors are told who is late, not sent drafts.
        if digest.audience == plan::Audience::Unit {
            mail.attachment = digest
                .notices
                .iter()
                .find_map(|&i| attach(&*store, &input.candidates[fresh[i].candidate]));
        }
        // A rung that issues a letter (督办函): numbered before the mail is queued, the same
        // letter for every mail of the escalation and every pass that makes it again.
        if let Some(asked) = super::letters::request(&digest, &fresh, &input.candidates, as_of) {
            let (file, number) = issue(store, &asked.letter())?;
            super::letters::carry(&mut mail, file, &number);
        }
        super::fit::for_channel(
            &mut mail,
            &digest,
            &fresh,
            &input.candidates,
            options.routes.portal.as_deref(),
        );
        mails.push(mail);
    }
    spread(&mut mails, now);
    let (deliveries, acts_seen) =
        super::webhooks::for_pass(store, &input, as_of, now, &options.receivers)?;
    mails.extend(deliveries);
    let (notices, queued) = store.queue(&mails, now)?;
    if let Some(seen) = acts_seen {
        store.mark_acts_seen(seen)?;
    }
    for who in &missing {
        warn!(recipient = %who, "no address on this channel: notice not sent");
    }
    let mut report = PassReport {
        notices,
        queued,
        missing,
        ..PassReport::default()
    };
    for at in mails.iter().filter_map(|m| m.not_before) {
        report.hold_until(at, options.zone);
    }
    send_due(store, mailer, now, options, stop, &mut report)?;
    Ok(report)
}

/// Sends every mail the outbox has due at `as_of` (a mail queued by a chase, or left by an
/// earlier pass), planning nothing.
pub fn send_queued<S: PassRecords + ?Sized>(
    store: &mut S,
    mailer: &dyn Mailer,
    as_of: Instant,
    options: &PassOptions,
    stop: &AtomicBool,
) -> Result<PassReport, PassError> {
    let mut report = PassReport::default();
    let now = as_of.in_zone(options.zone).timestamp();
    send_due(store, mailer, now, options, stop, &mut report)?;
    Ok(report)
}

/// Spreads each robot's messages over the minutes its rate limit allows, from `now`: the
/// twenty-first message to a 企业微信 robot goes a minute after the first.
fn spread(mails: &mut [crate::store::OutboxMail], now: i64) {
    let mut counts: HashMap<String, i64> = HashMap::new();
    for mail in mails {
        let channel = Channel::of(&mail.recipient).0;
        if !channel.robot() {
            continue;
        }
        let per_minute = if channel == Channel::Feishu { 100 } else { 20 };
        let n = counts.entry(mail.recipient.clone()).or_default();
        if *n >= per_minute {
            mail.not_before = Some(now + 60 * (*n / per_minute));
        }
        *n += 1;
    }
}

/// Claims the mails due at `now`, a few at a time, and sends each.
fn send_due<S: PassRecords + ?Sized>(
    store: &mut S,
    mailer: &dyn Mailer,
    now: i64,
    options: &PassOptions,
    stop: &AtomicBool,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let mut claim = options.claim();
    let mut batch = std::collections::VecDeque::new();
    // What refused its credentials this pass (the mail server, a robot, the gateway): its
    // messages are given back with why, and not claimed again by this pass.
    let mut stopped: HashMap<String, String> = HashMap::new();
    let mut skip = Skip::default();
    loop {
        if stop.load(Ordering::SeqCst) {
            report.interrupted = true;
            break;
        }
        if batch.is_empty() {
            claim = options.claim();
            batch.extend(store.claim_mails(now, &claim, CLAIMED_AT_ONCE, &skip)?);
        }
        // A mail is sent only while its claim outlasts a send: the rest of a batch whose
        // claim runs short (a slow server) goes back, to be claimed again.
        // (A lease shorter than a send, as configured, is used as it is.)
        let send_ends = options.wall.now().timestamp() + timeout_seconds(options);
        if options.lease > options.send_timeout && send_ends >= claim.expires_at {
            give_back(store, &mut batch, &claim)?;
            continue;
        }
        let Some(mail) = batch.pop_front() else {
            break;
        };
        let scope = credential_scope(&mail.recipient);
        if let Some(why) = stopped.get(&scope) {
            store.release_mail(mail.id, &claim, Some(why), None)?;
            continue;
        }
        match send_one(store, mailer, &mail, &claim, now, options, report)? {
            Sent::Done => {}
            Sent::StopScope(why) => {
                store.release_mail(mail.id, &claim, Some(&why), None)?;
                leave_alone(&mut skip, &mail.recipient);
                stopped.insert(scope, why);
            }
        }
    }
    give_back(store, &mut batch, &claim)?;
    Ok(())
}

/// What shares a credential with the message to `recipient`, and so fails with it: a robot
/// (each has its own key), or the whole SMS gateway, or mail.
fn credential_scope(recipient: &str) -> String {
    let channel = Channel::of(recipient).0;
    if channel.robot() || super::webhooks::receiver_of(recipient).is_some() {
        recipient.to_string()
    } else {
        channel.word().to_string()
    }
}

/// Leaves the messages that share `recipient`'s credential out of this pass's claims.
fn leave_alone(skip: &mut Skip, recipient: &str) {
    if super::webhooks::receiver_of(recipient).is_some() {
        skip.recipients.push(recipient.to_string());
        return;
    }
    match Channel::of(recipient).0 {
        Channel::Mail => skip.mail = true,
        robot if robot.robot() => skip.recipients.push(recipient.to_string()),
        other => skip.prefixes.push(other.address("")),
    }
}

/// How a send went for the pass.
enum Sent {
    /// Recorded (sent, failed or held back): go on.
    Done,
    /// The mail server, a robot or the gateway refused its credentials, is not trusted or is
    /// not set up: its other messages wait, with why; the others go on.
    StopScope(String),
}

/// How many mails a pass claims in one transaction: fewer writes than a claim before each
/// mail, and few enough that a pass that dies holds back little for the claim's length.
const CLAIMED_AT_ONCE: usize = 32;

fn timeout_seconds(options: &PassOptions) -> i64 {
    i64::try_from(options.send_timeout.as_secs()).unwrap_or(i64::MAX / 2)
}

/// Gives the claimed mails not sent back, untried.
fn give_back<S: PassRecords + ?Sized>(
    store: &mut S,
    batch: &mut std::collections::VecDeque<PendingMail>,
    claim: &Claim,
) -> Result<(), PassError> {
    for mail in batch.drain(..) {
        store.release_mail(mail.id, claim, None, None)?;
    }
    Ok(())
}

/// Sends one claimed mail and records what became of it, saying whether the pass (or the
/// mail's robot or gateway) must stop: its credentials were refused, so every other message
/// by them would fail the same way. A message that is not sent is not recorded here.
fn send_one<S: PassRecords + ?Sized>(
    store: &mut S,
    mailer: &dyn Mailer,
    mail: &PendingMail,
    claim: &Claim,
    now: i64,
    options: &PassOptions,
    report: &mut PassReport,
) -> Result<Sent, PassError> {
    let outgoing = Outgoing {
        to: &mail.recipient,
        subject: &mail.subject,
        body: &mail.body,
        message_id: &mail.message_id,
        attachment: mail.attachment.as_ref(),
    };
    let recorded = match mailer.send(&outgoing) {
        Ok(reply) => {
            info!(mail = mail.id, to = %mail.recipient, subject = %mail.subject, reply = %reply, "sent");
            report.sent += 1;
            store.mark_sent(mail.id, claim, &reply, now)
        }
        // Refusals of the credentials (or of the other side's certificate) stop what shares
        // them — the mail server, one robot, the gateway — for the rest of the pass, and its
        // messages stay pending, untried; the other channels go on.
        Err(SendError::Unconfigured(message)) => {
            error!(mail = mail.id, error = %message, "not set up: messages by it are left pending");
            report.channels_stopped.push(message.clone());
            return Ok(Sent::StopScope(message));
        }
        Err(SendError::Login(message) | SendError::Untrusted(message))
            if Channel::of(&mail.recipient).0 != Channel::Mail
                || super::webhooks::receiver_of(&mail.recipient).is_some() =>
        {
            error!(mail = mail.id, error = %message, "refused: messages by it are left pending");
            report.channels_stopped.push(message.clone());
            return Ok(Sent::StopScope(message));
        }
        Err(SendError::Login(message)) => {
            error!(mail = mail.id, error = %message, "the mail server refused the login: mails left pending");
            report.login_refused = Some(message.clone());
            return Ok(Sent::StopScope(message));
        }
        Err(SendError::Untrusted(message)) => {
            error!(mail = mail.id, error = %message, "the mail server's certificate is not trusted: mails left pending");
            report.untrusted = Some(message.clone());
            return Ok(Sent::StopScope(message));
        }
        Err(SendError::Throttled(message, wait)) => {
            let wait = i64::try_from(wait.as_secs()).unwrap_or(86_400).max(1);
            info!(mail = mail.id, to = %mail.recipient, wait, reason = %message, "held back by a rate limit");
            report.hold_until(now + wait, options.zone);
            store.release_mail(mail.id, claim, Some(&message), Some(now + wait))
        }
        Err(error) => {
            let attempts = mail.attempts + 1;
            let give_up = matches!(error, SendError::Permanent(_))
                || attempts >= i64::from(options.max_attempts);
            let retry_at = (!give_up).then(|| now + backoff(mail.id, attempts));
            if give_up {
                warn!(mail = mail.id, to = %mail.recipient, attempts, error = %error, "failed: giving up");
                report.failed += 1;
            } else {
                warn!(mail = mail.id, to = %mail.recipient, attempts, error = %error, "failed: will retry");
                report.deferred += 1;
            }
            store.mark_failed(mail.id, claim, &error.to_string(), retry_at)
        }
    };
    match recorded {
        Ok(()) => Ok(Sent::Done),
        Err(StoreError::ClaimLost { mail: id }) => {
            warn!(
                mail = id,
                "the claim on this mail expired during its send and another pass took it over: it may be sent twice (raise [mail] claim_seconds)"
            );
            report.claims_lost += 1;
            Ok(Sent::Done)
        }
        Err(e) => Err(e.into()),
    }
}

/// Seconds before try `attempts + 1`: one minute doubling to at most an hour, plus up to a
/// quarter more so that many failed mails do not all come back at once.
pub fn backoff(mail: i64, attempts: i64) -> i64 {
    let base = (60i64 << (attempts - 1).clamp(0, 6)).min(3600);
    // Deterministic jitter: the same mail and attempt always wait the same.
    let spread = (mail
        .wrapping_mul(2_654_435_761)
        .wrapping_add(attempts * 40_503))
    .rem_euclid(1000);
    base + base * spread / 4000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_spreads() {
        let waits: Vec<i64> = (1..=10).map(|a| backoff(7, a)).collect();
        assert!((60..=75).contains(&waits[0]), "{waits:?}");
        assert!(waits.windows(2).all(|w| w[1] >= w[0] - 900), "{waits:?}");
        assert!(waits.iter().all(|w| *w <= 4500), "capped: {waits:?}");
        assert_ne!(backoff(1, 3), backoff(2, 3), "jitter spreads mails apart");
    }
}
