//! The JSON API's own description (`GET /api/v1/openapi.json`, OpenAPI 3.1), made from the code:
//! each request body's schema from the type the handler reads it into (its fields, which are
//! required, which are refused when unknown, the limits of its texts — `api_schema`), the
//! answers' schemas from the types they are written from, the error's from
//! [`Refusal`](super::api_refusal::Refusal), and each operation's statuses from the codes it
//! answers ([`Code::status`], the one the handlers answer with). What is written here by hand is
//! what no type says: the summaries, the parameters of a query, and which codes each operation
//! can answer. Held to the handlers by the tests that call each operation and by Schemathesis
//! (tests/schemathesis.rs), and written to `docs/openapi.json` by `duban openapi` so that a diff
//! shows every change (a test fails while the file is not the document).

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::response::{IntoResponse, Response};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Value, json};

use super::api_refusal::{Code, Code::*, Refusal};
use super::api_schema::NO_NUL;
use super::paging::{CURSOR_PATTERN, KEY_CURSOR_PATTERN, MAX_PAGE};
use crate::vocabulary::typed;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    Json(document()).into_response()
}

/// A generator of schemas kept under `#/components/schemas`, as JSON Schema 2020-12 (the
/// dialect of OpenAPI 3.1), for what is read (`requests`) or written (`answers`).
fn generator(reading: bool) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    let settings = if reading {
        settings.for_deserialize()
    } else {
        settings.for_serialize()
    };
    settings.into_generator()
}

/// The document, as served.
pub fn document() -> Value {
    let mut requests = generator(true);
    let mut answers = generator(false);
    let error = answers.subschema_for::<Refusal>().to_value();
    let obligations = answers
        .subschema_for::<Vec<crate::app::Visible>>()
        .to_value();
    let operations = vec![
        Op::new("POST", "/api/v1/acknowledgements", "Acknowledge a task (签收) for the token's unit, at the server's time, once")
            .body(requests.subschema_for::<super::api::NewAcknowledgement>())
            .answers(201, json!({"description": "acknowledged: the obligation, its status and its deadline in force"}))
            .refuses(&[AlreadyAcknowledged, Forbidden, NotOwed, Unknown])
            .who("not a token of that unit's own liaison or leader")
            .done(),

        Op::new("GET", "/api/v1/board", "The board (三色看板) of a campaign, as the supervisors' and the office's page shows it at the server's time: each unit (in the tree's order, a parent before its children) with its own light per report, its own light, and the tally of it and everything under it; supervisors' and the office's tokens")
            .param(json!({"in": "query", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .etag()
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the board: `campaign`, `title`, `as_of`, `deliverables`, `total` (`red`, `yellow`, `green`, `grey` units; `due`, `on_time`, `overdue` reports; `reviews_overdue`, `unacknowledged`, `on_time_rate` in percent) and `units` (`unit`, `parent`, `depth`, `light`, `cells` by report, `reviews_overdue`, `unacknowledged`, `tally`); `ETag` says what it is"}))
            .refuses(&[CampaignNeeded, Forbidden, Unknown])
            .who("a token whose role sees no board (a unit's, a reviewer's), or of another office's campaign")
            .done(),

        Op::new("GET", "/api/v1/bulletin", "The bulletin (通报) of a month, a quarter or a year, as the page makes it at the server's time — the counts of the period and to date, the ranking, the reports still missing, targets below their threshold, interviews, requests for more time and acknowledgements, leaders' instructions and the letters issued — as JSON or as the Word document; supervisors' and the office's tokens")
            .param(json!({"in": "query", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .param(json!({"description": "`2017-05`, `2017-Q2` or `2017` (none: the last whole month's)", "in": "query", "name": "period", "required": false, "schema": {"type": "string"}}))
            .param(json!({"in": "query", "name": "format", "required": false, "schema": {"enum": ["json", "docx"], "type": "string"}}))
            .etag()
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"format": "binary", "type": "string"}}}, "description": "the bulletin; `ETag` says what it is"}))
            .refuses(&[BadFormat, BadPeriod, CampaignNeeded, Forbidden, NothingDue, Unknown])
            .who("a token whose role sees no bulletin (a unit's, a reviewer's), or of another office's campaign")
            .done(),

        Op::new("GET", "/api/v1/calendar.ics", "The calendar of the token's unit (iCalendar), for a calendar app to subscribe to: the token as the bearer header or, since calendar apps send no header, as `?token=`; read-only")
            .param(json!({"description": "the token, where no Authorization header can be sent", "in": "query", "name": "token", "required": false, "schema": {"type": "string"}}))
            .answers(200, json!({"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "the unit's reports on their days, the reminders as alarms, where each stands in its title"}))
            .refuses(&[UnitTokenNeeded])
            .who("a token of no unit")
            .done(),

        Op::new("POST", "/api/v1/chases", "Chase a unit now for what it owes past its deadline (一键催办): the office's tokens")
            .body(requests.subschema_for::<super::api::NewChase>())
            .answers(201, json!({"description": "chased: what (`chased`), what was chased today already and left (`already`), and where its messages go (`to`: mailboxes, robots as `wecom:…`, `dingtalk:…`, `feishu:…`, phones as `sms:…`), queued for the next pass"}))
            .refuses(&[ChasedToday, Forbidden, NoMailbox, NothingOverdue, Unknown])
            .who("not the office's token of that campaign")
            .done(),

        Op::new("POST", "/api/v1/extension-decisions", "Answer a request for more time: granted to a day (an extension, 延期; also without a request, as `extend`) or declined (不同意延期): the office's tokens")
            .body(requests.subschema_for::<super::api::ExtensionDecision>())
            .answers(200, json!({"description": "answered: the obligation, its status and its deadline in force"}))
            .refuses(&[TooLong, Forbidden, NoRequest, NotLater, NotOwed, ReasonNeeded, Unknown, UntilNeeded])
            .who("not the office's token of that campaign")
            .done(),

        Op::new("POST", "/api/v1/extension-requests", "Ask for more time (申请延期) for an obligation of the token's unit, before its deadline; the deadline holds until the office answers")
            .body(requests.subschema_for::<super::api::NewExtensionRequest>())
            .answers(201, json!({"description": "asked: the obligation (`obligation`), its status and its deadline in force (`due_date`)"}))
            .refuses(&[TooLong, AlreadyAsked, AskedTooFar, AskedTooLate, Forbidden, NotLater, NotOwed, ReasonNeeded, TooManyRequests, Unknown])
            .who("not a token of that unit, a unit above it, or the office")
            .done(),

        Op::new("POST", "/api/v1/directory-imports", "Take the office's sheet of units into the organisation's directory, as the units page does (`duban units import`): all rows or none, each row to correct named; the office that keeps the records (bound to no campaign), never a read-only token")
            .form(json!({
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": { "type": "string", "format": "binary", "description": "the sheet: `.xlsx` (its first sheet) or `.csv` (UTF-8 or GBK), told by its file name, with a 单位名称 column (and 上级单位), or a column per level (县区, 乡镇, 村); 单位编码, 邮箱, 联系人, 联系电话 … as `duban units import` reads them" }
                },
                "additionalProperties": { "type": "string", "maxLength": typed::VALUE_MAX, "pattern": NO_NUL, "description": "any other part: not read" }
            }))
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "taken: `rows`, and the units `added`, `changed` and `unchanged`"}))
            .refuses(&[BadRows, BadTable, Forbidden])
            .who("not the office that keeps the records: another role, an office bound to campaigns, a read-only token")
            .done(),

        Op::new("POST", "/api/v1/imports", "Record a clerk's spreadsheet of reports that came on paper or by mail (导入报送记录), as the import page does: all rows or none, each refused row named with its line and what to correct; the office's tokens, never a read-only one")
            .form(json!({
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": { "type": "string", "format": "binary", "description": "the sheet: `.xlsx` (its first sheet), `.csv` (UTF-8 or GBK) or `.jsonl`, told by its file name; its first row names the columns (报送单位, 报送事项, 期次, 报送时间, and the form's fields)" },
                    "campaign": { "type": "string", "pattern": NO_NUL, "description": "the campaign of a sheet without a 专项 column" }
                },
                "additionalProperties": { "type": "string", "maxLength": typed::VALUE_MAX, "pattern": NO_NUL, "description": "any other part: not read" }
            }))
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "recorded: `recorded` rows, and `unchanged`, those recorded before"}))
            .refuses(&[BadRows, BadTable, Forbidden, Unknown])
            .who("not the office's token, or a read-only one")
            .done(),

        Op::new("GET", "/api/v1/instructions", "The campaign's leaders' instructions (批示) the token's holder may see — the office's and supervisors' all, a unit's its own and those under it — each with who gave it, what it says, on what, its unit, its deadline and where it stands at the server's time")
            .param(json!({"in": "query", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the instructions (none where the campaign keeps none): `row`, `leader`, `text`, `about`, `unit`, `due_date`, `state` (open, rectifying, overdue, under_review, closed, returned, waived) and `state_zh`; `ETag` says what they are"}))
            .refuses(&[CampaignNeeded, Forbidden, Unknown])
            .who("a token of another office's campaign")
            .done(),

        Op::new("POST", "/api/v1/instructions", "Enter a leader's instruction (交办领导批示) as tracked work for a unit, at the server's time: the office's tokens, in a campaign that keeps instructions (`批示`). Its unit reports it done with a file (办结报告) through `/api/v1/submissions`; the office reviews it (复核) through `/api/v1/review-decisions`")
            .body(requests.subschema_for::<super::api_work::NewInstruction>())
            .answers(201, json!({"description": "entered: the obligation it is (`obligation`), its ledger and row (`#3`), its status and its deadline"}))
            .refuses(&[InvalidValues, Forbidden, NoInstructions, Unknown])
            .who("not the office's token of that campaign")
            .done(),

        Op::new("GET", "/api/v1/units", "The organisation's directory (通讯录) as the units page finds it: every unit in use, or those under `under`, of them those whose name or code holds `q`, in the order of their codes; supervisors' and the office's tokens")
            .param(json!({"name": "under", "in": "query", "required": false, "description": "a unit's code or name: it and the units under it (a name the directory does not have: 404 `unknown`)", "schema": {"type": "string", "pattern": NO_NUL}}))
            .param(json!({"name": "q", "in": "query", "required": false, "description": "part of a unit's name or code", "schema": {"type": "string", "pattern": NO_NUL}}))
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the units: `code`, `name`, `parent` (its code) and `parent_name`, `kind`, `email`, `phone`, `contacts` (`role`, `name`, `phone`, `email`), `retired_at`; `ETag` says what they are"}))
            .refuses(&[Forbidden, HiddenCharacters, Unknown])
            .who("a token whose role sees no directory (a unit's, a reviewer's)")
            .done(),

        Op::new("PUT", "/api/v1/units/{code}", "One unit of the organisation's directory as it is to be, as the units page changes it: its name (a new one renames it), mailbox, liaison and leader with their phones — a field left out is cleared: the office that keeps the records (bound to no campaign), never a read-only token")
            .param(json!({"in": "path", "name": "code", "required": true, "description": "the unit's code in the directory", "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .body(requests.subschema_for::<super::api_directory::UnitChange>())
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the unit as the directory now lists it (`code`, `name`, `parent`, `kind`, `email`, `phone`, `contacts` …) and `changed`, whether anything did"}))
            .refuses(&[BadUnit, Conflict, Forbidden, TooLong, Unknown])
            .who("not the office that keeps the records: another role, an office bound to campaigns, a read-only token")
            .done(),

        Op::new("GET", "/api/v1/letters", "The letters the overdue ladder issued to a unit (督办函, 提醒函, 约谈通知书, 督办单), newest first, in the campaigns the token acts in: whoever may open the unit's page; each as Word at `download` (a token's) and `href` (the unit's page, for a signed-in browser)")
            .param(json!({"in": "query", "name": "unit", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the letters: `id`, `number_text` (督办函〔2017〕3号), `kind`, `campaign`, `unit`, `day`, `items` (each late report and its deadline), `download`, `href`; `ETag` says what it is"}))
            .refuses(&[Forbidden, UnitNeeded, Unknown])
            .who("a token that may not open the unit's page: another unit's")
            .done(),

        Op::new("GET", "/api/v1/obligations", "The obligations of a campaign the token's holder may see, with their status, in the order they were recorded")
            .param(json!({"in": "query", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .param(json!({"description": "only this unit's own obligations (a unit's worklist; not those of the units under it); a unit the holder sees nothing of gives an empty list", "in": "query", "name": "unit", "required": false, "schema": {"pattern": "^[^\\u0000]*$", "type": "string"}}))
            .etag()
            .paged(CURSOR_PATTERN, "where the page starts: as the Link header of the page before gives it (empty: the first page); the page after the last row the page before gave, so that rows recorded meanwhile neither shift nor repeat a page")
            .answers(200, json!({"content": {"application/json": {"schema": obligations}}, "description": "the obligations (a page of them with `limit`); `ETag` says what they are, `Link: <…>; rel=\"next\"` where the next page starts"}))
            .refuses(&[CampaignNeeded, Forbidden, Unknown])
            .who("a token of another office's campaign")
            .done(),

        Op::new("GET", "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}", "One obligation as its page shows it at the server's time: where it stands, its deadline in force, whom it is sent to, what the token's holder may do with it (`rights`), its form, and its whole history — every act with who did it, when (and when recorded), why, the values and signatures a submission carried, and the files kept with it, each with its address (`download`): whoever may see it")
            .param(json!({"in": "path", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "deliverable", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "unit", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "period", "required": true, "description": "the period (`2017-05`), or `-` for a one-off report", "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .etag()
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the obligation: `campaign`, `deliverable`, `unit`, `period`, `due_date`, `to`, `reviewer`, `status`, `rights` (`see`, `submit`, `review`, `send_back`, `excuse`, `answer`), `form`, `approver`, `instruction`, `pass_down_to`, `history` (`kind`, `at`, `recorded_at`, `backfilled`, `by`, `reason`, `note`, `data`, `values`, `files`: `name`, `sha256`, `size`, `download`); `ETag` says what it is"}))
            .refuses(&[Forbidden, Unknown])
            .who("a token that may not see it: another unit's, or of another office's campaign")
            .done(),

        Op::new("GET", "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/files/{sha256}", "A file kept with one of the obligation's submissions, as it was sent, named as it was (`Content-Disposition`): whoever may see the obligation; `download` of the obligation's history names it")
            .param(json!({"in": "path", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "deliverable", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "unit", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "period", "required": true, "description": "the period (`2017-05`), or `-` for a one-off report", "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "sha256", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .answers(200, json!({"content": {"application/octet-stream": {"schema": {"format": "binary", "type": "string"}}}, "description": "the file"}))
            .refuses(&[Forbidden, Unknown])
            .who("a token that may not see the obligation")
            .done(),

        Op::new("GET", "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/template", "The obligation's blank form as a workbook — the form's fields as columns, its unit and period filled in — as its page offers it, to fill in and send back through `/api/v1/submissions`: whoever may see the obligation; a report without a form has none (404)")
            .param(json!({"in": "path", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "deliverable", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "unit", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .param(json!({"in": "path", "name": "period", "required": true, "description": "the period (`2017-05`), or `-` for a one-off report", "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .answers(200, json!({"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"format": "binary", "type": "string"}}}, "description": "the workbook"}))
            .refuses(&[Forbidden, Unknown])
            .who("a token that may not see the obligation")
            .done(),

        Op::new("GET", "/api/v1/overdue", "Everything overdue at the server's time, in the campaign asked for or every campaign the token acts in, most days late first, each with whom to call (`email`, `phone`, `contacts`): supervisors' and the office's tokens, as the overdue list")
            .param(json!({"description": "only this campaign (none, or empty: every campaign the token acts in)", "in": "query", "name": "campaign", "required": false, "schema": {"pattern": "^[^\\u0000]*$", "type": "string"}}))
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the overdue reports (a page of them with `limit`): `campaign`, `deliverable`, `unit`, `period`, `due_date`, `on_time_until`, `days_overdue`, `status` and whom to call; `ETag` says what it is, `Link: <…>; rel=\"next\"` where the next page starts"}))
            .refuses(&[Forbidden, Unknown])
            .who("a token whose role sees no overdue list (a unit's, a reviewer's), or of another office's campaign")
            .done(),

        Op::new("POST", "/api/v1/pass-downs", "Pass one period of a unit's report down to the units under it (分解到下级), where the campaign lets its units do so (`分解 到 下级` without a time): each sub-unit owes its part (`REPORT（下级）`) for that period, to the unit, by `due`; by whoever may submit the report, at the server's time")
            .body(requests.subschema_for::<super::api_work::NewPassDown>())
            .answers(201, json!({"description": "passed down: each part (`parts`: obligation, status, deadline)"}))
            .refuses(&[AfterDeadline, DatePast, Forbidden, NoSubUnits, NotOwedNow, NotPassable, PassedDownAlready, Unknown])
            .who("not a token that may submit the report")
            .done(),

        Op::new("POST", "/api/v1/returns", "A report received (or under review) sent back to its unit (退回) with a reason, at the server's time: the office's tokens and those of whom the report is sent to")
            .body(requests.subschema_for::<super::api_work::Settled>())
            .answers(200, json!({"description": "returned: the obligation, owed again, its status and its deadline in force"}))
            .refuses(&[TooLong, BeforeLastAct, Conflict, Forbidden, NothingToReturn, ReasonNeeded, Removed, TooLong, Unknown])
            .who("a token that may not return it")
            .done(),

        Op::new("POST", "/api/v1/review-decisions", "The reviewer's decision on a submission under review, at the level deciding: accepted (counted, or — reviewed in levels — passed to the next level's reviewer) or returned to the unit with a reason")
            .body(requests.subschema_for::<super::api::ReviewDecision>())
            .answers(200, json!({"description": "decided: the obligation, its status, its deadline in force and `waiting_for`, the reviewer it now waits for (the next level's), if any"}))
            .refuses(&[TooLong, Forbidden, NotThisLevel, NotUnderReview, ReasonNeeded, TooLong, Unknown])
            .who("not a token of the reviewer deciding at its level, nor the office's")
            .done(),

        Op::new("GET", "/api/v1/review-queue", "What waits for the token's unit to review (`deciding`: at its level now) and what it received in the last days, as its review queue shows it, newest sent first: reviewers' and the office's tokens")
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the queue (a page of it with `limit`): each report with `campaign`, `deliverable`, `unit`, `period`, `due_date`, `reviewer`, `review_levels`, `status`, `deciding`; `ETag` says what it is, `Link: <…>; rel=\"next\"` where the next page starts"}))
            .refuses(&[Forbidden])
            .who("a token whose role reviews nothing (a unit's, a supervisor's)")
            .done(),

        Op::new("POST", "/api/v1/submissions", "Record a submission for the token's unit")
            .body(requests.subschema_for::<super::api_submit::NewSubmission>())
            .answers(201, json!({"description": "recorded: the obligation and its status"}))
            .refuses(&[AlreadySubmitted, BadForm, BadSignature, BadTable, BadTime, Forbidden, InvalidValues, Locked, NoForm, NoParts, NoPartsIn, NotSplit, Removed, SignaturesNeeded, TimeNotChosen, TimeRefused, TooLarge, TooLong, Unknown, UnnamedFile, Waived])
            .who("the token does not act for that unit, or a unit's token gave `at`")
            .done(),

        Op::new("GET", "/api/v1/units/{unit}/letters/{id}", "A letter the overdue ladder issued to a unit, as Word (公文 format): whoever may open the unit's page; `download` of `/api/v1/letters` names it")
            .param(json!({"in": "path", "name": "unit", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .param(json!({"in": "path", "name": "id", "required": true, "schema": {"format": "int64", "minimum": 1, "type": "integer"}}))
            .answers(200, json!({"content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"format": "binary", "type": "string"}}}, "description": "the letter"}))
            .refuses(&[Forbidden, Unknown])
            .who("a token that may not open the unit's page: another unit's")
            .done(),

        Op::new("GET", "/api/v1/accounts", "The accounts the office's token manages (those of its campaigns), by name, as the accounts page lists them; never a password or a link: the office's tokens")
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the accounts: `name`, `unit`, `role`, `campaigns`, `ready` (a password set), `disabled_at`, `last_sign_in_at`; `ETag` says what they are"}))
            .refuses(&[Forbidden])
            .who("not the office's token")
            .done(),

        Op::new("POST", "/api/v1/accounts", "Make an account, as the accounts page does: 201 with it and the one-time link (`link`) its holder sets a password through, shown this once; the office's tokens, never a read-only one")
            .body(requests.subschema_for::<super::api_accounts::NewAccount>())
            .answers(201, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "made: `name`, `unit`, `role`, `campaigns`, `ready` (a password set), `disabled_at`, `last_sign_in_at`, and `link`, the one-time address its holder sets a password at (shown this once)"}))
            .refuses(&[BadAccount, Conflict, Forbidden, HiddenCharacters, TooLong, Unknown, UnitUnclear])
            .who("not the office's token, a read-only one, or a campaign not its own")
            .done(),

        Op::new("POST", "/api/v1/accounts/{name}/disable", "Disable an account: it cannot sign in, and its sessions end at once; one disabled already stays as it was (`was_disabled`): the office's tokens, never a read-only one")
            .param(json!({"in": "path", "name": "name", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the account as it is now: `name`, `unit`, `role`, `campaigns`, `ready` (a password set), `disabled_at`, `last_sign_in_at`; `was_disabled`, whether it was disabled before; after a reset, `link`, the new one-time address (shown this once)"}))
            .refuses(&[Conflict, Forbidden, Unknown])
            .who("not the office's token, a read-only one, or an account not of its campaigns")
            .done(),

        Op::new("POST", "/api/v1/accounts/{name}/enable", "Enable a disabled account: it signs in again (with its password, or through its link when it has none): the office's tokens, never a read-only one")
            .param(json!({"in": "path", "name": "name", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the account as it is now: `name`, `unit`, `role`, `campaigns`, `ready` (a password set), `disabled_at`, `last_sign_in_at`; `was_disabled`, whether it was disabled before; after a reset, `link`, the new one-time address (shown this once)"}))
            .refuses(&[Conflict, Forbidden, Unknown])
            .who("not the office's token, a read-only one, or an account not of its campaigns")
            .done(),

        Op::new("POST", "/api/v1/accounts/{name}/reset", "A forgotten password: the old one stops working at once, and a new one-time link (`link`) is answered this once: the office's tokens, never a read-only one")
            .param(json!({"in": "path", "name": "name", "required": true, "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the account as it is now: `name`, `unit`, `role`, `campaigns`, `ready` (a password set), `disabled_at`, `last_sign_in_at`; `was_disabled`, whether it was disabled before; after a reset, `link`, the new one-time address (shown this once)"}))
            .refuses(&[Conflict, Forbidden, Unknown])
            .who("not the office's token, a read-only one, or an account not of its campaigns")
            .done(),

        Op::new("GET", "/api/v1/board/trend", "The campaign's on-time rate month by month, as the board's chart draws it: per month of the deadline (those passed at the server's time), the share in percent of what fell due that came in by its deadline; supervisors' and the office's tokens")
            .param(json!({"in": "query", "name": "campaign", "required": true, "schema": {"minLength": 1, "pattern": "^[^\\u0000]*$", "type": "string"}}))
            .etag()
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "`campaign` and `months`: each `month` (`2017-05`) with its `on_time_rate` in percent; `ETag` says what it is"}))
            .refuses(&[CampaignNeeded, Forbidden, Unknown])
            .who("a token whose role sees no board (a unit's, a reviewer's), or of another office's campaign")
            .done(),

        Op::new("GET", "/api/v1/tokens", "The API tokens the office's token manages, in the order they were made, with when each was made, expires, was last used and was revoked; never a secret: the office's tokens")
            .etag()
            .paged_by_key()
            .answers(200, json!({"content": {"application/json": {"schema": {"items": {"type": "object"}, "type": "array"}}}, "description": "the tokens: `id`, `name`, `unit`, `role`, `campaigns`, `read_only`, `created_at`, `expires_at`, `last_used_at`, `revoked_at`; `ETag` says what they are"}))
            .refuses(&[Forbidden])
            .who("not the office's token")
            .done(),

        Op::new("POST", "/api/v1/tokens", "Make an API token (scoped by role, unit, campaigns, days, read-only), as the accounts page does: 201 with it and its `secret`, shown this once; the office's tokens, never a read-only one")
            .body(requests.subschema_for::<super::api_accounts::NewToken>())
            .answers(201, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "made: `id`, `name`, `unit`, `role`, `campaigns`, `read_only`, `created_at`, `expires_at`, `last_used_at`, `revoked_at`, and `secret`, the bearer token (shown this once)"}))
            .refuses(&[BadAccount, Conflict, Forbidden, HiddenCharacters, TooLong, Unknown, UnitUnclear])
            .who("not the office's token, a read-only one, or a campaign not its own")
            .done(),

        Op::new("POST", "/api/v1/tokens/{token}/revoke", "Revoke a token by its name or number: it is refused from then on (401 `token_revoked`); one revoked already stays as it was (`was_revoked`). A token does not revoke itself (409 `own_token`): the office's tokens, never a read-only one")
            .param(json!({"in": "path", "name": "token", "required": true, "description": "the token's name or number", "schema": {"minLength": 1, "pattern": NO_NUL, "type": "string"}}))
            .answers(200, json!({"content": {"application/json": {"schema": {"type": "object"}}}, "description": "revoked: `id`, `name`, `unit`, `role`, `campaigns`, `read_only`, `created_at`, `expires_at`, `last_used_at`, `revoked_at`, and `was_revoked`"}))
            .refuses(&[Forbidden, OwnToken, Unknown])
            .who("not the office's token, a read-only one, or a token not of its campaigns")
            .done(),

        Op::new("POST", "/api/v1/waivers", "A report its unit no longer owes (免报), with a reason, at the server's time: the office's tokens")
            .body(requests.subschema_for::<super::api_work::Settled>())
            .answers(200, json!({"description": "waived: the obligation and its status"}))
            .refuses(&[TooLong, Forbidden, ReasonNeeded, Submitted, TooLong, Unknown, Waived])
            .who("not the office's token of that campaign")
            .done(),

    ];
    let mut schemas = requests.take_definitions(true);
    schemas.extend(answers.take_definitions(true));
    // What each code means, as the error's schema says it (the codes' doc comments).
    let meanings = meanings(&schemas);
    let mut paths = serde_json::Map::new();
    for op in operations {
        let (method, path, operation) = op.made(&error, &meanings);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[method.to_lowercase()] = operation;
    }
    let mut document = json!({
        "openapi": "3.1.0",
        "info": { "title": "duban", "version": env!("CARGO_PKG_VERSION") },
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas,
        },
        "security": [{ "token": [] }],
        "paths": paths,
    });
    multipart_submission(&mut document);
    tidy(&mut document);
    document
}

/// Descriptions taken from doc comments as one line each: a comment's line breaks are the
/// source's, not the text's.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(text) if key == "description" && text.contains('\n') => {
                        *text = text
                            .split('\n')
                            .map(str::trim)
                            .collect::<Vec<_>>()
                            .join(" ");
                    }
                    _ => tidy(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// What each code means, from the error schema's description of its values.
fn meanings(schemas: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    schemas
        .get("Code")
        .and_then(|c| c["oneOf"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let code = v["const"].as_str().or_else(|| v["enum"][0].as_str())?;
            let meaning = v["description"].as_str().unwrap_or_default();
            Some((code.to_string(), meaning.to_string()))
        })
        .collect()
}

/// A submission may come as a multipart form too (with files): the JSON body's fields as form
/// fields, its flags as text, the form's values as `f:FIELD` and signatures as `sig:ROLE`.
fn multipart_submission(document: &mut Value) {
    let json_body = document["components"]["schemas"]["NewSubmission"].clone();
    let mut properties = json_body["properties"].clone();
    let Some(fields) = properties.as_object_mut() else {
        return;
    };
    fields.remove("values");
    fields.remove("signed_by");
    // A form's field is text, present or not: never null.
    for field in fields.values_mut() {
        if field["type"].is_array() {
            field["type"] = json!("string");
        }
    }
    if let Some(field) = fields.get_mut("from_parts") {
        *field = json!({ "type": "string", "enum": ["true", "false", "1", "0"], "description": field["description"] });
    }
    if let Some(field) = fields.get_mut("replace") {
        *field = json!({ "type": "string", "description": "present (whatever it says): as `replace` in JSON" });
    }
    fields.insert("file".into(), json!({ "type": "array", "items": { "type": "string", "format": "binary" }, "description": format!("files kept with the submission (64 MiB in all: 400 `too_large`). Each part names its file with `filename` or `filename*` (RFC 6266: UTF-8, percent-encoded; taken first); a file part without a name is refused (400 `unnamed_file`). The name's last component is kept, without control or bidi characters, at most {} characters (400 `too_long`)", typed::FILE_NAME_MAX) }));
    let form = json!({
        "type": "object",
        "required": json_body["required"],
        "properties": properties,
        "additionalProperties": { "type": "string", "maxLength": typed::VALUE_MAX, "pattern": NO_NUL, "description": format!("f:FIELD: a field of the form, at most {} characters; sig:ROLE: who signed as ROLE, a name of at most {} characters without control or bidi characters (400 `hidden_characters`)", typed::VALUE_MAX, typed::NAME_MAX) }
    });
    document["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["multipart/form-data"] =
        json!({ "schema": form });
}

/// One operation, as its table row says it: what it is, what it takes, what it answers when
/// done, and the codes it can refuse with beyond those every operation shares.
struct Op {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    parameters: Vec<Value>,
    body: Option<Value>,
    answer: (u16, Value),
    codes: BTreeSet<Code>,
    who: Option<&'static str>,
    etag: bool,
}

impl Op {
    fn new(method: &'static str, path: &'static str, summary: &'static str) -> Op {
        Op {
            method,
            path,
            summary,
            parameters: Vec::new(),
            body: None,
            answer: (200, json!({})),
            // Every operation needs a token, and may fail (logged).
            codes: [NoToken, UnknownToken, TokenRevoked, TokenExpired, Failed].into(),
            who: None,
            etag: false,
        }
    }

    fn param(mut self, parameter: Value) -> Op {
        self.parameters.push(parameter);
        self
    }

    /// A reading a poller may ask again with the ETag it has: 304 when unchanged.
    fn etag(mut self) -> Op {
        self.etag = true;
        self.parameters.push(json!({ "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a reading seen before", "schema": { "type": "string" } }));
        self
    }

    /// A listing in pages: `limit`, and the `cursor` the page before gave (`pattern`).
    fn paged(mut self, pattern: &str, description: &str) -> Op {
        self.parameters.push(json!({ "name": "limit", "in": "query", "required": false, "description": "at most this many, and a Link header to the next page", "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE } }));
        self.parameters.push(json!({ "name": "cursor", "in": "query", "required": false, "description": description, "schema": { "type": "string", "pattern": pattern } }));
        self.codes.extend([BadLimit, BadCursor]);
        self
    }

    /// A listing in pages sorted by key: the cursor holds the last row's place.
    fn paged_by_key(self) -> Op {
        self.paged(KEY_CURSOR_PATTERN, "where the page starts: as the Link header of the page before gives it (empty: the first page); after the last row the page before gave, in the listing's order")
    }

    /// A JSON body of the schema given (the reader's type), and the refusals of reading one.
    fn body(mut self, schema: schemars::Schema) -> Op {
        self.body = Some(
            json!({ "required": true, "content": { "application/json": { "schema": schema } } }),
        );
        self.codes
            .extend([BadJson, JsonNeeded, BadBody, HiddenCharacters]);
        self
    }

    /// A body sent as a multipart form (files with it), `schema` its parts; what every form's
    /// reading can refuse.
    fn form(mut self, schema: Value) -> Op {
        self.body = Some(
            json!({ "required": true, "content": { "multipart/form-data": { "schema": schema } } }),
        );
        self.codes
            .extend([BadForm, HiddenCharacters, TooLarge, TooLong, UnnamedFile]);
        self
    }

    fn answers(mut self, status: u16, response: Value) -> Op {
        self.answer = (status, response);
        self
    }

    fn refuses(mut self, codes: &[Code]) -> Op {
        self.codes.extend(codes);
        self
    }

    /// Who may, said where the operation answers 403.
    fn who(mut self, who: &'static str) -> Op {
        self.who = Some(who);
        self
    }

    fn done(self) -> Op {
        self
    }

    /// The operation object: its responses made from its codes, a status each, listing what
    /// each code there means.
    fn made(
        self,
        error: &Value,
        meanings: &BTreeMap<String, String>,
    ) -> (&'static str, String, Value) {
        let mut responses = serde_json::Map::new();
        let (status, mut answer) = self.answer;
        if self.etag {
            answer["headers"]["ETag"] = json!({ "schema": { "type": "string" } });
            responses.insert(
                "304".into(),
                json!({ "description": "unchanged since the ETag given in If-None-Match" }),
            );
        }
        if self.parameters.iter().any(|p| p["name"] == "cursor") {
            answer["headers"]["Link"] = json!({ "schema": { "type": "string" } });
        }
        responses.insert(status.to_string(), answer);
        let mut by_status: BTreeMap<u16, Vec<String>> = BTreeMap::new();
        for code in &self.codes {
            let name = code.as_str();
            let meaning = meanings
                .get(&name)
                .map(|m| strip_status(m))
                .unwrap_or_default();
            by_status
                .entry(code.status().as_u16())
                .or_default()
                .push(format!("`{name}`: {meaning}"));
        }
        for (status, lines) in by_status {
            let mut description = lines.join("; ");
            if let (403, Some(who)) = (status, self.who) {
                description = format!("{who}. {description}");
            }
            responses.insert(status.to_string(), json!({ "description": description, "content": { "application/json": { "schema": error } } }));
        }
        let mut operation = json!({ "summary": self.summary, "responses": responses });
        if !self.parameters.is_empty() {
            operation["parameters"] = Value::Array(self.parameters);
        }
        if let Some(body) = self.body {
            operation["requestBody"] = body;
        }
        (self.method, self.path.to_string(), operation)
    }
}

/// A code's meaning without the status its doc comment starts with (`400: `).
fn strip_status(meaning: &str) -> String {
    meaning
        .split_once(": ")
        .filter(|(s, _)| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .map_or(meaning, |(_, rest)| rest)
        .trim_end_matches('.')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the description says a code means starts with the status the server answers it
    /// with: the doc comment and [`Code::status`] cannot drift apart, and every code is there.
    #[test]
    fn each_code_is_described_with_the_status_it_answers() {
        let document = document();
        let codes = document["components"]["schemas"]["Code"]["oneOf"]
            .as_array()
            .expect("the codes, each with its meaning");
        assert!(codes.len() > 60, "{}", codes.len());
        for described in codes {
            let code: Code = serde_json::from_value(described["const"].clone()).expect("a code");
            let meaning = described["description"].as_str().unwrap_or_default();
            let status = code.status().as_u16();
            assert!(
                meaning.starts_with(&format!("{status}: ")),
                "{code:?} answers {status}: {meaning}"
            );
        }
        // Each operation lists a status only with the codes that answer it.
        let refusal = &document["paths"]["/api/v1/returns"]["post"]["responses"];
        assert!(
            refusal["409"]["description"]
                .as_str()
                .unwrap()
                .contains("`nothing_to_return`")
        );
        assert!(
            refusal["304"].is_null() && refusal["415"].is_object() && refusal["500"].is_object()
        );
    }

    /// The description and the router say the same: every operation the server answers under
    /// `/api/v1` is described (its method on its path), and nothing is described that the
    /// server does not answer — so a route added without its description, or a description
    /// left behind by a route removed, fails here rather than in a client.
    #[test]
    fn every_api_route_is_described_and_every_description_is_a_route() {
        let document = document();
        let paths = document["paths"].as_object().expect("paths");
        let mut described: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .into_iter()
                    .flat_map(|o| o.keys())
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect();
        let mut routed: Vec<(String, String)> = super::super::route_table()
            .into_iter()
            .filter(|(_, path)| path.starts_with("/api/v1/") && *path != "/api/v1/openapi.json")
            .map(|(method, path)| (method.to_string(), path.to_string()))
            .collect();
        described.sort();
        routed.sort();
        assert_eq!(described, routed);
        // Each operation says what it answers, and refuses in the one shape.
        for (method, path) in &routed {
            let operation = &paths[path.as_str()][method.to_lowercase()];
            assert!(operation["summary"].is_string(), "{method} {path}");
            assert!(operation["responses"]["401"].is_object(), "{method} {path}");
        }
    }
}
