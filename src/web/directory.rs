//! `/units`: the organisation's directory (组织机构/通讯录) on a page — supervisors and the
//! office find a unit (by part of its name or code, or those below one) and see whom to call;
//! the office that keeps the records takes its sheet in (as `duban units import` does) and
//! corrects a unit's name, mailbox and people. Every check is the application layer's.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use super::Web;
use super::pages::{for_session, page, who};
use crate::app::{AppError, Session, UnitEdit, same_secret};
use crate::store::organisation::OrgRowError;
use crate::store::{OrgUnit, Refusal, Role, StoreError};

/// More rows than a page stays quick with: the rest are found by narrowing the search.
const SHOWN: usize = 500;

/// A unit as a row of the page (its parent by name).
fn row(u: &OrgUnit, names: &HashMap<&str, &str>) -> Value {
    let person = |role: &str| u.contacts.iter().find(|c| c.role == role);
    context! {
        code => u.code.clone(), name => u.name.clone(),
        parent => u.parent.as_deref().and_then(|p| names.get(p)).map(|n| n.to_string()),
        kind => u.kind.clone(), email => u.email.clone(),
        liaison => person("联系人").map(|c| c.name.clone()),
        liaison_phone => person("联系人").and_then(|c| c.phone.clone()),
        leader => person("负责人").map(|c| c.name.clone()),
        leader_phone => person("负责人").and_then(|c| c.phone.clone()),
    }
}

/// What the page lists: the units found, all units' names by code (for their parents), and
/// the unit asked to be edited.
struct Listing {
    found: Vec<OrgUnit>,
    names: Vec<(String, String)>,
}

fn units_page(
    current: &Session,
    listing: &Listing,
    asked: &Asked,
    status: StatusCode,
    said: Value,
) -> Response {
    let names: HashMap<&str, &str> = listing
        .names
        .iter()
        .map(|(code, name)| (code.as_str(), name.as_str()))
        .collect();
    let may_edit = current.user.role == Role::Office && current.user.every_campaign();
    let editing = asked
        .edit
        .as_deref()
        .filter(|_| may_edit)
        .and_then(|code| listing.found.iter().find(|u| u.code == code))
        .map(|u| row(u, &names));
    let rows: Vec<Value> = listing
        .found
        .iter()
        .take(SHOWN)
        .map(|u| row(u, &names))
        .collect();
    page(
        status,
        "units.html",
        context! {
            units => rows, count => listing.found.len(), shown => listing.found.len().min(SHOWN),
            q => asked.q.clone().unwrap_or_default(), under => asked.under.clone().unwrap_or_default(),
            editing, may_edit, said,
            ..who(Some(current))
        },
    )
}

/// What the page was asked for.
#[derive(Clone, Debug, Default)]
struct Asked {
    q: Option<String>,
    under: Option<String>,
    edit: Option<String>,
}

impl Asked {
    fn from(query: &HashMap<String, String>) -> Asked {
        let get = |k: &str| {
            query
                .get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Asked {
            q: get("q"),
            under: get("under"),
            // A unit to edit is found among all, whatever was searched.
            edit: get("edit"),
        }
    }
}

/// The units `asked` finds for `who` (all of them when one is to be edited), and every unit's
/// name by code.
fn listing(
    office: &crate::app::Office,
    store: &dyn crate::store::Backend,
    who: &crate::store::User,
    asked: &Asked,
) -> Result<Listing, AppError> {
    let (found, names) = if asked.edit.is_some() {
        office.directory_as(store, who, None, None)?
    } else {
        office.directory_as(store, who, asked.under.as_deref(), asked.q.as_deref())?
    };
    Ok(Listing { found, names })
}

/// `GET /units`.
pub async fn units(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let asked = Asked::from(&query);
    let wanted = asked.clone();
    let found = for_session(&web, &headers, move |office, store, session| {
        match listing(office, &*store, &session.user, &wanted) {
            // A unit below which nothing is, or none by that name: said, not failed.
            Err(AppError::Store(StoreError::Refused(Refusal::Unknown { name, .. }))) => {
                let empty = Listing {
                    found: Vec::new(),
                    names: Vec::new(),
                };
                Ok((empty, Some(format!("通讯录中没有「{name}」"))))
            }
            other => other.map(|l| (l, None)),
        }
    })
    .await;
    match found {
        Ok((current, (listing, error))) => {
            let said = context! { error };
            units_page(&current, &listing, &asked, StatusCode::OK, said)
        }
        Err(r) => r,
    }
}

/// What the edit form sends.
#[derive(Deserialize)]
pub struct EditForm {
    csrf: String,
    code: String,
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    liaison: String,
    #[serde(default)]
    liaison_phone: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    leader_phone: String,
}

impl EditForm {
    fn edit(&self) -> UnitEdit {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let person = |name: &str, phone: &str| given(name).map(|n| (n, given(phone)));
        UnitEdit {
            code: self.code.trim().to_string(),
            name: self.name.trim().to_string(),
            email: given(&self.email),
            liaison: person(&self.liaison, &self.liaison_phone),
            leader: person(&self.leader, &self.leader_phone),
        }
    }
}

/// `POST /units`: one unit's name, mailbox and people, as the office corrects them.
pub async fn edit(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<EditForm>,
) -> Response {
    let edit = form.edit();
    let csrf = form.csrf;
    changed(&web, &headers, move |office, store, session| {
        let done = if same_secret(&session.csrf, &csrf) {
            let now = office.clock.now().timestamp();
            match office.edit_unit_as(store, &session.user, &edit, now) {
                Ok(report) if report.changed + report.added > 0 => {
                    Said::Done(format!("已保存 {}（{}）", edit.name, edit.code))
                }
                Ok(_) => Said::Done(format!("{}（{}）没有改动", edit.name, edit.code)),
                Err(AppError::Store(StoreError::Refused(Refusal::Unknown { name, .. }))) => {
                    Said::Refused(format!("通讯录中没有编码为「{name}」的单位"))
                }
                Err(AppError::Directory(errors)) => Said::Refused(
                    errors
                        .iter()
                        .map(|e| match e {
                            OrgRowError::NoName { .. } => "无法保存：单位名称不能为空".to_string(),
                            OrgRowError::BadEmail { email, .. } => {
                                format!("无法保存：「{email}」不是有效的邮箱地址")
                            }
                            _ => "无法保存：与通讯录中的其他单位冲突（同一上级下重名，或编码重复）"
                                .to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
                Err(e) => return Err(e),
            }
        } else {
            Said::Refused(STALE.to_string())
        };
        Ok(done)
    })
    .await
}

/// The office's sheet, taken into the directory on the page: `.xlsx` or CSV (UTF-8 or GBK),
/// all rows or none, as `duban units import` takes it.
pub async fn import(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Response {
    let sent = super::upload::read_form(multipart).await;
    changed(&web, &headers, move |office, store, session| {
        // Whose it is to change, before anything sent is looked at.
        office.may_change_directory(&session.user)?;
        let done = match &sent {
            Err(refused) => Said::Refused(refused.message.clone()),
            Ok(sent) if !same_secret(&session.csrf, &sent.csrf) => Said::Refused(STALE.to_string()),
            Ok(sent) => match sheet(sent) {
                Err(why) => Said::Refused(why.to_string()),
                Ok(path) => {
                    let now = office.clock.now().timestamp();
                    match office.import_units_as(store, &session.user, &path, now) {
                        Ok(done) => Said::Done(format!(
                            "已导入 {} 行：新增 {} 个单位，修改 {} 个，{} 个未变",
                            done.rows, done.report.added, done.report.changed, done.report.unchanged
                        )),
                        Err(AppError::Directory(errors)) => Said::Refused(format!(
                            "未导入任何一行：{}",
                            errors.iter().map(OrgRowError::zh).collect::<Vec<_>>().join("；")
                        )),
                        Err(AppError::Table(_)) => Said::Refused(
                            "这个文件读不出通讯录：请用 Excel 或 CSV 文件，并有「单位名称」（及「上级单位」）或各层级（县区、乡镇、村）一栏"
                                .to_string(),
                        ),
                        Err(e) => return Err(e),
                    }
                }
            },
        };
        Ok(done)
    })
    .await
}

/// Why an upload is no sheet to import, as the page says it.
#[derive(Debug, thiserror::Error)]
pub(super) enum SheetProblem {
    /// No file was chosen.
    #[error("请选择要导入的通讯录表格（Excel 或 CSV）")]
    Missing,
    /// A file of another kind.
    #[error("「{0}」不是 Excel 或 CSV 文件")]
    NotASheet(String),
    /// The upload could not be given its name.
    #[error("无法读取上传的文件：{0}")]
    Unreadable(std::io::Error),
}

/// The uploaded sheet under a name its kind can be told by (an upload is kept under a number).
pub(super) fn sheet(sent: &super::upload::Sent) -> Result<std::path::PathBuf, SheetProblem> {
    let file = sent.files.first().ok_or(SheetProblem::Missing)?;
    let extension = std::path::Path::new(&file.name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .filter(|e| e == "xlsx" || e == "csv")
        .ok_or_else(|| SheetProblem::NotASheet(file.name.clone()))?;
    let named = file.path.with_extension(extension);
    std::fs::rename(&file.path, &named).map_err(SheetProblem::Unreadable)?;
    Ok(named)
}

/// What a form on the page came to, in the page's words.
enum Said {
    /// Done: what was.
    Done(String),
    /// Refused: why.
    Refused(String),
}

/// What a form sent ends in: `work` says what was done or why not; the directory is listed
/// again below, as after a search of nothing.
async fn changed(
    web: &Arc<Web>,
    headers: &HeaderMap,
    work: impl FnOnce(
        &crate::app::Office,
        &mut dyn crate::store::Backend,
        &Session,
    ) -> Result<Said, AppError>
    + Send
    + 'static,
) -> Response {
    let asked = Asked::default();
    let wanted = asked.clone();
    let done = for_session(web, headers, move |office, store, session| {
        let done = work(office, store, session)?;
        Ok((done, listing(office, &*store, &session.user, &wanted)?))
    })
    .await;
    let (current, (done, listing)) = match done {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (status, said) = match done {
        Said::Done(note) => (StatusCode::OK, context! { note }),
        Said::Refused(error) => (StatusCode::UNPROCESSABLE_ENTITY, context! { error }),
    };
    units_page(&current, &listing, &asked, status, said)
}

/// A form whose secret is not the session's: opened before the session changed.
const STALE: &str = "此表单已过期，请重新打开本页";
