//! The JSON API under `/api/v1` for the province's other systems: a bearer token (`duban token
//! create`) acts as its holder would on the pages — the same rights function decides (`app`'s
//! `rights`). It lists what its holder may see and records a submission where its holder may
//! submit, at the server's time; only the office's tokens may name an earlier time (补录).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::Web;
use super::api_body::Body;
use super::api_refusal::{Code, coded, form_refused, ledger_code, refused};
use super::api_schema::{Name, Said, Text};
use super::paging::{Cursor, bad_cursor, from_cursor, limit_of, link_next, tagged, to_cursor};
use crate::app::{AppError, Paged, Slice, TokenRefusal};
use crate::clock::Instant;
use crate::store::{Action, Key, User};
use crate::vocabulary::typed;

/// The token's holder, or the refusal to answer.
pub(super) async fn holder(web: &Arc<Web>, headers: &HeaderMap) -> Result<User, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from);
    let Some(token) = token else {
        return Err(coded(
            Code::NoToken,
            "请以 `Authorization: Bearer 令牌` 的形式发送令牌",
        ));
    };
    // A token's expiry is the wall clock's, not a rehearsal's `--as-of`.
    let found = web
        .run(move |office, store| {
            let now = Instant::Absolute(office.clock.now());
            office.token_holder(store, &token, now)
        })
        .await;
    match found {
        Ok(user) => Ok(user),
        Err(AppError::TokenRefused(why)) => Err(token_refused(why, web.office.config.zone)),
        Err(e) => {
            tracing::error!(error = %e, "a token could not be checked");
            Err(coded(
                Code::Failed,
                "记录暂时无法读取，已记入系统日志；请稍后再试",
            ))
        }
    }
}

/// A token refused: 401 with a stable code and why, in the office's words and `zone`.
fn token_refused(why: TokenRefusal, zone: chrono_tz::Tz) -> Response {
    let day = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    match why {
        TokenRefusal::Unknown => coded(Code::UnknownToken, "令牌无效：没有这个令牌"),
        TokenRefusal::Revoked { at } => coded(
            Code::TokenRevoked,
            &format!("此令牌已于{}被吊销，请向督办办公室申请新的令牌", day(at)),
        ),
        TokenRefusal::Expired { at } => coded(
            Code::TokenExpired,
            &format!("此令牌已于{}过期，请向督办办公室申请新的令牌", day(at)),
        ),
    }
}

/// `GET /api/v1/obligations?campaign=…`.
pub async fn obligations(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some(campaign) = query.get("campaign").cloned() else {
        return coded(Code::CampaignNeeded, "请指明专项：?campaign=ID");
    };
    // No campaign's key holds a NUL (and PostgreSQL's text cannot): it names nothing.
    if campaign.contains('\0') {
        return coded(Code::Unknown, "没有这个专项");
    }
    // A page of them, where asked: `limit`, and the `cursor` the page before gave.
    let limit = match limit_of(&query) {
        Ok(limit) => limit,
        Err(r) => return *r,
    };
    // An empty cursor is none: the first page.
    let cursor = query.get("cursor").filter(|c| !c.is_empty());
    let start = match cursor.map(|c| from_cursor(c)) {
        None => Cursor::After(0),
        Some(Some(start)) => start,
        Some(None) => return bad_cursor(),
    };
    // One unit's own obligations, where asked: a unit's worklist without walking the campaign.
    let unit = query.get("unit").filter(|u| !u.trim().is_empty()).cloned();
    if unit.as_deref().is_some_and(|u| u.contains('\0')) {
        return coded(Code::Unknown, "没有这个单位");
    }
    let at = super::pages::as_of(&web);
    let asked = campaign.clone();
    let of_unit = unit.clone();
    let listed = web
        .run(move |office, store| {
            let store = &*store;
            let slice = |after, limit| Slice {
                unit: of_unit.as_deref(),
                after,
                limit,
            };
            // An earlier version's cursor counts rows: walk there, then read by key.
            let after = match start {
                Cursor::After(row) => row,
                Cursor::Skip(0) => 0,
                Cursor::Skip(n) => {
                    match office.visible_page(store, &asked, &user, at, &slice(0, n))? {
                        Paged {
                            next: Some(row), ..
                        } => row,
                        _ => i64::MAX,
                    }
                }
            };
            let whole = limit.unwrap_or(usize::MAX);
            office.visible_page(store, &asked, &user, at, &slice(after, whole))
        })
        .await;
    let page = match listed {
        Ok(page) => page,
        Err(e) => return refused(&e),
    };
    let body = serde_json::to_vec(&page.rows).unwrap_or_default();
    let mut response = tagged(&headers, body, "application/json");
    if let (Some(n), Some(after)) = (limit, page.next) {
        let unit = unit
            .map(|u| format!("&unit={}", super::path_segment(&u)))
            .unwrap_or_default();
        let next = format!(
            "/api/v1/obligations?campaign={}{unit}&limit={n}&cursor={}",
            super::path_segment(&campaign),
            to_cursor(after)
        );
        link_next(&mut response, &next);
    }
    response
}

/// `GET /api/v1/calendar.ics`: the calendar of the token's unit (iCalendar, as `duban ics`
/// writes it: each report on its day, the campaign's reminders as alarms, where each stands in
/// its title), for a calendar to subscribe to (`webcal://…/api/v1/calendar.ics?token=…`): a
/// calendar cannot send a header, so the token may come in the address; read-only.
pub async fn calendar(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let mut headers = headers;
    if let Some(token) = query.get("token")
        && !headers.contains_key(header::AUTHORIZATION)
        && let Ok(value) = header::HeaderValue::from_str(&format!("Bearer {}", token.trim()))
    {
        headers.insert(header::AUTHORIZATION, value);
    }
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some(unit) = user.unit.clone() else {
        return coded(Code::UnitTokenNeeded, "日历按单位订阅：请使用本单位的令牌");
    };
    let at = super::pages::as_of(&web);
    let calendar = web.office.calendar.clone();
    let made = web
        .run(move |office, store| {
            let work = office.unit_calendar(&*store, &unit, &user.campaigns, at)?;
            let now = at.in_zone(work.zone);
            let entries = crate::documents::ics::work_entries(&work, &calendar, now.timestamp());
            let name = format!("{unit} 报送事项");
            let export = crate::documents::ics::Export {
                name: &name,
                component: crate::documents::ics::Component::Event,
                revised: now,
            };
            let mut out = Vec::new();
            // Writing into memory cannot fail.
            let _ = crate::documents::ics::write(&mut out, &export, entries);
            Ok::<_, AppError>(out)
        })
        .await;
    match made {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => refused(&e),
    }
}

/// What `POST /api/v1/chases` takes: whom to chase, for what.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChase {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    unit: String,
    /// Only this report.
    #[schemars(with = "Option<Name>")]
    deliverable: Option<String>,
    /// Only this period of it.
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// Chase again what was chased today already.
    #[serde(default)]
    force: bool,
}

/// `POST /api/v1/chases`: 一键催办 by the office's token — the unit chased now for what it
/// owes past its deadline (of one report, one period), as on the pages: 201 with what was
/// chased and where its mails go (queued for the next pass).
pub async fn chase(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewChase>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let at = super::pages::as_of(&web);
    let done = web
        .run(move |office, store| {
            let request = crate::app::ChaseRequest {
                campaign: &asked.campaign,
                unit: &asked.unit,
                deliverable: asked.deliverable.as_deref(),
                period: asked.period.as_deref(),
                force: asked.force,
            };
            office.chase(store, Some(&user), &request, at)
        })
        .await;
    match done {
        Ok(chased) => (
            StatusCode::CREATED,
            Json(json!({ "chased": chased.chased, "already": chased.already, "to": chased.to })),
        )
            .into_response(),
        Err(AppError::Chase(refusal)) => {
            let code = match refusal {
                crate::app::ChaseRefusal::NothingOverdue { .. } => Code::NothingOverdue,
                crate::app::ChaseRefusal::ChasedToday { .. } => Code::ChasedToday,
            };
            coded(code, &refusal.zh())
        }
        Err(AppError::NoMailbox(none)) => coded(Code::NoMailbox, &none.zh()),
        Err(e) => refused(&e),
    }
}

/// What `POST /api/v1/extension-requests` takes: a unit's request for more time.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExtensionRequest {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// The day asked for.
    until: chrono::NaiveDate,
    /// Why more time is needed.
    #[schemars(with = "Said<{ crate::vocabulary::typed::REASON_MAX }>")]
    reason: String,
}

/// What `POST /api/v1/acknowledgements` takes: the obligation acknowledged.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAcknowledgement {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
}

/// `POST /api/v1/acknowledgements`: 签收 by the unit's token (or a unit above it, or the
/// office), at the server's time: 201 with the obligation as it stands.
pub async fn acknowledge(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewAcknowledgement>,
) -> Response {
    let names = (asked.campaign, asked.deliverable, asked.unit, asked.period);
    act(
        &web,
        &headers,
        names,
        Action::Acknowledge,
        None,
        StatusCode::CREATED,
    )
    .await
}

/// What `POST /api/v1/extension-decisions` takes: the office's answer to a request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "required": ["until"], "properties": { "grant": { "const": true }, "until": { "type": "string" } } },
    { "properties": { "grant": { "const": false } } }
]))]
pub struct ExtensionDecision {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// Granted (to `until`, the day asked for or a nearer one) or declined.
    grant: bool,
    /// Granted: the new deadline, the day asked for or a nearer one.
    until: Option<chrono::NaiveDate>,
    /// Why: granted or declined, the office says why.
    #[schemars(with = "Said<{ crate::vocabulary::typed::REASON_MAX }>")]
    reason: String,
}

/// `POST /api/v1/extension-requests`: 申请延期 by the unit's token (or a unit above it, or the
/// office), before the deadline: 201 with the obligation as it stands (its deadline holds
/// until the office answers).
pub async fn ask_extension(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewExtensionRequest>,
) -> Response {
    let reason = asked.reason.trim().to_string();
    let action = Action::AskExtension {
        until: asked.until,
        reason: reason.clone(),
    };
    let names = (asked.campaign, asked.deliverable, asked.unit, asked.period);
    act(
        &web,
        &headers,
        names,
        action,
        Some(&reason),
        StatusCode::CREATED,
    )
    .await
}

/// `POST /api/v1/extension-decisions`: the office's answer to a request for more time —
/// granted (an extension to `until`) or declined, with a reason: 200 with the obligation as it
/// stands.
pub async fn decide_extension(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(decided): Body<ExtensionDecision>,
) -> Response {
    let reason = decided.reason.trim().to_string();
    let action = match (decided.grant, decided.until) {
        (true, Some(until)) => Action::Extend {
            until,
            reason: reason.clone(),
        },
        (true, None) => {
            return coded(Code::UntilNeeded, "同意延期须写明延期至哪一天");
        }
        (false, _) => Action::DeclineExtension {
            reason: reason.clone(),
        },
    };
    let names = (
        decided.campaign,
        decided.deliverable,
        decided.unit,
        decided.period,
    );
    act(&web, &headers, names, action, Some(&reason), StatusCode::OK).await
}

/// What `POST /api/v1/review-decisions` takes: the decision of the reviewer at the level
/// deciding — accepted (counted, or passed to the next level) or returned with a reason.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "properties": { "accept": { "const": true } } },
    { "required": ["reason"], "properties": { "accept": { "const": false }, "reason": { "type": "string", "minLength": 1, "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$" } } }
]))]
pub struct ReviewDecision {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// True: accepted (or passed to the next level); false: returned to the unit.
    accept: bool,
    /// Why it is returned (needed when `accept` is false).
    // With `accept: false` it must say something (the oneOf above); with `true` it is kept as
    // given, empty or not.
    #[schemars(with = "Option<Text<{ crate::vocabulary::typed::REASON_MAX }>>")]
    reason: Option<String>,
}

/// `POST /api/v1/review-decisions`: the reviewer's decision on a submission under review, at
/// the level deciding (a review in levels passes an accepted one to the next level, named in
/// `waiting_for`): 200 with the obligation as it stands.
pub async fn decide_review(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(decided): Body<ReviewDecision>,
) -> Response {
    let names = (
        decided.campaign,
        decided.deliverable,
        decided.unit,
        decided.period,
    );
    if decided.accept {
        let action = Action::Accept {
            next_review_due: None,
            by: None,
        };
        return act(&web, &headers, names, action, None, StatusCode::OK).await;
    }
    let reason = decided.reason.unwrap_or_default().trim().to_string();
    let action = Action::Reject {
        reason: reason.clone(),
    };
    act(&web, &headers, names, action, Some(&reason), StatusCode::OK).await
}

/// Does `action` to the obligation `names` names as the token's holder, through the same
/// rights as the pages, its `reason` (where it has one) required and bounded as on the pages;
/// `done` and the obligation as it stands, or the refusal with its code and Chinese words.
pub(super) async fn act(
    web: &Arc<Web>,
    headers: &HeaderMap,
    names: (String, String, String, Option<String>),
    action: Action,
    reason: Option<&str>,
    done: StatusCode,
) -> Response {
    let user = match holder(web, headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Some(reason) = reason {
        if reason.is_empty() {
            return coded(Code::ReasonNeeded, "请填写理由");
        }
        if let Err(e) = typed::within("reason", reason, typed::REASON_MAX) {
            return form_refused(e.into());
        }
    }
    let at = super::pages::as_of(web);
    let result = web
        .run(move |office, store| {
            let (campaign, deliverable, unit, period) = &names;
            let key = Key {
                campaign,
                deliverable,
                unit,
                period: period.as_deref(),
            };
            office.act_as(store, &user, &key, action, at)
        })
        .await;
    web.board.forget();
    match result {
        Ok(change) => (
            done,
            Json(json!({
                "obligation": change.obligation,
                "status": change.status,
                "due_date": change.due_date,
                "waiting_for": change.waiting_for,
            })),
        )
            .into_response(),
        Err(AppError::Extension(refusal)) => {
            use crate::app::ExtensionRefusal as R;
            // Asking past the campaign's limit is the day asked for (422); the others are the
            // record's state (409).
            let code = match refusal {
                R::AlreadyAsked { .. } => Code::AlreadyAsked,
                R::NoneOpen => Code::NoRequest,
                R::AlreadyAcknowledged { .. } => Code::AlreadyAcknowledged,
                R::TooMany { .. } => Code::TooManyRequests,
                R::TooFar { .. } => Code::AskedTooFar,
            };
            coded(code, &refusal.zh())
        }
        Err(AppError::Store(crate::store::StoreError::Refused(r)))
            if let Some(code) = ledger_code(&r) =>
        {
            coded(code, &r.zh())
        }
        Err(e) => refused(&e),
    }
}
