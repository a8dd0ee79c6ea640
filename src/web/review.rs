//! The reviewer's queue: what waits for the signed-in reviewing unit's decision, and what it
//! received lately (which it may return), each with when it came; filtered by campaign,
//! report and unit.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::Web;
use super::desk::item_value;
use super::pages::{as_of, for_session, page, shown, who, zone_of};

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
    let (current, queue) = match for_session(&web, &headers, move |office, store, session| {
        office.review_desk(&*store, &session.user, now)
    })
    .await
    {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (mut deciding, mut received) = (Vec::new(), Vec::new());
    let mut campaigns: Vec<String> = Vec::new();
    let mut deliverables: Vec<String> = Vec::new();
    for item in &queue {
        if !campaigns.contains(&item.campaign) {
            campaigns.push(item.campaign.clone());
        }
        if !deliverables.contains(&item.deliverable) {
            deliverables.push(item.deliverable.clone());
        }
    }
    let shown_items = queue.iter().filter(|item| {
        campaign.as_ref().is_none_or(|c| *c == item.campaign)
            && unit.as_ref().is_none_or(|u| item.unit.contains(u.as_str()))
            && deliverable.as_ref().is_none_or(|d| *d == item.deliverable)
    });
    for item in shown_items {
        let t = now.in_zone(item.zone).timestamp();
        let under_review = item.record.status_at(t).is_in_review()
            && item.reviewer.as_deref() == current.user.unit.as_deref();
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
        let row = context! { sent, ..item_value(item, now) };
        if under_review {
            deciding.push(row);
        } else {
            received.push(row);
        }
    }
    let zone = zone_of(&web, queue.iter().map(|i| i.zone));
    page(
        StatusCode::OK,
        "review.html",
        context! {
            deciding, received, as_of => shown(now, zone), campaigns, deliverables,
            campaign, unit, deliverable, ..who(Some(&current))
        },
    )
}
