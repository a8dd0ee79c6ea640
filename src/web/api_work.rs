//! The API's operations that make or settle work: a leader's instruction entered (交办领导批示),
//! a report's period passed down to the sub-units (分解到下级), a received report returned
//! (退回) and a report waived (免报) — each through the application layer and its rights, as
//! from the pages and the command line.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::Web;
use super::api::holder;
use super::api_body::Body;
use super::api_refusal::{coded, refused};
use super::pages::as_of;
use super::paging::tagged;
use crate::app::{About, AppError, Instruction};
use crate::store::Key;

/// What `POST /api/v1/instructions` takes: a leader's instruction for a unit.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInstruction {
    campaign: String,
    unit: String,
    leader: String,
    text: String,
    /// What it was given on: absent or empty for the campaign, a unit's name, or
    /// `DELIVERABLE UNIT [PERIOD]`.
    #[serde(default)]
    about: String,
    due: Option<chrono::NaiveDate>,
    written: Option<chrono::NaiveDate>,
}

/// `POST /api/v1/instructions`: the office's token enters a leader's instruction (交办领导批示)
/// at the server's time: 201 with the row it became, its status and its deadline.
pub async fn instruct(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewInstruction>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let at = as_of(&web);
    let instruction = Instruction {
        leader: asked.leader.trim().to_string(),
        text: asked.text.trim().to_string(),
        about: About::parse(&asked.about),
        unit: asked.unit.clone(),
        due: asked.due,
        written: asked.written,
        files: Vec::new(),
    };
    let campaign = asked.campaign.clone();
    let done = web
        .run(move |office, store| {
            let change = office.instruct_as(store, &user, &campaign, &instruction, at)?;
            let ledger = office.instructions_ledger(&*store, &campaign)?;
            Ok((ledger, change))
        })
        .await;
    web.board.forget();
    match done {
        Ok((ledger, change)) => (
            StatusCode::CREATED,
            Json(json!({
                "obligation": change.obligation,
                "ledger": ledger,
                "row": change.obligation.rsplit(' ').next(),
                "status": change.status,
                "due_date": change.due_date,
            })),
        )
            .into_response(),
        Err(AppError::Forbidden { .. }) => coded(
            StatusCode::FORBIDDEN,
            "forbidden",
            "此令牌无权交办该专项的领导批示",
        ),
        Err(e) => refused(&e),
    }
}

/// What `POST /api/v1/pass-downs` takes: one period of a unit's report, and the day its
/// sub-units owe their part by.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassDown {
    campaign: String,
    deliverable: String,
    unit: String,
    period: Option<String>,
    due: chrono::NaiveDate,
}

/// `POST /api/v1/pass-downs`: a unit's report of one period passed down to the units under it
/// (分解到下级) at the server's time, by whoever may submit it: 201 with each part now owed.
pub async fn pass_down(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(asked): Body<NewPassDown>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let at = as_of(&web);
    let done = web
        .run(move |office, store| {
            let key = Key {
                campaign: &asked.campaign,
                deliverable: &asked.deliverable,
                unit: &asked.unit,
                period: asked.period.as_deref(),
            };
            office.pass_down(store, (Some(&user), None), &key, asked.due, at)
        })
        .await;
    web.board.forget();
    match done {
        Ok(changes) => (
            StatusCode::CREATED,
            Json(json!({
                "parts": changes.iter().map(|c| json!({
                    "obligation": c.obligation,
                    "status": c.status,
                    "due_date": c.due_date,
                })).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Err(e) => refused(&e),
    }
}

/// `GET /api/v1/instructions?campaign=…`: the campaign's leaders' instructions its holder may
/// see, each with its source, its unit, its deadline and where it stands (with an `ETag`).
pub async fn instructions(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some(campaign) = query.get("campaign").cloned() else {
        return coded(
            StatusCode::BAD_REQUEST,
            "campaign_needed",
            "请指明专项：?campaign=ID",
        );
    };
    if campaign.contains('\0') {
        return coded(StatusCode::NOT_FOUND, "unknown", "没有这个专项");
    }
    let at = as_of(&web);
    let listed = web
        .run(move |office, store| office.visible_instructions(&*store, &campaign, &user, at))
        .await;
    match listed {
        Ok(lines) => {
            let lines: Vec<serde_json::Value> = lines
                .iter()
                .map(|l| {
                    json!({
                        "row": l.row, "leader": l.leader, "text": l.text, "about": l.about,
                        "unit": l.unit, "due_date": l.due_date, "state": l.state,
                        "state_zh": l.state_zh(),
                    })
                })
                .collect();
            tagged(
                &headers,
                serde_json::to_vec(&lines).unwrap_or_default(),
                "application/json",
            )
        }
        Err(AppError::Forbidden { .. }) => {
            coded(StatusCode::FORBIDDEN, "forbidden", "此令牌无权查看该专项")
        }
        Err(e) => refused(&e),
    }
}

/// What `POST /api/v1/returns` and `POST /api/v1/waivers` take: the obligation, and why.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settled {
    campaign: String,
    deliverable: String,
    unit: String,
    period: Option<String>,
    reason: String,
}

impl Settled {
    fn parts(self) -> ((String, String, String, Option<String>), String) {
        let reason = self.reason.trim().to_string();
        (
            (self.campaign, self.deliverable, self.unit, self.period),
            reason,
        )
    }
}

/// `POST /api/v1/returns`: a report received (or under review) sent back to its unit (退回)
/// with a reason, by whom the page lets return it (the office, and whom the report is sent to):
/// 200 with the obligation, owed again.
pub async fn send_back(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(settled): Body<Settled>,
) -> Response {
    let (names, reason) = settled.parts();
    let action = crate::ledger::Action::Return {
        reason: reason.clone(),
    };
    super::api::act(&web, &headers, names, action, Some(&reason), StatusCode::OK).await
}

/// `POST /api/v1/waivers`: a report the unit no longer owes (免报), with a reason, by the
/// office: 200 with the obligation, waived.
pub async fn waive(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Body(settled): Body<Settled>,
) -> Response {
    let (names, reason) = settled.parts();
    let action = crate::ledger::Action::Waive {
        reason: reason.clone(),
    };
    super::api::act(&web, &headers, names, action, Some(&reason), StatusCode::OK).await
}
