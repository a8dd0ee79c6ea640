//! `/ack/CAMPAIGN/DELIVERABLE/UNIT/PERIOD/MAC`: 签收 by the link in a notice, for whoever holds
//! the message — no sign-in, and nobody signed in by it. The address asks first (a GET never
//! acts: mail systems open links to look at them); the button on its page acknowledges, once.
//! A link whose signature does not fit its obligation is not found.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::Web;
use super::desk::key_of;
use super::pages::{as_of, message, page, who, with_store};
use crate::app::LinkAck;

type AckPath = Path<(String, String, String, String, String)>;

fn parts(path: &(String, String, String, String, String)) -> (String, String, String, String) {
    (
        path.0.clone(),
        path.1.clone(),
        path.2.clone(),
        path.3.clone(),
    )
}

fn shown(
    obligation: &(String, String, String, String),
    state: Option<LinkAck>,
    done_now: bool,
) -> Response {
    let (before, by) = match state {
        Some(LinkAck::Before { at, by }) => (Some(at), by),
        _ => (None, None),
    };
    page(
        StatusCode::OK,
        "ack.html",
        context! {
            deliverable => obligation.1.clone(), unit => obligation.2.clone(),
            period => (obligation.3 != "-").then(|| obligation.3.clone()),
            before, by, done_now, ..who(None)
        },
    )
}

fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "找不到",
        "这个签收链接无效：请使用通知中的完整链接，或登录督办平台签收",
        None,
    )
}

/// `GET /ack/…`: what the link acknowledges, and a button; or that it was acknowledged.
pub async fn ask(State(web): State<Arc<Web>>, Path(path): AckPath) -> Response {
    let at = as_of(&web);
    let obligation = parts(&path);
    let mac = path.4.clone();
    let asked = obligation.clone();
    match with_store(&web, move |office, store| {
        office.ack_link_state(&*store, &key_of(&asked), &mac, at)
    })
    .await
    {
        Ok(state) => shown(&obligation, state, false),
        Err(r) if r.status() == StatusCode::FORBIDDEN => not_found(),
        Err(r) => r,
    }
}

/// `POST /ack/…`: acknowledges, once.
pub async fn acknowledge(State(web): State<Arc<Web>>, Path(path): AckPath) -> Response {
    let at = as_of(&web);
    let obligation = parts(&path);
    let mac = path.4.clone();
    let asked = obligation.clone();
    match with_store(&web, move |office, store| {
        office.acknowledge_by_link(store, &key_of(&asked), &mac, at)
    })
    .await
    {
        Ok(LinkAck::Done) => {
            web.board.forget();
            shown(&obligation, None, true)
        }
        Ok(before) => shown(&obligation, Some(before), false),
        Err(r) if r.status() == StatusCode::FORBIDDEN => not_found(),
        Err(r) => r,
    }
}
