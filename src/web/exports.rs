//! What supervisors take away from the pages: the overdue list with every unit's contacts (on
//! the page, as CSV or as an Excel workbook) — the same document the command line writes, for
//! supervisors and the office only. The bulletin (通报) has its own page (`bulletin.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::pages::{as_of, download, for_session, message, page, shown, who, zone_of};
use super::{Web, path_segment};
use crate::documents;
use crate::store::{Filter, OverdueRow};

/// How many rows the overdue page shows; the downloads have all.
pub const SHOWN_ROWS: usize = 500;

/// `rows` as CSV with a byte-order mark, so that Excel and WPS read the Chinese right.
fn csv(rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(documents::overdue::COLUMNS)?;
    for row in rows {
        out.write_record(row)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// `GET /overdue[?campaign=…][&format=csv|xlsx]`: everything overdue, with whom to call.
pub async fn overdue(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let at = as_of(&web);
    let asked: Vec<String> = query.get("campaign").cloned().into_iter().collect();
    let found = for_session(&web, &headers, move |_, store, session| {
        let filter = Filter {
            campaigns: crate::app::campaigns_of(&session.user, crate::app::Page::Overdue, &asked)?,
            ..Filter::default()
        };
        let rows = store.overdue(&filter, at)?;
        // The zones of the campaigns listed (or asked for): the instant is shown in theirs.
        let mut campaigns: Vec<&str> = rows.iter().map(|r| &*r.campaign).collect();
        campaigns.extend(filter.campaigns.iter().map(String::as_str));
        campaigns.sort_unstable();
        campaigns.dedup();
        let zones = campaigns
            .iter()
            .map(|c| store.campaign_zone(c))
            .collect::<Result<Vec<_>, _>>()?;
        // Campaigns by their titles, as people know them.
        let mut titles = HashMap::new();
        for c in campaigns {
            let title = store.campaign_header(c)?.title;
            if !title.is_empty() {
                titles.insert(c.to_string(), title);
            }
        }
        Ok((rows, zones, titles))
    })
    .await;
    let (current, (rows, zones, titles)) = match found {
        Ok(found) => found,
        Err(r) => return r,
    };
    let zone = zone_of(&web, zones);
    let cells: Vec<Vec<String>> = rows.iter().map(documents::overdue::cells).collect();
    let name = format!("逾期清单-{}", shown(at, zone).replace([' ', ':'], "-"));
    match query.get("format").map(String::as_str) {
        Some("csv") => match csv(&cells) {
            Ok(bytes) => download(bytes, "text/csv; charset=utf-8", &format!("{name}.csv")),
            Err(e) => failed(&current, &e.to_string()),
        },
        Some("xlsx") => match documents::listing("逾期", &documents::overdue::COLUMNS_ZH, cells) {
            Ok(bytes) => download(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{name}.xlsx"),
            ),
            Err(e) => failed(&current, &e.to_string()),
        },
        Some(other) => message(
            StatusCode::BAD_REQUEST,
            "无法导出",
            &format!("没有「{other}」这种格式：可下载CSV或Excel"),
            Some(&current),
        ),
        None => {
            use crate::language::ast::ContactRole;
            // Sorted as asked (most days late first, by default), a page of SHOWN_ROWS.
            let mut sorted: Vec<&OverdueRow> = rows.iter().collect();
            let sort = query.get("sort").map(String::as_str).unwrap_or("days");
            match sort {
                "unit" => sorted.sort_by(|a, b| a.unit.cmp(&b.unit).then(a.due_at.cmp(&b.due_at))),
                "campaign" => sorted.sort_by(|a, b| {
                    a.campaign
                        .cmp(&b.campaign)
                        .then(b.days_overdue.cmp(&a.days_overdue))
                }),
                _ => sorted.sort_by(|a, b| {
                    b.days_overdue
                        .cmp(&a.days_overdue)
                        .then(a.unit.cmp(&b.unit))
                }),
            }
            let pages = rows.len().div_ceil(SHOWN_ROWS).max(1);
            let page_no = query
                .get("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, pages);
            let shown_rows: Vec<minijinja::Value> = sorted
                .into_iter()
                .skip((page_no - 1) * SHOWN_ROWS)
                .take(SHOWN_ROWS)
                .map(|r: &OverdueRow| {
                    // The liaison by name, and the number to call: theirs, else the unit's.
                    let liaison = r.contacts.iter().find(|c| c.role == ContactRole::Liaison);
                    let obligation = format!(
                        "/o/{}/{}/{}/{}",
                        path_segment(&r.campaign),
                        path_segment(&r.deliverable),
                        path_segment(&r.unit),
                        path_segment(r.period.as_deref().unwrap_or("-"))
                    );
                    context! {
                        campaign => titles.get(&*r.campaign).cloned().unwrap_or_else(|| r.campaign.to_string()),
                        campaign_key => r.campaign.to_string(), deliverable => r.deliverable.to_string(),
                        unit => r.unit.to_string(), href => path_segment(&r.unit), obligation,
                        period => r.period.as_deref().map(str::to_string), due => r.due_date.to_string(),
                        // The day the days count from, when a rest day moved it.
                        moved_to => (r.on_time_until != r.due_date).then(|| r.on_time_until.to_string()),
                        days => r.days_overdue,
                        liaison => liaison.and_then(|c| c.name.clone()),
                        phone => liaison
                            .and_then(|c| c.phone.clone())
                            .or_else(|| r.phone.as_deref().map(str::to_string)),
                        leader => documents::overdue::people(r, ContactRole::Leader),
                    }
                })
                .collect();
            let mut keys: Vec<String> = rows.iter().map(|r| r.campaign.to_string()).collect();
            keys.sort();
            keys.dedup();
            let campaigns: Vec<minijinja::Value> = keys
                .iter()
                .map(|k| context! { key => k, title => titles.get(k).cloned().unwrap_or_else(|| k.clone()) })
                .collect();
            let campaign = query.get("campaign").cloned();
            let link = |sort: &str, page: usize| {
                let mut q = format!("/overdue?sort={sort}&page={page}");
                if let Some(c) = &campaign {
                    q.push_str(&format!("&campaign={}", path_segment(c)));
                }
                q
            };
            let sorts: Vec<minijinja::Value> = [("days", "按逾期天数"), ("unit", "按单位"), ("campaign", "按专项")]
                .iter()
                .map(|(key, label)| context! { label => *label, href => link(key, 1), current => *key == sort })
                .collect();
            let previous = (page_no > 1).then(|| link(sort, page_no - 1));
            let next = (page_no < pages).then(|| link(sort, page_no + 1));
            let suffix = campaign
                .as_deref()
                .map(|c| format!("campaign={}&", path_segment(c)))
                .unwrap_or_default();
            page(
                StatusCode::OK,
                "overdue.html",
                context! {
                    campaign_title => campaign.as_ref().map(|c| titles.get(c).cloned().unwrap_or_else(|| c.clone())),
                    rows => shown_rows, count => rows.len(), limit => SHOWN_ROWS, campaign,
                    campaigns, sorts, page => page_no, pages, previous, next,
                    csv => format!("/overdue?{suffix}format=csv"),
                    xlsx => format!("/overdue?{suffix}format=xlsx"),
                    as_of => shown(at, zone), ..who(Some(&current))
                },
            )
        }
    }
}

pub(super) fn failed(current: &crate::app::Session, why: &str) -> Response {
    tracing::error!(error = why, "an export failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "出错了",
        "文件暂时无法生成，已记入系统日志，请稍后再试或联系督办办公室",
        Some(current),
    )
}
