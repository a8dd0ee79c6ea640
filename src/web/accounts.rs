//! `/accounts`: the office's page of accounts and API tokens — who may sign in, as what, for
//! which unit, whether their password is set, whether they are disabled, when they last signed
//! in; each token with its expiry and last use — and the forms that make an account (its
//! one-time link shown once), disable or enable one, reset a forgotten password (a new link,
//! shown once), make a token (its secret shown once) and revoke one. The office only; every
//! check is the application layer's.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use super::Web;
use super::pages::{for_session, message, page, role_zh, who};
use crate::app::{AppError, Expiry, Office, Session, TokenSpec, same_secret};
use crate::clock::Instant;
use crate::store::{ApiToken, Backend, Refusal, Role, StoreError, User};

/// A time (unix seconds) as the office reads it, in its zone, to the minute.
fn when(zone: chrono_tz::Tz, at: Option<i64>) -> Option<String> {
    at.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
}

fn listed(users: &[User], current: &Session, zone: chrono_tz::Tz) -> Vec<Value> {
    let when = |at| when(zone, at);
    users
        .iter()
        .map(|u| {
            context! {
                name => u.name.clone(), unit => u.unit.clone(), role => role_zh(u.role),
                ready => u.password.is_some(), disabled => when(u.disabled_at),
                campaigns => u.campaigns.join("、"),
                last_sign_in => when(u.last_sign_in_at), own => u.name == current.user.name,
            }
        })
        .collect()
}

fn tokens_listed(tokens: &[ApiToken], now: i64, zone: chrono_tz::Tz) -> Vec<Value> {
    let when = |at| when(zone, at);
    tokens
        .iter()
        .map(|k| {
            let state = if k.revoked_at.is_some() {
                "已吊销"
            } else if k.expires_at.is_some_and(|at| at <= now) {
                "已过期"
            } else {
                "有效"
            };
            context! {
                id => k.id, name => k.name.clone(), unit => k.unit.clone(), role => role_zh(k.role), read_only => k.read_only,
                created => when(Some(k.created_at)), expires => when(k.expires_at),
                last_used => when(k.last_used_at), revoked => when(k.revoked_at), state,
            }
        })
        .collect()
}

/// What the page lists: the accounts, the tokens, now (for the tokens' states), and the
/// office's zone their times are shown in (accounts and tokens belong to no campaign).
/// The accounts and tokens the office manages, now, its zone, and the names its forms offer:
/// the units and campaigns of its campaigns.
type Listing = (
    Vec<User>,
    Vec<ApiToken>,
    i64,
    chrono_tz::Tz,
    (Vec<String>, Vec<String>),
);

/// More units than a browser's list of suggestions stays quick with: none are offered then
/// (the name typed is still checked, and the nearest one suggested).
const SUGGESTED_UNITS: usize = 5_000;

fn listing(office: &Office, store: &dyn Backend, who: &User) -> Result<Listing, AppError> {
    let users = office.accounts(store, who)?;
    let (mut units, mut campaigns) = (Vec::new(), Vec::new());
    for (campaign, unit, _) in store.unit_contacts()? {
        if !who.in_campaign(&campaign) {
            continue;
        }
        if !campaigns.contains(&campaign) {
            campaigns.push(campaign);
        }
        units.push(unit);
    }
    // The office that keeps the records makes accounts of the directory's units too (they
    // join every campaign their unit is in, also later ones).
    if who.every_campaign() {
        units.extend(
            store
                .org_units()?
                .into_iter()
                .filter(|u| u.retired_at.is_none())
                .map(|u| u.name),
        );
    }
    units.sort();
    units.dedup();
    if units.len() > SUGGESTED_UNITS {
        units.clear();
    }
    Ok((
        users,
        office.tokens_as(store, who)?,
        office.clock.now().timestamp(),
        office.config.zone,
        (units, campaigns),
    ))
}

fn accounts_page(
    current: &Session,
    listing: &Listing,
    status: StatusCode,
    said: Value,
) -> Response {
    let roles: Vec<Value> = [
        Role::Liaison,
        Role::Leader,
        Role::Reviewer,
        Role::Supervisor,
        Role::Office,
    ]
    .into_iter()
    .map(|r| context! { value => r.as_str(), label => role_zh(r) })
    .collect();
    let (users, tokens, now, zone, (units, campaigns)) = listing;
    page(
        status,
        "accounts.html",
        context! {
            users => listed(users, current, *zone), tokens => tokens_listed(tokens, *now, *zone),
            roles, said, units, campaigns,
            ..who(Some(current))
        },
    )
}

/// `GET /accounts`.
pub async fn accounts(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    let found = for_session(&web, &headers, |office, store, session| {
        listing(office, &*store, &session.user)
    })
    .await;
    match found {
        Ok((current, listing)) => accounts_page(&current, &listing, StatusCode::OK, context! {}),
        Err(r) => r,
    }
}

/// What an action on the page did, to say above the lists.
enum Done {
    /// An account made, with its one-time link's token.
    Made { name: String, token: String },
    /// An account's password reset, with its new link's token.
    Reset { name: String, token: String },
    /// A token made, with its secret.
    Token { name: String, secret: String },
    /// Anything else, in words.
    Said(String),
}

/// Why an action was refused, in the office's words; none for what is not a refusal (a
/// failure, or a right the page does not have, which the caller answers as such).
fn refusal_zh(e: &AppError) -> Option<String> {
    Some(match e {
        AppError::AccountRefused(refusal) => refusal.zh(),
        AppError::Store(StoreError::Refused(r)) => match r {
            Refusal::Unknown {
                kind: "account",
                name,
                ..
            } => format!("没有名为「{name}」的账号"),
            Refusal::Unknown { kind: "token", .. } => "没有这个令牌".to_string(),
            // With the nearest name, as the office would want told.
            Refusal::Unknown { kind: "unit", .. } => r.zh(),
            Refusal::AccountExists { name } => {
                format!("已有名为「{name}」的账号；忘记密码的，请在列表中为其重置密码")
            }
            Refusal::TokenExists { name } => {
                format!("已有名为「{name}」的令牌（吊销的令牌也保留其名称），请换一个名称")
            }
            other => other.zh(),
        },
        _ => return None,
    })
}

/// The base of the links shown: this server as the browser reached it.
fn base(web: &Web, headers: &HeaderMap) -> String {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) if web.secure => format!("https://{host}"),
        Some(host) => format!("http://{host}"),
        None => String::new(),
    }
}

/// Runs the action `work` for the signed-in office if the form's CSRF secret is the
/// session's, then shows the page with what it did (200) or why not (422); a visitor is sent
/// to sign in, anyone else refused (403) by the rights the action asks for.
async fn act(
    web: &Arc<Web>,
    headers: &HeaderMap,
    csrf: String,
    work: impl FnOnce(&Office, &mut dyn Backend, &Session, Instant) -> Result<Done, AppError>
    + Send
    + 'static,
) -> Response {
    let base = base(web, headers);
    // The page is listed after the attempt, in the same call: done, or refused and why.
    let done = for_session(web, headers, move |office, store, session| {
        let done = if same_secret(&session.csrf, &csrf) {
            let now = Instant::Absolute(office.clock.now());
            match work(office, store, session, now) {
                Ok(done) => Ok(done),
                Err(e) => match refusal_zh(&e) {
                    Some(why) => Err(why),
                    None => return Err(e),
                },
            }
        } else {
            Err("此表单已过期，请重新打开本页".to_string())
        };
        Ok((done, listing(office, &*store, &session.user)?))
    })
    .await;
    let (current, (done, listing)) = match done {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (status, said) = match done {
        Ok(Done::Made { name, token }) => {
            let link = format!("{base}/set-password?token={token}");
            (StatusCode::OK, context! { name, link })
        }
        Ok(Done::Reset { name, token }) => {
            let link = format!("{base}/set-password?token={token}");
            (StatusCode::OK, context! { name, link, reset => true })
        }
        Ok(Done::Token { name, secret }) => (StatusCode::OK, context! { token => name, secret }),
        Ok(Done::Said(note)) => (StatusCode::OK, context! { note }),
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, context! { error }),
    };
    accounts_page(&current, &listing, status, said)
}

/// What the new account's form sends.
#[derive(Deserialize)]
pub struct NewAccount {
    csrf: String,
    name: String,
    #[serde(default)]
    unit: String,
    role: String,
    /// The campaign it acts in (empty: the office's own).
    #[serde(default)]
    campaign: String,
}

/// The campaign a form chose, as the list an account or token acts in (none chosen: empty,
/// the office's own).
fn chosen_campaign(field: &str) -> Vec<String> {
    Some(field.trim().to_string())
        .filter(|c| !c.is_empty())
        .into_iter()
        .collect()
}

/// `POST /accounts`: a new account, and its link shown once.
pub async fn add(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<NewAccount>,
) -> Response {
    let Some(role) = Role::parse(&form.role) else {
        return message(StatusCode::BAD_REQUEST, "无法创建账号", "未知角色", None);
    };
    let (name, unit) = (form.name.trim().to_string(), form.unit.trim().to_string());
    let campaigns = chosen_campaign(&form.campaign);
    act(
        &web,
        &headers,
        form.csrf,
        move |office, store, session, now| {
            let unit = (!unit.is_empty()).then_some(unit.as_str());
            let token =
                office.add_user_as(store, &session.user, (&name, unit, role, &campaigns), now)?;
            Ok(Done::Made { name, token })
        },
    )
    .await
}

/// What a form about one account sends.
#[derive(Deserialize)]
pub struct OneAccount {
    csrf: String,
    name: String,
}

/// `POST /accounts/disable`: the account cannot sign in, and its sessions end.
pub async fn disable(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<OneAccount>,
) -> Response {
    let name = form.name;
    act(
        &web,
        &headers,
        form.csrf,
        move |office, store, session, now| {
            let before = office.set_disabled_as(store, &session.user, &name, true, now)?;
            Ok(Done::Said(match before.disabled_at {
                Some(_) => format!("{name} 已是停用状态"),
                None => format!("已停用 {name}：不能再登录，已登录的会话已结束"),
            }))
        },
    )
    .await
}

/// `POST /accounts/enable`: a disabled account signs in again.
pub async fn enable(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<OneAccount>,
) -> Response {
    let name = form.name;
    act(
        &web,
        &headers,
        form.csrf,
        move |office, store, session, now| {
            let before = office.set_disabled_as(store, &session.user, &name, false, now)?;
            Ok(Done::Said(match (before.disabled_at, &before.password) {
                (Some(_), Some(_)) => format!("已启用 {name}：可用原密码登录"),
                (Some(_), None) => format!("已启用 {name}：通过一次性链接设置密码后即可登录"),
                (None, _) => format!("{name} 未被停用"),
            }))
        },
    )
    .await
}

/// `POST /accounts/reset`: a forgotten password; the old one stops working at once, and a new
/// one-time link is shown once.
pub async fn reset(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<OneAccount>,
) -> Response {
    let name = form.name;
    act(
        &web,
        &headers,
        form.csrf,
        move |office, store, session, now| {
            let token = office.reset_user_as(store, &session.user, &name, now)?;
            Ok(Done::Reset { name, token })
        },
    )
    .await
}

/// What the new token's form sends.
#[derive(Deserialize)]
pub struct NewToken {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    role: String,
    /// Days it works; empty: the default.
    #[serde(default)]
    days: String,
    /// The campaign it acts in (empty: the office's own).
    #[serde(default)]
    campaign: String,
    /// Checked: it reads and never acts.
    #[serde(default)]
    read_only: Option<String>,
}

/// `POST /accounts/tokens`: a new API token, its secret shown once.
pub async fn add_token(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<NewToken>,
) -> Response {
    let Some(role) = Role::parse(&form.role) else {
        return message(StatusCode::BAD_REQUEST, "无法创建令牌", "未知角色", None);
    };
    let (name, unit, days) = (
        form.name.trim().to_string(),
        form.unit.trim().to_string(),
        form.days.trim().to_string(),
    );
    let campaigns = chosen_campaign(&form.campaign);
    let read_only = form.read_only.is_some();
    act(
        &web,
        &headers,
        form.csrf,
        move |office, store, session, now| {
            let expires = if days.is_empty() {
                Expiry::Default
            } else {
                match days.parse::<u32>() {
                    Ok(n) if n > 0 => Expiry::Days(n),
                    _ => {
                        return Err(crate::app::AccountRefusal::BadDays.into());
                    }
                }
            };
            let spec = TokenSpec {
                unit: (!unit.is_empty()).then_some(unit.as_str()),
                role,
                name: (!name.is_empty()).then_some(name.as_str()),
                expires,
                campaigns: &campaigns,
                read_only,
            };
            let (secret, made) = office.create_token_as(store, &session.user, &spec, now)?;
            Ok(Done::Token {
                name: made.name,
                secret,
            })
        },
    )
    .await
}

/// What the revoking form sends.
#[derive(Deserialize)]
pub struct OneToken {
    csrf: String,
    id: String,
}

/// `POST /accounts/tokens/revoke`: the token is refused from now on.
pub async fn revoke_token(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<OneToken>,
) -> Response {
    let id = form.id;
    act(
        &web,
        &headers,
        form.csrf,
        move |office, store, session, now| {
            let (token, before) = office.revoke_token_as(store, &session.user, &id, now)?;
            Ok(Done::Said(if before {
                format!("令牌 {} 早已吊销", token.name)
            } else {
                format!("已吊销令牌 {}：此后使用它的请求一律拒绝", token.name)
            }))
        },
    )
    .await
}
