//! The obligation page's acts that are not a decision on the record itself: 一键催办 (the
//! unit chased for it now) and 分解到下级 (its period passed down to the units under it). Each is
//! the application layer's, with its rights; the page answers as after any act.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;

use super::Web;
use super::desk::{after, key_of, with_decision};
use super::pages::{as_of, message};
use crate::app::Session;

/// 一键催办 of one obligation, in the signed-in person's name: the chase in its history, and
/// the unit's mails queued for the next pass to send.
pub(super) async fn chase(
    web: &Arc<Web>,
    current: &Session,
    path: (String, String, String, String),
    force: bool,
) -> Response {
    let user = current.user.clone();
    let at = as_of(web);
    let key_path = path.clone();
    let done = with_decision(web, move |office, store| {
        let (campaign, deliverable, unit, period) = &key_path;
        let asked = crate::app::ChaseRequest {
            campaign,
            unit,
            deliverable: Some(deliverable),
            period: (period != "-").then_some(period.as_str()),
            force,
        };
        office.chase(store, Some(&user), &asked, at).map(|_| ())
    })
    .await;
    after(web, current, path, done, Vec::new(), false).await
}

/// 分解到下级: the unit's report of this period passed down to the units under it, by the day
/// given (the form's `until`).
pub(super) async fn pass_down(
    web: &Arc<Web>,
    current: &Session,
    path: (String, String, String, String),
    until: &str,
) -> Response {
    let Ok(due) = chrono::NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d") else {
        let why = "下级报送时限：请填写日期（YYYY-MM-DD）";
        return message(StatusCode::BAD_REQUEST, "无法办理", why, Some(current));
    };
    let user = current.user.clone();
    let at = as_of(web);
    let key_path = path.clone();
    let done = with_decision(web, move |office, store| {
        office
            .pass_down(store, (Some(&user), None), &key_of(&key_path), due, at)
            .map(|_| ())
    })
    .await;
    web.board.forget();
    after(web, current, path, done, Vec::new(), false).await
}
