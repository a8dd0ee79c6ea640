//! `POST /unit/NAME/calendar`: a calendar subscription for a unit, made on its page by its own
//! liaison or leader (or the office) — a read-only token of the unit in a link that phone and
//! desktop calendars (Outlook, 日历) subscribe to and keep up to date: `webcal://…/api/v1/
//! calendar.ics?token=…`. The link is shown once; the office sees and revokes it on the
//! accounts page.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::pages::{as_of, for_session, message, page, who};
use super::{Web, path_segment};
use crate::app::{Office, same_secret};

/// What the unit page's form sends.
#[derive(Deserialize)]
pub struct Subscribe {
    csrf: String,
}

/// `POST /unit/NAME/calendar`.
pub async fn subscribe(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(unit): Path<String>,
    Form(form): Form<Subscribe>,
) -> Response {
    let now = as_of(&web);
    let named = unit.clone();
    let made = for_session(&web, &headers, move |office, store, session| {
        if !same_secret(&session.csrf, &form.csrf) {
            return Ok(None);
        }
        office
            .calendar_token_as(store, &session.user, &named, now)
            .map(Some)
    })
    .await;
    let (current, made) = match made {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some((secret, token)) = made else {
        return message(
            StatusCode::FORBIDDEN,
            "请求无效",
            "此表单已过期，请重新打开本页",
            None,
        );
    };
    // Where people reach the pages: `base_url` of duban.toml (behind a proxy the Host a
    // request came with may be an inner one), else the address this request came to.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let scheme = if web.secure { "https" } else { "http" };
    let base = web
        .office
        .config
        .base_url
        .clone()
        .map(|b| b.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("{scheme}://{host}"));
    let path = format!("/api/v1/calendar.ics?token={secret}");
    page(
        StatusCode::OK,
        "calendar.html",
        context! {
            unit => unit.clone(), name => token.name,
            webcal => format!("{}{path}", base.replacen("https://", "webcal://", 1).replacen("http://", "webcal://", 1)),
            https => format!("{base}{path}"),
            back => format!("/unit/{}", path_segment(&unit)),
            ..who(Some(&current))
        },
    )
}

/// Whether the unit page offers the form to `user`.
pub(super) fn offered(user: &crate::store::User, unit: &str) -> bool {
    Office::may_subscribe(user, unit)
}
