//! One obligation's page as it is drawn: its deadline and what it asks for, the last report
//! with its signers and figures, its history in Chinese, and the forms the person's rights
//! allow — submit, review, return, chase (一键催办), extend, waive — with the feedback of a form
//! just sent.

use minijinja::value::Serde;
use minijinja::{Value, context};

use axum::http::StatusCode;
use axum::response::Response;

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;

use super::Web;
use super::desk::{ObligationPath, href, item_value, key_of};
use super::pages::{as_of, download, for_session, page, shown, who};
use crate::app::{ObligationDesk, Session};

/// What an obligation's page shows besides the obligation: a message and the errors of a
/// form sent back to it.
#[derive(Default)]
pub(super) struct Feedback {
    /// A message of what was done.
    pub(super) notice: Option<String>,
    /// What was wrong, as a whole.
    pub(super) error: Option<String>,
    /// Each bad field's reason.
    pub(super) fields: Vec<(String, String)>,
    /// What the form said, shown again.
    pub(super) values: Vec<(String, String)>,
    /// Files were chosen for the refused form: a browser cannot keep them, so they are asked
    /// for again.
    pub(super) files_again: bool,
}

/// The page of one obligation, with `feedback` on what was just done or refused.
pub(super) fn obligation_page(
    web: &Web,
    current: &Session,
    desk: &ObligationDesk,
    status: StatusCode,
    feedback: Feedback,
) -> Response {
    let at = as_of(web);
    // A form sent back starts from what the person typed; otherwise a report sent again
    // (returned, or corrected) starts from what was sent last.
    let refused = feedback.error.is_some() || !feedback.fields.is_empty() || feedback.files_again;
    let sent_last: Vec<(String, String)> = if feedback.values.is_empty() && !refused {
        desk.history
            .iter()
            .rev()
            .find(|e| !e.values.is_empty() && matches!(e.kind.as_str(), "submitted" | "updated"))
            .map(|e| {
                e.values
                    .iter()
                    .map(|v| (v.field.clone(), v.display()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        feedback.values.clone()
    };
    let fields: Vec<Value> = desk
        .form
        .iter()
        .flat_map(|f| &f.fields)
        .map(|f| {
            let said = |list: &[(String, String)]| {
                list.iter()
                    .find(|(n, _)| *n == f.name)
                    .map(|(_, m)| m.clone())
            };
            use crate::language::form::FieldType;
            // What a phone shows to type it: digits for a whole number, a keypad with a point
            // for other numbers, a date picker, a list of the choices.
            let (input, choices) = match &f.kind {
                FieldType::Integer => ("numeric", Vec::new()),
                FieldType::Decimal | FieldType::Amount | FieldType::Percent => {
                    ("decimal", Vec::new())
                }
                FieldType::Date => ("date", Vec::new()),
                FieldType::OneOf(choices) => ("choice", choices.clone()),
                FieldType::Text => ("text", Vec::new()),
            };
            context! {
                name => f.name.clone(), measure => f.measure.clone(), optional => f.optional,
                rule => f.rule(), error => said(&feedback.fields), value => said(&sent_last),
                input, choices,
            }
        })
        .collect();
    let history: Vec<Value> = desk
        .history
        .iter()
        .map(|e| {
            let files: Vec<Value> = e
                .files
                .iter()
                .map(|f| {
                    context! {
                        name => f.name.clone(), size => f.size,
                        href => format!("{}/file/{}", href(&desk.item), f.sha256),
                    }
                })
                .collect();
            // Who signed a submission, as the reviewer must see before deciding.
            let signed: Vec<String> = crate::app::signatures(e)
                .into_iter()
                .map(|(role, name)| format!("{role}：{name}"))
                .collect();
            context! {
                signed,
                kind => match (desk.instruction.is_some(), e.kind.as_str()) {
                    // An instruction's life in its own words: 交办, 办结报告, 复核.
                    (true, "entered") => "交办".to_string(),
                    (true, "submitted") => "提交办结报告".to_string(),
                    (true, "review_accepted") => "复核通过".to_string(),
                    (true, "review_returned") => "复核退回".to_string(),
                    _ => event_words(e),
                }, at => e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
                backfilled => e.backfilled.then(|| e.recorded_at.get(..16).unwrap_or(&e.recorded_at).replace('T', " ")),
                by => e.by.clone(), reason => e.reason.clone(), note => e.note.clone(), files,
                values => e.values.iter().map(|v| format!("{}：{}", v.field, v.display())).collect::<Vec<_>>(),
            }
        })
        .collect();
    let item = item_value(&desk.item, at);
    let sent = crate::app::Sent::last(&desk.history).map(|s| super::review::sent_value(&s));
    page(
        status,
        "obligation.html",
        context! {
            item, sent, status => desk.status.label_zh(), rights => Value::from(Serde(desk.rights)),
            open => desk.status.is_open(), under_review => desk.status.is_in_review(),
            overdue => desk.status == crate::ledger::Status::Overdue,
            chases => desk.history.iter().filter(|e| e.kind == "chased").count(),
            acknowledged => crate::app::acknowledged(&desk.history)
                .map(|(at, by)| context! { at, by }),
            asked => crate::app::open_request(&desk.history)
                .map(|(until, reason)| context! { until, reason }),
            signers => desk.item.signers.clone(), fields, history, action => href(&desk.item),
            notice => feedback.notice, error => feedback.error, as_of => shown(at, desk.item.zone),
            fields_failed => !feedback.fields.is_empty(), files_again => feedback.files_again,
            receivers => desk.item.receivers.join("、"),
            form_title => desk.form.as_ref().map(|f| f.title.clone().unwrap_or_else(|| f.name.clone())),
            // A blank copy of a form with fields, to fill in offline and send or upload.
            blank => desk.form.as_ref().filter(|f| !f.fields.is_empty())
                .map(|_| format!("{}/template", href(&desk.item))),
            prefilled => !refused && feedback.values.is_empty() && !sent_last.is_empty(),
            approver => desk.approver.clone(),
            instruction => desk.instruction.clone(),
            pass_down => desk.pass_down.as_ref().map(|units| units.join("、")),
            parts => desk.parts.as_ref().map(|(_, missing)| context! {
                missing => missing.join("、"),
            }),
            ..who(Some(current))
        },
    )
}

/// An event as the history says it: a level of a review in levels names its level and its
/// reviewer, and a passed level whom it went to.
fn event_words(e: &crate::store::HistoryEvent) -> String {
    let level = e.data["level"].as_u64();
    let levels = e.data["levels"].as_u64().unwrap_or(1);
    let reviewer = e.data["reviewer"].as_str();
    let who = reviewer.map(|r| format!("（{r}）")).unwrap_or_default();
    match (e.kind.as_str(), level) {
        ("review_passed", Some(level)) => {
            let next = e.data["next"].as_str().unwrap_or("下一级");
            format!("第{level}级审核通过{who}，转{next}审核")
        }
        ("review_accepted", Some(level)) if levels > 1 => {
            format!("第{level}级审核通过{who}，审核完成")
        }
        ("review_returned", Some(level)) if levels > 1 => format!("第{level}级审核退回{who}"),
        (kind, _) => event_zh(kind).to_string(),
    }
}

fn event_zh(kind: &str) -> &str {
    match kind {
        "submitted" => "报送",
        "review_accepted" => "审核通过",
        "review_passed" => "审核通过，转下一级",
        "review_returned" => "审核退回",
        "returned" => "退回",
        "extended" => "延期",
        "waived" => "免报",
        "updated" => "更新",
        "entered" => "录入",
        "passed_down" => "分解下达",
        "chased" => "催办",
        "extension_asked" => "申请延期",
        "acknowledged" => "签收",
        "extension_declined" => "不同意延期",
        other => other,
    }
}

/// `GET /o/CAMPAIGN/DELIVERABLE/UNIT/PERIOD/template`: the obligation's blank form as a
/// workbook, to whoever may see the obligation.
pub async fn template(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    axum::extract::Path(path): ObligationPath,
) -> Response {
    let at = as_of(&web);
    match for_session(&web, &headers, move |office, store, session| {
        office.blank_form_as(&*store, &session.user, &key_of(&path), at)
    })
    .await
    {
        Ok((_, (bytes, name))) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &name,
        ),
        Err(r) => r,
    }
}
