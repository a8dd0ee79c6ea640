//! Pages kept per node: a signed-in person who asks again for a page they were just shown
//! (their unit's page, the board, an obligation) gets the same bytes without a turn at the
//! store, as long as nothing could have changed what it shows. A kept page belongs to one
//! session cookie and one address, so the rights that made it are the rights it is shown
//! under. It is dropped when:
//!
//! - anything is done through this node (any request but a GET), before the next page;
//! - the records changed at all, by any process: an SQLite file's change stamp, read without
//!   a connection, moves with every commit (an account disabled on the command line ends its
//!   session's kept pages at once);
//! - it is `kept_pages_seconds` old (duban.toml, 5 by default; 0 keeps nothing): a deadline
//!   passed shows within that.
//!
//! PostgreSQL shows no change from outside (another node's or a command's commit is seen only
//! by asking it), so on PostgreSQL no page is kept: each is made from the records.
//!
//! It serves the page asked for again — a refresh, the way back, a dashboard polling — not the
//! first of each person's pages: a hundred clerks opening their hundred pages once each are
//! a hundred pages made.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Web;
use super::pages::{SESSION_COOKIE, cookie};
use crate::store::ChangeStamp;

/// How many pages a node keeps at most; past it, or past [`KEPT_BYTES`], what is old is
/// dropped, and if that is not enough, everything.
const KEPT_PAGES: usize = 2_048;
/// How much a node keeps at most, in bytes of pages.
const KEPT_BYTES: usize = 64 << 20;
/// How many pages one session keeps at most (the oldest goes first): a session asking for
/// many addresses (the same page with made-up query words) keeps no more than this.
const PER_SESSION: usize = 16;
/// A page larger than this is not kept.
const LARGEST: usize = 1 << 20;
/// How long a page is kept at most, whatever duban.toml says.
const LONGEST_SECONDS: u64 = 60;

/// The pages a node keeps.
#[derive(Default)]
pub struct Kept {
    /// Counts what was done through this node.
    done: AtomicU64,
    pages: Mutex<HashMap<(String, String), Page>>,
}

impl Kept {
    /// The bytes kept.
    fn bytes(pages: &HashMap<(String, String), Page>) -> usize {
        pages.values().map(|p| p.body.len()).sum()
    }
}

struct Page {
    headers: HeaderMap,
    body: Bytes,
    made: Instant,
    done: u64,
    stamp: ChangeStamp,
}

impl Kept {
    fn find(
        &self,
        key: &(String, String),
        done: u64,
        stamp: &ChangeStamp,
        seconds: u64,
    ) -> Option<Response> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let page = pages.get(key)?;
        let fresh =
            page.done == done && page.stamp == *stamp && page.made.elapsed().as_secs() < seconds;
        fresh.then(|| {
            let mut response = Response::new(Body::from(page.body.clone()));
            *response.headers_mut() = page.headers.clone();
            response
        })
    }

    fn keep(&self, key: (String, String), page: Page, seconds: u64) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        // One session's pages: the oldest goes when it has its share.
        let mut own: Vec<(Instant, String)> = pages
            .iter()
            .filter(|((session, _), _)| *session == key.0)
            .map(|((_, address), p)| (p.made, address.clone()))
            .collect();
        if own.len() >= PER_SESSION {
            own.sort_unstable();
            for (_, address) in own.iter().take(own.len() + 1 - PER_SESSION) {
                pages.remove(&(key.0.clone(), address.clone()));
            }
        }
        if pages.len() >= KEPT_PAGES || Kept::bytes(&pages) + page.body.len() > KEPT_BYTES {
            // What could no longer be shown goes first; then everything.
            pages.retain(|_, p| p.made.elapsed().as_secs() < seconds);
            if pages.len() >= KEPT_PAGES || Kept::bytes(&pages) + page.body.len() > KEPT_BYTES {
                pages.clear();
            }
        }
        pages.insert(key, page);
    }
}

/// Whether a GET of `path` shows a page that may be kept: those read over and over, and made
/// from the records only.
fn keepable(path: &str) -> bool {
    path == "/board"
        || path.starts_with("/unit/")
        || path.starts_with("/o/") && !path.contains("/file/")
}

/// The layer over every route: answers a GET from the kept pages when it can, keeps what it
/// made, and forgets every kept page when anything else is done.
pub async fn layer(State(web): State<Arc<Web>>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        let response = next.run(request).await;
        // Counted after the act, so a page made while it was under way is not kept as new.
        web.kept.done.fetch_add(1, Ordering::AcqRel);
        return response;
    }
    let path = request.uri().path();
    let session = cookie(request.headers(), SESSION_COOKIE);
    let seconds = web.office.config.kept_pages_seconds.min(LONGEST_SECONDS);
    let (Some(session), true, true) = (session, keepable(path), seconds > 0) else {
        return next.run(request).await;
    };
    let address = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.to_string(), |p| p.as_str().to_string());
    let key = (session, address);
    // Both read before the page is made: a change after this point makes the page old.
    let done = web.kept.done.load(Ordering::Acquire);
    let Some(stamp) = web.office.records_stamp() else {
        return next.run(request).await;
    };
    if let Some(page) = web.kept.find(&key, done, &stamp, seconds) {
        return page;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    use axum::body::HttpBody;
    // Pages are made whole before they are answered: their length is known.
    if response
        .body()
        .size_hint()
        .exact()
        .is_none_or(|n| n > LARGEST as u64)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, LARGEST).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    web.kept.keep(
        key,
        Page {
            headers: parts.headers.clone(),
            body: body.clone(),
            made: Instant::now(),
            done,
            stamp,
        },
        seconds,
    );
    Response::from_parts(parts, Body::from(body))
}
