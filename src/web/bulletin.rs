//! The bulletin (通报) on the web: the document the command line writes (`documents::bulletin`),
//! with a bar above it that is not printed — the way back to the campaign's board, a picker of
//! the months, quarters and years the campaign has reports in, and the Word version of the
//! period shown. For supervisors and the office only.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use minijinja::context;

use super::exports::failed;
use super::pages::{as_of, download, for_session, fragment, message};
use super::{Web, path_segment};
use crate::app::Window;
use crate::documents;
use crate::vocabulary::Period;

/// What was asked for: the campaign, and the period if one was named.
pub(super) struct Asked {
    pub(super) campaign: String,
    pub(super) period: Option<String>,
}

/// Why a bulletin cannot be shown, in the page's words.
#[derive(Debug, thiserror::Error)]
pub(super) enum Unshown {
    /// The period named is none a bulletin covers.
    #[error("「{0}」不是可以通报的期间，请从期间列表中选择（某月、某季度或某年）")]
    Period(String),
    /// The campaign has no report falling due at all.
    #[error("该专项尚无应报送的事项，暂无通报")]
    Nothing,
    /// A 文号 or 主送机关 that cannot be printed.
    #[error("{}", .0.join("；"))]
    Addressed(Vec<String>),
}

/// `GET /bulletin?campaign=…[&period=2017-05|2017-Q2|2017][&format=docx|html]`: the bulletin
/// of a month, a quarter or a year, as the records stood at its end (or now, while it is not
/// over), issued on the server's day. Without a period, the last whole month's (the board's
/// "上月通报"), or the latest the campaign has.
pub async fn bulletin(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(campaign) = query.get("campaign").cloned().filter(|c| !c.is_empty()) else {
        return message(
            StatusCode::BAD_REQUEST,
            "无法生成通报",
            "请指明专项，例如从三色看板上的“上月通报”链接进入",
            None,
        );
    };
    let asked = Asked {
        campaign,
        period: query
            .get("period")
            .cloned()
            .filter(|p| !p.trim().is_empty()),
    };
    let number = query.get("number").cloned().unwrap_or_default();
    let to = query.get("to").cloned().unwrap_or_default();
    let (number_given, to_given) = (number.clone(), to.clone());
    let at = as_of(&web);
    let made = for_session(&web, &headers, move |office, store, session| {
        make(office, &*store, &session.user, &asked, (&number, &to), at)
    })
    .await;
    let (current, (b, periods, chosen)) = match made {
        Ok((current, Ok(made))) => (current, made),
        Ok((current, Err(why))) => {
            return message(
                StatusCode::BAD_REQUEST,
                "无法生成通报",
                &why.to_string(),
                Some(&current),
            );
        }
        Err(r) => return r,
    };
    let name = documents::bulletin::title(&b);
    match query.get("format").map(String::as_str) {
        Some("html") | None => {
            let nav = fragment(
                "bulletin_nav.html",
                context! {
                    board => format!("/board?campaign={}", path_segment(&b.campaign)),
                    campaign => b.campaign.clone(), chosen => chosen.to_string(),
                    groups => groups(&periods, &chosen),
                    number => number_given, to => to_given,
                    word => format!(
                        "/bulletin?campaign={}&period={}&number={}&to={}&format=docx",
                        path_segment(&b.campaign),
                        path_segment(&chosen.to_string()),
                        path_segment(b.number.as_deref().unwrap_or_default()),
                        path_segment(b.to.as_deref().unwrap_or_default())
                    ),
                },
            );
            let mut response = documents::bulletin::html_with(&b, &nav).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"),
            );
            response
        }
        Some("docx") => match documents::bulletin::docx(&b) {
            Ok(bytes) => download(bytes, crate::documents::docx::MIME, &format!("{name}.docx")),
            Err(e) => failed(&current, &e.to_string()),
        },
        Some(other) => message(
            StatusCode::BAD_REQUEST,
            "无法生成通报",
            &format!("没有「{other}」这种格式：通报可在网页上查看，或下载Word版"),
            Some(&current),
        ),
    }
}

/// The bulletin `who` asked for, as the records stood at `at` (issued on its day), with the
/// periods the campaign has and the one chosen; or why none is shown. Refused (by the rights of
/// `app`) to whom the bulletin's page is not open.
pub(super) fn make(
    office: &crate::app::Office,
    store: &dyn crate::store::Backend,
    who: &crate::store::User,
    asked: &Asked,
    (number, to): (&str, &str),
    at: crate::clock::Instant,
) -> Result<Result<Made, Unshown>, crate::app::AppError> {
    let wanted = [asked.campaign.clone()];
    crate::app::campaigns_of(who, crate::app::Page::Bulletin, &wanted)?;
    let periods = office.bulletin_periods(store, &asked.campaign, at)?;
    let zone = store.campaign_zone(&asked.campaign)?;
    let today = at.in_zone(zone).with_timezone(&zone).date_naive();
    let chosen = match &asked.period {
        Some(text) => match Period::parse(text).filter(|p| Window::of(p).is_some()) {
            Some(period) => period,
            None => return Ok(Err(Unshown::Period(text.clone()))),
        },
        None => match default_period(&periods, today) {
            Some(period) => period,
            None => return Ok(Err(Unshown::Nothing)),
        },
    };
    let window = Window::of(&chosen).expect("a period a bulletin covers");
    let mut b = office.bulletin(store, &asked.campaign, &window, at, today)?;
    if let Err(crate::app::AppError::Invalid(problems)) =
        crate::app::address_bulletin(&mut b, Some(number), Some(to))
    {
        let why = problems.iter().map(|p| p.zh().to_string()).collect();
        return Ok(Err(Unshown::Addressed(why)));
    }
    Ok(Ok((b, periods, chosen)))
}

/// A bulletin made: it, the periods its campaign has, and the one it covers.
pub(super) type Made = (crate::reports::Bulletin, Vec<Period>, Period);

/// The period shown when none is asked for: the last whole month before `today` (the board's
/// "上月通报"), if the campaign has reports then; else the latest month it has.
fn default_period(periods: &[Period], today: chrono::NaiveDate) -> Option<Period> {
    let last_month = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .and_then(|d| Period::containing(crate::vocabulary::PeriodUnit::Month, d));
    let mut months = periods.iter().filter(|p| matches!(p, Period::Month { .. }));
    match last_month {
        Some(m) if periods.contains(&m) => Some(m),
        _ => months.next_back().cloned(),
    }
}

/// The picker's choices, by kind: 月度, 季度, 年度, each `{key, label}`; the period shown is
/// among them even when the campaign has no report due in it (a bulletin of it says so).
fn groups(periods: &[Period], chosen: &Period) -> Vec<minijinja::Value> {
    let kind = |p: &Period| match p {
        Period::Month { .. } => "月度",
        Period::Quarter { .. } => "季度",
        _ => "年度",
    };
    let mut all: Vec<Period> = periods.to_vec();
    if !all.contains(chosen) {
        all.push(chosen.clone());
        all.sort();
    }
    ["月度", "季度", "年度"]
        .iter()
        .filter_map(|name| {
            let options: Vec<minijinja::Value> = all
                .iter()
                .filter(|p| kind(p) == *name)
                .filter_map(|p| {
                    let label = Window::of(p)?.label;
                    Some(context! { key => p.to_string(), label })
                })
                .collect();
            (!options.is_empty()).then(|| context! { name => *name, options })
        })
        .collect()
}
