//! The JSON body of an API request: what cannot be read is refused in the API's own error shape,
//! with a code — 415 `json_needed` without a JSON content type, 400 `bad_json` for what is not
//! JSON, 400 `hidden_characters` for a NUL in a text (no text the records keep holds one, and
//! PostgreSQL's cannot), 422 `bad_body` for JSON that is not the operation's object (a field
//! missing, of the wrong type) — rather than in the framework's plain text.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::api_refusal::{Code, coded};

/// A request's JSON body, read as `T`.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        if !json {
            return Err(coded(
                Code::JsonNeeded,
                "请以 `Content-Type: application/json` 发送 JSON",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| coded(Code::BadJson, &e.body_text()))?;
        // A NUL can only come escaped in JSON text.
        if bytes.windows(6).any(|w| w == b"\\u0000") {
            return Err(coded(
                Code::HiddenCharacters,
                "文本中含有不可见的控制字符（NUL）",
            ));
        }
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(body)) => Ok(Body(body)),
            Err(e) => Err(rejected(&e)),
        }
    }
}

/// A body that could not be read, as the API refuses it.
pub(super) fn rejected(e: &JsonRejection) -> Response {
    let code = match e {
        JsonRejection::MissingJsonContentType(_) => Code::JsonNeeded,
        JsonRejection::JsonDataError(_) => Code::BadBody,
        _ => Code::BadJson,
    };
    coded(code, &e.body_text())
}
