//! The database schema and its upgrades. Each version is one step of SQL applied in one
//! transaction; `PRAGMA user_version` says which steps a database has had. A database written by
//! a newer duban (a higher version than [`LATEST`]) is refused, never touched.

use rusqlite::Connection;

use super::StoreError;

/// Marks a SQLite file as duban's (`PRAGMA application_id`, "dubn").
pub const APPLICATION_ID: i64 = 0x6475_626e;

/// The schema steps, in order; step `i` brings a database from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // Version 1: campaigns, units, deliverables, obligations, their append-only history.
    r#"
CREATE TABLE campaigns (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    title         TEXT,
    zone          TEXT NOT NULL,
    source        TEXT NOT NULL,
    contacts_source TEXT,
    fingerprint   TEXT NOT NULL,
    horizon_year  INTEGER NOT NULL DEFAULT 0,
    office        TEXT,
    policy        TEXT NOT NULL DEFAULT '{}',
    synced_at     INTEGER NOT NULL
);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    name          TEXT NOT NULL,
    parent        TEXT,
    reviewer      TEXT,
    email         TEXT,
    phone         TEXT,
    contacts      TEXT NOT NULL DEFAULT '[]',
    UNIQUE (campaign_id, name)
);

CREATE TABLE deliverables (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    recurring     INTEGER NOT NULL,
    review        TEXT,
    recipients    TEXT NOT NULL DEFAULT '[]',
    signers       TEXT NOT NULL DEFAULT '[]',
    forms         TEXT NOT NULL DEFAULT '[]',
    soon_days     INTEGER NOT NULL DEFAULT 3,
    policy        TEXT,
    UNIQUE (campaign_id, name)
);

CREATE TABLE obligations (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
    deliverable_id   INTEGER NOT NULL REFERENCES deliverables(id),
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    period           TEXT NOT NULL,
    due_date         TEXT NOT NULL,
    due_at           INTEGER NOT NULL,
    extended_until   TEXT,
    effective_due_at INTEGER NOT NULL,
    state            TEXT NOT NULL DEFAULT 'open'
                     CHECK (state IN ('open', 'review', 'received', 'returned', 'waived')),
    submitted_at     INTEGER,
    closed_at        INTEGER,
    active           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (deliverable_id, unit_id, period)
);
CREATE INDEX obligations_owed ON obligations (effective_due_at) WHERE closed_at IS NULL AND active = 1;
CREATE INDEX obligations_closed ON obligations (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX obligations_campaign ON obligations (campaign_id, unit_id);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    kind          TEXT NOT NULL,
    at            INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    actor         TEXT,
    reason        TEXT,
    note          TEXT,
    data          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_obligation ON events (obligation_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;

CREATE TABLE files (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events(id),
    name          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL
);
CREATE INDEX files_event ON files (event_id);

CREATE TABLE syncs (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    at            INTEGER NOT NULL,
    fingerprint   TEXT NOT NULL,
    added         INTEGER NOT NULL,
    changed       INTEGER NOT NULL,
    removed       INTEGER NOT NULL,
    kept          INTEGER NOT NULL,
    restored      INTEGER NOT NULL
);
"#,
    // Version 2: what notices need to know, and the outbox of mails.
    r#"
ALTER TABLE campaigns ADD COLUMN issuer TEXT;
ALTER TABLE campaigns ADD COLUMN doc TEXT;
ALTER TABLE campaigns ADD COLUMN templates TEXT;
ALTER TABLE deliverables ADD COLUMN title TEXT;
ALTER TABLE deliverables ADD COLUMN supervisors TEXT NOT NULL DEFAULT '[]';
ALTER TABLE deliverables ADD COLUMN lead TEXT NOT NULL DEFAULT '[]';
ALTER TABLE campaigns ADD COLUMN stat TEXT;

-- Owed obligations, with every column the daily queries read: overdue and due-soon are index
-- range scans of one campaign that never touch the table.
DROP INDEX obligations_owed;
CREATE INDEX obligations_owed ON obligations
    (campaign_id, effective_due_at, unit_id, deliverable_id, period, due_date, extended_until, state, due_at)
    WHERE closed_at IS NULL AND active = 1;

CREATE TABLE mails (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns(id),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    smtp_reply      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX mails_due ON mails (next_attempt_at) WHERE state = 'pending';

CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    stage         TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    role          TEXT NOT NULL,
    send_at       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    mail_id       INTEGER NOT NULL REFERENCES mails(id),
    UNIQUE (obligation_id, stage, due_date, recipient)
);
CREATE INDEX notices_mail ON notices (mail_id);
CREATE INDEX notices_send_at ON notices (send_at);

-- The instant of the last pass that wrote to the outbox: the next pass catches up from there.
CREATE TABLE passes (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    at            INTEGER NOT NULL
);
"#,
    // Version 3: a pass claims each mail before sending it, so that concurrent passes (a cron
    // job and the daemon, several daemons) send each mail once.
    r#"
ALTER TABLE mails ADD COLUMN claimed_by TEXT;
ALTER TABLE mails ADD COLUMN claim_expires_at INTEGER;
"#,
    // Version 4: duties without a date (随时报告) have no obligations; the units that owe one
    // are kept with the deliverable, a JSON list, so that `status` can list them.
    r#"
ALTER TABLE deliverables ADD COLUMN standing TEXT;
"#,
    // Version 5: each deliverable keeps a digest of the rows its last sync wrote, so that a
    // later sync leaves the unchanged ones alone.
    r#"
ALTER TABLE deliverables ADD COLUMN rows_digest TEXT;
"#,
    // Version 6: what submissions say. A deliverable keeps its form (JSON: a description of
    // fields, no values); each submission's values are rows of their own, typed, kept as
    // append-only as the events they belong to; an obligation points at the submission whose
    // values count.
    r#"
ALTER TABLE campaigns ADD COLUMN groups TEXT;
ALTER TABLE deliverables ADD COLUMN form TEXT;
ALTER TABLE deliverables ADD COLUMN thresholds TEXT;
-- A ledger's rules (JSON: the units that keep rows, when a row is due); its rows are
-- obligations entered one by one, which a sync leaves alone.
ALTER TABLE deliverables ADD COLUMN ledger TEXT;
-- The next sync reads every campaign again, to keep its forms.
UPDATE campaigns SET fingerprint = 'schema upgraded';
ALTER TABLE obligations ADD COLUMN values_event INTEGER REFERENCES events(id);

CREATE TABLE field_values (
    event_id      INTEGER NOT NULL REFERENCES events(id),
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    field         TEXT NOT NULL,
    position      INTEGER NOT NULL,
    number        REAL,
    text          TEXT,
    shared        TEXT,
    reused_from   INTEGER REFERENCES events(id),
    PRIMARY KEY (event_id, field)
) WITHOUT ROWID;
CREATE INDEX field_values_shared ON field_values (shared, obligation_id) WHERE shared IS NOT NULL;
CREATE TRIGGER field_values_no_update BEFORE UPDATE ON field_values
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER field_values_no_delete BEFORE DELETE ON field_values
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
"#,
    // Version 7: what supervisors hand round. A campaign keeps how it scores timeliness (JSON);
    // interviews (约谈) held are records of their own, append-only.
    r#"
ALTER TABLE campaigns ADD COLUMN scoring TEXT;
UPDATE campaigns SET fingerprint = 'schema upgraded';
-- A document a mail carries (JSON: its name, type and base64 bytes): the office's bulletin.
ALTER TABLE mails ADD COLUMN attachment TEXT;
CREATE TABLE interviews (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    at            INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    actor         TEXT,
    reason        TEXT NOT NULL,
    note          TEXT
);
CREATE INDEX interviews_campaign ON interviews (campaign_id, at);
CREATE TRIGGER interviews_no_update BEFORE UPDATE ON interviews
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER interviews_no_delete BEFORE DELETE ON interviews
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
-- People who sign in to the web pages: a unit's liaison or leader, a reviewer, a supervisor,
-- the office. A password is kept as its argon2id hash; a new account has a one-time link
-- instead (its SHA-256), until the person sets one.
CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    unit             TEXT,
    role             TEXT NOT NULL
                     CHECK (role IN ('liaison', 'leader', 'reviewer', 'supervisor', 'office')),
    password         TEXT,
    setup_token      TEXT UNIQUE,
    setup_expires_at INTEGER,
    created_at       INTEGER NOT NULL
);
-- Sessions by the SHA-256 of their cookie, in the store so that several nodes share them.
CREATE TABLE sessions (
    token      TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
-- Bearer tokens of the province's other systems (JSON API), by their SHA-256.
CREATE TABLE api_tokens (
    token      TEXT PRIMARY KEY,
    unit       TEXT,
    role       TEXT NOT NULL
               CHECK (role IN ('liaison', 'leader', 'reviewer', 'supervisor', 'office')),
    created_at INTEGER NOT NULL
);
"#,
    r#"
-- The web pages find a unit by its name in any campaign, and a unit's sub-units by parent.
CREATE INDEX units_name ON units (name);
CREATE INDEX units_parent ON units (campaign_id, parent);
"#,
    r#"
-- Failed sign-ins by account and by address, kept in the records so that every node behind a
-- load balancer counts the same failures; rows older than the window are removed as new ones come.
CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
"#,
    r#"
-- Answers at an instant before the latest act find the obligations acted on after it.
CREATE INDEX events_at ON events (at);
"#,
    r#"
-- Failed sign-ins counted per client address and account, not per account alone (which let
-- anyone who knew a name lock its owner out): after a few failures a pair waits, `delay` seconds
-- after its last attempt, a delay that doubles with each failure; every other address, the
-- owner's, is not held back. A pair quiet for long is forgotten.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_attempts (
    client   TEXT NOT NULL,
    account  TEXT NOT NULL,
    failures INTEGER NOT NULL,
    delay    INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (client, account)
);
CREATE INDEX sign_in_attempts_last ON sign_in_attempts (last_at);
-- What an account's owner is told at their next sign-in: the wrong passwords tried since the
-- last, and the latest one's address and instant.
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_failed_from TEXT;
ALTER TABLE users ADD COLUMN last_failed_at INTEGER;
"#,
    r#"
-- The reviewer's own time (审核时限): a deliverable keeps it as the campaign gives it, and a
-- submission waiting for review keeps the instant its review is due, fixed on the calendar of
-- the day it came (also in the event's data, so that the record at any instant knows it).
ALTER TABLE deliverables ADD COLUMN review_within TEXT;
ALTER TABLE obligations ADD COLUMN review_due_at INTEGER;
-- Submissions waiting for their reviewer, few among many obligations: a pass reads them all.
CREATE INDEX obligations_in_review ON obligations (campaign_id) WHERE state = 'review';
"#,
    r#"
-- Accounts and tokens have a lifecycle. An account may be disabled (it cannot sign in and its
-- sessions end), and its last sign-in is kept for the office's page.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;
-- An API token gets a number and a name (the history names it: `token:NAME`), an expiry, its
-- last use and its revocation. Tokens made before keep no expiry and are named UNIT-N (or
-- ROLE-N) by their row; SQLite adds no key to a table in place, so the table is made anew.
CREATE TABLE api_tokens_lifecycle (
    id           INTEGER PRIMARY KEY,
    token        TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL UNIQUE,
    unit         TEXT,
    role         TEXT NOT NULL
                 CHECK (role IN ('liaison', 'leader', 'reviewer', 'supervisor', 'office')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
INSERT INTO api_tokens_lifecycle (id, token, name, unit, role, created_at)
    SELECT rowid, token, coalesce(unit, role) || '-' || rowid, unit, role, created_at
    FROM api_tokens ORDER BY rowid;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_lifecycle RENAME TO api_tokens;
"#,
    r#"
-- The organisation's directory (组织机构/通讯录): units that outlive campaigns, each with a code
-- the office gives (or one made up once and kept), a parent, a kind and its people. A rename
-- or a move keeps the row; a unit is retired, never deleted. Its history is append-only.
CREATE TABLE org_units (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES org_units(id),
    kind       TEXT,
    email      TEXT,
    phone      TEXT,
    contacts   TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE INDEX org_units_parent ON org_units (parent_id);
CREATE TABLE org_events (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES org_units(id),
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    data    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX org_events_unit ON org_events (unit_id, id);
CREATE TRIGGER org_events_no_update BEFORE UPDATE ON org_events
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER org_events_no_delete BEFORE DELETE ON org_events
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER org_units_no_delete BEFORE DELETE ON org_units
    BEGIN SELECT RAISE(ABORT, 'a unit is retired, never deleted'); END;
"#,
    r#"
-- The campaigns an account or a token acts in (a JSON array of keys); none: every campaign, as
-- the office that keeps the records. Two offices in one database bind theirs.
ALTER TABLE users ADD COLUMN campaigns TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_tokens ADD COLUMN campaigns TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
-- A deadline is kept once per report and period (期次), not on each obligation: moving `by day
-- 25` to `by day 24` rewrites one row a period, not the 430,000 obligations sharing it and an
-- index entry of each. The obligations' own rows are `obligation_rows`; the view `obligations`
-- shows each with its deadline as before, so that what reads them reads as it did.
CREATE TABLE deadlines (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns(id),
    deliverable_id INTEGER NOT NULL REFERENCES deliverables(id),
    period         TEXT NOT NULL,
    due_date       TEXT NOT NULL,
    due_at         INTEGER NOT NULL,
    UNIQUE (deliverable_id, period)
);
CREATE INDEX deadlines_due ON deadlines (campaign_id, due_at);
-- A moved deadline, once: the history of each of its obligations that had any by then shows it
-- (as the per-obligation `due_changed` events written before this version do), after its
-- events up to `events_before`, the latest event's row id when it moved.
CREATE TABLE deadline_changes (
    id            INTEGER PRIMARY KEY,
    deadline_id   INTEGER NOT NULL REFERENCES deadlines(id),
    at            INTEGER NOT NULL,
    from_date     TEXT NOT NULL,
    to_date       TEXT NOT NULL,
    events_before INTEGER NOT NULL
);
CREATE INDEX deadline_changes_deadline ON deadline_changes (deadline_id, id);
CREATE TRIGGER deadline_changes_no_update BEFORE UPDATE ON deadline_changes
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER deadline_changes_no_delete BEFORE DELETE ON deadline_changes
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
-- Each (report, period)'s deadline as its obligations hold it; where they differ (one removed
-- before the deadline moved kept the old date), an active one's.
INSERT INTO deadlines (campaign_id, deliverable_id, period, due_date, due_at)
    SELECT campaign_id, deliverable_id, period, due_date, due_at
    FROM (SELECT campaign_id, deliverable_id, period, due_date, due_at, max(active)
          FROM obligations GROUP BY deliverable_id, period)
    ORDER BY deliverable_id, period;
DROP INDEX obligations_owed;
ALTER TABLE obligations RENAME TO obligation_rows;
-- SQLite adds no NOT NULL column in place; every row written since has one.
ALTER TABLE obligation_rows ADD COLUMN deadline_id INTEGER REFERENCES deadlines(id);
-- The extended deadline (延期) as an instant, only where there is one.
ALTER TABLE obligation_rows ADD COLUMN extended_due_at INTEGER;
UPDATE obligation_rows SET
    deadline_id = (SELECT d.id FROM deadlines d WHERE d.deliverable_id = obligation_rows.deliverable_id
                     AND d.period = obligation_rows.period),
    extended_due_at = CASE WHEN extended_until IS NOT NULL THEN effective_due_at END;
ALTER TABLE obligation_rows DROP COLUMN due_date;
ALTER TABLE obligation_rows DROP COLUMN due_at;
ALTER TABLE obligation_rows DROP COLUMN effective_due_at;
-- Owed obligations by deadline, with every column the daily queries read: overdue is a scan of
-- the deadlines passed, then of this index under each, never touching the table.
CREATE INDEX obligation_rows_owed ON obligation_rows
    (deadline_id, unit_id, deliverable_id, period, state, extended_until, extended_due_at)
    WHERE closed_at IS NULL AND active = 1;
-- The few owed obligations with an extension, by it: those due soon by their extension alone.
CREATE INDEX obligation_rows_extended ON obligation_rows (campaign_id, extended_due_at)
    WHERE closed_at IS NULL AND active = 1 AND extended_due_at IS NOT NULL;
CREATE VIEW obligations AS
    SELECT o.*, d.due_date, d.due_at,
           max(coalesce(o.extended_due_at, d.due_at), d.due_at) AS effective_due_at
    FROM obligation_rows o JOIN deadlines d ON d.id = o.deadline_id;
"#,
    r#"
-- A campaign's unit bound to the office's directory (`通讯录 ROOT`) keeps the directory unit's
-- code: the same unit in several campaigns is one, and an account of it acts in each.
ALTER TABLE units ADD COLUMN code TEXT;
CREATE INDEX units_code ON units (code) WHERE code IS NOT NULL;
"#,
    r#"
-- The directory unit a campaign is bound to (`通讯录 ROOT`), by its code: those who run or
-- supervise campaigns for that unit or one above it see the campaign.
ALTER TABLE campaigns ADD COLUMN directory TEXT;
-- An account of a directory unit (its code): it acts in every campaign that has the unit, and
-- joins each new one of them without the office naming it.
ALTER TABLE users ADD COLUMN unit_code TEXT;
-- Read again from the files, which say what the campaigns are bound to.
UPDATE campaigns SET fingerprint = 'schema upgraded';
"#,
    r#"
-- A token that reads and never acts (a calendar's subscription, a dashboard): whatever its
-- role, the rights of `app` give it nothing to do.
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
-- What a report's units may ask for (申请延期: how many times, how far past the deadline), as
-- the campaign says (JSON); none: no limit.
ALTER TABLE deliverables ADD COLUMN asks TEXT;
-- Read again from the files, which say it.
UPDATE campaigns SET fingerprint = 'schema upgraded';
"#,
    r#"
-- The records' own secrets, made once: `links` signs the links in messages that act without
-- signing in (签收 by the link in a notice).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO secrets (name, value) VALUES ('links', lower(hex(randomblob(32))));
"#,
    r#"
-- Review in levels (审核 乡镇纪委 然后 县纪委): a report's later levels by unit name (JSON),
-- and, while a submission is under review, the level deciding (0: the first) and, past the
-- first, its reviewer — whom the queue and the board read.
ALTER TABLE deliverables ADD COLUMN review_then TEXT;
ALTER TABLE obligation_rows ADD COLUMN review_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE obligation_rows ADD COLUMN reviewing TEXT;
CREATE INDEX obligation_rows_reviewing ON obligation_rows (reviewing) WHERE reviewing IS NOT NULL;
DROP VIEW obligations;
CREATE VIEW obligations AS
    SELECT o.*, d.due_date, d.due_at,
           max(coalesce(o.extended_due_at, d.due_at), d.due_at) AS effective_due_at
    FROM obligation_rows o JOIN deadlines d ON d.id = o.deadline_id;
-- Read again from the files, which say it.
UPDATE campaigns SET fingerprint = 'schema upgraded';
"#,
    r#"
-- The formal documents the overdue ladder issues (督办单: 提醒函, 督办函, 约谈通知书, 蓝/黄/红
-- 督办单): numbered per campaign, kind and year; one per campaign, unit, kind and day.
CREATE TABLE letters (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    unit        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    day         TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    items       TEXT NOT NULL,
    UNIQUE (campaign_id, unit, kind, day),
    UNIQUE (campaign_id, kind, year, number)
);
CREATE INDEX letters_unit ON letters (unit);
"#,
    // Version 24: the acts recorded since a pass, for webhooks, read by when they were recorded.
    r#"
CREATE INDEX events_recorded ON events (recorded_at);
-- The latest act a pass has read for webhooks: the next reads on from there.
ALTER TABLE passes ADD COLUMN acts_seen INTEGER;
"#,
    // Version 25: a campaign's obligations in row order, for the API's pages read by key
    // (without it a page sorts every row after the cursor: the first page of a million, a
    // million rows).
    r#"
CREATE INDEX obligation_rows_page ON obligation_rows (campaign_id, id);
"#,
];

/// The version this duban writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings `conn` up to [`LATEST`], one transaction per step.
pub fn migrate(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > LATEST {
        return Err(StoreError::TooNew {
            path: path.into(),
            found: version,
            known: LATEST,
        });
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while this one waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > index as i64 {
            continue;
        }
        tx.execute_batch(step)?;
        tx.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
            index + 1
        ))?;
        tx.commit()?;
    }
    Ok(())
}
