//! `duban overdue | status | due`: what staff ask every day, at an instant.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use super::output::{self, Format, Sink, csv_row, fit};
use super::{CliError, Context};
use crate::clock::Instant;
use crate::language::ast::ContactRole;
use crate::language::campaign::Contact;
use crate::store::{Filter, Light, OverdueRow, StatusRow};

/// What a query covers, and how to print it.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The instant to ask at: RFC 3339, or local YYYY-MM-DD[THH:MM] (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// Only this campaign; may be repeated.
    #[arg(long, add = super::completions::campaigns())]
    pub campaign: Vec<String>,
    /// Only this unit; may be repeated.
    #[arg(long, add = super::completions::units())]
    pub unit: Vec<String>,
    /// Only this deliverable; may be repeated.
    #[arg(long, add = super::completions::deliverables())]
    pub deliverable: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub file: output::FileArgs,
}

impl QueryArgs {
    fn filter(&self) -> Filter {
        Filter {
            campaigns: self.campaign.clone(),
            units: self.unit.clone(),
            deliverables: self.deliverable.clone(),
            ..Filter::default()
        }
    }
}

/// Arguments of `duban overdue`.
#[derive(Debug, clap::Args)]
pub struct OverdueArgs {
    #[command(flatten)]
    query: QueryArgs,
    /// Group by unit or by deliverable.
    #[arg(long, value_enum, default_value = "unit")]
    by: GroupBy,
    /// Exit 1 if anything is overdue.
    #[arg(long)]
    fail_if_any: bool,
}

/// How `overdue` groups its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// By unit: whom to phone.
    Unit,
    /// By deliverable: which report is missing where.
    Deliverable,
}

/// Arguments of `duban due`.
#[derive(Debug, clap::Args)]
pub struct DueArgs {
    #[command(flatten)]
    query: QueryArgs,
    /// How far ahead: `7d` (today and the next 7 days), `1w`, or `12h`, `2d12h` (the next so
    /// many hours).
    #[arg(long, default_value = "7d", value_parser = parse_within)]
    within: Within,
}

/// The window of `duban due`.
#[derive(Clone, Copy, Debug)]
pub enum Within {
    /// Deadlines from the as-of day through the end of the N-th day after it.
    Days(i64),
    /// Deadlines within N hours of the as-of instant.
    Hours(i64),
}

// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
fn parse_within(text: &str) -> Result<Within, String> {
    let text = text.trim();
    let bad = || format!("`{text}` is not a length like 7d, 1w, 48h or 2d12h");
    let (mut hours, mut days_only) = (0_i64, true);
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit = ["w", "周", "d", "天", "h", "小时", ""]
            .into_iter()
            .find(|u| rest.starts_with(u))
            .unwrap_or_default();
        let per = match unit {
            "w" | "周" => 7 * 24,
            "d" | "天" | "" if rest.is_empty() || !unit.is_empty() => 24,
            "h" | "小时" => {
                days_only = false;
                1
            }
            _ => return Err(bad()),
        };
        rest = &rest[unit.len()..];
        // A hundred years covers any campaign; more would overflow the date arithmetic.
        hours = n
            .checked_mul(per)
            .and_then(|h| h.checked_add(hours))
            .filter(|&h| h <= 36_600 * 24)
            .ok_or_else(|| format!("`{text}` is too long: at most 36600d (a hundred years)"))?;
    }
    if text.is_empty() {
        return Err(bad());
    }
    Ok(if days_only {
        Within::Days(hours / 24)
    } else {
        Within::Hours(hours)
    })
}

/// Lists overdue obligations. JSON and CSV stream row by row; the table is laid out at the end.
pub fn overdue(context: &Context, args: &OverdueArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.query.as_of);
    let store = context.store_for_reading(as_of)?;
    let filter = args.query.filter();
    let by_deliverable = args.by == GroupBy::Deliverable;
    let mut out = Sink::open(args.query.format, &args.query.file, "逾期")?;
    let mut found = 0usize;
    let mut rows = Vec::new();
    let mut failed: Option<std::io::Error> = None;
    // The liaison and leader columns of the unit last written: rows come unit by unit.
    let mut people: Option<(Arc<[Contact]>, String, String)> = None;
    let mut write = |out: &mut Sink, row: OverdueRow| -> std::io::Result<()> {
        match args.query.format {
            Format::Json => {
                out.write_all(if found == 0 { b"[\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut *out, &row)?;
            }
            Format::Csv | Format::Xlsx => {
                if found == 0 {
                    csv_row(out, overdue_header(args.query.format))?;
                }
                if people
                    .as_ref()
                    .is_some_and(|(c, ..)| !Arc::ptr_eq(c, &row.contacts))
                {
                    people = None;
                }
                let (_, liaison, leader) = people.get_or_insert_with(|| {
                    let liaison = person(&row, ContactRole::Liaison);
                    let leader = person(&row, ContactRole::Leader);
                    (row.contacts.clone(), liaison, leader)
                });
                let days = row.days_overdue.to_string();
                csv_row(
                    out,
                    &[
                        &row.campaign,
                        &row.deliverable,
                        &row.unit,
                        row.period.as_deref().unwrap_or(""),
                        &row.due_date,
                        &row.due_at,
                        &days,
                        row.status,
                        row.email.as_deref().unwrap_or(""),
                        row.phone.as_deref().unwrap_or(""),
                        &*liaison,
                        &*leader,
                        &row.on_time_until,
                    ],
                )?;
            }
            Format::Table => rows.push(row),
        }
        found += 1;
        Ok(())
    };
    store.overdue_each(&filter, as_of, by_deliverable, &mut |row| {
        if failed.is_none()
            && let Err(e) = write(&mut out, row)
        {
            failed = Some(e);
        }
        Ok(())
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    match args.query.format {
        Format::Json if found == 0 => out.write_all(b"[]\n")?,
        Format::Json => out.write_all(b"\n]\n")?,
        Format::Csv | Format::Xlsx if found == 0 => {
            csv_row(&mut out, overdue_header(args.query.format))?;
        }
        Format::Table => write!(out, "{}", overdue_table(&rows, args.by))?,
        Format::Csv | Format::Xlsx => {}
    }
    out.finish()?;
    Ok(if found > 0 && args.fail_if_any {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The overdue list's header: CSV for programs keeps its English keys, a workbook a person
/// opens is headed in Chinese.
fn overdue_header(format: Format) -> &'static [&'static str] {
    if format == Format::Xlsx {
        &crate::documents::overdue::COLUMNS_ZH
    } else {
        &crate::documents::overdue::COLUMNS
    }
}

fn overdue_table(rows: &[OverdueRow], by: GroupBy) -> String {
    if rows.is_empty() {
        return "nothing is overdue\n".into();
    }
    let several = rows.iter().any(|r| r.campaign != rows[0].campaign);
    let mut last_group: Option<&str> = None;
    let lines = rows.iter().map(|r| {
        let group = if by == GroupBy::Unit {
            &r.unit
        } else {
            &r.deliverable
        };
        let shown_group = if last_group == Some(&**group) {
            String::new()
        } else {
            group.to_string()
        };
        last_group = Some(group);
        let other = if by == GroupBy::Unit {
            &r.deliverable
        } else {
            &r.unit
        };
        let mut row = vec![
            shown_group,
            other.to_string(),
            r.period.as_deref().unwrap_or("—").to_string(),
            due_shown(&r.due_date, &r.on_time_until),
            r.days_overdue.to_string(),
            contact_line(r),
        ];
        if r.status == "returned" {
            row[1].push_str(" (退回)");
        }
        if several {
            row.insert(0, r.campaign.to_string());
        }
        row
    });
    let mut header = if by == GroupBy::Unit {
        vec!["unit", "deliverable", "period", "due", "days", "contact"]
    } else {
        vec!["deliverable", "unit", "period", "due", "days", "contact"]
    };
    if several {
        header.insert(0, "campaign");
    }
    let lines: Vec<Vec<String>> = lines.collect();
    let units = {
        let mut u: Vec<&str> = rows.iter().map(|r| &*r.unit).collect();
        u.sort();
        u.dedup();
        u.len()
    };
    format!(
        "{}{} overdue, {}\n",
        output::table(&header, lines),
        output::plural(rows.len(), "obligation"),
        output::plural(units, "unit")
    )
}

/// A deadline as a listing shows it: the date units were told, and where a rest day moved its
/// last on-time day, that day too (`2017-04-15→04-17`): days overdue count from the later one.
fn due_shown(due_date: &str, on_time_until: &str) -> String {
    if due_date == on_time_until {
        return due_date.to_string();
    }
    match (due_date.get(..5), on_time_until.get(5..)) {
        (Some(year), Some(rest)) if on_time_until.starts_with(year) => format!("{due_date}→{rest}"),
        _ => format!("{due_date}→{on_time_until}"),
    }
}

/// Whom to call: the liaison, else the leader, else the unit's own phone or mailbox.
fn contact_line(r: &OverdueRow) -> String {
    if let Some(c) = Contact::first_to_call(&r.contacts) {
        return c.reach();
    }
    r.phone
        .as_deref()
        .or(r.email.as_deref())
        .unwrap_or_default()
        .to_string()
}

fn person(r: &OverdueRow, role: ContactRole) -> String {
    crate::documents::overdue::people(r, role)
}

fn write_json<T: serde::Serialize>(out: &mut impl Write, rows: &[T]) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, row) in rows.iter().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, row)?;
    }
    out.write_all(b"\n]\n")
}

/// Per unit and deliverable: counts and the light.
pub fn status(context: &Context, args: &QueryArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let rows = context.status(&*store, &args.filter(), as_of)?;
    let mut out = Sink::open(args.format, &args.file, "状态")?;
    match args.format {
        Format::Json => write_json(&mut out, &rows)?,
        Format::Csv | Format::Xlsx => {
            csv_row(
                &mut out,
                &[
                    "campaign",
                    "unit",
                    "deliverable",
                    "due",
                    "on_time",
                    "late",
                    "under_review",
                    "waived",
                    "overdue",
                    "due_soon",
                    "upcoming",
                    "light",
                    "below_target",
                    "review_overdue",
                ],
            )?;
            for r in &rows {
                let n = [
                    r.due,
                    r.on_time,
                    r.late,
                    r.under_review,
                    r.waived,
                    r.overdue,
                    r.due_soon,
                    r.upcoming,
                ]
                .map(|n| n.to_string());
                let light = light_word(r.light);
                let mut fields = vec![r.campaign.as_str(), r.unit.as_str(), r.deliverable.as_str()];
                fields.extend(n.iter().map(String::as_str));
                fields.push(light);
                let below = r.below_target.to_string();
                fields.push(&below);
                let review_overdue = r.review_overdue.to_string();
                fields.push(&review_overdue);
                csv_row(&mut out, &fields)?;
            }
        }
        Format::Table => {
            let several = rows.iter().any(|r| r.campaign != rows[0].campaign);
            for (i, campaign) in rows.chunk_by(|a, b| a.campaign == b.campaign).enumerate() {
                if several {
                    writeln!(
                        out,
                        "{}{}",
                        if i > 0 { "\n" } else { "" },
                        campaign[0].campaign
                    )?;
                }
                write!(out, "{}", status_table(campaign))?;
            }
            let count = |l: Light| rows.iter().filter(|r| r.light == l).count();
            // The lights of the rows above: unit × deliverable pairs, not units.
            let summary = format!(
                "unit × deliverable: 红 red {} · 黄 yellow {} · 绿 green {} · 灰 grey {}",
                count(Light::Red),
                count(Light::Yellow),
                count(Light::Green),
                count(Light::Grey)
            );
            writeln!(out, "{}", output::lights(&summary))?;
            // A late review is its reviewer's lateness: named with the reviewer, not the unit.
            let mut late: Vec<(&str, usize)> = Vec::new();
            for r in rows.iter().filter(|r| r.review_overdue > 0) {
                let reviewer = r.reviewer.as_deref().unwrap_or("?");
                match late.iter_mut().find(|(name, _)| *name == reviewer) {
                    Some((_, n)) => *n += r.review_overdue,
                    None => late.push((reviewer, r.review_overdue)),
                }
            }
            if !late.is_empty() {
                let list: Vec<String> = late.iter().map(|(r, n)| format!("{r} {n}")).collect();
                writeln!(
                    out,
                    "reviews overdue, the reviewers' lateness (审核逾期): {}",
                    list.join(" · ")
                )?;
            }
            let standing = store.standing_duties(&args.filter())?;
            write!(out, "{}", output::standing_duties(&standing))?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// One campaign's status rows, in 80 columns: the unit is shown once per group.
fn status_table(rows: &[StatusRow]) -> String {
    let mut last_unit = String::new();
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let unit = if r.unit == last_unit {
                String::new()
            } else {
                fit(&r.unit, 14)
            };
            last_unit = r.unit.clone();
            vec![
                unit,
                fit(&r.deliverable, 14),
                r.due.to_string(),
                (r.on_time + r.under_review + r.waived).to_string(),
                r.late.to_string(),
                r.overdue.to_string(),
                r.due_soon.to_string(),
                if r.below_target > 0 {
                    format!("{} · below target", light_label(r.light))
                } else {
                    light_label(r.light).to_string()
                },
            ]
        })
        .collect();
    output::table(
        &[
            "unit",
            "deliverable",
            "due",
            "done",
            "late",
            "overdue",
            "soon",
            "light",
        ],
        lines,
    )
}

fn light_word(light: Light) -> &'static str {
    match light {
        Light::Red => "red",
        Light::Yellow => "yellow",
        Light::Green => "green",
        Light::Grey => "grey",
    }
}

fn light_label(light: Light) -> &'static str {
    match light {
        Light::Red => "红 red",
        Light::Yellow => "黄 yellow",
        Light::Green => "绿 green",
        Light::Grey => "灰 grey",
    }
}

/// What falls due within the window.
pub fn due(context: &Context, args: &DueArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.query.as_of);
    let store = context.store_for_reading(as_of)?;
    let mut rows = store.due_within(
        &args.query.filter(),
        as_of,
        match args.within {
            Within::Days(n) => crate::store::Window::Days(n),
            Within::Hours(n) => crate::store::Window::Seconds(n * 3_600),
        },
    )?;
    rows.sort_by(|a, b| (&a.due_date, &a.campaign).cmp(&(&b.due_date, &b.campaign)));
    let mut out = Sink::open(args.query.format, &args.query.file, "将到期")?;
    match args.query.format {
        Format::Json => write_json(&mut out, &rows)?,
        Format::Csv | Format::Xlsx => {
            csv_row(
                &mut out,
                &[
                    "campaign",
                    "deliverable",
                    "unit",
                    "period",
                    "due_date",
                    "due_at",
                    "days_left",
                    "status",
                    "on_time_until",
                ],
            )?;
            for r in &rows {
                let days = r.days_left.to_string();
                csv_row(
                    &mut out,
                    &[
                        &r.campaign,
                        &r.deliverable,
                        &r.unit,
                        r.period.as_deref().unwrap_or(""),
                        &r.due_date,
                        &r.due_at,
                        &days,
                        &r.status.to_string(),
                        &r.on_time_until,
                    ],
                )?;
            }
        }
        Format::Table => {
            let several = rows.iter().any(|r| r.campaign != rows[0].campaign);
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let mut line = vec![
                        due_shown(&r.due_date, &r.on_time_until),
                        r.days_left.to_string(),
                        r.deliverable.to_string(),
                        r.period.as_deref().unwrap_or("—").to_string(),
                        r.unit.to_string(),
                        r.status.to_string(),
                    ];
                    if several {
                        line.insert(2, r.campaign.to_string());
                    }
                    line
                })
                .collect();
            let mut header = vec!["due", "days", "deliverable", "period", "unit", "status"];
            if several {
                header.insert(2, "campaign");
            }
            write!(out, "{}", output::table(&header, lines))?;
            writeln!(out, "{} due", output::plural(rows.len(), "obligation"))?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(text: &str) -> Result<(bool, i64), String> {
        parse_within(text).map(|w| match w {
            Within::Days(d) => (true, d * 24),
            Within::Hours(h) => (false, h),
        })
    }

    #[test]
    fn lengths_are_days_weeks_hours_or_both() {
        assert_eq!(hours("7d"), Ok((true, 168)));
        assert_eq!(hours("7"), Ok((true, 168)));
        assert_eq!(hours("1w"), Ok((true, 168)));
        assert_eq!(hours("3天"), Ok((true, 72)));
        assert_eq!(hours("48h"), Ok((false, 48)));
        assert_eq!(hours("2d12h"), Ok((false, 60)));
        for bad in ["", "d", "7x", "1.5d", "h12", "99999999999999999999d"] {
            assert!(hours(bad).is_err(), "{bad}");
        }
        assert!(hours("36601d").unwrap_err().contains("too long"));
    }
}
