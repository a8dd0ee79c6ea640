//! What submissions say, as the office asks about it: a deliverable's form and thresholds,
//! where each unit stands with one period's report, the sums of the values that count (by unit
//! or by parent, added up in the database), targets' values, and a shared value (一表通) a unit
//! reported for another form. The SQL here is the same for both backends; each runs it.

use serde::Serialize;

use super::StoreError;
use super::lifecycle::unknown_name;
pub use super::rows::{LedgerRules, Threshold};
use crate::language::form::Form;
use crate::values::FieldValue;

/// A deliverable, as far as its contents go.
#[derive(Clone, Debug, PartialEq)]
pub struct Described {
    /// Its campaign's id in the store.
    pub campaign_id: i64,
    /// Its id in the store.
    pub id: i64,
    /// `report`, `measure` or `target`.
    pub kind: String,
    /// The form its submissions carry, if it has one.
    pub form: Option<Form>,
    /// A target's thresholds, by period.
    pub thresholds: Vec<Threshold>,
    /// For a ledger: its rules.
    pub ledger: Option<LedgerRules>,
    /// The reviewer's own time (`审核时限`), where its submissions are reviewed and the campaign
    /// gives one.
    pub review_within: Option<crate::vocabulary::Duration>,
    /// What its units may ask for, as the campaign says.
    pub asks: Asks,
}

/// A row to enter in a ledger: its responsible unit, its deadline, its values.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRow {
    /// The responsible unit.
    pub unit: String,
    /// The last day to close it out.
    pub due_date: chrono::NaiveDate,
    /// The instant it becomes overdue (unix seconds).
    pub due_at: i64,
    /// Its values.
    pub values: Vec<FieldValue>,
    /// Files kept with its entry (a leader's instruction as written, 批示件).
    pub files: Vec<crate::store::Upload>,
}

/// A ledger's row as it stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LedgerRow {
    /// `#3`.
    pub row: String,
    /// The responsible unit.
    pub unit: String,
    /// The deadline in force.
    pub due_date: String,
    /// The instant it becomes overdue (unix seconds).
    #[serde(skip)]
    pub due_at: i64,
    /// The obligation's state.
    #[serde(skip)]
    pub state: String,
    /// How many times its values were updated (整改中).
    #[serde(skip)]
    pub updates: i64,
    /// Its current values.
    pub values: Vec<FieldValue>,
    /// Its obligation's row in the store.
    #[serde(skip)]
    pub id: i64,
    /// When it was entered (unix seconds), if the history says.
    #[serde(skip)]
    pub entered_at: Option<i64>,
}

/// Where one unit stands with one period's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The unit.
    pub unit: String,
    /// Its parent unit.
    pub parent: Option<String>,
    /// The obligation's state (`open`, `review`, `received`, `returned`, `waived`).
    pub state: String,
    /// Whether the submission that counts carries values.
    pub has_values: bool,
    /// The deadline: an extension's, if granted.
    pub due_date: String,
    /// Whether what was submitted came in by the deadline (an extension's, if granted).
    pub on_time: bool,
    /// The obligation's row id.
    pub id: i64,
}

/// The sum of one field over the units that share a key (a unit, or a parent).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sum {
    /// The unit, or the parent the units are under (`""` for none).
    pub key: String,
    /// The field.
    pub field: String,
    /// The sum of its numbers.
    pub sum: Option<f64>,
    /// How many numbers were added.
    pub count: i64,
    /// How many of them were reused from another form (一表通).
    pub reused: i64,
    /// A text value (for one unit).
    pub text: Option<String>,
}

/// A target's obligation and the value reported for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetValue {
    /// Campaign.
    pub campaign: String,
    /// The target.
    pub deliverable: String,
    /// The unit.
    pub unit: String,
    /// Its period (the threshold's date).
    pub period: String,
    /// The deadline.
    pub due_date: String,
    /// The end of the deadline (unix seconds).
    pub due_at: i64,
    /// The obligation's state.
    pub state: String,
    /// The value reported, if any.
    pub value: Option<f64>,
    /// The target's thresholds.
    #[serde(skip)]
    pub thresholds: Vec<Threshold>,
}

/// What a report's units may ask for, as the campaign says (the `asks` column, JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Asks {
    /// More time (申请延期): how many requests, how far past the deadline; none: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<crate::language::ast::ExtensionRule>,
    /// How soon its units acknowledge each notice of it (签收); none: not asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge: Option<crate::language::ast::AckWithin>,
    /// The unit that answers its units' requests for more time (`由 县纪委 审批`), beside the
    /// office; none: the office alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// A part its owers pass down when they choose (`分解 到 下级` without a time): owed only
    /// once passed down, never from the file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub passed: bool,
}

/// A deliverable's row: id, kind, form, thresholds.
pub(super) const DESCRIBE: &str =
    "SELECT d.id, d.kind, d.form, d.thresholds, d.ledger, d.review_within, d.asks FROM deliverables d
     WHERE d.campaign_id = $1 AND d.name = $2";

/// A campaign's groups (JSON), read only by what needs them: a national campaign's are large.
pub(super) const GROUPS: &str = "SELECT groups FROM campaigns WHERE id = $1";

/// The periods of a deliverable, by deadline.
pub(super) const PERIODS: &str =
    "SELECT period FROM obligations WHERE deliverable_id = $1 AND active
     GROUP BY period ORDER BY min(due_at), period";

/// Who owes one period's report, and where each stands.
pub(super) const STANDINGS: &str = "SELECT u.name, u.parent, o.state, o.values_event IS NOT NULL,
            coalesce(o.extended_until, o.due_date),
            coalesce(o.submitted_at < o.effective_due_at, false), o.id
     FROM obligations o JOIN units u ON u.id = o.unit_id
     WHERE o.deliverable_id = $1 AND o.period = $2 AND o.active ORDER BY u.id";

/// Sums of the values that count (received submissions), by the unit `up` levels above each
/// unit that reported (0: the unit itself, 1: its parent, 2: its parent's parent …), so that
/// the database answers with one row per field and ancestor. With `then`, as they stood at the
/// instant `$3`: the values of the latest submission made by then, where the latest decision
/// by then left it counted (received, or accepted by its reviewer) — read from the history,
/// which only an answer about an instant before the latest act needs.
pub(super) fn sums_sql(up: usize, then: bool) -> String {
    let mut joins = String::new();
    let key = match up {
        0 => "u.name".to_string(),
        1 => "coalesce(u.parent, '')".to_string(),
        _ => {
            let mut below = "u".to_string();
            for level in 1..up {
                joins.push_str(&format!(
                    " JOIN units a{level} ON a{level}.campaign_id = u.campaign_id AND a{level}.name = {below}.parent"
                ));
                below = format!("a{level}");
            }
            format!("coalesce({below}.parent, '')")
        }
    };
    // A text is a unit's own (its row shows it); above a unit there is none to show, and
    // aggregating text costs a third of the statement's time.
    let text = if up == 0 { "max(v.text)" } else { "NULL" };
    if then {
        return format!(
            "SELECT {key}, v.field, sum(v.number), count(v.number), count(v.reused_from), {text}
             FROM obligations o JOIN units u ON u.id = o.unit_id{joins}
             JOIN deliverables d ON d.id = o.deliverable_id
             JOIN field_values v ON v.event_id = (SELECT e.id FROM events e
                 WHERE e.obligation_id = o.id AND e.kind IN ('submitted', 'updated')
                   AND e.at <= $3 ORDER BY e.id DESC LIMIT 1)
             WHERE o.deliverable_id = $1 AND o.period = $2 AND o.active
               AND (SELECT CASE WHEN e.kind = 'review_accepted'
                                  OR (e.kind = 'submitted' AND d.review IS NULL) THEN 1 ELSE 0 END
                    FROM events e WHERE e.obligation_id = o.id
                      AND e.kind IN ('submitted', 'review_accepted', 'review_returned', 'returned', 'waived')
                      AND e.at <= $3 ORDER BY e.id DESC LIMIT 1) = 1
             GROUP BY 1, 2"
        );
    }
    format!(
        "SELECT {key}, v.field, sum(v.number), count(v.number), count(v.reused_from), {text}
         FROM obligations o JOIN units u ON u.id = o.unit_id{joins}
         JOIN field_values v ON v.event_id = o.values_event
         WHERE o.deliverable_id = $1 AND o.period = $2 AND o.active AND o.state = 'received'
         GROUP BY 1, 2"
    )
}

/// Every target's obligations with the value reported for them (of one campaign, or all).
/// Driven from the targets (`IN`), never by a scan of every obligation.
pub(super) const TARGETS: &str =
    "SELECT c.key, d.name, u.name, o.period, o.due_date, o.due_at, o.state, v.number, d.thresholds
     FROM obligations o JOIN deliverables d ON d.id = o.deliverable_id
     JOIN campaigns c ON c.id = o.campaign_id JOIN units u ON u.id = o.unit_id
     LEFT JOIN field_values v ON v.event_id = o.values_event AND v.field = d.name
     WHERE o.deliverable_id IN (SELECT id FROM deliverables WHERE kind = 'target')
       AND o.active AND ($1 = '' OR c.key = $1)
     ORDER BY c.key, o.due_at, d.name, u.id";

/// [`TARGETS`] of one campaign (`$1`) as they stood at the instant `$2`: each state after the
/// latest act by then, and the value of the latest submission made by then.
pub(super) const TARGETS_THEN: &str =
    "SELECT c.key, d.name, u.name, o.period, o.due_date, o.due_at,
            CASE (SELECT e.kind FROM events e WHERE e.obligation_id = o.id
                    AND e.kind IN ('submitted', 'review_accepted', 'review_returned', 'returned', 'waived')
                    AND e.at <= $2 ORDER BY e.id DESC LIMIT 1)
                WHEN 'submitted' THEN CASE WHEN d.review IS NULL THEN 'received' ELSE 'review' END
                WHEN 'review_accepted' THEN 'received'
                WHEN 'waived' THEN 'waived'
                WHEN 'returned' THEN 'returned'
                WHEN 'review_returned' THEN 'returned'
                ELSE 'open' END,
            v.number, d.thresholds
     FROM obligations o JOIN deliverables d ON d.id = o.deliverable_id
     JOIN campaigns c ON c.id = o.campaign_id JOIN units u ON u.id = o.unit_id
     LEFT JOIN field_values v ON v.field = d.name AND v.event_id = (SELECT e.id FROM events e
         WHERE e.obligation_id = o.id AND e.kind = 'submitted' AND e.at <= $2
         ORDER BY e.id DESC LIMIT 1)
     WHERE o.deliverable_id IN (SELECT id FROM deliverables WHERE kind = 'target')
       AND o.active AND c.key = $1
     ORDER BY c.key, o.due_at, d.name, u.id";

/// The latest value a unit (by name, in any campaign) reported under a shared key for a
/// period, entered rather than itself reused, on a submission that counts.
pub(super) const SHARED: &str = "SELECT v.number, v.text, v.event_id
     FROM field_values v JOIN obligations o ON o.id = v.obligation_id
     JOIN units u ON u.id = o.unit_id
     WHERE v.shared = $1 AND u.name = $2 AND o.period = $3 AND o.values_event = v.event_id
       AND o.state = 'received' AND v.reused_from IS NULL
     ORDER BY v.event_id DESC LIMIT 1";

/// The values a submission (its event) carries.
pub(super) const EVENT_VALUES: &str =
    "SELECT field, number, text, shared, reused_from FROM field_values WHERE event_id = $1
     ORDER BY position";

/// A row just entered, as a change: owed, its deadline to come (or already past). Worked out
/// from what was written, without reading the row back.
pub(super) fn entered(
    key: &super::Key<'_>,
    row: &NewRow,
    period: &str,
    soon_days: i64,
    at: i64,
) -> super::Change {
    let record = crate::ledger::Record {
        state: crate::ledger::State::Open,
        submitted_at: None,
        closed_at: None,
        due_at: row.due_at,
        effective_due_at: row.due_at,
        soon_seconds: soon_days * 86_400,
        review_due: None,
    };
    let at_row = super::Key {
        unit: &row.unit,
        ..*key
    };
    super::Change {
        obligation: super::lifecycle::label(&at_row, period),
        status: record.status_at(at),
        due_date: row.due_date.to_string(),
        waiting_for: None,
    }
}

/// How many rows a ledger has had (its next row is one more).
pub(super) const ROW_COUNT: &str = "SELECT count(*) FROM deadlines WHERE deliverable_id = $1";

/// A ledger's new row's own deadline: campaign, ledger, `#n`, due date, due instant.
pub(super) const INSERT_ROW_DEADLINE: &str = "INSERT INTO deadlines
         (campaign_id, deliverable_id, period, due_date, due_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING id";

/// The deadline of the parts one unit passed down for a period: its own row, keyed by the
/// period and the unit (`2017-05@宛城区`), since each unit gives its own date and a deadline is
/// otherwise one per report and period.
pub(super) fn passed_deadline(period: &str, from: &str) -> String {
    format!("{period}@{from}")
}

/// The event of a part passed down: obligation, at, recorded at, by, note, data.
pub(super) const INSERT_PASSED: &str = "INSERT INTO events
         (obligation_id, kind, at, recorded_at, actor, note, data)
     VALUES ($1, 'passed_down', $2, $3, $4, $5, $6)";

/// Whether a unit passed a period down already: deliverable, the deadline's key.
pub(super) const PASSED_ALREADY: &str =
    "SELECT 1 FROM deadlines WHERE deliverable_id = $1 AND period = $2";

/// Whether a unit owes a deliverable for a period already: deliverable, unit, period.
pub(super) const OWES_ALREADY: &str =
    "SELECT 1 FROM obligation_rows WHERE deliverable_id = $1 AND unit_id = $2 AND period = $3";

/// What a passed-down part's event records: who passed it down.
pub(super) fn passed_data(from: &str) -> String {
    serde_json::json!({ "from": from }).to_string()
}

/// A ledger's new row: campaign, ledger, unit, `#n`, its deadline's row id.
pub(super) const INSERT_ROW: &str = "INSERT INTO obligation_rows
         (campaign_id, deliverable_id, unit_id, period, deadline_id)
     VALUES ($1, $2, $3, $4, $5) RETURNING id";

/// The event of a row's entry: obligation, at, recorded at, by, note.
pub(super) const INSERT_ENTERED: &str = "INSERT INTO events
         (obligation_id, kind, at, recorded_at, actor, note, data)
     VALUES ($1, 'entered', $2, $3, $4, $5, '{}') RETURNING id";

/// A ledger's rows with their current values, in order.
pub(super) const LEDGER_ROWS: &str =
    "SELECT o.id, o.period, u.name, coalesce(o.extended_until, o.due_date), o.effective_due_at,
            o.state, (SELECT count(*) FROM events e WHERE e.obligation_id = o.id AND e.kind = 'updated'),
            v.field, v.number, v.text, v.shared, v.reused_from,
            (SELECT min(e.at) FROM events e WHERE e.obligation_id = o.id AND e.kind = 'entered')
     FROM obligations o JOIN units u ON u.id = o.unit_id
     LEFT JOIN field_values v ON v.event_id = o.values_event
     WHERE o.deliverable_id = $1 AND o.active ORDER BY o.id, v.position";

/// The rows of [`LEDGER_ROWS`] — one per value, each with its obligation's id — folded into
/// a ledger's rows, each with its values.
pub(super) fn fold_rows(
    flat: impl IntoIterator<Item = (i64, LedgerRow, Option<FieldValue>)>,
) -> Vec<LedgerRow> {
    let mut out: Vec<(i64, LedgerRow)> = Vec::new();
    for (id, row, value) in flat {
        if out.last().is_none_or(|(last, _)| *last != id) {
            out.push((id, LedgerRow { id, ..row }));
        }
        if let (Some(value), Some((_, last))) = (value, out.last_mut()) {
            last.values.push(value);
        }
    }
    out.into_iter().map(|(_, row)| row).collect()
}

/// The units of a campaign with their parents, in declaration order.
pub(super) const UNITS: &str = "SELECT name, parent FROM units WHERE campaign_id = $1 ORDER BY id";
/// A campaign unit's name with its own mailbox and phone.
pub type UnitReach = (String, Option<String>, Option<String>);

/// A campaign's units with their own mailbox and phone, in declaration order.
pub(super) const UNIT_REACH: &str =
    "SELECT name, email, phone FROM units WHERE campaign_id = $1 ORDER BY id";

/// The campaign's id, or the refusal naming the nearest campaign.
pub(super) fn campaign_id(
    key: &str,
    id: Option<i64>,
    known: impl FnOnce() -> Result<Vec<String>, StoreError>,
) -> Result<i64, StoreError> {
    match id {
        Some(id) => Ok(id),
        None => Err(unknown_name("campaign", key, &known()?).into()),
    }
}

/// A deliverable's row as [`DESCRIBE`] reads it: ids, kind, and the JSON columns.
pub(super) struct Columns {
    pub campaign_id: i64,
    pub id: i64,
    pub kind: String,
    pub form: Option<String>,
    pub thresholds: Option<String>,
    pub ledger: Option<String>,
    pub review_within: Option<String>,
    pub asks: Option<String>,
}

/// Reads a deliverable's form, thresholds and ledger rules from their columns.
pub(super) fn described(c: Columns) -> Result<Described, StoreError> {
    use super::decode::json;
    Ok(Described {
        campaign_id: c.campaign_id,
        id: c.id,
        kind: c.kind,
        form: c.form.as_deref().map(json).transpose()?,
        thresholds: c
            .thresholds
            .as_deref()
            .map(json)
            .transpose()?
            .unwrap_or_default(),
        ledger: c.ledger.as_deref().map(json).transpose()?,
        review_within: c.review_within.as_deref().map(json).transpose()?,
        asks: c.asks.as_deref().map(json).transpose()?.unwrap_or_default(),
    })
}

/// A campaign's groups from their column.
pub(super) fn groups_of(text: Option<&str>) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    Ok(text
        .map(super::decode::json)
        .transpose()?
        .unwrap_or_default())
}

/// The shared value found for `key`, as the field `field` of another form reuses it.
pub(super) fn reused(
    field: &str,
    key: &str,
    found: Option<(Option<f64>, Option<String>, i64)>,
) -> Option<FieldValue> {
    let (number, text, event) = found?;
    Some(FieldValue {
        field: field.to_string(),
        number,
        text,
        shared: Some(key.to_string()),
        reused_from: Some(event),
    })
}
