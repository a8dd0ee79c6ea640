//! Why a use case could not run.

use crate::config::ConfigError;
use crate::language::load::ReadError;
use crate::notices::pass::PassError;
use crate::schedule::calendar::CalendarError;
use crate::store::StoreError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The holiday file is unusable.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The records refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file given to be read into the records or shown holds a secret: the SMTP password
    /// file, or a systemd credential.
    #[error("{}: {}", path.display(), crate::fsio::Confined::Secret)]
    Secret {
        /// The file as it was given.
        path: std::path::PathBuf,
    },
    /// The mail settings are unusable: no server, an unreadable password file, a bad URL.
    #[error(transparent)]
    Mail(#[from] super::mail::MailError),
    /// A chase that did nothing.
    #[error(transparent)]
    Chase(#[from] super::chase::ChaseRefusal),
    /// A unit a test message was asked for has no mailbox.
    #[error(transparent)]
    NoMailbox(#[from] super::channels::NoMailbox),
    /// A request for more time out of turn.
    #[error(transparent)]
    Extension(#[from] super::extensions::ExtensionRefusal),
    /// A holiday file with no notice in it (holiday-cn's file of a year not yet announced).
    #[error(
        "{} holds no holiday notice (holiday-cn publishes an empty file until the State Council's notice is out)",
        path.display()
    )]
    NoHolidayNotice {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A migration was refused or its copy did not check out.
    #[error(transparent)]
    Migrate(Box<crate::store::migrate::MigrateError>),
    /// `duban migrate` reads an SQLite store: the configured database is not one, or absent.
    #[error("there is no SQLite store to migrate from: {database}")]
    NothingToMigrate {
        /// The configured database, and why.
        database: String,
    },
    /// A Word document (a letter of the ladder) could not be written.
    #[error("the document could not be written: {0}")]
    Document(#[source] std::io::Error),
    /// A data file that cannot be read.
    #[error(transparent)]
    Table(#[from] crate::values::TableError),
    /// A workbook that could not be made.
    #[error(transparent)]
    Sheet(#[from] crate::values::sheet::SheetError),
    /// Rows of the office's directory sheet that cannot be taken: nothing was imported.
    #[error("{}\nnothing was imported", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Directory(Vec<crate::store::organisation::OrgRowError>),
    /// Values that do not fit their form: every bad cell, each named by where it is.
    #[error("{}", render_invalid(.0))]
    Invalid(Vec<crate::values::Invalid>),
    /// Values were given for a deliverable whose submissions carry no form.
    #[error(
        "{deliverable} has no form with fields: it takes files, not values (declare `form {deliverable} {{ field … }}` and name it in the report's `form`)"
    )]
    NoForm {
        /// The deliverable.
        deliverable: String,
    },
    /// A submission asked to be made from the sub-units' parts of a report that is not split.
    #[error(
        "{deliverable} is not split to sub-units: there are no parts to add up (the campaign says `分解 到 下级 时限 …` in the report)"
    )]
    NotSplit {
        /// The report.
        deliverable: String,
    },
    /// A submission asked to be made from parts the unit has no sub-units owing.
    #[error("no unit under {unit} owes a part of {deliverable}: there is nothing to add up")]
    NoParts {
        /// The unit.
        unit: String,
        /// The report.
        deliverable: String,
    },
    /// A submission asked to be made from parts none of which is in yet.
    #[error(
        "no unit under {unit} has sent its part of {deliverable} yet ({}): there is nothing to add up",
        missing.join("、")
    )]
    NoPartsIn {
        /// The unit.
        unit: String,
        /// The report.
        deliverable: String,
        /// The units whose parts are not in.
        missing: Vec<String>,
    },
    /// The signed-in person may not see or do this (another unit's obligation, a decision that
    /// is not theirs).
    #[error("not allowed: {what} is not yours to see or act on")]
    Forbidden {
        /// What was asked for.
        what: String,
    },
    /// The work was cut off before it finished (its thread panicked, or the server is
    /// stopping).
    #[error("the request stopped before it finished")]
    Interrupted,
    /// No workspace: no `duban.toml` and no `campaigns/` here or above, no `$DUBAN_CONFIG`.
    #[error(
        "no duban workspace: found no duban.toml and no campaigns/ folder in {}; run `duban init` to make one here, run duban in the office's folder, or set DUBAN_CONFIG (or --config, --db)",
        .looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NoWorkspace {
        /// The folders looked in, nearest first.
        looked: Vec<std::path::PathBuf>,
    },
    /// A command would carry a campaign's open-ended cadences more than a year further at
    /// once: most likely a rehearsal's records met by today's clock.
    #[error(
        "{campaign}'s records run to the end of {runs_to}, and this command's time would add every obligation up to the end of {wanted}: if these are a rehearsal's records, give the rehearsal's --as-of (or --at); if the office is back after a long pause, run `duban sync` first"
    )]
    ClockJump {
        /// The campaign.
        campaign: String,
        /// The year its open-ended cadences run to in the records.
        runs_to: i32,
        /// The year the command's time needs.
        wanted: i32,
    },
    /// A bulletin of a window that had not begun at the instant it was to be made at: nothing
    /// of it can have fallen due.
    #[error(
        "the bulletin of {window} cannot be made as of {made}: the time it covers begins on {from}, and nothing of it has fallen due yet"
    )]
    NotBegun {
        /// The window, as the bulletin names it.
        window: String,
        /// Its first day.
        from: chrono::NaiveDate,
        /// The day the bulletin was to be made on.
        made: chrono::NaiveDate,
    },
    /// A time later than now (by more than a minute), without `--future`.
    #[error(
        "{at} is in the future (it is {now} now): a mistyped year? Give --future if it is meant"
    )]
    InFuture {
        /// The time given, in the campaign's zone.
        at: String,
        /// Now, in the same zone.
        now: String,
    },
    /// A time further back than the office may record (`backfill_days` in duban.toml).
    #[error(
        "{at} is more than {days} days before now ({now}): duban.toml's backfill_days allows recording acts back to {earliest} only"
    )]
    BeyondBackfill {
        /// The time given, in the campaign's zone.
        at: String,
        /// Now, in the same zone.
        now: String,
        /// The earliest time that may be recorded.
        earliest: String,
        /// The setting.
        days: u32,
    },
    /// A unit's account or token named the time of its own act: only the office records a
    /// past time (补录), and a unit's acts are at the server's time.
    #[error("the time of an act is the server's: only the office may record an earlier one (补录)")]
    TimeNotChosen,
    /// Too many failed sign-ins from the address at the account, lately.
    #[error("too many failed sign-ins from this address: try again in {seconds} seconds")]
    TooManyFailures {
        /// How long the address waits.
        seconds: i64,
    },
    /// A wrong name or password (which, is not said).
    #[error("wrong name or password")]
    SignIn,
    /// An account or token that cannot be made or changed so.
    #[error(transparent)]
    AccountRefused(#[from] super::AccountRefusal),
    /// The right password of an account the office disabled.
    #[error("this account is disabled: ask the office to enable it")]
    Disabled,
    /// A bearer token unknown, revoked or expired.
    #[error("{0}")]
    TokenRefused(super::TokenRefusal),
    /// A submission after the form's entry closed (`lock 10d after due`).
    #[error(
        "{obligation}: entry closed after {locked} (its deadline was {deadline}); the office can extend the deadline (`duban extend … --until DATE`), which opens it again"
    )]
    Locked {
        /// The obligation, as people name it.
        obligation: String,
        /// Its deadline.
        deadline: chrono::NaiveDate,
        /// The last day entry was open.
        locked: chrono::NaiveDate,
    },
    /// A ledger command on a deliverable that is not a ledger.
    #[error("{deliverable} is a {kind}, not a ledger (declare it with `ledger` / `台账`)")]
    NotALedger {
        /// The deliverable.
        deliverable: String,
        /// What it is.
        kind: String,
    },
    /// An instruction entered in a campaign that keeps none.
    #[error(
        "{campaign} keeps no leaders' instructions: add `批示 领导批示 {{ }}` (`instructions`) to its campaign file"
    )]
    NoInstructions {
        /// The campaign.
        campaign: String,
    },
    /// A report that cannot be passed down to the sub-units.
    #[error(transparent)]
    PassDown(#[from] super::PassDownRefusal),
    /// A ledger's row closed out already (or waiting for its review).
    #[error(
        "{row} is closed out already (or its close-out waits for review); `duban ledger reopen` opens it again"
    )]
    AlreadyClosed {
        /// The row, as people name it.
        row: String,
    },
    /// A row number the ledger does not have.
    #[error("{ledger} has no row {row}; `duban ledger show` lists its rows")]
    NoSuchRow {
        /// The ledger.
        ledger: String,
        /// The row asked for.
        row: String,
    },
    /// A period that the deliverable is not owed for, or none where it has several.
    #[error("{}", match asked {
        Some(p) => format!("{deliverable} has no period `{p}`; its periods are {}", known.join(", ")),
        None => format!("{deliverable} is owed for several periods: give --period (one of {})", known.join(", ")),
    })]
    Period {
        /// The deliverable.
        deliverable: String,
        /// The period asked for.
        asked: Option<String>,
        /// Its periods.
        known: Vec<String>,
    },
    /// A notice pass failed: a campaign's mail templates are unusable.
    #[error(transparent)]
    Pass(Box<PassError>),
}

impl From<crate::store::migrate::MigrateError> for AppError {
    fn from(e: crate::store::migrate::MigrateError) -> AppError {
        AppError::Migrate(Box::new(e))
    }
}

impl From<PassError> for AppError {
    fn from(e: PassError) -> AppError {
        match e {
            PassError::Store(e) => AppError::Store(e),
            other => AppError::Pass(Box::new(other)),
        }
    }
}

impl AppError {
    /// A refusal as people read it on the pages and in the API's answers: in Chinese, naming no
    /// command; none for a failure that is no refusal (a broken database, a mail server down),
    /// which is logged and shown as such.
    pub fn zh(&self) -> Option<String> {
        Some(match self {
            AppError::Store(StoreError::Refused(r)) => r.zh(),
            AppError::Invalid(problems) => {
                let said: Vec<&str> = problems.iter().map(|p| p.zh()).collect();
                format!("所填内容不符合表单要求，未记录：{}", said.join("；"))
            }
            AppError::Chase(refusal) => refusal.zh(),
            AppError::NoMailbox(none) => none.zh(),
            AppError::Extension(refusal) => refusal.zh(),
            AppError::PassDown(refusal) => refusal.zh(),
            AppError::AccountRefused(refusal) => refusal.zh(),
            AppError::Forbidden { .. } => "不在您的办理权限内".into(),
            AppError::Locked {
                deadline, locked, ..
            } => format!(
                "报送已于{locked}关闭（截止日期{deadline}）；如需补报，请联系督办办公室延期"
            ),
            AppError::NoForm { .. } => "该事项只收附件，不填报数字".into(),
            AppError::NotSplit { deliverable } => {
                format!("{deliverable}未分解到下级，没有可汇总的下级报送")
            }
            AppError::NoParts { unit, deliverable } => {
                format!("{unit}没有承担{deliverable}分解任务的下级单位，没有可汇总的内容")
            }
            AppError::NoPartsIn {
                unit,
                deliverable,
                missing,
            } => format!(
                "{unit}的下级单位尚未报送{deliverable}（{}），没有可汇总的内容",
                missing.join("、")
            ),
            AppError::InFuture { at, now } => {
                format!("办理时间 {at} 晚于当前时间（{now}），请核对年份")
            }
            AppError::BeyondBackfill { at, earliest, .. } => {
                format!("办理时间 {at} 早于允许补录的最早时间（{earliest}）")
            }
            AppError::TimeNotChosen => {
                "报送时间以服务器收到的时间为准，单位不能自行指定；补录须由督办办公室进行".into()
            }
            AppError::NoInstructions { .. } => "该专项未设领导批示事项".into(),
            AppError::AlreadyClosed { row } => format!("{row}已销号（或销号待审核）"),
            AppError::NoSuchRow { ledger, row } => format!("{ledger}没有第{row}行"),
            AppError::NotALedger { deliverable, .. } => format!("{deliverable}不是台账"),
            AppError::Period {
                deliverable,
                asked,
                known,
            } => match asked {
                Some(p) => format!("{deliverable}没有{p}这一期；可选：{}", known.join("、")),
                None => format!("{deliverable}有多期，请指明哪一期（{}）", known.join("、")),
            },
            AppError::TooManyFailures { seconds } => {
                format!("登录失败次数过多，请{seconds}秒后再试")
            }
            AppError::SignIn => "账号或密码错误".into(),
            AppError::Disabled => "此账号已停用，请联系督办办公室".into(),
            _ => return None,
        })
    }
}

/// Every bad cell on its own line; hundreds of the same mistake shown as the first 20 and a
/// count, so that one wrong column of a big file stays readable.
fn render_invalid(problems: &[crate::values::Invalid]) -> String {
    const SHOWN: usize = 20;
    let mut lines: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if problems.len() > SHOWN {
        lines.push(format!("… and {} more", problems.len() - SHOWN));
    }
    lines.push("nothing was recorded".into());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::AppError;

    /// Each refusal people may meet on a page or through the API is said in Chinese and names
    /// no command or flag, whatever its English (for the command line) says.
    #[test]
    fn refusals_are_said_in_chinese_naming_no_command() {
        let day = chrono::NaiveDate::from_ymd_opt(2017, 5, 25).unwrap();
        let refusals = [
            AppError::InFuture {
                at: "2019-05-01 09:00".into(),
                now: "2017-05-27 09:00".into(),
            },
            AppError::BeyondBackfill {
                at: "2017-01-01 09:00".into(),
                now: "2017-05-27 09:00".into(),
                earliest: "2017-04-27 09:00".into(),
                days: 30,
            },
            AppError::TimeNotChosen,
            AppError::Locked {
                obligation: "统计表".into(),
                deadline: day,
                locked: day,
            },
            AppError::NoForm {
                deliverable: "工作方案".into(),
            },
            AppError::NotSplit {
                deliverable: "统计表".into(),
            },
            AppError::NoParts {
                unit: "宛城区".into(),
                deliverable: "统计表".into(),
            },
            AppError::NoPartsIn {
                unit: "宛城区".into(),
                deliverable: "统计表".into(),
                missing: vec!["新华街道".into()],
            },
            AppError::NoInstructions {
                campaign: "nanyang-2017".into(),
            },
            AppError::AlreadyClosed { row: "#1".into() },
            AppError::NoSuchRow {
                ledger: "线索台账".into(),
                row: "9".into(),
            },
            AppError::Period {
                deliverable: "统计表".into(),
                asked: None,
                known: vec!["2017-04".into(), "2017-05".into()],
            },
            AppError::Forbidden {
                what: "宛城区".into(),
            },
        ];
        for refusal in refusals {
            let english = refusal.to_string();
            let said = refusal
                .zh()
                .unwrap_or_else(|| panic!("no words for {english}"));
            assert!(
                said.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{said}"
            );
            assert!(
                !said.contains("--") && !said.contains("duban") && !said.contains('`'),
                "{said}"
            );
        }
        // A failure that is no refusal has no words of its own: it is logged, and said as such.
        assert!(AppError::Interrupted.zh().is_none());
    }
}
