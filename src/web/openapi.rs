//! The JSON API's own description (`GET /api/v1/openapi.json`, OpenAPI 3.0): every operation
//! with its request, every status it can answer and the error shape with its codes. Kept beside
//! the handlers in `api`, held to them by the tests that call each operation and by
//! Schemathesis (tests/schemathesis.rs), and written to `docs/openapi.json` by `duban openapi`
//! so that a diff shows every change (a test fails while the file is not the document).

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::vocabulary::typed;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    Json(document()).into_response()
}

/// The document, as served.
pub fn document() -> serde_json::Value {
    let fields = json!({
        "campaign": { "type": "string" },
        "deliverable": { "type": "string" },
        "unit": { "type": "string" },
        "period": { "type": "string" },
        "at": { "type": "string", "description": "The office's tokens only: when it was done, for a report that came on paper (补录), RFC 3339 or local YYYY-MM-DD[THH:MM]; a unit's acts are at the server's time and a unit's token giving `at` is refused (403)" }
    });
    // What every listing in pages takes and answers.
    let limit = json!({ "name": "limit", "in": "query", "required": false, "description": "at most this many, and a Link header to the next page", "schema": { "type": "integer", "minimum": 1, "maximum": super::paging::MAX_PAGE } });
    let key_cursor = json!({ "name": "cursor", "in": "query", "required": false, "description": "where the page starts: as the Link header of the page before gives it (empty: the first page); after the last row the page before gave, in the listing's order", "schema": { "type": "string", "pattern": super::paging::KEY_CURSOR_PATTERN } });
    let bad_page = json!({ "description": "a limit out of range (`bad_limit`) or a cursor that is none (`bad_cursor`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let (mut json_fields, mut form_fields) = (fields.clone(), fields);
    json_fields["from_parts"] = json!({ "type": "boolean", "description": "the values added up from the sub-units' parts (分解 到 下级) as they stand, in place of `values`; a report not split is refused (409, `not_split`), one whose unit has no parts (409, `no_parts`), one none of whose parts is in yet (409, `no_parts_in`)" });
    form_fields["from_parts"] = json!({ "type": "string", "enum": ["true", "false", "1", "0"], "description": "as `from_parts` in JSON" });
    json_fields["signed_by"] = json!({ "type": "object", "additionalProperties": { "type": "string", "maxLength": typed::NAME_MAX }, "description": format!("who signed it, by role (`{{\"村书记\": \"王书记\"}}`), where the report asks for signatures (签字); a name of at most {} characters without control or bidi characters (400, `too_long`, `hidden_characters`), neither it nor the role empty (422, `bad_signature`)", typed::NAME_MAX) });
    json_fields["replace"] = json!({ "type": "boolean", "description": "sent again in place of what was sent (替换已报送的内容); the earlier stays in the history. Without it a report sent already is refused (409, `already_submitted`)" });
    form_fields["replace"] =
        json!({ "type": "string", "description": "present: as `replace` in JSON" });
    json_fields["values"] = json!({ "type": "object", "additionalProperties": { "type": "string", "maxLength": typed::VALUE_MAX }, "description": format!("the form's fields, by name; each value at most {} characters (a longer one is refused: 400, code `too_long`)", typed::VALUE_MAX) });
    form_fields["file"] = json!({ "type": "array", "items": { "type": "string", "format": "binary" }, "description": format!("files kept with the submission (64 MiB in all). Each part names its file with `filename` or `filename*` (RFC 6266: UTF-8, percent-encoded; taken first); a file part without a name is refused (400, code `unnamed_file`). The name's last component is kept, without control or bidi characters, at most {} characters (400, code `too_long`)", typed::FILE_NAME_MAX) });
    let document = json!({
        "openapi": "3.0.3",
        "info": { "title": "duban", "version": env!("CARGO_PKG_VERSION") },
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Obligation": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "due_date", "status"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "nullable": true },
                        "due_date": { "type": "string", "format": "date" },
                        "status": { "type": "string" }
                    }
                },
                "Error": { "type": "object", "properties": {
                    "error": { "type": "string", "description": "why, in words" },
                    "code": { "type": "string", "description": "why, for programs: too_long, unnamed_file, hidden_characters, too_large, bad_form, forbidden, time_not_chosen, time_refused, nothing_overdue, chased_today, no_mailbox, already_asked, too_many_requests, asked_too_far, no_request, until_needed, already_acknowledged, asked_too_late, not_later, not_owed, before_last_act, not_under_review, not_this_level, reason_needed, no_instructions, campaign_needed, not_split, no_parts, no_parts_in, not_passable, unknown, json_needed, bad_json, bad_body, conflict, locked, removed, waived, already_submitted, passed_down_already, nothing_to_return, submitted, signatures_needed, no_sub_units, not_owed_now, after_deadline, date_past, unit_token_needed, unit_needed, bad_format, bad_period, nothing_due, bad_signature, invalid_values, no_form, bad_table, bad_time; and with 401: no_token, unknown_token, token_revoked, token_expired; with 500: failed" },
                    "field": { "type": "string", "nullable": true, "description": "the field or part it concerns" },
                    "invalid": { "type": "array", "description": "with `invalid_values`: each value that does not fit, with its `field`, `at` and `message`", "items": { "type": "object" } }
                } }
            }
        },
        "security": [{ "token": [] }],
        "paths": {
            "/api/v1/obligations": { "get": {
                "summary": "The obligations of a campaign the token's holder may see, with their status, in the order they were recorded",
                "parameters": [
                    { "name": "campaign", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 } },
                    { "name": "unit", "in": "query", "required": false, "description": "only this unit's own obligations (a unit's worklist; not those of the units under it); a unit the holder sees nothing of gives an empty list", "schema": { "type": "string" } },
                    limit,
                    { "name": "cursor", "in": "query", "required": false, "description": "where the page starts: as the Link header of the page before gives it (empty: the first page); the page after the last row the page before gave, so that rows recorded meanwhile neither shift nor repeat a page", "schema": { "type": "string", "pattern": super::paging::CURSOR_PATTERN } },
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a listing seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the obligations (a page of them with `limit`); `ETag` says what they are, `Link: <…>; rel=\"next\"` where the next page starts", "headers": { "ETag": { "schema": { "type": "string" } }, "Link": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Obligation" } } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": { "description": "no campaign, a limit out of range (`bad_limit`) or a cursor that is none (`bad_cursor`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "an unknown campaign (`unknown`), or to a supervisor or the office an unknown unit", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/chases": { "post": {
                "summary": "Chase a unit now for what it owes past its deadline (一键催办): the office's tokens",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "unit"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "unit": { "type": "string" },
                        "deliverable": { "type": "string", "description": "only this report" },
                        "period": { "type": "string", "description": "only this period of it" },
                        "force": { "type": "boolean", "description": "chase again what was chased today already" }
                    }
                } } } },
                "responses": {
                    "201": { "description": "chased: what (`chased`), what was chased today already and left (`already`), and where its messages go (`to`: mailboxes, robots as `wecom:…`, `dingtalk:…`, `feishu:…`, phones as `sms:…`), queued for the next pass" },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not the office's token of that campaign", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "nothing overdue (`nothing_overdue`), chased today already (`chased_today`), or no mailbox (`no_mailbox`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/calendar.ics": { "get": {
                "summary": "The calendar of the token's unit (iCalendar), for a calendar app to subscribe to: the token as the bearer header or, since calendar apps send no header, as `?token=`; read-only",
                "parameters": [{ "name": "token", "in": "query", "required": false, "schema": { "type": "string" }, "description": "the token, where no Authorization header can be sent" }],
                "responses": {
                    "200": { "description": "the unit's reports on their days, the reminders as alarms, where each stands in its title", "content": { "text/calendar": { "schema": { "type": "string" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token of no unit (`unit_token_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/acknowledgements": { "post": {
                "summary": "Acknowledge a task (签收) for the token's unit, at the server's time, once",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "description": "the period, for a recurring report" }
                    }
                } } } },
                "responses": {
                    "201": { "description": "acknowledged: the obligation, its status and its deadline in force" },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not a token of that unit's own liaison or leader (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "acknowledged already (`already_acknowledged`), or not owed (`not_owed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/review-decisions": { "post": {
                "summary": "The reviewer's decision on a submission under review, at the level deciding: accepted (counted, or — reviewed in levels — passed to the next level's reviewer) or returned to the unit with a reason",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "accept"],
                    "oneOf": [
                        { "properties": { "accept": { "enum": [true] } } },
                        { "required": ["reason"], "properties": { "accept": { "enum": [false] } } }
                    ],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "description": "the period, for a recurring report" },
                        "accept": { "type": "boolean", "description": "true: accepted; false: returned" },
                        "reason": { "type": "string", "maxLength": typed::REASON_MAX, "description": "why it is returned (needed when `accept` is false)" }
                    }
                } } } },
                "responses": {
                    "200": { "description": "decided: the obligation, its status, its deadline in force and `waiting_for`, the reviewer it now waits for (the next level's), if any" },
                    "400": { "description": "a reason too long (`too_long`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not a token of the reviewer deciding at its level, nor the office's (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "not under review (`not_under_review`), or its level decided already — a second click or node (`not_this_level`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), or a return without a reason (`reason_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/returns": { "post": {
                "summary": "A report received (or under review) sent back to its unit (退回) with a reason, at the server's time: the office's tokens and those of whom the report is sent to",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "reason"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "description": "the period, for a recurring report" },
                        "reason": { "type": "string", "maxLength": typed::REASON_MAX }
                    }
                } } } },
                "responses": {
                    "200": { "description": "returned: the obligation, owed again, its status and its deadline in force" },
                    "400": { "description": "a reason too long (`too_long`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token that may not return it (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "nothing received to return (`nothing_to_return`), the report no longer in the campaign (`removed`), or a later act recorded since (`before_last_act`, `conflict`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), or a reason of spaces (`reason_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/waivers": { "post": {
                "summary": "A report its unit no longer owes (免报), with a reason, at the server's time: the office's tokens",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "reason"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "description": "the period, for a recurring report" },
                        "reason": { "type": "string", "maxLength": typed::REASON_MAX }
                    }
                } } } },
                "responses": {
                    "200": { "description": "waived: the obligation and its status" },
                    "400": { "description": "a reason too long (`too_long`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not the office's token of that campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "waived already (`waived`), or sent already (`submitted`): it counts as it stands", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), or a reason of spaces (`reason_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/instructions": { "get": {
                "summary": "The campaign's leaders' instructions (批示) the token's holder may see — the office's and supervisors' all, a unit's its own and those under it — each with who gave it, what it says, on what, its unit, its deadline and where it stands at the server's time",
                "parameters": [
                    { "name": "campaign", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 } },
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a listing seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the instructions (none where the campaign keeps none): `row`, `leader`, `text`, `about`, `unit`, `due_date`, `state` (open, rectifying, overdue, under_review, closed, returned, waived) and `state_zh`; `ETag` says what they are", "headers": { "ETag": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": { "description": "no campaign (`campaign_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token of another office's campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "an unknown campaign (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            }, "post": {
                "summary": "Enter a leader's instruction (交办领导批示) as tracked work for a unit, at the server's time: the office's tokens, in a campaign that keeps instructions (`批示`). Its unit reports it done with a file (办结报告) through `/api/v1/submissions`; the office reviews it (复核) through `/api/v1/review-decisions`",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "unit", "leader", "text"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "unit": { "type": "string", "description": "the unit that carries it out (承办单位)" },
                        "leader": { "type": "string", "maxLength": typed::NAME_MAX, "description": "who gave it (批示领导)" },
                        "text": { "type": "string", "maxLength": typed::VALUE_MAX, "description": "what it says (批示内容)" },
                        "about": { "type": "string", "description": "what it was given on: empty for the campaign, a unit's name, or `DELIVERABLE UNIT [PERIOD]`" },
                        "due": { "type": "string", "format": "date", "description": "the last day to report it done; without it, the campaign's rule (`办结时限`)" },
                        "written": { "type": "string", "format": "date", "description": "the day the leader wrote it" }
                    }
                } } } },
                "responses": {
                    "201": { "description": "entered: the obligation it is (`obligation`), its ledger and row (`#3`), its status and its deadline" },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not the office's token of that campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "a campaign that keeps no instructions (`no_instructions`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), an empty leader or text, or no deadline where the campaign gives none", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/pass-downs": { "post": {
                "summary": "Pass one period of a unit's report down to the units under it (分解到下级), where the campaign lets its units do so (`分解 到 下级` without a time): each sub-unit owes its part (`REPORT（下级）`) for that period, to the unit, by `due`; by whoever may submit the report, at the server's time",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "due"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "description": "the period, for a recurring report" },
                        "due": { "type": "string", "format": "date", "description": "the day the parts are owed by: no later than the unit's own deadline, not past" }
                    }
                } } } },
                "responses": {
                    "201": { "description": "passed down: each part (`parts`: obligation, status, deadline)" },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not a token that may submit the report (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "not passed down by its units (`not_passable`), no unit under it (`no_sub_units`), not owed now (`not_owed_now`), or passed down already (`passed_down_already`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), or a day after its deadline (`after_deadline`) or past (`date_past`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/extension-requests": { "post": {
                "summary": "Ask for more time (申请延期) for an obligation of the token's unit, before its deadline; the deadline holds until the office answers",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "until", "reason"],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string", "description": "the period, for a recurring report" },
                        "until": { "type": "string", "format": "date", "description": "the day asked for" },
                        "reason": { "type": "string", "maxLength": typed::REASON_MAX }
                    }
                } } } },
                "responses": {
                    "201": { "description": "asked: the obligation (`obligation`), its status and its deadline in force (`due_date`)" },
                    "400": { "description": "a reason too long or with hidden characters (`code` says which)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not a token of that unit, a unit above it, or the office (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "asked already and not answered (`already_asked`), more requests than the campaign allows (`too_many_requests`), past the deadline (`asked_too_late`), not later than it (`not_later`), or not owed (`not_owed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`: a day not YYYY-MM-DD, a field missing), a day further than the campaign allows (`asked_too_far`), or no reason (`reason_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/extension-decisions": { "post": {
                "summary": "Answer a request for more time: granted to a day (an extension, 延期; also without a request, as `extend`) or declined (不同意延期): the office's tokens",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["campaign", "deliverable", "unit", "grant", "reason"],
                    "oneOf": [
                        { "required": ["until"], "properties": { "grant": { "enum": [true] } } },
                        { "properties": { "grant": { "enum": [false] } } }
                    ],
                    "properties": {
                        "campaign": { "type": "string" },
                        "deliverable": { "type": "string" },
                        "unit": { "type": "string" },
                        "period": { "type": "string" },
                        "grant": { "type": "boolean" },
                        "until": { "type": "string", "format": "date", "description": "granted: the new deadline, the day asked for or a nearer one" },
                        "reason": { "type": "string", "maxLength": typed::REASON_MAX }
                    }
                } } } },
                "responses": {
                    "200": { "description": "answered: the obligation, its status and its deadline in force" },
                    "400": { "description": "a reason too long or with hidden characters (`code` says which)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "not the office's token of that campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "no request open to decline (`no_request`), a day not later than the deadline (`not_later`), or not owed (`not_owed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), a grant without `until` (`until_needed`), or no reason (`reason_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/board": { "get": {
                "summary": "The board (三色看板) of a campaign, as the supervisors' and the office's page shows it at the server's time: each unit (in the tree's order, a parent before its children) with its own light per report, its own light, and the tally of it and everything under it; supervisors' and the office's tokens",
                "parameters": [
                    { "name": "campaign", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 } },
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a reading seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the board: `campaign`, `title`, `as_of`, `deliverables`, `total` (`red`, `yellow`, `green`, `grey` units; `due`, `on_time`, `overdue` reports; `reviews_overdue`, `unacknowledged`, `on_time_rate` in percent) and `units` (`unit`, `parent`, `depth`, `light`, `cells` by report, `reviews_overdue`, `unacknowledged`, `tally`); `ETag` says what it is", "headers": { "ETag": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "object" } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": { "description": "no campaign (`campaign_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token whose role sees no board (a unit's, a reviewer's), or of another office's campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "an unknown campaign (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/overdue": { "get": {
                "summary": "Everything overdue at the server's time, in the campaign asked for or every campaign the token acts in, most days late first, each with whom to call (`email`, `phone`, `contacts`): supervisors' and the office's tokens, as the overdue list",
                "parameters": [
                    { "name": "campaign", "in": "query", "required": false, "description": "only this campaign (none, or empty: every campaign the token acts in)", "schema": { "type": "string" } },
                    limit,
                    key_cursor,
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a reading seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the overdue reports (a page of them with `limit`): `campaign`, `deliverable`, `unit`, `period`, `due_date`, `on_time_until`, `days_overdue`, `status` and whom to call; `ETag` says what it is, `Link: <…>; rel=\"next\"` where the next page starts", "headers": { "ETag": { "schema": { "type": "string" } }, "Link": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": bad_page,
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token whose role sees no overdue list (a unit's, a reviewer's), or of another office's campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "an unknown campaign (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/review-queue": { "get": {
                "summary": "What waits for the token's unit to review (`deciding`: at its level now) and what it received in the last days, as its review queue shows it, newest sent first: reviewers' and the office's tokens",
                "parameters": [
                    limit,
                    key_cursor,
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a reading seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the queue (a page of it with `limit`): each report with `campaign`, `deliverable`, `unit`, `period`, `due_date`, `reviewer`, `review_levels`, `status`, `deciding`; `ETag` says what it is, `Link: <…>; rel=\"next\"` where the next page starts", "headers": { "ETag": { "schema": { "type": "string" } }, "Link": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": bad_page,
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token whose role reviews nothing (a unit's, a supervisor's) (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/letters": { "get": {
                "summary": "The letters the overdue ladder issued to a unit (督办函, 提醒函, 约谈通知书, 督办单), newest first, in the campaigns the token acts in: whoever may open the unit's page; each as Word at `download` (a token's) and `href` (the unit's page, for a signed-in browser)",
                "parameters": [
                    { "name": "unit", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 } },
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a reading seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the letters: `id`, `number_text` (督办函〔2017〕3号), `kind`, `campaign`, `unit`, `day`, `items` (each late report and its deadline), `download`, `href`; `ETag` says what it is", "headers": { "ETag": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": { "description": "no unit (`unit_needed`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token that may not open the unit's page: another unit's (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "a unit no campaign has (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/units/{unit}/letters/{id}": { "get": {
                "summary": "A letter the overdue ladder issued to a unit, as Word (公文 format): whoever may open the unit's page; `download` of `/api/v1/letters` names it",
                "parameters": [
                    { "name": "unit", "in": "path", "required": true, "schema": { "type": "string", "minLength": 1 } },
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64", "minimum": 1 } }
                ],
                "responses": {
                    "200": { "description": "the letter", "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { "schema": { "type": "string", "format": "binary" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token that may not open the unit's page: another unit's (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "no such letter of that unit, or a unit no campaign has (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/bulletin": { "get": {
                "summary": "The bulletin (通报) of a month, a quarter or a year, as the page makes it at the server's time — the counts of the period and to date, the ranking, the reports still missing, targets below their threshold, interviews, requests for more time and acknowledgements, leaders' instructions and the letters issued — as JSON or as the Word document; supervisors' and the office's tokens",
                "parameters": [
                    { "name": "campaign", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 } },
                    { "name": "period", "in": "query", "required": false, "description": "`2017-05`, `2017-Q2` or `2017` (none: the last whole month's)", "schema": { "type": "string" } },
                    { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "docx"] } },
                    { "name": "If-None-Match", "in": "header", "required": false, "description": "the ETag of a reading seen before", "schema": { "type": "string" } }
                ],
                "responses": {
                    "200": { "description": "the bulletin; `ETag` says what it is", "headers": { "ETag": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "type": "object" } }, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { "schema": { "type": "string", "format": "binary" } } } },
                    "304": { "description": "unchanged since the ETag given in If-None-Match" },
                    "400": { "description": "no campaign (`campaign_needed`), or a format that is none (`bad_format`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "a token whose role sees no bulletin (a unit's, a reviewer's), or of another office's campaign (`forbidden`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "an unknown campaign (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "the campaign has nothing due yet: no bulletin (`nothing_due`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "a period that is no month, quarter or year (`bad_period`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/submissions": { "post": {
                "summary": "Record a submission for the token's unit",
                "requestBody": { "required": true, "content": {
                    "application/json": { "schema": {
                        "type": "object",
                        "required": ["campaign", "deliverable", "unit"],
                        "properties": json_fields,
                    } },
                    "multipart/form-data": { "schema": {
                        "type": "object",
                        "required": ["campaign", "deliverable", "unit"],
                        "properties": form_fields,
                        "additionalProperties": { "type": "string", "maxLength": typed::VALUE_MAX, "description": format!("f:FIELD: a field of the form, at most {} characters; sig:ROLE: who signed as ROLE, a name of at most {} characters without control or bidi characters (400, code `hidden_characters`)", typed::VALUE_MAX, typed::NAME_MAX) }
                    } }
                } },
                "responses": {
                    "201": { "description": "recorded: the obligation and its status" },
                    "400": { "description": "the request cannot be read, or a text is too long (`code` says which, `field` where)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no token, or one unknown, revoked (`token_revoked`) or expired (`token_expired`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "403": { "description": "the token does not act for that unit, or a unit's token gave `at`" },
                    "404": { "description": "a name that names nothing: no such campaign, report, unit or period (`unknown`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "409": { "description": "the record does not allow it now: sent already (`already_submitted`), waived (`waived`), removed from the campaign (`removed`), entry closed (`locked`), a report not split, with no parts or none of them in (`not_split`, `no_parts`, `no_parts_in`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "JSON that is not the object above (`bad_body`), values that do not fit the report's form (`invalid` lists each), signatures missing (`signatures_needed`) or empty (`bad_signature`), or a time refused (`time_refused`)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } }
        }
    });
    let mut document = document;
    complete(&mut document);
    document
}

/// A text without a NUL: no text the records keep holds one (400 `hidden_characters`).
const NO_NUL: &str = "^[^\\u0000]*$";

/// A text that says something: a character that is not a space, and no NUL.
const SAYS_SOMETHING: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";

/// What every operation shares, added to each rather than written beside it: the refusals of a
/// body that cannot be read (400 `bad_json`, 415 `json_needed`, 422 `bad_body`), and the rules
/// of the names and texts a body carries — a name is never empty, and a reason, a leader or a
/// text says something (the server refuses one of spaces, as the pages do).
fn complete(document: &mut serde_json::Value) {
    let error = |description: &str| json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for operation in paths
        .values_mut()
        .flat_map(|p| p.as_object_mut())
        .flat_map(|p| p.values_mut())
    {
        // A campaign or unit named in a query holds no NUL either (404: it names nothing).
        if let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(|p| p.as_array_mut())
        {
            for parameter in parameters
                .iter_mut()
                .filter(|p| p["name"] == "campaign" || p["name"] == "unit")
            {
                parameter["schema"]["pattern"] = json!(NO_NUL);
            }
        }
        let Some(body) = operation.get_mut("requestBody") else {
            continue;
        };
        if let Some(content) = body["content"].as_object_mut() {
            for (kind, schema) in content.iter_mut().map(|(k, c)| (k, &mut c["schema"])) {
                // A JSON body names only the operation's fields: a misspelt one (`peroid`) is
                // refused (422 `bad_body`) rather than left out unseen.
                if kind == "application/json" {
                    schema["additionalProperties"] = json!(false);
                }
                let Some(properties) = schema["properties"].as_object_mut() else {
                    continue;
                };
                for (name, property) in properties.iter_mut() {
                    if property["type"] != "string" || property.get("format").is_some() {
                        continue;
                    }
                    match name.as_str() {
                        "campaign" | "deliverable" | "unit" | "period" => {
                            property["minLength"] = json!(1);
                            property["pattern"] = json!(NO_NUL);
                        }
                        "reason" | "leader" | "text" => {
                            property["minLength"] = json!(1);
                            property["pattern"] = json!(SAYS_SOMETHING);
                        }
                        _ if property.get("pattern").is_none() => {
                            property["pattern"] = json!(NO_NUL);
                        }
                        _ => {}
                    }
                }
                // A form's values, by field.
                if let Some(values) = properties.get_mut("values") {
                    values["additionalProperties"]["pattern"] = json!(NO_NUL);
                }
            }
        }
        let responses = &mut operation["responses"];
        if responses.get("400").is_none() {
            responses["400"] = error("a body that is not JSON (`bad_json`)");
        }
        responses["415"] = error("a body without a JSON content type (`json_needed`)");
        if responses.get("422").is_none() {
            responses["422"] = error("JSON that is not the object above (`bad_body`)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
