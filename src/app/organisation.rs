//! The organisation's directory as the office keeps it: its own 通讯录 or 组织机构 spreadsheet
//! read into the directory (`duban units import`), listed, exported the same way, a unit
//! retired. A sheet is read as offices make them: a title row or two above the header, Chinese
//! column names, and either a name and a 上级单位 column per row, or one column per level
//! (县区 / 乡镇 / 村) whose merged cells (empty below their first row, as a CSV export leaves
//! them) stand for every row they span.

use std::path::Path;

use super::{AppError, Office};
use crate::store::organisation::OrgRowError;
use crate::store::{Backend, OrgContact, OrgImportError, OrgReport, OrgRow, OrgUnit, Parent};
use crate::values::table::{self, Cell, Encoding};

/// What a column of the office's sheet holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Column {
    Code,
    Name,
    Parent,
    Kind,
    Liaison,
    LiaisonPhone,
    Email,
    Leader,
    LeaderPhone,
    /// One level of the tree, with the kind its units are (`县`, `乡镇`, `村`).
    Level(&'static str),
    /// Read by nobody: a row number, a remark.
    Skipped,
}

/// The column a header names, in the spellings offices use.
fn column(header: &str) -> Option<Column> {
    let name: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = name.to_lowercase();
    Some(match lower.as_str() {
        "单位编码" | "编码" | "单位代码" | "代码" | "机构代码" | "组织机构代码" | "code" => {
            Column::Code
        }
        "单位名称" | "单位" | "名称" | "机构名称" | "name" => Column::Name,
        "上级单位" | "上级" | "上级单位名称" | "上级单位编码" | "上级编码" | "所属单位"
        | "隶属" | "隶属单位" | "parent" => Column::Parent,
        "层级" | "级别" | "类型" | "单位类型" | "单位层级" | "kind" | "level" => {
            Column::Kind
        }
        "联系人" | "联络员" | "联系人姓名" => Column::Liaison,
        "联系电话" | "联系人电话" | "手机" | "手机号" | "手机号码" | "电话" | "phone" => {
            Column::LiaisonPhone
        }
        "邮箱" | "电子邮箱" | "电子邮件" | "email" => Column::Email,
        "负责人" | "主要负责人" | "分管领导" | "负责人姓名" => Column::Leader,
        "负责人电话" | "负责人手机" | "领导电话" => Column::LeaderPhone,
        // 状态 is what an export writes (在用/已撤销): retiring is done one unit at a time.
        "序号" | "备注" | "状态" => Column::Skipped,
        _ => {
            // A level, with what a bracket adds: 县（市、区）, 乡镇（街道）, 村（社区）.
            let base = name.split(['(', '（']).next().unwrap_or_default();
            Column::Level(match base {
                // A province's own sheet may name it once above its cities or counties, as
                // the root its campaigns bind to.
                "省" | "省份" | "省区" => "省",
                "市" | "地市" | "市州" => "市",
                "县" | "县区" | "区县" | "县市区" | "县市" => "县",
                "乡镇" | "镇" | "乡" | "街道" | "乡镇街道" => "乡镇",
                "村" | "社区" | "村居" | "村社区" | "行政村" => "村",
                _ => return None,
            })
        }
    })
}

/// The rows of an office's sheet, each as the directory takes it, and the columns not read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgSheet {
    /// The rows.
    pub rows: Vec<OrgRow>,
    /// Rows that name no unit though they hold something.
    pub unnamed: Vec<OrgRowError>,
    /// Header cells no column of the directory reads.
    pub unread: Vec<String>,
}

/// Reads the office's sheet at `path` (CSV in UTF-8 or GBK, or .xlsx).
pub fn read_sheet(path: &Path, encoding: Encoding) -> Result<OrgSheet, AppError> {
    let table = table::read(path, encoding)?;
    let mut raw: Vec<(String, Vec<Cell>)> = Vec::with_capacity(table.rows.len() + 1);
    let first_at = table
        .header
        .first()
        .map(|c| {
            c.at.rsplit_once(':')
                .map_or(c.at.clone(), |(a, _)| a.to_string())
        })
        .unwrap_or_default();
    raw.push((first_at, table.header));
    raw.extend(table.rows);
    // The header is the first row of the first ten that names two columns the directory
    // reads, one of them a name or a level; those above it are titles.
    let found = raw.iter().take(10).position(|(_, cells)| {
        let columns: Vec<Column> = cells.iter().filter_map(|c| column(&c.text)).collect();
        columns.len() >= 2
            && columns
                .iter()
                .any(|c| matches!(c, Column::Name | Column::Level(_)))
    });
    let Some(at) = found else {
        return Err(AppError::Table(table::TableError::Malformed {
            path: path.display().to_string(),
            message: "no header row names the units: give a column 单位名称 (with 上级单位), or one per level (县区、乡镇、村)".into(),
        }));
    };
    let header: Vec<Option<Column>> = raw[at].1.iter().map(|c| column(&c.text)).collect();
    let unread = raw[at]
        .1
        .iter()
        .zip(&header)
        .filter(|(c, col)| col.is_none() && !c.text.is_empty())
        .map(|(c, _)| c.text.clone())
        .collect();
    let mut sheet = OrgSheet {
        unread,
        ..OrgSheet::default()
    };
    let levels: Vec<usize> = (0..header.len())
        .filter(|&i| matches!(header[i], Some(Column::Level(_))))
        .collect();
    let mut above: Vec<String> = vec![String::new(); levels.len()];
    for (row_at, cells) in &raw[at + 1..] {
        let text = |col: &Column| -> Option<String> {
            header
                .iter()
                .position(|h| h.as_ref() == Some(col))
                .and_then(|i| cells.get(i))
                .map(|c| c.text.trim().to_string())
                .filter(|t| !t.is_empty())
        };
        // Level cells: an empty one under a filled one, with a deeper level filled in this
        // row, is a merged cell's (or its CSV export's) and takes the value above.
        let mut path: Vec<(String, Option<String>)> = Vec::new();
        if !levels.is_empty() {
            let own: Vec<String> = levels
                .iter()
                .map(|&i| {
                    cells
                        .get(i)
                        .map(|c| c.text.trim().to_string())
                        .unwrap_or_default()
                })
                .collect();
            // With a name column, the row's unit is below every level: each carries down.
            let named = text(&Column::Name).is_some();
            let deepest = if named {
                Some(levels.len())
            } else {
                own.iter().rposition(|t| !t.is_empty())
            };
            for (l, value) in own.iter().enumerate() {
                let taken = if !value.is_empty() {
                    value.clone()
                } else if deepest.is_some_and(|d| l < d) {
                    above[l].clone()
                } else {
                    String::new()
                };
                if taken != above[l] {
                    // A new value resets what the deeper levels carried down.
                    for deeper in above.iter_mut().skip(l + 1) {
                        deeper.clear();
                    }
                }
                above[l] = taken.clone();
                if !taken.is_empty() {
                    let Some(Column::Level(kind)) = header[levels[l]] else {
                        continue;
                    };
                    path.push((taken, Some(kind.to_string())));
                }
            }
        }
        let name = text(&Column::Name);
        let (name, parent, level_kind) = match (name, path.pop()) {
            (Some(name), last) => {
                path.extend(last);
                (name, None, None)
            }
            (None, Some((name, kind))) => (name, None, kind),
            (None, None) => {
                if cells.iter().any(|c| !c.text.trim().is_empty()) {
                    sheet
                        .unnamed
                        .push(OrgRowError::NoName { at: row_at.clone() });
                }
                continue;
            }
        };
        let parent = parent.unwrap_or_else(|| {
            if !path.is_empty() {
                Parent::Path(path)
            } else if let Some(p) = text(&Column::Parent) {
                Parent::Named(p)
            } else {
                Parent::Top
            }
        });
        let mut contacts = Vec::new();
        let email = text(&Column::Email);
        if let Some(bad) = email
            .as_ref()
            .filter(|e| !crate::language::check::is_mail_address(e))
        {
            sheet.unnamed.push(OrgRowError::BadEmail {
                at: row_at.clone(),
                email: bad.clone(),
            });
            continue;
        }
        let liaison_phone = text(&Column::LiaisonPhone);
        if let Some(person) = text(&Column::Liaison) {
            contacts.push(OrgContact {
                role: "联系人".into(),
                name: person,
                phone: liaison_phone.clone(),
                email: email.clone(),
            });
        }
        if let Some(person) = text(&Column::Leader) {
            contacts.push(OrgContact {
                role: "负责人".into(),
                name: person,
                phone: text(&Column::LeaderPhone),
                email: None,
            });
        }
        let phone = liaison_phone.filter(|_| text(&Column::Liaison).is_none());
        sheet.rows.push(OrgRow {
            at: row_at.clone(),
            code: text(&Column::Code),
            name,
            parent,
            kind: text(&Column::Kind).or(level_kind),
            email,
            phone,
            contacts,
        });
    }
    Ok(sheet)
}

/// What an import of the directory did, and the columns it did not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgImported {
    /// What changed.
    pub report: OrgReport,
    /// Header cells no column of the directory reads.
    pub unread: Vec<String>,
    /// Rows read.
    pub rows: usize,
}

impl Office {
    /// The office's directory as campaigns read it, for a campaign file whose `text` may take
    /// units from it: read from the records when there are records (a command that only checks
    /// files makes none); none otherwise.
    pub fn directory_for(&self, text: &str) -> Vec<crate::language::directory::DirEntry> {
        if !crate::language::directory::may_use(text) {
            return Vec::new();
        }
        if let crate::config::Database::File(path) = &self.config.database
            && !path.exists()
        {
            return Vec::new();
        }
        self.open_store()
            .and_then(|store| Ok(store.org_units()?))
            .map(|units| crate::store::organisation::entries(&units))
            .unwrap_or_default()
    }
}

/// A code or name the directory does not have, with the nearest it does.
pub(super) fn unknown<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> AppError {
    AppError::Store(
        crate::store::Refusal::Unknown {
            kind: "directory unit",
            name: name.to_string(),
            suggestion: crate::language::suggest::did_you_mean(name, known),
        }
        .into(),
    )
}

impl Office {
    /// Takes the office's sheet at `path` into the directory: every row, or none when any
    /// cannot be taken (each such row told). The file is only read.
    pub fn import_units(
        &self,
        store: &mut dyn Backend,
        path: &Path,
        encoding: Encoding,
        now: i64,
    ) -> Result<OrgImported, AppError> {
        self.refuse_secret(path)?;
        let sheet = read_sheet(path, encoding)?;
        if !sheet.unnamed.is_empty() {
            return Err(AppError::Directory(sheet.unnamed));
        }
        let report = match store.org_import(&sheet.rows, now) {
            Ok(report) => report,
            Err(OrgImportError::Rows(errors)) => return Err(AppError::Directory(errors)),
            Err(OrgImportError::Store(e)) => return Err(e.into()),
        };
        Ok(OrgImported {
            report,
            unread: sheet.unread,
            rows: sheet.rows.len(),
        })
    }

    /// The directory's units (retired ones only with `all`), those under `under` (a code or a
    /// name, and it) if given; an unknown one is refused with the nearest name.
    pub fn units(
        &self,
        store: &dyn Backend,
        under: Option<&str>,
        all: bool,
    ) -> Result<Vec<OrgUnit>, AppError> {
        below(store.org_units()?, under, all)
    }

    /// Retires the unit `code`; the unit as it was. An unknown code is refused with the
    /// nearest one.
    pub fn retire_unit(
        &self,
        store: &mut dyn Backend,
        code: &str,
        now: i64,
    ) -> Result<OrgUnit, AppError> {
        match store.org_retire(code, now)? {
            Some(unit) => Ok(unit),
            None => {
                let units = store.org_units()?;
                Err(unknown(code, units.iter().map(|u| u.code.as_str())))
            }
        }
    }
}

/// `units` (retired ones only with `all`), those under `under` (a code or a name, and it) if
/// given; an unknown one is refused with the nearest name.
pub(super) fn below(
    units: Vec<OrgUnit>,
    under: Option<&str>,
    all: bool,
) -> Result<Vec<OrgUnit>, AppError> {
    let mut keep: Vec<bool> = units
        .iter()
        .map(|u| all || u.retired_at.is_none())
        .collect();
    if let Some(top) = under {
        let Some(root) = units
            .iter()
            .find(|u| u.code == top)
            .or_else(|| units.iter().find(|u| u.name == top))
        else {
            let names = units.iter().map(|u| u.name.as_str());
            return Err(unknown(top, names));
        };
        let mut inside = std::collections::HashSet::from([root.code.clone()]);
        // Parents come before children in the order of adding, but a move may put a unit
        // under a later one: go round until nothing more is found.
        loop {
            let before = inside.len();
            for u in &units {
                if u.parent.as_ref().is_some_and(|p| inside.contains(p)) {
                    inside.insert(u.code.clone());
                }
            }
            if inside.len() == before {
                break;
            }
        }
        for (k, u) in keep.iter_mut().zip(&units) {
            *k = *k && inside.contains(&u.code);
        }
    }
    Ok(units
        .into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_in_the_spellings_offices_use() {
        assert_eq!(column("单位名称"), Some(Column::Name));
        assert_eq!(column(" 上级单位 "), Some(Column::Parent));
        assert_eq!(column("省（自治区、直辖市）"), Some(Column::Level("省")));
        assert_eq!(column("县（市、区）"), Some(Column::Level("县")));
        assert_eq!(column("乡镇(街道)"), Some(Column::Level("乡镇")));
        assert_eq!(column("村（社区）"), Some(Column::Level("村")));
        assert_eq!(column("职务"), None);
    }

    #[test]
    fn merged_level_cells_carry_down_beside_a_name_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("部门.csv");
        std::fs::write(&path, "乡镇,单位名称\n古路镇,财政所\n,农业服务中心\n").unwrap();
        let sheet = read_sheet(&path, Encoding::Auto).unwrap();
        let town = Parent::Path(vec![("古路镇".into(), Some("乡镇".into()))]);
        assert_eq!(sheet.rows[0].parent, town);
        assert_eq!(
            sheet.rows[1].parent, town,
            "the merged town cell stands for row 2 too"
        );
    }

    #[test]
    fn a_title_row_merged_level_cells_and_contacts_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("通讯录.csv");
        std::fs::write(
            &path,
            "千阳县古路镇各村联系人通讯录,,,,\n\
             序号,乡镇,村,联系人,联系电话\n\
             1,古路镇,新庄村,王一,13800000001\n\
             2,,高崖村,李二,13800000002\n\
             3,崔家头镇,东村,,\n",
        )
        .unwrap();
        let sheet = read_sheet(&path, Encoding::Auto).unwrap();
        assert_eq!(sheet.rows.len(), 3);
        let second = &sheet.rows[1];
        assert_eq!(second.name, "高崖村");
        assert_eq!(
            second.parent,
            Parent::Path(vec![("古路镇".into(), Some("乡镇".into()))])
        );
        assert_eq!(second.kind.as_deref(), Some("村"));
        assert_eq!(second.contacts[0].name, "李二");
        assert_eq!(second.contacts[0].phone.as_deref(), Some("13800000002"));
        assert_eq!(
            sheet.rows[2].parent,
            Parent::Path(vec![("崔家头镇".into(), Some("乡镇".into()))])
        );
    }
}
