//! Deadlines kept once per deliverable and period (期次), and the owed obligations read through
//! them. Moving a report's day rewrites one row a period, not every obligation sharing it; the
//! price is that "owed by T" is asked of the deadlines first (a few hundred rows a campaign)
//! and then of the obligations under each, through an index keyed by deadline. An extension
//! (延期) is the one deadline an obligation keeps itself, and is found through its own index.
//!
//! The SQL here is both engines'; each gives its [`Dialect`]. Parameters are written `$n`, as
//! in the rest of the shared SQL (SQLite's callers turn them into `?n`).

/// How one engine spells what differs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dialect {
    /// The later of an extension (or none) and the deadline.
    pub effective: &'static str,
    /// `o.active` as its partial indexes name it.
    pub active: &'static str,
    /// The hint to read owed obligations by deadline (SQLite's `INDEXED BY`).
    pub by_deadline: &'static str,
    /// The hint to read owed obligations by extension.
    pub by_extension: &'static str,
}

/// SQLite's: its partial indexes are used only where the query says `active = 1` as they do,
/// and the planner is told which index to take, since its statistics may be stale.
pub(crate) const SQLITE: Dialect = Dialect {
    effective: "max(coalesce(o.extended_due_at, d.due_at), d.due_at)",
    active: "o.active = 1",
    by_deadline: "INDEXED BY obligation_rows_owed",
    by_extension: "INDEXED BY obligation_rows_extended",
};

/// PostgreSQL's.
pub(crate) const POSTGRES: Dialect = Dialect {
    effective: "GREATEST(o.extended_due_at, d.due_at)",
    active: "o.active",
    by_deadline: "",
    by_extension: "",
};

/// The columns every owed row gives: unit, deliverable, period, due date, extension, state,
/// deadline in force, the campaign's deadline, row id, campaign.
fn columns(dialect: Dialect) -> String {
    format!(
        "o.unit_id, o.deliverable_id, o.period, d.due_date, o.extended_until, o.state,
         {} AS effective_due_at, d.due_at, o.id, o.campaign_id",
        dialect.effective
    )
}

/// Owed obligations whose deadline in force is at or before `t` (an SQL expression), of the
/// campaign whose row id is `campaign`: its deadlines passed, then the obligations owed under
/// each, but those extended beyond `t`.
pub(crate) fn owed_by(dialect: Dialect, t: &str, campaign: &str) -> String {
    format!(
        "SELECT {columns}
         FROM deadlines d CROSS JOIN obligation_rows o {hint}
         WHERE d.campaign_id = {campaign} AND d.due_at <= {t} AND o.deadline_id = d.id
           AND o.closed_at IS NULL AND {active}
           AND (o.extended_due_at IS NULL OR o.extended_due_at <= {t})",
        columns = columns(dialect),
        hint = dialect.by_deadline,
        active = dialect.active,
    )
}

/// Owed obligations whose deadline in force falls after `low` (`inclusive`: at or after) and
/// at or before `high`, of the campaign `campaign` (an SQL expression; `None`: every
/// campaign). Two parts that never share a row: those whose deadline falls there (and are not
/// extended past `high`), and those whose deadline came before but whose extension falls there.
pub(crate) fn owed_between(
    dialect: Dialect,
    (low, inclusive): (&str, bool),
    high: &str,
    campaign: Option<&str>,
) -> String {
    let (after, before) = if inclusive { (">=", "<") } else { (">", "<=") };
    let of = |table: &str| {
        campaign
            .map(|c| format!("{table}.campaign_id = {c} AND"))
            .unwrap_or_default()
    };
    format!(
        "SELECT {columns}
         FROM deadlines d CROSS JOIN obligation_rows o {by_deadline}
         WHERE {of_d} d.due_at {after} {low} AND d.due_at <= {high} AND o.deadline_id = d.id
           AND o.closed_at IS NULL AND {active}
           AND (o.extended_due_at IS NULL OR o.extended_due_at <= {high})
         UNION ALL
         SELECT {columns}
         FROM obligation_rows o {by_extension} CROSS JOIN deadlines d
         WHERE {of_o} o.extended_due_at {after} {low} AND o.extended_due_at <= {high}
           AND o.closed_at IS NULL AND {active} AND o.extended_due_at IS NOT NULL
           AND d.id = o.deadline_id AND d.due_at {before} {low}",
        columns = columns(dialect),
        by_deadline = dialect.by_deadline,
        by_extension = dialect.by_extension,
        active = dialect.active,
        of_d = of("d"),
        of_o = of("o"),
    )
}

/// The moves of one obligation's deadline, oldest first: (when, date before, date after, the
/// latest event's row id then).
pub(crate) const MOVES: &str = "SELECT c.at, c.from_date, c.to_date, c.events_before
     FROM deadline_changes c JOIN obligation_rows o ON o.deadline_id = c.deadline_id
     WHERE o.id = $1 ORDER BY c.id";

/// A move of a deadline, as [`MOVES`] reads it.
#[derive(Clone, Debug)]
pub(crate) struct Move {
    /// When the sync moved it.
    pub at: i64,
    /// The due date before.
    pub from: String,
    /// The due date after.
    pub to: String,
    /// The latest event's row id then: the obligation had history if it had an event up to it.
    pub events_before: i64,
}

/// An obligation's deadline moves, shown in its history as its `due_changed` events were
/// before deadlines were kept apart: each where it happened among the events (after those
/// recorded before it), and only if the obligation had an event by then and was in the file.
/// While it was out of the file (`removed`, until `restored`) its date stood still: a move
/// then is not shown, and on its return it is told the move from the date it had, if any.
pub(crate) struct Moves {
    pending: std::collections::VecDeque<Move>,
    seen: bool,
    active: bool,
    /// While out of the file: the date it had when it went, once a move has said it, and the
    /// date it has now.
    had: Option<(String, String)>,
}

impl Moves {
    /// The moves of one obligation, oldest first.
    pub fn new(moves: Vec<Move>) -> Moves {
        Moves {
            pending: moves.into(),
            seen: false,
            active: true,
            had: None,
        }
    }

    /// At the obligation's event of row id `id`, `kind` and instant `at` (every one, shown or
    /// not, in id order): the moves made before it that it was told of. Back in the file, it
    /// is told first where its deadline went while it was out.
    pub fn at_event(
        &mut self,
        (id, kind, at): (i64, &str, i64),
        out: &mut Vec<super::HistoryEvent>,
        time: &dyn Fn(i64) -> String,
    ) {
        while self.pending.front().is_some_and(|m| m.events_before < id) {
            let m = self.pending.pop_front().expect("just seen");
            self.tell(m, out, time);
        }
        self.seen = true;
        match kind {
            "removed" => self.active = false,
            "restored" => {
                self.active = true;
                if let Some((from, to)) = self.had.take().filter(|(from, to)| from != to) {
                    let events_before = id;
                    out.push(event(
                        Move {
                            at,
                            from,
                            to,
                            events_before,
                        },
                        time,
                    ));
                }
            }
            _ => {}
        }
    }

    /// After the last event: the moves made since that it was told of.
    pub fn rest(mut self, out: &mut Vec<super::HistoryEvent>, time: &dyn Fn(i64) -> String) {
        while let Some(m) = self.pending.pop_front() {
            self.tell(m, out, time);
        }
    }

    fn tell(&mut self, m: Move, out: &mut Vec<super::HistoryEvent>, time: &dyn Fn(i64) -> String) {
        if !self.seen {
            return;
        }
        if !self.active {
            let had = self
                .had
                .get_or_insert_with(|| (m.from.clone(), m.to.clone()));
            had.1 = m.to;
            return;
        }
        out.push(event(m, time));
    }
}

/// A move as a history's `due_changed` event.
fn event(m: Move, time: &dyn Fn(i64) -> String) -> super::HistoryEvent {
    super::HistoryEvent {
        kind: "due_changed".into(),
        at: time(m.at),
        recorded_at: time(m.at),
        backfilled: false,
        by: None,
        reason: None,
        note: None,
        data: serde_json::json!({ "from": m.from, "to": m.to }),
        files: Vec::new(),
        values: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(at: i64, from: &str, to: &str, events_before: i64) -> Move {
        Move {
            at,
            from: from.into(),
            to: to.into(),
            events_before,
        }
    }

    /// The history of an obligation of events `(id, kind)` with `moves`: kinds, and each
    /// move's dates.
    fn told(events: &[(i64, &str)], moves: Vec<Move>) -> Vec<String> {
        let time = |t: i64| t.to_string();
        let mut moves = Moves::new(moves);
        let mut out = Vec::new();
        for &(id, kind) in events {
            moves.at_event((id, kind, id * 10), &mut out, &time);
            out.push(event(m(id * 10, "", "", 0), &time));
            out.last_mut().unwrap().kind = kind.into();
        }
        moves.rest(&mut out, &time);
        out.iter()
            .map(|e| match e.kind.as_str() {
                "due_changed" => format!("{}→{}", e.data["from"], e.data["to"]).replace('"', ""),
                kind => kind.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_move_is_told_among_the_events_only_to_an_obligation_with_history_then() {
        let moves = || vec![m(1, "05-25", "05-24", 4), m(2, "05-24", "05-23", 9)];
        assert_eq!(
            told(&[(3, "submitted"), (7, "returned")], moves()),
            ["submitted", "05-25→05-24", "returned", "05-24→05-23"]
        );
        // No event before the first move: only the second is told.
        assert_eq!(
            told(&[(6, "extended")], moves()),
            ["extended", "05-24→05-23"]
        );
        assert_eq!(told(&[], moves()), Vec::<String>::new());
    }

    #[test]
    fn out_of_the_file_its_date_stands_still_and_on_return_it_is_told_where_it_went() {
        // Removed, moved twice while out, back: told 25 → 23 before it is back.
        let moves = vec![m(1, "05-25", "05-24", 4), m(2, "05-24", "05-23", 6)];
        assert_eq!(
            told(&[(3, "submitted"), (4, "removed"), (8, "restored")], moves),
            ["submitted", "removed", "05-25→05-23", "restored"]
        );
        // Moved while out and back where it was: nothing to tell.
        let moves = vec![m(1, "05-25", "05-19", 4), m(2, "05-19", "05-25", 6)];
        assert_eq!(
            told(&[(3, "submitted"), (4, "removed"), (8, "restored")], moves),
            ["submitted", "removed", "restored"]
        );
    }
}
