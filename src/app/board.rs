//! The board (三色看板) as a supervisor reads it: every campaign's units in their tree, each
//! with its own light per deliverable and the tally of the units under it, so that a province of
//! 35,715 villages reads level by level — counties, then a county's townships, then a
//! township's villages — instead of as one table. Made once from `status` and the unit tree,
//! then read by many requests (the web keeps it a few seconds).

use std::collections::HashMap;

use super::{AppError, Office};
use crate::clock::Instant;
use crate::store::{Backend, Filter, Light, StatusRow};

/// Every campaign's board at one instant.
#[derive(Clone, Debug, Default)]
pub struct Board {
    /// The campaigns, in the store's order.
    pub campaigns: Vec<CampaignBoard>,
}

/// One campaign's units in their tree.
#[derive(Clone, Debug, Default)]
pub struct CampaignBoard {
    /// Its identifier.
    pub key: String,
    /// Its title, as people name it (`侵害群众利益的不正之风和腐败问题专项整治`).
    pub title: String,
    /// Its zone, in which its days are counted.
    pub zone: chrono_tz::Tz,
    /// Its deliverables, the columns.
    pub deliverables: Vec<String>,
    /// Its units, in declaration order (a parent before its children).
    pub nodes: Vec<Node>,
    /// The units without a parent.
    pub roots: Vec<usize>,
    /// The tally of every unit.
    pub total: Tally,
}

/// A unit on the board.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Its name.
    pub unit: String,
    /// Its depth in the tree (0 for a root).
    pub depth: usize,
    /// Its parent, by index.
    pub parent: Option<usize>,
    /// Its children, by index.
    pub children: Vec<usize>,
    /// Its own light per deliverable (none where it owes nothing).
    pub cells: Vec<Option<Light>>,
    /// Its own light: the worst of its cells, if it owes anything; red too while a review it
    /// owes is late (its own lateness as a reviewer).
    pub light: Option<Light>,
    /// Reviews it owes that are past their deadline (审核逾期), whoever sent the reports.
    pub reviews_overdue: usize,
    /// Notices it has not acknowledged in time (未签收).
    pub unacknowledged: usize,
    /// It and every unit under it.
    pub tally: Tally,
}

/// How units stand, counted over a unit and everything under it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Units whose own light is red.
    pub red: usize,
    /// … yellow.
    pub yellow: usize,
    /// … green.
    pub green: usize,
    /// … grey (nothing to judge yet).
    pub grey: usize,
    /// Reports due by now.
    pub due: usize,
    /// … of which sent on time.
    pub on_time: usize,
    /// Overdue and not sent.
    pub overdue: usize,
    /// Reviews past their deadline, counted against their reviewers.
    pub reviews_overdue: usize,
    /// Notices not acknowledged in time (未签收), over a unit and everything under it.
    pub unacknowledged: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.red += other.red;
        self.yellow += other.yellow;
        self.green += other.green;
        self.grey += other.grey;
        self.due += other.due;
        self.on_time += other.on_time;
        self.overdue += other.overdue;
        self.reviews_overdue += other.reviews_overdue;
        self.unacknowledged += other.unacknowledged;
    }

    /// How many units are of `light`.
    pub fn count(&self, light: Light) -> usize {
        match light {
            Light::Red => self.red,
            Light::Yellow => self.yellow,
            Light::Green => self.green,
            Light::Grey => self.grey,
        }
    }

    /// The share of reports due that were sent on time, in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| 100.0 * self.on_time as f64 / self.due as f64)
    }
}

impl CampaignBoard {
    /// The units whose name contains `query`, in tree order.
    pub fn search(&self, query: &str) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].unit.contains(query))
            .collect()
    }

    /// Every unit in tree order (each parent followed by what is under it).
    pub fn in_tree_order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.nodes[i].children.iter().rev());
        }
        out
    }

    /// The unit named `unit`.
    pub fn find(&self, unit: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.unit == unit)
    }
}

impl Office {
    /// The board at `as_of`: `status` of every unit and deliverable, set in each campaign's
    /// unit tree and tallied up it.
    pub fn board(&self, store: &dyn Backend, as_of: Instant) -> Result<Board, AppError> {
        let rows = store.status(&Filter::default(), as_of)?;
        let mut campaigns = Vec::new();
        for rows in rows.chunk_by(|a, b| a.campaign == b.campaign) {
            let header = store.campaign_header(&rows[0].campaign)?;
            let tree = store.unit_tree(header.id)?;
            let mut board = campaign_board(&header.key, rows, &tree);
            board.zone = header.zone;
            board.title = header.title.clone();
            // 未签收: each on its unit and tallied up the tree.
            let t = as_of.in_zone(header.zone).timestamp();
            for u in self.unacknowledged(store, header.id, header.zone, t)? {
                let Some(i) = board.find(&u.unit) else {
                    continue;
                };
                board.nodes[i].unacknowledged += 1;
                let mut at = Some(i);
                while let Some(n) = at {
                    board.nodes[n].tally.unacknowledged += 1;
                    at = board.nodes[n].parent;
                }
                board.total.unacknowledged += 1;
            }
            campaigns.push(board);
        }
        Ok(Board { campaigns })
    }
}

/// One campaign's board from its status rows and its `(unit, parent)` tree.
fn campaign_board(
    key: &str,
    rows: &[StatusRow],
    tree: &[(String, Option<String>)],
) -> CampaignBoard {
    let mut deliverables: Vec<String> = Vec::new();
    for r in rows {
        if !deliverables.contains(&r.deliverable) {
            deliverables.push(r.deliverable.clone());
        }
    }
    let index: HashMap<&str, usize> = tree
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect();
    let mut nodes: Vec<Node> = tree
        .iter()
        .map(|(name, parent)| Node {
            unit: name.clone(),
            parent: parent.as_deref().and_then(|p| index.get(p).copied()),
            cells: vec![None; deliverables.len()],
            ..Node::default()
        })
        .collect();
    for r in rows {
        let (Some(&i), Some(d)) = (
            index.get(r.unit.as_str()),
            deliverables.iter().position(|d| *d == r.deliverable),
        ) else {
            continue;
        };
        let node = &mut nodes[i];
        node.cells[d] = Some(r.light);
        node.light = Some(node.light.map_or(r.light, |l| l.min(r.light)));
        node.tally.due += r.due;
        node.tally.on_time += r.on_time;
        node.tally.overdue += r.overdue;
    }
    // A late review is its reviewer's: counted there, and its light is red for it.
    for r in rows.iter().filter(|r| r.review_overdue > 0) {
        if let Some(&i) = r.reviewer.as_deref().and_then(|name| index.get(name)) {
            let node = &mut nodes[i];
            node.reviews_overdue += r.review_overdue;
            node.tally.reviews_overdue += r.review_overdue;
            node.light = Some(Light::Red);
        }
    }
    let mut roots = Vec::new();
    for i in 0..nodes.len() {
        match nodes[i].parent {
            Some(p) => nodes[p].children.push(i),
            None => roots.push(i),
        }
        let light = nodes[i].light;
        let tally = &mut nodes[i].tally;
        match light {
            Some(Light::Red) => tally.red += 1,
            Some(Light::Yellow) => tally.yellow += 1,
            Some(Light::Green) => tally.green += 1,
            Some(Light::Grey) => tally.grey += 1,
            None => {}
        }
    }
    let mut board = CampaignBoard {
        key: key.to_string(),
        // The caller puts the campaign's own title and zone (`Office::board`, from its header).
        title: String::new(),
        zone: chrono_tz::UTC,
        deliverables,
        nodes,
        roots,
        total: Tally::default(),
    };
    // Children after their parents in tree order: adding up in reverse reaches every unit once.
    let order = board.in_tree_order();
    for &i in order.iter().rev() {
        board.nodes[i].depth = depth(&board.nodes, i);
        if let Some(p) = board.nodes[i].parent {
            let tally = board.nodes[i].tally;
            board.nodes[p].tally.add(&tally);
        }
    }
    for &r in &board.roots {
        let tally = board.nodes[r].tally;
        board.total.add(&tally);
    }
    board
}

fn depth(nodes: &[Node], mut i: usize) -> usize {
    let mut depth = 0;
    // The tree comes from the store and has no cycles; the bound is a guard.
    while let Some(p) = nodes[i].parent {
        depth += 1;
        i = p;
        if depth > nodes.len() {
            break;
        }
    }
    depth
}

impl Office {
    /// How units kept their deadlines month by month in `campaign`, for the board's trend: per
    /// month with deadlines passed by `at`, the share (percent) of what fell due that month that
    /// came in by its deadline, over the campaign's `deliverables`. Read from the records as
    /// they are (the standings of each report and period), for a supervisor or the office of
    /// the campaign.
    pub fn trend_as(
        &self,
        store: &dyn Backend,
        who: &crate::store::User,
        campaign: &str,
        deliverables: &[String],
        at: Instant,
    ) -> Result<Vec<(String, f64)>, AppError> {
        super::allow(who, super::Page::Board)?;
        if !who.in_campaign(campaign) {
            return Err(super::rights::forbidden(campaign));
        }
        let zone = store.campaign_zone(campaign)?;
        let today = at.in_zone(zone).date_naive().to_string();
        // (owed, on time) per month of the deadline, in month order.
        let mut months: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for deliverable in deliverables {
            let described = store.describe(campaign, deliverable)?;
            for period in store.periods(described.id)? {
                for s in store.standings(described.id, &period)? {
                    if s.due_date > today || s.state == "waived" {
                        continue;
                    }
                    let month = s.due_date.get(..7).unwrap_or(&s.due_date).to_string();
                    let counted = months.entry(month).or_default();
                    counted.0 += 1;
                    counted.1 += usize::from(s.on_time);
                }
            }
        }
        Ok(months
            .into_iter()
            .map(|(month, (owed, on_time))| (month, 100.0 * on_time as f64 / owed as f64))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(unit: &str, deliverable: &str, light: Light, overdue: usize) -> StatusRow {
        StatusRow {
            campaign: "c".into(),
            unit: unit.into(),
            deliverable: deliverable.into(),
            due: 1,
            on_time: 1 - overdue,
            late: 0,
            under_review: 0,
            review_overdue: 0,
            waived: 0,
            overdue,
            due_soon: 0,
            upcoming: 0,
            below_target: 0,
            light,
            reviewer: None,
        }
    }

    #[test]
    fn a_late_review_is_its_reviewers_red_not_the_units() {
        let tree: Vec<(String, Option<String>)> =
            [("镇", None), ("村", Some("镇")), ("驻村组", Some("镇"))]
                .into_iter()
                .map(|(n, p)| (n.to_string(), p.map(String::from)))
                .collect();
        let waiting = StatusRow {
            under_review: 1,
            review_overdue: 1,
            reviewer: Some("驻村组".into()),
            ..row("村", "清单", Light::Green, 0)
        };
        let board = campaign_board("c", &[waiting], &tree);
        let village = &board.nodes[board.find("村").unwrap()];
        assert_eq!(
            village.light,
            Some(Light::Green),
            "the village did its part"
        );
        let team = &board.nodes[board.find("驻村组").unwrap()];
        assert_eq!(team.light, Some(Light::Red));
        assert_eq!(team.reviews_overdue, 1);
        assert_eq!(board.total.reviews_overdue, 1);
        assert_eq!(board.total.red, 1);
    }

    #[test]
    fn a_units_tally_counts_it_and_everything_under_it() {
        let tree: Vec<(String, Option<String>)> = [
            ("县", None),
            ("甲乡", Some("县")),
            ("甲村", Some("甲乡")),
            ("乙村", Some("甲乡")),
            ("乙乡", Some("县")),
        ]
        .into_iter()
        .map(|(n, p)| (n.to_string(), p.map(String::from)))
        .collect();
        let rows = [
            row("甲村", "月报", Light::Red, 1),
            row("乙村", "月报", Light::Green, 0),
            row("乙村", "季报", Light::Yellow, 0),
            row("乙乡", "月报", Light::Green, 0),
        ];
        let board = campaign_board("c", &rows, &tree);
        assert_eq!(board.deliverables, ["月报", "季报"]);
        let county = &board.nodes[board.find("县").unwrap()];
        assert_eq!(
            (county.tally.red, county.tally.yellow, county.tally.green),
            (1, 1, 1)
        );
        assert_eq!((county.tally.due, county.tally.on_time), (4, 3));
        let township = &board.nodes[board.find("甲乡").unwrap()];
        assert_eq!(
            township.light, None,
            "a township owing nothing has no light of its own"
        );
        assert_eq!((township.tally.red, township.tally.yellow), (1, 1));
        let village = &board.nodes[board.find("乙村").unwrap()];
        assert_eq!(village.light, Some(Light::Yellow), "the worst of its cells");
        assert_eq!(village.depth, 2);
        assert_eq!(board.total, county.tally);
        let names: Vec<&str> = board
            .in_tree_order()
            .iter()
            .map(|&i| board.nodes[i].unit.as_str())
            .collect();
        assert_eq!(names, ["县", "甲乡", "甲村", "乙村", "乙乡"]);
        assert_eq!(board.search("村").len(), 2);
    }
}
