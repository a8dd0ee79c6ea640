//! What the notice planner reads from the store: the obligations owed near an instant, with
//! their deliverables' policies and recipients, every unit's mailboxes, and the notices already
//! written. Deliverable-, unit- and period-level values are read once and shared, because a
//! national campaign has a hundred thousand obligations in the window and three deliverables.

use std::collections::HashMap;
use std::sync::Arc;

use chrono_tz::Tz;
use rusqlite::{OptionalExtension, params};

use super::decode::{Json, Zone};
use super::owed::{CampaignRow, Candidate, Directory};
use super::{Interner, Store, StoreError, text};
use crate::language::campaign::{Contact, Policy};

/// The deadlines a pass or a preview looks at: unix seconds, both ends included.
pub type Window = (i64, i64);

/// What the planner needs from the store.
pub struct PlanInput {
    /// Obligations still owed near `t`.
    pub candidates: Vec<Candidate>,
    /// Every unit's mailbox and contacts.
    pub directory: Directory,
    /// Each campaign, by row.
    pub campaigns: HashMap<i64, CampaignRow>,
    /// Notices already written.
    pub sent: Written,
}

/// The notices already written, by obligation: each one's stage, deadline and mailbox.
#[derive(Debug, Default)]
pub struct Written(HashMap<i64, Vec<(String, String, String)>>);

impl Written {
    /// The notices of `obligation_id` already in the outbox: (stage, deadline, mailbox) each.
    /// Most obligations have none, so a caller need not spell out its own key to find that.
    pub fn of(&self, obligation_id: i64) -> &[(String, String, String)] {
        self.0.get(&obligation_id).map_or(&[], Vec::as_slice)
    }
}

/// A campaign as its candidates share it.
struct CampaignShared {
    key: Arc<str>,
    zone: Tz,
    office: Option<Arc<str>>,
}

/// A unit as its candidates share it.
#[derive(Default)]
struct UnitShared {
    name: Arc<str>,
    parent: Option<String>,
}

/// A deliverable as its candidates share it.
struct DeliverableShared {
    name: Arc<str>,
    title: Option<Arc<str>>,
    policy: Arc<Policy>,
    recipients: Vec<String>,
    /// Whether `recipients` names `@parent`, so that the list differs between units.
    to_parent: bool,
    /// Recipients with `@parent` resolved, by the parent's name (only `None` if `to_parent` is
    /// false: one list serves every unit).
    to: HashMap<Option<String>, Arc<[String]>>,
    supervisors: Arc<[String]>,
    lead: Arc<[String]>,
    form: Option<Arc<str>>,
}

impl DeliverableShared {
    fn to(&mut self, parent: &Option<String>) -> Arc<[String]> {
        let parent = if self.to_parent { parent } else { &None };
        if let Some(to) = self.to.get(parent) {
            return to.clone();
        }
        let to: Arc<[String]> = self
            .recipients
            .iter()
            .filter_map(|r| match r.as_str() {
                "@parent" => parent.clone(),
                _ => Some(r.clone()),
            })
            .collect();
        self.to.insert(parent.clone(), to.clone());
        to
    }
}

impl Store {
    /// Obligations owed with an effective deadline in `window`, with mailboxes and campaigns,
    /// and the notices written that go out at `written_since` or later: what a pass plans from.
    pub fn plan_input(&self, window: Window, written_since: i64) -> Result<PlanInput, StoreError> {
        let mut input = self.load_plan_input(window, true, &[])?;
        input.sent = self.sent_notices(written_since)?;
        Ok(input)
    }

    /// For a preview: every obligation with a deadline in `window`, owed now (`current`) or
    /// not, of the given campaigns (or all).
    pub fn preview_input(
        &self,
        campaigns: &[String],
        window: Window,
        current: bool,
    ) -> Result<(Vec<Candidate>, Directory), StoreError> {
        let known: Vec<String> = self
            .conn
            .prepare_cached("SELECT key FROM campaigns")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for c in campaigns {
            if !known.contains(c) {
                return Err(super::Refusal::Unknown {
                    kind: "campaign",
                    name: c.clone(),
                    suggestion: crate::language::suggest::did_you_mean(
                        c,
                        known.iter().map(String::as_str),
                    ),
                }
                .into());
            }
        }
        let input = self.load_plan_input(window, current, campaigns)?;
        Ok((input.candidates, input.directory))
    }

    /// The instant of the last pass that wrote to the outbox, if any.
    pub fn last_pass(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT at FROM passes WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }

    /// The times of day of every reminder policy, each in its campaign's zone.
    pub fn policy_times(&self) -> Result<Vec<(Tz, u32, u32)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.zone, c.policy FROM campaigns c
             UNION SELECT c.zone, d.policy FROM deliverables d
                   JOIN campaigns c ON c.id = d.campaign_id WHERE d.policy IS NOT NULL",
        )?;
        let mut times: Vec<(Tz, u32, u32)> = stmt
            .query_map([], |r| {
                let policy = r.get::<_, Json<Policy>>(1)?.0;
                Ok((r.get::<_, Zone>(0)?.0, policy.time.0, policy.time.1))
            })?
            .collect::<Result<_, _>>()?;
        times.sort_by_key(|(zone, h, m)| (zone.name().to_string(), *h, *m));
        times.dedup();
        Ok(times)
    }

    /// The campaigns' own mail templates folders.
    pub fn templates_folders(&self) -> Result<Vec<String>, StoreError> {
        let folders = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT templates FROM campaigns WHERE templates IS NOT NULL ORDER BY 1",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(folders)
    }

    /// Every reminder policy in the store.
    pub fn policies(&self) -> Result<Vec<Policy>, StoreError> {
        let policies = self
            .conn
            .prepare_cached(
                "SELECT policy FROM campaigns
                 UNION SELECT policy FROM deliverables WHERE policy IS NOT NULL",
            )?
            .query_map([], |r| Ok(r.get::<_, Json<Policy>>(0)?.0))?
            .collect::<Result<_, _>>()?;
        Ok(policies)
    }

    fn load_plan_input(
        &self,
        (start, end): Window,
        owed_only: bool,
        only: &[String],
    ) -> Result<PlanInput, StoreError> {
        let (campaigns, shared) = self.campaign_infos()?;
        let (directory, units) = self.directory()?;
        let mut deliverables = self.shared_deliverables()?;
        // Owed obligations are range scans of the covering index, one campaign after another.
        let owed = if owed_only {
            "INDEXED BY obligations_owed WHERE closed_at IS NULL AND"
        } else {
            "WHERE"
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, campaign_id, deliverable_id, unit_id, period,
                    coalesce(extended_until, due_date), state, effective_due_at
             FROM obligations {owed} active = 1 AND campaign_id IN (SELECT id FROM campaigns)
                 AND effective_due_at BETWEEN ?1 AND ?2
             ORDER BY campaign_id, effective_due_at, unit_id, deliverable_id, period"
        ))?;
        let mut rows = stmt.query(params![start, end])?;
        let mut periods = Interner::default();
        let mut candidates = Vec::new();
        while let Some(r) = rows.next()? {
            let campaign_id: i64 = r.get(1)?;
            let (Some(campaign), Some(deliverable), Some(unit)) = (
                shared.get(&campaign_id),
                deliverables
                    .get_mut(usize::try_from(r.get::<_, i64>(2)?).unwrap_or(usize::MAX))
                    .and_then(Option::as_mut),
                units.get(usize::try_from(r.get::<_, i64>(3)?).unwrap_or(usize::MAX)),
            ) else {
                continue;
            };
            if !only.is_empty() && !only.iter().any(|k| **k == *campaign.key) {
                continue;
            }
            let period = text(r, 4)?;
            let period = (!period.is_empty()).then(|| periods.get(period));
            let due = super::decode::day(text(r, 5)?, 5)?;
            candidates.push(Candidate {
                obligation_id: r.get(0)?,
                campaign_id,
                campaign: campaign.key.clone(),
                zone: campaign.zone,
                deliverable: deliverable.name.clone(),
                title: deliverable.title.clone(),
                unit: unit.name.clone(),
                unit_order: r.get(3)?,
                period,
                due_date: due,
                on_time_until: crate::clock::from_unix(r.get::<_, i64>(7)? - 1)
                    .with_timezone(&campaign.zone)
                    .date_naive(),
                returned: text(r, 6)? == "returned",
                policy: deliverable.policy.clone(),
                to: deliverable.to(&unit.parent),
                supervisors: deliverable.supervisors.clone(),
                lead: deliverable.lead.clone(),
                office: campaign.office.clone(),
                form: deliverable.form.clone(),
            });
        }
        Ok(PlanInput {
            candidates,
            directory,
            campaigns,
            sent: Written::default(),
        })
    }

    /// Every campaign: as mails describe it, and as its candidates share it.
    #[allow(clippy::type_complexity)]
    fn campaign_infos(
        &self,
    ) -> Result<(HashMap<i64, CampaignRow>, HashMap<i64, CampaignShared>), StoreError> {
        let mut infos = HashMap::new();
        let mut shared = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, key, title, zone, office, issuer, doc, templates,
                    (SELECT u.phone FROM units u WHERE u.campaign_id = c.id AND u.name = c.office)
             FROM campaigns c",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let key: String = r.get(1)?;
            let zone = r.get::<_, Zone>(3)?.0;
            let office: Option<String> = r.get(4)?;
            shared.insert(
                id,
                CampaignShared {
                    key: key.as_str().into(),
                    zone,
                    office: office.as_deref().map(Arc::from),
                },
            );
            infos.insert(
                id,
                CampaignRow {
                    key,
                    title: r.get(2)?,
                    doc: r.get(6)?,
                    issuer: r.get(5)?,
                    office,
                    office_phone: r.get(8)?,
                    templates: r.get(7)?,
                },
            );
        }
        Ok((infos, shared))
    }

    /// Every unit's mailboxes, and each unit by row id.
    fn directory(&self) -> Result<(Directory, Vec<UnitShared>), StoreError> {
        let mut directory = Directory::default();
        // By row id: units are never deleted, so their ids are dense.
        let mut units: Vec<UnitShared> = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, campaign_id, name, email, contacts, parent FROM units")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, campaign): (i64, i64) = (r.get(0)?, r.get(1)?);
            let name: Arc<str> = text(r, 2)?.into();
            let contacts: Vec<Contact> = r.get::<_, Json<_>>(4)?.0;
            let index = usize::try_from(id).unwrap_or_default();
            if units.len() <= index {
                units.resize_with(index + 1, UnitShared::default);
            }
            units[index] = UnitShared {
                name: name.clone(),
                parent: r.get(5)?,
            };
            directory.add(campaign, name, r.get(3)?, contacts);
        }
        Ok((directory, units))
    }

    /// Every deliverable, by row id, with what its candidates share.
    fn shared_deliverables(&self) -> Result<Vec<Option<DeliverableShared>>, StoreError> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.name, d.title, coalesce(d.policy, c.policy), d.recipients,
                    d.supervisors, d.lead, d.forms
             FROM deliverables d JOIN campaigns c ON c.id = d.campaign_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let json = |i: usize| -> Result<Vec<String>, StoreError> {
                Ok(r.get::<_, Json<Vec<String>>>(i)?.0)
            };
            let forms = json(7)?;
            let recipients = json(4)?;
            let deliverable = DeliverableShared {
                name: r.get::<_, String>(1)?.into(),
                title: r.get::<_, Option<String>>(2)?.map(Arc::from),
                policy: Arc::new(r.get::<_, Json<Policy>>(3)?.0),
                to_parent: recipients.iter().any(|r| r == "@parent"),
                recipients,
                to: HashMap::new(),
                supervisors: json(5)?.into(),
                lead: json(6)?.into(),
                form: (!forms.is_empty()).then(|| forms.join("、").into()),
            };
            let index = usize::try_from(r.get::<_, i64>(0)?).unwrap_or_default();
            if out.len() <= index {
                out.resize_with(index + 1, || None);
            }
            out[index] = Some(deliverable);
        }
        Ok(out)
    }

    /// The keys of the notices already written that go out at `from` or later.
    fn sent_notices(&self, from: i64) -> Result<Written, StoreError> {
        let mut sent = Written::default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT obligation_id, stage, due_date, recipient FROM notices WHERE send_at >= ?1",
        )?;
        let mut rows = stmt.query([from])?;
        while let Some(r) = rows.next()? {
            let key = (r.get(1)?, r.get(2)?, r.get(3)?);
            sent.0.entry(r.get(0)?).or_default().push(key);
        }
        Ok(sent)
    }
}
