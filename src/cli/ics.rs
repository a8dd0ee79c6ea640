//! `duban ics --unit U`: a unit's obligations from the records as an iCalendar file, done ones
//! marked done, for the unit's own calendar (Outlook, Google, WeCom, DingTalk).

use std::process::ExitCode;

use super::{CliError, Context, output};
use crate::clock::Instant;
use crate::documents::ics;

/// Arguments of `duban ics`.
#[derive(Debug, clap::Args)]
pub struct IcsArgs {
    /// The unit whose obligations to export.
    #[arg(long, value_name = "UNIT", add = super::completions::units())]
    unit: String,
    /// Only this campaign; may be repeated.
    #[arg(long, value_name = "ID", add = super::completions::campaigns())]
    campaign: Vec<String>,
    /// The instant the records are read at (default: now): what is done by then is marked
    /// done, and a client given a later export replaces what it holds.
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
    /// To-dos (VTODO, ticked off when done) instead of all-day events.
    #[arg(long)]
    todo: bool,
    #[command(flatten)]
    file: output::FileArgs,
}

/// Writes the unit's calendar.
pub fn run(context: &Context, args: &IcsArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let unit = context.unit_calendar(&*store, &args.unit, &args.campaign, as_of)?;
    let now = as_of.in_zone(unit.zone);
    let entries = ics::work_entries(&unit, &context.calendar, now.timestamp());
    let name = format!("{} 报送事项", args.unit);
    let export = ics::Export {
        name: &name,
        component: ics::Component::todo_if(args.todo),
        revised: now,
    };
    let mut out = output::Sink::open(output::Format::Table, &args.file, "ics")?;
    ics::write(&mut out, &export, entries)?;
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
