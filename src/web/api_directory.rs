//! The organisation's directory changed through the API, as the `/units` page changes it: one
//! unit's name, mailbox and people as they are to be — by the office that keeps the records
//! (bound to no campaign), never a read-only token, through the same application function.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;

use super::Web;
use super::api::holder;
use super::api_body::Body;
use super::api_refusal::{Code, coded, refused};
use super::api_schema::{Plain, Shown};
use crate::app::{AppError, UnitEdit};
use crate::store::organisation::OrgRowError;

/// The characters no mail address holds (`check::is_mail_address`): the controls, the spaces
/// Rust counts as white space, and `<>()[]\,;:"@`.
const NOT_IN_ADDRESS: &str = "\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000<>()\\[\\]\\\\,;:\"@";

/// A mail address as the directory takes it: a local part, `@`, and a domain with a dot
/// inside it (not first, not last); empty, none.
pub struct Address;

impl JsonSchema for Address {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Address".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let x = NOT_IN_ADDRESS;
        schemars::json_schema!({
            "type": "string",
            "pattern": format!("^([^{x}]+@[^{x}.][^{x}]*\\.[^{x}]*[^{x}.])?$"),
        })
    }
}

/// What `PUT /api/v1/units/{code}` takes: the unit's name, mailbox and people as they are to
/// be, as the page's form sends them — a field left out (or empty) is cleared.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitChange {
    /// Its name (a new one renames it): shown as it is, as an account's.
    #[schemars(with = "Shown")]
    name: String,
    /// Its mailbox.
    #[schemars(with = "Option<Address>")]
    email: Option<String>,
    /// Its liaison (联系人).
    #[schemars(with = "Option<Plain>")]
    liaison: Option<String>,
    /// The liaison's phone.
    #[schemars(with = "Option<Plain>")]
    liaison_phone: Option<String>,
    /// Its leader (负责人).
    #[schemars(with = "Option<Plain>")]
    leader: Option<String>,
    /// The leader's phone.
    #[schemars(with = "Option<Plain>")]
    leader_phone: Option<String>,
}

impl UnitChange {
    fn edit(&self, code: String) -> UnitEdit {
        let given = |s: &Option<String>| {
            s.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let person =
            |name: &Option<String>, phone: &Option<String>| given(name).map(|n| (n, given(phone)));
        UnitEdit {
            code,
            name: self.name.trim().to_string(),
            email: self.email.clone().filter(|e| !e.is_empty()),
            liaison: person(&self.liaison, &self.liaison_phone),
            leader: person(&self.leader, &self.leader_phone),
        }
    }
}

/// `PUT /api/v1/units/{code}`: one unit of the directory as it is to be, at the server's time:
/// 200 with the unit as the directory now lists it (`changed`: whether anything did).
pub async fn edit(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Body(change): Body<UnitChange>,
) -> Response {
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if code.contains('\0') {
        return coded(Code::Unknown, "通讯录中没有这个编码的单位");
    }
    if let Err(r) = super::api_accounts::shown("单位名称", Some(&change.name)) {
        return *r;
    }
    let edit = change.edit(code.clone());
    let done = web
        .run(move |office, store| {
            let now = office.clock.now().timestamp();
            let report = office.edit_unit_as(store, &user, &edit, now)?;
            let unit = store.org_units()?.into_iter().find(|u| u.code == edit.code);
            Ok((report.changed + report.added > 0, unit))
        })
        .await;
    match done {
        Ok((changed, Some(unit))) => {
            let mut value = serde_json::to_value(&unit).unwrap_or_default();
            value["changed"] = changed.into();
            Json(value).into_response()
        }
        Ok((_, None)) => coded(Code::Failed, "单位已保存，但未能读取"),
        Err(AppError::Forbidden { .. }) => forbidden(),
        Err(AppError::Directory(errors)) => {
            let words = errors
                .iter()
                .map(OrgRowError::zh)
                .collect::<Vec<_>>()
                .join("；");
            let unfit = errors
                .iter()
                .all(|e| matches!(e, OrgRowError::NoName { .. } | OrgRowError::BadEmail { .. }));
            coded(if unfit { Code::BadUnit } else { Code::Conflict }, &words)
        }
        Err(e) => refused(&e),
    }
}

/// `POST /api/v1/directory-imports`: the office's sheet of units (`.xlsx` or CSV, as `file` of
/// a multipart form) taken into the directory as the `/units` page takes it — all rows or none:
/// 200 with how many units were added, changed and left, or 422 `bad_rows` naming each row to
/// correct. The office that keeps the records.
pub async fn import(State(web): State<Arc<Web>>, request: axum::extract::Request) -> Response {
    use axum::extract::FromRequest;
    let headers = request.headers().clone();
    let user = match holder(&web, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    // Whose it is to change, before anything sent is read.
    if let Err(e) = web.office.may_change_directory(&user) {
        return match e {
            AppError::Forbidden { .. } => forbidden(),
            other => refused(&other),
        };
    }
    let Ok(multipart) = axum::extract::Multipart::from_request(request, &()).await else {
        return coded(Code::BadForm, "表单无法读取：请以 multipart/form-data 发送");
    };
    let sent = match super::upload::read_form(multipart).await {
        Ok(sent) => sent,
        Err(refused) => return super::api_refusal::form_refused(refused),
    };
    let path = match super::directory::sheet(&sent) {
        Ok(path) => path,
        Err(why @ super::directory::SheetProblem::Missing) => {
            return coded(Code::BadForm, &why.to_string());
        }
        Err(why) => return coded(Code::BadTable, &why.to_string()),
    };
    let done = web
        .run(move |office, store| {
            let now = office.clock.now().timestamp();
            let done = office.import_units_as(store, &user, &path, now);
            drop(sent);
            done
        })
        .await;
    match done {
        Ok(done) => Json(serde_json::json!({
            "rows": done.rows, "added": done.report.added, "changed": done.report.changed,
            "unchanged": done.report.unchanged,
        }))
        .into_response(),
        Err(AppError::Directory(errors)) => super::api_refusal::Refusal {
            error: format!("有 {} 处需要更正，未导入任何一行", errors.len()),
            code: Code::BadRows,
            field: None,
            invalid: errors
                .iter()
                .map(|e| super::api_refusal::InvalidValue {
                    field: None,
                    at: e.at().to_string(),
                    message: e.zh(),
                })
                .collect(),
        }
        .into_response(),
        Err(AppError::Table(_)) => coded(
            Code::BadTable,
            "这个文件读不出通讯录：请用 Excel 或 CSV 文件，并有「单位名称」（及「上级单位」）或各层级（县区、乡镇、村）一栏",
        ),
        Err(AppError::Forbidden { .. }) => forbidden(),
        Err(e) => refused(&e),
    }
}

fn forbidden() -> Response {
    coded(
        Code::Forbidden,
        "只有管理通讯录的督办办公室（不限于某个专项）可以修改通讯录",
    )
}
