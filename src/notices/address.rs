//! Where a notice goes: the people and units a stage names, on each of its channels — a
//! person's mailbox (else the unit's), the unit's group robot calling the person out by phone,
//! the person's phone for SMS — and the targets that have nowhere to go.

use crate::language::ast::ContactRole;
use crate::language::campaign::{Contact, Escalate};
use crate::store::{Candidate, Directory};
use crate::vocabulary::{Channel, Role};

use super::plan::Stage;
use super::robots::Routes;

/// Who a notice is for, relative to the late unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// The owing unit itself (its liaison or leader): "your reports".
    Unit,
    /// Someone who should act on other units' lateness: "these units are late".
    Supervisor,
}

/// One mailbox, robot or phone a notice goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addressee {
    /// The address in the outbox's terms: a mail address, `wecom:宛城区督办群`, `sms:138…`.
    pub address: String,
    /// Whom it reaches, for the greeting: `宛城区 联络员 李四`.
    pub name: String,
    /// The role it is addressed in: `liaison`, `leader`, `office`, `unit:党风政风监督室` …
    pub role: String,
    /// Unit or supervisor.
    pub audience: Audience,
    /// The phones of the people a robot's message calls out (@).
    pub mobiles: Vec<String>,
}

/// Where a notice to someone goes on a channel other than mail: the unit's robot, calling the
/// person out by phone where there is one; the person's phone (else the unit's first contact's)
/// for SMS. `None` when the unit has no robot or no phone.
fn elsewhere(
    directory: &Directory,
    routes: &Routes,
    channel: Channel,
    campaign_id: i64,
    unit: &str,
    person: Option<ContactRole>,
) -> Option<(String, Vec<String>)> {
    let contacts = directory
        .entry(campaign_id, unit)
        .map(|(_, c)| c.as_slice())
        .unwrap_or_default();
    let phone = person
        .and_then(|role| {
            contacts
                .iter()
                .filter(|c| c.role == role)
                .find_map(|c| c.phone.clone())
        })
        .or_else(|| {
            person
                .is_none()
                .then(|| Contact::first_to_call(contacts).and_then(|c| c.phone.clone()))
                .flatten()
        })
        .map(|p| crate::vocabulary::mobile(&p))
        .filter(|p| !p.is_empty());
    if channel == Channel::Sms {
        return phone.map(|p| (channel.address(&p), Vec::new()));
    }
    let robot = routes.robot(unit, channel)?;
    let mobiles = phone.filter(|_| person.is_some()).into_iter().collect();
    Some((channel.address(robot), mobiles))
}

impl Directory {
    /// A person of `unit` in `role`, falling back to the unit's own mailbox.
    fn person(&self, campaign_id: i64, unit: &str, role: ContactRole) -> Option<(String, String)> {
        let (email, contacts) = self.entry(campaign_id, unit)?;
        let label = role.title();
        contacts
            .iter()
            .filter(|c| c.role == role)
            .find_map(|c| {
                let name = format!("{unit} {label} {}", c.name.clone().unwrap_or_default());
                Some((c.email.clone()?, name.trim().to_string()))
            })
            .or_else(|| email.clone().map(|e| (e, unit.to_string())))
    }

    /// Whom to call at `unit`: its liaison (else leader, else contact), with a phone or mail.
    pub fn contact_line(&self, campaign_id: i64, unit: &str) -> Option<String> {
        let (_, contacts) = self.entry(campaign_id, unit)?;
        Contact::first_to_call(contacts).map(Contact::reach)
    }

    /// A unit as an organisation: its mailbox, else a contact's.
    fn organisation(&self, campaign_id: i64, unit: &str) -> Option<(String, String)> {
        let (email, contacts) = self.entry(campaign_id, unit)?;
        email
            .clone()
            .or_else(|| {
                [
                    ContactRole::Contact,
                    ContactRole::Liaison,
                    ContactRole::Leader,
                ]
                .iter()
                .find_map(|role| {
                    contacts
                        .iter()
                        .filter(|c| c.role == *role)
                        .find_map(|c| c.email.clone())
                })
            })
            .map(|e| (e, unit.to_string()))
    }
}

/// Where a stage of `c` goes on each of its channels, and the targets that have nowhere to go
/// (`宛城区 联络员`, `宛城区 联络员（短信）`).
pub fn addressees(
    stage: &Stage,
    c: &Candidate,
    directory: &Directory,
    routes: &Routes,
) -> (Vec<Addressee>, Vec<String>) {
    let mut found: Vec<Addressee> = Vec::new();
    let mut missing = Vec::new();
    let id = c.campaign_id;
    // Each target on each channel: (unit, the person's role if a person, role label, audience,
    // name for the greeting and for "missing").
    let mut add = |by: &[Channel],
                   unit: &str,
                   person: Option<ContactRole>,
                   role: String,
                   audience: Audience,
                   who: String| {
        for &channel in by {
            let hit = match channel {
                Channel::Mail => match person {
                    Some(p) => directory.person(id, unit, p),
                    None => directory.organisation(id, unit),
                }
                .map(|(address, name)| (address, name, Vec::new())),
                other => elsewhere(directory, routes, other, id, unit, person)
                    .map(|(address, mobiles)| (address, who.clone(), mobiles)),
            };
            match hit {
                Some((address, name, mobiles)) => {
                    if let Some(known) = found.iter_mut().find(|a| a.address == address) {
                        for m in mobiles {
                            if !known.mobiles.contains(&m) {
                                known.mobiles.push(m);
                            }
                        }
                    } else {
                        found.push(Addressee {
                            address,
                            name,
                            role: role.clone(),
                            audience,
                            mobiles,
                        });
                    }
                }
                None if channel == Channel::Mail => missing.push(who.clone()),
                None => missing.push(format!("{who}（{}）", channel.zh())),
            }
        }
    };
    for (i, target) in stage.targets.iter().enumerate() {
        let by = stage.by.of(i);
        match target {
            Escalate::Role(role @ (Role::Liaison | Role::Leader)) => {
                let person = if *role == Role::Liaison {
                    ContactRole::Liaison
                } else {
                    ContactRole::Leader
                };
                let who = format!("{} {}", c.unit, person.title());
                add(
                    by,
                    &c.unit,
                    Some(person),
                    person.to_string(),
                    Audience::Unit,
                    who,
                );
            }
            Escalate::Role(
                role @ (Role::Recipients | Role::Supervisors | Role::Office | Role::Lead),
            ) => {
                let office = c.office.as_deref().map(str::to_string);
                let units: &[String] = match role {
                    Role::Recipients => &c.to,
                    Role::Supervisors => &c.supervisors,
                    Role::Lead => &c.lead,
                    _ => office.as_slice(),
                };
                for unit in units {
                    add(
                        by,
                        unit,
                        None,
                        role.to_string(),
                        Audience::Supervisor,
                        unit.clone(),
                    );
                }
            }
            Escalate::Unit(unit) if **unit == *c.unit => {
                add(by, unit, None, "unit".into(), Audience::Unit, unit.clone());
            }
            Escalate::Unit(unit) => {
                add(
                    by,
                    unit,
                    None,
                    format!("unit:{unit}"),
                    Audience::Supervisor,
                    unit.clone(),
                );
            }
        }
    }
    (found, missing)
}
