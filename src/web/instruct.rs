//! `POST /instruct`: the office enters a leader's instruction (交办领导批示) from a unit's page —
//! who gave it, what it says, what it is about, by when. The rights and the record are the
//! application layer's (`app::instructions`), as from the command line and the API; the page
//! answers with the instruction's own page, where its unit reports it done.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::Web;
use super::pages::{as_of, message, redirect};
use crate::app::{About, AppError, Instruction, same_secret};

/// The unit page's form.
#[derive(Deserialize)]
pub struct InstructForm {
    csrf: String,
    campaign: String,
    unit: String,
    leader: String,
    text: String,
    /// Empty: the campaign as a whole; `unit`: the unit; else `DELIVERABLE\tPERIOD` of one of
    /// the unit's obligations (`-`: none).
    #[serde(default)]
    about: String,
    /// `YYYY-MM-DD`, or empty for the campaign's rule.
    #[serde(default)]
    due: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    written: String,
}

/// A date field of the form: empty is none, anything else must be a date.
fn day(text: &str) -> Result<Option<chrono::NaiveDate>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    crate::values::parse_date(text).map(Some).ok_or(())
}

/// `POST /instruct`: the instruction entered, then its page.
pub async fn instruct(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<InstructForm>,
) -> Response {
    let current = match super::desk::signed_in(&web, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same_secret(&current.csrf, &form.csrf) {
        return super::desk::expired(&current);
    }
    let (Ok(due), Ok(written)) = (day(&form.due), day(&form.written)) else {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            "日期应写作 2017-05-20",
            Some(&current),
        );
    };
    let about = match form.about.as_str() {
        "" => About::Campaign,
        "unit" => About::Unit(form.unit.clone()),
        other => {
            let (deliverable, period) = other.split_once('\t').unwrap_or((other, "-"));
            About::Obligation {
                deliverable: deliverable.to_string(),
                unit: form.unit.clone(),
                period: (period != "-").then(|| period.to_string()),
            }
        }
    };
    let instruction = Instruction {
        leader: form.leader.trim().to_string(),
        text: form.text.trim().to_string(),
        about,
        unit: form.unit.clone(),
        due,
        written,
    };
    let user = current.user.clone();
    let at = as_of(&web);
    let campaign = form.campaign.clone();
    let done = web
        .run(move |office, store| {
            let change = office.instruct_as(store, &user, &campaign, &instruction, at)?;
            let ledger = office.instructions_ledger(&*store, &campaign)?;
            Ok((ledger, change))
        })
        .await;
    match done {
        Ok((ledger, change)) => {
            // The row is the obligation's last word (`… 宛城区 #3`).
            let row = change.obligation.rsplit(' ').next().unwrap_or_default();
            redirect(&format!(
                "/o/{}/{}/{}/{}?done=1",
                super::path_segment(&form.campaign),
                super::path_segment(&ledger),
                super::path_segment(&form.unit),
                super::path_segment(row)
            ))
        }
        Err(AppError::Forbidden { .. }) => message(
            StatusCode::FORBIDDEN,
            "无权办理",
            "不在您的办理权限内",
            Some(&current),
        ),
        Err(AppError::Invalid(problems)) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            &problems
                .iter()
                .map(|p| p.zh().to_string())
                .collect::<Vec<_>>()
                .join("；"),
            Some(&current),
        ),
        Err(AppError::Store(crate::store::StoreError::Refused(refusal))) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            &refusal.zh(),
            Some(&current),
        ),
        Err(AppError::NoInstructions { .. }) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未交办",
            "该专项未设领导批示事项，请在专项文件中增加“批示”一节",
            Some(&current),
        ),
        Err(e) => {
            tracing::error!(error = %e, "an instruction failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "出错了",
                "批示未能交办，已记入系统日志，请稍后再试",
                Some(&current),
            )
        }
    }
}
