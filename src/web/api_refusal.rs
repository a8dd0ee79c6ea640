//! How the JSON API refuses: one shape, `{"error", "code"}`, and one mapping of the
//! application's refusals to HTTP — 404 where a name names nothing, 409 where the record's state
//! does not allow the act, 422 where what was sent does not fit — used by every operation.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppError;

/// An error with a stable machine code beside its words.
pub(super) fn coded(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": message, "code": code }))).into_response()
}

/// A form refused before anything was recorded: 400 with its code and the part it concerns.
pub(super) fn form_refused(refused: super::upload::Refused) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": refused.message, "code": refused.code, "field": refused.field })),
    )
        .into_response()
}

/// The stable code of a ledger's refusal of these acts.
pub(super) fn ledger_code(refusal: &crate::ledger::Refusal) -> Option<&'static str> {
    use crate::ledger::Refusal;
    Some(match refusal {
        Refusal::AskedTooLate { .. } => "asked_too_late",
        Refusal::NotLater { .. } => "not_later",
        Refusal::NotOwed { .. } => "not_owed",
        Refusal::BeforeLastAct { .. } => "before_last_act",
        Refusal::NotUnderReview { .. } => "not_under_review",
        Refusal::NotThisLevel { .. } => "not_this_level",
        Refusal::Removed { .. } => "removed",
        Refusal::Waived { .. } | Refusal::AlreadyWaived { .. } => "waived",
        Refusal::AlreadySubmitted { .. } => "already_submitted",
        Refusal::PassedDownAlready { .. } => "passed_down_already",
        Refusal::NothingToReturn { .. } => "nothing_to_return",
        Refusal::SubmittedNotWaivable { .. } => "submitted",
        _ => return None,
    })
}

/// Whether a refusal of the records says that what was named does not exist: no such campaign,
/// deliverable, unit or period, or nothing the unit owes under that name.
fn names_nothing(refusal: &crate::ledger::Refusal) -> bool {
    use crate::ledger::Refusal;
    matches!(
        refusal,
        Refusal::Unknown { .. }
            | Refusal::NotOwedBy { .. }
            | Refusal::PeriodOfAOneOff { .. }
            | Refusal::PeriodNeeded { .. }
            | Refusal::UnknownPeriod { .. }
    )
}

/// A refusal as the API answers it: 404 (`unknown`) where a name names nothing, 409 (its code,
/// else `conflict`) where the record's state does not allow it, 422 where the values or the
/// dates given do not fit; anything else as 500, logged. The words are the pages' own
/// ([`AppError::zh`]): Chinese, naming no command.
pub(super) fn refused(e: &AppError) -> Response {
    let words = || e.zh().unwrap_or_default();
    match e {
        AppError::Store(crate::store::StoreError::Refused(r)) => {
            let (status, code) = if names_nothing(r) {
                (StatusCode::NOT_FOUND, "unknown")
            } else if let crate::ledger::Refusal::MissingSignatures { .. } = r {
                // What the request lacks, not the record's state.
                (StatusCode::UNPROCESSABLE_ENTITY, "signatures_needed")
            } else {
                (StatusCode::CONFLICT, ledger_code(r).unwrap_or("conflict"))
            };
            coded(status, code, &words())
        }
        AppError::Invalid(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": words(),
                "code": "invalid_values",
                "invalid": problems.iter().map(|p| json!({
                    "field": p.field, "at": p.at, "message": p.zh(),
                })).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        AppError::Forbidden { .. } => coded(
            StatusCode::FORBIDDEN,
            "forbidden",
            "此令牌无权为该单位办理此事项",
        ),
        AppError::InFuture { .. } | AppError::BeyondBackfill { .. } => {
            coded(StatusCode::UNPROCESSABLE_ENTITY, "time_refused", &words())
        }
        AppError::Locked { .. } => coded(StatusCode::CONFLICT, "locked", &words()),
        AppError::NoForm { .. } => coded(StatusCode::UNPROCESSABLE_ENTITY, "no_form", &words()),
        // What the table says is wrong is the reader's (in English), after the words.
        AppError::Table(t) => coded(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_table",
            &format!("所附表格无法读取，未记录：{t}"),
        ),
        AppError::NotSplit { .. } => coded(StatusCode::CONFLICT, "not_split", &words()),
        AppError::NoParts { .. } => coded(StatusCode::CONFLICT, "no_parts", &words()),
        AppError::NoPartsIn { .. } => coded(StatusCode::CONFLICT, "no_parts_in", &words()),
        AppError::PassDown(refusal) => {
            // A day that does not fit is the request's; the rest is the record's state.
            let status = match refusal {
                crate::app::PassDownRefusal::AfterDeadline { .. }
                | crate::app::PassDownRefusal::Past { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            coded(status, refusal.code(), &refusal.zh())
        }
        AppError::NoInstructions { .. } => coded(
            StatusCode::CONFLICT,
            "no_instructions",
            "该专项未设领导批示事项",
        ),
        other => {
            tracing::error!(error = %other, "an API request failed");
            coded(
                StatusCode::INTERNAL_SERVER_ERROR,
                "failed",
                "请求未能完成，已记入系统日志；请稍后再试或联系督办办公室",
            )
        }
    }
}
