//! The campaigns an account or a token acts in: which it may be bound to, which an office
//! account bound to campaigns manages and may make accounts for. What it may then see and do
//! in each is decided by `desk::rights`.

use super::{AccountRefusal, AppError};
use crate::store::{Backend, User};

/// Whether the office account `who` manages an account or token acting in `campaigns`: one
/// bound to no campaign manages every one; one bound to some manages those acting only in
/// them (an account of every campaign is the records' keeper's, not a city office's).
pub(super) fn manages(who: &User, campaigns: &[String]) -> bool {
    who.campaigns.is_empty()
        || (!campaigns.is_empty() && campaigns.iter().all(|c| who.in_campaign(c)))
}

/// Refuses an account `who` does not manage as forbidden; an unknown one as unknown.
pub(super) fn managed(store: &dyn Backend, who: &User, name: &str) -> Result<(), AppError> {
    match store.user(name)? {
        Some(u) if !manages(who, &u.campaigns) => Err(AppError::Forbidden {
            what: name.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The campaigns an account or token made by `who` on the pages acts in: those asked for,
/// each one of `who`'s own; none asked for, `who`'s own (an office bound to its campaigns
/// makes accounts for them only).
pub(super) fn within(who: &User, asked: &[String]) -> Result<Vec<String>, AppError> {
    if let Some(outside) = asked.iter().find(|c| !who.in_campaign(c)) {
        return Err(AppError::Forbidden {
            what: outside.clone(),
        });
    }
    Ok(if asked.is_empty() {
        who.campaigns.clone()
    } else {
        asked.to_vec()
    })
}

/// The campaigns an account or token of `unit` acts in: each given one known, and the unit
/// one of theirs. None given means every campaign — refused when the unit's name is in several
/// campaigns, since those may be different offices' (宜春 and 南阳 each have a
/// 党风政风监督室): the office says which. Unless the name is one unit of the office's
/// directory in each (campaigns bound to it give the same code): then the account acts in
/// those, named, so that a campaign of another office with a unit of that name later is not
/// one of them.
pub(super) fn scope(
    store: &dyn Backend,
    unit: Option<&str>,
    campaigns: &[String],
) -> Result<Vec<String>, AppError> {
    for campaign in campaigns {
        store.campaign_header(campaign)?;
    }
    let Some(unit) = unit else {
        return Ok(campaigns.to_vec());
    };
    let mut of_unit: Vec<String> = store
        .unit_contacts()?
        .into_iter()
        .filter(|(_, u, _)| u == unit)
        .map(|(c, _, _)| c)
        .collect();
    of_unit.dedup();
    if campaigns.is_empty() && of_unit.len() > 1 {
        let codes = store.unit_codes(unit)?;
        let first = codes.first().and_then(|(_, code)| code.clone());
        if first.is_some() && codes.iter().all(|(_, code)| *code == first) {
            return Ok(codes.into_iter().map(|(campaign, _)| campaign).collect());
        }
        return Err(AccountRefusal::UnitInSeveral {
            unit: unit.to_string(),
            campaigns: of_unit,
        }
        .into());
    }
    if !campaigns.is_empty() && !campaigns.iter().all(|c| of_unit.contains(c)) {
        return Err(AccountRefusal::UnitNotIn {
            unit: unit.to_string(),
            campaigns: campaigns.to_vec(),
        }
        .into());
    }
    Ok(campaigns.to_vec())
}
