//! The pages: sign-in, the one-time password link, the board (三色看板) and a unit's page. Each
//! handler reads the request, calls the office on a blocking thread (the store is synchronous),
//! and renders; none decides anything the use cases do not.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Deserialize;

use super::{Web, path_segment};
use crate::app::{AppError, Office, Session, same_secret, secret};
use crate::clock::Instant;
use crate::store::{Backend, Light, Role};

pub(super) const SESSION_COOKIE: &str = "duban_session";
const CSRF_COOKIE: &str = "duban_csrf";

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in [
            ("layout.html", include_str!("templates/layout.html")),
            ("login.html", include_str!("templates/login.html")),
            (
                "set_password.html",
                include_str!("templates/set_password.html"),
            ),
            ("board.html", include_str!("templates/board.html")),
            ("unit.html", include_str!("templates/unit.html")),
            ("obligation.html", include_str!("templates/obligation.html")),
            ("review.html", include_str!("templates/review.html")),
            ("overdue.html", include_str!("templates/overdue.html")),
            ("accounts.html", include_str!("templates/accounts.html")),
            ("units.html", include_str!("templates/units.html")),
            ("import.html", include_str!("templates/import.html")),
            ("calendar.html", include_str!("templates/calendar.html")),
            ("ack.html", include_str!("templates/ack.html")),
            ("message.html", include_str!("templates/message.html")),
            ("confirm.html", include_str!("templates/confirm.html")),
            (
                "bulletin_nav.html",
                include_str!("templates/bulletin_nav.html"),
            ),
        ] {
            env.add_template(name, text)
                .expect("a template of duban's own");
        }
        // The limits on what people type, as the forms' maxlength (checked again on the server).
        use crate::vocabulary::typed;
        env.add_global("value_max", typed::VALUE_MAX);
        env.add_global("reason_max", typed::REASON_MAX);
        env.add_global("name_max", typed::NAME_MAX);
        env
    })
}

/// A page, with the headers every page carries: no script from anywhere, no framing, no
/// sniffing, no referrer.
pub(super) fn page(status: StatusCode, name: &str, ctx: Value) -> Response {
    let body = templates()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| format!("the page could not be made: {e}"));
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A piece of a page made elsewhere (the bulletin's bar above the document), every value
/// escaped as on the pages.
pub(super) fn fragment(name: &str, ctx: Value) -> String {
    templates()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "a piece of a page could not be made");
            String::new()
        })
}

/// A download named `name` (never shown inline, never run: `nosniff`, a sandbox), not kept by
/// caches.
pub(super) fn download(bytes: Vec<u8>, kind: &'static str, name: &str) -> Response {
    download_body(bytes.into(), None, kind, name)
}

/// A download as [`download`], its body streamed, of `size` bytes when known.
pub(super) fn download_body(
    body: axum::body::Body,
    size: Option<u64>,
    kind: &'static str,
    name: &str,
) -> Response {
    let mut response = body.into_response();
    if let Some(size) = size {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    let disposition = format!(
        "attachment; filename=\"download\"; filename*=UTF-8''{}",
        path_segment(name)
    );
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(super) fn message(
    status: StatusCode,
    heading: &str,
    text: &str,
    session: Option<&Session>,
) -> Response {
    page(
        status,
        "message.html",
        context! { heading, message => text, ..who(session) },
    )
}

/// What the layout shows of the signed-in person.
pub(super) fn who(session: Option<&Session>) -> Value {
    match session {
        Some(s) => {
            let unit_href = s.user.unit.as_deref().map(path_segment);
            context! {
                user => Value::from(Serde(s.user.clone())), role => role_zh(s.user.role),
                csrf => s.csrf.clone(), user_unit_href => unit_href,
            }
        }
        None => context! {},
    }
}

pub(super) fn role_zh(role: Role) -> &'static str {
    match role {
        Role::Liaison => "联络员",
        Role::Leader => "分管领导",
        Role::Reviewer => "审核单位",
        Role::Supervisor => "督导",
        Role::Office => "主办单位",
    }
}

pub(super) fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The value of cookie `name`.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for `name`: HttpOnly, SameSite=Strict, Path=/, Secure when served over HTTPS.
fn set_cookie(response: &mut Response, web: &Web, name: &str, value: &str, max_age: i64) {
    let secure = if web.secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}");
    if let Ok(value) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Runs `work` with an open store on a blocking thread.
pub(super) async fn with_store<T: Send + 'static>(
    web: &Arc<Web>,
    work: impl FnOnce(&Office, &mut dyn Backend) -> Result<T, AppError> + Send + 'static,
) -> Result<T, Response> {
    web.run(work).await.map_err(page_error)
}

/// A page's refusal of what the application refused: 401, 403, 404 or 409 with its words, or
/// the 500 page (logged).
pub(super) fn page_error(e: AppError) -> Response {
    match e {
        AppError::SignIn => StatusCode::UNAUTHORIZED.into_response(),
        AppError::Forbidden { .. } => message(
            StatusCode::FORBIDDEN,
            "无权查看",
            "这是其他单位的事项，或不在您的办理权限内",
            None,
        ),
        AppError::Store(crate::store::StoreError::Refused(r)) => {
            let status = if matches!(r, crate::store::Refusal::Unknown { .. }) {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::CONFLICT
            };
            message(status, "无法办理", &r.zh(), None)
        }
        e => {
            tracing::error!(error = %e, "a page failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "记录暂时无法读取，已记入系统日志，请稍后再试或联系督办办公室",
                None,
            )
        }
    }
}

/// The session of the request, if signed in.
pub(super) async fn session(
    web: &Arc<Web>,
    headers: &HeaderMap,
) -> Result<Option<Session>, Response> {
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    with_store(web, move |office, store| {
        office.session(store, &cookie, Instant::Absolute(office.clock.now()))
    })
    .await
}

/// Runs `work` for the signed-in person, in the same call to the store as the look-up of their
/// session (one hand-over to a blocking thread per page, not two); a visitor is sent to sign in.
pub(super) async fn for_session<T: Send + 'static>(
    web: &Arc<Web>,
    headers: &HeaderMap,
    work: impl FnOnce(&Office, &mut dyn Backend, &Session) -> Result<T, AppError> + Send + 'static,
) -> Result<(Session, T), Response> {
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else {
        return Err(redirect("/login"));
    };
    let found = with_store(web, move |office, store| {
        let now = Instant::Absolute(office.clock.now());
        match office.session(store, &cookie, now)? {
            Some(session) => {
                let value = work(office, store, &session)?;
                Ok(Some((session, value)))
            }
            None => Ok(None),
        }
    })
    .await?;
    found.ok_or_else(|| redirect("/login"))
}

/// `/`: the board.
pub async fn home() -> Response {
    redirect("/board")
}

/// The pre-session CSRF secret of a form: the cookie's, or a new one set with the page.
fn form_secret(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE) {
        Some(s) if s.len() == 64 => (s, false),
        _ => (secret(), true),
    }
}

fn with_form_secret(web: &Web, mut response: Response, csrf: &str, new: bool) -> Response {
    if new {
        set_cookie(&mut response, web, CSRF_COOKIE, csrf, 3_600);
    }
    response
}

/// `GET /login`.
pub async fn login_form(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (csrf, new) = form_secret(&headers);
    let done = query.contains_key("done");
    let response = page(
        StatusCode::OK,
        "login.html",
        context! { csrf => csrf.clone(), done, name => "" },
    );
    with_form_secret(&web, response, &csrf, new)
}

/// What the sign-in form sends.
#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

/// `POST /login`: a session, or the form again with why not.
pub async fn login(
    State(web): State<Arc<Web>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !cookie(&headers, CSRF_COOKIE).is_some_and(|c| same_secret(&c, &form.csrf)) {
        return message(
            StatusCode::FORBIDDEN,
            "请求无效",
            "页面已过期，请重新打开登录页面",
            None,
        );
    }
    let client = web.client(peer, &headers);
    let again = |status, error: &str| {
        page(
            status,
            "login.html",
            context! { csrf => form.csrf.clone(), error, name => form.name.clone() },
        )
    };
    let (name, password) = (form.name.clone(), form.password.clone());
    let signed = web
        .run(move |office, store| {
            let now = Instant::Absolute(office.clock.now());
            office.sign_in_from(store, &name, &password, &client, now)
        })
        .await;
    match signed {
        Ok(signed) => {
            // Wrong passwords tried on the account since its last sign-in: its owner is told
            // before going on, once.
            let mut response = match &signed.failed {
                Some(failed) => message(
                    StatusCode::OK,
                    "登录提醒",
                    &failed_notice(failed, web.office.config.zone),
                    Some(&signed.session),
                ),
                None => redirect("/board"),
            };
            set_cookie(
                &mut response,
                &web,
                SESSION_COOKIE,
                &signed.cookie,
                crate::app::SESSION_SECONDS,
            );
            response
        }
        Err(AppError::SignIn) => again(StatusCode::UNAUTHORIZED, "账号或密码错误"),
        Err(AppError::Disabled) => again(
            StatusCode::FORBIDDEN,
            "此账号已停用，不能登录；如需恢复，请联系主办单位",
        ),
        Err(AppError::TooManyFailures { seconds }) => {
            let minutes = (seconds + 59) / 60;
            let mut response = again(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("此地址登录该账号失败次数过多，请{minutes}分钟后再试"),
            );
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a sign-in failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "记录暂时无法读取，已记入系统日志，请稍后再试或联系督办办公室",
                None,
            )
        }
    }
}

/// What the owner of an account is told of the wrong passwords tried on it since they last
/// signed in.
/// Sign-ins belong to no campaign: the time is the office's (`zone`).
fn failed_notice(failed: &crate::store::FailedSignIns, zone: chrono_tz::Tz) -> String {
    let at = chrono::DateTime::from_timestamp(failed.at, 0)
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    format!(
        "您的账号自上次登录以来有{}次密码错误的登录尝试，最近一次来自 {} 于 {}。如果不是您本人，请告知主办单位。",
        failed.count, failed.from, at
    )
}

/// What a form of a session sends: its CSRF secret.
#[derive(Deserialize)]
pub struct SessionForm {
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Response {
    let current = match session(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(current) = current else {
        return redirect("/login");
    };
    if !same_secret(&current.csrf, &form.csrf) {
        return message(
            StatusCode::FORBIDDEN,
            "请求无效",
            "页面已过期，请重新打开后再提交",
            Some(&current),
        );
    }
    let cookie = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    if let Err(r) = with_store(&web, move |office, store| office.sign_out(store, &cookie)).await {
        return r;
    }
    let mut response = redirect("/login");
    set_cookie(&mut response, &web, SESSION_COOKIE, "", 0);
    response
}

/// `GET /set-password?token=…`.
pub async fn password_form(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (csrf, new) = form_secret(&headers);
    let token = query.get("token").cloned().unwrap_or_default();
    let response = page(
        StatusCode::OK,
        "set_password.html",
        context! { csrf => csrf.clone(), token, shortest => crate::app::SHORTEST_PASSWORD },
    );
    with_form_secret(&web, response, &csrf, new)
}

/// What the password form sends.
#[derive(Deserialize)]
pub struct PasswordForm {
    token: String,
    password: String,
    csrf: String,
}

/// `POST /set-password`.
pub async fn set_password(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !cookie(&headers, CSRF_COOKIE).is_some_and(|c| same_secret(&c, &form.csrf)) {
        return message(
            StatusCode::FORBIDDEN,
            "请求无效",
            "页面已过期，请重新打开后再提交",
            None,
        );
    }
    let (token, password) = (form.token.clone(), form.password.clone());
    let set = web
        .run(move |office, store| {
            let now = Instant::Absolute(office.clock.now());
            office.set_password(store, &token, &password, now)
        })
        .await;
    match set {
        Ok(_) => redirect("/login?done=1"),
        Err(AppError::AccountRefused(refusal)) => page(
            StatusCode::BAD_REQUEST,
            "set_password.html",
            context! { csrf => form.csrf, token => form.token, error => refusal.zh(), shortest => crate::app::SHORTEST_PASSWORD },
        ),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The instant the board's lights are at: the server's `--as-of`, or now.
pub(super) fn as_of(web: &Web) -> Instant {
    web.office.instant(web.as_of)
}

/// The instant as the pages show it, in `zone` (a local `--as-of` as it was written).
pub(super) fn shown(at: Instant, zone: chrono_tz::Tz) -> String {
    match at {
        Instant::Absolute(t) => t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        Instant::Local(t) => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The zone a page's times are shown in: the one zone of the campaigns it shows, else (none,
/// or several) the office's.
pub(super) fn zone_of(web: &Web, zones: impl IntoIterator<Item = chrono_tz::Tz>) -> chrono_tz::Tz {
    let mut zones = zones.into_iter();
    match zones.next() {
        Some(first) if zones.all(|z| z == first) => first,
        _ => web.office.config.zone,
    }
}

pub(super) fn light(l: Light) -> &'static str {
    match l {
        Light::Red => "red",
        Light::Yellow => "yellow",
        Light::Green => "green",
        Light::Grey => "grey",
    }
}

pub(super) fn light_zh(l: Light) -> &'static str {
    match l {
        Light::Red => "红",
        Light::Yellow => "黄",
        Light::Green => "绿",
        Light::Grey => "灰",
    }
}

/// Anything else.
pub async fn not_found(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    let current = session(&web, &headers).await.ok().flatten();
    message(
        StatusCode::NOT_FOUND,
        "页面不存在",
        "没有这个页面",
        current.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        let env = super::templates();
        for name in [
            "layout.html",
            "board.html",
            "unit.html",
            "obligation.html",
            "review.html",
            "overdue.html",
            "accounts.html",
            "units.html",
            "import.html",
            "calendar.html",
            "ack.html",
            "message.html",
            "confirm.html",
        ] {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
