//! The pages people work from: a unit's page (what it owes, returned with the reason, done),
//! one obligation's page (its history, its files, and the forms to submit or decide), a
//! reviewer's queue, and the file downloads. Every page asks the application layer what the
//! signed-in person may see and do (`app::desk`); the forms post back here and are checked again
//! there, so that nothing a page leaves out can be done by posting it.

use std::collections::HashMap;

use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use super::obligation_page::{Feedback, obligation_page};
use super::pages::{
    as_of, download_body, for_session, light, message, page, redirect, session, shown, who,
    with_store, zone_of,
};
use super::{Web, path_segment};
use crate::app::{AppError, Deed, ObligationDesk, Said, Session, same_secret};
use crate::clock::Instant;
use crate::store::{Action, Key, Light, Status, Submission, WorkItem};
use crate::vocabulary::typed;

/// The path of an obligation's page; a one-off's period is `-`.
pub fn href(item: &WorkItem) -> String {
    let period = if item.period.is_empty() {
        "-"
    } else {
        &item.period
    };
    page_of(&item.campaign, &item.deliverable, &item.unit, period)
}

/// The path of the obligation page of campaign, deliverable, unit and period (`-`: none).
fn page_of(campaign: &str, deliverable: &str, unit: &str, period: &str) -> String {
    format!(
        "/o/{}/{}/{}/{}",
        path_segment(campaign),
        path_segment(deliverable),
        path_segment(unit),
        path_segment(period)
    )
}

/// The colour a status shows: the one vocabulary of [`Light::of`].
fn status_class(status: Status) -> &'static str {
    light(Light::of(status))
}

/// How its deadline counts at `at`, as a person reads it: the day a rest day moved it to, and
/// the days left or late while it is owed ("遇休息日顺延至4月17日，已逾期4天").
fn countdown(item: &WorkItem, status: Status, at: i64) -> Option<String> {
    use chrono::Datelike;
    let (last, days) = item.countdown(at);
    let stated = chrono::NaiveDate::parse_from_str(item.deadline(), "%Y-%m-%d").ok();
    let mut parts = Vec::new();
    if stated.is_some_and(|d| d != last) {
        parts.push(format!("遇休息日顺延至{}月{}日", last.month(), last.day()));
    }
    if status.is_open() {
        parts.push(match days {
            d if d > 0 => format!("还有{d}天"),
            0 => "今天截止".to_string(),
            d => format!("已逾期{}天", -d),
        });
    }
    (!parts.is_empty()).then(|| parts.join("，"))
}

/// An obligation as a page lists it at `at`, read in its campaign's zone.
pub(super) fn item_value(item: &WorkItem, at: Instant) -> Value {
    let at = at.in_zone(item.zone).timestamp();
    let status = item.record.status_at(at);
    context! {
        countdown => countdown(item, status, at),
        campaign => item.campaign.clone(), deliverable => item.deliverable.clone(),
        unit => item.unit.clone(), period => item.period.clone(), deadline => item.deadline(),
        extended => item.extended_until.is_some(), status => status.label_zh(),
        light => status_class(status), reason => item.reason.clone(), href => href(item),
        unit_href => path_segment(&item.unit), chases => item.chases,
        reviewer => item.reviewer.clone(),
    }
}

/// The signed-in person, or the response that sends them to sign in.
pub(super) async fn signed_in(web: &Arc<Web>, headers: &HeaderMap) -> Result<Session, Response> {
    match session(web, headers).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(redirect("/login")),
        Err(r) => Err(r),
    }
}

/// `GET /unit/NAME`: what a unit owes, what waits for review, what is done; its sub-units.
pub async fn unit(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let unit = name.clone();
    let at = as_of(&web);
    let (current, desk) = match for_session(&web, &headers, move |office, store, session| {
        office.unit_desk(&*store, &session.user, &unit, at)
    })
    .await
    {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (mut urgent, mut later, mut waiting, mut done) = (vec![], vec![], vec![], vec![]);
    // From a cell of the board: one campaign's items of one report.
    let campaign = query.get("campaign").filter(|c| !c.is_empty());
    let deliverable = query.get("deliverable").filter(|d| !d.is_empty());
    let shown_items = desk.items.iter().filter(|i| {
        campaign.is_none_or(|c| *c == i.campaign) && deliverable.is_none_or(|d| *d == i.deliverable)
    });
    for item in shown_items {
        let value = item_value(item, at);
        match item.record.status_at(at.in_zone(item.zone).timestamp()) {
            Status::Overdue | Status::Returned | Status::DueSoon => urgent.push(value),
            Status::NotYetDue | Status::Extended => later.push(value),
            Status::UnderReview | Status::ReviewOverdue => waiting.push(value),
            _ => done.push(value),
        }
    }
    let several = desk
        .items
        .windows(2)
        .any(|pair| pair[0].campaign != pair[1].campaign);
    let children: Vec<Value> = desk
        .children
        .iter()
        .map(|c| context! { name => c.clone(), href => path_segment(c) })
        .collect();
    let letters: Vec<Value> = desk
        .letters
        .iter()
        .map(|l| {
            let items: Vec<&str> = l
                .items
                .iter()
                .map(|i| i.title.as_deref().unwrap_or(&i.deliverable))
                .collect();
            context! {
                number => l.number_text(), day => l.day.clone(),
                campaign => l.campaign_title.clone().unwrap_or_else(|| l.campaign.clone()),
                items => items.join("、"),
                href => format!("/unit/{}/letters/{}", path_segment(&name), l.id),
            }
        })
        .collect();
    page(
        StatusCode::OK,
        "unit.html",
        context! {
            unit => name.clone(), urgent, later, waiting, done, children, several, letters,
            instructing => desk.instructing.clone(),
            // What an instruction may be about: the unit's own obligations in those campaigns.
            obligations => desk.items.iter()
                .filter(|i| desk.instructing.contains(&i.campaign))
                .map(|i| context! {
                    campaign => i.campaign.clone(),
                    value => format!("{}\t{}", i.deliverable,
                        if i.period.is_empty() { "-" } else { &i.period }),
                    label => format!("{} {}", i.deliverable, i.period).trim_end().to_string(),
                })
                .collect::<Vec<_>>(),
            only => deliverable.cloned(), all => format!("/unit/{}", path_segment(&name)),
            subscribe => super::calendar::offered(&current.user, &name)
                .then(|| format!("/unit/{}/calendar", path_segment(&name))),
            as_of => shown(at, zone_of(&web, desk.items.iter().map(|i| i.zone))),
            ..who(Some(&current))
        },
    )
}

/// The obligation a page's path names: campaign, deliverable, unit, period (`-`: none).
pub(super) type ObligationPath = Path<(String, String, String, String)>;

pub(super) fn key_of(path: &(String, String, String, String)) -> Key<'_> {
    Key {
        campaign: &path.0,
        deliverable: &path.1,
        unit: &path.2,
        period: (path.3 != "-").then_some(path.3.as_str()),
    }
}

async fn load(
    web: &Arc<Web>,
    current: &Session,
    path: (String, String, String, String),
) -> Result<ObligationDesk, Response> {
    let user = current.user.clone();
    let at = as_of(web);
    with_store(web, move |office, store| {
        office.obligation_desk(&*store, &user, &key_of(&path), at)
    })
    .await
}

/// `GET /o/CAMPAIGN/DELIVERABLE/UNIT/PERIOD`: one obligation, its history and its forms.
pub async fn obligation(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(path): ObligationPath,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut feedback = Feedback {
        notice: query.contains_key("done").then(|| "已办理".to_string()),
        ..Feedback::default()
    };
    let at = as_of(&web);
    let found = for_session(&web, &headers, move |office, store, session| {
        office.obligation_desk(&*store, &session.user, &key_of(&path), at)
    })
    .await;
    match found {
        Ok((current, desk)) => {
            // 按下级报送汇总填入: the form filled with what the sub-units' parts add up to.
            if query.contains_key("from_parts")
                && let Some((values, missing)) = &desk.parts
            {
                feedback.values = values.clone();
                feedback.notice = Some(if missing.is_empty() {
                    "已按下级报送汇总填入，请核对后报送。".to_string()
                } else {
                    format!(
                        "已按下级报送汇总填入（{}尚未报送，未计入），请核对后报送。",
                        missing.join("、")
                    )
                });
            }
            obligation_page(&web, &current, &desk, StatusCode::OK, feedback)
        }
        Err(r) => r,
    }
}

/// `POST /o/…/submit` (multipart): a submission with its files and its form's values, in the
/// signed-in person's name.
pub async fn submit(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(path): ObligationPath,
    multipart: Multipart,
) -> Response {
    let current = match signed_in(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sent = match super::upload::read_form(multipart).await {
        Ok(sent) => sent,
        Err(why) => {
            return message(
                StatusCode::BAD_REQUEST,
                "无法报送",
                &why.message,
                Some(&current),
            );
        }
    };
    if !same_secret(&current.csrf, &sent.csrf) {
        return expired(&current);
    }
    let user = current.user.clone();
    let at = as_of(&web);
    let key_path = path.clone();
    let values = sent.values.clone();
    let had_files = !sent.files.is_empty();
    let done = with_decision(&web, move |office, store| {
        let submission = Submission {
            files: sent.files.clone(),
            signatures: sent.signatures.clone(),
            replace: sent.replace,
            values: Vec::new(),
            review_due_at: None,
        };
        let said = Said {
            values: sent.values.clone(),
            ..Said::default()
        };
        office
            .submit_as(store, &user, &key_of(&key_path), submission, &said, at)
            .map(|_| ())
    })
    .await;
    web.board.forget();
    after(&web, &current, path, done, values, had_files).await
}

/// What a decision's form sends.
#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    /// `accept`, `reject`, `return`, `extend`, `waive` or `chase` (一键催办).
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
    /// `1` once the person has confirmed a 退回 on the page that asks (without it, a 退回 only
    /// asks).
    #[serde(default)]
    confirm: String,
    /// `1`: chase again on a day the unit was chased already.
    #[serde(default)]
    force: String,
}

/// `POST /o/…/act`: a decision on the obligation, in the signed-in person's name.
pub async fn act(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(path): ObligationPath,
    Form(form): Form<DecisionForm>,
) -> Response {
    let current = match signed_in(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same_secret(&current.csrf, &form.csrf) {
        return expired(&current);
    }
    let reason = form.reason.trim().to_string();
    if form.action == "chase" {
        return super::obligation_acts::chase(&web, &current, path, form.force == "1").await;
    }
    if form.action == "pass_down" {
        return super::obligation_acts::pass_down(&web, &current, path, &form.until).await;
    }
    let needs_reason = !["accept", "acknowledge"].contains(&form.action.as_str());
    let wrong = if needs_reason && reason.is_empty() {
        Some("请填写理由".to_string())
    } else if reason.contains('\0') {
        // No text the records keep holds a NUL (PostgreSQL's text cannot).
        Some("理由：含有不可见的控制字符".to_string())
    } else {
        typed::within("理由", &reason, typed::REASON_MAX)
            .err()
            .map(|e| e.to_string())
    };
    if let Some(wrong) = wrong {
        return match load(&web, &current, path).await {
            Ok(desk) => {
                let feedback = Feedback {
                    error: Some(wrong),
                    ..Feedback::default()
                };
                obligation_page(&web, &current, &desk, StatusCode::BAD_REQUEST, feedback)
            }
            Err(r) => r,
        };
    }
    // A 退回 of either kind sends the unit back to work: it is asked again on a page of its
    // own first, so that no slip of the finger returns a report (and no script is needed).
    let deed = match form.action.as_str() {
        "return" => Some(Deed::SendBack),
        "reject" => Some(Deed::Review),
        _ => None,
    };
    if let Some(deed) = deed
        && form.confirm != "1"
        && let Some(asked) =
            super::review::confirmation(&web, &current, path.clone(), deed, &reason).await
    {
        return asked;
    }
    let action = match form.action.as_str() {
        "accept" => Action::Accept {
            next_review_due: None,
            by: None,
        },
        "reject" => Action::Reject { reason },
        "return" => Action::Return { reason },
        "waive" => Action::Waive { reason },
        "extend" | "ask_extension" => {
            match chrono::NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d") {
                Ok(until) if form.action == "extend" => Action::Extend { until, reason },
                Ok(until) => Action::AskExtension { until, reason },
                Err(_) => {
                    let why = "延期至：请填写日期（YYYY-MM-DD）";
                    return message(StatusCode::BAD_REQUEST, "无法办理", why, Some(&current));
                }
            }
        }
        "decline_extension" => Action::DeclineExtension { reason },
        "acknowledge" => Action::Acknowledge,
        _ => {
            return message(
                StatusCode::BAD_REQUEST,
                "无法办理",
                "未知操作",
                Some(&current),
            );
        }
    };
    let user = current.user.clone();
    let at = as_of(&web);
    let key_path = path.clone();
    let done = with_decision(&web, move |office, store| {
        office
            .act_as(store, &user, &key_of(&key_path), action, at)
            .map(|_| ())
    })
    .await;
    web.board.forget();
    after(&web, &current, path, done, Vec::new(), false).await
}

pub(super) fn expired(current: &Session) -> Response {
    message(
        StatusCode::FORBIDDEN,
        "请求无效",
        "页面已过期，请重新打开后再提交",
        Some(current),
    )
}

/// Runs a decision on a blocking thread: the refusals a person can fix come back to the page.
pub(super) async fn with_decision(
    web: &Arc<Web>,
    work: impl FnOnce(&crate::app::Office, &mut dyn crate::store::Backend) -> Result<(), AppError>
    + Send
    + 'static,
) -> Result<(), AppError> {
    web.run(work).await
}

/// The page after a form: back to the obligation (303) when done, or the page again with why
/// not, each bad field's reason beside it.
pub(super) async fn after(
    web: &Arc<Web>,
    current: &Session,
    path: (String, String, String, String),
    done: Result<(), AppError>,
    values: Vec<(String, String)>,
    had_files: bool,
) -> Response {
    let mut feedback = match done {
        Ok(()) => {
            let (campaign, deliverable, unit, period) = &path;
            let to = page_of(campaign, deliverable, unit, period);
            return redirect(&format!("{to}?done=1"));
        }
        Err(AppError::Forbidden { .. }) => {
            return message(
                StatusCode::FORBIDDEN,
                "无权办理",
                "不在您的办理权限内",
                Some(current),
            );
        }
        Err(AppError::Invalid(problems)) => {
            let (fields, others): (Vec<_>, Vec<_>) =
                problems.into_iter().partition(|p| p.field.is_some());
            Feedback {
                error: (!others.is_empty()).then(|| {
                    others
                        .iter()
                        .map(|p| p.zh().to_string())
                        .collect::<Vec<_>>()
                        .join("；")
                }),
                fields: fields
                    .iter()
                    .map(|p| (p.field.clone().unwrap_or_default(), p.zh().to_string()))
                    .collect(),
                ..Feedback::default()
            }
        }
        // The record's refusals, in the words the API gives them too.
        Err(
            e @ (AppError::Store(crate::store::StoreError::Refused(_))
            | AppError::Locked { .. }
            | AppError::NoForm { .. }
            | AppError::Chase(_)
            | AppError::NoMailbox(_)
            | AppError::Extension(_)
            | AppError::PassDown(_)),
        ) => Feedback {
            error: e.zh(),
            ..Feedback::default()
        },
        Err(e) => {
            tracing::error!(error = %e, "a form failed");
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "记录暂时无法保存，已记入系统日志，请稍后再试或联系督办办公室",
                Some(current),
            );
        }
    };
    feedback.values = values;
    feedback.files_again = had_files;
    match load(web, current, path).await {
        Ok(desk) => obligation_page(
            web,
            current,
            &desk,
            StatusCode::UNPROCESSABLE_ENTITY,
            feedback,
        ),
        Err(r) => r,
    }
}

/// `GET /o/…/file/SHA256`: a file of the obligation's history, to those who may see it, as a
/// download (never shown inline).
pub async fn file(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path((campaign, deliverable, unit, period, sha256)): Path<(
        String,
        String,
        String,
        String,
        String,
    )>,
) -> Response {
    let current = match signed_in(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let desk = match load(&web, &current, (campaign, deliverable, unit, period)).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(kept) = desk
        .history
        .iter()
        .flat_map(|e| &e.files)
        .find(|f| f.sha256 == sha256)
        .cloned()
    else {
        return message(
            StatusCode::NOT_FOUND,
            "文件不存在",
            "没有这个文件",
            Some(&current),
        );
    };
    let gone = || {
        message(
            StatusCode::NOT_FOUND,
            "文件不存在",
            "没有这个文件",
            Some(&current),
        )
    };
    let wanted = sha256.clone();
    let source = match with_store(&web, move |_, store| Ok(store.file_source(&wanted)?)).await {
        Ok(Some(source)) => source,
        Ok(None) => return gone(),
        Err(r) => return r,
    };
    // Sent as it is read: many people downloading a large file at once hold a piece each.
    match super::files::body(&web, &source, sha256).await {
        Ok(Some(body)) => download_body(
            body,
            Some(source.size()),
            "application/octet-stream",
            &kept.name,
        ),
        Ok(None) => gone(),
        Err(e) => {
            tracing::error!(error = %e, "a file could not be read");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "文件暂时无法读取，已记入系统日志，请稍后再试或联系督办办公室",
                Some(&current),
            )
        }
    }
}
