//! The campaigns an account or a token acts in: which it may be bound to, which an office
//! account bound to campaigns manages and may make accounts for. What it may then see and do
//! in each is decided by `rights::rights`.

use super::{AccountRefusal, AppError};
use crate::store::{Backend, User};

/// Whether the office account `who` manages an account or token acting in `campaigns`: one
/// bound to no campaign manages every one; one bound to some manages those acting only in
/// them (an account of every campaign is the records' keeper's, not a city office's).
pub(super) fn manages(who: &User, campaigns: &[String]) -> bool {
    who.every_campaign() || (!campaigns.is_empty() && campaigns.iter().all(|c| who.in_campaign(c)))
}

/// Refuses an account `who` does not manage as forbidden; an unknown one as unknown, the
/// nearest name suggested only among those it manages (another office's are not told). With
/// `widening` (a new link, or letting it in again), an account of a directory unit — which
/// joins its unit's campaigns as they come, other offices' too — is the records' keeper's
/// alone: an office bound to campaigns would hand itself more than it has.
pub(super) fn managed(
    store: &dyn Backend,
    who: &User,
    name: &str,
    widening: bool,
) -> Result<(), AppError> {
    let forbidden = || AppError::Forbidden {
        what: name.to_string(),
    };
    match store.user(name)?.map(|u| joined(store, u)).transpose()? {
        Some(u) if !manages(who, &u.campaigns) => Err(forbidden()),
        Some(u) if widening && u.unit_code.is_some() && !who.every_campaign() => Err(forbidden()),
        Some(_) => Ok(()),
        None => {
            let mut mine = Vec::new();
            for user in store.users()? {
                let user = joined(store, user)?;
                if manages(who, &user.campaigns) {
                    mine.push(user.name);
                }
            }
            let suggestion =
                crate::language::suggest::did_you_mean(name, mine.iter().map(String::as_str));
            Err(AppError::Store(
                crate::store::Refusal::Unknown {
                    kind: "account",
                    name: name.to_string(),
                    suggestion,
                }
                .into(),
            ))
        }
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
    if asked.is_empty() && !who.every_campaign() && who.campaigns.is_empty() {
        // An office of a directory unit with no campaign yet makes no account: one bound to
        // no campaign would act in every one.
        return Err(AppError::Forbidden {
            what: "accounts".to_string(),
        });
    }
    Ok(if asked.is_empty() {
        who.campaigns.clone()
    } else {
        asked.to_vec()
    })
}

/// What an account or token is bound to: the unit it acts for (as its campaigns or the
/// directory name it), the campaigns it is named for, and its directory unit's code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Bound {
    /// The unit, by the name its campaigns know it by.
    pub unit: Option<String>,
    /// The campaigns named for it; none: every one, unless it has a directory unit.
    pub campaigns: Vec<String>,
    /// Its directory unit (code): it acts in every campaign that unit is in, and those
    /// bound to it or below it — new ones too, with no one naming them.
    pub code: Option<String>,
}

/// What an account or token of `unit` is bound to, with `campaigns` asked for: each known,
/// and the unit one of theirs; it is then bound to those alone. None asked for:
/// - a unit of one directory unit wherever campaigns have it (bound campaigns give the same
///   code), or a unit of the directory no campaign has yet (by its name there once, or its
///   code): the account belongs to that directory unit and joins its campaigns as they come,
///   so that another office's campaign with a unit of the same name is never one of them;
/// - a unit one campaign declares itself: as before the directory, every campaign;
/// - a name in several campaigns, not one directory unit: refused, since those may be
///   different offices' (宜春 and 南阳 each have a 党风政风监督室) — the office says which.
pub(super) fn scope(
    store: &dyn Backend,
    unit: Option<&str>,
    campaigns: &[String],
) -> Result<Bound, AppError> {
    for campaign in campaigns {
        store.campaign_header(campaign)?;
    }
    let Some(unit) = unit else {
        return Ok(Bound {
            campaigns: campaigns.to_vec(),
            ..Bound::default()
        });
    };
    let codes = store.unit_codes(unit)?;
    let mut of_unit: Vec<String> = codes.iter().map(|(c, _)| c.clone()).collect();
    of_unit.dedup();
    let named = |code: Option<String>, campaigns: &[String]| Bound {
        unit: Some(unit.to_string()),
        campaigns: campaigns.to_vec(),
        code,
    };
    if !campaigns.is_empty() {
        if !campaigns.iter().all(|c| of_unit.contains(c)) {
            return Err(AccountRefusal::UnitNotIn {
                unit: unit.to_string(),
                campaigns: campaigns.to_vec(),
            }
            .into());
        }
        return Ok(named(None, campaigns));
    }
    if of_unit.is_empty() {
        return in_directory(store, unit);
    }
    let first = codes.first().and_then(|(_, code)| code.clone());
    if first.is_some() && codes.iter().all(|(_, code)| *code == first) {
        return Ok(named(first, &[]));
    }
    if of_unit.len() > 1 {
        return Err(AccountRefusal::UnitInSeveral {
            unit: unit.to_string(),
            campaigns: of_unit,
        }
        .into());
    }
    Ok(named(None, &[]))
}

/// A unit no campaign has: one of the directory's live units, by its code or its name there
/// once; two of that name are refused with their codes, none as unknown with the nearest name.
fn in_directory(store: &dyn Backend, unit: &str) -> Result<Bound, AppError> {
    let mut directory = store.org_units()?;
    directory.retain(|u| u.retired_at.is_none());
    let found: Vec<&crate::store::OrgUnit> = match directory.iter().find(|u| u.code == unit) {
        Some(by_code) => vec![by_code],
        None => directory.iter().filter(|u| u.name == unit).collect(),
    };
    match found.as_slice() {
        [one] => Ok(Bound {
            unit: Some(one.name.clone()),
            campaigns: Vec::new(),
            code: Some(one.code.clone()),
        }),
        [] => {
            let mut names = store.unit_names()?;
            names.extend(directory.into_iter().map(|u| u.name));
            let suggestion =
                crate::language::suggest::did_you_mean(unit, names.iter().map(String::as_str));
            Err(AppError::Store(
                crate::store::Refusal::Unknown {
                    kind: "unit",
                    name: unit.to_string(),
                    suggestion,
                }
                .into(),
            ))
        }
        many => Err(AccountRefusal::TwiceInDirectory {
            unit: unit.to_string(),
            codes: many.iter().map(|u| u.code.clone()).collect(),
        }
        .into()),
    }
}

/// `user` with the campaigns it acts in as of now: an account of a directory unit acts in
/// those it is named for and every campaign its unit is in, and — if it runs or supervises
/// campaigns — every campaign bound to its unit or one below it, never one where its unit is
/// only one of many (a county's office does not run the city's campaign it reports in).
/// Its unit is the one the directory names now: a rename keeps the account with its unit.
pub(super) fn joined(store: &dyn Backend, mut user: User) -> Result<User, AppError> {
    if let Some(code) = &user.unit_code
        && let Some(name) = join(store, code, user.role, &mut user.campaigns)?
    {
        user.unit = Some(name);
    }
    Ok(user)
}

/// Adds to `campaigns` those an account of directory unit `code` as `role` acts in now (see
/// [`joined`]): the unit's name in the directory now, unless it was retired.
pub(super) fn join(
    store: &dyn Backend,
    code: &str,
    role: crate::store::Role,
    campaigns: &mut Vec<String>,
) -> Result<Option<String>, AppError> {
    let found = store.directory_campaigns(code)?;
    for (campaign, runs_under) in found.campaigns {
        if (runs_under || !role.sees_all()) && !campaigns.contains(&campaign) {
            campaigns.push(campaign);
        }
    }
    Ok(found.name)
}
