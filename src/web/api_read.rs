//! The API's readings of what the pages show beside the obligations: the board's lights and
//! tallies (三色看板), the overdue list, a reviewer's queue, the letters the ladder issued to a
//! unit, and the bulletin (通报). Each goes through the same rights as its page (`app::may`, `app::campaigns_of`,
//! the unit page's own check), answers with an `ETag` (a dashboard polling every minute gets a
//! 304 while nothing changed), and refuses in the API's one shape.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::Web;
use super::api::holder;
use super::api_refusal::{Code, coded, refused};
use super::pages::{as_of, light};
use super::paging::{KeyPage, sort_key, tagged};
use crate::app::{AppError, Page};
use crate::app::{CampaignBoard, Tally};
use crate::store::Filter;

/// A query's value as given; `None` when absent or empty. (One of spaces names nothing: 404.)
fn asked(query: &HashMap<String, String>, key: &str) -> Option<String> {
    query.get(key).filter(|v| !v.is_empty()).cloned()
}

/// A required query parameter: its key, the code and the words of its absence.
type Needed = (&'static str, Code, &'static str);

const CAMPAIGN_NEEDED: Needed = ("campaign", Code::CampaignNeeded, "请指明专项：?campaign=ID");

/// 400: the parameter `needed` names is missing.
fn needed((_, code, words): Needed) -> Response {
    coded(code, words)
}

/// The required parameter `param` names, or its refusal: 400 when absent or empty, 404 (with
/// `unknown`, what it names nothing as) when it holds a NUL.
fn named(
    query: &HashMap<String, String>,
    param: Needed,
    unknown: &str,
) -> Result<String, Box<Response>> {
    let value = asked(query, param.0).ok_or_else(|| Box::new(needed(param)))?;
    if names_nothing(&value) {
        return Err(Box::new(coded(Code::Unknown, unknown)));
    }
    Ok(value)
}

/// A name no record holds (none holds a NUL; PostgreSQL's text cannot): it names nothing.
fn names_nothing(name: &str) -> bool {
    name.contains('\0')
}

fn json_of(headers: &HeaderMap, value: &Value) -> Response {
    tagged(
        headers,
        serde_json::to_vec(value).unwrap_or_default(),
        "application/json",
    )
}

fn tally(t: &Tally) -> Value {
    json!({
        "red": t.red, "yellow": t.yellow, "green": t.green, "grey": t.grey,
        "due": t.due, "on_time": t.on_time, "overdue": t.overdue,
        "reviews_overdue": t.reviews_overdue, "unacknowledged": t.unacknowledged,
        "on_time_rate": t.on_time_rate().map(|r| (r * 10.0).round() / 10.0),
    })
}

/// One campaign's board: every unit with its own light per report and the tally of it and
/// everything under it.
fn board_json(board: &CampaignBoard) -> Value {
    let units: Vec<Value> = board
        .in_tree_order()
        .into_iter()
        .map(|i| {
            let node = &board.nodes[i];
            let cells: serde_json::Map<String, Value> = node
                .cells
                .iter()
                .zip(&board.deliverables)
                .filter_map(|(c, d)| c.map(|l| (d.clone(), light(l).into())))
                .collect();
            json!({
                "unit": node.unit,
                "parent": node.parent.map(|p| board.nodes[p].unit.clone()),
                "depth": node.depth,
                "light": node.light.map(light),
                "cells": cells,
                "reviews_overdue": node.reviews_overdue,
                "unacknowledged": node.unacknowledged,
                "tally": tally(&node.tally),
            })
        })
        .collect();
    json!({
        "campaign": board.key,
        "title": board.title,
        "deliverables": board.deliverables,
        "total": tally(&board.total),
        "units": units,
    })
}

/// `GET /api/v1/board?campaign=…`: the board (三色看板) of a campaign, as the supervisors' and
/// the office's page shows it.
pub async fn board(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some(campaign) = asked(&query, CAMPAIGN_NEEDED.0) else {
        return needed(CAMPAIGN_NEEDED);
    };
    if let Err(e) = crate::app::campaigns_of(&user, Page::Board, std::slice::from_ref(&campaign)) {
        return refused_reading(&e);
    }
    let made = match super::board::current(&web).await {
        Ok(m) => m,
        Err(e) => return refused_reading(&e),
    };
    let Some(one) = made.board.campaigns.iter().find(|c| c.key == campaign) else {
        return coded(Code::Unknown, "没有这个专项");
    };
    let mut value = board_json(one);
    value["as_of"] = made
        .at
        .in_zone(one.zone)
        .with_timezone(&one.zone)
        .to_rfc3339()
        .into();
    json_of(&headers, &value)
}

/// `GET /api/v1/board/trend?campaign=…`: the campaign's on-time rate month by month, as the
/// board's chart draws it: per month of the deadline, the share (percent) of what fell due
/// that came in by its deadline, for the months whose deadlines have passed.
pub async fn trend(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let campaign = match named(&query, CAMPAIGN_NEEDED, "没有这个专项") {
        Ok(c) => c,
        Err(r) => return *r,
    };
    if let Err(e) = crate::app::campaigns_of(&user, Page::Board, std::slice::from_ref(&campaign)) {
        return refused_reading(&e);
    }
    let made = match super::board::current(&web).await {
        Ok(m) => m,
        Err(e) => return refused_reading(&e),
    };
    let Some(deliverables) = made
        .board
        .campaigns
        .iter()
        .find(|c| c.key == campaign)
        .map(|c| c.deliverables.clone())
    else {
        return coded(Code::Unknown, "没有这个专项");
    };
    let at = made.at;
    let asked = campaign.clone();
    let found = web
        .run(move |office, store| office.trend_as(&*store, &user, &asked, &deliverables, at))
        .await;
    match found {
        Ok(points) => {
            let months: Vec<Value> = points
                .into_iter()
                .map(|(month, rate)| {
                    json!({"month": month, "on_time_rate": (rate * 10.0).round() / 10.0})
                })
                .collect();
            json_of(&headers, &json!({"campaign": campaign, "months": months}))
        }
        Err(e) => refused_reading(&e),
    }
}

/// An overdue row's place in the listing, as bytes that sort as the listing does: most days
/// late first, then by unit, campaign, report and period (no two rows tie, so a cursor names
/// one place; names hold no NUL, which parts them).
fn overdue_key(row: &crate::store::OverdueRow) -> Vec<u8> {
    sort_key(
        row.days_overdue,
        &[
            &row.unit,
            &row.campaign,
            &row.deliverable,
            row.period.as_deref().unwrap_or(""),
        ],
    )
}

/// `GET /api/v1/overdue[?campaign=…][&limit=N][&cursor=…]`: everything overdue that the
/// holder's page lists, most days late first, each with whom to call; a page of it with
/// `limit`, the next after the last row's place (`Link`), so that a row that stops being
/// overdue between two pages moves no other row to the page before.
pub async fn overdue(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let campaigns: Vec<String> = asked(&query, "campaign").into_iter().collect();
    if campaigns.iter().any(|c| names_nothing(c)) {
        return coded(Code::Unknown, "没有这个专项");
    }
    let page = match KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let at = as_of(&web);
    let asked_campaign = campaigns.first().cloned();
    let listed = web
        .run(move |_, store| {
            let filter = Filter {
                campaigns: crate::app::campaigns_of(&user, Page::Overdue, &campaigns)?,
                ..Filter::default()
            };
            for c in &filter.campaigns {
                store.campaign_header(c)?;
            }
            let (rows, next) = page.cut(store.overdue(&filter, at)?, overdue_key);
            Ok((serde_json::to_value(&rows).unwrap_or_default(), next, page))
        })
        .await;
    let (rows, next, page) = match listed {
        Ok(listed) => listed,
        Err(e) => return refused_reading(&e),
    };
    let mut response = json_of(&headers, &rows);
    let campaign = asked_campaign
        .map(|c| format!("campaign={}&", super::path_segment(&c)))
        .unwrap_or_default();
    page.link(&mut response, &format!("/api/v1/overdue?{campaign}"), next);
    response
}

/// A queue item's place: newest sent first, then by campaign, report, unit and period (no two
/// tie), as bytes that sort so.
fn queue_key(item: &crate::store::WorkItem) -> Vec<u8> {
    sort_key(
        item.record.submitted_at.unwrap_or(0),
        &[&item.campaign, &item.deliverable, &item.unit, &item.period],
    )
}

/// `GET /api/v1/review-queue[?limit=N][&cursor=…]`: what waits for the holder's unit to review
/// (and what it received lately), as its queue shows it, newest sent first; a page of it with
/// `limit`, the next after the last row's place (`Link`).
pub async fn review_queue(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let page = match KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let now = as_of(&web);
    let listed = web
        .run(move |office, store| {
            let queue = office.review_desk(&*store, &user, now)?;
            let (queue, next) = page.cut(queue, queue_key);
            let items = queue
                .iter()
                .map(|item| {
                    let t = now.in_zone(item.zone).timestamp();
                    let status = item.record.status_at(t);
                    let mut value = serde_json::to_value(item).unwrap_or_default();
                    value["status"] = serde_json::to_value(status).unwrap_or_default();
                    value["deciding"] = (status.is_in_review()
                        && item.reviewer.is_some()
                        && item.reviewer.as_deref() == user.unit.as_deref())
                    .into();
                    value
                })
                .collect::<Vec<Value>>();
            Ok((items, next, page))
        })
        .await;
    let (items, next, page) = match listed {
        Ok(listed) => listed,
        Err(e) => return refused_reading(&e),
    };
    page.answer(&headers, &items, "/api/v1/review-queue?", next)
}

/// `GET /api/v1/letters?unit=…`: the letters the ladder issued to a unit (督办函 and its kin),
/// to whoever may open its page, newest first; each a Word file at `/unit/{unit}/letters/{id}`.
pub async fn letters(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let unit = match named(
        &query,
        ("unit", Code::UnitNeeded, "请指明单位：?unit=名称"),
        "没有这个单位",
    ) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let page = match KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let at = as_of(&web);
    let asked = unit.clone();
    let listed = web
        .run(move |office, store| office.unit_letters(&*store, &user, &asked, at))
        .await;
    match listed {
        Ok(letters) => {
            // Newest first: the letter issued last has the largest id.
            let (letters, next) = page.cut(letters, |l| sort_key(l.id, &[]));
            let value: Vec<Value> = letters
                .iter()
                .map(|l| {
                    let mut v = serde_json::to_value(l).unwrap_or_default();
                    v["number_text"] = l.number_text().into();
                    let unit = super::path_segment(&l.unit);
                    v["href"] = format!("/unit/{unit}/letters/{}", l.id).into();
                    v["download"] = format!("/api/v1/units/{unit}/letters/{}", l.id).into();
                    v
                })
                .collect();
            let mut response = json_of(&headers, &Value::from(value));
            let listing = format!("/api/v1/letters?unit={}&", super::path_segment(&unit));
            page.link(&mut response, &listing, next);
            response
        }
        Err(e) => refused_reading(&e),
    }
}

/// `GET /api/v1/units[?q=…][&under=…]`: the organisation's directory (通讯录) as the `/units`
/// page finds it — every unit in use, or those under `under` (a code or name, and it), of them
/// those whose name or code holds `q` — each with its parent (by code and name), kind, mailbox,
/// phone and people; supervisors' and the office's tokens. In pages by code.
pub async fn units(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let trimmed = |key: &str| {
        query
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (under, q) = (trimmed("under"), trimmed("q"));
    if under.as_deref().is_some_and(names_nothing) {
        return coded(Code::Unknown, "通讯录中没有这个单位");
    }
    // No name or code holds a NUL: a search for one is refused, not answered with nothing.
    if q.as_deref().is_some_and(|q| q.contains('\0')) {
        return coded(
            Code::HiddenCharacters,
            "查询词中含有不可见的控制字符（NUL）",
        );
    }
    let page = match KeyPage::of(&query) {
        Ok(page) => page,
        Err(r) => return *r,
    };
    let (under_asked, q_asked) = (under.clone(), q.clone());
    let listed = web
        .run(move |office, store| {
            office.directory_as(&*store, &user, under.as_deref(), q.as_deref())
        })
        .await;
    let (found, names) = match listed {
        Ok(listed) => listed,
        Err(e) => return refused_reading(&e),
    };
    let names: HashMap<String, String> = names.into_iter().collect();
    let (found, next) = page.cut(found, |u| sort_key(0, &[&u.code]));
    let rows: Vec<Value> = found
        .iter()
        .map(|u| {
            let mut v = serde_json::to_value(u).unwrap_or_default();
            v["parent_name"] = u.parent.as_ref().and_then(|p| names.get(p)).cloned().into();
            v
        })
        .collect();
    let mut response = json_of(&headers, &Value::from(rows));
    let mut listing = String::from("/api/v1/units?");
    for (key, value) in [("under", &under_asked), ("q", &q_asked)] {
        if let Some(value) = value {
            listing.push_str(&format!("{key}={}&", super::path_segment(value)));
        }
    }
    page.link(&mut response, &listing, next);
    response
}

/// A reading refused: the holder may not see it (403), or it names nothing (404); the rest as
/// every operation refuses.
fn refused_reading(e: &AppError) -> Response {
    match e {
        AppError::Forbidden { .. } => coded(Code::Forbidden, "此令牌无权查看"),
        other => refused(other),
    }
}

/// `GET /api/v1/bulletin?campaign=…[&period=2017-05|2017-Q2|2017][&format=docx]`: the bulletin
/// (通报) of a month, a quarter or a year as the page makes it — its counts, ranking, the
/// reports still missing, targets, interviews, instructions and letters — as JSON, or as the
/// Word document; without a period, the last whole month's.
pub async fn bulletin(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    use super::bulletin::{Asked, Unshown};
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let campaign = match named(&query, CAMPAIGN_NEEDED, "没有这个专项") {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let word = match query.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("docx") => true,
        Some(_) => {
            return coded(Code::BadFormat, "format 应为 json 或 docx");
        }
    };
    let asked = Asked {
        campaign,
        period: asked(&query, "period"),
    };
    let at = as_of(&web);
    let made = web
        .run(move |office, store| {
            super::bulletin::make(office, &*store, &user, &asked, ("", ""), at)
        })
        .await;
    let b = match made {
        Ok(Ok((b, _, _))) => b,
        Ok(Err(why @ Unshown::Period(_))) => {
            return coded(Code::BadPeriod, &why.to_string());
        }
        Ok(Err(why)) => return coded(Code::NothingDue, &why.to_string()),
        Err(e) => return refused_reading(&e),
    };
    if !word {
        return json_of(&headers, &serde_json::to_value(&b).unwrap_or_default());
    }
    match crate::documents::bulletin::docx(&b) {
        Ok(bytes) => tagged(&headers, bytes, crate::documents::docx::MIME),
        Err(e) => {
            tracing::error!(error = %e, "a bulletin could not be written as Word");
            coded(Code::Failed, "通报未能生成Word文件")
        }
    }
}

/// `GET /api/v1/units/{unit}/letters/{id}`: letter `id` of a unit as Word, to whoever may open
/// the unit's page (as `/unit/{unit}/letters/{id}` is to a signed-in browser).
pub async fn letter(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    axum::extract::Path((unit, id)): axum::extract::Path<(String, String)>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let none = || coded(Code::Unknown, "没有这份督办文书");
    let Some(id) = id.parse::<i64>().ok().filter(|_| !names_nothing(&unit)) else {
        return none();
    };
    let at = as_of(&web);
    let found = web
        .run(move |office, store| office.letter_file(&*store, &user, &unit, id, at))
        .await;
    match found {
        Ok(Some((name, bytes))) => {
            let mut response = super::pages::download(bytes, crate::documents::docx::MIME, &name);
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, no-cache"),
            );
            response
        }
        Ok(None) => none(),
        Err(e) => refused_reading(&e),
    }
}
