//! The organisation's directory as a sheet the office reads and fills in again: the columns
//! `duban units import` reads, in Chinese, every cell text (a code keeps its leading zeros),
//! the parent by its code so that the sheet imported again names each parent exactly.

use crate::store::OrgUnit;

/// The columns, in order.
pub const HEADER: [&str; 10] = [
    "单位编码",
    "单位名称",
    "上级单位",
    "层级",
    "联系人",
    "联系电话",
    "邮箱",
    "负责人",
    "负责人电话",
    "状态",
];

/// Each unit's cells, in [`HEADER`]'s order.
pub fn rows(units: &[OrgUnit]) -> Vec<Vec<String>> {
    units
        .iter()
        .map(|u| {
            let person = |role: &str| u.contacts.iter().find(|c| c.role == role);
            let liaison = person("联系人");
            let leader = person("负责人");
            vec![
                u.code.clone(),
                u.name.clone(),
                u.parent.clone().unwrap_or_default(),
                u.kind.clone().unwrap_or_default(),
                liaison.map(|c| c.name.clone()).unwrap_or_default(),
                liaison
                    .and_then(|c| c.phone.clone())
                    .or_else(|| u.phone.clone())
                    .unwrap_or_default(),
                u.email
                    .clone()
                    .or_else(|| liaison.and_then(|c| c.email.clone()))
                    .unwrap_or_default(),
                leader.map(|c| c.name.clone()).unwrap_or_default(),
                leader.and_then(|c| c.phone.clone()).unwrap_or_default(),
                if u.retired_at.is_some() {
                    "已撤销".to_string()
                } else {
                    "在用".to_string()
                },
            ]
        })
        .collect()
}

/// The directory as an Excel workbook of one sheet, 组织机构.
pub fn xlsx(units: &[OrgUnit]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let rows: Vec<Vec<super::Cell>> = rows(units)
        .into_iter()
        .map(|r| r.into_iter().map(super::Cell::Text).collect())
        .collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    super::sheet(&mut book, "组织机构", &HEADER, &rows)?;
    book.save_to_buffer()
}
