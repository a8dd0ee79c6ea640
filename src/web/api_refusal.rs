//! How the JSON API refuses: one shape ([`Refusal`]: `{"error", "code"}`), one status per code
//! ([`Code::status`]), and one mapping of the application's refusals to them — 404 where a name
//! names nothing, 409 where the record's state does not allow the act, 422 where what was sent
//! does not fit — used by every operation. The description (`openapi`) is made from the same
//! types: the error's schema from [`Refusal`], each operation's statuses from the codes it
//! answers, so that neither can say what the server does not.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

use crate::app::AppError;

/// Why a request was refused, for programs; each code answers with one status, given first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// 400: a text longer than its field allows (`field` names it).
    TooLong,
    /// 400: a file part without a file name.
    UnnamedFile,
    /// 400: a NUL, control or bidi character in a text or name.
    HiddenCharacters,
    /// 400: files larger than a submission may carry.
    TooLarge,
    /// 400: a form (multipart) that cannot be read, or lacks campaign, deliverable or unit.
    BadForm,
    /// 400: a body that is not JSON.
    BadJson,
    /// 400: no `campaign` where the operation needs one.
    CampaignNeeded,
    /// 400: no `unit` where the operation needs one.
    UnitNeeded,
    /// 400: a `limit` out of range.
    BadLimit,
    /// 400: a `cursor` that names no page.
    BadCursor,
    /// 400: a `format` that is none.
    BadFormat,
    /// 400: an `at` that is no time.
    BadTime,
    /// 401: no token.
    NoToken,
    /// 401: a token nobody was given.
    UnknownToken,
    /// 401: a token revoked.
    TokenRevoked,
    /// 401: a token past its end.
    TokenExpired,
    /// 403: the token's holder may not do this (for this unit, in this campaign).
    Forbidden,
    /// 403: a unit's token gave `at`: a unit never chooses the time of its own act.
    TimeNotChosen,
    /// 403: a token of no unit, where a unit's is needed.
    UnitTokenNeeded,
    /// 404: a name that names nothing: no such campaign, report, unit, period, letter.
    Unknown,
    /// 409: the record's state does not allow it, for a reason without a code of its own.
    Conflict,
    /// 409: entry closed for that period.
    Locked,
    /// 409: the report is no longer in the campaign.
    Removed,
    /// 409: waived (免报), or waived already.
    Waived,
    /// 409: sent already; `replace` sends it again.
    AlreadySubmitted,
    /// 409: passed down to the units under it already.
    PassedDownAlready,
    /// 409: nothing received to return.
    NothingToReturn,
    /// 409: sent already, so not waived: it counts as it stands.
    Submitted,
    /// 409: a report not split into its sub-units' parts.
    NotSplit,
    /// 409: a unit with no parts.
    NoParts,
    /// 409: none of the parts in yet.
    NoPartsIn,
    /// 409: a campaign that keeps no leaders' instructions.
    NoInstructions,
    /// 409: nothing overdue to chase.
    NothingOverdue,
    /// 409: chased today already (`force` chases again).
    ChasedToday,
    /// 409: nobody to send the chase to.
    NoMailbox,
    /// 409: more time asked already, not yet decided.
    AlreadyAsked,
    /// 409: no request for more time to decide.
    NoRequest,
    /// 409: acknowledged (签收) already.
    AlreadyAcknowledged,
    /// 409: more time asked as often as the campaign allows.
    TooManyRequests,
    /// 409: more time asked after the deadline.
    AskedTooLate,
    /// 409: a day no later than the deadline in force.
    NotLater,
    /// 409: not owed now.
    NotOwed,
    /// 409: a later act recorded since.
    BeforeLastAct,
    /// 409: not under review.
    NotUnderReview,
    /// 409: this level decided already (a second click, another node).
    NotThisLevel,
    /// 409: a report its units may not pass down.
    NotPassable,
    /// 409: a unit with no units under it.
    NoSubUnits,
    /// 409: not owed now, so not passed down.
    NotOwedNow,
    /// 409: the campaign has nothing due yet.
    NothingDue,
    /// 409: a unit the records cannot tell apart (in several campaigns, twice in the
    /// directory) or in no campaign yet: name the campaign, or the unit's code.
    UnitUnclear,
    /// 409: a token revoking itself.
    OwnToken,
    /// 415: a body without a JSON content type.
    JsonNeeded,
    /// 422: JSON that is not the operation's object (a field missing, unknown, of the wrong type).
    BadBody,
    /// 422: values that do not fit the report's form (`invalid` lists each).
    InvalidValues,
    /// 422: values for a report that has no form.
    NoForm,
    /// 422: an attached table that cannot be read.
    BadTable,
    /// 422: a time refused: in the future, or further back than entry allows.
    TimeRefused,
    /// 422: signatures the report asks for are missing.
    SignaturesNeeded,
    /// 422: a signature or its role empty.
    BadSignature,
    /// 422: a reason needed and not given (or of spaces).
    ReasonNeeded,
    /// 422: a grant without the day it grants.
    UntilNeeded,
    /// 422: more time than the campaign allows.
    AskedTooFar,
    /// 422: a day after the unit's own deadline.
    AfterDeadline,
    /// 422: a day already past.
    DatePast,
    /// 422: a period that is no month, quarter or year.
    BadPeriod,
    /// 422: rows of a sheet that cannot be recorded (`invalid` names each, by its line):
    /// none was.
    BadRows,
    /// 422: a unit the directory cannot keep: a name of spaces, a mailbox that is no address.
    BadUnit,
    /// 422: an account or token that cannot be: a name it may not have, a role without its
    /// unit, days out of range.
    BadAccount,
    /// 500: the request could not be done; it is logged.
    Failed,
}

impl Code {
    /// The one status this code answers with.
    pub fn status(self) -> StatusCode {
        use Code::*;
        match self {
            TooLong | UnnamedFile | HiddenCharacters | TooLarge | BadForm | BadJson
            | CampaignNeeded | UnitNeeded | BadLimit | BadCursor | BadFormat | BadTime => {
                StatusCode::BAD_REQUEST
            }
            NoToken | UnknownToken | TokenRevoked | TokenExpired => StatusCode::UNAUTHORIZED,
            Forbidden | TimeNotChosen | UnitTokenNeeded => StatusCode::FORBIDDEN,
            Unknown => StatusCode::NOT_FOUND,
            Conflict | Locked | Removed | Waived | AlreadySubmitted | PassedDownAlready
            | NothingToReturn | Submitted | NotSplit | NoParts | NoPartsIn | NoInstructions
            | NothingOverdue | ChasedToday | NoMailbox | AlreadyAsked | NoRequest
            | AlreadyAcknowledged | TooManyRequests | AskedTooLate | NotLater | NotOwed
            | BeforeLastAct | NotUnderReview | NotThisLevel | NotPassable | NoSubUnits
            | NotOwedNow | NothingDue | UnitUnclear | OwnToken => StatusCode::CONFLICT,
            JsonNeeded => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BadBody | InvalidValues | NoForm | BadTable | TimeRefused | SignaturesNeeded
            | BadSignature | ReasonNeeded | UntilNeeded | AskedTooFar | AfterDeadline
            | DatePast | BadPeriod | BadAccount | BadUnit | BadRows => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code as it is written in an answer (`too_long`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A refusal as the API answers it, whatever the operation.
#[derive(Serialize, JsonSchema)]
pub struct Refusal {
    /// Why, in words (Chinese, as the pages say it).
    pub error: String,
    /// Why, for programs.
    pub code: Code,
    /// The field or part it concerns, where it is one (absent, never null, where none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub field: Option<String>,
    /// With `invalid_values`: each value that does not fit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid: Vec<InvalidValue>,
}

/// A value that does not fit the report's form.
#[derive(Serialize, JsonSchema)]
pub struct InvalidValue {
    /// The field, where the value is one field's.
    pub field: Option<String>,
    /// Where: the field, the table's cell.
    pub at: String,
    /// What is wrong, in words.
    pub message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.code.status(), Json(self)).into_response()
    }
}

/// An error with a stable machine code beside its words, at the code's status.
pub(super) fn coded(code: Code, message: &str) -> Response {
    Refusal {
        error: message.to_string(),
        code,
        field: None,
        invalid: Vec::new(),
    }
    .into_response()
}

/// A form refused before anything was recorded: its code and the part it concerns.
pub(super) fn form_refused(refused: super::upload::Refused) -> Response {
    Refusal {
        error: refused.message,
        code: refused.code,
        field: refused.field,
        invalid: Vec::new(),
    }
    .into_response()
}

/// The stable code of a ledger's refusal of these acts.
pub(super) fn ledger_code(refusal: &crate::ledger::Refusal) -> Option<Code> {
    use crate::ledger::Refusal;
    Some(match refusal {
        Refusal::AskedTooLate { .. } => Code::AskedTooLate,
        Refusal::NotLater { .. } => Code::NotLater,
        Refusal::NotOwed { .. } => Code::NotOwed,
        Refusal::BeforeLastAct { .. } => Code::BeforeLastAct,
        Refusal::NotUnderReview { .. } => Code::NotUnderReview,
        Refusal::NotThisLevel { .. } => Code::NotThisLevel,
        Refusal::Removed { .. } => Code::Removed,
        Refusal::Waived { .. } | Refusal::AlreadyWaived { .. } => Code::Waived,
        Refusal::AlreadySubmitted { .. } => Code::AlreadySubmitted,
        Refusal::PassedDownAlready { .. } => Code::PassedDownAlready,
        Refusal::NothingToReturn { .. } => Code::NothingToReturn,
        Refusal::SubmittedNotWaivable { .. } => Code::Submitted,
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
    let code = match e {
        AppError::Store(crate::store::StoreError::Refused(r)) => {
            if names_nothing(r) {
                Code::Unknown
            } else if let crate::ledger::Refusal::MissingSignatures { .. } = r {
                // What the request lacks, not the record's state.
                Code::SignaturesNeeded
            } else {
                ledger_code(r).unwrap_or(Code::Conflict)
            }
        }
        AppError::Invalid(problems) => {
            return Refusal {
                error: words(),
                code: Code::InvalidValues,
                field: None,
                invalid: problems
                    .iter()
                    .map(|p| InvalidValue {
                        field: p.field.clone(),
                        at: p.at.clone(),
                        message: p.zh().to_string(),
                    })
                    .collect(),
            }
            .into_response();
        }
        AppError::Forbidden { .. } => {
            return coded(Code::Forbidden, "此令牌无权为该单位办理此事项");
        }
        AppError::InFuture { .. } | AppError::BeyondBackfill { .. } => Code::TimeRefused,
        AppError::Locked { .. } => Code::Locked,
        AppError::NoForm { .. } => Code::NoForm,
        // What the table says is wrong is the reader's (in English), after the words.
        AppError::Table(t) => {
            return coded(Code::BadTable, &format!("所附表格无法读取，未记录：{t}"));
        }
        AppError::NotSplit { .. } => Code::NotSplit,
        AppError::NoParts { .. } => Code::NoParts,
        AppError::NoPartsIn { .. } => Code::NoPartsIn,
        AppError::PassDown(refusal) => {
            use crate::app::PassDownRefusal as R;
            // A day that does not fit is the request's (422); the rest is the record's state.
            let code = match refusal {
                R::NotPassable { .. } => Code::NotPassable,
                R::NoSubUnits { .. } => Code::NoSubUnits,
                R::NotOwed { .. } => Code::NotOwedNow,
                R::AfterDeadline { .. } => Code::AfterDeadline,
                R::Past { .. } => Code::DatePast,
            };
            return coded(code, &refusal.zh());
        }
        AppError::NoInstructions { .. } => {
            return coded(Code::NoInstructions, "该专项未设领导批示事项");
        }
        other => {
            tracing::error!(error = %other, "an API request failed");
            return coded(
                Code::Failed,
                "请求未能完成，已记入系统日志；请稍后再试或联系督办办公室",
            );
        }
    };
    coded(code, &words())
}
