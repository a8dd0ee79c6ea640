//! The API's operations that make or settle work: a leader's instruction entered (交办领导批示),
//! a report's period passed down to the sub-units (分解到下级), a received report returned
//! (退回) and a report waived (免报) — each through the application layer and its rights, as
//! from the pages and the command line.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::Web;
use super::api::holder;
use super::api_body::Body;
use super::api_refusal::{Code, coded, refused};
use super::api_schema::{Name, Plain, Said};
use super::pages::as_of;
use super::paging::tagged;
use crate::app::{About, AppError, Instruction};
use crate::store::Key;

/// What `POST /api/v1/instructions` takes: a leader's instruction for a unit.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstruction {
    #[schemars(with = "Name")]
    campaign: String,
    /// The unit that carries it out (承办单位).
    #[schemars(with = "Name")]
    unit: String,
    /// Who gave it (批示领导).
    #[schemars(with = "Said<{ crate::vocabulary::typed::NAME_MAX }>")]
    leader: String,
    /// What it says (批示内容).
    #[schemars(with = "Said<{ crate::vocabulary::typed::VALUE_MAX }>")]
    text: String,
    /// What it was given on: absent or empty for the campaign, a unit's name, or
    /// `DELIVERABLE UNIT [PERIOD]`.
    #[serde(default)]
    #[schemars(with = "Plain")]
    about: String,
    /// The last day to report it done; without it, the campaign's rule (`办结时限`).
    due: Option<chrono::NaiveDate>,
    /// The day the leader wrote it.
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
        Err(AppError::Forbidden { .. }) => coded(Code::Forbidden, "此令牌无权交办该专项的领导批示"),
        Err(e) => refused(&e),
    }
}

/// What `POST /api/v1/pass-downs` takes: one period of a unit's report, and the day its
/// sub-units owe their part by.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassDown {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// The day the parts are owed by: no later than the unit's own deadline, not past.
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
        return coded(Code::CampaignNeeded, "请指明专项：?campaign=ID");
    };
    if campaign.contains('\0') {
        return coded(Code::Unknown, "没有这个专项");
    }
    let page = match super::paging::KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let at = as_of(&web);
    let asked = campaign.clone();
    let listed = web
        .run(move |office, store| office.visible_instructions(&*store, &asked, &user, at))
        .await;
    match listed {
        Ok(lines) => {
            // In the order of their rows (#1, #2 …): a row entered between two pages comes last.
            let (lines, next) = page.cut(lines, |l| {
                let row: i64 = l.row.trim_start_matches('#').parse().unwrap_or(i64::MAX);
                super::paging::sort_key(0, &[&format!("{row:020}"), &l.row])
            });
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
            let mut response = tagged(
                &headers,
                serde_json::to_vec(&lines).unwrap_or_default(),
                "application/json",
            );
            let listing = format!(
                "/api/v1/instructions?campaign={}&",
                super::path_segment(&campaign)
            );
            page.link(&mut response, &listing, next);
            response
        }
        Err(AppError::Forbidden { .. }) => coded(Code::Forbidden, "此令牌无权查看该专项"),
        Err(e) => refused(&e),
    }
}

/// What `POST /api/v1/returns` and `POST /api/v1/waivers` take: the obligation, and why.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settled {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// Why.
    #[schemars(with = "Said<{ crate::vocabulary::typed::REASON_MAX }>")]
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

/// `POST /api/v1/imports`: a clerk's spreadsheet of reports that came on paper or by mail
/// (Excel, CSV or JSON lines: a multipart form with the sheet as `file`, and `campaign` for a
/// sheet without a 专项 column), recorded as `/import` records it — all rows or none: 200 with
/// how many were recorded, or 422 `bad_rows` naming each row to correct. The office's tokens.
pub async fn import(State(web): State<Arc<Web>>, request: axum::extract::Request) -> Response {
    use axum::extract::FromRequest;
    let headers = request.headers().clone();
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    // Whose it is to do, before anything sent is read.
    if let Err(e) = crate::app::allow_act(&user, crate::app::Page::Import) {
        return match e {
            AppError::Forbidden { .. } => coded(Code::Forbidden, "此令牌无权导入报送记录"),
            other => refused(&other),
        };
    }
    let Ok(multipart) = axum::extract::Multipart::from_request(request, &()).await else {
        return coded(Code::BadForm, "表单无法读取：请以 multipart/form-data 发送");
    };
    let mut sent = match super::upload::read_form(multipart).await {
        Ok(sent) => sent,
        Err(refused) => return super::api_refusal::form_refused(refused),
    };
    let campaign = sent.other.remove("campaign").filter(|c| !c.is_empty());
    let (path, name) = match super::received::sheet(&sent) {
        Ok(found) => found,
        Err(why @ super::received::SheetProblem::Missing) => {
            return coded(Code::BadForm, &why.to_string());
        }
        Err(why) => return coded(Code::BadTable, &why.to_string()),
    };
    let done = web
        .run(move |office, store| {
            let now = office.clock.now().timestamp();
            let received = office.import_sheet_as(store, &user, &path, &name, campaign, now);
            drop(sent);
            received
        })
        .await;
    match done {
        Ok(crate::app::Received::Recorded(report)) => {
            web.board.forget();
            Json(json!({"recorded": report.recorded, "unchanged": report.unchanged}))
                .into_response()
        }
        Ok(crate::app::Received::Refused(bad)) => super::api_refusal::Refusal {
            error: format!("有 {} 行需要更正，未导入任何一行", bad.len()),
            code: Code::BadRows,
            field: None,
            invalid: bad
                .iter()
                .map(|b| super::api_refusal::InvalidValue {
                    field: None,
                    at: format!("第 {} 行", b.line),
                    message: b.reason.zh(),
                })
                .collect(),
        }
        .into_response(),
        Err(AppError::Table(_)) => coded(
            Code::BadTable,
            "读不出报送记录：请用 Excel 或 CSV 文件，第一行为列名（报送单位、报送事项、期次、报送时间，及表单各栏）",
        ),
        Err(AppError::Forbidden { .. }) => coded(Code::Forbidden, "此令牌无权导入该专项的报送记录"),
        Err(e) => refused(&e),
    }
}
