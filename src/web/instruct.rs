//! `POST /instruct`: the office enters a leader's instruction (交办领导批示) from a unit's page —
//! who gave it, what it says, what it is about, by when. The rights and the record are the
//! application layer's (`app::instructions`), as from the command line and the API; the page
//! answers with the instruction's own page, where its unit reports it done.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::Web;
use super::pages::{as_of, message, redirect};
use crate::app::{About, AppError, Instruction, same_secret};

/// A date part of the form: `Some(None)` when left empty, `None` when it is not a date.
fn day(text: Option<&String>) -> Option<Option<chrono::NaiveDate>> {
    let text = text.map_or("", |t| t.trim());
    if text.is_empty() {
        return Some(None);
    }
    crate::values::parse_date(text).map(Some)
}

/// `POST /instruct` (multipart): the unit page's form — `campaign`, `unit`, `leader`, `text`,
/// `about` (empty: the campaign; `unit`: the unit; else `DELIVERABLE\tPERIOD` of one of its
/// obligations, `-` for none), `due` and `written` (`YYYY-MM-DD` or empty) and any `file`s
/// (the instruction as written) — the instruction entered, then its page.
pub async fn instruct(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let current = match super::desk::signed_in(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sent = match super::upload::read_form(multipart).await {
        Ok(sent) => sent,
        Err(why) => {
            return message(
                StatusCode::BAD_REQUEST,
                "未交办",
                &why.message,
                Some(&current),
            );
        }
    };
    if !same_secret(&current.csrf, &sent.csrf) {
        return super::desk::expired(&current);
    }
    let part = |name: &str| {
        sent.other
            .get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (Some(due), Some(written)) = (day(sent.other.get("due")), day(sent.other.get("written")))
    else {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            "日期应写作 2017-05-20",
            Some(&current),
        );
    };
    let (campaign, unit) = (part("campaign"), part("unit"));
    let about = match part("about").as_str() {
        "" => About::Campaign,
        "unit" => About::Unit(unit.clone()),
        other => {
            let (deliverable, period) = other.split_once('\t').unwrap_or((other, "-"));
            About::Obligation {
                deliverable: deliverable.to_string(),
                unit: unit.clone(),
                period: (period != "-").then(|| period.to_string()),
            }
        }
    };
    let instruction = Instruction {
        leader: part("leader"),
        text: part("text"),
        about,
        unit: unit.clone(),
        due,
        written,
        files: sent.files.clone(),
    };
    let user = current.user.clone();
    let at = as_of(&web);
    let asked = campaign.clone();
    let done = web
        .run(move |office, store| {
            let change = office.instruct_as(store, &user, &asked, &instruction, at)?;
            let ledger = office.instructions_ledger(&*store, &asked)?;
            Ok((ledger, change))
        })
        .await;
    web.board.forget();
    match done {
        Ok((ledger, change)) => {
            // The row is the obligation's last word (`… 宛城区 #3`).
            let row = change.obligation.rsplit(' ').next().unwrap_or_default();
            redirect(&format!(
                "/o/{}/{}/{}/{}?done=1",
                super::path_segment(&campaign),
                super::path_segment(&ledger),
                super::path_segment(&unit),
                super::path_segment(row)
            ))
        }
        Err(AppError::Forbidden { .. }) => message(
            StatusCode::FORBIDDEN,
            "无权办理",
            "不在您的办理权限内",
            Some(&current),
        ),
        Err(AppError::Invalid(problems)) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            &problems
                .iter()
                .map(|p| p.zh().to_string())
                .collect::<Vec<_>>()
                .join("；"),
            Some(&current),
        ),
        Err(AppError::Store(crate::store::StoreError::Refused(refusal))) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            &refusal.zh(),
            Some(&current),
        ),
        Err(AppError::NoInstructions { .. }) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            "该专项未设领导批示事项，请在专项文件中增加“批示”一节",
            Some(&current),
        ),
        Err(e) => {
            tracing::error!(error = %e, "an instruction failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "批示未能交办，已记入系统日志，请稍后再试",
                Some(&current),
            )
        }
    }
}
