//! `duban preview`: every notice that would go out between two dates, day by day, assuming
//! nothing is submitted (or with the records as they stand), so that staff can check a campaign
//! before it goes live.

use chrono::{DateTime, NaiveDate, Utc};

use super::plan::{self, Audience, Candidate, Directory, Kind};
use crate::schedule::Calendar;

/// One mail a day would bring.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Planned {
    /// When it goes out.
    pub send_at: DateTime<Utc>,
    /// The local day.
    pub day: NaiveDate,
    /// Campaign identifier.
    pub campaign: String,
    /// The campaign's zone, that `send_at` is shown in.
    #[serde(serialize_with = "zone_name")]
    pub zone: chrono_tz::Tz,
    /// The mailbox, or `(no address: 宛城区 联络员)`.
    pub to: String,
    /// Whom it reaches.
    pub name: String,
    /// The unit's own reports, or others'.
    pub audience: Audience,
    /// The most serious kind of notice in it.
    pub kind: Kind,
    /// `统计表 2017-05 宛城区 (before:3d)` for each notice in it.
    pub items: Vec<String>,
}

/// Every mail the stages of `candidates` would bring between `from` and `to` (inclusive),
/// one per mailbox and send time, in order.
pub fn preview(
    candidates: &[Candidate],
    directory: &Directory,
    routes: &plan::Routes,
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Planned> {
    use std::collections::BTreeMap;
    let mut mails: BTreeMap<(DateTime<Utc>, String, String, Audience), Planned> = BTreeMap::new();
    for c in candidates {
        let stages = plan::stages(c, calendar);
        for (i, stage) in stages.iter().enumerate() {
            // Two stages at the same moment (reminders moved off a holiday onto the same
            // workday): a pass sends only the later one.
            let superseded = stages
                .get(i + 1)
                .is_some_and(|next| next.send_at == stage.send_at);
            if superseded || stage.day < from || stage.day > to {
                continue;
            }
            let (found, missing) = plan::addressees(stage, c, directory, routes);
            let item = format!(
                "{} {}{} ({})",
                c.deliverable,
                c.period
                    .as_deref()
                    .map(|p| format!("{p} "))
                    .unwrap_or_default(),
                c.unit,
                stage.label()
            );
            let targets = found
                .into_iter()
                .map(|a| (a.address, a.name, a.audience))
                .chain(
                    missing
                        .into_iter()
                        .map(|who| (format!("(no address: {who})"), who, Audience::Unit)),
                );
            for (address, name, audience) in targets {
                let entry = mails
                    .entry((
                        stage.send_at,
                        c.campaign.to_string(),
                        address.clone(),
                        audience,
                    ))
                    .or_insert_with(|| Planned {
                        send_at: stage.send_at,
                        day: stage.day,
                        campaign: c.campaign.to_string(),
                        zone: c.zone,
                        to: address,
                        name,
                        audience,
                        kind: stage.kind,
                        items: Vec::new(),
                    });
                entry.kind = entry.kind.max(stage.kind);
                entry.items.push(item.clone());
            }
        }
    }
    mails.into_values().collect()
}

fn zone_name<S: serde::Serializer>(zone: &chrono_tz::Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(zone.name())
}
