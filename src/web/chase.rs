//! `POST /chase`: 一键催办 from the board's cell — a unit chased for one report of a campaign
//! (every period of it past its deadline), in the office account's name. The chase itself —
//! its rights, its once a day, its history and its mails — is the application layer's
//! (`app::chase`), as from the obligation's page and the command line.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::Web;
use super::pages::{as_of, message};
use crate::app::{AppError, ChaseRequest, same_secret};

/// The board cell's form.
#[derive(Deserialize)]
pub struct ChaseForm {
    csrf: String,
    campaign: String,
    unit: String,
    deliverable: String,
    /// `1`: chase again on a day the unit was chased already.
    #[serde(default)]
    force: String,
}

/// `POST /chase`: the unit chased for the report, then a page that says what was done.
pub async fn chase(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<ChaseForm>,
) -> Response {
    let current = match super::desk::signed_in(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same_secret(&current.csrf, &form.csrf) {
        return super::desk::expired(&current);
    }
    let user = current.user.clone();
    let at = as_of(&web);
    let asked = (form.campaign, form.unit.clone(), form.deliverable);
    let force = form.force == "1";
    let done = web
        .run(move |office, store| {
            let request = ChaseRequest {
                campaign: &asked.0,
                unit: &asked.1,
                deliverable: Some(&asked.2),
                period: None,
                force,
            };
            office.chase(store, Some(&user), &request, at)
        })
        .await;
    match done {
        Ok(chased) => message(
            StatusCode::OK,
            "已催办",
            &format!(
                "已向{}发出催办通知（{}），并记入各事项的记录；通知将在发件时送出。",
                form.unit,
                chased.chased.join("、")
            ),
            Some(&current),
        ),
        Err(AppError::Forbidden { .. }) => message(
            StatusCode::FORBIDDEN,
            "无权办理",
            "不在您的办理权限内",
            Some(&current),
        ),
        Err(AppError::Store(crate::store::StoreError::Refused(refusal))) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未催办",
            &refusal.zh(),
            Some(&current),
        ),
        Err(AppError::Chase(refusal)) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未催办",
            &refusal.zh(),
            Some(&current),
        ),
        Err(AppError::NoMailbox(none)) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未催办",
            &none.zh(),
            Some(&current),
        ),
        Err(e) => {
            tracing::error!(error = %e, "a chase failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "催办未能完成，已记入系统日志，请稍后再试",
                Some(&current),
            )
        }
    }
}
