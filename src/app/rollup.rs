//! Roll-ups (汇总): the numbers of one period's reports added up the unit hierarchy — by unit
//! (the document's own table, with its 合计 row), by parent, by level, or by the campaign's
//! groups — with the units that have not reported named in every row, so that a total is never
//! silently partial. The sums are made by the database; only the few rows of its answer are
//! added up further here.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::hierarchy::Hierarchy;
use super::{AppError, Office};
use crate::clock::Instant;
use crate::language::form::{Total, num};
use crate::store::{Backend, Standing, Sum};

/// How the rows of a roll-up are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum By {
    /// One row per unit that owes the report.
    Unit,
    /// One row per parent unit, adding up the units under it.
    Parent,
    /// One row per unit at this depth of the hierarchy (1: the top), adding up all below.
    Level(usize),
    /// One row per group of the campaign.
    Groups,
    /// One row per member of this group.
    Group(String),
}

/// A grouping by level whose level is not a number from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}`: a level is a number from 1, as in level:2")]
pub struct BadLevel(pub String);

impl std::str::FromStr for By {
    type Err = BadLevel;

    /// `unit`, `parent`, `level:2` (or `level2`), `groups`, or the name of a group.
    fn from_str(text: &str) -> Result<By, BadLevel> {
        Ok(match text {
            "unit" | "单位" => By::Unit,
            "parent" | "上级" => By::Parent,
            "groups" | "group" | "分组" => By::Groups,
            other => match other
                .strip_prefix("level")
                .map(|n| n.trim_start_matches([':', '=']))
            {
                Some(n) => By::Level(
                    n.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| BadLevel(text.to_string()))?,
                ),
                None => By::Group(other.to_string()),
            },
        })
    }
}

/// One row of a roll-up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RollupRow {
    /// The unit, parent or group.
    pub name: String,
    /// For a unit's own row: `reported`, `not reported`, `awaiting review`, `returned`,
    /// `waived`, `no figures` (a submission without values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Units whose figures are in the row.
    pub reported: usize,
    /// Of them, those whose report came in by its deadline (DHIS2's "reporting rate on time").
    pub on_time: usize,
    /// Units that owe it (waived ones left out).
    pub owed: usize,
    /// Every field's value: the sum of the numbers (the mean, for a percentage), a unit's own
    /// text.
    pub values: BTreeMap<String, String>,
    /// Each numeric field's sum and how many numbers went into it, until the row is done.
    #[serde(skip)]
    totals: BTreeMap<String, (f64, i64)>,
    /// Figures taken from another form (一表通) rather than entered again.
    pub reused: i64,
    /// The units that owe it and whose figures are not in the row.
    pub missing: Vec<String>,
}

impl RollupRow {
    fn new(name: &str) -> RollupRow {
        RollupRow {
            name: name.to_string(),
            status: None,
            reported: 0,
            on_time: 0,
            owed: 0,
            values: BTreeMap::new(),
            totals: BTreeMap::new(),
            reused: 0,
            missing: Vec::new(),
        }
    }

    /// Whether every unit that owes it is in it.
    pub fn complete(&self) -> bool {
        self.reported == self.owed
    }

    /// The share of the units that owe it whose figures are in (报送率), in percent.
    pub fn reporting_rate(&self) -> Option<f64> {
        rate(self.reported, self.owed)
    }

    /// The share that reported by the deadline (及时率), in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.on_time, self.owed)
    }
}

/// `part` of `whole` in percent, to one place; none of nothing.
fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// A roll-up of one period's report.
#[derive(Clone, Debug, Serialize)]
pub struct Rollup {
    /// Campaign.
    pub campaign: String,
    /// The report.
    pub deliverable: String,
    /// The period (`""` for a one-off).
    pub period: String,
    /// The form's title, for the heading.
    pub title: String,
    /// The columns: the form's fields, in order.
    pub fields: Vec<String>,
    /// The rows.
    pub rows: Vec<RollupRow>,
    /// The total over every unit (合计).
    pub total: RollupRow,
    /// Recorded values the form no longer has or allows (the campaign file changed since).
    pub unfit: Vec<String>,
}

/// What the roll-up of each unit's standing is.
struct Owing<'s> {
    standing: &'s Standing,
    counted: bool,
}

/// A sum of parts: each field's value as `FIELD=VALUE` takes it, and the parts not in yet.
pub type Parts = (Vec<(String, String)>, Vec<String>);

pub use crate::language::campaign::part_of;

impl Office {
    /// What `unit`'s report `deliverable` of `period` adds up to from its sub-units' parts
    /// (`分解 到 下级`) as they stood at `as_of`: each numeric field's sum, as `FIELD=VALUE`
    /// pairs a submission takes, and the sub-units whose part is not in yet.
    pub fn sum_of_parts(
        &self,
        store: &dyn Backend,
        campaign: &str,
        deliverable: &str,
        (unit, period): (&str, Option<&str>),
        as_of: Instant,
    ) -> Result<Parts, AppError> {
        let part = part_of(deliverable);
        let known = store
            .describe(campaign, &part)
            .map(|_| ())
            .map_err(|_| AppError::NotSplit {
                deliverable: deliverable.to_string(),
            });
        known?;
        let rollup = self.rollup(store, campaign, &part, (period, &By::Parent), as_of)?;
        let Some(row) = rollup.rows.iter().find(|r| r.name == unit) else {
            return Err(AppError::NoParts {
                unit: unit.to_string(),
                deliverable: deliverable.to_string(),
            });
        };
        let values = rollup
            .fields
            .iter()
            .filter_map(|f| row.values.get(f).map(|v| (f.clone(), v.clone())))
            .collect();
        Ok((values, row.missing.clone()))
    }

    /// [`Office::sum_of_parts`] for a submission made from it: refused while no part is in, so
    /// that nothing is sent as a report that adds up nothing.
    pub fn values_from_parts(
        &self,
        store: &dyn Backend,
        campaign: &str,
        deliverable: &str,
        (unit, period): (&str, Option<&str>),
        as_of: Instant,
    ) -> Result<Parts, AppError> {
        let (values, missing) =
            self.sum_of_parts(store, campaign, deliverable, (unit, period), as_of)?;
        if values.is_empty() {
            return Err(AppError::NoPartsIn {
                unit: unit.to_string(),
                deliverable: deliverable.to_string(),
                missing,
            });
        }
        Ok((values, missing))
    }

    /// The roll-up of `deliverable`'s `period` (which a one-off may leave out), by `by`, as
    /// it stood at `as_of`: what was submitted, returned or accepted later had not happened.
    pub fn rollup(
        &self,
        store: &dyn Backend,
        campaign: &str,
        deliverable: &str,
        (period, by): (Option<&str>, &By),
        as_of: Instant,
    ) -> Result<Rollup, AppError> {
        let described = store.describe(campaign, deliverable)?;
        let form = described.form.clone().ok_or_else(|| AppError::NoForm {
            deliverable: deliverable.to_string(),
        })?;
        let (period, mut standings) = pick_period(store, &described, deliverable, period)?;
        // Acts done after `as_of` are undone: each standing as it was then, and the sums read
        // from the history (only then: the latest records answer the present).
        let overlay = store.acted_after(described.campaign_id, as_of)?;
        for s in &mut standings {
            if let Some(then) = overlay.get(&s.id) {
                s.state = then.record.state.as_str().to_string();
                s.due_date = then.extended_until.clone().unwrap_or(then.due_date.clone());
                s.on_time = then
                    .record
                    .submitted_at
                    .is_some_and(|at| at < then.record.effective_due_at);
            }
        }
        let then = if overlay.is_empty() {
            None
        } else {
            Some(as_of.in_zone(store.campaign_zone(campaign)?).timestamp())
        };
        // The hierarchy is read only for rows by parent or level.
        let tree = match by {
            By::Parent | By::Level(_) => store.unit_tree(described.campaign_id)?,
            _ => Vec::new(),
        };
        let hierarchy = Hierarchy::new(&tree);
        let owing: Vec<Owing<'_>> = standings
            .iter()
            .map(|s| Owing {
                standing: s,
                counted: s.state == "received" && s.has_values,
            })
            .collect();
        // The groups are read only for rows by group: a national campaign's are large.
        let groups = match by {
            By::Groups | By::Group(_) => store.groups(described.campaign_id)?,
            _ => Vec::new(),
        };
        let members: HashMap<&str, &Vec<String>> =
            groups.iter().map(|(g, m)| (g.as_str(), m)).collect();
        if let By::Group(name) = by
            && !members.contains_key(name.as_str())
        {
            let names = groups.iter().map(|g| g.0.as_str());
            return Err(unknown("group", name, names));
        }
        let buckets = |unit: &str| -> Vec<String> {
            match by {
                By::Unit => vec![unit.to_string()],
                By::Parent => vec![hierarchy.parent(unit).unwrap_or("（无上级）").to_string()],
                By::Level(n) => vec![hierarchy.ancestor(unit, *n).to_string()],
                By::Groups => groups
                    .iter()
                    .filter(|(_, m)| m.iter().any(|u| u == unit))
                    .map(|(g, _)| g.clone())
                    .collect(),
                By::Group(g) => members[g.as_str()]
                    .iter()
                    .any(|u| u == unit)
                    .then(|| unit.to_string())
                    .into_iter()
                    .collect(),
            }
        };
        // The database adds up to the rows' units itself when it can say which they are: a
        // parent, or (every unit that owes it as deep as the others) the ancestor at a level.
        let up = match by {
            By::Parent => 1,
            By::Level(n) => {
                let mut depths = owing.iter().map(|o| hierarchy.depth(&o.standing.unit));
                match depths.next() {
                    Some(d) if d > *n && depths.all(|e| e == d) => d - n,
                    _ => 0,
                }
            }
            _ => 0,
        };
        let sums = store.sums(described.id, &period, up, then)?;
        // A unit's own rows show its standing and its texts; other rows only add up.
        let per_unit = *by == By::Unit || matches!(by, By::Group(_));
        let mut table = Table::default();
        for o in &owing {
            table.count(o, &buckets(&o.standing.unit), per_unit);
        }
        let mut unfit = Vec::new();
        for sum in &sums {
            let Some(field) = form.field(&sum.field) else {
                unfit.push(format!(
                    "{}: {} is no longer a field of form {} ({} value(s) kept, not added up)",
                    sum.key, sum.field, form.name, sum.count
                ));
                continue;
            };
            let targets: Vec<String> = match up {
                0 => buckets(&sum.key),
                _ if sum.key.is_empty() => vec!["（无上级）".to_string()],
                _ => vec![sum.key.clone()],
            };
            if up == 0
                && let Some(n) = sum.sum
                && let Err(why) = crate::values::parse(field, &num(n))
            {
                unfit.push(format!(
                    "{}: {} = {} {why} now",
                    sum.key,
                    field.name,
                    num(n)
                ));
            }
            table.add(sum, field.kind.is_numeric(), &targets, per_unit);
        }
        let Table {
            mut rows,
            mut total,
            ..
        } = table;
        for row in rows.iter_mut().chain(std::iter::once(&mut total)) {
            finish(row, &form);
        }
        Ok(Rollup {
            campaign: campaign.to_string(),
            deliverable: deliverable.to_string(),
            period,
            title: form.title.clone().unwrap_or_else(|| form.name.clone()),
            fields: form.fields.iter().map(|f| f.name.clone()).collect(),
            rows,
            total,
            unfit,
        })
    }
}

/// The rows of a roll-up as they are made, by name, and the total.
struct Table {
    rows: Vec<RollupRow>,
    index: HashMap<String, usize>,
    total: RollupRow,
}

impl Default for Table {
    fn default() -> Table {
        Table {
            rows: Vec::new(),
            index: HashMap::new(),
            total: RollupRow::new("合计"),
        }
    }
}

impl Table {
    /// Counts a unit that owes the report into the total and into each of its rows.
    fn count(&mut self, o: &Owing<'_>, buckets: &[String], per_unit: bool) {
        let unit = o.standing.unit.as_str();
        let waived = o.standing.state == "waived";
        let tally = |row: &mut RollupRow| {
            if !waived {
                row.owed += 1;
                if o.counted {
                    row.reported += 1;
                    row.on_time += usize::from(o.standing.on_time);
                } else {
                    row.missing.push(unit.to_string());
                }
            }
        };
        tally(&mut self.total);
        for bucket in buckets {
            let rows = &mut self.rows;
            let at = *self.index.entry(bucket.clone()).or_insert_with(|| {
                rows.push(RollupRow::new(bucket));
                rows.len() - 1
            });
            if per_unit {
                self.rows[at].status = Some(status(o).to_string());
            }
            tally(&mut self.rows[at]);
        }
    }

    /// Adds one field's sum into the total and into the rows named `targets`.
    fn add(&mut self, sum: &Sum, numeric: bool, targets: &[String], per_unit: bool) {
        add(&mut self.total, sum, numeric, false);
        for target in targets {
            if let Some(&at) = self.index.get(target) {
                add(&mut self.rows[at], sum, numeric, per_unit);
            }
        }
    }
}

/// Adds one field's sum into a row: numbers add; a unit's own row shows its text.
fn add(row: &mut RollupRow, sum: &Sum, numeric: bool, single: bool) {
    row.reused += sum.reused;
    if numeric {
        if let Some(n) = sum.sum {
            let total = row.totals.entry(sum.field.clone()).or_default();
            total.0 += n;
            total.1 += sum.count;
        }
    } else if single && let Some(text) = &sum.text {
        row.values.insert(sum.field.clone(), text.clone());
    }
}

/// A row's figures as shown, each as its field adds up: counts and amounts add; a percentage
/// (a share of something each unit has its own of) is the mean of the units' — 40% and 60%
/// make 50%, not 100%; a field that does not add up shows only in a unit's own row.
fn finish(row: &mut RollupRow, form: &crate::language::form::Form) {
    let own = row.status.is_some();
    for (field, (sum, count)) in std::mem::take(&mut row.totals) {
        let total = form.field(&field).map_or(Total::Sum, |f| f.total());
        let shown = match total {
            Total::Average if count > 0 => round(sum / count as f64),
            Total::None if !own => continue,
            _ => round(sum),
        };
        row.values.insert(field, num(shown));
    }
}

/// Sums of decimals carry binary noise (0.1 + 0.2): figures are kept to six places.
fn round(n: f64) -> f64 {
    (n * 1e6).round() / 1e6
}

/// A unit row's standing, in the words of docs/json.md (`no_figures`: received without them).
fn status(o: &Owing<'_>) -> &'static str {
    match o.standing.state.as_str() {
        "received" if o.counted => "reported",
        "received" => "no_figures",
        "review" => "under_review",
        "returned" => "returned",
        "waived" => "waived",
        _ => "not_reported",
    }
}

/// The period asked for (or the only one) and who owes it; refused with the periods there are.
fn pick_period(
    store: &dyn Backend,
    described: &crate::store::Described,
    deliverable: &str,
    period: Option<&str>,
) -> Result<(String, Vec<Standing>), AppError> {
    // A period named is checked by who owes it: the periods are listed only for a refusal.
    if let Some(p) = period {
        let standings = store.standings(described.id, p)?;
        if !standings.is_empty() {
            return Ok((p.to_string(), standings));
        }
    }
    let known = store.periods(described.id)?;
    match (period, known.as_slice()) {
        (None, [only]) => Ok((only.clone(), store.standings(described.id, only)?)),
        (asked, _) => Err(AppError::Period {
            deliverable: deliverable.to_string(),
            asked: asked.map(String::from),
            known,
        }),
    }
}

impl Office {
    /// The form of `deliverable` and the units a blank copy of it lists: those that owe it
    /// (for `period`, or its first), or with `unit` that unit and the units under it.
    pub fn template(
        &self,
        store: &dyn Backend,
        campaign: &str,
        deliverable: &str,
        unit: Option<&str>,
        period: Option<&str>,
    ) -> Result<(crate::language::form::Form, Vec<String>), AppError> {
        let described = store.describe(campaign, deliverable)?;
        let form = described.form.clone().ok_or_else(|| AppError::NoForm {
            deliverable: deliverable.to_string(),
        })?;
        let standings = match period {
            Some(p) => pick_period(store, &described, deliverable, Some(p))?.1,
            None => match store.periods(described.id)?.first() {
                Some(first) => store.standings(described.id, first)?,
                None => Vec::new(),
            },
        };
        let owing: Vec<String> = standings.into_iter().map(|s| s.unit).collect();
        let Some(unit) = unit else {
            return Ok((form, owing));
        };
        let tree = store.unit_tree(described.campaign_id)?;
        let hierarchy = Hierarchy::new(&tree);
        if !hierarchy.knows(unit) {
            return Err(unknown("unit", unit, hierarchy.names()));
        }
        let under: Vec<String> = owing
            .into_iter()
            .filter(|u| hierarchy.chain(u).contains(&unit))
            .collect();
        Ok((
            form,
            if under.is_empty() {
                vec![unit.to_string()]
            } else {
                under
            },
        ))
    }
}

/// "unknown group `县去`", with the nearest name, or what `--by` takes.
fn unknown<'n>(kind: &'static str, name: &str, names: impl Iterator<Item = &'n str>) -> AppError {
    let suggestion = crate::language::suggest::did_you_mean(name, names).or_else(|| {
        (kind == "group")
            .then(|| "--by takes unit, parent, level:N, groups or a group's name".into())
    });
    AppError::Store(
        crate::store::Refusal::Unknown {
            kind,
            name: name.to_string(),
            suggestion,
        }
        .into(),
    )
}
