//! The overdue list as offices hand it round (催报清单): one row per late report with the unit's
//! mailbox, phone, liaison and leader — the columns of `duban overdue --format csv`, which the
//! command line and the web pages' download share.

use crate::language::ast::ContactRole;
use crate::language::campaign::Contact;
use crate::store::OverdueRow;

/// The columns, in order. `due_date` is the date units were told; `on_time_until` the last
/// on-time day, later when a rest day moved the deadline, which `days_overdue` counts from.
pub const COLUMNS: [&str; 13] = [
    "campaign",
    "deliverable",
    "unit",
    "period",
    "due_date",
    "due_at",
    "days_overdue",
    "status",
    "email",
    "phone",
    "liaison",
    "leader",
    // Last: the columns before it keep their places for sheets that read them by position.
    "on_time_until",
];

/// [`COLUMNS`] as a workbook a person opens names them: in Chinese.
pub const COLUMNS_ZH: [&str; 13] = [
    "专项工作",
    "报送事项",
    "单位",
    "期次",
    "截止日期",
    "截止时刻",
    "逾期天数",
    "状态",
    "单位邮箱",
    "单位电话",
    "联络员",
    "分管领导",
    "按时截止日（遇休息日顺延）",
];

/// The unit's people of `role`, each with how to reach them, `; ` between.
pub fn people(row: &OverdueRow, role: ContactRole) -> String {
    row.contacts
        .iter()
        .filter(|c| c.role == role)
        .map(Contact::reach)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row's cells, in the order of [`COLUMNS`].
pub fn cells(row: &OverdueRow) -> Vec<String> {
    vec![
        row.campaign.to_string(),
        row.deliverable.to_string(),
        row.unit.to_string(),
        row.period.as_deref().unwrap_or("").to_string(),
        row.due_date.to_string(),
        row.due_at.to_string(),
        row.days_overdue.to_string(),
        row.status.to_string(),
        row.email.as_deref().unwrap_or("").to_string(),
        row.phone.as_deref().unwrap_or("").to_string(),
        people(row, ContactRole::Liaison),
        people(row, ContactRole::Leader),
        row.on_time_until.to_string(),
    ]
}
