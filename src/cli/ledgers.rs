//! `duban ledger add | update | close | reopen | show`: a ledger's rows (台账, 清单), each
//! entered, rectified, closed out (销号) or reopened, and the ledger as it stands.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::contents::SheetFormat;
use super::lifecycle::{ActorArgs, parse_signature, parse_value, say_change};
use super::output;
use super::{CliError, Context};
use crate::app::{LedgerView, Said};
use crate::clock::Instant;
use crate::store::{Action, Signature, Submission};

/// Arguments of `duban ledger`.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: LedgerAction,
}

/// Names a ledger.
#[derive(Debug, clap::Args)]
pub struct Which {
    /// Campaign identifier.
    pub campaign: String,
    /// The ledger.
    pub ledger: String,
}

/// What to do to a ledger.
#[derive(Debug, clap::Subcommand)]
pub enum LedgerAction {
    /// Enter rows: `--value 字段=值` for one, or `--data FILE` with a row per line.
    Add {
        #[command(flatten)]
        which: Which,
        /// The responsible unit (of rows that do not name theirs in a 填报单位 column).
        #[arg(long)]
        unit: Option<String>,
        /// The rows: CSV (UTF-8 or GBK), .xlsx or JSON, the ledger's fields as headers.
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// One field's value, as FIELD=VALUE; may be repeated.
        #[arg(long = "value", value_name = "FIELD=VALUE", value_parser = parse_value)]
        values: Vec<(String, String)>,
        /// The last day to close the rows out (rows with a 销号时限 column keep theirs; the
        /// ledger's own rule otherwise).
        #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
        due: Option<NaiveDate>,
        /// How a CSV file's bytes are read.
        #[arg(long, value_enum, default_value = "auto")]
        encoding: crate::values::table::Encoding,
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Record progress on a row (整改中): new values for some of its fields.
    Update {
        #[command(flatten)]
        which: Which,
        /// The row (`#3` or `3`).
        row: String,
        /// One field's new value, as FIELD=VALUE; may be repeated.
        #[arg(long = "value", value_name = "FIELD=VALUE", value_parser = parse_value, required = true)]
        values: Vec<(String, String)>,
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Close a row out (销号), with its evidence.
    Close {
        #[command(flatten)]
        which: Which,
        /// The row (`#3` or `3`).
        row: String,
        /// Evidence of the rectification, kept with its SHA-256; may be repeated.
        #[arg(long = "file", value_name = "PATH")]
        files: Vec<PathBuf>,
        /// A signature, as NAME:ROLE; may be repeated.
        #[arg(long = "signed-by", value_name = "NAME:ROLE", value_parser = parse_signature)]
        signatures: Vec<Signature>,
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Open a closed-out row again: its rectification did not hold.
    Reopen {
        #[command(flatten)]
        which: Which,
        /// The row (`#3` or `3`).
        row: String,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// The rows as they stand, and each unit's count of them (对账).
    Show {
        #[command(flatten)]
        which: Which,
        /// Only this unit's rows.
        #[arg(long)]
        unit: Option<String>,
        /// The instant to show them at (default: now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<Instant>,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: SheetFormat,
        /// The file to write (`--format xlsx` needs one).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Runs a ledger command.
pub fn run(context: &Context, args: &LedgerArgs) -> Result<ExitCode, CliError> {
    match &args.action {
        LedgerAction::Add {
            which,
            unit,
            data,
            values,
            due,
            encoding,
            actor,
        } => {
            let at = context.instant(actor.at);
            let mut store = context.store_for_record(at)?;
            let said = Said {
                data: data.clone(),
                encoding: *encoding,
                values: values.clone(),
            };
            if said.is_empty() {
                return Err(CliError::Usage {
                    message: "a row needs its values: --value FIELD=VALUE, or --data FILE".into(),
                });
            }
            let changes = context.ledger_add(
                &mut *store,
                &which.campaign,
                &which.ledger,
                unit.as_deref(),
                &said,
                *due,
                at,
                actor.by.clone(),
                actor.note.clone(),
            )?;
            for change in &changes {
                say_change(change)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        LedgerAction::Update {
            which,
            row,
            values,
            actor,
        } => {
            let at = context.instant(actor.at);
            let mut store = context.store_for_record(at)?;
            let change = context.ledger_update(
                &mut *store,
                &which.campaign,
                &which.ledger,
                row,
                values,
                at,
                actor.by.clone(),
                actor.note.clone(),
            )?;
            say_change(&change)?;
            Ok(ExitCode::SUCCESS)
        }
        LedgerAction::Close {
            which,
            row,
            files,
            signatures,
            actor,
        } => {
            let action = Action::Submit(Submission {
                files: files
                    .iter()
                    .cloned()
                    .map(crate::store::Upload::at)
                    .collect(),
                signatures: signatures.clone(),
                replace: false,
                values: Vec::new(),
                review_due_at: None,
            });
            act(context, which, row, action, actor)
        }
        LedgerAction::Reopen {
            which,
            row,
            reason,
            actor,
        } => {
            let action = Action::Return {
                reason: reason.clone(),
            };
            act(context, which, row, action, actor)
        }
        LedgerAction::Show {
            which,
            unit,
            as_of,
            format,
            output,
        } => {
            let as_of = context.instant(*as_of);
            let store = context.store_for_reading(as_of)?;
            let view = context.ledger_show(
                &*store,
                &which.campaign,
                &which.ledger,
                unit.as_deref(),
                as_of,
            )?;
            show(&view, *format, output.as_deref())
        }
    }
}

fn act(
    context: &Context,
    which: &Which,
    row: &str,
    action: Action,
    actor: &ActorArgs,
) -> Result<ExitCode, CliError> {
    let at = context.instant(actor.at);
    let mut store = context.store_for_record(at)?;
    let change = context.ledger_act(
        &mut *store,
        (&which.campaign, &which.ledger, row),
        action,
        at,
        (actor.by.clone(), actor.note.clone()),
    )?;
    say_change(&change)?;
    Ok(ExitCode::SUCCESS)
}

/// The rows as cells: row, unit, deadline, state, then the fields.
fn rows(view: &LedgerView) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = ["row", "unit", "due", "state"].map(String::from).to_vec();
    header.extend(view.fields.iter().cloned());
    let rows = view
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.row.clone(),
                r.unit.clone(),
                r.due_date.clone(),
                r.state.words().to_string(),
            ];
            cells.extend(
                view.fields
                    .iter()
                    .map(|f| r.values.get(f).cloned().unwrap_or_default()),
            );
            cells
        })
        .collect();
    (header, rows)
}

fn show(
    view: &LedgerView,
    format: SheetFormat,
    path: Option<&std::path::Path>,
) -> Result<ExitCode, CliError> {
    let (header, cells) = rows(view);
    let table = || {
        let refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut out = output::table(&refs, cells.clone());
        out.push_str("\n对账 (reconciliation)\n");
        let counts = view.units.iter().map(|u| {
            [u.unit.clone()]
                .into_iter()
                .chain([u.entered, u.closed, u.open, u.overdue].map(|n| n.to_string()))
                .collect()
        });
        out.push_str(&output::table(
            &["unit", "entered", "closed", "open", "overdue"],
            counts,
        ));
        out
    };
    super::contents::emit(format, path, (&view.ledger, &header, &cells), table, || {
        serde_json::to_string_pretty(&output::versioned(view)).unwrap_or_default() + "\n"
    })?;
    Ok(ExitCode::SUCCESS)
}
