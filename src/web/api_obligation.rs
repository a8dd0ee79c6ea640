//! One obligation through the API, as its page (`/o/…`) shows it: where it stands, what the
//! token's holder may do with it, its whole history (every act, who did it, when, why, the
//! values and signatures a submission carried, the files kept with it) — and each of those
//! files, sent as it is read. What an OA system files with the campaign's documents.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::Web;
use super::api::holder;
use super::api_refusal::{Code, coded, refused};
use super::desk::key_of;
use super::pages::as_of;
use super::paging::tagged;
use crate::app::{AppError, ObligationDesk};

/// A workbook's media type.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The obligation's path: campaign, report, unit and period (`-` for a one-off's).
type ObligationPath = (String, String, String, String);

/// Where the path names nothing any record holds (a NUL, which no name holds).
fn names_nothing(path: &ObligationPath) -> bool {
    [&path.0, &path.1, &path.2, &path.3]
        .iter()
        .any(|p| p.contains('\0'))
}

/// The obligation as `holder` may see it, or the refusal: 403 when it may not, 404 when it
/// names nothing.
async fn desk(
    web: &Arc<Web>,
    headers: &HeaderMap,
    path: ObligationPath,
) -> Result<ObligationDesk, Response> {
    let user = holder(web, headers).await?;
    if names_nothing(&path) {
        return Err(coded(Code::Unknown, "没有这项报送任务"));
    }
    let at = as_of(web);
    web.run(move |office, store| office.obligation_desk(&*store, &user, &key_of(&path), at))
        .await
        .map_err(|e| match e {
            AppError::Forbidden { .. } => coded(Code::Forbidden, "此令牌无权查看这项报送任务"),
            other => refused(&other),
        })
}

/// The address of a file of the obligation at `base`.
fn download(base: &str, sha256: &str) -> String {
    format!("{base}/files/{sha256}")
}

/// `GET /api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}`: the obligation, where it
/// stands at the server's time, what the token may do with it, and its history with each file's
/// address (`download`).
pub async fn obligation(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(path): Path<ObligationPath>,
) -> Response {
    let base = format!(
        "/api/v1/obligations/{}/{}/{}/{}",
        super::path_segment(&path.0),
        super::path_segment(&path.1),
        super::path_segment(&path.2),
        super::path_segment(&path.3)
    );
    let desk = match desk(&web, &headers, path).await {
        Ok(desk) => desk,
        Err(r) => return r,
    };
    let history: Vec<Value> = desk
        .history
        .iter()
        .map(|event| {
            let mut value = serde_json::to_value(event).unwrap_or_default();
            if let Some(files) = value["files"].as_array_mut() {
                for file in files {
                    let sha256 = file["sha256"].as_str().unwrap_or_default().to_string();
                    file["download"] = download(&base, &sha256).into();
                }
            }
            value
        })
        .collect();
    let instruction = desk.instruction.as_ref().map(|said| {
        said.iter()
            .map(|(field, text)| (field.clone(), Value::from(text.clone())))
            .collect::<serde_json::Map<String, Value>>()
    });
    let value = json!({
        "campaign": desk.item.campaign,
        "deliverable": desk.item.deliverable,
        "unit": desk.item.unit,
        "period": desk.item.period,
        "due_date": desk.item.deadline(),
        "to": desk.item.receivers,
        "reviewer": desk.item.reviewer,
        "status": desk.status,
        "rights": desk.rights,
        "form": desk.form,
        "approver": desk.approver,
        "instruction": instruction,
        "pass_down_to": desk.pass_down,
        "history": history,
    });
    tagged(
        &headers,
        serde_json::to_vec(&value).unwrap_or_default(),
        "application/json",
    )
}

/// `GET /api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/files/{sha256}`: a file
/// kept with one of the obligation's submissions, to whoever may see the obligation, sent as it
/// is read; a file of another obligation is not found here, whoever may see that one.
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
    let desk = match desk(&web, &headers, (campaign, deliverable, unit, period)).await {
        Ok(desk) => desk,
        Err(r) => return r,
    };
    let none = || coded(Code::Unknown, "没有这个文件");
    let Some(kept) = desk
        .history
        .iter()
        .flat_map(|e| &e.files)
        .find(|f| f.sha256 == sha256)
        .cloned()
    else {
        return none();
    };
    let wanted = sha256.clone();
    let source = match web
        .run(move |_, store| Ok(store.file_source(&wanted)?))
        .await
    {
        Ok(Some(source)) => source,
        Ok(None) => return none(),
        Err(e) => return refused(&e),
    };
    match super::files::body(&web, &source, sha256).await {
        Ok(Some(body)) => super::pages::download_body(
            body,
            Some(source.size()),
            "application/octet-stream",
            &kept.name,
        ),
        Ok(None) => none(),
        Err(e) => {
            tracing::error!(error = %e, "a file could not be read");
            coded(Code::Failed, "文件暂时无法读取，已记入系统日志")
        }
    }
}

/// `GET /api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/template`: the obligation's
/// blank form as a workbook (the form's fields as columns, the unit and period filled in), as
/// its page offers it, to whoever may see the obligation; a report without a form has none.
pub async fn template(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(path): Path<ObligationPath>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if names_nothing(&path) {
        return coded(Code::Unknown, "没有这项报送任务");
    }
    let at = as_of(&web);
    let made = web
        .run(move |office, store| office.blank_form_as(&*store, &user, &key_of(&path), at))
        .await;
    match made {
        Ok((bytes, name)) => super::pages::download(bytes, XLSX, &name),
        Err(AppError::Forbidden { .. }) => coded(Code::Forbidden, "此令牌无权查看这项报送任务"),
        // No form, no blank form: what was asked for is not there.
        Err(AppError::NoForm { .. }) => coded(Code::Unknown, "这项报送没有表单，只需上传文件"),
        Err(e) => refused(&e),
    }
}
