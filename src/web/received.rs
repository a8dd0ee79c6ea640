//! `/import`: the office records reports that came on paper or by mail from a clerk's
//! spreadsheet (Excel or CSV; JSON lines too), with the same checks as `duban import` — all rows or
//! none, every refused row named with its line and what to correct.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};

use super::Web;
use super::pages::{for_session, page, who};
use crate::app::{AppError, Page, Received, allow, same_secret};

/// How many refused rows a page names; the rest are counted.
const NAMED: usize = 100;

/// The page, its campaigns those on this node's board that the account acts in.
async fn import_page(
    web: &Arc<Web>,
    current: &crate::app::Session,
    status: StatusCode,
    said: Value,
) -> Response {
    let made = match super::board::current(web).await {
        Ok(made) => made,
        Err(e) => return super::pages::page_error(e),
    };
    let campaigns: Vec<Value> = made
        .board
        .campaigns
        .iter()
        .filter(|c| current.user.in_campaign(&c.key))
        .map(|c| {
            let title = if c.title.is_empty() { &c.key } else { &c.title };
            context! { key => c.key.clone(), title => title.clone() }
        })
        .collect();
    page(
        status,
        "import.html",
        context! { said, campaigns, ..who(Some(current)) },
    )
}

/// `GET /import`: the form.
pub async fn form(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    match for_session(&web, &headers, |_, _, session| {
        allow(&session.user, Page::Import)
    })
    .await
    {
        Ok((current, ())) => import_page(&web, &current, StatusCode::OK, context! {}).await,
        Err(r) => r,
    }
}

/// Why an upload is no sheet of reports, as the page says it.
#[derive(Debug, thiserror::Error)]
pub(super) enum SheetProblem {
    #[error("请选择要导入的报送记录表格（Excel 或 CSV 文件）")]
    Missing,
    #[error("「{0}」不是 Excel 或 CSV 文件")]
    NotASheet(String),
    #[error("无法读取上传的文件：{0}")]
    Unreadable(std::io::Error),
}

/// The uploaded sheet under a name its kind can be told by, and the name it was sent under.
pub(super) fn sheet(
    sent: &super::upload::Sent,
) -> Result<(std::path::PathBuf, String), SheetProblem> {
    let file = sent.files.first().ok_or(SheetProblem::Missing)?;
    let extension = std::path::Path::new(&file.name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .filter(|e| matches!(e.as_str(), "xlsx" | "csv" | "jsonl"))
        .ok_or_else(|| SheetProblem::NotASheet(file.name.clone()))?;
    let named = file.path.with_extension(extension);
    std::fs::rename(&file.path, &named).map_err(SheetProblem::Unreadable)?;
    Ok((named, file.name.clone()))
}

/// `POST /import`: the sheet recorded, or every row that stops it named.
pub async fn import(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Response {
    let sent = super::upload::read_form(multipart).await;
    let done = for_session(&web, &headers, move |office, store, session| {
        // Whose it is to do, before anything sent is looked at.
        allow(&session.user, Page::Import)?;
        let sent = match &sent {
            Err(refused) => return Ok(Err(refused.message.clone())),
            Ok(sent) if !same_secret(&session.csrf, &sent.csrf) => {
                return Ok(Err("此表单已过期，请重新打开本页".to_string()));
            }
            Ok(sent) => sent,
        };
        let (path, name) = match sheet(sent) {
            Ok(found) => found,
            Err(why) => return Ok(Err(why.to_string())),
        };
        let now = office.clock.now().timestamp();
        let campaign = sent
            .values
            .iter()
            .find(|(k, v)| k == "campaign" && !v.is_empty())
            .map(|(_, v)| v.clone());
        match office.import_sheet_as(store, &session.user, &path, &name, campaign, now) {
            Ok(received) => Ok(Ok((name, received))),
            Err(AppError::Table(_)) => Ok(Err(format!(
                "「{name}」读不出报送记录：请用 Excel 或 CSV 文件，第一行为列名（报送单位、报送事项、期次、报送时间，及表单各栏）"
            ))),
            Err(e) => Err(e),
        }
    })
    .await;
    let (current, done) = match done {
        Ok(found) => found,
        Err(r) => return r,
    };
    if matches!(done, Ok((_, Received::Recorded(_)))) {
        web.board.forget();
    }
    let (status, said) = match done {
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, context! { error }),
        Ok((name, Received::Recorded(report))) => (
            StatusCode::OK,
            context! {
                note => format!(
                    "「{name}」已全部导入：记录 {} 条，{} 条此前已记录",
                    report.recorded, report.unchanged
                ),
            },
        ),
        Ok((name, Received::Refused(bad))) => {
            let rows: Vec<Value> = bad
                .iter()
                .take(NAMED)
                .map(|b| context! { line => b.line, reason => b.reason.zh() })
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                context! {
                    error => format!("「{name}」有 {} 行需要更正，未导入任何一行。更正后请重新上传整个文件：", bad.len()),
                    rows, more => bad.len().saturating_sub(NAMED),
                },
            )
        }
    };
    import_page(&web, &current, status, said).await
}
