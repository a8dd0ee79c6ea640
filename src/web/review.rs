//! The reviewer's queue: what waits for the signed-in reviewing unit's decision, and what it
//! received lately (which it may return), each with when it came, who sent and signed it and
//! its figures; filtered by campaign, report and unit. And the page that asks "确认退回？"
//! before a report is sent back.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};

use super::desk::{after, href, item_value, key_of};
use super::pages::{as_of, for_session, page, shown, who, zone_of};
use super::{Web, path_segment};
use crate::app::{Deed, Session};

/// `GET /review`: what waits for the signed-in reviewer's decision.
pub async fn review(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let now = as_of(&web);
    // Filters: a campaign, a unit (part of its name), a report.
    let asked = |key: &str| {
        query
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (campaign, unit, deliverable) = (asked("campaign"), asked("unit"), asked("deliverable"));
    let wanted = (campaign.clone(), unit.clone(), deliverable.clone());
    // Each list pages on its own: `page` what waits, `later` what was received.
    let page_of = |key: &str| {
        query
            .get(key)
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let asked_pages = [page_of("page"), page_of("later")];
    let found = for_session(&web, &headers, move |office, store, session| {
        let queue = office.review_desk(&*store, &session.user, now)?;
        let (campaign, unit, deliverable) = &wanted;
        let listed = queue.iter().map(|item| {
            campaign.as_ref().is_none_or(|c| *c == item.campaign)
                && unit.as_ref().is_none_or(|u| item.unit.contains(u.as_str()))
                && deliverable.as_ref().is_none_or(|d| *d == item.deliverable)
        });
        // Which list each row is in (0: to decide, 1: received), and the rows of the pages
        // asked for: only those are shown, and only theirs are read further.
        let lists: Vec<Option<usize>> = queue
            .iter()
            .zip(listed)
            .map(|(item, listed)| listed.then(|| usize::from(!waits_for(item, &session.user, now))))
            .collect();
        let mut counts = [0usize; 2];
        for list in lists.iter().flatten() {
            counts[*list] += 1;
        }
        let pages = counts.map(|n| n.div_ceil(QUEUE_ROWS).max(1));
        let mut seen = [0usize; 2];
        let shown: Vec<bool> = lists
            .iter()
            .map(|list| {
                list.is_some_and(|l| {
                    seen[l] += 1;
                    (seen[l] - 1) / QUEUE_ROWS + 1 == asked_pages[l].min(pages[l])
                })
            })
            .collect();
        // What each row shown was sent with: its figures and signatures, read for those rows
        // alone (one history each), as the obligation's own page reads them.
        let mut sent = Vec::with_capacity(queue.len());
        for (item, shown) in queue.iter().zip(&shown) {
            sent.push(if *shown {
                office.sent_last(&*store, &session.user, item, now)?
            } else {
                None
            });
        }
        // Each campaign by its title, as the board names it.
        let mut titles: HashMap<String, String> = HashMap::new();
        for item in &queue {
            if !titles.contains_key(&item.campaign) {
                let title = store.campaign_header(&item.campaign)?.title;
                titles.insert(item.campaign.clone(), title);
            }
        }
        Ok((queue, shown, sent, titles, counts))
    })
    .await;
    let (current, (queue, listed, sent, titles, counts)) = match found {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (mut deciding, mut received) = (Vec::new(), Vec::new());
    let mut campaigns: Vec<Value> = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    let mut deliverables: Vec<String> = Vec::new();
    let title = |key: &str| titles.get(key).cloned().unwrap_or_else(|| key.to_string());
    for item in &queue {
        if !keys.contains(&item.campaign.as_str()) {
            keys.push(&item.campaign);
            campaigns
                .push(context! { key => item.campaign.clone(), title => title(&item.campaign) });
        }
        if !deliverables.contains(&item.deliverable) {
            deliverables.push(item.deliverable.clone());
        }
    }
    let shown_items = queue
        .iter()
        .zip(listed)
        .zip(&sent)
        .filter(|((_, listed), _)| *listed)
        .map(|((item, _), sent)| (item, sent));
    for (item, sent_with) in shown_items {
        let under_review = waits_for(item, &current.user, now);
        // When it came, in its campaign's zone, to the minute.
        let sent = item
            .record
            .submitted_at
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| {
                t.with_timezone(&item.zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            });
        let row = context! {
            sent, content => sent_with.as_ref().map(sent_value),
            campaign_title => title(&item.campaign), ..item_value(item, now)
        };
        if under_review {
            deciding.push(row);
        } else {
            received.push(row);
        }
    }
    let zone = zone_of(&web, queue.iter().map(|i| i.zone));
    // The links to the other pages of each list, the filters and the other list's page kept.
    let link = |key: &str, page: usize| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (name, value) in [
            ("campaign", &campaign),
            ("deliverable", &deliverable),
            ("unit", &unit),
        ] {
            if let Some(v) = value {
                pairs.push((name, v.clone()));
            }
        }
        for (name, asked) in [("page", asked_pages[0]), ("later", asked_pages[1])] {
            let page = if name == key { page } else { asked };
            if page > 1 {
                pairs.push((name, page.to_string()));
            }
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", path_segment(v)))
            .collect();
        format!("/review?{}", query.join("&"))
    };
    let pager = |list: usize, key: &str| {
        let pages = counts[list].div_ceil(QUEUE_ROWS).max(1);
        let page = asked_pages[list].min(pages);
        context! {
            count => counts[list], page, pages,
            previous => (page > 1).then(|| link(key, page - 1)),
            next => (page < pages).then(|| link(key, page + 1)),
        }
    };
    let (deciding_pages, received_pages) = (pager(0, "page"), pager(1, "later"));
    page(
        StatusCode::OK,
        "review.html",
        context! {
            deciding, received, as_of => shown(now, zone), campaigns, deliverables,
            campaign, unit, deliverable, deciding_pages, received_pages, ..who(Some(&current))
        },
    )
}

/// Rows per page of each list of the queue.
pub const QUEUE_ROWS: usize = 50;

/// Whether `item` waits for `who`'s decision (else it was received, and may be returned).
fn waits_for(
    item: &crate::store::WorkItem,
    who: &crate::store::User,
    now: crate::clock::Instant,
) -> bool {
    let t = now.in_zone(item.zone).timestamp();
    item.record.status_at(t).is_in_review() && item.reviewer.as_deref() == who.unit.as_deref()
}

/// A last submission as the pages show it: when, by whom, who signed (`村书记：张明`) and its
/// figures (`查处问题数：4`).
pub(super) fn sent_value(sent: &crate::app::Sent) -> Value {
    let pairs = |list: &[(String, String)]| {
        list.iter()
            .map(|(a, b)| format!("{a}：{b}"))
            .collect::<Vec<_>>()
    };
    context! {
        at => sent.at.get(..16).unwrap_or(&sent.at).replace('T', " "),
        by => sent.by.clone(), signed => pairs(&sent.signed), values => pairs(&sent.values),
        figures => sent.values.clone(),
    }
}

/// The page that asks "确认退回？" before `deed` (a return, or a return under review) of the
/// obligation at `path` with `reason`: offered only to whom the deed itself would allow
/// ([`crate::app::Office::allowed`], the rights every deed is held to), else refused as the
/// deed would be. None when there is nothing to return (the deed is then left to the ledger,
/// which says why in its own words).
pub(super) async fn confirmation(
    web: &Arc<Web>,
    current: &Session,
    path: (String, String, String, String),
    deed: Deed,
    reason: &str,
) -> Option<Response> {
    let user = current.user.clone();
    let at = as_of(web);
    let key_path = path.clone();
    let found = web
        .run(move |office, store| {
            let key = key_of(&key_path);
            office.allowed(&*store, &user, &key, deed)?;
            office.obligation_desk(&*store, &user, &key, at)
        })
        .await;
    let desk = match found {
        Ok(desk) => desk,
        Err(e) => return Some(after(web, current, path, Err(e), Vec::new(), false).await),
    };
    let (kind, action, ready) = match deed {
        Deed::Review => ("审核退回", "reject", desk.status.is_in_review()),
        _ => ("退回", "return", !desk.status.is_open()),
    };
    if !ready {
        return None;
    }
    let sent = crate::app::Sent::last(&desk.history).map(|s| sent_value(&s));
    Some(page(
        StatusCode::OK,
        "confirm.html",
        context! {
            kind, deed => action, reason, sent, item => item_value(&desk.item, at),
            status => desk.status.label_zh(), action => href(&desk.item),
            ..who(Some(current))
        },
    ))
}
