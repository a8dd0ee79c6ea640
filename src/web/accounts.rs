//! `/accounts`: the office's page of accounts — who may sign in, as what, for which unit, and
//! whether their password is set — and the form that makes a new one and shows its one-time
//! link, once. The office only; every check is the application layer's.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use super::Web;
use super::pages::{for_session, message, page, role_zh, who};
use crate::app::{AppError, Session, same_secret};
use crate::clock::Instant;
use crate::store::{Role, User};

fn listed(users: &[User]) -> Vec<Value> {
    users
        .iter()
        .map(|u| {
            context! {
                name => u.name.clone(), unit => u.unit.clone(), role => role_zh(u.role),
                ready => u.password.is_some(),
            }
        })
        .collect()
}

fn accounts_page(current: &Session, users: &[User], status: StatusCode, said: Value) -> Response {
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
    page(
        status,
        "accounts.html",
        context! { users => listed(users), roles, said, ..who(Some(current)) },
    )
}

/// `GET /accounts`.
pub async fn accounts(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    let found = for_session(&web, &headers, |office, store, session| {
        office.accounts(&*store, &session.user)
    })
    .await;
    match found {
        Ok((current, users)) => accounts_page(&current, &users, StatusCode::OK, context! {}),
        Err(r) => r,
    }
}

/// What the new account's form sends.
#[derive(Deserialize)]
pub struct NewAccount {
    csrf: String,
    name: String,
    #[serde(default)]
    unit: String,
    role: String,
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
    let base = match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) if web.secure => format!("https://{host}"),
        Some(host) => format!("http://{host}"),
        None => String::new(),
    };
    let (name, unit, csrf) = (
        form.name.trim().to_string(),
        form.unit.trim().to_string(),
        form.csrf,
    );
    // The accounts are listed after the attempt, in the same call: made, or refused and why.
    let done = for_session(&web, &headers, move |office, store, session| {
        let made = if same_secret(&session.csrf, &csrf) {
            let unit = (!unit.is_empty()).then_some(unit.as_str());
            let now = Instant::Absolute(office.clock.now());
            match office.add_user_as(store, &session.user, (&name, unit, role), now) {
                Ok(token) => Ok((name.clone(), token)),
                Err(AppError::Account { message }) => Err(message),
                Err(AppError::Store(crate::store::StoreError::Refused(r))) => Err(r.to_string()),
                Err(other) => return Err(other),
            }
        } else {
            Err("this form has expired: open the page again".to_string())
        };
        Ok((made, office.accounts(&*store, &session.user)?))
    })
    .await;
    match done {
        Ok((current, (Ok((name, token)), users))) => {
            let link = format!("{base}/set-password?token={token}");
            accounts_page(&current, &users, StatusCode::OK, context! { name, link })
        }
        Ok((current, (Err(error), users))) => accounts_page(
            &current,
            &users,
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { error },
        ),
        Err(r) => r,
    }
}
