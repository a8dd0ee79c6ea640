//! The letters the overdue ladder issued to a unit (督办函 and its kin), downloaded as Word
//! from the unit's page by whoever may open it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::Web;
use super::pages::{as_of, download, for_session, message};

/// `GET /unit/{name}/letters/{id}`: letter `id` of the unit, as Word.
pub async fn letter(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path((name, id)): Path<(String, String)>,
) -> Response {
    let at = as_of(&web);
    let id: Option<i64> = id.trim_end_matches(".docx").parse().ok();
    let found = for_session(&web, &headers, move |office, store, session| match id {
        Some(id) => office.letter_file(&*store, &session.user, &name, id, at),
        None => Ok(None),
    })
    .await;
    match found {
        Ok((_, Some((name, bytes)))) => download(bytes, crate::documents::docx::MIME, &name),
        Ok((session, None)) => message(
            StatusCode::NOT_FOUND,
            "文书不存在",
            "没有这份督办文书",
            Some(&session),
        ),
        Err(r) => r,
    }
}
