//! `/board`: the supervisor's 三色看板, level by level. The board is made from the whole of the
//! records (a second or two at national scale), so it is kept for [`BOARD_SECONDS`] and made
//! again in the background while the kept one is still shown; a change made through this node
//! drops it at once, so that whoever acted sees their change. Other nodes' changes show within
//! [`BOARD_SECONDS`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Datelike;
use minijinja::{Value, context};

use super::pages::{as_of, light, light_zh, page, redirect, session, shown, who, zone_of};
use super::{Web, path_segment};
use crate::app::{Board, CampaignBoard, Node};
use crate::clock::Instant;

/// How long a board is shown before it is made again.
pub const BOARD_SECONDS: u64 = 10;
/// Rows per page.
pub const PAGE_ROWS: usize = 100;
/// A campaign with at most this many units is shown as one tree, not level by level.
pub const WHOLE_TREE: usize = 300;

/// A board, when it was made, and for which instant.
pub(super) struct Made {
    pub(super) board: Arc<Board>,
    made: std::time::Instant,
    pub(super) at: Instant,
}

/// The board this node shows, and whether a new one is being made.
#[derive(Default)]
pub struct BoardCache {
    latest: RwLock<Option<Arc<Made>>>,
    making: AtomicBool,
    first: tokio::sync::Mutex<()>,
}

impl BoardCache {
    /// Drops the board: the next request makes a new one.
    pub fn forget(&self) {
        *self.latest.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn kept(&self) -> Option<Arc<Made>> {
        self.latest
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn keep(&self, made: Made) -> Arc<Made> {
        let made = Arc::new(made);
        *self.latest.write().unwrap_or_else(|e| e.into_inner()) = Some(made.clone());
        made
    }
}

async fn make(web: &Arc<Web>) -> Result<Made, crate::app::AppError> {
    let at = as_of(web);
    let board = web
        .run(move |office, store| office.board(&*store, at))
        .await?;
    Ok(Made {
        board: Arc::new(board),
        made: std::time::Instant::now(),
        at,
    })
}

/// The board to show: the kept one while fresh; a stale one while a new one is made; or, when
/// there is none, a new one (one request makes it, the others wait for it). What stops it
/// being made is the application's refusal, for the page or the API to answer in its way.
pub(super) async fn current(web: &Arc<Web>) -> Result<Arc<Made>, crate::app::AppError> {
    if let Some(kept) = web.board.kept() {
        if kept.made.elapsed().as_secs() >= BOARD_SECONDS
            && !web.board.making.swap(true, Ordering::AcqRel)
        {
            let web = web.clone();
            tokio::spawn(async move {
                if let Ok(made) = make(&web).await {
                    web.board.keep(made);
                }
                web.board.making.store(false, Ordering::Release);
            });
        }
        return Ok(kept);
    }
    let _first = web.board.first.lock().await;
    if let Some(kept) = web.board.kept() {
        return Ok(kept);
    }
    let made = make(web).await?;
    Ok(web.board.keep(made))
}

fn colour_of(name: &str) -> Option<crate::store::Light> {
    use crate::store::Light;
    [Light::Red, Light::Yellow, Light::Green, Light::Grey]
        .into_iter()
        .find(|l| light(*l) == name)
}

/// The on-time rate of the units listed (at most the first 30 with a rate), as the bulletin
/// draws it.
fn on_time_chart(campaign: &CampaignBoard, rows: &[usize]) -> Option<String> {
    let bars: Vec<crate::documents::chart::Bar> = rows
        .iter()
        .filter_map(|&i| {
            let node = &campaign.nodes[i];
            node.tally
                .on_time_rate()
                .map(|r| crate::documents::chart::Bar {
                    label: node.unit.clone(),
                    value: r,
                })
        })
        .take(30)
        .collect();
    (!bars.is_empty()).then(|| crate::documents::chart::bars("按时报送率", &bars, 100.0, "%"))
}

fn rate(node: &Node) -> String {
    node.tally
        .on_time_rate()
        .map_or_else(|| "—".to_string(), |r| format!("{r:.0}%"))
}

fn row(campaign: &CampaignBoard, i: usize, indent: bool, column: Option<usize>) -> Value {
    let node = &campaign.nodes[i];
    let under = (!node.children.is_empty()).then(|| {
        format!(
            "/board?campaign={}&under={}",
            path_segment(&campaign.key),
            path_segment(&node.unit)
        )
    });
    // A cell leads to what it stands for: the units under it, or the unit's own items of
    // that report.
    let cells: Vec<Value> = node
        .cells
        .iter()
        .zip(&campaign.deliverables)
        .enumerate()
        .filter(|(j, _)| column.is_none_or(|c| c == *j))
        .map(|(_, (c, deliverable))| match c {
            Some(l) => {
                let href = under.clone().unwrap_or_else(|| {
                    format!(
                        "/unit/{}?campaign={}&deliverable={}",
                        path_segment(&node.unit),
                        path_segment(&campaign.key),
                        path_segment(deliverable)
                    )
                });
                context! { light => light(*l), label => light_zh(*l), href }
            }
            None => context! { light => "" },
        })
        .collect();
    context! {
        unit => node.unit.clone(), href => path_segment(&node.unit), cells,
        depth => if indent { node.depth.min(6) } else { 0 },
        red => node.tally.red, yellow => node.tally.yellow, green => node.tally.green,
        grey => node.tally.grey,
        rate => rate(node), children => node.children.len(), under,
        reviews_overdue => node.reviews_overdue, unacknowledged => node.tally.unacknowledged,
    }
}

/// The rows of one campaign the query asks for, and the path of the unit they are under.
fn rows_of(
    campaign: &CampaignBoard,
    query: &HashMap<String, String>,
) -> (Vec<usize>, Vec<Value>, bool) {
    let q = query.get("q").map(|q| q.trim()).unwrap_or_default();
    let under = query.get("under").and_then(|u| campaign.find(u));
    if !q.is_empty() {
        return (campaign.search(q), Vec::new(), false);
    }
    if let Some(u) = under {
        let mut trail = Vec::new();
        let mut at = Some(u);
        while let Some(i) = at {
            let node = &campaign.nodes[i];
            trail.push(context! {
                unit => node.unit.clone(),
                href => format!("/board?campaign={}&under={}", path_segment(&campaign.key), path_segment(&node.unit)),
            });
            at = node.parent;
        }
        trail.reverse();
        let mut rows = vec![u];
        rows.extend(&campaign.nodes[u].children);
        return (rows, trail, false);
    }
    if campaign.nodes.len() <= WHOLE_TREE {
        return (campaign.in_tree_order(), Vec::new(), true);
    }
    (campaign.roots.clone(), Vec::new(), false)
}

fn section(
    campaign: &CampaignBoard,
    query: &HashMap<String, String>,
    page_no: usize,
    at: Instant,
) -> Value {
    // The bulletin offered is of the month before the board's day, in the campaign's zone:
    // the last whole month.
    let day = at
        .in_zone(campaign.zone)
        .with_timezone(&campaign.zone)
        .date_naive();
    let month = day
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .map_or_else(String::new, |d| d.format("%Y-%m").to_string());
    let (mut rows, trail, mut whole) = rows_of(campaign, query);
    // Filters: one level of the whole tree, one report's column, one colour.
    if let Some(level) = query.get("level").and_then(|l| l.parse::<usize>().ok()) {
        // That level of the whole tree, or of what is under the unit the board is open at.
        let under = query.get("under").and_then(|u| campaign.find(u));
        let within = |mut i: usize| {
            under.is_none_or(|u| {
                loop {
                    if i == u {
                        return true;
                    }
                    match campaign.nodes[i].parent {
                        Some(p) => i = p,
                        None => return false,
                    }
                }
            })
        };
        rows = campaign
            .in_tree_order()
            .into_iter()
            .filter(|&i| campaign.nodes[i].depth + 1 == level && within(i))
            .collect();
        whole = false;
    }
    let column = query
        .get("deliverable")
        .and_then(|d| campaign.deliverables.iter().position(|x| x == d));
    if let Some(c) = column {
        rows.retain(|&i| {
            campaign.nodes[i].cells[c].is_some() || !campaign.nodes[i].children.is_empty()
        });
    }
    if let Some(colour) = query.get("colour").and_then(|c| colour_of(c)) {
        rows.retain(|&i| {
            let node = &campaign.nodes[i];
            let own = match column {
                Some(c) => node.cells[c] == Some(colour),
                None => node.light == Some(colour),
            };
            own || !node.children.is_empty() && node.tally.count(colour) > 0
        });
    }
    let levels = campaign
        .nodes
        .iter()
        .map(|n| n.depth + 1)
        .max()
        .unwrap_or(1);
    let pages = rows.len().div_ceil(PAGE_ROWS).max(1);
    let page_no = page_no.min(pages);
    let shown: Vec<Value> = rows
        .iter()
        .skip((page_no - 1) * PAGE_ROWS)
        .take(PAGE_ROWS)
        .map(|&i| row(campaign, i, whole, column))
        .collect();
    let link = |to: usize| {
        let mut params: Vec<String> = query
            .iter()
            .filter(|(k, _)| *k != "page")
            .map(|(k, v)| format!("{k}={}", path_segment(v)))
            .collect();
        params.sort();
        params.push(format!("page={to}"));
        format!("/board?{}", params.join("&"))
    };
    let total = &campaign.total;
    context! {
        key => campaign.key.clone(),
        deliverables => match column {
            Some(c) => vec![campaign.deliverables[c].clone()],
            None => campaign.deliverables.clone(),
        },
        all_deliverables => campaign.deliverables.clone(),
        levels => (1..=levels).collect::<Vec<_>>(),
        chosen => context! {
            deliverable => column.map(|c| campaign.deliverables[c].clone()),
            colour => query.get("colour").cloned(),
            level => query.get("level").cloned(),
            under => query.get("under").cloned(),
        },
        chart => on_time_chart(campaign, &rows),
        title => if campaign.title.is_empty() { campaign.key.clone() } else { campaign.title.clone() },
        rows => shown, trail, count => rows.len(), page => page_no, pages,
        previous => (page_no > 1).then(|| link(page_no - 1)),
        next => (page_no < pages).then(|| link(page_no + 1)),
        red => total.red, yellow => total.yellow, green => total.green, grey => total.grey,
        rate => total.on_time_rate().map_or_else(|| "—".to_string(), |r| format!("{r:.0}%")),
        units => campaign.nodes.len(), reviews_overdue => total.reviews_overdue,
        unacknowledged => total.unacknowledged,
        href => format!("/board?campaign={}", path_segment(&campaign.key)),
        overdue => format!("/overdue?campaign={}", path_segment(&campaign.key)),
        trend => format!("/board/trend?campaign={}", path_segment(&campaign.key)),
        bulletin => format!("/bulletin?campaign={}&period={month}", path_segment(&campaign.key)),
    }
}

/// `GET /board[?campaign=…][&under=UNIT][&q=NAME][&page=N]`: the campaigns, or one campaign's
/// units level by level; a unit's account is sent to its own page.
pub async fn board(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let current_session = match session(&web, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return redirect("/login"),
        Err(r) => return r,
    };
    if !crate::app::may(&current_session.user, crate::app::Page::Board) {
        // A reviewer's work is its queue; a unit's, its own page.
        if current_session.user.role == crate::store::Role::Reviewer {
            return redirect("/review");
        }
        let unit = current_session.user.unit.clone().unwrap_or_default();
        return redirect(&format!("/unit/{}", path_segment(&unit)));
    }
    let made = match current(&web).await {
        Ok(m) => m,
        Err(e) => return super::pages::page_error(e),
    };
    let board = &made.board;
    let page_no = query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let chosen = query.get("campaign");
    let searching = query.get("q").is_some_and(|q| !q.trim().is_empty());
    // The campaigns the account acts in, only (the rights of `app`).
    let user = &current_session.user;
    let mine: Vec<&CampaignBoard> = board
        .campaigns
        .iter()
        .filter(|c| user.in_campaign(&c.key))
        .collect();
    let (mut red, mut yellow, mut green, mut grey) = (0, 0, 0, 0);
    for c in &mine {
        red += c.total.red;
        yellow += c.total.yellow;
        green += c.total.green;
        grey += c.total.grey;
    }
    let listed: Vec<&CampaignBoard> = mine
        .iter()
        .copied()
        .filter(|c| chosen.is_none_or(|k| *k == c.key))
        .collect();
    let overview = chosen.is_none() && !searching && listed.len() > 1;
    let sections: Vec<Value> = listed
        .iter()
        .map(|c| section(c, &query, page_no, made.at))
        .collect();
    let q = query.get("q").cloned().unwrap_or_default();
    // The board's instant in the zone of the campaigns it shows, if they share one.
    let zone = zone_of(&web, listed.iter().map(|c| c.zone));
    page(
        StatusCode::OK,
        "board.html",
        context! {
            sections, overview, red, yellow, green, grey, q, campaign => chosen.cloned(),
            as_of => shown(made.at, zone), seconds => BOARD_SECONDS,
            ..who(Some(&current_session))
        },
    )
}

/// `GET /board/trend?campaign=KEY`: the campaign's on-time rate month by month, as an SVG
/// chart the board shows when its chart is opened.
pub async fn trend(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(campaign) = query.get("campaign").cloned() else {
        return super::pages::message(StatusCode::NOT_FOUND, "找不到", "没有指定专项", None);
    };
    // Whose it is to see, before the board is made for it.
    match session(&web, &headers).await {
        Ok(Some(s)) if crate::app::may(&s.user, crate::app::Page::Board) => {}
        Ok(Some(_)) => {
            return super::pages::message(
                StatusCode::FORBIDDEN,
                "无权查看",
                "看板只对督导和主办单位开放",
                None,
            );
        }
        Ok(None) => return redirect("/login"),
        Err(r) => return r,
    }
    let made = match current(&web).await {
        Ok(m) => m,
        Err(e) => return super::pages::page_error(e),
    };
    let deliverables = made
        .board
        .campaigns
        .iter()
        .find(|c| c.key == campaign)
        .map(|c| c.deliverables.clone())
        .unwrap_or_default();
    let at = made.at;
    let found = super::pages::for_session(&web, &headers, move |office, store, session| {
        office.trend_as(&*store, &session.user, &campaign, &deliverables, at)
    })
    .await;
    let points = match found {
        Ok((_, points)) => points,
        Err(r) => return r,
    };
    let bars: Vec<crate::documents::chart::Bar> = points
        .into_iter()
        .map(|(month, rate)| crate::documents::chart::Bar {
            label: month,
            value: rate,
        })
        .collect();
    let svg = crate::documents::chart::columns("按时报送率（按截止月份）", &bars, "%");
    let mut response = axum::response::IntoResponse::into_response(svg);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    response
}
