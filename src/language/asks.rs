//! What a campaign lets or asks its units to do about a report beside sending it: ask for more
//! time within limits (申请延期: `延期 最多1次 不超过10日`), and acknowledge each notice within a
//! time (签收: `签收 24小时内`). Read by the parser, kept with the report in the records.

/// How soon a unit acknowledges a notice of a report (签收): in hours, or in days or workdays
/// (counted from the day it was told, not itself counted, to the end of the last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AckWithin {
    /// So many hours from the notice.
    Hours(u32),
    /// So many days or workdays.
    Span(crate::vocabulary::Duration),
}

/// What a unit may ask for in more time (申请延期): how many requests, and how far past the
/// deadline the day asked for may be. Either may be unsaid: no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtensionRule {
    /// Requests at most (`最多1次`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Past the deadline at most (`不超过10日`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<crate::vocabulary::Duration>,
}
