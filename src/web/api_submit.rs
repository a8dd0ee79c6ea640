//! `POST /api/v1/submissions`: a submission through the API, as JSON or as a multipart form with
//! files — what the page's form sends (values, signatures, a replacement), recorded at the
//! server's time as the token's, by the same rights as the page.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::Web;
use super::api::holder;
use super::api_body::Body;
use super::api_refusal::{Code, coded, form_refused, refused};
use super::api_schema::{Name, Plain, Text};
use crate::app::Said;
use crate::clock::Instant;
use crate::store::{Key, Signature, Submission, Upload};
use crate::vocabulary::typed;

/// What `POST /api/v1/submissions` takes (as JSON, or as the parts of a multipart form with
/// `file` parts and `f:FIELD` parts for the form's fields).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubmission {
    #[schemars(with = "Name")]
    campaign: String,
    #[schemars(with = "Name")]
    deliverable: String,
    #[schemars(with = "Name")]
    unit: String,
    /// The period, for a recurring report (`2017-05`).
    #[schemars(with = "Option<Name>")]
    period: Option<String>,
    /// The office's tokens only: when it was done, for a report that came on paper (补录),
    /// RFC 3339 or local `YYYY-MM-DD[THH:MM]`; a unit's acts are at the server's time and a
    /// unit's token giving `at` is refused (403 `time_not_chosen`).
    #[schemars(with = "Option<Plain>")]
    at: Option<String>,
    /// The form's fields, by name (a value too long: 400 `too_long`).
    #[serde(default)]
    #[schemars(
        with = "std::collections::BTreeMap<String, Text<{ crate::vocabulary::typed::VALUE_MAX }>>"
    )]
    values: std::collections::BTreeMap<String, String>,
    /// The values added up from the sub-units' parts (`分解 到 下级`) as they stand, in
    /// place of `values`.
    #[serde(default)]
    from_parts: bool,
    /// Who signed it, by role (`{"村书记": "王书记"}`), where the report asks for signatures:
    /// the page's 签字 fields (`sig:ROLE` in a multipart form).
    #[serde(default)]
    #[schemars(
        with = "std::collections::BTreeMap<String, Text<{ crate::vocabulary::typed::NAME_MAX }>>"
    )]
    signed_by: std::collections::BTreeMap<String, String>,
    /// Sent again in place of what was sent (the page's 替换已报送的内容); the earlier stays
    /// in the history.
    #[serde(default)]
    replace: bool,
}

/// The submission a multipart form describes, and its files.
async fn from_multipart(
    request: Request,
) -> Result<(NewSubmission, Vec<Upload>, super::upload::Sent), Response> {
    let multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| coded(Code::BadForm, "表单无法读取：请以 multipart/form-data 发送"))?;
    let mut sent = super::upload::read_form(multipart)
        .await
        .map_err(form_refused)?;
    let mut take = |name: &str| sent.other.remove(name);
    let (Some(campaign), Some(deliverable), Some(unit)) =
        (take("campaign"), take("deliverable"), take("unit"))
    else {
        return Err(coded(
            Code::BadForm,
            "表单须含 campaign、deliverable、unit 三项",
        ));
    };
    let body = NewSubmission {
        campaign,
        deliverable,
        unit,
        period: take("period"),
        at: take("at"),
        values: sent.values.iter().cloned().collect(),
        from_parts: take("from_parts").is_some_and(|v| v == "true" || v == "1"),
        signed_by: sent
            .signatures
            .iter()
            .map(|s| (s.role.clone(), s.name.clone()))
            .collect(),
        replace: sent.replace,
    };
    let files = sent.files.clone();
    Ok((body, files, sent))
}

/// `POST /api/v1/submissions`: a submission for the holder's unit (JSON, or multipart with
/// files), recorded as the token's.
pub async fn submit(State(web): State<Arc<Web>>, request: Request) -> Response {
    let headers = request.headers().clone();
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    // The uploads' folder lives until the submission is recorded.
    let (body, files, _uploads) = if multipart {
        match from_multipart(request).await {
            Ok((body, files, sent)) => (body, files, Some(sent)),
            Err(r) => return r,
        }
    } else {
        match Body::<NewSubmission>::from_request(request, &()).await {
            Ok(Body(body)) => (body, Vec::new(), None),
            Err(r) => return r,
        }
    };
    for (field, value) in &body.values {
        if let Err(e) = typed::within(field, value, typed::VALUE_MAX) {
            return form_refused(e.into());
        }
    }
    // A signer's name is shown as it is, as the page's 签字 fields are.
    for (role, name) in &body.signed_by {
        let what = format!("{role}（签字）");
        if let Err(e) = typed::within(&what, name, typed::NAME_MAX)
            .and_then(|()| typed::within("签字角色", role, typed::NAME_MAX))
        {
            return form_refused(e.into());
        }
        if name.chars().chain(role.chars()).any(typed::is_hidden) {
            return coded(
                Code::HiddenCharacters,
                &format!("{what}：含有不可见的控制字符"),
            );
        }
        if name.trim().is_empty() || role.trim().is_empty() {
            return coded(
                Code::BadSignature,
                &format!("{what}：签字人姓名和角色都不能为空"),
            );
        }
    }
    // The time of an act is the server's. Only the office records an earlier one (补录: a
    // report that came on paper); a unit that could name its own time could backdate it.
    let at = match body.at.as_deref().map(str::parse::<Instant>) {
        None => super::pages::as_of(&web),
        Some(_) if user.role != crate::store::Role::Office => {
            return coded(
                Code::TimeNotChosen,
                "报送时间以服务器收到的时间为准，单位不能自行指定；补录须由督办办公室进行",
            );
        }
        Some(Ok(at)) => at,
        Some(Err(_)) => {
            return coded(
                Code::BadTime,
                "at 无法识别：请写成 2017-05-24T09:00 或 2017-05-24",
            );
        }
    };
    let done = web
        .run(move |office, store| {
            let key = Key {
                campaign: &body.campaign,
                deliverable: &body.deliverable,
                unit: &body.unit,
                period: body.period.as_deref(),
            };
            let submission = Submission {
                files,
                signatures: body
                    .signed_by
                    .iter()
                    .map(|(role, name)| Signature {
                        name: name.trim().to_string(),
                        role: role.trim().to_string(),
                    })
                    .collect(),
                replace: body.replace,
                ..Submission::default()
            };
            let values = if body.from_parts {
                // Nothing of the report is looked up for one who may not submit it.
                office.allowed(&*store, &user, &key, crate::app::Deed::Submit)?;
                office
                    .values_from_parts(
                        &*store,
                        key.campaign,
                        key.deliverable,
                        (key.unit, key.period),
                        at,
                    )?
                    .0
            } else {
                body.values.into_iter().collect()
            };
            let said = Said {
                values,
                ..Said::default()
            };
            // The same rights as the pages': the unit's own, a unit above it, or the office.
            office.submit_as(store, &user, &key, submission, &said, at)
        })
        .await;
    web.board.forget();
    match done {
        Ok(submitted) => match submitted.changes.first() {
            Some(change) => (
                StatusCode::CREATED,
                Json(json!({
                    "obligation": change.obligation,
                    "status": change.status,
                    "due_date": change.due_date,
                })),
            )
                .into_response(),
            None => coded(Code::Failed, "未记录任何内容，已记入系统日志"),
        },
        Err(e) => refused(&e),
    }
}
