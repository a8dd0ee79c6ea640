//! The API's accounts and tokens: what the office's `/accounts` page does, for a system that
//! manages people and its own access (an OA system making a unit's liaison an account when it
//! appoints them, rotating its token before the old one expires). Each goes through the same
//! application functions as the page — the office's alone, and never a read-only token's
//! (`rights::allow_act`) — and no secret of a stored account or token is ever answered: only
//! the one a new account's link or a new token carries, once.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Web;
use super::api::holder;
use super::api_body::Body;
use super::api_refusal::{Code, coded, refused};
use super::api_schema::{Name, Shown};
use super::paging::{KeyPage, sort_key};
use crate::app::{AccountRefusal, AppError, Expiry, TokenSpec};
use crate::clock::Instant;
use crate::store::{ApiToken, Role, User};
use crate::vocabulary::typed;

/// The longest a token made through the API works, in days (about ten years): a token that
/// never expires is the command line's to make.
pub const TOKEN_DAYS_MAX: u64 = 3660;

/// What `POST /api/v1/accounts` takes: a person's account.
// A unit's role needs its unit (`check_unit`); a supervisor's or the office's may name one.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "required": ["unit"], "properties": { "role": { "enum": ["liaison", "leader", "reviewer"] }, "unit": { "type": "string" } } },
    { "properties": { "role": { "enum": ["supervisor", "office"] } } }
]))]
pub struct NewAccount {
    /// The name they sign in with (not beginning `token:`, the history's name of a token).
    #[schemars(with = "Shown", extend("not" = { "pattern": "^token:" }))]
    name: String,
    /// The unit they act for: needed for a liaison, a leader and a reviewer.
    #[schemars(with = "Option<Shown>")]
    unit: Option<String>,
    /// What they may do.
    role: Role,
    /// The campaigns they act in (keys); none: the token holder's own (every one, for the
    /// office that keeps the records).
    #[serde(default)]
    #[schemars(with = "Vec<Name>")]
    campaigns: Vec<String>,
}

/// What `POST /api/v1/tokens` takes: a bearer token for another system.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "required": ["unit"], "properties": { "role": { "enum": ["liaison", "leader", "reviewer"] }, "unit": { "type": "string" } } },
    { "properties": { "role": { "enum": ["supervisor", "office"] } } }
]))]
pub struct NewToken {
    /// Its name, which the history shows for what it does (`token:NAME`); words, not a
    /// number. None: its unit (or role) and a number.
    #[schemars(with = "Option<Shown>", extend("not" = { "pattern": "^\\s*#*[+-]?[0-9]+\\s*$" }))]
    name: Option<String>,
    /// The unit it acts for: needed for a liaison's, a leader's and a reviewer's.
    #[schemars(with = "Option<Shown>")]
    unit: Option<String>,
    /// What it may do.
    role: Role,
    /// The days it works; none: the office's default (`token_days`, else 180).
    // A number, not a u32: JSON Schema's integer is any number without a fraction (`30.0`),
    // which serde's u32 would refuse.
    #[schemars(with = "Option<u32>", range(min = 1, max = TOKEN_DAYS_MAX))]
    days: Option<serde_json::Number>,
    /// The campaigns it acts in (keys); none: the token holder's own.
    #[serde(default)]
    #[schemars(with = "Vec<Name>")]
    campaigns: Vec<String>,
    /// It reads and never acts (a dashboard).
    #[serde(default)]
    read_only: bool,
}

/// Now, by the wall clock: accounts, links and tokens live in real time, whatever instant a
/// rehearsal server (`serve --as-of`) shows the records at (as the accounts page).
fn now(web: &Web) -> Instant {
    Instant::Absolute(web.office.clock.now())
}

/// A time (unix seconds) in the office's zone, as RFC 3339.
fn at(web: &Web, t: Option<i64>) -> Value {
    t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.with_timezone(&web.office.config.zone).to_rfc3339())
        .into()
}

fn account_json(web: &Web, u: &User) -> Value {
    json!({
        "name": u.name, "unit": u.unit, "role": u.role, "campaigns": u.campaigns,
        "ready": u.password.is_some(), "disabled_at": at(web, u.disabled_at),
        "last_sign_in_at": at(web, u.last_sign_in_at),
    })
}

fn token_json(web: &Web, k: &ApiToken) -> Value {
    json!({
        "id": k.id, "name": k.name, "unit": k.unit, "role": k.role, "campaigns": k.campaigns,
        "read_only": k.read_only, "created_at": at(web, Some(k.created_at)),
        "expires_at": at(web, k.expires_at), "last_used_at": at(web, k.last_used_at),
        "revoked_at": at(web, k.revoked_at),
    })
}

/// A refusal of these operations: the account's own (what was asked does not fit: 422, or the
/// records do not allow it: 409), else as every operation refuses.
fn refused_account(e: &AppError) -> Response {
    let AppError::AccountRefused(r) = e else {
        return match e {
            AppError::Forbidden { .. } => coded(Code::Forbidden, "此令牌无权管理账号和令牌"),
            other => refused(other),
        };
    };
    let code = match r {
        AccountRefusal::TooLong(_) => Code::TooLong,
        AccountRefusal::Hidden { .. } => Code::HiddenCharacters,
        AccountRefusal::AccountName { .. }
        | AccountRefusal::TokenName { .. }
        | AccountRefusal::NeedsUnit { .. }
        | AccountRefusal::ExpiresAtOnce
        | AccountRefusal::BadDays => Code::BadAccount,
        AccountRefusal::UnitNotIn { .. } => Code::Unknown,
        AccountRefusal::UnitInSeveral { .. }
        | AccountRefusal::TwiceInDirectory { .. }
        | AccountRefusal::NoCampaignYet { .. } => Code::UnitUnclear,
        AccountRefusal::DisablesItself => Code::Conflict,
        AccountRefusal::ShortPassword
        | AccountRefusal::LinkSpent
        | AccountRefusal::TokenLost { .. }
        | AccountRefusal::Hash(_) => return refused(e),
    };
    coded(code, &r.zh())
}

/// The name's length and characters as the records check them, before it is trimmed, so that
/// what the description forbids is refused as it says.
pub(super) fn shown(what: &str, name: Option<&str>) -> Result<(), Box<Response>> {
    let Some(name) = name else { return Ok(()) };
    if let Err(e) = typed::within(what, name, typed::NAME_MAX) {
        return Err(Box::new(coded(Code::TooLong, &e.to_string())));
    }
    if let Some(c) = name.chars().find(|c| typed::is_hidden(*c)) {
        let hidden = AccountRefusal::Hidden {
            what: what.to_string(),
            code: u32::from(c),
        };
        return Err(Box::new(coded(Code::HiddenCharacters, &hidden.zh())));
    }
    Ok(())
}

/// `GET /api/v1/accounts[?limit=N][&cursor=…]`: the accounts the office's token manages, by
/// name, never with a password or a link.
pub async fn accounts(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let page = match KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let listed = web
        .run(move |office, store| office.accounts(&*store, &user))
        .await;
    let users = match listed {
        Ok(users) => users,
        Err(e) => return refused_account(&e),
    };
    let (users, next) = page.cut(users, |u| sort_key(0, &[&u.name]));
    let rows: Vec<Value> = users.iter().map(|u| account_json(&web, u)).collect();
    page.answer(&headers, &rows, "/api/v1/accounts?", next)
}

/// `POST /api/v1/accounts`: an account, at the server's time: 201 with it and the one-time
/// link (`link`) its holder sets a password through, shown this once.
pub async fn add_account(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewAccount>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    for (what, name) in [
        ("账号名称", Some(&asked.name)),
        ("单位名称", asked.unit.as_ref()),
    ] {
        if let Err(r) = shown(what, name.map(String::as_str)) {
            return *r;
        }
    }
    let at = now(&web);
    let made = web
        .run(move |office, store| {
            let new = (
                asked.name.as_str(),
                asked.unit.as_deref(),
                asked.role,
                asked.campaigns.as_slice(),
            );
            let link = office.add_user_as(store, &user, new, at)?;
            let made = store.user(&asked.name)?;
            Ok((link, made))
        })
        .await;
    match made {
        Ok((link, Some(made))) => {
            let mut value = account_json(&web, &made);
            value["link"] = format!("/set-password?token={link}").into();
            (StatusCode::CREATED, Json(value)).into_response()
        }
        Ok((_, None)) => coded(Code::Failed, "账号已创建，但未能读取"),
        Err(e) => refused_account(&e),
    }
}

/// What is done to one account.
#[derive(Clone, Copy)]
enum Change {
    Disable,
    Enable,
    Reset,
}

async fn change(web: Arc<Web>, headers: HeaderMap, name: String, change: Change) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    // No account's name holds a NUL: it names nothing.
    if name.contains('\0') {
        return coded(Code::Unknown, "没有这个账号");
    }
    let at = now(&web);
    let done = web
        .run(move |office, store| {
            let (was_disabled, link) = match change {
                Change::Disable => {
                    let before = office.set_disabled_as(store, &user, &name, true, at)?;
                    (before.disabled_at.is_some(), None)
                }
                Change::Enable => {
                    let before = office.set_disabled_as(store, &user, &name, false, at)?;
                    (before.disabled_at.is_some(), None)
                }
                Change::Reset => {
                    let before = store.user(&name)?;
                    let link = office.reset_user_as(store, &user, &name, at)?;
                    (before.is_some_and(|u| u.disabled_at.is_some()), Some(link))
                }
            };
            Ok((was_disabled, store.user(&name)?, link))
        })
        .await;
    match done {
        Ok((was_disabled, Some(now), link)) => {
            let mut value = account_json(&web, &now);
            value["was_disabled"] = was_disabled.into();
            if let Some(link) = link {
                value["link"] = format!("/set-password?token={link}").into();
            }
            Json(value).into_response()
        }
        Ok((_, None, _)) => coded(Code::Failed, "账号已更改，但未能读取"),
        Err(e) => refused_account(&e),
    }
}

/// `POST /api/v1/accounts/{name}/disable`: the account cannot sign in, and its sessions end;
/// one disabled already stays as it was (`was_disabled`).
pub async fn disable(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    change(web, headers, name, Change::Disable).await
}

/// `POST /api/v1/accounts/{name}/enable`: a disabled account signs in again.
pub async fn enable(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    change(web, headers, name, Change::Enable).await
}

/// `POST /api/v1/accounts/{name}/reset`: a forgotten password; the old one stops working at
/// once, and a new one-time link (`link`) is answered this once.
pub async fn reset(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    change(web, headers, name, Change::Reset).await
}

/// `GET /api/v1/tokens[?limit=N][&cursor=…]`: the tokens the office's token manages, in the
/// order they were made, with their states; never a secret.
pub async fn tokens(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let page = match KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let listed = web
        .run(move |office, store| office.tokens_as(&*store, &user))
        .await;
    let tokens = match listed {
        Ok(tokens) => tokens,
        Err(e) => return refused_account(&e),
    };
    let (tokens, next) = page.cut(tokens, |k| sort_key(0, &[&format!("{:020}", k.id)]));
    let rows: Vec<Value> = tokens.iter().map(|k| token_json(&web, k)).collect();
    page.answer(&headers, &rows, "/api/v1/tokens?", next)
}

/// `POST /api/v1/tokens`: a token, at the server's time: 201 with it and its secret
/// (`secret`), shown this once.
pub async fn add_token(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewToken>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    for (what, name) in [
        ("令牌名称", asked.name.as_ref()),
        ("单位名称", asked.unit.as_ref()),
    ] {
        if let Err(r) = shown(what, name.map(String::as_str)) {
            return *r;
        }
    }
    let days = asked.days.as_ref().map(|n| {
        n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        })
    });
    let expires = match days {
        None => Expiry::Default,
        Some(Some(days @ 1..=TOKEN_DAYS_MAX)) => Expiry::Days(days as u32),
        Some(_) => {
            return coded(
                Code::BadAccount,
                &format!("有效天数须在1至{TOKEN_DAYS_MAX}之间"),
            );
        }
    };
    let at = now(&web);
    let made = web
        .run(move |office, store| {
            let spec = TokenSpec {
                unit: asked.unit.as_deref(),
                role: asked.role,
                name: asked.name.as_deref(),
                expires,
                campaigns: &asked.campaigns,
                read_only: asked.read_only,
            };
            office.create_token_as(store, &user, &spec, at)
        })
        .await;
    match made {
        Ok((secret, made)) => {
            let mut value = token_json(&web, &made);
            value["secret"] = secret.into();
            (StatusCode::CREATED, Json(value)).into_response()
        }
        Err(e) => refused_account(&e),
    }
}

/// `POST /api/v1/tokens/{token}/revoke`: the token (by name or number) is refused from now on;
/// one revoked already stays as it was (`was_revoked`). A token does not revoke itself: the
/// system holding it would lock itself out mid-task (409 `own_token`); another token of the
/// office, or the accounts page, revokes it.
pub async fn revoke_token(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(which): Path<String>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if which.contains('\0') {
        return coded(Code::Unknown, "没有这个令牌");
    }
    let now = now(&web);
    let done = web
        .run(move |office, store| {
            // Found as the revoking finds it (`#12` is token 12), so that no spelling of its
            // own number gets past this.
            let token = office.token_as(&*store, &user, &which)?;
            if format!("token:{}", token.name) == user.name {
                return Ok(None);
            }
            office
                .revoke_token_as(store, &user, &token.id.to_string(), now)
                .map(Some)
        })
        .await;
    match done {
        Ok(Some((token, before))) => {
            let mut value = token_json(&web, &token);
            value["was_revoked"] = before.into();
            Json(value).into_response()
        }
        Ok(None) => coded(
            Code::OwnToken,
            "令牌不能吊销它自己：请用另一个令牌或在账号管理页面吊销",
        ),
        Err(e) => refused_account(&e),
    }
}
