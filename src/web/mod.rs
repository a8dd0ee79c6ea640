//! `duban serve`: the web pages, a front end over the same use cases as the command line.
//! Pages are rendered on the server (minijinja, every value escaped) and work without script.
//! Every route that shows records checks the session and what its account may see; forms carry
//! a CSRF secret; the session cookie is HttpOnly and SameSite=Strict (and Secure behind HTTPS).

mod accounts;
mod ack;
mod api;
mod api_accounts;
mod api_body;
mod api_directory;
mod api_obligation;
mod api_read;
mod api_refusal;
mod api_schema;
mod api_submit;
mod api_work;
mod board;
mod bulletin;
mod calendar;
mod chase;
mod connections;
mod desk;
mod directory;
mod exports;
mod files;
mod instruct;
mod kept;
mod letters;
mod obligation_acts;
mod obligation_page;
mod openapi;
mod pages;
mod paging;
mod received;
mod review;
mod upload;

pub use openapi::document as openapi_document;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post, put};

use crate::app::Office;

/// What every request is handled with.
pub struct Web {
    /// The office: its configuration and use cases.
    pub office: Office,
    /// Whether cookies are marked Secure (the pages are served over HTTPS, directly or behind a
    /// proxy).
    pub secure: bool,
    /// Requests come through a reverse proxy on this machine (nginx), which names the client in
    /// the last entry of `X-Forwarded-For`: sign-in failures are counted by that address.
    pub behind_proxy: bool,
    /// The instant the board's lights are at (`serve --as-of`), or none: now.
    pub as_of: Option<crate::clock::Instant>,
    /// The board this node shows.
    board: board::BoardCache,
    /// Pages shown again while nothing changed.
    kept: kept::Kept,
    /// Open stores between requests: opening one (a file's schema read, or a connection to
    /// PostgreSQL) costs more than most pages.
    idle: Mutex<Vec<crate::store::Records>>,
    /// Work on the store at once: a few per core. More would only contend (SQLite's allocator
    /// takes a global lock) and switch threads; requests beyond it wait their turn, cheaply.
    pub(crate) working: tokio::sync::Semaphore,
}

/// How many open stores a node keeps between requests.
const IDLE_STORES: usize = 32;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The address could not be listened on.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the web server stopped: {0}")]
    Serve(std::io::Error),
}

impl Web {
    /// The pages of `office`, their lights at `as_of` (or now); `secure` marks cookies Secure.
    pub fn new(office: Office, secure: bool, as_of: Option<crate::clock::Instant>) -> Web {
        Web {
            office,
            secure,
            behind_proxy: false,
            as_of,
            board: board::BoardCache::default(),
            kept: kept::Kept::default(),
            idle: Mutex::new(Vec::new()),
            working: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            ),
        }
    }

    /// Runs `work` on an open store on a blocking thread, when one of the few turns at the
    /// store is free.
    pub(crate) async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Office, &mut dyn crate::store::Backend) -> Result<T, crate::app::AppError>
        + Send
        + 'static,
    ) -> Result<T, crate::app::AppError> {
        let _turn = self
            .working
            .acquire()
            .await
            .map_err(|_| crate::app::AppError::Interrupted)?;
        let web = self.clone();
        tokio::task::spawn_blocking(move || web.with_records(work))
            .await
            .unwrap_or(Err(crate::app::AppError::Interrupted))
    }

    /// Runs `work` on an open store: one kept from an earlier request, or a new one. A store is
    /// kept again only after work that did not fail, so that a broken connection is not.
    fn with_records<T>(
        &self,
        work: impl FnOnce(&Office, &mut dyn crate::store::Backend) -> Result<T, crate::app::AppError>,
    ) -> Result<T, crate::app::AppError> {
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut store = match kept {
            Some(store) => store,
            None => self.office.open_store()?,
        };
        let done = work(&self.office, &mut *store);
        if done.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_STORES {
                idle.push(store);
            }
        }
        done
    }

    /// The client's address: the peer's, or behind a proxy on this machine, the one the proxy
    /// names last in `X-Forwarded-For` (what a client sends itself comes before it).
    pub(crate) fn client(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> String {
        if self.behind_proxy && peer.ip().is_loopback() {
            // Only the proxy's own entry counts: one a client wrote before it is not skipped to.
            let named = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok());
            if let Some(ip) = named {
                return ip.to_string();
            }
        }
        peer.ip().to_string()
    }
}

/// Every route: its method, its path, and what answers it. The router is built from this
/// table alone, so that [`route_table`] lists exactly what is served (a test holds every entry
/// against the authorisation matrix).
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<Arc<Web>>)> {
    let upload = || DefaultBodyLimit::max(upload::UPLOAD_LIMIT + (1 << 20));
    const OBLIGATION: &str = "/o/{campaign}/{deliverable}/{unit}/{period}";
    vec![
        ("GET", "/", get(pages::home)),
        ("GET", "/login", get(pages::login_form)),
        ("POST", "/login", post(pages::login)),
        ("POST", "/logout", post(pages::logout)),
        ("GET", "/set-password", get(pages::password_form)),
        ("POST", "/set-password", post(pages::set_password)),
        ("GET", "/board", get(board::board)),
        ("GET", "/board/trend", get(board::trend)),
        ("GET", "/unit/{name}", get(desk::unit)),
        ("POST", "/unit/{name}/calendar", post(calendar::subscribe)),
        ("GET", "/unit/{name}/letters/{id}", get(letters::letter)),
        ("GET", "/review", get(review::review)),
        ("GET", "/accounts", get(accounts::accounts)),
        ("POST", "/accounts", post(accounts::add)),
        ("POST", "/accounts/disable", post(accounts::disable)),
        ("POST", "/accounts/enable", post(accounts::enable)),
        ("POST", "/accounts/reset", post(accounts::reset)),
        ("POST", "/accounts/tokens", post(accounts::add_token)),
        (
            "POST",
            "/accounts/tokens/revoke",
            post(accounts::revoke_token),
        ),
        ("GET", "/overdue", get(exports::overdue)),
        ("POST", "/chase", post(chase::chase)),
        (
            "POST",
            "/instruct",
            post(instruct::instruct).layer(upload()),
        ),
        ("GET", "/units", get(directory::units)),
        ("POST", "/units", post(directory::edit)),
        (
            "POST",
            "/units/import",
            post(directory::import).layer(upload()),
        ),
        (
            "GET",
            "/ack/{campaign}/{deliverable}/{unit}/{period}/{mac}",
            get(ack::ask),
        ),
        (
            "POST",
            "/ack/{campaign}/{deliverable}/{unit}/{period}/{mac}",
            post(ack::acknowledge),
        ),
        ("GET", "/import", get(received::form)),
        ("POST", "/import", post(received::import).layer(upload())),
        ("GET", "/bulletin", get(bulletin::bulletin)),
        ("GET", OBLIGATION, get(desk::obligation)),
        (
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/submit",
            post(desk::submit).layer(upload()),
        ),
        (
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/act",
            post(desk::act),
        ),
        (
            "GET",
            "/o/{campaign}/{deliverable}/{unit}/{period}/template",
            get(obligation_page::template),
        ),
        (
            "GET",
            "/o/{campaign}/{deliverable}/{unit}/{period}/file/{sha256}",
            get(desk::file),
        ),
        ("GET", "/api/v1/obligations", get(api::obligations)),
        ("POST", "/api/v1/chases", post(api::chase)),
        ("POST", "/api/v1/acknowledgements", post(api::acknowledge)),
        ("GET", "/api/v1/calendar.ics", get(api::calendar)),
        (
            "POST",
            "/api/v1/extension-requests",
            post(api::ask_extension),
        ),
        (
            "POST",
            "/api/v1/extension-decisions",
            post(api::decide_extension),
        ),
        ("POST", "/api/v1/review-decisions", post(api::decide_review)),
        ("POST", "/api/v1/instructions", post(api_work::instruct)),
        ("GET", "/api/v1/instructions", get(api_work::instructions)),
        ("POST", "/api/v1/pass-downs", post(api_work::pass_down)),
        ("POST", "/api/v1/returns", post(api_work::send_back)),
        ("POST", "/api/v1/waivers", post(api_work::waive)),
        ("GET", "/api/v1/board", get(api_read::board)),
        ("GET", "/api/v1/overdue", get(api_read::overdue)),
        ("GET", "/api/v1/review-queue", get(api_read::review_queue)),
        ("GET", "/api/v1/letters", get(api_read::letters)),
        ("GET", "/api/v1/units", get(api_read::units)),
        ("PUT", "/api/v1/units/{code}", put(api_directory::edit)),
        (
            "GET",
            "/api/v1/units/{unit}/letters/{id}",
            get(api_read::letter),
        ),
        ("GET", "/api/v1/bulletin", get(api_read::bulletin)),
        (
            "POST",
            "/api/v1/submissions",
            post(api_submit::submit).layer(upload()),
        ),
        (
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}",
            get(api_obligation::obligation),
        ),
        (
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/files/{sha256}",
            get(api_obligation::file),
        ),
        (
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/template",
            get(api_obligation::template),
        ),
        ("GET", "/api/v1/board/trend", get(api_read::trend)),
        ("GET", "/api/v1/accounts", get(api_accounts::accounts)),
        ("POST", "/api/v1/accounts", post(api_accounts::add_account)),
        (
            "POST",
            "/api/v1/accounts/{name}/disable",
            post(api_accounts::disable),
        ),
        (
            "POST",
            "/api/v1/accounts/{name}/enable",
            post(api_accounts::enable),
        ),
        (
            "POST",
            "/api/v1/accounts/{name}/reset",
            post(api_accounts::reset),
        ),
        ("GET", "/api/v1/tokens", get(api_accounts::tokens)),
        ("POST", "/api/v1/tokens", post(api_accounts::add_token)),
        (
            "POST",
            "/api/v1/tokens/{token}/revoke",
            post(api_accounts::revoke_token),
        ),
        (
            "POST",
            "/api/v1/directory-imports",
            post(api_directory::import).layer(upload()),
        ),
        (
            "POST",
            "/api/v1/imports",
            post(api_work::import).layer(upload()),
        ),
        ("GET", "/api/v1/openapi.json", get(openapi::openapi)),
    ]
}

/// Every route the server answers, as (method, path).
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// The routes.
pub fn router(web: Arc<Web>) -> Router {
    let mut router = Router::new();
    for (_, path, answer) in routes() {
        // Two methods of one path merge into one route.
        router = router.route(path, answer);
    }
    router
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            kept::layer,
        ))
        .with_state(web)
}

/// Serves `web` on `listen` until SIGINT or SIGTERM; `ready` is told the address bound (a port
/// 0 picks a free one). Connections are timed and counted (`connections`); once told to stop,
/// it returns within a bound whatever clients do.
pub fn serve(web: Web, listen: &str, ready: impl FnOnce(SocketAddr)) -> Result<(), WebError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(WebError::Serve)?;
    let served = runtime.block_on(async move {
        let stop = stopped()?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| WebError::Listen {
                address: listen.to_string(),
                source,
            })?;
        let address = listener.local_addr().map_err(WebError::Serve)?;
        ready(address);
        let limits = connections::Limits::from_file_limit();
        tracing::info!("at most {} connections open at once", limits.cap);
        connections::run(listener, router(Arc::new(web)), limits, stop).await;
        Ok(())
    });
    // Work on the store still running on a blocking thread is given a moment, not waited for.
    runtime.shutdown_timeout(connections::GRACE);
    served
}

/// A future resolving on SIGINT or SIGTERM, with both handlers installed before it returns:
/// installed on the future's first poll instead, a signal arriving between `ready` and that
/// poll would end the process at once, cutting off the requests under way (seen under load).
fn stopped() -> Result<impl std::future::Future<Output = ()>, WebError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(WebError::Serve)?;
        let mut term = signal(SignalKind::terminate()).map_err(WebError::Serve)?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        tokio::signal::ctrl_c().await.unwrap_or_default();
    })
}

/// `text` as it may stand in a URL path: RFC 3986's unreserved characters kept, the rest
/// percent-encoded, as the links in robot messages are written.
pub fn path_segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, crate::notices::hooks::UNRESERVED).to_string()
}
