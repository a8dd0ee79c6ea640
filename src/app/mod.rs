//! The office: the one place that runs duban's use cases — load the campaign files, run a
//! notice pass, open the records to act on or ask about — for every front end alike. The
//! command line and the daemon (and the web server to come) resolve their settings here once,
//! call here, and print; none of them holds logic another would need.

mod account_refusal;
mod accounts;
mod adopt;
mod assess;
mod board;
mod bulletin;
mod channels;
mod chase;
mod contents;
mod couriers;
mod daemon_plan;
mod desk;
mod directory_page;
mod error;
mod extensions;
mod hierarchy;
mod instant;
mod instructions;
mod ledgers;
mod letters;
mod listing;
mod lock;
mod mail;
mod notice_pass;
mod organisation;
mod pass_down;
mod received;
mod recorded;
mod rights;
mod rollup;
mod scope;
mod sent;
mod sheets;
mod targets;
mod tokens;

use std::path::{Path, PathBuf};

pub use crate::reports::{
    Backfill, Basis, Bulletin, Counts, Deadline, INTERVIEW_BASIS, LateReview, Missing, Proposal,
    Ranked, TargetFinding, TargetState, UnitCalendar, Window, chinese_date,
};
pub use accounts::{
    AccountRefusal, FromContact, LINK_SECONDS, SESSION_SECONDS, SHORTEST_PASSWORD, Session,
    SignedIn, THROTTLE, same_secret, secret,
};
pub use assess::{Assessment, Part, ScoreLine, UnitScore};
pub use board::{Board, CampaignBoard, Node, Tally};
pub use bulletin::address_bulletin;
pub use channels::{NoMailbox, Reach, TestSent, send_test};
pub use chase::{ChaseRefusal, ChaseRequest, Chased};
pub use contents::{Said, Submitted, UNIT_COLUMNS};
pub use daemon_plan::{DaemonPlan, daemon_plan, schedules};
pub use desk::{ObligationDesk, UnitDesk};
pub use directory_page::UnitEdit;
pub use error::AppError;
pub use extensions::{ExtensionRefusal, LinkAck, acknowledged, open_request};
pub use instructions::{About, Instruction, InstructionLine};
pub use ledgers::{LedgerView, Reconciliation, RowState, RowView};
pub use listing::{Paged, Slice, Visible};
pub use mail::{MailError, MailSetup};
pub use organisation::{OrgImported, OrgSheet, read_sheet};
pub use pass_down::PassDownRefusal;
pub use received::Received;
pub use rights::{Deed, Judge, Page, Rights, allow, allow_act, campaigns_of, may, rights};
pub use rollup::{BadLevel, By, Rollup, RollupRow};
pub use sent::{Sent, signatures};
pub use sheets::{SheetKind, sheet_rows};
pub use tokens::{Expiry, ExpiryError, TOKEN_DAYS, TokenRefusal, TokenSpec};

use crate::clock::{Clock, Instant, SystemClock};
use crate::config::{Config, Database};
use crate::notices::pass;
use crate::schedule::Calendar;
use crate::store::{Action, Backend, Change, Key, Meta, Options, PgStore, Records, Store};
use crate::workspace::{self, FileSync, Surroundings};

/// An office's duban: its configuration, its calendar and its clock, resolved once.
pub struct Office {
    /// The configuration.
    pub config: Config,
    /// The official calendar, with the office's own years and any `--holidays` file.
    pub calendar: Calendar,
    /// Where "now" comes from when a use case is not given an instant.
    pub clock: Box<dyn Clock>,
    /// Where the files a campaign names may be.
    pub confinement: crate::fsio::Confinement,
    /// How the records name the workspace's files: relative to it.
    pub names: crate::fsio::Names,
    /// Whether something may be recorded as done later than now (`--future`); without it such
    /// a time is refused as a mistyped year.
    pub future: bool,
}

impl Office {
    /// The office `config` describes, with `holidays` (a file of holiday notices) on top of
    /// the shipped calendar and the office's own `calendars/`: later wins.
    pub fn open(config: Config, holidays: Option<&Path>) -> Result<Office, AppError> {
        let confinement = crate::fsio::Confinement::new(&config.workspace, &config.allowed_folders)
            .with_secrets(config.secret_files());
        let mut calendar = Calendar::official().clone();
        for path in crate::schedule::calendar::stored_files(&config.calendars) {
            calendar.merge(Calendar::read_file(&path)?);
        }
        if let Some(path) = holidays.or(config.holidays.as_deref()) {
            // Its parse errors quote it.
            if confinement.not_secret(path).is_err() {
                return Err(AppError::Secret {
                    path: path.to_path_buf(),
                });
            }
            calendar.merge(Calendar::read_file(path)?);
        }
        let names = crate::fsio::Names::new(&config.workspace);
        Ok(Office {
            config,
            calendar,
            clock: Box::new(SystemClock),
            confinement,
            names,
            future: false,
        })
    }

    /// Keeps the holiday notices of `file` (TOML, or holiday-cn JSON) in the office's own
    /// `calendars/`, for every command from then on: the years it holds, and where it went. A
    /// file without a notice is refused and nothing is kept.
    pub fn import_calendar(&self, file: &Path) -> Result<(Vec<i32>, PathBuf), AppError> {
        self.refuse_secret(file)?;
        let notices = Calendar::read_file(file)?;
        let years: Vec<i32> = notices.known_years().collect();
        if years.is_empty() {
            return Err(AppError::NoHolidayNotice {
                path: file.to_path_buf(),
            });
        }
        let extension = if file.extension().is_some_and(|e| e == "json") {
            "json"
        } else {
            "toml"
        };
        let folder = &self.config.calendars;
        let name: Vec<String> = years.iter().map(i32::to_string).collect();
        let target = folder.join(format!("{}.{extension}", name.join("-")));
        let fail = |source| crate::language::load::ReadError {
            path: target.clone(),
            source,
        };
        std::fs::create_dir_all(folder).map_err(fail)?;
        // Written beside its place and renamed: a reader never sees half a file.
        let temporary = folder.join(format!(".{}.{extension}.tmp", name.join("-")));
        let bytes = crate::fsio::read_regular(file, crate::fsio::limits::SETTINGS).map_err(fail)?;
        std::fs::write(&temporary, bytes).map_err(fail)?;
        std::fs::rename(&temporary, &target).map_err(fail)?;
        Ok((years, target))
    }

    /// `given`, or now.
    pub fn instant(&self, given: Option<Instant>) -> Instant {
        given.unwrap_or_else(|| Instant::Absolute(self.clock.now()))
    }

    /// How the records' last change looks from outside, where the engine shows it without a
    /// connection (an SQLite file); none for PostgreSQL, whose changes are seen by asking it.
    pub fn records_stamp(&self) -> Option<crate::store::ChangeStamp> {
        match &self.config.database {
            Database::File(path) => crate::store::change_stamp(path),
            Database::Postgres(_) => None,
        }
    }

    /// Opens the records without loading campaign files: the SQLite file, or the PostgreSQL
    /// database, the configuration names.
    pub fn open_store(&self) -> Result<Records, AppError> {
        if let Some(looked) = &self.config.not_found_in {
            return Err(AppError::NoWorkspace {
                looked: looked.clone(),
            });
        }
        Ok(match &self.config.database {
            Database::File(path) => Box::new(self.open_sqlite(path)?),
            Database::Postgres(url) => Box::new(PgStore::connect(url)?),
        })
    }

    /// Copies the office's SQLite store into the empty PostgreSQL database `url`, then checks
    /// the copy row by row; nothing is written to the SQLite file (but the schema upgrade any
    /// command makes of an older one).
    pub fn migrate_to(&self, url: &str) -> Result<crate::store::migrate::Migrated, AppError> {
        let Database::File(path) = &self.config.database else {
            return Err(AppError::NothingToMigrate {
                database: format!("{} is already PostgreSQL", self.config.database),
            });
        };
        if !path.is_file() {
            return Err(AppError::NothingToMigrate {
                database: format!("{} does not exist", path.display()),
            });
        }
        let from = self.open_sqlite(path)?;
        let to = PgStore::connect(url)?;
        Ok(crate::store::migrate::migrate(&from, &to)?)
    }

    fn open_sqlite(&self, path: &Path) -> Result<Store, AppError> {
        Ok(Store::open(
            path,
            Options {
                busy_timeout: self.config.busy_timeout,
                files: self.config.files.clone(),
            },
        )?)
    }

    /// What campaign files are read with: the calendar and the office's contacts file.
    pub fn surroundings(&self) -> Surroundings<'_> {
        Surroundings {
            calendar: &self.calendar,
            shared_contacts: self.config.contacts.as_deref(),
            confinement: &self.confinement,
            names: &self.names,
            accept_removals: false,
            catch_up: false,
        }
    }

    /// Loads the campaign files of `paths` into `store` at `as_of` (`duban sync`: it may carry
    /// open-ended cadences as far as `as_of` needs), handing each file's outcome to `seen` as
    /// it is done. Returns whether every file synced.
    pub fn sync(
        &self,
        store: &mut dyn Backend,
        paths: &[PathBuf],
        as_of: Instant,
        accept_removals: bool,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<bool, AppError> {
        let around = Surroundings {
            accept_removals,
            catch_up: true,
            ..self.surroundings()
        };
        self.sync_around(store, paths, as_of, around, seen)
    }

    fn sync_around(
        &self,
        store: &mut dyn Backend,
        paths: &[PathBuf],
        as_of: Instant,
        around: Surroundings<'_>,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<bool, AppError> {
        let files = workspace::campaign_files(paths).map_err(|source| {
            crate::language::load::ReadError {
                path: paths.first().cloned().unwrap_or_default(),
                source,
            }
        })?;
        // The horizon only depends on the year: within a day, UTC's is as good as the
        // campaign's (the horizon runs to the end of the year after).
        let now = as_of.in_zone(chrono_tz::UTC);
        let mut ok = true;
        for file in files {
            let (path, result) =
                workspace::sync_file(store, &file, around, now.date_naive(), now.timestamp());
            ok &= matches!(result, FileSync::Done { .. });
            seen(&path, result);
        }
        Ok(ok)
    }

    /// Opens the records after loading the configured campaign folder into them (unless they
    /// are read-only); each file's outcome goes to `seen`. Campaigns with errors keep their
    /// last good version. Refused if a campaign's open-ended cadences would have to be
    /// carried more than a year further at once: records of a rehearsal (`--as-of 2017-…`)
    /// read by a command on today's clock, whose reminders would go to real people.
    pub fn store_synced(
        &self,
        as_of: Instant,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<Records, AppError> {
        self.open_synced(as_of, true, seen)
    }

    /// Opens the records for a command that only reads them, synced at `as_of`: a campaign
    /// whose records a rehearsal keeps in another year is left as it is rather than refused,
    /// since nothing is sent and nothing of it is carried forward; the answers about it are
    /// those of its records. (The guard is for what reaches people: reminders, the daemon.)
    pub fn store_for_reading(
        &self,
        as_of: Instant,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<Records, AppError> {
        self.open_synced(as_of, false, seen)
    }

    /// Opens the records for managing accounts and tokens, which read no obligation: synced
    /// now, but a campaign whose records a rehearsal keeps in another year is left as it is
    /// rather than refused.
    pub fn store_for_accounts(
        &self,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<Records, AppError> {
        self.open_synced(Instant::Absolute(self.clock.now()), false, seen)
    }

    fn open_synced(
        &self,
        as_of: Instant,
        refuse_jump: bool,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<Records, AppError> {
        let mut store = self.open_store()?;
        let folder = &self.config.campaigns;
        let mut too_far = None;
        if !store.is_read_only() && folder.is_dir() {
            self.sync_around(
                &mut *store,
                std::slice::from_ref(folder),
                as_of,
                self.surroundings(),
                &mut |path, result| match result {
                    FileSync::TooFar {
                        campaign,
                        runs_to,
                        wanted,
                    } => {
                        too_far.get_or_insert(AppError::ClockJump {
                            campaign,
                            runs_to,
                            wanted,
                        });
                    }
                    other => seen(path, other),
                },
            )?;
        }
        match too_far {
            Some(refusal) if refuse_jump => Err(refusal),
            _ => Ok(store),
        }
    }

    /// Opens the records for recording something done at `at`: synced at `at` or now,
    /// whichever is earlier, so that a submission dated ahead never carries open-ended
    /// cadences further than today needs.
    pub fn store_for_record(
        &self,
        at: Instant,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<Records, AppError> {
        let now = self.clock.now();
        // A local time is the office's: which campaign it is for is not known yet.
        let sync_at = if at.in_zone(self.config.zone) > now {
            Instant::Absolute(now)
        } else {
            at
        };
        self.store_synced(sync_at, seen)
    }

    /// Refuses `path`, a file someone gave to be read into the records or shown (a submitted
    /// file, a data file, a spreadsheet to import, a holiday notice, a campaign file), if it is
    /// or lies in a file that holds a secret — the SMTP password file, the systemd credentials —
    /// whatever path or link reaches it: its contents would be kept, served or quoted in an
    /// error message.
    pub fn refuse_secret(&self, path: &Path) -> Result<(), AppError> {
        self.confinement
            .not_secret(path)
            .map_err(|_| AppError::Secret {
                path: path.to_path_buf(),
            })
    }

    /// Records `action` on the obligation `key` names, done at `at` (a local time is read in
    /// the campaign's zone) by `by`, with `note`; recorded now, by the office's clock. A file
    /// that holds a secret is refused.
    pub fn record(
        &self,
        store: &mut dyn Backend,
        key: &Key<'_>,
        action: Action,
        at: Instant,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<Change, AppError> {
        let mut action = action;
        if let Action::Submit(submission) = &mut action {
            for upload in &submission.files {
                self.refuse_secret(&upload.path)?;
            }
            // A leader's instruction is done by its 办结报告: a close-out without one is no
            // report of anything.
            if submission.files.is_empty()
                && store
                    .describe(key.campaign, key.deliverable)?
                    .ledger
                    .is_some_and(|l| l.instructions)
            {
                return Err(AppError::Invalid(vec![crate::values::Invalid {
                    at: "files".into(),
                    message: "an instruction is closed by its report (办结报告): attach the report"
                        .into(),
                    field: None,
                    zh: Some("请上传办结报告：领导批示事项凭办结报告办结".into()),
                }]));
            }
            // Fixed once: a submission with values comes here with it set already.
            if submission.review_due_at.is_none() {
                let within = store.describe(key.campaign, key.deliverable)?.review_within;
                submission.review_due_at = self.review_due(&*store, key.campaign, within, at)?;
            }
        }
        // A level of a review in levels passing it on gives the next its own time, on the
        // calendar of the day it passed (the last level's acceptance uses none).
        if let Action::Accept {
            next_review_due, ..
        } = &mut action
            && next_review_due.is_none()
        {
            let within = store.describe(key.campaign, key.deliverable)?.review_within;
            *next_review_due = self.review_due(&*store, key.campaign, within, at)?;
        }
        self.extension_in_order(&*store, key, &action, at)?;
        let meta = self.meta(store, key.campaign, at, by, note)?;
        Ok(store.apply(key, action, meta)?)
    }

    /// When the review of a report of `campaign` sent at `at` is due, where its deliverable
    /// gives the reviewer a time of their own, `within` (`审核时限 3个工作日`): the end of the day that many days
    /// (or workdays, on the calendar) after the day it came, which is not counted (民法典 第二百
    /// 零一条). Fixed now, so that a later change of the calendar or the campaign does not make
    /// a review on time late after the fact.
    pub(crate) fn review_due(
        &self,
        store: &dyn Backend,
        campaign: &str,
        within: Option<crate::vocabulary::Duration>,
        at: Instant,
    ) -> Result<Option<i64>, AppError> {
        let Some(within) = within else {
            return Ok(None);
        };
        let zone = store.campaign_zone(campaign)?;
        let came = at.in_zone(zone).with_timezone(&zone).date_naive();
        Ok(
            crate::notices::plan::shift(&self.calendar, came, within, true).map(|day| {
                crate::clock::to_unix(crate::schedule::obligation::end_of_day(zone, day).to_utc())
            }),
        )
    }

    /// Who acted and when, for the history: `at` read in the campaign's zone, recorded now.
    fn meta(
        &self,
        store: &dyn Backend,
        campaign: &str,
        at: Instant,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<Meta, AppError> {
        let zone = store.campaign_zone(campaign)?;
        let at = at.in_zone(zone).timestamp();
        if let Some(latest) = self.latest()
            && at > latest
        {
            let time = |t: i64| {
                crate::clock::from_unix(t)
                    .with_timezone(&zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            };
            return Err(AppError::InFuture {
                at: time(at),
                now: time(latest - crate::clock::FUTURE_GRACE),
            });
        }
        let now = crate::clock::to_unix(self.clock.now());
        if let Some(days) = self.config.backfill_days {
            let earliest = now - i64::from(days) * 86_400;
            if at < earliest {
                let time = |t: i64| {
                    crate::clock::from_unix(t)
                        .with_timezone(&zone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                };
                return Err(AppError::BeyondBackfill {
                    at: time(at),
                    now: time(now),
                    earliest: time(earliest),
                    days,
                });
            }
        }
        Ok(Meta {
            at,
            recorded_at: now,
            by,
            note,
        })
    }

    /// The latest time (Unix seconds) something may be recorded as done at: a minute past
    /// now, or any time with [`Office::future`].
    pub fn latest(&self) -> Option<i64> {
        (!self.future).then(|| crate::clock::to_unix(self.clock.now()) + crate::clock::FUTURE_GRACE)
    }

    /// What a pass at `as_of` would do, without rendering or writing anything: (new notices,
    /// mails they make, recipients without a mail address).
    pub fn plan_only(
        &self,
        store: &dyn Backend,
        as_of: Instant,
    ) -> Result<(usize, usize, usize), AppError> {
        Ok(pass::plan_only(
            store,
            &self.calendar,
            as_of,
            &self.routes()?,
        )?)
    }

    /// The mails a pass at `as_of` would write, rendered, and the recipients without a mail
    /// address; nothing is written.
    pub fn draft(&self, store: &dyn Backend, as_of: Instant) -> Result<pass::Drafts, AppError> {
        Ok(pass::draft(
            store,
            &self.calendar,
            as_of,
            &self.names,
            &self.routes()?,
        )?)
    }

    /// Every mail the days `from` to `to` would bring, of the given campaigns (or all); with
    /// `current`, only for what is owed now.
    pub fn preview(
        &self,
        store: &dyn Backend,
        campaigns: &[String],
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
        current: bool,
    ) -> Result<Vec<crate::notices::preview::Planned>, AppError> {
        let window = crate::notices::window::for_days(&store.policies()?, from, to);
        let (candidates, directory) = store.preview_input(campaigns, window, current)?;
        Ok(crate::notices::preview::preview(
            &candidates,
            &directory,
            &self.routes()?,
            &self.calendar,
            from,
            to,
        ))
    }

    /// Which robots carry which units' notices, from the office's robots file (none without).
    pub fn routes(&self) -> Result<crate::notices::plan::Routes, AppError> {
        let book = couriers::robot_book(&self.config).map_err(mail::MailError::from)?;
        Ok(couriers::routes(&self.config, book.as_ref()))
    }

    /// Reads every campaign's own mail templates, so that a broken one is found before any
    /// pass (a daemon's first), not at the first mail it would render.
    pub fn check_templates(&self, store: &dyn Backend) -> Result<(), AppError> {
        for folder in store.templates_folders()? {
            crate::notices::render::Templates::with_folder(&self.names.path(&folder))
                .map_err(|e| AppError::Pass(Box::new(e.into())))?;
        }
        Ok(())
    }
}
