//! `duban submit | review | return | extend | waive | history`: what happens to one obligation.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::output::{self, Format};
use super::{CliError, Context};
use crate::clock::Instant;
use crate::store::{Action, Key, Records, Signature, Submission, Upload};

/// Names one obligation.
#[derive(Debug, clap::Args)]
pub struct ObligationArgs {
    /// Campaign identifier.
    #[arg(add = super::completions::campaigns())]
    pub campaign: String,
    /// Deliverable name.
    #[arg(add = super::completions::deliverables())]
    pub deliverable: String,
    /// Unit name.
    #[arg(add = super::completions::units())]
    pub unit: String,
    /// Period of a recurring deliverable (`2017-05`, `2017-Q2`, `2017`, a phase name).
    #[arg(long)]
    pub period: Option<String>,
}

impl ObligationArgs {
    fn key(&self) -> Key<'_> {
        Key {
            campaign: &self.campaign,
            deliverable: &self.deliverable,
            unit: &self.unit,
            period: self.period.as_deref(),
        }
    }
}

/// Who acted, when, and a note.
#[derive(Debug, clap::Args)]
pub struct ActorArgs {
    /// When it happened: RFC 3339, or local YYYY-MM-DD[THH:MM] (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<Instant>,
    /// Who did it.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// A note for the history.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// Arguments of `duban submit`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    #[command(flatten)]
    actor: ActorArgs,
    /// A file of the submission, copied into the data folder with its SHA-256; may be repeated.
    #[arg(long = "file", value_name = "PATH")]
    files: Vec<PathBuf>,
    /// A signature, as NAME:ROLE (张三:村书记); may be repeated.
    #[arg(long = "signed-by", value_name = "NAME:ROLE", value_parser = parse_signature)]
    signatures: Vec<Signature>,
    /// Replace an earlier submission (it stays in the history).
    #[arg(long)]
    replace: bool,
    /// The values of the form's fields: CSV (UTF-8 or GBK), .xlsx or JSON, with the field
    /// names as headers; a column 填报单位 / 单位 gives a row per sub-unit.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// One field's value, as FIELD=VALUE (立案=3); may be repeated.
    #[arg(long = "value", value_name = "FIELD=VALUE", value_parser = parse_value)]
    values: Vec<(String, String)>,
    /// The values added up from the sub-units' parts of a report split to them (`分解 到
    /// 下级`), as they stand; those still missing are named.
    #[arg(long, conflicts_with_all = ["data", "values"])]
    from_parts: bool,
    /// How a CSV file's bytes are read.
    #[arg(long, value_enum, default_value = "auto")]
    encoding: crate::values::table::Encoding,
}

/// `立案=3`; a value alone (`12%`) is for a target, whose one field is named after it.
// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
pub(super) fn parse_value(text: &str) -> Result<(String, String), String> {
    match text.split_once(['=', '＝']) {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.trim().to_string()))
        }
        Some(_) => Err(format!(
            "`{text}` names no field (FIELD=VALUE, for example 立案=3)"
        )),
        None => Ok((String::new(), text.trim().to_string())),
    }
}

/// Arguments of `duban review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    #[command(flatten)]
    actor: ActorArgs,
    /// Accept the submission: it counts as received (or, where the report is reviewed in
    /// levels, passes to the next level's reviewer).
    #[arg(
        long,
        conflicts_with = "send_back",
        required_unless_present = "send_back"
    )]
    accept: bool,
    /// Send it back to the unit.
    #[arg(long = "return", id = "send_back", requires = "reason")]
    send_back: bool,
    /// Why it goes back.
    #[arg(long, value_parser = non_blank)]
    reason: Option<String>,
}

/// A reason that says something: it goes into the history and to the unit.
// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
fn non_blank(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("a reason cannot be empty: say why, for the history and for the unit".into())
    } else {
        Ok(text.to_string())
    }
}

/// Arguments of `duban return` and `duban waive`.
#[derive(Debug, clap::Args)]
pub struct ReasonArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    #[command(flatten)]
    actor: ActorArgs,
    /// Why.
    #[arg(long, value_parser = non_blank)]
    reason: String,
}

/// Arguments of `duban extend`.
#[derive(Debug, clap::Args)]
pub struct ExtendArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    #[command(flatten)]
    actor: ActorArgs,
    /// The new last day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    until: NaiveDate,
    /// Why.
    #[arg(long, value_parser = non_blank)]
    reason: String,
}

/// Arguments of `duban acknowledge`.
#[derive(Debug, clap::Args)]
pub struct AckArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    #[command(flatten)]
    actor: ActorArgs,
}

/// Arguments of `duban history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    /// The instant to show the status at (default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    file: output::FileArgs,
}

// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
pub(super) fn parse_signature(text: &str) -> Result<Signature, String> {
    let (name, role) = text
        .split_once([':', '：'])
        .ok_or_else(|| format!("`{text}` is not NAME:ROLE (for example 张三:村书记)"))?;
    if name.trim().is_empty() || role.trim().is_empty() {
        return Err(format!("`{text}` needs both a name and a role"));
    }
    Ok(Signature {
        name: name.trim().to_string(),
        role: role.trim().to_string(),
    })
}

/// Records a submission, with what it says.
pub fn submit(context: &Context, args: &SubmitArgs) -> Result<ExitCode, CliError> {
    let submission = Submission {
        files: args.files.iter().cloned().map(Upload::at).collect(),
        signatures: args.signatures.clone(),
        replace: args.replace,
        values: Vec::new(),
        review_due_at: None,
    };
    let mut said = crate::app::Said {
        data: args.data.clone(),
        encoding: args.encoding,
        values: args.values.clone(),
    };
    // A value without a field name is a target's own value.
    for (field, _) in &mut said.values {
        if field.is_empty() {
            *field = args.obligation.deliverable.clone();
        }
    }
    let at = context.instant(args.actor.at);
    let mut store = context.store_for_record(at)?;
    if args.from_parts {
        let key = args.obligation.key();
        let (values, missing) = context.values_from_parts(
            &*store,
            key.campaign,
            key.deliverable,
            (key.unit, key.period),
            at,
        )?;
        if !missing.is_empty() {
            tell!(
                "warning: not in yet, so not in the sums: {}",
                missing.join("、")
            );
        }
        said.values = values;
    }
    let submitted = context.submit(
        &mut *store,
        &args.obligation.key(),
        submission,
        &said,
        at,
        args.actor.by.clone(),
        args.actor.note.clone(),
    )?;
    for change in &submitted.changes {
        say_change(change)?;
    }
    for (unit, field) in &submitted.reused {
        say!("reused: {unit} {field} (reported for another form, 一表通)")?;
    }
    for warning in &submitted.warnings {
        tell!("warning: {}: {}", warning.at, warning.message);
    }
    Ok(ExitCode::SUCCESS)
}

/// Accepts or returns a submission under review.
pub fn review(context: &Context, args: &ReviewArgs) -> Result<ExitCode, CliError> {
    let action = if args.accept {
        Action::Accept {
            next_review_due: None,
            by: None,
        }
    } else {
        Action::Reject {
            reason: args.reason.clone().unwrap_or_default(),
        }
    };
    act(context, &args.obligation, &args.actor, action)
}

/// Returns a submission.
pub fn return_(context: &Context, args: &ReasonArgs) -> Result<ExitCode, CliError> {
    let action = Action::Return {
        reason: args.reason.clone(),
    };
    act(context, &args.obligation, &args.actor, action)
}

/// Extends a deadline.
pub fn extend(context: &Context, args: &ExtendArgs) -> Result<ExitCode, CliError> {
    let action = Action::Extend {
        until: args.until,
        reason: args.reason.clone(),
    };
    act(context, &args.obligation, &args.actor, action)
}

/// Records a unit's acknowledgement of a task.
pub fn acknowledge(context: &Context, args: &AckArgs) -> Result<ExitCode, CliError> {
    act(context, &args.obligation, &args.actor, Action::Acknowledge)
}

/// Arguments of `duban pass-down`.
#[derive(Debug, clap::Args)]
pub struct PassDownArgs {
    #[command(flatten)]
    obligation: ObligationArgs,
    /// The day the units under it owe their part by (no later than its own deadline).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    due: chrono::NaiveDate,
    #[command(flatten)]
    actor: ActorArgs,
}

/// Passes one period of a unit's report down to the units under it (分解 到 下级).
pub fn pass_down(context: &Context, args: &PassDownArgs) -> Result<ExitCode, CliError> {
    let at = context.instant(args.actor.at);
    let mut store = context.store_for_record(at)?;
    let changes = context.pass_down(
        &mut *store,
        (None, args.actor.by.clone()),
        &args.obligation.key(),
        args.due,
        at,
    )?;
    for change in &changes {
        say_change(change)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Records a unit's request for more time.
pub fn ask_extension(context: &Context, args: &ExtendArgs) -> Result<ExitCode, CliError> {
    let action = Action::AskExtension {
        until: args.until,
        reason: args.reason.clone(),
    };
    act(context, &args.obligation, &args.actor, action)
}

/// Declines a unit's request for more time.
pub fn decline_extension(context: &Context, args: &ReasonArgs) -> Result<ExitCode, CliError> {
    let action = Action::DeclineExtension {
        reason: args.reason.clone(),
    };
    act(context, &args.obligation, &args.actor, action)
}

/// Waives an obligation.
pub fn waive(context: &Context, args: &ReasonArgs) -> Result<ExitCode, CliError> {
    let action = Action::Waive {
        reason: args.reason.clone(),
    };
    act(context, &args.obligation, &args.actor, action)
}

fn act(
    context: &Context,
    obligation: &ObligationArgs,
    actor: &ActorArgs,
    action: Action,
) -> Result<ExitCode, CliError> {
    let at = context.instant(actor.at);
    let mut store = context.store_for_record(at)?;
    let change = context.record(
        &mut *store,
        &obligation.key(),
        action,
        at,
        actor.by.clone(),
        actor.note.clone(),
    )?;
    say_change(&change)?;
    Ok(ExitCode::SUCCESS)
}

/// `recorded: nanyang-2017 统计表 宛城区 2017-05 — submitted on time`
pub(super) fn say_change(change: &crate::store::Change) -> Result<(), CliError> {
    let mut line = format!("recorded: {} — {}", change.obligation, change.status);
    if change.status.is_open() || change.status == crate::store::Status::SubmittedLate {
        line.push_str(&format!(" (due {})", change.due_date));
    }
    if let Some(reviewer) = &change.waiting_for {
        line.push_str(&format!(", waiting for review by {reviewer}"));
    }
    say!("{line}")?;
    Ok(())
}

/// Prints every event of one obligation.
pub fn history(context: &Context, args: &HistoryArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let store: Records = context.store_for_reading(as_of)?;
    let (status, events) = store.history(&args.obligation.key(), as_of)?;
    let mut out = output::Sink::open(args.format, &args.file, "历史")?;
    match args.format {
        Format::Json => {
            let value =
                output::versioned(serde_json::json!({ "status": status, "events": events }));
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )?;
        }
        Format::Csv | Format::Xlsx => {
            output::csv_row(&mut out, &["at", "event", "by", "detail", "status"])?;
            let status = status.to_string();
            for row in history_rows(events) {
                let mut cells: Vec<&str> = row.iter().map(String::as_str).collect();
                cells.push(&status);
                output::csv_row(&mut out, &cells)?;
            }
        }
        Format::Table => {
            let o = &args.obligation;
            let period = o
                .period
                .as_deref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{} {} {}{period}: {status}",
                o.campaign, o.deliverable, o.unit
            )?;
            let rows = history_rows(events);
            write!(
                out,
                "{}",
                output::table(&["at", "event", "by", "detail"], rows)
            )?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Each event as a row: when, what, who, and what else it records.
fn history_rows(events: Vec<crate::store::HistoryEvent>) -> Vec<Vec<String>> {
    events
        .into_iter()
        .map(|e| {
            let mut detail: Vec<String> = Vec::new();
            detail.extend(e.reason.map(|r| format!("reason: {r}")));
            detail.extend(e.note.map(|n| format!("note: {n}")));
            if let Some(signatures) = e.data.get("signatures").and_then(|s| s.as_array()) {
                let signed: Vec<String> = signatures
                    .iter()
                    .filter_map(|s| {
                        Some(format!(
                            "{}（{}）",
                            s.get("name")?.as_str()?,
                            s.get("role")?.as_str()?
                        ))
                    })
                    .collect();
                if !signed.is_empty() {
                    detail.push(format!("signed: {}", signed.join("、")));
                }
            }
            if !e.values.is_empty() {
                let said: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| {
                        let reused = if v.reused_from.is_some() {
                            " (reused)"
                        } else {
                            ""
                        };
                        format!("{} {}{reused}", v.field, v.display())
                    })
                    .collect();
                detail.push(format!("values: {}", said.join(", ")));
            }
            for key in ["from", "to", "until"] {
                if let Some(v) = e.data.get(key).and_then(|v| v.as_str()) {
                    detail.push(format!("{key} {v}"));
                }
            }
            // A level of a review in levels: which, by whom, and to whom it passed.
            let levels = e.data["levels"].as_u64().unwrap_or(1);
            if let Some(level) = e.data["level"].as_u64().filter(|_| levels > 1) {
                let by = e.data["reviewer"].as_str().unwrap_or("?");
                detail.push(format!("level {level} of {levels} ({by})"));
            }
            if let Some(next) = e.data["next"].as_str() {
                detail.push(format!("passed to {next}"));
            }
            if e.data.get("reviewed_late") == Some(&serde_json::Value::Bool(true)) {
                detail.push("reviewed late (审核逾期)".to_string());
            }
            if e.backfilled {
                detail.push(format!("补录: recorded {}", short_time(&e.recorded_at)));
            }
            for f in e.files {
                detail.push(format!(
                    "file {} ({} bytes, sha256 {}…)",
                    f.name,
                    f.size,
                    &f.sha256[..12]
                ));
            }
            vec![
                short_time(&e.at),
                e.kind,
                e.by.unwrap_or_default(),
                detail.join("; "),
            ]
        })
        .collect()
}

/// `2017-05-20T10:00:00+08:00` → `2017-05-20 10:00`.
fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}
