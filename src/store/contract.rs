//! The storage contract: what duban asks of a store, at the level of its use — campaigns, the
//! ledger, queries, the outbox — not of SQL. Each engine implements every trait itself, beside
//! its own code: SQLite ([`Store`](super::Store), `sqlite/`) and PostgreSQL
//! ([`PgStore`](super::PgStore), `postgres/`); both must pass the same contract suite
//! (`tests/contract.rs`, one macro call per engine).

use chrono_tz::Tz;

use super::organisation::{OrgImportError, OrgReport, OrgRow, OrgUnit};
use super::{
    ApiToken, Assessed, BadRow, CampaignHeader, Candidate, Change, Claim, Described, Directory,
    DirectoryCampaigns, DueRow, FailedSignIns, Filter, HistoryEvent, ImportBatch, ImportError,
    ImportReport, ImportRow, Interview, Key, LedgerRow, Meta, NewInterview, NewRow, NewToken,
    NewUser, OutboxMail, OutboxRow, OverdueRow, Overlay, PendingMail, PlanInput, Recorded,
    RecordedEvent, Reported, Skip, Source, Standing, StandingDuty, StatusRow, StoreError, Sum,
    SyncReport, TargetValue, Throttle, Told, Turn, UnitReach, User, Window, WorkItem,
};
use crate::clock::Instant;
use crate::language::campaign::{Contact, Policy};
use crate::ledger::{Action, Status};
use crate::schedule::Schedule;
use crate::values::FieldValue;

/// Campaigns as compiled schedules, kept in line with their files.
pub trait Campaigns {
    /// What was recorded of the campaign last synced from `path`.
    fn recorded_source(&self, path: &str) -> Result<Option<Recorded>, StoreError>;
    /// Records that the campaign from `path` is unchanged though its files were touched.
    fn record_stat(&mut self, path: &str, stat: &str) -> Result<(), StoreError>;
    /// Brings the records in line with `schedule`, all or nothing.
    fn sync(
        &mut self,
        schedule: &Schedule<'_>,
        source: &Source,
        now: i64,
    ) -> Result<SyncReport, StoreError>;
    /// Every reminder policy.
    fn policies(&self) -> Result<Vec<Policy>, StoreError>;
    /// Each deliverable of `campaign` with the reminder policy that applies to it (its own,
    /// else the campaign's).
    fn deliverable_policies(&self, campaign: &str) -> Result<Vec<(String, Policy)>, StoreError>;
    /// The time of day of every reminder policy, each in its campaign's zone.
    fn policy_times(&self) -> Result<Vec<(Tz, u32, u32)>, StoreError>;
    /// A campaign's zone; an unknown campaign is refused.
    fn campaign_zone(&self, key: &str) -> Result<Tz, StoreError>;
    /// The campaigns' own mail templates folders.
    fn templates_folders(&self) -> Result<Vec<String>, StoreError>;
}

/// The append-only history of each obligation, and the transitions that extend it.
pub trait Ledger {
    /// Applies `action` to the obligation `key` names, in one transaction.
    fn apply(&mut self, key: &Key<'_>, action: Action, meta: Meta) -> Result<Change, StoreError> {
        let mut changes = self.apply_all(&[(*key, action)], meta)?;
        Ok(changes.remove(0))
    }
    /// Applies each action to the obligation its key names, in one transaction: all are
    /// recorded or, at the first refusal or failure, none.
    fn apply_all(
        &mut self,
        actions: &[(Key<'_>, Action)],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError>;
    /// The status of one obligation at `as_of`, and every event of it in order.
    fn history(
        &self,
        key: &Key<'_>,
        as_of: Instant,
    ) -> Result<(Status, Vec<HistoryEvent>), StoreError>;
    /// Submissions from a file: all rows or none, the same rows twice recorded once. The rows
    /// are taken as they come (a backend may gather them first).
    fn import(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<ImportRow, BadRow>>,
        batch: &ImportBatch<'_>,
    ) -> Result<ImportReport, ImportError>;
}

/// What the office asks of the records.
pub trait Queries {
    /// Everything overdue at `as_of`, by unit then deadline.
    fn overdue(&self, filter: &Filter, as_of: Instant) -> Result<Vec<OverdueRow>, StoreError> {
        let mut out = Vec::new();
        self.overdue_each(filter, as_of, false, &mut |row| {
            out.push(row);
            Ok(())
        })?;
        Ok(out)
    }
    /// Hands everything overdue at `as_of` to `visit` one row at a time, by unit then deadline
    /// (or with `by_deliverable` by deliverable, period, unit).
    fn overdue_each(
        &self,
        filter: &Filter,
        as_of: Instant,
        by_deliverable: bool,
        visit: &mut dyn FnMut(OverdueRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// What falls due after `as_of` and within `window`, by deadline.
    fn due_within(
        &self,
        filter: &Filter,
        as_of: Instant,
        window: Window,
    ) -> Result<Vec<DueRow>, StoreError>;
    /// Per unit and deliverable: counts and a light.
    fn status(&self, filter: &Filter, as_of: Instant) -> Result<Vec<StatusRow>, StoreError>;
    /// The obligations of campaign `campaign_id` something was done to after `as_of`, by row
    /// id, as they stood at `as_of`: what a listing read from the latest records puts in their
    /// place (empty, from one index probe, when nothing was done since).
    fn acted_after(&self, campaign_id: i64, as_of: Instant) -> Result<Overlay, StoreError>;
    /// The duties without a date.
    fn standing_duties(&self, filter: &Filter) -> Result<Vec<StandingDuty>, StoreError>;
    /// Every obligation of the unit named `unit`, in any campaign, by campaign and deadline.
    fn unit_work(&self, unit: &str) -> Result<Vec<WorkItem>, StoreError>;
    /// At most `limit` obligations of campaign `campaign_id` whose row comes after `after`, in
    /// row order: a page of a listing, read by key (the last row's id is where the next starts).
    fn campaign_work(
        &self,
        campaign_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Vec<WorkItem>, StoreError>;
    /// The units directly under the unit named `unit`, in any campaign, in declaration order.
    fn sub_units(&self, unit: &str) -> Result<Vec<(String, String)>, StoreError>;
    /// What awaits the reviewing unit `reviewer`'s decision, newest first: submissions under
    /// review by it, and those it received since `since` (unix seconds), which it may return.
    fn review_queue(&self, reviewer: &str, since: i64) -> Result<Vec<WorkItem>, StoreError>;
}

/// What submissions say: forms, values, their sums, targets.
pub trait Contents {
    /// A deliverable's form, thresholds, groups and ledger rules; an unknown campaign or
    /// deliverable is refused with the nearest name.
    fn describe(&self, campaign: &str, deliverable: &str) -> Result<Described, StoreError>;
    /// The periods deliverable `id` is owed for, by deadline (`""` for a one-off).
    fn periods(&self, id: i64) -> Result<Vec<String>, StoreError>;
    /// The groups of a campaign (by its id), with their members.
    fn groups(&self, campaign_id: i64) -> Result<Vec<(String, Vec<String>)>, StoreError>;
    /// Who owes deliverable `id` for `period`, and where each stands.
    fn standings(&self, id: i64, period: &str) -> Result<Vec<Standing>, StoreError>;
    /// The sums of deliverable `id`'s values for `period` that count (received), by the unit
    /// `up` levels above each unit that reported (0: by unit, 1: by parent, …); with `then`
    /// (unix seconds), as they stood at that instant.
    fn sums(
        &self,
        id: i64,
        period: &str,
        up: usize,
        then: Option<i64>,
    ) -> Result<Vec<Sum>, StoreError>;
    /// Every target's obligations with their values, of `campaign` (or of all, with `""`).
    /// With `then` (unix seconds), of `campaign` (one) as they stood at that instant.
    fn target_values(
        &self,
        campaign: &str,
        then: Option<i64>,
    ) -> Result<Vec<TargetValue>, StoreError>;
    /// The value `unit` last reported under the shared `key` for `period` (in any campaign),
    /// as `field` of another form reuses it.
    fn shared_value(
        &self,
        field: &str,
        key: &str,
        unit: &str,
        period: &str,
    ) -> Result<Option<FieldValue>, StoreError>;
    /// The units of a campaign (by its id) with their parents, in declaration order.
    fn unit_tree(&self, campaign_id: i64) -> Result<Vec<(String, Option<String>)>, StoreError>;
    /// The units of a campaign (by its id) with the unit's own mailbox and phone (not its
    /// people's), in declaration order.
    fn unit_reach(&self, campaign_id: i64) -> Result<Vec<UnitReach>, StoreError>;
    /// Enters rows in the ledger `key` names (its unit and period unused): each an obligation
    /// of its own, `#1`, `#2` … in the ledger, with an `entered` event; all or none.
    fn add_rows(
        &mut self,
        key: &Key<'_>,
        rows: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError>;
    /// Passes one period of a report down (`分解 到 下级`, each unit at its own date): each of
    /// `parts` (a sub-unit and its deadline) comes to owe the part `key.deliverable`
    /// (`统计表（下级）`) for `key.period`, to `key.unit`, with a `passed_down` event; all or
    /// none. Refused where any of them owes it already.
    fn pass_down(
        &mut self,
        key: &Key<'_>,
        parts: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError>;
    /// A ledger's rows (by its id) with their current values, in order.
    fn ledger_rows(&self, deliverable_id: i64) -> Result<Vec<LedgerRow>, StoreError>;
}

/// The people who sign in to the web pages, and their sessions.
pub trait Accounts {
    /// Creates an account; a name taken is refused.
    fn add_user(&mut self, new: &NewUser<'_>) -> Result<(), StoreError>;
    /// The account named `name`.
    fn user(&self, name: &str) -> Result<Option<User>, StoreError>;
    /// Every account, in the order they were made.
    fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Counts a try of address `client` at signing in to `account` at `now` (before its
    /// password is checked), unless the pair waits by `throttle`; pairs quiet for long are
    /// forgotten. Atomic: tries at once are counted one after the other.
    fn count_attempt(
        &mut self,
        client: &str,
        account: &str,
        now: i64,
        throttle: &Throttle,
    ) -> Result<Turn, StoreError>;
    /// A wrong password for `account` from `client` at `at`, for its owner to be told.
    fn wrong_password(&mut self, account: &str, client: &str, at: i64) -> Result<(), StoreError>;
    /// The right password for `account` from `client`: the pair's failures are forgotten, and
    /// the wrong passwords tried on the account since its owner was last told are taken.
    fn signed_in(
        &mut self,
        client: &str,
        account: &str,
    ) -> Result<Option<FailedSignIns>, StoreError>;
    /// Every unit's contact people: (campaign, unit, contacts), in declaration order.
    fn unit_contacts(&self) -> Result<Vec<(String, String, Vec<Contact>)>, StoreError>;
    /// Each campaign with a unit named `unit`, with that unit's code in the office's
    /// directory where the campaign is bound to it: (campaign, code).
    fn unit_codes(&self, unit: &str) -> Result<Vec<(String, Option<String>)>, StoreError>;
    /// The directory unit `code`'s name now and its campaigns: each with a unit of that code,
    /// and each bound to it or a unit under it (run or supervised from there).
    fn directory_campaigns(&self, code: &str) -> Result<DirectoryCampaigns, StoreError>;
    /// Sets the password (its hash) of the account whose one-time link is `token` (its
    /// SHA-256), if still valid at `now`: the account's name, or none.
    fn set_password(
        &mut self,
        token: &str,
        password: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError>;
    /// Opens a session for `name` under `token` (its SHA-256) with its CSRF secret, and keeps
    /// `now` as the account's last sign-in.
    fn open_session(
        &mut self,
        token: &str,
        name: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// The account and CSRF secret of the session `token`, if open at `now` and its account
    /// is not disabled.
    fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, StoreError>;
    /// Disables the account `name` at `at` (its sessions end), or with none enables it:
    /// whether there is such an account.
    fn set_disabled(&mut self, name: &str, at: Option<i64>) -> Result<bool, StoreError>;
    /// Takes the password of the account `name` away and gives it the one-time link `token`
    /// (its SHA-256) until `expires_at`; its sessions end. Whether there is such an account.
    fn reset_user(&mut self, name: &str, token: &str, expires_at: i64) -> Result<bool, StoreError>;
    /// Ends the session `token`.
    fn close_session(&mut self, token: &str) -> Result<(), StoreError>;
    /// Every unit's name, in any campaign.
    fn unit_names(&self) -> Result<Vec<String>, StoreError>;
    /// Keeps an API token (its SHA-256, never the secret); a name taken is refused.
    fn add_token(&mut self, new: &NewToken<'_>) -> Result<(), StoreError>;
    /// The API token whose SHA-256 is `token`, revoked, expired or not.
    fn token(&self, token: &str) -> Result<Option<ApiToken>, StoreError>;
    /// Every API token, in the order they were made.
    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError>;
    /// Revokes token `id` at `at`: whether it was now (not before).
    fn revoke_token(&mut self, id: i64, at: i64) -> Result<bool, StoreError>;
    /// Token `id` was used at `at`: kept to the minute (at most one write a minute).
    fn token_used(&mut self, id: i64, at: i64) -> Result<(), StoreError>;
}

/// What bulletins and assessments read, and the interviews (约谈) they show.
pub trait Assessment {
    /// A campaign's heading and rules; an unknown campaign is refused with the nearest name.
    fn campaign_header(&self, key: &str) -> Result<CampaignHeader, StoreError>;
    /// The obligations of a campaign (by its id) due in `from ..= to` (dates), by unit, as
    /// they stood at `at` (unix seconds): what was done after it had not happened.
    fn assessed(
        &self,
        campaign_id: i64,
        from: &str,
        to: &str,
        at: i64,
    ) -> Result<Vec<Assessed>, StoreError>;
    /// Records an interview held; an unknown unit is refused with the nearest name.
    fn record_interview(&mut self, interview: &NewInterview<'_>) -> Result<(), StoreError>;
    /// The interviews of a campaign (by its id), in order.
    fn interviews(&self, campaign_id: i64) -> Result<Vec<Interview>, StoreError>;
    /// The submissions and accepted reviews of a campaign (by its id) done in `from ..= to`
    /// (unix seconds), in the order they were done: what a bulletin says was recorded
    /// afterwards (补录) and which reviews were late.
    fn reported(&self, campaign_id: i64, from: i64, to: i64) -> Result<Vec<Reported>, StoreError>;
    /// The obligations of a campaign's reports that ask for 签收 whose units were told of them
    /// by `at` (unix seconds): when first told, when acknowledged, when closed.
    fn told(&self, campaign_id: i64, at: i64) -> Result<Vec<Told>, StoreError>;
}

/// The submitted files, content-addressed: a folder beside an SQLite file, rows of a
/// PostgreSQL database (so that any node can serve them).
pub trait Files {
    /// The content of a submitted file, by its SHA-256; `None` if no submission kept it.
    fn file_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Where a submitted file's content is read from a piece at a time, so that serving it
    /// never holds it whole; `None` if no submission kept it.
    fn file_source(&self, sha256: &str) -> Result<Option<FileSource>, StoreError>;
    /// At most `len` bytes of a submitted file from `offset` (fewer at its end, none past it).
    fn file_piece(&self, sha256: &str, offset: u64, len: usize) -> Result<Vec<u8>, StoreError>;
}

/// Where a submitted file's content is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileSource {
    /// A file on disk, read directly (SQLite keeps files content-addressed in its data folder).
    Disk {
        /// The file.
        path: std::path::PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// In the records, read with [`Files::file_piece`] (PostgreSQL's `blobs`).
    Records {
        /// Its size in bytes.
        size: u64,
    },
}

impl FileSource {
    /// The content's size in bytes.
    pub fn size(&self) -> u64 {
        match self {
            FileSource::Disk { size, .. } | FileSource::Records { size } => *size,
        }
    }
}

/// Where the records are, and whether they may be written.
pub trait Location {
    /// The database, as people may be shown it (a file, or a server without its password).
    fn location(&self) -> String;
    /// Whether changes are refused (a database file without write permission).
    fn is_read_only(&self) -> bool;
}

/// The outbox: every notice once, with the mail that carries it, claimed before it is sent.
pub trait Outbox {
    /// The records' secret that signs the links in messages that act without signing in (签收
    /// by a notice's link), made with the records.
    fn link_secret(&self) -> Result<String, StoreError>;
    /// What a pass at `as_of` plans from: obligations owed then with a deadline in `window`
    /// (as they stood then, if something was done to them later), and the notices written
    /// that go out at `written_since` or later.
    fn plan_input(
        &self,
        window: (i64, i64),
        written_since: i64,
        as_of: Instant,
    ) -> Result<PlanInput, StoreError>;
    /// For a preview: every obligation with a deadline in `window`, owed now (`current`) or
    /// not, of the given campaigns (or all); an unknown campaign is refused.
    fn preview_input(
        &self,
        campaigns: &[String],
        window: (i64, i64),
        current: bool,
    ) -> Result<(Vec<Candidate>, Directory), StoreError>;
    /// The instant of the last pass that wrote to the outbox.
    fn last_pass(&self) -> Result<Option<i64>, StoreError>;
    /// Writes the notices that are new, each mail with them: (new notices, new mails).
    fn queue(&mut self, mails: &[OutboxMail], now: i64) -> Result<(usize, usize), StoreError>;
    /// Applies `actions` and writes `mails` with their notices in one transaction: acts that
    /// tell someone (a chase) are recorded with their mails, or neither. Unlike a pass's
    /// [`queue`](Self::queue), it does not count as a pass: the planner's next window still
    /// reaches back to the last real one.
    fn apply_and_queue(
        &mut self,
        actions: &[(Key<'_>, Action)],
        meta: Meta,
        mails: &[OutboxMail],
        now: i64,
    ) -> Result<Vec<Change>, StoreError>;
    /// Claims the oldest mail due at `now` that no live claim holds.
    fn claim_mail(&mut self, now: i64, claim: &Claim) -> Result<Option<PendingMail>, StoreError> {
        Ok(self.claim_mails(now, claim, 1, &Skip::default())?.pop())
    }
    /// Claims the oldest `limit` mails due at `now` that no live claim holds and `skip` does
    /// not leave alone, in one transaction, oldest first: a pass claims a few at a time rather
    /// than writing a claim before each mail.
    fn claim_mails(
        &mut self,
        now: i64,
        claim: &Claim,
        limit: usize,
        skip: &Skip,
    ) -> Result<Vec<PendingMail>, StoreError>;
    /// The server accepted mail `id`, sent under `claim`.
    fn mark_sent(
        &mut self,
        id: i64,
        claim: &Claim,
        reply: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Mail `id` could not be sent: retry at `retry_at`, or give up (`None`).
    fn mark_failed(
        &mut self,
        id: i64,
        claim: &Claim,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Gives mail `id` back untried (a pass stopping before sending it): due again at once, or
    /// at `due_at` (a channel that asked to be left alone until then).
    fn release_mail(
        &mut self,
        id: i64,
        claim: &Claim,
        error: Option<&str>,
        due_at: Option<i64>,
    ) -> Result<(), StoreError>;
    /// The mails not sent yet or failed (`all`: every one).
    fn outbox(&self, all: bool) -> Result<Vec<OutboxRow>, StoreError>;
    /// Puts failed mails (the given ones, or all) back in the queue.
    fn retry(&mut self, ids: &[i64]) -> Result<usize, StoreError>;
    /// The acts other systems are told of (webhooks) recorded after `from` (unix seconds)
    /// whose deliveries are not written yet, in the order they were written.
    fn recorded_events(&self, from: i64) -> Result<Vec<RecordedEvent>, StoreError>;
    /// The latest instant an act was recorded at that a pass has read for webhooks, if any.
    fn acts_seen(&self) -> Result<Option<i64>, StoreError>;
    /// Notes that a pass has read the acts recorded until `at` and written their deliveries
    /// (after the pass's first write to the outbox; an earlier instant leaves it).
    fn mark_acts_seen(&mut self, at: i64) -> Result<(), StoreError>;
}

/// The organisation's directory: units that outlive campaigns, kept by the office.
pub trait Organisation {
    /// Every unit of the directory, retired ones too, in the order they were added.
    fn org_units(&self) -> Result<Vec<OrgUnit>, StoreError>;
    /// Takes the office's rows into the directory in one transaction: every row, or none
    /// when any cannot be taken (each such row told).
    fn org_import(&mut self, rows: &[OrgRow], at: i64) -> Result<OrgReport, OrgImportError>;
    /// Retires the unit `code` at `at` (a unit is never deleted); the unit as it was, or
    /// `None` if no unit has that code.
    fn org_retire(&mut self, code: &str, at: i64) -> Result<Option<OrgUnit>, StoreError>;
}

/// Everything a backend provides.
pub trait Backend:
    Campaigns
    + Ledger
    + Queries
    + Outbox
    + Files
    + Location
    + Contents
    + Assessment
    + Accounts
    + Organisation
    + super::Letters
{
}

impl<T> Backend for T where
    T: Campaigns
        + Ledger
        + Queries
        + Outbox
        + Files
        + Location
        + Contents
        + Assessment
        + Accounts
        + Organisation
        + super::Letters
{
}
