//! What the API's texts may hold, said as JSON Schema: markers that a request's fields name
//! (`#[schemars(with = "…")]`) in place of their Rust type, so that the description made from the
//! request types carries the rules the server keeps — a name is never empty, a reason says
//! something, nothing holds a NUL (PostgreSQL's text cannot), and each text has its limit.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// A text without a NUL: no text the records keep holds one (400 `hidden_characters`).
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// A text that says something: a character that is not a space, and no NUL.
pub const SAYS_SOMETHING: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";

/// The characters a name people see may not hold (`typed::is_hidden`): the controls, and the
/// format characters of bidirectional text and zero width.
const HIDDEN: &str =
    "\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2069\\uFEFF";

/// A name people see, as an account's or a token's is checked (`accounts::shown_as_is`): a
/// character that is not a space, none hidden, at most `typed::NAME_MAX` characters (400
/// `hidden_characters`, `too_long`).
pub struct Shown;

impl JsonSchema for Shown {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Shown".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": crate::vocabulary::typed::NAME_MAX,
            "pattern": format!("^[^{HIDDEN}]*[^\\s{HIDDEN}][^{HIDDEN}]*$"),
        })
    }
}

/// The name of a campaign, report, unit or period: not empty, no NUL (else it names nothing).
pub struct Name;

impl JsonSchema for Name {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Name".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1, "pattern": NO_NUL })
    }
}

/// A text that must say something (a reason, a leader, an instruction), of at most `MAX`
/// characters: one of spaces is refused (422 `reason_needed`), a longer one too (400 `too_long`).
pub struct Said<const MAX: usize>;

impl<const MAX: usize> JsonSchema for Said<MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Said{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1, "maxLength": MAX, "pattern": SAYS_SOMETHING })
    }
}

/// Any text of at most `MAX` characters without a NUL (a longer one: 400 `too_long`).
pub struct Text<const MAX: usize>;

impl<const MAX: usize> JsonSchema for Text<MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Text{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "maxLength": MAX, "pattern": NO_NUL })
    }
}

/// Any text without a NUL.
pub struct Plain;

impl JsonSchema for Plain {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Plain".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": NO_NUL })
    }
}
